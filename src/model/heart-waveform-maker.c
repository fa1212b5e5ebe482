/* heart-waveform-maker.c: the ECG and PPG samples, their noise and artefacts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-waveform-maker.h"

#include <math.h>
#include <string.h>

/* Noise levels: docs/waveforms.md, "Noise and artefacts" */
#define POWERLINE_MV            0.015
#define POWERLINE_THIRD_MV      0.004
#define MUSCLE_REST_MV          0.010
#define MUSCLE_MOVING_GAIN      4.0
#define WANDER_MV               0.080
#define WANDER_TAU_S            4.0
#define ECG_MOTION_MV           0.300
#define ECG_MOTION_TAU_S        0.2
#define PPG_MOTION              0.500
#define PPG_MOTION_TAU_S        0.3
#define MOVING_INTENSITY        0.10
#define LEAD_OFF_MIN_S          2.0
#define LEAD_OFF_MAX_S          8.0

static void
track_init (HeartWaveformTrack *track)
{
  *track = (HeartWaveformTrack) {
    .values = g_array_new (FALSE, FALSE, sizeof (float)),
    .marks = g_array_new (FALSE, TRUE, sizeof (HeartWaveformMark)),
  };
}

static void
track_clear (HeartWaveformTrack *track)
{
  g_clear_pointer (&track->values, g_array_unref);
  g_clear_pointer (&track->marks, g_array_unref);
}

void
heart_waveform_maker_init (HeartWaveformMaker *self,
                           guint64             seed,
                           guint64             stream)
{
  *self = (HeartWaveformMaker) { .settings = HEART_WAVEFORM_SETTINGS_DEFAULT };
  heart_random_init (&self->random, seed, stream);
  heart_ecg_init (&self->ecg);
  heart_ppg_init (&self->ppg);
  track_init (&self->ecg_track);
  track_init (&self->ppg_track);
  self->lead_off_start = INFINITY;
}

void
heart_waveform_maker_clear (HeartWaveformMaker *self)
{
  track_clear (&self->ecg_track);
  track_clear (&self->ppg_track);
}

static void
schedule_lead_off (HeartWaveformMaker *self,
                   double              t)
{
  double rate = self->settings.lead_off_per_hour;

  self->lead_off_start = rate > 0 ? t + heart_random_exponential (&self->random, 3600.0 / rate) : INFINITY;
  self->lead_off_end = self->lead_off_start;
}

static void
configure_track (HeartWaveformTrack *track,
                 gboolean            on,
                 double              fs_hz,
                 double              t)
{
  if (on && track->on && track->fs_hz == fs_hz)
    return;
  track->on = on;
  track->fs_hz = fs_hz;
  /* the samples not yet taken stay on the old grid's block: a new rate
   * starts a new one */
  g_array_set_size (track->values, 0);
  g_array_set_size (track->marks, 0);
  track->next_index = (guint64) MAX (ceil (t * fs_hz), 0.0);
  track->first_index = track->next_index;
}

void
heart_waveform_maker_configure (HeartWaveformMaker          *self,
                                HeartChannelMask             channels,
                                const HeartWaveformSettings *settings,
                                double                       t)
{
  gboolean lead_off_changed = settings->lead_off_per_hour != self->settings.lead_off_per_hour;

  self->settings = *settings;
  configure_track (&self->ecg_track, (channels & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG)) != 0,
                   settings->ecg_rate_hz, t);
  configure_track (&self->ppg_track, (channels & HEART_CHANNEL_BIT (HEART_CHANNEL_PPG)) != 0,
                   settings->ppg_rate_hz, t);
  if (lead_off_changed && !self->lead_off)
    schedule_lead_off (self, t);
}

gboolean
heart_waveform_maker_is_on (const HeartWaveformMaker *self)
{
  return self->ecg_track.on || self->ppg_track.on;
}

static void
add_mark (HeartWaveformTrack *track,
          double              t,
          const char         *code)
{
  HeartWaveformMark mark = { .t_s = t };

  /* the beats that settle the model before time 0 are not marked */
  if (!track->on || t < 0)
    return;
  g_strlcpy (mark.code, code, sizeof mark.code);
  g_array_append_val (track->marks, mark);
}

void
heart_waveform_maker_set_beats (HeartWaveformMaker  *self,
                                const HeartWaveBeat *last,
                                const HeartWaveBeat *next,
                                gboolean             fired)
{
  double foot_t;

  heart_ecg_set_beats (&self->ecg, last, next);
  if (!fired)
    return;
  add_mark (&self->ecg_track, last->r_t, heart_beat_type_code (last->type));
  foot_t = heart_ppg_add_beat (&self->ppg, last);
  /* the foot is marked when the PPG's samples reach it */
  if (!self->ppg_track.on || foot_t < 0)
    return;
  if (self->n_feet == HEART_WAVEFORM_FEET)
    {
      memmove (self->foot_t, self->foot_t + 1, sizeof self->foot_t[0] * (HEART_WAVEFORM_FEET - 1));
      memmove (self->foot_type, self->foot_type + 1, sizeof self->foot_type[0] * (HEART_WAVEFORM_FEET - 1));
      self->n_feet--;
    }
  self->foot_t[self->n_feet] = foot_t;
  self->foot_type[self->n_feet] = last->type;
  self->n_feet++;
}

/* An Ornstein–Uhlenbeck step of @dt: exact for any step length */
static double
relax_noise (HeartRandom *random,
             double       x,
             double       dt,
             double       tau,
             double       sd)
{
  double keep = exp (-dt / tau);

  return x * keep + sd * sqrt (1 - keep * keep) * heart_random_normal (random);
}

static double
ecg_noise (HeartWaveformMaker *self,
           double              t,
           double              dt,
           double              intensity)
{
  HeartWaveformNoise noise = self->settings.noise;
  double mv = 0;

  if (noise & HEART_WAVEFORM_NOISE_POWERLINE)
    mv += POWERLINE_MV * sin (2 * G_PI * self->settings.powerline_hz * t)
        + POWERLINE_THIRD_MV * sin (6 * G_PI * self->settings.powerline_hz * t);
  if (noise & HEART_WAVEFORM_NOISE_MUSCLE)
    mv += MUSCLE_REST_MV * (1 + MUSCLE_MOVING_GAIN * intensity) * heart_random_normal (&self->random);
  if (noise & HEART_WAVEFORM_NOISE_WANDER)
    mv += self->wander_mv = relax_noise (&self->random, self->wander_mv, dt, WANDER_TAU_S, WANDER_MV);
  if (self->moving)
    mv += self->ecg_motion_mv = relax_noise (&self->random, self->ecg_motion_mv, dt, ECG_MOTION_TAU_S,
                                             ECG_MOTION_MV * intensity);
  return mv;
}

/* Lead-off dropouts begin and end on the ECG's samples */
static gboolean
lead_off_at (HeartWaveformMaker *self,
             double              t)
{
  if (!self->lead_off && t >= self->lead_off_start)
    {
      self->lead_off = TRUE;
      self->lead_off_end = t + heart_random_range (&self->random, LEAD_OFF_MIN_S, LEAD_OFF_MAX_S);
      add_mark (&self->ecg_track, t, "lead_off");
    }
  else if (self->lead_off && t >= self->lead_off_end)
    {
      self->lead_off = FALSE;
      add_mark (&self->ecg_track, t, "lead_on");
      schedule_lead_off (self, t);
    }
  return self->lead_off;
}

static void
make_ecg (HeartWaveformMaker   *self,
          double                t_end,
          const HeartBreathing *breathing,
          double                intensity)
{
  HeartWaveformTrack *track = &self->ecg_track;
  double dt = 1 / track->fs_hz;

  for (double t; (t = track->next_index * dt) < t_end; track->next_index++)
    {
      double mv = heart_ecg_advance (&self->ecg, t, heart_breathing_get_signal (breathing, t))
                + ecg_noise (self, t, dt, intensity);
      float value = lead_off_at (self, t) ? 0.0f : (float) mv;

      if (track->values->len == 0)
        track->first_index = track->next_index;
      g_array_append_val (track->values, value);
    }
}

/* The marks of the pulses whose feet the PPG has reached */
static void
mark_feet (HeartWaveformMaker *self,
           double              t)
{
  guint kept = 0;

  for (guint i = 0; i < self->n_feet; i++)
    {
      if (self->foot_t[i] <= t)
        {
          add_mark (&self->ppg_track, self->foot_t[i], heart_beat_type_code (self->foot_type[i]));
          continue;
        }
      self->foot_t[kept] = self->foot_t[i];
      self->foot_type[kept] = self->foot_type[i];
      kept++;
    }
  self->n_feet = kept;
}

static void
make_ppg (HeartWaveformMaker   *self,
          double                t_end,
          const HeartBreathing *breathing,
          double                intensity)
{
  HeartWaveformTrack *track = &self->ppg_track;
  double dt = 1 / track->fs_hz;

  for (double t; (t = track->next_index * dt) < t_end; track->next_index++)
    {
      double value = heart_ppg_value (&self->ppg, t, heart_breathing_get_signal (breathing, t));
      float sample;

      mark_feet (self, t);
      if (self->moving)
        value += self->ppg_motion = relax_noise (&self->random, self->ppg_motion, dt, PPG_MOTION_TAU_S,
                                                 PPG_MOTION * intensity);
      sample = (float) value;
      if (track->values->len == 0)
        track->first_index = track->next_index;
      g_array_append_val (track->values, sample);
    }
}

/* Motion artefacts come with movement, when they are switched on */
static void
update_motion (HeartWaveformMaker *self,
               double              t,
               double              intensity)
{
  gboolean moving = (self->settings.noise & HEART_WAVEFORM_NOISE_MOTION) && intensity >= MOVING_INTENSITY;

  if (moving == self->moving)
    return;
  self->moving = moving;
  add_mark (&self->ecg_track, t, moving ? "motion" : "motion_end");
  add_mark (&self->ppg_track, t, moving ? "motion" : "motion_end");
}

void
heart_waveform_maker_run (HeartWaveformMaker   *self,
                          double                t_end,
                          const HeartBreathing *breathing,
                          double                intensity)
{
  double t_next = MIN (self->ecg_track.on ? self->ecg_track.next_index / self->ecg_track.fs_hz : INFINITY,
                       self->ppg_track.on ? self->ppg_track.next_index / self->ppg_track.fs_hz : INFINITY);

  if (t_next >= t_end)
    return;
  update_motion (self, t_next, intensity);
  if (self->ecg_track.on)
    make_ecg (self, t_end, breathing, intensity);
  if (self->ppg_track.on)
    make_ppg (self, t_end, breathing, intensity);
}

gboolean
heart_waveform_maker_peek (HeartWaveformMaker *self,
                           HeartChannelId      channel,
                           HeartWaveformBlock *block)
{
  HeartWaveformTrack *track = channel == HEART_CHANNEL_ECG ? &self->ecg_track : &self->ppg_track;

  g_return_val_if_fail (channel == HEART_CHANNEL_ECG || channel == HEART_CHANNEL_PPG, FALSE);
  if (!track->on || (track->values->len == 0 && track->marks->len == 0))
    return FALSE;
  *block = (HeartWaveformBlock) {
    .channel = channel,
    .fs_hz = track->fs_hz,
    .first_index = track->values->len > 0 ? track->first_index : track->next_index,
    .values = (const float *) track->values->data,
    .n_values = track->values->len,
    .marks = (const HeartWaveformMark *) track->marks->data,
    .n_marks = track->marks->len,
  };
  block->t0_s = block->first_index / track->fs_hz;
  return TRUE;
}

void
heart_waveform_maker_take_done (HeartWaveformMaker *self)
{
  g_array_set_size (self->ecg_track.values, 0);
  g_array_set_size (self->ecg_track.marks, 0);
  g_array_set_size (self->ppg_track.values, 0);
  g_array_set_size (self->ppg_track.marks, 0);
}
