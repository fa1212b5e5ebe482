/* heart-server-asyncapi.c: the AsyncAPI 2.6 document of the streams
 *
 * Channels, messages and payload schemas are made from the channel table
 * (heart-channel.h) and from the writers of the fields the streams send
 * (heart-sample-fields.c, heart-server-json.c), so a new channel or field
 * shows here with no code (docs/api.md, "AsyncAPI"). Only the fixed frames
 * (connected, batches, waveform blocks) are described here by hand, and
 * tests/test-asyncapi.c holds them against frames of a real server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "heart-sample-fields.h"
#include "heart-server-asyncapi.h"
#include "heart-server-json.h"

#define SUBJECT_PREFIX "/subjects/{id}"
#define STATUS_CHANNEL "status"    /* the topic of a subject's "online"/"offline" */

/* ---- JSON ------------------------------------------------------------------ */

static JsonObject *
add_object (JsonObject *parent,
            const char *name)
{
  JsonObject *child = json_object_new ();

  json_object_set_object_member (parent, name, child);
  return child;
}

static JsonArray *
add_array (JsonObject *parent,
           const char *name)
{
  JsonArray *array = json_array_new ();

  json_object_set_array_member (parent, name, array);
  return array;
}

static JsonObject *
ref_new (const char *kind,
         const char *name)
{
  JsonObject *ref = json_object_new ();
  g_autofree char *path = g_strdup_printf ("#/components/%s/%s", kind, name);

  json_object_set_string_member (ref, "$ref", path);
  return ref;
}

static void
set_ref (JsonObject *parent,
         const char *member,
         const char *kind,
         const char *name)
{
  json_object_set_object_member (parent, member, ref_new (kind, name));
}

/* Whole numbers as JSON integers: ranges read 30, not 30.0 */
static void
set_number (JsonObject *object,
            const char *name,
            double      value)
{
  if (value == floor (value) && fabs (value) < 1e15)
    json_object_set_int_member (object, name, (gint64) value);
  else
    json_object_set_double_member (object, name, value);
}

static JsonObject *
typed_schema (JsonObject *parent,
              const char *name,
              const char *type,
              const char *description)
{
  JsonObject *schema = add_object (parent, name);

  json_object_set_string_member (schema, "type", type);
  if (description != NULL)
    json_object_set_string_member (schema, "description", description);
  return schema;
}

static void
add_strings (JsonArray         *array,
             const char *const *strings)
{
  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (array, strings[i]);
}

/* ---- payload schemas --------------------------------------------------------- */

/* What the fields that carry no channel's value are (docs/api.md, "The sample") */
static const struct
{
  const char *name;
  const char *description;
} field_docs[] = {
  { "timestamp", "When the value was made: UTC, ISO 8601 with milliseconds" },
  { "seq", "The sample's number: strictly increasing, never reused while the process lives, so a gap is a missed sample" },
  { "state", "Whether the source runs" },
  { "type", "What the message is" },
  { "variability", "RMSSD of the last 30 s / 100 ms, 0-1; null when the source has no RR intervals" },
  { "rr_ms", "The latest RR interval, ms; null when the source has none" },
  { "baseline_bpm", "The resting heart rate set; null for a replayed file" },
  { "condition", "The phase of the scenario running, empty with none" },
  { "event", "Whether an acute or random stress event is active" },
  { "label", "What the event is: acute, arousal or end for a stress event" },
};

static const char *
field_description (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_docs); i++)
    if (g_str_equal (field_docs[i].name, name))
      return field_docs[i].description;
  return NULL;
}

/* The channel a field of a record carries: a periodic channel's field in
 * the sample ("bpm", "eda"), or a value of @value_channel */
static const HeartChannel *
field_channel (const char         *name,
               const HeartChannel *value_channel)
{
  if (value_channel != NULL && g_str_equal (name, "value"))
    return value_channel;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);

      if (g_str_equal (name, channel->name) || g_strcmp0 (name, channel->sample_field) == 0)
        return channel;
    }
  return NULL;
}

/* A channel's description, unit and, for numbers, range (GET /api/channels) */
static void
describe_channel (JsonObject         *schema,
                  const HeartChannel *channel,
                  gboolean            numeric)
{
  json_object_set_string_member (schema, "description", channel->description);
  if (channel->unit[0] != '\0')
    json_object_set_string_member (schema, "x-unit", channel->unit);
  if (numeric && channel->max > channel->min)
    {
      set_number (schema, "minimum", channel->min);
      set_number (schema, "maximum", channel->max);
    }
}

/* A value of @channel as the batches and waveform blocks write it, to the
 * channel's decimals */
static JsonObject *
channel_value_schema (const HeartChannel *channel)
{
  JsonObject *schema = json_object_new ();

  json_object_set_string_member (schema, "type", channel->decimals == 0 ? "integer" : "number");
  describe_channel (schema, channel, TRUE);
  return schema;
}

/* "running" or "stopped", as samples say */
static void
set_state_enum (JsonObject *schema)
{
  JsonArray *states = add_array (schema, "enum");
  HeartSample sample = { .running = TRUE };

  json_array_add_string_element (states, heart_sample_state_string (&sample));
  sample.running = FALSE;
  json_array_add_string_element (states, heart_sample_state_string (&sample));
}

static const char *
field_type (HeartFieldKind kind)
{
  switch (kind)
    {
    case HEART_FIELD_TIMESTAMP:
    case HEART_FIELD_STRING:
      return "string";
    case HEART_FIELD_INT:
      return "integer";
    case HEART_FIELD_DECIMALS_1:
    case HEART_FIELD_DECIMALS_3:
      return "number";
    case HEART_FIELD_BOOLEAN:
      return "boolean";
    case HEART_FIELD_NULL:
    default:
      return "null";
    }
}

/* Written as null (heart-fields.c) */
static gboolean
field_is_null (const HeartField *field)
{
  return field->kind == HEART_FIELD_NULL
      || ((field->kind == HEART_FIELD_DECIMALS_1 || field->kind == HEART_FIELD_DECIMALS_3) && !isfinite (field->number));
}

static const HeartField *
find_field (const HeartField *fields,
            guint             n_fields,
            const char       *name)
{
  for (guint i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].name, name))
      return &fields[i];
  return NULL;
}

static void
describe_field (JsonObject         *schema,
                const HeartField   *field,
                const HeartChannel *value_channel)
{
  const char *description = field_description (field->name);
  const HeartChannel *channel = field_channel (field->name, value_channel);

  if (field->kind == HEART_FIELD_TIMESTAMP)
    json_object_set_string_member (schema, "format", "date-time");
  /* "type" names the message: the record's own string */
  if (g_str_equal (field->name, "type") && field->kind == HEART_FIELD_STRING)
    json_object_set_string_member (schema, "const", field->string);
  if (g_str_equal (field->name, "state"))
    set_state_enum (schema);
  if (description != NULL)
    json_object_set_string_member (schema, "description", description);
  else if (channel != NULL)
    describe_channel (schema, channel,
                      field->kind == HEART_FIELD_INT || field->kind == HEART_FIELD_DECIMALS_1 ||
                      field->kind == HEART_FIELD_DECIMALS_3);
}

/* The object written from the fields @full, which have every value; @lacking
 * are the same record's fields with all a source may lack missing: a field
 * null there may be null, one absent there is optional. "value" is a value
 * of @value_channel when not NULL. */
static JsonObject *
record_schema (const HeartField   *full,
               guint               n_full,
               const HeartField   *lacking,
               guint               n_lacking,
               const HeartChannel *value_channel)
{
  JsonObject *schema = json_object_new ();
  JsonObject *properties;
  JsonArray *required;

  json_object_set_string_member (schema, "type", "object");
  required = add_array (schema, "required");
  properties = add_object (schema, "properties");
  for (guint i = 0; i < n_full; i++)
    {
      const HeartField *other = find_field (lacking, n_lacking, full[i].name);
      JsonObject *property = add_object (properties, full[i].name);

      if (other != NULL && field_is_null (other) && !field_is_null (&full[i]))
        {
          JsonArray *types = add_array (property, "type");

          json_array_add_string_element (types, field_type (full[i].kind));
          json_array_add_string_element (types, "null");
        }
      else
        json_object_set_string_member (property, "type", field_type (full[i].kind));
      describe_field (property, &full[i], value_channel);
      if (other != NULL)
        json_array_add_string_element (required, full[i].name);
    }
  return schema;
}

/* A sample with every value, and one without what a replayed file may lack
 * (docs/api.md, "Source"): its fields are null */
static void
sample_pair (HeartSample *full,
             HeartSample *lacking)
{
  memset (full, 0, sizeof *full);
  full->seq = 1;
  full->bpm = 60;
  full->variability = full->stress_level = 0.5;
  full->rr_ms = 1000;
  full->rmssd_ms = 50;
  full->baseline_bpm = 60;
  full->running = TRUE;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    full->channels[c] = 1;

  *lacking = *full;
  lacking->variability = lacking->stress_level = lacking->rr_ms = lacking->rmssd_ms = NAN;
  lacking->baseline_bpm = 0;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    lacking->channels[c] = NAN;
}

/* The seed's WebSocket sample (heart_sample_fields) */
static JsonObject *
sample_schema (void)
{
  HeartField full[HEART_FIELDS_MAX], lacking[HEART_FIELDS_MAX];
  HeartSample a, b;
  guint n_full, n_lacking;

  sample_pair (&a, &b);
  n_full = heart_sample_fields (&a, HEART_SAMPLE_JSON_WIRE, full);
  n_lacking = heart_sample_fields (&b, HEART_SAMPLE_JSON_WIRE, lacking);
  return record_schema (full, n_full, lacking, n_lacking, NULL);
}

/* The seed's SSE event (heart_sse_event_fields): "value" is the heart rate */
static JsonObject *
heart_rate_event_schema (void)
{
  HeartField full[HEART_SSE_EVENT_FIELDS], lacking[HEART_SSE_EVENT_FIELDS];
  HeartSample a, b;
  guint n_full, n_lacking;

  sample_pair (&a, &b);
  n_full = heart_sse_event_fields (&a, full);
  n_lacking = heart_sse_event_fields (&b, lacking);
  return record_schema (full, n_full, lacking, n_lacking, heart_channel_get (HEART_CHANNEL_HEART_RATE));
}

/* One value of a channel on the typed streams and MQTT
 * (heart_channel_value_fields): an event's label is optional */
static JsonObject *
value_schema (const HeartChannel *channel)
{
  HeartField full[HEART_FIELDS_MAX], lacking[HEART_FIELDS_MAX];
  HeartChannelValue a = { .channel = channel->id, .value = channel->min };
  HeartChannelValue b;
  guint n_full, n_lacking;

  g_strlcpy (a.label, "label", sizeof a.label);
  b = a;
  b.label[0] = '\0';
  n_full = heart_channel_value_fields (&a, "", FALSE, full);
  n_lacking = heart_channel_value_fields (&b, "", FALSE, lacking);
  return record_schema (full, n_full, lacking, n_lacking, channel);
}

static void
set_required (JsonObject        *schema,
              const char *const *names)
{
  json_object_set_string_member (schema, "type", "object");
  add_strings (add_array (schema, "required"), names);
}

static void
add_type_const (JsonObject *properties,
                const char *name)
{
  JsonObject *type = typed_schema (properties, "type", "string", field_description ("type"));

  json_object_set_string_member (type, "const", name);
}

/* A tick's values of a periodic channel on WebSocket (docs/api.md, "WS
 * /ws/stream") */
static JsonObject *
batch_schema (const HeartChannel *channel)
{
  static const char *const required[] = { "type", "t0", "fs", "condition", "values", NULL };
  JsonObject *schema = json_object_new ();
  JsonObject *properties, *t0, *fs, *values;

  set_required (schema, required);
  properties = add_object (schema, "properties");
  add_type_const (properties, channel->name);
  t0 = typed_schema (properties, "t0", "string", "When values[0] was made; value i at t0 + i / fs");
  json_object_set_string_member (t0, "format", "date-time");
  fs = typed_schema (properties, "fs", "number", "Values a second of simulation time: the channel's rate");
  set_number (fs, "const", channel->rate_hz);
  typed_schema (properties, "condition", "string", field_description ("condition"));
  values = typed_schema (properties, "values", "array", "The tick's values, in order");
  json_object_set_object_member (values, "items", channel_value_schema (channel));
  return schema;
}

/* A block of a waveform (heart_waveform_append_json; docs/api.md, "Waveforms") */
static JsonObject *
waveform_schema (const HeartChannel *channel)
{
  static const char *const required[] = { "type", "t0", "t0_s", "index", "fs", "unit", "values", "annotations", NULL };
  JsonObject *schema = json_object_new ();
  JsonObject *properties, *t0, *index, *fs, *values, *annotations;
  g_autofree char *fs_text = g_strdup_printf ("Samples a second of simulation time: %g by default, set by POST /simulation/waveform",
                                              channel->rate_hz);

  set_required (schema, required);
  properties = add_object (schema, "properties");
  add_type_const (properties, channel->name);
  t0 = typed_schema (properties, "t0", "string", "The wall-clock time of values[0]");
  json_object_set_string_member (t0, "format", "date-time");
  typed_schema (properties, "t0_s", "number", "The same in simulation seconds: index / fs");
  index = typed_schema (properties, "index", "integer",
                        "The sample number of values[0]: the channel's next block starts at index + length of values");
  json_object_set_int_member (index, "minimum", 0);
  fs = typed_schema (properties, "fs", "number", fs_text);
  json_object_set_int_member (fs, "exclusiveMinimum", 0);
  json_object_set_string_member (typed_schema (properties, "unit", "string", "The channel's unit"), "const", channel->unit);
  values = typed_schema (properties, "values", "array", "The samples");
  json_object_set_object_member (values, "items", channel_value_schema (channel));
  annotations = typed_schema (properties, "annotations", "array", "The marks among the samples, in time order");
  set_ref (annotations, "items", "schemas", "annotation");
  return schema;
}

static JsonObject *
annotation_schema (void)
{
  static const char *const required[] = { "t", "t_s", "code", NULL };
  JsonObject *schema = json_object_new ();
  JsonObject *properties, *t;

  set_required (schema, required);
  properties = add_object (schema, "properties");
  t = typed_schema (properties, "t", "string", "Wall-clock time of the mark");
  json_object_set_string_member (t, "format", "date-time");
  typed_schema (properties, "t_s", "number", "Simulation time of the mark, s");
  typed_schema (properties, "code", "string",
                "N, V, S: a beat (normal, premature ventricular, premature supraventricular); "
                "lead_off, lead_on: ECG electrodes off and back; motion, motion_end: motion artefacts");
  return schema;
}

/* The first frame of every WebSocket stream */
static JsonObject *
connected_schema (void)
{
  static const char *const required[] = { "type", "message", "state", "seq", "interval_ms", "version", NULL };
  JsonObject *schema = json_object_new ();
  JsonObject *properties, *channels, *names, *seq, *interval;
  JsonArray *all;

  set_required (schema, required);
  properties = add_object (schema, "properties");
  add_type_const (properties, "connected");
  typed_schema (properties, "message", "string", NULL);
  channels = typed_schema (properties, "channels", "array", "The channels of a typed stream (/ws/stream), in table order");
  names = add_object (channels, "items");
  json_object_set_string_member (names, "type", "string");
  all = add_array (names, "enum");
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    json_array_add_string_element (all, heart_channel_get (c)->name);
  set_state_enum (typed_schema (properties, "state", "string", field_description ("state")));
  seq = typed_schema (properties, "seq", "integer", "The latest sample's seq (0 before the first)");
  json_object_set_int_member (seq, "minimum", 0);
  interval = typed_schema (properties, "interval_ms", "integer", "Time between samples");
  json_object_set_int_member (interval, "minimum", 1);
  typed_schema (properties, "version", "string", "Heartsim's version");
  return schema;
}

/* A SenML pack (RFC 8428), the MQTT payload when SenML is chosen */
static JsonObject *
senml_schema (void)
{
  static const struct { const char *name, *type, *description; } labels[] = {
    { "bn", "string", "Base name, in the first record: heartsim:SUBJECT:, prefixed to n" },
    { "bt", "number", "Base time, in the first record: seconds since the epoch, added to t" },
    { "n", "string", "Name: the channel" },
    { "u", "string", "Unit, as SenML registers it (beat/min, ms, S, Cel, V, …); absent for a unit SenML lacks" },
    { "v", "number", "The value of a numeric channel" },
    { "vs", "string", "The value of a label channel" },
    { "t", "number", "Time, relative to bt" },
  };
  JsonObject *schema = json_object_new ();
  JsonObject *record, *properties;

  json_object_set_string_member (schema, "type", "array");
  json_object_set_string_member (schema, "description",
                                 "One record a value, in time order; no record for a value the source lacks");
  record = add_object (schema, "items");
  json_object_set_string_member (record, "type", "object");
  properties = add_object (record, "properties");
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    typed_schema (properties, labels[i].name, labels[i].type, labels[i].description);
  return schema;
}

/* ---- messages ------------------------------------------------------------------ */

static void
add_message (JsonObject *messages,
             JsonObject *schemas,
             const char *id,
             JsonObject *payload,
             const char *summary,
             const char *content_type)
{
  JsonObject *message = add_object (messages, id);

  json_object_set_object_member (schemas, id, payload);
  json_object_set_string_member (message, "name", id);
  json_object_set_string_member (message, "summary", summary);
  if (content_type != NULL)
    json_object_set_string_member (message, "contentType", content_type);
  set_ref (message, "payload", "schemas", id);
}

static char *
message_id (const char         *kind,
            const HeartChannel *channel)
{
  return g_strconcat (kind, ".", channel->name, NULL);
}

static void
add_channel_messages (JsonObject         *messages,
                      JsonObject         *schemas,
                      const HeartChannel *channel)
{
  g_autofree char *value = message_id ("value", channel);
  g_autofree char *batch = message_id ("batch", channel);
  g_autofree char *waveform = message_id ("waveform", channel);
  g_autofree char *summary = NULL;

  if (channel->kind == HEART_CHANNEL_KIND_WAVEFORM)
    {
      summary = g_strdup_printf ("A block of %s samples", channel->name);
      add_message (messages, schemas, waveform, waveform_schema (channel), summary, NULL);
      return;
    }
  summary = g_strdup_printf ("A value of %s (%s)", channel->name, heart_channel_kind_name (channel->kind));
  add_message (messages, schemas, value, value_schema (channel), summary, NULL);
  if (channel->kind == HEART_CHANNEL_KIND_PERIODIC)
    {
      g_free (summary);
      summary = g_strdup_printf ("A tick's values of %s, %g a second", channel->name, channel->rate_hz);
      add_message (messages, schemas, batch, batch_schema (channel), summary, NULL);
    }
}

static void
add_status_message (JsonObject *messages,
                    JsonObject *schemas)
{
  JsonObject *status = json_object_new ();

  json_object_set_string_member (status, "type", "string");
  add_strings (add_array (status, "enum"), (const char *const[]) { "online", "offline", NULL });
  json_object_set_string_member (status, "description",
                                 "online once connected; offline, the last will, when the connection is lost or closed");
  add_message (messages, schemas, "status", status, "Whether the subject's publisher is connected", "text/plain");
}

static void
add_components (JsonObject *document)
{
  JsonObject *components = add_object (document, "components");
  JsonObject *schemas = add_object (components, "schemas");
  JsonObject *messages = add_object (components, "messages");
  JsonObject *parameters = add_object (components, "parameters");
  JsonObject *id, *subject;

  add_message (messages, schemas, "connected", connected_schema (), "The first frame of a WebSocket stream", NULL);
  add_message (messages, schemas, "sample", sample_schema (), "A sample, one a tick", NULL);
  add_message (messages, schemas, "heart_rate_event", heart_rate_event_schema (),
               "The seed's SSE event, about one a second; its id: line is the sample's seq, "
               "so a client resumes with Last-Event-ID", NULL);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    add_channel_messages (messages, schemas, heart_channel_get (c));
  add_message (messages, schemas, "senml", senml_schema (), "A channel's values as a SenML pack (RFC 8428)",
               "application/senml+json");
  add_status_message (messages, schemas);
  json_object_set_object_member (schemas, "annotation", annotation_schema ());

  id = add_object (parameters, "id");
  json_object_set_string_member (id, "description", "A subject's id, as GET /subjects lists it; an unknown one is 404");
  json_object_set_int_member (typed_schema (id, "schema", "integer", NULL), "minimum", 0);
  subject = add_object (parameters, "subject");
  json_object_set_string_member (subject, "description", "The subject the value is of: its id, as GET /subjects lists it");
  json_object_set_int_member (typed_schema (subject, "schema", "integer", NULL), "minimum", 0);
}

/* ---- channels --------------------------------------------------------------------- */

static JsonObject *
add_channel (JsonObject *channels,
             const char *name,
             const char *server,
             const char *description)
{
  JsonObject *channel = add_object (channels, name);

  json_object_set_string_member (channel, "description", description);
  json_array_add_string_element (add_array (channel, "servers"), server);
  /* every placeholder of the name is a parameter of the components */
  if (strstr (name, "{id}") != NULL || strstr (name, "{subject}") != NULL)
    {
      JsonObject *parameters = add_object (channel, "parameters");

      if (strstr (name, "{id}") != NULL)
        set_ref (parameters, "id", "parameters", "id");
      if (strstr (name, "{subject}") != NULL)
        set_ref (parameters, "subject", "parameters", "subject");
    }
  return channel;
}

/* The messages clients receive on @channel (AsyncAPI 2: "subscribe") */
static JsonArray *
add_subscribe (JsonObject *channel,
               const char *path,
               const char *summary)
{
  JsonObject *operation = add_object (channel, "subscribe");
  g_autoptr(GString) id = g_string_new (NULL);

  /* an id from the path: /subjects/{id}/ws/stream → subjects_id_ws_stream */
  for (const char *p = path; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (id, *p);
    else if (id->len > 0 && id->str[id->len - 1] != '_')
      g_string_append_c (id, '_');
  json_object_set_string_member (operation, "operationId", id->str);
  json_object_set_string_member (operation, "summary", summary);
  return add_array (add_object (operation, "message"), "oneOf");
}

static void
add_message_ref (JsonArray  *one_of,
                 const char *id)
{
  json_array_add_object_element (one_of, ref_new ("messages", id));
}

/* The message of a channel on a stream: a waveform's block, a periodic
 * channel's batch of a tick where @batches, a value otherwise */
static char *
channel_message (const HeartChannel *channel,
                 gboolean            batches)
{
  if (channel->kind == HEART_CHANNEL_KIND_WAVEFORM)
    return message_id ("waveform", channel);
  if (batches && channel->kind == HEART_CHANNEL_KIND_PERIODIC)
    return message_id ("batch", channel);
  return message_id ("value", channel);
}

static void
add_channel_refs (JsonArray *one_of,
                  gboolean   batches)
{
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      g_autofree char *id = channel_message (heart_channel_get (c), batches);

      add_message_ref (one_of, id);
    }
}

/* ?types=…: the channels of a typed stream */
static JsonObject *
types_query (gboolean required)
{
  JsonObject *query = json_object_new ();
  JsonObject *types;
  g_autofree char *example = g_strconcat (heart_channel_get (0)->name, ",", heart_channel_get (1)->name, NULL);

  json_object_set_string_member (query, "type", "object");
  types = typed_schema (add_object (query, "properties"), "types", "string",
                        "Channel names, comma-separated (GET /api/channels); an unknown one is 422");
  add_strings (add_array (types, "examples"), (const char *const[]) { example, NULL });
  if (required)
    add_strings (add_array (query, "required"), (const char *const[]) { "types", NULL });
  return query;
}

static void
add_websocket_channels (JsonObject *channels,
                        const char *prefix)
{
  g_autofree char *heartbeat = g_strconcat (prefix, "/ws/heartbeat", NULL);
  g_autofree char *stream = g_strconcat (prefix, "/ws/stream", NULL);
  JsonObject *channel, *binding;
  JsonArray *one_of;

  channel = add_channel (channels, heartbeat, "websocket",
                         "The seed's stream: a connected frame, then every sample at the simulation's rate");
  binding = add_object (add_object (channel, "bindings"), "ws");
  json_object_set_string_member (binding, "method", "GET");
  json_object_set_string_member (binding, "bindingVersion", "0.1.0");
  one_of = add_subscribe (channel, heartbeat, "Samples");
  add_message_ref (one_of, "connected");
  add_message_ref (one_of, "sample");

  channel = add_channel (channels, stream, "websocket",
                         "The channels named in types: a connected frame naming them, then one batch a tick of each "
                         "periodic channel, one frame a value of the others, one frame a block of a waveform");
  binding = add_object (add_object (channel, "bindings"), "ws");
  json_object_set_string_member (binding, "method", "GET");
  json_object_set_object_member (binding, "query", types_query (TRUE));
  json_object_set_string_member (binding, "bindingVersion", "0.1.0");
  one_of = add_subscribe (channel, stream, "Channel values");
  add_message_ref (one_of, "connected");
  add_channel_refs (one_of, TRUE);
}

static void
add_sse_channel (JsonObject *channels,
                 const char *prefix)
{
  g_autofree char *path = g_strconcat (prefix, "/api/stream", NULL);
  JsonObject *channel, *operation, *binding;
  JsonArray *one_of;

  channel = add_channel (channels, path, "sse",
                         "Server-Sent Events. Without types: the seed's heart_rate events, about one a second, each "
                         "with id: its seq (resume with Last-Event-ID). With types: one event a value of each named "
                         "channel, one a block of a named waveform, without id");
  one_of = add_subscribe (channel, path, "Events");
  operation = json_object_get_object_member (channel, "subscribe");
  binding = add_object (add_object (operation, "bindings"), "http");
  json_object_set_string_member (binding, "method", "GET");
  json_object_set_object_member (binding, "query", types_query (FALSE));
  json_object_set_string_member (binding, "bindingVersion", "0.2.0");
  add_message_ref (one_of, "heart_rate_event");
  add_channel_refs (one_of, FALSE);
}

/* @qos: NULL when not known */
static void
add_mqtt_binding (JsonObject   *operation,
                  const guint8 *qos,
                  gboolean      retain)
{
  JsonObject *binding = add_object (add_object (operation, "bindings"), "mqtt");

  if (qos != NULL)
    json_object_set_int_member (binding, "qos", *qos);
  json_object_set_boolean_member (binding, "retain", retain);
  json_object_set_string_member (binding, "bindingVersion", "0.1.0");
}

static char *
topic_for (const char *template,
           const char *channel)
{
  g_auto(GStrv) parts = g_strsplit (template, "{channel}", -1);

  return g_strjoinv (channel, parts);
}

/* A topic a channel: the WebSocket stream's objects, or SenML; a periodic
 * channel's latest batch is retained (docs/scale.md, "MQTT") */
static void
add_mqtt_channels (JsonObject   *channels,
                   const char   *template,
                   const guint8 *qos)
{
  static const guint8 status_qos = 1;
  g_autofree char *status = topic_for (template, STATUS_CHANNEL);
  JsonObject *channel;
  JsonArray *one_of;

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *info = heart_channel_get (c);
      g_autofree char *topic = topic_for (template, info->name);
      g_autofree char *id = channel_message (info, TRUE);
      gboolean periodic = info->kind == HEART_CHANNEL_KIND_PERIODIC;
      g_autofree char *description = NULL;

      description = g_strconcat (info->description,
                                 info->kind == HEART_CHANNEL_KIND_WAVEFORM ? ". Published only when named (docs/scale.md)" : "",
                                 NULL);
      channel = add_channel (channels, topic, "mqtt", description);
      one_of = add_subscribe (channel, topic, periodic ? "Each tick's values; the latest retained" : "Each value");
      add_mqtt_binding (json_object_get_object_member (channel, "subscribe"),
                        qos != NULL ? &qos[info->kind] : NULL, periodic);
      add_message_ref (one_of, id);
      add_message_ref (one_of, "senml");
    }
  channel = add_channel (channels, status, "mqtt",
                         "online once the subject's connection is up; offline, its last will, when it is gone");
  one_of = add_subscribe (channel, status, "The subject's connection, retained");
  add_mqtt_binding (json_object_get_object_member (channel, "subscribe"), &status_qos, TRUE);
  add_message_ref (one_of, "status");
}

/* ---- servers ------------------------------------------------------------------------- */

/* http[s]://HOST:PORT of @url, and its WebSocket twin */
static gboolean
parse_server_url (const char  *url,
                  char       **http_url,
                  char       **ws_url,
                  GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  const char *scheme;

  if (uri == NULL)
    {
      g_prefix_error (error, "server URL: ");
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if ((g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "server URL “%s”: must be http://HOST:PORT or https://HOST:PORT", url);
      return FALSE;
    }
  *http_url = g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
  *ws_url = g_uri_join (G_URI_FLAGS_NONE, g_str_equal (scheme, "https") ? "wss" : "ws", NULL,
                        g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
  return TRUE;
}

/* mqtt[s]://HOST:PORT of @url, never its user or password, which the
 * errors do not repeat either */
static gboolean
parse_mqtt_url (const char  *url,
                char       **clean,
                gboolean    *secure,
                GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  int port;

  if (uri == NULL || (g_strcmp0 (scheme, "mqtt") != 0 && g_strcmp0 (scheme, "mqtts") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "MQTT URL: must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
      return FALSE;
    }
  *secure = g_str_equal (scheme, "mqtts");
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (*secure ? 8883 : 1883);
  *clean = g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), port, "", NULL, NULL);
  return TRUE;
}

/* {subject} and {channel}, as the publisher asks (heart-mqtt-publisher.c),
 * no other braces, which would read as parameters here, and no MQTT
 * wildcard: a topic one publishes to */
static gboolean
check_template (const char  *template,
                GError     **error)
{
  g_autofree char *rest = topic_for (template, "c");
  g_auto(GStrv) parts = g_strsplit (rest, "{subject}", -1);
  g_autofree char *plain = g_strjoinv ("s", parts);

  if (strstr (template, "{channel}") == NULL || strstr (template, "{subject}") == NULL ||
      strpbrk (plain, "{}+#") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "MQTT topic template “%s”: must contain {subject} and {channel}, "
                   "and no other braces nor the wildcards + and #", template);
      return FALSE;
    }
  return TRUE;
}

static void
add_variable (JsonObject *variables,
              const char *name,
              const char *value,
              const char *description)
{
  JsonObject *variable = add_object (variables, name);

  json_object_set_string_member (variable, "default", value);
  json_object_set_string_member (variable, "description", description);
}

static void
add_mqtt_server (JsonObject *servers,
                 const char *url,
                 gboolean    secure,
                 const char *template)
{
  JsonObject *server = add_object (servers, "mqtt");
  JsonObject *binding, *will;
  g_autofree char *status = topic_for (template, STATUS_CHANNEL);

  json_object_set_string_member (server, "url", url != NULL ? url : "mqtt://{host}:{port}");
  json_object_set_string_member (server, "description",
                                 url != NULL ? "The broker Heartsim publishes to (--mqtt)"
                                             : "The broker a Heartsim started with --mqtt publishes to; this one publishes to none");
  if (url == NULL)
    {
      JsonObject *variables = add_object (server, "variables");

      add_variable (variables, "host", "127.0.0.1", "The broker's host");
      add_variable (variables, "port", "1883", "The broker's port");
    }
  json_object_set_string_member (server, "protocol", secure ? "secure-mqtt" : "mqtt");
  binding = add_object (add_object (server, "bindings"), "mqtt");
  will = add_object (binding, "lastWill");
  json_object_set_string_member (will, "topic", status);
  json_object_set_int_member (will, "qos", 1);
  json_object_set_string_member (will, "message", "offline");
  json_object_set_boolean_member (will, "retain", TRUE);
  json_object_set_string_member (binding, "bindingVersion", "0.1.0");
}

static void
add_server (JsonObject *servers,
            const char *name,
            const char *url,
            const char *protocol,
            const char *description)
{
  JsonObject *server = add_object (servers, name);

  json_object_set_string_member (server, "url", url);
  json_object_set_string_member (server, "protocol", protocol);
  json_object_set_string_member (server, "description", description);
}

static void
add_info (JsonObject *document)
{
  JsonObject *info = add_object (document, "info");
  JsonObject *license;

  json_object_set_string_member (info, "title", "Heartsim streams");
  json_object_set_string_member (info, "version", PACKAGE_VERSION);
  json_object_set_string_member (info, "description",
                                 "The live streams of a simulated person's heart, breathing, skin, activity, sleep, ECG "
                                 "and PPG: WebSocket, Server-Sent Events and MQTT. Each subject of a cohort has the same "
                                 "streams under /subjects/{id}/; the single-person paths serve subject 0. GET "
                                 "/api/channels lists the channels; /openapi.json describes the REST API.");
  license = add_object (info, "license");
  json_object_set_string_member (license, "name", "GPL-3.0-or-later");
}

/* ---- the document ------------------------------------------------------------------------ */

GBytes *
heart_server_asyncapi_build (const char  *server_url,
                             const char  *mqtt_url,
                             const char  *mqtt_topic_template,
                             const guint8 *mqtt_qos,
                             GError     **error)
{
  g_autofree char *http_url = NULL, *ws_url = NULL, *broker = NULL;
  const char *template = mqtt_topic_template != NULL ? mqtt_topic_template : HEART_ASYNCAPI_DEFAULT_TOPIC;
  gboolean secure = FALSE;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  JsonObject *document, *servers, *channels;
  gsize length = 0;
  char *text;

  if (!parse_server_url (server_url != NULL ? server_url : HEART_ASYNCAPI_DEFAULT_URL, &http_url, &ws_url, error) ||
      (mqtt_url != NULL && !parse_mqtt_url (mqtt_url, &broker, &secure, error)) ||
      !check_template (template, error))
    return NULL;

  document = json_object_new ();
  root = json_node_init_object (json_node_alloc (), document);
  json_object_unref (document);
  json_object_set_string_member (document, "asyncapi", HEART_ASYNCAPI_VERSION);
  json_object_set_string_member (document, "id", "urn:io.github.heartsim.Heartsim:streams");
  add_info (document);
  json_object_set_string_member (document, "defaultContentType", "application/json");

  servers = add_object (document, "servers");
  add_server (servers, "websocket", ws_url, g_str_has_prefix (ws_url, "wss:") ? "wss" : "ws", "This server's WebSocket streams");
  add_server (servers, "sse", http_url, g_str_has_prefix (http_url, "https:") ? "https" : "http",
              "This server's Server-Sent Events (text/event-stream, HTTP/1.1)");
  add_mqtt_server (servers, broker, secure, template);

  channels = add_object (document, "channels");
  add_websocket_channels (channels, "");
  add_sse_channel (channels, "");
  add_websocket_channels (channels, SUBJECT_PREFIX);
  add_sse_channel (channels, SUBJECT_PREFIX);
  add_mqtt_channels (channels, template, mqtt_qos);
  add_components (document);

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

void
heart_server_asyncapi_respond (SoupServerMessage *msg,
                               const char        *mqtt_url,
                               const char        *mqtt_topic_template,
                               const guint8      *mqtt_qos)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *base = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                                      g_uri_get_port (uri), "", NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) document = heart_server_asyncapi_build (base, mqtt_url, mqtt_topic_template, mqtt_qos, &error);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (document == NULL)
    {
      heart_respond_detail (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, error->message);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  /* it names the host the client asked for: never shared between hosts */
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "Vary", "Host");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), document);
}
