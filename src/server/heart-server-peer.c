/* heart-server-peer.c: one streaming client's connection, written by us
 *
 * An SSE or WebSocket client is taken from libsoup once its request is
 * read (docs/architecture.md, Fan-out). libsoup frames and copies every
 * WebSocket message for each client, and writes each chunk of a chunked
 * answer in three send()s: at thousands of clients a tick that was most of
 * the cost. Here every message is framed once, the frame's bytes are shared
 * by every client (a reference in each queue, never a copy) and one
 * sendmsg() writes all of a client's queue that its socket takes. What it
 * does not take waits in the queue, which is bounded; the owner drops a
 * client that stays blocked.
 *
 * The WebSocket side is the server half of RFC 6455 without extensions:
 * client frames must be masked; pings are answered, pongs reported, data
 * messages read and ignored (HeartConnectionInput caps their size), a close
 * is answered and ends the connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "heart-server-peer.h"
#include "heart-server-sources.h"

#define MAX_IOV         64
#define READ_SIZE       4096
#define CONTROL_MAX     125

typedef enum {
  OPCODE_CONTINUATION = 0x0,
  OPCODE_TEXT         = 0x1,
  OPCODE_BINARY       = 0x2,
  OPCODE_CLOSE        = 0x8,
  OPCODE_PING         = 0x9,
  OPCODE_PONG         = 0xA,
} Opcode;

enum {
  CLOSE_NORMAL         = 1000,
  CLOSE_PROTOCOL_ERROR = 1002,
  CLOSE_TOO_BIG        = 1009,
};

typedef enum {
  PEER_OPEN,
  PEER_CLOSING,   /* our close frame or last chunk is queued */
  PEER_CLOSED,
} PeerState;

/* The frame being read from a WebSocket client */
typedef struct
{
  guint8  header[14];
  guint   header_len;
  gboolean in_payload;
  guint8  opcode;
  guint8  mask[4];
  guint64 payload_left;
  guint64 payload_pos;
  guint8  control[CONTROL_MAX];
  guint   control_len;
} FrameReader;

/* One epoll set for every peer's input: GLib would poll each connection
 * on every main-loop iteration, ~2 µs each (docs/architecture.md) */
struct _HeartPeerPoller
{
  int      epoll_fd;
  GSource *source;
};

struct _HeartPeer
{
  HeartPeerKind         kind;
  PeerState             state;
  GIOStream            *stream;
  GPollableInputStream *input;
  GSocket              *socket;
  int                   fd;
  char                 *description;
  HeartPeerCallbacks    callbacks;
  gpointer              data;

  GQueue                queue;          /* GBytes *, whole frames */
  gsize                 queued_bytes;
  gsize                 offset;         /* written of the queue's head */
  gint64                blocked_since;
  gboolean              close_when_flushed;
  gboolean              got_close;      /* the client's close frame came */

  HeartPeerPoller      *poller;         /* tells us when the client sent something */
  GSource              *out_source;
  GSource              *closed_source;  /* tells the owner, from the main loop */
  GSource              *close_timer;
  FrameReader           reader;
};

static void flush (HeartPeer *self);
static void read_input (HeartPeer *self);

/* ---- frames ------------------------------------------------------------- */

/* A server frame's header: FIN, the opcode, the unmasked length */
static gsize
frame_header (guint8  opcode,
              gsize   length,
              guint8 *out)
{
  out[0] = 0x80 | opcode;
  if (length < 126)
    {
      out[1] = (guint8) length;
      return 2;
    }
  if (length <= G_MAXUINT16)
    {
      out[1] = 126;
      out[2] = (guint8) (length >> 8);
      out[3] = (guint8) length;
      return 4;
    }
  out[1] = 127;
  for (int i = 0; i < 8; i++)
    out[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
  return 10;
}

static GBytes *
frame_new (guint8      opcode,
           const void *payload,
           gsize       length)
{
  guint8 header[10];
  gsize header_len = frame_header (opcode, length, header);
  guint8 *data = g_malloc (header_len + length);

  memcpy (data, header, header_len);
  if (length > 0)
    memcpy (data + header_len, payload, length);
  return g_bytes_new_take (data, header_len + length);
}

GBytes *
heart_peer_frame_chunk (const char *data,
                        gsize       length)
{
  return heart_peer_frame_string (HEART_PEER_SSE, g_string_new_len (data, (gssize) length));
}

GBytes *
heart_peer_frame_string (HeartPeerKind  kind,
                         GString       *text)
{
  char prefix[20];
  gsize prefix_len;

  /* once per tick and stream: the move is cheaper than a second buffer */
  if (kind == HEART_PEER_WEBSOCKET)
    prefix_len = frame_header (OPCODE_TEXT, text->len, (guint8 *) prefix);
  else
    {
      prefix_len = (gsize) g_snprintf (prefix, sizeof prefix, "%" G_GSIZE_MODIFIER "x\r\n", text->len);
      g_string_append (text, "\r\n");
    }
  g_string_prepend_len (text, prefix, (gssize) prefix_len);
  return g_string_free_to_bytes (text);
}

static GBytes *
close_frame_new (gushort     code,
                 const char *reason)
{
  guint8 code_bytes[2] = { (guint8) (code >> 8), (guint8) code };
  g_autoptr(GByteArray) payload = g_byte_array_sized_new (CONTROL_MAX);

  /* the code, then the reason's bytes: a frame payload, not a C string */
  g_byte_array_append (payload, code_bytes, 2);
  if (reason != NULL)
    g_byte_array_append (payload, (const guint8 *) reason, (guint) MIN (strlen (reason), CONTROL_MAX - 2));
  return frame_new (OPCODE_CLOSE, payload->data, payload->len);
}

/* ---- ending --------------------------------------------------------------- */

static gboolean
tell_closed (gpointer data)
{
  HeartPeer *self = data;

  heart_source_done (&self->closed_source);
  /* may free @self */
  self->callbacks.closed (self, self->data);
  return G_SOURCE_REMOVE;
}

static void
clear_queue (HeartPeer *self)
{
  g_queue_clear_full (&self->queue, (GDestroyNotify) g_bytes_unref);
  self->queued_bytes = 0;
  self->offset = 0;
}

/* Closes the connection; the owner hears of it from the main loop, never
 * from inside a call it made */
static void
finish (HeartPeer *self)
{
  if (self->state == PEER_CLOSED)
    return;
  self->state = PEER_CLOSED;
  epoll_ctl (self->poller->epoll_fd, EPOLL_CTL_DEL, self->fd, NULL);
  heart_source_clear (&self->out_source);
  heart_source_clear (&self->close_timer);
  clear_queue (self);
  g_io_stream_close (self->stream, NULL, NULL);

  self->closed_source = heart_source_idle (G_PRIORITY_DEFAULT, tell_closed, self);
}

static gboolean
on_close_timeout (gpointer data)
{
  HeartPeer *self = data;

  heart_source_done (&self->close_timer);
  finish (self);
  return G_SOURCE_REMOVE;
}

/* ---- writing ---------------------------------------------------------------- */

static void
enqueue (HeartPeer *self,
         GBytes    *frame)
{
  g_queue_push_tail (&self->queue, g_bytes_ref (frame));
  self->queued_bytes += g_bytes_get_size (frame);
}

/* Drops @written bytes from the front of the queue */
static void
consume (HeartPeer *self,
         gsize      written)
{
  while (written > 0)
    {
      GBytes *head = g_queue_peek_head (&self->queue);
      gsize left = g_bytes_get_size (head) - self->offset;

      if (written < left)
        {
          self->offset += written;
          return;
        }
      written -= left;
      self->offset = 0;
      self->queued_bytes -= g_bytes_get_size (head);
      g_bytes_unref (g_queue_pop_head (&self->queue));
    }
}

/* One sendmsg() of as much of the queue as fits in MAX_IOV; the bytes
 * written, 0 when the socket is full, -1 when the connection failed */
static gssize
write_some (HeartPeer *self)
{
  struct iovec iov[MAX_IOV];
  struct msghdr message = { .msg_iov = iov };
  guint n = 0;
  gssize written;

  for (GList *l = self->queue.head; l != NULL && n < MAX_IOV; l = l->next, n++)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (l->data, &size);
      gsize skip = n == 0 ? self->offset : 0;

      iov[n].iov_base = (void *) (data + skip);
      iov[n].iov_len = size - skip;
    }
  message.msg_iovlen = n;

  do
    written = sendmsg (self->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (written < 0 && errno == EINTR);
  if (written < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  return written;
}

static gboolean
on_writable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      data)
{
  HeartPeer *self = data;

  heart_source_done (&self->out_source);
  flush (self);
  return G_SOURCE_REMOVE;
}

static void
watch_writable (HeartPeer *self)
{
  if (self->out_source != NULL)
    return;
  self->out_source = heart_source_attach (g_socket_create_source (self->socket, G_IO_OUT, NULL),
                                          G_PRIORITY_DEFAULT, (GSourceFunc) (GCallback) on_writable, self);
}

/* What is queued and fits goes to the socket; the rest waits for it */
static void
flush (HeartPeer *self)
{
  gboolean was_blocked = self->blocked_since != 0;

  while (!g_queue_is_empty (&self->queue))
    {
      gssize written = write_some (self);

      if (written < 0)
        {
          finish (self);
          return;
        }
      if (written == 0)
        break;
      consume (self, (gsize) written);
    }

  if (!g_queue_is_empty (&self->queue))
    {
      if (self->blocked_since == 0)
        self->blocked_since = g_get_monotonic_time ();
      watch_writable (self);
      return;
    }

  self->blocked_since = 0;
  if (self->close_when_flushed)
    {
      /* an SSE stream ends with its last chunk; a WebSocket with the
       * client's close frame, or the close timeout */
      if (self->kind == HEART_PEER_SSE || self->got_close)
        finish (self);
      else
        g_socket_shutdown (self->socket, FALSE, TRUE, NULL);
      return;
    }
  /* only ever from on_writable(): a send that empties the queue at once
   * says so by its blocked time staying 0 */
  if (was_blocked && self->callbacks.drained != NULL)
    self->callbacks.drained (self, self->data);
}

gboolean
heart_peer_send (HeartPeer *self,
                 GBytes    *frame)
{
  if (self->state != PEER_OPEN ||
      g_queue_get_length (&self->queue) >= HEART_PEER_MAX_QUEUED_FRAMES ||
      self->queued_bytes + g_bytes_get_size (frame) > HEART_PEER_MAX_QUEUED_BYTES)
    return FALSE;

  enqueue (self, frame);
  /* already waiting for the socket: it writes when it can */
  if (self->out_source == NULL)
    flush (self);
  return TRUE;
}

/* Queues the end of the stream; @frame NULL: SSE's last chunk */
static void
start_closing (HeartPeer *self,
               GBytes    *frame)
{
  static const char last_chunk[] = "0\r\n\r\n";
  g_autoptr(GBytes) end = frame != NULL ? g_bytes_ref (frame)
                                        : g_bytes_new_static (last_chunk, sizeof last_chunk - 1);

  self->state = PEER_CLOSING;
  self->close_when_flushed = TRUE;
  enqueue (self, end);
  self->close_timer = heart_source_timeout (HEART_PEER_CLOSE_TIMEOUT_MS, G_PRIORITY_DEFAULT,
                                           on_close_timeout, self);
  if (self->out_source == NULL)
    flush (self);
}

void
heart_peer_close (HeartPeer  *self,
                  gushort     code,
                  const char *reason)
{
  g_autoptr(GBytes) frame = NULL;

  if (self->state != PEER_OPEN)
    return;
  if (self->kind == HEART_PEER_WEBSOCKET)
    frame = close_frame_new (code, reason);
  start_closing (self, frame);
}

void
heart_peer_abort (HeartPeer *self)
{
  finish (self);
}

void
heart_peer_ping (HeartPeer *self)
{
  static const guint8 ping[] = { 0x80 | OPCODE_PING, 0 };
  g_autoptr(GBytes) frame = NULL;

  if (self->state != PEER_OPEN || self->kind != HEART_PEER_WEBSOCKET)
    return;
  frame = g_bytes_new_static (ping, sizeof ping);
  enqueue (self, frame);
  if (self->out_source == NULL)
    flush (self);
}

/* ---- reading ------------------------------------------------------------------ */

static void
fail (HeartPeer *self,
      gushort    code,
      const char *reason)
{
  g_debug ("WebSocket client %s: %s", self->description, reason);
  if (self->state != PEER_OPEN)
    {
      finish (self);
      return;
    }
  heart_peer_close (self, code, reason);
}

static void
on_control_frame (HeartPeer *self)
{
  FrameReader *r = &self->reader;

  switch (r->opcode)
    {
    case OPCODE_PING:
      if (self->state == PEER_OPEN)
        {
          g_autoptr(GBytes) pong = frame_new (OPCODE_PONG, r->control, r->control_len);

          enqueue (self, pong);
          if (self->out_source == NULL)
            flush (self);
        }
      break;

    case OPCODE_PONG:
      if (self->callbacks.pong != NULL)
        self->callbacks.pong (self, self->data);
      break;

    case OPCODE_CLOSE:
      self->got_close = TRUE;
      if (self->state == PEER_OPEN)
        {
          /* answer with its code, or 1000 if it gave none */
          gushort code = r->control_len >= 2 ? (gushort) (r->control[0] << 8 | r->control[1]) : CLOSE_NORMAL;
          g_autoptr(GBytes) frame = close_frame_new (code, NULL);

          start_closing (self, frame);
        }
      else if (g_queue_is_empty (&self->queue))
        finish (self);
      break;

    default:
      break;
    }
}

/* The length of a header whose first two bytes are in */
static guint
header_length (const guint8 *header)
{
  guint length7 = header[1] & 0x7f;

  return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) ? 4 : 0);
}

/* FALSE when the header breaks the protocol */
static gboolean
parse_header (HeartPeer *self)
{
  FrameReader *r = &self->reader;
  guint length7 = r->header[1] & 0x7f;
  guint pos = 2;
  guint64 length = length7;

  r->opcode = r->header[0] & 0x0f;
  if ((r->header[0] & 0x70) != 0 || !(r->header[1] & 0x80))
    return FALSE;   /* extension bits, or an unmasked client frame */
  if (r->opcode != OPCODE_CONTINUATION && r->opcode != OPCODE_TEXT && r->opcode != OPCODE_BINARY &&
      r->opcode != OPCODE_CLOSE && r->opcode != OPCODE_PING && r->opcode != OPCODE_PONG)
    return FALSE;
  if (length7 >= 126)
    {
      guint bytes = length7 == 126 ? 2 : 8;

      length = 0;
      for (guint i = 0; i < bytes; i++)
        length = length << 8 | r->header[pos++];
    }
  /* control frames are short and whole */
  if (r->opcode >= OPCODE_CLOSE && (length > CONTROL_MAX || !(r->header[0] & 0x80)))
    return FALSE;
  memcpy (r->mask, r->header + pos, 4);
  r->payload_left = length;
  r->payload_pos = 0;
  r->control_len = 0;
  r->in_payload = TRUE;
  return TRUE;
}

static void
end_frame (HeartPeer *self)
{
  FrameReader *r = &self->reader;

  r->in_payload = FALSE;
  r->header_len = 0;
  if (r->opcode >= OPCODE_CLOSE)
    on_control_frame (self);
}

/* Feeds bytes from a WebSocket client through the frame reader */
static void
read_frames (HeartPeer    *self,
             const guint8 *data,
             gsize         length)
{
  FrameReader *r = &self->reader;

  while (length > 0 && self->state != PEER_CLOSED)
    {
      if (!r->in_payload)
        {
          guint want = r->header_len < 2 ? 2 : header_length (r->header);

          while (r->header_len < want && length > 0)
            {
              r->header[r->header_len++] = *data++;
              length--;
              if (r->header_len == 2)
                want = header_length (r->header);
            }
          if (r->header_len < want)
            return;
          if (!parse_header (self))
            {
              fail (self, CLOSE_PROTOCOL_ERROR, "WebSocket protocol error");
              return;
            }
        }
      else
        {
          gsize n = (gsize) MIN ((guint64) length, r->payload_left);

          /* data messages are read and dropped; control payloads kept */
          if (r->opcode >= OPCODE_CLOSE)
            for (gsize i = 0; i < n; i++)
              r->control[r->control_len++] = data[i] ^ r->mask[(r->payload_pos + i) % 4];
          r->payload_pos += n;
          r->payload_left -= n;
          data += n;
          length -= n;
        }
      if (r->in_payload && r->payload_left == 0)
        end_frame (self);
    }
}

/* Through libsoup's buffered input, which may hold what it read ahead */
static void
read_input (HeartPeer *self)
{
  guint8 buffer[READ_SIZE];

  /* a few reads a wakeup: a client that floods us does not starve others;
   * the epoll set is level-triggered, so the rest comes next time */
  for (guint i = 0; i < 4 && self->state != PEER_CLOSED; i++)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (self->input, buffer, sizeof buffer, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE) &&
          self->state == PEER_OPEN)
        {
          fail (self, CLOSE_TOO_BIG, "message too big");
          break;
        }
      if (n <= 0)
        {
          /* gone, or reading failed: nobody left to write to */
          finish (self);
          break;
        }
      if (self->kind == HEART_PEER_WEBSOCKET)
        read_frames (self, buffer, (gsize) n);
      /* an SSE client has nothing to say: what it sends is dropped */
    }
}

static gboolean
on_poller_ready (gint         fd,
                 GIOCondition condition,
                 gpointer     data)
{
  HeartPeerPoller *poller = data;
  struct epoll_event events[256];
  int ready = epoll_wait (poller->epoll_fd, events, G_N_ELEMENTS (events), 0);

  /* a peer that closes leaves the set at once, and is freed later, from
   * an idle: every pointer here is valid */
  for (int i = 0; i < ready; i++)
    {
      HeartPeer *peer = events[i].data.ptr;

      if (peer->state != PEER_CLOSED)
        read_input (peer);
    }
  return G_SOURCE_CONTINUE;
}

HeartPeerPoller *
heart_peer_poller_new (void)
{
  HeartPeerPoller *poller = g_new0 (HeartPeerPoller, 1);

  poller->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (poller->epoll_fd < 0)
    g_error ("Cannot create an epoll set: %s", g_strerror (errno));
  poller->source = heart_source_attach (g_unix_fd_source_new (poller->epoll_fd, G_IO_IN),
                                        G_PRIORITY_DEFAULT, (GSourceFunc) (GCallback) on_poller_ready,
                                        poller);
  return poller;
}

void
heart_peer_poller_free (HeartPeerPoller *poller)
{
  heart_source_clear (&poller->source);
  close (poller->epoll_fd);
  g_free (poller);
}

/* ---- the peer ------------------------------------------------------------------- */

static char *
describe (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_remote_address (socket, NULL);

  if (address == NULL)
    return g_strdup ("unknown peer");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

HeartPeer *
heart_peer_new (HeartPeerKind             kind,
                GIOStream                *stream,
                GSocket                  *socket,
                GBytes                   *head,
                const HeartPeerCallbacks *callbacks,
                gpointer                  data,
                HeartPeerPoller          *poller)
{
  struct epoll_event event = { .events = EPOLLIN };
  HeartPeer *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream)), NULL);

  self = g_new0 (HeartPeer, 1);
  self->kind = kind;
  self->stream = g_object_ref (stream);
  self->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (stream));
  self->socket = g_object_ref (socket);
  self->fd = g_socket_get_fd (socket);
  self->description = describe (socket);
  self->callbacks = *callbacks;
  self->data = data;
  g_queue_init (&self->queue);

  self->poller = poller;
  event.data.ptr = self;
  if (epoll_ctl (poller->epoll_fd, EPOLL_CTL_ADD, self->fd, &event) != 0)
    g_warning ("Cannot watch client %s: %s", self->description, g_strerror (errno));

  enqueue (self, head);
  flush (self);
  /* what libsoup read ahead is in its buffer, not the socket */
  read_input (self);
  return self;
}

void
heart_peer_free (HeartPeer *self)
{
  if (self == NULL)
    return;
  if (self->state != PEER_CLOSED)
    epoll_ctl (self->poller->epoll_fd, EPOLL_CTL_DEL, self->fd, NULL);
  heart_source_clear (&self->out_source);
  heart_source_clear (&self->closed_source);
  heart_source_clear (&self->close_timer);
  clear_queue (self);
  if (self->state != PEER_CLOSED)
    g_io_stream_close (self->stream, NULL, NULL);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_free (self->description);
  g_free (self);
}

gint64
heart_peer_get_blocked_since (HeartPeer *self)
{
  return self->blocked_since;
}

gboolean
heart_peer_is_open (HeartPeer *self)
{
  return self->state == PEER_OPEN;
}

const char *
heart_peer_get_description (HeartPeer *self)
{
  return self->description;
}
