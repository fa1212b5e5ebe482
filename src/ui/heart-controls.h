/* heart-controls.h: the side panel's simulation and scenario controls
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-scenario.h"
#include "heart-settings.h"
#include "heart-simulator.h"

G_BEGIN_DECLS

#define HEART_TYPE_CONTROLS (heart_controls_get_type ())
G_DECLARE_FINAL_TYPE (HeartControls, heart_controls, HEART, CONTROLS, GtkWidget)

/* Properties "simulator" and "settings": the sliders are bound to them both
 * ways. "settings" is set once; "simulator" may change (the window shows
 * another subject), and the sliders follow the new one. */
GtkWidget      *heart_controls_new           (void);
HeartSimulator *heart_controls_get_simulator (HeartControls *self);
void            heart_controls_set_simulator (HeartControls *self,
                                              HeartSimulator *simulator);
HeartSettings  *heart_controls_get_settings  (HeartControls *self);
void            heart_controls_set_settings  (HeartControls *self,
                                              HeartSettings *settings);

/* The scenario picked (a new reference), or NULL with @error set; the
 * bundled ones are listed from the start, files as they are opened. */
HeartScenario  *heart_controls_dup_scenario  (HeartControls *self,
                                              GError **error);
/* Lists @scenario, read from @path, and picks it; opening the same file again
 * replaces what was read from it */
void            heart_controls_add_scenario  (HeartControls *self,
                                              HeartScenario *scenario,
                                              const char *path);

/* Only a simulation obeys the sliders, the stress event and the scenarios:
 * while a replay or a strap is served they are off, with @why as their
 * tooltip; NULL @why while the simulation is served */
void            heart_controls_set_simulating (HeartControls *self,
                                               const char *why);
gboolean        heart_controls_get_simulating (HeartControls *self);

/* For tests */
GtkAdjustment  *heart_controls_get_baseline_adjustment    (HeartControls *self);
GtkAdjustment  *heart_controls_get_stress_adjustment      (HeartControls *self);
GtkAdjustment  *heart_controls_get_event_level_adjustment (HeartControls *self);
guint           heart_controls_get_n_scenarios           (HeartControls *self);
const char     *heart_controls_get_progress_text         (HeartControls *self);
/* The profile menu button's words ("Athlete") */
const char     *heart_controls_get_profile_text          (HeartControls *self);

G_END_DECLS
