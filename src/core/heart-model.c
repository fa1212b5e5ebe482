/* heart-model.c: beats from a mean heart rate modulated by LF and HF rhythms
 *
 * RR = mean RR × (1 + VLF + LF + HF) + white noise, one beat at a time.
 * LF (Mayer waves, ~0.1 Hz) and HF (respiratory sinus arrhythmia at the
 * breathing rate) are narrow-band Gaussian processes; stress raises the mean
 * heart rate, withdraws vagal (HF) power and speeds breathing. Every constant
 * is explained, with its source, in docs/model.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-model.h"

#include <math.h>

#include "heart-random.h"

/* Stress dynamics: first order, faster up than down */
#define STRESS_TAU_RISE_S         15.0
#define STRESS_TAU_FALL_S         60.0
#define BASELINE_TAU_S            15.0
#define ACUTE_EVENT_HOLD_S        60.0
#define RANDOM_EVENT_BUMP_MIN     0.15
#define RANDOM_EVENT_BUMP_MAX     0.35
#define RANDOM_EVENT_HOLD_MIN_S   5.0
#define RANDOM_EVENT_HOLD_MAX_S   15.0

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
#define HF_REST_HZ                0.25
#define HF_STRESS_SHIFT_HZ        0.10
#define HF_HALF_WIDTH_HZ          0.020
#define HF_SD                     0.028
#define HF_STRESS_WITHDRAWAL      0.75
#define NOISE_SD                  0.006

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
  double      stress;
  gboolean    event_active;
  double      event_level;
  double      event_end;
  double      next_random_event;

  double      vlf;
  Oscillator  lf;
  Oscillator  hf;
  double      rhythms_time;

  double      next_beat_t;
  double      pending_rr;
  double      last_rr;

  HeartRandom beat_random;
  HeartRandom event_random;

  double      recent_t[RECENT_CAPACITY];
  double      recent_rr[RECENT_CAPACITY];
  guint       recent_head;
  guint       recent_length;
};

enum { STREAM_BEATS = 1, STREAM_EVENTS = 2 };

HeartModel *
heart_model_new (guint64 seed)
{
  HeartModel *self = g_new0 (HeartModel, 1);

  heart_random_init (&self->beat_random, seed, STREAM_BEATS);
  heart_random_init (&self->event_random, seed, STREAM_EVENTS);
  self->baseline_bpm = 72;
  self->next_random_event = INFINITY;
  return self;
}

void
heart_model_free (HeartModel *self)
{
  g_free (self);
}

static double
clamp_bpm (double bpm)
{
  return CLAMP (bpm, HR_MIN_BPM, HR_MAX_BPM);
}

double
heart_model_get_mean_bpm (const HeartModel *self)
{
  return clamp_bpm (self->effective_baseline + HR_STRESS_GAIN_BPM * self->stress);
}

static double
stress_target (const HeartModel *self)
{
  return self->event_active ? self->event_level : self->tonic_stress;
}

static double
relax (double value,
       double target,
       double tau,
       double dt)
{
  return target + (value - target) * exp (-dt / tau);
}

static void
relax_state (HeartModel *self,
             double      dt)
{
  double target = stress_target (self);
  double tau = target > self->stress ? STRESS_TAU_RISE_S : STRESS_TAU_FALL_S;

  if (dt <= 0)
    return;
  self->stress = relax (self->stress, target, tau, dt);
  self->effective_baseline = relax (self->effective_baseline, self->baseline_bpm,
                                    BASELINE_TAU_S, dt);
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

static double
breathing_hz (const HeartModel *self)
{
  return HF_REST_HZ + HF_STRESS_SHIFT_HZ * self->stress;
}

static double
lf_sd (const HeartModel *self)
{
  return LF_SD * (1 - LF_STRESS_WITHDRAWAL * self->stress);
}

static double
hf_sd (const HeartModel *self)
{
  return HF_SD * (1 - HF_STRESS_WITHDRAWAL * self->stress);
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
  oscillator_step (&self->hf, &self->beat_random, breathing_hz (self), HF_HALF_WIDTH_HZ, hf_sd (self), dt);
}

static double
next_rr_ms (HeartModel *self)
{
  double mean_rr = 60000.0 / heart_model_get_mean_bpm (self);
  double rr;

  step_rhythms (self);
  rr = mean_rr * (1 + self->vlf + self->lf.re + self->hf.re)
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
fire_beat (HeartModel         *self,
           HeartModelBeatFunc  beat_func,
           gpointer            user_data)
{
  HeartBeat beat = {
    .t_s = self->t,
    .rr_ms = self->pending_rr,
    .stress_level = self->stress,
    .event_active = self->event_active,
  };

  self->last_rr = self->pending_rr;
  remember_beat (self, self->t, self->pending_rr);
  if (beat_func != NULL)
    beat_func (&beat, user_data);

  self->pending_rr = next_rr_ms (self);
  self->next_beat_t = self->t + self->pending_rr / 1000.0;
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

static void
start_random_event (HeartModel *self)
{
  double level = self->tonic_stress + heart_random_range (&self->event_random,
                                                          RANDOM_EVENT_BUMP_MIN,
                                                          RANDOM_EVENT_BUMP_MAX);
  double hold = heart_random_range (&self->event_random,
                                    RANDOM_EVENT_HOLD_MIN_S, RANDOM_EVENT_HOLD_MAX_S);

  /* a spike during an event makes it no weaker and no shorter */
  if (self->event_active)
    {
      level = MAX (level, self->event_level);
      hold = MAX (hold, self->event_end - self->t);
    }
  start_event (self, level, hold);
  schedule_random_event (self);
}

typedef enum {
  NEXT_NONE,
  NEXT_BEAT,
  NEXT_EVENT_END,
  NEXT_RANDOM_EVENT,
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
      double next = t_end;
      NextThing what = NEXT_NONE;

      if (self->next_beat_t <= next)
        next = self->next_beat_t, what = NEXT_BEAT;
      if (self->event_active && self->event_end < next)
        next = self->event_end, what = NEXT_EVENT_END;
      if (self->next_random_event < next)
        next = self->next_random_event, what = NEXT_RANDOM_EVENT;

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
          break;
        case NEXT_RANDOM_EVENT:
          start_random_event (self);
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
  double mean_rr;

  self->primed = TRUE;
  self->stress = self->tonic_stress;
  self->effective_baseline = self->baseline_bpm;
  self->vlf = VLF_SD * heart_random_normal (&self->beat_random);
  self->lf.re = lf_sd (self) * heart_random_normal (&self->beat_random);
  self->lf.im = lf_sd (self) * heart_random_normal (&self->beat_random);
  self->hf.re = hf_sd (self) * heart_random_normal (&self->beat_random);
  self->hf.im = hf_sd (self) * heart_random_normal (&self->beat_random);

  self->t = -RMSSD_WINDOW_S - 5;
  self->rhythms_time = self->t;
  mean_rr = 60000.0 / heart_model_get_mean_bpm (self);
  self->pending_rr = mean_rr;
  self->last_rr = mean_rr;
  self->next_beat_t = self->t + heart_random_uniform (&self->beat_random) * mean_rr / 1000.0;
  run_until (self, 0.0, NULL, NULL);
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

void
heart_model_set_baseline (HeartModel *self,
                          double      bpm)
{
  self->baseline_bpm = bpm;
}

void
heart_model_set_tonic_stress (HeartModel *self,
                              double      level)
{
  self->tonic_stress = level;
}

void
heart_model_set_events_per_hour (HeartModel *self,
                                 double      rate)
{
  self->events_per_hour = rate;
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
}

double
heart_model_get_time (const HeartModel *self)
{
  return self->primed ? self->t : 0.0;
}

double
heart_model_get_stress (const HeartModel *self)
{
  return self->primed ? self->stress : self->tonic_stress;
}

gboolean
heart_model_get_event_active (const HeartModel *self)
{
  return self->event_active;
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
