/* heart-vitals.h: blood oxygen, wrist skin temperature and the body clock
 *
 * A plain struct owned by the person's model, updated once a second of
 * simulation time from what the person does (docs/model.md, "SpO2, skin
 * temperature and the circadian rhythm").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-random.h"

G_BEGIN_DECLS

typedef struct
{
  HeartRandom random;
  double      spo2_noise;        /* %, an Ornstein–Uhlenbeck wander */
  double      skin_noise;        /* °C, idem */
  double      skin_temperature;  /* °C, following its target */
} HeartVitals;

void    heart_vitals_init             (HeartVitals *self,
                                       guint64 seed,
                                       guint64 stream);
/* The circadian cycle at @clock_s seconds since midnight: +1 at 17:00,
 * −1 at 05:00, a cosine between */
double  heart_vitals_circadian        (double clock_s);
/* Starts the processes where they would be at rest, awake, at @clock_s */
void    heart_vitals_prime            (HeartVitals *self,
                                       double clock_s);
/* One second later: @sleepiness 0–1, exercise @intensity 0–1 */
void    heart_vitals_step             (HeartVitals *self,
                                       double clock_s,
                                       double sleepiness,
                                       double intensity);
/* %, whole, 90–100 as a pulse oximeter shows it */
double  heart_vitals_get_spo2         (const HeartVitals *self,
                                       double sleepiness,
                                       double intensity);
/* °C at the wrist */
double  heart_vitals_get_skin_temperature (const HeartVitals *self);

G_END_DECLS
