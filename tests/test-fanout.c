/* test-fanout.c: the fan-out as raw sockets see it (docs/architecture.md, Fan-out)
 *
 * The simulator here has no timer: heart_simulator_advance() makes one tick.
 * The server sends a tick's frames from inside that call, so each client's
 * socket holds them as soon as it returns, before the main loop runs again;
 * these tests read the sockets right then, byte for byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "heart-history.h"
#include "heart-server.h"
#include "heart-server-json.h"
#include "heart-server-peer.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */
#define N_CLIENTS 8

typedef struct
{
  HeartSimulator *simulator;
  HeartHistory   *history;
  HeartServer    *server;
  guint           port;
} Fixture;

/* A client on a plain socket: what the server wrote, as it wrote it */
typedef struct
{
  GSocket    *socket;
  GByteArray *in;
  gboolean    eof;
} RawClient;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->simulator = heart_simulator_new_manual (7, START_US);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->simulator));
  /* data: how many threads share the streams (0: the server's own loop;
   * 1: a thread of their own, as in the desktop app; 2: shards) */
  f->server = g_object_new (HEART_TYPE_SERVER,
                            "simulator", f->simulator,
                            "history", f->history,
                            "fanout-threads", GPOINTER_TO_UINT (data),
                            NULL);
  /* no pings while a test runs, however slow the machine: these readers
   * take every frame for a sample (the control-frames test pings us); and
   * no client dropped for being slow to read on a loaded machine: the
   * queue-bounded test's stalled client goes when its queue is full */
  heart_server_set_ping_interval_s (f->server, 3600, 3600 * 1000);
  heart_server_set_stall_timeout_ms (f->server, 60 * 1000 * test_slowdown ());
  heart_server_set_port (f->server, 0);
  heart_server_start (f->server, &error);
  g_assert_no_error (error);
  f->port = heart_server_get_port (f->server);
  heart_simulator_start (f->simulator);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  heart_server_stop (f->server);
  heart_server_wait_closed (f->server, 1000);
  g_clear_object (&f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->simulator);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- raw clients ------------------------------------------------------------ */

static RawClient *
raw_connect (Fixture    *f,
             const char *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, f->port);
  RawClient *client = g_new0 (RawClient, 1);

  client->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* the kernel completes a loopback connect from the backlog */
  g_socket_connect (client->socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (client->socket, FALSE);
  g_socket_send_with_blocking (client->socket, request, strlen (request), TRUE, NULL, &error);
  g_assert_no_error (error);
  client->in = g_byte_array_new ();
  return client;
}

static void
raw_free (RawClient *client)
{
  g_socket_close (client->socket, NULL);
  g_object_unref (client->socket);
  g_byte_array_unref (client->in);
  g_free (client);
}

/* Whatever the socket holds now, without waiting; TRUE if anything came */
static gboolean
raw_read (RawClient *client)
{
  gboolean got = FALSE;

  for (;;)
    {
      guint8 buffer[4096];
      gssize n = g_socket_receive (client->socket, (char *) buffer, sizeof buffer, NULL, NULL);

      if (n == 0)
        client->eof = TRUE;
      if (n <= 0)
        return got;
      g_byte_array_append (client->in, buffer, (guint) n);
      got = TRUE;
    }
}

static void
raw_consume (RawClient *client,
             gsize      length)
{
  g_byte_array_remove_range (client->in, 0, (guint) length);
}

/* Waits for the answer's head and takes it off the input; its status */
static guint
raw_read_head (RawClient *client)
{
  const char *end = NULL;
  guint status = 0;

  WAIT_FOR ((raw_read (client), client->in->len > 0 &&
             (end = g_strstr_len ((const char *) client->in->data, client->in->len, "\r\n\r\n")) != NULL));
  g_assert_true (sscanf ((const char *) client->in->data, "HTTP/1.1 %u", &status) == 1);
  raw_consume (client, (gsize) (end + 4 - (const char *) client->in->data));
  return status;
}

#define WEBSOCKET_REQUEST \
  "GET /ws/heartbeat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
#define SSE_REQUEST "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* The length of the whole server frame at the front of the input, 0 if it
 * is not all in; @opcode and @payload (not owned) */
static gsize
raw_frame (RawClient     *client,
           guint         *opcode,
           const guint8 **payload,
           gsize         *payload_len)
{
  const guint8 *data = client->in->data;
  gsize have = client->in->len, header = 2, length;

  if (have < 2)
    return 0;
  g_assert_false (data[1] & 0x80);  /* server frames are not masked */
  length = data[1] & 0x7f;
  if (length == 126)
    {
      if (have < 4)
        return 0;
      length = (gsize) data[2] << 8 | data[3];
      header = 4;
    }
  g_assert_cmpuint (length, <, 127 * 1024);
  if (have < header + length)
    return 0;
  *opcode = data[0] & 0x0f;
  *payload = data + header;
  *payload_len = length;
  return header + length;
}

/* The next whole frame, waiting for it if it is not in; its bytes */
static GBytes *
raw_next_frame (RawClient *client,
                guint     *opcode)
{
  const guint8 *payload = NULL;
  gsize payload_len = 0, size = 0;
  GBytes *frame;

  WAIT_FOR ((raw_read (client), (size = raw_frame (client, opcode, &payload, &payload_len)) > 0));
  frame = g_bytes_new (client->in->data, size);
  raw_consume (client, size);
  return frame;
}

/* The whole HTTP chunk at the front of the input, 0 if not all in */
static gsize
raw_chunk (RawClient *client)
{
  const char *data = (const char *) client->in->data;
  const char *line_end = g_strstr_len (data, client->in->len, "\r\n");
  guint64 length;

  if (line_end == NULL)
    return 0;
  length = g_ascii_strtoull (data, NULL, 16);
  if (client->in->len < (gsize) (line_end + 2 - data) + length + 2)
    return 0;
  return (gsize) (line_end + 2 - data) + length + 2;
}

/* A masked client frame (clients must mask) */
static void
raw_send_frame (RawClient  *client,
                guint8      first_byte,
                const char *payload,
                gsize       length,
                gboolean    masked)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  guint8 header[2] = { first_byte, (guint8) ((masked ? 0x80 : 0) | length) };

  g_assert_cmpuint (length, <, 126);
  g_byte_array_append (frame, header, 2);
  if (masked)
    g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = (guint8) payload[i] ^ (masked ? mask[i % 4] : 0);

      g_byte_array_append (frame, &byte, 1);
    }
  g_socket_send_with_blocking (client->socket, (const char *) frame->data, frame->len, TRUE, NULL, NULL);
}

static JsonNode *
parse_payload (GBytes *frame)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (frame, &size);
  gsize header = ((const guint8 *) data)[1] == 126 ? 4 : 2;
  g_autofree char *text = g_strndup (data + header, size - header);

  return test_parse_json (text);
}

/* A WebSocket client past its handshake and its "connected" message */
static RawClient *
websocket_client (Fixture *f)
{
  RawClient *client = raw_connect (f, WEBSOCKET_REQUEST);
  g_autoptr(GBytes) hello = NULL;
  g_autoptr(JsonNode) json = NULL;
  guint opcode = 0;

  g_assert_cmpuint (raw_read_head (client), ==, 101);
  hello = raw_next_frame (client, &opcode);
  g_assert_cmpuint (opcode, ==, 1);
  json = parse_payload (hello);
  g_assert_cmpstr (test_json_string (json, "type"), ==, "connected");
  return client;
}

/* Reads @client's frames until the one of @seq: every sample frame in
 * between must come, in order; returns them */
static GPtrArray *
read_samples_until (RawClient *client,
                    guint64    first_seq,
                    guint64    last_seq)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint64 expected = first_seq;

  while (expected <= last_seq)
    {
      guint opcode = 0;
      GBytes *frame = raw_next_frame (client, &opcode);
      g_autoptr(JsonNode) json = NULL;

      g_assert_cmpuint (opcode, ==, 1);
      json = parse_payload (frame);
      g_assert_cmpint (test_json_int (json, "seq"), ==, (gint64) expected);
      g_ptr_array_add (frames, frame);
      expected++;
    }
  return frames;
}

/* ---- tests ------------------------------------------------------------------------ */

/* Every WebSocket client has the tick's frame when the tick returns, the
 * same bytes for all, carrying the sample the tick made */
static void
test_websocket_on_the_tick (Fixture       *f,
                            gconstpointer  data)
{
  RawClient *clients[N_CLIENTS];

  heart_simulator_advance (f->simulator, 0.5);
  for (guint i = 0; i < N_CLIENTS; i++)
    clients[i] = websocket_client (f);

  for (guint tick = 0; tick < 20; tick++)
    {
      const HeartSample *sample;
      g_autoptr(GBytes) first = NULL;
      g_autoptr(JsonNode) json = NULL;

      heart_simulator_advance (f->simulator, 0.5);
      sample = heart_history_get_latest (f->history);
      for (guint i = 0; i < N_CLIENTS; i++)
        {
          const guint8 *payload = NULL;
          gsize payload_len = 0, size;
          guint opcode = 0;

          /* no main-loop turn since the tick */
          g_assert_true (raw_read (clients[i]));
          size = raw_frame (clients[i], &opcode, &payload, &payload_len);
          g_assert_cmpuint (size, ==, clients[i]->in->len);   /* one whole frame, nothing else */
          g_assert_cmpuint (opcode, ==, 1);
          if (first == NULL)
            first = g_bytes_new (clients[i]->in->data, size);
          else
            g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first),
                             clients[i]->in->data, size);
          raw_consume (clients[i], size);
        }
      json = parse_payload (first);
      g_assert_cmpint (test_json_int (json, "seq"), ==, (gint64) sample->seq);
      g_assert_cmpint (test_json_int (json, "bpm"), ==, sample->bpm);
    }

  for (guint i = 0; i < N_CLIENTS; i++)
    raw_free (clients[i]);
}

/* /api/stream: an event on each tick that falls on the one-second cadence
 * (every second 500 ms tick), written by that tick, the same bytes for
 * every client, carrying that tick's sample */
static void
test_sse_on_the_tick (Fixture       *f,
                      gconstpointer  data)
{
  RawClient *clients[N_CLIENTS];
  guint events = 0;
  guint64 last_event_seq = 0;

  heart_simulator_advance (f->simulator, 0.5);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      clients[i] = raw_connect (f, SSE_REQUEST);
      g_assert_cmpuint (raw_read_head (clients[i]), ==, 200);
      /* the comment line and the latest sample */
      WAIT_FOR ((raw_read (clients[i]), g_strstr_len ((const char *) clients[i]->in->data,
                                                      clients[i]->in->len, "\"seq\":1,") != NULL &&
                 clients[i]->in->data[clients[i]->in->len - 1] == '\n'));
      g_byte_array_set_size (clients[i]->in, 0);
    }

  for (guint tick = 0; tick < 20; tick++)
    {
      const HeartSample *sample;
      g_autoptr(GString) expected = g_string_new (NULL);
      g_autofree char *chunk_head = NULL;
      gboolean got = FALSE;

      heart_simulator_advance (f->simulator, 0.5);
      sample = heart_history_get_latest (f->history);
      for (guint i = 0; i < N_CLIENTS; i++)
        {
          gboolean this_got = raw_read (clients[i]);

          g_assert_true (i == 0 || this_got == got);   /* all or none */
          got = this_got;
        }
      if (!got)
        continue;

      /* on the cadence: a second after the last event */
      g_assert_true (last_event_seq == 0 || sample->seq == last_event_seq + 2);
      last_event_seq = sample->seq;
      events++;
      heart_sse_append_event (expected, sample);
      chunk_head = g_strdup_printf ("%x\r\n", (guint) expected->len);
      for (guint i = 0; i < N_CLIENTS; i++)
        {
          gsize size = raw_chunk (clients[i]);
          const char *text = (const char *) clients[i]->in->data;

          g_assert_cmpuint (size, ==, clients[i]->in->len);
          g_assert_true (g_str_has_prefix (text, chunk_head));
          g_assert_cmpmem (text + strlen (chunk_head), expected->len, expected->str, expected->len);
          g_byte_array_set_size (clients[i]->in, 0);
        }
    }
  g_assert_cmpuint (events, ==, 10);

  for (guint i = 0; i < N_CLIENTS; i++)
    raw_free (clients[i]);
}

/* Pings are answered with their payload, a close with the same code, and
 * a frame that breaks the protocol closes with 1002 */
static void
test_websocket_control_frames (Fixture       *f,
                               gconstpointer  data)
{
  RawClient *client = websocket_client (f);
  RawClient *rude = websocket_client (f);
  g_autoptr(GBytes) pong = NULL, close = NULL, refusal = NULL;
  guint opcode = 0;
  const guint8 *bytes;

  raw_send_frame (client, 0x89, "are you there", 13, TRUE);
  pong = raw_next_frame (client, &opcode);
  g_assert_cmpuint (opcode, ==, 0xA);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (pong, NULL) + 2, 13, "are you there", 13);

  /* a text message is read and dropped */
  raw_send_frame (client, 0x81, "hello", 5, TRUE);
  raw_send_frame (client, 0x88, "\x0f\xa0" "bye", 5, TRUE);   /* 4000 */
  close = raw_next_frame (client, &opcode);
  g_assert_cmpuint (opcode, ==, 0x8);
  bytes = g_bytes_get_data (close, NULL);
  g_assert_cmpuint (bytes[2] << 8 | bytes[3], ==, 4000);
  WAIT_FOR ((raw_read (client), client->eof));

  /* clients must mask their frames */
  raw_send_frame (rude, 0x81, "unmasked", 8, FALSE);
  refusal = raw_next_frame (rude, &opcode);
  g_assert_cmpuint (opcode, ==, 0x8);
  bytes = g_bytes_get_data (refusal, NULL);
  g_assert_cmpuint (bytes[2] << 8 | bytes[3], ==, 1002);
  raw_send_frame (rude, 0x88, "\x03\xea", 2, TRUE);
  WAIT_FOR ((raw_read (rude), rude->eof));
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 0);

  raw_free (client);
  raw_free (rude);
}

/* A client that reads nothing is dropped once its queue is full; one that
 * reads gets every tick, in order, meanwhile */
static void
test_queue_bounded (Fixture       *f,
                    gconstpointer  data)
{
  RawClient *reader = websocket_client (f);
  RawClient *stalled = websocket_client (f);
  guint64 expected_seq = 0;
  guint tick = 0;
  int small = 4096;

  setsockopt (g_socket_get_fd (stalled->socket), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 2);

  /* the kernel's buffers take a few hundred frames, the queue 256 more */
  for (tick = 0; tick < 5000 && heart_server_get_websocket_clients (f->server) == 2; tick++)
    {
      heart_simulator_advance (f->simulator, 0.5);
      /* a fan-out thread reports counts through this context */
      g_main_context_iteration (NULL, FALSE);
      for (;;)
        {
          g_autoptr(JsonNode) json = NULL;
          g_autoptr(GBytes) frame = NULL;
          const guint8 *payload = NULL;
          gsize payload_len = 0, size;
          guint opcode = 0;

          raw_read (reader);
          size = raw_frame (reader, &opcode, &payload, &payload_len);
          if (size == 0)
            break;
          frame = g_bytes_new (reader->in->data, size);
          json = parse_payload (frame);
          if (expected_seq > 0)
            g_assert_cmpint (test_json_int (json, "seq"), ==, (gint64) expected_seq);
          expected_seq = (guint64) test_json_int (json, "seq") + 1;
          raw_consume (reader, size);
        }
    }
  g_assert_cmpuint (tick, <, 5000);
  g_assert_cmpuint (heart_server_get_websocket_clients (f->server), ==, 1);
  /* the reader still gets every tick, to the last */
  {
    guint64 last_seq = heart_history_get_latest (f->history)->seq;

    if (expected_seq <= last_seq)
      g_ptr_array_unref (read_samples_until (reader, expected_seq, last_seq));
  }

  raw_free (reader);
  raw_free (stalled);
}

/* The streams' own thread: what the server's thread hands it comes out in
 * order, every tick, the same bytes for each client, with the values of
 * the sample the server's thread made; counts come back to it */
static void
test_thread_ordered_lossless (Fixture       *f,
                              gconstpointer  data)
{
  RawClient *clients[N_CLIENTS];
  RawClient *sse = NULL;
  guint64 first_seq, last_seq;
  guint events = 0;

  heart_simulator_advance (f->simulator, 0.5);
  for (guint i = 0; i < N_CLIENTS; i++)
    clients[i] = websocket_client (f);
  sse = raw_connect (f, SSE_REQUEST);
  g_assert_cmpuint (raw_read_head (sse), ==, 200);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == N_CLIENTS &&
            heart_server_get_sse_clients (f->server) == 1);

  /* bursts faster than a thread can be scheduled: the queue keeps them */
  first_seq = heart_history_get_latest (f->history)->seq + 1;
  for (guint burst = 0; burst < 4; burst++)
    {
      g_autoptr(GPtrArray) reference = NULL;

      for (guint tick = 0; tick < 100; tick++)
        heart_simulator_advance (f->simulator, 0.5);
      last_seq = heart_history_get_latest (f->history)->seq;
      for (guint i = 0; i < N_CLIENTS; i++)
        {
          g_autoptr(GPtrArray) frames = read_samples_until (clients[i], first_seq, last_seq);

          if (reference == NULL)
            {
              reference = g_ptr_array_ref (frames);
              for (guint k = 0; k < frames->len; k++)
                {
                  g_autoptr(JsonNode) json = parse_payload (frames->pdata[k]);
                  GArray *sample = heart_history_query_since (f->history, first_seq + k - 1, 1);

                  g_assert_cmpint (test_json_int (json, "bpm"), ==, g_array_index (sample, HeartSample, 0).bpm);
                  g_array_unref (sample);
                }
              continue;
            }
          for (guint k = 0; k < frames->len; k++)
            g_assert_true (g_bytes_equal (frames->pdata[k], reference->pdata[k]));
        }
      first_seq = last_seq + 1;
    }

  /* the SSE client: one event every second tick, each its sample's */
  {
    g_autofree char *last = g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT ",", last_seq);
    g_autofree char *before_last = g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT ",", last_seq - 1);

    WAIT_FOR ((raw_read (sse), g_byte_array_append (sse->in, (const guint8 *) "", 1),
               g_byte_array_set_size (sse->in, sse->in->len - 1),
               sse->in->len > 0 && (g_strstr_len ((const char *) sse->in->data, sse->in->len, last) != NULL ||
                                    g_strstr_len ((const char *) sse->in->data, sse->in->len, before_last) != NULL)));
    g_byte_array_append (sse->in, (const guint8 *) "", 1);
  }
  {
    g_auto(GStrv) lines = g_strsplit ((const char *) sse->in->data, "\n", -1);
    guint64 previous = 0;

    for (guint i = 0; lines[i] != NULL; i++)
      {
        guint64 seq;

        if (!g_str_has_prefix (lines[i], "id: "))
          continue;
        seq = g_ascii_strtoull (lines[i] + 4, NULL, 10);
        g_assert_true (previous == 0 || previous == 1 || seq == previous + 2);
        previous = seq;
        events++;
      }
  }
  g_assert_cmpuint (events, >=, 200);

  for (guint i = 0; i < N_CLIENTS; i++)
    raw_free (clients[i]);
  raw_free (sse);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 0 &&
            heart_server_get_sse_clients (f->server) == 0);
}

/* Stopping the server closes every stream of the thread with 1001 */
static void
test_thread_shutdown (Fixture       *f,
                      gconstpointer  data)
{
  RawClient *clients[N_CLIENTS];

  for (guint i = 0; i < N_CLIENTS; i++)
    clients[i] = websocket_client (f);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == N_CLIENTS);

  heart_server_stop (f->server);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autoptr(GBytes) close = NULL;
      const guint8 *bytes;
      guint opcode = 0;

      close = raw_next_frame (clients[i], &opcode);
      g_assert_cmpuint (opcode, ==, 0x8);
      bytes = g_bytes_get_data (close, NULL);
      g_assert_cmpuint (bytes[2] << 8 | bytes[3], ==, 1001);
      raw_send_frame (clients[i], 0x88, "\x03\xe9", 2, TRUE);
    }
  g_assert_true (heart_server_wait_closed (f->server, 5000));
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      WAIT_FOR ((raw_read (clients[i]), clients[i]->eof));
      raw_free (clients[i]);
    }
}

/* A stream's connection, taken from libsoup and handed to the streams,
 * still counts against the connection cap until it closes */
static void
test_streams_count_against_cap (Fixture       *f,
                                gconstpointer  data)
{
  RawClient *clients[4];
  RawClient *refused, *later;

  heart_server_set_connection_limits (f->server, 4, 0, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = websocket_client (f);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 4);
  g_assert_cmpuint (heart_server_get_connection_count (f->server), ==, 4);

  refused = raw_connect (f, SSE_REQUEST);
  g_assert_cmpuint (raw_read_head (refused), ==, 503);
  raw_free (refused);

  /* one leaves: its place is free again */
  raw_free (clients[0]);
  WAIT_FOR (heart_server_get_connection_count (f->server) == 3);
  later = raw_connect (f, SSE_REQUEST);
  g_assert_cmpuint (raw_read_head (later), ==, 200);
  raw_free (later);
  for (guint i = 1; i < G_N_ELEMENTS (clients); i++)
    raw_free (clients[i]);
  WAIT_FOR (heart_server_get_connection_count (f->server) == 0);
}

/* Event streams are chunked: HTTP/1.0 has no chunks */
static void
test_sse_needs_http11 (Fixture       *f,
                       gconstpointer  data)
{
  RawClient *client = raw_connect (f, "GET /api/stream HTTP/1.0\r\n\r\n");
  const char *text;

  WAIT_FOR ((raw_read (client), client->eof));
  g_byte_array_append (client->in, (const guint8 *) "", 1);
  text = (const char *) client->in->data;
  g_assert_true (g_str_has_prefix (text, "HTTP/1.0 505") || g_str_has_prefix (text, "HTTP/1.1 505"));
  g_assert_nonnull (strstr (text, "HTTP/1.1"));
  raw_free (client);
}

/* Threads of this process named like the shards */
static guint
count_shard_threads (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint count = 0;

  g_assert_nonnull (tasks);
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL) && g_str_has_prefix (name, "heartsim-fan"))
        count++;
    }
  return count;
}

/* An idle server runs no shard and holds no copy of the history: the
 * shards start with the first client, from the history and settings as
 * they are then, and every client after it still gets every tick */
static void
test_shards_start_with_first_client (Fixture       *f,
                                     gconstpointer  data)
{
  RawClient *clients[3];

  for (guint tick = 0; tick < 10; tick++)
    heart_simulator_advance (f->simulator, 0.5);
  g_assert_cmpuint (count_shard_threads (), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = websocket_client (f);
  g_assert_cmpuint (count_shard_threads (), ==, GPOINTER_TO_UINT (data));
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == G_N_ELEMENTS (clients));

  {
    guint64 first_seq = heart_history_get_latest (f->history)->seq + 1, last_seq;

    for (guint tick = 0; tick < 6; tick++)
      heart_simulator_advance (f->simulator, 0.5);
    last_seq = heart_history_get_latest (f->history)->seq;
    for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
      {
        g_autoptr(GPtrArray) frames = read_samples_until (clients[i], first_seq, last_seq);

        g_assert_cmpuint (frames->len, ==, last_seq - first_seq + 1);
      }
  }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    raw_free (clients[i]);
}

int
main (int    argc,
      char **argv)
{
  /* these tests only talk to 127.0.0.1 (see test-server.c) */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, GUINT_TO_POINTER (0), fixture_setup, func, fixture_teardown)
#define ADD_THREADED(path, func) g_test_add (path, Fixture, GUINT_TO_POINTER (1), fixture_setup, func, fixture_teardown)
#define ADD_SHARDED(path, func) g_test_add (path, Fixture, GUINT_TO_POINTER (2), fixture_setup, func, fixture_teardown)
  ADD ("/fanout/websocket-on-the-tick", test_websocket_on_the_tick);
  ADD ("/fanout/sse-on-the-tick", test_sse_on_the_tick);
  ADD ("/fanout/websocket-control-frames", test_websocket_control_frames);
  ADD ("/fanout/queue-bounded", test_queue_bounded);
  ADD ("/fanout/sse-needs-http11", test_sse_needs_http11);
  ADD ("/fanout/streams-count-against-cap", test_streams_count_against_cap);
  ADD_THREADED ("/fanout/thread/ordered-lossless", test_thread_ordered_lossless);
  ADD_THREADED ("/fanout/thread/control-frames", test_websocket_control_frames);
  ADD_THREADED ("/fanout/thread/queue-bounded", test_queue_bounded);
  ADD_THREADED ("/fanout/thread/shutdown", test_thread_shutdown);
  ADD_THREADED ("/fanout/thread/streams-count-against-cap", test_streams_count_against_cap);
  /* clients dealt to two threads in turn: each tick still reaches every
   * client in order, with the same bytes, and every count adds up */
  ADD_SHARDED ("/fanout/shards/ordered-lossless", test_thread_ordered_lossless);
  ADD_SHARDED ("/fanout/shards/queue-bounded", test_queue_bounded);
  ADD_SHARDED ("/fanout/shards/shutdown", test_thread_shutdown);
  ADD_SHARDED ("/fanout/shards/streams-count-against-cap", test_streams_count_against_cap);
  ADD_SHARDED ("/fanout/shards/start-with-first-client", test_shards_start_with_first_client);
#undef ADD_SHARDED
#undef ADD_THREADED
#undef ADD

  return g_test_run ();
}
