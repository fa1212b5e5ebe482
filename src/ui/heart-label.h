/* heart-label.h: labels that change every tick
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Format into a stack buffer (readouts change every tick), and set the
 * label only when the text changed, which saves a relayout */
void heart_label_set_printf              (GtkLabel   *label,
                                          const char *format,
                                          ...) G_GNUC_PRINTF (2, 3);
void heart_widget_set_accessible_printf  (GtkWidget  *widget,
                                          const char *format,
                                          ...) G_GNUC_PRINTF (2, 3);
/* What a slider or a level bar shows, for screen readers: "80 %", not the
 * 0.8 of its adjustment (the accessible value text) */
void heart_widget_set_value_text_printf  (GtkWidget  *widget,
                                          const char *format,
                                          ...) G_GNUC_PRINTF (2, 3);
/* A button's accessible name from its mnemonic label: "_Stop" → "Stop"
 * (a button whose child is an AdwButtonContent has none of its own) */
void heart_widget_set_accessible_mnemonic (GtkWidget  *widget,
                                           const char *mnemonic_label);
/* GTK 4.8 gives the focus to a menu button's inner toggle button, which
 * has no name of its own: name both */
void heart_menu_button_set_accessible_label (GtkMenuButton *button,
                                             const char    *label);
/* A time on a clock face: "4:05", "1:02:03" (whole seconds, rounded down) */
char *heart_format_clock                 (double      seconds) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
