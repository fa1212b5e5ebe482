/* heart-sensor-scanner.c: the heart-rate straps Bluetooth can see
 *
 * The list follows BlueZ's snapshots (heart-bluez.h): a device is listed
 * while BlueZ knows it and it offers the Heart Rate service, in its UUIDs
 * (advertised, or resolved on a connection) or as a measurement
 * characteristic below it. Items are updated in place, so a picker's rows
 * keep their focus as the signal strength changes. Discovery is asked of
 * the first adapter that is on, filtered to that service over LE
 * (Adapter1.SetDiscoveryFilter, then StartDiscovery), and stopped when no
 * longer wanted or when the scanner goes. docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-sensor-scanner.h"

#include "heart-bluez.h"
#include "heart-gatt.h"

/* ------------------------------------------------------- HeartSensorDevice */

struct _HeartSensorDevice
{
  GObject   parent_instance;

  char     *path;
  char     *address;
  char     *name;
  int       rssi;
  gboolean  paired;
  gboolean  connected;
};

enum {
  DEVICE_PROP_0,
  DEVICE_PROP_ADDRESS,
  DEVICE_PROP_NAME,
  DEVICE_PROP_RSSI,
  DEVICE_PROP_PAIRED,
  DEVICE_PROP_CONNECTED,
  N_DEVICE_PROPS
};

static GParamSpec *device_properties[N_DEVICE_PROPS];

G_DEFINE_FINAL_TYPE (HeartSensorDevice, heart_sensor_device, G_TYPE_OBJECT)

static void
heart_sensor_device_finalize (GObject *object)
{
  HeartSensorDevice *self = HEART_SENSOR_DEVICE (object);

  g_free (self->path);
  g_free (self->address);
  g_free (self->name);
  G_OBJECT_CLASS (heart_sensor_device_parent_class)->finalize (object);
}

static void
heart_sensor_device_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HeartSensorDevice *self = HEART_SENSOR_DEVICE (object);

  switch (prop_id)
    {
    case DEVICE_PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case DEVICE_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case DEVICE_PROP_RSSI:
      g_value_set_int (value, self->rssi);
      break;
    case DEVICE_PROP_PAIRED:
      g_value_set_boolean (value, self->paired);
      break;
    case DEVICE_PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_device_class_init (HeartSensorDeviceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = heart_sensor_device_finalize;
  object_class->get_property = heart_sensor_device_get_property;

  device_properties[DEVICE_PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  device_properties[DEVICE_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  device_properties[DEVICE_PROP_RSSI] = g_param_spec_int ("rssi", NULL, NULL, G_MININT16, G_MAXINT16, 0, flags);
  device_properties[DEVICE_PROP_PAIRED] = g_param_spec_boolean ("paired", NULL, NULL, FALSE, flags);
  device_properties[DEVICE_PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_DEVICE_PROPS, device_properties);
}

static void
heart_sensor_device_init (HeartSensorDevice *self)
{
}

/* Takes what a device's Device1 properties say; notifies what changed */
static void
device_update (HeartSensorDevice *self,
               GVariant          *props)
{
  const char *address = NULL;
  const char *name = NULL;
  gint16 rssi = 0;
  gboolean paired = FALSE;
  gboolean connected = FALSE;

  g_variant_lookup (props, "Address", "&s", &address);
  if (!g_variant_lookup (props, "Alias", "&s", &name))
    g_variant_lookup (props, "Name", "&s", &name);
  g_variant_lookup (props, "RSSI", "n", &rssi);
  g_variant_lookup (props, "Paired", "b", &paired);
  g_variant_lookup (props, "Connected", "b", &connected);

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->address, address) != 0)
    {
      g_free (self->address);
      self->address = g_strdup (address);
      g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEVICE_PROP_ADDRESS]);
    }
  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEVICE_PROP_NAME]);
    }
  if (self->rssi != rssi)
    {
      self->rssi = rssi;
      g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEVICE_PROP_RSSI]);
    }
  if (self->paired != paired)
    {
      self->paired = paired;
      g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEVICE_PROP_PAIRED]);
    }
  if (self->connected != connected)
    {
      self->connected = connected;
      g_object_notify_by_pspec (G_OBJECT (self), device_properties[DEVICE_PROP_CONNECTED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
heart_sensor_device_get_address (HeartSensorDevice *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_DEVICE (self), NULL);
  return self->address;
}

const char *
heart_sensor_device_get_name (HeartSensorDevice *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_DEVICE (self), NULL);
  return self->name;
}

int
heart_sensor_device_get_rssi (HeartSensorDevice *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_DEVICE (self), 0);
  return self->rssi;
}

gboolean
heart_sensor_device_get_paired (HeartSensorDevice *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_DEVICE (self), FALSE);
  return self->paired;
}

gboolean
heart_sensor_device_get_connected (HeartSensorDevice *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_DEVICE (self), FALSE);
  return self->connected;
}

/* ------------------------------------------------------ HeartSensorScanner */

struct _HeartSensorScanner
{
  GObject       parent_instance;

  HeartBluez   *bluez;
  GPtrArray    *devices;          /* of HeartSensorDevice, in the order found */
  GCancellable *cancellable;
  gboolean      want_discovery;
  char         *discovery_adapter; /* where we asked for a discovery */
  gboolean      discovering;       /* that adapter's Discovering */
};

enum {
  PROP_0,
  PROP_AVAILABLE,
  PROP_UNAVAILABLE_REASON,
  PROP_DISCOVERING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartSensorScanner, heart_sensor_scanner, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
list_model_get_item_type (GListModel *model)
{
  return HEART_TYPE_SENSOR_DEVICE;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return HEART_SENSOR_SCANNER (model)->devices->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  HeartSensorScanner *self = HEART_SENSOR_SCANNER (model);

  return position < self->devices->len ? g_object_ref (self->devices->pdata[position]) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
set_discovering (HeartSensorScanner *self,
                 gboolean            discovering)
{
  if (self->discovering == discovering)
    return;
  self->discovering = discovering;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISCOVERING]);
}

static void
call_adapter (HeartSensorScanner  *self,
              const char          *method,
              GVariant            *parameters,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback)
{
  GDBusConnection *connection = heart_bluez_get_connection (self->bluez);

  if (connection == NULL || self->discovery_adapter == NULL)
    return;
  g_dbus_connection_call (connection, HEART_BLUEZ_NAME, self->discovery_adapter, HEART_BLUEZ_ADAPTER_IFACE,
                          method, parameters, NULL, G_DBUS_CALL_FLAGS_NONE, HEART_BLUEZ_CALL_TIMEOUT_MS,
                          cancellable, callback, self);
}

static void
start_discovery_done (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  /* InProgress: another program scans already, which serves as well; a
   * failure leaves "discovering" FALSE, which is what the user sees */
  if (reply == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("StartDiscovery: %s", error->message);
}

static void
start_discovery (HeartSensorScanner *self)
{
  const char *adapter = heart_bluez_get_adapter_path (self->bluez);
  const char *uuids[] = { HEART_GATT_HEART_RATE_SERVICE_UUID, NULL };
  GVariantBuilder filter;

  if (adapter == NULL || g_strcmp0 (adapter, self->discovery_adapter) == 0)
    return;
  g_free (self->discovery_adapter);
  self->discovery_adapter = g_strdup (adapter);
  g_variant_builder_init (&filter, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&filter, "{sv}", "UUIDs", g_variant_new_strv (uuids, -1));
  g_variant_builder_add (&filter, "{sv}", "Transport", g_variant_new_string ("le"));
  /* the two calls go in order on the one connection */
  call_adapter (self, "SetDiscoveryFilter", g_variant_new ("(a{sv})", &filter), self->cancellable, NULL);
  call_adapter (self, "StartDiscovery", NULL, self->cancellable, start_discovery_done);
}

static void
stop_discovery (HeartSensorScanner *self)
{
  if (self->discovery_adapter == NULL)
    return;
  /* not cancellable: it must reach BlueZ even as the scanner goes */
  call_adapter (self, "StopDiscovery", NULL, NULL, NULL);
  g_clear_pointer (&self->discovery_adapter, g_free);
  set_discovering (self, FALSE);
}

static gboolean
offers_heart_rate (GVariant   *objects,
                   const char *device_path,
                   GVariant   *device_props)
{
  g_autoptr(GVariant) uuids = g_variant_lookup_value (device_props, "UUIDs", G_VARIANT_TYPE_STRING_ARRAY);
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  if (heart_bluez_has_uuid (uuids, HEART_GATT_HEART_RATE_SERVICE_UUID))
    return TRUE;
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = NULL;
      const char *uuid;

      if (!heart_bluez_is_under (path, device_path))
        continue;
      props = g_variant_lookup_value (interfaces, HEART_BLUEZ_CHARACTERISTIC_IFACE, NULL);
      if (props != NULL && g_variant_lookup (props, "UUID", "&s", &uuid)
          && g_ascii_strcasecmp (uuid, HEART_GATT_HEART_RATE_MEASUREMENT_UUID) == 0)
        {
          g_variant_unref (interfaces);
          return TRUE;
        }
    }
  return FALSE;
}

static HeartSensorDevice *
find_device (HeartSensorScanner *self,
             const char         *path,
             guint              *position)
{
  for (guint i = 0; i < self->devices->len; i++)
    {
      HeartSensorDevice *device = self->devices->pdata[i];

      if (g_str_equal (device->path, path))
        {
          *position = i;
          return device;
        }
    }
  return NULL;
}

static void
on_snapshot (HeartBluez         *bluez,
             GVariant           *objects,
             HeartSensorScanner *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean adapter_discovering = FALSE;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;
  guint position;

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, HEART_BLUEZ_DEVICE_IFACE, NULL);
      g_autoptr(GVariant) adapter = g_variant_lookup_value (interfaces, HEART_BLUEZ_ADAPTER_IFACE, NULL);
      HeartSensorDevice *device;

      if (adapter != NULL && g_strcmp0 (path, self->discovery_adapter) == 0)
        g_variant_lookup (adapter, "Discovering", "b", &adapter_discovering);
      if (props == NULL || !offers_heart_rate (objects, path, props))
        continue;
      device = find_device (self, path, &position);
      if (device == NULL)
        {
          device = g_object_new (HEART_TYPE_SENSOR_DEVICE, NULL);
          device->path = g_strdup (path);
          device_update (device, props);
          g_ptr_array_add (self->devices, device);
          g_list_model_items_changed (G_LIST_MODEL (self), self->devices->len - 1, 0, 1);
        }
      else
        device_update (device, props);
      g_hash_table_add (seen, device->path);
    }

  for (guint i = self->devices->len; i-- > 0;)
    if (!g_hash_table_contains (seen, ((HeartSensorDevice *) self->devices->pdata[i])->path))
      {
        g_ptr_array_remove_index (self->devices, i);
        g_list_model_items_changed (G_LIST_MODEL (self), i, 1, 0);
      }

  /* the adapter changed, or was turned off and on: ask again */
  if (self->want_discovery && g_strcmp0 (self->discovery_adapter, heart_bluez_get_adapter_path (bluez)) != 0)
    {
      g_clear_pointer (&self->discovery_adapter, g_free);
      start_discovery (self);
    }
  set_discovering (self, self->discovery_adapter != NULL && adapter_discovering);
}

static void
on_available (HeartBluez         *bluez,
              GParamSpec         *pspec,
              HeartSensorScanner *self)
{
  guint n = self->devices->len;

  if (!heart_bluez_get_available (bluez))
    {
      /* BlueZ or the adapter went: nothing can be connected to */
      g_clear_pointer (&self->discovery_adapter, g_free);
      set_discovering (self, FALSE);
      g_ptr_array_set_size (self->devices, 0);
      if (n > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

static void
on_unavailable_reason (HeartBluez         *bluez,
                       GParamSpec         *pspec,
                       HeartSensorScanner *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAVAILABLE_REASON]);
}

static void
heart_sensor_scanner_dispose (GObject *object)
{
  HeartSensorScanner *self = HEART_SENSOR_SCANNER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->bluez != NULL)
    {
      stop_discovery (self);
      g_signal_handlers_disconnect_by_data (self->bluez, self);
      g_clear_object (&self->bluez);
    }
  G_OBJECT_CLASS (heart_sensor_scanner_parent_class)->dispose (object);
}

static void
heart_sensor_scanner_finalize (GObject *object)
{
  HeartSensorScanner *self = HEART_SENSOR_SCANNER (object);

  g_ptr_array_unref (self->devices);
  g_clear_object (&self->cancellable);
  g_free (self->discovery_adapter);
  G_OBJECT_CLASS (heart_sensor_scanner_parent_class)->finalize (object);
}

static void
heart_sensor_scanner_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HeartSensorScanner *self = HEART_SENSOR_SCANNER (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, heart_sensor_scanner_get_available (self));
      break;
    case PROP_UNAVAILABLE_REASON:
      g_value_set_string (value, heart_sensor_scanner_get_unavailable_reason (self));
      break;
    case PROP_DISCOVERING:
      g_value_set_boolean (value, self->discovering);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_scanner_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HeartSensorScanner *self = HEART_SENSOR_SCANNER (object);

  switch (prop_id)
    {
    case PROP_DISCOVERING:
      heart_sensor_scanner_set_discovering (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_scanner_class_init (HeartSensorScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_sensor_scanner_dispose;
  object_class->finalize = heart_sensor_scanner_finalize;
  object_class->get_property = heart_sensor_scanner_get_property;
  object_class->set_property = heart_sensor_scanner_set_property;

  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNAVAILABLE_REASON] =
    g_param_spec_string ("unavailable-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISCOVERING] =
    g_param_spec_boolean ("discovering", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_sensor_scanner_init (HeartSensorScanner *self)
{
  self->devices = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

HeartSensorScanner *
heart_sensor_scanner_new (GDBusConnection *connection)
{
  HeartSensorScanner *self = g_object_new (HEART_TYPE_SENSOR_SCANNER, NULL);

  self->bluez = heart_bluez_new (connection);
  g_signal_connect (self->bluez, "snapshot", G_CALLBACK (on_snapshot), self);
  g_signal_connect (self->bluez, "notify::available", G_CALLBACK (on_available), self);
  g_signal_connect (self->bluez, "notify::unavailable-reason", G_CALLBACK (on_unavailable_reason), self);
  return self;
}

gboolean
heart_sensor_scanner_get_available (HeartSensorScanner *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_SCANNER (self), FALSE);
  return heart_bluez_get_available (self->bluez);
}

const char *
heart_sensor_scanner_get_unavailable_reason (HeartSensorScanner *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_SCANNER (self), NULL);
  return heart_bluez_get_unavailable_reason (self->bluez);
}

gboolean
heart_sensor_scanner_get_discovering (HeartSensorScanner *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_SCANNER (self), FALSE);
  return self->discovering;
}

void
heart_sensor_scanner_set_discovering (HeartSensorScanner *self,
                                      gboolean            discovering)
{
  g_return_if_fail (HEART_IS_SENSOR_SCANNER (self));
  discovering = !!discovering;
  if (self->want_discovery == discovering)
    return;
  self->want_discovery = discovering;
  if (discovering)
    start_discovery (self);
  else
    stop_discovery (self);
}
