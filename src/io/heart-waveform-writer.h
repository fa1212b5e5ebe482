/* heart-waveform-writer.h: what the waveform file formats have in common
 *
 * heart-waveform-files.c runs the simulation and hands each writer the
 * waveform samples, block by block, cut to the run's duration, and the
 * annotations in time order: the waveforms' marks and the scenario's
 * phases. A writer is a plain struct that starts with a
 * HeartWaveformWriter; the format's constructor fills in the functions.
 * Private to the io layer (docs/datasets.md, "Waveforms").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-dataset.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

/* One annotation: a mark of the ECG or the PPG (heart-waveform.h's codes),
 * or the scenario's phase from @t_s on (@channel HEART_CHANNEL_CONDITION,
 * @code the phase's name, "" when the scenario has ended) */
typedef struct
{
  HeartChannelId channel;
  double         t_s;
  gint64         timestamp_us;
  const char    *code;
} HeartWaveformAnnotation;

typedef struct _HeartWaveformWriter HeartWaveformWriter;

struct _HeartWaveformWriter
{
  /* samples of ECG or PPG, following on from the channel's last */
  gboolean (*add_block)      (HeartWaveformWriter *self,
                              const HeartWaveformBlock *block,
                              GError **error);
  /* no earlier than the one before */
  gboolean (*add_annotation) (HeartWaveformWriter *self,
                              const HeartWaveformAnnotation *annotation,
                              GError **error);
  /* after the last block and annotation: the rest of the files */
  gboolean (*finish)         (HeartWaveformWriter *self,
                              GError **error);
  void     (*free)           (HeartWaveformWriter *self);
};

/* The samples of the run: sample k of @channel is at k / rate, and those
 * before the end of the duration are written */
guint64 heart_waveform_writer_count_samples (const HeartDatasetOptions *options,
                                             HeartChannelId channel);
/* The timestamp of sample @index of @channel, as the simulator stamps it */
gint64  heart_waveform_writer_sample_time   (const HeartDatasetOptions *options,
                                             HeartChannelId channel,
                                             guint64 index);
/* "seed 1, profile average, scenario weekday": what made the recording */
char   *heart_waveform_writer_describe      (const HeartDatasetOptions *options);

/* CSV: @samples the rows, @annotations (NULL: none) their annotations */
HeartWaveformWriter *heart_waveform_csv_new  (const HeartDatasetOptions *options,
                                              GOutputStream *samples,
                                              GOutputStream *annotations);
/* WFDB: a record a waveform, each with the .dat, .atr and .hea of
 * heart_waveform_files_names(), in that order */
HeartWaveformWriter *heart_waveform_wfdb_new (const HeartDatasetOptions *options,
                                              const char * const *names,
                                              GOutputStream * const *outs);
/* EDF+ through EDFlib, which writes @path itself; @name is for messages
 * and @spool_folder takes a temporary file of the samples (removed at
 * once, so nothing stays there whatever happens) */
HeartWaveformWriter *heart_waveform_edf_new  (const HeartDatasetOptions *options,
                                              const char *path,
                                              const char *name,
                                              const char *spool_folder,
                                              GError **error);

G_END_DECLS
