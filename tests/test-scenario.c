/* test-scenario.c: scenario files, the bundled scenarios and labelled data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "heart-activity.h"
#include "heart-scenario-file.h"
#include "heart-simulator.h"
#include "test-generate-util.h"

static char *
source_path (const char *relative)
{
  return g_build_filename (g_getenv ("HEARTSIM_SOURCE_DIR"), relative, NULL);
}

static void
test_bundled (void)
{
  g_auto(GStrv) names = heart_scenario_list_bundled ();
  static const char * const lab_phases[] = { "baseline", "stress", "recovery", "amusement", "meditation" };
  static const double lab_minutes[] = { 20, 10, 10, 6, 7 };
  g_autoptr(HeartScenario) lab = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (names), ==, 4);
  g_assert_cmpstr (names[0], ==, "demo");
  g_assert_cmpstr (names[1], ==, "lab-stress-protocol");
  g_assert_cmpstr (names[2], ==, "weekday");
  g_assert_cmpstr (names[3], ==, "work-session");
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(HeartScenario) scenario = heart_scenario_load_bundled (names[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (heart_scenario_get_name (scenario), ==, names[i]);
    }

  lab = heart_scenario_load ("lab-stress-protocol", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (heart_scenario_get_n_phases (lab), ==, G_N_ELEMENTS (lab_phases));
  for (guint i = 0; i < G_N_ELEMENTS (lab_phases); i++)
    {
      g_assert_cmpstr (heart_scenario_get_phase (lab, i)->name, ==, lab_phases[i]);
      g_assert_cmpfloat (heart_scenario_get_phase (lab, i)->duration_s, ==, lab_minutes[i] * 60);
    }
  g_assert_cmpfloat (heart_scenario_get_phase (lab, 4)->breathing_rate, ==, 6);
  g_assert_cmpfloat (heart_scenario_get_duration (lab), ==, 53 * 60);

  g_assert_null (heart_scenario_load_bundled ("no-such-scenario", &error));
  g_assert_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_NOT_FOUND);
}

/* Every file under tests/data/scenarios is refused with a message that
 * names the file, the line, the field and the reason */
static void
test_bad_files (void)
{
  static const struct { const char *file, *message; } cases[] = {
    { "bad-activity.json", "bad-activity.json:4: phases[0].activity: must be rest, sitting, walking, running, cycling or sleep" },
    { "bad-clock.json", "bad-clock.json:3: start: must be a time of day such as \"07:00\" or \"23:30:00\"" },
    { "bad-until-and-duration.json", "bad-until-and-duration.json:4: phases[0].duration: give either \"duration\" or \"until\" (a time of day)" },
    { "bad-breathing.json", "bad-breathing.json:4: phases[0].breathing_rate: must be 0 (spontaneous) or from 4 to 40 breaths a minute" },
    { "bad-duration-syntax.json", "bad-duration-syntax.json:4: phases[0].duration: “5 minutes” is not a duration (e.g. 90, \"90s\", \"20m\", \"1h30m\")" },
    { "bad-event-outside-phase.json", "bad-event-outside-phase.json:6: phases[0].events[1].at: must be inside its phase (before 120 s)" },
    { "bad-level-type.json", "bad-level-type.json:4: phases[0].events[0].level: must be a number" },
    { "bad-missing-duration.json", "bad-missing-duration.json:4: phases[0].duration: missing" },
    { "bad-negative-duration.json", "bad-negative-duration.json:4: phases[0].duration: must be from 0 to 604800 s" },
    { "bad-no-phases.json", "bad-no-phases.json:3: phases: must hold 1 to 1000 items" },
    { "bad-not-object.json", "bad-not-object.json: scenario: must be a JSON object" },
    { "bad-phase-name.json", "bad-phase-name.json:4: phases[0].name: must be a name of 1 to 64 lower-case letters, digits, '-' or '_'" },
    { "bad-stress-range.json", "bad-stress-range.json:5: phases[1].stress: must be from 0 to 1, not 1.5" },
    { "bad-too-long.json", "bad-too-long.json:6: phases: last 691200 s together, more than the 604800 s a scenario may last" },
    { "bad-truncated.json", "bad-truncated.json:1:58: Parse error: unexpected character `}', expected character `,'" },
    { "bad-unknown-field.json", "bad-unknown-field.json:6: phases[1].stres: unknown field" },
    { "bad-zero-duration.json", "bad-zero-duration.json:4: phases[0].duration: must be more than 0" },
    { "bad-vary.json", "bad-vary.json:3: vary: must be from 0 to 10800 s" },
    { "bad-pvc-rate.json", "bad-pvc-rate.json:5: phases[1].pvc_per_hour: must be from 0 to 1200, not 5000" },
  };
  g_autofree char *dir = source_path ("tests/data/scenarios");
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint files = 0;

  g_assert_nonnull (listing);
  while (g_dir_read_name (listing) != NULL)
    files++;
  /* a new bad file needs its expected message here */
  g_assert_cmpuint (files, ==, G_N_ELEMENTS (cases));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].file, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(HeartScenario) scenario = NULL;
      g_autofree char *cwd = g_get_current_dir ();

      /* messages name the file as given: load it by its own name */
      g_assert_cmpint (g_chdir (dir), ==, 0);
      scenario = heart_scenario_load_file (cases[i].file, &error);
      g_assert_cmpint (g_chdir (cwd), ==, 0);
      g_assert_null (scenario);
      g_assert_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_parse_durations_and_defaults (void)
{
  static const char json[] =
    "{\"name\":\"t\",\"phases\":["
    "{\"name\":\"a\",\"duration\":\"1h30m\",\"events\":[{\"at\":\"10m\"},{\"at\":5,\"level\":0.5}]},"
    "{\"name\":\"b\",\"duration\":90.5,\"stress\":0.3,\"breathing_rate\":0}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) scenario = heart_scenario_parse (json, strlen (json), "inline", &error);
  const HeartScenarioPhase *a, *b;

  g_assert_no_error (error);
  a = heart_scenario_get_phase (scenario, 0);
  b = heart_scenario_get_phase (scenario, 1);
  g_assert_cmpfloat (a->duration_s, ==, 5400);
  g_assert_true (isnan (a->stress) && isnan (a->breathing_rate));
  /* events are kept in time order; a level defaults to 0.8 */
  g_assert_cmpuint (a->events->len, ==, 2);
  g_assert_cmpfloat (g_array_index (a->events, HeartScenarioEvent, 0).offset_s, ==, 5);
  g_assert_cmpfloat (g_array_index (a->events, HeartScenarioEvent, 1).level, ==, 0.8);
  g_assert_cmpfloat (b->duration_s, ==, 90.5);
  g_assert_cmpfloat (b->stress, ==, 0.3);
  g_assert_cmpfloat (b->breathing_rate, ==, 0);
  g_assert_cmpint (heart_scenario_phase_at (scenario, 5399.9), ==, 0);
  g_assert_cmpint (heart_scenario_phase_at (scenario, 5400), ==, 1);
  g_assert_cmpint (heart_scenario_phase_at (scenario, 5490.5), ==, -1);
}

/* The labels change at the times the file names, and every sample carries
 * the phase of its time */
static void
test_labels_at_phase_times (void)
{
  g_autofree char *lab = source_path ("data/scenarios/lab-stress-protocol.json");
  g_auto(Run) changes = { 0 };
  g_auto(Run) samples = { 0 };
  g_auto(GStrv) lines = NULL;
  static const char * const expected[] = {
    "baseline,2026-01-01T00:00:00.000Z,condition,,baseline",
    "stress,2026-01-01T00:20:00.000Z,condition,,stress",
    "recovery,2026-01-01T00:30:00.000Z,condition,,recovery",
    "amusement,2026-01-01T00:40:00.000Z,condition,,amusement",
    "meditation,2026-01-01T00:46:00.000Z,condition,,meditation",
    ",2026-01-01T00:53:00.000Z,condition,,",
  };
  static const struct { double end_s; const char *name; } phases[] = {
    { 1200, "baseline" }, { 1800, "stress" }, { 2400, "recovery" }, { 2760, "amusement" }, { 3180, "meditation" },
  };

  generate (&changes, "--scenario", lab, "--seed", "1", "--what", "channels", "--channels", "condition", NULL);
  g_assert_true (g_spawn_check_wait_status (changes.status, NULL));
  lines = g_strsplit (changes.out, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "value,timestamp,type,label,condition");
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 2);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (lines[i + 1], ==, expected[i]);
  g_clear_pointer (&lines, g_strfreev);

  generate (&samples, "--scenario", lab, "--seed", "1", NULL);
  g_assert_true (g_spawn_check_wait_status (samples.status, NULL));
  lines = g_strsplit (samples.out, "\n", -1);
  /* 53 minutes at 2 Hz, a header and the empty string after the last newline */
  g_assert_cmpuint (g_strv_length (lines), ==, 53 * 60 * 2 + 2);
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      double t = i * 0.5;
      guint p = 0;

      while (p + 1 < G_N_ELEMENTS (phases) && t >= phases[p].end_s)
        p++;
      g_assert_cmpuint (g_strv_length (cells), ==, 20);
      /* the last tick, at 53:00, ends the scenario */
      g_assert_cmpstr (cells[18], ==, t >= 3180 ? "" : phases[p].name);
    }
}

static void
test_same_seed_same_file (void)
{
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) c = { 0 };

  generate (&a, "--scenario", "demo", "--seed", "7", "--what", "channels", "--format", "jsonl", NULL);
  generate (&b, "--scenario", "demo", "--seed", "7", "--what", "channels", "--format", "jsonl", NULL);
  generate (&c, "--scenario", "demo", "--seed", "8", "--what", "channels", "--format", "jsonl", NULL);
  g_assert_true (g_spawn_check_wait_status (a.status, NULL));
  g_assert_cmpuint (strlen (a.out), >, 100000);
  g_assert_cmpstr (a.out, ==, b.out);
  g_assert_cmpstr (a.out, !=, c.out);
}

static void
test_generate_refuses_bad_scenario (void)
{
  g_autofree char *bad = source_path ("tests/data/scenarios/bad-stress-range.json");
  g_autofree char *expected = g_strdup_printf ("heartsim generate: --scenario: %s:5: phases[1].stress: must be from 0 to 1, not 1.5\n", bad);
  g_auto(Run) run = { 0 };
  g_auto(Run) missing = { 0 };

  generate (&run, "--scenario", bad, "--seed", "1", NULL);
  g_assert_true (WIFEXITED (run.status));
  g_assert_cmpint (WEXITSTATUS (run.status), ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, expected);

  generate (&missing, "--scenario", "no-such-scenario", "--seed", "1", NULL);
  g_assert_cmpint (WEXITSTATUS (missing.status), ==, 2);
  g_assert_cmpstr (missing.err, ==, "heartsim generate: --scenario: No bundled scenario “no-such-scenario”\n");
}

/* A setting changed during a scenario stays after it; the others come back */
static void
test_settings_after_scenario (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (1, 0);
  g_autoptr(HeartScenario) demo = heart_scenario_load ("demo", NULL);
  guint ticks_after = 0;

  heart_simulator_set_stress_level (simulator, 0.2, NULL);
  heart_simulator_set_random_events_per_hour (simulator, 0, NULL);
  heart_simulator_run_scenario (simulator, demo, FALSE);
  g_assert_cmpstr (heart_simulator_get_condition (simulator), ==, "baseline");
  g_assert_cmpint (heart_simulator_get_phase (simulator), ==, 0);
  for (guint i = 0; i < 2 * 90; i++)
    heart_simulator_advance (simulator, 0.5);
  g_assert_cmpstr (heart_simulator_get_condition (simulator), ==, "stress");
  heart_simulator_set_baseline (simulator, 60, NULL);
  for (guint i = 0; i < 2 * 600; i++)
    {
      heart_simulator_advance (simulator, 0.5);
      ticks_after += heart_simulator_get_scenario (simulator) == NULL;
    }
  g_assert_null (heart_simulator_get_scenario (simulator));
  g_assert_cmpstr (heart_simulator_get_condition (simulator), ==, "");
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator), ==, 60);
  /* the tonic stress of before is back: the person has relaxed to it */
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_current_stress (simulator), 0.2, 0.05);
  /* 690 s in all and demo lasts 300 s: the ticks from 300 s on, that one included */
  g_assert_cmpuint (ticks_after, ==, 2 * (690 - 300) + 1);
}

/* weekday: clock times, activities and a day that repeats */
static void
test_weekday_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) weekday = heart_scenario_load ("weekday", &error);
  const HeartScenarioPhase *run = NULL;
  double at = 0;

  g_assert_no_error (error);
  g_assert_true (heart_scenario_get_repeat (weekday));
  g_assert_cmpfloat (heart_scenario_get_vary (weekday), ==, 20 * 60);
  g_assert_cmpfloat (heart_scenario_get_start (weekday), ==, 0);
  g_assert_cmpfloat (heart_scenario_get_duration (weekday), ==, 86400);
  g_assert_cmpstr (heart_scenario_get_phase (weekday, 0)->name, ==, "night");
  g_assert_cmpint (heart_scenario_get_phase (weekday, 0)->activity, ==, HEART_ACTIVITY_SLEEP);
  g_assert_cmpfloat (heart_scenario_get_phase (weekday, 0)->duration_s, ==, 7 * 3600);
  for (guint i = 0; i < heart_scenario_get_n_phases (weekday); i++)
    {
      const HeartScenarioPhase *phase = heart_scenario_get_phase (weekday, i);

      if (g_str_equal (phase->name, "run"))
        run = phase, at = heart_scenario_get_phase_start (weekday, i);
    }
  g_assert_nonnull (run);
  g_assert_cmpint (run->activity, ==, HEART_ACTIVITY_RUNNING);
  g_assert_cmpfloat (at, ==, 18.5 * 3600);
  g_assert_cmpfloat (run->duration_s, ==, 20 * 60);
}

typedef struct
{
  GArray *starts;     /* double: when each phase began */
} PhaseLog;

static void
on_phase_value (HeartSimulator          *simulator,
                const HeartChannelValue *values,
                guint                    n_values,
                PhaseLog                *log)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_CONDITION && values[i].label[0] != '\0')
      g_array_append_val (log->starts, values[i].t_s);
}

/* Three passes of a routine of three hours with "vary": @seed's phase
 * starts, one a phase */
static GArray *
routine_phase_starts (guint64 seed,
                      double  vary_s)
{
  static const char json[] =
    "{\"name\":\"routine\",\"repeat\":true,\"phases\":["
    "{\"name\":\"a\",\"duration\":\"1h\"},{\"name\":\"b\",\"duration\":\"30m\"},"
    "{\"name\":\"c\",\"duration\":\"90m\"}]}";
  g_autoptr(HeartScenario) routine = heart_scenario_parse (json, strlen (json), "inline", NULL);
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (seed, 0);
  PhaseLog log = { g_array_new (FALSE, FALSE, sizeof (double)) };

  g_assert_nonnull (routine);
  heart_scenario_set_vary (routine, vary_s);
  g_signal_connect (simulator, "values", G_CALLBACK (on_phase_value), &log);
  heart_simulator_run_scenario (simulator, routine, FALSE);
  /* up to just before the fourth pass */
  for (guint i = 0; i + 1 < 3 * 3 * 360; i++)
    heart_simulator_advance (simulator, 10.0);
  return log.starts;
}

/* "vary": each pass of a routine moves its phases' boundaries, by no more
 * than it says and 40 % of the phases beside them; passes still begin on
 * the routine's clock; the seed decides */
static void
test_vary (void)
{
  g_autoptr(GArray) fixed = routine_phase_starts (4, 0);
  g_autoptr(GArray) varied = routine_phase_starts (4, 20 * 60);
  g_autoptr(GArray) again = routine_phase_starts (4, 20 * 60);
  g_autoptr(GArray) other = routine_phase_starts (5, 20 * 60);
  static const double nominal[] = { 0, 3600, 5400 };
  /* a boundary beside the 30 min phase moves by 12 min at most */
  static const double limit[] = { 0, 12 * 60, 12 * 60 };
  gboolean moved[3] = { FALSE, FALSE, FALSE };

  /* the first phase of the first pass starts at once, before any sample */
  g_assert_cmpuint (fixed->len, ==, 9);
  g_assert_cmpuint (varied->len, ==, 9);
  for (guint pass = 0; pass < 3; pass++)
    for (guint p = 0; p < 3; p++)
      {
        double start = pass * 3 * 3600.0 + nominal[p];
        double shifted = g_array_index (varied, double, pass * 3 + p);

        g_assert_cmpfloat (g_array_index (fixed, double, pass * 3 + p), ==, start);
        g_assert_cmpfloat (fabs (shifted - start), <=, limit[p]);
        moved[p] |= fabs (shifted - start) > 1;
        g_assert_cmpfloat (shifted, ==, g_array_index (again, double, pass * 3 + p));
      }
  g_assert_false (moved[0]);
  g_assert_true (moved[1] && moved[2]);
  /* each pass its own times, each seed its own */
  g_assert_cmpfloat (g_array_index (varied, double, 1) - 0, !=, g_array_index (varied, double, 4) - 3 * 3600.0);
  g_assert_cmpfloat (g_array_index (varied, double, 1), !=, g_array_index (other, double, 1));
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static int
column_of (char      **header,
           const char *name)
{
  for (int i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return i;
  g_assert_not_reached ();
}

/* `heartsim generate --scenario weekday --duration 24h` as the user
 * runs it: a weekday's steps 6,000–12,000, the run at 70–85 % of HRmax,
 * SpO2 within 90–100 and its median at least 95, asleep at night */
static void
test_weekday_day (void)
{
  for (guint seed = 1; seed <= 3; seed++)
    {
      g_auto(Run) run = { 0 };
      g_autofree char *seed_text = g_strdup_printf ("%u", seed);
      g_auto(GStrv) lines = NULL;
      g_auto(GStrv) header = NULL;
      g_autoptr(GArray) spo2 = g_array_new (FALSE, FALSE, sizeof (double));
      double steps = 0, run_bpm = 0, night_bpm = 0, day_bpm = 0;
      guint n_run = 0, n_night = 0, n_day = 0;
      int c_steps, c_spo2, c_bpm, c_condition;

      /* a sample every 5 s: the same day (the model does not depend on
       * the ticks), a tenth of the rows to read */
      generate (&run, "--scenario", "weekday", "--duration", "24h", "--seed", seed_text,
                "--interval-ms", "5000", NULL);
      g_assert_true (g_spawn_check_wait_status (run.status, NULL));
      lines = g_strsplit (run.out, "\n", -1);
      header = g_strsplit (lines[0], ",", -1);
      c_steps = column_of (header, "steps_today");
      c_spo2 = column_of (header, "spo2");
      c_bpm = column_of (header, "bpm");
      c_condition = column_of (header, "condition");
      for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
        {
          g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
          double value = g_ascii_strtod (cells[c_spo2], NULL);
          double bpm = g_ascii_strtod (cells[c_bpm], NULL);

          steps = MAX (steps, g_ascii_strtod (cells[c_steps], NULL));
          g_assert_cmpfloat (value, >=, 90);
          g_assert_cmpfloat (value, <=, 100);
          g_array_append_val (spo2, value);
          if (g_str_equal (cells[c_condition], "run") && i * 5 > 18 * 3600 + 40 * 60)
            run_bpm += bpm, n_run++;
          else if (g_str_equal (cells[c_condition], "night") && i * 5 > 3600 && i * 5 < 6 * 3600)
            night_bpm += bpm, n_night++;
          else if (g_str_equal (cells[c_condition], "evening"))
            day_bpm += bpm, n_day++;
        }
      g_array_sort (spo2, compare_doubles);
      g_test_message ("seed %u: %.0f steps, run %.0f bpm, night %.0f, evening %.0f, SpO2 median %.0f",
                      seed, steps, run_bpm / n_run, night_bpm / n_night, day_bpm / n_day,
                      g_array_index (spo2, double, spo2->len / 2));
      g_assert_cmpfloat (steps, >=, 6000);
      g_assert_cmpfloat (steps, <=, 12000);
      g_assert_cmpfloat (run_bpm / n_run, >=, 0.70 * (208 - 0.7 * 35));
      g_assert_cmpfloat (run_bpm / n_run, <=, 0.85 * (208 - 0.7 * 35));
      g_assert_cmpfloat (night_bpm / n_night, <, day_bpm / n_day - 5);
      g_assert_cmpfloat (g_array_index (spo2, double, spo2->len / 2), >=, 95);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scenario/bundled", test_bundled);
  g_test_add_func ("/scenario/bad-files", test_bad_files);
  g_test_add_func ("/scenario/durations-and-defaults", test_parse_durations_and_defaults);
  g_test_add_func ("/scenario/labels-at-phase-times", test_labels_at_phase_times);
  g_test_add_func ("/scenario/same-seed-same-file", test_same_seed_same_file);
  g_test_add_func ("/scenario/generate-refuses-bad-file", test_generate_refuses_bad_scenario);
  g_test_add_func ("/scenario/settings-after", test_settings_after_scenario);
  g_test_add_func ("/scenario/vary", test_vary);
  g_test_add_func ("/scenario/weekday/file", test_weekday_file);
  g_test_add_func ("/scenario/weekday/day", test_weekday_day);
  return g_test_run ();
}
