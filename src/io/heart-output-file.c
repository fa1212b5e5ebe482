/* heart-output-file.c: write beside the target, rename over it on success
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-output-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* keeps `.NAME.XXXXXX` within the usual 255-byte limit of a name */
#define TEMP_NAME_MAX_BASE 200

struct _HeartOutputFile
{
  GOutputStream parent_instance;

  char    *display_name;  /* the path as given, for messages */
  char    *target;        /* what is replaced: the path, or where its link points */
  char    *temp_path;     /* NULL when written in place */
  int      fd;
  gboolean owns_fd;
  gboolean committed;
};

G_DEFINE_FINAL_TYPE (HeartOutputFile, heart_output_file, G_TYPE_OUTPUT_STREAM)

static gboolean
set_errno_error (GError         **error,
                 HeartOutputFile *self,
                 int              errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "cannot write %s: %s", self->display_name, g_strerror (errsv));
  return FALSE;
}

/* Drops the temporary file unless committed; safe to call twice */
static void
discard (HeartOutputFile *self)
{
  if (self->fd >= 0 && self->owns_fd)
    close (self->fd);
  self->fd = -1;
  if (self->temp_path != NULL && !self->committed)
    g_unlink (self->temp_path);
  g_clear_pointer (&self->temp_path, g_free);
}

static gssize
heart_output_file_write (GOutputStream  *stream,
                         const void     *buffer,
                         gsize           count,
                         GCancellable   *cancellable,
                         GError        **error)
{
  HeartOutputFile *self = HEART_OUTPUT_FILE (stream);
  gssize written;

  do
    written = write (self->fd, buffer, count);
  while (written < 0 && errno == EINTR);
  if (written < 0)
    return set_errno_error (error, self, errno), -1;
  return written;
}

static gboolean
heart_output_file_close (GOutputStream  *stream,
                         GCancellable   *cancellable,
                         GError        **error)
{
  discard (HEART_OUTPUT_FILE (stream));
  return TRUE;
}

static void
heart_output_file_finalize (GObject *object)
{
  HeartOutputFile *self = HEART_OUTPUT_FILE (object);

  discard (self);
  g_free (self->display_name);
  g_free (self->target);
  G_OBJECT_CLASS (heart_output_file_parent_class)->finalize (object);
}

static void
heart_output_file_class_init (HeartOutputFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = heart_output_file_finalize;
  stream_class->write_fn = heart_output_file_write;
  stream_class->close_fn = heart_output_file_close;
}

static void
heart_output_file_init (HeartOutputFile *self)
{
  self->fd = -1;
}

/* A symbolic link stays and the file it points to is replaced */
static char *
resolve_target (const char *path)
{
  struct stat link_info;
  char *resolved;

  if (g_lstat (path, &link_info) == 0 && S_ISLNK (link_info.st_mode)
      && (resolved = realpath (path, NULL)) != NULL)
    {
      char *target = g_strdup (resolved);

      free (resolved);
      return target;
    }
  return g_strdup (path);
}

/* An existing file that is neither regular nor a folder: a device or FIFO */
static gboolean
is_written_in_place (const char *target)
{
  struct stat info;

  return g_stat (target, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode);
}

static gboolean
is_folder (const char *path)
{
  return g_str_has_suffix (path, G_DIR_SEPARATOR_S) || g_file_test (path, G_FILE_TEST_IS_DIR);
}

static char *
temp_template (const char *target)
{
  g_autofree char *folder = g_path_get_dirname (target);
  g_autofree char *base = g_path_get_basename (target);
  g_autofree char *name = NULL;

  if (strlen (base) > TEMP_NAME_MAX_BASE)
    base[TEMP_NAME_MAX_BASE] = '\0';
  name = g_strdup_printf (".%s.XXXXXX", base);
  return g_build_filename (folder, name, NULL);
}

/* Mode 0666 less the umask, as a new file from g_file_replace() gets */
static gboolean
open_temp (HeartOutputFile  *self,
           GError          **error)
{
  int errsv;

  self->temp_path = temp_template (self->target);
  self->fd = g_mkstemp_full (self->temp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (self->fd >= 0)
    return TRUE;
  errsv = errno;
  g_clear_pointer (&self->temp_path, g_free);
  return set_errno_error (error, self, errsv);
}

HeartOutputFile *
heart_output_file_new (const char  *path,
                       GError     **error)
{
  g_autoptr(HeartOutputFile) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (HEART_TYPE_OUTPUT_FILE, NULL);
  self->display_name = g_filename_display_name (path);
  self->target = resolve_target (path);
  self->owns_fd = TRUE;
  if (is_folder (self->target))
    return set_errno_error (error, self, EISDIR), NULL;
  if (is_written_in_place (self->target))
    {
      self->fd = g_open (self->target, O_WRONLY | O_CLOEXEC | O_NOCTTY, 0);
      if (self->fd < 0)
        return set_errno_error (error, self, errno), NULL;
    }
  else if (!open_temp (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

HeartOutputFile *
heart_output_file_new_for_fd (int         fd,
                              const char *name)
{
  HeartOutputFile *self = g_object_new (HEART_TYPE_OUTPUT_FILE, NULL);

  self->display_name = g_strdup (name);
  self->target = g_strdup (name);
  self->fd = fd;
  return self;
}

const char *
heart_output_file_get_temp_path (HeartOutputFile *self)
{
  g_return_val_if_fail (HEART_IS_OUTPUT_FILE (self), NULL);

  return self->temp_path;
}

/* So the rename itself survives a crash; not every file system can */
static void
sync_folder (const char *target)
{
  g_autofree char *folder = g_path_get_dirname (target);
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;
  fsync (fd);
  close (fd);
}

static gboolean
finish (HeartOutputFile  *self,
        GError          **error)
{
  int fd = self->fd;

  if (self->temp_path != NULL && fsync (fd) != 0)
    return set_errno_error (error, self, errno);
  if (!self->owns_fd)
    return TRUE;
  self->fd = -1;
  if (close (fd) != 0)
    return set_errno_error (error, self, errno);
  if (self->temp_path == NULL)
    return TRUE;
  if (g_rename (self->temp_path, self->target) != 0)
    return set_errno_error (error, self, errno);
  self->committed = TRUE;
  sync_folder (self->target);
  return TRUE;
}

gboolean
heart_output_file_commit (HeartOutputFile  *self,
                          GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (HEART_IS_OUTPUT_FILE (self), FALSE);
  g_return_val_if_fail (!g_output_stream_is_closed (G_OUTPUT_STREAM (self)), FALSE);

  ok = finish (self, error);
  g_output_stream_close (G_OUTPUT_STREAM (self), NULL, NULL);
  return ok;
}

/* g_format_size() with a plain space, which every charset has */
static char *
format_size (guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);
  GString *text = g_string_new (size);

  g_string_replace (text, "\u00a0", " ", 0);
  return g_string_free (text, FALSE);
}

gboolean
heart_output_file_check_space (const char  *path,
                               guint64      needed_bytes,
                               GError     **error)
{
  g_autofree char *target = resolve_target (path);
  g_autofree char *folder = g_path_get_dirname (target);
  g_autofree char *absolute = NULL, *folder_name = NULL, *file_name = NULL, *needed = NULL, *available = NULL;
  struct statvfs info;
  guint64 free_bytes;

  if (is_written_in_place (target) || statvfs (folder, &info) != 0 || info.f_blocks == 0)
    return TRUE;
  free_bytes = (guint64) info.f_bavail * info.f_frsize;
  if (needed_bytes <= free_bytes)
    return TRUE;
  absolute = g_canonicalize_filename (folder, NULL);
  folder_name = g_filename_display_name (absolute);
  file_name = g_filename_display_name (path);
  needed = format_size (needed_bytes);
  available = format_size (free_bytes);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
               "not enough space in %s for %s: it needs at least %s, %s are free",
               folder_name, file_name, needed, available);
  return FALSE;
}
