/* heart-preferences-window.c: the preferences
 *
 * Each control is bound to a HeartSettings property, and the application
 * follows the settings, so there is no "Apply": a change takes effect at
 * once. The token row is the exception, applied explicitly, because a half
 * typed token would lock out clients.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-preferences-window.h"

#include "heart-binding.h"

#include <glib/gi18n.h>
#include <math.h>

struct _HeartPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  HeartSettings        *settings;

  GtkSwitch            *serve_switch;
  GtkAdjustment        *port_adjustment;
  GtkSwitch            *listen_all_switch;
  AdwEntryRow          *token_row;
  GtkSwitch            *autostart_switch;
  GtkAdjustment        *interval_adjustment;
  GtkSwitch            *random_events_switch;
  GtkAdjustment        *events_adjustment;
  AdwActionRow         *events_rate_row;
  AdwComboRow          *span_row;
};

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The choices of the "Time Span" row, in seconds */
static const guint span_choices[] = { 30, 60, 120, 300, 3600, 86400 };

G_DEFINE_FINAL_TYPE (HeartPreferencesWindow, heart_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
seconds_to_span_index (GBinding     *binding,
                       const GValue *from,
                       GValue       *to,
                       gpointer      user_data)
{
  guint seconds = g_value_get_uint (from);
  guint best = 0;

  /* A value set elsewhere (dconf) shows as the nearest choice */
  for (guint i = 1; i < G_N_ELEMENTS (span_choices); i++)
    if (ABS ((int) span_choices[i] - (int) seconds) < ABS ((int) span_choices[best] - (int) seconds))
      best = i;
  g_value_set_uint (to, best);
  return TRUE;
}

static gboolean
span_index_to_seconds (GBinding     *binding,
                       const GValue *from,
                       GValue       *to,
                       gpointer      user_data)
{
  guint index = g_value_get_uint (from);

  if (index >= G_N_ELEMENTS (span_choices))
    return FALSE;
  g_value_set_uint (to, span_choices[index]);
  return TRUE;
}

static void
bind_both_ways (HeartPreferencesWindow *self,
                const char             *key,
                gpointer                target,
                const char             *property)
{
  g_object_bind_property (self->settings, key, target, property,
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}

static void
bind_uint_to_adjustment (HeartPreferencesWindow *self,
                         const char             *key,
                         GtkAdjustment          *adjustment)
{
  g_object_bind_property_full (self->settings, key, adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               heart_binding_uint_to_double, heart_binding_double_to_rounded_uint, NULL, NULL);
}

static void
show_token (HeartPreferencesWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), heart_settings_get_token (self->settings));
}

static gboolean
token_is_valid (const char *token)
{
  /* It travels in an HTTP header: visible ASCII only */
  for (const char *c = token; *c != '\0'; c++)
    if (*c < '!' || *c > '~')
      return FALSE;
  return TRUE;
}

static void
on_token_applied (HeartPreferencesWindow *self)
{
  g_autofree char *token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_row))));

  if (token[0] == '\0')
    heart_settings_regenerate_token (self->settings);
  else if (!token_is_valid (token))
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("A token can only contain letters, digits and punctuation")));
      show_token (self);
      return;
    }
  else
    g_object_set (self->settings, "token", token, NULL);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Access token changed")));
}

static void
copy_token (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), heart_settings_get_token (self->settings));
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Token copied")));
}

static void
new_token (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (widget);

  heart_settings_regenerate_token (self->settings);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("New access token generated")));
}

static void
heart_preferences_window_constructed (GObject *object)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (heart_preferences_window_parent_class)->constructed (object);

  bind_both_ways (self, "serve", self->serve_switch, "active");
  bind_uint_to_adjustment (self, "port", self->port_adjustment);
  bind_both_ways (self, "listen-all-interfaces", self->listen_all_switch, "active");
  bind_both_ways (self, "autostart", self->autostart_switch, "active");
  bind_uint_to_adjustment (self, "interval-ms", self->interval_adjustment);
  bind_both_ways (self, "random-events", self->random_events_switch, "active");
  bind_both_ways (self, "random-events-per-hour", self->events_adjustment, "value");
  g_object_bind_property (self->settings, "random-events", self->events_rate_row, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (self->settings, "chart-window-seconds", self->span_row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               seconds_to_span_index, span_index_to_seconds, NULL, NULL);

  show_token (self);
  g_signal_connect_object (self->settings, "notify::token", G_CALLBACK (show_token), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->token_row, "apply", G_CALLBACK (on_token_applied), self, G_CONNECT_SWAPPED);
}

static void
heart_preferences_window_dispose (GObject *object)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_preferences_window_parent_class)->dispose (object);
}

static void
heart_preferences_window_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_preferences_window_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  HeartPreferencesWindow *self = HEART_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_preferences_window_class_init (HeartPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = heart_preferences_window_constructed;
  object_class->dispose = heart_preferences_window_dispose;
  object_class->get_property = heart_preferences_window_get_property;
  object_class->set_property = heart_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, HEART_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heartsim/Heartsim/ui/heart-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, serve_switch);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, port_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, listen_all_switch);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, token_row);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, interval_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, random_events_switch);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, events_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, events_rate_row);
  gtk_widget_class_bind_template_child (widget_class, HeartPreferencesWindow, span_row);

  gtk_widget_class_install_action (widget_class, "prefs.copy-token", NULL, copy_token);
  gtk_widget_class_install_action (widget_class, "prefs.new-token", NULL, new_token);
}

static void
heart_preferences_window_init (HeartPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HeartPreferencesWindow *
heart_preferences_window_new (HeartSettings *settings)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (settings), NULL);

  return g_object_new (HEART_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
