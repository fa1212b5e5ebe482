/* heart-chart-cursor.c: the chart's crosshair and the values it reads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "heart-chart-cursor.h"

char *
heart_chart_format_age (double age_s)
{
  guint whole = (guint) MAX (floor (age_s + 0.5), 0);

  if (whole == 0)
    /* Translators: the crosshair is on the newest sample */
    return g_strdup (C_("chart time", "now"));
  if (whole < 60)
    /* Translators: seconds before the newest sample; "−" is a minus sign */
    return g_strdup_printf (C_("chart time", "−%u s"), whole);
  if (whole < 3600)
    /* Translators: minutes and seconds before the newest sample */
    return g_strdup_printf (C_("chart time", "−%u min %u s"), whole / 60, whole % 60);
  /* Translators: hours and minutes before the newest sample */
  return g_strdup_printf (C_("chart time", "−%u h %u min"), whole / 3600, whole / 60 % 60);
}

/* The parts of a reading, each a phrase; the first is the time */
static GPtrArray *
reading_parts (const HeartChartReading *reading,
               const gboolean          *shown)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (parts, heart_chart_format_age (reading->age_s));
  if (isfinite (reading->rr_ms))
    /* Translators: the heart rate and the RR interval at the crosshair */
    g_ptr_array_add (parts, g_strdup_printf (_("%.0f bpm · RR %.0f ms"), reading->bpm, reading->rr_ms));
  else
    g_ptr_array_add (parts, g_strdup_printf (_("%.0f bpm"), reading->bpm));
  if (isfinite (reading->stress))
    /* Translators: the stress level at the crosshair */
    g_ptr_array_add (parts, g_strdup_printf (_("Stress %.0f %%"), reading->stress * 100));
  if (shown[HEART_TRACE_BREATHING] && isfinite (reading->traces[HEART_TRACE_BREATHING]))
    /* Translators: the breathing waveform's value (chest expansion, no unit) */
    g_ptr_array_add (parts, g_strdup_printf (_("Breathing %.2f"), reading->traces[HEART_TRACE_BREATHING]));
  if (shown[HEART_TRACE_SKIN] && isfinite (reading->traces[HEART_TRACE_SKIN]))
    /* Translators: skin conductance at the crosshair; µS is microsiemens */
    g_ptr_array_add (parts, g_strdup_printf (_("Skin %.2f µS"), reading->traces[HEART_TRACE_SKIN]));
  if (reading->event_active && isfinite (reading->event_level))
    /* Translators: an acute stress event at the crosshair, and its level */
    g_ptr_array_add (parts, g_strdup_printf (_("Stress event at %.0f %%"), reading->event_level * 100));
  else if (reading->event_active)
    g_ptr_array_add (parts, g_strdup (_("Stress event")));
  if (reading->phase[0] != '\0')
    /* Translators: the scenario phase at the crosshair */
    g_ptr_array_add (parts, g_strdup_printf (_("Phase: %s"), reading->phase));
  g_ptr_array_add (parts, NULL);
  return parts;
}

char *
heart_chart_reading_format (const HeartChartReading *reading,
                            const gboolean          *shown)
{
  g_autoptr(GPtrArray) parts = reading_parts (reading, shown);

  return g_strjoinv ("\n", (char **) parts->pdata);
}

char *
heart_chart_reading_sentence (const HeartChartReading *reading,
                              const gboolean          *shown)
{
  g_autoptr(GPtrArray) parts = reading_parts (reading, shown);

  return g_strjoinv (", ", (char **) parts->pdata);
}

void
heart_chart_cursor_draw (cairo_t       *cr,
                         PangoLayout   *text,
                         double         x,
                         double         top,
                         double         bottom,
                         double         left,
                         double         right,
                         const GdkRGBA *fg,
                         const GdkRGBA *card)
{
  int width, height;
  double box_x, box_y = top + 6;

  cairo_save (cr);
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.6);
  cairo_move_to (cr, floor (x) + 0.5, top);
  cairo_line_to (cr, floor (x) + 0.5, bottom);
  cairo_stroke (cr);

  /* beside the line, on the side with room */
  pango_layout_get_pixel_size (text, &width, &height);
  box_x = x + 10;
  if (box_x + width + 12 > right)
    box_x = x - 10 - width - 12;
  box_x = MAX (box_x, left);
  cairo_set_source_rgba (cr, card->red, card->green, card->blue, 0.94);
  cairo_rectangle (cr, box_x, box_y, width + 12, height + 8);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.25);
  cairo_stroke (cr);
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.9);
  cairo_move_to (cr, box_x + 6, box_y + 4);
  pango_cairo_show_layout (cr, text);
  cairo_restore (cr);
}
