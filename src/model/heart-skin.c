/* heart-skin.c: skin conductance (electrodermal activity), tonic and phasic
 *
 * Conductance = tonic level × (1 + sustained stress) × slow drift, plus the
 * skin-conductance responses under way. Non-specific responses arrive as a
 * Poisson process whose rate and size grow with stress; an arousing event
 * evokes one 1–3 s later. Each response rises over 0.5–3 s and recovers over
 * 10–30 s (a bi-exponential, the shape of Bach et al. 2010's canonical SCR).
 * The drift is a function of time, not of sampling, so the signal does not
 * depend on how the time is cut into ticks. docs/model.md has the sources.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-skin.h"

#include <math.h>
#include <string.h>

#define SPONTANEOUS_PER_MIN_AT_REST  1.2
#define SPONTANEOUS_STRESS_GAIN      2.5    /* rate × (1 + gain × s) */
#define AMPLITUDE_MEDIAN_US          0.15
#define AMPLITUDE_LOG_SD             0.6
#define AMPLITUDE_STRESS_GAIN        1.0
#define EVOKED_AMPLITUDE_US          0.6    /* at strength 1 */
#define EVOKED_LATENCY_MIN_S         1.0
#define EVOKED_LATENCY_MAX_S         3.0
#define TAU_RISE_MIN_S               0.3
#define TAU_RISE_MAX_S               1.5
#define TAU_RECOVERY_MIN_S           4.0
#define TAU_RECOVERY_MAX_S           10.0
#define TONIC_STRESS_GAIN            0.4
#define LOW_RESPONDER_RATE           0.3
#define LOW_RESPONDER_AMPLITUDE      0.3
#define LEVEL_MIN_US                 0.5
#define LEVEL_MAX_US                 40.0
#define LEVEL_LOG_SD                 0.5    /* between people: 2–20 µS holds most */
#define DRIFT_COMPONENTS             3

static const double drift_periods_s[DRIFT_COMPONENTS] = { 620.0, 1730.0, 3910.0 };
static const double drift_amplitudes[DRIFT_COMPONENTS] = { 0.06, 0.10, 0.14 };

void
heart_skin_init (HeartSkin *self,
                 guint64    seed,
                 guint64    stream)
{
  memset (self, 0, sizeof *self);
  heart_random_init (&self->random, seed, stream);
  self->level = HEART_SKIN_LEVEL_DEFAULT;
  self->next_spontaneous = INFINITY;
}

void
heart_skin_set_low_responder (HeartSkin *self,
                              gboolean   low_responder)
{
  self->low_responder = low_responder;
}

static double
spontaneous_rate_per_s (const HeartSkin *self,
                        double           stress)
{
  double rate = SPONTANEOUS_PER_MIN_AT_REST * (1 + SPONTANEOUS_STRESS_GAIN * CLAMP (stress, 0.0, 1.0)) / 60.0;

  return self->low_responder ? rate * LOW_RESPONDER_RATE : rate;
}

static void
schedule_spontaneous (HeartSkin *self,
                      double     from,
                      double     stress)
{
  self->next_spontaneous = from + heart_random_exponential (&self->random,
                                                            1.0 / spontaneous_rate_per_s (self, stress));
}

void
heart_skin_prime (HeartSkin *self,
                  double     t,
                  double     stress)
{
  /* a person's own level, and where in its slow drift the day starts */
  self->level = CLAMP (self->level * exp (LEVEL_LOG_SD * heart_random_normal (&self->random)),
                       LEVEL_MIN_US, LEVEL_MAX_US);
  self->drift_offset = heart_random_uniform (&self->random) * drift_periods_s[DRIFT_COMPONENTS - 1];
  schedule_spontaneous (self, t, stress);
}

static double
shape (const HeartSkinResponse *response,
       double                   since)
{
  return (1 - exp (-since / response->tau_rise)) * exp (-since / response->tau_recovery);
}

/* Forget responses done recovering by @t (below e^-8 of their peak) */
static void
prune (HeartSkin *self,
       double     t)
{
  for (guint i = 0; i < self->n_responses;)
    {
      if (t - self->responses[i].onset > 8 * self->responses[i].tau_recovery)
        self->responses[i] = self->responses[--self->n_responses];
      else
        i++;
    }
}

static void
add_response (HeartSkin *self,
              double     onset,
              double     amplitude,
              gboolean   evoked)
{
  HeartSkinResponse *response;
  double peak_time;

  prune (self, onset);
  /* dozens overlapping: the oldest matters least */
  if (self->n_responses == HEART_SKIN_MAX_RESPONSES)
    memmove (self->responses, self->responses + 1, (--self->n_responses) * sizeof *self->responses);
  response = &self->responses[self->n_responses++];
  response->onset = onset;
  response->amplitude = self->low_responder ? amplitude * LOW_RESPONDER_AMPLITUDE : amplitude;
  response->tau_rise = heart_random_range (&self->random, TAU_RISE_MIN_S, TAU_RISE_MAX_S);
  response->tau_recovery = heart_random_range (&self->random, TAU_RECOVERY_MIN_S, TAU_RECOVERY_MAX_S);
  response->evoked = evoked;
  peak_time = response->tau_rise * log (1 + response->tau_recovery / response->tau_rise);
  response->peak_scale = 1.0 / shape (response, peak_time);
}

static guint
earliest_pending (const HeartSkin *self)
{
  guint earliest = 0;

  for (guint i = 1; i < self->n_pending; i++)
    if (self->pending_onset[i] < self->pending_onset[earliest])
      earliest = i;
  return earliest;
}

double
heart_skin_next_onset (const HeartSkin *self)
{
  if (self->n_pending > 0)
    return MIN (self->next_spontaneous, self->pending_onset[earliest_pending (self)]);
  return self->next_spontaneous;
}

void
heart_skin_take_onset (HeartSkin         *self,
                       double             stress,
                       HeartSkinResponse *response)
{
  guint earliest = earliest_pending (self);

  if (self->n_pending > 0 && self->pending_onset[earliest] <= self->next_spontaneous)
    {
      add_response (self, self->pending_onset[earliest], self->pending_amplitude[earliest], TRUE);
      self->n_pending--;
      self->pending_onset[earliest] = self->pending_onset[self->n_pending];
      self->pending_amplitude[earliest] = self->pending_amplitude[self->n_pending];
    }
  else
    {
      double amplitude = AMPLITUDE_MEDIAN_US * (1 + AMPLITUDE_STRESS_GAIN * CLAMP (stress, 0.0, 1.0))
                       * exp (AMPLITUDE_LOG_SD * heart_random_normal (&self->random));

      add_response (self, self->next_spontaneous, amplitude, FALSE);
      schedule_spontaneous (self, self->next_spontaneous, stress);
    }
  *response = self->responses[self->n_responses - 1];
}

void
heart_skin_evoke (HeartSkin *self,
                  double     t,
                  double     strength)
{
  guint i = self->n_pending;

  if (i == HEART_SKIN_MAX_RESPONSES || strength <= 0)
    return;
  self->pending_onset[i] = t + heart_random_range (&self->random, EVOKED_LATENCY_MIN_S, EVOKED_LATENCY_MAX_S);
  self->pending_amplitude[i] = EVOKED_AMPLITUDE_US * CLAMP (strength, 0.0, 1.0)
                             * exp (0.3 * heart_random_normal (&self->random));
  self->n_pending++;
}

static double
tonic_drift (const HeartSkin *self,
             double           t)
{
  double log_drift = 0;

  for (guint k = 0; k < DRIFT_COMPONENTS; k++)
    log_drift += drift_amplitudes[k] * sin (2 * G_PI * (t + self->drift_offset) / drift_periods_s[k]);
  return exp (log_drift);
}

double
heart_skin_get_conductance (HeartSkin *self,
                            double     t,
                            double     stress)
{
  double conductance = self->level * (1 + TONIC_STRESS_GAIN * CLAMP (stress, 0.0, 1.0)) * tonic_drift (self, t);

  prune (self, t);
  for (guint i = 0; i < self->n_responses; i++)
    {
      const HeartSkinResponse *response = &self->responses[i];
      double since = t - response->onset;

      if (since > 0)
        conductance += response->amplitude * response->peak_scale * shape (response, since);
    }
  return conductance;
}
