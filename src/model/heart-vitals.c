/* heart-vitals.c: blood oxygen, wrist skin temperature and the body clock
 *
 * SpO2 sits at a healthy 97–98 % with a slow wander of a fraction of a
 * percent, a point lower asleep and half a point lower in hard exercise,
 * read as a pulse oximeter shows it: whole percent, 90–100. Wrist skin
 * temperature follows a target: warmer asleep (the distal vasodilation of
 * sleep onset), cooler in exercise (cutaneous vasoconstriction), a little
 * warmer at night by the clock, with a slow wander. Constants and sources:
 * docs/model.md, "SpO2, skin temperature and the circadian rhythm".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-vitals.h"

#include <math.h>
#include <string.h>

#include "heart-relax.h"

#define DAY_S                 86400.0
#define CIRCADIAN_PEAK_S      (17 * 3600.0)

#define SPO2_MEAN             97.6
#define SPO2_SD               0.5
#define SPO2_TAU_S            90.0
#define SPO2_ASLEEP_DROP      1.0
#define SPO2_EXERCISE_DROP    0.8     /* at full intensity */
#define SPO2_MIN              90.0
#define SPO2_MAX              100.0

#define SKIN_AWAKE_C          32.8
#define SKIN_ASLEEP_RISE_C    1.3
#define SKIN_EXERCISE_FALL_C  1.5     /* at full intensity */
#define SKIN_CIRCADIAN_C      0.3     /* warmer at night */
#define SKIN_TAU_S            300.0
#define SKIN_SD_C             0.2
#define SKIN_NOISE_TAU_S      600.0

void
heart_vitals_init (HeartVitals *self,
                   guint64      seed,
                   guint64      stream)
{
  memset (self, 0, sizeof *self);
  heart_random_init (&self->random, seed, stream);
}

double
heart_vitals_circadian (double clock_s)
{
  return cos (2 * G_PI * (clock_s - CIRCADIAN_PEAK_S) / DAY_S);
}

static double
skin_target (double clock_s,
             double sleepiness,
             double intensity)
{
  return SKIN_AWAKE_C + SKIN_ASLEEP_RISE_C * sleepiness - SKIN_EXERCISE_FALL_C * intensity
       - SKIN_CIRCADIAN_C * heart_vitals_circadian (clock_s);
}

void
heart_vitals_prime (HeartVitals *self,
                    double       clock_s)
{
  self->spo2_noise = SPO2_SD * heart_random_normal (&self->random);
  self->skin_noise = SKIN_SD_C * heart_random_normal (&self->random);
  self->skin_temperature = skin_target (clock_s, 0, 0);
}

/* An exact Ornstein–Uhlenbeck step of one second */
static double
wander (HeartRandom *random,
        double       value,
        double       sd,
        double       tau)
{
  double decay = exp (-1.0 / tau);

  return value * decay + sd * sqrt (1 - decay * decay) * heart_random_normal (random);
}

void
heart_vitals_step (HeartVitals *self,
                   double       clock_s,
                   double       sleepiness,
                   double       intensity)
{
  self->spo2_noise = wander (&self->random, self->spo2_noise, SPO2_SD, SPO2_TAU_S);
  self->skin_noise = wander (&self->random, self->skin_noise, SKIN_SD_C, SKIN_NOISE_TAU_S);
  self->skin_temperature = heart_relax (self->skin_temperature, skin_target (clock_s, sleepiness, intensity),
                                        SKIN_TAU_S, 1.0);
}

double
heart_vitals_get_spo2 (const HeartVitals *self,
                       double             sleepiness,
                       double             intensity)
{
  double spo2 = SPO2_MEAN + self->spo2_noise - SPO2_ASLEEP_DROP * sleepiness - SPO2_EXERCISE_DROP * intensity;

  return CLAMP (round (spo2), SPO2_MIN, SPO2_MAX);
}

double
heart_vitals_get_skin_temperature (const HeartVitals *self)
{
  return self->skin_temperature + self->skin_noise;
}
