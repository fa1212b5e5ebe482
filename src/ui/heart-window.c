/* heart-window.c: the main window
 *
 * The window shows what the simulator and the server do and changes them only
 * through the application's actions and property bindings; it holds no state
 * of its own beyond what is on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-window.h"

#include "heart-binding.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "heart-chart.h"
#include "heart-pulse.h"
#include "heart-window-private.h"

struct _HeartWindow
{
  AdwApplicationWindow  parent_instance;

  HeartSimulator       *simulator;
  HeartServer          *server;
  HeartHistory         *history;
  HeartSettings        *settings;
  GError               *server_error;
  GSignalGroup         *simulator_signals;
  GSignalGroup         *server_signals;
  GSignalGroup         *settings_signals;
  GPtrArray            *url_rows;
  char                 *shown_urls_key;   /* what the URL rows were built from */
  guint                 clients_update_id;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *run_button;
  AdwButtonContent     *run_button_content;
  AdwWindowTitle       *window_title;
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  GtkWidget            *readouts;
  HeartPulse           *heart_pulse;
  GtkLabel             *bpm_label;
  GtkLabel             *bpm_caption;
  GtkLabel             *rmssd_label;
  GtkLabel             *variability_caption;
  GtkLabel             *stress_label;
  GtkWidget            *event_badge;
  GtkLevelBar          *stress_bar;
  HeartChart           *chart;
  GtkAdjustment        *baseline_adjustment;
  GtkAdjustment        *stress_adjustment;
  GtkAdjustment        *event_level_adjustment;
  GtkLabel             *baseline_value_label;
  GtkLabel             *stress_value_label;
  GtkLabel             *event_level_value_label;
  AdwActionRow         *random_events_row;
  AdwPreferencesGroup  *server_group;
  AdwActionRow         *serve_row;
  AdwActionRow         *clients_row;
  GtkLabel             *clients_label;
};

enum {
  PROP_0,
  PROP_SIMULATOR,
  PROP_SERVER,
  PROP_HISTORY,
  PROP_SETTINGS,
  PROP_SERVER_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartWindow, heart_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---------------------------------------------------------------- readouts */

static void
set_label_printf (GtkLabel   *label,
                  const char *format,
                  ...) G_GNUC_PRINTF (2, 3);

/* Formats into a stack buffer: readouts change every tick */
static void
set_label_printf (GtkLabel   *label,
                  const char *format,
                  ...)
{
  char text[128];
  va_list args;

  va_start (args, format);
  g_vsnprintf (text, sizeof text, format, args);
  va_end (args);
  gtk_label_set_label (label, text);
}

static void
set_accessible_label_printf (GtkWidget  *widget,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);

static void
set_accessible_label_printf (GtkWidget  *widget,
                             const char *format,
                             ...)
{
  char text[192];
  va_list args;

  va_start (args, format);
  g_vsnprintf (text, sizeof text, format, args);
  va_end (args);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

static void
show_sample (HeartWindow       *self,
             const HeartSample *sample)
{
  int stress_percent = (int) lround (sample->stress_level * 100);

  set_label_printf (self->bpm_label, "%d", sample->bpm);
  set_accessible_label_printf (GTK_WIDGET (self->bpm_label),
                               _("Heart rate: %d beats per minute"), sample->bpm);
  set_label_printf (self->bpm_caption, _("Resting rate %u bpm"), sample->baseline_bpm);

  set_label_printf (self->rmssd_label, "%.0f", sample->rmssd_ms);
  set_accessible_label_printf (GTK_WIDGET (self->rmssd_label),
                               _("Heart rate variability: RMSSD %.0f milliseconds"), sample->rmssd_ms);
  set_label_printf (self->variability_caption, _("RMSSD · index %.2f"), sample->variability);

  set_label_printf (self->stress_label, "%d", stress_percent);
  set_accessible_label_printf (GTK_WIDGET (self->stress_label),
                               _("Stress level: %d percent"), stress_percent);
  gtk_level_bar_set_value (self->stress_bar, sample->stress_level);
  gtk_widget_set_visible (self->event_badge, sample->event_active);
}

static void
on_sample (HeartWindow       *self,
           const HeartSample *sample)
{
  show_sample (self, sample);
  heart_chart_update (self->chart);
}

/* The simulator reports a tick's beats at the tick's end. Replaying each one
 * a tick later keeps their real rhythm instead of bunching them up. */
static void
on_beat (HeartWindow     *self,
         const HeartBeat *beat)
{
  gint64 interval_us = (gint64) heart_simulator_get_interval_ms (self->simulator) * 1000;
  gint64 age_us = g_get_real_time () - beat->timestamp_us;

  heart_pulse_beat_at (self->heart_pulse, g_get_monotonic_time () - age_us + interval_us);
}

static void
on_running_changed (HeartWindow *self)
{
  gboolean running = heart_simulator_get_running (self->simulator);

  adw_button_content_set_icon_name (self->run_button_content,
                                    running ? "media-playback-stop-symbolic"
                                            : "media-playback-start-symbolic");
  adw_button_content_set_label (self->run_button_content, running ? _("_Stop") : _("_Start"));
  if (running)
    gtk_widget_remove_css_class (GTK_WIDGET (self->run_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->run_button), "suggested-action");

  adw_window_title_set_subtitle (self->window_title, running ? _("Running") : _("Stopped"));
  if (running)
    gtk_widget_remove_css_class (self->readouts, "stopped");
  else
    gtk_widget_add_css_class (self->readouts, "stopped");

  heart_chart_set_live (self->chart, running);
  if (!running)
    heart_pulse_clear (self->heart_pulse);
}

/* ---------------------------------------------------------------- controls */

static void
show_slider_values (HeartWindow *self)
{
  set_label_printf (self->baseline_value_label, _("%.0f bpm"),
                    gtk_adjustment_get_value (self->baseline_adjustment));
  set_label_printf (self->stress_value_label, _("%.0f %%"),
                    gtk_adjustment_get_value (self->stress_adjustment) * 100);
  set_label_printf (self->event_level_value_label, _("%.0f %%"),
                    gtk_adjustment_get_value (self->event_level_adjustment) * 100);
}

static void
show_random_events (HeartWindow *self)
{
  guint per_hour = (guint) lround (heart_settings_get_random_events_per_hour (self->settings));
  g_autofree char *subtitle = NULL;

  if (!heart_settings_get_random_events (self->settings) || per_hour == 0)
    subtitle = g_strdup (_("Only the events you trigger"));
  else
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "About %u spike an hour",
                                             "About %u spikes an hour", per_hour),
                                per_hour);
  adw_action_row_set_subtitle (self->random_events_row, subtitle);
}

static void
bind_controls (HeartWindow *self)
{
  g_object_bind_property_full (self->simulator, "baseline-bpm",
                               self->baseline_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               heart_binding_uint_to_double, heart_binding_double_to_rounded_uint, NULL, NULL);
  g_object_bind_property (self->simulator, "stress-level",
                          self->stress_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "stress-event-level",
                          self->event_level_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, "chart-window-seconds",
                          self->chart, "window-seconds",
                          G_BINDING_SYNC_CREATE);

  g_signal_connect_object (self->baseline_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stress_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->event_level_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  show_slider_values (self);
}

/* ---------------------------------------------------------------- server */

static gboolean
is_loopback_url (const char *url)
{
  return strstr (url, "://127.") != NULL || strstr (url, "://[::1]") != NULL
         || strstr (url, "://localhost") != NULL;
}

static GtkWidget *
url_button (const char *icon_name,
            const char *tooltip,
            const char *action,
            const char *url)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", url);
  return button;
}

static GtkWidget *
url_row_new (const char *url)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               is_loopback_url (url) ? _("This computer")
                                                     : _("Other devices on your network"));
  gtk_widget_add_css_class (row, "url-row");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             url_button ("edit-copy-symbolic", _("Copy Address"), "win.copy-url", url));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             url_button ("adw-external-link-symbolic", _("Open Dashboard in Browser"),
                                         "win.open-url", url));
  return row;
}

static void
show_urls (HeartWindow *self,
           char       **urls)
{
  g_autofree char *key = urls != NULL ? g_strjoinv (" ", urls) : g_strdup ("");

  /* Client counts notify often; the rows only change with the address */
  if (g_strcmp0 (key, self->shown_urls_key) == 0)
    return;
  g_free (self->shown_urls_key);
  self->shown_urls_key = g_steal_pointer (&key);

  for (guint i = 0; i < self->url_rows->len; i++)
    adw_preferences_group_remove (self->server_group, g_ptr_array_index (self->url_rows, i));
  g_ptr_array_set_size (self->url_rows, 0);

  /* Rows can only be appended, and the client count belongs last */
  g_object_ref (self->clients_row);
  adw_preferences_group_remove (self->server_group, GTK_WIDGET (self->clients_row));
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      GtkWidget *row = url_row_new (urls[i]);

      g_ptr_array_add (self->url_rows, row);
      adw_preferences_group_add (self->server_group, row);
    }
  adw_preferences_group_add (self->server_group, GTK_WIDGET (self->clients_row));
  g_object_unref (self->clients_row);
}

static void
update_server_status (HeartWindow *self)
{
  gboolean listening = heart_server_get_listening (self->server);
  const GError *error = self->server_error;
  g_auto(GStrv) urls = NULL;
  g_autofree char *subtitle = NULL;

  if (listening)
    {
      urls = heart_server_dup_urls (self->server);
      subtitle = g_strdup_printf (_("Listening on port %u"), heart_server_get_port (self->server));
    }
  else if (error != NULL)
    subtitle = g_strdup (_("Not listening: the port is not available"));
  else
    subtitle = g_strdup (_("Other programs cannot read the heart rate"));

  adw_action_row_set_subtitle (self->serve_row, subtitle);
  show_urls (self, urls);

  gtk_widget_set_visible (GTK_WIDGET (self->clients_row), listening);
  set_label_printf (self->clients_label, _("%u WebSocket · %u SSE"),
                    heart_server_get_websocket_clients (self->server),
                    heart_server_get_sse_clients (self->server));
}

static gboolean
update_clients_now (gpointer user_data)
{
  HeartWindow *self = user_data;

  self->clients_update_id = 0;
  update_server_status (self);
  return G_SOURCE_REMOVE;
}

/* A thousand clients connecting is a thousand notifications: show the count
 * a few times a second rather than relayout for each. */
static void
on_clients_changed (HeartWindow *self)
{
  if (self->clients_update_id == 0)
    self->clients_update_id = g_timeout_add (250, update_clients_now, self);
}

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
  update_server_status (self);
}

static void
on_server_listening_changed (HeartWindow *self)
{
  gboolean listening = heart_server_get_listening (self->server);

  update_server_status (self);
  if (listening && gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      g_autofree char *title = g_strdup_printf (_("Serving on port %u"),
                                                heart_server_get_port (self->server));

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
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
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Address copied")));
}

static void
open_url (GtkWidget  *widget,
          const char *action_name,
          GVariant   *parameter)
{
  gtk_show_uri (GTK_WINDOW (widget), g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
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
  g_signal_group_connect_swapped (self->simulator_signals, "sample", G_CALLBACK (on_sample), self);
  g_signal_group_connect_swapped (self->simulator_signals, "beat", G_CALLBACK (on_beat), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::running",
                                  G_CALLBACK (on_running_changed), self);
  g_signal_group_set_target (self->simulator_signals, self->simulator);

  self->server_signals = g_signal_group_new (HEART_TYPE_SERVER);
  g_signal_group_connect_swapped (self->server_signals, "notify::listening",
                                  G_CALLBACK (on_server_listening_changed), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::port",
                                  G_CALLBACK (update_server_status), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::bind-address",
                                  G_CALLBACK (update_server_status), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::websocket-clients",
                                  G_CALLBACK (on_clients_changed), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::sse-clients",
                                  G_CALLBACK (on_clients_changed), self);
  g_signal_group_set_target (self->server_signals, self->server);

  self->settings_signals = g_signal_group_new (HEART_TYPE_SETTINGS);
  g_signal_group_connect_swapped (self->settings_signals, "notify::random-events",
                                  G_CALLBACK (show_random_events), self);
  g_signal_group_connect_swapped (self->settings_signals, "notify::random-events-per-hour",
                                  G_CALLBACK (show_random_events), self);
  g_signal_group_set_target (self->settings_signals, self->settings);
}

/* The collaborators are construct-only: here they are all set */
static void
heart_window_constructed (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);
  HeartHistory *history = self->history;

  G_OBJECT_CLASS (heart_window_parent_class)->constructed (object);

  g_return_if_fail (HEART_IS_SIMULATOR (self->simulator));
  g_return_if_fail (HEART_IS_SERVER (self->server));
  g_return_if_fail (HEART_IS_HISTORY (self->history));
  g_return_if_fail (HEART_IS_SETTINGS (self->settings));

  restore_window_state (self);
  bind_controls (self);
  connect_signals (self);

  heart_chart_set_history (self->chart, history);
  show_sample (self, heart_simulator_get_current_sample (self->simulator));
  if (heart_history_get_latest (history) == NULL)
    {
      /* Nothing measured yet: dashes, not the model's resting guess */
      gtk_label_set_label (self->bpm_label, "–");
      gtk_label_set_label (self->rmssd_label, "–");
      gtk_label_set_label (self->stress_label, "–");
      gtk_label_set_label (self->variability_caption, _("RMSSD over 30 s"));
    }
  on_running_changed (self);
  show_random_events (self);
  update_banner (self);
}

static void
heart_window_dispose (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);

  g_clear_handle_id (&self->clients_update_id, g_source_remove);
  /* Before the widgets go: no handler may run on a half-destroyed window */
  if (self->simulator_signals != NULL)
    g_signal_group_set_target (self->simulator_signals, NULL);
  if (self->server_signals != NULL)
    g_signal_group_set_target (self->server_signals, NULL);
  if (self->settings_signals != NULL)
    g_signal_group_set_target (self->settings_signals, NULL);
  g_clear_object (&self->simulator_signals);
  g_clear_object (&self->server_signals);
  g_clear_object (&self->settings_signals);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_WINDOW);
  g_clear_object (&self->simulator);
  g_clear_object (&self->server);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_window_parent_class)->dispose (object);
}

static void
heart_window_finalize (GObject *object)
{
  HeartWindow *self = HEART_WINDOW (object);

  g_clear_pointer (&self->url_rows, g_ptr_array_unref);
  g_clear_pointer (&self->shown_urls_key, g_free);
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
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_SERVER_ERROR:
      g_value_set_boxed (value, self->server_error);
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
    case PROP_SERVER:
      self->server = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_SERVER_ERROR:
      heart_window_set_server_error (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, HEART_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, HEART_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_ERROR] =
    g_param_spec_boxed ("server-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HEART_TYPE_CHART);
  g_type_ensure (HEART_TYPE_PULSE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, run_button_content);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, readouts);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, heart_pulse);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, bpm_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, bpm_caption);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, rmssd_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, variability_caption);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, stress_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_badge);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, stress_bar);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, chart);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, baseline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, stress_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_level_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, baseline_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, stress_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, event_level_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, random_events_row);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, server_group);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, serve_row);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, clients_row);
  gtk_widget_class_bind_template_child (widget_class, HeartWindow, clients_label);

  gtk_widget_class_install_action (widget_class, "win.copy-url", "s", copy_url);
  gtk_widget_class_install_action (widget_class, "win.open-url", "s", open_url);
}

static void
add_space_shortcut (HeartWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  /* Bubble phase: a focused button or switch still gets Space first */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_BUBBLE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_named_action_new ("app.running")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
heart_window_init (HeartWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->url_rows = g_ptr_array_new ();
  add_space_shortcut (self);
}

HeartWindow *
heart_window_new (GtkApplication *application,
                  HeartSimulator *simulator,
                  HeartServer    *server,
                  HeartHistory   *history,
                  HeartSettings  *settings)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (HEART_TYPE_WINDOW,
                       "application", application,
                       "simulator", simulator,
                       "server", server,
                       "history", history,
                       "settings", settings,
                       NULL);
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
  if (self->settings_signals != NULL)
    update_banner (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
}

gboolean
heart_window_is_chart_full (HeartWindow *self)
{
  guint span;
  double tick_s;

  g_return_val_if_fail (HEART_IS_WINDOW (self), FALSE);

  span = heart_chart_get_window_seconds (self->chart);
  tick_s = heart_simulator_get_interval_ms (self->simulator) / 1000.0
           * heart_simulator_get_speed (self->simulator);
  return heart_chart_get_covered_seconds (self->chart) >= span - tick_s;
}

/* ---------------------------------------------------------------- private */

HeartChart *
heart_window_get_chart (HeartWindow *self)
{
  return self->chart;
}

HeartPulse *
heart_window_get_heart_pulse (HeartWindow *self)
{
  return self->heart_pulse;
}

GtkAdjustment *
heart_window_get_baseline_adjustment (HeartWindow *self)
{
  return self->baseline_adjustment;
}

GtkAdjustment *
heart_window_get_stress_adjustment (HeartWindow *self)
{
  return self->stress_adjustment;
}

GtkAdjustment *
heart_window_get_event_level_adjustment (HeartWindow *self)
{
  return self->event_level_adjustment;
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
  return gtk_label_get_label (self->bpm_label);
}

char **
heart_window_dup_shown_urls (HeartWindow *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **urls;

  for (guint i = 0; i < self->url_rows->len; i++)
    g_strv_builder_add (builder,
                        adw_preferences_row_get_title (g_ptr_array_index (self->url_rows, i)));
  urls = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return urls;
}
