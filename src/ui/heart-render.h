/* heart-render.h: render a widget to pixels (screenshots, tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*HeartRenderFunc) (GtkWidget  *widget,
                                 GdkTexture *texture,
                                 gpointer    user_data);

/* The widget as last painted, at its window's scale factor; NULL when it
 * has no size, is not in a realized window, or has changed since it was
 * painted (its render node is gone until the next frame). */
GdkTexture *heart_render_widget             (GtkWidget *widget) G_GNUC_WARN_UNUSED_RESULT;
/* Calls @func with the widget's picture right after the next frame that
 * painted it, so it works while the widget animates. */
void        heart_render_widget_after_paint (GtkWidget *widget,
                                             HeartRenderFunc func,
                                             gpointer user_data);
gboolean    heart_render_texture_to_png     (GdkTexture *texture,
                                             const char *path,
                                             GError **error);

G_END_DECLS
