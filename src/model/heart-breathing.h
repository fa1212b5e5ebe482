/* heart-breathing.h: breath by breath, the person's breathing
 *
 * A plain struct owned by the person's model, advanced in time order with
 * the beats (docs/model.md, "Breathing").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-random.h"

G_BEGIN_DECLS

#define HEART_BREATHING_REST_RATE_DEFAULT 15.0   /* breaths a minute */
#define HEART_BREATHING_REST_RATE_MIN     10.0   /* a person's resting rate (profile) */
#define HEART_BREATHING_REST_RATE_MAX     20.0
#define HEART_BREATHING_RATE_MIN          4.0
#define HEART_BREATHING_RATE_MAX          40.0

typedef struct _HeartBreathing
{
  HeartRandom random;
  double      rest_rate;      /* breaths a minute at rest (profile) */
  double      paced_rate;     /* 0: spontaneous */
  double      exercise;       /* intensity of exercise, 0–1 (heart-activity.h) */
  double      rate_offset;    /* breaths a minute added, e.g. slower asleep */
  double      drift;          /* slow wander of the spontaneous rate, breaths a minute */
  double      drift_time;
  double      start;          /* onset of the current breath's inspiration */
  double      duration;       /* of the current breath, seconds */
  double      depth;          /* of the current breath, relative to a resting breath */
} HeartBreathing;

void   heart_breathing_init          (HeartBreathing *self,
                                      guint64 seed,
                                      guint64 stream);
/* The first breath, already under way at @t */
void   heart_breathing_prime         (HeartBreathing *self,
                                      double t,
                                      double stress);
/* Onset of the next inspiration */
double heart_breathing_next_breath   (const HeartBreathing *self);
/* At heart_breathing_next_breath(): start the next breath */
void   heart_breathing_start_breath  (HeartBreathing *self,
                                      double stress);
/* 0 = spontaneous */
void   heart_breathing_set_paced_rate (HeartBreathing *self,
                                       double breaths_per_minute);
/* For the breaths that start from now: exercise @intensity (0–1) speeds
 * and deepens them; @rate_offset breaths a minute are added (asleep: fewer) */
void   heart_breathing_set_exercise   (HeartBreathing *self,
                                       double intensity,
                                       double rate_offset);
/* Breaths a minute of the current breath */
double heart_breathing_get_rate      (const HeartBreathing *self);
/* Chest expansion at @t (within the current breath): 0 at rest volume,
 * about 1 at the end of a resting inspiration */
double heart_breathing_get_signal    (const HeartBreathing *self,
                                      double t);
/* Respiratory sinus arrhythmia's relative RR change at @t, before vagal
 * withdrawal: negative (a shorter RR, a faster heart) towards the end of
 * inspiration, positive towards the end of expiration */
double heart_breathing_get_rsa       (const HeartBreathing *self,
                                      double t);

G_END_DECLS
