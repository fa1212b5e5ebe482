/* heart-source-panel.c: the side panel's source group
 *
 * What is served and shown: the simulation, a file replayed with its
 * position, speed and loop, or a Bluetooth strap with its state, skin
 * contact and battery. The switch's current source is read each time
 * something changes, never kept, so a switch made over POST /source shows
 * at once (docs/desktop.md, Source). Speed and loop are the settings for
 * the next file opened in the window, and the current replay's own while
 * one plays; a replay started over the API keeps its own until the user
 * changes them here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-source-panel.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "heart-label.h"
#include "heart-replay.h"
#include "heart-sensor-text.h"
#include "heart-sensor.h"

/* The speeds offered; a replay at another speed (from the command line or
 * POST /source) is listed too, where it falls */
static const double speed_presets[] = { 0.5, 1, 2, 5, 10, 20, 50, 100 };

struct _HeartSourcePanel
{
  GtkWidget          parent_instance;

  HeartSourceSwitch *source;
  HeartSettings     *settings;
  GSignalGroup      *source_signals;
  GSignalGroup      *replay_signals;
  GSignalGroup      *sensor_signals;
  GArray            *speeds;        /* double, in the order of speed_names */
  gboolean           updating;      /* showing a value, not a choice of the user's */
  HeartReplay       *measured;      /* the replay length_s was measured for (not a reference) */
  double             length_s;      /* 0 until the file has played to its end */
  double             last_position_s;

  /* template widgets */
  AdwActionRow      *source_row;
  AdwActionRow      *position_row;
  GtkLabel          *position_label;
  GtkButton         *play_button;
  AdwComboRow       *speed_row;
  GtkStringList     *speed_names;
  GtkSwitch         *loop_switch;
  GtkLabel          *battery_label;
  GtkImage          *contact_image;
};

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartSourcePanel, heart_source_panel, GTK_TYPE_WIDGET)

static HeartReplay *
current_replay (HeartSourcePanel *self)
{
  HeartSource *current = self->source != NULL ? heart_source_switch_get_source (self->source) : NULL;

  return HEART_IS_REPLAY (current) ? HEART_REPLAY (current) : NULL;
}

static HeartSensor *
current_sensor (HeartSourcePanel *self)
{
  HeartSource *current = self->source != NULL ? heart_source_switch_get_source (self->source) : NULL;

  return HEART_IS_SENSOR (current) ? HEART_SENSOR (current) : NULL;
}

static double
shown_speed (HeartSourcePanel *self)
{
  HeartReplay *replay = current_replay (self);

  if (replay != NULL)
    return heart_replay_get_speed (replay);
  return self->settings != NULL ? heart_settings_get_replay_speed (self->settings) : 1;
}

static gboolean
same_speed (double a,
            double b)
{
  return fabs (a - b) < 1e-9;
}

/* The presets, and the speed shown when it is none of them */
static void
show_speed (HeartSourcePanel *self)
{
  double speed = shown_speed (self);
  g_autoptr(GArray) speeds = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean listed = FALSE;
  guint selected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (speed_presets); i++)
    {
      if (!listed && speed < speed_presets[i] && !same_speed (speed, speed_presets[i]))
        {
          g_array_append_val (speeds, speed);
          listed = TRUE;
        }
      listed |= same_speed (speed, speed_presets[i]);
      g_array_append_val (speeds, speed_presets[i]);
    }
  if (!listed)
    g_array_append_val (speeds, speed);
  for (guint i = 0; i < speeds->len; i++)
    if (same_speed (g_array_index (speeds, double, i), speed))
      selected = i;

  self->updating = TRUE;
  if (speeds->len != self->speeds->len
      || memcmp (speeds->data, self->speeds->data, speeds->len * sizeof (double)) != 0)
    {
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < speeds->len; i++)
        /* Translators: a replay speed, "0.5×", "10×" */
        g_ptr_array_add (names, g_strdup_printf (_("%g×"), g_array_index (speeds, double, i)));
      g_ptr_array_add (names, NULL);
      g_array_set_size (self->speeds, 0);
      g_array_append_vals (self->speeds, speeds->data, speeds->len);
      gtk_string_list_splice (self->speed_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->speed_names)),
                              (const char * const *) names->pdata);
    }
  adw_combo_row_set_selected (self->speed_row, selected);
  self->updating = FALSE;
}

static void
on_speed_selected (HeartSourcePanel *self)
{
  guint selected = adw_combo_row_get_selected (self->speed_row);
  HeartReplay *replay = current_replay (self);
  double speed;

  if (self->updating || selected >= self->speeds->len)
    return;
  speed = g_array_index (self->speeds, double, selected);
  if (self->settings != NULL)
    g_object_set (self->settings, "replay-speed", speed, NULL);
  if (replay != NULL)
    heart_replay_set_speed (replay, speed, NULL);
}

static void
show_loop (HeartSourcePanel *self)
{
  HeartReplay *replay = current_replay (self);
  gboolean loop = replay != NULL ? heart_replay_get_loop (replay)
                                 : self->settings != NULL && heart_settings_get_replay_loop (self->settings);

  self->updating = TRUE;
  gtk_switch_set_active (self->loop_switch, loop);
  self->updating = FALSE;
}

static void
on_loop_switched (HeartSourcePanel *self)
{
  HeartReplay *replay = current_replay (self);
  gboolean loop = gtk_switch_get_active (self->loop_switch);

  if (self->updating)
    return;
  if (self->settings != NULL)
    g_object_set (self->settings, "replay-loop", loop, NULL);
  if (replay != NULL)
    heart_replay_set_loop (replay, loop);
}

/* "Playing", "Paused", "Ended", or why it failed */
static char *
describe_state (HeartReplay *replay)
{
  const char *state = heart_replay_get_state (replay);
  const GError *error = heart_replay_get_error (replay);

  if (g_str_equal (state, "playing"))
    return g_strdup (_("Playing"));
  if (g_str_equal (state, "ended"))
    return g_strdup (_("Ended"));
  if (g_str_equal (state, "failed"))
    /* Translators: %s is why a replay stopped, naming the file and the line */
    return g_strdup_printf (_("Failed: %s"), error != NULL ? error->message : "");
  return g_strdup (_("Paused"));
}

/* The length is known once the file has played to its end: the replay
 * reads as it plays and never holds the file whole (docs/replay.md) */
static void
show_position (HeartSourcePanel *self)
{
  HeartReplay *replay = current_replay (self);
  g_autofree char *position = NULL;
  g_autofree char *length = NULL;
  g_autofree char *state = NULL;
  double position_s;

  if (replay == NULL)
    return;
  if (replay != self->measured)
    {
      self->measured = replay;
      self->length_s = 0;
      self->last_position_s = 0;
    }
  position_s = heart_replay_get_position (replay);
  if (g_str_equal (heart_replay_get_state (replay), "ended"))
    self->length_s = MAX (self->length_s, position_s);
  else if (position_s + 1e-9 < self->last_position_s)
    self->length_s = MAX (self->length_s, self->last_position_s);   /* looped */
  self->last_position_s = position_s;

  position = heart_format_clock (position_s);
  if (self->length_s > 0)
    {
      length = heart_format_clock (self->length_s);
      /* Translators: a replay's position in the file / the file's length */
      heart_label_set_printf (self->position_label, _("%s / %s"), position, length);
    }
  else
    /* Translators: a replay's position, while the file's length is not known yet */
    heart_label_set_printf (self->position_label, _("%s / ?"), position);
  state = describe_state (replay);
  adw_action_row_set_subtitle (self->position_row, state);
}

/* The strap's name, its state in words, skin contact and battery */
static void
show_sensor (HeartSourcePanel *self)
{
  HeartSensor *sensor = current_sensor (self);
  const char *contact;
  const char *contact_text;
  int battery;

  gtk_widget_set_visible (GTK_WIDGET (self->contact_image), sensor != NULL);
  if (sensor == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->battery_label), FALSE);
      return;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->source_row), heart_sensor_text_name (sensor));
  adw_action_row_set_subtitle (self->source_row, heart_sensor_text_state (sensor, FALSE));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_row),
                               heart_sensor_get_device_address (sensor) != NULL
                               ? heart_sensor_get_device_address (sensor) : heart_sensor_get_address (sensor));

  contact = heart_sensor_get_contact (sensor);
  contact_text = heart_sensor_text_contact (contact);
  gtk_image_set_from_icon_name (self->contact_image, heart_sensor_icon_contact (contact));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->contact_image), contact_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->contact_image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, contact_text, -1);
  if (g_strcmp0 (contact, "not-detected") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->contact_image), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->contact_image), "warning");
  if (g_strcmp0 (contact, "detected") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->contact_image), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->contact_image), "success");

  battery = heart_sensor_get_battery (sensor);
  if (battery >= 0)
    {
      /* Translators: a strap's battery level; keep the %% */
      heart_label_set_printf (self->battery_label, _("%d %%"), battery);
      /* Translators: the battery level read aloud; %d is the percentage */
      heart_widget_set_accessible_printf (GTK_WIDGET (self->battery_label), _("Battery %d %%"), battery);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->battery_label), battery >= 0);
}

static void
show_running (HeartSourcePanel *self)
{
  gboolean running = self->source != NULL && heart_source_get_running (HEART_SOURCE (self->source));

  gtk_button_set_icon_name (self->play_button,
                            running ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
}

/* Everything, for the source the switch serves now */
static void
show_source (HeartSourcePanel *self)
{
  HeartReplay *replay = current_replay (self);
  HeartSensor *sensor = current_sensor (self);

  g_signal_group_set_target (self->replay_signals, replay);
  g_signal_group_set_target (self->sensor_signals, sensor);
  if (replay != NULL)
    {
      g_autofree char *name = g_path_get_basename (heart_replay_get_path (replay));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->source_row), name);
      adw_action_row_set_subtitle (self->source_row, heart_replay_get_detected (replay));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_row), heart_replay_get_path (replay));
      show_position (self);
    }
  else if (sensor == NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->source_row), _("Simulation"));
      adw_action_row_set_subtitle (self->source_row, _("The simulated person; open a recording or a CSV file to replay it instead"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_row), NULL);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->position_row), replay != NULL);
  show_sensor (self);   /* a strap's name and indicators, or none */
  show_speed (self);
  show_loop (self);
  show_running (self);
}

/* ---------------------------------------------------------------- GObject */

static void
heart_source_panel_dispose (GObject *object)
{
  HeartSourcePanel *self = HEART_SOURCE_PANEL (object);
  GtkWidget *child;

  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  if (self->replay_signals != NULL)
    g_signal_group_set_target (self->replay_signals, NULL);
  if (self->sensor_signals != NULL)
    g_signal_group_set_target (self->sensor_signals, NULL);
  g_clear_object (&self->source_signals);
  g_clear_object (&self->replay_signals);
  g_clear_object (&self->sensor_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_SOURCE_PANEL);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  self->measured = NULL;
  g_clear_object (&self->source);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_source_panel_parent_class)->dispose (object);
}

static void
heart_source_panel_finalize (GObject *object)
{
  HeartSourcePanel *self = HEART_SOURCE_PANEL (object);

  g_clear_pointer (&self->speeds, g_array_unref);
  G_OBJECT_CLASS (heart_source_panel_parent_class)->finalize (object);
}

static void
heart_source_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HeartSourcePanel *self = HEART_SOURCE_PANEL (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_source_panel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HeartSourcePanel *self = HEART_SOURCE_PANEL (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      heart_source_panel_set_source (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      heart_source_panel_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_source_panel_class_init (HeartSourcePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_source_panel_dispose;
  object_class->finalize = heart_source_panel_finalize;
  object_class->get_property = heart_source_panel_get_property;
  object_class->set_property = heart_source_panel_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE_SWITCH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, HEART_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heartsim/Heartsim/ui/heart-source-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, source_row);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, position_row);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, position_label);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, play_button);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, speed_row);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, speed_names);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, loop_switch);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, battery_label);
  gtk_widget_class_bind_template_child (widget_class, HeartSourcePanel, contact_image);
  /* Not kept, but tests find them */
  gtk_widget_class_bind_template_child_full (widget_class, "open_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "simulation_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "sensor_button", FALSE, 0);
  gtk_widget_class_set_css_name (widget_class, "heartsourcepanel");
}

static void
heart_source_panel_init (HeartSourcePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->speeds = g_array_new (FALSE, FALSE, sizeof (double));

  self->source_signals = g_signal_group_new (HEART_TYPE_SOURCE_SWITCH);
  g_signal_group_connect_swapped (self->source_signals, "notify::source", G_CALLBACK (show_source), self);
  g_signal_group_connect_swapped (self->source_signals, "notify::running", G_CALLBACK (show_running), self);
  /* the replay's position moves with every sample it plays, unnotified */
  g_signal_group_connect_swapped (self->source_signals, "sample", G_CALLBACK (show_position), self);

  self->replay_signals = g_signal_group_new (HEART_TYPE_REPLAY);
  g_signal_group_connect_swapped (self->replay_signals, "notify::position-s", G_CALLBACK (show_position), self);
  g_signal_group_connect_swapped (self->replay_signals, "notify::state", G_CALLBACK (show_position), self);
  g_signal_group_connect_swapped (self->replay_signals, "notify::error", G_CALLBACK (show_position), self);
  g_signal_group_connect_swapped (self->replay_signals, "notify::speed", G_CALLBACK (show_speed), self);
  g_signal_group_connect_swapped (self->replay_signals, "notify::loop", G_CALLBACK (show_loop), self);

  self->sensor_signals = g_signal_group_new (HEART_TYPE_SENSOR);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::state", G_CALLBACK (show_sensor), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::unavailable-reason", G_CALLBACK (show_sensor), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::device-name", G_CALLBACK (show_sensor), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::device-address", G_CALLBACK (show_sensor), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::contact", G_CALLBACK (show_sensor), self);
  g_signal_group_connect_swapped (self->sensor_signals, "notify::battery", G_CALLBACK (show_sensor), self);

  g_signal_connect_object (self->speed_row, "notify::selected", G_CALLBACK (on_speed_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->loop_switch, "notify::active", G_CALLBACK (on_loop_switched),
                           self, G_CONNECT_SWAPPED);
  show_source (self);
}

GtkWidget *
heart_source_panel_new (void)
{
  return g_object_new (HEART_TYPE_SOURCE_PANEL, NULL);
}

HeartSourceSwitch *
heart_source_panel_get_source (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), NULL);
  return self->source;
}

void
heart_source_panel_set_source (HeartSourcePanel  *self,
                               HeartSourceSwitch *source)
{
  g_return_if_fail (HEART_IS_SOURCE_PANEL (self));
  g_return_if_fail (HEART_IS_SOURCE_SWITCH (source));
  g_return_if_fail (self->source == NULL || self->source == source);

  if (!g_set_object (&self->source, source))
    return;
  g_signal_group_set_target (self->source_signals, source);
  show_source (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

HeartSettings *
heart_source_panel_get_settings (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), NULL);
  return self->settings;
}

void
heart_source_panel_set_settings (HeartSourcePanel *self,
                                 HeartSettings    *settings)
{
  g_return_if_fail (HEART_IS_SOURCE_PANEL (self));
  g_return_if_fail (HEART_IS_SETTINGS (settings));
  g_return_if_fail (self->settings == NULL || self->settings == settings);

  if (!g_set_object (&self->settings, settings))
    return;
  /* without a replay, the rows show the settings the next file gets */
  g_signal_connect_object (settings, "notify::replay-speed", G_CALLBACK (show_speed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "notify::replay-loop", G_CALLBACK (show_loop), self, G_CONNECT_SWAPPED);
  show_speed (self);
  show_loop (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

const char *
heart_source_panel_get_title (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), NULL);
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->source_row));
}

const char *
heart_source_panel_get_subtitle (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), NULL);
  return adw_action_row_get_subtitle (self->source_row);
}

const char *
heart_source_panel_get_position_text (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), NULL);
  return gtk_label_get_label (self->position_label);
}

double
heart_source_panel_get_speed (HeartSourcePanel *self)
{
  guint selected;

  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), 1);
  selected = adw_combo_row_get_selected (self->speed_row);
  return selected < self->speeds->len ? g_array_index (self->speeds, double, selected) : 1;
}

void
heart_source_panel_set_speed (HeartSourcePanel *self,
                              double            speed)
{
  g_return_if_fail (HEART_IS_SOURCE_PANEL (self));

  for (guint i = 0; i < self->speeds->len; i++)
    if (same_speed (g_array_index (self->speeds, double, i), speed))
      {
        adw_combo_row_set_selected (self->speed_row, i);
        return;
      }
  g_critical ("%s: %g× is not listed", G_STRFUNC, speed);
}

gboolean
heart_source_panel_get_loop (HeartSourcePanel *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_PANEL (self), FALSE);
  return gtk_switch_get_active (self->loop_switch);
}
