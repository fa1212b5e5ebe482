/* test-subjects.c: many people in one process
 *
 * A subject's data depends on the run's seed and its id alone; the server
 * answers /subjects and /subjects/{id}/… for each person exactly as the
 * single-person paths answer for the first, and 404 for anyone else
 * (docs/scale.md, "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "heart-cohort.h"
#include "heart-profile.h"
#include "heart-scenario-file.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-source-switch.h"
#include "test-headless-util.h"
#include "test-server-fixture.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767225600000000)   /* 2026-01-01T00:00:00Z */
#define RUN_SEED 2026
#define FIRST_ID 10
#define N_SUBJECTS 3

typedef struct
{
  HeartCohort       *cohort;
  HeartSourceSwitch *source;     /* the first subject's, as the app has it */
  HeartHistory      *history;
  HeartServer       *server;
  SoupSession       *session;
  guint              port;
} Fixture;

static HeartSimulator *
simulator_of (Fixture *f,
              guint    id)
{
  return heart_subject_get_simulator (heart_cohort_lookup (f->cohort, id));
}

/* Every subject one tick of 0.5 s further */
static void
tick_all (Fixture *f,
          guint    ticks)
{
  for (guint t = 0; t < ticks; t++)
    for (guint i = 0; i < heart_cohort_get_n_subjects (f->cohort); i++)
      heart_simulator_advance (heart_subject_get_simulator (heart_cohort_get_subject (f->cohort, i)), 0.5);
}

/* Subjects 10, 11, 12 of manual clocks; the first behind a source switch */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) specs = heart_subject_specs_new (N_SUBJECTS, FIRST_ID, RUN_SEED, NULL);
  g_autoptr(GError) error = NULL;

  f->cohort = heart_cohort_new ();
  for (guint i = 0; i < specs->len; i++)
    {
      const HeartSubjectSpec *spec = specs->pdata[i];
      g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (spec->seed, START_US);
      g_autoptr(HeartSubject) subject = NULL;

      if (i == 0)
        f->source = heart_source_switch_new (HEART_SOURCE (simulator));
      subject = heart_subject_new (spec, simulator, i == 0 ? HEART_SOURCE (f->source) : NULL, &error);
      g_assert_no_error (error);
      g_assert_true (heart_cohort_add (f->cohort, subject));
    }
  heart_cohort_set_running (f->cohort, TRUE);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->source));
  f->server = g_object_new (HEART_TYPE_SERVER,
                            "simulator", simulator_of (f, FIRST_ID),
                            "source", f->source,
                            "history", f->history,
                            "cohort", f->cohort,
                            NULL);
  f->port = test_server_listen (f->server, &f->session);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->source);
  g_clear_object (&f->cohort);
}

static JsonNode *
get_json (Fixture    *f,
          const char *path,
          guint       status)
{
  g_autoptr(TestReply) reply = test_request (f->session, "GET", f->port, path, NULL);

  g_assert_cmpuint (test_reply_status (reply), ==, status);
  return test_reply_json (reply);
}

/* ---- who the subjects are ------------------------------------------------ */

/* Subject 3 is the same person whether the run has 4 people or 10, and
 * makes the same data; subject 0 keeps the run's seed */
static void
test_seed_independent_of_count (void)
{
  g_autoptr(GPtrArray) four = heart_subject_specs_new (4, 0, RUN_SEED, NULL);
  g_autoptr(GPtrArray) ten = heart_subject_specs_new (10, 0, RUN_SEED, NULL);
  const HeartSubjectSpec *a = four->pdata[3], *b = ten->pdata[3];
  g_autoptr(HeartSimulator) first = heart_simulator_new_manual (a->seed, START_US);
  g_autoptr(HeartSimulator) second = heart_simulator_new_manual (b->seed, START_US);
  g_autoptr(GHashTable) seeds = g_hash_table_new (g_int64_hash, g_int64_equal);

  g_assert_cmpuint (((HeartSubjectSpec *) four->pdata[0])->seed, ==, RUN_SEED);
  g_assert_cmpuint (a->id, ==, 3);
  g_assert_cmpuint (a->seed, ==, b->seed);
  g_assert_cmpstr (a->profile, ==, b->profile);
  g_assert_nonnull (heart_profile_lookup (a->profile));
  heart_subject_spec_apply (a, first, NULL);
  heart_subject_spec_apply (b, second, NULL);
  for (guint t = 0; t < 240; t++)
    {
      heart_simulator_advance (first, 0.5);
      heart_simulator_advance (second, 0.5);
      g_assert_cmpfloat (heart_simulator_get_current_sample (first)->rr_ms, ==,
                         heart_simulator_get_current_sample (second)->rr_ms);
    }

  /* and no two subjects share a seed */
  for (guint i = 0; i < ten->len; i++)
    g_assert_true (g_hash_table_add (seeds, &((HeartSubjectSpec *) ten->pdata[i])->seed));
}

/* People differ: drawn profiles cover more than one preset */
static void
test_profiles_drawn (void)
{
  g_autoptr(GPtrArray) specs = heart_subject_specs_new (40, 0, RUN_SEED, NULL);
  g_autoptr(GPtrArray) athletes = heart_subject_specs_new (5, 0, RUN_SEED, "athlete");
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpstr (((HeartSubjectSpec *) specs->pdata[0])->profile, ==, "average");
  for (guint i = 0; i < specs->len; i++)
    g_hash_table_add (names, ((HeartSubjectSpec *) specs->pdata[i])->profile);
  g_assert_cmpuint (g_hash_table_size (names), ==, g_strv_length ((char **) heart_profile_names ()));
  for (guint i = 0; i < athletes->len; i++)
    g_assert_cmpstr (((HeartSubjectSpec *) athletes->pdata[i])->profile, ==, "athlete");
}

/* A scenario with a start offset begins that far into the run, and its
 * phase is the subject's "phase" */
static void
test_scenario_offset (void)
{
  g_autoptr(GError) error = NULL;
  HeartSubjectSpec spec;
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (7, START_US);
  g_autoptr(HeartSubject) subject = NULL;

  heart_subject_spec_init (&spec, 4, RUN_SEED, "average");
  spec.scenario = heart_scenario_load ("lab-stress-protocol", &error);
  g_assert_no_error (error);
  spec.start_offset_s = 60;
  subject = heart_subject_new (&spec, simulator, NULL, &error);
  g_assert_no_error (error);
  heart_subject_spec_clear (&spec);

  for (guint t = 0; t < 118; t++)
    heart_simulator_advance (simulator, 0.5);
  g_assert_null (heart_simulator_get_scenario (simulator));
  g_assert_cmpstr (heart_simulator_get_condition (simulator), ==, "");
  for (guint t = 0; t < 4; t++)
    heart_simulator_advance (simulator, 0.5);
  g_assert_nonnull (heart_simulator_get_scenario (simulator));
  g_assert_cmpstr (heart_simulator_get_condition (simulator), !=, "");
}

/* A profile that is no preset is refused, naming it */
static void
test_bad_profile (void)
{
  g_autoptr(GError) error = NULL;
  HeartSubjectSpec spec;
  g_autoptr(HeartSubject) subject = NULL;

  heart_subject_spec_init (&spec, 1, RUN_SEED, "sprinter");
  subject = heart_subject_new (&spec, NULL, NULL, &error);
  heart_subject_spec_clear (&spec);
  g_assert_null (subject);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "sprinter"));
}

/* ---- the server ----------------------------------------------------------- */

/* GET /subjects: every person with their heart rate and phase now */
static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *subjects;

  tick_all (f, 6);
  answer = get_json (f, "/subjects", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (answer, "count"), ==, N_SUBJECTS);
  subjects = json_object_get_array_member (json_node_get_object (answer), "subjects");
  g_assert_cmpuint (json_array_get_length (subjects), ==, N_SUBJECTS);
  for (guint i = 0; i < N_SUBJECTS; i++)
    {
      JsonNode *entry = json_array_get_element (subjects, i);
      HeartSubject *subject = heart_cohort_get_subject (f->cohort, i);
      const HeartSample *sample = heart_source_get_current_sample (heart_subject_get_source (subject));
      g_autofree char *path = g_strdup_printf ("/subjects/%u/", FIRST_ID + i);
      g_autofree char *name = NULL;
      guint id = 0;

      g_object_get (subject, "id", &id, "name", &name, NULL);
      g_assert_cmpuint (id, ==, FIRST_ID + i);
      g_assert_cmpint (test_json_int (entry, "id"), ==, id);
      g_assert_cmpstr (test_json_string (entry, "name"), ==, name);
      g_assert_cmpstr (test_json_string (entry, "profile"), ==, heart_subject_get_spec (subject)->profile);
      g_assert_cmpint (test_json_int (entry, "bpm"), ==, sample->bpm);
      g_assert_cmpint (test_json_int (entry, "seq"), ==, 6);
      g_assert_cmpstr (test_json_string (entry, "path"), ==, path);
      g_assert_true (json_object_has_member (json_node_get_object (entry), "phase"));
    }
}

/* The single-person paths are the first subject's; /subjects/{id}/… each
 * person's own */
static void
test_routing (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) plain = NULL, first = NULL, second = NULL, health = NULL, one = NULL;

  tick_all (f, 3);
  heart_simulator_advance (simulator_of (f, FIRST_ID + 1), 0.5);
  plain = get_json (f, "/heartbeat/current", SOUP_STATUS_OK);
  first = get_json (f, "/subjects/10/heartbeat/current", SOUP_STATUS_OK);
  second = get_json (f, "/subjects/11/heartbeat/current", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (plain, "seq"), ==, 3);
  g_assert_cmpint (test_json_int (first, "seq"), ==, 3);
  g_assert_cmpint (test_json_int (second, "seq"), ==, 4);
  g_assert_cmpint (test_json_int (second, "bpm"), ==,
                   heart_simulator_get_current_sample (simulator_of (f, FIRST_ID + 1))->bpm);
  g_assert_cmpint (test_json_int (second, "baseline_bpm"), ==,
                   heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID + 1)));

  health = get_json (f, "/subjects/12/health", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (health, "subject"), ==, 12);
  g_assert_cmpint (test_json_int (health, "subjects"), ==, N_SUBJECTS);
  g_assert_cmpint (test_json_int (health, "seq"), ==, 3);
  one = get_json (f, "/subjects/12", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (one, "id"), ==, 12);
  g_clear_pointer (&one, json_node_unref);
  one = get_json (f, "/subjects/12/", SOUP_STATUS_OK);
  g_assert_cmpint (test_json_int (one, "id"), ==, 12);
}

/* Anyone who is not a subject, and anything not served under one, is 404 */
static void
test_unknown (Fixture       *f,
              gconstpointer  data)
{
  static const char * const paths[] = {
    "/subjects/0/health", "/subjects/13/heartbeat/current", "/subjects/abc/health",
    "/subjects/-1/health", "/subjects/99999999999/health", "/subjects/011x/health",
    "/subjects/11/nothing", "/subjects/11/docs", "/subjects/11/openapi.json",
    "/subjects/11/subjects", "/subjects/11/web/index.html", "/subjects//health",
    "/subjects/11/asyncapi.json",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(TestReply) reply = test_request (f->session, "GET", f->port, paths[i], NULL);
      g_autoptr(JsonNode) body = test_reply_json (reply);

      g_test_message ("%s", paths[i]);
      g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_NOT_FOUND);
      g_assert_cmpstr (test_json_string (body, "detail"), ==, "Not Found");
    }
}

/* A command to one person changes that person only */
static void
test_commands (Fixture       *f,
               gconstpointer  data)
{
  guint before_first = heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID));
  guint before_third = heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID + 2));
  g_autoptr(TestReply) reply = test_request (f->session, "POST", f->port,
                                             "/subjects/11/simulation/set-baseline?baseline_bpm=97", NULL);
  g_autoptr(TestReply) stop = NULL, bad = NULL;

  g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID + 1)), ==, 97);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID)), ==, before_first);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID + 2)), ==, before_third);

  stop = test_request (f->session, "POST", f->port, "/subjects/12/simulation/stop", NULL);
  g_assert_cmpuint (test_reply_status (stop), ==, SOUP_STATUS_OK);
  g_assert_false (heart_simulator_get_running (simulator_of (f, FIRST_ID + 2)));
  g_assert_true (heart_source_get_running (HEART_SOURCE (f->source)));

  /* a bad value is refused and changes nothing */
  bad = test_request (f->session, "POST", f->port, "/subjects/11/simulation/set-baseline?baseline_bpm=900", NULL);
  g_assert_cmpuint (test_reply_status (bad), ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator_of (f, FIRST_ID + 1)), ==, 97);
}

/* One request starts or stops everyone, and says how many changed */
static void
test_everyone (Fixture       *f,
               gconstpointer  data)
{
  static const struct { const char *path; gboolean running; const char *status; guint changed; } steps[] = {
    { "/subjects/simulation/stop", FALSE, "stopped", N_SUBJECTS - 1 },
    { "/subjects/simulation/stop", FALSE, "already_stopped", 0 },
    { "/subjects/simulation/start", TRUE, "started", N_SUBJECTS },
    { "/subjects/simulation/start", TRUE, "already_running", 0 },
  };
  g_autoptr(TestReply) one = test_request (f->session, "POST", f->port, "/subjects/11/simulation/stop", NULL);

  g_assert_cmpuint (test_reply_status (one), ==, SOUP_STATUS_OK);
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(TestReply) reply = test_request (f->session, "POST", f->port, steps[i].path, NULL);
      g_autoptr(JsonNode) body = test_reply_json (reply);

      g_assert_cmpuint (test_reply_status (reply), ==, SOUP_STATUS_OK);
      g_assert_cmpstr (test_json_string (body, "status"), ==, steps[i].status);
      g_assert_cmpint (test_json_int (body, "subjects"), ==, N_SUBJECTS);
      g_assert_cmpint (test_json_int (body, "changed"), ==, steps[i].changed);
      g_assert_true (heart_source_get_running (HEART_SOURCE (f->source)) == steps[i].running);
      for (guint id = FIRST_ID; id < FIRST_ID + N_SUBJECTS; id++)
        g_assert_true (heart_simulator_get_running (simulator_of (f, id)) == steps[i].running);
    }

  /* a command, not a person's path: POST only, and not under a subject */
  {
    g_autoptr(TestReply) get = test_request (f->session, "GET", f->port, "/subjects/simulation/start", NULL);
    g_autoptr(TestReply) nested = test_request (f->session, "POST", f->port,
                                                "/subjects/11/subjects/simulation/stop", NULL);

    g_assert_cmpuint (test_reply_status (get), ==, SOUP_STATUS_METHOD_NOT_ALLOWED);
    g_assert_cmpuint (test_reply_status (nested), ==, SOUP_STATUS_NOT_FOUND);
    g_assert_true (heart_simulator_get_running (simulator_of (f, FIRST_ID + 1)));
  }
}

/* A subject's streams carry that subject's samples and values only */
static void
test_streams (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(TestWebsocket) samples = test_websocket_open (f->session, f->port, "/subjects/12/ws/heartbeat");
  g_autoptr(TestWebsocket) typed = test_websocket_open (f->session, f->port, "/subjects/11/ws/stream?types=heart_rate");
  g_autoptr(TestWebsocket) first = test_websocket_new (f->session, f->port);
  guint sse_status = 0;
  g_autofree char *content_type = NULL;
  TestSse *sse = NULL;

  heart_server_set_sse_interval_ms (f->server, 1);
  sse = test_sse_send (f->session, f->port, "/subjects/12/api/stream", NULL, &sse_status, &content_type);
  g_assert_cmpuint (sse_status, ==, SOUP_STATUS_OK);
  WAIT_FOR (samples->messages->len == 1 && typed->messages->len == 1 && first->messages->len == 1);
  WAIT_FOR (heart_server_get_sse_clients (f->server) == 1);

  /* subject 12 ticks five times, 11 twice, the first never */
  for (guint t = 1; t <= 5; t++)
    {
      g_autofree char *id = g_strdup_printf ("id: %u\n", t);

      heart_simulator_advance (simulator_of (f, FIRST_ID + 2), 0.5);
      WAIT_FOR (strstr (sse->text->str, id) != NULL);
    }
  for (guint t = 0; t < 2; t++)
    heart_simulator_advance (simulator_of (f, FIRST_ID + 1), 0.5);
  WAIT_FOR (samples->messages->len == 6 && typed->messages->len == 3);

  for (guint i = 1; i < samples->messages->len; i++)
    {
      g_autoptr(JsonNode) frame = test_parse_json (samples->messages->pdata[i]);

      g_assert_cmpint (test_json_int (frame, "seq"), ==, i);
    }
  for (guint i = 1; i < typed->messages->len; i++)
    {
      g_autoptr(JsonNode) frame = test_parse_json (typed->messages->pdata[i]);

      g_assert_cmpstr (test_json_string (frame, "type"), ==, "heart_rate");
    }
  /* the first subject made nothing, and its client got nothing */
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (first->messages->len, ==, 1);
  g_assert_cmpuint (samples->messages->len, ==, 6);
  test_sse_free (sse);
}

/* The rings of a subject beyond the first are the short ones, and the
 * history answers from its own */
static void
test_history (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonNode) health = NULL, first_health = NULL, history = NULL;
  JsonArray *samples;

  for (guint t = 0; t < 4; t++)
    heart_simulator_advance (simulator_of (f, FIRST_ID + 1), 0.5);
  health = get_json (f, "/subjects/11/health", SOUP_STATUS_OK);
  first_health = get_json (f, "/health", SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (health), "history"),
                                               "capacity"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_node_get_object (first_health),
                                                                              "history"), "capacity"),
                   ==, HEART_HISTORY_DEFAULT_CAPACITY);
  history = get_json (f, "/subjects/11/api/history?limit=10", SOUP_STATUS_OK);
  samples = json_object_get_array_member (json_node_get_object (history), "samples");
  g_assert_cmpuint (json_array_get_length (samples), ==, 4);
}

/* ---- headless ----------------------------------------------------------- */

/* `heartsim --headless --subjects 3 --subject-offset 5` serves ids 5–7 */
static void
test_headless (void)
{
  static const char * const args[] = { "--subjects", "3", "--subject-offset", "5", "--seed", "1", NULL };
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) reply = NULL;
  g_autoptr(JsonNode) answer = NULL;
  JsonArray *subjects;

  if (!test_headless_start (&headless, G_SUBPROCESS_FLAGS_NONE, test_headless_default_signals, NULL, args))
    return;
  reply = test_request (session, "GET", headless.port, "/subjects", NULL);
  answer = test_reply_json (reply);
  subjects = json_object_get_array_member (json_node_get_object (answer), "subjects");
  g_assert_cmpuint (json_array_get_length (subjects), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (test_json_int (json_array_get_element (subjects, i), "id"), ==, 5 + i);
  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited);
  g_assert_true (g_subprocess_get_if_exited (headless.process));
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  test_headless_clear (&headless);
}

/* `--cohort FILE` serves the people the file lists, as it names them */
static void
test_headless_cohort (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("HEARTSIM_SOURCE_DIR"), "data", "cohorts", "example.json", NULL);
  const char * const args[] = { "--cohort", path, "--seed", "1", NULL };
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) reply = NULL, current = NULL;
  g_autoptr(JsonNode) answer = NULL, sample = NULL;
  JsonArray *subjects;
  JsonNode *athlete;

  if (g_getenv ("HEARTSIM_SOURCE_DIR") == NULL)
    {
      g_test_skip ("HEARTSIM_SOURCE_DIR is not set");
      return;
    }
  if (!test_headless_start (&headless, G_SUBPROCESS_FLAGS_NONE, test_headless_default_signals, NULL, args))
    return;
  reply = test_request (session, "GET", headless.port, "/subjects", NULL);
  answer = test_reply_json (reply);
  subjects = json_object_get_array_member (json_node_get_object (answer), "subjects");
  g_assert_cmpuint (json_array_get_length (subjects), ==, 5);
  g_assert_cmpstr (test_json_string (json_array_get_element (subjects, 0), "name"), ==, "P01");
  g_assert_cmpint (test_json_int (json_array_get_element (subjects, 4), "id"), ==, 100);
  athlete = json_array_get_element (subjects, 1);
  g_assert_cmpstr (test_json_string (athlete, "profile"), ==, "athlete");
  g_assert_cmpstr (test_json_string (athlete, "scenario"), ==, "work-session");
  g_assert_cmpint (test_json_int (athlete, "id"), ==, 1);
  current = test_request (session, "GET", headless.port, "/subjects/1/heartbeat/current", NULL);
  sample = test_reply_json (current);
  g_assert_cmpint (test_json_int (sample, "baseline_bpm"), ==, 52);
  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited);
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  test_headless_clear (&headless);
}

/* A cohort file that is wrong is exit status 2, naming the file and the
 * field, before anything listens */
static void
test_headless_bad_cohort (void)
{
  g_autofree char *dir = g_dir_make_tmp ("heartsim-cohort-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "people.json", NULL);
  int status = 0;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (path, "[{\"profile\":\"athlete\"},{\"profile\":\"sprinter\"}]", -1, NULL));
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--cohort", path, NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "people.json"));
  g_assert_nonnull (strstr (err, "sprinter"));
  g_clear_pointer (&err, g_free);
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--cohort", path, "--subjects", "3", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "one or the other"));
  g_remove (path);
  g_rmdir (dir);
}

/* A bad count is exit status 2 with the reason */
static void
test_headless_bad_count (void)
{
  static const char * const counts[] = { "0", "100001", "-3" };

  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      int status = 0;
      g_autofree char *err = test_headless_run_to_exit (&status, "--headless", "--subjects", counts[i], NULL);

      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, "--subjects must be"));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/subjects/seed-independent-of-count", test_seed_independent_of_count);
  g_test_add_func ("/subjects/profiles-drawn", test_profiles_drawn);
  g_test_add_func ("/subjects/scenario-offset", test_scenario_offset);
  g_test_add_func ("/subjects/bad-profile", test_bad_profile);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/subjects/list", test_list);
  ADD ("/subjects/routing", test_routing);
  ADD ("/subjects/unknown", test_unknown);
  ADD ("/subjects/commands", test_commands);
  ADD ("/subjects/everyone", test_everyone);
  ADD ("/subjects/streams", test_streams);
  ADD ("/subjects/history", test_history);
#undef ADD
  g_test_add_func ("/subjects/headless", test_headless);
  g_test_add_func ("/subjects/headless-bad-count", test_headless_bad_count);
  g_test_add_func ("/subjects/headless-cohort", test_headless_cohort);
  g_test_add_func ("/subjects/headless-bad-cohort", test_headless_bad_cohort);

  return g_test_run ();
}
