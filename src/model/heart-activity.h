/* heart-activity.h: what the person is doing, and how hard
 *
 * A plain struct owned by the person's model, advanced in time order with
 * the beats (docs/model.md, "Activity"). The state (rest, sitting,
 * walking, running, cycling, sleep) sets a target exercise intensity, a
 * share of the heart-rate reserve; the intensity follows it with on- and
 * two-phase off-kinetics, and drives the heart, breathing, skin and energy.
 * Walking and running take steps at a cadence drawn for each bout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-random.h"

G_BEGIN_DECLS

typedef enum {
  HEART_ACTIVITY_REST,
  HEART_ACTIVITY_SITTING,
  HEART_ACTIVITY_WALKING,
  HEART_ACTIVITY_RUNNING,
  HEART_ACTIVITY_CYCLING,
  HEART_ACTIVITY_SLEEP,
  HEART_N_ACTIVITIES
} HeartActivityType;

#define HEART_ACTIVITY_DAY_S 86400.0
/* The energy of sitting still (1 MET, 70 kg): what is above it is the
 * active energy HealthKit counts */
#define HEART_ACTIVITY_RESTING_KCAL_MIN 1.225

typedef struct
{
  HeartRandom       random;
  HeartActivityType type;
  double            fast;            /* the two parts of the intensity, */
  double            slow;            /* shares of the heart-rate reserve */
  double            sleepiness;      /* 0 awake … 1 asleep a while */
  double            cadence;         /* steps a minute of the bout under way */
  double            steps_today;     /* taken since midnight, fractional */
  double            steps_sent;      /* of them, already counted out */
  double            met_max;         /* at full intensity: the person's fitness */
} HeartActivity;

/* "rest", "sitting", … NULL for none */
const char *heart_activity_type_to_string   (HeartActivityType type);
gboolean    heart_activity_type_from_string (const char *name,
                                             HeartActivityType *type);

void        heart_activity_init             (HeartActivity *self,
                                             guint64 seed,
                                             guint64 stream);
/* From now on: a walk or a run draws its cadence */
void        heart_activity_set_type         (HeartActivity *self,
                                             HeartActivityType type);
/* Exact over any step with the state unchanged */
void        heart_activity_advance          (HeartActivity *self,
                                             double dt);
/* Share of the heart-rate reserve in use now, 0–1 */
double      heart_activity_get_intensity    (const HeartActivity *self);
/* Steps a minute now (0 but when walking or running) */
double      heart_activity_get_cadence      (const HeartActivity *self);
/* Whole steps taken since midnight */
double      heart_activity_get_steps_today  (const HeartActivity *self);
/* The whole steps taken since the last call; they are counted out */
guint       heart_activity_take_steps       (HeartActivity *self);
/* At midnight: the day's count starts again (take the steps first) */
void        heart_activity_new_day          (HeartActivity *self);
/* Metabolic equivalents now: 1 at rest, following the intensity */
double      heart_activity_get_met          (const HeartActivity *self);

G_END_DECLS
