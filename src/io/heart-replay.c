/* heart-replay.c: a recorded or exported file played back as a source
 *
 * The file is read a line at a time through a fixed buffer: a line longer
 * than HEART_REPLAY_LINE_MAX is skipped as malformed without being kept, so
 * memory does not grow with the file nor with its lines. What a line holds
 * becomes an item (a sample, a beat, a heart-rate reading) with a time in
 * the file; an item is due at
 *
 *   start_mono + (file time − start_position) / speed
 *
 * on the monotonic clock, computed afresh for every item from the anchor
 * taken at the start (and again at a change of speed or a seek), never by
 * adding intervals, so an hour of play does not drift. With timestamps
 * "now", an item's timestamp is the wall clock of that due time: the wall
 * clock is read once, at the anchor. docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-replay.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "heart-duration.h"
#include "heart-hrv.h"

#define READ_CHUNK           (64 * 1024)
/* lines read at open to tell the format and the interval */
#define PROBE_LINES          2000
/* items emitted in one turn of the main loop before others get theirs */
#define ITEMS_PER_DISPATCH   4096
/* as the model's rmssd_ms (heart-model.c): the beats of the last 30 s */
#define RMSSD_WINDOW_S       30.0
#define RR_WINDOW_MAX        256
#define RMSSD_FULL_SCALE_MS  100.0
#define GENERIC_INTERVAL_S   0.5
#define RR_PER_ROW_MAX       16
#define COLUMNS_MAX          64
/* bytes of an overlong line skipped in one call: a gigabyte without a
 * newline is skipped over many turns of the main loop, never in one */
#define SKIP_BUDGET          (4 * 1024 * 1024)
#define RR_MIN_MS            200.0
#define RR_MAX_MS            3000.0
#define BPM_MIN              20.0
#define BPM_MAX              300.0

typedef enum {
  FORMAT_JSONL,          /* our recording, JSON Lines */
  FORMAT_CSV_RECORDING,  /* our recording, CSV */
  FORMAT_GENERIC,        /* time and heart rate or RR columns */
} Format;

typedef enum {
  UNIT_AUTO,
  UNIT_S,
  UNIT_MS,
  UNIT_US,
  UNIT_NS,
  UNIT_ISO,
} TimeUnit;

typedef enum {
  ITEM_SAMPLE,
  ITEM_BEAT,
  ITEM_READING,     /* a heart rate from a generic file */
} ItemKind;

typedef struct
{
  ItemKind    kind;
  double      t;            /* seconds in the file, from its first item */
  gint64      wall_us;      /* the file's own wall clock, or 0 */
  HeartSample sample;
  HeartBeat   beat;
  double      bpm;
} Item;

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
} Reader;

typedef enum {
  READ_LINE,
  READ_EOF,
  READ_ERROR,
  READ_AGAIN,               /* still skipping a long line: call again */
} ReadStatus;

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

  Reader        reader;
  goffset       data_offset;      /* where the first data line starts */
  guint64       data_line;        /* its number, less one */
  Format        format;
  char          delimiter;
  char         *detected;
  guint         interval_ms;      /* of the file's samples */

  /* columns: of our CSV recordings by name, of generic ones by role */
  int           col_time;
  int           col_bpm;
  int           col_rr;
  int           col_wall;         /* an ISO wall clock beside a relative time */
  TimeUnit      time_unit;
  char         *csv_columns[COLUMNS_MAX];
  guint         n_csv_columns;

  /* reading */
  gboolean      have_first;
  double        first_raw;        /* the first item's time as read, s */
  gint64        first_wall_us;    /* its wall clock, 0 when the file has none */
  double        last_t;           /* of the items read, in this pass */
  double        loop_offset;      /* added to times after each loop */
  Item          pending[RR_PER_ROW_MAX];
  guint         n_pending;
  guint         next_pending;
  gboolean      have_next;
  Item          next;
  gboolean      at_eof;
  gboolean      more_later;       /* skipping a long line: nothing yet, but not the end */

  /* generic files: the sample grid and the RR window */
  double        grid_t;
  gboolean      grid_started;
  double        rr_t[RR_WINDOW_MAX];
  double        rr[RR_WINDOW_MAX];
  guint         rr_head;
  guint         rr_length;
  double        last_rr;
  double        last_bpm;
  double        cumulative_rr_s;  /* beat times of files with no time column */
  guint64       seq;

  /* values of the tick being made */
  GArray       *values;
  char          condition[HEART_LABEL_MAX];

  /* playing */
  gboolean      running;
  const char   *state;
  double        position;         /* file time of the last item played */
  double        anchor_t;         /* file time (with loop offsets) at the anchor */
  gint64        anchor_mono;
  gint64        anchor_wall;
  gint64        manual_now;       /* the manual clock, µs */
  GSource      *timer;
  HeartSample   current;
  GError       *error;
  guint64       skipped;          /* malformed lines skipped */
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_COLUMNS,
  PROP_MANUAL_CLOCK,
  PROP_START_TIME,
  PROP_SEEK_S,
  PROP_SPEED,
  PROP_LOOP,
  PROP_TIMESTAMPS,
  PROP_ON_ERROR,
  PROP_STATE,
  PROP_POSITION_S,
  PROP_DETECTED,
  PROP_ERROR,
  PROP_RUNNING,
  PROP_INTERVAL_MS,
  N_PROPS
};

enum {
  PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void heart_replay_source_init (HeartSourceInterface *iface);
static void heart_replay_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartReplay, heart_replay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HEART_TYPE_SOURCE, heart_replay_source_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, heart_replay_initable_init))
G_DEFINE_QUARK (heart-replay-error-quark, heart_replay_error)

GType
heart_replay_timestamps_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { HEART_REPLAY_TIMESTAMPS_ORIGINAL, "HEART_REPLAY_TIMESTAMPS_ORIGINAL", "original" },
    { HEART_REPLAY_TIMESTAMPS_NOW, "HEART_REPLAY_TIMESTAMPS_NOW", "now" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("HeartReplayTimestamps", values));
  return type;
}

GType
heart_replay_on_error_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { HEART_REPLAY_ON_ERROR_SKIP, "HEART_REPLAY_ON_ERROR_SKIP", "skip" },
    { HEART_REPLAY_ON_ERROR_STOP, "HEART_REPLAY_ON_ERROR_STOP", "stop" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("HeartReplayOnError", values));
  return type;
}

/* ---------------------------------------------------------------- options */

gboolean
heart_replay_parse_speed (const char  *text,
                          double      *speed,
                          GError     **error)
{
  double value = 0;
  const char *end = text != NULL ? heart_decimal_scan (text, &value) : NULL;

  if (end == NULL || *end != '\0' || value < HEART_REPLAY_SPEED_MIN || value > HEART_REPLAY_SPEED_MAX)
    return heart_option_error (error, "--speed must be a number from %g to %g, not “%s”",
                               HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, text ? text : "");
  *speed = value;
  return TRUE;
}

gboolean
heart_replay_parse_timestamps (const char             *text,
                               HeartReplayTimestamps  *timestamps,
                               GError                **error)
{
  if (g_strcmp0 (text, "original") == 0)
    *timestamps = HEART_REPLAY_TIMESTAMPS_ORIGINAL;
  else if (g_strcmp0 (text, "now") == 0)
    *timestamps = HEART_REPLAY_TIMESTAMPS_NOW;
  else
    return heart_option_error (error, "--timestamps must be original or now, not “%s”", text ? text : "");
  return TRUE;
}

gboolean
heart_replay_parse_on_error (const char          *text,
                             HeartReplayOnError  *on_error,
                             GError             **error)
{
  if (g_strcmp0 (text, "skip") == 0)
    *on_error = HEART_REPLAY_ON_ERROR_SKIP;
  else if (g_strcmp0 (text, "stop") == 0)
    *on_error = HEART_REPLAY_ON_ERROR_STOP;
  else
    return heart_option_error (error, "--on-error must be skip or stop, not “%s”", text ? text : "");
  return TRUE;
}

static gboolean
parse_time_unit (const char *text,
                 TimeUnit   *unit)
{
  static const struct { const char *name; TimeUnit unit; } units[] = {
    { "s", UNIT_S }, { "ms", UNIT_MS }, { "us", UNIT_US }, { "ns", UNIT_NS }, { "iso", UNIT_ISO },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (text, units[i].name))
      {
        *unit = units[i].unit;
        return TRUE;
      }
  return FALSE;
}

gboolean
heart_replay_check_columns (const char  *text,
                            GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gboolean has_value = FALSE;

  if (text == NULL || *text == '\0')
    return heart_option_error (error, "--columns needs time=…, bpm=… or rr_ms=…");
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = eq ? g_strndup (parts[i], eq - parts[i]) : NULL;
      TimeUnit unit;

      if (eq == NULL || eq[1] == '\0')
        return heart_option_error (error, "--columns: “%s” is not KEY=COLUMN", parts[i]);
      if (g_str_equal (key, "bpm") || g_str_equal (key, "rr_ms"))
        has_value = TRUE;
      else if (g_str_equal (key, "time_unit"))
        {
          if (!parse_time_unit (eq + 1, &unit))
            return heart_option_error (error, "--columns: time_unit must be s, ms, us, ns or iso, not “%s”", eq + 1);
        }
      else if (!g_str_equal (key, "time"))
        return heart_option_error (error, "--columns: unknown key “%s” (time, bpm, rr_ms, time_unit)", key);
    }
  if (!has_value)
    return heart_option_error (error, "--columns needs bpm=… or rr_ms=…");
  return TRUE;
}

/* ---------------------------------------------------------------- reading */

static void
reader_reset (Reader  *reader,
              goffset  offset,
              guint64  number)
{
  reader->start = reader->end = 0;
  reader->buf_offset = offset;
  reader->number = number;
  g_string_truncate (reader->line, 0);
  reader->too_long = FALSE;
  reader->skipping = FALSE;
  (void) lseek (reader->fd, offset, SEEK_SET);
}

static goffset
reader_tell (Reader *reader)
{
  return reader->buf_offset + (goffset) reader->start;
}

static ReadStatus
reader_fill (Reader *reader,
             int    *errsv)
{
  ssize_t got;

  reader->buf_offset += (goffset) reader->end;
  reader->start = reader->end = 0;
  do
    got = read (reader->fd, reader->buf, READ_CHUNK);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    {
      *errsv = errno;
      return READ_ERROR;
    }
  reader->end = (gsize) got;
  return got == 0 ? READ_EOF : READ_LINE;
}

/* The rest of an overlong line, a budget at a time */
static ReadStatus
reader_skip (Reader *reader,
             int    *errsv)
{
  gsize skipped = 0;

  while (reader->skipping)
    {
      char *nl = memchr (reader->buf + reader->start, '\n', reader->end - reader->start);
      ReadStatus status;

      if (nl != NULL)
        {
          reader->start = (gsize) (nl - reader->buf) + 1;
          reader->skipping = FALSE;
          break;
        }
      skipped += reader->end - reader->start;
      if (skipped > SKIP_BUDGET)
        {
          reader->start = reader->end;
          return READ_AGAIN;
        }
      status = reader_fill (reader, errsv);
      if (status != READ_LINE)
        {
          reader->skipping = FALSE;
          return status;
        }
    }
  return READ_LINE;
}

/* The next line, without its newline (and CR). A line longer than LINE_MAX
 * is returned flagged (and empty) as soon as it is known to be, and its
 * rest skipped by the next calls (READ_AGAIN while it lasts). */
static ReadStatus
reader_next (Reader  *reader,
             int     *errsv)
{
  g_string_truncate (reader->line, 0);
  reader->too_long = FALSE;
  reader->newline = FALSE;

  if (reader->skipping)
    {
      ReadStatus status = reader_skip (reader, errsv);

      if (status != READ_LINE)
        return status;
    }
  for (;;)
    {
      char *nl;
      gsize n;
      ReadStatus status;

      if (reader->start < reader->end)
        {
          nl = memchr (reader->buf + reader->start, '\n', reader->end - reader->start);
          n = nl ? (gsize) (nl - (reader->buf + reader->start)) : reader->end - reader->start;
          if (reader->line->len + n > HEART_REPLAY_LINE_MAX)
            {
              reader->too_long = TRUE;
              reader->skipping = TRUE;
              reader->number++;
              g_string_truncate (reader->line, 0);
              return READ_LINE;
            }
          g_string_append_len (reader->line, reader->buf + reader->start, (gssize) n);
          reader->start += n;
          if (nl != NULL)
            {
              reader->start++;
              reader->number++;
              reader->newline = TRUE;
              if (reader->line->len > 0 && reader->line->str[reader->line->len - 1] == '\r')
                g_string_truncate (reader->line, reader->line->len - 1);
              return READ_LINE;
            }
        }
      status = reader_fill (reader, errsv);
      if (status == READ_ERROR)
        return status;
      if (status == READ_EOF)
        {
          if (reader->line->len > 0)
            {
              reader->number++;
              return READ_LINE;
            }
          return READ_EOF;
        }
    }
}

static gboolean
line_is_blank (const GString *line)
{
  for (gsize i = 0; i < line->len; i++)
    if (!g_ascii_isspace (line->str[i]))
      return FALSE;
  return TRUE;
}

/* Splits a CSV line at @delimiter, with "quoted" cells; the cells point
 * into @line, which is modified. FALSE when a quote is not closed. */
static gboolean
split_cells (char   *line,
             char    delimiter,
             char  **cells,
             guint  *n_cells)
{
  char *p = line;
  guint n = 0;

  for (;;)
    {
      char *out;

      if (n == COLUMNS_MAX)
        break;
      while (*p == ' ' || *p == '\t')
        if (*p == delimiter)
          break;
        else
          p++;
      if (*p == '"')
        {
          out = ++p;
          cells[n] = out;
          for (;;)
            {
              if (*p == '\0')
                return FALSE;
              if (*p == '"' && p[1] == '"')
                {
                  *out++ = '"';
                  p += 2;
                }
              else if (*p == '"')
                {
                  p++;
                  break;
                }
              else
                *out++ = *p++;
            }
          *out = '\0';
          while (*p != '\0' && *p != delimiter)
            p++;
        }
      else
        {
          cells[n] = p;
          while (*p != '\0' && *p != delimiter)
            p++;
        }
      n++;
      if (*p == '\0')
        break;
      *p++ = '\0';
    }
  for (guint i = 0; i < n; i++)
    g_strstrip (cells[i]);
  *n_cells = n;
  return TRUE;
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

static gboolean
parse_iso (const char *text,
           gint64     *us)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL || strlen (text) < 10 || text[4] != '-')
    return FALSE;
  /* "2026-01-09 12:34:56.789" as well as with a T; no zone means UTC */
  if (text[10] == ' ')
    {
      g_autofree char *copy = g_strdup (text);

      copy[10] = 'T';
      time = g_date_time_new_from_iso8601 (copy, zone);
    }
  else
    time = g_date_time_new_from_iso8601 (text, zone);
  if (time == NULL)
    return FALSE;
  *us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* ---------------------------------------------------------------- errors */

static GError *
line_error (HeartReplay *self,
            const char  *format,
            ...) G_GNUC_PRINTF (2, 3);

static GError *
line_error (HeartReplay *self,
            const char  *format,
            ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  return g_error_new (HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE, "%s:%" G_GUINT64_FORMAT ": %s",
                      self->name, self->reader.number, why);
}

/* ---------------------------------------------------------------- items */

static void
item_clear (Item *item)
{
  memset (item, 0, sizeof *item);
  item->bpm = NAN;
}

static void
sample_clear (HeartSample *sample)
{
  memset (sample, 0, sizeof *sample);
  sample->variability = NAN;
  sample->stress_level = NAN;
  sample->rr_ms = NAN;
  sample->rmssd_ms = NAN;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    sample->channels[c] = NAN;
}

/* A record's fields, from a JSON object or a CSV row, by name */
typedef const char *(*FieldGetter) (gpointer data, const char *name, gboolean *is_null, char *buf);

static const char *
json_field (gpointer    data,
            const char *name,
            gboolean   *is_null,
            char       *buf)
{
  JsonObject *object = data;
  JsonNode *node = json_object_get_member (object, name);

  *is_null = node == NULL || JSON_NODE_HOLDS_NULL (node);
  if (*is_null || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return json_node_get_string (node);
    case G_TYPE_INT64:
      g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%" G_GINT64_FORMAT, json_node_get_int (node));
      return buf;
    case G_TYPE_DOUBLE:
      return g_ascii_dtostr (buf, G_ASCII_DTOSTR_BUF_SIZE, json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (node) ? "1" : "0";
    default:
      return NULL;
    }
}

typedef struct
{
  HeartReplay *replay;
  char       **cells;
  guint        n_cells;
} CsvRow;

static const char *
csv_field (gpointer    data,
           const char *name,
           gboolean   *is_null,
           char       *buf)
{
  CsvRow *row = data;

  for (guint c = 0; c < row->replay->n_csv_columns && c < row->n_cells; c++)
    if (g_str_equal (row->replay->csv_columns[c], name))
      {
        *is_null = row->cells[c][0] == '\0';
        return *is_null ? NULL : row->cells[c];
      }
  *is_null = TRUE;
  return NULL;
}

/* A number the record may lack (NaN then); FALSE when it is there and is
 * not a number */
static gboolean
optional_number (FieldGetter  get,
                 gpointer     data,
                 const char  *name,
                 double      *value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gboolean is_null;
  const char *text = get (data, name, &is_null, buf);

  *value = NAN;
  if (is_null)
    return TRUE;
  return parse_number (text, value);
}

/* One line of our recordings */
static gboolean
parse_record (HeartReplay  *self,
              FieldGetter   get,
              gpointer      data,
              Item         *item,
              GError      **error)
{
  char buf[3][G_ASCII_DTOSTR_BUF_SIZE];
  gboolean is_null;
  const char *record = get (data, "record", &is_null, buf[0]);
  const char *timestamp = get (data, "timestamp", &is_null, buf[1]);
  const char *condition = get (data, "condition", &is_null, buf[2]);
  const char *bad = NULL;
  double t, event = NAN, number;

  item_clear (item);
  if (record == NULL || (!g_str_equal (record, "sample") && !g_str_equal (record, "beat")))
    {
      *error = line_error (self, "not a sample nor a beat (\"record\" is %s)",
                           record ? "something else" : "missing");
      return FALSE;
    }
  if (!optional_number (get, data, "t_s", &t) || !isfinite (t))
    bad = "t_s";
  else if (timestamp == NULL || !parse_iso (timestamp, &item->wall_us))
    bad = "timestamp";
  else if (!optional_number (get, data, "event", &event))
    bad = "event";
  if (bad == NULL && g_str_equal (record, "beat"))
    {
      item->kind = ITEM_BEAT;
      item->beat.t_s = t;
      item->beat.timestamp_us = item->wall_us;
      if (!optional_number (get, data, "rr_ms", &item->beat.rr_ms)
          || !(item->beat.rr_ms > 0))
        bad = "rr_ms";
      else if (!optional_number (get, data, "stress_level", &item->beat.stress_level))
        bad = "stress_level";
      item->beat.event_active = event == 1;
      g_strlcpy (item->beat.condition, condition ? condition : "", sizeof item->beat.condition);
    }
  else if (bad == NULL)
    {
      HeartSample *sample = &item->sample;

      item->kind = ITEM_SAMPLE;
      sample_clear (sample);
      sample->t_s = t;
      sample->timestamp_us = item->wall_us;
      if (!optional_number (get, data, "bpm", &number) || !isfinite (number))
        bad = "bpm";
      sample->bpm = (int) lround (isfinite (number) ? number : 0);
      if (bad == NULL && !optional_number (get, data, "seq", &number))
        bad = "seq";
      sample->seq = isfinite (number) && number > 0 ? (guint64) number : 0;
      if (bad == NULL && !optional_number (get, data, "variability", &sample->variability))
        bad = "variability";
      if (bad == NULL && !optional_number (get, data, "stress_level", &sample->stress_level))
        bad = "stress_level";
      if (bad == NULL && !optional_number (get, data, "rr_ms", &sample->rr_ms))
        bad = "rr_ms";
      if (bad == NULL && !optional_number (get, data, "rmssd_ms", &sample->rmssd_ms))
        bad = "rmssd_ms";
      if (bad == NULL && !optional_number (get, data, "baseline_bpm", &number))
        bad = "baseline_bpm";
      sample->baseline_bpm = isfinite (number) && number > 0 ? (guint) lround (number) : 0;
      for (HeartChannelId c = 0; bad == NULL && c < HEART_N_CHANNELS; c++)
        {
          const HeartChannel *channel = heart_channel_get (c);

          if (channel->kind == HEART_CHANNEL_KIND_PERIODIC && channel->sample_field == NULL
              && !optional_number (get, data, channel->name, &sample->channels[c]))
            bad = channel->name;
        }
      /* the channels the sample carries under the seed's names */
      sample->channels[HEART_CHANNEL_HEART_RATE] = sample->bpm;
      sample->channels[HEART_CHANNEL_HRV_RMSSD] = sample->rmssd_ms;
      sample->channels[HEART_CHANNEL_STRESS_LEVEL] = sample->stress_level;
      sample->event_active = event == 1;
      g_strlcpy (sample->condition, condition ? condition : "", sizeof sample->condition);
    }
  if (bad != NULL)
    {
      *error = line_error (self, "bad or missing \"%s\"", bad);
      return FALSE;
    }
  item->t = t;
  return TRUE;
}

static const char *
unit_name (TimeUnit unit)
{
  static const char * const names[] = { "auto", "s", "ms", "µs", "ns", "ISO 8601" };

  return names[unit];
}

static double
raw_time_seconds (HeartReplay *self,
                  const char  *text,
                  gint64      *wall_us,
                  gboolean    *ok)
{
  double value;
  gint64 us;

  *ok = TRUE;
  *wall_us = 0;
  switch (self->time_unit)
    {
    case UNIT_ISO:
      if (!parse_iso (text, &us))
        break;
      *wall_us = us;
      return us / 1e6;
    case UNIT_S:
    case UNIT_MS:
    case UNIT_US:
    case UNIT_NS:
      if (!parse_number (text, &value))
        break;
      value /= self->time_unit == UNIT_S ? 1.0 : self->time_unit == UNIT_MS ? 1e3
             : self->time_unit == UNIT_US ? 1e6 : 1e9;
      /* a time since the epoch (after 2001) is a wall clock */
      if (value > 1e9)
        *wall_us = (gint64) llround (value * 1e6);
      return value;
    case UNIT_AUTO:
    default:
      g_assert_not_reached ();
    }
  *ok = FALSE;
  return 0;
}

/* RR cells may hold several intervals ("812 790", Polar's HRV column) */
static guint
parse_rr_list (const char *text,
               double     *rr,
               guint       max,
               gboolean   *ok)
{
  g_auto(GStrv) parts = g_strsplit_set (text, " ;|", -1);
  guint n = 0;

  *ok = TRUE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      double value;

      if (parts[i][0] == '\0')
        continue;
      if (n == max || !parse_number (parts[i], &value) || value < RR_MIN_MS || value > RR_MAX_MS)
        {
          *ok = FALSE;
          return 0;
        }
      rr[n++] = value;
    }
  return n;
}

/* One row of a generic CSV: a heart-rate reading, or one beat or more
 * (into self->pending) */
static gboolean
parse_generic_row (HeartReplay  *self,
                   char        **cells,
                   guint         n_cells,
                   GError      **error)
{
  double t = 0, rr[RR_PER_ROW_MAX], bpm = NAN;
  gint64 wall_us = 0;
  guint n_rr = 0;
  gboolean ok = TRUE;
  int needed = MAX (self->col_time, MAX (self->col_bpm, MAX (self->col_rr, self->col_wall)));

  self->n_pending = self->next_pending = 0;
  if ((int) n_cells <= needed)
    {
      *error = line_error (self, "%u column%s, the header has %u", n_cells, n_cells == 1 ? "" : "s",
                           self->n_csv_columns);
      return FALSE;
    }
  if (self->col_time >= 0)
    {
      t = raw_time_seconds (self, cells[self->col_time], &wall_us, &ok);
      if (!ok)
        {
          *error = line_error (self, "column %d is not a time (%s)", self->col_time + 1, unit_name (self->time_unit));
          return FALSE;
        }
    }
  if (self->col_wall >= 0 && wall_us == 0)
    (void) parse_iso (cells[self->col_wall], &wall_us);
  if (self->col_rr >= 0 && cells[self->col_rr][0] != '\0')
    {
      n_rr = parse_rr_list (cells[self->col_rr], rr, RR_PER_ROW_MAX, &ok);
      if (!ok)
        {
          *error = line_error (self, "column %d is not RR intervals from %g to %g ms",
                               self->col_rr + 1, RR_MIN_MS, RR_MAX_MS);
          return FALSE;
        }
    }
  if (self->col_bpm >= 0 && cells[self->col_bpm][0] != '\0'
      && (!parse_number (cells[self->col_bpm], &bpm) || bpm < BPM_MIN || bpm > BPM_MAX))
    {
      *error = line_error (self, "column %d is not a heart rate from %g to %g", self->col_bpm + 1,
                           BPM_MIN, BPM_MAX);
      return FALSE;
    }

  if (self->col_time < 0)
    {
      /* beats with no time: one after the other */
      for (guint i = 0; i < n_rr; i++)
        self->cumulative_rr_s += rr[i] / 1000.0;
      t = self->cumulative_rr_s;
    }
  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->first_raw = t;
      self->first_wall_us = wall_us;
    }
  else if (t - self->first_raw + 1e-9 < self->last_t - self->loop_offset)
    {
      *error = line_error (self, "the time goes back");
      return FALSE;
    }
  if (n_rr > 0)
    {
      double beat_t = t - self->first_raw;

      /* the row's time is that of its last beat */
      for (guint i = n_rr; i-- > 0;)
        {
          Item *item = &self->pending[i];

          item_clear (item);
          item->kind = ITEM_BEAT;
          item->t = beat_t;
          item->wall_us = wall_us != 0 ? wall_us - (gint64) llround ((t - self->first_raw - beat_t) * 1e6) : 0;
          item->beat.rr_ms = rr[i];
          item->beat.stress_level = NAN;
          beat_t -= rr[i] / 1000.0;
        }
      /* a first row's earlier beats would fall before the start */
      for (guint i = 0; i < n_rr; i++)
        self->pending[i].t = MAX (self->pending[i].t, 0);
      self->n_pending = n_rr;
    }
  else if (isfinite (bpm))
    {
      Item *item = &self->pending[0];

      item_clear (item);
      item->kind = ITEM_READING;
      item->t = t - self->first_raw;
      item->wall_us = wall_us;
      item->bpm = bpm;
      self->n_pending = 1;
    }
  return TRUE;
}

/* The next item of a line, if it holds one; FALSE with @error when it is
 * malformed */
static gboolean
parse_line (HeartReplay  *self,
            Item         *item,
            gboolean     *got,
            GError      **error)
{
  GString *line = self->reader.line;

  *got = FALSE;
  if (self->reader.too_long)
    {
      *error = line_error (self, "longer than %d bytes", HEART_REPLAY_LINE_MAX);
      return FALSE;
    }
  if (memchr (line->str, '\0', line->len) != NULL || !g_utf8_validate (line->str, (gssize) line->len, NULL))
    {
      *error = line_error (self, "not text");
      return FALSE;
    }
  if (line_is_blank (line))
    return TRUE;
  /* our recordings end every line: one without a newline was cut */
  if (!self->reader.newline && self->format != FORMAT_GENERIC)
    {
      *error = line_error (self, "cut short (the last line, with no newline)");
      return FALSE;
    }

  if (self->format == FORMAT_JSONL)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonNode *root;

      if (!json_parser_load_from_data (parser, line->str, (gssize) line->len, NULL)
          || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          *error = line_error (self, "not a JSON object");
          return FALSE;
        }
      if (!parse_record (self, json_field, json_node_get_object (root), item, error))
        return FALSE;
    }
  else
    {
      char *cells[COLUMNS_MAX];
      guint n_cells = 0;

      if (!split_cells (line->str, self->delimiter, cells, &n_cells))
        {
          *error = line_error (self, "a quote is not closed");
          return FALSE;
        }
      if (self->format == FORMAT_CSV_RECORDING)
        {
          CsvRow row = { self, cells, n_cells };

          if (n_cells != self->n_csv_columns)
            {
              *error = line_error (self, "%u columns, the header has %u", n_cells, self->n_csv_columns);
              return FALSE;
            }
          if (!parse_record (self, csv_field, &row, item, error))
            return FALSE;
        }
      else
        {
          if (!parse_generic_row (self, cells, n_cells, error))
            return FALSE;
          if (self->n_pending == 0)
            return TRUE;
          *item = self->pending[0];
          self->next_pending = 1;
          *got = TRUE;
          return TRUE;
        }
    }

  /* our recordings: times from the first record */
  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->first_raw = item->t;
      self->first_wall_us = item->wall_us;
    }
  item->t -= self->first_raw;
  if (item->t + 1e-9 < self->last_t - self->loop_offset)
    {
      *error = line_error (self, "t_s goes back");
      return FALSE;
    }
  *got = TRUE;
  return TRUE;
}

static void
report (HeartReplay *self,
        GError      *error,
        gboolean     fatal)
{
  g_signal_emit (self, signals[PROBLEM], 0, error, fatal);
  if (fatal)
    {
      g_clear_error (&self->error);
      self->error = error;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  else
    {
      self->skipped++;
      g_error_free (error);
    }
}

/* The next item of the file (loop offsets added), reading lines as needed.
 * FALSE at the end, or when a bad line stops the replay (self->error). */
static gboolean
read_item (HeartReplay *self,
           Item        *item)
{
  if (self->next_pending < self->n_pending)
    {
      *item = self->pending[self->next_pending++];
      item->t += self->loop_offset;
      return TRUE;
    }
  for (;;)
    {
      int errsv = 0;
      ReadStatus status = reader_next (&self->reader, &errsv);
      GError *error = NULL;
      gboolean got = FALSE;

      if (status == READ_EOF)
        return FALSE;
      if (status == READ_AGAIN)
        {
          self->more_later = TRUE;
          return FALSE;
        }
      if (status == READ_ERROR)
        {
          report (self, g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv), "cannot read %s: %s",
                                     self->name, g_strerror (errsv)), TRUE);
          return FALSE;
        }
      if (!parse_line (self, item, &got, &error))
        {
          gboolean fatal = self->on_error == HEART_REPLAY_ON_ERROR_STOP;

          g_debug ("%s", error->message);
          report (self, error, fatal);
          if (fatal)
            return FALSE;
          continue;
        }
      if (got)
        {
          item->t += self->loop_offset;
          return TRUE;
        }
    }
}

/* ---------------------------------------------------------------- a tick */

static void
push_value (HeartReplay    *self,
            HeartChannelId  channel,
            double          t,
            gint64          timestamp_us,
            double          value,
            const char     *label)
{
  HeartChannelValue v = { .channel = channel, .t_s = t, .timestamp_us = timestamp_us, .value = value };

  if (label != NULL)
    g_strlcpy (v.label, label, sizeof v.label);
  else if (!isfinite (value))
    return;
  g_array_append_vals (self->values, &v, 1);
}

static gint64
due_mono (HeartReplay *self,
          double       t)
{
  return self->anchor_mono + (gint64) llround ((t - self->anchor_t) / self->speed * G_USEC_PER_SEC);
}

static gint64
now_mono (HeartReplay *self)
{
  return self->manual_clock ? self->manual_now : g_get_monotonic_time ();
}

/* The timestamp an item goes out with: the file's own wall clock, moved on
 * by whole loops; or with "now" (and for files with no wall clock) the wall
 * clock of its due time, from the one reading at the anchor */
static gint64
timestamp_of (HeartReplay *self,
              const Item  *item)
{
  if (self->timestamps == HEART_REPLAY_TIMESTAMPS_ORIGINAL && item->wall_us != 0)
    return item->wall_us + (gint64) llround (self->loop_offset * G_USEC_PER_SEC);
  return self->anchor_wall + (due_mono (self, item->t) - self->anchor_mono);
}

static void
rr_window_add (HeartReplay *self,
               double       t,
               double       rr)
{
  self->rr_t[self->rr_head] = t;
  self->rr[self->rr_head] = rr;
  self->rr_head = (self->rr_head + 1) % RR_WINDOW_MAX;
  self->rr_length = MIN (self->rr_length + 1, RR_WINDOW_MAX);
}

/* RMSSD over the beats of the last 30 s, as the model has it: the series
 * of RR from the oldest beat in the window on, through heart-hrv.c */
static double
rr_window_rmssd (HeartReplay *self,
                 double       now)
{
  double series[RR_WINDOW_MAX];
  guint n = 0;
  guint oldest = (self->rr_head + RR_WINDOW_MAX - self->rr_length) % RR_WINDOW_MAX;

  for (guint i = 0; i < self->rr_length; i++)
    {
      guint k = (oldest + i) % RR_WINDOW_MAX;

      if (self->rr_t[k] > now - RMSSD_WINDOW_S || n > 0)
        series[n++] = self->rr[k];
    }
  /* the model pairs each beat in the window with the one before it */
  if (n < self->rr_length && n > 0)
    {
      guint before = (oldest + self->rr_length - n - 1) % RR_WINDOW_MAX;

      memmove (series + 1, series, n * sizeof *series);
      series[0] = self->rr[before];
      n++;
    }
  return n >= 2 ? heart_hrv_rmssd (series, n) : NAN;
}

static void
emit_sample (HeartReplay *self,
             HeartSample *sample)
{
  sample->running = TRUE;
  if (self->values->len > 0)
    {
      heart_source_emit_values (HEART_SOURCE (self), (const HeartChannelValue *) self->values->data,
                                self->values->len);
      g_array_set_size (self->values, 0);
    }
  self->current = *sample;
  heart_source_emit_sample (HEART_SOURCE (self), &self->current);
}

static void
play_item (HeartReplay *self,
           Item        *item)
{
  gint64 timestamp = timestamp_of (self, item);

  self->position = item->t - self->loop_offset;
  switch (item->kind)
    {
    case ITEM_BEAT:
      item->beat.timestamp_us = timestamp;
      item->beat.t_s = item->t;
      if (self->format == FORMAT_GENERIC)
        {
          self->last_rr = item->beat.rr_ms;
          self->last_bpm = 60000.0 / item->beat.rr_ms;
          rr_window_add (self, item->t, item->beat.rr_ms);
        }
      push_value (self, HEART_CHANNEL_RR_INTERVAL, item->t, timestamp, item->beat.rr_ms, NULL);
      heart_source_emit_beat (HEART_SOURCE (self), &item->beat);
      break;
    case ITEM_READING:
      self->last_bpm = item->bpm;
      break;
    case ITEM_SAMPLE:
      {
        HeartSample *sample = &item->sample;

        sample->timestamp_us = timestamp;
        sample->t_s = item->t;
        if (self->format == FORMAT_GENERIC)
          {
            sample->seq = ++self->seq;
            sample->bpm = (int) lround (self->last_bpm);
            sample->channels[HEART_CHANNEL_HEART_RATE] = sample->bpm;
            if (self->col_rr >= 0)
              {
                sample->rr_ms = self->last_rr;
                sample->rmssd_ms = rr_window_rmssd (self, item->t);
                sample->variability = CLAMP (sample->rmssd_ms / RMSSD_FULL_SCALE_MS, 0.0, 1.0);
                sample->channels[HEART_CHANNEL_HRV_RMSSD] = sample->rmssd_ms;
              }
          }
        for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
          if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_PERIODIC)
            push_value (self, c, item->t, timestamp, sample->channels[c], NULL);
        if (!g_str_equal (sample->condition, self->condition))
          {
            g_strlcpy (self->condition, sample->condition, sizeof self->condition);
            push_value (self, HEART_CHANNEL_CONDITION, item->t, timestamp, 0, self->condition);
          }
        emit_sample (self, sample);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Generic files have no samples: one is made on a grid of the file's time,
 * after the rows up to it */
static gboolean
peek (HeartReplay *self)
{
  if (!self->have_next && !self->at_eof)
    {
      self->more_later = FALSE;
      if (read_item (self, &self->next))
        self->have_next = TRUE;
      else if (!self->more_later)
        self->at_eof = TRUE;
    }
  return self->have_next;
}

/* The next item due, or FALSE at the end (or a stop) */
static gboolean
next_item (HeartReplay *self,
           Item        *item,
           gboolean     take)
{
  gboolean have = peek (self);

  if (!have && self->more_later)
    return FALSE;
  if (self->format == FORMAT_GENERIC && self->grid_started
      && (!have || self->next.t > self->grid_t + 1e-9) && (have || self->error == NULL)
      && (have || self->grid_t <= self->last_t + 1e-9))
    {
      item_clear (item);
      item->kind = ITEM_SAMPLE;
      sample_clear (&item->sample);
      item->t = self->grid_t;
      if (take)
        self->grid_t += GENERIC_INTERVAL_S;
      return TRUE;
    }
  if (!have)
    return FALSE;
  *item = self->next;
  if (take)
    {
      self->have_next = FALSE;
      self->last_t = MAX (self->last_t, item->t);
      if (self->format == FORMAT_GENERIC && !self->grid_started)
        {
          self->grid_started = TRUE;
          self->grid_t = item->t;
        }
    }
  return TRUE;
}

static void
reset_reading (HeartReplay *self)
{
  reader_reset (&self->reader, self->data_offset, self->data_line);
  self->have_next = FALSE;
  self->at_eof = FALSE;
  self->n_pending = self->next_pending = 0;
  self->cumulative_rr_s = 0;
}

static void
reset_state (HeartReplay *self)
{
  reset_reading (self);
  self->have_first = FALSE;
  self->loop_offset = 0;
  self->last_t = 0;
  self->grid_started = FALSE;
  self->rr_length = self->rr_head = 0;
  self->last_rr = NAN;
  self->last_bpm = NAN;
  self->position = 0;
  self->condition[0] = '\0';
  g_array_set_size (self->values, 0);
}

/* ---------------------------------------------------------------- the clock */

static void set_state (HeartReplay *self, const char *state, gboolean running);

static void
anchor (HeartReplay *self,
        double       t)
{
  self->anchor_t = t;
  self->anchor_mono = now_mono (self);
  self->anchor_wall = self->manual_clock ? self->start_time_us + self->manual_now : g_get_real_time ();
}

/* Plays what is due; re-arms the timer for the next item */
static void
play_due (HeartReplay *self)
{
  gint64 now = now_mono (self);

  for (guint n = 0; self->running && n < ITEMS_PER_DISPATCH; n++)
    {
      Item item;

      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            break;
          if (self->error != NULL)
            {
              set_state (self, "failed", FALSE);
              return;
            }
          if (self->loop && self->have_first)
            {
              double span = self->last_t - self->loop_offset;
              double step = self->interval_ms / 1000.0;

              /* the next pass starts one interval after this one ended */
              reset_reading (self);
              self->loop_offset += span + step;
              self->last_t = self->loop_offset;
              self->have_first = FALSE;
              if (self->format == FORMAT_GENERIC)
                self->grid_t = self->loop_offset;
              self->grid_started = self->format == FORMAT_GENERIC;
              if (!peek (self))
                {
                  set_state (self, self->error ? "failed" : "ended", FALSE);
                  return;
                }
              continue;
            }
          set_state (self, "ended", FALSE);
          return;
        }
      if (due_mono (self, item.t) > now)
        {
          if (self->timer != NULL)
            g_source_set_ready_time (self->timer, due_mono (self, item.t));
          return;
        }
      next_item (self, &item, TRUE);
      play_item (self, &item);
    }
  /* more is due: the next turn of the main loop goes on */
  if (self->timer != NULL && self->running)
    g_source_set_ready_time (self->timer, 0);
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static gboolean
on_timer (gpointer data)
{
  play_due (data);
  return G_SOURCE_CONTINUE;
}

static void
stop_timer (HeartReplay *self)
{
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

static void
set_state (HeartReplay *self,
           const char  *state,
           gboolean     running)
{
  gboolean was_running = self->running;

  self->running = running;
  self->current.running = running;
  if (!running)
    stop_timer (self);
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (was_running != running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
heart_replay_set_running (HeartReplay *self,
                          gboolean     running)
{
  running = !!running;
  if (running == self->running)
    return;
  if (!running)
    {
      set_state (self, "paused", FALSE);
      return;
    }
  /* an ended or failed replay plays again from the start */
  if (g_str_equal (self->state, "ended") || g_str_equal (self->state, "failed"))
    {
      g_clear_error (&self->error);
      reset_state (self);
    }
  anchor (self, self->have_first ? self->position + self->loop_offset : 0);
  set_state (self, "playing", TRUE);
  if (!self->manual_clock)
    {
      self->timer = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_static_name (self->timer, "[heartsim] replay");
      g_source_set_callback (self->timer, on_timer, self, NULL);
      g_source_set_ready_time (self->timer, 0);
      g_source_attach (self->timer, NULL);
    }
  else
    play_due (self);
}

void
heart_replay_advance (HeartReplay *self,
                      double       seconds)
{
  g_return_if_fail (HEART_IS_REPLAY (self));
  g_return_if_fail (self->manual_clock);

  self->manual_now += (gint64) llround (seconds * G_USEC_PER_SEC);
  while (self->running)
    {
      Item item;

      play_due (self);
      /* a whole dispatch's worth played, or a long line skipped in part:
       * go on at once, as the loop would */
      if (!self->running)
        break;
      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            continue;
          break;
        }
      if (due_mono (self, item.t) > self->manual_now)
        break;
    }
}

/* ---------------------------------------------------------------- opening */

static gboolean
name_matches (const char *normalised,
              const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (normalised, names[i]))
      return TRUE;
  return FALSE;
}

/* "HR [bpm]" → "hr", unit "bpm"; "sensor timestamp [ns]" → "sensor timestamp", "ns";
 * "rr_ms" → "rr", "ms" */
static char *
normalise_header (const char  *header,
                  char       **unit)
{
  g_autofree char *lower = g_ascii_strdown (header, -1);
  char *open = strpbrk (lower, "[(");
  gsize len;

  *unit = NULL;
  if (open != NULL)
    {
      char *close = strpbrk (open, "])");

      if (close != NULL)
        *unit = g_strndup (open + 1, close - open - 1);
      *open = '\0';
    }
  g_strstrip (lower);
  for (char *p = lower; *p != '\0'; p++)
    if (*p == '-' || *p == ' ')
      *p = '_';
  len = strlen (lower);
  if (*unit == NULL)
    {
      static const char * const suffixes[] = { "_ms", "_ns", "_us", "_s", "_bpm", NULL };

      for (guint i = 0; suffixes[i] != NULL; i++)
        {
          gsize n = strlen (suffixes[i]);

          if (len > n && g_str_equal (lower + len - n, suffixes[i]))
            {
              *unit = g_strdup (suffixes[i] + 1);
              lower[len - n] = '\0';
              break;
            }
        }
    }
  return g_steal_pointer (&lower);
}

static int
find_column (HeartReplay *self,
             const char  *wanted)
{
  double index;

  if (parse_number (wanted, &index) && index >= 1 && index <= self->n_csv_columns && index == floor (index))
    return (int) index - 1;
  for (guint c = 0; c < self->n_csv_columns; c++)
    if (g_ascii_strcasecmp (self->csv_columns[c], wanted) == 0)
      return (int) c;
  return -1;
}

static gboolean
apply_columns_override (HeartReplay  *self,
                        GError      **error)
{
  g_auto(GStrv) parts = g_strsplit (self->columns_override, ",", -1);

  self->col_time = self->col_bpm = self->col_rr = self->col_wall = -1;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = g_strndup (parts[i], eq - parts[i]);
      int *target = g_str_equal (key, "time") ? &self->col_time
                  : g_str_equal (key, "bpm") ? &self->col_bpm
                  : g_str_equal (key, "rr_ms") ? &self->col_rr : NULL;

      if (target == NULL)
        {
          (void) parse_time_unit (eq + 1, &self->time_unit);
          continue;
        }
      *target = find_column (self, eq + 1);
      if (*target < 0)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: --columns %s: no column “%s” in its header", self->name, key, eq + 1);
          return FALSE;
        }
    }
  return TRUE;
}

static void
detect_generic_columns (HeartReplay *self,
                        TimeUnit    *header_unit)
{
  static const char * const time_names[] = { "time", "t", "timestamp", "sensor_timestamp", "elapsed",
                                              "seconds", "sec", "ms", "datetime", "date", "phone_timestamp",
                                              "time_stamp", "clock", NULL };
  static const char * const bpm_names[] = { "bpm", "hr", "heart_rate", "heartrate", "pulse", "heart_rate_bpm",
                                            "hr_bpm", "rate", NULL };
  static const char * const rr_names[] = { "rr", "rr_interval", "rri", "ibi", "nn", "rr_intervals",
                                           "interbeat_interval", "hrv", NULL };
  int time_score = 0;

  self->col_time = self->col_bpm = self->col_rr = self->col_wall = -1;
  *header_unit = UNIT_AUTO;
  for (guint c = 0; c < self->n_csv_columns; c++)
    {
      g_autofree char *unit = NULL;
      g_autofree char *name = normalise_header (self->csv_columns[c], &unit);

      if (name_matches (name, time_names))
        {
          /* a time with a unit beats one without (Polar: the sensor's
           * nanoseconds over the phone's clock, which anchors the wall) */
          int score = unit != NULL ? 2 : 1;
          TimeUnit parsed = UNIT_AUTO;

          if (unit != NULL && !parse_time_unit (unit, &parsed))
            score = 0;
          if (score > time_score)
            {
              if (self->col_time >= 0 && self->col_wall < 0)
                self->col_wall = self->col_time;
              self->col_time = (int) c;
              time_score = score;
              *header_unit = parsed;
            }
          else if (self->col_wall < 0)
            self->col_wall = (int) c;
        }
      else if (self->col_bpm < 0 && name_matches (name, bpm_names)
               && (unit == NULL || g_str_equal (unit, "bpm") || g_str_equal (unit, "1/min")))
        self->col_bpm = (int) c;
      else if (self->col_rr < 0 && name_matches (name, rr_names)
               && (unit == NULL || g_str_equal (unit, "ms")))
        self->col_rr = (int) c;
    }
}

/* From the first value when the header did not say: a date, or a number
 * whose size tells the unit of a time since the epoch, or seconds */
static TimeUnit
guess_time_unit (const char *value)
{
  double number;
  gint64 us;

  if (parse_iso (value, &us))
    return UNIT_ISO;
  if (!parse_number (value, &number))
    return UNIT_S;
  number = fabs (number);
  if (number > 1e17)
    return UNIT_NS;
  if (number > 1e14)
    return UNIT_US;
  if (number > 1e11)
    return UNIT_MS;
  return UNIT_S;
}


static void
describe_generic (HeartReplay *self)
{
  GString *out = g_string_new ("CSV");
  const char *delimiter = self->delimiter == '\t' ? "tab" : self->delimiter == ';' ? "“;”" : "“,”";
  struct { const char *role; int column; } roles[] = {
    { "time", self->col_time }, { "bpm", self->col_bpm }, { "rr_ms", self->col_rr }, { "wall clock", self->col_wall },
  };

  g_string_append_printf (out, " (%s-separated):", delimiter);
  for (gsize i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (roles[i].column < 0)
        continue;
      g_string_append_printf (out, "%s %s = column %d “%s”", out->str[out->len - 1] == ':' ? "" : ",",
                              roles[i].role, roles[i].column + 1, self->csv_columns[roles[i].column]);
      if (roles[i].column == self->col_time)
        g_string_append_printf (out, " (%s)", unit_name (self->time_unit));
    }
  if (self->col_time < 0)
    g_string_append (out, ", no time column: beats follow each other");
  if (self->col_rr >= 0 && self->col_bpm >= 0)
    g_string_append (out, "; heart rate from the RR intervals");
  g_free (self->detected);
  self->detected = g_string_free (out, FALSE);
}

static gboolean
open_csv (HeartReplay  *self,
          char         *header,
          GError      **error)
{
  char *cells[COLUMNS_MAX];
  guint n_cells = 0, counts[3] = { 0 };
  const char delimiters[3] = { ',', ';', '\t' };
  TimeUnit header_unit = UNIT_AUTO;

  for (char *p = header; *p != '\0'; p++)
    for (guint i = 0; i < 3; i++)
      counts[i] += *p == delimiters[i];
  self->delimiter = counts[1] > counts[0] && counts[1] >= counts[2] ? ';' : counts[2] > counts[0] ? '\t' : ',';
  if (!split_cells (header, self->delimiter, cells, &n_cells))
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: its first line is not a CSV header", self->name);
      return FALSE;
    }
  for (guint c = 0; c < n_cells; c++)
    self->csv_columns[c] = g_strdup (cells[c]);
  self->n_csv_columns = n_cells;

  if (n_cells >= 3 && g_str_equal (cells[0], "record") && g_str_equal (cells[1], "timestamp")
      && g_str_equal (cells[2], "t_s") && self->columns_override == NULL)
    {
      self->format = FORMAT_CSV_RECORDING;
      self->detected = g_strdup ("Heartsim recording (CSV)");
      return TRUE;
    }
  self->format = FORMAT_GENERIC;
  if (self->columns_override != NULL)
    {
      if (!apply_columns_override (self, error))
        return FALSE;
    }
  else
    detect_generic_columns (self, &header_unit);
  if (self->col_bpm < 0 && self->col_rr < 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: no heart-rate or RR column in its header (use --columns)", self->name);
      return FALSE;
    }
  if (self->col_rr < 0 && self->col_time < 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: heart rates need a time column (use --columns time=…)", self->name);
      return FALSE;
    }
  if (self->time_unit == UNIT_AUTO)
    self->time_unit = header_unit;
  return TRUE;
}

/* The first data line tells the time unit when nothing else did */
static void
settle_time_unit (HeartReplay *self)
{
  char *cells[COLUMNS_MAX];
  guint n_cells = 0;

  if (self->format != FORMAT_GENERIC || self->col_time < 0 || self->time_unit != UNIT_AUTO)
    return;
  self->time_unit = UNIT_S;
  while (reader_next (&self->reader, &(int) { 0 }) == READ_LINE)
    {
      if (self->reader.too_long || line_is_blank (self->reader.line))
        continue;
      if (split_cells (self->reader.line->str, self->delimiter, cells, &n_cells)
          && (int) n_cells > self->col_time)
        self->time_unit = guess_time_unit (cells[self->col_time]);
      break;
    }
  reader_reset (&self->reader, self->data_offset, self->data_line);
}

/* The interval of a recording's samples, from its first two */
static void
probe_interval (HeartReplay *self)
{
  double first = NAN;

  self->interval_ms = (guint) (GENERIC_INTERVAL_S * 1000);
  if (self->format == FORMAT_GENERIC)
    return;
  for (guint n = 0; n < PROBE_LINES; n++)
    {
      Item item;
      gboolean got = FALSE;
      GError *error = NULL;

      if (reader_next (&self->reader, &(int) { 0 }) != READ_LINE)
        break;
      if (!parse_line (self, &item, &got, &error))
        {
          g_clear_error (&error);
          continue;
        }
      if (!got || item.kind != ITEM_SAMPLE)
        continue;
      if (isnan (first))
        first = item.t;
      else if (item.t > first)
        {
          self->interval_ms = (guint) CLAMP (lround ((item.t - first) * 1000), 1, 60000);
          break;
        }
    }
  reset_state (self);
}

static gboolean
seek_to (HeartReplay  *self,
         double        offset_s,
         GError      **error)
{
  Item item;

  reset_state (self);
  if (offset_s <= 0)
    return TRUE;
  /* read (and, for RR files, feed the RMSSD window) up to the offset */
  for (;;)
    {
      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            continue;
          g_clear_error (&self->error);
          reset_state (self);
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK,
                       "cannot seek to %g s in %s: it lasts %.3f s", offset_s, self->name, self->last_t);
          return FALSE;
        }
      if (item.t >= offset_s - 1e-9)
        break;
      next_item (self, &item, TRUE);
      self->position = item.t;
      if (item.kind == ITEM_BEAT && self->format == FORMAT_GENERIC)
        {
          self->last_rr = item.beat.rr_ms;
          self->last_bpm = 60000.0 / item.beat.rr_ms;
          rr_window_add (self, item.t, item.beat.rr_ms);
        }
      else if (item.kind == ITEM_READING)
        self->last_bpm = item.bpm;
    }
  /* the play resumes from the offset itself */
  self->position = offset_s;
  return TRUE;
}

gboolean
heart_replay_seek (HeartReplay  *self,
                   double        offset_s,
                   GError      **error)
{
  gboolean was_running;
  double previous;

  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);

  if (!isfinite (offset_s) || offset_s < 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK, "cannot seek to %g s", offset_s);
      return FALSE;
    }
  was_running = self->running;
  previous = self->position;
  set_state (self, "paused", FALSE);
  g_clear_error (&self->error);
  if (!seek_to (self, offset_s, error))
    {
      /* back where it was */
      (void) seek_to (self, previous, NULL);
      if (was_running)
        heart_replay_set_running (self, TRUE);
      return FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_S]);
  if (was_running)
    heart_replay_set_running (self, TRUE);
  return TRUE;
}

static gboolean
heart_replay_initable_init_impl (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  HeartReplay *self = HEART_REPLAY (initable);
  Reader *reader = &self->reader;
  int errsv = 0;
  ReadStatus status;
  gboolean seen_text = FALSE;

  if (self->path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no file to replay");
      return FALSE;
    }
  self->name = g_strdup (self->path);
  reader->fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  if (reader->fd < 0)
    {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot replay %s: %s",
                   self->name, g_strerror (errsv));
      return FALSE;
    }

  /* the header: the first line that is not blank */
  for (;;)
    {
      status = reader_next (reader, &errsv);
      if (status == READ_ERROR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot replay %s: %s",
                       self->name, g_strerror (errsv));
          return FALSE;
        }
      if (status == READ_EOF)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       seen_text ? "cannot replay %s: it has only blank lines" : "cannot replay %s: the file is empty",
                       self->name);
          return FALSE;
        }
      if (reader->too_long || memchr (reader->line->str, '\0', reader->line->len) != NULL
          || !g_utf8_validate (reader->line->str, (gssize) reader->line->len, NULL))
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: it is not a text file (line %" G_GUINT64_FORMAT ")",
                       self->name, reader->number);
          return FALSE;
        }
      seen_text = TRUE;
      if (!line_is_blank (reader->line))
        break;
    }
  /* a byte-order mark is not part of the header */
  if (g_str_has_prefix (reader->line->str, "\xEF\xBB\xBF"))
    g_string_erase (reader->line, 0, 3);

  if (reader->line->str[0] == '{')
    {
      if (self->columns_override != NULL)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: --columns is for CSV files, this is JSON Lines", self->name);
          return FALSE;
        }
      self->format = FORMAT_JSONL;
      self->detected = g_strdup ("Heartsim recording (JSON Lines)");
      /* the first line is data: play from it */
      self->data_offset = 0;
      self->data_line = 0;
    }
  else
    {
      g_autofree char *header = g_strndup (reader->line->str, reader->line->len);

      self->data_offset = reader_tell (reader);
      self->data_line = reader->number;
      if (!open_csv (self, header, error))
        return FALSE;
    }
  reader_reset (reader, self->data_offset, self->data_line);
  settle_time_unit (self);
  if (self->format == FORMAT_GENERIC)
    describe_generic (self);
  probe_interval (self);

  /* something to play at all */
  {
    Item item;
    gboolean have;

    while (!(have = next_item (self, &item, FALSE)) && self->more_later)
      ;
    if (!have)
      {
        g_autoptr(GError) first = g_steal_pointer (&self->error);

        if (first != NULL)
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       "cannot replay %s: %s", self->name, first->message);
        else
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       "cannot replay %s: no line holds a sample, a beat or a heart rate", self->name);
        return FALSE;
      }
    reset_state (self);
  }
  if (!seek_to (self, self->seek_s, error))
    return FALSE;
  /* what opening read is read again when it plays */
  self->skipped = 0;
  return TRUE;
}

static void
heart_replay_initable_init (GInitableIface *iface)
{
  iface->init = heart_replay_initable_init_impl;
}

HeartReplay *
heart_replay_new (const char  *path,
                  GError     **error)
{
  return g_initable_new (HEART_TYPE_REPLAY, NULL, error, "path", path, NULL);
}

/* ---------------------------------------------------------------- accessors */

const char *
heart_replay_get_path (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->path;
}

double
heart_replay_get_speed (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 1);
  return self->speed;
}

gboolean
heart_replay_set_speed (HeartReplay  *self,
                        double        speed,
                        GError      **error)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);

  if (!isfinite (speed) || speed < HEART_REPLAY_SPEED_MIN || speed > HEART_REPLAY_SPEED_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "speed must be from %g to %g, not %g",
                   HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, speed);
      return FALSE;
    }
  if (speed == self->speed)
    return TRUE;
  /* a new anchor where the replay is now: what was played stays played */
  if (self->running)
    {
      double t = self->anchor_t + (now_mono (self) - self->anchor_mono) * self->speed / G_USEC_PER_SEC;
      gint64 wall = self->anchor_wall + (now_mono (self) - self->anchor_mono);

      self->anchor_t = t;
      self->anchor_wall = wall;
      self->anchor_mono = now_mono (self);
    }
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
  if (self->timer != NULL)
    g_source_set_ready_time (self->timer, 0);
  return TRUE;
}

gboolean
heart_replay_get_loop (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);
  return self->loop;
}

void
heart_replay_set_loop (HeartReplay *self,
                       gboolean     loop)
{
  g_return_if_fail (HEART_IS_REPLAY (self));

  loop = !!loop;
  if (loop == self->loop)
    return;
  self->loop = loop;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOP]);
}

const char *
heart_replay_get_state (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->state;
}

double
heart_replay_get_position (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 0);
  return self->position;
}

const char *
heart_replay_get_detected (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->detected;
}

const GError *
heart_replay_get_error (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->error;
}

guint64
heart_replay_get_skipped (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 0);
  return self->skipped;
}

/* ---------------------------------------------------------------- HeartSource */

static const HeartSample *
source_get_current_sample (HeartSource *source)
{
  return &HEART_REPLAY (source)->current;
}

static gboolean
source_get_running (HeartSource *source)
{
  return HEART_REPLAY (source)->running;
}

static void
source_set_running (HeartSource *source,
                    gboolean     running)
{
  heart_replay_set_running (HEART_REPLAY (source), running);
}

/* the time between samples on the wall clock */
static guint
source_get_interval_ms (HeartSource *source)
{
  HeartReplay *self = HEART_REPLAY (source);

  return (guint) MAX (1, lround (self->interval_ms / self->speed));
}

static const char *
source_get_kind (HeartSource *source)
{
  return "replay";
}

static void
heart_replay_source_init (HeartSourceInterface *iface)
{
  iface->get_current_sample = source_get_current_sample;
  iface->get_running = source_get_running;
  iface->set_running = source_set_running;
  iface->get_interval_ms = source_get_interval_ms;
  iface->get_kind = source_get_kind;
}

/* ---------------------------------------------------------------- GObject */

static void
heart_replay_dispose (GObject *object)
{
  HeartReplay *self = HEART_REPLAY (object);

  stop_timer (self);
  G_OBJECT_CLASS (heart_replay_parent_class)->dispose (object);
}

static void
heart_replay_finalize (GObject *object)
{
  HeartReplay *self = HEART_REPLAY (object);

  if (self->reader.fd >= 0)
    close (self->reader.fd);
  g_free (self->reader.buf);
  g_string_free (self->reader.line, TRUE);
  for (guint c = 0; c < self->n_csv_columns; c++)
    g_free (self->csv_columns[c]);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_error (&self->error);
  g_free (self->path);
  g_free (self->name);
  g_free (self->columns_override);
  g_free (self->detected);
  G_OBJECT_CLASS (heart_replay_parent_class)->finalize (object);
}

static void
heart_replay_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeartReplay *self = HEART_REPLAY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_COLUMNS:
      g_value_set_string (value, self->columns_override);
      break;
    case PROP_MANUAL_CLOCK:
      g_value_set_boolean (value, self->manual_clock);
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->start_time_us);
      break;
    case PROP_SEEK_S:
      g_value_set_double (value, self->seek_s);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_LOOP:
      g_value_set_boolean (value, self->loop);
      break;
    case PROP_TIMESTAMPS:
      g_value_set_enum (value, self->timestamps);
      break;
    case PROP_ON_ERROR:
      g_value_set_enum (value, self->on_error);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_POSITION_S:
      g_value_set_double (value, self->position);
      break;
    case PROP_DETECTED:
      g_value_set_string (value, self->detected);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, source_get_interval_ms (HEART_SOURCE (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_replay_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HeartReplay *self = HEART_REPLAY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_COLUMNS:
      self->columns_override = g_value_dup_string (value);
      break;
    case PROP_MANUAL_CLOCK:
      self->manual_clock = g_value_get_boolean (value);
      break;
    case PROP_START_TIME:
      self->start_time_us = g_value_get_int64 (value);
      break;
    case PROP_SEEK_S:
      self->seek_s = g_value_get_double (value);
      break;
    case PROP_SPEED:
      heart_replay_set_speed (self, g_value_get_double (value), NULL);
      break;
    case PROP_LOOP:
      heart_replay_set_loop (self, g_value_get_boolean (value));
      break;
    case PROP_TIMESTAMPS:
      self->timestamps = g_value_get_enum (value);
      break;
    case PROP_ON_ERROR:
      self->on_error = g_value_get_enum (value);
      break;
    case PROP_RUNNING:
      heart_replay_set_running (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_replay_class_init (HeartReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_replay_dispose;
  object_class->finalize = heart_replay_finalize;
  object_class->get_property = heart_replay_get_property;
  object_class->set_property = heart_replay_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLUMNS] =
    g_param_spec_string ("columns", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MANUAL_CLOCK] =
    g_param_spec_boolean ("manual-clock", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEEK_S] =
    g_param_spec_double ("seek-s", NULL, NULL, 0, HEART_DURATION_MAX_S, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, 1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOP] =
    g_param_spec_boolean ("loop", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESTAMPS] =
    g_param_spec_enum ("timestamps", NULL, NULL, HEART_TYPE_REPLAY_TIMESTAMPS,
                       HEART_REPLAY_TIMESTAMPS_ORIGINAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ON_ERROR] =
    g_param_spec_enum ("on-error", NULL, NULL, HEART_TYPE_REPLAY_ON_ERROR, HEART_REPLAY_ON_ERROR_SKIP,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "paused",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION_S] =
    g_param_spec_double ("position-s", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETECTED] =
    g_param_spec_string ("detected", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  for (guint i = PROP_PATH; i < PROP_RUNNING; i++)
    g_object_class_install_property (object_class, i, properties[i]);
  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_INTERVAL_MS, "interval-ms");
  properties[PROP_RUNNING] = g_object_class_find_property (object_class, "running");
  properties[PROP_INTERVAL_MS] = g_object_class_find_property (object_class, "interval-ms");

  signals[PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_BOOLEAN);
}

static void
heart_replay_init (HeartReplay *self)
{
  self->reader.fd = -1;
  self->reader.buf = g_malloc (READ_CHUNK);
  self->reader.line = g_string_sized_new (256);
  self->values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  self->speed = 1;
  self->state = "paused";
  self->time_unit = UNIT_AUTO;
  self->col_time = self->col_bpm = self->col_rr = self->col_wall = -1;
  self->last_rr = NAN;
  self->last_bpm = NAN;
  sample_clear (&self->current);
}
