/* heart-binding.h: GBinding transforms the window and the preferences share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Adjustments hold doubles; settings such as the baseline and the port are
 * whole numbers, so a slider's value is rounded on its way back. */
gboolean heart_binding_uint_to_double         (GBinding *binding,
                                               const GValue *from,
                                               GValue *to,
                                               gpointer user_data);
gboolean heart_binding_double_to_rounded_uint (GBinding *binding,
                                               const GValue *from,
                                               GValue *to,
                                               gpointer user_data);

G_END_DECLS
