/* heart-output-file.h: a file that appears whole or not at all
 *
 * A regular file (or a new one) is written to a temporary file beside it,
 * `.NAME.XXXXXX`, which heart_output_file_commit() syncs and renames over
 * it. Closing or dropping the stream before that removes the temporary
 * file, so what was there before stays untouched. Devices and FIFOs
 * (/dev/null, a pipe) are written in place. See docs/datasets.md.
 *
 * Errors name the file as given: "cannot write day.csv: File too large".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_TYPE_OUTPUT_FILE (heart_output_file_get_type ())
G_DECLARE_FINAL_TYPE (HeartOutputFile, heart_output_file, HEART, OUTPUT_FILE, GOutputStream)

HeartOutputFile *heart_output_file_new           (const char *path,
                                                  GError **error);
/* Writes to @fd in place and leaves it open; @name is for messages */
HeartOutputFile *heart_output_file_new_for_fd    (int fd,
                                                  const char *name);
/* The temporary file, or NULL when written in place */
const char      *heart_output_file_get_temp_path (HeartOutputFile *self);
/* Syncs and renames into place; on failure the temporary file is removed */
gboolean         heart_output_file_commit        (HeartOutputFile *self,
                                                  GError **error);

/* Fails with G_IO_ERROR_NO_SPACE when @path's folder has less than
 * @needed_bytes free; passes when the free space is unknown or @path is
 * written in place. */
gboolean         heart_output_file_check_space   (const char *path,
                                                  guint64 needed_bytes,
                                                  GError **error);

G_END_DECLS
