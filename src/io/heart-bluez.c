/* heart-bluez.c: BlueZ on a bus, read whole
 *
 * The name org.bluez is watched (with auto-start, so that a bluetoothd
 * started on demand comes up): while it has an owner its objects are read
 * whole on every change that matters to a strap, and each read says
 * whether an adapter is on. docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-bluez.h"

#include <string.h>

#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"
#define PROPERTIES     "org.freedesktop.DBus.Properties"

struct _HeartBluez
{
  GObject          parent_instance;

  GDBusConnection *connection;
  GCancellable    *cancellable;
  guint            watch_id;
  guint            properties_sub;
  guint            added_sub;
  guint            removed_sub;

  gboolean         owned;          /* org.bluez has an owner */
  gboolean         reading;        /* a GetManagedObjects in flight */
  gboolean         read_again;
  gboolean         answered;
  gboolean         available;
  char            *unavailable_reason;
  char            *adapter_path;
};

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_AVAILABLE,
  PROP_UNAVAILABLE_REASON,
  PROP_ANSWERED,
  N_PROPS
};

enum {
  SNAPSHOT,
  PROPERTIES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeartBluez, heart_bluez, G_TYPE_OBJECT)

/* A signal subscription's callback may still run once after it is
 * unsubscribed: it gets a weak reference, not the object */
static gpointer
weak_ref_new (HeartBluez *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
set_answer (HeartBluez *self,
            const char *adapter_path,
            const char *unavailable_reason)
{
  gboolean available = unavailable_reason == NULL;

  g_object_freeze_notify (G_OBJECT (self));
  g_free (self->adapter_path);
  self->adapter_path = g_strdup (adapter_path);
  if (g_strcmp0 (self->unavailable_reason, unavailable_reason) != 0)
    {
      g_free (self->unavailable_reason);
      self->unavailable_reason = g_strdup (unavailable_reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAVAILABLE_REASON]);
    }
  if (self->available != available)
    {
      self->available = available;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
    }
  if (!self->answered)
    {
      self->answered = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWERED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* The first adapter that is on; @any_adapter tells whether there is one
 * at all */
static const char *
find_adapter (GVariant *objects,
              gboolean *any_adapter)
{
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  *any_adapter = FALSE;
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_next (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, HEART_BLUEZ_ADAPTER_IFACE, NULL);
      gboolean powered = FALSE;

      g_variant_unref (interfaces);
      if (props == NULL)
        continue;
      *any_adapter = TRUE;
      if (g_variant_lookup (props, "Powered", "b", &powered) && powered)
        return path;
    }
  return NULL;
}

static void read_objects (HeartBluez *self);

static void
read_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  HeartBluez *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_autoptr(GVariant) objects = NULL;
  const char *adapter;
  gboolean any_adapter;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  if (reply == NULL)
    {
      g_autofree char *reason = NULL;

      g_dbus_error_strip_remote_error (error);
      reason = g_strdup_printf ("BlueZ (org.bluez) does not answer: %s", error->message);
      set_answer (self, NULL, reason);
    }
  else
    {
      objects = g_variant_get_child_value (reply, 0);
      adapter = find_adapter (objects, &any_adapter);
      set_answer (self, adapter,
                  adapter != NULL ? NULL
                  : any_adapter ? "Bluetooth is turned off"
                  : "No Bluetooth adapter: plug one in, or unblock it (rfkill)");
      /* the consumers learn of a lost adapter from "available", and of
       * the rest from the objects */
      if (adapter != NULL)
        g_signal_emit (self, signals[SNAPSHOT], 0, objects);
    }
  if (self->read_again)
    {
      self->read_again = FALSE;
      read_objects (self);
    }
}

static void
read_objects (HeartBluez *self)
{
  if (self->connection == NULL || !self->owned)
    return;
  if (self->reading)
    {
      self->read_again = TRUE;
      return;
    }
  self->reading = TRUE;
  g_dbus_connection_call (self->connection, HEART_BLUEZ_NAME, "/", OBJECT_MANAGER, "GetManagedObjects",
                          NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          HEART_BLUEZ_CALL_TIMEOUT_MS, self->cancellable, read_done, self);
}

static void
on_objects_changed (GDBusConnection *connection,
                    const char      *sender,
                    const char      *path,
                    const char      *interface,
                    const char      *signal,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  g_autoptr(HeartBluez) self = g_weak_ref_get (user_data);

  if (self != NULL)
    read_objects (self);
}

static void
on_properties_changed (GDBusConnection *connection,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         user_data)
{
  g_autoptr(HeartBluez) self = g_weak_ref_get (user_data);
  g_autoptr(GVariant) changed = NULL;
  const char *iface;

  if (self == NULL || !g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}@as)", &iface, &changed, NULL);
  g_signal_emit (self, signals[PROPERTIES_CHANGED], 0, path, iface, changed);
  /* a device's Connected, UUIDs, RSSI, ServicesResolved, its battery, an
   * adapter's Powered or Discovering: read them all again */
  if (g_str_equal (iface, HEART_BLUEZ_DEVICE_IFACE) || g_str_equal (iface, HEART_BLUEZ_BATTERY_IFACE)
      || g_str_equal (iface, HEART_BLUEZ_ADAPTER_IFACE))
    read_objects (self);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  HeartBluez *self = user_data;

  self->owned = TRUE;
  read_objects (self);
}

static void
on_name_vanished (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  HeartBluez *self = user_data;

  self->owned = FALSE;
  /* a read in flight fails by itself; its answer is this one */
  set_answer (self, NULL, connection != NULL
              ? "Bluetooth is not available: BlueZ (bluetoothd) is not running"
              : "No system bus to reach BlueZ on");
}

static void
watch (HeartBluez *self)
{
  /* subscribed before the first read, so that nothing falls between */
  self->properties_sub =
    g_dbus_connection_signal_subscribe (self->connection, HEART_BLUEZ_NAME, PROPERTIES, "PropertiesChanged",
                                        NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_properties_changed, weak_ref_new (self), weak_ref_free);
  self->added_sub =
    g_dbus_connection_signal_subscribe (self->connection, HEART_BLUEZ_NAME, OBJECT_MANAGER, "InterfacesAdded",
                                        "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_objects_changed, weak_ref_new (self), weak_ref_free);
  self->removed_sub =
    g_dbus_connection_signal_subscribe (self->connection, HEART_BLUEZ_NAME, OBJECT_MANAGER, "InterfacesRemoved",
                                        "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_objects_changed, weak_ref_new (self), weak_ref_free);
  self->watch_id = g_bus_watch_name_on_connection (self->connection, HEART_BLUEZ_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                                   on_name_appeared, on_name_vanished, self, NULL);
}

static void
bus_got (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  HeartBluez *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  GDBusConnection *connection = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (connection == NULL)
    {
      reason = g_strdup_printf ("No system bus to reach BlueZ on: %s", error->message);
      set_answer (self, NULL, reason);
      return;
    }
  self->connection = connection;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  watch (self);
}

static void
heart_bluez_constructed (GObject *object)
{
  HeartBluez *self = HEART_BLUEZ (object);

  G_OBJECT_CLASS (heart_bluez_parent_class)->constructed (object);
  if (self->connection != NULL)
    watch (self);
  else
    g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, bus_got, self);
}

static void
heart_bluez_dispose (GObject *object)
{
  HeartBluez *self = HEART_BLUEZ (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->connection != NULL)
    {
      if (self->properties_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->properties_sub);
      if (self->added_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->added_sub);
      if (self->removed_sub != 0)
        g_dbus_connection_signal_unsubscribe (self->connection, self->removed_sub);
      self->properties_sub = self->added_sub = self->removed_sub = 0;
    }
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (heart_bluez_parent_class)->dispose (object);
}

static void
heart_bluez_finalize (GObject *object)
{
  HeartBluez *self = HEART_BLUEZ (object);

  g_clear_object (&self->cancellable);
  g_free (self->unavailable_reason);
  g_free (self->adapter_path);
  G_OBJECT_CLASS (heart_bluez_parent_class)->finalize (object);
}

static void
heart_bluez_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HeartBluez *self = HEART_BLUEZ (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_UNAVAILABLE_REASON:
      g_value_set_string (value, self->unavailable_reason);
      break;
    case PROP_ANSWERED:
      g_value_set_boolean (value, self->answered);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_bluez_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HeartBluez *self = HEART_BLUEZ (object);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_set_object (&self->connection, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_bluez_class_init (HeartBluezClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heart_bluez_constructed;
  object_class->dispose = heart_bluez_dispose;
  object_class->finalize = heart_bluez_finalize;
  object_class->get_property = heart_bluez_get_property;
  object_class->set_property = heart_bluez_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY
                         | G_PARAM_STATIC_STRINGS);
  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNAVAILABLE_REASON] =
    g_param_spec_string ("unavailable-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANSWERED] =
    g_param_spec_boolean ("answered", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SNAPSHOT] =
    g_signal_new ("snapshot", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_VARIANT);
  signals[PROPERTIES_CHANGED] =
    g_signal_new ("properties-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_VARIANT);
}

static void
heart_bluez_init (HeartBluez *self)
{
  self->cancellable = g_cancellable_new ();
}

HeartBluez *
heart_bluez_new (GDBusConnection *connection)
{
  return g_object_new (HEART_TYPE_BLUEZ, "connection", connection, NULL);
}

GDBusConnection *
heart_bluez_get_connection (HeartBluez *self)
{
  g_return_val_if_fail (HEART_IS_BLUEZ (self), NULL);
  return self->connection;
}

gboolean
heart_bluez_get_available (HeartBluez *self)
{
  g_return_val_if_fail (HEART_IS_BLUEZ (self), FALSE);
  return self->available;
}

const char *
heart_bluez_get_unavailable_reason (HeartBluez *self)
{
  g_return_val_if_fail (HEART_IS_BLUEZ (self), NULL);
  return self->unavailable_reason;
}

gboolean
heart_bluez_get_answered (HeartBluez *self)
{
  g_return_val_if_fail (HEART_IS_BLUEZ (self), FALSE);
  return self->answered;
}

const char *
heart_bluez_get_adapter_path (HeartBluez *self)
{
  g_return_val_if_fail (HEART_IS_BLUEZ (self), NULL);
  return self->adapter_path;
}

void
heart_bluez_refresh (HeartBluez *self)
{
  g_return_if_fail (HEART_IS_BLUEZ (self));
  read_objects (self);
}

gboolean
heart_bluez_has_uuid (GVariant   *uuids,
                      const char *uuid)
{
  g_autofree const char **list = NULL;

  if (uuids == NULL || !g_variant_is_of_type (uuids, G_VARIANT_TYPE_STRING_ARRAY))
    return FALSE;
  list = g_variant_get_strv (uuids, NULL);
  for (gsize i = 0; list[i] != NULL; i++)
    if (g_ascii_strcasecmp (list[i], uuid) == 0)
      return TRUE;
  return FALSE;
}

gboolean
heart_bluez_is_under (const char *path,
                      const char *parent)
{
  gsize n = strlen (parent);

  return strncmp (path, parent, n) == 0 && path[n] == '/';
}
