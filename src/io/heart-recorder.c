/* heart-recorder.c: every sample and beat of a source, and the values of
 * its recorded event channels (steps, hrv_sdnn), appended to a file
 *
 * Each line is formatted by heart-fields.c (the fields of
 * heart-sample-fields.c with a "record" field in front) and written with
 * one write() on a file opened O_APPEND, so what a crash leaves is whole
 * lines and at most one partial last line. The lines reach the disk with
 * fsync() at most "sync-interval-ms" after they are written, in a worker
 * thread so that a slow disk never holds up the main loop, and once more
 * at the end. The guarantee and the formats: docs/recording.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heart-fields.h"
#include "heart-sample-fields.h"

/* a sample's fields, "record", "t_s" and a value line's "value" */
#define LINE_FIELDS_MAX (HEART_FIELDS_MAX + 3)
/* enough of an existing file's first line to tell what it is */
#define FIRST_LINE_MAX 4096
#define JSONL_PREFIX "{\"record\":\""

struct _HeartRecorder
{
  GObject              parent_instance;

  HeartSource         *source;
  char                *path;
  HeartRecorderFormat  format;
  gboolean             replace;
  guint                sync_interval_ms;

  int                  fd;            /* -1 when not recording */
  gboolean             regular;       /* a regular file, not a device or FIFO */
  guint                session;       /* tells a late sync of an earlier recording */
  goffset              size;          /* where the next line starts */
  GString             *line;
  guint64              lines;
  gint64               started_us;    /* monotonic */
  gint64               stopped_us;
  GError              *error;

  gboolean             dirty;         /* written since the last sync began */
  gboolean             syncing;       /* a sync runs in the worker */
  guint                sync_id;       /* the timer of the next sync */

  /* the CSV columns: a sample line's field names, then "value" */
  const char          *columns[LINE_FIELDS_MAX];
  guint                n_columns;
  /* of the last condition value, for the value lines */
  char                 condition[HEART_LABEL_MAX];
};

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_PATH,
  PROP_FORMAT,
  PROP_REPLACE,
  PROP_SYNC_INTERVAL_MS,
  PROP_RECORDING,
  PROP_LINES,
  PROP_ELAPSED,
  PROP_ERROR,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeartRecorder, heart_recorder, G_TYPE_OBJECT)

GType
heart_recorder_format_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { HEART_RECORDER_JSONL, "HEART_RECORDER_JSONL", "jsonl" },
        { HEART_RECORDER_CSV, "HEART_RECORDER_CSV", "csv" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("HeartRecorderFormat"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

gboolean
heart_recorder_format_parse (const char           *text,
                             HeartRecorderFormat  *format,
                             GError              **error)
{
  if (g_strcmp0 (text, "jsonl") == 0)
    *format = HEART_RECORDER_JSONL;
  else if (g_strcmp0 (text, "csv") == 0)
    *format = HEART_RECORDER_CSV;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--record-format must be jsonl or csv, not “%s”", text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- lines */

/* "record", then a record's @own fields, with its simulation time after
 * the timestamp as a beat has it */
static guint
line_fields (const char       *record,
             const HeartField *own,
             guint             n_own,
             double            t_s,
             HeartField       *fields)
{
  guint n = 0;

  fields[n++] = (HeartField) { "record", HEART_FIELD_STRING, .string = record };
  for (guint i = 0; i < n_own; i++)
    {
      fields[n++] = own[i];
      if (g_str_equal (own[i].name, "timestamp"))
        fields[n++] = (HeartField) { "t_s", HEART_FIELD_DECIMALS_3, .number = t_s };
    }
  return n;
}

static guint
sample_line_fields (const HeartSample *sample,
                    HeartField        *fields)
{
  HeartField own[HEART_FIELDS_MAX];
  guint n_own = heart_sample_fields (sample, HEART_SAMPLE_JSON_LABELED, own);

  return line_fields ("sample", own, n_own, sample->t_s, fields);
}

static guint
beat_line_fields (const HeartBeat *beat,
                  HeartField      *fields)
{
  guint n = 0;

  fields[n++] = (HeartField) { "record", HEART_FIELD_STRING, .string = "beat" };
  n += heart_beat_fields (beat, fields + n);
  fields[n++] = (HeartField) { "beat_type", HEART_FIELD_STRING, .string = heart_beat_type_code (beat->type) };
  return n;
}

/* the value in the shape of a dataset's channel rows */
static guint
value_line_fields (const HeartChannelValue *value,
                   const char              *condition,
                   HeartField              *fields)
{
  HeartField own[HEART_FIELDS_MAX];
  guint n_own = heart_channel_value_fields (value, condition, FALSE, own);

  return line_fields ("value", own, n_own, value->t_s, fields);
}

/* A sample line's fields and "value" are the CSV columns: every field of a
 * beat and of a value line is among them */
static void
init_columns (HeartRecorder *self)
{
  static const HeartSample sample;
  HeartField fields[LINE_FIELDS_MAX];

  self->n_columns = sample_line_fields (&sample, fields);
  for (guint i = 0; i < self->n_columns; i++)
    self->columns[i] = fields[i].name;
  self->columns[self->n_columns++] = "value";
  self->columns[self->n_columns++] = "beat_type";
}

static gboolean
has_column (HeartRecorder *self,
            const char    *name)
{
  for (guint c = 0; c < self->n_columns; c++)
    if (g_str_equal (self->columns[c], name))
      return TRUE;
  return FALSE;
}

/* The line's fields in the order of the CSV columns; those the line lacks
 * are empty cells */
static void
append_csv_row (HeartRecorder    *self,
                const HeartField *fields,
                guint             n_fields)
{
  HeartField row[LINE_FIELDS_MAX];

  for (guint c = 0; c < self->n_columns; c++)
    {
      row[c] = (HeartField) { self->columns[c], HEART_FIELD_STRING, .string = "" };
      for (guint i = 0; i < n_fields; i++)
        if (g_str_equal (fields[i].name, self->columns[c]))
          row[c] = fields[i];
    }
  heart_fields_append (self->line, HEART_FIELDS_CSV, row, self->n_columns);
}

static void
format_line (HeartRecorder    *self,
             const HeartField *fields,
             guint             n_fields)
{
  g_string_truncate (self->line, 0);
  if (self->format == HEART_RECORDER_CSV)
    append_csv_row (self, fields, n_fields);
  else
    {
      heart_fields_append (self->line, HEART_FIELDS_JSON, fields, n_fields);
      g_string_append_c (self->line, '\n');
    }
}

static void
format_header (HeartRecorder *self)
{
  HeartField fields[LINE_FIELDS_MAX];

  for (guint c = 0; c < self->n_columns; c++)
    fields[c] = (HeartField) { self->columns[c], HEART_FIELD_STRING, .string = "" };
  g_string_truncate (self->line, 0);
  heart_fields_append_header (self->line, fields, self->n_columns);
}

/* ---------------------------------------------------------------- errors */

static GError *
error_from_errno (int         errsv,
                  const char *what,
                  const char *path)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv), "%s %s: %s", what, path, g_strerror (errsv));
}

/* ---------------------------------------------------------------- syncing */

typedef struct
{
  GWeakRef recorder;
  guint    session;
  int      fd;        /* a duplicate, closed by the worker */
  char    *path;
} SyncJob;

static void
sync_job_free (SyncJob *job)
{
  g_weak_ref_clear (&job->recorder);
  if (job->fd >= 0)
    close (job->fd);
  g_free (job->path);
  g_free (job);
}

static void fail (HeartRecorder *self, GError *error);
static void schedule_sync (HeartRecorder *self);

static void
sync_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SyncJob *job = task_data;

  if (fsync (job->fd) != 0)
    {
      int errsv = errno;

      g_task_return_error (task, error_from_errno (errsv, "cannot sync", job->path));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_synced (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = G_TASK (result);
  SyncJob *job = g_task_get_task_data (task);
  g_autoptr(HeartRecorder) self = g_weak_ref_get (&job->recorder);
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (task, &error);
  /* the recording it synced has ended: its stop synced it again */
  if (self == NULL || self->session != job->session || self->fd < 0)
    return;
  self->syncing = FALSE;
  if (error != NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (self->dirty)
    schedule_sync (self);
}

static gboolean
on_sync_due (gpointer user_data)
{
  HeartRecorder *self = user_data;
  g_autoptr(GTask) task = NULL;
  struct stat info;
  SyncJob *job;
  int fd;

  self->sync_id = 0;
  /* writes to a deleted file succeed, and go nowhere anyone can find */
  if (fstat (self->fd, &info) == 0 && info.st_nlink == 0)
    {
      fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "cannot write %s: the file was deleted", self->path));
      return G_SOURCE_REMOVE;
    }
  fd = dup (self->fd);
  if (fd < 0)
    {
      fail (self, error_from_errno (errno, "cannot sync", self->path));
      return G_SOURCE_REMOVE;
    }
  job = g_new0 (SyncJob, 1);
  g_weak_ref_init (&job->recorder, self);
  job->session = self->session;
  job->fd = fd;
  job->path = g_strdup (self->path);

  /* everything written so far is in this sync */
  self->dirty = FALSE;
  self->syncing = TRUE;
  task = g_task_new (NULL, NULL, on_synced, NULL);
  g_task_set_source_tag (task, on_sync_due);
  g_task_set_task_data (task, job, (GDestroyNotify) sync_job_free);
  g_task_run_in_thread (task, sync_in_thread);
  return G_SOURCE_REMOVE;
}

/* Devices and FIFOs have nothing to sync */
static void
schedule_sync (HeartRecorder *self)
{
  if (!self->regular || self->sync_id != 0 || self->syncing)
    return;
  self->sync_id = g_timeout_add (self->sync_interval_ms, on_sync_due, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->sync_id),
                            "[heartsim] recorder sync");
}

/* ---------------------------------------------------------------- writing */

static void
disconnect_source (HeartRecorder *self)
{
  g_signal_handlers_disconnect_by_data (self->source, self);
}

/* Ends the recording without a word; the caller reports */
static void
close_file (HeartRecorder *self)
{
  disconnect_source (self);
  g_clear_handle_id (&self->sync_id, g_source_remove);
  self->syncing = FALSE;
  self->dirty = FALSE;
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->stopped_us = g_get_monotonic_time ();
}

/* Stops on a write or sync error, and says so once */
static void
fail (HeartRecorder *self,
      GError        *error)
{
  g_debug ("Recording stopped: %s", error->message);
  close_file (self);
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  g_signal_emit (self, signals[FAILED], 0, self->error);
}

/* One write() of the whole line, unless the file cannot take it: a line cut
 * short by a full disk is taken back, so the file ends with a whole line */
static gboolean
write_line (HeartRecorder  *self,
            GError        **error)
{
  const char *data = self->line->str;
  gsize left = self->line->len;

  while (left > 0)
    {
      ssize_t written = write (self->fd, data, left);

      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        {
          int errsv = written < 0 ? errno : ENOSPC;

          if (self->regular && left < self->line->len)
            (void) !ftruncate (self->fd, self->size);
          g_propagate_error (error, error_from_errno (errsv, "cannot write", self->path));
          return FALSE;
        }
      data += written;
      left -= (gsize) written;
    }
  self->size += (goffset) self->line->len;
  self->lines++;
  self->dirty = TRUE;
  return TRUE;
}

static void
record_line (HeartRecorder    *self,
             const HeartField *fields,
             guint             n_fields)
{
  GError *error = NULL;

  if (self->fd < 0)
    return;
  format_line (self, fields, n_fields);
  if (!write_line (self, &error))
    {
      fail (self, error);
      return;
    }
  schedule_sync (self);
}

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           HeartRecorder     *self)
{
  HeartField fields[LINE_FIELDS_MAX];

  g_strlcpy (self->condition, sample->condition, sizeof self->condition);
  record_line (self, fields, sample_line_fields (sample, fields));
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           HeartRecorder           *self)
{
  /* a CSV recording appended to from before value lines has no column
   * for them */
  if (self->format == HEART_RECORDER_CSV && !has_column (self, "value"))
    return;
  for (guint i = 0; i < n_values; i++)
    {
      HeartField fields[LINE_FIELDS_MAX];

      if (values[i].channel == HEART_CHANNEL_CONDITION)
        g_strlcpy (self->condition, values[i].label, sizeof self->condition);
      else if (heart_channel_get (values[i].channel)->recorded)
        record_line (self, fields, value_line_fields (&values[i], self->condition, fields));
    }
}

static void
on_beat (HeartSource     *source,
         const HeartBeat *beat,
         HeartRecorder   *self)
{
  HeartField fields[LINE_FIELDS_MAX];

  record_line (self, fields, beat_line_fields (beat, fields));
}

/* ---------------------------------------------------------------- starting */

/* What an existing file holds must be a recording of this format, or the
 * lines would go after something else: its first line is the CSV header,
 * or a JSON object that starts with "record". *@ends_whole: its last byte
 * is a newline, so the next line starts on a line of its own. */
static gboolean
check_existing (HeartRecorder  *self,
                goffset         size,
                gboolean       *ends_whole,
                GError        **error)
{
  g_autofree char *first = g_malloc (FIRST_LINE_MAX + 1);
  int fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ours;
  ssize_t got = -1;
  char last = '\0';
  int errsv = EIO;

  if (fd >= 0)
    {
      got = pread (fd, first, FIRST_LINE_MAX, 0);
      if (got < 0 || pread (fd, &last, 1, size - 1) != 1)
        {
          errsv = errno != 0 ? errno : EIO;
          got = -1;
        }
      close (fd);
    }
  else
    errsv = errno;
  if (got < 0)
    {
      g_propagate_error (error, error_from_errno (errsv, "cannot record to", self->path));
      return FALSE;
    }
  first[got] = '\0';
  if (self->format == HEART_RECORDER_CSV)
    {
      format_header (self);
      ours = strncmp (first, self->line->str, self->line->len) == 0;
      /* a recording from before beat types, or before value lines too,
       * goes on with its own columns: each came last */
      for (guint older = 0; !ours && older < 2; older++)
        {
          self->n_columns--;
          format_header (self);
          ours = strncmp (first, self->line->str, self->line->len) == 0;
        }
    }
  else
    ours = g_str_has_prefix (first, JSONL_PREFIX);
  if (!ours)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "cannot record to %s: it exists and is not a Heartsim recording in %s",
                   self->path, self->format == HEART_RECORDER_CSV ? "CSV" : "JSON Lines");
      return FALSE;
    }
  *ends_whole = last == '\n';
  return TRUE;
}

/* A new file's name reaches the disk with its folder's sync */
static gboolean
sync_folder (const char  *path,
             GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int errsv = fd < 0 ? errno : 0;

  /* some file systems cannot sync a folder (EINVAL): nothing to wait for */
  if (fd >= 0 && fsync (fd) != 0 && errno != EINVAL)
    errsv = errno;
  if (fd >= 0)
    close (fd);
  if (errsv != 0)
    {
      g_propagate_error (error, error_from_errno (errsv, "cannot record to", path));
      return FALSE;
    }
  return TRUE;
}

static int
open_file (HeartRecorder  *self,
           gboolean       *created,
           GError        **error)
{
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | (self->replace ? O_TRUNC : 0);
  int fd;

  do
    fd = g_open (self->path, flags | O_CREAT | O_EXCL, 0666);
  while (fd < 0 && errno == EINTR);
  *created = fd >= 0;
  if (fd < 0 && errno == EEXIST)
    do
      fd = g_open (self->path, flags, 0);
    while (fd < 0 && errno == EINTR);
  if (fd < 0)
    g_propagate_error (error, error_from_errno (errno, "cannot record to", self->path));
  return fd;
}

gboolean
heart_recorder_start (HeartRecorder  *self,
                      GError        **error)
{
  int fd;
  gboolean created = FALSE;
  gboolean ends_whole = TRUE;
  struct stat info;

  g_return_val_if_fail (HEART_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (self->fd < 0, FALSE);

  if (self->path == NULL || self->path[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME, "no file to record to");
      return FALSE;
    }
  if ((fd = open_file (self, &created, error)) < 0)
    return FALSE;
  if (fstat (fd, &info) != 0)
    {
      g_propagate_error (error, error_from_errno (errno, "cannot record to", self->path));
      close (fd);
      return FALSE;
    }
  self->regular = S_ISREG (info.st_mode);
  self->size = self->regular ? info.st_size : 0;
  init_columns (self);
  self->condition[0] = '\0';
  if ((self->size > 0 && !check_existing (self, self->size, &ends_whole, error))
      || (created && !sync_folder (self->path, error)))
    {
      close (fd);
      return FALSE;
    }

  self->fd = fd;
  self->lines = 0;
  /* a line cut by a crash stays as it was, on a line of its own */
  g_string_assign (self->line, ends_whole ? "" : "\n");
  if (self->format == HEART_RECORDER_CSV && self->size == 0)
    format_header (self);
  if (self->line->len > 0 && !write_line (self, error))
    {
      close_file (self);
      return FALSE;
    }
  if (!ends_whole)
    self->lines--;

  self->session++;
  self->started_us = g_get_monotonic_time ();
  self->stopped_us = 0;
  g_signal_connect (self->source, "beat", G_CALLBACK (on_beat), self);
  g_signal_connect (self->source, "values", G_CALLBACK (on_values), self);
  g_signal_connect (self->source, "sample", G_CALLBACK (on_sample), self);
  schedule_sync (self);
  if (self->error != NULL)
    {
      g_clear_error (&self->error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  return TRUE;
}

gboolean
heart_recorder_stop (HeartRecorder  *self,
                     GError        **error)
{
  int errsv = 0;

  g_return_val_if_fail (HEART_IS_RECORDER (self), FALSE);

  if (self->fd < 0)
    return TRUE;
  disconnect_source (self);
  if (self->regular && fsync (self->fd) != 0)
    errsv = errno;
  if (close (self->fd) != 0 && errsv == 0 && errno != EINTR)
    errsv = errno;
  self->fd = -1;
  close_file (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  if (errsv != 0)
    {
      g_propagate_error (error, error_from_errno (errsv, "cannot sync", self->path));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- GObject */

static void
heart_recorder_dispose (GObject *object)
{
  HeartRecorder *self = HEART_RECORDER (object);
  g_autoptr(GError) error = NULL;

  if (self->fd >= 0 && !heart_recorder_stop (self, &error))
    g_warning ("%s", error->message);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (heart_recorder_parent_class)->dispose (object);
}

static void
heart_recorder_finalize (GObject *object)
{
  HeartRecorder *self = HEART_RECORDER (object);

  g_clear_pointer (&self->path, g_free);
  g_clear_error (&self->error);
  g_string_free (self->line, TRUE);
  G_OBJECT_CLASS (heart_recorder_parent_class)->finalize (object);
}

static void
heart_recorder_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HeartRecorder *self = HEART_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_FORMAT:
      g_value_set_enum (value, self->format);
      break;
    case PROP_REPLACE:
      g_value_set_boolean (value, self->replace);
      break;
    case PROP_SYNC_INTERVAL_MS:
      g_value_set_uint (value, self->sync_interval_ms);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, heart_recorder_get_recording (self));
      break;
    case PROP_LINES:
      g_value_set_uint64 (value, self->lines);
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, heart_recorder_get_elapsed (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_recorder_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HeartRecorder *self = HEART_RECORDER (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_PATH:
      heart_recorder_set_path (self, g_value_get_string (value));
      break;
    case PROP_FORMAT:
      heart_recorder_set_format (self, g_value_get_enum (value));
      break;
    case PROP_REPLACE:
      heart_recorder_set_replace (self, g_value_get_boolean (value));
      break;
    case PROP_SYNC_INTERVAL_MS:
      heart_recorder_set_sync_interval_ms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_recorder_constructed (GObject *object)
{
  HeartRecorder *self = HEART_RECORDER (object);

  G_OBJECT_CLASS (heart_recorder_parent_class)->constructed (object);
  g_return_if_fail (HEART_IS_SOURCE (self->source));
}

static void
heart_recorder_class_init (HeartRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heart_recorder_constructed;
  object_class->dispose = heart_recorder_dispose;
  object_class->finalize = heart_recorder_finalize;
  object_class->get_property = heart_recorder_get_property;
  object_class->set_property = heart_recorder_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* the next three take effect at the next start */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMAT] =
    g_param_spec_enum ("format", NULL, NULL, HEART_TYPE_RECORDER_FORMAT, HEART_RECORDER_JSONL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLACE] =
    g_param_spec_boolean ("replace", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNC_INTERVAL_MS] =
    g_param_spec_uint ("sync-interval-ms", NULL, NULL,
                       1, HEART_RECORDER_SYNC_INTERVAL_MAX_MS, HEART_RECORDER_SYNC_INTERVAL_DEFAULT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* polled: a notification a line would cost every sample */
  properties[PROP_LINES] =
    g_param_spec_uint64 ("lines", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ELAPSED] =
    g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The recording stopped on its own: the error names the file and the
   * reason. Emitted once a recording, after "error" and "recording" are
   * notified. */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
heart_recorder_init (HeartRecorder *self)
{
  self->fd = -1;
  self->format = HEART_RECORDER_JSONL;
  self->sync_interval_ms = HEART_RECORDER_SYNC_INTERVAL_DEFAULT_MS;
  self->line = g_string_sized_new (512);
  init_columns (self);
}

HeartRecorder *
heart_recorder_new (HeartSource *source)
{
  g_return_val_if_fail (HEART_IS_SOURCE (source), NULL);

  return g_object_new (HEART_TYPE_RECORDER, "source", source, NULL);
}

gboolean
heart_recorder_get_recording (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), FALSE);
  return self->fd >= 0;
}

const char *
heart_recorder_get_path (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), NULL);
  return self->path;
}

void
heart_recorder_set_path (HeartRecorder *self,
                         const char    *path)
{
  g_return_if_fail (HEART_IS_RECORDER (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

HeartRecorderFormat
heart_recorder_get_format (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), HEART_RECORDER_JSONL);
  return self->format;
}

void
heart_recorder_set_format (HeartRecorder       *self,
                           HeartRecorderFormat  format)
{
  g_return_if_fail (HEART_IS_RECORDER (self));
  g_return_if_fail (format == HEART_RECORDER_JSONL || format == HEART_RECORDER_CSV);

  if (self->format == format)
    return;
  self->format = format;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FORMAT]);
}

gboolean
heart_recorder_get_replace (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), FALSE);
  return self->replace;
}

void
heart_recorder_set_replace (HeartRecorder *self,
                            gboolean       replace)
{
  g_return_if_fail (HEART_IS_RECORDER (self));

  replace = !!replace;
  if (self->replace == replace)
    return;
  self->replace = replace;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLACE]);
}

guint
heart_recorder_get_sync_interval_ms (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), 0);
  return self->sync_interval_ms;
}

/* Takes effect at the next sync */
void
heart_recorder_set_sync_interval_ms (HeartRecorder *self,
                                     guint          interval_ms)
{
  g_return_if_fail (HEART_IS_RECORDER (self));
  g_return_if_fail (interval_ms >= 1 && interval_ms <= HEART_RECORDER_SYNC_INTERVAL_MAX_MS);

  if (self->sync_interval_ms == interval_ms)
    return;
  self->sync_interval_ms = interval_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_INTERVAL_MS]);
}

guint64
heart_recorder_get_lines (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), 0);
  return self->lines;
}

double
heart_recorder_get_elapsed (HeartRecorder *self)
{
  gint64 end;

  g_return_val_if_fail (HEART_IS_RECORDER (self), 0);

  if (self->started_us == 0)
    return 0;
  end = self->fd >= 0 ? g_get_monotonic_time () : self->stopped_us;
  return (end - self->started_us) / (double) G_USEC_PER_SEC;
}

const GError *
heart_recorder_get_error (HeartRecorder *self)
{
  g_return_val_if_fail (HEART_IS_RECORDER (self), NULL);
  return self->error;
}
