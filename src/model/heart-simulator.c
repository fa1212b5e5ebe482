/* heart-simulator.c: the model on a clock, as a GObject with signals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-simulator.h"

#include <math.h>

#include "heart-breathing.h"
#include "heart-model.h"
#include "heart-source.h"

#define RMSSD_FULL_SCALE_MS 100.0
/* Behind the deadline by more than this (a suspended machine, a stopped
 * debugger), the clock starts afresh instead of firing a burst of ticks. */
#define MAX_CATCH_UP_US (2 * G_USEC_PER_SEC)

struct _HeartSimulator
{
  GObject      parent_instance;

  HeartModel  *model;
  guint64      seed;
  gboolean     manual_clock;
  gint64       start_time_us;

  gboolean     running;
  guint        baseline_bpm;
  double       stress_level;
  guint        interval_ms;
  double       speed;
  double       events_per_hour;
  gboolean     low_skin_responder;
  double       rest_breathing_rate;

  GSource     *tick_source;
  GSource     *frame_source;       /* waveforms between ticks, 25 times a second */
  gint64       next_frame_us;
  gboolean     in_frame;
  gint64       next_deadline_us;
  double       tick_start_t;       /* simulation time at the end of the last tick */
  gint64       tick_wall_us;       /* wall clock of the tick being made */
  double       tick_end_t;         /* simulation time at its end */

  guint64      last_seq;
  HeartSample  current;

  GArray      *values;             /* HeartChannelValue of the tick being made */
  HeartChannelMask channels;
  HeartWaveformSettings waveform_settings;
  GArray      *marks;              /* HeartWaveformMark of the block being emitted */
  char         condition[HEART_LABEL_MAX];
  HeartActivityType activity;     /* as last notified */
  const HeartProfile *profile;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_BASELINE_BPM,
  PROP_STRESS_LEVEL,
  PROP_INTERVAL_MS,
  PROP_SPEED,
  PROP_SEED,
  PROP_RANDOM_EVENTS_PER_HOUR,
  PROP_MANUAL_CLOCK,
  PROP_START_TIME,
  PROP_LOW_SKIN_RESPONDER,
  PROP_REST_BREATHING_RATE,
  PROP_SCENARIO,
  PROP_CONDITION,
  PROP_ACTIVITY,
  PROP_PROFILE,
  PROP_WAVEFORM_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void heart_simulator_source_init (HeartSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HeartSimulator, heart_simulator, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HEART_TYPE_SOURCE, heart_simulator_source_init))
G_DEFINE_QUARK (heart-simulator-error-quark, heart_simulator_error)

static gboolean
check_range (double       value,
             double       low,
             double       high,
             const char  *what,
             GError     **error)
{
  if (isfinite (value) && value >= low && value <= high)
    return TRUE;
  g_set_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_OUT_OF_RANGE,
               "%s must be between %g and %g, not %g", what, low, high, value);
  return FALSE;
}

static gint64
timestamp_at (HeartSimulator *self,
              double          t_s)
{
  double behind_s;

  if (self->manual_clock)
    return self->start_time_us + (gint64) llround (t_s * G_USEC_PER_SEC);
  /* a beat inside a tick happened before the tick's wall clock, by the
   * simulation time still to go divided by the speed-up */
  behind_s = (self->tick_end_t - t_s) / self->speed;
  return self->tick_wall_us - (gint64) llround (behind_s * G_USEC_PER_SEC);
}

static void
fill_sample (HeartSimulator *self,
             HeartSample    *sample)
{
  double rr = heart_model_get_last_rr (self->model);
  double rmssd = heart_model_get_rmssd (self->model);
  double t = heart_model_get_time (self->model);

  sample->t_s = t;
  sample->timestamp_us = self->manual_clock ? timestamp_at (self, t) : self->tick_wall_us;
  sample->bpm = (int) lround (60000.0 / rr);
  sample->rr_ms = rr;
  sample->rmssd_ms = rmssd;
  sample->variability = CLAMP (rmssd / RMSSD_FULL_SCALE_MS, 0.0, 1.0);
  sample->stress_level = CLAMP (heart_model_get_stress (self->model), 0.0, 1.0);
  sample->baseline_bpm = self->baseline_bpm;
  sample->running = self->running;
  sample->event_active = heart_model_get_event_active (self->model);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_PERIODIC)
      sample->channels[c] = heart_model_read_channel (self->model, c);
  g_strlcpy (sample->condition, heart_model_get_condition (self->model), sizeof sample->condition);
}

static void
on_model_beat (const HeartBeat *model_beat,
               gpointer         user_data)
{
  HeartSimulator *self = user_data;
  HeartBeat beat = *model_beat;

  beat.timestamp_us = timestamp_at (self, beat.t_s);
  heart_source_emit_beat (HEART_SOURCE (self), &beat);
}

static void
on_model_value (const HeartChannelValue *model_value,
                gpointer                 user_data)
{
  HeartSimulator *self = user_data;

  g_array_append_vals (self->values, model_value, 1);
  g_array_index (self->values, HeartChannelValue, self->values->len - 1).timestamp_us =
    timestamp_at (self, model_value->t_s);
}

/* The phase changed, or the scenario ended, during the tick */
static void
notify_condition (HeartSimulator *self)
{
  const char *condition = heart_model_get_condition (self->model);

  if (g_str_equal (condition, self->condition))
    return;
  g_strlcpy (self->condition, condition, sizeof self->condition);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONDITION]);
  if (heart_model_get_scenario (self->model) == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO]);
}

/* A scenario's phase, or its end, changed the activity during the tick */
static void
notify_activity (HeartSimulator *self)
{
  if (heart_model_get_activity (self->model) == self->activity)
    return;
  self->activity = heart_model_get_activity (self->model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVITY]);
}

/* A block of each waveform made since the last, stamped */
static void
emit_waveforms (HeartSimulator *self)
{
  static const HeartChannelId waveforms[] = { HEART_CHANNEL_ECG, HEART_CHANNEL_PPG };

  for (guint i = 0; i < G_N_ELEMENTS (waveforms); i++)
    {
      HeartWaveformBlock block;

      if (!heart_model_peek_waveform (self->model, waveforms[i], &block))
        continue;
      g_array_set_size (self->marks, 0);
      g_array_append_vals (self->marks, block.marks, block.n_marks);
      for (guint m = 0; m < self->marks->len; m++)
        {
          HeartWaveformMark *mark = &g_array_index (self->marks, HeartWaveformMark, m);

          mark->timestamp_us = timestamp_at (self, mark->t_s);
        }
      block.marks = (const HeartWaveformMark *) self->marks->data;
      block.t0_us = timestamp_at (self, block.t0_s);
      heart_source_emit_waveform (HEART_SOURCE (self), &block);
    }
  heart_model_clear_waveforms (self->model);
}

/* Everything up to @t_end: beats go out now, the waveforms now unless the
 * frames send them, values and the sample with the tick */
static void
advance_model_to (HeartSimulator *self,
                  double          t_end)
{
  if (!self->manual_clock)
    self->tick_wall_us = g_get_real_time ();
  /* values made during the tick are stamped by how far before its end
   * they fall, not with the tick's wall clock */
  self->tick_end_t = t_end;
  heart_model_advance (self->model, MAX (t_end - heart_model_get_time (self->model), 0.0),
                       on_model_beat, self);
  /* live, the frame timer sends them, so that clients get 25 blocks a
   * second rather than 25 and one a tick */
  if (self->frame_source == NULL || self->in_frame)
    emit_waveforms (self);
}

void
heart_simulator_advance (HeartSimulator *self,
                         double          seconds)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));
  g_return_if_fail (isfinite (seconds) && seconds >= 0);

  /* the frames since the last tick have made part of it already */
  self->tick_start_t = MAX (self->tick_start_t + seconds, heart_model_get_time (self->model));
  advance_model_to (self, self->tick_start_t);
  if (self->values->len > 0)
    {
      heart_source_emit_values (HEART_SOURCE (self), (const HeartChannelValue *) self->values->data,
                                self->values->len);
      g_array_set_size (self->values, 0);
    }
  notify_condition (self);
  notify_activity (self);

  fill_sample (self, &self->current);
  self->current.seq = ++self->last_seq;
  heart_source_emit_sample (HEART_SOURCE (self), &self->current);
}

static gint64
interval_us (HeartSimulator *self)
{
  return (gint64) self->interval_ms * 1000;
}

/* Ticks keep to a fixed schedule (deadline += interval) rather than
 * re-arming relative to when the last one ran, so the rate does not drift. */
static gboolean
on_tick (gpointer user_data)
{
  HeartSimulator *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->next_deadline_us += interval_us (self);
  if (now - self->next_deadline_us > MAX_CATCH_UP_US)
    self->next_deadline_us = now + interval_us (self);
  g_source_set_ready_time (self->tick_source, self->next_deadline_us);

  heart_simulator_advance (self, self->interval_ms / 1000.0 * self->speed);
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs tick_source_funcs = {
  .dispatch = tick_dispatch,
};

static void
start_timer (HeartSimulator *self)
{
  self->tick_source = g_source_new (&tick_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->tick_source, "[heartsim] simulator tick");
  g_source_set_callback (self->tick_source, on_tick, self, NULL);
  self->next_deadline_us = g_get_monotonic_time () + interval_us (self);
  g_source_set_ready_time (self->tick_source, self->next_deadline_us);
  g_source_attach (self->tick_source, NULL);
}

static void
stop_timer (HeartSimulator *self)
{
  if (self->tick_source != NULL)
    g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
}

/* Between ticks, the waveforms are made up to now, so that they leave 25
 * times a second whatever the tick (docs/waveforms.md, "Live") */
static gboolean
on_frame (gpointer user_data)
{
  HeartSimulator *self = user_data;
  double tick_s = self->interval_ms / 1000.0 * self->speed;
  gint64 tick_began_us = self->next_deadline_us - interval_us (self);
  double done = (g_get_monotonic_time () - tick_began_us) / (double) interval_us (self);
  /* the tick itself makes its end */
  double target = self->tick_start_t + CLAMP (done, 0.0, 0.999) * tick_s;

  /* on a fixed schedule, as the ticks are, so the rate does not drift */
  self->next_frame_us += HEART_WAVEFORM_FRAME_MS * 1000;
  if (g_get_monotonic_time () - self->next_frame_us > MAX_CATCH_UP_US)
    self->next_frame_us = g_get_monotonic_time () + HEART_WAVEFORM_FRAME_MS * 1000;
  g_source_set_ready_time (self->frame_source, self->next_frame_us);
  self->in_frame = TRUE;
  if (target > heart_model_get_time (self->model))
    advance_model_to (self, target);
  else
    emit_waveforms (self);
  self->in_frame = FALSE;
  return G_SOURCE_CONTINUE;
}

static void
update_frame_timer (HeartSimulator *self)
{
  gboolean wanted = self->tick_source != NULL
                 && (self->channels & HEART_CHANNEL_MASK_WAVEFORMS) != 0
                 && self->speed <= HEART_WAVEFORM_SPEED_MAX
                 && self->interval_ms > HEART_WAVEFORM_FRAME_MS;

  if (wanted == (self->frame_source != NULL))
    return;
  if (wanted)
    {
      self->frame_source = g_source_new (&tick_source_funcs, sizeof (GSource));
      g_source_set_static_name (self->frame_source, "[heartsim] waveform frames");
      g_source_set_callback (self->frame_source, on_frame, self, NULL);
      self->next_frame_us = g_get_monotonic_time () + HEART_WAVEFORM_FRAME_MS * 1000;
      g_source_set_ready_time (self->frame_source, self->next_frame_us);
      g_source_attach (self->frame_source, NULL);
    }
  else
    {
      g_source_destroy (self->frame_source);
      g_clear_pointer (&self->frame_source, g_source_unref);
      /* what the last tick made goes out now */
      emit_waveforms (self);
    }
}

/* The waveforms asked for, unless a live run is so fast that making them
 * would take more than the machine has (docs/waveforms.md, "Live") */
static void
apply_waveforms (HeartSimulator *self)
{
  HeartChannelMask channels = self->channels;

  /* construct properties come before the model */
  if (self->model == NULL)
    return;
  if (!self->manual_clock && self->speed > HEART_WAVEFORM_SPEED_MAX)
    channels &= ~HEART_CHANNEL_MASK_WAVEFORMS;
  heart_model_set_waveforms (self->model, channels, &self->waveform_settings);
  update_frame_timer (self);
}

void
heart_simulator_set_running (HeartSimulator *self,
                             gboolean        running)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));

  running = !!running;
  if (self->running == running)
    return;

  self->running = running;
  self->current.running = running;
  if (!self->manual_clock)
    {
      if (running)
        start_timer (self);
      else
        stop_timer (self);
      update_frame_timer (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
heart_simulator_start (HeartSimulator *self)
{
  heart_simulator_set_running (self, TRUE);
}

void
heart_simulator_stop (HeartSimulator *self)
{
  heart_simulator_set_running (self, FALSE);
}

gboolean
heart_simulator_get_running (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);
  return self->running;
}

gboolean
heart_simulator_trigger_stress (HeartSimulator  *self,
                                double           level,
                                GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (level, 0, 1, "stress_level", error))
    return FALSE;
  heart_model_trigger_event (self->model, level);
  self->current.event_active = TRUE;
  return TRUE;
}

gboolean
heart_simulator_set_baseline (HeartSimulator  *self,
                              int              bpm,
                              GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (bpm, HEART_BASELINE_MIN, HEART_BASELINE_MAX, "baseline_bpm", error))
    return FALSE;
  if (self->baseline_bpm == (guint) bpm)
    return TRUE;
  self->baseline_bpm = bpm;
  self->current.baseline_bpm = bpm;
  heart_model_set_baseline (self->model, bpm);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASELINE_BPM]);
  return TRUE;
}

guint
heart_simulator_get_baseline_bpm (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->baseline_bpm;
}

gboolean
heart_simulator_set_stress_level (HeartSimulator  *self,
                                  double           level,
                                  GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (level, 0, 1, "stress_level", error))
    return FALSE;
  if (self->stress_level == level)
    return TRUE;
  self->stress_level = level;
  heart_model_set_tonic_stress (self->model, level);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STRESS_LEVEL]);
  return TRUE;
}

double
heart_simulator_get_stress_level (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->stress_level;
}

gboolean
heart_simulator_set_interval_ms (HeartSimulator  *self,
                                 guint            interval_ms,
                                 GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (interval_ms, HEART_INTERVAL_MIN_MS, HEART_INTERVAL_MAX_MS, "interval_ms", error))
    return FALSE;
  if (self->interval_ms == interval_ms)
    return TRUE;
  self->interval_ms = interval_ms;
  if (self->tick_source != NULL)
    {
      self->next_deadline_us = g_get_monotonic_time () + interval_us (self);
      g_source_set_ready_time (self->tick_source, self->next_deadline_us);
    }
  update_frame_timer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
  return TRUE;
}

guint
heart_simulator_get_interval_ms (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->interval_ms;
}

gboolean
heart_simulator_set_speed (HeartSimulator  *self,
                           double           speed,
                           GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (speed, HEART_SPEED_MIN, HEART_SPEED_MAX, "speed", error))
    return FALSE;
  if (self->speed == speed)
    return TRUE;
  self->speed = speed;
  apply_waveforms (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  return TRUE;
}

double
heart_simulator_get_speed (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->speed;
}

gboolean
heart_simulator_set_random_events_per_hour (HeartSimulator  *self,
                                            double           rate,
                                            GError         **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!check_range (rate, 0, HEART_EVENTS_PER_HOUR_MAX, "random_events_per_hour", error))
    return FALSE;
  if (self->events_per_hour == rate)
    return TRUE;
  self->events_per_hour = rate;
  heart_model_set_events_per_hour (self->model, rate);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RANDOM_EVENTS_PER_HOUR]);
  return TRUE;
}

double
heart_simulator_get_random_events_per_hour (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->events_per_hour;
}

guint64
heart_simulator_get_seed (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->seed;
}

double
heart_simulator_get_current_stress (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return heart_model_get_stress (self->model);
}

gboolean
heart_simulator_get_event_active (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);
  return heart_model_get_event_active (self->model);
}

gboolean
heart_simulator_get_acute_event (HeartSimulator *self,
                                 double         *level,
                                 double         *hold_left_s)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (level != NULL && hold_left_s != NULL, FALSE);
  return heart_model_get_acute_event (self->model, level, hold_left_s);
}

gboolean
heart_simulator_end_stress (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!heart_model_end_event (self->model))
    return FALSE;
  self->current.event_active = heart_model_get_event_active (self->model);
  return TRUE;
}

double
heart_simulator_get_time (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return heart_model_get_time (self->model);
}

const HeartSample *
heart_simulator_get_current_sample (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), NULL);

  /* Before the first tick, describe the heart as it is now: filled lazily so
   * that settings made after construction shape the model's first beats. */
  if (self->last_seq == 0)
    {
      if (!self->manual_clock)
        self->tick_wall_us = g_get_real_time ();
      fill_sample (self, &self->current);
      self->current.seq = 0;
    }
  return &self->current;
}

/* For the day's step count: of the wall clock's day (local) live, of the
 * timestamps' day (UTC, as they are written) on a manual clock */
static double
seconds_since_midnight (HeartSimulator *self)
{
  g_autoptr(GDateTime) now = self->manual_clock
                           ? g_date_time_new_from_unix_utc (self->start_time_us / G_USEC_PER_SEC)
                           : g_date_time_new_now_local ();

  if (now == NULL)
    return 0;
  return g_date_time_get_hour (now) * 3600.0 + g_date_time_get_minute (now) * 60.0
       + g_date_time_get_seconds (now)
       + (self->manual_clock ? (self->start_time_us % G_USEC_PER_SEC) / 1e6 : 0);
}

static void
heart_simulator_constructed (GObject *object)
{
  HeartSimulator *self = HEART_SIMULATOR (object);

  G_OBJECT_CLASS (heart_simulator_parent_class)->constructed (object);

  self->model = heart_model_new (self->seed);
  heart_model_set_baseline (self->model, self->baseline_bpm);
  heart_model_set_tonic_stress (self->model, self->stress_level);
  heart_model_set_events_per_hour (self->model, self->events_per_hour);
  heart_model_set_low_skin_responder (self->model, self->low_skin_responder);
  heart_model_set_rest_breathing_rate (self->model, self->rest_breathing_rate);
  heart_model_set_day_offset (self->model, seconds_since_midnight (self));
  heart_model_set_person (self->model, self->profile);
  /* the waveforms cost most: a manual clock (datasets, tests) makes them
   * only when asked */
  heart_simulator_set_channels (self, self->manual_clock
                                      ? HEART_CHANNEL_MASK_ALL & ~HEART_CHANNEL_MASK_WAVEFORMS
                                      : HEART_CHANNEL_MASK_ALL);
}

gboolean
heart_simulator_set_activity (HeartSimulator  *self,
                              const char      *activity,
                              GError         **error)
{
  HeartActivityType type;

  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  if (!heart_activity_type_from_string (activity, &type))
    {
      g_set_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_UNKNOWN_ACTIVITY,
                   "activity must be rest, sitting, walking, running, cycling or sleep, not “%s”",
                   activity != NULL ? activity : "");
      return FALSE;
    }
  heart_model_set_activity (self->model, type);
  notify_activity (self);
  return TRUE;
}

gboolean
heart_simulator_set_profile (HeartSimulator  *self,
                             const char      *name,
                             GError         **error)
{
  const HeartProfile *profile;

  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);

  profile = heart_profile_lookup (name);
  if (profile == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) heart_profile_names ());

      g_set_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_UNKNOWN_PROFILE,
                   "profile must be one of %s, not “%s”", known, name != NULL ? name : "");
      return FALSE;
    }
  self->profile = profile;
  heart_model_set_person (self->model, profile);
  heart_simulator_set_baseline (self, (int) profile->rest_bpm, NULL);
  heart_simulator_set_stress_level (self, profile->tonic_stress, NULL);
  heart_simulator_set_random_events_per_hour (self, profile->events_per_hour, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROFILE]);
  return TRUE;
}

const char *
heart_simulator_get_profile (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), NULL);
  return self->profile->name;
}

const char *
heart_simulator_get_sleep_stage (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), NULL);
  return heart_sleep_stage_label (heart_model_get_sleep_stage (self->model));
}

const char *
heart_simulator_get_activity (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), NULL);
  return heart_activity_type_to_string (heart_model_get_activity (self->model));
}

void
heart_simulator_set_channels (HeartSimulator   *self,
                              HeartChannelMask  channels)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));

  self->channels = channels;
  heart_model_set_value_func (self->model, channels, on_model_value, self);
  apply_waveforms (self);
}

HeartChannelMask
heart_simulator_get_channels (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return self->channels;
}

gboolean
heart_simulator_set_waveform_settings (HeartSimulator               *self,
                                       const HeartWaveformSettings  *settings,
                                       GError                      **error)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), FALSE);
  g_return_val_if_fail (settings != NULL, FALSE);

  if (!heart_waveform_settings_check (settings, error))
    return FALSE;
  /* samples made but not yet sent keep their old settings */
  emit_waveforms (self);
  self->waveform_settings = *settings;
  apply_waveforms (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAVEFORM_SETTINGS]);
  return TRUE;
}

void
heart_simulator_get_waveform_settings (HeartSimulator        *self,
                                       HeartWaveformSettings *settings)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));
  *settings = self->waveform_settings;
}

void
heart_simulator_run_scenario (HeartSimulator *self,
                              HeartScenario  *scenario,
                              gboolean        repeat)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));
  g_return_if_fail (scenario != NULL);

  heart_model_run_scenario (self->model, scenario, repeat);
  /* the first phase's label goes out with the next tick's values; the
   * report shows it at once */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO]);
  notify_condition (self);
  notify_activity (self);
}

void
heart_simulator_stop_scenario (HeartSimulator *self)
{
  g_return_if_fail (HEART_IS_SIMULATOR (self));

  if (heart_model_get_scenario (self->model) == NULL)
    return;
  heart_model_stop_scenario (self->model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO]);
  notify_condition (self);
  notify_activity (self);
}

HeartScenario *
heart_simulator_get_scenario (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), NULL);
  return heart_model_get_scenario (self->model);
}

int
heart_simulator_get_phase (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), -1);
  return heart_model_get_phase (self->model);
}

double
heart_simulator_get_scenario_elapsed (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), 0);
  return heart_model_get_scenario_elapsed (self->model);
}

const char *
heart_simulator_get_condition (HeartSimulator *self)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (self), "");
  return self->condition;
}

static void
heart_simulator_dispose (GObject *object)
{
  HeartSimulator *self = HEART_SIMULATOR (object);

  stop_timer (self);
  /* nobody wants the last samples of a simulator going away */
  if (self->frame_source != NULL)
    g_source_destroy (self->frame_source);
  g_clear_pointer (&self->frame_source, g_source_unref);
  G_OBJECT_CLASS (heart_simulator_parent_class)->dispose (object);
}

static void
heart_simulator_finalize (GObject *object)
{
  HeartSimulator *self = HEART_SIMULATOR (object);

  g_clear_pointer (&self->model, heart_model_free);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->marks, g_array_unref);
  G_OBJECT_CLASS (heart_simulator_parent_class)->finalize (object);
}

static void
heart_simulator_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  HeartSimulator *self = HEART_SIMULATOR (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_BASELINE_BPM:
      g_value_set_uint (value, self->baseline_bpm);
      break;
    case PROP_STRESS_LEVEL:
      g_value_set_double (value, self->stress_level);
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, self->interval_ms);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_RANDOM_EVENTS_PER_HOUR:
      g_value_set_double (value, self->events_per_hour);
      break;
    case PROP_MANUAL_CLOCK:
      g_value_set_boolean (value, self->manual_clock);
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->start_time_us);
      break;
    case PROP_LOW_SKIN_RESPONDER:
      g_value_set_boolean (value, self->low_skin_responder);
      break;
    case PROP_REST_BREATHING_RATE:
      g_value_set_double (value, self->rest_breathing_rate);
      break;
    case PROP_SCENARIO:
      g_value_set_boxed (value, heart_model_get_scenario (self->model));
      break;
    case PROP_CONDITION:
      g_value_set_string (value, self->condition);
      break;
    case PROP_ACTIVITY:
      g_value_set_string (value, heart_simulator_get_activity (self));
      break;
    case PROP_WAVEFORM_SETTINGS:
      g_value_set_pointer (value, &self->waveform_settings);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, self->profile->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The pspec ranges already refused bad values, so the setters cannot fail */
static void
heart_simulator_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  HeartSimulator *self = HEART_SIMULATOR (object);
  gboolean constructing = self->model == NULL;

  switch (prop_id)
    {
    case PROP_RUNNING:
      heart_simulator_set_running (self, g_value_get_boolean (value));
      break;
    case PROP_BASELINE_BPM:
      if (constructing)
        self->baseline_bpm = g_value_get_uint (value);
      else
        heart_simulator_set_baseline (self, g_value_get_uint (value), NULL);
      break;
    case PROP_STRESS_LEVEL:
      if (constructing)
        self->stress_level = g_value_get_double (value);
      else
        heart_simulator_set_stress_level (self, g_value_get_double (value), NULL);
      break;
    case PROP_INTERVAL_MS:
      heart_simulator_set_interval_ms (self, g_value_get_uint (value), NULL);
      break;
    case PROP_SPEED:
      heart_simulator_set_speed (self, g_value_get_double (value), NULL);
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    case PROP_RANDOM_EVENTS_PER_HOUR:
      if (constructing)
        self->events_per_hour = g_value_get_double (value);
      else
        heart_simulator_set_random_events_per_hour (self, g_value_get_double (value), NULL);
      break;
    case PROP_MANUAL_CLOCK:
      self->manual_clock = g_value_get_boolean (value);
      break;
    case PROP_START_TIME:
      self->start_time_us = g_value_get_int64 (value);
      break;
    case PROP_LOW_SKIN_RESPONDER:
      self->low_skin_responder = g_value_get_boolean (value);
      break;
    case PROP_REST_BREATHING_RATE:
      self->rest_breathing_rate = g_value_get_double (value);
      break;
    case PROP_ACTIVITY:
      heart_simulator_set_activity (self, g_value_get_string (value), NULL);
      break;
    case PROP_PROFILE:
      if (constructing)
        {
          const HeartProfile *profile = heart_profile_lookup (g_value_get_string (value));

          if (profile != NULL)
            self->profile = profile;
          else
            g_warning ("No profile “%s”", g_value_get_string (value));
        }
      else
        heart_simulator_set_profile (self, g_value_get_string (value), NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_simulator_class_init (HeartSimulatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heart_simulator_constructed;
  object_class->dispose = heart_simulator_dispose;
  object_class->finalize = heart_simulator_finalize;
  object_class->get_property = heart_simulator_get_property;
  object_class->set_property = heart_simulator_set_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASELINE_BPM] =
    g_param_spec_uint ("baseline-bpm", NULL, NULL,
                       HEART_BASELINE_MIN, HEART_BASELINE_MAX, HEART_BASELINE_DEFAULT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STRESS_LEVEL] =
    g_param_spec_double ("stress-level", NULL, NULL, 0, 1, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL,
                       HEART_INTERVAL_MIN_MS, HEART_INTERVAL_MAX_MS, HEART_INTERVAL_DEFAULT_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, HEART_SPEED_MIN, HEART_SPEED_MAX, 1,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RANDOM_EVENTS_PER_HOUR] =
    g_param_spec_double ("random-events-per-hour", NULL, NULL,
                         0, HEART_EVENTS_PER_HOUR_MAX, HEART_EVENTS_PER_HOUR_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MANUAL_CLOCK] =
    g_param_spec_boolean ("manual-clock", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* the person's profile, fixed for its life */
  properties[PROP_LOW_SKIN_RESPONDER] =
    g_param_spec_boolean ("low-skin-responder", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REST_BREATHING_RATE] =
    g_param_spec_double ("rest-breathing-rate", NULL, NULL,
                         HEART_BREATHING_REST_RATE_MIN, HEART_BREATHING_REST_RATE_MAX,
                         HEART_BREATHING_REST_RATE_DEFAULT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCENARIO] =
    g_param_spec_boxed ("scenario", NULL, NULL, HEART_TYPE_SCENARIO,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONDITION] =
    g_param_spec_string ("condition", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* (const HeartWaveformSettings *), notified when it changes */
  properties[PROP_WAVEFORM_SETTINGS] =
    g_param_spec_pointer ("waveform-settings", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_string ("profile", NULL, NULL, "average",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVITY] =
    g_param_spec_string ("activity", NULL, NULL, "rest",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

}

static const HeartSample *
source_get_current_sample (HeartSource *source)
{
  return heart_simulator_get_current_sample (HEART_SIMULATOR (source));
}

static gboolean
source_get_running (HeartSource *source)
{
  return heart_simulator_get_running (HEART_SIMULATOR (source));
}

static void
source_set_running (HeartSource *source,
                    gboolean     running)
{
  heart_simulator_set_running (HEART_SIMULATOR (source), running);
}

static guint
source_get_interval_ms (HeartSource *source)
{
  return heart_simulator_get_interval_ms (HEART_SIMULATOR (source));
}

static const char *
source_get_kind (HeartSource *source)
{
  return "simulator";
}

static void
heart_simulator_source_init (HeartSourceInterface *iface)
{
  iface->get_current_sample = source_get_current_sample;
  iface->get_running = source_get_running;
  iface->set_running = source_set_running;
  iface->get_interval_ms = source_get_interval_ms;
  iface->get_kind = source_get_kind;
}

static void
heart_simulator_init (HeartSimulator *self)
{
  self->profile = heart_profile_lookup ("average");
  self->values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  self->marks = g_array_new (FALSE, FALSE, sizeof (HeartWaveformMark));
  self->waveform_settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
}

HeartSimulator *
heart_simulator_new (guint64 seed)
{
  return g_object_new (HEART_TYPE_SIMULATOR, "seed", seed, NULL);
}

HeartSimulator *
heart_simulator_new_manual (guint64 seed,
                            gint64  start_time_us)
{
  return g_object_new (HEART_TYPE_SIMULATOR,
                       "seed", seed,
                       "manual-clock", TRUE,
                       "start-time", start_time_us,
                       NULL);
}
