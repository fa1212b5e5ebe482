/* test-replay-health.c: Apple Health exports played back as a source
 *
 * Small exports written by the test (no personal data), on a manual clock:
 * records of several types merged in time order, a beat series, sleep
 * stages, step counts and SDNN readings as channel values (and through a
 * recording of them), a bad date, malformed and truncated XML, files with
 * nothing to play. docs/replay.md, "Apple Health".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "heart-recorder.h"
#include "test-replay-util.h"

/* 2024-03-01 08:15:30 +0100 */
#define FIRST_US G_GINT64_CONSTANT (1709277330000000)

#define PROLOG \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
  "<!DOCTYPE HealthData [\n" \
  "<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>\n" \
  "<!ATTLIST HealthData locale CDATA #REQUIRED>\n" \
  "]>\n" \
  "<HealthData locale=\"en_US\">\n" \
  " <ExportDate value=\"2024-03-02 10:00:00 +0100\"/>\n" \
  " <Me HKCharacteristicTypeIdentifierDateOfBirth=\"\"/>\n"
/* line 9: 50 steps, played at its end (6 s after the first heart rate) */
#define STEPS \
  " <Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"Phone\" unit=\"count\"" \
  " startDate=\"2024-03-01 08:15:31 +0100\" endDate=\"2024-03-01 08:15:36 +0100\" value=\"50\"/>\n"
/* lines 10 to 13 */
#define HEART_RATES \
  " <Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Watch\" unit=\"count/min\"\n" \
  "  startDate=\"2024-03-01 08:15:30 +0100\" endDate=\"2024-03-01 08:15:30 +0100\" value=\"60\">\n" \
  "  <MetadataEntry key=\"HKMetadataKeyHeartRateMotionContext\" value=\"0\"/>\n" \
  " </Record>\n"
/* line 14 */
#define HEART_RATE_LAST \
  " <Record type=\"HKQuantityTypeIdentifierHeartRate\" unit=\"count/min\"" \
  " startDate=\"2024-03-01 08:15:40 +0100\" endDate=\"2024-03-01 08:15:40 +0100\" value=\"90\"/>\n"
/* lines 15 to 22: the first entry starts the count, the last follows a
 * gap; times of day as the phone's locale writes them; the SDNN, 40.5 ms,
 * at the window's end (10 s) */
#define HRV \
  " <Record type=\"HKQuantityTypeIdentifierHeartRateVariabilitySDNN\" unit=\"ms\"" \
  " startDate=\"2024-03-01 08:15:32 +0100\" endDate=\"2024-03-01 08:15:40 +0100\" value=\"40.5\">\n" \
  "  <HeartRateVariabilityMetadataList>\n" \
  "   <InstantaneousBeatsPerMinute bpm=\"60\" time=\"8:15:33.00 AM\"/>\n" \
  "   <InstantaneousBeatsPerMinute bpm=\"60\" time=\"08:15:34\"/>\n" \
  "   <InstantaneousBeatsPerMinute bpm=\"75\" time=\"8:15:34,80 AM\"/>\n" \
  "   <InstantaneousBeatsPerMinute bpm=\"60\" time=\"8:15:39.00 AM\"/>\n" \
  "  </HeartRateVariabilityMetadataList>\n" \
  " </Record>\n"
/* lines 23 and 24 */
#define SLEEP \
  " <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" value=\"HKCategoryValueSleepAnalysisAsleepDeep\"" \
  " startDate=\"2024-03-01 08:15:35 +0100\" endDate=\"2024-03-01 08:15:38 +0100\"/>\n" \
  " <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" value=\"HKCategoryValueSleepAnalysisAsleepREM\"" \
  " startDate=\"2024-03-01 08:15:38 +0100\" endDate=\"2024-03-01 08:15:39 +0100\"/>\n"
#define END "</HealthData>\n"

/* @contents as the export.xml of the fixture's folder */
static char *
write_export (TestReplayFixture *f,
              const char        *contents,
              gssize             length)
{
  return test_replay_write_file (f, "export.xml", contents, length);
}

/* A replay of @path on the manual clock */
static HeartReplay *
replay_open (TestReplayFixture   *f,
             const char          *path,
             HeartReplayOnError   on_error,
             GError             **error)
{
  return test_replay_open (f, error, "path", path, "manual-clock", TRUE, "on-error", on_error, NULL);
}

static const HeartSample *
sample_at (TestReplayFixture *f,
           double             t)
{
  for (guint i = 0; i < f->samples->len; i++)
    {
      const HeartSample *sample = &g_array_index (f->samples, HeartSample, i);

      if (fabs (sample->t_s - t) < 1e-6)
        return sample;
    }
  g_assert_not_reached ();
}

static const HeartChannelValue *
value_of (TestReplayFixture *f,
          HeartChannelId     channel)
{
  const HeartChannelValue *found = NULL;

  for (guint i = 0; i < f->channel_values->len; i++)
    if (g_array_index (f->channel_values, HeartChannelValue, i).channel == channel)
      {
        g_assert_null (found);
        found = &g_array_index (f->channel_values, HeartChannelValue, i);
      }
  g_assert_nonnull (found);
  return found;
}

/* The fixture's step count at its endDate and SDNN at its window's end, as
 * values of their channels, in time order */
static void
assert_steps_and_sdnn (TestReplayFixture *f)
{
  const HeartChannelValue *steps = value_of (f, HEART_CHANNEL_STEPS);
  const HeartChannelValue *sdnn = value_of (f, HEART_CHANNEL_HRV_SDNN);

  g_assert_cmpuint (f->channel_values->len, ==, 2);
  g_assert_cmpfloat (steps->value, ==, 50);
  g_assert_cmpfloat_with_epsilon (steps->t_s, 6, 1e-6);
  g_assert_cmpint (steps->timestamp_us, ==, FIRST_US + 6 * G_USEC_PER_SEC);
  g_assert_cmpfloat (sdnn->value, ==, 40.5);
  g_assert_cmpfloat_with_epsilon (sdnn->t_s, 10, 1e-6);
  g_assert_cmpint (sdnn->timestamp_us, ==, FIRST_US + 10 * G_USEC_PER_SEC);
  g_assert_true (steps < sdnn);
}

/* Types in the file's order (steps, heart rate, HRV, sleep) come out in
 * time order, with the beats of the series and the sleep stages */
static void
test_export (TestReplayFixture *f,
             gconstpointer      data)
{
  g_autofree char *path = write_export (f, PROLOG STEPS HEART_RATES HEART_RATE_LAST HRV SLEEP END, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_STOP, &error);
  const HeartBeat *beats;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (heart_replay_get_detected (replay), "Apple Health export: 2 heart-rate records"));
  g_assert_true (g_str_has_suffix (heart_replay_get_detected (replay), "2 sleep records, 1 step records"));
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 0);

  /* a sample every 0.5 s from the first record (08:15:30) to the last (08:15:40) */
  g_assert_cmpuint (f->samples->len, ==, 21);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 0).timestamp_us, ==, FIRST_US);
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 20).timestamp_us, ==, FIRST_US + 10 * G_USEC_PER_SEC);
  g_assert_cmpint (sample_at (f, 0)->bpm, ==, 60);
  g_assert_cmpstr (sample_at (f, 0)->condition, ==, "");
  g_assert_cmpint (sample_at (f, 4.5)->bpm, ==, 60);
  g_assert_cmpfloat_with_epsilon (sample_at (f, 4.5)->rr_ms, 1000, 1e-6);
  g_assert_cmpint (sample_at (f, 5)->bpm, ==, 75);
  g_assert_cmpstr (sample_at (f, 5)->condition, ==, "sleep_deep");
  g_assert_cmpstr (sample_at (f, 7.5)->condition, ==, "sleep_deep");
  g_assert_cmpstr (sample_at (f, 8)->condition, ==, "sleep_rem");
  g_assert_cmpstr (sample_at (f, 9)->condition, ==, "");
  g_assert_cmpint (sample_at (f, 10)->bpm, ==, 90);

  /* four entries: the first starts the count, two beats, then a gap */
  g_assert_cmpuint (f->beats->len, ==, 2);
  beats = (const HeartBeat *) f->beats->data;
  g_assert_cmpfloat_with_epsilon (beats[0].rr_ms, 1000, 1e-6);
  g_assert_cmpfloat_with_epsilon (beats[0].t_s, 4, 1e-6);
  g_assert_cmpint (beats[0].timestamp_us, ==, FIRST_US + 4 * G_USEC_PER_SEC);
  g_assert_cmpfloat_with_epsilon (beats[1].rr_ms, 800, 1e-6);
  g_assert_cmpfloat_with_epsilon (beats[1].t_s, 4.8, 1e-6);

  assert_steps_and_sdnn (f);
}

/* A record with a bad date is reported with its line, and skipped or stops */
static void
test_bad_date (TestReplayFixture *f,
               gconstpointer      data)
{
  HeartReplayOnError on_error = GPOINTER_TO_INT (data);
  g_autofree char *contents = g_strconcat (PROLOG STEPS HEART_RATES, HEART_RATE_LAST, END, NULL);
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  char *date = strstr (contents, "08:15:40");

  /* line 14: "2024-03-01 08:75:40 +0100" */
  date[3] = '7';
  path = write_export (f, contents, -1);
  expected = g_strdup_printf ("%s:14: bad or missing \"startDate\"", path);
  replay = replay_open (f, path, on_error, &error);
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->problems, 0), ==, expected);
  /* a stop leaves the made samples after the first heart rate unmade; a
   * skip makes them up to the step count at 6 s */
  g_assert_cmpuint (f->samples->len, ==, on_error == HEART_REPLAY_ON_ERROR_STOP ? 0 : 13);
  if (on_error == HEART_REPLAY_ON_ERROR_STOP)
    {
      g_assert_cmpstr (heart_replay_get_state (replay), ==, "failed");
      g_assert_cmpstr (heart_replay_get_error (replay)->message, ==, expected);
    }
  else
    {
      g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
      g_assert_cmpuint (heart_replay_get_skipped (replay), ==, 1);
    }
}

/* A step record with a bad endDate is reported with its line and skipped;
 * the step counts around it play */
static void
test_bad_steps (TestReplayFixture *f,
                gconstpointer      data)
{
  const char *bad = " <Record type=\"HKQuantityTypeIdentifierStepCount\" startDate=\"2024-03-01 08:15:32 +0100\""
                    " endDate=\"2024-03-01 08:15:31 +0100\" value=\"7\"/>\n";
  const char *later = " <Record type=\"HKQuantityTypeIdentifierStepCount\" startDate=\"2024-03-01 08:15:33 +0100\""
                      " endDate=\"2024-03-01 08:15:38 +0100\" value=\"12\"/>\n";
  g_autofree char *contents = g_strconcat (PROLOG STEPS, bad, later, HEART_RATES HEART_RATE_LAST END, NULL);
  g_autofree char *path = write_export (f, contents, -1);
  g_autofree char *expected = g_strdup_printf ("%s:10: bad or missing \"endDate\"", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_SKIP, &error);
  const HeartChannelValue *values;

  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->problems, 0), ==, expected);
  g_assert_cmpuint (f->channel_values->len, ==, 2);
  values = (const HeartChannelValue *) f->channel_values->data;
  g_assert_cmpfloat (values[0].value, ==, 50);
  g_assert_cmpint (values[0].timestamp_us, ==, FIRST_US + 6 * G_USEC_PER_SEC);
  g_assert_cmpfloat (values[1].value, ==, 12);
  g_assert_cmpint (values[1].timestamp_us, ==, FIRST_US + 8 * G_USEC_PER_SEC);
}

/* A recording made while the export plays (docs/recording.md) has the step
 * count and the SDNN as value lines, and replayed gives them back */
static void
test_recorded (TestReplayFixture *f,
               gconstpointer      data)
{
  HeartRecorderFormat format = GPOINTER_TO_INT (data);
  g_autofree char *path = write_export (f, PROLOG STEPS HEART_RATES HEART_RATE_LAST HRV SLEEP END, -1);
  g_autofree char *recording = g_build_filename (f->folder, format == HEART_RECORDER_CSV ? "rec.csv" : "rec.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_STOP, &error);
  g_autoptr(HeartRecorder) recorder = NULL;
  g_autoptr(HeartReplay) again = NULL;

  g_assert_no_error (error);
  recorder = heart_recorder_new (HEART_SOURCE (replay));
  heart_recorder_set_path (recorder, recording);
  heart_recorder_set_format (recorder, format);
  g_assert_true (heart_recorder_start (recorder, &error));
  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_true (heart_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  assert_steps_and_sdnn (f);

  g_array_set_size (f->channel_values, 0);
  g_array_set_size (f->samples, 0);
  again = replay_open (f, recording, HEART_REPLAY_ON_ERROR_STOP, &error);
  g_assert_no_error (error);
  test_replay_play_through (again);
  g_assert_cmpstr (heart_replay_get_state (again), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 0);
  g_assert_cmpuint (f->samples->len, ==, 21);
  assert_steps_and_sdnn (f);
}

/* An export cut mid-record plays up to the cut, then says where it ends */
static void
test_truncated (TestReplayFixture *f,
                gconstpointer      data)
{
  HeartReplayOnError on_error = GPOINTER_TO_INT (data);
  const char *whole = PROLOG STEPS HEART_RATES HEART_RATE_LAST HRV SLEEP END;
  /* in the middle of the second sleep record, line 24 */
  const char *cut = strstr (whole, "AsleepREM");
  g_autofree char *path = write_export (f, whole, cut - whole);
  g_autofree char *prefix = g_strdup_printf ("%s:24: malformed XML: ", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, on_error, &error);

  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->problems, 0), prefix));
  g_assert_cmpuint (f->beats->len, ==, 2);
  /* the first sleep stage is whole and played, to its end at 08:15:38 */
  g_assert_cmpstr (sample_at (f, 7.5)->condition, ==, "sleep_deep");
  g_assert_cmpstr (sample_at (f, 8)->condition, ==, "");
  g_assert_cmpint (sample_at (f, 9.5)->bpm, ==, 75);
  if (on_error == HEART_REPLAY_ON_ERROR_SKIP)
    g_assert_cmpint (sample_at (f, 10)->bpm, ==, 90);
  g_assert_cmpstr (heart_replay_get_state (replay), ==,
                   on_error == HEART_REPLAY_ON_ERROR_STOP ? "failed" : "ended");
}

/* Malformed XML in the middle: what comes before it plays */
static void
test_malformed_xml (TestReplayFixture *f,
                    gconstpointer      data)
{
  /* line 15 closes what it did not open */
  g_autofree char *path = write_export (f, PROLOG STEPS HEART_RATES HEART_RATE_LAST "</Record>\n" HRV END, -1);
  g_autofree char *prefix = g_strdup_printf ("%s:15: malformed XML: ", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_SKIP, &error);

  g_assert_no_error (error);
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->problems, 0), prefix));
  g_assert_cmpuint (f->samples->len, ==, 21);
  g_assert_cmpuint (f->beats->len, ==, 0);
}

/* Files that cannot be played are refused when opened, saying why */
static void
test_nothing_to_play (TestReplayFixture *f,
                      gconstpointer      data)
{
  static const struct { const char *contents; int code; const char *why; } cases[] = {
    { PROLOG " <Record type=\"HKQuantityTypeIdentifierActiveEnergyBurned\" value=\"3\"/>\n" END,
      HEART_REPLAY_ERROR_EMPTY, "no heart-rate, HRV, sleep or step records" },
    { PROLOG END, HEART_REPLAY_ERROR_EMPTY, "no heart-rate, HRV, sleep or step records" },
    { "<?xml version=\"1.0\"?>\n<svg><g/></svg>\n", HEART_REPLAY_ERROR_FORMAT, "not an Apple Health export" },
    { "<?xml version=\"1.0\"?>\n", HEART_REPLAY_ERROR_FORMAT, "no <HealthData> element" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_export (f, cases[i].contents, -1);
      g_autoptr(GError) error = NULL;
      g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_SKIP, &error);

      g_assert_null (replay);
      g_assert_error (error, HEART_REPLAY_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, path));
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].why));
    }
}

/* A loop plays the export again, timestamps moving on */
static void
test_loop_and_seek (TestReplayFixture *f,
                    gconstpointer      data)
{
  g_autofree char *path = write_export (f, PROLOG STEPS HEART_RATES HEART_RATE_LAST HRV SLEEP END, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = replay_open (f, path, HEART_REPLAY_ON_ERROR_STOP, &error);

  g_assert_no_error (error);
  g_assert_true (heart_replay_seek (replay, 5, &error));
  g_assert_no_error (error);
  heart_replay_set_loop (replay, TRUE);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  heart_replay_advance (replay, 16.0);
  heart_source_set_running (HEART_SOURCE (replay), FALSE);
  g_assert_cmpuint (f->problems->len, ==, 0);
  /* from 5 s to the end, and a second pass */
  g_assert_cmpstr (g_array_index (f->samples, HeartSample, 0).condition, ==, "sleep_deep");
  g_assert_cmpint (g_array_index (f->samples, HeartSample, 0).timestamp_us, ==, FIRST_US + 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (f->beats->len, ==, 2);
  g_assert_cmpuint (f->samples->len, >, 21);
  for (guint i = 1; i < f->samples->len; i++)
    g_assert_cmpint (g_array_index (f->samples, HeartSample, i).timestamp_us, >,
                     g_array_index (f->samples, HeartSample, i - 1).timestamp_us);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_replay_add ("/replay/health/export", NULL, test_export);
  test_replay_add ("/replay/health/bad-date/skip", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_SKIP), test_bad_date);
  test_replay_add ("/replay/health/bad-date/stop", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_STOP), test_bad_date);
  test_replay_add ("/replay/health/bad-steps", NULL, test_bad_steps);
  test_replay_add ("/replay/health/recorded/jsonl", GINT_TO_POINTER (HEART_RECORDER_JSONL), test_recorded);
  test_replay_add ("/replay/health/recorded/csv", GINT_TO_POINTER (HEART_RECORDER_CSV), test_recorded);
  test_replay_add ("/replay/health/truncated/skip", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_SKIP), test_truncated);
  test_replay_add ("/replay/health/truncated/stop", GINT_TO_POINTER (HEART_REPLAY_ON_ERROR_STOP), test_truncated);
  test_replay_add ("/replay/health/malformed-xml", NULL, test_malformed_xml);
  test_replay_add ("/replay/health/nothing-to-play", NULL, test_nothing_to_play);
  test_replay_add ("/replay/health/loop-and-seek", NULL, test_loop_and_seek);

  return g_test_run ();
}
