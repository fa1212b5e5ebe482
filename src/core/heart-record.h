/* heart-record.h: one flat record written as a JSON object or a CSV row
 *
 * Samples on the wire, sample datasets and beat datasets all go through
 * here, so a field has the same name and the same decimals everywhere.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  HEART_RECORD_JSON,
  HEART_RECORD_CSV,
} HeartRecordFormat;

typedef enum {
  HEART_FIELD_TIMESTAMP,   /* integer µs since the epoch, written as ISO 8601 with ms */
  HEART_FIELD_INT,
  HEART_FIELD_DECIMALS_1,
  HEART_FIELD_DECIMALS_3,
  HEART_FIELD_STRING,      /* plain ASCII, nothing to escape */
} HeartFieldKind;

typedef struct _HeartField
{
  const char     *name;
  HeartFieldKind  kind;
  gint64          integer;
  double          number;
  const char     *string;
} HeartField;

#define HEART_RECORD_MAX_FIELDS 16

void heart_record_append        (GString *out,
                                 HeartRecordFormat format,
                                 const HeartField *fields,
                                 guint n_fields);
void heart_record_append_header (GString *out,
                                 const HeartField *fields,
                                 guint n_fields);

G_END_DECLS
