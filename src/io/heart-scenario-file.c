/* heart-scenario-file.c: scenario files (JSON) and the bundled scenarios
 *
 * An error names the line of the field it is about (heart-json-document.c).
 * Unknown fields are errors: a misspelt "stres" would otherwise be silently
 * ignored. docs/scenarios.md has the format.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "heart-io-resources.h"
#include "heart-activity.h"
#include "heart-duration.h"
#include "heart-json-document.h"
#include "heart-scenario-file.h"
#include "heart-waveform.h"

#define BUNDLED_PREFIX "/io/github/heartsim/Heartsim/core/scenarios/"
#define NAME_MAX_LENGTH 64
#define DEFAULT_EVENT_LEVEL 0.8
/* "vary" moves a boundary by up to this: more would make another routine */
#define MAX_VARY_S (3 * 3600.0)

G_DEFINE_QUARK (heart-scenario-error-quark, heart_scenario_error)

typedef struct
{
  const char *where;
  HeartJsonDocument *document;
  GError    **error;
} Reader;

static guint
member_line (Reader     *reader,
             JsonObject *object,
             const char *member)
{
  return heart_json_document_member_line (reader->document, object, member);
}

static guint
element_line (Reader    *reader,
              JsonArray *array,
              guint      index)
{
  return heart_json_document_element_line (reader->document, array, index);
}

static gboolean
fail (Reader     *reader,
      guint       line,
      const char *field,
      const char *format,
      ...) G_GNUC_PRINTF (4, 5);

/* "FILE:LINE: FIELD: reason" */
static gboolean
fail (Reader     *reader,
      guint       line,
      const char *field,
      const char *format,
      ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  if (line > 0)
    g_set_error (reader->error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_INVALID,
                 "%s:%u: %s: %s", reader->where, line, field, reason);
  else
    g_set_error (reader->error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_INVALID,
                 "%s: %s: %s", reader->where, field, reason);
  return FALSE;
}

/* ---- fields ---------------------------------------------------------------- */

typedef struct
{
  JsonObject *object;
  const char *path;      /* "phases[2]" */
  guint       own_line;  /* the line of the object itself, or 0 */
} Scope;

static char *
field_name (const Scope *scope,
            const char  *member)
{
  return *scope->path ? g_strdup_printf ("%s.%s", scope->path, member) : g_strdup (member);
}

static gboolean
check_members (Reader              *reader,
               const Scope         *scope,
               const char * const  *allowed)
{
  g_autoptr(GList) members = json_object_get_members (scope->object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        guint line = member_line (reader, scope->object, l->data);
        g_autofree char *field = field_name (scope, l->data);

        return fail (reader, line, field, "unknown field");
      }
  return TRUE;
}

/* The member's value node, or NULL (with an error when @required) */
static JsonNode *
member (Reader      *reader,
        const Scope *scope,
        const char  *name,
        gboolean     required)
{
  JsonNode *node = json_object_get_member (scope->object, name);

  if (node == NULL && required)
    {
      g_autofree char *field = field_name (scope, name);

      fail (reader, scope->own_line, field, "missing");
    }
  return node;
}

static gboolean
read_number (Reader      *reader,
             const Scope *scope,
             const char  *name,
             double       low,
             double       high,
             double      *out)
{
  JsonNode *node = member (reader, scope, name, FALSE);
  guint line = member_line (reader, scope->object, name);
  g_autofree char *field = field_name (scope, name);
  double value;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE && json_node_get_value_type (node) != G_TYPE_INT64))
    return fail (reader, line, field, "must be a number");
  value = json_node_get_double (node);
  if (!isfinite (value) || value < low || value > high)
    return fail (reader, line, field, "must be from %g to %g, not %g", low, high, value);
  *out = value;
  return TRUE;
}

/* A time of day "HH:MM" or "HH:MM:SS", as seconds since midnight */
static gboolean
read_clock (Reader      *reader,
            const Scope *scope,
            const char  *name,
            double      *out)
{
  JsonNode *node = member (reader, scope, name, FALSE);
  guint line = member_line (reader, scope->object, name);
  g_autofree char *field = field_name (scope, name);
  const char *text;
  guint parts[3] = { 0, 0, 0 };
  guint n = 0;

  if (node == NULL)
    return TRUE;
  text = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
       ? json_node_get_string (node) : "";
  /* two digits, then ":" and two digits once or twice */
  for (const char *p = text; n < 3; n++, p += 3)
    {
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
        break;
      parts[n] = (guint) (g_ascii_digit_value (p[0]) * 10 + g_ascii_digit_value (p[1]));
      if (p[2] != ':')
        {
          n += p[2] == '\0';
          break;
        }
    }
  if (n < 2 || strlen (text) != 3 * n - 1 || parts[0] > 24 || parts[1] > 59 || parts[2] > 59
      || (parts[0] == 24 && (parts[1] > 0 || parts[2] > 0)))
    return fail (reader, line, field, "must be a time of day such as \"07:00\" or \"23:30:00\"");
  *out = parts[0] * 3600.0 + parts[1] * 60.0 + parts[2];
  return TRUE;
}

/* "walking", "running", … as POST /simulation/activity takes them */
static gboolean
read_activity (Reader      *reader,
               const Scope *scope,
               int         *out)
{
  JsonNode *node = member (reader, scope, "activity", FALSE);
  guint line = member_line (reader, scope->object, "activity");
  g_autofree char *field = field_name (scope, "activity");
  HeartActivityType type;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || !heart_activity_type_from_string (json_node_get_string (node), &type))
    return fail (reader, line, field, "must be rest, sitting, walking, running, cycling or sleep");
  *out = (int) type;
  return TRUE;
}

/* A number of seconds, or a string such as "20m", "1h30m", "90s" */
static gboolean
read_duration (Reader      *reader,
               const Scope *scope,
               const char  *name,
               gboolean     required,
               double       max_s,
               double      *out)
{
  JsonNode *node = member (reader, scope, name, required);
  guint line = member_line (reader, scope->object, name);
  g_autofree char *field = field_name (scope, name);
  double seconds;

  if (node == NULL)
    return !required;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!heart_duration_scan (json_node_get_string (node), &seconds))
        return fail (reader, line, field, "“%s” is not a duration (e.g. 90, \"90s\", \"20m\", \"1h30m\")",
                     json_node_get_string (node));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) &&
           (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64))
    seconds = json_node_get_double (node);
  else
    return fail (reader, line, field, "must be seconds or a duration string such as \"20m\"");
  if (!isfinite (seconds) || seconds < 0 || seconds > max_s)
    return fail (reader, line, field, "must be from 0 to %g s", max_s);
  *out = seconds;
  return TRUE;
}

static gboolean
valid_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > NAME_MAX_LENGTH)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
read_name (Reader      *reader,
           const Scope *scope,
           const char  *name,
           char       **out)
{
  JsonNode *node = member (reader, scope, name, TRUE);
  guint line = member_line (reader, scope->object, name);
  g_autofree char *field = field_name (scope, name);

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      !valid_name (json_node_get_string (node)))
    return fail (reader, line, field, "must be a name of 1 to %d lower-case letters, digits, '-' or '_'",
                 NAME_MAX_LENGTH);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static JsonArray *
read_array (Reader      *reader,
            const Scope *scope,
            const char  *name,
            gboolean     required,
            guint        max_length)
{
  JsonNode *node = member (reader, scope, name, required);
  guint line = member_line (reader, scope->object, name);
  g_autofree char *field = field_name (scope, name);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (reader, line, field, "must be an array");
      return NULL;
    }
  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_length || (required && json_array_get_length (array) == 0))
    {
      fail (reader, line, field, "must hold 1 to %u items", max_length);
      return NULL;
    }
  return array;
}

static JsonObject *
element_object (Reader     *reader,
                JsonArray  *array,
                guint       index,
                const char *path)
{
  JsonNode *node = json_array_get_element (array, index);
  guint line = element_line (reader, array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (reader, line, path, "must be an object");
      return NULL;
    }
  return json_node_get_object (node);
}

/* ---- phases ------------------------------------------------------------------- */

static gboolean
read_event (Reader             *reader,
            JsonArray          *events,
            guint               index,
            const char         *phase_path,
            HeartScenarioPhase *phase)
{
  static const char * const allowed[] = { "at", "level", NULL };
  g_autofree char *path = g_strdup_printf ("%s.events[%u]", phase_path, index);
  guint own_line = element_line (reader, events, index);
  Scope scope = { element_object (reader, events, index, path), path, own_line };
  double at = 0, level = DEFAULT_EVENT_LEVEL;

  if (scope.object == NULL || !check_members (reader, &scope, allowed))
    return FALSE;
  if (!read_duration (reader, &scope, "at", TRUE, HEART_SCENARIO_MAX_DURATION_S, &at))
    return FALSE;
  if (at >= phase->duration_s)
    {
      guint line = member_line (reader, scope.object, "at");
      g_autofree char *field = field_name (&scope, "at");

      return fail (reader, line, field, "must be inside its phase (before %g s)", phase->duration_s);
    }
  if (!read_number (reader, &scope, "level", 0, 1, &level))
    return FALSE;
  heart_scenario_phase_add_event (phase, at, level);
  return TRUE;
}

/* @clock: the time of day the phase begins (seconds since midnight, the
 * scenario's "start" plus the phases before it), for "until" */
static gboolean
read_phase (Reader        *reader,
            JsonArray     *phases,
            guint          index,
            HeartScenario *scenario,
            double         clock)
{
  static const char * const allowed[] = {
    "name", "duration", "until", "stress", "breathing_rate", "baseline_bpm", "events_per_hour", "events",
    "activity", "description", "pvc_per_hour", "pac_per_hour", NULL
  };
  g_autofree char *path = g_strdup_printf ("phases[%u]", index);
  guint own_line = element_line (reader, phases, index);
  Scope scope = { element_object (reader, phases, index, path), path, own_line };
  g_autofree char *name = NULL;
  HeartScenarioPhase phase = { 0 };
  double duration = 0, breathing = NAN, until = NAN;
  JsonArray *events;
  gboolean ok;

  if (scope.object == NULL || !check_members (reader, &scope, allowed) ||
      !read_name (reader, &scope, "name", &name))
    return FALSE;
  /* a duration, or the time of day it lasts until (the next such time) */
  if (json_object_has_member (scope.object, "until") && json_object_has_member (scope.object, "duration"))
    {
      g_autofree char *field = field_name (&scope, "duration");

      return fail (reader, own_line, field, "give either \"duration\" or \"until\" (a time of day)");
    }
  if (!read_duration (reader, &scope, "duration", !json_object_has_member (scope.object, "until"),
                      HEART_SCENARIO_MAX_DURATION_S, &duration) ||
      !read_clock (reader, &scope, "until", &until))
    return FALSE;
  if (!isnan (until))
    duration = fmod (until - fmod (clock, 86400.0) + 86400.0, 86400.0);
  if (duration <= 0)
    {
      guint line = member_line (reader, scope.object, "duration");
      g_autofree char *field = field_name (&scope, "duration");

      return fail (reader, line, field, "must be more than 0");
    }

  heart_scenario_phase_init (&phase, name, duration);
  ok = read_number (reader, &scope, "stress", 0, 1, &phase.stress) &&
       read_number (reader, &scope, "baseline_bpm", 40, 120, &phase.baseline_bpm) &&
       read_number (reader, &scope, "events_per_hour", 0, 3600, &phase.events_per_hour) &&
       read_number (reader, &scope, "pvc_per_hour", 0, HEART_ARTEFACTS_PER_HOUR_MAX, &phase.pvc_per_hour) &&
       read_number (reader, &scope, "pac_per_hour", 0, HEART_ARTEFACTS_PER_HOUR_MAX, &phase.pac_per_hour) &&
       read_number (reader, &scope, "breathing_rate", 0, 40, &breathing) &&
       read_activity (reader, &scope, &phase.activity);
  if (ok && !isnan (breathing) && breathing > 0 && breathing < 4)
    {
      guint line = member_line (reader, scope.object, "breathing_rate");
      g_autofree char *field = field_name (&scope, "breathing_rate");

      ok = fail (reader, line, field, "must be 0 (spontaneous) or from 4 to 40 breaths a minute");
    }
  phase.breathing_rate = breathing;
  events = ok ? read_array (reader, &scope, "events", FALSE, HEART_SCENARIO_MAX_EVENTS) : NULL;
  if (ok && json_object_has_member (scope.object, "events") && events == NULL)
    ok = FALSE;
  for (guint i = 0; ok && events != NULL && i < json_array_get_length (events); i++)
    ok = read_event (reader, events, i, path, &phase);
  if (!ok)
    {
      heart_scenario_phase_clear (&phase);
      return FALSE;
    }
  heart_scenario_add_phase (scenario, &phase);
  return TRUE;
}

static HeartScenario *
read_scenario (Reader   *reader,
               JsonNode *root)
{
  static const char * const allowed[] = { "$schema", "name", "description", "start", "repeat", "vary", "phases", NULL };
  g_autoptr(HeartScenario) scenario = NULL;
  g_autofree char *name = NULL;
  Scope scope = { NULL, "", 0 };
  const char *description = NULL;
  JsonNode *description_node;
  JsonNode *repeat_node;
  JsonArray *phases;
  double start = 0;
  double vary = 0;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (reader, 0, "scenario", "must be a JSON object");
      return NULL;
    }
  scope.object = json_node_get_object (root);
  if (!check_members (reader, &scope, allowed) || !read_name (reader, &scope, "name", &name))
    return NULL;
  description_node = member (reader, &scope, "description", FALSE);
  if (description_node != NULL)
    {
      guint line = member_line (reader, scope.object, "description");

      if (!JSON_NODE_HOLDS_VALUE (description_node) || json_node_get_value_type (description_node) != G_TYPE_STRING)
        {
          fail (reader, line, "description", "must be a string");
          return NULL;
        }
      description = json_node_get_string (description_node);
    }
  if (!read_clock (reader, &scope, "start", &start))
    return NULL;
  repeat_node = member (reader, &scope, "repeat", FALSE);
  if (repeat_node != NULL && (!JSON_NODE_HOLDS_VALUE (repeat_node)
                              || json_node_get_value_type (repeat_node) != G_TYPE_BOOLEAN))
    {
      guint line = member_line (reader, scope.object, "repeat");

      fail (reader, line, "repeat", "must be true or false");
      return NULL;
    }
  if (!read_duration (reader, &scope, "vary", FALSE, MAX_VARY_S, &vary))
    return NULL;
  phases = read_array (reader, &scope, "phases", TRUE, HEART_SCENARIO_MAX_PHASES);
  if (phases == NULL)
    return NULL;

  scenario = heart_scenario_new (name, description);
  heart_scenario_set_start (scenario, start);
  heart_scenario_set_repeat (scenario, repeat_node != NULL && json_node_get_boolean (repeat_node));
  heart_scenario_set_vary (scenario, vary);
  for (guint i = 0; i < json_array_get_length (phases); i++)
    if (!read_phase (reader, phases, i, scenario, start + heart_scenario_get_duration (scenario)))
      return NULL;
  if (heart_scenario_get_duration (scenario) > HEART_SCENARIO_MAX_DURATION_S)
    {
      guint line = member_line (reader, scope.object, "phases");

      fail (reader, line, "phases", "last %g s together, more than the %g s a scenario may last",
            heart_scenario_get_duration (scenario), HEART_SCENARIO_MAX_DURATION_S);
      return NULL;
    }
  return g_steal_pointer (&scenario);
}

HeartScenario *
heart_scenario_parse (const char  *data,
                      gsize        length,
                      const char  *where,
                      GError     **error)
{
  g_autoptr(HeartJsonDocument) document = NULL;
  Reader reader = { where, NULL, error };

  if (length > HEART_SCENARIO_MAX_FILE_BYTES)
    {
      g_set_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_INVALID,
                   "%s: larger than %d bytes", where, HEART_SCENARIO_MAX_FILE_BYTES);
      return NULL;
    }
  document = heart_json_document_parse (data, (gssize) length, where, HEART_SCENARIO_ERROR,
                                        HEART_SCENARIO_ERROR_INVALID, error);
  if (document == NULL)
    return NULL;
  reader.document = document;
  return read_scenario (&reader, heart_json_document_get_root (document));
}

HeartScenario *
heart_scenario_load_file (const char  *path,
                          GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_INVALID, "%s", local_error->message);
      return NULL;
    }
  return heart_scenario_parse (contents, length, display, error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

char **
heart_scenario_list_bundled (void)
{
  /* the resource itself, not the global table: from a static library
   * its constructor is linked only if something refers to it */
  g_auto(GStrv) files = g_resource_enumerate_children (heart_io_get_resource (), BUNDLED_PREFIX,
                                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **names;

  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    if (g_str_has_suffix (files[i], ".json") && !g_str_has_suffix (files[i], ".schema.json"))
      {
        g_autofree char *name = g_strndup (files[i], strlen (files[i]) - strlen (".json"));

        g_strv_builder_add (builder, name);
      }
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  g_qsort_with_data (names, g_strv_length (names), sizeof (char *), compare_names, NULL);
  return names;
}

HeartScenario *
heart_scenario_load_bundled (const char  *name,
                             GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *where = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;
  const char *data;

  if (!valid_name (name))
    {
      g_set_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_NOT_FOUND, "No bundled scenario “%s”", name);
      return NULL;
    }
  path = g_strconcat (BUNDLED_PREFIX, name, ".json", NULL);
  bytes = g_resource_lookup_data (heart_io_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    {
      g_set_error (error, HEART_SCENARIO_ERROR, HEART_SCENARIO_ERROR_NOT_FOUND, "No bundled scenario “%s”", name);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &length);
  where = g_strconcat (name, ".json", NULL);
  return heart_scenario_parse (data, length, where, error);
}

HeartScenario *
heart_scenario_load (const char  *name_or_path,
                     GError     **error)
{
  if (valid_name (name_or_path) && !g_file_test (name_or_path, G_FILE_TEST_EXISTS))
    return heart_scenario_load_bundled (name_or_path, error);
  return heart_scenario_load_file (name_or_path, error);
}
