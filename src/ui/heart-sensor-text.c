/* heart-sensor-text.c: a strap's state, contact and signal in words
 *
 * The Source group, the header bar and the strap picker say the same
 * things the same way (docs/desktop.md, Source).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sensor-text.h"

#include <glib/gi18n.h>

/* dBm of an advertisement: a strap on the chest a metre or two from the
 * adapter is usually above -75 */
#define RSSI_STRONG (-60)
#define RSSI_FAIR   (-75)

const char *
heart_sensor_text_name (HeartSensor *sensor)
{
  const char *address = heart_sensor_get_address (sensor);

  if (heart_sensor_get_device_name (sensor) != NULL)
    return heart_sensor_get_device_name (sensor);
  if (heart_sensor_get_device_address (sensor) != NULL)
    return heart_sensor_get_device_address (sensor);
  if (g_ascii_strcasecmp (address, "any") == 0 || g_ascii_strcasecmp (address, "auto") == 0)
    return _("Any Heart-Rate Strap");
  return address;
}

const char *
heart_sensor_text_state (HeartSensor *sensor,
                         gboolean     brief)
{
  const char *state = heart_sensor_get_state (sensor);

  if (g_str_equal (state, "connected"))
    return _("Connected");
  if (g_str_equal (state, "connecting"))
    return _("Connecting…");
  if (g_str_equal (state, "disconnected"))
    return brief ? _("Disconnected") : _("Disconnected: waiting for it to come back");
  if (g_str_equal (state, "unavailable"))
    {
      const char *reason = heart_sensor_get_unavailable_reason (sensor);

      return brief || reason == NULL ? _("Bluetooth unavailable") : reason;
    }
  /* "starting" (BlueZ not answered yet) looks the same to the user */
  return _("Searching…");
}

const char *
heart_sensor_text_contact (const char *contact)
{
  if (g_strcmp0 (contact, "detected") == 0)
    return _("Skin contact");
  if (g_strcmp0 (contact, "not-detected") == 0)
    return _("No skin contact");
  return _("Contact not reported");
}

const char *
heart_sensor_icon_contact (const char *contact)
{
  if (g_strcmp0 (contact, "detected") == 0)
    return "heart-beat-symbolic";
  if (g_strcmp0 (contact, "not-detected") == 0)
    return "dialog-warning-symbolic";
  return "dialog-question-symbolic";
}

const char *
heart_sensor_text_signal (int rssi)
{
  if (rssi == 0)
    return NULL;
  if (rssi >= RSSI_STRONG)
    return _("Strong signal");
  if (rssi >= RSSI_FAIR)
    return _("Fair signal");
  return _("Weak signal");
}
