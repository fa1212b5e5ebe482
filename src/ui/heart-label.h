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
/* A time on a clock face: "4:05", "1:02:03" (whole seconds, rounded down) */
char *heart_format_clock                 (double      seconds) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
