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
#define HEART_BACKFILL_SLICE_SAMPLES       256    /* formatted per main-loop turn: ~0.5 ms, ~48 KB */
#define HEART_BACKFILL_MAX_IN_FLIGHT       32     /* slices with libsoup, not yet written, all answers
                                                   together: ~1.5 MB at most */
#define HEART_BACKFILL_EVICTED_MAX         HEART_HISTORY_DEFAULT_CAPACITY  /* samples kept after they
                                                   left the ring for answers still owing them: 800 KB */


typedef struct _HeartBackfill HeartBackfill;
/* the last replayed seq, once every event is written to the socket */
typedef void (*HeartBackfillDone) (gpointer data,
                                 guint64 last_seq);

HeartBackfill  *heart_backfill_new               (HeartHistory *history);
/* After each sample pushed into the history: what an answer still owes
 * is kept before the next push overwrites it */
void          heart_backfill_pushed            (HeartBackfill *backfill);
void          heart_backfill_free              (HeartBackfill *backfill);
/* Status, headers and (sliced) body of GET or HEAD /api/history */
void          heart_backfill_add_history       (HeartBackfill *backfill,
                                              SoupServerMessage *msg,
                                              guint64 since,
                                              guint limit);
/* Replays every sample with seq > @since to an SSE stream; FALSE, and
 * @done is not called, when there is none. @done is not called either if
 * the client leaves or is cut first. */
gboolean      heart_backfill_add_sse           (HeartBackfill *backfill,
                                              HeartPeer *stream,
                                              guint64 since,
                                              HeartBackfillDone done,
                                              gpointer done_data);
/* @stream wrote everything queued to its socket */
void          heart_backfill_drained           (HeartBackfill *backfill,
                                              HeartPeer *stream);
/* Forgets the job of @stream, if any, without touching @stream */
void          heart_backfill_cancel            (HeartBackfill *backfill,
                                              HeartPeer *stream);
void          heart_backfill_set_stall_timeout (HeartBackfill *backfill,
                                              guint timeout_ms);

G_END_DECLS
