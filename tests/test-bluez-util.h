/* test-bluez-util.h: a mocked BlueZ on a private bus, for tests
 *
 * A private bus (a dbus-daemon of the test's own) and python3-dbusmock's
 * bluez5 template on it;
 * straps get the Heart Rate service and characteristic the template does
 * not have (through dbusmock's org.freedesktop.DBus.Mock), and notify as
 * BlueZ does: PropertiesChanged on the characteristic's Value.
 * docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-gatt.h"

#define MOCK_BLUEZ_WAIT_MS 10000
#define MOCK_IFACE         "org.freedesktop.DBus.Mock"
#define BLUEZ_MOCK_IFACE   "org.bluez.Mock"

typedef struct
{
  GSubprocess     *daemon;       /* the private bus */
  char            *address;      /* its address, for processes to use */
  GDBusConnection *connection;
  GSubprocess     *process;      /* the template, once started */
  gboolean         bluez_up;
} MockBluez;

static gboolean
mock_bluez_expire (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context until @done (@data) or @timeout_ms; FALSE
 * when the time ran out */
static inline gboolean
mock_bluez_wait (gboolean (*done) (gpointer data),
                 gpointer   data,
                 guint      timeout_ms)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add (timeout_ms, mock_bluez_expire, &expired);

  while (!done (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (id);
  return done (data);
}

/* The bus is a dbus-daemon of our own, not GTestDBus: GTestDBus takes the
 * process's session bus with it (its teardown waits for that connection to
 * go, which GTK keeps once a file chooser was shown) and clears DISPLAY for
 * the tests after. Nothing of this process's environment changes. */
static inline void
mock_bluez_up (MockBluez *mock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;

  mock->daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                   "dbus-daemon", "--session", "--nofork", "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock->daemon));
  mock->address = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mock->address);
  mock->connection = g_dbus_connection_new_for_address_sync (mock->address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                             | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static inline void
mock_bluez_down (MockBluez *mock)
{
  if (mock->process != NULL)
    {
      g_subprocess_force_exit (mock->process);
      g_subprocess_wait (mock->process, NULL, NULL);
      g_clear_object (&mock->process);
    }
  g_dbus_connection_close_sync (mock->connection, NULL, NULL);
  g_clear_object (&mock->connection);
  g_subprocess_force_exit (mock->daemon);
  g_subprocess_wait (mock->daemon, NULL, NULL);
  g_clear_object (&mock->daemon);
  g_clear_pointer (&mock->address, g_free);
}

static inline GVariant *
mock_bluez_call (MockBluez  *mock,
                 const char *path,
                 const char *interface,
                 const char *method,
                 GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (mock->connection, "org.bluez", path, interface, method,
                                                 parameters, NULL, G_DBUS_CALL_FLAGS_NONE,
                                                 MOCK_BLUEZ_WAIT_MS, NULL, &error);

  g_assert_no_error (error);
  return reply;
}

static inline void
mock_bluez_call_void (MockBluez  *mock,
                      const char *path,
                      const char *interface,
                      const char *method,
                      GVariant   *parameters)
{
  g_autoptr(GVariant) reply = mock_bluez_call (mock, path, interface, method, parameters);
}

static void
mock_bluez_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  MockBluez *mock = user_data;

  mock->bluez_up = TRUE;
}

static gboolean
mock_bluez_is_up (gpointer data)
{
  return ((MockBluez *) data)->bluez_up;
}

/* Starts BlueZ (the template) on the bus, with no adapter yet */
static inline void
mock_bluez_start (MockBluez *mock)
{
  const char *python = g_getenv ("HEARTSIM_PYTHON");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) probe = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
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

  watch = g_bus_watch_name_on_connection (mock->connection, "org.bluez", G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          mock_bluez_appeared, NULL, mock, NULL);
  /* dbusmock runs its template on the session bus it is given */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", mock->address, TRUE);
  mock->process = g_subprocess_launcher_spawn (launcher, &error,
                                               python, "-m", "dbusmock", "--template", "bluez5", "--session", NULL);
  g_assert_no_error (error);
  g_assert_true (mock_bluez_wait (mock_bluez_is_up, mock, MOCK_BLUEZ_WAIT_MS));
  g_bus_unwatch_name (watch);
}

static inline void
mock_bluez_add_adapter (MockBluez *mock)
{
  g_variant_unref (mock_bluez_call (mock, "/", BLUEZ_MOCK_IFACE, "AddAdapter",
                                    g_variant_new ("(ss)", "hci0", "heartsim-test")));
}

/* BlueZ's object path of the device at @address on hci0 */
static inline char *
mock_bluez_device_path (const char *address)
{
  g_autofree char *part = g_strdup (address);

  g_strdelimit (part, ":", '_');
  return g_strdup_printf ("/org/bluez/hci0/dev_%s", part);
}

static inline char *
mock_bluez_characteristic_path (const char *address)
{
  g_autofree char *device = mock_bluez_device_path (address);

  return g_strdup_printf ("%s/service000c/char000d", device);
}

/* The Heart Rate service and its measurement characteristic, and a
 * battery, on the device at @address */
static inline void
mock_bluez_add_heart_rate (MockBluez  *mock,
                           const char *address)
{
  g_autofree char *device = mock_bluez_device_path (address);
  g_autofree char *service = g_strdup_printf ("%s/service000c", device);
  g_autofree char *characteristic = mock_bluez_characteristic_path (address);
  GVariantBuilder props;
  const char *flags[] = { "notify", NULL };

  mock_bluez_call_void (mock, device, MOCK_IFACE, "AddProperty",
                        g_variant_new ("(ssv)", "org.bluez.Battery1", "Percentage", g_variant_new_byte (87)));

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "UUID", g_variant_new_string (HEART_GATT_HEART_RATE_SERVICE_UUID));
  g_variant_builder_add (&props, "{sv}", "Device", g_variant_new_object_path (device));
  g_variant_builder_add (&props, "{sv}", "Primary", g_variant_new_boolean (TRUE));
  mock_bluez_call_void (mock, "/", MOCK_IFACE, "AddObject",
                        g_variant_new ("(ssa{sv}a(ssss))", service, "org.bluez.GattService1", &props, NULL));

  g_variant_builder_init (&props, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&props, "{sv}", "UUID", g_variant_new_string (HEART_GATT_HEART_RATE_MEASUREMENT_UUID));
  g_variant_builder_add (&props, "{sv}", "Service", g_variant_new_object_path (service));
  g_variant_builder_add (&props, "{sv}", "Value", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, NULL, 0, 1));
  g_variant_builder_add (&props, "{sv}", "Notifying", g_variant_new_boolean (FALSE));
  g_variant_builder_add (&props, "{sv}", "Flags", g_variant_new_strv (flags, -1));
  mock_bluez_call_void (mock, "/", MOCK_IFACE, "AddObject",
                        g_variant_new_parsed ("(%s, 'org.bluez.GattCharacteristic1', %v, "
                                              "[('StartNotify', '', '', ''), ('StopNotify', '', '', '')])",
                                              characteristic, g_variant_builder_end (&props)));
}

/* A strap at @address called @alias, advertising the Heart Rate service,
 * whose Connect and Disconnect change Connected as BlueZ's do (the
 * template's only signal the change) */
static inline void
mock_bluez_add_strap (MockBluez  *mock,
                      const char *address,
                      const char *alias)
{
  g_autofree char *device = mock_bluez_device_path (address);
  const char *uuids[] = { HEART_GATT_HEART_RATE_SERVICE_UUID, NULL };

  g_variant_unref (mock_bluez_call (mock, "/", BLUEZ_MOCK_IFACE, "AddDevice",
                                    g_variant_new ("(sss)", "hci0", address, alias)));
  mock_bluez_call_void (mock, device, MOCK_IFACE, "UpdateProperties",
                        g_variant_new_parsed ("('org.bluez.Device1', {'UUIDs': <%^as>})", uuids));
  mock_bluez_call_void (mock, device, MOCK_IFACE, "AddMethod",
                        g_variant_new ("(sssss)", "org.bluez.Device1", "Connect", "", "",
                                       "self.UpdateProperties('org.bluez.Device1', {'Connected': dbus.Boolean(True)})"));
  mock_bluez_call_void (mock, device, MOCK_IFACE, "AddMethod",
                        g_variant_new ("(sssss)", "org.bluez.Device1", "Disconnect", "", "",
                                       "self.UpdateProperties('org.bluez.Device1', {'Connected': dbus.Boolean(False)})"));
  mock_bluez_add_heart_rate (mock, address);
}

/* A Heart Rate Measurement notification of @value from the strap */
static inline void
mock_bluez_notify (MockBluez    *mock,
                   const char   *address,
                   const guint8 *value,
                   gsize         length)
{
  g_autofree char *characteristic = mock_bluez_characteristic_path (address);
  GVariantBuilder changed;

  g_variant_builder_init (&changed, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&changed, "{sv}", "Value",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, value, length, 1));
  mock_bluez_call_void (mock, characteristic, MOCK_IFACE, "UpdateProperties",
                        g_variant_new ("(sa{sv})", "org.bluez.GattCharacteristic1", &changed));
}
