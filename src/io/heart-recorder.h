/* heart-recorder.h: every sample and beat of a source, appended to a file
 *
 * One line a sample or a beat, as JSON Lines or CSV, written with one
 * write() as it is made and synced to disk at a bounded interval, so a
 * kill -9 or a power cut loses at most the last lines and never damages
 * earlier ones. A write error stops the recording and is reported once
 * ("failed" and "error"); the source never sees it. docs/recording.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-source.h"

G_BEGIN_DECLS

typedef enum {
  HEART_RECORDER_JSONL,
  HEART_RECORDER_CSV,
} HeartRecorderFormat;

#define HEART_RECORDER_SYNC_INTERVAL_DEFAULT_MS 1000
#define HEART_RECORDER_SYNC_INTERVAL_MAX_MS 60000

#define HEART_TYPE_RECORDER_FORMAT (heart_recorder_format_get_type ())
#define HEART_TYPE_RECORDER (heart_recorder_get_type ())
G_DECLARE_FINAL_TYPE (HeartRecorder, heart_recorder, HEART, RECORDER, GObject)

GType           heart_recorder_format_get_type  (void) G_GNUC_CONST;
/* "jsonl" or "csv"; anything else is a G_OPTION_ERROR_BAD_VALUE */
gboolean        heart_recorder_format_parse     (const char *text,
                                                 HeartRecorderFormat *format,
                                                 GError **error);

HeartRecorder  *heart_recorder_new              (HeartSource *source);

/* Opens "path" and records from the next sample or beat on. An existing
 * recording of the same format is appended to unless "replace" is set; a
 * file that is not one is refused. Errors name the file. */
gboolean        heart_recorder_start            (HeartRecorder *self,
                                                 GError **error);
/* Syncs and closes the file; FALSE when the last sync or the close failed
 * (the lines written are still there). Does nothing when not recording. */
gboolean        heart_recorder_stop             (HeartRecorder *self,
                                                 GError **error);

gboolean        heart_recorder_get_recording    (HeartRecorder *self);
const char     *heart_recorder_get_path         (HeartRecorder *self);
void            heart_recorder_set_path         (HeartRecorder *self,
                                                 const char *path);
HeartRecorderFormat heart_recorder_get_format   (HeartRecorder *self);
void            heart_recorder_set_format       (HeartRecorder *self,
                                                 HeartRecorderFormat format);
gboolean        heart_recorder_get_replace      (HeartRecorder *self);
void            heart_recorder_set_replace      (HeartRecorder *self,
                                                 gboolean replace);
guint           heart_recorder_get_sync_interval_ms (HeartRecorder *self);
void            heart_recorder_set_sync_interval_ms (HeartRecorder *self,
                                                     guint interval_ms);
/* Lines written by this recording (the CSV header included); polled, not
 * notified */
guint64         heart_recorder_get_lines        (HeartRecorder *self);
/* Seconds since the recording started, up to its end; polled, not notified */
double          heart_recorder_get_elapsed      (HeartRecorder *self);
/* Why the last recording stopped on its own, or NULL; cleared by a start */
const GError   *heart_recorder_get_error        (HeartRecorder *self);

G_END_DECLS
