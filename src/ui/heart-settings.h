/* heart-settings.h: the app's GSettings as one object with properties
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_TYPE_SETTINGS (heart_settings_get_type ())
G_DECLARE_FINAL_TYPE (HeartSettings, heart_settings, HEART, SETTINGS, GObject)

/* Properties mirror the keys of the io.github.heartsim.Heartsim schema one to
 * one ("port", "serve", "listen-all-interfaces", "token", "autostart",
 * "interval-ms", "baseline-bpm", "stress-level", "stress-event-level",
 * "random-events", "random-events-per-hour", "chart-window-seconds",
 * "chart-show-breathing", "chart-show-skin-conductance", "show-waveforms",
 * "show-waveforms-narrow", "replay-speed",
 * "replay-loop", "window-width",
 * "window-height", "window-maximized") and are bound to them
 * in both directions, so the UI binds to this object and never to GSettings. */
HeartSettings *heart_settings_new                 (void);

guint          heart_settings_get_port            (HeartSettings *self);
void           heart_settings_set_port            (HeartSettings *self,
                                                   guint port);
gboolean       heart_settings_get_serve           (HeartSettings *self);
gboolean       heart_settings_get_listen_all_interfaces (HeartSettings *self);
const char    *heart_settings_get_token           (HeartSettings *self);
/* Replace the access token by a new random one */
void           heart_settings_regenerate_token    (HeartSettings *self);
gboolean       heart_settings_get_autostart       (HeartSettings *self);
double         heart_settings_get_stress_event_level (HeartSettings *self);
gboolean       heart_settings_get_random_events   (HeartSettings *self);
double         heart_settings_get_random_events_per_hour (HeartSettings *self);
guint          heart_settings_get_chart_window_seconds (HeartSettings *self);
/* What a file opened in the window plays with (docs/desktop.md, Source) */
double         heart_settings_get_replay_speed    (HeartSettings *self);
gboolean       heart_settings_get_replay_loop     (HeartSettings *self);

/* Window geometry is saved once, when the window closes */
void           heart_settings_get_window_state    (HeartSettings *self,
                                                   int *width,
                                                   int *height,
                                                   gboolean *maximized);
void           heart_settings_set_window_state    (HeartSettings *self,
                                                   int width,
                                                   int height,
                                                   gboolean maximized);

/* A fresh random token: 32 hexadecimal digits from the system's CSPRNG */
char          *heart_settings_generate_token      (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
