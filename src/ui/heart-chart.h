/* heart-chart.h: live heart rate and stress chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-history.h"

G_BEGIN_DECLS

#define HEART_TYPE_CHART (heart_chart_get_type ())
G_DECLARE_FINAL_TYPE (HeartChart, heart_chart, HEART, CHART, GtkDrawingArea)

/* Properties: "history" (HeartHistory), "window-seconds" (guint, 30–300),
 * "live" (gboolean: scroll with the frame clock; off when the simulation is
 * stopped, so a still chart costs no frames). */
GtkWidget    *heart_chart_new                (void);
HeartHistory *heart_chart_get_history        (HeartChart *self);
void          heart_chart_set_history        (HeartChart *self,
                                              HeartHistory *history);
guint         heart_chart_get_window_seconds (HeartChart *self);
void          heart_chart_set_window_seconds (HeartChart *self,
                                              guint seconds);
gboolean      heart_chart_get_live           (HeartChart *self);
void          heart_chart_set_live           (HeartChart *self,
                                              gboolean live);
/* The history has new samples: read them (once per sample, not per frame) */
void          heart_chart_update             (HeartChart *self);
/* Points prepared for drawing (after decimation), for tests */
guint         heart_chart_get_n_points       (HeartChart *self);
/* Simulation time the visible span covers, for tests and screenshots */
double        heart_chart_get_covered_seconds (HeartChart *self);

G_END_DECLS
