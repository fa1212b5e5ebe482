/* test-generate-cohort.c: `heartsim generate --subjects N / --cohort FILE`
 * as a user runs it (docs/datasets.md, "Cohorts")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "test-generate-util.h"

#define DEADLINE_US (30 * G_USEC_PER_SEC)
#define POLL_US (10 * 1000)
#define FSIZE_LIMIT_BYTES (16 * 1024)

static void
assert_exit (GSubprocess *process,
             int          status)
{
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, status);
}

static char *
read_file (const char *folder,
           const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_same_file (const char *folder_a,
                  const char *folder_b,
                  const char *name)
{
  g_autofree char *a = read_file (folder_a, name);
  g_autofree char *b = read_file (folder_b, name);

  g_test_message ("%s", name);
  g_assert_cmpuint (strlen (a), >, 0);
  g_assert_cmpstr (a, ==, b);
}

static JsonObject *
load_manifest (const char *folder,
               JsonParser *parser)
{
  g_autofree char *path = g_build_filename (folder, "manifest.json", NULL);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* 5 subjects × 2 min with 1 thread and with 2: the same files to the byte,
 * manifest included */
static void
test_jobs_deterministic (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *one = g_build_filename (fixture->folder, "one", NULL);
  g_autofree char *two = g_build_filename (fixture->folder, "two", NULL);
  g_autoptr(GSubprocess) first = spawn_generate (NULL, "--subjects", "5", "--duration", "2m", "--seed", "7",
                                                 "--what", "channels", "--jobs", "1", "-o", one, NULL);
  g_autofree char *err = finish (first);
  g_autoptr(GSubprocess) second = spawn_generate (NULL, "--subjects", "5", "--duration", "2m", "--seed", "7",
                                                  "--what", "channels", "--jobs", "2", "-o", two, NULL);
  g_autofree char *err2 = finish (second);
  g_autofree char *listing = NULL;

  assert_exit (first, 0);
  assert_exit (second, 0);
  listing = folder_listing (one);
  g_assert_cmpstr (listing, ==, "manifest.json subject-0.csv subject-1.csv subject-2.csv subject-3.csv subject-4.csv");
  g_clear_pointer (&listing, g_free);
  listing = folder_listing (two);
  g_assert_cmpstr (listing, ==, "manifest.json subject-0.csv subject-1.csv subject-2.csv subject-3.csv subject-4.csv");
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("subject-%u.csv", i);

      assert_same_file (one, two, name);
    }
  assert_same_file (one, two, "manifest.json");
}

/* Subject 3 is the same person whatever the number of subjects, and the
 * person a plain run of its seed and profile is */
static void
test_same_subject_whatever_n (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *four = g_build_filename (fixture->folder, "four", NULL);
  g_autofree char *ten = g_build_filename (fixture->folder, "ten", NULL);
  g_autofree char *alone = g_build_filename (fixture->folder, "alone.csv", NULL);
  g_autoptr(GSubprocess) a = spawn_generate (NULL, "--subjects", "4", "--duration", "2m", "--seed", "7", "-o", four, NULL);
  g_autofree char *err_a = finish (a);
  g_autoptr(GSubprocess) b = spawn_generate (NULL, "--subjects", "10", "--duration", "2m", "--seed", "7", "-o", ten, NULL);
  g_autofree char *err_b = finish (b);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *subject;
  g_autoptr(GSubprocess) c = NULL;
  g_autofree char *err_c = NULL, *single = NULL, *three = NULL;

  assert_exit (a, 0);
  assert_exit (b, 0);
  assert_same_file (four, ten, "subject-3.csv");

  subject = json_array_get_object_element (json_object_get_array_member (load_manifest (four, parser), "subjects"), 3);
  c = spawn_generate (NULL, "--duration", "2m", "--seed", json_object_get_string_member (subject, "seed"),
                      "--profile", json_object_get_string_member (subject, "profile"), "-o", alone, NULL);
  err_c = finish (c);
  assert_exit (c, 0);
  single = read_file (fixture->folder, "alone.csv");
  three = read_file (four, "subject-3.csv");
  g_assert_cmpstr (single, ==, three);
}

/* A cohort file's subjects: names, profiles, seeds, scenarios and their
 * offsets, in the files and the manifest */
static void
test_manifest (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *cohort = g_build_filename (fixture->folder, "cohort.json", NULL);
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *err = NULL, *listing = NULL, *rows = NULL;
  JsonObject *manifest;
  JsonArray *subjects, *arguments;
  JsonObject *p1, *p2, *p3;
  const char *first;

  g_assert_true (g_file_set_contents (cohort,
    "[{\"name\": \"P1\", \"profile\": \"athlete\", \"baseline_bpm\": 50},\n"
    " {\"name\": \"P2\", \"scenario\": \"lab-stress-protocol\", \"start_offset\": \"1m\"},\n"
    " {\"id\": 9, \"seed\": \"18446744073709551615\"}]", -1, NULL));
  process = spawn_generate (NULL, "--cohort", cohort, "--subject-offset", "20", "--duration", "2m", "--seed", "3",
                            "--what", "channels", "--format", "jsonl", "--jobs", "2", "-o", out, NULL);
  err = finish (process);
  assert_exit (process, 0);
  listing = folder_listing (out);
  g_assert_cmpstr (listing, ==, "P1.jsonl P2.jsonl manifest.json subject-9.jsonl");

  manifest = load_manifest (out, parser);
  g_assert_cmpstr (json_object_get_string_member (manifest, "generator"), ==, "heartsim generate");
  g_assert_cmpstr (json_object_get_string_member (manifest, "seed"), ==, "3");
  g_assert_cmpfloat (json_object_get_double_member (manifest, "duration_s"), ==, 120);
  g_assert_cmpstr (json_object_get_string_member (manifest, "start"), ==, "2026-01-01T00:00:00Z");
  /* the options, less -o and --jobs, which do not change the data */
  arguments = json_object_get_array_member (manifest, "arguments");
  g_assert_cmpuint (json_array_get_length (arguments), ==, 12);
  g_assert_cmpstr (json_array_get_string_element (arguments, 0), ==, "--cohort");
  g_assert_cmpstr (json_array_get_string_element (arguments, 11), ==, "jsonl");

  subjects = json_object_get_array_member (manifest, "subjects");
  g_assert_cmpuint (json_array_get_length (subjects), ==, 3);
  p1 = json_array_get_object_element (subjects, 0);
  g_assert_cmpint (json_object_get_int_member (p1, "id"), ==, 20);
  g_assert_cmpstr (json_object_get_string_member (p1, "name"), ==, "P1");
  g_assert_cmpstr (json_object_get_string_member (p1, "profile"), ==, "athlete");
  g_assert_cmpint (json_object_get_int_member (p1, "baseline_bpm"), ==, 50);
  g_assert_true (json_object_get_null_member (p1, "scenario"));
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (p1, "files"), 0), ==, "P1.jsonl");
  p2 = json_array_get_object_element (subjects, 1);
  g_assert_cmpint (json_object_get_int_member (p2, "id"), ==, 21);
  g_assert_cmpstr (json_object_get_string_member (p2, "scenario"), ==, "lab-stress-protocol");
  g_assert_cmpfloat (json_object_get_double_member (p2, "start_offset_s"), ==, 60);
  p3 = json_array_get_object_element (subjects, 2);
  g_assert_cmpint (json_object_get_int_member (p3, "id"), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (p3, "name"), ==, "subject-9");
  g_assert_cmpstr (json_object_get_string_member (p3, "seed"), ==, "18446744073709551615");

  /* P2's scenario labels its values from one minute in, not before */
  rows = read_file (out, "P2.jsonl");
  first = strstr (rows, "\",\"type\":\"condition\"");
  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first - strlen ("2026-01-01T00:01:00.000Z"), "2026-01-01T00:01:00.000Z"));
}

/* Bad arguments: exit 2, a message naming what, and nothing made */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *cohort = g_build_filename (fixture->folder, "cohort.json", NULL);
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  g_autofree char *full = g_build_filename (fixture->folder, "full", NULL);
  g_autofree char *mine = g_build_filename (full, "mine.txt", NULL);
  struct { const char *args[8]; const char *message; } cases[] = {
    { { "--cohort", cohort, "-o", out }, "heartsim generate: --cohort: " },
    { { "--subjects", "3" }, "heartsim generate: several subjects are written into a folder: name it with -o FOLDER\n" },
    { { "--subjects", "0", "-o", out }, "heartsim generate: --subjects must be a whole number from 1 to 100000, not '0'\n" },
    { { "--subjects", "3", "--cohort", cohort, "-o", out }, "heartsim generate: --subjects and --cohort both say who the subjects are: give one\n" },
    { { "--subjects", "3", "--jobs", "0", "-o", out }, "heartsim generate: --jobs must be a whole number from 1 to 256, not '0'\n" },
    { { "--subjects", "3", "--baseline", "60", "-o", out }, "heartsim generate: --baseline: each subject has its own" },
    { { "--subjects", "3", "-o", full }, "heartsim generate: --output: " },
    { { "--jobs", "2", "-o", out }, "heartsim generate: --jobs goes with --subjects or --cohort\n" },
  };
  g_autofree char *expected_cohort = g_strdup_printf ("heartsim generate: --cohort: %s:2: subject 1 (id 1): profile: no preset called “elite”", cohort);

  cases[0].message = expected_cohort;
  g_assert_true (g_file_set_contents (cohort, "[{},\n {\"profile\": \"elite\"}]", -1, NULL));
  g_assert_cmpint (g_mkdir (full, 0700), ==, 0);
  g_assert_true (g_file_set_contents (mine, "mine\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) process = spawn_generate_args (NULL, cases[i].args);
      g_autofree char *err = finish (process);
      g_autofree char *listing = folder_listing (fixture->folder);
      g_autofree char *kept = folder_listing (full);

      assert_exit (process, 2);
      g_assert_true (g_str_has_prefix (err, cases[i].message));
      g_assert_cmpstr (listing, ==, "cohort.json full");
      g_assert_cmpstr (kept, ==, "mine.txt");
    }
}

/* Another run into the same folder replaces an earlier one whole */
static void
test_replaces_earlier_run (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  /* a trailing slash names the same folder, as a shell completes it */
  g_autofree char *out_slash = g_strconcat (out, "/", NULL);
  g_autoptr(GSubprocess) first = spawn_generate (NULL, "--subjects", "3", "--duration", "1m", "--seed", "1", "-o",
                                                 out_slash, NULL);
  g_autofree char *err = finish (first);
  g_autoptr(GSubprocess) second = spawn_generate (NULL, "--subjects", "2", "--duration", "1m", "--seed", "1",
                                                  "--format", "jsonl", "-o", out, NULL);
  g_autofree char *err2 = finish (second);
  g_autofree char *listing = folder_listing (out);
  g_autofree char *top = folder_listing (fixture->folder);

  assert_exit (first, 0);
  assert_exit (second, 0);
  g_assert_cmpstr (listing, ==, "manifest.json subject-0.jsonl subject-1.jsonl");
  g_assert_cmpstr (top, ==, "out");
}

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { FSIZE_LIMIT_BYTES, FSIZE_LIMIT_BYTES };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* A write that fails names the subject's file in -o, exits 1 and leaves
 * nothing: no folder, no temporary one */
static void
test_write_fails (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  g_autoptr(GSubprocess) process = spawn_generate (limit_file_size, "--subjects", "4", "--duration", "10m", "--seed", "1",
                                                   "--jobs", "1", "-o", out, NULL);
  g_autofree char *err = finish (process);
  g_autofree char *expected = g_strdup_printf ("heartsim generate: cannot write %s/subject-0.csv: %s\n",
                                               out, g_strerror (EFBIG));
  g_autofree char *listing = folder_listing (fixture->folder);

  assert_exit (process, 1);
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpstr (listing, ==, "");
}

/* Interrupted while subjects are written: the temporary folder goes, and
 * the process dies of the signal */
static void
test_sigterm (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  g_autoptr(GSubprocess) process = spawn_generate (NULL, "--subjects", "50", "--duration", "1d", "--seed", "1",
                                                   "--what", "channels", "--jobs", "2", "-o", out, NULL);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  g_autofree char *err = NULL;
  gboolean seen = FALSE;

  /* the temporary folder is there once it is listed */
  while (!seen && g_get_monotonic_time () < deadline)
    {
      g_autofree char *now = folder_listing (fixture->folder);

      seen = g_str_has_prefix (now, ".out.");
      g_usleep (POLL_US);
    }
  g_assert_true (seen);
  err = terminate_leaving_nothing (process, fixture->folder);
}

/* The waveforms too: a WFDB record a subject, named with '_' */
static void
test_waveforms (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *out = g_build_filename (fixture->folder, "out", NULL);
  g_autoptr(GSubprocess) process = spawn_generate (NULL, "--subjects", "2", "--duration", "10s", "--seed", "1",
                                                   "--what", "ecg", "--format", "wfdb", "-o", out, NULL);
  g_autofree char *err = finish (process);
  g_autofree char *listing = folder_listing (out);

  assert_exit (process, 0);
  g_assert_cmpstr (listing, ==, "manifest.json subject_0.atr subject_0.dat subject_0.hea "
                                "subject_1.atr subject_1.dat subject_1.hea");
}

static void
add_test (const char    *path,
          void         (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_test ("/generate-cohort/jobs-deterministic", test_jobs_deterministic);
  add_test ("/generate-cohort/same-subject-whatever-n", test_same_subject_whatever_n);
  add_test ("/generate-cohort/manifest", test_manifest);
  add_test ("/generate-cohort/errors", test_errors);
  add_test ("/generate-cohort/replaces-earlier-run", test_replaces_earlier_run);
  add_test ("/generate-cohort/write-fails", test_write_fails);
  add_test ("/generate-cohort/sigterm", test_sigterm);
  add_test ("/generate-cohort/waveforms", test_waveforms);
  return g_test_run ();
}
