/* heart-chart.c: live heart rate and stress chart
 *
 * The data lives in a HeartHistory. When samples arrive, heart_chart_update()
 * picks the visible ones (decimated when there are many), the y range and the
 * stress-event spans, and builds the axis labels; the draw function only maps
 * those points to pixels. Scrolling is driven by a tick callback: the right
 * edge glides from the previous sample's time to the newest one over one
 * sample period, so the line moves at the frame rate, not the sample rate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-chart.h"

#include <glib/gi18n.h>
#include <math.h>

/* More points than pixels only costs time; past this, average into buckets */
#define MAX_POINTS 1200
#define MAX_Y_LABELS 12
#define MAX_X_LABELS 12
#define N_STRESS_LABELS 3
#define MIN_BPM_SPAN 40.0
/* How fast the y range follows the data, seconds */
#define RANGE_EASE_TIME 0.15

typedef struct
{
  double t;        /* simulation time, seconds */
  double bpm;
  double stress;   /* 0–1 */
} ChartPoint;

typedef struct
{
  double from;     /* simulation time, seconds */
  double to;
} ChartSpan;

typedef struct
{
  PangoLayout *layout;
  double       value;   /* bpm, age in seconds or stress fraction */
} AxisLabel;

struct _HeartChart
{
  GtkDrawingArea   parent_instance;

  HeartHistory    *history;
  guint            window_seconds;
  gboolean         live;

  GArray          *points;        /* ChartPoint, oldest first, reused */
  GArray          *spans;         /* ChartSpan of stress events */
  double           target_low;    /* y range the data asks for */
  double           target_high;
  double           low;           /* y range drawn, easing toward the target */
  double           high;
  double           covered_s;

  /* scrolling: the right edge is at simulation time edge_t */
  double           latest_t;
  double           edge_t;
  double           edge_from_t;
  gint64           arrival_us;    /* monotonic time the latest sample came */
  gint64           period_us;     /* smoothed time between samples */
  gint64           last_frame_us;
  guint            tick_id;

  /* drawing resources, rebuilt only when the style, range or span changes */
  GdkRGBA          fg_color;
  GdkRGBA          heart_color;
  GdkRGBA          stress_color;
  AxisLabel        y_labels[MAX_Y_LABELS];
  guint            n_y_labels;
  AxisLabel        x_labels[MAX_X_LABELS];
  guint            n_x_labels;
  AxisLabel        stress_labels[N_STRESS_LABELS];
  PangoLayout     *empty_layout;
  int              label_height;
  int              x_label_width;   /* the widest */
  int              y_label_width;
  int              stress_label_width;
  cairo_pattern_t *heart_fill;
  double           heart_fill_top;
  double           heart_fill_bottom;
};

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_WINDOW_SECONDS,
  PROP_LIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartChart, heart_chart, GTK_TYPE_DRAWING_AREA)

/* ---------------------------------------------------------------- labels */

static void
clear_labels (AxisLabel *labels,
              guint      n_labels)
{
  for (guint i = 0; i < n_labels; i++)
    g_clear_object (&labels[i].layout);
}

static PangoLayout *
make_layout (HeartChart *self,
             const char *text)
{
  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
}

static int
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

static double
nice_bpm_step (double span)
{
  static const double steps[] = { 5, 10, 20, 25, 50, 100 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (span / steps[i] <= 6)
      return steps[i];
  return 100;
}

static void
rebuild_y_labels (HeartChart *self)
{
  double step = nice_bpm_step (self->target_high - self->target_low);
  double value = ceil (self->target_low / step) * step;

  clear_labels (self->y_labels, self->n_y_labels);
  self->n_y_labels = 0;
  self->y_label_width = 0;

  /* NOLINTNEXTLINE(cert-flp30-c): a whole number of steps, and MAX_Y_LABELS at most */
  for (; value <= self->target_high + 0.01 && self->n_y_labels < MAX_Y_LABELS; value += step)
    {
      g_autofree char *text = g_strdup_printf ("%.0f", value);
      AxisLabel *label = &self->y_labels[self->n_y_labels++];

      label->value = value;
      label->layout = make_layout (self, text);
      self->y_label_width = MAX (self->y_label_width, layout_width (label->layout));
    }
}

static guint
time_step_for_window (guint window_seconds)
{
  static const guint steps[] = { 5, 10, 15, 20, 30, 60, 120 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (window_seconds / steps[i] <= 6)
      return steps[i];
  return 120;
}

static char *
format_age (guint age,
            guint step)
{
  if (age == 0)
    /* Translators: the right end of the chart's time axis */
    return g_strdup (C_("chart time axis", "now"));
  if (step % 60 == 0)
    /* Translators: minutes before now on the chart's time axis; "−" is a minus sign */
    return g_strdup_printf (C_("chart time axis", "−%u min"), age / 60);
  /* Translators: seconds before now on the chart's time axis; "−" is a minus sign */
  return g_strdup_printf (C_("chart time axis", "−%u s"), age);
}

static void
rebuild_x_labels (HeartChart *self)
{
  guint step = time_step_for_window (self->window_seconds);

  clear_labels (self->x_labels, self->n_x_labels);
  self->n_x_labels = 0;
  self->x_label_width = 0;

  for (guint age = 0; age <= self->window_seconds && self->n_x_labels < MAX_X_LABELS; age += step)
    {
      g_autofree char *text = format_age (age, step);
      AxisLabel *label = &self->x_labels[self->n_x_labels++];

      label->value = age;
      label->layout = make_layout (self, text);
      self->x_label_width = MAX (self->x_label_width, layout_width (label->layout));
    }
}

static void
rebuild_fixed_labels (HeartChart *self)
{
  PangoRectangle logical;

  clear_labels (self->stress_labels, N_STRESS_LABELS);
  self->stress_label_width = 0;
  for (guint i = 0; i < N_STRESS_LABELS; i++)
    {
      double fraction = (double) i / (N_STRESS_LABELS - 1);
      /* Translators: stress axis label, a percentage */
      g_autofree char *text = g_strdup_printf (_("%.0f %%"), fraction * 100);

      self->stress_labels[i].value = fraction;
      self->stress_labels[i].layout = make_layout (self, text);
      self->stress_label_width = MAX (self->stress_label_width,
                                      layout_width (self->stress_labels[i].layout));
    }

  g_clear_object (&self->empty_layout);
  self->empty_layout = make_layout (self, _("No samples yet"));

  pango_layout_get_pixel_extents (self->stress_labels[0].layout, NULL, &logical);
  self->label_height = logical.height;
}

static void
rebuild_all_labels (HeartChart *self)
{
  rebuild_fixed_labels (self);
  rebuild_x_labels (self);
  rebuild_y_labels (self);
}

/* ---------------------------------------------------------------- data */

static void
append_span_edge (HeartChart        *self,
                  const HeartSample *sample,
                  gboolean          *in_span)
{
  if (sample->event_active && !*in_span)
    {
      ChartSpan span = { sample->t_s, sample->t_s };

      g_array_append_val (self->spans, span);
      *in_span = TRUE;
    }
  else if (*in_span)
    {
      g_array_index (self->spans, ChartSpan, self->spans->len - 1).to = sample->t_s;
      *in_span = sample->event_active;
    }
}

/* Buckets are aligned to absolute simulation time, so an averaged point stays
 * where it is while the chart scrolls instead of jittering. */
static void
append_point (HeartChart        *self,
              const HeartSample *sample,
              double             bucket_s,
              gint64            *bucket_key,
              guint             *bucket_count)
{
  ChartPoint point = { sample->t_s, sample->bpm, sample->stress_level };
  gint64 key;

  if (bucket_s <= 0)
    {
      g_array_append_val (self->points, point);
      return;
    }

  key = (gint64) floor (sample->t_s / bucket_s);
  if (self->points->len > 0 && key == *bucket_key)
    {
      ChartPoint *last = &g_array_index (self->points, ChartPoint, self->points->len - 1);
      double n = ++*bucket_count;

      last->t += (point.t - last->t) / n;
      last->bpm += (point.bpm - last->bpm) / n;
      last->stress += (point.stress - last->stress) / n;
      return;
    }
  *bucket_key = key;
  *bucket_count = 1;
  g_array_append_val (self->points, point);
}

static void
update_target_range (HeartChart *self)
{
  double lowest = G_MAXDOUBLE;
  double highest = -G_MAXDOUBLE;
  double low, high;

  for (guint i = 0; i < self->points->len; i++)
    {
      const ChartPoint *point = &g_array_index (self->points, ChartPoint, i);

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
  low = MAX (low, 0);

  if (low == self->target_low && high == self->target_high)
    return;

  self->target_low = low;
  self->target_high = high;
  if (self->low >= self->high)
    {
      self->low = low;
      self->high = high;
    }
  rebuild_y_labels (self);
}

static void
rebuild_points (HeartChart *self)
{
  guint length = self->history != NULL ? heart_history_get_length (self->history) : 0;
  double bucket_s = 0;
  gint64 bucket_key = 0;
  guint bucket_count = 0;
  gboolean in_span = FALSE;
  double t_min;
  guint first;

  g_array_set_size (self->points, 0);
  g_array_set_size (self->spans, 0);
  self->covered_s = 0;
  if (length == 0)
    {
      update_target_range (self);
      return;
    }

  /* One sample left of the window, so the line reaches the left edge */
  t_min = heart_history_peek (self->history, length - 1)->t_s - self->window_seconds;
  first = length - 1;
  while (first > 0 && heart_history_peek (self->history, first)->t_s > t_min)
    first--;

  if (length - first > MAX_POINTS)
    bucket_s = self->window_seconds / (MAX_POINTS / 2.0);

  for (guint i = first; i < length; i++)
    {
      const HeartSample *sample = heart_history_peek (self->history, i);

      append_span_edge (self, sample, &in_span);
      append_point (self, sample, bucket_s, &bucket_key, &bucket_count);
    }

  self->covered_s = heart_history_peek (self->history, length - 1)->t_s
                    - heart_history_peek (self->history, first)->t_s;
  update_target_range (self);
}

/* ---------------------------------------------------------------- motion */

static gboolean
animations_enabled (HeartChart *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)),
                "gtk-enable-animations", &enabled,
                NULL);
  return enabled;
}

static double
edge_at (HeartChart *self,
         gint64      now_us)
{
  double fraction;

  if (self->period_us <= 0)
    return self->latest_t;
  fraction = CLAMP ((double) (now_us - self->arrival_us) / self->period_us, 0.0, 1.0);
  return self->edge_from_t + fraction * (self->latest_t - self->edge_from_t);
}

static gboolean
ease_range (HeartChart *self,
            double      dt)
{
  double keep = exp (-dt / RANGE_EASE_TIME);

  if (fabs (self->low - self->target_low) < 0.05 && fabs (self->high - self->target_high) < 0.05)
    {
      self->low = self->target_low;
      self->high = self->target_high;
      return FALSE;
    }
  self->low = self->target_low + (self->low - self->target_low) * keep;
  self->high = self->target_high + (self->high - self->target_high) * keep;
  return TRUE;
}

static gboolean
heart_chart_tick (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  HeartChart *self = HEART_CHART (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);
  double dt = self->last_frame_us > 0 ? (now - self->last_frame_us) / (double) G_USEC_PER_SEC : 0;
  double edge = edge_at (self, now);
  gboolean settling = ease_range (self, dt);
  gboolean moving = edge != self->edge_t;

  self->last_frame_us = now;
  self->edge_t = edge;
  if (moving || settling)
    gtk_widget_queue_draw (widget);

  if (self->live || settling || edge < self->latest_t)
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;
  self->last_frame_us = 0;
  return G_SOURCE_REMOVE;
}

static void
ensure_ticking (HeartChart *self)
{
  if (self->tick_id != 0)
    return;
  if (!animations_enabled (self))
    return;
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), heart_chart_tick, NULL, NULL);
}

static void
stop_ticking (HeartChart *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
  self->last_frame_us = 0;
}

/* Jump to the newest data at once: no animation to wait for */
static void
settle (HeartChart *self)
{
  self->edge_t = self->edge_from_t = self->latest_t;
  self->low = self->target_low;
  self->high = self->target_high;
  stop_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
take_latest (HeartChart *self,
             double      latest_t)
{
  gint64 now = g_get_monotonic_time ();

  if (self->arrival_us > 0)
    {
      gint64 period = CLAMP (now - self->arrival_us, 1000, 5 * G_USEC_PER_SEC);

      /* Glide on from wherever the edge is now: no jump when a sample is early */
      self->edge_from_t = MIN (edge_at (self, now), latest_t);
      /* Smoothed, so one late timer does not make the next glide crawl */
      self->period_us = self->period_us > 0 ? (self->period_us * 3 + period) / 4 : period;
    }
  else
    self->edge_from_t = latest_t;

  self->latest_t = latest_t;
  self->arrival_us = now;
}

void
heart_chart_update (HeartChart *self)
{
  const HeartSample *latest;

  g_return_if_fail (HEART_IS_CHART (self));

  latest = self->history != NULL ? heart_history_get_latest (self->history) : NULL;
  if (latest == NULL)
    {
      self->latest_t = self->edge_t = self->edge_from_t = 0;
      self->arrival_us = self->period_us = 0;
    }
  else if (latest->t_s != self->latest_t)
    take_latest (self, latest->t_s);

  rebuild_points (self);

  if (self->live && gtk_widget_get_mapped (GTK_WIDGET (self)) && animations_enabled (self))
    ensure_ticking (self);
  else
    settle (self);
}

/* ---------------------------------------------------------------- drawing */

typedef struct
{
  double left, top, right, bottom;
} PlotArea;

static inline double
x_for_time (HeartChart     *self,
            const PlotArea *area,
            double          t)
{
  return area->right - (self->edge_t - t) / self->window_seconds * (area->right - area->left);
}

static inline double
y_for_bpm (HeartChart     *self,
           const PlotArea *area,
           double          bpm)
{
  return area->bottom - (bpm - self->low) / (self->high - self->low) * (area->bottom - area->top);
}

static inline double
y_for_stress (const PlotArea *area,
              double          stress)
{
  return area->bottom - stress * (area->bottom - area->top);
}

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

/* Crisp one-pixel lines fall on pixel centres */
static inline double
snap (double coordinate)
{
  return floor (coordinate) + 0.5;
}

static void
draw_event_spans (HeartChart     *self,
                  cairo_t        *cr,
                  const PlotArea *area)
{
  set_color (cr, &self->stress_color, 0.10);
  for (guint i = 0; i < self->spans->len; i++)
    {
      const ChartSpan *span = &g_array_index (self->spans, ChartSpan, i);
      double x0 = MAX (x_for_time (self, area, span->from), area->left);
      double x1 = MIN (x_for_time (self, area, span->to), area->right);

      if (x1 > x0)
        cairo_rectangle (cr, x0, area->top, x1 - x0, area->bottom - area->top);
    }
  cairo_fill (cr);
}

static void
draw_grid (HeartChart     *self,
           cairo_t        *cr,
           const PlotArea *area)
{
  cairo_set_line_width (cr, 1);

  for (guint i = 0; i < self->n_y_labels; i++)
    {
      double y = y_for_bpm (self, area, self->y_labels[i].value);

      if (y < area->top - 0.5 || y > area->bottom + 0.5)
        continue;
      cairo_move_to (cr, area->left, snap (y));
      cairo_line_to (cr, area->right, snap (y));
    }
  for (guint i = 0; i < self->n_x_labels; i++)
    {
      double x = area->right - self->x_labels[i].value / self->window_seconds * (area->right - area->left);

      cairo_move_to (cr, snap (x), area->top);
      cairo_line_to (cr, snap (x), area->bottom);
    }
  set_color (cr, &self->fg_color, 0.09);
  cairo_stroke (cr);
}

static void
draw_axis_labels (HeartChart     *self,
                  cairo_t        *cr,
                  const PlotArea *area)
{
  double half = self->label_height / 2.0;
  guint skip = 1;

  set_color (cr, &self->fg_color, 0.55);
  for (guint i = 0; i < self->n_y_labels; i++)
    {
      double y = y_for_bpm (self, area, self->y_labels[i].value);

      if (y < area->top - 0.5 || y > area->bottom + 0.5)
        continue;
      cairo_move_to (cr, area->left - 8 - layout_width (self->y_labels[i].layout), y - half);
      pango_cairo_show_layout (cr, self->y_labels[i].layout);
    }

  /* On a narrow chart, label every second or third grid line only */
  if (self->n_x_labels > 1)
    {
      double spacing = (self->x_labels[1].value - self->x_labels[0].value)
                       / self->window_seconds * (area->right - area->left);

      skip = MAX (1, (guint) ceil ((self->x_label_width + 12) / MAX (spacing, 1)));
    }
  for (guint i = 0; i < self->n_x_labels; i += skip)
    {
      double x = area->right - self->x_labels[i].value / self->window_seconds * (area->right - area->left);
      int width = layout_width (self->x_labels[i].layout);

      /* Keep the outermost labels inside the plot's ends */
      x = CLAMP (x - width / 2.0, area->left - 4, area->right - width);
      cairo_move_to (cr, x, area->bottom + 6);
      pango_cairo_show_layout (cr, self->x_labels[i].layout);
    }

  set_color (cr, &self->stress_color, 0.9);
  for (guint i = 0; i < N_STRESS_LABELS; i++)
    {
      double y = y_for_stress (area, self->stress_labels[i].value);

      cairo_move_to (cr, area->right + 8, CLAMP (y - half, area->top - half, area->bottom - half));
      pango_cairo_show_layout (cr, self->stress_labels[i].layout);
    }
}

/* Index of the last point left of the visible span, so lines enter from the edge */
static guint
first_visible_point (HeartChart *self)
{
  double t_left = self->edge_t - self->window_seconds;
  guint first = 0;

  for (guint i = 0; i < self->points->len; i++)
    {
      if (g_array_index (self->points, ChartPoint, i).t > t_left)
        break;
      first = i;
    }
  return first;
}

/* Returns the x where the path starts */
static double
trace_path (HeartChart     *self,
            cairo_t        *cr,
            const PlotArea *area,
            guint           first,
            gboolean        stress)
{
  double first_x = x_for_time (self, area, g_array_index (self->points, ChartPoint, first).t);

  for (guint i = first; i < self->points->len; i++)
    {
      const ChartPoint *point = &g_array_index (self->points, ChartPoint, i);
      double x = x_for_time (self, area, point->t);
      double y = stress ? y_for_stress (area, point->stress) : y_for_bpm (self, area, point->bpm);

      if (i == first)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
      /* Past the right edge the rest is hidden anyway */
      if (x > area->right)
        break;
    }
  return first_x;
}

/* Down to the baseline and back under the start: a fillable area */
static void
close_area (cairo_t        *cr,
            const PlotArea *area,
            double          first_x)
{
  double x, y;

  cairo_get_current_point (cr, &x, &y);
  cairo_line_to (cr, x, area->bottom);
  cairo_line_to (cr, first_x, area->bottom);
  cairo_close_path (cr);
}

static void
ensure_heart_fill (HeartChart     *self,
                   const PlotArea *area)
{
  if (self->heart_fill != NULL && self->heart_fill_top == area->top && self->heart_fill_bottom == area->bottom)
    return;

  g_clear_pointer (&self->heart_fill, cairo_pattern_destroy);
  self->heart_fill = cairo_pattern_create_linear (0, area->top, 0, area->bottom);
  cairo_pattern_add_color_stop_rgba (self->heart_fill, 0,
                                     self->heart_color.red, self->heart_color.green,
                                     self->heart_color.blue, 0.30);
  cairo_pattern_add_color_stop_rgba (self->heart_fill, 1,
                                     self->heart_color.red, self->heart_color.green,
                                     self->heart_color.blue, 0.02);
  self->heart_fill_top = area->top;
  self->heart_fill_bottom = area->bottom;
}

static void
draw_traces (HeartChart     *self,
             cairo_t        *cr,
             const PlotArea *area)
{
  guint first = first_visible_point (self);
  double first_x;

  cairo_save (cr);
  cairo_rectangle (cr, area->left, area->top - 2, area->right - area->left, area->bottom - area->top + 4);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Stress: a soft band from the bottom, under the heart rate */
  first_x = trace_path (self, cr, area, first, TRUE);
  close_area (cr, area, first_x);
  set_color (cr, &self->stress_color, 0.16);
  cairo_fill (cr);
  trace_path (self, cr, area, first, TRUE);
  set_color (cr, &self->stress_color, 0.85);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);

  /* Heart rate: a gradient wash and a strong line */
  ensure_heart_fill (self, area);
  first_x = trace_path (self, cr, area, first, FALSE);
  close_area (cr, area, first_x);
  cairo_set_source (cr, self->heart_fill);
  cairo_fill (cr);
  trace_path (self, cr, area, first, FALSE);
  set_color (cr, &self->heart_color, 1.0);
  cairo_set_line_width (cr, 2.5);
  cairo_stroke (cr);

  cairo_restore (cr);
}

static void
draw_empty (HeartChart     *self,
            cairo_t        *cr,
            const PlotArea *area)
{
  int width, height;

  pango_layout_get_pixel_size (self->empty_layout, &width, &height);
  set_color (cr, &self->fg_color, 0.5);
  cairo_move_to (cr, (area->left + area->right - width) / 2, (area->top + area->bottom - height) / 2);
  pango_cairo_show_layout (cr, self->empty_layout);
}

static void
heart_chart_draw (GtkDrawingArea *area,
                  cairo_t        *cr,
                  int             width,
                  int             height,
                  gpointer        user_data)
{
  HeartChart *self = HEART_CHART (area);
  PlotArea plot = {
    .left = self->y_label_width + 12,
    .top = ceil (self->label_height / 2.0) + 2,
    .right = width - self->stress_label_width - 12,
    .bottom = height - self->label_height - 8,
  };

  if (plot.right - plot.left < 20 || plot.bottom - plot.top < 20)
    return;

  draw_event_spans (self, cr, &plot);
  draw_grid (self, cr, &plot);
  draw_axis_labels (self, cr, &plot);
  if (self->points->len >= 2)
    draw_traces (self, cr, &plot);
  else
    draw_empty (self, cr, &plot);
}

/* ---------------------------------------------------------------- GtkWidget */

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
heart_chart_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  HeartChart *self = HEART_CHART (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  GTK_WIDGET_CLASS (heart_chart_parent_class)->css_changed (widget, change);

  /* Named colours from style.css / style-dark.css, so dark mode just works */
  gtk_style_context_get_color (context, &self->fg_color);
  lookup_color (context, "heart_rate_color", "#e01b24", &self->heart_color);
  lookup_color (context, "stress_color", "#ff7800", &self->stress_color);
  g_clear_pointer (&self->heart_fill, cairo_pattern_destroy);

  /* The font may have changed too */
  rebuild_all_labels (self);
  gtk_widget_queue_draw (widget);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
heart_chart_map (GtkWidget *widget)
{
  HeartChart *self = HEART_CHART (widget);

  GTK_WIDGET_CLASS (heart_chart_parent_class)->map (widget);
  if (self->live)
    ensure_ticking (self);
}

static void
heart_chart_unmap (GtkWidget *widget)
{
  HeartChart *self = HEART_CHART (widget);

  settle (self);
  GTK_WIDGET_CLASS (heart_chart_parent_class)->unmap (widget);
}

static void
heart_chart_dispose (GObject *object)
{
  HeartChart *self = HEART_CHART (object);

  stop_ticking (self);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (heart_chart_parent_class)->dispose (object);
}

static void
heart_chart_finalize (GObject *object)
{
  HeartChart *self = HEART_CHART (object);

  clear_labels (self->y_labels, self->n_y_labels);
  clear_labels (self->x_labels, self->n_x_labels);
  clear_labels (self->stress_labels, N_STRESS_LABELS);
  g_clear_object (&self->empty_layout);
  g_clear_pointer (&self->heart_fill, cairo_pattern_destroy);
  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->spans, g_array_unref);
  G_OBJECT_CLASS (heart_chart_parent_class)->finalize (object);
}

static void
heart_chart_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HeartChart *self = HEART_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_WINDOW_SECONDS:
      g_value_set_uint (value, self->window_seconds);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_chart_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HeartChart *self = HEART_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      heart_chart_set_history (self, g_value_get_object (value));
      break;
    case PROP_WINDOW_SECONDS:
      heart_chart_set_window_seconds (self, g_value_get_uint (value));
      break;
    case PROP_LIVE:
      heart_chart_set_live (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_chart_class_init (HeartChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_chart_dispose;
  object_class->finalize = heart_chart_finalize;
  object_class->get_property = heart_chart_get_property;
  object_class->set_property = heart_chart_set_property;

  widget_class->css_changed = heart_chart_css_changed;
  widget_class->map = heart_chart_map;
  widget_class->unmap = heart_chart_unmap;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_SECONDS] =
    g_param_spec_uint ("window-seconds", NULL, NULL, 30, 300, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heartchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
heart_chart_init (HeartChart *self)
{
  self->window_seconds = 60;
  self->points = g_array_sized_new (FALSE, FALSE, sizeof (ChartPoint), MAX_POINTS + 2);
  self->spans = g_array_new (FALSE, FALSE, sizeof (ChartSpan));
  self->target_low = self->low = 60;
  self->target_high = self->high = 100;

  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), heart_chart_draw, NULL, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Heart rate and stress chart"),
                                  -1);
  rebuild_all_labels (self);
}

/* ---------------------------------------------------------------- API */

GtkWidget *
heart_chart_new (void)
{
  return g_object_new (HEART_TYPE_CHART, NULL);
}

HeartHistory *
heart_chart_get_history (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), NULL);
  return self->history;
}

void
heart_chart_set_history (HeartChart   *self,
                         HeartHistory *history)
{
  g_return_if_fail (HEART_IS_CHART (self));
  g_return_if_fail (history == NULL || HEART_IS_HISTORY (history));

  if (!g_set_object (&self->history, history))
    return;
  self->arrival_us = self->period_us = 0;
  heart_chart_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

guint
heart_chart_get_window_seconds (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  return self->window_seconds;
}

void
heart_chart_set_window_seconds (HeartChart *self,
                                guint       seconds)
{
  g_return_if_fail (HEART_IS_CHART (self));

  seconds = CLAMP (seconds, 30, 300);
  if (self->window_seconds == seconds)
    return;
  self->window_seconds = seconds;
  rebuild_x_labels (self);
  rebuild_points (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_SECONDS]);
}

gboolean
heart_chart_get_live (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), FALSE);
  return self->live;
}

void
heart_chart_set_live (HeartChart *self,
                      gboolean    live)
{
  g_return_if_fail (HEART_IS_CHART (self));

  live = !!live;
  if (self->live == live)
    return;
  self->live = live;
  if (live)
    {
      /* The next glide starts afresh: the pause was not a sample period */
      self->arrival_us = self->period_us = 0;
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        ensure_ticking (self);
    }
  /* Stopping lets the running glide finish, then the tick callback ends */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

guint
heart_chart_get_n_points (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  return self->points->len;
}

double
heart_chart_get_covered_seconds (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  return self->covered_s;
}
