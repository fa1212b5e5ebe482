/* heart-generate.c: parse the command line, check it all, then write
 *
 * Every argument is checked before the output is opened, and a file is
 * written through a temporary file renamed into place on success
 * (heart-output-file.h): a failed or interrupted run leaves no partial
 * file behind. The rules and exit statuses are in docs/datasets.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-duration.h"
#include "heart-generate.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heart-breathing.h"
#include "heart-cohort-file.h"
#include "heart-dataset.h"
#include "heart-generate-cohort.h"
#include "heart-output-file.h"
#include "heart-profile.h"
#include "heart-scenario-file.h"
#include "heart-simulator.h"
#include "heart-waveform-files.h"

#define EXIT_USAGE 2
#define PROGRESS_MIN_DURATION_S (6.0 * 3600)
/* waveforms take about a second an hour (bench/README.md) */
#define PROGRESS_MIN_WAVEFORM_S 3600.0
/* the most files one run writes: two WFDB records of three files */
#define MAX_OUTPUTS 6
/* the years EDF+ can date a recording (EDFlib, edf_set_startdatetime) */
#define EDF_YEAR_MIN 1985
#define EDF_YEAR_MAX 2084
#define PROGRESS_BAR_WIDTH 40
/* the last time ISO 8601 writes with a four-digit year, in µs */
#define LAST_TIMESTAMP_US G_GINT64_CONSTANT (253402300799999000)

typedef struct
{
  char    *duration;
  char    *seed;
  char    *baseline;
  char    *stress;
  char    *events_per_hour;
  char    *interval_ms;
  char    *start;
  char    *what;
  char    *channels;
  char    *scenario;
  char    *breathing_rate;
  char    *format;
  char    *profile;
  char    *output;
  char    *ecg_rate;
  char    *ppg_rate;
  char    *noise;
  char    *powerline;
  char    *pvc_per_hour;
  char    *pac_per_hour;
  char    *lead_off_per_hour;
  char    *subjects;
  char    *cohort;
  char    *subject_offset;
  char    *jobs;
  char   **events;
  gboolean repeat;
  gboolean low_responder;
  gboolean quiet;
} GenerateArgs;

typedef struct
{
  gint64 last_draw_us;
  int    last_percent;
} Progress;

static void
generate_args_clear (GenerateArgs *args)
{
  g_free (args->duration);
  g_free (args->seed);
  g_free (args->baseline);
  g_free (args->profile);
  g_free (args->stress);
  g_free (args->events_per_hour);
  g_free (args->interval_ms);
  g_free (args->start);
  g_free (args->what);
  g_free (args->channels);
  g_free (args->scenario);
  g_free (args->breathing_rate);
  g_free (args->format);
  g_free (args->output);
  g_free (args->ecg_rate);
  g_free (args->ppg_rate);
  g_free (args->noise);
  g_free (args->powerline);
  g_free (args->pvc_per_hour);
  g_free (args->pac_per_hour);
  g_free (args->lead_off_per_hour);
  g_free (args->subjects);
  g_free (args->cohort);
  g_free (args->subject_offset);
  g_free (args->jobs);
  g_strfreev (args->events);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GenerateArgs, generate_args_clear)

static gboolean
parse_number (const char  *option,
              const char  *text,
              double       low,
              double       high,
              double      *value,
              GError     **error)
{
  const char *end;
  double parsed;

  if (text == NULL)
    return TRUE;
  end = heart_decimal_scan (text, &parsed);
  if (end == NULL || *end != '\0' || parsed < low || parsed > high)
    return heart_option_error (error, "%s must be a number from %g to %g, not '%s'", option, low, high, text);
  *value = parsed;
  return TRUE;
}

static gboolean
parse_unsigned (const char  *option,
                const char  *text,
                guint64      low,
                guint64      high,
                guint64     *value,
                GError     **error)
{
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, low, high, value, NULL))
    return heart_option_error (error, "%s must be a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT ", not '%s'",
                 option, low, high, text);
  return TRUE;
}

static gboolean
parse_start (const char  *text,
             gint64      *start_us,
             GError     **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = NULL;

  if (text == NULL)
    return TRUE;
  parsed = g_date_time_new_from_iso8601 (text, utc);
  if (parsed == NULL || g_date_time_to_unix (parsed) < 0)
    return heart_option_error (error, "--start '%s' is not an ISO 8601 time after 1970 (e.g. 2026-01-09T12:00:00Z)", text);
  *start_us = g_date_time_to_unix (parsed) * G_USEC_PER_SEC + g_date_time_get_microsecond (parsed);
  return TRUE;
}

/* @choices: "a|b|c"; @value is the index of the one @text names */
static gboolean
parse_choice (const char  *option,
              const char  *text,
              const char  *choices,
              int         *value,
              GError     **error)
{
  g_auto(GStrv) names = g_strsplit (choices, "|", -1);

  if (text == NULL)
    return TRUE;
  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (text, names[i]))
      {
        *value = i;
        return TRUE;
      }
  return heart_option_error (error, "%s must be one of %s, not '%s'", option, choices, text);
}

static gboolean
parse_channels (const char           *text,
                HeartDatasetOptions  *options,
                GError              **error)
{
  g_autofree char *unknown = NULL;

  if (text == NULL)
    return TRUE;
  if (options->kind != HEART_DATASET_CHANNELS)
    return heart_option_error (error, "--channels goes with --what channels");
  if (!heart_channel_parse_list (text, &options->channels, &unknown))
    return heart_option_error (error, "--channels: no channel is called '%s' (GET /api/channels lists them)", unknown);
  if (options->channels == 0)
    return heart_option_error (error, "--channels names no channel");
  if (options->channels & HEART_CHANNEL_MASK_WAVEFORMS)
    return heart_option_error (error, "--channels: the ECG and PPG are waveforms: write them with --what ecg,ppg");
  return TRUE;
}

/* samples, beats, channels, or the waveforms: ecg, ppg, ecg,ppg */
static gboolean
parse_what (const char           *text,
            HeartDatasetOptions  *options,
            GError              **error)
{
  g_auto(GStrv) words = NULL;
  HeartChannelMask waveforms = 0;
  int kind = options->kind;

  if (text == NULL)
    return TRUE;
  if (strchr (text, ',') == NULL && !g_str_equal (text, "ecg") && !g_str_equal (text, "ppg"))
    {
      if (!parse_choice ("--what", text, "samples|beats|channels", &kind, NULL))
        return heart_option_error (error, "--what must be one of samples|beats|channels or the waveforms ecg, ppg, "
                                   "ecg,ppg, not '%s'", text);
      options->kind = (HeartDatasetKind) kind;
      return TRUE;
    }
  words = g_strsplit (text, ",", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_equal (words[i], "ecg"))
        waveforms |= HEART_CHANNEL_BIT (HEART_CHANNEL_ECG);
      else if (g_str_equal (words[i], "ppg"))
        waveforms |= HEART_CHANNEL_BIT (HEART_CHANNEL_PPG);
      else
        return heart_option_error (error, "--what: only the waveforms ecg and ppg go in a list, not '%s'", words[i]);
    }
  options->kind = HEART_DATASET_WAVEFORMS;
  options->waveforms = waveforms;
  return TRUE;
}

/* A number of HeartWaveformSettings at @offset, checked by
 * heart_waveform_settings_check() with the others at their defaults, so
 * that its message is about this option */
static gboolean
parse_waveform_setting (const char             *option,
                        const char             *text,
                        gboolean                whole,
                        gsize                   offset,
                        HeartWaveformSettings  *settings,
                        GError                **error)
{
  HeartWaveformSettings alone = HEART_WAVEFORM_SETTINGS_DEFAULT;
  g_autoptr(GError) check_error = NULL;
  const char *end;
  double value;

  if (text == NULL)
    return TRUE;
  end = heart_decimal_scan (text, &value);
  if (end == NULL || *end != '\0')
    return heart_option_error (error, "%s must be a number, not '%s'", option, text);
  if (whole && value != floor (value))
    return heart_option_error (error, "%s must be a whole number of samples a second, not '%s'", option, text);
  G_STRUCT_MEMBER (double, &alone, offset) = value;
  if (!heart_waveform_settings_check (&alone, &check_error))
    return heart_option_error (error, "%s: %s", option, check_error->message);
  G_STRUCT_MEMBER (double, settings, offset) = value;
  return TRUE;
}

/* An option of the waveforms alone, given without them */
static gboolean
check_waveform_option (const char                 *option,
                       const char                 *text,
                       HeartChannelMask            needs,
                       const HeartDatasetOptions  *options,
                       GError                    **error)
{
  if (text == NULL || (options->kind == HEART_DATASET_WAVEFORMS && (options->waveforms & needs) != 0))
    return TRUE;
  if (needs == HEART_CHANNEL_MASK_WAVEFORMS)
    return heart_option_error (error, "%s goes with --what ecg, ppg or ecg,ppg", option);
  return heart_option_error (error, "%s goes with --what %s", option,
                             needs == HEART_CHANNEL_BIT (HEART_CHANNEL_ECG) ? "ecg" : "ppg");
}

static gboolean
parse_waveform_options (const GenerateArgs   *args,
                        HeartDatasetOptions  *options,
                        GError              **error)
{
  HeartWaveformSettings *settings = &options->waveform_settings;
  HeartChannelMask ecg = HEART_CHANNEL_BIT (HEART_CHANNEL_ECG), ppg = HEART_CHANNEL_BIT (HEART_CHANNEL_PPG);
  g_autoptr(GError) noise_error = NULL;

  if (!check_waveform_option ("--ecg-rate", args->ecg_rate, ecg, options, error)
      || !check_waveform_option ("--ppg-rate", args->ppg_rate, ppg, options, error)
      || !check_waveform_option ("--noise", args->noise, HEART_CHANNEL_MASK_WAVEFORMS, options, error)
      || !check_waveform_option ("--powerline", args->powerline, ecg, options, error)
      || !check_waveform_option ("--lead-off-per-hour", args->lead_off_per_hour, ecg, options, error)
      || !parse_waveform_setting ("--ecg-rate", args->ecg_rate, TRUE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, ecg_rate_hz), settings, error)
      || !parse_waveform_setting ("--ppg-rate", args->ppg_rate, TRUE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, ppg_rate_hz), settings, error)
      || !parse_waveform_setting ("--powerline", args->powerline, FALSE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, powerline_hz), settings, error)
      || !parse_waveform_setting ("--pvc-per-hour", args->pvc_per_hour, FALSE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, pvc_per_hour), settings, error)
      || !parse_waveform_setting ("--pac-per-hour", args->pac_per_hour, FALSE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, pac_per_hour), settings, error)
      || !parse_waveform_setting ("--lead-off-per-hour", args->lead_off_per_hour, FALSE,
                                  G_STRUCT_OFFSET (HeartWaveformSettings, lead_off_per_hour), settings, error))
    return FALSE;
  if (args->noise != NULL && !heart_waveform_noise_parse (args->noise, &settings->noise, &noise_error))
    return heart_option_error (error, "--noise: %s", noise_error->message);
  return heart_waveform_settings_check (settings, error);
}

/* The formats each kind can be written as */
static gboolean
check_format (const HeartDatasetOptions  *options,
              const char                 *format,
              GError                    **error)
{
  gboolean waveform_format = options->format == HEART_DATASET_EDF || options->format == HEART_DATASET_WFDB;
  g_autoptr(GDateTime) start = NULL;

  if (options->kind == HEART_DATASET_WAVEFORMS && !waveform_format && options->format != HEART_DATASET_CSV)
    return heart_option_error (error, "--format %s does not write waveforms: use csv, edf or wfdb", format);
  if (options->kind != HEART_DATASET_WAVEFORMS && waveform_format)
    return heart_option_error (error, "--format %s goes with --what ecg, ppg or ecg,ppg", format);
  if (options->format != HEART_DATASET_EDF)
    return TRUE;
  if (!heart_waveform_files_have_edf ())
    return heart_option_error (error, "--format edf: this heartsim was built without EDFlib (libedf-dev)");
  start = g_date_time_new_from_unix_utc (options->start_time_us / G_USEC_PER_SEC);
  if (g_date_time_get_year (start) < EDF_YEAR_MIN || g_date_time_get_year (start) > EDF_YEAR_MAX)
    return heart_option_error (error, "--start: EDF+ dates recordings from %d to %d, not %d",
                               EDF_YEAR_MIN, EDF_YEAR_MAX, g_date_time_get_year (start));
  return TRUE;
}

/* A bundled scenario's name or a file; its length is the default duration */
static gboolean
parse_scenario (const char           *text,
                gboolean              duration_given,
                gboolean              start_given,
                HeartDatasetOptions  *options,
                GError              **error)
{
  g_autoptr(GError) load_error = NULL;

  if (text == NULL)
    return !options->repeat || heart_option_error (error, "--repeat goes with --scenario");
  options->scenario = heart_scenario_load (text, &load_error);
  if (options->scenario == NULL)
    return heart_option_error (error, "--scenario: %s", load_error->message);
  if (!duration_given)
    options->duration_s = heart_scenario_get_duration (options->scenario);
  /* a day's scenario written from 07:00 starts its rows at 07:00 */
  if (!start_given)
    options->start_time_us += (gint64) llround (heart_scenario_get_start (options->scenario) * G_USEC_PER_SEC);
  /* a daily routine goes on day after day */
  options->repeat = options->repeat || heart_scenario_get_repeat (options->scenario);
  return TRUE;
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const HeartDatasetEvent *ea = a, *eb = b;

  return (ea->at_s > eb->at_s) - (ea->at_s < eb->at_s);
}

/* Scripted events fire at the first tick that starts at or after their
 * time (heart-dataset.c): one after the last tick's start never would */
static double
last_tick_start (const HeartDatasetOptions *options)
{
  double step = options->interval_ms / 1000.0;

  return (floor (options->duration_s / step + 1e-9) - 1) * step;
}

/* --event AT[:LEVEL], e.g. 10m:0.8; the level defaults to 0.8 */
static gboolean
parse_event (const char          *text,
             HeartDatasetOptions *options,
             GError             **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", 2);
  HeartDatasetEvent event = { 0, 0.8 };
  double last = last_tick_start (options);

  if (!heart_duration_scan (parts[0], &event.at_s))
    return heart_option_error (error, "--event '%s' must be TIME[:LEVEL], e.g. 10m:0.8", text);
  if (event.at_s > last + 1e-9)
    return heart_option_error (error, "--event '%s' comes after the last tick of --duration, at %gs", text, last);
  if (parts[1] != NULL && !parse_number ("--event level", parts[1], 0, 1, &event.level, error))
    return FALSE;
  g_array_append_val (options->events, event);
  return TRUE;
}

static gboolean
parse_events (char               **texts,
              HeartDatasetOptions *options,
              GError             **error)
{
  if (texts == NULL)
    return TRUE;
  options->events = g_array_new (FALSE, FALSE, sizeof (HeartDatasetEvent));
  for (guint i = 0; texts[i] != NULL; i++)
    if (!parse_event (texts[i], options, error))
      return FALSE;
  g_array_sort (options->events, compare_events);
  return TRUE;
}

/* Timestamps keep four-digit years: the last row is at start + duration */
static gboolean
check_end (const HeartDatasetOptions *options,
           const char                *start,
           GError                   **error)
{
  gint64 end_us = options->start_time_us + (gint64) ceil (options->duration_s * G_USEC_PER_SEC);

  if (end_us > LAST_TIMESTAMP_US)
    return heart_option_error (error, "--start '%s' plus --duration ends after 9999-12-31T23:59:59.999Z",
                 start != NULL ? start : "(default)");
  return TRUE;
}

static gboolean
options_from_args (const GenerateArgs   *args,
                   HeartDatasetOptions  *options,
                   gboolean             *seed_given,
                   GError              **error)
{
  guint64 baseline = options->baseline_bpm, interval = options->interval_ms;
  int format = options->format;

  *seed_given = args->seed != NULL;
  if (args->duration != NULL && !heart_parse_duration (args->duration, &options->duration_s, error))
    return FALSE;
  /* who the person is; its resting rate, stress and arousals unless the
   * options below say otherwise */
  if (args->profile != NULL)
    {
      const HeartProfile *profile = heart_profile_lookup (args->profile);

      if (profile == NULL)
        {
          g_autofree char *known = g_strjoinv ("|", (char **) heart_profile_names ());

          return heart_option_error (error, "--profile must be one of %s, not '%s'", known, args->profile);
        }
      options->profile = profile->name;
      baseline = (guint64) profile->rest_bpm;
      options->stress_level = profile->tonic_stress;
      options->events_per_hour = profile->events_per_hour;
    }
  if (!parse_unsigned ("--seed", args->seed, 0, G_MAXUINT64, &options->seed, error)
      || !parse_unsigned ("--baseline", args->baseline, HEART_BASELINE_MIN, HEART_BASELINE_MAX, &baseline, error)
      || !parse_number ("--stress", args->stress, 0, 1, &options->stress_level, error)
      || !parse_number ("--breathing-rate", args->breathing_rate, HEART_BREATHING_REST_RATE_MIN,
                        HEART_BREATHING_REST_RATE_MAX, &options->rest_breathing_rate, error)
      || !parse_number ("--events-per-hour", args->events_per_hour, 0, HEART_EVENTS_PER_HOUR_MAX,
                        &options->events_per_hour, error)
      || !parse_unsigned ("--interval-ms", args->interval_ms, HEART_INTERVAL_MIN_MS, HEART_INTERVAL_MAX_MS,
                          &interval, error)
      || !parse_start (args->start, &options->start_time_us, error)
      || !parse_what (args->what, options, error)
      || !parse_choice ("--format", args->format, "csv|jsonl|healthkit|openmhealth|edf|wfdb", &format, error))
    return FALSE;

  options->baseline_bpm = baseline;
  options->interval_ms = interval;
  options->format = (HeartDatasetFormat[]) { HEART_DATASET_CSV, HEART_DATASET_JSONL, HEART_DATASET_HEALTHKIT,
                                             HEART_DATASET_OPENMHEALTH, HEART_DATASET_EDF, HEART_DATASET_WFDB }[format];
  options->repeat = args->repeat;
  options->low_skin_responder = args->low_responder;
  if (!parse_channels (args->channels, options, error) ||
      !parse_waveform_options (args, options, error) ||
      !parse_scenario (args->scenario, args->duration != NULL, args->start != NULL, options, error) ||
      !check_format (options, args->format, error))
    return FALSE;
  if (options->duration_s < options->interval_ms / 1000.0)
    return heart_option_error (error, "--duration is shorter than one --interval-ms tick");
  return check_end (options, args->start, error) && parse_events (args->events, options, error);
}

static void
draw_progress (double   fraction,
               gpointer user_data)
{
  Progress *progress = user_data;
  int percent = (int) floor (fraction * 100);
  gint64 now = g_get_monotonic_time ();
  int filled = (int) (fraction * PROGRESS_BAR_WIDTH);
  char bar[PROGRESS_BAR_WIDTH + 1];

  if (percent == progress->last_percent || (fraction < 1 && now - progress->last_draw_us < 100000))
    return;
  progress->last_percent = percent;
  progress->last_draw_us = now;
  for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[PROGRESS_BAR_WIDTH] = '\0';
  g_printerr ("\r[%s] %3d%%%s", bar, percent, fraction >= 1 ? "\n" : "");
}

/* The temporary files a signal removes before the process dies of it */
static const char *volatile signal_unlink_paths[MAX_OUTPUTS];
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Async-signal-safe: unlink() and raise() only. SA_RESETHAND has put back
 * the default action, so the process then dies of @signum and a shell
 * reports 128 + @signum (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). */
static void
on_cleanup_signal (int signum)
{
  for (guint i = 0; i < MAX_OUTPUTS; i++)
    {
      const char *path = signal_unlink_paths[i];

      if (path != NULL)
        unlink (path);
    }
  raise (signum);
}

static void
cleanup_signal_set (sigset_t *set)
{
  sigemptyset (set);
  for (guint i = 0; i < G_N_ELEMENTS (cleanup_signals); i++)
    sigaddset (set, cleanup_signals[i]);
}

/* A signal that was ignored at start (nohup, a background job) stays so */
static void
install_cleanup_signals (void)
{
  struct sigaction action = { .sa_handler = on_cleanup_signal, .sa_flags = SA_RESETHAND };
  struct sigaction old;

  cleanup_signal_set (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (cleanup_signals); i++)
    if (sigaction (cleanup_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaction (cleanup_signals[i], &action, NULL);
}

/* Creating, committing and dropping the temporary file happen with the
 * signals held, so a signal always sees signal_unlink_path up to date */
static void
hold_cleanup_signals (sigset_t *saved)
{
  sigset_t set;

  cleanup_signal_set (&set);
  sigprocmask (SIG_BLOCK, &set, saved);
}

static void
release_cleanup_signals (const sigset_t *saved)
{
  sigprocmask (SIG_SETMASK, saved, NULL);
}

/* Output @slot of the run (0 unless it writes several files) */
static HeartOutputFile *
open_output (const char  *path,
             guint        slot,
             GError     **error)
{
  HeartOutputFile *out;
  sigset_t saved;

  g_assert (slot < MAX_OUTPUTS);
  if (path == NULL || g_str_equal (path, "-"))
    return heart_output_file_new_for_fd (STDOUT_FILENO, "standard output");
  install_cleanup_signals ();
  hold_cleanup_signals (&saved);
  out = heart_output_file_new (path, error);
  signal_unlink_paths[slot] = out != NULL ? heart_output_file_get_temp_path (out) : NULL;
  release_cleanup_signals (&saved);
  return out;
}

/* Renames the files into place in order on success, drops them otherwise;
 * once one fails, the rest are dropped */
static gboolean
finish_outputs (HeartOutputFile **outs,
                guint             n_outs,
                gboolean          success,
                GError          **error)
{
  sigset_t saved;

  hold_cleanup_signals (&saved);
  for (guint i = 0; i < n_outs; i++)
    {
      if (success)
        success = heart_output_file_commit (outs[i], error);
      else
        g_output_stream_close (G_OUTPUT_STREAM (outs[i]), NULL, NULL);
      signal_unlink_paths[i] = NULL;
    }
  release_cleanup_signals (&saved);
  return success;
}

/* Refused up front only when even the fewest bytes the run can write do
 * not fit (docs/datasets.md) */
static gboolean
check_space (const char  *path,
             guint64      needed_bytes,
             GError     **error)
{
  if (path == NULL || g_str_equal (path, "-"))
    return TRUE;
  return heart_output_file_check_space (path, needed_bytes, error);
}

/* One line, on a line of its own even after a half-drawn progress bar */
static int
report_failure (const Progress *progress,
                const GError   *error)
{
  if (progress->last_percent >= 0 && progress->last_percent < 100)
    g_printerr ("\n");
  /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference): each caller failed with error set */
  g_printerr ("heartsim generate: %s\n", error->message);
  return EXIT_FAILURE;
}

static int
write_dataset (const HeartDatasetOptions *options,
               const char                *path,
               gboolean                   show_progress)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartOutputFile) out = NULL;
  Progress progress = { 0, -1 };
  gboolean ok;

  /* past RLIMIT_FSIZE a write fails with EFBIG instead of killing us */
  signal (SIGXFSZ, SIG_IGN);
  if (!check_space (path, heart_dataset_estimate_bytes (options), &error)
      || (out = open_output (path, 0, &error)) == NULL)
    return report_failure (&progress, error);
  ok = heart_dataset_write (options, G_OUTPUT_STREAM (out), show_progress ? draw_progress : NULL, &progress, &error);
  if (!finish_outputs (&out, 1, ok, ok ? &error : NULL))
    return report_failure (&progress, error);
  return EXIT_SUCCESS;
}

/* The ECG and PPG: a file or a few (heart-waveform-files.h), all in place
 * or none */
static int
write_waveforms (const HeartDatasetOptions *options,
                 const char * const        *names,
                 gboolean                   show_progress)
{
  g_autoptr(GError) error = NULL;
  HeartOutputFile *outs[MAX_OUTPUTS] = { NULL };
  guint n, opened = 0;
  Progress progress = { 0, -1 };
  gboolean ok;

  g_assert (names != NULL);
  n = g_strv_length ((char **) names);
  g_assert (n > 0 && n <= MAX_OUTPUTS);
  signal (SIGXFSZ, SIG_IGN);
  ok = check_space (names[n - 1], heart_waveform_files_estimate_bytes (options), &error);
  for (guint i = 0; ok && i < n; i++)
    {
      outs[i] = open_output (names[i], i, &error);
      ok = outs[i] != NULL;
      opened += ok ? 1 : 0;
    }
  if (ok)
    ok = heart_waveform_files_write (options, names, (GOutputStream * const *) outs,
                                     show_progress ? draw_progress : NULL, &progress, &error);
  /* what was opened is renamed into place, or dropped if anything failed */
  if (!finish_outputs (outs, opened, ok, ok ? &error : NULL))
    ok = FALSE;
  for (guint i = 0; i < n; i++)
    g_clear_object (&outs[i]);
  return ok ? EXIT_SUCCESS : report_failure (&progress, error);
}

/* ---- cohorts (heart-generate-cohort.h) ---------------------------------- */

#define JOBS_MAX 256

/* A folder of subjects with --cohort, --subject-offset or --subjects N > 1;
 * --subjects 1 alone is the one person of a plain run */
static gboolean
wants_cohort (const GenerateArgs  *args,
              guint64             *n_subjects,
              GError             **error)
{
  if (!parse_unsigned ("--subjects", args->subjects, 1, HEART_COHORT_MAX_SUBJECTS, n_subjects, error))
    return FALSE;
  if (args->subjects != NULL && args->cohort != NULL)
    return heart_option_error (error, "--subjects and --cohort both say who the subjects are: give one");
  return TRUE;
}

/* The options that belong to each subject of a cohort file, or to no one
 * of a cohort */
static gboolean
check_cohort_args (const GenerateArgs  *args,
                   GError             **error)
{
  if (args->baseline != NULL)
    return heart_option_error (error, "--baseline: each subject has its own (its profile's, or a cohort file's baseline_bpm)");
  if (args->cohort != NULL && args->profile != NULL)
    return heart_option_error (error, "--profile goes with --subjects: a cohort file gives each subject's profile");
  if (args->cohort != NULL && (args->scenario != NULL || args->repeat))
    return heart_option_error (error, "--%s goes with --subjects: a cohort file gives each subject's scenario",
                               args->scenario != NULL ? "scenario" : "repeat");
  if (args->output == NULL || g_str_equal (args->output, "-"))
    return heart_option_error (error, "several subjects are written into a folder: name it with -o FOLDER");
  return TRUE;
}

/* The command line for the manifest, less what does not change the data:
 * -o, --jobs, -q */
static GStrv
manifest_arguments (int                 argc,
                    const char * const *argv)
{
  static const char * const with_value[] = { "-o", "--output", "--jobs", NULL };
  static const char * const prefixes[] = { "--output=", "--jobs=", NULL };
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv arguments;

  for (int i = 1; i < argc; i++)
    {
      gboolean skip = g_str_equal (argv[i], "-q") || g_str_equal (argv[i], "--quiet")
                      || (g_str_has_prefix (argv[i], "-o") && !g_str_has_prefix (argv[i], "--"));

      for (guint p = 0; prefixes[p] != NULL; p++)
        skip = skip || g_str_has_prefix (argv[i], prefixes[p]);
      if (g_strv_contains (with_value, argv[i]))
        {
          i++;
          continue;
        }
      if (!skip)
        g_strv_builder_add (builder, argv[i]);
    }
  arguments = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return arguments;
}

/* "out/" and "out" are one folder; its temporary twin is named from the
 * last part ("/" stays "/") */
static char *
folder_without_slashes (const char *path)
{
  gsize length;

  if (path == NULL)
    return NULL;
  length = strlen (path);
  while (length > 1 && path[length - 1] == '/')
    length--;
  return g_strndup (path, length);
}

static int
generate_cohort (const GenerateArgs         *args,
                 const HeartDatasetOptions  *options,
                 guint64                     n_subjects,
                 const char * const         *argv,
                 int                         argc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_auto(GStrv) arguments = manifest_arguments (argc, argv);
  g_autofree char *folder = folder_without_slashes (args->output);
  guint64 offset = 0, jobs = MIN (g_get_num_processors (), JOBS_MAX);
  HeartGenerateCohort cohort = {
    .options = options,
    .stress_given = args->stress != NULL,
    .events_given = args->events_per_hour != NULL,
    .folder = folder,
    .show_progress = !args->quiet && isatty (STDERR_FILENO),
    .arguments = (const char * const *) arguments,
  };

  if (!check_cohort_args (args, &error)
      || !parse_unsigned ("--subject-offset", args->subject_offset, 0, G_MAXUINT, &offset, &error)
      || !parse_unsigned ("--jobs", args->jobs, 1, JOBS_MAX, &jobs, &error))
    {
      g_printerr ("heartsim generate: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (args->cohort != NULL)
    specs = heart_cohort_file_load (args->cohort, (guint) offset, options->seed, &error);
  else
    specs = heart_cohort_subjects_new ((guint) n_subjects, (guint) offset, options->seed, args->profile, &error);
  if (specs == NULL)
    {
      g_printerr ("heartsim generate: %s%s\n", args->cohort != NULL ? "--cohort: " : "", error->message);
      return EXIT_USAGE;
    }
  cohort.specs = specs;
  cohort.jobs = (guint) jobs;
  return heart_generate_cohort_run (&cohort);
}

int
heart_generate_main (int    argc,
                     char **argv)
{
  g_auto(GenerateArgs) args = { 0 };
  HeartDatasetOptions options;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) events = NULL;
  g_autoptr(HeartScenario) scenario = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) given = g_strdupv (argv);
  guint64 n_subjects = 1;
  gboolean seed_given;
  GOptionEntry entries[] = {
    { "duration", 'd', 0, G_OPTION_ARG_STRING, &args.duration, "How much simulated time (90s, 10m, 24h, 2d; default 10m)", "DURATION" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &args.seed, "Random seed: the same seed and options give the same file (default: a new seed, printed)", "N" },
    { "baseline", 0, 0, G_OPTION_ARG_STRING, &args.baseline, "Resting heart rate, 40–120 bpm (default 72)", "BPM" },
    { "stress", 0, 0, G_OPTION_ARG_STRING, &args.stress, "Tonic stress level, 0–1 (default 0)", "LEVEL" },
    { "events-per-hour", 0, 0, G_OPTION_ARG_STRING, &args.events_per_hour, "Random stress events an hour, 0 = none (default 144)", "RATE" },
    { "event", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &args.events, "An acute stress event at simulated time TIME (repeatable)", "TIME[:LEVEL]" },
    { "interval-ms", 0, 0, G_OPTION_ARG_STRING, &args.interval_ms, "Time between samples, 10–5000 ms (default 500)", "MS" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &args.start, "Timestamp of time 0 (default 2026-01-01T00:00:00Z)", "ISO8601" },
    { "what", 'w', 0, G_OPTION_ARG_STRING, &args.what, "samples (one row a tick), beats (one row a heartbeat), channels (one row a channel value), or the waveforms ecg, ppg or ecg,ppg", "samples|beats|channels|ecg,ppg" },
    { "channels", 0, 0, G_OPTION_ARG_STRING, &args.channels, "With --what channels: only these (default: all)", "heart_rate,eda,…" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &args.scenario, "Run a scenario from time 0: a bundled one's name or a file; rows carry its phase as \"condition\" (default duration: the scenario's)", "NAME|FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &args.format, "csv (with a header row), jsonl (one object a line), healthkit (an Apple Health export.xml), openmhealth (Open mHealth data points, one a line); for waveforms csv, edf (EDF+) or wfdb (a WFDB record)", "csv|jsonl|healthkit|openmhealth|edf|wfdb" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &args.profile, "Who the person is: average, athlete, older-adult or anxious (default average)", "NAME" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output, "Write to FILE instead of standard output", "FILE" },
    { "repeat", 0, 0, G_OPTION_ARG_NONE, &args.repeat, "Run the scenario again each time it ends, to the end of --duration", NULL },
    { "breathing-rate", 0, 0, G_OPTION_ARG_STRING, &args.breathing_rate, "The person's resting breathing rate, 10–20 breaths a minute (default 15)", "RATE" },
    { "low-responder", 0, 0, G_OPTION_ARG_NONE, &args.low_responder, "A person whose skin conductance responds little (fewer, smaller responses)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args.quiet, "No progress bar and no seed message", NULL },
    { "ecg-rate", 0, 0, G_OPTION_ARG_STRING, &args.ecg_rate, "With --what ecg: samples a second, 125–1000 (default 250)", "HZ" },
    { "ppg-rate", 0, 0, G_OPTION_ARG_STRING, &args.ppg_rate, "With --what ppg: samples a second, 16–500 (default 64)", "HZ" },
    { "noise", 0, 0, G_OPTION_ARG_STRING, &args.noise, "With the waveforms: noise on them (default none)", "powerline,muscle,wander,motion|all|none" },
    { "powerline", 0, 0, G_OPTION_ARG_STRING, &args.powerline, "With --what ecg: the mains frequency of powerline noise (default 50)", "50|60" },
    { "pvc-per-hour", 0, 0, G_OPTION_ARG_STRING, &args.pvc_per_hour, "Premature ventricular beats an hour, in the beats and the waveforms (default 0)", "N" },
    { "pac-per-hour", 0, 0, G_OPTION_ARG_STRING, &args.pac_per_hour, "Premature atrial beats an hour, in the beats and the waveforms (default 0)", "N" },
    { "lead-off-per-hour", 0, 0, G_OPTION_ARG_STRING, &args.lead_off_per_hour, "With --what ecg: ECG lead-off dropouts an hour (default 0)", "N" },
    { "subjects", 0, 0, G_OPTION_ARG_STRING, &args.subjects, "Simulate N people, each written to a file of its own in the folder -o names, with manifest.json (default 1)", "N" },
    { "cohort", 0, 0, G_OPTION_ARG_FILENAME, &args.cohort, "The people to simulate, from a cohort file (docs/datasets.md), each written to a file of its own in the folder -o names", "FILE" },
    { "subject-offset", 0, 0, G_OPTION_ARG_STRING, &args.subject_offset, "The first subject's id (default 0)", "K" },
    { "jobs", 'j', 0, G_OPTION_ARG_STRING, &args.jobs, "Subjects written at once, 1–256 (default: the number of processors)", "N" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("- write a simulated heart dataset");
  g_option_context_set_summary (context,
    "Writes samples (the fields of the live API plus an \"event\" label), beats\n"
    "(timestamp,t_s,rr_ms,bpm,stress_level,event,condition,beat_type), channel values\n"
    "(value,timestamp,type,label,condition), or the ECG and PPG waveforms with their\n"
    "annotations (CSV, EDF+ or WFDB) as fast as the machine allows.\n"
    "Bundled scenarios: lab-stress-protocol, work-session, demo, weekday.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("heartsim generate: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (argc > 1)
    {
      g_printerr ("heartsim generate: unexpected argument '%s' (see heartsim generate --help)\n", argv[1]);
      return EXIT_USAGE;
    }

  heart_dataset_options_init (&options);
  if (!wants_cohort (&args, &n_subjects, &error) || !options_from_args (&args, &options, &seed_given, &error))
    {
      events = options.events;
      scenario = options.scenario;
      g_printerr ("heartsim generate: %s\n", error->message);
      return EXIT_USAGE;
    }
  events = options.events;
  scenario = options.scenario;
  if (args.cohort == NULL && args.subject_offset == NULL && n_subjects == 1 && args.jobs != NULL)
    {
      g_printerr ("heartsim generate: --jobs goes with --subjects or --cohort\n");
      return EXIT_USAGE;
    }
  if (args.cohort == NULL && args.subject_offset == NULL && n_subjects == 1
      && options.kind == HEART_DATASET_WAVEFORMS
      && (names = heart_waveform_files_names (&options, args.output, &error)) == NULL)
    {
      g_printerr ("heartsim generate: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (!seed_given)
    {
      options.seed = g_random_int () | ((guint64) g_random_int () << 32);
      if (!args.quiet)
        g_printerr ("heartsim generate: seed %" G_GUINT64_FORMAT " (pass --seed to repeat this run)\n", options.seed);
    }

  if (args.cohort != NULL || args.subject_offset != NULL || n_subjects > 1)
    return generate_cohort (&args, &options, n_subjects, (const char * const *) given, g_strv_length (given));
  if (options.kind == HEART_DATASET_WAVEFORMS)
    return write_waveforms (&options, (const char * const *) names,
                            !args.quiet && isatty (STDERR_FILENO) && options.duration_s >= PROGRESS_MIN_WAVEFORM_S);
  return write_dataset (&options, args.output,
                        !args.quiet && isatty (STDERR_FILENO) && options.duration_s >= PROGRESS_MIN_DURATION_S);
}
