/* heart-ppg.c: the pulse wave, a systolic peak and a diastolic wave a beat
 *
 * Each pulse is an asymmetric Gaussian (a fast upstroke, a slower fall) for
 * the systolic peak and a smaller Gaussian for the reflected diastolic wave,
 * with the dicrotic notch between them; it stretches with the RR interval.
 * Constants and their sources: docs/waveforms.md, "PPG".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-ppg.h"

#include <math.h>

#define ARRIVAL_REST_S         0.240   /* at 70 bpm, calm */
#define ARRIVAL_STRESS_S       0.060   /* shorter at stress 1 */
#define ARRIVAL_PER_BPM_S      0.0007  /* shorter a beat a minute faster */
#define ARRIVAL_MIN_S          0.165
#define ARRIVAL_MAX_S          0.285

/* The foot is where the tangent at the steepest upstroke meets the level
 * before it: two rise widths before the systolic peak */
#define SYSTOLE_RISE_S         0.050
#define SYSTOLE_PEAK_S         (2 * SYSTOLE_RISE_S)
#define SYSTOLE_FALL_S         0.090
#define DIASTOLE_PEAK_S        0.300
#define DIASTOLE_WIDTH_S       0.065
#define DIASTOLE_HEIGHT        0.35
/* the arteries empty slowly between pulses (the Windkessel's runoff) */
#define RUNOFF_HEIGHT          0.40
#define RUNOFF_TAU_S           0.40
#define PULSE_REACH_S          2.000
#define STRESS_AMPLITUDE_DROP  0.35    /* vasoconstriction */
#define BREATH_AMPLITUDE_GAIN  0.08
#define BREATH_BASELINE_GAIN   0.08

void
heart_ppg_init (HeartPpg *self)
{
  *self = (HeartPpg) { 0 };
  for (guint i = 0; i < HEART_PPG_PULSES; i++)
    self->pulses[i].foot_t = -INFINITY;
}

double
heart_ppg_arrival_time (const HeartWaveBeat *beat)
{
  double bpm = 60.0 / CLAMP (beat->rr_s, 0.2, 3.0);
  double arrival = ARRIVAL_REST_S - ARRIVAL_STRESS_S * beat->stress - ARRIVAL_PER_BPM_S * (bpm - 70);

  return CLAMP (arrival, ARRIVAL_MIN_S, ARRIVAL_MAX_S);
}

/* A premature beat fills the heart less: a smaller pulse */
static double
type_amplitude (HeartBeatType type)
{
  switch (type)
    {
    case HEART_BEAT_VENTRICULAR: return 0.45;
    case HEART_BEAT_SUPRAVENTRICULAR: return 0.8;
    case HEART_BEAT_NORMAL:
    default: return 1;
    }
}

double
heart_ppg_add_beat (HeartPpg            *self,
                    const HeartWaveBeat *beat)
{
  HeartPulse *pulse = &self->pulses[self->head];

  self->head = (self->head + 1) % HEART_PPG_PULSES;
  pulse->foot_t = beat->r_t + heart_ppg_arrival_time (beat);
  pulse->amplitude = (1 - STRESS_AMPLITUDE_DROP * CLAMP (beat->stress, 0.0, 1.0)) * type_amplitude (beat->type);
  pulse->scale = CLAMP (sqrt (beat->rr_s), 0.55, 1.15);
  return pulse->foot_t;
}

static double
gaussian (double x,
          double sigma)
{
  return exp (-x * x / (2 * sigma * sigma));
}

static double
pulse_shape (double tau,
             double scale)
{
  double systole = tau - SYSTOLE_PEAK_S * scale;
  double rise_or_fall = (systole < 0 ? SYSTOLE_RISE_S : SYSTOLE_FALL_S) * scale;

  double runoff = systole < 0 ? gaussian (systole, SYSTOLE_RISE_S * scale)
                              : exp (-systole / (RUNOFF_TAU_S * scale));

  return (1 - RUNOFF_HEIGHT) * gaussian (systole, rise_or_fall)
       + RUNOFF_HEIGHT * runoff
       + DIASTOLE_HEIGHT * gaussian (tau - DIASTOLE_PEAK_S * scale, DIASTOLE_WIDTH_S * scale);
}

double
heart_ppg_value (const HeartPpg *self,
                 double          t,
                 double          respiration)
{
  double breath = CLAMP (2 * respiration - 1, -2.0, 2.0);
  double value = -BREATH_BASELINE_GAIN * breath;
  double gain = 1 + BREATH_AMPLITUDE_GAIN * CLAMP (breath, -1.0, 1.0);

  for (guint i = 0; i < HEART_PPG_PULSES; i++)
    {
      const HeartPulse *pulse = &self->pulses[i];
      double tau = t - pulse->foot_t;

      /* the upstroke's Gaussian begins before the foot */
      if (tau > -SYSTOLE_RISE_S * pulse->scale * 3 && tau < PULSE_REACH_S * pulse->scale)
        value += gain * pulse->amplitude * pulse_shape (tau, pulse->scale);
    }
  return value;
}
