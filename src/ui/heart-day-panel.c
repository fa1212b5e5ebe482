/* heart-day-panel.c: the side panel's "Today" group
 *
 * The day's totals of the day log (docs/model.md, "The day's totals"):
 * steps, active minutes and energy, the heart rate's range, and the
 * night's sleep by stage. Updated with every sample.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-day-panel.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "heart-label.h"

struct _HeartDayPanel
{
  GtkWidget     parent_instance;

  HeartDayLog  *day_log;
  GSignalGroup *day_log_signals;

  /* template widgets */
  AdwPreferencesGroup *day_group;
  AdwActionRow *heart_rate_row;
  AdwActionRow *sleep_row;
  GtkLabel     *steps_label;
  GtkLabel     *active_label;
  GtkLabel     *heart_rate_label;
  GtkLabel     *sleep_label;
};

enum {
  PROP_0,
  PROP_DAY_LOG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartDayPanel, heart_day_panel, GTK_TYPE_WIDGET)

char *
heart_format_minutes (double minutes)
{
  guint whole = (guint) MAX (floor (minutes + 0.5), 0);

  if (whole < 60)
    /* Translators: a length of time in minutes */
    return g_strdup_printf (_("%u min"), whole);
  /* Translators: a length of time in hours and minutes */
  return g_strdup_printf (_("%u h %u min"), whole / 60, whole % 60);
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  if (g_strcmp0 (adw_action_row_get_subtitle (row), text) != 0)
    adw_action_row_set_subtitle (row, text);
}

static void
show_heart_rate (HeartDayPanel        *self,
                 const HeartDayTotals *totals)
{
  g_autofree char *mean = NULL;

  if (totals->bpm_high <= 0)
    {
      gtk_label_set_label (self->heart_rate_label, "—");
      set_subtitle (self->heart_rate_row, NULL);
      return;
    }
  /* Translators: the day's lowest and highest heart rate; "–" is an en dash */
  heart_label_set_printf (self->heart_rate_label, _("%.0f–%.0f bpm"), totals->bpm_low, totals->bpm_high);
  /* Translators: the day's mean heart rate */
  mean = g_strdup_printf (_("%.0f bpm on average"), totals->bpm_mean);
  set_subtitle (self->heart_rate_row, mean);
}

static void
show_sleep (HeartDayPanel        *self,
            const HeartDayTotals *totals)
{
  g_autofree char *asleep = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *rem = NULL;
  g_autofree char *awake = NULL;
  g_autofree char *stages = NULL;

  if (totals->in_bed_minutes <= 0)
    {
      gtk_label_set_label (self->sleep_label, "—");
      set_subtitle (self->sleep_row, _("No time in bed since 18:00 yesterday"));
      return;
    }
  asleep = heart_format_minutes (totals->asleep_minutes);
  deep = heart_format_minutes (totals->sleep_minutes[HEART_DAY_SLEEP_DEEP]);
  rem = heart_format_minutes (totals->sleep_minutes[HEART_DAY_SLEEP_REM]);
  awake = heart_format_minutes (totals->sleep_minutes[HEART_DAY_SLEEP_AWAKE]
                                + totals->sleep_minutes[HEART_DAY_SLEEP_IN_BED]);
  gtk_label_set_label (self->sleep_label, asleep);
  /* Translators: the night's deep sleep, REM sleep and time awake in bed */
  stages = g_strdup_printf (_("Deep %s · REM %s · awake %s"), deep, rem, awake);
  set_subtitle (self->sleep_row, stages);
}

static void
show_totals (HeartDayPanel *self)
{
  const HeartDayTotals *totals;
  g_autofree char *active = NULL;

  if (self->day_log == NULL)
    return;
  totals = heart_day_log_get_totals (self->day_log);
  /* with the locale's thousands separators */
  heart_label_set_printf (self->steps_label, "%'.0f", totals->steps);
  active = heart_format_minutes (totals->active_minutes);
  /* Translators: active minutes and active energy, e.g. "46 min · 312 kcal" */
  heart_label_set_printf (self->active_label, _("%s · %.0f kcal"), active, totals->active_energy_kcal);
  show_heart_rate (self, totals);
  show_sleep (self, totals);
}

static void
heart_day_panel_dispose (GObject *object)
{
  HeartDayPanel *self = HEART_DAY_PANEL (object);

  if (self->day_log_signals != NULL)
    g_signal_group_set_target (self->day_log_signals, NULL);
  g_clear_object (&self->day_log_signals);
  g_clear_object (&self->day_log);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_DAY_PANEL);
  G_OBJECT_CLASS (heart_day_panel_parent_class)->dispose (object);
}

static void
heart_day_panel_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HeartDayPanel *self = HEART_DAY_PANEL (object);

  switch (prop_id)
    {
    case PROP_DAY_LOG:
      g_value_set_object (value, self->day_log);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_day_panel_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  HeartDayPanel *self = HEART_DAY_PANEL (object);

  switch (prop_id)
    {
    case PROP_DAY_LOG:
      heart_day_panel_set_day_log (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_day_panel_class_init (HeartDayPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_day_panel_dispose;
  object_class->get_property = heart_day_panel_get_property;
  object_class->set_property = heart_day_panel_set_property;

  properties[PROP_DAY_LOG] =
    g_param_spec_object ("day-log", NULL, NULL, HEART_TYPE_DAY_LOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-day-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, day_group);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, heart_rate_row);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, sleep_row);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, steps_label);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, active_label);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, heart_rate_label);
  gtk_widget_class_bind_template_child (widget_class, HeartDayPanel, sleep_label);
  gtk_widget_class_set_css_name (widget_class, "heartdaypanel");
}

static void
heart_day_panel_init (HeartDayPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->day_log_signals = g_signal_group_new (HEART_TYPE_DAY_LOG);
  g_signal_group_connect_swapped (self->day_log_signals, "changed", G_CALLBACK (show_totals), self);
}

const char *
heart_day_panel_get_text (HeartDayPanel *self,
                          const char    *row)
{
  g_return_val_if_fail (HEART_IS_DAY_PANEL (self), NULL);

  if (g_strcmp0 (row, "steps") == 0)
    return gtk_label_get_label (self->steps_label);
  if (g_strcmp0 (row, "active") == 0)
    return gtk_label_get_label (self->active_label);
  if (g_strcmp0 (row, "heart-rate") == 0)
    return gtk_label_get_label (self->heart_rate_label);
  if (g_strcmp0 (row, "sleep") == 0)
    return gtk_label_get_label (self->sleep_label);
  g_return_val_if_reached (NULL);
}

GtkWidget *
heart_day_panel_new (void)
{
  return g_object_new (HEART_TYPE_DAY_PANEL, NULL);
}

HeartDayLog *
heart_day_panel_get_day_log (HeartDayPanel *self)
{
  g_return_val_if_fail (HEART_IS_DAY_PANEL (self), NULL);
  return self->day_log;
}

void
heart_day_panel_set_day_log (HeartDayPanel *self,
                             HeartDayLog   *day_log)
{
  g_return_if_fail (HEART_IS_DAY_PANEL (self));
  g_return_if_fail (day_log == NULL || HEART_IS_DAY_LOG (day_log));

  if (!g_set_object (&self->day_log, day_log))
    return;
  g_signal_group_set_target (self->day_log_signals, day_log);
  show_totals (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAY_LOG]);
}
