/* heart-server-private.h: the server's request limits, and knobs for tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-server.h"
#include "heart-server-connections.h"
#include "heart-server-history.h"
#include "heart-server-fanout.h"
#include "heart-server-streams.h"

G_BEGIN_DECLS

/* Request limits */
#define HEART_SERVER_MAX_BODY            (16 * 1024)
#define HEART_SERVER_MAX_HEADER_BYTES    (16 * 1024)
#define HEART_SERVER_MAX_HEADERS         100
#define HEART_SERVER_MAX_URI             (8 * 1024)



/* Test and benchmark knobs (not part of the public API) */
void          heart_server_set_sse_interval_ms   (HeartServer *self,
                                                  guint interval_ms);
void          heart_server_set_stall_timeout_ms  (HeartServer *self,
                                                  guint timeout_ms);
/* see heart_connections_set_limits() */
void          heart_server_set_connection_limits (HeartServer *self,
                                                  guint max_connections,
                                                  guint request_timeout_ms,
                                                  guint idle_timeout_ms,
                                                  guint answer_timeout_ms);
guint         heart_server_get_connection_count  (HeartServer *self);
/* @interval_s 0 turns pings (and the no-pong check) off */
void          heart_server_set_ping_interval_s   (HeartServer *self,
                                                  guint interval_s,
                                                  guint pong_timeout_ms);

G_END_DECLS
