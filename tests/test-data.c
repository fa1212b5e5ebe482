/* test-data.c: the GSettings schema holds every key HeartSettings binds
 *
 * HeartSettings binds each of its properties to the schema key of the same
 * name. A key that is missing or has a type GSettings cannot map to the
 * property is a critical at start-up, and a default or range that differs
 * from the property's makes the app behave differently on first launch than
 * the code says. The keys are taken from the class, not from a list here, so
 * a property added later is checked too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "heart-settings.h"

#define WAIT_SECONDS 5

/* The schema compiled into the build tree, never an installed one that could
 * hide a broken build */
static GSettingsSchema *
load_build_schema (void)
{
  const char *dir = g_getenv ("GSETTINGS_SCHEMA_DIR");
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (dir);
  source = g_settings_schema_source_new_from_directory (dir, NULL, FALSE, &error);
  g_assert_no_error (error);
  return g_settings_schema_source_lookup (source, APP_ID, FALSE);
}

static GParamSpec **
list_settings_properties (guint *n_properties)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (HEART_TYPE_SETTINGS);

  return g_object_class_list_properties (G_OBJECT_CLASS (klass), n_properties);
}

/* The variant types a GSettings binding maps to each property type; the
 * subset of GIO's mapping that keeps every value representable */
static gboolean
types_compatible (GType               value_type,
                  const GVariantType *key_type)
{
  const char *key = g_variant_type_peek_string (key_type);

  switch (G_TYPE_FUNDAMENTAL (value_type))
    {
    case G_TYPE_BOOLEAN: return key[0] == 'b';
    case G_TYPE_UINT:    return key[0] == 'y' || key[0] == 'q' || key[0] == 'u';
    case G_TYPE_INT:     return key[0] == 'n' || key[0] == 'i';
    case G_TYPE_DOUBLE:  return key[0] == 'd';
    case G_TYPE_STRING:  return key[0] == 's';
    default:             return FALSE;
    }
}

/* A number variant of any of the types above, as a double */
static double
variant_as_double (GVariant *value)
{
  switch (g_variant_classify (value))
    {
    case G_VARIANT_CLASS_BYTE:   return g_variant_get_byte (value);
    case G_VARIANT_CLASS_UINT16: return g_variant_get_uint16 (value);
    case G_VARIANT_CLASS_UINT32: return g_variant_get_uint32 (value);
    case G_VARIANT_CLASS_INT16:  return g_variant_get_int16 (value);
    case G_VARIANT_CLASS_INT32:  return g_variant_get_int32 (value);
    case G_VARIANT_CLASS_DOUBLE: return g_variant_get_double (value);
    default: g_assert_not_reached ();
    }
}

static gboolean
variant_equals_value (GVariant     *variant,
                      const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
    {
    case G_TYPE_BOOLEAN:
      return g_variant_get_boolean (variant) == g_value_get_boolean (value);
    case G_TYPE_UINT:
      return variant_as_double (variant) == g_value_get_uint (value);
    case G_TYPE_INT:
      return variant_as_double (variant) == g_value_get_int (value);
    case G_TYPE_DOUBLE:
      return fabs (variant_as_double (variant) - g_value_get_double (value)) < 1e-9;
    case G_TYPE_STRING:
      return g_strcmp0 (g_variant_get_string (variant, NULL), g_value_get_string (value)) == 0;
    default:
      return FALSE;
    }
}

static void
pspec_bounds (GParamSpec *pspec,
              double     *min,
              double     *max)
{
  if (G_IS_PARAM_SPEC_UINT (pspec))
    {
      *min = G_PARAM_SPEC_UINT (pspec)->minimum;
      *max = G_PARAM_SPEC_UINT (pspec)->maximum;
    }
  else if (G_IS_PARAM_SPEC_INT (pspec))
    {
      *min = G_PARAM_SPEC_INT (pspec)->minimum;
      *max = G_PARAM_SPEC_INT (pspec)->maximum;
    }
  else if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      *min = G_PARAM_SPEC_DOUBLE (pspec)->minimum;
      *max = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
    }
  else
    g_assert_not_reached ();
}

/* What the key accepts: its <range>, else all its type can hold */
static gboolean
key_bounds (GSettingsSchemaKey *key,
            double             *min,
            double             *max)
{
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
  g_autoptr(GVariant) limits = NULL;
  const char *kind = NULL;
  const char *type = g_variant_type_peek_string (g_settings_schema_key_get_value_type (key));

  g_variant_get (range, "(&sv)", &kind, &limits);
  if (g_str_equal (kind, "range"))
    {
      g_autoptr(GVariant) low = g_variant_get_child_value (limits, 0);
      g_autoptr(GVariant) high = g_variant_get_child_value (limits, 1);

      *min = variant_as_double (low);
      *max = variant_as_double (high);
      return TRUE;
    }

  switch (type[0])
    {
    case 'y': *min = 0;          *max = G_MAXUINT8;  return TRUE;
    case 'q': *min = 0;          *max = G_MAXUINT16; return TRUE;
    case 'u': *min = 0;          *max = G_MAXUINT32; return TRUE;
    case 'n': *min = G_MININT16; *max = G_MAXINT16;  return TRUE;
    case 'i': *min = G_MININT32; *max = G_MAXINT32;  return TRUE;
    default:  return FALSE;      /* a double without a range: nothing to compare */
    }
}

static gboolean
is_number (GParamSpec *pspec)
{
  return G_IS_PARAM_SPEC_UINT (pspec) || G_IS_PARAM_SPEC_INT (pspec) ||
         G_IS_PARAM_SPEC_DOUBLE (pspec);
}

static void
test_schema_found (void)
{
  g_autoptr(GSettingsSchema) schema = load_build_schema ();

  g_assert_nonnull (schema);
  g_assert_cmpstr (g_settings_schema_get_path (schema), ==, "/io/github/heartsim/Heartsim/");
}

static void
test_every_property_has_a_key (void)
{
  g_autoptr(GSettingsSchema) schema = load_build_schema ();
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  g_assert_nonnull (schema);
  pspecs = list_settings_properties (&n_pspecs);
  g_assert_cmpuint (n_pspecs, >, 0);

  for (guint i = 0; i < n_pspecs; i++)
    if (!g_settings_schema_has_key (schema, pspecs[i]->name))
      g_test_fail_printf ("HeartSettings binds \"%s\", which the schema %s lacks",
                          pspecs[i]->name, APP_ID);
}

/* One comparison of a HeartSettings property with its schema key */
typedef void (*KeyCheck) (GParamSpec         *pspec,
                          GSettingsSchemaKey *key);

/* Runs @data (a KeyCheck) on every property whose key exists; a missing key
 * is reported once, by every-property-has-a-key. */
static void
check_every_key (gconstpointer data)
{
  KeyCheck check = (KeyCheck) data;
  g_autoptr(GSettingsSchema) schema = load_build_schema ();
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  g_assert_nonnull (schema);
  pspecs = list_settings_properties (&n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = NULL;

      if (!g_settings_schema_has_key (schema, pspecs[i]->name))
        continue;
      key = g_settings_schema_get_key (schema, pspecs[i]->name);
      check (pspecs[i], key);
    }
}

static void
check_type (GParamSpec         *pspec,
            GSettingsSchemaKey *key)
{
  const GVariantType *type = g_settings_schema_key_get_value_type (key);

  if (!types_compatible (pspec->value_type, type))
    g_test_fail_printf ("key \"%s\" has type '%s', which does not map to the property's %s",
                        pspec->name, g_variant_type_peek_string (type),
                        g_type_name (pspec->value_type));
}

static void
check_default (GParamSpec         *pspec,
               GSettingsSchemaKey *key)
{
  g_autoptr(GVariant) schema_default = g_settings_schema_key_get_default_value (key);
  g_auto(GValue) property_default = G_VALUE_INIT;

  if (!types_compatible (pspec->value_type, g_settings_schema_key_get_value_type (key)))
    return;   /* reported by key-types-match */
  g_value_init (&property_default, pspec->value_type);
  g_param_value_set_default (pspec, &property_default);
  if (!variant_equals_value (schema_default, &property_default))
    {
      g_autofree char *printed_variant = g_variant_print (schema_default, TRUE);
      g_autofree char *printed_value = g_strdup_value_contents (&property_default);

      g_test_fail_printf ("key \"%s\" defaults to %s, the property to %s",
                          pspec->name, printed_variant, printed_value);
    }
}

static void
check_range (GParamSpec         *pspec,
             GSettingsSchemaKey *key)
{
  double key_min, key_max, property_min, property_max;

  if (!is_number (pspec) || !key_bounds (key, &key_min, &key_max))
    return;
  pspec_bounds (pspec, &property_min, &property_max);
  if (key_min != property_min || key_max != property_max)
    g_test_fail_printf ("key \"%s\" accepts %g to %g, the property %g to %g",
                        pspec->name, key_min, key_max, property_min, property_max);
}

/* A valid value other than the default, to see it travel */
static void
other_value (GParamSpec *pspec,
             GValue     *value)
{
  double min, max;

  g_value_init (value, pspec->value_type);
  g_param_value_set_default (pspec, value);

  if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
    {
      g_value_set_boolean (value, !g_value_get_boolean (value));
      return;
    }
  if (G_IS_PARAM_SPEC_STRING (pspec))
    {
      g_value_set_string (value, "0123456789abcdef0123456789abcdef");
      return;
    }

  pspec_bounds (pspec, &min, &max);
  if (G_IS_PARAM_SPEC_UINT (pspec))
    g_value_set_uint (value, g_value_get_uint (value) < max ? g_value_get_uint (value) + 1
                                                            : g_value_get_uint (value) - 1);
  else if (G_IS_PARAM_SPEC_INT (pspec))
    g_value_set_int (value, g_value_get_int (value) < max ? g_value_get_int (value) + 1
                                                          : g_value_get_int (value) - 1);
  else if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    g_value_set_double (value, (g_value_get_double (value) + max) / 2);
  else
    g_assert_not_reached ();
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterate the main context until the key holds @expected; FALSE at the deadline */
static gboolean
wait_for_key (GSettings    *settings,
              const char   *name,
              const GValue *expected)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (10, wake_up, NULL);
  gboolean found = FALSE;

  while (!found && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GVariant) stored = g_settings_get_value (settings, name);

      found = variant_equals_value (stored, expected);
      if (!found)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  return found;
}

static gboolean
wait_for_property (GObject      *object,
                   GParamSpec   *pspec,
                   GVariant     *expected)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add (10, wake_up, NULL);
  gboolean found = FALSE;

  while (!found && g_get_monotonic_time () < deadline)
    {
      g_auto(GValue) current = G_VALUE_INIT;

      g_value_init (&current, pspec->value_type);
      g_object_get_property (object, pspec->name, &current);
      found = variant_equals_value (expected, &current);
      if (!found)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  return found;
}

/* The bindings work both ways for every property: what the preferences
 * change is stored, and what is stored (dconf, another instance) shows. */
static void
test_bindings_round_trip (void)
{
  g_autoptr(GSettingsSchema) schema = load_build_schema ();
  g_autoptr(HeartSettings) heart_settings = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree GParamSpec **pspecs = NULL;
  guint n_pspecs;

  g_assert_nonnull (schema);
  pspecs = list_settings_properties (&n_pspecs);
  /* Binding a missing or mistyped key is a critical, and criticals abort
   * tests; the checks above say which keys are wrong */
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_autoptr(GSettingsSchemaKey) key = NULL;

      if (g_settings_schema_has_key (schema, pspecs[i]->name))
        key = g_settings_schema_get_key (schema, pspecs[i]->name);
      if (key == NULL || !types_compatible (pspecs[i]->value_type, g_settings_schema_key_get_value_type (key)))
        {
          g_test_skip ("keys are missing or mistyped (the checks above say which)");
          return;
        }
    }

  heart_settings = heart_settings_new ();
  settings = g_settings_new (APP_ID);
  for (guint i = 0; i < n_pspecs; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;
      g_autoptr(GVariant) reset = NULL;

      /* property → key */
      other_value (pspecs[i], &value);
      g_object_set_property (G_OBJECT (heart_settings), pspecs[i]->name, &value);
      if (!wait_for_key (settings, pspecs[i]->name, &value))
        {
          g_test_fail_printf ("setting property \"%s\" did not reach the key", pspecs[i]->name);
          continue;
        }

      /* key → property: back to the schema's default */
      g_settings_reset (settings, pspecs[i]->name);
      reset = g_settings_get_value (settings, pspecs[i]->name);
      if (!wait_for_property (G_OBJECT (heart_settings), pspecs[i], reset))
        g_test_fail_printf ("resetting key \"%s\" did not reach the property", pspecs[i]->name);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/data/settings/schema-found", test_schema_found);
  g_test_add_func ("/data/settings/every-property-has-a-key", test_every_property_has_a_key);
  g_test_add_data_func ("/data/settings/key-types-match", check_type, check_every_key);
  g_test_add_data_func ("/data/settings/defaults-match", check_default, check_every_key);
  g_test_add_data_func ("/data/settings/ranges-match", check_range, check_every_key);
  g_test_add_func ("/data/settings/bindings-round-trip", test_bindings_round_trip);

  return g_test_run ();
}
