/* test-asyncapi.c: the AsyncAPI document of the streams (docs/api.md,
 * "AsyncAPI"): its structure, a channel and payload for every channel of
 * the table, the frames of a real server held against its schemas, the
 * MQTT topic template and broker URL, and GET through a real SoupServer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "heart-channel.h"
#include "heart-history.h"
#include "heart-sample-fields.h"
#include "heart-server.h"
#include "heart-server-asyncapi.h"
#include "heart-server-json.h"
#include "heart-simulator.h"
#include "test-server-fixture.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */

static const char *const stream_paths[] = { "/ws/heartbeat", "/ws/stream", "/api/stream" };

static JsonNode *
build (const char   *server_url,
       const char   *mqtt_url,
       const char   *topic,
       const guint8 *qos)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = heart_server_asyncapi_build (server_url, mqtt_url, topic, qos, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return test_parse_json (text);
}

static JsonObject *
member (JsonObject *object,
        const char *name)
{
  if (!json_object_has_member (object, name))
    g_error ("no member %s", name);
  return json_object_get_object_member (object, name);
}

/* "#/components/…" in @document */
static JsonObject *
resolve (JsonObject *document,
         JsonObject *object)
{
  while (json_object_has_member (object, "$ref"))
    {
      const char *ref = json_object_get_string_member (object, "$ref");
      g_auto(GStrv) parts = NULL;

      g_assert_true (g_str_has_prefix (ref, "#/"));
      parts = g_strsplit (ref + 2, "/", -1);
      object = document;
      for (guint i = 0; parts[i] != NULL; i++)
        object = member (object, parts[i]);
    }
  return object;
}

/* Every $ref under @node points to something */
static guint
check_refs (JsonObject *document,
            JsonNode   *node)
{
  g_autoptr(GList) keys = NULL;
  guint n = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      n += check_refs (document, json_array_get_element (json_node_get_array (node), i));
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return n;
  if (json_object_has_member (json_node_get_object (node), "$ref"))
    {
      resolve (document, json_node_get_object (node));
      return n + 1;
    }
  keys = json_object_get_members (json_node_get_object (node));
  for (GList *l = keys; l != NULL; l = l->next)
    n += check_refs (document, json_object_get_member (json_node_get_object (node), l->data));
  return n;
}

/* The payload schemas of the messages of @channel */
static GPtrArray *
channel_payloads (JsonObject *document,
                  const char *channel)
{
  JsonObject *item = member (member (document, "channels"), channel);
  JsonArray *one_of = json_object_get_array_member (member (member (item, "subscribe"), "message"), "oneOf");
  GPtrArray *payloads = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (one_of); i++)
    {
      JsonObject *message = resolve (document, json_array_get_object_element (one_of, i));

      g_ptr_array_add (payloads, resolve (document, member (message, "payload")));
    }
  return payloads;
}

/* The "type" a payload names, or NULL */
static const char *
payload_type (JsonObject *payload)
{
  JsonObject *properties = json_object_has_member (payload, "properties") ? member (payload, "properties") : NULL;

  if (properties == NULL || !json_object_has_member (properties, "type"))
    return NULL;
  return json_object_get_string_member (member (properties, "type"), "const");
}

static JsonObject *
payload_of_type (GPtrArray  *payloads,
                 const char *type)
{
  for (guint i = 0; i < payloads->len; i++)
    if (g_strcmp0 (payload_type (payloads->pdata[i]), type) == 0)
      return payloads->pdata[i];
  return NULL;
}

/* ---- the document ----------------------------------------------------------- */

static void
test_document (void)
{
  g_autoptr(JsonNode) root = build (NULL, NULL, NULL, NULL);
  JsonObject *document = json_node_get_object (root);
  JsonObject *servers = member (document, "servers");
  JsonObject *channels = member (document, "channels");
  JsonObject *connected_channels;
  JsonArray *names;

  g_assert_cmpstr (test_json_string (root, "asyncapi"), ==, "2.6.0");
  g_assert_cmpstr (json_object_get_string_member (member (document, "info"), "version"), ==, PACKAGE_VERSION);
  g_assert_nonnull (json_object_get_string_member (member (document, "info"), "title"));
  g_assert_cmpstr (json_object_get_string_member (member (servers, "websocket"), "url"), ==, "ws://127.0.0.1:8000");
  g_assert_cmpstr (json_object_get_string_member (member (servers, "websocket"), "protocol"), ==, "ws");
  g_assert_cmpstr (json_object_get_string_member (member (servers, "sse"), "url"), ==, "http://127.0.0.1:8000");
  g_assert_cmpstr (json_object_get_string_member (member (servers, "mqtt"), "protocol"), ==, "mqtt");
  /* no broker given: its host and port are variables */
  g_assert_true (json_object_has_member (member (servers, "mqtt"), "variables"));
  g_assert_cmpuint (check_refs (document, root), >, 100);

  /* every stream, of the one person and of each subject */
  for (guint prefix = 0; prefix < 2; prefix++)
    for (gsize i = 0; i < G_N_ELEMENTS (stream_paths); i++)
      {
        g_autofree char *path = g_strconcat (prefix ? "/subjects/{id}" : "", stream_paths[i], NULL);
        JsonObject *item = member (channels, path);

        g_test_message ("%s", path);
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (item, "servers")), ==, 1);
        if (prefix)
          member (member (item, "parameters"), "id");
      }

  /* every channel of the table: a topic, a message on the typed streams,
   * a name the connected frame may list */
  connected_channels = member (member (member (member (document, "components"), "schemas"), "connected"), "properties");
  names = json_object_get_array_member (member (member (connected_channels, "channels"), "items"), "enum");
  g_assert_cmpuint (json_array_get_length (names), ==, HEART_N_CHANNELS);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);
      g_autofree char *topic = g_strdup_printf ("heartsim/{subject}/%s", channel->name);
      g_autoptr(GPtrArray) mqtt = NULL;
      g_autoptr(GPtrArray) ws = channel_payloads (document, "/ws/stream");
      g_autoptr(GPtrArray) sse = channel_payloads (document, "/subjects/{id}/api/stream");
      JsonObject *value_schema;

      g_test_message ("channel %s", channel->name);
      mqtt = channel_payloads (document, topic);
      g_assert_nonnull (payload_of_type (mqtt, channel->name));
      g_assert_nonnull (payload_of_type (ws, channel->name));
      g_assert_nonnull (payload_of_type (sse, channel->name));
      g_assert_cmpstr (json_array_get_string_element (names, c), ==, channel->name);
      member (member (member (member (document, "channels"), topic), "parameters"), "subject");

      /* its unit, range and description from the table */
      value_schema = member (payload_of_type (sse, channel->name), "properties");
      value_schema = member (value_schema, channel->kind == HEART_CHANNEL_KIND_WAVEFORM ? "values" : "value");
      if (channel->kind == HEART_CHANNEL_KIND_WAVEFORM)
        value_schema = member (value_schema, "items");
      g_assert_cmpstr (json_object_get_string_member (value_schema, "description"), ==, channel->description);
      if (channel->max > channel->min)
        {
          g_assert_cmpfloat (json_object_get_double_member (value_schema, "minimum"), ==, channel->min);
          g_assert_cmpfloat (json_object_get_double_member (value_schema, "maximum"), ==, channel->max);
        }
      if (channel->unit[0] != '\0')
        g_assert_cmpstr (json_object_get_string_member (value_schema, "x-unit"), ==, channel->unit);
    }
  member (channels, "heartsim/{subject}/status");
}

/* ---- frames of a real server against the schemas ---------------------------------- */

static gboolean
type_is (const char *type,
         JsonNode   *value)
{
  GType held;

  switch (JSON_NODE_TYPE (value))
    {
    case JSON_NODE_NULL:
      return g_str_equal (type, "null");
    case JSON_NODE_OBJECT:
      return g_str_equal (type, "object");
    case JSON_NODE_ARRAY:
      return g_str_equal (type, "array");
    case JSON_NODE_VALUE:
    default:
      held = json_node_get_value_type (value);
      if (held == G_TYPE_STRING)
        return g_str_equal (type, "string");
      if (held == G_TYPE_BOOLEAN)
        return g_str_equal (type, "boolean");
      if (held == G_TYPE_INT64)
        return g_str_equal (type, "integer") || g_str_equal (type, "number");
      return g_str_equal (type, "number");
    }
}

static gboolean
type_matches (JsonObject *schema,
              JsonNode   *value)
{
  JsonNode *type = json_object_get_member (schema, "type");

  if (type == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (type))
    return type_is (json_node_get_string (type), value);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (type)); i++)
    if (type_is (json_array_get_string_element (json_node_get_array (type), i), value))
      return TRUE;
  return FALSE;
}

static gboolean check_value (JsonObject *document, JsonObject *schema, JsonNode *value, const char *where, GString *why);

static gboolean
check_object (JsonObject *document,
              JsonObject *schema,
              JsonObject *object,
              const char *where,
              GString    *why)
{
  JsonObject *properties = member (schema, "properties");
  JsonArray *required = json_object_get_array_member (schema, "required");
  g_autoptr(GList) keys = json_object_get_members (object);
  gboolean ok = TRUE;

  /* every key the server sends is described ... */
  for (GList *l = keys; l != NULL; l = l->next)
    {
      g_autofree char *at = g_strdup_printf ("%s.%s", where, (char *) l->data);

      if (!json_object_has_member (properties, l->data))
        {
          g_string_append_printf (why, "%s: not in the schema; ", at);
          ok = FALSE;
        }
      else
        ok &= check_value (document, member (properties, l->data), json_object_get_member (object, l->data), at, why);
    }
  /* ... and every key the schema requires is sent */
  for (guint i = 0; required != NULL && i < json_array_get_length (required); i++)
    if (!json_object_has_member (object, json_array_get_string_element (required, i)))
      {
        g_string_append_printf (why, "%s.%s: required, not sent; ", where, json_array_get_string_element (required, i));
        ok = FALSE;
      }
  return ok;
}

/* @value against @schema: type, const, enum, range, an object's keys, an
 * array's items; what is wrong appended to @why */
static gboolean
check_value (JsonObject *document,
             JsonObject *schema,
             JsonNode   *value,
             const char *where,
             GString    *why)
{
  gboolean ok = TRUE;

  schema = resolve (document, schema);
  if (!type_matches (schema, value))
    {
      g_autofree char *text = json_to_string (value, FALSE);

      g_string_append_printf (why, "%s: %s is not of the type described; ", where, text);
      return FALSE;
    }
  if (json_object_has_member (schema, "const") &&
      !json_node_equal (json_object_get_member (schema, "const"), value))
    {
      g_string_append_printf (why, "%s: not the constant; ", where);
      ok = FALSE;
    }
  if (json_object_has_member (schema, "enum") && JSON_NODE_HOLDS_VALUE (value) &&
      json_node_get_value_type (value) == G_TYPE_STRING)
    {
      JsonArray *allowed = json_object_get_array_member (schema, "enum");
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (allowed); i++)
        found |= g_str_equal (json_array_get_string_element (allowed, i), json_node_get_string (value));
      if (!found)
        g_string_append_printf (why, "%s: \"%s\" not in the enum; ", where, json_node_get_string (value));
      ok &= found;
    }
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) != G_TYPE_STRING &&
      json_node_get_value_type (value) != G_TYPE_BOOLEAN &&
      ((json_object_has_member (schema, "minimum") &&
        json_node_get_double (value) < json_object_get_double_member (schema, "minimum")) ||
       (json_object_has_member (schema, "maximum") &&
        json_node_get_double (value) > json_object_get_double_member (schema, "maximum"))))
    {
      g_string_append_printf (why, "%s: %g out of range; ", where, json_node_get_double (value));
      ok = FALSE;
    }
  if (JSON_NODE_HOLDS_OBJECT (value))
    ok &= check_object (document, schema, json_node_get_object (value), where, why);
  if (JSON_NODE_HOLDS_ARRAY (value) && json_object_has_member (schema, "items"))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (value)); i++)
      {
        g_autofree char *at = g_strdup_printf ("%s[%u]", where, i);

        ok &= check_value (document, member (schema, "items"), json_array_get_element (json_node_get_array (value), i), at, why);
      }
  return ok;
}

/* A frame of @channel must fit one of the channel's messages of its type;
 * returns that type */
static const char *
check_frame (JsonObject *document,
             const char *channel,
             const char *text)
{
  g_autoptr(JsonNode) frame = test_parse_json (text);
  g_autoptr(GPtrArray) payloads = channel_payloads (document, channel);
  g_autoptr(GString) why = g_string_new (NULL);
  const char *type = test_json_string (frame, "type");
  guint candidates = 0;

  for (guint i = 0; i < payloads->len; i++)
    if (g_strcmp0 (payload_type (payloads->pdata[i]), type) == 0)
      {
        candidates++;
        if (check_value (document, payloads->pdata[i], frame, type, why))
          return g_intern_string (type);
      }
  g_error ("a frame of %s fits no message of %u of type %s: %s\n%s", channel, candidates, type, why->str, text);
}

/* The data of each event of an SSE stream; with @ids, each event's id too
 * (NULL for none) */
static GPtrArray *
sse_data (TestSse   *sse,
          GPtrArray *ids)
{
  g_auto(GStrv) events = g_strsplit (sse->text->str, "\n\n", -1);
  GPtrArray *data = g_ptr_array_new_with_free_func (g_free);

  /* the last piece is not complete yet */
  for (guint i = 0; events[i] != NULL && events[i + 1] != NULL; i++)
    {
      g_auto(GStrv) lines = g_strsplit (events[i], "\n", -1);
      const char *id = NULL;

      for (guint j = 0; lines[j] != NULL; j++)
        if (g_str_has_prefix (lines[j], "id: "))
          id = lines[j] + 4;
        else if (g_str_has_prefix (lines[j], "data: "))
          {
            g_ptr_array_add (data, g_strdup (lines[j] + 6));
            if (ids != NULL)
              g_ptr_array_add (ids, g_strdup (id));
          }
    }
  return data;
}

typedef struct
{
  HeartSimulator *simulator;
  HeartHistory   *history;
  HeartServer    *server;
  SoupSession    *session;
  guint           port;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->simulator = heart_simulator_new_manual (42, START_US);
  /* a manual clock makes the waveforms only when asked to */
  heart_simulator_set_channels (f->simulator, HEART_CHANNEL_MASK_ALL);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->simulator));
  f->server = heart_server_new (f->simulator, f->history);
  f->port = test_server_listen (f->server, &f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
all_channels (void)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    g_string_append_printf (names, "%s%s", c > 0 ? "," : "", heart_channel_get (c)->name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static guint
sse_count (TestSse *sse)
{
  g_autoptr(GPtrArray) data = sse_data (sse, NULL);

  return data->len;
}

/* Every frame the streams send for every channel, for a while with a
 * stress event and a walk, fits the document's messages on its channel */
static void
test_frames (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) root = build (NULL, NULL, NULL, NULL);
  JsonObject *document = json_node_get_object (root);
  g_autofree char *names = all_channels ();
  g_autofree char *typed_ws = g_strconcat ("/ws/stream?types=", names, NULL);
  g_autofree char *typed_sse = g_strconcat ("/api/stream?types=", names, NULL);
  g_autoptr(TestWebsocket) seed_ws = NULL;
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(TestSse) seed_sse = NULL;
  g_autoptr(TestSse) sse = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) typed_events = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *typed_content_type = NULL;
  guint status = 0;
  static const char *const expected[] = {
    "connected", "heartbeat", "heart_rate", "rr_interval", "respiration", "eda", "event", "activity", "ecg", "ppg",
  };

  heart_simulator_advance (f->simulator, 0.5);
  seed_ws = test_websocket_new (f->session, f->port);
  ws = test_websocket_open (f->session, f->port, typed_ws);
  seed_sse = test_sse_send (f->session, f->port, "/api/stream", NULL, &status, &content_type);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  sse = test_sse_send (f->session, f->port, typed_sse, NULL, &status, &typed_content_type);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2 && heart_server_get_sse_clients (f->server) == 2);

  heart_simulator_trigger_stress (f->simulator, 0.8, &error);
  g_assert_no_error (error);
  heart_simulator_set_activity (f->simulator, "walking", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 8; i++)
    heart_simulator_advance (f->simulator, 0.5);
  WAIT_FOR (seed_ws->messages->len >= 9 && ws->messages->len >= 30 && sse_count (seed_sse) >= 4 &&
            sse_count (sse) >= 30);

  for (guint i = 0; i < seed_ws->messages->len; i++)
    g_hash_table_add (seen, (gpointer) check_frame (document, "/ws/heartbeat", seed_ws->messages->pdata[i]));
  for (guint i = 0; i < ws->messages->len; i++)
    g_hash_table_add (seen, (gpointer) check_frame (document, "/ws/stream", ws->messages->pdata[i]));

  /* the seed's events carry their seq as id */
  events = sse_data (seed_sse, ids);
  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(JsonNode) event = test_parse_json (events->pdata[i]);
      g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, test_json_int (event, "seq"));

      g_assert_cmpstr (ids->pdata[i], ==, seq);
      g_hash_table_add (seen, (gpointer) check_frame (document, "/api/stream", events->pdata[i]));
    }
  typed_events = sse_data (sse, NULL);
  for (guint i = 0; i < typed_events->len; i++)
    g_hash_table_add (seen, (gpointer) check_frame (document, "/api/stream", typed_events->pdata[i]));

  g_test_message ("%u WebSocket frames and %u events checked, of %u types",
                  seed_ws->messages->len + ws->messages->len, events->len + typed_events->len,
                  g_hash_table_size (seen));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_test_message ("seen: %s", expected[i]);
      g_assert_true (g_hash_table_contains (seen, expected[i]));
    }
}

/* A sample of a replayed file lacks what the file has not (docs/api.md,
 * "Source"): those fields are null, and the schemas allow it */
static void
test_lacking_fields (void)
{
  g_autoptr(JsonNode) root = build (NULL, NULL, NULL, NULL);
  JsonObject *document = json_node_get_object (root);
  g_autoptr(GString) event = g_string_new (NULL);
  g_autofree char *json = NULL;
  g_auto(GStrv) lines = NULL;
  HeartSample sample = { .timestamp_us = START_US, .seq = 5, .bpm = 70, .running = TRUE };

  sample.variability = sample.stress_level = sample.rr_ms = sample.rmssd_ms = NAN;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    sample.channels[c] = NAN;
  json = heart_sample_to_json (&sample);
  g_assert_nonnull (strstr (json, "\"rr_ms\":null"));
  g_assert_nonnull (strstr (json, "\"baseline_bpm\":null"));
  g_assert_cmpstr (check_frame (document, "/ws/heartbeat", json), ==, "heartbeat");

  heart_sse_append_event (event, &sample);
  lines = g_strsplit (event->str, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "id: 5");
  g_assert_true (g_str_has_prefix (lines[1], "data: "));
  g_assert_nonnull (strstr (lines[1], "\"variability\":null"));
  g_assert_cmpstr (check_frame (document, "/api/stream", lines[1] + 6), ==, "heart_rate");
}

/* ---- MQTT: the topic template, the broker, QoS ---------------------------------------- */

static void
test_topic_template (void)
{
  g_autoptr(JsonNode) root = build (NULL, NULL, "lab/{channel}/of/{subject}", NULL);
  JsonObject *channels = member (json_node_get_object (root), "channels");
  JsonObject *will = member (member (member (member (member (json_node_get_object (root), "servers"), "mqtt"),
                                             "bindings"), "mqtt"), "lastWill");
  static const char *const refused[] = {
    "heartsim/{subject}", "heartsim/{subject}/{channel}/{kind}", "heartsim/+/{channel}",
    "heartsim/{channel}/#", "heartsim/{channel", "ward7-{channel}", "",
  };

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      g_autofree char *topic = g_strdup_printf ("lab/%s/of/{subject}", heart_channel_get (c)->name);
      g_autofree char *default_topic = g_strdup_printf ("heartsim/{subject}/%s", heart_channel_get (c)->name);

      member (member (member (channels, topic), "parameters"), "subject");
      g_assert_false (json_object_has_member (channels, default_topic));
    }
  member (channels, "lab/status/of/{subject}");
  g_assert_cmpstr (json_object_get_string_member (will, "topic"), ==, "lab/status/of/{subject}");
  g_assert_cmpstr (json_object_get_string_member (will, "message"), ==, "offline");

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = heart_server_asyncapi_build (NULL, NULL, refused[i], NULL, &error);

      g_test_message ("%s: %s", refused[i], error ? error->message : "accepted");
      g_assert_null (bytes);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "topic template"));
    }
}

/* The broker's URL without user nor password; a bad one refused without
 * repeating them; QoS per kind */
static void
test_broker (void)
{
  static const guint8 qos[] = { 0, 1, 1, 1, 0 };
  g_autoptr(JsonNode) root = build ("https://heart.example:8443", "mqtts://alice:s3cret@broker.example:8884",
                                    NULL, qos);
  JsonObject *document = json_node_get_object (root);
  JsonObject *servers = member (document, "servers");
  g_autofree char *text = json_to_string (root, FALSE);
  static const char *const refused[] = {
    "http://alice:s3cret@broker.example", "mqtt://alice:s3cret@", "s3cret", "mqtt://[::1",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (qos) == HEART_CHANNEL_KIND_WAVEFORM + 1);
  g_assert_cmpstr (json_object_get_string_member (member (servers, "mqtt"), "url"), ==, "mqtts://broker.example:8884");
  g_assert_cmpstr (json_object_get_string_member (member (servers, "mqtt"), "protocol"), ==, "secure-mqtt");
  g_assert_false (json_object_has_member (member (servers, "mqtt"), "variables"));
  g_assert_null (strstr (text, "s3cret"));
  g_assert_null (strstr (text, "alice"));
  g_assert_cmpstr (json_object_get_string_member (member (servers, "websocket"), "url"), ==, "wss://heart.example:8443");
  g_assert_cmpstr (json_object_get_string_member (member (servers, "sse"), "url"), ==, "https://heart.example:8443");

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);
      g_autofree char *topic = g_strdup_printf ("heartsim/{subject}/%s", channel->name);
      JsonObject *binding = member (member (member (member (member (document, "channels"), topic), "subscribe"),
                                            "bindings"), "mqtt");

      g_assert_cmpint (json_object_get_int_member (binding, "qos"), ==, qos[channel->kind]);
      /* the latest value of a periodic channel is retained */
      g_assert_true (json_object_get_boolean_member (binding, "retain") == (channel->kind == HEART_CHANNEL_KIND_PERIODIC));
    }
  /* a plain broker without a port: the default one */
  {
    g_autoptr(JsonNode) plain = build (NULL, "mqtt://broker.example", NULL, NULL);

    g_assert_cmpstr (json_object_get_string_member (member (member (json_node_get_object (plain), "servers"), "mqtt"), "url"),
                     ==, "mqtt://broker.example:1883");
  }

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = heart_server_asyncapi_build (NULL, refused[i], NULL, NULL, &error);

      g_assert_null (bytes);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "MQTT URL"));
      g_assert_null (strstr (error->message, "s3cret"));
    }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = heart_server_asyncapi_build ("ftp://heart.example", NULL, NULL, NULL, &error);

    g_assert_null (bytes);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* ---- GET through a real SoupServer ------------------------------------------------------- */

static void
asyncapi_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           data)
{
  heart_server_asyncapi_respond (msg, data, NULL, NULL);
}

/* The document names the host and port the client asked */
static void
test_respond (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  guint port;

  soup_server_add_handler (server, "/asyncapi.json", asyncapi_handler, (gpointer) "mqtt://127.0.0.1:1884", NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *host = g_strdup_printf ("%s:%u", i ? "localhost" : "127.0.0.1", port);
      g_autoptr(TestReply) reply = test_request (session, SOUP_METHOD_GET, port, "/asyncapi.json", "Host", host, NULL);
      g_autofree char *ws = g_strconcat ("ws://", host, NULL);
      g_autoptr(JsonNode) root = NULL;
      JsonObject *servers;

      g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
      root = test_reply_json (reply);
      servers = member (json_node_get_object (root), "servers");
      g_assert_cmpstr (test_json_string (root, "asyncapi"), ==, "2.6.0");
      g_assert_cmpstr (json_object_get_string_member (member (servers, "websocket"), "url"), ==, ws);
      g_assert_cmpstr (json_object_get_string_member (member (servers, "mqtt"), "url"), ==, "mqtt://127.0.0.1:1884");
    }
  soup_session_abort (session);
  soup_server_disconnect (server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* /docs links the document beside the OpenAPI one, which lists it */
static void
test_docs_link (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TestReply) page = test_request (f->session, SOUP_METHOD_GET, f->port, "/docs", NULL);
  g_autoptr(TestReply) openapi = test_request (f->session, SOUP_METHOD_GET, f->port, "/openapi.json", NULL);
  g_autoptr(TestReply) asyncapi = test_request (f->session, SOUP_METHOD_GET, f->port, "/asyncapi.json", NULL);
  g_autofree char *html = test_reply_text (page);
  g_autoptr(JsonNode) root = test_reply_json (openapi);
  g_autoptr(JsonNode) document = test_reply_json (asyncapi);

  g_assert_cmpuint (test_reply_status (page), ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (html, "href=\"asyncapi.json\""));
  g_assert_true (json_object_has_member (member (json_node_get_object (root), "paths"), "/asyncapi.json"));
  /* the link leads to the document */
  g_assert_cmpuint (test_reply_status (asyncapi), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (document), "asyncapi"), ==, "2.6.0");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/asyncapi/document", test_document);
  g_test_add ("/asyncapi/frames", Fixture, NULL, fixture_setup, test_frames, fixture_teardown);
  g_test_add_func ("/asyncapi/lacking-fields", test_lacking_fields);
  g_test_add_func ("/asyncapi/topic-template", test_topic_template);
  g_test_add_func ("/asyncapi/broker", test_broker);
  g_test_add_func ("/asyncapi/respond", test_respond);
  g_test_add ("/asyncapi/docs-link", Fixture, NULL, fixture_setup, test_docs_link, fixture_teardown);
  return g_test_run ();
}
