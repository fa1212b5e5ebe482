/* load-util.h: what the benchmark clients share: timestamps, percentiles,
 * and a server's CPU time and memory from /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline gint64
load_days_from_civil (gint64   y,
                      unsigned m,
                      unsigned d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "2026-01-09T12:34:56.789Z" (any fraction, Z or ±hh:mm) in µs since the
 * epoch; 0 if it is not one */
static inline gint64
load_parse_timestamp (const char *p)
{
  int y, mo, d, h, mi, s, consumed = 0;
  gint64 us = 0, scale = 100000, offset_s = 0;

  if (sscanf (p, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6)
    return 0;
  p += consumed;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
      us += (*p - '0') * scale;
  if (*p == '+' || *p == '-')
    {
      int oh = 0, om = 0;

      if (sscanf (p + 1, "%2d:%2d", &oh, &om) == 2)
        offset_s = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
  return (load_days_from_civil (y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + s - offset_s)
         * G_USEC_PER_SEC + us;
}

static inline int
load_compare_int64 (gconstpointer a,
                    gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* @p (0–1) of @values (gint64 µs, sorted here), in ms */
static inline double
load_percentile_ms (GArray *values,
                    double  p)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, load_compare_int64);
  return g_array_index (values, gint64, MIN (values->len - 1, (guint) (p * values->len))) / 1000.0;
}

/* utime + stime of @pid, in clock ticks; 0 if unknown */
static inline guint64
load_cpu_ticks (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *after;
  unsigned long long utime = 0, stime = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* fields 14 and 15, counting from the state after the name */
  if (sscanf (after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return 0;
  return utime + stime;
}

/* VmRSS of @pid in kB; 0 if unknown */
static inline guint64
load_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;
  unsigned long long kb = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "VmRSS:")) == NULL)
    return 0;
  sscanf (line + 6, "%llu", &kb);
  return kb;
}
