/* heart-server.h: the REST, Server-Sent Events and WebSocket service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-history.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"

G_BEGIN_DECLS

#define HEART_SERVER_DEFAULT_PORT 8000
#define HEART_SERVER_DEFAULT_BIND "127.0.0.1"
#define HEART_SERVER_MAX_FANOUT_THREADS 16
/* How long to wait on exit for clients to take their close frame */
#define HEART_SERVER_CLOSE_GRACE_MS 150

#define HEART_TYPE_SERVER (heart_server_get_type ())
G_DECLARE_FINAL_TYPE (HeartServer, heart_server, HEART, SERVER, GObject)

/* Properties: "port" (guint, 0 = any free port), "bind-address" (string,
 * default 127.0.0.1), "token" (string or NULL; required on POST when the bind
 * address is not loopback), "listening" (read-only), "websocket-clients" and
 * "sse-clients" (read-only counts, notified when they change), "day-log"
 * (construct-only HeartDayLog that GET /api/day answers from; when not
 * given, the server makes one that follows the source it serves). */
HeartServer *heart_server_new                  (HeartSimulator *simulator,
                                                HeartHistory *history);
/* Fails with G_IO_ERROR_ADDRESS_IN_USE when the port is taken. */
gboolean     heart_server_start                (HeartServer *self,
                                                GError **error);
/* Closes every WebSocket client with 1001 (going away), ends every SSE stream */
void         heart_server_stop                 (HeartServer *self);
gboolean     heart_server_get_listening        (HeartServer *self);
guint        heart_server_get_port             (HeartServer *self);  /* the bound port once listening */
void         heart_server_set_port             (HeartServer *self,
                                                guint port);
const char  *heart_server_get_bind_address     (HeartServer *self);
void         heart_server_set_bind_address     (HeartServer *self,
                                                const char *address);
const char  *heart_server_get_token            (HeartServer *self);
void         heart_server_set_token            (HeartServer *self,
                                                const char *token);
guint        heart_server_get_websocket_clients (HeartServer *self);
guint        heart_server_get_sse_clients      (HeartServer *self);
/* After heart_server_stop(): iterate the thread-default main context until
 * every client told to close has closed (so WebSocket clients get their 1001
 * close frame before the process exits), at most @timeout_ms. TRUE when all
 * closed. */
gboolean     heart_server_wait_closed          (HeartServer *self,
                                                guint timeout_ms);
/* "http://127.0.0.1:8000/" and, when listening on all interfaces, one URL
 * per non-loopback address; NULL-terminated, free with g_strfreev() */
char       **heart_server_dup_urls             (HeartServer *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
