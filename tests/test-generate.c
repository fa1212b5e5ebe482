/* test-generate.c: `heartsim generate -o FILE` leaves the whole file or none
 *
 * Runs the built binary on a fresh folder and looks at what is left there
 * after a signal, a file size limit, an unwritable folder or a folder with
 * too little space (docs/datasets.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
# include <linux/capability.h>
# include <sys/prctl.h>
#endif

#include "heart-dataset.h"
#include "test-generate-util.h"

#define OLD_CONTENTS "precious\n"
#define DEADLINE_US (30 * G_USEC_PER_SEC)
#define POLL_US (10 * 1000)
#define FSIZE_LIMIT_BYTES (64 * 1024)
#define EXIT_NO_CAPABILITY_DROP 77


/* A file in @folder other than @except that holds data, or NULL */
static char *
find_grown_file (const char *folder,
                 const char *except)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      GStatBuf info;

      if (g_strcmp0 (name, except) != 0 && g_stat (path, &info) == 0 && info.st_size > 0)
        return g_strdup (name);
    }
  return NULL;
}

/* Exit status 1 and, unless @expected is NULL, exactly that on stderr */
static void
assert_failed_with (GSubprocess *process,
                    const char  *err,
                    const char  *expected)
{
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  if (expected != NULL)
    g_assert_cmpstr (err, ==, expected);
}

static void
assert_old_file_alone (const char *folder,
                       const char *target)
{
  g_autofree char *path = g_build_filename (folder, target, NULL);
  g_autofree char *listing = folder_listing (folder);
  g_autofree char *contents = NULL;

  g_assert_cmpstr (listing, ==, target);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, OLD_CONTENTS);
}

/* A year of data takes long enough to be interrupted: once the temporary
 * file holds data, the signal leaves no file but the old one */
static void
test_signal_leaves_old_file (Fixture       *fixture,
                             gconstpointer  data)
{
  int signum = GPOINTER_TO_INT (data);
  g_autofree char *target = g_build_filename (fixture->folder, "day.csv", NULL);
  g_autofree char *grown = NULL, *err = NULL;
  g_autoptr(GSubprocess) process = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  g_assert_true (g_file_set_contents (target, OLD_CONTENTS, -1, NULL));
  process = spawn_generate (NULL, "--duration", "366d", "--interval-ms", "5000", "--seed", "1", "-o", target, NULL);
  while ((grown = find_grown_file (fixture->folder, "day.csv")) == NULL
         && g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (POLL_US);
  g_assert_nonnull (grown);
  g_test_message ("signal %d while %s grows", signum, grown);

  g_subprocess_send_signal (process, signum);
  err = finish (process);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, signum);
  assert_old_file_alone (fixture->folder, "day.csv");
}

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { FSIZE_LIMIT_BYTES, FSIZE_LIMIT_BYTES };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* Past RLIMIT_FSIZE: one line naming the file, exit 1, nothing left, both
 * when the file is new and when it replaces one */
static void
test_file_size_limit (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *names[] = { "new.csv", "day.csv" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *target = g_build_filename (fixture->folder, names[i], NULL);
      g_autofree char *expected = g_strdup_printf ("heartsim generate: cannot write %s: %s\n",
                                                   target, g_strerror (EFBIG));
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL, *listing = NULL;

      if (i == 1)
        g_assert_true (g_file_set_contents (target, OLD_CONTENTS, -1, NULL));
      process = spawn_generate (limit_file_size, "--duration", "2h", "--seed", "1", "-o", target, NULL);
      err = finish (process);
      assert_failed_with (process, err, expected);
      listing = folder_listing (fixture->folder);
      if (i == 0)
        g_assert_cmpstr (listing, ==, "");
      else
        assert_old_file_alone (fixture->folder, "day.csv");
    }
}

static void
assert_cannot_write (const char           *path,
                     int                   errsv,
                     GSpawnChildSetupFunc  setup)
{
  g_autofree char *expected = g_strdup_printf ("heartsim generate: cannot write %s: %s\n",
                                               path, g_strerror (errsv));
  g_autoptr(GSubprocess) process = spawn_generate (setup, "--duration", "1m", "-o", path, NULL);
  g_autofree char *err = finish (process);

  if (g_subprocess_get_if_exited (process)
      && g_subprocess_get_exit_status (process) == EXIT_NO_CAPABILITY_DROP)
    {
      g_test_skip ("running as root and cannot give up CAP_DAC_OVERRIDE");
      return;
    }
  assert_failed_with (process, err, expected);
}

/* Root writes into a read-only folder unless it gives up CAP_DAC_OVERRIDE;
 * dropped from the bounding set, it is gone after exec too */
static void
drop_dac_override (gpointer data)
{
  if (geteuid () != 0)
    return;
#ifdef __linux__
  if (prctl (PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) == 0)
    return;
#endif
  _exit (EXIT_NO_CAPABILITY_DROP);
}

static void
test_unwritable (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->folder, "missing", "day.csv", NULL);
  g_autofree char *target = g_build_filename (fixture->folder, "day.csv", NULL);
  g_autofree char *listing = NULL;

  assert_cannot_write (missing, ENOENT, NULL);
  assert_cannot_write (fixture->folder, EISDIR, NULL);
  g_assert_cmpint (g_chmod (fixture->folder, 0555), ==, 0);
  assert_cannot_write (target, EACCES, drop_dac_override);
  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "");
}

/* As the message has it: g_format_size() with a plain space */
static char *
format_size (guint64 bytes)
{
  g_autofree char *size = g_format_size (bytes);
  GString *text = g_string_new (size);

  g_string_replace (text, "\u00a0", " ", 0);
  return g_string_free (text, FALSE);
}

static guint64
free_bytes (const char *folder)
{
  struct statvfs info;

  g_assert_cmpint (statvfs (folder, &info), ==, 0);
  return (guint64) info.f_bavail * info.f_frsize;
}

/* 366 days at 100 Hz: billions of rows, far more than the folder holds;
 * refused before any file is made. A file appearing means the run started
 * writing: it is stopped at once rather than left to fill the disk. */
static void
test_too_little_space (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *target = g_build_filename (fixture->folder, "year.csv", NULL);
  g_autofree char *err = NULL, *listing = NULL, *needed = NULL, *expected = NULL;
  g_autoptr(GSubprocess) process = NULL;
  HeartDatasetOptions options;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  guint64 available = free_bytes (fixture->folder);

  heart_dataset_options_init (&options);
  options.duration_s = 366 * 86400.0;
  options.interval_ms = 10;
  g_test_message ("%" G_GUINT64_FORMAT " bytes free, at least %" G_GUINT64_FORMAT " needed",
                  available, heart_dataset_estimate_bytes (&options));
  if (heart_dataset_estimate_bytes (&options) <= available)
    {
      g_test_skip ("the temporary folder has room for a year at 100 Hz");
      return;
    }

  process = spawn_generate (NULL, "--duration", "366d", "--interval-ms", "10", "-o", target, NULL);
  while (g_subprocess_get_identifier (process) != NULL && g_get_monotonic_time () < deadline
         && *(listing = folder_listing (fixture->folder)) == '\0')
    {
      g_clear_pointer (&listing, g_free);
      g_usleep (POLL_US);
    }
  if (g_subprocess_get_identifier (process) != NULL)
    g_subprocess_force_exit (process);
  err = finish (process);
  g_assert_cmpstr (listing, ==, NULL);
  needed = format_size (heart_dataset_estimate_bytes (&options));
  expected = g_strdup_printf ("heartsim generate: not enough space in %s for %s: it needs at least %s, ",
                              fixture->folder, target, needed);
  /* the free space is the child's reading: others may write meanwhile */
  assert_failed_with (process, NULL, NULL);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_true (g_str_has_suffix (err, " are free\n"));
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "");
}

/* A success leaves one file, with the mode a new file gets (0666 less the
 * umask, as g_file_replace() gives); a link stays a link */
static void
test_success (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *target = g_build_filename (fixture->folder, "day.csv", NULL);
  g_autofree char *link = g_build_filename (fixture->folder, "latest.csv", NULL);
  g_autofree char *listing = NULL, *contents = NULL;
  mode_t mask = umask (022);
  GStatBuf info;

  umask (mask);
  g_assert_true (g_file_set_contents (target, OLD_CONTENTS, -1, NULL));
  g_assert_cmpint (g_chmod (target, 0600), ==, 0);
  g_assert_cmpint (symlink ("day.csv", link), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GSubprocess) process = spawn_generate (NULL, "--duration", "1m", "-o", i == 0 ? target : link, NULL);
      g_autofree char *err = finish (process);

      g_assert_true (g_subprocess_get_successful (process));
      g_assert_cmpstr (err, ==, "");
    }
  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "day.csv latest.csv");
  g_assert_cmpint (g_lstat (link, &info), ==, 0);
  g_assert_true (S_ISLNK (info.st_mode));
  g_assert_cmpint (g_stat (target, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0666 & ~mask);
  g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "timestamp,"));
}

/* /dev/null is written in place: replacing it with a file would be a disaster */
static void
test_device (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GSubprocess) process = spawn_generate (NULL, "--duration", "1m", "-o", "/dev/null", NULL);
  g_autofree char *err = finish (process);
  GStatBuf info;

  g_assert_true (g_subprocess_get_successful (process));
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (g_stat ("/dev/null", &info), ==, 0);
  g_assert_true (S_ISCHR (info.st_mode));
}

static void
add_test (const char    *path,
          gconstpointer  data,
          void         (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, data, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_test ("/generate/sigint-leaves-old-file", GINT_TO_POINTER (SIGINT), test_signal_leaves_old_file);
  add_test ("/generate/sigterm-leaves-old-file", GINT_TO_POINTER (SIGTERM), test_signal_leaves_old_file);
  add_test ("/generate/sighup-leaves-old-file", GINT_TO_POINTER (SIGHUP), test_signal_leaves_old_file);
  add_test ("/generate/file-size-limit", NULL, test_file_size_limit);
  add_test ("/generate/unwritable", NULL, test_unwritable);
  add_test ("/generate/too-little-space", NULL, test_too_little_space);
  add_test ("/generate/success", NULL, test_success);
  add_test ("/generate/device-in-place", NULL, test_device);
  return g_test_run ();
}
