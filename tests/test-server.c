/* test-server.c: the network service against a real SoupSession client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "heart-day-log.h"
#include "heart-history.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "test-server-fixture.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */

typedef struct
{
  HeartSimulator *simulator;
  HeartHistory   *history;
  HeartServer    *server;
  SoupSession    *session;
  guint           port;
  HeartDayLog    *day_log;     /* given to the server, or NULL: it makes its own */
} Fixture;

static void
fixture_start (Fixture        *f,
               HeartSimulator *simulator,
               const char     *bind,
               const char     *token)
{
  f->simulator = simulator;
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->simulator));
  if (f->day_log != NULL)
    f->server = g_object_new (HEART_TYPE_SERVER,
                              "simulator", f->simulator,
                              "history", f->history,
                              "day-log", f->day_log,
                              NULL);
  else
    f->server = heart_server_new (f->simulator, f->history);
  if (bind != NULL)
    heart_server_set_bind_address (f->server, bind);
  heart_server_set_token (f->server, token);
  f->port = test_server_listen (f->server, &f->session);
  g_assert_true (heart_server_get_listening (f->server));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_start (f, heart_simulator_new_manual (42, START_US), NULL, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->simulator);
  g_clear_object (&f->day_log);
  /* let libsoup finish closing sockets before the next test */
  while (g_main_context_iteration (NULL, FALSE))
    ;
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
  g_assert_cmpstr (test_reply_header (reply, "Access-Control-Allow-Origin"), ==, "*");
  return test_reply_json (reply);
}

#define get_json(f, path, status) request_json ((f), SOUP_METHOD_GET, (path), (status))
#define post_json(f, path, status) request_json ((f), SOUP_METHOD_POST, (path), (status))

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) health = NULL;
  g_autoptr(TestWebsocket) ws = NULL;
  JsonObject *clients;

  tick (f, 3);
  ws = test_websocket_new (f->session, f->port);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 1);

  health = get_json (f, "/health", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (health, "status"), ==, "healthy");
  g_assert_cmpstr (test_json_string (health, "simulation_state"), ==, "stopped");
  g_assert_cmpstr (test_json_string (health, "version"), ==, PACKAGE_VERSION);
  g_assert_cmpint (test_json_int (health, "seq"), ==, 3);
  g_assert_cmpint (test_json_int (health, "connected_clients"), ==, 1);
  clients = json_object_get_object_member (json_node_get_object (health), "clients");
  g_assert_cmpint (json_object_get_int_member (clients, "websocket"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (clients, "sse"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (health), "uptime_s"), >=, 0.0);
}

static void
test_current (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(TestReply) first = NULL;
  g_autoptr(TestReply) second = NULL;
  g_autoptr(JsonNode) sample = NULL;
  g_autoptr(JsonNode) stopped = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  heart_simulator_start (f->simulator);
  tick (f, 5);

  first = test_request (f->session, SOUP_METHOD_GET, f->port, "/heartbeat/current", NULL);
  second = test_request (f->session, SOUP_METHOD_GET, f->port, "/heartbeat/current", NULL);
  g_assert_cmpuint (test_reply_status (first), ==, SOUP_STATUS_OK);
  /* serialised once per tick: the very same bytes until the next one */
  g_assert_true (g_bytes_equal (first->body, second->body));

  text = test_reply_text (first);
  /* the seed's fields first, in its order */
  g_assert_true (g_str_has_prefix (text, "{\"timestamp\":\""));
  sample = test_reply_json (first);
  object = json_node_get_object (sample);
  g_assert_cmpint (test_json_int (sample, "seq"), ==, 5);
  g_assert_cmpstr (test_json_string (sample, "state"), ==, "running");
  g_assert_true (g_str_has_suffix (test_json_string (sample, "timestamp"), "Z"));
  g_assert_cmpint (strlen (test_json_string (sample, "timestamp")), ==, strlen ("2026-01-09T12:34:56.789Z"));
  g_assert_true (json_node_get_value_type (json_object_get_member (object, "bpm")) == G_TYPE_INT64);
  g_assert_cmpfloat (json_object_get_double_member (object, "variability"), >=, 0.0);
  g_assert_cmpfloat (json_object_get_double_member (object, "variability"), <=, 1.0);
  g_assert_true (json_object_has_member (object, "stress_level"));

  /* stopping shows at once, without waiting for a tick */
  heart_simulator_stop (f->simulator);
  stopped = get_json (f, "/heartbeat/current", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (stopped, "state"), ==, "stopped");
  g_assert_cmpint (test_json_int (stopped, "seq"), ==, 5);
}

static void
test_start_stop (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) started = post_json (f, "/simulation/start", SOUP_STATUS_OK);
  g_autoptr(JsonNode) again = post_json (f, "/simulation/start", SOUP_STATUS_OK);
  g_autoptr(JsonNode) stopped = NULL;
  g_autoptr(JsonNode) stopped_again = NULL;

  g_assert_cmpstr (test_json_string (started, "status"), ==, "started");
  g_assert_cmpstr (test_json_string (again, "status"), ==, "already_running");
  g_assert_cmpstr (test_json_string (again, "state"), ==, "running");
  g_assert_true (heart_simulator_get_running (f->simulator));

  stopped = post_json (f, "/simulation/stop", SOUP_STATUS_OK);
  stopped_again = post_json (f, "/simulation/stop", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (stopped, "status"), ==, "stopped");
  g_assert_cmpstr (test_json_string (stopped_again, "status"), ==, "already_stopped");
  g_assert_cmpstr (test_json_string (stopped_again, "state"), ==, "stopped");
  g_assert_false (heart_simulator_get_running (f->simulator));
}

static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonNode) stress = post_json (f, "/simulation/trigger-stress?stress_level=0.8", SOUP_STATUS_OK);
  g_autoptr(JsonNode) baseline = post_json (f, "/simulation/set-baseline?baseline_bpm=65", SOUP_STATUS_OK);
  g_autoptr(JsonNode) activity = NULL;
  double before = heart_simulator_get_current_stress (f->simulator);

  g_assert_cmpstr (test_json_string (stress, "status"), ==, "stress_triggered");
  g_assert_true (heart_simulator_get_event_active (f->simulator));
  g_assert_cmpstr (test_json_string (baseline, "status"), ==, "baseline_set");
  g_assert_cmpint (test_json_int (baseline, "baseline_bpm"), ==, 65);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 65);

  /* the live activity override: the body follows (docs/model.md, Activity) */
  activity = post_json (f, "/simulation/activity?type=running", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (activity, "status"), ==, "activity_set");
  g_assert_cmpstr (test_json_string (activity, "activity"), ==, "running");
  g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, "running");
  g_clear_pointer (&activity, json_node_unref);
  /* read back by a client that comes later, and in /health */
  activity = get_json (f, "/simulation/activity", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (activity, "activity"), ==, "running");
  g_assert_cmpstr (test_json_string (activity, "sleep_stage"), ==, "");
  g_clear_pointer (&activity, json_node_unref);
  activity = get_json (f, "/health", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (activity, "activity"), ==, "running");
  g_assert_cmpstr (test_json_string (activity, "profile"), ==, "average");
  g_clear_pointer (&activity, json_node_unref);

  /* who the person is: the preset's resting rate, stress and arousals */
  activity = post_json (f, "/simulation/profile?name=athlete", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (activity, "status"), ==, "profile_set");
  g_assert_cmpstr (test_json_string (activity, "profile"), ==, "athlete");
  g_assert_cmpint (test_json_int (activity, "baseline_bpm"), ==, 52);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 52);
  g_clear_pointer (&activity, json_node_unref);
  activity = get_json (f, "/simulation/profile", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (activity, "profile"), ==, "athlete");

  /* the event drives stress up */
  tick (f, 40);
  g_assert_cmpfloat (heart_simulator_get_current_stress (f->simulator), >, before + 0.1);
}

/* The tonic stress level and the random events, as the window's controls
 * set them; GET /simulation/profile reads them back (docs/api.md) */
static void
test_person_settings (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *own_origin = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(TestReply) foreign = NULL;
  g_autoptr(TestReply) own = NULL;
  JsonObject *object;

  answer = post_json (f, "/simulation/stress-level?stress_level=0.35", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (answer, "status"), ==, "stress_level_set");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_node_get_object (answer), "stress_level"),
                                  0.35, 1e-9);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_stress_level (f->simulator), 0.35, 1e-9);
  /* a level, not an event */
  g_assert_false (heart_simulator_get_event_active (f->simulator));
  g_clear_pointer (&answer, json_node_unref);

  answer = post_json (f, "/simulation/random-events?events_per_hour=0", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (answer, "status"), ==, "random_events_set");
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (answer), "events_per_hour"), ==, 0.0);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 0.0);
  g_clear_pointer (&answer, json_node_unref);
  answer = post_json (f, "/simulation/random-events?events_per_hour=30.5", SOUP_STATUS_OK);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_node_get_object (answer), "events_per_hour"),
                                  30.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_random_events_per_hour (f->simulator), 30.5, 1e-9);
  g_clear_pointer (&answer, json_node_unref);

  /* a client that comes later reads both */
  answer = get_json (f, "/simulation/profile", SOUP_STATUS_OK);
  object = json_node_get_object (answer);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "stress_level"), 0.35, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "random_events_per_hour"), 30.5, 1e-9);
  g_clear_pointer (&answer, json_node_unref);

  /* guarded as every POST: a page of another site is refused, our own is not */
  foreign = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/stress-level?stress_level=0.9",
                          "Origin", "http://evil.example", NULL);
  g_assert_cmpuint (test_reply_status (foreign), ==, SOUP_STATUS_FORBIDDEN);
  g_clear_pointer (&foreign, test_reply_free);
  foreign = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/random-events?events_per_hour=3600",
                          "Origin", "http://evil.example", NULL);
  g_assert_cmpuint (test_reply_status (foreign), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_stress_level (f->simulator), 0.35, 1e-9);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_random_events_per_hour (f->simulator), 30.5, 1e-9);
  own = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/stress-level?stress_level=0",
                      "Origin", own_origin, NULL);
  g_assert_cmpuint (test_reply_status (own), ==, SOUP_STATUS_OK);
  g_assert_cmpfloat (heart_simulator_get_stress_level (f->simulator), ==, 0.0);

  /* POST only */
  g_clear_pointer (&own, test_reply_free);
  own = test_request (f->session, SOUP_METHOD_GET, f->port, "/simulation/random-events", NULL);
  g_assert_cmpuint (test_reply_status (own), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
}

static const struct
{
  const char *path;
  const char *param;
  const char *type;
} bad_inputs[] = {
  { "/simulation/trigger-stress?stress_level=abc", "stress_level", "float_parsing" },
  { "/simulation/trigger-stress?stress_level=1.5", "stress_level", "less_than_equal" },
  { "/simulation/trigger-stress?stress_level=-0.1", "stress_level", "greater_than_equal" },
  { "/simulation/trigger-stress?stress_level=NaN", "stress_level", "finite_number" },
  { "/simulation/trigger-stress?stress_level=nan", "stress_level", "finite_number" },
  { "/simulation/trigger-stress?stress_level=inf", "stress_level", "finite_number" },
  { "/simulation/trigger-stress?stress_level=-Infinity", "stress_level", "finite_number" },
  { "/simulation/trigger-stress?stress_level=", "stress_level", "float_parsing" },
  { "/simulation/trigger-stress?stress_level=0x1p-1", "stress_level", "float_parsing" },
  { "/simulation/trigger-stress?stress_level=%200.5", "stress_level", "float_parsing" },
  { "/simulation/trigger-stress?stress_level=1e400", "stress_level", "finite_number" },
  { "/simulation/trigger-stress", "stress_level", "missing" },
  { "/simulation/trigger-stress?level=0.5", "stress_level", "missing" },
  { "/simulation/set-baseline?baseline_bpm=39", "baseline_bpm", "greater_than_equal" },
  { "/simulation/set-baseline?baseline_bpm=121", "baseline_bpm", "less_than_equal" },
  { "/simulation/set-baseline?baseline_bpm=65.5", "baseline_bpm", "int_parsing" },
  { "/simulation/set-baseline?baseline_bpm=65.0", "baseline_bpm", "int_parsing" },
  { "/simulation/set-baseline?baseline_bpm=abc", "baseline_bpm", "int_parsing" },
  { "/simulation/set-baseline?baseline_bpm=", "baseline_bpm", "int_parsing" },
  { "/simulation/set-baseline?baseline_bpm=99999999999999999999", "baseline_bpm", "int_parsing" },
  { "/simulation/set-baseline", "baseline_bpm", "missing" },
  { "/simulation/stress-level?stress_level=1.01", "stress_level", "less_than_equal" },
  { "/simulation/stress-level?stress_level=-0.5", "stress_level", "greater_than_equal" },
  { "/simulation/stress-level?stress_level=high", "stress_level", "float_parsing" },
  { "/simulation/stress-level?stress_level=inf", "stress_level", "finite_number" },
  { "/simulation/stress-level", "stress_level", "missing" },
  { "/simulation/random-events?events_per_hour=-1", "events_per_hour", "greater_than_equal" },
  { "/simulation/random-events?events_per_hour=3601", "events_per_hour", "less_than_equal" },
  { "/simulation/random-events?events_per_hour=on", "events_per_hour", "float_parsing" },
  { "/simulation/random-events?events_per_hour=NaN", "events_per_hour", "finite_number" },
  { "/simulation/random-events?rate=10", "events_per_hour", "missing" },
  { "/simulation/activity", "type", "missing" },
  { "/simulation/activity?type=flying", "type", "enum" },
  { "/simulation/activity?type=Walking", "type", "enum" },
  { "/simulation/activity?type=", "type", "enum" },
  { "/simulation/profile", "name", "missing" },
  { "/simulation/profile?name=elite", "name", "enum" },
  { "/api/history?since=-1", "since", "greater_than_equal" },
  { "/api/history?since=abc", "since", "int_parsing" },
  { "/api/history?limit=0", "limit", "greater_than_equal" },
  { "/api/history?limit=10001", "limit", "less_than_equal" },
  { "/api/history?limit=2.5", "limit", "int_parsing" },
  { "/api/day?seconds=0", "seconds", "greater_than_equal" },
  { "/api/day?seconds=129601", "seconds", "less_than_equal" },
  { "/api/day?seconds=1.5", "seconds", "int_parsing" },
  { "/api/day?resolution=15", "resolution", "multiple_of" },
  { "/api/day?resolution=abc", "resolution", "int_parsing" },
  { "/api/day?resolution=0", "resolution", "greater_than_equal" },
  { "/api/day?resolution=3610", "resolution", "less_than_equal" },
};

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  tick (f, 2);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      const char *method = g_str_has_prefix (bad_inputs[i].path, "/api/") ? SOUP_METHOD_GET : SOUP_METHOD_POST;
      g_autoptr(TestReply) reply = test_request (f->session, method, f->port, bad_inputs[i].path, NULL);
      g_autoptr(JsonNode) body = NULL;
      JsonArray *detail;
      JsonObject *item;
      JsonArray *loc;

      g_test_message ("%s", bad_inputs[i].path);
      g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
      body = test_reply_json (reply);
      detail = json_object_get_array_member (json_node_get_object (body), "detail");
      g_assert_cmpuint (json_array_get_length (detail), ==, 1);
      item = json_array_get_object_element (detail, 0);
      loc = json_object_get_array_member (item, "loc");
      g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "query");
      g_assert_cmpstr (json_array_get_string_element (loc, 1), ==, bad_inputs[i].param);
      g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, bad_inputs[i].type);
      g_assert_true (strlen (json_object_get_string_member (item, "msg")) > 0);

      /* bad input never changes state */
      g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, HEART_BASELINE_DEFAULT);
      g_assert_false (heart_simulator_get_event_active (f->simulator));
      g_assert_false (heart_simulator_get_running (f->simulator));
      g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, "rest");
      g_assert_cmpstr (heart_simulator_get_profile (f->simulator), ==, "average");
      g_assert_cmpfloat (heart_simulator_get_stress_level (f->simulator), ==, 0.0);
      g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, HEART_EVENTS_PER_HOUR_DEFAULT);
      g_assert_true (heart_server_get_listening (f->server));
    }
}

static void
test_not_found_and_method (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonNode) missing = get_json (f, "/no/such/path", SOUP_STATUS_NOT_FOUND);
  g_autoptr(JsonNode) web_missing = get_json (f, "/web/nothing.js", SOUP_STATUS_NOT_FOUND);
  g_autoptr(TestReply) wrong = test_request (f->session, SOUP_METHOD_POST, f->port, "/health", NULL);
  g_autoptr(TestReply) wrong_post = test_request (f->session, SOUP_METHOD_GET, f->port, "/simulation/start", NULL);
  g_autoptr(TestReply) put = test_request (f->session, SOUP_METHOD_PUT, f->port, "/heartbeat/current", NULL);
  g_autoptr(JsonNode) body = NULL;

  g_assert_cmpstr (test_json_string (missing, "detail"), ==, "Not Found");
  g_assert_cmpstr (test_json_string (web_missing, "detail"), ==, "Not Found");

  g_assert_cmpuint (test_reply_status (wrong), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  body = test_reply_json (wrong);
  g_assert_cmpstr (test_json_string (body, "detail"), ==, "Method Not Allowed");
  g_assert_nonnull (strstr (test_reply_header (wrong, "Allow"), "GET"));
  g_assert_cmpstr (test_reply_header (wrong, "Access-Control-Allow-Origin"), ==, "*");

  g_assert_cmpuint (test_reply_status (wrong_post), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_nonnull (strstr (test_reply_header (wrong_post, "Allow"), "POST"));
  g_assert_false (heart_simulator_get_running (f->simulator));
  g_assert_cmpuint (test_reply_status (put), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
}

static void
test_cors_preflight (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TestReply) reply = test_request (f->session, SOUP_METHOD_OPTIONS, f->port, "/simulation/trigger-stress",
                                             "Origin", "http://example.test",
                                             "Access-Control-Request-Method", "POST",
                                             "Access-Control-Request-Headers", "authorization",
                                             NULL);

  g_assert_true (SOUP_STATUS_IS_SUCCESSFUL (test_reply_status (reply)));
  g_assert_cmpstr (test_reply_header (reply, "Access-Control-Allow-Origin"), ==, "*");
  g_assert_nonnull (strstr (test_reply_header (reply, "Access-Control-Allow-Methods"), "POST"));
  g_assert_nonnull (strstr (test_reply_header (reply, "Access-Control-Allow-Headers"), "authorization"));
  /* a preflight is not a command */
  g_assert_false (heart_simulator_get_event_active (f->simulator));
}

static void
test_docs (Fixture       *f,
           gconstpointer  data)
{
  static const char *paths[] = {
    "/health", "/simulation/start", "/simulation/stop", "/heartbeat/current", "/ws/heartbeat",
    "/simulation/trigger-stress", "/simulation/set-baseline", "/api/stream", "/api/history",
    "/api/channels", "/ws/stream", "/simulation/scenario", "/source", "/simulation/activity", "/simulation/profile",
    "/api/day", "/simulation/stress-level", "/simulation/random-events", "/subjects",
    "/subjects/simulation/start", "/subjects/simulation/stop",
  };
  g_autoptr(JsonNode) openapi = get_json (f, "/openapi.json", SOUP_STATUS_OK);
  JsonObject *documented = json_object_get_object_member (json_node_get_object (openapi), "paths");

  g_assert_true (g_str_has_prefix (test_json_string (openapi, "openapi"), "3."));
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    g_assert_true (json_object_has_member (documented, paths[i]));

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(TestReply) page = test_request (f->session, SOUP_METHOD_GET, f->port, i ? "/redoc" : "/docs", NULL);
      g_autofree char *html = test_reply_text (page);

      g_assert_cmpuint (test_reply_status (page), ==, SOUP_STATUS_OK);
      g_assert_true (g_str_has_prefix (test_reply_header (page, "Content-Type"), "text/html"));
      for (gsize j = 0; j < G_N_ELEMENTS (paths); j++)
        g_assert_nonnull (strstr (html, paths[j]));
      /* offline: nothing loaded from another host */
      g_assert_null (strstr (html, "src=\"http"));
      g_assert_null (strstr (html, "href=\"http"));
    }
}

static void
test_static_files (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(TestReply) index = test_request (f->session, SOUP_METHOD_GET, f->port, "/", NULL);
  g_autoptr(TestReply) script = NULL;
  g_autoptr(TestReply) revalidate = NULL;
  g_autoptr(TestReply) climb = NULL;

  if (test_reply_status (index) == SOUP_STATUS_NOT_FOUND)
    {
      g_test_skip ("the dashboard is not in the resource");
      return;
    }
  g_assert_cmpuint (test_reply_status (index), ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (test_reply_header (index, "Content-Type"), "text/html"));
  g_assert_cmpstr (test_reply_header (index, "Cache-Control"), ==, "no-cache");

  script = test_request (f->session, SOUP_METHOD_GET, f->port, "/web/app.js", NULL);
  g_assert_cmpuint (test_reply_status (script), ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (test_reply_header (script, "Content-Type"), "text/javascript"));
  g_assert_cmpstr (test_reply_header (script, "Cache-Control"), ==, "no-cache");
  g_assert_nonnull (test_reply_header (script, "ETag"));

  /* a browser revalidating an unchanged file gets a 304 and no body */
  revalidate = test_request (f->session, SOUP_METHOD_GET, f->port, "/web/app.js",
                             "If-None-Match", test_reply_header (script, "ETag"), NULL);
  g_assert_cmpuint (test_reply_status (revalidate), ==, SOUP_STATUS_NOT_MODIFIED);
  g_assert_cmpuint (g_bytes_get_size (revalidate->body), ==, 0);

  climb = test_request (f->session, SOUP_METHOD_GET, f->port, "/web/..%2fopenapi.json", NULL);
  g_assert_cmpuint (test_reply_status (climb), >=, 400);
}

static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) page = NULL;
  g_autoptr(JsonNode) all = NULL;
  JsonArray *samples;

  tick (f, 10);
  page = get_json (f, "/api/history?since=3&limit=4", SOUP_STATUS_OK);
  samples = json_object_get_array_member (json_node_get_object (page), "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (samples, i), "seq"), ==, 4 + i);
  g_assert_cmpint (test_json_int (page, "count"), ==, 4);
  g_assert_cmpint (test_json_int (page, "oldest_seq"), ==, 1);
  g_assert_cmpint (test_json_int (page, "latest_seq"), ==, 10);

  all = get_json (f, "/api/history", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (all, "count"), ==, 10);
  g_assert_cmpint (test_json_int (all, "limit"), ==, HEART_HISTORY_DEFAULT_LIMIT);
}

/* ---- WebSocket ----------------------------------------------------------- */

static gint64
message_seq (TestWebsocket *ws,
             guint          index)
{
  g_autoptr(JsonNode) node = test_parse_json (ws->messages->pdata[index]);

  return test_json_int (node, "seq");
}

static void
test_websocket (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TestWebsocket) a = NULL;
  g_autoptr(TestWebsocket) b = NULL;
  g_autoptr(JsonNode) hello = NULL;
  g_autoptr(JsonNode) sample = NULL;

  tick (f, 2);
  a = test_websocket_new (f->session, f->port);
  b = test_websocket_new (f->session, f->port);
  WAIT_FOR (a->messages->len == 1 && b->messages->len == 1);

  hello = test_parse_json (a->messages->pdata[0]);
  g_assert_cmpstr (test_json_string (hello, "type"), ==, "connected");
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 2);
  /* permessage-deflate is off (docs/architecture.md) */
  g_assert_null (soup_websocket_connection_get_extensions (a->connection));

  tick (f, 5);
  WAIT_FOR (a->messages->len == 6 && b->messages->len == 6);
  for (guint i = 1; i < 6; i++)
    {
      g_assert_cmpint (message_seq (a, i), ==, 2 + i);
      g_assert_cmpint (message_seq (b, i), ==, message_seq (a, i));
      g_assert_cmpstr (a->messages->pdata[i], ==, b->messages->pdata[i]);
    }
  sample = test_parse_json (a->messages->pdata[1]);
  g_assert_cmpstr (test_json_string (sample, "type"), ==, "heartbeat");
  g_assert_true (json_object_has_member (json_node_get_object (sample), "bpm"));

  soup_websocket_connection_close (a->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 1);
}

static void
test_websocket_plain_get (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(TestReply) reply = test_request (f->session, SOUP_METHOD_GET, f->port, "/ws/heartbeat", NULL);
  g_autoptr(JsonNode) body = test_reply_json (reply);

  g_assert_cmpuint (test_reply_status (reply), ==, 426);
  g_assert_true (json_object_has_member (json_node_get_object (body), "detail"));
}

/* A live simulator at 20 Hz: the frames come at about that rate, none lost. */
static void
test_websocket_rate (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestWebsocket) ws = NULL;
  gint64 first_us, elapsed_us;
  double rate;

  fixture_start (f, heart_simulator_new (7), NULL, NULL);
  heart_simulator_set_interval_ms (f->simulator, 50, NULL);
  ws = test_websocket_new (f->session, f->port);
  WAIT_FOR (ws->messages->len >= 1);
  heart_simulator_start (f->simulator);

  WAIT_FOR (ws->messages->len >= 2);
  first_us = g_get_monotonic_time ();
  WAIT_FOR (ws->messages->len >= 22);
  elapsed_us = g_get_monotonic_time () - first_us;
  rate = 20.0 / (elapsed_us / 1e6);
  g_test_message ("WebSocket rate at a 50 ms interval: %.1f Hz", rate);
  /* loose bounds: a loaded machine may be slow, never faster than the clock */
  g_assert_cmpfloat (rate, >, 5.0);
  g_assert_cmpfloat (rate, <, 30.0);
  for (guint i = 2; i < ws->messages->len; i++)
    g_assert_cmpint (message_seq (ws, i), ==, message_seq (ws, i - 1) + 1);

  g_clear_pointer (&ws, test_websocket_free);
  fixture_teardown (f, NULL);
}

/* ---- Server-Sent Events ------------------------------------------------- */

static TestSse *
test_sse_new (Fixture    *f,
              const char *last_event_id)
{
  g_autofree char *content_type = NULL;
  guint status = 0;
  TestSse *sse = test_sse_send (f->session, f->port, "/api/stream", last_event_id, &status, &content_type);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (content_type, ==, "text/event-stream");
  return sse;
}


/* Checks the framing of every complete event; returns their ids. */
static GArray *
sse_events (TestSse *sse)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_auto(GStrv) blocks = g_strsplit (sse->text->str, "\n\n", -1);

  /* the last block is incomplete (or empty) */
  for (guint i = 0; blocks[i] != NULL && blocks[i + 1] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (blocks[i], "\n", -1);
      g_autoptr(JsonNode) data = NULL;
      guint64 id;

      if (g_str_has_prefix (lines[0], ":"))
        continue;  /* a comment */
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      g_assert_true (g_str_has_prefix (lines[0], "id: "));
      g_assert_true (g_str_has_prefix (lines[1], "data: "));
      g_assert_true (g_str_has_prefix (lines[1], "data: {\"value\":"));
      id = g_ascii_strtoull (lines[0] + 4, NULL, 10);
      data = test_parse_json (lines[1] + 6);
      g_assert_cmpstr (test_json_string (data, "type"), ==, "heart_rate");
      g_assert_true (g_str_has_suffix (test_json_string (data, "timestamp"), "Z"));
      g_assert_cmpint (test_json_int (data, "seq"), ==, (gint64) id);
      g_assert_cmpint (test_json_int (data, "value"), >, 20);
      g_array_append_val (ids, id);
    }
  g_assert_null (strstr (sse->text->str, "event:"));
  return ids;
}

/* The id of the last complete event, without parsing the whole stream */
static guint64
sse_last_id (TestSse *sse)
{
  const char *end = sse->text->str + sse->text->len;
  const char *id = NULL;

  for (const char *p = end; p > sse->text->str; p--)
    if (g_str_has_prefix (p - 1, "\nid: ") || (p - 1 == sse->text->str && g_str_has_prefix (p - 1, "id: ")))
      {
        id = strstr (p - 1, "id: ") + 4;
        if (strstr (id, "\n\n") != NULL)
          break;
        id = NULL;
      }
  return id ? g_ascii_strtoull (id, NULL, 10) : 0;
}

static guint
sse_count (TestSse *sse)
{
  g_autoptr(GArray) ids = sse_events (sse);

  return ids->len;
}

static void
test_sse (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(TestSse) first = NULL;
  g_autoptr(TestSse) resumed = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) resumed_ids = NULL;
  g_autofree char *last = NULL;
  guint64 last_seen;

  g_autoptr(TestReply) head = NULL;

  heart_server_set_sse_interval_ms (f->server, 20);
  tick (f, 3);

  /* HEAD answers with the headers of a stream, and is not a client */
  head = test_request (f->session, SOUP_METHOD_HEAD, f->port, "/api/stream", NULL);
  g_assert_cmpuint (test_reply_status (head), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (heart_server_get_sse_clients (f->server), ==, 0);

  first = test_sse_new (f, NULL);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 1);
  /* the latest sample at once */
  WAIT_FOR (sse_count (first) == 1);

  /* then the latest sample once per interval, when it is new */
  tick (f, 1);
  WAIT_FOR (sse_count (first) == 2);
  tick (f, 1);
  WAIT_FOR (sse_count (first) == 3);
  ids = sse_events (first);
  g_assert_cmpuint (g_array_index (ids, guint64, 0), ==, 3);
  g_assert_cmpuint (g_array_index (ids, guint64, 2), ==, 5);
  last_seen = g_array_index (ids, guint64, 2);

  /* the client goes away; samples go on; it comes back with Last-Event-ID */
  g_clear_pointer (&first, test_sse_free);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 0);
  tick (f, 7);
  last = g_strdup_printf ("%" G_GUINT64_FORMAT, last_seen);
  resumed = test_sse_new (f, last);
  WAIT_FOR (sse_count (resumed) >= 7);
  resumed_ids = sse_events (resumed);
  /* nothing missing: 6 … 12, in order */
  for (guint i = 0; i < 7; i++)
    g_assert_cmpuint (g_array_index (resumed_ids, guint64, i), ==, last_seen + 1 + i);
}

/* The event flag of the wire sample: the same, and a JSON boolean, on every
 * transport (docs/api.md, The sample) */
static gboolean
event_of (JsonNode *sample)
{
  JsonNode *member = json_object_get_member (json_node_get_object (sample), "event");

  g_assert_nonnull (member);
  g_assert_true (json_node_get_value_type (member) == G_TYPE_BOOLEAN);
  return json_node_get_boolean (member);
}

static void
test_event_flag (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(TestSse) sse = NULL;
  g_autoptr(JsonNode) quiet = NULL;
  g_autoptr(JsonNode) during = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(JsonNode) stress = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *samples;
  gboolean seen_on = FALSE, seen_off = FALSE;

  heart_server_set_sse_interval_ms (f->server, 20);
  /* only the event we trigger */
  heart_simulator_set_random_events_per_hour (f->simulator, 0, NULL);
  tick (f, 2);
  quiet = get_json (f, "/heartbeat/current", SOUP_STATUS_OK);
  g_assert_false (event_of (quiet));

  ws = test_websocket_new (f->session, f->port);
  sse = test_sse_new (f, NULL);
  WAIT_FOR (ws->messages->len == 1 && sse_count (sse) == 1);

  stress = post_json (f, "/simulation/trigger-stress?stress_level=0.8", SOUP_STATUS_OK);
  tick (f, 1);
  during = get_json (f, "/heartbeat/current", SOUP_STATUS_OK);
  g_assert_true (event_of (during));
  g_assert_cmpint (test_json_int (during, "seq"), ==, 3);

  WAIT_FOR (ws->messages->len == 2 && sse_count (sse) == 2);
  {
    g_autoptr(JsonNode) frame = test_parse_json (ws->messages->pdata[1]);

    g_assert_cmpint (test_json_int (frame, "seq"), ==, 3);
    g_assert_true (event_of (frame));
  }
  /* the SSE event's last line: id, data */
  lines = g_strsplit (sse->text->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "data: ") && strstr (lines[i], "\"seq\":3,") != NULL)
      {
        g_autoptr(JsonNode) event = test_parse_json (lines[i] + 6);

        g_assert_true (event_of (event));
        /* an addition: after the bio mock's fields and the others */
        g_assert_true (g_str_has_suffix (lines[i], ",\"state\":\"stopped\",\"event\":true}"));
        seen_on = TRUE;
      }
  g_assert_true (seen_on);

  /* the history keeps each sample's flag */
  history = get_json (f, "/api/history", SOUP_STATUS_OK);
  samples = json_object_get_array_member (json_node_get_object (history), "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 3);
  seen_on = FALSE;
  for (guint i = 0; i < 3; i++)
    {
      JsonNode *sample = json_array_get_element (samples, i);
      gboolean on = event_of (sample);

      g_assert_cmpint (on, ==, test_json_int (sample, "seq") == 3);
      seen_on |= on;
      seen_off |= !on;
    }
  g_assert_true (seen_on && seen_off);
}

/* ---- slow clients -------------------------------------------------------- */

static void
test_stalled_client (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TestWebsocket) good = NULL;
  g_autoptr(GSocket) stalled = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  guint ticks = 0;

  heart_server_set_stall_timeout_ms (f->server, 200);
  good = test_websocket_new (f->session, f->port);
  stalled = stalled_websocket_new (f->port, "/ws/heartbeat");
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2);

  /* the good client reads every frame; the stalled one never reads */
  while (heart_server_get_websocket_clients (f->server) == 2)
    {
      g_assert_cmpuint (ticks, <, 20000);
      tick (f, 1);
      ticks++;
      WAIT_FOR (good->messages->len == ticks + 1);
    }
  g_test_message ("stalled client dropped after %u ticks", ticks);

  /* the good one goes on, nothing missed */
  tick (f, 10);
  ticks += 10;
  WAIT_FOR (good->messages->len == ticks + 1);
  for (guint i = 1; i <= ticks; i++)
    g_assert_cmpint (message_seq (good, i), ==, i);
  g_assert_false (good->closed);

  /* the dropped one is told why once it reads again: 1008 */
  WAIT_FOR (drain_for_close (stalled, seen, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
}

static gboolean
tick_source (gpointer data)
{
  tick (data, 1);
  return G_SOURCE_CONTINUE;
}

/* The kernel can buffer megabytes for a client that stopped reading, so its
 * socket stays writable; it is caught because it no longer answers pings. */
static void
test_silent_client (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(TestWebsocket) good = NULL;
  g_autoptr(GSocket) stalled = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  guint ticker;
  guint64 ticks;

  /* a ping a second, 2.5 s for a pong: slack for a loaded machine */
  heart_server_set_ping_interval_s (f->server, 1, 2500 * test_slowdown ());
  good = test_websocket_new (f->session, f->port);
  stalled = stalled_websocket_new (f->port, "/ws/heartbeat");
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2);

  /* a slow trickle: nowhere near filling any buffer */
  ticker = g_timeout_add (50, tick_source, f);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 1);
  g_source_remove (ticker);

  ticks = heart_simulator_get_current_sample (f->simulator)->seq;
  g_assert_cmpuint (ticks, <, 400);
  WAIT_FOR (good->messages->len == ticks + 1);
  for (guint i = 1; i <= ticks; i++)
    g_assert_cmpint (message_seq (good, i), ==, i);
  g_assert_false (good->closed);
  WAIT_FOR (drain_for_close (stalled, seen, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
}

/* An SSE client that stops reading: skipped once libsoup holds 64 KiB for
 * it, its socket shut down after the stall timeout, the others served. */
static void
test_stalled_sse (Fixture       *f,
                  gconstpointer  data)
{
  static const char request[] = "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  g_autoptr(GSocket) stalled = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(TestSse) good = NULL;
  g_autoptr(GArray) ids = NULL;
  char buffer[65536];
  guint64 latest;
  gssize n;
  guint ticker;

  heart_server_set_sse_interval_ms (f->server, 2);
  heart_server_set_stall_timeout_ms (f->server, 200);
  tick (f, 1);
  good = test_sse_new (f, NULL);

  g_assert_no_error (error);
  g_socket_set_option (stalled, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_socket_connect (stalled, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (stalled, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 2);

  /* samples faster than the SSE clock: every event is new */
  ticker = g_timeout_add (1, tick_source, f);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 1);
  g_source_remove (ticker);
  g_test_message ("stalled SSE client dropped after %" G_GUINT64_FORMAT " ticks",
                  heart_simulator_get_current_sample (f->simulator)->seq);

  /* the good one goes on, in order */
  latest = heart_simulator_get_current_sample (f->simulator)->seq;
  tick (f, 1);
  WAIT_FOR (sse_last_id (good) == latest + 1);
  ids = sse_events (good);
  g_assert_cmpuint (ids->len, >, 10);
  for (guint i = 1; i < ids->len; i++)
    g_assert_cmpuint (g_array_index (ids, guint64, i), >, g_array_index (ids, guint64, i - 1));

  /* the dropped one reads what was buffered, then the end of the stream */
  g_socket_set_blocking (stalled, FALSE);
  WAIT_FOR ((n = g_socket_receive (stalled, buffer, sizeof buffer, NULL, NULL)) == 0);
}

/* Iterates the main loop for @ms milliseconds */
static void
spin_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  guint wake = g_timeout_add (5, test_keep_waking, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

/* While the simulation is stopped no sample flows, so nothing is delivered:
 * the pong and stall checks must run on their own clock. */
static void
test_silent_client_stopped (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(TestWebsocket) good = NULL;
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  gint64 connected_us, dropped_us;

  /* a ping a second, 1.5 s for a pong */
  heart_server_set_ping_interval_s (f->server, 1, 1500 * test_slowdown ());
  tick (f, 3);
  good = test_websocket_new (f->session, f->port);
  silent = stalled_websocket_new (f->port, "/ws/heartbeat");
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2);
  connected_us = g_get_monotonic_time ();
  g_assert_false (heart_simulator_get_running (f->simulator));

  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 1);
  dropped_us = g_get_monotonic_time ();
  g_test_message ("silent client dropped %.2f s after connecting, simulation stopped",
                  (dropped_us - connected_us) / 1e6);
  /* the pong timeout, plus one check period, plus slack for a loaded machine */
  g_assert_cmpint (dropped_us - connected_us, <, (1500000 + 1500000) * (gint64) test_slowdown ());
  WAIT_FOR (drain_for_close (silent, seen, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));

  /* the one that answers stays, through several more pong timeouts */
  spin_ms (3500 * test_slowdown ());
  g_assert_false (good->closed);
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 1);
  g_assert_cmpuint (good->messages->len, ==, 1);  /* just the "connected" frame */
}

/* ---- bulk answers from the history (docs/api.md, History answers) ------- */

#define BULK_CLIENTS   50

/* AddressSanitizer keeps freed memory in quarantine (256 MB by default), so
 * the resident set says nothing there */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_MEANINGFUL 0
#endif
#endif
#ifndef RSS_MEANINGFUL
#define RSS_MEANINGFUL 1
#endif
#define BULK_WAIT_US   (90 * G_USEC_PER_SEC)

/* The process's resident set, in bytes */
static gint64
rss_bytes (void)
{
  g_autofree char *text = NULL;
  guint64 size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL));
  g_assert_cmpint (sscanf (text, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &size, &resident), ==, 2);
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

/* An HTTP/1.1 client on a raw socket, so the test decides when it reads.
 * The body is de-chunked into @body; an SSE client consumes it as it goes. */
typedef struct
{
  GSocket  *socket;
  GString  *in;         /* received, not yet de-chunked */
  GString  *body;
  gboolean  headers;    /* the status line and headers are consumed */
  gboolean  ended;      /* the last chunk came */
  gboolean  eof;
  gboolean  sse;
  guint64   next_id;    /* SSE: the id expected next */
  guint64   last_id;    /* SSE: the last replayed id wanted */
  guint     events;
} RawClient;

static void
raw_client_free (gpointer data)
{
  RawClient *client = data;

  g_socket_close (client->socket, NULL);
  g_object_unref (client->socket);
  g_string_free (client->in, TRUE);
  g_string_free (client->body, TRUE);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

static RawClient *
raw_client_new (guint       port,
                const char *path,
                const char *last_event_id,
                int         rcvbuf)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autofree char *request = NULL;
  RawClient *client = g_new0 (RawClient, 1);

  client->in = g_string_new (NULL);
  client->body = g_string_new (NULL);
  client->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* a small window, so that a client not reading shows at the server soon */
  g_socket_set_option (client->socket, SOL_SOCKET, SO_RCVBUF, rcvbuf, &error);
  g_assert_no_error (error);
  g_socket_connect (client->socket, address, NULL, &error);
  g_assert_no_error (error);
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s\r\n", path,
                             last_event_id ? "Last-Event-ID: " : "",
                             last_event_id ? last_event_id : "",
                             last_event_id ? "\r\n" : "");
  g_socket_send (client->socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (client->socket, FALSE);
  return client;
}

/* Checks each complete event of an SSE body and drops it */
static void
raw_client_take_events (RawClient *client)
{
  gsize pos = 0;
  const char *end;

  while ((end = strstr (client->body->str + pos, "\n\n")) != NULL)
    {
      const char *block = client->body->str + pos;
      guint64 id;

      pos = end - client->body->str + 2;
      if (*block == ':')
        continue;  /* a comment */
      g_assert_true (g_str_has_prefix (block, "id: "));
      id = g_ascii_strtoull (block + 4, NULL, 10);
      if (client->next_id <= client->last_id)
        {
          g_autofree char *seq = g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT ",", id);
          const char *json = strstr (block, "\ndata: ");

          /* every replayed sample, in order */
          g_assert_cmpuint (id, ==, client->next_id);
          g_assert_nonnull (json);
          g_assert_true (g_str_has_prefix (json, "\ndata: {\"value\":"));
          g_assert_nonnull (g_strstr_len (json, end - json, seq));
          if (id % 97 == 0)
            {
              g_autofree char *text = g_strndup (json + 7, end - json - 7);
              g_autoptr(JsonNode) node = test_parse_json (text);

              g_assert_cmpint (test_json_int (node, "seq"), ==, (gint64) id);
            }
        }
      else
        g_assert_cmpuint (id, >=, client->next_id);
      client->next_id = id + 1;
      client->events++;
    }
  g_string_erase (client->body, 0, pos);
}

/* Reads what is there and de-chunks it */
static void
raw_client_read (RawClient *client)
{
  char buffer[65536];
  gsize pos = 0;
  gssize n;

  while ((n = g_socket_receive (client->socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (client->in, buffer, n);
  if (n == 0)
    client->eof = TRUE;

  if (!client->headers)
    {
      const char *end = strstr (client->in->str, "\r\n\r\n");
      g_autofree char *head = NULL;

      if (end == NULL)
        return;
      head = g_ascii_strdown (client->in->str, end - client->in->str);
      g_assert_true (g_str_has_prefix (head, "http/1.1 200"));
      g_assert_nonnull (strstr (head, "\r\ntransfer-encoding: chunked"));
      g_assert_nonnull (strstr (head, client->sse ? "\r\ncontent-type: text/event-stream"
                                                  : "\r\ncontent-type: application/json"));
      pos = end - client->in->str + 4;
      client->headers = TRUE;
    }

  while (!client->ended)
    {
      const char *line = client->in->str + pos;
      const char *crlf = strstr (line, "\r\n");
      guint64 size;

      if (crlf == NULL)
        break;
      size = g_ascii_strtoull (line, NULL, 16);
      if (pos + (crlf - line) + 2 + size + 2 > client->in->len)
        break;
      g_string_append_len (client->body, crlf + 2, size);
      g_assert_true (crlf[2 + size] == '\r' && crlf[3 + size] == '\n');
      pos += (crlf - line) + 2 + size + 2;
      client->ended = size == 0;
    }
  g_string_erase (client->in, 0, pos);
  if (client->sse)
    raw_client_take_events (client);
}

static gboolean
raw_clients_done (GPtrArray *clients)
{
  gboolean done = TRUE;

  for (guint i = 0; i < clients->len; i++)
    {
      RawClient *client = clients->pdata[i];

      raw_client_read (client);
      if (client->sse ? client->next_id <= client->last_id : !client->ended)
        {
          g_assert_false (client->eof);
          done = FALSE;
        }
    }
  return done;
}

/* /api/history?limit=10000 as it stood at request time: seqs 1 … 10000 */
static void
check_full_history (RawClient *client)
{
  g_autoptr(JsonNode) root = test_parse_json (client->body->str);
  JsonObject *object = json_node_get_object (root);
  JsonArray *samples = json_object_get_array_member (object, "samples");

  g_assert_true (g_str_has_prefix (client->body->str, "{\"since\":0,\"limit\":10000,\"count\":10000,"));
  g_assert_cmpint (test_json_int (root, "count"), ==, HEART_HISTORY_DEFAULT_CAPACITY);
  g_assert_cmpint (test_json_int (root, "oldest_seq"), ==, 1);
  g_assert_cmpint (test_json_int (root, "latest_seq"), ==, HEART_HISTORY_DEFAULT_CAPACITY);
  g_assert_cmpuint (json_array_get_length (samples), ==, HEART_HISTORY_DEFAULT_CAPACITY);
  for (guint i = 0; i < HEART_HISTORY_DEFAULT_CAPACITY; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (samples, i), "seq"), ==, i + 1);
}

static void
raw_clients_set_rcvbuf_one (RawClient *client,
                            int        size)
{
  g_socket_set_option (client->socket, SOL_SOCKET, SO_RCVBUF, size, NULL);
}

static void
raw_clients_set_rcvbuf (GPtrArray *clients,
                        int        size)
{
  for (guint i = 0; i < clients->len; i++)
    raw_clients_set_rcvbuf_one (clients->pdata[i], size);
}

/* Many clients asking for the whole history at once, as SSE resumes from
 * Last-Event-ID: 1 and as /api/history?limit=10000, and not reading: the
 * server stays responsive and its memory bounded; then they read, and each
 * gets its whole answer as the history stood when it asked. */
static void
test_bulk_answers (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (raw_client_free);
  g_autoptr(JsonNode) warm = NULL;
  gint64 rss_before, rss_peak = 0, worst_us = 0, start_us;

  /* nothing here may be cut for being slow, however loaded the machine */
  heart_server_set_stall_timeout_ms (f->server, 60000);
  tick (f, HEART_HISTORY_DEFAULT_CAPACITY);
  warm = get_json (f, "/health", SOUP_STATUS_OK);
  rss_before = rss_bytes ();

  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < BULK_CLIENTS; i++)
    {
      RawClient *history = raw_client_new (f->port, "/api/history?limit=10000", NULL, 8192);
      RawClient *resume = raw_client_new (f->port, "/api/stream", "1", 8192);

      resume->sse = TRUE;
      resume->next_id = 2;
      resume->last_id = HEART_HISTORY_DEFAULT_CAPACITY;
      g_ptr_array_add (clients, history);
      g_ptr_array_add (clients, resume);
    }

  /* nobody reads; the history moves on meanwhile (the oldest samples the
   * answers owe leave the ring); /health answers at once throughout */
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(TestReply) health = NULL;
      gint64 asked_us = g_get_monotonic_time ();

      health = test_request (f->session, SOUP_METHOD_GET, f->port, "/health", NULL);
      g_assert_cmpuint (test_reply_status (health), ==, SOUP_STATUS_OK);
      worst_us = MAX (worst_us, g_get_monotonic_time () - asked_us);
      rss_peak = MAX (rss_peak, rss_bytes ());
      tick (f, 5);
      spin_ms (20);
    }
  g_test_message ("%u clients not reading: worst /health %.1f ms, RSS %+.1f MB (%.1f -> %.1f MB)",
                  clients->len, worst_us / 1e3, (rss_peak - rss_before) / 1e6,
                  rss_before / 1e6, rss_peak / 1e6);
  g_assert_cmpint (worst_us, <, 50000);
  /* 30 MB: the old server held ~2 MB per answer (~200 MB here); the sliced
   * one holds at most the in-flight slices, a few MB */
  if (RSS_MEANINGFUL)
    g_assert_cmpint (rss_peak - rss_before, <, 30 * 1000 * 1000);
  else
    g_test_message ("under AddressSanitizer: the resident set is not checked");

  /* now they read, with a bigger window */
  raw_clients_set_rcvbuf (clients, 256 * 1024);
  {
    gint64 deadline = g_get_monotonic_time () + BULK_WAIT_US;
    guint wake = g_timeout_add (5, test_keep_waking, NULL);

    while (!raw_clients_done (clients))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    g_source_remove (wake);
  }
  g_test_message ("all answers read %.1f s after the requests", (g_get_monotonic_time () - start_us) / 1e6);

  for (guint i = 0; i < clients->len; i++)
    {
      RawClient *client = clients->pdata[i];

      if (client->sse)
        g_assert_cmpuint (client->events, >=, HEART_HISTORY_DEFAULT_CAPACITY - 1);
      else
        check_full_history (client);
    }
}

/* Answers hold the history as it was when they were asked for, while the
 * ring moves on; one that falls a whole history behind is cut. */
static void
test_history_turnover (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RawClient) slowest = NULL;
  g_autoptr(RawClient) later = NULL;
  g_autoptr(RawClient) later_sse = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *samples;

  heart_server_set_stall_timeout_ms (f->server, 60000);
  tick (f, HEART_HISTORY_DEFAULT_CAPACITY);
  slowest = raw_client_new (f->port, "/api/stream", "1", 4096);
  slowest->sse = TRUE;
  slowest->next_id = 2;
  slowest->last_id = HEART_HISTORY_DEFAULT_CAPACITY;
  spin_ms (100);

  /* the ring turns over once: the slowest one's samples live on for it */
  tick (f, HEART_HISTORY_DEFAULT_CAPACITY);
  later = raw_client_new (f->port, "/api/history?limit=10000", NULL, 4096);
  /* from the history as it is now, not from what is kept for the slowest */
  later_sse = raw_client_new (f->port, "/api/stream", "1", 4096);
  later_sse->sse = TRUE;
  later_sse->next_id = HEART_HISTORY_DEFAULT_CAPACITY + 1;
  later_sse->last_id = 2 * HEART_HISTORY_DEFAULT_CAPACITY;
  spin_ms (100);
  g_assert_cmpuint (heart_server_get_sse_clients (f->server), ==, 2);

  /* more, and keeping both answers whole would take more than another
   * history's worth (each has a few slices out): the slowest goes */
  tick (f, 3000);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 1);
  WAIT_FOR ((raw_client_read (slowest), slowest->eof));
  g_assert_cmpuint (slowest->next_id, >, 2);
  g_assert_cmpuint (slowest->next_id, <=, HEART_HISTORY_DEFAULT_CAPACITY);

  /* the later ones are whole: seqs 10001 … 20000, as when they asked */
  raw_clients_set_rcvbuf_one (later, 256 * 1024);
  raw_clients_set_rcvbuf_one (later_sse, 256 * 1024);
  WAIT_FOR ((raw_client_read (later), raw_client_read (later_sse),
             later->ended && later_sse->next_id > later_sse->last_id));
  root = test_parse_json (later->body->str);
  samples = json_object_get_array_member (json_node_get_object (root), "samples");
  g_assert_cmpint (test_json_int (root, "count"), ==, HEART_HISTORY_DEFAULT_CAPACITY);
  g_assert_cmpint (test_json_int (root, "oldest_seq"), ==, HEART_HISTORY_DEFAULT_CAPACITY + 1);
  g_assert_cmpint (test_json_int (root, "latest_seq"), ==, 2 * HEART_HISTORY_DEFAULT_CAPACITY);
  g_assert_cmpuint (json_array_get_length (samples), ==, HEART_HISTORY_DEFAULT_CAPACITY);
  for (guint i = 0; i < HEART_HISTORY_DEFAULT_CAPACITY; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (samples, i), "seq"),
                     ==, HEART_HISTORY_DEFAULT_CAPACITY + 1 + i);
}

/* A history client that stops reading is cut after the stall timeout; one
 * that hangs up mid-answer is forgotten; the others are served meanwhile. */
static void
test_history_stalled (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RawClient) stalled = NULL;
  g_autoptr(RawClient) leaving = NULL;
  g_autoptr(TestReply) reply = NULL;
  g_autoptr(JsonNode) page = NULL;

  heart_server_set_stall_timeout_ms (f->server, 300);
  tick (f, HEART_HISTORY_DEFAULT_CAPACITY);
  stalled = raw_client_new (f->port, "/api/history?limit=10000", NULL, 4096);
  leaving = raw_client_new (f->port, "/api/history?limit=10000", NULL, 4096);
  spin_ms (50);
  g_socket_close (leaving->socket, NULL);

  /* a reading client gets its whole answer */
  reply = test_request (f->session, SOUP_METHOD_GET, f->port, "/api/history?since=5000&limit=10000", NULL);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (test_reply_header (reply, "Cache-Control"), ==, "no-store");
  page = test_reply_json (reply);
  g_assert_cmpint (test_json_int (page, "count"), ==, 5000);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (page), "samples")),
                    ==, 5000);

  /* the stalled one, reading again long after the stall timeout, finds
   * its connection ended before its answer did */
  spin_ms (1500);
  WAIT_FOR ((raw_client_read (stalled), stalled->eof));
  g_assert_true (stalled->headers);
  g_assert_false (stalled->ended);
}

/* ---- listening, token, limits ------------------------------------------- */

/* ---- the day: GET /api/day ------------------------------------------------- */

static JsonArray *
day_buckets (JsonNode *day)
{
  return json_object_get_array_member (json_node_get_object (day), "buckets");
}

static JsonObject *
day_totals (JsonNode *day)
{
  return json_object_get_object_member (json_node_get_object (day), "totals");
}

static gint64
day_steps (JsonArray *buckets)
{
  gint64 steps = 0;

  for (guint i = 0; i < json_array_get_length (buckets); i++)
    steps += json_object_get_int_member (json_array_get_object_element (buckets, i), "steps");
  return steps;
}

static double
day_energy (JsonArray *buckets)
{
  double energy = 0;

  for (guint i = 0; i < json_array_get_length (buckets); i++)
    energy += json_object_get_double_member (json_array_get_object_element (buckets, i), "energy_kcal");
  return energy;
}

/* Minutes of simulation time, a tick every 0.5 s */
static void
live_minutes (Fixture *f,
              double   minutes)
{
  tick (f, (guint) (minutes * 120));
}

static gboolean
is_null_member (JsonObject *object,
                const char *member)
{
  return json_object_has_member (object, member) && json_object_get_null_member (object, member);
}

static void
test_day (Fixture       *f,
          gconstpointer  data)
{
  static const char *const sleep_members[] = {
    "in_bed_minutes", "asleep_minutes", "awake_minutes", "core_minutes", "deep_minutes", "rem_minutes",
  };
  g_autoptr(JsonNode) empty = get_json (f, "/api/day", SOUP_STATUS_OK);
  g_autoptr(JsonNode) day = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(GDateTime) first = g_date_time_new_from_unix_local (START_US / G_USEC_PER_SEC);
  g_autofree char *date = g_date_time_format (first, "%Y-%m-%d");
  g_autoptr(GDateTime) day_start = NULL;
  g_autoptr(GDateTime) local_start = NULL;
  g_autofree char *local_date = NULL;
  g_autoptr(TestReply) head = NULL;
  g_autoptr(TestReply) options = NULL;
  g_autoptr(TestReply) post = NULL;
  JsonObject *totals, *heart_rate, *sleep;
  JsonArray *buckets;

  /* before any sample: no day yet, nothing to say of the heart */
  g_assert_true (is_null_member (json_node_get_object (empty), "date"));
  g_assert_true (is_null_member (json_node_get_object (empty), "day_start"));
  g_assert_cmpuint (json_array_get_length (day_buckets (empty)), ==, 0);
  heart_rate = json_object_get_object_member (day_totals (empty), "heart_rate");
  g_assert_true (is_null_member (heart_rate, "low"));
  g_assert_true (is_null_member (heart_rate, "high"));
  g_assert_true (is_null_member (heart_rate, "mean"));
  g_assert_cmpint (json_object_get_int_member (day_totals (empty), "steps"), ==, 0);

  /* 75 s: ten-second buckets from t = 0 to 70, two of a minute */
  tick (f, 150);
  day = get_json (f, "/api/day", SOUP_STATUS_OK);

  /* the local day the samples are of, from its midnight */
  g_assert_cmpstr (test_json_string (day, "date"), ==, date);
  day_start = g_date_time_new_from_iso8601 (test_json_string (day, "day_start"), NULL);
  g_assert_nonnull (day_start);
  local_start = g_date_time_to_local (day_start);
  local_date = g_date_time_format (local_start, "%Y-%m-%d");
  g_assert_cmpstr (local_date, ==, date);
  g_assert_cmpint (g_date_time_get_hour (local_start), ==, 0);
  g_assert_cmpint (g_date_time_get_minute (local_start), ==, 0);
  g_assert_cmpint (g_date_time_get_utc_offset (local_start), ==, g_date_time_get_utc_offset (day_start));

  totals = day_totals (day);
  g_assert_cmpint (json_object_get_int_member (totals, "steps"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (totals, "active_minutes"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (totals, "energy_kcal"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (totals, "active_energy_kcal"), >=, 0);
  heart_rate = json_object_get_object_member (totals, "heart_rate");
  g_assert_cmpint (json_object_get_int_member (heart_rate, "low"), >=, 30);
  g_assert_cmpint (json_object_get_int_member (heart_rate, "low"), <=, json_object_get_int_member (heart_rate, "mean"));
  g_assert_cmpint (json_object_get_int_member (heart_rate, "mean"), <=, json_object_get_int_member (heart_rate, "high"));
  sleep = json_object_get_object_member (totals, "sleep");
  for (gsize i = 0; i < G_N_ELEMENTS (sleep_members); i++)
    g_assert_cmpfloat (json_object_get_double_member (sleep, sleep_members[i]), ==, 0);

  g_assert_cmpint (test_json_int (day, "resolution"), ==, 60);
  buckets = day_buckets (day);
  g_assert_cmpuint (json_array_get_length (buckets), ==, 2);
  for (guint i = 0; i < json_array_get_length (buckets); i++)
    {
      JsonObject *bucket = json_array_get_object_element (buckets, i);
      const char *timestamp = json_object_get_string_member (bucket, "timestamp");
      double mean = json_object_get_double_member (bucket, "heart_rate");

      g_assert_cmpint (json_object_get_int_member (bucket, "t"), ==, 60 * i);
      g_assert_cmpint (strlen (timestamp), ==, strlen ("2026-01-09T12:34:56.789Z"));
      g_assert_true (g_str_has_suffix (timestamp, "Z"));
      g_assert_cmpfloat (json_object_get_int_member (bucket, "heart_rate_low"), <=, mean);
      g_assert_cmpfloat (mean, <=, json_object_get_int_member (bucket, "heart_rate_high"));
      g_assert_cmpfloat (json_object_get_double_member (bucket, "stress"), >=, 0);
      g_assert_cmpfloat (json_object_get_double_member (bucket, "stress"), <=, 1);
      g_assert_cmpint (json_object_get_int_member (bucket, "steps"), ==, 0);
      g_assert_cmpfloat (json_object_get_double_member (bucket, "energy_kcal"), >, 0);
      g_assert_cmpstr (json_object_get_string_member (bucket, "activity"), ==, "rest");
      g_assert_cmpstr (json_object_get_string_member (bucket, "sleep_stage"), ==, "");
      g_assert_cmpstr (json_object_get_string_member (bucket, "condition"), ==, "");
      g_assert_true (json_node_get_value_type (json_object_get_member (bucket, "event")) == G_TYPE_BOOLEAN);
    }
  /* a bucket's timestamp is its first sample's */
  history = get_json (f, "/api/history?limit=1", SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buckets, 0), "timestamp"), ==,
                   json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (history), "samples"), 0), "timestamp"));

  /* HEAD, the preflight and other methods as on every reading route */
  head = test_request (f->session, SOUP_METHOD_HEAD, f->port, "/api/day", NULL);
  g_assert_cmpuint (test_reply_status (head), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (test_reply_header (head, "Content-Type"), ==, "application/json");
  g_assert_cmpuint (g_bytes_get_size (head->body), ==, 0);
  options = test_request (f->session, SOUP_METHOD_OPTIONS, f->port, "/api/day",
                          "Origin", "http://example.test", "Access-Control-Request-Method", "GET", NULL);
  g_assert_cmpuint (test_reply_status (options), ==, SOUP_STATUS_NO_CONTENT);
  g_assert_cmpstr (test_reply_header (options, "Allow"), ==, "GET, HEAD, OPTIONS");
  g_assert_cmpstr (test_reply_header (options, "Access-Control-Allow-Origin"), ==, "*");
  post = test_request (f->session, SOUP_METHOD_POST, f->port, "/api/day", NULL);
  g_assert_cmpuint (test_reply_status (post), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (test_reply_header (post, "Allow"), ==, "GET, HEAD, OPTIONS");
}

/* Ten minutes' walk, then two at rest: the totals are what the person did */
static void
test_day_walking (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) day = NULL;
  JsonObject *totals;
  JsonArray *buckets;
  guint walking = 0;
  guint length;
  gint64 steps;

  g_assert_true (heart_simulator_set_activity (f->simulator, "walking", NULL));
  live_minutes (f, 10);
  g_assert_true (heart_simulator_set_activity (f->simulator, "rest", NULL));
  live_minutes (f, 2);

  day = get_json (f, "/api/day?seconds=3600&resolution=10", SOUP_STATUS_OK);
  totals = day_totals (day);
  buckets = day_buckets (day);
  length = json_array_get_length (buckets);
  /* 12 minutes of ten-second buckets, t = 0 to 720, none left out */
  g_assert_cmpuint (length, ==, 73);

  steps = json_object_get_int_member (totals, "steps");
  /* a walk is about 100 steps a minute (docs/model.md, Activity) */
  g_assert_cmpint (steps, >, 500);
  g_assert_cmpint (steps, ==, day_steps (buckets));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (totals, "active_minutes"), 10.0, 0.1);
  g_assert_cmpfloat (json_object_get_double_member (totals, "active_energy_kcal"), >, 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (totals, "energy_kcal"), day_energy (buckets),
                                  0.05 + length * 0.005);

  for (guint i = 0; i < length; i++)
    {
      JsonObject *bucket = json_array_get_object_element (buckets, i);
      const char *activity = json_object_get_string_member (bucket, "activity");

      if (g_strcmp0 (activity, "walking") == 0)
        {
          walking++;
          /* the walk came first, and whole */
          g_assert_cmpuint (walking, ==, i + 1);
        }
      else
        g_assert_cmpstr (activity, ==, "rest");
    }
  g_assert_cmpuint (walking, >=, 59);
  g_assert_cmpuint (walking, <=, 61);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (buckets, 30), "steps"), >, 0);
}

/* Merged buckets keep what they merge: the same buckets, the same sums */
static void
test_day_resolution (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) fine = NULL;
  g_autoptr(JsonNode) minutes = NULL;
  g_autoptr(JsonNode) hour = NULL;
  g_autoptr(JsonNode) last_minute = NULL;
  JsonArray *fine_buckets, *minute_buckets, *hour_buckets, *last_buckets;
  guint fine_length, j = 0;

  g_assert_true (heart_simulator_set_activity (f->simulator, "walking", NULL));
  live_minutes (f, 5);
  g_assert_true (heart_simulator_set_activity (f->simulator, "rest", NULL));
  live_minutes (f, 3.5);

  fine = get_json (f, "/api/day?seconds=3600&resolution=10", SOUP_STATUS_OK);
  minutes = get_json (f, "/api/day?seconds=3600&resolution=60", SOUP_STATUS_OK);
  hour = get_json (f, "/api/day?seconds=3600&resolution=3600", SOUP_STATUS_OK);
  fine_buckets = day_buckets (fine);
  minute_buckets = day_buckets (minutes);
  hour_buckets = day_buckets (hour);
  fine_length = json_array_get_length (fine_buckets);
  g_assert_cmpint (test_json_int (minutes, "resolution"), ==, 60);

  /* 8.5 minutes, t = 0 to 510: 52 buckets of 10 s, 9 of a minute, one of an hour */
  g_assert_cmpuint (fine_length, ==, 52);
  g_assert_cmpuint (json_array_get_length (minute_buckets), ==, 9);
  g_assert_cmpuint (json_array_get_length (hour_buckets), ==, 1);
  g_assert_cmpint (day_steps (fine_buckets), >, 0);
  g_assert_cmpint (day_steps (minute_buckets), ==, day_steps (fine_buckets));
  g_assert_cmpint (day_steps (hour_buckets), ==, day_steps (fine_buckets));
  g_assert_cmpint (day_steps (fine_buckets), ==, json_object_get_int_member (day_totals (fine), "steps"));

  for (guint i = 0; i < json_array_get_length (minute_buckets); i++)
    {
      JsonObject *minute = json_array_get_object_element (minute_buckets, i);
      gint64 t = json_object_get_int_member (minute, "t");
      JsonObject *first = json_array_get_object_element (fine_buckets, j);
      JsonObject *last = NULL;
      gint64 low = G_MAXINT64, high = 0, steps = 0;
      double energy = 0, mean_low = G_MAXDOUBLE, mean_high = 0;
      guint n = 0;

      g_assert_cmpint (t, ==, 60 * i);
      for (; j < fine_length; j++, n++)
        {
          JsonObject *bucket = json_array_get_object_element (fine_buckets, j);
          double mean = json_object_get_double_member (bucket, "heart_rate");

          if (json_object_get_int_member (bucket, "t") / 60 * 60 != t)
            break;
          last = bucket;
          low = MIN (low, json_object_get_int_member (bucket, "heart_rate_low"));
          high = MAX (high, json_object_get_int_member (bucket, "heart_rate_high"));
          steps += json_object_get_int_member (bucket, "steps");
          energy += json_object_get_double_member (bucket, "energy_kcal");
          mean_low = MIN (mean_low, mean);
          mean_high = MAX (mean_high, mean);
        }
      g_assert_cmpuint (n, >, 0);
      g_assert_cmpint (json_object_get_int_member (minute, "heart_rate_low"), ==, low);
      g_assert_cmpint (json_object_get_int_member (minute, "heart_rate_high"), ==, high);
      g_assert_cmpint (json_object_get_int_member (minute, "steps"), ==, steps);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (minute, "energy_kcal"), energy, 0.005 * (n + 1));
      g_assert_cmpfloat (json_object_get_double_member (minute, "heart_rate"), >=, mean_low - 0.05);
      g_assert_cmpfloat (json_object_get_double_member (minute, "heart_rate"), <=, mean_high + 0.05);
      /* the first sample's time, the last bucket's labels */
      g_assert_cmpstr (json_object_get_string_member (minute, "timestamp"), ==,
                       json_object_get_string_member (first, "timestamp"));
      g_assert_cmpstr (json_object_get_string_member (minute, "activity"), ==,
                       json_object_get_string_member (last, "activity"));
    }
  g_assert_cmpuint (j, ==, fine_length);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (minute_buckets, 0), "activity"),
                   ==, "walking");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (minute_buckets, 8), "activity"),
                   ==, "rest");

  /* the last minute: the six newest buckets */
  last_minute = get_json (f, "/api/day?seconds=60&resolution=10", SOUP_STATUS_OK);
  last_buckets = day_buckets (last_minute);
  g_assert_cmpuint (json_array_get_length (last_buckets), ==, 6);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (last_buckets, 5), "t"), ==,
                   json_object_get_int_member (json_array_get_object_element (fine_buckets, fine_length - 1), "t"));
}

/* A simulator sends its activity only when it changes: a server made
 * during a walk still knows it */
static void
fixture_setup_walking (Fixture       *f,
                       gconstpointer  data)
{
  HeartSimulator *simulator = heart_simulator_new_manual (42, START_US);

  g_assert_true (heart_simulator_set_activity (simulator, "walking", NULL));
  heart_simulator_advance (simulator, 5);
  fixture_start (f, simulator, NULL, NULL);
}

static void
test_day_primed (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonNode) day = NULL;
  JsonArray *buckets;

  tick (f, 60);
  day = get_json (f, "/api/day?resolution=10", SOUP_STATUS_OK);
  buckets = day_buckets (day);
  g_assert_cmpuint (json_array_get_length (buckets), ==, 4);
  for (guint i = 0; i < json_array_get_length (buckets); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (buckets, i), "activity"),
                     ==, "walking");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (day_totals (day), "active_minutes"), 0.5, 0.05);
}

static void
fixture_setup_day_log (Fixture       *f,
                       gconstpointer  data)
{
  f->day_log = heart_day_log_new (NULL);
  fixture_start (f, heart_simulator_new_manual (42, START_US), NULL, NULL);
}

/* "day-log": the owner's log, not one of the server's */
static void
test_day_log_given (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(HeartDayLog) property = NULL;
  g_autoptr(JsonNode) day = NULL;
  HeartSample sample = { 0 };
  JsonObject *bucket;

  g_object_get (f->server, "day-log", &property, NULL);
  g_assert_true (property == f->day_log);

  /* the simulator's samples reach only a log that follows it */
  tick (f, 30);
  sample.timestamp_us = START_US;
  sample.t_s = 1234;
  sample.bpm = 99;
  heart_day_log_add_sample (f->day_log, &sample);

  day = get_json (f, "/api/day?resolution=10", SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (day_buckets (day)), ==, 1);
  bucket = json_array_get_object_element (day_buckets (day), 0);
  g_assert_cmpint (json_object_get_int_member (bucket, "t"), ==, 1230);
  g_assert_cmpfloat (json_object_get_double_member (bucket, "heart_rate"), ==, 99);
  /* no activity heard */
  g_assert_true (is_null_member (bucket, "activity"));
}

static void
test_port_in_use (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HeartServer) second = heart_server_new (f->simulator, f->history);
  g_autoptr(GError) error = NULL;

  heart_server_set_port (second, f->port);
  g_assert_false (heart_server_start (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "in use"));
  g_assert_false (heart_server_get_listening (second));
  /* the first one is unharmed */
  g_autoptr(JsonNode) health = get_json (f, "/health", SOUP_STATUS_OK);
}

static void
test_token (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestReply) none = NULL;
  g_autoptr(TestReply) wrong = NULL;
  g_autoptr(TestReply) right = NULL;
  g_autoptr(TestReply) read = NULL;
  g_autoptr(HeartServer) generated = NULL;
  g_autoptr(GError) error = NULL;

  fixture_start (f, heart_simulator_new_manual (1, START_US), "0.0.0.0", "s3cret");

  none = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/start", NULL);
  g_assert_cmpuint (test_reply_status (none), ==, SOUP_STATUS_UNAUTHORIZED);
  wrong = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/start",
                        "Authorization", "Bearer s3cre7", NULL);
  g_assert_cmpuint (test_reply_status (wrong), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_false (heart_simulator_get_running (f->simulator));

  right = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/start",
                        "Authorization", "Bearer s3cret", NULL);
  g_assert_cmpuint (test_reply_status (right), ==, SOUP_STATUS_OK);
  g_assert_true (heart_simulator_get_running (f->simulator));

  /* the person's settings need it too */
  for (guint i = 0; i < 4; i++)
    {
      const char *path = i % 2 ? "/simulation/random-events?events_per_hour=0" : "/simulation/stress-level?stress_level=0.5";
      g_autoptr(TestReply) reply = test_request (f->session, SOUP_METHOD_POST, f->port, path,
                                                 i < 2 ? NULL : "Authorization", "Bearer s3cret", NULL);

      g_assert_cmpuint (test_reply_status (reply), ==, i < 2 ? SOUP_STATUS_UNAUTHORIZED : SOUP_STATUS_OK);
      if (i < 2)
        {
          g_assert_cmpfloat (heart_simulator_get_stress_level (f->simulator), ==, 0.0);
          g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, HEART_EVENTS_PER_HOUR_DEFAULT);
        }
    }
  g_assert_cmpfloat (heart_simulator_get_stress_level (f->simulator), ==, 0.5);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 0.0);

  /* reading stays open */
  read = test_request (f->session, SOUP_METHOD_GET, f->port, "/heartbeat/current", NULL);
  g_assert_cmpuint (test_reply_status (read), ==, SOUP_STATUS_OK);

  /* no token given beyond loopback: one is generated */
  generated = heart_server_new (f->simulator, f->history);
  heart_server_set_port (generated, 0);
  heart_server_set_bind_address (generated, "0.0.0.0");
  heart_server_start (generated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (heart_server_get_token (generated)), >=, 32);
  heart_server_stop (generated);

  heart_simulator_stop (f->simulator);
  fixture_teardown (f, NULL);
}

static void
test_loopback_needs_no_token (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JsonNode) started = post_json (f, "/simulation/start", SOUP_STATUS_OK);

  g_assert_null (heart_server_get_token (f->server));
  heart_simulator_stop (f->simulator);
}

static void
test_limits (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *big_header = g_strnfill (20000, 'x');
  g_autoptr(TestReply) headers = test_request (f->session, SOUP_METHOD_GET, f->port, "/health",
                                               "X-Padding", big_header, NULL);
  g_autoptr(TestReply) body = NULL;
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/simulation/start", f->port);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, uri);
  g_autofree char *payload = g_strnfill (100000, 'y');
  g_autoptr(GBytes) bytes = g_bytes_new (payload, strlen (payload));
  g_autoptr(TestReply) reply = g_new0 (TestReply, 1);

  g_assert_cmpuint (test_reply_status (headers), ==, 431);

  soup_message_set_request_body_from_bytes (msg, "text/plain", bytes);
  reply->msg = g_object_ref (msg);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, reply);
  WAIT_FOR (reply->done);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_false (heart_simulator_get_running (f->simulator));
}

int
main (int    argc,
      char **argv)
{
  /* GIO's GNOME proxy module reads GSettings schemas, which the isolated
   * test dirs hide; these tests only talk to 127.0.0.1 */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/health", test_health);
  ADD ("/server/current", test_current);
  ADD ("/server/start-stop", test_start_stop);
  ADD ("/server/commands", test_commands);
  ADD ("/server/person-settings", test_person_settings);
  ADD ("/server/bad-input", test_bad_input);
  ADD ("/server/not-found-and-method", test_not_found_and_method);
  ADD ("/server/cors-preflight", test_cors_preflight);
  ADD ("/server/docs", test_docs);
  ADD ("/server/static-files", test_static_files);
  ADD ("/server/history", test_history);
  ADD ("/server/websocket", test_websocket);
  ADD ("/server/websocket-plain-get", test_websocket_plain_get);
  g_test_add_func ("/server/websocket-rate", test_websocket_rate);
  ADD ("/server/sse", test_sse);
  ADD ("/server/event-flag", test_event_flag);
  ADD ("/server/stalled-client", test_stalled_client);
  ADD ("/server/silent-client", test_silent_client);
  ADD ("/server/stalled-sse", test_stalled_sse);
  ADD ("/server/silent-client-stopped", test_silent_client_stopped);
  ADD ("/server/bulk-answers", test_bulk_answers);
  ADD ("/server/history-stalled", test_history_stalled);
  ADD ("/server/history-turnover", test_history_turnover);
  ADD ("/server/day", test_day);
  ADD ("/server/day-walking", test_day_walking);
  ADD ("/server/day-resolution", test_day_resolution);
  g_test_add ("/server/day-primed", Fixture, NULL, fixture_setup_walking, test_day_primed, fixture_teardown);
  g_test_add ("/server/day-log-given", Fixture, NULL, fixture_setup_day_log, test_day_log_given, fixture_teardown);
  ADD ("/server/port-in-use", test_port_in_use);
  g_test_add_func ("/server/token", test_token);
  ADD ("/server/loopback-needs-no-token", test_loopback_needs_no_token);
  ADD ("/server/limits", test_limits);
#undef ADD

  return g_test_run ();
}
