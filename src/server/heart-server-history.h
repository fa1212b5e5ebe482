/* heart-server-history.h: answers from the history, in bounded slices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-history.h"
#include "heart-server-peer.h"

G_BEGIN_DECLS

#define HEART_HISTORY_DEFAULT_LIMIT      1000

/* Answers from the history, /api/history and SSE resume, are written in
 * slices (docs/api.md, History answers) */
#define HEART_REPLAY_SLICE_SAMPLES       256    /* formatted per main-loop turn: ~0.5 ms, ~48 KB */
#define HEART_REPLAY_MAX_IN_FLIGHT       32     /* slices with libsoup, not yet written, all answers
                                                   together: ~1.5 MB at most */
#define HEART_REPLAY_EVICTED_MAX         HEART_HISTORY_DEFAULT_CAPACITY  /* samples kept after they
                                                   left the ring for answers still owing them: 800 KB */


typedef struct _HeartReplay HeartReplay;
/* the last replayed seq, once every event is written to the socket */
typedef void (*HeartReplayDone) (gpointer data,
                                 guint64 last_seq);

HeartReplay  *heart_replay_new               (HeartHistory *history);
/* After each sample pushed into the history: what an answer still owes
 * is kept before the next push overwrites it */
void          heart_replay_pushed            (HeartReplay *replay);
void          heart_replay_free              (HeartReplay *replay);
/* Status, headers and (sliced) body of GET or HEAD /api/history */
void          heart_replay_add_history       (HeartReplay *replay,
                                              SoupServerMessage *msg,
                                              guint64 since,
                                              guint limit);
/* Replays every sample with seq > @since to an SSE stream; FALSE, and
 * @done is not called, when there is none. @done is not called either if
 * the client leaves or is cut first. */
gboolean      heart_replay_add_sse           (HeartReplay *replay,
                                              HeartPeer *stream,
                                              guint64 since,
                                              HeartReplayDone done,
                                              gpointer done_data);
/* @stream wrote everything queued to its socket */
void          heart_replay_drained           (HeartReplay *replay,
                                              HeartPeer *stream);
/* Forgets the job of @stream, if any, without touching @stream */
void          heart_replay_cancel            (HeartReplay *replay,
                                              HeartPeer *stream);
void          heart_replay_set_stall_timeout (HeartReplay *replay,
                                              guint timeout_ms);

G_END_DECLS
