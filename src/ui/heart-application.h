/* heart-application.h: the desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-cohort.h"
#include "heart-history.h"
#include "heart-recorder.h"
#include "heart-server.h"
#include "heart-settings.h"
#include "heart-simulator.h"

G_BEGIN_DECLS

#define HEART_TYPE_APPLICATION (heart_application_get_type ())
G_DECLARE_FINAL_TYPE (HeartApplication, heart_application, HEART, APPLICATION, AdwApplication)

/* Runs the desktop app; main() calls it when a display is available */
int               heart_application_main          (int argc,
                                                   char **argv);

HeartApplication *heart_application_new           (GApplicationFlags flags);
HeartSimulator   *heart_application_get_simulator (HeartApplication *self);
/* What is served and shown: the simulator or a replay (docs/desktop.md) */
HeartSourceSwitch *heart_application_get_source   (HeartApplication *self);
HeartHistory     *heart_application_get_history   (HeartApplication *self);
/* The people simulated (--subjects): the first is the simulator behind
 * the source; and their histories, in the same order */
HeartCohort      *heart_application_get_cohort    (HeartApplication *self);
GListModel       *heart_application_get_histories (HeartApplication *self);
HeartServer      *heart_application_get_server    (HeartApplication *self);
HeartSettings    *heart_application_get_settings  (HeartApplication *self);
HeartRecorder    *heart_application_get_recorder  (HeartApplication *self);
/* Why the server is not listening although it should (a taken port), or
 * NULL; the "server-error" property notifies when it changes. */
const GError     *heart_application_get_server_error (HeartApplication *self);

G_END_DECLS
