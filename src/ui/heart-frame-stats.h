/* heart-frame-stats.h: frame interval percentiles of a window (benchmarks)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEART_TYPE_FRAME_STATS (heart_frame_stats_get_type ())
G_DECLARE_FINAL_TYPE (HeartFrameStats, heart_frame_stats, HEART, FRAME_STATS, GObject)

/* Watches @widget's frame clock (keeping it ticking) and prints one line per
 * @report_seconds to stdout:
 *   frame-stats: frames=600 p50=16.67ms p99=17.20ms max=18.01ms over16.7=3 over33=0
 */
HeartFrameStats *heart_frame_stats_new       (GtkWidget *widget,
                                              guint report_seconds);
/* Percentile (0–100) of the intervals recorded since the last report, in
 * milliseconds; 0 when none */
double           heart_frame_stats_percentile (HeartFrameStats *self,
                                               double percentile);

G_END_DECLS
