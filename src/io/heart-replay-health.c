/* heart-replay-health.c: an Apple Health export.xml replayed
 *
 * An export lists its records by type, not by time, and is often several
 * gigabytes, so it is never loaded: opening streams it once through
 * GMarkupParseContext to index, for each type played, where its records
 * begin and end; playing then runs one streamed cursor per type from
 * there, and merges their heads by time. Memory is a chunk and a parser
 * per cursor, whatever the size of the file. docs/replay.md, "Apple Health".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-replay-private.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK           (16 * 1024)
/* bytes a cursor parses in one call before the main loop gets a turn */
#define CURSOR_BUDGET   (4 * 1024 * 1024)
#define BPM_MIN         20.0
#define BPM_MAX         300.0
/* step records held back for their endDate (docs/replay.md, "Time order,
 * memory and time") */
#define HELD_MAX        1024

typedef enum {
  TYPE_HEART_RATE,
  TYPE_HRV,
  TYPE_SLEEP,
  TYPE_STEPS,
  N_TYPES
} RecordType;

static const char * const type_ids[N_TYPES] = {
  "HKQuantityTypeIdentifierHeartRate",
  "HKQuantityTypeIdentifierHeartRateVariabilitySDNN",
  "HKCategoryTypeIdentifierSleepAnalysis",
  "HKQuantityTypeIdentifierStepCount",
};

/* Where a type's records are: from the line that opens its first one to
 * the line that closes its last one */
typedef struct
{
  guint64  count;
  goffset  offset;
  guint64  line;
  guint64  last_line;
  guint64  beats;       /* InstantaneousBeatsPerMinute entries (HRV) */
} Range;

typedef struct
{
  HeartReplayItem item;
  GError         *error;      /* a malformed record instead of an item */
} Entry;

typedef struct
{
  HeartReplay         *replay;
  RecordType           type;
  GMarkupParseContext *context;
  goffset              offset;      /* the next byte to parse */
  gboolean             done;
  int                  depth;
  GArray              *queue;       /* Entry */
  guint                queue_head;
  gboolean             have_head;
  Entry                head;
  gint64               last_start_us;
  /* the record being read */
  gboolean             in_record;
  gint64               record_start_us;
  int                  record_zone_s;
  gint64               previous_beat_us;
  HeartReplayItem      sdnn;        /* the record's own value, at its end */
  /* step counts played at their endDate: records come by startDate, so each
   * waits, in endDate order, until no later record can end before it */
  GArray              *held;        /* HeartReplayItem */
  /* the end of a sleep stage, until the next one begins */
  gboolean             have_end;
  HeartReplayItem      end;
} Cursor;

struct _HeartReplayHealth
{
  Range    ranges[N_TYPES];
  Cursor   cursors[N_TYPES];
  char    *buf;
  GError  *xml_error;           /* where the index found the XML malformed */
  gboolean xml_error_reported;
};

/* ---------------------------------------------------------------- values */

/* @min_digits to @max_digits decimal digits at *@p, which moves past them */
static gboolean
scan_digits (const char **p,
             guint        min_digits,
             guint        max_digits,
             int         *value)
{
  guint n = 0;

  *value = 0;
  while (n < max_digits && g_ascii_isdigit ((*p)[n]))
    *value = *value * 10 + ((*p)[n++] - '0');
  *p += n;
  return n >= min_digits;
}

/* @c at *@p, which moves past it */
static gboolean
scan_char (const char **p,
           char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* "2024-03-01 08:15:30 +0100"; @zone_s the offset it was written in */
static gboolean
parse_date (const char *text,
            gint64     *us,
            int        *zone_s)
{
  int y, mo, d, h, mi, s, zh, zm;
  char sign;
  const char *p = text;
  g_autoptr(GDateTime) utc = NULL;

  if (text == NULL
      || !scan_digits (&p, 4, 4, &y) || !scan_char (&p, '-') || !scan_digits (&p, 1, 2, &mo)
      || !scan_char (&p, '-') || !scan_digits (&p, 1, 2, &d) || !scan_char (&p, ' ')
      || !scan_digits (&p, 1, 2, &h) || !scan_char (&p, ':') || !scan_digits (&p, 1, 2, &mi)
      || !scan_char (&p, ':') || !scan_digits (&p, 1, 2, &s) || !scan_char (&p, ' '))
    return FALSE;
  sign = *p++;
  if ((sign != '+' && sign != '-') || !scan_digits (&p, 2, 2, &zh) || !scan_digits (&p, 2, 2, &zm)
      || *p != '\0' || zh > 14 || zm > 59)
    return FALSE;
  utc = g_date_time_new_utc (y, mo, d, h, mi, s);
  if (utc == NULL)
    return FALSE;
  *zone_s = (sign == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  *us = (g_date_time_to_unix (utc) - *zone_s) * G_USEC_PER_SEC;
  return TRUE;
}

/* A beat's "time": the clock time of day ("8:15:31.12 AM", "20:15:31.5")
 * on the day of its record, in its zone, or a whole date */
static gboolean
parse_beat_time (Cursor     *cursor,
                 const char *text,
                 gint64     *us)
{
  int h, m;
  double s;
  int n, zone;
  const char *p = text;
  const char *rest;
  char seconds[32];
  char *end = NULL;
  gint64 local_start, day_start, tod_us;

  if (text != NULL && strlen (text) > 19 && text[4] == '-')
    return parse_date (text, us, &zone);
  if (text == NULL || !scan_digits (&p, 1, 2, &h) || !scan_char (&p, ':') || !scan_digits (&p, 1, 2, &m)
      || !scan_char (&p, ':') || m > 59)
    return FALSE;
  n = (int) (p - text);
  if (!g_ascii_isdigit (text[n]) || strlen (text + n) >= sizeof seconds)
    return FALSE;
  /* the export writes the seconds in the phone's locale: "31.12" or "31,12" */
  g_strlcpy (seconds, text + n, sizeof seconds);
  g_strdelimit (seconds, ",", '.');
  s = g_ascii_strtod (seconds, &end);
  if (!(s >= 0 && s < 61))
    return FALSE;
  rest = text + n + (end - seconds);
  while (*rest == ' ')
    rest++;
  if (g_ascii_strcasecmp (rest, "PM") == 0 || g_ascii_strcasecmp (rest, "AM") == 0)
    {
      if (h < 1 || h > 12)
        return FALSE;
      h = h % 12 + (g_ascii_toupper (rest[0]) == 'P' ? 12 : 0);
    }
  else if (*rest != '\0' || h > 23)
    return FALSE;
  tod_us = (gint64) h * 3600 * G_USEC_PER_SEC + (gint64) m * 60 * G_USEC_PER_SEC + (gint64) llround (s * 1e6);
  local_start = cursor->record_start_us + (gint64) cursor->record_zone_s * G_USEC_PER_SEC;
  day_start = local_start - (local_start % ((gint64) 86400 * G_USEC_PER_SEC));
  *us = day_start + tod_us - (gint64) cursor->record_zone_s * G_USEC_PER_SEC;
  /* a series that runs past midnight */
  if (*us < cursor->record_start_us - G_USEC_PER_SEC)
    *us += (gint64) 86400 * G_USEC_PER_SEC;
  return TRUE;
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], wanted))
      return values[i];
  return NULL;
}

static int
record_type (const char **names,
             const char **values)
{
  const char *type = attribute (names, values, "type");

  for (int t = 0; type != NULL && t < N_TYPES; t++)
    if (g_str_equal (type, type_ids[t]))
      return t;
  return -1;
}

/* HealthKit's sleep values as the condition label (docs/replay.md) */
static const char *
sleep_label (const char *value)
{
  static const struct { const char *value; const char *label; } labels[] = {
    { "HKCategoryValueSleepAnalysisInBed", "in_bed" },
    { "HKCategoryValueSleepAnalysisAwake", "sleep_awake" },
    { "HKCategoryValueSleepAnalysisAsleepCore", "sleep_core" },
    { "HKCategoryValueSleepAnalysisAsleepDeep", "sleep_deep" },
    { "HKCategoryValueSleepAnalysisAsleepREM", "sleep_rem" },
    { "HKCategoryValueSleepAnalysisAsleepUnspecified", "sleep_asleep" },
    { "HKCategoryValueSleepAnalysisAsleep", "sleep_asleep" },
  };

  for (gsize i = 0; value != NULL && i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (value, labels[i].value))
      return labels[i].label;
  return NULL;
}

/* ---------------------------------------------------------------- the index */

typedef struct
{
  HeartReplayHealth *health;
  int                depth;
  guint64            line;          /* being parsed */
  goffset            line_offset;
  guint64            tag_line;      /* the last line that began with a tag */
  goffset            tag_offset;
  int                open_type;     /* of the Record being read, or -1 */
  guint64            open_line;
  goffset            open_offset;
  gboolean           root_seen;
} Index;

static void
index_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              data,
             GError              **error)
{
  Index *index = data;

  index->depth++;
  if (index->depth == 1)
    {
      if (!g_str_equal (element, "HealthData"))
        g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                     "an XML file, but not an Apple Health export (its root is <%s>)", element);
      index->root_seen = TRUE;
    }
  else if (index->depth == 2 && g_str_equal (element, "Record"))
    {
      index->open_type = record_type (names, values);
      index->open_line = index->tag_line;
      index->open_offset = index->tag_offset;
    }
  else if (index->open_type == TYPE_HRV && g_str_equal (element, "InstantaneousBeatsPerMinute"))
    index->health->ranges[TYPE_HRV].beats++;
}

static void
index_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              data,
           GError              **error)
{
  Index *index = data;

  /* a record counts once it is whole: a cut one is not played */
  if (index->depth == 2 && index->open_type >= 0)
    {
      Range *range = &index->health->ranges[index->open_type];

      if (range->count++ == 0)
        {
          range->offset = index->open_offset;
          range->line = index->open_line;
        }
      range->last_line = index->line;
      index->open_type = -1;
    }
  index->depth--;
}

static GError *
malformed_xml (HeartReplay  *self,
               guint64       line,
               const GError *error)
{
  /* GMarkup's own message starts with its line and column: keep its why */
  const char *why = error->message;
  const char *colon = g_str_has_prefix (why, "Error on line") ? strstr (why, ": ") : NULL;

  return g_error_new (HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE, "%s:%" G_GUINT64_FORMAT ": malformed XML: %s",
                      self->name, line, colon ? colon + 2 : why);
}

/* Feeds @len bytes at @offset a line at a time, so that every line's
 * offset is known; FALSE on a parse error */
static gboolean
index_feed (Index               *index,
            GMarkupParseContext *context,
            const char          *text,
            gsize                len,
            goffset              offset,
            gboolean            *at_line_start,
            GError             **error)
{
  gsize done = 0;

  while (done < len)
    {
      const char *nl = memchr (text + done, '\n', len - done);
      gsize n = nl ? (gsize) (nl - (text + done)) + 1 : len - done;

      if (*at_line_start)
        {
          gsize i = done;

          while (i < done + n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
            i++;
          if (i < done + n && text[i] == '<')
            {
              index->tag_line = index->line;
              index->tag_offset = index->line_offset;
            }
          if (i < done + n && text[i] != '\n')
            *at_line_start = FALSE;
        }
      if (!g_markup_parse_context_parse (context, text + done, (gssize) n, error))
        return FALSE;
      done += n;
      if (nl != NULL)
        {
          index->line++;
          index->line_offset = offset + (goffset) done;
          *at_line_start = TRUE;
        }
    }
  return TRUE;
}

static gboolean
build_index (HeartReplay        *self,
             HeartReplayHealth  *health,
             GError            **error)
{
  static const GMarkupParser parser = { .start_element = index_start, .end_element = index_end };
  Index index = { .health = health, .line = 1, .open_type = -1 };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, &index, NULL);
  g_autoptr(GError) local = NULL;
  goffset offset = 0;
  gboolean at_line_start = TRUE;
  gboolean ok = TRUE;

  for (;;)
    {
      ssize_t got;

      do
        got = pread (self->lines.fd, health->buf, CHUNK, offset);
      while (got < 0 && errno == EINTR);
      if (got < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot replay %s: %s",
                       self->name, g_strerror (errsv));
          return FALSE;
        }
      if (got == 0)
        {
          ok = g_markup_parse_context_end_parse (context, &local);
          break;
        }
      if (!index_feed (&index, context, health->buf, (gsize) got, offset, &at_line_start, &local))
        {
          ok = FALSE;
          break;
        }
      offset += got;
    }
  if (!ok && g_error_matches (local, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT))
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT, "cannot replay %s: %s",
                   self->name, local->message);
      return FALSE;
    }
  /* what comes before malformed XML is played; the error when it is reached */
  if (!ok)
    health->xml_error = malformed_xml (self, index.line, local);
  if (!index.root_seen)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: %s", self->name,
                   health->xml_error ? health->xml_error->message : "no <HealthData> element");
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- cursors */

static void
cursor_push (Cursor          *cursor,
             HeartReplayItem *item,
             GError          *error)
{
  Entry entry = { .error = error };

  if (item != NULL)
    entry.item = *item;
  g_array_append_val (cursor->queue, entry);
}

static guint64
cursor_line (Cursor *cursor)
{
  int line = 0;

  g_markup_parse_context_get_position (cursor->context, &line, NULL);
  return cursor->replay->health->ranges[cursor->type].line + (guint64) line - 1;
}

static GError *
record_error (Cursor     *cursor,
              const char *why)
{
  return g_error_new (HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE, "%s:%" G_GUINT64_FORMAT ": %s",
                      cursor->replay->name, cursor_line (cursor), why);
}

static void
push_sleep_end (Cursor *cursor,
                gint64  before_us)
{
  if (cursor->have_end && cursor->end.wall_us <= before_us)
    cursor_push (cursor, &cursor->end, NULL);
  cursor->have_end = FALSE;
}

/* A record's "value" as a value of @channel, in the channel's range, at its
 * "endDate"; FALSE when either is bad, reported */
static gboolean
value_item (Cursor          *cursor,
            const char     **names,
            const char     **values,
            HeartChannelId   channel,
            gint64           start_us,
            HeartReplayItem *item)
{
  const HeartChannel *info = heart_channel_get (channel);
  double value;
  gint64 end_us;
  int zone;

  if (!_heart_replay_parse_number (attribute (names, values, "value"), &value)
      || value < info->min || value > info->max)
    {
      g_autofree char *why = g_strdup_printf ("\"value\" is not %s from %g to %g %s",
                                              channel == HEART_CHANNEL_STEPS ? "a step count" : "an SDNN",
                                              info->min, info->max, info->unit);

      cursor_push (cursor, NULL, record_error (cursor, why));
      return FALSE;
    }
  if (!parse_date (attribute (names, values, "endDate"), &end_us, &zone) || end_us < start_us)
    {
      cursor_push (cursor, NULL, record_error (cursor, "bad or missing \"endDate\""));
      return FALSE;
    }
  _heart_replay_item_clear (item);
  item->kind = HEART_REPLAY_ITEM_VALUE;
  item->channel = channel;
  item->value = value;
  item->wall_us = end_us;
  return TRUE;
}

/* The held step counts that end by @before_us, in endDate order */
static void
release_held (Cursor *cursor,
              gint64  before_us)
{
  guint n = 0;

  while (n < cursor->held->len && g_array_index (cursor->held, HeartReplayItem, n).wall_us <= before_us)
    cursor_push (cursor, &g_array_index (cursor->held, HeartReplayItem, n++), NULL);
  g_array_remove_range (cursor->held, 0, n);
}

/* @item among the held ones, by endDate; when too many overlap, the
 * earliest is played now (later than its time rather than kept) */
static void
hold (Cursor          *cursor,
      HeartReplayItem *item)
{
  guint at = cursor->held->len;

  if (cursor->held->len == HELD_MAX)
    release_held (cursor, g_array_index (cursor->held, HeartReplayItem, 0).wall_us);
  while (at > 0 && g_array_index (cursor->held, HeartReplayItem, at - 1).wall_us > item->wall_us)
    at--;
  g_array_insert_val (cursor->held, MIN (at, cursor->held->len), *item);
}

static void
cursor_record (Cursor      *cursor,
               const char **names,
               const char **values)
{
  HeartReplayItem item;
  gint64 start_us, end_us;
  int zone, end_zone;
  double value;
  const char *label;

  if (!parse_date (attribute (names, values, "startDate"), &start_us, &zone))
    {
      cursor_push (cursor, NULL, record_error (cursor, "bad or missing \"startDate\""));
      return;
    }
  if (start_us < cursor->last_start_us)
    {
      cursor_push (cursor, NULL, record_error (cursor, "the time goes back (records of a type must be in time order)"));
      return;
    }
  _heart_replay_item_clear (&item);
  item.wall_us = start_us;
  switch (cursor->type)
    {
    case TYPE_HEART_RATE:
      if (!_heart_replay_parse_number (attribute (names, values, "value"), &value) || value < BPM_MIN || value > BPM_MAX)
        {
          cursor_push (cursor, NULL, record_error (cursor, "\"value\" is not a heart rate from 20 to 300"));
          return;
        }
      item.kind = HEART_REPLAY_ITEM_READING;
      item.bpm = value;
      cursor_push (cursor, &item, NULL);
      break;
    case TYPE_HRV:
      /* the SDNN describes the window the beats were taken over: known at
       * its end, it is played there, after them */
      if (!value_item (cursor, names, values, HEART_CHANNEL_HRV_SDNN, start_us, &cursor->sdnn))
        return;
      cursor->in_record = TRUE;
      cursor->record_start_us = start_us;
      cursor->record_zone_s = zone;
      cursor->previous_beat_us = G_MININT64;
      break;
    case TYPE_SLEEP:
      label = sleep_label (attribute (names, values, "value"));
      if (label == NULL)
        {
          cursor_push (cursor, NULL, record_error (cursor, "\"value\" is not a sleep stage"));
          return;
        }
      if (!parse_date (attribute (names, values, "endDate"), &end_us, &end_zone) || end_us < start_us)
        {
          cursor_push (cursor, NULL, record_error (cursor, "bad or missing \"endDate\""));
          return;
        }
      push_sleep_end (cursor, start_us - 1);
      item.kind = HEART_REPLAY_ITEM_LABEL;
      g_strlcpy (item.label, label, sizeof item.label);
      cursor_push (cursor, &item, NULL);
      _heart_replay_item_clear (&cursor->end);
      cursor->end.kind = HEART_REPLAY_ITEM_LABEL;
      cursor->end.wall_us = end_us;
      cursor->have_end = TRUE;
      break;
    case TYPE_STEPS:
      /* the steps counted over the span, at its end */
      if (!value_item (cursor, names, values, HEART_CHANNEL_STEPS, start_us, &item))
        return;
      release_held (cursor, start_us);
      hold (cursor, &item);
      break;
    case N_TYPES:
    default:
      g_assert_not_reached ();
    }
  cursor->last_start_us = start_us;
}

/* An entry of a beat series: a beat with RR = 60000 / bpm when it follows
 * the entry before it within two of its intervals; the first entry, and
 * one after a gap, only starts the count */
static void
cursor_beat (Cursor      *cursor,
             const char **names,
             const char **values)
{
  HeartReplayItem item;
  double bpm;
  gint64 at_us, previous = cursor->previous_beat_us;

  if (!_heart_replay_parse_number (attribute (names, values, "bpm"), &bpm) || bpm < BPM_MIN || bpm > BPM_MAX)
    {
      cursor_push (cursor, NULL, record_error (cursor, "\"bpm\" is not a heart rate from 20 to 300"));
      return;
    }
  if (!parse_beat_time (cursor, attribute (names, values, "time"), &at_us))
    {
      cursor_push (cursor, NULL, record_error (cursor, "bad or missing \"time\""));
      return;
    }
  if (previous != G_MININT64 && at_us <= previous)
    {
      cursor_push (cursor, NULL, record_error (cursor, "the time goes back"));
      return;
    }
  cursor->previous_beat_us = at_us;
  if (previous == G_MININT64 || at_us - previous > (gint64) llround (2 * 60e6 / bpm))
    return;
  _heart_replay_item_clear (&item);
  item.kind = HEART_REPLAY_ITEM_BEAT;
  item.wall_us = at_us;
  item.beat.rr_ms = 60000.0 / bpm;
  item.beat.stress_level = NAN;
  cursor_push (cursor, &item, NULL);
}

static void
cursor_start (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              data,
              GError              **error)
{
  Cursor *cursor = data;

  cursor->depth++;
  if (cursor->depth == 2 && g_str_equal (element, "Record") && record_type (names, values) == (int) cursor->type)
    cursor_record (cursor, names, values);
  else if (cursor->in_record && cursor->depth == 4 && g_str_equal (element, "InstantaneousBeatsPerMinute"))
    cursor_beat (cursor, names, values);
}

static void
cursor_end (GMarkupParseContext  *context,
            const char           *element,
            gpointer              data,
            GError              **error)
{
  Cursor *cursor = data;

  if (cursor->depth == 2)
    {
      if (cursor->in_record)
        cursor_push (cursor, &cursor->sdnn, NULL);
      cursor->in_record = FALSE;
      if (cursor_line (cursor) >= cursor->replay->health->ranges[cursor->type].last_line)
        cursor->done = TRUE;
    }
  cursor->depth--;
}

static void
cursor_reset (Cursor *cursor)
{
  static const GMarkupParser parser = { .start_element = cursor_start, .end_element = cursor_end };
  HeartReplayHealth *health = cursor->replay->health;

  g_clear_pointer (&cursor->context, g_markup_parse_context_free);
  for (guint i = cursor->queue_head; i < cursor->queue->len; i++)
    g_clear_error (&g_array_index (cursor->queue, Entry, i).error);
  g_array_set_size (cursor->queue, 0);
  cursor->queue_head = 0;
  if (cursor->have_head)
    g_clear_error (&cursor->head.error);
  cursor->have_head = FALSE;
  cursor->have_end = FALSE;
  g_array_set_size (cursor->held, 0);
  cursor->in_record = FALSE;
  cursor->depth = 0;
  cursor->last_start_us = G_MININT64;
  cursor->offset = health->ranges[cursor->type].offset;
  /* a type with nothing to play is over at once */
  cursor->done = health->ranges[cursor->type].count == 0;
  if (cursor->done)
    return;
  cursor->context = g_markup_parse_context_new (&parser, 0, cursor, NULL);
  /* it starts inside the export: the root it would have seen */
  (void) g_markup_parse_context_parse (cursor->context, "<HealthData>", -1, NULL);
}

/* The cursor's next entry: ITEM (an item, or an error in head.error),
 * END, AGAIN, or FAILED (@error) */
static HeartReplayRead
cursor_pull (Cursor  *cursor,
             GError **error)
{
  HeartReplay *self = cursor->replay;
  gsize parsed = 0;

  while (cursor->queue_head == cursor->queue->len)
    {
      g_autoptr(GError) local = NULL;
      ssize_t got;

      g_array_set_size (cursor->queue, 0);
      cursor->queue_head = 0;
      if (cursor->done)
        {
          /* the last sleep stage ends, the last step counts are played */
          if (cursor->have_end || cursor->held->len > 0)
            {
              push_sleep_end (cursor, G_MAXINT64);
              release_held (cursor, G_MAXINT64);
              continue;
            }
          return HEART_REPLAY_READ_END;
        }
      if (parsed >= CURSOR_BUDGET)
        return HEART_REPLAY_READ_AGAIN;
      do
        got = pread (self->lines.fd, self->health->buf, CHUNK, cursor->offset);
      while (got < 0 && errno == EINTR);
      if (got < 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot read %s: %s",
                       self->name, g_strerror (errsv));
          return HEART_REPLAY_READ_FAILED;
        }
      if (got == 0)
        {
          cursor->done = TRUE;
          continue;
        }
      cursor->offset += got;
      parsed += (gsize) got;
      /* what follows the type's last record may be the malformed part the
       * index reports: a cursor stops where its records end */
      if (!g_markup_parse_context_parse (cursor->context, self->health->buf, got, &local) && !cursor->done)
        {
          cursor_push (cursor, NULL, malformed_xml (self, cursor_line (cursor), local));
          cursor->done = TRUE;
        }
    }
  cursor->head = g_array_index (cursor->queue, Entry, cursor->queue_head++);
  cursor->have_head = TRUE;
  return HEART_REPLAY_READ_ITEM;
}

/* ---------------------------------------------------------------- the reader */

static HeartReplayRead
health_read (HeartReplay      *self,
             HeartReplayItem  *item,
             GError          **error)
{
  HeartReplayHealth *health = self->health;
  Cursor *first = NULL;

  for (int t = 0; t < N_TYPES; t++)
    {
      Cursor *cursor = &health->cursors[t];

      if (!cursor->have_head)
        {
          HeartReplayRead status = cursor_pull (cursor, error);

          if (status == HEART_REPLAY_READ_END)
            continue;
          if (status != HEART_REPLAY_READ_ITEM)
            return status;
        }
      if (cursor->head.error != NULL)
        {
          cursor->have_head = FALSE;
          *error = g_steal_pointer (&cursor->head.error);
          return HEART_REPLAY_READ_MALFORMED;
        }
      if (first == NULL || cursor->head.item.wall_us < first->head.item.wall_us)
        first = cursor;
    }
  if (first == NULL)
    {
      if (health->xml_error != NULL && !health->xml_error_reported)
        {
          health->xml_error_reported = TRUE;
          *error = g_error_copy (health->xml_error);
          return HEART_REPLAY_READ_MALFORMED;
        }
      return HEART_REPLAY_READ_END;
    }
  first->have_head = FALSE;
  *item = first->head.item;
  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->first_raw = item->wall_us / 1e6;
      self->first_wall_us = item->wall_us;
    }
  item->t = MAX (0, (item->wall_us - self->first_wall_us) / 1e6);
  return HEART_REPLAY_READ_ITEM;
}

static void
health_rewind (HeartReplay *self)
{
  for (int t = 0; t < N_TYPES; t++)
    cursor_reset (&self->health->cursors[t]);
  self->health->xml_error_reported = FALSE;
}

static const HeartReplayReader health_reader = {
  .read = health_read,
  .rewind = health_rewind,
  .grid = TRUE,
};

void
_heart_replay_health_free (HeartReplayHealth *health)
{
  for (int t = 0; t < N_TYPES; t++)
    {
      Cursor *cursor = &health->cursors[t];

      if (cursor->queue == NULL)
        continue;
      g_clear_pointer (&cursor->context, g_markup_parse_context_free);
      for (guint i = cursor->queue_head; i < cursor->queue->len; i++)
        g_clear_error (&g_array_index (cursor->queue, Entry, i).error);
      if (cursor->have_head)
        g_clear_error (&cursor->head.error);
      g_array_unref (cursor->queue);
      g_array_unref (cursor->held);
    }
  g_clear_error (&health->xml_error);
  g_free (health->buf);
  g_free (health);
}

gboolean
_heart_replay_health_open (HeartReplay  *self,
                           GError      **error)
{
  HeartReplayHealth *health;
  const Range *ranges;

  if (self->columns_override != NULL)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: --columns is for CSV files, this is XML", self->name);
      return FALSE;
    }
  health = self->health = g_new0 (HeartReplayHealth, 1);
  health->buf = g_malloc (CHUNK);
  for (int t = 0; t < N_TYPES; t++)
    {
      health->cursors[t].replay = self;
      health->cursors[t].type = t;
      health->cursors[t].queue = g_array_new (FALSE, FALSE, sizeof (Entry));
      health->cursors[t].held = g_array_new (FALSE, FALSE, sizeof (HeartReplayItem));
    }
  self->format = HEART_REPLAY_FORMAT_APPLE_HEALTH;
  self->reader = &health_reader;
  if (!build_index (self, health, error))
    return FALSE;
  ranges = health->ranges;
  if (ranges[TYPE_HEART_RATE].count == 0 && ranges[TYPE_HRV].count == 0 && ranges[TYPE_SLEEP].count == 0
      && ranges[TYPE_STEPS].count == 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                   "cannot replay %s: an Apple Health export with no heart-rate, HRV, sleep or step records%s%s",
                   self->name, health->xml_error ? " before " : "",
                   health->xml_error ? health->xml_error->message : "");
      return FALSE;
    }
  self->has_rr = ranges[TYPE_HRV].beats > 0;
  self->detected = g_strdup_printf ("Apple Health export: %" G_GUINT64_FORMAT " heart-rate records, %"
                                    G_GUINT64_FORMAT " HRV records with %" G_GUINT64_FORMAT
                                    " beat-series entries, %" G_GUINT64_FORMAT " sleep records, %"
                                    G_GUINT64_FORMAT " step records",
                                    ranges[TYPE_HEART_RATE].count, ranges[TYPE_HRV].count,
                                    ranges[TYPE_HRV].beats, ranges[TYPE_SLEEP].count,
                                    ranges[TYPE_STEPS].count);
  health_rewind (self);
  return TRUE;
}
