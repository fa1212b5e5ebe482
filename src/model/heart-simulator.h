/* heart-simulator.h: the beat-by-beat heart simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"
#include "heart-beat.h"
#include "heart-sample.h"
#include "heart-scenario.h"
#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_SIMULATOR_ERROR (heart_simulator_error_quark ())

typedef enum {
  HEART_SIMULATOR_ERROR_OUT_OF_RANGE,
  HEART_SIMULATOR_ERROR_UNKNOWN_ACTIVITY,
  HEART_SIMULATOR_ERROR_UNKNOWN_PROFILE,
} HeartSimulatorError;

#define HEART_BASELINE_MIN 40
#define HEART_BASELINE_MAX 120
#define HEART_BASELINE_DEFAULT 72
#define HEART_INTERVAL_MIN_MS 10
#define HEART_INTERVAL_MAX_MS 5000
#define HEART_INTERVAL_DEFAULT_MS 500
#define HEART_SPEED_MIN 0.01
#define HEART_SPEED_MAX 10000.0
#define HEART_EVENTS_PER_HOUR_MAX 3600.0
/* The seed: a 2 % chance of a stress spike per 500 ms update = 144 an hour */
#define HEART_EVENTS_PER_HOUR_DEFAULT 144.0

#define HEART_TYPE_SIMULATOR (heart_simulator_get_type ())
G_DECLARE_FINAL_TYPE (HeartSimulator, heart_simulator, HEART, SIMULATOR, GObject)

GQuark          heart_simulator_error_quark   (void);

/* A live simulator: a timer advances it while it runs, timestamps are wall
 * clock. */
HeartSimulator *heart_simulator_new           (guint64 seed);
/* A simulator with no timer: only heart_simulator_advance() moves it, and
 * timestamps are @start_time_us + simulation time (datasets, tests). */
HeartSimulator *heart_simulator_new_manual    (guint64 seed,
                                               gint64 start_time_us);

void            heart_simulator_start         (HeartSimulator *self);
void            heart_simulator_stop          (HeartSimulator *self);
gboolean        heart_simulator_get_running   (HeartSimulator *self);
void            heart_simulator_set_running   (HeartSimulator *self,
                                               gboolean running);

/* One tick with no clock: advance the model by @seconds of simulation time,
 * emitting "beat" for each heartbeat on the way and then one "sample". */
void            heart_simulator_advance       (HeartSimulator *self,
                                               double seconds);

gboolean        heart_simulator_trigger_stress (HeartSimulator *self,
                                                double level,
                                                GError **error);
gboolean        heart_simulator_set_baseline  (HeartSimulator *self,
                                               int bpm,
                                               GError **error);
guint           heart_simulator_get_baseline_bpm (HeartSimulator *self);
gboolean        heart_simulator_set_stress_level (HeartSimulator *self,
                                                  double level,
                                                  GError **error);
double          heart_simulator_get_stress_level (HeartSimulator *self);
gboolean        heart_simulator_set_interval_ms (HeartSimulator *self,
                                                 guint interval_ms,
                                                 GError **error);
guint           heart_simulator_get_interval_ms (HeartSimulator *self);
gboolean        heart_simulator_set_speed     (HeartSimulator *self,
                                               double speed,
                                               GError **error);
double          heart_simulator_get_speed     (HeartSimulator *self);
gboolean        heart_simulator_set_random_events_per_hour (HeartSimulator *self,
                                                            double rate,
                                                            GError **error);
double          heart_simulator_get_random_events_per_hour (HeartSimulator *self);
guint64         heart_simulator_get_seed      (HeartSimulator *self);

/* The stress the heart feels now (the "stress-level" property is the tonic
 * target set by the user) */
double          heart_simulator_get_current_stress (HeartSimulator *self);
gboolean        heart_simulator_get_event_active   (HeartSimulator *self);
/* The acute stress event under way (a trigger's, not a random arousal):
 * its level and the seconds of its hold left; FALSE with none */
gboolean        heart_simulator_get_acute_event    (HeartSimulator *self,
                                                    double *level,
                                                    double *hold_left_s);
/* End the acute event under way now; FALSE with none */
gboolean        heart_simulator_end_stress         (HeartSimulator *self);
double          heart_simulator_get_time           (HeartSimulator *self);
/* The latest sample; before the first tick, a sample of the current state
 * with seq 0. */
const HeartSample *heart_simulator_get_current_sample (HeartSimulator *self);

/* The channels whose values "values" carries, and the waveforms "waveform"
 * carries (default: all live; all but the waveforms on a manual clock) */
void            heart_simulator_set_channels  (HeartSimulator *self,
                                               HeartChannelMask channels);
HeartChannelMask heart_simulator_get_channels (HeartSimulator *self);
/* How the ECG and PPG are made, and the premature beats in the beat stream
 * too; FALSE with an error naming the field out of range, changing nothing
 * ("waveform-settings" is notified) */
gboolean        heart_simulator_set_waveform_settings (HeartSimulator *self,
                                                       const HeartWaveformSettings *settings,
                                                       GError **error);
void            heart_simulator_get_waveform_settings (HeartSimulator *self,
                                                       HeartWaveformSettings *settings);
/* Runs @scenario from now (again and again with @repeat), replacing one
 * under way ("scenario" and
 * "condition" are notified as it goes); settings changed meanwhile take
 * effect at once and stay after it */
void            heart_simulator_run_scenario  (HeartSimulator *self,
                                               HeartScenario *scenario,
                                               gboolean repeat);
void            heart_simulator_stop_scenario (HeartSimulator *self);
HeartScenario  *heart_simulator_get_scenario  (HeartSimulator *self);
/* -1 with no scenario */
int             heart_simulator_get_phase     (HeartSimulator *self);
double          heart_simulator_get_scenario_elapsed (HeartSimulator *self);
/* The phase's name, "" with no scenario */
const char     *heart_simulator_get_condition (HeartSimulator *self);
/* What the person does from now on: "rest", "sitting", "walking",
 * "running", "cycling" or "sleep" ("activity"); anything else is an error
 * and changes nothing (docs/model.md, "Activity") */
gboolean        heart_simulator_set_activity  (HeartSimulator *self,
                                               const char *activity,
                                               GError **error);
const char     *heart_simulator_get_activity  (HeartSimulator *self);
/* HealthKit's name of the sleep stage now ("in_bed", "awake", "core",
 * "deep", "rem"), "" out of bed */
const char     *heart_simulator_get_sleep_stage (HeartSimulator *self);
/* Who the person is from now on: a preset of heart-profile.h ("average",
 * "athlete", "older-adult", "anxious"), with its resting heart rate, stress
 * and arousals set as their setters would ("profile"; construct-only use
 * sets only who the person is, the settings staying the properties'). */
gboolean        heart_simulator_set_profile   (HeartSimulator *self,
                                               const char *profile,
                                               GError **error);
const char     *heart_simulator_get_profile   (HeartSimulator *self);

G_END_DECLS
