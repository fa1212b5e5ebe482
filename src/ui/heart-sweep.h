/* heart-sweep.h: the live ECG and pleth as a bedside monitor sweeps them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_TYPE_SWEEP (heart_sweep_get_type ())
G_DECLARE_FINAL_TYPE (HeartSweep, heart_sweep, HEART, SWEEP, GtkWidget)

/* Properties: "source" (HeartSource: its "waveform" blocks are drawn; its
 * samples give the SpO2, and samples without any block between them say
 * it has no waveform), "show-grid" (a faint grid behind the traces, on by
 * default). */
GtkWidget   *heart_sweep_new                 (void);
HeartSource *heart_sweep_get_source          (HeartSweep *self);
void         heart_sweep_set_source          (HeartSweep *self,
                                              HeartSource *source);
gboolean     heart_sweep_get_show_grid       (HeartSweep *self);
void         heart_sweep_set_show_grid       (HeartSweep *self,
                                              gboolean show_grid);

/* What is shown, for tests and screen readers: */
/* The seconds one pass across the widget takes (its width at about
 * 25 mm/s, 4–10 s) */
double       heart_sweep_get_seconds         (HeartSweep *self);
/* Where the ECG is written: the time just after its newest sample, NAN
 * before any */
double       heart_sweep_get_write_time      (HeartSweep *self);
/* The same, as seconds into the current pass, 0 up to get_seconds() */
double       heart_sweep_get_write_position  (HeartSweep *self);
/* The heart rate shown, from the ECG's beats, bpm; 0 for none ("–": no
 * two beats yet, or the leads are off) */
int          heart_sweep_get_heart_rate      (HeartSweep *self);
/* The SpO2 shown beside the pleth, % from the samples; -1 for none */
int          heart_sweep_get_spo2            (HeartSweep *self);
/* The last beat's code, 'N', 'V' or 'S'; 0 before any */
char         heart_sweep_get_last_beat       (HeartSweep *self);
gboolean     heart_sweep_get_leads_off       (HeartSweep *self);
/* Premature beats (V or S) marked on the trace the last frame drew */
guint        heart_sweep_get_n_premature_drawn (HeartSweep *self);
/* TRUE while it asks the frame clock for frames: mapped and blocks
 * coming */
gboolean     heart_sweep_get_animating       (HeartSweep *self);
/* The text shown instead of traces ("No waveform from this source"), or
 * NULL */
const char  *heart_sweep_get_placeholder     (HeartSweep *self);

G_END_DECLS
