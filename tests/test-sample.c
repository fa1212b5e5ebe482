/* test-sample.c: the sample's JSON is the wire contract of docs/api.md
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "heart-sample-fields.h"
#include "heart-fields.h"
#include "heart-sample.h"

/* 2026-01-09T12:34:56.789Z */
#define EXAMPLE_TIME_US G_GINT64_CONSTANT (1767962096789000)

static HeartSample
example_sample (void)
{
  return (HeartSample) {
    .timestamp_us = EXAMPLE_TIME_US,
    .seq = 1234,
    .bpm = 75,
    .variability = 0.2341,
    .stress_level = 0.1564,
    .rr_ms = 801.46,
    .rmssd_ms = 38.24,
    .baseline_bpm = 72,
    .running = TRUE,
    .channels = { [HEART_CHANNEL_RESPIRATORY_RATE] = 14.86, [HEART_CHANNEL_RESPIRATION] = 0.4567,
                  [HEART_CHANNEL_EDA] = 5.1234, [HEART_CHANNEL_CADENCE] = 112,
                  [HEART_CHANNEL_STEPS_TODAY] = 4321, [HEART_CHANNEL_ENERGY] = 1.7151,
                  [HEART_CHANNEL_SPO2] = 97, [HEART_CHANNEL_SKIN_TEMPERATURE] = 33.38 },
    .condition = "baseline",
  };
}

static void
test_wire_json_matches_design (void)
{
  HeartSample sample = example_sample ();
  g_autofree char *json = heart_sample_to_json (&sample);

  /* the example of docs/api.md, byte for byte: the seed's fields, then
   * version 2's channels and label, then the event flag */
  g_assert_cmpstr (json, ==,
                   "{\"timestamp\":\"2026-01-09T12:34:56.789Z\",\"bpm\":75,\"variability\":0.234,"
                   "\"stress_level\":0.156,\"state\":\"running\",\"seq\":1234,\"rr_ms\":801.5,"
                   "\"rmssd_ms\":38.2,\"baseline_bpm\":72,\"type\":\"heartbeat\","
                   "\"respiratory_rate\":14.9,\"respiration\":0.457,\"eda\":5.123,"
                   "\"cadence\":112,\"steps_today\":4321,\"energy\":1.715,\"spo2\":97,\"skin_temperature\":33.4,"
                   "\"condition\":\"baseline\",\"event\":false}");
}

static void
test_wire_json_parses_with_seed_fields_first (void)
{
  const char *seed_fields[] = { "timestamp", "bpm", "variability", "stress_level", "state" };
  HeartSample sample = example_sample ();
  g_autoptr(JsonNode) node = heart_sample_to_json_node (&sample);
  JsonObject *object = json_node_get_object (node);
  g_autoptr(GList) members = json_object_get_members (object);
  GList *iter = members;

  for (guint i = 0; i < G_N_ELEMENTS (seed_fields); i++, iter = iter->next)
    g_assert_cmpstr (iter->data, ==, seed_fields[i]);

  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "bpm")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "seq")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "variability")), ==, G_TYPE_DOUBLE);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "stress_level")), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "rr_ms"), 801.5, 1e-9);
  /* a JSON boolean on the wire, where datasets write 1 or 0 */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "event")), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_object_get_boolean_member (object, "event"));
}

static void
test_wire_event_flag (void)
{
  HeartSample sample = example_sample ();
  g_autofree char *quiet = heart_sample_to_json (&sample);
  g_autofree char *json = NULL;
  HeartField fields[HEART_FIELDS_MAX];
  guint n_wire, n_labeled;

  sample.event_active = TRUE;
  json = heart_sample_to_json (&sample);
  /* the flag is the last field: everything before it is as it was */
  g_assert_true (g_str_has_suffix (json, ",\"condition\":\"baseline\",\"event\":true}"));
  g_assert_cmpint (strlen (json) - strlen ("true}"), ==, strlen (quiet) - strlen ("false}"));
  g_assert_cmpmem (json, strlen (json) - strlen ("true}"), quiet, strlen (quiet) - strlen ("false}"));

  /* the same fields in the same order as a dataset's row */
  n_wire = heart_sample_fields (&sample, HEART_SAMPLE_JSON_WIRE, fields);
  g_assert_cmpstr (fields[n_wire - 1].name, ==, "event");
  g_assert_cmpint (fields[n_wire - 1].kind, ==, HEART_FIELD_BOOLEAN);
  n_labeled = heart_sample_fields (&sample, HEART_SAMPLE_JSON_LABELED, fields);
  g_assert_cmpuint (n_labeled, ==, n_wire);
  g_assert_cmpint (fields[n_labeled - 1].kind, ==, HEART_FIELD_INT);
}

static void
test_stopped_state_and_label (void)
{
  HeartSample sample = example_sample ();
  g_autoptr(GString) out = g_string_new (NULL);

  sample.running = FALSE;
  sample.event_active = TRUE;
  heart_sample_append_json (&sample, HEART_SAMPLE_JSON_LABELED, out);
  g_assert_nonnull (strstr (out->str, "\"state\":\"stopped\""));
  g_assert_true (g_str_has_suffix (out->str, ",\"condition\":\"baseline\",\"event\":1}"));
}

static void
test_timestamp_milliseconds (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  heart_append_iso8601_ms (out, G_GINT64_CONSTANT (1767225599999999));
  g_assert_cmpstr (out->str, ==, "2025-12-31T23:59:59.999Z");
  g_string_truncate (out, 0);
  heart_append_iso8601_ms (out, 0);
  g_assert_cmpstr (out->str, ==, "1970-01-01T00:00:00.000Z");
}

static void
test_csv_row_has_header_and_same_values (void)
{
  HeartSample sample = example_sample ();
  HeartField fields[HEART_FIELDS_MAX];
  guint n = heart_sample_fields (&sample, HEART_SAMPLE_JSON_LABELED, fields);
  g_autoptr(GString) out = g_string_new (NULL);

  heart_fields_append_header (out, fields, n);
  heart_fields_append (out, HEART_FIELDS_CSV, fields, n);
  g_assert_cmpstr (out->str, ==,
                   "timestamp,bpm,variability,stress_level,state,seq,rr_ms,rmssd_ms,baseline_bpm,type,"
                   "respiratory_rate,respiration,eda,cadence,steps_today,energy,spo2,skin_temperature,"
                   "condition,event\n"
                   "2026-01-09T12:34:56.789Z,75,0.234,0.156,running,1234,801.5,38.2,72,heartbeat,14.9,0.457,5.123,"
                   "112,4321,1.715,97,33.4,baseline,0\n");
}

static void
test_beat_fields (void)
{
  HeartBeat beat = { EXAMPLE_TIME_US, 12.3456, 750.04, 0.5, TRUE };
  HeartField fields[HEART_FIELDS_MAX];
  guint n = heart_beat_fields (&beat, fields);
  g_autoptr(GString) out = g_string_new (NULL);

  heart_fields_append (out, HEART_FIELDS_JSON, fields, n);
  g_assert_cmpint (heart_beat_get_bpm (&beat), ==, 80);
  g_assert_cmpstr (out->str, ==,
                   "{\"timestamp\":\"2026-01-09T12:34:56.789Z\",\"t_s\":12.346,\"rr_ms\":750.0,"
                   "\"bpm\":80,\"stress_level\":0.500,\"event\":1,\"condition\":\"\"}");
}

static void
test_boxed_copy (void)
{
  HeartSample sample = example_sample ();
  g_autoptr(HeartSample) copy = g_boxed_copy (HEART_TYPE_SAMPLE, &sample);

  g_assert_true (copy != &sample);
  g_assert_cmpmem (copy, sizeof *copy, &sample, sizeof sample);
}

/* The digit-by-digit timestamp agrees with GDateTime everywhere in 1970–9999 */
static void
test_timestamps_agree_with_gdatetime (void)
{
  static const gint64 edges[] = {
    0, 999, 1000, 68169599999999,            /* 1972-02-29T23:59:59.999999 */
    951782400000000,                          /* 2000-02-29 */
    4107542400000000,                         /* 2100-02-28 */
    G_GINT64_CONSTANT (253402300799999999),   /* 9999-12-31T23:59:59.999999 */
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint i = 0; i < G_N_ELEMENTS (edges) + 20000; i++)
    {
      gint64 us = i < G_N_ELEMENTS (edges) ? edges[i]
                : (gint64) (g_rand_double (rand) * 253402300799999999.0);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
      g_autofree char *date = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *expected = g_strdup_printf ("%s.%03dZ", date, (int) (us / 1000 % 1000));
      g_autoptr(GString) out = g_string_new (NULL);

      heart_append_iso8601_ms (out, us);
      g_assert_cmpstr (out->str, ==, expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sample/json/matches-design", test_wire_json_matches_design);
  g_test_add_func ("/sample/json/seed-fields-first", test_wire_json_parses_with_seed_fields_first);
  g_test_add_func ("/sample/json/event-flag", test_wire_event_flag);
  g_test_add_func ("/sample/json/stopped-and-labeled", test_stopped_state_and_label);
  g_test_add_func ("/sample/timestamp/milliseconds", test_timestamp_milliseconds);
  g_test_add_func ("/sample/csv/header-and-row", test_csv_row_has_header_and_same_values);
  g_test_add_func ("/sample/beat/fields", test_beat_fields);
  g_test_add_func ("/sample/boxed/copy", test_boxed_copy);
  g_test_add_func ("/sample/timestamp/agrees-with-gdatetime", test_timestamps_agree_with_gdatetime);
  return g_test_run ();
}
