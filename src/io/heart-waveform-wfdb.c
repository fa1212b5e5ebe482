/* heart-waveform-wfdb.c: the waveforms as WFDB records (PhysioNet's format)
 *
 * A record a waveform, each at its own rate: WFDB gives a record one frame
 * rate, and the PPG's 64 Hz beside the ECG's 250 Hz would need frames of
 * 0.5 s, in which annotations could only be placed to the frame. Each
 * record is a header (.hea, header(5)), the samples in format 16 (.dat,
 * signal(5): 16-bit two's complement, little-endian) and the annotations
 * in MIT format (.atr, annot(5)). docs/datasets.md, "WFDB".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-waveform-writer.h"

#include <math.h>
#include <string.h>

#define FLUSH_BYTES (256 * 1024)
#define ADC_MAX 32767
/* -32768 is WFDB's "no sample" (WFDB_INVALID_SAMPLE): never written */
#define ADC_MIN (-32767)
/* an annotation word: the code in the top 6 bits, the samples since the
 * previous annotation in the low 10 (annot(5)) */
#define ANN_CODE_SHIFT 10
#define ANN_MAX_INTERVAL 1023
#define ANN_NORMAL 1     /* N: normal beat */
#define ANN_PVC 5        /* V: premature ventricular contraction */
#define ANN_SVPB 9       /* S: premature supraventricular beat */
#define ANN_NOTE 22      /* a comment, its text in the aux field */
#define ANN_SKIP 59      /* the interval follows as a 32-bit number */
#define ANN_AUX 63       /* the aux field: its length, then its bytes */
#define ANN_AUX_MAX 255

typedef struct
{
  HeartChannelId channel;
  char          *name;         /* the record's name: the path's last part */
  double         rate;
  double         gain;         /* ADC units a unit */
  const char    *units;
  const char    *description;
  GOutputStream *dat;
  GOutputStream *atr;
  GOutputStream *hea;
  GString       *dat_buffer;
  GString       *atr_buffer;
  guint64        n_samples;
  int            first_sample;
  guint16        checksum;     /* the samples' sum, modulo 2^16 */
  gint64         last_annotation;  /* sample of the previous annotation */
} Record;

typedef struct
{
  HeartWaveformWriter        parent;
  const HeartDatasetOptions *options;
  Record                     records[2];
  guint                      n_records;
} Wfdb;

static gboolean
flush (GOutputStream  *out,
       GString        *bytes,
       gsize           at_least,
       GError        **error)
{
  gboolean ok;

  if (bytes->len < at_least || bytes->len == 0)
    return TRUE;
  ok = g_output_stream_write_all (out, bytes->str, bytes->len, NULL, NULL, error);
  g_string_truncate (bytes, 0);
  return ok;
}

static void
put_16 (GString *out,
        guint    word)
{
  g_string_append_c (out, (char) (word & 0xff));
  g_string_append_c (out, (char) ((word >> 8) & 0xff));
}

static Record *
find_record (Wfdb           *self,
             HeartChannelId  channel)
{
  for (guint i = 0; i < self->n_records; i++)
    if (self->records[i].channel == channel)
      return &self->records[i];
  return NULL;
}

static gboolean
wfdb_add_block (HeartWaveformWriter       *writer,
                const HeartWaveformBlock  *block,
                GError                   **error)
{
  Record *record = find_record ((Wfdb *) writer, block->channel);

  for (guint i = 0; i < block->n_values; i++)
    {
      double adu = isfinite (block->values[i]) ? round (block->values[i] * record->gain) : 0;
      int sample = (int) CLAMP (adu, ADC_MIN, ADC_MAX);

      if (record->n_samples++ == 0)
        record->first_sample = sample;
      record->checksum += (guint16) sample;
      put_16 (record->dat_buffer, (guint16) sample);
    }
  return flush (record->dat, record->dat_buffer, FLUSH_BYTES, error);
}

static int
beat_code (const char *code)
{
  if (g_str_equal (code, "N"))
    return ANN_NORMAL;
  if (g_str_equal (code, "V"))
    return ANN_PVC;
  if (g_str_equal (code, "S"))
    return ANN_SVPB;
  return 0;
}

/* One annotation at @sample: the interval (through SKIP past 1023 or
 * backwards), the code, and the aux text when there is one */
static void
put_annotation (Record     *record,
                gint64      sample,
                int         code,
                const char *aux)
{
  gint64 interval = sample - record->last_annotation;

  if (interval > ANN_MAX_INTERVAL || interval < 0)
    {
      /* a PDP-11 long: the high 16 bits first, each half low byte first */
      put_16 (record->atr_buffer, ANN_SKIP << ANN_CODE_SHIFT);
      put_16 (record->atr_buffer, (guint) (((guint64) interval >> 16) & 0xffff));
      put_16 (record->atr_buffer, (guint) ((guint64) interval & 0xffff));
      interval = 0;
    }
  put_16 (record->atr_buffer, ((guint) code << ANN_CODE_SHIFT) | (guint) interval);
  record->last_annotation = sample;
  if (aux != NULL)
    {
      gsize length = MIN (strlen (aux), ANN_AUX_MAX);

      put_16 (record->atr_buffer, (ANN_AUX << ANN_CODE_SHIFT) | (guint) length);
      g_string_append_len (record->atr_buffer, aux, (gssize) length);
      if (length % 2 != 0)
        g_string_append_c (record->atr_buffer, '\0');
    }
}

static gboolean
add_to_record (Record                         *record,
               const HeartWaveformAnnotation  *annotation,
               GError                        **error)
{
  gint64 sample = llround (annotation->t_s * record->rate);
  int code = beat_code (annotation->code);
  g_autofree char *condition = NULL;

  if (annotation->channel == HEART_CHANNEL_CONDITION)
    put_annotation (record, sample, ANN_NOTE, condition = g_strconcat ("condition: ", annotation->code, NULL));
  else if (code != 0)
    put_annotation (record, sample, code, NULL);
  else
    put_annotation (record, sample, ANN_NOTE, annotation->code);
  return flush (record->atr, record->atr_buffer, FLUSH_BYTES, error);
}

/* A waveform's marks go to its record, the phases to every record */
static gboolean
wfdb_add_annotation (HeartWaveformWriter            *writer,
                     const HeartWaveformAnnotation  *annotation,
                     GError                        **error)
{
  Wfdb *self = (Wfdb *) writer;

  for (guint i = 0; i < self->n_records; i++)
    if ((annotation->channel == HEART_CHANNEL_CONDITION || annotation->channel == self->records[i].channel)
        && !add_to_record (&self->records[i], annotation, error))
      return FALSE;
  return TRUE;
}

/* "12:00:00 01/01/2026", with the milliseconds when there are any */
static void
append_base_time (GString *out,
                  gint64   start_us)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (start_us / G_USEC_PER_SEC);
  int ms = (int) ((start_us % G_USEC_PER_SEC) / 1000);

  g_string_append_printf (out, "%02d:%02d:%02d", g_date_time_get_hour (start), g_date_time_get_minute (start),
                          g_date_time_get_second (start));
  if (ms != 0)
    g_string_append_printf (out, ".%03d", ms);
  g_string_append_printf (out, " %02d/%02d/%04d", g_date_time_get_day_of_month (start),
                          g_date_time_get_month (start), g_date_time_get_year (start));
}

static gboolean
write_header (Wfdb    *self,
              Record  *record,
              GError **error)
{
  const HeartWaveformSettings *settings = &self->options->waveform_settings;
  g_autoptr(GString) hea = g_string_new (NULL);
  g_autofree char *made_by = heart_waveform_writer_describe (self->options);
  g_autofree char *noise = heart_waveform_noise_to_string (settings->noise);
  char gain[G_ASCII_DTOSTR_BUF_SIZE];

  /* record line: name, signals, frequency, samples, base time and date */
  g_string_append_printf (hea, "%s 1 %g %" G_GUINT64_FORMAT " ", record->name, record->rate, record->n_samples);
  append_base_time (hea, self->options->start_time_us);
  g_string_append_c (hea, '\n');
  /* signal line: file, format, gain(baseline)/units, ADC resolution,
   * ADC zero, initial value, checksum, block size, description */
  g_ascii_formatd (gain, sizeof gain, "%g", record->gain);
  g_string_append_printf (hea, "%s.dat 16 %s(0)/%s 16 0 %d %d 0 %s\n", record->name, gain, record->units,
                          record->first_sample, (int) (gint16) record->checksum, record->description);
  g_string_append_printf (hea, "# Heartsim %s, a simulated recording: %s\n", PACKAGE_VERSION, made_by);
  if (record->channel == HEART_CHANNEL_ECG)
    g_string_append_printf (hea, "# noise %s (mains %g Hz); PVC %g, PAC %g, lead-off %g an hour\n",
                            *noise != '\0' ? noise : "none", settings->powerline_hz, settings->pvc_per_hour,
                            settings->pac_per_hour, settings->lead_off_per_hour);
  else
    g_string_append_printf (hea, "# noise %s; PVC %g, PAC %g an hour\n", *noise != '\0' ? noise : "none",
                            settings->pvc_per_hour, settings->pac_per_hour);
  g_string_append_printf (hea, "# %s.atr: beats N (1), V (5), S (9) at %s; NOTE (22) with aux %smotion, "
                               "motion_end, \"condition: PHASE\"\n",
                          record->name, record->channel == HEART_CHANNEL_ECG ? "the R peaks" : "the pulses' feet",
                          record->channel == HEART_CHANNEL_ECG ? "lead_off, lead_on, " : "");
  return g_output_stream_write_all (record->hea, hea->str, hea->len, NULL, NULL, error);
}

static gboolean
wfdb_finish (HeartWaveformWriter  *writer,
             GError              **error)
{
  Wfdb *self = (Wfdb *) writer;

  for (guint i = 0; i < self->n_records; i++)
    {
      Record *record = &self->records[i];

      /* the annotations end with a zero word */
      put_16 (record->atr_buffer, 0);
      if (!flush (record->dat, record->dat_buffer, 0, error)
          || !flush (record->atr, record->atr_buffer, 0, error)
          || !write_header (self, record, error))
        return FALSE;
    }
  return TRUE;
}

static void
wfdb_free (HeartWaveformWriter *writer)
{
  Wfdb *self = (Wfdb *) writer;

  for (guint i = 0; i < self->n_records; i++)
    {
      g_free (self->records[i].name);
      g_string_free (self->records[i].dat_buffer, TRUE);
      g_string_free (self->records[i].atr_buffer, TRUE);
    }
  g_free (self);
}

HeartWaveformWriter *
heart_waveform_wfdb_new (const HeartDatasetOptions *options,
                         const char * const        *names,
                         GOutputStream * const     *outs)
{
  Wfdb *self = g_new0 (Wfdb, 1);
  static const HeartChannelId channels[] = { HEART_CHANNEL_ECG, HEART_CHANNEL_PPG };

  self->parent = (HeartWaveformWriter) { wfdb_add_block, wfdb_add_annotation, wfdb_finish, wfdb_free };
  self->options = options;
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    if (options->waveforms & HEART_CHANNEL_BIT (channels[c]))
      self->records[self->n_records++] = (Record) { .channel = channels[c] };
  /* names: each record's .dat and .atr, then the headers
   * (heart_waveform_files_names()) */
  for (guint i = 0; i < self->n_records; i++)
    {
      Record *record = &self->records[i];
      g_autofree char *base = g_path_get_basename (names[2 * i]);
      gboolean ecg = record->channel == HEART_CHANNEL_ECG;

      record->name = g_strndup (base, strlen (base) - strlen (".dat"));
      record->rate = heart_waveform_settings_get_rate (&options->waveform_settings, record->channel);
      /* 1 µV and 0.0001 a step: finer than either model's detail */
      record->gain = ecg ? 1000 : 10000;
      record->units = heart_channel_get (record->channel)->unit;
      record->description = ecg ? "ECG II" : "PPG";
      record->dat = outs[2 * i];
      record->atr = outs[2 * i + 1];
      record->hea = outs[2 * self->n_records + i];
      record->dat_buffer = g_string_sized_new (FLUSH_BYTES + 4096);
      record->atr_buffer = g_string_new (NULL);
    }
  return &self->parent;
}
