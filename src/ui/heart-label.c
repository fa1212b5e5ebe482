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

static void G_GNUC_PRINTF (3, 0)
update_property_vprintf (GtkWidget             *widget,
                         GtkAccessibleProperty  property,
                         const char            *format,
                         va_list                args)
{
  char text[192];

  g_vsnprintf (text, sizeof text, format, args);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), property, text, -1);
}

void
heart_widget_set_accessible_printf (GtkWidget  *widget,
                                    const char *format,
                                    ...)
{
  va_list args;

  va_start (args, format);
  update_property_vprintf (widget, GTK_ACCESSIBLE_PROPERTY_LABEL, format, args);
  va_end (args);
}

void
heart_widget_set_value_text_printf (GtkWidget  *widget,
                                    const char *format,
                                    ...)
{
  va_list args;

  va_start (args, format);
  update_property_vprintf (widget, GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, format, args);
  va_end (args);
}

void
heart_widget_set_accessible_mnemonic (GtkWidget  *widget,
                                      const char *mnemonic_label)
{
  GString *name = g_string_new (NULL);

  for (const char *c = mnemonic_label; *c != '\0'; c++)
    if (*c != '_' || c[1] == '_')
      g_string_append_c (name, *c == '_' ? c++[1] : *c);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name->str, -1);
  g_string_free (name, TRUE);
}

void
heart_menu_button_set_accessible_label (GtkMenuButton *button,
                                        const char    *label)
{
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (inner != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
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
