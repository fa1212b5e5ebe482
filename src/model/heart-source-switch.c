/* heart-source-switch.c: one source that stands for another, switchable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-source-switch.h"

struct _HeartSourceSwitch
{
  GObject      parent_instance;

  HeartSource *source;
  guint64      last_seq;     /* of the samples forwarded */
  HeartSample  current;      /* the latest, renumbered */
};

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_RUNNING,
  PROP_INTERVAL_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void heart_source_switch_source_init (HeartSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartSourceSwitch, heart_source_switch, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HEART_TYPE_SOURCE, heart_source_switch_source_init))

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           HeartSourceSwitch *self)
{
  self->current = *sample;
  self->current.seq = ++self->last_seq;
  heart_source_emit_sample (HEART_SOURCE (self), &self->current);
}

static void
on_beat (HeartSource       *source,
         const HeartBeat   *beat,
         HeartSourceSwitch *self)
{
  heart_source_emit_beat (HEART_SOURCE (self), beat);
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           HeartSourceSwitch       *self)
{
  heart_source_emit_values (HEART_SOURCE (self), values, n_values);
}

static void
on_waveform (HeartSource              *source,
             const HeartWaveformBlock *block,
             HeartSourceSwitch        *self)
{
  heart_source_emit_waveform (HEART_SOURCE (self), block);
}

static void
on_running (HeartSource       *source,
            GParamSpec        *pspec,
            HeartSourceSwitch *self)
{
  self->current.running = heart_source_get_running (source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_interval (HeartSource       *source,
             GParamSpec        *pspec,
             HeartSourceSwitch *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
}

HeartSource *
heart_source_switch_get_source (HeartSourceSwitch *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE_SWITCH (self), NULL);
  return self->source;
}

void
heart_source_switch_set_source (HeartSourceSwitch *self,
                                HeartSource       *source)
{
  gboolean was_running = FALSE;

  g_return_if_fail (HEART_IS_SOURCE_SWITCH (self));
  g_return_if_fail (HEART_IS_SOURCE (source));
  g_return_if_fail ((gpointer) source != (gpointer) self);

  if (source == self->source)
    return;

  g_object_ref (source);
  if (self->source != NULL)
    {
      /* disconnected first: the old source's stop is not the switch's */
      g_signal_handlers_disconnect_by_data (self->source, self);
      was_running = heart_source_get_running (self->source);
      heart_source_set_running (self->source, FALSE);
      g_object_unref (self->source);
    }
  self->source = source;
  g_signal_connect_object (source, "sample", G_CALLBACK (on_sample), self, 0);
  g_signal_connect_object (source, "beat", G_CALLBACK (on_beat), self, 0);
  g_signal_connect_object (source, "values", G_CALLBACK (on_values), self, 0);
  g_signal_connect_object (source, "waveform", G_CALLBACK (on_waveform), self, 0);
  g_signal_connect_object (source, "notify::running", G_CALLBACK (on_running), self, 0);
  g_signal_connect_object (source, "notify::interval-ms", G_CALLBACK (on_interval), self, 0);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
  if (was_running)
    heart_source_set_running (source, TRUE);
  if (was_running != heart_source_get_running (source))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  self->current.running = heart_source_get_running (source);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- HeartSource --------------------------------------------------------- */

static const HeartSample *
source_get_current_sample (HeartSource *source)
{
  HeartSourceSwitch *self = HEART_SOURCE_SWITCH (source);

  /* before the first tick, the source's description of its state now */
  if (self->last_seq == 0)
    {
      self->current = *heart_source_get_current_sample (self->source);
      self->current.seq = 0;
    }
  self->current.running = heart_source_get_running (self->source);
  return &self->current;
}

static gboolean
source_get_running (HeartSource *source)
{
  return heart_source_get_running (HEART_SOURCE_SWITCH (source)->source);
}

static void
source_set_running (HeartSource *source,
                    gboolean     running)
{
  heart_source_set_running (HEART_SOURCE_SWITCH (source)->source, running);
}

static guint
source_get_interval_ms (HeartSource *source)
{
  return heart_source_get_interval_ms (HEART_SOURCE_SWITCH (source)->source);
}

static const char *
source_get_kind (HeartSource *source)
{
  return heart_source_get_kind (HEART_SOURCE_SWITCH (source)->source);
}

static void
heart_source_switch_source_init (HeartSourceInterface *iface)
{
  iface->get_current_sample = source_get_current_sample;
  iface->get_running = source_get_running;
  iface->set_running = source_set_running;
  iface->get_interval_ms = source_get_interval_ms;
  iface->get_kind = source_get_kind;
}

/* ---- GObject ------------------------------------------------------------- */

static void
heart_source_switch_dispose (GObject *object)
{
  HeartSourceSwitch *self = HEART_SOURCE_SWITCH (object);

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (heart_source_switch_parent_class)->dispose (object);
}

static void
heart_source_switch_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HeartSourceSwitch *self = HEART_SOURCE_SWITCH (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->source != NULL && heart_source_get_running (self->source));
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, self->source != NULL ? heart_source_get_interval_ms (self->source) : 500);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_source_switch_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HeartSourceSwitch *self = HEART_SOURCE_SWITCH (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      if (g_value_get_object (value) != NULL)
        heart_source_switch_set_source (self, g_value_get_object (value));
      break;
    case PROP_RUNNING:
      if (self->source != NULL)
        heart_source_set_running (self->source, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_source_switch_class_init (HeartSourceSwitchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_source_switch_dispose;
  object_class->get_property = heart_source_switch_get_property;
  object_class->set_property = heart_source_switch_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_property (object_class, PROP_SOURCE, properties[PROP_SOURCE]);
  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_INTERVAL_MS, "interval-ms");
  properties[PROP_RUNNING] = g_object_class_find_property (object_class, "running");
  properties[PROP_INTERVAL_MS] = g_object_class_find_property (object_class, "interval-ms");
}

static void
heart_source_switch_init (HeartSourceSwitch *self)
{
}

HeartSourceSwitch *
heart_source_switch_new (HeartSource *source)
{
  g_return_val_if_fail (HEART_IS_SOURCE (source), NULL);
  return g_object_new (HEART_TYPE_SOURCE_SWITCH, "source", source, NULL);
}
