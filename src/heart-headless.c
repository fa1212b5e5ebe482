/* heart-headless.c: `heartsim --headless`, simulator and server with no display
 *
 * A plain GMainLoop: no GTK, no GApplication, nothing that needs a display
 * or a session bus, so it runs on a server or in a container.
 *
 * Exit codes: 0 after SIGINT/SIGTERM/SIGHUP, 1 when the server cannot start
 * for another reason, 2 for a bad command line (--bind not an address, an
 * empty or unsendable --token included), 3 when the port is in use. SIGUSR1
 * prints a status line; SIGUSR2 and SIGPIPE are ignored (docs/api.md).
 * With --record FILE every sample and beat is appended to FILE: a file that
 * cannot be recorded to is exit status 1 before anything listens, a write
 * error later is one line on stderr, and serving goes on (docs/recording.md).
 * With --replay FILE the file is served instead of the simulation: one that
 * cannot be played is exit status 1 before anything listens, and each bad
 * line one line on stderr (docs/replay.md).
 * With --sensor ADDRESS|any a Bluetooth heart-rate strap is served, through
 * BlueZ on the system bus: no BlueZ or no adapter is exit status 1, and the
 * strap connecting or going away one line on stderr (docs/sensors.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "heart-mqtt-args.h"
#include "heart-headless.h"
#include "heart-cohort.h"
#include "heart-cohort-file.h"
#include "heart-day-log.h"
#include "heart-history.h"
#include "heart-duration.h"
#include "heart-recorder.h"
#include "heart-replay.h"
#include "heart-sensor.h"
#include "heart-server.h"
#include "heart-server-private.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"

#define EXIT_START_FAILED 1
#define EXIT_USAGE 2
#define EXIT_ADDRESS_IN_USE 3
/* --subjects not given: one person, or as many as --cohort lists */
#define SUBJECTS_UNSET (-1)

typedef struct
{
  gboolean  headless;        /* accepted so main.c can pass argv unchanged */
  gboolean  help_headless;
  int       port;
  char     *bind;
  char     *token;
  char    **allow_origins;
  char    **allow_hosts;
  char     *seed;
  int       interval_ms;
  gboolean  no_autostart;
  char     *record;
  char     *record_format;
  int       fanout_threads;
  char     *replay;
  char     *speed;
  gboolean  loop;
  char     *seek;
  char     *timestamps;
  char     *on_error;
  char     *columns;
  char     *sensor;
  int       subjects;
  int       subject_offset;
  char     *cohort;
  HeartMqttArgs mqtt;
} HeadlessOptions;

/* What --replay and its options settled on */
typedef struct
{
  double                speed;
  double                seek_s;
  HeartReplayTimestamps timestamps;
  HeartReplayOnError    on_error;
} ReplayOptions;

/* stderr gets this many bad lines of a replay, then one line saying so */
#define REPLAY_PROBLEMS_SHOWN 20

/* What the signal handlers need while the main loop runs */
typedef struct
{
  GMainLoop      *loop;
  HeartSource    *source;
  HeartServer    *server;
  gint64          started_us;   /* monotonic */
  guint           signal_ids[4];
  guint           replay_problems;
} HeadlessRun;

static void
headless_options_clear (HeadlessOptions *options)
{
  g_clear_pointer (&options->bind, g_free);
  g_clear_pointer (&options->token, g_free);
  g_clear_pointer (&options->allow_origins, g_strfreev);
  g_clear_pointer (&options->allow_hosts, g_strfreev);
  g_clear_pointer (&options->seed, g_free);
  g_clear_pointer (&options->record, g_free);
  g_clear_pointer (&options->record_format, g_free);
  g_clear_pointer (&options->replay, g_free);
  g_clear_pointer (&options->speed, g_free);
  g_clear_pointer (&options->seek, g_free);
  g_clear_pointer (&options->timestamps, g_free);
  g_clear_pointer (&options->on_error, g_free);
  g_clear_pointer (&options->columns, g_free);
  g_clear_pointer (&options->sensor, g_free);
  g_clear_pointer (&options->cohort, g_free);
  heart_mqtt_args_clear (&options->mqtt);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HeadlessOptions, headless_options_clear)

/* Two threads halve what the last client of a broadcast waits for on two
 * cores; on one core they only add hand-offs (docs/architecture.md, Fan-out) */
static int
default_fanout_threads (void)
{
  return g_get_num_processors () >= 2 ? 2 : 0;
}

static GOptionContext *
options_context_new (HeadlessOptions *options)
{
  const GOptionEntry entries[] = {
    { "headless", 0, 0, G_OPTION_ARG_NONE, &options->headless,
      "Run simulator and server with no window", NULL },
    { "help-headless", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &options->help_headless,
      "Show these options", NULL },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      "TCP port (default 8000; 0 = any free port)", "PORT" },
    { "bind", 'b', 0, G_OPTION_ARG_STRING, &options->bind,
      "Address to listen on (default 127.0.0.1; 0.0.0.0 = every interface, then POST needs the token)", "ADDRESS" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &options->token,
      "Bearer token for POST when listening beyond loopback, visible ASCII (default: generated and printed)", "TOKEN" },
    { "allow-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->allow_origins,
      "Let web pages of ORIGIN (e.g. http://app.example:3000) send POSTs without the token (repeatable)", "ORIGIN" },
    { "allow-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->allow_hosts,
      "Answer requests for the host name NAME too, besides addresses and localhost (repeatable)", "NAME" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &options->seed,
      "Random seed, for reproducible data (default: from the clock)", "N" },
    { "interval-ms", 0, 0, G_OPTION_ARG_INT, &options->interval_ms,
      "Milliseconds between samples, 10–5000 (default 500 = 2 Hz)", "MS" },
    { "no-autostart", 0, 0, G_OPTION_ARG_NONE, &options->no_autostart,
      "Wait for POST /simulation/start instead of starting at launch", NULL },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &options->record,
      "Append every sample and beat to FILE (an existing recording goes on)", "FILE" },
    { "record-format", 0, 0, G_OPTION_ARG_STRING, &options->record_format,
      "Format of --record: jsonl (default) or csv", "jsonl|csv" },
    { "replay", 0, 0, G_OPTION_ARG_FILENAME, &options->replay,
      "Serve FILE instead of the simulation: a recording, or a CSV of heart rates or RR intervals", "FILE" },
    { "speed", 0, 0, G_OPTION_ARG_STRING, &options->speed,
      "Speed of --replay, 0.1–1000 (default 1)", "X" },
    { "loop", 0, 0, G_OPTION_ARG_NONE, &options->loop,
      "Play --replay again from its start when it ends", NULL },
    { "seek", 0, 0, G_OPTION_ARG_STRING, &options->seek,
      "Start --replay this far into the file (600, 90s, 1h30m)", "TIME" },
    { "timestamps", 0, 0, G_OPTION_ARG_STRING, &options->timestamps,
      "Timestamps of --replay: the file's own (original, the default) or the wall clock now", "original|now" },
    { "on-error", 0, 0, G_OPTION_ARG_STRING, &options->on_error,
      "A malformed line of --replay is skipped (the default) or stops the replay", "skip|stop" },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &options->columns,
      "Columns of a --replay CSV, by name or number: time=…,bpm=…,rr_ms=…[,time_unit=s|ms|us|ns|iso]", "SPEC" },
    { "sensor", 0, 0, G_OPTION_ARG_STRING, &options->sensor,
      "Serve a Bluetooth LE heart-rate strap paired through BlueZ, by address or the first one found", "ADDRESS|any" },
    { "subjects", 0, 0, G_OPTION_ARG_INT, &options->subjects,
      "Simulate N people, served under /subjects/ID/ (default 1: the paths without it serve the first)", "N" },
    { "cohort", 0, 0, G_OPTION_ARG_FILENAME, &options->cohort,
      "Simulate the people FILE lists: profile, seed, scenario, start offset (docs/datasets.md, Cohort files)", "FILE" },
    { "subject-offset", 0, 0, G_OPTION_ARG_INT, &options->subject_offset,
      "Number the subjects from K, so that instances with disjoint ranges feed one broker (default 0)", "K" },
    { "fanout-threads", 0, 0, G_OPTION_ARG_INT, &options->fanout_threads,
      "Threads that share the streaming clients, 0–16 (0: the server's own loop; default 2, or 0 on one core)", "N" },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("— heart-rate simulator service, no display");

  g_option_context_set_summary (context,
                                "Serves the REST, WebSocket and SSE API of the heartbeat simulator.\n"
                                "Exit status: 0 on SIGINT/SIGTERM/SIGHUP, 1 cannot listen, record, replay or reach BlueZ, 2 bad options, 3 port in use.\n"
                                "SIGUSR1 prints a status line on stderr.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, heart_mqtt_args_group (&options->mqtt));
  return context;
}

/* It travels in an HTTP header: visible ASCII only, as the preferences
 * window asks (docs/api.md, "Running headless") */
static gboolean
validate_token (const char  *token,
                GError     **error)
{
  if (token == NULL)
    return TRUE;
  if (*token == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--token must not be empty; leave it out to have one generated");
      return FALSE;
    }
  for (const char *c = token; *c != '\0'; c++)
    if (*c < '!' || *c > '~')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--token must be letters, digits and punctuation only, no spaces or control characters");
        return FALSE;
      }
  return TRUE;
}

static gboolean
parse_options (HeadlessOptions     *options,
               char              ***args,
               guint64             *seed,
               HeartRecorderFormat *record_format,
               ReplayOptions       *replay,
               GError             **error)
{
  g_autoptr(GOptionContext) context = options_context_new (options);

  /* the strv variant frees the strings it takes out of @args */
  if (!g_option_context_parse_strv (context, args, error))
    return FALSE;

  if (options->help_headless)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      return TRUE;
    }
  if (g_strv_length (*args) > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument “%s”", (*args)[1]);
      return FALSE;
    }
  if (options->port < 0 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--port must be 0–65535");
      return FALSE;
    }
  if (options->interval_ms != 0 &&
      (options->interval_ms < HEART_INTERVAL_MIN_MS || options->interval_ms > HEART_INTERVAL_MAX_MS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--interval-ms must be %d–%d",
                   HEART_INTERVAL_MIN_MS, HEART_INTERVAL_MAX_MS);
      return FALSE;
    }
  if (options->fanout_threads < 0 || options->fanout_threads > HEART_SERVER_MAX_FANOUT_THREADS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--fanout-threads must be 0–%d",
                   HEART_SERVER_MAX_FANOUT_THREADS);
      return FALSE;
    }
  if (options->cohort != NULL && options->subjects != SUBJECTS_UNSET)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cohort and --subjects are one or the other: the file says how many people");
      return FALSE;
    }
  if (options->subjects == SUBJECTS_UNSET && options->cohort == NULL)
    options->subjects = 1;
  if (options->cohort == NULL && (options->subjects < 1 || options->subjects > HEART_SUBJECTS_MAX))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--subjects must be 1–%d", HEART_SUBJECTS_MAX);
      return FALSE;
    }
  if (options->subject_offset < 0 || (guint) options->subject_offset > G_MAXUINT32 - HEART_SUBJECTS_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--subject-offset must be 0–%u",
                   G_MAXUINT32 - HEART_SUBJECTS_MAX);
      return FALSE;
    }
  if (options->seed != NULL &&
      !g_ascii_string_to_unsigned (options->seed, 10, 0, G_MAXUINT64, seed, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--seed must be a non-negative integer");
      return FALSE;
    }
  if (options->record_format != NULL
      && !heart_recorder_format_parse (options->record_format, record_format, error))
    return FALSE;
  if (options->replay == NULL
      && (options->speed || options->loop || options->seek || options->timestamps
          || options->on_error || options->columns))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--speed, --loop, --seek, --timestamps, --on-error and --columns go with --replay FILE");
      return FALSE;
    }
  if (options->replay != NULL && options->sensor != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--replay and --sensor are one source or the other");
      return FALSE;
    }
  if (options->sensor != NULL && options->sensor[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--sensor needs a Bluetooth address (AA:BB:CC:DD:EE:FF) or “any”");
      return FALSE;
    }
  if (options->replay != NULL && options->replay[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--replay needs a file name");
      return FALSE;
    }
  if (options->speed != NULL && !heart_replay_parse_speed (options->speed, &replay->speed, error))
    return FALSE;
  if (options->seek != NULL
      && (!heart_duration_scan (options->seek, &replay->seek_s) || replay->seek_s > HEART_DURATION_MAX_S))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--seek must be a time such as 600, 90s or 1h30m, not “%s”", options->seek);
      return FALSE;
    }
  if (options->timestamps != NULL
      && !heart_replay_parse_timestamps (options->timestamps, &replay->timestamps, error))
    return FALSE;
  if (options->on_error != NULL && !heart_replay_parse_on_error (options->on_error, &replay->on_error, error))
    return FALSE;
  if (options->columns != NULL && !heart_replay_check_columns (options->columns, error))
    return FALSE;
  if (options->record != NULL && options->record[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--record needs a file name");
      return FALSE;
    }
  return validate_token (options->token, error);
}

static gboolean
on_quit_signal (gpointer data)
{
  HeadlessRun *run = data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_CONTINUE;
}

/* One line on stderr, the figures of GET /health that matter to an operator */
static gboolean
on_status_signal (gpointer data)
{
  HeadlessRun *run = data;
  guint ws = heart_server_get_websocket_clients (run->server);
  guint sse = heart_server_get_sse_clients (run->server);

  g_printerr ("heartsim: simulation %s, seq %" G_GUINT64_FORMAT ", %u client%s (%u WebSocket, %u SSE), uptime %.0f s\n",
              heart_source_get_running (run->source) ? "running" : "stopped",
              heart_source_get_current_sample (run->source)->seq,
              ws + sse, ws + sse == 1 ? "" : "s", ws, sse,
              (g_get_monotonic_time () - run->started_us) / (double) G_USEC_PER_SEC);
  return G_SOURCE_CONTINUE;
}

/* One line, and the server goes on */
static void
on_record_failed (HeartRecorder *recorder,
                  const GError  *error,
                  gpointer       data)
{
  g_printerr ("heartsim: recording stopped: %s\n", error->message);
}

/* One line a bad line, up to a limit: a binary file must not flood stderr */
static void
on_replay_problem (HeartReplay  *replay,
                   const GError *error,
                   gboolean      fatal,
                   HeadlessRun  *run)
{
  run->replay_problems++;
  if (fatal)
    g_printerr ("heartsim: replay stopped: %s\n", error->message);
  else if (run->replay_problems <= REPLAY_PROBLEMS_SHOWN)
    g_printerr ("heartsim: skipped %s\n", error->message);
  else if (run->replay_problems == REPLAY_PROBLEMS_SHOWN + 1)
    g_printerr ("heartsim: more lines of %s were skipped; they are not shown\n", heart_replay_get_path (replay));
}

/* nohup(1) starts us with SIGHUP ignored: keep it so */
static gboolean
signal_ignored (int signum)
{
  struct sigaction action;

  return sigaction (signum, NULL, &action) == 0 && action.sa_handler == SIG_IGN;
}

static void
add_signal_handlers (HeadlessRun *run)
{
  run->signal_ids[0] = g_unix_signal_add (SIGINT, on_quit_signal, run);
  run->signal_ids[1] = g_unix_signal_add (SIGTERM, on_quit_signal, run);
  /* no config file to reload: a hangup means the session is gone */
  if (!signal_ignored (SIGHUP))
    run->signal_ids[2] = g_unix_signal_add (SIGHUP, on_quit_signal, run);
  run->signal_ids[3] = g_unix_signal_add (SIGUSR1, on_status_signal, run);
}

static void
remove_signal_handlers (HeadlessRun *run)
{
  for (guint i = 0; i < G_N_ELEMENTS (run->signal_ids); i++)
    g_clear_handle_id (&run->signal_ids[i], g_source_remove);
}

/* One line when the strap connects or goes away; none for the steps between */
static void
on_sensor_state (HeartSensor *sensor,
                 GParamSpec  *pspec,
                 gpointer     user_data)
{
  const char *state = heart_sensor_get_state (sensor);
  const char *name = heart_sensor_get_device_name (sensor);
  const char *address = heart_sensor_get_device_address (sensor);

  if (g_str_equal (state, "connected"))
    g_printerr ("heartsim: sensor %s (%s) connected\n", address, name != NULL ? name : "no name");
  else if (g_str_equal (state, "disconnected"))
    g_printerr ("heartsim: sensor %s disconnected; serving its last sample until it is back\n",
                address != NULL ? address : heart_sensor_get_address (sensor));
  else if (g_str_equal (state, "searching"))
    g_printerr ("heartsim: sensor %s: waiting for BlueZ to know it (pair it first: docs/sensors.md)\n",
                heart_sensor_get_address (sensor));
  else if (g_str_equal (state, "unavailable"))
    g_printerr ("heartsim: sensor %s: %s; serving on and waiting for it "
                "(POST /source?kind=simulator serves the simulation meanwhile)\n",
                heart_sensor_get_address (sensor), heart_sensor_get_unavailable_reason (sensor));
}

/* as a replay's bad lines: the first few, then one line saying so */
static void
on_sensor_problem (HeartSensor  *sensor,
                   const GError *error,
                   HeadlessRun  *run)
{
  run->replay_problems++;
  if (run->replay_problems <= REPLAY_PROBLEMS_SHOWN)
    g_printerr ("heartsim: sensor notification skipped: %s\n", error->message);
  else if (run->replay_problems == REPLAY_PROBLEMS_SHOWN + 1)
    g_printerr ("heartsim: more malformed notifications were skipped; they are not shown\n");
}

static void
on_mqtt_state (HeartMqttPublisher *publisher)
{
  const char *error = heart_mqtt_publisher_get_last_error (publisher);
  HeartMqttState state = heart_mqtt_publisher_get_state (publisher);

  g_printerr ("heartsim: MQTT %s%s%s\n", heart_mqtt_state_to_string (state),
              state == HEART_MQTT_STATE_RETRYING && error != NULL ? ": " : "",
              state == HEART_MQTT_STATE_RETRYING && error != NULL ? error : "");
}

/* --mqtt: every subject of @cohort published, connecting in the
 * background; NULL without @error when not asked for */
static HeartMqttPublisher *
start_mqtt (const HeartMqttArgs *args,
            HeartCohort         *cohort,
            GError             **error)
{
  HeartMqttOptions options = { 0 };
  g_autoptr(HeartMqttPublisher) publisher = NULL;

  if (!heart_mqtt_args_to_options (args, &options, error) || args->url == NULL)
    return NULL;
  if (!heart_mqtt_reserve_descriptors (heart_cohort_get_n_subjects (cohort), error))
    {
      heart_mqtt_options_clear (&options);
      return NULL;
    }
  publisher = heart_mqtt_publisher_new (&options, error);
  heart_mqtt_options_clear (&options);
  if (publisher == NULL)
    return NULL;
  for (guint i = 0; i < heart_cohort_get_n_subjects (cohort); i++)
    {
      HeartSubject *subject = heart_cohort_get_subject (cohort, i);

      heart_mqtt_publisher_add_subject (publisher, heart_subject_get_id (subject),
                                        heart_subject_get_source (subject));
    }
  g_signal_connect (publisher, "notify::state", G_CALLBACK (on_mqtt_state), NULL);
  if (!heart_mqtt_publisher_start (publisher, error))
    return NULL;
  return g_steal_pointer (&publisher);
}

/* The people of --subjects: the first is @simulator behind @source, which
 * the single-person paths serve; the others simulators of their own
 * (docs/scale.md, "Subjects") */
static HeartCohort *
make_cohort (GPtrArray       *specs,
             HeartSimulator  *simulator,
             HeartSource     *source,
             guint            interval_ms,
             GError         **error)
{
  g_autoptr(HeartCohort) cohort = heart_cohort_new ();

  for (guint i = 0; i < specs->len; i++)
    {
      g_autoptr(HeartSubject) subject = heart_subject_new (specs->pdata[i], i == 0 ? simulator : NULL,
                                                           i == 0 ? source : NULL, error);
      guint id = ((HeartSubjectSpec *) specs->pdata[i])->id;

      if (subject == NULL)
        {
          g_prefix_error (error, "subject %u: ", id);
          return NULL;
        }
      if (!heart_cohort_add (cohort, subject))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "subject %u is there twice", id);
          return NULL;
        }
      if (i > 0 && interval_ms != 0)
        heart_simulator_set_interval_ms (heart_subject_get_simulator (subject), interval_ms, NULL);
    }
  return g_steal_pointer (&cohort);
}

static void
print_banner (HeartServer    *server,
              HeartSimulator *simulator,
              HeartReplay    *replay,
              HeartSensor    *sensor,
              HeartCohort    *cohort,
              gboolean        token_generated)
{
  guint n_subjects = heart_cohort_get_n_subjects (cohort);

  g_auto(GStrv) urls = heart_server_dup_urls (server);

  for (guint i = 0; urls[i] != NULL; i++)
    printf ("Heartsim %s serving %s\n", PACKAGE_VERSION, urls[i]);
  if (replay != NULL)
    printf ("Replay of %s %s at %g×\n", heart_replay_get_path (replay),
            heart_source_get_running (HEART_SOURCE (replay)) ? "playing" : "paused (POST /simulation/start)",
            heart_replay_get_speed (replay));
  else if (sensor != NULL)
    printf ("Sensor %s, %s\n", heart_sensor_get_address (sensor), heart_sensor_get_state (sensor));
  else
    printf ("Simulation %s, %u ms interval, seed %" G_GUINT64_FORMAT "\n",
            heart_simulator_get_running (simulator) ? "running" : "stopped (POST /simulation/start)",
            heart_simulator_get_interval_ms (simulator),
            heart_simulator_get_seed (simulator));
  if (n_subjects > 1)
    printf ("%u subjects, ids %u–%u, under /subjects/ID/\n", n_subjects,
            heart_subject_get_id (heart_cohort_get_subject (cohort, 0)),
            heart_subject_get_id (heart_cohort_get_subject (cohort, n_subjects - 1)));
  if (token_generated)
    printf ("POST requests need the header: Authorization: Bearer %s\n", heart_server_get_token (server));
  /* scripts and tests read the port from this output through a pipe */
  fflush (stdout);
}

int
heart_headless_main (int    argc,
                     char **argv)
{
  g_auto(HeadlessOptions) options = { .port = HEART_SERVER_DEFAULT_PORT,
                                      .fanout_threads = default_fanout_threads (),
                                      .subjects = SUBJECTS_UNSET };
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartSimulator) simulator = NULL;
  g_autoptr(HeartSourceSwitch) source = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  g_autoptr(HeartSensor) sensor = NULL;
  g_autoptr(HeartHistory) history = NULL;
  g_autoptr(HeartDayLog) day_log = NULL;
  g_autoptr(HeartServer) server = NULL;
  g_autoptr(HeartCohort) cohort = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(HeartRecorder) recorder = NULL;
  g_autoptr(HeartMqttPublisher) mqtt = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) args = g_strdupv (argv);
  HeadlessRun run = { .started_us = g_get_monotonic_time () };
  gboolean token_generated;
  guint64 seed = (guint64) g_get_real_time ();
  HeartRecorderFormat record_format = HEART_RECORDER_JSONL;
  ReplayOptions replay_options = { .speed = 1 };

  if (!parse_options (&options, &args, &seed, &record_format, &replay_options, &error))
    {
      g_printerr ("heartsim: %s (see heartsim --headless --help)\n", error->message);
      return EXIT_USAGE;
    }
  if (options.help_headless)
    return 0;

  /* a client that vanishes mid-write must not kill the process, nor a
   * stray SIGUSR2 (docs/api.md) */
  signal (SIGPIPE, SIG_IGN);
  signal (SIGUSR2, SIG_IGN);
  /* past RLIMIT_FSIZE a recording's write fails with EFBIG instead of
   * killing the server */
  signal (SIGXFSZ, SIG_IGN);

  /* a cohort file that is wrong is a mistake of the command line's */
  if (options.cohort != NULL)
    specs = heart_cohort_file_load (options.cohort, (guint) options.subject_offset, seed, &error);
  else
    specs = heart_cohort_subjects_new ((guint) options.subjects, (guint) options.subject_offset, seed, NULL, &error);
  if (specs == NULL)
    {
      g_printerr ("heartsim: %s\n", error->message);
      return EXIT_USAGE;
    }
  simulator = heart_simulator_new (((HeartSubjectSpec *) specs->pdata[0])->seed);
  if (options.interval_ms != 0)
    heart_simulator_set_interval_ms (simulator, (guint) options.interval_ms, NULL);
  history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);
  /* a file that cannot be played is a mistake of the command line's,
   * told before anything listens */
  if (options.replay != NULL)
    {
      replay = g_initable_new (HEART_TYPE_REPLAY, NULL, &error,
                               "path", options.replay,
                               "speed", replay_options.speed,
                               "loop", options.loop,
                               "seek-s", replay_options.seek_s,
                               "timestamps", replay_options.timestamps,
                               "on-error", replay_options.on_error,
                               "columns", options.columns,
                               NULL);
      if (replay == NULL)
        {
          g_printerr ("heartsim: %s\n", error->message);
          return EXIT_START_FAILED;
        }
      g_printerr ("heartsim: replaying %s: %s\n", options.replay, heart_replay_get_detected (replay));
      g_signal_connect (replay, "problem", G_CALLBACK (on_replay_problem), &run);
    }

  /* a bad address is a mistake of the command line's; no BlueZ, no
   * adapter or a strap not in reach yet are not: the server goes on and
   * waits, saying so (docs/sensors.md) */
  if (options.sensor != NULL)
    {
      sensor = heart_sensor_new (options.sensor, NULL, &error);
      if (sensor == NULL)
        {
          g_printerr ("heartsim: --sensor %s: %s\n", options.sensor, error->message);
          return EXIT_USAGE;
        }
      g_signal_connect (sensor, "notify::state", G_CALLBACK (on_sensor_state), NULL);
      g_signal_connect (sensor, "problem", G_CALLBACK (on_sensor_problem), &run);
    }

  /* everything downstream follows the switch, so that POST /source can
   * change what is served (docs/architecture.md, Sources) */
  if (replay != NULL)
    source = heart_source_switch_new (HEART_SOURCE (replay));
  else if (sensor != NULL)
    source = heart_source_switch_new (HEART_SOURCE (sensor));
  else
    source = heart_source_switch_new (HEART_SOURCE (simulator));
  heart_history_follow (history, G_OBJECT (source));
  /* the day's totals and the long chart spans (GET /api/day) */
  day_log = heart_day_log_new (NULL);
  heart_day_log_follow (day_log, G_OBJECT (source));

  /* before anything listens: a file that cannot be recorded to is a
   * mistake of the command line's */
  if (options.record != NULL)
    {
      recorder = g_object_new (HEART_TYPE_RECORDER,
                               "source", source,
                               "path", options.record,
                               "format", record_format,
                               NULL);
      if (!heart_recorder_start (recorder, &error))
        {
          g_printerr ("heartsim: %s\n", error->message);
          return EXIT_START_FAILED;
        }
      g_signal_connect (recorder, "failed", G_CALLBACK (on_record_failed), NULL);
    }

  cohort = make_cohort (specs, simulator, HEART_SOURCE (source), (guint) options.interval_ms, &error);
  if (cohort == NULL)
    {
      g_printerr ("heartsim: %s\n", error->message);
      return EXIT_USAGE;
    }
  /* a bad --mqtt option is told before anything listens; a broker that
   * is away is not an error: it is retried (docs/scale.md) */
  mqtt = start_mqtt (&options.mqtt, cohort, &error);
  if (error != NULL)
    {
      g_printerr ("heartsim: %s (see heartsim --headless --help-mqtt)\n", error->message);
      return EXIT_USAGE;
    }

  server = g_object_new (HEART_TYPE_SERVER,
                         "simulator", simulator,
                         "source", source,
                         "history", history,
                         "day-log", day_log,
                         "cohort", cohort,
                         "mqtt-publisher", mqtt,
                         "fanout-threads", (guint) options.fanout_threads,
                         NULL);
  heart_server_set_port (server, (guint) options.port);
  if (options.bind != NULL)
    heart_server_set_bind_address (server, options.bind);
  heart_server_set_token (server, options.token);
  g_object_set (server,
                "allowed-origins", options.allow_origins,
                "allowed-hosts", options.allow_hosts,
                NULL);

  if (!heart_server_start (server, &error))
    {
      g_printerr ("heartsim: %s\n", error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        return EXIT_ADDRESS_IN_USE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
        return EXIT_USAGE;  /* --bind is not an address */
      return EXIT_START_FAILED;
    }
  /* whenever the server made one up, whatever the reason, it is printed */
  token_generated = heart_server_get_token (server) != NULL &&
                    g_strcmp0 (heart_server_get_token (server), options.token) != 0;

  /* before the banner: whoever reads it may signal at once */
  loop = g_main_loop_new (NULL, FALSE);
  run.loop = loop;
  run.source = HEART_SOURCE (source);
  run.server = server;
  add_signal_handlers (&run);

  /* seed 2's clients expect data without calling start */
  if (!options.no_autostart)
    heart_cohort_set_running (cohort, TRUE);
  print_banner (server, simulator, replay, sensor, cohort, token_generated);

  g_main_loop_run (loop);
  remove_signal_handlers (&run);

  /* every WebSocket client gets a 1001 close frame before we go */
  heart_cohort_set_running (cohort, FALSE);
  if (recorder != NULL && !heart_recorder_stop (recorder, &error))
    g_printerr ("heartsim: recording stopped: %s\n", error->message);
  heart_server_stop (server);
  heart_server_wait_closed (server, HEART_SERVER_CLOSE_GRACE_MS);
  return 0;
}
