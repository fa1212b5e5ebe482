/* heart-replay.h: a recorded or exported file played back as a source
 *
 * Our own recordings (JSON Lines and CSV, docs/recording.md) and CSVs of
 * other tools (time with heart rate or RR intervals; Polar Sensor Logger
 * exports) are read a line at a time, Apple Health exports as streamed XML,
 * all with bounded memory, and played on a
 * schedule of the monotonic clock from the replay's start, so that speed,
 * seeks and hours of play never drift. The formats, the column detection
 * and the guarantees: docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_REPLAY_ERROR (heart_replay_error_quark ())

typedef enum {
  HEART_REPLAY_ERROR_EMPTY,       /* nothing to play */
  HEART_REPLAY_ERROR_FORMAT,      /* not a format we read, or no usable columns */
  HEART_REPLAY_ERROR_LINE,        /* a malformed line ("FILE:LINE: why") */
  HEART_REPLAY_ERROR_SEEK,        /* past the end */
} HeartReplayError;

typedef enum {
  HEART_REPLAY_TIMESTAMPS_ORIGINAL,
  HEART_REPLAY_TIMESTAMPS_NOW,
} HeartReplayTimestamps;

typedef enum {
  HEART_REPLAY_ON_ERROR_SKIP,
  HEART_REPLAY_ON_ERROR_STOP,
} HeartReplayOnError;

#define HEART_REPLAY_SPEED_MIN 0.1
#define HEART_REPLAY_SPEED_MAX 1000.0
/* a longer line is malformed, and skipped without being kept */
#define HEART_REPLAY_LINE_MAX  (64 * 1024)

#define HEART_TYPE_REPLAY_TIMESTAMPS (heart_replay_timestamps_get_type ())
#define HEART_TYPE_REPLAY_ON_ERROR (heart_replay_on_error_get_type ())
#define HEART_TYPE_REPLAY (heart_replay_get_type ())
G_DECLARE_FINAL_TYPE (HeartReplay, heart_replay, HEART, REPLAY, GObject)

GQuark          heart_replay_error_quark        (void);
GType           heart_replay_timestamps_get_type (void) G_GNUC_CONST;
GType           heart_replay_on_error_get_type  (void) G_GNUC_CONST;

/* Option parsers: G_OPTION_ERROR_BAD_VALUE naming the option */
gboolean        heart_replay_parse_speed        (const char *text,
                                                 double *speed,
                                                 GError **error);
gboolean        heart_replay_parse_timestamps   (const char *text,
                                                 HeartReplayTimestamps *timestamps,
                                                 GError **error);
gboolean        heart_replay_parse_on_error     (const char *text,
                                                 HeartReplayOnError *on_error,
                                                 GError **error);
/* "time=NAME,bpm=NAME,rr_ms=NAME,time_unit=s|ms|us|ns|iso": a column by
 * its header name or its 1-based number */
gboolean        heart_replay_check_columns      (const char *text,
                                                 GError **error);

/* Construct-only properties: "path", "columns", "manual-clock" and
 * "start-time" (the wall clock of a manual clock's start, µs), "seek-s";
 * read-write: "speed", "loop", "timestamps", "on-error"; read-only:
 * "state", "position-s", "detected", "line", "error". GInitable: opening
 * reads the start of the file and fails, naming it, when it cannot be
 * played (missing, unreadable, empty, binary, no usable columns, a seek
 * past its end). */
HeartReplay    *heart_replay_new                (const char *path,
                                                 GError **error);

/* Stops (running FALSE) and plays again from @offset_s into the file; the
 * next start plays from there. FALSE past the end (nothing changes). */
gboolean        heart_replay_seek               (HeartReplay *self,
                                                 double offset_s,
                                                 GError **error);
/* With "manual-clock": let @seconds of (replay) clock time pass */
void            heart_replay_advance            (HeartReplay *self,
                                                 double seconds);

const char     *heart_replay_get_path           (HeartReplay *self);
double          heart_replay_get_speed          (HeartReplay *self);
gboolean        heart_replay_set_speed          (HeartReplay *self,
                                                 double speed,
                                                 GError **error);
gboolean        heart_replay_get_loop           (HeartReplay *self);
void            heart_replay_set_loop           (HeartReplay *self,
                                                 gboolean loop);
/* "playing", "paused", "ended" (the file is over), "failed" (a bad line
 * with on-error stop, or a read error: see "error") */
const char     *heart_replay_get_state          (HeartReplay *self);
/* seconds into the file of what was played last */
double          heart_replay_get_position       (HeartReplay *self);
/* what was recognised: "Heartsim recording (JSON Lines)", or the columns
 * of a CSV ("time: column 2 \"sensor timestamp [ns]\" (ns); rr_ms: …") */
const char     *heart_replay_get_detected       (HeartReplay *self);
const GError   *heart_replay_get_error          (HeartReplay *self);
/* malformed lines skipped while playing, each pass of a loop again (each
 * also a "problem") */
guint64         heart_replay_get_skipped        (HeartReplay *self);

/* Signal "problem" (const GError *error, gboolean fatal): a line that was
 * skipped (FALSE) or that stopped the replay (TRUE), or a read error. */

G_END_DECLS
