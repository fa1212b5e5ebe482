/* heart-rr-window.c: the RR intervals of the last 30 s, and their RMSSD
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-rr-window.h"

#include <math.h>
#include <string.h>

#include "heart-hrv.h"

void
heart_rr_window_clear (HeartRrWindow *window)
{
  window->head = 0;
  window->length = 0;
}

void
heart_rr_window_add (HeartRrWindow *window,
                     double         t,
                     double         rr_ms)
{
  window->t[window->head] = t;
  window->rr[window->head] = rr_ms;
  window->head = (window->head + 1) % HEART_RR_WINDOW_MAX;
  window->length = MIN (window->length + 1, HEART_RR_WINDOW_MAX);
}

double
heart_rr_window_rmssd (const HeartRrWindow *window,
                       double               now)
{
  double series[HEART_RR_WINDOW_MAX + 1];
  guint n = 0;
  guint oldest = (window->head + HEART_RR_WINDOW_MAX - window->length) % HEART_RR_WINDOW_MAX;

  for (guint i = 0; i < window->length; i++)
    {
      guint k = (oldest + i) % HEART_RR_WINDOW_MAX;

      if (window->t[k] > now - HEART_RR_WINDOW_S || n > 0)
        series[n++] = window->rr[k];
    }
  /* the model pairs each beat in the window with the one before it */
  if (n < window->length && n > 0)
    {
      guint before = (oldest + window->length - n - 1) % HEART_RR_WINDOW_MAX;

      memmove (series + 1, series, n * sizeof *series);
      series[0] = window->rr[before];
      n++;
    }
  return n >= 2 ? heart_hrv_rmssd (series, n) : NAN;
}
