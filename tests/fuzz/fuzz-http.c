/* fuzz-http.c: raw bytes as an HTTP/1.1 client of the real server
 *
 * A HeartServer (with a HeartSimulator on a manual clock and a HeartHistory)
 * listens on 127.0.0.1 on a free port, in this process. For each input the
 * harness connects, writes the input while the main context runs, and shuts
 * its end for writing; it reads the answers until the server closes or a
 * bounded number of iterations passes, then closes. The server accepts the
 * client on its own listener and hands it to libsoup as a stream
 * (heart-server-connections.c), as for any client, so the whole path is
 * fuzzed: accepting, limits, routing, validation, SSE and WebSocket
 * upgrades. A streaming client stays until the harness closes it.
 *
 * Connections must not pile up: the server closes each within a bounded
 * time after its client closes (at once, or after the linger of a refusal),
 * and a harness that finds more than MAX_OPEN still open waits for them to
 * go and crashes if they do not. The server listens on
 * loopback with a token, so cross-site POSTs need
 * "Authorization: Bearer fuzz-token" (in http.dict).
 *
 * FUZZ_HTTP_ECHO=1 copies the answers to stderr, to read a reproducer's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "heart-history.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "fuzz-common.h"

#define START_US         G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */
#define MAX_ITERATIONS   200    /* poll rounds per input while the request is answered */
#define MAX_WAIT_MS      50     /* and at most this long (a stalled request) */
#define MAX_OPEN         64     /* connections still open after their clients closed */
#define CLOSE_TIMEOUT_MS 3000   /* … at most this long (a refusal lingers 1 s) */

static HeartSimulator *simulator;
static HeartHistory   *history;
static HeartServer    *server;
static struct sockaddr_in server_address;
static gboolean        echo;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  fuzz_init_glib ();
  echo = g_strcmp0 (g_getenv ("FUZZ_HTTP_ECHO"), "1") == 0;

  simulator = heart_simulator_new_manual (42, START_US);
  history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (history, G_OBJECT (simulator));
  heart_simulator_set_running (simulator, TRUE);
  for (guint i = 0; i < 60; i++)   /* 30 s of history for /api/history */
    heart_simulator_advance (simulator, 0.5);
  heart_simulator_set_running (simulator, FALSE);

  server = heart_server_new (simulator, history);
  heart_server_set_port (server, 0);
  heart_server_set_token (server, "fuzz-token");
  heart_server_set_ping_interval_s (server, 0, 0);
  heart_server_set_sse_interval_ms (server, 1);
  if (!heart_server_start (server, &error))
    g_error ("cannot start the server: %s", error->message);

  server_address.sin_family = AF_INET;
  server_address.sin_port = g_htons ((guint16) heart_server_get_port (server));
  server_address.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  return 0;
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Reads what the server wrote; FALSE once it has closed its end */
static gboolean
read_answers (int fd)
{
  char buf[16 * 1024];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);

      if (n > 0)
        {
          if (echo)
            fwrite (buf, 1, (size_t) n, stderr);
          continue;
        }
      if (n == 0 || errno == ECONNRESET)
        return FALSE;
      if (errno == EINTR)
        continue;
      g_assert_true (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN);
      return TRUE;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gint64 deadline = g_get_monotonic_time () + MAX_WAIT_MS * 1000;
  size_t written = 0;
  gboolean open = TRUE, shut = FALSE;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  if (connect (fd, (struct sockaddr *) &server_address, sizeof server_address) != 0)
    g_assert_cmpint (errno, ==, EINPROGRESS);

  /* write the request while the server reads it, then end it */
  for (guint i = 0; i < MAX_ITERATIONS && open && g_get_monotonic_time () < deadline; i++)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };

      if (written < size)
        {
          ssize_t n = write (fd, data + written, size - written);

          if (n > 0)
            written += (size_t) n;
          else if (errno == EPIPE || errno == ECONNRESET)
            written = size;   /* refused mid-request */
          else
            g_assert_true (errno == EAGAIN || errno == EINTR || errno == ENOTCONN);
        }
      if (written == size && !shut)
        shut = shutdown (fd, SHUT_WR) == 0 || errno != ENOTCONN;

      iterate ();
      open = read_answers (fd);
      if (open && !g_main_context_pending (NULL))
        poll (&pfd, 1, 1);
    }

  /* the client goes away; the server must let go of the connection */
  close (fd);
  iterate ();
  if (heart_server_get_connection_count (server) > MAX_OPEN)
    {
      deadline = g_get_monotonic_time () + CLOSE_TIMEOUT_MS * 1000;
      while (heart_server_get_connection_count (server) > MAX_OPEN / 2)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("the server kept %u connections %d ms after their clients closed",
                     heart_server_get_connection_count (server), CLOSE_TIMEOUT_MS);
          g_usleep (1000);
          iterate ();
        }
    }

  /* the next input meets the same simulator */
  heart_simulator_set_running (simulator, FALSE);
  heart_simulator_set_baseline (simulator, HEART_BASELINE_DEFAULT, NULL);
  return 0;
}
