/* heart-server-subject.c: what the server keeps for one person it serves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-server-subject.h"

#include "heart-sample-fields.h"
#include "heart-server-json.h"
#include "heart-source-switch.h"

/* The current sample with the source's state now: a stop between ticks
 * must show as "stopped" at once. */
static void
refresh_current (HeartServerSubject *self,
                 const HeartSample  *sample)
{
  HeartSample copy = *sample;
  GString *json = g_string_sized_new (256);

  copy.running = heart_source_get_running (self->source);
  heart_sample_append_json (&copy, HEART_SAMPLE_JSON_WIRE, json);
  g_clear_pointer (&self->current_json, g_bytes_unref);
  self->current_json = g_string_free_to_bytes (json);
}

static void
on_sample (HeartSource        *source,
           HeartSample        *sample,
           HeartServerSubject *self)
{
  refresh_current (self, sample);
  heart_backfill_pushed (self->backfill);
  heart_fanout_push_sample (self->fanout, sample);
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           HeartServerSubject      *self)
{
  heart_fanout_push_values (self->fanout, values, n_values);
}

static void
on_waveform (HeartSource              *source,
             const HeartWaveformBlock *block,
             HeartServerSubject       *self)
{
  heart_waveform_history_push (self->waveforms, block);
  heart_fanout_push_waveform (self->fanout, block);
}

/* Another source: the waveforms of the last one are not its */
static void
on_source_switched (HeartSource        *source,
                    GParamSpec         *pspec,
                    HeartServerSubject *self)
{
  heart_waveform_history_clear (self->waveforms);
}

static void
on_running_changed (HeartSource        *source,
                    GParamSpec         *pspec,
                    HeartServerSubject *self)
{
  refresh_current (self, heart_source_get_current_sample (source));
  heart_fanout_set_state (self->fanout, heart_source_get_running (source),
                          heart_source_get_interval_ms (source));
}

HeartServerSubject *
heart_server_subject_new (guint                  id,
                          HeartSubject          *subject,
                          HeartSimulator        *simulator,
                          HeartSource           *source,
                          HeartHistory          *history,
                          guint                  history_capacity,
                          HeartDayLog           *day_log,
                          HeartConnections      *connections,
                          guint                  fanout_threads,
                          HeartFanoutChangedFunc changed,
                          gpointer               data)
{
  HeartServerSubject *self = g_new0 (HeartServerSubject, 1);

  self->id = id;
  self->subject = subject != NULL ? g_object_ref (subject) : NULL;
  self->simulator = simulator != NULL ? g_object_ref (simulator) : NULL;
  self->source = g_object_ref (source);
  if (history != NULL)
    self->history = g_object_ref (history);
  else
    {
      self->history = heart_history_new (history_capacity);
      heart_history_follow (self->history, G_OBJECT (source));
    }
  self->channel_history = heart_channel_history_new (history != NULL ? HEART_CHANNEL_HISTORY_DEFAULT_CAPACITY
                                                                      : history_capacity);
  heart_channel_history_follow (self->channel_history, G_OBJECT (source));
  if (day_log != NULL)
    self->day_log = g_object_ref (day_log);
  else
    {
      self->day_log = heart_day_log_new (NULL);
      heart_day_log_follow (self->day_log, G_OBJECT (source));
    }
  self->waveforms = heart_waveform_history_new (HEART_WAVEFORM_HISTORY_SECONDS);
  self->backfill = heart_backfill_new (self->history);
  self->fanout = heart_fanout_new (self->history, connections, fanout_threads, changed, data);
  heart_fanout_set_state (self->fanout, heart_source_get_running (source),
                          heart_source_get_interval_ms (source));
  refresh_current (self, heart_source_get_current_sample (source));

  g_signal_connect (source, "sample", G_CALLBACK (on_sample), self);
  g_signal_connect (source, "values", G_CALLBACK (on_values), self);
  g_signal_connect (source, "waveform", G_CALLBACK (on_waveform), self);
  if (HEART_IS_SOURCE_SWITCH (source))
    g_signal_connect (source, "notify::source", G_CALLBACK (on_source_switched), self);
  g_signal_connect (source, "notify::running", G_CALLBACK (on_running_changed), self);
  g_signal_connect (source, "notify::interval-ms", G_CALLBACK (on_running_changed), self);
  return self;
}

void
heart_server_subject_free (HeartServerSubject *self)
{
  g_signal_handlers_disconnect_by_data (self->source, self);
  /* before the connections, which count its streams */
  g_clear_pointer (&self->fanout, heart_fanout_free);
  g_clear_pointer (&self->backfill, heart_backfill_free);
  g_clear_pointer (&self->waveforms, heart_waveform_history_free);
  g_clear_object (&self->day_log);
  g_clear_object (&self->channel_history);
  g_clear_object (&self->history);
  g_clear_object (&self->source);
  g_clear_object (&self->simulator);
  g_clear_object (&self->subject);
  g_clear_pointer (&self->current_json, g_bytes_unref);
  g_free (self);
}

HeartSource *
heart_server_subject_current_source (HeartServerSubject *self)
{
  return HEART_IS_SOURCE_SWITCH (self->source)
         ? heart_source_switch_get_source (HEART_SOURCE_SWITCH (self->source)) : self->source;
}

gboolean
heart_server_subject_simulating (HeartServerSubject *self)
{
  return self->simulator != NULL && heart_server_subject_current_source (self) == HEART_SOURCE (self->simulator);
}

static void
append_string_or_null (GString    *json,
                       const char *text)
{
  if (text != NULL && *text != '\0')
    heart_json_append_string (json, text);
  else
    g_string_append (json, "null");
}

void
heart_server_subject_append_json (HeartServerSubject *self,
                                  GString            *json)
{
  const HeartSample *sample = heart_source_get_current_sample (self->source);
  gboolean simulating = heart_server_subject_simulating (self);
  HeartScenario *scenario = simulating ? heart_simulator_get_scenario (self->simulator) : NULL;

  g_string_append_printf (json, "{\"id\":%u,\"name\":", self->id);
  if (self->subject != NULL)
    heart_json_append_string (json, heart_subject_get_name (self->subject));
  else
    g_string_append_printf (json, "\"subject-%u\"", self->id);
  g_string_append (json, ",\"kind\":");
  heart_json_append_string (json, heart_source_get_kind (heart_server_subject_current_source (self)));
  g_string_append (json, ",\"profile\":");
  append_string_or_null (json, simulating ? heart_simulator_get_profile (self->simulator) : NULL);
  if (self->simulator != NULL)
    g_string_append_printf (json, ",\"seed\":%" G_GUINT64_FORMAT, heart_simulator_get_seed (self->simulator));
  else
    g_string_append (json, ",\"seed\":null");
  g_string_append (json, ",\"scenario\":");
  append_string_or_null (json, scenario != NULL ? heart_scenario_get_name (scenario) : NULL);
  g_string_append (json, ",\"phase\":");
  append_string_or_null (json, simulating ? heart_simulator_get_condition (self->simulator) : NULL);
  g_string_append (json, ",\"activity\":");
  append_string_or_null (json, simulating ? heart_simulator_get_activity (self->simulator) : NULL);
  g_string_append_printf (json, ",\"running\":%s,\"seq\":%" G_GUINT64_FORMAT ",\"bpm\":%d,\"stress_level\":",
                          heart_source_get_running (self->source) ? "true" : "false",
                          sample->seq, sample->bpm);
  heart_json_append_double (json, sample->stress_level, 3);
  g_string_append (json, ",\"timestamp\":");
  if (sample->seq > 0)
    {
      g_string_append_c (json, '"');
      heart_append_iso8601_ms (json, sample->timestamp_us);
      g_string_append_c (json, '"');
    }
  else
    g_string_append (json, "null");
  g_string_append_printf (json, ",\"path\":\"/subjects/%u/\"}", self->id);
}
