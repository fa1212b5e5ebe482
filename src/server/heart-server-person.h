/* heart-server-person.h: the routes about the person: channels, their
 * history, scenarios (docs/api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-channel-history.h"
#include "heart-simulator.h"

G_BEGIN_DECLS

#define HEART_CHANNEL_HISTORY_MAX_LIMIT  2000   /* values an answer holds: ~120 KB, written at once */
#define HEART_SERVER_MAX_SCENARIO_BODY   (256 * 1024)

/* GET /api/channels; a waveform's rate from @waveforms (the simulation's,
 * or NULL for the channel's default) */
void heart_person_respond_channels (SoupServerMessage *msg,
                                    const HeartWaveformSettings *waveforms);
/* GET /api/history?type=CHANNEL&since=SEQ&limit=N, already validated */
void heart_person_respond_history  (SoupServerMessage *msg,
                                    HeartChannelHistory *history,
                                    HeartChannelId channel,
                                    guint64 since,
                                    guint limit);
/* GET, POST and DELETE /simulation/scenario */
void heart_person_get_scenario     (SoupServerMessage *msg,
                                    HeartSimulator *simulator);
void heart_person_post_scenario    (SoupServerMessage *msg,
                                    GHashTable *query,
                                    HeartSimulator *simulator);
void heart_person_delete_scenario  (SoupServerMessage *msg,
                                    HeartSimulator *simulator);

G_END_DECLS
