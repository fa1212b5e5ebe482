/* heart-gatt.h: the Heart Rate Measurement of a Bluetooth LE strap
 *
 * The value of the GATT characteristic 0x2A37 (Heart Rate service 0x180D),
 * as the Bluetooth SIG's Heart Rate Service specification lays it out: a
 * flags byte, the heart rate in 8 or 16 bits, the sensor contact status,
 * energy expended (kJ, 16 bits) and zero or more RR intervals (16 bits each,
 * in 1/1024 s). Little-endian throughout. docs/sensors.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEART_GATT_HEART_RATE_SERVICE_UUID     "0000180d-0000-1000-8000-00805f9b34fb"
#define HEART_GATT_HEART_RATE_MEASUREMENT_UUID "00002a37-0000-1000-8000-00805f9b34fb"

/* A value is at most 512 bytes (an attribute's limit): at most 255 RRs */
#define HEART_GATT_RR_MAX 255

#define HEART_GATT_ERROR (heart_gatt_error_quark ())

typedef enum {
  HEART_GATT_ERROR_TRUNCATED,     /* shorter than its flags say */
  HEART_GATT_ERROR_INCONSISTENT,  /* bytes its flags do not account for, an RR of 0 */
} HeartGattError;

typedef enum {
  HEART_GATT_CONTACT_UNSUPPORTED,  /* the strap does not say */
  HEART_GATT_CONTACT_NOT_DETECTED,
  HEART_GATT_CONTACT_DETECTED,
} HeartGattContact;

typedef struct
{
  guint            bpm;
  HeartGattContact contact;
  gboolean         has_energy;
  guint            energy_kj;   /* cumulative since the strap's last reset */
  guint            n_rr;
  double           rr_ms[HEART_GATT_RR_MAX];
} HeartGattMeasurement;

GQuark      heart_gatt_error_quark          (void);

/* FALSE with HEART_GATT_ERROR and @measurement undefined when @data is not
 * a whole, consistent measurement */
gboolean    heart_gatt_parse_measurement    (const guint8 *data,
                                             gsize length,
                                             HeartGattMeasurement *measurement,
                                             GError **error);

/* "unsupported", "not-detected", "detected" */
const char *heart_gatt_contact_to_string    (HeartGattContact contact);

G_END_DECLS
