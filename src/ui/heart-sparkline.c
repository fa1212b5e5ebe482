/* heart-sparkline.c: a small line of a history's recent heart rate
 *
 * Reads the subject's history at each frame rather than keeping a copy:
 * the history already holds hours of 2 Hz samples, and a row of the
 * subject list only needs its last minutes (docs/desktop.md, "Subjects").
 * At most one point per pixel column is drawn, whatever the tick.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sparkline.h"

#include <math.h>

/* The line keeps this far from the heart rate's extremes, in bpm, so that
 * a steady rate is not a line of noise across the whole height */
#define MIN_SPAN_BPM 20.0
#define LINE_WIDTH 1.5

struct _HeartSparkline
{
  GtkWidget     parent_instance;

  HeartHistory *history;
  double        seconds;
  guint         n_points;
};

G_DEFINE_FINAL_TYPE (HeartSparkline, heart_sparkline, GTK_TYPE_WIDGET)

/* The samples of the last @seconds: [*first, length) of the history */
static guint
first_shown (HeartSparkline *self,
             guint           length)
{
  double t_min = heart_history_peek (self->history, length - 1)->t_s - self->seconds;
  guint first = length - 1;

  while (first > 0 && heart_history_peek (self->history, first - 1)->t_s >= t_min)
    first--;
  return first;
}

static void
bpm_range (HeartSparkline *self,
           guint           first,
           guint           length,
           double         *low,
           double         *high)
{
  double mid;

  *low = G_MAXDOUBLE;
  *high = -G_MAXDOUBLE;
  for (guint i = first; i < length; i++)
    {
      int bpm = heart_history_peek (self->history, i)->bpm;

      if (bpm <= 0)
        continue;
      *low = MIN (*low, bpm);
      *high = MAX (*high, bpm);
    }
  mid = (*low + *high) / 2;
  if (*high - *low < MIN_SPAN_BPM)
    {
      *low = mid - MIN_SPAN_BPM / 2;
      *high = mid + MIN_SPAN_BPM / 2;
    }
}

static void
lookup_color (GtkWidget *widget,
              GdkRGBA   *color)
{
  /* the chart's colour of the heart rate (style.css) */
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), "heart_rate_color", color))
    gdk_rgba_parse (color, "#e01b24");
}

static void
heart_sparkline_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  HeartSparkline *self = HEART_SPARKLINE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint length = self->history != NULL ? heart_history_get_length (self->history) : 0;
  guint first, stride;
  double low, high, t_end;
  GdkRGBA color;
  cairo_t *cr;

  self->n_points = 0;
  if (length < 2 || width <= 0 || height <= 0)
    return;
  first = first_shown (self, length);
  bpm_range (self, first, length, &low, &high);
  if (low > high)
    return;   /* no heart rate in the span (a strap not yet connected) */
  stride = MAX (1, (length - first) / (guint) width);
  t_end = heart_history_peek (self->history, length - 1)->t_s;

  lookup_color (widget, &color);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &color);
  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = first; i < length; i += stride)
    {
      const HeartSample *sample = heart_history_peek (self->history, MIN (i + stride - 1, length - 1));
      double x = width * (1 - (t_end - sample->t_s) / self->seconds);
      double y = LINE_WIDTH + (height - 2 * LINE_WIDTH) * (high - sample->bpm) / (high - low);

      if (sample->bpm <= 0)
        continue;
      if (self->n_points++ == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
heart_sparkline_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 48 : 20;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 120 : 24;
}

static void
heart_sparkline_dispose (GObject *object)
{
  HeartSparkline *self = HEART_SPARKLINE (object);

  g_clear_object (&self->history);
  G_OBJECT_CLASS (heart_sparkline_parent_class)->dispose (object);
}

static void
heart_sparkline_class_init (HeartSparklineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_sparkline_dispose;
  widget_class->snapshot = heart_sparkline_snapshot;
  widget_class->measure = heart_sparkline_measure;
  gtk_widget_class_set_css_name (widget_class, "heartsparkline");
  /* a picture of what the row's label says in words */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
heart_sparkline_init (HeartSparkline *self)
{
}

GtkWidget *
heart_sparkline_new (HeartHistory *history,
                     double        seconds)
{
  HeartSparkline *self;

  g_return_val_if_fail (HEART_IS_HISTORY (history), NULL);
  g_return_val_if_fail (seconds > 0, NULL);

  self = g_object_new (HEART_TYPE_SPARKLINE, NULL);
  self->history = g_object_ref (history);
  self->seconds = seconds;
  return GTK_WIDGET (self);
}

HeartHistory *
heart_sparkline_get_history (HeartSparkline *self)
{
  g_return_val_if_fail (HEART_IS_SPARKLINE (self), NULL);
  return self->history;
}

void
heart_sparkline_update (HeartSparkline *self)
{
  g_return_if_fail (HEART_IS_SPARKLINE (self));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
heart_sparkline_get_n_points (HeartSparkline *self)
{
  g_return_val_if_fail (HEART_IS_SPARKLINE (self), 0);
  return self->n_points;
}
