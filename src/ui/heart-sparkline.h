/* heart-sparkline.h: a small line of a history's recent heart rate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-history.h"

G_BEGIN_DECLS

#define HEART_TYPE_SPARKLINE (heart_sparkline_get_type ())
G_DECLARE_FINAL_TYPE (HeartSparkline, heart_sparkline, HEART, SPARKLINE, GtkWidget)

/* The heart rate of @history's last @seconds of simulation time, drawn in
 * the chart's heart rate colour; redrawn by heart_sparkline_update() */
GtkWidget    *heart_sparkline_new         (HeartHistory *history,
                                           double seconds);
HeartHistory *heart_sparkline_get_history (HeartSparkline *self);
/* A new sample is in the history: draw it at the next frame, if shown */
void          heart_sparkline_update      (HeartSparkline *self);
/* For tests: the points drawn last, 0 before any frame */
guint         heart_sparkline_get_n_points (HeartSparkline *self);

G_END_DECLS
