/* test-replay-util.h: what the replay tests share
 *
 * A fixture with a temporary folder for the files a test writes (removed
 * with them), a replay opened with what it emits collected into the
 * fixture, and a replay played to its end on its manual clock.
 * tests/test-replay*.c; docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gstdio.h>
#include <stdarg.h>

#include "heart-replay.h"

typedef struct
{
  char      *folder;
  GArray    *samples;       /* HeartSample */
  GArray    *beats;         /* HeartBeat */
  GArray    *arrivals;      /* gint64, monotonic, of each sample */
  GPtrArray *problems;      /* messages */
  guint      fatal;
  guint      values;
  GArray    *channel_values; /* HeartChannelValue, of event channels */
} TestReplayFixture;

static inline void
test_replay_on_sample (HeartSource       *source,
                       const HeartSample *sample,
                       TestReplayFixture *f)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_vals (f->samples, sample, 1);
  g_array_append_vals (f->arrivals, &now, 1);
}

static inline void
test_replay_on_beat (HeartSource       *source,
                     const HeartBeat   *beat,
                     TestReplayFixture *f)
{
  g_array_append_vals (f->beats, beat, 1);
}

static inline void
test_replay_on_values (HeartSource             *source,
                       const HeartChannelValue *values,
                       guint                    n_values,
                       TestReplayFixture       *f)
{
  f->values += n_values;
  for (guint i = 0; i < n_values; i++)
    if (heart_channel_get (values[i].channel)->kind == HEART_CHANNEL_KIND_EVENT)
      g_array_append_vals (f->channel_values, &values[i], 1);
}

static inline void
test_replay_on_problem (HeartReplay       *replay,
                        const GError      *error,
                        gboolean           fatal,
                        TestReplayFixture *f)
{
  g_ptr_array_add (f->problems, g_strdup (error->message));
  f->fatal += fatal;
}

static inline void
test_replay_set_up (TestReplayFixture *f,
                    gconstpointer      data)
{
  g_autoptr(GError) error = NULL;

  f->folder = g_dir_make_tmp ("heartsim-replay-XXXXXX", &error);
  g_assert_no_error (error);
  f->samples = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  f->beats = g_array_new (FALSE, FALSE, sizeof (HeartBeat));
  f->arrivals = g_array_new (FALSE, FALSE, sizeof (gint64));
  f->channel_values = g_array_new (FALSE, FALSE, sizeof (HeartChannelValue));
  f->problems = g_ptr_array_new_with_free_func (g_free);
}

static inline void
test_replay_tear_down (TestReplayFixture *f,
                       gconstpointer      data)
{
  g_autoptr(GDir) dir = g_dir_open (f->folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->folder, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->folder);
  g_free (f->folder);
  g_array_unref (f->samples);
  g_array_unref (f->beats);
  g_array_unref (f->arrivals);
  g_array_unref (f->channel_values);
  g_ptr_array_unref (f->problems);
}

/* @contents (@length bytes, or up to its NUL with -1) as @name in the
 * fixture's folder: its path */
static inline char *
test_replay_write_file (TestReplayFixture *f,
                        const char        *name,
                        const char        *contents,
                        gssize             length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->folder, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

/* A HeartReplay of these properties (NULL-terminated: "path" and usually
 * "manual-clock"), its samples, beats, values and problems collected into
 * @f; NULL and @error when it cannot be opened */
static inline HeartReplay *
test_replay_open (TestReplayFixture  *f,
                  GError            **error,
                  const char         *first_property,
                  ...)
{
  HeartReplay *replay;
  va_list args;

  va_start (args, first_property);
  replay = (HeartReplay *) g_initable_new_valist (HEART_TYPE_REPLAY, first_property, args, NULL, error);
  va_end (args);
  if (replay == NULL)
    return NULL;
  g_signal_connect (replay, "sample", G_CALLBACK (test_replay_on_sample), f);
  g_signal_connect (replay, "beat", G_CALLBACK (test_replay_on_beat), f);
  g_signal_connect (replay, "values", G_CALLBACK (test_replay_on_values), f);
  g_signal_connect (replay, "problem", G_CALLBACK (test_replay_on_problem), f);
  return replay;
}

/* Plays a manual-clock replay to its end (or its stop) */
static inline void
test_replay_play_through (HeartReplay *replay)
{
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  for (guint i = 0; i < 100000 && heart_source_get_running (HEART_SOURCE (replay)); i++)
    heart_replay_advance (replay, 1.0);
  g_assert_false (heart_source_get_running (HEART_SOURCE (replay)));
}

typedef void (*TestReplayFunc) (TestReplayFixture *f,
                                gconstpointer      data);

/* g_test_add() of a test on this fixture */
static inline void
test_replay_add (const char     *path,
                 gconstpointer   data,
                 TestReplayFunc  test)
{
  g_test_add (path, TestReplayFixture, data, test_replay_set_up, test, test_replay_tear_down);
}
