/* heart-server-private.h: what the server's files share, and knobs for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-server.h"

G_BEGIN_DECLS

/* Defaults of the fan-out (DESIGN §4a). */
#define HEART_SERVER_SSE_INTERVAL_MS     1000   /* seed 2: one event a second */
#define HEART_SERVER_SSE_KEEPALIVE_TICKS 15    /* a comment line every 15 quiet SSE intervals */
#define HEART_SERVER_STALL_TIMEOUT_MS    5000   /* a client that cannot take data this long is dropped */
#define HEART_SERVER_PING_INTERVAL_S     5      /* WebSocket ping every 5 s … */
#define HEART_SERVER_PONG_TIMEOUT_MS     30000  /* … and no pong for 30 s (6 pings): dropped. Generous:
                                                   a busy but reading client must never be hit */
#define HEART_SERVER_WATCH_MAX_MS        1000   /* pong and stall checks at least this often, also
                                                   while no sample flows */
#define HEART_SERVER_FRAME_RING          256    /* WebSocket frames kept for clients that lag */
#define HEART_SERVER_SSE_PENDING_MAX     (64 * 1024)  /* SSE bytes queued in libsoup, not yet written */
#define HEART_SERVER_CLIENT_SNDBUF       (64 * 1024)  /* per streaming client; the kernel doubles it */
#define HEART_SERVER_SLICE_BUDGET_US     1500   /* one fan-out slice holds the main loop at most ~this */
#define HEART_SERVER_SSE_SLICE_CLIENTS   100    /* libsoup writes SSE chunks later, from one idle each:
                                                   cap a slice so that batch stays short too */
#define HEART_SERVER_WRITABLE_EVERY      4      /* poll a keeping-up WebSocket's socket every 4th frame */

/* Request limits */
#define HEART_SERVER_MAX_BODY            (16 * 1024)
#define HEART_SERVER_MAX_HEADER_BYTES    (16 * 1024)
#define HEART_SERVER_MAX_HEADERS         100
#define HEART_SERVER_MAX_URI             (8 * 1024)

#define HEART_HISTORY_DEFAULT_LIMIT      1000

/* Answers from the history, /api/history and SSE resume, are written in
 * slices (docs/api.md, History answers) */
#define HEART_REPLAY_SLICE_SAMPLES       256    /* formatted per main-loop turn: ~0.5 ms, ~48 KB */
#define HEART_REPLAY_MAX_IN_FLIGHT       32     /* slices with libsoup, not yet written, all answers
                                                   together: ~1.5 MB at most */
#define HEART_REPLAY_EVICTED_MAX         HEART_HISTORY_DEFAULT_CAPACITY  /* samples kept after they
                                                   left the ring for answers still owing them: 800 KB */

/* Connection limits (docs/reliability.md) */
#define HEART_SERVER_MAX_CONNECTIONS     20000  /* and always below the descriptor limit */
#define HEART_SERVER_REQUEST_TIMEOUT_MS  10000  /* a whole request, headers and body, must arrive in this */
#define HEART_SERVER_IDLE_TIMEOUT_MS     30000  /* a kept-alive connection with no request */
#define HEART_SERVER_ANSWER_TIMEOUT_MS   60000  /* a client that does not take a (non-stream) answer */
#define HEART_SERVER_MAX_WS_MESSAGE      (64 * 1024)  /* a client's WebSocket message, all fragments */

typedef enum {
  HEART_CLIENT_WEBSOCKET,
  HEART_CLIENT_SSE,
} HeartClientKind;

typedef struct _HeartStreams HeartStreams;

/* heart-server-streams.c: WebSocket and SSE clients and the fan-out */
HeartStreams *heart_streams_new              (HeartServer *server,
                                              HeartSimulator *simulator,
                                              HeartHistory *history);
void          heart_streams_free             (HeartStreams *streams);
void          heart_streams_push_sample      (HeartStreams *streams,
                                              const HeartSample *sample);
void          heart_streams_add_websocket    (HeartStreams *streams,
                                              SoupServerMessage *msg,
                                              SoupWebsocketConnection *connection);
void          heart_streams_add_sse          (HeartStreams *streams,
                                              SoupServerMessage *msg);
guint         heart_streams_count            (HeartStreams *streams,
                                              HeartClientKind kind);
/* Close every client: WebSocket 1001, SSE streams completed */
void          heart_streams_close_all        (HeartStreams *streams);
/* Clients told to close whose connection is not closed yet */
guint         heart_streams_count_closing    (HeartStreams *streams);
void          heart_streams_set_sse_interval (HeartStreams *streams,
                                              guint interval_ms);
void          heart_streams_set_slice_budget (HeartStreams *streams,
                                              guint budget_us);
void          heart_streams_set_ping_interval (HeartStreams *streams,
                                               guint interval_s,
                                               guint pong_timeout_ms);
void          heart_streams_set_stall_timeout (HeartStreams *streams,
                                               guint timeout_ms);
/* called by the streams when a count changes */
void          heart_server_clients_changed   (HeartServer *server,
                                              HeartClientKind kind);

/* heart-server-connections.c: accepting clients, their number and lifetime */
typedef struct _HeartConnections HeartConnections;

HeartConnections *heart_connections_new      (SoupServer *soup);
void          heart_connections_free         (HeartConnections *self);
/* Accept clients on @socket (bound and listening) until stop_listening() */
void          heart_connections_listen       (HeartConnections *self,
                                              GSocket *socket);
void          heart_connections_stop_listening (HeartConnections *self);
guint         heart_connections_count        (HeartConnections *self);
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

/* Answers an /api/history request (valid @since and @limit) in slices */
void          heart_streams_add_history      (HeartStreams *streams,
                                              SoupServerMessage *msg,
                                              guint64 since,
                                              guint limit);

/* heart-server-history.c: answers from the history, in bounded slices */
typedef struct _HeartReplay HeartReplay;
/* the last replayed seq, once every event is written to the socket */
typedef void (*HeartReplayDone) (gpointer data,
                                 guint64 last_seq);

HeartReplay  *heart_replay_new               (HeartSimulator *simulator,
                                              HeartHistory *history);
void          heart_replay_free              (HeartReplay *replay);
/* Status, headers and (sliced) body of GET or HEAD /api/history */
void          heart_replay_add_history       (HeartReplay *replay,
                                              SoupServerMessage *msg,
                                              guint64 since,
                                              guint limit);
/* Replays every sample with seq > @since to an SSE stream (already set up:
 * chunked, not accumulating); FALSE, and @done is not called, when there is
 * none. @done is not called either if the client leaves or is cut first. */
gboolean      heart_replay_add_sse           (HeartReplay *replay,
                                              SoupServerMessage *msg,
                                              guint64 since,
                                              HeartReplayDone done,
                                              gpointer done_data);
/* Forgets the job of @msg, if any, without touching @msg */
void          heart_replay_cancel            (HeartReplay *replay,
                                              SoupServerMessage *msg);
void          heart_replay_set_stall_timeout (HeartReplay *replay,
                                              guint timeout_ms);

/* heart-server-json.c: small JSON writers (no user string reaches JSON unescaped) */
void          heart_json_append_string       (GString *out,
                                              const char *text);
void          heart_json_append_double       (GString *out,
                                              double value,
                                              int decimals);
void          heart_sse_append_event         (GString *out,
                                              const HeartSample *sample);

/* heart-server-validate.c: FastAPI-shaped query validation */
typedef struct _HeartValidation HeartValidation;

HeartValidation *heart_validation_new        (GHashTable *query);
void             heart_validation_free       (HeartValidation *validation);
/* Each returns TRUE and sets @out when the parameter is valid; otherwise
 * records a FastAPI-shaped error. Absent optional parameters keep @out. */
gboolean         heart_validation_double     (HeartValidation *validation,
                                              const char *name,
                                              gboolean required,
                                              double min,
                                              double max,
                                              double *out);
gboolean         heart_validation_int        (HeartValidation *validation,
                                              const char *name,
                                              gboolean required,
                                              gint64 min,
                                              gint64 max,
                                              gint64 *out);
/* Records an error for each parameter of @raw_query (as sent, still
 * percent-encoded) that holds an encoded NUL */
void             heart_validation_refuse_nul (HeartValidation *validation,
                                              const char *raw_query);
gboolean         heart_validation_ok         (HeartValidation *validation);
/* {"detail":[{"loc":["query",name],"msg":…,"type":…,"input":…},…]} */
char            *heart_validation_to_json    (HeartValidation *validation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartValidation, heart_validation_free)

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
