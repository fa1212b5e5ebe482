/* heart-window-private.h: the window's parts, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-chart-card.h"
#include "heart-chart.h"
#include "heart-controls.h"
#include "heart-day-panel.h"
#include "heart-pulse.h"
#include "heart-readouts.h"
#include "heart-sensor-picker.h"
#include "heart-server-panel.h"
#include "heart-source-panel.h"
#include "heart-sweep-pane.h"
#include "heart-subject-list.h"
#include "heart-sweep.h"
#include "heart-window.h"

G_BEGIN_DECLS

HeartReadouts    *heart_window_get_readouts            (HeartWindow *self);
HeartChartCard   *heart_window_get_chart_card          (HeartWindow *self);
HeartSweep       *heart_window_get_sweep               (HeartWindow *self);
HeartSweepPane   *heart_window_get_sweep_pane          (HeartWindow *self);
HeartControls    *heart_window_get_controls            (HeartWindow *self);
HeartServerPanel *heart_window_get_server_panel        (HeartWindow *self);
HeartSourcePanel *heart_window_get_source_panel        (HeartWindow *self);
HeartDayPanel    *heart_window_get_day_panel           (HeartWindow *self);
/* The strap picker while win.choose-sensor shows it, else NULL */
HeartSensorPicker *heart_window_get_sensor_picker      (HeartWindow *self);
HeartChart       *heart_window_get_chart               (HeartWindow *self);
HeartSubjectList *heart_window_get_subject_list        (HeartWindow *self);
/* The title of the toast shown last, NULL before any */
const char       *heart_window_get_last_toast_title    (HeartWindow *self);
HeartPulse       *heart_window_get_heart_pulse         (HeartWindow *self);
GtkAdjustment    *heart_window_get_baseline_adjustment (HeartWindow *self);
GtkAdjustment    *heart_window_get_stress_adjustment   (HeartWindow *self);
GtkAdjustment    *heart_window_get_event_level_adjustment (HeartWindow *self);
gboolean          heart_window_get_banner_revealed     (HeartWindow *self);
const char       *heart_window_get_banner_text         (HeartWindow *self);
const char       *heart_window_get_bpm_text            (HeartWindow *self);
const char       *heart_window_get_subtitle            (HeartWindow *self);
/* The Record button's label: "Record", or the time recorded so far */
const char       *heart_window_get_record_text         (HeartWindow *self);
GtkWidget        *heart_window_get_record_button       (HeartWindow *self);
/* The addresses shown, NULL-terminated; free with g_strfreev() */
char            **heart_window_dup_shown_urls          (HeartWindow *self);

G_END_DECLS
