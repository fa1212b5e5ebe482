/* heart-source.h: what the server, the recorder and the window consume
 *
 * A source makes samples (one a tick), beats (one a heartbeat) and channel
 * values (those of a tick, in time order), and can be started and stopped.
 * The simulated person (HeartSimulator) is one; a replay of a file is
 * another. Commands only a simulation can obey (stress, baseline,
 * scenarios) stay on HeartSimulator. docs/architecture.md, "Sources".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-beat.h"
#include "heart-channel.h"
#include "heart-sample.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

#define HEART_TYPE_SOURCE (heart_source_get_type ())
G_DECLARE_INTERFACE (HeartSource, heart_source, HEART, SOURCE, GObject)

struct _HeartSourceInterface
{
  GTypeInterface parent_iface;

  /* the latest sample; before the first tick, one of the current state
   * with seq 0 */
  const HeartSample *(*get_current_sample) (HeartSource *self);
  gboolean           (*get_running)        (HeartSource *self);
  void               (*set_running)        (HeartSource *self,
                                            gboolean running);
  /* the nominal time between samples, in ms of the source's own time */
  guint              (*get_interval_ms)    (HeartSource *self);
  /* "simulator", "replay": the name GET /source shows (docs/api.md) */
  const char        *(*get_kind)           (HeartSource *self);
};

/* Signals, emitted by implementations with the functions below:
 *   "beat"   (const HeartBeat *)                       once a heartbeat
 *   "values" (const HeartChannelValue *, guint n)      once a tick, before "sample"
 *   "sample" (const HeartSample *)                     once a tick
 *   "waveform" (const HeartWaveformBlock *)            a block of a waveform
 *              channel switched on, in time order; live, 25 times a second
 * Properties: "running" (read-write), "interval-ms" (readable), each
 * notified when it changes. */

const HeartSample *heart_source_get_current_sample (HeartSource *self);
gboolean           heart_source_get_running        (HeartSource *self);
void               heart_source_set_running        (HeartSource *self,
                                                    gboolean running);
guint              heart_source_get_interval_ms    (HeartSource *self);
const char        *heart_source_get_kind           (HeartSource *self);

/* For implementations */
void               heart_source_emit_sample        (HeartSource *self,
                                                    const HeartSample *sample);
void               heart_source_emit_beat          (HeartSource *self,
                                                    const HeartBeat *beat);
void               heart_source_emit_values        (HeartSource *self,
                                                    const HeartChannelValue *values,
                                                    guint n_values);
void               heart_source_emit_waveform      (HeartSource *self,
                                                    const HeartWaveformBlock *block);

G_END_DECLS
