/* heart-json-document.c: a JSON file parsed with the line of every member
 * and element
 *
 * json-glib 1.6 keeps no positions in its nodes, so the parser's
 * "object-member" and "array-element" signals note the line of each member
 * and element as it is read, keyed by its container's address and its
 * name or index. The parser is kept, and with it the nodes, so those
 * addresses stay valid for the document's life.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-json-document.h"

#include <string.h>

struct _HeartJsonDocument
{
  JsonParser *parser;
  GHashTable *lines;   /* "0x…/member" or "0x…[i]" → line */
};

static char *
member_key (JsonObject *object,
            const char *member)
{
  return g_strdup_printf ("%p/%s", (void *) object, member);
}

static char *
element_key (JsonArray *array,
             guint      index)
{
  return g_strdup_printf ("%p[%u]", (void *) array, index);
}

static void
on_object_member (JsonParser        *parser,
                  JsonObject        *object,
                  const char        *member,
                  HeartJsonDocument *self)
{
  g_hash_table_insert (self->lines, member_key (object, member),
                       GUINT_TO_POINTER (json_parser_get_current_line (parser)));
}

static void
on_array_element (JsonParser        *parser,
                  JsonArray         *array,
                  guint              index,
                  HeartJsonDocument *self)
{
  g_hash_table_insert (self->lines, element_key (array, index),
                       GUINT_TO_POINTER (json_parser_get_current_line (parser)));
}

HeartJsonDocument *
heart_json_document_parse (const char  *data,
                           gssize       length,
                           const char  *where,
                           GQuark       domain,
                           int          code,
                           GError     **error)
{
  g_autoptr(HeartJsonDocument) self = g_new0 (HeartJsonDocument, 1);
  g_autoptr(GError) parse_error = NULL;

  self->parser = json_parser_new_immutable ();
  self->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (self->parser, "object-member", G_CALLBACK (on_object_member), self);
  g_signal_connect (self->parser, "array-element", G_CALLBACK (on_array_element), self);
  if (!json_parser_load_from_data (self->parser, data, length, &parse_error))
    {
      /* json-glib's message is "<data>:LINE:COLUMN: …" */
      const char *message = parse_error->message;

      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, domain, code, "%s:%s", where, message);
      return NULL;
    }
  if (json_parser_get_root (self->parser) == NULL)
    {
      g_set_error (error, domain, code, "%s: empty", where);
      return NULL;
    }
  return g_steal_pointer (&self);
}

JsonNode *
heart_json_document_get_root (HeartJsonDocument *self)
{
  return json_parser_get_root (self->parser);
}

guint
heart_json_document_member_line (HeartJsonDocument *self,
                                 JsonObject        *object,
                                 const char        *member)
{
  g_autofree char *key = member_key (object, member);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->lines, key));
}

guint
heart_json_document_element_line (HeartJsonDocument *self,
                                  JsonArray         *array,
                                  guint              index)
{
  g_autofree char *key = element_key (array, index);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->lines, key));
}

void
heart_json_document_free (HeartJsonDocument *self)
{
  if (self->parser != NULL)
    g_signal_handlers_disconnect_by_data (self->parser, self);
  g_clear_object (&self->parser);
  g_clear_pointer (&self->lines, g_hash_table_unref);
  g_free (self);
}
