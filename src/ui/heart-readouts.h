/* heart-readouts.h: the numbers at the top of the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-pulse.h"
#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_TYPE_READOUTS (heart_readouts_get_type ())
G_DECLARE_FINAL_TYPE (HeartReadouts, heart_readouts, HEART, READOUTS, GtkWidget)

/* Property "source": whose samples and beats are shown; they dim while it
 * is stopped, and show dashes until its first sample. */
GtkWidget      *heart_readouts_new           (void);
HeartSource    *heart_readouts_get_source    (HeartReadouts *self);
void            heart_readouts_set_source    (HeartReadouts *self,
                                              HeartSource *source);

/* For tests */
HeartPulse     *heart_readouts_get_heart_pulse (HeartReadouts *self);
const char     *heart_readouts_get_bpm_text    (HeartReadouts *self);
/* The number shown for heart rate, RMSSD, stress, respiratory rate, EDA or
 * steps today; for SpO2 and skin temperature the caption with its unit
 * ("97 %", "33.4 °C"); for activity, the words under the steps */
/* Compact: smaller cards, three to a line, for a narrow window */
void           heart_readouts_set_compact             (HeartReadouts *self,
                                                       gboolean compact);
/* What the variability card says beneath RMSSD: the index, or that it
 * is still warming up (for tests) */
const char    *heart_readouts_get_variability_caption (HeartReadouts *self);
const char     *heart_readouts_get_text        (HeartReadouts *self,
                                                HeartChannelId channel);

G_END_DECLS
