/* heart-chart-cursor.h: the chart's crosshair and the values it reads
 *
 * Plain helpers for HeartChart: what a reading says, in lines for the box
 * beside the crosshair and in one sentence for screen readers, and the
 * drawing of the line and the box (docs/desktop.md, "Chart").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-chart-data.h"

G_BEGIN_DECLS

/* "−12 s\n86 bpm · RR 698 ms\nStress 44 %\n…": the lines of the box, with
 * the traces @shown (each NULL-free); free with g_free */
char *heart_chart_reading_format      (const HeartChartReading *reading,
                                       const gboolean *shown) G_GNUC_WARN_UNUSED_RESULT;
/* The same as one sentence, for the chart's accessible description */
char *heart_chart_reading_sentence    (const HeartChartReading *reading,
                                       const gboolean *shown) G_GNUC_WARN_UNUSED_RESULT;
/* How long before the newest sample: "now", "−12 s", "−4 min 10 s", "−3 h 12 min" */
char *heart_chart_format_age          (double age_s) G_GNUC_WARN_UNUSED_RESULT;

/* The vertical line at @x from @top to @bottom and the box of @text beside
 * it, kept between @left and @right */
void  heart_chart_cursor_draw         (cairo_t *cr,
                                       PangoLayout *text,
                                       double x,
                                       double top,
                                       double bottom,
                                       double left,
                                       double right,
                                       const GdkRGBA *fg,
                                       const GdkRGBA *card);

G_END_DECLS
