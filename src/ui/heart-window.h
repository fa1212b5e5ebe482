/* heart-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-cohort.h"
#include "heart-day-log.h"
#include "heart-history.h"
#include "heart-recorder.h"
#include "heart-server.h"
#include "heart-settings.h"
#include "heart-simulator.h"

G_BEGIN_DECLS

#define HEART_TYPE_WINDOW (heart_window_get_type ())
G_DECLARE_FINAL_TYPE (HeartWindow, heart_window, HEART, WINDOW, AdwApplicationWindow)

/* The collaborators are construct-only properties ("simulator", "source" —
 * the switch of what is served and shown —, "server", "history", "day-log"
 * (for the chart's long spans and the Today group; NULL for neither), "settings",
 * "recorder", and "bluez-connection": the bus BlueZ is on, NULL for the
 * system bus; "cohort", the people of the run, the first being "simulator"
 * and "source", and "histories", theirs in the same order: NULL for one
 * person); "server-error" (GError, or NULL) is why the server
 * is not listening although it should, set by whoever owns the server. */
HeartWindow *heart_window_new           (GtkApplication    *application,
                                         HeartSimulator    *simulator,
                                         HeartSourceSwitch *source,
                                         HeartServer       *server,
                                         HeartHistory      *history,
                                         HeartDayLog       *day_log,
                                         HeartSettings     *settings,
                                         HeartRecorder     *recorder,
                                         HeartCohort       *cohort,
                                         GListModel        *histories);
const GError *heart_window_get_server_error (HeartWindow *self);
/* A message for the person at the window, as the window shows its own */
void         heart_window_add_toast        (HeartWindow *self,
                                            AdwToast    *toast);
void         heart_window_set_server_error (HeartWindow  *self,
                                            const GError *error);
/* Reads a scenario file and lists it, ready to run; a file that cannot be
 * read or is not a valid scenario is an error dialog, and nothing changes */
gboolean     heart_window_open_scenario_file (HeartWindow *self,
                                              GFile       *file);
/* Replays @file instead of what is shown and served, at the speed and loop
 * of the settings, and plays it, once it is open (it is opened in a thread:
 * the source switches later); a file that cannot be replayed is an error
 * dialog naming it and the reason, and nothing changes (docs/desktop.md) */
void         heart_window_open_replay_file (HeartWindow *self,
                                            GFile       *file);
/* Records to @file from now on, replacing what it holds (the file chooser
 * has asked), as CSV for a name ending in .csv, else JSON Lines; a file
 * that cannot be recorded to is a toast (docs/recording.md) */
gboolean     heart_window_start_recording (HeartWindow *self,
                                           GFile       *file);
/* The subject shown ("subject": its place in the cohort), what it serves
 * and the simulator its controls command (docs/desktop.md, "Subjects") */
guint           heart_window_get_subject         (HeartWindow *self);
HeartSource    *heart_window_get_shown_source    (HeartWindow *self);
HeartSimulator *heart_window_get_shown_simulator (HeartWindow *self);
/* The chart shows a full time span of samples (screenshots wait for it) */
gboolean     heart_window_is_chart_full (HeartWindow *self);

G_END_DECLS
