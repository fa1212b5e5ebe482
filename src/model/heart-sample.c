/* heart-sample.c: one simulator tick, a plain value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-sample.h"


G_DEFINE_BOXED_TYPE (HeartSample, heart_sample, heart_sample_copy, heart_sample_free)

HeartSample *
heart_sample_copy (const HeartSample *sample)
{
  return g_memdup2 (sample, sizeof *sample);
}

void
heart_sample_free (HeartSample *sample)
{
  g_free (sample);
}

const char *
heart_sample_state_string (const HeartSample *sample)
{
  return sample->running ? "running" : "stopped";
}

