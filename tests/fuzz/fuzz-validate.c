/* fuzz-validate.c: the FastAPI-shaped query validator on any query string,
 * decoded by soup_form_decode() as libsoup decodes a request's query
 *
 * Every endpoint's parameters are checked in turn, as the server does; the
 * 422 body must be JSON whose "detail" has one item per refused parameter,
 * and an accepted value must be within its bounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <math.h>

#include "heart-history.h"
#include "heart-server-history.h"
#include "heart-server-validate.h"
#include "heart-simulator.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
check_detail (HeartValidation *validation,
              guint            refused)
{
  g_autofree char *json = heart_validation_to_json (validation);
  g_autoptr(JsonNode) root = fuzz_parse_json (json, -1);
  JsonArray *detail;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  detail = json_object_get_array_member (json_node_get_object (root), "detail");
  g_assert_nonnull (detail);
  g_assert_cmpuint (json_array_get_length (detail), ==, refused);
  g_assert_cmpint (heart_validation_ok (validation), ==, refused == 0);

  for (guint i = 0; i < json_array_get_length (detail); i++)
    {
      JsonObject *item = json_array_get_object_element (detail, i);
      JsonArray *loc = json_object_get_array_member (item, "loc");

      g_assert_cmpuint (json_array_get_length (loc), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "query");
      g_assert_nonnull (json_object_get_string_member (item, "msg"));
      g_assert_nonnull (json_object_get_string_member (item, "type"));
      g_assert_true (json_object_has_member (item, "input"));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  /* the server gets NULL for a URI with no query at all */
  g_autoptr(GHashTable) query = *text != '\0' ? soup_form_decode (text) : NULL;
  guint refused = 0;

  /* POST /simulation/trigger-stress */
  {
    g_autoptr(HeartValidation) validation = heart_validation_new (query);
    double level = -1;

    if (heart_validation_double (validation, "stress_level", TRUE, 0.0, 1.0, &level))
      g_assert_true (level >= 0.0 && level <= 1.0);
    else
      g_assert_cmpfloat (level, ==, -1);
    check_detail (validation, heart_validation_ok (validation) ? 0 : 1);
  }

  /* POST /simulation/set-baseline */
  {
    g_autoptr(HeartValidation) validation = heart_validation_new (query);
    gint64 bpm = -1;

    if (heart_validation_int (validation, "baseline_bpm", TRUE, HEART_BASELINE_MIN, HEART_BASELINE_MAX, &bpm))
      g_assert_true (bpm >= HEART_BASELINE_MIN && bpm <= HEART_BASELINE_MAX);
    else
      g_assert_cmpint (bpm, ==, -1);
    check_detail (validation, heart_validation_ok (validation) ? 0 : 1);
  }

  /* GET /api/history: both optional, every refusal reported */
  {
    g_autoptr(HeartValidation) validation = heart_validation_new (query);
    gint64 since = 0, limit = HEART_HISTORY_DEFAULT_LIMIT;

    if (!heart_validation_int (validation, "since", FALSE, 0, G_MAXINT64, &since))
      refused++;
    if (!heart_validation_int (validation, "limit", FALSE, 1, HEART_HISTORY_DEFAULT_CAPACITY, &limit))
      refused++;
    g_assert_cmpint (since, >=, 0);
    g_assert_true (limit >= 1 && limit <= HEART_HISTORY_DEFAULT_CAPACITY);
    check_detail (validation, refused);
  }

  /* an encoded NUL in the raw query is refused before anything else */
  {
    g_autoptr(HeartValidation) validation = heart_validation_new (NULL);
    g_autofree char *json = NULL;
    g_autoptr(JsonNode) root = NULL;

    heart_validation_refuse_nul (validation, text);
    json = heart_validation_to_json (validation);
    root = fuzz_parse_json (json, -1);
    if (strstr (text, "%00") == NULL)
      g_assert_true (heart_validation_ok (validation));
  }

  /* any parameter name the input holds, as a double and as an integer */
  if (query != NULL)
    {
      g_autoptr(HeartValidation) validation = heart_validation_new (query);
      GHashTableIter iter;
      gpointer name;

      refused = 0;
      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        {
          double value = 0;
          gint64 integer = 0;

          if (heart_validation_double (validation, name, TRUE, -1e6, 1e6, &value))
            g_assert_true (isfinite (value) && fabs (value) <= 1e6);
          else
            refused++;
          if (!heart_validation_int (validation, name, TRUE, G_MININT64, G_MAXINT64, &integer))
            refused++;
        }
      check_detail (validation, refused);
    }
  return 0;
}
