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
/* POST /source: switches @source_switch to the simulator, to a replay of
 * a file, or to a Bluetooth strap found through BlueZ on @bluez_connection
 * (NULL: the system bus); 422 with the reason, changing nothing, when the
 * file cannot be played, and 409 when there is no Bluetooth to use. The
 * message may be answered later (a strap: once BlueZ has answered). */
void     heart_server_source_post        (SoupServerMessage *msg,
                                          GHashTable *query,
                                          HeartSourceSwitch *source_switch,
                                          HeartSimulator *simulator,
                                          GDBusConnection *bluez_connection);

G_END_DECLS
