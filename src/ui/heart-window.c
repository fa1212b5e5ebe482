/* heart-window.c: the main window
 *
 * The window puts its parts together — readouts, chart, controls, server
 * panel — and hands each the collaborators it shows. They change the
 * simulation only through the application's actions and property bindings;
 * nothing holds state of its own beyond what is on screen. With several
 * subjects it shows one at a time: the parts follow the subject shown
 * (docs/desktop.md, "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-window.h"

#include <glib/gi18n.h>

#include "heart-chart-card.h"
#include "heart-chart-data.h"
#include "heart-controls.h"
#include "heart-day-panel.h"
#include "heart-export-dialog.h"
#include "heart-label.h"
#include "heart-readouts.h"
#include "heart-replay.h"
#include "heart-scenario-file.h"
#include "heart-sensor-picker.h"
#include "heart-sensor-scanner.h"
#include "heart-sensor-text.h"
#include "heart-sensor.h"
#include "heart-server-panel.h"
#include "heart-source-panel.h"
#include "heart-sweep-pane.h"
#include "heart-subject-list.h"
#include "heart-sweep.h"
#include "heart-window-private.h"

struct _HeartWindow
{
  AdwApplicationWindow  parent_instance;

  HeartSimulator       *simulator;          /* the first subject's */
  HeartSourceSwitch    *source;             /* the first subject's: simulation, replay or strap */
  HeartCohort          *cohort;             /* NULL: one person */
  GListModel           *histories;          /* HeartHistory, one a subject of the cohort */
  guint                 shown;              /* the place of the subject shown */
  HeartSource          *shown_source;       /* what readouts, chart and sweep show */
  HeartSimulator       *shown_simulator;    /* what the controls command */
  HeartServer          *server;
  HeartHistory         *history;
  HeartDayLog          *day_log;            /* NULL: no long spans, no totals */
  HeartSettings        *settings;
  HeartRecorder        *recorder;
  GDBusConnection      *bluez_connection;   /* NULL: the system bus */
  HeartSensorScanner   *scanner;            /* once a strap was to be chosen */
  HeartSensorPicker    *sensor_picker;      /* until it is destroyed; not a reference */
  GError               *server_error;
  GSignalGroup         *simulator_signals;
  GSignalGroup         *source_signals;
  GSignalGroup         *shown_signals;
  GSignalGroup         *replay_signals;
  GSignalGroup         *sensor_signals;
  GSignalGroup         *server_signals;
  GSignalGroup         *recorder_signals;
  GtkFileChooserNative *scenario_chooser;
  GtkFileChooserNative *record_chooser;
  GCancellable         *replay_opening;   /* the file being opened, until it is */
  AdwToast             *opening_toast;
  char                 *opening_name;     /* the file being opened, for its toast */
  guint                 opening_toast_id; /* the toast waits: most files open at once */
  GtkFileChooserNative *replay_chooser;
  char                 *opening_url;        /* the address win.open-url opens last */
  char                 *last_toast_title;   /* for tests */
  guint                 folded_id;
  guint                 width_id;
  gboolean              narrow;             /* phone width: compact readouts, icon-only buttons */
  guint                 record_clock_id;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  GtkWidget            *controls_button;
  AdwFlap              *subjects_flap;
  GtkWidget            *subjects_button;
  HeartSubjectList     *subject_list;
  GtkMenuButton        *main_menu_button;
  GtkButton            *run_button;
  AdwButtonContent     *run_button_content;
  GtkToggleButton      *record_button;
  AdwButtonContent     *record_button_content;
  AdwWindowTitle       *window_title;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkWidget            *event_button;
  AdwButtonContent     *event_button_content;
  GtkWidget            *event_icon_button;
  HeartSourcePanel     *source_panel;
  HeartReadouts        *readouts;
  HeartChartCard       *chart_card;
  HeartSweepPane       *sweep_pane;
  HeartSweep           *sweep;
  HeartControls        *controls;
  HeartDayPanel        *day_panel;
  HeartServerPanel     *server_panel;
};

enum {
  PROP_0,
  PROP_SIMULATOR,
  PROP_SOURCE,
  PROP_SERVER,
  PROP_HISTORY,
  PROP_DAY_LOG,
  PROP_SETTINGS,
  PROP_RECORDER,
  PROP_BLUEZ_CONNECTION,
  PROP_SERVER_ERROR,
  PROP_RECORDING,
  PROP_COHORT,
  PROP_HISTORIES,
  PROP_SUBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartWindow, heart_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---------------------------------------------------------------- header bar */

static void show_subject (HeartWindow *self,
                          guint        index);

/* What the shown subject serves now: for the first, the switch's source */
static HeartSource *
shown_current (HeartWindow *self)
{
  if (HEART_IS_SOURCE_SWITCH (self->shown_source))
    return heart_source_switch_get_source (HEART_SOURCE_SWITCH (self->shown_source));
  return self->shown_source;
}

/* The replay served, if one is: the switch's current source, read each
 * time, since POST /source changes it too */
static HeartReplay *
current_replay (HeartWindow *self)
{
  HeartSource *current = shown_current (self);

  return HEART_IS_REPLAY (current) ? HEART_REPLAY (current) : NULL;
}

static HeartSensor *
current_sensor (HeartWindow *self)
{
  HeartSource *current = shown_current (self);

  return HEART_IS_SENSOR (current) ? HEART_SENSOR (current) : NULL;
}

/* Running or stopped, and during a scenario its name and the phase under
 * way; during a replay the file's name and whether it plays; with a strap
 * its state and name */
static void
update_subtitle (HeartWindow *self)
{
  gboolean running = heart_source_get_running (self->shown_source);
  HeartReplay *replay = current_replay (self);
  HeartSensor *sensor = current_sensor (self);
  HeartScenario *scenario = heart_simulator_get_scenario (self->shown_simulator);
  const char *condition = heart_simulator_get_condition (self->shown_simulator);
  g_autofree char *name = NULL;
  g_autofree char *phase = NULL;
  g_autofree char *subtitle = NULL;

  if (replay != NULL)
    {
      const char *state = heart_replay_get_state (replay);

      name = g_path_get_basename (heart_replay_get_path (replay));
      if (g_str_equal (state, "ended"))
        /* Translators: the header bar's subtitle once a replayed file is over; %s is its name */
        subtitle = g_strdup_printf (_("Ended · %s"), name);
      else if (g_str_equal (state, "failed"))
        /* Translators: the header bar's subtitle when a replay stopped on an error; %s is the file's name */
        subtitle = g_strdup_printf (_("Failed · %s"), name);
      else if (running)
        /* Translators: the header bar's subtitle while a file plays; %s is its name */
        subtitle = g_strdup_printf (_("Replaying · %s"), name);
      else
        /* Translators: the header bar's subtitle while a replay is paused; %s is the file's name */
        subtitle = g_strdup_printf (_("Paused · %s"), name);
      adw_window_title_set_subtitle (self->window_title, subtitle);
      return;
    }
  if (sensor != NULL)
    {
      /* Translators: the header bar's subtitle with a Bluetooth strap: its
       * state ("Connected", "Searching…") and its name */
      subtitle = g_strdup_printf (_("%s · %s"),
                                  running ? heart_sensor_text_state (sensor, TRUE) : _("Stopped"),
                                  heart_sensor_text_name (sensor));
      adw_window_title_set_subtitle (self->window_title, subtitle);
      return;
    }
  if (scenario == NULL || condition[0] == '\0')
    {
      adw_window_title_set_subtitle (self->window_title, running ? _("Running") : _("Stopped"));
      return;
    }

  name = heart_chart_data_display_name (heart_scenario_get_name (scenario));
  phase = heart_chart_data_display_name (condition);
  if (running)
    /* Translators: the header bar's subtitle during a scenario: its name and the phase under way */
    subtitle = g_strdup_printf (_("%s · %s"), name, phase);
  else
    /* Translators: the header bar's subtitle while a scenario waits: its name and the phase it is in */
    subtitle = g_strdup_printf (_("Stopped · %s · %s"), name, phase);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
on_scenario_changed (HeartWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop-scenario",
                                 current_replay (self) == NULL
                                 && heart_simulator_get_scenario (self->shown_simulator) != NULL);
  update_subtitle (self);
}

/* win.running: Start and Stop (and Space) are the shown subject's; the
 * others go on as they were (docs/desktop.md, "Subjects"). Not a property
 * action: the window's actions may outlive it, and with them the source. */
static void
change_running (GSimpleAction *action,
                GVariant      *state,
                gpointer       user_data)
{
  HeartWindow *self = user_data;

  /* the state follows from notify::running */
  heart_source_set_running (self->shown_source, g_variant_get_boolean (state));
}

static void
add_running_action (HeartWindow *self)
{
  /* with no parameter, activating a boolean state toggles it */
  static const GActionEntry entries[] = {
    { .name = "running", .state = "false", .change_state = change_running },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

/* Start and Stop for the simulation, Play and Pause for a replay: the same
 * action, win.running, on what the subject shown serves */
static void
on_running_changed (HeartWindow *self)
{
  gboolean running = heart_source_get_running (self->shown_source);
  gboolean replay = current_replay (self) != NULL;
  gboolean sensor = current_sensor (self) != NULL;
  const char *label;

  adw_button_content_set_icon_name (self->run_button_content,
                                    running ? (replay ? "media-playback-pause-symbolic" : "media-playback-stop-symbolic")
                                            : "media-playback-start-symbolic");
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "running")),
                             g_variant_new_boolean (running));
  label = replay ? (running ? _("_Pause") : _("_Play")) : (running ? _("_Stop") : _("_Start"));
  /* narrow, the icon alone: the name stays for screen readers */
  adw_button_content_set_label (self->run_button_content, self->narrow ? "" : label);
  heart_widget_set_accessible_mnemonic (GTK_WIDGET (self->run_button), label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->run_button),
                               replay ? _("Play or pause the replay (Space)")
                               : sensor ? _("Start or stop taking the strap’s measurements (Space)")
                               : _("Start or stop the simulation (Space)"));
  if (running)
    gtk_widget_remove_css_class (GTK_WIDGET (self->run_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "suggested-action");

  update_subtitle (self);
}

/* ---------------------------------------------------------------- activity */

/* win.activity: what the simulated person does ("rest", "walking", …;
 * docs/model.md, "Activity"). Its state is the simulator's, so the buttons
 * follow POST /simulation/activity at once. */
static void
change_activity (GSimpleAction *action,
                 GVariant      *state,
                 gpointer       user_data)
{
  HeartWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  /* The state follows from notify::activity, not from here: only what the
   * simulator took is shown */
  if (!heart_simulator_set_activity (self->shown_simulator, g_variant_get_string (state, NULL), &error))
    g_warning ("%s", error->message);
}

static GSimpleAction *
activity_action (HeartWindow *self)
{
  return G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "activity"));
}

static void
on_activity_changed (HeartWindow *self)
{
  g_simple_action_set_state (activity_action (self),
                             g_variant_new_string (heart_simulator_get_activity (self->shown_simulator)));
}

static void
add_activity_action (HeartWindow *self)
{
  /* No activate handler: a parameter of the state's type goes to change-state */
  static const GActionEntry entries[] = {
    { .name = "activity", .parameter_type = "s", .state = "'rest'", .change_state = change_activity },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  on_activity_changed (self);
}

/* ---------------------------------------------------------------- profile */

/* win.profile: who the simulated person is ("average", "athlete", …;
 * docs/model.md, "Profiles"). Like win.activity its state is the
 * simulator's, so the menu follows POST /simulation/profile at once. */
static void
change_profile (GSimpleAction *action,
                GVariant      *state,
                gpointer       user_data)
{
  HeartWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  /* The state follows from notify::profile */
  if (!heart_simulator_set_profile (self->shown_simulator, g_variant_get_string (state, NULL), &error))
    g_warning ("%s", error->message);
}

static GSimpleAction *
profile_action (HeartWindow *self)
{
  return G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "profile"));
}

static void
on_profile_changed (HeartWindow *self)
{
  g_simple_action_set_state (profile_action (self),
                             g_variant_new_string (heart_simulator_get_profile (self->shown_simulator)));
}

static void
add_profile_action (HeartWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "profile", .parameter_type = "s", .state = "'average'", .change_state = change_profile },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  on_profile_changed (self);
}

/* While an acute stress event holds, the header bar's button ends it and
 * says at what level and for how long it would still hold; else it
 * triggers one */
static void
show_event_state (HeartWindow *self)
{
  double level = 0, left = 0;
  gboolean acute = heart_simulator_get_acute_event (self->shown_simulator, &level, &left);
  const char *action = acute ? "app.end-stress-event" : "app.stress-event";
  g_autofree char *tooltip = NULL;

  if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (self->event_button)), action) != 0)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->event_button), action);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->event_icon_button), action);
      adw_button_content_set_label (self->event_button_content, acute ? _("End _Event") : _("Stress _Event"));
      heart_widget_set_accessible_mnemonic (self->event_button, adw_button_content_get_label (self->event_button_content));
      heart_widget_set_accessible_mnemonic (self->event_icon_button,
                                            adw_button_content_get_label (self->event_button_content));
    }
  if (acute)
    /* Translators: the stress event's level and the seconds its hold has left */
    tooltip = g_strdup_printf (_("End the stress event at %.0f %%: it holds %.0f s more"), level * 100, ceil (left));
  else
    tooltip = g_strdup (_("Trigger an acute stress event (Ctrl+E)"));
  gtk_widget_set_tooltip_text (self->event_button, tooltip);
  gtk_widget_set_tooltip_text (self->event_icon_button, tooltip);
}

/* What only a simulation obeys is off while a replay or a strap is served,
 * saying why; the app's stress-event action is off then too
 * (heart-application.c) */
static void
on_source_changed (HeartWindow *self)
{
  HeartReplay *replay = current_replay (self);
  HeartSensor *sensor = current_sensor (self);
  gboolean simulating = HEART_IS_SIMULATOR (shown_current (self));
  const char *event_tooltip;
  const char *why = NULL;

  /* simulating, the button says what it does now */
  if (simulating)
    event_tooltip = NULL;
  else if (sensor != NULL)
    {
      event_tooltip = _("Only the simulation has stress events: a Bluetooth strap is being read");
      why = _("A Bluetooth strap is being read: only the simulation obeys this. "
              "Go back to the simulation to use it (Ctrl+Shift+M).");
    }
  else
    {
      event_tooltip = _("Only the simulation has stress events: a file is being replayed");
      why = _("A file is being replayed: only the simulation obeys this. "
              "Go back to the simulation to use it (Ctrl+Shift+M).");
    }

  g_signal_group_set_target (self->replay_signals, replay);
  g_signal_group_set_target (self->sensor_signals, sensor);
  heart_controls_set_simulating (self->controls, why);
  if (event_tooltip != NULL)
    {
      gtk_widget_set_tooltip_text (self->event_button, event_tooltip);
      gtk_widget_set_tooltip_text (self->event_icon_button, event_tooltip);
    }
  else
    show_event_state (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run-scenario", simulating);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-scenario", simulating);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.use-simulation", !simulating);
  /* as POST /simulation/activity answers 409 then (docs/api.md) */
  g_simple_action_set_enabled (activity_action (self), simulating);
  /* and /simulation/profile too */
  g_simple_action_set_enabled (profile_action (self), simulating);
  on_scenario_changed (self);
  on_running_changed (self);
}

/* A bad line that stopped the replay (on-error stop) or a read error; lines
 * skipped show only in GET /source */
static void
on_replay_problem (HeartWindow  *self,
                   const GError *error,
                   gboolean      fatal)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (!fatal)
    return;
  /* Translators: a toast; %s names the file, the line and the reason */
  title = g_strdup_printf (_("Replay stopped: %s"), error->message);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);
  heart_window_add_toast (self, toast);
}

/* The flap folds while it is allocated; showing the button then would
 * change the header bar after its own allocation, so it waits for the idle */
static gboolean
show_controls_button (gpointer user_data)
{
  HeartWindow *self = user_data;

  self->folded_id = 0;
  gtk_widget_set_visible (self->controls_button, adw_flap_get_folded (self->flap));
  /* the list is shown only with several subjects */
  gtk_widget_set_visible (self->subjects_button, gtk_widget_get_visible (GTK_WIDGET (self->subject_list))
                                                 && adw_flap_get_folded (self->subjects_flap));
  return G_SOURCE_REMOVE;
}

/* Narrower than this (a phone, a tiled half of a small screen) the window
 * goes compact: readouts in two lines of smaller cards, a shorter chart,
 * icon-only header buttons (docs/desktop.md, "Adaptive layout") */
#define OPENING_TOAST_DELAY_MS 500
#define NARROW_WIDTH 600

static void on_recording_changed (HeartWindow *self);
static void show_sweep (HeartWindow *self);

static void
set_narrow (HeartWindow *self,
            gboolean     narrow)
{
  if (self->narrow == narrow)
    return;
  self->narrow = narrow;
  if (narrow)
    gtk_widget_add_css_class (GTK_WIDGET (self), "narrow");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "narrow");
  /* the main menu has Record too; the button comes back while it records,
   * to show the time (on_recording_changed) */
  heart_readouts_set_compact (self->readouts, narrow);
  gtk_widget_set_size_request (GTK_WIDGET (heart_chart_card_get_chart (self->chart_card)), -1, narrow ? 150 : 220);
  show_sweep (self);
  on_running_changed (self);
  on_recording_changed (self);
}

static gboolean
show_width (gpointer user_data)
{
  HeartWindow *self = user_data;
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height;

  self->width_id = 0;
  if (width <= 0)
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  set_narrow (self, width > 0 && width < NARROW_WIDTH);
  return G_SOURCE_REMOVE;
}

/* The width changes while the window is allocated: the compact layout
 * waits for the idle, as the controls button does */
static void
on_width_changed (HeartWindow *self)
{
  if (self->width_id == 0)
    self->width_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, show_width, self, NULL);
}

static void
on_folded_changed (HeartWindow *self)
{
  if (self->folded_id == 0)
    /* Ahead of the next frame's layout */
    self->folded_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, show_controls_button, self, NULL);
}

/* ---------------------------------------------------------------- server */

static void
update_banner (HeartWindow *self)
{
  const GError *error = self->server_error;

  if (error != NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        text = g_strdup_printf (_("Port %u is used by another program, so clients cannot connect"),
                                heart_settings_get_port (self->settings));
      else
        text = g_strdup_printf (_("The server cannot start: %s"), error->message);
      gtk_label_set_label (self->banner_label, text);
    }
  gtk_revealer_set_reveal_child (self->banner_revealer, error != NULL);
}

static void
on_server_listening_changed (HeartWindow *self)
{
  if (heart_server_get_listening (self->server) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_autofree char *title = g_strdup_printf (_("Serving on port %u"),
                                                heart_server_get_port (self->server));

      heart_window_add_toast (self, adw_toast_new (title));
    }
}

/* ---------------------------------------------------------------- actions */

static void
copy_url (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), g_variant_get_string (parameter, NULL));
  heart_window_add_toast (self, adw_toast_new (_("Address copied")));
}

/* A machine with no browser, or none that answers: say so, and offer the
 * address to copy instead of failing silently */
static void
on_url_shown (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HeartWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error))
    return;
  escaped = g_markup_escape_text (error->message, -1);
  /* Translators: the dashboard could not be opened in a browser; %s says why */
  title = g_strdup_printf (_("Could not open the dashboard: %s"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 0);
  adw_toast_set_button_label (toast, _("Copy Address"));
  adw_toast_set_action_name (toast, "win.copy-url");
  adw_toast_set_action_target_value (toast, g_variant_new_string (self->opening_url));
  heart_window_add_toast (self, toast);
}

static void
open_url (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  const char *url = g_variant_get_string (parameter, NULL);

  g_free (HEART_WINDOW (widget)->opening_url);
  HEART_WINDOW (widget)->opening_url = g_strdup (url);
  gtk_show_uri_full (GTK_WINDOW (widget), url, GDK_CURRENT_TIME, NULL, on_url_shown, g_object_ref (widget));
}

/* ---------------------------------------------------------------- scenarios */

static void
run_scenario (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) scenario = heart_controls_dup_scenario (self->controls, &error);

  if (scenario == NULL)
    {
      heart_window_add_toast (self, adw_toast_new (error->message));
      return;
    }
  /* From its start, once; a scenario only moves while the simulation runs */
  heart_simulator_run_scenario (self->shown_simulator, scenario, FALSE);
  if (!heart_simulator_get_running (self->shown_simulator))
    heart_simulator_start (self->shown_simulator);
}

static void
stop_scenario (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);

  heart_simulator_stop_scenario (self->shown_simulator);
}

/* A file the user chose cannot be used: the message names the file and
 * the reason (docs/scenarios.md, docs/replay.md); @body_format says so
 * around it */
static void show_file_error (HeartWindow *self,
                             const char  *heading,
                             const char  *body_format,
                             ...) G_GNUC_PRINTF (3, 4);

static void
show_file_error (HeartWindow *self,
                 const char  *heading,
                 const char  *body_format,
                 ...)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, body_format);
  body = g_strdup_vprintf (body_format, args);
  va_end (args);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_scenario_error (HeartWindow  *self,
                     const GError *error)
{
  show_file_error (self, _("Cannot Open the Scenario"),
                   _("%s\n\nNothing was changed: the simulation goes on as it was."), error->message);
}

/* A modal chooser of one file to open, offering @filter and all files;
 * @on_response gets (self, response, chooser) */
static GtkFileChooserNative *
file_chooser_new (HeartWindow   *self,
                  const char    *title,
                  const char    *accept_label,
                  GtkFileFilter *filter,
                  GCallback      on_response)
{
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                                               accept_label, _("_Cancel"));

  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect_object (chooser, "response", on_response, self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
  return chooser;
}

static void
on_scenario_chosen (HeartWindow          *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->scenario_chooser);
  if (file != NULL)
    heart_window_open_scenario_file (self, file);
}

static void
open_scenario (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);
  g_autoptr(GtkFileFilter) json = gtk_file_filter_new ();

  if (self->scenario_chooser != NULL)
    return;

  gtk_file_filter_set_name (json, _("Scenario files (JSON)"));
  gtk_file_filter_add_mime_type (json, "application/json");
  gtk_file_filter_add_suffix (json, "json");
  self->scenario_chooser = file_chooser_new (self, _("Open a Scenario"), _("_Open"), json,
                                             G_CALLBACK (on_scenario_chosen));
}

/* ---------------------------------------------------------------- replay */

static void
show_replay_error (HeartWindow  *self,
                   const GError *error)
{
  show_file_error (self, _("Cannot Replay the File"),
                   _("%s\n\nNothing was changed: what was shown and served goes on."), error->message);
}

static void
on_replay_file_chosen (HeartWindow          *self,
                       int                   response,
                       GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->replay_chooser);
  if (file != NULL)
    heart_window_open_replay_file (self, file);
}

static void
open_replay (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);
  g_autoptr(GtkFileFilter) readable = gtk_file_filter_new ();

  if (self->replay_chooser != NULL)
    return;

  /* what HeartReplay reads (docs/replay.md, Formats) */
  gtk_file_filter_set_name (readable, _("Recordings, CSV files and Apple Health exports"));
  gtk_file_filter_add_suffix (readable, "jsonl");
  gtk_file_filter_add_suffix (readable, "csv");
  gtk_file_filter_add_suffix (readable, "txt");
  gtk_file_filter_add_suffix (readable, "xml");
  gtk_file_filter_add_mime_type (readable, "text/csv");

  self->replay_chooser = file_chooser_new (self, _("Replay a File"), _("_Replay"), readable,
                                           G_CALLBACK (on_replay_file_chosen));
}

/* ---------------------------------------------------------------- strap */

/* The strap picked in the dialog is served from now on. HeartSensor asks
 * BlueZ without blocking; a strap that is off or out of reach is a state
 * the Source group shows, not an error (docs/desktop.md, Source). */
static void
on_sensor_chosen (HeartWindow *self,
                  const char  *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartSensor) sensor = heart_sensor_new (address, self->bluez_connection, &error);
  g_autofree char *title = NULL;

  if (sensor == NULL)
    {
      AdwToast *toast;

      /* Translators: a toast; %s says why, e.g. that there is no system bus */
      title = g_strdup_printf (_("Cannot use the strap: %s"), error->message);
      toast = adw_toast_new (title);
      adw_toast_set_timeout (toast, 0);
      heart_window_add_toast (self, toast);
      return;
    }
  g_debug ("Reading the strap %s", address);
  heart_source_switch_set_source (self->source, HEART_SOURCE (sensor));
  /* the user asked for its data: it is served, whether or not the
   * simulation ran */
  heart_source_set_running (HEART_SOURCE (self->source), TRUE);
  show_subject (self, 0);
}

static void
on_sensor_picker_destroyed (HeartWindow *self)
{
  self->sensor_picker = NULL;
}

static void
choose_sensor (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);

  if (self->sensor_picker != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->sensor_picker));
      return;
    }
  /* Made on first use: the app asks nothing of BlueZ until then */
  if (self->scanner == NULL)
    self->scanner = heart_sensor_scanner_new (self->bluez_connection);
  self->sensor_picker = heart_sensor_picker_new (GTK_WINDOW (self), self->scanner);
  g_signal_connect_object (self->sensor_picker, "destroy", G_CALLBACK (on_sensor_picker_destroyed),
                           self, G_CONNECT_SWAPPED);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self->sensor_picker), TRUE);
  g_signal_connect_object (self->sensor_picker, "chosen", G_CALLBACK (on_sensor_chosen),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->sensor_picker));
}

static void
use_simulation (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);

  /* the replay stops; the simulation runs if the replay played */
  heart_source_switch_set_source (self->source, HEART_SOURCE (self->simulator));
  show_subject (self, 0);
}

/* ---------------------------------------------------------------- recording */

/* While recording, the button shows how long for */
static void
update_record_button (HeartWindow *self)
{
  g_autofree char *clock = NULL;

  if (!heart_recorder_get_recording (self->recorder))
    {
      adw_button_content_set_label (self->record_button_content, self->narrow ? "" : _("Re_cord"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->record_button), "destructive-action");
      return;
    }
  clock = heart_format_clock (heart_recorder_get_elapsed (self->recorder));
  adw_button_content_set_label (self->record_button_content, clock);
  gtk_widget_add_css_class (GTK_WIDGET (self->record_button), "destructive-action");
}

static gboolean
on_record_clock (gpointer user_data)
{
  update_record_button (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_recording_changed (HeartWindow *self)
{
  g_clear_handle_id (&self->record_clock_id, g_source_remove);
  if (heart_recorder_get_recording (self->recorder))
    self->record_clock_id = g_timeout_add_seconds (1, on_record_clock, self);
  update_record_button (self);
  gtk_widget_set_visible (GTK_WIDGET (self->record_button),
                          !self->narrow || heart_recorder_get_recording (self->recorder));
  /* the state of win.record */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

/* A full disk, a deleted file: the recording has stopped, the simulation
 * and the server go on */
static void
on_record_failed (HeartWindow  *self,
                  const GError *error)
{
  /* Translators: a toast; %s names the file and the reason */
  g_autofree char *title = g_strdup_printf (_("Recording stopped: %s"), error->message);
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 0);
  heart_window_add_toast (self, toast);
}

static void
on_record_file_chosen (HeartWindow          *self,
                       int                   response,
                       GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->record_chooser);
  if (file != NULL)
    heart_window_start_recording (self, file);
  else
    /* cancelled: the toggle goes back to off */
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

static void
choose_record_file (HeartWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "heartsim-%Y%m%d-%H%M%S.jsonl");

  if (self->record_chooser != NULL)
    return;
  self->record_chooser = gtk_file_chooser_native_new (_("Record to a File"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_SAVE,
                                                      _("_Record"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->record_chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->record_chooser), name);
  g_signal_connect_object (self->record_chooser, "response",
                           G_CALLBACK (on_record_file_chosen), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->record_chooser));
}

/* win.record sets this: on asks for a file, off stops */
static void
set_recording (HeartWindow *self,
               gboolean     recording)
{
  g_autoptr(GError) error = NULL;

  if (recording == heart_recorder_get_recording (self->recorder))
    return;
  if (recording)
    {
      choose_record_file (self);
      return;
    }
  if (!heart_recorder_stop (self->recorder, &error))
    heart_window_add_toast (self, adw_toast_new (error->message));
}

/* ---------------------------------------------------------------- GtkWindow */

static gboolean
heart_window_close_request (GtkWindow *window)
{
  HeartWindow *self = HEART_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  heart_settings_set_window_state (self->settings, width, height, gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (heart_window_parent_class)->close_request (window);
}

static void
restore_window_state (HeartWindow *self)
{
  int width, height;
  gboolean maximized;

  heart_settings_get_window_state (self->settings, &width, &height, &maximized);
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (maximized)
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
connect_signals (HeartWindow *self)
{
  self->simulator_signals = g_signal_group_new (HEART_TYPE_SIMULATOR);
  g_signal_group_connect_swapped (self->simulator_signals, "sample",
                                  G_CALLBACK (show_event_state), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::scenario",
                                  G_CALLBACK (on_scenario_changed), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::condition",
                                  G_CALLBACK (update_subtitle), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::activity",
                                  G_CALLBACK (on_activity_changed), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::profile",
                                  G_CALLBACK (on_profile_changed), self);
  g_signal_group_set_target (self->simulator_signals, self->shown_simulator);

  self->replay_signals = g_signal_group_new (HEART_TYPE_REPLAY);
  g_signal_group_connect_swapped (self->replay_signals, "notify::state",
                                  G_CALLBACK (update_subtitle), self);
  g_signal_group_connect_swapped (self->replay_signals, "problem",
                                  G_CALLBACK (on_replay_problem), self);

  self->sensor_signals = g_signal_group_new (HEART_TYPE_SENSOR);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::state",
                                  G_CALLBACK (update_subtitle), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::device-name",
                                  G_CALLBACK (update_subtitle), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::device-address",
                                  G_CALLBACK (update_subtitle), self);

  self->source_signals = g_signal_group_new (HEART_TYPE_SOURCE_SWITCH);
  g_signal_group_connect_swapped (self->source_signals, "notify::source",
                                  G_CALLBACK (on_source_changed), self);
  g_signal_group_set_target (self->source_signals, self->source);
  /* GLib 2.74 finds no "notify" on an interface type */
  self->shown_signals = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->shown_signals, "notify::running",
                                  G_CALLBACK (on_running_changed), self);
  g_signal_group_set_target (self->shown_signals, self->shown_source);

  self->recorder_signals = g_signal_group_new (HEART_TYPE_RECORDER);
  g_signal_group_connect_swapped (self->recorder_signals, "notify::recording",
                                  G_CALLBACK (on_recording_changed), self);
  g_signal_group_connect_swapped (self->recorder_signals, "failed",
                                  G_CALLBACK (on_record_failed), self);
  g_signal_group_set_target (self->recorder_signals, self->recorder);

  self->server_signals = g_signal_group_new (HEART_TYPE_SERVER);
  g_signal_group_connect_swapped (self->server_signals, "notify::listening",
                                  G_CALLBACK (on_server_listening_changed), self);
  g_signal_group_set_target (self->server_signals, self->server);
}

/* ---------------------------------------------------------------- subjects */

static guint
n_subjects (HeartWindow *self)
{
  return self->cohort != NULL ? heart_cohort_get_n_subjects (self->cohort) : 1;
}

/* Only the subject shown makes the ECG and pleth the sweep draws; the
 * others but the first go without, to save the CPU (docs/desktop.md,
 * "Subjects") */
static void
lend_waveforms (HeartWindow *self,
                gboolean     lend)
{
  HeartChannelMask channels;

  if (self->shown_simulator == self->simulator)
    return;
  channels = heart_simulator_get_channels (self->shown_simulator);
  heart_simulator_set_channels (self->shown_simulator,
                                lend ? channels | HEART_CHANNEL_MASK_WAVEFORMS
                                     : channels & ~HEART_CHANNEL_MASK_WAVEFORMS);
}

/* Everything that shows or commands a subject follows the one shown */
static void
follow_shown (HeartWindow *self)
{
  g_autoptr(HeartHistory) history = self->histories != NULL ? g_list_model_get_item (self->histories, self->shown)
                                                            : g_object_ref (self->history);
  gboolean first = self->shown_simulator == self->simulator;

  heart_readouts_set_source (self->readouts, self->shown_source);
  heart_chart_card_set_history (self->chart_card, history);
  /* the day log and its totals are the first subject's; a replay or a
   * strap stands in for the first subject only */
  g_object_set (self->chart_card, "day-log", first ? self->day_log : NULL, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->day_panel), first && self->day_log != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->source_panel), first);
  heart_chart_card_set_source (self->chart_card, self->shown_source);
  heart_sweep_set_source (self->sweep, self->shown_source);
  heart_controls_set_simulator (self->controls, self->shown_simulator);
  if (self->simulator_signals != NULL)
    g_signal_group_set_target (self->simulator_signals, self->shown_simulator);
  if (self->shown_signals != NULL)
    g_signal_group_set_target (self->shown_signals, self->shown_source);
}

static GSimpleAction *
subject_action (HeartWindow *self)
{
  return G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "subject"));
}

/* The header bar names the subject shown, when there are several */
static void
show_subject_name (HeartWindow *self)
{
  g_autofree char *name = NULL;

  if (n_subjects (self) > 1)
    name = heart_subject_dup_display_name (heart_cohort_get_subject (self->cohort, self->shown));
  adw_window_title_set_title (self->window_title, name != NULL ? name : _("Heartsim"));
}

/* The window shows the subject at @index of the cohort, from now on */
static void
show_subject (HeartWindow *self,
              guint        index)
{
  HeartSubject *subject;

  if (index == self->shown || index >= n_subjects (self))
    return;
  subject = heart_cohort_get_subject (self->cohort, index);
  lend_waveforms (self, FALSE);
  self->shown = index;
  g_set_object (&self->shown_source, heart_subject_get_source (subject));
  g_set_object (&self->shown_simulator, heart_subject_get_simulator (subject));
  lend_waveforms (self, TRUE);
  follow_shown (self);
  on_activity_changed (self);
  on_profile_changed (self);
  on_source_changed (self);
  heart_subject_list_set_selected (self->subject_list, index);
  g_simple_action_set_state (subject_action (self), g_variant_new_uint32 (index));
  show_subject_name (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
}

/* win.subject(N): the subject at place N; the list's rows say it too */
static void
change_subject (GSimpleAction *action,
                GVariant      *state,
                gpointer       user_data)
{
  show_subject (user_data, g_variant_get_uint32 (state));
}

/* win.next-subject and win.previous-subject (Ctrl+Page Down and Up), round
 * the list */
static void
next_subject (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  HeartWindow *self = user_data;

  show_subject (self, (self->shown + 1) % n_subjects (self));
}

static void
previous_subject (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HeartWindow *self = user_data;

  show_subject (self, (self->shown + n_subjects (self) - 1) % n_subjects (self));
}

/* A row chosen: folded, the list makes way for what it chose */
static void
on_subject_chosen (HeartWindow *self)
{
  show_subject (self, heart_subject_list_get_selected (self->subject_list));
  if (adw_flap_get_folded (self->subjects_flap))
    adw_flap_set_reveal_flap (self->subjects_flap, FALSE);
}

/* With one subject, the window is as it always was: no list, no actions */
static void
add_subjects (HeartWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "subject", .parameter_type = "u", .state = "uint32 0", .change_state = change_subject },
    { .name = "next-subject", .activate = next_subject },
    { .name = "previous-subject", .activate = previous_subject },
  };
  gboolean several = n_subjects (self) > 1;

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), entries[i].name)),
                                 several);
  self->shown_source = g_object_ref (HEART_SOURCE (self->source));
  self->shown_simulator = g_object_ref (self->simulator);
  if (!several)
    return;
  heart_subject_list_set_cohort (self->subject_list, self->cohort, self->histories);
  gtk_widget_set_visible (GTK_WIDGET (self->subject_list), TRUE);
  adw_flap_set_locked (self->subjects_flap, FALSE);
  adw_flap_set_swipe_to_open (self->subjects_flap, TRUE);
  adw_flap_set_reveal_flap (self->subjects_flap, TRUE);
  g_signal_connect_object (self->subject_list, "notify::selected", G_CALLBACK (on_subject_chosen),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->subjects_flap, "notify::folded", G_CALLBACK (on_folded_changed),
                           self, G_CONNECT_SWAPPED);
  show_subject_name (self);
}

/* ---------------------------------------------------------------- sweep */

/* The settings key that says whether the sweep shows in the layout in
 * effect: a narrow window has no room for it beside the chart and the
 * chart at once, so there it shows instead of the chart, and only once
 * asked for (docs/desktop.md, "The monitor trace") */
static const char *
sweep_key (HeartWindow *self)
{
  return self->narrow ? "show-waveforms-narrow" : "show-waveforms";
}

static void
show_sweep (HeartWindow *self)
{
  gboolean shown = FALSE;

  g_object_get (self->settings, sweep_key (self), &shown, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sweep), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->chart_card), !(self->narrow && shown));
  g_simple_action_set_state (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "show-waveforms")),
                             g_variant_new_boolean (shown));
}

/* win.show-waveforms: a check in the main menu, kept in the settings as
 * the chart's traces are */
static void
change_show_waveforms (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  HeartWindow *self = user_data;

  /* the state follows from the settings' notify */
  g_object_set (self->settings, sweep_key (self), g_variant_get_boolean (state), NULL);
}

static void
add_sweep (HeartWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "show-waveforms", .state = "true", .change_state = change_show_waveforms },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  heart_sweep_set_source (self->sweep, self->shown_source);
  g_signal_connect_object (self->settings, "notify::show-waveforms", G_CALLBACK (show_sweep),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "notify::show-waveforms-narrow", G_CALLBACK (show_sweep),
                           self, G_CONNECT_SWAPPED);
  show_sweep (self);
}

/* The collaborators are construct-only: here they are all set */
static void
heart_window_constructed (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);

  G_OBJECT_CLASS (heart_window_parent_class)->constructed (object);

  g_return_if_fail (HEART_IS_SIMULATOR (self->simulator));
  g_return_if_fail (HEART_IS_SOURCE_SWITCH (self->source));
  g_return_if_fail (HEART_IS_SERVER (self->server));
  g_return_if_fail (HEART_IS_HISTORY (self->history));
  g_return_if_fail (HEART_IS_SETTINGS (self->settings));
  g_return_if_fail (HEART_IS_RECORDER (self->recorder));
  /* the cohort's first subject is the one the window was given */
  g_return_if_fail (self->cohort == NULL
                    || (heart_subject_get_simulator (heart_cohort_get_subject (self->cohort, 0)) == self->simulator
                        && self->histories != NULL
                        && g_list_model_get_n_items (self->histories) == n_subjects (self)));

  restore_window_state (self);
  add_running_action (self);
  add_subjects (self);

  heart_readouts_set_source (self->readouts, self->shown_source);

  heart_chart_card_set_history (self->chart_card, self->history);
  g_object_set (self->chart_card, "day-log", self->day_log, NULL);
  heart_day_panel_set_day_log (self->day_panel, self->day_log);
  gtk_widget_set_visible (GTK_WIDGET (self->day_panel), self->day_log != NULL);
  heart_chart_card_set_source (self->chart_card, self->shown_source);
  g_object_bind_property (self->settings, "chart-window-seconds",
                          self->chart_card, "window-seconds",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "chart-show-breathing",
                          self->chart_card, "show-breathing",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "chart-show-skin-conductance",
                          self->chart_card, "show-skin-conductance",
                          G_BINDING_SYNC_CREATE);
  add_sweep (self);

  heart_source_panel_set_source (self->source_panel, self->source);
  heart_source_panel_set_settings (self->source_panel, self->settings);
  heart_controls_set_simulator (self->controls, self->shown_simulator);
  heart_controls_set_settings (self->controls, self->settings);

  heart_server_panel_set_server (self->server_panel, self->server);
  g_object_bind_property (self, "server-error", self->server_panel, "server-error",
                          G_BINDING_SYNC_CREATE);

  add_activity_action (self);
  add_profile_action (self);
  connect_signals (self);
  g_signal_connect_object (self->flap, "notify::folded", G_CALLBACK (on_folded_changed),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (self->controls_button, adw_flap_get_folded (self->flap));
  g_signal_connect (self, "notify::default-width", G_CALLBACK (on_width_changed), NULL);
  g_signal_connect (self, "notify::maximized", G_CALLBACK (on_width_changed), NULL);
  on_width_changed (self);
  on_source_changed (self);
  on_recording_changed (self);
  update_banner (self);
}

static void
heart_window_dispose (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);

  /* Before the widgets go: no handler may run on a half-destroyed window */
  g_clear_handle_id (&self->folded_id, g_source_remove);
  g_clear_handle_id (&self->width_id, g_source_remove);
  g_clear_handle_id (&self->record_clock_id, g_source_remove);
  g_clear_handle_id (&self->opening_toast_id, g_source_remove);
  g_cancellable_cancel (self->replay_opening);
  g_clear_object (&self->replay_opening);
  g_clear_object (&self->opening_toast);
  g_clear_pointer (&self->opening_name, g_free);
  if (self->recorder_signals != NULL)
    g_signal_group_set_target (self->recorder_signals, NULL);
  g_clear_object (&self->recorder_signals);
  if (self->record_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->record_chooser));
  g_clear_object (&self->record_chooser);
  if (self->simulator_signals != NULL)
    g_signal_group_set_target (self->simulator_signals, NULL);
  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  g_clear_object (&self->source_signals);
  if (self->shown_signals != NULL)
    g_signal_group_set_target (self->shown_signals, NULL);
  g_clear_object (&self->shown_signals);
  if (self->replay_signals != NULL)
    g_signal_group_set_target (self->replay_signals, NULL);
  g_clear_object (&self->replay_signals);
  if (self->sensor_signals != NULL)
    g_signal_group_set_target (self->sensor_signals, NULL);
  g_clear_object (&self->sensor_signals);
  if (self->sensor_picker != NULL)
    gtk_window_destroy (GTK_WINDOW (self->sensor_picker));
  g_clear_object (&self->scanner);
  if (self->replay_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->replay_chooser));
  g_clear_object (&self->replay_chooser);
  if (self->server_signals != NULL)
    g_signal_group_set_target (self->server_signals, NULL);
  g_clear_object (&self->simulator_signals);
  g_clear_object (&self->server_signals);
  if (self->scenario_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->scenario_chooser));
  g_clear_object (&self->scenario_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_WINDOW);
  g_clear_object (&self->simulator);
  g_clear_object (&self->source);
  g_clear_object (&self->shown_simulator);
  g_clear_object (&self->shown_source);
  g_clear_object (&self->cohort);
  g_clear_object (&self->histories);
  g_clear_object (&self->server);
  g_clear_object (&self->history);
  g_clear_object (&self->day_log);
  g_clear_object (&self->settings);
  g_clear_object (&self->recorder);
  g_clear_object (&self->bluez_connection);
  g_clear_pointer (&self->opening_url, g_free);
  g_clear_pointer (&self->last_toast_title, g_free);
  G_OBJECT_CLASS (heart_window_parent_class)->dispose (object);
}

static void
heart_window_finalize (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);

  g_clear_error (&self->server_error);
  G_OBJECT_CLASS (heart_window_parent_class)->finalize (object);
}

static void
heart_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeartWindow *self = HEART_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      g_value_set_object (value, self->simulator);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_DAY_LOG:
      g_value_set_object (value, self->day_log);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_RECORDER:
      g_value_set_object (value, self->recorder);
      break;
    case PROP_BLUEZ_CONNECTION:
      g_value_set_object (value, self->bluez_connection);
      break;
    case PROP_RECORDING:
      g_value_set_boolean (value, self->recorder != NULL && heart_recorder_get_recording (self->recorder));
      break;
    case PROP_SERVER_ERROR:
      g_value_set_boxed (value, self->server_error);
      break;
    case PROP_COHORT:
      g_value_set_object (value, self->cohort);
      break;
    case PROP_HISTORIES:
      g_value_set_object (value, self->histories);
      break;
    case PROP_SUBJECT:
      g_value_set_uint (value, self->shown);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HeartWindow *self = HEART_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      self->simulator = g_value_dup_object (value);
      break;
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_SERVER:
      self->server = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_DAY_LOG:
      self->day_log = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_RECORDER:
      self->recorder = g_value_dup_object (value);
      break;
    case PROP_BLUEZ_CONNECTION:
      self->bluez_connection = g_value_dup_object (value);
      break;
    case PROP_RECORDING:
      set_recording (self, g_value_get_boolean (value));
      break;
    case PROP_SERVER_ERROR:
      heart_window_set_server_error (self, g_value_get_boxed (value));
      break;
    case PROP_COHORT:
      self->cohort = g_value_dup_object (value);
      break;
    case PROP_HISTORIES:
      self->histories = g_value_dup_object (value);
      break;
    case PROP_SUBJECT:
      show_subject (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ---------------------------------------------------------------- export */

static void
on_exported (HeartWindow *self,
             GFile       *file,
             const char  *message)
{
  /* a toast's title is markup in libadwaita 1.2 */
  g_autofree char *title = g_markup_escape_text (message, -1);

  heart_window_add_toast (self, adw_toast_new (title));
}

/* win.export: the last minutes of samples to a file, as generate writes
 * them (heart-export-dialog.h) */
static void
export_samples (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  HeartWindow *self = HEART_WINDOW (widget);
  HeartExportDialog *dialog = heart_export_dialog_new (GTK_WINDOW (self), self->history);

  g_signal_connect_object (dialog, "exported", G_CALLBACK (on_exported), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
heart_window_class_init (HeartWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = heart_window_constructed;
  object_class->dispose = heart_window_dispose;
  object_class->finalize = heart_window_finalize;
  object_class->get_property = heart_window_get_property;
  object_class->set_property = heart_window_set_property;
  window_class->close_request = heart_window_close_request;

  properties[PROP_SIMULATOR] =
    g_param_spec_object ("simulator", NULL, NULL, HEART_TYPE_SIMULATOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE_SWITCH,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, HEART_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DAY_LOG] =
    g_param_spec_object ("day-log", NULL, NULL, HEART_TYPE_DAY_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, HEART_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORDER] =
    g_param_spec_object ("recorder", NULL, NULL, HEART_TYPE_RECORDER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where BlueZ is, for the strap picker and the straps it picks; NULL
   * for the system bus (tests give a private bus with a mocked BlueZ) */
  properties[PROP_BLUEZ_CONNECTION] =
    g_param_spec_object ("bluez-connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_ERROR] =
    g_param_spec_boxed ("server-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The recorder's state, for win.record: setting it on asks for a file
   * and starts once one is chosen; off stops */
  properties[PROP_RECORDING] =
    g_param_spec_boolean ("recording", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The people of the run, the first being "simulator" and "source", and
   * their histories (HeartHistory, in the cohort's order); NULL for one
   * person (docs/desktop.md, "Subjects") */
  properties[PROP_COHORT] =
    g_param_spec_object ("cohort", NULL, NULL, HEART_TYPE_COHORT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORIES] =
    g_param_spec_object ("histories", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The place in the cohort of the subject shown */
  properties[PROP_SUBJECT] =
    g_param_spec_uint ("subject", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HEART_TYPE_SUBJECT_LIST);
  g_type_ensure (HEART_TYPE_READOUTS);
  g_type_ensure (HEART_TYPE_CHART_CARD);
  g_type_ensure (HEART_TYPE_SWEEP_PANE);
  g_type_ensure (HEART_TYPE_SWEEP);
  g_type_ensure (HEART_TYPE_CONTROLS);
  g_type_ensure (HEART_TYPE_SERVER_PANEL);
  g_type_ensure (HEART_TYPE_DAY_PANEL);
  g_type_ensure (HEART_TYPE_SOURCE_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, controls_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, subjects_flap);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, subjects_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, subject_list);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, run_button_content);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, record_button_content);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_icon_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_button_content);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, source_panel);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, readouts);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, chart_card);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, sweep_pane);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, sweep);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, controls);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, server_panel);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, day_panel);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, main_menu_button);

  gtk_widget_class_install_action (widget_class, "win.copy-url", "s", copy_url);
  gtk_widget_class_install_action (widget_class, "win.open-url", "s", open_url);
  gtk_widget_class_install_action (widget_class, "win.run-scenario", NULL, run_scenario);
  gtk_widget_class_install_action (widget_class, "win.stop-scenario", NULL, stop_scenario);
  gtk_widget_class_install_action (widget_class, "win.open-scenario", NULL, open_scenario);
  gtk_widget_class_install_property_action (widget_class, "win.record", "recording");
  gtk_widget_class_install_action (widget_class, "win.open-replay", NULL, open_replay);
  gtk_widget_class_install_action (widget_class, "win.use-simulation", NULL, use_simulation);
  gtk_widget_class_install_action (widget_class, "win.choose-sensor", NULL, choose_sensor);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_samples);
}

static void
add_space_shortcut (HeartWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  /* Bubble phase: a focused button or switch still gets Space first */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_BUBBLE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_named_action_new ("win.running")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
heart_window_init (HeartWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  heart_menu_button_set_accessible_label (self->main_menu_button, _("Main menu"));
  add_space_shortcut (self);
}

HeartWindow *
heart_window_new (GtkApplication    *application,
                  HeartSimulator    *simulator,
                  HeartSourceSwitch *source,
                  HeartServer       *server,
                  HeartHistory      *history,
                  HeartDayLog       *day_log,
                  HeartSettings     *settings,
                  HeartRecorder     *recorder,
                  HeartCohort       *cohort,
                  GListModel        *histories)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (HEART_TYPE_WINDOW,
                       "application", application,
                       "simulator", simulator,
                       "source", source,
                       "server", server,
                       "history", history,
                       "day-log", day_log,
                       "settings", settings,
                       "recorder", recorder,
                       "cohort", cohort,
                       "histories", histories,
                       "bluez-connection", NULL,   /* the system bus */
                       NULL);
}

void
heart_window_add_toast (HeartWindow *self,
                        AdwToast    *toast)
{
  g_return_if_fail (HEART_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  g_free (self->last_toast_title);
  self->last_toast_title = g_strdup (adw_toast_get_title (toast));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
heart_window_get_last_toast_title (HeartWindow *self)
{
  return self->last_toast_title;
}

const GError *
heart_window_get_server_error (HeartWindow *self)
{
  g_return_val_if_fail (HEART_IS_WINDOW (self), NULL);
  return self->server_error;
}

void
heart_window_set_server_error (HeartWindow  *self,
                               const GError *error)
{
  g_return_if_fail (HEART_IS_WINDOW (self));

  if (self->server_error == NULL && error == NULL)
    return;
  g_clear_error (&self->server_error);
  if (error != NULL)
    self->server_error = g_error_copy (error);
  /* Before the window is wired up, constructed() shows it */
  if (self->settings != NULL)
    update_banner (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
}

gboolean
heart_window_open_scenario_file (HeartWindow *self,
                                 GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) scenario = NULL;
  g_autofree char *path = NULL;
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (HEART_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: only files on this computer can be opened"), uri);
      show_scenario_error (self, error);
      return FALSE;
    }
  /* Checked whole before anything uses it: a bad file changes nothing */
  scenario = heart_scenario_load_file (path, &error);
  if (scenario == NULL)
    {
      show_scenario_error (self, error);
      return FALSE;
    }

  heart_controls_add_scenario (self->controls, scenario, path);
  name = heart_chart_data_display_name (heart_scenario_get_name (scenario));
  /* Translators: a toast; %s is the scenario's name */
  title = g_strdup_printf (_("“%s” is ready to run"), name);
  heart_window_add_toast (self, adw_toast_new (title));
  return TRUE;
}

gboolean
heart_window_start_recording (HeartWindow *self,
                              GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (HEART_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: only files on this computer can be recorded to"), uri);
    }
  else
    {
      if (heart_recorder_get_recording (self->recorder))
        heart_recorder_stop (self->recorder, NULL);
      heart_recorder_set_path (self->recorder, path);
      heart_recorder_set_format (self->recorder, g_str_has_suffix (path, ".csv")
                                                 ? HEART_RECORDER_CSV : HEART_RECORDER_JSONL);
      /* the file chooser asked before it let an existing file be chosen */
      heart_recorder_set_replace (self->recorder, TRUE);
      if (heart_recorder_start (self->recorder, &error))
        return TRUE;
    }
  heart_window_add_toast (self, adw_toast_new (error->message));
  /* the toggle goes back to off */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
  return FALSE;
}

static void
replay_opened (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  HeartWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) opened = g_async_initable_new_finish (G_ASYNC_INITABLE (object), result, &error);
  HeartReplay *replay = (HeartReplay *) opened;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  /* the window went, or another file was asked for since */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->replay_opening);
  g_clear_handle_id (&self->opening_toast_id, g_source_remove);
  if (self->opening_toast != NULL)
    adw_toast_dismiss (self->opening_toast);
  g_clear_object (&self->opening_toast);
  if (replay == NULL)
    {
      show_replay_error (self, error);
      return;
    }
  g_debug ("Replaying %s: %s", heart_replay_get_path (replay), heart_replay_get_detected (replay));
  heart_source_switch_set_source (self->source, HEART_SOURCE (replay));
  /* the user asked to see the file: it plays, whether or not the
   * simulation ran */
  heart_source_set_running (HEART_SOURCE (self->source), TRUE);
  show_subject (self, 0);

  name = g_path_get_basename (heart_replay_get_path (replay));
  /* Translators: a toast; %s is the file's name */
  title = g_strdup_printf (_("Replaying “%s”"), name);
  heart_window_add_toast (self, adw_toast_new (title));
}

/* Only a file that takes a while says it is opening: a toast that came and
 * went at once would flicker, and libadwaita 1.2's overlay can crash when
 * a toast is dismissed during its show animation and another added */
static gboolean
show_opening_toast (gpointer user_data)
{
  HeartWindow *self = user_data;
  g_autofree char *title = NULL;

  self->opening_toast_id = 0;
  /* Translators: a toast while a large file is read; %s is its name */
  title = g_strdup_printf (_("Opening “%s”…"), self->opening_name);
  self->opening_toast = adw_toast_new (title);
  adw_toast_set_timeout (self->opening_toast, 0);
  heart_window_add_toast (self, g_object_ref (self->opening_toast));
  return G_SOURCE_REMOVE;
}

void
heart_window_open_replay_file (HeartWindow *self,
                               GFile       *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  g_return_if_fail (HEART_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s: only files on this computer can be replayed"), uri);
      show_replay_error (self, error);
      return;
    }
  /* the last file asked for wins */
  g_cancellable_cancel (self->replay_opening);
  g_clear_object (&self->replay_opening);
  self->replay_opening = g_cancellable_new ();
  g_free (self->opening_name);
  self->opening_name = g_path_get_basename (path);
  if (self->opening_toast == NULL && self->opening_toast_id == 0)
    self->opening_toast_id = g_timeout_add (OPENING_TOAST_DELAY_MS, show_opening_toast, self);
  /* Opened, in a thread, before anything switches: a file that cannot be
   * played changes nothing, and a gigabyte export does not freeze the
   * window while it is read (docs/replay.md) */
  g_async_initable_new_async (HEART_TYPE_REPLAY, G_PRIORITY_DEFAULT, self->replay_opening, replay_opened, self,
                              "path", path,
                              "speed", heart_settings_get_replay_speed (self->settings),
                              "loop", heart_settings_get_replay_loop (self->settings),
                              NULL);
}

const char *
heart_window_get_record_text (HeartWindow *self)
{
  return adw_button_content_get_label (self->record_button_content);
}

GtkWidget *
heart_window_get_record_button (HeartWindow *self)
{
  return GTK_WIDGET (self->record_button);
}

gboolean
heart_window_is_chart_full (HeartWindow *self)
{
  HeartChart *chart;
  guint span;
  double tick_s;

  g_return_val_if_fail (HEART_IS_WINDOW (self), FALSE);

  chart = heart_chart_card_get_chart (self->chart_card);
  span = heart_chart_get_window_seconds (chart);
  tick_s = heart_source_get_interval_ms (self->shown_source) / 1000.0
           * (current_replay (self) != NULL ? heart_replay_get_speed (current_replay (self))
                                            : heart_simulator_get_speed (self->shown_simulator));
  return heart_chart_get_covered_seconds (chart) >= span - tick_s;
}

/* ---------------------------------------------------------------- private */

HeartReadouts *
heart_window_get_readouts (HeartWindow *self)
{
  return self->readouts;
}

HeartChartCard *
heart_window_get_chart_card (HeartWindow *self)
{
  return self->chart_card;
}

HeartSweep *
heart_window_get_sweep (HeartWindow *self)
{
  return self->sweep;
}

HeartSweepPane *
heart_window_get_sweep_pane (HeartWindow *self)
{
  return self->sweep_pane;
}

HeartControls *
heart_window_get_controls (HeartWindow *self)
{
  return self->controls;
}

HeartSourcePanel *
heart_window_get_source_panel (HeartWindow *self)
{
  return self->source_panel;
}

HeartDayPanel *
heart_window_get_day_panel (HeartWindow *self)
{
  return self->day_panel;
}

HeartSensorPicker *
heart_window_get_sensor_picker (HeartWindow *self)
{
  return self->sensor_picker;
}

HeartServerPanel *
heart_window_get_server_panel (HeartWindow *self)
{
  return self->server_panel;
}

HeartChart *
heart_window_get_chart (HeartWindow *self)
{
  return heart_chart_card_get_chart (self->chart_card);
}

HeartPulse *
heart_window_get_heart_pulse (HeartWindow *self)
{
  return heart_readouts_get_heart_pulse (self->readouts);
}

GtkAdjustment *
heart_window_get_baseline_adjustment (HeartWindow *self)
{
  return heart_controls_get_baseline_adjustment (self->controls);
}

GtkAdjustment *
heart_window_get_stress_adjustment (HeartWindow *self)
{
  return heart_controls_get_stress_adjustment (self->controls);
}

GtkAdjustment *
heart_window_get_event_level_adjustment (HeartWindow *self)
{
  return heart_controls_get_event_level_adjustment (self->controls);
}

gboolean
heart_window_get_banner_revealed (HeartWindow *self)
{
  return gtk_revealer_get_reveal_child (self->banner_revealer);
}

const char *
heart_window_get_banner_text (HeartWindow *self)
{
  return gtk_label_get_label (self->banner_label);
}

const char *
heart_window_get_bpm_text (HeartWindow *self)
{
  return heart_readouts_get_bpm_text (self->readouts);
}

const char *
heart_window_get_subtitle (HeartWindow *self)
{
  return adw_window_title_get_subtitle (self->window_title);
}

char **
heart_window_dup_shown_urls (HeartWindow *self)
{
  return heart_server_panel_dup_shown_urls (self->server_panel);
}

guint
heart_window_get_subject (HeartWindow *self)
{
  g_return_val_if_fail (HEART_IS_WINDOW (self), 0);
  return self->shown;
}

HeartSource *
heart_window_get_shown_source (HeartWindow *self)
{
  g_return_val_if_fail (HEART_IS_WINDOW (self), NULL);
  return self->shown_source;
}

HeartSimulator *
heart_window_get_shown_simulator (HeartWindow *self)
{
  g_return_val_if_fail (HEART_IS_WINDOW (self), NULL);
  return self->shown_simulator;
}

HeartSubjectList *
heart_window_get_subject_list (HeartWindow *self)
{
  g_return_val_if_fail (HEART_IS_WINDOW (self), NULL);
  return self->subject_list;
}
