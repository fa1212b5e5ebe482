/* test-channels.c: the person's channels and scenarios over the network:
 * GET /api/channels, typed SSE and WebSocket streams, channel history and
 * /simulation/scenario, against a real SoupSession client (docs/api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "heart-channel.h"
#include "heart-history.h"
#include "heart-scenario-file.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "test-server-fixture.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */
#define SCENARIO_BODY_MAX (256 * 1024)

typedef struct
{
  HeartSimulator *simulator;
  HeartHistory   *history;
  HeartServer    *server;
  SoupSession    *session;
  guint           port;
  /* what the simulator emitted, per channel: the ground truth for "no loss" */
  guint           emitted[HEART_N_CHANNELS];
} Fixture;

static void
on_values (HeartSimulator          *simulator,
           const HeartChannelValue *values,
           guint                    n_values,
           Fixture                 *f)
{
  for (guint i = 0; i < n_values; i++)
    f->emitted[values[i].channel]++;
}

static void
fixture_start (Fixture        *f,
               HeartSimulator *simulator)
{
  f->simulator = simulator;
  g_signal_connect (f->simulator, "values", G_CALLBACK (on_values), f);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->simulator));
  f->server = heart_server_new (f->simulator, f->history);
  f->port = test_server_listen (f->server, &f->session);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_start (f, heart_simulator_new_manual (42, START_US));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_signal_handlers_disconnect_by_data (f->simulator, f);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* @n ticks of the manual clock, half a second each */
static void
tick (Fixture *f,
      guint    n)
{
  for (guint i = 0; i < n; i++)
    heart_simulator_advance (f->simulator, 0.5);
}

/* ---- requests ------------------------------------------------------------ */

/* @origin: NULL or the Origin header; @body: NULL or the request body */
static TestReply *
send_request (Fixture    *f,
              const char *method,
              const char *path,
              const char *origin,
              GBytes     *body)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", f->port, path);
  TestReply *reply = g_new0 (TestReply, 1);

  reply->msg = soup_message_new (method, uri);
  g_assert_nonnull (reply->msg);
  if (origin != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (reply->msg), "Origin", origin);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (reply->msg, "application/json", body);
  soup_session_send_and_read_async (f->session, reply->msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, reply);
  WAIT_FOR (reply->done);
  g_assert_no_error (reply->error);
  return reply;
}

static JsonNode *
request_json (Fixture    *f,
              const char *method,
              const char *path,
              guint       expected_status)
{
  g_autoptr(TestReply) reply = send_request (f, method, path, NULL, NULL);

  g_test_message ("%s %s", method, path);
  g_assert_cmpuint (test_reply_status (reply), ==, expected_status);
  return test_reply_json (reply);
}

#define get_json(f, path, status) request_json ((f), SOUP_METHOD_GET, (path), (status))
#define post_json(f, path, status) request_json ((f), SOUP_METHOD_POST, (path), (status))
#define delete_json(f, path, status) request_json ((f), SOUP_METHOD_DELETE, (path), (status))

/* The body of @reply as text, to compare answers byte for byte */
static char *
get_text (Fixture    *f,
          const char *path)
{
  g_autoptr(TestReply) reply = send_request (f, SOUP_METHOD_GET, path, NULL, NULL);

  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  return test_reply_text (reply);
}

/* A 422 whose one error is at [@location, @name] (@name NULL: [@location])
 * and of @type; returns that error's msg */
static char *
check_invalid (JsonNode   *body,
               const char *location,
               const char *name,
               const char *type)
{
  JsonArray *detail = json_object_get_array_member (json_node_get_object (body), "detail");
  JsonObject *item;
  JsonArray *loc;

  g_assert_cmpuint (json_array_get_length (detail), ==, 1);
  item = json_array_get_object_element (detail, 0);
  loc = json_object_get_array_member (item, "loc");
  g_assert_cmpuint (json_array_get_length (loc), ==, name != NULL ? 2 : 1);
  g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, location);
  if (name != NULL)
    g_assert_cmpstr (json_array_get_string_element (loc, 1), ==, name);
  g_assert_cmpstr (json_object_get_string_member (item, "type"), ==, type);
  g_assert_cmpuint (strlen (json_object_get_string_member (item, "msg")), >, 0);
  return g_strdup (json_object_get_string_member (item, "msg"));
}

static void
expect_invalid_query (Fixture    *f,
                      const char *method,
                      const char *path,
                      const char *name,
                      const char *type)
{
  g_autoptr(JsonNode) body = request_json (f, method, path, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_autofree char *msg = check_invalid (body, "query", name, type);
}

/* "2026-01-09T12:34:56.789Z" → µs since the epoch */
static gint64
iso_us (const char *text)
{
  g_autoptr(GDateTime) time = NULL;

  g_assert_cmpuint (strlen (text), ==, strlen ("2026-01-09T12:34:56.789Z"));
  g_assert_true (g_str_has_suffix (text, "Z"));
  time = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

static gboolean
has_exactly_members (JsonObject         *object,
                     const char * const *members)
{
  guint n = 0;

  for (; members[n] != NULL; n++)
    if (!json_object_has_member (object, members[n]))
      return FALSE;
  return json_object_get_size (object) == n;
}

/* ---- GET /api/channels --------------------------------------------------- */

static void
test_channel_list (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const members[] = { "name", "unit", "kind", "rate_hz", "min", "max", "description", NULL };
  g_autoptr(TestReply) reply = send_request (f, SOUP_METHOD_GET, "/api/channels", NULL, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *channels;

  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (test_reply_header (reply, "Access-Control-Allow-Origin"), ==, "*");
  root = test_reply_json (reply);
  channels = json_object_get_array_member (json_node_get_object (root), "channels");
  g_assert_nonnull (channels);
  g_assert_cmpuint (json_array_get_length (channels), ==, HEART_N_CHANNELS);

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *expected = heart_channel_get (c);
      JsonObject *channel = json_array_get_object_element (channels, c);
      JsonNode *rate = json_object_get_member (channel, "rate_hz");

      g_test_message ("channel %s", expected->name);
      g_assert_true (has_exactly_members (channel, members));
      g_assert_cmpstr (json_object_get_string_member (channel, "name"), ==, expected->name);
      g_assert_true (g_hash_table_add (seen, (gpointer) expected->name));
      g_assert_cmpstr (json_object_get_string_member (channel, "unit"), ==, expected->unit);
      g_assert_cmpstr (json_object_get_string_member (channel, "kind"), ==, heart_channel_kind_name (expected->kind));
      /* a waveform's is the simulation's rate, here the default */
      if (expected->kind == HEART_CHANNEL_KIND_PERIODIC || expected->kind == HEART_CHANNEL_KIND_WAVEFORM)
        {
          g_assert_true (JSON_NODE_HOLDS_VALUE (rate));
          g_assert_cmpfloat (json_node_get_double (rate), ==, expected->rate_hz);
          g_assert_cmpfloat (json_node_get_double (rate), >, 0);
        }
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (rate));
      g_assert_cmpfloat (json_object_get_double_member (channel, "min"), ==, expected->min);
      g_assert_cmpfloat (json_object_get_double_member (channel, "max"), ==, expected->max);
      g_assert_cmpfloat (expected->min, <=, expected->max);
      g_assert_cmpstr (json_object_get_string_member (channel, "description"), ==, expected->description);
      g_assert_cmpuint (strlen (expected->description), >, 0);
    }

  /* the rates docs/model.md gives, as a client sizes its buffers by them */
  {
    static const struct { const char *name; double rate_hz; } rates[] = {
      { "heart_rate", 1 }, { "hrv_rmssd", 1 }, { "stress_level", 1 }, { "respiratory_rate", 1 },
      { "respiration", 25 }, { "eda", 4 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (rates); i++)
      {
        const HeartChannel *channel = heart_channel_lookup (rates[i].name);

        g_assert_nonnull (channel);
        g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (channels, channel->id),
                                                          "rate_hz"), ==, rates[i].rate_hz);
      }
  }
}

/* ---- typed Server-Sent Events --------------------------------------------- */

static TestSse *
sse_send (Fixture    *f,
          const char *path,
          guint      *status,
          char      **content_type)
{
  return test_sse_send (f->session, f->port, path, NULL, status, content_type);
}

static TestSse *
sse_open (Fixture    *f,
          const char *path)
{
  g_autofree char *content_type = NULL;
  guint status = 0;
  TestSse *sse = sse_send (f, path, &status, &content_type);

  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (content_type, ==, "text/event-stream");
  return sse;
}


/* The complete events of a typed stream of periodic channels, parsed
 * (JsonNode); each is checked to be one "data:" line in Bio Mock's shape,
 * {"value":…,"timestamp":…,"type":…,"condition":…} (no "label": that is
 * for events), with no id (a typed stream does not resume, docs/api.md) */
static GPtrArray *
typed_events (TestSse *sse)
{
  static const char * const members[] = { "value", "timestamp", "type", "condition", NULL };
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) blocks = g_strsplit (sse->text->str, "\n\n", -1);

  /* the last block is incomplete (or empty) */
  for (guint i = 0; blocks[i] != NULL && blocks[i + 1] != NULL; i++)
    {
      JsonNode *event;

      if (g_str_has_prefix (blocks[i], ":"))
        continue;  /* a comment: keep-alive */
      g_assert_null (strchr (blocks[i], '\n'));
      g_assert_true (g_str_has_prefix (blocks[i], "data: {\"value\":"));
      event = test_parse_json (blocks[i] + strlen ("data: "));
      g_assert_true (has_exactly_members (json_node_get_object (event), members));
      g_ptr_array_add (events, event);
    }
  return events;
}

static guint
typed_event_count (TestSse *sse)
{
  g_autoptr(GPtrArray) events = typed_events (sse);

  return events->len;
}

/* The seed's events: "id: N" then "data: {…heart_rate…}"; returns their ids */
static GArray *
seed_events (TestSse *sse)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_auto(GStrv) blocks = g_strsplit (sse->text->str, "\n\n", -1);

  for (guint i = 0; blocks[i] != NULL && blocks[i + 1] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (blocks[i], "\n", -1);
      g_autoptr(JsonNode) data = NULL;
      guint64 id;

      if (g_str_has_prefix (lines[0], ":"))
        continue;
      g_assert_cmpuint (g_strv_length (lines), ==, 2);
      g_assert_true (g_str_has_prefix (lines[0], "id: "));
      g_assert_true (g_str_has_prefix (lines[1], "data: {\"value\":"));
      id = g_ascii_strtoull (lines[0] + 4, NULL, 10);
      data = test_parse_json (lines[1] + 6);
      g_assert_cmpstr (test_json_string (data, "type"), ==, "heart_rate");
      g_assert_cmpint (test_json_int (data, "seq"), ==, (gint64) id);
      g_assert_cmpint (test_json_int (data, "value"), >, 20);
      g_array_append_val (ids, id);
    }
  return ids;
}

static guint
seed_event_count (TestSse *sse)
{
  g_autoptr(GArray) ids = seed_events (sse);

  return ids->len;
}

typedef struct
{
  guint  n;
  gint64 first_us;
  gint64 last_us;
} ChannelSpan;

/* Per channel: how many events, and the simulated time their timestamps
 * cover; checks each channel's timestamps are in order and its values in
 * its range */
static void
typed_spans (TestSse     *sse,
             ChannelSpan *spans)
{
  g_autoptr(GPtrArray) events = typed_events (sse);

  memset (spans, 0, sizeof (ChannelSpan) * HEART_N_CHANNELS);
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = json_node_get_object (events->pdata[i]);
      const HeartChannel *channel = heart_channel_lookup (json_object_get_string_member (event, "type"));
      gint64 us = iso_us (json_object_get_string_member (event, "timestamp"));
      double value = json_object_get_double_member (event, "value");
      ChannelSpan *span;

      g_assert_nonnull (channel);
      span = &spans[channel->id];
      g_assert_cmpfloat (value, >=, channel->min);
      g_assert_cmpfloat (value, <=, channel->max);
      g_assert_cmpstr (json_object_get_string_member (event, "condition"), ==, "");
      if (span->n == 0)
        span->first_us = us;
      else
        g_assert_cmpint (us, >, span->last_us);
      span->last_us = us;
      span->n++;
    }
}

static guint
typed_count (TestSse        *sse,
             HeartChannelId  channel)
{
  ChannelSpan spans[HEART_N_CHANNELS];

  typed_spans (sse, spans);
  return spans[channel].n;
}

/* A live simulator at 10 Hz, speed 1: eda comes at 4 values and
 * respiratory_rate at 1 value a simulated second, nothing else; a seed
 * client beside it gets the seed's events, unchanged */
static void
test_sse_typed (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestSse) typed = NULL;
  g_autoptr(TestSse) seed = NULL;
  g_autoptr(GArray) ids = NULL;
  ChannelSpan spans[HEART_N_CHANNELS];
  double eda_s, rr_s, eda_rate, rr_rate;

  fixture_start (f, heart_simulator_new (7));
  heart_simulator_set_interval_ms (f->simulator, 100, NULL);
  heart_simulator_set_speed (f->simulator, 1, NULL);
  heart_server_set_sse_interval_ms (f->server, 200);

  typed = sse_open (f, "/api/stream?types=eda,respiratory_rate");
  seed = sse_open (f, "/api/stream");
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 2);
  heart_simulator_start (f->simulator);

  /* 4 respiratory_rate values span 3 s */
  WAIT_FOR (typed_count (typed, HEART_CHANNEL_RESPIRATORY_RATE) >= 4 && seed_event_count (seed) >= 3);
  heart_simulator_stop (f->simulator);

  typed_spans (typed, spans);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (c != HEART_CHANNEL_EDA && c != HEART_CHANNEL_RESPIRATORY_RATE)
      g_assert_cmpuint (spans[c].n, ==, 0);
  g_assert_cmpuint (spans[HEART_CHANNEL_EDA].n, >=, 8);
  eda_s = (spans[HEART_CHANNEL_EDA].last_us - spans[HEART_CHANNEL_EDA].first_us) / 1e6;
  rr_s = (spans[HEART_CHANNEL_RESPIRATORY_RATE].last_us - spans[HEART_CHANNEL_RESPIRATORY_RATE].first_us) / 1e6;
  eda_rate = (spans[HEART_CHANNEL_EDA].n - 1) / eda_s;
  rr_rate = (spans[HEART_CHANNEL_RESPIRATORY_RATE].n - 1) / rr_s;
  g_test_message ("eda: %u events over %.2f s (%.2f Hz); respiratory_rate: %u over %.2f s (%.2f Hz)",
                  spans[HEART_CHANNEL_EDA].n, eda_s, eda_rate,
                  spans[HEART_CHANNEL_RESPIRATORY_RATE].n, rr_s, rr_rate);
  /* evenly sampled in simulated time; a late tick shifts a timestamp by
   * its lateness, so some slack */
  g_assert_cmpfloat (fabs (eda_rate - 4.0), <, 0.6);
  g_assert_cmpfloat (fabs (rr_rate - 1.0), <, 0.2);

  /* the seed's stream beside it: heart_rate events with ids, in order */
  ids = seed_events (seed);
  for (guint i = 1; i < ids->len; i++)
    g_assert_cmpuint (g_array_index (ids, guint64, i), >, g_array_index (ids, guint64, i - 1));

  g_clear_pointer (&typed, test_sse_free);
  g_clear_pointer (&seed, test_sse_free);
  fixture_teardown (f, NULL);
}

/* A stream refused with a 422 at [query, types]; read as a stream, so that
 * a stream given instead fails at once */
static void
expect_stream_refused (Fixture    *f,
                       const char *path)
{
  g_autofree char *content_type = NULL;
  g_autoptr(TestSse) sse = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *msg = NULL;
  guint status = 0;

  g_test_message ("GET %s", path);
  sse = sse_send (f, path, &status, &content_type);
  g_assert_cmpuint (status, ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpstr (content_type, ==, "application/json");
  WAIT_FOR (sse->eof);
  g_assert_no_error (sse->error);
  body = test_parse_json (sse->text->str);
  msg = check_invalid (body, "query", "types", "value_error");
}

/* At the default 2 Hz a tick makes two eda values and a dozen respiration
 * values: each is stamped when it was made in simulated time (a quarter
 * second apart for eda), not all with the time of their tick */
static void
test_sse_typed_timestamps (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestSse) typed = NULL;
  g_autoptr(GPtrArray) events = NULL;
  gint64 previous_us = 0;
  guint n = 0, same = 0;

  fixture_start (f, heart_simulator_new (11));
  g_assert_cmpuint (heart_simulator_get_interval_ms (f->simulator), ==, HEART_INTERVAL_DEFAULT_MS);
  typed = sse_open (f, "/api/stream?types=eda");
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 1);
  heart_simulator_start (f->simulator);
  WAIT_FOR (typed_event_count (typed) >= 8);
  heart_simulator_stop (f->simulator);
  events = typed_events (typed);

  for (guint i = 0; i < events->len; i++)
    {
      gint64 us = iso_us (test_json_string (events->pdata[i], "timestamp"));

      if (i > 0)
        {
          g_test_message ("eda %u: %+.3f s", i, (us - previous_us) / 1e6);
          same += us == previous_us;
        }
      previous_us = us;
      n++;
    }
  if (same > 0)
    {
      /* src/model/heart-simulator.c, timestamp_at(): a live simulator
       * stamps every value and beat of a tick with the tick's wall time */
      g_test_incomplete ("values of one tick share its timestamp");
    }
  else
    {
      g_autoptr(GPtrArray) again = typed_events (typed);

      for (guint i = 1; i < again->len; i++)
        {
          gint64 gap = iso_us (test_json_string (again->pdata[i], "timestamp")) -
                       iso_us (test_json_string (again->pdata[i - 1], "timestamp"));

          /* a quarter second of simulated time at speed 1; a late tick
           * moves its values by its lateness */
          g_assert_cmpint (gap, >, 150000);
          g_assert_cmpint (gap, <, 350000);
        }
    }
  g_clear_pointer (&typed, test_sse_free);
  fixture_teardown (f, NULL);
}

static void
test_sse_typed_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(TestSse) seed = NULL;
  g_autoptr(GArray) ids = NULL;

  tick (f, 2);
  expect_stream_refused (f, "/api/stream?types=bogus");
  expect_stream_refused (f, "/api/stream?types=eda,bogus");
  expect_stream_refused (f, "/api/stream?types=");
  g_assert_cmpuint (heart_server_get_sse_clients (f->server), ==, 0);

  /* no types: the seed's stream, from the latest sample on */
  heart_server_set_sse_interval_ms (f->server, 20);
  seed = sse_open (f, "/api/stream");
  WAIT_FOR (seed_event_count (seed) == 1);
  tick (f, 1);
  WAIT_FOR (seed_event_count (seed) == 2);
  ids = seed_events (seed);
  g_assert_cmpuint (g_array_index (ids, guint64, 0), ==, 2);
  g_assert_cmpuint (g_array_index (ids, guint64, 1), ==, 3);
  g_assert_null (strstr (seed->text->str, "\"type\":\"eda\""));
}

/* ---- typed WebSocket ------------------------------------------------------ */

static TestWebsocket *
websocket_open (Fixture    *f,
                const char *path)
{
  return test_websocket_open (f->session, f->port, path);
}

/* A genuine upgrade request refused before the upgrade: the answer is a
 * 422 naming [query, types] */
static void
expect_upgrade_refused (Fixture    *f,
                        const char *path)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", f->port, path);
  g_autoptr(TestReply) reply = g_new0 (TestReply, 1);
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *msg = NULL;
  g_autoptr(TestWebsocket) ws = g_new0 (TestWebsocket, 1);
  g_autoptr(SoupMessage) upgrade = NULL;

  g_test_message ("upgrade %s", path);
  reply->msg = soup_message_new (SOUP_METHOD_GET, uri);
  soup_websocket_client_prepare_handshake (reply->msg, NULL, NULL, NULL);
  soup_session_send_and_read_async (f->session, reply->msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, reply);
  WAIT_FOR (reply->done);
  g_assert_no_error (reply->error);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  body = test_reply_json (reply);
  msg = check_invalid (body, "query", "types", "value_error");

  /* and libsoup's own client is refused the same way */
  g_free (uri);
  uri = g_strdup_printf ("ws://127.0.0.1:%u%s", f->port, path);
  upgrade = soup_message_new (SOUP_METHOD_GET, uri);
  ws->messages = g_ptr_array_new_with_free_func (g_free);
  soup_session_websocket_connect_async (f->session, upgrade, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        test_websocket_connected, ws);
  WAIT_FOR (ws->connected);
  g_assert_nonnull (ws->error);
  g_assert_null (ws->connection);
  g_assert_cmpuint (soup_message_get_status (upgrade), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 0);
}

typedef struct
{
  guint  frames;         /* respiration batches */
  guint  values;         /* their values, together */
  gint64 first_t0_us;
  gint64 next_t0_us;     /* where the next batch must start */
  guint  beats;          /* rr_interval frames */
  gint64 last_beat_us;
} WsTally;

/* Checks every frame after "connected" and adds them up */
static void
tally_frames (TestWebsocket *ws,
              WsTally       *tally)
{
  static const char * const batch_members[] = { "type", "t0", "fs", "condition", "values", NULL };
  static const char * const value_members[] = { "value", "timestamp", "type", "condition", NULL };
  const HeartChannel *respiration = heart_channel_get (HEART_CHANNEL_RESPIRATION);

  memset (tally, 0, sizeof *tally);
  for (guint i = 1; i < ws->messages->len; i++)
    {
      g_autoptr(JsonNode) node = test_parse_json (ws->messages->pdata[i]);
      JsonObject *frame = json_node_get_object (node);
      const char *type = json_object_get_string_member (frame, "type");

      if (g_str_equal (type, "respiration"))
        {
          JsonArray *values = json_object_get_array_member (frame, "values");
          gint64 t0 = iso_us (json_object_get_string_member (frame, "t0"));
          guint n = json_array_get_length (values);

          g_assert_true (has_exactly_members (frame, batch_members));
          g_assert_cmpfloat (json_object_get_double_member (frame, "fs"), ==, 25);
          g_assert_cmpstr (json_object_get_string_member (frame, "condition"), ==, "");
          g_assert_cmpuint (n, >, 0);
          for (guint k = 0; k < n; k++)
            {
              double value = json_array_get_double_element (values, k);

              g_assert_cmpfloat (value, >=, respiration->min);
              g_assert_cmpfloat (value, <=, respiration->max);
            }
          if (tally->frames == 0)
            tally->first_t0_us = t0;
          else
            {
              /* strictly after the last batch, and just where its values
               * ended: a value lost or repeated moves t0 by 40 ms */
              g_assert_cmpint (t0, >, tally->next_t0_us - 40000);
              g_assert_cmpint (llabs (t0 - tally->next_t0_us), <=, 1000);
            }
          tally->next_t0_us = t0 + (gint64) n * G_USEC_PER_SEC / 25;
          tally->frames++;
          tally->values += n;
        }
      else if (g_str_equal (type, "rr_interval"))
        {
          gint64 us = iso_us (json_object_get_string_member (frame, "timestamp"));
          double ms = json_object_get_double_member (frame, "value");

          g_assert_true (has_exactly_members (frame, value_members));
          g_assert_true (g_str_has_prefix (ws->messages->pdata[i], "{\"value\":"));
          g_assert_cmpfloat (ms, >=, 270);
          g_assert_cmpfloat (ms, <=, 2000);
          if (tally->beats > 0)
            {
              g_assert_cmpint (us, >, tally->last_beat_us);
              /* one beat after the other: the gap is about the interval */
              g_assert_cmpfloat (fabs ((us - tally->last_beat_us) / 1e3 - ms), <, 1.0);
            }
          tally->last_beat_us = us;
          tally->beats++;
        }
      else
        g_error ("a frame of a channel not asked for: %s", (char *) ws->messages->pdata[i]);
    }
}

static guint
tally_total (TestWebsocket *ws)
{
  WsTally tally;

  tally_frames (ws, &tally);
  return tally.values + tally.beats;
}

static void
test_websocket_typed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(TestWebsocket) seed = NULL;
  g_autoptr(JsonNode) hello = NULL;
  JsonArray *channels;
  WsTally tally;
  guint before_resp, before_rr;
  double covered_s;

  tick (f, 3);
  ws = websocket_open (f, "/ws/stream?types=respiration,rr_interval");
  seed = websocket_open (f, "/ws/heartbeat");
  WAIT_FOR (ws->messages->len == 1 && seed->messages->len == 1);
  hello = test_parse_json (ws->messages->pdata[0]);
  g_assert_cmpstr (test_json_string (hello, "type"), ==, "connected");
  channels = json_object_get_array_member (json_node_get_object (hello), "channels");
  g_assert_nonnull (channels);
  g_assert_cmpuint (json_array_get_length (channels), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (channels, 0), ==, "rr_interval");
  g_assert_cmpstr (json_array_get_string_element (channels, 1), ==, "respiration");
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 2);

  /* from the next tick on: 20 s of simulated time */
  before_resp = f->emitted[HEART_CHANNEL_RESPIRATION];
  before_rr = f->emitted[HEART_CHANNEL_RR_INTERVAL];
  tick (f, 40);
  WAIT_FOR (tally_total (ws) >= f->emitted[HEART_CHANNEL_RESPIRATION] - before_resp +
                                f->emitted[HEART_CHANNEL_RR_INTERVAL] - before_rr);
  WAIT_FOR (seed->messages->len == 41);

  tally_frames (ws, &tally);
  covered_s = (tally.next_t0_us - tally.first_t0_us) / 1e6;
  g_test_message ("respiration: %u values in %u batches covering %.2f s; %u beats",
                  tally.values, tally.frames, covered_s, tally.beats);
  /* every value the simulator made, once */
  g_assert_cmpuint (tally.values, ==, f->emitted[HEART_CHANNEL_RESPIRATION] - before_resp);
  g_assert_cmpuint (tally.beats, ==, f->emitted[HEART_CHANNEL_RR_INTERVAL] - before_rr);
  /* one batch a tick, 25 values a simulated second */
  g_assert_cmpuint (tally.frames, ==, 40);
  g_assert_cmpfloat (fabs (covered_s - 20.0), <=, 0.04);
  g_assert_cmpuint (tally.values, >=, 499);
  g_assert_cmpuint (tally.values, <=, 501);
  /* a resting heart: 20 s hold some 15 to 40 beats */
  g_assert_cmpuint (tally.beats, >=, 15);
  g_assert_cmpuint (tally.beats, <=, 40);
  /* the seed's client beside it got its sample frames only */
  for (guint i = 1; i < seed->messages->len; i++)
    {
      g_autoptr(JsonNode) sample = test_parse_json (seed->messages->pdata[i]);

      g_assert_cmpstr (test_json_string (sample, "type"), ==, "heartbeat");
      g_assert_cmpint (test_json_int (sample, "seq"), ==, 3 + i);
    }
}

static void
test_websocket_typed_refused (Fixture       *f,
                              gconstpointer  data)
{
  tick (f, 2);
  expect_upgrade_refused (f, "/ws/stream?types=nope");
  expect_upgrade_refused (f, "/ws/stream?types=eda,nope");
  expect_upgrade_refused (f, "/ws/stream");
  expect_upgrade_refused (f, "/ws/stream?types=");
}

/* ---- channel history ------------------------------------------------------ */

/* The values of one page, checked: seqs contiguous from the first, ISO
 * timestamps a period apart; returns the page */
static JsonNode *
history_page (Fixture    *f,
              const char *type,
              guint64     since,
              guint       limit)
{
  g_autofree char *path = g_strdup_printf ("/api/history?type=%s&since=%" G_GUINT64_FORMAT "&limit=%u",
                                           type, since, limit);
  static const char * const members[] = { "type", "since", "limit", "count", "oldest_seq", "latest_seq",
                                          "values", NULL };
  static const char * const value_members[] = { "seq", "value", "timestamp", NULL };
  JsonNode *page = get_json (f, path, SOUP_STATUS_OK);
  JsonObject *object = json_node_get_object (page);
  JsonArray *values;
  const HeartChannel *channel = heart_channel_lookup (type);
  gint64 period_us = (gint64) llround (G_USEC_PER_SEC / channel->rate_hz);

  g_assert_true (has_exactly_members (object, members));
  values = json_object_get_array_member (object, "values");
  g_assert_cmpstr (test_json_string (page, "type"), ==, type);
  g_assert_cmpint (test_json_int (page, "since"), ==, (gint64) since);
  g_assert_cmpint (test_json_int (page, "limit"), ==, limit);
  g_assert_cmpint (test_json_int (page, "count"), ==, json_array_get_length (values));
  g_assert_cmpuint (json_array_get_length (values), <=, limit);
  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonObject *value = json_array_get_object_element (values, i);

      g_assert_true (has_exactly_members (value, value_members));
      g_assert_cmpfloat (json_object_get_double_member (value, "value"), >=, channel->min);
      g_assert_cmpfloat (json_object_get_double_member (value, "value"), <=, channel->max);
      if (i > 0)
        {
          JsonObject *previous = json_array_get_object_element (values, i - 1);

          g_assert_cmpint (json_object_get_int_member (value, "seq"), ==,
                           json_object_get_int_member (previous, "seq") + 1);
          g_assert_cmpint (llabs (iso_us (json_object_get_string_member (value, "timestamp")) -
                                  iso_us (json_object_get_string_member (previous, "timestamp")) - period_us),
                           <=, 1000);
        }
    }
  return page;
}

static gint64
page_seq (JsonNode *page,
          guint     index)
{
  JsonArray *values = json_object_get_array_member (json_node_get_object (page), "values");

  return json_object_get_int_member (json_array_get_object_element (values, index), "seq");
}

/* Pages through @type with @limit from since=0 to the end: every value
 * from oldest_seq to latest_seq once, in order; returns how many */
static guint
page_through (Fixture    *f,
              const char *type,
              guint       limit)
{
  guint64 since = 0, oldest = 0, latest = 0;
  guint total = 0;

  for (;;)
    {
      g_autoptr(JsonNode) page = history_page (f, type, since, limit);
      guint count = test_json_int (page, "count");

      if (oldest == 0)
        {
          oldest = test_json_int (page, "oldest_seq");
          latest = test_json_int (page, "latest_seq");
          g_assert_cmpuint (oldest, >=, 1);
          g_assert_cmpuint (page_seq (page, 0), ==, oldest);
        }
      /* the ring does not move while we page */
      g_assert_cmpint (test_json_int (page, "oldest_seq"), ==, (gint64) oldest);
      g_assert_cmpint (test_json_int (page, "latest_seq"), ==, (gint64) latest);
      if (count == 0)
        {
          g_assert_cmpuint (since, ==, latest);
          break;
        }
      /* no gap, no overlap: the page goes on just after the last */
      if (since > 0)
        g_assert_cmpint (page_seq (page, 0), ==, (gint64) since + 1);
      total += count;
      since = page_seq (page, count - 1);
      g_assert_cmpuint (since, <=, latest);
      if (count < limit)
        g_assert_cmpuint (since, ==, latest);
    }
  g_assert_cmpuint (total, ==, latest - oldest + 1);
  return total;
}

static void
test_history_channel (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) full = NULL;
  g_autoptr(JsonNode) beyond = NULL;
  guint emitted;

  tick (f, 50);
  emitted = f->emitted[HEART_CHANNEL_EDA];
  /* 25 s at 4 Hz */
  g_assert_cmpuint (emitted, >=, 99);
  g_assert_cmpuint (emitted, <=, 101);

  all = history_page (f, "eda", 0, 2000);
  g_assert_cmpint (test_json_int (all, "count"), ==, emitted);
  g_assert_cmpint (test_json_int (all, "oldest_seq"), ==, 1);
  g_assert_cmpint (test_json_int (all, "latest_seq"), ==, emitted);
  g_assert_cmpint (page_seq (all, 0), ==, 1);

  /* by pages: 7 at a time, and one at a time */
  g_assert_cmpuint (page_through (f, "eda", 7), ==, emitted);
  g_assert_cmpuint (page_through (f, "eda", 1), ==, emitted);
  /* since the latest: nothing yet; since beyond it: nothing either */
  {
    g_autofree char *path = g_strdup_printf ("/api/history?type=eda&since=%u", emitted);
    g_autoptr(JsonNode) none = get_json (f, path, SOUP_STATUS_OK);

    g_assert_cmpint (test_json_int (none, "count"), ==, 0);
  }
  beyond = history_page (f, "eda", emitted + 1000, 10);
  g_assert_cmpint (test_json_int (beyond, "count"), ==, 0);

  /* the default limit is the maximum */
  full = get_json (f, "/api/history?type=respiration", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (full, "limit"), ==, 2000);
  g_assert_cmpint (test_json_int (full, "count"), ==, f->emitted[HEART_CHANNEL_RESPIRATION]);

  /* a new tick: paging on from the last seq gives just the new values */
  {
    g_autoptr(JsonNode) next = NULL;

    tick (f, 1);
    next = history_page (f, "eda", emitted, 2000);
    g_assert_cmpint (test_json_int (next, "count"), ==, f->emitted[HEART_CHANNEL_EDA] - emitted);
    g_assert_cmpint (page_seq (next, 0), ==, emitted + 1);
  }
}

/* 25 Hz fills respiration's ring of 10,000 values in 400 s: the oldest
 * leave, paging from 0 starts at the oldest kept and goes on without a gap */
static void
test_history_channel_turnover (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(JsonNode) first = NULL;
  guint emitted;

  tick (f, 1000);
  emitted = f->emitted[HEART_CHANNEL_RESPIRATION];
  g_assert_cmpuint (emitted, >, 10000);

  first = history_page (f, "respiration", 0, 2000);
  g_assert_cmpint (test_json_int (first, "count"), ==, 2000);
  g_assert_cmpint (test_json_int (first, "latest_seq"), ==, emitted);
  g_assert_cmpint (test_json_int (first, "oldest_seq"), ==, emitted - 10000 + 1);
  g_assert_cmpint (page_seq (first, 0), ==, emitted - 10000 + 1);
  g_assert_cmpuint (page_through (f, "respiration", 2000), ==, 10000);
  g_assert_cmpuint (page_through (f, "respiration", 1999), ==, 10000);
}

static void
test_history_channel_refused (Fixture       *f,
                              gconstpointer  data)
{
  static const char * const seed_members[] = { "since", "limit", "count", "oldest_seq", "latest_seq", "samples", NULL };
  g_autofree char *untyped = NULL;
  g_autofree char *heartbeat = NULL;
  g_autoptr(JsonNode) seed = NULL;
  g_autoptr(JsonNode) most = NULL;

  tick (f, 10);
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=eda&limit=2001", "limit", "less_than_equal");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=eda&limit=0", "limit", "greater_than_equal");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=eda&since=-1", "since", "greater_than_equal");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=scr", "type", "value_error");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=rr_interval", "type", "value_error");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=condition", "type", "value_error");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=eda,respiration", "type", "value_error");
  expect_invalid_query (f, SOUP_METHOD_GET, "/api/history?type=bogus", "type", "value_error");
  most = get_json (f, "/api/history?type=eda&limit=2000", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (most, "count"), ==, f->emitted[HEART_CHANNEL_EDA]);

  /* type=heartbeat and no type: the seed's samples, byte for byte alike */
  untyped = get_text (f, "/api/history");
  heartbeat = get_text (f, "/api/history?type=heartbeat");
  g_assert_cmpstr (heartbeat, ==, untyped);
  seed = test_parse_json (untyped);
  g_assert_true (g_str_has_prefix (untyped, "{\"since\":0,\"limit\":"));
  g_assert_true (has_exactly_members (json_node_get_object (seed), seed_members));
  g_assert_cmpint (test_json_int (seed, "count"), ==, 10);
  g_assert_cmpint (test_json_int (seed, "limit"), ==, HEART_HISTORY_DEFAULT_LIMIT);
  g_assert_cmpint (test_json_int (seed, "latest_seq"), ==, 10);
  /* and its own bounds, not the channels' */
  {
    g_autoptr(JsonNode) wide = get_json (f, "/api/history?type=heartbeat&limit=10000", SOUP_STATUS_OK);

    g_assert_cmpint (test_json_int (wide, "limit"), ==, 10000);
  }
}

/* ---- scenarios ------------------------------------------------------------ */

static const char *
last_condition (TestWebsocket *ws)
{
  static char condition[HEART_LABEL_MAX];
  g_autoptr(JsonNode) sample = test_parse_json (ws->messages->pdata[ws->messages->len - 1]);

  g_strlcpy (condition, test_json_string (sample, "condition"), sizeof condition);
  return condition;
}

static char *
current_condition (Fixture *f)
{
  g_autoptr(JsonNode) sample = get_json (f, "/heartbeat/current", SOUP_STATUS_OK);

  return g_strdup (test_json_string (sample, "condition"));
}

static void
check_bundled (JsonNode *report)
{
  JsonArray *bundled = json_object_get_array_member (json_node_get_object (report), "bundled");
  g_auto(GStrv) names = heart_scenario_list_bundled ();

  g_assert_nonnull (bundled);
  g_assert_cmpuint (json_array_get_length (bundled), ==, g_strv_length (names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (json_array_get_string_element (bundled, i), ==, names[i]);
  g_assert_true (g_strv_contains ((const char * const *) names, "demo"));
}

/* The phase a value made at @t_s is in: the scenario runs from @start_s,
 * its stress task from @stress_s, and it is stopped at @stop_s */
static const char *
phase_at (double t_s,
          double start_s,
          double stress_s,
          double stop_s)
{
  if (t_s < start_s || t_s > stop_s)
    return "";
  return t_s < stress_s ? "baseline" : "stress";
}

/* A typed stream of respiration, condition and event through demo: every
 * value says the phase it was made in; returns the conditions announced,
 * comma-separated */
static char *
check_typed_conditions (TestWebsocket *ws,
                        double         start_s,
                        double         stress_s,
                        double         stop_s,
                        gboolean      *saw_acute)
{
  static const char * const label_members[] = { "value", "timestamp", "type", "condition", NULL };
  static const char * const event_members[] = { "value", "timestamp", "type", "label", "condition", NULL };
  g_autoptr(GString) announced = g_string_new (NULL);

  *saw_acute = FALSE;
  for (guint i = 1; i < ws->messages->len; i++)
    {
      g_autoptr(JsonNode) node = test_parse_json (ws->messages->pdata[i]);
      JsonObject *frame = json_node_get_object (node);
      const char *type = json_object_get_string_member (frame, "type");
      const char *condition = json_object_get_string_member (frame, "condition");

      if (g_str_equal (type, "condition"))
        {
          const char *value = json_object_get_string_member (frame, "value");
          double t_s = (iso_us (json_object_get_string_member (frame, "timestamp")) - START_US) / 1e6;

          g_assert_true (has_exactly_members (frame, label_members));
          g_assert_cmpstr (condition, ==, value);
          /* announced when the phase begins */
          g_assert_cmpstr (value, ==, phase_at (t_s + 1e-6, start_s, stress_s, stop_s));
          g_string_append_printf (announced, "%s%s", announced->len > 0 ? "," : "", value);
        }
      else if (g_str_equal (type, "event"))
        {
          const char *label = json_object_get_string_member (frame, "label");
          double t_s = (iso_us (json_object_get_string_member (frame, "timestamp")) - START_US) / 1e6;

          g_assert_true (has_exactly_members (frame, event_members));
          g_assert_true (g_str_equal (label, "acute") || g_str_equal (label, "arousal") || g_str_equal (label, "end"));
          g_assert_cmpstr (condition, ==, phase_at (t_s, start_s, stress_s, stop_s));
          /* demo's acute event: 10 s into the stress task, at level 0.9 */
          if (g_str_equal (label, "acute") && fabs (t_s - (stress_s + 10)) < 1e-3)
            {
              g_assert_cmpfloat (fabs (json_object_get_double_member (frame, "value") - 0.9), <, 1e-9);
              *saw_acute = TRUE;
            }
        }
      else
        {
          double t0_s = (iso_us (json_object_get_string_member (frame, "t0")) - START_US) / 1e6;
          guint n = json_array_get_length (json_object_get_array_member (frame, "values"));
          double last_s = t0_s + (n - 1) / 25.0;

          g_assert_cmpstr (type, ==, "respiration");
          /* a batch is of one tick: the phase of its first value (a tick
           * across the start of a phase is labelled as it began) */
          g_assert_cmpstr (condition, ==, phase_at (t0_s, start_s, stress_s, stop_s));
          if (!g_str_equal (phase_at (last_s, start_s, stress_s, stop_s), condition))
            g_test_message ("a batch from %.2f to %.2f s across a phase start, labelled %s", t0_s, last_s, condition);
        }
    }
  return g_strdup (announced->str);
}

static gboolean
typed_conditions_are (TestWebsocket *ws,
                      const char    *expected,
                      gboolean      *saw_acute)
{
  g_autofree char *announced = check_typed_conditions (ws, 1.0, 61.0, 72.0, saw_acute);

  return g_str_equal (announced, expected);
}

static void
test_scenario_run (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const phases[] = { "baseline", "stress", "recovery", "meditation" };
  static const char * const idle_members[] = { "active", "bundled", NULL };
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(TestWebsocket) typed = NULL;
  gboolean saw_acute = FALSE;
  g_autoptr(JsonNode) idle = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) later = NULL;
  g_autoptr(JsonNode) stopped = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *stress_condition = NULL;
  g_autofree char *none_condition = NULL;
  JsonArray *list;
  gboolean saw_stress = FALSE;

  tick (f, 2);
  idle = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (idle), "active"));
  g_assert_true (has_exactly_members (json_node_get_object (idle), idle_members));
  check_bundled (idle);
  ws = test_websocket_new (f->session, f->port);
  typed = websocket_open (f, "/ws/stream?types=respiration,condition,event");
  WAIT_FOR (ws->messages->len == 1 && typed->messages->len == 1);

  started = post_json (f, "/simulation/scenario?name=demo", SOUP_STATUS_OK);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (started), "active"));
  g_assert_cmpstr (test_json_string (started, "name"), ==, "demo");

  report = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (report), "active"));
  g_assert_cmpstr (test_json_string (report, "name"), ==, "demo");
  g_assert_cmpstr (test_json_string (report, "phase"), ==, "baseline");
  g_assert_cmpint (test_json_int (report, "phase_index"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (report), "elapsed_s"), ==, 0);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (report), "duration_s"), ==, 300);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (report), "remaining_s"), ==, 300);
  list = json_object_get_array_member (json_node_get_object (report), "phases");
  g_assert_cmpuint (json_array_get_length (list), ==, G_N_ELEMENTS (phases));
  for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, i), "name"), ==, phases[i]);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (list, 1), "start_s"), ==, 60);
  check_bundled (report);

  /* the 2 Hz sample says where the person is */
  tick (f, 1);
  condition = current_condition (f);
  g_assert_cmpstr (condition, ==, "baseline");
  WAIT_FOR (ws->messages->len == 2);
  g_assert_cmpstr (last_condition (ws), ==, "baseline");

  /* 60 s of baseline, then the stress task */
  tick (f, 121);
  later = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (later, "phase"), ==, "stress");
  g_assert_cmpint (test_json_int (later, "phase_index"), ==, 1);
  g_assert_cmpfloat (fabs (json_object_get_double_member (json_node_get_object (later), "elapsed_s") - 61.0), <, 1e-6);
  g_assert_cmpfloat (fabs (json_object_get_double_member (json_node_get_object (later), "remaining_s") - 239.0), <, 1e-6);
  stress_condition = current_condition (f);
  g_assert_cmpstr (stress_condition, ==, "stress");
  WAIT_FOR (ws->messages->len == 2 + 121);
  /* baseline, then stress from about 60 s on, and never back */
  for (guint i = 1; i < ws->messages->len; i++)
    {
      g_autoptr(JsonNode) sample = test_parse_json (ws->messages->pdata[i]);
      const char *phase = test_json_string (sample, "condition");
      double t_s = (iso_us (test_json_string (sample, "timestamp")) - START_US) / 1e6;

      if (g_str_equal (phase, "stress"))
        saw_stress = TRUE;
      else
        g_assert_false (saw_stress);
      g_assert_cmpstr (phase, ==, t_s > 61.0 ? "stress" : t_s < 60.0 ? "baseline" : phase);
    }
  g_assert_true (saw_stress);

  /* on into the stress task, past its acute event */
  tick (f, 20);
  WAIT_FOR (ws->messages->len == 2 + 141);

  stopped = delete_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (stopped, "status"), ==, "stopped");
  after = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (after), "active"));
  g_assert_true (has_exactly_members (json_node_get_object (after), idle_members));
  g_assert_null (heart_simulator_get_scenario (f->simulator));
  tick (f, 1);
  none_condition = current_condition (f);
  g_assert_cmpstr (none_condition, ==, "");
  WAIT_FOR (ws->messages->len == 2 + 141 + 1);
  g_assert_cmpstr (last_condition (ws), ==, "");

  /* the typed stream: the phases as they came, and its values in them */
  g_assert_cmpuint (f->emitted[HEART_CHANNEL_CONDITION], ==, 3);
  WAIT_FOR (typed_conditions_are (typed, "baseline,stress,", &saw_acute));
  g_assert_true (saw_acute);
  /* the tick after the scenario stopped */
  for (guint i = typed->messages->len - 1; i > 0; i--)
    {
      g_autoptr(JsonNode) last = test_parse_json (typed->messages->pdata[i]);

      if (g_str_equal (test_json_string (last, "type"), "respiration"))
        {
          g_assert_cmpint (iso_us (test_json_string (last, "t0")), >, START_US + 72 * G_USEC_PER_SEC);
          g_assert_cmpstr (test_json_string (last, "condition"), ==, "");
          break;
        }
    }

  again = delete_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_cmpstr (test_json_string (again, "status"), ==, "not_running");
}

/* Without repeat a scenario ends after its phases; with repeat=true it
 * starts again */
static void
test_scenario_end_and_repeat (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JsonNode) once = post_json (f, "/simulation/scenario?name=demo&repeat=false", SOUP_STATUS_OK);
  g_autoptr(JsonNode) ended = NULL;
  g_autoptr(JsonNode) repeated = NULL;
  g_autoptr(JsonNode) looping = NULL;
  g_autofree char *condition = NULL;

  tick (f, 602);   /* 301 s */
  ended = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (ended), "active"));
  condition = current_condition (f);
  g_assert_cmpstr (condition, ==, "");

  repeated = post_json (f, "/simulation/scenario?name=demo&repeat=true", SOUP_STATUS_OK);
  tick (f, 602);
  looping = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (looping), "active"));
  g_assert_cmpstr (test_json_string (looping, "name"), ==, "demo");
  g_assert_cmpstr (test_json_string (looping, "phase"), ==, "baseline");
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (looping), "elapsed_s"), <, 60);
}

static char *
source_path (const char *relative)
{
  return g_build_filename (g_getenv ("HEARTSIM_SOURCE_DIR"), relative, NULL);
}

static GBytes *
read_source_file (const char *relative)
{
  g_autofree char *path = source_path (relative);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

/* Starts demo and moves it on a little: what the refused requests below
 * must leave alone */
static char *
start_demo (Fixture *f)
{
  g_autoptr(JsonNode) started = post_json (f, "/simulation/scenario?name=demo", SOUP_STATUS_OK);

  tick (f, 5);
  return get_text (f, "/simulation/scenario");
}

static void
check_unchanged (Fixture    *f,
                 const char *report,
                 gpointer    scenario)
{
  g_autofree char *now = get_text (f, "/simulation/scenario");

  g_assert_cmpstr (now, ==, report);
  g_assert_true (heart_simulator_get_scenario (f->simulator) == scenario);
}

/* Every file of tests/data/scenarios is refused whole, with a message that
 * names the field (docs/scenarios.md); what runs goes on */
static void
test_scenario_upload_refused (Fixture       *f,
                              gconstpointer  data)
{
  static const struct { const char *file, *where; } cases[] = {
    { "bad-breathing.json", "upload:4: phases[0].breathing_rate: " },
    { "bad-duration-syntax.json", "upload:4: phases[0].duration: " },
    { "bad-event-outside-phase.json", "upload:6: phases[0].events[1].at: " },
    { "bad-level-type.json", "upload:4: phases[0].events[0].level: " },
    { "bad-missing-duration.json", "upload:4: phases[0].duration: " },
    { "bad-negative-duration.json", "upload:4: phases[0].duration: " },
    { "bad-no-phases.json", "upload:3: phases: " },
    { "bad-not-object.json", "upload: scenario: " },
    { "bad-phase-name.json", "upload:4: phases[0].name: " },
    { "bad-stress-range.json", "upload:5: phases[1].stress: " },
    { "bad-too-long.json", "upload:6: phases: " },
    { "bad-truncated.json", "upload:1:58: Parse error: " },
    { "bad-unknown-field.json", "upload:6: phases[1].stres: " },
    { "bad-zero-duration.json", "upload:4: phases[0].duration: " },
    { "bad-activity.json", "upload:4: phases[0].activity: " },
    { "bad-clock.json", "upload:3: start: " },
    { "bad-until-and-duration.json", "upload:4: phases[0].duration: " },
    { "bad-vary.json", "upload:3: vary: " },
    { "bad-pvc-rate.json", "upload:5: phases[1].pvc_per_hour: " },
  };
  g_autofree char *dir = source_path ("tests/data/scenarios");
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *report = start_demo (f);
  gpointer scenario = heart_simulator_get_scenario (f->simulator);
  const char *file;
  guint checked = 0;

  g_assert_nonnull (listing);
  g_assert_nonnull (scenario);
  while ((file = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *relative = g_build_filename ("tests/data/scenarios", file, NULL);
      g_autoptr(GBytes) body = read_source_file (relative);
      g_autoptr(TestReply) reply = send_request (f, SOUP_METHOD_POST, "/simulation/scenario", NULL, body);
      g_autoptr(JsonNode) answer = NULL;
      g_autofree char *msg = NULL;
      const char *where = NULL;

      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        if (g_str_equal (cases[i].file, file))
          where = cases[i].where;
      if (where == NULL)
        g_error ("%s: a bad scenario file with no expected message here", file);
      g_test_message ("%s", file);
      g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
      answer = test_reply_json (reply);
      msg = check_invalid (answer, "body", NULL, "value_error");
      g_assert_true (g_str_has_prefix (msg, "upload:"));
      g_assert_true (g_str_has_prefix (msg, where));
      check_unchanged (f, report, scenario);
      checked++;
    }
  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (cases));

  expect_invalid_query (f, SOUP_METHOD_POST, "/simulation/scenario?name=nope", "name", "value_error");
  check_unchanged (f, report, scenario);
  expect_invalid_query (f, SOUP_METHOD_POST, "/simulation/scenario?name=demo&repeat=maybe", "repeat", "value_error");
  check_unchanged (f, report, scenario);
  expect_invalid_query (f, SOUP_METHOD_POST, "/simulation/scenario", "name", "value_error");
  check_unchanged (f, report, scenario);
}

/* A scenario file as the body runs that scenario */
static void
test_scenario_upload (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GBytes) body = read_source_file ("data/scenarios/work-session.json");
  g_autoptr(TestReply) reply = send_request (f, SOUP_METHOD_POST, "/simulation/scenario", NULL, body);
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) report = NULL;

  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  started = test_reply_json (reply);
  g_assert_cmpstr (test_json_string (started, "name"), ==, "work-session");
  report = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (report), "active"));
  g_assert_cmpstr (test_json_string (report, "phase"), ==, "work");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (report), "phases")),
                    ==, 5);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (report), "duration_s"), ==, 60 * 60);
}

/* A raw request that sends its headers and none of its body: the answer
 * must come without the body */
static char *
raw_headers_only (Fixture    *f,
                  const char *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GString) in = g_string_new (NULL);
  char buffer[4096];
  gssize n;

  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  WAIT_FOR (((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0
             ? (g_string_append_len (in, buffer, n), FALSE) : FALSE) ||
            strstr (in->str, "\r\n\r\n") != NULL);
  return g_strdup (in->str);
}

static void
test_scenario_body_limit (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *report = start_demo (f);
  gpointer scenario = heart_simulator_get_scenario (f->simulator);
  g_autofree char *request = g_strdup_printf ("POST /simulation/scenario HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n",
                                              f->port, SCENARIO_BODY_MAX + 1);
  g_autofree char *answer = raw_headers_only (f, request);
  g_autoptr(GBytes) file = read_source_file ("data/scenarios/work-session.json");
  g_autoptr(GString) padded = g_string_new_len (g_bytes_get_data (file, NULL), g_bytes_get_size (file));
  g_autoptr(GBytes) too_big = NULL;
  g_autoptr(GBytes) just_fits = NULL;
  g_autoptr(TestReply) refused = NULL;
  g_autoptr(TestReply) taken = NULL;
  g_autoptr(JsonNode) started = NULL;

  /* refused on its headers: the 256 KiB are never waited for */
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413 "));
  check_unchanged (f, report, scenario);

  /* a valid scenario padded to 256 KiB + 1 is refused, to 256 KiB is run */
  while (padded->len < SCENARIO_BODY_MAX + 1)
    g_string_append_c (padded, ' ');
  too_big = g_bytes_new (padded->str, padded->len);
  refused = send_request (f, SOUP_METHOD_POST, "/simulation/scenario", NULL, too_big);
  g_assert_cmpuint (test_reply_status (refused), ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  check_unchanged (f, report, scenario);

  just_fits = g_bytes_new (padded->str, SCENARIO_BODY_MAX);
  taken = send_request (f, SOUP_METHOD_POST, "/simulation/scenario", NULL, just_fits);
  g_assert_cmpuint (test_reply_status (taken), ==, SOUP_STATUS_OK);
  started = test_reply_json (taken);
  g_assert_cmpstr (test_json_string (started, "name"), ==, "work-session");
}

/* POST and DELETE change what runs: a page of another site may not */
static void
test_scenario_cross_origin (Fixture       *f,
                            gconstpointer  data)
{
  static const char evil[] = "http://evil.example";
  g_autoptr(TestReply) post = send_request (f, SOUP_METHOD_POST, "/simulation/scenario?name=demo", evil, NULL);
  g_autoptr(GBytes) body = read_source_file ("data/scenarios/work-session.json");
  g_autoptr(TestReply) upload = send_request (f, SOUP_METHOD_POST, "/simulation/scenario", evil, body);
  g_autoptr(TestReply) delete_idle = send_request (f, SOUP_METHOD_DELETE, "/simulation/scenario", evil, NULL);
  g_autoptr(TestReply) delete = NULL;
  g_autoptr(TestReply) same_origin = NULL;
  g_autoptr(JsonNode) idle = NULL;
  g_autoptr(JsonNode) stopped = NULL;
  g_autofree char *report = NULL;
  g_autofree char *own = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  gpointer scenario;

  g_assert_cmpuint (test_reply_status (post), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (test_reply_status (upload), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (test_reply_status (delete_idle), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_null (heart_simulator_get_scenario (f->simulator));
  idle = get_json (f, "/simulation/scenario", SOUP_STATUS_OK);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (idle), "active"));

  report = start_demo (f);
  scenario = heart_simulator_get_scenario (f->simulator);
  delete = send_request (f, SOUP_METHOD_DELETE, "/simulation/scenario", evil, NULL);
  g_assert_cmpuint (test_reply_status (delete), ==, SOUP_STATUS_FORBIDDEN);
  check_unchanged (f, report, scenario);

  /* the server's own pages may */
  same_origin = send_request (f, SOUP_METHOD_DELETE, "/simulation/scenario", own, NULL);
  g_assert_cmpuint (test_reply_status (same_origin), ==, SOUP_STATUS_OK);
  stopped = test_reply_json (same_origin);
  g_assert_cmpstr (test_json_string (stopped, "status"), ==, "stopped");
}

/* The methods the scenario route takes, as a browser's preflight and a
 * wrong method learn them */
static void
test_scenario_methods (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/simulation/scenario", f->port);
  g_autoptr(TestReply) preflight = g_new0 (TestReply, 1);
  g_autoptr(TestReply) put = send_request (f, SOUP_METHOD_PUT, "/simulation/scenario?name=demo", NULL, NULL);
  g_autoptr(TestReply) delete_channels = send_request (f, SOUP_METHOD_DELETE, "/api/channels", NULL, NULL);
  SoupMessageHeaders *headers;

  preflight->msg = soup_message_new (SOUP_METHOD_OPTIONS, uri);
  headers = soup_message_get_request_headers (preflight->msg);
  soup_message_headers_replace (headers, "Origin", "http://app.example");
  soup_message_headers_replace (headers, "Access-Control-Request-Method", "DELETE");
  soup_session_send_and_read_async (f->session, preflight->msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, preflight);
  WAIT_FOR (preflight->done);
  g_assert_no_error (preflight->error);
  g_assert_true (SOUP_STATUS_IS_SUCCESSFUL (test_reply_status (preflight)));
  g_assert_nonnull (strstr (test_reply_header (preflight, "Access-Control-Allow-Methods"), "DELETE"));
  g_assert_nonnull (strstr (test_reply_header (preflight, "Allow"), "DELETE"));

  g_assert_cmpuint (test_reply_status (put), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (test_reply_header (put, "Allow"), ==, "GET, HEAD, POST, DELETE, OPTIONS");
  g_assert_null (heart_simulator_get_scenario (f->simulator));
  g_assert_cmpuint (test_reply_status (delete_channels), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
  g_assert_cmpstr (test_reply_header (delete_channels, "Allow"), ==, "GET, HEAD, OPTIONS");
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/channels/list", test_channel_list);
  g_test_add_func ("/channels/sse-typed", test_sse_typed);
  g_test_add_func ("/channels/sse-typed-timestamps", test_sse_typed_timestamps);
  ADD ("/channels/sse-typed-refused", test_sse_typed_refused);
  ADD ("/channels/websocket-typed", test_websocket_typed);
  ADD ("/channels/websocket-typed-refused", test_websocket_typed_refused);
  ADD ("/channels/history", test_history_channel);
  ADD ("/channels/history-turnover", test_history_channel_turnover);
  ADD ("/channels/history-refused", test_history_channel_refused);
  ADD ("/channels/scenario-run", test_scenario_run);
  ADD ("/channels/scenario-end-and-repeat", test_scenario_end_and_repeat);
  ADD ("/channels/scenario-upload", test_scenario_upload);
  ADD ("/channels/scenario-upload-refused", test_scenario_upload_refused);
  ADD ("/channels/scenario-body-limit", test_scenario_body_limit);
  ADD ("/channels/scenario-cross-origin", test_scenario_cross_origin);
  ADD ("/channels/scenario-methods", test_scenario_methods);
#undef ADD

  return g_test_run ();
}
