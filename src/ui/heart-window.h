/* heart-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-application.h"

G_BEGIN_DECLS

#define HEART_TYPE_WINDOW (heart_window_get_type ())
G_DECLARE_FINAL_TYPE (HeartWindow, heart_window, HEART, WINDOW, AdwApplicationWindow)

HeartWindow *heart_window_new           (HeartApplication *application);
/* The chart shows a full time span of samples (screenshots wait for it) */
gboolean     heart_window_is_chart_full (HeartWindow *self);

G_END_DECLS
