/* test-simulator.c: properties, validation, clock and signals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "heart-simulator.h"

#define DEADLINE_US (5 * G_USEC_PER_SEC)

typedef struct
{
  GArray *samples;
  guint   beats;
  guint   notifies;
} Recorder;

static void
on_sample (HeartSimulator    *simulator,
           const HeartSample *sample,
           Recorder          *recorder)
{
  g_array_append_vals (recorder->samples, sample, 1);
}

static void
on_beat (HeartSimulator  *simulator,
         const HeartBeat *beat,
         Recorder        *recorder)
{
  recorder->beats++;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Recorder   *recorder)
{
  recorder->notifies++;
}

static void
recorder_attach (Recorder       *recorder,
                 HeartSimulator *simulator)
{
  recorder->samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  g_signal_connect (simulator, "sample", G_CALLBACK (on_sample), recorder);
  g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), recorder);
  g_signal_connect (simulator, "notify", G_CALLBACK (on_notify), recorder);
}

static void
recorder_clear (Recorder *recorder)
{
  g_clear_pointer (&recorder->samples, g_array_unref);
}

static void
test_defaults (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (1);

  g_assert_false (heart_simulator_get_running (simulator));
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator), ==, 72);
  g_assert_cmpfloat (heart_simulator_get_stress_level (simulator), ==, 0);
  g_assert_cmpuint (heart_simulator_get_interval_ms (simulator), ==, 500);
  g_assert_cmpfloat (heart_simulator_get_speed (simulator), ==, 1);
  /* the seed's 2 % chance per 500 ms update */
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (simulator), ==, 0.02 * 7200);
  g_assert_cmpuint (heart_simulator_get_current_sample (simulator)->seq, ==, 0);
}

typedef gboolean (*DoubleSetter) (HeartSimulator *, double, GError **);

static gboolean
set_baseline_double (HeartSimulator *simulator, double value, GError **error)
{
  return heart_simulator_set_baseline (simulator, (int) value, error);
}

static gboolean
set_interval_double (HeartSimulator *simulator, double value, GError **error)
{
  return heart_simulator_set_interval_ms (simulator, (guint) value, error);
}

static void
assert_refused (HeartSimulator *simulator,
                DoubleSetter    setter,
                double          value,
                Recorder       *recorder)
{
  g_autoptr(GError) error = NULL;
  guint notifies = recorder->notifies;

  g_assert_false (setter (simulator, value, &error));
  g_assert_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_OUT_OF_RANGE);
  g_assert_cmpuint (recorder->notifies, ==, notifies);
}

static void
test_setters_refuse_out_of_range (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (1, 0);
  Recorder recorder = { 0 };

  recorder_attach (&recorder, simulator);
  assert_refused (simulator, set_baseline_double, 39, &recorder);
  assert_refused (simulator, set_baseline_double, 121, &recorder);
  assert_refused (simulator, set_baseline_double, -5, &recorder);
  assert_refused (simulator, heart_simulator_set_stress_level, -0.1, &recorder);
  assert_refused (simulator, heart_simulator_set_stress_level, 1.5, &recorder);
  assert_refused (simulator, heart_simulator_set_stress_level, NAN, &recorder);
  assert_refused (simulator, heart_simulator_trigger_stress, 1.01, &recorder);
  assert_refused (simulator, heart_simulator_trigger_stress, INFINITY, &recorder);
  assert_refused (simulator, set_interval_double, 9, &recorder);
  assert_refused (simulator, set_interval_double, 5001, &recorder);
  assert_refused (simulator, heart_simulator_set_speed, 0, &recorder);
  assert_refused (simulator, heart_simulator_set_speed, NAN, &recorder);
  assert_refused (simulator, heart_simulator_set_random_events_per_hour, -1, &recorder);

  /* nothing moved */
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator), ==, 72);
  g_assert_cmpfloat (heart_simulator_get_stress_level (simulator), ==, 0);
  g_assert_cmpuint (heart_simulator_get_interval_ms (simulator), ==, 500);
  g_assert_false (heart_simulator_get_event_active (simulator));
  recorder_clear (&recorder);
}

static void
test_setters_accept_and_notify (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (1, 0);
  Recorder recorder = { 0 };
  guint baseline;
  double stress;

  recorder_attach (&recorder, simulator);
  g_assert_true (heart_simulator_set_baseline (simulator, 40, NULL));
  g_assert_true (heart_simulator_set_baseline (simulator, 120, NULL));
  g_assert_true (heart_simulator_set_stress_level (simulator, 1.0, NULL));
  g_assert_true (heart_simulator_set_interval_ms (simulator, 10, NULL));
  g_assert_true (heart_simulator_set_random_events_per_hour (simulator, 0, NULL));
  g_assert_cmpuint (recorder.notifies, ==, 5);
  /* setting the same value again says nothing */
  g_assert_true (heart_simulator_set_baseline (simulator, 120, NULL));
  g_assert_cmpuint (recorder.notifies, ==, 5);

  g_object_get (simulator, "baseline-bpm", &baseline, "stress-level", &stress, NULL);
  g_assert_cmpuint (baseline, ==, 120);
  g_assert_cmpfloat (stress, ==, 1.0);
  recorder_clear (&recorder);
}

static void
test_advance_emits_one_sample_and_beats (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (3, 0);
  Recorder recorder = { 0 };

  recorder_attach (&recorder, simulator);
  heart_simulator_set_random_events_per_hour (simulator, 0, NULL);
  heart_simulator_advance (simulator, 0.5);
  g_assert_cmpuint (recorder.samples->len, ==, 1);
  heart_simulator_advance (simulator, 59.5);
  g_assert_cmpuint (recorder.samples->len, ==, 2);
  /* about 72 beats in a minute at rest */
  g_assert_cmpuint (recorder.beats, >=, 60);
  g_assert_cmpuint (recorder.beats, <=, 84);
  recorder_clear (&recorder);
}

static void
test_samples_are_consistent (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (5, G_GINT64_CONSTANT (1767225600000000));
  Recorder recorder = { 0 };

  recorder_attach (&recorder, simulator);
  heart_simulator_start (simulator);
  for (guint i = 0; i < 2000; i++)
    heart_simulator_advance (simulator, 0.5);

  for (guint i = 0; i < recorder.samples->len; i++)
    {
      const HeartSample *s = &g_array_index (recorder.samples, HeartSample, i);

      g_assert_cmpuint (s->seq, ==, i + 1);
      g_assert_cmpint (s->timestamp_us, ==, G_GINT64_CONSTANT (1767225600000000) + (gint64) (i + 1) * 500000);
      g_assert_cmpint (s->bpm, ==, (int) lround (60000.0 / s->rr_ms));
      g_assert_cmpint (s->bpm, >=, 30);
      g_assert_cmpint (s->bpm, <=, 220);
      g_assert_cmpfloat (s->variability, ==, CLAMP (s->rmssd_ms / 100, 0, 1));
      g_assert_cmpfloat (s->stress_level, >=, 0);
      g_assert_cmpfloat (s->stress_level, <=, 1);
      g_assert_cmpfloat (s->rmssd_ms, >, 0);
      g_assert_true (s->running);
      g_assert_cmpuint (s->baseline_bpm, ==, 72);
    }
  recorder_clear (&recorder);
}

static GArray *
run_manual (guint64 seed,
            guint   ticks)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (seed, 0);
  Recorder recorder = { 0 };

  recorder_attach (&recorder, simulator);
  for (guint i = 0; i < ticks; i++)
    {
      if (i == ticks / 3)
        heart_simulator_trigger_stress (simulator, 0.9, NULL);
      heart_simulator_advance (simulator, 0.5);
    }
  return g_steal_pointer (&recorder.samples);
}

static void
test_same_seed_same_samples (void)
{
  g_autoptr(GArray) first = run_manual (42, 3000);
  g_autoptr(GArray) again = run_manual (42, 3000);
  g_autoptr(GArray) other = run_manual (43, 3000);

  g_assert_cmpmem (first->data, first->len * sizeof (HeartSample),
                   again->data, again->len * sizeof (HeartSample));
  g_assert_false (memcmp (first->data, other->data, first->len * sizeof (HeartSample)) == 0);
}

static gboolean
has_tick_source (HeartSimulator *simulator)
{
  return g_main_context_find_source_by_user_data (NULL, simulator) != NULL;
}

static void
test_live_ticks_only_while_running (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (9);
  Recorder recorder = { 0 };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  recorder_attach (&recorder, simulator);
  g_assert_false (has_tick_source (simulator));
  g_assert_true (heart_simulator_set_interval_ms (simulator, 20, NULL));
  heart_simulator_start (simulator);
  g_assert_true (has_tick_source (simulator));

  while (recorder.samples->len < 5 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (recorder.samples->len, >=, 5);

  heart_simulator_stop (simulator);
  g_assert_false (has_tick_source (simulator));
  g_assert_false (heart_simulator_get_current_sample (simulator)->running);

  for (guint i = 1; i < recorder.samples->len; i++)
    {
      const HeartSample *prev = &g_array_index (recorder.samples, HeartSample, i - 1);
      const HeartSample *cur = &g_array_index (recorder.samples, HeartSample, i);

      g_assert_cmpuint (cur->seq, ==, prev->seq + 1);
      g_assert_cmpint (cur->timestamp_us, >, prev->timestamp_us);
      /* each tick moves simulation time by interval × speed */
      g_assert_cmpfloat_with_epsilon (cur->t_s - prev->t_s, 0.020, 1e-9);
      g_assert_true (cur->running);
    }
  recorder_clear (&recorder);
}

static void
test_start_stop_idempotent (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (9);
  Recorder recorder = { 0 };

  recorder_attach (&recorder, simulator);
  heart_simulator_start (simulator);
  heart_simulator_start (simulator);
  g_assert_cmpuint (recorder.notifies, ==, 1);
  heart_simulator_stop (simulator);
  heart_simulator_stop (simulator);
  g_assert_cmpuint (recorder.notifies, ==, 2);
  g_assert_false (has_tick_source (simulator));
  recorder_clear (&recorder);
}

static void
test_speed_scales_simulation_time (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new (11);
  Recorder recorder = { 0 };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  recorder_attach (&recorder, simulator);
  heart_simulator_set_interval_ms (simulator, 10, NULL);
  heart_simulator_set_speed (simulator, 60, NULL);
  heart_simulator_start (simulator);
  while (recorder.samples->len < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (recorder.samples->len, >=, 3);
  g_assert_cmpfloat_with_epsilon (g_array_index (recorder.samples, HeartSample, 1).t_s
                                  - g_array_index (recorder.samples, HeartSample, 0).t_s, 0.6, 1e-9);
  /* a tick of 0.6 simulated seconds holds a heartbeat or so */
  g_assert_cmpuint (recorder.beats, >=, 1);
  heart_simulator_stop (simulator);
  recorder_clear (&recorder);
}

static void
on_event_value (HeartSimulator          *simulator,
                const HeartChannelValue *values,
                guint                    n_values,
                GString                 *labels)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_EVENT)
      g_string_append_printf (labels, "%s ", values[i].label);
}

/* An acute event reports its level and the hold it has left, and ends at
 * once when asked, with the "end" value a natural end sends */
static void
test_end_stress (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (2, 0);
  g_autoptr(GString) labels = g_string_new (NULL);
  double level = 0, left = 0;

  heart_simulator_set_random_events_per_hour (simulator, 0, NULL);
  g_signal_connect (simulator, "values", G_CALLBACK (on_event_value), labels);
  g_assert_false (heart_simulator_get_acute_event (simulator, &level, &left));
  g_assert_false (heart_simulator_end_stress (simulator));

  g_assert_true (heart_simulator_trigger_stress (simulator, 0.7, NULL));
  for (guint i = 0; i < 20; i++)
    heart_simulator_advance (simulator, 0.5);
  g_assert_true (heart_simulator_get_acute_event (simulator, &level, &left));
  g_assert_cmpfloat (level, ==, 0.7);
  g_assert_cmpfloat_with_epsilon (left, 50, 1e-6);

  g_assert_true (heart_simulator_end_stress (simulator));
  g_assert_false (heart_simulator_get_event_active (simulator));
  g_assert_false (heart_simulator_get_acute_event (simulator, &level, &left));
  heart_simulator_advance (simulator, 0.5);
  g_assert_cmpstr (labels->str, ==, "acute end ");
  g_assert_false (heart_simulator_get_current_sample (simulator)->event_active);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/simulator/defaults", test_defaults);
  g_test_add_func ("/simulator/end-stress", test_end_stress);
  g_test_add_func ("/simulator/setters/refuse-out-of-range", test_setters_refuse_out_of_range);
  g_test_add_func ("/simulator/setters/accept-and-notify", test_setters_accept_and_notify);
  g_test_add_func ("/simulator/advance/one-sample-and-beats", test_advance_emits_one_sample_and_beats);
  g_test_add_func ("/simulator/samples/consistent", test_samples_are_consistent);
  g_test_add_func ("/simulator/reproducible", test_same_seed_same_samples);
  g_test_add_func ("/simulator/live/ticks-only-while-running", test_live_ticks_only_while_running);
  g_test_add_func ("/simulator/live/start-stop-idempotent", test_start_stop_idempotent);
  g_test_add_func ("/simulator/live/speed", test_speed_scales_simulation_time);
  return g_test_run ();
}
