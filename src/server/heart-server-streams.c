/* heart-server-streams.c: WebSocket and Server-Sent Events clients, and the fan-out
 *
 * Every sample is serialised once and the same bytes go to every client.
 * Delivery runs in slices at G_PRIORITY_DEFAULT_IDLE, below the frame clock,
 * each holding the main loop for about the slice budget (1.5 ms by default),
 * so a broadcast to thousands of clients never stalls the window. Every
 * main-loop iteration polls every connection (~2 µs each, docs/architecture.md), so
 * headless mode, with no frames to draw, uses longer slices.
 *
 * libsoup queues frames and chunks without limit (docs/architecture.md), so a client
 * that stops reading is detected here: a WebSocket whose socket is not
 * writable, or an SSE stream with too many bytes not yet written, is skipped
 * (it catches up from the frame ring when it drains) and dropped once it has
 * been stuck for the stall timeout or has fallen out of the ring.
 *
 * Those checks, and the pong check, also run on a timer of their own while
 * there are clients, so they hold while no sample flows (the simulation
 * stopped). An SSE resume is written from the history in slices by
 * heart-server-history.c before the client joins the live stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "heart-fields.h"
#include "heart-sample-fields.h"
#include "heart-server-connections.h"
#include "heart-server-history.h"
#include "heart-server-json.h"
#include "heart-server-streams.h"

typedef struct
{
  HeartStreams            *streams;
  HeartClientKind          kind;
  guint64                  last_seq;       /* last seq handed to libsoup */
  gint64                   stalled_since;  /* monotonic µs; 0 while it keeps up */
  char                    *peer;
  SoupWebsocketConnection *ws;
  GPollableOutputStream   *ws_out;         /* NULL when the stream cannot tell */
  SoupServerMessage       *sse;
  gsize                    sse_pending;    /* bytes appended, not yet written */
  guint                    frames_unchecked; /* frames sent since the socket was last polled */
  gint64                   last_pong_us;   /* monotonic; connect time until the first pong */
  gboolean                 replaying;      /* SSE: the resume from the history is being written */
  HeartChannelMask         types;          /* a typed stream's channels; 0: the seed's sample stream */
  guint64                  last_channel_seq;  /* last channel frame handed to libsoup */
} HeartClient;

typedef struct
{
  guint64 seq;
  GBytes *bytes;
} HeartFrame;

/* One channel's event or frame */
typedef struct
{
  HeartChannelId channel;
  GBytes        *bytes;
} HeartChannelPiece;

/* A tick's channel values, formatted once for every typed client, in time
 * order: SSE one event a value, WebSocket frames by their first value */
typedef struct
{
  guint64  seq;
  GArray  *sse;   /* HeartChannelPiece */
  GArray  *ws;    /* HeartChannelPiece */
} HeartChannelFrame;

/* One kind of client and the slice-by-slice pass that feeds it */
typedef struct
{
  GPtrArray *clients;      /* HeartClient *; NULL slots until the pass ends */
  guint      count;        /* live clients (non-NULL slots) */
  guint      cursor;
  guint      source_id;
  guint      retry_id;
  gboolean   again;        /* new data arrived while a pass was running */
  gboolean   skipped;      /* a client could not take data in this pass */
  gboolean   has_holes;
} HeartClientSet;

struct _HeartStreams
{
  HeartStreamsChangedFunc changed;   /* tells the owner a count changed */
  gpointer        changed_data;
  HeartSimulator *simulator;
  HeartHistory   *history;

  HeartClientSet  websockets;
  HeartClientSet  sse;
  GPtrArray      *closing;    /* HeartClient * told to close, not closed yet */
  HeartReplay    *replay;     /* /api/history and SSE resume */
  guint           watch_id;   /* ping and stall checks, while there are clients */

  HeartFrame      ring[HEART_SERVER_FRAME_RING];
  guint           ring_start;
  guint           ring_len;
  guint64         latest_seq;

  HeartChannelFrame channel_ring[HEART_SERVER_FRAME_RING];
  guint           channel_ring_start;
  guint           channel_ring_len;
  guint64         latest_channel_seq;
  guint           typed_clients;
  char            condition[HEART_LABEL_MAX];

  guint           sse_timer_id;
  guint           sse_interval_ms;
  GBytes         *sse_event;
  guint64         sse_event_seq;
  GBytes         *sse_keepalive;
  guint           sse_ticks;
  gboolean        sse_keepalive_due;

  guint           stall_timeout_ms;
  guint           slice_budget_us;
  guint           ping_interval_s;
  guint           pong_timeout_ms;
};

typedef void (*DeliverFunc) (HeartStreams *self, HeartClient *client, gint64 now);

static void schedule_pass (HeartStreams *self, HeartClientKind kind);
static void update_sse_timer (HeartStreams *self);
static void update_watch (HeartStreams *self);

static HeartClientSet *
client_set (HeartStreams    *self,
            HeartClientKind  kind)
{
  return kind == HEART_CLIENT_WEBSOCKET ? &self->websockets : &self->sse;
}

static const char *
kind_name (HeartClientKind kind)
{
  return kind == HEART_CLIENT_WEBSOCKET ? "WebSocket" : "SSE";
}

static void
client_free (HeartClient *client)
{
  if (client->replaying)
    heart_replay_cancel (client->streams->replay, client->sse);
  if (client->ws != NULL)
    g_signal_handlers_disconnect_by_data (client->ws, client);
  if (client->sse != NULL)
    g_signal_handlers_disconnect_by_data (client->sse, client);
  g_clear_object (&client->ws);
  g_clear_object (&client->ws_out);
  g_clear_object (&client->sse);
  g_free (client->peer);
  g_free (client);
}

static char *
describe_peer (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (address == NULL)
    return g_strdup ("unknown peer");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

/* Takes @client out of its live set; TRUE when it was there. */
static gboolean
detach_client (HeartStreams *self,
               HeartClient  *client)
{
  HeartClientSet *set = client_set (self, client->kind);
  guint index;

  if (!g_ptr_array_find (set->clients, client, &index))
    return FALSE;

  set->clients->pdata[index] = NULL;
  set->has_holes = TRUE;
  set->count--;
  self->typed_clients -= client->types != 0;
  if (client->kind == HEART_CLIENT_SSE)
    update_sse_timer (self);
  update_watch (self);
  self->changed (client->kind, self->changed_data);
  return TRUE;
}

/* The connection is gone, whoever closed it. */
static void
client_gone (HeartStreams *self,
             HeartClient  *client)
{
  if (!detach_client (self, client))
    g_ptr_array_remove_fast (self->closing, client);
  client_free (client);
}

static void
on_ws_closed (SoupWebsocketConnection *connection,
              HeartClient             *client)
{
  client_gone (client->streams, client);
}

static void
on_ws_error (SoupWebsocketConnection *connection,
             GError                  *error,
             HeartClient             *client)
{
  g_debug ("WebSocket client %s: %s", client->peer, error->message);
}

static void
on_ws_pong (SoupWebsocketConnection *connection,
            GByteArray              *message,
            HeartClient             *client)
{
  client->last_pong_us = g_get_monotonic_time ();
}

static void
on_sse_finished (SoupServerMessage *msg,
                 HeartClient       *client)
{
  client_gone (client->streams, client);
}

static void
on_sse_wrote (SoupServerMessage *msg,
              guint              chunk_size,
              HeartClient       *client)
{
  client->sse_pending -= MIN (client->sse_pending, chunk_size);
}

/* Moves a live client to the closing list and starts closing it; the
 * "closed"/"finished" handler frees it. */
static void
close_client (HeartStreams *self,
              HeartClient  *client,
              gushort       ws_code,
              const char   *reason)
{
  if (!detach_client (self, client))
    return;
  g_ptr_array_add (self->closing, client);
  /* what the stream gets from now on is ours alone */
  if (client->replaying)
    {
      heart_replay_cancel (self->replay, client->sse);
      client->replaying = FALSE;
    }

  if (client->kind == HEART_CLIENT_WEBSOCKET)
    {
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, ws_code, reason);
    }
  else if (ws_code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
    {
      /* end the stream cleanly: the last chunk tells the client we are done */
      soup_message_body_complete (soup_server_message_get_response_body (client->sse));
      soup_server_message_unpause (client->sse);
    }
  else
    {
      /* a stalled stream never drains: cut the socket; libsoup's pending
       * write fails and the message emits "finished" */
      GSocket *socket = heart_connections_get_socket (client->sse);

      if (socket != NULL)
        g_socket_shutdown (socket, TRUE, TRUE, NULL);
      soup_server_message_unpause (client->sse);
    }
}

static void
drop_stalled (HeartStreams *self,
              HeartClient  *client,
              const char   *why)
{
  g_message ("Dropping %s client %s: %s", kind_name (client->kind), client->peer, why);
  close_client (self, client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "client too slow");
}

/* FALSE when @client cannot take data now; drops it once stuck too long. */
static gboolean
check_stall (HeartStreams *self,
             HeartClient  *client,
             gboolean      can_take,
             gint64        now)
{
  if (can_take)
    {
      client->stalled_since = 0;
      return TRUE;
    }

  if (client->stalled_since == 0)
    client->stalled_since = now;
  else if (now - client->stalled_since >= (gint64) self->stall_timeout_ms * 1000)
    {
      g_autofree char *why = g_strdup_printf ("not reading for %u ms", self->stall_timeout_ms);

      drop_stalled (self, client, why);
      return FALSE;
    }

  client_set (self, client->kind)->skipped = TRUE;
  return FALSE;
}

/* The kernel may buffer megabytes for a client that stopped reading
 * (tcp_rmem autotunes to 32 MiB here), so the socket stays writable for many
 * minutes; a client that reads answers pings, one that stopped does not.
 * TRUE when @client was dropped. */
static gboolean
drop_if_no_pong (HeartStreams *self,
                 HeartClient  *client,
                 gint64        now)
{
  g_autofree char *why = NULL;

  if (self->ping_interval_s == 0 ||
      now - client->last_pong_us <= (gint64) self->pong_timeout_ms * 1000)
    return FALSE;

  why = g_strdup_printf ("no pong for %u s", (guint) ((now - client->last_pong_us) / G_USEC_PER_SEC));
  drop_stalled (self, client, why);
  return TRUE;
}

static const HeartFrame *
ring_get (HeartStreams *self,
          guint         index)
{
  return &self->ring[(self->ring_start + index) % HEART_SERVER_FRAME_RING];
}

static const HeartChannelFrame *
channel_ring_get (HeartStreams *self,
                  guint         index)
{
  return &self->channel_ring[(self->channel_ring_start + index) % HEART_SERVER_FRAME_RING];
}

/* The index of the first channel frame after @seq */
static guint
channel_ring_after (HeartStreams *self,
                    guint64       seq)
{
  guint first = self->channel_ring_len;

  while (first > 0 && channel_ring_get (self, first - 1)->seq > seq)
    first--;
  return first;
}

static gboolean
client_is_behind (HeartStreams *self,
                  HeartClient  *client)
{
  if (client->types != 0)
    return client->last_channel_seq < self->latest_channel_seq;
  return client->last_seq < self->latest_seq;
}

/* FALSE (and the client dropped) when what it still needs left the ring */
static gboolean
client_in_ring (HeartStreams *self,
                HeartClient  *client)
{
  gboolean in_ring = client->types != 0
                   ? self->channel_ring_len > 0 && client->last_channel_seq + 1 >= channel_ring_get (self, 0)->seq
                   : self->ring_len > 0 && client->last_seq + 1 >= ring_get (self, 0)->seq;

  if (!in_ring)
    drop_stalled (self, client, "fell behind the frame buffer");
  return in_ring;
}

/* A typed WebSocket: each of its channels' frames of each tick it lacks */
static void
send_channel_frames (HeartStreams *self,
                     HeartClient  *client)
{
  for (guint i = channel_ring_after (self, client->last_channel_seq); i < self->channel_ring_len; i++)
    {
      const HeartChannelFrame *frame = channel_ring_get (self, i);

      for (guint k = 0; k < frame->ws->len; k++)
        {
          const HeartChannelPiece *piece = &g_array_index (frame->ws, HeartChannelPiece, k);

          if (!(client->types & HEART_CHANNEL_BIT (piece->channel)))
            continue;
          soup_websocket_connection_send_message (client->ws, SOUP_WEBSOCKET_DATA_TEXT, piece->bytes);
          if (soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
            return;
        }
      client->last_channel_seq = frame->seq;
    }
}

static void
deliver_websocket (HeartStreams *self,
                   HeartClient  *client,
                   gint64        now)
{
  gboolean writable;
  guint first;

  if (!client_is_behind (self, client) ||
      soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  if (!client_in_ring (self, client))
    return;

  if (drop_if_no_pong (self, client, now))
    return;

  /* polling the socket is a syscall: a client that keeps up is checked on
   * every few frames only, so at most that many frames wait in libsoup */
  if (client->stalled_since != 0 || ++client->frames_unchecked >= HEART_SERVER_WRITABLE_EVERY)
    {
      client->frames_unchecked = 0;
      writable = client->ws_out == NULL || g_pollable_output_stream_is_writable (client->ws_out);
      if (!check_stall (self, client, writable, now))
        return;
    }

  if (client->types != 0)
    {
      send_channel_frames (self, client);
      return;
    }

  /* usually just the newest frame: search from the end */
  first = self->ring_len;
  while (first > 0 && ring_get (self, first - 1)->seq > client->last_seq)
    first--;

  for (guint i = first; i < self->ring_len; i++)
    {
      const HeartFrame *frame = ring_get (self, i);

      soup_websocket_connection_send_message (client->ws, SOUP_WEBSOCKET_DATA_TEXT, frame->bytes);
      client->last_seq = frame->seq;
      /* sending can fail and close the connection synchronously */
      if (soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        return;
    }
}

static void
sse_append (HeartClient *client,
            GBytes      *bytes)
{
  soup_message_body_append_bytes (soup_server_message_get_response_body (client->sse), bytes);
  client->sse_pending += g_bytes_get_size (bytes);
}

/* A typed SSE stream: each of its channels' events of each tick it lacks */
static void
append_channel_events (HeartStreams *self,
                       HeartClient  *client)
{
  for (guint i = channel_ring_after (self, client->last_channel_seq); i < self->channel_ring_len; i++)
    {
      const HeartChannelFrame *frame = channel_ring_get (self, i);
      GString *events = g_string_new (NULL);
      g_autoptr(GBytes) bytes = NULL;

      /* one chunk a tick, whatever the number of values */
      for (guint k = 0; k < frame->sse->len; k++)
        {
          const HeartChannelPiece *piece = &g_array_index (frame->sse, HeartChannelPiece, k);
          gsize size = 0;
          const char *data;

          if (!(client->types & HEART_CHANNEL_BIT (piece->channel)))
            continue;
          data = g_bytes_get_data (piece->bytes, &size);
          g_string_append_len (events, data, size);
        }
      bytes = g_string_free_to_bytes (events);
      if (g_bytes_get_size (bytes) > 0)
        sse_append (client, bytes);
      client->last_channel_seq = frame->seq;
    }
}

static void
deliver_sse (HeartStreams *self,
             HeartClient  *client,
             gint64        now)
{
  gboolean has_event = client->types != 0
                     ? client->last_channel_seq < self->latest_channel_seq
                     : self->sse_event != NULL && client->last_seq < self->sse_event_seq;

  /* the resume owns the stream until it is written */
  if (client->replaying || (!has_event && !self->sse_keepalive_due))
    return;

  if (!check_stall (self, client, client->sse_pending <= HEART_SERVER_SSE_PENDING_MAX, now))
    return;

  if (has_event && client->types != 0)
    {
      if (!client_in_ring (self, client))
        return;
      append_channel_events (self, client);
    }
  else if (has_event)
    {
      sse_append (client, self->sse_event);
      client->last_seq = self->sse_event_seq;
    }
  else
    sse_append (client, self->sse_keepalive);
  soup_server_message_unpause (client->sse);
}

static void
compact (HeartClientSet *set)
{
  if (!set->has_holes)
    return;
  for (guint i = set->clients->len; i > 0; i--)
    if (set->clients->pdata[i - 1] == NULL)
      g_ptr_array_remove_index_fast (set->clients, i - 1);
  set->has_holes = FALSE;
}

/* One slice of a pass over @kind's clients; TRUE while the pass goes on. */
static gboolean
run_slice (HeartStreams    *self,
           HeartClientKind  kind,
           DeliverFunc      deliver)
{
  HeartClientSet *set = client_set (self, kind);
  gint64 start = g_get_monotonic_time ();
  gint64 now = start;
  guint max_clients = kind == HEART_CLIENT_SSE ? HEART_SERVER_SSE_SLICE_CLIENTS : G_MAXUINT;
  guint visited = 0;

  while (set->cursor < set->clients->len)
    {
      HeartClient *client = set->clients->pdata[set->cursor++];

      if (client != NULL)
        deliver (self, client, now);
      if (++visited >= max_clients)
        return TRUE;
      if ((set->cursor & 15) == 0)
        {
          now = g_get_monotonic_time ();
          if (now - start >= self->slice_budget_us)
            return TRUE;
        }
    }

  compact (set);
  set->cursor = 0;
  if (set->again)
    {
      set->again = FALSE;
      set->skipped = FALSE;
      return TRUE;
    }
  return FALSE;
}

static void
finish_pass (HeartStreams    *self,
             HeartClientKind  kind);

static gboolean
websocket_slice (gpointer data)
{
  HeartStreams *self = data;

  if (run_slice (self, HEART_CLIENT_WEBSOCKET, deliver_websocket))
    return G_SOURCE_CONTINUE;
  finish_pass (self, HEART_CLIENT_WEBSOCKET);
  return G_SOURCE_REMOVE;
}

static gboolean
sse_slice (gpointer data)
{
  HeartStreams *self = data;

  if (run_slice (self, HEART_CLIENT_SSE, deliver_sse))
    return G_SOURCE_CONTINUE;
  finish_pass (self, HEART_CLIENT_SSE);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_websockets (gpointer data)
{
  HeartStreams *self = data;

  self->websockets.retry_id = 0;
  schedule_pass (self, HEART_CLIENT_WEBSOCKET);
  return G_SOURCE_REMOVE;
}

static gboolean
retry_sse (gpointer data)
{
  HeartStreams *self = data;

  self->sse.retry_id = 0;
  schedule_pass (self, HEART_CLIENT_SSE);
  return G_SOURCE_REMOVE;
}

/* A client skipped because it could not take data gets another chance
 * shortly, so a brief hiccup costs latency, not samples. */
static void
finish_pass (HeartStreams    *self,
             HeartClientKind  kind)
{
  HeartClientSet *set = client_set (self, kind);

  set->source_id = 0;
  if (set->skipped && set->retry_id == 0)
    set->retry_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, 20,
                                        kind == HEART_CLIENT_WEBSOCKET ? retry_websockets : retry_sse,
                                        self, NULL);
  set->skipped = FALSE;
}

static void
schedule_pass (HeartStreams    *self,
               HeartClientKind  kind)
{
  HeartClientSet *set = client_set (self, kind);

  if (set->count == 0)
    return;
  if (set->source_id != 0)
    {
      set->again = TRUE;
      return;
    }
  set->source_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE,
                                    kind == HEART_CLIENT_WEBSOCKET ? websocket_slice : sse_slice,
                                    self, NULL);
}

static void
ring_push (HeartStreams *self,
           guint64       seq,
           GBytes       *bytes)
{
  HeartFrame *slot;

  if (self->ring_len == HEART_SERVER_FRAME_RING)
    {
      slot = &self->ring[self->ring_start];
      g_bytes_unref (slot->bytes);
      self->ring_start = (self->ring_start + 1) % HEART_SERVER_FRAME_RING;
      self->ring_len--;
    }
  slot = &self->ring[(self->ring_start + self->ring_len) % HEART_SERVER_FRAME_RING];
  slot->seq = seq;
  slot->bytes = bytes;
  self->ring_len++;
}

void
heart_streams_push_sample (HeartStreams      *self,
                           const HeartSample *sample)
{
  GString *json;

  if (sample->seq <= self->latest_seq)
    return;
  self->latest_seq = sample->seq;

  /* serialise only when someone listens; a later client starts after it */
  if (self->websockets.count == 0)
    return;

  json = g_string_sized_new (256);
  heart_sample_append_json (sample, HEART_SAMPLE_JSON_WIRE, json);
  ring_push (self, sample->seq, g_string_free_to_bytes (json));
  schedule_pass (self, HEART_CLIENT_WEBSOCKET);
}

static void
piece_clear (HeartChannelPiece *piece)
{
  g_clear_pointer (&piece->bytes, g_bytes_unref);
}

static void
channel_frame_clear (HeartChannelFrame *frame)
{
  g_clear_pointer (&frame->sse, g_array_unref);
  g_clear_pointer (&frame->ws, g_array_unref);
}

static GArray *
pieces_new (void)
{
  GArray *pieces = g_array_new (FALSE, FALSE, sizeof (HeartChannelPiece));

  g_array_set_clear_func (pieces, (GDestroyNotify) piece_clear);
  return pieces;
}

static void
pieces_add (GArray         *pieces,
            HeartChannelId  channel,
            GString        *text)
{
  HeartChannelPiece piece = { channel, g_string_free_to_bytes (text) };

  g_array_append_val (pieces, piece);
}

static HeartChannelFrame *
channel_ring_push (HeartStreams *self)
{
  HeartChannelFrame *slot;

  if (self->channel_ring_len == HEART_SERVER_FRAME_RING)
    {
      channel_frame_clear (&self->channel_ring[self->channel_ring_start]);
      self->channel_ring_start = (self->channel_ring_start + 1) % HEART_SERVER_FRAME_RING;
      self->channel_ring_len--;
    }
  slot = &self->channel_ring[(self->channel_ring_start + self->channel_ring_len++) % HEART_SERVER_FRAME_RING];
  slot->seq = ++self->latest_channel_seq;
  return slot;
}

static void
append_value_json (GString                 *out,
                   const HeartChannelValue *value,
                   const char              *condition)
{
  HeartField fields[HEART_FIELDS_MAX];

  heart_fields_append (out, HEART_FIELDS_JSON, fields, heart_channel_value_fields (value, condition, FALSE, fields));
}

/* A WebSocket batch of one periodic channel being filled */
typedef struct
{
  GString    *text;
  const char *condition;
  guint       index;       /* its place among the tick's frames */
} Batch;

static void
batch_close (Batch *batch)
{
  g_string_append (batch->text, "]}");
}

/* Periodic channels go to WebSocket clients as one batch a tick (a new
 * one when the phase changes), {type, t0, fs, condition, values[]}; the
 * others one frame a value. Frames keep the order of their first value. */
static GArray *
websocket_frames (const HeartChannelValue *values,
                  guint                    n_values,
                  const char             **conditions)
{
  Batch batches[HEART_N_CHANNELS] = { { 0 } };
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autoptr(GArray) channels = g_array_new (FALSE, FALSE, sizeof (HeartChannelId));
  GArray *frames = pieces_new ();

  for (guint i = 0; i < n_values; i++)
    {
      const HeartChannel *info = heart_channel_get (values[i].channel);
      Batch *batch = &batches[values[i].channel];

      if (info->kind != HEART_CHANNEL_KIND_PERIODIC)
        {
          GString *out = g_string_sized_new (128);

          append_value_json (out, &values[i], conditions[i]);
          g_ptr_array_add (texts, out);
          g_array_append_val (channels, values[i].channel);
          continue;
        }
      if (batch->text != NULL && !g_str_equal (batch->condition, conditions[i]))
        {
          batch_close (batch);
          batch->text = NULL;
        }
      if (batch->text == NULL)
        {
          batch->text = g_string_new ("{\"type\":");
          batch->condition = conditions[i];
          batch->index = texts->len;
          heart_json_append_string (batch->text, info->name);
          g_string_append (batch->text, ",\"t0\":\"");
          heart_append_iso8601_ms (batch->text, values[i].timestamp_us);
          g_string_append (batch->text, "\",\"fs\":");
          heart_json_append_double (batch->text, info->rate_hz, 0);
          g_string_append (batch->text, ",\"condition\":");
          heart_json_append_string (batch->text, conditions[i]);
          g_string_append (batch->text, ",\"values\":[");
          g_ptr_array_add (texts, batch->text);
          g_array_append_val (channels, values[i].channel);
        }
      else
        g_string_append_c (batch->text, ',');
      heart_json_append_double (batch->text, values[i].value, MAX (info->decimals, 0));
    }
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (batches[c].text != NULL)
      batch_close (&batches[c]);
  for (guint k = 0; k < texts->len; k++)
    pieces_add (frames, g_array_index (channels, HeartChannelId, k), texts->pdata[k]);
  return frames;
}

/* One event a value, in time order */
static GArray *
sse_events (const HeartChannelValue *values,
            guint                    n_values,
            const char             **conditions)
{
  GArray *events = pieces_new ();

  for (guint i = 0; i < n_values; i++)
    {
      GString *out = g_string_sized_new (128);

      g_string_append (out, "data: ");
      append_value_json (out, &values[i], conditions[i]);
      g_string_append (out, "\n\n");
      pieces_add (events, values[i].channel, out);
    }
  return events;
}

void
heart_streams_push_values (HeartStreams            *self,
                           const HeartChannelValue *values,
                           guint                    n_values)
{
  g_autofree const char **conditions = g_new (const char *, n_values);
  char before[HEART_LABEL_MAX];
  const char *current = before;
  HeartChannelFrame *frame;

  /* each value's condition is the last the stream announced before it */
  g_strlcpy (before, self->condition, sizeof before);
  for (guint i = 0; i < n_values; i++)
    {
      if (values[i].channel == HEART_CHANNEL_CONDITION)
        current = values[i].label;
      conditions[i] = current;
    }
  g_strlcpy (self->condition, current, sizeof self->condition);
  if (self->typed_clients == 0 || n_values == 0)
    return;

  frame = channel_ring_push (self);
  frame->sse = sse_events (values, n_values, conditions);
  frame->ws = websocket_frames (values, n_values, conditions);
  schedule_pass (self, HEART_CLIENT_WEBSOCKET);
  schedule_pass (self, HEART_CLIENT_SSE);
}

static void
refresh_sse_event (HeartStreams *self)
{
  const HeartSample *sample = heart_history_get_latest (self->history);
  GString *event;

  if (sample == NULL || sample->seq == self->sse_event_seq)
    return;

  event = g_string_sized_new (256);
  heart_sse_append_event (event, sample);
  g_clear_pointer (&self->sse_event, g_bytes_unref);
  self->sse_event = g_string_free_to_bytes (event);
  self->sse_event_seq = sample->seq;
}

/* Seed 2's clock: once a wall-clock interval, the latest sample if it is new */
static gboolean
on_sse_tick (gpointer data)
{
  HeartStreams *self = data;

  refresh_sse_event (self);
  /* a paused stream never notices that its client left; a comment line now
   * and then does, and keeps proxies from timing out a stopped simulation */
  self->sse_keepalive_due = ++self->sse_ticks % HEART_SERVER_SSE_KEEPALIVE_TICKS == 0;
  schedule_pass (self, HEART_CLIENT_SSE);
  return G_SOURCE_CONTINUE;
}

static void
update_sse_timer (HeartStreams *self)
{
  if (self->sse.count > 0 && self->sse_timer_id == 0)
    self->sse_timer_id = g_timeout_add (self->sse_interval_ms, on_sse_tick, self);
  else if (self->sse.count == 0)
    g_clear_handle_id (&self->sse_timer_id, g_source_remove);
}

/* The checks deliver_*() make when there is something to send, made with
 * nothing to send: no pong, or stuck since the last delivery */
static void
watch_client (HeartStreams *self,
              HeartClient  *client,
              gint64        now)
{
  gboolean can_take;

  if (client->kind == HEART_CLIENT_WEBSOCKET)
    {
      if (soup_websocket_connection_get_state (client->ws) != SOUP_WEBSOCKET_STATE_OPEN ||
          drop_if_no_pong (self, client, now) ||
          client->stalled_since == 0)
        return;
      can_take = client->ws_out == NULL || g_pollable_output_stream_is_writable (client->ws_out);
    }
  else
    {
      /* a resume being written is watched by heart-server-history.c */
      if (client->replaying ||
          (client->stalled_since == 0 && client->sse_pending <= HEART_SERVER_SSE_PENDING_MAX))
        return;
      can_take = client->sse_pending <= HEART_SERVER_SSE_PENDING_MAX;
    }

  /* drained: catch up with what it was skipped for */
  if (check_stall (self, client, can_take, now))
    schedule_pass (self, client->kind);
}

static void
watch_set (HeartStreams    *self,
           HeartClientKind  kind,
           gint64           now)
{
  HeartClientSet *set = client_set (self, kind);

  for (guint i = 0; i < set->clients->len; i++)
    if (set->clients->pdata[i] != NULL)
      watch_client (self, set->clients->pdata[i], now);
  /* a pass in progress walks the array by index: leave it whole */
  if (set->source_id == 0)
    compact (set);
}

static gboolean
on_watch (gpointer data)
{
  HeartStreams *self = data;
  gint64 now = g_get_monotonic_time ();

  watch_set (self, HEART_CLIENT_WEBSOCKET, now);
  watch_set (self, HEART_CLIENT_SSE, now);
  return G_SOURCE_CONTINUE;
}

/* Often enough to catch a client within a quarter of its timeout; no timer
 * without clients */
static void
update_watch (HeartStreams *self)
{
  guint period_ms = self->stall_timeout_ms;

  if (self->websockets.count + self->sse.count == 0)
    {
      g_clear_handle_id (&self->watch_id, g_source_remove);
      return;
    }
  if (self->watch_id != 0)
    return;
  if (self->ping_interval_s > 0)
    period_ms = MIN (period_ms, self->pong_timeout_ms);
  self->watch_id = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE,
                                       CLAMP (period_ms / 4, 20, HEART_SERVER_WATCH_MAX_MS),
                                       on_watch, self, NULL);
}

static void
restart_watch (HeartStreams *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  update_watch (self);
}

static HeartClient *
add_client (HeartStreams      *self,
            HeartClientKind    kind,
            SoupServerMessage *msg,
            HeartChannelMask   types)
{
  HeartClientSet *set = client_set (self, kind);
  HeartClient *client = g_new0 (HeartClient, 1);
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

  client->streams = self;
  client->kind = kind;
  client->peer = describe_peer (msg);
  client->types = types;
  /* a typed stream starts with the next tick's values */
  client->last_channel_seq = self->latest_channel_seq;
  self->typed_clients += types != 0;
  g_ptr_array_add (set->clients, client);
  set->count++;
  self->changed (kind, self->changed_data);
  return client;
}

static GBytes *
connected_frame (HeartStreams     *self,
                 HeartChannelMask  types)
{
  GString *out = g_string_new ("{\"type\":\"connected\",\"message\":\"Connected to the Heartsim heartbeat stream\"");

  /* a typed stream names its channels */
  if (types != 0)
    {
      g_string_append (out, ",\"channels\":[");
      for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
        if (types & HEART_CHANNEL_BIT (c))
          {
            if (out->str[out->len - 1] != '[')
              g_string_append_c (out, ',');
            heart_json_append_string (out, heart_channel_get (c)->name);
          }
      g_string_append_c (out, ']');
    }

  g_string_append_printf (out, ",\"state\":\"%s\",\"seq\":%" G_GUINT64_FORMAT ",\"interval_ms\":%u,\"version\":\"%s\"}",
                          heart_simulator_get_running (self->simulator) ? "running" : "stopped",
                          self->latest_seq,
                          heart_simulator_get_interval_ms (self->simulator),
                          PACKAGE_VERSION);
  return g_string_free_to_bytes (out);
}

void
heart_streams_add_websocket (HeartStreams            *self,
                             SoupServerMessage       *msg,
                             SoupWebsocketConnection *connection,
                             HeartChannelMask         types)
{
  HeartClient *client = add_client (self, HEART_CLIENT_WEBSOCKET, msg, types);
  GOutputStream *output = g_io_stream_get_output_stream (soup_websocket_connection_get_io_stream (connection));
  g_autoptr(GBytes) hello = connected_frame (self, types);

  /* libsoup unrefs the connection after this callback */
  client->ws = g_object_ref (connection);
  if (G_IS_POLLABLE_OUTPUT_STREAM (output) &&
      g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)))
    client->ws_out = g_object_ref (G_POLLABLE_OUTPUT_STREAM (output));
  client->last_seq = self->latest_seq;

  g_object_set (connection, "max-incoming-payload-size", (guint64) 4096, NULL);
  soup_websocket_connection_set_keepalive_interval (connection, self->ping_interval_s);
  client->last_pong_us = g_get_monotonic_time ();
  g_signal_connect (connection, "pong", G_CALLBACK (on_ws_pong), client);
  g_signal_connect (connection, "closed", G_CALLBACK (on_ws_closed), client);
  g_signal_connect (connection, "error", G_CALLBACK (on_ws_error), client);

  soup_websocket_connection_send_message (connection, SOUP_WEBSOCKET_DATA_TEXT, hello);
  update_watch (self);
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

/* The resume is written: the client joins the live stream */
static void
on_replay_done (gpointer data,
                guint64  last_seq)
{
  HeartClient *client = data;

  client->replaying = FALSE;
  client->last_seq = MAX (client->last_seq, last_seq);
}

void
heart_streams_add_sse (HeartStreams      *self,
                       SoupServerMessage *msg,
                       HeartChannelMask   types)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  guint64 last_event_id = parse_last_event_id (msg);
  const HeartSample *latest;
  HeartClient *client;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Accel-Buffering", "no");
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  /* otherwise every chunk ever sent stays in memory (docs/architecture.md) */
  soup_message_body_set_accumulate (body, FALSE);

  client = add_client (self, HEART_CLIENT_SSE, msg, types);
  client->sse = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (on_sse_finished), client);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_sse_wrote), client);

  /* a comment line, so the client sees the stream open at once */
  {
    g_autoptr(GBytes) hello = g_bytes_new_static (": heartsim\n\n", 12);

    sse_append (client, hello);
  }

  latest = heart_history_get_latest (self->history);
  /* an id from before a restart (seq starts again at 1) cannot resume; a
   * typed stream goes on from now (docs/api.md) */
  if (latest == NULL || last_event_id > latest->seq || types != 0)
    last_event_id = 0;
  if (types != 0)
    ;
  else if (last_event_id > 0)
    {
      /* what it missed, as far as the history holds it: up to 10,000
       * events, written in slices after the comment line */
      client->last_seq = last_event_id;
      client->replaying = heart_replay_add_sse (self->replay, msg, last_event_id, on_replay_done, client);
    }
  else if (latest != NULL)
    {
      /* the latest sample at once */
      GString *event = g_string_sized_new (256);
      g_autoptr(GBytes) bytes = NULL;

      heart_sse_append_event (event, latest);
      bytes = g_string_free_to_bytes (event);
      sse_append (client, bytes);
      client->last_seq = latest->seq;
    }

  update_sse_timer (self);
  update_watch (self);
}

void
heart_streams_add_history (HeartStreams      *self,
                           SoupServerMessage *msg,
                           guint64            since,
                           guint              limit)
{
  heart_replay_add_history (self->replay, msg, since, limit);
}

guint
heart_streams_count (HeartStreams    *self,
                     HeartClientKind  kind)
{
  return client_set (self, kind)->count;
}

guint
heart_streams_count_closing (HeartStreams *self)
{
  return self->closing->len;
}

static void
close_set (HeartStreams    *self,
           HeartClientKind  kind)
{
  HeartClientSet *set = client_set (self, kind);

  for (guint i = 0; i < set->clients->len; i++)
    {
      HeartClient *client = set->clients->pdata[i];

      if (client != NULL)
        close_client (self, client, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
    }
  compact (set);
  set->cursor = 0;
  g_clear_handle_id (&set->source_id, g_source_remove);
  g_clear_handle_id (&set->retry_id, g_source_remove);
}

void
heart_streams_close_all (HeartStreams *self)
{
  close_set (self, HEART_CLIENT_WEBSOCKET);
  close_set (self, HEART_CLIENT_SSE);
  update_sse_timer (self);
}

void
heart_streams_set_sse_interval (HeartStreams *self,
                                guint         interval_ms)
{
  self->sse_interval_ms = MAX (interval_ms, 1);
  g_clear_handle_id (&self->sse_timer_id, g_source_remove);
  update_sse_timer (self);
}

void
heart_streams_set_slice_budget (HeartStreams *self,
                                guint         budget_us)
{
  self->slice_budget_us = MAX (budget_us, 100);
}

void
heart_streams_set_ping_interval (HeartStreams *self,
                                 guint         interval_s,
                                 guint         pong_timeout_ms)
{
  self->ping_interval_s = interval_s;
  self->pong_timeout_ms = pong_timeout_ms;
  restart_watch (self);
}

void
heart_streams_set_stall_timeout (HeartStreams *self,
                                 guint         timeout_ms)
{
  self->stall_timeout_ms = timeout_ms;
  heart_replay_set_stall_timeout (self->replay, timeout_ms);
  restart_watch (self);
}

HeartStreams *
heart_streams_new (HeartSimulator          *simulator,
                   HeartHistory            *history,
                   HeartStreamsChangedFunc  changed,
                   gpointer                 user_data)
{
  HeartStreams *self = g_new0 (HeartStreams, 1);
  const HeartSample *latest = heart_history_get_latest (history);

  self->changed = changed;
  self->changed_data = user_data;
  self->simulator = g_object_ref (simulator);
  self->history = g_object_ref (history);
  self->websockets.clients = g_ptr_array_new ();
  self->sse.clients = g_ptr_array_new ();
  self->closing = g_ptr_array_new ();
  self->sse_interval_ms = HEART_SERVER_SSE_INTERVAL_MS;
  self->stall_timeout_ms = HEART_SERVER_STALL_TIMEOUT_MS;
  self->slice_budget_us = HEART_SERVER_SLICE_BUDGET_US;
  self->ping_interval_s = HEART_SERVER_PING_INTERVAL_S;
  self->pong_timeout_ms = HEART_SERVER_PONG_TIMEOUT_MS;
  self->sse_keepalive = g_bytes_new_static (": keepalive\n\n", 13);
  self->latest_seq = latest ? latest->seq : 0;
  self->replay = heart_replay_new (simulator, history);
  return self;
}

static void
free_set (HeartClientSet *set)
{
  g_clear_handle_id (&set->source_id, g_source_remove);
  g_clear_handle_id (&set->retry_id, g_source_remove);
  for (guint i = 0; i < set->clients->len; i++)
    if (set->clients->pdata[i] != NULL)
      client_free (set->clients->pdata[i]);
  g_ptr_array_unref (set->clients);
}

void
heart_streams_free (HeartStreams *self)
{
  g_clear_handle_id (&self->sse_timer_id, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_source_remove);
  free_set (&self->websockets);
  free_set (&self->sse);
  for (guint i = 0; i < self->closing->len; i++)
    client_free (self->closing->pdata[i]);
  g_ptr_array_unref (self->closing);
  /* after the clients, which cancel their resumes */
  g_clear_pointer (&self->replay, heart_replay_free);
  for (guint i = 0; i < self->ring_len; i++)
    g_bytes_unref (self->ring[(self->ring_start + i) % HEART_SERVER_FRAME_RING].bytes);
  for (guint i = 0; i < self->channel_ring_len; i++)
    channel_frame_clear (&self->channel_ring[(self->channel_ring_start + i) % HEART_SERVER_FRAME_RING]);
  g_clear_pointer (&self->sse_event, g_bytes_unref);
  g_clear_pointer (&self->sse_keepalive, g_bytes_unref);
  g_clear_object (&self->simulator);
  g_clear_object (&self->history);
  g_free (self);
}
