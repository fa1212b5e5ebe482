/* heart-preferences-window.h: the preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-settings.h"

G_BEGIN_DECLS

#define HEART_TYPE_PREFERENCES_WINDOW (heart_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (HeartPreferencesWindow, heart_preferences_window, HEART, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Every control is bound to @settings, so a change applies at once */
HeartPreferencesWindow *heart_preferences_window_new (HeartSettings *settings);

G_END_DECLS
