/* heart-sensor.h: a Bluetooth LE heart-rate strap, through BlueZ
 *
 * A HeartSource of what a strap measures: the Heart Rate Measurement
 * notifications (heart-gatt.h) of the device BlueZ knows at an address, or
 * of the first with the Heart Rate service ("any"), over BlueZ's D-Bus API
 * (org.bluez on the system bus, or on the connection given). Each RR
 * interval is a beat; a sample every 500 ms has the strap's heart rate,
 * the latest RR and the RMSSD of the last 30 s; what a strap cannot
 * measure is null. docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_SENSOR_ERROR (heart_sensor_error_quark ())

typedef enum {
  HEART_SENSOR_ERROR_ADDRESS,      /* not "any" nor AA:BB:CC:DD:EE:FF */
} HeartSensorError;

#define HEART_TYPE_SENSOR (heart_sensor_get_type ())
G_DECLARE_FINAL_TYPE (HeartSensor, heart_sensor, HEART, SENSOR, GObject)

GQuark       heart_sensor_error_quark        (void);

/* @address: "AA:BB:CC:DD:EE:FF", or "any" (also "auto"); @connection:
 * NULL for the system bus. NULL and @error only for a bad address: the
 * bus and BlueZ are reached without blocking, and their absence is a
 * state ("unavailable"), not an error, as they may come later. */
HeartSensor *heart_sensor_new                (const char *address,
                                              GDBusConnection *connection,
                                              GError **error);

/* "starting" (BlueZ not answered yet), "unavailable" (no BlueZ or no
 * adapter: heart_sensor_get_unavailable_reason() says which), "searching"
 * (no such device known to BlueZ yet), "connecting", "connected"
 * (notifications flow), "disconnected" (it was connected: the last sample
 * stays current, stale, until it comes back) */
const char  *heart_sensor_get_state          (HeartSensor *self);
/* a sentence for the user while "unavailable", else NULL */
const char  *heart_sensor_get_unavailable_reason (HeartSensor *self);
const char  *heart_sensor_get_address        (HeartSensor *self);
/* of the device in use, NULL before one is found */
const char  *heart_sensor_get_device_address (HeartSensor *self);
const char  *heart_sensor_get_device_name    (HeartSensor *self);
/* "unsupported", "not-detected", "detected" (heart_gatt_contact_to_string) */
const char  *heart_sensor_get_contact        (HeartSensor *self);
/* BlueZ's Battery1.Percentage of the device, -1 when it has none */
int          heart_sensor_get_battery        (HeartSensor *self);
/* the strap's energy expended, kJ; -1 when it does not send it */
int          heart_sensor_get_energy_kj      (HeartSensor *self);
/* malformed notifications skipped */
guint64      heart_sensor_get_skipped        (HeartSensor *self);

G_END_DECLS
