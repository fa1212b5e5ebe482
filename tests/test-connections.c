/* test-connections.c: the server's connections, against raw socket clients
 *
 * What docs/api.md promises under "Connections", "Cross-site requests" and
 * the refusals of "Conventions": descriptors do not leak whatever the client
 * does, idle and slow clients are closed and streams are not, a full server
 * answers 503, the listener survives running out of descriptors, refused
 * bodies are never read, WebSocket messages are capped across fragments,
 * cross-site writes are refused and encoded NULs in a query are too.
 *
 * The server runs in this thread; each client is plain POSIX sockets in a
 * thread of its own (blocking, with socket timeouts), while this thread
 * iterates the main context until the client is done, with a deadline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "heart-history.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */

/* Every blocking client call gives up after this: a server that never
 * answers fails the test instead of hanging it */
#define CLIENT_TIMEOUT_S 5

#define MIB (1024 * 1024)
/* What the server may grow by while refusing what would cost it 100 MB.
 * Under AddressSanitizer (the sanitizer run sets HEARTSIM_TEST_SLOWDOWN)
 * freed memory waits in its quarantine and stays resident: a margin that
 * scales with the run, still far below the bodies it must not read. */
#define RSS_MARGIN ((gsize) 10 * MIB * test_slowdown ())

/* Iterate until @cond, failing after @timeout_us */
#define WAIT_UNTIL(cond, timeout_us) \
  G_STMT_START { \
    gint64 until_deadline_ = g_get_monotonic_time () + (timeout_us); \
    guint until_wake_id_ = g_timeout_add (5, test_keep_waking, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > until_deadline_) \
          g_error ("timed out after %d ms waiting for: %s", (int) ((timeout_us) / 1000), #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (until_wake_id_); \
  } G_STMT_END

/* ---- fixture ------------------------------------------------------------- */

typedef struct
{
  HeartSimulator *simulator;
  HeartHistory   *history;
  HeartServer    *server;
  guint           port;
} Fixture;

static void
fixture_start (Fixture        *f,
               HeartSimulator *simulator)
{
  g_autoptr(GError) error = NULL;

  f->simulator = simulator;
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->simulator));
  f->server = heart_server_new (f->simulator, f->history);
  heart_server_set_port (f->server, 0);
  heart_server_start (f->server, &error);
  g_assert_no_error (error);
  f->port = heart_server_get_port (f->server);
  g_assert_cmpuint (f->port, >, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_start (f, heart_simulator_new_manual (42, START_US));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  heart_simulator_stop (f->simulator);
  heart_server_stop (f->server);
  heart_server_wait_closed (f->server, 1000);
  g_clear_object (&f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- client threads ------------------------------------------------------ */

typedef struct
{
  GThread     *thread;
  GThreadFunc  func;
  gpointer     data;
  gpointer     result;
  gint         done;
} Client;

static gpointer
client_main (gpointer data)
{
  Client *client = data;

  client->result = client->func (client->data);
  g_atomic_int_set (&client->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static Client *
client_start (GThreadFunc func,
              gpointer    data)
{
  Client *client = g_new0 (Client, 1);

  client->func = func;
  client->data = data;
  client->thread = g_thread_new ("client", client_main, client);
  return client;
}

static gboolean
client_done (Client *client)
{
  return g_atomic_int_get (&client->done) != 0;
}

/* Serve until the client is done; returns what its function returned */
static gpointer
client_finish (Client *client,
               gint64  timeout_us)
{
  gpointer result;

  WAIT_UNTIL (client_done (client), timeout_us);
  g_thread_join (client->thread);
  result = client->result;
  g_free (client);
  return result;
}

static gpointer
client_run (GThreadFunc func,
            gpointer    data,
            gint64      timeout_us)
{
  return client_finish (client_start (func, data), timeout_us);
}

/* ---- raw sockets --------------------------------------------------------- */

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* @source 0: the kernel's choice (127.0.0.1); n: 127.0.0.(1+n), port
 * chosen at connect() so that each source address has the whole range */
static int
client_socket (guint source)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct timeval timeout = { CLIENT_TIMEOUT_S, 0 };

  g_assert_cmpint (fd, >=, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (source > 0)
    {
      struct sockaddr_in address = { .sin_family = AF_INET };
      int one = 1;

      address.sin_addr.s_addr = htonl (INADDR_LOOPBACK + source);
      g_assert_cmpint (setsockopt (fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one), ==, 0);
      g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
    }
  return fd;
}

static int
client_connect (int   fd,
                guint port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port) };

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return connect (fd, (struct sockaddr *) &address, sizeof address);
}

static int
client_open (guint port)
{
  int fd = client_socket (0);

  if (client_connect (fd, port) != 0)
    g_error ("connect to port %u: %s", port, g_strerror (errno));
  return fd;
}

/* FALSE when the connection ended (or the send timed out) */
static gboolean
send_all (int         fd,
          const void *data,
          gsize       size)
{
  const char *p = data;

  while (size > 0)
    {
      gssize n = send (fd, p, size, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
send_text (int         fd,
           const char *text)
{
  return send_all (fd, text, strlen (text));
}

/* An abortive close: the server gets a reset instead of an end of stream */
static void
close_with_reset (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

/* TRUE when the server ends the connection (end of stream or reset) within
 * @timeout_ms; whatever else arrives meanwhile is discarded */
static gboolean
wait_closed (int   fd,
             guint timeout_ms)
{
  gint64 deadline = now_ms () + timeout_ms;
  char buffer[16384];

  for (;;)
    {
      gint64 left = deadline - now_ms ();
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      gssize n;

      if (left <= 0)
        return FALSE;
      if (poll (&poll_fd, 1, (int) left) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return TRUE;
    }
}

/* ---- HTTP responses ------------------------------------------------------ */

typedef struct
{
  guint    status;     /* 0: none came */
  GString *head;       /* status line and headers */
  GString *body;
  gboolean ended;      /* the connection ended before a whole response came */
} Response;

static void
response_free (Response *response)
{
  g_string_free (response->head, TRUE);
  g_string_free (response->body, TRUE);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* The value of header @name, or NULL */
static char *
response_header (Response   *response,
                 const char *name)
{
  g_auto(GStrv) lines = g_strsplit (response->head->str, "\r\n", -1);
  gsize length = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strstrip (g_strdup (lines[i] + length + 1));
  return NULL;
}

/* Parses what is in @in; TRUE once a whole response (headers and a
 * Content-Length body; a 101 or a stream has headers only) is there */
static gboolean
response_parse (Response *response,
                GString  *in)
{
  const char *end = strstr (in->str, "\r\n\r\n");
  g_autofree char *length = NULL;
  gsize head_size, body_size = 0;

  if (end == NULL)
    return FALSE;
  head_size = end - in->str + 4;
  g_string_truncate (response->head, 0);
  g_string_append_len (response->head, in->str, head_size - 2);
  if (sscanf (in->str, "HTTP/1.%*d %u", &response->status) != 1)
    response->status = 0;
  length = response_header (response, "Content-Length");
  if (length != NULL)
    body_size = g_ascii_strtoull (length, NULL, 10);
  if (in->len < head_size + body_size)
    return FALSE;
  g_string_truncate (response->body, 0);
  g_string_append_len (response->body, in->str + head_size, body_size);
  g_string_erase (in, 0, head_size + body_size);
  return TRUE;
}

static Response *
response_new (void)
{
  Response *response = g_new0 (Response, 1);

  response->head = g_string_new (NULL);
  response->body = g_string_new (NULL);
  return response;
}

/* Reads one response (blocking, bounded by the socket's timeout) */
static Response *
read_response (int fd)
{
  Response *response = response_new ();
  g_autoptr(GString) in = g_string_new (NULL);
  char buffer[16384];

  while (!response_parse (response, in))
    {
      gssize n = recv (fd, buffer, sizeof buffer, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          response->ended = TRUE;
          break;
        }
      g_string_append_len (in, buffer, n);
    }
  return response;
}

typedef struct
{
  guint  port;
  char  *request;
} Exchange;

static gpointer
exchange_thread (gpointer data)
{
  Exchange *exchange = data;
  int fd = client_open (exchange->port);
  Response *response;

  g_assert_true (send_text (fd, exchange->request));
  response = read_response (fd);
  close (fd);
  return response;
}

/* One request on a new connection; @format makes the whole request text */
G_GNUC_PRINTF (2, 3)
static Response *
http (Fixture    *f,
      const char *format,
      ...)
{
  Exchange exchange = { f->port, NULL };
  Response *response;
  va_list args;

  va_start (args, format);
  exchange.request = g_strdup_vprintf (format, args);
  va_end (args);
  response = client_run (exchange_thread, &exchange, 10 * G_USEC_PER_SEC);
  g_free (exchange.request);
  return response;
}

static JsonNode *
response_json (Response *response)
{
  return test_parse_json (response->body->str);
}

static JsonObject *
health_connections (Fixture *f)
{
  g_autoptr(Response) health = http (f, "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", f->port);
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpuint (health->status, ==, SOUP_STATUS_OK);
  node = response_json (health);
  return json_object_ref (json_object_get_object_member (json_node_get_object (node), "connections"));
}

/* ---- the process --------------------------------------------------------- */

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint count = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

static int
highest_fd (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  int highest = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    highest = MAX (highest, atoi (name));
  return highest;
}

static gsize
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL));
  g_assert_cmpint (sscanf (text, "%lu %lu", &size, &resident), ==, 2);
  return (gsize) resident * sysconf (_SC_PAGESIZE);
}

static guint
read_sysctl (const char *path,
             guint       fallback)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return fallback;
  return (guint) g_ascii_strtoull (text, NULL, 10);
}

/* "Cannot accept a connection" lines, by level */
static gint accept_failed_messages;
static gint accept_failed_other;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
        strstr (fields[i].value, "Cannot accept a connection") != NULL)
      {
        if ((level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_MESSAGE)
          g_atomic_int_inc (&accept_failed_messages);
        else
          g_atomic_int_inc (&accept_failed_other);
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

/* ---- 1. descriptors stay flat -------------------------------------------- */

typedef enum {
  CLOSE_AFTER_READING,     /* keep-alive, closed by the client: what libsoup 3.2 leaked */
  CONNECTION_CLOSE,
  RESET_AFTER_READING,
  CLOSE_WITHOUT_READING,
  HALF_CLOSE_THEN_READ,
  N_BEHAVIOURS
} Behaviour;

typedef struct
{
  guint  port;
  guint  count;
  guint  sources;          /* source addresses to rotate through; 0: 127.0.0.1 */
  guint  done;
  char  *failure;
} Churn;

static gpointer
churn_thread (gpointer data)
{
  Churn *churn = data;
  g_autofree char *keep_alive = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                                 churn->port);
  g_autofree char *close_request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                                    "Connection: close\r\n\r\n", churn->port);

  for (guint i = 0; i < churn->count && churn->failure == NULL; i++)
    {
      Behaviour behaviour = i % N_BEHAVIOURS;
      int fd = client_socket (churn->sources > 0 ? 1 + i % churn->sources : 0);
      g_autoptr(Response) response = NULL;

      if (client_connect (fd, churn->port) != 0)
        {
          churn->failure = g_strdup_printf ("connection %u: connect: %s", i, g_strerror (errno));
          close (fd);
          break;
        }
      if (!send_text (fd, behaviour == CONNECTION_CLOSE ? close_request : keep_alive))
        churn->failure = g_strdup_printf ("connection %u: send: %s", i, g_strerror (errno));
      else if (behaviour == CLOSE_WITHOUT_READING)
        ;
      else
        {
          if (behaviour == HALF_CLOSE_THEN_READ)
            shutdown (fd, SHUT_WR);
          response = read_response (fd);
          if (response->status != SOUP_STATUS_OK)
            churn->failure = g_strdup_printf ("connection %u (behaviour %d): status %u%s", i, behaviour,
                                              response->status, response->ended ? ", connection ended" : "");
        }
      if (behaviour == RESET_AFTER_READING)
        close_with_reset (fd);
      else
        close (fd);
      churn->done++;
    }
  return NULL;
}

static void
churn (Fixture *f,
       guint    count,
       guint    sources)
{
  Churn churn = { f->port, count, sources, 0, NULL };

  client_run (churn_thread, &churn, 240 * G_USEC_PER_SEC);
  if (churn.failure != NULL)
    g_error ("after %u connections: %s", churn.done, churn.failure);
  g_assert_cmpuint (churn.done, ==, count);
}

/* 50,000 connections, each closed its own way: not one descriptor more
 * after them. HEARTSIM_TEST_CONNECTIONS sets another number (a run under
 * valgrind, say). */
static void
test_fd_count_flat (Fixture       *f,
                    gconstpointer  data)
{
  const char *env = g_getenv ("HEARTSIM_TEST_CONNECTIONS");
  guint count = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 50000;
  guint tw_reuse = read_sysctl ("/proc/sys/net/ipv4/tcp_tw_reuse", 0);
  g_autofree char *range = NULL;
  guint low = 32768, high = 60999, ports, sources = 0;
  guint baseline, fds, wake_id;
  gint64 start_us, deadline;
  g_autoptr(Response) after = NULL;

  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_local_port_range", &range, NULL, NULL))
    sscanf (range, "%u %u", &low, &high);
  ports = high - low + 1;
  /* The two behaviours where the client closes first (closing after
   * reading, and the half close) leave its port in TIME_WAIT for 60 s;
   * tcp_tw_reuse lets connect() take such a port again only after a
   * second. When they would hold more than half of the range, spread the
   * clients over more loopback source addresses, each with the whole range
   * (which also leaves 127.0.0.1's ports to the tests that follow). */
  if (count * 2 / N_BEHAVIOURS > ports / 2 || (tw_reuse == 0 && count * 2 / N_BEHAVIOURS > ports / 4))
    sources = 8;
  g_test_message ("%u connections; ports %u-%u, tcp_tw_reuse %u: %s", count, low, high, tw_reuse,
                  sources ? "from 127.0.0.2-127.0.0.9" : "from 127.0.0.1");

  /* warm up: whatever GLib and libsoup open once is open by now */
  churn (f, 100 * N_BEHAVIOURS, sources);
  WAIT_UNTIL (heart_server_get_connection_count (f->server) == 0, 10 * G_USEC_PER_SEC);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  baseline = count_fds ();

  start_us = g_get_monotonic_time ();
  churn (f, count, sources);
  g_test_message ("%u connections in %.1f s", count, (g_get_monotonic_time () - start_us) / 1e6);

  WAIT_UNTIL (heart_server_get_connection_count (f->server) == 0, 10 * G_USEC_PER_SEC);
  /* a socket is closed by the time it leaves the count; a bounded while
   * for anything libsoup lets go of later, then the figure must match */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  wake_id = g_timeout_add (5, test_keep_waking, NULL);
  while ((fds = count_fds ()) > baseline && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
  g_assert_cmpuint (fds, ==, baseline);

  after = http (f, "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", f->port);
  g_assert_cmpuint (after->status, ==, SOUP_STATUS_OK);
}

/* ---- 2. idle and slow clients are closed, streams are not ---------------- */

#define SHORT_TIMEOUT_MS 400
#define CLOSED_WITHIN_MS 2000
/* streams must outlive three timeouts */
#define STREAM_WATCH_MS  (3 * SHORT_TIMEOUT_MS + 300)

typedef struct
{
  guint    port;
  gint64   elapsed_ms;   /* until the server closed; -1: it did not */
  gint64   open_ms;      /* streams: how long they were watched */
  gsize    bytes_late;   /* streams: received after three timeouts */
  guint    status;
  gboolean ended;        /* the connection ended before the answer */
} Timed;

/* A keep-alive client that pauses (less than the idle timeout) between two
 * requests, then stays idle */
static gpointer
idle_thread (gpointer data)
{
  Timed *timed = data;
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", timed->port);
  int fd = client_open (timed->port);
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) second = NULL;
  gint64 sent_ms;

  g_assert_true (send_text (fd, request));
  first = read_response (fd);
  g_assert_cmpuint (first->status, ==, SOUP_STATUS_OK);
  /* a client's think time, half the idle timeout: not closed meanwhile */
  g_usleep (SHORT_TIMEOUT_MS / 2 * 1000);
  sent_ms = now_ms ();
  g_assert_true (send_text (fd, request));
  second = read_response (fd);
  timed->status = second->status;
  timed->ended = second->ended;
  timed->elapsed_ms = wait_closed (fd, 3 * CLOSED_WITHIN_MS) ? now_ms () - sent_ms : -1;
  close (fd);
  return NULL;
}

/* Slowloris: the request line, then a header line every 100 ms, never done */
static gpointer
slowloris_thread (gpointer data)
{
  Timed *timed = data;
  gint64 start_ms = now_ms ();
  int fd = client_open (timed->port);

  timed->elapsed_ms = -1;
  g_assert_true (send_text (fd, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  for (guint i = 0; i < 3 * CLOSED_WITHIN_MS / 100; i++)
    {
      g_autofree char *line = g_strdup_printf ("X-Slow-%u: 1\r\n", i);

      if (wait_closed (fd, 100) || !send_text (fd, line))
        {
          timed->elapsed_ms = now_ms () - start_ms;
          break;
        }
    }
  close (fd);
  return NULL;
}

/* Connects and sends nothing */
static gpointer
silent_thread (gpointer data)
{
  Timed *timed = data;
  gint64 start_ms = now_ms ();
  int fd = client_open (timed->port);

  timed->elapsed_ms = wait_closed (fd, 3 * CLOSED_WITHIN_MS) ? now_ms () - start_ms : -1;
  close (fd);
  return NULL;
}

static const char websocket_handshake[] =
  "GET /ws/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

/* Reads a stream for STREAM_WATCH_MS: how much came after three timeouts,
 * and whether it ended */
static void
watch_stream (int    fd,
              Timed *timed)
{
  gint64 start_ms = now_ms ();
  char buffer[16384];

  timed->elapsed_ms = -1;
  while (now_ms () - start_ms < STREAM_WATCH_MS)
    {
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      gssize n;

      if (poll (&poll_fd, 1, 50) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        {
          timed->elapsed_ms = now_ms () - start_ms;
          break;
        }
      if (now_ms () - start_ms > 3 * SHORT_TIMEOUT_MS)
        timed->bytes_late += n;
    }
  timed->open_ms = now_ms () - start_ms;
}

static gpointer
sse_thread (gpointer data)
{
  Timed *timed = data;
  int fd = client_open (timed->port);
  g_autoptr(Response) response = NULL;

  g_assert_true (send_text (fd, "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  response = read_response (fd);
  timed->status = response->status;
  watch_stream (fd, timed);
  close (fd);
  return NULL;
}

static gpointer
websocket_thread (gpointer data)
{
  Timed *timed = data;
  int fd = client_open (timed->port);
  g_autoptr(Response) response = NULL;

  g_assert_true (send_text (fd, websocket_handshake));
  response = read_response (fd);
  timed->status = response->status;
  watch_stream (fd, timed);
  close (fd);
  return NULL;
}

static void
test_timeouts (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  Timed idle = { 0 }, slowloris = { 0 }, silent = { 0 }, sse = { 0 }, websocket = { 0 };
  Client *clients[5];

  /* streams with data flowing: a live simulator at 20 Hz */
  fixture_start (f, heart_simulator_new (7));
  heart_simulator_set_interval_ms (f->simulator, 50, NULL);
  heart_server_set_sse_interval_ms (f->server, 20);
  heart_simulator_start (f->simulator);
  heart_server_set_connection_limits (f->server, 0, SHORT_TIMEOUT_MS, SHORT_TIMEOUT_MS, 0);

  idle.port = slowloris.port = silent.port = sse.port = websocket.port = f->port;
  clients[0] = client_start (sse_thread, &sse);
  clients[1] = client_start (websocket_thread, &websocket);
  clients[2] = client_start (idle_thread, &idle);
  clients[3] = client_start (slowloris_thread, &slowloris);
  clients[4] = client_start (silent_thread, &silent);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    client_finish (clients[i], 20 * G_USEC_PER_SEC);

  g_test_message ("closed after: idle %" G_GINT64_FORMAT " ms, slowloris %" G_GINT64_FORMAT
                  " ms, silent %" G_GINT64_FORMAT " ms", idle.elapsed_ms, slowloris.elapsed_ms, silent.elapsed_ms);
  /* kept alive (a second request is answered on it) until the idle
   * timeout, closed soon after it */
  g_assert_cmpuint (idle.status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (idle.elapsed_ms, >=, SHORT_TIMEOUT_MS);
  g_assert_cmpint (idle.elapsed_ms, <, CLOSED_WITHIN_MS);
  /* the request timeout counts from the connection's opening */
  g_assert_cmpint (slowloris.elapsed_ms, >=, SHORT_TIMEOUT_MS);
  g_assert_cmpint (slowloris.elapsed_ms, <, CLOSED_WITHIN_MS);
  g_assert_cmpint (silent.elapsed_ms, >=, SHORT_TIMEOUT_MS);
  g_assert_cmpint (silent.elapsed_ms, <, CLOSED_WITHIN_MS);

  /* streams are exempt, and still get data after three timeouts */
  g_assert_cmpuint (sse.status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (sse.elapsed_ms, ==, -1);
  g_assert_cmpint (sse.open_ms, >=, STREAM_WATCH_MS);
  g_assert_cmpuint (sse.bytes_late, >, 0);
  g_assert_cmpuint (websocket.status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  g_assert_cmpint (websocket.elapsed_ms, ==, -1);
  g_assert_cmpint (websocket.open_ms, >=, STREAM_WATCH_MS);
  g_assert_cmpuint (websocket.bytes_late, >, 0);

  fixture_teardown (f, NULL);
}

/* ---- 3. a full server answers 503 ---------------------------------------- */

#define CAP 5

typedef struct
{
  guint     port;
  int       held[CAP];
  guint     held_status[CAP];
  Response *refused;
  gboolean  refused_closed;
} Cap;

static gpointer
cap_thread (gpointer data)
{
  Cap *cap = data;
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", cap->port);
  int extra;

  /* the connections that stay open by design: streams */
  for (guint i = 0; i < CAP; i++)
    {
      g_autoptr(Response) response = NULL;

      cap->held[i] = client_open (cap->port);
      g_assert_true (send_text (cap->held[i], i % 2 ? websocket_handshake
                                                    : "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      response = read_response (cap->held[i]);
      cap->held_status[i] = response->status;
    }

  extra = client_open (cap->port);
  /* the server may close before it reads this: a reset is fine */
  send_text (extra, request);
  cap->refused = read_response (extra);
  cap->refused_closed = cap->refused->ended || wait_closed (extra, CLOSED_WITHIN_MS);
  close (extra);
  return NULL;
}

static void
test_cap (Fixture       *f,
          gconstpointer  data)
{
  Cap cap = { f->port };
  g_autoptr(JsonNode) detail = NULL;
  g_autoptr(JsonObject) connections = NULL;
  g_autofree char *retry_after = NULL;

  heart_server_set_connection_limits (f->server, CAP, 0, 0, 0);
  /* an SSE stream sees its client gone when it writes: a keep-alive
   * comment every 15 intervals */
  heart_server_set_sse_interval_ms (f->server, 20);
  client_run (cap_thread, &cap, 30 * G_USEC_PER_SEC);

  for (guint i = 0; i < CAP; i++)
    g_assert_cmpuint (cap.held_status[i], ==, i % 2 ? SOUP_STATUS_SWITCHING_PROTOCOLS : SOUP_STATUS_OK);
  g_assert_cmpuint (cap.refused->status, ==, SOUP_STATUS_SERVICE_UNAVAILABLE);
  detail = response_json (cap.refused);
  g_assert_cmpstr (test_json_string (detail, "detail"), ==, "Too many connections");
  retry_after = response_header (cap.refused, "Retry-After");
  g_assert_cmpstr (retry_after, ==, "1");
  g_assert_true (cap.refused_closed);
  g_assert_cmpuint (heart_server_get_connection_count (f->server), ==, CAP);
  g_clear_pointer (&cap.refused, response_free);

  /* room again once the held ones are gone */
  for (guint i = 0; i < CAP; i++)
    close (cap.held[i]);
  WAIT_UNTIL (heart_server_get_connection_count (f->server) == 0, 10 * G_USEC_PER_SEC);
  connections = health_connections (f);
  g_assert_cmpint (json_object_get_int_member (connections, "refused"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (connections, "open"), ==, 1);
}

/* ---- 4. the listener survives running out of descriptors ----------------- */

#define STARVED_CLIENTS 8

static gboolean
all_answered (int      *fds,
              GString **in,
              guint    *answered)
{
  guint count = 0;

  for (guint i = 0; i < STARVED_CLIENTS; i++)
    {
      char buffer[4096];
      gssize n;
      g_autoptr(Response) response = response_new ();

      while ((n = recv (fds[i], buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
        g_string_append_len (in[i], buffer, n);
      if (strstr (in[i]->str, "\r\n\r\n") != NULL)
        {
          g_autoptr(GString) copy = g_string_new (in[i]->str);

          if (response_parse (response, copy) && response->status == SOUP_STATUS_OK)
            count++;
        }
    }
  *answered = count;
  return count == STARVED_CLIENTS;
}

static void
test_emfile (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", f->port);
  g_autoptr(GArray) fillers = g_array_new (FALSE, FALSE, sizeof (int));
  int fds[STARVED_CLIENTS];
  GString *in[STARVED_CLIENTS];
  struct rlimit saved, lowered;
  guint answered = 0, wake_id;
  gint64 deadline;
  int null_fd;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  /* the sockets exist before the table is full: only the server's accept()
   * needs a new descriptor */
  for (guint i = 0; i < STARVED_CLIENTS; i++)
    {
      fds[i] = client_socket (0);
      in[i] = g_string_new (NULL);
    }
  null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (null_fd, >=, 0);

  lowered = saved;
  lowered.rlim_cur = highest_fd () + 1 + 32;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &lowered), ==, 0);
  for (;;)
    {
      int fd = dup (null_fd);

      if (fd < 0)
        {
          g_assert_cmpint (errno, ==, EMFILE);
          break;
        }
      g_array_append_val (fillers, fd);
    }

  /* connect() needs no descriptor: the kernel completes it on the backlog */
  for (guint i = 0; i < STARVED_CLIENTS; i++)
    {
      g_assert_cmpint (client_connect (fds[i], f->port), ==, 0);
      g_assert_true (send_text (fds[i], request));
    }
  /* the server says when accept() fails; a server that does not is given
   * a bounded while to try, and fails below by not answering */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  wake_id = g_timeout_add (5, test_keep_waking, NULL);
  while (g_atomic_int_get (&accept_failed_messages) + g_atomic_int_get (&accept_failed_other) == 0 &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
  all_answered (fds, in, &answered);
  g_assert_cmpuint (answered, ==, 0);

  /* descriptors free again: the server accepts by itself */
  for (guint i = 0; i < fillers->len; i++)
    close (g_array_index (fillers, int, i));
  WAIT_UNTIL (all_answered (fds, in, &answered), 10 * G_USEC_PER_SEC);
  g_assert_cmpint (g_atomic_int_get (&accept_failed_messages), >, 0);
  /* an expected overload, not a programming error: a message, not a warning */
  g_assert_cmpint (g_atomic_int_get (&accept_failed_other), ==, 0);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);

  for (guint i = 0; i < STARVED_CLIENTS; i++)
    {
      close (fds[i]);
      g_string_free (in[i], TRUE);
    }
  close (null_fd);
}

/* ---- 5. bodies are refused before they are read -------------------------- */

#define STREAM_BYTES (100 * MIB)

typedef struct
{
  guint     port;
  gint      stop;
  gint      measuring;   /* worst_us counts from then on */
  gint64    worst_us;
  gint      probes;
  guint     connections;
  guint     failures;
} Probe;

/* The server ended the connection (or is about to: its end is in) */
static gboolean
peer_closed (int fd)
{
  struct pollfd poll_fd = { fd, POLLIN, 0 };

  return poll (&poll_fd, 1, 0) > 0;
}

/* /health again and again on one kept-alive connection: the worst wait. A
 * connection the server ends is opened again, as a browser does, and that
 * counts in the wait. */
static gpointer
probe_thread (gpointer data)
{
  Probe *probe = data;
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", probe->port);
  int fd = -1;

  while (!g_atomic_int_get (&probe->stop))
    {
      gint64 start_us = g_get_monotonic_time ();
      g_autoptr(Response) response = NULL;

      for (guint attempt = 0; attempt < 2 && response == NULL; attempt++)
        {
          if (fd >= 0 && peer_closed (fd))
            {
              close (fd);
              fd = -1;
            }
          if (fd < 0)
            {
              fd = client_open (probe->port);
              probe->connections++;
            }
          if (send_text (fd, request))
            response = read_response (fd);
          if (response == NULL || response->ended)
            {
              /* it closed as we sent: once more on a new connection */
              g_clear_pointer (&response, response_free);
              close (fd);
              fd = -1;
            }
        }
      if (response == NULL || response->status != SOUP_STATUS_OK)
        {
          probe->failures++;
          break;
        }
      if (g_atomic_int_get (&probe->measuring))
        probe->worst_us = MAX (probe->worst_us, g_get_monotonic_time () - start_us);
      g_atomic_int_inc (&probe->probes);
      /* a probe a millisecond is plenty to see a stall */
      g_usleep (1000);
    }
  if (fd >= 0)
    close (fd);
  return NULL;
}

typedef struct
{
  const char *name;
  const char *headers;     /* after the request line and Host */
  gboolean    chunked;     /* the body: chunks without end, or plain bytes */
  guint       expected;
} Attack;

static const Attack attacks[] = {
  { "Content-Length: -1", "Content-Length: -1\r\n", FALSE, SOUP_STATUS_BAD_REQUEST },
  { "Content-Length past 2^64", "Content-Length: 18446744073709551616\r\n", FALSE, SOUP_STATUS_BAD_REQUEST },
  { "Content-Length: 99999999999", "Content-Length: 99999999999\r\n", FALSE, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE },
  { "endless chunks", "Transfer-Encoding: chunked\r\n", TRUE, SOUP_STATUS_LENGTH_REQUIRED },
};

typedef struct
{
  guint    port;
  guint    status[G_N_ELEMENTS (attacks)];
  gboolean closed[G_N_ELEMENTS (attacks)];
  gsize    sent[G_N_ELEMENTS (attacks)];
} Attacker;

/* An attacker does not stop at the answer: it sends the body as fast as the
 * socket takes it, up to STREAM_BYTES, reading what comes, until the server
 * cuts the connection. TRUE when the server ended it (its end of stream, or
 * a reset). */
static gboolean
attack_body (int       fd,
             gboolean  chunked,
             GString  *in,
             gsize    *sent)
{
  static char block[65536];
  gint64 deadline = now_ms () + 10 * 1000;
  g_autoptr(GString) chunk = NULL;
  const char *data;
  gsize size, offset = 0;
  gboolean ended = FALSE;

  memset (block, 'x', sizeof block);
  if (chunked)
    {
      chunk = g_string_new ("1000\r\n");
      g_string_append_len (chunk, block, 0x1000);
      g_string_append (chunk, "\r\n");
      data = chunk->str;
      size = chunk->len;
    }
  else
    {
      data = block;
      size = sizeof block;
    }

  while (now_ms () < deadline && *sent < STREAM_BYTES)
    {
      struct pollfd poll_fd = { fd, (ended ? 0 : POLLIN) | POLLOUT, 0 };

      if (poll (&poll_fd, 1, 100) <= 0)
        continue;
      if (poll_fd.revents & POLLIN)
        {
          char buffer[4096];
          gssize n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

          if (n == 0)
            ended = TRUE;
          else if (n > 0)
            g_string_append_len (in, buffer, n);
          else if (errno != EAGAIN && errno != EINTR)
            return TRUE;
        }
      if (poll_fd.revents & (POLLOUT | POLLERR | POLLHUP))
        {
          gssize n = send (fd, data + offset, size - offset, MSG_NOSIGNAL | MSG_DONTWAIT);

          if (n < 0 && errno != EAGAIN && errno != EINTR)
            return TRUE;
          if (n > 0)
            {
              *sent += n;
              offset = (offset + n) % size;
            }
        }
    }
  return ended;
}

static gpointer
attacker_thread (gpointer data)
{
  Attacker *attacker = data;

  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *request = g_strdup_printf ("POST /simulation/stop HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s\r\n",
                                                  attacker->port, attacks[i].headers);
      g_autoptr(GString) in = g_string_new (NULL);
      g_autoptr(Response) response = response_new ();
      int fd = client_open (attacker->port);

      g_assert_true (send_text (fd, request));
      attacker->closed[i] = attack_body (fd, attacks[i].chunked, in, &attacker->sent[i]);
      response_parse (response, in);
      attacker->status[i] = response->status;
      close (fd);
    }
  return NULL;
}

static void
test_bodies_refused (Fixture       *f,
                     gconstpointer  data)
{
  Probe probe = { f->port };
  Attacker attacker = { f->port };
  Client *prober;
  gsize rss_before, rss_after;

  heart_simulator_start (f->simulator);
  /* warm up the allocator and libsoup with a probe's worth of requests */
  prober = client_start (probe_thread, &probe);
  WAIT_UNTIL (g_atomic_int_get (&probe.probes) >= 50 || client_done (prober), 10 * G_USEC_PER_SEC);
  rss_before = resident_bytes ();
  g_atomic_int_set (&probe.measuring, TRUE);

  client_run (attacker_thread, &attacker, 60 * G_USEC_PER_SEC);
  rss_after = resident_bytes ();
  g_atomic_int_set (&probe.stop, TRUE);
  client_finish (prober, 10 * G_USEC_PER_SEC);

  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_test_message ("%s: %u, %" G_GSIZE_FORMAT " bytes of body sent", attacks[i].name,
                      attacker.status[i], attacker.sent[i]);
      g_assert_cmpuint (attacker.status[i], ==, attacks[i].expected);
      g_assert_true (attacker.closed[i]);
      /* refused after the headers: what was sent stays in the kernel's
       * buffers until the server closes */
      g_assert_cmpuint (attacker.sent[i], <, STREAM_BYTES);
    }
  g_test_message ("RSS %+.1f MB; /health worst %.1f ms over %d probes on %u connections",
                  ((double) rss_after - rss_before) / MIB, probe.worst_us / 1000.0, probe.probes,
                  probe.connections);
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_cmpuint (probe.failures, ==, 0);
  g_assert_cmpuint (rss_after, <, rss_before + RSS_MARGIN);
  /* the server never stopped to read a body: reading one would stall it
   * for seconds; the latency itself is a benchmark's (a sanitizer build on
   * a busy machine has answered in 90 ms) */
  g_assert_cmpint (probe.worst_us, <, G_USEC_PER_SEC);
  /* and the refused connections are gone from the server too */
  WAIT_UNTIL (heart_server_get_connection_count (f->server) == 0, 10 * G_USEC_PER_SEC);
}

/* ---- 6. WebSocket messages capped across fragments ----------------------- */

#define FRAGMENT_BYTES 4000   /* under libsoup's per-frame limit of 4 KiB */
#define MAX_FRAGMENTS  32768

enum {
  WS_CONTINUATION = 0x0,
  WS_TEXT = 0x1,
  WS_CLOSE = 0x8,
  WS_PING = 0x9,
  WS_PONG = 0xa,
};

static const guint8 ws_mask[4] = { 0x12, 0x34, 0x56, 0x78 };

/* A client frame (masked, as RFC 6455 wants) */
static GBytes *
ws_frame (guint       opcode,
          gboolean    fin,
          const char *payload,
          gsize       size)
{
  GByteArray *frame = g_byte_array_new ();
  guint8 header[4] = { (fin ? 0x80 : 0) | opcode, 0x80 };

  g_assert_cmpuint (size, <, 65536);
  if (size < 126)
    {
      header[1] |= size;
      g_byte_array_append (frame, header, 2);
    }
  else
    {
      header[1] |= 126;
      header[2] = size >> 8;
      header[3] = size & 0xff;
      g_byte_array_append (frame, header, 4);
    }
  g_byte_array_append (frame, ws_mask, 4);
  for (gsize i = 0; i < size; i++)
    {
      guint8 byte = payload[i] ^ ws_mask[i % 4];

      g_byte_array_append (frame, &byte, 1);
    }
  return g_byte_array_free_to_bytes (frame);
}

static gboolean
send_bytes (int     fd,
            GBytes *bytes)
{
  gsize size = 0;
  const void *data = g_bytes_get_data (bytes, &size);

  return send_all (fd, data, size);
}

/* The server's frames in @in (unmasked); removes whole ones, returns the
 * opcodes seen, and the code of a close frame */
static void
ws_read_frames (GString *in,
                gboolean *pong,
                gint     *close_code)
{
  for (;;)
    {
      guint8 *p = (guint8 *) in->str;
      guint64 length;
      gsize header;

      if (in->len < 2)
        return;
      length = p[1] & 0x7f;
      header = 2;
      if (length == 126)
        {
          if (in->len < 4)
            return;
          length = (p[2] << 8) | p[3];
          header = 4;
        }
      else if (length == 127)
        {
          if (in->len < 10)
            return;
          length = 0;
          for (guint i = 0; i < 8; i++)
            length = (length << 8) | p[2 + i];
          header = 10;
        }
      if (in->len < header + length)
        return;
      if ((p[0] & 0x0f) == WS_PONG)
        *pong = TRUE;
      if ((p[0] & 0x0f) == WS_CLOSE)
        *close_code = length >= 2 ? (p[header] << 8) | p[header + 1] : 1005;
      g_string_erase (in, 0, header + length);
    }
}

static int
ws_open (guint port)
{
  int fd = client_open (port);
  g_autoptr(Response) response = NULL;

  g_assert_true (send_text (fd, websocket_handshake));
  response = read_response (fd);
  g_assert_cmpuint (response->status, ==, SOUP_STATUS_SWITCHING_PROTOCOLS);
  return fd;
}

/* Reads the server's frames until a pong (TRUE), the end of the
 * connection or @timeout_ms */
static gboolean
ws_wait_pong (int      fd,
              GString *in,
              gint    *close_code,
              gboolean *ended,
              guint    timeout_ms)
{
  gint64 deadline = now_ms () + timeout_ms;
  gboolean pong = FALSE;

  while (!pong && !*ended && now_ms () < deadline)
    {
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      char buffer[16384];
      gssize n;

      if (poll (&poll_fd, 1, 50) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        *ended = TRUE;
      else
        g_string_append_len (in, buffer, n);
      ws_read_frames (in, &pong, close_code);
    }
  return pong;
}

typedef struct
{
  guint    port;
  gboolean good_pong;        /* three long messages under the cap: still served */
  gint     good_close_code;
  gboolean good_ended;
  gboolean pong_at_cap;      /* 64,000 bytes of one message: still served */
  gboolean ended;            /* the connection ended … */
  gboolean ended_at_cap;     /* … at the fragment that passed 64 KiB */
  gint     close_code;
  guint    fragments;        /* of the message that never ends */
} Fragments;

static gpointer
fragments_thread (gpointer data)
{
  Fragments *fragments = data;
  g_autofree char *payload = g_strnfill (FRAGMENT_BYTES, 'a');
  g_autoptr(GBytes) first = ws_frame (WS_TEXT, FALSE, payload, FRAGMENT_BYTES);
  g_autoptr(GBytes) more = ws_frame (WS_CONTINUATION, FALSE, payload, FRAGMENT_BYTES);
  g_autoptr(GBytes) last = ws_frame (WS_CONTINUATION, TRUE, payload, FRAGMENT_BYTES);
  g_autoptr(GBytes) ping = ws_frame (WS_PING, TRUE, "are you there", 13);
  g_autoptr(GString) in = g_string_new (NULL);
  char buffer[16384];
  int fd;

  /* three messages of 15 fragments (60,000 bytes each, under the cap, 180 KB
   * in all), then a ping: its pong comes once the server read them all */
  fd = ws_open (fragments->port);
  fragments->good_close_code = -1;
  for (guint message = 0; message < 3; message++)
    {
      g_assert_true (send_bytes (fd, first));
      for (guint i = 1; i < 14; i++)
        g_assert_true (send_bytes (fd, more));
      g_assert_true (send_bytes (fd, last));
    }
  g_assert_true (send_bytes (fd, ping));
  fragments->good_pong = ws_wait_pong (fd, in, &fragments->good_close_code, &fragments->good_ended,
                                       CLIENT_TIMEOUT_S * 1000);
  close (fd);

  /* one message that never ends: 16 fragments (64,000 bytes) are taken, a
   * ping between fragments is answered (RFC 6455 §5.4) … */
  fd = ws_open (fragments->port);
  g_string_truncate (in, 0);
  fragments->close_code = -1;
  g_assert_true (send_bytes (fd, first));
  for (guint i = 1; i < 16; i++)
    g_assert_true (send_bytes (fd, more));
  fragments->fragments = 16;
  g_assert_true (send_bytes (fd, ping));
  fragments->pong_at_cap = ws_wait_pong (fd, in, &fragments->close_code, &fragments->ended,
                                         CLIENT_TIMEOUT_S * 1000);

  /* … the 17th passes 64 KiB and ends the connection; a server that goes
   * on taking fragments gets up to MAX_FRAGMENTS of them */
  if (!fragments->ended && send_bytes (fd, more))
    {
      fragments->fragments++;
      ws_wait_pong (fd, in, &fragments->close_code, &fragments->ended, CLOSED_WITHIN_MS);
      fragments->ended_at_cap = fragments->ended;
    }
  while (fragments->fragments < MAX_FRAGMENTS && !fragments->ended)
    {
      gssize n;

      while ((n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
        g_string_append_len (in, buffer, n);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) || !send_bytes (fd, more))
        fragments->ended = TRUE;
      else
        fragments->fragments++;
    }
  ws_read_frames (in, &fragments->pong_at_cap, &fragments->close_code);
  close (fd);
  return NULL;
}

static void
test_websocket_message_cap (Fixture       *f,
                            gconstpointer  data)
{
  Fragments fragments = { f->port };
  g_autoptr(SoupSession) session = test_session_new ();
  g_autoptr(TestWebsocket) normal = NULL;
  g_autoptr(Response) health = NULL;
  gsize rss_before, rss_after;

  rss_before = resident_bytes ();
  client_run (fragments_thread, &fragments, 120 * G_USEC_PER_SEC);
  rss_after = resident_bytes ();
  g_test_message ("endless message: closed after %u fragments (%u bytes), close code %d; RSS %+.1f MB",
                  fragments.fragments, fragments.fragments * FRAGMENT_BYTES, fragments.close_code,
                  ((double) rss_after - rss_before) / MIB);

  /* long fragmented messages under the cap are fine */
  g_assert_true (fragments.good_pong);
  g_assert_false (fragments.good_ended);
  g_assert_cmpint (fragments.good_close_code, ==, -1);

  /* one message is cut when it passes 64 KiB, with 1009 or at once */
  g_assert_true (fragments.pong_at_cap);
  g_assert_true (fragments.ended_at_cap);
  g_assert_cmpuint (fragments.fragments, ==, 17);
  g_assert_true (fragments.close_code == -1 || fragments.close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_cmpuint (rss_after, <, rss_before + RSS_MARGIN);

  /* a client sending a small message is served on */
  normal = test_websocket_new (session, f->port);
  WAIT_FOR (normal->messages->len == 1);
  soup_websocket_connection_send_text (normal->connection, "{\"hello\":\"server\"}");
  heart_simulator_advance (f->simulator, 0.5);
  WAIT_FOR (normal->messages->len == 2);
  g_assert_false (normal->closed);

  health = http (f, "GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", f->port);
  g_assert_cmpuint (health->status, ==, SOUP_STATUS_OK);
  g_clear_pointer (&normal, test_websocket_free);
  soup_session_abort (session);
}

/* ---- 7. cross-site requests ---------------------------------------------- */

static guint
post_stop (Fixture    *f,
           const char *extra_headers)
{
  g_autoptr(Response) response = NULL;

  heart_simulator_start (f->simulator);
  response = http (f, "POST /simulation/stop HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%sContent-Length: 0\r\n\r\n",
                   f->port, extra_headers);
  if (response->status == SOUP_STATUS_FORBIDDEN)
    {
      g_autoptr(JsonNode) body = response_json (response);

      g_assert_true (g_str_has_prefix (test_json_string (body, "detail"), "Cross-origin request refused"));
      /* refused: nothing changed */
      g_assert_true (heart_simulator_get_running (f->simulator));
    }
  else if (response->status == SOUP_STATUS_OK)
    g_assert_false (heart_simulator_get_running (f->simulator));
  return response->status;
}

static guint
get_with_host (Fixture    *f,
               const char *host)
{
  g_autoptr(Response) response = http (f, "GET /health HTTP/1.1\r\nHost: %s\r\n\r\n", host);

  if (response->status == SOUP_STATUS_FORBIDDEN)
    {
      g_autoptr(JsonNode) body = response_json (response);

      g_assert_true (g_str_has_prefix (test_json_string (body, "detail"), "Host name not allowed"));
    }
  return response->status;
}

static void
test_cross_site (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *own_origin = g_strdup_printf ("Origin: http://127.0.0.1:%u\r\n", f->port);
  g_autofree char *localhost = g_strdup_printf ("localhost:%u", f->port);
  g_autofree char *evil_host = g_strdup_printf ("evil.example:%u", f->port);
  const char *origins[] = { "http://app.example", NULL };
  const char *hosts[] = { "evil.example", NULL };
  g_autoptr(Response) read = NULL;
  g_autofree char *allow_origin = NULL;

  /* a page of another site may POST without asking first */
  g_assert_cmpuint (post_stop (f, "Origin: http://evil.example\r\n"), ==, SOUP_STATUS_FORBIDDEN);
  /* the dashboard, served by us, posts as our own origin */
  g_assert_cmpuint (post_stop (f, own_origin), ==, SOUP_STATUS_OK);
  /* clients that are not browsers send no Origin */
  g_assert_cmpuint (post_stop (f, ""), ==, SOUP_STATUS_OK);

  g_object_set (f->server, "allowed-origins", origins, NULL);
  g_assert_cmpuint (post_stop (f, "Origin: http://app.example\r\n"), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (post_stop (f, "Origin: http://evil.example\r\n"), ==, SOUP_STATUS_FORBIDDEN);

  heart_server_set_token (f->server, "s3cret");
  g_assert_cmpuint (post_stop (f, "Origin: http://evil.example\r\nAuthorization: Bearer s3cret\r\n"),
                    ==, SOUP_STATUS_OK);
  g_assert_cmpuint (post_stop (f, "Origin: http://evil.example\r\nAuthorization: Bearer s3cre7\r\n"),
                    ==, SOUP_STATUS_FORBIDDEN);
  heart_server_set_token (f->server, NULL);

  /* DNS rebinding needs a name: on loopback only addresses and localhost */
  g_assert_cmpuint (get_with_host (f, evil_host), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (get_with_host (f, "evil.example"), ==, SOUP_STATUS_FORBIDDEN);
  g_assert_cmpuint (get_with_host (f, localhost), ==, SOUP_STATUS_OK);
  g_object_set (f->server, "allowed-hosts", hosts, NULL);
  g_assert_cmpuint (get_with_host (f, evil_host), ==, SOUP_STATUS_OK);

  /* reading stays open to every origin */
  read = http (f, "GET /heartbeat/current HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nOrigin: http://evil.example\r\n\r\n",
               f->port);
  g_assert_cmpuint (read->status, ==, SOUP_STATUS_OK);
  allow_origin = response_header (read, "Access-Control-Allow-Origin");
  g_assert_cmpstr (allow_origin, ==, "*");
}

/* ---- 8. encoded NULs in a query ------------------------------------------ */

static void
assert_nul_refused (Response   *response,
                    const char *parameter)
{
  g_autoptr(JsonNode) body = NULL;
  JsonArray *detail, *loc;
  JsonObject *item;

  g_assert_cmpuint (response->status, ==, SOUP_STATUS_UNPROCESSABLE_ENTITY);
  body = response_json (response);
  detail = json_object_get_array_member (json_node_get_object (body), "detail");
  g_assert_cmpuint (json_array_get_length (detail), >=, 1);
  item = json_array_get_object_element (detail, 0);
  loc = json_object_get_array_member (item, "loc");
  g_assert_cmpuint (json_array_get_length (loc), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "query");
  g_assert_cmpstr (json_array_get_string_element (loc, 1), ==, parameter);
}

static void
test_query_nul (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Response) stress = NULL;
  g_autoptr(Response) baseline = NULL;
  g_autoptr(Response) plain = NULL;

  /* libsoup decodes %00 and the value would end there: 0.5 */
  stress = http (f, "POST /simulation/trigger-stress?stress_level=0.5%%00x HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                 "Content-Length: 0\r\n\r\n", f->port);
  assert_nul_refused (stress, "stress_level");
  g_assert_false (heart_simulator_get_event_active (f->simulator));

  baseline = http (f, "POST /simulation/set-baseline?baseline_bpm=65%%00 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                   "Content-Length: 0\r\n\r\n", f->port);
  assert_nul_refused (baseline, "baseline_bpm");
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, HEART_BASELINE_DEFAULT);

  /* the same request without the NUL is taken */
  plain = http (f, "POST /simulation/set-baseline?baseline_bpm=65 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                "Content-Length: 0\r\n\r\n", f->port);
  g_assert_cmpuint (plain->status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 65);
}

int
main (int    argc,
      char **argv)
{
  /* these tests only talk to 127.0.0.1 (see test-server.c) */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/connections/fd-count-flat", test_fd_count_flat);
  g_test_add_func ("/connections/timeouts", test_timeouts);
  ADD ("/connections/cap", test_cap);
  ADD ("/connections/emfile", test_emfile);
  ADD ("/connections/bodies-refused", test_bodies_refused);
  ADD ("/connections/websocket-message-cap", test_websocket_message_cap);
  ADD ("/connections/cross-site", test_cross_site);
  ADD ("/connections/query-nul", test_query_nul);
#undef ADD

  return g_test_run ();
}
