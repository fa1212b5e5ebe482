/* heart-bluez.h: BlueZ on a bus, read whole
 *
 * What the strap source (heart-sensor.h) and the strap list
 * (heart-sensor-scanner.h) both need of BlueZ: its objects, read whole
 * (ObjectManager.GetManagedObjects) at the start and again whenever one is
 * added or removed or a device or adapter changes, one read in flight at a
 * time; whether it is there at all, with an adapter that is on; and the
 * system bus got without blocking. Nothing here is an error: BlueZ, an
 * adapter or the bus may come later, and "available" follows
 * (docs/sensors.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_BLUEZ_NAME                 "org.bluez"
#define HEART_BLUEZ_ADAPTER_IFACE        "org.bluez.Adapter1"
#define HEART_BLUEZ_DEVICE_IFACE         "org.bluez.Device1"
#define HEART_BLUEZ_BATTERY_IFACE        "org.bluez.Battery1"
#define HEART_BLUEZ_CHARACTERISTIC_IFACE "org.bluez.GattCharacteristic1"
#define HEART_BLUEZ_CALL_TIMEOUT_MS      5000

#define HEART_TYPE_BLUEZ (heart_bluez_get_type ())
G_DECLARE_FINAL_TYPE (HeartBluez, heart_bluez, HEART, BLUEZ, GObject)

/* @connection: NULL for the system bus. Signals: "snapshot" (GVariant
 * a{oa{sa{sv}}}, every object BlueZ has), after each read while
 * available; "properties-changed" (path, interface, GVariant a{sv} of what
 * changed), for every PropertiesChanged of BlueZ's, as it comes. */
HeartBluez      *heart_bluez_new                    (GDBusConnection *connection);
/* NULL until the bus is there */
GDBusConnection *heart_bluez_get_connection         (HeartBluez *self);
/* "available": BlueZ answers and has an adapter that is on */
gboolean         heart_bluez_get_available          (HeartBluez *self);
/* "unavailable-reason": a sentence for the user; NULL while available and
 * before BlueZ first answers */
const char      *heart_bluez_get_unavailable_reason (HeartBluez *self);
/* "answered": BlueZ's first answer (or its absence) is known */
gboolean         heart_bluez_get_answered           (HeartBluez *self);
/* the first adapter that is on, NULL when none */
const char      *heart_bluez_get_adapter_path       (HeartBluez *self);
/* read BlueZ's objects again (one read in flight, one more at most) */
void             heart_bluez_refresh                (HeartBluez *self);

/* In a UUIDs property (as), case-insensitively */
gboolean         heart_bluez_has_uuid               (GVariant *uuids,
                                                     const char *uuid);
/* @path is below @parent (a device's service or characteristic) */
gboolean         heart_bluez_is_under               (const char *path,
                                                     const char *parent);

G_END_DECLS
