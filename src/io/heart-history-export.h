/* heart-history-export.h: the last minutes of a history as a dataset
 *
 * The samples of a HeartHistory within the last @window_s seconds of
 * simulation time before its newest one, oldest first, as CSV (with the
 * header line) or JSON Lines: the rows `heartsim generate` writes for
 * samples, through heart_dataset_append_sample(). docs/desktop.md, The
 * window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-dataset.h"
#include "heart-history.h"

G_BEGIN_DECLS

/* What an export wrote */
typedef struct _HeartHistoryExport
{
  guint    n_samples;      /* rows written */
  double   first_t_s;      /* simulation time of the oldest row */
  double   last_t_s;       /* and of the newest */
  double   span_s;         /* what the rows cover: last − first + one tick */
  double   requested_s;    /* the window asked for */
  gboolean short_of_request; /* the history held less than asked: all of it was written */
} HeartHistoryExport;

/* The simulation time the history covers, as an export of all of it would
 * write (span_s); 0 when it is empty */
double   heart_history_export_covered (HeartHistory *history);

/* Writes the rows to @out and fills @summary (may be NULL). Fails on an
 * empty history and when @out fails; @format is HEART_DATASET_CSV or
 * HEART_DATASET_JSONL. */
gboolean heart_history_export_write   (HeartHistory *history,
                                       double window_s,
                                       HeartDatasetFormat format,
                                       GOutputStream *out,
                                       HeartHistoryExport *summary,
                                       GError **error);

/* The same to a local file, as generate writes one (heart-output-file.h):
 * the file appears whole or not at all, an existing one stays untouched on
 * a failure, and the error names the file and the reason ("cannot write
 * day.csv: No such file or directory"). */
gboolean heart_history_export_to_file (HeartHistory *history,
                                       double window_s,
                                       HeartDatasetFormat format,
                                       GFile *file,
                                       HeartHistoryExport *summary,
                                       GError **error);

G_END_DECLS
