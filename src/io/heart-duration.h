/* heart-duration.h: the strict number and duration syntax of the command
 * line and of scenario files (docs/datasets.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Digits with at most one '.', at least one digit: no sign, space,
 * exponent, hex, inf or nan. Returns the end of the number, or NULL when
 * @text does not start with one. */
const char *heart_decimal_scan  (const char *text,
                                 double *value);
/* Plain seconds ("600"), or numbers each with a unit, each unit at most
 * once and the largest first ("1d12h", "1h30m", "1.5h", "90s"); no range
 * check */
gboolean    heart_duration_scan (const char *text,
                                 double *seconds);

/* Sets a G_OPTION_ERROR_BAD_VALUE with the message; returns FALSE */
gboolean    heart_option_error   (GError **error,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (2, 3);

#define HEART_DURATION_MAX_S (366.0 * 24 * 3600)

/* --duration: as heart_duration_scan(), more than 0 and at most 366 days;
 * the error (G_OPTION_ERROR_BAD_VALUE) names the option */
gboolean    heart_parse_duration (const char *text,
                                  double *seconds,
                                  GError **error);

G_END_DECLS
