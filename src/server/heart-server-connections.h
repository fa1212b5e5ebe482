/* heart-server-connections.h: accepting clients, their number and lifetime
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Connection limits (docs/reliability.md) */
#define HEART_SERVER_STALL_TIMEOUT_MS    5000   /* a client that cannot take data this long is dropped */
#define HEART_SERVER_CLIENT_SNDBUF       (64 * 1024)  /* per streaming client; the kernel doubles it */
#define HEART_SERVER_MAX_CONNECTIONS     20000  /* and always below the descriptor limit */
#define HEART_SERVER_REQUEST_TIMEOUT_MS  10000  /* a whole request, headers and body, must arrive in this */
#define HEART_SERVER_IDLE_TIMEOUT_MS     30000  /* a kept-alive connection with no request */
#define HEART_SERVER_ANSWER_TIMEOUT_MS   60000  /* a client that does not take a (non-stream) answer */
#define HEART_SERVER_MAX_WS_MESSAGE      (64 * 1024)  /* a client's WebSocket message, all fragments */


typedef struct _HeartConnections HeartConnections;

HeartConnections *heart_connections_new      (SoupServer *soup);
void          heart_connections_free         (HeartConnections *self);
/* Accept clients on @socket (bound and listening) until stop_listening() */
void          heart_connections_listen       (HeartConnections *self,
                                              GSocket *socket);
void          heart_connections_stop_listening (HeartConnections *self);
/* Clients connected, streams included */
guint         heart_connections_count        (HeartConnections *self);
/* @msg's connection, taken from libsoup, is a stream's now: it is
 * forgotten here (not closed), and counted until stream_closed() */
void          heart_connections_release      (HeartConnections *self,
                                              SoupServerMessage *msg);
/* A released connection is closed; from any thread */
void          heart_connections_stream_closed (HeartConnections *self);
/* Clients refused with 503 because the server was full */
guint64       heart_connections_get_refused  (HeartConnections *self);
/* 0 keeps a limit as it is */
void          heart_connections_set_limits   (HeartConnections *self,
                                              guint max_connections,
                                              guint request_timeout_ms,
                                              guint idle_timeout_ms,
                                              guint answer_timeout_ms);
/* The client's socket */
GSocket      *heart_connections_get_socket   (SoupServerMessage *msg);
/* @msg's connection now carries a stream with its own checks; a WebSocket
 * client's messages are capped at @max_websocket_message bytes (0: none) */
void          heart_connections_set_streaming (SoupServerMessage *msg,
                                               guint64 max_websocket_message);
/* Answer @status {"detail":…} and close, without reading the body; from an
 * early handler, before libsoup reads it */
void          heart_connections_refuse       (SoupServerMessage *msg,
                                              guint status,
                                              const char *detail);
/* A whole HTTP/1.1 answer with Connection: close */
GBytes       *heart_connections_format_answer (guint status,
                                               const char *detail);

G_END_DECLS
