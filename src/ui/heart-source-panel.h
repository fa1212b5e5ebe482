/* heart-source-panel.h: the side panel's source group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-settings.h"
#include "heart-source-switch.h"

G_BEGIN_DECLS

#define HEART_TYPE_SOURCE_PANEL (heart_source_panel_get_type ())
G_DECLARE_FINAL_TYPE (HeartSourcePanel, heart_source_panel, HEART, SOURCE_PANEL, GtkWidget)

/* Properties "source" (the switch whose current source is shown) and
 * "settings" (the speed and loop a file opened in the window plays with),
 * each set once. The buttons activate win.open-replay, win.use-simulation,
 * win.choose-sensor and app.running. */
GtkWidget         *heart_source_panel_new          (void);
HeartSourceSwitch *heart_source_panel_get_source   (HeartSourcePanel *self);
void               heart_source_panel_set_source   (HeartSourcePanel *self,
                                                    HeartSourceSwitch *source);
HeartSettings     *heart_source_panel_get_settings (HeartSourcePanel *self);
void               heart_source_panel_set_settings (HeartSourcePanel *self,
                                                    HeartSettings *settings);

/* For tests: the source's name ("Simulation", the file's or the strap's)
 * and what it does (a strap's state in words), the position and length,
 * the speed picked (×), the loop switch */
const char        *heart_source_panel_get_title         (HeartSourcePanel *self);
const char        *heart_source_panel_get_subtitle      (HeartSourcePanel *self);
const char        *heart_source_panel_get_position_text (HeartSourcePanel *self);
double             heart_source_panel_get_speed         (HeartSourcePanel *self);
void               heart_source_panel_set_speed         (HeartSourcePanel *self,
                                                         double speed);
gboolean           heart_source_panel_get_loop          (HeartSourcePanel *self);

G_END_DECLS
