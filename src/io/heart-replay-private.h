/* heart-replay-private.h: HeartReplay's struct and its readers
 *
 * The player (heart-replay.c) asks a reader for the file's items one at a
 * time; a reader knows one family of formats: our recordings
 * (heart-replay-recording.c), CSVs of other tools (heart-replay-csv.c),
 * read a line at a time through heart-replay-lines.c, and Apple Health
 * exports (heart-replay-health.c), streamed XML. docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-replay.h"
#include "heart-rr-window.h"

G_BEGIN_DECLS

#define HEART_REPLAY_READ_CHUNK      (64 * 1024)
/* as the simulation's default interval: the grid of made samples */
#define HEART_REPLAY_GRID_S          0.5
#define HEART_REPLAY_RR_PER_ROW_MAX  16
#define HEART_REPLAY_COLUMNS_MAX     64

typedef enum {
  HEART_REPLAY_FORMAT_JSONL,          /* our recording, JSON Lines */
  HEART_REPLAY_FORMAT_CSV_RECORDING,  /* our recording, CSV */
  HEART_REPLAY_FORMAT_GENERIC,        /* time and heart rate or RR columns */
  HEART_REPLAY_FORMAT_APPLE_HEALTH,   /* an Apple Health export.xml */
  HEART_REPLAY_FORMAT_BIOSIG,         /* EDF, BDF, GDF, WFDB, through libbiosig */
} HeartReplayFormat;

typedef enum {
  HEART_REPLAY_UNIT_AUTO,
  HEART_REPLAY_UNIT_S,
  HEART_REPLAY_UNIT_MS,
  HEART_REPLAY_UNIT_US,
  HEART_REPLAY_UNIT_NS,
  HEART_REPLAY_UNIT_ISO,
} HeartReplayTimeUnit;

typedef enum {
  HEART_REPLAY_ITEM_SAMPLE,
  HEART_REPLAY_ITEM_BEAT,
  HEART_REPLAY_ITEM_READING,     /* a heart rate of a file with no samples */
  HEART_REPLAY_ITEM_LABEL,       /* the condition of the samples made from here on */
  HEART_REPLAY_ITEM_VALUE,       /* a value of an event channel (steps, hrv_sdnn) */
} HeartReplayItemKind;

typedef struct
{
  HeartReplayItemKind kind;
  double      t;            /* seconds in the file, from its first item */
  gint64      wall_us;      /* the file's own wall clock, or 0 */
  HeartSample sample;
  HeartBeat   beat;
  double      bpm;
  char        label[HEART_LABEL_MAX];
  HeartChannelId channel;   /* of a value */
  double      value;
} HeartReplayItem;

typedef struct _HeartReplayHealth HeartReplayHealth;
typedef struct _HeartReplayBiosig HeartReplayBiosig;

/* A line at a time through a fixed buffer */
typedef struct
{
  int       fd;
  char     *buf;
  gsize     start;
  gsize     end;
  goffset   buf_offset;     /* file offset of buf[0] */
  GString  *line;
  guint64   number;         /* of the line in @line */
  gboolean  too_long;
  gboolean  newline;        /* the line ended with one (not cut by the end) */
  gboolean  skipping;       /* the rest of a line too long to keep */
} HeartReplayLines;

typedef enum {
  HEART_REPLAY_LINE,
  HEART_REPLAY_LINE_EOF,
  HEART_REPLAY_LINE_ERROR,
  HEART_REPLAY_LINE_AGAIN,       /* still skipping a long line: call again */
} HeartReplayLineStatus;

typedef enum {
  HEART_REPLAY_READ_ITEM,        /* the next item */
  HEART_REPLAY_READ_END,
  HEART_REPLAY_READ_AGAIN,       /* nothing yet, but not the end: call again */
  HEART_REPLAY_READ_MALFORMED,   /* a line to skip or to stop at ("FILE:LINE: why") */
  HEART_REPLAY_READ_FAILED,      /* the file cannot be read */
} HeartReplayRead;

/* What the player asks of a format */
typedef struct
{
  /* The next item, its time from the file's first item (loops are the
   * player's); @error with MALFORMED and FAILED */
  HeartReplayRead (*read)   (HeartReplay *self,
                             HeartReplayItem *item,
                             GError **error);
  /* Back to the first item: a loop, a seek, the end of the probe */
  void            (*rewind) (HeartReplay *self);
  /* TRUE: the file has beats and heart rates, and samples are made on a
   * grid (docs/replay.md, "What a CSV becomes") */
  gboolean          grid;
} HeartReplayReader;

struct _HeartReplay
{
  GObject       parent_instance;

  char         *path;
  char         *name;             /* for messages: the path as given */
  char         *columns_override;
  gboolean      manual_clock;
  gint64        start_time_us;
  double        seek_s;
  double        speed;
  gboolean      loop;
  HeartReplayTimestamps timestamps;
  HeartReplayOnError on_error;

  const HeartReplayReader *reader;
  HeartReplayLines lines;
  goffset       data_offset;      /* where the first data line starts */
  guint64       data_line;        /* its number, less one */
  HeartReplayFormat format;
  char          delimiter;
  char         *detected;
  guint         interval_ms;      /* of the file's samples */

  /* columns: of our CSV recordings by name, of generic ones by role */
  int           col_time;
  int           col_bpm;
  int           col_rr;
  int           col_wall;         /* an ISO wall clock beside a relative time */
  HeartReplayTimeUnit time_unit;
  char         *csv_columns[HEART_REPLAY_COLUMNS_MAX];
  guint         n_csv_columns;
  /* the made samples have RR, RMSSD and variability */
  gboolean      has_rr;

  /* reading */
  gboolean      have_first;
  double        first_raw;        /* the first item's time as read, s */
  gint64        first_wall_us;    /* its wall clock, 0 when the file has none */
  double        last_t;           /* of the items read, in this pass */
  double        loop_offset;      /* added to times after each loop */
  HeartReplayItem pending[HEART_REPLAY_RR_PER_ROW_MAX];
  guint         n_pending;
  guint         next_pending;
  gboolean      have_next;
  HeartReplayItem next;
  gboolean      at_eof;
  gboolean      more_later;       /* skipping a long line: nothing yet, but not the end */

  /* files with no samples: the sample grid and the RR window */
  double        grid_t;
  gboolean      grid_started;
  HeartRrWindow rr_window;
  double        last_rr;
  double        last_bpm;
  double        cumulative_rr_s;  /* beat times of files with no time column */
  guint64       seq;
  char          grid_condition[HEART_LABEL_MAX];

  /* an Apple Health export */
  HeartReplayHealth *health;
  /* an EDF, BDF, GDF or WFDB recording */
  HeartReplayBiosig *biosig;

  /* values of the tick being made */
  GArray       *values;
  char          condition[HEART_LABEL_MAX];

  /* playing */
  gboolean      running;
  const char   *state;
  double        position;         /* file time of the last item played */
  double        played_t;         /* the same with its loop offset: where play resumes */
  gboolean      played;           /* the item at the position was played (not a seek's offset) */
  double        anchor_t;         /* file time (with loop offsets) at the anchor */
  gint64        anchor_mono;
  gint64        anchor_wall;
  gint64        manual_now;       /* the manual clock, µs */
  GSource      *timer;
  HeartSample   current;
  GError       *error;
  guint64       skipped;          /* malformed lines skipped */
};

/* heart-replay.c */
GError         *_heart_replay_line_error        (HeartReplay *self,
                                                 const char *format,
                                                 ...) G_GNUC_PRINTF (2, 3);
void            _heart_replay_item_clear        (HeartReplayItem *item);
void            _heart_replay_sample_clear      (HeartSample *sample);
gboolean        _heart_replay_parse_number      (const char *text,
                                                 double *value);
/* "2026-01-09 12:34:56.789" as well as with a T; no zone means UTC */
gboolean        _heart_replay_parse_iso         (const char *text,
                                                 gint64 *us);

/* heart-replay-lines.c */
void            _heart_replay_lines_init        (HeartReplayLines *lines);
void            _heart_replay_lines_clear       (HeartReplayLines *lines);
void            _heart_replay_lines_reset       (HeartReplayLines *lines,
                                                 goffset offset,
                                                 guint64 number);
goffset         _heart_replay_lines_tell        (HeartReplayLines *lines);
HeartReplayLineStatus _heart_replay_lines_next  (HeartReplayLines *lines,
                                                 int *errsv);
gboolean        _heart_replay_line_is_blank     (const GString *line);
/* The next line of self->lines that @parse makes an item of: too long and
 * not-text lines are MALFORMED before @parse sees them, blank lines skipped */
typedef gboolean (*HeartReplayLineParser)       (HeartReplay *self,
                                                 HeartReplayItem *item,
                                                 gboolean *got,
                                                 GError **error);
HeartReplayRead _heart_replay_lines_read        (HeartReplay *self,
                                                 HeartReplayLineParser parse,
                                                 HeartReplayItem *item,
                                                 GError **error);

/* heart-replay-recording.c: our JSON Lines (played from its first line)
 * and CSV recordings (from the line after the header that
 * _heart_replay_csv_open() read into self->csv_columns) */
void            _heart_replay_recording_open_jsonl (HeartReplay *self);
void            _heart_replay_recording_open_csv   (HeartReplay *self);

/* heart-replay-csv.c: a CSV header (modified), ours or another tool's */
gboolean        _heart_replay_csv_open          (HeartReplay *self,
                                                 char *header,
                                                 GError **error);
gboolean        _heart_replay_csv_split         (char *line,
                                                 char delimiter,
                                                 char **cells,
                                                 guint *n_cells);

/* heart-replay-health.c: an export.xml whose first line self->lines holds;
 * reads it all once to index it (docs/replay.md, "Apple Health") */
gboolean        _heart_replay_health_open       (HeartReplay *self,
                                                 GError **error);
void            _heart_replay_health_free       (HeartReplayHealth *health);

/* heart-replay-biosig.c, built with libbiosig (HAVE_BIOSIG): a file our
 * own formats refused (docs/replay.md, "EDF, BDF, GDF and WFDB") */
gboolean        _heart_replay_biosig_open       (HeartReplay *self,
                                                 GError **error);
void            _heart_replay_biosig_free       (HeartReplayBiosig *biosig);

G_END_DECLS
