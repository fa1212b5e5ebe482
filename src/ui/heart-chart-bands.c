/* heart-chart-bands.c: the activity and sleep bands of the chart's long spans
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "heart-chart-bands.h"

/* The hypnogram's levels, top to bottom: awake (and in bed), REM, core, deep */
#define SLEEP_LEVELS 4
#define SLEEP_LEVEL_HEIGHT 8.0

typedef struct
{
  const char *color;        /* named colour of style.css */
  const char *fallback;
} NamedColor;

static const NamedColor activity_colors[HEART_N_ACTIVITIES] = {
  [HEART_ACTIVITY_REST]    = { "activity_rest_color", "#c0bfbc" },
  [HEART_ACTIVITY_SITTING] = { "activity_sitting_color", "#99c1f1" },
  [HEART_ACTIVITY_WALKING] = { "activity_walking_color", "#33d17a" },
  [HEART_ACTIVITY_RUNNING] = { "activity_running_color", "#f5c211" },
  [HEART_ACTIVITY_CYCLING] = { "activity_cycling_color", "#dc8add" },
  [HEART_ACTIVITY_SLEEP]   = { "activity_sleep_color", "#1a5fb4" },
};

static const NamedColor sleep_colors[HEART_N_DAY_SLEEP] = {
  [HEART_DAY_SLEEP_NONE]   = { "sleep_in_bed_color", "#9a9996" },
  [HEART_DAY_SLEEP_IN_BED] = { "sleep_in_bed_color", "#9a9996" },
  [HEART_DAY_SLEEP_AWAKE]  = { "sleep_awake_color", "#f66151" },
  [HEART_DAY_SLEEP_CORE]   = { "sleep_core_color", "#3584e4" },
  [HEART_DAY_SLEEP_DEEP]   = { "sleep_deep_color", "#9141ac" },
  [HEART_DAY_SLEEP_REM]    = { "sleep_rem_color", "#99c1f1" },
};

/* The key of the sleep band, in the order of the levels */
static const HeartDaySleep sleep_key[] = {
  HEART_DAY_SLEEP_AWAKE, HEART_DAY_SLEEP_REM, HEART_DAY_SLEEP_CORE, HEART_DAY_SLEEP_DEEP,
};

static guint
sleep_level (HeartDaySleep sleep)
{
  switch (sleep)
    {
    case HEART_DAY_SLEEP_DEEP: return 0;
    case HEART_DAY_SLEEP_CORE: return 1;
    case HEART_DAY_SLEEP_REM: return 2;
    case HEART_DAY_SLEEP_NONE:
    case HEART_DAY_SLEEP_IN_BED:
    case HEART_DAY_SLEEP_AWAKE:
    case HEART_N_DAY_SLEEP:
    default:
      return 3;
    }
}

static const char *
activity_name (HeartActivityType type)
{
  switch (type)
    {
    case HEART_ACTIVITY_REST: return C_("activity", "Rest");
    case HEART_ACTIVITY_SITTING: return C_("activity", "Sitting");
    case HEART_ACTIVITY_WALKING: return C_("activity", "Walking");
    case HEART_ACTIVITY_RUNNING: return C_("activity", "Running");
    case HEART_ACTIVITY_CYCLING: return C_("activity", "Cycling");
    case HEART_ACTIVITY_SLEEP: return C_("activity", "Sleep");
    case HEART_N_ACTIVITIES:
    default:
      return "";
    }
}

static const char *
sleep_name (HeartDaySleep sleep)
{
  switch (sleep)
    {
    case HEART_DAY_SLEEP_IN_BED: return C_("sleep stage", "In bed");
    case HEART_DAY_SLEEP_AWAKE: return C_("sleep stage", "Awake");
    case HEART_DAY_SLEEP_CORE: return C_("sleep stage", "Core");
    case HEART_DAY_SLEEP_DEEP: return C_("sleep stage", "Deep");
    case HEART_DAY_SLEEP_REM: return C_("sleep stage", "REM");
    case HEART_DAY_SLEEP_NONE:
    case HEART_N_DAY_SLEEP:
    default:
      return "";
    }
}

/* GtkStyleContext is what GTK 4.8 has to look up named colours */
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
static void
load_color (GtkWidget        *widget,
            const NamedColor *named,
            GdkRGBA          *color)
{
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), named->color, color))
    gdk_rgba_parse (color, named->fallback);
}

static void
load_fg_color (GtkWidget *widget,
               GdkRGBA   *color)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
}
G_GNUC_END_IGNORE_DEPRECATIONS

void
heart_band_style_load (HeartBandStyle *style,
                       GtkWidget      *widget)
{
  heart_band_style_clear (style);
  load_fg_color (widget, &style->fg);
  for (guint i = 0; i < HEART_N_ACTIVITIES; i++)
    {
      load_color (widget, &activity_colors[i], &style->activity[i]);
      style->activity_names[i] = gtk_widget_create_pango_layout (widget, activity_name (i));
    }
  for (guint i = 0; i < HEART_N_DAY_SLEEP; i++)
    {
      load_color (widget, &sleep_colors[i], &style->sleep[i]);
      style->sleep_names[i] = gtk_widget_create_pango_layout (widget, sleep_name (i));
    }
  /* Translators: the title of the chart's band of what the person did */
  style->titles[HEART_BAND_ACTIVITY] = gtk_widget_create_pango_layout (widget, _("Activity"));
  /* Translators: the title of the chart's hypnogram */
  style->titles[HEART_BAND_SLEEP] = gtk_widget_create_pango_layout (widget, _("Sleep"));
}

void
heart_band_style_clear (HeartBandStyle *style)
{
  for (guint i = 0; i < HEART_N_ACTIVITIES; i++)
    g_clear_object (&style->activity_names[i]);
  for (guint i = 0; i < HEART_N_DAY_SLEEP; i++)
    g_clear_object (&style->sleep_names[i]);
  for (guint i = 0; i < HEART_N_BANDS; i++)
    g_clear_object (&style->titles[i]);
}

double
heart_band_height (HeartBandId band,
                   int         label_height)
{
  return band == HEART_BAND_SLEEP ? SLEEP_LEVELS * SLEEP_LEVEL_HEIGHT : label_height + 6;
}

static void
set_color (cairo_t       *cr,
           const GdkRGBA *color,
           double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static double
x_for_time (const HeartBandArea *area,
            double               t)
{
  return area->right - (area->edge_t - t) / area->window_seconds * (area->right - area->left);
}

/* Dark text on light colours, light text on dark ones */
static void
set_text_color_on (cairo_t       *cr,
                   const GdkRGBA *background)
{
  double luminance = 0.2126 * background->red + 0.7152 * background->green + 0.0722 * background->blue;

  if (luminance > 0.55)
    cairo_set_source_rgba (cr, 0, 0, 0, 0.8);
  else
    cairo_set_source_rgba (cr, 1, 1, 1, 0.95);
}

static void
draw_activity_name (const HeartBandStyle *style,
                    cairo_t              *cr,
                    const HeartChartBand *segment,
                    double                x0,
                    double                x1,
                    const HeartBandArea  *area)
{
  PangoLayout *name = style->activity_names[segment->value];
  int width, height;

  pango_layout_get_pixel_size (name, &width, &height);
  if (x1 - x0 < width + 8)
    return;
  set_text_color_on (cr, &style->activity[segment->value]);
  cairo_move_to (cr, x0 + 4, (area->top + area->bottom - height) / 2);
  pango_cairo_show_layout (cr, name);
}

void
heart_band_draw (const HeartBandStyle *style,
                 cairo_t              *cr,
                 HeartBandId           band,
                 const HeartBandArea  *area,
                 const HeartChartBand *segments,
                 guint                 n_segments)
{
  double level_height = (area->bottom - area->top) / SLEEP_LEVELS;

  cairo_save (cr);
  cairo_rectangle (cr, area->left, area->top, area->right - area->left, area->bottom - area->top);
  cairo_clip (cr);
  /* the strip's ground, so that a band with nothing in it still shows */
  set_color (cr, &style->fg, 0.05);
  cairo_paint (cr);

  for (guint i = 0; i < n_segments; i++)
    {
      const HeartChartBand *segment = &segments[i];
      double x0 = MAX (x_for_time (area, segment->from), area->left);
      double x1 = MIN (x_for_time (area, segment->to), area->right);

      if (x1 <= area->left || x0 >= area->right)
        continue;
      /* a stretch narrower than a pixel still shows */
      x1 = MAX (x1, x0 + 1);
      if (band == HEART_BAND_ACTIVITY && segment->value < HEART_N_ACTIVITIES)
        {
          set_color (cr, &style->activity[segment->value], 1.0);
          cairo_rectangle (cr, x0, area->top, x1 - x0, area->bottom - area->top);
          cairo_fill (cr);
          draw_activity_name (style, cr, segment, x0, x1, area);
        }
      else if (band == HEART_BAND_SLEEP && segment->value < HEART_N_DAY_SLEEP)
        {
          guint level = sleep_level (segment->value);
          double y = area->bottom - (level + 1) * level_height;

          set_color (cr, &style->sleep[segment->value], 1.0);
          cairo_rectangle (cr, x0, y + 1, x1 - x0, level_height - 2);
          cairo_fill (cr);
        }
    }
  cairo_restore (cr);
}

/* A swatch and a name; FALSE when it does not fit before @right */
static gboolean
draw_key_entry (cairo_t       *cr,
                const GdkRGBA *color,
                const GdkRGBA *fg,
                PangoLayout   *name,
                double        *x,
                double         y,
                double         right,
                int            label_height)
{
  double swatch = MAX (6, label_height * 0.55);
  int width;

  pango_layout_get_pixel_size (name, &width, NULL);
  if (*x + swatch + 4 + width > right)
    return FALSE;
  set_color (cr, color, 1.0);
  cairo_rectangle (cr, *x, y + (label_height - swatch) / 2, swatch, swatch);
  cairo_fill (cr);
  set_color (cr, fg, 0.6);
  cairo_move_to (cr, *x + swatch + 4, y);
  pango_cairo_show_layout (cr, name);
  *x += swatch + 4 + width + 12;
  return TRUE;
}

void
heart_band_draw_title (const HeartBandStyle *style,
                       cairo_t              *cr,
                       HeartBandId           band,
                       const HeartBandArea  *area,
                       int                   label_height)
{
  double y = area->top - label_height - 3;
  double x = area->left;
  int width;

  set_color (cr, &style->fg, 0.75);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, style->titles[band]);
  pango_layout_get_pixel_size (style->titles[band], &width, NULL);
  x += width + 16;

  if (band == HEART_BAND_ACTIVITY)
    {
      for (guint i = 0; i < HEART_N_ACTIVITIES; i++)
        if (!draw_key_entry (cr, &style->activity[i], &style->fg, style->activity_names[i],
                             &x, y, area->right, label_height))
          break;
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sleep_key); i++)
    if (!draw_key_entry (cr, &style->sleep[sleep_key[i]], &style->fg, style->sleep_names[sleep_key[i]],
                         &x, y, area->right, label_height))
      break;
}
