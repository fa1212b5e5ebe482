/* heart-server-json.h: small JSON writers (no user string reaches JSON unescaped)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-sample.h"

G_BEGIN_DECLS

void          heart_json_append_string       (GString *out,
                                              const char *text);
void          heart_json_append_double       (GString *out,
                                              double value,
                                              int decimals);
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
