/* test-cohort-file.c: cohort files and the subjects of --subjects N
 * (docs/datasets.md, "Cohort files")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "heart-cohort-file.h"
#include "heart-scenario-file.h"

#define RUN_SEED 42

static GPtrArray *
parse (const char  *json,
       guint        offset,
       GError     **error)
{
  return heart_cohort_file_parse (json, strlen (json), "cohort.json", NULL, offset, RUN_SEED, error);
}

static const HeartSubjectSpec *
spec_at (GPtrArray *specs,
         guint      index)
{
  return g_ptr_array_index (specs, index);
}

/* The shipped example, as docs/datasets.md shows it */
static void
test_example (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("HEARTSIM_SOURCE_DIR"), "data", "cohorts", "example.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = heart_cohort_file_load (path, 0, RUN_SEED, &error);
  const HeartSubjectSpec *p03, *p04, *p05;

  g_assert_no_error (error);
  g_assert_cmpuint (specs->len, ==, 5);
  g_assert_cmpstr (spec_at (specs, 0)->name, ==, "P01");
  g_assert_cmpuint (spec_at (specs, 1)->baseline_bpm, ==, 52);
  g_assert_cmpstr (spec_at (specs, 1)->profile, ==, "athlete");
  p03 = spec_at (specs, 2);
  g_assert_cmpstr (p03->scenario_name, ==, "lab-stress-protocol");
  g_assert_nonnull (p03->scenario);
  g_assert_cmpfloat (p03->start_offset_s, ==, 300);
  g_assert_false (p03->repeat);
  p04 = spec_at (specs, 3);
  g_assert_cmpuint (p04->seed, ==, 20260101);
  g_assert_true (p04->repeat);
  p05 = spec_at (specs, 4);
  g_assert_cmpuint (p05->id, ==, 100);
  g_assert_cmpuint (p05->seed, ==, heart_subject_seed (RUN_SEED, 100));
}

/* An empty subject is the subject --subjects N makes for its id */
static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse ("[{}, {}, {\"name\": \"x\"}, {}]", 0, &error);
  g_autoptr(GPtrArray) counted = heart_cohort_subjects_new (4, 0, RUN_SEED, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (specs->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const HeartSubjectSpec *spec = spec_at (specs, i), *other = spec_at (counted, i);

      g_assert_cmpuint (spec->id, ==, i);
      g_assert_cmpuint (spec->id, ==, other->id);
      g_assert_cmpuint (spec->seed, ==, other->seed);
      g_assert_cmpstr (spec->profile, ==, other->profile);
      g_assert_cmpuint (spec->baseline_bpm, ==, 0);
      g_assert_null (spec->scenario);
      g_assert_cmpfloat (spec->start_offset_s, ==, 0);
    }
  /* subject 0 keeps the run's seed, as a single person does */
  g_assert_cmpuint (spec_at (specs, 0)->seed, ==, RUN_SEED);
  g_assert_cmpstr (spec_at (specs, 0)->profile, ==, "average");
  g_assert_cmpstr (spec_at (specs, 2)->name, ==, "x");
  g_assert_null (spec_at (specs, 1)->name);
}

/* --subject-offset moves the default ids, and with them the seeds; a given
 * id is used as written */
static void
test_offset (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse ("{\"subjects\": [{}, {\"id\": 3}, {}]}", 10, &error);
  g_autoptr(GPtrArray) counted = heart_cohort_subjects_new (3, 10, RUN_SEED, "athlete", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (spec_at (specs, 0)->id, ==, 10);
  g_assert_cmpuint (spec_at (specs, 1)->id, ==, 3);
  g_assert_cmpuint (spec_at (specs, 2)->id, ==, 12);
  g_assert_cmpuint (spec_at (specs, 2)->seed, ==, heart_subject_seed (RUN_SEED, 12));
  g_assert_cmpuint (spec_at (specs, 1)->seed, ==, heart_subject_seed (RUN_SEED, 3));
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (spec_at (counted, i)->id, ==, 10 + i);
      g_assert_cmpstr (spec_at (counted, i)->profile, ==, "athlete");
    }
}

/* Seeds beyond 2^53 as strings; durations as seconds or strings */
static void
test_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse ("[{\"seed\": \"18446744073709551615\", \"scenario\": \"demo\", \"start_offset\": 90.5},\n"
                                      " {\"seed\": 7, \"scenario\": \"demo\", \"start_offset\": \"1h30m\", \"repeat\": false},\n"
                                      " {\"scenario\": \"weekday\"}]", 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (spec_at (specs, 0)->seed, ==, G_MAXUINT64);
  g_assert_cmpfloat (spec_at (specs, 0)->start_offset_s, ==, 90.5);
  g_assert_cmpuint (spec_at (specs, 1)->seed, ==, 7);
  g_assert_cmpfloat (spec_at (specs, 1)->start_offset_s, ==, 5400);
  g_assert_false (spec_at (specs, 1)->repeat);
  /* the weekday repeats unless told otherwise, as generate --scenario has it */
  g_assert_true (spec_at (specs, 2)->repeat);
  /* one scenario object for the subjects that name it */
  g_assert_true (spec_at (specs, 0)->scenario == spec_at (specs, 1)->scenario);
}

/* A scenario path is relative to the cohort file, not the current folder */
static void
test_relative_scenario (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-cohort-XXXXXX", &error);
  g_autofree char *sub = g_build_filename (folder, "people", NULL);
  g_autofree char *scenario = g_build_filename (sub, "walk.json", NULL);
  g_autofree char *cohort = g_build_filename (sub, "cohort.json", NULL);
  g_autoptr(GPtrArray) specs = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (scenario, "{\"name\": \"walk\", \"phases\": [{\"name\": \"walking\", "
                                      "\"duration\": \"5m\", \"activity\": \"walking\"}]}", -1, NULL));
  g_assert_true (g_file_set_contents (cohort, "[{\"scenario\": \"walk.json\"}, {\"scenario\": \"./walk.json\"}]", -1, NULL));
  specs = heart_cohort_file_load (cohort, 0, RUN_SEED, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_scenario_get_name (spec_at (specs, 0)->scenario), ==, "walk");
  g_assert_cmpstr (spec_at (specs, 0)->scenario_name, ==, "walk.json");
  g_assert_cmpfloat (heart_scenario_get_duration (spec_at (specs, 1)->scenario), ==, 300);
  /* from elsewhere, the same file works; the bare path does not */
  g_clear_pointer (&specs, g_ptr_array_unref);
  specs = parse ("[{\"scenario\": \"walk.json\"}]", 0, &error);
  g_assert_null (specs);
  g_assert_error (error, HEART_COHORT_FILE_ERROR, HEART_COHORT_FILE_ERROR_INVALID);
  g_assert_true (strstr (error->message, "cohort.json:1: subject 0 (id 0): scenario: ") != NULL);
  g_unlink (scenario);
  g_unlink (cohort);
  g_rmdir (sub);
  g_rmdir (folder);
}

/* Each bad file is refused with the file, line, subject, field and reason */
static void
test_errors (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "[{}, {\"profile\": \"athelete\"}]", "cohort.json:1: subject 1 (id 1): profile: no preset called “athelete” (average, athlete, older-adult, anxious)" },
    { "[{},\n {\"id\": 0}]", "cohort.json:2: subject 1 (id 0): id: 0 is subject 0's id already" },
    { "[{\"id\": 1},\n {}]", "cohort.json:2: subject 1 (id 1): id: 1 (its place plus the subject offset) is subject 0's id already" },
    { "[{\"id\": -1}]", "cohort.json:1: subject 0: id: must be a whole number from 0 to 4294967295" },
    { "[{\"id\": 1.5}]", "cohort.json:1: subject 0: id: must be a whole number from 0 to 4294967295" },
    { "[{},\n{},\n {\"scenario\": \"demo\",\n  \"start_offset\": \"10 m\"}]", "cohort.json:4: subject 2 (id 2): start_offset: must be seconds or a duration such as \"10m\" or \"1h30m\"" },
    { "[{\"scenario\": \"demo\", \"start_offset\": -5}]", "cohort.json:1: subject 0 (id 0): start_offset: must be from 0 to 3.16224e+07 s" },
    { "[{\"start_offset\": 60}]", "cohort.json:1: subject 0 (id 0): start_offset: goes with a \"scenario\"" },
    { "[{\"repeat\": true}]", "cohort.json:1: subject 0 (id 0): repeat: goes with a \"scenario\"" },
    { "[{\"scenario\": \"nope\"}]", "cohort.json:1: subject 0 (id 0): scenario: No bundled scenario “nope”" },
    { "[{\"scenario\": \"demo\", \"repeat\": 1}]", "cohort.json:1: subject 0 (id 0): repeat: must be true or false" },
    { "[{\n\"sede\": 5}]", "cohort.json:2: subject 0: sede: unknown field (known: id, name, profile, seed, baseline_bpm, scenario, repeat, start_offset)" },
    { "[{\"seed\": \"0x10\"}]", "cohort.json:1: subject 0 (id 0): seed: must be a whole number from 0 to 18446744073709551615 (or those digits as a string)" },
    { "[{\"baseline_bpm\": 130}]", "cohort.json:1: subject 0 (id 0): baseline_bpm: must be a whole number from 40 to 120" },
    { "[{\"name\": \"a/b\"}]", "cohort.json:1: subject 0 (id 0): name: “a/b” must be 1 to 64 letters, digits, '-' or '_' (it names the subject's files)" },
    { "[{\"name\": \"P1\"},\n {\"name\": \"P1\"}]", "cohort.json:2: subject 1 (id 1): name: “P1” is subject 0's name already" },
    { "[{\"name\": 5}]", "cohort.json:1: subject 0 (id 0): name: must be a non-empty string" },
    { "[{}, 5]", "cohort.json:1: subject 1: must be an object" },
    { "[]", "cohort.json: holds 0 subjects; a cohort has 1 to 100000" },
    { "{\"people\": []}", "cohort.json:1: people: unknown field (known: $schema, subjects)" },
    { "{}", "cohort.json: subjects: must be a list of subjects" },
    { "5", "cohort.json: must be a list of subjects, or an object with \"subjects\"" },
    { "", "cohort.json: empty" },
    { "[{}", "cohort.json:1:" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) specs = parse (cases[i].json, 0, &error);

      g_test_message ("%s", cases[i].json);
      g_assert_null (specs);
      g_assert_error (error, HEART_COHORT_FILE_ERROR, HEART_COHORT_FILE_ERROR_INVALID);
      g_test_message ("→ %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
}

/* A broken scenario file is reported through the subject that names it */
static void
test_bad_scenario_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-cohort-XXXXXX", &error);
  g_autofree char *scenario = g_build_filename (folder, "bad.json", NULL);
  g_autofree char *cohort = g_build_filename (folder, "c.json", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  g_assert_true (g_file_set_contents (scenario, "{\"name\": \"bad\",\n \"phases\": [{\"name\": \"a\", \"duration\": 0}]}", -1, NULL));
  g_assert_true (g_file_set_contents (cohort, "[{},\n {\"name\": \"P2\", \"scenario\": \"bad.json\"}]", -1, NULL));
  specs = heart_cohort_file_load (cohort, 0, RUN_SEED, &error);
  g_assert_null (specs);
  expected = g_strdup_printf ("%s:2: subject 1 (id 1): scenario: %s:2: phases[0].duration: must be more than 0",
                              cohort, scenario);
  g_assert_cmpstr (error->message, ==, expected);
  g_unlink (scenario);
  g_unlink (cohort);
  g_rmdir (folder);
}

/* --subjects N: its own checks name the options */
static void
test_count_errors (void)
{
  static const struct { guint n; guint offset; const char *profile; const char *message; } cases[] = {
    { 0, 0, NULL, "--subjects must be from 1 to 100000, not 0" },
    { 100001, 0, NULL, "--subjects must be from 1 to 100000, not 100001" },
    { 2, G_MAXUINT, NULL, "--subject-offset 4294967295 plus --subjects 2 goes past the last id, 4294967295" },
    { 2, 0, "elite", "--profile must be one of average|athlete|older-adult|anxious, not 'elite'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) specs = heart_cohort_subjects_new (cases[i].n, cases[i].offset, RUN_SEED,
                                                             cases[i].profile, &error);

      g_assert_null (specs);
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* The limit holds: a file of one subject too many is refused whole */
static void
test_too_many (void)
{
  g_autoptr(GString) json = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = NULL;

  for (guint i = 0; i <= HEART_COHORT_MAX_SUBJECTS; i++)
    g_string_append (json, i == 0 ? "{}" : ",{}");
  g_string_append (json, "]");
  specs = parse (json->str, 0, &error);
  g_assert_null (specs);
  g_assert_cmpstr (error->message, ==, "cohort.json: holds 100001 subjects; a cohort has 1 to 100000");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cohort-file/example", test_example);
  g_test_add_func ("/cohort-file/defaults", test_defaults);
  g_test_add_func ("/cohort-file/offset", test_offset);
  g_test_add_func ("/cohort-file/values", test_values);
  g_test_add_func ("/cohort-file/relative-scenario", test_relative_scenario);
  g_test_add_func ("/cohort-file/errors", test_errors);
  g_test_add_func ("/cohort-file/bad-scenario-file", test_bad_scenario_file);
  g_test_add_func ("/cohort-file/count-errors", test_count_errors);
  g_test_add_func ("/cohort-file/too-many", test_too_many);
  return g_test_run ();
}
