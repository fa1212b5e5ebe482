/* heart-waveform.c: the waveforms' settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-waveform.h"

#include <math.h>

G_DEFINE_QUARK (heart-waveform-error-quark, heart_waveform_error)

static const struct {
  const char        *name;
  HeartWaveformNoise flag;
} noise_names[] = {
  { "powerline", HEART_WAVEFORM_NOISE_POWERLINE },
  { "muscle", HEART_WAVEFORM_NOISE_MUSCLE },
  { "wander", HEART_WAVEFORM_NOISE_WANDER },
  { "motion", HEART_WAVEFORM_NOISE_MOTION },
};

static gboolean
check_field (double       value,
             double       low,
             double       high,
             const char  *field,
             GError     **error)
{
  if (isfinite (value) && value >= low && value <= high)
    return TRUE;
  g_set_error (error, HEART_WAVEFORM_ERROR, HEART_WAVEFORM_ERROR_OUT_OF_RANGE,
               "%s must be between %g and %g, not %g", field, low, high, value);
  return FALSE;
}

gboolean
heart_waveform_settings_check (const HeartWaveformSettings *settings,
                               GError                     **error)
{
  if (!check_field (settings->ecg_rate_hz, HEART_ECG_RATE_MIN, HEART_ECG_RATE_MAX, "ecg_rate_hz", error) ||
      !check_field (settings->ppg_rate_hz, HEART_PPG_RATE_MIN, HEART_PPG_RATE_MAX, "ppg_rate_hz", error) ||
      !check_field (settings->pvc_per_hour, 0, HEART_ARTEFACTS_PER_HOUR_MAX, "pvc_per_hour", error) ||
      !check_field (settings->pac_per_hour, 0, HEART_ARTEFACTS_PER_HOUR_MAX, "pac_per_hour", error) ||
      !check_field (settings->lead_off_per_hour, 0, HEART_ARTEFACTS_PER_HOUR_MAX, "lead_off_per_hour", error))
    return FALSE;
  if (settings->powerline_hz != 50 && settings->powerline_hz != 60)
    {
      g_set_error (error, HEART_WAVEFORM_ERROR, HEART_WAVEFORM_ERROR_OUT_OF_RANGE,
                   "powerline_hz must be 50 or 60, not %g", settings->powerline_hz);
      return FALSE;
    }
  if ((settings->noise & ~HEART_WAVEFORM_NOISE_ALL) != 0)
    {
      g_set_error (error, HEART_WAVEFORM_ERROR, HEART_WAVEFORM_ERROR_UNKNOWN_NOISE,
                   "noise has unknown flags 0x%x", (guint) settings->noise);
      return FALSE;
    }
  return TRUE;
}

gboolean
heart_waveform_noise_parse (const char          *names,
                            HeartWaveformNoise  *noise,
                            GError             **error)
{
  g_auto(GStrv) words = g_strsplit (names != NULL ? names : "", ",", -1);
  HeartWaveformNoise result = HEART_WAVEFORM_NOISE_NONE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = g_strstrip (words[i]);
      gboolean known = FALSE;

      if (*word == '\0' || g_str_equal (word, "none"))
        continue;
      if (g_str_equal (word, "all"))
        {
          result = HEART_WAVEFORM_NOISE_ALL;
          continue;
        }
      for (guint j = 0; j < G_N_ELEMENTS (noise_names) && !known; j++)
        if (g_str_equal (word, noise_names[j].name))
          result |= noise_names[j].flag, known = TRUE;
      if (!known)
        {
          g_set_error (error, HEART_WAVEFORM_ERROR, HEART_WAVEFORM_ERROR_UNKNOWN_NOISE,
                       "unknown noise \"%s\" (powerline, muscle, wander, motion, all or none)", word);
          return FALSE;
        }
    }
  *noise = result;
  return TRUE;
}

char *
heart_waveform_noise_to_string (HeartWaveformNoise noise)
{
  GString *names = g_string_new (NULL);

  for (guint j = 0; j < G_N_ELEMENTS (noise_names); j++)
    if (noise & noise_names[j].flag)
      g_string_append_printf (names, "%s%s", names->len > 0 ? "," : "", noise_names[j].name);
  return g_string_free (names, FALSE);
}

double
heart_waveform_settings_get_rate (const HeartWaveformSettings *settings,
                                  HeartChannelId               channel)
{
  g_return_val_if_fail (channel == HEART_CHANNEL_ECG || channel == HEART_CHANNEL_PPG, 0);
  return channel == HEART_CHANNEL_ECG ? settings->ecg_rate_hz : settings->ppg_rate_hz;
}
