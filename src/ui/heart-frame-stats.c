/* heart-frame-stats.c: frame interval percentiles of a window (benchmarks)
 *
 * The interval between two frame times of the GdkFrameClock is what a user
 * sees as smoothness: 16.7 ms at 60 Hz, 33 ms or more is a dropped frame.
 * Intervals go into a preallocated array; sorting happens once per report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-frame-stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for 10 s at 240 Hz; beyond that, the oldest are overwritten */
#define MAX_INTERVALS 2400

struct _HeartFrameStats
{
  GObject    parent_instance;

  GtkWidget *widget;         /* weak */
  guint      tick_id;
  gint64     last_frame_us;
  gint64     last_report_us;
  guint      report_seconds;

  double     intervals[MAX_INTERVALS];
  double     sorted[MAX_INTERVALS];
  guint      n_intervals;
  guint      next;
};

G_DEFINE_FINAL_TYPE (HeartFrameStats, heart_frame_stats, G_TYPE_OBJECT)

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
heart_frame_stats_percentile (HeartFrameStats *self,
                              double           percentile)
{
  guint index;

  g_return_val_if_fail (HEART_IS_FRAME_STATS (self), 0);

  if (self->n_intervals == 0)
    return 0;
  memcpy (self->sorted, self->intervals, self->n_intervals * sizeof (double));
  qsort (self->sorted, self->n_intervals, sizeof (double), compare_doubles);
  index = (guint) ceil (percentile / 100.0 * self->n_intervals);
  index = CLAMP (index, 1, self->n_intervals) - 1;
  return self->sorted[index];
}

static void
report (HeartFrameStats *self)
{
  double p50 = heart_frame_stats_percentile (self, 50);
  double p99 = heart_frame_stats_percentile (self, 99);
  double max = heart_frame_stats_percentile (self, 100);
  guint over_one = 0, over_two = 0;

  for (guint i = 0; i < self->n_intervals; i++)
    {
      over_one += self->intervals[i] > 1000.0 / 60 * 1.5;
      over_two += self->intervals[i] > 1000.0 / 60 * 2.5;
    }
  g_print ("frame-stats: frames=%u p50=%.2fms p99=%.2fms max=%.2fms missed=%u missed2=%u\n",
           self->n_intervals, p50, p99, max, over_one, over_two);
  fflush (stdout);
  self->n_intervals = 0;
  self->next = 0;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  HeartFrameStats *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (self->last_frame_us > 0)
    {
      self->intervals[self->next] = (now - self->last_frame_us) / 1000.0;
      self->next = (self->next + 1) % MAX_INTERVALS;
      self->n_intervals = MIN (self->n_intervals + 1, MAX_INTERVALS);
    }
  else
    self->last_report_us = now;
  self->last_frame_us = now;

  if (now - self->last_report_us >= (gint64) self->report_seconds * G_USEC_PER_SEC)
    {
      report (self);
      self->last_report_us = now;
    }
  return G_SOURCE_CONTINUE;
}

static void
heart_frame_stats_dispose (GObject *object)
{
  HeartFrameStats *self = HEART_FRAME_STATS (object);

  if (self->widget != NULL)
    {
      gtk_widget_remove_tick_callback (self->widget, self->tick_id);
      g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
      self->widget = NULL;
    }
  G_OBJECT_CLASS (heart_frame_stats_parent_class)->dispose (object);
}

static void
heart_frame_stats_class_init (HeartFrameStatsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = heart_frame_stats_dispose;
}

static void
heart_frame_stats_init (HeartFrameStats *self)
{
}

HeartFrameStats *
heart_frame_stats_new (GtkWidget *widget,
                       guint      report_seconds)
{
  HeartFrameStats *self;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  self = g_object_new (HEART_TYPE_FRAME_STATS, NULL);
  self->report_seconds = MAX (report_seconds, 1);
  self->widget = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);
  self->tick_id = gtk_widget_add_tick_callback (widget, on_tick, self, NULL);
  /* Lets a benchmark script find the process to measure and stop */
  g_print ("frame-stats: pid=%d report-seconds=%u\n", (int) getpid (), self->report_seconds);
  fflush (stdout);
  return self;
}
