/* heart-chart-data.c: what the chart shows, prepared for drawing
 *
 * The 2 Hz samples come from the history, which holds hours of them; the
 * breathing and skin conductance waveforms come at their own rates from the
 * simulator's channel values and are kept here for the longest span the
 * chart shows. Everything is prepared when a sample arrives, so drawing a
 * frame costs no more than mapping points to pixels (docs/desktop.md, "For
 * developers").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-chart-data.h"

#include <math.h>
#include <string.h>

/* More points than pixels only costs time; past this, average into buckets */
#define MAX_POINTS 1200
/* Traces keep their shape when decimated: a bucket gives its low and high */
#define MAX_TRACE_POINTS 1200
#define MIN_BPM_SPAN 40.0
/* A trace keeps a little more than the longest span that shows traces */
#define TRACE_KEEP_SECONDS (HEART_CHART_DATA_MAX_TRACE_SECONDS + 10.0)

typedef struct
{
  double t;
  double value;
} TraceValue;

typedef struct
{
  HeartChannelId channel;
  double         step;      /* the range is rounded to this */
  double         min_span;  /* and is at least this tall */
  GArray        *values;    /* TraceValue, oldest first */
  GArray        *points;    /* HeartTracePoint, the visible ones */
  double         low;
  double         high;
} Trace;

struct _HeartChartData
{
  GObject       parent_instance;

  HeartHistory *history;
  HeartDayLog  *day_log;
  guint         window_seconds;

  GArray       *points;     /* HeartChartPoint, oldest first, reused */
  GArray       *spans;      /* HeartChartSpan of stress events */
  GArray       *phases;     /* HeartChartPhase */
  double        low;        /* bpm axis */
  double        high;
  double        latest_t;
  double        covered_s;
  Trace         traces[HEART_N_TRACES];
  GArray       *bands[HEART_N_BANDS];    /* HeartChartBand, on the long spans */
  GArray       *stops;      /* HeartChartStop, oldest first */
  double        view_end;   /* the right end of a span scrolled back to; NAN: the newest sample */
  GArray       *acute_starts;   /* TraceValue: when an acute event began, and its level */
};

G_DEFINE_FINAL_TYPE (HeartChartData, heart_chart_data, G_TYPE_OBJECT)

/* ---------------------------------------------------------------- samples */

/* The level of the acute event that began at @t (within a tick), NAN if
 * none did: a random arousal, or values not heard */
static double
acute_level_at (const HeartChartData *self,
                double                t)
{
  for (guint i = self->acute_starts->len; i > 0; i--)
    {
      const TraceValue *start = &g_array_index (self->acute_starts, TraceValue, i - 1);

      if (fabs (start->t - t) <= 5)
        return start->value;
      if (start->t < t - 5)
        break;
    }
  return NAN;
}

/* An event span runs from the first time with the event on to the first
 * time after it */
static void
append_span_edge (HeartChartData *self,
                  double          t,
                  gboolean        event_active,
                  gboolean       *in_span)
{
  if (event_active && !*in_span)
    {
      HeartChartSpan span = { t, t, acute_level_at (self, t) };

      g_array_append_val (self->spans, span);
      *in_span = TRUE;
    }
  else if (*in_span)
    {
      g_array_index (self->spans, HeartChartSpan, self->spans->len - 1).to = t;
      *in_span = event_active;
    }
}

/* A phase runs from its first sample to the first sample of what follows.
 * @before: the phase of the sample before the first one read (NULL when
 * there is none), or "" past the first one. */
static void
append_phase_edge (HeartChartData *self,
                   double          t,
                   const char     *condition,
                   const char     *before,
                   gboolean       *in_phase)
{
  HeartChartPhase *last = self->phases->len > 0
                          ? &g_array_index (self->phases, HeartChartPhase, self->phases->len - 1) : NULL;

  if (*in_phase && g_str_equal (last->name, condition))
    {
      last->to = t;
      return;
    }
  if (*in_phase)
    last->to = t;
  *in_phase = condition[0] != '\0';
  if (*in_phase)
    {
      HeartChartPhase phase = { t, t, FALSE, "" };

      /* The first sample read: did the phase begin here or before? */
      phase.started_earlier = self->phases->len == 0 && (before == NULL || g_str_equal (before, condition));
      g_strlcpy (phase.name, condition, sizeof phase.name);
      g_array_append_val (self->phases, phase);
    }
}

/* A band's segments: a new one where the value changes */
static void
append_band (HeartChartData *self,
             HeartBandId     band,
             double          from,
             double          to,
             guint           value)
{
  GArray *segments = self->bands[band];
  HeartChartBand *last = segments->len > 0
                         ? &g_array_index (segments, HeartChartBand, segments->len - 1) : NULL;
  HeartChartBand segment = { from, to, value };

  if (last != NULL && last->value == value && from <= last->to)
    {
      last->to = to;
      return;
    }
  g_array_append_val (segments, segment);
}

/* Buckets are aligned to absolute simulation time, so an averaged point stays
 * where it is while the chart scrolls instead of jittering. */
static void
append_point (HeartChartData        *self,
              const HeartChartPoint *point,
              double                 bucket_s,
              gint64                *bucket_key,
              guint                 *bucket_count)
{
  gint64 key;

  if (bucket_s <= 0)
    {
      g_array_append_vals (self->points, point, 1);
      return;
    }

  key = (gint64) floor (point->t / bucket_s);
  if (self->points->len > 0 && key == *bucket_key)
    {
      HeartChartPoint *last = &g_array_index (self->points, HeartChartPoint, self->points->len - 1);
      double n = ++*bucket_count;

      last->t += (point->t - last->t) / n;
      last->bpm += (point->bpm - last->bpm) / n;
      last->stress += (point->stress - last->stress) / n;
      last->rr_ms += (point->rr_ms - last->rr_ms) / n;
      return;
    }
  *bucket_key = key;
  *bucket_count = 1;
  g_array_append_vals (self->points, point, 1);
}

static void
update_bpm_range (HeartChartData *self)
{
  double lowest = G_MAXDOUBLE;
  double highest = -G_MAXDOUBLE;
  double low, high;

  for (guint i = 0; i < self->points->len; i++)
    {
      const HeartChartPoint *point = &g_array_index (self->points, HeartChartPoint, i);

      lowest = MIN (lowest, point->bpm);
      highest = MAX (highest, point->bpm);
    }
  if (self->points->len == 0)
    {
      lowest = 60;
      highest = 100;
    }

  /* Round outward to tens with some air, and never zoom in so far that
   * normal variability looks like drama. */
  low = floor ((lowest - 4) / 10) * 10;
  high = ceil ((highest + 4) / 10) * 10;
  if (high - low < MIN_BPM_SPAN)
    {
      double middle = (low + high) / 2;

      low = floor ((middle - MIN_BPM_SPAN / 2) / 10) * 10;
      high = low + MIN_BPM_SPAN;
    }
  self->low = MAX (low, 0);
  self->high = high;
}

/* Stops older than anything the history holds, or of another history */
static void
forget_stops (HeartChartData *self,
              double          oldest_t)
{
  guint drop = 0;

  while (drop < self->stops->len && g_array_index (self->stops, HeartChartStop, drop).t < oldest_t)
    drop++;
  if (drop > 0)
    g_array_remove_range (self->stops, 0, drop);
}

static void
clear_prepared (HeartChartData *self)
{
  g_array_set_size (self->points, 0);
  g_array_set_size (self->spans, 0);
  g_array_set_size (self->phases, 0);
  for (guint b = 0; b < HEART_N_BANDS; b++)
    g_array_set_size (self->bands[b], 0);
  self->covered_s = 0;
  self->latest_t = 0;
}

/* The right end of the span shown: the newest sample, or where the span
 * was scrolled back to */
static double
shown_end (const HeartChartData *self)
{
  return isfinite (self->view_end) ? MIN (self->view_end, self->latest_t) : self->latest_t;
}

static void
rebuild_points (HeartChartData *self)
{
  guint length = self->history != NULL ? heart_history_get_length (self->history) : 0;
  double bucket_s = 0;
  gint64 bucket_key = 0;
  guint bucket_count = 0;
  gboolean in_span = FALSE;
  gboolean in_phase = FALSE;
  double t_min, t_max;
  guint first, end;

  clear_prepared (self);
  if (length == 0)
    {
      update_bpm_range (self);
      return;
    }

  /* One sample beyond each edge, so the line reaches both */
  self->latest_t = heart_history_peek (self->history, length - 1)->t_s;
  t_max = shown_end (self);
  t_min = t_max - self->window_seconds;
  end = length;
  while (end > 1 && heart_history_peek (self->history, end - 2)->t_s >= t_max)
    end--;
  first = end - 1;
  while (first > 0 && heart_history_peek (self->history, first)->t_s > t_min)
    first--;

  if (end - first > MAX_POINTS)
    bucket_s = self->window_seconds / (MAX_POINTS / 2.0);

  for (guint i = first; i < end; i++)
    {
      const HeartSample *sample = heart_history_peek (self->history, i);
      const HeartSample *before = i > 0 ? heart_history_peek (self->history, i - 1) : NULL;
      HeartChartPoint point = { sample->t_s, sample->bpm, sample->stress_level, sample->rr_ms };

      append_span_edge (self, sample->t_s, sample->event_active, &in_span);
      append_phase_edge (self, sample->t_s, sample->condition,
                         i > first ? "" : before != NULL ? before->condition : NULL, &in_phase);
      append_point (self, &point, bucket_s, &bucket_key, &bucket_count);
    }

  self->covered_s = t_max - heart_history_peek (self->history, first)->t_s;
  forget_stops (self, heart_history_peek (self->history, 0)->t_s);
  update_bpm_range (self);
}

/* The long spans: the day log's 10 s buckets, averaged further when there
 * are more than the chart has pixels for, and the activity and sleep bands */
static void
rebuild_from_day_log (HeartChartData *self)
{
  guint length = heart_day_log_get_length (self->day_log);
  const HeartSample *latest = self->history != NULL ? heart_history_get_latest (self->history) : NULL;
  const HeartDayBucket *last;
  double bucket_s = 0;
  gint64 bucket_key = 0;
  guint bucket_count = 0;
  gboolean in_span = FALSE;
  gboolean in_phase = FALSE;
  double t_max;
  guint first, end;

  clear_prepared (self);
  if (length == 0)
    {
      update_bpm_range (self);
      return;
    }

  last = heart_day_log_peek (self->day_log, length - 1);
  self->latest_t = MAX (last->t_s, latest != NULL ? latest->t_s : 0);
  t_max = shown_end (self);
  first = heart_day_log_find (self->day_log, t_max - self->window_seconds);
  /* one bucket beyond each edge, so the line reaches both */
  if (first > 0)
    first--;
  end = MIN (heart_day_log_find (self->day_log, t_max) + 1, length);
  if (end - first > MAX_POINTS)
    bucket_s = self->window_seconds / (MAX_POINTS / 2.0);

  for (guint i = first; i < end; i++)
    {
      const HeartDayBucket *bucket = heart_day_log_peek (self->day_log, i);
      const HeartDayBucket *before = i > 0 ? heart_day_log_peek (self->day_log, i - 1) : NULL;
      const HeartDayBucket *after = heart_day_log_peek (self->day_log, i + 1);
      /* a bucket lasts until the next one: fast speeds leave buckets
       * without a sample between them, and the person did not stop */
      double stretch_end = after != NULL ? after->t_s : MIN (bucket->t_s + HEART_DAY_LOG_BUCKET_S, self->latest_t);
      HeartChartPoint point = { bucket->t_s + HEART_DAY_LOG_BUCKET_S / 2, bucket->bpm_mean, bucket->stress_mean,
                                bucket->bpm_mean > 0 ? 60000.0 / bucket->bpm_mean : NAN };

      append_span_edge (self, bucket->t_s, bucket->event_active, &in_span);
      append_phase_edge (self, bucket->t_s, bucket->condition,
                         i > first ? "" : before != NULL ? before->condition : NULL, &in_phase);
      append_point (self, &point, bucket_s, &bucket_key, &bucket_count);
      if (bucket->activity != HEART_DAY_NO_ACTIVITY)
        append_band (self, HEART_BAND_ACTIVITY, bucket->t_s, stretch_end, bucket->activity);
      if (bucket->sleep != HEART_DAY_SLEEP_NONE)
        append_band (self, HEART_BAND_SLEEP, bucket->t_s, stretch_end, bucket->sleep);
    }
  append_span_edge (self, MIN (heart_day_log_peek (self->day_log, end - 1)->t_s + HEART_DAY_LOG_BUCKET_S,
                               self->latest_t), FALSE, &in_span);

  self->covered_s = t_max - heart_day_log_peek (self->day_log, first)->t_s;
  update_bpm_range (self);
}

/* ---------------------------------------------------------------- traces */

static void
trace_init (Trace          *trace,
            HeartChannelId  channel,
            double          step,
            double          min_span)
{
  const HeartChannel *info = heart_channel_get (channel);

  trace->channel = channel;
  trace->step = step;
  trace->min_span = min_span;
  trace->values = g_array_sized_new (FALSE, FALSE, sizeof (TraceValue),
                                     (guint) (info->rate_hz * TRACE_KEEP_SECONDS) + 16);
  trace->points = g_array_new (FALSE, FALSE, sizeof (HeartTracePoint));
  trace->low = 0;
  trace->high = min_span;
}

static void
trace_clear (Trace *trace)
{
  g_clear_pointer (&trace->values, g_array_unref);
  g_clear_pointer (&trace->points, g_array_unref);
}

static void
trace_append (Trace  *trace,
              double  t,
              double  value)
{
  TraceValue entry = { t, value };

  if (!isfinite (t) || !isfinite (value))
    return;
  /* Time only moves on; an older value is one already held */
  if (trace->values->len > 0 && t <= g_array_index (trace->values, TraceValue, trace->values->len - 1).t)
    return;
  g_array_append_val (trace->values, entry);
}

/* Forget what no span can show, in one move once there is enough of it */
static void
trace_trim (Trace *trace)
{
  const HeartChannel *info = heart_channel_get (trace->channel);
  guint keep = (guint) (info->rate_hz * TRACE_KEEP_SECONDS);
  double t_min;
  guint first = 0;

  if (trace->values->len <= keep + keep / 4)
    return;
  t_min = g_array_index (trace->values, TraceValue, trace->values->len - 1).t - TRACE_KEEP_SECONDS;
  while (first < trace->values->len && g_array_index (trace->values, TraceValue, first).t < t_min)
    first++;
  if (first > 0)
    g_array_remove_range (trace->values, 0, first);
}

static void
trace_update_range (Trace  *trace,
                    double  lowest,
                    double  highest)
{
  const HeartChannel *info = heart_channel_get (trace->channel);
  double air = (highest - lowest) * 0.08;
  double low = floor ((lowest - air) / trace->step) * trace->step;
  double high = ceil ((highest + air) / trace->step) * trace->step;

  if (high - low < trace->min_span)
    {
      double middle = (lowest + highest) / 2;

      low = floor ((middle - trace->min_span / 2) / trace->step) * trace->step;
      high = low + trace->min_span;
    }
  if (low < info->min)
    {
      high += info->min - low;
      low = info->min;
    }
  trace->low = low;
  trace->high = high;
}

static void
trace_add_point (Trace  *trace,
                 double  t,
                 double  value)
{
  HeartTracePoint point = { t, (value - trace->low) / (trace->high - trace->low) };

  g_array_append_val (trace->points, point);
}

/* The visible values (one more at the left), normalised to the range; many
 * of them become the low and the high of each time bucket, in time order */
static void
trace_prepare (Trace  *trace,
               double  t_min)
{
  GArray *values = trace->values;
  double lowest = G_MAXDOUBLE;
  double highest = -G_MAXDOUBLE;
  double bucket_s = 0;
  guint first = values->len;

  g_array_set_size (trace->points, 0);
  while (first > 0 && g_array_index (values, TraceValue, first - 1).t > t_min)
    first--;
  if (first > 0)
    first--;
  if (first >= values->len)
    return;

  for (guint i = first; i < values->len; i++)
    {
      double value = g_array_index (values, TraceValue, i).value;

      lowest = MIN (lowest, value);
      highest = MAX (highest, value);
    }
  trace_update_range (trace, lowest, highest);

  if (values->len - first > MAX_TRACE_POINTS)
    {
      double span = g_array_index (values, TraceValue, values->len - 1).t
                    - g_array_index (values, TraceValue, first).t;

      bucket_s = span / (MAX_TRACE_POINTS / 2.0);
    }
  if (bucket_s <= 0)
    {
      for (guint i = first; i < values->len; i++)
        {
          const TraceValue *value = &g_array_index (values, TraceValue, i);

          trace_add_point (trace, value->t, value->value);
        }
      return;
    }

  for (guint i = first; i < values->len; )
    {
      gint64 key = (gint64) floor (g_array_index (values, TraceValue, i).t / bucket_s);
      const TraceValue *low = &g_array_index (values, TraceValue, i);
      const TraceValue *high = low;

      for (; i < values->len && (gint64) floor (g_array_index (values, TraceValue, i).t / bucket_s) == key; i++)
        {
          const TraceValue *value = &g_array_index (values, TraceValue, i);

          if (value->value < low->value)
            low = value;
          if (value->value > high->value)
            high = value;
        }
      if (low == high)
        trace_add_point (trace, low->t, low->value);
      else if (low->t < high->t)
        {
          trace_add_point (trace, low->t, low->value);
          trace_add_point (trace, high->t, high->value);
        }
      else
        {
          trace_add_point (trace, high->t, high->value);
          trace_add_point (trace, low->t, low->value);
        }
    }
}

/* Before the first channel values: the history's samples, at 2 Hz */
static void
seed_traces (HeartChartData *self)
{
  guint length = heart_history_get_length (self->history);
  double t_min;
  guint first;

  if (length == 0)
    return;
  t_min = heart_history_peek (self->history, length - 1)->t_s - TRACE_KEEP_SECONDS;
  first = length;
  while (first > 0 && heart_history_peek (self->history, first - 1)->t_s >= t_min)
    first--;

  for (guint t = 0; t < HEART_N_TRACES; t++)
    {
      Trace *trace = &self->traces[t];

      g_array_set_size (trace->values, 0);
      for (guint i = first; i < length; i++)
        {
          const HeartSample *sample = heart_history_peek (self->history, i);

          trace_append (trace, sample->t_s, sample->channels[trace->channel]);
        }
    }
}

/* ---------------------------------------------------------------- GObject */

static void
heart_chart_data_dispose (GObject *object)
{
  HeartChartData *self = HEART_CHART_DATA (object);

  g_clear_object (&self->history);
  g_clear_object (&self->day_log);
  G_OBJECT_CLASS (heart_chart_data_parent_class)->dispose (object);
}

static void
heart_chart_data_finalize (GObject *object)
{
  HeartChartData *self = HEART_CHART_DATA (object);

  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->spans, g_array_unref);
  g_clear_pointer (&self->phases, g_array_unref);
  for (guint t = 0; t < HEART_N_TRACES; t++)
    trace_clear (&self->traces[t]);
  for (guint b = 0; b < HEART_N_BANDS; b++)
    g_clear_pointer (&self->bands[b], g_array_unref);
  g_clear_pointer (&self->stops, g_array_unref);
  g_clear_pointer (&self->acute_starts, g_array_unref);
  G_OBJECT_CLASS (heart_chart_data_parent_class)->finalize (object);
}

static void
heart_chart_data_class_init (HeartChartDataClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_chart_data_dispose;
  object_class->finalize = heart_chart_data_finalize;
}

static void
heart_chart_data_init (HeartChartData *self)
{
  self->window_seconds = 60;
  self->points = g_array_sized_new (FALSE, FALSE, sizeof (HeartChartPoint), MAX_POINTS + 2);
  self->spans = g_array_new (FALSE, FALSE, sizeof (HeartChartSpan));
  self->phases = g_array_new (FALSE, FALSE, sizeof (HeartChartPhase));
  for (guint b = 0; b < HEART_N_BANDS; b++)
    self->bands[b] = g_array_new (FALSE, FALSE, sizeof (HeartChartBand));
  self->stops = g_array_new (FALSE, FALSE, sizeof (HeartChartStop));
  self->view_end = NAN;
  self->acute_starts = g_array_new (FALSE, FALSE, sizeof (TraceValue));
  self->low = 60;
  self->high = 100;
  /* A resting breath fills about 1; skin conductance moves by tenths of a µS */
  trace_init (&self->traces[HEART_TRACE_BREATHING], HEART_CHANNEL_RESPIRATION, 0.5, 1.0);
  trace_init (&self->traces[HEART_TRACE_SKIN], HEART_CHANNEL_EDA, 0.5, 1.0);
}

/* ---------------------------------------------------------------- API */

HeartChartData *
heart_chart_data_new (void)
{
  return g_object_new (HEART_TYPE_CHART_DATA, NULL);
}

void
heart_chart_data_set_history (HeartChartData *self,
                              HeartHistory   *history)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));
  g_return_if_fail (history == NULL || HEART_IS_HISTORY (history));

  if (!g_set_object (&self->history, history))
    return;
  g_array_set_size (self->stops, 0);
  for (guint t = 0; t < HEART_N_TRACES; t++)
    g_array_set_size (self->traces[t].values, 0);
  if (history != NULL)
    seed_traces (self);
  heart_chart_data_update (self);
}

HeartHistory *
heart_chart_data_get_history (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  return self->history;
}

void
heart_chart_data_set_day_log (HeartChartData *self,
                              HeartDayLog    *day_log)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));
  g_return_if_fail (day_log == NULL || HEART_IS_DAY_LOG (day_log));

  if (g_set_object (&self->day_log, day_log))
    heart_chart_data_update (self);
}

HeartDayLog *
heart_chart_data_get_day_log (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  return self->day_log;
}

gboolean
heart_chart_data_get_long_span (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), FALSE);
  return self->day_log != NULL && self->window_seconds > HEART_CHART_DATA_MAX_TRACE_SECONDS;
}

void
heart_chart_data_set_window_seconds (HeartChartData *self,
                                     guint           seconds)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));

  seconds = CLAMP (seconds, HEART_CHART_DATA_MIN_SECONDS, HEART_CHART_DATA_MAX_SECONDS);
  if (self->window_seconds == seconds)
    return;
  self->window_seconds = seconds;
  heart_chart_data_update (self);
}

guint
heart_chart_data_get_window_seconds (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), 0);
  return self->window_seconds;
}

void
heart_chart_data_add_values (HeartChartData          *self,
                             const HeartChannelValue *values,
                             guint                    n_values)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));
  g_return_if_fail (values != NULL || n_values == 0);

  for (guint i = 0; i < n_values; i++)
    {
      if (values[i].channel == HEART_CHANNEL_EVENT && g_str_equal (values[i].label, "acute"))
        {
          TraceValue start = { values[i].t_s, values[i].value };

          g_array_append_val (self->acute_starts, start);
          /* as many as the history can hold events of, no more */
          if (self->acute_starts->len > 1000)
            g_array_remove_range (self->acute_starts, 0, 500);
        }
      for (guint t = 0; t < HEART_N_TRACES; t++)
        if (values[i].channel == self->traces[t].channel)
          trace_append (&self->traces[t], values[i].t_s, values[i].value);
    }
  for (guint t = 0; t < HEART_N_TRACES; t++)
    trace_trim (&self->traces[t]);
}

void
heart_chart_data_update (HeartChartData *self)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));

  if (heart_chart_data_get_long_span (self))
    {
      rebuild_from_day_log (self);
      for (guint t = 0; t < HEART_N_TRACES; t++)
        g_array_set_size (self->traces[t].points, 0);
      return;
    }
  rebuild_points (self);
  for (guint t = 0; t < HEART_N_TRACES; t++)
    trace_prepare (&self->traces[t], shown_end (self) - self->window_seconds);
}

double
heart_chart_data_get_latest_time (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), 0);
  return self->latest_t;
}

double
heart_chart_data_get_covered_seconds (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), 0);
  return self->covered_s;
}

const HeartChartPoint *
heart_chart_data_get_points (HeartChartData *self,
                             guint          *n_points)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  *n_points = self->points->len;
  return (const HeartChartPoint *) (gpointer) self->points->data;
}

const HeartChartSpan *
heart_chart_data_get_event_spans (HeartChartData *self,
                                  guint          *n_spans)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  *n_spans = self->spans->len;
  return (const HeartChartSpan *) (gpointer) self->spans->data;
}

const HeartChartPhase *
heart_chart_data_get_phases (HeartChartData *self,
                             guint          *n_phases)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  *n_phases = self->phases->len;
  return (const HeartChartPhase *) (gpointer) self->phases->data;
}

void
heart_chart_data_get_bpm_range (HeartChartData *self,
                                double         *low,
                                double         *high)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));
  *low = self->low;
  *high = self->high;
}

const HeartTracePoint *
heart_chart_data_get_trace (HeartChartData *self,
                            HeartTraceId    trace,
                            guint          *n_points)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  g_return_val_if_fail (trace < HEART_N_TRACES, NULL);
  *n_points = self->traces[trace].points->len;
  return (const HeartTracePoint *) (gpointer) self->traces[trace].points->data;
}

void
heart_chart_data_get_trace_range (HeartChartData *self,
                                  HeartTraceId    trace,
                                  double         *low,
                                  double         *high)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));
  g_return_if_fail (trace < HEART_N_TRACES);
  *low = self->traces[trace].low;
  *high = self->traces[trace].high;
}

void
heart_chart_data_set_view_end (HeartChartData *self,
                               double          t)
{
  g_return_if_fail (HEART_IS_CHART_DATA (self));

  if ((isnan (t) && isnan (self->view_end)) || t == self->view_end)
    return;
  self->view_end = t;
  heart_chart_data_update (self);
}

double
heart_chart_data_get_view_end (HeartChartData *self)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NAN);
  return shown_end (self);
}

gboolean
heart_chart_data_get_time_bounds (HeartChartData *self,
                                  double         *oldest,
                                  double         *newest)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), FALSE);

  if (heart_chart_data_get_long_span (self) && heart_day_log_get_length (self->day_log) > 0)
    *oldest = heart_day_log_peek (self->day_log, 0)->t_s;
  else if (self->history != NULL && heart_history_get_length (self->history) > 0)
    *oldest = heart_history_peek (self->history, 0)->t_s;
  else
    return FALSE;
  *newest = self->latest_t;
  return TRUE;
}

void
heart_chart_data_mark_running (HeartChartData *self,
                               gboolean        running)
{
  HeartChartStop *last;

  g_return_if_fail (HEART_IS_CHART_DATA (self));

  last = self->stops->len > 0 ? &g_array_index (self->stops, HeartChartStop, self->stops->len - 1) : NULL;
  if (running && last != NULL && last->resumed_us == 0)
    last->resumed_us = g_get_monotonic_time ();
  else if (!running && (last == NULL || last->resumed_us != 0) && self->points->len > 0)
    {
      HeartChartStop stop = { self->latest_t, g_get_monotonic_time (), 0 };

      /* a stop with no sample since the one before is the same stop */
      if (last != NULL && last->t == stop.t)
        last->resumed_us = 0;
      else
        g_array_append_val (self->stops, stop);
    }
}

const HeartChartStop *
heart_chart_data_get_stops (HeartChartData *self,
                            guint          *n_stops)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  *n_stops = self->stops->len;
  return (const HeartChartStop *) (gpointer) self->stops->data;
}

/* The index of the point nearest @t (points are in time order) */
static guint
nearest_point (HeartChartData *self,
               double          t)
{
  guint low = 0, high = self->points->len - 1;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (g_array_index (self->points, HeartChartPoint, mid).t < t)
        low = mid + 1;
      else
        high = mid;
    }
  if (low > 0 && t - g_array_index (self->points, HeartChartPoint, low - 1).t
                 < g_array_index (self->points, HeartChartPoint, low).t - t)
    low--;
  return low;
}

/* A trace's own value nearest @t, NAN with none there */
static double
trace_value_at (const Trace *trace,
                double       t)
{
  const HeartTracePoint *points = (const HeartTracePoint *) (gpointer) trace->points->data;
  guint n = trace->points->len;
  guint best = 0;

  if (n == 0 || t < points[0].t - 1 || t > points[n - 1].t + 1)
    return NAN;
  for (guint i = 1; i < n; i++)
    if (fabs (points[i].t - t) < fabs (points[best].t - t))
      best = i;
  return trace->low + points[best].y * (trace->high - trace->low);
}

gboolean
heart_chart_data_get_reading (HeartChartData    *self,
                              double             t,
                              HeartChartReading *reading)
{
  const HeartChartPoint *point;

  g_return_val_if_fail (HEART_IS_CHART_DATA (self), FALSE);
  g_return_val_if_fail (reading != NULL, FALSE);

  if (self->points->len == 0)
    return FALSE;
  point = &g_array_index (self->points, HeartChartPoint, nearest_point (self, t));
  *reading = (HeartChartReading) {
    .t = point->t,
    .age_s = MAX (self->latest_t - point->t, 0),
    .bpm = point->bpm,
    .stress = point->stress,
    .rr_ms = point->rr_ms,
    .event_level = NAN,
  };
  for (guint i = 0; i < HEART_N_TRACES; i++)
    reading->traces[i] = trace_value_at (&self->traces[i], point->t);
  for (guint i = 0; i < self->spans->len; i++)
    {
      const HeartChartSpan *span = &g_array_index (self->spans, HeartChartSpan, i);

      if (point->t >= span->from && point->t <= span->to)
        {
          reading->event_active = TRUE;
          reading->event_level = span->level;
        }
    }
  for (guint i = 0; i < self->phases->len; i++)
    {
      const HeartChartPhase *phase = &g_array_index (self->phases, HeartChartPhase, i);

      /* a phase under way lasts to the newest sample, that one included */
      if (point->t >= phase->from && (point->t < phase->to || phase->to >= self->latest_t))
        g_strlcpy (reading->phase, phase->name, sizeof reading->phase);
    }
  return TRUE;
}

const HeartChartBand *
heart_chart_data_get_band (HeartChartData *self,
                           HeartBandId     band,
                           guint          *n_segments)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), NULL);
  g_return_val_if_fail (band < HEART_N_BANDS, NULL);
  *n_segments = self->bands[band]->len;
  return (const HeartChartBand *) (gpointer) self->bands[band]->data;
}

guint
heart_chart_data_get_n_trace_values (HeartChartData *self,
                                     HeartTraceId    trace)
{
  g_return_val_if_fail (HEART_IS_CHART_DATA (self), 0);
  g_return_val_if_fail (trace < HEART_N_TRACES, 0);
  return self->traces[trace].values->len;
}

char *
heart_chart_data_display_name (const char *label)
{
  char *name;

  g_return_val_if_fail (label != NULL, NULL);

  name = g_strdup (label);
  for (char *c = name; *c != '\0'; c++)
    if (*c == '_' || *c == '-')
      *c = ' ';
  if (g_ascii_islower (name[0]))
    name[0] = g_ascii_toupper (name[0]);
  return name;
}
