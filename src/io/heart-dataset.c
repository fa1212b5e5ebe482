/* heart-dataset.c: a manual-clock simulator, stepped as fast as it goes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-dataset.h"

#include <math.h>

#include "heart-breathing.h"
#include "heart-healthkit.h"
#include "heart-sample-fields.h"
#include "heart-simulator.h"

#define FLUSH_BYTES (256 * 1024)
#define PROGRESS_STEPS 200
/* the model's heart rate never falls below 30 bpm (docs/model.md) */
#define SLOWEST_BEAT_S 2.0

/* 2026-01-01T00:00:00Z: datasets start at a fixed time unless told */
#define DEFAULT_START_TIME_US G_GINT64_CONSTANT (1767225600000000)

typedef struct
{
  const HeartDatasetOptions *options;
  GOutputStream             *out;
  GString                   *buffer;
  gboolean                   header_written;
  GError                    *error;
  char                       condition[HEART_LABEL_MAX];
  HeartHealthKit            *healthkit;   /* --format healthkit */
} Writer;

void
heart_dataset_options_init (HeartDatasetOptions *options)
{
  *options = (HeartDatasetOptions) {
    .kind = HEART_DATASET_SAMPLES,
    .format = HEART_DATASET_CSV,
    .seed = 1,
    .duration_s = 600,
    .baseline_bpm = HEART_BASELINE_DEFAULT,
    .stress_level = 0,
    .events_per_hour = HEART_EVENTS_PER_HOUR_DEFAULT,
    .interval_ms = HEART_INTERVAL_DEFAULT_MS,
    .start_time_us = DEFAULT_START_TIME_US,
    .channels = HEART_CHANNEL_MASK_ALL,
    .rest_breathing_rate = HEART_BREATHING_REST_RATE_DEFAULT,
    .waveforms = HEART_CHANNEL_MASK_WAVEFORMS,
    .waveform_settings = HEART_WAVEFORM_SETTINGS_DEFAULT,
  };
}

static void
writer_flush (Writer *writer)
{
  if (writer->error == NULL && writer->buffer->len > 0)
    g_output_stream_write_all (writer->out, writer->buffer->str, writer->buffer->len,
                               NULL, NULL, &writer->error);
  g_string_truncate (writer->buffer, 0);
}

void
heart_dataset_append_row (GString            *out,
                          HeartDatasetFormat  format,
                          const HeartField   *fields,
                          guint               n_fields,
                          gboolean            header)
{
  HeartFieldsFormat fields_format = format == HEART_DATASET_CSV ? HEART_FIELDS_CSV : HEART_FIELDS_JSON;

  if (fields_format == HEART_FIELDS_CSV && header)
    heart_fields_append_header (out, fields, n_fields);
  heart_fields_append (out, fields_format, fields, n_fields);
  if (fields_format == HEART_FIELDS_JSON)
    g_string_append_c (out, '\n');
}

void
heart_dataset_append_sample (GString            *out,
                             HeartDatasetFormat  format,
                             const HeartSample  *sample,
                             gboolean            header)
{
  HeartField fields[HEART_FIELDS_MAX];

  heart_dataset_append_row (out, format, fields,
                            heart_sample_fields (sample, HEART_SAMPLE_JSON_LABELED, fields), header);
}

/* After each row: the header is written once, the buffer flushed now and then */
static void
writer_added (Writer *writer)
{
  writer->header_written = TRUE;
  if (writer->buffer->len >= FLUSH_BYTES)
    writer_flush (writer);
}

static void
writer_add (Writer           *writer,
            const HeartField *fields,
            guint             n_fields)
{
  heart_dataset_append_row (writer->buffer, writer->options->format, fields, n_fields,
                            !writer->header_written);
  writer_added (writer);
}

static void
on_sample (HeartSimulator    *simulator,
           const HeartSample *sample,
           Writer            *writer)
{
  heart_dataset_append_sample (writer->buffer, writer->options->format, sample, !writer->header_written);
  writer_added (writer);
}

guint
heart_dataset_beat_fields (const HeartBeat *beat,
                           HeartField      *fields)
{
  guint n = heart_beat_fields (beat, fields);

  /* older code leaves the type 0, which is a normal beat */
  fields[n++] = (HeartField) { "beat_type", HEART_FIELD_STRING,
                               .string = heart_beat_type_code (beat->type != 0 ? beat->type : HEART_BEAT_NORMAL) };
  return n;
}

static void
on_beat (HeartSimulator  *simulator,
         const HeartBeat *beat,
         Writer          *writer)
{
  HeartField fields[HEART_FIELDS_MAX];

  writer_add (writer, fields, heart_dataset_beat_fields (beat, fields));
}

/* The condition of a value is the phase the stream last announced */
static void
on_values (HeartSimulator          *simulator,
           const HeartChannelValue *values,
           guint                    n_values,
           Writer                  *writer)
{
  HeartField fields[HEART_FIELDS_MAX];
  gboolean csv = writer->options->format == HEART_DATASET_CSV;

  for (guint i = 0; i < n_values; i++)
    {
      if (values[i].channel == HEART_CHANNEL_CONDITION)
        g_strlcpy (writer->condition, values[i].label, sizeof writer->condition);
      if (writer->options->channels & HEART_CHANNEL_BIT (values[i].channel))
        writer_add (writer, fields, heart_channel_value_fields (&values[i], writer->condition, csv, fields));
    }
}

static void
on_healthkit_values (HeartSimulator          *simulator,
                     const HeartChannelValue *values,
                     guint                    n_values,
                     Writer                  *writer)
{
  for (guint i = 0; i < n_values; i++)
    heart_healthkit_add (writer->healthkit, &values[i]);
  if (writer->buffer->len >= FLUSH_BYTES)
    writer_flush (writer);
}

HeartSimulator *
heart_dataset_new_simulator (const HeartDatasetOptions *options,
                             HeartChannelMask           channels)
{
  HeartSimulator *simulator;
  g_autoptr(GError) error = NULL;

  simulator = g_object_new (HEART_TYPE_SIMULATOR,
                       "seed", options->seed,
                       "manual-clock", TRUE,
                       "start-time", options->start_time_us,
                       "baseline-bpm", options->baseline_bpm,
                       "stress-level", options->stress_level,
                       "random-events-per-hour", options->events_per_hour,
                       "interval-ms", options->interval_ms,
                       "low-skin-responder", options->low_skin_responder,
                       "rest-breathing-rate", options->rest_breathing_rate,
                       "profile", options->profile != NULL ? options->profile : "average",
                       "running", TRUE,
                       NULL);
  /* before the scenario starts, so that its first phase is a value */
  heart_simulator_set_channels (simulator, channels);
  /* checked by the caller (heart-generate.c), as the other options are */
  if (!heart_simulator_set_waveform_settings (simulator, &options->waveform_settings, &error))
    g_critical ("waveform settings: %s", error->message);
  if (options->scenario != NULL && options->scenario_start_s <= 0)
    heart_simulator_run_scenario (simulator, options->scenario, options->repeat);
  return simulator;
}

/* Scripted events fire at the first tick that starts at or after their time */
static guint
fire_due_events (HeartSimulator            *simulator,
                 const HeartDatasetOptions *options,
                 guint                      next_event)
{
  double now = heart_simulator_get_time (simulator);

  while (options->events != NULL && next_event < options->events->len)
    {
      const HeartDatasetEvent *event = &g_array_index (options->events, HeartDatasetEvent, next_event);

      if (event->at_s > now + 1e-9)
        break;
      heart_simulator_trigger_stress (simulator, event->level, NULL);
      next_event++;
    }
  return next_event;
}

static guint64
count_ticks (const HeartDatasetOptions *options)
{
  return (guint64) floor (options->duration_s / (options->interval_ms / 1000.0) + 1e-9);
}

/* A beat at least every SLOWEST_BEAT_S; one less for the edges */
static guint64
fewest_beats (const HeartDatasetOptions *options)
{
  double beats = floor (options->duration_s / SLOWEST_BEAT_S) - 1;

  return beats > 0 ? (guint64) beats : 0;
}

/* The fields of a row with every number 0: no row is shorter, as every
 * number written is 0 or more, timestamps have a fixed width and the
 * strings are the same in every row. */
static guint
shortest_fields (const HeartDatasetOptions *options,
                 HeartField                *fields)
{
  /* static: the string fields point into them after we return */
  static HeartSample sample;
  static HeartBeat beat;
  static HeartChannelValue value;
  guint n;

  sample = (HeartSample) { .timestamp_us = options->start_time_us, .running = TRUE };
  beat = (HeartBeat) { .timestamp_us = options->start_time_us, .rr_ms = 1000 };
  value = (HeartChannelValue) { .channel = HEART_CHANNEL_HEART_RATE, .timestamp_us = options->start_time_us };

  if (options->kind == HEART_DATASET_SAMPLES)
    n = heart_sample_fields (&sample, HEART_SAMPLE_JSON_LABELED, fields);
  else if (options->kind == HEART_DATASET_BEATS)
    n = heart_dataset_beat_fields (&beat, fields);
  else
    n = heart_channel_value_fields (&value, "", options->format == HEART_DATASET_CSV, fields);

  for (guint i = 0; i < n; i++)
    {
      if (fields[i].kind != HEART_FIELD_TIMESTAMP)
        fields[i].integer = 0;
      fields[i].number = 0;
    }
  return n;
}

guint64
heart_dataset_estimate_bytes (const HeartDatasetOptions *options)
{
  HeartField fields[HEART_FIELDS_MAX];
  g_autoptr(GString) header = g_string_new (NULL);
  g_autoptr(GString) row = g_string_new (NULL);
  guint n = shortest_fields (options, fields);
  guint64 rows = options->kind == HEART_DATASET_SAMPLES ? count_ticks (options) : fewest_beats (options);

  /* channel rows: at least the 1 Hz heart rate's, when it is chosen */
  if (options->kind == HEART_DATASET_CHANNELS)
    rows = (options->channels & HEART_CHANNEL_BIT (HEART_CHANNEL_HEART_RATE)) ? (guint64) floor (options->duration_s) : 0;

  if (options->format == HEART_DATASET_CSV)
    {
      heart_fields_append_header (header, fields, n);
      heart_fields_append (row, HEART_FIELDS_CSV, fields, n);
    }
  else
    {
      heart_fields_append (row, HEART_FIELDS_JSON, fields, n);
      g_string_append_c (row, '\n');
    }
  return rows == 0 ? 0 : header->len + rows * row->len;
}

void
heart_dataset_run (const HeartDatasetOptions *options,
                   HeartSimulator            *simulator,
                   gboolean                   whole_duration,
                   GError                   **stop,
                   HeartDatasetProgressFunc   progress,
                   gpointer                   user_data)
{
  double step = options->interval_ms / 1000.0;
  guint64 ticks = count_ticks (options);
  guint64 progress_every = MAX (ticks / PROGRESS_STEPS, 1);
  guint next_event = 0;
  /* heart_dataset_new_simulator() started a scenario that starts at once */
  gboolean scenario_due = options->scenario != NULL && options->scenario_start_s > 0;

  for (guint64 i = 0; i < ticks && *stop == NULL; i++)
    {
      /* as heart_subject_spec_start_scenario() does for a live subject */
      if (scenario_due && heart_simulator_get_time (simulator) >= options->scenario_start_s)
        {
          heart_simulator_run_scenario (simulator, options->scenario, options->repeat);
          scenario_due = FALSE;
        }
      next_event = fire_due_events (simulator, options, next_event);
      heart_simulator_advance (simulator, step);
      if (progress != NULL && i % progress_every == 0)
        progress ((double) i / ticks, user_data);
    }
  if (whole_duration && *stop == NULL && options->duration_s > ticks * step + 1e-9)
    heart_simulator_advance (simulator, options->duration_s - ticks * step);
}

gboolean
heart_dataset_write (const HeartDatasetOptions  *options,
                     GOutputStream              *out,
                     HeartDatasetProgressFunc    progress,
                     gpointer                    user_data,
                     GError                    **error)
{
  g_autoptr(HeartSimulator) simulator = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (FLUSH_BYTES + 4096);
  Writer writer = { options, out, buffer, FALSE, NULL, "", NULL };
  gboolean healthkit = options->format == HEART_DATASET_HEALTHKIT || options->format == HEART_DATASET_OPENMHEALTH;

  g_return_val_if_fail (options->duration_s > 0, FALSE);
  g_return_val_if_fail (options->kind != HEART_DATASET_WAVEFORMS, FALSE);

  /* the labels need the condition's values; nothing else needs them
   * unasked, and the waveforms are not rows here */
  simulator = heart_dataset_new_simulator (options, healthkit ? HEART_HEALTHKIT_CHANNELS
                                                    : options->kind == HEART_DATASET_CHANNELS
                                                    ? (options->channels & ~HEART_CHANNEL_MASK_WAVEFORMS)
                                                      | HEART_CHANNEL_BIT (HEART_CHANNEL_CONDITION)
                                                    : 0);
  if (healthkit)
    {
      /* the export date: when the run ends */
      writer.healthkit = heart_healthkit_new (buffer, options->format == HEART_DATASET_HEALTHKIT
                                                      ? HEART_HEALTH_HEALTHKIT : HEART_HEALTH_OPENMHEALTH,
                                              options->start_time_us
                                              + (gint64) llround (options->duration_s * G_USEC_PER_SEC));
      g_signal_connect (simulator, "values", G_CALLBACK (on_healthkit_values), &writer);
    }
  else if (options->kind == HEART_DATASET_SAMPLES)
    g_signal_connect (simulator, "sample", G_CALLBACK (on_sample), &writer);
  else if (options->kind == HEART_DATASET_BEATS)
    g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), &writer);
  else
    g_signal_connect (simulator, "values", G_CALLBACK (on_values), &writer);

  /* beats cover the whole duration even when it is not a whole number of ticks */
  heart_dataset_run (options, simulator, options->kind == HEART_DATASET_BEATS, &writer.error, progress, user_data);

  if (writer.healthkit != NULL)
    heart_healthkit_finish (writer.healthkit, options->start_time_us
                                              + (gint64) llround (options->duration_s * G_USEC_PER_SEC));
  g_clear_pointer (&writer.healthkit, heart_healthkit_free);
  writer_flush (&writer);
  if (writer.error != NULL)
    {
      g_propagate_error (error, writer.error);
      return FALSE;
    }
  if (progress != NULL)
    progress (1.0, user_data);
  return TRUE;
}
