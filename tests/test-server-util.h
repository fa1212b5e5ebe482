/* test-server-util.h: a real SoupSession client driven from the test's main loop
 *
 * The server runs in the same thread, so every wait iterates the default main
 * context until a condition holds, and fails at a deadline instead of hanging.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

/* How much slower than usual this run may be: HEARTSIM_TEST_SLOWDOWN, set
 * by the sanitizer and coverage runs (build-aux/test.sh, checks.sh) */
static inline guint
test_slowdown (void)
{
  const char *text = g_getenv ("HEARTSIM_TEST_SLOWDOWN");
  guint64 factor = 1;

  if (text != NULL && !g_ascii_string_to_unsigned (text, 10, 1, 100, &factor, NULL))
    factor = 1;
  return (guint) factor;
}

#define WAIT_TIMEOUT_US (10 * G_USEC_PER_SEC * (gint64) test_slowdown ())

/* Iterate until @cond, failing after WAIT_TIMEOUT_US. A 5 ms timer keeps the
 * loop waking so the deadline is seen even when nothing else happens. */
#define WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 wait_deadline_ = g_get_monotonic_time () + WAIT_TIMEOUT_US; \
    guint wake_id_ = g_timeout_add (5, test_keep_waking, NULL); \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > wait_deadline_) \
          g_error ("timed out waiting for: %s", #cond); \
        g_main_context_iteration (NULL, TRUE); \
      } \
    g_source_remove (wake_id_); \
  } G_STMT_END

static inline gboolean
test_keep_waking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef struct
{
  SoupMessage *msg;
  GBytes      *body;
  GError      *error;
  gboolean     done;
} TestReply;

static inline void
test_reply_free (TestReply *reply)
{
  g_clear_object (&reply->msg);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestReply, test_reply_free)

static inline void
test_reply_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  TestReply *reply = data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &reply->error);
  reply->done = TRUE;
}

/* @headers: NULL or "Name", "value", …, NULL */
static inline TestReply *
test_request (SoupSession *session,
              const char  *method,
              guint        port,
              const char  *path_and_query,
              ...)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path_and_query);
  TestReply *reply = g_new0 (TestReply, 1);
  const char *name;
  va_list args;

  reply->msg = soup_message_new (method, uri);
  g_assert_nonnull (reply->msg);
  va_start (args, path_and_query);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (reply->msg), name, va_arg (args, const char *));
  va_end (args);

  soup_session_send_and_read_async (session, reply->msg, G_PRIORITY_DEFAULT, NULL, test_reply_read, reply);
  WAIT_FOR (reply->done);
  g_assert_no_error (reply->error);
  return reply;
}

/* No system proxy resolver: it would read GSettings, and the tests talk to
 * 127.0.0.1 only. */
static inline SoupSession *
test_session_new (void)
{
  g_autoptr(GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);

  return soup_session_new_with_options ("proxy-resolver", no_proxy, NULL);
}

static inline guint
test_reply_status (TestReply *reply)
{
  return soup_message_get_status (reply->msg);
}

static inline const char *
test_reply_header (TestReply  *reply,
                   const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (reply->msg), name);
}

static inline char *
test_reply_text (TestReply *reply)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (reply->body, &size);

  return g_strndup (data, size);
}

static inline JsonNode *
test_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static inline JsonNode *
test_reply_json (TestReply *reply)
{
  g_autofree char *text = test_reply_text (reply);

  g_assert_cmpstr (test_reply_header (reply, "Content-Type"), ==, "application/json");
  return test_parse_json (text);
}

/* ---- WebSocket client --------------------------------------------------- */

typedef struct
{
  SoupWebsocketConnection *connection;
  GPtrArray               *messages;   /* char *, text frames in order */
  GError                  *error;
  gboolean                 connected;
  gboolean                 closed;
  gushort                  close_code;
} TestWebsocket;

static inline void
test_websocket_on_message (SoupWebsocketConnection *connection,
                           gint                     type,
                           GBytes                  *message,
                           TestWebsocket           *ws)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (message, &size);

  g_ptr_array_add (ws->messages, g_strndup (data, size));
}

static inline void
test_websocket_on_closed (SoupWebsocketConnection *connection,
                          TestWebsocket           *ws)
{
  ws->closed = TRUE;
  ws->close_code = soup_websocket_connection_get_close_code (connection);
}

static inline void
test_websocket_connected (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  TestWebsocket *ws = data;

  ws->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &ws->error);
  if (ws->connection != NULL)
    {
      g_signal_connect (ws->connection, "message", G_CALLBACK (test_websocket_on_message), ws);
      g_signal_connect (ws->connection, "closed", G_CALLBACK (test_websocket_on_closed), ws);
    }
  ws->connected = TRUE;
}

/* A WebSocket client of @path ("/ws/stream?types=…") */
static inline TestWebsocket *
test_websocket_open (SoupSession *session,
                     guint        port,
                     const char  *path)
{
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  TestWebsocket *ws = g_new0 (TestWebsocket, 1);

  ws->messages = g_ptr_array_new_with_free_func (g_free);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        test_websocket_connected, ws);
  WAIT_FOR (ws->connected);
  g_assert_no_error (ws->error);
  return ws;
}

static inline TestWebsocket *
test_websocket_new (SoupSession *session,
                    guint        port)
{
  return test_websocket_open (session, port, "/ws/heartbeat");
}

static inline void
test_websocket_free (TestWebsocket *ws)
{
  if (ws->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (ws->connection, ws);
      if (soup_websocket_connection_get_state (ws->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (ws->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (ws->connection);
    }
  g_ptr_array_unref (ws->messages);
  g_clear_error (&ws->error);
  g_free (ws);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestWebsocket, test_websocket_free)

static inline gint64
test_json_int (JsonNode   *node,
               const char *member)
{
  JsonObject *object = json_node_get_object (node);

  g_assert_true (json_object_has_member (object, member));
  return json_object_get_int_member (object, member);
}

static inline const char *
test_json_string (JsonNode   *node,
                  const char *member)
{
  JsonObject *object = json_node_get_object (node);

  g_assert_true (json_object_has_member (object, member));
  return json_object_get_string_member (object, member);
}

/* ---- a Server-Sent Events client ---------------------------------------- */

typedef struct
{
  GInputStream *stream;
  GString      *text;
  GCancellable *cancellable;
  char          buffer[4096];
  GError       *error;
  gboolean      open;
  gboolean      eof;
} TestSse;

static inline void test_sse_read_more (TestSse *sse);

static inline void
test_sse_on_read (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  TestSse *sse = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &sse->error);

  if (n <= 0)
    {
      sse->eof = TRUE;
      return;
    }
  g_string_append_len (sse->text, sse->buffer, n);
  test_sse_read_more (sse);
}

static inline void
test_sse_read_more (TestSse *sse)
{
  g_input_stream_read_async (sse->stream, sse->buffer, sizeof sse->buffer, G_PRIORITY_DEFAULT,
                             sse->cancellable, test_sse_on_read, sse);
}

static inline void
test_sse_on_sent (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  TestSse *sse = data;

  sse->stream = soup_session_send_finish (SOUP_SESSION (source), result, &sse->error);
  sse->open = TRUE;
  if (sse->stream != NULL)
    test_sse_read_more (sse);
}

/* Sends GET @path (with Last-Event-ID when not NULL) and reads the answer
 * as it comes; the answer's status and type in @status and @content_type */
static inline TestSse *
test_sse_send (SoupSession *session,
               guint        port,
               const char  *path,
               const char  *last_event_id,
               guint       *status,
               char       **content_type)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  TestSse *sse = g_new0 (TestSse, 1);

  sse->text = g_string_new (NULL);
  sse->cancellable = g_cancellable_new ();
  if (last_event_id != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Last-Event-ID", last_event_id);
  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, sse->cancellable, test_sse_on_sent, sse);
  WAIT_FOR (sse->open);
  g_assert_no_error (sse->error);
  *status = soup_message_get_status (msg);
  *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  return sse;
}

static inline void
test_sse_free (TestSse *sse)
{
  g_cancellable_cancel (sse->cancellable);
  WAIT_FOR (sse->eof || sse->stream == NULL);
  g_clear_object (&sse->stream);
  g_clear_object (&sse->cancellable);
  g_string_free (sse->text, TRUE);
  g_clear_error (&sse->error);
  g_free (sse);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestSse, test_sse_free)

/* A raw WebSocket client of @path that never reads: its small receive
 * window fills fast, so the server sees a stalled client */
static inline GSocket *
stalled_websocket_new (guint       port,
                       const char *path)
{
  g_autofree char *handshake = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                "Sec-WebSocket-Version: 13\r\n\r\n", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  /* a small receive window fills fast once we stop reading */
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (socket, handshake, strlen (handshake), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

/* Reads what is there; TRUE once a close frame with @code went by */
static inline gboolean
drain_for_close (GSocket *socket,
                 GString *seen,
                 gushort  code)
{
  char buffer[65536];
  gssize n;

  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    g_string_append_len (seen, buffer, n);
  for (gsize i = 0; i + 3 < seen->len; i++)
    if ((guchar) seen->str[i] == 0x88 && (guchar) seen->str[i + 1] < 126 &&
        (guchar) seen->str[i + 2] == (code >> 8) && (guchar) seen->str[i + 3] == (code & 0xff))
      return TRUE;
  return FALSE;
}
