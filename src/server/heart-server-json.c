/* heart-server-json.c: the few JSON writers the server needs on its hot paths
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "heart-sample-fields.h"
#include "heart-server-json.h"

void
heart_json_append_string (GString    *out,
                          const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* Fixed decimals, trailing zeros dropped, and never "nan" or "inf" (not JSON) */
void
heart_json_append_double (GString *out,
                          double   value,
                          int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];
  char *end;

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  g_snprintf (format, sizeof format, "%%.%df", CLAMP (decimals, 0, 9));
  g_ascii_formatd (buf, sizeof buf, format, value);
  if (strchr (buf, '.') != NULL)
    {
      end = buf + strlen (buf) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  if (g_str_equal (buf, "-0"))
    g_string_append_c (out, '0');
  else
    g_string_append (out, buf);
}

/* Seed 2's three fields first, in its order, so its clients parse the event
 * unchanged; then what an ML client wants besides the heart rate, with the
 * same names and decimals as the WebSocket sample (heart-sample-fields.c),
 * additions at the end (docs/api.md). */
void
heart_json_append_batch_head (GString            *out,
                              const HeartChannel *info,
                              gint64              t0_us,
                              const char         *condition)
{
  g_string_append (out, "{\"type\":");
  heart_json_append_string (out, info->name);
  g_string_append (out, ",\"t0\":\"");
  heart_append_iso8601_ms (out, t0_us);
  g_string_append (out, "\",\"fs\":");
  heart_json_append_double (out, info->rate_hz, 0);
  g_string_append (out, ",\"condition\":");
  heart_json_append_string (out, condition);
  g_string_append (out, ",\"values\":[");
}

guint
heart_sse_event_fields (const HeartSample *sample,
                        HeartField        *fields)
{
  guint n = 0;

  fields[n++] = (HeartField) { "value", HEART_FIELD_INT, .integer = sample->bpm };
  fields[n++] = (HeartField) { "timestamp", HEART_FIELD_TIMESTAMP, .integer = sample->timestamp_us };
  fields[n++] = (HeartField) { "type", HEART_FIELD_STRING, .string = "heart_rate" };
  fields[n++] = (HeartField) { "seq", HEART_FIELD_INT, .integer = (gint64) sample->seq };
  fields[n++] = (HeartField) { "variability", HEART_FIELD_DECIMALS_3, .number = sample->variability };
  fields[n++] = (HeartField) { "stress_level", HEART_FIELD_DECIMALS_3, .number = sample->stress_level };
  fields[n++] = (HeartField) { "state", HEART_FIELD_STRING, .string = heart_sample_state_string (sample) };
  fields[n++] = (HeartField) { "event", HEART_FIELD_BOOLEAN, .integer = sample->event_active };
  g_assert (n <= HEART_SSE_EVENT_FIELDS);
  return n;
}

void
heart_sse_append_event (GString           *out,
                        const HeartSample *sample)
{
  HeartField fields[HEART_SSE_EVENT_FIELDS];
  guint n = heart_sse_event_fields (sample, fields);

  g_string_append_printf (out, "id: %" G_GUINT64_FORMAT "\ndata: ", sample->seq);
  heart_fields_append (out, HEART_FIELDS_JSON, fields, n);
  g_string_append (out, "\n\n");
}

void
heart_respond_json (SoupServerMessage *msg,
                    guint              status,
                    GString           *json)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) bytes = g_string_free_to_bytes (json);

  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

void
heart_respond_detail (SoupServerMessage *msg,
                      guint              status,
                      const char        *detail)
{
  GString *json = g_string_new ("{\"detail\":");

  heart_json_append_string (json, detail);
  g_string_append_c (json, '}');
  heart_respond_json (msg, status, json);
}
