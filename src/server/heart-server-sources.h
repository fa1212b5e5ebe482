/* heart-server-sources.h: main-loop sources on the thread's own context
 *
 * The fan-out may run in a thread with a GMainContext of its own, so what
 * it schedules goes to the thread-default context, never to the global
 * default one that g_idle_add() and g_timeout_add() use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Attaches @source (taking it) to the thread-default context; returns it,
 * for heart_source_clear() */
static inline GSource *
heart_source_attach (GSource     *source,
                     gint         priority,
                     GSourceFunc  func,
                     gpointer     data)
{
  g_source_set_priority (source, priority);
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static inline GSource *
heart_source_idle (gint         priority,
                   GSourceFunc  func,
                   gpointer     data)
{
  return heart_source_attach (g_idle_source_new (), priority, func, data);
}

static inline GSource *
heart_source_timeout (guint        interval_ms,
                      gint         priority,
                      GSourceFunc  func,
                      gpointer     data)
{
  return heart_source_attach (g_timeout_source_new (interval_ms), priority, func, data);
}

/* Destroys *@source if set, and clears it */
static inline void
heart_source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* From the source's own callback, as it ends (G_SOURCE_REMOVE) */
static inline void
heart_source_done (GSource **source)
{
  g_clear_pointer (source, g_source_unref);
}

G_END_DECLS
