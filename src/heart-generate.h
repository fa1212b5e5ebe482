/* heart-generate.h: `heartsim generate`, the dataset command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @argv[0] is "generate" */
int      heart_generate_main  (int argc,
                               char **argv);

G_END_DECLS
