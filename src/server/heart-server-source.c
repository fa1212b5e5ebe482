/* heart-server-source.c: GET and POST /source, what is served
 *
 * The served source is a HeartSourceSwitch that everything downstream
 * follows, so a switch here is one call: the streams carry on and their
 * clients get the new source's samples, seq running on by one
 * (docs/architecture.md, Sources; docs/api.md, Source). A strap is
 * switched to only once BlueZ has said there is Bluetooth to use, so that
 * a machine without it answers 409 and keeps serving what it served.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-server-source.h"

#include "heart-duration.h"
#include "heart-replay.h"
#include "heart-sensor.h"
#include "heart-server-json.h"
#include "heart-server-validate.h"

static void
append_string_or_null (GString    *json,
                       const char *text)
{
  if (text != NULL)
    heart_json_append_string (json, text);
  else
    g_string_append (json, "null");
}

static void
append_sensor (GString     *json,
               HeartSensor *sensor)
{
  int battery = heart_sensor_get_battery (sensor);
  int energy = heart_sensor_get_energy_kj (sensor);

  g_string_append (json, ",\"address\":");
  heart_json_append_string (json, heart_sensor_get_address (sensor));
  g_string_append (json, ",\"state\":");
  heart_json_append_string (json, heart_sensor_get_state (sensor));
  g_string_append (json, ",\"running\":");
  g_string_append (json, heart_source_get_running (HEART_SOURCE (sensor)) ? "true" : "false");
  g_string_append (json, ",\"device\":{\"address\":");
  append_string_or_null (json, heart_sensor_get_device_address (sensor));
  g_string_append (json, ",\"name\":");
  append_string_or_null (json, heart_sensor_get_device_name (sensor));
  g_string_append (json, "},\"contact\":");
  heart_json_append_string (json, heart_sensor_get_contact (sensor));
  g_string_append (json, ",\"battery_percent\":");
  if (battery >= 0)
    g_string_append_printf (json, "%d", battery);
  else
    g_string_append (json, "null");
  g_string_append (json, ",\"energy_kj\":");
  if (energy >= 0)
    g_string_append_printf (json, "%d", energy);
  else
    g_string_append (json, "null");
  g_string_append_printf (json, ",\"skipped_notifications\":%" G_GUINT64_FORMAT, heart_sensor_get_skipped (sensor));
  g_string_append (json, ",\"error\":");
  append_string_or_null (json, heart_sensor_get_unavailable_reason (sensor));
}

void
heart_server_source_append_json (GString     *json,
                                 HeartSource *source)
{
  HeartSource *current = HEART_IS_SOURCE_SWITCH (source)
                       ? heart_source_switch_get_source (HEART_SOURCE_SWITCH (source)) : source;

  g_string_append (json, "{\"kind\":");
  heart_json_append_string (json, heart_source_get_kind (current));
  if (HEART_IS_REPLAY (current))
    {
      HeartReplay *replay = HEART_REPLAY (current);
      const GError *error = heart_replay_get_error (replay);

      g_string_append (json, ",\"file\":");
      heart_json_append_string (json, heart_replay_get_path (replay));
      g_string_append (json, ",\"state\":");
      heart_json_append_string (json, heart_replay_get_state (replay));
      g_string_append (json, ",\"position_s\":");
      heart_json_append_double (json, heart_replay_get_position (replay), 3);
      g_string_append (json, ",\"speed\":");
      heart_json_append_double (json, heart_replay_get_speed (replay), 3);
      g_string_append_printf (json, ",\"loop\":%s", heart_replay_get_loop (replay) ? "true" : "false");
      g_string_append (json, ",\"detected\":");
      heart_json_append_string (json, heart_replay_get_detected (replay));
      g_string_append_printf (json, ",\"skipped_lines\":%" G_GUINT64_FORMAT, heart_replay_get_skipped (replay));
      g_string_append (json, ",\"error\":");
      if (error != NULL)
        heart_json_append_string (json, error->message);
      else
        g_string_append (json, "null");
    }
  else if (HEART_IS_SENSOR (current))
    append_sensor (json, HEART_SENSOR (current));
  else
    {
      g_string_append (json, ",\"state\":");
      heart_json_append_string (json, heart_source_get_running (current) ? "running" : "stopped");
      if (HEART_IS_SIMULATOR (current))
        {
          g_string_append (json, ",\"speed\":");
          heart_json_append_double (json, heart_simulator_get_speed (HEART_SIMULATOR (current)), 3);
        }
    }
  g_string_append_printf (json, ",\"interval_ms\":%u}", heart_source_get_interval_ms (current));
}

static gboolean
respond_invalid (SoupServerMessage *msg,
                 HeartValidation   *validation)
{
  g_autofree char *text = NULL;

  if (heart_validation_ok (validation))
    return FALSE;
  text = heart_validation_to_json (validation);
  heart_respond_json (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, g_string_new (text));
  return TRUE;
}

static void
respond_source (SoupServerMessage *msg,
                HeartSourceSwitch *source_switch)
{
  GString *json = g_string_new (NULL);

  heart_server_source_append_json (json, HEART_SOURCE (source_switch));
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* A source on its way (a file opening, a strap waiting for BlueZ's first
 * answer), with the paused message it answers */
typedef struct
{
  SoupServerMessage *msg;
  HeartSourceSwitch *source_switch;
  HeartSensor       *sensor;
} PendingSource;

static PendingSource *
pending_source_new (SoupServerMessage *msg,
                    HeartSourceSwitch *source_switch)
{
  PendingSource *pending = g_new0 (PendingSource, 1);

  pending->msg = g_object_ref (msg);
  pending->source_switch = g_object_ref (source_switch);
  return pending;
}

static gboolean
pending_source_free (gpointer data)
{
  PendingSource *pending = data;

  g_object_unref (pending->msg);
  g_object_unref (pending->source_switch);
  g_clear_object (&pending->sensor);
  g_free (pending);
  return G_SOURCE_REMOVE;
}

static void
on_sensor_answered (HeartSensor   *sensor,
                    GParamSpec    *pspec,
                    PendingSource *pending)
{
  g_autofree char *detail = NULL;

  if (g_str_equal (heart_sensor_get_state (sensor), "starting"))
    return;
  soup_server_message_unpause (pending->msg);
  if (g_str_equal (heart_sensor_get_state (sensor), "unavailable"))
    {
      detail = g_strdup_printf ("no strap can be used: %s", heart_sensor_get_unavailable_reason (sensor));
      heart_respond_detail (pending->msg, SOUP_STATUS_CONFLICT, detail);
    }
  else
    {
      heart_source_switch_set_source (pending->source_switch, HEART_SOURCE (sensor));
      respond_source (pending->msg, pending->source_switch);
    }
  /* not the strap's last reference from inside its own notification: it
   * carries on after this returns */
  g_signal_handlers_disconnect_by_data (sensor, pending);
  g_idle_add (pending_source_free, pending);
}

/* kind=sensor: address=AA:BB:CC:DD:EE:FF or any (the default), as
 * --sensor's (docs/sensors.md) */
static void
post_sensor (SoupServerMessage *msg,
             GHashTable        *query,
             HeartSourceSwitch *source_switch,
             GDBusConnection   *bluez_connection)
{
  const char *address = g_hash_table_lookup (query, "address");
  g_autoptr(GError) error = NULL;
  HeartSensor *sensor;
  PendingSource *pending;

  sensor = heart_sensor_new (address != NULL ? address : "any", bluez_connection, &error);
  if (sensor == NULL)
    {
      g_autoptr(HeartValidation) validation = heart_validation_new (query);

      heart_validation_add_error (validation, "query", "address", error->message, address);
      respond_invalid (msg, validation);
      return;
    }
  pending = pending_source_new (msg, source_switch);
  pending->sensor = sensor;
  g_signal_connect (sensor, "notify::state", G_CALLBACK (on_sensor_answered), pending);
  soup_server_message_pause (msg);
}

static void replay_opened (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data);

/* kind=replay's options, as --replay's (docs/replay.md). The file is
 * opened in a thread (an Apple Health export is read whole, a seek reads
 * up to its offset) and the message answered when it is open. */
static void
post_replay (SoupServerMessage *msg,
             GHashTable        *query,
             HeartSourceSwitch *source_switch)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autoptr(GError) error = NULL;
  const char *file = g_hash_table_lookup (query, "file");
  const char *loop = g_hash_table_lookup (query, "loop");
  const char *seek = g_hash_table_lookup (query, "seek");
  const char *timestamps_text = g_hash_table_lookup (query, "timestamps");
  const char *on_error_text = g_hash_table_lookup (query, "on_error");
  const char *columns = g_hash_table_lookup (query, "columns");
  HeartReplayTimestamps timestamps = HEART_REPLAY_TIMESTAMPS_ORIGINAL;
  HeartReplayOnError on_error = HEART_REPLAY_ON_ERROR_SKIP;
  double speed = 1, seek_s = 0;
  PendingSource *pending;

  if (file == NULL || *file == '\0')
    heart_validation_add_error (validation, "query", "file", "Field required", NULL);
  heart_validation_double (validation, "speed", FALSE, HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, &speed);
  if (loop != NULL && !g_str_equal (loop, "true") && !g_str_equal (loop, "false"))
    heart_validation_add_error (validation, "query", "loop", "Input should be true or false", loop);
  if (seek != NULL && (!heart_duration_scan (seek, &seek_s) || seek_s > HEART_DURATION_MAX_S))
    heart_validation_add_error (validation, "query", "seek", "Input should be a time such as 600, 90s or 1h30m", seek);
  if (timestamps_text != NULL && !heart_replay_parse_timestamps (timestamps_text, &timestamps, NULL))
    heart_validation_add_error (validation, "query", "timestamps", "Input should be original or now", timestamps_text);
  if (on_error_text != NULL && !heart_replay_parse_on_error (on_error_text, &on_error, NULL))
    heart_validation_add_error (validation, "query", "on_error", "Input should be skip or stop", on_error_text);
  if (columns != NULL && !heart_replay_check_columns (columns, &error))
    {
      heart_validation_add_error (validation, "query", "columns", error->message, columns);
      g_clear_error (&error);
    }
  if (respond_invalid (msg, validation))
    return;

  pending = pending_source_new (msg, source_switch);
  soup_server_message_pause (msg);
  g_async_initable_new_async (HEART_TYPE_REPLAY, G_PRIORITY_DEFAULT, NULL, replay_opened, pending,
                              "path", file,
                              "speed", speed,
                              "loop", loop != NULL && g_str_equal (loop, "true"),
                              "seek-s", seek_s,
                              "timestamps", timestamps,
                              "on-error", on_error,
                              "columns", columns,
                           NULL);
}

static void
replay_opened (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PendingSource *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) replay = g_async_initable_new_finish (G_ASYNC_INITABLE (object), result, &error);

  soup_server_message_unpause (pending->msg);
  if (replay == NULL)
    heart_respond_detail (pending->msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, error->message);
  else
    {
      g_debug ("Replaying %s: %s", heart_replay_get_path (HEART_REPLAY (replay)),
               heart_replay_get_detected (HEART_REPLAY (replay)));
      heart_source_switch_set_source (pending->source_switch, HEART_SOURCE (replay));
      respond_source (pending->msg, pending->source_switch);
    }
  pending_source_free (pending);
}

void
heart_server_source_post (SoupServerMessage *msg,
                          GHashTable        *query,
                          HeartSourceSwitch *source_switch,
                          HeartSimulator    *simulator,
                          GDBusConnection   *bluez_connection)
{
  const char *kind = query != NULL ? g_hash_table_lookup (query, "kind") : NULL;

  if (kind == NULL || (!g_str_equal (kind, "simulator") && !g_str_equal (kind, "replay")
                       && !g_str_equal (kind, "sensor")))
    {
      g_autoptr(HeartValidation) validation = heart_validation_new (query);

      heart_validation_add_error (validation, "query", "kind",
                                  kind == NULL ? "Field required" : "Input should be simulator, replay or sensor", kind);
      respond_invalid (msg, validation);
      return;
    }
  if (source_switch == NULL)
    {
      heart_respond_detail (msg, SOUP_STATUS_CONFLICT, "this Heartsim serves one source: it cannot be switched");
      return;
    }
  if (g_str_equal (kind, "simulator"))
    {
      if (simulator == NULL)
        {
          heart_respond_detail (msg, SOUP_STATUS_CONFLICT, "this Heartsim has no simulator");
          return;
        }
      heart_source_switch_set_source (source_switch, HEART_SOURCE (simulator));
    }
  else if (g_str_equal (kind, "sensor"))
    {
      post_sensor (msg, query, source_switch, bluez_connection);
      return;
    }
  else
    {
      post_replay (msg, query, source_switch);
      return;
    }
  respond_source (msg, source_switch);
}
