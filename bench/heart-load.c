/* heart-load.c: many WebSocket and SSE clients against a running Heartsim
 *
 *   heart-load --port 8000 --ws 1000 --sse 1000 --duration 30 --pid $(pidof heartsim)
 *
 * Reports messages received, seq gaps, delivery latency (receive time minus
 * the sample's timestamp: the timestamp has millisecond resolution, so a
 * figure is good to about 1 ms) and, given the server's PID, its CPU and RSS.
 * --stall K adds K WebSocket clients that complete the handshake and never
 * read again. Loopback only; it stops by itself after --duration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  guint64 last_seq;
  guint64 messages;
  guint64 gaps;         /* samples missing between two received ones */
  gint    closed;       /* read by the main thread after SIGTERM */
  gint    close_code;
} ClientStats;

typedef struct _Worker Worker;

typedef struct
{
  Worker       *worker;
  ClientStats   stats;
  SoupWebsocketConnection *ws;
  GInputStream *sse;
  GString      *sse_buffer;
  char          read_buffer[8192];
} Client;

typedef struct _Load
{
  char        *host;
  int          port;
  int          n_ws, n_sse, n_stall, n_threads;
  gboolean     terminate;
  double       duration_s;
  int          pid;
  GPtrArray   *stalled;      /* GSocket */
  guint64      max_rss_kb;
  guint64      rss_initial_kb;
  GMainLoop   *loop;
  /* set by the main thread, read by the workers */
  gint64       measure_from_us, measure_until_us;   /* monotonic; 0 = not yet */
  gint         stop;
} Load;

/* Each worker thread has its own main context and session, so the client
 * side of the benchmark uses both cores instead of queueing on one. */
struct _Worker
{
  Load        *load;
  GThread     *thread;
  GMainContext *context;
  SoupSession *session;
  int          n_ws, n_sse;
  GPtrArray   *clients;
  gint         connected, failed;
  GArray      *ws_latency_us;   /* gint64 */
  GArray      *sse_latency_us;
};

/* ---- timestamps ------------------------------------------------------- */

static gint64
days_from_civil (gint64 y, unsigned m, unsigned d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned) (y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

/* "2026-01-09T12:34:56.789Z" -> µs since the epoch; 0 when malformed */
static gint64
parse_timestamp (const char *p)
{
  int y, mo, d, h, mi, s, ms;

  if (sscanf (p, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &y, &mo, &d, &h, &mi, &s, &ms) != 7)
    return 0;
  return ((days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000 + ms) * 1000;
}

/* Finds "key": in a sample without a JSON parser: the client must keep up
 * with tens of thousands of messages a second on a shared CPU. */
static const char *
find_value (const char *json, gsize length, const char *key)
{
  gsize key_len = strlen (key);
  const char *end = json + length;

  for (const char *p = json; p + key_len < end; p++)
    if (*p == '"' && memcmp (p + 1, key, key_len) == 0 && p[1 + key_len] == '"' && p[2 + key_len] == ':')
      return p + key_len + 3;
  return NULL;
}

static gboolean
measuring (Load *load)
{
  gint64 now = g_get_monotonic_time ();
  gint64 from = g_atomic_pointer_get ((gpointer *) &load->measure_from_us) ? load->measure_from_us : 0;

  return from != 0 && now >= from && now < load->measure_until_us;
}

static void
record (Worker *worker, Client *client, const char *json, gsize length, gboolean sse)
{
  const char *seq_text = find_value (json, length, "seq");
  const char *ts_text = find_value (json, length, "timestamp");
  gint64 now = g_get_real_time ();
  guint64 seq;

  if (seq_text == NULL || ts_text == NULL)
    return;  /* the "connected" frame */
  seq = g_ascii_strtoull (seq_text, NULL, 10);

  if (measuring (worker->load))
    {
      client->stats.messages++;
      /* SSE sends the latest sample once a second: skipped seqs are by design */
      if (!sse && client->stats.last_seq != 0 && seq > client->stats.last_seq + 1)
        client->stats.gaps += seq - client->stats.last_seq - 1;
      gint64 latency = now - parse_timestamp (ts_text + 1);
      g_array_append_val (sse ? worker->sse_latency_us : worker->ws_latency_us, latency);
    }
  client->stats.last_seq = seq;
}

/* ---- WebSocket clients ------------------------------------------------- */

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, Client *client)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  record (client->worker, client, data, length, FALSE);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, Client *client)
{
  g_atomic_int_set (&client->stats.close_code, soup_websocket_connection_get_close_code (ws));
  g_atomic_int_set (&client->stats.closed, TRUE);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr(GError) error = NULL;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (client->ws == NULL)
    {
      g_atomic_int_inc (&client->worker->failed);
      g_printerr ("websocket: %s\n", error->message);
      return;
    }
  g_signal_connect (client->ws, "message", G_CALLBACK (on_ws_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_ws_closed), client);
  g_atomic_int_inc (&client->worker->connected);
}

/* ---- SSE clients -------------------------------------------------------- */

static void sse_read (Client *client);

static void
sse_parse (Client *client)
{
  char *event_end;

  while ((event_end = strstr (client->sse_buffer->str, "\n\n")) != NULL)
    {
      gsize event_length = event_end - client->sse_buffer->str;
      char *data = strstr (client->sse_buffer->str, "data: ");

      if (data != NULL && data < event_end)
        record (client->worker, client, data + 6, event_end - data - 6, TRUE);
      g_string_erase (client->sse_buffer, 0, event_length + 2);
    }
}

static void
on_sse_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      client->stats.closed = TRUE;
      return;
    }
  g_string_append_len (client->sse_buffer, client->read_buffer, n);
  sse_parse (client);
  sse_read (client);
}

static void
sse_read (Client *client)
{
  g_input_stream_read_async (client->sse, client->read_buffer, sizeof client->read_buffer,
                             G_PRIORITY_DEFAULT, NULL, on_sse_read, client);
}

static void
on_sse_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr(GError) error = NULL;

  client->sse = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (client->sse == NULL)
    {
      g_atomic_int_inc (&client->worker->failed);
      g_printerr ("sse: %s\n", error->message);
      return;
    }
  g_atomic_int_inc (&client->worker->connected);
  sse_read (client);
}

/* ---- stalled clients ----------------------------------------------------- */

static GSocket *
stalled_client_new (Load *load)
{
  g_autofree char *request = g_strdup_printf (
    "GET /ws/heartbeat HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    load->host, load->port);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (load->host);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, load->port);
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL || !g_socket_connect (socket, address, NULL, NULL) ||
      g_socket_send (socket, request, strlen (request), NULL, NULL) < 0)
    return NULL;
  return g_steal_pointer (&socket);
}

/* ---- server CPU and memory --------------------------------------------- */

static gboolean
read_cpu_ticks (int pid, guint64 *ticks)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  char *p;
  unsigned long utime, stime;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return FALSE;
  /* after "pid (comm)": state is field 3; utime and stime are 14 and 15 */
  if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return FALSE;
  *ticks = utime + stime;
  return TRUE;
}

static guint64
read_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}

static gboolean
sample_rss (gpointer data)
{
  Load *load = data;

  if (load->pid > 0)
    load->max_rss_kb = MAX (load->max_rss_kb, read_rss_kb (load->pid));
  return G_SOURCE_CONTINUE;
}

/* ---- report ------------------------------------------------------------ */

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static void
print_latency (const char *what, GArray *latency)
{
  gint64 *v = (gint64 *) (void *) latency->data;
  guint n = latency->len;

  if (n == 0)
    {
      printf ("%s latency: no messages\n", what);
      return;
    }
  g_array_sort (latency, compare_gint64);
  printf ("%s latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%u messages)\n", what,
          v[n / 2] / 1e3, v[MIN (n - 1, (guint) (n * 0.99))] / 1e3, v[n - 1] / 1e3, n);
}

/* Reads what a stalled client never read; TRUE once the server closed it:
 * a close frame (with @code) went by, or the connection ended. */
static gboolean
stalled_was_closed (GSocket *socket, gushort *code)
{
  g_autoptr(GByteArray) seen = g_byte_array_new ();
  char buffer[65536];
  gssize n;

  g_socket_set_blocking (socket, FALSE);
  g_socket_set_timeout (socket, 0);
  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (seen, (guint8 *) buffer, n);

  for (guint i = 0; i + 3 < seen->len; i++)
    if (seen->data[i] == 0x88 && seen->data[i + 1] < 126)
      {
        *code = (seen->data[i + 2] << 8) | seen->data[i + 3];
        return TRUE;
      }
  *code = 0;
  return n == 0;
}

static void
report_stalled (Load *load)
{
  guint closed = 0, policy = 0;

  for (guint i = 0; i < load->stalled->len; i++)
    {
      gushort code;

      if (stalled_was_closed (load->stalled->pdata[i], &code))
        closed++;
      if (code == 1008)
        policy++;
    }
  printf ("stalled: %u of %u closed by the server (%u with close code 1008)\n",
          closed, load->stalled->len, policy);
}

static void
report (Load *load, GPtrArray *workers, double seconds, guint64 cpu_ticks, guint64 rss_before_kb)
{
  guint64 ws_msgs = 0, ws_gaps = 0, sse_msgs = 0, ws_closed = 0, sse_closed = 0;
  guint connected = 0, failed = 0;
  g_autoptr(GArray) ws_latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) sse_latency = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint w = 0; w < workers->len; w++)
    {
      Worker *worker = workers->pdata[w];

      connected += worker->connected;
      failed += worker->failed;
      g_array_append_vals (ws_latency, worker->ws_latency_us->data, worker->ws_latency_us->len);
      g_array_append_vals (sse_latency, worker->sse_latency_us->data, worker->sse_latency_us->len);
      for (guint i = 0; i < worker->clients->len; i++)
        {
          Client *client = worker->clients->pdata[i];

          if ((int) i < worker->n_ws)
            {
              ws_msgs += client->stats.messages;
              ws_gaps += client->stats.gaps;
              ws_closed += client->stats.closed;
            }
          else
            {
              sse_msgs += client->stats.messages;
              sse_closed += client->stats.closed;
            }
        }
    }

  printf ("clients: %d WebSocket, %d SSE, %d stalled, %d client threads; connected %u, failed %u; measured %.1f s\n",
          load->n_ws, load->n_sse, load->n_stall, load->n_threads, connected, failed, seconds);
  printf ("WebSocket: %" G_GUINT64_FORMAT " messages (%.2f per client per s), seq gaps %" G_GUINT64_FORMAT
          ", closed by server %" G_GUINT64_FORMAT "\n",
          ws_msgs, load->n_ws ? ws_msgs / (double) load->n_ws / seconds : 0, ws_gaps, ws_closed);
  printf ("SSE: %" G_GUINT64_FORMAT " events (%.2f per client per s), closed by server %" G_GUINT64_FORMAT "\n",
          sse_msgs, load->n_sse ? sse_msgs / (double) load->n_sse / seconds : 0, sse_closed);
  print_latency ("WebSocket", ws_latency);
  print_latency ("SSE (includes the sample's age, up to one tick)", sse_latency);
  if (load->pid > 0)
    {
      guint64 rss_after = read_rss_kb (load->pid);

      printf ("server: CPU %.1f %% of one core; RSS %.1f MB before the clients, %.1f MB when measuring began, "
              "%.1f MB after, %.1f MB max\n",
              100.0 * cpu_ticks / sysconf (_SC_CLK_TCK) / seconds,
              load->rss_initial_kb / 1024.0, rss_before_kb / 1024.0, rss_after / 1024.0, load->max_rss_kb / 1024.0);
    }
  fflush (stdout);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gpointer
worker_run (gpointer data)
{
  Worker *worker = data;
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  int total = worker->n_ws + worker->n_sse;
  GSource *tick;

  g_main_context_push_thread_default (worker->context);
  worker->session = soup_session_new_with_options ("proxy-resolver", no_proxy,
                                                   "max-conns", total + 16,
                                                   "max-conns-per-host", total + 16,
                                                   "timeout", 0, "idle-timeout", 0,
                                                   NULL);
  /* the server refuses compression anyway */
  soup_session_remove_feature_by_type (worker->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);

  for (int i = 0; i < total; i++)
    {
      Client *client = g_new0 (Client, 1);
      gboolean ws = i < worker->n_ws;
      g_autofree char *uri = g_strdup_printf ("%s://%s:%d/%s", ws ? "ws" : "http", worker->load->host,
                                              worker->load->port, ws ? "ws/heartbeat" : "api/stream");
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);

      client->worker = worker;
      client->sse_buffer = g_string_new (NULL);
      g_ptr_array_add (worker->clients, client);
      if (ws)
        soup_session_websocket_connect_async (worker->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                              on_ws_connected, client);
      else
        soup_session_send_async (worker->session, msg, G_PRIORITY_DEFAULT, NULL, on_sse_sent, client);
    }

  /* wake at least every 50 ms to see the stop flag */
  tick = g_timeout_source_new (50);
  g_source_set_callback (tick, wake_up, NULL, NULL);
  g_source_attach (tick, worker->context);
  while (!g_atomic_int_get (&worker->load->stop))
    g_main_context_iteration (worker->context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_pop_thread_default (worker->context);
  return NULL;
}

static gboolean
process_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *p;

  /* a zombie has exited; its parent has not reaped it yet */
  if (!g_file_get_contents (path, &text, NULL, NULL) || (p = strrchr (text, ')')) == NULL)
    return TRUE;
  return p[2] == 'Z' || p[2] == 'X';
}

/* docs/architecture.md: SIGTERM closes every WebSocket with 1001 and exits within 200 ms */
static void
terminate_server (Load *load, GPtrArray *workers)
{
  gint64 start = g_get_monotonic_time ();
  gint64 exited_us = 0, closed_us = 0;
  guint closed = 0, going_away = 0;

  kill (load->pid, SIGTERM);
  while (g_get_monotonic_time () - start < 3 * G_USEC_PER_SEC)
    {
      closed = going_away = 0;
      for (guint w = 0; w < workers->len; w++)
        {
          Worker *worker = workers->pdata[w];

          for (int i = 0; i < worker->n_ws; i++)
            {
              Client *client = worker->clients->pdata[i];

              if (g_atomic_int_get (&client->stats.closed))
                {
                  closed++;
                  going_away += g_atomic_int_get (&client->stats.close_code) == 1001;
                }
            }
        }
      if (closed_us == 0 && closed == (guint) load->n_ws)
        closed_us = g_get_monotonic_time () - start;
      if (exited_us == 0 && process_gone (load->pid))
        exited_us = g_get_monotonic_time () - start;
      if (closed_us != 0 && exited_us != 0)
        break;
      g_usleep (1000);
    }

  printf ("SIGTERM: server exited after %.0f ms; %u of %d WebSocket clients closed (%u with code 1001), "
          "the last after %.0f ms\n",
          exited_us / 1e3, closed, load->n_ws, going_away, closed_us / 1e3);
}

static guint
count_settled (GPtrArray *workers)
{
  guint settled = 0;

  for (guint w = 0; w < workers->len; w++)
    {
      Worker *worker = workers->pdata[w];

      settled += g_atomic_int_get (&worker->connected) + g_atomic_int_get (&worker->failed);
    }
  return settled;
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
main (int argc, char **argv)
{
  Load load = { .host = NULL, .port = 8000, .duration_s = 10, .n_threads = 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— load a Heartsim server with streaming clients");
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  double warmup_s = 2;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &load.host, "Server address (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &load.port, "Server port (default 8000)", "PORT" },
    { "ws", 0, 0, G_OPTION_ARG_INT, &load.n_ws, "WebSocket clients", "N" },
    { "sse", 0, 0, G_OPTION_ARG_INT, &load.n_sse, "SSE clients", "M" },
    { "stall", 0, 0, G_OPTION_ARG_INT, &load.n_stall, "WebSocket clients that never read", "K" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &load.n_threads, "Client threads (default 2)", "T" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &load.duration_s, "Seconds to measure (default 10)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup_s, "Seconds after connecting before measuring (default 2)", "S" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &load.pid, "Server PID, for its CPU and RSS", "PID" },
    { "terminate", 0, 0, G_OPTION_ARG_NONE, &load.terminate,
      "At the end, send the server SIGTERM and time its exit and the close frames", NULL },
    { NULL }
  };
  guint64 ticks_before = 0, ticks_after = 0, rss_before = 0;
  gint64 deadline;
  guint rss_timer;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heart-load: %s\n", error->message);
      return 2;
    }
  if (load.host == NULL)
    load.host = g_strdup ("127.0.0.1");
  load.n_threads = CLAMP (load.n_threads, 1, 64);

  raise_fd_limit ();
  if (load.pid > 0)
    load.rss_initial_kb = read_rss_kb (load.pid);
  load.stalled = g_ptr_array_new_with_free_func (g_object_unref);
  for (int t = 0; t < load.n_threads; t++)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->load = &load;
      worker->context = g_main_context_new ();
      worker->clients = g_ptr_array_new ();
      worker->ws_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      worker->sse_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      worker->n_ws = load.n_ws / load.n_threads + (t < load.n_ws % load.n_threads);
      worker->n_sse = load.n_sse / load.n_threads + (t < load.n_sse % load.n_threads);
      g_ptr_array_add (workers, worker);
      worker->thread = g_thread_new ("heart-load", worker_run, worker);
    }
  for (int i = 0; i < load.n_stall; i++)
    {
      GSocket *socket = stalled_client_new (&load);

      if (socket != NULL)
        g_ptr_array_add (load.stalled, socket);
    }

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (count_settled (workers) < (guint) (load.n_ws + load.n_sse) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  printf ("settled %u of %d streaming clients, %u stalled clients\n",
          count_settled (workers), load.n_ws + load.n_sse, load.stalled->len);
  fflush (stdout);

  load.loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add ((guint) (warmup_s * 1000), quit_loop, load.loop);
  g_main_loop_run (load.loop);

  if (load.pid > 0)
    {
      read_cpu_ticks (load.pid, &ticks_before);
      rss_before = read_rss_kb (load.pid);
      load.max_rss_kb = rss_before;
    }
  load.measure_until_us = g_get_monotonic_time () + (gint64) (load.duration_s * G_USEC_PER_SEC);
  g_atomic_pointer_set ((gpointer *) &load.measure_from_us, GSIZE_TO_POINTER (g_get_monotonic_time ()));
  rss_timer = g_timeout_add (1000, sample_rss, &load);
  g_timeout_add ((guint) (load.duration_s * 1000), quit_loop, load.loop);
  g_main_loop_run (load.loop);
  g_source_remove (rss_timer);
  if (load.pid > 0)
    read_cpu_ticks (load.pid, &ticks_after);

  if (load.terminate && load.pid > 0)
    terminate_server (&load, workers);

  g_atomic_int_set (&load.stop, 1);
  for (guint w = 0; w < workers->len; w++)
    g_thread_join (((Worker *) workers->pdata[w])->thread);

  report (&load, workers, load.duration_s, ticks_after - ticks_before, rss_before);
  if (load.stalled->len > 0)
    report_stalled (&load);
  /* the process exit closes every socket; no teardown to measure */
  return count_settled (workers) < (guint) (load.n_ws + load.n_sse) ? 1 : 0;
}
