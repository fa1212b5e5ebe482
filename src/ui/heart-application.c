/* heart-application.c: the desktop app
 *
 * The application owns the simulator, its history and the server, and keeps
 * them in step with the settings: the settings are the one source of truth
 * for everything the user configures, and GActions are the one way the
 * window, the menus and the keyboard change anything. What is served and
 * shown is a HeartSourceSwitch, as headless: the simulation or a replay,
 * switched in the window or by POST /source (docs/architecture.md, Sources).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-application.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "heart-cohort-file.h"
#include "heart-cohort.h"
#include "heart-frame-stats.h"
#include "heart-preferences-window.h"
#include "heart-duration.h"
#include "heart-recorder.h"
#include "heart-render.h"
#include "heart-replay.h"
#include "heart-scenario-file.h"
#include "heart-server-subject.h"
#include "heart-window.h"

#define ANY_ADDRESS "0.0.0.0"
/* How far "Use Another Port" looks for a free one */
#define FREE_PORT_ATTEMPTS 100
/* --subjects and --cohort: each subject is a simulation with a timer of its
 * own, a history and a row in the window; headless serves more
 * (docs/desktop.md, "Subjects") */
#define MAX_SUBJECTS 100
/* A screenshot waits at most this long for a full chart */
#define SCREENSHOT_DEADLINE_S 120

struct _HeartApplication
{
  AdwApplication   parent_instance;

  HeartSettings   *settings;
  HeartSimulator  *simulator;
  HeartSourceSwitch *source;
  HeartHistory    *history;
  HeartCohort     *cohort;       /* the first subject is simulator and source */
  GListStore      *histories;    /* of HeartHistory, one a subject: the first is history */
  HeartDayLog     *day_log;      /* the long chart spans, the day's totals, GET /api/day */
  HeartServer     *server;
  HeartRecorder   *recorder;
  GError          *server_error;

  /* command line */
  gint64           seed;
  gboolean         have_seed;
  char            *n_subjects;    /* --subjects, NULL: one */
  gint64           subject_offset;
  char            *cohort_path;   /* --cohort */
  GPtrArray       *specs;         /* HeartSubjectSpec, of --subjects or --cohort */
  double           speed;
  int              port;
  char            *screenshot_path;
  char            *color_scheme;
  gboolean         frame_stats;
  HeartScenario   *scenario;      /* --scenario, run from the start */
  char            *record_path;   /* --record */
  HeartRecorderFormat record_format;
  char            *replay_path;   /* --replay, and its options */
  gboolean         replay_loop;
  double           replay_seek_s;
  HeartReplayTimestamps replay_timestamps;
  HeartReplayOnError replay_on_error;
  char            *replay_columns;

  HeartFrameStats *stats;
  guint            screenshot_id;
  gint64           screenshot_deadline_us;
  guint            screenshot_settle;
  int              exit_status;
  guint            signal_ids[3];
};

enum {
  PROP_0,
  PROP_SERVER_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartApplication, heart_application, ADW_TYPE_APPLICATION)

/* ---------------------------------------------------------------- server */

static void
set_server_error (HeartApplication *self,
                  const GError     *error)
{
  if (self->server_error == NULL && error == NULL)
    return;
  g_clear_error (&self->server_error);
  if (error != NULL)
    self->server_error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
}

static const char *
wanted_bind_address (HeartApplication *self)
{
  return heart_settings_get_listen_all_interfaces (self->settings)
         ? ANY_ADDRESS : HEART_SERVER_DEFAULT_BIND;
}

static gboolean
server_matches_settings (HeartApplication *self)
{
  return heart_server_get_listening (self->server)
         && heart_server_get_port (self->server) == heart_settings_get_port (self->settings)
         && g_strcmp0 (heart_server_get_bind_address (self->server), wanted_bind_address (self)) == 0;
}

static gboolean
try_listen (HeartApplication *self,
            guint             port,
            GError          **error)
{
  heart_server_set_port (self->server, port);
  heart_server_set_bind_address (self->server, wanted_bind_address (self));
  heart_server_set_token (self->server, heart_settings_get_token (self->settings));
  return heart_server_start (self->server, error);
}

/* Bring the server in line with the settings; cheap when it already is */
static void
apply_server_settings (HeartApplication *self)
{
  g_autoptr(GError) error = NULL;

  /* A new token takes effect at once, without dropping clients */
  heart_server_set_token (self->server, heart_settings_get_token (self->settings));

  if (!heart_settings_get_serve (self->settings))
    {
      if (heart_server_get_listening (self->server))
        heart_server_stop (self->server);
      set_server_error (self, NULL);
      return;
    }

  if (server_matches_settings (self))
    {
      set_server_error (self, NULL);
      return;
    }

  if (heart_server_get_listening (self->server))
    heart_server_stop (self->server);

  if (!try_listen (self, heart_settings_get_port (self->settings), &error))
    {
      g_debug ("Server not started: %s", error->message);
      set_server_error (self, error);
      return;
    }
  set_server_error (self, NULL);
}

static void
on_server_setting_changed (HeartApplication *self)
{
  apply_server_settings (self);
}

/* The next free port above the configured one becomes the setting */
static void
use_free_port (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  HeartApplication *self = user_data;
  guint port = heart_settings_get_port (self->settings);

  if (heart_server_get_listening (self->server))
    heart_server_stop (self->server);

  for (guint attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) error = NULL;

      /* Above the well-known ports, wrapping around at the top */
      port = port >= 65535 ? 1024 : port + 1;
      if (try_listen (self, port, &error))
        {
          heart_settings_set_port (self->settings, port);
          set_server_error (self, NULL);
          return;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          set_server_error (self, error);
          return;
        }
    }
  /* Nothing free nearby: keep showing why */
  apply_server_settings (self);
}

/* ---------------------------------------------------------------- simulation */

static void
apply_random_events (HeartApplication *self)
{
  double rate = heart_settings_get_random_events (self->settings)
                ? heart_settings_get_random_events_per_hour (self->settings) : 0;

  heart_simulator_set_random_events_per_hour (self->simulator, rate, NULL);
}

/* The other way: POST /simulation/random-events (or a profile) changed the
 * simulator's rate; the switch and the rate follow, as the baseline does.
 * The settings keep a rate for when the switch goes on again, so 0 turns
 * the switch off and leaves the rate. */
static void
take_random_events (HeartApplication *self)
{
  double rate = heart_simulator_get_random_events_per_hour (self->simulator);

  if (rate > 0)
    g_object_set (self->settings, "random-events-per-hour", rate, "random-events", TRUE, NULL);
  else
    g_object_set (self->settings, "random-events", FALSE, NULL);
}

/* The subject the window shows, whose simulator a stress event is for
 * (docs/desktop.md, "Subjects"); the first without a window */
static HeartSimulator *
shown_simulator (HeartApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return HEART_IS_WINDOW (window) ? heart_window_get_shown_simulator (HEART_WINDOW (window)) : self->simulator;
}

static HeartSource *
shown_source (HeartApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  HeartSource *source = HEART_IS_WINDOW (window) ? heart_window_get_shown_source (HEART_WINDOW (window))
                                                 : HEART_SOURCE (self->source);

  return HEART_IS_SOURCE_SWITCH (source) ? heart_source_switch_get_source (HEART_SOURCE_SWITCH (source)) : source;
}

/* Only a simulation obeys a stress event: the action, and with it the
 * header bar's button and Ctrl+E, is off while a replay is shown */
static void
on_source_changed (HeartApplication *self)
{
  HeartSource *current = shown_source (self);
  const char * const simulation_only[] = { "stress-event", "end-stress-event" };

  for (guint i = 0; i < G_N_ELEMENTS (simulation_only); i++)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), simulation_only[i])),
                                 HEART_IS_SIMULATOR (current));
}

static void
trigger_stress_event (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  HeartApplication *self = user_data;
  double level = heart_settings_get_stress_event_level (self->settings);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  AdwToast *toast;

  heart_simulator_trigger_stress (shown_simulator (self), level, NULL);
  if (heart_simulator_get_running (shown_simulator (self)) || !HEART_IS_WINDOW (window))
    return;
  /* A stopped simulation keeps the event for when it runs: say so, rather
   * than seem to ignore the button (docs/desktop.md) */
  toast = adw_toast_new (_("The simulation is stopped: the stress event begins when it runs"));
  adw_toast_set_button_label (toast, _("_Start"));
  adw_toast_set_action_name (toast, "win.running");
  heart_window_add_toast (HEART_WINDOW (window), toast);
}

static void
end_stress_event (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HeartApplication *self = user_data;

  heart_simulator_end_stress (shown_simulator (self));
}

/* ---------------------------------------------------------------- windows */

static void
show_preferences (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  HeartApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *preferences = GTK_WINDOW (heart_preferences_window_new (self->settings));

  gtk_window_set_transient_for (preferences, parent);
  gtk_window_present (preferences);
}

static void
show_about (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  HeartApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Heartsim developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Heartsim"),
                        "application-icon", APP_ID,
                        "developer-name", "The Heartsim developers",
                        "version", PACKAGE_VERSION,
                        "comments", _("A realistic simulated heart, beat by beat, for building "
                                      "and testing health apps, dashboards and models."),
                        "website", "https://github.com/heartsim/heartsim",
                        "issue-url", "https://github.com/heartsim/heartsim/issues",
                        "copyright", "© 2026 The Heartsim developers",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your names, one a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about),
                                                _("Heart Model"),
                                                (const char *[]) {
                                                  "ECGSYN, McSharry et al. https://doi.org/10.1109/TBME.2003.808805",
                                                  NULL });
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit (GSimpleAction *action,
      GVariant      *parameter,
      gpointer       user_data)
{
  HeartApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close rather than quit outright, so windows save their state */
  for (GList *l = windows; l != NULL; )
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static void
add_property_action (HeartApplication *self,
                     const char       *name,
                     gpointer          object,
                     const char       *property)
{
  g_autoptr(GPropertyAction) action = g_property_action_new (name, object, property);

  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (action));
}

static const GActionEntry app_actions[] = {
  { .name = "stress-event", .activate = trigger_stress_event },
  { .name = "end-stress-event", .activate = end_stress_event },
  { .name = "use-free-port", .activate = use_free_port },
  { .name = "preferences", .activate = show_preferences },
  { .name = "about", .activate = show_about },
  { .name = "quit", .activate = quit },
};

static void
setup_actions (HeartApplication *self)
{
  GtkApplication *app = GTK_APPLICATION (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  /* the switch's: Start and Stop (and Space) play and pause a replay too */
  add_property_action (self, "running", self->source, "running");
  add_property_action (self, "baseline-bpm", self->simulator, "baseline-bpm");
  add_property_action (self, "random-events", self->settings, "random-events");
  add_property_action (self, "serve", self->settings, "serve");
  add_property_action (self, "chart-window", self->settings, "chart-window-seconds");
  add_property_action (self, "show-breathing", self->settings, "chart-show-breathing");
  add_property_action (self, "show-skin-conductance", self->settings, "chart-show-skin-conductance");

  /* Space is bound in the window, after focused widgets had their turn:
   * an application accelerator would steal it from every button. */
  gtk_application_set_accels_for_action (app, "app.stress-event", (const char *[]) { "<Control>e", NULL });
  gtk_application_set_accels_for_action (app, "app.preferences", (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (app, "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (app, "window.close", (const char *[]) { "<Control>w", NULL });
  gtk_application_set_accels_for_action (app, "win.run-scenario", (const char *[]) { "<Control>r", NULL });
  gtk_application_set_accels_for_action (app, "win.stop-scenario",
                                         (const char *[]) { "<Control><Shift>r", NULL });
  gtk_application_set_accels_for_action (app, "win.open-scenario", (const char *[]) { "<Control>o", NULL });
  gtk_application_set_accels_for_action (app, "win.record", (const char *[]) { "<Control><Shift>s", NULL });
  gtk_application_set_accels_for_action (app, "win.export", (const char *[]) { "<Control><Shift>e", NULL });
  gtk_application_set_accels_for_action (app, "win.open-replay", (const char *[]) { "<Control><Shift>o", NULL });
  gtk_application_set_accels_for_action (app, "win.use-simulation",
                                         (const char *[]) { "<Control><Shift>m", NULL });
  gtk_application_set_accels_for_action (app, "win.choose-sensor",
                                         (const char *[]) { "<Control><Shift>b", NULL });
  gtk_application_set_accels_for_action (app, "win.show-waveforms", (const char *[]) { "<Control>m", NULL });
  /* as tabs go round in GNOME's apps (docs/desktop.md, "Subjects") */
  gtk_application_set_accels_for_action (app, "win.next-subject", (const char *[]) { "<Control>Page_Down", NULL });
  gtk_application_set_accels_for_action (app, "win.previous-subject", (const char *[]) { "<Control>Page_Up", NULL });
  gtk_application_set_accels_for_action (app, "win.show-help-overlay",
                                         (const char *[]) { "<Control>question", NULL });
  /* Alt and the digits, in the order of the activity buttons (docs/desktop.md) */
  gtk_application_set_accels_for_action (app, "win.activity('rest')", (const char *[]) { "<Alt>1", NULL });
  gtk_application_set_accels_for_action (app, "win.activity('sitting')", (const char *[]) { "<Alt>2", NULL });
  gtk_application_set_accels_for_action (app, "win.activity('walking')", (const char *[]) { "<Alt>3", NULL });
  gtk_application_set_accels_for_action (app, "win.activity('running')", (const char *[]) { "<Alt>4", NULL });
  gtk_application_set_accels_for_action (app, "win.activity('cycling')", (const char *[]) { "<Alt>5", NULL });
  gtk_application_set_accels_for_action (app, "win.activity('sleep')", (const char *[]) { "<Alt>6", NULL });
}

/* ---------------------------------------------------------------- signals */

/* kill, Ctrl+C in a terminal, or the terminal closing: quit as Ctrl+Q does,
 * so clients get their close frame (docs/api.md) */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static void
add_signal_handlers (HeartApplication *self)
{
  struct sigaction hangup;

  self->signal_ids[0] = g_unix_signal_add (SIGINT, on_quit_signal, self);
  self->signal_ids[1] = g_unix_signal_add (SIGTERM, on_quit_signal, self);
  /* started by nohup(1): a hangup stays ignored */
  if (sigaction (SIGHUP, NULL, &hangup) != 0 || hangup.sa_handler != SIG_IGN)
    self->signal_ids[2] = g_unix_signal_add (SIGHUP, on_quit_signal, self);
}

static void
remove_signal_handlers (HeartApplication *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->signal_ids); i++)
    g_clear_handle_id (&self->signal_ids[i], g_source_remove);
}

/* ---------------------------------------------------------------- screenshots */

static void
write_screenshot (GtkWidget  *window,
                  GdkTexture *texture,
                  gpointer    user_data)
{
  HeartApplication *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!heart_render_texture_to_png (texture, self->screenshot_path, &error))
    {
      g_printerr ("heartsim: %s\n", error->message);
      self->exit_status = 1;
    }
  else
    g_print ("%s\n", self->screenshot_path);
  g_application_release (G_APPLICATION (self));
  g_application_quit (G_APPLICATION (self));
}

/* Polls instead of hooking the chart: a screenshot is a one-off */
static gboolean
check_screenshot (gpointer user_data)
{
  HeartApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL || !gtk_widget_get_realized (GTK_WIDGET (window)))
    return G_SOURCE_CONTINUE;

  if (g_get_monotonic_time () > self->screenshot_deadline_us)
    g_printerr ("heartsim: the chart did not fill in time; capturing it as it is\n");
  else if (!heart_window_is_chart_full (HEART_WINDOW (window)) || self->screenshot_settle++ < 10)
    return G_SOURCE_CONTINUE;   /* once full, let the range and the pulse animations settle */

  self->screenshot_id = 0;
  /* Held until the picture is written */
  g_application_hold (G_APPLICATION (self));
  heart_render_widget_after_paint (GTK_WIDGET (window), write_screenshot, self);
  return G_SOURCE_REMOVE;
}

static void
start_screenshot (HeartApplication *self)
{
  if (self->screenshot_id != 0)
    return;
  self->screenshot_deadline_us = g_get_monotonic_time () + SCREENSHOT_DEADLINE_S * G_USEC_PER_SEC;
  self->screenshot_id = g_timeout_add (100, check_screenshot, self);
}

/* ---------------------------------------------------------------- GApplication */

static const GOptionEntry option_entries[] = {
  { "seed", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("Seed of the simulation, for a reproducible heart"), N_("NUMBER") },
  { "speed", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
    N_("Run the simulation (or --replay, 0.1–1000) this many times faster than real time"), N_("FACTOR") },
  { "port", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("Serve on this port (saved in the preferences)"), N_("PORT") },
  /* a string: GApplication keeps no integer option that is 0 */
  { "subjects", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Simulate this many people, 1–100, each with a seed of its own"), N_("N") },
  { "subject-offset", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("Number the subjects from K: the same K gives the same people"), N_("K") },
  { "cohort", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Simulate the people FILE lists (JSON: profile, seed, scenario, start offset of each)"), N_("FILE") },
  { "scenario", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Run a scenario from the start: a bundled one or a file"), N_("NAME|FILE") },
  { "record", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Append every sample and beat to FILE (an existing recording goes on)"), N_("FILE") },
  { "record-format", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Format of --record: jsonl (default) or csv"), "jsonl|csv" },
  { "replay", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Show and serve FILE instead of the simulation: a recording, or a CSV of heart rates or RR intervals"),
    N_("FILE") },
  { "loop", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Play --replay again from its start when it ends"), NULL },
  { "seek", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Start --replay this far into the file (600, 90s, 1h30m)"), N_("TIME") },
  { "timestamps", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Timestamps of --replay: the file's own (original, the default) or the wall clock now"), "original|now" },
  { "on-error", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("A malformed line of --replay is skipped (the default) or stops the replay"), "skip|stop" },
  { "columns", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Columns of a --replay CSV, by name or number: time=…,bpm=…,rr_ms=…[,time_unit=s|ms|us|ns|iso]"), N_("SPEC") },
  { "screenshot", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, NULL,
    "Save the window as a PNG once the chart is full, then quit", "FILE" },
  { "color-scheme", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, NULL,
    "Force the light or dark style", "light|dark" },
  { "frame-stats", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, NULL,
    "Print frame interval percentiles every 5 seconds", NULL },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and exit"), NULL },
  { NULL }
};

/* --replay's options as headless checks them (docs/replay.md); the file
 * itself is opened at startup. FALSE with the reason printed. */
static gboolean
check_replay_options (HeartApplication *self,
                      const char       *seek,
                      const char       *timestamps,
                      const char       *on_error)
{
  g_autoptr(GError) error = NULL;

  if (self->replay_path == NULL
      && (self->replay_loop || seek != NULL || timestamps != NULL || on_error != NULL
          || self->replay_columns != NULL))
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("--loop, --seek, --timestamps, --on-error and --columns go with --replay FILE"));
  else if (self->replay_path == NULL)
    return TRUE;
  else if (self->replay_path[0] == '\0')
    g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--replay needs a file name"));
  else if (self->speed != 0 && (self->speed < HEART_REPLAY_SPEED_MIN || self->speed > HEART_REPLAY_SPEED_MAX))
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--speed must be between %g and %g"),
                 HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX);
  else if (seek != NULL
           && (!heart_duration_scan (seek, &self->replay_seek_s) || self->replay_seek_s > HEART_DURATION_MAX_S))
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("--seek must be a time such as 600, 90s or 1h30m, not “%s”"), seek);
  else if (timestamps != NULL)
    heart_replay_parse_timestamps (timestamps, &self->replay_timestamps, &error);
  if (error == NULL && on_error != NULL)
    heart_replay_parse_on_error (on_error, &self->replay_on_error, &error);
  if (error == NULL && self->replay_columns != NULL)
    heart_replay_check_columns (self->replay_columns, &error);
  if (error == NULL)
    return TRUE;
  g_printerr ("heartsim: %s\n", error->message);
  return FALSE;
}

/* --replay: a file that cannot be played is an error of the command line's,
 * said before any window opens, as headless says it */
static HeartReplay *
open_replay (HeartApplication  *self,
             GError           **error)
{
  return g_initable_new (HEART_TYPE_REPLAY, NULL, error,
                         "path", self->replay_path,
                         "speed", self->speed != 0 ? self->speed : 1.0,
                         "loop", self->replay_loop,
                         "seek-s", self->replay_seek_s,
                         "timestamps", self->replay_timestamps,
                         "on-error", self->replay_on_error,
                         "columns", self->replay_columns,
                         NULL);
}

static guint64
fresh_seed (void)
{
  return ((guint64) g_random_int () << 32) | g_random_int ();
}

/* The people of --subjects or --cohort, numbered from --subject-offset, as
 * headless makes them, so subject N is the same person in both; a file
 * that cannot be used is an error before any window opens
 * (docs/desktop.md, "Subjects"). FALSE with the reason printed. */
static gboolean
load_subjects (HeartApplication *self)
{
  guint64 run_seed = self->have_seed ? (guint64) self->seed : fresh_seed ();
  g_autoptr(GError) error = NULL;
  guint64 n = 1;

  if (self->cohort_path != NULL && self->n_subjects != NULL)
    {
      g_printerr (_("heartsim: --cohort and --subjects are one or the other: the file says how many people\n"));
      return FALSE;
    }
  if (self->subject_offset < 0 || self->subject_offset > G_MAXUINT)
    {
      g_printerr (_("heartsim: --subject-offset must be between 0 and %u\n"), G_MAXUINT);
      return FALSE;
    }
  if (self->cohort_path != NULL)
    self->specs = heart_cohort_file_load (self->cohort_path, (guint) self->subject_offset, run_seed, &error);
  else if (self->n_subjects != NULL
           && !g_ascii_string_to_unsigned (self->n_subjects, 10, 1, MAX_SUBJECTS, &n, NULL))
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("--subjects must be between 1 and %d, not “%s”"),
                 MAX_SUBJECTS, self->n_subjects);
  else
    self->specs = heart_cohort_subjects_new ((guint) n, (guint) self->subject_offset, run_seed, NULL, &error);
  if (self->specs != NULL && self->specs->len > MAX_SUBJECTS)
    g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("the window shows at most %d subjects; heartsim --headless serves more"), MAX_SUBJECTS);
  if (error == NULL)
    return TRUE;
  g_printerr ("heartsim: %s\n", error->message);
  g_clear_pointer (&self->specs, g_ptr_array_unref);
  return FALSE;
}

static int
heart_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  HeartApplication *self = HEART_APPLICATION (app);
  g_autofree char *scenario = NULL;
  g_autofree char *record_format = NULL;
  g_autofree char *seek = NULL;
  g_autofree char *timestamps = NULL;
  g_autofree char *on_error = NULL;
  gboolean version = FALSE;

  if (g_variant_dict_lookup (options, "version", "b", &version) && version)
    {
      g_print ("heartsim %s\n", PACKAGE_VERSION);
      return 0;
    }

  self->have_seed = g_variant_dict_lookup (options, "seed", "x", &self->seed);
  g_variant_dict_lookup (options, "speed", "d", &self->speed);
  g_variant_dict_lookup (options, "port", "i", &self->port);
  g_variant_dict_lookup (options, "subjects", "s", &self->n_subjects);
  g_variant_dict_lookup (options, "subject-offset", "x", &self->subject_offset);
  g_variant_dict_lookup (options, "cohort", "^ay", &self->cohort_path);
  g_variant_dict_lookup (options, "screenshot", "^ay", &self->screenshot_path);
  g_variant_dict_lookup (options, "color-scheme", "s", &self->color_scheme);
  g_variant_dict_lookup (options, "frame-stats", "b", &self->frame_stats);
  g_variant_dict_lookup (options, "scenario", "^ay", &scenario);
  g_variant_dict_lookup (options, "record", "^ay", &self->record_path);
  g_variant_dict_lookup (options, "record-format", "s", &record_format);
  g_variant_dict_lookup (options, "replay", "^ay", &self->replay_path);
  g_variant_dict_lookup (options, "loop", "b", &self->replay_loop);
  g_variant_dict_lookup (options, "seek", "s", &seek);
  g_variant_dict_lookup (options, "timestamps", "s", &timestamps);
  g_variant_dict_lookup (options, "on-error", "s", &on_error);
  g_variant_dict_lookup (options, "columns", "s", &self->replay_columns);

  if (!check_replay_options (self, seek, timestamps, on_error))
    return 2;
  if (self->replay_path == NULL && self->speed != 0
      && (self->speed < HEART_SPEED_MIN || self->speed > HEART_SPEED_MAX))
    {
      g_printerr (_("heartsim: --speed must be between %g and %g\n"), HEART_SPEED_MIN, HEART_SPEED_MAX);
      return 2;
    }
  if (self->port != 0 && (self->port < 1 || self->port > 65535))
    {
      g_printerr (_("heartsim: --port must be between 1 and 65535\n"));
      return 2;
    }
  if (record_format != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!heart_recorder_format_parse (record_format, &self->record_format, &error))
        {
          g_printerr ("heartsim: %s\n", error->message);
          return 2;
        }
    }
  if (self->record_path != NULL && self->record_path[0] == '\0')
    {
      g_printerr (_("heartsim: --record needs a file name\n"));
      return 2;
    }
  /* Checked here, so a bad file is an error before any window opens */
  if (scenario != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->scenario = heart_scenario_load (scenario, &error);
      if (self->scenario == NULL)
        {
          g_printerr ("heartsim: %s\n", error->message);
          return 2;
        }
    }
  if (!load_subjects (self))
    return 2;

  /* A run with its own seed, speed or a capture is an experiment of its own,
   * not a request to raise the window that is already open. */
  if (self->have_seed || self->speed != 0 || self->screenshot_path != NULL || self->frame_stats
      || self->n_subjects != NULL || self->subject_offset != 0 || self->cohort_path != NULL
      || self->scenario != NULL || self->record_path != NULL || self->replay_path != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (heart_application_parent_class)->handle_local_options (app, options);
}

static void
apply_color_scheme (HeartApplication *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  if (g_strcmp0 (self->color_scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (self->color_scheme, "light") == 0)
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
bind_simulator_to_settings (HeartApplication *self)
{
  static const char *shared[] = { "interval-ms", "baseline-bpm", "stress-level" };
  /* With --cohort or --subject-offset the first subject is the person the
   * file or its id says, as headless makes them: the preferences' resting
   * rate and stress neither change nor come from them (docs/desktop.md,
   * "Subjects") */
  guint n_shared = self->cohort_path != NULL || self->subject_offset != 0 ? 1 : G_N_ELEMENTS (shared);

  /* Both ways: a change from the network shows in the window and persists */
  for (guint i = 0; i < n_shared; i++)
    g_object_bind_property (self->settings, shared[i], self->simulator, shared[i],
                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_signal_connect_object (self->settings, "notify::random-events",
                           G_CALLBACK (apply_random_events), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "notify::random-events-per-hour",
                           G_CALLBACK (apply_random_events), self, G_CONNECT_SWAPPED);
  apply_random_events (self);
  g_signal_connect_object (self->simulator, "notify::random-events-per-hour",
                           G_CALLBACK (take_random_events), self, G_CONNECT_SWAPPED);
}

/* Subject @index of the specs: the first is the app's simulator behind the
 * switch; the others simulate on their own, at the same speed and tick,
 * without the ECG and pleth, which only the subject shown makes
 * (heart-window.c) */
static HeartSubject *
make_subject (HeartApplication  *self,
              guint              index,
              GError           **error)
{
  HeartSubjectSpec *spec = g_ptr_array_index (self->specs, index);
  HeartSubject *subject;
  HeartSimulator *simulator;

  if (index == 0)
    return heart_subject_new (spec, self->simulator, HEART_SOURCE (self->source), error);
  subject = heart_subject_new (spec, NULL, NULL, error);
  if (subject == NULL)
    return NULL;
  simulator = heart_subject_get_simulator (subject);
  if (self->speed != 0)
    heart_simulator_set_speed (simulator, self->speed, NULL);
  g_object_bind_property (self->settings, "interval-ms", simulator, "interval-ms", G_BINDING_SYNC_CREATE);
  return subject;
}

/* The people of the run (docs/desktop.md, "Subjects"), each with a
 * history for the window's chart and sparklines: the first the app's own,
 * the others as short as the server's (heart-server-subject.h). FALSE
 * with @error naming the subject that cannot be made. */
static gboolean
make_cohort (HeartApplication  *self,
             GError           **error)
{
  self->cohort = heart_cohort_new ();
  self->histories = g_list_store_new (HEART_TYPE_HISTORY);
  for (guint i = 0; i < self->specs->len; i++)
    {
      g_autoptr(HeartSubject) subject = make_subject (self, i, error);
      g_autoptr(HeartHistory) history = NULL;
      guint id = ((HeartSubjectSpec *) g_ptr_array_index (self->specs, i))->id;

      if (subject == NULL)
        {
          g_prefix_error (error, _("subject %u: "), id);
          return FALSE;
        }
      if (!heart_cohort_add (self->cohort, subject))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("subject %u is there twice"), id);
          return FALSE;
        }
      if (i == 0)
        history = g_object_ref (self->history);
      else
        {
          history = heart_history_new (HEART_SERVER_SUBJECT_HISTORY);
          heart_history_follow (history, G_OBJECT (heart_subject_get_simulator (subject)));
        }
      g_list_store_append (self->histories, history);
    }
  return TRUE;
}

/* Start or stop everyone: the first subject through the switch, which
 * plays a replay if one is served */
static void
set_all_running (HeartApplication *self,
                 gboolean          running)
{
  heart_source_set_running (HEART_SOURCE (self->source), running);
  for (guint i = 1; self->cohort != NULL && i < heart_cohort_get_n_subjects (self->cohort); i++)
    heart_source_set_running (heart_subject_get_source (heart_cohort_get_subject (self->cohort, i)), running);
}

static void
bind_server_to_settings (HeartApplication *self)
{
  static const char *server_keys[] = { "serve", "port", "listen-all-interfaces", "token" };

  for (guint i = 0; i < G_N_ELEMENTS (server_keys); i++)
    {
      g_autofree char *signal = g_strconcat ("notify::", server_keys[i], NULL);

      g_signal_connect_object (self->settings, signal,
                               G_CALLBACK (on_server_setting_changed), self, G_CONNECT_SWAPPED);
    }
}

static void
heart_application_startup (GApplication *app)
{
  HeartApplication *self = HEART_APPLICATION (app);
  g_autoptr(HeartReplay) replay = NULL;
  g_autoptr(GError) cohort_error = NULL;

  G_APPLICATION_CLASS (heart_application_parent_class)->startup (app);

  apply_color_scheme (self);

  self->settings = heart_settings_new ();
  if (self->port != 0)
    heart_settings_set_port (self->settings, self->port);

  /* one person, of a fresh seed, when no command line was handled */
  if (self->specs == NULL)
    self->specs = heart_cohort_subjects_new (1, 0, fresh_seed (), NULL, NULL);
  /* the first subject's seed: the run's with no --subject-offset */
  self->simulator = heart_simulator_new (((HeartSubjectSpec *) g_ptr_array_index (self->specs, 0))->seed);
  if (self->speed != 0 && self->replay_path == NULL)
    heart_simulator_set_speed (self->simulator, self->speed, NULL);
  if (self->replay_path != NULL)
    {
      g_autoptr(GError) error = NULL;

      replay = open_replay (self, &error);
      if (replay == NULL)
        {
          g_printerr ("heartsim: %s\n", error->message);
          self->exit_status = 1;
          g_application_quit (app);
          return;
        }
      g_printerr ("heartsim: replaying %s: %s\n", self->replay_path, heart_replay_get_detected (replay));
    }
  /* everything downstream follows the switch, so that the window and
   * POST /source can change what is served (docs/architecture.md, Sources) */
  self->source = heart_source_switch_new (replay != NULL ? HEART_SOURCE (replay) : HEART_SOURCE (self->simulator));
  self->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (self->history, G_OBJECT (self->source));
  self->day_log = heart_day_log_new (NULL);
  heart_day_log_follow (self->day_log, G_OBJECT (self->source));
  /* before the settings are bound: the first subject's profile, then the
   * baseline the user chose, as before there were subjects */
  if (!make_cohort (self, &cohort_error))
    {
      g_printerr ("heartsim: %s\n", cohort_error->message);
      self->exit_status = 1;
      g_application_quit (app);
      return;
    }
  /* the streams in a thread of their own: broadcasts and the window's
   * frames never wait for each other (docs/architecture.md, Fan-out) */
  self->server = g_object_new (HEART_TYPE_SERVER,
                               "cohort", self->cohort,
                               "simulator", self->simulator,
                               "source", self->source,
                               "history", self->history,
                               "day-log", self->day_log,
                               "fanout-threads", 1,
                               NULL);

  self->recorder = heart_recorder_new (HEART_SOURCE (self->source));

  bind_simulator_to_settings (self);
  bind_server_to_settings (self);
  setup_actions (self);
  g_signal_connect_object (self->source, "notify::source", G_CALLBACK (on_source_changed), self, G_CONNECT_SWAPPED);
  on_source_changed (self);
  add_signal_handlers (self);

  /* --record: a file that cannot be recorded to is an error of the command
   * line's, said before any window opens (docs/recording.md) */
  if (self->record_path != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_object_set (self->recorder,
                    "path", self->record_path,
                    "format", self->record_format,
                    NULL);
      if (!heart_recorder_start (self->recorder, &error))
        {
          g_printerr ("heartsim: %s\n", error->message);
          self->exit_status = 1;
          g_application_quit (app);
          return;
        }
    }

  apply_server_settings (self);
  if (self->scenario != NULL)
    heart_simulator_run_scenario (self->simulator, self->scenario, FALSE);
  /* --replay plays at once, as --scenario runs */
  if (heart_settings_get_autostart (self->settings) || self->screenshot_path != NULL || self->scenario != NULL
      || replay != NULL)
    set_all_running (self, TRUE);
}

static void
heart_application_activate (GApplication *app)
{
  HeartApplication *self = HEART_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  /* --record could not start: quitting */
  if (self->exit_status != 0)
    return;
  if (window == NULL)
    {
      window = GTK_WINDOW (heart_window_new (GTK_APPLICATION (self), self->simulator, self->source,
                                             self->server, self->history, self->day_log,
                                             self->settings, self->recorder,
                                             self->cohort, G_LIST_MODEL (self->histories)));
      /* The window shows why the server is not listening; it knows the
       * application only as a GtkApplication (docs/architecture.md) */
      g_object_bind_property (self, "server-error", window, "server-error", G_BINDING_SYNC_CREATE);
      g_signal_connect_object (window, "notify::subject", G_CALLBACK (on_source_changed), self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (window);

  if (self->frame_stats && self->stats == NULL)
    self->stats = heart_frame_stats_new (GTK_WIDGET (window), 5);
  if (self->screenshot_path != NULL)
    start_screenshot (self);
}

static void
heart_application_shutdown (GApplication *app)
{
  HeartApplication *self = HEART_APPLICATION (app);

  remove_signal_handlers (self);
  g_clear_handle_id (&self->screenshot_id, g_source_remove);
  g_clear_object (&self->stats);
  /* Clients get a clean close (1001) rather than a dropped connection */
  if (self->server != NULL && heart_server_get_listening (self->server))
    {
      heart_server_stop (self->server);
      heart_server_wait_closed (self->server, HEART_SERVER_CLOSE_GRACE_MS);
    }
  if (self->source != NULL)
    set_all_running (self, FALSE);
  if (self->simulator != NULL)
    heart_simulator_stop (self->simulator);
  if (self->recorder != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!heart_recorder_stop (self->recorder, &error))
        g_printerr ("heartsim: recording stopped: %s\n", error->message);
    }

  G_APPLICATION_CLASS (heart_application_parent_class)->shutdown (app);
}

static void
heart_application_dispose (GObject *object)
{
  HeartApplication *self = HEART_APPLICATION (object);

  g_clear_handle_id (&self->screenshot_id, g_source_remove);
  g_clear_object (&self->stats);
  g_clear_object (&self->recorder);
  g_clear_object (&self->server);
  g_clear_object (&self->history);
  g_clear_object (&self->histories);
  g_clear_object (&self->cohort);
  g_clear_object (&self->day_log);
  g_clear_object (&self->source);
  g_clear_object (&self->simulator);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_application_parent_class)->dispose (object);
}

static void
heart_application_finalize (GObject *object)
{
  HeartApplication *self = HEART_APPLICATION (object);

  g_clear_error (&self->server_error);
  g_clear_pointer (&self->scenario, heart_scenario_unref);
  g_clear_pointer (&self->screenshot_path, g_free);
  g_clear_pointer (&self->record_path, g_free);
  g_clear_pointer (&self->replay_path, g_free);
  g_clear_pointer (&self->replay_columns, g_free);
  g_clear_pointer (&self->cohort_path, g_free);
  g_clear_pointer (&self->n_subjects, g_free);
  g_clear_pointer (&self->specs, g_ptr_array_unref);
  g_clear_pointer (&self->color_scheme, g_free);
  G_OBJECT_CLASS (heart_application_parent_class)->finalize (object);
}

static void
heart_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  HeartApplication *self = HEART_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SERVER_ERROR:
      g_value_set_boxed (value, self->server_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_application_class_init (HeartApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = heart_application_dispose;
  object_class->finalize = heart_application_finalize;
  object_class->get_property = heart_application_get_property;

  app_class->handle_local_options = heart_application_handle_local_options;
  app_class->startup = heart_application_startup;
  app_class->activate = heart_application_activate;
  app_class->shutdown = heart_application_shutdown;

  properties[PROP_SERVER_ERROR] =
    g_param_spec_boxed ("server-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_application_init (HeartApplication *self)
{
  GOptionEntry entries[G_N_ELEMENTS (option_entries)];

  /* GApplication parses into the GVariantDict (arg_data NULL) and copies the
   * entries; the translated strings live as long as the process. */
  memcpy (entries, option_entries, sizeof entries);
  for (guint i = 0; entries[i].long_name != NULL; i++)
    {
      if (entries[i].flags & G_OPTION_FLAG_HIDDEN)
        continue;
      entries[i].description = _(entries[i].description);
      if (entries[i].arg_description != NULL)
        entries[i].arg_description = _(entries[i].arg_description);
    }
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

HeartApplication *
heart_application_new (GApplicationFlags flags)
{
  return g_object_new (HEART_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", "/io/github/heartsim/Heartsim/ui",
                       NULL);
}

HeartSimulator *
heart_application_get_simulator (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->simulator;
}

HeartSourceSwitch *
heart_application_get_source (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->source;
}

HeartHistory *
heart_application_get_history (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->history;
}

HeartCohort *
heart_application_get_cohort (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->cohort;
}

GListModel *
heart_application_get_histories (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return G_LIST_MODEL (self->histories);
}

HeartServer *
heart_application_get_server (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->server;
}

HeartRecorder *
heart_application_get_recorder (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->recorder;
}

HeartSettings *
heart_application_get_settings (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->settings;
}

const GError *
heart_application_get_server_error (HeartApplication *self)
{
  g_return_val_if_fail (HEART_IS_APPLICATION (self), NULL);
  return self->server_error;
}

static gboolean
schema_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL;
}

int
heart_application_main (int    argc,
                        char **argv)
{
  g_autoptr(HeartApplication) app = NULL;
  int status;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* GSettings aborts on a missing schema; say what to do instead */
  if (!schema_installed ())
    {
      g_printerr (_("heartsim: the settings schema %s is not installed. Install Heartsim, "
                    "or run it from the build directory with GSETTINGS_SCHEMA_DIR set to its data folder.\n"),
                  APP_ID);
      return 1;
    }

  /* past RLIMIT_FSIZE a recording's write fails with EFBIG instead of
   * killing the app */
  signal (SIGXFSZ, SIG_IGN);
  g_set_application_name (_("Heartsim"));
  app = heart_application_new (G_APPLICATION_DEFAULT_FLAGS);
  status = g_application_run (G_APPLICATION (app), argc, argv);
  return status != 0 ? status : app->exit_status;
}
