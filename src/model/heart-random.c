/* heart-random.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-random.h"

#include <math.h>

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

/* @stream separates independent sequences drawn from one user seed */
void
heart_random_init (HeartRandom *self,
                   guint64      seed,
                   guint64      stream)
{
  guint64 state = seed ^ (stream * G_GUINT64_CONSTANT (0xD1B54A32D192ED03));

  for (guint i = 0; i < G_N_ELEMENTS (self->s); i++)
    self->s[i] = splitmix64 (&state);
  self->has_spare = FALSE;
  self->spare_normal = 0;
}

guint64
heart_random_next (HeartRandom *self)
{
  guint64 *s = self->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
heart_random_uniform (HeartRandom *self)
{
  /* the top 53 bits give every double in [0, 1) with a 2^-53 step */
  return (heart_random_next (self) >> 11) * 0x1.0p-53;
}

double
heart_random_range (HeartRandom *self,
                    double       low,
                    double       high)
{
  return low + (high - low) * heart_random_uniform (self);
}

double
heart_random_normal (HeartRandom *self)
{
  double u, v, r2, scale;

  if (self->has_spare)
    {
      self->has_spare = FALSE;
      return self->spare_normal;
    }

  /* Marsaglia's polar method: exact, no trigonometry */
  do
    {
      u = 2.0 * heart_random_uniform (self) - 1.0;
      v = 2.0 * heart_random_uniform (self) - 1.0;
      r2 = u * u + v * v;
    }
  while (r2 >= 1.0 || r2 == 0.0);

  scale = sqrt (-2.0 * log (r2) / r2);
  self->spare_normal = v * scale;
  self->has_spare = TRUE;
  return u * scale;
}

double
heart_random_exponential (HeartRandom *self,
                          double       mean)
{
  return -mean * log1p (-heart_random_uniform (self));
}
