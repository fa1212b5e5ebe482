/* heart-channel.c: the table of channels
 *
 * Rates and ranges follow docs/model.md; names follow the Bio Mock
 * prototype's "type" field (heart_rate) and otherwise what the signal is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-channel.h"

#include <string.h>

static const HeartChannel channels[HEART_N_CHANNELS] = {
  { HEART_CHANNEL_HEART_RATE, "heart_rate", "bpm", HEART_CHANNEL_KIND_PERIODIC, 1.0, 30, 220, 0,
    "Heart rate from the latest RR interval", "bpm" },
  { HEART_CHANNEL_RR_INTERVAL, "rr_interval", "ms", HEART_CHANNEL_KIND_PER_BEAT, 0, 270, 2000, 1,
    "Interval between two heartbeats, one value a beat" },
  { HEART_CHANNEL_HRV_RMSSD, "hrv_rmssd", "ms", HEART_CHANNEL_KIND_PERIODIC, 1.0, 0, 300, 1,
    "Root mean square of successive RR differences over the last 30 s", "rmssd_ms" },
  { HEART_CHANNEL_STRESS_LEVEL, "stress_level", "", HEART_CHANNEL_KIND_PERIODIC, 1.0, 0, 1, 3,
    "Stress felt now, sustained and brief arousals together, 0-1", "stress_level" },
  { HEART_CHANNEL_RESPIRATORY_RATE, "respiratory_rate", "breaths/min", HEART_CHANNEL_KIND_PERIODIC, 1.0, 4, 40, 1,
    "Breaths a minute, of the breath under way" },
  { HEART_CHANNEL_RESPIRATION, "respiration", "a.u.", HEART_CHANNEL_KIND_PERIODIC, 25.0, 0, 3, 3,
    "Breathing waveform: chest expansion, about 1 at the end of a resting breath" },
  { HEART_CHANNEL_EDA, "eda", "µS", HEART_CHANNEL_KIND_PERIODIC, 4.0, 0, 60, 3,
    "Skin conductance (electrodermal activity), tonic level and responses" },
  { HEART_CHANNEL_SCR, "scr", "µS", HEART_CHANNEL_KIND_EVENT, 0, 0, 10, 3,
    "One event a skin-conductance response, at its onset; the value is its amplitude" },
  { HEART_CHANNEL_CONDITION, "condition", "", HEART_CHANNEL_KIND_LABEL, 0, 0, 0, 0,
    "The scenario phase the person is in (empty with no scenario)" },
  { HEART_CHANNEL_EVENT, "event", "", HEART_CHANNEL_KIND_EVENT, 0, 0, 1, 3,
    "A stress event begins (label acute or arousal; the value is its level) or ends (label end, value 0)" },
  /* the simulated person counts its steps out every second; a replayed
   * Apple Health export has its step records (docs/replay.md) */
  { HEART_CHANNEL_STEPS, "steps", "steps", HEART_CHANNEL_KIND_EVENT, 0, 0, 100000, 0,
    "Steps counted since the previous steps value of this source, sent at the end of the span they were counted over",
    NULL, TRUE },
  { HEART_CHANNEL_HRV_SDNN, "hrv_sdnn", "ms", HEART_CHANNEL_KIND_EVENT, 0, 0, 500, 1,
    "Standard deviation of the RR intervals of a reading's window (about a minute), sent at the window's end",
    NULL, TRUE },
  /* the person's activity (docs/model.md, "Activity") */
  { HEART_CHANNEL_ACTIVITY, "activity", "", HEART_CHANNEL_KIND_LABEL, 0, 0, 0, 0,
    "What the person is doing: rest, sitting, walking, running, cycling or sleep" },
  { HEART_CHANNEL_CADENCE, "cadence", "steps/min", HEART_CHANNEL_KIND_PERIODIC, 1.0, 0, 250, 0,
    "Steps a minute (0 but when walking or running)" },
  { HEART_CHANNEL_STEPS_TODAY, "steps_today", "steps", HEART_CHANNEL_KIND_PERIODIC, 1.0, 0, 100000, 0,
    "Steps taken since midnight" },
  { HEART_CHANNEL_ENERGY, "energy", "kcal/min", HEART_CHANNEL_KIND_PERIODIC, 1.0, 0, 30, 3,
    "Energy expended, from the metabolic equivalents of the activity's intensity" },
  { HEART_CHANNEL_SPO2, "spo2", "%", HEART_CHANNEL_KIND_PERIODIC, 1.0, 90, 100, 0,
    "Blood oxygen saturation, as a pulse oximeter shows it" },
  { HEART_CHANNEL_SKIN_TEMPERATURE, "skin_temperature", "°C", HEART_CHANNEL_KIND_PERIODIC, 1.0, 25, 40, 1,
    "Skin temperature at the wrist" },
  { HEART_CHANNEL_SLEEP_STAGE, "sleep_stage", "", HEART_CHANNEL_KIND_LABEL, 0, 0, 0, 0,
    "Sleep stage as HealthKit names it: in_bed, awake, core (N1 and N2), deep, rem; empty out of bed" },
  /* the waveforms (docs/waveforms.md): rate_hz is the default rate */
  { HEART_CHANNEL_ECG, "ecg", "mV", HEART_CHANNEL_KIND_WAVEFORM, 250.0, -5, 5, 3,
    "Electrocardiogram (lead II), one revolution of the ECGSYN model a heartbeat; marks: beats (N, V, S) at their R peaks, lead_off and lead_on" },
  { HEART_CHANNEL_PPG, "ppg", "a.u.", HEART_CHANNEL_KIND_WAVEFORM, 64.0, -2, 3, 3,
    "Photoplethysmogram (pulse wave at the wrist), one pulse a heartbeat; marks: beats (N, V, S) at their pulses' feet, motion and motion_end" },
};

const HeartChannel *
heart_channel_get (HeartChannelId id)
{
  g_return_val_if_fail (id < HEART_N_CHANNELS, NULL);
  return &channels[id];
}

const HeartChannel *
heart_channel_lookup (const char *name)
{
  for (guint i = 0; i < HEART_N_CHANNELS; i++)
    if (g_strcmp0 (channels[i].name, name) == 0)
      return &channels[i];
  return NULL;
}

gboolean
heart_channel_parse_list (const char        *names,
                          HeartChannelMask  *mask,
                          char             **unknown)
{
  g_auto(GStrv) parts = g_strsplit (names != NULL ? names : "", ",", -1);
  HeartChannelMask result = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      const HeartChannel *channel;

      if (*name == '\0')
        continue;
      channel = heart_channel_lookup (name);
      if (channel == NULL)
        {
          if (unknown != NULL)
            *unknown = g_strdup (name);
          return FALSE;
        }
      result |= HEART_CHANNEL_BIT (channel->id);
    }
  *mask = result;
  return TRUE;
}

const char *
heart_channel_kind_name (HeartChannelKind kind)
{
  switch (kind)
    {
    case HEART_CHANNEL_KIND_PERIODIC: return "periodic";
    case HEART_CHANNEL_KIND_PER_BEAT: return "per-beat";
    case HEART_CHANNEL_KIND_EVENT: return "event";
    case HEART_CHANNEL_KIND_LABEL: return "label";
    case HEART_CHANNEL_KIND_WAVEFORM: return "waveform";
    default: g_return_val_if_reached (NULL);
    }
}
