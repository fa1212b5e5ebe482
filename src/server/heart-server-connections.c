/* heart-server-connections.c: accepting clients, and keeping their number
 * and their lifetime bounded
 *
 * The server accepts on its own listening sockets and hands each client to
 * libsoup as a stream (soup_server_accept_iostream), so that it always
 * knows every client and its descriptor. docs/reliability.md has the why:
 *  - libsoup 3.2 never closes a keep-alive connection that the client closes
 *    between requests; the held-back end of stream (heart-connection-input.c)
 *    lets us take the connection from libsoup and close it;
 *  - libsoup's own listener stops accepting for good after one failed
 *    accept (EMFILE); ours pauses and tries again;
 *  - beyond HEART_SERVER_MAX_CONNECTIONS a client gets a 503 and is closed;
 *  - a connection that sends no request, sends it too slowly, or is never
 *    done with its answer is closed after a bounded time. Streams (SSE,
 *    WebSocket) have their own checks in heart-server-streams.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "heart-connection-input.h"
#include "heart-server-connections.h"
#include "heart-server-json.h"

#define ACCEPTS_PER_WAKEUP      64
#define ACCEPT_RETRY_MS         100    /* after EMFILE: try again this soon */
#define SWEEP_INTERVAL_MS       250
#define LINGER_MS               1000   /* after a refusal, let the client read it */
#define RESERVED_DESCRIPTORS    128    /* files, pipes, the window's own */

typedef enum {
  PHASE_READING,      /* a request is being read (or awaited on a new connection) */
  PHASE_ANSWERING,    /* read; the answer is not written yet */
  PHASE_IDLE,         /* kept alive between requests */
  PHASE_STREAMING,    /* SSE or WebSocket: bounded by heart-server-streams.c */
  PHASE_REFUSED,      /* taken from libsoup to answer and close */
} Phase;

typedef struct
{
  HeartConnections     *owner;
  GSocket              *socket;
  GSocketAddress       *remote;      /* the key from a message back to us */
  HeartConnectionInput *input;       /* owned by libsoup's stream */
  SoupServerMessage    *last_msg;    /* to take an idle connection from libsoup */
  GIOStream            *taken;       /* when taken from libsoup */
  GBytes               *refusal;     /* the answer to write when refused */
  Phase                 phase;
  gint64                since_us;    /* when the phase began */
  guint                 take_id;
} Connection;

typedef struct
{
  HeartConnections *owner;
  GSocket          *socket;
  GSource          *source;
} Listener;

struct _HeartConnections
{
  SoupServer *soup;
  GPtrArray  *listeners;
  GHashTable *connections;           /* Connection* set */
  guint       max_connections;       /* 0: below the descriptor limit */
  guint       request_timeout_ms;
  guint       idle_timeout_ms;
  guint       answer_timeout_ms;
  guint       sweep_id;
  guint       retry_id;
  guint       max_connections_now;
  guint64     refused;
  gint        streams;               /* released to the fan-out, not closed yet */
  gboolean    hold_idle_eof;         /* libsoup < 3.3 */
};

/* looked up on every request: G_DEFINE_QUARK interns the name once */
static GQuark connection_quark (void);
G_DEFINE_QUARK (heart-connection, connection)

/* ---- canned answers --------------------------------------------------------- */

GBytes *
heart_connections_format_answer (guint       status,
                                 const char *detail)
{
  GString *body = g_string_new ("{\"detail\":");
  GString *out = g_string_new (NULL);

  heart_json_append_string (body, detail);
  g_string_append_c (body, '}');
  g_string_append_printf (out,
                          "HTTP/1.1 %u %s\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Cache-Control: no-store\r\n"
                          "Access-Control-Allow-Origin: *\r\n"
                          "Connection: close\r\n"
                          "%s"
                          "\r\n%s",
                          status, soup_status_get_phrase (status), body->len,
                          status == SOUP_STATUS_SERVICE_UNAVAILABLE ? "Retry-After: 1\r\n" : "",
                          body->str);
  g_string_free (body, TRUE);
  return g_string_free_to_bytes (out);
}

/* ---- connections -------------------------------------------------------------- */

static void
set_phase (Connection *conn,
           Phase       phase)
{
  conn->phase = phase;
  conn->since_us = g_get_monotonic_time ();
  if (conn->input != NULL)
    heart_connection_input_set_hold_eof (conn->input,
                                         phase == PHASE_IDLE && conn->owner->hold_idle_eof);
}

static void
connection_free (Connection *conn)
{
  g_clear_handle_id (&conn->take_id, g_source_remove);
  if (conn->input != NULL)
    {
      g_signal_handlers_disconnect_by_data (conn->input, conn);
      g_object_remove_weak_pointer (G_OBJECT (conn->input), (gpointer *) &conn->input);
    }
  g_object_set_qdata (G_OBJECT (conn->remote), connection_quark (), NULL);
  g_clear_object (&conn->last_msg);
  g_clear_object (&conn->taken);
  g_clear_pointer (&conn->refusal, g_bytes_unref);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->socket);
  g_free (conn);
}

static Connection *
connection_for_message (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_object_get_qdata (G_OBJECT (remote), connection_quark ()) : NULL;
}

/* The stream closed: libsoup is done with the connection, or we closed it */
static void
on_input_closed (HeartConnectionInput *input,
                 Connection           *conn)
{
  HeartConnections *self = conn->owner;

  g_hash_table_remove (self->connections, conn);
  if (g_hash_table_size (self->connections) == 0)
    g_clear_handle_id (&self->sweep_id, g_source_remove);
}

static void
close_taken (Connection *conn)
{
  g_autoptr(GIOStream) taken = g_steal_pointer (&conn->taken);

  /* may free @conn, through on_input_closed() */
  g_io_stream_close (taken, NULL, NULL);
}

/* Write the refusal on the stream libsoup gave up, then close our writing
 * side; the sweep closes the rest once the client had time to read it. */
static void
write_refusal (Connection *conn)
{
  GOutputStream *out = g_io_stream_get_output_stream (conn->taken);
  gsize size = 0;
  const char *data = g_bytes_get_data (conn->refusal, &size);

  if (G_IS_POLLABLE_OUTPUT_STREAM (out))
    g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out), data, size, NULL, NULL);
  g_socket_shutdown (conn->socket, FALSE, TRUE, NULL);
  set_phase (conn, PHASE_REFUSED);
}

/* From the main loop, never from inside libsoup's own reading or writing:
 * taking a connection frees libsoup's state for it. */
static gboolean
take_connection (gpointer data)
{
  Connection *conn = data;
  g_autoptr(SoupServerMessage) msg = g_steal_pointer (&conn->last_msg);

  conn->take_id = 0;
  conn->taken = soup_server_message_steal_connection (msg);
  if (conn->taken == NULL)
    return G_SOURCE_REMOVE;
  if (conn->refusal != NULL)
    write_refusal (conn);
  else
    close_taken (conn);
  return G_SOURCE_REMOVE;
}

static void
schedule_take (Connection        *conn,
               SoupServerMessage *msg)
{
  if (conn->take_id != 0)
    return;
  if (msg != NULL)
    g_set_object (&conn->last_msg, msg);
  if (conn->last_msg == NULL)
    return;
  conn->take_id = g_idle_add_full (G_PRIORITY_HIGH, take_connection, conn, NULL);
}

/* Held back by the input: libsoup 3.2 would keep this idle connection */
static void
on_peer_closed (HeartConnectionInput *input,
                Connection           *conn)
{
  schedule_take (conn, NULL);
}

/* Ends a connection from outside: libsoup (or the WebSocket) sees the end
 * of stream and closes it; an idle one comes back through on_peer_closed() */
static void
shut_down (Connection *conn)
{
  if (conn->phase == PHASE_REFUSED)
    {
      close_taken (conn);
      return;
    }
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
  if (conn->phase == PHASE_IDLE && conn->owner->hold_idle_eof)
    schedule_take (conn, NULL);
}

static guint
timeout_for (HeartConnections *self,
             Phase             phase)
{
  switch (phase)
    {
    case PHASE_READING: return self->request_timeout_ms;
    case PHASE_ANSWERING: return self->answer_timeout_ms;
    case PHASE_IDLE: return self->idle_timeout_ms;
    case PHASE_REFUSED: return LINGER_MS;
    case PHASE_STREAMING:
    default:
      return 0;
    }
}

static gboolean
sweep (gpointer data)
{
  HeartConnections *self = data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GPtrArray) expired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      Connection *conn = key;
      guint timeout_ms = timeout_for (self, conn->phase);

      if (timeout_ms > 0 && now - conn->since_us > (gint64) timeout_ms * 1000)
        g_ptr_array_add (expired, conn);
    }
  for (guint i = 0; i < expired->len; i++)
    shut_down (g_ptr_array_index (expired, i));
  return G_SOURCE_CONTINUE;
}

static void
refuse_socket (HeartConnections *self,
               GSocket          *socket)
{
  g_autoptr(GBytes) answer = heart_connections_format_answer (SOUP_STATUS_SERVICE_UNAVAILABLE,
                                                             "Too many connections");
  gsize size = 0;
  const char *data = g_bytes_get_data (answer, &size);

  /* a fresh socket's send buffer is empty: this never blocks */
  g_socket_send_with_blocking (socket, data, size, FALSE, NULL, NULL);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  g_socket_close (socket, NULL);
  self->refused++;
}

static void
add_connection (HeartConnections *self,
                GSocket          *socket)
{
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GIOStream) io = NULL;
  HeartConnectionInput *input;
  Connection *conn;

  /* already gone again (reset before we got to it) */
  if (local == NULL || remote == NULL)
    {
      g_socket_close (socket, NULL);
      return;
    }

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  stream = g_socket_connection_factory_create_connection (socket);
  input = heart_connection_input_new (stream);
  io = g_simple_io_stream_new (G_INPUT_STREAM (input), g_io_stream_get_output_stream (G_IO_STREAM (stream)));
  g_object_unref (input);

  conn = g_new0 (Connection, 1);
  conn->owner = self;
  conn->socket = g_object_ref (socket);
  conn->remote = g_object_ref (remote);
  conn->input = input;
  g_object_add_weak_pointer (G_OBJECT (input), (gpointer *) &conn->input);
  g_object_set_qdata (G_OBJECT (remote), connection_quark (), conn);
  g_signal_connect (input, "peer-closed", G_CALLBACK (on_peer_closed), conn);
  g_signal_connect (input, "closed", G_CALLBACK (on_input_closed), conn);
  set_phase (conn, PHASE_READING);
  g_hash_table_add (self->connections, conn);
  if (self->sweep_id == 0)
    self->sweep_id = g_timeout_add (SWEEP_INTERVAL_MS, sweep, self);

  soup_server_accept_iostream (self->soup, io, local, remote, NULL);
}

/* ---- listening ------------------------------------------------------------------ */

static gboolean on_listener_ready (GSocket *socket, GIOCondition condition, gpointer data);

static void
listener_watch (Listener *listener)
{
  listener->source = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->source, (GSourceFunc) (GCallback) on_listener_ready, listener, NULL);
  g_source_attach (listener->source, g_main_context_get_thread_default ());
}

static void
listener_unwatch (Listener *listener)
{
  if (listener->source == NULL)
    return;
  g_source_destroy (listener->source);
  g_clear_pointer (&listener->source, g_source_unref);
}

static void
listener_free (Listener *listener)
{
  listener_unwatch (listener);
  g_socket_close (listener->socket, NULL);
  g_object_unref (listener->socket);
  g_free (listener);
}

static gboolean
resume_accepting (gpointer data)
{
  HeartConnections *self = data;

  self->retry_id = 0;
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);

      if (listener->source == NULL)
        listener_watch (listener);
    }
  return G_SOURCE_REMOVE;
}

/* Out of descriptors: stop watching the listeners (they would wake us
 * without end) and try again shortly; the backlog keeps the clients. */
static void
pause_accepting (HeartConnections *self,
                 const GError     *error)
{
  for (guint i = 0; i < self->listeners->len; i++)
    listener_unwatch (g_ptr_array_index (self->listeners, i));
  if (self->retry_id == 0)
    {
      g_message ("Cannot accept a connection: %s; trying again in %u ms", error->message, ACCEPT_RETRY_MS);
      self->retry_id = g_timeout_add (ACCEPT_RETRY_MS, resume_accepting, self);
    }
}

static gboolean
on_listener_ready (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      data)
{
  Listener *listener = data;
  HeartConnections *self = listener->owner;

  for (guint i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (socket, NULL, &error);

      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            {
              pause_accepting (self, error);
              return G_SOURCE_CONTINUE;   /* the source is destroyed already */
            }
          continue;   /* the client left before we accepted it */
        }
      if (heart_connections_count (self) >= self->max_connections_now)
        refuse_socket (self, client);
      else
        add_connection (self, client);
    }
  return G_SOURCE_CONTINUE;
}

/* Below the descriptor limit, so that a full server still has descriptors
 * to answer 503 with and to open files. */
static guint
default_max_connections (void)
{
  struct rlimit limit;
  rlim_t usable;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return HEART_SERVER_MAX_CONNECTIONS;
  usable = limit.rlim_cur > 2 * RESERVED_DESCRIPTORS ? limit.rlim_cur - RESERVED_DESCRIPTORS
                                                     : limit.rlim_cur / 2;
  return (guint) MIN (usable, (rlim_t) HEART_SERVER_MAX_CONNECTIONS);
}

/* libsoup keeps a connection alive after an answer only while it has a
 * listener of its own (request_finished() in soup-server.c), and ours are
 * not libsoup's. So it gets one that nobody can reach: a Unix socket with a
 * random abstract name, shut down so that every connect is refused. Its
 * source wakes once, fails to accept and goes; the listener stays. */
static void
anchor_keep_alive (HeartConnections *self)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autoptr(GSocket) anchor = NULL;
  g_autoptr(GError) error = NULL;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return;
  /* sun_path[0] = '\0': the abstract namespace, no file */
  g_snprintf (address.sun_path + 1, sizeof address.sun_path - 1, "heartsim-%d-%08x%08x",
              (int) getpid (), g_random_int (), g_random_int ());
  if (bind (fd, (struct sockaddr *) &address, sizeof address) != 0 || listen (fd, 1) != 0 ||
      shutdown (fd, SHUT_RDWR) != 0 || (anchor = g_socket_new_from_fd (fd, &error)) == NULL)
    {
      close (fd);
      g_warning ("Cannot keep connections alive: %s", g_strerror (errno));
      return;
    }
  /* a blocking accept would wait here for good */
  g_socket_set_blocking (anchor, FALSE);
  if (!soup_server_listen_socket (self->soup, anchor, 0, &error))
    g_warning ("Cannot keep connections alive: %s", error->message);
}

void
heart_connections_listen (HeartConnections *self,
                          GSocket          *socket)
{
  Listener *listener = g_new0 (Listener, 1);

  if (self->listeners->len == 0)
    anchor_keep_alive (self);
  /* the server lifts the descriptor limit before it listens */
  self->max_connections_now = self->max_connections > 0 ? self->max_connections
                                                        : default_max_connections ();
  listener->owner = self;
  listener->socket = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  g_ptr_array_add (self->listeners, listener);
  listener_watch (listener);
}

void
heart_connections_stop_listening (HeartConnections *self)
{
  g_ptr_array_set_size (self->listeners, 0);
  g_clear_handle_id (&self->retry_id, g_source_remove);
}

/* ---- what the server's handlers see ----------------------------------------------- */

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    HeartConnections  *self)
{
  Connection *conn = connection_for_message (msg);

  if (conn != NULL && conn->phase != PHASE_REFUSED)
    set_phase (conn, PHASE_READING);
}

static void
on_request_read (SoupServer        *server,
                 SoupServerMessage *msg,
                 HeartConnections  *self)
{
  Connection *conn = connection_for_message (msg);

  if (conn != NULL && conn->phase == PHASE_READING)
    set_phase (conn, PHASE_ANSWERING);
}

static void
on_request_done (SoupServer        *server,
                 SoupServerMessage *msg,
                 HeartConnections  *self)
{
  Connection *conn = connection_for_message (msg);

  if (conn == NULL || conn->phase == PHASE_REFUSED)
    return;
  g_set_object (&conn->last_msg, msg);
  set_phase (conn, PHASE_IDLE);
}

GSocket *
heart_connections_get_socket (SoupServerMessage *msg)
{
  Connection *conn = connection_for_message (msg);

  return conn != NULL ? conn->socket : soup_server_message_get_socket (msg);
}

void
heart_connections_set_streaming (SoupServerMessage *msg,
                                 guint64            max_websocket_message)
{
  Connection *conn = connection_for_message (msg);

  if (conn == NULL)
    return;
  set_phase (conn, PHASE_STREAMING);
  if (max_websocket_message > 0 && conn->input != NULL)
    heart_connection_input_limit_websocket_messages (conn->input, max_websocket_message);
}

void
heart_connections_refuse (SoupServerMessage *msg,
                          guint              status,
                          const char        *detail)
{
  Connection *conn = connection_for_message (msg);

  g_return_if_fail (conn != NULL);

  g_clear_pointer (&conn->refusal, g_bytes_unref);
  conn->refusal = heart_connections_format_answer (status, detail);
  set_phase (conn, PHASE_REFUSED);
  soup_server_message_pause (msg);
  g_clear_handle_id (&conn->take_id, g_source_remove);
  schedule_take (conn, msg);
}

void
heart_connections_release (HeartConnections  *self,
                           SoupServerMessage *msg)
{
  Connection *conn = connection_for_message (msg);

  if (conn == NULL)
    return;
  g_atomic_int_inc (&self->streams);
  /* frees the record, not the connection */
  g_hash_table_remove (self->connections, conn);
  if (g_hash_table_size (self->connections) == 0)
    g_clear_handle_id (&self->sweep_id, g_source_remove);
}

void
heart_connections_stream_closed (HeartConnections *self)
{
  g_atomic_int_add (&self->streams, -1);
}

guint
heart_connections_count (HeartConnections *self)
{
  return g_hash_table_size (self->connections) + (guint) MAX (g_atomic_int_get (&self->streams), 0);
}

guint64
heart_connections_get_refused (HeartConnections *self)
{
  return self->refused;
}

void
heart_connections_set_limits (HeartConnections *self,
                              guint             max_connections,
                              guint             request_timeout_ms,
                              guint             idle_timeout_ms,
                              guint             answer_timeout_ms)
{
  if (max_connections > 0)
    self->max_connections = self->max_connections_now = max_connections;
  if (request_timeout_ms > 0)
    self->request_timeout_ms = request_timeout_ms;
  if (idle_timeout_ms > 0)
    self->idle_timeout_ms = idle_timeout_ms;
  if (answer_timeout_ms > 0)
    self->answer_timeout_ms = answer_timeout_ms;
}

HeartConnections *
heart_connections_new (SoupServer *soup)
{
  HeartConnections *self = g_new0 (HeartConnections, 1);

  self->soup = soup;
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  self->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) connection_free, NULL);
  self->request_timeout_ms = HEART_SERVER_REQUEST_TIMEOUT_MS;
  self->idle_timeout_ms = HEART_SERVER_IDLE_TIMEOUT_MS;
  self->answer_timeout_ms = HEART_SERVER_ANSWER_TIMEOUT_MS;
  /* fixed upstream in libsoup 3.3 */
  self->hold_idle_eof = soup_get_major_version () == 3 && soup_get_minor_version () < 3;

  g_signal_connect (soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (soup, "request-read", G_CALLBACK (on_request_read), self);
  g_signal_connect (soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (soup, "request-aborted", G_CALLBACK (on_request_done), self);
  return self;
}

void
heart_connections_free (HeartConnections *self)
{
  g_signal_handlers_disconnect_by_data (self->soup, self);
  heart_connections_stop_listening (self);
  g_clear_handle_id (&self->sweep_id, g_source_remove);
  /* the streams stay libsoup's; only forget them */
  g_hash_table_unref (self->connections);
  g_ptr_array_unref (self->listeners);
  g_free (self);
}
