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
#include "heart-sensor.h"

#define WAIT_MS        10000
#define ADDRESS        "AA:BB:CC:DD:EE:01"
#define DEVICE_PATH    "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_01"
#define SERVICE_PATH   DEVICE_PATH "/service000c"
#define CHAR_PATH      SERVICE_PATH "/char000d"
#define MOCK_IFACE     "org.freedesktop.DBus.Mock"
#define BLUEZ_MOCK     "org.bluez.Mock"

typedef struct
{
  GTestDBus       *bus;
  GDBusConnection *connection;
  GSubprocess     *mock;
  HeartSensor     *sensor;
  GPtrArray       *beats;     /* of HeartBeat */
  guint            samples;
  HeartSample      last;
  guint            problems;
  gboolean         bluez_up;
  guint64          seq_when_connected;
  gpointer         lines;     /* of heartsim's stderr */
} Fixture;

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @done or WAIT_MS; FALSE when the time ran out */
static gboolean
wait_for (gboolean (*done) (Fixture *f, gconstpointer data),
          Fixture       *f,
          gconstpointer  data,
          guint          timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, on_timeout, &expired);

  while (!done (f, data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return done (f, data);
}

static GVariant *
call (Fixture    *f,
      const char *path,
      const char *interface,
      const char *method,
      GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (f->connection, "org.bluez", path, interface, method,
                                                 parameters, NULL, G_DBUS_CALL_FLAGS_NONE, WAIT_MS,
                                                 NULL, &error);

  g_assert_no_error (error);
  return reply;
}

static void
call_void (Fixture    *f,
           const char *path,
           const char *interface,
           const char *method,
           GVariant   *parameters)
{
  g_autoptr(GVariant) reply = call (f, path, interface, method, parameters);
}

static void
on_bluez_appeared (GDBusConnection *connection,
                   const char      *name,
                   const char      *owner,
                   gpointer         user_data)
{
  Fixture *f = user_data;

  f->bluez_up = TRUE;
}

static gboolean
bluez_on_bus (Fixture       *f,
              gconstpointer  data)
{
  return f->bluez_up;
}

static void
start_mock (Fixture *f)
{
  const char *python = g_getenv ("HEARTSIM_PYTHON");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) probe = NULL;
  guint watch;

  if (python == NULL)
    python = "python3";
  probe = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            python, "-c", "import dbusmock", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (probe, NULL, &error));
  if (!g_subprocess_get_successful (probe))
    g_error ("%s cannot import dbusmock: python3-dbusmock is missing "
             "(build-aux/install-deps.sh test installs it)", python);

  watch = g_bus_watch_name_on_connection (f->connection, "org.bluez", G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_bluez_appeared, NULL, f, NULL);
  f->mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              python, "-m", "dbusmock", "--template", "bluez5", "--session", NULL);
  g_assert_no_error (error);
  g_assert_true (wait_for (bluez_on_bus, f, NULL, WAIT_MS));
  g_bus_unwatch_name (watch);
}

static void
add_strap (Fixture *f)
{
  GVariantBuilder props;
  const char *flags[] = { "notify", NULL };

  call_void (f, DEVICE_PATH, MOCK_IFACE, "AddProperty",
             g_variant_new ("(ssv)", "org.bluez.Battery1", "Percentage", g_variant_new_byte (87)));

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "UUID", g_variant_new_string (HEART_GATT_HEART_RATE_SERVICE_UUID));
  g_variant_builder_add (&props, "{sv}", "Device", g_variant_new_object_path (DEVICE_PATH));
  g_variant_builder_add (&props, "{sv}", "Primary", g_variant_new_boolean (TRUE));
  call_void (f, "/", MOCK_IFACE, "AddObject",
             g_variant_new ("(ssa{sv}a(ssss))", SERVICE_PATH, "org.bluez.GattService1", &props, NULL));

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "UUID", g_variant_new_string (HEART_GATT_HEART_RATE_MEASUREMENT_UUID));
  g_variant_builder_add (&props, "{sv}", "Service", g_variant_new_object_path (SERVICE_PATH));
  g_variant_builder_add (&props, "{sv}", "Value",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1));
  g_variant_builder_add (&props, "{sv}", "Notifying", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&props, "{sv}", "Flags", g_variant_new_strv (flags, -1));
  call_void (f, "/", MOCK_IFACE, "AddObject",
             g_variant_new_parsed ("(%s, 'org.bluez.GattCharacteristic1', %v, "
                                   "[('StartNotify', '', '', ''), ('StopNotify', '', '', '')])",
                                   CHAR_PATH, g_variant_builder_end (&props)));
}

static void
add_device (Fixture *f)
{
  g_autoptr(GVariant) reply = call (f, "/", BLUEZ_MOCK, "AddDevice",
                                    g_variant_new ("(sss)", "hci0", ADDRESS, "Test strap"));

  /* the template's Connect and Disconnect signal the change but leave the
   * property as it was; BlueZ changes both */
  call_void (f, DEVICE_PATH, MOCK_IFACE, "AddMethod",
             g_variant_new ("(sssss)", "org.bluez.Device1", "Connect", "", "",
                            "self.UpdateProperties('org.bluez.Device1', {'Connected': dbus.Boolean(True)})"));
  call_void (f, DEVICE_PATH, MOCK_IFACE, "AddMethod",
             g_variant_new ("(sssss)", "org.bluez.Device1", "Disconnect", "", "",
                            "self.UpdateProperties('org.bluez.Device1', {'Connected': dbus.Boolean(False)})"));
  add_strap (f);
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
  g_autoptr(GError) error = NULL;

  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (f->bus),
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  f->beats = g_ptr_array_new_with_free_func ((GDestroyNotify) heart_beat_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->sensor);
  if (f->mock != NULL)
    {
      g_subprocess_force_exit (f->mock);
      g_subprocess_wait (f->mock, NULL, NULL);
      g_clear_object (&f->mock);
    }
  g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  g_ptr_array_unref (f->beats);
}

static void
start_sensor (Fixture    *f,
              const char *address)
{
  g_autoptr(GError) error = NULL;

  f->sensor = heart_sensor_new (address, f->connection, &error);
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
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&changed, "{sv}", "Value",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, length, 1));
  call_void (f, CHAR_PATH, MOCK_IFACE, "UpdateProperties",
             g_variant_new ("(sa{sv})", "org.bluez.GattCharacteristic1", &changed));
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

static void
test_no_bluez (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartSensor) sensor = heart_sensor_new ("any", f->connection, &error);

  g_assert_null (sensor);
  g_assert_error (error, HEART_SENSOR_ERROR, HEART_SENSOR_ERROR_NO_BLUEZ);
  g_assert_nonnull (strstr (error->message, "BlueZ"));

  g_clear_error (&error);
  sensor = heart_sensor_new ("not-an-address", f->connection, &error);
  g_assert_error (error, HEART_SENSOR_ERROR, HEART_SENSOR_ERROR_ADDRESS);
}

static void
test_no_adapter (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartSensor) sensor = NULL;

  start_mock (f);
  sensor = heart_sensor_new ("any", f->connection, &error);
  g_assert_null (sensor);
  g_assert_error (error, HEART_SENSOR_ERROR, HEART_SENSOR_ERROR_NO_ADAPTER);
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
  g_variant_unref (call (f, "/", BLUEZ_MOCK, "AddAdapter", g_variant_new ("(ss)", "hci0", "heartsim-test")));
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
  g_variant_unref (call (f, "/", BLUEZ_MOCK, "AddAdapter", g_variant_new ("(ss)", "hci0", "heartsim-test")));
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
  g_variant_unref (call (f, "/", BLUEZ_MOCK, "AddAdapter", g_variant_new ("(ss)", "hci0", "heartsim-test")));
  add_device (f);
  start_sensor (f, ADDRESS);
  g_assert_true (wait_for (state_is, f, "connected", WAIT_MS));
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Disconnect", NULL);
  g_assert_true (wait_for (state_is, f, "disconnected", WAIT_MS));
  /* a snapshot or a reconnection is under way, and a timer is set */
  g_clear_object (&f->sensor);
  call_void (f, DEVICE_PATH, "org.bluez.Device1", "Connect", NULL);
  notify_rr (f, raw, G_N_ELEMENTS (raw));
  g_timeout_add (300, on_timeout, &expired);
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
  process = spawn_heartsim (g_test_dbus_get_bus_address (f->bus), G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
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
  /* no BlueZ on the bus: told before anything listens */
  g_assert_cmpint (heartsim_status (f, "--sensor", "any", NULL), ==, 1);

  start_mock (f);
  g_variant_unref (call (f, "/", BLUEZ_MOCK, "AddAdapter", g_variant_new ("(ss)", "hci0", "heartsim-test")));
  add_device (f);
  heartsim = spawn_heartsim (g_test_dbus_get_bus_address (f->bus), G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
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
  g_test_add ("/sensor/no-adapter", Fixture, NULL, fixture_set_up, test_no_adapter, fixture_tear_down);
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
