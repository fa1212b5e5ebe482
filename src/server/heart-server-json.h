/* heart-server-json.h: small JSON writers (no user string reaches JSON unescaped)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-channel.h"
#include "heart-fields.h"
#include "heart-sample.h"

G_BEGIN_DECLS

void          heart_json_append_string       (GString *out,
                                              const char *text);
void          heart_json_append_double       (GString *out,
                                              double value,
                                              int decimals);
/* The head of a periodic channel's batch, as /ws/stream and MQTT send it
 * (docs/api.md): {"type":…,"t0":…,"fs":…,"condition":…,"values":[ — the
 * values, comma-separated, and "]}" follow */
void          heart_json_append_batch_head   (GString *out,
                                              const HeartChannel *info,
                                              gint64 t0_us,
                                              const char *condition);
/* The fields of the seed's SSE event of @sample (docs/api.md), in wire
 * order; @fields holds HEART_SSE_EVENT_FIELDS. Returns how many. */
#define HEART_SSE_EVENT_FIELDS 8
guint         heart_sse_event_fields         (const HeartSample *sample,
                                              HeartField *fields);
/* "id: SEQ", then the fields as the event's data */
void          heart_sse_append_event         (GString *out,
                                              const HeartSample *sample);

/* A JSON answer (taking @json) with Cache-Control: no-store */
void          heart_respond_json             (SoupServerMessage *msg,
                                              guint status,
                                              GString *json);
/* {"detail": @detail}, FastAPI's shape for errors */
void          heart_respond_detail           (SoupServerMessage *msg,
                                              guint status,
                                              const char *detail);

G_END_DECLS
