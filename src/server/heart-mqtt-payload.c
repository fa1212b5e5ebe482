/* heart-mqtt-payload.c: the payloads of the MQTT messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "heart-mqtt-payload.h"
#include "heart-sample-fields.h"
#include "heart-server-json.h"
#include "heart-server-waveform.h"

/* ---- JSON: the WebSocket stream's objects -------------------------------- */

static void
json_batch (GString                        *out,
            const HeartChannelValue *const *values,
            guint                           n,
            const char                     *condition)
{
  const HeartChannel *info = heart_channel_get (values[0]->channel);

  heart_json_append_batch_head (out, info, values[0]->timestamp_us, condition);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      heart_json_append_double (out, values[i]->value, MAX (info->decimals, 0));
    }
  g_string_append (out, "]}");
}

/* ---- SenML ---------------------------------------------------------------- */

/* Our units as SenML's registered ones (RFC 8428 section 12.1, RFC 8798),
 * with the factor that takes our value to it; a unit SenML lacks is left
 * out, the record's name saying what it is */
typedef struct
{
  const char *ours;
  const char *senml;
  double      factor;
} UnitMap;

static const UnitMap units[] = {
  { "bpm", "beat/min", 1 },
  { "ms", "ms", 1 },
  { "breaths/min", "1/min", 1 },
  { "steps/min", "1/min", 1 },
  { "µS", "S", 1e-6 },
  { "%", "%", 1 },
  { "°C", "Cel", 1 },
  { "steps", "count", 1 },
  { "mV", "V", 1e-3 },
};

static const UnitMap *
unit_map (const char *unit)
{
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_str_equal (units[i].ours, unit))
      return &units[i];
  return NULL;
}

/* The pack's first record: base name "heartsim:SUBJECT:" and base time
 * (s since the epoch, to the µs) */
static void
senml_open (GString    *out,
            guint       subject_id,
            gint64      base_us)
{
  g_string_append_printf (out, "[{\"bn\":\"heartsim:%u:\",\"bt\":", subject_id);
  heart_json_append_double (out, base_us / 1e6, 6);
  g_string_append_c (out, ',');
}

/* A record's name, unit and value (the record's opening brace and time
 * written by the caller); a label is a string value "vs" */
static void
senml_record_body (GString            *out,
                   const HeartChannel *info,
                   double              value,
                   const char         *label)
{
  const UnitMap *map = unit_map (info->unit);

  g_string_append (out, "\"n\":");
  heart_json_append_string (out, info->name);
  if (label != NULL)
    {
      g_string_append (out, ",\"vs\":");
      heart_json_append_string (out, label);
      return;
    }
  if (map != NULL)
    {
      g_string_append (out, ",\"u\":");
      heart_json_append_string (out, map->senml);
    }
  g_string_append (out, ",\"v\":");
  /* the channel's decimals, and as many more as the unit's factor shifts */
  heart_json_append_double (out, value * (map != NULL ? map->factor : 1),
                            MAX (info->decimals, 0) + (map != NULL ? (int) lround (-log10 (map->factor)) : 0));
}

/* A pack of the channel's values at @t_us (µs since the epoch), the first
 * at the pack's base time; SenML has no null, so a value a source lacks is
 * no record (a pack of none is an empty array) */
static void
senml_pack (GString            *out,
            guint               subject_id,
            const HeartChannel *info,
            const gint64       *t_us,
            const double       *numbers,
            const char         *label,
            guint               n)
{
  gboolean first = TRUE;

  for (guint i = 0; i < n; i++)
    {
      if (label == NULL && !isfinite (numbers[i]))
        continue;
      if (first)
        senml_open (out, subject_id, t_us[i]);
      else
        {
          g_string_append (out, ",{\"t\":");
          heart_json_append_double (out, (t_us[i] - t_us[0]) / 1e6, 6);
          g_string_append_c (out, ',');
        }
      senml_record_body (out, info, numbers[i], label);
      g_string_append_c (out, '}');
      first = FALSE;
    }
  g_string_append (out, first ? "[]" : "]");
}

/* ---- both ----------------------------------------------------------------- */

void
heart_mqtt_payload_value (GString                 *out,
                          HeartMqttFormat          format,
                          guint                    subject_id,
                          const HeartChannelValue *value,
                          const char              *condition)
{
  const HeartChannel *info = heart_channel_get (value->channel);
  HeartField fields[HEART_FIELDS_MAX];

  if (format == HEART_MQTT_FORMAT_JSON)
    {
      heart_fields_append (out, HEART_FIELDS_JSON, fields,
                           heart_channel_value_fields (value, condition, FALSE, fields));
      return;
    }
  senml_pack (out, subject_id, info, &value->timestamp_us, &value->value,
              info->kind == HEART_CHANNEL_KIND_LABEL ? value->label : NULL, 1);
}

void
heart_mqtt_payload_batch (GString                        *out,
                          HeartMqttFormat                 format,
                          guint                           subject_id,
                          const HeartChannelValue *const *values,
                          guint                           n,
                          const char                     *condition)
{
  g_autofree gint64 *t_us = NULL;
  g_autofree double *numbers = NULL;

  g_return_if_fail (n > 0);
  if (format == HEART_MQTT_FORMAT_JSON)
    {
      json_batch (out, values, n, condition);
      return;
    }
  t_us = g_new (gint64, n);
  numbers = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      t_us[i] = values[i]->timestamp_us;
      numbers[i] = values[i]->value;
    }
  senml_pack (out, subject_id, heart_channel_get (values[0]->channel), t_us, numbers, NULL, n);
}

void
heart_mqtt_payload_waveform (GString                  *out,
                             HeartMqttFormat           format,
                             guint                     subject_id,
                             const HeartWaveformBlock *block)
{
  g_autofree gint64 *t_us = NULL;
  g_autofree double *numbers = NULL;

  if (format == HEART_MQTT_FORMAT_JSON)
    {
      heart_waveform_append_json (out, block);
      return;
    }
  /* samples k/fs after the block's first; the marks are JSON's alone */
  t_us = g_new (gint64, MAX (block->n_values, 1));
  numbers = g_new (double, MAX (block->n_values, 1));
  for (guint i = 0; i < block->n_values; i++)
    {
      t_us[i] = block->t0_us + (gint64) llround (i * 1e6 / block->fs_hz);
      numbers[i] = block->values[i];
    }
  senml_pack (out, subject_id, heart_channel_get (block->channel), t_us, numbers, NULL, block->n_values);
}
