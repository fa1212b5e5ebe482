/* heart-sensor-text.h: a strap's state, contact and signal in words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-sensor.h"

G_BEGIN_DECLS

/* The strap's name as BlueZ has it, else its address; "Any Heart-Rate
 * Strap" while "any" has found none */
const char *heart_sensor_text_name    (HeartSensor *sensor);
/* "Connected", "Searching…", "Connecting…", and for "disconnected" and
 * "unavailable" either one word (@brief, the header bar's) or the whole
 * story: "Disconnected: waiting for it to come back", the reason */
const char *heart_sensor_text_state   (HeartSensor *sensor,
                                       gboolean     brief);
/* "Skin contact", "No skin contact", "Contact not reported" */
const char *heart_sensor_text_contact (const char *contact);
/* An icon for the same */
const char *heart_sensor_icon_contact (const char *contact);
/* "Strong signal", "Fair signal", "Weak signal"; NULL for 0, not seen in
 * this discovery (docs/desktop.md, Choosing a strap) */
const char *heart_sensor_text_signal  (int rssi);

G_END_DECLS
