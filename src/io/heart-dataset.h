/* heart-dataset.h: write a simulated recording as CSV or JSON Lines
 *
 * The waveforms (ECG, PPG) are written by heart-waveform-files.h, which
 * runs the simulation through heart_dataset_new_simulator() and
 * heart_dataset_run() as the rows here are.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-channel.h"
#include "heart-fields.h"
#include "heart-sample.h"
#include "heart-scenario.h"
#include "heart-simulator.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

typedef enum {
  HEART_DATASET_SAMPLES,
  HEART_DATASET_BEATS,
  HEART_DATASET_CHANNELS,   /* one row a channel value */
  HEART_DATASET_WAVEFORMS,  /* the ECG and/or PPG (heart-waveform-files.h) */
} HeartDatasetKind;

typedef enum {
  HEART_DATASET_CSV,
  HEART_DATASET_JSONL,
  HEART_DATASET_HEALTHKIT,  /* an Apple Health export.xml (heart-healthkit.h) */
  HEART_DATASET_OPENMHEALTH, /* Open mHealth data points, a line each (idem) */
  HEART_DATASET_EDF,        /* EDF+, waveforms only (heart-waveform-files.h) */
  HEART_DATASET_WFDB,       /* a WFDB record, waveforms only (idem) */
} HeartDatasetFormat;

typedef struct _HeartDatasetEvent
{
  double at_s;    /* simulation time of an acute stress event */
  double level;
} HeartDatasetEvent;

typedef struct _HeartDatasetOptions
{
  HeartDatasetKind   kind;
  HeartDatasetFormat format;
  guint64            seed;
  double             duration_s;
  guint              baseline_bpm;
  double             stress_level;
  double             events_per_hour;
  guint              interval_ms;
  gint64             start_time_us;
  GArray            *events;       /* HeartDatasetEvent by time, or NULL */
  HeartScenario     *scenario;     /* run from scenario_start_s, or NULL; not owned */
  gboolean           repeat;       /* the scenario starts again at its end */
  /* the simulation time the scenario starts at, the first tick at or after
   * it (a cohort subject's start offset; 0 for a single run) */
  double             scenario_start_s;
  gboolean           low_skin_responder;   /* profile */
  double             rest_breathing_rate;  /* profile, breaths a minute */
  HeartChannelMask   channels;     /* for HEART_DATASET_CHANNELS; never the waveforms */
  const char        *profile;      /* heart-profile.h's name; NULL: average */
  HeartChannelMask   waveforms;    /* for HEART_DATASET_WAVEFORMS: ECG, PPG or both */
  /* the waveforms' rates, noise and artefacts; its premature beats reach
   * the beats of every kind */
  HeartWaveformSettings waveform_settings;
} HeartDatasetOptions;

/* Called now and then with the fraction done, 0–1 */
typedef void (*HeartDatasetProgressFunc) (double fraction,
                                          gpointer user_data);

void     heart_dataset_options_init (HeartDatasetOptions *options);
/* A lower bound of the bytes heart_dataset_write() writes: the fewest rows
 * the run can have, each as short as a row can be (docs/datasets.md) */
guint64  heart_dataset_estimate_bytes (const HeartDatasetOptions *options);
/* Samples, beats or channel values, not waveforms */
gboolean heart_dataset_write        (const HeartDatasetOptions *options,
                                     GOutputStream *out,
                                     HeartDatasetProgressFunc progress,
                                     gpointer user_data,
                                     GError **error);

/* A manual-clock simulator of the person @options describe, running, its
 * scenario started, making @channels (heart_simulator_set_channels()) */
HeartSimulator *heart_dataset_new_simulator (const HeartDatasetOptions *options,
                                             HeartChannelMask channels);
/* Steps @simulator through @options' duration a tick at a time, firing
 * the scripted events on time, and with @whole_duration the part of a
 * tick left at the end too. Stops early once *@stop is set (a writer's
 * error). */
void     heart_dataset_run          (const HeartDatasetOptions *options,
                                     HeartSimulator *simulator,
                                     gboolean whole_duration,
                                     GError **stop,
                                     HeartDatasetProgressFunc progress,
                                     gpointer user_data);

/* One row as heart_dataset_write() writes it, appended to @out: in CSV the
 * header line first when @header, in JSON Lines an object and a newline.
 * Whatever else writes dataset rows (heart-history-export.h) goes through
 * here, so its files are generate's to the byte. */
void     heart_dataset_append_row    (GString *out,
                                      HeartDatasetFormat format,
                                      const HeartField *fields,
                                      guint n_fields,
                                      gboolean header);
/* A beat's fields as a beat dataset has them: heart_beat_fields() and
 * then beat_type (N, V, S), last so that readers by position keep
 * working; @fields holds HEART_FIELDS_MAX */
guint    heart_dataset_beat_fields   (const HeartBeat *beat,
                                      HeartField *fields);
/* A sample's row: the labelled fields of heart_sample_fields() */
void     heart_dataset_append_sample (GString *out,
                                      HeartDatasetFormat format,
                                      const HeartSample *sample,
                                      gboolean header);

G_END_DECLS
