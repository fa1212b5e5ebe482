/* test-dataset.c: `heartsim generate` as a user runs it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "heart-dataset.h"
#include "heart-duration.h"
#include "heart-hrv.h"
#include "heart-replay.h"
#include "test-generate-util.h"

static char *
temp_path (const char *name)
{
  return g_build_filename (g_get_tmp_dir (), name, NULL);
}

static void
test_parse_duration (void)
{
  struct { const char *text; double seconds; } good[] = {
    { "90s", 90 }, { "10m", 600 }, { "24h", 86400 }, { "2d", 172800 },
    { "1h30m", 5400 }, { "1.5h", 5400 }, { "600", 600 }, { "1d12h30m15s", 131415 },
    { ".5h", 1800 }, { "2.5", 2.5 }, { "366d", 366 * 86400.0 },
  };
  /* only digits with at most one '.', each unit once, largest first */
  const char *bad[] = {
    "abc", "", "10x", "-5m", "+5m", "0s", "h", "400d", "1e999", "0x10s", "0x10", "1e3s", "1e3",
    "inf", "nan", "infs", " 10s", "10s ", "10 s", "1h30", "30m1h", "1m1m", "1..5h", "1.5.1h", ".", ".s",
    "1,5h", "١٠s",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      double seconds = 0;
      g_assert_true (heart_parse_duration (good[i].text, &seconds, NULL));
      g_assert_cmpfloat (seconds, ==, good[i].seconds);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      double seconds = -1;
      g_assert_false (heart_parse_duration (bad[i], &seconds, &error));
      g_assert_nonnull (error);
      g_assert_cmpfloat (seconds, ==, -1);
    }
}

static void
test_samples_csv (void)
{
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;

  generate (&run, "--duration", "60s", "--seed", "3", NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpstr (lines[0], ==,
                   "timestamp,bpm,variability,stress_level,state,seq,rr_ms,rmssd_ms,baseline_bpm,type,"
                   "respiratory_rate,respiration,eda,cadence,steps_today,energy,spo2,skin_temperature,"
                   "condition,event");
  /* 60 s at 2 Hz, a header, and the empty string after the last newline */
  g_assert_cmpuint (g_strv_length (lines), ==, 122);
  g_assert_true (g_str_has_prefix (lines[1], "2026-01-01T00:00:00.500Z,"));
  g_assert_true (g_str_has_prefix (lines[120], "2026-01-01T00:01:00.000Z,"));
  for (guint i = 1; i <= 120; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 20);
      g_assert_cmpstr (cells[4], ==, "running");
      g_assert_cmpuint (g_ascii_strtoull (cells[5], NULL, 10), ==, i);
      g_assert_cmpstr (cells[9], ==, "heartbeat");
    }
  /* a generated seed is said on stderr only when none is given */
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_samples_jsonl_with_options (void)
{
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;
  guint with_event = 0;

  generate (&run, "--duration", "3m", "--seed", "4", "--format", "jsonl", "--baseline", "55",
            "--stress", "0.2", "--events-per-hour", "0", "--event", "60s:0.9",
            "--interval-ms", "1000", "--start", "2026-03-01T08:00:00Z", NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 181);
  for (guint i = 0; i < 180; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);
      JsonObject *object;

      g_assert_no_error (error);
      object = json_node_get_object (node);
      g_assert_cmpint (json_object_get_int_member (object, "baseline_bpm"), ==, 55);
      g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, i + 1);
      with_event += json_object_get_int_member (object, "event");
      if (i == 0)
        g_assert_cmpstr (json_object_get_string_member (object, "timestamp"), ==, "2026-03-01T08:00:01.000Z");
    }
  /* the scripted event holds from 60 s to 120 s, and nothing else happens */
  g_assert_cmpuint (with_event, >=, 59);
  g_assert_cmpuint (with_event, <=, 61);
}

static void
test_same_seed_identical_files (void)
{
  g_autofree char *first = temp_path ("heartsim-first.csv");
  g_autofree char *second = temp_path ("heartsim-second.csv");
  g_autofree char *other = temp_path ("heartsim-other.csv");
  g_autofree char *a = NULL, *b = NULL, *c = NULL;
  g_auto(Run) r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

  generate (&r1, "--duration", "2h", "--seed", "1", "--what", "beats", "-o", first, NULL);
  generate (&r2, "--duration", "2h", "--seed", "1", "--what", "beats", "-o", second, NULL);
  generate (&r3, "--duration", "2h", "--seed", "2", "--what", "beats", "-o", other, NULL);
  g_assert_true (g_file_get_contents (first, &a, NULL, NULL));
  g_assert_true (g_file_get_contents (second, &b, NULL, NULL));
  g_assert_true (g_file_get_contents (other, &c, NULL, NULL));
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_unlink (first);
  g_unlink (second);
  g_unlink (other);
}

static void
assert_refused (const char *option,
                const char *value)
{
  g_autofree char *path = temp_path ("heartsim-refused.csv");
  g_auto(Run) run = { 0 };

  g_unlink (path);
  generate (&run, option, value, "-o", path, NULL);
  g_test_message ("%s %s: %s", option, value, run.err);
  g_assert_false (g_spawn_check_wait_status (run.status, NULL));
  g_assert_true (WIFEXITED (run.status));
  g_assert_cmpint (WEXITSTATUS (run.status), ==, 2);
  /* one clear line that names the option, and no file */
  g_assert_true (g_str_has_prefix (run.err, "heartsim generate: "));
  g_assert_nonnull (strstr (run.err, option));
  g_assert_cmpint (strchr (run.err, '\n') - run.err, ==, strlen (run.err) - 1);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_bad_arguments_refused (void)
{
  assert_refused ("--duration", "abc");
  assert_refused ("--duration", "0s");
  assert_refused ("--baseline", "500");
  assert_refused ("--profile", "elite");
  assert_refused ("--baseline", "65.5");
  assert_refused ("--stress", "1.5");
  assert_refused ("--format", "xml");
  assert_refused ("--what", "ekg");
  assert_refused ("--seed", "-1");
  assert_refused ("--interval-ms", "5");
  assert_refused ("--start", "yesterday");
  assert_refused ("--event", "soon");
  /* hex, exponents, inf, nan and spaces are not numbers here */
  assert_refused ("--duration", "0x10s");
  assert_refused ("--duration", "1e3s");
  assert_refused ("--stress", "0x0.1");
  assert_refused ("--stress", "5e-1");
  assert_refused ("--stress", " 0.5");
  assert_refused ("--stress", "nan");
  assert_refused ("--events-per-hour", "inf");
  assert_refused ("--events-per-hour", "1e2");
  assert_refused ("--event", "0x10s");
  assert_refused ("--event", "1e2s");
  assert_refused ("--event", "1m:0x0.8");
  assert_refused ("--event", "1m:nan");
  /* after the last tick of the default 10 minutes it would never fire */
  assert_refused ("--event", "10m");
  /* year 10000 has no four-digit ISO 8601 form */
  assert_refused ("--start", "9999-12-31T23:59:59Z");
  assert_refused ("--start", "9999-12-31T23:50:00Z");
}

/* The last half second before year 10000 and an event at the last tick
 * are fine; plain decimals with a leading or trailing '.' too */
static void
test_up_to_the_limits (void)
{
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;
  guint n, with_event = 0;

  generate (&run, "--duration", "9m59.5s", "--seed", "1", "--start", "9999-12-31T23:50:00Z",
            "--event", "9m59s:1", "--stress", ".5", "--events-per-hour", "0.", NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  lines = g_strsplit (run.out, "\n", -1);
  n = g_strv_length (lines);
  /* 1199 ticks, a header, and the empty string after the last newline */
  g_assert_cmpuint (n, ==, 1201);
  g_assert_true (g_str_has_prefix (lines[n - 2], "9999-12-31T23:59:59.500Z,"));
  g_assert_true (g_str_has_suffix (lines[n - 2], ",1"));
  for (guint i = 1; i < n - 1; i++)
    with_event += g_str_has_suffix (lines[i], ",1");
  g_assert_cmpuint (with_event, ==, 1);
}

static gsize
written_bytes (const HeartDatasetOptions *options)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_dataset_write (options, out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
}

/* The estimate is a lower bound: never more than a run writes, so no run
 * that fits is refused, and close for samples, whose row count is known */
static void
test_estimate_bytes (void)
{
  struct { HeartDatasetKind kind; double duration_s; guint interval_ms; double stress; double at_least; } runs[] = {
    { HEART_DATASET_SAMPLES, 7200, 500, 0, 0.85 },
    { HEART_DATASET_SAMPLES, 600, 10, 1, 0.85 },
    { HEART_DATASET_SAMPLES, 0.5, 500, 0, 0.85 },
    { HEART_DATASET_BEATS, 7200, 500, 0, 0.25 },
    { HEART_DATASET_BEATS, 600, 5000, 1, 0.10 },
    { HEART_DATASET_BEATS, 1, 500, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    for (HeartDatasetFormat format = HEART_DATASET_CSV; format <= HEART_DATASET_JSONL; format++)
      {
        HeartDatasetOptions options;
        guint64 estimate;
        gsize written;

        heart_dataset_options_init (&options);
        options.kind = runs[i].kind;
        options.format = format;
        options.duration_s = runs[i].duration_s;
        options.interval_ms = runs[i].interval_ms;
        options.stress_level = runs[i].stress;
        estimate = heart_dataset_estimate_bytes (&options);
        written = written_bytes (&options);
        g_test_message ("run %u, format %d: at least %" G_GUINT64_FORMAT " of %" G_GSIZE_FORMAT " bytes",
                        i, format, estimate, written);
        g_assert_cmpuint (estimate, <=, written);
        g_assert_cmpfloat (estimate, >=, runs[i].at_least * written);
      }
}

static void
test_failed_write_keeps_old_file (void)
{
  g_autofree char *path = temp_path ("heartsim-keep.csv");
  g_autofree char *contents = NULL;
  g_auto(Run) run = { 0 };

  g_assert_true (g_file_set_contents (path, "precious\n", -1, NULL));
  generate (&run, "--baseline", "500", "-o", path, NULL);
  g_assert_false (g_spawn_check_wait_status (run.status, NULL));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious\n");
  g_unlink (path);
}

/* A day of beats meets the resting HRV norms of docs/model.md */
static void
test_day_of_beats (void)
{
  g_autofree char *path = temp_path ("heartsim-day.csv");
  g_autofree char *contents = NULL;
  g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rr = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;
  HeartHrvStats stats;
  guint windows = 0, inside = 0;

  generate (&run, "--duration", "24h", "--seed", "1", "--what", "beats", "--format", "csv", "-o", path, NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "timestamp,t_s,rr_ms,bpm,stress_level,event,condition,beat_type");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      double beat_t = g_ascii_strtod (cells[1], NULL), beat_rr = g_ascii_strtod (cells[2], NULL);

      g_assert_cmpuint (g_strv_length (cells), ==, 8);
      g_array_append_val (t, beat_t);
      g_array_append_val (rr, beat_rr);
    }
  g_test_message ("%u beats in a day", t->len);
  g_assert_cmpuint (t->len, >=, 90000);
  g_assert_cmpuint (t->len, <=, 130000);

  for (guint start = 0, end; start < t->len; start = end)
    {
      const double *bt = (const double *) t->data, *brr = (const double *) rr->data;

      for (end = start; end < t->len && bt[end] < bt[start] + 300; end++)
        ;
      if (!heart_hrv_analyse (bt + start, brr + start, end - start, &stats) || bt[end - 1] - bt[start] < 295)
        continue;
      windows++;
      inside += stats.rmssd_ms >= 19 && stats.rmssd_ms <= 75
             && stats.sdnn_ms >= 32 && stats.sdnn_ms <= 93
             && stats.lf_hf >= 1.1 && stats.lf_hf <= 4;
    }
  g_test_message ("%u of %u five-minute windows meet RMSSD, SDNN and LF/HF norms together", inside, windows);
  g_assert_cmpuint (windows, >=, 280);
  g_assert_cmpfloat ((double) inside / windows, >=, 0.85);
  g_unlink (path);
}

/* Records of @type in an export, and the sum of their values */
static guint
count_records (const char *xml,
               const char *type,
               double     *sum)
{
  g_autofree char *needle = g_strdup_printf ("type=\"%s\"", type);
  guint n = 0;

  *sum = 0;
  for (const char *p = strstr (xml, needle); p != NULL; p = strstr (p + 1, needle))
    {
      const char *value = strstr (p, "value=\"");

      g_assert_nonnull (value);
      *sum += g_ascii_strtod (value + strlen ("value=\""), NULL);
      n++;
    }
  return n;
}

/* --format healthkit: a weekday to 13:00 (night, commute, work, the lunch
 * walk) as an Apple Health export.xml
 * that xmllint parses, that holds every record kind with HealthKit's units,
 * whose steps add up to the samples' day, that Heartsim's own Apple Health
 * reader reads back with the same counts, and that the same seed writes
 * byte for byte again */
static void
test_healthkit_export (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) samples = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-healthkit-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "export.xml", NULL);
  g_autofree char *detected = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  g_auto(GStrv) rows = NULL;
  const char *xmllint[] = { "xmllint", "--noout", path, NULL };
  double steps = 0, sum, steps_today = 0;
  guint heart_rates, sleep, step_records, sdnn;
  int status = 0;

  g_assert_no_error (error);
  generate (&run, "--scenario", "weekday", "--duration", "13h", "--seed", "4", "--format", "healthkit", NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  g_assert_true (g_str_has_prefix (run.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<HealthData"));
  g_assert_true (g_str_has_suffix (run.out, "</HealthData>\n"));
  g_assert_true (g_file_set_contents (path, run.out, -1, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_sync (NULL, (char **) xmllint, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  /* a heart rate a minute, from 00:00 to 13:00 */
  heart_rates = count_records (run.out, "HKQuantityTypeIdentifierHeartRate", &sum);
  g_assert_cmpuint (heart_rates, ==, 13 * 60 + 1);
  g_assert_cmpfloat (sum / heart_rates, >, 55);
  g_assert_cmpfloat (sum / heart_rates, <, 100);
  g_assert_cmpuint (count_records (run.out, "HKQuantityTypeIdentifierRespiratoryRate", &sum), ==, 13 * 6 + 1);
  g_assert_cmpuint (count_records (run.out, "HKQuantityTypeIdentifierOxygenSaturation", &sum), ==, 13 * 6 + 1);
  g_assert_cmpfloat (sum / (13 * 6 + 1), >=, 0.95);
  g_assert_cmpfloat (sum / (13 * 6 + 1), <=, 1.0);
  g_assert_nonnull (strstr (run.out, "unit=\"count/min\""));
  g_assert_nonnull (strstr (run.out, "unit=\"%\""));
  g_assert_nonnull (strstr (run.out, "unit=\"kcal\""));
  g_assert_nonnull (strstr (run.out, "unit=\"ms\""));
  sdnn = count_records (run.out, "HKQuantityTypeIdentifierHeartRateVariabilitySDNN", &sum);
  g_assert_cmpuint (sdnn, >=, 6);
  g_assert_cmpuint (count_records (run.out, "HKQuantityTypeIdentifierActiveEnergyBurned", &sum), >, 30);
  for (const char *value = "HKCategoryValueSleepAnalysisAsleepDeep"; value != NULL;
       value = g_str_equal (value, "HKCategoryValueSleepAnalysisAsleepDeep") ? "HKCategoryValueSleepAnalysisAsleepREM"
             : g_str_equal (value, "HKCategoryValueSleepAnalysisAsleepREM") ? "HKCategoryValueSleepAnalysisAsleepCore"
             : g_str_equal (value, "HKCategoryValueSleepAnalysisAsleepCore") ? "HKCategoryValueSleepAnalysisInBed" : NULL)
    g_assert_nonnull (strstr (run.out, value));
  sleep = count_records (run.out, "HKCategoryTypeIdentifierSleepAnalysis", &sum);
  step_records = count_records (run.out, "HKQuantityTypeIdentifierStepCount", &steps);

  /* the steps are the day's, as the samples count them */
  generate (&samples, "--scenario", "weekday", "--duration", "13h", "--seed", "4", "--interval-ms", "5000", NULL);
  rows = g_strsplit (samples.out, "\n", -1);
  for (guint i = 1; rows[i] != NULL && rows[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (rows[i], ",", -1);

      steps_today = MAX (steps_today, g_ascii_strtod (cells[14], NULL));
    }
  g_assert_cmpfloat (steps, >=, steps_today);
  g_assert_cmpfloat (steps, <=, steps_today + 3);
  g_assert_cmpfloat (steps, >=, 3000);

  /* read back as a user's own export is */
  replay = g_initable_new (HEART_TYPE_REPLAY, NULL, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  detected = g_strdup (heart_replay_get_detected (replay));
  expected = g_strdup_printf ("Apple Health export: %u heart-rate records, %u HRV records with 0 beat-series "
                              "entries, %u sleep records, %u step records", heart_rates, sdnn, sleep, step_records);
  g_assert_cmpstr (detected, ==, expected);

  generate (&again, "--scenario", "weekday", "--duration", "13h", "--seed", "4", "--format", "healthkit", NULL);
  g_assert_cmpstr (again.out, ==, run.out);
  g_unlink (path);
  g_rmdir (folder);
}

/* --format openmhealth: the same readings as Open mHealth data points, one
 * JSON object a line, each with its header (a uuid, the omh schema) and a
 * body whose time frame is an instant or an interval */
static void
test_openmhealth_export (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) healthkit = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) uuids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  double healthkit_steps = 0, steps = 0;
  guint heart_rates = 0, n = 0, nights = 0;

  generate (&run, "--scenario", "weekday", "--duration", "13h", "--seed", "4", "--format", "openmhealth", NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  generate (&healthkit, "--scenario", "weekday", "--duration", "13h", "--seed", "4", "--format", "healthkit", NULL);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++, n++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *point, *header, *schema, *body, *frame;
      const char *name;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      point = json_node_get_object (json_parser_get_root (parser));
      header = json_object_get_object_member (point, "header");
      body = json_object_get_object_member (point, "body");
      schema = json_object_get_object_member (header, "schema_id");
      g_assert_cmpstr (json_object_get_string_member (schema, "namespace"), ==, "omh");
      g_assert_cmpuint (strlen (json_object_get_string_member (header, "uuid")), ==, 36);
      g_assert_true (g_hash_table_add (uuids, g_strdup (json_object_get_string_member (header, "uuid"))));
      frame = json_object_get_object_member (body, "effective_time_frame");
      g_assert_true (json_object_has_member (frame, "date_time") || json_object_has_member (frame, "time_interval"));
      name = json_object_get_string_member (schema, "name");
      if (g_str_equal (name, "heart-rate"))
        {
          JsonObject *value = json_object_get_object_member (body, "heart_rate");

          g_assert_cmpstr (json_object_get_string_member (value, "unit"), ==, "beats/min");
          heart_rates++;
        }
      else if (g_str_equal (name, "step-count"))
        steps += json_object_get_double_member (json_object_get_object_member (body, "step_count"), "value");
      else if (g_str_equal (name, "sleep-episode"))
        {
          JsonObject *interval = json_object_get_object_member (frame, "time_interval");
          g_autoptr(GDateTime) start = g_date_time_new_from_iso8601 (json_object_get_string_member (interval, "start_date_time"), NULL);
          g_autoptr(GDateTime) end = g_date_time_new_from_iso8601 (json_object_get_string_member (interval, "end_date_time"), NULL);
          double in_bed_min = g_date_time_difference (end, start) / 60e6;
          double slept = json_object_get_double_member (json_object_get_object_member (body, "total_sleep_time"), "value");
          double latency = json_object_get_double_member (json_object_get_object_member (body, "latency_to_sleep_onset"), "value");
          double waso = json_object_get_double_member (json_object_get_object_member (body, "wake_after_sleep_onset"), "value");
          double efficiency = json_object_get_double_member (json_object_get_object_member (body, "sleep_maintenance_efficiency_percentage"), "value");

          /* the weekday's night: to bed at midnight, up about 07:00 */
          g_assert_cmpint (g_date_time_get_hour (start), ==, 0);
          g_assert_cmpfloat (in_bed_min, >=, 7 * 60 - 20);
          g_assert_cmpfloat (in_bed_min, <=, 7 * 60 + 20);
          g_assert_cmpfloat (latency, >, 0);
          g_assert_cmpfloat (latency, <, 45);
          g_assert_cmpfloat (slept, >, 300);
          /* asleep, awake after onset and the latency are the night */
          g_assert_cmpfloat (slept + waso + latency, <=, in_bed_min + 0.2);
          g_assert_cmpfloat (efficiency, >, 80);
          g_assert_cmpfloat (efficiency, <=, 100);
          g_assert_true (json_object_get_boolean_member (body, "is_main_sleep"));
          nights++;
        }
      else if (g_str_equal (name, "oxygen-saturation"))
        {
          double spo2 = json_object_get_double_member (json_object_get_object_member (body, "oxygen_saturation"),
                                                       "value");

          g_assert_cmpfloat (spo2, >=, 90);
          g_assert_cmpfloat (spo2, <=, 100);
        }
    }
  g_assert_cmpuint (heart_rates, ==, count_records (healthkit.out, "HKQuantityTypeIdentifierHeartRate", &healthkit_steps));
  count_records (healthkit.out, "HKQuantityTypeIdentifierStepCount", &healthkit_steps);
  g_assert_cmpfloat (steps, ==, healthkit_steps);
  g_assert_cmpuint (g_hash_table_size (uuids), ==, n);
  g_assert_cmpuint (nights, ==, 1);
}

/* --profile: who the person is, its resting rate unless --baseline says */
static void
test_profile (void)
{
  const char *names[] = { "athlete", "anxious" };
  double mean[2];

  for (guint k = 0; k < 2; k++)
    {
      g_auto(Run) run = { 0 };
      g_auto(GStrv) lines = NULL;
      double sum = 0;
      guint n = 0;

      generate (&run, "--profile", names[k], "--duration", "10m", "--seed", "5", NULL);
      g_assert_true (g_spawn_check_wait_status (run.status, NULL));
      lines = g_strsplit (run.out, "\n", -1);
      for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++, n++)
        {
          g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

          sum += g_ascii_strtod (cells[1], NULL);
          g_assert_cmpstr (cells[8], ==, k == 0 ? "52" : "78");
        }
      mean[k] = sum / n;
    }
  g_assert_cmpfloat (mean[0], <, 60);
  g_assert_cmpfloat (mean[1], >, 78);

  {
    g_auto(Run) run = { 0 };

    generate (&run, "--profile", "athlete", "--baseline", "60", "--duration", "1m", "--seed", "5", NULL);
    g_assert_true (g_spawn_check_wait_status (run.status, NULL));
    g_assert_nonnull (strstr (run.out, ",60,heartbeat,"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dataset/parse-duration", test_parse_duration);
  g_test_add_func ("/dataset/samples-csv", test_samples_csv);
  g_test_add_func ("/dataset/samples-jsonl-options", test_samples_jsonl_with_options);
  g_test_add_func ("/dataset/same-seed-identical", test_same_seed_identical_files);
  g_test_add_func ("/dataset/bad-arguments", test_bad_arguments_refused);
  g_test_add_func ("/dataset/up-to-the-limits", test_up_to_the_limits);
  g_test_add_func ("/dataset/estimate-bytes", test_estimate_bytes);
  g_test_add_func ("/dataset/failed-run-keeps-old-file", test_failed_write_keeps_old_file);
  g_test_add_func ("/dataset/day-of-beats", test_day_of_beats);
  g_test_add_func ("/dataset/healthkit-export", test_healthkit_export);
  g_test_add_func ("/dataset/openmhealth-export", test_openmhealth_export);
  g_test_add_func ("/dataset/profile", test_profile);
  return g_test_run ();
}
