/* test-waveform.c: the ECG and PPG against what a user measures on them
 *
 * A QRS detector written here (slope energy, as Pan and Tompkins 1985 do,
 * then the R peak by parabolic interpolation) must find every beat of the
 * beat stream within ±4 ms; the intervals and morphology are measured on the
 * samples the way a cardiologist's calipers would (docs/waveforms.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "heart-simulator.h"
#include "test-stats-util.h"

#define MATCH_WINDOW_S 0.050
#define R_TOLERANCE_S  0.004

typedef struct
{
  double   fs;
  guint64  next_index;
  gboolean contiguous;
  GArray  *values;      /* double */
  GArray  *marks;       /* HeartWaveformMark */
} Track;

typedef struct
{
  Track   ecg;
  Track   ppg;
  GArray *beats;        /* HeartBeat */
  guint   blocks;
} Recording;

static void
track_init (Track *track)
{
  *track = (Track) {
    .contiguous = TRUE,
    .values = g_array_new (FALSE, FALSE, sizeof (double)),
    .marks = g_array_new (FALSE, FALSE, sizeof (HeartWaveformMark)),
  };
}

static void
recording_clear (Recording *rec)
{
  g_clear_pointer (&rec->ecg.values, g_array_unref);
  g_clear_pointer (&rec->ecg.marks, g_array_unref);
  g_clear_pointer (&rec->ppg.values, g_array_unref);
  g_clear_pointer (&rec->ppg.marks, g_array_unref);
  g_clear_pointer (&rec->beats, g_array_unref);
}

static void
on_waveform (HeartSource              *source,
             const HeartWaveformBlock *block,
             Recording                *rec)
{
  Track *track = block->channel == HEART_CHANNEL_ECG ? &rec->ecg : &rec->ppg;

  g_assert_true (block->channel == HEART_CHANNEL_ECG || block->channel == HEART_CHANNEL_PPG);
  g_assert_cmpfloat_with_epsilon (block->t0_s, block->first_index / block->fs_hz, 1e-9);
  if (track->values->len == 0)
    {
      track->fs = block->fs_hz;
      track->next_index = block->first_index;
      g_assert_cmpuint (block->first_index, ==, 0);
    }
  if (block->n_values > 0 && block->first_index != track->next_index)
    track->contiguous = FALSE;
  for (guint i = 0; i < block->n_values; i++)
    {
      double value = block->values[i];

      g_array_append_val (track->values, value);
    }
  track->next_index += block->n_values;
  g_array_append_vals (track->marks, block->marks, block->n_marks);
  rec->blocks++;
}

static void
on_beat (HeartSource     *source,
         const HeartBeat *beat,
         Recording       *rec)
{
  g_array_append_vals (rec->beats, beat, 1);
}

static HeartSimulator *
waveform_simulator (guint64                      seed,
                    double                       stress,
                    const HeartWaveformSettings *settings)
{
  HeartSimulator *simulator = g_object_new (HEART_TYPE_SIMULATOR,
                                            "seed", seed, "manual-clock", TRUE,
                                            "stress-level", stress,
                                            "random-events-per-hour", 0.0,
                                            NULL);
  HeartWaveformSettings defaults = HEART_WAVEFORM_SETTINGS_DEFAULT;
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_simulator_set_waveform_settings (simulator, settings != NULL ? settings : &defaults,
                                                        &error));
  g_assert_no_error (error);
  heart_simulator_set_channels (simulator, HEART_CHANNEL_MASK_ALL);
  return simulator;
}

static void
record_run (HeartSimulator *simulator,
            double          seconds,
            double          tick_s,
            Recording      *rec)
{
  track_init (&rec->ecg);
  track_init (&rec->ppg);
  rec->beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  g_signal_connect (simulator, "waveform", G_CALLBACK (on_waveform), rec);
  g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), rec);
  for (double t = 0; t < seconds - 1e-9; t += tick_s)
    heart_simulator_advance (simulator, tick_s);
  g_signal_handlers_disconnect_by_data (simulator, rec);
  g_assert_true (rec->ecg.contiguous);
  g_assert_true (rec->ppg.contiguous);
}

static void
record (guint64                      seed,
        double                       stress,
        const HeartWaveformSettings *settings,
        double                       seconds,
        Recording                   *rec)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (seed, stress, settings);

  record_run (simulator, seconds, 0.5, rec);
}

static double
value_at (const Track *track,
          gssize       i)
{
  return g_array_index (track->values, double, CLAMP (i, 0, (gssize) track->values->len - 1));
}

static gssize
index_of (const Track *track,
          double       t)
{
  return (gssize) lround (t * track->fs);
}

/* The largest value's index in [from, to] */
static gssize
argmax (const Track *track,
        gssize       from,
        gssize       to)
{
  gssize best = from;

  for (gssize i = from; i <= to; i++)
    if (value_at (track, i) > value_at (track, best))
      best = i;
  return best;
}

static gssize
argmin (const Track *track,
        gssize       from,
        gssize       to)
{
  gssize best = from;

  for (gssize i = from; i <= to; i++)
    if (value_at (track, i) < value_at (track, best))
      best = i;
  return best;
}

/* The time of the extremum at @i, between samples by a parabola */
static double
interpolated_time (const Track *track,
                   gssize       i)
{
  double a = value_at (track, i - 1), b = value_at (track, i), c = value_at (track, i + 1);
  double curvature = a - 2 * b + c;
  double shift = curvature != 0 ? 0.5 * (a - c) / curvature : 0;

  return (i + CLAMP (shift, -0.5, 0.5)) / track->fs;
}

/* R peaks: where the slope energy, integrated over 80 ms, stands above 15 %
 * of its 99th percentile; the R peak is the largest value in that stretch */
static GArray *
detect_r_peaks (const Track *ecg)
{
  guint n = ecg->values->len;
  gssize window = (gssize) lround (0.080 * ecg->fs);
  g_autoptr(GArray) energy = g_array_sized_new (FALSE, TRUE, sizeof (double), n);
  g_autoptr(GArray) sorted = NULL;
  GArray *peaks = g_array_new (FALSE, FALSE, sizeof (double));
  double sum = 0, threshold;
  gssize start = -1, last_end = -G_MAXINT;

  g_array_set_size (energy, n);
  for (gssize i = 0; i < (gssize) n; i++)
    {
      double slope = (value_at (ecg, i + 1) - value_at (ecg, i - 1)) * ecg->fs / 2;

      sum += slope * slope;
      if (i >= window)
        {
          double old = (value_at (ecg, i - window + 1) - value_at (ecg, i - window - 1)) * ecg->fs / 2;

          sum -= old * old;
        }
      g_array_index (energy, double, i) = sum / window;
    }
  sorted = g_array_copy (energy);
  g_array_sort (sorted, compare_doubles);
  threshold = 0.15 * g_array_index (sorted, double, (guint) (0.99 * (n - 1)));
  for (gssize i = 0; i <= (gssize) n; i++)
    {
      gboolean above = i < (gssize) n && g_array_index (energy, double, i) > threshold;

      if (above && start < 0)
        start = i;
      else if (!above && start >= 0)
        {
          /* the integration window lags the QRS by up to its length */
          gssize r = argmax (ecg, MAX (start - window / 2, 1), MAX (i - window / 2, start));
          double t = interpolated_time (ecg, r);

          if (r - last_end > (gssize) (0.2 * ecg->fs))
            g_array_append_val (peaks, t);
          last_end = r;
          start = -1;
        }
    }
  return peaks;
}

typedef struct
{
  guint  true_positives;
  guint  false_negatives;
  guint  false_positives;
  double worst_error_s;
} Match;

/* Beats and detections away from the recording's edges, paired within 50 ms */
static Match
match_beats (const Recording *rec,
             GArray          *peaks,
             double           seconds)
{
  Match match = { 0 };
  guint p = 0;

  for (guint b = 0; b < rec->beats->len; b++)
    {
      double t = g_array_index (rec->beats, HeartBeat, b).t_s;
      double best = INFINITY;

      if (t < 1 || t > seconds - 1)
        continue;
      for (guint i = p; i < peaks->len && g_array_index (peaks, double, i) < t + MATCH_WINDOW_S; i++)
        if (fabs (g_array_index (peaks, double, i) - t) < fabs (best))
          best = g_array_index (peaks, double, i) - t;
      if (fabs (best) <= MATCH_WINDOW_S)
        {
          match.true_positives++;
          match.worst_error_s = MAX (match.worst_error_s, fabs (best));
        }
      else
        match.false_negatives++;
    }
  for (guint i = 0; i < peaks->len; i++)
    {
      double t = g_array_index (peaks, double, i);
      gboolean found = FALSE;

      if (t < 1 || t > seconds - 1)
        continue;
      for (guint b = 0; b < rec->beats->len && !found; b++)
        found = fabs (g_array_index (rec->beats, HeartBeat, b).t_s - t) <= MATCH_WINDOW_S;
      match.false_positives += !found;
    }
  return match;
}

static void
assert_every_beat_found (const Recording *rec,
                         double           seconds)
{
  g_autoptr(GArray) peaks = detect_r_peaks (&rec->ecg);
  Match match = match_beats (rec, peaks, seconds);
  double sensitivity = match.true_positives / (double) (match.true_positives + match.false_negatives);
  double predictivity = match.true_positives / (double) (match.true_positives + match.false_positives);

  g_test_message ("%u beats found, %u missed, %u false; worst R error %.2f ms",
                  match.true_positives, match.false_negatives, match.false_positives,
                  match.worst_error_s * 1000);
  g_assert_cmpuint (match.true_positives, >, seconds / 2);
  g_assert_cmpfloat (sensitivity, >=, 0.995);
  g_assert_cmpfloat (predictivity, >=, 0.995);
  g_assert_cmpfloat (match.worst_error_s, <=, R_TOLERANCE_S);
}

static void
test_r_peaks_at_rest (void)
{
  Recording rec = { 0 };

  record (1, 0, NULL, 300, &rec);
  assert_every_beat_found (&rec, 300);
  recording_clear (&rec);
}

static void
test_r_peaks_under_stress (void)
{
  Recording rec = { 0 };

  record (2, 0.8, NULL, 300, &rec);
  assert_every_beat_found (&rec, 300);
  recording_clear (&rec);
}

/* With every kind of noise on, and at 500 samples a second */
static void
test_r_peaks_with_noise (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  Recording rec = { 0 };

  settings.noise = HEART_WAVEFORM_NOISE_ALL;
  settings.ecg_rate_hz = 500;
  record (3, 0, &settings, 300, &rec);
  g_assert_cmpfloat (rec.ecg.fs, ==, 500);
  assert_every_beat_found (&rec, 300);
  recording_clear (&rec);
}

/* The isoelectric level before the QRS, from the PR segment */
static double
pr_baseline (const Track *ecg,
             double       r_t)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (gssize i = index_of (ecg, r_t - 0.075); i <= index_of (ecg, r_t - 0.055); i++)
    {
      double v = value_at (ecg, i);

      g_array_append_val (values, v);
    }
  return median (values);
}

#define QRS_EDGE_MV 0.05
#define QRS_EDGE_QUIET_S 0.012

/* Whether the signal stays within the edge of @base over the 12 ms from @i
 * in the direction @step */
static gboolean
quiet_from (const Track *ecg,
            gssize       i,
            int          step,
            double       base)
{
  for (gssize k = 0; k <= (gssize) (QRS_EDGE_QUIET_S * ecg->fs); k++)
    if (fabs (value_at (ecg, i + step * k) - base) > QRS_EDGE_MV)
      return FALSE;
  return TRUE;
}

/* The QRS's first (@step −1) or last (+1) sample: the signal leaves the
 * baseline by 0.05 mV there, and stays within it for 12 ms beyond */
static gssize
qrs_edge (const Track *ecg,
          double       r_t,
          int          step)
{
  double base = pr_baseline (ecg, r_t);
  gssize r = index_of (ecg, r_t), i = r;

  while (abs ((int) (i - r)) < (int) (0.2 * ecg->fs) && !quiet_from (ecg, i + step, step, base))
    i += step;
  return i;
}

static double
qrs_width (const Track *ecg,
           double       r_t)
{
  return (qrs_edge (ecg, r_t, +1) - qrs_edge (ecg, r_t, -1) + 1) / ecg->fs;
}

/* QRS onset to the end of the T wave (where the tangent at its steepest
 * fall meets the baseline) */
static double
qt_interval (const Track *ecg,
             double       r_t,
             double       rr_next_s)
{
  double base = pr_baseline (ecg, r_t);
  gssize r = index_of (ecg, r_t), onset = qrs_edge (ecg, r_t, -1);
  gssize peak = argmax (ecg, r + (gssize) (0.12 * ecg->fs), r + (gssize) (MIN (0.45, 0.7 * rr_next_s) * ecg->fs));
  gssize steepest = peak;
  double slope = 0, t_end;

  for (gssize i = peak; i < peak + (gssize) (0.15 * ecg->fs); i++)
    {
      double s = (value_at (ecg, i + 1) - value_at (ecg, i - 1)) * ecg->fs / 2;

      if (s < slope)
        slope = s, steepest = i;
    }
  g_assert_cmpfloat (slope, <, 0);
  t_end = steepest / ecg->fs + (value_at (ecg, steepest) - base) / -slope;
  return t_end - onset / ecg->fs;
}

typedef struct
{
  GArray *qrs;     /* s, of sinus beats between sinus beats */
  GArray *qt;
  GArray *rr;
} Intervals;

static void
measure_intervals (const Recording *rec,
                   double           seconds,
                   Intervals       *out)
{
  out->qrs = g_array_new (FALSE, FALSE, sizeof (double));
  out->qt = g_array_new (FALSE, FALSE, sizeof (double));
  out->rr = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint b = 1; b + 1 < rec->beats->len; b++)
    {
      const HeartBeat *beat = &g_array_index (rec->beats, HeartBeat, b);
      const HeartBeat *next = &g_array_index (rec->beats, HeartBeat, b + 1);
      double width, qt, rr = beat->rr_ms / 1000;

      if (beat->t_s < 1 || next->t_s > seconds - 1 || beat->type != HEART_BEAT_NORMAL ||
          next->type != HEART_BEAT_NORMAL)
        continue;
      width = qrs_width (&rec->ecg, beat->t_s);
      qt = qt_interval (&rec->ecg, beat->t_s, next->rr_ms / 1000);
      g_array_append_val (out->qrs, width);
      g_array_append_val (out->qt, qt);
      g_array_append_val (out->rr, rr);
    }
}

static void
intervals_clear (Intervals *intervals)
{
  g_clear_pointer (&intervals->qrs, g_array_unref);
  g_clear_pointer (&intervals->qt, g_array_unref);
  g_clear_pointer (&intervals->rr, g_array_unref);
}

static double
array_min (GArray *values)
{
  double low = INFINITY;

  for (guint i = 0; i < values->len; i++)
    low = MIN (low, g_array_index (values, double, i));
  return low;
}

static double
array_max (GArray *values)
{
  double high = -INFINITY;

  for (guint i = 0; i < values->len; i++)
    high = MAX (high, g_array_index (values, double, i));
  return high;
}

/* QRS 70–110 ms at rest and under stress; QT shortens as the heart rate
 * rises, and its Fridericia correction stays in the normal range */
static void
test_intervals (void)
{
  Recording rest = { 0 }, stress = { 0 };
  Intervals at_rest, stressed;
  double qt_rest, qt_stress, rr_rest, rr_stress;

  record (4, 0, NULL, 120, &rest);
  record (4, 0.8, NULL, 120, &stress);
  measure_intervals (&rest, 120, &at_rest);
  measure_intervals (&stress, 120, &stressed);

  g_assert_cmpfloat (array_min (at_rest.qrs), >=, 0.070);
  g_assert_cmpfloat (array_max (at_rest.qrs), <=, 0.110);
  g_assert_cmpfloat (array_min (stressed.qrs), >=, 0.070);
  g_assert_cmpfloat (array_max (stressed.qrs), <=, 0.110);

  qt_rest = median (at_rest.qt);
  qt_stress = median (stressed.qt);
  rr_rest = median (at_rest.rr);
  rr_stress = median (stressed.rr);
  g_test_message ("QRS %.0f ms; QT %.0f ms at %.0f bpm, %.0f ms at %.0f bpm",
                  median (at_rest.qrs) * 1000, qt_rest * 1000, 60 / rr_rest, qt_stress * 1000, 60 / rr_stress);
  g_assert_cmpfloat (60 / rr_stress, >, 60 / rr_rest + 15);
  g_assert_cmpfloat (qt_stress, <, qt_rest - 0.020);
  /* QTc (Fridericia) 350–450 ms */
  g_assert_cmpfloat (qt_rest / cbrt (rr_rest), >=, 0.350);
  g_assert_cmpfloat (qt_rest / cbrt (rr_rest), <=, 0.450);
  g_assert_cmpfloat (qt_stress / cbrt (rr_stress), >=, 0.350);
  g_assert_cmpfloat (qt_stress / cbrt (rr_stress), <=, 0.450);

  intervals_clear (&at_rest);
  intervals_clear (&stressed);
  recording_clear (&rest);
  recording_clear (&stress);
}

/* The heart rate a user computes from the ECG is the beat stream's */
static void
test_heart_rate_from_ecg (void)
{
  Recording rec = { 0 };
  g_autoptr(GArray) peaks = NULL;
  double ecg_bpm, beat_bpm, beat_seconds = 0;
  guint n_beats = 0;

  record (5, 0.3, NULL, 180, &rec);
  peaks = detect_r_peaks (&rec.ecg);
  ecg_bpm = 60.0 * (peaks->len - 1) / (g_array_index (peaks, double, peaks->len - 1) - g_array_index (peaks, double, 0));
  for (guint b = 1; b < rec.beats->len; b++)
    {
      beat_seconds += g_array_index (rec.beats, HeartBeat, b).rr_ms / 1000;
      n_beats++;
    }
  beat_bpm = 60.0 * n_beats / beat_seconds;
  g_test_message ("%.2f bpm from the ECG, %.2f from the beats", ecg_bpm, beat_bpm);
  g_assert_cmpfloat (fabs (ecg_bpm - beat_bpm), <, 0.5);
  recording_clear (&rec);
}

static const HeartWaveformMark *
ecg_mark_at (const Recording *rec,
             double           t)
{
  for (guint i = 0; i < rec->ecg.marks->len; i++)
    {
      const HeartWaveformMark *mark = &g_array_index (rec->ecg.marks, HeartWaveformMark, i);

      if (fabs (mark->t_s - t) < 1e-9)
        return mark;
    }
  return NULL;
}

/* Premature ventricular beats are the wide ones, each labelled V at its R
 * peak, early, and followed by a full compensatory pause */
static void
test_premature_ventricular_beats (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  Recording rec = { 0 };
  guint ventricular = 0, normal = 0;

  settings.pvc_per_hour = 360;
  record (6, 0, &settings, 300, &rec);
  assert_every_beat_found (&rec, 300);
  for (guint b = 2; b + 2 < rec.beats->len; b++)
    {
      const HeartBeat *earlier = &g_array_index (rec.beats, HeartBeat, b - 2);
      const HeartBeat *before = &g_array_index (rec.beats, HeartBeat, b - 1);
      const HeartBeat *beat = &g_array_index (rec.beats, HeartBeat, b);
      const HeartBeat *after = &g_array_index (rec.beats, HeartBeat, b + 1);
      const HeartBeat *later = &g_array_index (rec.beats, HeartBeat, b + 2);
      /* the sinus (NN) intervals either side of the pause */
      gboolean nn_before = earlier->type == HEART_BEAT_NORMAL && before->type == HEART_BEAT_NORMAL;
      gboolean nn_later = later->type == HEART_BEAT_NORMAL;
      double sinus_rr = nn_before && nn_later ? (before->rr_ms + later->rr_ms) / 2
                      : nn_before ? before->rr_ms : later->rr_ms;
      const HeartWaveformMark *mark = ecg_mark_at (&rec, beat->t_s);
      double width;

      if (beat->t_s < 1 || beat->t_s > 299)
        continue;
      g_assert_nonnull (mark);
      g_assert_cmpstr (mark->code, ==, heart_beat_type_code (beat->type));
      width = qrs_width (&rec.ecg, beat->t_s);
      if (beat->type == HEART_BEAT_VENTRICULAR)
        {
          ventricular++;
          g_assert_cmpfloat (width, >=, 0.120);
          g_assert_cmpfloat (beat->rr_ms, <, 0.8 * sinus_rr);
          if (nn_before || nn_later)
            g_assert_cmpfloat (fabs (beat->rr_ms + after->rr_ms - 2 * sinus_rr), <, 0.1 * 2 * sinus_rr);
        }
      else if (before->type == HEART_BEAT_NORMAL && beat->type == HEART_BEAT_NORMAL)
        {
          normal++;
          g_assert_cmpfloat (width, <=, 0.110);
        }
    }
  g_test_message ("%u premature ventricular beats, %u sinus", ventricular, normal);
  g_assert_cmpuint (ventricular, >=, 10);
  g_assert_cmpuint (ventricular, <=, 60);
  recording_clear (&rec);
}

/* A scenario's phase brings an episode of ectopy: its premature beats carry
 * its label; a later phase stops it, and after the scenario the rates of
 * before are back */
static void
test_ectopy_phase (void)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (16, 0, NULL);
  g_autoptr(HeartScenario) scenario = heart_scenario_new ("ectopy", "");
  HeartScenarioPhase phase;
  Recording rec = { 0 };
  guint in_phase = 0;

  heart_scenario_phase_init (&phase, "baseline", 60);
  heart_scenario_add_phase (scenario, &phase);
  heart_scenario_phase_init (&phase, "bigeminy", 120);
  phase.pvc_per_hour = 1200;
  phase.pac_per_hour = 600;
  heart_scenario_add_phase (scenario, &phase);
  heart_scenario_phase_init (&phase, "recovery", 60);
  phase.pvc_per_hour = 0;
  phase.pac_per_hour = 0;
  heart_scenario_add_phase (scenario, &phase);
  heart_scenario_phase_init (&phase, "ectopy-again", 60);
  phase.pvc_per_hour = 1200;
  heart_scenario_add_phase (scenario, &phase);
  heart_simulator_run_scenario (simulator, scenario, FALSE);
  record_run (simulator, 360, 0.5, &rec);

  for (guint b = 0; b < rec.beats->len; b++)
    {
      const HeartBeat *beat = &g_array_index (rec.beats, HeartBeat, b);

      if (beat->type == HEART_BEAT_NORMAL)
        continue;
      /* a premature beat scheduled in the phase may come just after it */
      if (g_str_equal (beat->condition, "bigeminy") || g_str_equal (beat->condition, "ectopy-again"))
        in_phase++;
      else
        g_assert_true ((beat->t_s >= 180 && beat->t_s < 181.5) || (beat->t_s >= 300 && beat->t_s < 301.5));
    }
  g_test_message ("%u premature beats in the phase", in_phase);
  g_assert_cmpuint (in_phase, >=, 40);
  recording_clear (&rec);
}

/* Premature atrial beats: early, labelled S, a normal QRS after an
 * inverted P wave */
static void
test_premature_atrial_beats (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  Recording rec = { 0 };
  guint atrial = 0;

  settings.pac_per_hour = 360;
  record (7, 0, &settings, 300, &rec);
  assert_every_beat_found (&rec, 300);
  for (guint b = 1; b < rec.beats->len; b++)
    {
      const HeartBeat *before = &g_array_index (rec.beats, HeartBeat, b - 1);
      const HeartBeat *beat = &g_array_index (rec.beats, HeartBeat, b);
      double base, p_wave;

      if (beat->type != HEART_BEAT_SUPRAVENTRICULAR || beat->t_s < 1 || beat->t_s > 299)
        continue;
      atrial++;
      g_assert_cmpstr (ecg_mark_at (&rec, beat->t_s)->code, ==, "S");
      g_assert_cmpfloat (beat->rr_ms, <, 0.9 * before->rr_ms);
      g_assert_cmpfloat (qrs_width (&rec.ecg, beat->t_s), <=, 0.110);
      base = pr_baseline (&rec.ecg, beat->t_s);
      p_wave = value_at (&rec.ecg, argmin (&rec.ecg, index_of (&rec.ecg, beat->t_s - 0.2),
                                           index_of (&rec.ecg, beat->t_s - 0.09))) - base;
      g_assert_cmpfloat (p_wave, <, -0.03);
    }
  g_assert_cmpuint (atrial, >=, 10);
  recording_clear (&rec);
}

/* The foot of each pulse by intersecting tangents (Chiu et al. 1991): the
 * tangent at the steepest upstroke meets the level of the minimum before
 * it. The upstroke is the steepest rise in the 500 ms after the R peak. */
static GArray *
pulse_arrival_times (const Recording *rec,
                     double           seconds)
{
  const Track *ppg = &rec->ppg;
  GArray *arrivals = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint b = 0; b < rec->beats->len; b++)
    {
      const HeartBeat *beat = &g_array_index (rec->beats, HeartBeat, b);
      gssize steepest = index_of (ppg, beat->t_s + 0.1), low;
      double slope = -INFINITY, arrival;

      if (beat->t_s < 1 || beat->t_s > seconds - 1 || beat->type != HEART_BEAT_NORMAL)
        continue;
      for (gssize i = steepest; i <= index_of (ppg, beat->t_s + 0.5); i++)
        {
          double s = (value_at (ppg, i + 1) - value_at (ppg, i - 1)) * ppg->fs / 2;

          if (s > slope)
            slope = s, steepest = i;
        }
      low = argmin (ppg, steepest - (gssize) (0.2 * ppg->fs), steepest);
      arrival = steepest / ppg->fs - (value_at (ppg, steepest) - value_at (ppg, low)) / slope - beat->t_s;
      g_array_append_val (arrivals, arrival);
    }
  return arrivals;
}

/* Pulse feet 150–300 ms after R, sooner under stress; each pulse's foot is
 * marked with its beat's label */
static void
test_pulse_arrival (void)
{
  Recording rest = { 0 }, stress = { 0 };
  g_autoptr(GArray) at_rest = NULL;
  g_autoptr(GArray) stressed = NULL;
  guint marked = 0;

  record (8, 0, NULL, 120, &rest);
  record (8, 0.8, NULL, 120, &stress);
  at_rest = pulse_arrival_times (&rest, 120);
  stressed = pulse_arrival_times (&stress, 120);
  g_test_message ("pulse arrival %.0f to %.0f ms at rest, %.0f to %.0f ms under stress",
                  array_min (at_rest) * 1000, array_max (at_rest) * 1000,
                  array_min (stressed) * 1000, array_max (stressed) * 1000);
  g_assert_cmpfloat (array_min (at_rest), >=, 0.150);
  g_assert_cmpfloat (array_max (at_rest), <=, 0.300);
  g_assert_cmpfloat (array_min (stressed), >=, 0.150);
  g_assert_cmpfloat (array_max (stressed), <=, 0.300);
  g_assert_cmpfloat (median (stressed), <, median (at_rest) - 0.020);

  /* each beat's pulse is marked where its foot is measured */
  for (guint b = 0, a = 0; b < rest.beats->len; b++)
    {
      double r_t = g_array_index (rest.beats, HeartBeat, b).t_s;

      if (r_t < 1 || r_t > 119)
        continue;
      for (guint i = 0; i < rest.ppg.marks->len; i++)
        {
          const HeartWaveformMark *mark = &g_array_index (rest.ppg.marks, HeartWaveformMark, i);

          if (mark->t_s > r_t && mark->t_s < r_t + 0.35)
            {
              g_assert_cmpstr (mark->code, ==, "N");
              g_assert_cmpfloat (fabs (mark->t_s - r_t - g_array_index (at_rest, double, a)), <, 0.015);
              marked++;
            }
        }
      a++;
    }
  g_assert_cmpuint (marked, ==, at_rest->len);
  recording_clear (&rest);
  recording_clear (&stress);
}

/* Breathing moves the R amplitude and the baseline */
static void
test_breathing_modulation (void)
{
  Recording rec = { 0 };
  g_autoptr(GArray) amplitudes = g_array_new (FALSE, FALSE, sizeof (double));

  record (9, 0, NULL, 60, &rec);
  for (guint b = 0; b < rec.beats->len; b++)
    {
      double t = g_array_index (rec.beats, HeartBeat, b).t_s;
      double amplitude;

      if (t < 1 || t > 59)
        continue;
      amplitude = value_at (&rec.ecg, index_of (&rec.ecg, t)) - pr_baseline (&rec.ecg, t);
      g_array_append_val (amplitudes, amplitude);
    }
  g_test_message ("R amplitude %.3f to %.3f mV", array_min (amplitudes), array_max (amplitudes));
  g_assert_cmpfloat (array_min (amplitudes), >, 0.8);
  g_assert_cmpfloat (array_max (amplitudes), <, 1.6);
  g_assert_cmpfloat (array_max (amplitudes) - array_min (amplitudes), >, 0.05);
  recording_clear (&rec);
}

/* The same seed gives the same samples, however the time is cut into ticks */
static void
test_reproducible (void)
{
  Recording a = { 0 }, b = { 0 };
  g_autoptr(HeartSimulator) fine = waveform_simulator (10, 0.2, NULL);
  g_autoptr(HeartSimulator) coarse = waveform_simulator (10, 0.2, NULL);

  record_run (fine, 30, 0.04, &a);
  record_run (coarse, 30, 0.5, &b);
  g_assert_cmpuint (a.ecg.values->len, ==, 30 * 250);
  g_assert_cmpuint (a.ppg.values->len, ==, 30 * 64);
  g_assert_cmpuint (a.ecg.values->len, ==, b.ecg.values->len);
  g_assert_cmpmem (a.ecg.values->data, a.ecg.values->len * sizeof (double),
                   b.ecg.values->data, b.ecg.values->len * sizeof (double));
  g_assert_cmpmem (a.ppg.values->data, a.ppg.values->len * sizeof (double),
                   b.ppg.values->data, b.ppg.values->len * sizeof (double));
  g_assert_cmpuint (a.ecg.marks->len, ==, b.ecg.marks->len);
  g_assert_cmpuint (a.ecg.marks->len, ==, a.beats->len);
  recording_clear (&a);
  recording_clear (&b);
}

/* Lead-off: flat between its marks, 2–8 s, and the beats go on */
static void
test_lead_off (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  Recording rec = { 0 };
  guint spans = 0;
  double off_t = -1;

  settings.lead_off_per_hour = 600;
  record (11, 0, &settings, 300, &rec);
  for (guint i = 0; i < rec.ecg.marks->len; i++)
    {
      const HeartWaveformMark *mark = &g_array_index (rec.ecg.marks, HeartWaveformMark, i);

      if (g_str_equal (mark->code, "lead_off"))
        {
          g_assert_cmpfloat (off_t, <, 0);
          off_t = mark->t_s;
        }
      else if (g_str_equal (mark->code, "lead_on"))
        {
          g_assert_cmpfloat (off_t, >=, 0);
          g_assert_cmpfloat (mark->t_s - off_t, >=, 2.0);
          g_assert_cmpfloat (mark->t_s - off_t, <=, 8.0 + 1 / rec.ecg.fs);
          for (gssize k = index_of (&rec.ecg, off_t); k < index_of (&rec.ecg, mark->t_s); k++)
            g_assert_cmpfloat (value_at (&rec.ecg, k), ==, 0);
          g_assert_cmpfloat (fabs (value_at (&rec.ecg, index_of (&rec.ecg, mark->t_s) + 50)), >, 0);
          spans++;
          off_t = -1;
        }
    }
  g_assert_cmpuint (spans, >=, 10);
  recording_clear (&rec);
}

/* Power of @track at @hz over its samples (a single DFT bin) */
static double
power_at (const Track *track,
          double       hz)
{
  double re = 0, im = 0;

  for (guint i = 0; i < track->values->len; i++)
    {
      double phase = 2 * G_PI * hz * i / track->fs;

      re += value_at (track, i) * cos (phase);
      im += value_at (track, i) * sin (phase);
    }
  return (re * re + im * im) / track->values->len;
}

/* Mains hum sits at the chosen frequency; without noise there is none */
static void
test_powerline (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  Recording clean = { 0 }, hum = { 0 };

  record (12, 0, NULL, 20, &clean);
  settings.noise = HEART_WAVEFORM_NOISE_POWERLINE;
  settings.powerline_hz = 60;
  record (12, 0, &settings, 20, &hum);
  g_assert_cmpfloat (power_at (&hum.ecg, 60), >, 100 * power_at (&clean.ecg, 60));
  g_assert_cmpfloat (power_at (&hum.ecg, 60), >, 100 * power_at (&hum.ecg, 50));
  recording_clear (&clean);
  recording_clear (&hum);
}

/* Motion artefacts come with walking, marked on both waveforms */
static void
test_motion (void)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  g_autoptr(HeartSimulator) simulator = NULL;
  Recording rec = { 0 };
  gboolean ecg_motion = FALSE, ppg_motion = FALSE;

  settings.noise = HEART_WAVEFORM_NOISE_MOTION;
  simulator = waveform_simulator (13, 0, &settings);
  g_assert_true (heart_simulator_set_activity (simulator, "running", NULL));
  record_run (simulator, 120, 0.5, &rec);
  for (guint i = 0; i < rec.ecg.marks->len; i++)
    ecg_motion |= g_str_equal (g_array_index (rec.ecg.marks, HeartWaveformMark, i).code, "motion");
  for (guint i = 0; i < rec.ppg.marks->len; i++)
    ppg_motion |= g_str_equal (g_array_index (rec.ppg.marks, HeartWaveformMark, i).code, "motion");
  g_assert_true (ecg_motion);
  g_assert_true (ppg_motion);
  recording_clear (&rec);
}

/* A setting out of range is refused, naming it, and changes nothing */
static void
test_settings_checked (void)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (14, 0, NULL);
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT, now;
  HeartWaveformNoise noise;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  settings.ecg_rate_hz = 2000;
  g_assert_false (heart_simulator_set_waveform_settings (simulator, &settings, &error));
  g_assert_error (error, HEART_WAVEFORM_ERROR, HEART_WAVEFORM_ERROR_OUT_OF_RANGE);
  g_assert_nonnull (strstr (error->message, "ecg_rate_hz"));
  heart_simulator_get_waveform_settings (simulator, &now);
  g_assert_cmpfloat (now.ecg_rate_hz, ==, HEART_ECG_RATE_DEFAULT);
  g_clear_error (&error);

  settings = (HeartWaveformSettings) HEART_WAVEFORM_SETTINGS_DEFAULT;
  settings.powerline_hz = 55;
  g_assert_false (heart_simulator_set_waveform_settings (simulator, &settings, &error));
  g_assert_nonnull (strstr (error->message, "powerline_hz"));
  g_clear_error (&error);

  g_assert_false (heart_waveform_noise_parse ("muscle,hum", &noise, &error));
  g_assert_nonnull (strstr (error->message, "hum"));
  g_assert_true (heart_waveform_noise_parse ("muscle, powerline", &noise, NULL));
  names = heart_waveform_noise_to_string (noise);
  g_assert_cmpstr (names, ==, "powerline,muscle");
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
count_tick (HeartSource       *source,
            const HeartSample *sample,
            guint             *ticks)
{
  (*ticks)++;
}

/* Live, the waveforms leave between the ticks, not only with them */
static void
test_live_frames (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (15);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Recording rec = { 0 };
  guint ticks = 0;

  track_init (&rec.ecg);
  track_init (&rec.ppg);
  rec.beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  g_signal_connect (simulator, "waveform", G_CALLBACK (on_waveform), &rec);
  g_signal_connect (simulator, "sample", G_CALLBACK (count_tick), &ticks);
  heart_simulator_start (simulator);
  g_timeout_add (1600, quit_loop, loop);
  g_main_loop_run (loop);
  heart_simulator_stop (simulator);

  g_test_message ("%u blocks over %u ticks", rec.blocks, ticks);
  g_assert_cmpuint (ticks, >=, 1);
  g_assert_cmpuint (rec.blocks, >, 4 * (ticks + 1));
  g_assert_true (rec.ecg.contiguous);
  g_assert_true (rec.ppg.contiguous);

  /* sped up beyond what the machine can draw, it makes none */
  g_assert_true (heart_simulator_set_speed (simulator, HEART_WAVEFORM_SPEED_MAX * 2, NULL));
  rec.blocks = 0;
  ticks = 0;
  heart_simulator_start (simulator);
  g_timeout_add (1100, quit_loop, loop);
  g_main_loop_run (loop);
  heart_simulator_stop (simulator);
  g_assert_cmpuint (ticks, >=, 1);
  g_assert_cmpuint (rec.blocks, ==, 0);
  recording_clear (&rec);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/waveform/ecg/r-peaks-at-rest", test_r_peaks_at_rest);
  g_test_add_func ("/waveform/ecg/r-peaks-under-stress", test_r_peaks_under_stress);
  g_test_add_func ("/waveform/ecg/r-peaks-with-noise", test_r_peaks_with_noise);
  g_test_add_func ("/waveform/ecg/intervals", test_intervals);
  g_test_add_func ("/waveform/ecg/heart-rate", test_heart_rate_from_ecg);
  g_test_add_func ("/waveform/ecg/premature-ventricular", test_premature_ventricular_beats);
  g_test_add_func ("/waveform/ecg/premature-atrial", test_premature_atrial_beats);
  g_test_add_func ("/waveform/ecg/ectopy-phase", test_ectopy_phase);
  g_test_add_func ("/waveform/ecg/breathing", test_breathing_modulation);
  g_test_add_func ("/waveform/ecg/lead-off", test_lead_off);
  g_test_add_func ("/waveform/ecg/powerline", test_powerline);
  g_test_add_func ("/waveform/ppg/pulse-arrival", test_pulse_arrival);
  g_test_add_func ("/waveform/motion", test_motion);
  g_test_add_func ("/waveform/reproducible", test_reproducible);
  g_test_add_func ("/waveform/settings-checked", test_settings_checked);
  g_test_add_func ("/waveform/live-frames", test_live_frames);

  return g_test_run ();
}
