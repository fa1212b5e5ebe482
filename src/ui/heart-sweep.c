/* heart-sweep.c: the live ECG and pleth as a bedside monitor sweeps them
 *
 * The source's waveform blocks go into HeartSweepData (rings of the last
 * seconds, GLib only); this widget draws them as a monitor does: the pen
 * writes from left to right over a fixed time (the width at about 25 mm/s),
 * starts again at the left, and erases a small gap ahead of itself, so the
 * trace to the right of the gap is the previous pass. The pen glides
 * between blocks with the frame clock (blocks come 25 times a second live),
 * and the widget asks for frames only while mapped and while blocks come:
 * when the source stops, the trace freezes where it was.
 *
 * The heart rate is counted from the ECG's beat marks (its R peaks), as a
 * monitor counts it from its lead; the SpO2 beside the pleth is the
 * samples'. A replay or a strap, which have no waveforms, show a
 * placeholder instead (docs/desktop.md, "The monitor trace").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sweep.h"

#include <glib/gi18n.h>
#include <math.h>

#include "heart-sample.h"
#include "heart-sweep-data.h"

/* Paper speed: 25 mm a second at 96 pixels an inch */
#define PIXELS_PER_SECOND (25.0 * 96 / 25.4)
#define MIN_SECONDS 4.0
/* The erased gap ahead of the pen */
#define GAP_PIXELS 14.0
/* The ECG's fixed gain: this range of millivolts fills its strip, but a
 * millivolt is at most 40 mm high (a monitor's ×4), so that a tall strip
 * does not stretch the beats into needles */
#define ECG_LOW_MV (-0.6)
#define ECG_HIGH_MV 1.6
#define ECG_MAX_PIXELS_PER_MV (40.0 * 96 / 25.4)
#define ECG_GRID_MV 0.5
/* The pleth is scaled to what it shows, at most this high */
#define PLETH_MAX_PIXELS 240.0
/* The grid's small squares (5 mm at 25 mm/s) */
#define GRID_SECONDS 0.2
#define MAX_GRID_LINES 40
/* Samples without a waveform block between them, and a second without
 * any, before the source is taken to have none: live blocks come on a
 * schedule of their own (25 a second), so a late one may let two ticks
 * pass */
#define SAMPLES_WITHOUT_WAVEFORM 2
#define WAVEFORM_SILENCE_US G_USEC_PER_SEC
/* Frames go on this long after the last block: then the trace freezes */
#define FREEZE_AFTER_US (300 * 1000)
/* The share of the height the ECG's strip gets */
#define ECG_SHARE 0.56

typedef struct
{
  double left, top, right, bottom;
} Area;

typedef struct
{
  Area ecg;        /* the traces' strips, their titles inside */
  Area pleth;
  Area numbers;    /* the heart rate's column, at the right */
} SweepLayout;

struct _HeartSweep
{
  GtkWidget       parent_instance;

  HeartSource    *source;
  GSignalGroup   *source_signals;
  GSignalGroup   *source_notify;  /* GLib 2.74 finds no "notify" on an interface type */
  HeartSweepData *data;
  gboolean        show_grid;
  double          seconds;        /* one pass, from the width */

  /* a source whose samples come without waveforms has none */
  gboolean        block_since_sample;
  guint           samples_without;
  gint64          last_block_us;  /* monotonic; 0 for none from this source */
  gboolean        no_waveform;
  int             spo2;           /* % from the samples; -1 for none */

  /* the pen: the data ends at latest_t, the pen glides to it */
  double          latest_t;
  double          pen_t;
  double          glide_from_t;
  gint64          arrival_us;
  gint64          period_us;      /* smoothed time between blocks */
  guint           tick_id;

  /* drawing resources, rebuilt when the style changes */
  GdkRGBA         fg_color;
  GdkRGBA         ecg_color;
  GdkRGBA         pleth_color;
  GdkRGBA         grid_color;
  GdkRGBA         alarm_color;
  PangoLayout    *ecg_title;
  PangoLayout    *pleth_title;
  PangoLayout    *hr_title;
  PangoLayout    *hr_unit;
  PangoLayout    *hr_value;
  PangoLayout    *spo2_title;
  PangoLayout    *spo2_unit;
  PangoLayout    *spo2_value;
  PangoLayout    *leads_off_layout;
  PangoLayout    *placeholder_layout;
  PangoLayout    *beat_labels[2];    /* "V", "S" */
  int             shown_hr;          /* what hr_value says; -1 for none yet */
  int             shown_spo2;        /* what spo2_value says; -2 for none yet */
  int             label_height;
  int             numbers_width;

  /* screen readers: at most one description a second */
  char           *description;
  gint64          described_us;
  guint           describe_id;

  guint           drawn_premature;   /* for tests */
};

enum {
  PROP_0,
  PROP_SOURCE,
  PROP_SHOW_GRID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartSweep, heart_sweep, GTK_TYPE_WIDGET)

/* ---------------------------------------------------------------- state */

static const char *
placeholder_text (HeartSweep *self)
{
  if (self->no_waveform)
    return _("No waveform from this source");
  if (heart_sweep_data_is_empty (self->data))
    return _("No waveform yet");
  return NULL;
}

static int
heart_rate (HeartSweep *self)
{
  if (heart_sweep_data_get_leads_off (self->data) || placeholder_text (self) != NULL)
    return 0;
  return (int) lround (heart_sweep_data_get_heart_rate (self->data));
}

/* What a screen reader says: the heart rate and the last beat's type */
static char *
describe (HeartSweep *self)
{
  const char *placeholder = placeholder_text (self);
  int hr = heart_rate (self);

  if (placeholder != NULL)
    return g_strdup (placeholder);
  if (heart_sweep_data_get_leads_off (self->data))
    /* Translators: the monitor's ECG electrodes are off the skin */
    return g_strdup (_("Leads off"));
  if (hr == 0)
    return g_strdup (_("Waiting for heartbeats"));
  switch (heart_sweep_data_get_last_beat (self->data))
    {
    case 'V':
      /* Translators: the monitor trace's description; a premature ventricular contraction (PVC) */
      return g_strdup_printf (_("Heart rate %d bpm, last beat premature ventricular"), hr);
    case 'S':
      /* Translators: the monitor trace's description; a premature atrial contraction (PAC) */
      return g_strdup_printf (_("Heart rate %d bpm, last beat premature supraventricular"), hr);
    default:
      return g_strdup_printf (_("Heart rate %d bpm, last beat normal"), hr);
    }
}

static void update_description (HeartSweep *self,
                                gboolean    now);

static gboolean
describe_due (gpointer user_data)
{
  HeartSweep *self = user_data;

  self->describe_id = 0;
  update_description (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* At most once a second, as the chart's, so a screen reader is not
 * flooded 25 times a second; a change within the second is described at
 * its end */
static void
update_description (HeartSweep *self,
                    gboolean    now)
{
  g_autofree char *text = describe (self);
  gint64 time_us = g_get_monotonic_time ();
  gint64 wait_us = self->described_us + G_USEC_PER_SEC - time_us;

  if (g_strcmp0 (text, self->description) == 0)
    return;
  if (!now && wait_us > 0)
    {
      if (self->describe_id == 0)
        self->describe_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (wait_us / 1000) + 1,
                                                describe_due, self, NULL);
      return;
    }
  g_clear_handle_id (&self->describe_id, g_source_remove);
  self->described_us = time_us;
  g_free (self->description);
  self->description = g_steal_pointer (&text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->description, -1);
}

/* ---------------------------------------------------------------- motion */

static gboolean
animations_enabled (HeartSweep *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

static double
pen_at (HeartSweep *self,
        gint64      now_us)
{
  double fraction;

  if (self->period_us <= 0)
    return self->latest_t;
  fraction = CLAMP ((double) (now_us - self->arrival_us) / self->period_us, 0.0, 1.0);
  return self->glide_from_t + fraction * (self->latest_t - self->glide_from_t);
}

static void
stop_ticking (HeartSweep *self)
{
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
  self->tick_id = 0;
}

static gboolean
heart_sweep_tick (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  HeartSweep *self = HEART_SWEEP (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);
  double pen = pen_at (self, now);

  if (pen != self->pen_t)
    {
      self->pen_t = pen;
      gtk_widget_queue_draw (widget);
    }
  if (pen < self->latest_t || now - self->arrival_us < FREEZE_AFTER_US)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

/* New data is drawn by the next frames while mapped; else at once */
static void
schedule_redraw (HeartSweep *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && animations_enabled (self))
    {
      if (self->tick_id == 0)
        self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), heart_sweep_tick, NULL, NULL);
      return;
    }
  self->pen_t = self->glide_from_t = self->latest_t;
  self->period_us = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The pen glides from where it is to the newest sample over about the
 * time blocks take to come, as the chart's right edge does */
static void
take_latest (HeartSweep *self,
             double      latest_t)
{
  gint64 now = g_get_monotonic_time ();

  if (self->arrival_us > 0 && latest_t >= self->latest_t && latest_t - self->latest_t < self->seconds)
    {
      gint64 period = CLAMP (now - self->arrival_us, 1000, G_USEC_PER_SEC);

      self->glide_from_t = MIN (pen_at (self, now), latest_t);
      self->period_us = self->period_us > 0 ? (self->period_us * 3 + period) / 4 : period;
    }
  else
    {
      /* the first block, or a jump: no glide */
      self->glide_from_t = self->pen_t = latest_t;
      self->period_us = 0;
    }
  self->latest_t = latest_t;
  self->arrival_us = now;
}

static void
forget (HeartSweep *self)
{
  heart_sweep_data_clear (self->data);
  stop_ticking (self);
  self->latest_t = self->pen_t = self->glide_from_t = 0;
  self->arrival_us = self->period_us = 0;
}

/* ---------------------------------------------------------------- source */

static void
on_waveform (HeartSweep               *self,
             const HeartWaveformBlock *block)
{
  HeartSweepTrace trace = block->channel == HEART_CHANNEL_ECG ? HEART_SWEEP_ECG : HEART_SWEEP_PLETH;
  double ecg_end;

  if (!heart_sweep_data_add_block (self->data, block))
    return;
  self->block_since_sample = TRUE;
  self->samples_without = 0;
  self->last_block_us = g_get_monotonic_time ();
  self->no_waveform = FALSE;

  /* the ECG leads the pen; the pleth does without one */
  ecg_end = heart_sweep_data_get_end_time (self->data, HEART_SWEEP_ECG);
  if (trace == HEART_SWEEP_ECG || isnan (ecg_end))
    take_latest (self, heart_sweep_data_get_end_time (self->data, trace));
  update_description (self, FALSE);
  schedule_redraw (self);
}

/* Samples that come with no waveform between them: the source has none
 * (a replay, a strap, a simulator with its waveforms off). Their SpO2
 * stands beside the pleth, as on a monitor. */
static void
on_sample (HeartSweep        *self,
           const HeartSample *sample)
{
  double spo2 = sample->channels[HEART_CHANNEL_SPO2];
  int shown = isfinite (spo2) ? (int) lround (spo2) : -1;

  if (shown != self->spo2)
    {
      self->spo2 = shown;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
  if (!self->block_since_sample)
    self->samples_without++;
  self->block_since_sample = FALSE;
  if (self->no_waveform || self->samples_without < SAMPLES_WITHOUT_WAVEFORM
      || (self->last_block_us > 0 && g_get_monotonic_time () - self->last_block_us < WAVEFORM_SILENCE_US))
    return;
  self->no_waveform = TRUE;
  forget (self);
  update_description (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Another source behind the switch: what was shown is not its */
static void
on_source_switched (HeartSweep *self)
{
  forget (self);
  self->no_waveform = FALSE;
  self->spo2 = -1;
  self->samples_without = 0;
  self->last_block_us = 0;
  self->block_since_sample = FALSE;
  update_description (self, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---------------------------------------------------------------- layout */

static void
compute_layout (HeartSweep  *self,
                int          width,
                int          height,
                SweepLayout *layout)
{
  double traces_right = width - self->numbers_width - 10;
  double ecg_bottom = floor ((height - 8) * ECG_SHARE);

  layout->ecg = (Area) { 0, 0, traces_right, ecg_bottom };
  layout->pleth = (Area) { 0, ecg_bottom + 8, traces_right, height };
  layout->numbers = (Area) { traces_right + 10, 0, width, height };
}

static double
sweep_seconds (double trace_width)
{
  return CLAMP (trace_width / PIXELS_PER_SECOND, MIN_SECONDS, HEART_SWEEP_MAX_SECONDS);
}

/* ---------------------------------------------------------------- drawing */

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static inline double
snap (double coordinate)
{
  return floor (coordinate) + 0.5;
}

/* Where a trace's values go in its strip: under the title's line */
static inline double
plot_top (HeartSweep *self,
          const Area *strip)
{
  return strip->top + self->label_height + 4;
}

/* y = offset + mV × scale: the range of ECG_LOW_MV to ECG_HIGH_MV fills
 * the plot, or is centred in it at the largest gain */
static void
ecg_mapping (HeartSweep *self,
             const Area *strip,
             double     *offset,
             double     *scale)
{
  double top = plot_top (self, strip);
  double bottom = strip->bottom - 2;
  double pixels_per_mv = MIN ((bottom - top) / (ECG_HIGH_MV - ECG_LOW_MV), ECG_MAX_PIXELS_PER_MV);

  *scale = -pixels_per_mv;
  *offset = (top + bottom) / 2 + (ECG_LOW_MV + ECG_HIGH_MV) / 2 * pixels_per_mv;
}

static void
draw_grid (HeartSweep        *self,
           cairo_t           *cr,
           const SweepLayout *layout)
{
  const Area *ecg = &layout->ecg;
  double width = ecg->right - ecg->left;
  double step = GRID_SECONDS / self->seconds * width;
  guint n = (guint) floor (self->seconds / GRID_SECONDS + 1e-9);
  double offset, scale;

  ecg_mapping (self, ecg, &offset, &scale);
  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  for (int pass = 0; pass < 2; pass++)
    {
      /* the small squares, then every fifth (a second) a little stronger */
      for (guint i = 1; i <= n; i++)
        {
          double x = snap (ecg->left + i * step);

          if ((i % 5 == 0) != (pass == 1) || x > ecg->right)
            continue;
          cairo_move_to (cr, x, ecg->top);
          cairo_line_to (cr, x, ecg->bottom);
          cairo_move_to (cr, x, layout->pleth.top);
          cairo_line_to (cr, x, layout->pleth.bottom);
        }
      /* every half millivolt, from the baseline up and down, across the
       * strip */
      for (int k = 0; pass == 1 && k < MAX_GRID_LINES; k++)
        for (int sign = 1; sign >= -1; sign -= 2)
          {
            double y = offset + sign * k * ECG_GRID_MV * scale;

            if ((k == 0 && sign < 0) || y < plot_top (self, ecg) || y > ecg->bottom)
              continue;
            cairo_move_to (cr, ecg->left, snap (y));
            cairo_line_to (cr, ecg->right, snap (y));
          }
      set_color (cr, &self->grid_color, pass == 0 ? 0.07 : 0.14);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

typedef struct
{
  double  fs;
  double  origin;      /* the time at the strip's left edge, this pass */
  double  x_scale;     /* pixels a second */
  double  left;
  double  y_offset;    /* what a value maps to: y = y_offset + value * y_scale */
  double  y_scale;
} Mapping;

/* Samples [from, to) of @trace as one line; where several fall in a pixel
 * column, their first, lowest, highest and last (so a QRS keeps its
 * height however dense the samples) */
static void
trace_run (HeartSweep     *self,
           cairo_t        *cr,
           HeartSweepTrace trace,
           guint64         from,
           guint64         to,
           const Mapping  *map)
{
  gboolean dense = map->fs > 1.5 * map->x_scale;
  double column = NAN;
  double first = 0, low = 0, high = 0, last = 0;

  if (from >= to)
    return;
  cairo_new_sub_path (cr);
  for (guint64 k = from; k < to; k++)
    {
      double x = map->left + (k / map->fs - map->origin) * map->x_scale;
      double y = map->y_offset + heart_sweep_data_get_value (self->data, trace, k) * map->y_scale;

      if (!dense)
        {
          cairo_line_to (cr, x, y);
          continue;
        }
      if (floor (x) == column)
        {
          low = MIN (low, y);
          high = MAX (high, y);
          last = y;
          continue;
        }
      if (!isnan (column))
        {
          cairo_line_to (cr, column + 0.5, first);
          if (low != first || high != first || last != first)
            {
              cairo_line_to (cr, column + 0.5, low);
              cairo_line_to (cr, column + 0.5, high);
              cairo_line_to (cr, column + 0.5, last);
            }
        }
      column = floor (x);
      first = low = high = last = y;
    }
  if (dense && !isnan (column))
    {
      cairo_line_to (cr, column + 0.5, first);
      cairo_line_to (cr, column + 0.5, low);
      cairo_line_to (cr, column + 0.5, high);
      cairo_line_to (cr, column + 0.5, last);
    }
}

/* The sample range of @trace the sweep shows, this pass's and the previous
 * one's: what lies between the gap ahead of the pen and the pen */
static gboolean
visible_range (HeartSweep     *self,
               HeartSweepTrace trace,
               double          gap_s,
               guint64        *from,
               guint64        *cycle,
               guint64        *to,
               double         *fs)
{
  guint64 first, end;
  double start = self->pen_t - self->seconds + gap_s;
  double pass_start = floor (self->pen_t / self->seconds) * self->seconds;

  if (!heart_sweep_data_get_range (self->data, trace, &first, &end, fs))
    return FALSE;
  *from = MAX (first, (guint64) MAX (ceil (start * *fs), 0));
  *to = MIN (end, (guint64) floor (self->pen_t * *fs + 1e-6) + 1);
  *cycle = CLAMP ((guint64) ceil (pass_start * *fs - 1e-6), *from, MAX (*to, *from));
  return *from < *to;
}

static void
draw_trace (HeartSweep     *self,
            cairo_t        *cr,
            HeartSweepTrace trace,
            const Area     *strip,
            double          gap_s)
{
  guint64 from, cycle, to;
  Mapping map = { 0 };
  double pass_start = floor (self->pen_t / self->seconds) * self->seconds;
  double top = plot_top (self, strip);
  const GdkRGBA *color = trace == HEART_SWEEP_ECG ? &self->ecg_color : &self->pleth_color;

  if (!visible_range (self, trace, gap_s, &from, &cycle, &to, &map.fs))
    return;
  map.left = strip->left;
  map.x_scale = (strip->right - strip->left) / self->seconds;
  if (trace == HEART_SWEEP_ECG)
    {
      ecg_mapping (self, strip, &map.y_offset, &map.y_scale);
    }
  else
    {
      /* the pleth is scaled to what it shows, as a monitor's is */
      float low = G_MAXFLOAT, high = -G_MAXFLOAT;
      double span = MIN (strip->bottom - 4 - (top + 2), PLETH_MAX_PIXELS);
      double middle = (strip->bottom - 4 + top + 2) / 2;

      for (guint64 k = from; k < to; k++)
        {
          float v = heart_sweep_data_get_value (self->data, trace, k);

          low = MIN (low, v);
          high = MAX (high, v);
        }
      if (high - low < 1e-6)
        {
          low -= 0.5;
          high += 0.5;
        }
      map.y_scale = -span / (high - low);
      map.y_offset = middle + span / 2 - low * map.y_scale;
    }

  cairo_save (cr);
  cairo_rectangle (cr, strip->left, strip->top, strip->right - strip->left, strip->bottom - strip->top);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.6);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* the previous pass, right of the gap, then this pass up to the pen */
  map.origin = pass_start - self->seconds;
  trace_run (self, cr, trace, from, cycle, &map);
  map.origin = pass_start;
  trace_run (self, cr, trace, cycle, to, &map);
  set_color (cr, color, 1.0);
  cairo_stroke (cr);
  /* the pen */
  if (cycle < to)
    {
      double x = map.left + ((to - 1) / map.fs - pass_start) * map.x_scale;
      double y = map.y_offset + heart_sweep_data_get_value (self->data, trace, to - 1) * map.y_scale;

      cairo_arc (cr, x, y, 2.2, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

/* Premature beats: a small triangle over the R peak, and the beat's code */
static void
draw_premature_marks (HeartSweep *self,
                      cairo_t    *cr,
                      const Area *strip,
                      double      gap_s)
{
  guint n_beats;
  const HeartSweepBeat *beats = heart_sweep_data_get_beats (self->data, &n_beats);
  double pass_start = floor (self->pen_t / self->seconds) * self->seconds;
  double x_scale = (strip->right - strip->left) / self->seconds;

  self->drawn_premature = 0;
  set_color (cr, &self->alarm_color, 1.0);
  for (guint i = 0; i < n_beats; i++)
    {
      PangoLayout *label;
      double x;
      int width;

      if (beats[i].code != 'V' && beats[i].code != 'S')
        continue;
      if (beats[i].t > self->pen_t || beats[i].t <= self->pen_t - self->seconds + gap_s)
        continue;
      x = strip->left + (beats[i].t - (beats[i].t >= pass_start ? pass_start : pass_start - self->seconds)) * x_scale;
      cairo_move_to (cr, x - 4, strip->top + 2);
      cairo_line_to (cr, x + 4, strip->top + 2);
      cairo_line_to (cr, x, strip->top + 8);
      cairo_close_path (cr);
      cairo_fill (cr);
      label = self->beat_labels[beats[i].code == 'V' ? 0 : 1];
      pango_layout_get_pixel_size (label, &width, NULL);
      if (x + 6 + width < strip->right)
        {
          cairo_move_to (cr, x + 6, strip->top);
          pango_cairo_show_layout (cr, label);
        }
      self->drawn_premature++;
    }
}

static void
draw_centered (cairo_t     *cr,
               PangoLayout *layout,
               const Area  *area)
{
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_move_to (cr, (area->left + area->right - width) / 2, (area->top + area->bottom - height) / 2);
  pango_cairo_show_layout (cr, layout);
}

/* A monitor's number: its title, the value large and its unit under it,
 * at the right of the column from @top; nothing where it does not fit */
static void
draw_number (cairo_t       *cr,
             const Area    *area,
             double         top,
             PangoLayout   *title,
             PangoLayout   *value,
             PangoLayout   *unit,
             const GdkRGBA *color)
{
  int title_height, value_width, value_height, unit_width, unit_height;

  pango_layout_get_pixel_size (title, NULL, &title_height);
  pango_layout_get_pixel_size (value, &value_width, &value_height);
  pango_layout_get_pixel_size (unit, &unit_width, &unit_height);
  if (top + title_height + value_height > area->bottom)
    return;
  set_color (cr, color, 1.0);
  cairo_move_to (cr, area->left, top);
  pango_cairo_show_layout (cr, title);
  cairo_move_to (cr, area->right - value_width, top + title_height);
  pango_cairo_show_layout (cr, value);
  if (top + title_height + value_height + unit_height > area->bottom)
    return;
  set_color (cr, color, 0.75);
  cairo_move_to (cr, area->right - unit_width, top + title_height + value_height);
  pango_cairo_show_layout (cr, unit);
}

static void
draw_numbers (HeartSweep        *self,
              cairo_t           *cr,
              const SweepLayout *layout)
{
  int hr = heart_rate (self);

  if (hr != self->shown_hr)
    {
      g_autofree char *text = hr > 0 ? g_strdup_printf ("%d", hr) : g_strdup ("–");

      pango_layout_set_text (self->hr_value, text, -1);
      self->shown_hr = hr;
    }
  if (self->spo2 != self->shown_spo2)
    {
      g_autofree char *text = self->spo2 >= 0 ? g_strdup_printf ("%d", self->spo2) : g_strdup ("–");

      pango_layout_set_text (self->spo2_value, text, -1);
      self->shown_spo2 = self->spo2;
    }
  draw_number (cr, &layout->numbers, layout->ecg.top, self->hr_title, self->hr_value, self->hr_unit,
               &self->ecg_color);
  draw_number (cr, &layout->numbers, layout->pleth.top, self->spo2_title, self->spo2_value, self->spo2_unit,
               &self->pleth_color);
}

static void
heart_sweep_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  HeartSweep *self = HEART_SWEEP (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *placeholder = placeholder_text (self);
  SweepLayout layout;
  double gap_s;
  cairo_t *cr;

  if (width < 40 || height < 40)
    return;
  compute_layout (self, width, height, &layout);
  gap_s = GAP_PIXELS / (layout.ecg.right - layout.ecg.left) * self->seconds;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (self->show_grid)
    draw_grid (self, cr, &layout);
  if (placeholder == NULL)
    {
      draw_trace (self, cr, HEART_SWEEP_ECG, &layout.ecg, gap_s);
      draw_trace (self, cr, HEART_SWEEP_PLETH, &layout.pleth, gap_s);
      draw_premature_marks (self, cr, &layout.ecg, gap_s);
    }
  else
    {
      Area traces = { layout.ecg.left, layout.ecg.top, layout.ecg.right, layout.pleth.bottom };

      self->drawn_premature = 0;
      set_color (cr, &self->fg_color, 0.6);
      pango_layout_set_text (self->placeholder_layout, placeholder, -1);
      draw_centered (cr, self->placeholder_layout, &traces);
    }

  set_color (cr, &self->ecg_color, 1.0);
  cairo_move_to (cr, layout.ecg.left, layout.ecg.top);
  pango_cairo_show_layout (cr, self->ecg_title);
  set_color (cr, &self->pleth_color, 1.0);
  cairo_move_to (cr, layout.pleth.left, layout.pleth.top);
  pango_cairo_show_layout (cr, self->pleth_title);

  if (placeholder == NULL && heart_sweep_data_get_leads_off (self->data))
    {
      set_color (cr, &self->alarm_color, 1.0);
      draw_centered (cr, self->leads_off_layout, &layout.ecg);
    }
  draw_numbers (self, cr, &layout);
  cairo_destroy (cr);
}

/* ---------------------------------------------------------------- GtkWidget */

static PangoLayout *
make_layout (HeartSweep *self,
             const char *text,
             double      scale,
             gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  return layout;
}

static void
lookup_color (GtkWidget  *widget,
              const char *name,
              const char *fallback,
              GdkRGBA    *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
rebuild_layouts (HeartSweep *self)
{
  int width;

  g_clear_object (&self->ecg_title);
  /* Translators: the monitor trace's ECG lead (Einthoven's lead II) */
  self->ecg_title = make_layout (self, _("ECG II"), 1.0, TRUE);
  g_clear_object (&self->pleth_title);
  /* Translators: the monitor trace's photoplethysmogram, the pulse a finger clip sees */
  self->pleth_title = make_layout (self, _("Pleth"), 1.0, TRUE);
  g_clear_object (&self->hr_title);
  /* Translators: heart rate, the monitor trace's number */
  self->hr_title = make_layout (self, _("HR"), 1.0, TRUE);
  g_clear_object (&self->hr_unit);
  self->hr_unit = make_layout (self, _("bpm"), 1.0, FALSE);
  g_clear_object (&self->spo2_title);
  /* Translators: oxygen saturation, the monitor trace's number beside the pleth */
  self->spo2_title = make_layout (self, _("SpO₂"), 1.0, TRUE);
  g_clear_object (&self->spo2_unit);
  self->spo2_unit = make_layout (self, "%", 1.0, FALSE);
  g_clear_object (&self->spo2_value);
  self->spo2_value = make_layout (self, "", 2.4, TRUE);
  self->shown_spo2 = -2;
  g_clear_object (&self->leads_off_layout);
  self->leads_off_layout = make_layout (self, _("Leads off"), 1.2, TRUE);
  g_clear_object (&self->placeholder_layout);
  self->placeholder_layout = make_layout (self, "", 1.0, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (self->beat_labels); i++)
    {
      g_clear_object (&self->beat_labels[i]);
      self->beat_labels[i] = make_layout (self, i == 0 ? "V" : "S", 1.0, TRUE);
    }
  /* the widest number it shows, so that the column does not move */
  g_clear_object (&self->hr_value);
  self->hr_value = make_layout (self, "888", 3.2, TRUE);
  pango_layout_get_pixel_size (self->hr_value, &width, NULL);
  self->numbers_width = width;
  pango_layout_get_pixel_size (self->hr_title, &width, NULL);
  self->numbers_width = MAX (self->numbers_width, width);
  pango_layout_get_pixel_size (self->spo2_title, &width, NULL);
  self->numbers_width = MAX (self->numbers_width, width);
  self->shown_hr = -1;
  pango_layout_get_pixel_size (self->ecg_title, NULL, &self->label_height);
}

static void
heart_sweep_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  HeartSweep *self = HEART_SWEEP (widget);

  GTK_WIDGET_CLASS (heart_sweep_parent_class)->css_changed (widget, change);

  /* Named colours from style.css: the panel is a monitor's, dark in both
   * styles */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &self->fg_color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup_color (widget, "monitor_ecg_color", "#57e389", &self->ecg_color);
  lookup_color (widget, "monitor_pleth_color", "#62d8f2", &self->pleth_color);
  lookup_color (widget, "monitor_grid_color", "#57e389", &self->grid_color);
  lookup_color (widget, "monitor_alarm_color", "#f6d32d", &self->alarm_color);
  rebuild_layouts (self);
  gtk_widget_queue_resize (widget);
}

static void
heart_sweep_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  HeartSweep *self = HEART_SWEEP (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* a couple of beats at the least */
      *minimum = self->numbers_width + 10 + 160;
      *natural = self->numbers_width + 10 + (int) ceil (5 * PIXELS_PER_SECOND);
    }
  else
    {
      /* two strips with their titles and a few millimetres of trace */
      *minimum = 2 * (self->label_height + 36) + 8;
      *natural = 2 * (self->label_height + 52) + 8;
    }
}

static void
heart_sweep_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  HeartSweep *self = HEART_SWEEP (widget);
  SweepLayout layout;

  compute_layout (self, width, height, &layout);
  self->seconds = sweep_seconds (layout.ecg.right - layout.ecg.left);
}

static void
heart_sweep_map (GtkWidget *widget)
{
  HeartSweep *self = HEART_SWEEP (widget);

  GTK_WIDGET_CLASS (heart_sweep_parent_class)->map (widget);
  /* what came while unmapped is drawn now */
  self->pen_t = self->glide_from_t = self->latest_t;
  self->period_us = 0;
}

static void
heart_sweep_unmap (GtkWidget *widget)
{
  HeartSweep *self = HEART_SWEEP (widget);

  stop_ticking (self);
  GTK_WIDGET_CLASS (heart_sweep_parent_class)->unmap (widget);
}

static void
heart_sweep_dispose (GObject *object)
{
  HeartSweep *self = HEART_SWEEP (object);

  stop_ticking (self);
  g_clear_handle_id (&self->describe_id, g_source_remove);
  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  if (self->source_notify != NULL)
    g_signal_group_set_target (self->source_notify, NULL);
  g_clear_object (&self->source_signals);
  g_clear_object (&self->source_notify);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (heart_sweep_parent_class)->dispose (object);
}

static void
heart_sweep_finalize (GObject *object)
{
  HeartSweep *self = HEART_SWEEP (object);

  g_clear_pointer (&self->data, heart_sweep_data_free);
  g_clear_object (&self->ecg_title);
  g_clear_object (&self->pleth_title);
  g_clear_object (&self->hr_title);
  g_clear_object (&self->hr_unit);
  g_clear_object (&self->hr_value);
  g_clear_object (&self->spo2_title);
  g_clear_object (&self->spo2_unit);
  g_clear_object (&self->spo2_value);
  g_clear_object (&self->leads_off_layout);
  g_clear_object (&self->placeholder_layout);
  for (guint i = 0; i < G_N_ELEMENTS (self->beat_labels); i++)
    g_clear_object (&self->beat_labels[i]);
  g_free (self->description);
  G_OBJECT_CLASS (heart_sweep_parent_class)->finalize (object);
}

static void
heart_sweep_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  HeartSweep *self = HEART_SWEEP (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_SHOW_GRID:
      g_value_set_boolean (value, self->show_grid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sweep_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  HeartSweep *self = HEART_SWEEP (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      heart_sweep_set_source (self, g_value_get_object (value));
      break;
    case PROP_SHOW_GRID:
      heart_sweep_set_show_grid (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sweep_class_init (HeartSweepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_sweep_dispose;
  object_class->finalize = heart_sweep_finalize;
  object_class->get_property = heart_sweep_get_property;
  object_class->set_property = heart_sweep_set_property;
  widget_class->snapshot = heart_sweep_snapshot;
  widget_class->css_changed = heart_sweep_css_changed;
  widget_class->measure = heart_sweep_measure;
  widget_class->size_allocate = heart_sweep_size_allocate;
  widget_class->map = heart_sweep_map;
  widget_class->unmap = heart_sweep_unmap;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_GRID] =
    g_param_spec_boolean ("show-grid", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heartsweep");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
heart_sweep_init (HeartSweep *self)
{
  self->data = heart_sweep_data_new ();
  self->show_grid = TRUE;
  self->seconds = 5;
  self->shown_hr = -1;
  self->spo2 = -1;
  rebuild_layouts (self);

  /* an interface's signals exist once its default vtable does, which
   * may be before any source was made */
  g_type_default_interface_unref (g_type_default_interface_ref (HEART_TYPE_SOURCE));
  self->source_signals = g_signal_group_new (HEART_TYPE_SOURCE);
  g_signal_group_connect_swapped (self->source_signals, "waveform", G_CALLBACK (on_waveform), self);
  g_signal_group_connect_swapped (self->source_signals, "sample", G_CALLBACK (on_sample), self);
  self->source_notify = g_signal_group_new (G_TYPE_OBJECT);
  /* a HeartSourceSwitch's; other sources have no "source" and never send it */
  g_signal_group_connect_swapped (self->source_notify, "notify::source",
                                  G_CALLBACK (on_source_switched), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("ECG and pleth"), -1);
  update_description (self, TRUE);
}

/* ---------------------------------------------------------------- API */

GtkWidget *
heart_sweep_new (void)
{
  return g_object_new (HEART_TYPE_SWEEP, NULL);
}

HeartSource *
heart_sweep_get_source (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), NULL);
  return self->source;
}

void
heart_sweep_set_source (HeartSweep  *self,
                        HeartSource *source)
{
  g_return_if_fail (HEART_IS_SWEEP (self));
  g_return_if_fail (source == NULL || HEART_IS_SOURCE (source));

  if (!g_set_object (&self->source, source))
    return;
  g_signal_group_set_target (self->source_signals, source);
  g_signal_group_set_target (self->source_notify, source);
  on_source_switched (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

gboolean
heart_sweep_get_show_grid (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), FALSE);
  return self->show_grid;
}

void
heart_sweep_set_show_grid (HeartSweep *self,
                           gboolean    show_grid)
{
  g_return_if_fail (HEART_IS_SWEEP (self));

  show_grid = !!show_grid;
  if (self->show_grid == show_grid)
    return;
  self->show_grid = show_grid;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_GRID]);
}

double
heart_sweep_get_seconds (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), 0);
  return self->seconds;
}

double
heart_sweep_get_write_time (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), NAN);
  return heart_sweep_data_get_end_time (self->data, HEART_SWEEP_ECG);
}

double
heart_sweep_get_write_position (HeartSweep *self)
{
  double t;

  g_return_val_if_fail (HEART_IS_SWEEP (self), NAN);
  t = heart_sweep_get_write_time (self);
  return t - floor (t / self->seconds) * self->seconds;
}

int
heart_sweep_get_heart_rate (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), 0);
  return heart_rate (self);
}

char
heart_sweep_get_last_beat (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), 0);
  return heart_sweep_data_get_last_beat (self->data);
}

gboolean
heart_sweep_get_leads_off (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), FALSE);
  return heart_sweep_data_get_leads_off (self->data);
}

guint
heart_sweep_get_n_premature_drawn (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), 0);
  return self->drawn_premature;
}

gboolean
heart_sweep_get_animating (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), FALSE);
  return self->tick_id != 0;
}

int
heart_sweep_get_spo2 (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), -1);
  return self->spo2;
}

const char *
heart_sweep_get_placeholder (HeartSweep *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP (self), NULL);
  return placeholder_text (self);
}
