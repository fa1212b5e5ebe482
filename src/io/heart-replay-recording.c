/* heart-replay-recording.c: our own recordings read back for a replay
 *
 * JSON Lines and CSV (docs/recording.md): every line is a sample, a beat or
 * a value of an event channel named by its "type", with every field it has,
 * played in the order of the file.
 * docs/replay.md, "Formats".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-replay-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

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
  return _heart_replay_parse_number (text, value);
}

/* One line of our recordings */
static gboolean
parse_record (HeartReplay      *self,
              FieldGetter       get,
              gpointer          data,
              HeartReplayItem  *item,
              GError          **error)
{
  char buf[4][G_ASCII_DTOSTR_BUF_SIZE];
  gboolean is_null;
  const char *record = get (data, "record", &is_null, buf[0]);
  const char *timestamp = get (data, "timestamp", &is_null, buf[1]);
  const char *condition = get (data, "condition", &is_null, buf[2]);
  const char *bad = NULL;
  double t, event = NAN, number;

  _heart_replay_item_clear (item);
  if (record == NULL || (!g_str_equal (record, "sample") && !g_str_equal (record, "beat")
                         && !g_str_equal (record, "value")))
    {
      *error = _heart_replay_line_error (self, "not a sample, a beat nor a value (\"record\" is %s)",
                           record ? "something else" : "missing");
      return FALSE;
    }
  if (!optional_number (get, data, "t_s", &t) || !isfinite (t))
    bad = "t_s";
  else if (timestamp == NULL || !_heart_replay_parse_iso (timestamp, &item->wall_us))
    bad = "timestamp";
  else if (!optional_number (get, data, "event", &event))
    bad = "event";
  if (bad == NULL && g_str_equal (record, "value"))
    {
      char type_buf[G_ASCII_DTOSTR_BUF_SIZE];
      const HeartChannel *channel;

      /* any event channel, by its name */
      item->kind = HEART_REPLAY_ITEM_VALUE;
      channel = heart_channel_lookup (get (data, "type", &is_null, type_buf));
      if (channel == NULL || channel->kind != HEART_CHANNEL_KIND_EVENT)
        bad = "type";
      else if (!optional_number (get, data, "value", &item->value)
               || !(item->value >= channel->min && item->value <= channel->max))
        bad = "value";
      else
        item->channel = channel->id;
    }
  else if (bad == NULL && g_str_equal (record, "beat"))
    {
      item->kind = HEART_REPLAY_ITEM_BEAT;
      item->beat.t_s = t;
      item->beat.timestamp_us = item->wall_us;
      if (!optional_number (get, data, "rr_ms", &item->beat.rr_ms)
          || !(item->beat.rr_ms > 0))
        bad = "rr_ms";
      else if (!optional_number (get, data, "stress_level", &item->beat.stress_level))
        bad = "stress_level";
      /* recordings from before beat types have none: sinus beats */
      else if (!heart_beat_type_parse (get (data, "beat_type", &is_null, buf[3]), &item->beat.type))
        bad = "beat_type";
      item->beat.event_active = event == 1;
      g_strlcpy (item->beat.condition, condition ? condition : "", sizeof item->beat.condition);
    }
  else if (bad == NULL)
    {
      HeartSample *sample = &item->sample;

      item->kind = HEART_REPLAY_ITEM_SAMPLE;
      _heart_replay_sample_clear (sample);
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
      *error = _heart_replay_line_error (self, "bad or missing \"%s\"", bad);
      return FALSE;
    }
  item->t = t;
  return TRUE;
}

/* One line of self->lines: a record, or an error */
static gboolean
parse_line (HeartReplay      *self,
            HeartReplayItem  *item,
            gboolean         *got,
            GError          **error)
{
  GString *line = self->lines.line;

  /* our recordings end every line: one without a newline was cut */
  if (!self->lines.newline)
    {
      *error = _heart_replay_line_error (self, "cut short (the last line, with no newline)");
      return FALSE;
    }
  if (self->format == HEART_REPLAY_FORMAT_JSONL)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      JsonNode *root;

      if (!json_parser_load_from_data (parser, line->str, (gssize) line->len, NULL)
          || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          *error = _heart_replay_line_error (self, "not a JSON object");
          return FALSE;
        }
      if (!parse_record (self, json_field, json_node_get_object (root), item, error))
        return FALSE;
    }
  else
    {
      char *cells[HEART_REPLAY_COLUMNS_MAX];
      guint n_cells = 0;
      CsvRow row = { self, cells, 0 };

      if (!_heart_replay_csv_split (line->str, self->delimiter, cells, &n_cells))
        {
          *error = _heart_replay_line_error (self, "a quote is not closed");
          return FALSE;
        }
      if (n_cells != self->n_csv_columns)
        {
          *error = _heart_replay_line_error (self, "%u columns, the header has %u", n_cells, self->n_csv_columns);
          return FALSE;
        }
      row.n_cells = n_cells;
      if (!parse_record (self, csv_field, &row, item, error))
        return FALSE;
    }

  /* times from the first record */
  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->first_raw = item->t;
      self->first_wall_us = item->wall_us;
    }
  item->t -= self->first_raw;
  /* a tick's values are written at its end, after its beats: only samples
   * and beats must keep time order (docs/recording.md) */
  if (item->kind != HEART_REPLAY_ITEM_VALUE && item->t + 1e-9 < self->last_t - self->loop_offset)
    {
      *error = _heart_replay_line_error (self, "t_s goes back");
      return FALSE;
    }
  *got = TRUE;
  return TRUE;
}

static HeartReplayRead
recording_read (HeartReplay      *self,
                HeartReplayItem  *item,
                GError          **error)
{
  return _heart_replay_lines_read (self, parse_line, item, error);
}

static void
recording_rewind (HeartReplay *self)
{
  _heart_replay_lines_reset (&self->lines, self->data_offset, self->data_line);
}

static const HeartReplayReader recording_reader = {
  .read = recording_read,
  .rewind = recording_rewind,
  .grid = FALSE,
};

void
_heart_replay_recording_open_jsonl (HeartReplay *self)
{
  self->format = HEART_REPLAY_FORMAT_JSONL;
  self->reader = &recording_reader;
  self->detected = g_strdup ("Heartsim recording (JSON Lines)");
  /* the first line is data: play from it */
  self->data_offset = 0;
  self->data_line = 0;
}

void
_heart_replay_recording_open_csv (HeartReplay *self)
{
  self->format = HEART_REPLAY_FORMAT_CSV_RECORDING;
  self->reader = &recording_reader;
  self->detected = g_strdup ("Heartsim recording (CSV)");
}
