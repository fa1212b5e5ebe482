/* test-recording.c: `heartsim --headless --record FILE` as a user runs it
 *
 * Kills the recording service with SIGKILL at different moments and reads
 * what it left; fills its disk (a file size limit, /dev/full) and checks it
 * says so once and goes on serving; gives it a file it cannot write
 * (docs/recording.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/resource.h>

#include "test-headless-util.h"

#define KILL_RUNS 20
#define FSIZE_LIMIT_BYTES (8 * 1024)
#define POLL_US (5 * 1000)
#define CSV_COLUMNS 24

/* The default signal actions whatever the runner ignores, and, with
 * @data, a file size limit */
static void
child_setup (gpointer data)
{
  test_headless_default_signals (NULL);
  if (data != NULL)
    {
      struct rlimit limit = { FSIZE_LIMIT_BYTES, FSIZE_LIMIT_BYTES };

      setrlimit (RLIMIT_FSIZE, &limit);
    }
}

/* Starts a recording service on a free port; @limit_size: under a file
 * size limit */
static void
service_start (TestHeadless *service,
               const char   *path,
               const char   *format,
               gboolean      limit_size)
{
  const char *args[] = { "--interval-ms", "10", "--record", path, "--record-format", format, NULL };

  g_assert_true (test_headless_start (service, G_SUBPROCESS_FLAGS_STDERR_PIPE, child_setup,
                                      limit_size ? (gpointer) args : NULL, args));
}

static guint
count_newlines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *c = contents; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* Every line but the last is whole: a JSON object that begins with its
 * "record", or a CSV row under the header. The samples' seq runs on from
 * 1 with no gap. Returns the whole lines. */
static guint
check_recording (const char *contents,
                 gboolean    csv,
                 gboolean    last_may_be_cut)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  guint n = g_strv_length (lines);
  guint64 seq = 0;

  g_assert_cmpuint (n, >=, 1);
  /* the text after the last newline: nothing, or a line cut short */
  if (!last_may_be_cut)
    g_assert_cmpstr (lines[n - 1], ==, "");
  else if (lines[n - 1][0] != '\0')
    g_test_message ("a cut last line: %s", lines[n - 1]);
  for (guint i = 0; i < n - 1; i++)
    {
      const char *record;
      guint64 line_seq = 0;

      if (csv)
        {
          g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

          g_assert_cmpuint (g_strv_length (cells), ==, CSV_COLUMNS);
          if (i == 0)
            {
              g_assert_cmpstr (cells[0], ==, "record");
              continue;
            }
          record = cells[0];
          g_assert_true (g_str_equal (record, "sample") || g_str_equal (record, "beat"));
          if (g_str_equal (record, "sample"))
            line_seq = g_ascii_strtoull (cells[7], NULL, 10);
        }
      else
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = json_from_string (lines[i], &error);
          JsonObject *object;

          g_assert_no_error (error);
          object = json_node_get_object (node);
          record = json_object_get_string_member (object, "record");
          g_assert_true (g_str_equal (record, "sample") || g_str_equal (record, "beat"));
          g_assert_true (json_object_has_member (object, "condition"));
          if (g_str_equal (record, "sample"))
            line_seq = (guint64) json_object_get_int_member (object, "seq");
        }
      if (line_seq != 0)
        g_assert_cmpuint (line_seq, ==, ++seq);
    }
  return n - 1;
}

/* SIGKILL at a different moment each run: every line but the last is whole */
static void
test_kill_9 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-recording-XXXXXX", &error);

  g_assert_no_error (error);
  for (guint run = 0; run < KILL_RUNS; run++)
    {
      gboolean csv = run % 4 == 3;
      g_autofree char *name = g_strdup_printf ("run-%u.%s", run, csv ? "csv" : "jsonl");
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *contents = NULL;
      TestHeadless service = { 0 };
      guint wanted = 10 + run * 7;
      gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

      service_start (&service, path, csv ? "csv" : "jsonl", FALSE);
      while (count_newlines (path) < wanted && g_get_monotonic_time () < deadline)
        g_usleep (POLL_US);
      g_assert_cmpuint (count_newlines (path), >=, wanted);

      g_subprocess_send_signal (service.process, SIGKILL);
      WAIT_FOR (service.exited);
      g_assert_true (g_subprocess_get_if_signaled (service.process));
      g_assert_cmpint (g_subprocess_get_term_sig (service.process), ==, SIGKILL);

      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpuint (check_recording (contents, csv, TRUE), >=, wanted);
      test_headless_clear (&service);
      g_unlink (path);
    }
  g_rmdir (folder);
}

static gint64
current_seq (SoupSession *session,
             guint        port)
{
  g_autoptr(TestReply) reply = test_request (session, "GET", port, "/heartbeat/current", NULL);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpuint (test_reply_status (reply), ==, 200);
  node = test_reply_json (reply);
  return test_json_int (node, "seq");
}

/* A full disk (a file size limit, or /dev/full): exactly one line on
 * stderr naming the file and the reason, and the service goes on serving
 * a running simulation until it is told to stop */
static void
test_disk_full (gconstpointer data)
{
  gboolean device = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-recording-XXXXXX", &error);
  g_autofree char *path = device ? g_strdup ("/dev/full") : g_build_filename (folder, "full.jsonl", NULL);
  g_autofree char *expected = g_strdup_printf ("heartsim: recording stopped: cannot write %s: %s", path,
                                               g_strerror (device ? ENOSPC : EFBIG));
  g_autoptr(SoupSession) session = test_session_new ();
  g_autofree char *line = NULL;
  g_autofree char *rest = NULL;
  TestHeadless service = { 0 };
  gint64 seq;

  g_assert_no_error (error);
  if (device && !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      g_rmdir (folder);
      return;
    }
  service_start (&service, path, "jsonl", !device);
  line = test_headless_read_err_line (&service);
  g_assert_cmpstr (line, ==, expected);

  seq = current_seq (session, service.port);
  WAIT_FOR (current_seq (session, service.port) > seq);
  g_assert_false (service.exited);

  g_subprocess_send_signal (service.process, SIGTERM);
  WAIT_FOR (service.exited);
  g_assert_true (g_subprocess_get_if_exited (service.process));
  g_assert_cmpint (g_subprocess_get_exit_status (service.process), ==, 0);
  /* one line, not one a sample; a coverage build's own complaint that
   * the file size limit keeps it from writing its counts is not ours */
  do
    {
      g_free (rest);
      rest = test_headless_read_err_line (&service);
    }
  while (rest != NULL && strstr (rest, "profiling") != NULL && strstr (rest, ".gcda") != NULL);
  g_assert_null (rest);

  if (!device)
    {
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_assert_cmpuint (length, <=, FSIZE_LIMIT_BYTES);
      g_assert_cmpuint (check_recording (contents, FALSE, FALSE), >, 10);
      g_unlink (path);
    }
  test_headless_clear (&service);
  g_rmdir (folder);
}

/* Refused before anything listens: exit status 1 and one line */
static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-recording-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (folder, "missing", "day.jsonl", NULL);
  g_autofree char *other = g_build_filename (folder, "notes.txt", NULL);
  g_autofree char *expected_missing = g_strdup_printf ("heartsim: cannot record to %s: %s\n",
                                                       missing, g_strerror (ENOENT));
  g_autofree char *expected_other = g_strdup_printf ("heartsim: cannot record to %s: it exists and is not "
                                                     "a Heartsim recording in JSON Lines\n", other);
  g_autofree char *err = NULL;
  g_autofree char *left = NULL;
  int status;

  g_assert_no_error (error);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--record", missing, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (err, ==, expected_missing);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* someone's file is not appended to */
  g_assert_true (g_file_set_contents (other, "precious\n", -1, NULL));
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--record", other, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (err, ==, expected_other);
  g_assert_true (g_file_get_contents (other, &left, NULL, NULL));
  g_assert_cmpstr (left, ==, "precious\n");
  g_clear_pointer (&err, g_free);

  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--record", other,
                                   "--record-format", "xml", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, "heartsim: --record-format must be jsonl or csv"));

  g_unlink (other);
  g_rmdir (folder);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recording/kill-9", test_kill_9);
  g_test_add_data_func ("/recording/disk-full/file-size-limit", GINT_TO_POINTER (FALSE), test_disk_full);
  g_test_add_data_func ("/recording/disk-full/dev-full", GINT_TO_POINTER (TRUE), test_disk_full);
  g_test_add_func ("/recording/unwritable", test_unwritable);

  return g_test_run ();
}
