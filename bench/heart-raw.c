/* heart-raw.c: many WebSocket and SSE clients on bare sockets, for latency
 *
 *   heart-raw --port 8000 --ws 1000 --sse 1000 --duration 20 --pid $(pidof heartsim)
 *
 * heart-load is built on libsoup's client, which spends tens of µs on each
 * message it receives: with thousands of clients on the same two cores its
 * own queueing is most of what it measures. This client does the least a
 * client can: plain sockets in epoll sets (one per thread), the HTTP
 * upgrade or request written by hand, WebSocket frames and HTTP chunks
 * parsed in place, pings answered. Each message's latency is its receive
 * time minus the sample's "timestamp" (milliseconds in Heartsim's samples,
 * so a figure is good to about 1 ms, and is an upper bound by up to that);
 * "seq", where a sample has one, counts gaps. It prints the lines
 * heart-load prints, so bench/peers.sh can use either (HEART_LOAD=).
 * Loopback only; it stops by itself after --duration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load-util.h"

typedef enum { KIND_WS, KIND_SSE } Kind;

typedef struct
{
  int         fd;
  Kind        kind;
  gboolean    in_body;     /* past the answer's head */
  gboolean    chunked;
  gboolean    closed;
  GByteArray *in;          /* raw bytes not parsed yet */
  GString    *events;      /* SSE: de-chunked text not parsed yet */
  guint64     last_seq;
  guint64     messages, gaps;
  gboolean    has_seq;
  int         close_code;
} Client;

typedef struct _Load Load;

typedef struct
{
  Load      *load;
  GThread   *thread;
  int        epoll_fd;
  GPtrArray *clients;
  GArray    *ws_latency_us;
  GArray    *sse_latency_us;
} Worker;

struct _Load
{
  int     port, sse_port;
  int     n_ws, n_sse, n_threads;
  char   *ws_path, *sse_path;
  gint64  measure_from, measure_until;   /* real time µs; 0 until known */
  gint    heads;                         /* answers' heads received */
  gint    failed;
  gint    stop;
};

/* ---- messages ---------------------------------------------------------- */

static void
on_message (Worker     *worker,
            Client     *client,
            const char *json,
            gsize       length)
{
  Load *load = worker->load;
  gint64 now = g_get_real_time ();
  const char *ts = load_find_value (json, length, "timestamp");
  const char *seq = load_find_value (json, length, "seq");
  gint64 from = load->measure_from, until = load->measure_until;

  /* the "connected" message and others without a sample */
  if (ts == NULL || *ts != '"')
    return;
  if (seq != NULL)
    {
      guint64 value = g_ascii_strtoull (seq, NULL, 10);

      client->has_seq = TRUE;
      /* SSE events come on a cadence, not every tick */
      if (client->kind == KIND_WS && client->last_seq > 0 && value > client->last_seq + 1 && from > 0 && now >= from && now < until)
        client->gaps += value - client->last_seq - 1;
      client->last_seq = value;
    }
  if (from > 0 && now >= from && now < until)
    {
      gint64 latency = now - load_parse_timestamp (ts + 1);

      client->messages++;
      g_array_append_val (client->kind == KIND_WS ? worker->ws_latency_us : worker->sse_latency_us, latency);
    }
}

static void
send_all (int         fd,
          const void *data,
          gsize       length)
{
  while (length > 0)
    {
      ssize_t sent = send (fd, data, length, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        return;
      data = (const char *) data + sent;
      length -= (gsize) sent;
    }
}

/* A masked client frame: a pong for a ping, or the close answer */
static void
send_frame (Client       *client,
            guint8        opcode,
            const guint8 *payload,
            gsize         length)
{
  guint8 frame[2 + 4 + 125];
  static const guint8 mask[4] = { 1, 2, 3, 4 };

  length = MIN (length, 125);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | (guint8) length;
  memcpy (frame + 2, mask, 4);
  for (gsize i = 0; i < length; i++)
    frame[6 + i] = payload[i] ^ mask[i % 4];
  send_all (client->fd, frame, 6 + length);
}

/* Whole frames off the front of the input */
static void
parse_frames (Worker *worker,
              Client *client)
{
  const guint8 *data = client->in->data;
  gsize have = client->in->len, pos = 0;

  for (;;)
    {
      gsize header = 2, length;
      guint8 opcode;

      if (have - pos < 2)
        break;
      opcode = data[pos] & 0x0f;
      length = data[pos + 1] & 0x7f;
      if (length == 126)
        {
          if (have - pos < 4)
            break;
          length = (gsize) data[pos + 2] << 8 | data[pos + 3];
          header = 4;
        }
      else if (length == 127)
        {
          if (have - pos < 10)
            break;
          length = 0;
          for (int i = 0; i < 8; i++)
            length = length << 8 | data[pos + 2 + i];
          header = 10;
        }
      if (have - pos < header + length)
        break;

      if (opcode == 0x1)
        on_message (worker, client, (const char *) data + pos + header, length);
      else if (opcode == 0x9)
        send_frame (client, 0xA, data + pos + header, length);
      else if (opcode == 0x8)
        {
          client->close_code = length >= 2 ? data[pos + header] << 8 | data[pos + header + 1] : 1005;
          send_frame (client, 0x8, data + pos + header, MIN (length, 2));
          client->closed = TRUE;
        }
      pos += header + length;
    }
  g_byte_array_remove_range (client->in, 0, (guint) pos);
}

/* SSE: whole events off the de-chunked text */
static void
parse_events (Worker *worker,
              Client *client)
{
  gsize pos = 0;
  const char *end;

  while ((end = strstr (client->events->str + pos, "\n\n")) != NULL)
    {
      const char *event = client->events->str + pos;
      const char *data = strstr (event, "data: ");

      if (data != NULL && data < end)
        on_message (worker, client, data + 6, (gsize) (end - data - 6));
      pos = (gsize) (end + 2 - client->events->str);
    }
  g_string_erase (client->events, 0, (gssize) pos);
}

static void
parse_sse (Worker *worker,
           Client *client)
{
  if (!client->chunked)
    {
      g_string_append_len (client->events, (const char *) client->in->data, client->in->len);
      g_byte_array_set_size (client->in, 0);
    }
  else
    for (;;)
      {
        const char *data = (const char *) client->in->data;
        const char *line_end = g_strstr_len (data, client->in->len, "\r\n");
        gsize size, header;

        if (line_end == NULL)
          break;
        size = (gsize) g_ascii_strtoull (data, NULL, 16);
        header = (gsize) (line_end + 2 - data);
        if (client->in->len < header + size + 2)
          break;
        if (size == 0)
          client->closed = TRUE;
        g_string_append_len (client->events, data + header, (gssize) size);
        g_byte_array_remove_range (client->in, 0, (guint) (header + size + 2));
      }
  parse_events (worker, client);
}

static void
parse_head (Client *client)
{
  const char *data = (const char *) client->in->data;
  const char *end = g_strstr_len (data, client->in->len, "\r\n\r\n");
  g_autofree char *head = NULL;

  if (end == NULL)
    return;
  head = g_ascii_strdown (data, end - data);
  client->chunked = strstr (head, "transfer-encoding: chunked") != NULL;
  if (!g_str_has_prefix (head, client->kind == KIND_WS ? "http/1.1 101" : "http/1.1 200"))
    {
      client->closed = TRUE;
      return;
    }
  client->in_body = TRUE;
  g_byte_array_remove_range (client->in, 0, (guint) (end + 4 - data));
}

static void
on_readable (Worker *worker,
             Client *client)
{
  guint8 buffer[65536];
  ssize_t got;

  while ((got = recv (client->fd, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
    {
      g_byte_array_append (client->in, buffer, (guint) got);
      if (!client->in_body)
        {
          parse_head (client);
          if (client->in_body)
            g_atomic_int_inc (&worker->load->heads);
          else if (client->closed)
            g_atomic_int_inc (&worker->load->failed);
        }
      if (client->in_body)
        {
          if (client->kind == KIND_WS)
            parse_frames (worker, client);
          else
            parse_sse (worker, client);
        }
    }
  if (got == 0 || client->closed)
    {
      client->closed = TRUE;
      epoll_ctl (worker->epoll_fd, EPOLL_CTL_DEL, client->fd, NULL);
    }
}

/* ---- threads and connections ---------------------------------------------- */

static gpointer
run_worker (gpointer data)
{
  Worker *worker = data;
  struct epoll_event events[512];

  while (!g_atomic_int_get (&worker->load->stop))
    {
      int ready = epoll_wait (worker->epoll_fd, events, G_N_ELEMENTS (events), 100);

      for (int i = 0; i < ready; i++)
        on_readable (worker, events[i].data.ptr);
    }
  return NULL;
}

static Client *
client_connect (Load *load,
                Kind  kind)
{
  int port = kind == KIND_SSE && load->sse_port > 0 ? load->sse_port : load->port;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  g_autofree char *request = NULL;
  Client *client;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;

  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      if (fd >= 0)
        close (fd);
      g_atomic_int_inc (&load->failed);
      return NULL;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  request = kind == KIND_WS
    ? g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                       load->ws_path, port)
    : g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n\r\n",
                       load->sse_path, port);
  send_all (fd, request, strlen (request));

  client = g_new0 (Client, 1);
  client->fd = fd;
  client->kind = kind;
  client->in = g_byte_array_new ();
  client->events = g_string_new (NULL);
  return client;
}

static void
raise_fd_limit (int wanted)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t) wanted)
    {
      limit.rlim_cur = MIN (limit.rlim_max, (rlim_t) wanted);
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* ---- the report ------------------------------------------------------------ */

static guint64
cpu_ticks (int pid)
{
  guint64 ticks = 0;

  load_read_cpu_ticks (pid, &ticks);
  return ticks;
}

static void
print_latency (const char *what,
               GArray     *values)
{
  if (values->len == 0)
    {
      printf ("%s latency: no messages\n", what);
      return;
    }
  g_array_sort (values, load_compare_int64);
  printf ("%s latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%u messages)\n", what,
          load_percentile_ms (values, 0.5), load_percentile_ms (values, 0.99),
          load_percentile_ms (values, 1.0), values->len);
}

/* A server's CPU over the run and its memory */
typedef struct
{
  int     pid;
  guint64 cpu_before;
  guint64 rss_before;
} Server;

static void
server_start (Server *server,
              int     pid)
{
  server->pid = pid;
  if (pid > 0)
    server->rss_before = load_read_rss_kb (pid);
}

static void
print_server (const char *what,
              Server     *server,
              double      seconds)
{
  if (server->pid <= 0)
    return;
  printf ("%s: CPU %.1f %% of one core; RSS %.1f MB before the clients, %.1f MB after\n", what,
          (cpu_ticks (server->pid) - server->cpu_before) * 100.0 / sysconf (_SC_CLK_TCK) / seconds,
          server->rss_before / 1024.0, load_read_rss_kb (server->pid) / 1024.0);
}

static void
report (Load    *load,
        Worker  *workers,
        double   seconds,
        Server  *server,
        Server  *sse_server)
{
  g_autofree char *gaps_text = NULL;
  gboolean has_seq = FALSE;
  g_autoptr(GArray) ws_latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) sse_latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint64 ws_messages = 0, sse_messages = 0, gaps = 0, ws_closed = 0, sse_closed = 0;

  for (int t = 0; t < load->n_threads; t++)
    {
      for (guint i = 0; i < workers[t].clients->len; i++)
        {
          Client *client = workers[t].clients->pdata[i];

          if (client->kind == KIND_WS)
            ws_messages += client->messages, ws_closed += client->closed;
          else
            sse_messages += client->messages, sse_closed += client->closed;
          gaps += client->gaps;
          has_seq |= client->kind == KIND_WS && client->has_seq;
        }
      g_array_append_vals (ws_latency, workers[t].ws_latency_us->data, workers[t].ws_latency_us->len);
      g_array_append_vals (sse_latency, workers[t].sse_latency_us->data, workers[t].sse_latency_us->len);
    }

  printf ("clients: %d WebSocket, %d SSE, 0 stalled, %d client threads; connected %d, failed %d; measured %.1f s\n",
          load->n_ws, load->n_sse, load->n_threads, g_atomic_int_get (&load->heads),
          g_atomic_int_get (&load->failed), seconds);
  /* a sample without seq (the prototypes') cannot tell a gap */
  gaps_text = has_seq ? g_strdup_printf ("%" G_GUINT64_FORMAT, gaps) : g_strdup ("n/a");
  printf ("WebSocket: %" G_GUINT64_FORMAT " messages (%.2f per client per s), seq gaps %s"
          ", closed by server %" G_GUINT64_FORMAT "\n",
          ws_messages, load->n_ws ? ws_messages / seconds / load->n_ws : 0, gaps_text, ws_closed);
  printf ("SSE: %" G_GUINT64_FORMAT " events (%.2f per client per s), closed by server %" G_GUINT64_FORMAT "\n",
          sse_messages, load->n_sse ? sse_messages / seconds / load->n_sse : 0, sse_closed);
  print_latency ("WebSocket", ws_latency);
  print_latency ("SSE (event age on arrival)", sse_latency);
  print_server ("server", server, seconds);
  print_server ("SSE server", sse_server, seconds);
}

int
main (int    argc,
      char **argv)
{
  Load load = { .port = 8000, .n_threads = 2 };
  double duration = 10, warmup = 2, settle = 30;
  int pid = 0, sse_pid = 0;
  gboolean split_sessions = FALSE;
  Server server = { 0 }, sse_server = { 0 };
  g_autofree char *ws_path = NULL, *sse_path = NULL;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &load.port, "Server port on 127.0.0.1 (default 8000)", "PORT" },
    { "ws", 0, 0, G_OPTION_ARG_INT, &load.n_ws, "WebSocket clients", "N" },
    { "sse", 0, 0, G_OPTION_ARG_INT, &load.n_sse, "SSE clients", "M" },
    { "ws-path", 0, 0, G_OPTION_ARG_STRING, &ws_path, "WebSocket path (default /ws/heartbeat)", "PATH" },
    { "sse-path", 0, 0, G_OPTION_ARG_STRING, &sse_path, "SSE path (default /api/stream)", "PATH" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &load.n_threads, "Client threads (default 2)", "T" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds to measure (default 10)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Seconds after connecting before measuring (default 2)", "S" },
    { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle, "Longest wait for every answer (default 30)", "S" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &pid, "Server PID, for its CPU and RSS", "PID" },
    { "sse-port", 0, 0, G_OPTION_ARG_INT, &load.sse_port, "SSE clients to this port instead", "PORT" },
    { "sse-pid", 0, 0, G_OPTION_ARG_INT, &sse_pid, "That server's PID", "PID" },
    { "split-sessions", 0, 0, G_OPTION_ARG_NONE, &split_sessions,
      "Accepted for heart-load's sake: every client here has a connection of its own", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— bare-socket streaming clients against a Heartsim");
  g_autoptr(GError) error = NULL;
  Worker *workers;
  gint64 deadline;
  int total;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || load.n_threads < 1 || duration <= 0)
    {
      fprintf (stderr, "heart-raw: %s\n", error ? error->message : "bad option");
      return 2;
    }
  load.ws_path = ws_path ? ws_path : "/ws/heartbeat";
  load.sse_path = sse_path ? sse_path : "/api/stream";
  total = load.n_ws + load.n_sse;
  raise_fd_limit (total + 64);
  server_start (&server, pid);
  server_start (&sse_server, sse_pid);

  workers = g_new0 (Worker, load.n_threads);
  for (int t = 0; t < load.n_threads; t++)
    {
      workers[t].load = &load;
      workers[t].epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
      workers[t].clients = g_ptr_array_new ();
      workers[t].ws_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      workers[t].sse_latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      workers[t].thread = g_thread_new ("client", run_worker, &workers[t]);
    }
  for (int i = 0; i < total; i++)
    {
      Worker *worker = &workers[i % load.n_threads];
      Client *client = client_connect (&load, i < load.n_ws ? KIND_WS : KIND_SSE);
      struct epoll_event event = { .events = EPOLLIN };

      if (client == NULL)
        continue;
      g_ptr_array_add (worker->clients, client);
      event.data.ptr = client;
      epoll_ctl (worker->epoll_fd, EPOLL_CTL_ADD, client->fd, &event);
    }

  deadline = g_get_monotonic_time () + (gint64) (settle * G_USEC_PER_SEC);
  while (g_atomic_int_get (&load.heads) + g_atomic_int_get (&load.failed) < total &&
         g_get_monotonic_time () < deadline)
    g_usleep (20000);
  printf ("settled %d of %d streaming clients, 0 stalled clients\n", g_atomic_int_get (&load.heads), total);
  fflush (stdout);

  g_usleep ((gulong) (warmup * G_USEC_PER_SEC));
  server.cpu_before = pid > 0 ? cpu_ticks (pid) : 0;
  sse_server.cpu_before = sse_pid > 0 ? cpu_ticks (sse_pid) : 0;
  load.measure_until = G_MAXINT64;
  load.measure_from = g_get_real_time ();
  g_usleep ((gulong) (duration * G_USEC_PER_SEC));
  load.measure_until = g_get_real_time ();
  /* the workers see the window closed before they are stopped */
  g_usleep (100000);
  g_atomic_int_set (&load.stop, 1);
  for (int t = 0; t < load.n_threads; t++)
    g_thread_join (workers[t].thread);

  report (&load, workers, duration, &server, &sse_server);
  for (int t = 0; t < load.n_threads; t++)
    for (guint i = 0; i < workers[t].clients->len; i++)
      close (((Client *) workers[t].clients->pdata[i])->fd);
  return 0;
}
