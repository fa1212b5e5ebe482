/* heart-channel.h: the person's signals as named channels with metadata
 *
 * Every transport (REST, SSE, WebSocket, datasets) is generic over this
 * table: a new signal is a new row here and a value from the model, and no
 * code elsewhere (docs/architecture.md, "Channels").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HEART_CHANNEL_KIND_PERIODIC,   /* at a nominal rate */
  HEART_CHANNEL_KIND_PER_BEAT,   /* one value a heartbeat */
  HEART_CHANNEL_KIND_EVENT,      /* irregular events with a value */
  HEART_CHANNEL_KIND_LABEL,      /* a text label, sent when it changes */
  HEART_CHANNEL_KIND_WAVEFORM,   /* samples at rate_hz, in blocks (heart-waveform.h) */
} HeartChannelKind;

typedef enum {
  HEART_CHANNEL_HEART_RATE,
  HEART_CHANNEL_RR_INTERVAL,
  HEART_CHANNEL_HRV_RMSSD,
  HEART_CHANNEL_STRESS_LEVEL,
  HEART_CHANNEL_RESPIRATORY_RATE,
  HEART_CHANNEL_RESPIRATION,
  HEART_CHANNEL_EDA,
  HEART_CHANNEL_SCR,
  HEART_CHANNEL_CONDITION,
  HEART_CHANNEL_EVENT,
  HEART_CHANNEL_STEPS,
  HEART_CHANNEL_HRV_SDNN,
  HEART_CHANNEL_ACTIVITY,
  HEART_CHANNEL_CADENCE,
  HEART_CHANNEL_STEPS_TODAY,
  HEART_CHANNEL_ENERGY,
  HEART_CHANNEL_SPO2,
  HEART_CHANNEL_SKIN_TEMPERATURE,
  HEART_CHANNEL_SLEEP_STAGE,
  HEART_CHANNEL_ECG,
  HEART_CHANNEL_PPG,
  HEART_N_CHANNELS
} HeartChannelId;

#define HEART_LABEL_MAX 65   /* a label's bytes with its NUL: names of 64 at most */

typedef struct
{
  HeartChannelId   id;
  const char      *name;          /* as on the wire: "heart_rate" */
  const char      *unit;          /* "bpm", "ms", "µS", "" */
  HeartChannelKind kind;
  double           rate_hz;       /* periodic channels; waveforms: the default rate; 0 otherwise */
  double           min;
  double           max;
  int              decimals;      /* digits after the point on the wire */
  const char      *description;
  const char      *sample_field;  /* periodic channels the 2 Hz sample already has under
                                     the seed's name ("bpm"); NULL: added as @name */
  gboolean         recorded;      /* event channels a recording keeps as "value" lines
                                     (docs/recording.md): readings, not the model's
                                     fast events */
} HeartChannel;

/* One value of a channel. @label is set for label channels and for events
 * that carry one (the kind of a stress event), "" otherwise. */
typedef struct
{
  HeartChannelId channel;
  double         t_s;             /* simulation time */
  gint64         timestamp_us;    /* set by the simulator */
  double         value;
  char           label[HEART_LABEL_MAX];
} HeartChannelValue;

/* A set of channels, one bit each */
typedef guint32 HeartChannelMask;

#define HEART_CHANNEL_MASK_ALL ((HeartChannelMask) ((1u << HEART_N_CHANNELS) - 1))
#define HEART_CHANNEL_BIT(id)  ((HeartChannelMask) (1u << (id)))
/* The waveform channels, which cost far more than the rest: consumers ask
 * for them by name */
#define HEART_CHANNEL_MASK_WAVEFORMS (HEART_CHANNEL_BIT (HEART_CHANNEL_ECG) | HEART_CHANNEL_BIT (HEART_CHANNEL_PPG))

const HeartChannel *heart_channel_get        (HeartChannelId id);
/* NULL when no channel has that name */
const HeartChannel *heart_channel_lookup     (const char *name);
/* "heart_rate,eda" → a mask; FALSE with the first unknown name in
 * @unknown (free with g_free) */
gboolean            heart_channel_parse_list (const char *names,
                                              HeartChannelMask *mask,
                                              char **unknown);
const char         *heart_channel_kind_name  (HeartChannelKind kind);

G_END_DECLS
