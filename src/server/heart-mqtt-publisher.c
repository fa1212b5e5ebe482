/* heart-mqtt-publisher.c: the subjects' channels to an MQTT broker
 *
 * libmosquitto runs in the main loop here, not in a thread of its own:
 * each connection's socket is a GSource, so its callbacks, the counters
 * and the notifications all happen on the context that started it and
 * nothing is shared between threads. Every subject has a connection of
 * its own because MQTT allows one last will a connection, and the will
 * is what tells a consumer that a subject went away (docs/scale.md,
 * "Last will"). A connection's outbox holds what is not yet handed to
 * libmosquitto; libmosquitto holds at most WINDOW more (QoS 1 messages
 * not yet acknowledged, which it sends again after a reconnection).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <mosquitto.h>
#include <string.h>
#include <sys/resource.h>

#include "heart-mqtt-payload.h"
#include "heart-mqtt-publisher.h"
#include "heart-server-json.h"

#define WINDOW          256      /* messages handed to libmosquitto and not yet sent or acknowledged */
#define KEEPALIVE_S     30
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS  30000
#define MISC_INTERVAL_MS 1000
#define STATUS_ONLINE   "online"
#define STATUS_OFFLINE  "offline"

typedef struct
{
  char   *topic;
  GBytes *payload;
  int     qos;
  bool    retain;
} Message;

typedef enum {
  LINK_IDLE,
  LINK_CONNECTING,
  LINK_CONNECTED,
  LINK_WAITING,      /* for its next attempt */
} LinkState;

typedef struct
{
  HeartMqttPublisher *owner;
  guint               subject_id;
  HeartSource        *source;
  gulong              values_handler;
  gulong              waveform_handler;
  struct mosquitto   *mosq;
  char               *status_topic;
  char               *topics[HEART_N_CHANNELS];
  char                condition[HEART_LABEL_MAX];
  GQueue              outbox;      /* Message *, oldest first */
  GHashTable         *handed;      /* mid → qos, handed to libmosquitto, not yet sent/acked */
  int                 sent_at_once; /* a mid libmosquitto said was sent before _publish() returned, or 0 */
  GSource            *io;
  gpointer            io_tag;
  guint               retry_id;
  guint               backoff_ms;
  LinkState           state;
  gboolean            was_connected;
  char               *refusal;     /* the broker's answer to CONNECT, when it refused */
} Link;

struct _HeartMqttPublisher
{
  GObject          parent_instance;

  HeartMqttOptions options;
  gboolean         tls;
  char            *host;
  guint16          port;
  GPtrArray       *links;        /* Link * */
  gboolean         started;
  guint            misc_id;
  HeartMqttState   state;
  char            *last_error;
  guint64          published;
  guint64          dropped;
  guint64          reconnects;
};

G_DEFINE_FINAL_TYPE (HeartMqttPublisher, heart_mqtt_publisher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void link_schedule_retry (Link *link);
static void link_drain          (Link *link);

/* ---- options ---------------------------------------------------------------- */

void
heart_mqtt_options_init (HeartMqttOptions *options)
{
  memset (options, 0, sizeof *options);
  options->format = HEART_MQTT_FORMAT_JSON;
  /* a periodic value or waveform block is followed by the next at once;
   * a beat, an event or a label change is not */
  options->qos[HEART_CHANNEL_KIND_PERIODIC] = 0;
  options->qos[HEART_CHANNEL_KIND_PER_BEAT] = 1;
  options->qos[HEART_CHANNEL_KIND_EVENT] = 1;
  options->qos[HEART_CHANNEL_KIND_LABEL] = 1;
  options->qos[HEART_CHANNEL_KIND_WAVEFORM] = 0;
  options->channels = HEART_CHANNEL_MASK_ALL & ~HEART_CHANNEL_MASK_WAVEFORMS;
  options->outbox = HEART_MQTT_DEFAULT_OUTBOX;
}

void
heart_mqtt_options_clear (HeartMqttOptions *options)
{
  g_clear_pointer (&options->url, g_free);
  g_clear_pointer (&options->ca_file, g_free);
  g_clear_pointer (&options->cert_file, g_free);
  g_clear_pointer (&options->key_file, g_free);
  g_clear_pointer (&options->username, g_free);
  if (options->password != NULL)
    memset (options->password, 0, strlen (options->password));
  g_clear_pointer (&options->password, g_free);
  g_clear_pointer (&options->topic, g_free);
  g_clear_pointer (&options->client_id, g_free);
}

static void
options_copy (HeartMqttOptions       *dest,
              const HeartMqttOptions *src)
{
  *dest = *src;
  dest->url = g_strdup (src->url);
  dest->ca_file = g_strdup (src->ca_file);
  dest->cert_file = g_strdup (src->cert_file);
  dest->key_file = g_strdup (src->key_file);
  dest->username = g_strdup (src->username);
  dest->password = g_strdup (src->password);
  dest->topic = g_strdup (src->topic != NULL ? src->topic : HEART_MQTT_DEFAULT_TOPIC);
  dest->client_id = g_strdup (src->client_id != NULL ? src->client_id : "heartsim");
}

static gboolean
parse_qos_digit (const char *text,
                 guint8     *qos,
                 GError    **error)
{
  if (g_str_equal (text, "0") || g_str_equal (text, "1"))
    {
      *qos = (guint8) (text[0] - '0');
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--mqtt-qos: QoS must be 0 or 1, not “%s”", text);
  return FALSE;
}

gboolean
heart_mqtt_options_parse_qos (HeartMqttOptions *options,
                              const char       *text,
                              GError          **error)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);
  guint8 qos[G_N_ELEMENTS (options->qos)];

  memcpy (qos, options->qos, sizeof qos);
  if (strchr (text, '=') == NULL)
    {
      if (!parse_qos_digit (text, &qos[0], error))
        return FALSE;
      memset (options->qos, qos[0], sizeof options->qos);
      return TRUE;
    }
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *eq = strchr (items[i], '=');
      gboolean known = FALSE;

      if (eq != NULL)
        *eq = '\0';
      for (HeartChannelKind k = 0; eq != NULL && k < G_N_ELEMENTS (qos); k++)
        if (g_str_equal (items[i], heart_channel_kind_name (k)))
          {
            if (!parse_qos_digit (eq + 1, &qos[k], error))
              return FALSE;
            known = TRUE;
          }
      if (!known)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--mqtt-qos: “%s” is not KIND=0|1 with a kind of periodic, per-beat, event, label, waveform",
                       items[i]);
          return FALSE;
        }
    }
  memcpy (options->qos, qos, sizeof qos);
  return TRUE;
}

gboolean
heart_mqtt_options_parse_format (HeartMqttOptions *options,
                                 const char       *text,
                                 GError          **error)
{
  if (g_str_equal (text, "json"))
    options->format = HEART_MQTT_FORMAT_JSON;
  else if (g_str_equal (text, "senml"))
    options->format = HEART_MQTT_FORMAT_SENML;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-format: “%s” is not json or senml", text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
url_error (GError    **error,
           const char *url,
           const char *why)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--mqtt: “%s” %s (expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT])", url, why);
  return FALSE;
}

gboolean
heart_mqtt_parse_url (const char *url,
                      gboolean   *tls,
                      char      **host,
                      guint16    *port,
                      GError    **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;
  const char *path;

  if (uri == NULL)
    return url_error (error, url, "is not a URL");
  scheme = g_uri_get_scheme (uri);
  if (!g_str_equal (scheme, "mqtt") && !g_str_equal (scheme, "mqtts"))
    return url_error (error, url, "has a scheme other than mqtt or mqtts");
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return url_error (error, url, "has no host");
  if (g_uri_get_userinfo (uri) != NULL)
    return url_error (error, url, "has a user name: give it with --mqtt-username");
  path = g_uri_get_path (uri);
  if ((path[0] != '\0' && !g_str_equal (path, "/")) || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    return url_error (error, url, "has a path, query or fragment");
  if (g_uri_get_port (uri) == 0)
    return url_error (error, url, "has port 0");
  *tls = g_str_equal (scheme, "mqtts");
  *host = g_strdup (g_uri_get_host (uri));
  *port = g_uri_get_port (uri) > 0 ? (guint16) g_uri_get_port (uri) : (*tls ? 8883 : 1883);
  return TRUE;
}

static gboolean
check_file (const char *option,
            const char *path,
            gboolean    tls,
            GError    **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GError) local = NULL;

  if (path == NULL)
    return TRUE;
  if (!tls)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s needs an mqtts:// URL", option);
      return FALSE;
    }
  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, &local);
  if (stream == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s: %s", option, local->message);
      return FALSE;
    }
  return TRUE;
}

static char *
topic_for (const char *template,
           guint       subject_id,
           const char *channel)
{
  g_autoptr(GString) topic = g_string_new (template);
  g_autofree char *id = g_strdup_printf ("%u", subject_id);

  g_string_replace (topic, "{subject}", id, 0);
  g_string_replace (topic, "{channel}", channel, 0);
  return g_string_free (g_steal_pointer (&topic), FALSE);
}

gboolean
heart_mqtt_options_check (const HeartMqttOptions *options,
                          GError                **error)
{
  const char *template = options->topic != NULL ? options->topic : HEART_MQTT_DEFAULT_TOPIC;
  g_autofree char *host = NULL;
  g_autofree char *sample = NULL;
  gboolean tls;
  guint16 port;

  if (options->url == NULL)
    return url_error (error, "", "is missing");
  if (!heart_mqtt_parse_url (options->url, &tls, &host, &port, error)
      || !check_file ("--mqtt-ca", options->ca_file, tls, error)
      || !check_file ("--mqtt-cert", options->cert_file, tls, error)
      || !check_file ("--mqtt-key", options->key_file, tls, error))
    return FALSE;
  if ((options->cert_file == NULL) != (options->key_file == NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-cert and --mqtt-key go together: a client certificate needs its key");
      return FALSE;
    }
  if (options->cert_file != NULL && options->ca_file == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-cert needs --mqtt-ca, the CA that signed the broker's certificate");
      return FALSE;
    }
  if (options->password != NULL && options->username == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "a password needs --mqtt-username");
      return FALSE;
    }
  sample = topic_for (template, 0, "heart_rate");
  if (strstr (template, "{subject}") == NULL || strstr (template, "{channel}") == NULL
      || mosquitto_pub_topic_check (sample) != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-topic: “%s” must name {subject} and {channel} and have no + or #", template);
      return FALSE;
    }
  if (options->outbox == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-outbox must be at least 1");
      return FALSE;
    }
  return TRUE;
}

const char *
heart_mqtt_state_to_string (HeartMqttState state)
{
  switch (state)
    {
    case HEART_MQTT_STATE_STOPPED: return "stopped";
    case HEART_MQTT_STATE_CONNECTING: return "connecting";
    case HEART_MQTT_STATE_CONNECTED: return "connected";
    case HEART_MQTT_STATE_RETRYING: return "retrying";
    default: g_return_val_if_reached ("stopped");
    }
}

/* ---- state ---------------------------------------------------------------------- */

static void
publisher_update_state (HeartMqttPublisher *self)
{
  HeartMqttState state = HEART_MQTT_STATE_CONNECTED;

  if (!self->started)
    state = HEART_MQTT_STATE_STOPPED;
  for (guint i = 0; self->started && i < self->links->len; i++)
    {
      Link *link = self->links->pdata[i];

      if (link->state == LINK_WAITING)
        state = HEART_MQTT_STATE_RETRYING;
      else if (link->state != LINK_CONNECTED && state == HEART_MQTT_STATE_CONNECTED)
        state = HEART_MQTT_STATE_CONNECTING;
    }
  if (state == self->state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
publisher_set_error (HeartMqttPublisher *self,
                     const char         *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

/* ---- messages --------------------------------------------------------------------- */

static void
message_free (Message *message)
{
  g_free (message->topic);
  g_bytes_unref (message->payload);
  g_free (message);
}

/* Into the outbox, whose oldest message makes room when it is full: what
 * is newest is what a live consumer wants, and a retained value is
 * replaced by the next anyway (docs/scale.md, "Outbox") */
static void
link_push (Link        *link,
           const char  *topic,
           GString     *payload,
           int          qos,
           gboolean     retain)
{
  Message *message = g_new (Message, 1);

  message->topic = g_strdup (topic);
  message->payload = g_string_free_to_bytes (payload);
  message->qos = qos;
  message->retain = retain;
  if (link->outbox.length >= link->owner->options.outbox)
    {
      message_free (g_queue_pop_head (&link->outbox));
      link->owner->dropped++;
    }
  g_queue_push_tail (&link->outbox, message);
}

static void
link_push_batch (Link                           *link,
                 const HeartChannelValue *const *batch,
                 guint                           n,
                 const char                     *condition)
{
  HeartMqttOptions *options = &link->owner->options;
  GString *payload = g_string_sized_new (128);

  heart_mqtt_payload_batch (payload, options->format, link->subject_id, batch, n, condition);
  link_push (link, link->topics[batch[0]->channel], payload,
             options->qos[HEART_CHANNEL_KIND_PERIODIC], TRUE);
}

/* A tick's values: a periodic channel's as one batch (a new one when the
 * phase changes), the others one message a value, as on /ws/stream */
static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           Link                    *link)
{
  HeartMqttOptions *options = &link->owner->options;
  g_autofree const HeartChannelValue **batch = g_new (const HeartChannelValue *, MAX (n_values, 1));

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *info = heart_channel_get (c);
      char condition[HEART_LABEL_MAX];
      guint n = 0;

      if (info->kind != HEART_CHANNEL_KIND_PERIODIC || !(options->channels & HEART_CHANNEL_BIT (c)))
        continue;
      /* each value's condition is the last announced before it */
      g_strlcpy (condition, link->condition, sizeof condition);
      for (guint i = 0; i < n_values; i++)
        {
          if (values[i].channel == HEART_CHANNEL_CONDITION && !g_str_equal (condition, values[i].label))
            {
              if (n > 0)
                link_push_batch (link, batch, n, condition);
              n = 0;
              g_strlcpy (condition, values[i].label, sizeof condition);
            }
          if (values[i].channel == c)
            batch[n++] = &values[i];
        }
      if (n > 0)
        link_push_batch (link, batch, n, condition);
    }
  for (guint i = 0; i < n_values; i++)
    {
      const HeartChannel *info = heart_channel_get (values[i].channel);

      if (values[i].channel == HEART_CHANNEL_CONDITION)
        g_strlcpy (link->condition, values[i].label, sizeof link->condition);
      if (info->kind != HEART_CHANNEL_KIND_PERIODIC && (options->channels & HEART_CHANNEL_BIT (values[i].channel)))
        {
          GString *payload = g_string_sized_new (128);

          heart_mqtt_payload_value (payload, options->format, link->subject_id, &values[i], link->condition);
          link_push (link, link->topics[values[i].channel], payload, options->qos[info->kind], FALSE);
        }
    }
  link_drain (link);
}

static void
on_waveform (HeartSource              *source,
             const HeartWaveformBlock *block,
             Link                     *link)
{
  HeartMqttOptions *options = &link->owner->options;
  GString *payload;

  if (!(options->channels & HEART_CHANNEL_BIT (block->channel)))
    return;
  payload = g_string_sized_new (256 + block->n_values * 8);
  heart_mqtt_payload_waveform (payload, options->format, link->subject_id, block);
  link_push (link, link->topics[block->channel], payload, options->qos[HEART_CHANNEL_KIND_WAVEFORM], FALSE);
  link_drain (link);
}

/* ---- a subject's connection ---------------------------------------------------------- */

static void
link_update_events (Link *link)
{
  GIOCondition events = G_IO_IN | G_IO_HUP | G_IO_ERR;

  if (link->io == NULL)
    return;
  if (mosquitto_want_write (link->mosq))
    events |= G_IO_OUT;
  g_source_modify_unix_fd (link->io, link->io_tag, events);
}

/* Hands @message to libmosquitto (taking it); FALSE when the connection
 * is going and it waits in the outbox for the next one */
static gboolean
link_hand (Link    *link,
           Message *message)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (message->payload, &size);
  int mid = 0;
  int rc;
  gboolean connection_error, kept;

  /* a QoS 0 message written at once is reported sent from inside
   * mosquitto_publish(), before its mid is known here */
  link->sent_at_once = 0;
  rc = mosquitto_publish (link->mosq, &mid, message->topic, (int) size, data, message->qos, message->retain);
  connection_error = rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO;
  /* libmosquitto queues a QoS 1 message before it writes it, keeps it when
   * the write fails as the connection goes, and sends it again after the
   * reconnection: it is handed. A QoS 0 one is not kept. Only a message
   * the broker could never take is dropped. */
  kept = connection_error && message->qos > 0 && mid != 0;
  if (connection_error && !kept)
    {
      g_queue_push_head (&link->outbox, message);
      return FALSE;
    }
  if (rc == MOSQ_ERR_SUCCESS && link->sent_at_once == mid)
    link->owner->published++;
  else if (rc == MOSQ_ERR_SUCCESS || kept)
    g_hash_table_insert (link->handed, GINT_TO_POINTER (mid), GINT_TO_POINTER (message->qos));
  else
    link->owner->dropped++;
  message_free (message);
  return TRUE;
}

/* Hands the outbox to libmosquitto while it is connected, keeps up and
 * holds fewer than WINDOW */
static void
link_drain (Link *link)
{
  while (link->state == LINK_CONNECTED && link->outbox.length > 0
         && g_hash_table_size (link->handed) < WINDOW && !mosquitto_want_write (link->mosq))
    if (!link_hand (link, g_queue_pop_head (&link->outbox)))
      break;
  link_update_events (link);
}

static void
link_close_io (Link *link)
{
  if (link->io == NULL)
    return;
  g_source_destroy (link->io);
  g_clear_pointer (&link->io, g_source_unref);
}

static gboolean
drop_unsent_qos0 (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  guint64 *dropped = user_data;

  if (GPOINTER_TO_INT (value) != 0)
    return FALSE;
  (*dropped)++;
  return TRUE;
}

/* The connection was refused or lost: QoS 0 messages not yet written are
 * gone (counted as dropped), QoS 1 ones stay with libmosquitto, which sends
 * them again once connected; the next attempt waits its backoff */
static void
link_down (Link       *link,
           const char *what,
           const char *why)
{
  HeartMqttPublisher *self = link->owner;
  g_autofree char *message = g_strdup_printf ("%s %s: %s", what, self->options.url, why);

  link_close_io (link);
  g_hash_table_foreach_remove (link->handed, drop_unsent_qos0, &self->dropped);
  link->state = LINK_WAITING;
  publisher_set_error (self, message);
  link_schedule_retry (link);
  publisher_update_state (self);
}

static const char *
rc_reason (int rc,
           int saved_errno)
{
  if (rc == MOSQ_ERR_ERRNO)
    return g_strerror (saved_errno);
  return mosquitto_strerror (rc);
}

static void
link_failed (Link *link,
             int   rc,
             int   saved_errno)
{
  const char *what = link->state == LINK_CONNECTED ? "lost the connection to" : "cannot connect to";
  g_autofree char *refusal = g_steal_pointer (&link->refusal);

  link_down (link, what, refusal != NULL ? refusal : rc_reason (rc, saved_errno));
}

static gboolean
link_io (gpointer data)
{
  Link *link = data;
  GIOCondition revents = g_source_query_unix_fd (link->io, link->io_tag);
  int rc = MOSQ_ERR_SUCCESS;

  if (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    rc = mosquitto_loop_read (link->mosq, 1);
  if (rc == MOSQ_ERR_SUCCESS && (revents & G_IO_OUT) && mosquitto_socket (link->mosq) >= 0)
    rc = mosquitto_loop_write (link->mosq, 1);
  if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket (link->mosq) < 0 || link->refusal != NULL)
    {
      link_failed (link, rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc, errno);
      return G_SOURCE_REMOVE;
    }
  link_drain (link);
  return G_SOURCE_CONTINUE;
}

static gboolean
link_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs link_source_funcs = {
  .dispatch = link_dispatch,
};

static void
link_connect (Link *link)
{
  HeartMqttPublisher *self = link->owner;
  int rc;

  link->state = LINK_CONNECTING;
  rc = mosquitto_connect_async (link->mosq, self->host, self->port, KEEPALIVE_S);
  if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket (link->mosq) < 0)
    {
      link_failed (link, rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_NO_CONN : rc, errno);
      return;
    }
  link->io = g_source_new (&link_source_funcs, sizeof (GSource));
  g_source_set_static_name (link->io, "[heartsim] MQTT connection");
  g_source_set_callback (link->io, link_io, link, NULL);
  link->io_tag = g_source_add_unix_fd (link->io, mosquitto_socket (link->mosq), G_IO_IN | G_IO_OUT);
  g_source_attach (link->io, g_main_context_get_thread_default ());
  publisher_update_state (self);
}

static gboolean
link_retry (gpointer data)
{
  Link *link = data;

  link->retry_id = 0;
  link_connect (link);
  return G_SOURCE_REMOVE;
}

/* 0.5 s, doubling to 30 s, each within its last quarter so that the
 * subjects of a process do not all come back at the same instant */
static void
link_schedule_retry (Link *link)
{
  guint delay = link->backoff_ms - g_random_int_range (0, (gint32) link->backoff_ms / 4 + 1);

  g_clear_handle_id (&link->retry_id, g_source_remove);
  link->retry_id = g_timeout_add (delay, link_retry, link);
  link->backoff_ms = MIN (link->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void
on_connect (struct mosquitto *mosq,
            void             *data,
            int               rc)
{
  Link *link = data;
  HeartMqttPublisher *self = link->owner;

  if (rc != 0)
    {
      g_free (link->refusal);
      link->refusal = g_strdup_printf ("the broker refused: %s", mosquitto_connack_string (rc));
      return;
    }
  if (link->was_connected)
    self->reconnects++;
  link->was_connected = TRUE;
  link->state = LINK_CONNECTED;
  link->backoff_ms = BACKOFF_FIRST_MS;
  mosquitto_publish (mosq, NULL, link->status_topic, strlen (STATUS_ONLINE), STATUS_ONLINE, 1, true);
  publisher_update_state (self);
}

static void
on_publish (struct mosquitto *mosq,
            void             *data,
            int               mid)
{
  Link *link = data;

  if (g_hash_table_remove (link->handed, GINT_TO_POINTER (mid)))
    link->owner->published++;
  else
    link->sent_at_once = mid;
}

/* With no CA file, the system's trusted CAs (client certificates need
 * --mqtt-ca, as libmosquitto's TLS set-up does) */
static gboolean
link_setup_tls (Link   *link,
                GError **error)
{
  HeartMqttOptions *options = &link->owner->options;
  int rc;

  if (options->ca_file == NULL)
    rc = mosquitto_int_option (link->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
  else
    rc = mosquitto_tls_set (link->mosq, options->ca_file, NULL, options->cert_file, options->key_file, NULL);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "MQTT TLS set-up: %s", mosquitto_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

static Link *
link_new (HeartMqttPublisher *self,
          guint               subject_id,
          HeartSource        *source,
          GError            **error)
{
  HeartMqttOptions *options = &self->options;
  g_autofree char *client_id = g_strdup_printf ("%s-%u", options->client_id, subject_id);
  Link *link = g_new0 (Link, 1);

  link->owner = self;
  link->subject_id = subject_id;
  link->backoff_ms = BACKOFF_FIRST_MS;
  link->handed = g_hash_table_new (NULL, NULL);
  g_queue_init (&link->outbox);
  link->status_topic = topic_for (options->topic, subject_id, "status");
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    link->topics[c] = topic_for (options->topic, subject_id, heart_channel_get (c)->name);
  link->mosq = mosquitto_new (client_id, true, link);
  if (link->mosq == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "MQTT client: %s", g_strerror (errno));
      return link;
    }
  mosquitto_int_option (link->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set (link->mosq, WINDOW);
  mosquitto_connect_callback_set (link->mosq, on_connect);
  mosquitto_publish_callback_set (link->mosq, on_publish);
  /* the broker says "offline" for us once this connection ends without a
   * DISCONNECT: a crash, a kill, and our own exit, which sends none */
  mosquitto_will_set (link->mosq, link->status_topic, strlen (STATUS_OFFLINE), STATUS_OFFLINE, 1, true);
  if (options->username != NULL)
    mosquitto_username_pw_set (link->mosq, options->username, options->password);
  if (self->tls && !link_setup_tls (link, error))
    g_clear_pointer (&link->mosq, mosquitto_destroy);
  link->source = g_object_ref (source);
  link->values_handler = g_signal_connect (source, "values", G_CALLBACK (on_values), link);
  link->waveform_handler = g_signal_connect (source, "waveform", G_CALLBACK (on_waveform), link);
  return link;
}

static void
link_free (Link *link)
{
  link_close_io (link);
  g_clear_handle_id (&link->retry_id, g_source_remove);
  if (link->source != NULL)
    {
      g_clear_signal_handler (&link->values_handler, link->source);
      g_clear_signal_handler (&link->waveform_handler, link->source);
      g_object_unref (link->source);
    }
  /* no DISCONNECT: the socket closes and the broker sends the will */
  g_clear_pointer (&link->mosq, mosquitto_destroy);
  g_queue_clear_full (&link->outbox, (GDestroyNotify) message_free);
  g_hash_table_unref (link->handed);
  g_free (link->status_topic);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    g_free (link->topics[c]);
  g_free (link->refusal);
  g_free (link);
}

/* Keep-alive pings and libmosquitto's time-outs */
static gboolean
publisher_misc (gpointer data)
{
  HeartMqttPublisher *self = data;

  for (guint i = 0; i < self->links->len; i++)
    {
      Link *link = self->links->pdata[i];
      int rc;

      if (link->io == NULL)
        continue;
      rc = mosquitto_loop_misc (link->mosq);
      if (rc != MOSQ_ERR_SUCCESS)
        link_failed (link, rc, errno);
      else
        link_update_events (link);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- the publisher ------------------------------------------------------------------ */

HeartMqttPublisher *
heart_mqtt_publisher_new (const HeartMqttOptions *options,
                          GError                **error)
{
  g_autoptr(HeartMqttPublisher) self = NULL;

  if (!heart_mqtt_options_check (options, error))
    return NULL;
  self = g_object_new (HEART_TYPE_MQTT_PUBLISHER, NULL);
  options_copy (&self->options, options);
  heart_mqtt_parse_url (options->url, &self->tls, &self->host, &self->port, NULL);
  return g_steal_pointer (&self);
}

void
heart_mqtt_publisher_add_subject (HeartMqttPublisher *self,
                                  guint               subject_id,
                                  HeartSource        *source)
{
  g_autoptr(GError) error = NULL;
  Link *link;

  g_return_if_fail (HEART_IS_MQTT_PUBLISHER (self));
  g_return_if_fail (HEART_IS_SOURCE (source));

  link = link_new (self, subject_id, source, &error);
  g_ptr_array_add (self->links, link);
  if (error != NULL)
    {
      link->state = LINK_WAITING;
      publisher_set_error (self, error->message);
      return;
    }
  if (self->started)
    link_connect (link);
}

gboolean
heart_mqtt_publisher_start (HeartMqttPublisher *self,
                            GError            **error)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), FALSE);

  for (guint i = 0; i < self->links->len; i++)
    if (((Link *) self->links->pdata[i])->mosq == NULL)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", self->last_error);
        return FALSE;
      }
  if (self->started)
    return TRUE;
  self->started = TRUE;
  self->misc_id = g_timeout_add (MISC_INTERVAL_MS, publisher_misc, self);
  for (guint i = 0; i < self->links->len; i++)
    link_connect (self->links->pdata[i]);
  publisher_update_state (self);
  return TRUE;
}

/* what the rest of the process may hold: listeners, clients, files */
#define DESCRIPTOR_RESERVE 1024

gboolean
heart_mqtt_reserve_descriptors (guint    n_subjects,
                                GError **error)
{
  struct rlimit limit;
  rlim_t needed = (rlim_t) n_subjects * HEART_MQTT_DESCRIPTORS_PER_SUBJECT + DESCRIPTOR_RESERVE;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
    return TRUE;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "--mqtt: %u subjects need about %lu open files (%u a connection), and this process "
                   "may open %lu (ulimit -Hn): raise the limit, or split the subjects over instances "
                   "with --subject-offset",
                   n_subjects, (unsigned long) needed, HEART_MQTT_DESCRIPTORS_PER_SUBJECT,
                   (unsigned long) limit.rlim_max);
      return FALSE;
    }
  limit.rlim_cur = needed;
  setrlimit (RLIMIT_NOFILE, &limit);
  return TRUE;
}

const HeartMqttOptions *
heart_mqtt_publisher_get_options (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), NULL);
  return &self->options;
}

HeartMqttState
heart_mqtt_publisher_get_state (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), HEART_MQTT_STATE_STOPPED);
  return self->state;
}

const char *
heart_mqtt_publisher_get_last_error (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), NULL);
  return self->last_error;
}

guint64
heart_mqtt_publisher_get_published (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), 0);
  return self->published;
}

guint64
heart_mqtt_publisher_get_dropped (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), 0);
  return self->dropped;
}

guint
heart_mqtt_publisher_get_outbox (HeartMqttPublisher *self)
{
  guint n = 0;

  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), 0);
  for (guint i = 0; i < self->links->len; i++)
    {
      Link *link = self->links->pdata[i];

      n += link->outbox.length + g_hash_table_size (link->handed);
    }
  return n;
}

guint64
heart_mqtt_publisher_get_reconnects (HeartMqttPublisher *self)
{
  g_return_val_if_fail (HEART_IS_MQTT_PUBLISHER (self), 0);
  return self->reconnects;
}

void
heart_mqtt_publisher_append_health (HeartMqttPublisher *self,
                                    GString            *json)
{
  g_autofree char *broker = g_strdup_printf ("%s://%s:%u", self->tls ? "mqtts" : "mqtt", self->host, self->port);

  g_return_if_fail (HEART_IS_MQTT_PUBLISHER (self));

  g_string_append (json, "{\"state\":");
  heart_json_append_string (json, heart_mqtt_state_to_string (self->state));
  g_string_append (json, ",\"broker\":");
  heart_json_append_string (json, broker);
  g_string_append_printf (json, ",\"subjects\":%u,\"published\":%" G_GUINT64_FORMAT
                          ",\"dropped\":%" G_GUINT64_FORMAT ",\"outbox\":%u,\"reconnects\":%" G_GUINT64_FORMAT
                          ",\"last_error\":",
                          self->links->len, self->published, self->dropped,
                          heart_mqtt_publisher_get_outbox (self), self->reconnects);
  if (self->last_error != NULL)
    heart_json_append_string (json, self->last_error);
  else
    g_string_append (json, "null");
  g_string_append_c (json, '}');
}

static void
heart_mqtt_publisher_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HeartMqttPublisher *self = HEART_MQTT_PUBLISHER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_string (value, heart_mqtt_state_to_string (self->state));
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_mqtt_publisher_dispose (GObject *object)
{
  HeartMqttPublisher *self = HEART_MQTT_PUBLISHER (object);

  g_clear_handle_id (&self->misc_id, g_source_remove);
  if (self->links != NULL)
    g_ptr_array_set_size (self->links, 0);
  G_OBJECT_CLASS (heart_mqtt_publisher_parent_class)->dispose (object);
}

static void
heart_mqtt_publisher_finalize (GObject *object)
{
  HeartMqttPublisher *self = HEART_MQTT_PUBLISHER (object);

  g_clear_pointer (&self->links, g_ptr_array_unref);
  heart_mqtt_options_clear (&self->options);
  g_free (self->host);
  g_free (self->last_error);
  mosquitto_lib_cleanup ();
  G_OBJECT_CLASS (heart_mqtt_publisher_parent_class)->finalize (object);
}

static void
heart_mqtt_publisher_class_init (HeartMqttPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = heart_mqtt_publisher_get_property;
  object_class->dispose = heart_mqtt_publisher_dispose;
  object_class->finalize = heart_mqtt_publisher_finalize;

  /* "stopped", "connecting", "connected", "retrying" */
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "stopped",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the latest refusal or loss, with the broker's URL and the reason */
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_mqtt_publisher_init (HeartMqttPublisher *self)
{
  mosquitto_lib_init ();
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
}
