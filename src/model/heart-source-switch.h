/* heart-source-switch.h: one source that stands for another, switchable
 *
 * Everything downstream (server, history, recorder, window) follows the
 * switch, which forwards what its current source makes: switching the
 * source is then one call, and nobody reconnects. Samples are renumbered so
 * that "seq" runs on by one across switches and loops, as clients and the
 * history rely on (docs/architecture.md, "Sources").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-source.h"

G_BEGIN_DECLS

#define HEART_TYPE_SOURCE_SWITCH (heart_source_switch_get_type ())
G_DECLARE_FINAL_TYPE (HeartSourceSwitch, heart_source_switch, HEART, SOURCE_SWITCH, GObject)

HeartSourceSwitch *heart_source_switch_new        (HeartSource *source);
HeartSource       *heart_source_switch_get_source (HeartSourceSwitch *self);
/* The old source is stopped; the new one runs if the old one did */
void               heart_source_switch_set_source (HeartSourceSwitch *self,
                                                   HeartSource *source);

G_END_DECLS
