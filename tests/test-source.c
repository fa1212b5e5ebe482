/* test-source.c: the source interface, and the switch everything follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-simulator.h"
#include "heart-source-switch.h"

typedef struct
{
  GArray *samples;
  guint   beats;
  guint   values;
  guint   running_notifies;
} Seen;

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           Seen              *seen)
{
  g_array_append_vals (seen->samples, sample, 1);
}

static void
on_beat (HeartSource     *source,
         const HeartBeat *beat,
         Seen            *seen)
{
  seen->beats++;
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           Seen                    *seen)
{
  seen->values += n_values;
}

static void
on_running (GObject    *object,
            GParamSpec *pspec,
            Seen       *seen)
{
  seen->running_notifies++;
}

static void
seen_follow (Seen        *seen,
             HeartSource *source)
{
  seen->samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  g_signal_connect (source, "sample", G_CALLBACK (on_sample), seen);
  g_signal_connect (source, "beat", G_CALLBACK (on_beat), seen);
  g_signal_connect (source, "values", G_CALLBACK (on_values), seen);
  g_signal_connect (source, "notify::running", G_CALLBACK (on_running), seen);
}

/* What the server reads of a simulator, through the interface */
static void
test_simulator_is_a_source (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (1, 0);
  HeartSource *source = HEART_SOURCE (simulator);
  Seen seen = { 0 };
  gboolean running = TRUE;
  guint interval = 0;

  g_assert_true (HEART_IS_SOURCE (simulator));
  g_assert_cmpstr (heart_source_get_kind (source), ==, "simulator");
  g_assert_cmpuint (heart_source_get_interval_ms (source), ==, HEART_INTERVAL_DEFAULT_MS);
  g_assert_cmpuint (heart_source_get_current_sample (source)->seq, ==, 0);
  g_object_get (simulator, "running", &running, "interval-ms", &interval, NULL);
  g_assert_false (running);
  g_assert_cmpuint (interval, ==, HEART_INTERVAL_DEFAULT_MS);

  seen_follow (&seen, source);
  heart_source_set_running (source, TRUE);
  g_assert_true (heart_simulator_get_running (simulator));
  g_assert_cmpuint (seen.running_notifies, ==, 1);
  heart_simulator_advance (simulator, 2.0);
  g_assert_cmpuint (seen.samples->len, ==, 1);
  g_assert_cmpuint (seen.beats, >, 0);
  g_assert_cmpuint (seen.values, >, 0);
  g_assert_true (heart_source_get_current_sample (source) == heart_simulator_get_current_sample (simulator));
  g_array_unref (seen.samples);
}

/* Downstream follows the switch: samples of whichever source, numbered on
 * by one; the old source stops, the new one takes over its state */
static void
test_switch_forwards_and_renumbers (void)
{
  g_autoptr(HeartSimulator) first = heart_simulator_new_manual (1, 0);
  g_autoptr(HeartSimulator) second = heart_simulator_new_manual (2, 0);
  g_autoptr(HeartSourceSwitch) source_switch = heart_source_switch_new (HEART_SOURCE (first));
  HeartSource *source = HEART_SOURCE (source_switch);
  Seen seen = { 0 };

  seen_follow (&seen, source);
  g_assert_cmpuint (heart_source_get_current_sample (source)->seq, ==, 0);
  heart_source_set_running (source, TRUE);
  g_assert_true (heart_simulator_get_running (first));
  g_assert_cmpuint (seen.running_notifies, ==, 1);
  for (guint i = 0; i < 3; i++)
    heart_simulator_advance (first, 0.5);
  /* the second one has a life of its own before it is switched to */
  for (guint i = 0; i < 5; i++)
    heart_simulator_advance (second, 0.5);
  g_assert_cmpuint (seen.samples->len, ==, 3);

  heart_source_switch_set_source (source_switch, HEART_SOURCE (second));
  g_assert_true (heart_source_switch_get_source (source_switch) == HEART_SOURCE (second));
  g_assert_false (heart_simulator_get_running (first));
  g_assert_true (heart_simulator_get_running (second));
  g_assert_true (heart_source_get_running (source));
  heart_simulator_advance (first, 0.5);   /* no longer followed */
  heart_simulator_advance (second, 0.5);
  heart_simulator_advance (second, 0.5);
  g_assert_cmpuint (seen.samples->len, ==, 5);
  for (guint i = 0; i < seen.samples->len; i++)
    g_assert_cmpuint (g_array_index (seen.samples, HeartSample, i).seq, ==, i + 1);
  g_assert_cmpuint (heart_source_get_current_sample (source)->seq, ==, 5);
  g_assert_cmpfloat (heart_source_get_current_sample (source)->t_s, ==,
                     heart_simulator_get_current_sample (second)->t_s);

  heart_source_set_running (source, FALSE);
  g_assert_false (heart_simulator_get_running (second));
  g_assert_false (heart_source_get_current_sample (source)->running);
  /* a stopped switch stays stopped on a switch */
  heart_source_switch_set_source (source_switch, HEART_SOURCE (first));
  g_assert_false (heart_simulator_get_running (first));
  g_array_unref (seen.samples);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/source/simulator", test_simulator_is_a_source);
  g_test_add_func ("/source/switch/forwards-and-renumbers", test_switch_forwards_and_renumbers);
  return g_test_run ();
}
