/* heart-chart.c: live heart rate and stress chart, with breathing and skin
 * conductance beneath
 *
 * What is shown is prepared by HeartChartData (GLib only) when samples
 * arrive: the visible points, the stress events, the scenario phases and the
 * traces normalised to their ranges. This widget builds the axis labels and
 * maps those numbers to pixels, nothing more. Scrolling is driven by the
 * frame clock: the right edge glides from the previous sample's time to the
 * newest one over one sample period, so the lines move at the frame rate,
 * not the sample rate, and every redraw comes from a frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-chart.h"

#include <glib/gi18n.h>
#include <math.h>

#include "heart-chart-bands.h"
#include "heart-chart-cursor.h"

#define MAX_Y_LABELS 12
#define MAX_X_LABELS 12
#define N_STRESS_LABELS 3
/* How fast the y range follows the data, seconds */
#define RANGE_EASE_TIME 0.15
/* How long the data fits a smaller range before the axis shrinks to it */
#define RANGE_SHRINK_DELAY_S 10
/* The heart rate keeps most of the height; each trace gets a strip */
#define TRACE_SHARE_ONE 0.28
#define TRACE_SHARE_TWO 0.22

typedef struct
{
  PangoLayout *layout;
  double       value;   /* bpm, age in seconds or stress fraction */
} AxisLabel;

typedef struct
{
  char        *name;    /* the phase label */
  PangoLayout *layout;  /* its display name */
} PhaseLabel;

typedef struct
{
  double left, top, right, bottom;
} PlotArea;

typedef struct
{
  PlotArea heart;
  PlotArea traces[HEART_N_TRACES];   /* empty where hidden */
  PlotArea bands[HEART_N_BANDS];     /* empty but on the long spans */
  double   bottom;                   /* of the lowest strip */
} ChartLayout;

struct _HeartChart
{
  GtkDrawingArea   parent_instance;

  HeartChartData  *data;
  gboolean         live;
  gboolean         show_trace[HEART_N_TRACES];

  double           target_low;    /* bpm range the data asks for */
  double           target_high;
  double           low;           /* bpm range drawn, easing toward the target */
  double           high;

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
  GdkRGBA          card_color;
  GdkRGBA          heart_color;
  GdkRGBA          stress_color;
  GdkRGBA          trace_color[HEART_N_TRACES];
  AxisLabel        y_labels[MAX_Y_LABELS];
  guint            n_y_labels;
  AxisLabel        x_labels[MAX_X_LABELS];
  guint            n_x_labels;
  AxisLabel        stress_labels[N_STRESS_LABELS];
  AxisLabel        skin_labels[2];           /* the skin trace's low and high */
  PangoLayout     *trace_titles[HEART_N_TRACES];
  HeartBandStyle   band_style;
  PangoLayout     *empty_layout;
  GPtrArray       *phase_labels;             /* PhaseLabel, one per name seen */
  int              label_height;
  int              x_label_width;   /* the widest */
  int              y_label_width;
  int              stress_label_width;
  int              skin_label_width;
  PangoLayout     *bpm_unit_layout;
  gint64           shrink_since_us;   /* the data has fit a smaller range since; 0 if not */

  /* scrolled back through the history: the span ends at view_end_t and
   * stays there while samples come */
  gboolean         paused;
  double           view_end_t;

  /* the crosshair: at the pointer's x while it hovers, else at a time the
   * arrow keys chose; NAN for none */
  double           cursor_x;
  double           cursor_t;
  PangoLayout     *cursor_layout;
  GdkRGBA          accent_color;
  gint64           described_us;   /* when the description last changed */

  /* what the last frame drew, for tests */
  guint            drawn_phase_marks;
  guint            drawn_phase_names;
};

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_DAY_LOG,
  PROP_WINDOW_SECONDS,
  PROP_LIVE,
  PROP_SHOW_BREATHING,
  PROP_SHOW_SKIN_CONDUCTANCE,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartChart, heart_chart, GTK_TYPE_DRAWING_AREA)

/* The traces give way to the bands on the long spans */
static gboolean
trace_shown (HeartChart   *self,
             HeartTraceId  trace)
{
  return self->show_trace[trace] && !heart_chart_data_get_long_span (self->data);
}

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
  static const guint steps[] = { 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 14400 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (window_seconds / steps[i] <= 6)
      return steps[i];
  return steps[G_N_ELEMENTS (steps) - 1];
}

static char *
format_age (guint    age,
            guint    step,
            gboolean live)
{
  if (age == 0 && !live)
    /* Translators: the right end of the chart's time axis while the source stands still */
    return g_strdup (C_("chart time axis", "stopped"));
  if (age == 0)
    /* Translators: the right end of the chart's time axis */
    return g_strdup (C_("chart time axis", "now"));
  if (step % 3600 == 0)
    /* Translators: hours before now on the chart's time axis; "−" is a minus sign */
    return g_strdup_printf (C_("chart time axis", "−%u h"), age / 3600);
  if (step % 60 == 0)
    /* Translators: minutes before now on the chart's time axis; "−" is a minus sign */
    return g_strdup_printf (C_("chart time axis", "−%u min"), age / 60);
  /* Translators: seconds before now on the chart's time axis; "−" is a minus sign */
  return g_strdup_printf (C_("chart time axis", "−%u s"), age);
}

static void
rebuild_x_labels (HeartChart *self)
{
  guint window_seconds = heart_chart_data_get_window_seconds (self->data);
  guint step = time_step_for_window (window_seconds);

  clear_labels (self->x_labels, self->n_x_labels);
  self->n_x_labels = 0;
  self->x_label_width = 0;

  for (guint age = 0; age <= window_seconds && self->n_x_labels < MAX_X_LABELS; age += step)
    {
      /* scrolled back, the right edge is that long before the newest sample */
      guint offset = self->paused ? (guint) lround (MAX (self->latest_t - self->view_end_t, 0)) : 0;
      g_autofree char *text = offset > 0 ? heart_chart_format_age (age + offset) : format_age (age, step, self->live);
      AxisLabel *label = &self->x_labels[self->n_x_labels++];

      label->value = age;
      label->layout = make_layout (self, text);
      self->x_label_width = MAX (self->x_label_width, layout_width (label->layout));
    }
}

static void
rebuild_skin_labels (HeartChart *self)
{
  double range[2];

  heart_chart_data_get_trace_range (self->data, HEART_TRACE_SKIN, &range[0], &range[1]);
  if (self->skin_labels[0].layout != NULL
      && self->skin_labels[0].value == range[0] && self->skin_labels[1].value == range[1])
    return;

  clear_labels (self->skin_labels, 2);
  self->skin_label_width = 0;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = g_strdup_printf ("%.1f", range[i]);

      self->skin_labels[i].value = range[i];
      self->skin_labels[i].layout = make_layout (self, text);
      self->skin_label_width = MAX (self->skin_label_width, layout_width (self->skin_labels[i].layout));
    }
}

static void
phase_label_free (gpointer data)
{
  PhaseLabel *label = data;

  g_free (label->name);
  g_clear_object (&label->layout);
  g_free (label);
}

/* Phase names repeat (a scenario run again): one layout per name */
static PangoLayout *
phase_layout (HeartChart *self,
              const char *name)
{
  PhaseLabel *label;
  g_autofree char *display = NULL;

  for (guint i = 0; i < self->phase_labels->len; i++)
    {
      label = g_ptr_array_index (self->phase_labels, i);
      if (g_str_equal (label->name, name))
        return label->layout;
    }

  display = heart_chart_data_display_name (name);
  label = g_new0 (PhaseLabel, 1);
  label->name = g_strdup (name);
  label->layout = make_layout (self, display);
  g_ptr_array_add (self->phase_labels, label);
  return label->layout;
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
  g_clear_object (&self->bpm_unit_layout);
  /* Translators: the unit of the chart's left axis, beats per minute */
  self->bpm_unit_layout = make_layout (self, _("bpm"));

  g_clear_object (&self->trace_titles[HEART_TRACE_BREATHING]);
  self->trace_titles[HEART_TRACE_BREATHING] = make_layout (self, _("Breathing"));
  g_clear_object (&self->trace_titles[HEART_TRACE_SKIN]);
  /* Translators: the title of the chart's skin conductance trace; µS is microsiemens */
  self->trace_titles[HEART_TRACE_SKIN] = make_layout (self, _("Skin conductance (µS)"));

  /* The font may have changed: phase names are made again as needed */
  g_ptr_array_set_size (self->phase_labels, 0);
  clear_labels (self->skin_labels, 2);

  pango_layout_get_pixel_extents (self->stress_labels[0].layout, NULL, &logical);
  self->label_height = logical.height;
}

static void
rebuild_all_labels (HeartChart *self)
{
  rebuild_fixed_labels (self);
  rebuild_x_labels (self);
  rebuild_y_labels (self);
  rebuild_skin_labels (self);
}

static void
update_accessible_label (HeartChart *self)
{
  const char *label;

  if (heart_chart_data_get_long_span (self->data))
    label = _("Heart rate and stress chart, with bands of activity and sleep");
  else if (self->show_trace[HEART_TRACE_BREATHING] && self->show_trace[HEART_TRACE_SKIN])
    label = _("Heart rate, stress, breathing and skin conductance chart");
  else if (self->show_trace[HEART_TRACE_BREATHING])
    label = _("Heart rate, stress and breathing chart");
  else if (self->show_trace[HEART_TRACE_SKIN])
    label = _("Heart rate, stress and skin conductance chart");
  else
    label = _("Heart rate and stress chart");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

/* The data's bpm range is the target the drawn range eases toward: at once
 * when the data needs more room, only after it has fit a smaller range for
 * RANGE_SHRINK_DELAY_S when it needs less, so that the axis does not jump
 * with each event that comes and goes */
static void
take_range (HeartChart *self)
{
  double low, high;
  gint64 now = g_get_monotonic_time ();
  gboolean empty = self->n_y_labels == 0 || heart_chart_get_n_points (self) == 0;

  heart_chart_data_get_bpm_range (self->data, &low, &high);
  if (low == self->target_low && high == self->target_high)
    {
      self->shrink_since_us = 0;
      return;
    }
  if (!empty && low >= self->target_low && high <= self->target_high)
    {
      if (self->shrink_since_us == 0)
        self->shrink_since_us = now;
      if (now - self->shrink_since_us < RANGE_SHRINK_DELAY_S * G_USEC_PER_SEC)
        return;
    }
  else if (!empty)
    {
      low = MIN (low, self->target_low);
      high = MAX (high, self->target_high);
    }
  self->shrink_since_us = 0;

  self->target_low = low;
  self->target_high = high;
  if (self->low >= self->high)
    {
      self->low = low;
      self->high = high;
    }
  rebuild_y_labels (self);
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

  if (self->paused)
    return self->view_end_t;
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

/* New data is shown by the next frame; a still chart draws once */
static void
schedule_redraw (HeartChart *self)
{
  if (self->live && gtk_widget_get_mapped (GTK_WIDGET (self)) && animations_enabled (self))
    ensure_ticking (self);
  else
    settle (self);
}

/* ---------------------------------------------------------------- drawing */

static void
compute_layout (HeartChart  *self,
                int          width,
                int          height,
                ChartLayout *layout)
{
  double left = MAX (self->y_label_width, trace_shown (self, HEART_TRACE_SKIN) ? self->skin_label_width : 0) + 12;
  double right = width - self->stress_label_width - 12;
  /* room above the plot for the axis's unit */
  double top = self->label_height + 8;
  double bottom = height - self->label_height - 8;
  double gap = self->label_height + 10;   /* a trace's title sits above it */
  gboolean long_span = heart_chart_data_get_long_span (self->data);
  guint n_shown = 0;
  double bands_height = 0;
  double available, trace_height, y;

  for (guint t = 0; t < HEART_N_TRACES; t++)
    n_shown += trace_shown (self, t) ? 1 : 0;
  for (guint b = 0; long_span && b < HEART_N_BANDS; b++)
    bands_height += gap + heart_band_height (b, self->label_height);

  available = bottom - top - n_shown * gap - bands_height;
  trace_height = floor (available * (n_shown == 1 ? TRACE_SHARE_ONE : TRACE_SHARE_TWO));
  layout->heart = (PlotArea) { left, top, right, top + available - n_shown * trace_height };

  y = layout->heart.bottom;
  for (guint t = 0; t < HEART_N_TRACES; t++)
    {
      if (!trace_shown (self, t))
        {
          layout->traces[t] = (PlotArea) { left, y, right, y };
          continue;
        }
      y += gap;
      layout->traces[t] = (PlotArea) { left, y, right, y + trace_height };
      y += trace_height;
    }
  for (guint b = 0; b < HEART_N_BANDS; b++)
    {
      if (!long_span)
        {
          layout->bands[b] = (PlotArea) { left, y, right, y };
          continue;
        }
      y += gap;
      layout->bands[b] = (PlotArea) { left, y, right, y + heart_band_height (b, self->label_height) };
      y = layout->bands[b].bottom;
    }
  layout->bottom = y;
}

static inline double
x_for_time (HeartChart     *self,
            const PlotArea *area,
            double          t)
{
  return area->right - (self->edge_t - t) / heart_chart_data_get_window_seconds (self->data)
                       * (area->right - area->left);
}

static inline double
y_for_bpm (HeartChart     *self,
           const PlotArea *area,
           double          bpm)
{
  return area->bottom - (bpm - self->low) / (self->high - self->low) * (area->bottom - area->top);
}

static inline double
y_for_fraction (const PlotArea *area,
                double          fraction)
{
  return area->bottom - fraction * (area->bottom - area->top);
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

/* An acute event's level at the foot of its shade, where it fits */
static void
draw_event_level (HeartChart           *self,
                  cairo_t              *cr,
                  const PlotArea       *area,
                  const HeartChartSpan *span,
                  double                x0,
                  double                x1)
{
  g_autofree char *text = NULL;
  g_autoptr(PangoLayout) layout = NULL;
  int width, height;

  if (!isfinite (span->level) || x_for_time (self, area, span->from) < area->left)
    return;
  /* Translators: an acute stress event's level, on the chart */
  text = g_strdup_printf (_("%.0f %%"), span->level * 100);
  layout = make_layout (self, text);
  pango_layout_get_pixel_size (layout, &width, &height);
  if (x1 - x0 < width + 4)
    return;
  cairo_save (cr);
  set_color (cr, &self->stress_color, 1.0);
  /* under where a phase's name stands */
  cairo_move_to (cr, x0 + 2, area->top + 4 + 2 * height);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

static void
draw_event_spans (HeartChart        *self,
                  cairo_t           *cr,
                  const ChartLayout *layout)
{
  const PlotArea *area = &layout->heart;
  guint n_spans;
  const HeartChartSpan *spans = heart_chart_data_get_event_spans (self->data, &n_spans);

  set_color (cr, &self->stress_color, 0.10);
  for (guint i = 0; i < n_spans; i++)
    {
      double x0 = MAX (x_for_time (self, area, spans[i].from), area->left);
      double x1 = MIN (x_for_time (self, area, spans[i].to), area->right);

      if (x1 <= x0)
        continue;
      cairo_rectangle (cr, x0, area->top, x1 - x0, area->bottom - area->top);
      for (guint t = 0; t < HEART_N_TRACES; t++)
        if (trace_shown (self, t))
          cairo_rectangle (cr, x0, layout->traces[t].top, x1 - x0,
                           layout->traces[t].bottom - layout->traces[t].top);
    }
  cairo_fill (cr);

  for (guint i = 0; i < n_spans; i++)
    {
      double x0 = MAX (x_for_time (self, area, spans[i].from), area->left);
      double x1 = MIN (x_for_time (self, area, spans[i].to), area->right);

      draw_event_level (self, cr, area, &spans[i], x0, x1);
    }
}

static void
draw_grid (HeartChart        *self,
           cairo_t           *cr,
           const ChartLayout *layout)
{
  const PlotArea *area = &layout->heart;
  guint window_seconds = heart_chart_data_get_window_seconds (self->data);

  cairo_set_line_width (cr, 1);

  for (guint i = 0; i < self->n_y_labels; i++)
    {
      double y = y_for_bpm (self, area, self->y_labels[i].value);

      if (y < area->top - 0.5 || y > area->bottom + 0.5)
        continue;
      cairo_move_to (cr, area->left, snap (y));
      cairo_line_to (cr, area->right, snap (y));
    }
  for (guint t = 0; t < HEART_N_TRACES; t++)
    {
      const PlotArea *strip = &layout->traces[t];

      if (!trace_shown (self, t))
        continue;
      cairo_move_to (cr, strip->left, snap (strip->top));
      cairo_line_to (cr, strip->right, snap (strip->top));
      cairo_move_to (cr, strip->left, snap (strip->bottom));
      cairo_line_to (cr, strip->right, snap (strip->bottom));
    }
  for (guint i = 0; i < self->n_x_labels; i++)
    {
      double x = area->right - self->x_labels[i].value / window_seconds * (area->right - area->left);

      cairo_move_to (cr, snap (x), area->top);
      cairo_line_to (cr, snap (x), area->bottom);
      for (guint t = 0; t < HEART_N_TRACES; t++)
        if (trace_shown (self, t))
          {
            cairo_move_to (cr, snap (x), layout->traces[t].top);
            cairo_line_to (cr, snap (x), layout->traces[t].bottom);
          }
    }
  set_color (cr, &self->fg_color, 0.09);
  cairo_stroke (cr);
}

static void
draw_axis_labels (HeartChart        *self,
                  cairo_t           *cr,
                  const ChartLayout *layout)
{
  const PlotArea *area = &layout->heart;
  guint window_seconds = heart_chart_data_get_window_seconds (self->data);
  double half = self->label_height / 2.0;
  guint skip = 1;

  /* On a short plot, label every second grid line only */
  if (self->n_y_labels > 1)
    {
      double spacing = fabs (y_for_bpm (self, area, self->y_labels[1].value)
                             - y_for_bpm (self, area, self->y_labels[0].value));

      skip = MAX (1, (guint) ceil ((self->label_height + 2) / MAX (spacing, 1)));
    }
  set_color (cr, &self->fg_color, 0.55);
  for (guint i = 0; i < self->n_y_labels; i += skip)
    {
      double y = y_for_bpm (self, area, self->y_labels[i].value);

      if (y < area->top - 0.5 || y > area->bottom + 0.5)
        continue;
      cairo_move_to (cr, area->left - 8 - layout_width (self->y_labels[i].layout), y - half);
      pango_cairo_show_layout (cr, self->y_labels[i].layout);
    }

  cairo_move_to (cr, area->left - 8 - layout_width (self->bpm_unit_layout), area->top - self->label_height - 6);
  pango_cairo_show_layout (cr, self->bpm_unit_layout);

  if (trace_shown (self, HEART_TRACE_SKIN))
    {
      const PlotArea *strip = &layout->traces[HEART_TRACE_SKIN];

      for (guint i = 0; i < 2; i++)
        {
          double y = y_for_fraction (strip, i);

          cairo_move_to (cr, strip->left - 8 - layout_width (self->skin_labels[i].layout),
                         CLAMP (y - half, strip->top - half, strip->bottom - 2 * half));
          pango_cairo_show_layout (cr, self->skin_labels[i].layout);
        }
    }

  /* On a narrow chart, label every second or third grid line only */
  skip = 1;
  if (self->n_x_labels > 1)
    {
      double spacing = (self->x_labels[1].value - self->x_labels[0].value)
                       / window_seconds * (area->right - area->left);

      skip = MAX (1, (guint) ceil ((self->x_label_width + 12) / MAX (spacing, 1)));
    }
  for (guint i = 0; i < self->n_x_labels; i += skip)
    {
      double x = area->right - self->x_labels[i].value / window_seconds * (area->right - area->left);
      int width = layout_width (self->x_labels[i].layout);

      /* Keep the outermost labels inside the plot's ends */
      x = CLAMP (x - width / 2.0, area->left - 4, area->right - width);
      cairo_move_to (cr, x, layout->bottom + 6);
      pango_cairo_show_layout (cr, self->x_labels[i].layout);
    }

  set_color (cr, &self->stress_color, 0.9);
  for (guint i = 0; i < N_STRESS_LABELS; i++)
    {
      double y = y_for_fraction (area, self->stress_labels[i].value);

      cairo_move_to (cr, area->right + 8, CLAMP (y - half, area->top - half, area->bottom - half));
      pango_cairo_show_layout (cr, self->stress_labels[i].layout);
    }

  for (guint t = 0; t < HEART_N_TRACES; t++)
    {
      if (!trace_shown (self, t))
        continue;
      set_color (cr, &self->trace_color[t], 1.0);
      cairo_move_to (cr, layout->traces[t].left, layout->traces[t].top - self->label_height - 3);
      pango_cairo_show_layout (cr, self->trace_titles[t]);
    }
}

/* Index of the last point left of the visible span, so lines enter from the edge */
static guint
first_visible_point (HeartChart            *self,
                     const HeartChartPoint *points,
                     guint                  n_points)
{
  double t_left = self->edge_t - heart_chart_data_get_window_seconds (self->data);
  guint first = 0;

  for (guint i = 0; i < n_points; i++)
    {
      if (points[i].t > t_left)
        break;
      first = i;
    }
  return first;
}

/* Returns the x where the path starts */
/* A replayed file may have no stress (NaN, docs/replay.md): those points
 * are left out; FALSE when none is left */
static gboolean
trace_path (HeartChart            *self,
            cairo_t               *cr,
            const PlotArea        *area,
            const HeartChartPoint *points,
            guint                  n_points,
            guint                  first,
            gboolean               stress,
            double                *first_x)
{
  gboolean started = FALSE;
  guint n_stops;
  const HeartChartStop *stops = heart_chart_data_get_stops (self->data, &n_stops);
  guint next_stop = 0;
  gboolean broken;
  double px[4], py[4];   /* the points before, at and after the segment drawn */

  for (guint i = first; i < n_points; i++)
    {
      double x = x_for_time (self, area, points[i].t);
      double y;

      if (stress && !isfinite (points[i].stress))
        continue;
      y = stress ? y_for_fraction (area, points[i].stress) : y_for_bpm (self, area, points[i].bpm);
      /* the source stood still after the point before: the heart rate's
       * line breaks there (the stress band, an area, goes on) */
      broken = FALSE;
      while (next_stop < n_stops && stops[next_stop].t < points[i].t - 1e-9)
        broken = TRUE, next_stop++;
      if (!started || (broken && !stress))
        {
          cairo_move_to (cr, x, y);
          if (!started)
            *first_x = x;
          px[1] = px[2] = x, py[1] = py[2] = y;
          started = TRUE;
          continue;
        }
      if (stress)
        cairo_line_to (cr, x, y);
      else
        {
          /* the heart rate as a curve through its points (Catmull–Rom):
           * whole-bpm samples twice a second drew stairs */
          double nx = i + 1 < n_points ? x_for_time (self, area, points[i + 1].t) : x;
          double ny = i + 1 < n_points ? y_for_bpm (self, area, points[i + 1].bpm) : y;

          px[0] = px[1], py[0] = py[1];
          px[1] = px[2], py[1] = py[2];
          px[2] = x, py[2] = y;
          px[3] = nx, py[3] = ny;
          cairo_curve_to (cr, px[1] + (px[2] - px[0]) / 6, py[1] + (py[2] - py[0]) / 6,
                          px[2] - (px[3] - px[1]) / 6, py[2] - (py[3] - py[1]) / 6, x, y);
        }
      /* Past the right edge the rest is hidden anyway */
      if (x > area->right)
        break;
    }
  return started;
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
clip_to (cairo_t        *cr,
         const PlotArea *area)
{
  cairo_rectangle (cr, area->left, area->top - 2, area->right - area->left, area->bottom - area->top + 4);
  cairo_clip (cr);
}

static void
draw_heart_traces (HeartChart     *self,
                   cairo_t        *cr,
                   const PlotArea *area)
{
  guint n_points;
  const HeartChartPoint *points = heart_chart_data_get_points (self->data, &n_points);
  guint first = first_visible_point (self, points, n_points);
  double first_x = 0;

  cairo_save (cr);
  clip_to (cr, area);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  /* Stress: a soft band from the bottom, under the heart rate */
  if (trace_path (self, cr, area, points, n_points, first, TRUE, &first_x))
    {
      close_area (cr, area, first_x);
      set_color (cr, &self->stress_color, 0.16);
      cairo_fill (cr);
      trace_path (self, cr, area, points, n_points, first, TRUE, &first_x);
      set_color (cr, &self->stress_color, 0.85);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }

  /* Heart rate: a strong line alone, so that nothing under it looks like
   * the stress band or an event's shade */
  trace_path (self, cr, area, points, n_points, first, FALSE, &first_x);
  set_color (cr, &self->heart_color, 1.0);
  cairo_set_line_width (cr, 2.5);
  cairo_stroke (cr);

  cairo_restore (cr);
}

static void
draw_trace (HeartChart     *self,
            cairo_t        *cr,
            const PlotArea *area,
            HeartTraceId    trace)
{
  guint n_points;
  const HeartTracePoint *points = heart_chart_data_get_trace (self->data, trace, &n_points);
  double t_left = self->edge_t - heart_chart_data_get_window_seconds (self->data);
  guint first = 0;
  double first_x = 0;

  if (n_points < 2)
    return;
  while (first + 1 < n_points && points[first + 1].t <= t_left)
    first++;

  cairo_save (cr);
  clip_to (cr, area);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = first; i < n_points; i++)
    {
      double x = x_for_time (self, area, points[i].t);
      double y = y_for_fraction (area, points[i].y);

      if (i == first)
        {
          cairo_move_to (cr, x, y);
          first_x = x;
        }
      else
        cairo_line_to (cr, x, y);
      if (x > area->right)
        break;
    }
  if (trace == HEART_TRACE_SKIN)
    {
      /* The tonic level as a faint area, so responses stand out as bumps */
      cairo_path_t *line = cairo_copy_path (cr);

      close_area (cr, area, first_x);
      set_color (cr, &self->trace_color[trace], 0.12);
      cairo_fill (cr);
      cairo_append_path (cr, line);
      cairo_path_destroy (line);
    }
  set_color (cr, &self->trace_color[trace], 1.0);
  cairo_set_line_width (cr, trace == HEART_TRACE_SKIN ? 2.0 : 1.75);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* A line where each phase begins, across every strip, and the phase's name
 * at the top, held at the left edge while the phase began out of sight */
static void
draw_phases (HeartChart        *self,
             cairo_t           *cr,
             const ChartLayout *layout)
{
  const PlotArea *area = &layout->heart;
  guint n_phases;
  const HeartChartPhase *phases = heart_chart_data_get_phases (self->data, &n_phases);
  static const double dash[] = { 4, 3 };

  self->drawn_phase_marks = 0;
  self->drawn_phase_names = 0;
  if (n_phases == 0)
    return;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  for (guint i = 0; i < n_phases; i++)
    {
      double x_from = x_for_time (self, area, phases[i].from);
      double x_to = x_for_time (self, area, phases[i].to);

      if (!phases[i].started_earlier && x_from >= area->left && x_from <= area->right)
        {
          cairo_move_to (cr, snap (x_from), area->top);
          cairo_line_to (cr, snap (x_from), layout->bottom);
          self->drawn_phase_marks++;
        }
      /* Where the scenario ended, if the chart shows it */
      if (i + 1 == n_phases && x_to < area->right - 0.5 && x_to >= area->left
          && phases[i].to < heart_chart_data_get_latest_time (self->data))
        {
          cairo_move_to (cr, snap (x_to), area->top);
          cairo_line_to (cr, snap (x_to), layout->bottom);
          self->drawn_phase_marks++;
        }
    }
  set_color (cr, &self->fg_color, 0.45);
  cairo_stroke (cr);
  cairo_restore (cr);

  cairo_save (cr);
  clip_to (cr, area);
  for (guint i = 0; i < n_phases; i++)
    {
      PangoLayout *name = phase_layout (self, phases[i].name);
      double x_from = MAX (x_for_time (self, area, phases[i].from), area->left);
      double x_to = MIN (x_for_time (self, area, phases[i].to), area->right);
      double y = area->top + 4;
      int width, height;

      /* The latest phase lasts until now, which the edge has not reached yet */
      if (i + 1 == n_phases && phases[i].to >= heart_chart_data_get_latest_time (self->data))
        x_to = area->right;
      pango_layout_get_pixel_size (name, &width, &height);
      if (x_to - x_from < width + 12)
        continue;

      set_color (cr, &self->card_color, 0.85);
      cairo_rectangle (cr, x_from + 2, y, width + 8, height + 2);
      cairo_fill (cr);
      set_color (cr, &self->fg_color, 0.75);
      cairo_move_to (cr, x_from + 6, y + 1);
      pango_cairo_show_layout (cr, name);
      self->drawn_phase_names++;
    }
  cairo_restore (cr);
}

static void
draw_bands (HeartChart        *self,
            cairo_t           *cr,
            const ChartLayout *layout)
{
  for (guint b = 0; b < HEART_N_BANDS; b++)
    {
      const PlotArea *strip = &layout->bands[b];
      HeartBandArea area = {
        strip->left, strip->top, strip->right, strip->bottom,
        self->edge_t, heart_chart_data_get_window_seconds (self->data),
      };
      guint n_segments;
      const HeartChartBand *segments = heart_chart_data_get_band (self->data, b, &n_segments);

      heart_band_draw (&self->band_style, cr, b, &area, segments, n_segments);
      heart_band_draw_title (&self->band_style, cr, b, &area, self->label_height);
    }
}

/* Where the source stood still: a line across every strip and how long it
 * stood, at the foot of the heart rate's plot */
static void
draw_stops (HeartChart        *self,
            cairo_t           *cr,
            const ChartLayout *layout)
{
  const PlotArea *area = &layout->heart;
  guint n_stops;
  const HeartChartStop *stops = heart_chart_data_get_stops (self->data, &n_stops);
  static const double dash[] = { 2, 2 };

  for (guint i = 0; i < n_stops; i++)
    {
      double x = x_for_time (self, area, stops[i].t);
      g_autofree char *text = NULL;
      g_autoptr(PangoLayout) label = NULL;
      int width, height;

      if (x < area->left || x > area->right + 0.5)
        continue;
      cairo_save (cr);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      set_color (cr, &self->fg_color, 0.7);
      cairo_move_to (cr, snap (x), area->top);
      cairo_line_to (cr, snap (x), layout->bottom);
      cairo_stroke (cr);
      cairo_restore (cr);

      if (stops[i].resumed_us == 0)
        /* Translators: the chart's mark where the source stands still now */
        text = g_strdup (_("Stopped"));
      else
        /* Translators: the chart's mark where the source stood still, and for how long */
        text = g_strdup_printf (_("Stopped %.0f s"), (stops[i].resumed_us - stops[i].stopped_us) / 1e6);
      label = make_layout (self, text);
      pango_layout_get_pixel_size (label, &width, &height);
      x = x + 4 + width > area->right ? x - 4 - width : x + 4;
      set_color (cr, &self->card_color, 0.85);
      cairo_rectangle (cr, x - 2, area->bottom - height - 4, width + 4, height + 2);
      cairo_fill (cr);
      set_color (cr, &self->fg_color, 0.8);
      cairo_move_to (cr, x, area->bottom - height - 3);
      pango_cairo_show_layout (cr, label);
    }
}

static double
time_for_x (HeartChart     *self,
            const PlotArea *area,
            double          x)
{
  return self->edge_t - (area->right - x) / (area->right - area->left)
                        * heart_chart_data_get_window_seconds (self->data);
}

/* The time the crosshair is at, or NAN */
static double
cursor_time (HeartChart        *self,
             const ChartLayout *layout)
{
  if (isfinite (self->cursor_x))
    return time_for_x (self, &layout->heart, CLAMP (self->cursor_x, layout->heart.left, layout->heart.right));
  return self->cursor_t;
}

static void
draw_cursor (HeartChart        *self,
             cairo_t           *cr,
             const ChartLayout *layout)
{
  double t = cursor_time (self, layout);
  HeartChartReading reading;
  g_autofree char *text = NULL;
  double x;

  if (!isfinite (t) || !heart_chart_data_get_reading (self->data, t, &reading))
    return;
  x = x_for_time (self, &layout->heart, reading.t);
  if (x < layout->heart.left - 0.5 || x > layout->heart.right + 0.5)
    return;
  text = heart_chart_reading_format (&reading, self->show_trace);
  if (self->cursor_layout == NULL)
    self->cursor_layout = make_layout (self, text);
  else
    pango_layout_set_text (self->cursor_layout, text, -1);
  heart_chart_cursor_draw (cr, self->cursor_layout, x, layout->heart.top, layout->bottom,
                           layout->heart.left, layout->heart.right, &self->fg_color, &self->card_color);
  /* where the heart rate is, on its line */
  set_color (cr, &self->heart_color, 1.0);
  cairo_arc (cr, x, y_for_bpm (self, &layout->heart, reading.bpm), 4, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
draw_focus_ring (HeartChart *self,
                 cairo_t    *cr,
                 int         width,
                 int         height)
{
  set_color (cr, &self->accent_color, 0.5);
  cairo_set_line_width (cr, 2);
  cairo_rectangle (cr, 1, 1, width - 2, height - 2);
  cairo_stroke (cr);
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
  ChartLayout layout;
  guint n_points;

  compute_layout (self, width, height, &layout);
  if (layout.heart.right - layout.heart.left < 20 || layout.heart.bottom - layout.heart.top < 20)
    return;

  draw_event_spans (self, cr, &layout);
  draw_grid (self, cr, &layout);
  draw_axis_labels (self, cr, &layout);
  heart_chart_data_get_points (self->data, &n_points);
  if (n_points >= 2)
    draw_heart_traces (self, cr, &layout.heart);
  else
    draw_empty (self, cr, &layout.heart);
  for (guint t = 0; t < HEART_N_TRACES; t++)
    if (trace_shown (self, t))
      draw_trace (self, cr, &layout.traces[t], t);
  if (heart_chart_data_get_long_span (self->data))
    draw_bands (self, cr, &layout);
  draw_phases (self, cr, &layout);
  draw_stops (self, cr, &layout);
  draw_cursor (self, cr, &layout);
  if (gtk_widget_has_visible_focus (GTK_WIDGET (self)))
    draw_focus_ring (self, cr, width, height);
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
  lookup_color (context, "card_bg_color", "#ffffff", &self->card_color);
  lookup_color (context, "heart_rate_color", "#e01b24", &self->heart_color);
  lookup_color (context, "stress_color", "#ff7800", &self->stress_color);
  lookup_color (context, "breathing_color", "#26a269", &self->trace_color[HEART_TRACE_BREATHING]);
  lookup_color (context, "skin_conductance_color", "#9141ac", &self->trace_color[HEART_TRACE_SKIN]);
  lookup_color (context, "accent_color", "#3584e4", &self->accent_color);
  g_clear_object (&self->cursor_layout);
  heart_band_style_load (&self->band_style, widget);

  /* The font may have changed too */
  rebuild_all_labels (self);
  gtk_widget_queue_draw (widget);
}
G_GNUC_END_IGNORE_DEPRECATIONS

static void
heart_chart_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  HeartChart *self = HEART_CHART (widget);

  GTK_WIDGET_CLASS (heart_chart_parent_class)->measure (widget, orientation, for_size,
                                                          minimum, natural,
                                                          minimum_baseline, natural_baseline);
  /* Each trace, or each band, wants a strip of its own on top of the heart rate's */
  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      for (guint t = 0; t < HEART_N_TRACES; t++)
        if (trace_shown (self, t))
          {
            *minimum += 60;
            *natural += 60;
          }
      for (guint b = 0; heart_chart_data_get_long_span (self->data) && b < HEART_N_BANDS; b++)
        {
          *minimum += self->label_height + 10 + heart_band_height (b, self->label_height);
          *natural += self->label_height + 10 + heart_band_height (b, self->label_height);
        }
    }
}

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
  g_clear_object (&self->data);
  G_OBJECT_CLASS (heart_chart_parent_class)->dispose (object);
}

static void
heart_chart_finalize (GObject *object)
{
  HeartChart *self = HEART_CHART (object);

  clear_labels (self->y_labels, self->n_y_labels);
  clear_labels (self->x_labels, self->n_x_labels);
  clear_labels (self->stress_labels, N_STRESS_LABELS);
  clear_labels (self->skin_labels, 2);
  for (guint t = 0; t < HEART_N_TRACES; t++)
    g_clear_object (&self->trace_titles[t]);
  g_clear_object (&self->empty_layout);
  g_clear_object (&self->bpm_unit_layout);
  heart_band_style_clear (&self->band_style);
  g_clear_object (&self->cursor_layout);
  g_clear_pointer (&self->phase_labels, g_ptr_array_unref);
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
      g_value_set_object (value, heart_chart_data_get_history (self->data));
      break;
    case PROP_DAY_LOG:
      g_value_set_object (value, heart_chart_data_get_day_log (self->data));
      break;
    case PROP_WINDOW_SECONDS:
      g_value_set_uint (value, heart_chart_data_get_window_seconds (self->data));
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_SHOW_BREATHING:
      g_value_set_boolean (value, self->show_trace[HEART_TRACE_BREATHING]);
      break;
    case PROP_SHOW_SKIN_CONDUCTANCE:
      g_value_set_boolean (value, self->show_trace[HEART_TRACE_SKIN]);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
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
    case PROP_DAY_LOG:
      heart_chart_set_day_log (self, g_value_get_object (value));
      break;
    case PROP_WINDOW_SECONDS:
      heart_chart_set_window_seconds (self, g_value_get_uint (value));
      break;
    case PROP_LIVE:
      heart_chart_set_live (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_BREATHING:
      heart_chart_set_show_trace (self, HEART_TRACE_BREATHING, g_value_get_boolean (value));
      break;
    case PROP_SHOW_SKIN_CONDUCTANCE:
      heart_chart_set_show_trace (self, HEART_TRACE_SKIN, g_value_get_boolean (value));
      break;
    case PROP_PAUSED:
      heart_chart_set_paused (self, g_value_get_boolean (value));
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
  widget_class->measure = heart_chart_measure;
  widget_class->map = heart_chart_map;
  widget_class->unmap = heart_chart_unmap;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DAY_LOG] =
    g_param_spec_object ("day-log", NULL, NULL, HEART_TYPE_DAY_LOG,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WINDOW_SECONDS] =
    g_param_spec_uint ("window-seconds", NULL, NULL,
                       HEART_CHART_DATA_MIN_SECONDS, HEART_CHART_DATA_MAX_SECONDS, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_BREATHING] =
    g_param_spec_boolean ("show-breathing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_SKIN_CONDUCTANCE] =
    g_param_spec_boolean ("show-skin-conductance", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* scrolled back through the history; FALSE follows the samples (setting
   * TRUE alone does nothing: scrolling does it) */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heartchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

/* What a screen reader says of the chart besides its name: the reading at
 * the crosshair, or else the newest one; at most once a second while it
 * only follows the samples */
static void
update_accessible_description (HeartChart *self,
                               gboolean    now)
{
  HeartChartReading reading;
  g_autofree char *sentence = NULL;
  guint n_points;
  const HeartChartPoint *points = heart_chart_data_get_points (self->data, &n_points);
  double t = isfinite (self->cursor_t) ? self->cursor_t : n_points > 0 ? points[n_points - 1].t : NAN;
  gint64 time_us = g_get_monotonic_time ();

  if (!now && time_us - self->described_us < G_USEC_PER_SEC)
    return;
  self->described_us = time_us;
  if (!isfinite (t) || !heart_chart_data_get_reading (self->data, t, &reading))
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("No samples yet"), -1);
      return;
    }
  sentence = heart_chart_reading_sentence (&reading, self->show_trace);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, sentence, -1);
}

static void
on_pointer_motion (GtkEventControllerMotion *controller,
                   double                    x,
                   double                    y,
                   HeartChart               *self)
{
  self->cursor_x = x;
  self->cursor_t = NAN;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pointer_leave (GtkEventControllerMotion *controller,
                  HeartChart               *self)
{
  self->cursor_x = NAN;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Scroll back (@seconds < 0) or on through what the history holds; back at
 * the newest sample the chart follows the samples again */
static void
pan_by (HeartChart *self,
        double      seconds)
{
  double oldest, newest;
  double window = heart_chart_data_get_window_seconds (self->data);
  double end;

  if (!heart_chart_data_get_time_bounds (self->data, &oldest, &newest))
    return;
  end = (self->paused ? self->view_end_t : newest) + seconds;
  if (end >= newest)
    {
      heart_chart_set_paused (self, FALSE);
      return;
    }
  /* no further back than a span that still starts with data */
  end = MAX (end, MIN (oldest + window, newest));
  self->view_end_t = end;
  self->edge_t = self->edge_from_t = end;
  heart_chart_data_set_view_end (self->data, end);
  if (!self->paused)
    {
      self->paused = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
    }
  rebuild_x_labels (self);
  take_range (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           HeartChart               *self)
{
  /* a wheel's notch moves a tenth of the span; up or left goes back */
  pan_by (self, (dx + dy) * heart_chart_data_get_window_seconds (self->data) / 10);
  return TRUE;
}

/* The arrow keys walk the crosshair from point to point (ten with Shift),
 * Home and End go to the oldest and newest, Escape hides it */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                HeartChart            *self)
{
  guint n_points;
  const HeartChartPoint *points = heart_chart_data_get_points (self->data, &n_points);
  int step = (state & GDK_SHIFT_MASK) ? 10 : 1;
  int index = (int) n_points - 1;

  if (keyval == GDK_KEY_Escape && isfinite (self->cursor_t))
    {
      self->cursor_t = NAN;
      gtk_widget_queue_draw (GTK_WIDGET (self));
      update_accessible_description (self, TRUE);
      return TRUE;
    }
  /* Page Up and Down scroll by half a span; Escape goes back to live */
  if (keyval == GDK_KEY_Page_Up || keyval == GDK_KEY_Page_Down)
    {
      pan_by (self, (keyval == GDK_KEY_Page_Up ? -0.5 : 0.5) * heart_chart_data_get_window_seconds (self->data));
      return TRUE;
    }
  if (keyval == GDK_KEY_Escape && self->paused)
    {
      heart_chart_set_paused (self, FALSE);
      return TRUE;
    }
  if (n_points == 0 || (keyval != GDK_KEY_Left && keyval != GDK_KEY_Right && keyval != GDK_KEY_KP_Left
                        && keyval != GDK_KEY_KP_Right && keyval != GDK_KEY_Home && keyval != GDK_KEY_End))
    return FALSE;

  if (isfinite (self->cursor_t))
    while (index > 0 && points[index].t > self->cursor_t)
      index--;
  if (keyval == GDK_KEY_Home)
    index = 0;
  else if (keyval == GDK_KEY_End)
    index = (int) n_points - 1;
  else if (isfinite (self->cursor_t))
    index += (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left) ? -step : step;
  /* points left of the plot are kept so the line reaches the edge */
  index = CLAMP (index, 0, (int) n_points - 1);
  while (index + 1 < (int) n_points && points[index].t < self->edge_t - heart_chart_data_get_window_seconds (self->data))
    index++;
  self->cursor_t = points[index].t;
  self->cursor_x = NAN;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  update_accessible_description (self, TRUE);
  return TRUE;
}

static void
setup_controllers (HeartChart *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  g_signal_connect (motion, "enter", G_CALLBACK (on_pointer_motion), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_pointer_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_pointer_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

static void
heart_chart_init (HeartChart *self)
{
  self->data = heart_chart_data_new ();
  self->phase_labels = g_ptr_array_new_with_free_func (phase_label_free);
  self->target_low = self->low = 60;
  self->target_high = self->high = 100;
  self->cursor_x = self->cursor_t = NAN;

  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), heart_chart_draw, NULL, NULL);
  /* the crosshair can be walked with the keyboard */
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  setup_controllers (self);
  update_accessible_label (self);
  rebuild_all_labels (self);
}

/* From traces to bands or back: another layout and another description */
static void
span_kind_changed (HeartChart *self,
                   gboolean    was_long)
{
  if (heart_chart_data_get_long_span (self->data) == was_long)
    return;
  update_accessible_label (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
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
  return heart_chart_data_get_history (self->data);
}

void
heart_chart_set_history (HeartChart   *self,
                         HeartHistory *history)
{
  g_return_if_fail (HEART_IS_CHART (self));
  g_return_if_fail (history == NULL || HEART_IS_HISTORY (history));

  if (heart_chart_data_get_history (self->data) == history)
    return;
  heart_chart_data_set_history (self->data, history);
  self->arrival_us = self->period_us = 0;
  heart_chart_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

HeartDayLog *
heart_chart_get_day_log (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), NULL);
  return heart_chart_data_get_day_log (self->data);
}

/* What the long spans show; the short ones go on from the history */
void
heart_chart_set_day_log (HeartChart  *self,
                         HeartDayLog *day_log)
{
  gboolean was_long;

  g_return_if_fail (HEART_IS_CHART (self));
  g_return_if_fail (day_log == NULL || HEART_IS_DAY_LOG (day_log));

  if (heart_chart_data_get_day_log (self->data) == day_log)
    return;
  was_long = heart_chart_data_get_long_span (self->data);
  heart_chart_data_set_day_log (self->data, day_log);
  span_kind_changed (self, was_long);
  heart_chart_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAY_LOG]);
}

guint
heart_chart_get_window_seconds (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  return heart_chart_data_get_window_seconds (self->data);
}

void
heart_chart_set_window_seconds (HeartChart *self,
                                guint       seconds)
{
  gboolean was_long;

  g_return_if_fail (HEART_IS_CHART (self));

  seconds = CLAMP (seconds, HEART_CHART_DATA_MIN_SECONDS, HEART_CHART_DATA_MAX_SECONDS);
  if (heart_chart_data_get_window_seconds (self->data) == seconds)
    return;
  was_long = heart_chart_data_get_long_span (self->data);
  heart_chart_data_set_window_seconds (self->data, seconds);
  span_kind_changed (self, was_long);
  rebuild_x_labels (self);
  take_range (self);
  rebuild_skin_labels (self);
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
  heart_chart_data_mark_running (self->data, live);
  rebuild_x_labels (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
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

gboolean
heart_chart_get_show_trace (HeartChart   *self,
                            HeartTraceId  trace)
{
  g_return_val_if_fail (HEART_IS_CHART (self), FALSE);
  g_return_val_if_fail (trace < HEART_N_TRACES, FALSE);
  return self->show_trace[trace];
}

void
heart_chart_set_show_trace (HeartChart   *self,
                            HeartTraceId  trace,
                            gboolean      show)
{
  g_return_if_fail (HEART_IS_CHART (self));
  g_return_if_fail (trace < HEART_N_TRACES);

  show = !!show;
  if (self->show_trace[trace] == show)
    return;
  self->show_trace[trace] = show;
  update_accessible_label (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self),
                            properties[trace == HEART_TRACE_BREATHING ? PROP_SHOW_BREATHING
                                                                      : PROP_SHOW_SKIN_CONDUCTANCE]);
}

void
heart_chart_add_values (HeartChart              *self,
                        const HeartChannelValue *values,
                        guint                    n_values)
{
  g_return_if_fail (HEART_IS_CHART (self));
  heart_chart_data_add_values (self->data, values, n_values);
}

void
heart_chart_update (HeartChart *self)
{
  double latest_t;
  guint n_points;

  g_return_if_fail (HEART_IS_CHART (self));

  heart_chart_data_update (self->data);
  heart_chart_data_get_points (self->data, &n_points);
  latest_t = heart_chart_data_get_latest_time (self->data);
  if (n_points == 0)
    {
      self->latest_t = self->edge_t = self->edge_from_t = 0;
      self->arrival_us = self->period_us = 0;
    }
  else if (self->paused)
    {
      /* scrolled back: the span stays; its labels count from the newest */
      self->latest_t = latest_t;
      rebuild_x_labels (self);
    }
  else if (latest_t != self->latest_t)
    take_latest (self, latest_t);

  take_range (self);
  rebuild_skin_labels (self);
  update_accessible_description (self, FALSE);
  schedule_redraw (self);
}

HeartChartData *
heart_chart_get_data (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), NULL);
  return self->data;
}

guint
heart_chart_get_n_points (HeartChart *self)
{
  guint n_points;

  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  heart_chart_data_get_points (self->data, &n_points);
  return n_points;
}

double
heart_chart_get_covered_seconds (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), 0);
  return heart_chart_data_get_covered_seconds (self->data);
}

gboolean
heart_chart_get_trace_area (HeartChart      *self,
                            HeartTraceId     trace,
                            graphene_rect_t *area)
{
  ChartLayout layout;
  const PlotArea *strip;

  g_return_val_if_fail (HEART_IS_CHART (self), FALSE);
  g_return_val_if_fail (trace < HEART_N_TRACES, FALSE);

  compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                  gtk_widget_get_height (GTK_WIDGET (self)), &layout);
  strip = &layout.traces[trace];
  graphene_rect_init (area, strip->left, strip->top, strip->right - strip->left, strip->bottom - strip->top);
  return trace_shown (self, trace);
}

gboolean
heart_chart_get_paused (HeartChart *self)
{
  g_return_val_if_fail (HEART_IS_CHART (self), FALSE);
  return self->paused;
}

void
heart_chart_set_paused (HeartChart *self,
                        gboolean    paused)
{
  g_return_if_fail (HEART_IS_CHART (self));

  if (paused || !self->paused)
    return;
  self->paused = FALSE;
  heart_chart_data_set_view_end (self->data, NAN);
  self->arrival_us = self->period_us = 0;
  self->edge_t = self->edge_from_t = self->latest_t = heart_chart_data_get_latest_time (self->data);
  rebuild_x_labels (self);
  take_range (self);
  if (self->live && gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_ticking (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

void
heart_chart_scroll_by (HeartChart *self,
                       double      seconds)
{
  g_return_if_fail (HEART_IS_CHART (self));
  pan_by (self, seconds);
}

gboolean
heart_chart_get_band_area (HeartChart      *self,
                           HeartBandId      band,
                           graphene_rect_t *area)
{
  ChartLayout layout;
  const PlotArea *strip;

  g_return_val_if_fail (HEART_IS_CHART (self), FALSE);
  g_return_val_if_fail (band < HEART_N_BANDS, FALSE);

  compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                  gtk_widget_get_height (GTK_WIDGET (self)), &layout);
  strip = &layout.bands[band];
  graphene_rect_init (area, strip->left, strip->top, strip->right - strip->left, strip->bottom - strip->top);
  return heart_chart_data_get_long_span (self->data);
}

void
heart_chart_get_drawn_phases (HeartChart *self,
                              guint      *n_marks,
                              guint      *n_names)
{
  g_return_if_fail (HEART_IS_CHART (self));
  *n_marks = self->drawn_phase_marks;
  *n_names = self->drawn_phase_names;
}
