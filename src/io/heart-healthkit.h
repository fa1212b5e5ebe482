/* heart-healthkit.h: a simulated person as an Apple Health export.xml
 *
 * Takes the channel values of a run in time order and writes the Records
 * the Health app's "Export All Health Data" holds for them: heart rate,
 * step count, respiratory rate, oxygen saturation, HRV (SDNN), active
 * energy and sleep analysis, with the units HealthKit writes
 * (docs/datasets.md, "Apple Health export"); or the same readings as Open
 * mHealth data points (docs/datasets.md, "Open mHealth"). A plain struct: the dataset
 * writer owns it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-channel.h"

G_BEGIN_DECLS

typedef struct _HeartHealthKit HeartHealthKit;

typedef enum {
  HEART_HEALTH_HEALTHKIT,     /* export.xml */
  HEART_HEALTH_OPENMHEALTH,   /* JSON Lines of Open mHealth data points */
} HeartHealthFormat;

/* The channels a run must make for it */
#define HEART_HEALTHKIT_CHANNELS                                                       \
  (HEART_CHANNEL_BIT (HEART_CHANNEL_HEART_RATE) | HEART_CHANNEL_BIT (HEART_CHANNEL_RR_INTERVAL) \
   | HEART_CHANNEL_BIT (HEART_CHANNEL_RESPIRATORY_RATE) | HEART_CHANNEL_BIT (HEART_CHANNEL_SPO2) \
   | HEART_CHANNEL_BIT (HEART_CHANNEL_STEPS) | HEART_CHANNEL_BIT (HEART_CHANNEL_ENERGY)          \
   | HEART_CHANNEL_BIT (HEART_CHANNEL_SLEEP_STAGE))

/* Writes the header into @out, appends records to it as values come */
HeartHealthKit *heart_healthkit_new    (GString *out,
                                        HeartHealthFormat format,
                                        gint64 export_time_us);
void            heart_healthkit_add    (HeartHealthKit *self,
                                        const HeartChannelValue *value);
/* The records still open (a sleep stage, the last minute), and the end */
void            heart_healthkit_finish (HeartHealthKit *self,
                                        gint64 end_us);
void            heart_healthkit_free   (HeartHealthKit *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartHealthKit, heart_healthkit_free)

G_END_DECLS
