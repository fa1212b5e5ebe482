/* heart-server-person.c: the routes about the person: channels, their
 * history, scenarios (docs/api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-fields.h"
#include "heart-scenario-file.h"
#include "heart-server-json.h"
#include "heart-server-person.h"
#include "heart-server-validate.h"

void
heart_person_respond_channels (SoupServerMessage           *msg,
                               const HeartWaveformSettings *waveforms)
{
  GString *json = g_string_new ("{\"channels\":[");

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);

      if (c > 0)
        g_string_append_c (json, ',');
      g_string_append (json, "{\"name\":");
      heart_json_append_string (json, channel->name);
      g_string_append (json, ",\"unit\":");
      heart_json_append_string (json, channel->unit);
      g_string_append (json, ",\"kind\":");
      heart_json_append_string (json, heart_channel_kind_name (channel->kind));
      g_string_append (json, ",\"rate_hz\":");
      if (channel->kind == HEART_CHANNEL_KIND_PERIODIC)
        heart_json_append_double (json, channel->rate_hz, 0);
      else if (channel->kind == HEART_CHANNEL_KIND_WAVEFORM)
        heart_json_append_double (json, waveforms != NULL ? heart_waveform_settings_get_rate (waveforms, c)
                                                          : channel->rate_hz, 3);
      else
        g_string_append (json, "null");
      g_string_append (json, ",\"min\":");
      heart_json_append_double (json, channel->min, channel->decimals);
      g_string_append (json, ",\"max\":");
      heart_json_append_double (json, channel->max, channel->decimals);
      g_string_append (json, ",\"description\":");
      heart_json_append_string (json, channel->description);
      g_string_append_c (json, '}');
    }
  g_string_append (json, "]}");
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

void
heart_person_respond_history (SoupServerMessage   *msg,
                              HeartChannelHistory *history,
                              HeartChannelId       channel,
                              guint64              since,
                              guint                limit)
{
  g_autoptr(GArray) entries = heart_channel_history_query_since (history, channel, since, limit);
  const HeartChannelEntry *oldest = heart_channel_history_peek (history, channel, 0);
  guint length = heart_channel_history_get_length (history, channel);
  const HeartChannelEntry *latest = length > 0 ? heart_channel_history_peek (history, channel, length - 1) : NULL;
  const HeartChannel *info = heart_channel_get (channel);
  GString *json = g_string_sized_new (128 + entries->len * 64);

  g_string_append (json, "{\"type\":");
  heart_json_append_string (json, info->name);
  g_string_append_printf (json, ",\"since\":%" G_GUINT64_FORMAT ",\"limit\":%u,\"count\":%u"
                          ",\"oldest_seq\":%" G_GUINT64_FORMAT ",\"latest_seq\":%" G_GUINT64_FORMAT ",\"values\":[",
                          since, limit, entries->len,
                          oldest ? oldest->seq : 0, latest ? latest->seq : 0);
  for (guint i = 0; i < entries->len; i++)
    {
      const HeartChannelEntry *entry = &g_array_index (entries, HeartChannelEntry, i);

      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append_printf (json, "{\"seq\":%" G_GUINT64_FORMAT ",\"value\":", entry->seq);
      heart_json_append_double (json, entry->value, info->decimals);
      g_string_append (json, ",\"timestamp\":\"");
      heart_append_iso8601_ms (json, entry->timestamp_us);
      g_string_append (json, "\"}");
    }
  g_string_append (json, "]}");
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
append_bundled (GString *json)
{
  g_auto(GStrv) names = heart_scenario_list_bundled ();

  g_string_append (json, ",\"bundled\":[");
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      heart_json_append_string (json, names[i]);
    }
  g_string_append_c (json, ']');
}

static void
append_phases (GString             *json,
               const HeartScenario *scenario)
{
  g_string_append (json, ",\"phases\":[");
  for (guint i = 0; i < heart_scenario_get_n_phases (scenario); i++)
    {
      const HeartScenarioPhase *phase = heart_scenario_get_phase (scenario, i);

      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append (json, "{\"name\":");
      heart_json_append_string (json, phase->name);
      g_string_append (json, ",\"start_s\":");
      heart_json_append_double (json, heart_scenario_get_phase_start (scenario, i), 3);
      g_string_append (json, ",\"duration_s\":");
      heart_json_append_double (json, phase->duration_s, 3);
      g_string_append_c (json, '}');
    }
  g_string_append_c (json, ']');
}

/* {"active":…, name, phase, elapsed, remaining, phases, bundled} */
static GString *
scenario_report (HeartSimulator *simulator)
{
  HeartScenario *scenario = heart_simulator_get_scenario (simulator);
  GString *json = g_string_new (NULL);
  double elapsed, duration;
  int phase;

  if (scenario == NULL)
    {
      g_string_append (json, "{\"active\":false");
      append_bundled (json);
      g_string_append_c (json, '}');
      return json;
    }

  phase = heart_simulator_get_phase (simulator);
  elapsed = heart_simulator_get_scenario_elapsed (simulator);
  duration = heart_scenario_get_duration (scenario);
  g_string_append (json, "{\"active\":true,\"name\":");
  heart_json_append_string (json, heart_scenario_get_name (scenario));
  g_string_append (json, ",\"description\":");
  heart_json_append_string (json, heart_scenario_get_description (scenario) ? heart_scenario_get_description (scenario) : "");
  g_string_append (json, ",\"phase\":");
  heart_json_append_string (json, heart_simulator_get_condition (simulator));
  g_string_append_printf (json, ",\"phase_index\":%d,\"elapsed_s\":", phase);
  heart_json_append_double (json, elapsed, 3);
  g_string_append (json, ",\"remaining_s\":");
  heart_json_append_double (json, MAX (duration - elapsed, 0), 3);
  g_string_append (json, ",\"duration_s\":");
  heart_json_append_double (json, duration, 3);
  append_phases (json, scenario);
  append_bundled (json);
  g_string_append_c (json, '}');
  return json;
}

void
heart_person_get_scenario (SoupServerMessage *msg,
                           HeartSimulator    *simulator)
{
  heart_respond_json (msg, SOUP_STATUS_OK, scenario_report (simulator));
}

static void
respond_validation (SoupServerMessage *msg,
                    HeartValidation   *validation)
{
  g_autofree char *json = heart_validation_to_json (validation);

  heart_respond_json (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, g_string_new (json));
}

/* ?name=BUNDLED, or the scenario file as the body; ?repeat=true runs it
 * again and again. Checked whole before anything changes. */
void
heart_person_post_scenario (SoupServerMessage *msg,
                            GHashTable        *query,
                            HeartSimulator    *simulator)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *name = query ? g_hash_table_lookup (query, "name") : NULL;
  const char *repeat = query ? g_hash_table_lookup (query, "repeat") : NULL;
  g_autoptr(HeartScenario) scenario = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);

  if (repeat != NULL && !g_str_equal (repeat, "true") && !g_str_equal (repeat, "false"))
    heart_validation_add_error (validation, "query", "repeat", "Value error, must be true or false", repeat);
  if (name == NULL && size == 0)
    heart_validation_add_error (validation, "query", "name",
                                "Value error, give a bundled scenario's name or the scenario as the body", NULL);
  if (!heart_validation_ok (validation))
    {
      respond_validation (msg, validation);
      return;
    }

  scenario = name != NULL ? heart_scenario_load_bundled (name, &error)
                          : heart_scenario_parse (data, size, "upload", &error);
  if (scenario == NULL)
    {
      heart_validation_add_error (validation, name != NULL ? "query" : "body", name != NULL ? "name" : NULL,
                                  error->message, name);
      respond_validation (msg, validation);
      return;
    }

  heart_simulator_run_scenario (simulator, scenario, repeat != NULL && g_str_equal (repeat, "true"));
  heart_respond_json (msg, SOUP_STATUS_OK, scenario_report (simulator));
}

void
heart_person_delete_scenario (SoupServerMessage *msg,
                              HeartSimulator    *simulator)
{
  gboolean active = heart_simulator_get_scenario (simulator) != NULL;
  GString *json = g_string_new (NULL);

  heart_simulator_stop_scenario (simulator);
  g_string_append_printf (json, "{\"status\":\"%s\"}", active ? "stopped" : "not_running");
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}
