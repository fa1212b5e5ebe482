/* heart-sensor.c: a Bluetooth LE heart-rate strap, through BlueZ
 *
 * BlueZ's objects are read whole (heart-bluez.h) at the start and again
 * whenever one is added or removed or a device changes: what to do next
 * follows from that snapshot alone (find the device, ask
 * BlueZ to connect it, StartNotify its Heart Rate Measurement), so a strap
 * that goes and comes back takes the same path as the first time. Values
 * arrive as PropertiesChanged on the characteristic's Value.
 * docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-sensor.h"

#include <math.h>
#include <string.h>

#include "heart-bluez.h"
#include "heart-gatt.h"
#include "heart-rr-window.h"

#define BLUEZ_NAME          HEART_BLUEZ_NAME
#define DEVICE_IFACE        HEART_BLUEZ_DEVICE_IFACE
#define BATTERY_IFACE       HEART_BLUEZ_BATTERY_IFACE
#define CHARACTERISTIC_IFACE HEART_BLUEZ_CHARACTERISTIC_IFACE

#define INTERVAL_MS         500
#define CALL_TIMEOUT_MS     HEART_BLUEZ_CALL_TIMEOUT_MS
/* Device1.Connect may take a while on the air */
#define CONNECT_TIMEOUT_MS  30000
/* the first retry of a lost strap, doubled up to the last */
#define BACKOFF_FIRST_MS    1000
#define BACKOFF_MAX_MS      30000
/* a notification's beats follow the last ones on the strap's own clock
 * unless that clock strays this far from ours (lost notifications) */
#define BEAT_CLOCK_SLACK_S  2.0
#define RMSSD_FULL_SCALE_MS 100.0

struct _HeartSensor
{
  GObject          parent_instance;

  char            *address;        /* as given */
  gboolean         any;
  GDBusConnection *connection;     /* as given, for BlueZ's watch */
  HeartBluez      *bluez;
  GCancellable    *cancellable;

  /* from the latest snapshot */
  char            *device_path;
  char            *device_address;
  char            *device_name;
  char            *char_path;
  gboolean         connected;
  int              battery;

  gboolean         notifying;
  gboolean         notify_pending;
  gboolean         connect_pending;
  guint            reconnect_id;
  guint            backoff_ms;
  gboolean         ever_connected;
  const char      *state;

  /* measurements */
  gboolean         have_measurement;
  guint            bpm;
  HeartGattContact contact;
  int              energy_kj;
  double           last_rr;
  gboolean         have_beat;
  double           last_beat_t;
  HeartRrWindow    rr;
  guint64          skipped;
  GArray          *values;         /* of the tick being made */

  /* time */
  gint64           start_mono;
  gint64           start_wall;
  gboolean         running;
  guint            tick_id;
  guint64          seq;
  HeartSample      current;
};

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_UNAVAILABLE_REASON,
  PROP_DEVICE_ADDRESS,
  PROP_DEVICE_NAME,
  PROP_CONTACT,
  PROP_BATTERY,
  PROP_ENERGY_KJ,
  PROP_SKIPPED,
  PROP_RUNNING,
  PROP_INTERVAL_MS,
  N_PROPS
};

enum {
  PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void source_iface_init (HeartSourceInterface *iface);
static void initable_iface_init (GInitableIface *iface);

G_DEFINE_QUARK (heart-sensor-error-quark, heart_sensor_error)

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartSensor, heart_sensor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HEART_TYPE_SOURCE, source_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

static void
scan (HeartSensor *self)
{
  heart_bluez_refresh (self->bluez);
}

static GDBusConnection *
bus (HeartSensor *self)
{
  return heart_bluez_get_connection (self->bluez);
}

/* ---------------------------------------------------------------- state */

static void
set_state (HeartSensor *self,
           const char  *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_string (HeartSensor  *self,
            char        **field,
            const char   *value,
            guint         prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int (HeartSensor *self,
         int         *field,
         int          value,
         guint        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static double
now_s (HeartSensor *self)
{
  return (g_get_monotonic_time () - self->start_mono) / (double) G_USEC_PER_SEC;
}

static gint64
wall_us (HeartSensor *self,
         double       t)
{
  return self->start_wall + (gint64) llround (t * G_USEC_PER_SEC);
}

static void
clear_sample (HeartSample *sample)
{
  memset (sample, 0, sizeof *sample);
  sample->variability = NAN;
  sample->stress_level = NAN;
  sample->rr_ms = NAN;
  sample->rmssd_ms = NAN;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    sample->channels[c] = NAN;
}

static void
push_value (HeartSensor    *self,
            HeartChannelId  channel,
            double          t,
            double          value)
{
  HeartChannelValue v = { .channel = channel, .t_s = t, .timestamp_us = wall_us (self, t), .value = value };

  if (isfinite (value))
    g_array_append_vals (self->values, &v, 1);
}

/* --------------------------------------------------------- measurements */

static void
report (HeartSensor *self,
        GError      *error)
{
  self->skipped++;
  g_signal_emit (self, signals[PROBLEM], 0, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKIPPED]);
}

static void
emit_beats (HeartSensor                *self,
            const HeartGattMeasurement *m)
{
  double now = now_s (self);
  double total = 0;
  double t;

  for (guint i = 0; i < m->n_rr; i++)
    total += m->rr_ms[i] / 1000.0;
  /* on the strap's clock, each beat an RR after the one before, while it
   * agrees with ours; else the last beat is now (docs/sensors.md) */
  if (self->have_beat && self->last_beat_t + total <= now
      && self->last_beat_t + total >= now - BEAT_CLOCK_SLACK_S)
    t = self->last_beat_t;
  else
    t = now - total;

  for (guint i = 0; i < m->n_rr; i++)
    {
      HeartBeat beat = { 0 };

      t += m->rr_ms[i] / 1000.0;
      if (self->have_beat && t <= self->last_beat_t)
        t = self->last_beat_t + 1e-3;
      self->have_beat = TRUE;
      self->last_beat_t = t;
      self->last_rr = m->rr_ms[i];
      heart_rr_window_add (&self->rr, t, m->rr_ms[i]);

      beat.t_s = t;
      beat.timestamp_us = wall_us (self, t);
      beat.rr_ms = m->rr_ms[i];
      beat.stress_level = NAN;
      push_value (self, HEART_CHANNEL_RR_INTERVAL, t, beat.rr_ms);
      heart_source_emit_beat (HEART_SOURCE (self), &beat);
    }
}

static void
on_value (HeartSensor *self,
          GVariant    *value)
{
  g_autoptr(GError) error = NULL;
  HeartGattMeasurement m;
  gsize length = 0;
  const guint8 *data;

  if (!self->running)
    return;
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    return;
  data = g_variant_get_fixed_array (value, &length, 1);
  if (!heart_gatt_parse_measurement (data, length, &m, &error))
    {
      g_prefix_error (&error, "%s: ", self->device_address);
      report (self, error);
      return;
    }
  self->have_measurement = TRUE;
  self->bpm = m.bpm;
  if (self->contact != m.contact)
    {
      self->contact = m.contact;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT]);
    }
  set_int (self, &self->energy_kj, m.has_energy ? (int) m.energy_kj : -1, PROP_ENERGY_KJ);
  emit_beats (self, &m);
}

static gboolean
on_tick (gpointer user_data)
{
  HeartSensor *self = user_data;
  HeartSample sample;
  double t;

  /* while the strap is away its last sample stays current: nothing is made up */
  if (!self->have_measurement || !self->notifying)
    return G_SOURCE_CONTINUE;

  t = now_s (self);
  clear_sample (&sample);
  sample.seq = ++self->seq;
  sample.t_s = t;
  sample.timestamp_us = wall_us (self, t);
  sample.running = TRUE;
  sample.bpm = (int) self->bpm;
  sample.channels[HEART_CHANNEL_HEART_RATE] = self->bpm;
  if (self->have_beat)
    {
      sample.rr_ms = self->last_rr;
      sample.rmssd_ms = heart_rr_window_rmssd (&self->rr, t);
      if (isfinite (sample.rmssd_ms))
        sample.variability = CLAMP (sample.rmssd_ms / RMSSD_FULL_SCALE_MS, 0.0, 1.0);
      sample.channels[HEART_CHANNEL_HRV_RMSSD] = sample.rmssd_ms;
    }
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_PERIODIC)
      push_value (self, c, t, sample.channels[c]);
  if (self->values->len > 0)
    {
      heart_source_emit_values (HEART_SOURCE (self), (const HeartChannelValue *) self->values->data,
                                self->values->len);
      g_array_set_size (self->values, 0);
    }
  self->current = sample;
  heart_source_emit_sample (HEART_SOURCE (self), &self->current);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------- BlueZ */

static void
lost (HeartSensor *self)
{
  self->notifying = FALSE;
  /* the next beat starts a new run on our clock */
  self->have_beat = FALSE;
  set_state (self, self->ever_connected ? "disconnected" : (self->device_path != NULL ? "connecting" : "searching"));
}

static gboolean
on_reconnect (gpointer user_data);

static void
schedule_connect (HeartSensor *self)
{
  if (self->reconnect_id != 0 || self->connect_pending)
    return;
  self->reconnect_id = g_timeout_add (self->backoff_ms, on_reconnect, self);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void
connect_done (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HeartSensor *self = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  /* Connect answers nothing: only whether it was cancelled matters */
  g_clear_pointer (&reply, g_variant_unref);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->connect_pending = FALSE;
  /* a failure is retried later; a success shows in the next snapshot */
  scan (self);
}

static gboolean
on_reconnect (gpointer user_data)
{
  HeartSensor *self = user_data;

  self->reconnect_id = 0;
  if (self->device_path == NULL)
    return G_SOURCE_REMOVE;
  /* connected but StartNotify failed: try that again */
  if (self->connected)
    {
      scan (self);
      return G_SOURCE_REMOVE;
    }
  self->connect_pending = TRUE;
  g_dbus_connection_call (bus (self), BLUEZ_NAME, self->device_path, DEVICE_IFACE, "Connect",
                          NULL, NULL, G_DBUS_CALL_FLAGS_NONE, CONNECT_TIMEOUT_MS,
                          self->cancellable, connect_done, self);
  return G_SOURCE_REMOVE;
}

static void
start_notify_done (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  HeartSensor *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->notify_pending = FALSE;
  if (reply == NULL)
    {
      /* the link went as we asked: the next connection tries again */
      g_debug ("StartNotify of %s: %s", self->char_path, error->message);
      schedule_connect (self);
      return;
    }
  if (!self->connected || self->char_path == NULL)
    return;
  self->notifying = TRUE;
  self->ever_connected = TRUE;
  self->backoff_ms = BACKOFF_FIRST_MS;
  set_state (self, "connected");
}

/* The device in use and its measurement characteristic, from a snapshot
 * (a{oa{sa{sv}}}) */
static void
apply_snapshot (HeartSensor *self,
                GVariant    *objects)
{
  g_autoptr(GPtrArray) measurement_paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *device_path = NULL;
  g_autofree char *device_address = NULL;
  g_autofree char *device_name = NULL;
  g_autofree char *char_path = NULL;
  gboolean connected = FALSE;
  int battery = -1;
  gboolean was_connected = self->connected;
  GVariantIter iter;
  const char *path;
  GVariant *interfaces;

  /* BlueZ is back, or answers for the first time */
  if (g_str_equal (self->state, "starting") || g_str_equal (self->state, "unavailable"))
    set_state (self, "searching");

  /* the measurement characteristics first: "any" device that has one */
  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, CHARACTERISTIC_IFACE, NULL);
      const char *uuid;

      if (props != NULL && g_variant_lookup (props, "UUID", "&s", &uuid)
          && g_ascii_strcasecmp (uuid, HEART_GATT_HEART_RATE_MEASUREMENT_UUID) == 0)
        g_ptr_array_add (measurement_paths, g_strdup (path));
    }

  g_variant_iter_init (&iter, objects);
  while (g_variant_iter_loop (&iter, "{&o@a{sa{sv}}}", &path, &interfaces))
    {
      g_autoptr(GVariant) props = g_variant_lookup_value (interfaces, DEVICE_IFACE, NULL);
      g_autoptr(GVariant) uuids = NULL;
      g_autoptr(GVariant) battery_props = NULL;
      const char *address = NULL;
      const char *name = NULL;
      gboolean match = FALSE;
      gboolean is_connected = FALSE;
      guchar percentage;

      if (props == NULL || !g_variant_lookup (props, "Address", "&s", &address))
        continue;
      if (self->any)
        {
          uuids = g_variant_lookup_value (props, "UUIDs", G_VARIANT_TYPE_STRING_ARRAY);
          match = heart_bluez_has_uuid (uuids, HEART_GATT_HEART_RATE_SERVICE_UUID);
          for (guint i = 0; !match && i < measurement_paths->len; i++)
            match = heart_bluez_is_under (measurement_paths->pdata[i], path);
        }
      else
        match = g_ascii_strcasecmp (address, self->address) == 0;
      /* "any" keeps to the device it found while that is there */
      if (!match || (device_path != NULL && g_strcmp0 (device_path, self->device_path) == 0))
        continue;
      g_clear_pointer (&device_path, g_free);
      g_clear_pointer (&device_address, g_free);
      g_clear_pointer (&device_name, g_free);
      device_path = g_strdup (path);
      device_address = g_strdup (address);
      if (g_variant_lookup (props, "Alias", "&s", &name) || g_variant_lookup (props, "Name", "&s", &name))
        device_name = g_strdup (name);
      g_variant_lookup (props, "Connected", "b", &is_connected);
      connected = is_connected;
      battery_props = g_variant_lookup_value (interfaces, BATTERY_IFACE, NULL);
      battery = battery_props != NULL && g_variant_lookup (battery_props, "Percentage", "y", &percentage)
                ? percentage : -1;
    }

  for (guint i = 0; device_path != NULL && char_path == NULL && i < measurement_paths->len; i++)
    if (heart_bluez_is_under (measurement_paths->pdata[i], device_path))
      char_path = g_strdup (measurement_paths->pdata[i]);

  if (g_strcmp0 (device_path, self->device_path) != 0 || g_strcmp0 (char_path, self->char_path) != 0)
    self->notifying = FALSE;
  g_free (self->device_path);
  self->device_path = g_steal_pointer (&device_path);
  g_free (self->char_path);
  self->char_path = g_steal_pointer (&char_path);
  self->connected = connected;
  if (self->device_path != NULL)
    {
      set_string (self, &self->device_address, device_address, PROP_DEVICE_ADDRESS);
      set_string (self, &self->device_name, device_name, PROP_DEVICE_NAME);
    }
  set_int (self, &self->battery, battery, PROP_BATTERY);

  if (self->device_path == NULL || !self->connected)
    {
      if (was_connected || self->notifying || self->device_path == NULL)
        lost (self);
      else if (!self->ever_connected)
        set_state (self, "connecting");
      if (self->device_path != NULL)
        schedule_connect (self);
      return;
    }
  if (self->char_path == NULL)
    {
      /* connected, services not resolved yet: a later snapshot has them */
      if (self->notifying || !self->ever_connected)
        {
          self->notifying = FALSE;
          set_state (self, self->ever_connected ? "disconnected" : "connecting");
        }
      return;
    }
  if (!self->notifying && !self->notify_pending)
    {
      self->notify_pending = TRUE;
      g_dbus_connection_call (bus (self), BLUEZ_NAME, self->char_path, CHARACTERISTIC_IFACE,
                              "StartNotify", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                              self->cancellable, start_notify_done, self);
    }
}

static void
on_snapshot (HeartBluez  *bluez,
             GVariant    *objects,
             HeartSensor *self)
{
  apply_snapshot (self, objects);
}

/* BlueZ or its adapter went, or came back (its snapshot follows) */
static void
on_available (HeartBluez  *bluez,
              GParamSpec  *pspec,
              HeartSensor *self)
{
  if (heart_bluez_get_available (bluez))
    return;
  g_clear_pointer (&self->device_path, g_free);
  g_clear_pointer (&self->char_path, g_free);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->connected = FALSE;
  self->notifying = FALSE;
  self->have_beat = FALSE;
  set_state (self, "unavailable");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAVAILABLE_REASON]);
}

static void
on_properties_changed (HeartBluez  *bluez,
                       const char  *path,
                       const char  *iface,
                       GVariant    *changed,
                       HeartSensor *self)
{
  g_autoptr(GVariant) value = NULL;
  gboolean connected;

  if (g_strcmp0 (path, self->char_path) == 0 && g_str_equal (iface, CHARACTERISTIC_IFACE))
    {
      value = g_variant_lookup_value (changed, "Value", NULL);
      if (value != NULL)
        on_value (self, value);
      return;
    }
  /* at once: the snapshot that follows may take a moment */
  if (g_strcmp0 (path, self->device_path) == 0 && g_str_equal (iface, DEVICE_IFACE)
      && g_variant_lookup (changed, "Connected", "b", &connected) && !connected)
    {
      self->connected = FALSE;
      lost (self);
    }
}

/* ------------------------------------------------------------- GInitable */

static gboolean
valid_address (const char *address)
{
  if (strlen (address) != 17)
    return FALSE;
  for (int i = 0; i < 17; i++)
    if (i % 3 == 2 ? address[i] != ':' : !g_ascii_isxdigit (address[i]))
      return FALSE;
  return TRUE;
}

static gboolean
heart_sensor_initable_init (GInitable     *initable,
                            GCancellable  *cancellable,
                            GError       **error)
{
  HeartSensor *self = HEART_SENSOR (initable);

  if (self->address == NULL || (!self->any && !valid_address (self->address)))
    {
      g_set_error (error, HEART_SENSOR_ERROR, HEART_SENSOR_ERROR_ADDRESS,
                   "“%s” is not a Bluetooth address (AA:BB:CC:DD:EE:FF) nor “any”",
                   self->address != NULL ? self->address : "");
      return FALSE;
    }
  /* BlueZ is asked without blocking: its absence is a state, as it may
   * come later (docs/sensors.md) */
  self->bluez = heart_bluez_new (self->connection);
  g_signal_connect (self->bluez, "snapshot", G_CALLBACK (on_snapshot), self);
  g_signal_connect (self->bluez, "notify::available", G_CALLBACK (on_available), self);
  g_signal_connect (self->bluez, "notify::answered", G_CALLBACK (on_available), self);
  g_signal_connect (self->bluez, "properties-changed", G_CALLBACK (on_properties_changed), self);
  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = heart_sensor_initable_init;
}

/* ------------------------------------------------------------- HeartSource */

static const HeartSample *
source_get_current_sample (HeartSource *source)
{
  return &HEART_SENSOR (source)->current;
}

static gboolean
source_get_running (HeartSource *source)
{
  return HEART_SENSOR (source)->running;
}

static void
source_set_running (HeartSource *source,
                    gboolean     running)
{
  HeartSensor *self = HEART_SENSOR (source);

  running = !!running;
  if (self->running == running)
    return;
  self->running = running;
  self->current.running = running;
  if (running)
    self->tick_id = g_timeout_add (INTERVAL_MS, on_tick, self);
  else
    g_clear_handle_id (&self->tick_id, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static guint
source_get_interval_ms (HeartSource *source)
{
  return INTERVAL_MS;
}

static const char *
source_get_kind (HeartSource *source)
{
  return "sensor";
}

static void
source_iface_init (HeartSourceInterface *iface)
{
  iface->get_current_sample = source_get_current_sample;
  iface->get_running = source_get_running;
  iface->set_running = source_set_running;
  iface->get_interval_ms = source_get_interval_ms;
  iface->get_kind = source_get_kind;
}

/* ------------------------------------------------------------- GObject */

static void
heart_sensor_dispose (GObject *object)
{
  HeartSensor *self = HEART_SENSOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  if (self->bluez != NULL)
    {
      /* the strap stops sending when we go, not when bluetoothd notices */
      if (self->notifying && self->char_path != NULL && bus (self) != NULL)
        g_dbus_connection_call (bus (self), BLUEZ_NAME, self->char_path, CHARACTERISTIC_IFACE,
                                "StopNotify", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                                NULL, NULL, NULL);
      self->notifying = FALSE;
      g_signal_handlers_disconnect_by_data (self->bluez, self);
      g_clear_object (&self->bluez);
    }
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (heart_sensor_parent_class)->dispose (object);
}

static void
heart_sensor_finalize (GObject *object)
{
  HeartSensor *self = HEART_SENSOR (object);

  g_clear_object (&self->cancellable);
  g_free (self->address);
  g_free (self->device_path);
  g_free (self->device_address);
  g_free (self->device_name);
  g_free (self->char_path);
  g_array_unref (self->values);
  G_OBJECT_CLASS (heart_sensor_parent_class)->finalize (object);
}

static void
heart_sensor_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeartSensor *self = HEART_SENSOR (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_UNAVAILABLE_REASON:
      g_value_set_string (value, heart_sensor_get_unavailable_reason (self));
      break;
    case PROP_DEVICE_ADDRESS:
      g_value_set_string (value, self->device_address);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;
    case PROP_CONTACT:
      g_value_set_string (value, heart_gatt_contact_to_string (self->contact));
      break;
    case PROP_BATTERY:
      g_value_set_int (value, self->battery);
      break;
    case PROP_ENERGY_KJ:
      g_value_set_int (value, self->energy_kj);
      break;
    case PROP_SKIPPED:
      g_value_set_uint64 (value, self->skipped);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, INTERVAL_MS);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HeartSensor *self = HEART_SENSOR (object);

  switch (prop_id)
    {
    case PROP_ADDRESS:
      g_free (self->address);
      self->address = g_value_dup_string (value);
      self->any = g_strcmp0 (self->address, "any") == 0 || g_strcmp0 (self->address, "auto") == 0;
      break;
    case PROP_CONNECTION:
      g_set_object (&self->connection, g_value_get_object (value));
      break;
    case PROP_RUNNING:
      source_set_running (HEART_SOURCE (self), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_class_init (HeartSensorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_sensor_dispose;
  object_class->finalize = heart_sensor_finalize;
  object_class->get_property = heart_sensor_get_property;
  object_class->set_property = heart_sensor_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "starting",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNAVAILABLE_REASON] =
    g_param_spec_string ("unavailable-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_ADDRESS] =
    g_param_spec_string ("device-address", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONTACT] =
    g_param_spec_string ("contact", NULL, NULL, "unsupported",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BATTERY] =
    g_param_spec_int ("battery", NULL, NULL, -1, 100, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENERGY_KJ] =
    g_param_spec_int ("energy-kj", NULL, NULL, -1, G_MAXUINT16, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SKIPPED] =
    g_param_spec_uint64 ("skipped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL, 1, G_MAXUINT, INTERVAL_MS,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* a notification that is not a measurement: (GError *) why; it is skipped */
  signals[PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
heart_sensor_init (HeartSensor *self)
{
  self->cancellable = g_cancellable_new ();
  self->state = "starting";
  self->battery = -1;
  self->energy_kj = -1;
  self->last_rr = NAN;
  self->backoff_ms = BACKOFF_FIRST_MS;
  self->values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  self->start_mono = g_get_monotonic_time ();
  self->start_wall = g_get_real_time ();
  clear_sample (&self->current);
}

HeartSensor *
heart_sensor_new (const char       *address,
                  GDBusConnection  *connection,
                  GError          **error)
{
  return g_initable_new (HEART_TYPE_SENSOR, NULL, error,
                         "address", address,
                         "connection", connection,
                         NULL);
}

const char *
heart_sensor_get_state (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return self->state;
}

const char *
heart_sensor_get_unavailable_reason (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return g_str_equal (self->state, "unavailable") && self->bluez != NULL
         ? heart_bluez_get_unavailable_reason (self->bluez) : NULL;
}

const char *
heart_sensor_get_address (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return self->address;
}

const char *
heart_sensor_get_device_address (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return self->device_address;
}

const char *
heart_sensor_get_device_name (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return self->device_name;
}

const char *
heart_sensor_get_contact (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), NULL);
  return heart_gatt_contact_to_string (self->contact);
}

int
heart_sensor_get_battery (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), -1);
  return self->battery;
}

int
heart_sensor_get_energy_kj (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), -1);
  return self->energy_kj;
}

guint64
heart_sensor_get_skipped (HeartSensor *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR (self), 0);
  return self->skipped;
}
