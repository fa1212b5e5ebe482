/* heart-server-streams.c: WebSocket and Server-Sent Events clients, and the fan-out
 *
 * Each tick's message is made once per stream, already framed (the
 * WebSocket frame, the HTTP chunk of the SSE event), and the same bytes go
 * to every client of that stream at once, on the tick that made them: each
 * client's HeartPeer (heart-server-peer.c) writes what its socket takes and
 * queues the rest, within bounds (docs/architecture.md, Fan-out). The SSE
 * stream of the seed's /api/stream is made on the ticks that fall on its
 * one-second cadence, so an event is as old as its delivery.
 *
 * Clients come from heart-server-fanout.c, taken from libsoup once their
 * request is read; everything here runs in the thread that made the
 * streams. A client whose queue stays blocked for the stall timeout,
 * overflows, or (WebSocket) answers no ping is dropped; these checks run on a timer of their own while there
 * are clients, so they hold while no sample flows (the simulation stopped).
 * A frame ring lets a client that joined or resumed between ticks catch
 * up. An SSE resume is written from the history by heart-server-history.c
 * before the client joins the live stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-fields.h"
#include "heart-sample-fields.h"
#include "heart-server-connections.h"
#include "heart-server-history.h"
#include "heart-server-json.h"
#include "heart-server-peer.h"
#include "heart-server-sources.h"
#include "heart-server-streams.h"
#include "heart-server-waveform.h"

typedef struct
{
  HeartStreams      *streams;
  HeartClientKind    kind;
  guint64            last_seq;          /* last seq handed to the peer */
  HeartPeer         *peer;
  guint64            resume_after;      /* SSE: Last-Event-ID to resume from, 0: none */
  gint64             last_pong_us;      /* monotonic; connect time until the first pong */
  gint64             last_ping_us;
  gboolean           replaying;         /* SSE: the resume from the history is being written */
  HeartChannelMask   types;             /* a typed stream's channels; 0: the seed's sample stream */
  guint64            last_channel_seq;  /* last channel frame handed to the peer */
} HeartClient;

/* One tick's sample, framed for each stream that gets it */
typedef struct
{
  guint64 seq;
  GBytes *ws;    /* WebSocket frame; NULL if nobody listened */
  GBytes *sse;   /* SSE chunk; NULL off the SSE cadence */
} HeartFrame;

/* One channel's event or frame */
typedef struct
{
  HeartChannelId channel;
  GBytes        *bytes;
} HeartChannelPiece;

/* A tick's channel values, framed once for every typed client, in time
 * order: SSE one event a value, WebSocket frames by their first value */
typedef struct
{
  guint64  seq;
  GArray  *sse;   /* HeartChannelPiece */
  GArray  *ws;    /* HeartChannelPiece */
} HeartChannelFrame;

typedef struct
{
  GPtrArray *clients;      /* HeartClient *; NULL slots while walked */
  guint      count;        /* live clients (non-NULL slots) */
  guint      walking;      /* a broadcast or watch is walking the array */
  gboolean   has_holes;
} HeartClientSet;

struct _HeartStreams
{
  HeartStreamsCallbacks callbacks;   /* tell the owner what changed */
  gpointer        data;
  HeartHistory   *history;
  gboolean        push_history;      /* a history of its own, fed by push_sample() */
  gboolean        running;           /* what the simulation is, as last told */
  guint           interval_ms;

  HeartClientSet  websockets;
  HeartClientSet  sse;
  GPtrArray      *closing;    /* HeartClient * told to close, not closed yet */
  HeartBackfill    *backfill;     /* /api/history and SSE resume */
  GSource        *watch;      /* pings, keep-alives and stall checks, while there are clients */
  HeartPeerPoller *poller;    /* every client's input; made for the first, as a
                               * thousand subjects' streams mostly have none (an
                               * epoll set is a descriptor: docs/scale.md) */

  HeartFrame      ring[HEART_SERVER_FRAME_RING];
  guint           ring_start;
  guint           ring_len;
  guint64         ring_evicted_seq;  /* the newest frame that left the ring */
  guint64         latest_seq;

  HeartChannelFrame channel_ring[HEART_SERVER_FRAME_RING];
  guint           channel_ring_start;
  guint           channel_ring_len;
  guint64         latest_channel_seq;
  guint           typed_clients;
  guint           channel_clients[2][HEART_N_CHANNELS];  /* typed clients of each kind that named each channel */
  char            condition[HEART_LABEL_MAX];

  guint           sse_interval_ms;
  gint64          sse_event_us;      /* sample time of the last SSE event made */
  gint64          sse_sent_us;       /* monotonic: the last SSE event or keep-alive sent */
  GBytes         *sse_keepalive;

  guint           stall_timeout_ms;
  guint           ping_interval_s;
  guint           pong_timeout_ms;
};

static void update_watch (HeartStreams *self);
static void start_client (HeartClient *client);

/* A typed client comes (+1) or goes (-1): the count of each channel it named */
static void
count_channels (HeartStreams *self,
                HeartClient  *client,
                int           delta)
{
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (client->types & HEART_CHANNEL_BIT (c))
      self->channel_clients[client->kind][c] += delta;
}

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
  HeartStreams *self = client->streams;

  if (client->replaying)
    heart_backfill_cancel (self->backfill, client->peer);
  g_clear_pointer (&client->peer, heart_peer_free);
  g_free (client);
  self->callbacks.client_freed (self->data);
}

static void
compact (HeartClientSet *set)
{
  if (!set->has_holes || set->walking > 0)
    return;
  for (guint i = set->clients->len; i > 0; i--)
    if (set->clients->pdata[i - 1] == NULL)
      g_ptr_array_remove_index_fast (set->clients, i - 1);
  set->has_holes = FALSE;
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
  compact (set);
  self->typed_clients -= client->types != 0;
  count_channels (self, client, -1);
  update_watch (self);
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
  self->callbacks.changed (self->data);
}

/* Moves a live client to the closing list and starts closing it; the
 * peer's "closed" frees it. */
static void
close_client (HeartStreams *self,
              HeartClient  *client,
              gushort       ws_code,
              const char   *reason)
{
  if (!detach_client (self, client))
    return;
  g_ptr_array_add (self->closing, client);
  self->callbacks.changed (self->data);
  /* what the stream gets from now on is ours alone */
  if (client->replaying)
    {
      heart_backfill_cancel (self->backfill, client->peer);
      client->replaying = FALSE;
    }
  heart_peer_close (client->peer, ws_code, reason);
}

static void
drop_stalled (HeartStreams *self,
              HeartClient  *client,
              const char   *why)
{
  g_message ("Dropping %s client %s: %s", kind_name (client->kind), heart_peer_get_description (client->peer), why);
  close_client (self, client, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "client too slow");
}

/* ---- delivery ----------------------------------------------------------- */

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

/* The index of the first frame after @seq; usually none or just the newest,
 * so searched from the end */
static guint
ring_after (HeartStreams *self,
            guint64       seq)
{
  guint first = self->ring_len;

  while (first > 0 && ring_get (self, first - 1)->seq > seq)
    first--;
  return first;
}

static guint
channel_ring_after (HeartStreams *self,
                    guint64       seq)
{
  guint first = self->channel_ring_len;

  while (first > 0 && channel_ring_get (self, first - 1)->seq > seq)
    first--;
  return first;
}

/* FALSE (and the client dropped) when what it still needs left the ring */
static gboolean
client_in_ring (HeartStreams *self,
                HeartClient  *client)
{
  /* the channel ring has every tick; the sample ring only the ticks that
   * someone listened to */
  gboolean in_ring = client->types != 0
                   ? self->channel_ring_len == 0 || client->last_channel_seq + 1 >= channel_ring_get (self, 0)->seq
                   : client->last_seq >= self->ring_evicted_seq;

  if (!in_ring)
    drop_stalled (self, client, "fell behind the frame buffer");
  return in_ring;
}

/* FALSE (and the client dropped) when its queue is full */
static gboolean
send_to (HeartStreams *self,
         HeartClient  *client,
         GBytes       *bytes)
{
  if (heart_peer_send (client->peer, bytes))
    return TRUE;
  if (heart_peer_is_open (client->peer))
    drop_stalled (self, client, "too much unwritten");
  return FALSE;
}

/* A typed stream: each of its channels' pieces of each tick it lacks */
static void
send_channel_frames (HeartStreams *self,
                     HeartClient  *client)
{
  for (guint i = channel_ring_after (self, client->last_channel_seq); i < self->channel_ring_len; i++)
    {
      const HeartChannelFrame *frame = channel_ring_get (self, i);
      GArray *pieces = client->kind == HEART_CLIENT_WEBSOCKET ? frame->ws : frame->sse;

      for (guint k = 0; k < pieces->len; k++)
        {
          const HeartChannelPiece *piece = &g_array_index (pieces, HeartChannelPiece, k);

          if ((client->types & HEART_CHANNEL_BIT (piece->channel)) && !send_to (self, client, piece->bytes))
            return;
        }
      client->last_channel_seq = frame->seq;
    }
}

/* The seed's stream: each tick's sample it lacks (SSE: on the cadence) */
static void
send_sample_frames (HeartStreams *self,
                    HeartClient  *client)
{
  for (guint i = ring_after (self, client->last_seq); i < self->ring_len; i++)
    {
      const HeartFrame *frame = ring_get (self, i);
      GBytes *bytes = client->kind == HEART_CLIENT_WEBSOCKET ? frame->ws : frame->sse;

      if (bytes != NULL && !send_to (self, client, bytes))
        return;
      client->last_seq = frame->seq;
    }
}

static void
deliver (HeartStreams *self,
         HeartClient  *client)
{
  /* closing, or the resume owns the stream */
  if (client->replaying || !heart_peer_is_open (client->peer))
    return;
  if (!client_in_ring (self, client))
    return;
  if (client->types != 0)
    send_channel_frames (self, client);
  else
    send_sample_frames (self, client);
}

/* Every client of @kind, now: the frames are framed already, and a socket
 * that cannot take one queues it */
static void
broadcast (HeartStreams    *self,
           HeartClientKind  kind)
{
  HeartClientSet *set = client_set (self, kind);

  set->walking++;
  for (guint i = 0; i < set->clients->len; i++)
    if (set->clients->pdata[i] != NULL)
      deliver (self, set->clients->pdata[i]);
  set->walking--;
  compact (set);
}

static void
ring_push (HeartStreams *self,
           guint64       seq,
           GBytes       *ws,
           GBytes       *sse)
{
  HeartFrame *slot;

  if (self->ring_len == HEART_SERVER_FRAME_RING)
    {
      slot = &self->ring[self->ring_start];
      self->ring_evicted_seq = slot->seq;
      g_clear_pointer (&slot->ws, g_bytes_unref);
      g_clear_pointer (&slot->sse, g_bytes_unref);
      self->ring_start = (self->ring_start + 1) % HEART_SERVER_FRAME_RING;
      self->ring_len--;
    }
  slot = &self->ring[(self->ring_start + self->ring_len) % HEART_SERVER_FRAME_RING];
  slot->seq = seq;
  slot->ws = ws;
  slot->sse = sse;
  self->ring_len++;
}

/* The ticks on the SSE cadence (a second by default): the first sample at
 * least an interval after the last event, less half a tick, so a 500 ms
 * tick gives an event every second tick */
static gboolean
sse_due (HeartStreams      *self,
         const HeartSample *sample)
{
  gint64 tick_us = (gint64) self->interval_ms * 1000;
  gint64 since_us = sample->timestamp_us - self->sse_event_us;

  if (self->sse_event_us == 0 || since_us < 0 ||
      since_us + tick_us / 2 >= (gint64) self->sse_interval_ms * 1000)
    {
      self->sse_event_us = sample->timestamp_us;
      return TRUE;
    }
  return FALSE;
}

static GBytes *
sse_event_new (const HeartSample *sample)
{
  GString *event = g_string_sized_new (256);

  heart_sse_append_event (event, sample);
  return heart_peer_frame_string (HEART_PEER_SSE, event);
}

void
heart_streams_push_sample (HeartStreams      *self,
                           const HeartSample *sample)
{
  gboolean sse_tick;
  GBytes *ws = NULL, *sse = NULL;

  if (sample->seq <= self->latest_seq)
    return;
  self->latest_seq = sample->seq;
  if (self->push_history)
    heart_history_push (self->history, sample);
  heart_backfill_pushed (self->backfill);
  sse_tick = sse_due (self, sample);

  /* framed only when someone listens; a later client starts after it */
  if (self->websockets.count > 0)
    {
      GString *json = g_string_sized_new (256);

      heart_sample_append_json (sample, HEART_SAMPLE_JSON_WIRE, json);
      ws = heart_peer_frame_string (HEART_PEER_WEBSOCKET, json);
    }
  if (sse_tick && self->sse.count > 0)
    sse = sse_event_new (sample);
  if (ws == NULL && sse == NULL)
    return;

  ring_push (self, sample->seq, ws, sse);
  if (ws != NULL)
    broadcast (self, HEART_CLIENT_WEBSOCKET);
  if (sse != NULL)
    {
      self->sse_sent_us = g_get_monotonic_time ();
      broadcast (self, HEART_CLIENT_SSE);
    }
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

/* Frames @text, which it takes, for the stream of @kind */
static void
pieces_add (GArray         *pieces,
            HeartPeerKind   kind,
            HeartChannelId  channel,
            GString        *text)
{
  HeartChannelPiece piece = { channel, heart_peer_frame_string (kind, text) };

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
          batch->text = g_string_sized_new (256);
          batch->condition = conditions[i];
          batch->index = texts->len;
          heart_json_append_batch_head (batch->text, info, values[i].timestamp_us, conditions[i]);
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
    pieces_add (frames, HEART_PEER_WEBSOCKET, g_array_index (channels, HeartChannelId, k), texts->pdata[k]);
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
      pieces_add (events, HEART_PEER_SSE, values[i].channel, out);
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
  broadcast (self, HEART_CLIENT_WEBSOCKET);
  broadcast (self, HEART_CLIENT_SSE);
}

/* A waveform's block is one frame, framed once for each transport whose
 * clients named its channel and delivered as the ticks' channel frames
 * are, through the same ring: a client that joins gets the next block
 * whole, a slow one is dropped as on any stream (docs/api.md, "Waveforms") */
void
heart_streams_push_waveform (HeartStreams             *self,
                             const HeartWaveformBlock *block)
{
  guint ws_clients = self->channel_clients[HEART_CLIENT_WEBSOCKET][block->channel];
  guint sse_clients = self->channel_clients[HEART_CLIENT_SSE][block->channel];
  HeartChannelFrame *frame;
  GString *json;

  if (ws_clients + sse_clients == 0 || (block->n_values == 0 && block->n_marks == 0))
    return;

  json = g_string_sized_new (256 + block->n_values * 8);
  heart_waveform_append_json (json, block);
  frame = channel_ring_push (self);
  frame->ws = pieces_new ();
  frame->sse = pieces_new ();
  if (sse_clients > 0)
    {
      GString *event = g_string_sized_new (json->len + 8);

      g_string_append (event, "data: ");
      g_string_append_len (event, json->str, (gssize) json->len);
      g_string_append (event, "\n\n");
      pieces_add (frame->sse, HEART_PEER_SSE, block->channel, event);
    }
  if (ws_clients > 0)
    pieces_add (frame->ws, HEART_PEER_WEBSOCKET, block->channel, json);
  else
    g_string_free (json, TRUE);
  /* both kinds: every typed client moves past the frame, wanted or not,
   * or 256 blocks between two ticks would leave it behind the ring */
  broadcast (self, HEART_CLIENT_WEBSOCKET);
  broadcast (self, HEART_CLIENT_SSE);
}

/* ---- the watch: pings, keep-alives, stalls -------------------------------- */

/* The kernel may buffer megabytes for a client that stopped reading
 * (tcp_rmem autotunes to 32 MiB here), so its queue may never block; a
 * client that reads answers pings, one that stopped does not. */
static void
watch_websocket (HeartStreams *self,
                 HeartClient  *client,
                 gint64        now)
{
  if (self->ping_interval_s == 0)
    return;
  if (now - client->last_pong_us > (gint64) self->pong_timeout_ms * 1000)
    {
      g_autofree char *why = g_strdup_printf ("no pong for %u s",
                                              (guint) ((now - client->last_pong_us) / G_USEC_PER_SEC));

      drop_stalled (self, client, why);
      return;
    }
  if (now - client->last_ping_us >= (gint64) self->ping_interval_s * G_USEC_PER_SEC)
    {
      client->last_ping_us = now;
      heart_peer_ping (client->peer);
    }
}

static void
watch_client (HeartStreams *self,
              HeartClient  *client,
              gint64        now,
              gboolean      keepalive_due)
{
  gint64 blocked_since;

  /* a resume being written is watched by heart-server-history.c */
  if (client->replaying || !heart_peer_is_open (client->peer))
    return;

  blocked_since = heart_peer_get_blocked_since (client->peer);
  if (blocked_since != 0 && now - blocked_since >= (gint64) self->stall_timeout_ms * 1000)
    {
      g_autofree char *why = g_strdup_printf ("not reading for %u ms", self->stall_timeout_ms);

      drop_stalled (self, client, why);
      return;
    }
  if (client->kind == HEART_CLIENT_WEBSOCKET)
    watch_websocket (self, client, now);
  /* a stream with nothing to say notices that its client left, and
   * proxies keep it open, with a comment line now and then */
  else if (keepalive_due)
    send_to (self, client, self->sse_keepalive);
}

static void
watch_set (HeartStreams    *self,
           HeartClientKind  kind,
           gint64           now,
           gboolean         keepalive_due)
{
  HeartClientSet *set = client_set (self, kind);

  set->walking++;
  for (guint i = 0; i < set->clients->len; i++)
    if (set->clients->pdata[i] != NULL)
      watch_client (self, set->clients->pdata[i], now, keepalive_due);
  set->walking--;
  compact (set);
}

static gboolean
on_watch (gpointer data)
{
  HeartStreams *self = data;
  gint64 now = g_get_monotonic_time ();
  gboolean keepalive_due = now - self->sse_sent_us >=
                           (gint64) self->sse_interval_ms * HEART_SERVER_SSE_KEEPALIVE_TICKS * 1000;

  if (keepalive_due)
    self->sse_sent_us = now;
  watch_set (self, HEART_CLIENT_WEBSOCKET, now, FALSE);
  watch_set (self, HEART_CLIENT_SSE, now, keepalive_due);
  return G_SOURCE_CONTINUE;
}

/* Often enough to catch a client within a quarter of its timeout, and to
 * keep SSE streams alive; no timer without clients */
static void
update_watch (HeartStreams *self)
{
  guint period_ms = MIN (self->stall_timeout_ms, self->sse_interval_ms * HEART_SERVER_SSE_KEEPALIVE_TICKS);

  if (self->websockets.count + self->sse.count == 0)
    {
      heart_source_clear (&self->watch);
      return;
    }
  if (self->watch != NULL)
    return;
  if (self->ping_interval_s > 0)
    period_ms = MIN (period_ms, MIN (self->pong_timeout_ms, self->ping_interval_s * 1000));
  self->watch = heart_source_timeout (CLAMP (period_ms / 4, 20, HEART_SERVER_WATCH_MAX_MS),
                                     G_PRIORITY_DEFAULT_IDLE, on_watch, self);
}

static void
restart_watch (HeartStreams *self)
{
  heart_source_clear (&self->watch);
  update_watch (self);
}

/* ---- clients ------------------------------------------------------------------ */

static void
on_peer_closed (HeartPeer *peer,
                gpointer   data)
{
  HeartClient *client = data;

  client_gone (client->streams, client);
}

static void
on_peer_pong (HeartPeer *peer,
              gpointer   data)
{
  HeartClient *client = data;

  client->last_pong_us = g_get_monotonic_time ();
}

static void
on_peer_drained (HeartPeer *peer,
                 gpointer   data)
{
  HeartClient *client = data;

  if (client->replaying)
    heart_backfill_drained (client->streams->backfill, peer);
}

static const HeartPeerCallbacks peer_callbacks = {
  .closed = on_peer_closed,
  .pong = on_peer_pong,
  .drained = on_peer_drained,
};

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
                          self->running ? "running" : "stopped",
                          self->latest_seq,
                          self->interval_ms,
                          PACKAGE_VERSION);
  return heart_peer_frame_string (HEART_PEER_WEBSOCKET, out);
}

/* The resume is written: the client joins the live stream */
static void
on_replay_done (gpointer data,
                guint64  last_seq)
{
  HeartClient *client = data;

  client->replaying = FALSE;
  client->last_seq = MAX (client->last_seq, last_seq);
  deliver (client->streams, client);
}

/* Taken from libsoup, its head queued: the first messages, then the ticks
 * since it asked */
static void
start_client (HeartClient *client)
{
  HeartStreams *self = client->streams;
  const HeartSample *latest = heart_history_get_latest (self->history);

  if (client->kind == HEART_CLIENT_WEBSOCKET)
    {
      g_autoptr(GBytes) hello = connected_frame (self, client->types);

      send_to (self, client, hello);
    }
  else
    {
      /* a comment line, so the client sees the stream open at once */
      static const char comment[] = ": heartsim\n\n";
      g_autoptr(GBytes) hello = heart_peer_frame_chunk (comment, sizeof comment - 1);

      send_to (self, client, hello);
      if (client->resume_after > 0)
        {
          /* what it missed, as far as the history holds it: up to 10,000
           * events, written in slices after the comment line */
          client->last_seq = client->resume_after;
          client->replaying = heart_backfill_add_sse (self->backfill, client->peer, client->resume_after,
                                                    on_replay_done, client);
        }
      else if (client->types == 0 && latest != NULL)
        {
          /* the latest sample at once */
          g_autoptr(GBytes) event = sse_event_new (latest);

          send_to (self, client, event);
          client->last_seq = latest->seq;
        }
    }
  deliver (self, client);
}

void
heart_streams_add_client (HeartStreams     *self,
                          HeartClientKind   kind,
                          GIOStream        *stream,
                          GSocket          *socket,
                          GBytes           *head,
                          HeartChannelMask  types,
                          guint64           resume_after)
{
  HeartClientSet *set = client_set (self, kind);
  HeartClient *client = g_new0 (HeartClient, 1);
  const HeartSample *latest = heart_history_get_latest (self->history);

  client->streams = self;
  client->kind = kind;
  client->types = types;
  client->last_seq = self->latest_seq;
  /* a typed stream starts with the next tick's values */
  client->last_channel_seq = self->latest_channel_seq;
  client->last_pong_us = client->last_ping_us = g_get_monotonic_time ();
  /* an id from before a restart (seq starts again at 1) cannot resume; a
   * typed stream goes on from now (docs/api.md) */
  if (latest != NULL && resume_after <= latest->seq && types == 0)
    client->resume_after = resume_after;
  self->typed_clients += types != 0;
  count_channels (self, client, +1);
  g_ptr_array_add (set->clients, client);
  set->count++;
  if (self->poller == NULL)
    self->poller = heart_peer_poller_new ();
  client->peer = heart_peer_new (kind == HEART_CLIENT_WEBSOCKET ? HEART_PEER_WEBSOCKET : HEART_PEER_SSE,
                                 stream, socket, head, &peer_callbacks, client, self->poller);
  start_client (client);
  update_watch (self);
  self->callbacks.changed (self->data);
}

void
heart_streams_set_state (HeartStreams *self,
                         gboolean      running,
                         guint         interval_ms)
{
  self->running = running;
  self->interval_ms = interval_ms;
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

  set->walking++;
  for (guint i = 0; i < set->clients->len; i++)
    {
      HeartClient *client = set->clients->pdata[i];

      if (client != NULL)
        close_client (self, client, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "server shutting down");
    }
  set->walking--;
  compact (set);
}

void
heart_streams_close_all (HeartStreams *self)
{
  close_set (self, HEART_CLIENT_WEBSOCKET);
  close_set (self, HEART_CLIENT_SSE);
}

void
heart_streams_set_sse_interval (HeartStreams *self,
                                guint         interval_ms)
{
  self->sse_interval_ms = MAX (interval_ms, 1);
  restart_watch (self);
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
  heart_backfill_set_stall_timeout (self->backfill, timeout_ms);
  restart_watch (self);
}

HeartStreams *
heart_streams_new (HeartHistory                *history,
                   gboolean                     push_history,
                   const HeartStreamsCallbacks *callbacks,
                   gpointer                     data)
{
  HeartStreams *self = g_new0 (HeartStreams, 1);
  const HeartSample *latest = heart_history_get_latest (history);

  self->callbacks = *callbacks;
  self->data = data;
  self->history = g_object_ref (history);
  self->push_history = push_history;
  self->interval_ms = 500;
  self->websockets.clients = g_ptr_array_new ();
  self->sse.clients = g_ptr_array_new ();
  self->closing = g_ptr_array_new ();
  self->sse_interval_ms = HEART_SERVER_SSE_INTERVAL_MS;
  self->stall_timeout_ms = HEART_SERVER_STALL_TIMEOUT_MS;
  self->ping_interval_s = HEART_SERVER_PING_INTERVAL_S;
  self->pong_timeout_ms = HEART_SERVER_PONG_TIMEOUT_MS;
  self->sse_keepalive = heart_peer_frame_chunk (": keepalive\n\n", 13);
  self->sse_sent_us = g_get_monotonic_time ();
  self->latest_seq = latest ? latest->seq : 0;
  self->backfill = heart_backfill_new (history);
  return self;
}

static void
free_set (HeartClientSet *set)
{
  for (guint i = 0; i < set->clients->len; i++)
    if (set->clients->pdata[i] != NULL)
      client_free (set->clients->pdata[i]);
  g_ptr_array_unref (set->clients);
}

void
heart_streams_free (HeartStreams *self)
{
  heart_source_clear (&self->watch);
  free_set (&self->websockets);
  free_set (&self->sse);
  for (guint i = 0; i < self->closing->len; i++)
    client_free (self->closing->pdata[i]);
  g_ptr_array_unref (self->closing);
  /* after the clients, which cancel their resumes */
  g_clear_pointer (&self->backfill, heart_backfill_free);
  for (guint i = 0; i < self->ring_len; i++)
    {
      HeartFrame *frame = &self->ring[(self->ring_start + i) % HEART_SERVER_FRAME_RING];

      g_clear_pointer (&frame->ws, g_bytes_unref);
      g_clear_pointer (&frame->sse, g_bytes_unref);
    }
  for (guint i = 0; i < self->channel_ring_len; i++)
    channel_frame_clear (&self->channel_ring[(self->channel_ring_start + i) % HEART_SERVER_FRAME_RING]);
  g_clear_pointer (&self->sse_keepalive, g_bytes_unref);
  g_clear_pointer (&self->poller, heart_peer_poller_free);
  g_clear_object (&self->history);
  g_free (self);
}
