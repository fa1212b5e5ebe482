/* heart-connection-input.h: the input side of one accepted client connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEART_TYPE_CONNECTION_INPUT (heart_connection_input_get_type ())
G_DECLARE_FINAL_TYPE (HeartConnectionInput, heart_connection_input, HEART, CONNECTION_INPUT, GFilterInputStream)

/* Reads @connection's input stream; closing it closes @connection (and so
 * the socket). Signals: "peer-closed" when it holds back an end of stream
 * (see heart_connection_input_set_hold_eof()), "closed" once closed. */
HeartConnectionInput *heart_connection_input_new          (GSocketConnection *connection);
/* While TRUE, an end of stream or a read error from the peer is reported to
 * the reader as "would block" instead, and "peer-closed" is emitted once:
 * the owner then ends the connection itself (docs/reliability.md). */
void                  heart_connection_input_set_hold_eof (HeartConnectionInput *self,
                                                           gboolean hold_eof);
gboolean              heart_connection_input_get_peer_closed (HeartConnectionInput *self);
/* From now on the stream carries WebSocket frames from a client: a data
 * message (all its fragments) longer than @max_bytes fails the read with
 * G_IO_ERROR_MESSAGE_TOO_LARGE. 0 turns the check off. */
void                  heart_connection_input_limit_websocket_messages (HeartConnectionInput *self,
                                                                       guint64 max_bytes);

G_END_DECLS
