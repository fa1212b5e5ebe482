/* heart-waveform-maker.h: makes the ECG and PPG samples of the person, with
 * their noise and labelled artefacts
 *
 * A plain struct owned by the person's model, run in time order with the
 * beats: before each step of the model it makes the samples up to the step's
 * end from the state of the step (docs/waveforms.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-breathing.h"
#include "heart-ecg.h"
#include "heart-ppg.h"
#include "heart-random.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

#define HEART_WAVEFORM_FEET 8

/* One waveform channel's samples made since the blocks were last taken */
typedef struct
{
  gboolean on;
  double   fs_hz;
  guint64  next_index;     /* of the next sample to make */
  guint64  first_index;    /* of values[0] */
  GArray  *values;         /* float */
  GArray  *marks;          /* HeartWaveformMark */
} HeartWaveformTrack;

typedef struct
{
  HeartWaveformSettings settings;
  HeartRandom        random;      /* noise and dropouts */
  HeartEcg           ecg;
  HeartPpg           ppg;
  HeartWaveformTrack ecg_track;
  HeartWaveformTrack ppg_track;
  /* the pulses' feet still ahead of the PPG samples, for their marks */
  double             foot_t[HEART_WAVEFORM_FEET];
  HeartBeatType      foot_type[HEART_WAVEFORM_FEET];
  guint              n_feet;
  /* noise states */
  double             wander_mv;
  double             ecg_motion_mv;
  double             ppg_motion;
  gboolean           moving;
  double             lead_off_start;   /* of the next dropout, or of the one under way */
  double             lead_off_end;
  gboolean           lead_off;
} HeartWaveformMaker;

void     heart_waveform_maker_init       (HeartWaveformMaker *self,
                                          guint64 seed,
                                          guint64 stream);
void     heart_waveform_maker_clear      (HeartWaveformMaker *self);
/* Which of the ECG and PPG to make from @t on, and how; a track whose rate
 * changes starts again on its new grid */
void     heart_waveform_maker_configure  (HeartWaveformMaker *self,
                                          HeartChannelMask channels,
                                          const HeartWaveformSettings *settings,
                                          double t);
gboolean heart_waveform_maker_is_on      (const HeartWaveformMaker *self);
/* @last has just fired (or, at the start, is the beat before now); @next is
 * scheduled. With @fired the beat is marked. */
void     heart_waveform_maker_set_beats  (HeartWaveformMaker *self,
                                          const HeartWaveBeat *last,
                                          const HeartWaveBeat *next,
                                          gboolean fired);
/* Makes the samples before @t_end; breathing and @intensity (exercise, 0–1)
 * as they are now */
void     heart_waveform_maker_run        (HeartWaveformMaker *self,
                                          double t_end,
                                          const HeartBreathing *breathing,
                                          double intensity);
/* The samples and marks of @channel made since the last take; FALSE with
 * none. The block's memory is the maker's until heart_waveform_maker_take_done(). */
gboolean heart_waveform_maker_peek       (HeartWaveformMaker *self,
                                          HeartChannelId channel,
                                          HeartWaveformBlock *block);
void     heart_waveform_maker_take_done  (HeartWaveformMaker *self);

G_END_DECLS
