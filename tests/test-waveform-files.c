/* test-waveform-files.c: `heartsim generate --what ecg,ppg` as CSV, EDF+
 * and WFDB files
 *
 * Runs the built binary as a user does, and reads what it wrote: the CSV
 * as text, the EDF+ file and the WFDB records through libbiosig (and the
 * WFDB header and annotations byte by byte, as header(5) and annot(5) lay
 * them out). The samples and marks are compared with the model's own,
 * made in this process from the same options (heart-dataset.h), the beats
 * with `--what beats` of the same seed. docs/datasets.md, "Waveforms".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#if HAVE_BIOSIG
# include <biosig.h>
#endif

#include "heart-dataset.h"
#include "heart-scenario-file.h"
#include "heart-waveform-files.h"
#include "test-generate-util.h"

#define SEED "7"
/* a half second past a whole one: the last EDF record is padded */
#define DURATION "4m30.5s"
#define DURATION_S 270.5
#define START "2026-03-01T08:00:00.250Z"
#define START_US G_GINT64_CONSTANT (1772352000250000)
#define SCENARIO "demo"
#define ECG_RATE 250
#define PPG_RATE 64
#define FSIZE_LIMIT_BYTES (64 * 1024)
#define DEADLINE_US (30 * G_USEC_PER_SEC)
#define POLL_US (10 * 1000)
#define GDF_UNIX_EPOCH_DAYS 719529.0
/* WFDB's gains (heart-waveform-wfdb.c) */
#define WFDB_ECG_GAIN 1000.0
#define WFDB_PPG_GAIN 10000.0
#define MIT_NOTE 22
#define OLD_CONTENTS "precious\n"

/* The arguments of every run here but the format and output; the PPG
 * alone has no lead-off */
#define PERSON_ARGS "--seed", SEED, "--duration", DURATION, "--start", START, \
  "--scenario", SCENARIO, "--pvc-per-hour", "120", "--pac-per-hour", "120", "--noise", "all"
#define RUN_ARGS "--what", "ecg,ppg", PERSON_ARGS, "--lead-off-per-hour", "120"

typedef struct
{
  HeartChannelId channel;   /* ECG, PPG, or the condition */
  double         t_s;
  char           code[HEART_LABEL_MAX];
} Mark;

/* What the model makes for RUN_ARGS, cut to the duration as the files are */
typedef struct
{
  GArray *ecg;     /* float */
  GArray *ppg;     /* float */
  GArray *marks;   /* Mark, the waveforms' and the phases, as they come */
} Reference;


/* ------------------------------------------------------------ reference */

static void
on_reference_waveform (HeartSimulator           *simulator,
                       const HeartWaveformBlock *block,
                       Reference                *ref)
{
  GArray *values = block->channel == HEART_CHANNEL_ECG ? ref->ecg : ref->ppg;

  g_assert_cmpuint (block->first_index, ==, values->len);
  g_array_append_vals (values, block->values, block->n_values);
  for (guint i = 0; i < block->n_marks; i++)
    {
      Mark mark = { block->channel, block->marks[i].t_s, "" };

      g_strlcpy (mark.code, block->marks[i].code, sizeof mark.code);
      if (mark.t_s < DURATION_S)
        g_array_append_val (ref->marks, mark);
    }
}

static void
on_reference_values (HeartSimulator          *simulator,
                     const HeartChannelValue *values,
                     guint                    n_values,
                     Reference               *ref)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_CONDITION && values[i].t_s < DURATION_S)
      {
        Mark mark = { HEART_CHANNEL_CONDITION, values[i].t_s, "" };

        g_strlcpy (mark.code, values[i].label, sizeof mark.code);
        g_array_append_val (ref->marks, mark);
      }
}

/* The options RUN_ARGS give (heart-generate.c) */
static void
run_options (HeartDatasetOptions *options,
             HeartScenario       *scenario)
{
  heart_dataset_options_init (options);
  options->kind = HEART_DATASET_WAVEFORMS;
  options->seed = 7;
  options->duration_s = DURATION_S;
  options->start_time_us = START_US;
  options->scenario = scenario;
  options->waveform_settings.pvc_per_hour = 120;
  options->waveform_settings.pac_per_hour = 120;
  options->waveform_settings.lead_off_per_hour = 120;
  options->waveform_settings.noise = HEART_WAVEFORM_NOISE_ALL;
}

static void
reference_make (Reference *ref)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartScenario) scenario = heart_scenario_load (SCENARIO, &error);
  g_autoptr(HeartSimulator) simulator = NULL;
  GError *stop = NULL;
  HeartDatasetOptions options;

  g_assert_no_error (error);
  run_options (&options, scenario);
  ref->ecg = g_array_new (FALSE, FALSE, sizeof (float));
  ref->ppg = g_array_new (FALSE, FALSE, sizeof (float));
  ref->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  simulator = heart_dataset_new_simulator (&options, HEART_CHANNEL_MASK_WAVEFORMS
                                                     | HEART_CHANNEL_BIT (HEART_CHANNEL_CONDITION));
  g_signal_connect (simulator, "waveform", G_CALLBACK (on_reference_waveform), ref);
  g_signal_connect (simulator, "values", G_CALLBACK (on_reference_values), ref);
  heart_dataset_run (&options, simulator, TRUE, &stop, NULL, NULL);
  g_array_set_size (ref->ecg, (guint) ceil (DURATION_S * ECG_RATE - 1e-9));
  g_array_set_size (ref->ppg, (guint) ceil (DURATION_S * PPG_RATE - 1e-9));
}

static void
reference_clear (Reference *ref)
{
  g_clear_pointer (&ref->ecg, g_array_unref);
  g_clear_pointer (&ref->ppg, g_array_unref);
  g_clear_pointer (&ref->marks, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reference, reference_clear)

/* The marks of @channel (with a beat code when @beats), in time order */
static GArray *
reference_marks (const Reference *ref,
                 HeartChannelId   channel,
                 gboolean         beats_only)
{
  GArray *marks = g_array_new (FALSE, FALSE, sizeof (Mark));

  for (guint i = 0; i < ref->marks->len; i++)
    {
      const Mark *mark = &g_array_index (ref->marks, Mark, i);
      gboolean beat = g_str_equal (mark->code, "N") || g_str_equal (mark->code, "V") || g_str_equal (mark->code, "S");

      if (mark->channel == channel && (!beats_only || beat))
        g_array_append_vals (marks, mark, 1);
    }
  return marks;
}

static guint
count_code (GArray     *marks,
            const char *code)
{
  guint n = 0;

  for (guint i = 0; i < marks->len; i++)
    n += g_str_equal (g_array_index (marks, Mark, i).code, code);
  return n;
}

/* ---------------------------------------------------------------- runs */

static char *
in_folder (const Fixture *fixture,
           const char    *name)
{
  return g_build_filename (fixture->folder, name, NULL);
}

static void
assert_success (const Run *run)
{
  g_test_message ("stderr: %s", run->err);
  g_assert_true (g_spawn_check_wait_status (run->status, NULL));
  g_assert_cmpstr (run->err, ==, "");
}

/* Splits a text file into lines, without the last empty one */
static GStrv
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStrv lines;
  guint n;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_free (lines[n - 1]);
  lines[n - 1] = NULL;
  return lines;
}

/* "2026-03-01T08:00:00.254Z" for @us */
static char *
format_timestamp (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autofree char *seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, (int) ((us % G_USEC_PER_SEC) / 1000));
}

static double
parse_number (const char *text)
{
  char *end;
  double value = g_ascii_strtod (text, &end);

  g_assert_true (*text != '\0' && *end == '\0');
  return value;
}

/* ----------------------------------------------------------------- CSV */

/* One row a sample, with the model's values to the 3 decimals written;
 * beside the ECG the PPG column holds the latest PPG sample */
static void
test_csv_columns (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(Reference) ref = { 0 };
  g_autofree char *both = in_folder (fixture, "both.csv");
  g_autofree char *ppg_only = in_folder (fixture, "ppg.csv");
  g_autofree char *ecg_only = in_folder (fixture, "ecg");
  g_autofree char *both_notes = in_folder (fixture, "both.annotations.csv");
  g_autofree char *listing = NULL, *ppg_text = NULL;
  g_auto(GStrv) lines = NULL, notes = NULL, ppg_lines = NULL, ecg_lines = NULL;
  g_auto(Run) run1 = { 0 }, run2 = { 0 }, run3 = { 0 }, run4 = { 0 };
  guint n_ecg, n_ppg, ecg_marks = 0, ppg_marks = 0, phases = 0;
  double last_t = -1;

  reference_make (&ref);
  n_ecg = ref.ecg->len;
  n_ppg = ref.ppg->len;
  g_assert_cmpuint (n_ecg, ==, 67625);
  g_assert_cmpuint (n_ppg, ==, 17312);

  generate (&run1, RUN_ARGS, "--format", "csv", "-o", both, NULL);
  assert_success (&run1);
  lines = read_lines (both);
  g_assert_cmpstr (lines[0], ==, "timestamp,t_s,ecg_mv,ppg");
  g_assert_cmpuint (g_strv_length (lines), ==, n_ecg + 1);
  for (guint k = 0; k < n_ecg; k++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[k + 1], ",", -1);
      g_autofree char *timestamp = format_timestamp (START_US + (gint64) llround (k * 1e6 / ECG_RATE));
      guint j = (guint) (k * PPG_RATE / ECG_RATE);

      g_assert_cmpuint (g_strv_length (cells), ==, 4);
      g_assert_cmpstr (cells[0], ==, timestamp);
      g_assert_cmpfloat_with_epsilon (parse_number (cells[1]), k / (double) ECG_RATE, 0.0005 + 1e-9);
      g_assert_cmpfloat_with_epsilon (parse_number (cells[2]), g_array_index (ref.ecg, float, k), 0.0005 + 1e-6);
      g_assert_cmpfloat_with_epsilon (parse_number (cells[3]), g_array_index (ref.ppg, float, j), 0.0005 + 1e-6);
    }

  /* the annotations: the waveforms' marks and the phases, in time order */
  notes = read_lines (both_notes);
  g_assert_cmpstr (notes[0], ==, "timestamp,t_s,channel,code");
  g_assert_cmpuint (g_strv_length (notes), ==, ref.marks->len + 1);
  for (guint i = 1; notes[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (notes[i], ",", -1);
      double t = parse_number (cells[1]);

      g_assert_cmpuint (g_strv_length (cells), ==, 4);
      g_assert_cmpfloat (t, >=, last_t);
      last_t = t;
      ecg_marks += g_str_equal (cells[2], "ecg");
      ppg_marks += g_str_equal (cells[2], "ppg");
      phases += g_str_equal (cells[2], "condition");
    }
  {
    g_autoptr(GArray) ecg = reference_marks (&ref, HEART_CHANNEL_ECG, FALSE);
    g_autoptr(GArray) ppg = reference_marks (&ref, HEART_CHANNEL_PPG, FALSE);
    g_autoptr(GArray) conditions = reference_marks (&ref, HEART_CHANNEL_CONDITION, FALSE);

    g_assert_cmpuint (ecg_marks, ==, ecg->len);
    g_assert_cmpuint (ppg_marks, ==, ppg->len);
    /* demo: baseline, stress, recovery, meditation */
    g_assert_cmpuint (phases, ==, 4);
    g_assert_cmpuint (conditions->len, ==, 4);
  }
  g_assert_nonnull (strstr (notes[1], ",condition,baseline"));
  g_assert_true (g_strv_contains ((const char * const *) notes, "2026-03-01T08:01:00.250Z,60.000,condition,stress"));

  /* the PPG alone: rows on its own grid, the same samples */
  generate (&run2, "--what", "ppg", PERSON_ARGS, "--format", "csv", "-o", ppg_only, NULL);
  assert_success (&run2);
  ppg_lines = read_lines (ppg_only);
  g_assert_cmpstr (ppg_lines[0], ==, "timestamp,t_s,ppg");
  g_assert_cmpuint (g_strv_length (ppg_lines), ==, n_ppg + 1);
  for (guint j = 0; j < n_ppg; j++)
    {
      g_auto(GStrv) cells = g_strsplit (ppg_lines[j + 1], ",", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, 3);
      g_assert_cmpfloat_with_epsilon (parse_number (cells[2]), g_array_index (ref.ppg, float, j), 0.0005 + 1e-6);
    }

  /* the ECG alone, to a name without .csv */
  generate (&run3, "--what", "ecg", PERSON_ARGS, "--lead-off-per-hour", "120", "--format", "csv", "-o", ecg_only, NULL);
  assert_success (&run3);
  ecg_lines = read_lines (ecg_only);
  g_assert_cmpstr (ecg_lines[0], ==, "timestamp,t_s,ecg_mv");
  g_assert_cmpuint (g_strv_length (ecg_lines), ==, n_ecg + 1);

  /* to standard output: the same rows, and no annotations */
  generate (&run4, "--what", "ppg", PERSON_ARGS, "--format", "csv", NULL);
  g_assert_true (g_spawn_check_wait_status (run4.status, NULL));
  g_assert_true (g_file_get_contents (ppg_only, &ppg_text, NULL, NULL));
  g_assert_true (g_str_equal (run4.out, ppg_text));

  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "both.annotations.csv both.csv ecg ecg.annotations.csv ppg.annotations.csv ppg.csv");
}

/* The R peaks annotated are the beats of `--what beats`, to the
 * timestamp, with the same type */
static void
test_beats_match (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *waves = in_folder (fixture, "waves.csv");
  g_autofree char *notes_path = in_folder (fixture, "waves.annotations.csv");
  g_autofree char *beats_path = in_folder (fixture, "beats.csv");
  g_auto(GStrv) notes = NULL, beats = NULL;
  g_auto(Run) run1 = { 0 }, run2 = { 0 };
  g_autoptr(GPtrArray) peaks = g_ptr_array_new_with_free_func (g_free);
  guint n_v = 0, n_s = 0;

  generate (&run1, RUN_ARGS, "--format", "csv", "-o", waves, NULL);
  assert_success (&run1);
  generate (&run2, "--what", "beats", "--seed", SEED, "--duration", DURATION, "--start", START,
            "--scenario", SCENARIO, "--pvc-per-hour", "120", "--pac-per-hour", "120", "-o", beats_path, NULL);
  assert_success (&run2);

  notes = read_lines (notes_path);
  for (guint i = 1; notes[i] != NULL; i++)
    {
      g_auto(GStrv) cells = g_strsplit (notes[i], ",", -1);

      if (g_str_equal (cells[2], "ecg") && strlen (cells[3]) == 1)
        g_ptr_array_add (peaks, g_strdup_printf ("%s,%s,%s", cells[0], cells[1], cells[3]));
    }
  beats = read_lines (beats_path);
  g_assert_cmpstr (beats[0], ==, "timestamp,t_s,rr_ms,bpm,stress_level,event,condition,beat_type");
  g_assert_cmpuint (peaks->len, ==, g_strv_length (beats) - 1);
  for (guint i = 0; i < peaks->len; i++)
    {
      g_auto(GStrv) cells = g_strsplit (beats[i + 1], ",", -1);
      g_autofree char *beat = g_strdup_printf ("%s,%s,%s", cells[0], cells[1], cells[7]);

      g_assert_cmpstr (peaks->pdata[i], ==, beat);
      n_v += g_str_equal (cells[7], "V");
      n_s += g_str_equal (cells[7], "S");
    }
  g_test_message ("%u beats, %u V, %u S", peaks->len, n_v, n_s);
  g_assert_cmpuint (n_v, >, 0);
  g_assert_cmpuint (n_s, >, 0);
}

/* ---------------------------------------------------------- libbiosig */

#if HAVE_BIOSIG
static gint64
biosig_start_us (HDRTYPE *hdr)
{
  return (gint64) llround ((ldexp ((double) hdr->T0, -32) - GDF_UNIX_EPOCH_DAYS) * 86400.0 * G_USEC_PER_SEC);
}

/* Every sample of channel @k at its own rate: libbiosig gives a record's
 * channels at the fastest rate, each sample repeated. Read from the first
 * record in one go: libbiosig 2.5's sread() from a later record of a file
 * whose signals have different rates returns other samples. */
static GArray *
biosig_read_channel (HDRTYPE *hdr,
                     int      k)
{
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  gsize step = hdr->SPR / hdr->CHANNEL[k].SPR, n = (gsize) hdr->NRec * hdr->SPR;

  g_assert_cmpuint (hdr->SPR % hdr->CHANNEL[k].SPR, ==, 0);
  for (int i = 0; i < hdr->NS; i++)
    hdr->CHANNEL[i].OnOff = i == k;
  hdr->FLAG.ROW_BASED_CHANNELS = 0;
  g_assert_cmpuint (sread (NULL, 0, (gsize) hdr->NRec, hdr), ==, (gsize) hdr->NRec);
  g_assert_cmpuint (hdr->data.size[0] * hdr->data.size[1], ==, n);
  for (gsize i = 0; i < n; i += step)
    g_array_append_val (values, hdr->data.block[i]);
  return values;
}

static const char *
biosig_event_text (HDRTYPE *hdr,
                   guint32  i)
{
  guint16 typ = hdr->EVENT.TYP[i];

  g_assert_nonnull (hdr->EVENT.CodeDesc);
  g_assert_cmpuint (typ, <, hdr->EVENT.LenCodeDesc);
  return hdr->EVENT.CodeDesc[typ];
}

/* @got (physical, from the file) is @want to within one digital step
 * @step, @want clipped to the channel's range first */
static void
assert_samples (GArray *got,
                GArray *want,
                double  step,
                double  low,
                double  high)
{
  for (guint i = 0; i < want->len; i++)
    {
      double expected = CLAMP (g_array_index (want, float, i), low, high);

      if (fabs (g_array_index (got, double, i) - expected) > step * 1.0001)
        g_error ("sample %u: %g in the file, %g made", i, g_array_index (got, double, i), expected);
    }
}
#endif

static gboolean
skip_without (gboolean    have,
              const char *what)
{
  if (have)
    return FALSE;
  g_test_skip (what);
  return TRUE;
}

/* The EDF+ file read back: signals, units, rates, start, samples to a
 * digital step, the tail padded, and the annotations */
static void
test_edf_read_back (Fixture       *fixture,
                    gconstpointer  data)
{
#if HAVE_BIOSIG
  g_auto(Reference) ref = { 0 };
  g_autofree char *path = in_folder (fixture, "run.edf");
  g_auto(Run) run = { 0 };
  g_autoptr(GArray) ecg = NULL, ppg = NULL;
  g_autoptr(GArray) ecg_beats = NULL, ecg_marks = NULL, conditions = NULL;
  g_autoptr(GPtrArray) beats = g_ptr_array_new ();
  guint n_beats = 0, n_leads = 0, n_phases = 0, mark = 0;
  HDRTYPE *hdr;

  if (skip_without (heart_waveform_files_have_edf (), "built without EDFlib (the edf feature)"))
    return;
  reference_make (&ref);
  generate (&run, RUN_ARGS, "--format", "edf", "-o", path, NULL);
  assert_success (&run);

  hdr = sopen (path, "r", NULL);
  g_assert_nonnull (hdr);
  g_assert_cmpint (hdr->AS.B4C_ERRNUM, ==, 0);
  g_assert_cmpstr (GetFileTypeString (hdr->TYPE), ==, "EDF");
  /* two signals and the annotation signals */
  g_assert_cmpint (hdr->NS, >=, 3);
  g_assert_cmpstr (hdr->CHANNEL[0].Label, ==, "ECG II");
  g_assert_cmpstr (hdr->CHANNEL[1].Label, ==, "PPG");
  g_assert_cmpstr (PhysDim3 (hdr->CHANNEL[0].PhysDimCode), ==, "mV");
  /* 1 s records: samples a record are samples a second */
  g_assert_cmpint (hdr->NRec, ==, 271);
  g_assert_cmpfloat (hdr->SampleRate / hdr->SPR, ==, 1.0);
  g_assert_cmpuint (hdr->CHANNEL[0].SPR, ==, ECG_RATE);
  g_assert_cmpuint (hdr->CHANNEL[1].SPR, ==, PPG_RATE);
  g_assert_cmpfloat (hdr->CHANNEL[0].PhysMin, ==, -5);
  g_assert_cmpfloat (hdr->CHANNEL[0].PhysMax, ==, 5);
  g_assert_cmpfloat (hdr->CHANNEL[1].PhysMin, ==, -2);
  g_assert_cmpfloat (hdr->CHANNEL[1].PhysMax, ==, 3);
  g_assert_cmpfloat (hdr->CHANNEL[0].DigMin, ==, -32768);
  g_assert_cmpfloat (hdr->CHANNEL[0].DigMax, ==, 32767);
  g_assert_cmpint (llabs (biosig_start_us (hdr) - START_US), <, 1000);

  /* the annotations, before sread() */
  ecg_beats = reference_marks (&ref, HEART_CHANNEL_ECG, TRUE);
  ecg_marks = reference_marks (&ref, HEART_CHANNEL_ECG, FALSE);
  conditions = reference_marks (&ref, HEART_CHANNEL_CONDITION, FALSE);
  g_assert_cmpuint (hdr->EVENT.N, ==, ecg_marks->len + conditions->len);
  for (guint32 i = 0; i < hdr->EVENT.N; i++)
    {
      const char *text = biosig_event_text (hdr, i);
      /* EDF+ onsets count from the header's start time, a whole second;
       * the samples begin START's 0.25 s later (the first record's time
       * stamp), which libbiosig puts in T0 but leaves in the onsets */
      double t = hdr->EVENT.POS[i] / hdr->EVENT.SampleRate - (START_US % G_USEC_PER_SEC) / 1e6;

      if (g_str_has_prefix (text, "condition: "))
        {
          const Mark *phase = &g_array_index (conditions, Mark, n_phases++);
          double end = n_phases < conditions->len ? g_array_index (conditions, Mark, n_phases).t_s : DURATION_S;

          g_assert_cmpstr (text + strlen ("condition: "), ==, phase->code);
          g_assert_cmpfloat_with_epsilon (t, phase->t_s, 1e-3);
          g_assert_nonnull (hdr->EVENT.DUR);
          g_assert_cmpfloat_with_epsilon (hdr->EVENT.DUR[i] / hdr->EVENT.SampleRate, end - phase->t_s, 1e-3);
          continue;
        }
      /* in time order, each at its mark within one ECG sample */
      g_assert_cmpuint (mark, <, ecg_marks->len);
      g_assert_cmpstr (text, ==, g_array_index (ecg_marks, Mark, mark).code);
      g_assert_cmpfloat (fabs (t - g_array_index (ecg_marks, Mark, mark).t_s), <=, 1.0 / ECG_RATE);
      n_beats += strlen (text) == 1;
      n_leads += g_str_has_prefix (text, "lead_");
      mark++;
    }
  g_assert_cmpuint (n_beats, ==, ecg_beats->len);
  g_assert_cmpuint (n_phases, ==, 4);
  g_assert_cmpuint (n_leads, >, 0);
  g_assert_cmpuint (count_code (ecg_marks, "V"), >, 0);

  /* the samples, to one digital step; the last record padded */
  ecg = biosig_read_channel (hdr, 0);
  ppg = biosig_read_channel (hdr, 1);
  g_assert_cmpuint (ecg->len, ==, 271 * ECG_RATE);
  g_assert_cmpuint (ppg->len, ==, 271 * PPG_RATE);
  assert_samples (ecg, ref.ecg, hdr->CHANNEL[0].Cal, -5, 5);
  assert_samples (ppg, ref.ppg, hdr->CHANNEL[1].Cal, -2, 3);
  for (guint i = ref.ecg->len; i < ecg->len; i++)
    g_assert_cmpfloat (g_array_index (ecg, double, i), ==, g_array_index (ecg, double, ref.ecg->len - 1));
  for (guint i = ref.ppg->len; i < ppg->len; i++)
    g_assert_cmpfloat (g_array_index (ppg, double, i), ==, g_array_index (ppg, double, ref.ppg->len - 1));
  sclose (hdr);
  destructHDR (hdr);
#else
  g_test_skip ("built without libbiosig (the biosig feature)");
#endif
}

/* ----------------------------------------------------------------- WFDB */

typedef struct
{
  gint64 sample;
  int    code;
  char  *aux;
} AtrEntry;

static void
atr_entry_clear (gpointer data)
{
  g_free (((AtrEntry *) data)->aux);
}

static guint
get_16 (const guint8 *bytes,
        gsize         at)
{
  return bytes[at] | (bytes[at + 1] << 8);
}

/* An MIT annotation file as annot(5) has it */
static GArray *
read_atr (const char *path)
{
  g_autofree guint8 *bytes = NULL;
  gsize length, at = 0;
  gint64 sample = 0;
  GArray *entries = g_array_new (FALSE, FALSE, sizeof (AtrEntry));

  g_array_set_clear_func (entries, atr_entry_clear);
  g_assert_true (g_file_get_contents (path, (char **) &bytes, &length, NULL));
  g_assert_cmpuint (length % 2, ==, 0);
  for (;;)
    {
      guint word, code, value;

      g_assert_cmpuint (at + 2, <=, length);
      word = get_16 (bytes, at);
      at += 2;
      code = word >> 10;
      value = word & 0x3ff;
      if (word == 0)
        break;
      if (code == 59)   /* SKIP */
        {
          sample += (gint32) ((get_16 (bytes, at) << 16) | get_16 (bytes, at + 2));
          at += 4;
        }
      else if (code == 63)   /* AUX, to the annotation before */
        {
          g_assert_cmpuint (entries->len, >, 0);
          g_array_index (entries, AtrEntry, entries->len - 1).aux = g_strndup ((const char *) bytes + at, value);
          at += value + value % 2;
        }
      else
        {
          AtrEntry entry = { sample + value, (int) code, NULL };

          g_assert_cmpuint (code, >=, 1);
          g_assert_cmpuint (code, <=, 49);
          sample += value;
          g_array_append_val (entries, entry);
        }
    }
  g_assert_cmpuint (at, ==, length);
  return entries;
}

/* The .hea's record and signal lines against the .dat: samples, initial
 * value, checksum (header(5)) */
static void
check_header (const char *hea_path,
              const char *record,
              int         rate,
              guint       n_samples,
              const char *gain_units,
              const char *description)
{
  g_autofree char *dat_path = g_strdup_printf ("%.*s.dat", (int) (strlen (hea_path) - 4), hea_path);
  g_autofree char *dat = NULL;
  g_auto(GStrv) lines = read_lines (hea_path);
  g_auto(GStrv) fields = NULL;
  g_autofree char *record_line = g_strdup_printf ("%s 1 %d %u 08:00:00.250 01/03/2026", record, rate, n_samples);
  g_autofree char *signal_start = g_strdup_printf ("%s.dat 16 %s 16 0 ", record, gain_units);
  gsize length;
  guint16 sum = 0;

  g_assert_cmpstr (lines[0], ==, record_line);
  g_assert_true (g_str_has_prefix (lines[1], signal_start));
  g_assert_true (g_file_get_contents (dat_path, &dat, &length, NULL));
  g_assert_cmpuint (length, ==, 2 * n_samples);
  for (gsize i = 0; i < length; i += 2)
    sum += (guint16) get_16 ((const guint8 *) dat, i);
  fields = g_strsplit (lines[1] + strlen (signal_start), " ", 4);
  g_assert_cmpint (atoi (fields[0]), ==, (gint16) get_16 ((const guint8 *) dat, 0));
  g_assert_cmpint (atoi (fields[1]), ==, (gint16) sum);
  g_assert_cmpstr (fields[2], ==, "0");
  g_assert_cmpstr (fields[3], ==, description);
  for (guint i = 2; lines[i] != NULL; i++)
    g_assert_true (g_str_has_prefix (lines[i], "#"));
}

/* A record's annotations: @marks at their samples, beats with their MIT
 * codes, the rest and the phases as NOTEs with the text in aux */
static void
check_atr (const char *atr_path,
           GArray     *marks,
           GArray     *conditions,
           int         rate)
{
  g_autoptr(GArray) entries = read_atr (atr_path);
  guint m = 0, c = 0;

  g_assert_cmpuint (entries->len, ==, marks->len + conditions->len);
  for (guint i = 0; i < entries->len; i++)
    {
      const AtrEntry *entry = &g_array_index (entries, AtrEntry, i);
      const Mark *next_mark = m < marks->len ? &g_array_index (marks, Mark, m) : NULL;
      const Mark *next_phase = c < conditions->len ? &g_array_index (conditions, Mark, c) : NULL;
      const Mark *mark;

      if (entry->code == MIT_NOTE && entry->aux != NULL && g_str_has_prefix (entry->aux, "condition: "))
        {
          g_assert_nonnull (next_phase);
          g_assert_cmpstr (entry->aux + strlen ("condition: "), ==, next_phase->code);
          mark = next_phase;
          c++;
        }
      else
        {
          g_assert_nonnull (next_mark);
          mark = next_mark;
          m++;
          if (g_str_equal (mark->code, "N"))
            g_assert_cmpint (entry->code, ==, 1);
          else if (g_str_equal (mark->code, "V"))
            g_assert_cmpint (entry->code, ==, 5);
          else if (g_str_equal (mark->code, "S"))
            g_assert_cmpint (entry->code, ==, 9);
          else
            {
              g_assert_cmpint (entry->code, ==, MIT_NOTE);
              g_assert_cmpstr (entry->aux, ==, mark->code);
            }
        }
      /* the nearest sample */
      g_assert_cmpfloat (fabs (entry->sample - mark->t_s * rate), <=, 0.5 + 1e-6);
    }
}

#if HAVE_BIOSIG
/* A record as libbiosig reads it: one signal, its rate, unit, start,
 * samples to one ADC step, and its annotations' codes and samples */
static void
check_biosig_record (const char *hea_path,
                     const char *label,
                     int         rate,
                     double      gain,
                     GArray     *want,
                     GArray     *marks,
                     GArray     *beats,
                     GArray     *conditions)
{
  HDRTYPE *hdr = sopen (hea_path, "r", NULL);
  g_autoptr(GArray) got = NULL;
  guint b = 0, notes = 0;

  g_assert_nonnull (hdr);
  g_assert_cmpint (hdr->AS.B4C_ERRNUM, ==, 0);
  g_assert_cmpstr (GetFileTypeString (hdr->TYPE), ==, "MIT");
  g_assert_cmpint (hdr->NS, ==, 1);
  g_assert_cmpstr (hdr->CHANNEL[0].Label, ==, label);
  g_assert_cmpfloat (hdr->SampleRate * hdr->CHANNEL[0].SPR / hdr->SPR, ==, rate);
  g_assert_cmpint (hdr->NRec * hdr->SPR, ==, want->len);
  g_assert_cmpfloat_with_epsilon (hdr->CHANNEL[0].Cal, 1 / gain, 1e-12);
  if (rate == ECG_RATE)
    g_assert_cmpstr (PhysDim3 (hdr->CHANNEL[0].PhysDimCode), ==, "mV");
  /* not the start: libbiosig 2.5 cannot read the base time's fraction of
   * a second (check_header() reads it) */

  /* libbiosig numbers annotations from one less than annot(5) does (its
   * MIT reader subtracts 1 "to convert to 0-based indexing"), so that one
   * at sample 0 wraps round: the sample is its POS + 1 */
  g_assert_cmpuint (hdr->EVENT.N, ==, marks->len + conditions->len);
  for (guint32 i = 0; i < hdr->EVENT.N; i++)
    {
      guint32 sample = hdr->EVENT.POS[i] + 1;
      const Mark *beat;

      if (hdr->EVENT.TYP[i] == MIT_NOTE)
        {
          notes++;
          continue;
        }
      g_assert_cmpuint (b, <, beats->len);
      beat = &g_array_index (beats, Mark, b++);
      g_assert_cmpint (hdr->EVENT.TYP[i], ==, g_str_equal (beat->code, "N") ? 1 : g_str_equal (beat->code, "V") ? 5 : 9);
      /* the nearest sample to the beat */
      g_assert_cmpfloat (fabs (sample - beat->t_s * rate), <=, 0.5 + 1e-6);
    }
  g_assert_cmpuint (b, ==, beats->len);
  g_assert_cmpuint (notes, ==, conditions->len + marks->len - beats->len);

  got = g_array_new (FALSE, FALSE, sizeof (double));
  hdr->CHANNEL[0].OnOff = 1;
  hdr->FLAG.ROW_BASED_CHANNELS = 0;
  g_assert_cmpuint (sread (NULL, 0, hdr->NRec, hdr), ==, (gsize) hdr->NRec);
  g_array_append_vals (got, hdr->data.block, (guint) hdr->NRec);
  assert_samples (got, want, 1 / gain, -32767 / gain, 32767 / gain);
  sclose (hdr);
  destructHDR (hdr);
}
#endif

/* Two WFDB records, the ECG's and the PPG's: headers, samples,
 * annotations, as written and as libbiosig reads them */
static void
test_wfdb_read_back (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Reference) ref = { 0 };
  g_autofree char *record = in_folder (fixture, "run");
  g_autofree char *ecg_hea = in_folder (fixture, "run.hea");
  g_autofree char *ppg_hea = in_folder (fixture, "run_ppg.hea");
  g_autofree char *ecg_atr = in_folder (fixture, "run.atr");
  g_autofree char *ppg_atr = in_folder (fixture, "run_ppg.atr");
  g_autofree char *listing = NULL;
  g_autoptr(GArray) ecg_marks = NULL, ppg_marks = NULL, conditions = NULL;
  g_auto(Run) run = { 0 };

  reference_make (&ref);
  generate (&run, RUN_ARGS, "--format", "wfdb", "-o", record, NULL);
  assert_success (&run);
  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "run.atr run.dat run.hea run_ppg.atr run_ppg.dat run_ppg.hea");

  check_header (ecg_hea, "run", ECG_RATE, ref.ecg->len, "1000(0)/mV", "ECG II");
  check_header (ppg_hea, "run_ppg", PPG_RATE, ref.ppg->len, "10000(0)/a.u.", "PPG");
  ecg_marks = reference_marks (&ref, HEART_CHANNEL_ECG, FALSE);
  ppg_marks = reference_marks (&ref, HEART_CHANNEL_PPG, FALSE);
  conditions = reference_marks (&ref, HEART_CHANNEL_CONDITION, FALSE);
  g_assert_cmpuint (count_code (ecg_marks, "lead_off"), >, 0);
  g_assert_cmpuint (count_code (ecg_marks, "V"), >, 0);
  g_assert_cmpuint (count_code (ecg_marks, "S"), >, 0);
  check_atr (ecg_atr, ecg_marks, conditions, ECG_RATE);
  check_atr (ppg_atr, ppg_marks, conditions, PPG_RATE);
#if HAVE_BIOSIG
  {
    g_autoptr(GArray) ecg_beats = reference_marks (&ref, HEART_CHANNEL_ECG, TRUE);
    g_autoptr(GArray) ppg_beats = reference_marks (&ref, HEART_CHANNEL_PPG, TRUE);

    check_biosig_record (ecg_hea, "ECG II", ECG_RATE, WFDB_ECG_GAIN, ref.ecg, ecg_marks, ecg_beats, conditions);
    check_biosig_record (ppg_hea, "PPG", PPG_RATE, WFDB_PPG_GAIN, ref.ppg, ppg_marks, ppg_beats, conditions);
  }
#else
  g_test_message ("built without libbiosig: the files checked byte by byte only");
#endif
}

/* ------------------------------------------------------ the same bytes */

/* Every file of @folder, named, one after the other */
static GBytes *
read_all (const char *folder)
{
  g_autofree char *listing = folder_listing (folder);
  g_auto(GStrv) names = g_strsplit (listing, " ", -1);
  GString *all = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (folder, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_string_append_printf (all, "%s %" G_GSIZE_FORMAT "\n", names[i], length);
      g_string_append_len (all, contents, (gssize) length);
    }
  return g_string_free_to_bytes (all);
}

/* The same seed and options give the same files to the byte, a run later
 * (EDF's start date is the run's, not the clock's); another seed does not */
static void
test_same_seed_same_bytes (Fixture       *fixture,
                           gconstpointer  data)
{
  const char *formats[] = { "csv", "edf", "wfdb" };
  const char *names[] = { "run.csv", "run.edf", "run" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      GBytes *contents[3] = { NULL };

      if (g_str_equal (formats[f], "edf") && !heart_waveform_files_have_edf ())
        continue;
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *folder_name = g_strdup_printf ("%s-%u", formats[f], i);
          g_autofree char *folder = in_folder (fixture, folder_name);
          g_autofree char *path = g_build_filename (folder, names[f], NULL);
          g_auto(Run) run = { 0 };

          g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
          generate (&run, "--what", "ecg,ppg", "--seed", i < 2 ? "11" : "12", "--duration", "2m",
                    "--pvc-per-hour", "60", "--format", formats[f], "-o", path, NULL);
          assert_success (&run);
          contents[i] = read_all (folder);
        }
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", formats[f], g_bytes_get_size (contents[0]));
      g_assert_true (g_bytes_equal (contents[0], contents[1]));
      g_assert_false (g_bytes_equal (contents[0], contents[2]));
      for (guint i = 0; i < 3; i++)
        g_bytes_unref (contents[i]);
    }
}

/* -------------------------------------------------------------- refusals */

static void
assert_refused (Fixture    *fixture,
                const char *option,
                ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = in_folder (fixture, "refused");
  g_autofree char *listing = NULL;
  g_auto(Run) run = { 0 };
  const char *binary = g_getenv ("HEARTSIM_BINARY");
  va_list args;

  g_ptr_array_add (argv, (char *) binary);
  g_ptr_array_add (argv, (char *) "generate");
  va_start (args, option);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) (g_str_equal (arg, "OUT") ? output : arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &run.out, &run.err, &run.status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", run.err);
  g_assert_true (WIFEXITED (run.status));
  g_assert_cmpint (WEXITSTATUS (run.status), ==, 2);
  /* one line, naming the option; nothing written */
  g_assert_true (g_str_has_prefix (run.err, "heartsim generate: "));
  g_assert_nonnull (strstr (run.err, option));
  g_assert_cmpint (strchr (run.err, '\n') - run.err, ==, strlen (run.err) - 1);
  g_assert_cmpstr (run.out, ==, "");
  listing = folder_listing (fixture->folder);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_bad_options (Fixture       *fixture,
                  gconstpointer  data)
{
  assert_refused (fixture, "--ecg-rate", "--what", "ecg", "--ecg-rate", "2000", "-o", "OUT", NULL);
  assert_refused (fixture, "--ecg-rate", "--what", "ecg", "--ecg-rate", "250.5", "-o", "OUT", NULL);
  assert_refused (fixture, "--ecg-rate", "--what", "ppg", "--ecg-rate", "250", "-o", "OUT", NULL);
  assert_refused (fixture, "--ppg-rate", "--what", "ppg", "--ppg-rate", "8", "-o", "OUT", NULL);
  assert_refused (fixture, "--noise", "--what", "ecg", "--noise", "hum", "-o", "OUT", NULL);
  assert_refused (fixture, "--noise", "--what", "beats", "--noise", "all", "-o", "OUT", NULL);
  assert_refused (fixture, "--powerline", "--what", "ecg", "--powerline", "55", "-o", "OUT", NULL);
  assert_refused (fixture, "--pvc-per-hour", "--what", "ecg", "--pvc-per-hour", "5000", "-o", "OUT", NULL);
  assert_refused (fixture, "--pac-per-hour", "--what", "beats", "--pac-per-hour", "-1", "-o", "OUT", NULL);
  assert_refused (fixture, "--lead-off-per-hour", "--what", "ecg", "--lead-off-per-hour", "1e2", "-o", "OUT", NULL);
  assert_refused (fixture, "--what", "--what", "ecg,heart_rate", "-o", "OUT", NULL);
  assert_refused (fixture, "--format", "--what", "ecg", "--format", "jsonl", "-o", "OUT", NULL);
  assert_refused (fixture, "--format", "--what", "beats", "--format", "wfdb", "-o", "OUT", NULL);
  assert_refused (fixture, "--format", "--what", "ecg", "--format", "wfdb", NULL);
  assert_refused (fixture, "--output", "--what", "ecg", "--format", "wfdb", "-o", "bad-name", NULL);
  assert_refused (fixture, "--channels", "--what", "channels", "--channels", "ecg", "-o", "OUT", NULL);
  assert_refused (fixture, "--output", "--what", "ecg", "--format", "wfdb", "-o", "/dev/null", NULL);
  if (heart_waveform_files_have_edf ())
    {
      assert_refused (fixture, "--format", "--what", "ecg", "--format", "edf", NULL);
      assert_refused (fixture, "--start", "--what", "ecg", "--format", "edf", "--start", "1984-12-31T23:00:00Z",
                      "-o", "OUT", NULL);
    }
}

/* A device is written in place, and nothing is put beside it: CSV's rows
 * alone, or the EDF file */
static void
test_device (Fixture       *fixture,
             gconstpointer  data)
{
  const char *formats[] = { "csv", "edf" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_auto(Run) run = { 0 };
      GStatBuf info;

      if (g_str_equal (formats[f], "edf") && !heart_waveform_files_have_edf ())
        continue;
      generate (&run, "--what", "ecg,ppg", "--duration", "1m", "--seed", "1", "--format", formats[f],
                "-o", "/dev/null", NULL);
      assert_success (&run);
      g_assert_cmpint (g_stat ("/dev/null", &info), ==, 0);
      g_assert_true (S_ISCHR (info.st_mode));
      g_assert_false (g_file_test ("/dev/null.annotations.csv", G_FILE_TEST_EXISTS));
    }
}

/* ---------------------------------------------------- failures, signals */

static void
limit_file_size (gpointer data)
{
  struct rlimit limit = { FSIZE_LIMIT_BYTES, FSIZE_LIMIT_BYTES };

  setrlimit (RLIMIT_FSIZE, &limit);
}

/* The files a run of @format to @output makes, for the messages */
static const char *const *
format_files (const char *format)
{
  static const char *const csv[] = { "run.annotations.csv", "run.csv", NULL };
  static const char *const edf[] = { "run.edf", NULL };
  static const char *const wfdb[] = { "run.dat", "run.atr", "run_ppg.dat", "run_ppg.atr", "run.hea", "run_ppg.hea", NULL };

  return g_str_equal (format, "csv") ? csv : g_str_equal (format, "edf") ? edf : wfdb;
}

static char *
output_for (const char *folder,
            const char *format)
{
  return g_build_filename (folder, g_str_equal (format, "csv") ? "run.csv" : g_str_equal (format, "edf") ? "run.edf"
                                                                                                         : "run", NULL);
}

/* A missing folder, and a file size limit with a complete older run in
 * place: one line naming the file, exit 1, and the folder as it was */
static void
test_write_failures (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *formats[] = { "csv", "edf", "wfdb" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      const char *const *files = format_files (formats[f]);
      g_autofree char *missing = g_build_filename (fixture->folder, "missing", NULL);
      g_autofree char *missing_out = output_for (missing, formats[f]);
      g_autofree char *out = output_for (fixture->folder, formats[f]);
      g_autofree char *first_missing = g_build_filename (missing, files[0], NULL);
      g_autofree char *expected = g_strdup_printf ("heartsim generate: cannot write %s: %s\n", first_missing,
                                                   g_strerror (ENOENT));
      const char *missing_args[] = { "--what", "ecg,ppg", "--seed", "1", "--duration", "5m", "--format", formats[f],
                                     "-o", missing_out, NULL };
      const char *args[] = { "--what", "ecg,ppg", "--seed", "1", "--duration", "5m", "--format", formats[f],
                             "-o", out, NULL };
      g_autoptr(GSubprocess) process = NULL;
      g_autofree char *err = NULL, *listing = NULL, *before = NULL, *expected_prefix = NULL;

      if (g_str_equal (formats[f], "edf") && !heart_waveform_files_have_edf ())
        continue;
      process = spawn_generate_args (NULL, missing_args);
      err = finish (process);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
      g_assert_cmpstr (err, ==, expected);
      listing = folder_listing (fixture->folder);
      g_assert_cmpstr (listing, ==, "");

      /* the older files stay as they were */
      for (guint i = 0; files[i] != NULL; i++)
        {
          g_autofree char *path = g_build_filename (fixture->folder, files[i], NULL);

          g_assert_true (g_file_set_contents (path, OLD_CONTENTS, -1, NULL));
        }
      before = folder_listing (fixture->folder);
      g_clear_object (&process);
      g_clear_pointer (&err, g_free);
      process = spawn_generate_args (limit_file_size, args);
      err = finish (process);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
      expected_prefix = g_strdup_printf ("heartsim generate: cannot write %s/", fixture->folder);
      g_assert_true (g_str_has_prefix (err, expected_prefix));
      g_assert_true (g_str_has_suffix (err, g_strerror (EFBIG)) || strstr (err, g_strerror (EFBIG)) != NULL);
      g_clear_pointer (&listing, g_free);
      listing = folder_listing (fixture->folder);
      g_assert_cmpstr (listing, ==, before);
      for (guint i = 0; files[i] != NULL; i++)
        {
          g_autofree char *path = g_build_filename (fixture->folder, files[i], NULL);
          g_autofree char *contents = NULL;

          g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, OLD_CONTENTS);
          g_unlink (path);
        }
    }
}

/* A dot file in @folder that holds data: a temporary file growing */
static gboolean
has_growing_file (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      GStatBuf info;

      if (name[0] == '.' && g_stat (path, &info) == 0 && info.st_size > 0)
        return TRUE;
    }
  return FALSE;
}

/* SIGTERM while a day of waveforms is written: every temporary file of
 * the run goes, and the process dies of the signal */
static void
test_signal_removes_all (Fixture       *fixture,
                         gconstpointer  data)
{
  const char *formats[] = { "csv", "wfdb" };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *out = output_for (fixture->folder, formats[f]);
      const char *args[] = { "--what", "ecg,ppg", "--seed", "1", "--duration", "24h", "--format", formats[f],
                             "-o", out, NULL };
      g_autoptr(GSubprocess) process = spawn_generate_args (NULL, args);
      gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
      g_autofree char *err = NULL;
      gboolean grown;

      while (!(grown = has_growing_file (fixture->folder)) && g_subprocess_get_identifier (process) != NULL
             && g_get_monotonic_time () < deadline)
        g_usleep (POLL_US);
      g_assert_true (grown);
      err = terminate_leaving_nothing (process, fixture->folder);
    }
}

/* ------------------------------------------------------------- estimate */

/* The free-space bound is never more than a run writes */
static void
test_estimate_is_lower_bound (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *formats[] = { "csv", "edf", "wfdb" };
  const HeartDatasetFormat kinds[] = { HEART_DATASET_CSV, HEART_DATASET_EDF, HEART_DATASET_WFDB };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *folder_name = g_strdup_printf ("estimate-%s", formats[f]);
      g_autofree char *folder = in_folder (fixture, folder_name);
      g_autofree char *out = output_for (folder, formats[f]);
      g_autofree char *all = NULL;
      g_auto(Run) run = { 0 };
      HeartDatasetOptions options;
      guint64 written = 0, estimate;
      g_autofree char *listing = NULL;
      g_auto(GStrv) names = NULL;

      if (kinds[f] == HEART_DATASET_EDF && !heart_waveform_files_have_edf ())
        continue;
      g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
      generate (&run, "--what", "ecg,ppg", "--seed", "1", "--duration", "10m", "--format", formats[f], "-o", out, NULL);
      assert_success (&run);
      listing = folder_listing (folder);
      names = g_strsplit (listing, " ", -1);
      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autofree char *path = g_build_filename (folder, names[i], NULL);
          GStatBuf info;

          g_assert_cmpint (g_stat (path, &info), ==, 0);
          written += (guint64) info.st_size;
        }
      heart_dataset_options_init (&options);
      options.kind = HEART_DATASET_WAVEFORMS;
      options.format = kinds[f];
      options.duration_s = 600;
      estimate = heart_waveform_files_estimate_bytes (&options);
      g_test_message ("%s: at least %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes", formats[f], estimate, written);
      g_assert_cmpuint (estimate, <=, written);
      g_assert_cmpfloat (estimate, >=, 0.5 * written);
    }
}

static void
add_test (const char *path,
          void      (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_test ("/waveform-files/csv-columns", test_csv_columns);
  add_test ("/waveform-files/beats-match", test_beats_match);
  add_test ("/waveform-files/edf-read-back", test_edf_read_back);
  add_test ("/waveform-files/wfdb-read-back", test_wfdb_read_back);
  add_test ("/waveform-files/same-seed-same-bytes", test_same_seed_same_bytes);
  add_test ("/waveform-files/bad-options", test_bad_options);
  add_test ("/waveform-files/device-in-place", test_device);
  add_test ("/waveform-files/write-failures", test_write_failures);
  add_test ("/waveform-files/signal-removes-all", test_signal_removes_all);
  add_test ("/waveform-files/estimate-is-lower-bound", test_estimate_is_lower_bound);
  return g_test_run ();
}
