/* test-history.c: the ring buffer behind /api/history and SSE resume
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-history.h"
#include "heart-simulator.h"

static void
push_seqs (HeartHistory  *history,
           const guint64 *seqs,
           guint          n)
{
  for (guint i = 0; i < n; i++)
    {
      HeartSample sample = { .seq = seqs[i], .bpm = 60 + (int) seqs[i] };
      heart_history_push (history, &sample);
    }
}

static void
push_range (HeartHistory *history,
            guint64       first,
            guint64       last)
{
  for (guint64 seq = first; seq <= last; seq++)
    push_seqs (history, &seq, 1);
}

static void
assert_seqs (GArray        *samples,
             const guint64 *expected,
             guint          n)
{
  g_assert_cmpuint (samples->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (samples, HeartSample, i).seq, ==, expected[i]);
}

static void
test_default_capacity (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (HEART_HISTORY_DEFAULT_CAPACITY);

  g_assert_cmpuint (heart_history_get_capacity (history), ==, 10000);
  g_assert_cmpuint (heart_history_get_length (history), ==, 0);
  g_assert_null (heart_history_get_latest (history));
  push_range (history, 1, 10001);
  g_assert_cmpuint (heart_history_get_length (history), ==, 10000);
  g_assert_cmpuint (heart_history_peek (history, 0)->seq, ==, 2);
}

static void
test_wrap_around (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (5);

  push_range (history, 1, 12);
  g_assert_cmpuint (heart_history_get_length (history), ==, 5);
  g_assert_cmpuint (heart_history_peek (history, 0)->seq, ==, 8);
  g_assert_cmpuint (heart_history_peek (history, 4)->seq, ==, 12);
  g_assert_null (heart_history_peek (history, 5));
  g_assert_cmpuint (heart_history_get_latest (history)->seq, ==, 12);
  g_assert_cmpint (heart_history_get_latest (history)->bpm, ==, 72);
}

static void
test_query_since (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (5);
  g_autoptr(GArray) first_three = NULL;
  g_autoptr(GArray) after_ten = NULL;
  g_autoptr(GArray) after_latest = NULL;
  g_autoptr(GArray) evicted = NULL;
  g_autoptr(GArray) no_limit = NULL;

  push_range (history, 1, 12);
  first_three = heart_history_query_since (history, 0, 3);
  assert_seqs (first_three, (guint64[]) { 8, 9, 10 }, 3);
  after_ten = heart_history_query_since (history, 10, 100);
  assert_seqs (after_ten, (guint64[]) { 11, 12 }, 2);
  after_latest = heart_history_query_since (history, 12, 100);
  assert_seqs (after_latest, NULL, 0);
  /* asking from before the buffer gives what is still there */
  evicted = heart_history_query_since (history, 3, 100);
  assert_seqs (evicted, (guint64[]) { 8, 9, 10, 11, 12 }, 5);
  no_limit = heart_history_query_since (history, 0, 0);
  assert_seqs (no_limit, NULL, 0);
}

static void
test_query_since_with_gaps (void)
{
  g_autoptr(HeartHistory) history = heart_history_new (10);
  g_autoptr(GArray) after_two = NULL;
  g_autoptr(GArray) after_six = NULL;

  push_seqs (history, (guint64[]) { 1, 2, 5, 9, 14 }, 5);
  after_two = heart_history_query_since (history, 2, 10);
  assert_seqs (after_two, (guint64[]) { 5, 9, 14 }, 3);
  after_six = heart_history_query_since (history, 6, 1);
  assert_seqs (after_six, (guint64[]) { 9 }, 1);
}

static void
test_follows_simulator (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (7, 0);
  g_autoptr(HeartHistory) history = heart_history_new (100);

  heart_history_follow (history, G_OBJECT (simulator));
  for (guint i = 0; i < 150; i++)
    heart_simulator_advance (simulator, 0.5);
  g_assert_cmpuint (heart_history_get_length (history), ==, 100);
  g_assert_cmpuint (heart_history_peek (history, 0)->seq, ==, 51);
  g_assert_cmpmem (heart_history_get_latest (history), sizeof (HeartSample),
                   heart_simulator_get_current_sample (simulator), sizeof (HeartSample));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/history/default-capacity", test_default_capacity);
  g_test_add_func ("/history/wrap-around", test_wrap_around);
  g_test_add_func ("/history/query-since", test_query_since);
  g_test_add_func ("/history/query-since-gaps", test_query_since_with_gaps);
  g_test_add_func ("/history/follows-simulator", test_follows_simulator);
  return g_test_run ();
}
