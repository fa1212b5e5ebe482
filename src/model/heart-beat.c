/* heart-beat.c: one heartbeat, a plain value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-beat.h"

#include <math.h>

G_DEFINE_BOXED_TYPE (HeartBeat, heart_beat, heart_beat_copy, heart_beat_free)

HeartBeat *
heart_beat_copy (const HeartBeat *beat)
{
  return g_memdup2 (beat, sizeof *beat);
}

void
heart_beat_free (HeartBeat *beat)
{
  g_free (beat);
}

int
heart_beat_get_bpm (const HeartBeat *beat)
{
  return (int) lround (60000.0 / beat->rr_ms);
}

const char *
heart_beat_type_code (HeartBeatType type)
{
  switch (type)
    {
    case HEART_BEAT_VENTRICULAR: return "V";
    case HEART_BEAT_SUPRAVENTRICULAR: return "S";
    case HEART_BEAT_NORMAL:
    default: return "N";
    }
}

gboolean
heart_beat_type_parse (const char    *code,
                       HeartBeatType *type)
{
  if (code == NULL || *code == '\0' || g_str_equal (code, "N"))
    *type = HEART_BEAT_NORMAL;
  else if (g_str_equal (code, "V"))
    *type = HEART_BEAT_VENTRICULAR;
  else if (g_str_equal (code, "S"))
    *type = HEART_BEAT_SUPRAVENTRICULAR;
  else
    return FALSE;
  return TRUE;
}
