/* heart-model.h: the beat-by-beat physiological model, with no clock
 *
 * A plain struct owned by HeartSimulator: it knows nothing of GObject
 * signals, timers or wall-clock time. docs/model.md explains every constant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-activity.h"
#include "heart-channel.h"
#include "heart-profile.h"
#include "heart-beat.h"
#include "heart-scenario.h"
#include "heart-skin.h"
#include "heart-sleep.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

typedef struct _HeartModel HeartModel;

/* Called for each heartbeat; @beat->timestamp_us is left 0 for the caller. */
typedef void (*HeartModelBeatFunc) (const HeartBeat *beat,
                                    gpointer user_data);

/* Called as each skin-conductance response begins */
typedef void (*HeartModelResponseFunc) (const HeartSkinResponse *response,
                                        gpointer user_data);

/* Called for each value of a channel switched on, in time order */
typedef void (*HeartModelValueFunc) (const HeartChannelValue *value,
                                     gpointer user_data);

HeartModel *heart_model_new                 (guint64 seed);
void        heart_model_free                (HeartModel *self);

void        heart_model_advance             (HeartModel *self,
                                             double seconds,
                                             HeartModelBeatFunc beat_func,
                                             gpointer user_data);

void        heart_model_set_baseline        (HeartModel *self,
                                             double bpm);
void        heart_model_set_tonic_stress    (HeartModel *self,
                                             double level);
void        heart_model_set_events_per_hour (HeartModel *self,
                                             double rate);
/* An acute event: the stress target becomes @level, held, then released */
void        heart_model_trigger_event       (HeartModel *self,
                                             double level);
/* The acute event under way ends now (its stress is released as at the
 * end of its hold); FALSE with none */
gboolean    heart_model_end_event           (HeartModel *self);
/* The acute event under way: its level, and the seconds of its hold left;
 * FALSE with none (random arousals are not acute events) */
gboolean    heart_model_get_acute_event     (const HeartModel *self,
                                             double *level,
                                             double *hold_left_s);

double      heart_model_get_time            (const HeartModel *self);
/* Both paths of stress: sustained (slow) and brief arousals (fast) */
double      heart_model_get_stress          (const HeartModel *self);
double      heart_model_get_sustained_stress (const HeartModel *self);
gboolean    heart_model_get_event_active    (const HeartModel *self);
double      heart_model_get_last_rr         (HeartModel *self);
double      heart_model_get_rmssd           (HeartModel *self);
/* Breaths a minute of the breath under way */
double      heart_model_get_respiratory_rate (HeartModel *self);
/* Chest expansion now, ~0–1 (a resting breath's depth is about 1) */
double      heart_model_get_respiration     (HeartModel *self);
/* µS now */
double      heart_model_get_skin_conductance (HeartModel *self);
/* 0 = spontaneous breathing */
void        heart_model_set_paced_breathing (HeartModel *self,
                                             double breaths_per_minute);
void        heart_model_set_low_skin_responder (HeartModel *self,
                                                gboolean low_responder);
/* The person's spontaneous resting rate, 10–20 breaths a minute */
void        heart_model_set_rest_breathing_rate (HeartModel *self,
                                                 double breaths_per_minute);
/* Runs @scenario from now: each phase applies its settings and labels the
 * values "condition"; at its end the settings of before come back, or with
 * @repeat it starts again. A scenario under way is replaced. */
void        heart_model_run_scenario        (HeartModel *self,
                                             HeartScenario *scenario,
                                             gboolean repeat);
void        heart_model_stop_scenario       (HeartModel *self);
/* NULL when none runs */
HeartScenario *heart_model_get_scenario     (const HeartModel *self);
/* -1 when none runs */
int         heart_model_get_phase           (const HeartModel *self);
double      heart_model_get_scenario_elapsed (const HeartModel *self);
/* The phase's name, "" when no scenario runs */
const char *heart_model_get_condition       (const HeartModel *self);
/* A periodic channel's value now */
double      heart_model_read_channel        (HeartModel *self,
                                             HeartChannelId channel);
/* Values of @channels from now on (periodic ones on their grid of
 * k / rate seconds of simulation time), through @func */
void        heart_model_set_value_func      (HeartModel *self,
                                             HeartChannelMask channels,
                                             HeartModelValueFunc func,
                                             gpointer user_data);
void        heart_model_set_response_func   (HeartModel *self,
                                             HeartModelResponseFunc func,
                                             gpointer user_data);
/* What the person does from now on; the heart, breathing, skin and energy
 * follow with their own kinetics (docs/model.md, "Activity") */
void        heart_model_set_activity        (HeartModel *self,
                                             HeartActivityType type);
HeartActivityType heart_model_get_activity  (const HeartModel *self);
/* The sleep stage now (HEART_SLEEP_NONE out of bed) */
HeartSleepStage heart_model_get_sleep_stage (const HeartModel *self);
/* Share of the heart-rate reserve in use now, 0–1 */
double      heart_model_get_intensity       (const HeartModel *self);
/* 208 − 0.7 × age (Tanaka et al. 2001) */
double      heart_model_get_hr_max          (const HeartModel *self);
/* 18–90 years; 35 unless set */
void        heart_model_set_age             (HeartModel *self,
                                             double years);
/* Who the person is: age, weight, fitness, vagal tone and chronotype of
 * @profile (its resting heart rate, stress and arousals are settings of
 * their own: heart_model_set_baseline() …) */
void        heart_model_set_person          (HeartModel *self,
                                             const HeartProfile *profile);
/* Seconds since midnight at time 0, for the day's step count; 0 unless set */
void        heart_model_set_day_offset      (HeartModel *self,
                                             double seconds_since_midnight);
/* The mean heart rate the model aims at now (baseline + stress response) */
double      heart_model_get_mean_bpm        (const HeartModel *self);

/* The waveforms of @channels (ECG, PPG; others are ignored) from now on,
 * and the premature beats and noise of @settings (already checked) */
void        heart_model_set_waveforms       (HeartModel *self,
                                             HeartChannelMask channels,
                                             const HeartWaveformSettings *settings);
/* The samples and marks of @channel made since the last clear; FALSE with
 * none. The block is the model's until heart_model_clear_waveforms(). */
gboolean    heart_model_peek_waveform       (HeartModel *self,
                                             HeartChannelId channel,
                                             HeartWaveformBlock *block);
void        heart_model_clear_waveforms     (HeartModel *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartModel, heart_model_free)

G_END_DECLS
