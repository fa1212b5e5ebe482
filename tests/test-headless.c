/* test-headless.c: `heartsim --headless` run as a user runs it
 *
 * Spawns the built binary (HEARTSIM_BINARY), talks to it over loopback and
 * stops it with signals (docs/api.md, "Running headless").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <signal.h>

#include "test-headless-util.h"

/* As nohup(1) starts it */
static void
ignore_sighup (gpointer data)
{
  test_headless_default_signals (data);
  signal (SIGHUP, SIG_IGN);
}

/* On a free port, a sample every 50 ms, with @extra_option if any */
static gboolean
headless_start_full (TestHeadless          *headless,
                     GSubprocessFlags       flags,
                     GSpawnChildSetupFunc   child_setup,
                     const char            *extra_option)
{
  const char *args[] = { "--interval-ms", "50", extra_option, NULL };

  return test_headless_start (headless, flags, child_setup, NULL, args);
}

static gboolean
headless_start (TestHeadless *headless,
                const char   *extra_option)
{
  return headless_start_full (headless, G_SUBPROCESS_FLAGS_NONE, test_headless_default_signals, extra_option);
}

static void
test_serves_and_stops (void)
{
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) health = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(TestWebsocket) ws = NULL;
  gint64 signalled_us, took_us;

  if (!headless_start (&headless, NULL))
    return;

  health = test_request (session, SOUP_METHOD_GET, headless.port, "/health", NULL);
  g_assert_cmpuint (test_reply_status (health), ==, SOUP_STATUS_OK);
  body = test_reply_json (health);
  g_assert_cmpstr (test_json_string (body, "status"), ==, "healthy");
  /* seed 2's clients expect data without calling start */
  g_assert_cmpstr (test_json_string (body, "simulation_state"), ==, "running");

  ws = test_websocket_new (session, headless.port);
  WAIT_FOR (ws->messages->len >= 3);

  signalled_us = g_get_monotonic_time ();
  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited && ws->closed);
  took_us = g_get_monotonic_time () - signalled_us;
  g_test_message ("exited %.0f ms after SIGTERM", took_us / 1e3);

  g_assert_true (g_subprocess_get_if_exited (headless.process));
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  /* a close frame, not a dropped connection */
  g_assert_cmpuint (ws->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  /* docs/architecture.md asks for 200 ms; allow a loaded machine some slack */
  g_assert_cmpint (took_us, <, 2 * G_USEC_PER_SEC);
  g_clear_object (&headless.process);
}

static void
test_no_autostart (void)
{
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestReply) health = NULL;
  g_autoptr(JsonNode) body = NULL;

  if (!headless_start (&headless, "--no-autostart"))
    return;

  health = test_request (session, SOUP_METHOD_GET, headless.port, "/health", NULL);
  body = test_reply_json (health);
  g_assert_cmpstr (test_json_string (body, "simulation_state"), ==, "stopped");

  g_subprocess_send_signal (headless.process, SIGINT);
  WAIT_FOR (headless.exited);
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  g_clear_object (&headless.process);
}

/* A terminal that closes, or `kill -HUP`: the same clean exit as SIGTERM */
static void
test_sighup_stops (void)
{
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestWebsocket) ws = NULL;

  if (!headless_start (&headless, NULL))
    return;

  ws = test_websocket_new (session, headless.port);
  WAIT_FOR (ws->messages->len >= 2);

  g_subprocess_send_signal (headless.process, SIGHUP);
  WAIT_FOR (headless.exited && ws->closed);

  g_assert_true (g_subprocess_get_if_exited (headless.process));
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  g_assert_cmpuint (ws->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  test_headless_clear (&headless);
}

/* Started with SIGHUP ignored, as nohup(1) does, a hangup changes nothing */
static void
test_nohup_keeps_running (void)
{
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestWebsocket) ws = NULL;
  g_autofree char *status = NULL;
  guint received;

  if (!headless_start_full (&headless, G_SUBPROCESS_FLAGS_STDERR_PIPE, ignore_sighup, NULL))
    return;

  ws = test_websocket_new (session, headless.port);
  WAIT_FOR (ws->messages->len >= 2);

  /* the status line comes after the hangup was handled, had it been */
  g_subprocess_send_signal (headless.process, SIGHUP);
  g_subprocess_send_signal (headless.process, SIGUSR1);
  status = test_headless_read_err_line (&headless);
  g_assert_nonnull (status);

  /* a process that quit sends no new samples, only its close frame */
  received = ws->messages->len;
  WAIT_FOR (ws->messages->len >= received + 3 || ws->closed);
  g_assert_false (ws->closed);

  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited && ws->closed);
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  test_headless_clear (&headless);
}

/* SIGUSR1 prints one status line and the service carries on; SIGUSR2 and
 * SIGPIPE change nothing */
static void
test_status_signal (void)
{
  TestHeadless headless = { 0 };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(TestReply) health = NULL;
  g_autofree char *status = NULL;

  if (!headless_start_full (&headless, G_SUBPROCESS_FLAGS_STDERR_PIPE, test_headless_default_signals, NULL))
    return;

  ws = test_websocket_new (session, headless.port);
  WAIT_FOR (ws->messages->len >= 2);

  g_subprocess_send_signal (headless.process, SIGPIPE);
  g_subprocess_send_signal (headless.process, SIGUSR2);
  g_subprocess_send_signal (headless.process, SIGUSR1);
  status = test_headless_read_err_line (&headless);
  g_assert_nonnull (status);
  g_test_message ("%s", status);
  g_assert_true (g_str_has_prefix (status, "heartsim: simulation running, seq "));
  g_assert_nonnull (strstr (status, ", 1 client (1 WebSocket, 0 SSE), uptime "));
  g_assert_true (g_str_has_suffix (status, " s"));

  health = test_request (session, SOUP_METHOD_GET, headless.port, "/health", NULL);
  g_assert_cmpuint (test_reply_status (health), ==, SOUP_STATUS_OK);
  g_assert_false (headless.exited);
  g_assert_false (ws->closed);

  g_subprocess_send_signal (headless.process, SIGTERM);
  WAIT_FOR (headless.exited && ws->closed);
  g_assert_cmpint (g_subprocess_get_exit_status (headless.process), ==, 0);
  g_assert_cmpuint (ws->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
  test_headless_clear (&headless);
}

/* A token that could not be sent in a header is refused before listening.
 * The refusal does not depend on --bind, so the default loopback one is
 * enough here and no test listens beyond loopback. */
static void
test_bad_token (void)
{
  const char *tokens[] = { "", " ", "two words", "tab\there", "new\nline", "trailing ", "caf\xc3\xa9" };

  if (test_headless_binary () == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      int status = 0;
      g_autofree char *err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--token", tokens[i], NULL);
      g_autofree char *shown = g_strescape (tokens[i], NULL);

      g_test_message ("--token \"%s\": %s", shown, err);
      g_assert_cmpint (status, ==, 2);
      g_assert_true (g_str_has_prefix (err, "heartsim: --token must "));
      g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
      if (tokens[i][0] == '\0')
        g_assert_nonnull (strstr (err, "--token must not be empty"));
    }
}

static void
test_port_in_use (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) taken = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *port = NULL;
  g_autofree char *err = NULL;
  const char *path = test_headless_binary ();

  if (path == NULL)
    return;

  g_socket_listener_add_address (listener, any_port, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &taken, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (taken)));

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              path, "--headless", "--port", port, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);

  /* a distinct exit code and one clear line */
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 3);
  g_assert_nonnull (strstr (err, "already in use"));
  g_assert_nonnull (strstr (err, port));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
}

static void
test_bad_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  const char *path = test_headless_binary ();

  if (path == NULL)
    return;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              path, "--headless", "--interval-ms", "3", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);

  g_clear_object (&process);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              path, "--headless", "--port", "0", "--bind", "not-an-address", NULL);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/headless/serves-and-stops", test_serves_and_stops);
  g_test_add_func ("/headless/no-autostart", test_no_autostart);
  g_test_add_func ("/headless/sighup-stops", test_sighup_stops);
  g_test_add_func ("/headless/nohup-keeps-running", test_nohup_keeps_running);
  g_test_add_func ("/headless/status-signal", test_status_signal);
  g_test_add_func ("/headless/bad-token", test_bad_token);
  g_test_add_func ("/headless/port-in-use", test_port_in_use);
  g_test_add_func ("/headless/bad-option", test_bad_option);

  return g_test_run ();
}
