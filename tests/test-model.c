/* test-model.c: the realism targets of docs/model.md, computed from generated beats
 *
 * At rest (baseline 60–80, no events) every 5-minute window is scored
 * against the short-term norms (Nunan et al. 2010): a person's windows vary,
 * so at least 90 % of them and the median must be inside each range.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>

#include "heart-hrv.h"
#include "heart-simulator.h"
#include "test-stats-util.h"

#define WINDOW_S 300.0
#define REST_HOURS 4

typedef struct
{
  GArray *t;
  GArray *rr;
  GArray *event;
} Beats;

typedef struct
{
  GArray *mean_bpm;
  GArray *rmssd;
  GArray *sdnn;
  GArray *lf_hf;
  GArray *lf_peak;
  GArray *hf_peak;
  guint   windows;
  guint   distinct;
} Windows;

static void
on_beat (HeartSimulator  *simulator,
         const HeartBeat *beat,
         Beats           *beats)
{
  g_array_append_val (beats->t, beat->t_s);
  g_array_append_val (beats->rr, beat->rr_ms);
  g_array_append_val (beats->event, beat->event_active);
}

static void
beats_clear (Beats *beats)
{
  g_clear_pointer (&beats->t, g_array_unref);
  g_clear_pointer (&beats->rr, g_array_unref);
  g_clear_pointer (&beats->event, g_array_unref);
}

static HeartSimulator *
quiet_simulator (guint64 seed,
                 guint   baseline,
                 double  stress)
{
  return g_object_new (HEART_TYPE_SIMULATOR,
                       "seed", seed, "manual-clock", TRUE,
                       "baseline-bpm", baseline, "stress-level", stress,
                       "random-events-per-hour", 0.0,
                       NULL);
}

static void
record (HeartSimulator *simulator,
        double          seconds,
        Beats          *beats)
{
  gulong handler;

  if (beats->t == NULL)
    {
      beats->t = g_array_new (FALSE, FALSE, sizeof (double));
      beats->rr = g_array_new (FALSE, FALSE, sizeof (double));
      beats->event = g_array_new (FALSE, FALSE, sizeof (gboolean));
    }
  handler = g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), beats);
  for (double t = 0; t < seconds; t += 0.5)
    heart_simulator_advance (simulator, 0.5);
  g_signal_handler_disconnect (simulator, handler);
}

static GArray *
doubles (void)
{
  return g_array_new (FALSE, FALSE, sizeof (double));
}

static void
windows_init (Windows *w)
{
  *w = (Windows) { doubles (), doubles (), doubles (), doubles (), doubles (), doubles (), 0, 0 };
}

static void
windows_clear (Windows *w)
{
  g_array_unref (w->mean_bpm);
  g_array_unref (w->rmssd);
  g_array_unref (w->sdnn);
  g_array_unref (w->lf_hf);
  g_array_unref (w->lf_peak);
  g_array_unref (w->hf_peak);
}

static void
analyse_windows (const Beats *beats,
                 Windows     *w)
{
  const double *t = (const double *) beats->t->data;
  const double *rr = (const double *) beats->rr->data;
  guint n = beats->t->len;

  windows_init (w);
  for (guint start = 0, end; start < n; start = end)
    {
      HeartHrvStats stats;

      for (end = start; end < n && t[end] < t[start] + WINDOW_S; end++)
        ;
      if (t[end - 1] - t[start] < WINDOW_S - 5)
        break;
      g_assert_true (heart_hrv_analyse (t + start, rr + start, end - start, &stats));
      g_array_append_val (w->mean_bpm, stats.mean_bpm);
      g_array_append_val (w->rmssd, stats.rmssd_ms);
      g_array_append_val (w->sdnn, stats.sdnn_ms);
      g_array_append_val (w->lf_hf, stats.lf_hf);
      g_array_append_val (w->lf_peak, stats.lf_peak_hz);
      g_array_append_val (w->hf_peak, stats.hf_peak_hz);
      w->windows++;
      w->distinct += stats.peaks_distinct;
    }
  g_assert_cmpuint (w->windows, >=, 10);
}

static double
fraction_within (GArray *values,
                 double  low,
                 double  high)
{
  guint inside = 0;

  for (guint i = 0; i < values->len; i++)
    {
      double v = g_array_index (values, double, i);
      inside += v >= low && v <= high;
    }
  return (double) inside / values->len;
}

static void
assert_norm (const char *what,
             GArray     *values,
             double      low,
             double      high)
{
  double m = median (values);
  double inside = fraction_within (values, low, high);

  g_test_message ("%s: median %.2f, %.0f %% of windows in [%g, %g]", what, m, inside * 100, low, high);
  g_assert_cmpfloat (m, >=, low);
  g_assert_cmpfloat (m, <=, high);
  g_assert_cmpfloat (inside, >=, 0.90);
}

static void
rest_windows (guint64  seed,
              guint    baseline,
              Windows *w)
{
  g_autoptr(HeartSimulator) simulator = quiet_simulator (seed, baseline, 0);
  Beats beats = { 0 };

  record (simulator, REST_HOURS * 3600.0, &beats);
  analyse_windows (&beats, w);
  beats_clear (&beats);
}

static void
assert_rest_norms (gconstpointer data)
{
  guint baseline = GPOINTER_TO_UINT (data);
  Windows w;

  rest_windows (baseline, baseline, &w);
  assert_norm ("mean bpm", w.mean_bpm, baseline - 3, baseline + 3);
  assert_norm ("RMSSD ms", w.rmssd, 19, 75);
  assert_norm ("SDNN ms", w.sdnn, 32, 93);
  assert_norm ("LF/HF", w.lf_hf, 1.1, 4);
  assert_norm ("LF peak Hz", w.lf_peak, 0.04, 0.15);
  assert_norm ("HF peak Hz", w.hf_peak, 0.15, 0.40);
  g_test_message ("distinct LF and HF peaks in %u of %u windows", w.distinct, w.windows);
  g_assert_cmpfloat ((double) w.distinct / w.windows, >=, 0.90);
  windows_clear (&w);
}

static void
test_sustained_stress (void)
{
  g_autoptr(HeartSimulator) simulator = quiet_simulator (21, 72, 0.8);
  Beats beats = { 0 };
  Windows stress, rest;

  record (simulator, 2 * 3600.0, &beats);
  analyse_windows (&beats, &stress);
  rest_windows (21, 72, &rest);

  g_test_message ("stress: HR %.1f, RMSSD %.1f (rest %.1f), LF/HF %.2f (rest %.2f), HF peak %.3f (rest %.3f)",
                  median (stress.mean_bpm), median (stress.rmssd), median (rest.rmssd),
                  median (stress.lf_hf), median (rest.lf_hf), median (stress.hf_peak), median (rest.hf_peak));
  assert_norm ("stress mean bpm", stress.mean_bpm, 90, 120);
  g_assert_cmpfloat (median (stress.rmssd), <=, 0.5 * median (rest.rmssd));
  g_assert_cmpfloat (median (stress.lf_hf), >, median (rest.lf_hf));
  /* faster breathing moves respiratory sinus arrhythmia up */
  g_assert_cmpfloat (median (stress.hf_peak), >, median (rest.hf_peak));

  windows_clear (&stress);
  windows_clear (&rest);
  beats_clear (&beats);
}

/* Heart rate averaged over many people (seeds) in 1 s bins, so the step
 * response shows through the beat-to-beat variability. */
#define STEP_PEOPLE 40
#define STEP_BEFORE_S 60
#define STEP_HOLD_S 240
#define STEP_AFTER_S 400

static void
bin_beats (const Beats *beats,
           double       t0,
           double      *sum,
           guint       *count,
           guint        n_bins)
{
  for (guint i = 0; i < beats->t->len; i++)
    {
      double t = g_array_index (beats->t, double, i) - t0;
      int bin = (int) floor (t);

      if (bin >= 0 && (guint) bin < n_bins)
        {
          sum[bin] += 60000.0 / g_array_index (beats->rr, double, i);
          count[bin]++;
        }
    }
}

static double
mean_between (const double *hr,
              guint         from,
              guint         to)
{
  double sum = 0;

  for (guint i = from; i < to; i++)
    sum += hr[i];
  return sum / (to - from);
}

/* First second (after @from) where the 5 s moving average has covered
 * @fraction of the way from @start to @end */
static double
crossing_time (const double *hr,
               guint         from,
               guint         n,
               double        start,
               double        end,
               double        fraction)
{
  double level = start + fraction * (end - start);

  for (guint i = from + 2; i + 2 < n; i++)
    {
      double avg = mean_between (hr, i - 2, i + 3);

      if ((end > start && avg >= level) || (end < start && avg <= level))
        return i + 0.5 - from;
    }
  return INFINITY;
}

static void
test_stress_rises_fast_recovers_slowly (void)
{
  const guint n_bins = STEP_BEFORE_S + STEP_HOLD_S + STEP_AFTER_S;
  g_autofree double *sum = g_new0 (double, n_bins);
  g_autofree guint *count = g_new0 (guint, n_bins);
  g_autofree double *hr = g_new0 (double, n_bins);
  double rest, stressed, recovered, rise_s, fall_s;

  for (guint person = 0; person < STEP_PEOPLE; person++)
    {
      g_autoptr(HeartSimulator) simulator = quiet_simulator (1000 + person, 72, 0);
      Beats beats = { 0 };

      record (simulator, STEP_BEFORE_S, &beats);
      heart_simulator_set_stress_level (simulator, 0.8, NULL);
      record (simulator, STEP_HOLD_S, &beats);
      heart_simulator_set_stress_level (simulator, 0, NULL);
      record (simulator, STEP_AFTER_S, &beats);
      bin_beats (&beats, 0, sum, count, n_bins);
      beats_clear (&beats);
    }
  for (guint i = 0; i < n_bins; i++)
    hr[i] = sum[i] / count[i];

  rest = mean_between (hr, 0, STEP_BEFORE_S);
  stressed = mean_between (hr, STEP_BEFORE_S + STEP_HOLD_S - 60, STEP_BEFORE_S + STEP_HOLD_S);
  recovered = rest;
  rise_s = crossing_time (hr, STEP_BEFORE_S, n_bins, rest, stressed, 1 - exp (-1));
  fall_s = crossing_time (hr, STEP_BEFORE_S + STEP_HOLD_S, n_bins, stressed, recovered, 1 - exp (-1));

  g_test_message ("rest %.1f bpm, stressed %.1f bpm, 63 %% rise in %.1f s, 63 %% recovery in %.1f s",
                  rest, stressed, rise_s, fall_s);
  g_assert_cmpfloat (stressed, >=, 90);
  g_assert_cmpfloat (stressed, <=, 120);
  g_assert_cmpfloat (rise_s, >=, 10);
  g_assert_cmpfloat (rise_s, <=, 20);
  g_assert_cmpfloat (fall_s, >=, 45);
  g_assert_cmpfloat (fall_s, <=, 90);
}

static void
test_acute_event_is_held_then_released (void)
{
  g_autoptr(HeartSimulator) simulator = quiet_simulator (5, 72, 0.1);
  double peak;

  heart_simulator_advance (simulator, 30);
  g_assert_false (heart_simulator_get_event_active (simulator));
  g_assert_true (heart_simulator_trigger_stress (simulator, 0.8, NULL));
  g_assert_true (heart_simulator_get_event_active (simulator));
  heart_simulator_advance (simulator, 55);
  peak = heart_simulator_get_current_stress (simulator);
  g_assert_true (heart_simulator_get_event_active (simulator));
  g_assert_cmpfloat (peak, >, 0.7);
  heart_simulator_advance (simulator, 10);
  g_assert_false (heart_simulator_get_event_active (simulator));
  /* released back to the tonic level, slowly */
  heart_simulator_advance (simulator, 30);
  g_assert_cmpfloat (heart_simulator_get_current_stress (simulator), <, peak);
  g_assert_cmpfloat (heart_simulator_get_current_stress (simulator), >, 0.3);
  heart_simulator_advance (simulator, 600);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_current_stress (simulator), 0.1, 0.01);
}

static double
event_fraction (double rate)
{
  g_autoptr(HeartSimulator) simulator = quiet_simulator (77, 72, 0);
  Beats beats = { 0 };
  guint active = 0;

  heart_simulator_set_random_events_per_hour (simulator, rate, NULL);
  record (simulator, 3600, &beats);
  for (guint i = 0; i < beats.event->len; i++)
    active += g_array_index (beats.event, gboolean, i);
  active = (guint) ((double) active / beats.event->len * 1000);
  beats_clear (&beats);
  return active / 1000.0;
}

static void
test_random_events_follow_rate (void)
{
  double none = event_fraction (0);
  double few = event_fraction (6);
  double seed_rate = event_fraction (144);

  g_test_message ("time with an event active: %.3f at 0/h, %.3f at 6/h, %.3f at 144/h", none, few, seed_rate);
  g_assert_cmpfloat (none, ==, 0);
  g_assert_cmpfloat (few, >, 0);
  g_assert_cmpfloat (seed_rate, >, few);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/model/realism/rest-60", GUINT_TO_POINTER (60), assert_rest_norms);
  g_test_add_data_func ("/model/realism/rest-72", GUINT_TO_POINTER (72), assert_rest_norms);
  g_test_add_data_func ("/model/realism/rest-80", GUINT_TO_POINTER (80), assert_rest_norms);
  g_test_add_func ("/model/realism/sustained-stress", test_sustained_stress);
  g_test_add_func ("/model/stress/rise-fast-recover-slowly", test_stress_rises_fast_recovers_slowly);
  g_test_add_func ("/model/stress/acute-event", test_acute_event_is_held_then_released);
  g_test_add_func ("/model/stress/random-event-rate", test_random_events_follow_rate);
  return g_test_run ();
}
