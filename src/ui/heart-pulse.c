/* heart-pulse.c: a heart that beats when told to
 *
 * The simulator reports the beats of a tick all at once, at the tick's end.
 * To show them with their own rhythm, each beat is queued for the moment it
 * happened plus one tick (the window schedules that), and one timeout at a
 * time waits for the next. A beat swells the heart and lets it settle back,
 * an AdwTimedAnimation driving a scale transform of the child image, so it
 * follows the system's "reduce animation" setting for free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-pulse.h"

#include <adwaita.h>

#define QUEUE_SIZE 32
#define PULSE_SCALE 0.22
#define PULSE_DURATION_MS 380
/* Beats closer than this merge: at high speed-ups a flutter reads as noise */
#define MIN_GAP_US (150 * 1000)

struct _HeartPulse
{
  GtkWidget     parent_instance;

  GtkWidget    *image;
  AdwAnimation *animation;
  double        swell;            /* 1 at the beat, 0 at rest */

  gint64        queue[QUEUE_SIZE];  /* beat times, ascending */
  guint         queue_head;
  guint         queue_length;
  gint64        last_beat_us;
  guint         timeout_id;
  guint         n_beats;
};

G_DEFINE_FINAL_TYPE (HeartPulse, heart_pulse, GTK_TYPE_WIDGET)

static void schedule_next (HeartPulse *self);

static void
set_swell (double   value,
           gpointer user_data)
{
  HeartPulse *self = user_data;

  self->swell = value;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
}

static void
pulse_now (HeartPulse *self)
{
  self->n_beats++;
  adw_animation_reset (self->animation);
  adw_animation_play (self->animation);
}

static gboolean
on_beat_due (gpointer user_data)
{
  HeartPulse *self = user_data;
  gint64 now = g_get_monotonic_time ();

  self->timeout_id = 0;
  while (self->queue_length > 0 && self->queue[self->queue_head] <= now + 1000)
    {
      self->queue_head = (self->queue_head + 1) % QUEUE_SIZE;
      self->queue_length--;
    }
  pulse_now (self);
  schedule_next (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (HeartPulse *self)
{
  gint64 delay_us;

  if (self->timeout_id != 0 || self->queue_length == 0)
    return;
  delay_us = self->queue[self->queue_head] - g_get_monotonic_time ();
  self->timeout_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                         MAX (delay_us, 0) / 1000,
                                         on_beat_due, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->timeout_id),
                            "[heartsim] heart pulse");
}

void
heart_pulse_beat_at (HeartPulse *self,
                     gint64      monotonic_us)
{
  g_return_if_fail (HEART_IS_PULSE (self));

  if (monotonic_us - self->last_beat_us < MIN_GAP_US)
    return;
  if (self->queue_length == QUEUE_SIZE)
    return;
  self->last_beat_us = monotonic_us;
  self->queue[(self->queue_head + self->queue_length) % QUEUE_SIZE] = monotonic_us;
  self->queue_length++;
  schedule_next (self);
}

void
heart_pulse_clear (HeartPulse *self)
{
  g_return_if_fail (HEART_IS_PULSE (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->queue_length = 0;
}

guint
heart_pulse_get_n_beats (HeartPulse *self)
{
  g_return_val_if_fail (HEART_IS_PULSE (self), 0);
  return self->n_beats;
}

static void
heart_pulse_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  HeartPulse *self = HEART_PULSE (widget);

  gtk_widget_measure (self->image, orientation, for_size, minimum, natural, NULL, NULL);
  /* Room for the swell, so the heart never gets clipped */
  *minimum = (int) ceil (*minimum * (1 + PULSE_SCALE));
  *natural = (int) ceil (*natural * (1 + PULSE_SCALE));
}

static void
heart_pulse_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  HeartPulse *self = HEART_PULSE (widget);
  double scale = 1 + PULSE_SCALE * self->swell;
  GskTransform *transform = NULL;

  transform = gsk_transform_translate (transform, &GRAPHENE_POINT_INIT (width / 2.0f, height / 2.0f));
  transform = gsk_transform_scale (transform, scale, scale);
  transform = gsk_transform_translate (transform, &GRAPHENE_POINT_INIT (-width / 2.0f, -height / 2.0f));
  gtk_widget_allocate (self->image, width, height, baseline, transform);
}

static void
heart_pulse_dispose (GObject *object)
{
  HeartPulse *self = HEART_PULSE (object);

  heart_pulse_clear (self);
  g_clear_object (&self->animation);
  g_clear_pointer (&self->image, gtk_widget_unparent);
  G_OBJECT_CLASS (heart_pulse_parent_class)->dispose (object);
}

static void
heart_pulse_class_init (HeartPulseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_pulse_dispose;
  widget_class->measure = heart_pulse_measure;
  widget_class->size_allocate = heart_pulse_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "heartpulse");
  /* Decoration: the bpm label next to it carries the information */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
heart_pulse_init (HeartPulse *self)
{
  AdwAnimationTarget *target;

  self->image = gtk_image_new_from_icon_name ("heart-beat-symbolic");
  gtk_widget_set_parent (self->image, GTK_WIDGET (self));

  target = adw_callback_animation_target_new (set_swell, self, NULL);
  self->animation = adw_timed_animation_new (GTK_WIDGET (self), 1, 0, PULSE_DURATION_MS, target);
  adw_timed_animation_set_easing (ADW_TIMED_ANIMATION (self->animation), ADW_EASE_OUT_CUBIC);
  self->last_beat_us = G_MININT64 / 2;
}

GtkWidget *
heart_pulse_new (void)
{
  return g_object_new (HEART_TYPE_PULSE, NULL);
}
