/* heart-fields.c: a row of named values written as a JSON object or a CSV row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-fields.h"

#include <math.h>

#include <time.h>

/* Datasets write millions of fields: numbers and timestamps are written
 * digit by digit here rather than through printf and gmtime, which took
 * most of the time of a day of channel values (bench/README.md). */

static void
append_digits (GString *out,
               guint64  value,
               guint    min_width)
{
  char buf[24];
  guint i = sizeof buf;

  do
    {
      buf[--i] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0 || sizeof buf - i < min_width);
  g_string_append_len (out, buf + i, sizeof buf - i);
}

static void
append_int (GString *out,
            gint64   value)
{
  if (value < 0)
    g_string_append_c (out, '-');
  append_digits (out, value < 0 ? -(guint64) value : (guint64) value, 1);
}

/* Fixed decimals whatever the locale, rounded half away from zero; a
 * non-finite value cannot be JSON */
static void
append_fixed (GString *out,
              guint    decimals,
              double   value)
{
  static const guint64 scales[] = { 1, 10, 100, 1000 };
  double scaled;
  gint64 units;

  g_assert (decimals < G_N_ELEMENTS (scales));
  if (!isfinite (value))
    value = 0;
  scaled = value * scales[decimals];
  if (fabs (scaled) >= 1e15)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append (out, g_ascii_formatd (buf, sizeof buf, decimals == 1 ? "%.1f" : "%.3f", value));
      return;
    }
  units = llround (scaled);
  if (units < 0)
    g_string_append_c (out, '-');
  units = ABS (units);
  append_digits (out, (guint64) units / scales[decimals], 1);
  if (decimals > 0)
    {
      g_string_append_c (out, '.');
      append_digits (out, (guint64) units % scales[decimals], decimals);
    }
}

static void
append_value (GString           *out,
              HeartFieldsFormat  format,
              const HeartField  *field)
{
  gboolean quote = format == HEART_FIELDS_JSON
                && (field->kind == HEART_FIELD_STRING || field->kind == HEART_FIELD_TIMESTAMP);

  if (field->kind == HEART_FIELD_NULL
      || ((field->kind == HEART_FIELD_DECIMALS_1 || field->kind == HEART_FIELD_DECIMALS_3)
          && !isfinite (field->number)))
    {
      if (format == HEART_FIELDS_JSON)
        g_string_append (out, "null");
      return;
    }
  if (quote)
    g_string_append_c (out, '"');
  switch (field->kind)
    {
    case HEART_FIELD_TIMESTAMP:
      heart_append_iso8601_ms (out, field->integer);
      break;
    case HEART_FIELD_INT:
      append_int (out, field->integer);
      break;
    case HEART_FIELD_DECIMALS_1:
      append_fixed (out, 1, field->number);
      break;
    case HEART_FIELD_DECIMALS_3:
      append_fixed (out, 3, field->number);
      break;
    case HEART_FIELD_STRING:
      g_string_append (out, field->string);
      break;
    case HEART_FIELD_BOOLEAN:
      if (format == HEART_FIELDS_JSON)
        g_string_append (out, field->integer ? "true" : "false");
      else
        g_string_append_c (out, field->integer ? '1' : '0');
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

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm) */
static void
civil_from_days (gint64  days,
                 gint64 *year,
                 guint  *month,
                 guint  *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  guint64 doe = (guint64) (z - era * 146097);
  guint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  guint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  guint64 mp = (5 * doy + 2) / 153;

  *day = (guint) (doy - (153 * mp + 2) / 5 + 1);
  *month = (guint) (mp < 10 ? mp + 3 : mp - 9);
  *year = (gint64) yoe + era * 400 + (*month <= 2);
}

static gboolean
append_iso8601_fast (GString *out,
                     gint64   timestamp_us)
{
  gint64 ms, seconds, days, year;
  guint month, day, of_day;

  /* floor divisions; far from the epoch the general path takes over */
  if (timestamp_us < 0 || timestamp_us > G_GINT64_CONSTANT (253402300799999999))
    return FALSE;
  ms = timestamp_us / 1000;
  seconds = ms / 1000;
  days = seconds / 86400;
  of_day = (guint) (seconds % 86400);
  civil_from_days (days, &year, &month, &day);
  append_digits (out, (guint64) year, 4);
  g_string_append_c (out, '-');
  append_digits (out, month, 2);
  g_string_append_c (out, '-');
  append_digits (out, day, 2);
  g_string_append_c (out, 'T');
  append_digits (out, of_day / 3600, 2);
  g_string_append_c (out, ':');
  append_digits (out, of_day / 60 % 60, 2);
  g_string_append_c (out, ':');
  append_digits (out, of_day % 60, 2);
  g_string_append_c (out, '.');
  append_digits (out, (guint64) (ms % 1000), 3);
  g_string_append_c (out, 'Z');
  return TRUE;
}

void
heart_append_iso8601_ms (GString *out,
                         gint64   timestamp_us)
{
  if (append_iso8601_fast (out, timestamp_us))
    return;
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
