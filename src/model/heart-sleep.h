/* heart-sleep.h: a night's sleep stages
 *
 * A plain struct owned by the person's model. From the moment the person
 * goes to bed it lays out the night cycle by cycle (90–110 min each: light
 * sleep, deep sleep mostly in the early cycles, REM mostly in the late
 * ones, brief awakenings) and gives each stage's effect on the heart and
 * breathing (docs/model.md, "Sleep").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-random.h"

G_BEGIN_DECLS

typedef enum {
  HEART_SLEEP_NONE,          /* not in bed */
  HEART_SLEEP_IN_BED,        /* in bed, not asleep yet */
  HEART_SLEEP_AWAKE,         /* awake during the night */
  HEART_SLEEP_N1,
  HEART_SLEEP_N2,
  HEART_SLEEP_N3,
  HEART_SLEEP_REM,
  HEART_N_SLEEP_STAGES
} HeartSleepStage;

#define HEART_SLEEP_PLAN_MAX 12

typedef struct
{
  HeartRandom     random;
  HeartSleepStage stage;
  double          next_change;       /* INFINITY out of bed */
  guint           cycle;             /* of the night, from 0 */
  HeartSleepStage plan[HEART_SLEEP_PLAN_MAX];     /* the rest of this cycle */
  double          plan_s[HEART_SLEEP_PLAN_MAX];
  guint           plan_length;
  guint           plan_next;
  /* the stage's effects, followed with a time constant */
  double          hr_drop;           /* share of the resting heart rate */
  double          vagal_gain;        /* RSA, relative */
  double          lf_gain;
  double          breathing_offset;  /* breaths a minute */
} HeartSleep;

/* HealthKit's sleep analysis values: "in_bed", "awake", "core" (N1 and
 * N2), "deep", "rem"; "" out of bed */
const char *heart_sleep_stage_label   (HeartSleepStage stage);
/* "N1", "N2", "N3", "REM", "wake", "in bed", "" */
const char *heart_sleep_stage_name    (HeartSleepStage stage);

void        heart_sleep_init          (HeartSleep *self,
                                       guint64 seed,
                                       guint64 stream);
/* To bed at @t: asleep after a latency of minutes */
void        heart_sleep_go_to_bed     (HeartSleep *self,
                                       double t);
/* Up */
void        heart_sleep_get_up        (HeartSleep *self);
/* At next_change: the next stage */
void        heart_sleep_next_stage    (HeartSleep *self);
/* The effects follow the stage, exactly over any step */
void        heart_sleep_relax         (HeartSleep *self,
                                       double dt);

G_END_DECLS
