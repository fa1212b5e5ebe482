/* heart-server-subject.h: what the server keeps for one person it serves
 *
 * Each subject has its own source, histories, day log and streaming
 * clients, so /subjects/{id}/… answers exactly as the single-person paths
 * do for the first (docs/scale.md, "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-channel-history.h"
#include "heart-day-log.h"
#include "heart-history.h"
#include "heart-server-connections.h"
#include "heart-server-fanout.h"
#include "heart-server-history.h"
#include "heart-server-waveform-history.h"
#include "heart-simulator.h"
#include "heart-subject.h"

G_BEGIN_DECLS

/* The rings of a subject beyond the first: ten minutes at 2 Hz, so that a
 * thousand people fit in memory (docs/scale.md, "Memory") */
#define HEART_SERVER_SUBJECT_HISTORY 1200

typedef struct
{
  guint                 id;
  HeartSubject         *subject;         /* or NULL: the one person of a server without a cohort */
  HeartSimulator       *simulator;       /* obeys the simulation's commands, or NULL */
  HeartSource          *source;          /* what is served */
  HeartHistory         *history;
  HeartChannelHistory  *channel_history;
  HeartDayLog          *day_log;         /* GET /api/day */
  HeartWaveformHistory *waveforms;       /* GET /api/waveform */
  HeartFanout          *fanout;
  HeartBackfill        *backfill;        /* /api/history answers */
  GBytes               *current_json;    /* /heartbeat/current, serialised once per tick */
} HeartServerSubject;

/* @history and @day_log are followed by their owner when given; otherwise
 * the subject makes its own, of @history_capacity samples, following
 * @source. @changed is called when its clients come or go. */
HeartServerSubject *heart_server_subject_new  (guint id,
                                               HeartSubject *subject,
                                               HeartSimulator *simulator,
                                               HeartSource *source,
                                               HeartHistory *history,
                                               guint history_capacity,
                                               HeartDayLog *day_log,
                                               HeartConnections *connections,
                                               guint fanout_threads,
                                               HeartFanoutChangedFunc changed,
                                               gpointer data);
void                heart_server_subject_free (HeartServerSubject *self);

/* the source behind a switch, or the source itself */
HeartSource        *heart_server_subject_current_source (HeartServerSubject *self);
/* TRUE while the simulation is what is served: its commands apply */
gboolean            heart_server_subject_simulating     (HeartServerSubject *self);
/* {"id":…,"name":…,"profile":…,"seed":…,"scenario":…,"phase":…,"bpm":…,…} */
void                heart_server_subject_append_json    (HeartServerSubject *self,
                                                         GString *json);

G_END_DECLS
