/* heart-connection-input.c: the input side of one accepted client connection
 *
 * libsoup reads every client through this filter, which gives the server two
 * things libsoup 3.2 lacks (docs/reliability.md):
 *  - an end of stream on an idle keep-alive connection can be held back and
 *    reported to the owner, which closes the connection itself: libsoup 3.2
 *    would keep such a connection, and its descriptor, forever;
 *  - a cap on the size of a whole WebSocket message: libsoup caps each frame
 *    but collects continuation frames without limit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-connection-input.h"

/* RFC 6455 §5.2: 2 bytes, up to 8 of extended length, 4 of mask */
#define WS_HEADER_MAX 14
#define WS_OPCODE_FIRST_CONTROL 0x8

typedef struct
{
  guint64 max_message;    /* 0: not a WebSocket stream, or no limit */
  guint8  header[WS_HEADER_MAX];
  guint   header_len;
  guint   header_need;
  guint64 payload_left;   /* of the frame being read */
  guint64 message_bytes;  /* data payload of the message being read */
} WebsocketFrames;

struct _HeartConnectionInput
{
  GFilterInputStream  parent_instance;

  GSocketConnection  *connection;
  gboolean            hold_eof;
  gboolean            peer_closed;
  WebsocketFrames     frames;
};

static void pollable_iface_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartConnectionInput, heart_connection_input, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, pollable_iface_init))

enum {
  PEER_CLOSED,
  CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- WebSocket frame accounting ------------------------------------------ */

static guint
ws_header_size (const guint8 *header)
{
  guint length7 = header[1] & 0x7f;
  guint size = 2 + ((header[1] & 0x80) ? 4 : 0);

  if (length7 == 126)
    size += 2;
  else if (length7 == 127)
    size += 8;
  return size;
}

static guint64
ws_payload_length (const guint8 *header)
{
  guint length7 = header[1] & 0x7f;
  guint64 length = 0;
  guint bytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;

  if (bytes == 0)
    return length7;
  for (guint i = 0; i < bytes; i++)
    length = (length << 8) | header[2 + i];
  return length;
}

/* A whole frame header is in: FALSE when its message grows past the cap */
static gboolean
ws_frame_started (WebsocketFrames *frames)
{
  guint opcode = frames->header[0] & 0x0f;
  gboolean fin = (frames->header[0] & 0x80) != 0;
  guint64 length = ws_payload_length (frames->header);

  frames->payload_left = length;
  frames->header_len = 0;
  if (opcode >= WS_OPCODE_FIRST_CONTROL)
    return length <= frames->max_message;

  /* opcode 0 continues a message; any other data opcode starts one */
  if (opcode != 0)
    frames->message_bytes = 0;
  if (length > frames->max_message - frames->message_bytes)
    return FALSE;
  frames->message_bytes = fin ? 0 : frames->message_bytes + length;
  return TRUE;
}

static gboolean
ws_account (WebsocketFrames *frames,
            const guint8    *data,
            gsize            size)
{
  while (size > 0)
    {
      if (frames->payload_left > 0)
        {
          guint64 take = MIN (frames->payload_left, size);

          frames->payload_left -= take;
          data += take;
          size -= take;
          continue;
        }

      frames->header[frames->header_len++] = *data++;
      size--;
      if (frames->header_len == 2)
        frames->header_need = ws_header_size (frames->header);
      if (frames->header_len >= 2 && frames->header_len == frames->header_need &&
          !ws_frame_started (frames))
        return FALSE;
    }
  return TRUE;
}

/* ---- reading --------------------------------------------------------------- */

static GInputStream *
base_stream (HeartConnectionInput *self)
{
  return g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (self));
}

static gssize
set_would_block (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Operation would block");
  return -1;
}

/* What the reader sees of a read of the peer that returned @result */
static gssize
filter_read (HeartConnectionInput *self,
             const void           *buffer,
             gssize                result,
             GError               *read_error,
             GError              **error)
{
  if (result > 0)
    {
      if (self->frames.max_message > 0 && !ws_account (&self->frames, buffer, result))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "WebSocket message longer than %" G_GUINT64_FORMAT " bytes",
                       self->frames.max_message);
          return -1;
        }
      return result;
    }

  if (result < 0 && g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_propagate_error (error, read_error);
      return -1;
    }
  if (!self->hold_eof)
    {
      if (read_error != NULL)
        g_propagate_error (error, read_error);
      return result;
    }

  g_clear_error (&read_error);
  if (!self->peer_closed)
    {
      self->peer_closed = TRUE;
      g_signal_emit (self, signals[PEER_CLOSED], 0);
    }
  return set_would_block (error);
}

static gssize
heart_connection_input_read (GInputStream  *stream,
                             void          *buffer,
                             gsize          count,
                             GCancellable  *cancellable,
                             GError       **error)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (stream);
  GError *read_error = NULL;
  gssize result;

  if (self->peer_closed)
    return set_would_block (error);
  result = g_input_stream_read (base_stream (self), buffer, count, cancellable, &read_error);
  return filter_read (self, buffer, result, read_error, error);
}

static gssize
heart_connection_input_read_nonblocking (GPollableInputStream  *stream,
                                         void                  *buffer,
                                         gsize                  count,
                                         GError               **error)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (stream);
  GError *read_error = NULL;
  gssize result;

  if (self->peer_closed)
    return set_would_block (error);
  result = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (base_stream (self)),
                                                     buffer, count, NULL, &read_error);
  return filter_read (self, buffer, result, read_error, error);
}

static gboolean
heart_connection_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
heart_connection_input_is_readable (GPollableInputStream *stream)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (stream);

  return !self->peer_closed &&
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base_stream (self)));
}

/* Once the peer's end is held back, the reader's source never fires again:
 * the socket stays readable (at end of stream) until the owner closes it. */
static GSource *
heart_connection_input_create_source (GPollableInputStream *stream,
                                      GCancellable         *cancellable)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (stream);
  g_autoptr(GSource) socket_source = NULL;

  if (self->peer_closed)
    return g_pollable_source_new (G_OBJECT (stream));
  socket_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base_stream (self)), NULL);
  return g_pollable_source_new_full (stream, socket_source, cancellable);
}

static gboolean
heart_connection_input_close (GInputStream  *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (stream);
  gboolean closed = g_io_stream_close (G_IO_STREAM (self->connection), cancellable, error);

  g_signal_emit (self, signals[CLOSED], 0);
  return closed;
}

static void
pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = heart_connection_input_can_poll;
  iface->is_readable = heart_connection_input_is_readable;
  iface->create_source = heart_connection_input_create_source;
  iface->read_nonblocking = heart_connection_input_read_nonblocking;
}

/* ---- GObject ---------------------------------------------------------------- */

HeartConnectionInput *
heart_connection_input_new (GSocketConnection *connection)
{
  HeartConnectionInput *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  self = g_object_new (HEART_TYPE_CONNECTION_INPUT,
                       "base-stream", g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                       "close-base-stream", FALSE,
                       NULL);
  self->connection = g_object_ref (connection);
  return self;
}

void
heart_connection_input_set_hold_eof (HeartConnectionInput *self,
                                     gboolean              hold_eof)
{
  g_return_if_fail (HEART_IS_CONNECTION_INPUT (self));
  self->hold_eof = hold_eof;
}

gboolean
heart_connection_input_get_peer_closed (HeartConnectionInput *self)
{
  g_return_val_if_fail (HEART_IS_CONNECTION_INPUT (self), FALSE);
  return self->peer_closed;
}

void
heart_connection_input_limit_websocket_messages (HeartConnectionInput *self,
                                                 guint64               max_bytes)
{
  g_return_if_fail (HEART_IS_CONNECTION_INPUT (self));

  memset (&self->frames, 0, sizeof self->frames);
  self->frames.max_message = max_bytes;
}

static void
heart_connection_input_dispose (GObject *object)
{
  HeartConnectionInput *self = HEART_CONNECTION_INPUT (object);

  /* GInputStream's dispose closes the stream first, which needs the connection */
  G_OBJECT_CLASS (heart_connection_input_parent_class)->dispose (object);
  g_clear_object (&self->connection);
}

static void
heart_connection_input_class_init (HeartConnectionInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->dispose = heart_connection_input_dispose;
  input_class->read_fn = heart_connection_input_read;
  input_class->close_fn = heart_connection_input_close;

  signals[PEER_CLOSED] =
    g_signal_new ("peer-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
heart_connection_input_init (HeartConnectionInput *self)
{
}
