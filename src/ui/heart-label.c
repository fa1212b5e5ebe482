/* heart-label.c: labels that change every tick
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-label.h"

#include <math.h>

void
heart_label_set_printf (GtkLabel   *label,
                        const char *format,
                        ...)
{
  char text[192];
  va_list args;

  va_start (args, format);
  g_vsnprintf (text, sizeof text, format, args);
  va_end (args);
  if (g_strcmp0 (gtk_label_get_label (label), text) != 0)
    gtk_label_set_label (label, text);
}

void
heart_widget_set_accessible_printf (GtkWidget  *widget,
                                    const char *format,
                                    ...)
{
  char text[192];
  va_list args;

  va_start (args, format);
  g_vsnprintf (text, sizeof text, format, args);
  va_end (args);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  -1);
}

char *
heart_format_clock (double seconds)
{
  guint64 whole = seconds > 0 && isfinite (seconds) ? (guint64) seconds : 0;

  if (whole >= 3600)
    return g_strdup_printf ("%" G_GUINT64_FORMAT ":%02u:%02u",
                            whole / 3600, (guint) (whole / 60 % 60), (guint) (whole % 60));
  return g_strdup_printf ("%u:%02u", (guint) (whole / 60), (guint) (whole % 60));
}
