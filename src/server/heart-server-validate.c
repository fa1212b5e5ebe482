/* heart-server-validate.c: query parameters checked the way FastAPI checks them
 *
 * The seed's clients parse FastAPI's 422 body, so errors keep its shape and
 * its (pydantic 2) type names and messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "heart-channel.h"
#include "heart-server-json.h"
#include "heart-server-validate.h"

struct _HeartValidation
{
  GHashTable *query;   /* borrowed; NULL when the URI has no query */
  GString    *errors;  /* the items of "detail", comma-separated */
};

HeartValidation *
heart_validation_new (GHashTable *query)
{
  HeartValidation *self = g_new0 (HeartValidation, 1);

  self->query = query;
  self->errors = g_string_new (NULL);
  return self;
}

void
heart_validation_free (HeartValidation *self)
{
  g_string_free (self->errors, TRUE);
  g_free (self);
}

gboolean
heart_validation_ok (HeartValidation *self)
{
  return self->errors->len == 0;
}

char *
heart_validation_to_json (HeartValidation *self)
{
  return g_strdup_printf ("{\"detail\":[%s]}", self->errors->str);
}

/* @location "query" or "body"; @name NULL for the whole body */
static void
open_error (HeartValidation *self,
            const char      *location,
            const char      *name)
{
  GString *out = self->errors;

  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append (out, "{\"loc\":[");
  heart_json_append_string (out, location);
  if (name != NULL)
    {
      g_string_append_c (out, ',');
      heart_json_append_string (out, name);
    }
  g_string_append (out, "]");
}

static void
add_error_at (HeartValidation *self,
              const char      *location,
              const char      *name,
              const char      *type,
              const char      *msg,
              const char      *input)
{
  GString *out = self->errors;

  open_error (self, location, name);
  g_string_append (out, ",\"msg\":");
  heart_json_append_string (out, msg);
  g_string_append (out, ",\"type\":");
  heart_json_append_string (out, type);
  if (input != NULL)
    {
      g_string_append (out, ",\"input\":");
      heart_json_append_string (out, input);
    }
  g_string_append_c (out, '}');
}

/* @input NULL writes "input":null (missing). @ctx_json is a JSON object or NULL. */
static void
add_error (HeartValidation *self,
           const char      *name,
           const char      *type,
           const char      *msg,
           const char      *input,
           const char      *ctx_json)
{
  GString *out = self->errors;

  open_error (self, "query", name);
  g_string_append (out, ",\"msg\":");
  heart_json_append_string (out, msg);
  g_string_append (out, ",\"type\":");
  heart_json_append_string (out, type);
  g_string_append (out, ",\"input\":");
  if (input != NULL)
    heart_json_append_string (out, input);
  else
    g_string_append (out, "null");
  if (ctx_json != NULL)
    g_string_append_printf (out, ",\"ctx\":%s", ctx_json);
  g_string_append_c (out, '}');
}

static const char *
lookup (HeartValidation *self,
        const char      *name,
        gboolean         required)
{
  const char *value = self->query ? g_hash_table_lookup (self->query, name) : NULL;

  if (value == NULL && required)
    add_error (self, name, "missing", "Field required", NULL, NULL);
  return value;
}

/* Plain decimal notation only: no hex, no leading/trailing space. */
static gboolean
looks_decimal (const char *text)
{
  const char *p = text;
  gboolean digits = FALSE;

  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++, digits = TRUE;
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++, digits = TRUE;
    }
  if (!digits)
    return FALSE;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

static gboolean
looks_non_finite (const char *text)
{
  const char *p = text;

  if (*p == '+' || *p == '-')
    p++;
  return g_ascii_strcasecmp (p, "nan") == 0 ||
         g_ascii_strcasecmp (p, "inf") == 0 ||
         g_ascii_strcasecmp (p, "infinity") == 0;
}

static void
add_range_error (HeartValidation *self,
                 const char      *name,
                 const char      *input,
                 gboolean         below,
                 const char      *bound)
{
  g_autofree char *msg = g_strdup_printf ("Input should be %s than or equal to %s",
                                          below ? "greater" : "less", bound);
  g_autofree char *ctx = g_strdup_printf ("{\"%s\":%s}", below ? "ge" : "le", bound);

  add_error (self, name, below ? "greater_than_equal" : "less_than_equal", msg, input, ctx);
}

static char *
format_bound (double value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  heart_json_append_double (out, value, 6);
  if (strchr (out->str, '.') == NULL)
    g_string_append (out, ".0");  /* pydantic prints float bounds as 0.0, 1.0 */
  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
heart_validation_double (HeartValidation *self,
                         const char      *name,
                         gboolean         required,
                         double           min,
                         double           max,
                         double          *out)
{
  const char *text = lookup (self, name, required);
  double value;

  if (text == NULL)
    return !required;

  if (looks_non_finite (text))
    {
      add_error (self, name, "finite_number", "Input should be a finite number", text, NULL);
      return FALSE;
    }
  if (!looks_decimal (text))
    {
      add_error (self, name, "float_parsing",
                 "Input should be a valid number, unable to parse string as a number", text, NULL);
      return FALSE;
    }

  value = g_ascii_strtod (text, NULL);
  if (!isfinite (value))
    {
      add_error (self, name, "finite_number", "Input should be a finite number", text, NULL);
      return FALSE;
    }
  if (value < min || value > max)
    {
      g_autofree char *bound = format_bound (value < min ? min : max);

      add_range_error (self, name, text, value < min, bound);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Integers only: "65.5" and "65.0" are refused, as pydantic refuses a
 * fractional string for an int field. */
gboolean
heart_validation_int (HeartValidation *self,
                      const char      *name,
                      gboolean         required,
                      gint64           min,
                      gint64           max,
                      gint64          *out)
{
  const char *text = lookup (self, name, required);
  const char *digits;
  gint64 value;

  if (text == NULL)
    return !required;

  digits = (*text == '+' || *text == '-') ? text + 1 : text;
  if (*digits == '\0' || strspn (digits, "0123456789") != strlen (digits) ||
      !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    {
      add_error (self, name, "int_parsing",
                 "Input should be a valid integer, unable to parse string as an integer", text, NULL);
      return FALSE;
    }
  if (value < min || value > max)
    {
      g_autofree char *bound = g_strdup_printf ("%" G_GINT64_FORMAT, value < min ? min : max);

      add_range_error (self, name, text, value < min, bound);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

gboolean
heart_validation_multiple_of (HeartValidation *self,
                              const char      *name,
                              gint64           value,
                              gint64           step)
{
  g_autofree char *msg = NULL;
  g_autofree char *ctx = NULL;

  g_return_val_if_fail (step > 0, FALSE);

  if (value % step == 0)
    return TRUE;
  msg = g_strdup_printf ("Input should be a multiple of %" G_GINT64_FORMAT, step);
  ctx = g_strdup_printf ("{\"multiple_of\":%" G_GINT64_FORMAT "}", step);
  add_error (self, name, "multiple_of", msg, lookup (self, name, FALSE), ctx);
  return FALSE;
}

/* libsoup decodes "%00" into a NUL that ends the C string early, so
 * "stress_level=0.5%00x" would pass as 0.5: look at the query as sent. */
void
heart_validation_refuse_nul (HeartValidation *self,
                             const char      *raw_query)
{
  g_auto(GStrv) pairs = NULL;

  if (raw_query == NULL || strstr (raw_query, "%00") == NULL)
    return;
  pairs = g_strsplit (raw_query, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *equals = strchr (pairs[i], '=');
      g_autofree char *raw_name = NULL;
      g_autofree char *name = NULL;

      if (strstr (pairs[i], "%00") == NULL)
        continue;
      raw_name = equals ? g_strndup (pairs[i], equals - pairs[i]) : g_strdup (pairs[i]);
      name = g_uri_unescape_string (raw_name, NULL);
      add_error (self, name ? name : raw_name, "value_error",
                 "Value error, must not contain a NUL character",
                 equals ? equals + 1 : "", NULL);
    }
}

gboolean
heart_validation_channels (HeartValidation  *self,
                           const char       *name,
                           gboolean          periodic_only,
                           gboolean          single,
                           HeartChannelMask *out)
{
  const char *text = lookup (self, name, FALSE);
  g_autofree char *unknown = NULL;
  HeartChannelMask mask = 0;

  if (text == NULL)
    return TRUE;
  if (!heart_channel_parse_list (text, &mask, &unknown) || mask == 0)
    {
      g_autofree char *msg = g_strdup_printf ("Value error, no channel is called “%s” (GET /api/channels lists them)",
                                              unknown != NULL ? unknown : text);

      add_error (self, name, "value_error", msg, text, NULL);
      return FALSE;
    }
  if (single && (mask & (mask - 1)) != 0)
    {
      add_error (self, name, "value_error", "Value error, one channel only", text, NULL);
      return FALSE;
    }
  for (HeartChannelId c = 0; periodic_only && c < HEART_N_CHANNELS; c++)
    if ((mask & HEART_CHANNEL_BIT (c)) && heart_channel_get (c)->kind != HEART_CHANNEL_KIND_PERIODIC)
      {
        const HeartChannel *channel = heart_channel_get (c);
        g_autofree char *msg = channel->kind == HEART_CHANNEL_KIND_WAVEFORM
          ? g_strdup_printf ("Value error, “%s” is a waveform: GET /api/waveform?type=%s has its last minute",
                             channel->name, channel->name)
          : g_strdup_printf ("Value error, “%s” is not a periodic channel: it has no history", channel->name);

        add_error (self, name, "value_error", msg, text, NULL);
        return FALSE;
      }
  *out = mask;
  return TRUE;
}

gboolean
heart_validation_choice (HeartValidation     *self,
                         const char          *name,
                         gboolean             required,
                         const char * const  *choices,
                         const char         **out)
{
  const char *text = lookup (self, name, required);
  g_autoptr(GString) msg = NULL;

  *out = NULL;
  if (text == NULL)
    return !required;
  if (g_strv_contains (choices, text))
    {
      *out = text;
      return TRUE;
    }
  /* as pydantic words a Literal: Input should be 'a', 'b' or 'c' */
  msg = g_string_new ("Input should be ");
  for (guint i = 0; choices[i] != NULL; i++)
    g_string_append_printf (msg, "%s'%s'", i == 0 ? "" : choices[i + 1] == NULL ? " or " : ", ", choices[i]);
  add_error (self, name, "enum", msg->str, text, NULL);
  return FALSE;
}

void
heart_validation_add_error (HeartValidation *self,
                            const char      *location,
                            const char      *name,
                            const char      *message,
                            const char      *input)
{
  add_error_at (self, location, name, "value_error", message, input);
}
