/* test-rr-window.c: the RR intervals of the last 30 s and their RMSSD, as
 * the model computes rmssd_ms (docs/replay.md, "What a CSV becomes")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "heart-hrv.h"
#include "heart-rr-window.h"

static void
test_too_few (void)
{
  HeartRrWindow window;

  heart_rr_window_clear (&window);
  g_assert_true (isnan (heart_rr_window_rmssd (&window, 0)));
  heart_rr_window_add (&window, 1.0, 1000);
  g_assert_true (isnan (heart_rr_window_rmssd (&window, 1.0)));
}

static void
test_all_in_window (void)
{
  const double rr[] = { 800, 850, 790, 820 };
  HeartRrWindow window;
  double t = 0;

  heart_rr_window_clear (&window);
  for (guint i = 0; i < G_N_ELEMENTS (rr); i++)
    heart_rr_window_add (&window, t += rr[i] / 1000, rr[i]);
  g_assert_cmpfloat_with_epsilon (heart_rr_window_rmssd (&window, t), heart_hrv_rmssd (rr, 4), 1e-9);
}

/* The beats older than 30 s drop out, but the first beat in the window is
 * paired with the one before it */
static void
test_window_edge (void)
{
  HeartRrWindow window;
  const double expected[] = { 700, 900, 1000 };

  heart_rr_window_clear (&window);
  heart_rr_window_add (&window, 0.0, 500);
  heart_rr_window_add (&window, 10.0, 700);
  heart_rr_window_add (&window, 35.0, 900);
  heart_rr_window_add (&window, 36.0, 1000);
  /* at 40 s the window is (10, 40]: 900 and 1000, paired with 700 */
  g_assert_cmpfloat_with_epsilon (heart_rr_window_rmssd (&window, 40.0),
                                  heart_hrv_rmssd (expected, 3), 1e-9);
}

/* More beats than it holds: the oldest are forgotten, nothing overflows */
static void
test_wraps (void)
{
  HeartRrWindow window;

  heart_rr_window_clear (&window);
  for (guint i = 0; i < 3 * HEART_RR_WINDOW_MAX; i++)
    heart_rr_window_add (&window, i * 0.1, i % 2 ? 800 : 900);
  g_assert_cmpuint (window.length, ==, HEART_RR_WINDOW_MAX);
  g_assert_cmpfloat_with_epsilon (heart_rr_window_rmssd (&window, 3 * HEART_RR_WINDOW_MAX * 0.1), 100, 1e-9);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rr-window/too-few", test_too_few);
  g_test_add_func ("/rr-window/all-in-window", test_all_in_window);
  g_test_add_func ("/rr-window/window-edge", test_window_edge);
  g_test_add_func ("/rr-window/wraps", test_wraps);
  return g_test_run ();
}
