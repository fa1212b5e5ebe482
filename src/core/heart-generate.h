/* heart-generate.h: `heartsim generate`, the dataset command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "90s", "10m", "24h", "2d", "1h30m", "1.5h" or plain seconds ("600"):
 * digits with at most one '.', units largest first, more than 0 and at
 * most 366 days (docs/datasets.md) */
gboolean heart_parse_duration (const char *text,
                               double *seconds,
                               GError **error);
/* @argv[0] is "generate" */
int      heart_generate_main  (int argc,
                               char **argv);

G_END_DECLS
