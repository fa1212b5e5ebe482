/* heart-sleep.c: a night's sleep stages
 *
 * Each cycle lasts 90–110 min and is laid out when it begins: N1 (longer
 * at sleep onset, a little after an awakening, briefly between cycles), N2, N3 (a large share of the first
 * cycles, little or none of the last), N2 again, then REM (short in the
 * first cycle, long in the last), sometimes a brief awakening after it.
 * The shares are drawn around targets that give a night of N1 2–5 %, N2
 * 45–55 %, N3 13–23 % and REM 20–25 % of the sleep (Ohayon et al. 2004;
 * Carskadon and Dement). Each stage sets the heart's and breathing's
 * targets: deep sleep the lowest heart rate and strongest respiratory
 * sinus arrhythmia, REM a heart rate and LF power back up, breathing less
 * slow. docs/model.md, "Sleep".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-sleep.h"

#include <math.h>
#include <string.h>

#include "heart-relax.h"

#define CYCLE_MIN_S           (90 * 60.0)
#define CYCLE_MAX_S           (110 * 60.0)
#define LATENCY_MIN_S         (5 * 60.0)
#define LATENCY_MAX_S         (20 * 60.0)
#define N1_ONSET_MIN_S        (2 * 60.0)      /* falling asleep */
#define N1_ONSET_MAX_S        (7 * 60.0)
#define N1_AGAIN_MIN_S        60.0            /* after an awakening */
#define N1_AGAIN_MAX_S        240.0
#define N1_TRANSITION_MIN_S   90.0            /* between two cycles */
#define N1_TRANSITION_MAX_S   180.0
#define SHARE_JITTER          0.08      /* each share × U(1 − j, 1 + j) */
#define AWAKENING_CHANCE      0.45      /* after a cycle's REM */
#define AWAKENING_MIN_S       60.0
#define AWAKENING_MAX_S       240.0
#define EFFECT_TAU_S          90.0

/* shares of a cycle, by its place in the night (the last row serves the
 * cycles after it) */
static const double deep_share[] = { 0.44, 0.32, 0.15, 0.05, 0.02 };
static const double rem_share[]  = { 0.13, 0.22, 0.29, 0.35, 0.39 };

typedef struct
{
  const char *label;
  const char *name;
  double      hr_drop;          /* of the waking resting heart rate */
  double      vagal_gain;
  double      lf_gain;
  double      breathing_offset;
} StageInfo;

/* Heart rate falls through NREM and is lowest in N3, comes back up in
 * REM; RSA is strongest in N3; LF and the LF/HF ratio rise in REM
 * (Trinder et al. 2001; Bonnet and Arand 1997); an awakening from sleep
 * comes with a surge above the waking rest */
static const StageInfo stages[HEART_N_SLEEP_STAGES] = {
  [HEART_SLEEP_NONE]   = { "",       "",       0.00, 0.00,  0.00,  0.0 },
  [HEART_SLEEP_IN_BED] = { "in_bed", "in bed", 0.02, 0.05,  0.00, -0.5 },
  [HEART_SLEEP_AWAKE]  = { "awake",  "wake",  -0.08, -0.10, 0.20,  1.0 },
  [HEART_SLEEP_N1]     = { "core",   "N1",     0.04, 0.15,  0.00, -1.0 },
  [HEART_SLEEP_N2]     = { "core",   "N2",     0.08, 0.30, -0.15, -2.0 },
  [HEART_SLEEP_N3]     = { "deep",   "N3",     0.11, 0.50, -0.30, -2.5 },
  [HEART_SLEEP_REM]    = { "rem",    "REM",    0.05, 0.00,  0.40, -0.5 },
};

const char *
heart_sleep_stage_label (HeartSleepStage stage)
{
  return stage < HEART_N_SLEEP_STAGES ? stages[stage].label : "";
}

const char *
heart_sleep_stage_name (HeartSleepStage stage)
{
  return stage < HEART_N_SLEEP_STAGES ? stages[stage].name : "";
}

void
heart_sleep_init (HeartSleep *self,
                  guint64     seed,
                  guint64     stream)
{
  memset (self, 0, sizeof *self);
  heart_random_init (&self->random, seed, stream);
  self->stage = HEART_SLEEP_NONE;
  self->next_change = INFINITY;
}

static void
plan_add (HeartSleep      *self,
          HeartSleepStage  stage,
          double           seconds)
{
  if (seconds <= 0 || self->plan_length >= HEART_SLEEP_PLAN_MAX)
    return;
  self->plan[self->plan_length] = stage;
  self->plan_s[self->plan_length] = seconds;
  self->plan_length++;
}

static double
jitter (HeartSleep *self,
        double      share)
{
  return share * heart_random_range (&self->random, 1 - SHARE_JITTER, 1 + SHARE_JITTER);
}

/* The stages of the next cycle, from @before (in bed, awake, or the end of
 * the last cycle) */
static void
plan_cycle (HeartSleep      *self,
            HeartSleepStage  before)
{
  guint row = MIN (self->cycle, G_N_ELEMENTS (deep_share) - 1);
  double length = heart_random_range (&self->random, CYCLE_MIN_S, CYCLE_MAX_S);
  double n1 = before == HEART_SLEEP_IN_BED ? heart_random_range (&self->random, N1_ONSET_MIN_S, N1_ONSET_MAX_S)
            : before == HEART_SLEEP_AWAKE ? heart_random_range (&self->random, N1_AGAIN_MIN_S, N1_AGAIN_MAX_S)
            : heart_random_range (&self->random, N1_TRANSITION_MIN_S, N1_TRANSITION_MAX_S);
  double deep = jitter (self, deep_share[row]) * length;
  double rem = jitter (self, rem_share[row]) * length;
  double light = MAX (length - n1 - deep - rem, 0.0);

  self->plan_length = 0;
  self->plan_next = 0;
  plan_add (self, HEART_SLEEP_N1, n1);
  plan_add (self, HEART_SLEEP_N2, light * 0.6);
  plan_add (self, HEART_SLEEP_N3, deep);
  plan_add (self, HEART_SLEEP_N2, light * 0.4);
  plan_add (self, HEART_SLEEP_REM, rem);
  if (heart_random_uniform (&self->random) < AWAKENING_CHANCE)
    plan_add (self, HEART_SLEEP_AWAKE, heart_random_range (&self->random, AWAKENING_MIN_S, AWAKENING_MAX_S));
  self->cycle++;
}

void
heart_sleep_go_to_bed (HeartSleep *self,
                       double      t)
{
  self->cycle = 0;
  self->plan_length = 0;
  self->plan_next = 0;
  self->stage = HEART_SLEEP_IN_BED;
  self->next_change = t + heart_random_range (&self->random, LATENCY_MIN_S, LATENCY_MAX_S);
}

void
heart_sleep_get_up (HeartSleep *self)
{
  self->stage = HEART_SLEEP_NONE;
  self->next_change = INFINITY;
}

void
heart_sleep_next_stage (HeartSleep *self)
{
  double now = self->next_change;

  if (self->plan_next >= self->plan_length)
    plan_cycle (self, self->stage);
  self->stage = self->plan[self->plan_next];
  self->next_change = now + self->plan_s[self->plan_next];
  self->plan_next++;
}

void
heart_sleep_relax (HeartSleep *self,
                   double      dt)
{
  const StageInfo *info = &stages[self->stage];

  if (dt <= 0)
    return;
  self->hr_drop = heart_relax (self->hr_drop, info->hr_drop, EFFECT_TAU_S, dt);
  self->vagal_gain = heart_relax (self->vagal_gain, info->vagal_gain, EFFECT_TAU_S, dt);
  self->lf_gain = heart_relax (self->lf_gain, info->lf_gain, EFFECT_TAU_S, dt);
  self->breathing_offset = heart_relax (self->breathing_offset, info->breathing_offset, EFFECT_TAU_S, dt);
}
