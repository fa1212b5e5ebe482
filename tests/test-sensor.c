/* test-sensor.c: HeartSensor against a mocked BlueZ on a private bus
 *
 * Each test starts its own session bus (GTestDBus) and python3-dbusmock's
 * bluez5 template on it, adds an adapter and a strap, and the Heart Rate
 * service and characteristic the template does not have (through dbusmock's
 * org.freedesktop.DBus.Mock), then sends notifications as BlueZ does:
 * PropertiesChanged on the characteristic's Value. docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "heart-gatt.h"
#include "heart-hrv.h"
#include "heart-history.h"
#include "heart-sensor.h"
#include "heart-sensor-scanner.h"
#include "heart-server.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"
#include "test-bluez-util.h"
#include "test-server-util.h"

#define WAIT_MS        MOCK_BLUEZ_WAIT_MS
#define ADDRESS        "AA:BB:CC:DD:EE:01"
#define DEVICE_PATH    "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_01"
#define SERVICE_PATH   DEVICE_PATH "/service000c"
#define CHAR_PATH      SERVICE_PATH "/char000d"

typedef struct
{
  MockBluez        mock;
  HeartSensor     *sensor;
  GPtrArray       *beats;     /* of HeartBeat */
  guint            samples;
  HeartSample      last;
  guint            problems;
  guint64          seq_when_connected;
  gpointer         lines;     /* of heartsim's stderr */
} Fixture;

/* Runs the main loop until @done or WAIT_MS; FALSE when the time ran out */
static gboolean
wait_for (gboolean (*done) (Fixture *f, gconstpointer data),
          Fixture       *f,
          gconstpointer  data,
          guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, mock_bluez_expire, &expired);

  while (!done (f, data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return done (f, data);
}

static void
call_void (Fixture    *f,
           const char *path,
           const char *interface,
           const char *method,
           GVariant   *parameters)
{
  mock_bluez_call_void (&f->mock, path, interface, method, parameters);
}

static void
start_mock (Fixture *f)
{
  mock_bluez_start (&f->mock);
}

static void
add_device (Fixture *f)
{
  mock_bluez_add_strap (&f->mock, ADDRESS, "Test strap");
}

static void
on_beat (HeartSource     *source,
         const HeartBeat *beat,
         Fixture         *f)
{
  g_ptr_array_add (f->beats, heart_beat_copy (beat));
}

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           Fixture           *f)
{
  f->samples++;
  f->last = *sample;
}

static void
on_problem (HeartSensor  *sensor,
            const GError *error,
            Fixture      *f)
{
  g_assert_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, ADDRESS));
  f->problems++;
}

static void
on_state (HeartSensor *sensor,
          GParamSpec  *pspec,
          Fixture     *f)
{
  if (g_str_equal (heart_sensor_get_state (sensor), "connected"))
    f->seq_when_connected = heart_source_get_current_sample (HEART_SOURCE (sensor))->seq;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  mock_bluez_up (&f->mock);
  f->beats = g_ptr_array_new_with_free_func ((GDestroyNotify) heart_beat_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->sensor);
  mock_bluez_down (&f->mock);
  g_ptr_array_unref (f->beats);
}

static void
start_sensor (Fixture    *f,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  f->sensor = heart_sensor_new (address, f->mock.connection, &error);
  g_assert_no_error (error);
  g_signal_connect (f->sensor, "beat", G_CALLBACK (on_beat), f);
  g_signal_connect (f->sensor, "sample", G_CALLBACK (on_sample), f);
  g_signal_connect (f->sensor, "problem", G_CALLBACK (on_problem), f);
  g_signal_connect (f->sensor, "notify::state", G_CALLBACK (on_state), f);
  heart_source_set_running (HEART_SOURCE (f->sensor), TRUE);
}

static gboolean
state_is (Fixture       *f,
          gconstpointer  state)
{
  return g_strcmp0 (heart_sensor_get_state (f->sensor), state) == 0;
}

static gboolean
has_beats (Fixture       *f,
           gconstpointer  n)
{
  return f->beats->len >= GPOINTER_TO_UINT (n);
}

static gboolean
has_samples (Fixture       *f,
             gconstpointer  n)
{
  return f->samples >= GPOINTER_TO_UINT (n);
}

static gboolean
has_problems (Fixture       *f,
              gconstpointer  n)
{
  return f->problems >= GPOINTER_TO_UINT (n);
}

static void
notify (Fixture      *f,
        const guint8 *value,
        gsize         length)
{
  mock_bluez_notify (&f->mock, ADDRESS, value, length);
}

/* 75 bpm with the RRs @raw (1/1024 s) */
static void
notify_rr (Fixture     *f,
           const guint *raw,
           guint        n)
{
  guint8 value[2 + 2 * 8] = { 0x16, 75 };   /* RR, contact detected */

  g_assert_cmpuint (n, <=, 8);
  for (guint i = 0; i < n; i++)
    {
      value[2 + 2 * i] = raw[i] & 0xff;
      value[3 + 2 * i] = raw[i] >> 8;
    }
  notify (f, value, 2 + 2 * n);
}

static gboolean
reason_has (Fixture       *f,
            gconstpointer  text)
{
  const char *reason = heart_sensor_get_unavailable_reason (f->sensor);

  return reason != NULL && strstr (reason, text) != NULL;
}

/* No BlueZ on the bus: the sensor says so, and when BlueZ and an adapter
 * come, it goes on by itself */
static void
test_no_bluez (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartSensor) bad = heart_sensor_new ("not-an-address", f->mock.connection, &error);

  g_assert_null (bad);
  g_assert_error (error, HEART_SENSOR_ERROR, HEART_SENSOR_ERROR_ADDRESS);

  start_sensor (f, "any");
  g_assert_true (wait_for (state_is, f, "unavailable", WAIT_MS));
  g_assert_nonnull (strstr (heart_sensor_get_unavailable_reason (f->sensor), "BlueZ"));

  start_mock (f);
  g_assert_true (wait_for (reason_has, f, "No Bluetooth adapter", WAIT_MS));
  mock_bluez_add_adapter (&f->mock);
  g_assert_true (wait_for (state_is, f, "searching", WAIT_MS));
  g_assert_null (heart_sensor_get_unavailable_reason (f->sensor));
  add_device (f);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
}

/* The adapter goes while a strap is connected, and comes back */
static void
test_adapter_removed (Fixture       *f,
                      gconstpointer  data)
{
  const guint raw[] = { 800 };

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  start_sensor (f, ADDRESS);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  mock_bluez_call_void (&f->mock, "/", BLUEZ_MOCK_IFACE, "RemoveAdapterWithDevices", g_variant_new ("(s)", "hci0"));
  g_assert_true (wait_for (reason_has, f, "No Bluetooth adapter", WAIT_MS));
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (has_beats, f, GUINT_TO_POINTER (1), WAIT_MS));
}

/* ------------------------------------------------------------- the scanner */

typedef struct
{
  HeartSensorScanner *scanner;
  guint               n;
} ScannerWait;

static gboolean
scanner_available (gpointer data)
{
  return heart_sensor_scanner_get_available (data);
}

static gboolean
scanner_answered (gpointer data)
{
  return heart_sensor_scanner_get_unavailable_reason (data) != NULL || heart_sensor_scanner_get_available (data);
}

static gboolean
scanner_discovering (gpointer data)
{
  return heart_sensor_scanner_get_discovering (data);
}

static gboolean
scanner_not_discovering (gpointer data)
{
  return !heart_sensor_scanner_get_discovering (data);
}

static gboolean
scanner_has (gpointer data)
{
  ScannerWait *wait = data;

  return g_list_model_get_n_items (G_LIST_MODEL (wait->scanner)) == wait->n;
}

static gboolean
discovery_filtered (MockBluez *mock)
{
  g_autoptr(GVariant) reply = mock_bluez_call (mock, "/org/bluez/hci0", "org.freedesktop.DBus.Properties", "Get",
                                               g_variant_new ("(ss)", "org.bluez.Adapter1", "Discoverable"));
  g_autoptr(GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  /* the template marks a discovery started after a filter so */
  return g_variant_get_boolean (value);
}

static void
test_scanner (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(HeartSensorScanner) scanner = NULL;
  g_autoptr(HeartSensorDevice) device = NULL;
  ScannerWait wait;

  start_mock (f);
  scanner = heart_sensor_scanner_new (f->mock.connection);
  g_assert_true (mock_bluez_wait (scanner_answered, scanner, WAIT_MS));
  g_assert_false (heart_sensor_scanner_get_available (scanner));
  g_assert_nonnull (strstr (heart_sensor_scanner_get_unavailable_reason (scanner), "No Bluetooth adapter"));

  /* asked before there is an adapter: it starts once there is one */
  heart_sensor_scanner_set_discovering (scanner, TRUE);
  mock_bluez_add_adapter (&f->mock);
  g_assert_true (mock_bluez_wait (scanner_available, scanner, WAIT_MS));
  g_assert_null (heart_sensor_scanner_get_unavailable_reason (scanner));
  g_assert_true (mock_bluez_wait (scanner_discovering, scanner, WAIT_MS));
  g_assert_true (discovery_filtered (&f->mock));

  /* a strap is listed; a device without the Heart Rate service is not */
  g_variant_unref (mock_bluez_call (&f->mock, "/", BLUEZ_MOCK_IFACE, "AddDevice",
                                    g_variant_new ("(sss)", "hci0", "AA:BB:CC:DD:EE:77", "Headphones")));
  mock_bluez_add_strap (&f->mock, ADDRESS, "Test strap");
  wait = (ScannerWait) { scanner, 1 };
  g_assert_true (mock_bluez_wait (scanner_has, &wait, WAIT_MS));
  device = g_list_model_get_item (G_LIST_MODEL (scanner), 0);
  g_assert_cmpstr (heart_sensor_device_get_address (device), ==, ADDRESS);
  g_assert_cmpstr (heart_sensor_device_get_name (device), ==, "Test strap");
  g_assert_false (heart_sensor_device_get_connected (device));

  /* gone from BlueZ, gone from the list */
  mock_bluez_call_void (&f->mock, "/org/bluez/hci0", "org.bluez.Adapter1", "RemoveDevice",
                        g_variant_new ("(o)", DEVICE_PATH));
  wait.n = 0;
  g_assert_true (mock_bluez_wait (scanner_has, &wait, WAIT_MS));

  heart_sensor_scanner_set_discovering (scanner, FALSE);
  g_assert_true (mock_bluez_wait (scanner_not_discovering, scanner, WAIT_MS));
  g_assert_false (discovery_filtered (&f->mock));
}

/* --------------------------------------------------------- POST /source */

static void
test_post_source (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (7);
  g_autoptr(HeartSourceSwitch) source = heart_source_switch_new (HEART_SOURCE (simulator));
  g_autoptr(HeartHistory) history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  g_autoptr(HeartServer) server = NULL;
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(TestReply) reply = NULL;
  g_autoptr(JsonNode) json = NULL;
  const guint raw[] = { 800 };
  HeartSource *current;
  guint port;

  heart_source_set_running (HEART_SOURCE (source), TRUE);
  heart_history_follow (history, G_OBJECT (source));
  server = g_object_new (HEART_TYPE_SERVER, "simulator", simulator, "source", source, "history", history,
                         "bluez-connection", f->mock.connection, NULL);
  heart_server_set_port (server, 0);
  g_assert_true (heart_server_start (server, &error));
  port = heart_server_get_port (server);

  /* no BlueZ: 409 with the reason, and the simulation goes on */
  reply = test_request (session, SOUP_METHOD_POST, port, "/source?kind=sensor", NULL);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_CONFLICT);
  g_assert_nonnull (strstr (json_node_get_string (json_object_get_member (json_node_get_object (
                                                    json = test_reply_json (reply)), "detail")), "BlueZ"));
  g_assert_true (heart_source_switch_get_source (source) == HEART_SOURCE (simulator));
  g_clear_pointer (&reply, test_reply_free);
  g_clear_pointer (&json, json_node_unref);

  /* not an address: 422 naming the field */
  reply = test_request (session, SOUP_METHOD_POST, port, "/source?kind=sensor&address=AA:BB", NULL);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_clear_pointer (&reply, test_reply_free);

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  reply = test_request (session, SOUP_METHOD_POST, port, "/source?kind=sensor&address=" ADDRESS, NULL);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  json = test_reply_json (reply);
  g_assert_cmpstr (test_json_string (json, "kind"), ==, "sensor");
  g_assert_cmpstr (test_json_string (json, "address"), ==, ADDRESS);
  g_clear_pointer (&reply, test_reply_free);
  g_clear_pointer (&json, json_node_unref);
  current = heart_source_switch_get_source (source);
  g_assert_true (HEART_IS_SENSOR (current));
  f->sensor = g_object_ref (HEART_SENSOR (current));
  g_assert_true (heart_source_get_running (current));

  /* the strap's notifications reach the API */
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  g_signal_connect (f->sensor, "sample", G_CALLBACK (on_sample), f);
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (has_samples, f, GUINT_TO_POINTER (1), WAIT_MS));
  reply = test_request (session, SOUP_METHOD_GET, port, "/heartbeat/current", NULL);
  json = test_reply_json (reply);
  g_assert_cmpint (test_json_int (json, "bpm"), ==, 75);
  g_clear_pointer (&reply, test_reply_free);
  g_clear_pointer (&json, json_node_unref);
  reply = test_request (session, SOUP_METHOD_GET, port, "/source", NULL);
  json = test_reply_json (reply);
  g_assert_cmpstr (test_json_string (json, "state"), ==, "connected");
  g_assert_cmpstr (test_json_string (json, "contact"), ==, "detected");
  g_assert_cmpint (test_json_int (json, "battery_percent"), ==, 87);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (json), "device"),
                                                  "name"), ==, "Test strap");
  g_clear_pointer (&reply, test_reply_free);

  /* and back to the simulation */
  g_clear_object (&f->sensor);
  reply = test_request (session, SOUP_METHOD_POST, port, "/source?kind=simulator", NULL);
  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  g_assert_true (heart_source_switch_get_source (source) == HEART_SOURCE (simulator));

  soup_session_abort (session);
  heart_server_stop (server);
  heart_server_wait_closed (server, 1000);
}

static void
test_beats_and_samples (Fixture       *f,
                        gconstpointer  address)
{
  const guint raw1[] = { 819 };
  const guint raw2[] = { 870, 790, 845 };
  const guint8 broken[] = { 0x10, 75, 0x00 };
  double rr[4];
  guint seen;

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  start_sensor (f, address);
  /* not connected: the sensor asks BlueZ to connect it, then subscribes */
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  g_assert_cmpstr (heart_sensor_get_device_address (f->sensor), ==, ADDRESS);
  g_assert_cmpstr (heart_sensor_get_device_name (f->sensor), ==, "Test strap");
  g_assert_cmpint (heart_sensor_get_battery (f->sensor), ==, 87);

  notify_rr (f, raw1, G_N_ELEMENTS (raw1));
  notify_rr (f, raw2, G_N_ELEMENTS (raw2));
  g_assert_true (wait_for (has_beats, f, GUINT_TO_POINTER (4), WAIT_MS));
  g_assert_cmpuint (f->beats->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const HeartBeat *beat = f->beats->pdata[i];

      rr[i] = (i == 0 ? raw1[0] : raw2[i - 1]) * 1000.0 / 1024.0;
      g_assert_cmpfloat_with_epsilon (beat->rr_ms, rr[i], 1e-9);
      if (i > 0)
        g_assert_cmpfloat (beat->t_s, >, ((const HeartBeat *) f->beats->pdata[i - 1])->t_s);
    }
  g_assert_cmpstr (heart_sensor_get_contact (f->sensor), ==, "detected");

  seen = f->samples;
  g_assert_true (wait_for (has_samples, f, GUINT_TO_POINTER (seen + 1), WAIT_MS));
  g_assert_cmpint (f->last.bpm, ==, 75);
  g_assert_cmpfloat_with_epsilon (f->last.rr_ms, rr[3], 1e-9);
  g_assert_cmpfloat_with_epsilon (f->last.rmssd_ms, heart_hrv_rmssd (rr, 4), 1e-9);
  g_assert_cmpfloat_with_epsilon (f->last.channels[HEART_CHANNEL_HEART_RATE], 75, 1e-9);
  /* what a strap does not measure is null */
  g_assert_true (isnan (f->last.stress_level));
  g_assert_true (isnan (f->last.channels[HEART_CHANNEL_RESPIRATORY_RATE]));
  g_assert_true (isnan (f->last.channels[HEART_CHANNEL_EDA]));
  g_assert_cmpuint (f->last.seq, ==, heart_source_get_current_sample (HEART_SOURCE (f->sensor))->seq);

  /* a malformed value is reported and skipped; the next one counts */
  notify (f, broken, sizeof broken);
  notify_rr (f, raw1, G_N_ELEMENTS (raw1));
  g_assert_true (wait_for (has_problems, f, GUINT_TO_POINTER (1), WAIT_MS));
  g_assert_true (wait_for (has_beats, f, GUINT_TO_POINTER (5), WAIT_MS));
  g_assert_cmpuint (f->problems, ==, 1);
  g_assert_cmpuint (heart_sensor_get_skipped (f->sensor), ==, 1);
  g_assert_cmpuint (f->beats->len, ==, 5);
}

static void
test_disconnect (Fixture       *f,
                 gconstpointer  data)
{
  const guint raw[] = { 800, 810 };
  guint64 last_seq;
  guint n;

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  start_sensor (f, ADDRESS);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (has_samples, f, GUINT_TO_POINTER (1), WAIT_MS));

  /* the link drops: the state says so and the last sample stays current */
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Disconnect", NULL);
  g_assert_true (wait_for (state_is, f, "disconnected", WAIT_MS));
  last_seq = heart_source_get_current_sample (HEART_SOURCE (f->sensor))->seq;
  n = f->samples;
  /* it comes back by itself (the sensor asks BlueZ to reconnect), and no
   * sample was made while it was away */
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  g_assert_cmpuint (f->seq_when_connected, ==, last_seq);
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (has_beats, f, GUINT_TO_POINTER (4), WAIT_MS));
  g_assert_true (wait_for (has_samples, f, GUINT_TO_POINTER (n + 1), WAIT_MS));

  /* the device goes away altogether (BlueZ takes its services with it),
   * then BlueZ finds it again */
  call_void (f, "/", MOCK_IFACE, "RemoveObject", g_variant_new ("(s)", CHAR_PATH));
  call_void (f, "/", MOCK_IFACE, "RemoveObject", g_variant_new ("(s)", SERVICE_PATH));
  call_void (f, "/org/bluez/hci0", "org.bluez.Adapter1", "RemoveDevice",
             g_variant_new ("(o)", DEVICE_PATH));
  g_assert_true (wait_for (state_is, f, "disconnected", WAIT_MS));
  add_device (f);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (has_beats, f, GUINT_TO_POINTER (6), WAIT_MS));
}

/* Dropped while calls to BlueZ are in flight: they are cancelled and
 * nothing touches the object afterwards (no crash under valgrind either) */
static void
test_dispose_while_busy (Fixture       *f,
                         gconstpointer  data)
{
  const guint raw[] = { 800 };
  gboolean expired = FALSE;

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  start_sensor (f, ADDRESS);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Disconnect", NULL);
  g_assert_true (wait_for (state_is, f, "disconnected", WAIT_MS));
  /* a snapshot or a reconnection is under way, and a timer is set */
  g_clear_object (&f->sensor);
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Connect", NULL);
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_timeout_add (300, mock_bluez_expire, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->beats->len, ==, 0);
}

/* ---------------------------------------------------------- heartsim --headless */

typedef struct
{
  GDataInputStream *in;
  GString          *text;    /* stderr so far */
  gboolean          reading;
  gboolean          eof;
} Lines;

static void
line_read (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lines *lines = user_data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (lines->in, result, NULL, NULL);

  lines->reading = FALSE;
  if (line == NULL)
    {
      lines->eof = TRUE;
      return;
    }
  g_string_append_printf (lines->text, "%s\n", line);
}

static gboolean
stderr_has (Fixture       *f,
            gconstpointer  data)
{
  Lines *lines = f->lines;

  if (strstr (lines->text->str, data) != NULL || lines->eof)
    return TRUE;
  if (!lines->reading)
    {
      lines->reading = TRUE;
      g_data_input_stream_read_line_async (lines->in, G_PRIORITY_DEFAULT, NULL, line_read, lines);
    }
  return FALSE;
}

/* @stdout_flag: G_SUBPROCESS_FLAGS_STDOUT_PIPE to read its banner */
static GSubprocess *
spawn_heartsim (const char        *bus_address,
                GSubprocessFlags   stdout_flag,
                GError           **error,
                ...)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (stdout_flag | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  /* the private bus stands for the system bus BlueZ is on */
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", bus_address, TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("HEARTSIM_BINARY"));
  g_ptr_array_add (argv, "--headless");
  g_ptr_array_add (argv, "--port");
  g_ptr_array_add (argv, "0");
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static int
heartsim_status (Fixture *f,
                 ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;
  const char *args[5] = { NULL };
  va_list ap;

  va_start (ap, f);
  for (guint i = 0; i < 4 && (args[i] = va_arg (ap, const char *)) != NULL; i++)
    ;
  va_end (ap);
  process = spawn_heartsim (f->mock.address, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                            args[0], args[1], args[2], args[3], NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_test_message ("heartsim: %s", err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* The port from heartsim's banner on its stdout */
static guint
read_port (GSubprocess *process)
{
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  const char *prefix;

  g_assert_no_error (error);
  g_assert_nonnull (line);
  prefix = strstr (line, "http://127.0.0.1:");
  g_assert_nonnull (prefix);
  return (guint) g_ascii_strtoull (prefix + strlen ("http://127.0.0.1:"), NULL, 10);
}

/* GET /heartbeat/current (port @data) has the strap's 75 bpm and the RR
 * of 800/1024 s */
static gboolean
current_is (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/heartbeat/current", GPOINTER_TO_UINT (data));
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *sample;

  if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL))
    return FALSE;
  sample = json_node_get_object (json_parser_get_root (parser));
  return json_object_get_int_member_with_default (sample, "bpm", 0) == 75 &&
         fabs (json_object_get_double_member_with_default (sample, "rr_ms", 0) - 800 * 1000.0 / 1024) < 0.06;
}

static gboolean
health_ok (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/health", GPOINTER_TO_UINT (data));
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);
  g_autofree char *text = NULL;

  if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    return FALSE;
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return strstr (text, "\"state\":\"unavailable\"") != NULL;
}

static void
test_headless (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) heartsim = NULL;
  Lines lines = { .text = g_string_new (NULL) };
  const guint raw[] = { 800 };
  guint port;

  if (g_getenv ("HEARTSIM_BINARY") == NULL)
    {
      g_test_skip ("HEARTSIM_BINARY is not set: run through meson test");
      g_string_free (lines.text, TRUE);
      return;
    }
  /* one source or the other; an address that is not one */
  g_assert_cmpint (heartsim_status (f, "--sensor", "any", "--replay", "x.csv", NULL), ==, 2);
  g_assert_cmpint (heartsim_status (f, "--sensor", "AA:BB", NULL), ==, 2);
  /* no BlueZ on the bus: said, and the server goes on */
  heartsim = spawn_heartsim (f->mock.address, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "--sensor", "any", NULL);
  g_assert_no_error (error);
  port = read_port (heartsim);
  lines.in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (heartsim));
  f->lines = &lines;
  g_assert_true (wait_for (stderr_has, f, "BlueZ (bluetoothd) is not running; serving on", WAIT_MS));
  g_assert_false (lines.eof);
  g_assert_true (wait_for (health_ok, f, GUINT_TO_POINTER (port), WAIT_MS));
  g_subprocess_send_signal (heartsim, SIGTERM);
  g_assert_true (g_subprocess_wait (heartsim, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (heartsim), ==, 0);
  g_clear_object (&heartsim);
  g_clear_object (&lines.in);
  g_string_truncate (lines.text, 0);
  lines.eof = FALSE;

  start_mock (f);
  mock_bluez_add_adapter (&f->mock);
  add_device (f);
  heartsim = spawn_heartsim (f->mock.address, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             "--sensor", ADDRESS, NULL);
  g_assert_no_error (error);
  port = read_port (heartsim);
  lines.in = g_data_input_stream_new (g_subprocess_get_stderr_pipe (heartsim));
  f->lines = &lines;
  g_assert_true (wait_for (stderr_has, f, "sensor " ADDRESS " (Test strap) connected", WAIT_MS));
  g_assert_false (lines.eof);
  /* the strap's heart rate and RR, as the seed's clients read them */
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_assert_true (wait_for (current_is, f, GUINT_TO_POINTER (port), WAIT_MS));
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Disconnect", NULL);
  g_assert_true (wait_for (stderr_has, f, "sensor " ADDRESS " disconnected", WAIT_MS));
  g_assert_false (lines.eof);

  g_subprocess_send_signal (heartsim, SIGTERM);
  g_assert_true (g_subprocess_wait (heartsim, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (heartsim), ==, 0);
  f->lines = NULL;
  g_clear_object (&lines.in);
  g_string_free (lines.text, TRUE);
}

int
main (int    argc,
      char **argv)
{
  /* the REST check talks to 127.0.0.1 only: no proxy look-up (and no
   * libproxy thread alive at exit) */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sensor/no-bluez", Fixture, NULL, fixture_set_up, test_no_bluez, fixture_tear_down);
  g_test_add ("/sensor/adapter-removed", Fixture, NULL, fixture_set_up, test_adapter_removed, fixture_tear_down);
  g_test_add ("/sensor/scanner", Fixture, NULL, fixture_set_up, test_scanner, fixture_tear_down);
  g_test_add ("/sensor/post-source", Fixture, NULL, fixture_set_up, test_post_source, fixture_tear_down);
  g_test_add ("/sensor/beats-and-samples/address", Fixture, ADDRESS,
              fixture_set_up, test_beats_and_samples, fixture_tear_down);
  g_test_add ("/sensor/beats-and-samples/any", Fixture, "any",
              fixture_set_up, test_beats_and_samples, fixture_tear_down);
  g_test_add ("/sensor/disconnect-and-back", Fixture, NULL,
              fixture_set_up, test_disconnect, fixture_tear_down);
  g_test_add ("/sensor/dispose-while-busy", Fixture, NULL,
              fixture_set_up, test_dispose_while_busy, fixture_tear_down);
  g_test_add ("/sensor/headless", Fixture, NULL, fixture_set_up, test_headless, fixture_tear_down);
  return g_test_run ();
}
