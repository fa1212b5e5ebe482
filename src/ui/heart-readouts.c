/* heart-readouts.c: the numbers at the top of the window
 *
 * Each card shows one value of the latest sample; the heart beats with the
 * source's beats. Nothing here changes the simulation. A replayed file may
 * lack a value (NaN in the sample, null in the API, docs/replay.md): its
 * card shows a dash. SpO2 and the skin temperature are captions of the
 * breathing and skin cards, as a seventh card would not fit beside the side
 * panel (docs/desktop.md). What the person does is the simulator's alone
 * (docs/model.md, "Activity"): a replay or a strap shows a dash for it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-readouts.h"

#include <glib/gi18n.h>
#include <math.h>

/* Skin responses are counted over this much simulation time */
#define RESPONSE_WINDOW_S 60.0
/* RMSSD is over the last 30 s of beats: before that, fewer beats say less */
#define RMSSD_WARM_UP_S 30.0

#include "heart-label.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"

struct _HeartReadouts
{
  GtkWidget       parent_instance;

  HeartSource    *source;
  GSignalGroup   *source_signals;
  GSignalGroup   *source_notify;  /* GLib 2.74 finds no "notify" on an interface type */
  GSignalGroup   *simulator_signals;  /* the simulator while it is served */
  GArray         *responses;    /* double: onsets of skin responses, simulation time */
  double          first_t;      /* of the first sample of this source; NAN before */

  /* template widgets */
  GtkWidget      *flow_box;
  HeartPulse     *heart_pulse;
  GtkLabel       *bpm_label;
  GtkLabel       *bpm_caption;
  GtkLabel       *rmssd_label;
  GtkLabel       *variability_caption;
  GtkLabel       *stress_label;
  GtkWidget      *event_badge;
  GtkLevelBar    *stress_bar;
  GtkLabel       *breathing_label;
  GtkLabel       *spo2_label;
  GtkLabel       *skin_label;
  GtkLabel       *skin_caption;
  GtkLabel       *skin_temperature_label;
  GtkLabel       *steps_label;
  GtkLabel       *activity_label;
};

enum {
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartReadouts, heart_readouts, GTK_TYPE_WIDGET)

/* A value the source does not have: a dash, and an accessible name that says so */
static gboolean
show_missing (GtkLabel   *label,
              double      value,
              const char *accessible)
{
  if (isfinite (value))
    return FALSE;
  gtk_label_set_label (label, "–");
  heart_widget_set_accessible_printf (GTK_WIDGET (label), "%s", accessible);
  return TRUE;
}

static void
show_person (HeartReadouts     *self,
             const HeartSample *sample)
{
  double rate = sample->channels[HEART_CHANNEL_RESPIRATORY_RATE];
  double eda = sample->channels[HEART_CHANNEL_EDA];
  guint old = 0;
  guint responses;

  double spo2 = sample->channels[HEART_CHANNEL_SPO2];
  double skin_temperature = sample->channels[HEART_CHANNEL_SKIN_TEMPERATURE];

  if (!show_missing (self->breathing_label, rate, _("Breathing: not known")))
    {
      heart_label_set_printf (self->breathing_label, "%.0f", rate);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->breathing_label),
                                          _("Breathing: %.0f breaths a minute"), rate);
    }

  /* Whole percent and a tenth of a degree, as the API has them (docs/model.md) */
  if (!show_missing (self->spo2_label, spo2, _("Blood oxygen saturation: not known")))
    {
      /* Translators: SpO2 in percent */
      heart_label_set_printf (self->spo2_label, _("%.0f %%"), spo2);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->spo2_label),
                                          _("Blood oxygen saturation: %.0f percent"), spo2);
    }
  if (!show_missing (self->skin_temperature_label, skin_temperature, _("Skin temperature: not known")))
    {
      /* Translators: the skin temperature in degrees Celsius */
      heart_label_set_printf (self->skin_temperature_label, _("%.1f °C"), skin_temperature);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->skin_temperature_label),
                                          _("Skin temperature: %.1f degrees Celsius"), skin_temperature);
    }

  if (show_missing (self->skin_label, eda, _("Skin conductance: not known")))
    {
      gtk_label_set_label (self->skin_caption, "");
      return;
    }
  heart_label_set_printf (self->skin_label, "%.1f", eda);
  heart_widget_set_accessible_printf (GTK_WIDGET (self->skin_label),
                                      _("Skin conductance: %.1f microsiemens"), eda);
  while (old < self->responses->len
         && g_array_index (self->responses, double, old) < sample->t_s - RESPONSE_WINDOW_S)
    old++;
  g_array_remove_range (self->responses, 0, old);
  responses = self->responses->len;
  /* Short, after the temperature: the card is narrow; the tooltip and the
   * accessible name say what it counts */
  /* Translators: skin responses in the last minute, after the skin temperature */
  heart_label_set_printf (self->skin_caption, _("· %u/min"), responses);
  heart_widget_set_accessible_printf (GTK_WIDGET (self->skin_caption),
                                      g_dngettext (GETTEXT_PACKAGE,
                                                   "%u skin response in the last minute",
                                                   "%u skin responses in the last minute", responses),
                                      responses);
}

/* The served source is the simulator (or, without a switch, is one) */
static HeartSimulator *
served_simulator (HeartReadouts *self)
{
  HeartSource *served = self->source;

  if (HEART_IS_SOURCE_SWITCH (served))
    served = heart_source_switch_get_source (HEART_SOURCE_SWITCH (served));
  return HEART_IS_SIMULATOR (served) ? HEART_SIMULATOR (served) : NULL;
}

/* The words of the activity buttons (heart-controls.ui) */
static const char *
activity_display_name (const char *activity)
{
  static const struct {
    const char *name;
    const char *display;
  } names[] = {
    { "rest", NC_("activity", "Rest") },
    { "sitting", NC_("activity", "Sitting") },
    { "walking", NC_("activity", "Walking") },
    { "running", NC_("activity", "Running") },
    { "cycling", NC_("activity", "Cycling") },
    { "sleep", NC_("activity", "Sleep") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (activity, names[i].name) == 0)
      return g_dpgettext2 (GETTEXT_PACKAGE, "activity", names[i].display);
  return activity;
}

/* What the person does, in the words of the buttons: short, so the six
 * cards keep to the readouts' width (heart-readouts.ui) */
static void
show_activity (HeartReadouts *self)
{
  HeartSimulator *simulator = served_simulator (self);
  const char *activity;

  if (simulator == NULL)
    {
      gtk_label_set_label (self->activity_label, "–");
      heart_widget_set_accessible_printf (GTK_WIDGET (self->activity_label), "%s", _("Activity: not known"));
      return;
    }
  activity = activity_display_name (heart_simulator_get_activity (simulator));
  gtk_label_set_label (self->activity_label, activity);
  /* Translators: what the simulated person does ("Walking") */
  heart_widget_set_accessible_printf (GTK_WIDGET (self->activity_label), _("Activity: %s"), activity);
}

static void
show_steps (HeartReadouts     *self,
            const HeartSample *sample)
{
  double steps = sample->channels[HEART_CHANNEL_STEPS_TODAY];

  if (!show_missing (self->steps_label, steps, _("Steps today: not known")))
    {
      heart_label_set_printf (self->steps_label, "%.0f", steps);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->steps_label), _("Steps today: %.0f"), steps);
    }
  show_activity (self);
}

static void
show_sample (HeartReadouts     *self,
             const HeartSample *sample)
{
  gboolean stress_known = isfinite (sample->stress_level);
  int stress_percent = stress_known ? (int) lround (sample->stress_level * 100) : 0;

  heart_label_set_printf (self->bpm_label, "%d", sample->bpm);
  heart_widget_set_accessible_printf (GTK_WIDGET (self->bpm_label),
                                      _("Heart rate: %d beats per minute"), sample->bpm);
  if (sample->baseline_bpm > 0)
    heart_label_set_printf (self->bpm_caption, _("Resting rate %u bpm"), sample->baseline_bpm);
  else
    gtk_label_set_label (self->bpm_caption, _("Beats per minute"));

  if (!isfinite (self->first_t) || sample->t_s < self->first_t)
    self->first_t = sample->t_s;
  if (show_missing (self->rmssd_label, sample->rmssd_ms, _("Heart rate variability: not known")))
    gtk_label_set_label (self->variability_caption, _("RMSSD over 30 s"));
  else if (sample->t_s - self->first_t < RMSSD_WARM_UP_S)
    {
      /* a value from a few beats: shown, but said to be one */
      heart_label_set_printf (self->rmssd_label, "%.0f", sample->rmssd_ms);
      /* Translators: RMSSD has fewer than 30 s of beats yet; the seconds it has */
      heart_label_set_printf (self->variability_caption, _("Warming up: %.0f s of 30"),
                              floor (sample->t_s - self->first_t));
      heart_widget_set_accessible_printf (GTK_WIDGET (self->rmssd_label),
                                          _("Heart rate variability: RMSSD %.0f milliseconds, "
                                            "from under 30 seconds of beats"), sample->rmssd_ms);
    }
  else
    {
      heart_label_set_printf (self->rmssd_label, "%.0f", sample->rmssd_ms);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->rmssd_label),
                                          _("Heart rate variability: RMSSD %.0f milliseconds"),
                                          sample->rmssd_ms);
      if (isfinite (sample->variability))
        heart_label_set_printf (self->variability_caption, _("RMSSD · index %.2f"), sample->variability);
      else
        gtk_label_set_label (self->variability_caption, _("RMSSD over 30 s"));
    }

  if (!show_missing (self->stress_label, sample->stress_level, _("Stress level: not known")))
    {
      heart_label_set_printf (self->stress_label, "%d", stress_percent);
      heart_widget_set_accessible_printf (GTK_WIDGET (self->stress_label),
                                          _("Stress level: %d percent"), stress_percent);
    }
  gtk_level_bar_set_value (self->stress_bar, stress_known ? CLAMP (sample->stress_level, 0, 1) : 0);
  if (stress_known)
    heart_widget_set_value_text_printf (GTK_WIDGET (self->stress_bar), _("%d %%"), stress_percent);
  else
    heart_widget_set_value_text_printf (GTK_WIDGET (self->stress_bar), "%s", _("not known"));
  gtk_widget_set_visible (self->event_badge, sample->event_active);

  show_person (self, sample);
  show_steps (self, sample);
}

static void
on_values (HeartReadouts           *self,
           const HeartChannelValue *values,
           guint                    n_values)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_SCR)
      g_array_append_val (self->responses, values[i].t_s);
}

/* Nothing measured yet: dashes, not the model's resting guess */
static void
show_nothing (HeartReadouts *self)
{
  gtk_label_set_label (self->bpm_label, "–");
  gtk_label_set_label (self->rmssd_label, "–");
  gtk_label_set_label (self->stress_label, "–");
  gtk_label_set_label (self->variability_caption, _("RMSSD over 30 s"));
  gtk_label_set_label (self->breathing_label, "–");
  gtk_label_set_label (self->spo2_label, "–");
  gtk_label_set_label (self->skin_label, "–");
  gtk_label_set_label (self->skin_temperature_label, "–");
  gtk_label_set_label (self->skin_caption, "");
  gtk_label_set_label (self->steps_label, "–");
  show_activity (self);
}

/* A source reports a tick's beats at the tick's end. Replaying each one
 * a tick later keeps their real rhythm instead of bunching them up. */
static void
on_beat (HeartReadouts   *self,
         const HeartBeat *beat)
{
  gint64 interval_us = (gint64) heart_source_get_interval_ms (self->source) * 1000;
  gint64 age_us = g_get_real_time () - beat->timestamp_us;

  heart_pulse_beat_at (self->heart_pulse, g_get_monotonic_time () - age_us + interval_us);
}

static void
on_running_changed (HeartReadouts *self)
{
  gboolean running = self->source != NULL && heart_source_get_running (self->source);

  if (running)
    gtk_widget_remove_css_class (self->flow_box, "stopped");
  else
    gtk_widget_add_css_class (self->flow_box, "stopped");
  if (!running)
    heart_pulse_clear (self->heart_pulse);
}

/* A replay or a strap in the simulator's place, or the simulator back */
static void
on_served_changed (HeartReadouts *self)
{
  g_signal_group_set_target (self->simulator_signals, served_simulator (self));
  /* another source: its variability warms up again */
  self->first_t = NAN;
  show_activity (self);
}

static void
heart_readouts_dispose (GObject *object)
{
  HeartReadouts *self = HEART_READOUTS (object);
  GtkWidget *child;

  /* Before the widgets go: no handler may run on a half-destroyed widget */
  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  if (self->source_notify != NULL)
    g_signal_group_set_target (self->source_notify, NULL);
  if (self->simulator_signals != NULL)
    g_signal_group_set_target (self->simulator_signals, NULL);
  g_clear_object (&self->source_signals);
  g_clear_object (&self->source_notify);
  g_clear_object (&self->simulator_signals);
  g_clear_object (&self->source);
  g_clear_pointer (&self->responses, g_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_READOUTS);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (heart_readouts_parent_class)->dispose (object);
}

static void
heart_readouts_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HeartReadouts *self = HEART_READOUTS (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_readouts_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HeartReadouts *self = HEART_READOUTS (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      heart_readouts_set_source (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_readouts_class_init (HeartReadoutsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_readouts_dispose;
  object_class->get_property = heart_readouts_get_property;
  object_class->set_property = heart_readouts_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HEART_TYPE_PULSE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-readouts.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, flow_box);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, heart_pulse);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, bpm_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, bpm_caption);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, rmssd_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, variability_caption);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, stress_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, event_badge);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, stress_bar);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, breathing_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, spo2_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, skin_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, skin_caption);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, skin_temperature_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, steps_label);
  gtk_widget_class_bind_template_child (widget_class, HeartReadouts, activity_label);
  gtk_widget_class_set_css_name (widget_class, "heartreadouts");
}

static void
heart_readouts_init (HeartReadouts *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->responses = g_array_new (FALSE, FALSE, sizeof (double));

  /* an interface's signals exist once its default vtable does, which
   * may be before any source was made */
  g_type_default_interface_unref (g_type_default_interface_ref (HEART_TYPE_SOURCE));
  self->source_signals = g_signal_group_new (HEART_TYPE_SOURCE);
  g_signal_group_connect_swapped (self->source_signals, "sample", G_CALLBACK (show_sample), self);
  g_signal_group_connect_swapped (self->source_signals, "beat", G_CALLBACK (on_beat), self);
  g_signal_group_connect_swapped (self->source_signals, "values", G_CALLBACK (on_values), self);
  self->source_notify = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->source_notify, "notify::running",
                                  G_CALLBACK (on_running_changed), self);
  /* a source switch's: what it serves */
  g_signal_group_connect_swapped (self->source_notify, "notify::source",
                                  G_CALLBACK (on_served_changed), self);
  /* the buttons' or POST /simulation/activity's change shows at once,
   * not at the next sample */
  self->simulator_signals = g_signal_group_new (HEART_TYPE_SIMULATOR);
  g_signal_group_connect_swapped (self->simulator_signals, "notify::activity",
                                  G_CALLBACK (show_activity), self);
  self->first_t = NAN;
  show_nothing (self);
  on_running_changed (self);
}

GtkWidget *
heart_readouts_new (void)
{
  return g_object_new (HEART_TYPE_READOUTS, NULL);
}

HeartSource *
heart_readouts_get_source (HeartReadouts *self)
{
  g_return_val_if_fail (HEART_IS_READOUTS (self), NULL);
  return self->source;
}

void
heart_readouts_set_source (HeartReadouts *self,
                           HeartSource   *source)
{
  const HeartSample *sample;

  g_return_if_fail (HEART_IS_READOUTS (self));
  g_return_if_fail (source == NULL || HEART_IS_SOURCE (source));

  if (!g_set_object (&self->source, source))
    return;
  g_signal_group_set_target (self->source_signals, source);
  g_signal_group_set_target (self->source_notify, source);
  g_signal_group_set_target (self->simulator_signals, served_simulator (self));

  sample = source != NULL ? heart_source_get_current_sample (source) : NULL;
  if (sample != NULL)
    show_sample (self, sample);
  if (sample == NULL || sample->seq == 0)
    show_nothing (self);
  on_running_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

HeartPulse *
heart_readouts_get_heart_pulse (HeartReadouts *self)
{
  g_return_val_if_fail (HEART_IS_READOUTS (self), NULL);
  return self->heart_pulse;
}

const char *
heart_readouts_get_bpm_text (HeartReadouts *self)
{
  g_return_val_if_fail (HEART_IS_READOUTS (self), NULL);
  return gtk_label_get_label (self->bpm_label);
}

void
heart_readouts_set_compact (HeartReadouts *self,
                            gboolean       compact)
{
  g_return_if_fail (HEART_IS_READOUTS (self));

  /* two lines of three rather than a line that scrolls past the screen */
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (self->flow_box), compact ? 3 : 6);
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact");
}

const char *
heart_readouts_get_variability_caption (HeartReadouts *self)
{
  g_return_val_if_fail (HEART_IS_READOUTS (self), NULL);
  return gtk_label_get_label (self->variability_caption);
}

const char *
heart_readouts_get_text (HeartReadouts  *self,
                         HeartChannelId  channel)
{
  g_return_val_if_fail (HEART_IS_READOUTS (self), NULL);

  switch (channel)
    {
    case HEART_CHANNEL_HEART_RATE:
      return gtk_label_get_label (self->bpm_label);
    case HEART_CHANNEL_HRV_RMSSD:
      return gtk_label_get_label (self->rmssd_label);
    case HEART_CHANNEL_STRESS_LEVEL:
      return gtk_label_get_label (self->stress_label);
    case HEART_CHANNEL_RESPIRATORY_RATE:
      return gtk_label_get_label (self->breathing_label);
    case HEART_CHANNEL_EDA:
      return gtk_label_get_label (self->skin_label);
    case HEART_CHANNEL_SPO2:
      return gtk_label_get_label (self->spo2_label);
    case HEART_CHANNEL_SKIN_TEMPERATURE:
      return gtk_label_get_label (self->skin_temperature_label);
    case HEART_CHANNEL_STEPS_TODAY:
      return gtk_label_get_label (self->steps_label);
    case HEART_CHANNEL_ACTIVITY:
      return gtk_label_get_label (self->activity_label);
    default:
      g_return_val_if_reached (NULL);
    }
}
