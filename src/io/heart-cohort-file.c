/* heart-cohort-file.c: cohort files (JSON), and the subjects of --subjects N
 *
 * As in heart-scenario-file.c, an error names the line of the field it is
 * about (heart-json-document.c), and unknown fields are errors.
 * Each scenario a file names is loaded once and shared by the subjects
 * that name it (a HeartScenario is immutable and atomically counted).
 * The format is docs/datasets.md, "Cohort files".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-cohort-file.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "heart-duration.h"
#include "heart-json-document.h"
#include "heart-profile.h"
#include "heart-scenario-file.h"

#define NAME_MAX_LENGTH 64
#define BASELINE_MIN 40
#define BASELINE_MAX 120

G_DEFINE_QUARK (heart-cohort-file-error-quark, heart_cohort_file_error)

typedef struct
{
  const char *where;
  const char *base_dir;
  HeartJsonDocument *document;
  GHashTable *scenarios;   /* as named in the file → HeartScenario */
  GHashTable *ids;         /* id → place + 1 */
  GHashTable *names;       /* name → place + 1 */
  GError    **error;
} Reader;

/* The subject being read, for messages */
typedef struct
{
  JsonObject *object;
  guint       index;
  guint       id;
  gboolean    id_known;
  guint       line;      /* the subject's own, for a field it lacks */
} Subject;

static gboolean
fail (Reader        *reader,
      guint          line,
      const Subject *subject,
      const char    *field,
      const char    *format,
      ...) G_GNUC_PRINTF (5, 6);

/* "FILE:LINE: subject I (id N): FIELD: reason" */
static gboolean
fail (Reader        *reader,
      guint          line,
      const Subject *subject,
      const char    *field,
      const char    *format,
      ...)
{
  g_autoptr(GString) message = g_string_new (reader->where);
  va_list args;

  if (line == 0 && subject != NULL)
    line = subject->line;
  if (line > 0)
    g_string_append_printf (message, ":%u", line);
  g_string_append (message, ": ");
  if (subject != NULL)
    {
      g_string_append_printf (message, "subject %u", subject->index);
      if (subject->id_known)
        g_string_append_printf (message, " (id %u)", subject->id);
      g_string_append (message, ": ");
    }
  if (field != NULL)
    g_string_append_printf (message, "%s: ", field);
  va_start (args, format);
  g_string_append_vprintf (message, format, args);
  va_end (args);
  g_set_error_literal (reader->error, HEART_COHORT_FILE_ERROR, HEART_COHORT_FILE_ERROR_INVALID, message->str);
  return FALSE;
}

static guint
member_line (Reader        *reader,
             const Subject *subject,
             const char    *name)
{
  return heart_json_document_member_line (reader->document, subject->object, name);
}

static guint
element_line (Reader    *reader,
              JsonArray *array,
              guint      index)
{
  return heart_json_document_element_line (reader->document, array, index);
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A whole number from @low to @high: a JSON integer, or with @as_string a
 * string of digits too (seeds beyond 2^53, which not every JSON reader
 * keeps exact) */
static gboolean
read_unsigned (Reader        *reader,
               const Subject *subject,
               const char    *name,
               guint64        low,
               guint64        high,
               gboolean       as_string,
               guint64       *out)
{
  JsonNode *node = json_object_get_member (subject->object, name);

  if (holds (node, G_TYPE_INT64) && json_node_get_int (node) >= 0
      && (guint64) json_node_get_int (node) >= low && (guint64) json_node_get_int (node) <= high)
    {
      *out = (guint64) json_node_get_int (node);
      return TRUE;
    }
  if (as_string && holds (node, G_TYPE_STRING)
      && g_ascii_string_to_unsigned (json_node_get_string (node), 10, low, high, out, NULL))
    return TRUE;
  return fail (reader, member_line (reader, subject, name), subject, name,
               "must be a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT "%s",
               low, high, as_string ? " (or those digits as a string)" : "");
}

static gboolean
read_string (Reader        *reader,
             const Subject *subject,
             const char    *name,
             const char   **out)
{
  JsonNode *node = json_object_get_member (subject->object, name);

  if (!holds (node, G_TYPE_STRING) || *json_node_get_string (node) == '\0')
    return fail (reader, member_line (reader, subject, name), subject, name, "must be a non-empty string");
  *out = json_node_get_string (node);
  return TRUE;
}

/* Names become file names (generate writes NAME.csv), so no '/', '.' or space */
static gboolean
valid_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > NAME_MAX_LENGTH)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
check_members (Reader        *reader,
               const Subject *subject)
{
  static const char * const allowed[] = {
    "id", "name", "profile", "seed", "baseline_bpm", "scenario", "repeat", "start_offset", NULL
  };
  g_autoptr(GList) members = json_object_get_members (subject->object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return fail (reader, member_line (reader, subject, l->data), subject, l->data,
                   "unknown field (known: id, name, profile, seed, baseline_bpm, scenario, repeat, start_offset)");
  return TRUE;
}

/* The id, given or its place + the offset, and new to the file */
static gboolean
read_id (Reader   *reader,
         Subject  *subject,
         guint     subject_offset)
{
  guint64 id = (guint64) subject->index + subject_offset;
  gboolean given = json_object_has_member (subject->object, "id");
  guint earlier;

  if (given && !read_unsigned (reader, subject, "id", 0, G_MAXUINT, FALSE, &id))
    return FALSE;
  if (id > G_MAXUINT)
    return fail (reader, 0, subject, "id", "its place plus the subject offset %u is more than %u",
                 subject_offset, G_MAXUINT);
  subject->id = (guint) id;
  subject->id_known = TRUE;
  earlier = GPOINTER_TO_UINT (g_hash_table_lookup (reader->ids, GUINT_TO_POINTER (subject->id)));
  if (earlier > 0)
    return fail (reader, given ? member_line (reader, subject, "id") : 0, subject, "id",
                 "%u%s is subject %u's id already", subject->id,
                 given ? "" : " (its place plus the subject offset)", earlier - 1);
  g_hash_table_insert (reader->ids, GUINT_TO_POINTER (subject->id), GUINT_TO_POINTER (subject->index + 1));
  return TRUE;
}

static gboolean
read_name (Reader           *reader,
           const Subject    *subject,
           HeartSubjectSpec *spec)
{
  const char *name;
  guint earlier;

  if (!json_object_has_member (subject->object, "name"))
    return TRUE;
  if (!read_string (reader, subject, "name", &name))
    return FALSE;
  if (!valid_name (name))
    return fail (reader, member_line (reader, subject, "name"), subject, "name",
                 "“%s” must be 1 to %d letters, digits, '-' or '_' (it names the subject's files)",
                 name, NAME_MAX_LENGTH);
  earlier = GPOINTER_TO_UINT (g_hash_table_lookup (reader->names, name));
  if (earlier > 0)
    return fail (reader, member_line (reader, subject, "name"), subject, "name",
                 "“%s” is subject %u's name already", name, earlier - 1);
  g_hash_table_insert (reader->names, g_strdup (name), GUINT_TO_POINTER (subject->index + 1));
  spec->name = g_strdup (name);
  return TRUE;
}

static gboolean
read_profile (Reader        *reader,
              const Subject *subject,
              const char   **profile)
{
  g_autofree char *known = NULL;

  if (!json_object_has_member (subject->object, "profile"))
    return TRUE;
  if (!read_string (reader, subject, "profile", profile))
    return FALSE;
  if (heart_profile_lookup (*profile) != NULL)
    return TRUE;
  known = g_strjoinv (", ", (char **) heart_profile_names ());
  return fail (reader, member_line (reader, subject, "profile"), subject, "profile",
               "no preset called “%s” (%s)", *profile, known);
}

/* A bundled scenario's name, or a file relative to the cohort file's folder */
static HeartScenario *
load_scenario (Reader      *reader,
               const char  *name,
               GError     **error)
{
  g_autofree char *path = NULL;
  HeartScenario *scenario = g_hash_table_lookup (reader->scenarios, name);

  if (scenario != NULL)
    return heart_scenario_ref (scenario);
  path = g_path_is_absolute (name) || reader->base_dir == NULL
         ? g_strdup (name) : g_build_filename (reader->base_dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS) && strchr (name, '/') == NULL && !g_str_has_suffix (name, ".json"))
    scenario = heart_scenario_load_bundled (name, error);
  else if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    /* a device or FIFO (/dev/zero) would be read without end */
    g_set_error (error, HEART_COHORT_FILE_ERROR, HEART_COHORT_FILE_ERROR_INVALID, "%s is not a file", name);
  else
    scenario = heart_scenario_load_file (path, error);
  if (scenario != NULL)
    g_hash_table_insert (reader->scenarios, g_strdup (name), heart_scenario_ref (scenario));
  return scenario;
}

/* "scenario", and "repeat" and "start_offset", which go with it */
static gboolean
read_scenario (Reader           *reader,
               const Subject    *subject,
               HeartSubjectSpec *spec)
{
  g_autoptr(GError) load_error = NULL;
  JsonNode *node;
  const char *name;

  if (!json_object_has_member (subject->object, "scenario"))
    {
      const char *lone = json_object_has_member (subject->object, "repeat") ? "repeat"
                       : json_object_has_member (subject->object, "start_offset") ? "start_offset" : NULL;

      return lone == NULL || fail (reader, member_line (reader, subject, lone), subject, lone,
                                   "goes with a \"scenario\"");
    }
  if (!read_string (reader, subject, "scenario", &name))
    return FALSE;
  spec->scenario = load_scenario (reader, name, &load_error);
  if (spec->scenario == NULL)
    return fail (reader, member_line (reader, subject, "scenario"), subject, "scenario", "%s", load_error->message);
  spec->scenario_name = g_strdup (name);
  /* a daily routine goes on day after day, as generate --scenario has it */
  spec->repeat = heart_scenario_get_repeat (spec->scenario);
  if ((node = json_object_get_member (subject->object, "repeat")) != NULL)
    {
      if (!holds (node, G_TYPE_BOOLEAN))
        return fail (reader, member_line (reader, subject, "repeat"), subject, "repeat", "must be true or false");
      spec->repeat = json_node_get_boolean (node);
    }
  if ((node = json_object_get_member (subject->object, "start_offset")) == NULL)
    return TRUE;
  if (!(holds (node, G_TYPE_STRING) && heart_duration_scan (json_node_get_string (node), &spec->start_offset_s))
      && !((holds (node, G_TYPE_INT64) || holds (node, G_TYPE_DOUBLE))
           && (spec->start_offset_s = json_node_get_double (node), TRUE)))
    return fail (reader, member_line (reader, subject, "start_offset"), subject, "start_offset",
                 "must be seconds or a duration such as \"10m\" or \"1h30m\"");
  if (!isfinite (spec->start_offset_s) || spec->start_offset_s < 0 || spec->start_offset_s > HEART_DURATION_MAX_S)
    return fail (reader, member_line (reader, subject, "start_offset"), subject, "start_offset",
                 "must be from 0 to %g s", HEART_DURATION_MAX_S);
  return TRUE;
}

static HeartSubjectSpec *
read_subject (Reader    *reader,
              JsonArray *subjects,
              guint      index,
              guint      subject_offset,
              guint64    run_seed)
{
  g_autofree HeartSubjectSpec *spec = g_new0 (HeartSubjectSpec, 1);
  JsonNode *node = json_array_get_element (subjects, index);
  Subject subject = { NULL, index, 0, FALSE, element_line (reader, subjects, index) };
  const char *profile = NULL;
  guint64 value = 0;
  gboolean ok;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (reader, 0, &subject, NULL, "must be an object");
      return NULL;
    }
  subject.object = json_node_get_object (node);
  if (!check_members (reader, &subject) || !read_id (reader, &subject, subject_offset)
      || !read_profile (reader, &subject, &profile))
    return NULL;
  heart_subject_spec_init (spec, subject.id, run_seed, profile);
  ok = read_name (reader, &subject, spec);
  if (ok && json_object_has_member (subject.object, "seed"))
    {
      ok = read_unsigned (reader, &subject, "seed", 0, G_MAXUINT64, TRUE, &value);
      spec->seed = value;
    }
  if (ok && json_object_has_member (subject.object, "baseline_bpm"))
    {
      ok = read_unsigned (reader, &subject, "baseline_bpm", BASELINE_MIN, BASELINE_MAX, FALSE, &value);
      spec->baseline_bpm = (guint) value;
    }
  ok = ok && read_scenario (reader, &subject, spec);
  if (!ok)
    {
      heart_subject_spec_clear (spec);
      return NULL;
    }
  return g_steal_pointer (&spec);
}

/* A list of subjects, or an object {"$schema": …, "subjects": [ … ]} */
static JsonArray *
subjects_array (Reader   *reader,
                JsonNode *root)
{
  static const char * const allowed[] = { "$schema", "subjects", NULL };
  JsonObject *object;
  JsonNode *subjects;
  g_autoptr(GList) members = NULL;
  Subject top = { NULL, 0, 0, FALSE, 0 };

  if (JSON_NODE_HOLDS_ARRAY (root))
    return json_node_get_array (root);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (reader, 0, NULL, NULL, "must be a list of subjects, or an object with \"subjects\"");
      return NULL;
    }
  top.object = object = json_node_get_object (root);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        fail (reader, member_line (reader, &top, l->data), NULL, l->data, "unknown field (known: $schema, subjects)");
        return NULL;
      }
  subjects = json_object_get_member (object, "subjects");
  if (subjects == NULL || !JSON_NODE_HOLDS_ARRAY (subjects))
    {
      fail (reader, member_line (reader, &top, "subjects"), NULL, "subjects", "must be a list of subjects");
      return NULL;
    }
  return json_node_get_array (subjects);
}

static GPtrArray *
read_cohort (Reader   *reader,
             JsonNode *root,
             guint     subject_offset,
             guint64   run_seed)
{
  g_autoptr(GPtrArray) specs = NULL;
  JsonArray *subjects = subjects_array (reader, root);
  guint n;

  if (subjects == NULL)
    return NULL;
  n = json_array_get_length (subjects);
  if (n == 0 || n > HEART_COHORT_MAX_SUBJECTS)
    {
      fail (reader, 0, NULL, NULL, "holds %u subjects; a cohort has 1 to %d", n, HEART_COHORT_MAX_SUBJECTS);
      return NULL;
    }
  specs = g_ptr_array_new_full (n, (GDestroyNotify) heart_subject_spec_free);
  for (guint i = 0; i < n; i++)
    {
      HeartSubjectSpec *spec = read_subject (reader, subjects, i, subject_offset, run_seed);

      if (spec == NULL)
        return NULL;
      g_ptr_array_add (specs, spec);
    }
  return g_steal_pointer (&specs);
}

GPtrArray *
heart_cohort_file_parse (const char  *data,
                         gsize        length,
                         const char  *where,
                         const char  *base_dir,
                         guint        subject_offset,
                         guint64      run_seed,
                         GError     **error)
{
  g_autoptr(HeartJsonDocument) document = NULL;
  g_autoptr(GHashTable) scenarios = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) heart_scenario_unref);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Reader reader = { where, base_dir, NULL, scenarios, ids, names, error };

  if (length > HEART_COHORT_MAX_FILE_BYTES)
    {
      fail (&reader, 0, NULL, NULL, "larger than %d bytes", HEART_COHORT_MAX_FILE_BYTES);
      return NULL;
    }
  document = heart_json_document_parse (data, (gssize) length, where, HEART_COHORT_FILE_ERROR,
                                        HEART_COHORT_FILE_ERROR_INVALID, error);
  if (document == NULL)
    return NULL;
  reader.document = document;
  return read_cohort (&reader, heart_json_document_get_root (document), subject_offset, run_seed);
}

GPtrArray *
heart_cohort_file_load (const char  *path,
                        guint        subject_offset,
                        guint64      run_seed,
                        GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *base_dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, HEART_COHORT_FILE_ERROR, HEART_COHORT_FILE_ERROR_INVALID, "%s", local_error->message);
      return NULL;
    }
  return heart_cohort_file_parse (contents, length, display, base_dir, subject_offset, run_seed, error);
}

GPtrArray *
heart_cohort_subjects_new (guint        n_subjects,
                           guint        subject_offset,
                           guint64      run_seed,
                           const char  *profile,
                           GError     **error)
{
  if (n_subjects == 0 || n_subjects > HEART_COHORT_MAX_SUBJECTS)
    {
      heart_option_error (error, "--subjects must be from 1 to %d, not %u", HEART_COHORT_MAX_SUBJECTS, n_subjects);
      return NULL;
    }
  if ((guint64) subject_offset + n_subjects - 1 > G_MAXUINT)
    {
      heart_option_error (error, "--subject-offset %u plus --subjects %u goes past the last id, %u",
                          subject_offset, n_subjects, G_MAXUINT);
      return NULL;
    }
  if (profile != NULL && heart_profile_lookup (profile) == NULL)
    {
      g_autofree char *known = g_strjoinv ("|", (char **) heart_profile_names ());

      heart_option_error (error, "--profile must be one of %s, not '%s'", known, profile);
      return NULL;
    }
  return heart_subject_specs_new (n_subjects, subject_offset, run_seed, profile);
}
