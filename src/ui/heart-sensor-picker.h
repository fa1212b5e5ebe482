/* heart-sensor-picker.h: the dialog that picks a Bluetooth heart-rate strap
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-sensor-scanner.h"

G_BEGIN_DECLS

#define HEART_TYPE_SENSOR_PICKER (heart_sensor_picker_get_type ())
G_DECLARE_FINAL_TYPE (HeartSensorPicker, heart_sensor_picker, HEART, SENSOR_PICKER, AdwWindow)

/* A modal dialog listing the straps @scanner sees ("scanner", construct
 * only), which it asks to discover while it is shown. Signal "chosen"
 * (const char *address: "AA:BB:CC:DD:EE:FF", or "any") when the user
 * picks a row; the dialog then closes. */
HeartSensorPicker  *heart_sensor_picker_new         (GtkWindow          *parent,
                                                     HeartSensorScanner *scanner);
HeartSensorScanner *heart_sensor_picker_get_scanner (HeartSensorPicker  *self);

/* For tests: the row of @address ("any" for the first), NULL when it is
 * not listed */
GtkWidget          *heart_sensor_picker_find_row    (HeartSensorPicker  *self,
                                                     const char         *address);

G_END_DECLS
