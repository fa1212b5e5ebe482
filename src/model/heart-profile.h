/* heart-profile.h: who the simulated person is
 *
 * Presets of a person — age, sex, weight, fitness, resting heart rate,
 * vagal tone, chronotype, and how anxious — that the simulator, scenarios,
 * generate --profile, the window and the API take by name
 * (docs/model.md, "Profiles").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;             /* "average", "athlete", "older-adult", "anxious" */
  const char *description;
  double      age_y;            /* HRmax = 208 − 0.7 × age */
  const char *sex;              /* "female", "male" */
  double      weight_kg;        /* for the energy */
  double      rest_bpm;         /* the baseline */
  double      met_max;          /* metabolic equivalents at full intensity: fitness */
  double      vagal_scale;      /* RSA and RMSSD, relative to the average person */
  double      chronotype_h;     /* the body clock's shift: earlier < 0 < later */
  double      tonic_stress;     /* 0–1 */
  double      events_per_hour;  /* brief arousals */
} HeartProfile;

/* NULL when no preset has that name */
const HeartProfile *heart_profile_lookup (const char *name);
/* The presets, NULL-terminated: "average" first */
const char * const *heart_profile_names  (void);

G_END_DECLS
