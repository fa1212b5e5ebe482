/* heart-sample.h: one simulator tick (HeartSample) and one heartbeat (HeartBeat)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "heart-channel.h"

G_BEGIN_DECLS

#define HEART_TYPE_SAMPLE (heart_sample_get_type ())
#define HEART_TYPE_BEAT (heart_beat_get_type ())

/* Plain values, copied freely: a sample is about 230 bytes and the history
 * stores 10,000 of them inline. */
typedef struct _HeartSample
{
  gint64   timestamp_us;   /* wall clock (live) or start + t (datasets), µs since the epoch */
  double   t_s;            /* simulation time of the tick, seconds */
  guint64  seq;            /* strictly increasing, starts at 1 */
  int      bpm;            /* 60000 / latest RR, rounded */
  double   variability;    /* clamp (rmssd_ms / 100, 0, 1) */
  double   stress_level;   /* current stress s, 0–1 */
  double   rr_ms;          /* latest RR interval */
  double   rmssd_ms;       /* over the beats of the last 30 s */
  guint    baseline_bpm;   /* resting heart rate setting */
  gboolean running;        /* state: "running" or "stopped" */
  gboolean event_active;   /* an acute or random stress event is active (label) */
  double   channels[HEART_N_CHANNELS];  /* each periodic channel's value at the tick */
  char     condition[HEART_LABEL_MAX];  /* the scenario phase, "" with none */
} HeartSample;

typedef struct _HeartBeat
{
  gint64 timestamp_us;     /* time of the beat, µs since the epoch */
  double t_s;              /* simulation time of the beat, seconds */
  double rr_ms;            /* interval that ended with this beat */
  double stress_level;     /* stress at the beat */
  gboolean event_active;   /* an acute or random stress event is active */
  char   condition[HEART_LABEL_MAX];    /* the scenario phase, "" with none */
} HeartBeat;

typedef enum {
  HEART_SAMPLE_JSON_WIRE,    /* exactly the fields of DESIGN §2 */
  HEART_SAMPLE_JSON_LABELED, /* wire fields, then "event" (datasets) */
} HeartSampleJsonFlavor;

GType        heart_sample_get_type      (void) G_GNUC_CONST;
HeartSample *heart_sample_copy          (const HeartSample *sample);
void         heart_sample_free          (HeartSample *sample);
const char  *heart_sample_state_string  (const HeartSample *sample);
void         heart_sample_append_json   (const HeartSample *sample,
                                         HeartSampleJsonFlavor flavor,
                                         GString *out);
char        *heart_sample_to_json       (const HeartSample *sample) G_GNUC_WARN_UNUSED_RESULT;
JsonNode    *heart_sample_to_json_node  (const HeartSample *sample) G_GNUC_WARN_UNUSED_RESULT;

/* The record fields (see heart-record.h) in wire order; @fields holds
 * HEART_RECORD_MAX_FIELDS. Returns how many were filled. */
struct _HeartField;
guint        heart_sample_fields        (const HeartSample *sample,
                                         HeartSampleJsonFlavor flavor,
                                         struct _HeartField *fields);

GType        heart_beat_get_type        (void) G_GNUC_CONST;
HeartBeat   *heart_beat_copy            (const HeartBeat *beat);
void         heart_beat_free            (HeartBeat *beat);
int          heart_beat_get_bpm         (const HeartBeat *beat);
guint        heart_beat_fields          (const HeartBeat *beat,
                                         struct _HeartField *fields);

/* One channel value in Bio Mock's shape: value, timestamp, type, then the
 * event's label (always with @label_column, else only for events that
 * carry one) and the scenario's @condition */
guint        heart_channel_value_fields (const HeartChannelValue *value,
                                         const char *condition,
                                         gboolean label_column,
                                         struct _HeartField *fields);

/* "2026-01-09T12:34:56.789Z" appended to @out */
void         heart_append_iso8601_ms    (GString *out, gint64 timestamp_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartSample, heart_sample_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartBeat, heart_beat_free)

G_END_DECLS
