/* heart-server-waveform.c: the waveforms on the wire
 *
 * One writer makes a waveform's JSON, for the streams' frames and for GET
 * /api/waveform alike, from a block (heart-waveform.h): a client reads the
 * same object from both. Every waveform channel of the table is served the
 * same way, so a new one needs no code here (docs/api.md, "Waveforms").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-fields.h"
#include "heart-server-json.h"
#include "heart-server-validate.h"
#include "heart-server-waveform.h"

/* Simulation seconds: a frame's start to the µs, so that index / fs is
 * exact at any rate; a mark to the ms, as its timestamp */
#define T0_DECIMALS 6
#define MARK_DECIMALS 3

void
heart_waveform_append_json (GString                  *out,
                            const HeartWaveformBlock *block)
{
  const HeartChannel *info = heart_channel_get (block->channel);

  g_string_append (out, "{\"type\":");
  heart_json_append_string (out, info->name);
  /* a block of marks alone starts where its next sample will be; nothing
   * at all (GET /api/waveform before any sample) starts nowhere */
  if (block->n_values > 0 || block->n_marks > 0)
    {
      g_string_append (out, ",\"t0\":\"");
      heart_append_iso8601_ms (out, block->t0_us);
      g_string_append (out, "\",\"t0_s\":");
      heart_json_append_double (out, block->t0_s, T0_DECIMALS);
      g_string_append_printf (out, ",\"index\":%" G_GUINT64_FORMAT, block->first_index);
    }
  else
    g_string_append (out, ",\"t0\":null,\"t0_s\":null,\"index\":null");
  g_string_append (out, ",\"fs\":");
  heart_json_append_double (out, block->fs_hz, 3);
  g_string_append (out, ",\"unit\":");
  heart_json_append_string (out, info->unit);
  g_string_append (out, ",\"values\":[");
  for (guint i = 0; i < block->n_values; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      heart_json_append_double (out, block->values[i], info->decimals);
    }
  g_string_append (out, "],\"annotations\":[");
  for (guint i = 0; i < block->n_marks; i++)
    {
      const HeartWaveformMark *mark = &block->marks[i];

      g_string_append (out, i > 0 ? ",{\"t\":\"" : "{\"t\":\"");
      heart_append_iso8601_ms (out, mark->timestamp_us);
      g_string_append (out, "\",\"t_s\":");
      heart_json_append_double (out, mark->t_s, MARK_DECIMALS);
      g_string_append (out, ",\"code\":");
      heart_json_append_string (out, mark->code);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

static void
respond_validation (SoupServerMessage *msg,
                    HeartValidation   *validation)
{
  g_autofree char *json = heart_validation_to_json (validation);

  heart_respond_json (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, g_string_new (json));
}

/* ---- GET /api/waveform ------------------------------------------------------ */

/* The names of the waveform channels, from the table */
static const char **
waveform_names (void)
{
  GPtrArray *names = g_ptr_array_new ();

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_WAVEFORM)
      g_ptr_array_add (names, (gpointer) heart_channel_get (c)->name);
  g_ptr_array_add (names, NULL);
  return (const char **) g_ptr_array_free (names, FALSE);
}

void
heart_server_waveform_respond (SoupServerMessage           *msg,
                               GHashTable                  *query,
                               HeartWaveformHistory        *history,
                               const HeartWaveformSettings *settings)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autofree const char **names = waveform_names ();
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) marks = g_array_new (FALSE, FALSE, sizeof (HeartWaveformMark));
  const char *type = NULL;
  gint64 seconds = 10;
  const HeartChannel *channel;
  HeartWaveformBlock block;
  GString *json;

  heart_validation_choice (validation, "type", TRUE, names, &type);
  heart_validation_int (validation, "seconds", FALSE, 1, HEART_WAVEFORM_HISTORY_SECONDS, &seconds);
  if (!heart_validation_ok (validation))
    {
      respond_validation (msg, validation);
      return;
    }

  channel = heart_channel_lookup (type);
  if (!heart_waveform_history_query (history, channel->id, (double) seconds, values, marks, &block))
    /* nothing yet (a replay, or before the first block): the rate it will have */
    block = (HeartWaveformBlock) {
      .channel = channel->id,
      .fs_hz = settings != NULL ? heart_waveform_settings_get_rate (settings, channel->id) : channel->rate_hz,
    };
  json = g_string_sized_new (256 + block.n_values * 8);
  heart_waveform_append_json (json, &block);
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* ---- /simulation/waveform ------------------------------------------------- */

static void
respond_settings (SoupServerMessage *msg,
                  HeartSimulator    *simulator,
                  const char        *status)
{
  HeartWaveformSettings settings;
  g_autofree char *noise = NULL;
  GString *json = g_string_new ("{");

  heart_simulator_get_waveform_settings (simulator, &settings);
  noise = heart_waveform_noise_to_string (settings.noise);
  if (status != NULL)
    g_string_append_printf (json, "\"status\":\"%s\",", status);
  g_string_append (json, "\"ecg_rate_hz\":");
  heart_json_append_double (json, settings.ecg_rate_hz, 3);
  g_string_append (json, ",\"ppg_rate_hz\":");
  heart_json_append_double (json, settings.ppg_rate_hz, 3);
  g_string_append (json, ",\"noise\":");
  heart_json_append_string (json, noise);
  g_string_append (json, ",\"powerline_hz\":");
  heart_json_append_double (json, settings.powerline_hz, 0);
  g_string_append (json, ",\"pvc_per_hour\":");
  heart_json_append_double (json, settings.pvc_per_hour, 1);
  g_string_append (json, ",\"pac_per_hour\":");
  heart_json_append_double (json, settings.pac_per_hour, 1);
  g_string_append (json, ",\"lead_off_per_hour\":");
  heart_json_append_double (json, settings.lead_off_per_hour, 1);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

void
heart_server_waveform_get_settings (SoupServerMessage *msg,
                                    HeartSimulator    *simulator)
{
  respond_settings (msg, simulator, NULL);
}

void
heart_server_waveform_set_settings (SoupServerMessage *msg,
                                    GHashTable        *query,
                                    HeartSimulator    *simulator)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autoptr(GError) error = NULL;
  const char *noise = query ? g_hash_table_lookup (query, "noise") : NULL;
  HeartWaveformSettings settings;

  /* the fields given change, the others stay */
  heart_simulator_get_waveform_settings (simulator, &settings);
  heart_validation_double (validation, "ecg_rate_hz", FALSE, HEART_ECG_RATE_MIN, HEART_ECG_RATE_MAX,
                           &settings.ecg_rate_hz);
  heart_validation_double (validation, "ppg_rate_hz", FALSE, HEART_PPG_RATE_MIN, HEART_PPG_RATE_MAX,
                           &settings.ppg_rate_hz);
  if (noise != NULL && !heart_waveform_noise_parse (noise, &settings.noise, &error))
    {
      g_autofree char *message = g_strdup_printf ("Value error, %s", error->message);

      heart_validation_add_error (validation, "query", "noise", message, noise);
      g_clear_error (&error);
    }
  if (heart_validation_double (validation, "powerline_hz", FALSE, 50, 60, &settings.powerline_hz) &&
      settings.powerline_hz != 50 && settings.powerline_hz != 60)
    heart_validation_add_error (validation, "query", "powerline_hz", "Value error, must be 50 or 60",
                                g_hash_table_lookup (query, "powerline_hz"));
  heart_validation_double (validation, "pvc_per_hour", FALSE, 0, HEART_ARTEFACTS_PER_HOUR_MAX,
                           &settings.pvc_per_hour);
  heart_validation_double (validation, "pac_per_hour", FALSE, 0, HEART_ARTEFACTS_PER_HOUR_MAX,
                           &settings.pac_per_hour);
  heart_validation_double (validation, "lead_off_per_hour", FALSE, 0, HEART_ARTEFACTS_PER_HOUR_MAX,
                           &settings.lead_off_per_hour);
  if (!heart_validation_ok (validation))
    {
      respond_validation (msg, validation);
      return;
    }

  if (!heart_simulator_set_waveform_settings (simulator, &settings, &error))
    {
      heart_respond_detail (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, error->message);
      return;
    }
  respond_settings (msg, simulator, "waveform_set");
}
