/* heart-sample-fields.h: the fields of samples, beats and channel values
 *
 * Samples on the wire, datasets and channel streams all go through here,
 * so a field has the same name and the same decimals everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "heart-beat.h"
#include "heart-channel.h"
#include "heart-fields.h"
#include "heart-sample.h"

G_BEGIN_DECLS

typedef enum {
  HEART_SAMPLE_JSON_WIRE,    /* the wire sample of docs/api.md, "event" a boolean */
  HEART_SAMPLE_JSON_LABELED, /* the same fields, "event" 1 or 0 (datasets, recordings) */
} HeartSampleJsonFlavor;

/* The record fields (see heart-fields.h) in wire order; @fields holds
 * HEART_FIELDS_MAX. Returns how many were filled. */
guint        heart_sample_fields        (const HeartSample *sample,
                                         HeartSampleJsonFlavor flavor,
                                         HeartField *fields);

guint        heart_beat_fields          (const HeartBeat *beat,
                                         HeartField *fields);

/* One channel value in Bio Mock's shape: value, timestamp, type, then the
 * event's label (always with @label_column, else only for events that
 * carry one) and the scenario's @condition */
guint        heart_channel_value_fields (const HeartChannelValue *value,
                                         const char *condition,
                                         gboolean label_column,
                                         HeartField *fields);

void         heart_sample_append_json   (const HeartSample *sample,
                                         HeartSampleJsonFlavor flavor,
                                         GString *out);
char        *heart_sample_to_json       (const HeartSample *sample) G_GNUC_WARN_UNUSED_RESULT;
JsonNode    *heart_sample_to_json_node  (const HeartSample *sample) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
