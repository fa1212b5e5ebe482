/* heart-day-panel.h: the side panel's "Today" group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-day-log.h"

G_BEGIN_DECLS

#define HEART_TYPE_DAY_PANEL (heart_day_panel_get_type ())
G_DECLARE_FINAL_TYPE (HeartDayPanel, heart_day_panel, HEART, DAY_PANEL, GtkWidget)

/* Property "day-log": whose totals it shows, as they change */
GtkWidget   *heart_day_panel_new         (void);
HeartDayLog *heart_day_panel_get_day_log (HeartDayPanel *self);
void         heart_day_panel_set_day_log (HeartDayPanel *self,
                                          HeartDayLog *day_log);
/* For tests: the text of a row's value, "steps", "active", "heart-rate"
 * or "sleep" */
const char  *heart_day_panel_get_text    (HeartDayPanel *self,
                                          const char *row);
/* A length of time for people: "7 h 32 min", "46 min" */
char        *heart_format_minutes        (double minutes) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
