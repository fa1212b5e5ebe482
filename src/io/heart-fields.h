/* heart-fields.h: one flat record written as a JSON object or a CSV row
 *
 * Samples on the wire, sample datasets and beat datasets all go through
 * here, so a field has the same name and the same decimals everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-channel.h"

G_BEGIN_DECLS

typedef enum {
  HEART_FIELDS_JSON,
  HEART_FIELDS_CSV,
} HeartFieldsFormat;

typedef enum {
  HEART_FIELD_TIMESTAMP,   /* integer µs since the epoch, written as ISO 8601 with ms */
  HEART_FIELD_INT,
  HEART_FIELD_DECIMALS_1,
  HEART_FIELD_DECIMALS_3,
  HEART_FIELD_STRING,      /* plain ASCII, nothing to escape */
  HEART_FIELD_NULL,        /* no value: JSON null, an empty CSV cell */
  HEART_FIELD_BOOLEAN,     /* .integer 0 or not: JSON false/true, CSV 0/1 as datasets write flags */
} HeartFieldKind;

/* A non-finite number is a value a source does not have (a replayed file
 * without that channel, docs/replay.md): written as HEART_FIELD_NULL. */

typedef struct _HeartField
{
  const char     *name;
  HeartFieldKind  kind;
  gint64          integer;
  double          number;
  const char     *string;
} HeartField;

/* a sample's fields: the seed's, one a periodic channel the seed lacks,
 * condition and event (heart-sample-fields.c) */
#define HEART_FIELDS_MAX (12 + HEART_N_CHANNELS)

void heart_fields_append        (GString *out,
                                 HeartFieldsFormat format,
                                 const HeartField *fields,
                                 guint n_fields);
void heart_fields_append_header (GString *out,
                                 const HeartField *fields,
                                 guint n_fields);

/* "2026-01-09T12:34:56.789Z" appended to @out */
void         heart_append_iso8601_ms    (GString *out, gint64 timestamp_us);

G_END_DECLS
