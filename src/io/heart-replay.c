/* heart-replay.c: a recorded or exported file played back as a source
 *
 * The player: a reader (heart-replay-private.h) turns the file into items
 * (a sample, a beat, a heart-rate reading) with a time in the file, read
 * with bounded memory; an item is due at
 *
 *   start_mono + (file time − start_position) / speed
 *
 * on the monotonic clock, computed afresh for every item from the anchor
 * taken at the start (and again at a change of speed or a seek), never by
 * adding intervals, so an hour of play does not drift. With timestamps
 * "now", an item's timestamp is the wall clock of that due time: the wall
 * clock is read once, at the anchor. docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-replay-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heart-duration.h"

/* lines read at open to tell the interval */
#define PROBE_LINES          2000
/* items emitted in one turn of the main loop before others get theirs */
#define ITEMS_PER_DISPATCH   4096
/* a longer gap in a file's time makes no samples (docs/replay.md) */
#define GRID_GAP_MAX_S       86400.0
/* as the model's rmssd_ms (heart-model.c): the beats of the last 30 s */
#define RMSSD_FULL_SCALE_MS  100.0


enum {
  PROP_0,
  PROP_PATH,
  PROP_COLUMNS,
  PROP_MANUAL_CLOCK,
  PROP_START_TIME,
  PROP_SEEK_S,
  PROP_SPEED,
  PROP_LOOP,
  PROP_TIMESTAMPS,
  PROP_ON_ERROR,
  PROP_STATE,
  PROP_POSITION_S,
  PROP_DETECTED,
  PROP_ERROR,
  PROP_RUNNING,
  PROP_INTERVAL_MS,
  N_PROPS
};

enum {
  PROBLEM,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void heart_replay_source_init (HeartSourceInterface *iface);
static void heart_replay_initable_init (GInitableIface *iface);

/* GAsyncInitable's default implementation runs the GInitable's init in a
 * thread: opening reads a whole Apple Health export, and a seek reads up to
 * its offset, which must not hold up a server's or a window's main loop
 * (docs/replay.md, Time order, memory and time). Nothing outside the new
 * object is touched while it opens. */
G_DEFINE_FINAL_TYPE_WITH_CODE (HeartReplay, heart_replay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (HEART_TYPE_SOURCE, heart_replay_source_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, heart_replay_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE, NULL))
G_DEFINE_QUARK (heart-replay-error-quark, heart_replay_error)

GType
heart_replay_timestamps_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { HEART_REPLAY_TIMESTAMPS_ORIGINAL, "HEART_REPLAY_TIMESTAMPS_ORIGINAL", "original" },
    { HEART_REPLAY_TIMESTAMPS_NOW, "HEART_REPLAY_TIMESTAMPS_NOW", "now" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("HeartReplayTimestamps", values));
  return type;
}

GType
heart_replay_on_error_get_type (void)
{
  static gsize type;
  static const GEnumValue values[] = {
    { HEART_REPLAY_ON_ERROR_SKIP, "HEART_REPLAY_ON_ERROR_SKIP", "skip" },
    { HEART_REPLAY_ON_ERROR_STOP, "HEART_REPLAY_ON_ERROR_STOP", "stop" },
    { 0, NULL, NULL }
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("HeartReplayOnError", values));
  return type;
}

/* ---------------------------------------------------------------- options */

gboolean
heart_replay_parse_speed (const char  *text,
                          double      *speed,
                          GError     **error)
{
  double value = 0;
  const char *end = text != NULL ? heart_decimal_scan (text, &value) : NULL;

  if (end == NULL || *end != '\0' || value < HEART_REPLAY_SPEED_MIN || value > HEART_REPLAY_SPEED_MAX)
    return heart_option_error (error, "--speed must be a number from %g to %g, not “%s”",
                               HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, text ? text : "");
  *speed = value;
  return TRUE;
}

gboolean
heart_replay_parse_timestamps (const char             *text,
                               HeartReplayTimestamps  *timestamps,
                               GError                **error)
{
  if (g_strcmp0 (text, "original") == 0)
    *timestamps = HEART_REPLAY_TIMESTAMPS_ORIGINAL;
  else if (g_strcmp0 (text, "now") == 0)
    *timestamps = HEART_REPLAY_TIMESTAMPS_NOW;
  else
    return heart_option_error (error, "--timestamps must be original or now, not “%s”", text ? text : "");
  return TRUE;
}

gboolean
heart_replay_parse_on_error (const char          *text,
                             HeartReplayOnError  *on_error,
                             GError             **error)
{
  if (g_strcmp0 (text, "skip") == 0)
    *on_error = HEART_REPLAY_ON_ERROR_SKIP;
  else if (g_strcmp0 (text, "stop") == 0)
    *on_error = HEART_REPLAY_ON_ERROR_STOP;
  else
    return heart_option_error (error, "--on-error must be skip or stop, not “%s”", text ? text : "");
  return TRUE;
}
gboolean
_heart_replay_parse_number (const char *text,
              double     *value)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

gboolean
_heart_replay_parse_iso (const char *text,
           gint64     *us)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL || strlen (text) < 10 || text[4] != '-')
    return FALSE;
  /* "2026-01-09 12:34:56.789" as well as with a T; no zone means UTC */
  if (text[10] == ' ')
    {
      g_autofree char *copy = g_strdup (text);

      copy[10] = 'T';
      time = g_date_time_new_from_iso8601 (copy, zone);
    }
  else
    time = g_date_time_new_from_iso8601 (text, zone);
  if (time == NULL)
    return FALSE;
  *us = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

/* ---------------------------------------------------------------- errors */

GError *
_heart_replay_line_error (HeartReplay *self,
                          const char  *format,
                          ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start (args, format);
  why = g_strdup_vprintf (format, args);
  va_end (args);
  return g_error_new (HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE, "%s:%" G_GUINT64_FORMAT ": %s",
                      self->name, self->lines.number, why);
}

/* ---------------------------------------------------------------- items */

void
_heart_replay_item_clear (HeartReplayItem *item)
{
  memset (item, 0, sizeof *item);
  item->bpm = NAN;
}

void
_heart_replay_sample_clear (HeartSample *sample)
{
  memset (sample, 0, sizeof *sample);
  sample->variability = NAN;
  sample->stress_level = NAN;
  sample->rr_ms = NAN;
  sample->rmssd_ms = NAN;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    sample->channels[c] = NAN;
}
static void
report (HeartReplay *self,
        GError      *error,
        gboolean     fatal)
{
  g_signal_emit (self, signals[PROBLEM], 0, error, fatal);
  if (fatal)
    {
      g_clear_error (&self->error);
      self->error = error;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  else
    {
      self->skipped++;
      g_error_free (error);
    }
}

/* The next item of the file (loop offsets added), from the reader.
 * FALSE at the end, or when a bad line stops the replay (self->error). */
static gboolean
read_item (HeartReplay     *self,
           HeartReplayItem *item)
{
  for (;;)
    {
      GError *error = NULL;
      gboolean fatal;

      switch (self->reader->read (self, item, &error))
        {
        case HEART_REPLAY_READ_ITEM:
          item->t += self->loop_offset;
          return TRUE;
        case HEART_REPLAY_READ_END:
          return FALSE;
        case HEART_REPLAY_READ_AGAIN:
          self->more_later = TRUE;
          return FALSE;
        case HEART_REPLAY_READ_FAILED:
          report (self, error, TRUE);
          return FALSE;
        case HEART_REPLAY_READ_MALFORMED:
          fatal = self->on_error == HEART_REPLAY_ON_ERROR_STOP;
          g_debug ("%s", error->message);
          report (self, error, fatal);
          if (fatal)
            return FALSE;
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* ---------------------------------------------------------------- a tick */

static void
push_value (HeartReplay    *self,
            HeartChannelId  channel,
            double          t,
            gint64          timestamp_us,
            double          value,
            const char     *label)
{
  HeartChannelValue v = { .channel = channel, .t_s = t, .timestamp_us = timestamp_us, .value = value };

  if (label != NULL)
    g_strlcpy (v.label, label, sizeof v.label);
  else if (!isfinite (value))
    return;
  g_array_append_vals (self->values, &v, 1);
}

static gint64
due_mono (HeartReplay *self,
          double       t)
{
  return self->anchor_mono + (gint64) llround ((t - self->anchor_t) / self->speed * G_USEC_PER_SEC);
}

static gint64
now_mono (HeartReplay *self)
{
  return self->manual_clock ? self->manual_now : g_get_monotonic_time ();
}

/* The timestamp an item goes out with: the file's own wall clock, moved on
 * by whole loops; or with "now" (and for files with no wall clock) the wall
 * clock of its due time, from the one reading at the anchor */
static gint64
timestamp_of (HeartReplay *self,
              const HeartReplayItem  *item)
{
  if (self->timestamps == HEART_REPLAY_TIMESTAMPS_ORIGINAL && item->wall_us != 0)
    return item->wall_us + (gint64) llround (self->loop_offset * G_USEC_PER_SEC);
  return self->anchor_wall + (due_mono (self, item->t) - self->anchor_mono);
}

/* The values played since the last sample: out with the next sample, as
 * the values of a tick are, or at the end of the file */
static void
flush_values (HeartReplay *self)
{
  if (self->values->len == 0)
    return;
  heart_source_emit_values (HEART_SOURCE (self), (const HeartChannelValue *) self->values->data,
                            self->values->len);
  g_array_set_size (self->values, 0);
}

static void
emit_sample (HeartReplay *self,
             HeartSample *sample)
{
  sample->running = TRUE;
  flush_values (self);
  self->current = *sample;
  heart_source_emit_sample (HEART_SOURCE (self), &self->current);
}

static void
play_item (HeartReplay *self,
           HeartReplayItem        *item)
{
  gint64 timestamp = timestamp_of (self, item);

  self->played_t = item->t;
  self->played = TRUE;
  self->position = item->t - self->loop_offset;
  switch (item->kind)
    {
    case HEART_REPLAY_ITEM_BEAT:
      item->beat.timestamp_us = timestamp;
      item->beat.t_s = item->t;
      if (self->reader->grid)
        {
          g_strlcpy (item->beat.condition, self->grid_condition, sizeof item->beat.condition);
          self->last_rr = item->beat.rr_ms;
          self->last_bpm = 60000.0 / item->beat.rr_ms;
          heart_rr_window_add (&self->rr_window, item->t, item->beat.rr_ms);
        }
      push_value (self, HEART_CHANNEL_RR_INTERVAL, item->t, timestamp, item->beat.rr_ms, NULL);
      heart_source_emit_beat (HEART_SOURCE (self), &item->beat);
      break;
    case HEART_REPLAY_ITEM_READING:
      self->last_bpm = item->bpm;
      break;
    case HEART_REPLAY_ITEM_LABEL:
      /* the samples made from here on carry it */
      g_strlcpy (self->grid_condition, item->label, sizeof self->grid_condition);
      break;
    case HEART_REPLAY_ITEM_VALUE:
      /* out with the next sample, as the values of a tick are */
      push_value (self, item->channel, item->t, timestamp, item->value, NULL);
      break;
    case HEART_REPLAY_ITEM_SAMPLE:
      {
        HeartSample *sample = &item->sample;

        sample->timestamp_us = timestamp;
        sample->t_s = item->t;
        if (self->reader->grid)
          {
            sample->seq = ++self->seq;
            /* an export may begin with a sleep stage, before any heart rate */
            sample->bpm = isfinite (self->last_bpm) ? (int) lround (self->last_bpm) : 0;
            sample->channels[HEART_CHANNEL_HEART_RATE] = sample->bpm;
            if (self->has_rr)
              {
                sample->rr_ms = self->last_rr;
                sample->rmssd_ms = heart_rr_window_rmssd (&self->rr_window, item->t);
                sample->variability = CLAMP (sample->rmssd_ms / RMSSD_FULL_SCALE_MS, 0.0, 1.0);
                sample->channels[HEART_CHANNEL_HRV_RMSSD] = sample->rmssd_ms;
              }
          }
        for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
          if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_PERIODIC)
            push_value (self, c, item->t, timestamp, sample->channels[c], NULL);
        if (!g_str_equal (sample->condition, self->condition))
          {
            g_strlcpy (self->condition, sample->condition, sizeof self->condition);
            push_value (self, HEART_CHANNEL_CONDITION, item->t, timestamp, 0, self->condition);
          }
        emit_sample (self, sample);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Generic files have no samples: one is made on a grid of the file's time,
 * after the rows up to it */
static gboolean
peek (HeartReplay *self)
{
  if (!self->have_next && !self->at_eof)
    {
      self->more_later = FALSE;
      if (read_item (self, &self->next))
        self->have_next = TRUE;
      else if (!self->more_later)
        self->at_eof = TRUE;
    }
  return self->have_next;
}

/* The next item due, or FALSE at the end (or a stop) */
static gboolean
next_item (HeartReplay *self,
           HeartReplayItem        *item,
           gboolean     take)
{
  gboolean have = peek (self);

  if (!have && self->more_later)
    return FALSE;
  /* a gap of over a day in the file's time makes no samples: the grid
   * goes on just before the next item, on its own steps */
  if (have && self->reader->grid && self->grid_started && self->next.t - self->grid_t > GRID_GAP_MAX_S)
    self->grid_t += floor ((self->next.t - self->grid_t) / HEART_REPLAY_GRID_S) * HEART_REPLAY_GRID_S;
  if (self->reader->grid && self->grid_started
      && (!have || self->next.t > self->grid_t + 1e-9) && (have || self->error == NULL)
      && (have || self->grid_t <= self->last_t + 1e-9))
    {
      _heart_replay_item_clear (item);
      item->kind = HEART_REPLAY_ITEM_SAMPLE;
      _heart_replay_sample_clear (&item->sample);
      g_strlcpy (item->sample.condition, self->grid_condition, sizeof item->sample.condition);
      item->t = self->grid_t;
      /* a file with dates (a CSV's wall clock, an export's, an EDF's start)
       * stamps the samples made of it with them too (docs/replay.md, "What
       * a CSV becomes") */
      if (self->have_first && self->first_wall_us != 0)
        item->wall_us = self->first_wall_us + (gint64) llround ((item->t - self->loop_offset) * G_USEC_PER_SEC);
      if (take)
        self->grid_t += HEART_REPLAY_GRID_S;
      return TRUE;
    }
  if (!have)
    return FALSE;
  *item = self->next;
  if (take)
    {
      self->have_next = FALSE;
      self->last_t = MAX (self->last_t, item->t);
      if (self->reader->grid && !self->grid_started)
        {
          self->grid_started = TRUE;
          self->grid_t = item->t;
        }
    }
  return TRUE;
}

static void
reset_reading (HeartReplay *self)
{
  self->reader->rewind (self);
  self->have_next = FALSE;
  self->at_eof = FALSE;
}

static void
reset_state (HeartReplay *self)
{
  reset_reading (self);
  self->have_first = FALSE;
  self->loop_offset = 0;
  self->last_t = 0;
  self->grid_started = FALSE;
  heart_rr_window_clear (&self->rr_window);
  self->last_rr = NAN;
  self->last_bpm = NAN;
  self->position = 0;
  self->played_t = 0;
  self->played = FALSE;
  self->condition[0] = '\0';
  self->grid_condition[0] = '\0';
  g_array_set_size (self->values, 0);
}

/* ---------------------------------------------------------------- the clock */

static void set_state (HeartReplay *self, const char *state, gboolean running);

static void
anchor (HeartReplay *self,
        double       t)
{
  self->anchor_t = t;
  self->anchor_mono = now_mono (self);
  self->anchor_wall = self->manual_clock ? self->start_time_us + self->manual_now : g_get_real_time ();
}

/* Plays what is due; re-arms the timer for the next item */
static void
play_due (HeartReplay *self)
{
  gint64 now = now_mono (self);

  for (guint n = 0; self->running && n < ITEMS_PER_DISPATCH; n++)
    {
      HeartReplayItem item;

      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            break;
          /* what came after the last sample is not lost */
          flush_values (self);
          if (self->error != NULL)
            {
              set_state (self, "failed", FALSE);
              return;
            }
          if (self->loop && self->have_first)
            {
              double span = self->last_t - self->loop_offset;
              double step = self->interval_ms / 1000.0;

              /* the next pass starts one interval after this one ended */
              reset_reading (self);
              self->loop_offset += span + step;
              self->last_t = self->loop_offset;
              self->have_first = FALSE;
              if (self->reader->grid)
                self->grid_t = self->loop_offset;
              self->grid_started = self->reader->grid;
              if (!peek (self))
                {
                  set_state (self, self->error ? "failed" : "ended", FALSE);
                  return;
                }
              continue;
            }
          set_state (self, "ended", FALSE);
          return;
        }
      if (due_mono (self, item.t) > now)
        {
          if (self->timer != NULL)
            g_source_set_ready_time (self->timer, due_mono (self, item.t));
          return;
        }
      next_item (self, &item, TRUE);
      play_item (self, &item);
    }
  /* more is due: the next turn of the main loop goes on */
  if (self->timer != NULL && self->running)
    g_source_set_ready_time (self->timer, 0);
}

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static gboolean
on_timer (gpointer data)
{
  play_due (data);
  return G_SOURCE_CONTINUE;
}

static void
stop_timer (HeartReplay *self)
{
  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

static void
set_state (HeartReplay *self,
           const char  *state,
           gboolean     running)
{
  gboolean was_running = self->running;

  self->running = running;
  self->current.running = running;
  if (!running)
    stop_timer (self);
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (was_running != running)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
heart_replay_set_running (HeartReplay *self,
                          gboolean     running)
{
  running = !!running;
  if (running == self->running)
    return;
  if (!running)
    {
      set_state (self, "paused", FALSE);
      return;
    }
  /* an ended or failed replay plays again from the start */
  if (g_str_equal (self->state, "ended") || g_str_equal (self->state, "failed"))
    {
      g_clear_error (&self->error);
      reset_state (self);
    }
  /* from the last item played: between two passes, loop_offset is already
   * the next pass's, and position still the last one's */
  anchor (self, self->played_t);
  set_state (self, "playing", TRUE);
  if (!self->manual_clock)
    {
      self->timer = g_source_new (&timer_funcs, sizeof (GSource));
      g_source_set_static_name (self->timer, "[heartsim] replay");
      g_source_set_callback (self->timer, on_timer, self, NULL);
      g_source_set_ready_time (self->timer, 0);
      g_source_attach (self->timer, NULL);
    }
  else
    play_due (self);
}

void
heart_replay_advance (HeartReplay *self,
                      double       seconds)
{
  g_return_if_fail (HEART_IS_REPLAY (self));
  g_return_if_fail (self->manual_clock);

  self->manual_now += (gint64) llround (seconds * G_USEC_PER_SEC);
  while (self->running)
    {
      HeartReplayItem item;

      play_due (self);
      /* a whole dispatch's worth played, or a long line skipped in part:
       * go on at once, as the loop would */
      if (!self->running)
        break;
      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            continue;
          break;
        }
      if (due_mono (self, item.t) > self->manual_now)
        break;
    }
}

/* ---------------------------------------------------------------- opening */

/* The interval of a recording's samples, from its first two */
static void
probe_interval (HeartReplay *self)
{
  double first = NAN;

  self->interval_ms = (guint) (HEART_REPLAY_GRID_S * 1000);
  if (self->reader->grid)
    return;
  /* our recordings are read a line at a time: the probe reads as many */
  while (self->lines.number - self->data_line < PROBE_LINES)
    {
      HeartReplayItem item;
      g_autoptr(GError) error = NULL;
      HeartReplayRead status = self->reader->read (self, &item, &error);

      if (status == HEART_REPLAY_READ_MALFORMED)
        continue;
      if (status != HEART_REPLAY_READ_ITEM)
        break;
      if (item.kind != HEART_REPLAY_ITEM_SAMPLE)
        continue;
      if (isnan (first))
        first = item.t;
      else if (item.t > first)
        {
          self->interval_ms = (guint) CLAMP (lround ((item.t - first) * 1000), 1, 60000);
          break;
        }
    }
  reset_state (self);
}

/* Reads, without playing them, the items before @t (a file time with its
 * loop offset), and those at @t too with @through, feeding what the
 * samples made after them need (the RMSSD window of RR files). FALSE when
 * the file ends first, or a bad line stops it (self->error). */
static gboolean
skip_to (HeartReplay *self,
         double       t,
         gboolean     through)
{
  HeartReplayItem item;

  for (;;)
    {
      if (!next_item (self, &item, FALSE))
        {
          if (self->more_later)
            continue;
          return FALSE;
        }
      if (through ? item.t > t + 1e-9 : item.t >= t - 1e-9)
        return TRUE;
      next_item (self, &item, TRUE);
      self->position = item.t - self->loop_offset;
      if (item.kind == HEART_REPLAY_ITEM_BEAT && self->reader->grid)
        {
          self->last_rr = item.beat.rr_ms;
          self->last_bpm = 60000.0 / item.beat.rr_ms;
          heart_rr_window_add (&self->rr_window, item.t, item.beat.rr_ms);
        }
      else if (item.kind == HEART_REPLAY_ITEM_READING)
        self->last_bpm = item.bpm;
      else if (item.kind == HEART_REPLAY_ITEM_LABEL)
        g_strlcpy (self->grid_condition, item.label, sizeof self->grid_condition);
    }
}

static gboolean
seek_to (HeartReplay  *self,
         double        offset_s,
         GError      **error)
{
  reset_state (self);
  if (offset_s <= 0)
    return TRUE;
  if (!skip_to (self, offset_s, FALSE))
    {
      /* the file's end, or a bad line that stops it (on-error stop): said
       * before the state they were read into is reset */
      g_autoptr(GError) stopped = g_steal_pointer (&self->error);
      double length = self->last_t;

      reset_state (self);
      if (stopped != NULL)
        g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK,
                     "cannot seek to %.10g s in %s: %s", offset_s, self->name, stopped->message);
      else
        g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK,
                     "cannot seek to %.10g s in %s: it lasts %.3f s", offset_s, self->name, length);
      return FALSE;
    }
  /* the play resumes from the offset itself */
  self->position = offset_s;
  self->played_t = offset_s;
  self->played = FALSE;
  return TRUE;
}

gboolean
heart_replay_seek (HeartReplay  *self,
                   double        offset_s,
                   GError      **error)
{
  gboolean was_running, played;
  double position, pass_offset;

  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);

  if (!isfinite (offset_s) || offset_s < 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK, "cannot seek to %g s", offset_s);
      return FALSE;
    }
  was_running = self->running;
  position = self->position;
  /* the pass of the last item played: between two passes, loop_offset is
   * already the next one's */
  pass_offset = self->played_t - self->position;
  played = self->played;
  set_state (self, "paused", FALSE);
  g_clear_error (&self->error);
  if (!seek_to (self, offset_s, error))
    {
      /* back where it was, in the same pass, the items played not played
       * again */
      reset_state (self);
      self->loop_offset = self->last_t = pass_offset;
      if (position > 0 || played)
        (void) skip_to (self, position + pass_offset, played);
      g_clear_error (&self->error);
      self->position = position;
      self->played_t = position + pass_offset;
      self->played = played;
      if (was_running)
        heart_replay_set_running (self, TRUE);
      return FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION_S]);
  if (was_running)
    heart_replay_set_running (self, TRUE);
  return TRUE;
}

/* EDF, BDF, GDF and WFDB recordings, told by their name, or EDF and BDF
 * by their first bytes: only these are handed to libbiosig, and only once our own formats
 * have refused the file (docs/replay.md, "EDF, BDF, GDF and WFDB") */
static gboolean
looks_biosig (HeartReplay *self)
{
  static const char *const extensions[] = { ".edf", ".bdf", ".gdf", ".hea", ".rec" };
  g_autofree char *lower = g_ascii_strdown (self->path, -1);
  char magic[8];

  for (guint i = 0; i < G_N_ELEMENTS (extensions); i++)
    if (g_str_has_suffix (lower, extensions[i]))
      return TRUE;
  if (pread (self->lines.fd, magic, sizeof magic, 0) != (gssize) sizeof magic)
    return FALSE;
  /* not GDF's: its header is not checked before libbiosig reads it */
  return memcmp (magic, "0       ", 8) == 0           /* EDF, EDF+ */
         || memcmp (magic, "\xff" "BIOSEMI", 8) == 0; /* BDF */
}

/* Our formats, told from the first line that is not blank */
static gboolean
open_text (HeartReplay  *self,
           GError      **error)
{
  HeartReplayLines *reader = &self->lines;
  int errsv = 0;
  HeartReplayLineStatus status;
  gboolean seen_text = FALSE;

  /* the header: the first line that is not blank */
  for (;;)
    {
      status = _heart_replay_lines_next (reader, &errsv);
      if (status == HEART_REPLAY_LINE_ERROR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot replay %s: %s",
                       self->name, g_strerror (errsv));
          return FALSE;
        }
      if (status == HEART_REPLAY_LINE_EOF)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       seen_text ? "cannot replay %s: it has only blank lines" : "cannot replay %s: the file is empty",
                       self->name);
          return FALSE;
        }
      if (reader->too_long || memchr (reader->line->str, '\0', reader->line->len) != NULL
          || !g_utf8_validate (reader->line->str, (gssize) reader->line->len, NULL))
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: it is not a text file (line %" G_GUINT64_FORMAT ")",
                       self->name, reader->number);
          return FALSE;
        }
      seen_text = TRUE;
      if (!_heart_replay_line_is_blank (reader->line))
        break;
    }
  /* a byte-order mark is not part of the header */
  if (g_str_has_prefix (reader->line->str, "\xEF\xBB\xBF"))
    g_string_erase (reader->line, 0, 3);

  if (reader->line->str[0] == '{')
    {
      if (self->columns_override != NULL)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: --columns is for CSV files, this is JSON Lines", self->name);
          return FALSE;
        }
      _heart_replay_recording_open_jsonl (self);
    }
  else if (reader->line->str[0] == '<')
    {
      /* XML: an Apple Health export, or a file we do not read */
      if (!_heart_replay_health_open (self, error))
        return FALSE;
    }
  else
    {
      g_autofree char *header = g_strndup (reader->line->str, reader->line->len);

      self->data_offset = _heart_replay_lines_tell (reader);
      self->data_line = reader->number;
      if (!_heart_replay_csv_open (self, header, error))
        return FALSE;
    }
  _heart_replay_lines_reset (reader, self->data_offset, self->data_line);
  return TRUE;
}

static gboolean
is_regular_file (int fd)
{
  GStatBuf st;

  return fstat (fd, &st) == 0 && S_ISREG (st.st_mode);
}

static gboolean
heart_replay_initable_init_impl (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  HeartReplay *self = HEART_REPLAY (initable);
  g_autoptr(GError) text_error = NULL;

  if (self->path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "no file to replay");
      return FALSE;
    }
  self->name = g_strdup (self->path);
  self->lines.fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  if (self->lines.fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot replay %s: %s",
                   self->name, g_strerror (errsv));
      return FALSE;
    }
  /* a loop, a seek and the look at its start read the file again: a pipe
   * or a device cannot be read twice */
  if (!is_regular_file (self->lines.fd))
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: not a regular file (a pipe or a device cannot be read again)",
                   self->name);
      return FALSE;
    }

  if (!open_text (self, &text_error))
    {
      if (!g_error_matches (text_error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT) || !looks_biosig (self))
        {
          g_propagate_error (error, g_steal_pointer (&text_error));
          return FALSE;
        }
#if HAVE_BIOSIG
      if (!_heart_replay_biosig_open (self, error))
        return FALSE;
#else
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: this build cannot read EDF/BDF/GDF/WFDB: built without libbiosig",
                   self->name);
      return FALSE;
#endif
    }
  probe_interval (self);

  /* something to play at all */
  {
    HeartReplayItem item;
    gboolean have;

    while (!(have = next_item (self, &item, FALSE)) && self->more_later)
      ;
    if (!have)
      {
        g_autoptr(GError) first = g_steal_pointer (&self->error);

        if (first != NULL)
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       "cannot replay %s: %s", self->name, first->message);
        else
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY,
                       "cannot replay %s: no line holds a sample, a beat or a heart rate", self->name);
        return FALSE;
      }
    reset_state (self);
  }
  if (!seek_to (self, self->seek_s, error))
    return FALSE;
  /* what opening read is read again when it plays */
  self->skipped = 0;
  return TRUE;
}

static void
heart_replay_initable_init (GInitableIface *iface)
{
  iface->init = heart_replay_initable_init_impl;
}

HeartReplay *
heart_replay_new (const char  *path,
                  GError     **error)
{
  return g_initable_new (HEART_TYPE_REPLAY, NULL, error, "path", path, NULL);
}

/* ---------------------------------------------------------------- accessors */

const char *
heart_replay_get_path (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->path;
}

double
heart_replay_get_speed (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 1);
  return self->speed;
}

gboolean
heart_replay_set_speed (HeartReplay  *self,
                        double        speed,
                        GError      **error)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);

  if (!isfinite (speed) || speed < HEART_REPLAY_SPEED_MIN || speed > HEART_REPLAY_SPEED_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "speed must be from %g to %g, not %g",
                   HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, speed);
      return FALSE;
    }
  if (speed == self->speed)
    return TRUE;
  /* a new anchor where the replay is now: what was played stays played */
  if (self->running)
    {
      double t = self->anchor_t + (now_mono (self) - self->anchor_mono) * self->speed / G_USEC_PER_SEC;
      gint64 wall = self->anchor_wall + (now_mono (self) - self->anchor_mono);

      self->anchor_t = t;
      self->anchor_wall = wall;
      self->anchor_mono = now_mono (self);
    }
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL_MS]);
  if (self->timer != NULL)
    g_source_set_ready_time (self->timer, 0);
  return TRUE;
}

gboolean
heart_replay_get_loop (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), FALSE);
  return self->loop;
}

void
heart_replay_set_loop (HeartReplay *self,
                       gboolean     loop)
{
  g_return_if_fail (HEART_IS_REPLAY (self));

  loop = !!loop;
  if (loop == self->loop)
    return;
  self->loop = loop;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOOP]);
}

const char *
heart_replay_get_state (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->state;
}

double
heart_replay_get_position (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 0);
  return self->position;
}

const char *
heart_replay_get_detected (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->detected;
}

const GError *
heart_replay_get_error (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), NULL);
  return self->error;
}

guint64
heart_replay_get_skipped (HeartReplay *self)
{
  g_return_val_if_fail (HEART_IS_REPLAY (self), 0);
  return self->skipped;
}

/* ---------------------------------------------------------------- HeartSource */

static const HeartSample *
source_get_current_sample (HeartSource *source)
{
  return &HEART_REPLAY (source)->current;
}

static gboolean
source_get_running (HeartSource *source)
{
  return HEART_REPLAY (source)->running;
}

static void
source_set_running (HeartSource *source,
                    gboolean     running)
{
  heart_replay_set_running (HEART_REPLAY (source), running);
}

/* the time between samples on the wall clock */
static guint
source_get_interval_ms (HeartSource *source)
{
  HeartReplay *self = HEART_REPLAY (source);

  return (guint) MAX (1, lround (self->interval_ms / self->speed));
}

static const char *
source_get_kind (HeartSource *source)
{
  return "replay";
}

static void
heart_replay_source_init (HeartSourceInterface *iface)
{
  iface->get_current_sample = source_get_current_sample;
  iface->get_running = source_get_running;
  iface->set_running = source_set_running;
  iface->get_interval_ms = source_get_interval_ms;
  iface->get_kind = source_get_kind;
}

/* ---------------------------------------------------------------- GObject */

static void
heart_replay_dispose (GObject *object)
{
  HeartReplay *self = HEART_REPLAY (object);

  stop_timer (self);
  G_OBJECT_CLASS (heart_replay_parent_class)->dispose (object);
}

static void
heart_replay_finalize (GObject *object)
{
  HeartReplay *self = HEART_REPLAY (object);

  _heart_replay_lines_clear (&self->lines);
  for (guint c = 0; c < self->n_csv_columns; c++)
    g_free (self->csv_columns[c]);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_error (&self->error);
  g_free (self->path);
  g_free (self->name);
  g_free (self->columns_override);
  g_free (self->detected);
  g_clear_pointer (&self->health, _heart_replay_health_free);
#if HAVE_BIOSIG
  g_clear_pointer (&self->biosig, _heart_replay_biosig_free);
#endif
  G_OBJECT_CLASS (heart_replay_parent_class)->finalize (object);
}

static void
heart_replay_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeartReplay *self = HEART_REPLAY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_COLUMNS:
      g_value_set_string (value, self->columns_override);
      break;
    case PROP_MANUAL_CLOCK:
      g_value_set_boolean (value, self->manual_clock);
      break;
    case PROP_START_TIME:
      g_value_set_int64 (value, self->start_time_us);
      break;
    case PROP_SEEK_S:
      g_value_set_double (value, self->seek_s);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_LOOP:
      g_value_set_boolean (value, self->loop);
      break;
    case PROP_TIMESTAMPS:
      g_value_set_enum (value, self->timestamps);
      break;
    case PROP_ON_ERROR:
      g_value_set_enum (value, self->on_error);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_POSITION_S:
      g_value_set_double (value, self->position);
      break;
    case PROP_DETECTED:
      g_value_set_string (value, self->detected);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_INTERVAL_MS:
      g_value_set_uint (value, source_get_interval_ms (HEART_SOURCE (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_replay_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HeartReplay *self = HEART_REPLAY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    case PROP_COLUMNS:
      self->columns_override = g_value_dup_string (value);
      break;
    case PROP_MANUAL_CLOCK:
      self->manual_clock = g_value_get_boolean (value);
      break;
    case PROP_START_TIME:
      self->start_time_us = g_value_get_int64 (value);
      break;
    case PROP_SEEK_S:
      self->seek_s = g_value_get_double (value);
      break;
    case PROP_SPEED:
      heart_replay_set_speed (self, g_value_get_double (value), NULL);
      break;
    case PROP_LOOP:
      heart_replay_set_loop (self, g_value_get_boolean (value));
      break;
    case PROP_TIMESTAMPS:
      self->timestamps = g_value_get_enum (value);
      break;
    case PROP_ON_ERROR:
      self->on_error = g_value_get_enum (value);
      break;
    case PROP_RUNNING:
      heart_replay_set_running (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_replay_class_init (HeartReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_replay_dispose;
  object_class->finalize = heart_replay_finalize;
  object_class->get_property = heart_replay_get_property;
  object_class->set_property = heart_replay_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COLUMNS] =
    g_param_spec_string ("columns", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MANUAL_CLOCK] =
    g_param_spec_boolean ("manual-clock", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_START_TIME] =
    g_param_spec_int64 ("start-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEEK_S] =
    g_param_spec_double ("seek-s", NULL, NULL, 0, HEART_DURATION_MAX_S, 0,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, HEART_REPLAY_SPEED_MIN, HEART_REPLAY_SPEED_MAX, 1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOOP] =
    g_param_spec_boolean ("loop", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIMESTAMPS] =
    g_param_spec_enum ("timestamps", NULL, NULL, HEART_TYPE_REPLAY_TIMESTAMPS,
                       HEART_REPLAY_TIMESTAMPS_ORIGINAL,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ON_ERROR] =
    g_param_spec_enum ("on-error", NULL, NULL, HEART_TYPE_REPLAY_ON_ERROR, HEART_REPLAY_ON_ERROR_SKIP,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "paused",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION_S] =
    g_param_spec_double ("position-s", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETECTED] =
    g_param_spec_string ("detected", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  for (guint i = PROP_PATH; i < PROP_RUNNING; i++)
    g_object_class_install_property (object_class, i, properties[i]);
  g_object_class_override_property (object_class, PROP_RUNNING, "running");
  g_object_class_override_property (object_class, PROP_INTERVAL_MS, "interval-ms");
  properties[PROP_RUNNING] = g_object_class_find_property (object_class, "running");
  properties[PROP_INTERVAL_MS] = g_object_class_find_property (object_class, "interval-ms");

  signals[PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_BOOLEAN);
}

static void
heart_replay_init (HeartReplay *self)
{
  _heart_replay_lines_init (&self->lines);
  self->values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  self->speed = 1;
  self->state = "paused";
  self->time_unit = HEART_REPLAY_UNIT_AUTO;
  self->col_time = self->col_bpm = self->col_rr = self->col_wall = -1;
  self->last_rr = NAN;
  self->last_bpm = NAN;
  _heart_replay_sample_clear (&self->current);
}

