/* heart-healthkit.c: a simulated person as an Apple Health export.xml
 *
 * As a watch and a phone would have recorded the person: a heart rate a
 * minute, respiratory rate and SpO2 every 10 minutes, an SDNN reading every
 * two hours over the last minute's beats, steps and active energy summed a
 * minute at a time, and a sleep-analysis record for each stretch of a
 * sleep stage. Records of a type come in time order; types are
 * interleaved as time goes, which the export format allows. Dates are
 * written as the Health app writes them ("2026-01-01 07:00:00 +0000"),
 * in UTC. docs/datasets.md, "Apple Health export".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-healthkit.h"

#include <math.h>
#include <string.h>

#include "heart-activity.h"
#include "heart-hrv.h"

#define SOURCE_NAME         "Heartsim"
#define MINUTE_US           (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
#define SLOW_EVERY_US       (10 * MINUTE_US)      /* respiratory rate and SpO2 */
#define SDNN_EVERY_US       (2 * 60 * MINUTE_US)
#define SDNN_WINDOW_US      MINUTE_US
#define SDNN_BEATS_MAX      256
#define SDNN_BEATS_MIN      10        /* fewer make no reading */

struct _HeartHealthKit
{
  GString *out;
  HeartHealthFormat format;
  gint64   next_heart_rate_us;
  gint64   next_breathing_us;
  gint64   next_spo2_us;
  gint64   next_sdnn_us;
  /* the minute being summed */
  gint64   minute_start_us;
  double   steps;
  double   active_kcal;
  /* the last minute's beats, for SDNN */
  double   rr_ms[SDNN_BEATS_MAX];
  gint64   rr_at_us[SDNN_BEATS_MAX];
  guint    n_rr;
  /* the sleep stage under way */
  char     stage[HEART_LABEL_MAX];
  gint64   stage_start_us;
  /* the night under way, for Open mHealth's sleep-episode */
  gint64   night_start_us;          /* into bed; 0 out of bed */
  gint64   onset_us;                /* first asleep; 0 before */
  gint64   asleep_us;
  gint64   awake_after_onset_us;
  guint    awakenings;
};

/* "2026-01-01 07:00:00 +0000" as the Health app writes dates, or ISO 8601
 * with @iso, as Open mHealth does */
static void
append_time (GString  *out,
             gint64    time_us,
             gboolean  iso)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (MAX (time_us, 0) / G_USEC_PER_SEC);
  g_autofree char *text = NULL;

  /* generate refuses runs that end past year 9999, where GDateTime ends */
  g_return_if_fail (date != NULL);
  text = g_date_time_format (date, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S +0000");
  g_string_append (out, text);
}

static void
append_date (GString *out,
             gint64   time_us)
{
  append_time (out, time_us, FALSE);
}

static void
append_record (HeartHealthKit *self,
               const char     *type,
               const char     *unit,
               gint64          start_us,
               gint64          end_us,
               const char     *value)
{
  g_string_append_printf (self->out, " <Record type=\"%s\" sourceName=\"" SOURCE_NAME "\" sourceVersion=\""
                          PACKAGE_VERSION "\"", type);
  if (unit != NULL)
    g_string_append_printf (self->out, " unit=\"%s\"", unit);
  g_string_append (self->out, " creationDate=\"");
  append_date (self->out, end_us);
  g_string_append (self->out, "\" startDate=\"");
  append_date (self->out, start_us);
  g_string_append (self->out, "\" endDate=\"");
  append_date (self->out, end_us);
  g_string_append_printf (self->out, "\" value=\"%s\"/>\n", value);
}

/* What each HealthKit quantity is in Open mHealth: its schema (IEEE
 * 1752.1 / omh), the body's member and unit; NULL schema: none there */
typedef struct
{
  const char *healthkit;
  const char *schema;
  const char *version;
  const char *member;
  const char *unit;
  double      scale;        /* omh value = HealthKit value × scale */
} Mapping;

static const Mapping mappings[] = {
  { "HKQuantityTypeIdentifierHeartRate", "heart-rate", "2.0", "heart_rate", "beats/min", 1 },
  { "HKQuantityTypeIdentifierRespiratoryRate", "respiratory-rate", "2.0", "respiratory_rate", "breaths/min", 1 },
  { "HKQuantityTypeIdentifierOxygenSaturation", "oxygen-saturation", "2.0", "oxygen_saturation", "%", 100 },
  { "HKQuantityTypeIdentifierStepCount", "step-count", "3.0", "step_count", "steps", 1 },
  { "HKQuantityTypeIdentifierActiveEnergyBurned", "calories-burned", "2.0", "kcal_burned", "kcal", 1 },
  { "HKQuantityTypeIdentifierHeartRateVariabilitySDNN", NULL, NULL, NULL, NULL, 1 },
};

static void
append_iso (GString *out,
            gint64   time_us)
{
  append_time (out, time_us, TRUE);
}

/* A line's start, up to the body's first member: {"header":{…},"body":{
 * — its uuid made from what it is, so the same seed writes the same file */
static void
append_omh_header (HeartHealthKit *self,
                   const char     *schema,
                   const char     *version,
                   gint64          start_us,
                   gint64          end_us)
{
  g_autofree char *name = g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, schema, start_us, end_us);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA1, name, -1);

  g_string_append_printf (self->out, "{\"header\":{\"uuid\":\"%.8s-%.4s-4%.3s-8%.3s-%.12s\","
                          "\"schema_id\":{\"namespace\":\"omh\",\"name\":\"%s\",\"version\":\"%s\"},"
                          "\"source_creation_date_time\":\"",
                          hash, hash + 8, hash + 12, hash + 15, hash + 18, schema, version);
  append_iso (self->out, end_us);
  g_string_append (self->out, "\",\"modality\":\"sensed\",\"acquisition_provenance\":{\"source_name\":\""
                              SOURCE_NAME "\"}},\"body\":{");
}

/* The body's last member and the line's end: an instant, or an interval */
static void
append_omh_time_frame (HeartHealthKit *self,
                       gint64          start_us,
                       gint64          end_us)
{
  g_string_append (self->out, "\"effective_time_frame\":{");
  if (start_us == end_us)
    {
      g_string_append (self->out, "\"date_time\":\"");
      append_iso (self->out, start_us);
      g_string_append (self->out, "\"}}}\n");
      return;
    }
  g_string_append (self->out, "\"time_interval\":{\"start_date_time\":\"");
  append_iso (self->out, start_us);
  g_string_append (self->out, "\",\"end_date_time\":\"");
  append_iso (self->out, end_us);
  g_string_append (self->out, "\"}}}}\n");
}

/* One measure: {"header":{…},"body":{"heart_rate":{…},"effective_time_frame":{…}}} */
static void
append_omh (HeartHealthKit *self,
            const Mapping  *mapping,
            gint64          start_us,
            gint64          end_us,
            const char     *value)
{
  append_omh_header (self, mapping->schema, mapping->version, start_us, end_us);
  g_string_append_printf (self->out, "\"%s\":{\"value\":%s,\"unit\":\"%s\"},", mapping->member, value, mapping->unit);
  append_omh_time_frame (self, start_us, end_us);
}

static void
append_minutes (GString    *out,
                const char *member,
                gint64      duration_us)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (text, sizeof text, "%.1f", duration_us / 60e6);
  g_string_append_printf (out, "\"%s\":{\"value\":%s,\"unit\":\"min\"},", member, text);
}

/* A night from into bed to out of it, as omh:sleep-episode 1.1 sums it up */
static void
append_sleep_episode (HeartHealthKit *self,
                      gint64          end_us)
{
  char efficiency[G_ASCII_DTOSTR_BUF_SIZE];

  append_omh_header (self, "sleep-episode", "1.1", self->night_start_us, end_us);
  append_minutes (self->out, "latency_to_sleep_onset", self->onset_us - self->night_start_us);
  append_minutes (self->out, "total_sleep_time", self->asleep_us);
  append_minutes (self->out, "wake_after_sleep_onset", self->awake_after_onset_us);
  /* of the time from sleep onset to the end of the night */
  g_ascii_formatd (efficiency, sizeof efficiency, "%.1f", 100.0 * self->asleep_us / MAX (end_us - self->onset_us, 1));
  g_string_append_printf (self->out, "\"number_of_awakenings\":%u,"
                          "\"sleep_maintenance_efficiency_percentage\":{\"value\":%s,\"unit\":\"%%\"},"
                          "\"is_main_sleep\":true,", self->awakenings, efficiency);
  append_omh_time_frame (self, self->night_start_us, end_us);
}

static void
append_quantity (HeartHealthKit *self,
                 const char     *type,
                 const char     *unit,
                 gint64          start_us,
                 gint64          end_us,
                 double          value,
                 int             decimals)
{
  const char *format = decimals == 0 ? "%.0f" : decimals == 2 ? "%.2f" : "%.3f";
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  if (self->format == HEART_HEALTH_HEALTHKIT)
    {
      g_ascii_formatd (text, sizeof text, format, value);
      append_record (self, type, unit, start_us, end_us, text);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (mappings); i++)
    if (g_str_equal (mappings[i].healthkit, type) && mappings[i].schema != NULL)
      {
        /* a percentage is whole in omh, a fraction in HealthKit */
        g_ascii_formatd (text, sizeof text, mappings[i].scale != 1 ? "%.0f" : format, value * mappings[i].scale);
        append_omh (self, &mappings[i], start_us, end_us, text);
      }
}

HeartHealthKit *
heart_healthkit_new (GString           *out,
                     HeartHealthFormat  format,
                     gint64             export_time_us)
{
  HeartHealthKit *self = g_new0 (HeartHealthKit, 1);

  self->out = out;
  self->format = format;
  self->minute_start_us = G_MININT64;
  if (format == HEART_HEALTH_OPENMHEALTH)
    return self;
  g_string_append (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HealthData locale=\"en_US\">\n"
                        " <ExportDate value=\"");
  append_date (out, export_time_us);
  g_string_append (out, "\"/>\n <Me HKCharacteristicTypeIdentifierBiologicalSex=\"HKBiologicalSexNotSet\""
                        " HKCharacteristicTypeIdentifierBloodType=\"HKBloodTypeNotSet\"/>\n");
  return self;
}

/* The steps and active energy of the minute just ended */
static void
close_minute (HeartHealthKit *self)
{
  gint64 end = self->minute_start_us + MINUTE_US;

  if (self->minute_start_us == G_MININT64)
    return;
  if (self->steps >= 1)
    append_quantity (self, "HKQuantityTypeIdentifierStepCount", "count",
                     self->minute_start_us, end, self->steps, 0);
  /* energy is a rate sampled once a second: a minute's kcal is its mean */
  if (self->active_kcal / 60 >= 0.01)
    append_quantity (self, "HKQuantityTypeIdentifierActiveEnergyBurned", "kcal",
                     self->minute_start_us, end, self->active_kcal / 60, 3);
  self->steps = 0;
  self->active_kcal = 0;
}

static void
enter_minute (HeartHealthKit *self,
              gint64          time_us)
{
  gint64 minute = time_us - time_us % MINUTE_US;

  if (minute == self->minute_start_us)
    return;
  close_minute (self);
  self->minute_start_us = minute;
}

static const char *
sleep_value (const char *stage)
{
  static const struct { const char *stage, *value; } values[] = {
    { "in_bed", "HKCategoryValueSleepAnalysisInBed" },
    { "awake", "HKCategoryValueSleepAnalysisAwake" },
    { "core", "HKCategoryValueSleepAnalysisAsleepCore" },
    { "deep", "HKCategoryValueSleepAnalysisAsleepDeep" },
    { "rem", "HKCategoryValueSleepAnalysisAsleepREM" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (g_str_equal (stage, values[i].stage))
      return values[i].value;
  return NULL;
}

static gboolean
is_asleep (const char *stage)
{
  return g_str_equal (stage, "core") || g_str_equal (stage, "deep") || g_str_equal (stage, "rem");
}

/* The stage under way ends: a HealthKit record of it, or its time added to
 * the night's (Open mHealth has no record of a stage: its sleep-episode is
 * a night's summary) */
static void
close_stage (HeartHealthKit *self,
             gint64          end_us)
{
  const char *value = sleep_value (self->stage);

  if (value != NULL && end_us > self->stage_start_us && self->format == HEART_HEALTH_HEALTHKIT)
    append_record (self, "HKCategoryTypeIdentifierSleepAnalysis", NULL, self->stage_start_us, end_us, value);
  if (is_asleep (self->stage))
    self->asleep_us += end_us - self->stage_start_us;
  else if (g_str_equal (self->stage, "awake") && self->onset_us != 0)
    self->awake_after_onset_us += end_us - self->stage_start_us;
  self->stage[0] = '\0';
}

/* Out of bed: the night's summary, if the person slept */
static void
close_night (HeartHealthKit *self,
             gint64          end_us)
{
  if (self->night_start_us != 0 && self->onset_us != 0 && self->format == HEART_HEALTH_OPENMHEALTH)
    append_sleep_episode (self, end_us);
  self->night_start_us = 0;
  self->onset_us = 0;
  self->asleep_us = 0;
  self->awake_after_onset_us = 0;
  self->awakenings = 0;
}

static void
open_stage (HeartHealthKit *self,
            const char     *stage,
            gint64          start_us)
{
  gboolean was_asleep = is_asleep (self->stage);

  close_stage (self, start_us);
  if (stage[0] == '\0')
    {
      close_night (self, start_us);
      return;
    }
  if (self->night_start_us == 0)
    self->night_start_us = start_us;
  if (is_asleep (stage) && self->onset_us == 0)
    self->onset_us = start_us;
  if (g_str_equal (stage, "awake") && was_asleep)
    self->awakenings++;
  g_strlcpy (self->stage, stage, sizeof self->stage);
  self->stage_start_us = start_us;
}

/* The first of the kept beats at or after @since_us */
static guint
first_in_window (const HeartHealthKit *self,
                 gint64                since_us)
{
  guint first = 0;

  while (first < self->n_rr && self->rr_at_us[first] < since_us)
    first++;
  return first;
}

static void
add_beat (HeartHealthKit *self,
          gint64          time_us,
          double          rr_ms)
{
  /* the last minute's beats, oldest dropped */
  if (self->n_rr == SDNN_BEATS_MAX)
    {
      memmove (self->rr_ms, self->rr_ms + 1, (SDNN_BEATS_MAX - 1) * sizeof (double));
      memmove (self->rr_at_us, self->rr_at_us + 1, (SDNN_BEATS_MAX - 1) * sizeof (gint64));
      self->n_rr--;
    }
  self->rr_ms[self->n_rr] = rr_ms;
  self->rr_at_us[self->n_rr] = time_us;
  self->n_rr++;
  if (self->next_sdnn_us == 0)
    self->next_sdnn_us = time_us + SDNN_EVERY_US;
  if (time_us >= self->next_sdnn_us)
    {
      guint first = first_in_window (self, time_us - SDNN_WINDOW_US);
      guint n = self->n_rr - first;

      if (n >= SDNN_BEATS_MIN)
        append_quantity (self, "HKQuantityTypeIdentifierHeartRateVariabilitySDNN", "ms",
                         self->rr_at_us[first], time_us, heart_hrv_sdnn (self->rr_ms + first, n), 3);
      self->next_sdnn_us += SDNN_EVERY_US;
    }
}

/* A reading every @every_us, on a grid from the first value */
static gboolean
due (gint64 *next_us,
     gint64  time_us,
     gint64  every_us)
{
  if (*next_us == 0)
    *next_us = time_us - time_us % every_us;
  if (time_us < *next_us)
    return FALSE;
  *next_us += every_us;
  return TRUE;
}

void
heart_healthkit_add (HeartHealthKit          *self,
                     const HeartChannelValue *value)
{
  gint64 at = value->timestamp_us;

  enter_minute (self, at);
  switch (value->channel)
    {
    case HEART_CHANNEL_HEART_RATE:
      if (due (&self->next_heart_rate_us, at, MINUTE_US))
        append_quantity (self, "HKQuantityTypeIdentifierHeartRate", "count/min", at, at, value->value, 0);
      break;
    case HEART_CHANNEL_RESPIRATORY_RATE:
      if (due (&self->next_breathing_us, at, SLOW_EVERY_US))
        append_quantity (self, "HKQuantityTypeIdentifierRespiratoryRate", "count/min", at, at, value->value, 0);
      break;
    case HEART_CHANNEL_SPO2:
      /* as HealthKit stores a percentage: a fraction of 1, unit "%" */
      if (due (&self->next_spo2_us, at, SLOW_EVERY_US))
        append_quantity (self, "HKQuantityTypeIdentifierOxygenSaturation", "%", at, at, value->value / 100, 2);
      break;
    case HEART_CHANNEL_RR_INTERVAL:
      add_beat (self, at, value->value);
      break;
    case HEART_CHANNEL_STEPS:
      self->steps += value->value;
      break;
    case HEART_CHANNEL_ENERGY:
      self->active_kcal += MAX (value->value - HEART_ACTIVITY_RESTING_KCAL_MIN, 0.0);
      break;
    case HEART_CHANNEL_SLEEP_STAGE:
      /* N1 and N2 are both "core": one record for the stretch */
      if (!g_str_equal (value->label, self->stage))
        open_stage (self, value->label, at);
      break;
    default:
      break;
    }
}

void
heart_healthkit_finish (HeartHealthKit *self,
                        gint64          end_us)
{
  close_minute (self);
  self->minute_start_us = G_MININT64;
  close_stage (self, end_us);
  close_night (self, end_us);
  if (self->format == HEART_HEALTH_HEALTHKIT)
    g_string_append (self->out, "</HealthData>\n");
}

void
heart_healthkit_free (HeartHealthKit *self)
{
  g_free (self);
}
