/* heart-server-waveform-history.h: the last minute of each waveform channel,
 * for GET /api/waveform
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-waveform.h"

G_BEGIN_DECLS

/* What GET /api/waveform can go back (docs/api.md, "Waveforms") */
#define HEART_WAVEFORM_HISTORY_SECONDS 60

typedef struct _HeartWaveformHistory HeartWaveformHistory;

HeartWaveformHistory *heart_waveform_history_new   (guint seconds);
void                  heart_waveform_history_free  (HeartWaveformHistory *history);
/* Keeps @block's samples and marks; a block that does not follow on from
 * the last of its channel (another rate, another source) starts the
 * channel again */
void                  heart_waveform_history_push  (HeartWaveformHistory *history,
                                                    const HeartWaveformBlock *block);
/* Forgets every channel's samples (another source is served) */
void                  heart_waveform_history_clear (HeartWaveformHistory *history);
/* The last @seconds of @channel (or what there is) as one block, in
 * @block; its values and marks live in @values (float) and @marks
 * (HeartWaveformMark), which it fills. FALSE when it holds none. */
gboolean              heart_waveform_history_query (HeartWaveformHistory *history,
                                                    HeartChannelId channel,
                                                    double seconds,
                                                    GArray *values,
                                                    GArray *marks,
                                                    HeartWaveformBlock *block);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartWaveformHistory, heart_waveform_history_free)

G_END_DECLS
