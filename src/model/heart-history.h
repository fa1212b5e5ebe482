/* heart-history.h: ring buffer of the most recent samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-sample.h"

G_BEGIN_DECLS

#define HEART_HISTORY_DEFAULT_CAPACITY 10000

#define HEART_TYPE_HISTORY (heart_history_get_type ())
G_DECLARE_FINAL_TYPE (HeartHistory, heart_history, HEART, HISTORY, GObject)

HeartHistory      *heart_history_new          (guint capacity);
guint              heart_history_get_capacity (HeartHistory *self);
guint              heart_history_get_length   (HeartHistory *self);
void               heart_history_push         (HeartHistory *self,
                                               const HeartSample *sample);
void               heart_history_clear        (HeartHistory *self);
/* index 0 is the oldest sample held; NULL past the end */
const HeartSample *heart_history_peek         (HeartHistory *self,
                                               guint index);
const HeartSample *heart_history_get_latest   (HeartHistory *self);
/* Samples with seq > @since_seq, oldest first, at most @limit of them, as a
 * GArray of HeartSample copies. */
GArray            *heart_history_query_since  (HeartHistory *self,
                                               guint64 since_seq,
                                               guint limit) G_GNUC_WARN_UNUSED_RESULT;
/* Push every "sample" the simulator emits (a HeartSimulator as GObject so
 * this header stays free of it). */
void               heart_history_follow       (HeartHistory *self,
                                               GObject *simulator);

G_END_DECLS
