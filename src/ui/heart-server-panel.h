/* heart-server-panel.h: the side panel's server group
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-server.h"

G_BEGIN_DECLS

#define HEART_TYPE_SERVER_PANEL (heart_server_panel_get_type ())
G_DECLARE_FINAL_TYPE (HeartServerPanel, heart_server_panel, HEART, SERVER_PANEL, GtkWidget)

/* Properties: "server" (whose addresses and clients are shown) and
 * "server-error" (GError: why it is not listening although it should, or
 * NULL). The address rows' buttons activate win.copy-url and win.open-url
 * with the address. */
GtkWidget    *heart_server_panel_new              (void);
HeartServer  *heart_server_panel_get_server       (HeartServerPanel *self);
void          heart_server_panel_set_server       (HeartServerPanel *self,
                                                   HeartServer *server);
const GError *heart_server_panel_get_server_error (HeartServerPanel *self);
void          heart_server_panel_set_server_error (HeartServerPanel *self,
                                                   const GError *error);

/* For tests: the addresses shown, NULL-terminated (free with g_strfreev()),
 * and the client count's text */
char        **heart_server_panel_dup_shown_urls   (HeartServerPanel *self);
const char   *heart_server_panel_get_clients_text (HeartServerPanel *self);

G_END_DECLS
