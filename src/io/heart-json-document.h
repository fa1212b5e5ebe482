/* heart-json-document.h: a JSON file parsed with the line of every member
 * and element, so that a message about a bad value names its line
 * (docs/scenarios.md, docs/datasets.md "Cohort files")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _HeartJsonDocument HeartJsonDocument;

/* Parses @data; on a syntax error or an empty document returns NULL with
 * an error in @domain and @code whose message starts with @where
 * ("WHERE:LINE:COLUMN: reason", "WHERE: empty") */
HeartJsonDocument *heart_json_document_parse        (const char  *data,
                                                     gssize       length,
                                                     const char  *where,
                                                     GQuark       domain,
                                                     int          code,
                                                     GError     **error);
JsonNode          *heart_json_document_get_root     (HeartJsonDocument *self);
/* The line a member or element of this document is on; 0 when unknown */
guint              heart_json_document_member_line  (HeartJsonDocument *self,
                                                     JsonObject        *object,
                                                     const char        *member);
guint              heart_json_document_element_line (HeartJsonDocument *self,
                                                     JsonArray         *array,
                                                     guint              index);
void               heart_json_document_free         (HeartJsonDocument *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartJsonDocument, heart_json_document_free)

G_END_DECLS
