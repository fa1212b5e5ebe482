/* heart-history-export.c: the last minutes of a history as a dataset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-history-export.h"

#include <math.h>

#include "heart-output-file.h"

#define FLUSH_BYTES (256 * 1024)
/* simulation times are sums of ticks: a sample exactly one window before
 * the newest is outside it, whatever rounding the sums picked up */
#define TIME_EPSILON_S 1e-6

typedef struct
{
  guint  first;   /* index in the history of the oldest sample written */
  guint  last;    /* and of the newest */
  double span_s;
} Selection;

/* Going back from the newest sample while simulation time goes back and
 * stays within the window. Time going forwards again going back is another
 * run (a replay that looped, another source: docs/architecture.md,
 * Sources), which does not belong to these minutes. */
static Selection
select_window (HeartHistory *history,
               double        window_s)
{
  guint length = heart_history_get_length (history);
  Selection selection = { 0, length - 1, 0 };
  double cut = heart_history_peek (history, selection.last)->t_s - window_s + TIME_EPSILON_S;
  const HeartSample *first, *next;
  double tick;

  selection.first = selection.last;
  while (selection.first > 0)
    {
      const HeartSample *before = heart_history_peek (history, selection.first - 1);

      if (before->t_s <= cut || before->t_s > heart_history_peek (history, selection.first)->t_s)
        break;
      selection.first--;
    }

  /* each sample stands for the tick that ends with it: 1,200 samples at
   * 2 Hz cover 10 minutes, as generate --duration 10m writes them */
  first = heart_history_peek (history, selection.first);
  next = heart_history_peek (history, MIN (selection.first + 1, selection.last));
  tick = next->t_s - first->t_s;
  selection.span_s = heart_history_peek (history, selection.last)->t_s - first->t_s + tick;
  return selection;
}

double
heart_history_export_covered (HeartHistory *history)
{
  g_return_val_if_fail (HEART_IS_HISTORY (history), 0);

  if (heart_history_get_length (history) == 0)
    return 0;
  return select_window (history, INFINITY).span_s;
}

static gboolean
flush (GOutputStream  *out,
       GString        *buffer,
       GError        **error)
{
  gboolean ok = g_output_stream_write_all (out, buffer->str, buffer->len, NULL, NULL, error);

  g_string_truncate (buffer, 0);
  return ok;
}

gboolean
heart_history_export_write (HeartHistory        *history,
                            double               window_s,
                            HeartDatasetFormat   format,
                            GOutputStream       *out,
                            HeartHistoryExport  *summary,
                            GError             **error)
{
  g_autoptr(GString) buffer = NULL;
  Selection selection;

  g_return_val_if_fail (HEART_IS_HISTORY (history), FALSE);
  g_return_val_if_fail (window_s > 0, FALSE);
  g_return_val_if_fail (format == HEART_DATASET_CSV || format == HEART_DATASET_JSONL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (heart_history_get_length (history) == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the history holds no samples");
      return FALSE;
    }

  selection = select_window (history, window_s);
  buffer = g_string_sized_new (FLUSH_BYTES + 4096);
  for (guint i = selection.first; i <= selection.last; i++)
    {
      heart_dataset_append_sample (buffer, format, heart_history_peek (history, i), i == selection.first);
      if (buffer->len >= FLUSH_BYTES && !flush (out, buffer, error))
        return FALSE;
    }
  if (!flush (out, buffer, error))
    return FALSE;

  if (summary != NULL)
    *summary = (HeartHistoryExport) {
      .n_samples = selection.last - selection.first + 1,
      .first_t_s = heart_history_peek (history, selection.first)->t_s,
      .last_t_s = heart_history_peek (history, selection.last)->t_s,
      .span_s = selection.span_s,
      .requested_s = window_s,
      .short_of_request = selection.span_s + TIME_EPSILON_S < window_s,
    };
  return TRUE;
}

gboolean
heart_history_export_to_file (HeartHistory        *history,
                              double               window_s,
                              HeartDatasetFormat   format,
                              GFile               *file,
                              HeartHistoryExport  *summary,
                              GError             **error)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr(HeartOutputFile) out = NULL;

  g_return_val_if_fail (HEART_IS_HISTORY (history), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = g_file_get_path (file);
  name = g_file_get_parse_name (file);
  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "cannot write %s: not a file on this computer", name);
      return FALSE;
    }
  /* checked before anything is created, so nothing is left behind */
  if (heart_history_get_length (history) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "cannot write %s: the history holds no samples", name);
      return FALSE;
    }

  out = heart_output_file_new (path, error);
  if (out == NULL)
    return FALSE;
  /* the stream's errors already name the file; closing drops the temporary file */
  if (!heart_history_export_write (history, window_s, format, G_OUTPUT_STREAM (out), summary, error))
    {
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      return FALSE;
    }
  return heart_output_file_commit (HEART_OUTPUT_FILE (out), error);
}
