/* heart-server-day.h: GET /api/day, the day's totals and the long chart
 * spans, from a HeartDayLog (docs/api.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "heart-day-log.h"

G_BEGIN_DECLS

/* The span asked for, in seconds of simulation time: up to the whole log */
#define HEART_DAY_MIN_SECONDS        10
#define HEART_DAY_MAX_SECONDS        HEART_DAY_LOG_SECONDS
#define HEART_DAY_DEFAULT_SECONDS    86400
/* The width of an answer's buckets: whole buckets of the log merged */
#define HEART_DAY_MIN_RESOLUTION     10
#define HEART_DAY_MAX_RESOLUTION     3600
#define HEART_DAY_DEFAULT_RESOLUTION 60

/* GET /api/day?seconds=N&resolution=S; checks the query itself and
 * answers 422 on bad values */
void heart_server_day_respond (SoupServerMessage *msg,
                               GHashTable *query,
                               HeartDayLog *log);

G_END_DECLS
