/* heart-model.h: the beat-by-beat physiological model, with no clock
 *
 * A plain struct owned by HeartSimulator: it knows nothing of GObject
 * signals, timers or wall-clock time. docs/model.md explains every constant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-sample.h"

G_BEGIN_DECLS

typedef struct _HeartModel HeartModel;

/* Called for each heartbeat; @beat->timestamp_us is left 0 for the caller. */
typedef void (*HeartModelBeatFunc) (const HeartBeat *beat,
                                    gpointer user_data);

HeartModel *heart_model_new                 (guint64 seed);
void        heart_model_free                (HeartModel *self);

void        heart_model_advance             (HeartModel *self,
                                             double seconds,
                                             HeartModelBeatFunc beat_func,
                                             gpointer user_data);

void        heart_model_set_baseline        (HeartModel *self,
                                             double bpm);
void        heart_model_set_tonic_stress    (HeartModel *self,
                                             double level);
void        heart_model_set_events_per_hour (HeartModel *self,
                                             double rate);
/* An acute event: the stress target becomes @level, held, then released */
void        heart_model_trigger_event       (HeartModel *self,
                                             double level);

double      heart_model_get_time            (const HeartModel *self);
double      heart_model_get_stress          (const HeartModel *self);
gboolean    heart_model_get_event_active    (const HeartModel *self);
double      heart_model_get_last_rr         (HeartModel *self);
double      heart_model_get_rmssd           (HeartModel *self);
/* The mean heart rate the model aims at now (baseline + stress response) */
double      heart_model_get_mean_bpm        (const HeartModel *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartModel, heart_model_free)

G_END_DECLS
