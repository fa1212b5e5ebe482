/* heart-ecg.c: ECGSYN's dynamical model (McSharry et al. 2003), from its
 * equations
 *
 * The model moves a point round the unit circle in the (x, y) plane, one
 * revolution per RR interval, and pushes z up or down as it passes the
 * angles θ_i of the P, Q, R, S and T events:
 *
 *   ż = −Σ_i a_i Δθ_i exp(−Δθ_i² / 2 b_i²) − (z − z0),   Δθ_i = (θ − θ_i) mod 2π
 *
 * x and y start on the limit cycle and stay there, so θ advances at ω
 * exactly: θ is taken from the time since the R peak (θ = ω (t − t_R)) and
 * only z is integrated, by fourth-order Runge–Kutta at 1 ms or finer.
 * With θ_i = ω t_i and b_i = ω σ_i each term is a wave of height H_i =
 * a_i b_i² / ω centred t_i seconds from its R peak, σ_i wide; we keep the
 * waves' heights, times and widths in seconds and millivolts
 * (a_i = H_i ω / b_i²), so that the QRS keeps its width while the QT
 * shortens as the heart rate rises (docs/waveforms.md, "ECG").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-ecg.h"

#include <math.h>

/* One of the P, Q, R, S, T events of a beat */
typedef struct
{
  double t_s;        /* from the R peak, at RR = 1 s */
  double sigma_s;    /* width, at RR = 1 s */
  double height_mv;
  double rr_power;   /* t and σ scale with RR^rr_power: 0 keeps them */
  gboolean qrs;      /* breathing modulates its height */
} EcgWave;

#define N_WAVES HEART_ECG_WAVES
#define WAVE_REACH_SIGMAS 5.0
#define STEP_MAX_S 0.001
/* The paper's A: 0.15 mV of baseline wander with breathing */
#define BASELINE_WANDER_MV 0.15
/* QRS height moves ±8 % with breathing (the heart's electrical axis turns) */
#define QRS_BREATHING_GAIN 0.08

/* Sinus beats, lead II. The paper's Table I places Q and S at ∓π/12 (∓42 ms
 * at 60 bpm) with b = 0.1; its QRS is ~120 ms wide. We place them closer so
 * the QRS is ~90 ms (normal 80–100 ms). T and P scale with RR^(1/3) and
 * RR^(1/4): QT follows Fridericia's QT ∝ RR^(1/3). */
static const EcgWave normal_waves[N_WAVES] = {
  { -0.165, 0.025,  0.15, 0.25, FALSE },   /* P */
  { -0.030, 0.010, -0.12, 0,    TRUE },    /* Q */
  {  0,     0.011,  1.20, 0,    TRUE },    /* R */
  {  0.032, 0.010, -0.25, 0,    TRUE },    /* S */
  {  0.260, 0.050,  0.35, 1.0 / 3, FALSE }, /* T */
};

/* Premature ventricular beats: no P wave, a wide QRS (~150 ms) and a T wave
 * of the opposite direction */
static const EcgWave ventricular_waves[N_WAVES] = {
  {  0,     0.010,  0,    0,    FALSE },
  { -0.040, 0.020, -0.15, 0,    TRUE },
  {  0,     0.032,  1.05, 0,    TRUE },
  {  0.075, 0.028, -0.45, 0,    TRUE },
  {  0.300, 0.070, -0.40, 1.0 / 3, FALSE },
};

/* Premature atrial beats: an early, inverted P wave (an ectopic focus low
 * in the atria), a normal QRS */
static const EcgWave supraventricular_waves[N_WAVES] = {
  { -0.140, 0.022, -0.09, 0.25, FALSE },
  { -0.030, 0.010, -0.12, 0,    TRUE },
  {  0,     0.011,  1.20, 0,    TRUE },
  {  0.032, 0.010, -0.25, 0,    TRUE },
  {  0.260, 0.050,  0.35, 1.0 / 3, FALSE },
};

static const EcgWave *
waves_of (HeartBeatType type)
{
  switch (type)
    {
    case HEART_BEAT_VENTRICULAR: return ventricular_waves;
    case HEART_BEAT_SUPRAVENTRICULAR: return supraventricular_waves;
    case HEART_BEAT_NORMAL:
    default: return normal_waves;
    }
}

void
heart_ecg_init (HeartEcg *self)
{
  *self = (HeartEcg) { 0 };
}

/* Places @beat's waves in time */
static void
place_waves (HeartEcgWave        *placed,
             const HeartWaveBeat *beat)
{
  const EcgWave *waves = waves_of (beat->type);
  double rr = CLAMP (beat->rr_s, 0.2, 3.0);

  for (guint i = 0; i < N_WAVES; i++)
    {
      double scale = waves[i].rr_power != 0 ? pow (rr, waves[i].rr_power) : 1;

      placed[i] = (HeartEcgWave) {
        .t = beat->r_t + waves[i].t_s * scale,
        .sigma = waves[i].sigma_s * scale,
        .height_mv = waves[i].height_mv,
        .qrs = waves[i].qrs,
      };
    }
}

void
heart_ecg_set_beats (HeartEcg            *self,
                     const HeartWaveBeat *last,
                     const HeartWaveBeat *next)
{
  self->last = *last;
  self->next = *next;
  place_waves (self->waves[0], last);
  place_waves (self->waves[1], next);
}

/* The pull of one beat's waves on z at @t: Σ −a_i Δθ_i exp(−Δθ_i² / 2 b_i²),
 * written in seconds (Δθ_i = ω τ, b_i = ω σ_i) */
static double
beat_forcing (const HeartEcgWave *waves,
              double              t,
              double              qrs_gain)
{
  double force = 0;

  for (guint i = 0; i < N_WAVES; i++)
    {
      double sigma = waves[i].sigma;
      double tau = t - waves[i].t;
      double height = waves[i].height_mv * (waves[i].qrs ? qrs_gain : 1);

      if (height == 0 || fabs (tau) > WAVE_REACH_SIGMAS * sigma)
        continue;
      force -= height / (sigma * sigma) * tau * exp (-tau * tau / (2 * sigma * sigma));
    }
  return force;
}

static double
dz_dt (const HeartEcg *self,
       double          t,
       double          z,
       double          z0,
       double          qrs_gain)
{
  return beat_forcing (self->waves[0], t, qrs_gain) + beat_forcing (self->waves[1], t, qrs_gain) - (z - z0);
}

double
heart_ecg_advance (HeartEcg *self,
                   double    t,
                   double    respiration)
{
  double breath = CLAMP (2 * respiration - 1, -2.0, 2.0);
  double z0 = BASELINE_WANDER_MV * breath;
  double qrs_gain = 1 + QRS_BREATHING_GAIN * CLAMP (breath, -1.0, 1.0);
  guint steps;
  double h;

  if (!self->started || t <= self->t)
    {
      self->started = TRUE;
      self->t = t;
      self->z = z0;
      return self->z;
    }
  steps = (guint) ceil ((t - self->t) / STEP_MAX_S);
  h = (t - self->t) / steps;
  for (guint i = 0; i < steps; i++)
    {
      double t0 = self->t, z = self->z;
      double k1 = dz_dt (self, t0, z, z0, qrs_gain);
      double k2 = dz_dt (self, t0 + h / 2, z + h / 2 * k1, z0, qrs_gain);
      double k3 = dz_dt (self, t0 + h / 2, z + h / 2 * k2, z0, qrs_gain);
      double k4 = dz_dt (self, t0 + h, z + h * k3, z0, qrs_gain);

      self->z = z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
      self->t = t0 + h;
    }
  self->t = t;
  return self->z;
}
