/* test-gatt.c: the Heart Rate Measurement parser, on hand-made values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-gatt.h"

static void
parse_ok (const guint8         *data,
          gsize                 length,
          HeartGattMeasurement *m)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_gatt_parse_measurement (data, length, m, &error));
  g_assert_no_error (error);
}

static void
parse_fails (const guint8   *data,
             gsize           length,
             HeartGattError  code)
{
  HeartGattMeasurement m;
  g_autoptr(GError) error = NULL;

  g_assert_false (heart_gatt_parse_measurement (data, length, &m, &error));
  g_assert_error (error, HEART_GATT_ERROR, (int) code);
  g_assert_true (g_str_has_prefix (error->message, "heart rate measurement"));
}

static void
test_uint8 (void)
{
  const guint8 value[] = { 0x00, 72 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpuint (m.bpm, ==, 72);
  g_assert_cmpint (m.contact, ==, HEART_GATT_CONTACT_UNSUPPORTED);
  g_assert_false (m.has_energy);
  g_assert_cmpuint (m.n_rr, ==, 0);
}

static void
test_uint16 (void)
{
  /* 300 bpm little-endian, contact supported and detected */
  const guint8 value[] = { 0x07, 0x2c, 0x01 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpuint (m.bpm, ==, 300);
  g_assert_cmpint (m.contact, ==, HEART_GATT_CONTACT_DETECTED);
  g_assert_cmpstr (heart_gatt_contact_to_string (m.contact), ==, "detected");
}

static void
test_contact_lost (void)
{
  const guint8 value[] = { 0x04, 0 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpint (m.contact, ==, HEART_GATT_CONTACT_NOT_DETECTED);
  g_assert_cmpuint (m.bpm, ==, 0);
}

static void
test_one_rr (void)
{
  /* 75 bpm, RR 819 / 1024 s */
  const guint8 value[] = { 0x10, 75, 0x33, 0x03 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpuint (m.bpm, ==, 75);
  g_assert_cmpuint (m.n_rr, ==, 1);
  g_assert_cmpfloat_with_epsilon (m.rr_ms[0], 819 * 1000.0 / 1024.0, 1e-9);
}

static void
test_energy_and_rrs (void)
{
  /* 16-bit HR 64, energy 513 kJ, RR 1024, 1000 and 900 / 1024 s */
  const guint8 value[] = { 0x19, 64, 0, 0x01, 0x02, 0x00, 0x04, 0xe8, 0x03, 0x84, 0x03 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpuint (m.bpm, ==, 64);
  g_assert_true (m.has_energy);
  g_assert_cmpuint (m.energy_kj, ==, 513);
  g_assert_cmpuint (m.n_rr, ==, 3);
  g_assert_cmpfloat_with_epsilon (m.rr_ms[0], 1000.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.rr_ms[1], 1000 * 1000.0 / 1024.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (m.rr_ms[2], 900 * 1000.0 / 1024.0, 1e-9);
}

static void
test_reserved_bits_ignored (void)
{
  const guint8 value[] = { 0xe0, 60 };
  HeartGattMeasurement m;

  parse_ok (value, sizeof value, &m);
  g_assert_cmpuint (m.bpm, ==, 60);
}

static void
test_malformed (void)
{
  const guint8 empty[] = { 0 };
  const guint8 no_hr[] = { 0x00 };
  const guint8 half_hr16[] = { 0x01, 60 };
  const guint8 no_energy[] = { 0x08, 60, 0x01 };
  const guint8 rr_flag_no_rr[] = { 0x10, 60 };
  const guint8 half_rr[] = { 0x10, 60, 0x00, 0x04, 0x00 };
  const guint8 trailing[] = { 0x00, 60, 0x00 };
  const guint8 zero_rr[] = { 0x10, 60, 0x00, 0x00 };

  parse_fails (empty, 0, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (no_hr, sizeof no_hr, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (half_hr16, sizeof half_hr16, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (no_energy, sizeof no_energy, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (rr_flag_no_rr, sizeof rr_flag_no_rr, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (half_rr, sizeof half_rr, HEART_GATT_ERROR_TRUNCATED);
  parse_fails (trailing, sizeof trailing, HEART_GATT_ERROR_INCONSISTENT);
  parse_fails (zero_rr, sizeof zero_rr, HEART_GATT_ERROR_INCONSISTENT);
}

/* Every flags byte and every length up to a few RRs past what it needs:
 * a value is accepted exactly when its length is what the flags say */
static void
test_every_flag_and_length (void)
{
  guint8 value[16];

  for (gsize i = 0; i < sizeof value; i++)
    value[i] = 0x40;  /* no zero RR */
  for (guint flags = 0; flags < 256; flags++)
    {
      gsize fixed = 1 + ((flags & 0x01) ? 2 : 1) + ((flags & 0x08) ? 2 : 0);

      value[0] = (guint8) flags;
      for (gsize length = 0; length <= sizeof value; length++)
        {
          HeartGattMeasurement m;
          g_autoptr(GError) error = NULL;
          gboolean expected;
          gboolean ok = heart_gatt_parse_measurement (value, length, &m, &error);

          if (flags & 0x10)
            expected = length > fixed && (length - fixed) % 2 == 0;
          else
            expected = length == fixed;
          g_assert_cmpint (ok, ==, expected);
          g_assert_true (ok == (error == NULL));
          if (ok)
            g_assert_cmpuint (m.n_rr, ==, (flags & 0x10) ? (length - fixed) / 2 : 0);
        }
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gatt/uint8", test_uint8);
  g_test_add_func ("/gatt/uint16", test_uint16);
  g_test_add_func ("/gatt/contact-lost", test_contact_lost);
  g_test_add_func ("/gatt/one-rr", test_one_rr);
  g_test_add_func ("/gatt/energy-and-rrs", test_energy_and_rrs);
  g_test_add_func ("/gatt/reserved-bits", test_reserved_bits_ignored);
  g_test_add_func ("/gatt/malformed", test_malformed);
  g_test_add_func ("/gatt/every-flag-and-length", test_every_flag_and_length);
  return g_test_run ();
}
