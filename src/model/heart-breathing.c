/* heart-breathing.c: breath by breath, the person's breathing
 *
 * Each breath has its own duration and depth: the spontaneous rate wanders
 * slowly around the person's resting rate, rises with stress, and every
 * breath departs from it a little; paced breathing holds a set rate. The
 * breath's phase drives respiratory sinus arrhythmia, whose amplitude grows
 * as breathing slows (a low-pass baroreflex transfer), so the HF peak of
 * the RR spectrum sits at the breathing rate and slow breathing moves it
 * into LF with a large amplitude. docs/model.md has every constant's source.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-breathing.h"

#include <math.h>
#include <string.h>

#define STRESS_GAIN_PER_MIN       6.0    /* +0.1 Hz at s = 1 */
#define DRIFT_SD_PER_MIN          0.7
#define DRIFT_TAU_S               120.0
#define DURATION_CV_SPONTANEOUS   0.06
#define DURATION_CV_PACED         0.03
#define DEPTH_CV                  0.10
#define DEPTH_STRESS_LOSS         0.20
#define DEPTH_PACED               1.8
#define INSPIRATION_FRACTION      0.42
/* at full intensity: ~45 breaths a minute, twice as deep (docs/model.md, Activity) */
#define EXERCISE_GAIN_PER_MIN     30.0
#define EXERCISE_DEPTH_GAIN       1.0
#define RSA_AMPLITUDE_AT_REST     0.040  /* relative RR, at 15 breaths a minute and depth 1 */
#define RSA_REST_HZ               0.25
#define RSA_CORNER_HZ             0.15

void
heart_breathing_init (HeartBreathing *self,
                      guint64         seed,
                      guint64         stream)
{
  memset (self, 0, sizeof *self);
  heart_random_init (&self->random, seed, stream);
  self->rest_rate = HEART_BREATHING_REST_RATE_DEFAULT;
  self->duration = 60.0 / self->rest_rate;
  self->depth = 1.0;
}

static double
target_rate (const HeartBreathing *self,
             double                stress)
{
  if (self->paced_rate > 0)
    return self->paced_rate;
  return CLAMP (self->rest_rate + self->drift + STRESS_GAIN_PER_MIN * stress
                + EXERCISE_GAIN_PER_MIN * self->exercise + self->rate_offset,
                HEART_BREATHING_RATE_MIN, HEART_BREATHING_RATE_MAX);
}

static void
draw_breath (HeartBreathing *self,
             double          stress)
{
  gboolean paced = self->paced_rate > 0;
  double cv = paced ? DURATION_CV_PACED : DURATION_CV_SPONTANEOUS;
  double depth = paced ? DEPTH_PACED
               : (1.0 - DEPTH_STRESS_LOSS * CLAMP (stress, 0.0, 1.0)) * (1 + EXERCISE_DEPTH_GAIN * self->exercise);

  self->duration = 60.0 / target_rate (self, stress)
                 * MAX (0.5, 1 + cv * heart_random_normal (&self->random));
  self->depth = depth * MAX (0.5, 1 + DEPTH_CV * heart_random_normal (&self->random));
}

void
heart_breathing_prime (HeartBreathing *self,
                       double          t,
                       double          stress)
{
  self->drift = DRIFT_SD_PER_MIN * heart_random_normal (&self->random);
  self->drift_time = t;
  draw_breath (self, stress);
  self->start = t - heart_random_uniform (&self->random) * self->duration;
}

double
heart_breathing_next_breath (const HeartBreathing *self)
{
  return self->start + self->duration;
}

void
heart_breathing_start_breath (HeartBreathing *self,
                              double          stress)
{
  double t = heart_breathing_next_breath (self);
  double decay = exp (-(t - self->drift_time) / DRIFT_TAU_S);

  /* exact Ornstein–Uhlenbeck step over the breath just ended */
  self->drift = self->drift * decay
              + DRIFT_SD_PER_MIN * sqrt (1 - decay * decay) * heart_random_normal (&self->random);
  self->drift_time = t;
  self->start = t;
  draw_breath (self, stress);
}

void
heart_breathing_set_paced_rate (HeartBreathing *self,
                                double          breaths_per_minute)
{
  self->paced_rate = breaths_per_minute > 0
                   ? CLAMP (breaths_per_minute, HEART_BREATHING_RATE_MIN, HEART_BREATHING_RATE_MAX)
                   : 0;
}

void
heart_breathing_set_exercise (HeartBreathing *self,
                              double          intensity,
                              double          rate_offset)
{
  self->exercise = CLAMP (intensity, 0.0, 1.0);
  self->rate_offset = rate_offset;
}

double
heart_breathing_get_rate (const HeartBreathing *self)
{
  return 60.0 / self->duration;
}

static double
phase_at (const HeartBreathing *self,
          double                t)
{
  return CLAMP ((t - self->start) / self->duration, 0.0, 1.0);
}

double
heart_breathing_get_signal (const HeartBreathing *self,
                            double                t)
{
  double phase = phase_at (self, t);

  if (phase < INSPIRATION_FRACTION)
    return self->depth * 0.5 * (1 - cos (G_PI * phase / INSPIRATION_FRACTION));
  return self->depth * 0.5 * (1 + cos (G_PI * (phase - INSPIRATION_FRACTION) / (1 - INSPIRATION_FRACTION)));
}

/* Baroreflex-like low-pass: RSA grows as breathing slows, levelling off
 * below ~0.1 Hz */
static double
rsa_gain (double hz)
{
  return 1.0 / (1.0 + (hz / RSA_CORNER_HZ) * (hz / RSA_CORNER_HZ));
}

double
heart_breathing_get_rsa (const HeartBreathing *self,
                         double                t)
{
  double hz = 1.0 / self->duration;
  double amplitude = RSA_AMPLITUDE_AT_REST * self->depth * rsa_gain (hz) / rsa_gain (RSA_REST_HZ);

  /* shortest RR at the end of inspiration */
  return -amplitude * cos (2 * G_PI * (phase_at (self, t) - INSPIRATION_FRACTION));
}
