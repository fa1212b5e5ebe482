/* test-recorder.c: HeartRecorder on a manual-clock simulator
 *
 * What a recording holds (every sample and beat, as JSON Lines or CSV, with
 * the values the simulator emitted), how it appends to a file, and what a
 * full disk or an unwritable path does (docs/recording.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "heart-recorder.h"
#include "heart-simulator.h"
#include "heart-scenario-file.h"

/* 2026-01-01T00:00:00Z */
#define START_US G_GINT64_CONSTANT (1767225600000000)
#define TICK_S 0.5
#define FSIZE_LIMIT_BYTES (16 * 1024)

#define CSV_HEADER "record,timestamp,t_s,bpm,variability,stress_level,state,seq,rr_ms,rmssd_ms," \
                   "baseline_bpm,type,respiratory_rate,respiration,eda,cadence,steps_today,energy,spo2," \
                   "skin_temperature," \
                   "condition,event,value,beat_type"

typedef struct
{
  char           *folder;
  char           *path;
  HeartSimulator *simulator;
  HeartRecorder  *recorder;
  GPtrArray      *emitted;    /* what the simulator emitted, as Emitted */
  guint           failures;
  GError         *failure;
} Fixture;

/* One sample or beat as the simulator emitted it */
typedef struct
{
  gboolean    is_beat;
  HeartSample sample;
  HeartBeat   beat;
} Emitted;

static void
on_sample (HeartSimulator    *simulator,
           const HeartSample *sample,
           Fixture           *f)
{
  Emitted *emitted = g_new0 (Emitted, 1);

  emitted->sample = *sample;
  g_ptr_array_add (f->emitted, emitted);
}

static void
on_beat (HeartSimulator  *simulator,
         const HeartBeat *beat,
         Fixture         *f)
{
  Emitted *emitted = g_new0 (Emitted, 1);

  emitted->is_beat = TRUE;
  emitted->beat = *beat;
  g_ptr_array_add (f->emitted, emitted);
}

static void
on_failed (HeartRecorder *recorder,
           const GError  *error,
           Fixture       *f)
{
  f->failures++;
  g_clear_error (&f->failure);
  f->failure = g_error_copy (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->folder = g_dir_make_tmp ("heartsim-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->folder, "recording", NULL);
  f->emitted = g_ptr_array_new_with_free_func (g_free);
  f->simulator = g_object_new (HEART_TYPE_SIMULATOR,
                               "seed", (guint64) 7,
                               "manual-clock", TRUE,
                               "start-time", START_US,
                               "running", TRUE,
                               NULL);
  g_signal_connect (f->simulator, "sample", G_CALLBACK (on_sample), f);
  g_signal_connect (f->simulator, "beat", G_CALLBACK (on_beat), f);
  f->recorder = heart_recorder_new (HEART_SOURCE (f->simulator));
  heart_recorder_set_path (f->recorder, f->path);
  g_signal_connect (f->recorder, "failed", G_CALLBACK (on_failed), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->recorder);
  g_clear_object (&f->simulator);
  g_clear_pointer (&f->emitted, g_ptr_array_unref);
  g_clear_error (&f->failure);
  g_chmod (f->folder, 0700);
  dir = g_dir_open (f->folder, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->folder, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->folder);
  g_free (f->folder);
  g_free (f->path);
}

static void
advance (Fixture *f,
         guint    ticks)
{
  for (guint i = 0; i < ticks; i++)
    heart_simulator_advance (f->simulator, TICK_S);
}

/* The file's lines, without the empty string after the last newline */
static GStrv
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStrv lines;
  guint n;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (contents[0] == '\0' || g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  g_clear_pointer (&lines[n - 1], g_free);
  return lines;
}

/* As an independent formatter writes it: ISO 8601 UTC, milliseconds */
static char *
iso8601 (gint64 timestamp_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (timestamp_us / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int) (timestamp_us % G_USEC_PER_SEC / 1000));
}

static void
assert_close (double written,
              double value,
              double decimals)
{
  g_assert_cmpfloat (fabs (written - value), <=, 0.5 * pow (10, -decimals) + 1e-9);
}

/* ---------------------------------------------------------------- JSON Lines */

static void
assert_json_matches (JsonObject    *object,
                     const Emitted *emitted)
{
  g_autofree char *timestamp = NULL;

  if (emitted->is_beat)
    {
      const HeartBeat *beat = &emitted->beat;

      timestamp = iso8601 (beat->timestamp_us);
      g_assert_cmpstr (json_object_get_string_member (object, "record"), ==, "beat");
      g_assert_cmpuint (json_object_get_size (object), ==, 9);
      assert_close (json_object_get_double_member (object, "t_s"), beat->t_s, 3);
      assert_close (json_object_get_double_member (object, "rr_ms"), beat->rr_ms, 1);
      g_assert_cmpint (json_object_get_int_member (object, "bpm"), ==, heart_beat_get_bpm (beat));
      assert_close (json_object_get_double_member (object, "stress_level"), beat->stress_level, 3);
      g_assert_cmpint (json_object_get_int_member (object, "event"), ==, beat->event_active ? 1 : 0);
      g_assert_cmpstr (json_object_get_string_member (object, "condition"), ==, beat->condition);
      g_assert_cmpstr (json_object_get_string_member (object, "beat_type"), ==, heart_beat_type_code (beat->type));
    }
  else
    {
      const HeartSample *sample = &emitted->sample;

      timestamp = iso8601 (sample->timestamp_us);
      g_assert_cmpstr (json_object_get_string_member (object, "record"), ==, "sample");
      g_assert_cmpuint (json_object_get_size (object), ==, 22);
      g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, (gint64) sample->seq);
      assert_close (json_object_get_double_member (object, "t_s"), sample->t_s, 3);
      g_assert_cmpint (json_object_get_int_member (object, "bpm"), ==, sample->bpm);
      assert_close (json_object_get_double_member (object, "rr_ms"), sample->rr_ms, 1);
      assert_close (json_object_get_double_member (object, "rmssd_ms"), sample->rmssd_ms, 1);
      assert_close (json_object_get_double_member (object, "stress_level"), sample->stress_level, 3);
      assert_close (json_object_get_double_member (object, "eda"),
                    sample->channels[HEART_CHANNEL_EDA], 3);
      assert_close (json_object_get_double_member (object, "respiration"),
                    sample->channels[HEART_CHANNEL_RESPIRATION], 3);
      assert_close (json_object_get_double_member (object, "respiratory_rate"),
                    sample->channels[HEART_CHANNEL_RESPIRATORY_RATE], 1);
      g_assert_cmpstr (json_object_get_string_member (object, "state"), ==, "running");
      g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, "heartbeat");
      g_assert_cmpint (json_object_get_int_member (object, "event"), ==, sample->event_active ? 1 : 0);
      g_assert_cmpstr (json_object_get_string_member (object, "condition"), ==, sample->condition);
    }
  g_assert_cmpstr (json_object_get_string_member (object, "timestamp"), ==, timestamp);
}

/* Every sample and beat, in the order emitted, labelled with the scenario
 * phase; nothing before the start or after the stop */
static void
test_jsonl (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) scenario = heart_scenario_load ("demo", &error);
  g_auto(GStrv) lines = NULL;
  gboolean labelled = FALSE;
  guint beats = 0, recorded;

  g_assert_no_error (error);
  heart_simulator_run_scenario (f->simulator, scenario, FALSE);
  advance (f, 4);
  g_ptr_array_set_size (f->emitted, 0);

  g_assert_cmpint (heart_recorder_get_format (f->recorder), ==, HEART_RECORDER_JSONL);
  g_assert_true (heart_recorder_start (f->recorder, &error));
  g_assert_no_error (error);
  g_assert_true (heart_recorder_get_recording (f->recorder));
  advance (f, 240);
  g_assert_true (heart_recorder_stop (f->recorder, &error));
  g_assert_no_error (error);
  g_assert_false (heart_recorder_get_recording (f->recorder));
  recorded = f->emitted->len;
  advance (f, 4);

  lines = read_lines (f->path);
  g_assert_cmpuint (g_strv_length (lines), ==, recorded);
  g_assert_cmpuint (heart_recorder_get_lines (f->recorder), ==, g_strv_length (lines));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const Emitted *emitted = g_ptr_array_index (f->emitted, i);
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);

      g_assert_no_error (error);
      assert_json_matches (json_node_get_object (node), emitted);
      beats += emitted->is_beat;
      labelled |= !emitted->is_beat && emitted->sample.condition[0] != '\0';
    }
  /* two minutes of a heart: beats between the samples, and phase labels */
  g_assert_cmpuint (beats, >, 100);
  g_assert_true (labelled);
  g_assert_cmpuint (f->failures, ==, 0);
}

/* ---------------------------------------------------------------- CSV */

static void
test_csv (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;

  heart_recorder_set_format (f->recorder, HEART_RECORDER_CSV);
  g_assert_true (heart_recorder_start (f->recorder, &error));
  g_assert_no_error (error);
  advance (f, 60);
  g_assert_true (heart_recorder_stop (f->recorder, &error));

  lines = read_lines (f->path);
  g_assert_cmpstr (lines[0], ==, CSV_HEADER);
  header = g_strsplit (lines[0], ",", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, f->emitted->len + 1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const Emitted *emitted = g_ptr_array_index (f->emitted, i - 1);
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      g_autofree char *timestamp = NULL;

      g_assert_cmpuint (g_strv_length (cells), ==, g_strv_length (header));
      if (emitted->is_beat)
        {
          timestamp = iso8601 (emitted->beat.timestamp_us);
          g_assert_cmpstr (cells[0], ==, "beat");
          assert_close (g_ascii_strtod (cells[2], NULL), emitted->beat.t_s, 3);
          g_assert_cmpint (atoi (cells[3]), ==, heart_beat_get_bpm (&emitted->beat));
          assert_close (g_ascii_strtod (cells[8], NULL), emitted->beat.rr_ms, 1);
          /* what a beat does not have is empty: seq, state, type, skin */
          g_assert_cmpstr (cells[6], ==, "");
          g_assert_cmpstr (cells[7], ==, "");
          g_assert_cmpstr (cells[11], ==, "");
          g_assert_cmpstr (cells[14], ==, "");
        }
      else
        {
          timestamp = iso8601 (emitted->sample.timestamp_us);
          g_assert_cmpstr (cells[0], ==, "sample");
          g_assert_cmpint (atoi (cells[3]), ==, emitted->sample.bpm);
          g_assert_cmpstr (cells[6], ==, "running");
          g_assert_cmpuint (g_ascii_strtoull (cells[7], NULL, 10), ==, emitted->sample.seq);
          assert_close (g_ascii_strtod (cells[14], NULL), emitted->sample.channels[HEART_CHANNEL_EDA], 3);
        }
      g_assert_cmpstr (cells[1], ==, timestamp);
    }
}

/* ---------------------------------------------------------------- existing files */

/* A second recording to the same file goes after the first, a CSV header
 * only once; what happens between the two is not in it */
static void
test_appends (Fixture       *f,
              gconstpointer  data)
{
  HeartRecorderFormat format = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint headers = 0, expected = 0;

  heart_recorder_set_format (f->recorder, format);
  for (guint run = 0; run < 2; run++)
    {
      guint before = f->emitted->len;

      g_assert_true (heart_recorder_start (f->recorder, &error));
      g_assert_no_error (error);
      advance (f, 10);
      g_assert_true (heart_recorder_stop (f->recorder, &error));
      g_assert_no_error (error);
      expected += f->emitted->len - before;
      advance (f, 3);
    }
  lines = read_lines (f->path);
  for (guint i = 0; lines[i] != NULL; i++)
    headers += g_str_equal (lines[i], CSV_HEADER);
  g_assert_cmpuint (headers, ==, format == HEART_RECORDER_CSV ? 1 : 0);
  g_assert_cmpuint (g_strv_length (lines), ==, expected + headers);
  if (format == HEART_RECORDER_CSV)
    g_assert_cmpstr (lines[0], ==, CSV_HEADER);
  else
    g_assert_true (g_str_has_prefix (lines[0], "{\"record\":"));
}

/* A CSV recording from before beat types (or before value lines too) goes on
 * with its own columns, every row as long as its header */
static void
test_appends_to_older_csv (Fixture       *f,
                           gconstpointer  data)
{
  static const char *const older[] = {
    "record,timestamp,t_s,bpm,variability,stress_level,state,seq,rr_ms,rmssd_ms,"
    "baseline_bpm,type,respiratory_rate,respiration,eda,cadence,steps_today,energy,spo2,"
    "skin_temperature,condition,event,value",
    "record,timestamp,t_s,bpm,variability,stress_level,state,seq,rr_ms,rmssd_ms,"
    "baseline_bpm,type,respiratory_rate,respiration,eda,cadence,steps_today,energy,spo2,"
    "skin_temperature,condition,event",
  };

  heart_recorder_set_format (f->recorder, HEART_RECORDER_CSV);
  for (guint i = 0; i < G_N_ELEMENTS (older); i++)
    {
      g_autofree char *header = g_strconcat (older[i], "\n", NULL);
      g_auto(GStrv) columns = g_strsplit (older[i], ",", -1);
      g_auto(GStrv) lines = NULL;
      g_autoptr(GError) error = NULL;
      guint beats = 0;

      g_assert_true (g_file_set_contents (f->path, header, -1, NULL));
      g_assert_true (heart_recorder_start (f->recorder, &error));
      g_assert_no_error (error);
      advance (f, 6);
      g_assert_true (heart_recorder_stop (f->recorder, NULL));
      lines = read_lines (f->path);
      g_assert_cmpstr (lines[0], ==, older[i]);
      for (guint l = 1; lines[l] != NULL; l++)
        {
          g_auto(GStrv) cells = g_strsplit (lines[l], ",", -1);

          g_assert_cmpuint (g_strv_length (cells), ==, g_strv_length (columns));
          beats += g_str_equal (cells[0], "beat");
        }
      g_assert_cmpuint (beats, >, 0);
    }
}

/* A file that is not a recording of this format is left alone */
static void
test_refuses_other_file (Fixture       *f,
                         gconstpointer  data)
{
  const char *contents[] = { "precious\n", "{\"bpm\":72}\n", "timestamp,bpm\n" };

  for (guint format = HEART_RECORDER_JSONL; format <= HEART_RECORDER_CSV; format++)
    for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *left = NULL;
        g_autofree char *expected = g_strdup_printf ("cannot record to %s: it exists and is not a Heartsim "
                                                     "recording in %s", f->path,
                                                     format == HEART_RECORDER_CSV ? "CSV" : "JSON Lines");

        g_assert_true (g_file_set_contents (f->path, contents[i], -1, NULL));
        heart_recorder_set_format (f->recorder, format);
        g_assert_false (heart_recorder_start (f->recorder, &error));
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
        g_assert_cmpstr (error->message, ==, expected);
        g_assert_false (heart_recorder_get_recording (f->recorder));
        advance (f, 2);
        g_assert_true (g_file_get_contents (f->path, &left, NULL, NULL));
        g_assert_cmpstr (left, ==, contents[i]);
      }
  /* "replace" says the user chose to overwrite it */
  heart_recorder_set_replace (f->recorder, TRUE);
  g_assert_true (heart_recorder_start (f->recorder, NULL));
  advance (f, 1);
  g_assert_true (heart_recorder_stop (f->recorder, NULL));
  {
    g_auto(GStrv) lines = read_lines (f->path);

    g_assert_cmpstr (lines[0], ==, CSV_HEADER);
  }
}

/* A recording cut mid-line (kill -9 during a write, a power cut) goes on
 * after the cut line, which stays as it was on a line of its own */
static void
test_appends_after_cut_line (Fixture       *f,
                             gconstpointer  data)
{
  const char *cut = "{\"record\":\"sample\",\"timestamp\":\"2026-01-01T00:0";
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint before;

  g_assert_true (g_file_set_contents (f->path, cut, -1, NULL));
  before = f->emitted->len;
  g_assert_true (heart_recorder_start (f->recorder, &error));
  g_assert_no_error (error);
  advance (f, 4);
  g_assert_true (heart_recorder_stop (f->recorder, &error));
  lines = read_lines (f->path);
  g_assert_cmpstr (lines[0], ==, cut);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + f->emitted->len - before);
  g_assert_cmpuint (heart_recorder_get_lines (f->recorder), ==, f->emitted->len - before);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], &error);

      g_assert_no_error (error);
    }
}

/* ---------------------------------------------------------------- errors */

static void
assert_failed_once (Fixture    *f,
                    const char *expected)
{
  g_assert_cmpuint (f->failures, ==, 1);
  g_assert_nonnull (f->failure);
  g_assert_cmpstr (f->failure->message, ==, expected);
  g_assert_false (heart_recorder_get_recording (f->recorder));
  g_assert_nonnull (heart_recorder_get_error (f->recorder));
  g_assert_cmpstr (heart_recorder_get_error (f->recorder)->message, ==, expected);
}

/* The simulation goes on as if nothing had happened */
static void
assert_simulation_goes_on (Fixture *f)
{
  guint64 seq = heart_simulator_get_current_sample (f->simulator)->seq;
  guint failures = f->failures;

  advance (f, 20);
  g_assert_true (heart_simulator_get_running (f->simulator));
  g_assert_cmpuint (heart_simulator_get_current_sample (f->simulator)->seq, ==, seq + 20);
  g_assert_cmpuint (f->failures, ==, failures);
}

/* A device that is always full: the first line fails, once */
static void
test_dev_full (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("cannot write /dev/full: %s", g_strerror (ENOSPC));

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full");
      return;
    }
  heart_recorder_set_path (f->recorder, "/dev/full");
  g_assert_true (heart_recorder_start (f->recorder, &error));
  g_assert_no_error (error);
  advance (f, 1);
  assert_failed_once (f, expected);
  g_assert_error (heart_recorder_get_error (f->recorder), G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  assert_simulation_goes_on (f);
  /* stopping a failed recording is nothing to report */
  g_assert_true (heart_recorder_stop (f->recorder, &error));
  g_assert_no_error (error);
}

/* Past RLIMIT_FSIZE (in a subprocess, which ignores SIGXFSZ as heartsim
 * does): one report, and the file ends with a whole line */
static void
test_file_size_limit (Fixture       *f,
                      gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      struct rlimit limit = { FSIZE_LIMIT_BYTES, FSIZE_LIMIT_BYTES };
      g_autofree char *expected = g_strdup_printf ("cannot write %s: %s", f->path, g_strerror (EFBIG));
      g_autofree char *contents = NULL;
      gsize length;
      g_auto(GStrv) lines = NULL;

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      g_assert_true (heart_recorder_start (f->recorder, NULL));
      for (guint i = 0; i < 1000 && heart_recorder_get_recording (f->recorder); i++)
        advance (f, 1);
      assert_failed_once (f, expected);
      g_assert_error (heart_recorder_get_error (f->recorder), G_IO_ERROR, G_IO_ERROR_FAILED);
      assert_simulation_goes_on (f);

      g_assert_true (g_file_get_contents (f->path, &contents, &length, NULL));
      g_assert_cmpuint (length, <=, FSIZE_LIMIT_BYTES);
      g_assert_cmpuint (length, >, FSIZE_LIMIT_BYTES - 1024);
      g_assert_true (g_str_has_suffix (contents, "\n"));
      lines = read_lines (f->path);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) node = json_from_string (lines[i], &error);

          g_assert_no_error (error);
        }
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Refused at the start, naming the file and the reason; nothing is left */
static void
test_unwritable (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->folder, "missing", "recording.jsonl", NULL);
  struct { const char *path; int errsv; } cases[] = {
    { missing, ENOENT },
    { f->folder, EISDIR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("cannot record to %s: %s", cases[i].path,
                                                   g_strerror (cases[i].errsv));

      heart_recorder_set_path (f->recorder, cases[i].path);
      g_assert_false (heart_recorder_start (f->recorder, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, expected);
      g_assert_false (heart_recorder_get_recording (f->recorder));
      /* a refusal is the caller's to report: no "failed" */
      g_assert_cmpuint (f->failures, ==, 0);
    }
  assert_simulation_goes_on (f);
}

/* Lines written to a deleted file would be lost: the next sync sees it */
static void
test_deleted (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *expected = g_strdup_printf ("cannot write %s: the file was deleted", f->path);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  heart_recorder_set_sync_interval_ms (f->recorder, 1);
  g_assert_true (heart_recorder_start (f->recorder, NULL));
  advance (f, 2);
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  advance (f, 1);
  while (f->failures == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  assert_failed_once (f, expected);
  g_assert_error (heart_recorder_get_error (f->recorder), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_simulation_goes_on (f);

  /* a new start clears the error */
  g_assert_true (heart_recorder_start (f->recorder, NULL));
  g_assert_null (heart_recorder_get_error (f->recorder));
  g_assert_true (heart_recorder_stop (f->recorder, NULL));
}

static void
test_format_parse (void)
{
  HeartRecorderFormat format = HEART_RECORDER_CSV;
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_recorder_format_parse ("jsonl", &format, NULL));
  g_assert_cmpint (format, ==, HEART_RECORDER_JSONL);
  g_assert_true (heart_recorder_format_parse ("csv", &format, NULL));
  g_assert_cmpint (format, ==, HEART_RECORDER_CSV);
  g_assert_false (heart_recorder_format_parse ("json", &format, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_cmpint (format, ==, HEART_RECORDER_CSV);
}

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/recorder/jsonl", test_jsonl, NULL);
  ADD ("/recorder/csv", test_csv, NULL);
  ADD ("/recorder/appends/jsonl", test_appends, GINT_TO_POINTER (HEART_RECORDER_JSONL));
  ADD ("/recorder/appends/csv", test_appends, GINT_TO_POINTER (HEART_RECORDER_CSV));
  ADD ("/recorder/appends/after-cut-line", test_appends_after_cut_line, NULL);
  ADD ("/recorder/appends/older-csv", test_appends_to_older_csv, NULL);
  ADD ("/recorder/refuses-other-file", test_refuses_other_file, NULL);
  ADD ("/recorder/dev-full", test_dev_full, NULL);
  ADD ("/recorder/file-size-limit", test_file_size_limit, NULL);
  ADD ("/recorder/unwritable", test_unwritable, NULL);
  ADD ("/recorder/deleted", test_deleted, NULL);
  g_test_add_func ("/recorder/format-parse", test_format_parse);

  return g_test_run ();
}
