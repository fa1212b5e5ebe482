/* heart-waveform-files.c: run the simulation, hand its waveforms and
 * annotations to a format's writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-waveform-files.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "heart-duration.h"
#include "heart-output-file.h"
#include "heart-waveform-writer.h"

/* the shortest CSV row: a timestamp and "0.000" in each other column */
#define CSV_TIMESTAMP_CHARS 24
#define CSV_NUMBER_CHARS 5
#define EDF_HEADER_BYTES 256
#define EDF_ANNOTATION_BYTES 114

/* An annotation waiting until every waveform has come past it */
typedef struct
{
  HeartChannelId channel;
  double         t_s;
  gint64         timestamp_us;
  guint64        seq;            /* arrival: keeps ties in order */
  char           code[HEART_LABEL_MAX];
} Pending;

typedef struct
{
  const HeartDatasetOptions *options;
  HeartWaveformWriter       *writer;
  GError                    *error;
  guint64                    limit[2];     /* samples to write: ECG, PPG */
  double                     latest_s[2];  /* the time of the latest sample made */
  GArray                    *pending;      /* Pending */
  guint64                    seq;
} Run;

gboolean
heart_waveform_files_have_edf (void)
{
  return HAVE_EDFLIB;
}

static guint
channel_slot (HeartChannelId channel)
{
  return channel == HEART_CHANNEL_ECG ? 0 : 1;
}

guint64
heart_waveform_writer_count_samples (const HeartDatasetOptions *options,
                                     HeartChannelId             channel)
{
  double rate = heart_waveform_settings_get_rate (&options->waveform_settings, channel);

  /* k / rate < duration; 1e-9 keeps a whole duration from gaining a sample */
  return (guint64) ceil (options->duration_s * rate - 1e-9);
}

gint64
heart_waveform_writer_sample_time (const HeartDatasetOptions *options,
                                   HeartChannelId             channel,
                                   guint64                    index)
{
  double rate = heart_waveform_settings_get_rate (&options->waveform_settings, channel);

  return options->start_time_us + (gint64) llround ((double) index / rate * G_USEC_PER_SEC);
}

char *
heart_waveform_writer_describe (const HeartDatasetOptions *options)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "seed %" G_GUINT64_FORMAT ", profile %s", options->seed,
                          options->profile != NULL ? options->profile : "average");
  if (options->scenario != NULL)
    g_string_append_printf (text, ", scenario %s", heart_scenario_get_name (options->scenario));
  return g_string_free (text, FALSE);
}

/* ------------------------------------------------------------------ names */

static char *
without_suffix (const char *path,
                const char *suffix)
{
  if (g_str_has_suffix (path, suffix) && strlen (path) > strlen (suffix))
    return g_strndup (path, strlen (path) - strlen (suffix));
  return g_strdup (path);
}

/* WFDB record names are letters, digits and underscores (header(5)) */
static gboolean
is_record_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  return TRUE;
}

static GStrv
wfdb_names (const HeartDatasetOptions  *options,
            const char                 *path,
            GError                    **error)
{
  g_autofree char *base = without_suffix (path, ".hea");
  g_autofree char *name = g_path_get_basename (base);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);

  if (!is_record_name (name))
    {
      heart_option_error (error, "--output: a WFDB record's name is letters, digits and underscores, not '%s'",
                          name);
      return NULL;
    }
  if (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG))
    g_ptr_array_add (records, g_strdup (base));
  if (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_PPG))
    g_ptr_array_add (records, records->len > 0 ? g_strconcat (base, "_ppg", NULL) : g_strdup (base));
  for (guint i = 0; i < records->len; i++)
    {
      g_ptr_array_add (names, g_strconcat (records->pdata[i], ".dat", NULL));
      g_ptr_array_add (names, g_strconcat (records->pdata[i], ".atr", NULL));
    }
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (names, g_strconcat (records->pdata[i], ".hea", NULL));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* A device or FIFO, written in place (heart-output-file.h): no file can
 * be put beside it */
static gboolean
is_device (const char *path)
{
  GStatBuf info;

  return g_stat (path, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode);
}

GStrv
heart_waveform_files_names (const HeartDatasetOptions  *options,
                            const char                 *path,
                            GError                    **error)
{
  gboolean to_stdout = path == NULL || g_str_equal (path, "-");
  g_autofree char *base = NULL;

  g_return_val_if_fail (options->kind == HEART_DATASET_WAVEFORMS, NULL);

  switch (options->format)
    {
    case HEART_DATASET_CSV:
      if (to_stdout)
        return g_strdupv ((char *[]) { (char *) "-", NULL });
      if (is_device (path))
        return g_strdupv ((char *[]) { (char *) path, NULL });
      base = without_suffix (path, ".csv");
      {
        g_autofree char *annotations = g_strconcat (base, ".annotations.csv", NULL);

        return g_strdupv ((char *[]) { annotations, (char *) path, NULL });
      }
    case HEART_DATASET_EDF:
      if (to_stdout)
        {
          heart_option_error (error, "--format edf writes a file: give it with --output FILE");
          return NULL;
        }
      return g_strdupv ((char *[]) { (char *) path, NULL });
    case HEART_DATASET_WFDB:
      if (to_stdout)
        {
          heart_option_error (error, "--format wfdb writes a record of several files: name it with --output NAME");
          return NULL;
        }
      if (is_device (path))
        {
          heart_option_error (error, "--output: a WFDB record is files beside each other, and %s is a device", path);
          return NULL;
        }
      return wfdb_names (options, path, error);
    default:
      heart_option_error (error, "--what ecg and ppg are written as csv, edf or wfdb");
      return NULL;
    }
}

guint64
heart_waveform_files_estimate_bytes (const HeartDatasetOptions *options)
{
  gboolean ecg = (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG)) != 0;
  gboolean ppg = (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_PPG)) != 0;
  guint64 n_ecg = ecg ? heart_waveform_writer_count_samples (options, HEART_CHANNEL_ECG) : 0;
  guint64 n_ppg = ppg ? heart_waveform_writer_count_samples (options, HEART_CHANNEL_PPG) : 0;
  guint64 records = (guint64) ceil (options->duration_s - 1e-9);
  guint64 record_bytes = EDF_ANNOTATION_BYTES;

  switch (options->format)
    {
    case HEART_DATASET_CSV:
      /* a row a sample of the ECG, or of the PPG alone; annotations left out */
      return (ecg ? n_ecg : n_ppg) * (CSV_TIMESTAMP_CHARS + (1 + CSV_NUMBER_CHARS) * (ecg && ppg ? 3 : 2) + 1);
    case HEART_DATASET_EDF:
      /* the signals' headers and the first annotation signal's */
      if (ecg)
        record_bytes += 2 * (guint64) options->waveform_settings.ecg_rate_hz;
      if (ppg)
        record_bytes += 2 * (guint64) options->waveform_settings.ppg_rate_hz;
      return EDF_HEADER_BYTES * (2 + (ecg ? 1 : 0) + (ppg ? 1 : 0)) + records * record_bytes;
    case HEART_DATASET_WFDB:
      return 2 * (n_ecg + n_ppg);
    default:
      return 0;
    }
}

/* -------------------------------------------------------------------- run */

static void
pending_add (Run            *run,
             HeartChannelId  channel,
             double          t_s,
             gint64          timestamp_us,
             const char     *code)
{
  Pending pending = { channel, t_s, timestamp_us, run->seq++, "" };

  if (t_s >= run->options->duration_s)
    return;
  g_strlcpy (pending.code, code, sizeof pending.code);
  g_array_append_val (run->pending, pending);
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const Pending *pa = a, *pb = b;

  if (pa->t_s != pb->t_s)
    return pa->t_s < pb->t_s ? -1 : 1;
  return (pa->seq > pb->seq) - (pa->seq < pb->seq);
}

/* Hands on, in time order, the annotations up to @horizon s: every
 * waveform has come past them, so none made later can come before */
static void
flush_pending (Run    *run,
               double  horizon)
{
  guint n = 0;

  g_array_sort (run->pending, compare_pending);
  for (; n < run->pending->len && run->error == NULL; n++)
    {
      const Pending *pending = &g_array_index (run->pending, Pending, n);
      HeartWaveformAnnotation annotation = { pending->channel, pending->t_s, pending->timestamp_us, pending->code };

      if (pending->t_s > horizon)
        break;
      run->writer->add_annotation (run->writer, &annotation, &run->error);
    }
  g_array_remove_range (run->pending, 0, n);
}

static void
on_waveform (HeartSimulator           *simulator,
             const HeartWaveformBlock *block,
             Run                      *run)
{
  guint slot = channel_slot (block->channel);
  guint64 limit = run->limit[slot];
  HeartWaveformBlock cut = *block;

  if (run->error != NULL || !(run->options->waveforms & HEART_CHANNEL_BIT (block->channel)))
    return;
  for (guint i = 0; i < block->n_marks; i++)
    pending_add (run, block->channel, block->marks[i].t_s, block->marks[i].timestamp_us, block->marks[i].code);
  if (block->n_values > 0)
    run->latest_s[slot] = (block->first_index + block->n_values - 1) / block->fs_hz;
  cut.n_values = block->first_index >= limit ? 0 : (guint) MIN ((guint64) block->n_values, limit - block->first_index);
  cut.marks = NULL;
  cut.n_marks = 0;
  if (cut.n_values > 0)
    run->writer->add_block (run->writer, &cut, &run->error);
}

static void
on_values (HeartSimulator          *simulator,
           const HeartChannelValue *values,
           guint                    n_values,
           Run                     *run)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_CONDITION)
      pending_add (run, HEART_CHANNEL_CONDITION, values[i].t_s, values[i].timestamp_us, values[i].label);
}

/* The end of a tick: its blocks and values are all in */
static void
on_sample (HeartSimulator    *simulator,
           const HeartSample *sample,
           Run               *run)
{
  double horizon = G_MAXDOUBLE;

  if (run->options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG))
    horizon = MIN (horizon, run->latest_s[0]);
  if (run->options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_PPG))
    horizon = MIN (horizon, run->latest_s[1]);
  flush_pending (run, horizon);
}

static HeartWaveformWriter *
create_writer (const HeartDatasetOptions  *options,
               const char * const         *names,
               GOutputStream * const      *outs,
               GError                    **error)
{
  guint n = g_strv_length ((char **) names);

  switch (options->format)
    {
    case HEART_DATASET_CSV:
      /* the samples last; their annotations before them, unless on standard output */
      return heart_waveform_csv_new (options, outs[n - 1], n > 1 ? outs[0] : NULL);
    case HEART_DATASET_WFDB:
      return heart_waveform_wfdb_new (options, names, outs);
#if HAVE_EDFLIB
    case HEART_DATASET_EDF:
      {
        const char *temp = HEART_IS_OUTPUT_FILE (outs[0]) ? heart_output_file_get_temp_path (HEART_OUTPUT_FILE (outs[0]))
                                                          : NULL;
        const char *path = temp != NULL ? temp : names[0];
        g_autofree char *folder = g_path_get_dirname (path);

        return heart_waveform_edf_new (options, path, names[0], folder, error);
      }
#endif
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
heart_waveform_files_write (const HeartDatasetOptions  *options,
                            const char * const         *names,
                            GOutputStream * const      *outs,
                            HeartDatasetProgressFunc    progress,
                            gpointer                    user_data,
                            GError                    **error)
{
  g_autoptr(HeartSimulator) simulator = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  Run run = { options, NULL, NULL, { 0, 0 }, { -1, -1 }, pending, 0 };
  gboolean ok;

  g_return_val_if_fail (options->kind == HEART_DATASET_WAVEFORMS, FALSE);
  g_return_val_if_fail ((options->waveforms & ~HEART_CHANNEL_MASK_WAVEFORMS) == 0 && options->waveforms != 0, FALSE);
  g_return_val_if_fail (options->duration_s > 0, FALSE);

  run.writer = create_writer (options, names, outs, error);
  if (run.writer == NULL)
    return FALSE;
  run.limit[0] = heart_waveform_writer_count_samples (options, HEART_CHANNEL_ECG);
  run.limit[1] = heart_waveform_writer_count_samples (options, HEART_CHANNEL_PPG);

  simulator = heart_dataset_new_simulator (options, options->waveforms | HEART_CHANNEL_BIT (HEART_CHANNEL_CONDITION));
  g_signal_connect (simulator, "waveform", G_CALLBACK (on_waveform), &run);
  g_signal_connect (simulator, "values", G_CALLBACK (on_values), &run);
  g_signal_connect (simulator, "sample", G_CALLBACK (on_sample), &run);
  /* the samples cover the whole duration, not only whole ticks */
  heart_dataset_run (options, simulator, TRUE, &run.error, progress, user_data);
  g_signal_handlers_disconnect_by_data (simulator, &run);

  if (run.error == NULL)
    flush_pending (&run, G_MAXDOUBLE);
  if (run.error == NULL)
    run.writer->finish (run.writer, &run.error);
  run.writer->free (run.writer);
  ok = run.error == NULL;
  if (!ok)
    g_propagate_error (error, run.error);
  else if (progress != NULL)
    progress (1.0, user_data);
  return ok;
}
