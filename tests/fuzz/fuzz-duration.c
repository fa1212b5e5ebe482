/* fuzz-duration.c: heart_parse_duration(), the parser behind --duration and
 * --event TIME, and the scanners under it (io/heart-duration.c), on arbitrary
 * text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "heart-duration.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  double seconds = -1, again = -1;
  gboolean ok;

  ok = heart_parse_duration (text, &seconds, &error);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_true (isfinite (seconds));
      g_assert_cmpfloat (seconds, >, 0);
    }
  else
    {
      /* the message quotes the argument as given, so it is UTF-8 only when
       * the argument is (docs/reliability.md) */
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, !=, "");
    }

  /* the same answer without an error to fill in, and the same value */
  g_assert_cmpint (heart_parse_duration (text, &again, NULL), ==, ok);
  if (ok)
    g_assert_cmpfloat (again, ==, seconds);

  /* --duration is the scanner's answer within (0, 366 days] */
  {
    double scanned = -1;
    gboolean scan_ok = heart_duration_scan (text, &scanned);

    g_assert_cmpint (ok, ==, scan_ok && scanned > 0 && scanned <= HEART_DURATION_MAX_S);
    if (ok)
      g_assert_cmpfloat (scanned, ==, seconds);
  }

  /* a decimal is digits with at most one point: never negative, and
   * infinite only past DBL_MAX (a range check refuses it) */
  {
    double value = -1;
    const char *end = heart_decimal_scan (text, &value);

    if (end != NULL)
      {
        g_assert_true (end > text && end <= text + strlen (text));
        g_assert_true (!isnan (value) && value >= 0);
        g_assert_true (g_ascii_isdigit (*text) || *text == '.');
      }
  }
  return 0;
}
