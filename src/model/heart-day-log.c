/* heart-day-log.c: ten-second buckets over a day and a half, and the day's
 * totals (docs/model.md, "The day's totals")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-day-log.h"

#include <math.h>

#include "heart-simulator.h"
#include "heart-source-switch.h"

#define CAPACITY ((guint) (HEART_DAY_LOG_SECONDS / HEART_DAY_LOG_BUCKET_S))
/* A longer step between two samples is a seek or a gap, not time lived:
 * it counts for this much at most */
#define MAX_STEP_S 300.0
/* The night is counted from this hour of the evening before */
#define NIGHT_START_HOUR 18

struct _HeartDayLog
{
  GObject         parent_instance;

  GTimeZone      *zone;
  HeartDayBucket *buckets;        /* ring of CAPACITY */
  guint           head;           /* where the next bucket goes */
  guint           length;

  guint8          activity;       /* the latest labels heard */
  guint8          sleep;
  double          pending_steps;  /* heard since the last sample */
  gboolean        have_last;
  double          last_t;

  HeartDayTotals  totals;
  double          bpm_sum;        /* of the day's samples */
  guint           bpm_count;
  gint64          next_midnight_us;
  gint64          night_start_us;
  gint64          next_night_us;
};

enum {
  PROP_0,
  PROP_LENGTH,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeartDayLog, heart_day_log, G_TYPE_OBJECT)

static const char *const sleep_labels[HEART_N_DAY_SLEEP] = {
  [HEART_DAY_SLEEP_NONE] = "",
  [HEART_DAY_SLEEP_IN_BED] = "in_bed",
  [HEART_DAY_SLEEP_AWAKE] = "awake",
  [HEART_DAY_SLEEP_CORE] = "core",
  [HEART_DAY_SLEEP_DEEP] = "deep",
  [HEART_DAY_SLEEP_REM] = "rem",
};

HeartDaySleep
heart_day_sleep_from_label (const char *label)
{
  for (HeartDaySleep i = HEART_DAY_SLEEP_IN_BED; i < HEART_N_DAY_SLEEP; i++)
    if (g_strcmp0 (label, sleep_labels[i]) == 0)
      return i;
  return HEART_DAY_SLEEP_NONE;
}

const char *
heart_day_sleep_to_label (HeartDaySleep sleep)
{
  return sleep < HEART_N_DAY_SLEEP ? sleep_labels[sleep] : "";
}

static gboolean
is_asleep (HeartDaySleep sleep)
{
  return sleep == HEART_DAY_SLEEP_CORE || sleep == HEART_DAY_SLEEP_DEEP || sleep == HEART_DAY_SLEEP_REM;
}

static gboolean
is_active (guint8 activity)
{
  return activity == HEART_ACTIVITY_WALKING || activity == HEART_ACTIVITY_RUNNING
         || activity == HEART_ACTIVITY_CYCLING;
}

/* ---------------------------------------------------------------- days */

/* The latest @hour:00 at or before @timestamp_us, in the log's zone */
static gint64
latest_hour_at_or_before (HeartDayLog *self,
                          gint64       timestamp_us,
                          int          hour)
{
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc (timestamp_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) mark = NULL;

  if (at == NULL)
    return timestamp_us;
  local = g_date_time_to_timezone (at, self->zone);
  mark = g_date_time_new (self->zone, g_date_time_get_year (local), g_date_time_get_month (local),
                          g_date_time_get_day_of_month (local), hour, 0, 0);
  if (mark == NULL)
    return timestamp_us;
  if (g_date_time_to_unix (mark) * G_USEC_PER_SEC > timestamp_us)
    {
      g_autoptr(GDateTime) before = g_date_time_add_days (mark, -1);

      return g_date_time_to_unix (before) * G_USEC_PER_SEC;
    }
  return g_date_time_to_unix (mark) * G_USEC_PER_SEC;
}

/* A day later by the calendar, so that a change of summer time moves it */
static gint64
next_day (HeartDayLog *self,
          gint64       start_us)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (start_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) zoned = NULL;
  g_autoptr(GDateTime) next = NULL;

  if (start == NULL)
    return start_us + G_USEC_PER_SEC * (gint64) HEART_ACTIVITY_DAY_S;
  zoned = g_date_time_to_timezone (start, self->zone);
  next = g_date_time_add_days (zoned, 1);
  return next != NULL ? g_date_time_to_unix (next) * G_USEC_PER_SEC
                      : start_us + G_USEC_PER_SEC * (gint64) HEART_ACTIVITY_DAY_S;
}

static void
start_day (HeartDayLog *self,
           gint64       timestamp_us)
{
  HeartDayTotals *totals = &self->totals;

  totals->day_start_us = latest_hour_at_or_before (self, timestamp_us, 0);
  self->next_midnight_us = next_day (self, totals->day_start_us);
  totals->steps = 0;
  totals->active_energy_kcal = 0;
  totals->energy_kcal = 0;
  totals->active_minutes = 0;
  totals->bpm_low = 0;
  totals->bpm_high = 0;
  totals->bpm_mean = 0;
  self->bpm_sum = 0;
  self->bpm_count = 0;
}

static void
start_night (HeartDayLog *self,
             gint64       timestamp_us)
{
  HeartDayTotals *totals = &self->totals;

  self->night_start_us = latest_hour_at_or_before (self, timestamp_us, NIGHT_START_HOUR);
  self->next_night_us = next_day (self, self->night_start_us);
  totals->in_bed_minutes = 0;
  totals->asleep_minutes = 0;
  for (guint i = 0; i < HEART_N_DAY_SLEEP; i++)
    totals->sleep_minutes[i] = 0;
}

/* A timestamp before the day or the night began is a clock set back or
 * another source: that day starts again */
static void
follow_calendar (HeartDayLog *self,
                 gint64       timestamp_us)
{
  if (self->totals.day_start_us == 0 || timestamp_us >= self->next_midnight_us
      || timestamp_us < self->totals.day_start_us)
    start_day (self, timestamp_us);
  if (self->night_start_us == 0 || timestamp_us >= self->next_night_us
      || timestamp_us < self->night_start_us)
    start_night (self, timestamp_us);
}

/* ---------------------------------------------------------------- buckets */

static HeartDayBucket *
latest_bucket (HeartDayLog *self)
{
  return self->length > 0 ? &self->buckets[(self->head + CAPACITY - 1) % CAPACITY] : NULL;
}

/* A bucket closed: its mean is one of the day's */
static void
close_bucket (HeartDayLog          *self,
              const HeartDayBucket *bucket)
{
  HeartDayTotals *totals = &self->totals;

  if (bucket == NULL || bucket->timestamp_us < totals->day_start_us || bucket->n_samples == 0)
    return;
  totals->bpm_low = totals->bpm_low > 0 ? MIN (totals->bpm_low, bucket->bpm_mean) : bucket->bpm_mean;
  totals->bpm_high = MAX (totals->bpm_high, bucket->bpm_mean);
}

static HeartDayBucket *
open_bucket (HeartDayLog       *self,
             const HeartSample *sample)
{
  HeartDayBucket *bucket = &self->buckets[self->head];

  close_bucket (self, latest_bucket (self));
  *bucket = (HeartDayBucket) {
    .t_s = floor (sample->t_s / HEART_DAY_LOG_BUCKET_S) * HEART_DAY_LOG_BUCKET_S,
    .timestamp_us = sample->timestamp_us,
    .bpm_low = sample->bpm,
    .bpm_high = sample->bpm,
    .condition = "",
  };
  self->head = (self->head + 1) % CAPACITY;
  if (self->length < CAPACITY)
    self->length++;
  return bucket;
}

static void
fill_bucket (HeartDayLog       *self,
             HeartDayBucket    *bucket,
             const HeartSample *sample,
             double             energy_kcal)
{
  bucket->n_samples++;
  bucket->bpm_mean += ((float) sample->bpm - bucket->bpm_mean) / bucket->n_samples;
  bucket->stress_mean += ((float) sample->stress_level - bucket->stress_mean) / bucket->n_samples;
  bucket->bpm_low = MIN (bucket->bpm_low, sample->bpm);
  bucket->bpm_high = MAX (bucket->bpm_high, sample->bpm);
  bucket->steps += self->pending_steps;
  bucket->energy_kcal += energy_kcal;
  bucket->activity = self->activity;
  bucket->sleep = self->sleep;
  bucket->event_active |= sample->event_active;
  bucket->condition = g_intern_string (sample->condition);
}

/* ---------------------------------------------------------------- totals */

static void
add_to_totals (HeartDayLog       *self,
               const HeartSample *sample,
               double             minutes,
               double             energy_kcal_min)
{
  HeartDayTotals *totals = &self->totals;

  totals->steps += self->pending_steps;
  totals->energy_kcal += energy_kcal_min * minutes;
  totals->active_energy_kcal += MAX (energy_kcal_min - HEART_ACTIVITY_RESTING_KCAL_MIN, 0.0) * minutes;
  if (is_active (self->activity))
    totals->active_minutes += minutes;
  self->bpm_sum += sample->bpm;
  self->bpm_count++;
  totals->bpm_mean = self->bpm_sum / self->bpm_count;

  totals->sleep_minutes[self->sleep] += minutes;
  if (self->sleep != HEART_DAY_SLEEP_NONE)
    totals->in_bed_minutes += minutes;
  if (is_asleep (self->sleep))
    totals->asleep_minutes += minutes;
}

/* ---------------------------------------------------------------- input */

void
heart_day_log_add_values (HeartDayLog             *self,
                          const HeartChannelValue *values,
                          guint                    n_values)
{
  g_return_if_fail (HEART_IS_DAY_LOG (self));
  g_return_if_fail (values != NULL || n_values == 0);

  for (guint i = 0; i < n_values; i++)
    {
      const HeartChannelValue *value = &values[i];

      switch (value->channel)
        {
        case HEART_CHANNEL_ACTIVITY:
          heart_day_log_set_labels (self, value->label, heart_day_sleep_to_label (self->sleep));
          break;
        case HEART_CHANNEL_SLEEP_STAGE:
          self->sleep = heart_day_sleep_from_label (value->label);
          break;
        case HEART_CHANNEL_STEPS:
          if (isfinite (value->value) && value->value > 0)
            self->pending_steps += value->value;
          break;
        default:
          break;
        }
    }
}

void
heart_day_log_set_labels (HeartDayLog *self,
                          const char  *activity,
                          const char  *sleep_stage)
{
  HeartActivityType type;

  g_return_if_fail (HEART_IS_DAY_LOG (self));

  self->activity = heart_activity_type_from_string (activity, &type) ? type : HEART_DAY_NO_ACTIVITY;
  self->sleep = heart_day_sleep_from_label (sleep_stage);
}

void
heart_day_log_add_sample (HeartDayLog       *self,
                          const HeartSample *sample)
{
  HeartDayBucket *bucket;
  double energy_kcal_min;
  double step_s;
  gboolean opened = FALSE;

  g_return_if_fail (HEART_IS_DAY_LOG (self));
  g_return_if_fail (sample != NULL);

  if (!isfinite (sample->t_s))
    return;
  /* time went back: another source, or the same one from the start */
  if (self->have_last && sample->t_s < self->last_t)
    heart_day_log_clear (self);

  step_s = self->have_last ? MIN (sample->t_s - self->last_t, MAX_STEP_S) : 0;
  energy_kcal_min = isfinite (sample->channels[HEART_CHANNEL_ENERGY])
                    ? MAX (sample->channels[HEART_CHANNEL_ENERGY], 0.0) : 0.0;

  follow_calendar (self, sample->timestamp_us);
  add_to_totals (self, sample, step_s / 60, energy_kcal_min);

  bucket = latest_bucket (self);
  if (bucket == NULL || floor (sample->t_s / HEART_DAY_LOG_BUCKET_S) * HEART_DAY_LOG_BUCKET_S != bucket->t_s)
    {
      bucket = open_bucket (self, sample);
      opened = TRUE;
    }
  fill_bucket (self, bucket, sample, energy_kcal_min * step_s / 60);

  self->pending_steps = 0;
  self->have_last = TRUE;
  self->last_t = sample->t_s;
  if (opened)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
heart_day_log_clear (HeartDayLog *self)
{
  g_return_if_fail (HEART_IS_DAY_LOG (self));

  self->head = 0;
  self->length = 0;
  self->pending_steps = 0;
  self->have_last = FALSE;
  self->totals = (HeartDayTotals) { 0 };
  self->bpm_sum = 0;
  self->bpm_count = 0;
  self->night_start_us = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_values (GObject                 *source,
           const HeartChannelValue *values,
           guint                    n_values,
           HeartDayLog             *self)
{
  heart_day_log_add_values (self, values, n_values);
}

static void
on_sample (GObject           *source,
           const HeartSample *sample,
           HeartDayLog       *self)
{
  heart_day_log_add_sample (self, sample);
}

/* A simulator sends its labels only when they change: what are they now? */
static void
take_labels_of (HeartDayLog *self,
                GObject     *source)
{
  if (HEART_IS_SOURCE_SWITCH (source))
    source = G_OBJECT (heart_source_switch_get_source (HEART_SOURCE_SWITCH (source)));
  if (HEART_IS_SIMULATOR (source))
    heart_day_log_set_labels (self, heart_simulator_get_activity (HEART_SIMULATOR (source)),
                              heart_simulator_get_sleep_stage (HEART_SIMULATOR (source)));
  else
    heart_day_log_set_labels (self, NULL, NULL);
}

/* Another source's day is not this one's */
static void
on_switched (GObject     *source_switch,
             GParamSpec  *pspec,
             HeartDayLog *self)
{
  heart_day_log_clear (self);
  take_labels_of (self, source_switch);
}

void
heart_day_log_follow (HeartDayLog *self,
                      GObject     *source)
{
  g_return_if_fail (HEART_IS_DAY_LOG (self));
  g_return_if_fail (G_IS_OBJECT (source));

  take_labels_of (self, source);
  g_signal_connect_object (source, "values", G_CALLBACK (on_values), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (source, "sample", G_CALLBACK (on_sample), self, G_CONNECT_DEFAULT);
  if (HEART_IS_SOURCE_SWITCH (source))
    g_signal_connect_object (source, "notify::source", G_CALLBACK (on_switched), self, G_CONNECT_DEFAULT);
}

/* ---------------------------------------------------------------- reading */

guint
heart_day_log_get_length (HeartDayLog *self)
{
  g_return_val_if_fail (HEART_IS_DAY_LOG (self), 0);
  return self->length;
}

const HeartDayBucket *
heart_day_log_peek (HeartDayLog *self,
                    guint        index)
{
  g_return_val_if_fail (HEART_IS_DAY_LOG (self), NULL);

  if (index >= self->length)
    return NULL;
  return &self->buckets[(self->head + CAPACITY - self->length + index) % CAPACITY];
}

guint
heart_day_log_find (HeartDayLog *self,
                    double       t_s)
{
  guint low = 0, high;

  g_return_val_if_fail (HEART_IS_DAY_LOG (self), 0);

  high = self->length;
  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (heart_day_log_peek (self, mid)->t_s + HEART_DAY_LOG_BUCKET_S <= t_s)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

const HeartDayTotals *
heart_day_log_get_totals (HeartDayLog *self)
{
  g_return_val_if_fail (HEART_IS_DAY_LOG (self), NULL);
  return &self->totals;
}

/* ---------------------------------------------------------------- GObject */

static void
heart_day_log_finalize (GObject *object)
{
  HeartDayLog *self = HEART_DAY_LOG (object);

  g_clear_pointer (&self->buckets, g_free);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  G_OBJECT_CLASS (heart_day_log_parent_class)->finalize (object);
}

static void
heart_day_log_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HeartDayLog *self = HEART_DAY_LOG (object);

  switch (prop_id)
    {
    case PROP_LENGTH:
      g_value_set_uint (value, self->length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_day_log_class_init (HeartDayLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heart_day_log_finalize;
  object_class->get_property = heart_day_log_get_property;

  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
heart_day_log_init (HeartDayLog *self)
{
  self->buckets = g_new0 (HeartDayBucket, CAPACITY);
  self->activity = HEART_DAY_NO_ACTIVITY;
  self->sleep = HEART_DAY_SLEEP_NONE;
}

HeartDayLog *
heart_day_log_new (GTimeZone *zone)
{
  HeartDayLog *self = g_object_new (HEART_TYPE_DAY_LOG, NULL);

  self->zone = zone != NULL ? g_time_zone_ref (zone) : g_time_zone_new_local ();
  return self;
}
