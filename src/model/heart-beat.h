/* heart-beat.h: one heartbeat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_TYPE_BEAT (heart_beat_get_type ())

/* What started the beat, as MIT-BIH annotation codes name it */
typedef enum {
  HEART_BEAT_NORMAL = 'N',            /* sinus */
  HEART_BEAT_VENTRICULAR = 'V',       /* premature ventricular contraction */
  HEART_BEAT_SUPRAVENTRICULAR = 'S',  /* premature atrial (supraventricular) beat */
} HeartBeatType;

typedef struct _HeartBeat
{
  gint64 timestamp_us;     /* time of the beat, µs since the epoch */
  double t_s;              /* simulation time of the beat, seconds */
  double rr_ms;            /* interval that ended with this beat */
  double stress_level;     /* stress at the beat */
  gboolean event_active;   /* an acute or random stress event is active */
  char   condition[HEART_LABEL_MAX];    /* the scenario phase, "" with none */
  HeartBeatType type;
} HeartBeat;

GType        heart_beat_get_type        (void) G_GNUC_CONST;
HeartBeat   *heart_beat_copy            (const HeartBeat *beat);
void         heart_beat_free            (HeartBeat *beat);
int          heart_beat_get_bpm         (const HeartBeat *beat);
/* "N", "V" or "S" */
const char  *heart_beat_type_code       (HeartBeatType type);
/* "N", "V" or "S" (NULL or "" is N) → the type; FALSE for anything else */
gboolean     heart_beat_type_parse      (const char *code,
                                         HeartBeatType *type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartBeat, heart_beat_free)

G_END_DECLS
