/* heart-server-fanout.h: the streams, in the server's thread or one of their own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-history.h"
#include "heart-server-connections.h"
#include "heart-server-streams.h"

G_BEGIN_DECLS

typedef struct _HeartFanout HeartFanout;

/* In the owner's thread: a count of clients changed */
typedef void (*HeartFanoutChangedFunc) (gpointer data);

/* With @n_threads > 0 the clients are shared between that many threads,
 * each with a main context of its own, fed in order through a queue;
 * with 0 the streams run in the caller's thread. @history is the owner's:
 * each thread gets a copy it keeps up to date. */
HeartFanout  *heart_fanout_new               (HeartHistory *history,
                                              HeartConnections *connections,
                                              guint n_threads,
                                              HeartFanoutChangedFunc changed,
                                              gpointer data);
void          heart_fanout_free              (HeartFanout *fanout);

void          heart_fanout_push_sample       (HeartFanout *fanout,
                                              const HeartSample *sample);
void          heart_fanout_push_values       (HeartFanout *fanout,
                                              const HeartChannelValue *values,
                                              guint n_values);
void          heart_fanout_push_waveform     (HeartFanout *fanout,
                                              const HeartWaveformBlock *block);
void          heart_fanout_set_state         (HeartFanout *fanout,
                                              gboolean running,
                                              guint interval_ms);

/* @msg is a valid WebSocket handshake: it is answered and its connection
 * taken from libsoup. @types: a typed stream's channels, 0: the seed's. */
void          heart_fanout_add_websocket     (HeartFanout *fanout,
                                              SoupServerMessage *msg,
                                              HeartChannelMask types);
void          heart_fanout_add_sse           (HeartFanout *fanout,
                                              SoupServerMessage *msg,
                                              HeartChannelMask types);

guint         heart_fanout_count             (HeartFanout *fanout,
                                              HeartClientKind kind);
/* Clients told to close whose connection is not closed yet */
guint         heart_fanout_count_closing     (HeartFanout *fanout);
/* WebSocket 1001, SSE streams completed */
void          heart_fanout_close_all         (HeartFanout *fanout);

void          heart_fanout_set_sse_interval  (HeartFanout *fanout,
                                              guint interval_ms);
void          heart_fanout_set_ping_interval (HeartFanout *fanout,
                                              guint interval_s,
                                              guint pong_timeout_ms);
void          heart_fanout_set_stall_timeout (HeartFanout *fanout,
                                              guint timeout_ms);

G_END_DECLS
