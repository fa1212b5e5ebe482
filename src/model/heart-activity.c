/* heart-activity.c: what the person is doing, and how hard
 *
 * The intensity is a share of the heart-rate reserve (HRR) and, as %HRR
 * tracks the share of the oxygen-uptake reserve (Swain and Leutholtz
 * 1997), the energy follows from it too. It has a fast and a slow part:
 * both rise within tens of seconds at the start of exercise, and at its end
 * the fast part falls within a minute and the slow part over minutes, the
 * two phases of heart-rate recovery (Imai et al. 1994). Constants and
 * sources: docs/model.md, "Activity".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-activity.h"

#include <math.h>
#include <string.h>

#include "heart-relax.h"

/* of the intensity at the end of exercise, the part that recovers fast */
#define FAST_SHARE        0.6
#define FAST_TAU_ON_S     15.0
#define SLOW_TAU_ON_S     45.0
#define FAST_TAU_OFF_S    40.0
#define SLOW_TAU_OFF_S    300.0
#define SLEEP_TAU_ON_S    600.0     /* falling asleep */
#define SLEEP_TAU_OFF_S   60.0      /* waking */
/* metabolic equivalents at full intensity unless the profile says: an
 * average adult's VO2max of 42 ml/kg/min is 12 METs */
#define MET_AT_FULL       12.0
#define MET_ASLEEP        0.95

typedef struct
{
  const char *name;
  double      intensity;          /* target share of the HRR */
  double      cadence_min;        /* steps a minute, drawn per bout */
  double      cadence_max;
} ActivityInfo;

static const ActivityInfo activities[HEART_N_ACTIVITIES] = {
  [HEART_ACTIVITY_REST]    = { "rest",    0.00,   0,   0 },
  [HEART_ACTIVITY_SITTING] = { "sitting", 0.03,   0,   0 },
  [HEART_ACTIVITY_WALKING] = { "walking", 0.28, 100, 120 },
  [HEART_ACTIVITY_RUNNING] = { "running", 0.65, 150, 180 },
  [HEART_ACTIVITY_CYCLING] = { "cycling", 0.55,   0,   0 },
  [HEART_ACTIVITY_SLEEP]   = { "sleep",   0.00,   0,   0 },
};

const char *
heart_activity_type_to_string (HeartActivityType type)
{
  return type < HEART_N_ACTIVITIES ? activities[type].name : NULL;
}

gboolean
heart_activity_type_from_string (const char        *name,
                                 HeartActivityType *type)
{
  for (HeartActivityType i = 0; i < HEART_N_ACTIVITIES; i++)
    if (g_strcmp0 (name, activities[i].name) == 0)
      {
        *type = i;
        return TRUE;
      }
  return FALSE;
}

void
heart_activity_init (HeartActivity *self,
                     guint64        seed,
                     guint64        stream)
{
  memset (self, 0, sizeof *self);
  heart_random_init (&self->random, seed, stream);
  self->type = HEART_ACTIVITY_REST;
  self->met_max = MET_AT_FULL;
}

void
heart_activity_set_type (HeartActivity     *self,
                         HeartActivityType  type)
{
  const ActivityInfo *info;

  g_return_if_fail (type < HEART_N_ACTIVITIES);
  info = &activities[type];
  self->type = type;
  self->cadence = info->cadence_max > 0
                ? heart_random_range (&self->random, info->cadence_min, info->cadence_max) : 0;
}

void
heart_activity_advance (HeartActivity *self,
                        double         dt)
{
  double target = activities[self->type].intensity;
  double fast_target = FAST_SHARE * target;
  double slow_target = (1 - FAST_SHARE) * target;
  double asleep = self->type == HEART_ACTIVITY_SLEEP ? 1.0 : 0.0;

  if (dt <= 0)
    return;
  self->fast = heart_relax (self->fast, fast_target, fast_target >= self->fast ? FAST_TAU_ON_S : FAST_TAU_OFF_S, dt);
  self->slow = heart_relax (self->slow, slow_target, slow_target >= self->slow ? SLOW_TAU_ON_S : SLOW_TAU_OFF_S, dt);
  self->sleepiness = heart_relax (self->sleepiness, asleep,
                            asleep >= self->sleepiness ? SLEEP_TAU_ON_S : SLEEP_TAU_OFF_S, dt);
  self->steps_today += self->cadence / 60.0 * dt;
}

double
heart_activity_get_intensity (const HeartActivity *self)
{
  return CLAMP (self->fast + self->slow, 0.0, 1.0);
}

double
heart_activity_get_cadence (const HeartActivity *self)
{
  return self->cadence;
}

double
heart_activity_get_steps_today (const HeartActivity *self)
{
  return floor (self->steps_today);
}

guint
heart_activity_take_steps (HeartActivity *self)
{
  double whole = floor (self->steps_today);
  guint steps = (guint) (whole - self->steps_sent);

  self->steps_sent = whole;
  return steps;
}

void
heart_activity_new_day (HeartActivity *self)
{
  /* the part of a step under way carries over */
  self->steps_today -= floor (self->steps_today);
  self->steps_sent = 0;
}

double
heart_activity_get_met (const HeartActivity *self)
{
  double awake = 1 + (self->met_max - 1) * heart_activity_get_intensity (self);

  return awake + (MET_ASLEEP - 1) * self->sleepiness;
}
