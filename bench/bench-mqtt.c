/* bench-mqtt.c: heartsim --headless --subjects N --mqtt into a mosquitto it
 * starts, with K subscribers; prints loss, Heartsim's CPU per person and
 * the broker's CPU (bench/README.md, "MQTT")
 *
 *   bench-mqtt HEARTSIM PEOPLE INTERVAL_MS QOS SUBSCRIBERS SECONDS [INSTANCES]
 *
 * The people are split over INSTANCES processes with disjoint
 * --subject-offset ranges (docs/scale.md). Every subscriber takes every
 * topic (heartsim/#), so the broker does the whole fan-out. Loss is exact:
 * the simulations are started once every connection is up and stopped
 * after the run; once Heartsim's outboxes are empty, each subscriber must
 * have received every message Heartsim says the broker took ("published"
 * in /health). The heart_rate timestamps are checked for steps of more
 * than a second too: a step is a late tick (the clock caught up), or a
 * value lost.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "../tests/test-mqtt-util.h"

typedef struct
{
  struct mosquitto *mosq;
  guint             people;
  gint64           *last_ms;     /* by subject: the last heart_rate t0 */
  guint64           messages;    /* but the status ones; written by the subscriber's thread only */
  guint64           hr;
  guint64           gaps;
  gboolean          counting;
  guint             all;         /* every data message since it subscribed */
} Subscriber;

typedef struct
{
  GPid     pid;
  guint    port;
  guint    first_id;
  guint    people;
} Instance;

/* "…T12:34:56.789Z" → ms of the day (a run within one day) */
static gint64
t0_ms (const char *payload)
{
  const char *t = strstr (payload, "\"t0\":\"");
  int h, m, s, ms;

  if (t == NULL || sscanf (t + 17, "%2d:%2d:%2d.%3d", &h, &m, &s, &ms) != 4)
    return -1;
  return ((h * 60 + m) * 60 + s) * 1000 + ms;
}

/* values in the batch's "values":[…] */
static guint
n_values (const char *payload)
{
  const char *v = strstr (payload, "\"values\":[");
  guint n = 1;

  for (v = v != NULL ? v + 10 : ""; *v != '\0' && *v != ']'; v++)
    n += *v == ',';
  return n;
}

static void
on_message (struct mosquitto               *mosq,
            void                           *data,
            const struct mosquitto_message *msg)
{
  Subscriber *sub = data;
  guint id;
  gint64 t;

  if (g_str_has_suffix (msg->topic, "/status"))
    return;
  g_atomic_int_inc ((gint *) &sub->all);
  if (!g_atomic_int_get (&sub->counting))
    return;
  sub->messages++;
  if (!g_str_has_suffix (msg->topic, "/heart_rate") || sscanf (msg->topic, "heartsim/%u/", &id) != 1
      || id >= sub->people)
    return;
  sub->hr++;
  t = t0_ms (msg->payload);
  /* a late tick carries two seconds' values: the next t0 is after both */
  if (sub->last_ms[id] > 0 && t - sub->last_ms[id] > 1500)
    sub->gaps += (guint64) ((t - sub->last_ms[id] + 500) / 1000 - 1);
  sub->last_ms[id] = t + 1000 * (gint64) n_values (msg->payload) - 1000;
}

static void
on_connect (struct mosquitto *mosq,
            void             *data,
            int               rc)
{
  mosquitto_subscribe (mosq, NULL, "heartsim/#", 1);
}

/* utime + stime of @pid, in s */
static double
cpu_s (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  unsigned long utime = 0, stime = 0;
  const char *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return 0;
  /* fields 14 and 15, counted from the state after the name */
  sscanf (after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
  return (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

/* The number after "KEY": in @json, or -1 */
static double
json_number (const char *json,
             const char *key)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\":", key);
  const char *at = json != NULL ? strstr (json, quoted) : NULL;

  return at != NULL ? g_ascii_strtod (at + strlen (quoted), NULL) : -1;
}

static char *
request (SoupSession *session,
         const char  *method,
         guint        port,
         const char  *path)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) body = soup_session_send_and_read (session, msg, NULL, NULL);

  return body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)) : NULL;
}

/* Heartsim with its people stopped, on a free port read from its banner */
static void
instance_start (Instance   *instance,
                const char *binary,
                const char *url,
                guint       interval_ms,
                guint       qos)
{
  g_autofree char *people = g_strdup_printf ("%u", instance->people);
  g_autofree char *offset = g_strdup_printf ("%u", instance->first_id);
  g_autofree char *interval = g_strdup_printf ("%u", interval_ms);
  g_autofree char *qos_text = g_strdup_printf ("%u", qos);
  const char *argv[] = { binary, "--headless", "--port", "0", "--no-autostart", "--subjects", people,
                         "--subject-offset", offset, "--interval-ms", interval, "--mqtt", url,
                         "--mqtt-qos", qos_text, "--mqtt-outbox", "100000", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  int out = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                            test_broker_child_setup, NULL, &instance->pid, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GIOChannel) channel = g_io_channel_unix_new (out);
    const char *prefix;

    g_io_channel_set_close_on_unref (channel, TRUE);
    g_io_channel_read_line (channel, &line, NULL, NULL, &error);
    g_assert_no_error (error);
    prefix = line != NULL ? strstr (line, "127.0.0.1:") : NULL;
    g_assert_nonnull (prefix);
    instance->port = (guint) atoi (prefix + strlen ("127.0.0.1:"));
  }
}

/* POST /subjects/ID/simulation/ACTION for each of its people */
static void
instance_command (SoupSession *session,
                  Instance    *instance,
                  const char  *action)
{
  for (guint id = instance->first_id; id < instance->first_id + instance->people; id++)
    {
      g_autofree char *path = g_strdup_printf ("/subjects/%u/simulation/%s", id, action);

      g_free (request (session, "POST", instance->port, path));
    }
}

/* Waits (at most @timeout_s) until @instance's /health says "mqtt" is
 * @state with an empty outbox; its published and dropped counts */
static gboolean
instance_wait (SoupSession *session,
               Instance    *instance,
               const char  *state,
               guint        timeout_s,
               double      *published,
               double      *dropped)
{
  g_autofree char *wanted = g_strdup_printf ("\"state\":\"%s\"", state);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  double last = -1;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *health = request (session, "GET", instance->port, "/health");
      const char *mqtt = health != NULL ? strstr (health, "\"mqtt\":") : NULL;

      *published = json_number (mqtt, "published");
      *dropped = json_number (mqtt, "dropped");
      if (mqtt != NULL && strstr (mqtt, wanted) != NULL && json_number (mqtt, "outbox") == 0 && *published == last)
        return TRUE;
      last = *published;
      g_usleep (500000);
    }
  return FALSE;
}

static guint
min_received (Subscriber *subs,
              guint       n_subs)
{
  guint least = G_MAXUINT;

  for (guint i = 0; i < n_subs; i++)
    least = MIN (least, (guint) g_atomic_int_get ((gint *) &subs[i].all));
  return least;
}

int
main (int    argc,
      char **argv)
{
  TestBroker broker = { 0 };
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *url = NULL;
  g_autofree Instance *instances = NULL;
  guint people, interval_ms, qos, n_subs, seconds, n_instances;
  Subscriber *subs;
  double hs0 = 0, br0, hs1 = 0, br1, published = 0, dropped = 0;
  guint64 total_gaps = 0, total_hr = 0, min_msgs = G_MAXUINT64, max_msgs = 0;
  guint received;
  gint64 deadline;
  gboolean drained = TRUE;

  if (argc != 7 && argc != 8)
    {
      g_printerr ("usage: %s HEARTSIM PEOPLE INTERVAL_MS QOS SUBSCRIBERS SECONDS [INSTANCES]\n", argv[0]);
      return 2;
    }
  people = (guint) atoi (argv[2]);
  interval_ms = (guint) atoi (argv[3]);
  qos = (guint) atoi (argv[4]);
  n_subs = (guint) atoi (argv[5]);
  seconds = (guint) atoi (argv[6]);
  n_instances = argc == 8 ? (guint) atoi (argv[7]) : 1;
  if (people == 0 || n_instances == 0 || n_instances > people || interval_ms == 0 || qos > 1 || seconds == 0)
    {
      g_printerr ("%s: bad arguments\n", argv[0]);
      return 2;
    }

  test_broker_start (&broker, "max_inflight_messages 100\n");
  subs = g_new0 (Subscriber, n_subs);
  mosquitto_lib_init ();
  for (guint i = 0; i < n_subs; i++)
    {
      subs[i].people = people;
      subs[i].last_ms = g_new0 (gint64, people);
      subs[i].mosq = mosquitto_new (NULL, true, &subs[i]);
      mosquitto_int_option (subs[i].mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
      mosquitto_connect_callback_set (subs[i].mosq, on_connect);
      mosquitto_message_callback_set (subs[i].mosq, on_message);
      g_assert_cmpint (mosquitto_connect (subs[i].mosq, "127.0.0.1", broker.port, 60), ==, 0);
      mosquitto_loop_start (subs[i].mosq);
    }

  /* every connection up, nobody simulated yet */
  session = soup_session_new_with_options ("max-conns-per-host", 4, "timeout", 30, NULL);
  url = g_strdup_printf ("mqtt://127.0.0.1:%u", broker.port);
  instances = g_new0 (Instance, n_instances);
  for (guint k = 0; k < n_instances; k++)
    {
      instances[k].first_id = k * (people / n_instances);
      instances[k].people = k + 1 < n_instances ? people / n_instances : people - instances[k].first_id;
      instance_start (&instances[k], argv[1], url, interval_ms, qos);
    }
  for (guint k = 0; k < n_instances; k++)
    if (!instance_wait (session, &instances[k], "connected", 120, &published, &dropped))
      g_error ("instance %u did not connect every subject", k);

  for (guint k = 0; k < n_instances; k++)
    instance_command (session, &instances[k], "start");
  /* warm-up: the first values out */
  g_usleep (3 * G_USEC_PER_SEC);
  for (guint i = 0; i < n_subs; i++)
    g_atomic_int_set (&subs[i].counting, TRUE);
  for (guint k = 0; k < n_instances; k++)
    hs0 += cpu_s (instances[k].pid);
  br0 = cpu_s (broker.pid);
  g_usleep ((gulong) seconds * G_USEC_PER_SEC);
  for (guint k = 0; k < n_instances; k++)
    hs1 += cpu_s (instances[k].pid);
  br1 = cpu_s (broker.pid);
  for (guint i = 0; i < n_subs; i++)
    g_atomic_int_set (&subs[i].counting, FALSE);

  /* everyone stopped, every outbox empty: what the broker took */
  for (guint k = 0; k < n_instances; k++)
    instance_command (session, &instances[k], "stop");
  published = dropped = 0;
  for (guint k = 0; k < n_instances; k++)
    {
      double p = 0, d = 0;

      drained &= instance_wait (session, &instances[k], "connected", 120, &p, &d);
      published += p;
      dropped += d;
    }
  /* and each subscriber got all of it, or the rest is lost */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((received = min_received (subs, n_subs)) < published && g_get_monotonic_time () < deadline)
    g_usleep (100000);

  for (guint k = 0; k < n_instances; k++)
    {
      kill (instances[k].pid, SIGTERM);
      waitpid (instances[k].pid, NULL, 0);
    }
  for (guint i = 0; i < n_subs; i++)
    {
      mosquitto_disconnect (subs[i].mosq);
      mosquitto_loop_stop (subs[i].mosq, true);
      total_gaps += subs[i].gaps;
      total_hr += subs[i].hr;
      min_msgs = MIN (min_msgs, subs[i].messages);
      max_msgs = MAX (max_msgs, subs[i].messages);
      mosquitto_destroy (subs[i].mosq);
      g_free (subs[i].last_ms);
    }
  test_broker_stop (&broker);

  printf ("people %u in %u instance(s), interval %u ms, QoS %u, %u subscribers, %u s measured\n",
          people, n_instances, interval_ms, qos, n_subs, seconds);
  printf ("published (the broker took): %.0f, dropped in Heartsim: %.0f%s\n", published, dropped,
          drained ? "" : " (outboxes not drained in 120 s)");
  printf ("received by the slowest subscriber: %u — lost: %.0f\n", received, published - received);
  printf ("messages per subscriber while measured: %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT " (%.0f/s)\n",
          min_msgs, max_msgs, min_msgs / (double) seconds);
  printf ("heart_rate messages while measured: %" G_GUINT64_FORMAT " (%.0f/s a subscriber), timestamp steps over 1 s: %" G_GUINT64_FORMAT "\n",
          total_hr, total_hr / (double) n_subs / seconds, total_gaps);
  printf ("heartsim CPU: %.1f %% of a core, %.3f ms per person per second\n",
          100 * (hs1 - hs0) / seconds, 1000 * (hs1 - hs0) / seconds / people);
  printf ("mosquitto CPU: %.1f %% of a core\n", 100 * (br1 - br0) / seconds);
  g_free (subs);
  mosquitto_lib_cleanup ();
  return 0;
}
