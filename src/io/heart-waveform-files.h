/* heart-waveform-files.h: the ECG and PPG of a simulated run as files
 *
 * `heartsim generate --what ecg,ppg`: CSV rows with an annotations CSV
 * beside them, an EDF+ file (through EDFlib), or WFDB records, each with
 * the beats, artefacts and scenario phases as annotations
 * (docs/datasets.md, "Waveforms"). The options are heart-dataset.h's,
 * with kind HEART_DATASET_WAVEFORMS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-dataset.h"

G_BEGIN_DECLS

/* TRUE when this build writes EDF (EDFlib was found) */
gboolean heart_waveform_files_have_edf        (void);

/* The files a run written to @path is made of, in the order they are to be
 * renamed into place, the file a reader opens last: for CSV
 * `NAME.annotations.csv` then @path (a `.csv` suffix is NAME's); for EDF
 * @path; for WFDB each record's `.dat` and `.atr`, then the headers
 * (NAME.hea for the ECG, or the PPG alone; NAME_ppg.hea for the PPG beside
 * the ECG; @path is NAME or NAME.hea). A NULL @path or "-" is standard
 * output: CSV only, and the samples alone; so is a device or FIFO, which
 * takes CSV's samples or an EDF file. NULL with an error naming
 * --output when @path cannot be used. */
GStrv    heart_waveform_files_names           (const HeartDatasetOptions *options,
                                               const char *path,
                                               GError **error);
/* A lower bound of the bytes of all the files together (docs/datasets.md,
 * "Free space") */
guint64  heart_waveform_files_estimate_bytes  (const HeartDatasetOptions *options);

/* Runs the simulation and writes @names[i] through @outs[i]. EDFlib
 * writes an EDF file by its name: its stream must be a HeartOutputFile,
 * whose temporary file it fills (or @names[i] itself when written in
 * place). Renaming into place is the caller's. */
gboolean heart_waveform_files_write           (const HeartDatasetOptions *options,
                                               const char * const *names,
                                               GOutputStream * const *outs,
                                               HeartDatasetProgressFunc progress,
                                               gpointer user_data,
                                               GError **error);

G_END_DECLS
