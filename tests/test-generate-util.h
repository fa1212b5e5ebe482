/* test-generate-util.h: run the built `heartsim generate` as a user does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

typedef struct
{
  int    status;
  char  *out;
  char  *err;
} Run;

static inline void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs the built heartsim with "generate" and the arguments after @run
 * (NULL-terminated) */
static inline void
generate (Run *run,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("HEARTSIM_BINARY");
  const char *arg;
  va_list args;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (char *) binary);
  g_ptr_array_add (argv, (char *) "generate");
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run->out, &run->err, &run->status, &error));
  g_assert_no_error (error);
}

static inline int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* The names in @folder, dot files (a temporary file) too, sorted and
 * joined by spaces: what a failed write left behind */
static inline char *
folder_listing (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* A test's own temporary folder, removed with what is in it (one level of
 * sub-folders: a run's output folder) */
typedef struct
{
  char *folder;
} Fixture;

static inline void
remove_tree (const char *path,
             guint       depth)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (depth > 0 && dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *inner = g_build_filename (path, name, NULL);

      remove_tree (inner, depth - 1);
    }
  g_rmdir (path);
}

static inline void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_dir_make_tmp ("heartsim-generate-XXXXXX", &error);
  g_assert_no_error (error);
}

static inline void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* a test may have taken the folder's write permission away */
  g_chmod (fixture->folder, 0700);
  remove_tree (fixture->folder, 2);
  g_free (fixture->folder);
}

/* "heartsim generate -q ARGS…" (@args NULL-terminated) with stderr piped;
 * @setup runs in the child */
static inline GSubprocess *
spawn_generate_args (GSpawnChildSetupFunc  setup,
                     const char * const   *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("HEARTSIM_BINARY");
  GSubprocess *process;

  g_assert_nonnull (binary);
  g_ptr_array_add (argv, (char *) binary);
  g_ptr_array_add (argv, (char *) "generate");
  g_ptr_array_add (argv, (char *) "-q");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (setup != NULL)
    g_subprocess_launcher_set_child_setup (launcher, setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* The same with the arguments as a NULL-terminated list */
G_GNUC_NULL_TERMINATED G_GNUC_UNUSED static GSubprocess *
spawn_generate (GSpawnChildSetupFunc   setup,
                const char            *first_arg,
                ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list list;

  va_start (list, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (list, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (list);
  g_ptr_array_add (args, NULL);
  return spawn_generate_args (setup, (const char * const *) args->pdata);
}

/* Waits for the exit and returns its stderr (not inlined: GCC 12 takes the
 * inlined out-parameter for a dangling pointer) */
G_GNUC_NO_INLINE G_GNUC_UNUSED static char *
finish (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;
  char *err = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  return err;
}

/* SIGTERM to a running generate: it dies of the signal and @folder is left
 * as it was before, empty */
static inline char *
terminate_leaving_nothing (GSubprocess *process,
                           const char  *folder)
{
  g_autofree char *listing = NULL;
  char *err;

  g_subprocess_send_signal (process, SIGTERM);
  err = finish (process);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGTERM);
  listing = folder_listing (folder);
  g_assert_cmpstr (listing, ==, "");
  return err;
}
