/* heart-duration.c: the strict number and duration syntax
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-duration.h"

const char *
heart_decimal_scan (const char *text,
                    double     *value)
{
  g_autofree char *number = NULL;
  const char *p = text;
  gboolean dot = FALSE, digit = FALSE;

  for (; g_ascii_isdigit (*p) || (*p == '.' && !dot); p++)
    {
      dot |= *p == '.';
      digit |= *p != '.';
    }
  if (!digit)
    return NULL;
  number = g_strndup (text, p - text);
  *value = g_ascii_strtod (number, NULL);
  return p;
}

static const struct
{
  char   unit;
  double seconds;
} time_units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };

gboolean
heart_duration_scan (const char *text,
                     double     *seconds)
{
  const char *p = heart_decimal_scan (text, seconds);
  guint unit = 0;
  double total = 0, value;

  if (p != NULL && *p == '\0')
    return TRUE;
  for (p = text; *p != '\0'; p++)
    {
      if ((p = heart_decimal_scan (p, &value)) == NULL)
        return FALSE;
      while (unit < G_N_ELEMENTS (time_units) && time_units[unit].unit != *p)
        unit++;
      if (unit == G_N_ELEMENTS (time_units))
        return FALSE;
      total += value * time_units[unit++].seconds;
    }
  if (p == text)
    return FALSE;
  *seconds = total;
  return TRUE;
}

gboolean
heart_option_error (GError    **error,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

gboolean
heart_parse_duration (const char  *text,
                      double      *seconds,
                      GError     **error)
{
  double total;

  if (text == NULL || *text == '\0')
    return heart_option_error (error, "--duration is empty (use e.g. 90s, 10m, 24h)");
  if (!heart_duration_scan (text, &total))
    return heart_option_error (error, "--duration '%s' is not a duration (use e.g. 90s, 1.5h, 1h30m: units d, h, m, s, largest first)",
                 text);
  if (total <= 0 || total > HEART_DURATION_MAX_S)
    return heart_option_error (error, "--duration '%s' must be more than 0 and at most 366d", text);
  *seconds = total;
  return TRUE;
}
