/* heart-server-peer.h: one streaming client's connection, written by us
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_PEER_MAX_QUEUED_FRAMES  256         /* frames waiting for the socket … */
#define HEART_PEER_MAX_QUEUED_BYTES   (256 * 1024) /* … or bytes: beyond either the client is dropped */
#define HEART_PEER_CLOSE_TIMEOUT_MS   1000        /* after our close, for the client's */

typedef enum {
  HEART_PEER_SSE,        /* a chunked text/event-stream answer */
  HEART_PEER_WEBSOCKET,  /* server side of RFC 6455 */
} HeartPeerKind;

typedef struct _HeartPeer HeartPeer;
/* Watches many peers' input as one source of the thread-default context */
typedef struct _HeartPeerPoller HeartPeerPoller;

typedef struct
{
  /* the connection is closed; the owner frees @peer, here or later */
  void (*closed) (HeartPeer *peer, gpointer data);
  /* WebSocket: a pong (or any frame: the client reads) */
  void (*pong)   (HeartPeer *peer, gpointer data);
  /* the queue, blocked before, is written out */
  void (*drained) (HeartPeer *peer, gpointer data);
} HeartPeerCallbacks;

/* Takes over @stream (taken from libsoup; its input may hold bytes libsoup
 * read ahead) and @socket, and writes @head (the HTTP answer's status line
 * and headers) first. */
HeartPeer    *heart_peer_new             (HeartPeerKind kind,
                                          GIOStream *stream,
                                          GSocket *socket,
                                          GBytes *head,
                                          const HeartPeerCallbacks *callbacks,
                                          gpointer data,
                                          HeartPeerPoller *poller);
void          heart_peer_free            (HeartPeer *peer);
/* Queues @frame (pre-framed: a WebSocket frame or an HTTP chunk, shared by
 * every peer it goes to) and writes what the socket takes now. FALSE when
 * the peer is closing or its queue is over the limits (it is not queued). */
gboolean      heart_peer_send            (HeartPeer *peer,
                                          GBytes *frame);
/* Monotonic µs since the queue has not been empty; 0 while it keeps up */
gint64        heart_peer_get_blocked_since (HeartPeer *peer);
gboolean      heart_peer_is_open         (HeartPeer *peer);
void          heart_peer_ping            (HeartPeer *peer);
/* Ends the stream: a WebSocket close frame with @code and @reason, an SSE
 * stream's last chunk; the connection closes once the client has it (or
 * after HEART_PEER_CLOSE_TIMEOUT_MS) */
void          heart_peer_close           (HeartPeer *peer,
                                          gushort code,
                                          const char *reason);
/* Closes the connection now, whatever is queued */
void          heart_peer_abort           (HeartPeer *peer);
const char   *heart_peer_get_description (HeartPeer *peer);

HeartPeerPoller *heart_peer_poller_new    (void);
/* After every peer it watches is freed */
void          heart_peer_poller_free     (HeartPeerPoller *poller);

/* Pre-framed messages */
GBytes       *heart_peer_frame_chunk     (const char *data,
                                          gsize length);
/* A frame or chunk around @text, which is consumed */
GBytes       *heart_peer_frame_string    (HeartPeerKind kind,
                                          GString *text);

G_END_DECLS
