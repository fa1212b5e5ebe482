/* heart-channel-history.h: the latest values of every periodic channel
 *
 * One ring per periodic channel (respiration at 25 Hz fills its ring in
 * 400 s, heart_rate at 1 Hz in 2.8 hours); each value gets a per-channel
 * sequence number, strictly increasing from 1, so a client can ask for
 * what came after the last value it has.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_CHANNEL_HISTORY_DEFAULT_CAPACITY 10000

typedef struct
{
  guint64 seq;
  gint64  timestamp_us;
  double  value;
} HeartChannelEntry;

#define HEART_TYPE_CHANNEL_HISTORY (heart_channel_history_get_type ())
G_DECLARE_FINAL_TYPE (HeartChannelHistory, heart_channel_history, HEART, CHANNEL_HISTORY, GObject)

HeartChannelHistory *heart_channel_history_new        (guint capacity);
/* Keeps the values of periodic channels; others are ignored */
void                 heart_channel_history_push       (HeartChannelHistory *self,
                                                       const HeartChannelValue *values,
                                                       guint n_values);
guint                heart_channel_history_get_length (HeartChannelHistory *self,
                                                       HeartChannelId channel);
/* NULL when the channel has no value yet; index 0 is the oldest */
const HeartChannelEntry *heart_channel_history_peek   (HeartChannelHistory *self,
                                                       HeartChannelId channel,
                                                       guint index);
/* Entries with seq > @since_seq, oldest first, at most @limit */
GArray              *heart_channel_history_query_since (HeartChannelHistory *self,
                                                        HeartChannelId channel,
                                                        guint64 since_seq,
                                                        guint limit) G_GNUC_WARN_UNUSED_RESULT;
/* Push every "values" batch a HeartSimulator (as GObject) emits */
void                 heart_channel_history_follow     (HeartChannelHistory *self,
                                                       GObject *simulator);

G_END_DECLS
