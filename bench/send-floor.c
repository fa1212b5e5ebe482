/* send-floor.c: what this machine allows a fan-out, with no server at all
 *
 *   send-floor --clients 1000 --rate 2 --duration 10 [--size 300]
 *
 * Opens N loopback TCP connections to itself, with the server sockets set
 * up as Heartsim's are (TCP_NODELAY, 64 KiB send buffer), and at each tick
 * sends one message of --size bytes to every one in a bare loop of send()
 * calls, as a server's broadcast would at best. A receiver thread drains
 * the other ends with epoll, as a load client would at best. Prints the
 * time one broadcast takes, and each message's delivery latency (received
 * minus the tick's start, monotonic clock). Loopback only; it stops by
 * itself after --duration.
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

typedef struct
{
  int     n;
  int    *senders;      /* server side */
  int    *receivers;    /* client side */
  gsize   size;
  int     n_senders;    /* threads sharing each broadcast */
  gint64  tick_start;   /* monotonic µs, written before each broadcast */
  GArray *latency_us;   /* gint64, the receiver's */
  gint    stop;
} Floor;

static void
die (const char *what)
{
  fprintf (stderr, "send-floor: %s: %s\n", what, strerror (errno));
  exit (1);
}

static void
connect_pairs (Floor *f)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int listener = socket (AF_INET, SOCK_STREAM, 0);
  int one = 1, sndbuf = 64 * 1024;

  if (listener < 0 || bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 4096) != 0 || getsockname (listener, (struct sockaddr *) &address, &length) != 0)
    die ("listen");

  for (int i = 0; i < f->n; i++)
    {
      f->receivers[i] = socket (AF_INET, SOCK_STREAM, 0);
      if (f->receivers[i] < 0 || connect (f->receivers[i], (struct sockaddr *) &address, sizeof address) != 0)
        die ("connect");
      f->senders[i] = accept (listener, NULL, NULL);
      if (f->senders[i] < 0)
        die ("accept");
      setsockopt (f->senders[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      setsockopt (f->senders[i], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
  close (listener);
}

static gpointer
receive (gpointer data)
{
  Floor *f = data;
  int epoll = epoll_create1 (0);
  struct epoll_event events[256];
  char buffer[65536];

  for (int i = 0; i < f->n; i++)
    {
      struct epoll_event event = { .events = EPOLLIN, .data.fd = f->receivers[i] };

      epoll_ctl (epoll, EPOLL_CTL_ADD, f->receivers[i], &event);
    }
  while (!g_atomic_int_get (&f->stop))
    {
      int ready = epoll_wait (epoll, events, G_N_ELEMENTS (events), 100);

      for (int k = 0; k < ready; k++)
        {
          ssize_t got = recv (events[k].data.fd, buffer, sizeof buffer, MSG_DONTWAIT);
          gint64 latency = g_get_monotonic_time () - f->tick_start;

          /* one message a tick each: a read is a message */
          if (got > 0)
            g_array_append_val (f->latency_us, latency);
        }
    }
  close (epoll);
  return NULL;
}

typedef struct
{
  Floor *f;
  int    first, last;
} Share;

static gpointer
send_share (gpointer data)
{
  Share *share = data;
  Floor *f = share->f;
  char message[4096];

  memset (message, 'x', sizeof message);
  for (int i = share->first; i < share->last; i++)
    if (send (f->senders[i], message, MIN (f->size, sizeof message), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
        errno != EAGAIN)
      die ("send");
  return NULL;
}

/* One tick's sends, split between n_senders threads */
static void
broadcast (Floor *f)
{
  GThread *threads[16];
  Share shares[16];

  for (int t = 0; t < f->n_senders; t++)
    {
      shares[t] = (Share) { f, f->n * t / f->n_senders, f->n * (t + 1) / f->n_senders };
      threads[t] = t == 0 ? NULL : g_thread_new ("sender", send_share, &shares[t]);
    }
  send_share (&shares[0]);
  for (int t = 1; t < f->n_senders; t++)
    g_thread_join (threads[t]);
}

int
main (int    argc,
      char **argv)
{
  int clients = 1000, rate = 2, duration = 10, size = 300, senders = 1;
  GOptionEntry entries[] = {
    { "clients", 'n', 0, G_OPTION_ARG_INT, &clients, "Connections (default 1000)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_INT, &rate, "Broadcasts per second (default 2)", "HZ" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "Seconds (default 10)", "S" },
    { "size", 's', 0, G_OPTION_ARG_INT, &size, "Message bytes (default 300, at most 4096)", "B" },
    { "senders", 0, 0, G_OPTION_ARG_INT, &senders, "Threads sharing each broadcast (default 1)", "T" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— a bare send() loop over loopback sockets");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) broadcast_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  struct rlimit limit;
  GThread *receiver;
  Floor f = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || clients < 1 || rate < 1 || size < 1 ||
      size > 4096 || senders < 1 || senders > 16)
    {
      fprintf (stderr, "send-floor: %s\n", error ? error->message : "bad option");
      return 2;
    }
  /* two descriptors a connection */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t) (2 * clients + 64))
    {
      limit.rlim_cur = MIN (limit.rlim_max, (rlim_t) (2 * clients + 64));
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  f.n = clients;
  f.size = (gsize) size;
  f.n_senders = senders;
  f.senders = g_new (int, clients);
  f.receivers = g_new (int, clients);
  f.latency_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  connect_pairs (&f);
  receiver = g_thread_new ("receiver", receive, &f);

  for (int tick = 0; tick < duration * rate; tick++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 took;

      g_atomic_int_set (&f.stop, 0);
      f.tick_start = start;
      broadcast (&f);
      took = g_get_monotonic_time () - start;
      g_array_append_val (broadcast_us, took);
      g_usleep (MAX (0, G_USEC_PER_SEC / rate - took));
    }
  g_atomic_int_set (&f.stop, 1);
  g_thread_join (receiver);
  g_array_sort (broadcast_us, load_compare_int64);
  g_array_sort (f.latency_us, load_compare_int64);

  printf ("%d connections, %d Hz, %d bytes, %d s, %d sending thread(s)\n", clients, rate, size, duration, senders);
  printf ("broadcast (the sender's loop of send()): p50 %.2f ms, p99 %.2f ms, %.2f µs a send\n",
          load_percentile_ms (broadcast_us, 0.5), load_percentile_ms (broadcast_us, 0.99),
          load_percentile_ms (broadcast_us, 0.5) * 1000.0 / clients);
  printf ("delivery (received minus the tick's start): p50 %.2f ms, p99 %.2f ms (%u messages)\n",
          load_percentile_ms (f.latency_us, 0.5), load_percentile_ms (f.latency_us, 0.99), f.latency_us->len);

  for (int i = 0; i < f.n; i++)
    {
      close (f.senders[i]);
      close (f.receivers[i]);
    }
  g_free (f.senders);
  g_free (f.receivers);
  g_array_unref (f.latency_us);
  return 0;
}
