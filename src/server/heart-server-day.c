/* heart-server-day.c: GET /api/day, the day's totals and the person's last
 * hours in buckets of 10 s to an hour (docs/api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "heart-fields.h"
#include "heart-server-day.h"
#include "heart-server-json.h"
#include "heart-server-validate.h"

/* Buckets of the log merged into one of the answer's */
typedef struct
{
  double      t_s;            /* the start of its span, a multiple of the resolution */
  gint64      timestamp_us;   /* of its first sample */
  guint       n_samples;
  double      bpm_sum;        /* means weighted by their samples */
  double      stress_sum;
  double      bpm_low;
  double      bpm_high;
  double      steps;
  double      energy_kcal;
  guint8      activity;       /* of the last bucket merged */
  guint8      sleep;
  gboolean    event_active;   /* in any of them */
  const char *condition;
} Merged;

static void
merge_first (Merged               *merged,
             const HeartDayBucket *bucket,
             double                t_s)
{
  *merged = (Merged) {
    .t_s = t_s,
    .timestamp_us = bucket->timestamp_us,
    .bpm_low = bucket->bpm_low,
    .bpm_high = bucket->bpm_high,
  };
}

static void
merge (Merged               *merged,
       const HeartDayBucket *bucket)
{
  merged->n_samples += bucket->n_samples;
  merged->bpm_sum += (double) bucket->bpm_mean * bucket->n_samples;
  merged->stress_sum += (double) bucket->stress_mean * bucket->n_samples;
  merged->bpm_low = MIN (merged->bpm_low, bucket->bpm_low);
  merged->bpm_high = MAX (merged->bpm_high, bucket->bpm_high);
  merged->steps += bucket->steps;
  merged->energy_kcal += bucket->energy_kcal;
  merged->activity = bucket->activity;
  merged->sleep = bucket->sleep;
  merged->event_active |= bucket->event_active;
  merged->condition = bucket->condition;
}

static void
append_merged (GString      *json,
               const Merged *merged)
{
  const char *activity = heart_activity_type_to_string (merged->activity);
  double n = MAX (merged->n_samples, 1);

  g_string_append (json, "{\"t\":");
  heart_json_append_double (json, merged->t_s, 0);
  g_string_append (json, ",\"timestamp\":\"");
  heart_append_iso8601_ms (json, merged->timestamp_us);
  g_string_append (json, "\",\"heart_rate\":");
  heart_json_append_double (json, merged->bpm_sum / n, 1);
  g_string_append (json, ",\"heart_rate_low\":");
  heart_json_append_double (json, merged->bpm_low, 0);
  g_string_append (json, ",\"heart_rate_high\":");
  heart_json_append_double (json, merged->bpm_high, 0);
  /* NaN for a source without stress (a heart-rate file): null */
  g_string_append (json, ",\"stress\":");
  heart_json_append_double (json, merged->stress_sum / n, 3);
  g_string_append (json, ",\"steps\":");
  heart_json_append_double (json, round (merged->steps), 0);
  g_string_append (json, ",\"energy_kcal\":");
  heart_json_append_double (json, merged->energy_kcal, 2);
  g_string_append (json, ",\"activity\":");
  if (activity != NULL)
    heart_json_append_string (json, activity);
  else
    g_string_append (json, "null");
  g_string_append (json, ",\"sleep_stage\":");
  heart_json_append_string (json, heart_day_sleep_to_label (merged->sleep));
  g_string_append (json, ",\"condition\":");
  heart_json_append_string (json, merged->condition);
  g_string_append_printf (json, ",\"event\":%s}", merged->event_active ? "true" : "false");
}

/* The buckets that end within @seconds of the newest one's end, merged by
 * @resolution on a grid of simulation time, so that the same moment falls
 * in the same bucket from one request to the next. The buckets are chosen
 * before they are merged: every resolution sums the same ones. */
static void
append_buckets (GString     *json,
                HeartDayLog *log,
                guint        seconds,
                guint        resolution)
{
  guint length = heart_day_log_get_length (log);
  const HeartDayBucket *newest = length > 0 ? heart_day_log_peek (log, length - 1) : NULL;
  Merged merged = { 0 };
  gboolean open = FALSE;
  gboolean first = TRUE;

  g_string_append (json, ",\"buckets\":[");
  if (newest == NULL)
    {
      g_string_append_c (json, ']');
      return;
    }

  for (guint i = heart_day_log_find (log, newest->t_s + HEART_DAY_LOG_BUCKET_S - seconds); i < length; i++)
    {
      const HeartDayBucket *bucket = heart_day_log_peek (log, i);
      double t_s = floor (bucket->t_s / resolution) * resolution;

      if (open && t_s != merged.t_s)
        {
          if (!first)
            g_string_append_c (json, ',');
          append_merged (json, &merged);
          first = FALSE;
          open = FALSE;
        }
      if (!open)
        {
          merge_first (&merged, bucket, t_s);
          open = TRUE;
        }
      merge (&merged, bucket);
    }
  if (open)
    {
      if (!first)
        g_string_append_c (json, ',');
      append_merged (json, &merged);
    }
  g_string_append_c (json, ']');
}

/* A heart rate of the totals: 0 is none heard yet */
static void
append_bpm (GString    *json,
            const char *name,
            double      bpm)
{
  g_string_append_printf (json, "\"%s\":", name);
  if (bpm > 0)
    heart_json_append_double (json, bpm, 0);
  else
    g_string_append (json, "null");
}

static void
append_totals (GString              *json,
               const HeartDayTotals *totals)
{
  g_string_append (json, ",\"totals\":{\"steps\":");
  heart_json_append_double (json, round (totals->steps), 0);
  g_string_append (json, ",\"active_energy_kcal\":");
  heart_json_append_double (json, totals->active_energy_kcal, 1);
  g_string_append (json, ",\"energy_kcal\":");
  heart_json_append_double (json, totals->energy_kcal, 1);
  g_string_append (json, ",\"active_minutes\":");
  heart_json_append_double (json, totals->active_minutes, 1);
  g_string_append (json, ",\"heart_rate\":{");
  append_bpm (json, "low", totals->bpm_low);
  g_string_append_c (json, ',');
  append_bpm (json, "high", totals->bpm_high);
  g_string_append_c (json, ',');
  append_bpm (json, "mean", totals->bpm_mean);
  g_string_append (json, "},\"sleep\":{\"in_bed_minutes\":");
  heart_json_append_double (json, totals->in_bed_minutes, 1);
  g_string_append (json, ",\"asleep_minutes\":");
  heart_json_append_double (json, totals->asleep_minutes, 1);
  g_string_append (json, ",\"awake_minutes\":");
  heart_json_append_double (json, totals->sleep_minutes[HEART_DAY_SLEEP_AWAKE], 1);
  g_string_append (json, ",\"core_minutes\":");
  heart_json_append_double (json, totals->sleep_minutes[HEART_DAY_SLEEP_CORE], 1);
  g_string_append (json, ",\"deep_minutes\":");
  heart_json_append_double (json, totals->sleep_minutes[HEART_DAY_SLEEP_DEEP], 1);
  g_string_append (json, ",\"rem_minutes\":");
  heart_json_append_double (json, totals->sleep_minutes[HEART_DAY_SLEEP_REM], 1);
  g_string_append (json, "}}");
}

/* The day as the person lives it: its local date, and its midnight with
 * the offset of the time zone then. The log begins days in the local zone
 * (heart_day_log_new (NULL)). */
static void
append_day (GString              *json,
            const HeartDayTotals *totals)
{
  g_autoptr(GDateTime) start = NULL;
  g_autofree char *date = NULL;
  g_autofree char *iso = NULL;

  if (totals->day_start_us != 0)
    start = g_date_time_new_from_unix_local (totals->day_start_us / G_USEC_PER_SEC);
  if (start != NULL)
    {
      date = g_date_time_format (start, "%Y-%m-%d");
      iso = g_date_time_format (start, "%Y-%m-%dT%H:%M:%S%:z");
    }
  g_string_append (json, "\"date\":");
  if (date != NULL)
    heart_json_append_string (json, date);
  else
    g_string_append (json, "null");
  g_string_append (json, ",\"day_start\":");
  if (iso != NULL)
    heart_json_append_string (json, iso);
  else
    g_string_append (json, "null");
}

void
heart_server_day_respond (SoupServerMessage *msg,
                          GHashTable        *query,
                          HeartDayLog       *log)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  gint64 seconds = HEART_DAY_DEFAULT_SECONDS;
  gint64 resolution = HEART_DAY_DEFAULT_RESOLUTION;
  GString *json;

  heart_validation_int (validation, "seconds", FALSE, HEART_DAY_MIN_SECONDS, HEART_DAY_MAX_SECONDS, &seconds);
  if (heart_validation_int (validation, "resolution", FALSE, HEART_DAY_MIN_RESOLUTION,
                            HEART_DAY_MAX_RESOLUTION, &resolution))
    heart_validation_multiple_of (validation, "resolution", resolution, (gint64) HEART_DAY_LOG_BUCKET_S);
  if (!heart_validation_ok (validation))
    {
      g_autofree char *errors = heart_validation_to_json (validation);

      heart_respond_json (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, g_string_new (errors));
      return;
    }

  /* 360 buckets of about 230 bytes for the dashboard's hour, 1,440 for
   * its day */
  json = g_string_sized_new (512 + 240 * MIN ((guint) (seconds / resolution) + 1, heart_day_log_get_length (log)));
  g_string_append_c (json, '{');
  append_day (json, heart_day_log_get_totals (log));
  append_totals (json, heart_day_log_get_totals (log));
  g_string_append_printf (json, ",\"resolution\":%u", (guint) resolution);
  append_buckets (json, log, (guint) seconds, (guint) resolution);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}
