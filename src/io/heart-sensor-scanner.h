/* heart-sensor-scanner.h: the heart-rate straps Bluetooth can see
 *
 * A GListModel of HeartSensorDevice: every device BlueZ knows that offers
 * the Heart Rate service (0x180D), paired or only seen in a discovery, kept
 * up to date from BlueZ's ObjectManager signals. Discovery (a scan of the
 * air, filtered to that service) runs while "discovering" is TRUE, which a
 * picker holds only while it is shown: a scan costs the adapter power and
 * airtime. Without BlueZ or an adapter the list is empty, "available" is
 * FALSE and "unavailable-reason" says why; both change when BlueZ or an
 * adapter appears later (docs/sensors.md, Choosing a strap).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_TYPE_SENSOR_DEVICE (heart_sensor_device_get_type ())
G_DECLARE_FINAL_TYPE (HeartSensorDevice, heart_sensor_device, HEART, SENSOR_DEVICE, GObject)

/* Read-only properties of the same names, notified as BlueZ changes them */
const char *heart_sensor_device_get_address   (HeartSensorDevice *self);  /* "address" */
/* the alias BlueZ has, or the advertised name; NULL when neither */
const char *heart_sensor_device_get_name      (HeartSensorDevice *self);  /* "name" */
/* dBm of the last advertisement seen; 0 when not seen in this discovery */
int         heart_sensor_device_get_rssi      (HeartSensorDevice *self);  /* "rssi" */
gboolean    heart_sensor_device_get_paired    (HeartSensorDevice *self);  /* "paired" */
gboolean    heart_sensor_device_get_connected (HeartSensorDevice *self);  /* "connected" */

#define HEART_TYPE_SENSOR_SCANNER (heart_sensor_scanner_get_type ())
G_DECLARE_FINAL_TYPE (HeartSensorScanner, heart_sensor_scanner, HEART, SENSOR_SCANNER, GObject)

/* @connection: the bus BlueZ is on, NULL for the system bus (reached
 * without blocking). The list fills as BlueZ answers. */
HeartSensorScanner *heart_sensor_scanner_new                    (GDBusConnection *connection);
/* "available": BlueZ is there with at least one adapter */
gboolean            heart_sensor_scanner_get_available          (HeartSensorScanner *self);
/* "unavailable-reason": a sentence for the user, NULL while available */
const char         *heart_sensor_scanner_get_unavailable_reason (HeartSensorScanner *self);
/* "discovering": TRUE asks the first adapter to scan for heart-rate
 * devices until FALSE or the scanner goes; it reads TRUE only while the
 * adapter really scans */
gboolean            heart_sensor_scanner_get_discovering        (HeartSensorScanner *self);
void                heart_sensor_scanner_set_discovering        (HeartSensorScanner *self,
                                                                 gboolean discovering);

G_END_DECLS
