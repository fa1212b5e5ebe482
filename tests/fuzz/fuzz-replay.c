/* fuzz-replay.c: HeartReplay (io/heart-replay*.c) opening and playing an
 * arbitrary file: our recordings, CSVs of other tools, Apple Health exports
 * or anything else a user may hand it (docs/replay.md)
 *
 * The first byte chooses the options (timestamps, loop, what to do with a
 * bad line), the rest is the file, held in a memfd so that no disk is
 * touched. Whatever the file, opening either succeeds or fails with a
 * message; played through a HeartSourceSwitch, as the server sees it, the
 * samples' seq runs on by one whatever the file's own seq; each bad line
 * is reported with a message; nothing crashes, hangs or grows without
 * bound.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memfd_create */
#include <sys/mman.h>
#include <unistd.h>

#include "heart-replay.h"
#include "heart-source-switch.h"
#include "fuzz-common.h"

/* Manual-clock seconds played at most: the reading code is what is under
 * test, not how long a file's time span is */
#define PLAY_STEPS   64
#define STEP_SECONDS 2.0

typedef struct
{
  guint64 last_seq;
  guint   samples;
  guint   problems;
} Played;

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           Played            *played)
{
  g_assert_cmpuint (sample->seq, ==, played->last_seq + 1);
  played->last_seq = sample->seq;
  played->samples++;
}

static void
on_problem (HeartReplay  *replay,
            const GError *error,
            gboolean      fatal,
            Played       *played)
{
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, !=, "");
  played->problems++;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput in = { data, size };
  guint8 options = fuzz_take_byte (&in);
  g_autoptr(GError) error = NULL;
  g_autoptr(HeartReplay) replay = NULL;
  g_autoptr(HeartSourceSwitch) served = NULL;
  g_autofree char *path = NULL;
  Played played = { 0 };
  int fd = memfd_create ("fuzz-replay", MFD_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, in.data, in.size), ==, (ssize_t) in.size);
  path = g_strdup_printf ("/proc/self/fd/%d", fd);

  replay = g_initable_new (HEART_TYPE_REPLAY, NULL, &error,
                           "path", path,
                           "manual-clock", TRUE,
                           "timestamps", (options & 1) ? HEART_REPLAY_TIMESTAMPS_NOW
                                                       : HEART_REPLAY_TIMESTAMPS_ORIGINAL,
                           "on-error", (options & 2) ? HEART_REPLAY_ON_ERROR_STOP : HEART_REPLAY_ON_ERROR_SKIP,
                           "loop", (options & 4) != 0,
                           NULL);
  if (replay == NULL)
    {
      /* refused: with a reason */
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, !=, "");
      close (fd);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_nonnull (heart_replay_get_detected (replay));

  served = heart_source_switch_new (HEART_SOURCE (replay));
  played.last_seq = heart_source_get_current_sample (HEART_SOURCE (served))->seq;
  g_signal_connect (served, "sample", G_CALLBACK (on_sample), &played);
  g_signal_connect (replay, "problem", G_CALLBACK (on_problem), &played);
  heart_source_set_running (HEART_SOURCE (replay), TRUE);
  for (guint i = 0; i < PLAY_STEPS && heart_source_get_running (HEART_SOURCE (replay)); i++)
    heart_replay_advance (replay, STEP_SECONDS);

  /* a replay that stopped on a bad line says why */
  if (g_str_equal (heart_replay_get_state (replay), "failed"))
    g_assert_nonnull (heart_replay_get_error (replay));
  g_clear_object (&served);
  g_clear_object (&replay);
  close (fd);
  return 0;
}
