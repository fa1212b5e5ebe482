/* heart-server-validate.h: FastAPI-shaped query validation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-channel.h"

G_BEGIN_DECLS

typedef struct _HeartValidation HeartValidation;

HeartValidation *heart_validation_new        (GHashTable *query);
void             heart_validation_free       (HeartValidation *validation);
/* Each returns TRUE and sets @out when the parameter is valid; otherwise
 * records a FastAPI-shaped error. Absent optional parameters keep @out. */
gboolean         heart_validation_double     (HeartValidation *validation,
                                              const char *name,
                                              gboolean required,
                                              double min,
                                              double max,
                                              double *out);
gboolean         heart_validation_int        (HeartValidation *validation,
                                              const char *name,
                                              gboolean required,
                                              gint64 min,
                                              gint64 max,
                                              gint64 *out);
/* After heart_validation_int() took @name as @value: "multiple_of", as
 * pydantic words it, unless @value is a multiple of @step */
gboolean         heart_validation_multiple_of (HeartValidation *validation,
                                              const char *name,
                                              gint64 value,
                                              gint64 step);
/* Records an error for each parameter of @raw_query (as sent, still
 * percent-encoded) that holds an encoded NUL */
void             heart_validation_refuse_nul (HeartValidation *validation,
                                              const char *raw_query);
/* A comma-separated list of channel names ("types=heart_rate,eda"), all
 * periodic ones with @periodic_only, just one with @single */
gboolean         heart_validation_channels   (HeartValidation *validation,
                                              const char *name,
                                              gboolean periodic_only,
                                              gboolean single,
                                              HeartChannelMask *out);
/* One of @choices (NULL-terminated): "missing" when @required and absent,
 * "enum" when another word; NULL in *@out then */
gboolean         heart_validation_choice     (HeartValidation *validation,
                                              const char *name,
                                              gboolean required,
                                              const char * const *choices,
                                              const char **out);
/* A value error at @location ("query", "body") and @name (NULL: the whole
 * body); @input NULL: none */
void             heart_validation_add_error  (HeartValidation *validation,
                                              const char *location,
                                              const char *name,
                                              const char *message,
                                              const char *input);
gboolean         heart_validation_ok         (HeartValidation *validation);
/* {"detail":[{"loc":["query",name],"msg":…,"type":…,"input":…},…]} */
char            *heart_validation_to_json    (HeartValidation *validation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartValidation, heart_validation_free)

G_END_DECLS
