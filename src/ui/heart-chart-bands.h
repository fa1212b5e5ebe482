/* heart-chart-bands.h: the activity and sleep bands of the chart's long spans
 *
 * Plain drawing helpers for HeartChart: a band is a strip under the heart
 * rate with a title and a key above it; the activity band colours each
 * stretch by what the person did (named where it is wide enough), the
 * sleep band is a hypnogram, each stage a block at its own height, awake
 * on top and deep sleep at the bottom (docs/desktop.md, "Chart").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-chart-data.h"

G_BEGIN_DECLS

typedef struct
{
  GdkRGBA      fg;
  GdkRGBA      activity[HEART_N_ACTIVITIES];
  GdkRGBA      sleep[HEART_N_DAY_SLEEP];
  PangoLayout *titles[HEART_N_BANDS];
  PangoLayout *activity_names[HEART_N_ACTIVITIES];
  PangoLayout *sleep_names[HEART_N_DAY_SLEEP];
} HeartBandStyle;

/* Where a band is drawn, and the span of time across it */
typedef struct
{
  double left, top, right, bottom;
  double edge_t;            /* simulation time at the right end */
  double window_seconds;
} HeartBandArea;

/* The colours from the widget's style (named colours of style.css) and
 * the names in its font; again when the style changes */
void   heart_band_style_load  (HeartBandStyle *style,
                               GtkWidget *widget);
void   heart_band_style_clear (HeartBandStyle *style);
/* The height a band's strip wants, given a line of text's */
double heart_band_height      (HeartBandId band,
                               int label_height);
/* The strip's segments, clipped to the area */
void   heart_band_draw        (const HeartBandStyle *style,
                               cairo_t *cr,
                               HeartBandId band,
                               const HeartBandArea *area,
                               const HeartChartBand *segments,
                               guint n_segments);
/* The title and the colour key, on the line above the strip: as many
 * names as fit, in the order of the band's levels */
void   heart_band_draw_title  (const HeartBandStyle *style,
                               cairo_t *cr,
                               HeartBandId band,
                               const HeartBandArea *area,
                               int label_height);

G_END_DECLS
