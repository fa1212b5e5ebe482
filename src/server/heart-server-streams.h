/* heart-server-streams.h: WebSocket and SSE clients and the fan-out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-history.h"
#include "heart-channel.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

/* Defaults of the fan-out (docs/api.md, "Slow clients") */
#define HEART_SERVER_SSE_INTERVAL_MS     1000   /* seed 2: one event a second */
#define HEART_SERVER_SSE_KEEPALIVE_TICKS 15    /* a comment line every 15 quiet SSE intervals */
#define HEART_SERVER_PING_INTERVAL_S     5      /* WebSocket ping every 5 s … */
#define HEART_SERVER_PONG_TIMEOUT_MS     30000  /* … and no pong for 30 s (6 pings): dropped. Generous:
                                                   a busy but reading client must never be hit */
#define HEART_SERVER_WATCH_MAX_MS        1000   /* pong and stall checks at least this often, also
                                                   while no sample flows */
#define HEART_SERVER_FRAME_RING          256    /* frames kept for clients that join or resume between ticks */

typedef enum {
  HEART_CLIENT_WEBSOCKET,
  HEART_CLIENT_SSE,
} HeartClientKind;

typedef struct _HeartStreams HeartStreams;

/* heart-server-streams.c: WebSocket and SSE clients and the fan-out, in
 * one thread (the one that made it); see heart-server-fanout.c for the
 * hand-off from another */
typedef struct
{
  /* a count of live or closing clients changed */
  void (*changed)       (gpointer data);
  /* a client's connection is closed and forgotten */
  void (*client_freed)  (gpointer data);
} HeartStreamsCallbacks;

/* Reads @history for new clients and SSE resumes; with @push_history it is
 * the streams' own, and each pushed sample goes into it too */
HeartStreams *heart_streams_new              (HeartHistory *history,
                                              gboolean push_history,
                                              const HeartStreamsCallbacks *callbacks,
                                              gpointer data);
void          heart_streams_free             (HeartStreams *streams);
void          heart_streams_push_sample      (HeartStreams *streams,
                                              const HeartSample *sample);
/* The channel values of a tick, for typed streams */
void          heart_streams_push_values      (HeartStreams *streams,
                                              const HeartChannelValue *values,
                                              guint n_values);
/* A block of a waveform, for typed streams that named its channel: one
 * frame (docs/api.md, "Waveforms") */
void          heart_streams_push_waveform    (HeartStreams *streams,
                                              const HeartWaveformBlock *block);
/* What "connected" messages say, and the tick the SSE cadence counts in */
void          heart_streams_set_state        (HeartStreams *streams,
                                              gboolean running,
                                              guint interval_ms);
/* A client taken from libsoup: @head (the HTTP answer's head) is written
 * first. @types: the channels of a typed stream (docs/api.md), 0: the
 * seed's. @resume_after: an SSE client's Last-Event-ID, 0: none. */
void          heart_streams_add_client       (HeartStreams *streams,
                                              HeartClientKind kind,
                                              GIOStream *stream,
                                              GSocket *socket,
                                              GBytes *head,
                                              HeartChannelMask types,
                                              guint64 resume_after);
guint         heart_streams_count            (HeartStreams *streams,
                                              HeartClientKind kind);
/* Close every client: WebSocket 1001, SSE streams completed */
void          heart_streams_close_all        (HeartStreams *streams);
/* Clients told to close whose connection is not closed yet */
guint         heart_streams_count_closing    (HeartStreams *streams);
void          heart_streams_set_sse_interval (HeartStreams *streams,
                                              guint interval_ms);
void          heart_streams_set_ping_interval (HeartStreams *streams,
                                               guint interval_s,
                                               guint pong_timeout_ms);
void          heart_streams_set_stall_timeout (HeartStreams *streams,
                                               guint timeout_ms);

G_END_DECLS
