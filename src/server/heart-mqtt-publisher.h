/* heart-mqtt-publisher.h: the subjects' channels published to an MQTT broker
 *
 * Each subject has a connection of its own to the broker, so that each has
 * its own last will ("offline" on its status topic); payloads are the
 * objects of the WebSocket stream, or SenML (docs/scale.md, "MQTT").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "heart-channel.h"
#include "heart-mqtt-payload.h"
#include "heart-source.h"

G_BEGIN_DECLS

typedef enum {
  HEART_MQTT_STATE_STOPPED,      /* not started */
  HEART_MQTT_STATE_CONNECTING,   /* some connection is not up yet */
  HEART_MQTT_STATE_CONNECTED,    /* every subject's connection is up */
  HEART_MQTT_STATE_RETRYING,     /* a connection was refused or lost; retried with backoff */
} HeartMqttState;

#define HEART_MQTT_DEFAULT_TOPIC  "heartsim/{subject}/{channel}"
#define HEART_MQTT_DEFAULT_OUTBOX 1000

typedef struct
{
  char            *url;          /* mqtt://host[:port] or mqtts://host[:port] */
  char            *ca_file;      /* mqtts: the CA that signed the broker's certificate */
  char            *cert_file;    /* mqtts: a client certificate … */
  char            *key_file;     /* … and its key, both or neither */
  char            *username;
  char            *password;
  char            *topic;        /* with {subject} and {channel}; NULL: the default */
  char            *client_id;    /* prefix of each connection's id, "-SUBJECT" appended; NULL: "heartsim" */
  HeartMqttFormat  format;
  guint8           qos[HEART_CHANNEL_KIND_WAVEFORM + 1];  /* by HeartChannelKind */
  HeartChannelMask channels;     /* those published; default: all but the waveforms */
  guint            outbox;       /* messages kept per subject while not handed to the broker */
} HeartMqttOptions;

/* The defaults: QoS 0 for periodic channels and waveforms, 1 for the rest */
void     heart_mqtt_options_init       (HeartMqttOptions *options);
void     heart_mqtt_options_clear      (HeartMqttOptions *options);
/* "periodic=0,per-beat=1" or a single "0"/"1" for every kind */
gboolean heart_mqtt_options_parse_qos  (HeartMqttOptions *options,
                                        const char *text,
                                        GError **error);
gboolean heart_mqtt_options_parse_format (HeartMqttOptions *options,
                                          const char *text,
                                          GError **error);
/* The URL split; FALSE with @error naming what is wrong */
gboolean heart_mqtt_parse_url          (const char *url,
                                        gboolean *tls,
                                        char **host,
                                        guint16 *port,
                                        GError **error);
/* Everything checked (URL, files readable, topic template): FALSE with
 * @error naming the option and what is wrong */
gboolean heart_mqtt_options_check      (const HeartMqttOptions *options,
                                        GError **error);
const char *heart_mqtt_state_to_string (HeartMqttState state);

/* Each subject's connection holds its socket and libmosquitto's wake-up
 * pair */
#define HEART_MQTT_DESCRIPTORS_PER_SUBJECT 3u

/* Raises this process's limit of open files for @n_subjects connections
 * and the rest of the process; FALSE with @error, saying how to split
 * the subjects, when the hard limit is too low (docs/scale.md) */
gboolean heart_mqtt_reserve_descriptors (guint n_subjects,
                                         GError **error);

#define HEART_TYPE_MQTT_PUBLISHER (heart_mqtt_publisher_get_type ())
G_DECLARE_FINAL_TYPE (HeartMqttPublisher, heart_mqtt_publisher, HEART, MQTT_PUBLISHER, GObject)

/* NULL with @error when the options are wrong (heart_mqtt_options_check) */
HeartMqttPublisher *heart_mqtt_publisher_new           (const HeartMqttOptions *options,
                                                        GError **error);
/* Publishes what @source makes as subject @subject_id, from now; a
 * subject added after start connects at once */
void                heart_mqtt_publisher_add_subject   (HeartMqttPublisher *self,
                                                        guint subject_id,
                                                        HeartSource *source);
/* Connects every subject in the background on the thread-default main
 * context; a refused connection is retried (property "state",
 * "last-error"). FALSE only when a connection cannot even be set up. */
gboolean            heart_mqtt_publisher_start         (HeartMqttPublisher *self,
                                                        GError **error);
HeartMqttState      heart_mqtt_publisher_get_state     (HeartMqttPublisher *self);
/* as given to _new() (GET /asyncapi.json describes them) */
const HeartMqttOptions *heart_mqtt_publisher_get_options (HeartMqttPublisher *self);
const char         *heart_mqtt_publisher_get_last_error (HeartMqttPublisher *self);
/* Counters, summed over the subjects */
guint64             heart_mqtt_publisher_get_published (HeartMqttPublisher *self);
guint64             heart_mqtt_publisher_get_dropped   (HeartMqttPublisher *self);
guint               heart_mqtt_publisher_get_outbox    (HeartMqttPublisher *self);
guint64             heart_mqtt_publisher_get_reconnects (HeartMqttPublisher *self);
/* {"state","broker","published","dropped","outbox","reconnects","last_error"} */
void                heart_mqtt_publisher_append_health (HeartMqttPublisher *self,
                                                        GString *json);

G_END_DECLS
