/* test-mqtt-util.h: a real mosquitto broker and a real subscriber for tests
 * and benches
 *
 * The broker is started on a free loopback port in a folder of its own,
 * with a configuration written there; the subscriber is a libmosquitto
 * client in its own thread (mosquitto_loop_start) that keeps what it gets
 * under a lock. Waits are bounded by a deadline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the broker ------------------------------------------------------------ */

typedef struct
{
  char    *dir;
  char    *conf;
  guint16  port;
  GPid     pid;
} TestBroker;

/* mosquitto from PATH, or the sbin folders Debian installs it in */
static inline char *
test_mosquitto_binary (void)
{
  const char *sbin[] = { "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto" };
  char *path = g_find_program_in_path ("mosquitto");

  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (sbin); i++)
    if (g_file_test (sbin[i], G_FILE_TEST_IS_EXECUTABLE))
      path = g_strdup (sbin[i]);
  return path;
}

/* A port nothing listens on now: the kernel's choice for port 0 */
static inline guint16
test_free_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  return ntohs (addr.sin_port);
}

static inline gboolean
test_port_open (guint16 port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  gboolean open = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;

  close (fd);
  return open;
}

/* The broker dies with the test, even one that aborts */
static inline void
test_broker_child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static inline void
test_broker_spawn (TestBroker *broker)
{
  g_autofree char *binary = test_mosquitto_binary ();
  const char *argv[] = { binary, "-c", broker->conf, NULL };
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_assert_nonnull (binary);
  g_spawn_async (broker->dir, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, test_broker_child_setup, NULL,
                 &broker->pid, &error);
  g_assert_no_error (error);
  while (!test_port_open (broker->port))
    {
      g_assert_cmpint (waitpid (broker->pid, NULL, WNOHANG), ==, 0);
      if (g_get_monotonic_time () > deadline)
        g_error ("mosquitto did not listen on port %u", broker->port);
      g_usleep (10000);
    }
}

/* A broker on a free loopback port, with @extra lines of configuration
 * (each ending with a newline; "%PORT%" stands for the port) */
static inline void
test_broker_start (TestBroker *broker,
                   const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) conf = g_string_new (NULL);

  broker->dir = g_dir_make_tmp ("heartsim-mqtt-XXXXXX", &error);
  g_assert_no_error (error);
  broker->port = test_free_port ();
  /* as ourselves: run as root, mosquitto would become another user,
   * which ends the parent-death signal that ties it to the test */
  g_string_append_printf (conf, "user %s\npersistence false\nallow_anonymous true\n", g_get_user_name ());
  g_string_append_printf (conf, 
                          "max_queued_messages 0\nlog_dest stderr\nlog_type error\n");
  if (extra == NULL || strstr (extra, "listener") == NULL)
    g_string_append (conf, "listener %PORT% 127.0.0.1\n");
  if (extra != NULL)
    g_string_append (conf, extra);
  g_autofree char *port = g_strdup_printf ("%u", broker->port);
  g_string_replace (conf, "%PORT%", port, 0);
  broker->conf = g_build_filename (broker->dir, "mosquitto.conf", NULL);
  g_file_set_contents (broker->conf, conf->str, -1, &error);
  g_assert_no_error (error);
  test_broker_spawn (broker);
}

/* Ends the broker with @signum and waits for it */
static inline void
test_broker_kill (TestBroker *broker,
                  int         signum)
{
  if (broker->pid == 0)
    return;
  kill (broker->pid, signum);
  waitpid (broker->pid, NULL, 0);
  g_spawn_close_pid (broker->pid);
  broker->pid = 0;
}

static inline void
test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static inline void
test_broker_stop (TestBroker *broker)
{
  test_broker_kill (broker, SIGTERM);
  test_remove_tree (broker->dir);
  g_clear_pointer (&broker->dir, g_free);
  g_clear_pointer (&broker->conf, g_free);
}

/* ---- the subscriber ---------------------------------------------------------- */

typedef struct
{
  char    *topic;
  char    *payload;
  gboolean retain;
} TestMessage;

typedef struct
{
  struct mosquitto *mosq;
  char             *filter;
  GMutex            lock;
  GCond             cond;
  GPtrArray        *messages;   /* TestMessage *, in arrival order */
  guint             subacks;
  guint             connects;
} TestSubscriber;

static inline void
test_message_free (TestMessage *message)
{
  g_free (message->topic);
  g_free (message->payload);
  g_free (message);
}

static inline void
test_subscriber_on_connect (struct mosquitto *mosq,
                            void             *data,
                            int               rc)
{
  TestSubscriber *sub = data;

  if (rc != 0)
    return;
  g_mutex_lock (&sub->lock);
  sub->connects++;
  g_mutex_unlock (&sub->lock);
  /* again after each reconnection: a clean session forgets it */
  mosquitto_subscribe (mosq, NULL, sub->filter, 1);
}

static inline void
test_subscriber_on_subscribe (struct mosquitto *mosq,
                              void             *data,
                              int               mid,
                              int               n,
                              const int        *granted)
{
  TestSubscriber *sub = data;

  g_mutex_lock (&sub->lock);
  sub->subacks++;
  g_cond_broadcast (&sub->cond);
  g_mutex_unlock (&sub->lock);
}

static inline void
test_subscriber_on_message (struct mosquitto               *mosq,
                            void                           *data,
                            const struct mosquitto_message *msg)
{
  TestSubscriber *sub = data;
  TestMessage *message = g_new0 (TestMessage, 1);

  message->topic = g_strdup (msg->topic);
  message->payload = g_strndup (msg->payload, msg->payloadlen);
  message->retain = msg->retain;
  g_mutex_lock (&sub->lock);
  g_ptr_array_add (sub->messages, message);
  g_cond_broadcast (&sub->cond);
  g_mutex_unlock (&sub->lock);
}

/* Waits, without the main loop, for @n SUBACKs in all */
static inline void
test_subscriber_wait_subacks (TestSubscriber *sub,
                              guint           n)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_mutex_lock (&sub->lock);
  while (sub->subacks < n)
    if (!g_cond_wait_until (&sub->cond, &sub->lock, deadline) && sub->subacks < n)
      g_error ("the subscriber got %u SUBACKs of %u", sub->subacks, n);
  g_mutex_unlock (&sub->lock);
}

/* A subscriber to @filter at QoS 1, connected and subscribed on return.
 * @tls_dir: with "ca.pem", "client.pem", "client.key" for an mqtts
 * broker, or NULL. */
static inline TestSubscriber *
test_subscriber_new (guint16     port,
                     const char *filter,
                     const char *tls_dir)
{
  TestSubscriber *sub = g_new0 (TestSubscriber, 1);

  g_mutex_init (&sub->lock);
  g_cond_init (&sub->cond);
  sub->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) test_message_free);
  sub->filter = g_strdup (filter);
  mosquitto_lib_init ();
  sub->mosq = mosquitto_new (NULL, true, sub);
  mosquitto_int_option (sub->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_connect_callback_set (sub->mosq, test_subscriber_on_connect);
  mosquitto_subscribe_callback_set (sub->mosq, test_subscriber_on_subscribe);
  mosquitto_message_callback_set (sub->mosq, test_subscriber_on_message);
  mosquitto_reconnect_delay_set (sub->mosq, 1, 1, false);
  if (tls_dir != NULL)
    {
      g_autofree char *ca = g_build_filename (tls_dir, "ca.pem", NULL);
      g_autofree char *cert = g_build_filename (tls_dir, "client.pem", NULL);
      g_autofree char *key = g_build_filename (tls_dir, "client.key", NULL);

      g_assert_cmpint (mosquitto_tls_set (sub->mosq, ca, NULL, cert, key, NULL), ==, MOSQ_ERR_SUCCESS);
    }
  g_assert_cmpint (mosquitto_connect (sub->mosq, "127.0.0.1", port, 30), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (sub->mosq), ==, MOSQ_ERR_SUCCESS);
  test_subscriber_wait_subacks (sub, 1);
  return sub;
}

/* Those not on a status topic: a connection made again says "online"
 * once more, so the data's count is what a test waits for */
static inline guint
test_subscriber_count_data (TestSubscriber *sub)
{
  guint n = 0;

  g_mutex_lock (&sub->lock);
  for (guint i = 0; i < sub->messages->len; i++)
    n += !g_str_has_suffix (((TestMessage *) sub->messages->pdata[i])->topic, "/status");
  g_mutex_unlock (&sub->lock);
  return n;
}

static inline guint
test_subscriber_count (TestSubscriber *sub)
{
  guint n;

  g_mutex_lock (&sub->lock);
  n = sub->messages->len;
  g_mutex_unlock (&sub->lock);
  return n;
}

/* A copy of what arrived so far, in arrival order */
static inline GPtrArray *
test_subscriber_take (TestSubscriber *sub)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) test_message_free);

  g_mutex_lock (&sub->lock);
  for (guint i = 0; i < sub->messages->len; i++)
    {
      TestMessage *message = sub->messages->pdata[i];
      TestMessage *dup = g_new0 (TestMessage, 1);

      dup->topic = g_strdup (message->topic);
      dup->payload = g_strdup (message->payload);
      dup->retain = message->retain;
      g_ptr_array_add (copy, dup);
    }
  g_mutex_unlock (&sub->lock);
  return copy;
}

static inline void
test_subscriber_free (TestSubscriber *sub)
{
  mosquitto_disconnect (sub->mosq);
  mosquitto_loop_stop (sub->mosq, true);
  mosquitto_destroy (sub->mosq);
  mosquitto_lib_cleanup ();
  g_ptr_array_unref (sub->messages);
  g_free (sub->filter);
  g_mutex_clear (&sub->lock);
  g_cond_clear (&sub->cond);
  g_free (sub);
}
