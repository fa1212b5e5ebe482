/* heart-sample-fields.c: the fields of samples, beats and channel values
 *
 * The sample JSON is written by heart-fields.c rather than by JsonGenerator:
 * json-glib 1.6 prints doubles with 17 significant digits (0.234 becomes
 * 0.23400000000000001), and the wire format (docs/api.md) has short, fixed
 * decimals. Parsers (clients, tests) read it with any JSON library.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-sample-fields.h"

#include <math.h>

static HeartField
number_field (const char *name,
              int         decimals,
              double      value)
{
  if (!isfinite (value))
    return (HeartField) { name, HEART_FIELD_NULL };
  if (decimals == 0)
    return (HeartField) { name, HEART_FIELD_INT, .integer = (gint64) lround (value) };
  return (HeartField) { name, decimals == 1 ? HEART_FIELD_DECIMALS_1 : HEART_FIELD_DECIMALS_3, .number = value };
}

guint
heart_sample_fields (const HeartSample     *sample,
                     HeartSampleJsonFlavor  flavor,
                     HeartField            *fields)
{
  guint n = 0;

  fields[n++] = (HeartField) { "timestamp", HEART_FIELD_TIMESTAMP, .integer = sample->timestamp_us };
  fields[n++] = (HeartField) { "bpm", HEART_FIELD_INT, .integer = sample->bpm };
  fields[n++] = (HeartField) { "variability", HEART_FIELD_DECIMALS_3, .number = sample->variability };
  fields[n++] = (HeartField) { "stress_level", HEART_FIELD_DECIMALS_3, .number = sample->stress_level };
  fields[n++] = (HeartField) { "state", HEART_FIELD_STRING, .string = heart_sample_state_string (sample) };
  fields[n++] = (HeartField) { "seq", HEART_FIELD_INT, .integer = (gint64) sample->seq };
  fields[n++] = (HeartField) { "rr_ms", HEART_FIELD_DECIMALS_1, .number = sample->rr_ms };
  fields[n++] = (HeartField) { "rmssd_ms", HEART_FIELD_DECIMALS_1, .number = sample->rmssd_ms };
  /* 0: a replayed person, whose resting rate nobody set */
  if (sample->baseline_bpm == 0)
    fields[n++] = (HeartField) { "baseline_bpm", HEART_FIELD_NULL };
  else
    fields[n++] = (HeartField) { "baseline_bpm", HEART_FIELD_INT, .integer = sample->baseline_bpm };
  fields[n++] = (HeartField) { "type", HEART_FIELD_STRING, .string = "heartbeat" };
  /* version 2: every periodic channel the seed's fields do not carry */
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);

      if (channel->kind == HEART_CHANNEL_KIND_PERIODIC && channel->sample_field == NULL)
        fields[n++] = number_field (channel->name, channel->decimals, sample->channels[c]);
    }
  fields[n++] = (HeartField) { "condition", HEART_FIELD_STRING, .string = sample->condition };
  /* last, so that every field before it keeps its place: a boolean on the
   * wire (docs/api.md), the 1/0 label column of datasets and recordings */
  fields[n++] = (HeartField) { "event", flavor == HEART_SAMPLE_JSON_LABELED ? HEART_FIELD_INT : HEART_FIELD_BOOLEAN,
                               .integer = sample->event_active ? 1 : 0 };
  return n;
}

guint
heart_channel_value_fields (const HeartChannelValue *value,
                            const char              *condition,
                            gboolean                 label_column,
                            HeartField              *fields)
{
  const HeartChannel *channel = heart_channel_get (value->channel);
  guint n = 0;

  /* a label channel's value is its label */
  if (channel->kind == HEART_CHANNEL_KIND_LABEL)
    fields[n++] = (HeartField) { "value", HEART_FIELD_STRING, .string = value->label };
  else
    fields[n++] = number_field ("value", channel->decimals, value->value);
  fields[n++] = (HeartField) { "timestamp", HEART_FIELD_TIMESTAMP, .integer = value->timestamp_us };
  fields[n++] = (HeartField) { "type", HEART_FIELD_STRING, .string = channel->name };
  if (label_column || (channel->kind == HEART_CHANNEL_KIND_EVENT && value->label[0] != '\0'))
    fields[n++] = (HeartField) { "label", HEART_FIELD_STRING,
                                 .string = channel->kind == HEART_CHANNEL_KIND_LABEL ? "" : value->label };
  fields[n++] = (HeartField) { "condition", HEART_FIELD_STRING, .string = condition };
  return n;
}

guint
heart_beat_fields (const HeartBeat *beat,
                   HeartField      *fields)
{
  guint n = 0;

  fields[n++] = (HeartField) { "timestamp", HEART_FIELD_TIMESTAMP, .integer = beat->timestamp_us };
  fields[n++] = (HeartField) { "t_s", HEART_FIELD_DECIMALS_3, .number = beat->t_s };
  fields[n++] = (HeartField) { "rr_ms", HEART_FIELD_DECIMALS_1, .number = beat->rr_ms };
  fields[n++] = (HeartField) { "bpm", HEART_FIELD_INT, .integer = heart_beat_get_bpm (beat) };
  fields[n++] = (HeartField) { "stress_level", HEART_FIELD_DECIMALS_3, .number = beat->stress_level };
  fields[n++] = (HeartField) { "event", HEART_FIELD_INT, .integer = beat->event_active ? 1 : 0 };
  fields[n++] = (HeartField) { "condition", HEART_FIELD_STRING, .string = beat->condition };
  return n;
}

void
heart_sample_append_json (const HeartSample     *sample,
                          HeartSampleJsonFlavor  flavor,
                          GString               *out)
{
  HeartField fields[HEART_FIELDS_MAX];
  guint n = heart_sample_fields (sample, flavor, fields);

  heart_fields_append (out, HEART_FIELDS_JSON, fields, n);
}

char *
heart_sample_to_json (const HeartSample *sample)
{
  GString *out = g_string_sized_new (256);

  heart_sample_append_json (sample, HEART_SAMPLE_JSON_WIRE, out);
  return g_string_free (out, FALSE);
}

JsonNode *
heart_sample_to_json_node (const HeartSample *sample)
{
  g_autofree char *json = heart_sample_to_json (sample);

  return json_from_string (json, NULL);
}
