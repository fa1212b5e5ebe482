/* heart-server-waveform.h: the waveforms on the wire: their frames,
 * GET /api/waveform and /simulation/waveform (docs/api.md, "Waveforms")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-server-waveform-history.h"
#include "heart-simulator.h"

G_BEGIN_DECLS

/* {"type","t0","t0_s","index","fs","unit","values","annotations"}: a frame
 * of the typed streams, and the answer of GET /api/waveform; values to the
 * channel's decimals */
void heart_waveform_append_json         (GString *out,
                                         const HeartWaveformBlock *block);

/* GET /api/waveform?type=ecg&seconds=10 from @history; @settings (NULL
 * when no simulation is served) give the rate of a channel with no
 * samples yet */
void heart_server_waveform_respond      (SoupServerMessage *msg,
                                         GHashTable *query,
                                         HeartWaveformHistory *history,
                                         const HeartWaveformSettings *settings);
/* GET /simulation/waveform: @simulator's HeartWaveformSettings */
void heart_server_waveform_get_settings (SoupServerMessage *msg,
                                         HeartSimulator *simulator);
/* POST /simulation/waveform?pvc_per_hour=60&…: the fields given, each
 * checked before any changes */
void heart_server_waveform_set_settings (SoupServerMessage *msg,
                                         GHashTable *query,
                                         HeartSimulator *simulator);

G_END_DECLS
