/* heart-profile.c: who the simulated person is
 *
 * The presets' values and where they come from: docs/model.md, "Profiles".
 * Resting heart rates follow population norms (about 72 bpm for an
 * average adult, 50–55 for endurance athletes); fitness as the METs of
 * full effort (VO2max / 3.5: 12 for an average adult, 16 for an athlete,
 * 8 at 70); vagal tone falls with age (RMSSD roughly halves from 30 to 70);
 * chronotypes shift the body clock by an hour or so either way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-profile.h"

static const HeartProfile profiles[] = {
  { "average", "An average adult of 35: resting heart rate 72, moderately fit, an intermediate chronotype",
    35, "female", 70, 72, 12, 1.0, 0, 0, 144 /* the simulator's default */ },
  { "athlete", "An endurance athlete of 28: resting heart rate 52, very fit, strong vagal tone, an early riser",
    28, "male", 72, 52, 16, 1.35, -1, 0, 60 },
  { "older-adult", "An adult of 70: a lower HRmax and fitness, weaker vagal tone, an early chronotype",
    70, "female", 68, 68, 8, 0.45, -1.5, 0.05, 90 },
  { "anxious", "An anxious adult of 30: a higher resting heart rate, sustained mild stress, frequent arousals, a late chronotype",
    30, "female", 64, 78, 11, 0.8, 1.5, 0.10, 250 },
};

static const char * const names[] = { "average", "athlete", "older-adult", "anxious", NULL };

const HeartProfile *
heart_profile_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    if (g_strcmp0 (name, profiles[i].name) == 0)
      return &profiles[i];
  return NULL;
}

const char * const *
heart_profile_names (void)
{
  return names;
}
