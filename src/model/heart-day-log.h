/* heart-day-log.h: the person's day, in ten-second buckets, and its totals
 *
 * The history holds the last 10,000 samples — under an hour and a half at
 * 2 Hz —, too few for a day and without the activity and the sleep stage,
 * which are label channels. The day log follows a source's "sample" and
 * "values" signals and keeps, for each 10 s of simulation time over the
 * last 36 hours, the heart rate (mean, low, high), the stress, the steps,
 * the energy, the activity, the sleep stage, the scenario phase and whether
 * a stress event was on. It also sums the day's totals: steps, active
 * energy and active minutes since local midnight, and the night's sleep
 * since 18:00 the evening before (docs/model.md, "The day's totals").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-activity.h"
#include "heart-sample.h"

G_BEGIN_DECLS

#define HEART_DAY_LOG_BUCKET_S 10.0
/* A day and the evening before it: the night's sleep is in it whole */
#define HEART_DAY_LOG_SECONDS (36 * 3600)

/* The sleep stages as the sleep_stage channel names them */
typedef enum {
  HEART_DAY_SLEEP_NONE,     /* "": out of bed */
  HEART_DAY_SLEEP_IN_BED,   /* "in_bed" */
  HEART_DAY_SLEEP_AWAKE,    /* "awake" */
  HEART_DAY_SLEEP_CORE,     /* "core": N1 and N2 */
  HEART_DAY_SLEEP_DEEP,     /* "deep" */
  HEART_DAY_SLEEP_REM,      /* "rem" */
  HEART_N_DAY_SLEEP
} HeartDaySleep;

/* No activity label heard yet (a replay of a file without one) */
#define HEART_DAY_NO_ACTIVITY HEART_N_ACTIVITIES

typedef struct
{
  double        t_s;            /* simulation time of the bucket's start, a multiple of 10 */
  gint64        timestamp_us;   /* wall clock of its first sample */
  guint         n_samples;
  float         bpm_mean;
  float         bpm_low;
  float         bpm_high;
  float         stress_mean;    /* 0–1 */
  float         steps;          /* counted in the bucket */
  float         energy_kcal;    /* spent in the bucket, resting energy included */
  guint8        activity;       /* HeartActivityType of its last sample, or HEART_DAY_NO_ACTIVITY */
  guint8        sleep;          /* HeartDaySleep of its last sample */
  gboolean      event_active;   /* a stress event was on at one of its samples */
  const char   *condition;      /* the scenario phase of its last sample (interned), "" with none */
} HeartDayBucket;

typedef struct
{
  gint64 day_start_us;          /* local midnight that began the day; 0 before any sample */
  double steps;
  double active_energy_kcal;    /* above the energy of sitting still, as HealthKit counts it */
  double energy_kcal;           /* all of it */
  double active_minutes;        /* walking, running or cycling */
  double bpm_low;               /* of the day's closed 10 s means; 0 with none */
  double bpm_high;
  double bpm_mean;              /* of the day's samples */
  /* the night: since 18:00 the evening before */
  double in_bed_minutes;        /* in bed, asleep or not */
  double asleep_minutes;        /* core, deep and rem */
  double sleep_minutes[HEART_N_DAY_SLEEP];
} HeartDayTotals;

#define HEART_TYPE_DAY_LOG (heart_day_log_get_type ())
G_DECLARE_FINAL_TYPE (HeartDayLog, heart_day_log, HEART, DAY_LOG, GObject)

/* Days and nights begin in @zone (NULL: the local time zone) */
HeartDayLog          *heart_day_log_new            (GTimeZone *zone);
/* Follow a source's "values" and "sample" signals (a HeartSource as
 * GObject so that this header stays free of it). A simulator's activity
 * and sleep stage are read at once (it sends them only when they change);
 * a HeartSourceSwitch is watched too: when it switches to another source,
 * the log starts again with that source's labels. */
void                  heart_day_log_follow         (HeartDayLog *self,
                                                    GObject *source);
/* What the signals deliver, for sources followed by hand and for tests */
void                  heart_day_log_add_values     (HeartDayLog *self,
                                                    const HeartChannelValue *values,
                                                    guint n_values);
void                  heart_day_log_add_sample     (HeartDayLog *self,
                                                    const HeartSample *sample);
/* The labels in force before the source sends any */
void                  heart_day_log_set_labels     (HeartDayLog *self,
                                                    const char *activity,
                                                    const char *sleep_stage);
/* Forget everything (a source that starts again at t = 0) */
void                  heart_day_log_clear          (HeartDayLog *self);

/* The buckets, oldest first; the last one may still be filling */
guint                 heart_day_log_get_length     (HeartDayLog *self);
const HeartDayBucket *heart_day_log_peek           (HeartDayLog *self,
                                                    guint index);
/* The index of the first bucket that ends after @t_s (the length with none) */
guint                 heart_day_log_find           (HeartDayLog *self,
                                                    double t_s);
const HeartDayTotals *heart_day_log_get_totals     (HeartDayLog *self);

/* "in_bed" → HEART_DAY_SLEEP_IN_BED; unknown names and "" are NONE */
HeartDaySleep         heart_day_sleep_from_label   (const char *label);
const char           *heart_day_sleep_to_label     (HeartDaySleep sleep);

/* Signal "changed" (no arguments): a sample was added (the totals and the
 * latest bucket changed) or the log was cleared. Property "length"
 * notifies when a bucket is added or the log cleared. */

G_END_DECLS
