/* test-mqtt.c: the subjects' channels published to a real mosquitto broker
 *
 * Each test starts mosquitto on a free loopback port and subscribes with
 * a real libmosquitto client; the subjects are manual-clock simulators
 * advanced by the test, so what they make is known (docs/scale.md, "MQTT").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <math.h>

#include "heart-mqtt-publisher.h"
#include "heart-server-json.h"
#include "heart-simulator.h"
#include "test-headless-util.h"
#include "test-mqtt-util.h"
#include "test-server-util.h"

#define START_US    G_GINT64_CONSTANT (1767225600000000)  /* 2026-01-01 */
#define TICK_S      0.5

typedef struct
{
  TestBroker          broker;
  GPtrArray          *simulators;   /* HeartSimulator *, subject i is simulators[i] */
  HeartMqttPublisher *publisher;
  GHashTable         *expected;     /* topic → GPtrArray of "time|values" */
  guint               n_expected;
} Fixture;

typedef struct
{
  Fixture *fixture;
  guint    id;
} Recorder;

/* "time|v,v,…" of a message of one channel */
static char *
entry (const char         *time,
       const HeartChannel *info,
       JsonArray          *values)
{
  g_autoptr(GString) out = g_string_new (time);

  g_string_append_c (out, '|');
  for (guint i = 0; i < json_array_get_length (values); i++)
    {
      JsonNode *node = json_array_get_element (values, i);

      if (i > 0)
        g_string_append_c (out, ',');
      if (JSON_NODE_HOLDS_NULL (node))
        g_string_append (out, "null");
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        g_string_append (out, json_node_get_string (node));
      else
        heart_json_append_double (out, json_node_get_double (node), MAX (info->decimals, 0));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
expect (Fixture    *fixture,
        guint       id,
        const HeartChannelValue *value,
        gboolean    append)
{
  const HeartChannel *info = heart_channel_get (value->channel);
  g_autofree char *topic = g_strdup_printf ("heartsim/%u/%s", id, info->name);
  g_autoptr(GString) time = g_string_new (NULL);
  g_autoptr(JsonArray) values = json_array_new ();
  GPtrArray *list = g_hash_table_lookup (fixture->expected, topic);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (fixture->expected, g_strdup (topic), list);
    }
  if (info->kind == HEART_CHANNEL_KIND_LABEL)
    json_array_add_string_element (values, value->label);
  else
    json_array_add_double_element (values, value->value);
  heart_append_iso8601_ms (time, value->timestamp_us);
  if (append && list->len > 0)
    {
      /* a periodic channel's next value of the same tick: its batch */
      g_autofree char *last = g_ptr_array_steal_index (list, list->len - 1);
      g_autofree char *more = entry ("", info, values);

      g_ptr_array_add (list, g_strconcat (last, ",", more + 1, NULL));
      return;
    }
  g_ptr_array_add (list, entry (time->str, info, values));
  fixture->n_expected++;
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           Recorder                *recorder)
{
  gboolean seen[HEART_N_CHANNELS] = { FALSE };

  for (guint i = 0; i < n_values; i++)
    {
      const HeartChannel *info = heart_channel_get (values[i].channel);
      gboolean periodic = info->kind == HEART_CHANNEL_KIND_PERIODIC;

      expect (recorder->fixture, recorder->id, &values[i], periodic && seen[values[i].channel]);
      seen[values[i].channel] = TRUE;
    }
}

/* What a received message says, as an entry */
static char *
received_entry (const TestMessage *message)
{
  g_autoptr(JsonNode) root = json_from_string (message->payload, NULL);
  JsonObject *object;
  const HeartChannel *info;

  g_assert_nonnull (root);
  object = json_node_get_object (root);
  info = heart_channel_lookup (json_object_get_string_member (object, "type"));
  g_assert_nonnull (info);
  if (json_object_has_member (object, "values"))
    return entry (json_object_get_string_member (object, "t0"), info,
                  json_object_get_array_member (object, "values"));
  {
    g_autoptr(JsonArray) values = json_array_new ();

    json_array_add_element (values, json_node_copy (json_object_get_member (object, "value")));
    return entry (json_object_get_string_member (object, "timestamp"), info, values);
  }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *extra = data;

  test_broker_start (&fixture->broker, extra);
  fixture->simulators = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->publisher);
  g_ptr_array_unref (fixture->simulators);
  g_hash_table_unref (fixture->expected);
  test_broker_stop (&fixture->broker);
}

static char *
broker_url (Fixture *fixture)
{
  return g_strdup_printf ("mqtt://127.0.0.1:%u", fixture->broker.port);
}

/* @n subjects published with @options (their URL the fixture's broker's
 * when NULL), recorded as they make values */
static void
publish_subjects (Fixture          *fixture,
                  HeartMqttOptions *options,
                  guint             n)
{
  g_autoptr(GError) error = NULL;

  if (options->url == NULL)
    options->url = broker_url (fixture);
  fixture->publisher = heart_mqtt_publisher_new (options, &error);
  g_assert_no_error (error);
  for (guint id = 0; id < n; id++)
    {
      HeartSimulator *simulator = heart_simulator_new_manual (100 + id, START_US);
      Recorder *recorder = g_new (Recorder, 1);

      recorder->fixture = fixture;
      recorder->id = id;
      g_signal_connect_data (simulator, "values", G_CALLBACK (on_values), recorder,
                             (GClosureNotify) (void (*) (void)) g_free, 0);
      g_ptr_array_add (fixture->simulators, simulator);
      heart_mqtt_publisher_add_subject (fixture->publisher, id, HEART_SOURCE (simulator));
    }
  g_assert_true (heart_mqtt_publisher_start (fixture->publisher, &error));
  g_assert_no_error (error);
}

static void
advance_all (Fixture *fixture,
             guint    ticks)
{
  for (guint t = 0; t < ticks; t++)
    for (guint i = 0; i < fixture->simulators->len; i++)
      heart_simulator_advance (fixture->simulators->pdata[i], TICK_S);
}

static HeartMqttState
state_of (Fixture *fixture)
{
  return heart_mqtt_publisher_get_state (fixture->publisher);
}

/* The entries each data topic got, in arrival order; "online"/"offline"
 * of the status topics counted in @statuses */
static GHashTable *
received_by_topic (GPtrArray  *messages,
                   GHashTable *statuses)
{
  GHashTable *by_topic = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < messages->len; i++)
    {
      TestMessage *message = messages->pdata[i];
      GPtrArray *list;

      if (g_str_has_suffix (message->topic, "/status"))
        {
          if (statuses != NULL)
            g_hash_table_insert (statuses, g_strdup (message->topic), g_strdup (message->payload));
          continue;
        }
      list = g_hash_table_lookup (by_topic, message->topic);
      if (list == NULL)
        {
          list = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (by_topic, g_strdup (message->topic), list);
        }
      g_ptr_array_add (list, received_entry (message));
    }
  return by_topic;
}

/* Every expected entry arrived on its topic, in order, and nothing else */
static void
assert_received_all (Fixture    *fixture,
                     GHashTable *by_topic)
{
  GHashTableIter iter;
  gpointer topic, list;

  g_assert_cmpuint (g_hash_table_size (by_topic), ==, g_hash_table_size (fixture->expected));
  g_hash_table_iter_init (&iter, fixture->expected);
  while (g_hash_table_iter_next (&iter, &topic, &list))
    {
      GPtrArray *want = list;
      GPtrArray *got = g_hash_table_lookup (by_topic, topic);

      g_assert_nonnull (got);
      for (guint i = 0; i < MIN (want->len, got->len); i++)
        if (!g_str_equal (want->pdata[i], got->pdata[i]))
          g_error ("%s: message %u is %s, not %s", (char *) topic, i,
                   (char *) got->pdata[i], (char *) want->pdata[i]);
      g_assert_cmpuint (got->len, ==, want->len);
    }
}

static void
options_all_qos1 (HeartMqttOptions *options)
{
  heart_mqtt_options_init (options);
  g_assert_true (heart_mqtt_options_parse_qos (options, "1", NULL));
}

/* ---- tests ------------------------------------------------------------------- */

static void
every_sample (Fixture  *fixture,
              gboolean  all_qos1)
{
  HeartMqttOptions options;
  TestSubscriber *sub = test_subscriber_new (fixture->broker.port, "heartsim/#", NULL);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) by_topic = NULL;

  /* QoS 1 for every kind, or the defaults: QoS 0 for the periodic ones,
   * which libmosquitto may write before mosquitto_publish() returns */
  if (all_qos1)
    options_all_qos1 (&options);
  else
    heart_mqtt_options_init (&options);
  publish_subjects (fixture, &options, 3);
  heart_mqtt_options_clear (&options);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  /* a few hundred messages a subject: more than libmosquitto is handed at once */
  advance_all (fixture, 40);
  WAIT_FOR (test_subscriber_count_data (sub) >= fixture->n_expected
            && heart_mqtt_publisher_get_outbox (fixture->publisher) == 0);

  messages = test_subscriber_take (sub);
  by_topic = received_by_topic (messages, statuses);
  assert_received_all (fixture, by_topic);
  g_assert_cmpuint (g_hash_table_size (statuses), ==, 3);
  for (guint id = 0; id < 3; id++)
    {
      g_autofree char *topic = g_strdup_printf ("heartsim/%u/status", id);

      g_assert_cmpstr (g_hash_table_lookup (statuses, topic), ==, "online");
    }
  g_assert_cmpuint (heart_mqtt_publisher_get_published (fixture->publisher), ==, fixture->n_expected);
  g_assert_cmpuint (heart_mqtt_publisher_get_dropped (fixture->publisher), ==, 0);
  test_subscriber_free (sub);
}

static void
test_every_sample (Fixture       *fixture,
                   gconstpointer  data)
{
  every_sample (fixture, TRUE);
}

static void
test_every_sample_default_qos (Fixture       *fixture,
                               gconstpointer  data)
{
  every_sample (fixture, FALSE);
}

static guint
n_periodic (Fixture *fixture)
{
  GHashTableIter iter;
  gpointer topic;
  guint n = 0;

  g_hash_table_iter_init (&iter, fixture->expected);
  while (g_hash_table_iter_next (&iter, &topic, NULL))
    if (heart_channel_lookup (strrchr (topic, '/') + 1)->kind == HEART_CHANNEL_KIND_PERIODIC)
      n++;
  return n;
}

/* A subscriber that comes late gets each periodic channel's latest batch,
 * retained, and the subject's status; not the per-beat values */
static void
test_retained (Fixture       *fixture,
               gconstpointer  data)
{
  HeartMqttOptions options;
  TestSubscriber *sub;
  TestSubscriber *late;
  g_autoptr(GPtrArray) messages = NULL;
  GPtrArray *heart_rate;
  gboolean got_hr = FALSE, got_status = FALSE;

  heart_mqtt_options_init (&options);
  publish_subjects (fixture, &options, 1);
  heart_mqtt_options_clear (&options);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  sub = test_subscriber_new (fixture->broker.port, "heartsim/#", NULL);
  advance_all (fixture, 10);
  /* the retained messages are in the broker once the first subscriber has them all */
  WAIT_FOR (test_subscriber_count_data (sub) >= fixture->n_expected);
  test_subscriber_free (sub);

  late = test_subscriber_new (fixture->broker.port, "heartsim/0/#", NULL);
  heart_rate = g_hash_table_lookup (fixture->expected, "heartsim/0/heart_rate");
  g_assert_nonnull (heart_rate);
  WAIT_FOR (test_subscriber_count (late) >= n_periodic (fixture) + 1);
  messages = test_subscriber_take (late);
  for (guint i = 0; i < messages->len; i++)
    {
      TestMessage *message = messages->pdata[i];

      g_assert_true (message->retain);
      g_assert_false (g_str_has_suffix (message->topic, "/rr_interval"));
      if (g_str_equal (message->topic, "heartsim/0/heart_rate"))
        {
          g_autofree char *got = received_entry (message);

          g_assert_cmpstr (got, ==, heart_rate->pdata[heart_rate->len - 1]);
          got_hr = TRUE;
        }
      if (g_str_equal (message->topic, "heartsim/0/status"))
        {
          g_assert_cmpstr (message->payload, ==, "online");
          got_status = TRUE;
        }
    }
  g_assert_true (got_hr);
  g_assert_true (got_status);
  test_subscriber_free (late);
}

static void
on_notify_error (GObject    *object,
                 GParamSpec *pspec,
                 GPtrArray  *errors)
{
  g_ptr_array_add (errors, g_strdup (heart_mqtt_publisher_get_last_error (HEART_MQTT_PUBLISHER (object))));
}

/* The broker is killed while the subjects go on: what they make waits in
 * the outbox, and once the broker is back on its port the publisher
 * reconnects and delivers it, nothing lost, in order */
static void
test_broker_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  HeartMqttOptions options;
  TestSubscriber *sub = test_subscriber_new (fixture->broker.port, "heartsim/#", NULL);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) by_topic = NULL;
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  guint before;

  options_all_qos1 (&options);
  publish_subjects (fixture, &options, 2);
  heart_mqtt_options_clear (&options);
  g_signal_connect (fixture->publisher, "notify::last-error", G_CALLBACK (on_notify_error), errors);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  advance_all (fixture, 10);
  before = fixture->n_expected;
  WAIT_FOR (test_subscriber_count_data (sub) >= before);

  test_broker_kill (&fixture->broker, SIGKILL);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_RETRYING);
  g_assert_cmpuint (errors->len, >=, 1);
  g_assert_nonnull (strstr (errors->pdata[0], "lost the connection to mqtt://127.0.0.1:"));
  /* the simulation goes on: samples made and kept */
  advance_all (fixture, 20);
  g_assert_cmpuint (fixture->n_expected, >, before);
  g_assert_cmpuint (heart_mqtt_publisher_get_outbox (fixture->publisher), >, 0);

  /* back on the same port; the subscriber is subscribed again before the
   * main loop, where the publisher lives, runs */
  test_broker_spawn (&fixture->broker);
  test_subscriber_wait_subacks (sub, 2);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  advance_all (fixture, 10);
  WAIT_FOR (heart_mqtt_publisher_get_outbox (fixture->publisher) == 0
            && test_subscriber_count_data (sub) >= fixture->n_expected);

  messages = test_subscriber_take (sub);
  by_topic = received_by_topic (messages, NULL);
  assert_received_all (fixture, by_topic);
  g_assert_cmpuint (heart_mqtt_publisher_get_dropped (fixture->publisher), ==, 0);
  g_assert_cmpuint (heart_mqtt_publisher_get_reconnects (fixture->publisher), ==, 2);
  test_subscriber_free (sub);
}

/* The data messages of @messages are @n of those made, and none made is
 * missing that is newer than one that arrived: the oldest were dropped
 * (entries start with their ISO 8601 time, which sorts as text) */
static void
assert_newest_arrived (Fixture   *fixture,
                       GPtrArray *messages,
                       guint      n)
{
  g_autoptr(GHashTable) got = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *oldest = NULL;
  GHashTableIter iter;
  gpointer topic, list;

  for (guint i = 0; i < messages->len; i++)
    {
      TestMessage *message = messages->pdata[i];
      g_autofree char *got_entry = NULL;

      if (g_str_has_suffix (message->topic, "/status"))
        continue;
      got_entry = received_entry (message);
      if (oldest == NULL || strcmp (got_entry, oldest) < 0)
        {
          g_free (oldest);
          oldest = g_strndup (got_entry, strcspn (got_entry, "|"));
        }
      g_hash_table_add (got, g_strconcat (message->topic, " ", got_entry, NULL));
    }
  g_assert_cmpuint (g_hash_table_size (got), ==, n);
  g_hash_table_iter_init (&iter, fixture->expected);
  while (g_hash_table_iter_next (&iter, &topic, &list))
    for (guint i = 0; i < ((GPtrArray *) list)->len; i++)
      {
        const char *made = ((GPtrArray *) list)->pdata[i];
        g_autofree char *key = g_strconcat (topic, " ", made, NULL);

        if (!g_hash_table_contains (got, key) && strncmp (made, oldest, strlen (oldest)) > 0)
          g_error ("%s was made after %s, which arrived, and did not arrive", key, oldest);
      }
}

/* Over the outbox's bound the oldest go, counted; the newest arrive */
static void
test_outbox_drops (Fixture       *fixture,
                   gconstpointer  data)
{
  HeartMqttOptions options;
  TestSubscriber *sub;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GString) health = g_string_new (NULL);
  g_autoptr(JsonNode) root = NULL;
  guint made;

  options_all_qos1 (&options);
  options.outbox = 20;
  publish_subjects (fixture, &options, 1);
  heart_mqtt_options_clear (&options);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  test_broker_kill (&fixture->broker, SIGKILL);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_RETRYING);
  advance_all (fixture, 20);
  made = fixture->n_expected;
  g_assert_cmpuint (made, >, 20);
  g_assert_cmpuint (heart_mqtt_publisher_get_outbox (fixture->publisher), ==, 20);
  g_assert_cmpuint (heart_mqtt_publisher_get_dropped (fixture->publisher), ==, made - 20);

  test_broker_spawn (&fixture->broker);
  sub = test_subscriber_new (fixture->broker.port, "heartsim/0/#", NULL);
  WAIT_FOR (test_subscriber_count_data (sub) >= 20
            && heart_mqtt_publisher_get_outbox (fixture->publisher) == 0);
  g_assert_cmpuint (heart_mqtt_publisher_get_published (fixture->publisher), ==, 20);
  messages = test_subscriber_take (sub);
  assert_newest_arrived (fixture, messages, 20);

  heart_mqtt_publisher_append_health (fixture->publisher, health);
  root = json_from_string (health->str, NULL);
  g_assert_nonnull (root);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "state"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "dropped"), ==, made - 20);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "published"), ==, 20);
  test_subscriber_free (sub);
}

/* Nothing listens: the error says so, the subjects go on, the outbox
 * stays bounded, and a broker that appears later is found */
static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  HeartMqttOptions options;
  guint16 port = fixture->broker.port;
  const char *error;

  test_broker_kill (&fixture->broker, SIGTERM);
  heart_mqtt_options_init (&options);
  options.outbox = 5;
  publish_subjects (fixture, &options, 2);
  heart_mqtt_options_clear (&options);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_RETRYING);
  error = heart_mqtt_publisher_get_last_error (fixture->publisher);
  g_assert_nonnull (strstr (error, "cannot connect to mqtt://127.0.0.1:"));
  g_assert_nonnull (strstr (error, g_strerror (ECONNREFUSED)));

  advance_all (fixture, 20);
  g_assert_cmpfloat (heart_source_get_current_sample (fixture->simulators->pdata[0])->t_s, >=, 9.5);
  g_assert_cmpuint (heart_mqtt_publisher_get_outbox (fixture->publisher), ==, 10);
  g_assert_cmpuint (heart_mqtt_publisher_get_dropped (fixture->publisher), ==, fixture->n_expected - 10);

  g_assert_cmpuint (fixture->broker.port, ==, port);
  test_broker_spawn (&fixture->broker);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
}

static void
assert_refused_option (HeartMqttOptions *options,
                       const char       *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartMqttPublisher) publisher = heart_mqtt_publisher_new (options, &error);

  g_assert_null (publisher);
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("“%s” does not name “%s”", error->message, needle);
}

static void
test_bad_options (void)
{
  const char *urls[][2] = {
    { "http://127.0.0.1:1883", "scheme" },
    { "mqtt://", "no host" },
    { "mqtt://127.0.0.1:99999", "mqtt://127.0.0.1:99999" },
    { "mqtt://127.0.0.1:1883/topic", "path" },
    { "mqtt://user@127.0.0.1", "--mqtt-username" },
    { "127.0.0.1:1883", "127.0.0.1:1883" },
  };
  HeartMqttOptions options;
  g_autoptr(GError) error = NULL;

  heart_mqtt_options_init (&options);
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_free (options.url);
      options.url = g_strdup (urls[i][0]);
      assert_refused_option (&options, "--mqtt");
      assert_refused_option (&options, urls[i][1]);
    }

  g_free (options.url);
  options.url = g_strdup ("mqtts://127.0.0.1");
  options.ca_file = g_strdup ("no-such-ca.pem");
  assert_refused_option (&options, "--mqtt-ca");
  assert_refused_option (&options, "no-such-ca.pem");
  g_clear_pointer (&options.ca_file, g_free);
  options.cert_file = g_strdup ("no-such-cert.pem");
  assert_refused_option (&options, "--mqtt-cert");
  g_clear_pointer (&options.cert_file, g_free);

  g_free (options.url);
  options.url = g_strdup ("mqtt://127.0.0.1");
  options.topic = g_strdup ("heartsim/{channel}");
  assert_refused_option (&options, "{subject}");
  g_free (options.topic);
  options.topic = g_strdup ("heartsim/+/{subject}/{channel}");
  assert_refused_option (&options, "--mqtt-topic");
  g_clear_pointer (&options.topic, g_free);
  options.password = g_strdup ("secret");
  assert_refused_option (&options, "--mqtt-username");

  g_assert_false (heart_mqtt_options_parse_qos (&options, "2", &error));
  g_assert_nonnull (strstr (error->message, "--mqtt-qos"));
  g_clear_error (&error);
  g_assert_false (heart_mqtt_options_parse_qos (&options, "periodic=1,beats=0", &error));
  g_assert_nonnull (strstr (error->message, "beats"));
  g_clear_error (&error);
  g_assert_true (heart_mqtt_options_parse_qos (&options, "periodic=1,label=0", &error));
  g_assert_cmpuint (options.qos[HEART_CHANNEL_KIND_PERIODIC], ==, 1);
  g_assert_cmpuint (options.qos[HEART_CHANNEL_KIND_LABEL], ==, 0);
  g_assert_false (heart_mqtt_options_parse_format (&options, "xml", &error));
  g_assert_nonnull (strstr (error->message, "--mqtt-format"));
  heart_mqtt_options_clear (&options);
}

/* SenML packs: a name, a registered unit, base time and values */
static void
test_senml (Fixture       *fixture,
            gconstpointer  data)
{
  HeartMqttOptions options;
  TestSubscriber *sub = test_subscriber_new (fixture->broker.port, "heartsim/0/heart_rate", NULL);
  g_autoptr(GPtrArray) messages = NULL;
  GPtrArray *want;
  JsonArray *pack;
  JsonObject *record;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) time = g_string_new (NULL);

  heart_mqtt_options_init (&options);
  g_assert_true (heart_mqtt_options_parse_format (&options, "senml", NULL));
  publish_subjects (fixture, &options, 1);
  heart_mqtt_options_clear (&options);
  WAIT_FOR (state_of (fixture) == HEART_MQTT_STATE_CONNECTED);
  advance_all (fixture, 4);
  want = g_hash_table_lookup (fixture->expected, "heartsim/0/heart_rate");
  WAIT_FOR (test_subscriber_count (sub) >= want->len);
  messages = test_subscriber_take (sub);
  root = json_from_string (((TestMessage *) messages->pdata[0])->payload, NULL);
  g_assert_nonnull (root);
  pack = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (pack), ==, 1);
  record = json_array_get_object_element (pack, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "bn"), ==, "heartsim:0:");
  g_assert_cmpstr (json_object_get_string_member (record, "n"), ==, "heart_rate");
  g_assert_cmpstr (json_object_get_string_member (record, "u"), ==, "beat/min");
  heart_append_iso8601_ms (time, (gint64) llround (json_object_get_double_member (record, "bt") * 1e6));
  {
    g_autofree char *got = NULL;
    g_autoptr(JsonArray) values = json_array_new ();

    json_array_add_double_element (values, json_object_get_double_member (record, "v"));
    got = entry (time->str, heart_channel_get (HEART_CHANNEL_HEART_RATE), values);
    g_assert_cmpstr (got, ==, want->pdata[0]);
  }
  test_subscriber_free (sub);
}

/* The real binary, killed: the broker says "offline" for each of its
 * subjects, as their wills */
static void
test_last_will (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *url = broker_url (fixture);
  const char *argv[] = { g_getenv ("HEARTSIM_BINARY"), "--headless", "--port", "0", "--subjects", "3",
                         "--mqtt", url, NULL };
  TestSubscriber *sub = test_subscriber_new (fixture->broker.port, "heartsim/+/status", NULL);
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_assert_nonnull (argv[0]);
  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 test_broker_child_setup, NULL, &pid, &error);
  g_assert_no_error (error);
  WAIT_FOR (test_subscriber_count (sub) >= 3);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
  WAIT_FOR (test_subscriber_count (sub) >= 6);
  {
    g_autoptr(GPtrArray) messages = test_subscriber_take (sub);
    g_autoptr(GHashTable) statuses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) by_topic = received_by_topic (messages, statuses);

    for (guint i = 0; i < 3; i++)
      g_assert_cmpstr (((TestMessage *) messages->pdata[i])->payload, ==, "online");
    g_assert_cmpuint (g_hash_table_size (statuses), ==, 3);
    for (guint id = 0; id < 3; id++)
      {
        g_autofree char *topic = g_strdup_printf ("heartsim/%u/status", id);

        g_assert_cmpstr (g_hash_table_lookup (statuses, topic), ==, "offline");
      }
  }
  test_subscriber_free (sub);
}

/* `heartsim --headless --subjects 2 --mqtt URL` says how publishing goes
 * in /health, and /asyncapi.json names its broker and topics */
static void
test_headless_health (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url = broker_url (fixture);
  const char * const args[] = { "--subjects", "2", "--mqtt", url, "--mqtt-topic", "lab/{subject}/{channel}", NULL };
  TestSubscriber *sub = test_subscriber_new (fixture->broker.port, "lab/1/heart_rate", NULL);
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) health = NULL, asyncapi = NULL;
  g_autoptr(JsonNode) answer = NULL, document = NULL;
  JsonObject *mqtt, *channels;

  if (!test_headless_start (&headless, G_SUBPROCESS_FLAGS_STDERR_SILENCE, test_headless_default_signals, NULL, args))
    return;
  WAIT_FOR (test_subscriber_count (sub) >= 2);
  health = test_request (session, "GET", headless.port, "/health", NULL);
  answer = test_reply_json (health);
  mqtt = json_object_get_object_member (json_node_get_object (answer), "mqtt");
  g_assert_nonnull (mqtt);
  g_assert_cmpstr (json_object_get_string_member (mqtt, "state"), ==, "connected");
  g_assert_cmpint (json_object_get_int_member (mqtt, "published"), >=, 2);
  g_assert_cmpint (json_object_get_int_member (mqtt, "dropped"), ==, 0);

  asyncapi = test_request (session, "GET", headless.port, "/asyncapi.json", NULL);
  document = test_reply_json (asyncapi);
  channels = json_object_get_object_member (json_node_get_object (document), "channels");
  g_assert_true (json_object_has_member (channels, "lab/{subject}/heart_rate"));
  g_assert_false (json_object_has_member (channels, "heartsim/{subject}/heart_rate"));

  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited);
  test_headless_clear (&headless);
  test_subscriber_free (sub);
}

/* More subjects than the process may hold connections for: one clear
 * line and exit status 2 before anything listens, not a crash halfway */
static void
test_descriptors (void)
{
  const char *binary = g_getenv ("HEARTSIM_BINARY");
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (binary == NULL)
    {
      g_test_skip ("HEARTSIM_BINARY is not set");
      return;
    }
  script = g_strdup_printf ("ulimit -n 256 && ulimit -Hn 256 && exec '%s' --headless --port 0 --subjects 100 "
                            "--mqtt mqtt://127.0.0.1:1", binary);
  g_spawn_sync (NULL, (char *[]) { (char *) "/bin/sh", (char *) "-c", script, NULL }, NULL,
                G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "100 subjects need about"));
  g_assert_nonnull (strstr (err, "--subject-offset"));
}

static void
run_openssl (const char *dir,
             const char *command)
{
  g_autofree char *line = g_strdup_printf ("openssl %s", command);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_true (g_shell_parse_argv (line, NULL, &argv, NULL));
  g_spawn_sync (dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: %s", line, err);
}

/* A CA, and a server and a client certificate it signs (EC keys: quick) */
static void
make_certificates (const char *dir)
{
  const char *names[][2] = { { "server", "127.0.0.1" }, { "client", "heartsim-test-client" } };
  g_autofree char *ext = g_build_filename (dir, "san.ext", NULL);

  g_assert_true (g_file_set_contents (ext, "subjectAltName=IP:127.0.0.1\n", -1, NULL));
  run_openssl (dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                    "-keyout ca.key -out ca.pem -days 2 -subj /CN=heartsim-test-ca");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *req = g_strdup_printf ("req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                                              "-keyout %s.key -out %s.csr -subj /CN=%s",
                                              names[i][0], names[i][0], names[i][1]);
      g_autofree char *sign = g_strdup_printf ("x509 -req -in %s.csr -CA ca.pem -CAkey ca.key "
                                               "-CAcreateserial -out %s.pem -days 2 -extfile san.ext",
                                               names[i][0], names[i][0]);

      run_openssl (dir, req);
      run_openssl (dir, sign);
    }
}

/* mqtts with a CA and a client certificate the broker requires; without
 * the client certificate the connection is refused and said so */
static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("heartsim-tls-XXXXXX", &error);
  g_autofree char *extra = NULL;
  g_autoptr(HeartMqttPublisher) refused = NULL;
  HeartMqttOptions options;
  Fixture fixture = { { 0 } };
  TestSubscriber *sub;

  g_assert_no_error (error);
  make_certificates (dir);
  extra = g_strdup_printf ("listener %%PORT%% 127.0.0.1\ncafile %s/ca.pem\ncertfile %s/server.pem\n"
                           "keyfile %s/server.key\nrequire_certificate true\n", dir, dir, dir);
  fixture_set_up (&fixture, extra);
  sub = test_subscriber_new (fixture.broker.port, "heartsim/#", dir);

  options_all_qos1 (&options);
  options.url = g_strdup_printf ("mqtts://127.0.0.1:%u", fixture.broker.port);
  options.ca_file = g_build_filename (dir, "ca.pem", NULL);
  options.cert_file = g_build_filename (dir, "client.pem", NULL);
  options.key_file = g_build_filename (dir, "client.key", NULL);
  publish_subjects (&fixture, &options, 1);
  WAIT_FOR (state_of (&fixture) == HEART_MQTT_STATE_CONNECTED);
  advance_all (&fixture, 10);
  WAIT_FOR (test_subscriber_count_data (sub) >= fixture.n_expected);
  {
    g_autoptr(GPtrArray) messages = test_subscriber_take (sub);
    g_autoptr(GHashTable) by_topic = received_by_topic (messages, NULL);

    assert_received_all (&fixture, by_topic);
  }

  g_clear_pointer (&options.cert_file, g_free);
  g_clear_pointer (&options.key_file, g_free);
  refused = heart_mqtt_publisher_new (&options, &error);
  g_assert_no_error (error);
  heart_mqtt_publisher_add_subject (refused, 7, fixture.simulators->pdata[0]);
  g_assert_true (heart_mqtt_publisher_start (refused, &error));
  WAIT_FOR (heart_mqtt_publisher_get_state (refused) == HEART_MQTT_STATE_RETRYING);
  g_assert_nonnull (strstr (heart_mqtt_publisher_get_last_error (refused), "cannot connect to mqtts://127.0.0.1:"));
  heart_mqtt_options_clear (&options);

  test_subscriber_free (sub);
  fixture_tear_down (&fixture, NULL);
  test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *binary = test_mosquitto_binary ();

  g_test_init (&argc, &argv, NULL);
  if (binary == NULL)
    {
      g_test_skip ("mosquitto is not installed (build-aux/install-deps.sh test installs it)");
      return g_test_run ();
    }
  g_test_add_func ("/mqtt/bad-options", test_bad_options);
  g_test_add ("/mqtt/every-sample", Fixture, NULL, fixture_set_up, test_every_sample, fixture_tear_down);
  g_test_add ("/mqtt/every-sample-default-qos", Fixture, NULL, fixture_set_up, test_every_sample_default_qos,
              fixture_tear_down);
  g_test_add ("/mqtt/retained", Fixture, NULL, fixture_set_up, test_retained, fixture_tear_down);
  g_test_add ("/mqtt/broker-restart", Fixture, NULL, fixture_set_up, test_broker_restart, fixture_tear_down);
  g_test_add ("/mqtt/outbox-drops", Fixture, NULL, fixture_set_up, test_outbox_drops, fixture_tear_down);
  g_test_add ("/mqtt/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/mqtt/last-will", Fixture, NULL, fixture_set_up, test_last_will, fixture_tear_down);
  g_test_add_func ("/mqtt/tls", test_tls);
  g_test_add_func ("/mqtt/descriptors", test_descriptors);
  g_test_add ("/mqtt/headless-health", Fixture, NULL, fixture_set_up, test_headless_health, fixture_tear_down);
  g_test_add ("/mqtt/senml", Fixture, NULL, fixture_set_up, test_senml, fixture_tear_down);
  return g_test_run ();
}
