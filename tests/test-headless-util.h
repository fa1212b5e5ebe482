/* test-headless-util.h: `heartsim --headless` as a child of the test
 *
 * Started from the built binary (HEARTSIM_BINARY) on a free port read from
 * its banner, with the default signal actions whatever the test runner
 * ignores or blocks; its stderr read a line at a time without blocking the
 * test's main loop; or run to its end for its exit status and stderr.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <signal.h>
#include <stdarg.h>

#include "test-server-util.h"

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *err;       /* stderr, when started with G_SUBPROCESS_FLAGS_STDERR_PIPE */
  guint             port;
  gboolean          exited;
} TestHeadless;

/* The binary under test; the test is skipped without it */
static inline const char *
test_headless_binary (void)
{
  const char *path = g_getenv ("HEARTSIM_BINARY");

  if (path == NULL)
    g_test_skip ("HEARTSIM_BINARY is not set");
  return path;
}

/* A child setup: the default signal actions */
static inline void
test_headless_default_signals (gpointer data)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGHUP, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGUSR1, SIG_DFL);
  signal (SIGUSR2, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
  signal (SIGXFSZ, SIG_DFL);
}

static inline void
test_headless_on_exited (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  TestHeadless *headless = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  headless->exited = TRUE;
}

/* Starts `heartsim --headless --port 0 ARGS…` (@args NULL-terminated) and
 * reads its port from its banner. @flags: G_SUBPROCESS_FLAGS_STDERR_PIPE to
 * read its stderr; @child_setup: test_headless_default_signals, or one of
 * the test's own. FALSE when the test is skipped. */
static inline gboolean
test_headless_start (TestHeadless          *headless,
                     GSubprocessFlags       flags,
                     GSpawnChildSetupFunc   child_setup,
                     gpointer               child_setup_data,
                     const char * const    *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  const char *path = test_headless_binary ();
  const char *prefix;

  if (path == NULL)
    return FALSE;
  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, (char *) "--headless");
  g_ptr_array_add (argv, (char *) "--port");
  g_ptr_array_add (argv, (char *) "0");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, child_setup_data, NULL);
  headless->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (flags & G_SUBPROCESS_FLAGS_STDERR_PIPE)
    headless->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (headless->process));
  g_subprocess_wait_async (headless->process, NULL, test_headless_on_exited, headless);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (headless->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  prefix = strstr (line, "http://127.0.0.1:");
  g_assert_nonnull (prefix);
  headless->port = (guint) g_ascii_strtoull (prefix + strlen ("http://127.0.0.1:"), NULL, 10);
  g_assert_cmpuint (headless->port, >, 0);
  return TRUE;
}

static inline void
test_headless_clear (TestHeadless *headless)
{
  g_clear_object (&headless->err);
  g_clear_object (&headless->process);
}

typedef struct
{
  char     *line;
  gboolean  done;
} TestLineRead;

static inline void
test_headless_on_line_read (GObject      *source,
                            GAsyncResult *result,
                            gpointer      data)
{
  TestLineRead *read = data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  read->done = TRUE;
}

/* The next line on its stderr, NULL at the end; the main loop runs meanwhile */
static inline char *
test_headless_read_err_line (TestHeadless *headless)
{
  TestLineRead read = { 0 };

  g_data_input_stream_read_line_async (headless->err, G_PRIORITY_DEFAULT, NULL,
                                       test_headless_on_line_read, &read);
  WAIT_FOR (read.done);
  return read.line;
}

typedef struct
{
  char     *err;
  GError   *error;
  gboolean  done;
} TestCommunicated;

static inline void
test_headless_on_communicated (GObject      *source,
                               GAsyncResult *result,
                               gpointer      data)
{
  TestCommunicated *run = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &run->err, &run->error);
  run->done = TRUE;
}

static inline gboolean
test_headless_on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs `heartsim ARGS…` (NULL-terminated) to its end: its exit status and
 * stderr. One that starts serving instead of exiting is killed at
 * WAIT_TIMEOUT_US, failing the test. */
static inline char *
test_headless_run_to_exit (int        *status,
                           const char *first_arg,
                           ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  TestCommunicated run = { 0 };
  gboolean timed_out = FALSE;
  guint deadline_id;
  va_list args;

  g_ptr_array_add (argv, (char *) test_headless_binary ());
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, test_headless_on_communicated, &run);
  deadline_id = g_timeout_add (WAIT_TIMEOUT_US / 1000, test_headless_on_deadline, &timed_out);
  while (!run.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!run.done)
    {
      g_subprocess_force_exit (process);
      WAIT_FOR (run.done);
      g_error ("heartsim %s ... did not exit by itself", first_arg);
    }
  g_source_remove (deadline_id);
  g_assert_no_error (run.error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
  return run.err;
}
