/* heart-ppg.h: the pulse wave at the wrist, one pulse a beat
 *
 * A plain struct owned by the waveform maker (docs/waveforms.md, "PPG").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-ecg.h"

G_BEGIN_DECLS

#define HEART_PPG_PULSES 8

typedef struct
{
  double foot_t;      /* the upstroke begins */
  double amplitude;   /* a.u. */
  double scale;       /* the pulse's length, relative to one at 60 bpm */
} HeartPulse;

typedef struct
{
  HeartPulse pulses[HEART_PPG_PULSES];   /* the latest, a ring */
  guint      head;
} HeartPpg;

void   heart_ppg_init         (HeartPpg *self);
/* Pulse arrival time: R peak to the pulse's foot, 150–300 ms, shorter under
 * stress and at a higher heart rate */
double heart_ppg_arrival_time (const HeartWaveBeat *beat);
/* The pulse of @beat, which has just fired; returns its foot's time */
double heart_ppg_add_beat     (HeartPpg *self,
                               const HeartWaveBeat *beat);
/* The clean PPG at @t; @respiration (chest expansion, ~0–1) moves its
 * baseline and amplitude */
double heart_ppg_value        (const HeartPpg *self,
                               double t,
                               double respiration);

G_END_DECLS
