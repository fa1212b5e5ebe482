/* heart-mqtt-args.c: the --mqtt options of the command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heart-mqtt-args.h"

/* Outboxes of more than this many messages a subject hold more than a
 * process should: a thousand subjects at a million each */
#define OUTBOX_MAX 1000000

GOptionGroup *
heart_mqtt_args_group (HeartMqttArgs *args)
{
  const GOptionEntry entries[] = {
    { "mqtt", 0, 0, G_OPTION_ARG_STRING, &args->url,
      "Publish every subject's channels to the MQTT broker at URL (docs/scale.md)", "mqtt://HOST[:PORT]|mqtts://HOST[:PORT]" },
    { "mqtt-ca", 0, 0, G_OPTION_ARG_FILENAME, &args->ca_file,
      "mqtts: the CA certificate (PEM) that signed the broker's (default: the system's)", "FILE" },
    { "mqtt-cert", 0, 0, G_OPTION_ARG_FILENAME, &args->cert_file,
      "mqtts: a client certificate (PEM), with --mqtt-key and --mqtt-ca", "FILE" },
    { "mqtt-key", 0, 0, G_OPTION_ARG_FILENAME, &args->key_file,
      "mqtts: the client certificate's private key (PEM)", "FILE" },
    { "mqtt-username", 0, 0, G_OPTION_ARG_STRING, &args->username,
      "User name for the broker", "NAME" },
    { "mqtt-password-file", 0, 0, G_OPTION_ARG_FILENAME, &args->password_file,
      "The broker password: the first line of FILE (not an argument, which others could read)", "FILE" },
    { "mqtt-topic", 0, 0, G_OPTION_ARG_STRING, &args->topic,
      "Topic template (default " HEART_MQTT_DEFAULT_TOPIC ")", "TEMPLATE" },
    { "mqtt-format", 0, 0, G_OPTION_ARG_STRING, &args->format,
      "Payloads: json (the WebSocket stream's objects, the default) or senml (RFC 8428)", "json|senml" },
    { "mqtt-qos", 0, 0, G_OPTION_ARG_STRING, &args->qos,
      "QoS for every kind, or by kind (default periodic=0,per-beat=1,event=1,label=1,waveform=0)", "0|1|KIND=0|1,…" },
    { "mqtt-channels", 0, 0, G_OPTION_ARG_STRING, &args->channels,
      "The channels published (default: all but the waveforms ecg, ppg)", "NAME,…" },
    { "mqtt-client-id", 0, 0, G_OPTION_ARG_STRING, &args->client_id,
      "Prefix of each subject's client id, PREFIX-SUBJECT (default heartsim)", "PREFIX" },
    { "mqtt-outbox", 0, 0, G_OPTION_ARG_INT, &args->outbox,
      "Messages kept for each subject while the broker is away; beyond, the oldest are dropped (default 1000)", "N" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("mqtt", "MQTT publishing (docs/scale.md):",
                                            "Show the MQTT options", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

static gboolean
read_password (const char *path,
               char      **password,
               GError    **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-password-file: %s", local->message);
      return FALSE;
    }
  text[strcspn (text, "\r\n")] = '\0';
  *password = g_strdup (text);
  memset (text, 0, strlen (text));
  return TRUE;
}

static gboolean
args_fail (GError    **error,
           const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

gboolean
heart_mqtt_args_to_options (const HeartMqttArgs *args,
                            HeartMqttOptions    *options,
                            GError             **error)
{
  g_autofree char *unknown = NULL;

  if (args->url == NULL)
    {
      if (args->ca_file || args->cert_file || args->key_file || args->username || args->password_file
          || args->topic || args->format || args->qos || args->channels || args->client_id || args->outbox)
        return args_fail (error, "the --mqtt-… options go with --mqtt URL");
      return TRUE;
    }
  heart_mqtt_options_init (options);
  options->url = g_strdup (args->url);
  options->ca_file = g_strdup (args->ca_file);
  options->cert_file = g_strdup (args->cert_file);
  options->key_file = g_strdup (args->key_file);
  options->username = g_strdup (args->username);
  options->topic = g_strdup (args->topic);
  if (args->client_id != NULL && (args->client_id[0] == '\0' || strlen (args->client_id) > 64))
    return args_fail (error, "--mqtt-client-id must be 1–64 bytes");
  options->client_id = g_strdup (args->client_id);
  if (args->outbox < 0 || args->outbox > OUTBOX_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--mqtt-outbox must be 1–%d", OUTBOX_MAX);
      return FALSE;
    }
  if (args->outbox > 0)
    options->outbox = (guint) args->outbox;
  if (args->channels != NULL && !heart_channel_parse_list (args->channels, &options->channels, &unknown))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--mqtt-channels: no channel is called “%s” (GET /api/channels lists them)", unknown);
      return FALSE;
    }
  if ((args->format != NULL && !heart_mqtt_options_parse_format (options, args->format, error))
      || (args->qos != NULL && !heart_mqtt_options_parse_qos (options, args->qos, error))
      || (args->password_file != NULL && !read_password (args->password_file, &options->password, error)))
    return FALSE;
  return heart_mqtt_options_check (options, error);
}

void
heart_mqtt_args_clear (HeartMqttArgs *args)
{
  g_clear_pointer (&args->url, g_free);
  g_clear_pointer (&args->ca_file, g_free);
  g_clear_pointer (&args->cert_file, g_free);
  g_clear_pointer (&args->key_file, g_free);
  g_clear_pointer (&args->username, g_free);
  g_clear_pointer (&args->password_file, g_free);
  g_clear_pointer (&args->topic, g_free);
  g_clear_pointer (&args->format, g_free);
  g_clear_pointer (&args->qos, g_free);
  g_clear_pointer (&args->channels, g_free);
  g_clear_pointer (&args->client_id, g_free);
}
