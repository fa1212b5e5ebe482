/* test-sources.c: what is served, switched while clients stay connected,
 * and `heartsim --headless --replay`
 *
 * A real SoupServer on port 0 with a real client, and the built binary as a
 * user runs it (docs/api.md, Source; docs/replay.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heart-history.h"
#include "heart-recorder.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"
#include "test-headless-util.h"
#include "test-server-fixture.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */
#define BEATS 120

typedef struct
{
  char              *folder;
  char              *rr_csv;         /* BEATS beats of 750 and 850 ms in turn */
  HeartSimulator    *simulator;
  HeartSourceSwitch *source;
  HeartHistory      *history;
  HeartServer       *server;
  SoupSession       *session;
  guint              port;
} Fixture;

static char *
write_rr_csv (const char *folder)
{
  g_autoptr(GString) csv = g_string_new ("time_s,rr_ms\n");
  char *path = g_build_filename (folder, "rr.csv", NULL);
  double t = 0;

  for (guint i = 0; i < BEATS; i++)
    {
      double rr = i % 2 ? 850 : 750;

      t += rr / 1000;
      g_string_append_printf (csv, "%.3f,%.0f\n", t, rr);
    }
  g_assert_true (g_file_set_contents (path, csv->str, -1, NULL));
  return path;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->folder = g_dir_make_tmp ("heartsim-sources-XXXXXX", &error);
  g_assert_no_error (error);
  f->rr_csv = write_rr_csv (f->folder);
  f->simulator = heart_simulator_new_manual (42, START_US);
  f->source = heart_source_switch_new (HEART_SOURCE (f->simulator));
  heart_source_set_running (HEART_SOURCE (f->source), TRUE);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->source));
  f->server = g_object_new (HEART_TYPE_SERVER,
                            "simulator", f->simulator,
                            "source", f->source,
                            "history", f->history,
                            NULL);
  /* an SSE event every tick */
  heart_server_set_sse_interval_ms (f->server, 1);
  f->port = test_server_listen (f->server, &f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *csv = g_build_filename (f->folder, "rr.csv", NULL);

  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->source);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_unlink (csv);
  g_unlink (f->rr_csv);
  g_rmdir (f->folder);
  g_free (f->rr_csv);
  g_free (f->folder);
}

static void
tick (Fixture *f,
      guint    n)
{
  for (guint i = 0; i < n; i++)
    heart_simulator_advance (f->simulator, 0.5);
}

static JsonNode *
request_json (Fixture    *f,
              const char *method,
              const char *path,
              guint       expected_status)
{
  g_autoptr(TestReply) reply = test_request (f->session, method, f->port, path, NULL);

  g_assert_cmpuint (test_reply_status (reply), ==, expected_status);
  return test_reply_json (reply);
}

static const char *
detail_of (JsonNode *node)
{
  return json_object_get_string_member (json_node_get_object (node), "detail");
}

/* The seq of every sample a WebSocket client got, from @from on */
static GArray *
websocket_samples (TestWebsocket *ws,
                   guint          from,
                   GArray       **bpms)
{
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (gint64));

  *bpms = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = from; i < ws->messages->len; i++)
    {
      g_autoptr(JsonNode) node = test_parse_json (g_ptr_array_index (ws->messages, i));
      JsonObject *object = json_node_get_object (node);
      gint64 seq, bpm;

      if (!json_object_has_member (object, "seq") || !json_object_has_member (object, "bpm"))
        continue;
      seq = json_object_get_int_member (object, "seq");
      bpm = json_object_get_int_member (object, "bpm");
      g_array_append_val (seqs, seq);
      g_array_append_val (*bpms, bpm);
    }
  return seqs;
}

static guint
count_samples (TestWebsocket *ws)
{
  g_autoptr(GArray) bpms = NULL;
  g_autoptr(GArray) seqs = websocket_samples (ws, 0, &bpms);

  return seqs->len;
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* POST /source switches to a replay and back while a WebSocket and an SSE
 * client stay connected: they get the replay's samples on the streams they
 * have, with seq running on by one, and the state when it ends */
static void
test_switch_keeps_streams (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(TestWebsocket) ws = test_websocket_new (f->session, f->port);
  g_autoptr(TestSse) sse = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *path = NULL;
  g_autofree char *escaped = g_uri_escape_string (f->rr_csv, NULL, FALSE);
  g_autoptr(JsonNode) source = NULL;
  g_autoptr(JsonNode) health = NULL;
  g_autoptr(GArray) seqs = NULL;
  g_autoptr(GArray) bpms = NULL;
  JsonObject *object;
  guint status = 0, sse_events, replayed = 0;

  sse = test_sse_send (f->session, f->port, "/api/stream", NULL, &status, &content_type);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  tick (f, 3);
  WAIT_FOR (ws->messages->len >= 4);
  WAIT_FOR (count (sse->text->str, "data: ") >= 3);

  source = request_json (f, SOUP_METHOD_GET, "/source", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (source, "kind"), ==, "simulator");
  g_assert_cmpstr (test_json_string (source, "state"), ==, "running");
  g_clear_pointer (&source, json_node_unref);

  path = g_strdup_printf ("/source?kind=replay&file=%s&speed=100", escaped);
  source = request_json (f, SOUP_METHOD_POST, path, SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (source, "kind"), ==, "replay");
  g_assert_cmpstr (test_json_string (source, "file"), ==, f->rr_csv);
  g_assert_cmpstr (test_json_string (source, "state"), ==, "playing");
  g_assert_false (heart_simulator_get_running (f->simulator));
  g_clear_pointer (&source, json_node_unref);

  /* 96 s of beats at speed 100: under a second */
  WAIT_FOR (g_str_equal (heart_source_get_kind (HEART_SOURCE (f->source)), "replay")
            && !heart_source_get_running (HEART_SOURCE (f->source)));
  source = request_json (f, SOUP_METHOD_GET, "/source", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (source, "state"), ==, "ended");
  object = json_node_get_object (source);
  g_assert_cmpfloat (json_object_get_double_member (object, "position_s"), >, 90);
  g_assert_nonnull (strstr (test_json_string (source, "detected"), "rr_ms = column 2"));
  g_assert_cmpint (test_json_int (source, "skipped_lines"), ==, 0);
  health = request_json (f, SOUP_METHOD_GET, "/health", SOUP_STATUS_OK);
  object = json_object_get_object_member (json_node_get_object (health), "source");
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "replay");
  g_assert_cmpstr (test_json_string (health, "simulation_state"), ==, "stopped");

  /* and back: the simulation runs on where it was */
  g_clear_pointer (&source, json_node_unref);
  source = request_json (f, SOUP_METHOD_POST, "/source?kind=simulator", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (source, "kind"), ==, "simulator");
  /* the replay had stopped: so is the simulation, until started */
  g_assert_cmpstr (test_json_string (source, "state"), ==, "stopped");
  g_clear_pointer (&source, json_node_unref);
  source = request_json (f, SOUP_METHOD_POST, "/simulation/start", SOUP_STATUS_OK);
  sse_events = count (sse->text->str, "data: ");
  tick (f, 3);
  /* 3 simulated, 191 replayed (0 to 95 s of the file), 3 simulated */
  WAIT_FOR (count_samples (ws) >= 3 + 191 + 3 && count (sse->text->str, "data: ") >= sse_events + 3);
  seqs = websocket_samples (ws, 0, &bpms);

  /* nobody was disconnected */
  g_assert_false (ws->closed);
  g_assert_false (sse->eof);
  /* one sequence across the three sources' samples, none lost */
  for (guint i = 1; i < seqs->len; i++)
    g_assert_cmpint (g_array_index (seqs, gint64, i), ==, g_array_index (seqs, gint64, i - 1) + 1);
  /* the replay's samples: the heart rate of 750 or 850 ms beats */
  for (guint i = 0; i < bpms->len; i++)
    replayed += g_array_index (bpms, gint64, i) == 80 || g_array_index (bpms, gint64, i) == 71;
  g_assert_cmpuint (replayed, >=, 150);
  g_assert_cmpuint (seqs->len, ==, 3 + 191 + 3);
}

/* A file is opened off the main loop: while the file cannot be opened yet
 * (a named pipe nobody writes to, standing for a slow disk or a gigabyte
 * export), the server answers everyone else, and the POST is answered once
 * the opening is over: here, refused, as a pipe cannot be read twice */
static void
test_open_off_main_loop (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *fifo = g_build_filename (f->folder, "slow.csv", NULL);
  g_autofree char *escaped = g_uri_escape_string (fifo, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/source?kind=replay&file=%s&speed=100", escaped);
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", f->port, path);
  g_autofree char *contents = NULL;
  g_autoptr(TestReply) post = g_new0 (TestReply, 1);
  g_autoptr(JsonNode) health = NULL;
  g_autoptr(JsonNode) source = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  int fd;

  g_assert_true (g_file_get_contents (f->rr_csv, &contents, &length, &error));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  post->msg = soup_message_new (SOUP_METHOD_POST, uri);
  soup_session_send_and_read_async (f->session, post->msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, post);

  health = request_json (f, SOUP_METHOD_GET, "/health", SOUP_STATUS_OK);
  g_assert_false (post->done);
  g_assert_cmpstr (heart_source_get_kind (heart_source_switch_get_source (f->source)), ==, "simulator");

  /* the opening thread has the pipe's other end, or is about to; it may
   * close it before all is written (EPIPE, not a signal) */
  signal (SIGPIPE, SIG_IGN);
  fd = open (fifo, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  (void) !write (fd, contents, length);
  close (fd);
  WAIT_FOR (post->done);
  g_assert_no_error (post->error);
  g_assert_cmpuint (test_reply_status (post), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  source = test_reply_json (post);
  g_assert_nonnull (strstr (detail_of (source), "slow.csv: not a regular file"));
  g_assert_cmpstr (heart_source_get_kind (heart_source_switch_get_source (f->source)), ==, "simulator");
  g_unlink (fifo);
}

/* Commands only a simulation obeys answer 409 while a replay is served; a
 * file that cannot be played is 422 and changes nothing; a foreign page
 * cannot switch */
static void
test_conflicts_and_refusals (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *escaped = g_uri_escape_string (f->rr_csv, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/source?kind=replay&file=%s&speed=0.1", escaped);
  g_autofree char *empty = g_build_filename (f->folder, "empty.csv", NULL);
  g_autofree char *empty_path = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(TestReply) foreign = NULL;

  answer = request_json (f, SOUP_METHOD_POST, "/simulation/trigger-stress?stress_level=0.5", SOUP_STATUS_OK);
  g_clear_pointer (&answer, json_node_unref);

  answer = request_json (f, SOUP_METHOD_POST, path, SOUP_STATUS_OK);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/trigger-stress?stress_level=0.5", SOUP_STATUS_CONFLICT);
  g_assert_cmpstr (detail_of (answer), ==,
                   "the source is a replay, not the simulation: POST /source?kind=simulator first");
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/set-baseline?baseline_bpm=60", SOUP_STATUS_CONFLICT);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/stress-level?stress_level=0.5", SOUP_STATUS_CONFLICT);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/random-events?events_per_hour=0", SOUP_STATUS_CONFLICT);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/scenario?name=interview", SOUP_STATUS_CONFLICT);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, HEART_BASELINE_DEFAULT);
  g_assert_cmpfloat (heart_simulator_get_stress_level (f->simulator), ==, 0.0);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), !=, 0.0);
  /* start and stop: any source */
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/stop", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (answer, "status"), ==, "stopped");
  g_clear_pointer (&answer, json_node_unref);

  /* a missing file, an empty one, a bad kind or option: nothing changes */
  answer = request_json (f, SOUP_METHOD_POST, "/source?kind=replay&file=%2Fno%2Fsuch.csv", SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpstr (detail_of (answer), ==, "cannot replay /no/such.csv: No such file or directory");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  empty_path = g_strdup_printf ("/source?kind=replay&file=%s", empty);
  answer = request_json (f, SOUP_METHOD_POST, empty_path, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_true (g_str_has_suffix (detail_of (answer), "empty.csv: the file is empty"));
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/source?kind=strap", SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/source?kind=replay&file=x.csv&speed=5000", SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_clear_pointer (&answer, json_node_unref);
  g_unlink (empty);

  foreign = test_request (f->session, SOUP_METHOD_POST, f->port, "/source?kind=simulator",
                          "Origin", "http://evil.example", NULL);
  g_assert_cmpuint (test_reply_status (foreign), ==, SOUP_STATUS_FORBIDDEN);

  answer = request_json (f, SOUP_METHOD_GET, "/source", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (answer, "kind"), ==, "replay");
  g_assert_cmpstr (test_json_string (answer, "file"), ==, f->rr_csv);
  g_assert_cmpstr (test_json_string (answer, "state"), ==, "paused");
  g_clear_pointer (&answer, json_node_unref);

  answer = request_json (f, SOUP_METHOD_POST, "/source?kind=simulator", SOUP_STATUS_OK);
  g_clear_pointer (&answer, json_node_unref);
  answer = request_json (f, SOUP_METHOD_POST, "/simulation/set-baseline?baseline_bpm=60", SOUP_STATUS_OK);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 60);
}

/* ---- heartsim --headless --replay ---------------------------------------- */

static void
test_headless_refuses (void)
{
  g_autofree char *folder = g_dir_make_tmp ("heartsim-sources-XXXXXX", NULL);
  g_autofree char *missing = g_build_filename (folder, "missing.jsonl", NULL);
  g_autofree char *err = NULL;
  int status = 0;

  if (test_headless_binary () == NULL)
    return;
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--replay", missing, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "heartsim: cannot replay "));
  g_assert_true (g_str_has_suffix (err, "missing.jsonl: No such file or directory\n"));
  g_assert_cmpuint (count (err, "\n"), ==, 1);
  g_free (err);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--replay", missing, "--speed", "0", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpuint (count (err, "\n"), ==, 1);
  g_assert_nonnull (strstr (err, "--speed"));
  g_free (err);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--loop", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_cmpuint (count (err, "\n"), ==, 1);
  g_free (err);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--replay", missing, "--timestamps", "later", NULL);
  g_assert_cmpint (status, ==, 2);
  g_free (err);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--replay", missing, "--columns", "when=1", NULL);
  g_assert_cmpint (status, ==, 2);
  g_rmdir (folder);
}

/* A recording played through the whole API: the history holds its samples
 * in order, with their values */
static void
test_headless_replays_recording (void)
{
  g_autofree char *folder = g_dir_make_tmp ("heartsim-sources-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "session.jsonl", NULL);
  g_autoptr(HeartSimulator) simulator = NULL;
  g_autoptr(HeartRecorder) recorder = NULL;
  g_autoptr(GArray) recorded = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) reply = NULL;
  g_autoptr(JsonNode) history = NULL;
  TestHeadless service = { 0 };
  JsonArray *samples;
  guint port;

  if (test_headless_binary () == NULL)
    return;
  simulator = heart_simulator_new_manual (5, START_US);
  heart_simulator_start (simulator);
  recorder = g_object_new (HEART_TYPE_RECORDER, "source", simulator, "path", path, NULL);
  g_assert_true (heart_recorder_start (recorder, &error));
  for (guint i = 0; i < 200; i++)
    {
      gint64 bpm;

      heart_simulator_advance (simulator, 0.5);
      bpm = heart_simulator_get_current_sample (simulator)->bpm;
      g_array_append_val (recorded, bpm);
    }
  g_assert_true (heart_recorder_stop (recorder, &error));

  g_assert_true (test_headless_start (&service, G_SUBPROCESS_FLAGS_STDERR_SILENCE, test_headless_default_signals,
                                      NULL, (const char *[]) { "--replay", path, "--speed", "1000", NULL }));
  port = service.port;

  /* 100 s at speed 1000: the replay ends within a fraction of a second */
  for (gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;;)
    {
      g_autoptr(TestReply) source = test_request (session, SOUP_METHOD_GET, port, "/source", NULL);
      g_autoptr(JsonNode) node = test_reply_json (source);

      g_assert_cmpstr (test_json_string (node, "kind"), ==, "replay");
      if (g_str_equal (test_json_string (node, "state"), "ended"))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the replay did not end");
      g_usleep (20000);
    }
  reply = test_request (session, SOUP_METHOD_GET, port, "/api/history?limit=1000", NULL);
  history = test_reply_json (reply);
  samples = json_object_get_array_member (json_node_get_object (history), "samples");
  g_assert_nonnull (samples);
  g_assert_cmpuint (json_array_get_length (samples), ==, recorded->len);
  for (guint i = 0; i < recorded->len; i++)
    {
      JsonObject *sample = json_array_get_object_element (samples, i);

      g_assert_cmpint (json_object_get_int_member (sample, "seq"), ==, i + 1);
      g_assert_cmpint (json_object_get_int_member (sample, "bpm"), ==, g_array_index (recorded, gint64, i));
    }
  g_subprocess_send_signal (service.process, SIGTERM);
  WAIT_FOR (service.exited);
  g_assert_cmpint (g_subprocess_get_exit_status (service.process), ==, 0);
  test_headless_clear (&service);
  g_unlink (path);
  g_rmdir (folder);
}

/* An Apple Health export played through the whole API: its heart rates in
 * the history's samples, its sleep stage as their condition, its own times
 * in /heartbeat/current, and what was detected in GET /source
 * (docs/replay.md, Apple Health exports) */
static void
test_headless_replays_health_export (void)
{
  static const char export[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<HealthData locale=\"en_US\">\n"
    " <Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/min\""
    " startDate=\"2024-03-01 23:00:00 +0100\" endDate=\"2024-03-01 23:00:00 +0100\" value=\"60\"/>\n"
    " <Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/min\""
    " startDate=\"2024-03-01 23:01:00 +0100\" endDate=\"2024-03-01 23:01:00 +0100\" value=\"90\"/>\n"
    " <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" value=\"HKCategoryValueSleepAnalysisAsleepDeep\""
    " startDate=\"2024-03-01 23:00:10 +0100\" endDate=\"2024-03-01 23:00:20 +0100\"/>\n"
    "</HealthData>\n";
  g_autofree char *folder = g_dir_make_tmp ("heartsim-sources-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "export.xml", NULL);
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) reply = NULL;
  g_autoptr(JsonNode) history = NULL;
  TestHeadless service = { 0 };
  JsonArray *samples;
  guint port, deep = 0;

  if (test_headless_binary () == NULL)
    return;
  g_assert_true (g_file_set_contents (path, export, -1, NULL));
  g_assert_true (test_headless_start (&service, G_SUBPROCESS_FLAGS_STDERR_SILENCE, test_headless_default_signals,
                                      NULL, (const char *[]) { "--replay", path, "--speed", "1000", NULL }));
  port = service.port;

  /* a minute at speed 1000 */
  for (gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;;)
    {
      g_autoptr(TestReply) source = test_request (session, SOUP_METHOD_GET, port, "/source", NULL);
      g_autoptr(JsonNode) node = test_reply_json (source);

      g_assert_true (g_str_has_prefix (test_json_string (node, "detected"), "Apple Health export: 2 heart-rate records"));
      if (g_str_equal (test_json_string (node, "state"), "ended"))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("the replay did not end");
      g_usleep (20000);
    }
  reply = test_request (session, SOUP_METHOD_GET, port, "/api/history?limit=1000", NULL);
  history = test_reply_json (reply);
  samples = json_object_get_array_member (json_node_get_object (history), "samples");
  g_assert_nonnull (samples);
  /* every 500 ms from the first record to the last */
  g_assert_cmpuint (json_array_get_length (samples), ==, 121);
  for (guint i = 0; i < 121; i++)
    {
      JsonObject *sample = json_array_get_object_element (samples, i);

      g_assert_cmpint (json_object_get_int_member (sample, "bpm"), ==, i < 120 ? 60 : 90);
      deep += g_strcmp0 (json_object_get_string_member_with_default (sample, "condition", ""), "sleep_deep") == 0;
    }
  /* from 10 s to 20 s */
  g_assert_cmpuint (deep, ==, 20);
  /* the last sample, with the export's own time */
  {
    g_autoptr(TestReply) current = test_request (session, SOUP_METHOD_GET, port, "/heartbeat/current", NULL);
    g_autoptr(JsonNode) node = test_reply_json (current);

    g_assert_cmpint (test_json_int (node, "bpm"), ==, 90);
    g_assert_cmpstr (test_json_string (node, "timestamp"), ==, "2024-03-01T22:01:00.000Z");
  }
  g_subprocess_send_signal (service.process, SIGTERM);
  WAIT_FOR (service.exited);
  g_assert_cmpint (g_subprocess_get_exit_status (service.process), ==, 0);
  test_headless_clear (&service);
  g_unlink (path);
  g_rmdir (folder);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/sources/open-off-main-loop", Fixture, NULL, fixture_setup, test_open_off_main_loop, fixture_teardown);
  g_test_add ("/sources/switch-keeps-streams", Fixture, NULL,
              fixture_setup, test_switch_keeps_streams, fixture_teardown);
  g_test_add ("/sources/conflicts-and-refusals", Fixture, NULL,
              fixture_setup, test_conflicts_and_refusals, fixture_teardown);
  g_test_add_func ("/sources/headless/refuses", test_headless_refuses);
  g_test_add_func ("/sources/headless/replays-recording", test_headless_replays_recording);
  g_test_add_func ("/sources/headless/replays-health-export", test_headless_replays_health_export);
  return g_test_run ();
}
