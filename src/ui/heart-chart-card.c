/* heart-chart-card.c: the chart with its legend and time span buttons
 *
 * The span buttons change the setting through the app.chart-window action;
 * the window binds the setting to "window-seconds".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-chart-card.h"

#include <glib/gi18n.h>

#include "heart-label.h"

/* The card asks for at most this width, whatever the legend's language:
 * the window folds its side panel by natural widths (heart-window.ui) */
#define NATURAL_WIDTH_MAX 720

struct _HeartChartCard
{
  GtkWidget       parent_instance;

  HeartSource    *source;
  GSignalGroup   *source_signals;
  GSignalGroup   *source_notify;  /* GLib 2.74 finds no "notify" on an interface type */

  /* template widgets */
  HeartChart     *chart;
  GtkMenuButton  *span_menu_button;
  GtkWidget      *live_button;
};

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_HISTORY,
  PROP_DAY_LOG,
  PROP_WINDOW_SECONDS,
  PROP_SHOW_BREATHING,
  PROP_SHOW_SKIN_CONDUCTANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartChartCard, heart_chart_card, GTK_TYPE_WIDGET)

static void
on_sample (HeartChartCard *self)
{
  heart_chart_update (self->chart);
}

static void
on_values (HeartChartCard          *self,
           const HeartChannelValue *values,
           guint                    n_values)
{
  heart_chart_add_values (self->chart, values, n_values);
}

static void
on_running_changed (HeartChartCard *self)
{
  heart_chart_set_live (self->chart, self->source != NULL && heart_source_get_running (self->source));
}

/* The narrow window's span menu says the span shown: "1 min", "24 h" */
static void
show_span (HeartChartCard *self)
{
  guint seconds = heart_chart_get_window_seconds (self->chart);
  g_autofree char *label = NULL;
  g_autofree char *name = NULL;

  if (seconds < 60)
    label = g_strdup_printf (C_("time span", "%u s"), seconds);
  else if (seconds < 3600)
    label = g_strdup_printf (C_("time span", "%u min"), seconds / 60);
  else
    label = g_strdup_printf (C_("time span", "%u h"), seconds / 3600);
  gtk_menu_button_set_label (self->span_menu_button, label);
  /* Translators: the accessible name of the time span menu, with the span shown */
  name = g_strdup_printf (_("Time span: %s"), label);
  heart_menu_button_set_accessible_label (self->span_menu_button, name);
}

static void
on_live_clicked (HeartChartCard *self)
{
  heart_chart_set_paused (self->chart, FALSE);
}

static void
forward_notify (HeartChartCard *self,
                GParamSpec     *pspec)
{
  if (g_str_equal (pspec->name, "history"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
  else if (g_str_equal (pspec->name, "day-log"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAY_LOG]);
  else if (g_str_equal (pspec->name, "window-seconds"))
    {
      show_span (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_SECONDS]);
    }
  else if (g_str_equal (pspec->name, "show-breathing"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_BREATHING]);
  else if (g_str_equal (pspec->name, "show-skin-conductance"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_SKIN_CONDUCTANCE]);
}

static void
heart_chart_card_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child == NULL)
    return;
  gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (*minimum, MIN (*natural, NATURAL_WIDTH_MAX));
}

static void
heart_chart_card_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL)
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
heart_chart_card_dispose (GObject *object)
{
  HeartChartCard *self = HEART_CHART_CARD (object);
  GtkWidget *child;

  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  if (self->source_notify != NULL)
    g_signal_group_set_target (self->source_notify, NULL);
  g_clear_object (&self->source_signals);
  g_clear_object (&self->source_notify);
  g_clear_object (&self->source);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_CHART_CARD);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (heart_chart_card_parent_class)->dispose (object);
}

static void
heart_chart_card_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HeartChartCard *self = HEART_CHART_CARD (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, heart_chart_get_history (self->chart));
      break;
    case PROP_DAY_LOG:
      g_value_set_object (value, heart_chart_get_day_log (self->chart));
      break;
    case PROP_WINDOW_SECONDS:
      g_value_set_uint (value, heart_chart_get_window_seconds (self->chart));
      break;
    case PROP_SHOW_BREATHING:
      g_value_set_boolean (value, heart_chart_get_show_trace (self->chart, HEART_TRACE_BREATHING));
      break;
    case PROP_SHOW_SKIN_CONDUCTANCE:
      g_value_set_boolean (value, heart_chart_get_show_trace (self->chart, HEART_TRACE_SKIN));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_chart_card_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HeartChartCard *self = HEART_CHART_CARD (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      heart_chart_card_set_source (self, g_value_get_object (value));
      break;
    case PROP_HISTORY:
      heart_chart_card_set_history (self, g_value_get_object (value));
      break;
    case PROP_DAY_LOG:
      heart_chart_set_day_log (self->chart, g_value_get_object (value));
      break;
    case PROP_WINDOW_SECONDS:
      heart_chart_set_window_seconds (self->chart, g_value_get_uint (value));
      break;
    case PROP_SHOW_BREATHING:
      heart_chart_set_show_trace (self->chart, HEART_TRACE_BREATHING, g_value_get_boolean (value));
      break;
    case PROP_SHOW_SKIN_CONDUCTANCE:
      heart_chart_set_show_trace (self->chart, HEART_TRACE_SKIN, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_chart_card_class_init (HeartChartCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_chart_card_dispose;
  object_class->get_property = heart_chart_card_get_property;
  object_class->set_property = heart_chart_card_set_property;
  widget_class->measure = heart_chart_card_measure;
  widget_class->size_allocate = heart_chart_card_size_allocate;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DAY_LOG] =
    g_param_spec_object ("day-log", NULL, NULL, HEART_TYPE_DAY_LOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_SECONDS] =
    g_param_spec_uint ("window-seconds", NULL, NULL,
                       HEART_CHART_DATA_MIN_SECONDS, HEART_CHART_DATA_MAX_SECONDS, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_BREATHING] =
    g_param_spec_boolean ("show-breathing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_SKIN_CONDUCTANCE] =
    g_param_spec_boolean ("show-skin-conductance", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (HEART_TYPE_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-chart-card.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartChartCard, chart);
  gtk_widget_class_bind_template_child (widget_class, HeartChartCard, span_menu_button);
  gtk_widget_class_bind_template_child (widget_class, HeartChartCard, live_button);
  gtk_widget_class_bind_template_callback (widget_class, on_live_clicked);
  /* Not kept, but tests find it */
  gtk_widget_class_bind_template_child_full (widget_class, "traces_button", FALSE, 0);
  gtk_widget_class_set_css_name (widget_class, "heartchartcard");
}

static void
heart_chart_card_init (HeartChartCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  heart_menu_button_set_accessible_label (GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (self),
                                                                                        HEART_TYPE_CHART_CARD,
                                                                                        "traces_button")),
                                          _("Traces shown"));

  /* an interface's signals exist once its default vtable does, which
   * may be before any source was made */
  g_type_default_interface_unref (g_type_default_interface_ref (HEART_TYPE_SOURCE));
  self->source_signals = g_signal_group_new (HEART_TYPE_SOURCE);
  g_signal_group_connect_swapped (self->source_signals, "sample", G_CALLBACK (on_sample), self);
  g_signal_group_connect_swapped (self->source_signals, "values", G_CALLBACK (on_values), self);
  self->source_notify = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->source_notify, "notify::running",
                                  G_CALLBACK (on_running_changed), self);
  g_signal_connect_object (self->chart, "notify", G_CALLBACK (forward_notify), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->chart, "paused", self->live_button, "visible", G_BINDING_SYNC_CREATE);
  show_span (self);
}

GtkWidget *
heart_chart_card_new (void)
{
  return g_object_new (HEART_TYPE_CHART_CARD, NULL);
}

HeartSource *
heart_chart_card_get_source (HeartChartCard *self)
{
  g_return_val_if_fail (HEART_IS_CHART_CARD (self), NULL);
  return self->source;
}

void
heart_chart_card_set_source (HeartChartCard *self,
                             HeartSource    *source)
{
  g_return_if_fail (HEART_IS_CHART_CARD (self));
  g_return_if_fail (source == NULL || HEART_IS_SOURCE (source));

  if (!g_set_object (&self->source, source))
    return;
  g_signal_group_set_target (self->source_signals, source);
  g_signal_group_set_target (self->source_notify, source);
  on_running_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

HeartHistory *
heart_chart_card_get_history (HeartChartCard *self)
{
  g_return_val_if_fail (HEART_IS_CHART_CARD (self), NULL);
  return heart_chart_get_history (self->chart);
}

void
heart_chart_card_set_history (HeartChartCard *self,
                              HeartHistory   *history)
{
  g_return_if_fail (HEART_IS_CHART_CARD (self));
  heart_chart_set_history (self->chart, history);
}

HeartChart *
heart_chart_card_get_chart (HeartChartCard *self)
{
  g_return_val_if_fail (HEART_IS_CHART_CARD (self), NULL);
  return self->chart;
}
