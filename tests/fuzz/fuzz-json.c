/* fuzz-json.c: the field formatter (io/heart-fields.c, heart-sample-fields.c)
 * and the server's JSON writers (heart-server-json.c) on samples, beats and
 * channel values built from raw bytes
 *
 * Every object written must parse with json-glib and hold exactly the
 * record's fields, in order, with their values: integers exactly, decimals
 * to their last digit, times to the millisecond. The input's first bytes
 * fill a HeartSample, a HeartBeat and one value of each channel; the rest is
 * a string for heart_json_append_string().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "heart-channel.h"
#include "heart-fields.h"
#include "heart-sample-fields.h"
#include "heart-server-json.h"
#include "fuzz-common.h"

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the years ISO 8601
 * writes with four digits and GDateTime reads back */
#define YEAR_1_US     G_GINT64_CONSTANT (-62135596800000000)
#define YEAR_9999_US  G_GINT64_CONSTANT (253402300799999999)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static double
take_double (FuzzInput *in)
{
  double value;

  fuzz_take (in, &value, sizeof value);
  return value;
}

static gint64
take_int64 (FuzzInput *in)
{
  gint64 value;

  fuzz_take (in, &value, sizeof value);
  return value;
}

/* Names in scenario files are [a-z0-9_-], 64 at most (heart-scenario-file.c):
 * HEART_FIELD_STRING writes them unescaped */
static void
take_label (FuzzInput *in,
            char       label[HEART_LABEL_MAX])
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
  guint length = fuzz_take_byte (in) % HEART_LABEL_MAX;

  for (guint i = 0; i < length; i++)
    label[i] = alphabet[fuzz_take_byte (in) % (sizeof alphabet - 1)];
  label[length] = '\0';
}

/* A channel with no decimals is written as lround (value): json-glib reads
 * integers within ±2^63 only, so such a value stays within ±1e15 */
static double
take_channel_double (FuzzInput *in,
                     int        decimals)
{
  double value = take_double (in);

  if (decimals == 0 && !(fabs (value) < 1e15))
    return isfinite (value) ? fmod (value, 1e15) : 0;
  return value;
}

/* The written ISO 8601 time is the timestamp rounded down to the ms */
static void
check_timestamp (JsonObject *object,
                 const char *name,
                 gint64      timestamp_us)
{
  const char *text = json_object_get_string_member (object, name);
  g_autoptr(GDateTime) parsed = NULL;
  gint64 ms;

  g_assert_nonnull (text);
  if (timestamp_us < YEAR_1_US || timestamp_us > YEAR_9999_US)
    return;
  parsed = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (parsed);
  ms = timestamp_us / 1000 - (timestamp_us % 1000 < 0 ? 1 : 0);
  g_assert_cmpint (g_date_time_to_unix (parsed) * G_USEC_PER_SEC + g_date_time_get_microsecond (parsed),
                   ==, ms * 1000);
}

/* A number written with @decimals reads back within half its last digit;
 * a non-finite one is written as 0. Past 1e30 the fixed-point text no longer
 * fits the formatter's buffer: only its being JSON is checked there. */
static void
check_decimal (JsonObject *object,
               const char *name,
               double      value,
               int         decimals)
{
  JsonNode *node = json_object_get_member (object, name);
  double read;

  g_assert_nonnull (node);
  /* a value the source lacks (not finite) is null (docs/replay.md) */
  if (!isfinite (value))
    {
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      return;
    }
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  read = json_node_get_double (node);
  if (fabs (value) < 1e30)
    g_assert_cmpfloat (fabs (read - value), <=, 0.5 * pow (10, -decimals) + fabs (value) * 1e-15);
}

/* The object holds @fields and nothing else, in their order, with their values */
static void
check_fields (JsonObject       *object,
              const HeartField *fields,
              guint             n)
{
  g_autoptr(GList) members = json_object_get_members (object);
  GList *member = members;

  g_assert_cmpuint (g_list_length (members), ==, n);
  for (guint i = 0; i < n; i++, member = member->next)
    {
      const HeartField *field = &fields[i];
      JsonNode *node = json_object_get_member (object, field->name);

      g_assert_cmpstr (member->data, ==, field->name);
      switch (field->kind)
        {
        case HEART_FIELD_TIMESTAMP:
          check_timestamp (object, field->name, field->integer);
          break;
        case HEART_FIELD_INT:
          g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
          g_assert_cmpint (json_node_get_int (node), ==, field->integer);
          break;
        case HEART_FIELD_DECIMALS_1:
          check_decimal (object, field->name, field->number, 1);
          break;
        case HEART_FIELD_DECIMALS_3:
          check_decimal (object, field->name, field->number, 3);
          break;
        case HEART_FIELD_STRING:
          g_assert_cmpstr (json_node_get_string (node), ==, field->string);
          break;
        case HEART_FIELD_NULL:
          g_assert_true (JSON_NODE_HOLDS_NULL (node));
          break;
        case HEART_FIELD_BOOLEAN:
          g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
          g_assert_cmpint (json_node_get_boolean (node), ==, field->integer != 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* The CSV row has one cell per header name, and no quotes or stray lines */
static void
check_csv (const HeartField *fields,
           guint             n)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GString) header = g_string_new (NULL);
  g_auto(GStrv) cells = NULL;
  g_auto(GStrv) names = NULL;

  heart_fields_append (csv, HEART_FIELDS_CSV, fields, n);
  heart_fields_append_header (header, fields, n);
  g_assert_true (g_str_has_suffix (csv->str, "\n"));
  g_assert_null (strchr (csv->str, '"'));
  g_assert_true (strchr (csv->str, '\n') == csv->str + csv->len - 1);
  g_string_truncate (csv, csv->len - 1);
  cells = g_strsplit (csv->str, ",", -1);
  g_assert_cmpuint (g_strv_length (cells), ==, n);
  g_string_truncate (header, header->len - 1);
  names = g_strsplit (header->str, ",", -1);
  g_assert_cmpuint (g_strv_length (names), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (names[i], ==, fields[i].name);
}

static void
check_sample (const HeartSample     *sample,
              HeartSampleJsonFlavor  flavor)
{
  HeartField fields[HEART_FIELDS_MAX];
  guint n = heart_sample_fields (sample, flavor, fields);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  heart_sample_append_json (sample, flavor, out);
  root = fuzz_parse_json (out->str, (gssize) out->len);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  check_fields (object, fields, n);
  check_csv (fields, n);

  /* the seed's fields, by name */

  g_assert_cmpint (json_object_get_int_member (object, "bpm"), ==, sample->bpm);
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, (gint64) sample->seq);
  g_assert_cmpint (json_object_get_int_member (object, "baseline_bpm"), ==, sample->baseline_bpm);
  g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, heart_sample_state_string (sample));
  g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "heartbeat");
  check_timestamp (object, "timestamp", sample->timestamp_us);
  check_decimal (object, "variability", sample->variability, 3);
  check_decimal (object, "stress_level", sample->stress_level, 3);
  check_decimal (object, "rr_ms", sample->rr_ms, 1);
  check_decimal (object, "rmssd_ms", sample->rmssd_ms, 1);
  /* the wire's flag is a boolean, the datasets' a 1 or 0 (docs/api.md) */
  if (flavor == HEART_SAMPLE_JSON_LABELED)
    g_assert_cmpint (json_object_get_int_member (object, "event"), ==, sample->event_active ? 1 : 0);
  else
    g_assert_cmpint (json_object_get_boolean_member (object, "event"), ==, sample->event_active != 0);
}

/* "id: <seq>\ndata: <JSON>\n\n" */
static void
check_sse (const HeartSample *sample)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *id = g_strdup_printf ("id: %" G_GUINT64_FORMAT "\ndata: ", sample->seq);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *json;

  heart_sse_append_event (out, sample);
  g_assert_true (g_str_has_prefix (out->str, id));
  g_assert_true (g_str_has_suffix (out->str, "\n\n"));
  json = out->str + strlen (id);
  g_assert_null (memchr (json, '\n', out->len - strlen (id) - 2));
  root = fuzz_parse_json (json, (gssize) (out->len - strlen (id) - 2));
  object = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (object, "value"), ==, sample->bpm);
  g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, (gint64) sample->seq);
  g_assert_cmpint (json_object_get_boolean_member (object, "event"), ==, sample->event_active != 0);
  check_timestamp (object, "timestamp", sample->timestamp_us);
}

static void
check_record (const HeartField *fields,
              guint             n)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;

  heart_fields_append (json, HEART_FIELDS_JSON, fields, n);
  root = fuzz_parse_json (json->str, (gssize) json->len);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  check_fields (json_node_get_object (root), fields, n);
  check_csv (fields, n);
}

static void
check_beat (const HeartBeat *beat)
{
  HeartField fields[HEART_FIELDS_MAX];
  guint n = heart_beat_fields (beat, fields);

  g_assert_cmpstr (fields[0].name, ==, "timestamp");
  check_record (fields, n);
}

/* One value of each channel, as datasets and streams write them */
static void
check_channel_values (FuzzInput  *in,
                      const char *condition)
{
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      HeartChannelValue value = { .channel = c };
      HeartField fields[HEART_FIELDS_MAX];
      guint8 flags = fuzz_take_byte (in);

      value.t_s = take_double (in);
      value.timestamp_us = take_int64 (in);
      value.value = take_channel_double (in, heart_channel_get (c)->decimals);
      take_label (in, value.label);
      check_record (fields, heart_channel_value_fields (&value, condition, (flags & 1) != 0, fields));
    }
}

static void
check_string (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr(JsonNode) root = NULL;

  heart_json_append_string (out, text);
  root = fuzz_parse_json (out->str, (gssize) out->len);
  g_assert_true (JSON_NODE_HOLDS_VALUE (root));
  g_assert_cmpstr (json_node_get_string (root), ==, valid);
}

static void
check_double (double value,
              int    decimals)
{
  g_autoptr(GString) out = g_string_new ("[");
  g_autoptr(JsonNode) root = NULL;
  JsonNode *element;

  heart_json_append_double (out, value, decimals);
  g_string_append_c (out, ']');
  root = fuzz_parse_json (out->str, (gssize) out->len);
  element = json_array_get_element (json_node_get_array (root), 0);
  if (!isfinite (value))
    g_assert_true (JSON_NODE_HOLDS_NULL (element));
  /* a whole number is written with no point, and json-glib 1.6 reads an
   * integer past 2^63 as -1: the server writes uptimes, levels and bounds */
  else if (fabs (value) < 1e18)
    g_assert_cmpfloat (fabs (json_node_get_double (element) - value), <=,
                       0.5 * pow (10, -CLAMP (decimals, 0, 9)) + fabs (value) * 1e-15);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput in = { data, size };
  HeartSample sample = { 0 };
  HeartBeat beat = { 0 };
  guint8 flags;
  g_autofree char *text = NULL;

  sample.timestamp_us = take_int64 (&in);
  sample.t_s = take_double (&in);
  /* seq counts ticks from 1: it stays below 2^63, which the wire's signed
   * integers hold (292 million years at 1 kHz) */
  sample.seq = (guint64) take_int64 (&in) & G_MAXINT64;
  fuzz_take (&in, &sample.bpm, sizeof sample.bpm);
  sample.variability = take_double (&in);
  sample.stress_level = take_double (&in);
  sample.rr_ms = take_double (&in);
  sample.rmssd_ms = take_double (&in);
  fuzz_take (&in, &sample.baseline_bpm, sizeof sample.baseline_bpm);
  flags = fuzz_take_byte (&in);
  sample.running = (flags & 1) != 0;
  sample.event_active = (flags & 2) != 0;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    sample.channels[c] = take_channel_double (&in, heart_channel_get (c)->decimals);
  take_label (&in, sample.condition);

  beat.timestamp_us = take_int64 (&in);
  beat.t_s = take_double (&in);
  beat.rr_ms = take_double (&in);
  beat.stress_level = take_double (&in);
  beat.event_active = (flags & 4) != 0;
  take_label (&in, beat.condition);

  check_sample (&sample, HEART_SAMPLE_JSON_WIRE);
  check_sample (&sample, HEART_SAMPLE_JSON_LABELED);
  check_sse (&sample);
  /* heart_beat_get_bpm() is 60000 / rr_ms: a beat has a positive interval */
  if (isfinite (beat.rr_ms) && beat.rr_ms >= 1 && beat.rr_ms <= 1e9)
    check_beat (&beat);
  check_double (sample.t_s, (int) (flags >> 4) - 2);
  check_channel_values (&in, sample.condition);

  text = fuzz_take_rest (&in);
  check_string (text);
  return 0;
}
