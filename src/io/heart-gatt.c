/* heart-gatt.c: the Heart Rate Measurement (0x2A37) parser
 *
 * docs/sensors.md, "What comes from the strap".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-gatt.h"

/* the flags byte */
#define FLAG_HR_UINT16         (1u << 0)
#define FLAG_CONTACT_DETECTED  (1u << 1)
#define FLAG_CONTACT_SUPPORTED (1u << 2)
#define FLAG_ENERGY            (1u << 3)
#define FLAG_RR                (1u << 4)
/* bits 5–7 are reserved for future use: ignored, as the specification asks */

G_DEFINE_QUARK (heart-gatt-error-quark, heart_gatt_error)

static guint
read_uint16 (const guint8 *p)
{
  return (guint) p[0] | ((guint) p[1] << 8);
}

gboolean
heart_gatt_parse_measurement (const guint8          *data,
                              gsize                  length,
                              HeartGattMeasurement  *measurement,
                              GError               **error)
{
  gsize at = 1;
  guint flags;
  gsize need;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (measurement != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length == 0)
    {
      g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_TRUNCATED,
                   "heart rate measurement is empty");
      return FALSE;
    }
  flags = data[0];

  need = 1 + ((flags & FLAG_HR_UINT16) ? 2 : 1) + ((flags & FLAG_ENERGY) ? 2 : 0);
  if (length < need)
    {
      g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_TRUNCATED,
                   "heart rate measurement of %" G_GSIZE_FORMAT " bytes, its flags 0x%02x need %" G_GSIZE_FORMAT,
                   length, flags, need);
      return FALSE;
    }

  measurement->n_rr = 0;
  if (flags & FLAG_HR_UINT16)
    {
      measurement->bpm = read_uint16 (data + at);
      at += 2;
    }
  else
    measurement->bpm = data[at++];

  if (!(flags & FLAG_CONTACT_SUPPORTED))
    measurement->contact = HEART_GATT_CONTACT_UNSUPPORTED;
  else if (flags & FLAG_CONTACT_DETECTED)
    measurement->contact = HEART_GATT_CONTACT_DETECTED;
  else
    measurement->contact = HEART_GATT_CONTACT_NOT_DETECTED;

  measurement->has_energy = (flags & FLAG_ENERGY) != 0;
  measurement->energy_kj = 0;
  if (measurement->has_energy)
    {
      measurement->energy_kj = read_uint16 (data + at);
      at += 2;
    }

  if (!(flags & FLAG_RR))
    {
      if (at != length)
        {
          g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_INCONSISTENT,
                       "heart rate measurement has %" G_GSIZE_FORMAT " bytes after its fields and no RR intervals in its flags 0x%02x",
                       length - at, flags);
          return FALSE;
        }
      return TRUE;
    }

  /* the RR flag with no interval, or half of one, is a broken value */
  if (at == length || (length - at) % 2 != 0)
    {
      g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_TRUNCATED,
                   "heart rate measurement has %" G_GSIZE_FORMAT " bytes of RR intervals, not a whole number of 2-byte intervals",
                   length - at);
      return FALSE;
    }
  if ((length - at) / 2 > HEART_GATT_RR_MAX)
    {
      g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_INCONSISTENT,
                   "heart rate measurement has more than %d RR intervals", HEART_GATT_RR_MAX);
      return FALSE;
    }
  for (; at < length; at += 2)
    {
      guint raw = read_uint16 (data + at);

      if (raw == 0)
        {
          g_set_error (error, HEART_GATT_ERROR, HEART_GATT_ERROR_INCONSISTENT,
                       "heart rate measurement has an RR interval of 0");
          return FALSE;
        }
      /* 1/1024 s */
      measurement->rr_ms[measurement->n_rr++] = raw * 1000.0 / 1024.0;
    }
  return TRUE;
}

const char *
heart_gatt_contact_to_string (HeartGattContact contact)
{
  switch (contact)
    {
    case HEART_GATT_CONTACT_NOT_DETECTED:
      return "not-detected";
    case HEART_GATT_CONTACT_DETECTED:
      return "detected";
    case HEART_GATT_CONTACT_UNSUPPORTED:
    default:
      return "unsupported";
    }
}
