/* heart-fields.c: a row of named values written as a JSON object or a CSV row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-fields.h"

#include <math.h>

#include <time.h>

/* Fixed decimals whatever the locale; a non-finite value cannot be JSON */
static void
append_fixed (GString    *out,
              const char *format,
              double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, isfinite (value) ? value : 0));
}

static void
append_value (GString           *out,
              HeartFieldsFormat  format,
              const HeartField  *field)
{
  gboolean quote = format == HEART_FIELDS_JSON
                && (field->kind == HEART_FIELD_STRING || field->kind == HEART_FIELD_TIMESTAMP);

  if (quote)
    g_string_append_c (out, '"');
  switch (field->kind)
    {
    case HEART_FIELD_TIMESTAMP:
      heart_append_iso8601_ms (out, field->integer);
      break;
    case HEART_FIELD_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, field->integer);
      break;
    case HEART_FIELD_DECIMALS_1:
      append_fixed (out, "%.1f", field->number);
      break;
    case HEART_FIELD_DECIMALS_3:
      append_fixed (out, "%.3f", field->number);
      break;
    case HEART_FIELD_STRING:
      g_string_append (out, field->string);
      break;
    default:
      g_assert_not_reached ();
    }
  if (quote)
    g_string_append_c (out, '"');
}

void
heart_fields_append (GString           *out,
                     HeartFieldsFormat  format,
                     const HeartField  *fields,
                     guint              n_fields)
{
  if (format == HEART_FIELDS_JSON)
    g_string_append_c (out, '{');
  for (guint i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (format == HEART_FIELDS_JSON)
        g_string_append_printf (out, "\"%s\":", fields[i].name);
      append_value (out, format, &fields[i]);
    }
  g_string_append_c (out, format == HEART_FIELDS_JSON ? '}' : '\n');
}

void
heart_fields_append_header (GString          *out,
                            const HeartField *fields,
                            guint             n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, fields[i].name);
    }
  g_string_append_c (out, '\n');
}

void
heart_append_iso8601_ms (GString *out,
                         gint64   timestamp_us)
{
  /* rounded down, before the epoch too, with no overflow near G_MININT64 */
  gint64 ms = timestamp_us / 1000 - (timestamp_us % 1000 < 0 ? 1 : 0);
  time_t seconds = (time_t) (ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  struct tm tm;

  gmtime_r (&seconds, &tm);
  g_string_append_printf (out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec,
                          (int) (ms - (gint64) seconds * 1000));
}
