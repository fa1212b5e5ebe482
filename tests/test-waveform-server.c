/* test-waveform-server.c: the ECG and PPG over the network, against a real
 * SoupSession client: their frames on /ws/stream and /api/stream, GET
 * /api/waveform, GET and POST /simulation/waveform, and that nothing asked
 * for by default carries them (docs/api.md, "Waveforms")
 *
 * The ground truth is what the simulator emits: every block of its
 * "waveform" signal and every "beat", recorded as they go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "heart-history.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"
#include "test-server-fixture.h"
#include "test-server-util.h"

#define START_US G_GINT64_CONSTANT (1767962096789000)   /* 2026-01-09T12:34:56.789Z */
/* a live block's worth of simulation time, as the manual clock is stepped */
#define FRAME_S (HEART_WAVEFORM_FRAME_MS / 1000.0)

/* One block the simulator emitted; its values and marks are in Emitted's */
typedef struct
{
  guint64 first_index;
  guint   n_values;
  guint   values_at;
  guint   marks_at;
  guint   n_marks;
  gint64  t0_us;
} Block;

typedef struct
{
  GArray *blocks;   /* Block */
  GArray *values;   /* float, every block's in turn */
  GArray *marks;    /* HeartWaveformMark */
  double  fs_hz;
} Emitted;

typedef struct
{
  HeartSimulator    *simulator;
  HeartSourceSwitch *source;
  HeartHistory      *history;
  HeartServer       *server;
  SoupSession       *session;
  guint              port;
  Emitted            emitted[HEART_N_CHANNELS];
  GArray            *beats;     /* HeartBeat */
  guint              values[HEART_N_CHANNELS];   /* channel values emitted */
  guint              ticks_with[HEART_N_CHANNELS];  /* "values" emissions with a value of each */
  char              *folder;    /* for a replay's file */
  guint              fanout_threads;
} Fixture;

static void
on_waveform (HeartSource              *source,
             const HeartWaveformBlock *block,
             Fixture                  *f)
{
  Emitted *emitted = &f->emitted[block->channel];
  Block record = {
    block->first_index, block->n_values, emitted->values->len, emitted->marks->len, block->n_marks, block->t0_us,
  };

  emitted->fs_hz = block->fs_hz;
  g_array_append_val (emitted->blocks, record);
  g_array_append_vals (emitted->values, block->values, block->n_values);
  g_array_append_vals (emitted->marks, block->marks, block->n_marks);
}

static void
on_beat (HeartSource     *source,
         const HeartBeat *beat,
         Fixture         *f)
{
  g_array_append_vals (f->beats, beat, 1);
}

static void
on_values (HeartSource             *source,
           const HeartChannelValue *values,
           guint                    n_values,
           Fixture                 *f)
{
  HeartChannelMask seen = 0;

  for (guint i = 0; i < n_values; i++)
    {
      f->values[values[i].channel]++;
      seen |= HEART_CHANNEL_BIT (values[i].channel);
    }
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    f->ticks_with[c] += (seen & HEART_CHANNEL_BIT (c)) != 0;
}

/* A server of @simulator through a source switch, bound to @bind with
 * @token (NULL, NULL: loopback) */
static void
fixture_start (Fixture        *f,
               HeartSimulator *simulator,
               const char     *bind,
               const char     *token)
{
  f->simulator = simulator;
  f->source = heart_source_switch_new (HEART_SOURCE (simulator));
  heart_source_set_running (HEART_SOURCE (f->source), TRUE);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      f->emitted[c].blocks = g_array_new (FALSE, FALSE, sizeof (Block));
      f->emitted[c].values = g_array_new (FALSE, FALSE, sizeof (float));
      f->emitted[c].marks = g_array_new (FALSE, FALSE, sizeof (HeartWaveformMark));
    }
  f->beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  g_signal_connect (simulator, "waveform", G_CALLBACK (on_waveform), f);
  g_signal_connect (simulator, "beat", G_CALLBACK (on_beat), f);
  g_signal_connect (simulator, "values", G_CALLBACK (on_values), f);
  f->history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  heart_history_follow (f->history, G_OBJECT (f->source));
  f->server = g_object_new (HEART_TYPE_SERVER,
                            "simulator", simulator,
                            "source", f->source,
                            "history", f->history,
                            "fanout-threads", f->fanout_threads,
                            NULL);
  if (bind != NULL)
    heart_server_set_bind_address (f->server, bind);
  heart_server_set_token (f->server, token);
  f->port = test_server_listen (f->server, &f->session);
}

/* A manual clock that makes the waveforms (it makes every channel but
 * them unless asked) */
static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  HeartSimulator *simulator = heart_simulator_new_manual (42, START_US);

  heart_simulator_set_channels (simulator, HEART_CHANNEL_MASK_ALL);
  fixture_start (f, simulator, NULL, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  test_server_shut (&f->session, &f->server);
  g_clear_object (&f->history);
  g_clear_object (&f->source);
  g_signal_handlers_disconnect_by_data (f->simulator, f);
  g_clear_object (&f->simulator);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      g_array_unref (f->emitted[c].blocks);
      g_array_unref (f->emitted[c].values);
      g_array_unref (f->emitted[c].marks);
    }
  g_array_unref (f->beats);
  if (f->folder != NULL)
    {
      g_autofree char *csv = g_build_filename (f->folder, "rr.csv", NULL);

      g_unlink (csv);
      g_rmdir (f->folder);
      g_free (f->folder);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* @seconds of simulation in steps of a live block */
static void
advance (Fixture *f,
         double   seconds)
{
  for (guint i = 0; i < (guint) lround (seconds / FRAME_S); i++)
    heart_simulator_advance (f->simulator, FRAME_S);
}

/* @seconds of simulation a second at a time, each second's frames taken
 * by the clients (@read holds) before the next: a client that read
 * nothing for a minute of frames would be dropped, as it should be */
#define ADVANCE_READING(f, seconds, read) \
  G_STMT_START { \
    for (guint second_ = 0; second_ < (seconds); second_++) \
      { \
        advance ((f), 1); \
        WAIT_FOR (read); \
      } \
  } G_STMT_END

static JsonNode *
request_json (Fixture    *f,
              const char *method,
              const char *path,
              guint       expected_status)
{
  g_autoptr(TestReply) reply = test_request (f->session, method, f->port, path, NULL);

  if (test_reply_status (reply) != expected_status)
    {
      g_autofree char *text = test_reply_text (reply);

      g_error ("%s %s: %u %s, want %u", method, path, test_reply_status (reply), text, expected_status);
    }
  return test_reply_json (reply);
}

#define get_json(f, path, status) request_json ((f), SOUP_METHOD_GET, (path), (status))
#define post_json(f, path, status) request_json ((f), SOUP_METHOD_POST, (path), (status))

static JsonObject *
object (JsonNode *node)
{
  return json_node_get_object (node);
}

static gboolean
has_exactly_members (JsonObject         *object,
                     const char * const *names)
{
  g_autoptr(GList) members = json_object_get_members (object);

  if (g_list_length (members) != g_strv_length ((char **) names))
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (!json_object_has_member (object, names[i]))
      return FALSE;
  return TRUE;
}

/* A 422's one error names @field where the query has it */
static void
assert_refused_at (JsonNode   *answer,
                   const char *field)
{
  JsonArray *detail = json_object_get_array_member (object (answer), "detail");
  JsonArray *loc;

  g_assert_nonnull (detail);
  g_assert_cmpuint (json_array_get_length (detail), ==, 1);
  loc = json_object_get_array_member (json_array_get_object_element (detail, 0), "loc");
  g_assert_cmpstr (json_array_get_string_element (loc, 0), ==, "query");
  g_assert_cmpstr (json_array_get_string_element (loc, 1), ==, field);
}

static gint64
iso_to_us (const char *text)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (time);
  /* what the wire says: UTC, to the millisecond */
  g_assert_true (g_str_has_suffix (text, "Z"));
  g_assert_cmpuint (strlen (text), ==, strlen ("2026-01-09T12:34:56.789Z"));
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

/* ---- a frame against the block it stands for ------------------------------ */

/* @frame (a stream's frame or GET /api/waveform's answer) holds the values
 * @values_at… and the marks @marks_at… of @channel's emitted ones, from
 * sample @first_index */
static void
assert_frame_holds (Fixture        *f,
                    JsonNode       *frame,
                    HeartChannelId  channel,
                    guint64         first_index,
                    guint           values_at,
                    guint           n_values,
                    guint           marks_at,
                    guint           n_marks)
{
  static const char * const members[] = { "type", "t0", "t0_s", "index", "fs", "unit", "values", "annotations", NULL };
  const HeartChannel *info = heart_channel_get (channel);
  Emitted *emitted = &f->emitted[channel];
  JsonObject *o = object (frame);
  JsonArray *values = json_object_get_array_member (o, "values");
  JsonArray *annotations = json_object_get_array_member (o, "annotations");
  double t0_s = first_index / emitted->fs_hz;

  g_assert_true (has_exactly_members (o, members));
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, info->name);
  g_assert_cmpfloat (json_object_get_double_member (o, "fs"), ==, emitted->fs_hz);
  g_assert_cmpstr (json_object_get_string_member (o, "unit"), ==, info->unit);
  g_assert_cmpuint (json_object_get_int_member (o, "index"), ==, first_index);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "t0_s"), t0_s, 1e-6);
  /* the manual clock's timestamps are its start plus simulation time */
  g_assert_cmpint (llabs (iso_to_us (json_object_get_string_member (o, "t0")) - (START_US + (gint64) llround (t0_s * 1e6))),
                   <=, 1000);

  g_assert_cmpuint (json_array_get_length (values), ==, n_values);
  for (guint i = 0; i < n_values; i++)
    {
      double want = g_array_index (emitted->values, float, values_at + i);
      double got = json_array_get_double_element (values, i);

      /* to the channel's decimals */
      g_assert_cmpfloat (fabs (got - want), <=, 0.5 * pow (10, -info->decimals) + 1e-6);
      g_assert_cmpfloat (fabs (got * pow (10, info->decimals) - round (got * pow (10, info->decimals))), <, 1e-6);
    }

  g_assert_cmpuint (json_array_get_length (annotations), ==, n_marks);
  for (guint i = 0; i < n_marks; i++)
    {
      static const char * const mark_members[] = { "t", "t_s", "code", NULL };
      const HeartWaveformMark *want = &g_array_index (emitted->marks, HeartWaveformMark, marks_at + i);
      JsonObject *got = json_array_get_object_element (annotations, i);

      g_assert_true (has_exactly_members (got, mark_members));
      g_assert_cmpstr (json_object_get_string_member (got, "code"), ==, want->code);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (got, "t_s"), want->t_s, 0.0005 + 1e-9);
      g_assert_cmpint (llabs (iso_to_us (json_object_get_string_member (got, "t")) - want->timestamp_us), <, 1000);
    }
}

/* The frames of @channel among @frames (JsonNode) are the blocks emitted
 * from the @first_block-th on, one for one: none lost, none partial, in
 * order, their indices running on. Returns how many. */
static guint
assert_frames_are_blocks (Fixture        *f,
                          GPtrArray      *frames,
                          HeartChannelId  channel,
                          guint           first_block)
{
  Emitted *emitted = &f->emitted[channel];
  guint b = first_block;
  guint64 next_index = 0;

  for (guint i = 0; i < frames->len; i++)
    {
      JsonNode *frame = frames->pdata[i];
      const Block *block;
      guint64 index;

      if (g_strcmp0 (json_object_get_string_member (object (frame), "type"), heart_channel_get (channel)->name) != 0)
        continue;
      g_assert_cmpuint (b, <, emitted->blocks->len);
      block = &g_array_index (emitted->blocks, Block, b);
      index = json_object_get_int_member (object (frame), "index");
      /* contiguous: each frame starts where the one before ended */
      if (b > first_block)
        g_assert_cmpuint (index, ==, next_index);
      assert_frame_holds (f, frame, channel, block->first_index, block->values_at, block->n_values,
                          block->marks_at, block->n_marks);
      next_index = index + block->n_values;
      b++;
    }
  g_assert_cmpuint (b, ==, emitted->blocks->len);
  return b - first_block;
}

/* The JSON messages of a WebSocket client after its "connected" one */
static GPtrArray *
websocket_frames (TestWebsocket *ws)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  g_assert_cmpuint (ws->messages->len, >=, 1);
  g_assert_true (g_str_has_prefix (ws->messages->pdata[0], "{\"type\":\"connected\""));
  for (guint i = 1; i < ws->messages->len; i++)
    g_ptr_array_add (frames, test_parse_json (ws->messages->pdata[i]));
  return frames;
}

static TestWebsocket *
websocket_open (Fixture    *f,
                const char *types)
{
  g_autofree char *path = g_strdup_printf ("/ws/stream?types=%s", types);
  TestWebsocket *ws = test_websocket_open (f->session, f->port, path);

  /* the "connected" frame: the server has the client, and the next block is its first */
  WAIT_FOR (ws->messages->len == 1);
  return ws;
}

/* ---- tests ------------------------------------------------------------------- */

static JsonObject *
find_channel (JsonNode   *answer,
              const char *name)
{
  JsonArray *channels = json_object_get_array_member (object (answer), "channels");

  for (guint i = 0; i < json_array_get_length (channels); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (channels, i), "name"), name))
      return json_array_get_object_element (channels, i);
  g_error ("no channel %s", name);
}

/* GET /api/channels: the waveforms with their kind, unit, range and the
 * rate the simulation makes them at now */
static void
test_channels (Fixture       *f,
               gconstpointer  data)
{
  static const struct { const char *name, *unit; double rate_hz, min, max; } expected[] = {
    { "ecg", "mV", 250, -5, 5 },
    { "ppg", "a.u.", 64, -2, 3 },
  };
  g_autoptr(JsonNode) answer = get_json (f, "/api/channels", SOUP_STATUS_OK);
  g_autoptr(JsonNode) set = NULL;
  g_autoptr(JsonNode) after = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *channel = find_channel (answer, expected[i].name);

      g_assert_cmpstr (json_object_get_string_member (channel, "kind"), ==, "waveform");
      g_assert_cmpstr (json_object_get_string_member (channel, "unit"), ==, expected[i].unit);
      g_assert_cmpfloat (json_object_get_double_member (channel, "rate_hz"), ==, expected[i].rate_hz);
      g_assert_cmpfloat (json_object_get_double_member (channel, "min"), ==, expected[i].min);
      g_assert_cmpfloat (json_object_get_double_member (channel, "max"), ==, expected[i].max);
      g_assert_cmpuint (strlen (json_object_get_string_member (channel, "description")), >, 20);
    }

  /* the rate is the simulation's, as it is now */
  set = post_json (f, "/simulation/waveform?ecg_rate_hz=500&ppg_rate_hz=125", SOUP_STATUS_OK);
  after = get_json (f, "/api/channels", SOUP_STATUS_OK);
  g_assert_cmpfloat (json_object_get_double_member (find_channel (after, "ecg"), "rate_hz"), ==, 500);
  g_assert_cmpfloat (json_object_get_double_member (find_channel (after, "ppg"), "rate_hz"), ==, 125);
}

/* WS /ws/stream?types=ecg,ppg,heart_rate: every block of each waveform a
 * frame, from the first block after the client joined, none lost or cut,
 * with its fs, unit, values to the channel's decimals and its marks; the
 * ECG's beat marks are the beats of the beat stream, premature ones
 * included; and the other channel named comes too */
static void
test_websocket (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonNode) set = post_json (f, "/simulation/waveform?pvc_per_hour=600&pac_per_hour=300", SOUP_STATUS_OK);
  g_autoptr(TestWebsocket) early = websocket_open (f, "ecg,ppg");
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  guint first_block[HEART_N_CHANNELS], beats_before, heart_rate_before, heart_rate_ticks_before, ecg_frames, ppg_frames;
  guint heart_rate = 0, beat_marks = 0, ventricular = 0;
  g_autoptr(GArray) annotations = g_array_new (FALSE, FALSE, sizeof (HeartWaveformMark));

  /* a client joining a stream under way, whose frames the ring still
   * holds for another client: it starts with the next block */
  ADVANCE_READING (f, 3, early->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len +
                                               f->emitted[HEART_CHANNEL_PPG].blocks->len);
  ws = websocket_open (f, "ecg,ppg,heart_rate");
  first_block[HEART_CHANNEL_ECG] = f->emitted[HEART_CHANNEL_ECG].blocks->len;
  first_block[HEART_CHANNEL_PPG] = f->emitted[HEART_CHANNEL_PPG].blocks->len;
  beats_before = f->beats->len;
  heart_rate_before = f->values[HEART_CHANNEL_HEART_RATE];
  heart_rate_ticks_before = f->ticks_with[HEART_CHANNEL_HEART_RATE];

  /* a periodic channel's values come as one batch a tick */
  ADVANCE_READING (f, 60, ws->messages->len == 1 + (f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block[HEART_CHANNEL_ECG]) +
                                             (f->emitted[HEART_CHANNEL_PPG].blocks->len - first_block[HEART_CHANNEL_PPG]) +
                                             (f->ticks_with[HEART_CHANNEL_HEART_RATE] - heart_rate_ticks_before));
  frames = websocket_frames (ws);
  ecg_frames = assert_frames_are_blocks (f, frames, HEART_CHANNEL_ECG, first_block[HEART_CHANNEL_ECG]);
  ppg_frames = assert_frames_are_blocks (f, frames, HEART_CHANNEL_PPG, first_block[HEART_CHANNEL_PPG]);
  /* a block each manual step of a live block's time */
  g_assert_cmpuint (ecg_frames, >=, 1500);
  g_assert_cmpuint (ppg_frames, >=, 1500);
  for (guint i = 0; i < frames->len; i++)
    if (g_str_equal (json_object_get_string_member (object (frames->pdata[i]), "type"), "heart_rate"))
      heart_rate += json_array_get_length (json_object_get_array_member (object (frames->pdata[i]), "values"));
  g_assert_cmpuint (heart_rate, ==, f->values[HEART_CHANNEL_HEART_RATE] - heart_rate_before);
  g_assert_cmpuint (heart_rate, >=, 59);

  /* the ECG's beat marks, against the beat stream */
  for (guint i = 0; i < frames->len; i++)
    {
      JsonObject *frame = object (frames->pdata[i]);
      JsonArray *marks;

      if (!g_str_equal (json_object_get_string_member (frame, "type"), "ecg"))
        continue;
      marks = json_object_get_array_member (frame, "annotations");
      for (guint k = 0; k < json_array_get_length (marks); k++)
        {
          JsonObject *mark = json_array_get_object_element (marks, k);
          HeartWaveformMark m = { .t_s = json_object_get_double_member (mark, "t_s") };

          g_strlcpy (m.code, json_object_get_string_member (mark, "code"), sizeof m.code);
          if (g_str_equal (m.code, "N") || g_str_equal (m.code, "V") || g_str_equal (m.code, "S"))
            g_array_append_val (annotations, m);
        }
    }
  for (guint i = beats_before; i < f->beats->len; i++)
    {
      const HeartBeat *beat = &g_array_index (f->beats, HeartBeat, i);
      const HeartWaveformMark *mark;

      /* the newest beats' marks may wait for the samples to reach them */
      if (beat_marks == annotations->len)
        break;
      mark = &g_array_index (annotations, HeartWaveformMark, beat_marks++);
      g_assert_cmpfloat_with_epsilon (mark->t_s, beat->t_s, 0.0005 + 1e-9);
      g_assert_cmpstr (mark->code, ==, heart_beat_type_code (beat->type));
      ventricular += beat->type == HEART_BEAT_VENTRICULAR;
    }
  g_assert_cmpuint (beat_marks, ==, annotations->len);
  g_assert_cmpuint (beat_marks, >=, f->beats->len - beats_before - 2);
  g_assert_cmpuint (beat_marks, >=, 40);
  g_assert_cmpuint (ventricular, >=, 1);
  g_test_message ("%u ECG frames, %u PPG frames, %u beats marked (%u V)", ecg_frames, ppg_frames, beat_marks, ventricular);
}

/* Headless serves from fan-out threads (docs/architecture.md, Fan-out):
 * clients in two shards each get every block, whole and in order */
static void
test_websocket_shards (void)
{
  Fixture fixture = { .fanout_threads = 2 }, *f = &fixture;
  HeartSimulator *simulator = heart_simulator_new_manual (42, START_US);
  g_autoptr(TestWebsocket) one = NULL;
  g_autoptr(TestWebsocket) two = NULL;
  g_autoptr(GPtrArray) frames_one = NULL;
  g_autoptr(GPtrArray) frames_two = NULL;
  guint first_block, first_ppg_block;

  heart_simulator_set_channels (simulator, HEART_CHANNEL_MASK_ALL);
  fixture_start (f, simulator, NULL, NULL);
  one = websocket_open (f, "ecg");
  advance (f, 1);
  two = websocket_open (f, "ecg,ppg");
  first_block = f->emitted[HEART_CHANNEL_ECG].blocks->len;
  first_ppg_block = f->emitted[HEART_CHANNEL_PPG].blocks->len;
  ADVANCE_READING (f, 10, one->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len &&
                          two->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block +
                                                f->emitted[HEART_CHANNEL_PPG].blocks->len - first_ppg_block);
  frames_one = websocket_frames (one);
  frames_two = websocket_frames (two);
  g_assert_cmpuint (assert_frames_are_blocks (f, frames_one, HEART_CHANNEL_ECG, 0), >=, 275);
  g_assert_cmpuint (assert_frames_are_blocks (f, frames_two, HEART_CHANNEL_ECG, first_block), ==, 250);
  assert_frames_are_blocks (f, frames_two, HEART_CHANNEL_PPG, first_ppg_block);
  g_clear_pointer (&one, test_websocket_free);
  g_clear_pointer (&two, test_websocket_free);
  fixture_teardown (f, NULL);
}

/* Steps shorter than a sample: blocks of one value or none, and the
 * marks of a block with no value (a beat between two samples) still come,
 * in a frame that starts where the next sample will be */
static void
test_websocket_tiny_blocks (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(TestWebsocket) ws = websocket_open (f, "ecg");
  g_autoptr(GPtrArray) frames = NULL;
  guint marks_alone = 0;

  for (guint step = 0; step < 4000; step++)
    {
      heart_simulator_advance (f->simulator, 0.001);
      if (step % 50 == 49)
        WAIT_FOR (ws->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len);
    }
  WAIT_FOR (ws->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len);
  frames = websocket_frames (ws);
  assert_frames_are_blocks (f, frames, HEART_CHANNEL_ECG, 0);
  for (guint i = 0; i < f->emitted[HEART_CHANNEL_ECG].blocks->len; i++)
    {
      const Block *block = &g_array_index (f->emitted[HEART_CHANNEL_ECG].blocks, Block, i);

      marks_alone += block->n_values == 0 && block->n_marks > 0;
    }
  g_test_message ("%u frames, %u with marks and no value", frames->len, marks_alone);
  g_assert_cmpuint (marks_alone, >=, 1);
}

/* A live simulator: 25 frames a second of each waveform (counted over a
 * bounded stretch of wall time, with room for a loaded machine), the
 * samples contiguous, and the rate's worth of samples */
static void
test_websocket_live (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  gint64 start, elapsed_us;
  guint n_frames = 0, n_values = 0, slowdown = test_slowdown ();
  guint64 next_index = 0;
  double per_second, samples_per_second;

  fixture_start (f, heart_simulator_new (7), NULL, NULL);
  heart_simulator_start (f->simulator);
  ws = websocket_open (f, "ecg");
  start = g_get_monotonic_time ();
  WAIT_FOR (g_get_monotonic_time () - start >= 2 * G_USEC_PER_SEC);
  elapsed_us = g_get_monotonic_time () - start;
  heart_simulator_stop (f->simulator);

  frames = websocket_frames (ws);
  for (guint i = 0; i < frames->len; i++)
    {
      JsonObject *frame = object (frames->pdata[i]);
      guint64 index = json_object_get_int_member (frame, "index");
      guint n = json_array_get_length (json_object_get_array_member (frame, "values"));

      g_assert_cmpstr (json_object_get_string_member (frame, "type"), ==, "ecg");
      g_assert_cmpfloat (json_object_get_double_member (frame, "fs"), ==, 250);
      if (i > 0)
        g_assert_cmpuint (index, ==, next_index);
      next_index = index + n;
      n_frames++;
      n_values += n;
    }
  per_second = n_frames / (elapsed_us / 1e6);
  samples_per_second = n_values / (elapsed_us / 1e6);
  g_test_message ("%u ECG frames in %.3f s: %.1f a second, %.0f samples a second",
                  n_frames, elapsed_us / 1e6, per_second, samples_per_second);
  /* 25 a second, and a tick's own block now and then; a slow machine
   * fires the frame timer late, with bigger blocks */
  g_assert_cmpfloat (per_second, <=, 25 * 1.3);
  g_assert_cmpfloat (per_second, >=, 25 * 0.7 / slowdown);
  g_assert_cmpfloat (samples_per_second, <=, 250 * 1.2);
  g_assert_cmpfloat (samples_per_second, >=, 250 * 0.7 / slowdown);

  fixture_teardown (f, NULL);
}

static guint
count_events (const char *text)
{
  guint n = 0;

  for (const char *p = text; (p = strstr (p, "\n\n")) != NULL; p += 2)
    n++;
  return n;
}

/* SSE /api/stream?types=ecg: the same frames as events (data: lines, no
 * id, as the typed events), the very bytes a WebSocket client gets */
static void
test_sse (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *content_type = NULL;
  g_autoptr(TestSse) sse = NULL;
  g_autoptr(TestWebsocket) ws = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_auto(GStrv) events = NULL;
  guint status = 0, first_block, n_events = 0;

  advance (f, 1);
  sse = test_sse_send (f->session, f->port, "/api/stream?types=ecg", NULL, &status, &content_type);
  g_assert_cmpuint (status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (content_type, ==, "text/event-stream");
  /* the comment line: the server has the client */
  WAIT_FOR (g_str_has_prefix (sse->text->str, ": heartsim\n\n"));
  ws = websocket_open (f, "ecg");
  first_block = f->emitted[HEART_CHANNEL_ECG].blocks->len;

  /* the comment line and an event a block */
  ADVANCE_READING (f, 10, ws->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block &&
                          count_events (sse->text->str) == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block);

  events = g_strsplit (sse->text->str + strlen (": heartsim\n\n"), "\n\n", -1);
  for (guint i = 0; events[i] != NULL && events[i + 1] != NULL; i++)
    {
      /* one data line, nothing else */
      g_assert_true (g_str_has_prefix (events[i], "data: {\"type\":\"ecg\""));
      g_assert_null (strchr (events[i], '\n'));
      g_assert_cmpstr (events[i] + strlen ("data: "), ==, ws->messages->pdata[1 + i]);
      g_ptr_array_add (frames, test_parse_json (events[i] + strlen ("data: ")));
      n_events++;
    }
  g_assert_cmpuint (assert_frames_are_blocks (f, frames, HEART_CHANNEL_ECG, first_block), ==, n_events);
  g_assert_cmpuint (n_events, >=, 250);
}

/* GET /api/waveform: the last N seconds as one frame, from a ring that
 * holds a minute */
static void
test_api_waveform (Fixture       *f,
                   gconstpointer  data)
{
  static const char * const refused[][2] = {
    { "/api/waveform", "type" },
    { "/api/waveform?type=eda", "type" },
    { "/api/waveform?type=ECG", "type" },
    { "/api/waveform?type=nonsense&seconds=5", "type" },
    { "/api/waveform?type=ecg&seconds=0", "seconds" },
    { "/api/waveform?type=ecg&seconds=61", "seconds" },
    { "/api/waveform?type=ecg&seconds=1.5", "seconds" },
    { "/api/waveform?type=ppg&seconds=ten", "seconds" },
    { "/api/waveform?type=ecg&seconds=", "seconds" },
  };
  static const struct { HeartChannelId channel; const char *path; double seconds; } asked[] = {
    { HEART_CHANNEL_ECG, "/api/waveform?type=ecg&seconds=10", 10 },
    { HEART_CHANNEL_ECG, "/api/waveform?type=ecg", 10 },   /* the default */
    { HEART_CHANNEL_PPG, "/api/waveform?type=ppg&seconds=3", 3 },
    { HEART_CHANNEL_ECG, "/api/waveform?type=ecg&seconds=60", 60 },   /* all there is: 20 s */
  };
  g_autoptr(JsonNode) empty = NULL;

  /* before any sample: nothing, at the rate it will come */
  empty = get_json (f, "/api/waveform?type=ecg", SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (empty), "values")), ==, 0);
  g_assert_true (json_node_is_null (json_object_get_member (object (empty), "t0")));
  g_assert_true (json_node_is_null (json_object_get_member (object (empty), "index")));
  g_assert_cmpfloat (json_object_get_double_member (object (empty), "fs"), ==, 250);
  g_assert_cmpstr (json_object_get_string_member (object (empty), "unit"), ==, "mV");

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(JsonNode) answer = get_json (f, refused[i][0], SOUP_STATUS_UNPROCESSABLE_ENTITY);

      assert_refused_at (answer, refused[i][1]);
    }

  advance (f, 20);
  for (gsize i = 0; i < G_N_ELEMENTS (asked); i++)
    {
      Emitted *emitted = &f->emitted[asked[i].channel];
      g_autoptr(JsonNode) answer = get_json (f, asked[i].path, SOUP_STATUS_OK);
      guint n = MIN (emitted->values->len, (guint) lround (asked[i].seconds * emitted->fs_hz));
      const Block *first = &g_array_index (emitted->blocks, Block, 0);
      guint64 index = first->first_index + emitted->values->len - n;
      double t0_s = index / emitted->fs_hz;
      guint marks_at = 0;

      g_test_message ("%s", asked[i].path);
      while (marks_at < emitted->marks->len && g_array_index (emitted->marks, HeartWaveformMark, marks_at).t_s < t0_s)
        marks_at++;
      assert_frame_holds (f, answer, asked[i].channel, index, emitted->values->len - n, n,
                          marks_at, emitted->marks->len - marks_at);
      /* a beat a second or so */
      g_assert_cmpuint (emitted->marks->len - marks_at, >=, (guint) (n / emitted->fs_hz * 40 / 60));
    }

  /* a minute at most: the ring does not grow */
  advance (f, 50);
  {
    Emitted *emitted = &f->emitted[HEART_CHANNEL_ECG];
    g_autoptr(JsonNode) answer = get_json (f, "/api/waveform?type=ecg&seconds=60", SOUP_STATUS_OK);
    guint n = 60 * 250;
    guint64 index = g_array_index (emitted->blocks, Block, 0).first_index + emitted->values->len - n;
    guint marks_at = 0;

    while (g_array_index (emitted->marks, HeartWaveformMark, marks_at).t_s < index / 250.0)
      marks_at++;
    assert_frame_holds (f, answer, HEART_CHANNEL_ECG, index, emitted->values->len - n, n,
                        marks_at, emitted->marks->len - marks_at);
  }

  /* another rate: the ring starts again, at it */
  {
    g_autoptr(JsonNode) set = post_json (f, "/simulation/waveform?ecg_rate_hz=500", SOUP_STATUS_OK);
    g_autoptr(JsonNode) answer = NULL;
    Emitted *emitted = &f->emitted[HEART_CHANNEL_ECG];
    guint blocks_before = emitted->blocks->len;
    const Block *first;

    advance (f, 2);
    first = &g_array_index (emitted->blocks, Block, blocks_before);
    answer = get_json (f, "/api/waveform?type=ecg&seconds=10", SOUP_STATUS_OK);
    g_assert_cmpfloat (json_object_get_double_member (object (answer), "fs"), ==, 500);
    g_assert_cmpuint (json_object_get_int_member (object (answer), "index"), ==, first->first_index);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (answer), "values")), ==,
                      emitted->values->len - first->values_at);
  }
}

/* A live simulation at ten times real time: a second of wall clock holds
 * ten of samples, so GET /api/waveform's t0 is of its first sample's own
 * block, not the newest block's less the rate's time */
static void
test_api_waveform_speed (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(GError) error = NULL;
  Emitted *emitted;
  guint inside_block = 0;
  gint64 start;

  fixture_start (f, heart_simulator_new (3), NULL, NULL);
  heart_simulator_set_speed (f->simulator, 10, &error);
  g_assert_no_error (error);
  heart_simulator_start (f->simulator);
  start = g_get_monotonic_time ();
  WAIT_FOR (g_get_monotonic_time () - start >= G_USEC_PER_SEC);
  heart_simulator_stop (f->simulator);
  emitted = &f->emitted[HEART_CHANNEL_ECG];
  g_assert_cmpuint (emitted->values->len, >=, 9 * 250);
  for (guint seconds = 1; seconds <= 9; seconds++)
    {
      g_autofree char *path = g_strdup_printf ("/api/waveform?type=ecg&seconds=%u", seconds);
      g_autoptr(JsonNode) answer = get_json (f, path, SOUP_STATUS_OK);
      guint64 index = json_object_get_int_member (object (answer), "index");
      const Block *block = NULL;
      gint64 want_us;

      for (guint i = 0; i < emitted->blocks->len; i++)
        {
          const Block *b = &g_array_index (emitted->blocks, Block, i);

          if (b->first_index <= index && index < b->first_index + b->n_values)
            block = b;
        }
      g_assert_nonnull (block);
      /* 4 ms of samples at 250 Hz pass in 0.4 ms at ten times */
      want_us = block->t0_us + (gint64) ((index - block->first_index) * G_USEC_PER_SEC / 250.0 / 10);
      g_assert_cmpint (llabs (iso_to_us (json_object_get_string_member (object (answer), "t0")) - want_us), <=, 1500);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (answer), "values")), ==,
                        seconds * 250);
      inside_block += index > block->first_index;
    }
  /* the answers began inside a block, not only at one's start */
  g_assert_cmpuint (inside_block, >=, 1);
  fixture_teardown (f, NULL);
}

/* GET /simulation/waveform and POST: the fields given change, the others
 * stay; a bad field is a 422 naming it, and nothing changes */
static void
test_settings (Fixture       *f,
               gconstpointer  data)
{
  static const char * const members[] = {
    "ecg_rate_hz", "ppg_rate_hz", "noise", "powerline_hz", "pvc_per_hour", "pac_per_hour", "lead_off_per_hour", NULL,
  };
  static const char * const refused[][2] = {
    { "ecg_rate_hz=2000", "ecg_rate_hz" },
    { "ecg_rate_hz=100", "ecg_rate_hz" },
    { "ppg_rate_hz=abc", "ppg_rate_hz" },
    { "noise=hum", "noise" },
    { "noise=muscle,hum", "noise" },
    { "powerline_hz=55", "powerline_hz" },
    { "powerline_hz=70", "powerline_hz" },
    { "pvc_per_hour=-1", "pvc_per_hour" },
    { "pac_per_hour=nan", "pac_per_hour" },
    { "lead_off_per_hour=5000", "lead_off_per_hour" },
    /* a good field beside a bad one changes nothing either */
    { "pvc_per_hour=30&noise=hum", "noise" },
    { "ecg_rate_hz=500&lead_off_per_hour=inf", "lead_off_per_hour" },
  };
  g_autoptr(JsonNode) defaults = get_json (f, "/simulation/waveform", SOUP_STATUS_OK);
  g_autoptr(JsonNode) set = NULL;
  g_autoptr(JsonNode) read = NULL;
  HeartWaveformSettings settings, before;

  g_assert_true (has_exactly_members (object (defaults), members));
  g_assert_cmpfloat (json_object_get_double_member (object (defaults), "ecg_rate_hz"), ==, 250);
  g_assert_cmpfloat (json_object_get_double_member (object (defaults), "ppg_rate_hz"), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (object (defaults), "noise"), ==, "");
  g_assert_cmpfloat (json_object_get_double_member (object (defaults), "powerline_hz"), ==, 50);
  g_assert_cmpfloat (json_object_get_double_member (object (defaults), "pvc_per_hour"), ==, 0);

  set = post_json (f, "/simulation/waveform?pvc_per_hour=60&noise=muscle,powerline&powerline_hz=60", SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (object (set), "status"), ==, "waveform_set");
  heart_simulator_get_waveform_settings (f->simulator, &settings);
  g_assert_cmpfloat (settings.pvc_per_hour, ==, 60);
  g_assert_cmpint (settings.noise, ==, HEART_WAVEFORM_NOISE_MUSCLE | HEART_WAVEFORM_NOISE_POWERLINE);
  g_assert_cmpfloat (settings.powerline_hz, ==, 60);
  /* the others kept */
  g_assert_cmpfloat (settings.ecg_rate_hz, ==, 250);
  g_assert_cmpfloat (settings.pac_per_hour, ==, 0);
  read = get_json (f, "/simulation/waveform", SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (object (read), "noise"), ==, "powerline,muscle");
  g_assert_cmpfloat (json_object_get_double_member (object (read), "pvc_per_hour"), ==, 60);
  g_assert_cmpfloat (json_object_get_double_member (object (read), "powerline_hz"), ==, 60);
  g_assert_cmpfloat (json_object_get_double_member (object (read), "lead_off_per_hour"), ==, 0);
  g_clear_pointer (&set, json_node_unref);
  set = post_json (f, "/simulation/waveform?noise=none&ecg_rate_hz=1000&lead_off_per_hour=12.5", SOUP_STATUS_OK);
  heart_simulator_get_waveform_settings (f->simulator, &settings);
  g_assert_cmpint (settings.noise, ==, HEART_WAVEFORM_NOISE_NONE);
  g_assert_cmpfloat (settings.ecg_rate_hz, ==, 1000);
  g_assert_cmpfloat (settings.lead_off_per_hour, ==, 12.5);
  g_assert_cmpfloat (settings.pvc_per_hour, ==, 60);

  heart_simulator_get_waveform_settings (f->simulator, &before);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *path = g_strdup_printf ("/simulation/waveform?%s", refused[i][0]);
      g_autoptr(JsonNode) answer = post_json (f, path, SOUP_STATUS_UNPROCESSABLE_ENTITY);

      g_test_message ("%s", path);
      assert_refused_at (answer, refused[i][1]);
      heart_simulator_get_waveform_settings (f->simulator, &settings);
      g_assert_cmpmem (&settings, sizeof settings, &before, sizeof before);
    }
}

/* Beyond loopback a POST needs the bearer token, as every other */
static void
test_settings_token (void)
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(TestReply) refused = NULL;
  g_autoptr(TestReply) taken = NULL;
  g_autoptr(TestReply) read = NULL;
  HeartWaveformSettings settings;

  fixture_start (f, heart_simulator_new_manual (1, START_US), "0.0.0.0", "s3cret");
  refused = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/waveform?pvc_per_hour=60", NULL);
  g_assert_cmpuint (test_reply_status (refused), ==, SOUP_STATUS_UNAUTHORIZED);
  heart_simulator_get_waveform_settings (f->simulator, &settings);
  g_assert_cmpfloat (settings.pvc_per_hour, ==, 0);
  taken = test_request (f->session, SOUP_METHOD_POST, f->port, "/simulation/waveform?pvc_per_hour=60",
                        "Authorization", "Bearer s3cret", NULL);
  g_assert_cmpuint (test_reply_status (taken), ==, SOUP_STATUS_OK);
  heart_simulator_get_waveform_settings (f->simulator, &settings);
  g_assert_cmpfloat (settings.pvc_per_hour, ==, 60);
  /* reading stays open */
  read = test_request (f->session, SOUP_METHOD_GET, f->port, "/simulation/waveform", NULL);
  g_assert_cmpuint (test_reply_status (read), ==, SOUP_STATUS_OK);
  fixture_teardown (f, NULL);
}

/* While a replay is served: 409 as the other commands of the simulation,
 * the channels' default rates, and no waveform left of the simulation */
static void
test_settings_replay (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *switch_path = NULL;
  g_autoptr(GString) rows = g_string_new ("time_s,rr_ms\n");
  g_autoptr(JsonNode) replay = NULL;
  g_autoptr(JsonNode) get = NULL;
  g_autoptr(JsonNode) post = NULL;
  g_autoptr(JsonNode) channels = NULL;
  g_autoptr(JsonNode) waveform = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) rate = NULL;
  HeartWaveformSettings settings;

  rate = post_json (f, "/simulation/waveform?ecg_rate_hz=500", SOUP_STATUS_OK);
  advance (f, 2);
  f->folder = g_dir_make_tmp ("heartsim-waveform-XXXXXX", &error);
  g_assert_no_error (error);
  csv = g_build_filename (f->folder, "rr.csv", NULL);
  for (guint i = 1; i <= 100; i++)
    g_string_append_printf (rows, "%.3f,800\n", i * 0.8);
  g_assert_true (g_file_set_contents (csv, rows->str, -1, NULL));
  escaped = g_uri_escape_string (csv, NULL, FALSE);
  switch_path = g_strdup_printf ("/source?kind=replay&file=%s", escaped);
  replay = post_json (f, switch_path, SOUP_STATUS_OK);

  get = get_json (f, "/simulation/waveform", SOUP_STATUS_CONFLICT);
  g_assert_cmpstr (json_object_get_string_member (object (get), "detail"), ==,
                   "the source is a replay, not the simulation: POST /source?kind=simulator first");
  post = post_json (f, "/simulation/waveform?pvc_per_hour=60", SOUP_STATUS_CONFLICT);
  heart_simulator_get_waveform_settings (f->simulator, &settings);
  g_assert_cmpfloat (settings.pvc_per_hour, ==, 0);
  channels = get_json (f, "/api/channels", SOUP_STATUS_OK);
  g_assert_cmpfloat (json_object_get_double_member (find_channel (channels, "ecg"), "rate_hz"), ==, 250);
  waveform = get_json (f, "/api/waveform?type=ecg", SOUP_STATUS_OK);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object (waveform), "values")), ==, 0);

  back = post_json (f, "/source?kind=simulator", SOUP_STATUS_OK);
  again = get_json (f, "/simulation/waveform", SOUP_STATUS_OK);
  g_assert_cmpfloat (json_object_get_double_member (object (again), "ecg_rate_hz"), ==, 500);
}

/* What clients get without naming a waveform: no waveform values, on any
 * stream; GET /api/history has none either */
static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GString) others = g_string_new (NULL);
  g_autofree char *typed_path = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(TestWebsocket) seed = NULL;
  g_autoptr(TestWebsocket) typed = NULL;
  g_autoptr(TestSse) seed_sse = NULL;
  g_autoptr(TestSse) typed_sse = NULL;
  g_autoptr(JsonNode) history = NULL;
  g_autoptr(JsonNode) samples = NULL;
  guint status = 0, samples_before;

  heart_server_set_sse_interval_ms (f->server, 1);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (heart_channel_get (c)->kind != HEART_CHANNEL_KIND_WAVEFORM)
      g_string_append_printf (others, "%s%s", others->len > 0 ? "," : "", heart_channel_get (c)->name);
  typed_path = g_strdup_printf ("/api/stream?types=%s", others->str);
  seed = test_websocket_new (f->session, f->port);
  typed = websocket_open (f, others->str);
  seed_sse = test_sse_send (f->session, f->port, "/api/stream", NULL, &status, &content_type);
  g_clear_pointer (&content_type, g_free);
  typed_sse = test_sse_send (f->session, f->port, typed_path, NULL, &status, &content_type);
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2 && heart_server_get_sse_clients (f->server) == 2);
  samples_before = f->values[HEART_CHANNEL_HEART_RATE];

  /* every sample reached every client, and the typed streams' values */
  ADVANCE_READING (f, 10, seed->messages->len == 1 + heart_simulator_get_current_sample (f->simulator)->seq &&
                          (g_free (latest), latest = g_strdup_printf ("\"seq\":%" G_GUINT64_FORMAT ",",
                                                                      heart_simulator_get_current_sample (f->simulator)->seq),
                           strstr (seed_sse->text->str, latest) != NULL));
  g_assert_cmpuint (f->emitted[HEART_CHANNEL_ECG].blocks->len, >=, 250);
  WAIT_FOR (typed->messages->len > 250 && count_events (typed_sse->text->str) > 250);
  g_assert_cmpuint (f->values[HEART_CHANNEL_HEART_RATE] - samples_before, >=, 10);

  for (guint i = 0; i < seed->messages->len; i++)
    g_assert_null (strstr (seed->messages->pdata[i], "\"ecg\""));
  for (guint i = 1; i < typed->messages->len; i++)
    {
      g_assert_null (strstr (typed->messages->pdata[i], "\"type\":\"ecg\""));
      g_assert_null (strstr (typed->messages->pdata[i], "\"type\":\"ppg\""));
    }
  g_assert_null (strstr (seed_sse->text->str, "ecg"));
  g_assert_null (strstr (typed_sse->text->str, "\"type\":\"ecg\""));
  g_assert_null (strstr (typed_sse->text->str, "\"type\":\"ppg\""));

  /* the session's connections to the host are the streams' */
  g_clear_pointer (&seed_sse, test_sse_free);
  g_clear_pointer (&typed_sse, test_sse_free);

  /* the histories: the samples have no waveform field, and a waveform
   * has no channel history (its last minute is GET /api/waveform) */
  samples = get_json (f, "/api/history?limit=10", SOUP_STATUS_OK);
  {
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autofree char *text = NULL;

    json_generator_set_root (generator, samples);
    text = json_generator_to_data (generator, NULL);
    g_assert_null (strstr (text, "ecg"));
    g_assert_null (strstr (text, "ppg"));
  }
  history = get_json (f, "/api/history?type=ecg", SOUP_STATUS_UNPROCESSABLE_ENTITY);
  assert_refused_at (history, "type");
}

/* The OpenAPI document and the /docs page have the waveforms' paths */
static void
test_docs (Fixture       *f,
           gconstpointer  data)
{
  static const char * const paths[] = { "/api/waveform", "/simulation/waveform", NULL };
  g_autoptr(JsonNode) openapi = get_json (f, "/openapi.json", SOUP_STATUS_OK);
  g_autoptr(TestReply) page = test_request (f->session, SOUP_METHOD_GET, f->port, "/docs", NULL);
  g_autofree char *html = test_reply_text (page);
  JsonObject *documented = json_object_get_object_member (object (openapi), "paths");
  JsonObject *schemas = json_object_get_object_member (json_object_get_object_member (object (openapi), "components"),
                                                       "schemas");

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_assert_true (json_object_has_member (documented, paths[i]));
      g_assert_nonnull (strstr (html, paths[i]));
    }
  g_assert_true (json_object_has_member (json_object_get_object_member (documented, "/simulation/waveform"), "post"));
  g_assert_true (json_object_has_member (schemas, "WaveformFrame"));
  g_assert_true (json_object_has_member (schemas, "WaveformSettings"));
}

/* ---- a client that stops reading ------------------------------------------------ */

/* A waveform client that stops reading is dropped with 1008 once its
 * queue is full or stuck, never buffered without end; one that reads goes
 * on, missing nothing */
static void
test_slow_client (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(TestWebsocket) good = NULL;
  g_autoptr(GSocket) stalled = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GPtrArray) frames = NULL;
  guint first_block, steps = 0;

  heart_server_set_stall_timeout_ms (f->server, 200);
  good = websocket_open (f, "ecg");
  stalled = stalled_websocket_new (f->port, "/ws/stream?types=ecg");
  WAIT_FOR (heart_server_get_websocket_clients (f->server) == 2);
  first_block = f->emitted[HEART_CHANNEL_ECG].blocks->len;

  /* a second of ECG a step, some 1.5 KB a frame */
  while (heart_server_get_websocket_clients (f->server) == 2)
    {
      g_assert_cmpuint (steps, <, 5000);
      heart_simulator_advance (f->simulator, 1.0);
      steps++;
      WAIT_FOR (good->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block);
    }
  g_test_message ("the stalled client was dropped after %u frames", steps);

  ADVANCE_READING (f, 2, good->messages->len == 1 + f->emitted[HEART_CHANNEL_ECG].blocks->len - first_block);
  frames = websocket_frames (good);
  assert_frames_are_blocks (f, frames, HEART_CHANNEL_ECG, first_block);
  g_assert_false (good->closed);
  WAIT_FOR (drain_for_close (stalled, seen, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/waveform-server/channels", test_channels);
  ADD ("/waveform-server/websocket", test_websocket);
  g_test_add_func ("/waveform-server/websocket-shards", test_websocket_shards);
  ADD ("/waveform-server/websocket-tiny-blocks", test_websocket_tiny_blocks);
  g_test_add_func ("/waveform-server/websocket-live", test_websocket_live);
  ADD ("/waveform-server/sse", test_sse);
  ADD ("/waveform-server/api-waveform", test_api_waveform);
  g_test_add_func ("/waveform-server/api-waveform-speed", test_api_waveform_speed);
  ADD ("/waveform-server/settings", test_settings);
  g_test_add_func ("/waveform-server/settings-token", test_settings_token);
  ADD ("/waveform-server/settings-replay", test_settings_replay);
  ADD ("/waveform-server/defaults", test_defaults);
  ADD ("/waveform-server/slow-client", test_slow_client);
  ADD ("/waveform-server/docs", test_docs);
#undef ADD

  return g_test_run ();
}
