/* heart-waveform-edf.c: the waveforms as an EDF+ file, through EDFlib
 *
 * Data records of 1 s, each with the ECG's and the PPG's samples of that
 * second at their own rates, the last one padded with the last sample. EDF+
 * keeps annotations in annotation signals of a size fixed before the first
 * record is written, and EDFlib puts one annotation in each such signal of
 * a record: how many signals a run needs is known only at its end. The
 * records therefore go to a spool file first (opened beside the output and
 * unlinked at once, so nothing of it can stay behind), and EDFlib writes
 * the file once the annotations are counted. docs/datasets.md, "EDF+".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-waveform-writer.h"

#include <edflib.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_S 1
#define DIGITAL_MIN (-32768)
#define DIGITAL_MAX 32767
/* EDFlib's fixed sizes (edflib.c): a header block, an annotation signal's
 * bytes in a record, the text of an annotation it writes, and the
 * annotation signals it allows */
#define HEADER_BLOCK_BYTES 256
#define ANNOTATION_SIGNAL_BYTES 114
#define ANNOTATION_TEXT_MAX 40
#define ANNOTATION_SIGNALS_MAX 64
/* EDFlib's onsets and durations are in units of 100 µs */
#define EDFLIB_TICKS_PER_S 10000
/* records spooled at a time */
#define SPOOL_RECORDS 8

typedef struct
{
  gint64 onset;      /* 100 µs */
  gint64 duration;   /* 100 µs, -1 for none */
  char   text[ANNOTATION_TEXT_MAX + 1];
} Annotation;

typedef struct
{
  HeartChannelId channel;
  int            per_record;   /* samples a record: the rate */
  double         physical_min;
  double         physical_max;
  GArray        *pending;      /* gint16 not yet in a record */
  gint16         last;
} Signal;

typedef struct
{
  HeartWaveformWriter        parent;
  const HeartDatasetOptions *options;
  char                      *path;      /* what EDFlib writes */
  char                      *name;      /* for messages */
  int                        spool;     /* the records so far, digital */
  GByteArray                *record;
  Signal                     signals[2];
  guint                      n_signals;
  guint64                    n_records;
  GArray                    *annotations;   /* Annotation */
  /* the phase under way: its annotation gets its length when it ends */
  int                        phase;         /* index in annotations, or -1 */
} Edf;

static gboolean
set_errno_error (Edf     *self,
                 int      errsv,
                 GError **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "cannot write %s: %s", self->name, g_strerror (errsv));
  return FALSE;
}

static gboolean
edflib_error (Edf         *self,
              const char  *what,
              GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: EDFlib failed %s", self->name, what);
  return FALSE;
}

/* EDFlib's conversion: phys = bitvalue × (offset + digital) */
static gint16
to_digital (const Signal *signal,
            double        value)
{
  double bitvalue = (signal->physical_max - signal->physical_min) / (DIGITAL_MAX - DIGITAL_MIN);
  double offset = signal->physical_max / bitvalue - DIGITAL_MAX;
  double digital = isfinite (value) ? round (value / bitvalue - offset) : 0;

  return (gint16) CLAMP (digital, DIGITAL_MIN, DIGITAL_MAX);
}

static gboolean
spool_write (Edf     *self,
             GError **error)
{
  const guint8 *data = self->record->data;
  gsize left = self->record->len;

  while (left > 0)
    {
      gssize written = write (self->spool, data, left);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        return set_errno_error (self, errno, error);
      data += written;
      left -= (gsize) written;
    }
  g_byte_array_set_size (self->record, 0);
  return TRUE;
}

/* The whole records every signal has samples for; at the end (@pad) the
 * last one too, filled with each signal's last sample */
static gboolean
write_records (Edf       *self,
               gboolean   pad,
               GError   **error)
{
  for (;;)
    {
      gboolean whole = TRUE, any = FALSE;

      for (guint s = 0; s < self->n_signals; s++)
        {
          whole = whole && self->signals[s].pending->len >= (guint) self->signals[s].per_record;
          any = any || self->signals[s].pending->len > 0;
        }
      if (!whole && !(pad && any))
        break;
      for (guint s = 0; s < self->n_signals; s++)
        {
          Signal *signal = &self->signals[s];
          guint take = MIN (signal->pending->len, (guint) signal->per_record);

          g_byte_array_append (self->record, (const guint8 *) signal->pending->data, take * sizeof (gint16));
          for (guint i = take; i < (guint) signal->per_record; i++)
            g_byte_array_append (self->record, (const guint8 *) &signal->last, sizeof (gint16));
          g_array_remove_range (signal->pending, 0, take);
        }
      self->n_records++;
    }
  return spool_write (self, error);
}

static gboolean
edf_add_block (HeartWaveformWriter       *writer,
               const HeartWaveformBlock  *block,
               GError                   **error)
{
  Edf *self = (Edf *) writer;
  Signal *signal = &self->signals[self->signals[0].channel == block->channel ? 0 : 1];

  for (guint i = 0; i < block->n_values; i++)
    {
      signal->last = to_digital (signal, block->values[i]);
      g_array_append_val (signal->pending, signal->last);
    }
  if (signal->pending->len < (guint) signal->per_record * SPOOL_RECORDS)
    return TRUE;
  return write_records (self, FALSE, error);
}

/* @text cut to what EDFlib keeps, on a character's boundary */
static void
copy_text (char       *text,
           const char *from)
{
  const char *end = from;

  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if (next - from > ANNOTATION_TEXT_MAX)
        break;
      end = next;
    }
  memcpy (text, from, (gsize) (end - from));
  text[end - from] = '\0';
}

static void
end_phase (Edf    *self,
           gint64  at)
{
  if (self->phase >= 0)
    {
      Annotation *phase = &g_array_index (self->annotations, Annotation, self->phase);

      phase->duration = MAX (at - phase->onset, 0);
    }
  self->phase = -1;
}

/* Beats: the ECG's R peaks, or the PPG's pulses when it is alone; the
 * PPG's motion marks are the ECG's too */
static gboolean
edf_add_annotation (HeartWaveformWriter            *writer,
                    const HeartWaveformAnnotation  *annotation,
                    GError                        **error)
{
  Edf *self = (Edf *) writer;
  gboolean ecg = (self->options->waveforms & HEART_CHANNEL_BIT (HEART_CHANNEL_ECG)) != 0;
  Annotation entry = { llround (annotation->t_s * EDFLIB_TICKS_PER_S), -1, "" };

  if (annotation->channel == HEART_CHANNEL_PPG && ecg)
    return TRUE;
  if (annotation->channel == HEART_CHANNEL_CONDITION)
    {
      g_autofree char *text = g_strconcat ("condition: ", annotation->code, NULL);

      end_phase (self, entry.onset);
      if (*annotation->code == '\0')
        return TRUE;
      copy_text (entry.text, text);
      self->phase = (int) self->annotations->len;
    }
  else
    copy_text (entry.text, annotation->code);
  g_array_append_val (self->annotations, entry);
  return TRUE;
}

static int
compare_annotations (gconstpointer a,
                     gconstpointer b)
{
  const Annotation *aa = a, *ab = b;

  return (aa->onset > ab->onset) - (aa->onset < ab->onset);
}

/* Reserves the file's whole size, so that a full disk or a file size
 * limit is an error with its reason now, rather than a short file EDFlib
 * does not report; file systems that cannot reserve are written as they are */
static gboolean
reserve (Edf     *self,
         goffset  size,
         GError **error)
{
  struct stat info;
  int fd = g_open (self->path, O_WRONLY | O_CLOEXEC, 0);
  int status;

  if (fd < 0)
    return set_errno_error (self, errno, error);
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      close (fd);
      return TRUE;
    }
  status = posix_fallocate (fd, 0, size);
  close (fd);
  if (status == ENOSPC || status == EFBIG || status == EDQUOT)
    return set_errno_error (self, status, error);
  return TRUE;
}

/* The file is as long as the layout reserved: EDFlib wrote that layout
 * (a write that failed later shows at the fsync before the rename) */
static gboolean
check_size (Edf     *self,
            goffset  size,
            GError **error)
{
  GStatBuf info;

  if (g_stat (self->path, &info) != 0)
    return set_errno_error (self, errno, error);
  if (S_ISREG (info.st_mode) && info.st_size != size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot write %s: EDFlib wrote %" G_GOFFSET_FORMAT " bytes of %" G_GOFFSET_FORMAT,
                   self->name, (goffset) info.st_size, size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_header (Edf  *self,
            int   handle,
            guint n_annotation_signals)
{
  const HeartDatasetOptions *options = self->options;
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (options->start_time_us / G_USEC_PER_SEC);
  g_autofree char *code = g_strdup_printf ("heartsim_seed_%" G_GUINT64_FORMAT, options->seed);
  g_autofree char *profile = g_strdup_printf ("profile %s", options->profile != NULL ? options->profile : "average");
  g_autofree char *equipment = g_strdup_printf ("Heartsim %s", PACKAGE_VERSION);
  g_autofree char *noise = heart_waveform_noise_to_string (options->waveform_settings.noise);
  g_autofree char *additional = g_strdup_printf ("simulated, noise %s%s%s", *noise != '\0' ? noise : "none",
                                                 options->scenario != NULL ? ", scenario " : "",
                                                 options->scenario != NULL ? heart_scenario_get_name (options->scenario) : "");
  gboolean ok = TRUE;

  for (guint s = 0; s < self->n_signals; s++)
    {
      const Signal *signal = &self->signals[s];
      gboolean ecg = signal->channel == HEART_CHANNEL_ECG;

      ok = ok && edf_set_samplefrequency (handle, (int) s, signal->per_record) == 0
           && edf_set_physical_maximum (handle, (int) s, signal->physical_max) == 0
           && edf_set_physical_minimum (handle, (int) s, signal->physical_min) == 0
           && edf_set_digital_maximum (handle, (int) s, DIGITAL_MAX) == 0
           && edf_set_digital_minimum (handle, (int) s, DIGITAL_MIN) == 0
           && edf_set_label (handle, (int) s, ecg ? "ECG II" : "PPG") == 0
           && edf_set_physical_dimension (handle, (int) s, heart_channel_get (signal->channel)->unit) == 0
           && edf_set_transducer (handle, (int) s, ecg ? "simulated ECG (Heartsim)" : "simulated PPG (Heartsim)") == 0;
    }
  /* no person's data: the code says which run it is */
  return ok && edf_set_startdatetime (handle, g_date_time_get_year (start), g_date_time_get_month (start),
                                      g_date_time_get_day_of_month (start), g_date_time_get_hour (start),
                                      g_date_time_get_minute (start), g_date_time_get_second (start)) == 0
         && edf_set_subsecond_starttime (handle, (int) ((options->start_time_us % G_USEC_PER_SEC) * 10)) == 0
         && edf_set_patientcode (handle, code) == 0
         && edf_set_patientname (handle, "Simulated person") == 0
         && edf_set_patient_additional (handle, profile) == 0
         && edf_set_equipment (handle, equipment) == 0
         && edf_set_recording_additional (handle, additional) == 0
         && edf_set_number_of_annotation_signals (handle, (int) n_annotation_signals) == 0;
}

/* The spooled records through EDFlib, a record at a time */
static gboolean
copy_records (Edf     *self,
              int      handle,
              GError **error)
{
  gsize record_bytes = 0;
  g_autofree gint16 *record = NULL;

  for (guint s = 0; s < self->n_signals; s++)
    record_bytes += (gsize) self->signals[s].per_record * sizeof (gint16);
  record = g_malloc (record_bytes);
  if (lseek (self->spool, 0, SEEK_SET) != 0)
    return set_errno_error (self, errno, error);
  for (guint64 r = 0; r < self->n_records; r++)
    {
      gsize got = 0;

      while (got < record_bytes)
        {
          gssize n = read (self->spool, (char *) record + got, record_bytes - got);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return set_errno_error (self, n < 0 ? errno : EIO, error);
          got += (gsize) n;
        }
      if (edf_blockwrite_digital_short_samples (handle, record) != 0)
        return edflib_error (self, "to write a data record", error);
    }
  return TRUE;
}

static gboolean
edf_finish (HeartWaveformWriter  *writer,
            GError              **error)
{
  Edf *self = (Edf *) writer;
  guint n_annotation_signals;
  goffset size;
  gsize record_bytes = 0;
  int handle;
  gboolean ok;

  if (!write_records (self, TRUE, error))
    return FALSE;
  end_phase (self, llround (self->options->duration_s * EDFLIB_TICKS_PER_S));
  /* EDFlib writes them in the order given */
  g_array_sort (self->annotations, compare_annotations);
  n_annotation_signals = MAX (1, (guint) ((self->annotations->len + self->n_records - 1) / MAX (self->n_records, 1)));
  if (n_annotation_signals > ANNOTATION_SIGNALS_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot write %s: %u annotations do not fit in %" G_GUINT64_FORMAT " EDF records",
                   self->name, self->annotations->len, self->n_records);
      return FALSE;
    }
  for (guint s = 0; s < self->n_signals; s++)
    record_bytes += (gsize) self->signals[s].per_record * sizeof (gint16);
  record_bytes += n_annotation_signals * ANNOTATION_SIGNAL_BYTES;
  size = (goffset) HEADER_BLOCK_BYTES * (1 + self->n_signals + n_annotation_signals)
         + (goffset) (self->n_records * record_bytes);

  handle = edfopen_file_writeonly (self->path, EDFLIB_FILETYPE_EDFPLUS, (int) self->n_signals);
  if (handle < 0)
    return edflib_error (self, "to open it", error);
  ok = set_header (self, handle, n_annotation_signals) || edflib_error (self, "to set its header", error);
  for (guint i = 0; ok && i < self->annotations->len; i++)
    {
      const Annotation *annotation = &g_array_index (self->annotations, Annotation, i);

      ok = edfwrite_annotation_utf8 (handle, annotation->onset, annotation->duration, annotation->text) == 0
           || edflib_error (self, "to keep an annotation", error);
    }
  ok = ok && reserve (self, size, error) && copy_records (self, handle, error);
  if (edfclose_file (handle) != 0 && ok)
    ok = edflib_error (self, "to close it", error);
  return ok && check_size (self, size, error);
}

static void
edf_free (HeartWaveformWriter *writer)
{
  Edf *self = (Edf *) writer;

  if (self->spool >= 0)
    close (self->spool);
  for (guint s = 0; s < self->n_signals; s++)
    g_array_unref (self->signals[s].pending);
  g_byte_array_unref (self->record);
  g_array_unref (self->annotations);
  g_free (self->path);
  g_free (self->name);
  g_free (self);
}

HeartWaveformWriter *
heart_waveform_edf_new (const HeartDatasetOptions  *options,
                        const char                 *path,
                        const char                 *name,
                        const char                 *spool_folder,
                        GError                    **error)
{
  static const HeartChannelId channels[] = { HEART_CHANNEL_ECG, HEART_CHANNEL_PPG };
  Edf *self = g_new0 (Edf, 1);
  g_autofree char *spool_path = g_build_filename (spool_folder, ".heartsim-edf-spool.XXXXXX", NULL);

  self->parent = (HeartWaveformWriter) { edf_add_block, edf_add_annotation, edf_finish, edf_free };
  self->options = options;
  self->path = g_strdup (path);
  self->name = g_strdup (name);
  self->record = g_byte_array_new ();
  self->annotations = g_array_new (FALSE, FALSE, sizeof (Annotation));
  self->phase = -1;
  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    if (options->waveforms & HEART_CHANNEL_BIT (channels[c]))
      {
        const HeartChannel *channel = heart_channel_get (channels[c]);

        self->signals[self->n_signals++] = (Signal) {
          .channel = channels[c],
          .per_record = (int) llround (heart_waveform_settings_get_rate (&options->waveform_settings, channels[c])
                                       * RECORD_S),
          .physical_min = channel->min,
          .physical_max = channel->max,
          .pending = g_array_new (FALSE, FALSE, sizeof (gint16)),
        };
      }
  self->spool = g_mkstemp_full (spool_path, O_RDWR | O_CLOEXEC, 0600);
  if (self->spool < 0)
    {
      set_errno_error (self, errno, error);
      edf_free (&self->parent);
      return NULL;
    }
  g_unlink (spool_path);
  return &self->parent;
}
