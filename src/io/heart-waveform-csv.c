/* heart-waveform-csv.c: the waveforms as CSV rows, their annotations in a
 * CSV of their own
 *
 * One row a sample of the ECG (timestamp,t_s,ecg_mv[,ppg]), or of the PPG
 * when it is alone (timestamp,t_s,ppg). Beside the ECG, the ppg column
 * holds the latest PPG sample at or before the row's time, sample and hold,
 * so no value is made up (docs/datasets.md, "Waveforms").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-waveform-writer.h"

#include <math.h>

#include "heart-fields.h"

#define FLUSH_BYTES (256 * 1024)

typedef struct
{
  HeartWaveformWriter        parent;
  const HeartDatasetOptions *options;
  GOutputStream             *samples;
  GOutputStream             *annotations;   /* NULL: not written */
  GString                   *rows;
  GString                   *notes;
  gboolean                   ecg;
  gboolean                   ppg;
  double                     ecg_rate;
  double                     ppg_rate;
  gboolean                   header_written;
  /* with both: ECG samples waiting for the PPG to reach them, and the PPG
   * samples they may still need */
  GArray                    *ecg_waiting;   /* float */
  guint64                    ecg_first;     /* index of ecg_waiting[0] */
  GArray                    *ppg_recent;    /* float */
  guint64                    ppg_first;     /* index of ppg_recent[0] */
} Csv;

static gboolean
flush (GOutputStream  *out,
       GString        *text,
       gsize           at_least,
       GError        **error)
{
  gboolean ok = TRUE;

  if (text->len < at_least || text->len == 0)
    return TRUE;
  ok = g_output_stream_write_all (out, text->str, text->len, NULL, NULL, error);
  g_string_truncate (text, 0);
  return ok;
}

static void
append_row (Csv            *self,
            HeartChannelId  grid,
            guint64         index,
            double          value,
            double          held)
{
  double rate = grid == HEART_CHANNEL_ECG ? self->ecg_rate : self->ppg_rate;
  HeartField fields[4];
  guint n = 0;

  fields[n++] = (HeartField) { "timestamp", HEART_FIELD_TIMESTAMP,
                               .integer = heart_waveform_writer_sample_time (self->options, grid, index) };
  fields[n++] = (HeartField) { "t_s", HEART_FIELD_DECIMALS_3, .number = index / rate };
  fields[n++] = (HeartField) { grid == HEART_CHANNEL_ECG ? "ecg_mv" : "ppg", HEART_FIELD_DECIMALS_3, .number = value };
  if (grid == HEART_CHANNEL_ECG && self->ppg)
    fields[n++] = (HeartField) { "ppg", HEART_FIELD_DECIMALS_3, .number = held };
  if (!self->header_written)
    heart_fields_append_header (self->rows, fields, n);
  self->header_written = TRUE;
  heart_fields_append (self->rows, HEART_FIELDS_CSV, fields, n);
}

/* The PPG sample at or before ECG sample @k */
static guint64
held_index (Csv     *self,
            guint64  k)
{
  return (guint64) floor ((double) k * self->ppg_rate / self->ecg_rate);
}

/* Writes the waiting ECG rows whose PPG sample has come; at the end
 * (@all) the rest with the last PPG sample */
static void
write_waiting (Csv      *self,
               gboolean  all)
{
  guint done = 0;
  guint64 last_held = self->ppg_first;

  for (; done < self->ecg_waiting->len; done++)
    {
      guint64 k = self->ecg_first + done;
      guint64 j = held_index (self, k);

      if (j >= self->ppg_first + self->ppg_recent->len)
        {
          if (!all || self->ppg_recent->len == 0)
            break;
          j = self->ppg_first + self->ppg_recent->len - 1;
        }
      append_row (self, HEART_CHANNEL_ECG, k, g_array_index (self->ecg_waiting, float, done),
                  g_array_index (self->ppg_recent, float, j - self->ppg_first));
      last_held = j;
    }
  g_array_remove_range (self->ecg_waiting, 0, done);
  self->ecg_first += done;
  /* later rows need this PPG sample or later ones */
  if (last_held > self->ppg_first)
    {
      g_array_remove_range (self->ppg_recent, 0, (guint) (last_held - self->ppg_first));
      self->ppg_first = last_held;
    }
}

static gboolean
csv_add_block (HeartWaveformWriter       *writer,
               const HeartWaveformBlock  *block,
               GError                   **error)
{
  Csv *self = (Csv *) writer;

  if (!(self->ecg && self->ppg))
    {
      for (guint i = 0; i < block->n_values; i++)
        append_row (self, block->channel, block->first_index + i, block->values[i], 0);
    }
  else
    {
      if (block->channel == HEART_CHANNEL_ECG)
        {
          if (self->ecg_waiting->len == 0)
            self->ecg_first = block->first_index;
          g_array_append_vals (self->ecg_waiting, block->values, block->n_values);
        }
      else
        {
          if (self->ppg_recent->len == 0)
            self->ppg_first = block->first_index;
          g_array_append_vals (self->ppg_recent, block->values, block->n_values);
        }
      write_waiting (self, FALSE);
    }
  return flush (self->samples, self->rows, FLUSH_BYTES, error);
}

static gboolean
csv_add_annotation (HeartWaveformWriter            *writer,
                    const HeartWaveformAnnotation  *annotation,
                    GError                        **error)
{
  Csv *self = (Csv *) writer;
  HeartField fields[] = {
    { "timestamp", HEART_FIELD_TIMESTAMP, .integer = annotation->timestamp_us },
    { "t_s", HEART_FIELD_DECIMALS_3, .number = annotation->t_s },
    { "channel", HEART_FIELD_STRING, .string = heart_channel_get (annotation->channel)->name },
    { "code", HEART_FIELD_STRING, .string = annotation->code },
  };

  if (self->annotations == NULL)
    return TRUE;
  heart_fields_append (self->notes, HEART_FIELDS_CSV, fields, G_N_ELEMENTS (fields));
  return flush (self->annotations, self->notes, FLUSH_BYTES, error);
}

static gboolean
csv_finish (HeartWaveformWriter  *writer,
            GError              **error)
{
  Csv *self = (Csv *) writer;

  if (self->ecg && self->ppg)
    write_waiting (self, TRUE);
  return flush (self->samples, self->rows, 0, error)
         && (self->annotations == NULL || flush (self->annotations, self->notes, 0, error));
}

static void
csv_free (HeartWaveformWriter *writer)
{
  Csv *self = (Csv *) writer;

  g_string_free (self->rows, TRUE);
  g_string_free (self->notes, TRUE);
  g_array_unref (self->ecg_waiting);
  g_array_unref (self->ppg_recent);
  g_free (self);
}

HeartWaveformWriter *
heart_waveform_csv_new (const HeartDatasetOptions *options,
                        GOutputStream             *samples,
                        GOutputStream             *annotations)
{
  Csv *self = g_new0 (Csv, 1);

  self->parent = (HeartWaveformWriter) { csv_add_block, csv_add_annotation, csv_finish, csv_free };
  self->options = options;
  self->samples = samples;
  self->annotations = annotations;
  self->rows = g_string_sized_new (FLUSH_BYTES + 4096);
  self->notes = g_string_new (NULL);
  self->ecg = (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG)) != 0;
  self->ppg = (options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_PPG)) != 0;
  self->ecg_rate = options->waveform_settings.ecg_rate_hz;
  self->ppg_rate = options->waveform_settings.ppg_rate_hz;
  self->ecg_waiting = g_array_new (FALSE, FALSE, sizeof (float));
  self->ppg_recent = g_array_new (FALSE, FALSE, sizeof (float));
  if (annotations != NULL)
    g_string_append (self->notes, "timestamp,t_s,channel,code\n");
  return &self->parent;
}
