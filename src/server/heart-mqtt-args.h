/* heart-mqtt-args.h: the --mqtt options of the command line
 *
 * The options as typed, a GOptionGroup that fills them, and their
 * conversion to HeartMqttOptions with every check made, so that a bad value
 * is refused before anything connects or listens (docs/scale.md, "MQTT").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-mqtt-publisher.h"

G_BEGIN_DECLS

typedef struct
{
  char *url;
  char *ca_file;
  char *cert_file;
  char *key_file;
  char *username;
  char *password_file;
  char *topic;
  char *format;
  char *qos;
  char *channels;
  char *client_id;
  int   outbox;          /* 0: the default */
} HeartMqttArgs;

/* "mqtt": --mqtt URL, --mqtt-ca, --mqtt-cert, --mqtt-key, --mqtt-username,
 * --mqtt-password-file, --mqtt-topic, --mqtt-format, --mqtt-qos,
 * --mqtt-channels, --mqtt-client-id, --mqtt-outbox; they fill @args,
 * which must outlive the group */
GOptionGroup *heart_mqtt_args_group      (HeartMqttArgs *args);
/* FALSE with @error naming the option when one is wrong; TRUE with
 * @options untouched when --mqtt was not given */
gboolean      heart_mqtt_args_to_options (const HeartMqttArgs *args,
                                          HeartMqttOptions *options,
                                          GError **error);
void          heart_mqtt_args_clear      (HeartMqttArgs *args);

G_END_DECLS
