/* heart-ecg.h: the ECG of ECGSYN's dynamical model, one revolution a beat
 *
 * A plain struct owned by the waveform maker. The trajectory goes round the
 * limit cycle once per RR interval of the person's own beat stream, so each
 * R peak falls on a beat's time (docs/waveforms.md, "ECG").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-beat.h"

G_BEGIN_DECLS

/* A beat as the waveforms see it */
typedef struct
{
  double        r_t;       /* simulation time of the R peak */
  double        rr_s;      /* the interval that ends with it */
  double        stress;    /* 0–1 at the beat */
  HeartBeatType type;
} HeartWaveBeat;

/* One of the P, Q, R, S, T waves of a beat, placed in time */
typedef struct
{
  double   t;              /* centre, simulation time */
  double   sigma;          /* width, s */
  double   height_mv;
  gboolean qrs;            /* breathing modulates its height */
} HeartEcgWave;

#define HEART_ECG_WAVES 5

typedef struct
{
  HeartEcgWave  waves[2][HEART_ECG_WAVES];   /* of the last and the next beat */
  HeartWaveBeat last;      /* the R peak before now */
  HeartWaveBeat next;      /* the one after */
  double        z;         /* the model's z, mV */
  double        t;         /* time of z */
  gboolean      started;
} HeartEcg;

void   heart_ecg_init       (HeartEcg *self);
/* The beat just past becomes the last, @next (already scheduled) the next */
void   heart_ecg_set_beats  (HeartEcg *self,
                             const HeartWaveBeat *last,
                             const HeartWaveBeat *next);
/* Integrates z on to @t (after the time of the sample before) and returns
 * the clean ECG there in mV; @respiration (chest expansion, ~0–1) moves the
 * baseline and the QRS amplitude */
double heart_ecg_advance    (HeartEcg *self,
                             double t,
                             double respiration);

G_END_DECLS
