/* heart-pulse.h: a heart that beats when told to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEART_TYPE_PULSE (heart_pulse_get_type ())
G_DECLARE_FINAL_TYPE (HeartPulse, heart_pulse, HEART, PULSE, GtkWidget)

GtkWidget *heart_pulse_new        (void);
/* Beat at @monotonic_us (g_get_monotonic_time() clock); now if in the past */
void       heart_pulse_beat_at    (HeartPulse *self,
                                   gint64 monotonic_us);
/* Forget beats not yet shown (the simulation stopped) */
void       heart_pulse_clear      (HeartPulse *self);
guint      heart_pulse_get_n_beats (HeartPulse *self);

G_END_DECLS
