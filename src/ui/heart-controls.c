/* heart-controls.c: the side panel's simulation controls
 *
 * The sliders are bound to the simulator and the settings; the presets and
 * the switch are actions of the application. The controls hold no state of
 * their own beyond what is on screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-controls.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "heart-binding.h"
#include "heart-label.h"

struct _HeartControls
{
  GtkWidget       parent_instance;

  HeartSimulator *simulator;
  HeartSettings  *settings;
  GSignalGroup   *settings_signals;

  /* template widgets */
  GtkAdjustment  *baseline_adjustment;
  GtkAdjustment  *stress_adjustment;
  GtkAdjustment  *event_level_adjustment;
  GtkLabel       *baseline_value_label;
  GtkLabel       *stress_value_label;
  GtkLabel       *event_level_value_label;
  AdwActionRow   *random_events_row;
};

enum {
  PROP_0,
  PROP_SIMULATOR,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartControls, heart_controls, GTK_TYPE_WIDGET)

static void
show_slider_values (HeartControls *self)
{
  heart_label_set_printf (self->baseline_value_label, _("%.0f bpm"),
                          gtk_adjustment_get_value (self->baseline_adjustment));
  heart_label_set_printf (self->stress_value_label, _("%.0f %%"),
                          gtk_adjustment_get_value (self->stress_adjustment) * 100);
  heart_label_set_printf (self->event_level_value_label, _("%.0f %%"),
                          gtk_adjustment_get_value (self->event_level_adjustment) * 100);
}

static void
show_random_events (HeartControls *self)
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
heart_controls_dispose (GObject *object)
{
  HeartControls *self = HEART_CONTROLS (object);
  GtkWidget *child;

  if (self->settings_signals != NULL)
    g_signal_group_set_target (self->settings_signals, NULL);
  g_clear_object (&self->settings_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_CONTROLS);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->simulator);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_controls_parent_class)->dispose (object);
}

static void
heart_controls_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HeartControls *self = HEART_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      g_value_set_object (value, self->simulator);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_controls_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HeartControls *self = HEART_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      heart_controls_set_simulator (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      heart_controls_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_controls_class_init (HeartControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_controls_dispose;
  object_class->get_property = heart_controls_get_property;
  object_class->set_property = heart_controls_set_property;

  properties[PROP_SIMULATOR] =
    g_param_spec_object ("simulator", NULL, NULL, HEART_TYPE_SIMULATOR,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, HEART_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartControls, baseline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, stress_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, event_level_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, baseline_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, stress_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, event_level_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, random_events_row);
  gtk_widget_class_set_css_name (widget_class, "heartcontrols");
}

static void
heart_controls_init (HeartControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings_signals = g_signal_group_new (HEART_TYPE_SETTINGS);
  g_signal_group_connect_swapped (self->settings_signals, "notify::random-events",
                                  G_CALLBACK (show_random_events), self);
  g_signal_group_connect_swapped (self->settings_signals, "notify::random-events-per-hour",
                                  G_CALLBACK (show_random_events), self);

  g_signal_connect_object (self->baseline_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stress_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->event_level_adjustment, "value-changed",
                           G_CALLBACK (show_slider_values), self, G_CONNECT_SWAPPED);
  show_slider_values (self);
}

GtkWidget *
heart_controls_new (void)
{
  return g_object_new (HEART_TYPE_CONTROLS, NULL);
}

HeartSimulator *
heart_controls_get_simulator (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return self->simulator;
}

void
heart_controls_set_simulator (HeartControls  *self,
                              HeartSimulator *simulator)
{
  g_return_if_fail (HEART_IS_CONTROLS (self));
  g_return_if_fail (HEART_IS_SIMULATOR (simulator));
  /* The bindings last as long as both ends: set once */
  g_return_if_fail (self->simulator == NULL || self->simulator == simulator);

  if (!g_set_object (&self->simulator, simulator))
    return;
  g_object_bind_property_full (simulator, "baseline-bpm",
                               self->baseline_adjustment, "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               heart_binding_uint_to_double, heart_binding_double_to_rounded_uint, NULL, NULL);
  g_object_bind_property (simulator, "stress-level",
                          self->stress_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIMULATOR]);
}

HeartSettings *
heart_controls_get_settings (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return self->settings;
}

void
heart_controls_set_settings (HeartControls *self,
                             HeartSettings *settings)
{
  g_return_if_fail (HEART_IS_CONTROLS (self));
  g_return_if_fail (HEART_IS_SETTINGS (settings));
  g_return_if_fail (self->settings == NULL || self->settings == settings);

  if (!g_set_object (&self->settings, settings))
    return;
  g_object_bind_property (settings, "stress-event-level",
                          self->event_level_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_group_set_target (self->settings_signals, settings);
  show_random_events (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

GtkAdjustment *
heart_controls_get_baseline_adjustment (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return self->baseline_adjustment;
}

GtkAdjustment *
heart_controls_get_stress_adjustment (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return self->stress_adjustment;
}

GtkAdjustment *
heart_controls_get_event_level_adjustment (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return self->event_level_adjustment;
}
