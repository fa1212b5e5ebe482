/* heart-server-fanout.c: the streams, in the server's thread or one of their own
 *
 * Headless, the streams (heart-server-streams.c) run in the server's own
 * main loop: nothing else needs it. In the desktop app they run in a thread
 * with a GMainContext of their own, so that a broadcast never waits for a
 * frame of the window and a frame never waits for a broadcast
 * (docs/architecture.md, Fan-out). Everything the server tells them is a
 * command in one queue, executed in order by that thread: samples, channel
 * values, new clients, settings, close. Nothing is dropped: the queue is
 * unbounded, and holds at most what the thread has not yet caught up with.
 * The thread has its own copy of the history, fed by the same samples, for
 * new clients and SSE resumes; counts come back as atomics and a wakeup.
 *
 * Either way a client's request is handled by libsoup in the server's
 * thread; once it is read, its connection is taken from libsoup here and
 * handed to the streams.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "heart-server-fanout.h"
#include "heart-server-json.h"
#include "heart-server-sources.h"

typedef enum {
  COMMAND_SAMPLE,
  COMMAND_VALUES,
  COMMAND_STATE,
  COMMAND_CLIENT,
  COMMAND_CLOSE_ALL,
  COMMAND_SSE_INTERVAL,
  COMMAND_PING_INTERVAL,
  COMMAND_STALL_TIMEOUT,
} CommandKind;

typedef struct
{
  CommandKind        kind;
  HeartSample        sample;
  HeartChannelValue *values;
  guint              n_values;
  guint              a, b;         /* running/interval, or a setting's values */
  HeartClientKind    client_kind;
  GIOStream         *stream;
  GSocket           *socket;
  GBytes            *head;
  HeartChannelMask   types;
  guint64            resume_after;
} Command;

/* A client whose connection is to be taken from libsoup, from an idle */
typedef struct
{
  HeartFanout       *fanout;
  SoupServerMessage *msg;
  GSource           *source;
  HeartClientKind    kind;
  HeartChannelMask   types;
  guint64            resume_after;
} Take;

struct _HeartFanout
{
  HeartConnections      *connections;
  HeartFanoutChangedFunc changed;
  gpointer               changed_data;
  GPtrArray             *takes;          /* Take *, in the owner's thread */

  /* threaded: the streams' thread and its queue */
  GThread               *thread;
  GMainContext          *context;
  GMainLoop             *loop;
  GAsyncQueue           *queue;          /* Command * */
  GSource               *queue_source;   /* in the thread: woken to drain the queue */
  GSource               *notify_source;  /* in the owner's: woken when a count changed */
  HeartHistory          *history;        /* the streams' copy */

  /* in the streams' thread, or the owner's when not threaded */
  HeartStreams          *streams;

  /* the streams' counts, written by their thread */
  gint                   websocket_count;
  gint                   sse_count;
  gint                   closing_count;
  gint                   close_all_pending;  /* told to close all, not done yet */
};

/* ---- commands ---------------------------------------------------------------- */

static void
command_free (Command *command)
{
  g_free (command->values);
  g_clear_object (&command->stream);
  g_clear_object (&command->socket);
  g_clear_pointer (&command->head, g_bytes_unref);
  g_free (command);
}

static Command *
command_new (CommandKind kind)
{
  Command *command = g_new0 (Command, 1);

  command->kind = kind;
  return command;
}

/* In the streams' thread */
static void
execute (HeartFanout *self,
         Command     *command)
{
  switch (command->kind)
    {
    case COMMAND_SAMPLE:
      heart_streams_push_sample (self->streams, &command->sample);
      break;
    case COMMAND_VALUES:
      heart_streams_push_values (self->streams, command->values, command->n_values);
      break;
    case COMMAND_STATE:
      heart_streams_set_state (self->streams, command->a, command->b);
      break;
    case COMMAND_CLIENT:
      heart_streams_add_client (self->streams, command->client_kind, command->stream, command->socket,
                                command->head, command->types, command->resume_after);
      break;
    case COMMAND_CLOSE_ALL:
      heart_streams_close_all (self->streams);
      g_atomic_int_set (&self->close_all_pending, FALSE);
      break;
    case COMMAND_SSE_INTERVAL:
      heart_streams_set_sse_interval (self->streams, command->a);
      break;
    case COMMAND_PING_INTERVAL:
      heart_streams_set_ping_interval (self->streams, command->a, command->b);
      break;
    case COMMAND_STALL_TIMEOUT:
      heart_streams_set_stall_timeout (self->streams, command->a);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* From the owner's thread: run now, or queue for the streams' thread */
static void
submit (HeartFanout *self,
        Command     *command)
{
  if (self->thread == NULL)
    {
      execute (self, command);
      command_free (command);
      return;
    }
  g_async_queue_push (self->queue, command);
  g_source_set_ready_time (self->queue_source, 0);
}

static gboolean
on_queue (gpointer data)
{
  HeartFanout *self = data;
  Command *command;

  /* first: a push from now on wakes us again */
  g_source_set_ready_time (self->queue_source, -1);
  while ((command = g_async_queue_try_pop (self->queue)) != NULL)
    {
      execute (self, command);
      command_free (command);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
wakeup_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     data)
{
  return callback (data);
}

static GSourceFuncs wakeup_funcs = { NULL, NULL, wakeup_dispatch, NULL, NULL, NULL };

/* A source that only its ready time wakes; g_source_set_ready_time() is
 * safe from any thread */
static GSource *
wakeup_source_new (GMainContext *context,
                   GSourceFunc   func,
                   gpointer      data)
{
  GSource *source = g_source_new (&wakeup_funcs, sizeof (GSource));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, -1);
  g_source_attach (source, context);
  return source;
}

/* ---- counts ------------------------------------------------------------------- */

static gboolean
on_notify (gpointer data)
{
  HeartFanout *self = data;

  if (self->notify_source != NULL)
    g_source_set_ready_time (self->notify_source, -1);
  self->changed (self->changed_data);
  return G_SOURCE_CONTINUE;
}

/* In the streams' thread */
static void
on_streams_changed (gpointer data)
{
  HeartFanout *self = data;
  gint ws = (gint) heart_streams_count (self->streams, HEART_CLIENT_WEBSOCKET);
  gint sse = (gint) heart_streams_count (self->streams, HEART_CLIENT_SSE);
  gboolean changed = ws != g_atomic_int_get (&self->websocket_count) ||
                     sse != g_atomic_int_get (&self->sse_count);

  g_atomic_int_set (&self->websocket_count, ws);
  g_atomic_int_set (&self->sse_count, sse);
  g_atomic_int_set (&self->closing_count, (gint) heart_streams_count_closing (self->streams));
  if (!changed)
    return;
  if (self->thread == NULL)
    on_notify (self);
  else
    g_source_set_ready_time (self->notify_source, 0);
}

static void
on_client_freed (gpointer data)
{
  HeartFanout *self = data;

  heart_connections_stream_closed (self->connections);
}

static const HeartStreamsCallbacks streams_callbacks = {
  .changed = on_streams_changed,
  .client_freed = on_client_freed,
};

/* ---- the thread ----------------------------------------------------------------- */

static gpointer
run_thread (gpointer data)
{
  HeartFanout *self = data;

  g_main_context_push_thread_default (self->context);
  self->streams = heart_streams_new (self->history, TRUE, &streams_callbacks, self);
  /* commands queued before the thread ran */
  g_source_set_ready_time (self->queue_source, 0);
  g_main_loop_run (self->loop);

  /* what was queued last: samples are moot, clients are closed */
  on_queue (self);
  g_clear_pointer (&self->streams, heart_streams_free);
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static HeartHistory *
copy_history (HeartHistory *history)
{
  HeartHistory *copy = heart_history_new (heart_history_get_capacity (history));

  for (guint i = 0; i < heart_history_get_length (history); i++)
    heart_history_push (copy, heart_history_peek (history, i));
  return copy;
}

static void
start_thread (HeartFanout  *self,
              HeartHistory *history)
{
  self->history = copy_history (history);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->queue = g_async_queue_new ();
  self->notify_source = wakeup_source_new (g_main_context_get_thread_default (), on_notify, self);
  /* before the first submit() can wake it */
  self->queue_source = wakeup_source_new (self->context, on_queue, self);
  self->thread = g_thread_new ("heartsim-fanout", run_thread, self);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_thread (HeartFanout *self)
{
  g_main_context_invoke (self->context, quit_loop, self->loop);
  g_thread_join (self->thread);
  self->thread = NULL;
  heart_source_clear (&self->queue_source);
  heart_source_clear (&self->notify_source);
  g_clear_pointer (&self->queue, g_async_queue_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->history);
}

/* ---- taking clients from libsoup ------------------------------------------------- */

static void
append_header (const char *name,
               const char *value,
               gpointer    data)
{
  g_string_append_printf (data, "%s: %s\r\n", name, value);
}

/* The status line and headers libsoup would have written */
static GBytes *
format_head (SoupServerMessage *msg)
{
  GString *head = g_string_sized_new (512);
  guint status = soup_server_message_get_status (msg);

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_foreach (soup_server_message_get_response_headers (msg), append_header, head);
  g_string_append (head, "\r\n");
  return g_string_free_to_bytes (head);
}

static void
take_free (Take *take)
{
  g_ptr_array_remove_fast (take->fanout->takes, take);
  heart_source_clear (&take->source);
  g_clear_object (&take->msg);
  g_free (take);
}

/* Ends a request that was never taken */
static void
take_abandon (Take *take)
{
  GSocket *socket = heart_connections_get_socket (take->msg);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  soup_server_message_unpause (take->msg);
  take_free (take);
}

/* From the main loop, never from inside libsoup's own reading or writing:
 * taking a connection frees libsoup's state for it. */
static gboolean
on_take (gpointer data)
{
  Take *take = data;
  HeartFanout *self = take->fanout;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;
  Command *command;

  heart_source_done (&take->source);
  if (heart_connections_get_socket (take->msg) != NULL)
    socket = g_object_ref (heart_connections_get_socket (take->msg));
  stream = socket != NULL ? soup_server_message_steal_connection (take->msg) : NULL;
  if (stream == NULL)
    {
      take_abandon (take);
      return G_SOURCE_REMOVE;
    }

  command = command_new (COMMAND_CLIENT);
  command->client_kind = take->kind;
  command->stream = g_steal_pointer (&stream);
  command->socket = g_steal_pointer (&socket);
  command->head = format_head (take->msg);
  command->types = take->types;
  command->resume_after = take->resume_after;
  /* the connection is the streams' from now on */
  heart_connections_release (self->connections, take->msg);
  take_free (take);
  submit (self, command);
  return G_SOURCE_REMOVE;
}

static Take *
add_take (HeartFanout       *self,
          HeartClientKind    kind,
          SoupServerMessage *msg,
          HeartChannelMask   types)
{
  Take *take = g_new0 (Take, 1);
  GSocket *socket = heart_connections_get_socket (msg);

  heart_connections_set_streaming (msg, kind == HEART_CLIENT_WEBSOCKET ? HEART_SERVER_MAX_WS_MESSAGE : 0);
  /* each frame is a whole message: Nagle would hold it back behind the
   * previous one's delayed ACK (40 ms) at fast rates; and a bounded kernel
   * buffer makes a client that stops reading show within seconds instead
   * of after megabytes of autotuned buffer */
  if (socket != NULL)
    {
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, HEART_SERVER_CLIENT_SNDBUF, NULL);
    }

  take->fanout = self;
  take->msg = g_object_ref (msg);
  take->kind = kind;
  take->types = types;
  soup_server_message_pause (msg);
  take->source = heart_source_idle (G_PRIORITY_HIGH, on_take, take);
  g_ptr_array_add (self->takes, take);
  return take;
}

void
heart_fanout_add_websocket (HeartFanout       *self,
                            SoupServerMessage *msg,
                            HeartChannelMask   types)
{
  /* the 101 answer and its headers, which format_head() writes */
  soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL);
  add_take (self, HEART_CLIENT_WEBSOCKET, msg, types);
}

static guint64
parse_last_event_id (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *value = g_strdup (soup_message_headers_get_one (headers, "Last-Event-ID"));
  guint64 seq = 0;

  if (value == NULL || !g_ascii_string_to_unsigned (g_strstrip (value), 10, 0, G_MAXUINT64, &seq, NULL))
    return 0;
  return seq;
}

void
heart_fanout_add_sse (HeartFanout       *self,
                      SoupServerMessage *msg,
                      HeartChannelMask   types)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* the stream is written in chunks, which HTTP/1.0 does not have */
  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0)
    {
      heart_respond_detail (msg, SOUP_STATUS_HTTP_VERSION_NOT_SUPPORTED, "Event streams need HTTP/1.1");
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_headers_replace (headers, "Transfer-Encoding", "chunked");
  add_take (self, HEART_CLIENT_SSE, msg, types)->resume_after = parse_last_event_id (msg);
}

/* ---- the rest ---------------------------------------------------------------------- */

void
heart_fanout_push_sample (HeartFanout       *self,
                          const HeartSample *sample)
{
  Command *command = command_new (COMMAND_SAMPLE);

  command->sample = *sample;
  submit (self, command);
}

void
heart_fanout_push_values (HeartFanout             *self,
                          const HeartChannelValue *values,
                          guint                    n_values)
{
  Command *command;

  /* in the owner's thread they are used before this returns: no copy */
  if (self->thread == NULL)
    {
      heart_streams_push_values (self->streams, values, n_values);
      return;
    }
  command = command_new (COMMAND_VALUES);
  command->values = g_memdup2 (values, n_values * sizeof *values);
  command->n_values = n_values;
  submit (self, command);
}

static void
submit_setting (HeartFanout *self,
                CommandKind  kind,
                guint        a,
                guint        b)
{
  Command *command = command_new (kind);

  command->a = a;
  command->b = b;
  submit (self, command);
}

void
heart_fanout_set_state (HeartFanout *self,
                        gboolean     running,
                        guint        interval_ms)
{
  submit_setting (self, COMMAND_STATE, (guint) running, interval_ms);
}

void
heart_fanout_set_sse_interval (HeartFanout *self,
                               guint        interval_ms)
{
  submit_setting (self, COMMAND_SSE_INTERVAL, interval_ms, 0);
}

void
heart_fanout_set_ping_interval (HeartFanout *self,
                                guint        interval_s,
                                guint        pong_timeout_ms)
{
  submit_setting (self, COMMAND_PING_INTERVAL, interval_s, pong_timeout_ms);
}

void
heart_fanout_set_stall_timeout (HeartFanout *self,
                                guint        timeout_ms)
{
  submit_setting (self, COMMAND_STALL_TIMEOUT, timeout_ms, 0);
}

guint
heart_fanout_count (HeartFanout     *self,
                    HeartClientKind  kind)
{
  return (guint) g_atomic_int_get (kind == HEART_CLIENT_WEBSOCKET ? &self->websocket_count : &self->sse_count);
}

guint
heart_fanout_count_closing (HeartFanout *self)
{
  guint closing = (guint) g_atomic_int_get (&self->closing_count);

  /* until the streams' thread has them closing, the live ones will be */
  if (g_atomic_int_get (&self->close_all_pending))
    closing += heart_fanout_count (self, HEART_CLIENT_WEBSOCKET) + heart_fanout_count (self, HEART_CLIENT_SSE);
  return closing;
}

void
heart_fanout_close_all (HeartFanout *self)
{
  while (self->takes->len > 0)
    take_abandon (self->takes->pdata[self->takes->len - 1]);
  g_atomic_int_set (&self->close_all_pending, TRUE);
  submit (self, command_new (COMMAND_CLOSE_ALL));
}

HeartFanout *
heart_fanout_new (HeartHistory           *history,
                  HeartConnections       *connections,
                  gboolean                threaded,
                  HeartFanoutChangedFunc  changed,
                  gpointer                data)
{
  HeartFanout *self = g_new0 (HeartFanout, 1);

  self->connections = connections;
  self->changed = changed;
  self->changed_data = data;
  self->takes = g_ptr_array_new ();
  if (threaded)
    start_thread (self, history);
  else
    self->streams = heart_streams_new (history, FALSE, &streams_callbacks, self);
  return self;
}

void
heart_fanout_free (HeartFanout *self)
{
  while (self->takes->len > 0)
    take_free (self->takes->pdata[self->takes->len - 1]);
  if (self->thread != NULL)
    stop_thread (self);
  else
    g_clear_pointer (&self->streams, heart_streams_free);
  g_ptr_array_unref (self->takes);
  g_free (self);
}
