/* heart-generate-cohort.c: one dataset a subject, --jobs threads at a time
 *
 * Everything is checked before anything is made: the folder, and every
 * subject's file names. The files go into a temporary folder `.NAME.XXXXXX`
 * beside -o, each through a HeartOutputFile; manifest.json last; then the
 * folder is renamed into place. A failed or interrupted run removes the
 * temporary folder, so -o is the whole new cohort or what was there
 * before (docs/datasets.md, "Cohorts").
 *
 * Threads take the next subject from a shared counter. A subject's data
 * depends on its spec and the options alone: each has its own simulator,
 * and nothing in the dataset path is shared but the read-only options and
 * scenarios. EDFlib keeps its open files in a table of its own, so EDF
 * files are written one at a time.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are held in every thread and taken
 * by the main thread with sigtimedwait() between progress updates; it then
 * removes the temporary folder and dies of the signal. Threads make or
 * remove a name in the folder only under names_lock, and not once the
 * run is cancelled, so the removal sees every name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* renameat2 */
#include "config.h"

#include "heart-generate-cohort.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "heart-cohort-file.h"
#include "heart-duration.h"
#include "heart-output-file.h"
#include "heart-profile.h"
#include "heart-waveform-files.h"

#define EXIT_USAGE 2
#define MANIFEST_NAME "manifest.json"
#define MANIFEST_GENERATOR "heartsim generate"
#define PROGRESS_BAR_WIDTH 40
#define WAIT_NS (100 * 1000 * 1000)
/* a name another thread makes while the folder is being removed */
#define REMOVE_TRIES 10

typedef struct
{
  const HeartGenerateCohort *cohort;
  char      *temp;          /* the temporary folder */
  GPtrArray *files;         /* a GStrv of file names a subject */
  gint       next;          /* the next subject to take */
  gint       done;          /* subjects written */
  gint       failed;
  GMutex     names_lock;
  gboolean   cancelled;     /* under names_lock */
  GMutex     edf_lock;
  GMutex     error_lock;
  GError    *error;         /* the first failure, under error_lock */
} Run;

static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static const char *
format_extension (HeartDatasetFormat format)
{
  switch (format)
    {
    case HEART_DATASET_CSV:
      return ".csv";
    case HEART_DATASET_HEALTHKIT:
      return ".xml";
    case HEART_DATASET_EDF:
      return ".edf";
    case HEART_DATASET_WFDB:
      return "";
    case HEART_DATASET_JSONL:
    case HEART_DATASET_OPENMHEALTH:
    default:
      return ".jsonl";
    }
}

/* The subject's dataset options: the run's, with who they are */
static void
subject_options (const HeartGenerateCohort *cohort,
                 const HeartSubjectSpec    *spec,
                 HeartDatasetOptions       *options)
{
  const HeartProfile *profile = heart_profile_lookup (spec->profile != NULL ? spec->profile : "average");

  g_assert (profile != NULL);
  *options = *cohort->options;
  options->seed = spec->seed;
  /* as generate --profile has it (heart-generate.c) */
  options->profile = profile->name;
  options->baseline_bpm = spec->baseline_bpm != 0 ? spec->baseline_bpm : (guint) profile->rest_bpm;
  if (!cohort->stress_given)
    options->stress_level = profile->tonic_stress;
  if (!cohort->events_given)
    options->events_per_hour = profile->events_per_hour;
  if (spec->scenario != NULL)
    {
      options->scenario = spec->scenario;
      options->repeat = spec->repeat;
      options->scenario_start_s = spec->start_offset_s;
    }
}

/* The subject's files in @folder, in the order they are renamed into place */
static GStrv
subject_paths (const HeartGenerateCohort *cohort,
               const HeartSubjectSpec    *spec,
               const char                *folder,
               GError                   **error)
{
  g_autofree char *name = heart_subject_spec_dup_name (spec);
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  HeartDatasetOptions options;

  /* a WFDB record's name is letters, digits and underscores */
  if (cohort->options->format == HEART_DATASET_WFDB)
    g_strdelimit (name, "-", '_');
  file = g_strconcat (name, format_extension (cohort->options->format), NULL);
  path = g_build_filename (folder, file, NULL);
  if (cohort->options->kind != HEART_DATASET_WAVEFORMS)
    return g_strdupv ((char *[]) { path, NULL });
  subject_options (cohort, spec, &options);
  return heart_waveform_files_names (&options, path, error);
}

/* Every subject's file names, checked to be different before anything is
 * written; NULL with a usage error otherwise */
static GPtrArray *
plan_files (const HeartGenerateCohort  *cohort,
            GError                    **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GHashTable) owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < cohort->specs->len; i++)
    {
      const HeartSubjectSpec *spec = g_ptr_array_index (cohort->specs, i);
      GStrv paths = subject_paths (cohort, spec, ".", error);

      if (paths == NULL)
        return NULL;
      for (guint f = 0; paths[f] != NULL; f++)
        {
          char *base = g_path_get_basename (paths[f]);
          gpointer owner;

          g_free (paths[f]);
          paths[f] = base;
          if (g_hash_table_lookup_extended (owners, base, NULL, &owner))
            {
              heart_option_error (error, "subjects %u and %u would both write %s",
                                  GPOINTER_TO_UINT (owner), spec->id, base);
              g_strfreev (paths);
              return NULL;
            }
          g_hash_table_insert (owners, g_strdup (base), GUINT_TO_POINTER (spec->id));
        }
      g_ptr_array_add (files, paths);
    }
  return g_steal_pointer (&files);
}

/* ---- the folder --------------------------------------------------------- */

/* The files an earlier run's manifest.json in @folder lists, with it, or
 * NULL when it has none or it is not ours */
static GHashTable *
earlier_run_files (const char *folder)
{
  g_autofree char *path = g_build_filename (folder, MANIFEST_NAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonObject *root;
  JsonArray *subjects;

  if (!json_parser_load_from_file (parser, path, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "generator", ""), MANIFEST_GENERATOR) != 0
      || !json_object_has_member (root, "subjects")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "subjects")))
    return NULL;
  subjects = json_object_get_array_member (root, "subjects");
  for (guint i = 0; i < json_array_get_length (subjects); i++)
    {
      JsonNode *node = json_array_get_element (subjects, i);
      JsonArray *names;

      if (!JSON_NODE_HOLDS_OBJECT (node) || !json_object_has_member (json_node_get_object (node), "files")
          || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (node), "files")))
        return NULL;
      names = json_object_get_array_member (json_node_get_object (node), "files");
      for (guint f = 0; f < json_array_get_length (names); f++)
        {
          const char *name = json_node_get_string (json_array_get_element (names, f));

          if (name == NULL || strchr (name, '/') != NULL)
            return NULL;
          g_hash_table_add (files, g_strdup (name));
        }
    }
  g_hash_table_add (files, g_strdup (MANIFEST_NAME));
  return g_steal_pointer (&files);
}

/* -o may be missing (it is made), an empty folder, or an earlier run's
 * folder holding only what its manifest lists (it is replaced whole);
 * anything else is refused, so that no file of the user's is lost */
static gboolean
check_folder (const char  *folder,
              GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GHashTable) ours = NULL;
  g_autoptr(GError) dir_error = NULL;
  const char *name;

  if (!g_file_test (folder, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    return heart_option_error (error, "--output: %s is not a folder; with several subjects -o names a folder", folder);
  dir = g_dir_open (folder, 0, &dir_error);
  if (dir == NULL)
    return heart_option_error (error, "--output: %s", dir_error->message);
  ours = earlier_run_files (folder);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (ours == NULL || !g_hash_table_contains (ours, name))
      return heart_option_error (error, "--output: %s holds %s, which is no file of an earlier heartsim run's "
                                 "manifest.json: give an empty or new folder", folder, name);
  return TRUE;
}

/* Removes @folder and the files in it: the temporary folder, or an
 * earlier run's whose names check_folder() vetted */
static void
remove_folder (const char *folder)
{
  for (guint attempt = 0; attempt < REMOVE_TRIES; attempt++)
    {
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);

          g_unlink (path);
        }
      if (g_rmdir (folder) == 0 || errno == ENOENT)
        return;
    }
}

static gboolean
set_errno_error (GError    **error,
                 const char *what,
                 const char *path,
                 int         errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot %s %s: %s", what, path, g_strerror (errsv));
  return FALSE;
}

/* The temporary folder becomes -o: renamed over a missing or empty one, or
 * swapped with an earlier run's, which is then removed */
static gboolean
put_in_place (const char  *temp,
              const char  *folder,
              GError     **error)
{
  int dir_fd;

  /* the new entries reach the disk before the name does */
  if ((dir_fd = open (temp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  if (rename (temp, folder) == 0)
    return TRUE;
  if (errno != ENOTEMPTY && errno != EEXIST)
    return set_errno_error (error, "write", folder, errno);
  if (renameat2 (AT_FDCWD, temp, AT_FDCWD, folder, RENAME_EXCHANGE) != 0)
    {
      g_autofree char *aside = g_strconcat (temp, ".old", NULL);

      /* no atomic exchange on this file system: two renames */
      if (rename (folder, aside) != 0)
        return set_errno_error (error, "replace", folder, errno);
      if (rename (temp, folder) != 0)
        {
          int errsv = errno;

          rename (aside, folder);
          return set_errno_error (error, "replace", folder, errsv);
        }
      remove_folder (aside);
      return TRUE;
    }
  remove_folder (temp);
  return TRUE;
}

/* ---- the threads -------------------------------------------------------- */

static void
run_fail (Run    *run,
          GError *error)
{
  g_mutex_lock (&run->error_lock);
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&run->error_lock);
  g_atomic_int_set (&run->failed, 1);
}

/* Opens or commits @outs under names_lock, unless the run is cancelled */
static gboolean
open_outputs (Run              *run,
              const char * const *paths,
              HeartOutputFile **outs,
              GError          **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&run->names_lock);
  for (guint i = 0; ok && paths[i] != NULL; i++)
    {
      ok = !run->cancelled && (outs[i] = heart_output_file_new (paths[i], error)) != NULL;
      if (run->cancelled)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted");
    }
  g_mutex_unlock (&run->names_lock);
  return ok;
}

static gboolean
commit_outputs (Run              *run,
                HeartOutputFile **outs,
                guint             n,
                gboolean          ok,
                GError          **error)
{
  g_mutex_lock (&run->names_lock);
  for (guint i = 0; i < n && outs[i] != NULL; i++)
    {
      if (ok && !run->cancelled)
        ok = heart_output_file_commit (outs[i], error);
      else
        g_output_stream_close (G_OUTPUT_STREAM (outs[i]), NULL, NULL);
      g_clear_object (&outs[i]);
    }
  g_mutex_unlock (&run->names_lock);
  return ok;
}

static gboolean
write_subject (Run     *run,
               guint    index,
               GError **error)
{
  const HeartSubjectSpec *spec = g_ptr_array_index (run->cohort->specs, index);
  const char * const *files = g_ptr_array_index (run->files, index);
  guint n = g_strv_length ((char **) files);
  g_autofree HeartOutputFile **outs = g_new0 (HeartOutputFile *, n + 1);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  HeartDatasetOptions options;
  gboolean edf = run->cohort->options->format == HEART_DATASET_EDF;
  gboolean ok;

  subject_options (run->cohort, spec, &options);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (paths, g_build_filename (run->temp, files[i], NULL));
  g_ptr_array_add (paths, NULL);
  ok = open_outputs (run, (const char * const *) paths->pdata, outs, error);
  if (ok && edf)
    g_mutex_lock (&run->edf_lock);
  if (ok && options.kind == HEART_DATASET_WAVEFORMS)
    ok = heart_waveform_files_write (&options, (const char * const *) paths->pdata,
                                     (GOutputStream * const *) outs, NULL, NULL, error);
  else if (ok)
    ok = heart_dataset_write (&options, G_OUTPUT_STREAM (outs[0]), NULL, NULL, error);
  if (outs[0] != NULL && edf)
    g_mutex_unlock (&run->edf_lock);
  return commit_outputs (run, outs, n, ok, ok ? error : NULL);
}

static gpointer
worker (gpointer data)
{
  Run *run = data;
  guint n = run->cohort->specs->len;
  guint index;

  while (!g_atomic_int_get (&run->failed) && (index = (guint) g_atomic_int_add (&run->next, 1)) < n)
    {
      GError *error = NULL;

      if (!write_subject (run, index, &error))
        {
          run_fail (run, error);
          break;
        }
      g_atomic_int_inc (&run->done);
    }
  return NULL;
}

/* ---- the manifest ------------------------------------------------------- */

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* Seeds as strings: a 64-bit seed is beyond what JSON numbers keep exact
 * in most readers (a cohort file takes them so too) */
static void
add_seed (JsonBuilder *builder,
          guint64      seed)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, seed);

  json_builder_set_member_name (builder, "seed");
  json_builder_add_string_value (builder, text);
}

static void
add_subject (JsonBuilder               *builder,
             const HeartGenerateCohort *cohort,
             const HeartSubjectSpec    *spec,
             const char * const        *files)
{
  g_autofree char *name = heart_subject_spec_dup_name (spec);
  HeartDatasetOptions options;

  subject_options (cohort, spec, &options);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, spec->id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "profile");
  json_builder_add_string_value (builder, options.profile);
  add_seed (builder, spec->seed);
  json_builder_set_member_name (builder, "baseline_bpm");
  json_builder_add_int_value (builder, options.baseline_bpm);
  add_string_or_null (builder, "scenario", spec->scenario != NULL ? spec->scenario_name
                                           : options.scenario != NULL ? heart_scenario_get_name (options.scenario)
                                           : NULL);
  json_builder_set_member_name (builder, "repeat");
  json_builder_add_boolean_value (builder, options.scenario != NULL && options.repeat);
  json_builder_set_member_name (builder, "start_offset_s");
  json_builder_add_double_value (builder, options.scenario_start_s);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; files[i] != NULL; i++)
    json_builder_add_string_value (builder, files[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static char *
manifest_json (const Run *run)
{
  const HeartGenerateCohort *cohort = run->cohort;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (cohort->options->start_time_us / G_USEC_PER_SEC);
  g_autofree char *start_text = g_date_time_format_iso8601 (start);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "generator");
  json_builder_add_string_value (builder, MANIFEST_GENERATOR);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "arguments");
  json_builder_begin_array (builder);
  for (guint i = 0; cohort->arguments[i] != NULL; i++)
    json_builder_add_string_value (builder, cohort->arguments[i]);
  json_builder_end_array (builder);
  add_seed (builder, cohort->options->seed);
  json_builder_set_member_name (builder, "start");
  json_builder_add_string_value (builder, start_text);
  json_builder_set_member_name (builder, "duration_s");
  json_builder_add_double_value (builder, cohort->options->duration_s);
  json_builder_set_member_name (builder, "subjects");
  json_builder_begin_array (builder);
  for (guint i = 0; i < cohort->specs->len; i++)
    add_subject (builder, cohort, g_ptr_array_index (cohort->specs, i), g_ptr_array_index (run->files, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static gboolean
write_manifest (Run     *run,
                GError **error)
{
  g_autofree char *path = g_build_filename (run->temp, MANIFEST_NAME, NULL);
  g_autofree char *json = manifest_json (run);
  g_autoptr(HeartOutputFile) out = NULL;
  HeartOutputFile *outs[2] = { NULL, NULL };
  gboolean ok;

  if (!open_outputs (run, (const char * const []) { path, NULL }, outs, error))
    return FALSE;
  out = g_object_ref (outs[0]);
  ok = g_output_stream_write_all (G_OUTPUT_STREAM (out), json, strlen (json), NULL, NULL, error)
       && g_output_stream_write_all (G_OUTPUT_STREAM (out), "\n", 1, NULL, NULL, error);
  return commit_outputs (run, outs, 1, ok, ok ? error : NULL);
}

/* ---- the main thread ---------------------------------------------------- */

/* The cleanup signals that are not ignored (nohup, a background job) */
static void
held_signals (sigset_t *set)
{
  struct sigaction old;

  sigemptyset (set);
  for (guint i = 0; i < G_N_ELEMENTS (cleanup_signals); i++)
    if (sigaction (cleanup_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaddset (set, cleanup_signals[i]);
}

static void
draw_progress (guint done,
               guint total)
{
  char bar[PROGRESS_BAR_WIDTH + 1];
  guint filled = (guint) ((guint64) done * PROGRESS_BAR_WIDTH / total);

  for (guint i = 0; i < PROGRESS_BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[PROGRESS_BAR_WIDTH] = '\0';
  g_printerr ("\r[%s] %u/%u subjects%s", bar, done, total, done == total ? "\n" : "");
}

/* Dies of @signum once the temporary folder is gone */
G_GNUC_NORETURN static void
die_of_signal (Run *run,
               int  signum)
{
  sigset_t one;

  g_mutex_lock (&run->names_lock);
  run->cancelled = TRUE;
  g_mutex_unlock (&run->names_lock);
  remove_folder (run->temp);
  signal (signum, SIG_DFL);
  sigemptyset (&one);
  sigaddset (&one, signum);
  /* blocked, the signal waits for the unblocking, and then ends us */
  kill (getpid (), signum);
  pthread_sigmask (SIG_UNBLOCK, &one, NULL);
  _exit (128 + signum);
}

/* Waits for the threads, drawing the progress and taking a signal */
static void
wait_for_workers (Run            *run,
                  const sigset_t *signals)
{
  guint total = run->cohort->specs->len, shown = G_MAXUINT;
  struct timespec wait = { 0, WAIT_NS };

  for (;;)
    {
      guint done = (guint) g_atomic_int_get (&run->done);
      int signum;

      if (run->cohort->show_progress && done != shown)
        draw_progress (shown = done, total);
      if (done == total || g_atomic_int_get (&run->failed))
        return;
      signum = sigtimedwait (signals, NULL, &wait);
      if (signum > 0)
        die_of_signal (run, signum);
    }
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->files, g_ptr_array_unref);
  g_clear_pointer (&run->temp, g_free);
  g_clear_error (&run->error);
  g_mutex_clear (&run->names_lock);
  g_mutex_clear (&run->edf_lock);
  g_mutex_clear (&run->error_lock);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* The message names the file in -o, not in the temporary folder */
static int
report_failure (const Run *run,
                GError    *error)
{
  g_autoptr(GString) message = g_string_new (error->message);

  g_string_replace (message, run->temp, run->cohort->folder, 0);
  g_printerr ("%sheartsim generate: %s\n", run->cohort->show_progress ? "\n" : "", message->str);
  return EXIT_FAILURE;
}

static gboolean
make_temp_folder (Run     *run,
                  GError **error)
{
  g_autofree char *parent = g_path_get_dirname (run->cohort->folder);
  g_autofree char *base = g_path_get_basename (run->cohort->folder);
  g_autofree char *template = NULL;
  guint64 needed = 0;
  mode_t mask;

  template = g_strdup_printf ("%s/.%s.XXXXXX", parent, base);
  if (g_mkdtemp (template) == NULL)
    return set_errno_error (error, "write", run->cohort->folder, errno);
  run->temp = g_steal_pointer (&template);
  /* the mode mkdir would give, not mkdtemp's 0700; before any thread runs,
   * as umask() is the process's */
  mask = umask (0);
  umask (mask);
  g_chmod (run->temp, 0777 & ~mask);
  /* the fewest bytes of all the subjects together (docs/datasets.md, "Free space") */
  for (guint i = 0; i < run->cohort->specs->len; i++)
    {
      HeartDatasetOptions options;

      subject_options (run->cohort, g_ptr_array_index (run->cohort->specs, i), &options);
      needed += options.kind == HEART_DATASET_WAVEFORMS ? heart_waveform_files_estimate_bytes (&options)
                                                         : heart_dataset_estimate_bytes (&options);
    }
  {
    g_autofree char *probe = g_build_filename (run->temp, MANIFEST_NAME, NULL);

    return heart_output_file_check_space (probe, needed, error);
  }
}

int
heart_generate_cohort_run (const HeartGenerateCohort *cohort)
{
  g_auto(Run) run = { .cohort = cohort };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint jobs = MIN (cohort->jobs, cohort->specs->len);
  sigset_t signals, saved;

  g_mutex_init (&run.names_lock);
  g_mutex_init (&run.edf_lock);
  g_mutex_init (&run.error_lock);
  if ((run.files = plan_files (cohort, &error)) == NULL || !check_folder (cohort->folder, &error))
    {
      g_assert (error != NULL);
      g_printerr ("heartsim generate: %s\n", error->message);
      return EXIT_USAGE;
    }
  /* past RLIMIT_FSIZE a write fails with EFBIG instead of killing us */
  signal (SIGXFSZ, SIG_IGN);
  held_signals (&signals);
  pthread_sigmask (SIG_BLOCK, &signals, &saved);
  if (!make_temp_folder (&run, &error))
    {
      if (run.temp != NULL)
        remove_folder (run.temp);
      else
        run.temp = g_strdup (cohort->folder);
      return report_failure (&run, error);
    }
  for (guint i = 0; i < jobs; i++)
    g_ptr_array_add (threads, g_thread_new ("generate", worker, &run));
  wait_for_workers (&run, &signals);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  if (run.error == NULL && !write_manifest (&run, &run.error))
    g_assert (run.error != NULL);
  if (run.error == NULL && !put_in_place (run.temp, cohort->folder, &run.error))
    g_assert (run.error != NULL);
  if (run.error != NULL)
    {
      remove_folder (run.temp);
      return report_failure (&run, run.error);
    }
  pthread_sigmask (SIG_SETMASK, &saved, NULL);
  return EXIT_SUCCESS;
}
