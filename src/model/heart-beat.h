/* heart-beat.h: one heartbeat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_TYPE_BEAT (heart_beat_get_type ())

typedef struct _HeartBeat
{
  gint64 timestamp_us;     /* time of the beat, µs since the epoch */
  double t_s;              /* simulation time of the beat, seconds */
  double rr_ms;            /* interval that ended with this beat */
  double stress_level;     /* stress at the beat */
  gboolean event_active;   /* an acute or random stress event is active */
  char   condition[HEART_LABEL_MAX];    /* the scenario phase, "" with none */
} HeartBeat;

GType        heart_beat_get_type        (void) G_GNUC_CONST;
HeartBeat   *heart_beat_copy            (const HeartBeat *beat);
void         heart_beat_free            (HeartBeat *beat);
int          heart_beat_get_bpm         (const HeartBeat *beat);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartBeat, heart_beat_free)

G_END_DECLS
