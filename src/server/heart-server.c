/* heart-server.c: the seeds' REST, WebSocket and SSE API on one SoupServer
 *
 * Routing, the REST endpoints, CORS, limits and the bearer token live here;
 * streaming clients and the fan-out are in heart-server-streams.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "heart-cohort.h"
#include "heart-day-log.h"
#include "heart-profile.h"
#include "heart-sample-fields.h"
#include "heart-server.h"
#include "heart-server-asyncapi.h"
#include "heart-mqtt-publisher.h"
#include "heart-server-day.h"
#include "heart-server-json.h"
#include "heart-server-person.h"
#include "heart-server-private.h"
#include "heart-server-resources.h"
#include "heart-server-source.h"
#include "heart-server-subject.h"
#include "heart-server-validate.h"
#include "heart-server-waveform.h"

#define RESOURCE_PREFIX "/io/github/heartsim/Heartsim/core/"
#define LISTEN_BACKLOG 4096
#define WEBSOCKET_PATH "/ws/heartbeat"
#define TYPED_WEBSOCKET_PATH "/ws/stream"
#define SCENARIO_PATH "/simulation/scenario"
#define SUBJECTS_PATH "/subjects"
#define ASYNCAPI_PATH "/asyncapi.json"

struct _HeartServer
{
  GObject         parent_instance;

  /* the first subject's, as given (docs/architecture.md, Sources) */
  HeartSimulator *simulator;     /* obeys the simulation's commands, or NULL */
  HeartSource    *source;        /* what is served */
  HeartHistory   *history;
  HeartDayLog    *day_log;       /* GET /api/day */
  HeartCohort    *cohort;        /* the others, or NULL (docs/scale.md, Subjects) */
  HeartMqttPublisher *mqtt;      /* /health reports it, /asyncapi.json describes it; or NULL */
  GPtrArray      *subjects;      /* HeartServerSubject, the first one first */
  GHashTable     *subjects_by_id;
  SoupServer     *soup;
  HeartConnections *connections;
  guint           fanout_threads; /* 0: the streams in the server's own loop */
  GDBusConnection *bluez_connection; /* where POST /source finds straps; NULL: the system bus */

  char           *bind_address;
  gboolean        bind_is_loopback;   /* of bind_address: asked on every request */
  char           *token;
  char          **allowed_origins;  /* besides the server's own */
  char          **allowed_hosts;    /* names besides localhost */
  guint           port;          /* as configured; 0 = any free port */
  guint           bound_port;
  gboolean        listening;
  gint64          created_us;    /* monotonic, for uptime */
};

G_DEFINE_FINAL_TYPE (HeartServer, heart_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SIMULATOR,
  PROP_SOURCE,
  PROP_HISTORY,
  PROP_DAY_LOG,
  PROP_COHORT,
  PROP_MQTT_PUBLISHER,
  PROP_PORT,
  PROP_BIND_ADDRESS,
  PROP_TOKEN,
  PROP_ALLOWED_ORIGINS,
  PROP_ALLOWED_HOSTS,
  PROP_LISTENING,
  PROP_WEBSOCKET_CLIENTS,
  PROP_SSE_CLIENTS,
  PROP_FANOUT_THREADS,
  PROP_BLUEZ_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef void (*RouteFunc) (HeartServer        *self,
                           HeartServerSubject *subject,
                           SoupServerMessage  *msg,
                           GHashTable        *query);

typedef struct
{
  const char *path;
  RouteFunc   get;       /* also answers HEAD */
  RouteFunc   post;
  const char *resource;  /* or GET serves this file of the GResource */
  RouteFunc   delete;
} Route;

/* ---- responses ---------------------------------------------------------- */

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Content-Type", content_type);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), body);
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *json)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

/* ---- bearer token ------------------------------------------------------ */

static gboolean
address_is_loopback (const char *address)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (address == NULL || g_str_equal (address, "localhost"))
    return TRUE;
  inet = g_inet_address_new_from_string (address);
  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

static gboolean
token_required (HeartServer *self)
{
  return !self->bind_is_loopback;
}

static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guchar diff = la != lb;

  for (gsize i = 0; i < lb; i++)
    diff |= (guchar) (a[i % MAX (la, 1)] ^ b[i]);
  return diff == 0;
}

static gboolean
has_valid_token (HeartServer       *self,
                 SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");

  return self->token != NULL && value != NULL && g_ascii_strncasecmp (value, "Bearer ", 7) == 0 &&
         equal_in_constant_time (self->token, value + 7);
}

static gboolean
check_token (HeartServer       *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");

  if (!token_required (self))
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer");
  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    {
      heart_respond_detail (msg, SOUP_STATUS_UNAUTHORIZED, "Not authenticated");
      return FALSE;
    }
  if (!has_valid_token (self, msg))
    {
      heart_respond_detail (msg, SOUP_STATUS_UNAUTHORIZED, "Invalid token");
      return FALSE;
    }
  return TRUE;
}

/* ---- cross-site protection (docs/api.md, "Cross-site requests") ---------- */

/* The host part of a Host header: "[::1]:8000" → "::1", "a.b:80" → "a.b" */
static char *
host_name_of (const char *host_header)
{
  const char *colon;

  if (*host_header == '[')
    {
      const char *end = strchr (host_header, ']');

      return end ? g_strndup (host_header + 1, end - host_header - 1) : g_strdup (host_header);
    }
  colon = strrchr (host_header, ':');
  if (colon != NULL && strchr (host_header, ':') == colon)
    return g_ascii_strdown (host_header, colon - host_header);
  return g_ascii_strdown (host_header, -1);
}

/* A page that rebinds its own DNS name to 127.0.0.1 reaches us under that
 * name: on loopback only addresses, localhost and names the user allowed
 * are served. Beyond loopback any name is: control needs the token there. */
static gboolean
host_allowed (HeartServer       *self,
              SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  g_autofree char *host = NULL;
  gsize length;

  if (header == NULL || token_required (self))
    return TRUE;
  host = host_name_of (header);
  length = strlen (host);
  if (length > 0 && host[length - 1] == '.')
    host[length - 1] = '\0';
  return g_hostname_is_ip_address (host) ||
         g_str_equal (host, "localhost") || g_str_has_suffix (host, ".localhost") ||
         (self->allowed_hosts != NULL && g_strv_contains ((const char * const *) self->allowed_hosts, host));
}

/* Browsers send Origin with every cross-site POST, and a page of any site
 * may POST to us without asking first: only our own pages, origins the user
 * allowed, and requests carrying the token may change the simulation.
 * Clients that are not browsers send no Origin. */
static gboolean
origin_allowed (HeartServer       *self,
                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");

  if (origin == NULL)
    return TRUE;
  if (host != NULL && g_str_has_prefix (origin, "http://") && g_ascii_strcasecmp (origin + 7, host) == 0)
    return TRUE;
  if (self->allowed_origins != NULL && g_strv_contains ((const char * const *) self->allowed_origins, origin))
    return TRUE;
  return has_valid_token (self, msg);
}

static char *
generate_token (void)
{
  guint8 bytes[16];
  GString *hex = g_string_new (NULL);

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    for (gsize i = 0; i < sizeof bytes; i++)
      bytes[i] = (guint8) g_random_int ();
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

/* ---- REST endpoints ----------------------------------------------------- */

/* Commands of the simulation go to the simulator only while it is what is
 * served; otherwise 409 (docs/api.md, Source) */
static gboolean
simulation_served (HeartServerSubject *subject,
                   SoupServerMessage  *msg)
{
  HeartSource *current = heart_server_subject_current_source (subject);
  g_autofree char *detail = NULL;

  if (heart_server_subject_simulating (subject))
    return TRUE;
  detail = g_strdup_printf ("the source is a %s, not the simulation: "
                            "POST /source?kind=simulator first", heart_source_get_kind (current));
  heart_respond_detail (msg, SOUP_STATUS_CONFLICT, detail);
  return FALSE;
}

static void
append_activity (GString        *json,
                 HeartSimulator *simulator)
{
  g_string_append (json, "\"activity\":");
  heart_json_append_string (json, heart_simulator_get_activity (simulator));
  g_string_append (json, ",\"sleep_stage\":");
  heart_json_append_string (json, heart_simulator_get_sleep_stage (simulator));
}

static void
handle_get_source (HeartServer        *self,
                   HeartServerSubject *subject,
                   SoupServerMessage  *msg,
                   GHashTable         *query)
{
  GString *json = g_string_new (NULL);

  heart_server_source_append_json (json, subject->source);
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_post_source (HeartServer        *self,
                    HeartServerSubject *subject,
                    SoupServerMessage  *msg,
                    GHashTable         *query)
{
  heart_server_source_post (msg, query,
                            HEART_IS_SOURCE_SWITCH (subject->source) ? HEART_SOURCE_SWITCH (subject->source) : NULL,
                            subject->simulator, self->bluez_connection);
}

static void
handle_health (HeartServer        *self,
               HeartServerSubject *subject,
               SoupServerMessage  *msg,
               GHashTable         *query)
{
  const HeartSample *sample = heart_source_get_current_sample (subject->source);
  gboolean running = heart_source_get_running (subject->source);
  guint ws = heart_fanout_count (subject->fanout, HEART_CLIENT_WEBSOCKET);
  guint sse = heart_fanout_count (subject->fanout, HEART_CLIENT_SSE);
  GString *json = g_string_new ("{\"status\":\"healthy\"");

  g_string_append_printf (json,
                          ",\"simulation_state\":\"%s\",\"simulation_running\":%s"
                          ",\"connected_clients\":%u,\"clients\":{\"websocket\":%u,\"sse\":%u}"
                          ",\"seq\":%" G_GUINT64_FORMAT ",\"interval_ms\":%u,\"baseline_bpm\":%u"
                          ",\"history\":{\"length\":%u,\"capacity\":%u}"
                          ",\"connections\":{\"open\":%u,\"refused\":%" G_GUINT64_FORMAT "}"
                          ",\"version\":\"%s\",\"uptime_s\":",
                          running ? "running" : "stopped", running ? "true" : "false",
                          ws + sse, ws, sse,
                          sample->seq,
                          heart_source_get_interval_ms (subject->source),
                          subject->simulator != NULL ? heart_simulator_get_baseline_bpm (subject->simulator) : 0,
                          heart_history_get_length (subject->history),
                          heart_history_get_capacity (subject->history),
                          heart_connections_count (self->connections),
                          heart_connections_get_refused (self->connections),
                          PACKAGE_VERSION);
  heart_json_append_double (json, (g_get_monotonic_time () - self->created_us) / 1e6, 3);
  /* the simulated person's activity, null while another source is served */
  g_string_append_c (json, ',');
  if (heart_server_subject_simulating (subject))
    {
      append_activity (json, subject->simulator);
      g_string_append (json, ",\"profile\":");
      heart_json_append_string (json, heart_simulator_get_profile (subject->simulator));
    }
  else
    g_string_append (json, "\"activity\":null,\"sleep_stage\":null,\"profile\":null");
  g_string_append (json, ",\"source\":");
  heart_server_source_append_json (json, subject->source);
  g_string_append_printf (json, ",\"subject\":%u,\"subjects\":%u", subject->id, self->subjects->len);
  if (self->mqtt != NULL)
    {
      g_string_append (json, ",\"mqtt\":");
      heart_mqtt_publisher_append_health (self->mqtt, json);
    }
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_current (HeartServer        *self,
                HeartServerSubject *subject,
                SoupServerMessage  *msg,
                GHashTable         *query)
{
  respond (msg, SOUP_STATUS_OK, "application/json", subject->current_json);
  /* a new answer has none yet: appending spares replace's search */
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
}

static void
respond_state (HeartServer        *self,
               HeartServerSubject *subject,
               SoupServerMessage  *msg,
               const char         *status)
{
  GString *json = g_string_new (NULL);

  g_string_append_printf (json, "{\"status\":\"%s\",\"state\":\"%s\"}", status,
                          heart_source_get_running (subject->source) ? "running" : "stopped");
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_start (HeartServer        *self,
              HeartServerSubject *subject,
              SoupServerMessage  *msg,
              GHashTable         *query)
{
  gboolean was_running = heart_source_get_running (subject->source);

  heart_source_set_running (subject->source, TRUE);
  respond_state (self, subject, msg, was_running ? "already_running" : "started");
}

static void
handle_stop (HeartServer        *self,
             HeartServerSubject *subject,
             SoupServerMessage  *msg,
             GHashTable         *query)
{
  gboolean was_running = heart_source_get_running (subject->source);

  heart_source_set_running (subject->source, FALSE);
  respond_state (self, subject, msg, was_running ? "stopped" : "already_stopped");
}

/* POST /subjects/simulation/start and …/stop: every person in one request,
 * so a --no-autostart cohort starts on one tick. Says how many there are
 * and how many changed: {"status":…,"state":…,"subjects":N,"changed":K} */
static void
set_everyone_running (HeartServer       *self,
                      SoupServerMessage *msg,
                      gboolean           running)
{
  GString *json = g_string_new (NULL);
  guint changed = 0;

  for (guint i = 0; i < self->subjects->len; i++)
    {
      HeartServerSubject *subject = g_ptr_array_index (self->subjects, i);

      if (heart_source_get_running (subject->source) != running)
        changed++;
      heart_source_set_running (subject->source, running);
    }
  g_string_append_printf (json, "{\"status\":\"%s\",\"state\":\"%s\",\"subjects\":%u,\"changed\":%u}",
                          changed == 0 ? (running ? "already_running" : "already_stopped")
                                       : (running ? "started" : "stopped"),
                          running ? "running" : "stopped", self->subjects->len, changed);
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_start_everyone (HeartServer        *self,
                       HeartServerSubject *subject,
                       SoupServerMessage  *msg,
                       GHashTable         *query)
{
  set_everyone_running (self, msg, TRUE);
}

static void
handle_stop_everyone (HeartServer        *self,
                      HeartServerSubject *subject,
                      SoupServerMessage  *msg,
                      GHashTable         *query)
{
  set_everyone_running (self, msg, FALSE);
}

static gboolean
respond_invalid (SoupServerMessage *msg,
                 HeartValidation   *validation)
{
  g_autofree char *json = NULL;

  if (heart_validation_ok (validation))
    return FALSE;
  json = heart_validation_to_json (validation);
  respond_json (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, json);
  return TRUE;
}

/* A POST that sets one number of the simulation and says it back:
 * {"status":…,"<parameter>":value} */
typedef struct
{
  const char *parameter;
  double      min;
  double      max;
  gboolean  (*set) (HeartSimulator *simulator,
                    double          value,
                    GError        **error);
  const char *status;
  int         decimals;
} NumberCommand;

static void
run_number_command (HeartServer         *self,
                    HeartServerSubject  *subject,
                    SoupServerMessage   *msg,
                    GHashTable          *query,
                    const NumberCommand *command)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autoptr(GError) error = NULL;
  double value = 0;
  GString *json;

  heart_validation_double (validation, command->parameter, TRUE, command->min, command->max, &value);
  if (respond_invalid (msg, validation) || !simulation_served (subject, msg))
    return;

  if (!command->set (subject->simulator, value, &error))
    {
      heart_respond_detail (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, error->message);
      return;
    }

  json = g_string_new (NULL);
  g_string_append_printf (json, "{\"status\":\"%s\",\"%s\":", command->status, command->parameter);
  heart_json_append_double (json, value, command->decimals);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_trigger_stress (HeartServer        *self,
                       HeartServerSubject *subject,
                       SoupServerMessage  *msg,
                       GHashTable         *query)
{
  static const NumberCommand command = {
    "stress_level", 0.0, 1.0, heart_simulator_trigger_stress, "stress_triggered", 3,
  };

  run_number_command (self, subject, msg, query, &command);
}

static void
handle_set_baseline (HeartServer        *self,
                     HeartServerSubject *subject,
                     SoupServerMessage  *msg,
                     GHashTable         *query)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  g_autoptr(GError) error = NULL;
  gint64 bpm = 0;
  GString *json;

  heart_validation_int (validation, "baseline_bpm", TRUE, HEART_BASELINE_MIN, HEART_BASELINE_MAX, &bpm);
  if (respond_invalid (msg, validation) || !simulation_served (subject, msg))
    return;

  if (!heart_simulator_set_baseline (subject->simulator, (int) bpm, &error))
    {
      heart_respond_detail (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, error->message);
      return;
    }

  json = g_string_new (NULL);
  g_string_append_printf (json, "{\"status\":\"baseline_set\",\"baseline_bpm\":%d}", (int) bpm);
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* POST /simulation/stress-level?stress_level=0.3: the tonic stress the
 * person lives with, as the window's slider sets it (docs/api.md); an event
 * rises above it and falls back to it */
static void
handle_set_stress_level (HeartServer        *self,
                         HeartServerSubject *subject,
                         SoupServerMessage  *msg,
                         GHashTable         *query)
{
  static const NumberCommand command = {
    "stress_level", 0.0, 1.0, heart_simulator_set_stress_level, "stress_level_set", 3,
  };

  run_number_command (self, subject, msg, query, &command);
}

/* POST /simulation/random-events?events_per_hour=144: the rate of random
 * stress events, 0 none; the window's switch is the rate or 0 (docs/api.md) */
static void
handle_set_random_events (HeartServer        *self,
                          HeartServerSubject *subject,
                          SoupServerMessage  *msg,
                          GHashTable         *query)
{
  static const NumberCommand command = {
    "events_per_hour", 0.0, HEART_EVENTS_PER_HOUR_MAX, heart_simulator_set_random_events_per_hour,
    "random_events_set", 1,
  };

  run_number_command (self, subject, msg, query, &command);
}

/* GET and POST /simulation/profile: who the person is (docs/model.md,
 * "Profiles") */
static void
respond_profile (SoupServerMessage *msg,
                 HeartSimulator    *simulator,
                 const char        *status)
{
  GString *json = g_string_new ("{");

  if (status != NULL)
    g_string_append_printf (json, "\"status\":\"%s\",", status);
  g_string_append (json, "\"profile\":");
  heart_json_append_string (json, heart_simulator_get_profile (simulator));
  g_string_append_printf (json, ",\"baseline_bpm\":%u,\"stress_level\":", heart_simulator_get_baseline_bpm (simulator));
  heart_json_append_double (json, heart_simulator_get_stress_level (simulator), 3);
  g_string_append (json, ",\"random_events_per_hour\":");
  heart_json_append_double (json, heart_simulator_get_random_events_per_hour (simulator), 1);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_get_profile (HeartServer        *self,
                    HeartServerSubject *subject,
                    SoupServerMessage  *msg,
                    GHashTable         *query)
{
  if (simulation_served (subject, msg))
    respond_profile (msg, subject->simulator, NULL);
}

static void
handle_set_profile (HeartServer        *self,
                    HeartServerSubject *subject,
                    SoupServerMessage  *msg,
                    GHashTable         *query)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  const char *name = NULL;

  heart_validation_choice (validation, "name", TRUE, heart_profile_names (), &name);
  if (respond_invalid (msg, validation) || !simulation_served (subject, msg))
    return;
  heart_simulator_set_profile (subject->simulator, name, NULL);
  respond_profile (msg, subject->simulator, "profile_set");
}

/* GET /simulation/activity: what the person does now, and the sleep stage */
static void
handle_get_activity (HeartServer        *self,
                     HeartServerSubject *subject,
                     SoupServerMessage  *msg,
                     GHashTable         *query)
{
  GString *json;

  if (!simulation_served (subject, msg))
    return;
  json = g_string_new ("{");
  append_activity (json, subject->simulator);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* POST /simulation/activity?type=…: what the person does from now on
 * (docs/api.md, docs/model.md "Activity") */
static void
handle_set_activity (HeartServer        *self,
                     HeartServerSubject *subject,
                     SoupServerMessage  *msg,
                     GHashTable         *query)
{
  static const char * const activities[] = { "walking", "running", "cycling", "sitting", "rest", "sleep", NULL };
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  const char *type = NULL;
  GString *json;

  heart_validation_choice (validation, "type", TRUE, activities, &type);
  if (respond_invalid (msg, validation) || !simulation_served (subject, msg))
    return;

  heart_simulator_set_activity (subject->simulator, type, NULL);
  json = g_string_new ("{\"status\":\"activity_set\",");
  append_activity (json, subject->simulator);
  g_string_append_c (json, '}');
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

static void
handle_history (HeartServer        *self,
                HeartServerSubject *subject,
                SoupServerMessage  *msg,
                GHashTable         *query)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  guint capacity = heart_history_get_capacity (subject->history);
  gint64 since = 0;
  gint64 limit = MIN (HEART_HISTORY_DEFAULT_LIMIT, capacity);

  const char *type = query ? g_hash_table_lookup (query, "type") : NULL;
  HeartChannelMask channel = 0;

  /* the seed's samples under their own name, or one periodic channel's values */
  if (type != NULL && !g_str_equal (type, "heartbeat"))
    {
      heart_validation_channels (validation, "type", TRUE, TRUE, &channel);
      limit = HEART_CHANNEL_HISTORY_MAX_LIMIT;
      capacity = HEART_CHANNEL_HISTORY_MAX_LIMIT;
    }
  heart_validation_int (validation, "since", FALSE, 0, G_MAXINT64, &since);
  heart_validation_int (validation, "limit", FALSE, 1, capacity, &limit);
  if (respond_invalid (msg, validation))
    return;
  if (channel != 0)
    {
      heart_person_respond_history (msg, subject->channel_history, (HeartChannelId) g_bit_nth_lsf (channel, -1),
                                    (guint64) since, (guint) limit);
      return;
    }

  /* up to 2.4 MB of JSON: written in slices (heart-server-history.c) */
  heart_backfill_add_history (subject->backfill, msg, (guint64) since, (guint) limit);
}

static void
handle_day (HeartServer        *self,
            HeartServerSubject *subject,
            SoupServerMessage  *msg,
            GHashTable         *query)
{
  heart_server_day_respond (msg, query, subject->day_log);
}

static void
handle_stream (HeartServer        *self,
               HeartServerSubject *subject,
               SoupServerMessage  *msg,
               GHashTable         *query)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (query);
  HeartChannelMask types = 0;

  heart_validation_channels (validation, "types", FALSE, FALSE, &types);
  if (respond_invalid (msg, validation))
    return;
  /* HEAD gets the headers of a stream, not a stream */
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                             "text/event-stream", NULL);
      return;
    }
  heart_fanout_add_sse (subject->fanout, msg, types);
}

static void
handle_websocket_without_upgrade (HeartServer        *self,
                                  HeartServerSubject *subject,
                                  SoupServerMessage  *msg,
                                  GHashTable         *query)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Upgrade", "websocket");
  heart_respond_detail (msg, 426, "WebSocket upgrade expected");
}

/* ---- files compiled into the GResource ---------------------------------- */

static const char *
content_type_for (const char *name)
{
  static const struct { const char *suffix, *type; } types[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".json", "application/json" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_has_suffix (name, types[i].suffix))
      return types[i].type;
  return "application/octet-stream";
}

/* Files are revalidated on every load ("no-cache") against an ETag of
 * their content: a browser never pairs a new page with old scripts after an
 * upgrade, and an unchanged file costs a 304 with no body. */
static gboolean
respond_resource (SoupServerMessage *msg,
                  const char        *name,
                  const char        *cache_control)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autofree char *path = NULL;
  g_autofree char *etag = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *if_none_match;

  /* resource paths are not normalised: refuse anything that climbs */
  if (strstr (name, "..") != NULL || strstr (name, "//") != NULL || *name == '\0')
    return FALSE;

  path = g_strconcat (RESOURCE_PREFIX, name, NULL);
  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    return FALSE;

  etag = g_strdup_printf ("\"%s-%08x-%" G_GSIZE_MODIFIER "x\"", PACKAGE_VERSION,
                          g_bytes_hash (bytes), g_bytes_get_size (bytes));
  if_none_match = soup_message_headers_get_one (request_headers, "If-None-Match");
  if (if_none_match != NULL && strstr (if_none_match, etag) != NULL)
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
  else
    respond (msg, SOUP_STATUS_OK, content_type_for (name), bytes);
  soup_message_headers_replace (response_headers, "ETag", etag);
  soup_message_headers_replace (response_headers, "Cache-Control", cache_control);
  return TRUE;
}

/* A file of the GResource (the web dashboard, its own task, only adds
 * files under data/web/), or 404 */
static void
respond_resource_or_404 (SoupServerMessage *msg,
                         const char        *name,
                         const char        *cache_control)
{
  if (!respond_resource (msg, name, cache_control))
    heart_respond_detail (msg, SOUP_STATUS_NOT_FOUND, "Not Found");
}

/* The simulation's waveform settings while it is served, or NULL */
static const HeartWaveformSettings *
waveform_settings (HeartServer           *self,
                   HeartServerSubject    *subject,
                   HeartWaveformSettings *settings)
{
  if (!heart_server_subject_simulating (subject))
    return NULL;
  heart_simulator_get_waveform_settings (subject->simulator, settings);
  return settings;
}

static void
handle_channels (HeartServer        *self,
                 HeartServerSubject *subject,
                 SoupServerMessage  *msg,
                 GHashTable         *query)
{
  HeartWaveformSettings settings;

  heart_person_respond_channels (msg, waveform_settings (self, subject, &settings));
}

static void
handle_waveform (HeartServer        *self,
                 HeartServerSubject *subject,
                 SoupServerMessage  *msg,
                 GHashTable         *query)
{
  HeartWaveformSettings settings;

  heart_server_waveform_respond (msg, query, subject->waveforms, waveform_settings (self, subject, &settings));
}

/* GET and POST /simulation/waveform: how the ECG and PPG are made
 * (docs/api.md, docs/waveforms.md) */
static void
handle_get_waveform_settings (HeartServer        *self,
                              HeartServerSubject *subject,
                              SoupServerMessage  *msg,
                              GHashTable         *query)
{
  if (simulation_served (subject, msg))
    heart_server_waveform_get_settings (msg, subject->simulator);
}

static void
handle_set_waveform_settings (HeartServer        *self,
                              HeartServerSubject *subject,
                              SoupServerMessage  *msg,
                              GHashTable         *query)
{
  if (simulation_served (subject, msg))
    heart_server_waveform_set_settings (msg, query, subject->simulator);
}

static void
handle_get_scenario (HeartServer        *self,
                     HeartServerSubject *subject,
                     SoupServerMessage  *msg,
                     GHashTable         *query)
{
  heart_person_get_scenario (msg, subject->simulator);
}

static void
handle_post_scenario (HeartServer        *self,
                      HeartServerSubject *subject,
                      SoupServerMessage  *msg,
                      GHashTable         *query)
{
  if (simulation_served (subject, msg))
    heart_person_post_scenario (msg, query, subject->simulator);
}

static void
handle_delete_scenario (HeartServer        *self,
                        HeartServerSubject *subject,
                        SoupServerMessage  *msg,
                        GHashTable         *query)
{
  if (simulation_served (subject, msg))
    heart_person_delete_scenario (msg, subject->simulator);
}

/* GET /subjects: every person served, with what they do now */
static void
handle_subjects (HeartServer        *self,
                 HeartServerSubject *subject,
                 SoupServerMessage  *msg,
                 GHashTable         *query)
{
  GString *json = g_string_new (NULL);

  g_string_append_printf (json, "{\"count\":%u,\"subjects\":[", self->subjects->len);
  for (guint i = 0; i < self->subjects->len; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      heart_server_subject_append_json (g_ptr_array_index (self->subjects, i), json);
    }
  g_string_append (json, "]}");
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* GET /subjects/{id}: one of them */
static void
handle_subject (HeartServer        *self,
                HeartServerSubject *subject,
                SoupServerMessage  *msg,
                GHashTable         *query)
{
  GString *json = g_string_new (NULL);

  heart_server_subject_append_json (subject, json);
  heart_respond_json (msg, SOUP_STATUS_OK, json);
}

/* GET /asyncapi.json: the streams, and the MQTT topics as configured */
static void
handle_asyncapi (HeartServer        *self,
                 HeartServerSubject *subject,
                 SoupServerMessage  *msg,
                 GHashTable         *query)
{
  const HeartMqttOptions *options = self->mqtt != NULL ? heart_mqtt_publisher_get_options (self->mqtt) : NULL;

  if (options == NULL)
    heart_server_asyncapi_respond (msg, NULL, NULL, NULL);
  else
    heart_server_asyncapi_respond (msg, options->url, options->topic, options->qos);
}

static const Route routes[] = {
  { "/health", handle_health, NULL },
  { "/heartbeat/current", handle_current, NULL },
  { "/simulation/start", NULL, handle_start },
  { "/simulation/stop", NULL, handle_stop },
  { "/simulation/trigger-stress", NULL, handle_trigger_stress },
  { "/simulation/set-baseline", NULL, handle_set_baseline },
  { "/simulation/stress-level", NULL, handle_set_stress_level },
  { "/simulation/random-events", NULL, handle_set_random_events },
  { "/simulation/activity", handle_get_activity, handle_set_activity },
  { "/simulation/profile", handle_get_profile, handle_set_profile },
  { "/simulation/waveform", handle_get_waveform_settings, handle_set_waveform_settings },
  { "/api/stream", handle_stream, NULL },
  { "/api/history", handle_history, NULL },
  { "/api/day", handle_day, NULL },
  { "/api/waveform", handle_waveform, NULL },
  { WEBSOCKET_PATH, handle_websocket_without_upgrade, NULL },
  { TYPED_WEBSOCKET_PATH, handle_websocket_without_upgrade, NULL },
  { "/api/channels", handle_channels, NULL },
  { "/source", handle_get_source, handle_post_source },
  { SUBJECTS_PATH, handle_subjects, NULL },
  { SUBJECTS_PATH "/simulation/start", NULL, handle_start_everyone },
  { SUBJECTS_PATH "/simulation/stop", NULL, handle_stop_everyone },
  { SCENARIO_PATH, handle_get_scenario, handle_post_scenario, NULL, handle_delete_scenario },
  { "/openapi.json", NULL, NULL, "openapi.json" },
  { ASYNCAPI_PATH, handle_asyncapi, NULL },
  { "/docs", NULL, NULL, "docs.html" },
  { "/redoc", NULL, NULL, "docs.html" },
  { "/", NULL, NULL, "web/index.html" },
};

static const Route *
find_route (const char *path)
{
  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (routes[i].path, path))
      return &routes[i];
  return NULL;
}

static const char *
allowed_methods (const Route *route)
{
  if (route != NULL && route->get != NULL && route->post != NULL && route->delete != NULL)
    return "GET, HEAD, POST, DELETE, OPTIONS";
  if (route != NULL && route->get != NULL && route->post != NULL)
    return "GET, HEAD, POST, OPTIONS";
  if (route == NULL || route->get != NULL || route->resource != NULL)
    return "GET, HEAD, OPTIONS";
  return "POST, OPTIONS";
}

static void
respond_preflight (SoupServerMessage *msg,
                   const Route       *route)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *wanted = soup_message_headers_get_one (request, "Access-Control-Request-Headers");

  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  soup_message_headers_replace (headers, "Allow", allowed_methods (route));
  soup_message_headers_replace (headers, "Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  soup_message_headers_replace (headers, "Access-Control-Allow-Headers",
                                wanted ? wanted : "Authorization, Content-Type, Last-Event-ID");
  soup_message_headers_replace (headers, "Access-Control-Max-Age", "600");
}

/* "/subjects/{id}/rest": @id's subject (NULL when there is none) and the
 * route path "/rest" ("" for the subject itself). FALSE when @path is not
 * under /subjects/ followed by a digit: "/subjects/simulation/start" is
 * everyone's route, not a subject's. */
static gboolean
split_subject_path (HeartServer         *self,
                    const char          *path,
                    HeartServerSubject **subject,
                    const char         **rest)
{
  const char *digits = path + strlen (SUBJECTS_PATH "/");
  const char *end = digits;
  guint64 id = 0;

  if (!g_str_has_prefix (path, SUBJECTS_PATH "/") || !g_ascii_isdigit (*digits))
    return FALSE;
  while (g_ascii_isdigit (*end))
    end++;
  *subject = NULL;
  *rest = end;
  if (end > digits && end - digits <= 10 && (*end == '\0' || *end == '/'))
    {
      g_autofree char *number = g_strndup (digits, end - digits);

      if (g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT, &id, NULL))
        *subject = g_hash_table_lookup (self->subjects_by_id, GUINT_TO_POINTER ((guint) id));
    }
  if (g_str_equal (*rest, "/"))
    *rest = "";
  return TRUE;
}

static HeartServerSubject *
first_subject (HeartServer *self)
{
  return g_ptr_array_index (self->subjects, 0);
}

static const Route subject_route = { "", handle_subject, NULL };

/* The route of @path and the subject it is about: the first subject for
 * the single-person paths. NULL when there is no such route or subject;
 * the files of the site are not served under a subject. */
static const Route *
resolve (HeartServer         *self,
         const char          *path,
         HeartServerSubject **subject,
         const char         **route_path)
{
  const Route *route;

  *subject = first_subject (self);
  *route_path = path;
  if (!split_subject_path (self, path, subject, route_path))
    return find_route (path);
  if (*subject == NULL)
    return NULL;
  if (**route_path == '\0')
    return &subject_route;
  route = find_route (*route_path);
  /* the site and the documents are the process's, not a person's */
  if (route == NULL || route->resource != NULL || g_str_has_prefix (route->path, SUBJECTS_PATH) ||
      g_str_equal (route->path, ASYNCAPI_PATH))
    return NULL;
  return route;
}

static void
respond_web_file (SoupServerMessage *msg,
                  const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (method == SOUP_METHOD_OPTIONS)
    respond_preflight (msg, NULL);
  else if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed_methods (NULL));
      heart_respond_detail (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
  else
    respond_resource_or_404 (msg, path + 1, "no-cache");
}

/* A genuine upgrade on a stream path becomes a stream of ours
 * (heart-server-streams.c); TRUE when @msg was taken or answered */
static gboolean
take_websocket (HeartServer        *self,
                HeartServerSubject *subject,
                SoupServerMessage  *msg,
                const char         *route_path,
                GHashTable         *query)
{
  g_autoptr(HeartValidation) validation = NULL;
  HeartChannelMask types = 0;

  if ((!g_str_equal (route_path, WEBSOCKET_PATH) && !g_str_equal (route_path, TYPED_WEBSOCKET_PATH)) ||
      soup_server_message_get_method (msg) != SOUP_METHOD_GET ||
      !soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, NULL))
    return FALSE;

  /* a typed stream's channels are checked before the upgrade */
  validation = heart_validation_new (query);
  if (g_str_equal (route_path, TYPED_WEBSOCKET_PATH))
    {
      heart_validation_channels (validation, "types", FALSE, FALSE, &types);
      if (types == 0 && heart_validation_ok (validation))
        heart_validation_add_error (validation, "query", "types",
                                    "Value error, name the channels (GET /api/channels lists them)", NULL);
      if (respond_invalid (msg, validation))
        return TRUE;
    }
  heart_fanout_add_websocket (subject->fanout, msg, types);
  return TRUE;
}

static void
server_callback (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  HeartServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  HeartServerSubject *subject = NULL;
  const char *route_path = NULL;
  const Route *route = resolve (self, path, &subject, &route_path);
  RouteFunc func = NULL;

  if (route == NULL && g_str_has_prefix (path, "/web/"))
    {
      respond_web_file (msg, path);
      return;
    }

  if (route == NULL)
    {
      if (method == SOUP_METHOD_OPTIONS)
        respond_preflight (msg, NULL);
      else
        heart_respond_detail (msg, SOUP_STATUS_NOT_FOUND, "Not Found");
      return;
    }

  if (method == SOUP_METHOD_OPTIONS)
    {
      respond_preflight (msg, route);
      return;
    }

  if (route->resource != NULL && (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD))
    {
      respond_resource_or_404 (msg, route->resource, "no-cache");
      return;
    }

  if (take_websocket (self, subject, msg, route_path, query))
    return;

  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    func = route->get;
  else if (method == SOUP_METHOD_POST)
    func = route->post;
  else if (method == SOUP_METHOD_DELETE)
    func = route->delete;

  if (func == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allowed_methods (route));
      heart_respond_detail (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method Not Allowed");
      return;
    }

  /* what changes state: POST and DELETE */
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD && !check_token (self, msg))
    return;
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD && !origin_allowed (self, msg))
    {
      heart_respond_detail (msg, SOUP_STATUS_FORBIDDEN,
                            "Cross-origin request refused: send the bearer token, or start Heartsim with --allow-origin");
      return;
    }

  func (self, subject, msg, query);
}

/* A body is refused before libsoup reads it: libsoup would read (and by
 * default keep) all of it before sending our answer, and takes a
 * Content-Length of -1 as "read until the end". TRUE when refused. */
static gboolean
refuse_body (HeartServer        *self,
             SoupServerMessage  *msg,
             SoupMessageHeaders *headers)
{
  const char *length = soup_message_headers_get_one (headers, "Content-Length");
  HeartServerSubject *subject = NULL;
  const char *route_path = NULL;
  /* a scenario file is the one body an endpoint takes */
  guint64 max = resolve (self, g_uri_get_path (soup_server_message_get_uri (msg)), &subject, &route_path) != NULL
                && g_str_equal (route_path, SCENARIO_PATH)
              ? HEART_SERVER_MAX_SCENARIO_BODY : HEART_SERVER_MAX_BODY;
  guint64 bytes = 0;

  if (soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    heart_connections_refuse (msg, SOUP_STATUS_LENGTH_REQUIRED, "Length Required");
  else if (length != NULL && !g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT64, &bytes, NULL))
    heart_connections_refuse (msg, SOUP_STATUS_BAD_REQUEST, "Invalid Content-Length");
  else if (bytes > max)
    heart_connections_refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large");
  else
    return FALSE;
  return TRUE;
}

static void
refuse_nul_in_query (SoupServerMessage *msg,
                     const char        *raw_query)
{
  g_autoptr(HeartValidation) validation = heart_validation_new (NULL);

  heart_validation_refuse_nul (validation, raw_query);
  respond_invalid (msg, validation);
}

/* Limits, checked once the headers are in and before any body is read */
static void
early_callback (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  HeartServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  const char *uri_query = g_uri_get_query (uri);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  gsize header_bytes = 0;
  guint header_count = 0;

  if (refuse_body (self, msg, headers))
    return;
  if (strlen (g_uri_get_path (uri)) + (uri_query ? strlen (uri_query) : 0) > HEART_SERVER_MAX_URI)
    {
      heart_respond_detail (msg, SOUP_STATUS_REQUEST_URI_TOO_LONG, "URI Too Long");
      return;
    }

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      header_bytes += strlen (name) + strlen (value) + 4;
      header_count++;
    }
  if (header_bytes > HEART_SERVER_MAX_HEADER_BYTES || header_count > HEART_SERVER_MAX_HEADERS)
    {
      heart_respond_detail (msg, 431, "Request Header Fields Too Large");
      return;
    }

  if (!host_allowed (self, msg))
    {
      heart_respond_detail (msg, SOUP_STATUS_FORBIDDEN,
                            "Host name not allowed: use an IP address or localhost, or start Heartsim with --allow-host");
      return;
    }
  refuse_nul_in_query (msg, uri_query);
}

/* CORS on every response, including the ones libsoup writes itself */
static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    HeartServer       *self)
{
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
                               "Access-Control-Allow-Origin", "*");
}

/* ---- listening ---------------------------------------------------------- */

static GSocket *
listen_socket_new (GInetAddress *address,
                   guint         port,
                   GError      **error)
{
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;

  /* libsoup's own listen uses a backlog of 10 (docs/architecture.md) */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, socket_address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  return local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
}

static GInetAddress *
parse_bind_address (const char *text,
                    GError    **error)
{
  GInetAddress *address;

  if (text == NULL || g_str_equal (text, "localhost"))
    text = HEART_SERVER_DEFAULT_BIND;
  address = g_inet_address_new_from_string (text);
  if (address == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "“%s” is not an IP address", text);
  return address;
}

/* Each client is a socket: a thousand of them pass the usual soft limit of
 * 1,024 descriptors, so a server lifts it to the hard limit it may use. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

gboolean
heart_server_start (HeartServer *self,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (HEART_IS_SERVER (self), FALSE);

  if (self->listening)
    return TRUE;

  raise_file_limit ();
  address = parse_bind_address (self->bind_address, error);
  if (address == NULL)
    return FALSE;

  socket = listen_socket_new (address, self->port, &local_error);
  if (socket == NULL)
    {
      g_autofree char *where = g_inet_address_to_string (address);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                     "Port %u on %s is already in use", self->port, where);
      else
        g_set_error (error, local_error->domain, local_error->code,
                     "Cannot listen on %s port %u: %s", where, self->port, local_error->message);
      return FALSE;
    }
  heart_connections_listen (self->connections, socket);
  self->bound_port = socket_port (socket);

  /* "localhost" may resolve to ::1 first: listen there too when we can */
  if (g_inet_address_get_is_loopback (address) &&
      g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    {
      g_autoptr(GInetAddress) ipv6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GSocket) socket6 = listen_socket_new (ipv6, self->bound_port, NULL);

      if (socket6 != NULL)
        heart_connections_listen (self->connections, socket6);
    }

  if (token_required (self) && self->token == NULL)
    {
      self->token = generate_token ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
    }

  self->listening = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTENING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  return TRUE;
}

void
heart_server_stop (HeartServer *self)
{
  g_return_if_fail (HEART_IS_SERVER (self));

  for (guint i = 0; i < self->subjects->len; i++)
    heart_fanout_close_all (((HeartServerSubject *) g_ptr_array_index (self->subjects, i))->fanout);
  if (!self->listening)
    return;

  /* closes the listeners and plain HTTP connections; the WebSocket
   * connections were stolen from libsoup and finish their close handshake */
  heart_connections_stop_listening (self->connections);
  soup_server_disconnect (self->soup);
  self->listening = FALSE;
  self->bound_port = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LISTENING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

static guint
count_closing (HeartServer *self)
{
  guint closing = 0;

  for (guint i = 0; i < self->subjects->len; i++)
    closing += heart_fanout_count_closing (((HeartServerSubject *) g_ptr_array_index (self->subjects, i))->fanout);
  return closing;
}

static gboolean
keep_waking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
heart_server_wait_closed (HeartServer *self,
                          guint        timeout_ms)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  GSource *tick = g_timeout_source_new (5);

  g_return_val_if_fail (HEART_IS_SERVER (self), FALSE);

  /* wakes the loop so the deadline is seen even when nothing happens */
  g_source_set_callback (tick, keep_waking, NULL, NULL);
  g_source_attach (tick, context);
  while (count_closing (self) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_main_context_unref (context);
  return count_closing (self) == 0;
}

/* ---- public accessors ---------------------------------------------------- */

gboolean
heart_server_get_listening (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), FALSE);
  return self->listening;
}

guint
heart_server_get_port (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), 0);
  return self->listening ? self->bound_port : self->port;
}

void
heart_server_set_port (HeartServer *self,
                       guint        port)
{
  g_return_if_fail (HEART_IS_SERVER (self));
  g_return_if_fail (port <= 65535);

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

const char *
heart_server_get_bind_address (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), NULL);
  return self->bind_address;
}

void
heart_server_set_bind_address (HeartServer *self,
                               const char  *address)
{
  g_return_if_fail (HEART_IS_SERVER (self));

  if (address == NULL)
    address = HEART_SERVER_DEFAULT_BIND;
  if (g_strcmp0 (self->bind_address, address) == 0)
    return;
  g_free (self->bind_address);
  self->bind_address = g_strdup (address);
  self->bind_is_loopback = address_is_loopback (address);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BIND_ADDRESS]);
}

const char *
heart_server_get_token (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), NULL);
  return self->token;
}

void
heart_server_set_token (HeartServer *self,
                        const char  *token)
{
  g_return_if_fail (HEART_IS_SERVER (self));

  if (token != NULL && *token == '\0')
    token = NULL;
  if (g_strcmp0 (self->token, token) == 0)
    return;
  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/* of every subject */
static guint
count_clients (HeartServer     *self,
               HeartClientKind  kind)
{
  guint clients = 0;

  for (guint i = 0; i < self->subjects->len; i++)
    clients += heart_fanout_count (((HeartServerSubject *) g_ptr_array_index (self->subjects, i))->fanout, kind);
  return clients;
}

guint
heart_server_get_websocket_clients (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), 0);
  return count_clients (self, HEART_CLIENT_WEBSOCKET);
}

guint
heart_server_get_sse_clients (HeartServer *self)
{
  g_return_val_if_fail (HEART_IS_SERVER (self), 0);
  return count_clients (self, HEART_CLIENT_SSE);
}


static char *
format_url (GInetAddress *address,
            guint         port)
{
  g_autofree char *text = g_inet_address_to_string (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("http://[%s]:%u/", text, port);
  return g_strdup_printf ("http://%s:%u/", text, port);
}

static void
add_interface_urls (GPtrArray      *urls,
                    GSocketFamily   family,
                    guint           port)
{
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return;
  for (struct ifaddrs *it = list; it != NULL; it = it->ifa_next)
    {
      g_autoptr(GSocketAddress) socket_address = NULL;
      GInetAddress *inet;
      gsize size;

      if (it->ifa_addr == NULL)
        continue;
      if (it->ifa_addr->sa_family == AF_INET)
        size = sizeof (struct sockaddr_in);
      else if (it->ifa_addr->sa_family == AF_INET6 && family == G_SOCKET_FAMILY_IPV6)
        size = sizeof (struct sockaddr_in6);
      else
        continue;

      socket_address = g_socket_address_new_from_native (it->ifa_addr, size);
      if (!G_IS_INET_SOCKET_ADDRESS (socket_address))
        continue;
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address));
      if (g_inet_address_get_is_loopback (inet) || g_inet_address_get_is_link_local (inet))
        continue;
      g_ptr_array_add (urls, format_url (inet, port));
    }
  freeifaddrs (list);
}

char **
heart_server_dup_urls (HeartServer *self)
{
  g_autoptr(GInetAddress) address = NULL;
  GPtrArray *urls = g_ptr_array_new ();
  guint port;

  g_return_val_if_fail (HEART_IS_SERVER (self), NULL);

  port = heart_server_get_port (self);
  address = parse_bind_address (self->bind_address, NULL);
  if (address == NULL || g_inet_address_get_is_any (address))
    {
      g_ptr_array_add (urls, g_strdup_printf ("http://127.0.0.1:%u/", port));
      add_interface_urls (urls, address ? g_inet_address_get_family (address) : G_SOCKET_FAMILY_IPV4, port);
    }
  else
    g_ptr_array_add (urls, format_url (address, port));
  g_ptr_array_add (urls, NULL);
  return (char **) g_ptr_array_free (urls, FALSE);
}

void
heart_server_set_sse_interval_ms (HeartServer *self,
                                  guint        interval_ms)
{
  for (guint i = 0; i < self->subjects->len; i++)
    heart_fanout_set_sse_interval (((HeartServerSubject *) g_ptr_array_index (self->subjects, i))->fanout, interval_ms);
}

void
heart_server_set_ping_interval_s (HeartServer *self,
                                  guint        interval_s,
                                  guint        pong_timeout_ms)
{
  for (guint i = 0; i < self->subjects->len; i++)
    heart_fanout_set_ping_interval (((HeartServerSubject *) g_ptr_array_index (self->subjects, i))->fanout,
                                    interval_s, pong_timeout_ms);
}

void
heart_server_set_stall_timeout_ms (HeartServer *self,
                                   guint        timeout_ms)
{
  for (guint i = 0; i < self->subjects->len; i++)
    {
      HeartServerSubject *subject = g_ptr_array_index (self->subjects, i);

      heart_fanout_set_stall_timeout (subject->fanout, timeout_ms);
      heart_backfill_set_stall_timeout (subject->backfill, timeout_ms);
    }
}

void
heart_server_set_connection_limits (HeartServer *self,
                                    guint        max_connections,
                                    guint        request_timeout_ms,
                                    guint        idle_timeout_ms,
                                    guint        answer_timeout_ms)
{
  heart_connections_set_limits (self->connections, max_connections, request_timeout_ms,
                                idle_timeout_ms, answer_timeout_ms);
}

guint
heart_server_get_connection_count (HeartServer *self)
{
  return heart_connections_count (self->connections);
}

/* ---- GObject ------------------------------------------------------------- */

HeartServer *
heart_server_new (HeartSimulator *simulator,
                  HeartHistory   *history)
{
  g_return_val_if_fail (HEART_IS_SIMULATOR (simulator), NULL);
  g_return_val_if_fail (HEART_IS_HISTORY (history), NULL);

  return g_object_new (HEART_TYPE_SERVER,
                       "simulator", simulator,
                       "history", history,
                       NULL);
}

static void
on_clients_changed (gpointer user_data)
{
  HeartServer *self = user_data;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WEBSOCKET_CLIENTS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SSE_CLIENTS]);
}

static void
add_subject (HeartServer        *self,
             HeartServerSubject *subject)
{
  g_ptr_array_add (self->subjects, subject);
  g_hash_table_insert (self->subjects_by_id, GUINT_TO_POINTER (subject->id), subject);
}

/* The first subject is the source given (the cohort's first, when there is
 * a cohort); the others have histories of their own, shorter ones, and
 * share the server's loop rather than starting fan-out threads
 * (docs/scale.md, "Subjects") */
static void
add_subjects (HeartServer *self)
{
  HeartSubject *first = self->cohort != NULL ? heart_cohort_get_subject (self->cohort, 0) : NULL;

  add_subject (self, heart_server_subject_new (first != NULL ? heart_subject_get_id (first) : 0, first,
                                               self->simulator, self->source, self->history, 0, self->day_log,
                                               self->connections, self->fanout_threads,
                                               on_clients_changed, self));
  for (guint i = 1; self->cohort != NULL && i < heart_cohort_get_n_subjects (self->cohort); i++)
    {
      HeartSubject *subject = heart_cohort_get_subject (self->cohort, i);

      add_subject (self, heart_server_subject_new (heart_subject_get_id (subject), subject,
                                                   heart_subject_get_simulator (subject),
                                                   heart_subject_get_source (subject),
                                                   NULL, HEART_SERVER_SUBJECT_HISTORY, NULL,
                                                   self->connections, 0, on_clients_changed, self));
    }
}

static void
heart_server_constructed (GObject *object)
{
  HeartServer *self = HEART_SERVER (object);

  G_OBJECT_CLASS (heart_server_parent_class)->constructed (object);

  /* a server given only a simulator serves it */
  if (self->source == NULL && self->simulator != NULL)
    self->source = g_object_ref (HEART_SOURCE (self->simulator));
  g_assert (self->source != NULL && self->history != NULL);

  /* no Server header: one header fewer on every answer; /health has the version */
  self->soup = soup_server_new (NULL, NULL);
  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (on_request_started), self, 0);
  self->connections = heart_connections_new (self->soup);
  add_subjects (self);
  soup_server_add_early_handler (self->soup, NULL, early_callback, self, NULL);
  soup_server_add_early_handler (self->soup, WEBSOCKET_PATH, early_callback, self, NULL);
  soup_server_add_early_handler (self->soup, TYPED_WEBSOCKET_PATH, early_callback, self, NULL);
  soup_server_add_handler (self->soup, NULL, server_callback, self, NULL);
  soup_server_add_handler (self->soup, WEBSOCKET_PATH, server_callback, self, NULL);
  soup_server_add_handler (self->soup, TYPED_WEBSOCKET_PATH, server_callback, self, NULL);
}

static void
heart_server_dispose (GObject *object)
{
  HeartServer *self = HEART_SERVER (object);

  if (self->soup != NULL)
    {
      heart_server_stop (self);
      /* before the connections, which count their streams */
      g_ptr_array_set_size (self->subjects, 0);
      g_hash_table_remove_all (self->subjects_by_id);
      g_signal_handlers_disconnect_by_data (self->soup, self);
      g_clear_pointer (&self->connections, heart_connections_free);
      g_clear_object (&self->soup);
    }
  g_clear_object (&self->source);
  g_clear_object (&self->cohort);
  g_clear_object (&self->mqtt);
  g_clear_object (&self->simulator);
  g_clear_object (&self->history);
  g_clear_object (&self->bluez_connection);
  g_clear_object (&self->day_log);

  G_OBJECT_CLASS (heart_server_parent_class)->dispose (object);
}

static void
heart_server_finalize (GObject *object)
{
  HeartServer *self = HEART_SERVER (object);

  g_ptr_array_unref (self->subjects);
  g_hash_table_unref (self->subjects_by_id);
  g_free (self->bind_address);
  g_free (self->token);
  g_strfreev (self->allowed_origins);
  g_strfreev (self->allowed_hosts);

  G_OBJECT_CLASS (heart_server_parent_class)->finalize (object);
}

static void
heart_server_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  HeartServer *self = HEART_SERVER (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      g_value_set_object (value, self->simulator);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_DAY_LOG:
      g_value_set_object (value, self->subjects->len > 0 ? first_subject (self)->day_log : self->day_log);
      break;
    case PROP_COHORT:
      g_value_set_object (value, self->cohort);
      break;
    case PROP_MQTT_PUBLISHER:
      g_value_set_object (value, self->mqtt);
      break;
    case PROP_FANOUT_THREADS:
      g_value_set_uint (value, self->fanout_threads);
      break;
    case PROP_BLUEZ_CONNECTION:
      g_value_set_object (value, self->bluez_connection);
      break;
    case PROP_PORT:
      g_value_set_uint (value, heart_server_get_port (self));
      break;
    case PROP_BIND_ADDRESS:
      g_value_set_string (value, self->bind_address);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_ALLOWED_ORIGINS:
      g_value_set_boxed (value, self->allowed_origins);
      break;
    case PROP_ALLOWED_HOSTS:
      g_value_set_boxed (value, self->allowed_hosts);
      break;
    case PROP_LISTENING:
      g_value_set_boolean (value, self->listening);
      break;
    case PROP_WEBSOCKET_CLIENTS:
      g_value_set_uint (value, heart_server_get_websocket_clients (self));
      break;
    case PROP_SSE_CLIENTS:
      g_value_set_uint (value, heart_server_get_sse_clients (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Origins compare as sent ("https://app.example:8443", no trailing slash),
 * host names without case */
static char **
normalised_names (const char * const *names,
                  gboolean            lowercase)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (gsize i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *name = lowercase ? g_ascii_strdown (names[i], -1) : g_strdup (names[i]);
      gsize length = strlen (name);

      while (length > 0 && (name[length - 1] == '/' || name[length - 1] == '.'))
        name[--length] = '\0';
      if (length > 0)
        g_strv_builder_add (builder, name);
    }
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

static void
heart_server_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  HeartServer *self = HEART_SERVER (object);

  switch (prop_id)
    {
    case PROP_SIMULATOR:
      self->simulator = g_value_dup_object (value);
      break;
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    case PROP_DAY_LOG:
      self->day_log = g_value_dup_object (value);
      break;
    case PROP_COHORT:
      self->cohort = g_value_dup_object (value);
      break;
    case PROP_MQTT_PUBLISHER:
      self->mqtt = g_value_dup_object (value);
      break;
    case PROP_FANOUT_THREADS:
      self->fanout_threads = g_value_get_uint (value);
      break;
    case PROP_BLUEZ_CONNECTION:
      self->bluez_connection = g_value_dup_object (value);
      break;
    case PROP_PORT:
      heart_server_set_port (self, g_value_get_uint (value));
      break;
    case PROP_BIND_ADDRESS:
      heart_server_set_bind_address (self, g_value_get_string (value));
      break;
    case PROP_TOKEN:
      heart_server_set_token (self, g_value_get_string (value));
      break;
    case PROP_ALLOWED_ORIGINS:
      g_strfreev (self->allowed_origins);
      self->allowed_origins = normalised_names (g_value_get_boxed (value), FALSE);
      break;
    case PROP_ALLOWED_HOSTS:
      g_strfreev (self->allowed_hosts);
      self->allowed_hosts = normalised_names (g_value_get_boxed (value), TRUE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_server_class_init (HeartServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* The resource registers itself from a constructor, but from a static
   * library its object is linked only if something refers to it. */
  g_assert (heart_server_get_resource () != NULL);

  object_class->constructed = heart_server_constructed;
  object_class->dispose = heart_server_dispose;
  object_class->finalize = heart_server_finalize;
  object_class->get_property = heart_server_get_property;
  object_class->set_property = heart_server_set_property;

  properties[PROP_SIMULATOR] =
    g_param_spec_object ("simulator", NULL, NULL, HEART_TYPE_SIMULATOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* what is served; the simulator when not set (a HeartSourceSwitch lets
   * POST /source change it) */
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* what GET /api/day answers from, following the same source; when not
   * set, the server makes one that follows the source it serves */
  properties[PROP_DAY_LOG] =
    g_param_spec_object ("day-log", NULL, NULL, HEART_TYPE_DAY_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* the people served besides the first: its first subject is the one
   * the other properties give, the rest are served under /subjects/{id}/ */
  properties[PROP_COHORT] =
    g_param_spec_object ("cohort", NULL, NULL, HEART_TYPE_COHORT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MQTT_PUBLISHER] =
    g_param_spec_object ("mqtt-publisher", NULL, NULL, HEART_TYPE_MQTT_PUBLISHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, HEART_SERVER_DEFAULT_PORT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIND_ADDRESS] =
    g_param_spec_string ("bind-address", NULL, NULL, HEART_SERVER_DEFAULT_BIND,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOWED_ORIGINS] =
    g_param_spec_boxed ("allowed-origins", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOWED_HOSTS] =
    g_param_spec_boxed ("allowed-hosts", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LISTENING] =
    g_param_spec_boolean ("listening", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_WEBSOCKET_CLIENTS] =
    g_param_spec_uint ("websocket-clients", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SSE_CLIENTS] =
    g_param_spec_uint ("sse-clients", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /* threads that share the streaming clients between them: broadcasts go
   * out from all at once, and never wait for the desktop app's frames */
  properties[PROP_FANOUT_THREADS] =
    g_param_spec_uint ("fanout-threads", NULL, NULL, 0, HEART_SERVER_MAX_FANOUT_THREADS, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /* the bus BlueZ is on, for POST /source?kind=sensor; NULL: the system bus */
  properties[PROP_BLUEZ_CONNECTION] =
    g_param_spec_object ("bluez-connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_server_init (HeartServer *self)
{
  self->port = HEART_SERVER_DEFAULT_PORT;
  self->bind_address = g_strdup (HEART_SERVER_DEFAULT_BIND);
  self->bind_is_loopback = address_is_loopback (self->bind_address);
  self->created_us = g_get_monotonic_time ();
  self->subjects = g_ptr_array_new_with_free_func ((GDestroyNotify) heart_server_subject_free);
  self->subjects_by_id = g_hash_table_new (NULL, NULL);
}
