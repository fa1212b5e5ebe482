/* heart-render.c: render a widget to pixels (screenshots, tests)
 *
 * Uses the window's own GskRenderer, so the picture is exactly what is on
 * screen, with no screen grabber and no compositor involved. A widget's
 * render node only exists between a paint and its next invalidation, and
 * the live chart invalidates every frame, so captures wait for after-paint.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-render.h"

#include <glib/gi18n.h>

typedef struct
{
  GtkWidget       *widget;
  GdkFrameClock   *frame_clock;
  gulong           handler_id;
  HeartRenderFunc  func;
  gpointer         user_data;
} RenderRequest;

GdkTexture *
heart_render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GtkNative *native;
  GskRenderer *renderer;
  int width, height, scale;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  native = gtk_widget_get_native (widget);
  if (width <= 0 || height <= 0 || native == NULL)
    return NULL;
  renderer = gtk_native_get_renderer (native);
  if (renderer == NULL)
    return NULL;

  /* At the scale factor, so a HiDPI capture is sharp, not upscaled */
  scale = gtk_widget_get_scale_factor (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_scale (snapshot, scale, scale);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return NULL;

  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, width * scale, height * scale));
}

static void
render_request_free (RenderRequest *request)
{
  g_clear_signal_handler (&request->handler_id, request->frame_clock);
  g_clear_object (&request->frame_clock);
  g_clear_object (&request->widget);
  g_free (request);
}

static void
on_after_paint (GdkFrameClock *frame_clock,
                RenderRequest *request)
{
  g_autoptr(GdkTexture) texture = heart_render_widget (request->widget);

  if (texture == NULL)
    {
      /* Invalidated again before we got here: try the next frame */
      gtk_widget_queue_draw (request->widget);
      return;
    }
  request->func (request->widget, texture, request->user_data);
  render_request_free (request);
}

void
heart_render_widget_after_paint (GtkWidget       *widget,
                                 HeartRenderFunc  func,
                                 gpointer         user_data)
{
  RenderRequest *request;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (gtk_widget_get_realized (widget));

  request = g_new0 (RenderRequest, 1);
  request->widget = g_object_ref (widget);
  request->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  request->func = func;
  request->user_data = user_data;
  request->handler_id = g_signal_connect (request->frame_clock, "after-paint",
                                          G_CALLBACK (on_after_paint), request);
  gtk_widget_queue_draw (widget);
}

gboolean
heart_render_texture_to_png (GdkTexture  *texture,
                             const char  *path,
                             GError     **error)
{
  g_return_val_if_fail (GDK_IS_TEXTURE (texture), FALSE);

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s"), path);
      return FALSE;
    }
  return TRUE;
}
