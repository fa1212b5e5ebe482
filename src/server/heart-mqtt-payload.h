/* heart-mqtt-payload.h: what an MQTT message of a channel carries
 *
 * JSON: the objects the WebSocket stream sends (docs/api.md): a periodic
 * channel's batch of a tick {type,t0,fs,condition,values}, another
 * channel's value {value,timestamp,type,condition}, a waveform's frame.
 * SenML (RFC 8428): the same values as a pack of records
 * (docs/scale.md, "Payloads").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-channel.h"
#include "heart-waveform.h"

G_BEGIN_DECLS

typedef enum {
  HEART_MQTT_FORMAT_JSON,
  HEART_MQTT_FORMAT_SENML,
} HeartMqttFormat;

/* One value of a channel that is not periodic */
void heart_mqtt_payload_value    (GString *out,
                                  HeartMqttFormat format,
                                  guint subject_id,
                                  const HeartChannelValue *value,
                                  const char *condition);
/* The @n values of one periodic channel in a tick, in time order */
void heart_mqtt_payload_batch    (GString *out,
                                  HeartMqttFormat format,
                                  guint subject_id,
                                  const HeartChannelValue *const *values,
                                  guint n,
                                  const char *condition);
void heart_mqtt_payload_waveform (GString *out,
                                  HeartMqttFormat format,
                                  guint subject_id,
                                  const HeartWaveformBlock *block);

G_END_DECLS
