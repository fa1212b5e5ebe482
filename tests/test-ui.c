/* test-ui.c: the desktop app under Xvfb: window, actions, sliders, chart,
 * traces, readouts, scenarios, replays, Bluetooth straps and sources, banner
 *
 * Each test starts a real HeartApplication (registered on the test's own
 * session bus, never run: the test drives the main context itself) with its
 * own free port, and waits on conditions with a deadline instead of sleeping.
 * The strap tests have BlueZ mocked on a private bus (test-bluez-util.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "heart-application.h"
#include "heart-chart-cursor.h"
#include "heart-export-dialog.h"
#include "heart-label.h"
#include "heart-preferences-window.h"
#include "heart-profile.h"
#include "heart-render.h"
#include "heart-replay.h"
#include "heart-sensor.h"
#include "heart-sparkline.h"
#include "heart-sweep-data.h"
#include "heart-window-private.h"
#include "test-bluez-util.h"

#define WAIT_SECONDS 10

typedef struct
{
  HeartApplication *app;
  HeartWindow      *window;
  HeartSimulator   *simulator;
  HeartSettings    *settings;
  HeartServer      *server;
  HeartHistory     *history;
  GSocket          *blocker;   /* keeps a port taken */
  guint             port;
  MockBluez         bluez;     /* with START_BLUEZ */
} Fixture;

typedef enum {
  START_NORMAL,
  START_PORT_TAKEN,
  START_SKIN_HIDDEN,    /* the skin conductance trace was hidden last time */
  START_BLUEZ,          /* BlueZ mocked on a private bus, with no adapter yet */
  START_SUBJECTS,       /* --subjects 3 */
  START_COHORT,         /* --cohort data/cohorts/example.json */
} StartMode;

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterate the main context until @condition holds; fail at the deadline */
#define wait_for(condition)                                                  \
  G_STMT_START {                                                             \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    guint wake_id_ = g_timeout_add (10, wake_up, NULL);                      \
    while (!(condition))                                                     \
      {                                                                      \
        if (g_get_monotonic_time () > deadline_)                             \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__, #condition); \
        g_main_context_iteration (NULL, TRUE);                               \
      }                                                                      \
    g_source_remove (wake_id_);                                              \
  } G_STMT_END

static void
iterate_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The seconds a clock text such as "0:07" or "1:02:03 / ?" starts with, or
 * -1 when it starts with none. A clock label ticks from the main loop, and a
 * busy loop may skip a tick, so tests wait for a time reached, never for one
 * exact text. */
static int
clock_seconds (const char *text)
{
  guint parts[3];
  int n_parts = 0;
  int seconds = 0;
  const char *p = text;

  while (n_parts < 3 && g_ascii_isdigit (*p))
    {
      char *end;

      parts[n_parts++] = (guint) g_ascii_strtoull (p, &end, 10);
      p = end;
      if (*p != ':')
        break;
      p++;
    }
  if (n_parts < 2 || (*p != '\0' && *p != ' '))
    return -1;
  for (int i = 0; i < n_parts; i++)
    seconds = seconds * 60 + (int) parts[i];
  return seconds;
}

static GSocket *
listen_on_free_port (guint *port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

static guint
free_port (void)
{
  guint port;
  g_autoptr(GSocket) socket = listen_on_free_port (&port);

  g_socket_close (socket, NULL);
  return port;
}

/* The memory backend lives as long as the process: start each test afresh */
static void
reset_settings (guint port)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);

  g_settings_set_value (settings, "port", g_variant_new_uint16 (port));
  g_settings_set_uint (settings, "interval-ms", 20);
  g_settings_set_boolean (settings, "random-events", FALSE);
  g_settings_set_boolean (settings, "autostart", FALSE);
  g_settings_set_int (settings, "window-width", 1180);
  g_settings_set_int (settings, "window-height", 720);
}

typedef void (*TestBody) (Fixture *f);

typedef struct
{
  TestBody  body;
  StartMode mode;
} TestCase;

typedef struct
{
  Fixture        *fixture;
  const TestCase *test_case;
} RunState;

/* Dialogs the test opened (preferences, about, shortcuts) */
static void
destroy_other_toplevels (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
    }
}

/* Runs inside g_application_run(), once the window is up */
static gboolean
run_body (gpointer user_data)
{
  RunState *state = user_data;
  Fixture *f = state->fixture;
  GList *windows;

  f->window = HEART_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_true (HEART_IS_WINDOW (f->window));
  f->simulator = heart_application_get_simulator (f->app);
  f->settings = heart_application_get_settings (f->app);
  f->server = heart_application_get_server (f->app);
  f->history = heart_application_get_history (f->app);
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (f->window)));

  state->test_case->body (f);

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (f->app))) != NULL)
    gtk_window_destroy (windows->data);
  destroy_other_toplevels ();
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
on_activate (GApplication *app,
             RunState     *state)
{
  g_idle_add (run_body, state);
}

/* A whole life of the app per test: startup, window, test, shutdown. The
 * app must be run, not just registered: libadwaita 1.2 releases its last
 * reference to the application only in "shutdown", and only run() unexports
 * it from the bus, which the next test's app needs. */
static void
run_test_case (gconstpointer data)
{
  const TestCase *test_case = data;
  Fixture fixture = { NULL };
  RunState state = { &fixture, test_case };
  Fixture *f = &fixture;
  int status;

  if (test_case->mode == START_PORT_TAKEN)
    f->blocker = listen_on_free_port (&f->port);
  else
    f->port = free_port ();
  /* BlueZ, on a bus of its own, for the strap tests */
  if (test_case->mode == START_BLUEZ)
    {
      mock_bluez_up (&f->bluez);
      mock_bluez_start (&f->bluez);
    }
  reset_settings (f->port);
  if (test_case->mode == START_SKIN_HIDDEN)
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);

      g_settings_set_boolean (settings, "chart-show-skin-conductance", FALSE);
    }

  f->app = heart_application_new (G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (f->app, "activate", G_CALLBACK (on_activate), &state);
  if (test_case->mode == START_SUBJECTS)
    {
      char *argv[] = { "heartsim", "--subjects", "3", "--seed", "7", NULL };

      status = g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, argv);
    }
  else if (test_case->mode == START_COHORT)
    {
      g_autofree char *path = g_build_filename (g_getenv ("HEARTSIM_SOURCE_DIR"), "data", "cohorts",
                                                "example.json", NULL);
      char *argv[] = { "heartsim", "--cohort", path, NULL };

      status = g_application_run (G_APPLICATION (f->app), G_N_ELEMENTS (argv) - 1, argv);
    }
  else
    status = g_application_run (G_APPLICATION (f->app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
  /* GDBus drops its hold on the exported actions from an idle */
  iterate_pending ();

  /* Nothing outlives the app: no timers or handlers of this test linger */
  g_object_add_weak_pointer (G_OBJECT (f->app), (gpointer *) &f->app);
  g_object_add_weak_pointer (G_OBJECT (f->settings), (gpointer *) &f->settings);
  g_object_add_weak_pointer (G_OBJECT (f->simulator), (gpointer *) &f->simulator);
  g_object_add_weak_pointer (G_OBJECT (f->server), (gpointer *) &f->server);
  g_object_unref (f->app);
  g_assert_null (f->app);
  g_assert_null (f->server);
  g_assert_null (f->simulator);
  g_assert_null (f->settings);

  if (f->blocker != NULL)
    g_socket_close (f->blocker, NULL);
  g_clear_object (&f->blocker);
  if (test_case->mode == START_BLUEZ)
    mock_bluez_down (&f->bluez);
}

static void
activate (Fixture    *f,
          const char *name,
          GVariant   *parameter)
{
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (f->app), name));
  g_action_group_activate_action (G_ACTION_GROUP (f->app), name, parameter);
}

static gboolean
window_of_type_shown (Fixture *f,
                      GType    type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (window))
        return TRUE;
    }
  return FALSE;
}

/* Closes the shown windows of @type as a user would, and waits until they
 * are gone: a file chooser left open at the end of a test may still be
 * reading folders in the background when the next test's app starts */
static void
close_windows_of_type (Fixture *f,
                       GType    type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        gtk_window_close (GTK_WINDOW (window));
    }
  wait_for (!window_of_type_shown (f, type));
}

/* ---------------------------------------------------------------- window */

static GtkWidget *activity_button (Fixture    *f,
                                   const char *activity);
static void       assert_accessible_label (GtkWidget  *widget,
                                           const char *label);

/* A screen reader has a name to say for the widget: its own label, or the
 * label it is labelled by */
static gboolean
has_accessible_name (GtkWidget *widget)
{
  return gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL)
         || gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* The focus stops Tab visits from launch until it is back at the first */
static GPtrArray *
walk_focus_chain (GtkWindow *window)
{
  GPtrArray *chain = g_ptr_array_new ();

  gtk_window_set_focus (window, NULL);
  for (guint i = 0; i < 200; i++)
    {
      GtkWidget *focus;

      gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      focus = gtk_window_get_focus (window);
      g_assert_nonnull (focus);
      if (chain->len > 0 && focus == g_ptr_array_index (chain, 0))
        return chain;
      /* Tab never stays on one widget */
      g_assert_true (chain->len == 0 || focus != g_ptr_array_index (chain, chain->len - 1));
      g_ptr_array_add (chain, focus);
    }
  g_error ("Tab did not come back to the first control in 200 presses");
}

static gboolean
chain_reaches (GPtrArray *chain,
               GtkWidget *widget)
{
  for (guint i = 0; i < chain->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (chain, i);

      if (stop == widget || gtk_widget_is_ancestor (stop, widget))
        return TRUE;
    }
  return FALSE;
}

/* From launch, Tab goes round every control of the window — the header
 * bar, the chart's buttons, every group of the side panel — and comes back;
 * each stop has a name a screen reader can say */
static void
test_focus_chain (Fixture *f)
{
  g_autoptr(GPtrArray) chain = NULL;
  HeartControls *controls = heart_window_get_controls (f->window);
  HeartChartCard *card = heart_window_get_chart_card (f->window);
  GtkWidget *stress_scale = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (controls), HEART_TYPE_CONTROLS,
                                                                       "stress_scale"));
  GtkWidget *traces = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), HEART_TYPE_CHART_CARD,
                                                                 "traces_button"));

  wait_for (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  chain = walk_focus_chain (GTK_WINDOW (f->window));
  g_assert_cmpuint (chain->len, >=, 30);
  /* the header bar first: Start, then Record */
  g_assert_true (g_ptr_array_index (chain, 1) == (gpointer) heart_window_get_record_button (f->window));
  g_assert_true (chain_reaches (chain, traces));
  g_assert_true (chain_reaches (chain, stress_scale));
  g_assert_true (chain_reaches (chain, activity_button (f, "running")));
  g_assert_true (chain_reaches (chain, GTK_WIDGET (heart_window_get_server_panel (f->window))));
  g_assert_true (chain_reaches (chain, GTK_WIDGET (heart_window_get_chart (f->window))));
  for (guint i = 0; i < chain->len; i++)
    {
      GtkWidget *stop = g_ptr_array_index (chain, i);

      if (!has_accessible_name (stop))
        g_error ("focus stop %u, a %s in a %s, has no accessible name", i, G_OBJECT_TYPE_NAME (stop),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (stop)));
    }
}

static void
test_window_builds (Fixture *f)
{
  g_autofree char *expected_url = g_strdup_printf ("http://127.0.0.1:%u/", f->port);
  g_auto(GStrv) urls = NULL;

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window)));
  g_assert_nonnull (heart_window_get_chart (f->window));
  g_assert_nonnull (heart_window_get_heart_pulse (f->window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Heartsim");

  /* Serving by default, on the configured port, and the window says where */
  g_assert_true (heart_server_get_listening (f->server));
  g_assert_cmpuint (heart_server_get_port (f->server), ==, f->port);
  g_assert_false (heart_window_get_banner_revealed (f->window));
  urls = heart_window_dup_shown_urls (f->window);
  g_assert_true (g_strv_contains ((const char * const *) urls, expected_url));

  /* Not started (autostart off): no number to show yet */
  g_assert_false (heart_simulator_get_running (f->simulator));
  g_assert_cmpstr (heart_window_get_bpm_text (f->window), ==, "–");
}

static void
test_window_size_saved (Fixture *f)
{
  int width, height;
  gboolean maximized;

  gtk_window_set_default_size (GTK_WINDOW (f->window), 880, 640);
  gtk_window_close (GTK_WINDOW (f->window));
  iterate_pending ();

  heart_settings_get_window_state (f->settings, &width, &height, &maximized);
  g_assert_cmpint (width, ==, 880);
  g_assert_cmpint (height, ==, 640);
  g_assert_false (maximized);
}

/* ---------------------------------------------------------------- actions */

static void
test_action_running (Fixture *f)
{
  g_assert_false (heart_simulator_get_running (f->simulator));

  activate (f, "running", NULL);
  g_assert_true (heart_simulator_get_running (f->simulator));
  /* Samples flow into the history and the readout */
  wait_for (heart_history_get_length (f->history) >= 3);
  wait_for (g_ascii_isdigit (heart_window_get_bpm_text (f->window)[0]));

  activate (f, "running", NULL);
  g_assert_false (heart_simulator_get_running (f->simulator));

  /* The action follows the simulator when something else starts it */
  heart_simulator_start (f->simulator);
  g_assert_true (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (f->app), "running")));
  heart_simulator_stop (f->simulator);
}

static void
test_action_stress_event (Fixture *f)
{
  double stress;

  g_object_set (f->settings, "stress-event-level", 0.6, NULL);
  g_assert_false (heart_simulator_get_event_active (f->simulator));

  /* pressed while the simulation stands: kept for when it runs, and said so */
  g_assert_false (heart_simulator_get_running (f->simulator));
  activate (f, "stress-event", NULL);
  g_assert_true (heart_simulator_get_event_active (f->simulator));
  g_assert_cmpstr (heart_window_get_last_toast_title (f->window), ==,
                   "The simulation is stopped: the stress event begins when it runs");

  /* The event goes to the chosen level: 20 s in, well up but not past it */
  for (guint i = 0; i < 40; i++)
    heart_simulator_advance (f->simulator, 0.5);
  stress = heart_simulator_get_current_stress (f->simulator);
  g_assert_cmpfloat (stress, >, 0.25);
  g_assert_cmpfloat (stress, <=, 0.6 + 1e-9);

  /* while it holds, the header bar's button ends it, saying its level and
   * how long it would still hold (60 s from its start, 20 s gone) */
  {
    GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), HEART_TYPE_WINDOW,
                                                                   "event_button"));

    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.end-stress-event");
    g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "End the stress event at 60 %: it holds 40 s more");
    assert_accessible_label (button, "End Event");
    activate (f, "end-stress-event", NULL);
    g_assert_false (heart_simulator_get_event_active (f->simulator));
    heart_simulator_advance (f->simulator, 0.5);
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.stress-event");
    assert_accessible_label (button, "Stress Event");
  }
}

static void
test_action_baseline_presets (Fixture *f)
{
  static const guint presets[] = { 55, 72, 85 };

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      guint saved;

      activate (f, "baseline-bpm", g_variant_new_uint32 (presets[i]));
      g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, presets[i]);
      g_assert_cmpfloat (gtk_adjustment_get_value (heart_window_get_baseline_adjustment (f->window)),
                         ==, presets[i]);
      g_object_get (f->settings, "baseline-bpm", &saved, NULL);
      g_assert_cmpuint (saved, ==, presets[i]);
    }
}

static void
test_action_random_events (Fixture *f)
{
  g_object_set (f->settings, "random-events-per-hour", 300.0, NULL);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 0);

  activate (f, "random-events", NULL);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 300);

  activate (f, "random-events", NULL);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 0);

  /* as POST /simulation/random-events does it: the switch and the rate follow */
  g_assert_true (heart_simulator_set_random_events_per_hour (f->simulator, 90, NULL));
  g_assert_true (heart_settings_get_random_events (f->settings));
  g_assert_cmpfloat (heart_settings_get_random_events_per_hour (f->settings), ==, 90);
  g_assert_true (heart_simulator_set_random_events_per_hour (f->simulator, 0, NULL));
  g_assert_false (heart_settings_get_random_events (f->settings));
  g_assert_cmpfloat (heart_settings_get_random_events_per_hour (f->settings), ==, 90);
  g_assert_cmpfloat (heart_simulator_get_random_events_per_hour (f->simulator), ==, 0);
}

static void
test_action_serve (Fixture *f)
{
  g_auto(GStrv) urls_off = NULL;
  g_auto(GStrv) urls_on = NULL;

  g_assert_true (heart_server_get_listening (f->server));

  activate (f, "serve", NULL);
  g_assert_false (heart_server_get_listening (f->server));
  urls_off = heart_window_dup_shown_urls (f->window);
  g_assert_cmpuint (g_strv_length (urls_off), ==, 0);

  activate (f, "serve", NULL);
  g_assert_true (heart_server_get_listening (f->server));
  g_assert_cmpuint (heart_server_get_port (f->server), ==, f->port);
  urls_on = heart_window_dup_shown_urls (f->window);
  g_assert_cmpuint (g_strv_length (urls_on), ==, 1);
}

static void
test_action_chart_window (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);

  g_assert_cmpuint (heart_chart_get_window_seconds (chart), ==, 60);
  activate (f, "chart-window", g_variant_new_uint32 (300));
  g_assert_cmpuint (heart_chart_get_window_seconds (chart), ==, 300);
  activate (f, "chart-window", g_variant_new_uint32 (30));
  g_assert_cmpuint (heart_chart_get_window_seconds (chart), ==, 30);
  activate (f, "chart-window", g_variant_new_uint32 (86400));
  g_assert_cmpuint (heart_chart_get_window_seconds (chart), ==, 86400);
  g_assert_true (heart_chart_data_get_long_span (heart_chart_get_data (chart)));
  activate (f, "chart-window", g_variant_new_uint32 (60));
}

static void
test_action_windows (Fixture *f)
{
  activate (f, "preferences", NULL);
  wait_for (window_of_type_shown (f, HEART_TYPE_PREFERENCES_WINDOW));

  activate (f, "about", NULL);
  wait_for (window_of_type_shown (f, ADW_TYPE_ABOUT_WINDOW));
  /* its icon is found with nothing installed: the app's resources carry it */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (f->window))),
                                          APP_ID));

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-help-overlay", NULL);
  wait_for (window_of_type_shown (f, GTK_TYPE_SHORTCUTS_WINDOW));
}

static void
test_accelerators (Fixture *f)
{
  static const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "app.stress-event", "<Control>e" },
    { "app.preferences", "<Control>comma" },
    { "app.quit", "<Control>q" },
    { "win.show-help-overlay", "<Control>question" },
    { "win.run-scenario", "<Control>r" },
    { "win.stop-scenario", "<Control><Shift>r" },
    { "win.open-scenario", "<Control>o" },
    { "win.export", "<Control><Shift>e" },
    { "win.record", "<Control><Shift>s" },
    { "win.open-replay", "<Control><Shift>o" },
    { "win.use-simulation", "<Control><Shift>m" },
    { "win.choose-sensor", "<Control><Shift>b" },
    { "win.activity('rest')", "<Alt>1" },
    { "win.activity('sitting')", "<Alt>2" },
    { "win.activity('walking')", "<Alt>3" },
    { "win.activity('running')", "<Alt>4" },
    { "win.activity('cycling')", "<Alt>5" },
    { "win.activity('sleep')", "<Alt>6" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app),
                                                                    expected[i].action);
      guint wanted_key, key;
      GdkModifierType wanted_mods, mods;
      gboolean found = FALSE;

      /* Compared as keys, not text: GTK writes modifiers in an order of its own */
      g_assert_true (gtk_accelerator_parse (expected[i].accel, &wanted_key, &wanted_mods));
      for (guint j = 0; accels[j] != NULL; j++)
        found |= gtk_accelerator_parse (accels[j], &key, &mods) && key == wanted_key && mods == wanted_mods;
      if (!found)
        g_error ("%s has no accelerator %s", expected[i].action, expected[i].accel);
    }
}

/* Space is a shortcut of the window (bubble phase), not an accelerator */
static void
test_space_starts_and_stops (Fixture *f)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->window));
  GtkShortcutAction *action = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && action == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == GDK_KEY_space
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == 0)
            {
              action = gtk_shortcut_get_action (shortcut);
              g_assert_cmpint (gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)),
                               ==, GTK_PHASE_BUBBLE);
            }
        }
    }
  g_assert_nonnull (action);

  gtk_shortcut_action_activate (action, 0, GTK_WIDGET (f->window), NULL);
  g_assert_true (heart_simulator_get_running (f->simulator));
  gtk_shortcut_action_activate (action, 0, GTK_WIDGET (f->window), NULL);
  g_assert_false (heart_simulator_get_running (f->simulator));
}

/* ---------------------------------------------------------------- sliders */

static void
test_sliders (Fixture *f)
{
  GtkAdjustment *baseline = heart_window_get_baseline_adjustment (f->window);
  GtkAdjustment *stress = heart_window_get_stress_adjustment (f->window);
  GtkAdjustment *event_level = heart_window_get_event_level_adjustment (f->window);

  /* Slider → simulator */
  gtk_adjustment_set_value (baseline, 90.4);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 90);
  gtk_adjustment_set_value (stress, 0.35);
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_stress_level (f->simulator), 0.35, 1e-9);
  gtk_adjustment_set_value (event_level, 0.45);
  g_assert_cmpfloat_with_epsilon (heart_settings_get_stress_event_level (f->settings), 0.45, 1e-9);

  /* Simulator (say, a REST client) → slider */
  heart_simulator_set_baseline (f->simulator, 58, NULL);
  g_assert_cmpfloat (gtk_adjustment_get_value (baseline), ==, 58);
  heart_simulator_set_stress_level (f->simulator, 0.8, NULL);
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (stress), 0.8, 1e-9);

  /* a screen reader hears what the screen shows: units, not 0–1 */
  {
    HeartControls *controls = heart_window_get_controls (f->window);
    static const struct { const char *scale, *text; } expected[] = {
      { "baseline_scale", "58 bpm" }, { "stress_scale", "80 %" }, { "event_level_scale", "45 %" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        GtkWidget *scale = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (controls), HEART_TYPE_CONTROLS,
                                                                      expected[i].scale));
        g_autofree char *message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (scale),
                                                                       GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT,
                                                                       expected[i].text);

        if (message != NULL)
          g_error ("%s: %s", expected[i].scale, message);
      }
  }
}

/* ---------------------------------------------------------------- chart */

typedef struct
{
  GdkTexture *texture;
} Capture;

static void
on_captured (GtkWidget  *widget,
             GdkTexture *texture,
             gpointer    user_data)
{
  Capture *capture = user_data;

  capture->texture = g_object_ref (texture);
}

static GdkTexture *
capture_widget (GtkWidget *widget)
{
  Capture capture = { NULL };

  heart_render_widget_after_paint (widget, on_captured, &capture);
  wait_for (capture.texture != NULL);
  return capture.texture;
}

/* Pixels of the heart rate line's colour (red_3 on the light style) */
static guint
count_heart_rate_pixels (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  gsize stride = width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  guint count = 0;

  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* Cairo order: B G R A, premultiplied; the card is opaque */
        const guint8 *p = pixels + y * stride + x * 4;

        if (p[2] > 0xc0 && p[1] < 0x50 && p[0] < 0x60)
          count++;
      }
  return count;
}

/* Pixels within @area (widget coordinates) close to @rgb (0xRRGGBB); the
 * light style's trace colours: green_5 0x26a269, purple_3 0x9141ac */
static guint
count_pixels_near (GdkTexture            *texture,
                   GtkWidget             *widget,
                   const graphene_rect_t *area,
                   guint32                rgb)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  double scale = (double) width / gtk_widget_get_width (widget);
  gsize stride = width * 4;
  g_autofree guint8 *pixels = g_malloc (stride * height);
  int x0 = MAX (0, (int) floor (area->origin.x * scale));
  int y0 = MAX (0, (int) floor (area->origin.y * scale));
  int x1 = MIN (width, (int) ceil ((area->origin.x + area->size.width) * scale));
  int y1 = MIN (height, (int) ceil ((area->origin.y + area->size.height) * scale));
  guint count = 0;

  gdk_texture_download (texture, pixels, stride);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = pixels + y * stride + x * 4;

        if (ABS (p[2] - (int) (rgb >> 16 & 0xff)) < 40 && ABS (p[1] - (int) (rgb >> 8 & 0xff)) < 40
            && ABS (p[0] - (int) (rgb & 0xff)) < 40)
          count++;
      }
  return count;
}

#define BREATHING_RGB 0x26a269
#define SKIN_RGB      0x9141ac

static void
test_chart_renders (Fixture *f)
{
  GtkWidget *chart = GTK_WIDGET (heart_window_get_chart (f->window));
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_for (gtk_widget_get_width (chart) > 100 && gtk_widget_get_height (chart) > 100);

  before = capture_widget (chart);
  g_assert_cmpuint (count_heart_rate_pixels (before), ==, 0);

  /* A minute of samples at once: the simulator ticked by hand */
  for (guint i = 0; i < 130; i++)
    heart_simulator_advance (f->simulator, 0.5);
  g_assert_cmpuint (heart_chart_get_n_points (HEART_CHART (chart)), >=, 120);
  after = capture_widget (chart);
  g_assert_cmpint (gdk_texture_get_width (after), >=, gtk_widget_get_width (chart));
  /* A line of 2.5 px across a good part of the plot */
  g_assert_cmpuint (count_heart_rate_pixels (after), >, 100);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* Both traces draw under the heart rate, each in its strip and colour, from
 * the channel values at their own rates */
static void
test_traces_draw (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartChartData *data = heart_chart_get_data (chart);
  graphene_rect_t breathing, skin;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  wait_for (gtk_widget_get_height (GTK_WIDGET (chart)) > 200);
  g_assert_true (heart_chart_get_trace_area (chart, HEART_TRACE_BREATHING, &breathing));
  g_assert_true (heart_chart_get_trace_area (chart, HEART_TRACE_SKIN, &skin));
  g_assert_cmpfloat (breathing.size.height, >, 30);
  g_assert_cmpfloat (skin.origin.y, >=, breathing.origin.y + breathing.size.height);

  before = capture_widget (GTK_WIDGET (chart));
  g_assert_cmpuint (count_pixels_near (before, GTK_WIDGET (chart), &breathing, BREATHING_RGB), ==, 0);
  g_assert_cmpuint (count_pixels_near (before, GTK_WIDGET (chart), &skin, SKIN_RGB), ==, 0);

  for (guint i = 0; i < 130; i++)
    heart_simulator_advance (f->simulator, 0.5);
  /* 25 Hz and 4 Hz, not the 2 Hz of the samples */
  g_assert_cmpuint (heart_chart_data_get_n_trace_values (data, HEART_TRACE_BREATHING), >=, 25 * 60);
  g_assert_cmpuint (heart_chart_data_get_n_trace_values (data, HEART_TRACE_SKIN), >=, 4 * 60);

  after = capture_widget (GTK_WIDGET (chart));
  /* A line across the strip: most columns have a pixel of it */
  g_assert_cmpuint (count_pixels_near (after, GTK_WIDGET (chart), &breathing, BREATHING_RGB),
                    >, breathing.size.width * 0.8);
  g_assert_cmpuint (count_pixels_near (after, GTK_WIDGET (chart), &skin, SKIN_RGB),
                    >, skin.size.width * 0.8);
  /* and no trace strays into the other's strip */
  g_assert_cmpuint (count_pixels_near (after, GTK_WIDGET (chart), &breathing, SKIN_RGB), <, 10);
  g_assert_cmpuint (count_pixels_near (after, GTK_WIDGET (chart), &skin, BREATHING_RGB), <, 10);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static void
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  g_assert_true (handled);
}

/* What the chart's description says of the sample at @t, with the traces
 * the chart shows */
static void
assert_chart_describes (HeartChart *chart,
                        double      t)
{
  HeartChartReading reading;
  gboolean shown[HEART_N_TRACES];
  g_autofree char *sentence = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; i < HEART_N_TRACES; i++)
    shown[i] = heart_chart_get_show_trace (chart, i);
  g_assert_true (heart_chart_data_get_reading (heart_chart_get_data (chart), t, &reading));
  g_assert_cmpfloat (reading.t, ==, t);
  sentence = heart_chart_reading_sentence (&reading, shown);
  message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, sentence);
  if (message != NULL)
    g_error ("chart description: %s", message);
}

/* The crosshair from the keyboard: End, Left, Home and Escape walk it over
 * the samples, and the chart's description reads out each one — the
 * history's own heart rate, RR interval and stress */
static void
test_chart_crosshair_keys (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartHistory *history = f->history;
  guint length;
  const HeartSample *newest, *before;
  HeartChartReading reading;

  for (guint i = 0; i < 130; i++)
    heart_simulator_advance (f->simulator, 0.5);
  length = heart_history_get_length (history);
  newest = heart_history_peek (history, length - 1);
  before = heart_history_peek (history, length - 2);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (chart)));

  press_key (GTK_WIDGET (chart), GDK_KEY_End);
  assert_chart_describes (chart, newest->t_s);
  g_assert_true (heart_chart_data_get_reading (heart_chart_get_data (chart), newest->t_s, &reading));
  g_assert_cmpfloat (reading.bpm, ==, newest->bpm);
  g_assert_cmpfloat (reading.rr_ms, ==, newest->rr_ms);
  g_assert_cmpfloat (reading.stress, ==, newest->stress_level);
  g_assert_cmpfloat (reading.age_s, ==, 0);

  press_key (GTK_WIDGET (chart), GDK_KEY_Left);
  assert_chart_describes (chart, before->t_s);
  g_assert_true (heart_chart_data_get_reading (heart_chart_get_data (chart), before->t_s, &reading));
  g_assert_cmpfloat (reading.age_s, ==, newest->t_s - before->t_s);

  /* the oldest sample the span shows: 60 s before the newest */
  press_key (GTK_WIDGET (chart), GDK_KEY_Home);
  g_assert_true (heart_chart_data_get_reading (heart_chart_get_data (chart), 0, &reading));
  press_key (GTK_WIDGET (chart), GDK_KEY_Escape);
  assert_chart_describes (chart, newest->t_s);

  /* an acute event's shade knows its level, and the crosshair says it */
  {
    const HeartChartSpan *spans;
    guint n_spans;
    gboolean shown[HEART_N_TRACES] = { FALSE, FALSE };
    g_autofree char *sentence = NULL;

    heart_simulator_set_random_events_per_hour (f->simulator, 0, NULL);
    heart_simulator_trigger_stress (f->simulator, 0.8, NULL);
    for (guint i = 0; i < 20; i++)
      heart_simulator_advance (f->simulator, 0.5);
    spans = heart_chart_data_get_event_spans (heart_chart_get_data (chart), &n_spans);
    g_assert_cmpuint (n_spans, >=, 1);
    g_assert_cmpfloat (spans[n_spans - 1].level, ==, 0.8);
    g_assert_true (heart_chart_data_get_reading (heart_chart_get_data (chart),
                                                 heart_history_get_latest (history)->t_s, &reading));
    g_assert_cmpfloat (reading.event_level, ==, 0.8);
    sentence = heart_chart_reading_sentence (&reading, shown);
    g_assert_nonnull (strstr (sentence, "Stress event at 80 %"));
  }
}

/* Page Up scrolls back through the history by half a span, the span stays
 * there while samples come, a Live button appears, and Escape (or Live)
 * follows the samples again; no further back than the history goes */
static void
test_chart_scroll_back (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartChartData *data = heart_chart_get_data (chart);
  GtkWidget *live = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (heart_window_get_chart_card (f->window)),
                                                               HEART_TYPE_CHART_CARD, "live_button"));
  guint n_points;
  const HeartChartPoint *points;
  double newest, oldest;

  for (guint i = 0; i < 600; i++)
    heart_simulator_advance (f->simulator, 0.5);
  newest = heart_history_get_latest (f->history)->t_s;
  oldest = heart_history_peek (f->history, 0)->t_s;
  g_assert_false (gtk_widget_get_visible (live));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (chart)));

  for (guint i = 0; i < 4; i++)
    press_key (GTK_WIDGET (chart), GDK_KEY_Page_Up);
  g_assert_true (heart_chart_get_paused (chart));
  g_assert_true (gtk_widget_get_visible (live));
  g_assert_cmpfloat (heart_chart_data_get_view_end (data), ==, newest - 120);
  points = heart_chart_data_get_points (data, &n_points);
  g_assert_cmpuint (n_points, >=, 100);
  /* one point beyond each edge, no more */
  g_assert_cmpfloat (points[n_points - 2].t, <, newest - 120);
  g_assert_cmpfloat (points[n_points - 1].t, <=, newest - 119);
  g_assert_cmpfloat (points[1].t, >, newest - 180);

  /* samples come; the span stays where it was scrolled to */
  for (guint i = 0; i < 10; i++)
    heart_simulator_advance (f->simulator, 0.5);
  g_assert_cmpfloat (heart_chart_data_get_view_end (data), ==, newest - 120);

  /* as far back as the history goes, and no further */
  heart_chart_scroll_by (chart, -100000);
  g_assert_cmpfloat (heart_chart_data_get_view_end (data), ==, oldest + 60);

  press_key (GTK_WIDGET (chart), GDK_KEY_Escape);
  g_assert_false (heart_chart_get_paused (chart));
  g_assert_false (gtk_widget_get_visible (live));
  g_assert_cmpfloat (heart_chart_data_get_view_end (data), ==, heart_history_get_latest (f->history)->t_s);

  /* scrolling on past the newest sample follows the samples too */
  heart_chart_scroll_by (chart, -30);
  g_assert_true (heart_chart_get_paused (chart));
  heart_chart_scroll_by (chart, 60);
  g_assert_false (heart_chart_get_paused (chart));
}

/* At 360 × 500 (a phone) the window goes compact and everything fits:
 * GNOME's title bar (a close button alone) and GTK's own minimum sizes */
static void
test_window_narrow (Fixture *f)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *record = heart_window_get_record_button (f->window);
  int min_width, min_height, natural;
  g_autofree char *layout = NULL;

  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  g_assert_false (gtk_widget_has_css_class (window, "narrow"));
  g_assert_true (gtk_widget_get_visible (record));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 500);
  wait_for (gtk_widget_has_css_class (window, "narrow"));

  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &natural, NULL, NULL);
  gtk_widget_measure (window, GTK_ORIENTATION_VERTICAL, 360, &min_height, &natural, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (min_height, <=, 500);
  /* compact readouts, and Record in the main menu */
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (heart_window_get_readouts (f->window)), "compact"));
  g_assert_false (gtk_widget_get_visible (record));
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

/* A stop is marked where the samples stood still, with how long it lasted
 * once they go on; the time axis ends in "stopped", not "now", meanwhile */
static void
test_chart_marks_stops (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartChartData *data = heart_chart_get_data (chart);
  const HeartChartStop *stops;
  guint n_stops;
  double stopped_t;

  heart_source_set_running (HEART_SOURCE (heart_application_get_source (f->app)), TRUE);
  for (guint i = 0; i < 40; i++)
    heart_simulator_advance (f->simulator, 0.5);
  stopped_t = heart_history_get_latest (f->history)->t_s;
  g_action_group_change_action_state (G_ACTION_GROUP (f->app), "running", g_variant_new_boolean (FALSE));
  g_assert_false (heart_chart_get_live (chart));
  stops = heart_chart_data_get_stops (data, &n_stops);
  g_assert_cmpuint (n_stops, ==, 1);
  g_assert_cmpfloat (stops[0].t, ==, stopped_t);
  g_assert_cmpint (stops[0].resumed_us, ==, 0);

  g_action_group_change_action_state (G_ACTION_GROUP (f->app), "running", g_variant_new_boolean (TRUE));
  for (guint i = 0; i < 10; i++)
    heart_simulator_advance (f->simulator, 0.5);
  stops = heart_chart_data_get_stops (data, &n_stops);
  g_assert_cmpuint (n_stops, ==, 1);
  g_assert_cmpint (stops[0].resumed_us, >=, stops[0].stopped_us);
  /* the samples after it are later in simulation time, with no gap */
  g_assert_cmpfloat (heart_history_get_latest (f->history)->t_s, ==, stopped_t + 5);
}

static gboolean
saved_boolean (const char *key)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return g_settings_get_boolean (settings, key);
}

/* The chart card's menu hides a trace: its strip goes, the heart rate gets
 * the room, and the choice is saved */
static void
test_trace_hidden (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  graphene_rect_t breathing, skin, skin_before;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t whole;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  for (guint i = 0; i < 130; i++)
    heart_simulator_advance (f->simulator, 0.5);
  wait_for (gtk_widget_get_height (GTK_WIDGET (chart)) > 200);
  g_assert_true (saved_boolean ("chart-show-breathing"));
  heart_chart_get_trace_area (chart, HEART_TRACE_SKIN, &skin_before);

  /* The card's menu offers both, as the actions used below */
  {
    GtkMenuButton *button = GTK_MENU_BUTTON (gtk_widget_get_template_child (
                                               GTK_WIDGET (heart_window_get_chart_card (f->window)),
                                               HEART_TYPE_CHART_CARD, "traces_button"));
    GMenuModel *section = g_menu_model_get_item_link (gtk_menu_button_get_menu_model (button), 0,
                                                      G_MENU_LINK_SECTION);
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    g_assert_cmpint (g_menu_model_get_n_items (section), ==, 2);
    g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s", &first);
    g_menu_model_get_item_attribute (section, 1, G_MENU_ATTRIBUTE_ACTION, "s", &second);
    g_assert_cmpstr (first, ==, "app.show-breathing");
    g_assert_cmpstr (second, ==, "app.show-skin-conductance");
    g_object_unref (section);
  }

  activate (f, "show-breathing", NULL);
  g_assert_false (heart_chart_get_show_trace (chart, HEART_TRACE_BREATHING));
  g_assert_false (saved_boolean ("chart-show-breathing"));
  g_assert_true (saved_boolean ("chart-show-skin-conductance"));
  g_assert_false (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (f->app),
                                                                          "show-breathing")));

  /* Not drawn anywhere in the chart, and the other strip moved up */
  iterate_pending ();
  texture = capture_widget (GTK_WIDGET (chart));
  g_assert_false (heart_chart_get_trace_area (chart, HEART_TRACE_BREATHING, &breathing));
  g_assert_true (heart_chart_get_trace_area (chart, HEART_TRACE_SKIN, &skin));
  g_assert_cmpfloat (skin.origin.y, <, skin_before.origin.y);
  graphene_rect_init (&whole, 0, 0, gtk_widget_get_width (GTK_WIDGET (chart)),
                      gtk_widget_get_height (GTK_WIDGET (chart)));
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (chart), &whole, BREATHING_RGB), <, 10);
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (chart), &skin, SKIN_RGB), >, 100);

  /* Both hidden: the heart rate alone; and back */
  activate (f, "show-skin-conductance", NULL);
  g_assert_false (saved_boolean ("chart-show-skin-conductance"));
  g_assert_false (heart_chart_get_trace_area (chart, HEART_TRACE_SKIN, &skin));
  activate (f, "show-breathing", NULL);
  g_assert_true (saved_boolean ("chart-show-breathing"));
  g_assert_true (heart_chart_get_show_trace (chart, HEART_TRACE_BREATHING));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* The saved choice is what a new window starts with */
static void
test_trace_hidden_at_start (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);

  g_assert_false (heart_chart_get_show_trace (chart, HEART_TRACE_SKIN));
  g_assert_true (heart_chart_get_show_trace (chart, HEART_TRACE_BREATHING));
}

/* ---------------------------------------------------------------- readouts */

static void
test_readouts_show_sample (Fixture *f)
{
  HeartReadouts *readouts = heart_window_get_readouts (f->window);
  const HeartSample *sample;
  char text[64];

  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_RESPIRATORY_RATE), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_EDA), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SPO2), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SKIN_TEMPERATURE), ==, "–");

  for (guint i = 0; i < 20; i++)
    heart_simulator_advance (f->simulator, 0.5);
  sample = heart_simulator_get_current_sample (f->simulator);

  g_snprintf (text, sizeof text, "%d", sample->bpm);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_HEART_RATE), ==, text);
  g_snprintf (text, sizeof text, "%.0f", sample->rmssd_ms);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_HRV_RMSSD), ==, text);
  g_snprintf (text, sizeof text, "%d", (int) lround (sample->stress_level * 100));
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_STRESS_LEVEL), ==, text);
  g_snprintf (text, sizeof text, "%.0f", sample->channels[HEART_CHANNEL_RESPIRATORY_RATE]);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_RESPIRATORY_RATE), ==, text);
  g_snprintf (text, sizeof text, "%.1f", sample->channels[HEART_CHANNEL_EDA]);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_EDA), ==, text);
  /* SpO2 whole, the skin temperature to a tenth, with their units */
  g_snprintf (text, sizeof text, "%.0f %%", sample->channels[HEART_CHANNEL_SPO2]);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SPO2), ==, text);
  g_snprintf (text, sizeof text, "%.1f °C", sample->channels[HEART_CHANNEL_SKIN_TEMPERATURE]);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SKIN_TEMPERATURE), ==, text);
  g_assert_cmpfloat (sample->channels[HEART_CHANNEL_SPO2], >=, 90);

  /* A resting person: 6–30 breaths a minute, a few µS */
  g_assert_cmpfloat (sample->channels[HEART_CHANNEL_RESPIRATORY_RATE], >=, 6);
  g_assert_cmpfloat (sample->channels[HEART_CHANNEL_RESPIRATORY_RATE], <=, 30);
  g_assert_cmpfloat (sample->channels[HEART_CHANNEL_EDA], >, 0);

  /* RMSSD from under 30 s of beats says so, until it has them */
  g_assert_cmpstr (heart_readouts_get_variability_caption (readouts), ==, "Warming up: 10 s of 30");
  for (guint i = 0; i < 42; i++)
    heart_simulator_advance (f->simulator, 0.5);
  sample = heart_simulator_get_current_sample (f->simulator);
  g_snprintf (text, sizeof text, "RMSSD · index %.2f", sample->variability);
  g_assert_cmpstr (heart_readouts_get_variability_caption (readouts), ==, text);
}

/* ---------------------------------------------------------------- scenarios */

static void
advance_seconds (Fixture *f,
                 double   seconds)
{
  for (double t = 0; t < seconds; t += 0.5)
    heart_simulator_advance (f->simulator, 0.5);
}

/* The bundled demo: the header bar names the phase, the chart marks where
 * phases begin and names them, the side panel counts the time */
static void
test_scenario_demo (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartControls *controls = heart_window_get_controls (f->window);
  GtkWidget *stop_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (controls), HEART_TYPE_CONTROLS,
                                                                      "stop_scenario_button"));
  g_autoptr(GdkTexture) texture = NULL;
  const HeartChartPhase *phases;
  guint n_phases, n_marks, n_names;

  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Stopped");
  /* Nothing to stop: the button is off */
  g_assert_false (gtk_widget_get_sensitive (stop_button));
  g_assert_cmpstr (heart_controls_get_progress_text (controls), ==, "Not running");

  /* The demo is the one picked at first; running it starts the simulation */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-scenario", NULL));
  g_assert_nonnull (heart_simulator_get_scenario (f->simulator));
  g_assert_cmpstr (heart_scenario_get_name (heart_simulator_get_scenario (f->simulator)), ==, "demo");
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Demo · Baseline");
  g_assert_true (gtk_widget_get_sensitive (stop_button));

  /* The baseline lasts a minute, then the stress task */
  advance_seconds (f, 75);
  g_assert_cmpstr (heart_simulator_get_condition (f->simulator), ==, "stress");
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Demo · Stress");
  g_assert_nonnull (strstr (heart_controls_get_progress_text (controls), "Stress · phase 2 of 4"));

  phases = heart_chart_data_get_phases (heart_chart_get_data (chart), &n_phases);
  g_assert_cmpuint (n_phases, ==, 2);
  g_assert_cmpstr (phases[0].name, ==, "baseline");
  g_assert_cmpstr (phases[1].name, ==, "stress");
  g_assert_false (phases[1].started_earlier);

  texture = capture_widget (GTK_WIDGET (chart));
  heart_chart_get_drawn_phases (chart, &n_marks, &n_names);
  g_assert_cmpuint (n_marks, >=, 1);   /* where the stress task began */
  g_assert_cmpuint (n_names, ==, 2);   /* Baseline, Stress */

  /* Stopped: the header bar says so and the phase stays named */
  heart_simulator_stop (f->simulator);
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Stopped · Demo · Stress");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.stop-scenario", NULL));
  g_assert_null (heart_simulator_get_scenario (f->simulator));
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Stopped");
  g_assert_cmpstr (heart_controls_get_progress_text (controls), ==, "Not running");
}

static GFile *
write_scenario_file (const char *name,
                     const char *contents)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* A file with a mistake: a dialog that names the line, the field and the
 * reason, and the simulation goes on as it was */
static void
test_scenario_bad_file (Fixture *f)
{
  HeartControls *controls = heart_window_get_controls (f->window);
  g_autoptr(GFile) file = write_scenario_file ("heartsim-test-bad.json",
                                               "{\n"
                                               "  \"name\": \"broken\",\n"
                                               "  \"phases\": [\n"
                                               "    { \"name\": \"rest\", \"duration\": \"1m\" },\n"
                                               "    { \"name\": \"task\", \"duration\": \"0s\" }\n"
                                               "  ]\n"
                                               "}\n");
  guint n_scenarios = heart_controls_get_n_scenarios (controls);
  g_autoptr(HeartScenario) picked = heart_controls_dup_scenario (controls, NULL);
  AdwMessageDialog *dialog;
  const char *body;

  /* A scenario under way, which the bad file must leave alone */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-scenario", NULL);
  advance_seconds (f, 5);
  heart_simulator_set_stress_level (f->simulator, 0.3, NULL);

  g_assert_false (heart_window_open_scenario_file (f->window, file));
  wait_for ((dialog = find_message_dialog ()) != NULL);
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "heartsim-test-bad.json:5: phases[1].duration: must be more than 0"));

  g_assert_cmpstr (heart_scenario_get_name (heart_simulator_get_scenario (f->simulator)), ==, "demo");
  g_assert_cmpstr (heart_simulator_get_condition (f->simulator), ==, "baseline");
  g_assert_cmpfloat_with_epsilon (heart_simulator_get_stress_level (f->simulator), 0.3, 1e-9);
  g_assert_cmpuint (heart_controls_get_n_scenarios (controls), ==, n_scenarios);
  {
    g_autoptr(HeartScenario) still = heart_controls_dup_scenario (controls, NULL);

    g_assert_true (still == picked);
  }

  /* Not JSON at all, and a file that is not there: errors too */
  gtk_window_destroy (GTK_WINDOW (dialog));
  {
    g_autoptr(GFile) garbage = write_scenario_file ("heartsim-test-garbage.json", "{ \"name\": ");
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/heartsim/scenario.json");

    g_assert_false (heart_window_open_scenario_file (f->window, garbage));
    wait_for ((dialog = find_message_dialog ()) != NULL);
    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "heartsim-test-garbage.json"));
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_false (heart_window_open_scenario_file (f->window, missing));
    wait_for ((dialog = find_message_dialog ()) != NULL);
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_file_delete (garbage, NULL, NULL);
  }
  g_assert_cmpuint (heart_controls_get_n_scenarios (controls), ==, n_scenarios);
  g_file_delete (file, NULL, NULL);
}

/* A good file is listed, picked and runs */
static void
test_scenario_file (Fixture *f)
{
  HeartControls *controls = heart_window_get_controls (f->window);
  g_autoptr(GFile) file = write_scenario_file ("heartsim-test-good.json",
                                               "{ \"name\": \"my-test\", \"description\": \"Two phases\",\n"
                                               "  \"phases\": [ { \"name\": \"calm\", \"duration\": \"20s\" },\n"
                                               "               { \"name\": \"tense\", \"duration\": \"20s\", \"stress\": 0.8 } ] }\n");
  guint n_scenarios = heart_controls_get_n_scenarios (controls);

  g_assert_true (heart_window_open_scenario_file (f->window, file));
  g_assert_cmpuint (heart_controls_get_n_scenarios (controls), ==, n_scenarios + 1);
  /* Opened again: still one entry */
  g_assert_true (heart_window_open_scenario_file (f->window, file));
  g_assert_cmpuint (heart_controls_get_n_scenarios (controls), ==, n_scenarios + 1);
  g_assert_null (find_message_dialog ());

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.run-scenario", NULL);
  g_assert_cmpstr (heart_scenario_get_name (heart_simulator_get_scenario (f->simulator)), ==, "my-test");
  advance_seconds (f, 25);
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "My test · Tense");
  /* Past its end the scenario is over, and the header bar says running */
  advance_seconds (f, 20);
  g_assert_null (heart_simulator_get_scenario (f->simulator));
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Running");
  g_file_delete (file, NULL, NULL);
}

static void
test_clock_format (Fixture *f)
{
  static const struct { double seconds; const char *text; } cases[] = {
    { 0, "0:00" }, { 59.9, "0:59" }, { 65, "1:05" }, { 3599, "59:59" }, { 3723, "1:02:03" }, { -4, "0:00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = heart_format_clock (cases[i].seconds);

      g_assert_cmpstr (text, ==, cases[i].text);
      /* and the tests' reading of a clock agrees */
      g_assert_cmpint (clock_seconds (text), ==, MAX ((int) cases[i].seconds, 0));
    }
  g_assert_cmpint (clock_seconds ("Re_cord"), ==, -1);
  g_assert_cmpint (clock_seconds ("0:01 / ?"), ==, 1);
}

static void
test_heart_pulses (Fixture *f)
{
  HeartPulse *pulse = heart_window_get_heart_pulse (f->window);

  g_assert_cmpuint (heart_pulse_get_n_beats (pulse), ==, 0);
  activate (f, "running", NULL);
  /* ~1.2 beats a second at 72 bpm */
  wait_for (heart_pulse_get_n_beats (pulse) >= 2);
}

/* ---------------------------------------------------------------- recording */

static guint
count_lines (const char *path)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  for (const char *c = contents; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* The Record toggle: win.record with its accessible name, the time shown
 * while recording, off again when the user stops or the disk is full */
static void
test_record (Fixture *f)
{
  HeartRecorder *recorder = heart_application_get_recorder (f->app);
  GtkWidget *button = heart_window_get_record_button (f->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-ui-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "session.jsonl", NULL);
  g_autofree char *missing = g_build_filename (folder, "missing", "session.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *message = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) unwritable = g_file_new_for_path (missing);
  g_autoptr(GFile) full = g_file_new_for_path ("/dev/full");

  g_assert_no_error (error);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.record");
  message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, "Record");
  g_assert_null (message);
  g_assert_false (heart_recorder_get_recording (recorder));
  g_assert_cmpstr (heart_window_get_record_text (f->window), ==, "Re_cord");

  activate (f, "running", NULL);
  g_assert_true (heart_window_start_recording (f->window, file));
  g_assert_true (heart_recorder_get_recording (recorder));
  wait_for (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  wait_for (clock_seconds (heart_window_get_record_text (f->window)) >= 1);
  wait_for (count_lines (path) >= 5);

  /* the toggle stops it: the file holds whole lines of samples and beats */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.record", NULL));
  g_assert_false (heart_recorder_get_recording (recorder));
  wait_for (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_cmpstr (heart_window_get_record_text (f->window), ==, "Re_cord");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i + 1] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);

      g_assert_no_error (error);
    }

  /* a folder that is not there: refused, the toggle stays off */
  g_assert_false (heart_window_start_recording (f->window, unwritable));
  g_assert_false (heart_recorder_get_recording (recorder));

  /* a full disk stops the recording, not the simulation */
  g_assert_true (heart_window_start_recording (f->window, full));
  wait_for (!heart_recorder_get_recording (recorder));
  g_assert_error (heart_recorder_get_error (recorder), G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  wait_for (!gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_true (heart_simulator_get_running (f->simulator));

  g_unlink (path);
  g_rmdir (folder);
}

/* ---------------------------------------------------------------- source */

/* A heart-rate CSV of another tool's, at a rate no simulation at rest
 * reaches, so the readouts can only show it from the file */
static char *
write_replay_file (const char *name,
                   guint       bpm,
                   guint       seconds)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autoptr(GString) csv = g_string_new ("time,bpm\n");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= seconds * 2; i++)
    g_string_append_printf (csv, "%.1f,%u\n", i / 2.0, bpm);
  g_file_set_contents (path, csv->str, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static GtkWidget *
source_panel_child (Fixture    *f,
                    const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (heart_window_get_source_panel (f->window)),
                                                    HEART_TYPE_SOURCE_PANEL, name));
}

static void
assert_accessible_label (GtkWidget  *widget,
                         const char *label)
{
  g_autofree char *message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL, label);

  if (message != NULL)
    g_error ("%s: %s", G_OBJECT_TYPE_NAME (widget), message);
}

static gboolean
simulating (Fixture *f)
{
  HeartControls *controls = heart_window_get_controls (f->window);
  gboolean sensitive = heart_controls_get_simulating (controls);
  GtkWidget *group = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (controls), HEART_TYPE_CONTROLS,
                                                                "simulation_group"));

  /* the controls, the stress event and the scenario actions agree */
  g_assert_cmpint (sensitive, ==, g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "stress-event"));
  g_assert_cmpint (sensitive, ==, gtk_widget_is_sensitive (group));
  g_assert_cmpint (sensitive, ==, gtk_widget_get_tooltip_text (group) == NULL);
  g_assert_cmpint (sensitive, !=, gtk_widget_is_sensitive (source_panel_child (f, "simulation_button")));
  return sensitive;
}

/* The Source group's buttons are actions with accessible names, listed in
 * the shortcuts window */
static void
test_source_controls (Fixture *f)
{
  GtkWidget *open = source_panel_child (f, "open_button");
  GtkWidget *back = source_panel_child (f, "simulation_button");
  GtkWidget *play = source_panel_child (f, "play_button");
  GtkWidget *speed = source_panel_child (f, "speed_row");
  GtkWidget *loop = source_panel_child (f, "loop_switch");
  GtkWidget *strap = source_panel_child (f, "sensor_button");
  HeartSourcePanel *panel = heart_window_get_source_panel (f->window);

  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (strap)), ==, "win.choose-sensor");
  assert_accessible_label (strap, "Choose a Bluetooth heart-rate strap");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (open)), ==, "win.open-replay");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (back)), ==, "win.use-simulation");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (play)), ==, "app.running");
  assert_accessible_label (open, "Replay a file");
  assert_accessible_label (back, "Back to the simulation");
  assert_accessible_label (play, "Play or pause the replay");
  assert_accessible_label (speed, "Replay speed");
  assert_accessible_label (loop, "Loop");

  /* all three are listed in the shortcuts window */
  {
    g_autoptr(GBytes) overlay = g_resources_lookup_data ("/io/github/heartsim/Heartsim/ui/gtk/help-overlay.ui",
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (overlay, NULL), g_bytes_get_size (overlay));

    g_assert_nonnull (strstr (text, "win.open-replay"));
    g_assert_nonnull (strstr (text, "win.use-simulation"));
    g_assert_nonnull (strstr (text, "win.choose-sensor"));
  }

  /* the button asks for a file (no portal here: GTK's own dialog) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.open-replay", NULL));
  wait_for (window_of_type_shown (f, GTK_TYPE_FILE_CHOOSER_DIALOG));

  /* the simulation is served: nothing to go back to */
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "Simulation");
  g_assert_true (simulating (f));
  g_assert_false (gtk_widget_is_sensitive (back));

  /* speed and loop are settings, kept for the next file */
  heart_source_panel_set_speed (panel, 20);
  g_assert_cmpfloat (heart_settings_get_replay_speed (f->settings), ==, 20);
  gtk_switch_set_active (GTK_SWITCH (loop), TRUE);
  g_assert_true (heart_settings_get_replay_loop (f->settings));
  g_object_set (f->settings, "replay-speed", 0.5, NULL);
  g_assert_cmpfloat (heart_source_panel_get_speed (panel), ==, 0.5);

  /* cancelled: nothing changes */
  close_windows_of_type (f, GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_true (simulating (f));
}

/* A file replayed from the window: the readouts show its values, the
 * simulation's controls are off, Start/Stop pauses it, and going back to
 * the simulation restores everything */
static void
test_replay_file (Fixture *f)
{
  g_autofree char *path = write_replay_file ("heartsim-test-replay.csv", 123, 2);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HeartSourcePanel *panel = heart_window_get_source_panel (f->window);
  HeartReadouts *readouts = heart_window_get_readouts (f->window);
  HeartSourceSwitch *source = heart_application_get_source (f->app);
  HeartReplay *replay;

  heart_source_panel_set_speed (panel, 10);
  heart_window_open_replay_file (f->window, file);
  /* opened in a thread: the source switches when it is open */
  wait_for (HEART_IS_REPLAY (heart_source_switch_get_source (source)));
  g_assert_null (find_message_dialog ());
  replay = HEART_REPLAY (heart_source_switch_get_source (source));
  g_assert_cmpfloat (heart_replay_get_speed (replay), ==, 10);
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "heartsim-test-replay.csv");
  g_assert_false (simulating (f));

  wait_for (g_strcmp0 (heart_readouts_get_text (readouts, HEART_CHANNEL_HEART_RATE), "123") == 0);
  g_assert_false (heart_simulator_get_running (f->simulator));
  /* what a heart-rate CSV lacks is a dash, not "nan" */
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_HRV_RMSSD), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_STRESS_LEVEL), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_RESPIRATORY_RATE), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_EDA), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SPO2), ==, "–");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_SKIN_TEMPERATURE), ==, "–");

  /* two seconds at 10×: it ends, and its length is known */
  wait_for (g_str_equal (heart_replay_get_state (replay), "ended"));
  g_assert_cmpstr (heart_source_panel_get_position_text (panel), ==, "0:02 / 0:02");
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Ended · heartsim-test-replay.csv");

  /* Start plays it again from its start; Stop pauses it */
  activate (f, "running", NULL);
  g_assert_true (heart_source_get_running (HEART_SOURCE (replay)));
  activate (f, "running", NULL);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "paused");
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Paused · heartsim-test-replay.csv");
  activate (f, "running", NULL);

  /* back: the simulation runs on, as the replay did, and obeys again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.use-simulation", NULL));
  g_assert_true (heart_source_switch_get_source (source) == HEART_SOURCE (f->simulator));
  g_assert_true (simulating (f));
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "Simulation");
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Running");
  wait_for (g_strcmp0 (heart_readouts_get_text (readouts, HEART_CHANNEL_HEART_RATE), "123") != 0);
  g_unlink (path);
}

/* A file that cannot be replayed: a dialog naming it, and nothing changes */
static void
test_replay_bad_file (Fixture *f)
{
  g_autofree char *empty = g_build_filename (g_get_tmp_dir (), "heartsim-test-empty.csv", NULL);
  g_autoptr(GFile) empty_file = g_file_new_for_path (empty);
  g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/heartsim/session.jsonl");
  HeartSourceSwitch *source = heart_application_get_source (f->app);
  AdwMessageDialog *dialog;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  activate (f, "running", NULL);

  heart_window_open_replay_file (f->window, empty_file);
  wait_for ((dialog = find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Cannot Replay the File");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "heartsim-test-empty.csv"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  heart_window_open_replay_file (f->window, missing);
  wait_for ((dialog = find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "/nonexistent/heartsim/session.jsonl"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_true (heart_source_switch_get_source (source) == HEART_SOURCE (f->simulator));
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_true (simulating (f));
  g_unlink (empty);
}

static void
on_posted (GObject      *session,
           GAsyncResult *result,
           gpointer      user_data)
{
  GBytes **body = user_data;
  g_autoptr(GError) error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (session), result, &error);
  g_assert_no_error (error);
}

static guint
post (Fixture    *f,
      SoupSession *session,
      const char *query)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/source?%s", f->port, query);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) body = NULL;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, on_posted, &body);
  wait_for (body != NULL);
  return soup_message_get_status (message);
}

/* A client switches the source while the window is open: the window
 * follows, both ways */
static void
test_post_source (Fixture *f)
{
  g_autofree char *path = write_replay_file ("heartsim-test-posted.csv", 131, 60);
  g_autofree char *escaped = g_uri_escape_string (path, NULL, FALSE);
  g_autofree char *query = g_strdup_printf ("kind=replay&file=%s&speed=3&loop=true", escaped);
  g_autoptr(SoupSession) session = soup_session_new ();
  HeartSourcePanel *panel = heart_window_get_source_panel (f->window);
  HeartReadouts *readouts = heart_window_get_readouts (f->window);

  activate (f, "running", NULL);
  g_assert_cmpuint (post (f, session, query), ==, 200);
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "heartsim-test-posted.csv");
  g_assert_false (simulating (f));
  /* the replay's own speed and loop, not the settings' */
  g_assert_cmpfloat (heart_source_panel_get_speed (panel), ==, 3);
  g_assert_true (heart_source_panel_get_loop (panel));
  g_assert_cmpfloat (heart_settings_get_replay_speed (f->settings), ==, 1);
  wait_for (g_strcmp0 (heart_readouts_get_text (readouts, HEART_CHANNEL_HEART_RATE), "131") == 0);
  wait_for (g_str_has_prefix (heart_window_get_subtitle (f->window), "Replaying"));
  /* the position moves as it plays; the length is not known before the end */
  wait_for (clock_seconds (heart_source_panel_get_position_text (panel)) >= 1);
  g_assert_true (g_str_has_suffix (heart_source_panel_get_position_text (panel), " / ?"));

  g_assert_cmpuint (post (f, session, "kind=simulator"), ==, 200);
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "Simulation");
  g_assert_true (simulating (f));
  g_assert_cmpfloat (heart_source_panel_get_speed (panel), ==, 1);
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Running");
  g_unlink (path);
}

/* `heartsim --replay`: its options go with it, and a file that cannot be
 * played is exit status 1 before any window opens (docs/desktop.md) */
typedef struct
{
  const char *args[4];
  int         status;
  const char *says;
} CommandLineCase;

/* Each command line of @cases ends with its status and says why on stderr,
 * before any window opens */
static void
assert_command_lines_fail (const CommandLineCase *cases,
                           guint                  n_cases)
{
  const char *binary = g_getenv ("HEARTSIM_BINARY");

  if (binary == NULL)
    {
      g_test_skip ("HEARTSIM_BINARY is not set");
      return;
    }
  for (guint i = 0; i < n_cases; i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, (char *) binary);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].args) && cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (char *) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);
      process = g_subprocess_newv ((const char * const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].says));
    }
}

static void
test_replay_command_line (void)
{
  static const CommandLineCase cases[] = {
    { { "--loop", NULL }, 2, "go with --replay" },
    { { "--replay", "/nonexistent/heartsim/session.jsonl", NULL }, 1, "/nonexistent/heartsim/session.jsonl" },
    { { "--replay", "x.csv", "--speed", "5000" }, 2, "--speed" },
  };

  assert_command_lines_fail (cases, G_N_ELEMENTS (cases));
}

/* ---------------------------------------------------------------- activity */

static const char * const activities[] = { "rest", "sitting", "walking", "running", "cycling", "sleep" };

/* The toggle button of @activity in the Simulation group */
static GtkWidget *
activity_button (Fixture    *f,
                 const char *activity)
{
  GtkWidget *buttons = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (heart_window_get_controls (f->window)),
                                                                  HEART_TYPE_CONTROLS, "activity_buttons"));

  for (GtkWidget *line = gtk_widget_get_first_child (buttons); line != NULL;
       line = gtk_widget_get_next_sibling (line))
    for (GtkWidget *button = gtk_widget_get_first_child (line); button != NULL;
         button = gtk_widget_get_next_sibling (button))
      {
        GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));

        g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.activity");
        if (g_str_equal (g_variant_get_string (target, NULL), activity))
          return button;
      }
  g_error ("no button for %s", activity);
}

/* What a click ends in (gtk_widget_activate() would wait 250 ms to show
 * the press) */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Exactly @activity's button is pressed */
static void
assert_activity_shown (Fixture    *f,
                       const char *activity)
{
  for (guint i = 0; i < G_N_ELEMENTS (activities); i++)
    {
      GtkWidget *button = activity_button (f, activities[i]);

      if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)) != g_str_equal (activities[i], activity))
        g_error ("the %s button is %s while the activity is %s", activities[i],
                 gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)) ? "pressed" : "not pressed", activity);
    }
}

/* The buttons set what the person does; a change from elsewhere (the API
 * calls heart_simulator_set_activity) moves them at once */
static void
test_activity_buttons (Fixture *f)
{
  HeartReadouts *readouts = heart_window_get_readouts (f->window);
  GtkWidget *controls = GTK_WIDGET (heart_window_get_controls (f->window));
  GtkWidget *buttons = GTK_WIDGET (gtk_widget_get_template_child (controls, HEART_TYPE_CONTROLS, "activity_buttons"));
  GtkWidget *title = GTK_WIDGET (gtk_widget_get_template_child (controls, HEART_TYPE_CONTROLS, "activity_title"));

  /* each button is named by its label, the group by the row's title */
  assert_accessible_label (activity_button (f, "running"), "Running");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (activity_button (f, "running")), "Alt+4"));
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (buttons), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Activity");

  g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, "rest");
  assert_activity_shown (f, "rest");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_ACTIVITY), ==, "Rest");

  for (guint i = 0; i < G_N_ELEMENTS (activities); i++)
    {
      click (activity_button (f, activities[i]));
      g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, activities[i]);
      assert_activity_shown (f, activities[i]);
    }

  /* as POST /simulation/activity does it */
  g_assert_true (heart_simulator_set_activity (f->simulator, "walking", NULL));
  assert_activity_shown (f, "walking");
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_ACTIVITY), ==, "Walking");
  g_assert_cmpstr (g_variant_get_string (g_action_group_get_action_state (G_ACTION_GROUP (f->window), "activity"), NULL),
                   ==, "walking");

  /* the accelerators' detailed action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.activity", "s", "cycling"));
  g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, "cycling");
  assert_activity_shown (f, "cycling");

  /* listed in the shortcuts window */
  {
    g_autoptr(GBytes) overlay = g_resources_lookup_data ("/io/github/heartsim/Heartsim/ui/gtk/help-overlay.ui",
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (overlay, NULL), g_bytes_get_size (overlay));

    for (guint i = 0; i < G_N_ELEMENTS (activities); i++)
      {
        g_autofree char *action = g_strdup_printf ("win.activity('%s')", activities[i]);

        g_assert_nonnull (strstr (text, action));
      }
  }
}

static double
steps_shown (HeartReadouts *readouts)
{
  const char *text = heart_readouts_get_text (readouts, HEART_CHANNEL_STEPS_TODAY);
  char *end = NULL;
  double steps = g_ascii_strtod (text, &end);

  if (end == text || *end != '\0')
    g_error ("steps today shows “%s”, not a number", text);
  return steps;
}

/* Walking takes steps: the readout rises with the sample's count */
static void
test_activity_steps (Fixture *f)
{
  HeartReadouts *readouts = heart_window_get_readouts (f->window);
  const HeartSample *sample;
  double before;

  /* nothing measured yet */
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_STEPS_TODAY), ==, "–");

  advance_seconds (f, 2);
  before = steps_shown (readouts);
  click (activity_button (f, "walking"));
  /* 100–120 steps a minute: 30 s are 50–60 steps */
  advance_seconds (f, 30);
  sample = heart_simulator_get_current_sample (f->simulator);
  g_assert_cmpfloat (steps_shown (readouts), ==, round (sample->channels[HEART_CHANNEL_STEPS_TODAY]));
  /* the count starts again at midnight: only a walk across it has fewer */
  if (steps_shown (readouts) >= before)
    {
      g_assert_cmpfloat (steps_shown (readouts) - before, >=, 45);
      g_assert_cmpfloat (steps_shown (readouts) - before, <=, 62);
    }

  /* at rest the count stands */
  click (activity_button (f, "rest"));
  before = steps_shown (readouts);
  advance_seconds (f, 10);
  g_assert_cmpfloat (steps_shown (readouts), <=, before + 3);
}

#define WALKING_RGB    0x33d17a
#define CORE_SLEEP_RGB 0x3584e4
#define IN_BED_RGB     0x9a9996

/* The 24 h span: the heart rate comes from the day log, and the traces
 * give way to the activity band and the hypnogram, each in its colours;
 * the Today group shows the day's totals */
static void
test_chart_day_bands (Fixture *f)
{
  HeartChart *chart = heart_window_get_chart (f->window);
  HeartChartData *data = heart_chart_get_data (chart);
  HeartDayPanel *panel = heart_window_get_day_panel (f->window);
  const HeartDayTotals *totals = heart_day_log_get_totals (heart_day_panel_get_day_log (panel));
  graphene_rect_t activity, sleep, breathing;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *steps = NULL;
  g_autofree char *active = NULL;
  const HeartChartBand *segments;
  guint n_segments;
  gboolean walked = FALSE;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  activate (f, "chart-window", g_variant_new_uint32 (86400));
  g_assert_true (heart_chart_data_get_long_span (data));

  /* half an hour's walk, then to bed for an hour */
  click (activity_button (f, "walking"));
  for (guint i = 0; i < 360; i++)
    heart_simulator_advance (f->simulator, 5.0);
  click (activity_button (f, "sleep"));
  for (guint i = 0; i < 720; i++)
    heart_simulator_advance (f->simulator, 5.0);

  segments = heart_chart_data_get_band (data, HEART_BAND_ACTIVITY, &n_segments);
  g_assert_cmpuint (n_segments, >=, 2);
  for (guint i = 0; i < n_segments; i++)
    walked |= segments[i].value == HEART_ACTIVITY_WALKING;
  g_assert_true (walked);
  g_assert_cmpuint (segments[n_segments - 1].value, ==, HEART_ACTIVITY_SLEEP);
  g_assert_cmpfloat_with_epsilon (segments[n_segments - 1].to - segments[n_segments - 1].from, 3600, 10);
  heart_chart_data_get_band (data, HEART_BAND_SLEEP, &n_segments);
  g_assert_cmpuint (n_segments, >=, 2);

  wait_for (gtk_widget_get_height (GTK_WIDGET (chart)) > 200);
  g_assert_false (heart_chart_get_trace_area (chart, HEART_TRACE_BREATHING, &breathing));
  g_assert_true (heart_chart_get_band_area (chart, HEART_BAND_ACTIVITY, &activity));
  g_assert_true (heart_chart_get_band_area (chart, HEART_BAND_SLEEP, &sleep));
  g_assert_cmpfloat (sleep.origin.y, >=, activity.origin.y + activity.size.height);
  texture = capture_widget (GTK_WIDGET (chart));
  /* half an hour of a day is 2 % of the strip's width */
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (chart), &activity, WALKING_RGB),
                    >, activity.size.width * 0.01 * activity.size.height * 0.5);
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (chart), &sleep, CORE_SLEEP_RGB)
                    + count_pixels_near (texture, GTK_WIDGET (chart), &sleep, IN_BED_RGB), >, 20);

  /* the Today group: the day log's steps, the walk's half hour */
  g_assert_cmpfloat (totals->steps, >, 1000);
  g_assert_cmpfloat_with_epsilon (totals->active_minutes, 30, 0.1);
  steps = g_strdup_printf ("%'.0f", totals->steps);
  g_assert_cmpstr (heart_day_panel_get_text (panel, "steps"), ==, steps);
  active = heart_format_minutes (totals->active_minutes);
  g_assert_true (g_str_has_prefix (heart_day_panel_get_text (panel, "active"), active));
  g_assert_cmpstr (heart_day_panel_get_text (panel, "sleep"), !=, "—");

  /* back to a short span: the traces again, no bands */
  activate (f, "chart-window", g_variant_new_uint32 (60));
  g_assert_false (heart_chart_data_get_long_span (data));
  g_assert_false (heart_chart_get_band_area (chart, HEART_BAND_ACTIVITY, &activity));
  heart_chart_data_get_band (data, HEART_BAND_ACTIVITY, &n_segments);
  g_assert_cmpuint (n_segments, ==, 0);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* Only a simulation has an activity: while a file is replayed the buttons
 * and their accelerators are off, saying why, and the readout is a dash */
static void
test_activity_off_during_replay (Fixture *f)
{
  g_autofree char *path = write_replay_file ("heartsim-test-activity.csv", 97, 60);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HeartSourceSwitch *source = heart_application_get_source (f->app);
  HeartReadouts *readouts = heart_window_get_readouts (f->window);
  GtkWidget *running = activity_button (f, "running");

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "activity"));
  g_assert_true (gtk_widget_is_sensitive (running));

  heart_window_open_replay_file (f->window, file);
  wait_for (HEART_IS_REPLAY (heart_source_switch_get_source (source)));
  g_assert_false (simulating (f));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "activity"));
  g_assert_false (gtk_widget_is_sensitive (running));
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_ACTIVITY), ==, "–");
  wait_for (g_strcmp0 (heart_readouts_get_text (readouts, HEART_CHANNEL_HEART_RATE), "97") == 0);
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_STEPS_TODAY), ==, "–");

  /* Alt+4 changes nothing */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.activity", "s", "running");
  g_assert_cmpstr (heart_simulator_get_activity (f->simulator), ==, "rest");
  /* nor does the Person menu, as /simulation/profile answers 409 */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "profile"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.profile", "s", "athlete");
  g_assert_cmpstr (heart_simulator_get_profile (f->simulator), ==, "average");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.use-simulation", NULL));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "activity"));
  g_assert_true (gtk_widget_is_sensitive (running));
  g_assert_cmpstr (heart_readouts_get_text (readouts, HEART_CHANNEL_ACTIVITY), ==, "Rest");
  g_unlink (path);
}

/* ---------------------------------------------------------------- profile */

/* The Person menu: win.profile's radio items, one a preset of
 * heart_profile_names(); choosing one sets the simulator's profile (and its
 * resting rate, which the slider shows), and the simulator's own change, as
 * POST /simulation/profile makes it, shows at once */
static void
test_profile_menu (Fixture *f)
{
  HeartControls *controls = heart_window_get_controls (f->window);
  GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (controls), HEART_TYPE_CONTROLS,
                                                                 "profile_button"));
  GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  GMenuModel *section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  const char * const *names = heart_profile_names ();
  GtkAdjustment *baseline = heart_controls_get_baseline_adjustment (controls);
  guint n_names = g_strv_length ((char **) names);

  /* the name says who it is, on the button and on the toggle that takes the focus */
  assert_accessible_label (button, "Person: Average");
  assert_accessible_label (gtk_widget_get_first_child (button), "Person: Average");
  g_assert_cmpstr (heart_controls_get_profile_text (controls), ==, "Average");
  g_assert_cmpint (g_menu_model_get_n_items (section), ==, n_names);
  for (guint i = 0; i < n_names; i++)
    {
      g_autofree char *action = NULL;
      g_autofree char *target = NULL;

      g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action));
      g_assert_true (g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_TARGET, "s", &target));
      g_assert_cmpstr (action, ==, "win.profile");
      g_assert_cmpstr (target, ==, names[i]);
    }
  g_object_unref (section);

  g_assert_true (gtk_widget_activate_action (button, "win.profile", "s", "athlete"));
  g_assert_cmpstr (heart_simulator_get_profile (f->simulator), ==, "athlete");
  g_assert_cmpstr (heart_controls_get_profile_text (controls), ==, "Athlete");
  g_assert_cmpfloat (gtk_adjustment_get_value (baseline), ==, heart_simulator_get_baseline_bpm (f->simulator));

  /* as POST /simulation/profile does it */
  g_assert_true (heart_simulator_set_profile (f->simulator, "older-adult", NULL));
  g_assert_cmpstr (g_variant_get_string (g_action_group_get_action_state (G_ACTION_GROUP (f->window), "profile"), NULL),
                   ==, "older-adult");
  g_assert_cmpstr (heart_controls_get_profile_text (controls), ==, "Older Adult");
  assert_accessible_label (gtk_widget_get_first_child (button), "Person: Older Adult");
}

/* ---------------------------------------------------------------- server */

static void
test_port_taken_at_start (Fixture *f)
{
  g_autofree char *port_text = g_strdup_printf ("%u", f->port);
  const GError *error = heart_application_get_server_error (f->app);

  /* No crash, no listening, and a banner that says why */
  g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_false (heart_server_get_listening (f->server));
  g_assert_true (heart_window_get_banner_revealed (f->window));
  g_assert_nonnull (strstr (heart_window_get_banner_text (f->window), port_text));

  /* The banner's button moves to a free port and the banner goes away */
  activate (f, "use-free-port", NULL);
  g_assert_true (heart_server_get_listening (f->server));
  g_assert_cmpuint (heart_server_get_port (f->server), !=, f->port);
  g_assert_cmpuint (heart_settings_get_port (f->settings), ==, heart_server_get_port (f->server));
  g_assert_null (heart_application_get_server_error (f->app));
  g_assert_false (heart_window_get_banner_revealed (f->window));
}

static void
test_port_taken_later (Fixture *f)
{
  guint taken;
  g_autoptr(GSocket) blocker = listen_on_free_port (&taken);

  /* Changing the port (say, in the preferences) to a taken one */
  heart_settings_set_port (f->settings, taken);
  g_assert_false (heart_server_get_listening (f->server));
  g_assert_true (heart_window_get_banner_revealed (f->window));

  /* Back to a free one: serving again, banner gone */
  heart_settings_set_port (f->settings, f->port);
  g_assert_true (heart_server_get_listening (f->server));
  g_assert_false (heart_window_get_banner_revealed (f->window));
  g_socket_close (blocker, NULL);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  SoupWebsocketConnection **connection = user_data;
  g_autoptr(GError) error = NULL;

  *connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* The window counts the server's clients, from its properties */
static void
test_client_count_shown (Fixture *f)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/ws/heartbeat", f->port);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  HeartServerPanel *panel = heart_window_get_server_panel (f->window);

  g_assert_true (g_str_has_prefix (heart_server_panel_get_clients_text (panel), "0 WebSocket"));
  soup_session_websocket_connect_async (session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_websocket_connected, &connection);
  wait_for (connection != NULL);
  wait_for (heart_server_get_websocket_clients (f->server) == 1);
  wait_for (g_str_has_prefix (heart_server_panel_get_clients_text (panel), "1 WebSocket"));

  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  wait_for (heart_server_get_websocket_clients (f->server) == 0);
  wait_for (g_str_has_prefix (heart_server_panel_get_clients_text (panel), "0 WebSocket"));
}

/* Listening beyond loopback is a setting; the server then wants the token */
static void
test_listen_all_interfaces (Fixture *f)
{
  g_auto(GStrv) urls = NULL;
  g_autofree char *local_url = g_strdup_printf ("http://127.0.0.1:%u/", f->port);

  g_assert_cmpstr (heart_server_get_bind_address (f->server), ==, "127.0.0.1");
  g_assert_cmpuint (strlen (heart_settings_get_token (f->settings)), ==, 32);
  g_assert_cmpstr (heart_server_get_token (f->server), ==, heart_settings_get_token (f->settings));

  g_object_set (f->settings, "listen-all-interfaces", TRUE, NULL);
  g_assert_true (heart_server_get_listening (f->server));
  g_assert_cmpstr (heart_server_get_bind_address (f->server), ==, "0.0.0.0");
  urls = heart_window_dup_shown_urls (f->window);
  g_assert_true (g_strv_contains ((const char * const *) urls, local_url));

  /* A new token reaches the running server without a restart */
  heart_settings_regenerate_token (f->settings);
  g_assert_cmpstr (heart_server_get_token (f->server), ==, heart_settings_get_token (f->settings));
  g_assert_true (heart_server_get_listening (f->server));
}

/* ---------------------------------------------------------------- Bluetooth straps */

#define STRAP_ADDRESS "AA:BB:CC:DD:EE:01"

/* A second window of the app's, whose BlueZ is the mocked one: the app's
 * own looks on the system bus */
static HeartWindow *
open_window_on_mock (Fixture *f)
{
  HeartWindow *window = g_object_new (HEART_TYPE_WINDOW,
                                      "application", f->app,
                                      "simulator", f->simulator,
                                      "source", heart_application_get_source (f->app),
                                      "server", f->server,
                                      "history", f->history,
                                      "settings", f->settings,
                                      "recorder", heart_application_get_recorder (f->app),
                                      "bluez-connection", f->bluez.connection,
                                      NULL);

  gtk_window_present (GTK_WINDOW (window));
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (window)));
  return window;
}

static HeartSensorPicker *
show_picker (HeartWindow *window)
{
  HeartSensorPicker *picker;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.choose-sensor", NULL));
  picker = heart_window_get_sensor_picker (window);
  g_assert_nonnull (picker);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (picker)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (picker)) == GTK_WINDOW (window));
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (picker)));
  return picker;
}

static GtkWidget *
picker_child (HeartSensorPicker *picker,
              const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (picker), HEART_TYPE_SENSOR_PICKER, name));
}

/* Whether the mocked adapter scans: the picker's scan is real to BlueZ */
static gboolean
adapter_discovering (Fixture *f)
{
  g_autoptr(GVariant) reply = mock_bluez_call (&f->bluez, "/org/bluez/hci0", "org.freedesktop.DBus.Properties",
                                               "Get", g_variant_new ("(ss)", "org.bluez.Adapter1", "Discovering"));
  g_autoptr(GVariant) value = NULL;

  g_variant_get (reply, "(v)", &value);
  return g_variant_get_boolean (value);
}

/* What a key does in @widget, from its shortcut controllers */
static GtkShortcutAction *
find_key_action (GtkWidget *widget,
                 guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == 0)
            return gtk_shortcut_get_action (shortcut);
        }
    }
  return NULL;
}

static const char *
accessible_contact (HeartSourcePanel *panel)
{
  GtkWidget *image = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), HEART_TYPE_SOURCE_PANEL,
                                                                "contact_image"));

  return gtk_widget_get_visible (image) ? gtk_widget_get_tooltip_text (image) : NULL;
}

/* The picker lists the strap by name; picking it serves it, and once it
 * measures the Source group says it is connected, touching skin, and its
 * battery; the scan ends with the dialog */
static void
test_sensor_choose (Fixture *f)
{
  static const guint8 measurement[] = { 0x16, 75, 0x00, 0x03 };   /* contact, RR 750 ms */
  HeartSourceSwitch *source = heart_application_get_source (f->app);
  HeartWindow *window;
  HeartSensorPicker *picker;
  HeartSourcePanel *panel;
  GtkWidget *any, *row, *spinner;
  HeartSensor *sensor;

  mock_bluez_add_adapter (&f->bluez);
  mock_bluez_add_strap (&f->bluez, STRAP_ADDRESS, "Test strap");
  window = open_window_on_mock (f);
  panel = heart_window_get_source_panel (window);
  picker = show_picker (window);

  /* "Any" first, then the strap by its name, with its address and signal */
  wait_for ((row = heart_sensor_picker_find_row (picker, STRAP_ADDRESS)) != NULL);
  any = heart_sensor_picker_find_row (picker, "any");
  g_assert_nonnull (any);
  g_assert_true (gtk_widget_get_first_child (picker_child (picker, "list_box")) == any);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (any)), ==, "Any Heart-Rate Strap");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Test strap");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, STRAP_ADDRESS " · Weak signal");
  assert_accessible_label (row, "Test strap");
  assert_accessible_label (any, "Any Heart-Rate Strap");
  assert_accessible_label (picker_child (picker, "list_box"), "Heart-rate straps");
  g_assert_false (gtk_widget_get_visible (picker_child (picker, "empty_label")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (picker_child (picker, "stack"))), ==, "list");

  /* it scans while shown, and says so */
  spinner = picker_child (picker, "spinner");
  wait_for (adapter_discovering (f) && gtk_widget_get_visible (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  assert_accessible_label (spinner, "Searching for heart-rate straps");

  /* picked: the dialog closes, the scan stops, the strap is served */
  gtk_widget_activate (row);
  wait_for (heart_window_get_sensor_picker (window) == NULL);
  wait_for (!adapter_discovering (f));
  sensor = HEART_SENSOR (heart_source_switch_get_source (source));
  g_assert_true (HEART_IS_SENSOR (sensor));
  g_assert_cmpstr (heart_sensor_get_address (sensor), ==, STRAP_ADDRESS);
  g_assert_true (heart_source_get_running (HEART_SOURCE (source)));
  g_assert_false (simulating (f));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->app), "stress-event"));

  /* connected, then a measurement with skin contact */
  wait_for (g_str_equal (heart_sensor_get_state (sensor), "connected"));
  mock_bluez_notify (&f->bluez, STRAP_ADDRESS, measurement, sizeof measurement);
  wait_for (g_strcmp0 (accessible_contact (panel), "Skin contact") == 0);
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "Test strap");
  g_assert_cmpstr (heart_source_panel_get_subtitle (panel), ==, "Connected");
  assert_accessible_label (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), HEART_TYPE_SOURCE_PANEL,
                                                                      "contact_image")),
                           "Skin contact");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                                  HEART_TYPE_SOURCE_PANEL,
                                                                                  "battery_label"))),
                   ==, "87 %");
  g_assert_cmpstr (heart_window_get_subtitle (window), ==, "Connected · Test strap");
  wait_for (g_strcmp0 (heart_readouts_get_text (heart_window_get_readouts (window), HEART_CHANNEL_HEART_RATE),
                       "75") == 0);

  /* back to the simulation: the strap's indicators go */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.use-simulation", NULL));
  g_assert_cmpstr (heart_source_panel_get_title (panel), ==, "Simulation");
  g_assert_null (accessible_contact (panel));
  g_assert_true (simulating (f));
}

/* BlueZ without an adapter: the picker says why instead of an empty list,
 * and shows the list and scans once an adapter appears; Escape closes it */
static void
test_sensor_no_adapter (Fixture *f)
{
  HeartWindow *window = open_window_on_mock (f);
  HeartSensorPicker *picker = show_picker (window);
  HeartSensorScanner *scanner = heart_sensor_picker_get_scanner (picker);
  GtkStack *stack = GTK_STACK (picker_child (picker, "stack"));
  AdwStatusPage *status = ADW_STATUS_PAGE (picker_child (picker, "status_page"));
  GtkShortcutAction *escape;

  wait_for (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "unavailable") == 0);
  g_assert_false (heart_sensor_scanner_get_available (scanner));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "Bluetooth Unavailable");
  g_assert_nonnull (heart_sensor_scanner_get_unavailable_reason (scanner));
  g_assert_cmpstr (adw_status_page_get_description (status), ==,
                   heart_sensor_scanner_get_unavailable_reason (scanner));
  g_assert_false (gtk_widget_get_visible (picker_child (picker, "spinner")));

  /* an adapter plugged in: the list, with "Any" and the hint to wear it */
  mock_bluez_add_adapter (&f->bluez);
  wait_for (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "list") == 0);
  g_assert_nonnull (heart_sensor_picker_find_row (picker, "any"));
  g_assert_true (gtk_widget_get_visible (picker_child (picker, "empty_label")));
  /* and it scans on the new adapter, as the dialog is still shown */
  wait_for (adapter_discovering (f) && gtk_widget_get_visible (picker_child (picker, "spinner")));

  /* Escape closes it, and nothing was chosen */
  escape = find_key_action (GTK_WIDGET (picker), GDK_KEY_Escape);
  g_assert_nonnull (escape);
  gtk_shortcut_action_activate (escape, 0, GTK_WIDGET (picker), NULL);
  wait_for (heart_window_get_sensor_picker (window) == NULL);
  g_assert_true (HEART_IS_SIMULATOR (heart_source_switch_get_source (heart_application_get_source (f->app))));
}

/* ---------------------------------------------------------------- preferences */

static void
test_preferences_apply_live (Fixture *f)
{
  HeartPreferencesWindow *preferences = heart_preferences_window_new (f->settings);
  GtkAdjustment *port, *interval;
  guint new_port = free_port ();

  port = GTK_ADJUSTMENT (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                        HEART_TYPE_PREFERENCES_WINDOW,
                                                        "port_adjustment"));
  interval = GTK_ADJUSTMENT (gtk_widget_get_template_child (GTK_WIDGET (preferences),
                                                            HEART_TYPE_PREFERENCES_WINDOW,
                                                            "interval_adjustment"));
  g_assert_cmpfloat (gtk_adjustment_get_value (port), ==, f->port);

  /* No Apply button: the server moves and the simulator speeds up at once */
  gtk_adjustment_set_value (port, new_port);
  g_assert_cmpuint (heart_settings_get_port (f->settings), ==, new_port);
  g_assert_cmpuint (heart_server_get_port (f->server), ==, new_port);
  g_assert_true (heart_server_get_listening (f->server));

  gtk_adjustment_set_value (interval, 250);
  g_assert_cmpuint (heart_simulator_get_interval_ms (f->simulator), ==, 250);

  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* ---------------------------------------------------------------- export */

static GtkWidget *
export_dialog_child (HeartExportDialog *dialog,
                     const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), HEART_TYPE_EXPORT_DIALOG, name));
}

/* @n samples of 2 Hz, the simulator's current one at t = 0.5, 1, … s */
static void
fill_history (Fixture *f,
              guint    n)
{
  HeartSample sample = *heart_simulator_get_current_sample (f->simulator);
  gint64 start_us = sample.timestamp_us;

  heart_history_clear (f->history);
  for (guint i = 1; i <= n; i++)
    {
      sample.t_s = i * 0.5;
      sample.seq = i;
      sample.timestamp_us = start_us + i * G_USEC_PER_SEC / 2;
      heart_history_push (f->history, &sample);
    }
}

static void
on_exported (HeartExportDialog  *dialog,
             GFile              *file,
             const char         *message,
             char              **out)
{
  g_assert_true (G_IS_FILE (file));
  g_free (*out);
  *out = g_strdup (message);
}

/* A dialog for @f's history, shown, with its "exported" message in @message */
static HeartExportDialog *
open_export_dialog (Fixture  *f,
                    char    **message)
{
  HeartExportDialog *dialog = heart_export_dialog_new (GTK_WINDOW (f->window), f->history);

  g_signal_connect (dialog, "exported", G_CALLBACK (on_exported), message);
  gtk_window_present (GTK_WINDOW (dialog));
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_true (heart_export_dialog_get_history (dialog) == f->history);
  return dialog;
}

static HeartExportDialog *
find_export_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (HEART_IS_EXPORT_DIALOG (l->data) && gtk_widget_get_mapped (l->data))
      return l->data;
  return NULL;
}

/* win.export (Shift+Ctrl+E, the main menu's Export Samples…) opens the
 * dialog on the window's history */
static void
test_export_action (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-ui-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "last.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HeartExportDialog *dialog;

  g_assert_no_error (error);
  for (guint i = 0; i < 240; i++)
    heart_simulator_advance (f->simulator, 0.5);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export", NULL));
  wait_for ((dialog = find_export_dialog ()) != NULL);
  g_assert_true (heart_export_dialog_get_history (dialog) == f->history);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (heart_export_dialog_export_to_file (dialog, file));
  wait_for (dialog == NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

static void
test_export_dialog (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("heartsim-ui-XXXXXX", &error);
  g_autofree char *path = g_build_filename (folder, "last.jsonl", NULL);
  g_autofree char *csv_path = g_build_filename (folder, "last.csv", NULL);
  g_autofree char *missing = g_build_filename (folder, "missing", "last.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GFile) unwritable = g_file_new_for_path (missing);
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  HeartExportDialog *dialog;
  GtkSpinButton *spin;

  g_assert_no_error (error);
  g_assert_false (heart_simulator_get_running (f->simulator));

  /* 12 minutes held: up to 12 can be asked for, 10 by default */
  fill_history (f, 12 * 120);
  dialog = open_export_dialog (f, &message);
  spin = GTK_SPIN_BUTTON (export_dialog_child (dialog, "minutes_spin"));
  assert_accessible_label (GTK_WIDGET (spin), "Minutes to export");
  assert_accessible_label (export_dialog_child (dialog, "format_row"), "File format");
  assert_accessible_label (export_dialog_child (dialog, "export_button"), "Export");
  assert_accessible_label (export_dialog_child (dialog, "cancel_button"), "Cancel");
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (spin)), ==, 12);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 10);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (export_dialog_child (dialog, "minutes_row"))),
                   ==, "The history holds the last 12 min");
  g_assert_true (gtk_widget_get_sensitive (export_dialog_child (dialog, "export_button")));

  /* 5 minutes as JSON Lines to a folder that is not there: the dialog stays
   * and says which file and why */
  gtk_spin_button_set_value (spin, 5);
  adw_combo_row_set_selected (ADW_COMBO_ROW (export_dialog_child (dialog, "format_row")), 1);
  g_assert_false (heart_export_dialog_export_to_file (dialog, unwritable));
  g_assert_true (gtk_widget_get_visible (export_dialog_child (dialog, "error_label")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (export_dialog_child (dialog, "error_label"))), missing));
  g_assert_null (message);
  iterate_pending ();
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  /* to a file: the last 5 minutes, oldest first; the dialog closes and
   * says what it wrote */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (heart_export_dialog_export_to_file (dialog, file));
  wait_for (dialog == NULL);
  g_assert_cmpstr (message, ==, "Exported 600 samples, the last 5 min, to last.jsonl");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 601);
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "seq"), ==, 12 * 120 - 600 + 1 + i);
    }

  /* 90 s held, 2 minutes asked: all of it, and the message says so */
  fill_history (f, 180);
  g_clear_pointer (&message, g_free);
  dialog = open_export_dialog (f, &message);
  spin = GTK_SPIN_BUTTON (export_dialog_child (dialog, "minutes_spin"));
  g_assert_cmpfloat (gtk_adjustment_get_upper (gtk_spin_button_get_adjustment (spin)), ==, 2);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (export_dialog_child (dialog, "format_row"))), ==, 0);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (heart_export_dialog_export_to_file (dialog, csv_file));
  wait_for (dialog == NULL);
  g_assert_cmpstr (message, ==, "The history held only 1 min 30 s of the 2 min asked: exported its 180 samples to last.csv");
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&lines, g_strfreev);
  g_assert_true (g_file_get_contents (csv_path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 182);
  g_assert_true (g_str_has_prefix (lines[0], "timestamp,bpm,variability,stress_level,state,seq,"));
  g_assert_true (g_str_has_suffix (lines[0], ",condition,event"));

  /* nothing held: nothing to export */
  heart_history_clear (f->history);
  dialog = open_export_dialog (f, &message);
  g_assert_false (gtk_widget_get_sensitive (export_dialog_child (dialog, "export_button")));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (export_dialog_child (dialog, "minutes_row"))),
                   ==, "Nothing to export yet: the history is empty");
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_unlink (path);
  g_unlink (csv_path);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* ---------------------------------------------------------------- sweep */

/* What the test itself sees of a source's waveforms and beats, to hold the
 * sweep's figures against */
typedef struct
{
  guint    n_ecg_blocks;
  double   ecg_duration;   /* of the last ECG block, s */
  double   ecg_end;        /* just after its last sample */
  char     last_beat;      /* of the ECG's beat marks */
  gboolean leads_off;      /* lead_off seen, its lead_on not yet */
  GArray  *rr_ms;          /* of the "beat" signal */
} SweepWatch;

static void
on_watch_waveform (HeartSource              *source,
                   const HeartWaveformBlock *block,
                   SweepWatch               *watch)
{
  if (block->channel != HEART_CHANNEL_ECG)
    return;
  watch->n_ecg_blocks++;
  watch->ecg_duration = block->n_values / block->fs_hz;
  watch->ecg_end = (block->first_index + block->n_values) / block->fs_hz;
  for (guint i = 0; i < block->n_marks; i++)
    {
      const char *code = block->marks[i].code;

      if (g_str_equal (code, "N") || g_str_equal (code, "V") || g_str_equal (code, "S"))
        watch->last_beat = code[0];
      else if (g_str_equal (code, "lead_off"))
        watch->leads_off = TRUE;
      else if (g_str_equal (code, "lead_on"))
        watch->leads_off = FALSE;
    }
}

static void
on_watch_beat (HeartSource     *source,
               const HeartBeat *beat,
               SweepWatch      *watch)
{
  g_array_append_val (watch->rr_ms, beat->rr_ms);
}

static void
sweep_watch (SweepWatch  *watch,
             HeartSource *source)
{
  *watch = (SweepWatch) { .rr_ms = g_array_new (FALSE, FALSE, sizeof (double)) };
  g_signal_connect (source, "waveform", G_CALLBACK (on_watch_waveform), watch);
  g_signal_connect (source, "beat", G_CALLBACK (on_watch_beat), watch);
}

static void
sweep_unwatch (SweepWatch  *watch,
               HeartSource *source)
{
  g_signal_handlers_disconnect_by_data (source, watch);
  g_array_unref (watch->rr_ms);
}

/* A manual simulator that makes the waveforms (a manual one does not
 * unless asked), with @settings' artefacts */
static HeartSimulator *
waveform_simulator (const HeartWaveformSettings *settings)
{
  HeartSimulator *simulator = heart_simulator_new_manual (11, G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC);
  g_autoptr(GError) error = NULL;

  heart_simulator_set_channels (simulator, HEART_CHANNEL_MASK_ALL);
  if (settings != NULL)
    heart_simulator_set_waveform_settings (simulator, settings, &error);
  g_assert_no_error (error);
  return simulator;
}

/* A sweep of @source in a window of its own, shown */
static GtkWidget *
sweep_window (HeartSource *source,
              HeartSweep **sweep)
{
  GtkWidget *window = gtk_window_new ();

  *sweep = HEART_SWEEP (heart_sweep_new ());
  heart_sweep_set_source (*sweep, source);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (*sweep));
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 260);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (*sweep)) && gtk_widget_get_width (GTK_WIDGET (*sweep)) > 500);
  return window;
}

static gboolean
described_as (gpointer    widget,
              const char *text)
{
  g_autofree char *message = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                 GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text);

  return message == NULL;
}

#define SWEEP_ECG_RGB   0x57e389   /* green_2 */
#define SWEEP_PLETH_RGB 0x62d8f2

/* Each block moves the pen on by its duration, round and round the sweep's
 * seconds; the ECG is drawn green in the upper strip, the pleth cyan in
 * the lower */
static void
test_sweep_write_position (Fixture *f)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (NULL);
  HeartSource *source = HEART_SOURCE (simulator);
  SweepWatch watch;
  HeartSweep *sweep;
  GtkWidget *window = sweep_window (source, &sweep);
  double seconds = heart_sweep_get_seconds (sweep);
  guint wraps = 0;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t upper, lower;
  int width, height;

  sweep_watch (&watch, source);
  assert_accessible_label (GTK_WIDGET (sweep), "ECG and pleth");
  g_assert_true (isnan (heart_sweep_get_write_time (sweep)));
  g_assert_cmpstr (heart_sweep_get_placeholder (sweep), ==, "No waveform yet");
  /* 25 mm/s over 700 px */
  g_assert_cmpfloat (seconds, >=, 4);
  g_assert_cmpfloat (seconds, <=, 8);

  heart_simulator_advance (simulator, 0.5);
  g_assert_cmpuint (watch.n_ecg_blocks, ==, 1);
  g_assert_null (heart_sweep_get_placeholder (sweep));
  g_assert_cmpfloat_with_epsilon (heart_sweep_get_write_time (sweep), watch.ecg_end, 1e-9);
  g_assert_cmpfloat_with_epsilon (heart_sweep_get_write_position (sweep), 0.5, 1e-9);

  /* 12 s in blocks of 0.3 s: past the right edge and round again */
  for (guint i = 0; i < 40; i++)
    {
      double before = heart_sweep_get_write_time (sweep);
      double position = heart_sweep_get_write_position (sweep);
      double expected;

      heart_simulator_advance (simulator, 0.3);
      g_assert_cmpuint (watch.n_ecg_blocks, ==, i + 2);
      g_assert_cmpfloat_with_epsilon (heart_sweep_get_write_time (sweep) - before, watch.ecg_duration, 1e-9);
      expected = position + watch.ecg_duration;
      if (expected >= seconds)
        {
          expected -= seconds;
          wraps++;
        }
      g_assert_cmpfloat_with_epsilon (heart_sweep_get_write_position (sweep), expected, 1e-6);
    }
  g_assert_cmpuint (wraps, >=, 1);

  texture = capture_widget (GTK_WIDGET (sweep));
  width = gtk_widget_get_width (GTK_WIDGET (sweep));
  height = gtk_widget_get_height (GTK_WIDGET (sweep));
  graphene_rect_init (&upper, 0, 0, width * 0.75, height * 0.5);
  graphene_rect_init (&lower, 0, height * 0.6, width * 0.75, height * 0.4);
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (sweep), &upper, SWEEP_ECG_RGB), >, 100);
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (sweep), &lower, SWEEP_PLETH_RGB), >, 100);
  g_assert_cmpuint (count_pixels_near (texture, GTK_WIDGET (sweep), &lower, SWEEP_ECG_RGB), <, 10);

  sweep_unwatch (&watch, source);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The heart rate shown is the beats': 60 × n over the last n RR
 * intervals, and the description reads it with the last beat's type */
static void
test_sweep_heart_rate (Fixture *f)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (NULL);
  HeartSource *source = HEART_SOURCE (simulator);
  SweepWatch watch;
  HeartSweep *sweep;
  GtkWidget *window = sweep_window (source, &sweep);

  sweep_watch (&watch, source);
  heart_simulator_advance (simulator, 0.5);
  g_assert_cmpint (heart_sweep_get_heart_rate (sweep), ==, 0);
  wait_for (described_as (sweep, "Waiting for heartbeats"));

  for (guint step = 0; step < 6; step++)
    {
      double sum = 0, expected;
      guint n = HEART_SWEEP_HR_BEATS;
      g_autofree char *description = NULL;

      for (guint i = 0; i < 20; i++)
        heart_simulator_advance (simulator, 0.5);
      /* the resting rate moves: the count follows it */
      heart_simulator_set_baseline (simulator, 60 + 10 * step, NULL);
      g_assert_cmpuint (watch.rr_ms->len, >, n);
      for (guint i = watch.rr_ms->len - n; i < watch.rr_ms->len; i++)
        sum += g_array_index (watch.rr_ms, double, i);
      expected = 60000.0 * n / sum;
      g_assert_cmpfloat (fabs (heart_sweep_get_heart_rate (sweep) - expected), <=, 0.5 + 1e-6);
      g_assert_cmpint (heart_sweep_get_last_beat (sweep), ==, 'N');
      /* beside the pleth, the samples' SpO2 */
      g_assert_cmpint (heart_sweep_get_spo2 (sweep), ==,
                       lround (heart_simulator_get_current_sample (simulator)->channels[HEART_CHANNEL_SPO2]));
      description = g_strdup_printf ("Heart rate %d bpm, last beat normal", heart_sweep_get_heart_rate (sweep));
      wait_for (described_as (sweep, description));
    }

  sweep_unwatch (&watch, source);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A premature ventricular beat is marked on the trace and named in the
 * description */
static void
test_sweep_premature_beat (Fixture *f)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  g_autoptr(HeartSimulator) simulator = NULL;
  HeartSource *source;
  SweepWatch watch;
  HeartSweep *sweep;
  GtkWidget *window;
  g_autofree char *description = NULL;

  settings.pvc_per_hour = HEART_ARTEFACTS_PER_HOUR_MAX;
  simulator = waveform_simulator (&settings);
  source = HEART_SOURCE (simulator);
  window = sweep_window (source, &sweep);
  sweep_watch (&watch, source);

  /* one every 3 s on average: a minute has one */
  for (guint i = 0; i < 600 && watch.last_beat != 'V'; i++)
    heart_simulator_advance (simulator, 0.1);
  g_assert_cmpint (watch.last_beat, ==, 'V');
  g_assert_cmpint (heart_sweep_get_last_beat (sweep), ==, 'V');
  g_assert_cmpint (heart_sweep_get_heart_rate (sweep), >, 0);
  description = g_strdup_printf ("Heart rate %d bpm, last beat premature ventricular",
                                 heart_sweep_get_heart_rate (sweep));
  wait_for (described_as (sweep, description));
  /* the pen reaches it: a marker over its R peak */
  wait_for (heart_sweep_get_n_premature_drawn (sweep) >= 1);

  sweep_unwatch (&watch, source);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* While the leads are off the sweep says so and shows no heart rate;
 * back on, the rate comes back */
static void
test_sweep_leads_off (Fixture *f)
{
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  g_autoptr(HeartSimulator) simulator = NULL;
  HeartSource *source;
  SweepWatch watch;
  HeartSweep *sweep;
  GtkWidget *window;

  settings.lead_off_per_hour = HEART_ARTEFACTS_PER_HOUR_MAX;
  simulator = waveform_simulator (&settings);
  source = HEART_SOURCE (simulator);
  window = sweep_window (source, &sweep);
  sweep_watch (&watch, source);

  for (guint i = 0; i < 10; i++)
    heart_simulator_advance (simulator, 0.1);
  for (guint i = 0; i < 600 && !watch.leads_off; i++)
    heart_simulator_advance (simulator, 0.1);
  g_assert_true (watch.leads_off);
  g_assert_true (heart_sweep_get_leads_off (sweep));
  g_assert_cmpint (heart_sweep_get_heart_rate (sweep), ==, 0);
  wait_for (described_as (sweep, "Leads off"));

  /* a dropout lasts 2–8 s */
  for (guint i = 0; i < 100 && watch.leads_off; i++)
    heart_simulator_advance (simulator, 0.1);
  g_assert_false (watch.leads_off);
  g_assert_false (heart_sweep_get_leads_off (sweep));
  g_assert_cmpint (heart_sweep_get_heart_rate (sweep), >, 0);
  wait_for (!described_as (sweep, "Leads off"));

  sweep_unwatch (&watch, source);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Frames only while mapped and while blocks come: without blocks the trace
 * freezes, and hidden it takes blocks without asking for frames */
static void
test_sweep_freezes (Fixture *f)
{
  g_autoptr(HeartSimulator) simulator = waveform_simulator (NULL);
  HeartSweep *sweep;
  GtkWidget *window = sweep_window (HEART_SOURCE (simulator), &sweep);
  HeartSweep *window_sweep = heart_window_get_sweep (f->window);
  HeartSource *served = HEART_SOURCE (heart_application_get_source (f->app));
  double t;

  heart_simulator_advance (simulator, 0.5);
  g_assert_true (heart_sweep_get_animating (sweep));
  wait_for (!heart_sweep_get_animating (sweep));
  t = heart_sweep_get_write_time (sweep);
  iterate_pending ();
  g_assert_cmpfloat (heart_sweep_get_write_time (sweep), ==, t);

  gtk_widget_set_visible (window, FALSE);
  heart_simulator_advance (simulator, 0.5);
  g_assert_false (heart_sweep_get_animating (sweep));
  g_assert_cmpfloat (heart_sweep_get_write_time (sweep), >, t);
  gtk_window_destroy (GTK_WINDOW (window));

  /* the window's, while the simulation runs and once it stops */
  g_assert_true (heart_sweep_get_source (window_sweep) == served);
  heart_source_set_running (served, TRUE);
  wait_for (heart_sweep_get_write_time (window_sweep) > 0.5);
  g_assert_true (heart_sweep_get_animating (window_sweep));
  heart_source_set_running (served, FALSE);
  wait_for (!heart_sweep_get_animating (window_sweep));
  t = heart_sweep_get_write_time (window_sweep);
  iterate_pending ();
  g_assert_cmpfloat (heart_sweep_get_write_time (window_sweep), ==, t);
  g_assert_null (heart_sweep_get_placeholder (window_sweep));
}

/* A replayed file has no waveform: the sweep says so instead of showing
 * the simulation's; back to the simulation, the trace comes back. The file
 * is opened as the user does, through the window: a toast dismissed during
 * its show animation, with another added, crashed libadwaita 1.2's overlay
 * here before the opening toast waited for slow files. */
static void
test_sweep_replay_placeholder (Fixture *f)
{
  g_autofree char *path = write_replay_file ("heartsim-test-sweep.csv", 90, 20);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  HeartSweep *sweep = heart_window_get_sweep (f->window);
  HeartSourceSwitch *source = heart_application_get_source (f->app);

  for (guint i = 0; i < 10; i++)
    heart_simulator_advance (f->simulator, 0.5);
  g_assert_null (heart_sweep_get_placeholder (sweep));

  heart_window_open_replay_file (f->window, file);
  wait_for (HEART_IS_REPLAY (heart_source_switch_get_source (source)));
  wait_for (g_strcmp0 (heart_sweep_get_placeholder (sweep), "No waveform from this source") == 0);
  g_assert_true (isnan (heart_sweep_get_write_time (sweep)));
  g_assert_cmpint (heart_sweep_get_heart_rate (sweep), ==, 0);
  wait_for (described_as (sweep, "No waveform from this source"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.use-simulation", NULL));
  wait_for (heart_sweep_get_placeholder (sweep) == NULL);
  g_assert_true (isfinite (heart_sweep_get_write_time (sweep)));
  heart_source_set_running (HEART_SOURCE (source), FALSE);
  g_unlink (path);
}

/* The rings hold the last HEART_SWEEP_MAX_SECONDS of each waveform however
 * long it runs, sample k still at index k; a block that does not follow on
 * (another source, a seek) starts afresh, beats and leads-off with it */
static void
test_sweep_data_bounded (void)
{
  g_autoptr(HeartSweepData) data = heart_sweep_data_new ();
  float values[1000];
  HeartWaveformMark marks[] = { { .t_s = 0.5, .code = "V" }, { .t_s = 0.7, .code = "lead_off" } };
  HeartWaveformBlock block = { HEART_CHANNEL_ECG, 1000, 0, 0, 0, values, G_N_ELEMENTS (values), NULL, 0 };
  guint64 first, end;
  double fs;

  /* a minute at 1000 Hz, a second a block */
  for (guint second = 0; second < 60; second++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        values[i] = (float) (second * 1000 + i);
      block.first_index = second * 1000;
      g_assert_true (heart_sweep_data_add_block (data, &block));
    }
  g_assert_true (heart_sweep_data_get_range (data, HEART_SWEEP_ECG, &first, &end, &fs));
  g_assert_cmpuint (end, ==, 60000);
  g_assert_cmpuint (end - first, <=, HEART_SWEEP_MAX_SECONDS * 1000 + 1);
  g_assert_cmpuint (end - first, >=, HEART_SWEEP_MAX_SECONDS * 1000);
  for (guint64 k = first; k < end; k += 997)
    g_assert_cmpfloat (heart_sweep_data_get_value (data, HEART_SWEEP_ECG, k), ==, (float) k);
  g_assert_cmpfloat (heart_sweep_data_get_end_time (data, HEART_SWEEP_ECG), ==, 60);
  g_assert_false (heart_sweep_data_get_range (data, HEART_SWEEP_PLETH, &first, &end, &fs));

  /* marks: a V beat, leads off */
  block.first_index = 60000;
  block.marks = marks;
  block.n_marks = G_N_ELEMENTS (marks);
  heart_sweep_data_add_block (data, &block);
  g_assert_cmpint (heart_sweep_data_get_last_beat (data), ==, 'V');
  g_assert_true (heart_sweep_data_get_leads_off (data));

  /* a jump back: only the new block */
  block.first_index = 5000;
  block.n_marks = 0;
  heart_sweep_data_add_block (data, &block);
  g_assert_true (heart_sweep_data_get_range (data, HEART_SWEEP_ECG, &first, &end, &fs));
  g_assert_cmpuint (first, ==, 5000);
  g_assert_cmpuint (end, ==, 6000);
  g_assert_cmpint (heart_sweep_data_get_last_beat (data), ==, 0);
  g_assert_false (heart_sweep_data_get_leads_off (data));
}

/* @lower is laid out under @upper, in @parent's coordinates */
static gboolean
lies_below (GtkWidget *lower,
            GtkWidget *upper,
            GtkWidget *parent)
{
  graphene_rect_t lower_bounds, upper_bounds;

  return gtk_widget_get_height (lower) > 0
         && gtk_widget_compute_bounds (lower, parent, &lower_bounds)
         && gtk_widget_compute_bounds (upper, parent, &upper_bounds)
         && lower_bounds.origin.y >= upper_bounds.origin.y + upper_bounds.size.height;
}

/* From HEART_SWEEP_PANE_BESIDE_WIDTH on the sweep stands beside the chart,
 * as tall as it; narrower it lies below it, as wide as it */
static void
test_sweep_beside (Fixture *f)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *pane = heart_sweep_pane_new ();
  GtkWidget *chart = gtk_drawing_area_new ();
  GtkWidget *sweep = heart_sweep_new ();
  graphene_rect_t chart_bounds, sweep_bounds;

  gtk_widget_set_size_request (chart, 300, 200);
  heart_sweep_pane_set_start_child (HEART_SWEEP_PANE (pane), chart);
  heart_sweep_pane_set_end_child (HEART_SWEEP_PANE (pane), sweep);
  gtk_window_set_child (GTK_WINDOW (window), pane);
  gtk_window_set_default_size (GTK_WINDOW (window), HEART_SWEEP_PANE_BESIDE_WIDTH + 100, 500);
  gtk_window_present (GTK_WINDOW (window));

  wait_for (gtk_widget_get_width (pane) >= HEART_SWEEP_PANE_BESIDE_WIDTH && gtk_widget_get_width (sweep) > 0);
  g_assert_true (heart_sweep_pane_get_beside (HEART_SWEEP_PANE (pane)));
  g_assert_true (gtk_widget_compute_bounds (chart, pane, &chart_bounds));
  g_assert_true (gtk_widget_compute_bounds (sweep, pane, &sweep_bounds));
  g_assert_cmpfloat (sweep_bounds.origin.x, >=, chart_bounds.origin.x + chart_bounds.size.width);
  g_assert_cmpfloat (sweep_bounds.size.height, ==, chart_bounds.size.height);
  g_assert_cmpfloat (sweep_bounds.size.width, >=, 380);
  g_assert_cmpfloat (chart_bounds.size.width, >, sweep_bounds.size.width);

  gtk_window_set_default_size (GTK_WINDOW (window), HEART_SWEEP_PANE_BESIDE_WIDTH - 200, 500);
  wait_for (gtk_widget_get_width (pane) < HEART_SWEEP_PANE_BESIDE_WIDTH && gtk_widget_get_width (pane) > 0);
  g_assert_false (heart_sweep_pane_get_beside (HEART_SWEEP_PANE (pane)));
  g_assert_true (lies_below (sweep, chart, pane));
  g_assert_true (gtk_widget_compute_bounds (chart, pane, &chart_bounds));
  g_assert_true (gtk_widget_compute_bounds (sweep, pane, &sweep_bounds));
  g_assert_cmpfloat (sweep_bounds.size.width, ==, chart_bounds.size.width);

  /* hidden, the chart has it all */
  gtk_widget_set_visible (sweep, FALSE);
  wait_for (gtk_widget_get_height (chart) == gtk_widget_get_height (pane));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
action_state_boolean (gpointer    group,
                      const char *name)
{
  g_autoptr(GVariant) state = g_action_group_get_action_state (G_ACTION_GROUP (group), name);

  return g_variant_get_boolean (state);
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name)
          && g_str_equal (name, action))
        return TRUE;
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

/* The main menu's check (win.show-waveforms, Ctrl+M) hides and shows the
 * sweep and keeps the choice; wide, the sweep stands beside the chart,
 * narrower below it; narrow, it shows only when asked, instead of the
 * chart, and the window still fits 360 × 500 */
static void
test_sweep_toggle (Fixture *f)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *sweep = GTK_WIDGET (heart_window_get_sweep (f->window));
  GtkWidget *card = GTK_WIDGET (heart_window_get_chart_card (f->window));
  HeartSweepPane *pane = heart_window_get_sweep_pane (f->window);
  GtkMenuButton *menu_button = GTK_MENU_BUTTON (gtk_widget_get_template_child (window, HEART_TYPE_WINDOW,
                                                                               "main_menu_button"));
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.show-waveforms");
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *layout = NULL;
  graphene_rect_t chart_bounds, sweep_bounds;
  int min_width, min_height, natural;

  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (menu_button), "win.show-waveforms"));
  g_assert_cmpstr (accels[0], ==, "<Control>m");
  g_assert_true (gtk_widget_get_visible (sweep));
  g_assert_true (action_state_boolean (f->window, "show-waveforms"));

  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-waveforms", NULL);
  g_assert_false (gtk_widget_get_visible (sweep));
  g_assert_false (action_state_boolean (f->window, "show-waveforms"));
  g_assert_false (saved_boolean ("show-waveforms"));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-waveforms", NULL);
  g_assert_true (gtk_widget_get_visible (sweep));
  g_assert_true (saved_boolean ("show-waveforms"));
  /* the setting changed elsewhere (another window, dconf) shows at once */
  g_settings_set_boolean (settings, "show-waveforms", FALSE);
  wait_for (!gtk_widget_get_visible (sweep));
  g_assert_false (action_state_boolean (f->window, "show-waveforms"));
  g_settings_set_boolean (settings, "show-waveforms", TRUE);
  wait_for (gtk_widget_get_visible (sweep));

  /* at the default size, with the side panel, below the chart (once laid
   * out again) */
  wait_for (lies_below (sweep, card, GTK_WIDGET (pane)));
  g_assert_false (heart_sweep_pane_get_beside (pane));
  g_assert_true (gtk_widget_compute_bounds (card, GTK_WIDGET (pane), &chart_bounds));
  g_assert_true (gtk_widget_compute_bounds (sweep, GTK_WIDGET (pane), &sweep_bounds));
  g_assert_cmpfloat (chart_bounds.size.width, >, 700);
  g_assert_cmpfloat (sweep_bounds.size.width, ==, chart_bounds.size.width);

  /* narrow: the chart, and the sweep only when asked, instead of it */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 500);
  wait_for (gtk_widget_has_css_class (window, "narrow"));
  g_assert_false (gtk_widget_get_visible (sweep));
  g_assert_true (gtk_widget_get_visible (card));
  g_assert_false (action_state_boolean (f->window, "show-waveforms"));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-waveforms", NULL);
  g_assert_true (gtk_widget_get_visible (sweep));
  g_assert_false (gtk_widget_get_visible (card));
  g_assert_true (saved_boolean ("show-waveforms-narrow"));
  g_assert_true (saved_boolean ("show-waveforms"));
  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &natural, NULL, NULL);
  gtk_widget_measure (window, GTK_ORIENTATION_VERTICAL, 360, &min_height, &natural, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpint (min_height, <=, 500);
  wait_for (gtk_widget_get_height (sweep) > 150);

  /* and back to the chart; the wide window's choice stays */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "show-waveforms", NULL);
  g_assert_false (gtk_widget_get_visible (sweep));
  g_assert_true (gtk_widget_get_visible (card));
  g_assert_false (saved_boolean ("show-waveforms-narrow"));
  g_assert_true (saved_boolean ("show-waveforms"));
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

/* ---------------------------------------------------------------- subjects */

/* Wrong subjects on the command line: exit status 2 and why */
static void
test_subjects_command_line (void)
{
  static const CommandLineCase cases[] = {
    { { "--subjects", "0", NULL }, 2, "--subjects" },
    { { "--subjects", "101", NULL }, 2, "--subjects must be between 1 and 100" },
    { { "--subjects", "3x", NULL }, 2, "--subjects" },
    { { "--subject-offset", "-1", NULL }, 2, "--subject-offset" },
    { { "--cohort", "/nonexistent/heartsim/cohort.json", NULL }, 2, "/nonexistent/heartsim/cohort.json" },
    { { "--cohort", "cohort.json", "--subjects", "3" }, 2, "one or the other" },
  };

  assert_command_lines_fail (cases, G_N_ELEMENTS (cases));
}

/* One person: the window is as it always was, with no list and no way to
 * another subject */
static void
test_subjects_hidden_with_one (Fixture *f)
{
  GtkWidget *list = GTK_WIDGET (heart_window_get_subject_list (f->window));

  g_assert_cmpuint (heart_cohort_get_n_subjects (heart_application_get_cohort (f->app)), ==, 1);
  g_assert_false (gtk_widget_get_visible (list));
  g_assert_null (heart_subject_list_get_row (HEART_SUBJECT_LIST (list), 0));
  g_assert_false (gtk_widget_is_visible (list));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "next-subject"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "subject"));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                                                  HEART_TYPE_WINDOW,
                                                                                                  "window_title"))),
                   ==, "Heartsim");
  /* a narrow window has no button for it either */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 500);
  wait_for (gtk_widget_has_css_class (GTK_WIDGET (f->window), "narrow"));
  iterate_pending ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                                      HEART_TYPE_WINDOW,
                                                                                      "subjects_button"))));
}

static HeartSubject *
subject_at (Fixture *f,
            guint    index)
{
  return heart_cohort_get_subject (heart_application_get_cohort (f->app), index);
}

static int
current_bpm (Fixture *f,
             guint    index)
{
  return heart_source_get_current_sample (heart_subject_get_source (subject_at (f, index)))->bpm;
}

/* The row's heart rate is the subject's own, as the last sample said */
static gboolean
row_shows_bpm (Fixture *f,
               guint    index)
{
  HeartSubjectList *list = heart_window_get_subject_list (f->window);
  g_autofree char *bpm = g_strdup_printf ("%d", current_bpm (f, index));

  return current_bpm (f, index) > 0 && g_strcmp0 (heart_subject_list_get_bpm_text (list, index), bpm) == 0;
}

/* Three people whose hearts beat apart, each 12 bpm or more above the
 * last: resting at 45, 80 and 115 bpm, no stress and no arousals (a
 * profile may bring them), all running. A heart follows a new resting
 * rate over some 10 to 20 s (docs/model.md), so this waits longer than
 * wait_for() does. */
static void
start_apart (Fixture *f)
{
  static const guint baselines[] = { 45, 80, 115 };
  gint64 deadline = g_get_monotonic_time () + 4 * WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake;

  for (guint i = 0; i < G_N_ELEMENTS (baselines); i++)
    {
      HeartSimulator *simulator = heart_subject_get_simulator (subject_at (f, i));

      g_object_set (simulator, "baseline-bpm", baselines[i], "stress-level", 0.0,
                    "random-events-per-hour", 0.0, NULL);
      heart_source_set_running (heart_subject_get_source (subject_at (f, i)), TRUE);
    }
  wake = g_timeout_add (10, wake_up, NULL);
  while (current_bpm (f, 1) < current_bpm (f, 0) + 12 || current_bpm (f, 2) < current_bpm (f, 1) + 12)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the subjects' hearts did not move apart: %d, %d, %d bpm",
                 current_bpm (f, 0), current_bpm (f, 1), current_bpm (f, 2));
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static void
test_subjects_list (Fixture *f)
{
  HeartSubjectList *list = heart_window_get_subject_list (f->window);
  HeartCohort *cohort = heart_application_get_cohort (f->app);

  g_assert_cmpuint (heart_cohort_get_n_subjects (cohort), ==, 3);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (list)));
  g_assert_nonnull (heart_subject_list_get_row (list, 2));
  g_assert_null (heart_subject_list_get_row (list, 3));
  /* the first is the app's own simulation; the others make no waveforms
   * until shown */
  g_assert_true (heart_subject_get_simulator (subject_at (f, 0)) == f->simulator);
  for (guint i = 1; i < 3; i++)
    g_assert_cmpuint (heart_simulator_get_channels (heart_subject_get_simulator (subject_at (f, i)))
                      & HEART_CHANNEL_MASK_WAVEFORMS, ==, 0);
  g_assert_cmpuint (heart_simulator_get_channels (f->simulator) & HEART_CHANNEL_MASK_WAVEFORMS,
                    ==, HEART_CHANNEL_MASK_WAVEFORMS);

  start_apart (f);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = NULL;

      wait_for (row_shows_bpm (f, i));
      /* the sparkline draws the subject's last minutes */
      wait_for (heart_sparkline_get_n_points (HEART_SPARKLINE (heart_subject_list_get_sparkline (list, i))) > 2);
      name = g_strdup_printf ("Subject %u, %d beats per minute", i, current_bpm (f, i));
      assert_accessible_label (heart_subject_list_get_row (list, i), name);
    }
  assert_accessible_label (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (list), HEART_TYPE_SUBJECT_LIST,
                                                                      "list_box")),
                           "Subjects");
}

/* Choosing a row shows that subject: readouts, chart, sweep and controls
 * follow it, and Start/Stop is its own */
static void
test_subjects_select (Fixture *f)
{
  HeartSubjectList *list = heart_window_get_subject_list (f->window);
  HeartSimulator *third = heart_subject_get_simulator (subject_at (f, 2));
  HeartSource *third_source = heart_subject_get_source (subject_at (f, 2));
  g_autofree char *bpm = NULL;
  double level, left;

  start_apart (f);
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 0);
  gtk_widget_activate (heart_subject_list_get_row (list, 2));
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 2);
  g_assert_true (heart_window_get_shown_simulator (f->window) == third);
  g_assert_true (heart_controls_get_simulator (heart_window_get_controls (f->window)) == third);
  g_assert_true (heart_chart_card_get_source (heart_window_get_chart_card (f->window)) == third_source);
  g_assert_true (heart_sweep_get_source (heart_window_get_sweep (f->window)) == third_source);
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Running");

  /* the readout says the third subject's heart rate, not the first's */
  wait_for (g_ascii_isdigit (heart_window_get_bpm_text (f->window)[0]));
  bpm = g_strdup_printf ("%d", current_bpm (f, 2));
  g_assert_cmpstr (heart_window_get_bpm_text (f->window), ==, bpm);
  g_assert_cmpint (current_bpm (f, 2) - current_bpm (f, 0), >, 20);
  /* its slider moves its baseline only */
  gtk_adjustment_set_value (heart_window_get_baseline_adjustment (f->window), 100);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (third), ==, 100);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 45);
  /* it makes the waveforms while shown, and the subject left does not */
  g_assert_cmpuint (heart_simulator_get_channels (third) & HEART_CHANNEL_MASK_WAVEFORMS, ==, HEART_CHANNEL_MASK_WAVEFORMS);

  /* Ctrl+E's stress event is for the subject shown */
  activate (f, "stress-event", NULL);
  g_assert_true (heart_simulator_get_acute_event (third, &level, &left));
  g_assert_false (heart_simulator_get_acute_event (f->simulator, &level, &left));
  activate (f, "end-stress-event", NULL);
  g_assert_false (heart_simulator_get_acute_event (third, &level, &left));

  /* Stop stops the subject shown; the first goes on */
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "running", NULL);
  g_assert_false (heart_source_get_running (third_source));
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_cmpstr (heart_window_get_subtitle (f->window), ==, "Stopped");

  /* back to the first: the third's waveforms stop with it */
  gtk_widget_activate (heart_subject_list_get_row (list, 0));
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 0);
  g_assert_cmpuint (heart_simulator_get_channels (third) & HEART_CHANNEL_MASK_WAVEFORMS, ==, 0);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 45);
  g_free (bpm);
  bpm = g_strdup_printf ("%d", current_bpm (f, 0));
  g_assert_cmpstr (heart_window_get_bpm_text (f->window), ==, bpm);
}

/* Ctrl+Page Down and Up go round the subjects, and the list follows */
static void
test_subjects_accelerators (Fixture *f)
{
  static const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "win.next-subject", "<Control>Page_Down" },
    { "win.previous-subject", "<Control>Page_Up" },
  };
  HeartSubjectList *list = heart_window_get_subject_list (f->window);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), expected[i].action);

      g_assert_nonnull (accels[0]);
      g_assert_cmpstr (accels[0], ==, expected[i].accel);
    }
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "next-subject", NULL);
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 1);
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (heart_subject_list_get_row (list, 1))));
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "previous-subject", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "previous-subject", NULL);
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 2);
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (heart_subject_list_get_row (list, 2))));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                                                  HEART_TYPE_WINDOW,
                                                                                                  "window_title"))),
                   ==, "Subject 2");
  /* win.subject(N) too, and a place past the end changes nothing */
  g_action_group_change_action_state (G_ACTION_GROUP (f->window), "subject", g_variant_new_uint32 (0));
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 0);
  g_action_group_change_action_state (G_ACTION_GROUP (f->window), "subject", g_variant_new_uint32 (7));
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 0);
}

/* --cohort: the file's people, by the names it gives them */
static void
test_subjects_cohort_file (Fixture *f)
{
  HeartSubjectList *list = heart_window_get_subject_list (f->window);
  GtkWidget *title = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), HEART_TYPE_WINDOW,
                                                                "window_title"));
  guint saved = 0;

  g_assert_cmpuint (heart_cohort_get_n_subjects (heart_application_get_cohort (f->app)), ==, 5);
  g_assert_nonnull (heart_cohort_lookup (heart_application_get_cohort (f->app), 100));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "P01");
  g_assert_cmpstr (heart_simulator_get_profile (heart_subject_get_simulator (subject_at (f, 1))), ==, "athlete");
  assert_accessible_label (heart_subject_list_get_row (list, 1), "P02, no heart rate yet");
  /* the first is the file's person: the preferences' resting rate is not
   * theirs, either way */
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 72);
  g_object_set (f->settings, "baseline-bpm", 90, NULL);
  g_assert_cmpuint (heart_simulator_get_baseline_bpm (f->simulator), ==, 72);
  heart_simulator_set_baseline (f->simulator, 60, NULL);
  g_object_get (f->settings, "baseline-bpm", &saved, NULL);
  g_assert_cmpuint (saved, ==, 90);
  gtk_widget_activate (heart_subject_list_get_row (list, 4));
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "P05");
}

/* At 360 px the list folds away behind a header bar button, and choosing
 * a subject folds it again */
static void
test_subjects_narrow (Fixture *f)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (window, HEART_TYPE_WINDOW, "subjects_button"));
  AdwFlap *flap = ADW_FLAP (gtk_widget_get_template_child (window, HEART_TYPE_WINDOW, "subjects_flap"));
  HeartSubjectList *list = heart_window_get_subject_list (f->window);
  int min_width, natural;
  g_autofree char *layout = NULL;

  /* GNOME's title bar, as /ui/window/narrow has it */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  g_assert_false (gtk_widget_get_visible (button));
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 500);
  wait_for (adw_flap_get_folded (flap) && gtk_widget_get_visible (button)
            && gtk_widget_has_css_class (window, "narrow"));
  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &natural, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  assert_accessible_label (button, "Show subjects");

  gtk_widget_activate (button);
  wait_for (adw_flap_get_reveal_flap (flap));
  gtk_widget_activate (heart_subject_list_get_row (list, 1));
  g_assert_cmpuint (heart_window_get_subject (f->window), ==, 1);
  g_assert_false (adw_flap_get_reveal_flap (flap));
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
}

#define ADD(path, func, start_mode)                                   \
  G_STMT_START {                                                      \
    static const TestCase test_case_ = { func, start_mode };         \
    g_test_add_data_func (path, &test_case_, run_test_case);         \
  } G_STMT_END

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* GTK's in-memory accessibility backend, so the tests can read accessible
   * names (tests/run-gui-test.sh turns the bus one off) */
  g_setenv ("GTK_A11Y", "test", TRUE);

  ADD ("/ui/window/builds", test_window_builds, START_NORMAL);
  ADD ("/ui/window/size-saved", test_window_size_saved, START_NORMAL);
  ADD ("/ui/window/narrow", test_window_narrow, START_NORMAL);
  ADD ("/ui/a11y/focus-chain", test_focus_chain, START_NORMAL);
  ADD ("/ui/action/running", test_action_running, START_NORMAL);
  ADD ("/ui/action/stress-event", test_action_stress_event, START_NORMAL);
  ADD ("/ui/action/baseline-presets", test_action_baseline_presets, START_NORMAL);
  ADD ("/ui/action/random-events", test_action_random_events, START_NORMAL);
  ADD ("/ui/action/serve", test_action_serve, START_NORMAL);
  ADD ("/ui/action/chart-window", test_action_chart_window, START_NORMAL);
  ADD ("/ui/action/windows", test_action_windows, START_NORMAL);
  ADD ("/ui/action/accelerators", test_accelerators, START_NORMAL);
  ADD ("/ui/action/space", test_space_starts_and_stops, START_NORMAL);
  ADD ("/ui/sliders/both-ways", test_sliders, START_NORMAL);
  ADD ("/ui/chart/renders", test_chart_renders, START_NORMAL);
  ADD ("/ui/chart/traces-draw", test_traces_draw, START_NORMAL);
  ADD ("/ui/chart/trace-hidden", test_trace_hidden, START_NORMAL);
  ADD ("/ui/chart/trace-hidden-at-start", test_trace_hidden_at_start, START_SKIN_HIDDEN);
  ADD ("/ui/readouts/show-sample", test_readouts_show_sample, START_NORMAL);
  ADD ("/ui/scenario/demo", test_scenario_demo, START_NORMAL);
  ADD ("/ui/scenario/bad-file", test_scenario_bad_file, START_NORMAL);
  ADD ("/ui/scenario/file", test_scenario_file, START_NORMAL);
  ADD ("/ui/scenario/clock", test_clock_format, START_NORMAL);
  ADD ("/ui/pulse/beats", test_heart_pulses, START_NORMAL);
  ADD ("/ui/record/toggle", test_record, START_NORMAL);
  ADD ("/ui/export/dialog", test_export_dialog, START_NORMAL);
  ADD ("/ui/export/action", test_export_action, START_NORMAL);
  ADD ("/ui/source/controls", test_source_controls, START_NORMAL);
  ADD ("/ui/source/replay-file", test_replay_file, START_NORMAL);
  ADD ("/ui/source/bad-file", test_replay_bad_file, START_NORMAL);
  ADD ("/ui/source/post", test_post_source, START_NORMAL);
  ADD ("/ui/activity/buttons", test_activity_buttons, START_NORMAL);
  ADD ("/ui/activity/steps", test_activity_steps, START_NORMAL);
  ADD ("/ui/chart/day-bands", test_chart_day_bands, START_NORMAL);
  ADD ("/ui/chart/crosshair-keys", test_chart_crosshair_keys, START_NORMAL);
  ADD ("/ui/chart/marks-stops", test_chart_marks_stops, START_NORMAL);
  ADD ("/ui/chart/scroll-back", test_chart_scroll_back, START_NORMAL);
  ADD ("/ui/activity/off-during-replay", test_activity_off_during_replay, START_NORMAL);
  ADD ("/ui/profile/menu", test_profile_menu, START_NORMAL);
  g_test_add_func ("/ui/source/command-line", test_replay_command_line);
  ADD ("/ui/sensor/choose", test_sensor_choose, START_BLUEZ);
  ADD ("/ui/sensor/no-adapter", test_sensor_no_adapter, START_BLUEZ);
  ADD ("/ui/server/port-taken-at-start", test_port_taken_at_start, START_PORT_TAKEN);
  ADD ("/ui/server/port-taken-later", test_port_taken_later, START_NORMAL);
  ADD ("/ui/server/client-count", test_client_count_shown, START_NORMAL);
  ADD ("/ui/server/listen-all-interfaces", test_listen_all_interfaces, START_NORMAL);
  ADD ("/ui/preferences/apply-live", test_preferences_apply_live, START_NORMAL);
  ADD ("/ui/sweep/write-position", test_sweep_write_position, START_NORMAL);
  ADD ("/ui/sweep/heart-rate", test_sweep_heart_rate, START_NORMAL);
  ADD ("/ui/sweep/premature-beat", test_sweep_premature_beat, START_NORMAL);
  ADD ("/ui/sweep/leads-off", test_sweep_leads_off, START_NORMAL);
  ADD ("/ui/sweep/freezes", test_sweep_freezes, START_NORMAL);
  ADD ("/ui/sweep/replay-placeholder", test_sweep_replay_placeholder, START_NORMAL);
  ADD ("/ui/sweep/toggle", test_sweep_toggle, START_NORMAL);
  ADD ("/ui/sweep/beside", test_sweep_beside, START_NORMAL);
  g_test_add_func ("/ui/sweep/data-bounded", test_sweep_data_bounded);
  g_test_add_func ("/ui/subjects/command-line", test_subjects_command_line);
  ADD ("/ui/subjects/hidden-with-one", test_subjects_hidden_with_one, START_NORMAL);
  ADD ("/ui/subjects/list", test_subjects_list, START_SUBJECTS);
  ADD ("/ui/subjects/select", test_subjects_select, START_SUBJECTS);
  ADD ("/ui/subjects/accelerators", test_subjects_accelerators, START_SUBJECTS);
  ADD ("/ui/subjects/narrow", test_subjects_narrow, START_SUBJECTS);
  ADD ("/ui/subjects/cohort-file", test_subjects_cohort_file, START_COHORT);

  return g_test_run ();
}
