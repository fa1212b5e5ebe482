/* test-history-export.c: the last minutes of a history, as generate writes
 * samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "heart-history-export.h"
#include "heart-simulator.h"
#include "test-generate-util.h"

#define SEED 3
#define RUN_SECONDS (20 * 60)
/* 2026-01-01T00:00:00Z, where generate starts unless told */
#define START_US G_GINT64_CONSTANT (1767225600000000)
#define OLD_CONTENTS "what was there before\n"

/* The history of a manual simulator run as generate runs one: seed 3,
 * defaults, 20 minutes of 500 ms ticks */
static HeartHistory *
run_history (guint capacity)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (SEED, START_US);
  HeartHistory *history = heart_history_new (capacity);

  heart_simulator_set_running (simulator, TRUE);
  heart_history_follow (history, G_OBJECT (simulator));
  for (guint i = 0; i < RUN_SECONDS * 2; i++)
    heart_simulator_advance (simulator, 0.5);
  return history;
}

static char *
export_to_string (HeartHistory       *history,
                  double              window_s,
                  HeartDatasetFormat  format,
                  HeartHistoryExport *summary)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_history_export_write (history, window_s, format, out, summary, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* generate's output for the same run: its header (CSV) and its last @rows rows */
static char *
generate_tail (const char *format,
               guint       rows)
{
  g_auto(Run) run = { 0 };
  g_autofree char *duration = g_strdup_printf ("%us", RUN_SECONDS);
  g_autofree char *seed = g_strdup_printf ("%u", SEED);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) tail = g_string_new (NULL);
  guint n;

  generate (&run, "--duration", duration, "--seed", seed, "--format", format, NULL);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  lines = g_strsplit (run.out, "\n", -1);
  n = g_strv_length (lines) - 1;   /* the empty string after the last newline */
  g_assert_cmpuint (n, >=, rows);
  if (g_str_equal (format, "csv"))
    g_string_append_printf (tail, "%s\n", lines[0]);
  for (guint i = n - rows; i < n; i++)
    g_string_append_printf (tail, "%s\n", lines[i]);
  return g_string_free (g_steal_pointer (&tail), FALSE);
}

/* The last N minutes are exactly the rows of generate's last N minutes:
 * same header, columns, values and formatting, to the byte */
static void
test_same_as_generate (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  const char *formats[] = { "csv", "jsonl" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      HeartDatasetFormat format = f == 0 ? HEART_DATASET_CSV : HEART_DATASET_JSONL;
      HeartHistoryExport summary = { 0 };
      g_autofree char *exported = export_to_string (history, 10 * 60, format, &summary);
      g_autofree char *expected = generate_tail (formats[f], 1200);

      g_assert_cmpstr (exported, ==, expected);
      g_assert_cmpuint (summary.n_samples, ==, 1200);
    }
}

/* Exactly the samples of the span, oldest first, and a summary that says so */
static void
test_exact_span (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  const guint minutes[] = { 1, 5, 10, 20 };

  g_assert_cmpfloat_with_epsilon (heart_history_export_covered (history), RUN_SECONDS, 1e-9);
  for (guint m = 0; m < G_N_ELEMENTS (minutes); m++)
    {
      double window_s = minutes[m] * 60.0;
      HeartHistoryExport summary = { 0 };
      g_autofree char *csv = export_to_string (history, window_s, HEART_DATASET_CSV, &summary);
      g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
      guint64 first_seq = RUN_SECONDS * 2 - minutes[m] * 120 + 1;

      g_assert_cmpuint (summary.n_samples, ==, minutes[m] * 120);
      g_assert_cmpuint (g_strv_length (lines), ==, summary.n_samples + 2);
      g_assert_cmpfloat_with_epsilon (summary.last_t_s, RUN_SECONDS, 1e-9);
      g_assert_cmpfloat_with_epsilon (summary.first_t_s, RUN_SECONDS - window_s + 0.5, 1e-9);
      g_assert_cmpfloat_with_epsilon (summary.span_s, window_s, 1e-9);
      g_assert_cmpfloat (summary.requested_s, ==, window_s);
      g_assert_false (summary.short_of_request);
      /* oldest first: seq counts up by one a row */
      for (guint i = 0; i < summary.n_samples; i++)
        {
          g_auto(GStrv) cells = g_strsplit (lines[i + 1], ",", -1);

          g_assert_cmpuint (g_ascii_strtoull (cells[5], NULL, 10), ==, first_seq + i);
        }
    }
}

/* Asked for more than the history holds: all of it, and it says so */
static void
test_short_history (void)
{
  /* 12 minutes of 2 Hz samples of the 20 */
  g_autoptr(HeartHistory) history = run_history (12 * 120);
  HeartHistoryExport summary = { 0 };
  g_autofree char *csv = export_to_string (history, 60 * 60, HEART_DATASET_CSV, &summary);
  g_autofree char *expected = generate_tail ("csv", 12 * 120);

  g_assert_cmpfloat_with_epsilon (heart_history_export_covered (history), 12 * 60, 1e-9);
  g_assert_true (summary.short_of_request);
  g_assert_cmpuint (summary.n_samples, ==, 12 * 120);
  g_assert_cmpfloat_with_epsilon (summary.span_s, 12 * 60, 1e-9);
  g_assert_cmpfloat (summary.requested_s, ==, 60 * 60);
  g_assert_cmpstr (csv, ==, expected);

  /* exactly what it holds is not short */
  g_clear_pointer (&csv, g_free);
  csv = export_to_string (history, 12 * 60, HEART_DATASET_CSV, &summary);
  g_assert_false (summary.short_of_request);
  g_assert_cmpuint (summary.n_samples, ==, 12 * 120);
}

/* Every line one JSON object with generate's fields, in its order */
static void
test_json_lines_parse (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  HeartHistoryExport summary = { 0 };
  g_autofree char *jsonl = export_to_string (history, 60, HEART_DATASET_JSONL, &summary);
  g_autofree char *csv = export_to_string (history, 60, HEART_DATASET_CSV, NULL);
  g_auto(GStrv) lines = g_strsplit (jsonl, "\n", -1);
  g_auto(GStrv) csv_lines = g_strsplit (csv, "\n", -1);
  g_auto(GStrv) columns = g_strsplit (csv_lines[0], ",", -1);

  g_assert_cmpuint (summary.n_samples, ==, 120);
  g_assert_cmpuint (g_strv_length (lines), ==, 121);
  g_assert_cmpstr (lines[120], ==, "");
  for (guint i = 0; i < 120; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);
      JsonObject *object;
      g_autoptr(GList) members = NULL;
      guint c = 0;

      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      object = json_node_get_object (node);
      members = json_object_get_members (object);
      for (GList *m = members; m != NULL; m = m->next, c++)
        g_assert_cmpstr (m->data, ==, columns[c]);
      g_assert_cmpuint (c, ==, g_strv_length (columns));
      g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "heartbeat");
      g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, RUN_SECONDS * 2 - 120 + 1 + i);
    }
}

static void
test_empty_history (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (10);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "empty.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_cmpfloat (heart_history_export_covered (history), ==, 0);
  g_assert_false (heart_history_export_write (history, 60, HEART_DATASET_CSV, out, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (heart_history_export_to_file (history, 60, HEART_DATASET_CSV, file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* A file appears whole; written again, it is replaced */
static void
test_to_file (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-export-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "last.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *expected = export_to_string (history, 5 * 60, HEART_DATASET_JSONL, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  HeartHistoryExport summary = { 0 };

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, OLD_CONTENTS, -1, NULL));
  g_assert_true (heart_history_export_to_file (history, 5 * 60, HEART_DATASET_JSONL, file, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.n_samples, ==, 600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
  listing = folder_listing (folder);
  g_assert_cmpstr (listing, ==, "last.jsonl");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* A folder that is not there: the message names the file and the reason,
 * and nothing is made */
static void
test_missing_folder (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-export-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "missing", "last.csv", NULL);
  g_autofree char *expected = g_strdup_printf ("cannot write %s: %s", path, g_strerror (ENOENT));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *listing = NULL;

  g_assert_no_error (error);
  g_assert_false (heart_history_export_to_file (history, 60, HEART_DATASET_CSV, file, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, expected);
  listing = folder_listing (folder);
  g_assert_cmpstr (listing, ==, "");
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* A write that fails half-way (past RLIMIT_FSIZE, with SIGXFSZ ignored as
 * generate does): the file that was there stays as it was, and no
 * temporary file is left. In-process, so root fails the same way. */
static void
test_failure_leaves_file (void)
{
  g_autoptr(HeartHistory) history = run_history (HEART_HISTORY_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-export-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "last.csv", NULL);
  g_autofree char *expected = g_strdup_printf ("cannot write %s: %s", path, g_strerror (EFBIG));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_autofree char *listing = NULL;
  struct rlimit saved, limit;
  void (*saved_handler) (int);
  gboolean ok;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, OLD_CONTENTS, -1, NULL));
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = 64 * 1024;   /* 20 minutes of CSV are about 800 KB */
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  ok = heart_history_export_to_file (history, RUN_SECONDS, HEART_DATASET_CSV, file, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (EFBIG));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, OLD_CONTENTS);
  listing = folder_listing (folder);
  g_assert_cmpstr (listing, ==, "last.csv");

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* Simulation time that goes forwards again going back (a replay that
 * looped): only the run that ends with the newest sample is these minutes */
static void
test_time_restarts (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (100);
  HeartHistoryExport summary = { 0 };
  g_autofree char *csv = NULL;

  for (guint i = 0; i < 40; i++)
    {
      HeartSample sample = { .timestamp_us = START_US, .seq = i + 1, .running = TRUE };

      /* 0.5 … 15 s, then 0.5 … 5 s again */
      sample.t_s = (i < 30 ? i + 1 : i - 29) * 0.5;
      heart_history_push (history, &sample);
    }
  g_assert_cmpfloat_with_epsilon (heart_history_export_covered (history), 5, 1e-9);
  csv = export_to_string (history, 60, HEART_DATASET_CSV, &summary);
  g_assert_cmpuint (summary.n_samples, ==, 10);
  g_assert_cmpfloat (summary.first_t_s, ==, 0.5);
  g_assert_true (summary.short_of_request);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/history-export/same-as-generate", test_same_as_generate);
  g_test_add_func ("/history-export/exact-span", test_exact_span);
  g_test_add_func ("/history-export/short-history", test_short_history);
  g_test_add_func ("/history-export/json-lines-parse", test_json_lines_parse);
  g_test_add_func ("/history-export/empty", test_empty_history);
  g_test_add_func ("/history-export/to-file", test_to_file);
  g_test_add_func ("/history-export/missing-folder", test_missing_folder);
  g_test_add_func ("/history-export/failure-leaves-file", test_failure_leaves_file);
  g_test_add_func ("/history-export/time-restarts", test_time_restarts);
  return g_test_run ();
}
