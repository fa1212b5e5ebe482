/* heart-sample.h: one simulator tick
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_TYPE_SAMPLE (heart_sample_get_type ())

/* Plain values, copied freely: a sample is about 230 bytes and the history
 * stores 10,000 of them inline. */
typedef struct _HeartSample
{
  gint64   timestamp_us;   /* wall clock (live) or start + t (datasets), µs since the epoch */
  double   t_s;            /* simulation time of the tick, seconds */
  guint64  seq;            /* strictly increasing, starts at 1 */
  int      bpm;            /* 60000 / latest RR, rounded */
  double   variability;    /* clamp (rmssd_ms / 100, 0, 1) */
  double   stress_level;   /* current stress s, 0–1 */
  double   rr_ms;          /* latest RR interval */
  double   rmssd_ms;       /* over the beats of the last 30 s */
  guint    baseline_bpm;   /* resting heart rate setting */
  gboolean running;        /* state: "running" or "stopped" */
  gboolean event_active;   /* an acute or random stress event is active (label) */
  double   channels[HEART_N_CHANNELS];  /* each periodic channel's value at the tick */
  char     condition[HEART_LABEL_MAX];  /* the scenario phase, "" with none */
} HeartSample;

GType        heart_sample_get_type      (void) G_GNUC_CONST;
HeartSample *heart_sample_copy          (const HeartSample *sample);
void         heart_sample_free          (HeartSample *sample);
const char  *heart_sample_state_string  (const HeartSample *sample);





G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartSample, heart_sample_free)

G_END_DECLS
