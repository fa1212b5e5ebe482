/* heart-chart.h: live heart rate and stress chart, with breathing and skin
 * conductance beneath
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-chart-data.h"
#include "heart-history.h"

G_BEGIN_DECLS

#define HEART_TYPE_CHART (heart_chart_get_type ())
G_DECLARE_FINAL_TYPE (HeartChart, heart_chart, HEART, CHART, GtkDrawingArea)

/* Properties: "history" (HeartHistory), "day-log" (HeartDayLog: the 1 h
 * and 24 h spans read it and show the activity and sleep bands in place of
 * the traces), "window-seconds" (guint, 30–86400),
 * "live" (gboolean: scroll with the frame clock; off when the simulation is
 * stopped, so a still chart costs no frames), "show-breathing" and
 * "show-skin-conductance" (a strip for each trace under the heart rate). */
GtkWidget    *heart_chart_new                (void);
HeartHistory *heart_chart_get_history        (HeartChart *self);
void          heart_chart_set_history        (HeartChart *self,
                                              HeartHistory *history);
HeartDayLog  *heart_chart_get_day_log        (HeartChart *self);
void          heart_chart_set_day_log        (HeartChart *self,
                                              HeartDayLog *day_log);
guint         heart_chart_get_window_seconds (HeartChart *self);
void          heart_chart_set_window_seconds (HeartChart *self,
                                              guint seconds);
gboolean      heart_chart_get_live           (HeartChart *self);
void          heart_chart_set_live           (HeartChart *self,
                                              gboolean live);
gboolean      heart_chart_get_show_trace     (HeartChart *self,
                                              HeartTraceId trace);
void          heart_chart_set_show_trace     (HeartChart *self,
                                              HeartTraceId trace,
                                              gboolean show);
/* "paused": scrolled back through the history (the mouse wheel, Page Up
 * and Down, or heart_chart_scroll_by()); set FALSE to follow the samples
 * again */
gboolean      heart_chart_get_paused         (HeartChart *self);
void          heart_chart_set_paused         (HeartChart *self,
                                              gboolean paused);
/* Scroll back (@seconds < 0) or on; at the newest sample it follows again */
void          heart_chart_scroll_by          (HeartChart *self,
                                              double seconds);
/* A tick's channel values (the simulator's "values"), for the traces */
void          heart_chart_add_values         (HeartChart *self,
                                              const HeartChannelValue *values,
                                              guint n_values);
/* The history has new samples: read them (once per sample, not per frame) */
void          heart_chart_update             (HeartChart *self);

/* For tests and screenshots: what is prepared, the points after decimation,
 * the simulation time the visible span covers, where a trace's strip is
 * (FALSE when it is hidden), and the phase marks and names the last frame
 * drew */
HeartChartData *heart_chart_get_data         (HeartChart *self);
guint         heart_chart_get_n_points       (HeartChart *self);
double        heart_chart_get_covered_seconds (HeartChart *self);
gboolean      heart_chart_get_trace_area     (HeartChart *self,
                                              HeartTraceId trace,
                                              graphene_rect_t *area);
/* Where a band's strip is (FALSE but on the long spans) */
gboolean      heart_chart_get_band_area      (HeartChart *self,
                                              HeartBandId band,
                                              graphene_rect_t *area);
void          heart_chart_get_drawn_phases   (HeartChart *self,
                                              guint *n_marks,
                                              guint *n_names);

G_END_DECLS
