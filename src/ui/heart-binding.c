/* heart-binding.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-binding.h"

#include <math.h>

gboolean
heart_binding_uint_to_double (GBinding     *binding,
                              const GValue *from,
                              GValue       *to,
                              gpointer      user_data)
{
  g_value_set_double (to, g_value_get_uint (from));
  return TRUE;
}

gboolean
heart_binding_double_to_rounded_uint (GBinding     *binding,
                                      const GValue *from,
                                      GValue       *to,
                                      gpointer      user_data)
{
  g_value_set_uint (to, (guint) lround (g_value_get_double (from)));
  return TRUE;
}
