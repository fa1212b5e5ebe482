/* heart-random.h: a small, fast, seedable PRNG with a fixed algorithm
 *
 * GRand's output is not promised to stay the same across GLib versions;
 * datasets must be byte-identical for a seed, so the generator is ours:
 * xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _HeartRandom
{
  guint64 s[4];
  double  spare_normal;
  gboolean has_spare;
} HeartRandom;

void    heart_random_init        (HeartRandom *self,
                                  guint64 seed,
                                  guint64 stream);
guint64 heart_random_next        (HeartRandom *self);
/* uniform in [0, 1) */
double  heart_random_uniform     (HeartRandom *self);
double  heart_random_range       (HeartRandom *self,
                                  double low,
                                  double high);
/* standard normal N(0, 1) */
double  heart_random_normal      (HeartRandom *self);
/* exponential with the given mean */
double  heart_random_exponential (HeartRandom *self,
                                  double mean);

G_END_DECLS
