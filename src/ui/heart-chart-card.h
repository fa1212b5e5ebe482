/* heart-chart-card.h: the chart with its legend and time span buttons
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-chart.h"
#include "heart-history.h"
#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_TYPE_CHART_CARD (heart_chart_card_get_type ())
G_DECLARE_FINAL_TYPE (HeartChartCard, heart_chart_card, HEART, CHART_CARD, GtkWidget)

/* Properties: "source" (the chart reads "history" when it samples, takes
 * its channel values for the traces, and scrolls while it runs), "history",
 * "day-log" (what the 1 h and 24 h spans show),
 * "window-seconds" (the span shown), "show-breathing" and
 * "show-skin-conductance" (the traces under the heart rate; the card's menu
 * changes them through app.show-breathing and app.show-skin-conductance). */
GtkWidget      *heart_chart_card_new           (void);
HeartSource    *heart_chart_card_get_source    (HeartChartCard *self);
void            heart_chart_card_set_source    (HeartChartCard *self,
                                                HeartSource *source);
HeartHistory   *heart_chart_card_get_history   (HeartChartCard *self);
void            heart_chart_card_set_history   (HeartChartCard *self,
                                                HeartHistory *history);
HeartChart     *heart_chart_card_get_chart     (HeartChartCard *self);

G_END_DECLS
