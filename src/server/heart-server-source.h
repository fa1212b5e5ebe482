/* heart-server-source.h: GET and POST /source, what is served
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-simulator.h"
#include "heart-source-switch.h"

G_BEGIN_DECLS

/* {"kind":…,"state":…,…} of @source (docs/api.md, Source) into @json */
void     heart_server_source_append_json (GString *json,
                                          HeartSource *source);
/* POST /source: switches @source_switch to the simulator or to a replay of
 * a file; 422 with the reason, changing nothing, when the file cannot be
 * played */
void     heart_server_source_post        (SoupServerMessage *msg,
                                          GHashTable *query,
                                          HeartSourceSwitch *source_switch,
                                          HeartSimulator *simulator);

G_END_DECLS
