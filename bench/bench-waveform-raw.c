/* bench-waveform-raw.c: many WebSocket clients of a waveform, on bare sockets
 *
 *   bench-waveform-raw --port 8000 --clients 1000 --types ecg --duration 20 --pid $(pidof heartsim)
 *
 * Each client asks /ws/stream?types=ecg and checks that every frame starts
 * where the one before ended ("index" + the number of "values"): a frame
 * that does not is a gap, i.e. samples lost. Clients are plain sockets in
 * epoll sets, one per thread, as bench/heart-raw does, so that the client
 * costs least on the machine it shares with the server.
 *
 * Latency: a frame carries no send time, and none is added to the wire
 * for this. What it carries is the wall-clock time of its first sample
 * ("t0", milliseconds, rounded down) and the rate, so the time of its last
 * sample is t0 + (n - 1) / fs; the simulator sends a block once its last
 * sample is made, within a sample's time (4 ms at 250 Hz). Arrival minus
 * that is therefore the age of the newest sample on arrival, and an upper
 * bound of the delivery time by less than 1 / fs + 1 ms. The first client
 * to get each frame shows that floor: the same figure for the fastest
 * arrival of each frame is printed too. Loopback only; it stops by itself
 * after --duration.
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

#define MAX_TYPES 4

typedef struct
{
  int         fd;
  gboolean    in_body;
  gboolean    closed;
  int         close_code;
  GByteArray *in;
  gboolean    started[MAX_TYPES];      /* has had a frame of each type */
  guint64     next_index[MAX_TYPES];
  guint64     frames;       /* in the measured window */
  guint64     samples;
  guint64     gaps;         /* frames that did not follow on, in the window */
} Client;

typedef struct _Load Load;

typedef struct
{
  Load       *load;
  GThread    *thread;
  int         epoll_fd;
  GPtrArray  *clients;
  GArray     *latency_us;    /* every frame's, every client */
  GHashTable *first_us;      /* index and type -> the least latency of that frame here (gint64 *) */
} Worker;

struct _Load
{
  int     port;
  int     n_clients, n_threads;
  char   *path;
  char  **types;                         /* the waveforms asked for */
  gint64  measure_from, measure_until;   /* real time µs; 0 until known */
  gint    heads;
  gint    failed;
  gint    stop;
};

/* ---- frames ------------------------------------------------------------------ */

/* The number of values of the "values" array that starts at @p ('[') */
static guint
count_values (const char *p,
              const char *end)
{
  guint n = 0;
  gboolean any = FALSE;

  for (p++; p < end && *p != ']'; p++)
    {
      if (*p == ',')
        n++;
      else if (*p != ' ')
        any = TRUE;
    }
  return any ? n + 1 : 0;
}

static void
on_message (Worker     *worker,
            Client     *client,
            const char *json,
            gsize       length)
{
  Load *load = worker->load;
  gint64 now = g_get_real_time ();
  const char *end = json + length;
  const char *index_text = load_find_value (json, length, "index");
  const char *t0_text = load_find_value (json, length, "t0");
  const char *fs_text = load_find_value (json, length, "fs");
  const char *values = load_find_value (json, length, "values");
  const char *type = load_find_value (json, length, "type");
  guint slot = 0;
  gboolean measuring = load->measure_from > 0 && now >= load->measure_from && now < load->measure_until;
  guint64 index;
  double fs;
  guint n;

  /* the "connected" message */
  if (index_text == NULL || t0_text == NULL || *t0_text != '"' || fs_text == NULL || values == NULL || *values != '[' ||
      type == NULL)
    return;
  /* each waveform's indices run on by themselves */
  while (load->types[slot] != NULL &&
         !(strncmp (type + 1, load->types[slot], strlen (load->types[slot])) == 0 &&
           type[1 + strlen (load->types[slot])] == '"'))
    slot++;
  if (load->types[slot] == NULL)
    return;
  index = g_ascii_strtoull (index_text, NULL, 10);
  fs = g_ascii_strtod (fs_text, NULL);
  n = count_values (values, end);

  if (measuring)
    {
      client->frames++;
      client->samples += n;
      if (client->started[slot] && index != client->next_index[slot])
        client->gaps++;
    }
  client->started[slot] = TRUE;
  client->next_index[slot] = index + n;

  if (measuring && n > 0 && fs > 0)
    {
      gint64 newest_us = load_parse_timestamp (t0_text + 1) + (gint64) ((n - 1) * G_USEC_PER_SEC / fs);
      gint64 latency = now - newest_us;
      gsize key = (gsize) index * MAX_TYPES + slot;
      gint64 *first = g_hash_table_lookup (worker->first_us, GSIZE_TO_POINTER (key));

      g_array_append_val (worker->latency_us, latency);
      if (first == NULL)
        {
          first = g_new (gint64, 1);
          *first = latency;
          g_hash_table_insert (worker->first_us, GSIZE_TO_POINTER (key), first);
        }
      else if (latency < *first)
        *first = latency;
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
          const char *head = (const char *) client->in->data;
          const char *head_end = g_strstr_len (head, client->in->len, "\r\n\r\n");

          if (head_end == NULL)
            continue;
          if (!g_str_has_prefix (head, "HTTP/1.1 101"))
            {
              client->closed = TRUE;
              g_atomic_int_inc (&worker->load->failed);
              break;
            }
          client->in_body = TRUE;
          g_atomic_int_inc (&worker->load->heads);
          g_byte_array_remove_range (client->in, 0, (guint) (head_end + 4 - head));
        }
      parse_frames (worker, client);
    }
  if (got == 0 || client->closed)
    {
      client->closed = TRUE;
      epoll_ctl (worker->epoll_fd, EPOLL_CTL_DEL, client->fd, NULL);
    }
}

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
client_connect (Load *load)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (load->port),
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
  request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                             load->path, load->port);
  send_all (fd, request, strlen (request));

  client = g_new0 (Client, 1);
  client->fd = fd;
  client->in = g_byte_array_new ();
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

/* ---- the report -------------------------------------------------------------- */

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
      printf ("%s: no frames\n", what);
      return;
    }
  g_array_sort (values, load_compare_int64);
  printf ("%s: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%u frames)\n", what,
          load_percentile_ms (values, 0.5), load_percentile_ms (values, 0.99),
          load_percentile_ms (values, 1.0), values->len);
}

static void
report (Load    *load,
        Worker  *workers,
        double   seconds,
        int      pid,
        guint64  cpu_before,
        guint64  rss_before_kb)
{
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) first_us = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint64 frames = 0, samples = 0, gaps = 0, closed = 0, gapped_clients = 0;
  guint64 min_frames = G_MAXUINT64, max_frames = 0;
  GHashTableIter iter;
  gpointer key, value;

  for (int t = 0; t < load->n_threads; t++)
    {
      for (guint i = 0; i < workers[t].clients->len; i++)
        {
          Client *client = workers[t].clients->pdata[i];

          frames += client->frames;
          samples += client->samples;
          gaps += client->gaps;
          gapped_clients += client->gaps > 0;
          closed += client->closed;
          min_frames = MIN (min_frames, client->frames);
          max_frames = MAX (max_frames, client->frames);
        }
      g_array_append_vals (latency, workers[t].latency_us->data, workers[t].latency_us->len);
      /* the fastest arrival of each frame, over every thread's clients */
      g_hash_table_iter_init (&iter, workers[t].first_us);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gint64 *best = g_hash_table_lookup (first_us, key);

          if (best == NULL || *(gint64 *) value < *best)
            g_hash_table_insert (first_us, key, value);
        }
    }
  g_hash_table_iter_init (&iter, first_us);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_array_append_val (first, *(gint64 *) value);

  printf ("clients: %d WebSocket on %s, %d client threads; connected %d, failed %d; measured %.1f s\n",
          load->n_clients, load->path, load->n_threads, g_atomic_int_get (&load->heads),
          g_atomic_int_get (&load->failed), seconds);
  printf ("frames: %" G_GUINT64_FORMAT " (%.2f per client per s, %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT
          " a client), samples %.1f per client per s\n",
          frames, load->n_clients ? frames / seconds / load->n_clients : 0,
          min_frames == G_MAXUINT64 ? 0 : min_frames, max_frames,
          load->n_clients ? samples / seconds / load->n_clients : 0);
  printf ("gaps (a frame not starting where the one before ended): %" G_GUINT64_FORMAT
          " in %" G_GUINT64_FORMAT " clients; closed by server %" G_GUINT64_FORMAT "\n",
          gaps, gapped_clients, closed);
  print_latency ("newest sample's age on arrival, every client", latency);
  print_latency ("the same, first client to get each frame", first);
  if (pid > 0)
    printf ("server: CPU %.1f %% of one core; RSS %.1f MB before the clients, %.1f MB after\n",
            (cpu_ticks (pid) - cpu_before) * 100.0 / sysconf (_SC_CLK_TCK) / seconds,
            rss_before_kb / 1024.0, load_read_rss_kb (pid) / 1024.0);
}

int
main (int    argc,
      char **argv)
{
  Load load = { .port = 8000, .n_clients = 1000, .n_threads = 2 };
  double duration = 10, warmup = 2, settle = 30;
  int pid = 0;
  g_autofree char *types = NULL;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &load.port, "Server port on 127.0.0.1 (default 8000)", "PORT" },
    { "clients", 'n', 0, G_OPTION_ARG_INT, &load.n_clients, "WebSocket clients (default 1000)", "N" },
    { "types", 0, 0, G_OPTION_ARG_STRING, &types, "The waveform to ask for (default ecg)", "NAME" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &load.n_threads, "Client threads (default 2)", "T" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds to measure (default 10)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Seconds after connecting before measuring (default 2)", "S" },
    { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle, "Longest wait for every answer (default 30)", "S" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &pid, "Server PID, for its CPU and RSS", "PID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— waveform WebSocket clients against a Heartsim");
  g_autoptr(GError) error = NULL;
  guint64 cpu_before = 0, rss_before_kb = 0;
  Worker *workers;
  gint64 deadline;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || load.n_threads < 1 || duration <= 0 ||
      load.n_clients < 1)
    {
      fprintf (stderr, "bench-waveform-raw: %s\n", error ? error->message : "bad option");
      return 2;
    }
  load.path = g_strdup_printf ("/ws/stream?types=%s", types ? types : "ecg");
  load.types = g_strsplit (types ? types : "ecg", ",", MAX_TYPES);
  raise_fd_limit (load.n_clients + 64);
  if (pid > 0)
    rss_before_kb = load_read_rss_kb (pid);

  workers = g_new0 (Worker, load.n_threads);
  for (int t = 0; t < load.n_threads; t++)
    {
      workers[t].load = &load;
      workers[t].epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
      workers[t].clients = g_ptr_array_new ();
      workers[t].latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      workers[t].first_us = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
      workers[t].thread = g_thread_new ("client", run_worker, &workers[t]);
    }
  for (int i = 0; i < load.n_clients; i++)
    {
      Worker *worker = &workers[i % load.n_threads];
      Client *client = client_connect (&load);
      struct epoll_event event = { .events = EPOLLIN };

      if (client == NULL)
        continue;
      g_ptr_array_add (worker->clients, client);
      event.data.ptr = client;
      epoll_ctl (worker->epoll_fd, EPOLL_CTL_ADD, client->fd, &event);
    }

  deadline = g_get_monotonic_time () + (gint64) (settle * G_USEC_PER_SEC);
  while (g_atomic_int_get (&load.heads) + g_atomic_int_get (&load.failed) < load.n_clients &&
         g_get_monotonic_time () < deadline)
    g_usleep (20000);
  printf ("settled %d of %d clients\n", g_atomic_int_get (&load.heads), load.n_clients);
  fflush (stdout);

  g_usleep ((gulong) (warmup * G_USEC_PER_SEC));
  cpu_before = pid > 0 ? cpu_ticks (pid) : 0;
  load.measure_until = G_MAXINT64;
  load.measure_from = g_get_real_time ();
  g_usleep ((gulong) (duration * G_USEC_PER_SEC));
  load.measure_until = g_get_real_time ();
  /* the workers see the window closed before they are stopped */
  g_usleep (100000);
  g_atomic_int_set (&load.stop, 1);
  for (int t = 0; t < load.n_threads; t++)
    g_thread_join (workers[t].thread);

  report (&load, workers, duration, pid, cpu_before, rss_before_kb);
  for (int t = 0; t < load.n_threads; t++)
    for (guint i = 0; i < workers[t].clients->len; i++)
      close (((Client *) workers[t].clients->pdata[i])->fd);
  return 0;
}
