/* bare-soup.c: the reference point of docs/architecture.md's targets, a SoupServer that answers
 * every request with the same fixed JSON and does nothing else
 *
 *   bare-soup PORT [--connections]
 *
 * With --connections it accepts its clients through the server's connection layer
 * (heart-server-connections.c: its own accepting, the held-back end of stream of idle
 * keep-alive connections, the phases and their timeouts), as Heartsim does to keep libsoup 3.2
 * from leaking descriptors (docs/reliability.md): the floor of a libsoup 3.2 server that does
 * not leak, against which what Heartsim adds on top of it shows (bench/README.md, Network).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

#include "heart-server-connections.h"

static const char body[] =
  "{\"timestamp\":\"2026-01-09T12:34:56.789Z\",\"bpm\":75,\"variability\":0.234,\"stress_level\":0.156,"
  "\"state\":\"running\",\"seq\":1234,\"rr_ms\":801.5,\"rmssd_ms\":38.2,\"baseline_bpm\":72,\"type\":\"heartbeat\"}";

static void
handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, argc > 1 ? atoi (argv[1]) : 8001);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  gboolean own_accept = argc > 2 && g_str_equal (argv[2], "--connections");
  HeartConnections *connections = NULL;

  g_socket_set_listen_backlog (socket, 4096);
  if (!g_socket_bind (socket, address, TRUE, &error) || !g_socket_listen (socket, &error))
    {
      g_printerr ("bare-soup: %s\n", error->message);
      return 1;
    }
  if (own_accept)
    {
      connections = heart_connections_new (server);
      heart_connections_listen (connections, socket);
    }
  else if (!soup_server_listen_socket (server, socket, 0, &error))
    {
      g_printerr ("bare-soup: %s\n", error->message);
      return 1;
    }
  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  g_main_loop_run (g_main_loop_new (NULL, FALSE));
  return 0;
}
