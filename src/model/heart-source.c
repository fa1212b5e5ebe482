/* heart-source.c: the source interface and its signals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-source.h"

enum {
  SAMPLE,
  BEAT,
  VALUES,
  WAVEFORM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (HeartSource, heart_source, G_TYPE_OBJECT)

static void
heart_source_default_init (HeartSourceInterface *iface)
{
  /* implementations install their own "running" and "interval-ms" (which
   * may be writable) or override these */
  g_object_interface_install_property (iface,
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
    g_param_spec_uint ("interval-ms", NULL, NULL, 1, G_MAXUINT, 500,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  signals[SAMPLE] =
    g_signal_new ("sample", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HEART_TYPE_SAMPLE | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[BEAT] =
    g_signal_new ("beat", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, HEART_TYPE_BEAT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* the channel values of a tick, in time order: (HeartChannelValue *, guint n) */
  signals[VALUES] =
    g_signal_new ("values", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_UINT);
  /* a block of a waveform channel: (HeartWaveformBlock *) */
  signals[WAVEFORM] =
    g_signal_new ("waveform", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

const HeartSample *
heart_source_get_current_sample (HeartSource *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE (self), NULL);
  return HEART_SOURCE_GET_IFACE (self)->get_current_sample (self);
}

gboolean
heart_source_get_running (HeartSource *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE (self), FALSE);
  return HEART_SOURCE_GET_IFACE (self)->get_running (self);
}

void
heart_source_set_running (HeartSource *self,
                          gboolean     running)
{
  g_return_if_fail (HEART_IS_SOURCE (self));
  HEART_SOURCE_GET_IFACE (self)->set_running (self, running);
}

guint
heart_source_get_interval_ms (HeartSource *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE (self), 0);
  return HEART_SOURCE_GET_IFACE (self)->get_interval_ms (self);
}

const char *
heart_source_get_kind (HeartSource *self)
{
  g_return_val_if_fail (HEART_IS_SOURCE (self), "");
  return HEART_SOURCE_GET_IFACE (self)->get_kind (self);
}

void
heart_source_emit_sample (HeartSource       *self,
                          const HeartSample *sample)
{
  g_signal_emit (self, signals[SAMPLE], 0, sample);
}

void
heart_source_emit_beat (HeartSource     *self,
                        const HeartBeat *beat)
{
  g_signal_emit (self, signals[BEAT], 0, beat);
}

void
heart_source_emit_values (HeartSource             *self,
                          const HeartChannelValue *values,
                          guint                    n_values)
{
  g_signal_emit (self, signals[VALUES], 0, values, n_values);
}

void
heart_source_emit_waveform (HeartSource              *self,
                            const HeartWaveformBlock *block)
{
  g_signal_emit (self, signals[WAVEFORM], 0, block);
}
