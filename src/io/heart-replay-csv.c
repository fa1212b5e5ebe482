/* heart-replay-csv.c: CSVs replayed, ours and other tools'
 *
 * Tells our CSV recordings from other tools' files by the header, and in
 * those finds the time, heart-rate, RR and wall-clock columns by their
 * names and units (or --columns), the time's unit from the first value
 * when no name says it. Rows become heart-rate readings or beats.
 * docs/replay.md, "CSVs of other tools".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-replay-private.h"

#include <math.h>
#include <string.h>

#include "heart-duration.h"

#define RR_MIN_MS            200.0
#define RR_MAX_MS            3000.0
#define TIME_MAX_S           1e11
#define BPM_MIN              20.0
#define BPM_MAX              300.0

static gboolean
parse_time_unit (const char *text,
                 HeartReplayTimeUnit   *unit)
{
  static const struct { const char *name; HeartReplayTimeUnit unit; } units[] = {
    { "s", HEART_REPLAY_UNIT_S }, { "ms", HEART_REPLAY_UNIT_MS }, { "us", HEART_REPLAY_UNIT_US }, { "ns", HEART_REPLAY_UNIT_NS }, { "iso", HEART_REPLAY_UNIT_ISO },
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
  /* an EDF/BDF/GDF/WFDB file's ECG channel, alone (heart-replay-biosig.c) */
  if (g_str_has_prefix (text, "ecg="))
    {
      if (!g_ascii_string_to_unsigned (text + 4, 10, 1, G_MAXUINT16, NULL, NULL))
        return heart_option_error (error, "--columns: ecg= takes a channel number from 1, and nothing else");
      return TRUE;
    }
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = eq ? g_strndup (parts[i], eq - parts[i]) : NULL;
      HeartReplayTimeUnit unit;

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
        return heart_option_error (error, "--columns: unknown key “%s” (time, bpm, rr_ms, time_unit; or ecg alone)", key);
    }
  if (!has_value)
    return heart_option_error (error, "--columns needs bpm=… or rr_ms=…");
  return TRUE;
}

/* Splits a CSV line at @delimiter, with "quoted" cells; the cells point
 * into @line, which is modified. FALSE when a quote is not closed. */
gboolean
_heart_replay_csv_split (char   *line,
             char    delimiter,
             char  **cells,
             guint  *n_cells)
{
  char *p = line;
  guint n = 0;

  for (;;)
    {
      char *out;

      if (n == HEART_REPLAY_COLUMNS_MAX)
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
static const char *
unit_name (HeartReplayTimeUnit unit)
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
    case HEART_REPLAY_UNIT_ISO:
      if (!_heart_replay_parse_iso (text, &us))
        break;
      *wall_us = us;
      return us / 1e6;
    case HEART_REPLAY_UNIT_S:
    case HEART_REPLAY_UNIT_MS:
    case HEART_REPLAY_UNIT_US:
    case HEART_REPLAY_UNIT_NS:
      if (!_heart_replay_parse_number (text, &value))
        break;
      value /= self->time_unit == HEART_REPLAY_UNIT_S ? 1.0 : self->time_unit == HEART_REPLAY_UNIT_MS ? 1e3
             : self->time_unit == HEART_REPLAY_UNIT_US ? 1e6 : 1e9;
      /* beyond the year 5000, or before 1970 by as much, is no time */
      if (!(fabs (value) <= TIME_MAX_S))
        break;
      /* a time since the epoch (after 2001) is a wall clock */
      if (value > 1e9)
        *wall_us = (gint64) llround (value * 1e6);
      return value;
    case HEART_REPLAY_UNIT_AUTO:
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
      if (n == max || !_heart_replay_parse_number (parts[i], &value) || value < RR_MIN_MS || value > RR_MAX_MS)
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
  double t = 0, rr[HEART_REPLAY_RR_PER_ROW_MAX], bpm = NAN;
  gint64 wall_us = 0;
  guint n_rr = 0;
  gboolean ok = TRUE;
  int needed = MAX (self->col_time, MAX (self->col_bpm, MAX (self->col_rr, self->col_wall)));

  self->n_pending = self->next_pending = 0;
  if ((int) n_cells <= needed)
    {
      *error = _heart_replay_line_error (self, "%u column%s, the header has %u", n_cells, n_cells == 1 ? "" : "s",
                           self->n_csv_columns);
      return FALSE;
    }
  if (self->col_time >= 0)
    {
      t = raw_time_seconds (self, cells[self->col_time], &wall_us, &ok);
      if (!ok)
        {
          *error = _heart_replay_line_error (self, "column %d is not a time (%s)", self->col_time + 1, unit_name (self->time_unit));
          return FALSE;
        }
    }
  if (self->col_wall >= 0 && wall_us == 0)
    (void) _heart_replay_parse_iso (cells[self->col_wall], &wall_us);
  if (self->col_rr >= 0 && cells[self->col_rr][0] != '\0')
    {
      n_rr = parse_rr_list (cells[self->col_rr], rr, HEART_REPLAY_RR_PER_ROW_MAX, &ok);
      if (!ok)
        {
          *error = _heart_replay_line_error (self, "column %d is not RR intervals from %g to %g ms",
                               self->col_rr + 1, RR_MIN_MS, RR_MAX_MS);
          return FALSE;
        }
    }
  if (self->col_bpm >= 0 && cells[self->col_bpm][0] != '\0'
      && (!_heart_replay_parse_number (cells[self->col_bpm], &bpm) || bpm < BPM_MIN || bpm > BPM_MAX))
    {
      *error = _heart_replay_line_error (self, "column %d is not a heart rate from %g to %g", self->col_bpm + 1,
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
      *error = _heart_replay_line_error (self, "the time goes back");
      return FALSE;
    }
  if (n_rr > 0)
    {
      double beat_t = t - self->first_raw;

      /* the row's time is that of its last beat */
      for (guint i = n_rr; i-- > 0;)
        {
          HeartReplayItem *item = &self->pending[i];

          _heart_replay_item_clear (item);
          item->kind = HEART_REPLAY_ITEM_BEAT;
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
      HeartReplayItem *item = &self->pending[0];

      _heart_replay_item_clear (item);
      item->kind = HEART_REPLAY_ITEM_READING;
      item->t = t - self->first_raw;
      item->wall_us = wall_us;
      item->bpm = bpm;
      self->n_pending = 1;
    }
  return TRUE;
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

  if (_heart_replay_parse_number (wanted, &index) && index >= 1 && index <= self->n_csv_columns && index == floor (index))
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
                        HeartReplayTimeUnit    *header_unit)
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
  *header_unit = HEART_REPLAY_UNIT_AUTO;
  for (guint c = 0; c < self->n_csv_columns; c++)
    {
      g_autofree char *unit = NULL;
      g_autofree char *name = normalise_header (self->csv_columns[c], &unit);

      if (name_matches (name, time_names))
        {
          /* a time with a unit beats one without (Polar: the sensor's
           * nanoseconds over the phone's clock, which anchors the wall) */
          int score = unit != NULL ? 2 : 1;
          HeartReplayTimeUnit parsed = HEART_REPLAY_UNIT_AUTO;

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
static HeartReplayTimeUnit
guess_time_unit (const char *value)
{
  double number;
  gint64 us;

  if (_heart_replay_parse_iso (value, &us))
    return HEART_REPLAY_UNIT_ISO;
  if (!_heart_replay_parse_number (value, &number))
    return HEART_REPLAY_UNIT_S;
  number = fabs (number);
  if (number > 1e17)
    return HEART_REPLAY_UNIT_NS;
  if (number > 1e14)
    return HEART_REPLAY_UNIT_US;
  if (number > 1e11)
    return HEART_REPLAY_UNIT_MS;
  return HEART_REPLAY_UNIT_S;
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

/* The first data line tells the time unit when nothing else did */
static void
settle_time_unit (HeartReplay *self)
{
  char *cells[HEART_REPLAY_COLUMNS_MAX];
  guint n_cells = 0;

  if (self->format != HEART_REPLAY_FORMAT_GENERIC || self->col_time < 0 || self->time_unit != HEART_REPLAY_UNIT_AUTO)
    return;
  self->time_unit = HEART_REPLAY_UNIT_S;
  while (_heart_replay_lines_next (&self->lines, &(int) { 0 }) == HEART_REPLAY_LINE)
    {
      if (self->lines.too_long || _heart_replay_line_is_blank (self->lines.line))
        continue;
      if (_heart_replay_csv_split (self->lines.line->str, self->delimiter, cells, &n_cells)
          && (int) n_cells > self->col_time)
        self->time_unit = guess_time_unit (cells[self->col_time]);
      break;
    }
  _heart_replay_lines_reset (&self->lines, self->data_offset, self->data_line);
}


/* The next item of a line, if it holds one; FALSE with @error when it is
 * malformed */
static gboolean
parse_line (HeartReplay      *self,
            HeartReplayItem  *item,
            gboolean         *got,
            GError          **error)
{
  char *cells[HEART_REPLAY_COLUMNS_MAX];
  guint n_cells = 0;

  if (!_heart_replay_csv_split (self->lines.line->str, self->delimiter, cells, &n_cells))
    {
      *error = _heart_replay_line_error (self, "a quote is not closed");
      return FALSE;
    }
  if (!parse_generic_row (self, cells, n_cells, error))
    return FALSE;
  if (self->n_pending == 0)
    return TRUE;
  *item = self->pending[0];
  self->next_pending = 1;
  *got = TRUE;
  return TRUE;
}

/* The beats of a row one by one, then the next row's */
static HeartReplayRead
generic_read (HeartReplay      *self,
              HeartReplayItem  *item,
              GError          **error)
{
  if (self->next_pending < self->n_pending)
    {
      *item = self->pending[self->next_pending++];
      return HEART_REPLAY_READ_ITEM;
    }
  return _heart_replay_lines_read (self, parse_line, item, error);
}

static void
generic_rewind (HeartReplay *self)
{
  _heart_replay_lines_reset (&self->lines, self->data_offset, self->data_line);
  self->n_pending = self->next_pending = 0;
  self->cumulative_rr_s = 0;
}

static const HeartReplayReader generic_reader = {
  .read = generic_read,
  .rewind = generic_rewind,
  .grid = TRUE,
};

gboolean
_heart_replay_csv_open (HeartReplay  *self,
                        char         *header,
                        GError      **error)
{
  char *cells[HEART_REPLAY_COLUMNS_MAX];
  guint n_cells = 0, counts[3] = { 0 };
  const char delimiters[3] = { ',', ';', '\t' };
  HeartReplayTimeUnit header_unit = HEART_REPLAY_UNIT_AUTO;

  for (char *p = header; *p != '\0'; p++)
    for (guint i = 0; i < 3; i++)
      counts[i] += *p == delimiters[i];
  self->delimiter = counts[1] > counts[0] && counts[1] >= counts[2] ? ';' : counts[2] > counts[0] ? '\t' : ',';
  if (!_heart_replay_csv_split (header, self->delimiter, cells, &n_cells))
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
      _heart_replay_recording_open_csv (self);
      return TRUE;
    }
  self->format = HEART_REPLAY_FORMAT_GENERIC;
  self->reader = &generic_reader;
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
  if (self->time_unit == HEART_REPLAY_UNIT_AUTO)
    self->time_unit = header_unit;
  self->has_rr = self->col_rr >= 0;
  _heart_replay_lines_reset (&self->lines, self->data_offset, self->data_line);
  settle_time_unit (self);
  describe_generic (self);
  return TRUE;
}

