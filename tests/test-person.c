/* test-person.c: the coupled signals of one simulated person
 *
 * Breathing drives respiratory sinus arrhythmia, skin conductance answers
 * stress and events, and brief arousals pass quickly while the default
 * person stays calm: the targets of docs/model.md, measured on the channel
 * values and beats the simulator emits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "heart-sample-fields.h"
#include "heart-hrv.h"
#include "heart-fields.h"
#include "heart-simulator.h"
#include "test-stats-util.h"

#define WINDOW_S 300.0

typedef struct
{
  GArray *beat_t;
  GArray *rr;
  GArray *values;    /* HeartChannelValue */
  GArray *bpm;       /* of each 2 Hz sample */
  GArray *stress;
} Recording;

static void
on_beat (HeartSimulator  *simulator,
         const HeartBeat *beat,
         Recording       *rec)
{
  g_array_append_val (rec->beat_t, beat->t_s);
  g_array_append_val (rec->rr, beat->rr_ms);
}

static void
on_values (HeartSimulator          *simulator,
           const HeartChannelValue *values,
           guint                    n,
           Recording               *rec)
{
  g_array_append_vals (rec->values, values, n);
}

static void
on_sample (HeartSimulator    *simulator,
           const HeartSample *sample,
           Recording         *rec)
{
  double bpm = sample->bpm;

  g_array_append_val (rec->bpm, bpm);
  g_array_append_val (rec->stress, sample->stress_level);
}

static void
recording_clear (Recording *rec)
{
  g_clear_pointer (&rec->beat_t, g_array_unref);
  g_clear_pointer (&rec->rr, g_array_unref);
  g_clear_pointer (&rec->values, g_array_unref);
  g_clear_pointer (&rec->bpm, g_array_unref);
  g_clear_pointer (&rec->stress, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Recording, recording_clear)

static HeartSimulator *
person (guint64 seed,
        double  stress,
        double  events_per_hour)
{
  return g_object_new (HEART_TYPE_SIMULATOR,
                       "seed", seed, "manual-clock", TRUE,
                       "stress-level", stress,
                       "random-events-per-hour", events_per_hour,
                       NULL);
}

static void
record (HeartSimulator *simulator,
        double          seconds,
        Recording      *rec)
{
  if (rec->beat_t == NULL)
    {
      rec->beat_t = g_array_new (FALSE, FALSE, sizeof (double));
      rec->rr = g_array_new (FALSE, FALSE, sizeof (double));
      rec->values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
      rec->bpm = g_array_new (FALSE, FALSE, sizeof (double));
      rec->stress = g_array_new (FALSE, FALSE, sizeof (double));
    }
  g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), rec);
  g_signal_connect (simulator, "values", G_CALLBACK (on_values), rec);
  g_signal_connect (simulator, "sample", G_CALLBACK (on_sample), rec);
  for (double t = 0; t < seconds; t += 0.5)
    heart_simulator_advance (simulator, 0.5);
  g_signal_handlers_disconnect_by_data (simulator, rec);
}

static HeartScenario *
one_phase (const char *name,
           double      seconds,
           double      breathing_rate)
{
  HeartScenario *scenario = heart_scenario_new ("test", NULL);
  HeartScenarioPhase phase;

  heart_scenario_phase_init (&phase, name, seconds);
  phase.breathing_rate = breathing_rate;
  heart_scenario_add_phase (scenario, &phase);
  return scenario;
}

/* Mean of a channel's values in [from, to) */
static double
channel_mean (const Recording *rec,
              HeartChannelId   channel,
              double           from,
              double           to)
{
  double sum = 0;
  guint n = 0;

  for (guint i = 0; i < rec->values->len; i++)
    {
      const HeartChannelValue *v = &g_array_index (rec->values, HeartChannelValue, i);

      if (v->channel == channel && v->t_s >= from && v->t_s < to)
        sum += v->value, n++;
    }
  return n > 0 ? sum / n : NAN;
}

static guint
channel_count (const Recording *rec,
               HeartChannelId   channel,
               const char      *label)
{
  guint n = 0;

  for (guint i = 0; i < rec->values->len; i++)
    {
      const HeartChannelValue *v = &g_array_index (rec->values, HeartChannelValue, i);

      n += v->channel == channel && (label == NULL || g_str_equal (v->label, label));
    }
  return n;
}

typedef struct
{
  guint  windows;
  guint  hf_at_breathing;
  GArray *rmssd;
  GArray *lf_peak;
  GArray *lf_power;
} Spectra;

static void
spectra_clear (Spectra *s)
{
  g_clear_pointer (&s->rmssd, g_array_unref);
  g_clear_pointer (&s->lf_peak, g_array_unref);
  g_clear_pointer (&s->lf_power, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Spectra, spectra_clear)

/* Every whole 5-minute window after the first 5 minutes */
static void
analyse (const Recording *rec,
         Spectra         *s)
{
  const double *t = (const double *) rec->beat_t->data;
  const double *rr = (const double *) rec->rr->data;
  guint n = rec->beat_t->len;

  s->rmssd = g_array_new (FALSE, FALSE, sizeof (double));
  s->lf_peak = g_array_new (FALSE, FALSE, sizeof (double));
  s->lf_power = g_array_new (FALSE, FALSE, sizeof (double));
  for (double from = WINDOW_S; from + WINDOW_S <= t[n - 1]; from += WINDOW_S)
    {
      guint start = 0, end;
      HeartHrvStats stats;
      double breathing_hz = channel_mean (rec, HEART_CHANNEL_RESPIRATORY_RATE, from, from + WINDOW_S) / 60.0;

      while (t[start] < from)
        start++;
      for (end = start; end < n && t[end] < from + WINDOW_S; end++)
        ;
      g_assert_true (heart_hrv_analyse (t + start, rr + start, end - start, &stats));
      s->windows++;
      s->hf_at_breathing += fabs (stats.hf_peak_hz - breathing_hz) <= 0.03;
      g_array_append_val (s->rmssd, stats.rmssd_ms);
      g_array_append_val (s->lf_peak, stats.lf_peak_hz);
      g_array_append_val (s->lf_power, stats.lf_power_ms2);
    }
  g_assert_cmpuint (s->windows, >=, 10);
}

/* The HF peak of the RR spectrum sits at the breathing rate, at rest and
 * under sustained stress (when breathing is faster) */
static void
test_hf_peak_at_breathing_rate (gconstpointer data)
{
  double stress = *(const double *) data;

  for (guint64 seed = 1; seed <= 2; seed++)
    {
      g_autoptr(HeartSimulator) simulator = person (seed, stress, 0);
      g_auto(Recording) rec = { 0 };
      g_auto(Spectra) s = { 0 };

      record (simulator, 2 * 3600, &rec);
      analyse (&rec, &s);
      g_test_message ("stress %.1f seed %" G_GUINT64_FORMAT ": breathing %.3f Hz, HF peak at it in %u of %u windows",
                      stress, seed, channel_mean (&rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY) / 60,
                      s.hf_at_breathing, s.windows);
      g_assert_cmpfloat (s.hf_at_breathing, >=, 0.9 * s.windows);
    }
}

/* Paced breathing at 6 a minute moves RSA to ~0.1 Hz with a large
 * amplitude: the LF peak sits there, LF power and RMSSD rise */
static void
test_paced_breathing_moves_rsa (void)
{
  g_autoptr(HeartSimulator) rest = person (5, 0, 0);
  g_autoptr(HeartSimulator) paced = person (5, 0, 0);
  g_autoptr(HeartScenario) scenario = one_phase ("meditation", 2 * 3600, 6);
  g_auto(Recording) rest_rec = { 0 }, paced_rec = { 0 };
  g_auto(Spectra) rest_s = { 0 }, paced_s = { 0 };

  heart_simulator_run_scenario (paced, scenario, FALSE);
  record (rest, 2 * 3600, &rest_rec);
  record (paced, 2 * 3600 - 1, &paced_rec);
  analyse (&rest_rec, &rest_s);
  analyse (&paced_rec, &paced_s);
  g_test_message ("paced: breathing %.2f/min, LF peak %.3f Hz, LF power %.0f ms² (rest %.0f), RMSSD %.1f ms (rest %.1f)",
                  channel_mean (&paced_rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY),
                  median (paced_s.lf_peak), median (paced_s.lf_power), median (rest_s.lf_power),
                  median (paced_s.rmssd), median (rest_s.rmssd));
  g_assert_cmpfloat_with_epsilon (channel_mean (&paced_rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY), 6.0, 0.2);
  g_assert_cmpfloat_with_epsilon (median (paced_s.lf_peak), 0.1, 0.016);
  g_assert_cmpfloat (median (paced_s.lf_power), >, 2 * median (rest_s.lf_power));
  g_assert_cmpfloat (median (paced_s.rmssd), >, median (rest_s.rmssd));
}

/* Non-specific skin-conductance responses: 1–3 a minute at rest (random
 * arousals on, as live), more and larger under stress */
static void
test_skin_responses_follow_stress (void)
{
  g_autoptr(HeartSimulator) rest = person (11, 0, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_autoptr(HeartSimulator) stressed = person (11, 0.8, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_auto(Recording) rest_rec = { 0 }, stress_rec = { 0 };
  double rest_rate, stress_rate, rest_amplitude, stress_amplitude;
  double scl_rest, scl_stress;

  record (rest, 3600, &rest_rec);
  record (stressed, 3600, &stress_rec);
  rest_rate = channel_count (&rest_rec, HEART_CHANNEL_SCR, NULL) / 60.0;
  stress_rate = channel_count (&stress_rec, HEART_CHANNEL_SCR, NULL) / 60.0;
  rest_amplitude = channel_mean (&rest_rec, HEART_CHANNEL_SCR, 0, INFINITY);
  stress_amplitude = channel_mean (&stress_rec, HEART_CHANNEL_SCR, 0, INFINITY);
  scl_rest = channel_mean (&rest_rec, HEART_CHANNEL_EDA, 0, INFINITY);
  scl_stress = channel_mean (&stress_rec, HEART_CHANNEL_EDA, 0, INFINITY);
  g_test_message ("responses a minute: rest %.2f, stress %.2f; mean amplitude %.3f vs %.3f µS; level %.2f vs %.2f µS",
                  rest_rate, stress_rate, rest_amplitude, stress_amplitude, scl_rest, scl_stress);
  g_assert_cmpfloat (rest_rate, >=, 1.0);
  g_assert_cmpfloat (rest_rate, <=, 3.0);
  g_assert_cmpfloat (stress_rate, >, 1.5 * rest_rate);
  g_assert_cmpfloat (stress_amplitude, >, rest_amplitude);
  g_assert_cmpfloat (scl_stress, >, scl_rest);
  g_assert_cmpfloat (scl_rest, >=, 2.0);
  g_assert_cmpfloat (scl_rest, <=, 20.0);
}

/* An acute event evokes a response 1–3 s later, and the conductance rises */
static void
test_skin_response_after_event (void)
{
  g_autoptr(HeartSimulator) simulator = person (12, 0, 0);
  g_auto(Recording) rec = { 0 };
  guint evoked = 0, events = 20;

  record (simulator, 30, &rec);
  for (guint i = 0; i < events; i++)
    {
      double at = heart_simulator_get_time (simulator);
      guint first = rec.values->len;
      gboolean found = FALSE;

      heart_simulator_trigger_stress (simulator, 0.8, NULL);
      record (simulator, 90, &rec);
      for (guint k = first; k < rec.values->len && !found; k++)
        {
          const HeartChannelValue *v = &g_array_index (rec.values, HeartChannelValue, k);

          if (v->channel == HEART_CHANNEL_SCR && v->t_s >= at + 1.0 && v->t_s <= at + 3.0 + 1e-9)
            {
              double before = channel_mean (&rec, HEART_CHANNEL_EDA, v->t_s - 0.5, v->t_s);
              double after = channel_mean (&rec, HEART_CHANNEL_EDA, v->t_s + 1.5, v->t_s + 4.0);

              found = after > before + 0.1;
            }
        }
      evoked += found;
    }
  g_test_message ("%u of %u events evoked a response 1–3 s later", evoked, events);
  g_assert_cmpuint (evoked, ==, events);
}

/* At the default live settings (random arousals at the seed's rate) the
 * person is mostly calm and at resting heart rate */
static void
test_default_person_is_calm (void)
{
  g_autoptr(HeartSimulator) simulator = person (3, 0, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_auto(Recording) rec = { 0 };
  guint calm = 0, in_range = 0;

  record (simulator, 2 * 3600, &rec);
  for (guint i = 0; i < rec.bpm->len; i++)
    {
      double bpm = g_array_index (rec.bpm, double, i);

      calm += g_array_index (rec.stress, double, i) < 0.1;
      in_range += bpm >= 60 && bpm <= 80;
    }
  g_test_message ("calm %.1f %% of the time, heart rate within 60–80 bpm %.1f %%, %u arousals",
                  100.0 * calm / rec.bpm->len, 100.0 * in_range / rec.bpm->len,
                  channel_count (&rec, HEART_CHANNEL_EVENT, "arousal"));
  g_assert_cmpfloat (calm, >=, 0.70 * rec.bpm->len);
  g_assert_cmpfloat (in_range, >=, 0.85 * rec.bpm->len);
}

/* A brief arousal raises the heart rate and it is back within ~20 s:
 * the average response to many arousals, from the 1 Hz heart_rate */
static void
test_arousal_passes_quickly (void)
{
  g_autoptr(HeartSimulator) simulator = person (4, 0, 60);
  g_auto(Recording) rec = { 0 };
  g_autoptr(GArray) hr = g_array_new (FALSE, TRUE, sizeof (double));   /* bpm at each whole second */
  double response[31] = { 0 };
  guint arousals = 0, peak_at = 0;

  record (simulator, 4 * 3600, &rec);
  for (guint i = 0; i < rec.values->len; i++)
    {
      const HeartChannelValue *v = &g_array_index (rec.values, HeartChannelValue, i);

      if (v->channel == HEART_CHANNEL_HEART_RATE)
        g_array_append_val (hr, v->value);
    }
  for (guint i = 0; i < rec.values->len; i++)
    {
      const HeartChannelValue *v = &g_array_index (rec.values, HeartChannelValue, i);
      guint second = (guint) ceil (v->t_s);
      double base = 0;

      if (v->channel != HEART_CHANNEL_EVENT || !g_str_equal (v->label, "arousal") ||
          second < 10 || second + 31 > hr->len)
        continue;
      for (guint s = second - 8; s < second; s++)
        base += g_array_index (hr, double, s) / 8;
      for (guint s = 0; s <= 30; s++)
        response[s] += g_array_index (hr, double, second + s) - base;
      arousals++;
    }
  g_assert_cmpuint (arousals, >, 100);
  for (guint s = 0; s <= 30; s++)
    {
      response[s] /= arousals;
      if (response[s] > response[peak_at])
        peak_at = s;
    }
  g_test_message ("%u arousals: heart rate +%.1f bpm after %u s, +%.1f at 20 s", arousals,
                  response[peak_at], peak_at, response[20]);
  g_assert_cmpfloat (response[peak_at], >, 3.0);
  g_assert_cmpuint (peak_at, >=, 2);
  g_assert_cmpuint (peak_at, <=, 10);
  g_assert_cmpfloat (response[20], <, 0.25 * response[peak_at]);
}

/* The profile: a low responder's skin answers less, and the resting
 * breathing rate is the person's own */
static void
test_profile (void)
{
  g_autoptr(HeartSimulator) usual = person (13, 0, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_autoptr(HeartSimulator) low = g_object_new (HEART_TYPE_SIMULATOR, "seed", (guint64) 13, "manual-clock", TRUE,
                                                "low-skin-responder", TRUE, NULL);
  g_autoptr(HeartSimulator) slow = g_object_new (HEART_TYPE_SIMULATOR, "seed", (guint64) 13, "manual-clock", TRUE,
                                                 "rest-breathing-rate", 11.0, NULL);
  g_auto(Recording) usual_rec = { 0 }, low_rec = { 0 }, slow_rec = { 0 };

  record (usual, 3600, &usual_rec);
  record (low, 3600, &low_rec);
  record (slow, 1800, &slow_rec);
  g_test_message ("responses: usual %u (%.3f µS), low responder %u (%.3f µS); breathing %.1f vs %.1f a minute",
                  channel_count (&usual_rec, HEART_CHANNEL_SCR, NULL), channel_mean (&usual_rec, HEART_CHANNEL_SCR, 0, INFINITY),
                  channel_count (&low_rec, HEART_CHANNEL_SCR, NULL), channel_mean (&low_rec, HEART_CHANNEL_SCR, 0, INFINITY),
                  channel_mean (&slow_rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY),
                  channel_mean (&usual_rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY));
  g_assert_cmpuint (channel_count (&low_rec, HEART_CHANNEL_SCR, NULL), <, 0.7 * channel_count (&usual_rec, HEART_CHANNEL_SCR, NULL));
  g_assert_cmpfloat (channel_mean (&low_rec, HEART_CHANNEL_SCR, 0, INFINITY), <,
                     0.6 * channel_mean (&usual_rec, HEART_CHANNEL_SCR, 0, INFINITY));
  g_assert_cmpfloat_with_epsilon (channel_mean (&slow_rec, HEART_CHANNEL_RESPIRATORY_RATE, 0, INFINITY), 11.0, 1.0);
}

static char *
format_values (const Recording *rec)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rec->values->len; i++)
    {
      HeartField fields[HEART_FIELDS_MAX];
      const HeartChannelValue *v = &g_array_index (rec->values, HeartChannelValue, i);

      heart_fields_append (out, HEART_FIELDS_JSON, fields, heart_channel_value_fields (v, "", FALSE, fields));
    }
  return g_string_free (out, FALSE);
}

/* The same seed gives the same values of every channel, whatever the
 * length of the ticks */
static void
test_same_seed_same_channels (void)
{
  g_autoptr(HeartSimulator) a = person (21, 0.1, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_autoptr(HeartSimulator) b = person (21, 0.1, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_autoptr(HeartSimulator) other = person (22, 0.1, HEART_EVENTS_PER_HOUR_DEFAULT);
  g_auto(Recording) ra = { 0 }, rb = { 0 }, ro = { 0 };
  g_autofree char *ja = NULL, *jb = NULL, *jo = NULL;

  record (a, 600, &ra);
  /* ticks of 0.1 s instead of 0.5 s */
  rb.beat_t = g_array_new (FALSE, FALSE, sizeof (double));
  rb.rr = g_array_new (FALSE, FALSE, sizeof (double));
  rb.values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  rb.bpm = g_array_new (FALSE, FALSE, sizeof (double));
  rb.stress = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (b, "values", G_CALLBACK (on_values), &rb);
  for (guint i = 0; i < 6000; i++)
    heart_simulator_advance (b, 0.1);
  record (other, 600, &ro);

  ja = format_values (&ra);
  jb = format_values (&rb);
  jo = format_values (&ro);
  g_assert_cmpuint (strlen (ja), >, 100000);
  g_assert_cmpstr (ja, ==, jb);
  g_assert_cmpstr (ja, !=, jo);
}

int
main (int argc, char **argv)
{
  static const double rest = 0, stress = 0.8;

  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/person/breathing/hf-peak-at-rest", &rest, test_hf_peak_at_breathing_rate);
  g_test_add_data_func ("/person/breathing/hf-peak-under-stress", &stress, test_hf_peak_at_breathing_rate);
  g_test_add_func ("/person/breathing/paced", test_paced_breathing_moves_rsa);
  g_test_add_func ("/person/skin/responses-follow-stress", test_skin_responses_follow_stress);
  g_test_add_func ("/person/skin/response-after-event", test_skin_response_after_event);
  g_test_add_func ("/person/stress/default-is-calm", test_default_person_is_calm);
  g_test_add_func ("/person/stress/arousal-passes-quickly", test_arousal_passes_quickly);
  g_test_add_func ("/person/profile", test_profile);
  g_test_add_func ("/person/same-seed-same-channels", test_same_seed_same_channels);
  return g_test_run ();
}
