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

