/* load-util.h: what the benchmark clients share: timestamps, finding a
 * member in a sample, percentiles, and a server's CPU time and memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static inline gint64
load_days_from_civil (gint64   y,
                      unsigned m,
                      unsigned d)
{
  gint64 era;
  unsigned yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (unsigned) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

/* "2026-01-09T12:34:56.789Z" -> µs since the epoch; 0 when malformed.
 * Heartsim writes exactly that; other servers may write no fraction or six
 * digits of it, and "+00:00" or no zone at all (taken as UTC). */
static inline gint64
load_parse_timestamp (const char *p)
{
  int y, mo, d, h, mi, s, n = 0;
  gint64 us = 0, scale = 100000, offset_s = 0;

  if (sscanf (p, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6)
    return 0;
  p += n;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, scale /= 10)
      us += (*p - '0') * scale;
  if (*p == '+' || *p == '-')
    {
      int oh = 0, om = 0;

      if (sscanf (p + 1, "%2d:%2d", &oh, &om) >= 1)
        offset_s = (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
  return (load_days_from_civil (y, (unsigned) mo, (unsigned) d) * 86400 + h * 3600 + mi * 60 + s - offset_s)
         * G_USEC_PER_SEC + us;
}

/* Finds "key": in a sample without a JSON parser: the client must keep up
 * with tens of thousands of messages a second on a shared CPU. Python's
 * json.dumps puts a space after the colon, Heartsim none. Where the value
 * begins, or NULL. */
static inline const char *
load_find_value (const char *json,
                 gsize       length,
                 const char *key)
{
  gsize key_len = strlen (key);
  const char *end = json + length;

  for (const char *p = json; p + key_len + 2 < end; p++)
    if (*p == '"' && memcmp (p + 1, key, key_len) == 0 && p[1 + key_len] == '"')
      {
        const char *v = p + key_len + 2;

        while (v < end && *v == ' ')
          v++;
        if (v >= end || *v != ':')
          continue;
        for (v++; v < end && *v == ' '; v++)
          ;
        return v < end ? v : NULL;
      }
  return NULL;
}

static inline int
load_compare_int64 (gconstpointer a,
                    gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Of a sorted array of µs, in ms; NAN when empty */
static inline double
load_percentile_ms (GArray *sorted,
                    double  q)
{
  gint64 *v = (gint64 *) (void *) sorted->data;
  guint n = sorted->len;

  return n == 0 ? NAN : (q >= 1 ? v[n - 1] : v[MIN (n - 1, (guint) (n * q))]) / 1e3;
}

/* utime + stime of @pid, in clock ticks */
static inline gboolean
load_read_cpu_ticks (int      pid,
                     guint64 *ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  char *p;
  unsigned long utime, stime;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return FALSE;
  /* after "pid (comm)": state is field 3; utime and stime are 14 and 15 */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return FALSE;
  *ticks = utime + stime;
  return TRUE;
}

/* VmRSS of @pid in kB; 0 if unknown */
static inline guint64
load_read_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}
