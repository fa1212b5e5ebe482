/* heart-chart-data.h: what the chart shows, prepared for drawing
 *
 * GLib only, no GTK: the chart widget maps these numbers to pixels and does
 * nothing else. heart_chart_data_update() reads the history once per
 * sample and prepares the visible span: the heart rate and stress points
 * (decimated when there are many), the stress events, the scenario phases,
 * the bpm range, and the breathing and skin conductance traces normalised
 * to 0–1 within their own ranges.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"
#include "heart-day-log.h"
#include "heart-history.h"

G_BEGIN_DECLS

typedef enum {
  HEART_TRACE_BREATHING,      /* HEART_CHANNEL_RESPIRATION, 25 Hz */
  HEART_TRACE_SKIN,           /* HEART_CHANNEL_EDA, 4 Hz */
  HEART_N_TRACES
} HeartTraceId;

/* Spans up to 5 min read the history and show the traces; longer ones
 * (1 h, 24 h) read the day log and show the activity and sleep bands */
#define HEART_CHART_DATA_MIN_SECONDS 30
#define HEART_CHART_DATA_MAX_TRACE_SECONDS 300
#define HEART_CHART_DATA_MAX_SECONDS 86400

typedef enum {
  HEART_BAND_ACTIVITY,        /* values: HeartActivityType */
  HEART_BAND_SLEEP,           /* values: HeartDaySleep, never NONE */
  HEART_N_BANDS
} HeartBandId;

typedef struct
{
  double from;                /* simulation time, seconds */
  double to;
  guint  value;
} HeartChartBand;

typedef struct
{
  double t;                   /* simulation time, seconds */
  double bpm;
  double stress;              /* 0–1 */
  double rr_ms;               /* the latest RR interval; NAN when not known */
} HeartChartPoint;

/* Where the source stood still: simulation time stands still too, so the
 * chart marks the place instead of leaving a gap */
typedef struct
{
  double t;                   /* simulation time of the last sample before */
  gint64 stopped_us;          /* monotonic time it stopped */
  gint64 resumed_us;          /* and went on; 0 while it stands */
} HeartChartStop;

/* What the chart shows at one time, for the crosshair */
typedef struct
{
  double   t;                 /* of the point nearest the time asked */
  double   age_s;             /* before the newest sample */
  double   bpm;
  double   stress;
  double   rr_ms;             /* NAN when not known */
  double   traces[HEART_N_TRACES];   /* the traces' own values; NAN where none */
  gboolean event_active;
  double   event_level;       /* an acute event's, NAN for an arousal or none */
  char     phase[HEART_LABEL_MAX];   /* "" with none */
} HeartChartReading;

typedef struct
{
  double from;                /* simulation time, seconds */
  double to;
  double level;               /* an acute event's, 0–1; NAN for random arousals or not known */
} HeartChartSpan;

typedef struct
{
  double   from;              /* the first sample of the phase */
  double   to;                /* the first sample after it, or the latest one */
  gboolean started_earlier;   /* began before the samples read: no boundary at @from */
  char     name[HEART_LABEL_MAX];
} HeartChartPhase;

typedef struct
{
  double t;                   /* simulation time, seconds */
  double y;                   /* 0 at the trace's low, 1 at its high */
} HeartTracePoint;

#define HEART_TYPE_CHART_DATA (heart_chart_data_get_type ())
G_DECLARE_FINAL_TYPE (HeartChartData, heart_chart_data, HEART, CHART_DATA, GObject)

HeartChartData        *heart_chart_data_new                (void);
/* Reading a new history starts the traces from its 2 Hz samples */
void                   heart_chart_data_set_history        (HeartChartData *self,
                                                            HeartHistory *history);
HeartHistory          *heart_chart_data_get_history        (HeartChartData *self);
/* The long spans read it; without one they show the history as it goes */
void                   heart_chart_data_set_day_log        (HeartChartData *self,
                                                            HeartDayLog *day_log);
HeartDayLog           *heart_chart_data_get_day_log        (HeartChartData *self);
/* The span is long and there is a day log: bands, no traces */
gboolean               heart_chart_data_get_long_span      (HeartChartData *self);
void                   heart_chart_data_set_window_seconds (HeartChartData *self,
                                                            guint seconds);
guint                  heart_chart_data_get_window_seconds (HeartChartData *self);

/* A tick's channel values (the simulator's "values"): the traces keep the
 * respiration and EDA values, at their full rate */
void                   heart_chart_data_add_values         (HeartChartData *self,
                                                            const HeartChannelValue *values,
                                                            guint n_values);
/* Read the history and prepare everything for the current span */
void                   heart_chart_data_update             (HeartChartData *self);

/* Simulation time of the newest sample, 0 with none */
double                 heart_chart_data_get_latest_time    (HeartChartData *self);
/* Simulation time the prepared span covers */
double                 heart_chart_data_get_covered_seconds (HeartChartData *self);
const HeartChartPoint *heart_chart_data_get_points         (HeartChartData *self,
                                                            guint *n_points);
const HeartChartSpan  *heart_chart_data_get_event_spans    (HeartChartData *self,
                                                            guint *n_spans);
const HeartChartPhase *heart_chart_data_get_phases         (HeartChartData *self,
                                                            guint *n_phases);
/* The bpm axis: rounded outward to tens, at least 40 bpm tall */
void                   heart_chart_data_get_bpm_range      (HeartChartData *self,
                                                            double *low,
                                                            double *high);
const HeartTracePoint *heart_chart_data_get_trace          (HeartChartData *self,
                                                            HeartTraceId trace,
                                                            guint *n_points);
/* The values at y = 0 and y = 1 of a trace */
void                   heart_chart_data_get_trace_range    (HeartChartData *self,
                                                            HeartTraceId trace,
                                                            double *low,
                                                            double *high);
/* Scroll back: the span shown ends at @t instead of the newest sample
 * (NAN: follow the newest again) */
void                   heart_chart_data_set_view_end       (HeartChartData *self,
                                                            double t);
/* The right end of the span shown */
double                 heart_chart_data_get_view_end       (HeartChartData *self);
/* The oldest and the newest time the span can show; FALSE with no data */
gboolean               heart_chart_data_get_time_bounds    (HeartChartData *self,
                                                            double *oldest,
                                                            double *newest);
/* The source stopped (@running FALSE) or went on, now */
void                   heart_chart_data_mark_running       (HeartChartData *self,
                                                            gboolean running);
/* The stops within the history's time, oldest first */
const HeartChartStop  *heart_chart_data_get_stops          (HeartChartData *self,
                                                            guint *n_stops);
/* The reading of the visible point nearest @t; FALSE with no points */
gboolean               heart_chart_data_get_reading        (HeartChartData *self,
                                                            double t,
                                                            HeartChartReading *reading);
/* A band's segments on the long spans, oldest first; none otherwise */
const HeartChartBand  *heart_chart_data_get_band           (HeartChartData *self,
                                                            HeartBandId band,
                                                            guint *n_segments);
/* Values kept for a trace (the last five minutes and a little) */
guint                  heart_chart_data_get_n_trace_values (HeartChartData *self,
                                                            HeartTraceId trace);

/* A phase or scenario label for people: "paced_breathing" → "Paced breathing" */
char                  *heart_chart_data_display_name       (const char *label) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
