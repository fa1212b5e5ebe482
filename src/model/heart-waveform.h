/* heart-waveform.h: the ECG and PPG waveforms, what they are made of and how
 * they leave the model
 *
 * The waveforms are channels of kind "waveform" (heart-channel.h): samples
 * on a grid of k / fs seconds of simulation time, handed on in blocks with
 * the marks (annotations) that fall in them. docs/waveforms.md explains the
 * model and every constant.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_WAVEFORM_ERROR (heart_waveform_error_quark ())

typedef enum {
  HEART_WAVEFORM_ERROR_OUT_OF_RANGE,
  HEART_WAVEFORM_ERROR_UNKNOWN_NOISE,
} HeartWaveformError;

#define HEART_ECG_RATE_MIN 125.0
#define HEART_ECG_RATE_MAX 1000.0
#define HEART_ECG_RATE_DEFAULT 250.0
#define HEART_PPG_RATE_MIN 16.0
#define HEART_PPG_RATE_MAX 500.0
#define HEART_PPG_RATE_DEFAULT 64.0
#define HEART_ARTEFACTS_PER_HOUR_MAX 1200.0
/* Live waveforms leave the simulator this often (25 blocks a second) */
#define HEART_WAVEFORM_FRAME_MS 40
/* A live simulator sped up beyond this makes no waveforms (each second
 * would cost more than a second) */
#define HEART_WAVEFORM_SPEED_MAX 60.0

/* Optional noise on the ECG; motion also reaches the PPG while the person
 * moves */
typedef enum {
  HEART_WAVEFORM_NOISE_NONE      = 0,
  HEART_WAVEFORM_NOISE_POWERLINE = 1 << 0,   /* mains hum at powerline_hz */
  HEART_WAVEFORM_NOISE_MUSCLE    = 1 << 1,   /* EMG: broadband, more when moving */
  HEART_WAVEFORM_NOISE_WANDER    = 1 << 2,   /* baseline wander beyond breathing's */
  HEART_WAVEFORM_NOISE_MOTION    = 1 << 3,   /* electrode and sensor motion while moving */
} HeartWaveformNoise;

#define HEART_WAVEFORM_NOISE_ALL ((HeartWaveformNoise) 0xf)

typedef struct
{
  double             ecg_rate_hz;        /* samples a second, 125–1000 */
  double             ppg_rate_hz;        /* samples a second, 16–500 */
  HeartWaveformNoise noise;
  double             powerline_hz;       /* 50 or 60 */
  /* labelled artefacts, each 0–HEART_ARTEFACTS_PER_HOUR_MAX an hour */
  double             pvc_per_hour;       /* premature ventricular beats */
  double             pac_per_hour;       /* premature atrial beats */
  double             lead_off_per_hour;  /* ECG lead-off dropouts */
} HeartWaveformSettings;

/* Clean waveforms at the default rates, no artefacts */
#define HEART_WAVEFORM_SETTINGS_DEFAULT \
  ((HeartWaveformSettings) { HEART_ECG_RATE_DEFAULT, HEART_PPG_RATE_DEFAULT, HEART_WAVEFORM_NOISE_NONE, 50.0, 0, 0, 0 })

/* An annotation on a waveform. Codes:
 *   "N", "V", "S"             a beat (ECG: at its R peak; PPG: at its pulse's
 *                             foot), normal, premature ventricular, premature
 *                             supraventricular (atrial)
 *   "lead_off", "lead_on"     ECG electrodes off (the trace is flat) and back
 *   "motion", "motion_end"    motion artefacts begin and end */
typedef struct
{
  double t_s;                    /* simulation time */
  gint64 timestamp_us;           /* set by the simulator */
  char   code[16];
} HeartWaveformMark;

/* Consecutive samples of one waveform channel and the marks among them.
 * Sample k of a channel is at k / fs_hz seconds of simulation time, so a
 * block follows on from the one before when its first_index is one past
 * that block's last. */
typedef struct
{
  HeartChannelId           channel;      /* HEART_CHANNEL_ECG or HEART_CHANNEL_PPG */
  double                   fs_hz;
  guint64                  first_index;
  double                   t0_s;         /* first_index / fs_hz */
  gint64                   t0_us;        /* timestamp of values[0], set by the simulator */
  const float             *values;       /* in the channel's unit (mV, a.u.) */
  guint                    n_values;
  const HeartWaveformMark *marks;        /* in time order */
  guint                    n_marks;
} HeartWaveformBlock;

GQuark   heart_waveform_error_quark       (void);

/* TRUE when every field is in range; otherwise FALSE with an error naming
 * the field, e.g. "ecg_rate_hz must be between 125 and 1000, not 2000" */
gboolean heart_waveform_settings_check    (const HeartWaveformSettings *settings,
                                           GError **error);
/* "powerline,muscle" → flags ("all" and "none" too); FALSE with an error
 * naming the first unknown word */
gboolean heart_waveform_noise_parse       (const char *names,
                                           HeartWaveformNoise *noise,
                                           GError **error);
/* "powerline,muscle", "" for none (free with g_free) */
char    *heart_waveform_noise_to_string   (HeartWaveformNoise noise);
/* The samples a second @settings give @channel (ECG or PPG) */
double   heart_waveform_settings_get_rate (const HeartWaveformSettings *settings,
                                           HeartChannelId channel);

G_END_DECLS
