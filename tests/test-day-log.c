/* test-day-log.c: the day in ten-second buckets, and the day's totals
 *
 * docs/model.md, "The day's totals": steps, energy and active minutes since
 * midnight, the night's sleep since 18:00 the evening before, and buckets a
 * long chart span reads — all following a simulated person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "heart-day-log.h"
#include "heart-simulator.h"
#include "heart-source-switch.h"

typedef struct
{
  HeartSimulator *simulator;
  HeartDayLog    *log;
  double          steps;        /* the steps values the simulator sent */
  guint           changed;      /* "changed" signals: one a sample */
} Day;

static void
on_values (HeartSimulator          *simulator,
           const HeartChannelValue *values,
           guint                    n_values,
           Day                     *day)
{
  for (guint i = 0; i < n_values; i++)
    if (values[i].channel == HEART_CHANNEL_STEPS)
      day->steps += values[i].value;
}

static void
on_changed (HeartDayLog *log,
            Day         *day)
{
  day->changed++;
}

/* A simulated person whose clock starts at @iso (UTC), with no random
 * arousals, and a day log in UTC following it */
static void
day_init (Day        *day,
          const char *iso)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) start = g_date_time_new_from_iso8601 (iso, utc);

  g_assert_nonnull (start);
  day->simulator = heart_simulator_new_manual (7, g_date_time_to_unix (start) * G_USEC_PER_SEC);
  g_object_set (day->simulator, "random-events-per-hour", 0.0, NULL);
  day->log = heart_day_log_new (utc);
  heart_day_log_follow (day->log, G_OBJECT (day->simulator));
  g_signal_connect (day->simulator, "values", G_CALLBACK (on_values), day);
  g_signal_connect (day->log, "changed", G_CALLBACK (on_changed), day);
  day->steps = 0;
  day->changed = 0;
}

static void
day_clear (Day *day)
{
  g_clear_object (&day->log);
  g_clear_object (&day->simulator);
}

static void
day_live (Day        *day,
          const char *activity,
          double      seconds,
          double      tick_s)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_simulator_set_activity (day->simulator, activity, &error));
  g_assert_no_error (error);
  for (double t = 0; t < seconds - 1e-9; t += tick_s)
    heart_simulator_advance (day->simulator, tick_s);
}

static double
bucket_steps (HeartDayLog *log)
{
  double steps = 0;

  for (guint i = 0; i < heart_day_log_get_length (log); i++)
    steps += heart_day_log_peek (log, i)->steps;
  return steps;
}

/* Ten minutes of walking after ten of sitting: the steps counted are the
 * simulator's, in the buckets and in the totals; the active minutes are
 * the walk's; each bucket says what was done in it */
static void
test_day_log_walk (void)
{
  Day day;
  const HeartDayTotals *totals;
  const HeartDayBucket *first, *last;
  guint n;

  day_init (&day, "2026-12-07T09:00:00Z");
  day_live (&day, "sitting", 600, 0.5);
  day_live (&day, "walking", 600, 0.5);
  totals = heart_day_log_get_totals (day.log);
  n = heart_day_log_get_length (day.log);

  /* samples from 0.5 s to 1,200 s: 120 full buckets and one begun */
  g_assert_cmpuint (n, ==, 121);
  g_assert_cmpuint (day.changed, ==, 2400);
  g_assert_cmpfloat (day.steps, >, 900);
  g_assert_cmpfloat (totals->steps, ==, day.steps);
  g_assert_cmpfloat (bucket_steps (day.log), ==, day.steps);
  g_assert_cmpfloat_with_epsilon (totals->active_minutes, 10.0, 0.02);

  first = heart_day_log_peek (day.log, 0);
  last = heart_day_log_peek (day.log, n - 2);
  g_assert_cmpuint (first->activity, ==, HEART_ACTIVITY_SITTING);
  g_assert_cmpfloat (first->steps, ==, 0);
  g_assert_cmpuint (last->activity, ==, HEART_ACTIVITY_WALKING);
  g_assert_cmpfloat (last->steps, >, 10);
  g_assert_cmpuint (last->n_samples, ==, 20);
  g_assert_cmpfloat (last->t_s, ==, 1190);
  g_assert_cmpfloat (last->bpm_low, <=, last->bpm_mean);
  g_assert_cmpfloat (last->bpm_high, >=, last->bpm_mean);
  /* walking costs more than sitting, and more than sitting still */
  g_assert_cmpfloat (last->energy_kcal, >, first->energy_kcal);
  g_assert_cmpfloat (totals->active_energy_kcal, >, 10);
  g_assert_cmpfloat (totals->energy_kcal, >, totals->active_energy_kcal);
  /* the walk raised the heart rate: the day's range shows it */
  g_assert_cmpfloat (totals->bpm_high, >, totals->bpm_low + 10);
  g_assert_cmpfloat (totals->bpm_mean, >, totals->bpm_low);
  g_assert_cmpfloat (totals->bpm_mean, <, totals->bpm_high);
  /* no night yet */
  g_assert_cmpfloat (totals->in_bed_minutes, ==, 0);

  /* the first bucket that ends after a time */
  g_assert_cmpuint (heart_day_log_find (day.log, 0), ==, 0);
  g_assert_cmpuint (heart_day_log_find (day.log, 605), ==, 60);
  g_assert_cmpuint (heart_day_log_find (day.log, 1e9), ==, n);
  day_clear (&day);
}

/* At midnight the day's totals start again; the buckets go on */
static void
test_day_log_midnight (void)
{
  Day day;
  const HeartDayTotals *totals;
  g_autoptr(GDateTime) day_start = NULL;

  day_init (&day, "2026-12-06T23:50:00Z");
  day_live (&day, "walking", 1200, 1.0);
  totals = heart_day_log_get_totals (day.log);

  day_start = g_date_time_new_from_unix_utc (totals->day_start_us / G_USEC_PER_SEC);
  g_assert_cmpint (g_date_time_get_day_of_month (day_start), ==, 7);
  g_assert_cmpint (g_date_time_get_hour (day_start), ==, 0);
  /* ten minutes of walking on each side of midnight */
  g_assert_cmpfloat_with_epsilon (totals->active_minutes, 10.0, 0.05);
  g_assert_cmpfloat (totals->steps, <, day.steps * 0.6);
  g_assert_cmpfloat (totals->steps, >, day.steps * 0.4);
  g_assert_cmpfloat (bucket_steps (day.log), ==, day.steps);
  g_assert_cmpuint (heart_day_log_get_length (day.log), ==, 121);
  day_clear (&day);
}

/* A night in bed from 22:00: the minutes of each stage add up to the time
 * in bed, most of it asleep, with deep and REM sleep in it; the next
 * evening a new night begins */
static void
test_day_log_night (void)
{
  Day day;
  const HeartDayTotals *totals;
  double stages = 0;
  gboolean saw_deep = FALSE;

  day_init (&day, "2026-12-06T22:00:00Z");
  day_live (&day, "sleep", 8 * 3600, 5.0);
  totals = heart_day_log_get_totals (day.log);

  for (HeartDaySleep s = HEART_DAY_SLEEP_IN_BED; s < HEART_N_DAY_SLEEP; s++)
    stages += totals->sleep_minutes[s];
  g_assert_cmpfloat_with_epsilon (totals->in_bed_minutes, 480, 0.2);
  g_assert_cmpfloat_with_epsilon (stages, totals->in_bed_minutes, 1e-6);
  g_assert_cmpfloat (totals->asleep_minutes, >, 400);
  g_assert_cmpfloat (totals->sleep_minutes[HEART_DAY_SLEEP_DEEP], >, 40);
  g_assert_cmpfloat (totals->sleep_minutes[HEART_DAY_SLEEP_REM], >, 60);
  g_assert_cmpfloat (totals->sleep_minutes[HEART_DAY_SLEEP_NONE], ==, 0);
  for (guint i = 0; i < heart_day_log_get_length (day.log); i++)
    {
      const HeartDayBucket *bucket = heart_day_log_peek (day.log, i);

      g_assert_cmpuint (bucket->activity, ==, HEART_ACTIVITY_SLEEP);
      g_assert_cmpuint (bucket->sleep, !=, HEART_DAY_SLEEP_NONE);
      saw_deep |= bucket->sleep == HEART_DAY_SLEEP_DEEP;
    }
  g_assert_true (saw_deep);

  /* up at 06:00, and through the day to 18:00: the night is still last
   * night's until the evening */
  day_live (&day, "sitting", 11.5 * 3600, 5.0);
  g_assert_cmpfloat_with_epsilon (totals->in_bed_minutes, 480, 0.2);
  day_live (&day, "sitting", 3600, 5.0);
  g_assert_cmpfloat (totals->in_bed_minutes, ==, 0);
  g_assert_cmpfloat (totals->asleep_minutes, ==, 0);
  /* a day and a half of buckets at most */
  g_assert_cmpuint (heart_day_log_get_length (day.log), <=, HEART_DAY_LOG_SECONDS / HEART_DAY_LOG_BUCKET_S);
  day_clear (&day);
}

/* The log holds the last 36 hours, oldest first */
static void
test_day_log_wraps (void)
{
  Day day;
  const HeartDayBucket *first, *last;
  guint n;

  day_init (&day, "2026-12-06T00:00:00Z");
  day_live (&day, "rest", 40 * 3600, 10.0);
  n = heart_day_log_get_length (day.log);
  g_assert_cmpuint (n, ==, HEART_DAY_LOG_SECONDS / HEART_DAY_LOG_BUCKET_S);
  first = heart_day_log_peek (day.log, 0);
  last = heart_day_log_peek (day.log, n - 1);
  g_assert_cmpfloat (last->t_s - first->t_s, ==, HEART_DAY_LOG_SECONDS - HEART_DAY_LOG_BUCKET_S);
  g_assert_cmpfloat (last->t_s, ==, 40 * 3600);
  g_assert_null (heart_day_log_peek (day.log, n));
  day_clear (&day);
}

/* A source that starts again from t = 0 (a replay looping, another file)
 * is a new day log, not a jumble */
static void
test_day_log_time_back (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(HeartDayLog) log = heart_day_log_new (utc);
  HeartSample sample = { .timestamp_us = G_GINT64_CONSTANT (1765000000) * G_USEC_PER_SEC, .bpm = 70 };
  HeartChannelValue steps = { .channel = HEART_CHANNEL_STEPS, .value = 12 };

  for (guint i = 0; i < 100; i++)
    {
      sample.t_s = i;
      sample.timestamp_us += G_USEC_PER_SEC;
      heart_day_log_add_values (log, &steps, 1);
      heart_day_log_add_sample (log, &sample);
    }
  g_assert_cmpuint (heart_day_log_get_length (log), ==, 10);
  g_assert_cmpfloat (heart_day_log_get_totals (log)->steps, ==, 1200);
  /* no activity label was ever heard */
  g_assert_cmpuint (heart_day_log_peek (log, 0)->activity, ==, HEART_DAY_NO_ACTIVITY);

  sample.t_s = 0;
  heart_day_log_add_sample (log, &sample);
  g_assert_cmpuint (heart_day_log_get_length (log), ==, 1);
  g_assert_cmpfloat (heart_day_log_get_totals (log)->steps, ==, 0);
}

/* Following a switch: a simulator's labels are read at once, and a switch
 * to another source starts the log again with that source's labels */
static void
test_day_log_source_switch (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(HeartSimulator) walker = heart_simulator_new_manual (1, G_GINT64_CONSTANT (1765000000) * G_USEC_PER_SEC);
  g_autoptr(HeartSimulator) sleeper = heart_simulator_new_manual (2, G_GINT64_CONSTANT (1765000000) * G_USEC_PER_SEC);
  g_autoptr(HeartSourceSwitch) source_switch = NULL;
  g_autoptr(HeartDayLog) log = heart_day_log_new (utc);
  g_autoptr(GError) error = NULL;

  g_assert_true (heart_simulator_set_activity (walker, "walking", &error));
  g_assert_true (heart_simulator_set_activity (sleeper, "sleep", &error));
  g_assert_no_error (error);
  source_switch = heart_source_switch_new (HEART_SOURCE (walker));
  heart_day_log_follow (log, G_OBJECT (source_switch));

  for (guint i = 0; i < 60; i++)
    heart_simulator_advance (walker, 1.0);
  g_assert_cmpuint (heart_day_log_get_length (log), ==, 7);
  g_assert_cmpuint (heart_day_log_peek (log, 0)->activity, ==, HEART_ACTIVITY_WALKING);
  g_assert_cmpfloat (heart_day_log_get_totals (log)->steps, >, 0);

  heart_source_switch_set_source (source_switch, HEART_SOURCE (sleeper));
  g_assert_cmpuint (heart_day_log_get_length (log), ==, 0);
  g_assert_cmpfloat (heart_day_log_get_totals (log)->steps, ==, 0);
  heart_simulator_advance (sleeper, 1.0);
  g_assert_cmpuint (heart_day_log_get_length (log), ==, 1);
  g_assert_cmpuint (heart_day_log_peek (log, 0)->activity, ==, HEART_ACTIVITY_SLEEP);
  g_assert_cmpuint (heart_day_log_peek (log, 0)->sleep, ==, HEART_DAY_SLEEP_IN_BED);
}

static void
test_day_log_sleep_labels (void)
{
  for (HeartDaySleep s = HEART_DAY_SLEEP_NONE; s < HEART_N_DAY_SLEEP; s++)
    g_assert_cmpuint (heart_day_sleep_from_label (heart_day_sleep_to_label (s)), ==, s);
  g_assert_cmpuint (heart_day_sleep_from_label ("N2"), ==, HEART_DAY_SLEEP_NONE);
  g_assert_cmpuint (heart_day_sleep_from_label (NULL), ==, HEART_DAY_SLEEP_NONE);
  g_assert_cmpstr (heart_day_sleep_to_label (HEART_N_DAY_SLEEP), ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/day-log/walk", test_day_log_walk);
  g_test_add_func ("/day-log/midnight", test_day_log_midnight);
  g_test_add_func ("/day-log/night", test_day_log_night);
  g_test_add_func ("/day-log/wraps", test_day_log_wraps);
  g_test_add_func ("/day-log/time-back", test_day_log_time_back);
  g_test_add_func ("/day-log/source-switch", test_day_log_source_switch);
  g_test_add_func ("/day-log/sleep-labels", test_day_log_sleep_labels);

  return g_test_run ();
}
