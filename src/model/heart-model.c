/* heart-model.c: a person's heart, breathing and skin, advanced together
 *
 * RR = mean RR × (1 + VLF + LF + RSA) + white noise, one beat at a time.
 * VLF and LF (Mayer waves, ~0.1 Hz) are Gaussian processes; RSA follows the
 * phase of each breath (heart-breathing.c), so the HF peak sits at the
 * breathing rate. Stress has two speeds: sustained stressors act through
 * the slow sympathetic path (stress), brief arousals through a fast vagal
 * path (arousal); both raise the mean heart rate and withdraw RSA, and
 * stress speeds breathing. Skin conductance (heart-skin.c) reads the same
 * state. Every constant is explained, with its source, in docs/model.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-model.h"

#include <math.h>

#include "heart-activity.h"
#include "heart-breathing.h"
#include "heart-channel.h"
#include "heart-random.h"
#include "heart-relax.h"
#include "heart-scenario.h"
#include "heart-skin.h"
#include "heart-sleep.h"
#include "heart-vitals.h"
#include "heart-waveform-maker.h"

/* Stress dynamics: first order, faster up than down */
#define STRESS_TAU_RISE_S         15.0
#define STRESS_TAU_FALL_S         60.0
#define BASELINE_TAU_S            15.0
#define ACUTE_EVENT_HOLD_S        60.0
/* Brief arousals (the random spikes): the fast vagal path */
#define AROUSAL_BUMP_MIN          0.15
#define AROUSAL_BUMP_MAX          0.35
#define AROUSAL_HOLD_MIN_S        1.0
#define AROUSAL_HOLD_MAX_S        3.0
#define AROUSAL_TAU_RISE_S        1.5
#define AROUSAL_TAU_FALL_S        5.0
#define AROUSAL_SCR_CHANCE        0.3    /* of an arousal evoking a skin response */

/* Heart rate */
#define HR_STRESS_GAIN_BPM        45.0
#define HR_MIN_BPM                30.0
#define HR_MAX_BPM                220.0

/* Rhythms, as standard deviations relative to the mean RR */
#define VLF_SD                    0.022
#define VLF_TAU_S                 25.0
#define LF_CENTER_HZ              0.10
#define LF_HALF_WIDTH_HZ          0.015
#define LF_SD                     0.043
#define LF_STRESS_WITHDRAWAL      0.30
#define HF_STRESS_WITHDRAWAL      0.5
#define NOISE_SD                  0.006

/* Premature beats (docs/waveforms.md, "Premature beats"): the coupling
 * interval as a share of the sinus RR it interrupts */
#define PVC_COUPLING_MIN          0.55
#define PVC_COUPLING_MAX          0.70
#define PAC_COUPLING_MIN          0.65
#define PAC_COUPLING_MAX          0.85

/* Exercise and sleep (docs/model.md, "Activity") */
#define AGE_DEFAULT_Y             35.0
#define WEIGHT_DEFAULT_KG         70.0
#define HR_MAX_TANAKA_A           208.0  /* HRmax = A − B × age (Tanaka et al. 2001) */
#define HR_MAX_TANAKA_B           0.7
#define EXERCISE_VAGAL_WITHDRAWAL 0.9    /* of RSA, at full intensity */
#define EXERCISE_LF_WITHDRAWAL    0.7
#define EXERCISE_SKIN_DRIVE       0.6    /* sweating: as sustained stress, at full intensity */
#define KCAL_PER_MET_KG_MIN       (3.5 / 200.0)  /* ACSM: kcal/min = MET × 3.5 × kg / 200 */
/* The body clock: resting heart rate 4 bpm lower at 05:00 than at 17:00,
 * RSA a little stronger at night (docs/model.md) */
#define CIRCADIAN_HR_BPM          2.0
#define CIRCADIAN_VAGAL           0.08

/* rmssd_ms covers the beats of this window; the model starts with a full one */
#define RMSSD_WINDOW_S            30.0
#define RECENT_CAPACITY           256   /* > 220 bpm × 30 s */

typedef struct
{
  double re;
  double im;
} Oscillator;

struct _HeartModel
{
  double      t;
  gboolean    primed;

  /* settings */
  double      baseline_bpm;
  double      tonic_stress;
  double      events_per_hour;

  /* state */
  double      effective_baseline;
  double      stress;             /* the slow path */
  gboolean    event_active;       /* an acute (sustained) event */
  double      event_level;
  double      event_end;
  double      arousal;            /* the fast path */
  gboolean    arousal_active;
  double      arousal_level;
  double      arousal_end;
  double      next_random_event;

  double      vlf;
  Oscillator  lf;
  double      rhythms_time;

  HeartBreathing breathing;
  HeartSkin   skin;
  HeartActivity activity;
  HeartVitals vitals;
  HeartSleep  sleep;
  double      age_y;
  double      weight_kg;
  double      vagal_scale;        /* the person's vagal tone, 1 for the average */
  double      chronotype_s;       /* the body clock's shift */
  double      day_offset_s;       /* seconds since midnight at t = 0 */
  double      next_steps_t;       /* steps are counted out every second */
  double      next_midnight_t;
  HeartModelResponseFunc response_func;
  gpointer    response_data;

  /* the scenario under way, and the settings to return to after it */
  HeartScenario *scenario;
  gboolean    scenario_repeat;
  double      scenario_start;
  GArray     *phase_shifts;       /* double, each boundary's move on this pass */
  HeartRandom scenario_random;
  int         phase;
  guint       next_phase_event;
  double      saved_tonic_stress;
  double      saved_baseline_bpm;
  double      saved_events_per_hour;
  double      saved_paced_rate;
  HeartActivityType saved_activity;

  /* channel values, in time order with everything else */
  HeartChannelMask       channels;
  HeartModelValueFunc    value_func;
  gpointer               value_data;
  guint64     next_sample[HEART_N_CHANNELS];   /* index k: t = k / rate */

  double      next_beat_t;
  double      pending_rr;
  HeartBeatType pending_type;
  double      last_rr;
  HeartBeatType last_type;
  double      compensatory_rr;    /* the pause owed after a premature ventricular beat, or 0 */

  /* the waveforms, and the premature beats that shape them and the RR */
  HeartWaveformMaker waves;
  HeartWaveformSettings wave_settings;
  HeartRandom ectopy_random;
  double      pvc_per_hour;       /* now: a scenario's phase may change them */
  double      pac_per_hour;

  HeartRandom beat_random;
  HeartRandom event_random;

  double      recent_t[RECENT_CAPACITY];
  double      recent_rr[RECENT_CAPACITY];
  guint       recent_head;
  guint       recent_length;
};

enum { STREAM_BEATS = 1, STREAM_EVENTS = 2, STREAM_BREATHING = 3, STREAM_SKIN = 4, STREAM_ACTIVITY = 5, STREAM_VITALS = 6, STREAM_SLEEP = 7, STREAM_SCENARIO = 8, STREAM_ECTOPY = 9, STREAM_WAVEFORMS = 10 };

HeartModel *
heart_model_new (guint64 seed)
{
  HeartModel *self = g_new0 (HeartModel, 1);

  heart_random_init (&self->beat_random, seed, STREAM_BEATS);
  heart_random_init (&self->event_random, seed, STREAM_EVENTS);
  heart_breathing_init (&self->breathing, seed, STREAM_BREATHING);
  heart_skin_init (&self->skin, seed, STREAM_SKIN);
  heart_activity_init (&self->activity, seed, STREAM_ACTIVITY);
  heart_vitals_init (&self->vitals, seed, STREAM_VITALS);
  heart_sleep_init (&self->sleep, seed, STREAM_SLEEP);
  heart_random_init (&self->scenario_random, seed, STREAM_SCENARIO);
  heart_random_init (&self->ectopy_random, seed, STREAM_ECTOPY);
  heart_waveform_maker_init (&self->waves, seed, STREAM_WAVEFORMS);
  self->wave_settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  self->pending_type = HEART_BEAT_NORMAL;
  self->last_type = HEART_BEAT_NORMAL;
  self->phase_shifts = g_array_new (FALSE, TRUE, sizeof (double));
  self->age_y = AGE_DEFAULT_Y;
  self->weight_kg = WEIGHT_DEFAULT_KG;
  self->vagal_scale = 1;
  self->baseline_bpm = 72;
  self->saved_baseline_bpm = 72;
  self->next_random_event = INFINITY;
  self->phase = -1;
  return self;
}

void
heart_model_free (HeartModel *self)
{
  g_clear_pointer (&self->scenario, heart_scenario_unref);
  g_clear_pointer (&self->phase_shifts, g_array_unref);
  heart_waveform_maker_clear (&self->waves);
  g_free (self);
}

static double
clamp_bpm (double bpm)
{
  return CLAMP (bpm, HR_MIN_BPM, HR_MAX_BPM);
}

/* Both paths together, as the heart and the readout see them */
static double
total_stress (const HeartModel *self)
{
  return CLAMP (self->stress + self->arousal, 0.0, 1.0);
}

/* Seconds since midnight now */
static double
clock_s (const HeartModel *self)
{
  double since = fmod (self->t + self->day_offset_s, HEART_ACTIVITY_DAY_S);

  return since < 0 ? since + HEART_ACTIVITY_DAY_S : since;
}

static double
circadian (const HeartModel *self)
{
  return heart_vitals_circadian (clock_s (self) - self->chronotype_s);
}

static double
hr_max (const HeartModel *self)
{
  return HR_MAX_TANAKA_A - HR_MAX_TANAKA_B * self->age_y;
}

/* Exercise takes its share of the heart-rate reserve above the resting
 * rate (lower asleep); stress adds to what exercise leaves of it */
double
heart_model_get_mean_bpm (const HeartModel *self)
{
  double intensity = heart_activity_get_intensity (&self->activity);
  double rest = (self->effective_baseline + CIRCADIAN_HR_BPM * circadian (self))
              * (1 - self->sleep.hr_drop);
  double reserve = MAX (hr_max (self) - rest, 0.0);

  return clamp_bpm (rest + intensity * reserve + HR_STRESS_GAIN_BPM * total_stress (self) * (1 - intensity));
}

static double
stress_target (const HeartModel *self)
{
  return self->event_active ? self->event_level : self->tonic_stress;
}

static void
relax_state (HeartModel *self,
             double      dt)
{
  double target = stress_target (self);
  double tau = target > self->stress ? STRESS_TAU_RISE_S : STRESS_TAU_FALL_S;

  if (dt <= 0)
    return;
  self->stress = heart_relax (self->stress, target, tau, dt);
  target = self->arousal_active ? self->arousal_level : 0.0;
  self->arousal = heart_relax (self->arousal, target,
                         target > self->arousal ? AROUSAL_TAU_RISE_S : AROUSAL_TAU_FALL_S, dt);
  self->effective_baseline = heart_relax (self->effective_baseline, self->baseline_bpm,
                                    BASELINE_TAU_S, dt);
  heart_activity_advance (&self->activity, dt);
  heart_sleep_relax (&self->sleep, dt);
}

/* Exact update of a complex Ornstein–Uhlenbeck process over any step: its
 * real part has a Lorentzian spectrum at ±@center_hz and variance @sd². */
static void
oscillator_step (Oscillator  *osc,
                 HeartRandom *random,
                 double       center_hz,
                 double       half_width_hz,
                 double       sd,
                 double       dt)
{
  double decay = exp (-2 * G_PI * half_width_hz * dt);
  double angle = 2 * G_PI * center_hz * dt;
  double c = cos (angle), s = sin (angle);
  double kick = sd * sqrt (1 - decay * decay);
  double re = decay * (osc->re * c - osc->im * s);
  double im = decay * (osc->re * s + osc->im * c);

  osc->re = re + kick * heart_random_normal (random);
  osc->im = im + kick * heart_random_normal (random);
}

/* At rest the 0.1 Hz rhythm is mostly vagal too (the baroreflex acts
 * through the vagus): the person's vagal tone scales it with RSA, which is
 * how RMSSD halves from 30 to 70 (docs/model.md, "Profiles") */
static double
lf_sd (const HeartModel *self)
{
  return LF_SD * self->vagal_scale * (1 - LF_STRESS_WITHDRAWAL * self->stress)
               * (1 - EXERCISE_LF_WITHDRAWAL * heart_activity_get_intensity (&self->activity))
               * (1 + self->sleep.lf_gain);
}

/* Vagal tone left for respiratory sinus arrhythmia */
static double
vagal_tone (const HeartModel *self)
{
  return self->vagal_scale * (1 - HF_STRESS_WITHDRAWAL * total_stress (self))
       * (1 - EXERCISE_VAGAL_WITHDRAWAL * heart_activity_get_intensity (&self->activity))
       * (1 + self->sleep.vagal_gain)
       * (1 - CIRCADIAN_VAGAL * circadian (self));
}

/* What the skin's sweat glands answer: sustained stress, and the heat of
 * exercise */
static double
skin_drive (const HeartModel *self)
{
  return CLAMP (self->stress + EXERCISE_SKIN_DRIVE * heart_activity_get_intensity (&self->activity), 0.0, 1.0);
}

static double
energy_kcal_per_min (const HeartModel *self)
{
  return heart_activity_get_met (&self->activity) * KCAL_PER_MET_KG_MIN * self->weight_kg;
}

static void
step_rhythms (HeartModel *self)
{
  double dt = self->t - self->rhythms_time;
  double vlf_decay = exp (-dt / VLF_TAU_S);

  self->rhythms_time = self->t;
  self->vlf = self->vlf * vlf_decay
            + VLF_SD * sqrt (1 - vlf_decay * vlf_decay) * heart_random_normal (&self->beat_random);
  oscillator_step (&self->lf, &self->beat_random, LF_CENTER_HZ, LF_HALF_WIDTH_HZ, lf_sd (self), dt);
}

static double
next_rr_ms (HeartModel *self)
{
  double mean_rr = 60000.0 / heart_model_get_mean_bpm (self);
  double rr;

  step_rhythms (self);
  rr = mean_rr * (1 + self->vlf + self->lf.re
                  + vagal_tone (self) * heart_breathing_get_rsa (&self->breathing, self->t))
     + NOISE_SD * mean_rr * heart_random_normal (&self->beat_random);
  return CLAMP (rr, 60000.0 / HR_MAX_BPM, 60000.0 / HR_MIN_BPM);
}

static void
remember_beat (HeartModel *self,
               double      t,
               double      rr)
{
  self->recent_t[self->recent_head] = t;
  self->recent_rr[self->recent_head] = rr;
  self->recent_head = (self->recent_head + 1) % RECENT_CAPACITY;
  self->recent_length = MIN (self->recent_length + 1, RECENT_CAPACITY);
}

static void
emit_value (HeartModel     *self,
            HeartChannelId  channel,
            double          value,
            const char     *label)
{
  HeartChannelValue out = { .channel = channel, .t_s = self->t, .value = value };

  if (self->value_func == NULL || !(self->channels & HEART_CHANNEL_BIT (channel)) || self->t < 0)
    return;
  if (label != NULL)
    g_strlcpy (out.label, label, sizeof out.label);
  self->value_func (&out, self->value_data);
}

double
heart_model_read_channel (HeartModel     *self,
                          HeartChannelId  channel)
{
  switch (channel)
    {
    case HEART_CHANNEL_HEART_RATE: return 60000.0 / self->last_rr;
    case HEART_CHANNEL_HRV_RMSSD: return heart_model_get_rmssd (self);
    case HEART_CHANNEL_STRESS_LEVEL: return total_stress (self);
    case HEART_CHANNEL_RESPIRATORY_RATE: return heart_breathing_get_rate (&self->breathing);
    case HEART_CHANNEL_RESPIRATION: return heart_breathing_get_signal (&self->breathing, self->t);
    case HEART_CHANNEL_EDA: return heart_skin_get_conductance (&self->skin, self->t, skin_drive (self));
    case HEART_CHANNEL_CADENCE: return heart_activity_get_cadence (&self->activity);
    case HEART_CHANNEL_STEPS_TODAY: return heart_activity_get_steps_today (&self->activity);
    case HEART_CHANNEL_ENERGY: return energy_kcal_per_min (self);
    case HEART_CHANNEL_SPO2:
      return heart_vitals_get_spo2 (&self->vitals, self->activity.sleepiness,
                                    heart_activity_get_intensity (&self->activity));
    case HEART_CHANNEL_SKIN_TEMPERATURE: return heart_vitals_get_skin_temperature (&self->vitals);
    default: g_return_val_if_reached (0);
    }
}

static double
sample_time (HeartChannelId channel,
             guint64        index)
{
  return index / heart_channel_get (channel)->rate_hz;
}

/* The periodic channel due first, or HEART_N_CHANNELS */
static HeartChannelId
next_periodic (const HeartModel *self,
               double           *when)
{
  HeartChannelId next = HEART_N_CHANNELS;

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      double t;

      if (!(self->channels & HEART_CHANNEL_BIT (c)) ||
          heart_channel_get (c)->kind != HEART_CHANNEL_KIND_PERIODIC)
        continue;
      t = sample_time (c, self->next_sample[c]);
      if (next == HEART_N_CHANNELS || t < *when)
        next = c, *when = t;
    }
  return next;
}

static void
emit_periodic (HeartModel     *self,
               HeartChannelId  channel)
{
  emit_value (self, channel, heart_model_read_channel (self, channel), NULL);
  self->next_sample[channel]++;
}

/* A premature beat may interrupt the sinus interval @sinus_rr: a ventricular
 * one is followed by a full compensatory pause (the two intervals add up to
 * two sinus ones), an atrial one resets the sinus node */
static void
schedule_next_beat (HeartModel *self)
{
  double sinus_rr, per_beat_pvc, per_beat_pac, draw;

  if (self->compensatory_rr > 0)
    {
      self->pending_rr = self->compensatory_rr;
      self->pending_type = HEART_BEAT_NORMAL;
      self->compensatory_rr = 0;
      return;
    }
  sinus_rr = next_rr_ms (self);
  self->pending_rr = sinus_rr;
  self->pending_type = HEART_BEAT_NORMAL;
  if (self->last_type != HEART_BEAT_NORMAL || (self->pvc_per_hour <= 0 && self->pac_per_hour <= 0))
    return;
  per_beat_pvc = self->pvc_per_hour * sinus_rr / 3.6e6;
  per_beat_pac = self->pac_per_hour * sinus_rr / 3.6e6;
  draw = heart_random_uniform (&self->ectopy_random);
  if (draw < per_beat_pvc)
    {
      self->pending_rr = MAX (sinus_rr * heart_random_range (&self->ectopy_random, PVC_COUPLING_MIN, PVC_COUPLING_MAX),
                              60000.0 / HR_MAX_BPM);
      self->pending_type = HEART_BEAT_VENTRICULAR;
      self->compensatory_rr = 2 * sinus_rr - self->pending_rr;
    }
  else if (draw < per_beat_pvc + per_beat_pac)
    {
      self->pending_rr = MAX (sinus_rr * heart_random_range (&self->ectopy_random, PAC_COUPLING_MIN, PAC_COUPLING_MAX),
                              60000.0 / HR_MAX_BPM);
      self->pending_type = HEART_BEAT_SUPRAVENTRICULAR;
    }
}

static HeartWaveBeat
wave_beat (double        r_t,
           double        rr_ms,
           double        stress,
           HeartBeatType type)
{
  return (HeartWaveBeat) { .r_t = r_t, .rr_s = rr_ms / 1000.0, .stress = stress, .type = type };
}

static void
fire_beat (HeartModel         *self,
           HeartModelBeatFunc  beat_func,
           gpointer            user_data)
{
  HeartBeat beat = {
    .t_s = self->t,
    .rr_ms = self->pending_rr,
    .stress_level = total_stress (self),
    .event_active = self->event_active || self->arousal_active,
    .type = self->pending_type,
  };
  HeartWaveBeat last, next;

  g_strlcpy (beat.condition, heart_model_get_condition (self), sizeof beat.condition);

  self->last_rr = self->pending_rr;
  /* RMSSD is of sinus (NN) intervals: a premature beat's two are left out */
  if (beat.type == HEART_BEAT_NORMAL && self->last_type == HEART_BEAT_NORMAL)
    remember_beat (self, self->t, self->pending_rr);
  self->last_type = beat.type;
  emit_value (self, HEART_CHANNEL_RR_INTERVAL, self->pending_rr, NULL);
  if (beat_func != NULL)
    beat_func (&beat, user_data);

  schedule_next_beat (self);
  self->next_beat_t = self->t + self->pending_rr / 1000.0;
  last = wave_beat (self->t, beat.rr_ms, beat.stress_level, beat.type);
  next = wave_beat (self->next_beat_t, self->pending_rr, beat.stress_level, self->pending_type);
  heart_waveform_maker_set_beats (&self->waves, &last, &next, TRUE);
}

static void
schedule_random_event (HeartModel *self)
{
  if (self->events_per_hour > 0)
    self->next_random_event = self->t + heart_random_exponential (&self->event_random,
                                                                  3600.0 / self->events_per_hour);
  else
    self->next_random_event = INFINITY;
}

static void
start_event (HeartModel *self,
             double      level,
             double      hold_s)
{
  self->event_level = CLAMP (level, 0.0, 1.0);
  self->event_end = self->t + hold_s;
  self->event_active = TRUE;
}

/* A brief arousal (a startle, a thought): the fast path only */
static void
start_arousal (HeartModel *self)
{
  double level = heart_random_range (&self->event_random, AROUSAL_BUMP_MIN, AROUSAL_BUMP_MAX);
  double hold = heart_random_range (&self->event_random, AROUSAL_HOLD_MIN_S, AROUSAL_HOLD_MAX_S);

  /* one during another makes it no weaker and no shorter */
  if (self->arousal_active)
    {
      level = MAX (level, self->arousal_level);
      hold = MAX (hold, self->arousal_end - self->t);
    }
  self->arousal_level = level;
  self->arousal_end = self->t + hold;
  self->arousal_active = TRUE;
  emit_value (self, HEART_CHANNEL_EVENT, level, "arousal");
  if (heart_random_uniform (&self->event_random) < AROUSAL_SCR_CHANCE)
    heart_skin_evoke (&self->skin, self->t, level);
  schedule_random_event (self);
}

static void
start_breath (HeartModel *self)
{
  heart_breathing_set_exercise (&self->breathing, heart_activity_get_intensity (&self->activity),
                                self->sleep.breathing_offset);
  heart_breathing_start_breath (&self->breathing, total_stress (self));
}

/* The whole steps since the last count: every second, and at midnight */
static void
count_steps (HeartModel *self)
{
  guint steps = heart_activity_take_steps (&self->activity);

  if (steps > 0)
    emit_value (self, HEART_CHANNEL_STEPS, steps, NULL);
  self->next_steps_t = floor (self->t) + 1;
}

/* The first midnight strictly after now, whatever the rounding of now */
static double
midnight_after (const HeartModel *self)
{
  double day = floor ((self->t + self->day_offset_s) / HEART_ACTIVITY_DAY_S);

  return MAX ((day + 1) * HEART_ACTIVITY_DAY_S - self->day_offset_s, nextafter (self->t, INFINITY));
}

static void
start_day (HeartModel *self)
{
  count_steps (self);
  heart_activity_new_day (&self->activity);
  self->next_midnight_t = midnight_after (self);
}

static void
start_skin_response (HeartModel *self)
{
  HeartSkinResponse response;

  heart_skin_take_onset (&self->skin, total_stress (self), &response);
  emit_value (self, HEART_CHANNEL_SCR, response.amplitude, NULL);
  if (self->response_func != NULL)
    self->response_func (&response, self->response_data);
}

static void
change_activity (HeartModel        *self,
                 HeartActivityType  type)
{
  if (type == self->activity.type)
    return;
  heart_activity_set_type (&self->activity, type);
  emit_value (self, HEART_CHANNEL_ACTIVITY, 0, heart_activity_type_to_string (type));
  /* to bed, or up: the night's stages begin or end */
  if (type == HEART_ACTIVITY_SLEEP)
    heart_sleep_go_to_bed (&self->sleep, self->t);
  else if (self->sleep.stage != HEART_SLEEP_NONE)
    heart_sleep_get_up (&self->sleep);
  else
    return;
  emit_value (self, HEART_CHANNEL_SLEEP_STAGE, 0, heart_sleep_stage_label (self->sleep.stage));
}

/* ---- scenarios ------------------------------------------------------------ */

static const HeartScenarioPhase *
current_phase (const HeartModel *self)
{
  if (self->scenario == NULL || self->phase < 0)
    return NULL;
  return heart_scenario_get_phase (self->scenario, self->phase);
}

/* Where phase @index begins on this pass, from the scenario's start */
static double
phase_start (const HeartModel *self,
             guint             index)
{
  double shift = index < self->phase_shifts->len ? g_array_index (self->phase_shifts, double, index) : 0;

  return heart_scenario_get_phase_start (self->scenario, index) + shift;
}

/* A new pass of the scenario: each boundary between two phases moves by up
 * to the scenario's "vary", and by at most 40 % of either phase beside it,
 * so that phases keep their order; the start and the end stay */
static void
draw_phase_shifts (HeartModel *self)
{
  guint n = heart_scenario_get_n_phases (self->scenario);
  double vary = heart_scenario_get_vary (self->scenario);

  g_array_set_size (self->phase_shifts, 0);
  g_array_set_size (self->phase_shifts, n + 1);
  if (vary <= 0)
    return;
  for (guint k = 1; k < n; k++)
    {
      double before = heart_scenario_get_phase (self->scenario, k - 1)->duration_s;
      double after = heart_scenario_get_phase (self->scenario, k)->duration_s;
      double limit = MIN (vary, 0.4 * MIN (before, after));

      g_array_index (self->phase_shifts, double, k) = heart_random_range (&self->scenario_random, -limit, limit);
    }
}

static double
phase_end (const HeartModel *self)
{
  if (current_phase (self) == NULL)
    return INFINITY;
  return self->scenario_start + phase_start (self, self->phase + 1);
}

static double
next_phase_event (const HeartModel *self)
{
  const HeartScenarioPhase *phase = current_phase (self);

  if (phase == NULL || self->next_phase_event >= phase->events->len)
    return INFINITY;
  return self->scenario_start + phase_start (self, self->phase)
       + g_array_index (phase->events, HeartScenarioEvent, self->next_phase_event).offset_s;
}

static void
apply_phase (HeartModel               *self,
             const HeartScenarioPhase *phase)
{
  if (!isnan (phase->stress))
    self->tonic_stress = phase->stress;
  if (!isnan (phase->baseline_bpm))
    self->baseline_bpm = phase->baseline_bpm;
  if (!isnan (phase->breathing_rate))
    heart_breathing_set_paced_rate (&self->breathing, phase->breathing_rate);
  if (!isnan (phase->events_per_hour))
    {
      self->events_per_hour = phase->events_per_hour;
      schedule_random_event (self);
    }
  if (phase->activity >= 0)
    change_activity (self, (HeartActivityType) phase->activity);
  if (!isnan (phase->pvc_per_hour))
    self->pvc_per_hour = phase->pvc_per_hour;
  if (!isnan (phase->pac_per_hour))
    self->pac_per_hour = phase->pac_per_hour;
}

static void
end_scenario (HeartModel *self)
{
  self->tonic_stress = self->saved_tonic_stress;
  self->baseline_bpm = self->saved_baseline_bpm;
  heart_breathing_set_paced_rate (&self->breathing, self->saved_paced_rate);
  self->events_per_hour = self->saved_events_per_hour;
  schedule_random_event (self);
  change_activity (self, self->saved_activity);
  self->pvc_per_hour = self->wave_settings.pvc_per_hour;
  self->pac_per_hour = self->wave_settings.pac_per_hour;
  g_clear_pointer (&self->scenario, heart_scenario_unref);
  self->phase = -1;
  emit_value (self, HEART_CHANNEL_CONDITION, 0, "");
}

/* At phase_end(): the next phase, or back to the settings of before */
static void
next_phase (HeartModel *self)
{
  const HeartScenarioPhase *phase;

  self->phase++;
  self->next_phase_event = 0;
  if ((guint) self->phase >= heart_scenario_get_n_phases (self->scenario) && self->scenario_repeat)
    {
      self->scenario_start = self->t;
      self->phase = 0;
      draw_phase_shifts (self);
    }
  else if ((guint) self->phase >= heart_scenario_get_n_phases (self->scenario))
    {
      end_scenario (self);
      return;
    }
  phase = heart_scenario_get_phase (self->scenario, self->phase);
  g_assert (phase != NULL);
  apply_phase (self, phase);
  emit_value (self, HEART_CHANNEL_CONDITION, 0, phase->name);
}

static void
fire_phase_event (HeartModel *self)
{
  const HeartScenarioPhase *phase = current_phase (self);
  const HeartScenarioEvent *event;

  g_assert (phase != NULL);
  event = &g_array_index (phase->events, HeartScenarioEvent, self->next_phase_event);
  self->next_phase_event++;
  heart_model_trigger_event (self, event->level);
}

typedef enum {
  NEXT_NONE,
  NEXT_BEAT,
  NEXT_EVENT_END,
  NEXT_AROUSAL_END,
  NEXT_RANDOM_EVENT,
  NEXT_BREATH,
  NEXT_SKIN_RESPONSE,
  NEXT_SAMPLE,
  NEXT_PHASE,
  NEXT_PHASE_EVENT,
  NEXT_STEPS,
  NEXT_MIDNIGHT,
  NEXT_SLEEP_STAGE,
} NextThing;

/* Steps to @t_end through every beat and event change in time order, so the
 * result does not depend on how the time is cut into ticks. */
static void
run_until (HeartModel         *self,
           double              t_end,
           HeartModelBeatFunc  beat_func,
           gpointer            user_data)
{
  for (;;)
    {
      double next = t_end, sample_t = 0;
      NextThing what = NEXT_NONE;
      HeartChannelId periodic = next_periodic (self, &sample_t);

      if (self->next_beat_t <= next)
        next = self->next_beat_t, what = NEXT_BEAT;
      if (self->event_active && self->event_end < next)
        next = self->event_end, what = NEXT_EVENT_END;
      if (self->arousal_active && self->arousal_end < next)
        next = self->arousal_end, what = NEXT_AROUSAL_END;
      if (self->next_random_event < next)
        next = self->next_random_event, what = NEXT_RANDOM_EVENT;
      if (heart_breathing_next_breath (&self->breathing) < next)
        next = heart_breathing_next_breath (&self->breathing), what = NEXT_BREATH;
      if (heart_skin_next_onset (&self->skin) < next)
        next = heart_skin_next_onset (&self->skin), what = NEXT_SKIN_RESPONSE;
      if (self->next_steps_t < next)
        next = self->next_steps_t, what = NEXT_STEPS;
      if (self->sleep.next_change < next)
        next = self->sleep.next_change, what = NEXT_SLEEP_STAGE;
      /* a sample at t_end itself belongs to this step */
      if (periodic != HEART_N_CHANNELS && sample_t <= next)
        next = sample_t, what = NEXT_SAMPLE;
      /* a new day begins before the samples of its first instant */
      if (self->next_midnight_t <= next)
        next = self->next_midnight_t, what = NEXT_MIDNIGHT;
      /* a phase begins before anything else at its start, so all that
       * happens then carries its label */
      if (phase_end (self) <= next)
        next = phase_end (self), what = NEXT_PHASE;
      if (next_phase_event (self) < next)
        next = next_phase_event (self), what = NEXT_PHASE_EVENT;

      if (heart_waveform_maker_is_on (&self->waves))
        heart_waveform_maker_run (&self->waves, next, &self->breathing,
                                  heart_activity_get_intensity (&self->activity));
      relax_state (self, next - self->t);
      self->t = next;

      switch (what)
        {
        case NEXT_NONE:
          return;
        case NEXT_BEAT:
          fire_beat (self, beat_func, user_data);
          break;
        case NEXT_EVENT_END:
          self->event_active = FALSE;
          if (!self->arousal_active)
            emit_value (self, HEART_CHANNEL_EVENT, 0, "end");
          break;
        case NEXT_AROUSAL_END:
          self->arousal_active = FALSE;
          if (!self->event_active)
            emit_value (self, HEART_CHANNEL_EVENT, 0, "end");
          break;
        case NEXT_SAMPLE:
          emit_periodic (self, periodic);
          break;
        case NEXT_PHASE:
          next_phase (self);
          break;
        case NEXT_PHASE_EVENT:
          fire_phase_event (self);
          break;
        case NEXT_RANDOM_EVENT:
          start_arousal (self);
          break;
        case NEXT_BREATH:
          start_breath (self);
          break;
        case NEXT_SKIN_RESPONSE:
          start_skin_response (self);
          break;
        case NEXT_STEPS:
          count_steps (self);
          heart_vitals_step (&self->vitals, clock_s (self), self->activity.sleepiness,
                             heart_activity_get_intensity (&self->activity));
          break;
        case NEXT_MIDNIGHT:
          start_day (self);
          break;
        case NEXT_SLEEP_STAGE:
          heart_sleep_next_stage (&self->sleep);
          emit_value (self, HEART_CHANNEL_SLEEP_STAGE, 0, heart_sleep_stage_label (self->sleep.stage));
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* The first advance starts from a person already at rest under the settings
 * made so far: stationary rhythms and a full RMSSD window of past beats. */
static void
prime (HeartModel *self)
{
  HeartChannelMask channels;
  HeartWaveBeat last, next;
  double mean_rr;

  self->primed = TRUE;
  self->stress = self->tonic_stress;
  self->effective_baseline = self->baseline_bpm;
  self->vlf = VLF_SD * heart_random_normal (&self->beat_random);
  self->lf.re = lf_sd (self) * heart_random_normal (&self->beat_random);
  self->lf.im = lf_sd (self) * heart_random_normal (&self->beat_random);

  self->t = -RMSSD_WINDOW_S - 5;
  heart_breathing_prime (&self->breathing, self->t, self->stress);
  heart_skin_prime (&self->skin, self->t, self->stress);
  self->next_steps_t = floor (self->t) + 1;
  self->next_midnight_t = midnight_after (self);
  heart_vitals_prime (&self->vitals, clock_s (self));
  self->rhythms_time = self->t;
  mean_rr = 60000.0 / heart_model_get_mean_bpm (self);
  self->pending_rr = mean_rr;
  self->last_rr = mean_rr;
  self->next_beat_t = self->t + heart_random_uniform (&self->beat_random) * mean_rr / 1000.0;
  last = wave_beat (self->next_beat_t - mean_rr / 1000.0, mean_rr, self->stress, HEART_BEAT_NORMAL);
  next = wave_beat (self->next_beat_t, mean_rr, self->stress, HEART_BEAT_NORMAL);
  heart_waveform_maker_set_beats (&self->waves, &last, &next, FALSE);
  /* the past before time 0 makes no values, and the samples at 0 come
   * with the first advance, after a scenario started at 0 labels them */
  channels = self->channels;
  self->channels = 0;
  run_until (self, 0.0, NULL, NULL);
  self->channels = channels;
  schedule_random_event (self);
}

static void
ensure_primed (HeartModel *self)
{
  if (!self->primed)
    prime (self);
}

void
heart_model_advance (HeartModel         *self,
                     double              seconds,
                     HeartModelBeatFunc  beat_func,
                     gpointer            user_data)
{
  g_return_if_fail (seconds >= 0);

  ensure_primed (self);
  run_until (self, self->t + seconds, beat_func, user_data);
}

/* A setting changed while a scenario runs takes effect now and stays after it */
void
heart_model_set_baseline (HeartModel *self,
                          double      bpm)
{
  self->baseline_bpm = bpm;
  self->saved_baseline_bpm = bpm;
}

void
heart_model_set_tonic_stress (HeartModel *self,
                              double      level)
{
  self->tonic_stress = level;
  self->saved_tonic_stress = level;
}

void
heart_model_set_events_per_hour (HeartModel *self,
                                 double      rate)
{
  self->events_per_hour = rate;
  self->saved_events_per_hour = rate;
  /* arrivals are memoryless, so rescheduling from now is exact */
  if (self->primed)
    schedule_random_event (self);
}

void
heart_model_trigger_event (HeartModel *self,
                           double      level)
{
  ensure_primed (self);
  start_event (self, level, ACUTE_EVENT_HOLD_S);
  heart_skin_evoke (&self->skin, self->t, level);
  emit_value (self, HEART_CHANNEL_EVENT, self->event_level, "acute");
}

gboolean
heart_model_end_event (HeartModel *self)
{
  if (!self->event_active)
    return FALSE;
  self->event_active = FALSE;
  if (!self->arousal_active)
    emit_value (self, HEART_CHANNEL_EVENT, 0, "end");
  return TRUE;
}

gboolean
heart_model_get_acute_event (const HeartModel *self,
                             double           *level,
                             double           *hold_left_s)
{
  if (!self->event_active)
    return FALSE;
  *level = self->event_level;
  *hold_left_s = MAX (self->event_end - self->t, 0.0);
  return TRUE;
}

double
heart_model_get_time (const HeartModel *self)
{
  return self->primed ? self->t : 0.0;
}

double
heart_model_get_stress (const HeartModel *self)
{
  return self->primed ? total_stress (self) : self->tonic_stress;
}

double
heart_model_get_sustained_stress (const HeartModel *self)
{
  return self->primed ? self->stress : self->tonic_stress;
}

gboolean
heart_model_get_event_active (const HeartModel *self)
{
  return self->event_active || self->arousal_active;
}

double
heart_model_get_respiratory_rate (HeartModel *self)
{
  ensure_primed (self);
  return heart_breathing_get_rate (&self->breathing);
}

double
heart_model_get_respiration (HeartModel *self)
{
  ensure_primed (self);
  return heart_breathing_get_signal (&self->breathing, self->t);
}

double
heart_model_get_skin_conductance (HeartModel *self)
{
  ensure_primed (self);
  return heart_skin_get_conductance (&self->skin, self->t, skin_drive (self));
}

void
heart_model_set_paced_breathing (HeartModel *self,
                                 double      breaths_per_minute)
{
  heart_breathing_set_paced_rate (&self->breathing, breaths_per_minute);
  self->saved_paced_rate = self->breathing.paced_rate;
}

void
heart_model_set_rest_breathing_rate (HeartModel *self,
                                     double      breaths_per_minute)
{
  self->breathing.rest_rate = CLAMP (breaths_per_minute, HEART_BREATHING_REST_RATE_MIN,
                                     HEART_BREATHING_REST_RATE_MAX);
}

/* A setting changed while a scenario runs takes effect now and stays after it */
void
heart_model_set_activity (HeartModel        *self,
                          HeartActivityType  type)
{
  g_return_if_fail (type < HEART_N_ACTIVITIES);
  ensure_primed (self);
  self->saved_activity = type;
  change_activity (self, type);
}

HeartSleepStage
heart_model_get_sleep_stage (const HeartModel *self)
{
  return self->sleep.stage;
}

HeartActivityType
heart_model_get_activity (const HeartModel *self)
{
  return self->activity.type;
}

double
heart_model_get_intensity (const HeartModel *self)
{
  return heart_activity_get_intensity (&self->activity);
}

double
heart_model_get_hr_max (const HeartModel *self)
{
  return hr_max (self);
}

void
heart_model_set_age (HeartModel *self,
                     double      years)
{
  self->age_y = CLAMP (years, 18.0, 90.0);
}

void
heart_model_set_person (HeartModel         *self,
                        const HeartProfile *profile)
{
  heart_model_set_age (self, profile->age_y);
  self->weight_kg = profile->weight_kg;
  self->activity.met_max = profile->met_max;
  self->vagal_scale = profile->vagal_scale;
  self->chronotype_s = profile->chronotype_h * 3600;
}

void
heart_model_set_day_offset (HeartModel *self,
                            double      seconds_since_midnight)
{
  self->day_offset_s = fmod (seconds_since_midnight, HEART_ACTIVITY_DAY_S);
  if (self->primed)
    self->next_midnight_t = midnight_after (self);
}

void
heart_model_set_low_skin_responder (HeartModel *self,
                                    gboolean    low_responder)
{
  heart_skin_set_low_responder (&self->skin, low_responder);
}

void
heart_model_run_scenario (HeartModel    *self,
                          HeartScenario *scenario,
                          gboolean       repeat)
{
  g_return_if_fail (scenario != NULL && heart_scenario_get_n_phases (scenario) > 0);

  ensure_primed (self);
  /* the settings' setters keep what to return to (saved_*) */
  g_clear_pointer (&self->scenario, heart_scenario_unref);
  self->scenario = heart_scenario_ref (scenario);
  self->scenario_repeat = repeat || heart_scenario_get_repeat (scenario);
  self->scenario_start = self->t;
  self->phase = -1;
  draw_phase_shifts (self);
  next_phase (self);
}

void
heart_model_stop_scenario (HeartModel *self)
{
  if (self->scenario != NULL)
    end_scenario (self);
}

HeartScenario *
heart_model_get_scenario (const HeartModel *self)
{
  return self->scenario;
}

int
heart_model_get_phase (const HeartModel *self)
{
  return self->scenario != NULL ? self->phase : -1;
}

double
heart_model_get_scenario_elapsed (const HeartModel *self)
{
  return self->scenario != NULL ? self->t - self->scenario_start : 0;
}

const char *
heart_model_get_condition (const HeartModel *self)
{
  const HeartScenarioPhase *phase = current_phase (self);

  return phase != NULL ? phase->name : "";
}

void
heart_model_set_value_func (HeartModel          *self,
                            HeartChannelMask     channels,
                            HeartModelValueFunc  func,
                            gpointer             user_data)
{
  double from = self->primed ? MAX (self->t, 0.0) : 0.0;

  self->value_func = func;
  self->value_data = user_data;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);

      /* a channel switched on now starts at the next point of its grid */
      if ((channels & HEART_CHANNEL_BIT (c)) && !(self->channels & HEART_CHANNEL_BIT (c)) &&
          channel->kind == HEART_CHANNEL_KIND_PERIODIC)
        self->next_sample[c] = (guint64) ceil (from * channel->rate_hz - 1e-9);
    }
  self->channels = channels;
}

void
heart_model_set_response_func (HeartModel             *self,
                               HeartModelResponseFunc  func,
                               gpointer                user_data)
{
  self->response_func = func;
  self->response_data = user_data;
}

double
heart_model_get_last_rr (HeartModel *self)
{
  ensure_primed (self);
  return self->last_rr;
}

double
heart_model_get_rmssd (HeartModel *self)
{
  double sum = 0;
  guint pairs = 0;
  guint oldest;

  ensure_primed (self);
  oldest = (self->recent_head + RECENT_CAPACITY - self->recent_length) % RECENT_CAPACITY;
  for (guint i = 1; i < self->recent_length; i++)
    {
      guint prev = (oldest + i - 1) % RECENT_CAPACITY;
      guint cur = (oldest + i) % RECENT_CAPACITY;
      double diff;

      if (self->recent_t[prev] <= self->t - RMSSD_WINDOW_S)
        continue;
      diff = self->recent_rr[cur] - self->recent_rr[prev];
      sum += diff * diff;
      pairs++;
    }
  return pairs > 0 ? sqrt (sum / pairs) : 0.0;
}

void
heart_model_set_waveforms (HeartModel                  *self,
                           HeartChannelMask             channels,
                           const HeartWaveformSettings *settings)
{
  /* premature beat rates set now take effect now and stay after a
   * scenario, whose phases may change them meanwhile */
  if (settings->pvc_per_hour != self->wave_settings.pvc_per_hour)
    self->pvc_per_hour = settings->pvc_per_hour;
  if (settings->pac_per_hour != self->wave_settings.pac_per_hour)
    self->pac_per_hour = settings->pac_per_hour;
  self->wave_settings = *settings;
  heart_waveform_maker_configure (&self->waves, channels & HEART_CHANNEL_MASK_WAVEFORMS,
                                  settings, MAX (self->t, 0.0));
}

gboolean
heart_model_peek_waveform (HeartModel         *self,
                           HeartChannelId      channel,
                           HeartWaveformBlock *block)
{
  return heart_waveform_maker_peek (&self->waves, channel, block);
}

void
heart_model_clear_waveforms (HeartModel *self)
{
  heart_waveform_maker_take_done (&self->waves);
}
