/* heart-sweep-pane.h: the chart with the monitor sweep beside it, or
 * below it where there is no room beside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define HEART_TYPE_SWEEP_PANE (heart_sweep_pane_get_type ())
G_DECLARE_FINAL_TYPE (HeartSweepPane, heart_sweep_pane, HEART, SWEEP_PANE, GtkWidget)

/* At least this wide, the sweep stands beside the chart */
#define HEART_SWEEP_PANE_BESIDE_WIDTH 1100

/* Properties: "start-child" (the chart), "end-child" (the sweep; while it
 * is hidden the chart has the pane to itself). */
GtkWidget *heart_sweep_pane_new             (void);
GtkWidget *heart_sweep_pane_get_start_child (HeartSweepPane *self);
void       heart_sweep_pane_set_start_child (HeartSweepPane *self,
                                             GtkWidget *child);
GtkWidget *heart_sweep_pane_get_end_child   (HeartSweepPane *self);
void       heart_sweep_pane_set_end_child   (HeartSweepPane *self,
                                             GtkWidget *child);
/* TRUE while the end child stands beside the start child, FALSE while it
 * is below it (or hidden) */
gboolean   heart_sweep_pane_get_beside      (HeartSweepPane *self);

G_END_DECLS
