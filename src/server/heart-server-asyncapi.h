/* heart-server-asyncapi.h: the AsyncAPI 2.6 document of the streams
 *
 * WebSocket, Server-Sent Events and MQTT, each channel of the table with
 * its payload (docs/api.md, "AsyncAPI"); served at /asyncapi.json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define HEART_ASYNCAPI_VERSION       "2.6.0"
/* the MQTT topics when no template is given (docs/scale.md) */
#define HEART_ASYNCAPI_DEFAULT_TOPIC "heartsim/{subject}/{channel}"
/* where the server listens when no URL is given */
#define HEART_ASYNCAPI_DEFAULT_URL   "http://127.0.0.1:8000"

/* The document as JSON.
 * @server_url: http[s]://HOST:PORT as clients reach the server, NULL for
 *   HEART_ASYNCAPI_DEFAULT_URL; its WebSocket URL is derived from it.
 * @mqtt_url: mqtt[s]://HOST[:PORT] of the broker Heartsim publishes to
 *   (user and password are left out), NULL when it publishes to none: the
 *   MQTT server's host and port are then server variables.
 * @mqtt_topic_template: with {subject} and {channel}, NULL for
 *   HEART_ASYNCAPI_DEFAULT_TOPIC.
 * @mqtt_qos: the QoS of each HeartChannelKind, or NULL when not known.
 * NULL with @error (G_IO_ERROR_INVALID_ARGUMENT) naming a bad URL or
 * template. */
GBytes *heart_server_asyncapi_build   (const char *server_url,
                                       const char *mqtt_url,
                                       const char *mqtt_topic_template,
                                       const guint8 *mqtt_qos,
                                       GError **error);

/* GET /asyncapi.json: the document for the host and port the client asked
 * (its request's URI), with the MQTT settings as for _build() */
void    heart_server_asyncapi_respond (SoupServerMessage *msg,
                                       const char *mqtt_url,
                                       const char *mqtt_topic_template,
                                       const guint8 *mqtt_qos);

G_END_DECLS
