/* test-server-fixture.h: a HeartServer of the test's own, and its client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-server.h"
#include "test-server-util.h"

/* Starts @server (its bind address and token as set) on a free port;
 * its port, and a client session for it in *@session */
static inline guint
test_server_listen (HeartServer  *server,
                    SoupSession **session)
{
  g_autoptr(GError) error = NULL;
  guint port;

  heart_server_set_port (server, 0);
  heart_server_start (server, &error);
  g_assert_no_error (error);
  port = heart_server_get_port (server);
  g_assert_cmpuint (port, >, 0);
  *session = test_session_new ();
  return port;
}

/* The client hangs up first, as a client does; then the server closes its
 * streams, waits for them, and goes */
static inline void
test_server_shut (SoupSession **session,
                  HeartServer **server)
{
  soup_session_abort (*session);
  g_clear_object (session);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  heart_server_stop (*server);
  heart_server_wait_closed (*server, 1000);
  g_clear_object (server);
}
