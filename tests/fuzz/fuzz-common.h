/* fuzz-common.h: what the libFuzzer harnesses share (docs/reliability.md)
 *
 * A harness aborts, and libFuzzer saves the input as a crash, on any failed
 * g_assert, on a GLib critical or warning, and on what the address and
 * undefined-behaviour sanitizers find.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerInitialize   (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static inline void
fuzz_init_glib (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

/* Reads the input front to back; past its end every value is 0 */
typedef struct
{
  const uint8_t *data;
  size_t         size;
} FuzzInput;

static inline void
fuzz_take (FuzzInput *in,
           void      *out,
           size_t     n)
{
  size_t have = MIN (n, in->size);

  memset (out, 0, n);
  if (have > 0)
    memcpy (out, in->data, have);
  in->data += have;
  in->size -= have;
}

static inline guint8
fuzz_take_byte (FuzzInput *in)
{
  guint8 value;

  fuzz_take (in, &value, sizeof value);
  return value;
}

/* A NUL-terminated copy of the rest of the input (cut at its first NUL) */
static inline char *
fuzz_take_rest (FuzzInput *in)
{
  char *text = g_strndup ((const char *) in->data, in->size);

  in->data += in->size;
  in->size = 0;
  return text;
}

/* Parses @json with json-glib and fails the run when it is not JSON */
static inline JsonNode *
fuzz_parse_json (const char *json,
                 gssize      length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, json, length, &error))
    g_error ("not JSON (%s): %s", error->message, json);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_ref (json_parser_get_root (parser));
}
