/* heart-server-fanout.c: the streams, in the server's thread or in threads of their own
 *
 * Headless by default, and in tests, the streams (heart-server-streams.c)
 * may run in the server's own main loop. With threads (the desktop app, and
 * `--fanout-threads` headless) they run in shards: each shard is a thread
 * with a GMainContext and a HeartStreams of its own, and every new client
 * goes to the next shard in turn. A broadcast is then sent by all shards at
 * once, each to its share of the clients, so that the last client of a tick
 * waits for a share of the sends instead of all of them; and on the desktop
 * a broadcast never waits for a frame of the window, nor a frame for a
 * broadcast (docs/architecture.md, Fan-out).
 *
 * Everything the server tells the shards is a command, executed in order by
 * each shard: samples, channel values, settings and close go to every shard
 * (one reference-counted command, read by all), a new client to one.
 * Nothing is dropped: the queues are unbounded, and hold at most what a
 * shard has not yet caught up with. Each shard has its own copy of the
 * history, fed by the same samples, for new clients and SSE resumes; counts
 * come back as atomics and a wakeup.
 *
 * Either way a client's request is handled by libsoup in the server's
 * thread; once it is read, its connection is taken from libsoup here and
 * handed to a shard.
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
  COMMAND_WAVEFORM,
  COMMAND_STATE,
  COMMAND_CLIENT,
  COMMAND_CLOSE_ALL,
  COMMAND_SSE_INTERVAL,
  COMMAND_PING_INTERVAL,
  COMMAND_STALL_TIMEOUT,
} CommandKind;

/* The commands that set something, kept for shards that start later */
#define N_SETTINGS 4
#define IS_SETTING(kind) ((kind) == COMMAND_STATE || (kind) >= COMMAND_SSE_INTERVAL)
#define SETTING_INDEX(kind) ((kind) == COMMAND_STATE ? 0 : (kind) - COMMAND_SSE_INTERVAL + 1)

typedef struct
{
  CommandKind        kind;
  HeartSample        sample;
  HeartChannelValue *values;
  guint              n_values;
  HeartWaveformBlock block;        /* its values and marks are the command's own */
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

/* A share of the clients, with the streams that serve them */
typedef struct
{
  HeartFanout  *owner;

  /* threaded: the shard's thread and its queue */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GAsyncQueue  *queue;              /* Command * */
  GSource      *queue_source;       /* in the thread: woken to drain the queue */
  HeartHistory *history;            /* the shard's copy */

  /* in the shard's thread, or the owner's when not threaded */
  HeartStreams *streams;

  /* the streams' counts, written by the shard's thread */
  gint          websocket_count;
  gint          sse_count;
  gint          closing_count;
  gint          close_all_pending;  /* told to close all, not done yet */
} Shard;

struct _HeartFanout
{
  HeartConnections      *connections;
  HeartFanoutChangedFunc changed;
  gpointer               changed_data;
  GPtrArray             *takes;          /* Take *, in the owner's thread */
  gboolean               threaded;
  gboolean               started;        /* the shards' threads run */
  HeartHistory          *history;        /* the owner's, copied when the shards start */
  Command               *settings[N_SETTINGS];  /* the latest of each, for shards that start later */
  Shard                 *shards;
  guint                  n_shards;
  guint                  next_shard;     /* the one the next client goes to */
  GSource               *notify_source;  /* in the owner's: woken when a count changed */
};

/* ---- commands ---------------------------------------------------------------- */

static void
command_clear (gpointer data)
{
  Command *command = data;

  g_free (command->values);
  g_free ((gpointer) command->block.values);
  g_free ((gpointer) command->block.marks);
  g_clear_object (&command->stream);
  g_clear_object (&command->socket);
  g_clear_pointer (&command->head, g_bytes_unref);
}

/* Reference-counted: a broadcast command is one, read by every shard */
static Command *
command_new (CommandKind kind)
{
  Command *command = g_atomic_rc_box_new0 (Command);

  command->kind = kind;
  return command;
}

static void
command_unref (Command *command)
{
  g_atomic_rc_box_release_full (command, command_clear);
}

/* In the shard's thread */
static void
execute (Shard   *shard,
         Command *command)
{
  switch (command->kind)
    {
    case COMMAND_SAMPLE:
      heart_streams_push_sample (shard->streams, &command->sample);
      break;
    case COMMAND_VALUES:
      heart_streams_push_values (shard->streams, command->values, command->n_values);
      break;
    case COMMAND_WAVEFORM:
      heart_streams_push_waveform (shard->streams, &command->block);
      break;
    case COMMAND_STATE:
      heart_streams_set_state (shard->streams, command->a, command->b);
      break;
    case COMMAND_CLIENT:
      heart_streams_add_client (shard->streams, command->client_kind, command->stream, command->socket,
                                command->head, command->types, command->resume_after);
      break;
    case COMMAND_CLOSE_ALL:
      heart_streams_close_all (shard->streams);
      g_atomic_int_set (&shard->close_all_pending, FALSE);
      break;
    case COMMAND_SSE_INTERVAL:
      heart_streams_set_sse_interval (shard->streams, command->a);
      break;
    case COMMAND_PING_INTERVAL:
      heart_streams_set_ping_interval (shard->streams, command->a, command->b);
      break;
    case COMMAND_STALL_TIMEOUT:
      heart_streams_set_stall_timeout (shard->streams, command->a);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* From the owner's thread: run now, or queue for the shard's thread; takes
 * a reference to @command */
static void
submit_to (Shard   *shard,
           Command *command)
{
  if (shard->thread == NULL)
    {
      execute (shard, command);
      command_unref (command);
      return;
    }
  g_async_queue_push (shard->queue, command);
  g_source_set_ready_time (shard->queue_source, 0);
}

static void start_shards (HeartFanout *self);

/* Takes @command. Before the shards start, only settings are kept */
static void
submit_all (HeartFanout *self,
            Command     *command)
{
  if (IS_SETTING (command->kind))
    {
      Command **kept = &self->settings[SETTING_INDEX (command->kind)];

      g_clear_pointer (kept, command_unref);
      *kept = g_atomic_rc_box_acquire (command);
    }
  if (self->threaded && !self->started)
    {
      command_unref (command);
      return;
    }
  for (guint i = 0; i < self->n_shards; i++)
    submit_to (&self->shards[i], i + 1 < self->n_shards ? g_atomic_rc_box_acquire (command) : command);
}

static gboolean
on_queue (gpointer data)
{
  Shard *shard = data;
  Command *command;

  /* first: a push from now on wakes us again */
  g_source_set_ready_time (shard->queue_source, -1);
  while ((command = g_async_queue_try_pop (shard->queue)) != NULL)
    {
      execute (shard, command);
      command_unref (command);
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

/* In the shard's thread */
static void
on_streams_changed (gpointer data)
{
  Shard *shard = data;
  gint ws = (gint) heart_streams_count (shard->streams, HEART_CLIENT_WEBSOCKET);
  gint sse = (gint) heart_streams_count (shard->streams, HEART_CLIENT_SSE);
  gboolean changed = ws != g_atomic_int_get (&shard->websocket_count) ||
                     sse != g_atomic_int_get (&shard->sse_count);

  g_atomic_int_set (&shard->websocket_count, ws);
  g_atomic_int_set (&shard->sse_count, sse);
  g_atomic_int_set (&shard->closing_count, (gint) heart_streams_count_closing (shard->streams));
  if (!changed)
    return;
  if (shard->thread == NULL)
    on_notify (shard->owner);
  else
    g_source_set_ready_time (shard->owner->notify_source, 0);
}

static void
on_client_freed (gpointer data)
{
  Shard *shard = data;

  heart_connections_stream_closed (shard->owner->connections);
}

static const HeartStreamsCallbacks streams_callbacks = {
  .changed = on_streams_changed,
  .client_freed = on_client_freed,
};

/* ---- the shards' threads ----------------------------------------------------------- */

static gpointer
run_thread (gpointer data)
{
  Shard *shard = data;

  g_main_context_push_thread_default (shard->context);
  shard->streams = heart_streams_new (shard->history, TRUE, &streams_callbacks, shard);
  /* commands queued before the thread ran */
  g_source_set_ready_time (shard->queue_source, 0);
  g_main_loop_run (shard->loop);

  /* what was queued last: samples are moot, clients are closed */
  on_queue (shard);
  g_clear_pointer (&shard->streams, heart_streams_free);
  g_main_context_pop_thread_default (shard->context);
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
start_thread (Shard        *shard,
              HeartHistory *history,
              guint         index)
{
  g_autofree char *name = g_strdup_printf ("heartsim-fan%u", index);

  shard->history = copy_history (history);
  shard->context = g_main_context_new ();
  shard->loop = g_main_loop_new (shard->context, FALSE);
  shard->queue = g_async_queue_new ();
  /* before the first submit_to() can wake it */
  shard->queue_source = wakeup_source_new (shard->context, on_queue, shard);
  shard->thread = g_thread_new (name, run_thread, shard);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
stop_thread (Shard *shard)
{
  g_main_context_invoke (shard->context, quit_loop, shard->loop);
  g_thread_join (shard->thread);
  shard->thread = NULL;
  heart_source_clear (&shard->queue_source);
  g_clear_pointer (&shard->queue, g_async_queue_unref);
  g_clear_pointer (&shard->loop, g_main_loop_unref);
  g_clear_pointer (&shard->context, g_main_context_unref);
  g_clear_object (&shard->history);
}

/* On the first client: each shard starts from a copy of the history as it
 * is now, and the latest settings; nothing else it missed matters, since it
 * had no client. Until then no thread runs and no history is copied, so an
 * idle server holds one history only (docs/architecture.md, Fan-out). */
static void
start_shards (HeartFanout *self)
{
  self->started = TRUE;
  for (guint i = 0; i < self->n_shards; i++)
    {
      start_thread (&self->shards[i], self->history, i);
      for (guint k = 0; k < N_SETTINGS; k++)
        if (self->settings[k] != NULL)
          submit_to (&self->shards[i], g_atomic_rc_box_acquire (self->settings[k]));
    }
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
  if (self->threaded && !self->started)
    start_shards (self);
  submit_to (&self->shards[self->next_shard], command);
  self->next_shard = (self->next_shard + 1) % self->n_shards;
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
  submit_all (self, command);
}

void
heart_fanout_push_values (HeartFanout             *self,
                          const HeartChannelValue *values,
                          guint                    n_values)
{
  Command *command;

  /* in the owner's thread they are used before this returns: no copy */
  if (!self->threaded)
    {
      heart_streams_push_values (self->shards[0].streams, values, n_values);
      return;
    }
  if (!self->started)
    return;
  command = command_new (COMMAND_VALUES);
  command->values = g_memdup2 (values, n_values * sizeof *values);
  command->n_values = n_values;
  submit_all (self, command);
}

void
heart_fanout_push_waveform (HeartFanout              *self,
                            const HeartWaveformBlock *block)
{
  Command *command;

  /* as the values: no copy in the owner's thread, none before a client */
  if (!self->threaded)
    {
      heart_streams_push_waveform (self->shards[0].streams, block);
      return;
    }
  if (!self->started)
    return;
  command = command_new (COMMAND_WAVEFORM);
  command->block = *block;
  command->block.values = g_memdup2 (block->values, block->n_values * sizeof *block->values);
  command->block.marks = g_memdup2 (block->marks, block->n_marks * sizeof *block->marks);
  submit_all (self, command);
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
  submit_all (self, command);
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

static guint
shard_count (Shard           *shard,
             HeartClientKind  kind)
{
  return (guint) g_atomic_int_get (kind == HEART_CLIENT_WEBSOCKET ? &shard->websocket_count : &shard->sse_count);
}

guint
heart_fanout_count (HeartFanout     *self,
                    HeartClientKind  kind)
{
  guint count = 0;

  for (guint i = 0; i < self->n_shards; i++)
    count += shard_count (&self->shards[i], kind);
  return count;
}

guint
heart_fanout_count_closing (HeartFanout *self)
{
  guint closing = 0;

  for (guint i = 0; i < self->n_shards; i++)
    {
      Shard *shard = &self->shards[i];

      closing += (guint) g_atomic_int_get (&shard->closing_count);
      /* until the shard has them closing, its live ones will be */
      if (g_atomic_int_get (&shard->close_all_pending))
        closing += shard_count (shard, HEART_CLIENT_WEBSOCKET) + shard_count (shard, HEART_CLIENT_SSE);
    }
  return closing;
}

void
heart_fanout_close_all (HeartFanout *self)
{
  while (self->takes->len > 0)
    take_abandon (self->takes->pdata[self->takes->len - 1]);
  for (guint i = 0; i < self->n_shards && (self->started || !self->threaded); i++)
    g_atomic_int_set (&self->shards[i].close_all_pending, TRUE);
  submit_all (self, command_new (COMMAND_CLOSE_ALL));
}

HeartFanout *
heart_fanout_new (HeartHistory           *history,
                  HeartConnections       *connections,
                  guint                   n_threads,
                  HeartFanoutChangedFunc  changed,
                  gpointer                data)
{
  HeartFanout *self = g_new0 (HeartFanout, 1);

  self->connections = connections;
  self->changed = changed;
  self->changed_data = data;
  self->takes = g_ptr_array_new ();
  self->threaded = n_threads > 0;
  self->n_shards = MAX (n_threads, 1);
  self->shards = g_new0 (Shard, self->n_shards);
  for (guint i = 0; i < self->n_shards; i++)
    self->shards[i].owner = self;
  if (!self->threaded)
    {
      self->shards[0].streams = heart_streams_new (history, FALSE, &streams_callbacks, &self->shards[0]);
      return self;
    }
  /* the threads, and their copies of the history, wait for the first client */
  self->history = g_object_ref (history);
  self->notify_source = wakeup_source_new (g_main_context_get_thread_default (), on_notify, self);
  return self;
}

void
heart_fanout_free (HeartFanout *self)
{
  while (self->takes->len > 0)
    take_free (self->takes->pdata[self->takes->len - 1]);
  for (guint i = 0; i < self->n_shards; i++)
    {
      if (self->shards[i].thread != NULL)
        stop_thread (&self->shards[i]);
      else
        g_clear_pointer (&self->shards[i].streams, heart_streams_free);
    }
  heart_source_clear (&self->notify_source);
  for (guint i = 0; i < N_SETTINGS; i++)
    g_clear_pointer (&self->settings[i], command_unref);
  g_clear_object (&self->history);
  g_free (self->shards);
  g_ptr_array_unref (self->takes);
  g_free (self);
}
