/* heart-controls.c: the side panel's simulation and scenario controls
 *
 * The sliders are bound to the simulator and the settings; the switch is
 * an action of the application, the profile menu and the activity and
 * scenario buttons actions of the window. Beyond what is on screen the controls hold only the
 * scenarios one can pick: the bundled ones and the files opened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-controls.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "heart-binding.h"
#include "heart-chart-data.h"
#include "heart-label.h"
#include "heart-scenario-file.h"

/* The bundled scenario picked at first */
#define DEFAULT_SCENARIO "demo"

typedef struct
{
  char          *bundled;    /* a bundled scenario's name, or NULL */
  char          *path;       /* an opened file, or NULL */
  HeartScenario *scenario;   /* loaded when first picked */
} ScenarioEntry;

struct _HeartControls
{
  GtkWidget       parent_instance;

  HeartSimulator *simulator;
  GBinding       *baseline_binding;   /* to the simulator, until another is set */
  GBinding       *stress_binding;
  HeartSettings  *settings;
  GSignalGroup   *settings_signals;
  GSignalGroup   *simulator_signals;
  GPtrArray      *entries;      /* ScenarioEntry, in the order of scenario_names */

  /* template widgets */
  GtkWidget      *simulation_group;
  GtkWidget      *scenario_group;
  GtkAdjustment  *baseline_adjustment;
  GtkAdjustment  *stress_adjustment;
  GtkAdjustment  *event_level_adjustment;
  GtkScale       *baseline_scale;
  GtkScale       *stress_scale;
  GtkScale       *event_level_scale;
  GtkLabel       *baseline_value_label;
  GtkLabel       *stress_value_label;
  GtkLabel       *event_level_value_label;
  AdwActionRow   *random_events_row;
  AdwActionRow   *profile_row;
  GtkMenuButton  *profile_button;
  AdwComboRow    *scenario_row;
  GtkStringList  *scenario_names;
  GtkLabel       *progress_title;
  GtkLabel       *progress_time;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_caption;
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
  /* a screen reader says what the label beside the slider says */
  heart_widget_set_value_text_printf (GTK_WIDGET (self->baseline_scale), "%s",
                                      gtk_label_get_label (self->baseline_value_label));
  heart_widget_set_value_text_printf (GTK_WIDGET (self->stress_scale), "%s",
                                      gtk_label_get_label (self->stress_value_label));
  heart_widget_set_value_text_printf (GTK_WIDGET (self->event_level_scale), "%s",
                                      gtk_label_get_label (self->event_level_value_label));
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

/* ---------------------------------------------------------------- profile */

/* The words of the profile menu (heart-controls.ui) and a line on each
 * (docs/model.md, "Profiles") */
static void
profile_words (const char  *profile,
               const char **display,
               const char **subtitle)
{
  static const struct {
    const char *name;
    const char *display;
    const char *subtitle;
  } words[] = {
    { "average", NC_("profile", "Average"), N_("35, resting at 72 bpm") },
    { "athlete", NC_("profile", "Athlete"), N_("28, fit, resting at 52 bpm") },
    { "older-adult", NC_("profile", "Older Adult"), N_("70, resting at 68 bpm") },
    { "anxious", NC_("profile", "Anxious"), N_("30, tense, resting at 78 bpm") },
  };

  *display = profile;
  *subtitle = NULL;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (profile, words[i].name) == 0)
      {
        *display = g_dpgettext2 (GETTEXT_PACKAGE, "profile", words[i].display);
        *subtitle = _(words[i].subtitle);
      }
}

/* The menu's radio items follow win.profile; the button says who it is */
static void
show_profile (HeartControls *self)
{
  const char *profile = self->simulator != NULL ? heart_simulator_get_profile (self->simulator) : NULL;
  const char *display;
  const char *subtitle;
  g_autofree char *name = NULL;

  profile_words (profile, &display, &subtitle);
  gtk_menu_button_set_label (self->profile_button, display != NULL ? display : "–");
  /* Translators: the accessible name of the person menu, with the person chosen */
  name = g_strdup_printf (_("Person: %s"), display != NULL ? display : _("none"));
  heart_menu_button_set_accessible_label (self->profile_button, name);
  adw_action_row_set_subtitle (self->profile_row, subtitle != NULL ? subtitle : "");
}

/* ---------------------------------------------------------------- scenarios */

static void
scenario_entry_free (gpointer data)
{
  ScenarioEntry *entry = data;

  g_free (entry->bundled);
  g_free (entry->path);
  g_clear_pointer (&entry->scenario, heart_scenario_unref);
  g_free (entry);
}

static ScenarioEntry *
selected_entry (HeartControls *self)
{
  guint selected = adw_combo_row_get_selected (self->scenario_row);

  return selected < self->entries->len ? g_ptr_array_index (self->entries, selected) : NULL;
}

/* Bundled scenarios are read when first picked; they are checked at build
 * time, so reading one does not fail in practice */
static HeartScenario *
entry_scenario (ScenarioEntry *entry,
                GError       **error)
{
  if (entry->scenario == NULL && entry->bundled != NULL)
    entry->scenario = heart_scenario_load_bundled (entry->bundled, error);
  else if (entry->scenario == NULL)
    g_set_error_literal (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_NOT_FOUND,
                         _("No scenario is chosen"));
  return entry->scenario;
}

static char *
describe_phases (const HeartScenario *scenario)
{
  GString *text = g_string_new (NULL);
  guint n_phases = heart_scenario_get_n_phases (scenario);
  g_autofree char *total = heart_format_clock (heart_scenario_get_duration (scenario));

  g_string_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u phase in %s", "%u phases in %s", n_phases),
                   n_phases, total);
  for (guint i = 0; i < n_phases; i++)
    {
      g_autofree char *name = heart_chart_data_display_name (heart_scenario_get_phase (scenario, i)->name);

      /* Translators: between the list of phases and the first one, then between phases */
      g_string_append (text, i == 0 ? _(": ") : _(", "));
      g_string_append (text, name);
    }
  return g_string_free (text, FALSE);
}

/* What runs, how far it is, and what is left; or, with nothing running, what
 * the picked scenario would do */
static void
show_progress (HeartControls *self)
{
  HeartScenario *running = self->simulator != NULL ? heart_simulator_get_scenario (self->simulator) : NULL;
  ScenarioEntry *entry = selected_entry (self);

  if (running != NULL)
    {
      double elapsed = heart_simulator_get_scenario_elapsed (self->simulator);
      double duration = heart_scenario_get_duration (running);
      int phase = heart_simulator_get_phase (self->simulator);
      g_autofree char *name = heart_chart_data_display_name (heart_simulator_get_condition (self->simulator));
      g_autofree char *scenario_name = heart_chart_data_display_name (heart_scenario_get_name (running));
      g_autofree char *elapsed_text = heart_format_clock (elapsed);
      g_autofree char *duration_text = heart_format_clock (duration);
      g_autofree char *left_text = heart_format_clock (MAX (duration - elapsed, 0));

      /* Translators: the phase under way, its number and how many there are */
      heart_label_set_printf (self->progress_title, _("%s · phase %d of %u"),
                              name, phase + 1, heart_scenario_get_n_phases (running));
      /* Translators: time into the scenario / its length */
      heart_label_set_printf (self->progress_time, _("%s / %s"), elapsed_text, duration_text);
      /* Translators: the scenario under way and the time it has left */
      heart_label_set_printf (self->progress_caption, _("%s: %s left"), scenario_name, left_text);
      gtk_progress_bar_set_fraction (self->progress_bar, duration > 0 ? CLAMP (elapsed / duration, 0, 1) : 0);
      return;
    }

  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->progress_title, _("Not running"));
  if (entry != NULL && entry->scenario != NULL)
    {
      g_autofree char *plan = describe_phases (entry->scenario);
      g_autofree char *total = heart_format_clock (heart_scenario_get_duration (entry->scenario));

      gtk_label_set_label (self->progress_time, total);
      gtk_label_set_label (self->progress_caption, plan);
    }
  else
    {
      gtk_label_set_label (self->progress_time, "");
      gtk_label_set_label (self->progress_caption, "");
    }
}

static void
on_scenario_selected (HeartControls *self)
{
  ScenarioEntry *entry = selected_entry (self);
  g_autoptr(GError) error = NULL;
  HeartScenario *scenario;

  if (entry == NULL)
    return;
  scenario = entry_scenario (entry, &error);
  if (scenario == NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scenario_row), error != NULL ? error->message : "");
  else if (entry->path != NULL)
    {
      g_autofree char *basename = g_path_get_basename (entry->path);
      /* Translators: a scenario file's description, then its file name */
      g_autofree char *subtitle = g_strdup_printf (_("%s (%s)"), heart_scenario_get_description (scenario),
                                                   basename);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scenario_row), subtitle);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->scenario_row),
                                 heart_scenario_get_description (scenario));
  show_progress (self);
}

static void
add_bundled_scenarios (HeartControls *self)
{
  g_auto(GStrv) names = heart_scenario_list_bundled ();
  guint preferred = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      ScenarioEntry *entry = g_new0 (ScenarioEntry, 1);
      g_autofree char *display = heart_chart_data_display_name (names[i]);

      entry->bundled = g_strdup (names[i]);
      g_ptr_array_add (self->entries, entry);
      gtk_string_list_append (self->scenario_names, display);
      if (g_str_equal (names[i], DEFAULT_SCENARIO))
        preferred = i;
    }
  adw_combo_row_set_selected (self->scenario_row, preferred);
}

/* ---------------------------------------------------------------- GObject */

static void
unbind_simulator (HeartControls *self)
{
  /* the bindings hold no reference of their own: a weak pointer each */
  if (self->baseline_binding != NULL)
    g_binding_unbind (self->baseline_binding);
  if (self->stress_binding != NULL)
    g_binding_unbind (self->stress_binding);
  g_clear_weak_pointer (&self->baseline_binding);
  g_clear_weak_pointer (&self->stress_binding);
}

static void
heart_controls_dispose (GObject *object)
{
  HeartControls *self = HEART_CONTROLS (object);
  GtkWidget *child;

  if (self->settings_signals != NULL)
    g_signal_group_set_target (self->settings_signals, NULL);
  if (self->simulator_signals != NULL)
    g_signal_group_set_target (self->simulator_signals, NULL);
  g_clear_object (&self->settings_signals);
  g_clear_object (&self->simulator_signals);
  unbind_simulator (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_CONTROLS);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->simulator);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_controls_parent_class)->dispose (object);
}

static void
heart_controls_finalize (GObject *object)
{
  HeartControls *self = HEART_CONTROLS (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  G_OBJECT_CLASS (heart_controls_parent_class)->finalize (object);
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
  object_class->finalize = heart_controls_finalize;
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
  gtk_widget_class_bind_template_child (widget_class, HeartControls, simulation_group);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, scenario_group);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, baseline_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, stress_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, event_level_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, baseline_scale);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, stress_scale);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, event_level_scale);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, baseline_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, stress_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, event_level_value_label);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, random_events_row);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, profile_row);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, profile_button);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, scenario_row);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, scenario_names);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, progress_title);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, progress_time);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, HeartControls, progress_caption);
  /* Not kept, but tests find them */
  gtk_widget_class_bind_template_child_full (widget_class, "run_scenario_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "stop_scenario_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "activity_buttons", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "activity_title", FALSE, 0);
  gtk_widget_class_set_css_name (widget_class, "heartcontrols");
}

static void
heart_controls_init (HeartControls *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_ptr_array_new_with_free_func (scenario_entry_free);

  self->simulator_signals = g_signal_group_new (HEART_TYPE_SIMULATOR);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::scenario",
                                  G_CALLBACK (show_progress), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::condition",
                                  G_CALLBACK (show_progress), self);
  g_signal_group_connect_swapped (self->simulator_signals, "sample",
                                  G_CALLBACK (show_progress), self);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::profile",
                                  G_CALLBACK (show_profile), self);

  g_signal_connect_object (self->scenario_row, "notify::selected",
                           G_CALLBACK (on_scenario_selected), self, G_CONNECT_SWAPPED);
  add_bundled_scenarios (self);
  on_scenario_selected (self);

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

  if (!g_set_object (&self->simulator, simulator))
    return;
  /* the window shows another subject: the sliders follow its simulator
   * (docs/desktop.md, "Subjects") */
  unbind_simulator (self);
  g_set_weak_pointer (&self->baseline_binding,
                      g_object_bind_property_full (simulator, "baseline-bpm",
                                                   self->baseline_adjustment, "value",
                                                   G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                                   heart_binding_uint_to_double, heart_binding_double_to_rounded_uint,
                                                   NULL, NULL));
  g_set_weak_pointer (&self->stress_binding,
                      g_object_bind_property (simulator, "stress-level",
                                              self->stress_adjustment, "value",
                                              G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE));
  g_signal_group_set_target (self->simulator_signals, simulator);
  show_progress (self);
  show_profile (self);
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

HeartScenario *
heart_controls_dup_scenario (HeartControls  *self,
                             GError        **error)
{
  ScenarioEntry *entry;
  HeartScenario *scenario;

  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);

  entry = selected_entry (self);
  if (entry == NULL)
    {
      g_set_error_literal (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_NOT_FOUND,
                           _("No scenario is chosen"));
      return NULL;
    }
  scenario = entry_scenario (entry, error);
  return scenario != NULL ? heart_scenario_ref (scenario) : NULL;
}

void
heart_controls_add_scenario (HeartControls *self,
                             HeartScenario *scenario,
                             const char    *path)
{
  g_autofree char *display = NULL;
  ScenarioEntry *entry = NULL;
  guint index;

  g_return_if_fail (HEART_IS_CONTROLS (self));
  g_return_if_fail (scenario != NULL);
  g_return_if_fail (path != NULL);

  /* A file opened again replaces what was read from it before */
  for (index = 0; index < self->entries->len; index++)
    {
      entry = g_ptr_array_index (self->entries, index);
      if (g_strcmp0 (entry->path, path) == 0)
        break;
    }

  display = heart_chart_data_display_name (heart_scenario_get_name (scenario));
  if (index == self->entries->len)
    {
      entry = g_new0 (ScenarioEntry, 1);
      entry->path = g_strdup (path);
      g_ptr_array_add (self->entries, entry);
      gtk_string_list_append (self->scenario_names, display);
    }
  else
    gtk_string_list_splice (self->scenario_names, index, 1, (const char * const[]) { display, NULL });

  g_clear_pointer (&entry->scenario, heart_scenario_unref);
  entry->scenario = heart_scenario_ref (scenario);
  if (adw_combo_row_get_selected (self->scenario_row) == index)
    on_scenario_selected (self);
  else
    adw_combo_row_set_selected (self->scenario_row, index);
}

void
heart_controls_set_simulating (HeartControls *self,
                               const char    *why)
{
  gboolean simulating = why == NULL;

  g_return_if_fail (HEART_IS_CONTROLS (self));

  gtk_widget_set_sensitive (self->simulation_group, simulating);
  gtk_widget_set_sensitive (self->scenario_group, simulating);
  gtk_widget_set_tooltip_text (self->simulation_group, why);
  gtk_widget_set_tooltip_text (self->scenario_group, why);
}

gboolean
heart_controls_get_simulating (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), FALSE);
  return gtk_widget_get_sensitive (self->simulation_group);
}

guint
heart_controls_get_n_scenarios (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), 0);
  return self->entries->len;
}

const char *
heart_controls_get_profile_text (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return gtk_menu_button_get_label (self->profile_button);
}

const char *
heart_controls_get_progress_text (HeartControls *self)
{
  g_return_val_if_fail (HEART_IS_CONTROLS (self), NULL);
  return gtk_label_get_label (self->progress_title);
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
