/* heart-load.c: many WebSocket and SSE clients against a running Heartsim
 *
 *   heart-load --port 8000 --ws 1000 --sse 1000 --duration 30 --pid $(pidof heartsim)
 *
 * Reports messages received, seq gaps, delivery latency (receive time minus
 * the sample's timestamp: the timestamp has millisecond resolution, so a
 * figure is good to about 1 ms) and, given the server's PID, its CPU and RSS.
 * --stall K adds K WebSocket clients that complete the handshake and never
 * read again (--sse-stall K the same for SSE). Loopback only; it stops by
 * itself after --duration.
 *
 * The same client loads other servers of the same API (bench/peers.sh):
 * --ws-path, --sse-path and --rest-path name their endpoints (--sse-port
 * and --sse-pid when SSE comes from another process), a sample
 * without "seq" is counted without gap detection, and the timestamp may have
 * any number of fraction digits and a zone offset.
 *
 * Endurance (bench/soak.sh): --churn N closes N streaming clients a second
 * and opens as many new ones (half of the clients of each kind never churn,
 * so their seq gaps must stay 0), --renew-stalled replaces stalled clients
 * the server closed, --rest-rate R sends R GET /heartbeat/current a second,
 * and --report-every S prints one "period" line every S seconds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE  /* POLLRDHUP */
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>

#include "load-util.h"

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
  gboolean      is_ws;
  gboolean      churnable;   /* in the churn pool: may be replaced during the run */
  gboolean      busy;        /* an async call holds this client */
  gboolean      retired;     /* churned: freed by the callback that holds it */
  gboolean      open;
  GCancellable *cancel;
  SoupWebsocketConnection *ws;
  GInputStream *sse;
  GString      *sse_buffer;
  char          read_buffer[8192];
} Client;

/* Counted as samples arrive, under Worker.lock: the main thread reads them
 * every --report-every period while the workers go on. */
typedef struct
{
  guint64 ws_msgs, sse_msgs;
  guint64 ws_seq_msgs;        /* WebSocket messages that carried a seq */
  guint64 gaps_steady;        /* WebSocket gaps of clients that never churn */
  guint64 gaps_churned;       /* ... of churn-pool clients, within each one's life */
  guint64 churned;            /* clients replaced */
} Counts;

typedef struct _Load
{
  char        *host;
  int          port, sse_port;
  char        *ws_path, *sse_path, *rest_path;
  int          n_ws, n_sse, n_stall, n_sse_stall, n_threads;
  gboolean     terminate;
  double       duration_s;
  int          pid, sse_pid;
  guint64      sse_ticks, sse_rss_before_kb;
  double       churn_per_s;
  gboolean     renew_stalled;
  gboolean     split_sessions;
  double       rest_rate;
  double       report_every_s;
  GPtrArray   *stalled;      /* GSocket */
  GPtrArray   *stalled_sse;  /* GSocket */
  guint        stalled_renewed;
  /* what the workers counted, moved here by collect() */
  Counts       total;
  GArray      *ws_latency_us, *sse_latency_us;
  /* --rest-rate: requests from the main thread */
  SoupSession *rest_session;
  char        *rest_uri;
  guint64      rest_ok, rest_failed;
  GArray      *rest_latency_us;
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
  SoupSession *sse_session;     /* the same as session unless --split-sessions */
  int          n_ws, n_sse;
  GPtrArray   *clients;
  gint         connected, failed;
  gint         open_ws, open_sse;
  double       churn_credit_ws, churn_credit_sse;
  guint        churn_next_ws, churn_next_sse;
  GMutex       lock;            /* guards the latencies and counts */
  GArray      *ws_latency_us;   /* gint64 */
  GArray      *sse_latency_us;
  Counts       counts;
};

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
  const char *seq_text = load_find_value (json, length, "seq");
  const char *ts_text = load_find_value (json, length, "timestamp");
  gint64 now = g_get_real_time ();
  guint64 seq, gaps = 0;
  gint64 latency;

  if (ts_text == NULL || *ts_text != '"')
    return;  /* the "connected" frame */
  /* a server whose samples have no seq: counted, but gaps cannot be seen */
  seq = seq_text != NULL ? g_ascii_strtoull (seq_text, NULL, 10) : 0;

  if (measuring (worker->load))
    {
      client->stats.messages++;
      /* SSE sends the latest sample once a second: skipped seqs are by design */
      if (!sse && seq != 0 && client->stats.last_seq != 0 && seq > client->stats.last_seq + 1)
        gaps = seq - client->stats.last_seq - 1;
      client->stats.gaps += gaps;
      latency = now - load_parse_timestamp (ts_text + 1);

      g_mutex_lock (&worker->lock);
      g_array_append_val (sse ? worker->sse_latency_us : worker->ws_latency_us, latency);
      if (sse)
        worker->counts.sse_msgs++;
      else
        {
          worker->counts.ws_msgs++;
          worker->counts.ws_seq_msgs += seq != 0;
          if (client->churnable)
            worker->counts.gaps_churned += gaps;
          else
            worker->counts.gaps_steady += gaps;
        }
      g_mutex_unlock (&worker->lock);
    }
  if (seq != 0)
    client->stats.last_seq = seq;
}

/* ---- client life ---------------------------------------------------------- */

static void
client_free (Client *client)
{
  g_clear_object (&client->cancel);
  g_clear_object (&client->sse);
  g_string_free (client->sse_buffer, TRUE);
  g_free (client);
}

/* Called first by every async callback: FALSE when the client was churned
 * meanwhile, and then it is freed here. */
static gboolean
client_still_wanted (Client *client)
{
  client->busy = FALSE;
  if (!client->retired)
    return TRUE;
  client_free (client);
  return FALSE;
}

static void
client_set_open (Client *client, gboolean open)
{
  if (client->open == open)
    return;
  client->open = open;
  if (client->is_ws)
    open ? g_atomic_int_inc (&client->worker->open_ws) : (void) g_atomic_int_dec_and_test (&client->worker->open_ws);
  else
    open ? g_atomic_int_inc (&client->worker->open_sse) : (void) g_atomic_int_dec_and_test (&client->worker->open_sse);
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
  client_set_open (client, FALSE);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (!client_still_wanted (client))
    {
      g_clear_object (&ws);
      return;
    }
  client->ws = ws;
  if (client->ws == NULL)
    {
      g_atomic_int_inc (&client->worker->failed);
      g_printerr ("websocket: %s\n", error->message);
      return;
    }
  g_signal_connect (client->ws, "message", G_CALLBACK (on_ws_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_ws_closed), client);
  g_atomic_int_inc (&client->worker->connected);
  client_set_open (client, TRUE);
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

  if (client->retired)
    /* closing the body before its end makes libsoup drop the connection */
    g_input_stream_close (client->sse, NULL, NULL);
  if (!client_still_wanted (client))
    return;
  if (n <= 0)
    {
      client->stats.closed = TRUE;
      client_set_open (client, FALSE);
      return;
    }
  g_string_append_len (client->sse_buffer, client->read_buffer, n);
  sse_parse (client);
  sse_read (client);
}

static void
sse_read (Client *client)
{
  client->busy = TRUE;
  g_input_stream_read_async (client->sse, client->read_buffer, sizeof client->read_buffer,
                             G_PRIORITY_DEFAULT, client->cancel, on_sse_read, client);
}

static void
on_sse_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *client = data;
  g_autoptr(GError) error = NULL;
  GInputStream *sse = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (!client_still_wanted (client))
    {
      g_clear_object (&sse);
      return;
    }
  client->sse = sse;
  if (client->sse == NULL)
    {
      g_atomic_int_inc (&client->worker->failed);
      g_printerr ("sse: %s\n", error->message);
      return;
    }
  g_atomic_int_inc (&client->worker->connected);
  client_set_open (client, TRUE);
  sse_read (client);
}

/* ---- starting and churning clients ------------------------------------- */

static Client *
client_start (Worker *worker, gboolean ws, gboolean churnable)
{
  Load *load = worker->load;
  Client *client = g_new0 (Client, 1);
  g_autofree char *uri = g_strdup_printf ("%s://%s:%d%s", ws ? "ws" : "http", load->host,
                                          ws ? load->port : load->sse_port,
                                          ws ? load->ws_path : load->sse_path);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);

  client->worker = worker;
  client->is_ws = ws;
  client->churnable = churnable;
  client->cancel = g_cancellable_new ();
  client->sse_buffer = g_string_new (NULL);
  client->busy = TRUE;
  if (ws)
    soup_session_websocket_connect_async (worker->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, client->cancel,
                                          on_ws_connected, client);
  else
    soup_session_send_async (worker->sse_session, msg, G_PRIORITY_DEFAULT, client->cancel, on_sse_sent, client);
  return client;
}

/* Ends a client the way a leaving browser tab does: a close frame for a
 * WebSocket, the connection dropped for SSE. A callback still holding the
 * client frees it (client_still_wanted). */
static void
client_retire (Client *client)
{
  client_set_open (client, FALSE);
  client->retired = TRUE;
  g_cancellable_cancel (client->cancel);
  if (client->ws != NULL)
    {
      SoupWebsocketConnection *ws = g_steal_pointer (&client->ws);

      g_signal_handlers_disconnect_by_data (ws, client);
      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        {
          /* kept until the server's close frame (or libsoup's timeout) */
          g_signal_connect (ws, "closed", G_CALLBACK (g_object_unref), NULL);
          soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
        }
      else
        g_object_unref (ws);
    }
  if (!client->busy)
    client_free (client);
}

/* The next churn-pool client of one kind, round robin: so the oldest one */
static guint
next_churnable (Worker *worker, gboolean ws, guint *cursor)
{
  guint first = ws ? 0 : worker->n_ws, count = ws ? worker->n_ws : worker->n_sse;

  for (guint tries = 0; tries < count; tries++)
    {
      guint i = first + (*cursor)++ % count;

      if (((Client *) worker->clients->pdata[i])->churnable)
        return i;
    }
  return G_MAXUINT;
}

static void
churn_one (Worker *worker, gboolean ws)
{
  guint i = next_churnable (worker, ws, ws ? &worker->churn_next_ws : &worker->churn_next_sse);

  if (i == G_MAXUINT)
    return;
  client_retire (worker->clients->pdata[i]);
  worker->clients->pdata[i] = client_start (worker, ws, TRUE);
  g_mutex_lock (&worker->lock);
  worker->counts.churned++;
  g_mutex_unlock (&worker->lock);
}

/* Once a second: this worker's share of --churn, split between WebSocket
 * and SSE in proportion to their numbers; fractions carry over. */
static gboolean
churn_tick (gpointer data)
{
  Worker *worker = data;
  Load *load = worker->load;
  int total = load->n_ws + load->n_sse;

  if (!measuring (load) || total == 0)
    return G_SOURCE_CONTINUE;
  worker->churn_credit_ws += load->churn_per_s * load->n_ws / total / load->n_threads;
  worker->churn_credit_sse += load->churn_per_s * load->n_sse / total / load->n_threads;
  for (; worker->churn_credit_ws >= 1; worker->churn_credit_ws -= 1)
    churn_one (worker, TRUE);
  for (; worker->churn_credit_sse >= 1; worker->churn_credit_sse -= 1)
    churn_one (worker, FALSE);
  return G_SOURCE_CONTINUE;
}

/* ---- stalled clients ----------------------------------------------------- */

static GSocket *
stalled_client_new (Load *load, gboolean sse)
{
  g_autofree char *request = sse
    ? g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n",
                       load->sse_path, load->host, load->sse_port)
    : g_strdup_printf (
      "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      load->ws_path, load->host, load->port);
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (load->host);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, sse ? load->sse_port : load->port);
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket == NULL || !g_socket_connect (socket, address, NULL, NULL) ||
      g_socket_send (socket, request, strlen (request), NULL, NULL) < 0)
    return NULL;
  return g_steal_pointer (&socket);
}

/* TRUE once the server ended the connection; looks without reading, since
 * what the client has not read must stay unread */
static gboolean
stalled_hung_up (GSocket *socket)
{
  struct pollfd fd = { .fd = g_socket_get_fd (socket), .events = POLLRDHUP };

  return poll (&fd, 1, 0) == 1 && (fd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static guint
renew_stalled_in (Load *load, GPtrArray *stalled, gboolean sse)
{
  guint renewed = 0;

  for (guint i = 0; i < stalled->len; i++)
    if (stalled_hung_up (stalled->pdata[i]))
      {
        GSocket *fresh = stalled_client_new (load, sse);

        if (fresh == NULL)
          continue;
        g_object_unref (stalled->pdata[i]);
        stalled->pdata[i] = fresh;
        renewed++;
      }
  return renewed;
}

/* --renew-stalled, once a second: keeps K stalled clients for the whole run */
static gboolean
renew_stalled (gpointer data)
{
  Load *load = data;

  load->stalled_renewed += renew_stalled_in (load, load->stalled, FALSE);
  load->stalled_renewed += renew_stalled_in (load, load->stalled_sse, TRUE);
  return G_SOURCE_CONTINUE;
}

static guint
count_open_stalled (Load *load)
{
  guint open = 0;

  for (guint i = 0; i < load->stalled->len; i++)
    open += !stalled_hung_up (load->stalled->pdata[i]);
  for (guint i = 0; i < load->stalled_sse->len; i++)
    open += !stalled_hung_up (load->stalled_sse->pdata[i]);
  return open;
}

/* ---- server CPU and memory --------------------------------------------- */

static guint
count_fds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
sample_rss (gpointer data)
{
  Load *load = data;

  if (load->pid > 0)
    load->max_rss_kb = MAX (load->max_rss_kb, load_read_rss_kb (load->pid));
  return G_SOURCE_CONTINUE;
}

/* ---- report ------------------------------------------------------------ */

static void
print_latency (const char *what, GArray *latency)
{
  if (latency->len == 0)
    {
      printf ("%s latency: no messages\n", what);
      return;
    }
  g_array_sort (latency, load_compare_int64);
  printf ("%s latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%u messages)\n", what,
          load_percentile_ms (latency, 0.5), load_percentile_ms (latency, 0.99), load_percentile_ms (latency, 1), latency->len);
}

static void
counts_add (Counts *to, const Counts *from)
{
  to->ws_msgs += from->ws_msgs;
  to->sse_msgs += from->sse_msgs;
  to->ws_seq_msgs += from->ws_seq_msgs;
  to->gaps_steady += from->gaps_steady;
  to->gaps_churned += from->gaps_churned;
  to->churned += from->churned;
}

/* Moves what the workers counted since the last call into @counts and the
 * two arrays: a period's figures, and in the end the whole run's. */
static void
collect (GPtrArray *workers, Counts *counts, GArray *ws_latency, GArray *sse_latency)
{
  for (guint w = 0; w < workers->len; w++)
    {
      Worker *worker = workers->pdata[w];

      g_mutex_lock (&worker->lock);
      counts_add (counts, &worker->counts);
      memset (&worker->counts, 0, sizeof worker->counts);
      g_array_append_vals (ws_latency, worker->ws_latency_us->data, worker->ws_latency_us->len);
      g_array_append_vals (sse_latency, worker->sse_latency_us->data, worker->sse_latency_us->len);
      g_array_set_size (worker->ws_latency_us, 0);
      g_array_set_size (worker->sse_latency_us, 0);
      g_mutex_unlock (&worker->lock);
    }
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
  if (load->stalled->len > 0)
    printf ("stalled: %u of %u closed by the server (%u with close code 1008)\n",
            closed, load->stalled->len, policy);
  if (load->stalled_sse->len > 0)
    {
      closed = 0;
      for (guint i = 0; i < load->stalled_sse->len; i++)
        closed += stalled_hung_up (load->stalled_sse->pdata[i]);
      printf ("stalled SSE: %u of %u closed by the server\n", closed, load->stalled_sse->len);
    }
  if (load->renew_stalled)
    printf ("stalled: %u closed by the server during the run and replaced\n", load->stalled_renewed);
}

static void
report (Load *load, GPtrArray *workers, double seconds, guint64 cpu_ticks, guint64 rss_before_kb)
{
  guint64 ws_closed = 0, sse_closed = 0;
  guint connected = 0, failed = 0;
  Counts *total = &load->total;
  g_autofree char *gaps = NULL;

  collect (workers, total, load->ws_latency_us, load->sse_latency_us);
  for (guint w = 0; w < workers->len; w++)
    {
      Worker *worker = workers->pdata[w];

      connected += worker->connected;
      failed += worker->failed;
      for (guint i = 0; i < worker->clients->len; i++)
        {
          Client *client = worker->clients->pdata[i];

          if (client->is_ws)
            ws_closed += client->stats.closed;
          else
            sse_closed += client->stats.closed;
        }
    }
  /* a server whose samples carry no seq: losses cannot be told */
  if (total->ws_msgs > 0 && total->ws_seq_msgs == 0)
    gaps = g_strdup ("n/a (no seq in the samples)");
  else if (load->churn_per_s > 0)
    gaps = g_strdup_printf ("%" G_GUINT64_FORMAT " (steady clients %" G_GUINT64_FORMAT ", churned %"
                            G_GUINT64_FORMAT ")", total->gaps_steady + total->gaps_churned,
                            total->gaps_steady, total->gaps_churned);
  else
    gaps = g_strdup_printf ("%" G_GUINT64_FORMAT, total->gaps_steady + total->gaps_churned);

  printf ("clients: %d WebSocket, %d SSE, %d stalled, %d client threads; connected %u, failed %u; measured %.1f s\n",
          load->n_ws, load->n_sse, load->n_stall + load->n_sse_stall, load->n_threads, connected, failed, seconds);
  printf ("WebSocket: %" G_GUINT64_FORMAT " messages (%.2f per client per s), seq gaps %s"
          ", closed by server %" G_GUINT64_FORMAT "\n",
          total->ws_msgs, load->n_ws ? total->ws_msgs / (double) load->n_ws / seconds : 0, gaps, ws_closed);
  printf ("SSE: %" G_GUINT64_FORMAT " events (%.2f per client per s), closed by server %" G_GUINT64_FORMAT "\n",
          total->sse_msgs, load->n_sse ? total->sse_msgs / (double) load->n_sse / seconds : 0, sse_closed);
  if (load->churn_per_s > 0)
    printf ("churn: %" G_GUINT64_FORMAT " clients replaced (%.1f per s)\n", total->churned, total->churned / seconds);
  print_latency ("WebSocket", load->ws_latency_us);
  print_latency ("SSE (event age on arrival)", load->sse_latency_us);
  if (load->rest_rate > 0)
    {
      g_array_sort (load->rest_latency_us, load_compare_int64);
      printf ("REST: %" G_GUINT64_FORMAT " answered 200, %" G_GUINT64_FORMAT " failed; p50 %.1f ms, p99 %.1f ms\n",
              load->rest_ok, load->rest_failed, load_percentile_ms (load->rest_latency_us, 0.5),
              load_percentile_ms (load->rest_latency_us, 0.99));
    }
  if (load->pid > 0)
    {
      guint64 rss_after = load_read_rss_kb (load->pid);

      printf ("server: CPU %.1f %% of one core; RSS %.1f MB before the clients, %.1f MB when measuring began, "
              "%.1f MB after, %.1f MB max\n",
              100.0 * cpu_ticks / sysconf (_SC_CLK_TCK) / seconds,
              load->rss_initial_kb / 1024.0, rss_before_kb / 1024.0, rss_after / 1024.0, load->max_rss_kb / 1024.0);
    }
  if (load->sse_pid > 0)
    printf ("SSE server: CPU %.1f %% of one core; RSS %.1f MB when measuring began, %.1f MB after\n",
            100.0 * load->sse_ticks / sysconf (_SC_CLK_TCK) / seconds,
            load->sse_rss_before_kb / 1024.0, load_read_rss_kb (load->sse_pid) / 1024.0);
  fflush (stdout);
}

/* ---- REST polling (--rest-rate) ------------------------------------------ */

typedef struct
{
  Load        *load;
  SoupMessage *msg;
  gint64       start_us;
} RestCall;

static void
on_rest_done (GObject *source, GAsyncResult *result, gpointer data)
{
  RestCall *call = data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  gint64 latency = g_get_monotonic_time () - call->start_us;

  if (body != NULL && soup_message_get_status (call->msg) == SOUP_STATUS_OK)
    {
      call->load->rest_ok++;
      g_array_append_val (call->load->rest_latency_us, latency);
    }
  else
    call->load->rest_failed++;
  g_object_unref (call->msg);
  g_free (call);
}

static gboolean
rest_poll (gpointer data)
{
  Load *load = data;
  RestCall *call = g_new0 (RestCall, 1);

  call->load = load;
  call->msg = soup_message_new (SOUP_METHOD_GET, load->rest_uri);
  call->start_us = g_get_monotonic_time ();
  soup_session_send_and_read_async (load->rest_session, call->msg, G_PRIORITY_DEFAULT, NULL, on_rest_done, call);
  return G_SOURCE_CONTINUE;
}

/* ---- one line per --report-every period ------------------------------------ */

typedef struct
{
  guint   number;
  gint64  start_us;
  guint64 cpu_ticks;
  guint64 rest_ok, rest_failed;
  guint   rest_latency_from;
} Period;

static void
period_begin (Load *load, Period *period)
{
  period->start_us = g_get_monotonic_time ();
  if (load->pid <= 0 || !load_read_cpu_ticks (load->pid, &period->cpu_ticks))
    period->cpu_ticks = 0;
  period->rest_ok = load->rest_ok;
  period->rest_failed = load->rest_failed;
  period->rest_latency_from = load->rest_latency_us->len;
}

static int
count_open (GPtrArray *workers, gboolean ws)
{
  int open = 0;

  for (guint w = 0; w < workers->len; w++)
    {
      Worker *worker = workers->pdata[w];

      open += g_atomic_int_get (ws ? &worker->open_ws : &worker->open_sse);
    }
  return open;
}

static guint
count_failed (GPtrArray *workers)
{
  guint failed = 0;

  for (guint w = 0; w < workers->len; w++)
    failed += g_atomic_int_get (&((Worker *) workers->pdata[w])->failed);
  return failed;
}

/* key=value fields, so that a script can pick what it needs by name */
static void
period_report (Load *load, GPtrArray *workers, Period *period)
{
  Counts counts = { 0 };
  g_autoptr(GArray) ws = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) sse = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) rest = g_array_new (FALSE, FALSE, sizeof (gint64));
  double seconds = (g_get_monotonic_time () - period->start_us) / 1e6;
  double since_start = (g_get_monotonic_time () - load->measure_from_us) / 1e6;
  guint64 ticks = 0;

  collect (workers, &counts, ws, sse);
  counts_add (&load->total, &counts);
  g_array_append_vals (load->ws_latency_us, ws->data, ws->len);
  g_array_append_vals (load->sse_latency_us, sse->data, sse->len);
  g_array_sort (ws, load_compare_int64);
  g_array_sort (sse, load_compare_int64);
  g_array_append_vals (rest, load->rest_latency_us->data + period->rest_latency_from * sizeof (gint64),
                       load->rest_latency_us->len - period->rest_latency_from);
  g_array_sort (rest, load_compare_int64);
  if (load->pid > 0 && load_read_cpu_ticks (load->pid, &ticks))
    ticks -= period->cpu_ticks;

  printf ("period %u t=%.1f seconds=%.1f ws_open=%d sse_open=%d stalled_open=%u failed=%u"
          " ws_msgs=%" G_GUINT64_FORMAT " ws_rate=%.2f sse_msgs=%" G_GUINT64_FORMAT " sse_rate=%.2f"
          " gaps_steady=%" G_GUINT64_FORMAT " gaps_churned=%" G_GUINT64_FORMAT " churned=%" G_GUINT64_FORMAT
          " ws_p50_ms=%.1f ws_p99_ms=%.1f sse_p50_ms=%.1f sse_p99_ms=%.1f"
          " rest_ok=%" G_GUINT64_FORMAT " rest_failed=%" G_GUINT64_FORMAT " rest_p99_ms=%.1f"
          " fds=%u rss_mb=%.1f cpu_pct=%.1f\n",
          ++period->number, since_start, seconds, count_open (workers, TRUE), count_open (workers, FALSE),
          count_open_stalled (load), count_failed (workers),
          counts.ws_msgs, load->n_ws ? counts.ws_msgs / (double) load->n_ws / seconds : 0,
          counts.sse_msgs, load->n_sse ? counts.sse_msgs / (double) load->n_sse / seconds : 0,
          counts.gaps_steady, counts.gaps_churned, counts.churned,
          load_percentile_ms (ws, 0.5), load_percentile_ms (ws, 0.99), load_percentile_ms (sse, 0.5), load_percentile_ms (sse, 0.99),
          load->rest_ok - period->rest_ok, load->rest_failed - period->rest_failed, load_percentile_ms (rest, 0.99),
          load->pid > 0 ? count_fds (load->pid) : 0, load->pid > 0 ? load_read_rss_kb (load->pid) / 1024.0 : 0,
          100.0 * ticks / sysconf (_SC_CLK_TCK) / seconds);
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
  gboolean churn = worker->load->churn_per_s > 0;
  GSource *tick, *churn_timer = NULL;

  g_main_context_push_thread_default (worker->context);
  /* a churned SSE client's connection may linger a moment: room for them */
  worker->session = soup_session_new_with_options ("proxy-resolver", no_proxy,
                                                   "max-conns", 2 * total + 64,
                                                   "max-conns-per-host", 2 * total + 64,
                                                   "timeout", 0, "idle-timeout", 0,
                                                   NULL);
  /* the server refuses compression anyway */
  soup_session_remove_feature_by_type (worker->session, SOUP_TYPE_WEBSOCKET_EXTENSION_MANAGER);
  /* Two connection pools, as two servers (bench/peers.sh's mixed peer) or
   * two browser tabs get: with one pool, WebSocket handshakes mixed with
   * SSE streams to the same server fail against some servers */
  worker->sse_session = worker->load->split_sessions
    ? soup_session_new_with_options ("proxy-resolver", no_proxy,
                                     "max-conns", 2 * total + 64, "max-conns-per-host", 2 * total + 64,
                                     "timeout", 0, "idle-timeout", 0, NULL)
    : g_object_ref (worker->session);

  /* with --churn, every second client of each kind is in the churn pool */
  for (int i = 0; i < total; i++)
    {
      gboolean ws = i < worker->n_ws;
      int index_in_kind = ws ? i : i - worker->n_ws;

      g_ptr_array_add (worker->clients, client_start (worker, ws, churn && index_in_kind % 2 == 1));
    }

  /* wake at least every 50 ms to see the stop flag */
  tick = g_timeout_source_new (50);
  g_source_set_callback (tick, wake_up, NULL, NULL);
  g_source_attach (tick, worker->context);
  if (churn)
    {
      churn_timer = g_timeout_source_new (1000);
      g_source_set_callback (churn_timer, churn_tick, worker, NULL);
      g_source_attach (churn_timer, worker->context);
    }
  while (!g_atomic_int_get (&worker->load->stop))
    g_main_context_iteration (worker->context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  if (churn_timer != NULL)
    {
      g_source_destroy (churn_timer);
      g_source_unref (churn_timer);
    }
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

/* The measurement, in --report-every periods (one, without the option),
 * each ended by the main loop's own timeout so that no period is cut short
 * by a race with the end of the run */
static void
run_measurement (Load *load, GPtrArray *workers)
{
  double left = load->duration_s;
  Period period = { 0 };

  while (left > 0.05)
    {
      double length = load->report_every_s > 0 ? MIN (load->report_every_s, left) : left;

      period_begin (load, &period);
      g_timeout_add ((guint) (length * 1000), quit_loop, load->loop);
      g_main_loop_run (load->loop);
      if (load->report_every_s > 0)
        period_report (load, workers, &period);
      left -= length;
    }
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
  double settle_s = 60;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("— load a Heartsim server with streaming clients");
  g_autoptr(GPtrArray) workers = g_ptr_array_new ();
  double warmup_s = 2;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &load.host, "Server address (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &load.port, "Server port (default 8000)", "PORT" },
    { "sse-port", 0, 0, G_OPTION_ARG_INT, &load.sse_port, "Port of the SSE server (default: --port)", "PORT" },
    { "sse-pid", 0, 0, G_OPTION_ARG_INT, &load.sse_pid, "PID of a separate SSE server, for its CPU and RSS", "PID" },
    { "ws", 0, 0, G_OPTION_ARG_INT, &load.n_ws, "WebSocket clients", "N" },
    { "sse", 0, 0, G_OPTION_ARG_INT, &load.n_sse, "SSE clients", "M" },
    { "stall", 0, 0, G_OPTION_ARG_INT, &load.n_stall, "WebSocket clients that never read", "K" },
    { "sse-stall", 0, 0, G_OPTION_ARG_INT, &load.n_sse_stall, "SSE clients that never read", "K" },
    { "renew-stalled", 0, 0, G_OPTION_ARG_NONE, &load.renew_stalled,
      "Replace a stalled client once the server closed it", NULL },
    { "split-sessions", 0, 0, G_OPTION_ARG_NONE, &load.split_sessions,
      "WebSocket and SSE clients in separate libsoup sessions (connection pools)", NULL },
    { "ws-path", 0, 0, G_OPTION_ARG_STRING, &load.ws_path, "WebSocket path (default /ws/heartbeat)", "PATH" },
    { "sse-path", 0, 0, G_OPTION_ARG_STRING, &load.sse_path, "SSE path (default /api/stream)", "PATH" },
    { "churn", 0, 0, G_OPTION_ARG_DOUBLE, &load.churn_per_s,
      "Close N streaming clients a second and open as many (half of each kind never churn)", "N" },
    { "rest-rate", 0, 0, G_OPTION_ARG_DOUBLE, &load.rest_rate, "REST GETs a second while measuring", "R" },
    { "rest-path", 0, 0, G_OPTION_ARG_STRING, &load.rest_path, "REST path (default /heartbeat/current)", "PATH" },
    { "report-every", 0, 0, G_OPTION_ARG_DOUBLE, &load.report_every_s,
      "Print a \"period\" line every S seconds of the measurement", "S" },
    { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle_s, "Seconds to wait for every client to connect (default 60)", "S" },
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
  guint rss_timer, rest_timer = 0, renew_timer = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heart-load: %s\n", error->message);
      return 2;
    }
  if (load.host == NULL)
    load.host = g_strdup ("127.0.0.1");
  if (load.sse_port == 0)
    load.sse_port = load.port;
  if (load.ws_path == NULL)
    load.ws_path = g_strdup ("/ws/heartbeat");
  if (load.sse_path == NULL)
    load.sse_path = g_strdup ("/api/stream");
  if (load.rest_path == NULL)
    load.rest_path = g_strdup ("/heartbeat/current");
  if (load.ws_path[0] != '/' || load.sse_path[0] != '/' || load.rest_path[0] != '/')
    {
      g_printerr ("heart-load: a path begins with /\n");
      return 2;
    }
  load.n_threads = CLAMP (load.n_threads, 1, 64);
  load.ws_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.sse_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.rest_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  load.rest_uri = g_strdup_printf ("http://%s:%d%s", load.host, load.port, load.rest_path);

  raise_fd_limit ();
  if (load.pid > 0)
    load.rss_initial_kb = load_read_rss_kb (load.pid);
  load.stalled = g_ptr_array_new_with_free_func (g_object_unref);
  load.stalled_sse = g_ptr_array_new_with_free_func (g_object_unref);
  /* libsoup's classes initialised here, once: the workers creating their
   * first sessions at the same moment deadlocked once in GLib 2.74's class
   * initialisation, with every thread waiting and no client connected */
  g_object_unref (soup_session_new ());
  for (int t = 0; t < load.n_threads; t++)
    {
      Worker *worker = g_new0 (Worker, 1);

      worker->load = &load;
      worker->context = g_main_context_new ();
      worker->clients = g_ptr_array_new ();
      g_mutex_init (&worker->lock);
      worker->ws_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      worker->sse_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      worker->n_ws = load.n_ws / load.n_threads + (t < load.n_ws % load.n_threads);
      worker->n_sse = load.n_sse / load.n_threads + (t < load.n_sse % load.n_threads);
      g_ptr_array_add (workers, worker);
      worker->thread = g_thread_new ("heart-load", worker_run, worker);
    }
  for (int i = 0; i < load.n_stall + load.n_sse_stall; i++)
    {
      gboolean sse = i >= load.n_stall;
      GSocket *socket = stalled_client_new (&load, sse);

      if (socket != NULL)
        g_ptr_array_add (sse ? load.stalled_sse : load.stalled, socket);
    }

  deadline = g_get_monotonic_time () + (gint64) (settle_s * G_USEC_PER_SEC);
  while (count_settled (workers) < (guint) (load.n_ws + load.n_sse) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  printf ("settled %u of %d streaming clients, %u stalled clients\n",
          count_settled (workers), load.n_ws + load.n_sse, load.stalled->len + load.stalled_sse->len);
  fflush (stdout);

  load.loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add ((guint) (warmup_s * 1000), quit_loop, load.loop);
  g_main_loop_run (load.loop);

  if (load.pid > 0)
    {
      load_read_cpu_ticks (load.pid, &ticks_before);
      rss_before = load_read_rss_kb (load.pid);
      load.max_rss_kb = rss_before;
    }
  if (load.sse_pid > 0)
    {
      load_read_cpu_ticks (load.sse_pid, &load.sse_ticks);
      load.sse_rss_before_kb = load_read_rss_kb (load.sse_pid);
    }
  load.measure_until_us = g_get_monotonic_time () + (gint64) (load.duration_s * G_USEC_PER_SEC);
  g_atomic_pointer_set ((gpointer *) &load.measure_from_us, GSIZE_TO_POINTER (g_get_monotonic_time ()));
  rss_timer = g_timeout_add (1000, sample_rss, &load);
  if (load.rest_rate > 0)
    {
      g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);

      load.rest_session = soup_session_new_with_options ("proxy-resolver", no_proxy, NULL);
      rest_timer = g_timeout_add (MAX (1, (guint) (1000 / load.rest_rate)), rest_poll, &load);
    }
  if (load.renew_stalled)
    renew_timer = g_timeout_add (1000, renew_stalled, &load);
  run_measurement (&load, workers);
  g_source_remove (rss_timer);
  if (rest_timer != 0)
    g_source_remove (rest_timer);
  if (renew_timer != 0)
    g_source_remove (renew_timer);
  if (load.pid > 0)
    load_read_cpu_ticks (load.pid, &ticks_after);
  if (load.sse_pid > 0)
    {
      guint64 ticks = 0;

      load_read_cpu_ticks (load.sse_pid, &ticks);
      load.sse_ticks = ticks - load.sse_ticks;
    }

  if (load.terminate && load.pid > 0)
    terminate_server (&load, workers);

  g_atomic_int_set (&load.stop, 1);
  for (guint w = 0; w < workers->len; w++)
    g_thread_join (((Worker *) workers->pdata[w])->thread);

  report (&load, workers, load.duration_s, ticks_after - ticks_before, rss_before);
  if (load.stalled->len > 0 || load.stalled_sse->len > 0)
    report_stalled (&load);
  /* the process exit closes every socket; no teardown to measure */
  return count_settled (workers) < (guint) (load.n_ws + load.n_sse) ? 1 : 0;
}
