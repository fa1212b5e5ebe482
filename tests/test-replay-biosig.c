/* test-replay-biosig.c: EDF, EDF+ and WFDB recordings played back as a
 * source, through libbiosig
 *
 * Small files written by the test: a synthetic ECG of Gaussian R waves at
 * known RR intervals (R peaks detected), an EDF+ file with beat
 * annotations, a WFDB record, a file cut short and one libbiosig cannot
 * read. Without libbiosig in the build every test is skipped.
 * docs/replay.md, "EDF, BDF, GDF and WFDB".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-generate-util.h"
#include "test-replay-util.h"

#define FS          250
#define SECONDS     10
/* 2024-03-01 08:15:30 UTC */
#define START_US    G_GINT64_CONSTANT (1709280930000000)

/* R waves at these times, s: RR intervals of 800, 750, 900, 850, 700,
 * 950, 800, 820, 760, 880 ms */
static const double beat_s[] = { 0.5, 1.3, 2.05, 2.95, 3.8, 4.5, 5.45, 6.25, 7.07, 7.83, 8.71 };

/* The synthetic ECG, mV: R waves (σ 10 ms) and T waves (σ 40 ms, 250 ms
 * after), on a slow baseline wander */
static double
ecg_at (double t)
{
  double v = 0.1 * sin (2 * G_PI * 0.3 * t);

  for (guint i = 0; i < G_N_ELEMENTS (beat_s); i++)
    {
      double r = (t - beat_s[i]) / 0.010, tw = (t - beat_s[i] - 0.25) / 0.040;

      v += exp (-0.5 * r * r) + 0.3 * exp (-0.5 * tw * tw);
    }
  return v;
}

static void
field (GString    *s,
       const char *value,
       gsize       width)
{
  gsize start = s->len;

  g_string_append_len (s, value, (gssize) MIN (strlen (value), width));
  while (s->len < start + width)
    g_string_append_c (s, ' ');
}

static void
put_int16 (GString *s,
           int      v)
{
  guint16 u = (guint16) CLAMP (v, -32768, 32767);

  g_string_append_c (s, (char) (u & 0xff));
  g_string_append_c (s, (char) (u >> 8));
}

/* An EDF file: one 1-s record a second, the ECG (0.1 µV a unit) and, for
 * EDF+, an annotation channel with a beat ("N") at each of beat_s */
static GString *
make_edf (gboolean annotations)
{
  guint ns = annotations ? 2 : 1;
  guint ann_spr = 60;   /* 120 bytes a record */
  GString *s = g_string_new (NULL);
  g_autofree char *header_bytes = g_strdup_printf ("%u", 256 * (ns + 1));
  g_autofree char *records = g_strdup_printf ("%d", SECONDS);
  g_autofree char *n_signals = g_strdup_printf ("%u", ns);
  g_autofree char *spr = g_strdup_printf ("%d", FS);
  g_autofree char *ann_spr_text = g_strdup_printf ("%u", ann_spr);

  field (s, "0", 8);
  field (s, annotations ? "X X X X" : "test", 80);
  field (s, annotations ? "Startdate 01-MAR-2024 X X X" : "synthetic ECG", 80);
  field (s, "01.03.24", 8);
  field (s, "08.15.30", 8);
  field (s, header_bytes, 8);
  field (s, annotations ? "EDF+C" : "", 44);
  field (s, records, 8);
  field (s, "1", 8);
  field (s, n_signals, 4);
  field (s, "ECG I", 16);
  if (annotations)
    field (s, "EDF Annotations", 16);
  field (s, "AgAgCl electrode", 80);
  if (annotations)
    field (s, "", 80);
  field (s, "mV", 8);
  if (annotations)
    field (s, "", 8);
  field (s, "-3.2768", 8);
  if (annotations)
    field (s, "-1", 8);
  field (s, "3.2767", 8);
  if (annotations)
    field (s, "1", 8);
  field (s, "-32768", 8);
  if (annotations)
    field (s, "-32768", 8);
  field (s, "32767", 8);
  if (annotations)
    field (s, "32767", 8);
  field (s, "", 80);
  if (annotations)
    field (s, "", 80);
  field (s, spr, 8);
  if (annotations)
    field (s, ann_spr_text, 8);
  field (s, "", 32);
  if (annotations)
    field (s, "", 32);
  g_assert_cmpuint (s->len, ==, 256 * (ns + 1));

  for (int r = 0; r < SECONDS; r++)
    {
      for (int i = 0; i < FS; i++)
        put_int16 (s, annotations ? 0 : (int) lround (ecg_at (r + (double) i / FS) * 10000));
      if (annotations)
        {
          g_autoptr(GString) tal = g_string_new (NULL);

          g_string_append_printf (tal, "+%d\x14\x14", r);
          g_string_append_c (tal, '\0');
          for (guint b = 0; b < G_N_ELEMENTS (beat_s); b++)
            if (beat_s[b] >= r && beat_s[b] < r + 1)
              {
                g_string_append_printf (tal, "+%.3f\x14N\x14", beat_s[b]);
                g_string_append_c (tal, '\0');
              }
          g_assert_cmpuint (tal->len, <=, 2 * ann_spr);
          while (tal->len < 2 * ann_spr)
            g_string_append_c (tal, '\0');
          g_string_append_len (s, tal->str, (gssize) tal->len);
        }
    }
  return s;
}

/* Every RR interval of beat_s, from the second beat, within @tolerance ms */
static void
assert_beats (TestReplayFixture *f,
              double             tolerance_ms)
{
  g_assert_cmpuint (f->beats->len, ==, G_N_ELEMENTS (beat_s) - 1);
  for (guint i = 0; i < f->beats->len; i++)
    {
      const HeartBeat *beat = &g_array_index (f->beats, HeartBeat, i);
      double rr = (beat_s[i + 1] - beat_s[i]) * 1000;

      g_assert_cmpfloat_with_epsilon (beat->rr_ms, rr, tolerance_ms);
    }
  /* the samples' heart rate is the latest interval's */
  g_assert_cmpuint (f->samples->len, >, 10);
  for (guint i = 0; i < f->samples->len; i++)
    {
      const HeartSample *sample = &g_array_index (f->samples, HeartSample, i);

      g_assert_cmpint (sample->bpm, >=, 60000 / 950 - 1);
      g_assert_cmpint (sample->bpm, <=, 60000 / 700 + 1);
    }
}

static gboolean
skip_without_biosig (void)
{
#if !HAVE_BIOSIG
  g_test_skip ("built without libbiosig (the biosig feature): CI installs it with build-aux/install-deps.sh");
  return TRUE;
#else
  return FALSE;
#endif
}

/* R peaks detected in the ECG channel of a plain EDF file */
static void
test_edf_detected (TestReplayFixture *f,
                   gconstpointer      data)
{
  g_autoptr(GString) edf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  if (skip_without_biosig ())
    return;
  edf = make_edf (FALSE);
  path = test_replay_write_file (f, "ecg.edf", edf->str, (gssize) edf->len);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==, "EDF: R peaks detected in channel 1 “ECG I” at 250 Hz");
  test_replay_play_through (replay);
  g_assert_cmpstr (heart_replay_get_state (replay), ==, "ended");
  g_assert_cmpuint (f->problems->len, ==, 0);
  /* a sample is 4 ms: an interval is off by at most two */
  assert_beats (f, 8.5);
  /* stamped from the file's start */
  g_assert_cmpint (llabs (g_array_index (f->beats, HeartBeat, 0).timestamp_us
                          - (START_US + (gint64) (beat_s[1] * G_USEC_PER_SEC))), <, 10000);
}

/* --columns ecg=N names the channel: checked as an option, and used */
static void
test_ecg_override (TestReplayFixture *f,
                   gconstpointer      data)
{
  g_autoptr(GString) edf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  g_assert_true (heart_replay_check_columns ("ecg=1", NULL));
  g_assert_false (heart_replay_check_columns ("ecg=0", NULL));
  g_assert_false (heart_replay_check_columns ("ecg=1,time=2", NULL));
  if (skip_without_biosig ())
    return;
  edf = make_edf (FALSE);
  path = test_replay_write_file (f, "ecg.edf", edf->str, (gssize) edf->len);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, "columns", "ecg=2", NULL);
  g_assert_null (replay);
  g_assert_nonnull (strstr (error->message, "ecg=N, N a channel from 1 to 1"));
  g_clear_error (&error);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, "columns", "ecg=1", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==, "EDF: R peaks detected in channel 1 “ECG I” at 250 Hz");
}

/* Beats from an EDF+ file's annotations, not from its (flat) signal */
static void
test_edf_annotations (TestReplayFixture *f,
                      gconstpointer      data)
{
  g_autoptr(GString) edf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  if (skip_without_biosig ())
    return;
  edf = make_edf (TRUE);
  path = test_replay_write_file (f, "annotated.edf", edf->str, (gssize) edf->len);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (heart_replay_get_detected (replay), ==, "EDF: beats from 11 annotations");
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 0);
  /* libbiosig keeps annotation times on the sample grid (4 ms) */
  assert_beats (f, 4.5);
}

/* A WFDB record: its .hea header and a format-16 .dat */
static void
test_wfdb_detected (TestReplayFixture *f,
                    gconstpointer      data)
{
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autofree char *hea = NULL;
  g_autofree char *dat_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  if (skip_without_biosig ())
    return;
  for (int i = 0; i < FS * SECONDS; i++)
    put_int16 (dat, (int) lround (ecg_at ((double) i / FS) * 200));
  dat_path = test_replay_write_file (f, "rec.dat", dat->str, (gssize) dat->len);
  hea = test_replay_write_file (f, "rec.hea",
                                "rec 1 250 2500\n"
                                "rec.dat 16 200 16 0 0 0 0 MLII\n", -1);
  replay = test_replay_open (f, &error, "path", hea, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (heart_replay_get_detected (replay), "R peaks detected in channel 1 “MLII” at 250 Hz"));
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 0);
  assert_beats (f, 8.5);
}

/* A WFDB record with an annotation file: its normal beats, and not its
 * other annotations (a rhythm change) */
static void
test_wfdb_annotations (TestReplayFixture *f,
                       gconstpointer      data)
{
  g_autoptr(GString) dat = g_string_new (NULL);
  g_autoptr(GString) atr = g_string_new (NULL);
  g_autofree char *hea = NULL;
  g_autofree char *dat_path = NULL;
  g_autofree char *atr_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  int previous = 0;

  if (skip_without_biosig ())
    return;
  /* a flat signal: the beats can only come from the annotations */
  for (int i = 0; i < FS * SECONDS; i++)
    put_int16 (dat, 0);
  /* MIT format: 16-bit words, the code in the top 6 bits, the samples
   * since the last annotation in the other 10; 1 is a normal beat, 28 a
   * rhythm change, 0 the end */
  for (guint b = 0; b < G_N_ELEMENTS (beat_s); b++)
    {
      int at = (int) lround (beat_s[b] * FS);

      put_int16 (atr, (1 << 10) | (at - previous));
      previous = at;
      if (b == 3)
        {
          put_int16 (atr, (28 << 10) | 5);
          previous += 5;
        }
    }
  put_int16 (atr, 0);
  dat_path = test_replay_write_file (f, "rec.dat", dat->str, (gssize) dat->len);
  atr_path = test_replay_write_file (f, "rec.atr", atr->str, (gssize) atr->len);
  hea = test_replay_write_file (f, "rec.hea",
                                "rec 1 250 2500\n"
                                "rec.dat 16 200 16 0 0 0 0 MLII\n", -1);
  replay = test_replay_open (f, &error, "path", hea, "manual-clock", TRUE, NULL);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (heart_replay_get_detected (replay), "beats from 11 annotations"));
  test_replay_play_through (replay);
  g_assert_cmpuint (f->problems->len, ==, 0);
  assert_beats (f, 4.5);
}

/* A file cut in its sixth record: refused or played up to the cut, and
 * said, never a crash */
static void
test_truncated (TestReplayFixture *f,
                gconstpointer      data)
{
  g_autoptr(GString) edf = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;

  if (skip_without_biosig ())
    return;
  edf = make_edf (FALSE);
  path = test_replay_write_file (f, "cut.edf", edf->str, 512 + 5 * FS * 2 + 100);
  replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
  if (replay == NULL)
    {
      g_assert_nonnull (strstr (error->message, path));
      return;
    }
  test_replay_play_through (replay);
  g_assert_cmpuint (f->beats->len, <, G_N_ELEMENTS (beat_s) - 1);
  g_assert_cmpuint (f->problems->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 0), path));
  g_assert_nonnull (strstr (g_ptr_array_index (f->problems, 0), "cut short"));
}

/* EDF headers that lie (about the signals, their samples, the records)
 * are refused before libbiosig, which trusts them, reads them; and
 * headers with a few bytes changed at random open or are refused, never
 * crash or hang */
static void
test_bad_headers (TestReplayFixture *f,
                  gconstpointer      data)
{
  static const struct {
    gsize       offset;
    const char *field;
    const char *message;
  } lies[] = {
    { 252, "9999", "number of signals" },
    { 184, "100     ", "header length" },
    { 236, "99999999", "records, the file holds 10" },
    { 256 + 216, "x       ", "samples per record" },
    { 256 + 120, "40000   ", "usable range" },
  };
  g_autoptr(GString) edf = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  if (skip_without_biosig ())
    return;
  edf = make_edf (FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (lies); i++)
    {
      g_autoptr(GString) copy = g_string_new_len (edf->str, (gssize) edf->len);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(HeartReplay) replay = NULL;

      memcpy (copy->str + lies[i].offset, lies[i].field, strlen (lies[i].field));
      path = test_replay_write_file (f, "lies.edf", copy->str, (gssize) copy->len);
      replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
      g_assert_null (replay);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, lies[i].message));
    }
  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GString) copy = g_string_new_len (edf->str, (gssize) edf->len);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(HeartReplay) replay = NULL;

      for (guint k = 0; k < 4; k++)
        copy->str[g_rand_int_range (rand, 0, 512)] = (char) g_rand_int_range (rand, 0, 256);
      path = test_replay_write_file (f, "changed.edf", copy->str, (gssize) copy->len);
      replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
      if (replay == NULL)
        g_assert_nonnull (strstr (error->message, path));
      else
        test_replay_play_through (replay);
    }
}

/* Named like EDF but not one: refused with a message naming it */
static void
test_unreadable (TestReplayFixture *f,
                 gconstpointer      data)
{
  static const char junk[] = "\x01\x02\x03\x00\xff\xfe not an EDF file";
  g_autofree char *path = test_replay_write_file (f, "junk.edf", junk, sizeof junk);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);

  g_assert_null (replay);
  g_assert_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, path));
#if HAVE_BIOSIG
  g_assert_nonnull (strstr (error->message, "libbiosig cannot read it"));
#else
  g_assert_nonnull (strstr (error->message, "this build cannot read EDF/BDF/GDF/WFDB: built without libbiosig"));
#endif
}

/* The beat types of `generate --what beats` (the CSV's last column), after
 * the first beat, which a replay only uses as the start of an interval */
static GStrv
generated_beat_types (const char *pvc,
                      const char *pac,
                      GArray     *rr_ms)
{
  g_auto(Run) run = { 0 };
  g_auto(GStrv) lines = NULL;
  GPtrArray *types = g_ptr_array_new ();

  generate (&run, "--what", "beats", "--format", "csv", "--seed", "21", "--duration", "3m",
            "--pvc-per-hour", pvc, "--pac-per-hour", pac, NULL);
  g_assert_cmpint (run.status, ==, 0);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 2; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      guint n = g_strv_length (cells);
      double rr = g_ascii_strtod (cells[2], NULL);

      g_ptr_array_add (types, g_strdup (cells[n - 1]));
      g_array_append_val (rr_ms, rr);
    }
  g_ptr_array_add (types, NULL);
  return (GStrv) g_ptr_array_free (types, FALSE);
}

/* Our own EDF+ and WFDB records replay with their premature beats, typed,
 * and intervals as generated */
static void
test_own_records (TestReplayFixture *f,
                  gconstpointer      data)
{
  static const char *const outputs[] = { "ectopy.edf", "ectopy" };
  static const char *const formats[] = { "edf", "wfdb" };
  g_autoptr(GArray) rr_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(GStrv) types = NULL;

  if (skip_without_biosig ())
    return;
  types = generated_beat_types ("600", "600", rr_ms);
  g_assert_true (g_strv_contains ((const char * const *) types, "V"));
  g_assert_true (g_strv_contains ((const char * const *) types, "S"));
  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      g_autofree char *output = g_build_filename (f->folder, outputs[k], NULL);
      g_autofree char *path = g_strconcat (output, k == 1 ? ".hea" : "", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(HeartReplay) replay = NULL;
      g_auto(Run) run = { 0 };

      generate (&run, "--what", "ecg", "--format", formats[k], "--seed", "21", "--duration", "3m",
                "--pvc-per-hour", "600", "--pac-per-hour", "600", "--output", output, NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_array_set_size (f->beats, 0);
      replay = test_replay_open (f, &error, "path", path, "manual-clock", TRUE, NULL);
      g_assert_no_error (error);
      test_replay_play_through (replay);
      g_assert_cmpuint (f->beats->len, ==, g_strv_length (types));
      for (guint i = 0; i < f->beats->len; i++)
        {
          const HeartBeat *beat = &g_array_index (f->beats, HeartBeat, i);

          g_assert_cmpstr (heart_beat_type_code (beat->type), ==, types[i]);
          /* annotations sit on the sample grid: 4 ms */
          g_assert_cmpfloat (fabs (beat->rr_ms - g_array_index (rr_ms, double, i)), <=, 4.5);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  test_replay_add ("/replay/biosig/edf-detected", NULL, test_edf_detected);
  test_replay_add ("/replay/biosig/ecg-override", NULL, test_ecg_override);
  test_replay_add ("/replay/biosig/edf-annotations", NULL, test_edf_annotations);
  test_replay_add ("/replay/biosig/wfdb-detected", NULL, test_wfdb_detected);
  test_replay_add ("/replay/biosig/wfdb-annotations", NULL, test_wfdb_annotations);
  test_replay_add ("/replay/biosig/truncated", NULL, test_truncated);
  test_replay_add ("/replay/biosig/bad-headers", NULL, test_bad_headers);
  test_replay_add ("/replay/biosig/unreadable", NULL, test_unreadable);
  test_replay_add ("/replay/biosig/own-records", NULL, test_own_records);

  return g_test_run ();
}
