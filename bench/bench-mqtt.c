/* bench-mqtt.c: heartsim --headless --subjects N --mqtt into a mosquitto it
 * starts, with K subscribers; prints loss, Heartsim's CPU per person and
 * the broker's CPU (bench/README.md, "MQTT")
 *
 *   bench-mqtt HEARTSIM PEOPLE INTERVAL_MS QOS SUBSCRIBERS SECONDS
 *
 * Loss is counted on each subject's heart_rate topic, whose batches come at
 * exactly 1 s steps of t0: a step of more is a lost message. Every
 * subscriber gets every topic (heartsim/#), so the broker does the whole
 * fan-out; the counts of all messages per subscriber are printed too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/test-mqtt-util.h"

typedef struct
{
  struct mosquitto *mosq;
  guint             people;
  gint64           *last_ms;     /* by subject: the last heart_rate t0 */
  guint64           messages;    /* written by the subscriber's thread only */
  guint64           hr;
  guint64           gaps;
  gboolean          counting;
} Subscriber;

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

int
main (int    argc,
      char **argv)
{
  TestBroker broker = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *people_text = NULL;
  g_autofree char *interval_text = NULL;
  guint people, interval_ms, qos, n_subs, seconds;
  Subscriber *subs;
  GPid heartsim;
  double hs0, br0, hs1, br1;
  guint64 total_gaps = 0, total_hr = 0, min_msgs = G_MAXUINT64, max_msgs = 0;

  if (argc != 7)
    {
      g_printerr ("usage: %s HEARTSIM PEOPLE INTERVAL_MS QOS SUBSCRIBERS SECONDS\n", argv[0]);
      return 2;
    }
  people = (guint) atoi (argv[2]);
  interval_ms = (guint) atoi (argv[3]);
  qos = (guint) atoi (argv[4]);
  n_subs = (guint) atoi (argv[5]);
  seconds = (guint) atoi (argv[6]);

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

  url = g_strdup_printf ("mqtt://127.0.0.1:%u", broker.port);
  people_text = g_strdup_printf ("%u", people);
  interval_text = g_strdup_printf ("%u", interval_ms);
  {
    g_autofree char *qos_text = g_strdup_printf ("%u", qos);
    const char *hs_argv[] = { argv[1], "--headless", "--port", "0", "--subjects", people_text,
                              "--interval-ms", interval_text, "--mqtt", url, "--mqtt-qos", qos_text,
                              "--mqtt-outbox", "100000", NULL };

    g_spawn_async (NULL, (char **) hs_argv, NULL,
                   G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                   test_broker_child_setup, NULL, &heartsim, &error);
    g_assert_no_error (error);
  }
  /* warm-up: every connection made, the first values out */
  g_usleep (5 * G_USEC_PER_SEC);
  for (guint i = 0; i < n_subs; i++)
    g_atomic_int_set (&subs[i].counting, TRUE);
  hs0 = cpu_s (heartsim);
  br0 = cpu_s (broker.pid);
  g_usleep ((gulong) seconds * G_USEC_PER_SEC);
  hs1 = cpu_s (heartsim);
  br1 = cpu_s (broker.pid);
  for (guint i = 0; i < n_subs; i++)
    g_atomic_int_set (&subs[i].counting, FALSE);

  kill (heartsim, SIGTERM);
  waitpid (heartsim, NULL, 0);
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

  printf ("people %u, interval %u ms, QoS %u, %u subscribers, %u s measured\n",
          people, interval_ms, qos, n_subs, seconds);
  printf ("messages per subscriber: %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT " (%.0f/s)\n",
          min_msgs, max_msgs, min_msgs / (double) seconds);
  printf ("heart_rate messages: %" G_GUINT64_FORMAT " of %u expected, gaps (lost) %" G_GUINT64_FORMAT "\n",
          total_hr, people * n_subs * seconds, total_gaps);
  printf ("heartsim CPU: %.1f %% of a core, %.3f ms per person per second\n",
          100 * (hs1 - hs0) / seconds, 1000 * (hs1 - hs0) / seconds / people);
  printf ("mosquitto CPU: %.1f %% of a core\n", 100 * (br1 - br0) / seconds);
  g_free (subs);
  mosquitto_lib_cleanup ();
  return 0;
}
