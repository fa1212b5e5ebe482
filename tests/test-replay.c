/* test-replay.c: recordings and CSVs of other tools played back as a source
 *
 * On a manual clock, except the timing test, which runs the real clock at
 * speed 1000 and checks the schedule against the monotonic clock, and
 * `heartsim --headless --seek` past a file's end, run to its exit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "heart-hrv.h"
#include "heart-recorder.h"
#include "heart-simulator.h"
#include "test-headless-util.h"
#include "test-replay-util.h"

#define START_US G_GINT64_CONSTANT (1767961696000000)   /* 2026-01-09T12:28:16Z */
#define TICK_S 0.5

/* @ticks of a seeded simulation recorded to @name; the simulator's own
 * samples and beats go to @samples and @beats when given */
static char *
record (TestReplayFixture   *f,
        const char          *name,
        HeartRecorderFormat  format,
        guint                ticks,
        GArray              *samples,
        GArray              *beats)
{
  g_autoptr(HeartSimulator) simulator = NULL;
  g_autoptr(HeartRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  HeartWaveformSettings settings = HEART_WAVEFORM_SETTINGS_DEFAULT;
  char *path = g_build_filename (f->folder, name, NULL);
  TestReplayFixture own = {
    .samples = samples, .beats = beats, .arrivals = g_array_new (FALSE, FALSE, sizeof (gint64)),
  };

  simulator = g_object_new (HEART_TYPE_SIMULATOR, "seed", (guint64) 11, "manual-clock", TRUE,
                            "start-time", START_US, "running", TRUE, NULL);
  if (samples != NULL)
    g_signal_connect (simulator, "sample", G_CALLBACK (test_replay_on_sample), &own);
  if (beats != NULL)
    g_signal_connect (simulator, "beat", G_CALLBACK (test_replay_on_beat), &own);
  /* premature beats, so that beat types are recorded too */
  settings.pvc_per_hour = 600;
  settings.pac_per_hour = 600;
  g_assert_true (heart_simulator_set_waveform_settings (simulator, &settings, NULL));
  recorder = g_object_new (HEART_TYPE_RECORDER, "source", simulator, "path", path, "format", format, NULL);
  g_assert_true (heart_recorder_start (recorder, &error));
  g_assert_no_error (error);
  /* a scenario, so that labels are recorded too */
  heart_simulator_trigger_stress (simulator, 0.8, NULL);
  for (guint i = 0; i < ticks; i++)
    heart_simulator_advance (simulator, TICK_S);
  g_assert_true (heart_recorder_stop (recorder, &error));
  g_array_unref (own.arrivals);
  return path;
}

static void
assert_same_samples (const HeartSample *a,
                     const HeartSample *b)
{
  g_assert_cmpuint (a->seq, ==, b->seq);
  g_assert_cmpint (a->bpm, ==, b->bpm);
  g_assert_cmpfloat_with_epsilon (a->rr_ms, b->rr_ms, 0.051);
  g_assert_cmpfloat_with_epsilon (a->rmssd_ms, b->rmssd_ms, 0.051);
  g_assert_cmpfloat_with_epsilon (a->variability, b->variability, 0.0006);
  g_assert_cmpfloat_with_epsilon (a->stress_level, b->stress_level, 0.0006);
  g_assert_cmpuint (a->baseline_bpm, ==, b->baseline_bpm);
  g_assert_cmpint (a->event_active, ==, b->event_active);
  g_assert_cmpstr (a->condition, ==, b->condition);
  g_assert_cmpint (a->timestamp_us / 1000, ==, b->timestamp_us / 1000);
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      const HeartChannel *channel = heart_channel_get (c);

      if (channel->kind == HEART_CHANNEL_KIND_PERIODIC && channel->sample_field == NULL)
        g_assert_cmpfloat_with_epsilon (a->channels[c], b->channels[c], 0.51 * pow (10, -channel->decimals));
    }
}

/* What HeartRecorder wrote plays back as the same samples and beats, in
 * the same order, with their original timestamps */
static void
test_recording_replays (TestReplayFixture *f,
                        gconstpointer      data)
{
  HeartRecorderFormat format = GPOINTER_TO_INT (data);
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  g_autoptr(GArray) beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  g_autofree char *path = record (f, format == HEART_RECORDER_CSV ? "r.csv" : "r.jsonl", format, 600,
                                  samples, beats);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE,
                                                    "speed", 1000.0, NULL);
  guint premature = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (heart_source_get_kind (HEART_SOURCE (replay)), ==, "replay");
  g_assert_cmpstr (heart_replay_get_detected (replay), ==,
                   format == HEART_RECORDER_CSV ? "Heartsim recording (CSV)" : "Heartsim recording (JSON Lines)");
  g_assert_cmpuint (heart_source_get_interval_ms (HEART_SOURCE (replay)), ==, 1);  /* 500 ms / 1000 */
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 0);

  g_assert_cmpuint (f->samples->len, ==, samples->len);
  for (guint i = 0; i < samples->len; i++)
    assert_same_samples (&g_array_index (f->samples, HeartSample, i), &g_array_index (samples, HeartSample, i));
  g_assert_cmpuint (f->beats->len, ==, beats->len);
  for (guint i = 0; i < beats->len; i++)
    {
      HeartBeat *got = &g_array_index (f->beats, HeartBeat, i);
      HeartBeat *want = &g_array_index (beats, HeartBeat, i);

      g_assert_cmpfloat_with_epsilon (got->rr_ms, want->rr_ms, 0.051);
      g_assert_cmpint (got->timestamp_us / 1000, ==, want->timestamp_us / 1000);
      g_assert_cmpstr (got->condition, ==, want->condition);
      g_assert_cmpint (got->type, ==, want->type);
      premature += want->type != HEART_BEAT_NORMAL;
    }
  g_assert_cmpuint (premature, >, 0);
  /* and the channel values of each tick */
  g_assert_cmpuint (f->values, >=, samples->len * 4);
}

/* seek: from an offset into the file; loop: again, after the end, with
 * time and timestamps running on */
static void
test_seek_and_loop (TestReplayFixture *f,
                    gconstpointer      data)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  g_autofree char *path = record (f, "r.jsonl", HEART_RECORDER_JSONL, 40, samples, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE,
                                                    "seek-s", 10.0, "speed", 10.0, NULL);

  g_assert_no_error (error);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  /* 0.4 s of the file: one sample, wherever the 500 ms grid falls */
  heart_replay_advance (replay, 0.04);
  g_assert_cmpuint (f->samples->len, ==, 1);
  /* the first sample at or after 10 s into the file: the 20th or 21st tick,
   * as the file starts with the first beat */
  g_assert_cmpuint (g_array_index (f->samples, HeartSample, 0).seq, >=, 20);
  g_assert_cmpuint (g_array_index (f->samples, HeartSample, 0).seq, <=, 21);
  g_assert_cmpfloat (g_array_index (f->samples, HeartSample, 0).t_s, >=, 10.0);
  g_assert_cmpfloat (heart_replay_get_position (replay), <, 10.5);

  /* a seek past the end changes nothing */
  g_assert_false (heart_replay_seek (replay, 3600, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK);
  g_assert_nonnull (strstr (error->message, "r.jsonl"));
  g_clear_error (&error);

  g_array_set_size (f->samples, 0);
  g_assert_true (heart_replay_seek (replay, 0, &error));
  heart_replay_set_loop (replay, TRUE);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  /* 20 s of the file in 2 s at speed 10 is the file once; 6 s, three times */
  heart_replay_advance (replay, 6.0);
  g_assert_true (heart_source_get_running (HEART_SOURCE (replay)));
  g_assert_cmpuint (f->samples->len, >=, 3 * samples->len - 2);
  for (guint i = 1; i < f->samples->len; i++)
    {
      HeartSample *a = &g_array_index (f->samples, HeartSample, i - 1);
      HeartSample *b = &g_array_index (f->samples, HeartSample, i);

      g_assert_cmpfloat (b->t_s, >, a->t_s);
      g_assert_cmpint (b->timestamp_us, >, a->timestamp_us);
      /* the same file again: the same values */
      g_assert_cmpint (b->bpm, ==, g_array_index (samples, HeartSample, i % samples->len).bpm);
    }
}

static void
on_sample_position (HeartReplay       *replay,
                    const HeartSample *sample,
                    GArray            *positions)
{
  double position = heart_replay_get_position (replay);

  g_array_append_vals (positions, &position, 1);
}

/* A JSON Lines recording of the seeded simulation, with the samples and
 * beats it was made of */
typedef struct
{
  char   *path;
  GArray *samples;          /* HeartSample */
  GArray *beats;            /* HeartBeat */
  double  length;           /* from its first line to its last, as the file has them */
} Recording;

static void
recording_clear (Recording *r)
{
  g_free (r->path);
  g_clear_pointer (&r->samples, g_array_unref);
  g_clear_pointer (&r->beats, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Recording, recording_clear)

/* @ticks of it (500 ms each) in @name */
static void
recording_make (Recording         *r,
                TestReplayFixture *f,
                const char        *name,
                guint              ticks)
{
  double first = G_MAXDOUBLE, last = -G_MAXDOUBLE;

  r->samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  r->beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  r->path = record (f, name, HEART_RECORDER_JSONL, ticks, r->samples, r->beats);
  for (guint i = 0; i < r->samples->len; i++)
    {
      first = MIN (first, g_array_index (r->samples, HeartSample, i).t_s);
      last = MAX (last, g_array_index (r->samples, HeartSample, i).t_s);
    }
  for (guint i = 0; i < r->beats->len; i++)
    {
      first = MIN (first, g_array_index (r->beats, HeartBeat, i).t_s);
      last = MAX (last, g_array_index (r->beats, HeartBeat, i).t_s);
    }
  /* written to the millisecond */
  r->length = (round (last * 1000) - round (first * 1000)) / 1000;
}

/* Looping at speed 1000, the position is where in the file the replay is:
 * within [0, its length] pass after pass, back at the first sample's place
 * at each pass (docs/replay.md, "Timing") */
static void
test_loop_position (TestReplayFixture *f,
                    gconstpointer      data)
{
  g_auto(Recording) r = { 0 };
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  double first_sample;
  guint passes = 1;

  recording_make (&r, f, "loop.jsonl", 40);
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, "speed", 1000.0, "loop", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_cmpfloat (r.length, >, 19);
  g_signal_connect (replay, "sample", G_CALLBACK (on_sample_position), positions);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  /* 0.7 s of the file a step, samples and the gaps between passes alike */
  for (guint i = 0; i < 300; i++)
    {
      double position;

      heart_replay_advance (replay, 0.0007);
      position = heart_replay_get_position (replay);
      g_assert_cmpfloat (position, >=, 0);
      g_assert_cmpfloat (position, <=, r.length + 1e-9);
    }
  g_assert_true (heart_source_get_running (HEART_SOURCE (replay)));

  first_sample = g_array_index (positions, double, 0);
  g_assert_cmpfloat (first_sample, <, TICK_S);
  for (guint i = 1; i < positions->len; i++)
    {
      double before = g_array_index (positions, double, i - 1);
      double position = g_array_index (positions, double, i);

      g_assert_cmpfloat (position, >=, 0);
      g_assert_cmpfloat (position, <=, r.length + 1e-9);
      if (position < before)
        {
          /* a new pass: from the start again, every sample of the file in each */
          g_assert_cmpfloat_with_epsilon (position, first_sample, 1e-9);
          g_assert_cmpuint (i % r.samples->len, ==, 0);
          passes++;
        }
      else
        g_assert_cmpuint (i % r.samples->len, !=, 0);
    }
  /* 210 s of a 20 s file */
  g_assert_cmpuint (passes, >=, 10);
}

/* Paused in the gap between two passes, a looping replay goes on from where
 * it was: the next pass at the file's pace, not all at once */
static void
test_loop_pause_between_passes (TestReplayFixture *f,
                                gconstpointer      data)
{
  g_auto(Recording) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  recording_make (&r, f, "loop.jsonl", 40);
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, "loop", TRUE, NULL);
  g_assert_no_error (error);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  /* the whole file, and 50 ms of the interval before the next pass */
  heart_replay_advance (replay, r.length + 0.05);
  g_assert_cmpuint (f->samples->len, ==, r.samples->len);
  g_assert_cmpfloat_with_epsilon (heart_replay_get_position (replay), r.length, 1e-9);

  heart_source_set_running (HEART_SOURCE (replay), FALSE);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  g_assert_cmpfloat_with_epsilon (heart_replay_get_position (replay), r.length, 1e-9);
  /* the next pass's first beat is one interval (500 ms) after the last
   * item played */
  heart_replay_advance (replay, 0.45);
  g_assert_cmpuint (f->samples->len, ==, r.samples->len);
  g_assert_cmpuint (f->beats->len, ==, r.beats->len);
  heart_replay_advance (replay, r.length);
  g_assert_cmpuint (f->samples->len, <, 2 * r.samples->len);
  heart_replay_advance (replay, 0.1);
  g_assert_cmpuint (f->samples->len, ==, 2 * r.samples->len);
}

/* A seek past the end is refused, naming the file and its length: when it
 * is opened (--seek, even with --loop: a seek does not wrap), and while it
 * plays, which then goes on from where it was */
static void
test_seek_past_the_end (TestReplayFixture *f,
                        gconstpointer      data)
{
  g_auto(Recording) r = { 0 };
  g_autofree char *csv = test_replay_write_file (f, "hr.csv", "time,bpm\n0,60\n1,61\n2.5,62\n", -1);
  g_autofree char *expected_csv = g_strdup_printf ("cannot seek to 2.6 s in %s: it lasts 2.500 s", csv);
  g_autofree char *lasts = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  double position;

  recording_make (&r, f, "r.jsonl", 40);
  lasts = g_strdup_printf ("in %s: it lasts %.3f s", r.path, r.length);
  expected = g_strdup_printf ("cannot seek to 3600 s %s", lasts);
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, "seek-s", 3600.0, "loop", TRUE, NULL);
  g_assert_null (replay);
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  replay = test_replay_open (f, &error, "path", csv, "manual-clock", TRUE, "seek-s", 2.6, NULL);
  g_assert_null (replay);
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK);
  g_assert_cmpstr (error->message, ==, expected_csv);
  g_clear_error (&error);

  /* to the end itself: its last line */
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, "seek-s", r.length, NULL);
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->samples->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (heart_replay_get_position (replay), r.length, 1e-9);
  g_clear_object (&replay);

  /* while playing: refused, and the replay is where it was */
  g_array_set_size (f->samples, 0);
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  heart_replay_advance (replay, 5.0);
  position = heart_replay_get_position (replay);
  g_assert_false (heart_replay_seek (replay, r.length + 0.01, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK);
  g_assert_true (g_str_has_suffix (error->message, lasts));
  g_clear_error (&error);
  g_assert_true (heart_source_get_running (HEART_SOURCE (replay)));
  g_assert_cmpfloat (heart_replay_get_position (replay), ==, position);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->samples->len, ==, r.samples->len);
}

/* A seek refused while looping leaves the replay in its pass: time and
 * timestamps run on, nothing is played twice; between two passes too */
static void
test_seek_past_the_end_looping (TestReplayFixture *f,
                                gconstpointer      data)
{
  g_auto(Recording) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  recording_make (&r, f, "r.jsonl", 40);
  replay = test_replay_open (f, &error, "path", r.path, "manual-clock", TRUE, "loop", TRUE, NULL);
  g_assert_no_error (error);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  /* in the second pass, then between the second and the third */
  heart_replay_advance (replay, r.length + 5.0);
  g_assert_false (heart_replay_seek (replay, 3600, &error));
  g_clear_error (&error);
  /* the file ends with a sample: its last */
  for (guint i = 0; i < 5000 && f->samples->len < 2 * r.samples->len; i++)
    heart_replay_advance (replay, 0.01);
  g_assert_cmpuint (f->samples->len, ==, 2 * r.samples->len);
  g_assert_false (heart_replay_seek (replay, 3600, &error));
  g_clear_error (&error);
  heart_replay_advance (replay, 10.0);
  g_assert_true (heart_source_get_running (HEART_SOURCE (replay)));
  g_assert_cmpuint (f->samples->len, >, 2 * r.samples->len + 10);

  for (guint i = 1; i < f->samples->len; i++)
    {
      const HeartSample *a = &g_array_index (f->samples, HeartSample, i - 1);
      const HeartSample *b = &g_array_index (f->samples, HeartSample, i);

      g_assert_cmpfloat (b->t_s, >, a->t_s);
      g_assert_cmpint (b->timestamp_us, >, a->timestamp_us);
      g_assert_cmpint (b->bpm, ==, g_array_index (r.samples, HeartSample, i % r.samples->len).bpm);
    }
  for (guint i = 1; i < f->beats->len; i++)
    g_assert_cmpfloat (g_array_index (f->beats, HeartBeat, i).t_s, >, g_array_index (f->beats, HeartBeat, i - 1).t_s);
}

/* With on-error stop, a bad line before the offset is what the seek says */
static void
test_seek_past_a_bad_line (TestReplayFixture *f,
                           gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "bad.csv", "time,bpm\n0,60\n1,sixty\n2,62\n", -1);
  g_autofree char *expected = g_strdup_printf ("cannot seek to 1.5 s in %s: %s:3: column 2 is not a heart rate "
                                               "from 20 to 300", path, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE,
                                                    "on-error", HEART_REPLAY_ON_ERROR_STOP, "seek-s", 1.5, NULL);

  g_assert_null (replay);
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_SEEK);
  g_assert_cmpstr (error->message, ==, expected);
}

/* heartsim --headless --seek past the end: exit status 1, one line */
static void
test_seek_past_the_end_headless (TestReplayFixture *f,
                                 gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "hr.csv", "time,bpm\n0,60\n1,61\n2.5,62\n", -1);
  g_autofree char *expected = g_strdup_printf ("heartsim: cannot seek to 5400 s in %s: it lasts 2.500 s\n", path);
  g_autofree char *err = NULL;
  int status = 0;

  if (test_headless_binary () == NULL)
    return;
  err = test_headless_run_to_exit (&status, "--headless", "--port", "0", "--replay", path, "--seek", "1h30m",
                                   "--loop", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (err, ==, expected);
}

static gboolean
on_deadline (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* An hour at speed 1000 on the real clock, timestamps "now": every
 * timestamp is the wall clock of its due time, from one reading; none
 * drifts from the file's own time, and none is played before it is due */
static void
test_timestamps_now_do_not_drift (TestReplayFixture *f,
                                  gconstpointer      data)
{
  g_autofree char *path = record (f, "hour.jsonl", HEART_RECORDER_JSONL, 7200, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "speed", 1000.0,
                                                    "timestamps", HEART_REPLAY_TIMESTAMPS_NOW, NULL);
  gboolean expired = FALSE;
  guint deadline;
  gint64 wall_minus_mono;
  const HeartSample *first;

  g_assert_no_error (error);
  wall_minus_mono = g_get_real_time () - g_get_monotonic_time ();
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  deadline = g_timeout_add_seconds (60, on_deadline, &expired);
  while (heart_source_get_running (HEART_SOURCE (replay)) && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (deadline);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");

  g_assert_cmpuint (f->samples->len, ==, 7200);
  first = &g_array_index (f->samples, HeartSample, 0);
  for (guint i = 0; i < f->samples->len; i++)
    {
      const HeartSample *sample = &g_array_index (f->samples, HeartSample, i);
      gint64 arrival = g_array_index (f->arrivals, gint64, i);
      double file_us = (sample->t_s - first->t_s) * G_USEC_PER_SEC / 1000.0;

      /* on the schedule, to the microsecond, however far into the hour */
      g_assert_cmpfloat (fabs ((double) (sample->timestamp_us - first->timestamp_us) - file_us), <=, 1.0);
      /* never played before its time (50 µs for reading the two clocks) */
      g_assert_cmpint (arrival + 50, >=, sample->timestamp_us - wall_minus_mono - 50);
    }
}

/* A malformed line is reported with its file and number; skipped, or it
 * stops the replay */
static void
test_malformed_lines (TestReplayFixture *f,
                      gconstpointer      data)
{
  HeartReplayOnError on_error = GPOINTER_TO_INT (data);
  g_autofree char *recorded = record (f, "r.jsonl", HEART_RECORDER_JSONL, 6, NULL, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) broken = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  guint n_samples = 0;

  g_assert_true (g_file_get_contents (recorded, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      n_samples += g_str_has_prefix (lines[i], "{\"record\":\"sample\"");
      g_string_append_printf (broken, "%s\n", lines[i]);
      if (i == 2)
        g_string_append (broken, "{\"record\":\"sample\",\"bpm\":\n");            /* line 4 */
      if (i == 4)
        g_string_append (broken, "{\"record\":\"sample\",\"timestamp\":\"2026-01-09T12:28:16.000Z\","
                                 "\"t_s\":1.000,\"bpm\":\"fast\"}\n");            /* line 7 */
    }
  path = test_replay_write_file (f, "broken.jsonl", broken->str, (gssize) broken->len);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, "on-error", on_error, NULL);
  g_assert_no_error (error);
  test_replay_play_through (replay);

  if (on_error == HEART_REPLAY_ON_ERROR_SKIP)
    {
      g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
      g_assert_cmpuint (f->problems->len, ==, 2);
      g_assert_true (g_str_has_suffix (g_ptr_array_index (f->problems, 0), "broken.jsonl:4: not a JSON object"));
      g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 1), "broken.jsonl:7: bad or missing \"bpm\""));
      g_assert_cmpuint (f->fatal, ==, 0);
      g_assert_cmpuint (heart_replay_get_skipped (replay), ==, 2);
      g_assert_cmpuint (f->samples->len, ==, n_samples);
    }
  else
    {
      g_assert_cmpstr (heart_replay_get_state (replay), ==, "failed");
      g_assert_cmpuint (f->problems->len, ==, 1);
      g_assert_cmpuint (f->fatal, ==, 1);
      g_assert_nonnull (heart_replay_get_error (replay));
      g_assert_nonnull (strstr (heart_replay_get_error (replay)->message, "broken.jsonl:4:"));
      /* what came before it was played */
      g_assert_cmpuint (f->samples->len + f->beats->len, ==, 3);
    }
}

/* Nothing to play is an error when opening, naming the file */
static void
test_empty_and_binary (TestReplayFixture *f,
                       gconstpointer      data)
{
  g_autofree char *empty = test_replay_write_file (f, "empty.csv", "", 0);
  g_autofree char *blank = test_replay_write_file (f, "blank.csv", "\n  \n\n", -1);
  g_autofree char *header_only = test_replay_write_file (f, "header.csv", "time,bpm\n", -1);
  g_autofree char *missing = g_build_filename (f->folder, "missing.jsonl", NULL);
  g_autofree char *binary = NULL;
  g_autofree char *binary_later = NULL;
  guint8 bytes[8192];
  g_autoptr(GString) text = g_string_new ("time,bpm\n0,60\n1,61\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  g_assert_null (heart_replay_new (empty, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY);
  g_assert_true (g_str_has_suffix (error->message, "empty.csv: the file is empty"));
  g_clear_error (&error);
  g_assert_null (heart_replay_new (blank, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (heart_replay_new (header_only, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "header.csv"));
  g_clear_error (&error);
  g_assert_null (heart_replay_new (missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.jsonl: No such file or directory"));
  g_clear_error (&error);

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_test_rand_int_range (0, 256);
  bytes[0] = 0;
  binary = test_replay_write_file (f, "noise.bin", (const char *) bytes, sizeof bytes);
  g_assert_null (heart_replay_new (binary, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "noise.bin: it is not a text file"));
  g_clear_error (&error);

  /* binary after good lines: skipped a line at a time, never kept whole */
  g_string_append_len (text, (const char *) bytes, sizeof bytes);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, 'x');          /* a line longer than the limit */
  g_string_append (text, "\n5,65\n");
  binary_later = test_replay_write_file (f, "later.csv", text->str, (gssize) text->len);
  replay = test_replay_open (f, &error, "path", binary_later, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, >=, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 0), "later.csv:4:"));
  /* 0 s, 0.5 s, … 5 s: the heart rate of the latest row */
  g_assert_cmpuint (f->samples->len, ==, 11);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 10).bpm, ==, 65);
}

/* A line of many megabytes is skipped a budget at a time, never kept; as
 * a first line, it is refused at once */
static void
test_huge_lines (TestReplayFixture *f,
                 gconstpointer      data)
{
  gsize huge = 12 * 1024 * 1024;
  g_autoptr(GString) text = g_string_new ("time,bpm\n0,60\n1,61\n");
  g_autofree char *path = NULL;
  g_autofree char *first = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  g_string_set_size (text, text->len + huge);
  memset (text->str + text->len - huge, '7', huge);
  g_string_append (text, "\n3,63\n");
  g_string_append_len (text, text->str + 20, (gssize) huge);   /* and another, last */
  path = test_replay_write_file (f, "huge.csv", text->str, (gssize) text->len);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 2);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (f->problems, 0), "huge.csv:4: longer than 65536 bytes"));
  g_assert_true (g_str_has_suffix (g_ptr_array_index (f->problems, 1), "huge.csv:6: longer than 65536 bytes"));
  g_assert_cmpuint (f->samples->len, ==, 7);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 6).bpm, ==, 63);

  first = test_replay_write_file (f, "first.csv", text->str + 20, (gssize) huge);
  g_clear_object (&replay);
  g_assert_null (heart_replay_new (first, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT);
}

/* A recording cut mid-line by a crash replays up to the cut */
static void
test_truncated_last_line (TestReplayFixture *f,
                          gconstpointer      data)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  g_autofree char *path = record (f, "cut.jsonl", HEART_RECORDER_JSONL, 20, samples, NULL);
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* cut in the middle of the last line, a sample */
  g_assert_true (g_file_set_contents (path, contents, (gssize) length - 40, NULL));
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->samples->len, ==, samples->len - 1);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 0), "cut short"));
}

/* time + RR: beats, and samples on a 500 ms grid with the model's RMSSD */
static void
test_generic_rr (TestReplayFixture *f,
                 gconstpointer      data)
{
  static const double rr[] = { 800, 820, 790, 810, 830, 805, 795, 815, 800, 790, 780, 800 };
  g_autoptr(GString) csv = g_string_new ("time_s,rr_ms\n");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  const HeartSample *last;
  double t = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (rr); i++)
    {
      t += rr[i] / 1000.0;
      g_string_append_printf (csv, "%.3f,%.0f\n", t, rr[i]);
    }
  path = test_replay_write_file (f, "rr.csv", csv->str, -1);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==,
                   "CSV (“,”-separated): time = column 1 “time_s” (s), rr_ms = column 2 “rr_ms”");
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, ==, G_N_ELEMENTS (rr));
  g_assert_cmpuint (f->samples->len, >=, 18);
  last = &g_array_index (f->samples, HeartSample, f->samples->len - 1);
  /* at 8.5 s, after the eleventh beat */
  g_assert_cmpfloat_with_epsilon (last->t_s, 8.5, 1e-9);
  g_assert_cmpfloat (last->rr_ms, ==, 780);
  g_assert_cmpint (last->bpm, ==, 77);
  /* the whole file is within 30 s: RMSSD over every beat so far */
  g_assert_cmpfloat_with_epsilon (last->rmssd_ms, heart_hrv_rmssd (rr, G_N_ELEMENTS (rr) - 1), 1e-9);
  g_assert_cmpfloat_with_epsilon (last->variability, last->rmssd_ms / 100, 1e-9);
  /* what a file does not have is not made up */
  g_assert_true (isnan (last->stress_level));
  g_assert_true (isnan (last->channels[HEART_CHANNEL_EDA]));
  g_assert_cmpuint (last->baseline_bpm, ==, 0);
  for (guint i = 1; i < f->samples->len; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (f->samples, HeartSample, i).t_s
                                    - g_array_index (f->samples, HeartSample, i - 1).t_s, 0.5, 1e-9);
}

/* time + heart rate, in milliseconds: no RR, so no RR nor RMSSD */
static void
test_generic_bpm (TestReplayFixture *f,
                  gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "hr.csv",
                                                  "Time (ms),Heart Rate\n0,60\n1000,62\n2000,64\n3000,66\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==,
                   "CSV (“,”-separated): time = column 1 “Time (ms)” (ms), bpm = column 2 “Heart Rate”");
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, ==, 0);
  g_assert_cmpuint (f->samples->len, ==, 7);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 0).bpm, ==, 60);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 3).bpm, ==, 62);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 6).bpm, ==, 66);
  g_assert_true (isnan (g_array_index (f->samples, HeartSample, 6).rr_ms));
  g_assert_true (isnan (g_array_index (f->samples, HeartSample, 6).rmssd_ms));
}

/* A gap of days in a file's time makes no samples across it (the grid
 * goes on just before the next row), and a time beyond the year 5000 is a
 * malformed row: neither keeps the replay busy (a fuzzer's find) */
static void
test_generic_gap (TestReplayFixture *f,
                  gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "gap.csv",
                                                  "time,bpm\n0,60\n1,62\n200000,64\n200001,66\n"
                                                  "1e127,70\n200002,68\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE,
                                                    "speed", 1000.0, NULL);

  g_assert_no_error (error);
  test_replay_play_through (replay);
  /* 0–1 s and 200000–200002 s, on the 500 ms grid, not the 400,000
   * samples between */
  g_assert_cmpuint (f->samples->len, <=, 10);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 0).bpm, ==, 60);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, f->samples->len - 1).bpm, ==, 68);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 0), "is not a time"));
}

/* A CSV's time column as wall-clock times, in each form the reader tells
 * from its first value (or from its unit in the header) */
typedef enum {
  WALL_ISO,            /* 2026-01-09T12:00:00.800Z */
  WALL_ISO_SPACE,      /* 2026-01-09 12:00:00.800, no zone: UTC */
  WALL_ISO_OFFSET,     /* 2026-01-09T13:00:00.800+01:00 */
  WALL_EPOCH_S,
  WALL_EPOCH_MS,
  WALL_EPOCH_US,
  WALL_EPOCH_NS,
} WallForm;

typedef struct
{
  const char *path;
  WallForm    form;
  const char *time_header;
  const char *unit;         /* as "detected" says it */
  gboolean    rr;           /* RR intervals, or heart rates */
} WallCase;

#define WALL_START_US G_GINT64_CONSTANT (1767960000000000)   /* 2026-01-09T12:00:00Z */

static char *
format_wall (WallForm form,
             gint64   us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GTimeZone) plus_one = g_time_zone_new_offset (3600);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, plus_one);
  int ms = (int) (us % G_USEC_PER_SEC / 1000);
  g_autofree char *date = NULL;

  switch (form)
    {
    case WALL_ISO:
      date = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");
      return g_strdup_printf ("%s.%03dZ", date, ms);
    case WALL_ISO_SPACE:
      date = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S");
      return g_strdup_printf ("%s.%03d", date, ms);
    case WALL_ISO_OFFSET:
      date = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");
      return g_strdup_printf ("%s.%03d+01:00", date, ms);
    case WALL_EPOCH_S:
      return g_strdup_printf ("%" G_GINT64_FORMAT ".%03d", us / G_USEC_PER_SEC, ms);
    case WALL_EPOCH_MS:
      return g_strdup_printf ("%" G_GINT64_FORMAT, us / 1000);
    case WALL_EPOCH_US:
      return g_strdup_printf ("%" G_GINT64_FORMAT, us);
    case WALL_EPOCH_NS:
      return g_strdup_printf ("%" G_GINT64_FORMAT "000", us);
    default:
      g_assert_not_reached ();
    }
}

/* Under --timestamps original, the samples and beats of a CSV whose times
 * are dates keep those dates, not the replay's clock (docs/replay.md,
 * "What a CSV becomes") */
static void
test_wall_clock_csv (TestReplayFixture *f,
                     gconstpointer      data)
{
  const WallCase *c = data;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *detected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  guint rows = 12;

  g_string_append_printf (csv, "%s,%s\n", c->time_header, c->rr ? "rr_ms" : "bpm");
  for (guint i = 0; i < rows; i++)
    {
      /* a beat every 800 ms, or a heart rate every second */
      g_autofree char *when = format_wall (c->form, WALL_START_US + i * (c->rr ? 800000 : 1000000));

      g_string_append_printf (csv, "%s,%u\n", when, c->rr ? 800 : 60 + i);
    }
  path = test_replay_write_file (f, "wall.csv", csv->str, -1);
  /* the replay's own clock starts in 1970: far from the file's dates */
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  detected = g_strdup_printf ("CSV (“,”-separated): time = column 1 “%s” (%s), %s = column 2 “%s”",
                              c->time_header, c->unit, c->rr ? "rr_ms" : "bpm", c->rr ? "rr_ms" : "bpm");
  g_assert_cmpstr (heart_replay_get_detected (replay), ==, detected);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 0);

  g_assert_cmpuint (f->beats->len, ==, c->rr ? rows : 0);
  for (guint i = 0; i < f->beats->len; i++)
    {
      const HeartBeat *beat = &g_array_index (f->beats, HeartBeat, i);

      g_assert_cmpint (beat->timestamp_us, ==, WALL_START_US + (gint64) i * 800000);
    }
  /* every 500 ms from the first row to the last */
  g_assert_cmpuint (f->samples->len, ==, (rows - 1) * (c->rr ? 8 : 10) / 5 + 1);
  for (guint i = 0; i < f->samples->len; i++)
    {
      const HeartSample *sample = &g_array_index (f->samples, HeartSample, i);

      g_assert_cmpint (sample->timestamp_us, ==, WALL_START_US + llround (sample->t_s * G_USEC_PER_SEC));
    }
}

static const WallCase wall_cases[] = {
  { "/replay/csv/wall-clock/iso/rr", WALL_ISO, "timestamp", "ISO 8601", TRUE },
  { "/replay/csv/wall-clock/iso/bpm", WALL_ISO, "timestamp", "ISO 8601", FALSE },
  { "/replay/csv/wall-clock/iso-space/rr", WALL_ISO_SPACE, "datetime", "ISO 8601", TRUE },
  { "/replay/csv/wall-clock/iso-offset/bpm", WALL_ISO_OFFSET, "time", "ISO 8601", FALSE },
  { "/replay/csv/wall-clock/epoch-s/rr", WALL_EPOCH_S, "time", "s", TRUE },
  { "/replay/csv/wall-clock/epoch-s/bpm", WALL_EPOCH_S, "time", "s", FALSE },
  { "/replay/csv/wall-clock/epoch-ms/rr", WALL_EPOCH_MS, "timestamp", "ms", TRUE },
  { "/replay/csv/wall-clock/epoch-ms/bpm", WALL_EPOCH_MS, "timestamp", "ms", FALSE },
  { "/replay/csv/wall-clock/epoch-us/bpm", WALL_EPOCH_US, "timestamp", "µs", FALSE },
  { "/replay/csv/wall-clock/epoch-ns/rr", WALL_EPOCH_NS, "timestamp", "ns", TRUE },
  /* the unit from the header's name, not from the value */
  { "/replay/csv/wall-clock/epoch-ms-named/bpm", WALL_EPOCH_MS, "time_ms", "ms", FALSE },
};

/* Polar Sensor Logger-style: ';', the phone's clock, the sensor's
 * nanoseconds, RR intervals in ms */
static void
test_polar (TestReplayFixture *f,
            gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "Polar_H10_RR.txt",
                                                  "Phone timestamp;sensor timestamp [ns];RR-interval [ms]\n"
                                                  "2026-01-09T12:00:00.800;757382400800000000;800\n"
                                                  "2026-01-09T12:00:01.610;757382401610000000;810\n"
                                                  "2026-01-09T12:00:02.400;757382402400000000;790\n"
                                                  "2026-01-09T12:00:03.220;757382403220000000;820\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_autoptr(GDateTime) noon = g_date_time_new_utc (2026, 1, 9, 12, 0, 0.8);
  const HeartSample *last;

  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==,
                   "CSV (“;”-separated): time = column 2 “sensor timestamp [ns]” (ns), "
                   "rr_ms = column 3 “RR-interval [ms]”, wall clock = column 1 “Phone timestamp”");
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, ==, 4);
  g_assert_cmpfloat_with_epsilon (g_array_index (f->beats, HeartBeat, 1).t_s, 0.81, 1e-6);
  /* original timestamps: the phone's clock */
  g_assert_cmpint (g_array_index (f->beats, HeartBeat, 0).timestamp_us, ==,
                   g_date_time_to_unix (noon) * G_USEC_PER_SEC + 800000);
  /* the last sample, at 2 s, follows the third beat (790 ms) */
  last = &g_array_index (f->samples, HeartSample, f->samples->len - 1);
  g_assert_cmpint (last->bpm, ==, 76);
  /* and is stamped with the phone's clock too: the first row's, and 2 s */
  g_assert_cmpfloat_with_epsilon (last->t_s, 2.0, 1e-9);
  g_assert_cmpint (last->timestamp_us, ==, g_date_time_to_unix (noon) * G_USEC_PER_SEC + 800000 + 2 * G_USEC_PER_SEC);
}

/* --columns: by name or number, when the header says nothing we know */
static void
test_columns_override (TestReplayFixture *f,
                       gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "odd.csv", "a,b,c\n0.8,x,800\n1.6,x,800\n2.4,x,800\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  g_assert_null (heart_replay_new (path, &error));
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "odd.csv: no heart-rate or RR column"));
  g_clear_error (&error);

  g_assert_true (heart_replay_check_columns ("time=a,rr_ms=3", NULL));
  g_assert_false (heart_replay_check_columns ("time=a", NULL));
  g_assert_false (heart_replay_check_columns ("speed=a,bpm=2", NULL));
  g_assert_false (heart_replay_check_columns ("bpm=2,time_unit=fortnights", NULL));

  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, "columns", "time=a,rr_ms=3", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==,
                   "CSV (“,”-separated): time = column 1 “a” (s), rr_ms = column 3 “c”");
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, ==, 3);
  g_clear_object (&replay);

  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, "columns", "time=z,rr_ms=3", NULL);
  g_assert_null (replay);
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "no column “z”"));
}

static void
count_rr_values (HeartSource             *source,
                 const HeartChannelValue *values,
                 guint                    n_values,
                 guint                   *n_rr)
{
  for (guint i = 0; i < n_values; i++)
    *n_rr += values[i].channel == HEART_CHANNEL_RR_INTERVAL;
}

/* A beat after the file's last sample still reaches the typed streams as
 * its rr_interval value, when the file ends */
static void
test_values_after_last_sample (TestReplayFixture *f,
                               gconstpointer      data)
{
  g_autofree char *path = test_replay_write_file (f, "rr.csv", "time,rr_ms\n0,800\n0.8,810\n1.6,790\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  guint n_rr = 0;

  g_assert_no_error (error);
  g_signal_connect (replay, "values", G_CALLBACK (count_rr_values), &n_rr);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, ==, 3);
  g_assert_cmpuint (n_rr, ==, f->beats->len);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_replay_add ("/replay/recording/jsonl", GINT_TO_POINTER (HEART_RECORDER_JSONL), test_recording_replays);
  test_replay_add ("/replay/recording/csv", GINT_TO_POINTER (HEART_RECORDER_CSV), test_recording_replays);
  test_replay_add ("/replay/seek-and-loop", NULL, test_seek_and_loop);
  test_replay_add ("/replay/loop/position", NULL, test_loop_position);
  test_replay_add ("/replay/loop/pause-between-passes", NULL, test_loop_pause_between_passes);
  test_replay_add ("/replay/seek/past-the-end", NULL, test_seek_past_the_end);
  test_replay_add ("/replay/seek/past-the-end/looping", NULL, test_seek_past_the_end_looping);
  test_replay_add ("/replay/seek/past-a-bad-line", NULL, test_seek_past_a_bad_line);
  test_replay_add ("/replay/seek/past-the-end/headless", NULL, test_seek_past_the_end_headless);
  test_replay_add ("/replay/timestamps-now/no-drift", NULL, test_timestamps_now_do_not_drift);
  test_replay_add ("/replay/malformed/skip", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_SKIP), test_malformed_lines);
  test_replay_add ("/replay/malformed/stop", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_STOP), test_malformed_lines);
  test_replay_add ("/replay/empty-and-binary", NULL, test_empty_and_binary);
  test_replay_add ("/replay/huge-lines", NULL, test_huge_lines);
  test_replay_add ("/replay/truncated-last-line", NULL, test_truncated_last_line);
  test_replay_add ("/replay/csv/generic-rr", NULL, test_generic_rr);
  test_replay_add ("/replay/csv/generic-bpm", NULL, test_generic_bpm);
  test_replay_add ("/replay/csv/generic-gap", NULL, test_generic_gap);
  for (gsize i = 0; i < G_N_ELEMENTS (wall_cases); i++)
    test_replay_add (wall_cases[i].path, &wall_cases[i], test_wall_clock_csv);
  test_replay_add ("/replay/csv/polar", NULL, test_polar);
  test_replay_add ("/replay/csv/values-after-last-sample", NULL, test_values_after_last_sample);
  test_replay_add ("/replay/csv/columns", NULL, test_columns_override);
  return g_test_run ();
}
