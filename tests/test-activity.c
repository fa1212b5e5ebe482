/* test-activity.c: what the person does, and how the body follows
 *
 * The targets of docs/model.md, "Activity": a run's heart rate as a share of
 * HRmax, on-kinetics of tens of seconds and a two-phase recovery, cadence
 * and steps (counted out every second, and for the day), energy from METs,
 * breathing that speeds up, the live override through the simulator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "heart-model.h"
#include "heart-simulator.h"

typedef struct
{
  GArray *t;        /* of beats */
  GArray *rr;
  guint64 steps;    /* the steps values, summed */
  guint   steps_values;
  double  last_steps_today;
  double  max_steps_today;
  gboolean steps_today_fell;
  char    activity[HEART_LABEL_MAX];
} Run;

static void
on_beat (const HeartBeat *beat,
         gpointer         user_data)
{
  Run *run = user_data;

  g_array_append_val (run->t, beat->t_s);
  g_array_append_val (run->rr, beat->rr_ms);
}

static void
on_value (const HeartChannelValue *value,
          gpointer                 user_data)
{
  Run *run = user_data;

  switch (value->channel)
    {
    case HEART_CHANNEL_STEPS:
      g_assert_cmpfloat (value->value, >, 0);
      g_assert_cmpfloat (value->value, ==, floor (value->value));
      /* one value a second: never more steps than 250 a minute allow */
      g_assert_cmpfloat (value->value, <=, 5);
      run->steps += (guint64) value->value;
      run->steps_values++;
      break;
    case HEART_CHANNEL_STEPS_TODAY:
      if (value->value < run->last_steps_today)
        run->steps_today_fell = TRUE;
      run->last_steps_today = value->value;
      run->max_steps_today = MAX (run->max_steps_today, value->value);
      break;
    case HEART_CHANNEL_ACTIVITY:
      g_strlcpy (run->activity, value->label, sizeof run->activity);
      break;
    default:
      break;
    }
}

static HeartModel *
quiet_model (guint64 seed,
             Run     *run)
{
  HeartModel *model = heart_model_new (seed);

  /* no random arousals: the activity alone moves the heart */
  heart_model_set_events_per_hour (model, 0);
  heart_model_set_value_func (model, HEART_CHANNEL_MASK_ALL, on_value, run);
  run->t = g_array_new (FALSE, FALSE, sizeof (double));
  run->rr = g_array_new (FALSE, FALSE, sizeof (double));
  return model;
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->t, g_array_unref);
  g_clear_pointer (&run->rr, g_array_unref);
}

static void
advance (HeartModel *model,
         Run        *run,
         double      seconds)
{
  heart_model_advance (model, seconds, on_beat, run);
}

/* Mean heart rate of the beats in [from, to) */
static double
mean_bpm (const Run *run,
          double     from,
          double     to)
{
  double sum = 0;
  guint n = 0;

  for (guint i = 0; i < run->t->len; i++)
    {
      double t = g_array_index (run->t, double, i);

      if (t >= from && t < to)
        {
          sum += 60000.0 / g_array_index (run->rr, double, i);
          n++;
        }
    }
  g_assert_cmpuint (n, >, 0);
  return sum / n;
}

/* A run: 70–85 % of HRmax for the average person (35 years: 183.5 bpm),
 * reached within tens of seconds; after it, a fast then a slow recovery */
static void
test_run_heart_rate (void)
{
  for (guint64 seed = 1; seed <= 5; seed++)
    {
      Run run = { 0 };
      g_autoptr(HeartModel) model = quiet_model (seed, &run);
      double hr_max = heart_model_get_hr_max (model);
      double rest, steady, after_1min, after_1min_off, after_5min_off;

      g_assert_cmpfloat_with_epsilon (hr_max, 208 - 0.7 * 35, 1e-9);
      advance (model, &run, 300);
      rest = mean_bpm (&run, 240, 300);
      heart_model_set_activity (model, HEART_ACTIVITY_RUNNING);
      g_assert_cmpstr (run.activity, ==, "running");
      advance (model, &run, 900);
      after_1min = mean_bpm (&run, 350, 370);
      steady = mean_bpm (&run, 900, 1200);
      g_test_message ("seed %" G_GUINT64_FORMAT ": rest %.1f, running %.1f (%.0f %% of HRmax), at 1 min %.1f",
                      seed, rest, steady, 100 * steady / hr_max, after_1min);
      g_assert_cmpfloat (steady, >=, 0.70 * hr_max);
      g_assert_cmpfloat (steady, <=, 0.85 * hr_max);
      /* on-kinetics of tens of seconds: most of the way there in a minute */
      g_assert_cmpfloat (after_1min - rest, >=, 0.6 * (steady - rest));
      g_assert_cmpfloat (after_1min, <, steady);

      heart_model_set_activity (model, HEART_ACTIVITY_REST);
      advance (model, &run, 1200);
      after_1min_off = mean_bpm (&run, 1255, 1265);
      after_5min_off = mean_bpm (&run, 1490, 1510);
      /* the fast phase: more than a third of the way down in a minute; the
       * slow phase: still above rest after five */
      g_assert_cmpfloat (steady - after_1min_off, >=, (steady - rest) / 3);
      g_assert_cmpfloat (after_5min_off - rest, >=, 0.05 * (steady - rest));
      g_assert_cmpfloat (mean_bpm (&run, 2100, 2400), <, rest + 0.05 * (steady - rest) + 3);
      run_clear (&run);
    }
}

/* Walking 100–120 steps a minute, running 150–180, none cycling; every
 * step counted out once, as "steps" values and in "steps_today" */
static void
test_cadence_and_steps (void)
{
  const struct { HeartActivityType type; double min, max; } cases[] = {
    { HEART_ACTIVITY_WALKING, 100, 120 },
    { HEART_ACTIVITY_RUNNING, 150, 180 },
    { HEART_ACTIVITY_CYCLING, 0, 0 },
    { HEART_ACTIVITY_SITTING, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Run run = { 0 };
      g_autoptr(HeartModel) model = quiet_model (7 + i, &run);
      double cadence, steps_today;

      advance (model, &run, 10);
      heart_model_set_activity (model, cases[i].type);
      advance (model, &run, 600);
      cadence = heart_model_read_channel (model, HEART_CHANNEL_CADENCE);
      steps_today = heart_model_read_channel (model, HEART_CHANNEL_STEPS_TODAY);
      g_assert_cmpfloat (cadence, >=, cases[i].min);
      g_assert_cmpfloat (cadence, <=, cases[i].max);
      /* ten minutes at that cadence, to the step */
      g_assert_cmpfloat (fabs (steps_today - floor (cadence * 10)), <=, 1);
      /* counted out at each whole second: the last second's steps come next */
      g_assert_cmpuint (run.steps, <=, (guint64) steps_today);
      g_assert_cmpuint ((guint64) steps_today - run.steps, <=, 3);
      g_assert_cmpfloat (run.last_steps_today, <=, steps_today);
      g_assert_false (run.steps_today_fell);
      if (cases[i].max > 0)
        g_assert_cmpuint (run.steps_values, >=, 590);
      else
        g_assert_cmpuint (run.steps_values, ==, 0);
      run_clear (&run);
    }
}

/* The day's count starts again at midnight, and no step is lost */
static void
test_steps_today_resets_at_midnight (void)
{
  Run run = { 0 };
  g_autoptr(HeartModel) model = quiet_model (3, &run);

  heart_model_set_day_offset (model, 86400 - 60);   /* 23:59:00 at time 0 */
  heart_model_set_activity (model, HEART_ACTIVITY_WALKING);
  advance (model, &run, 59.5);
  g_assert_cmpfloat (run.max_steps_today, >, 90);
  advance (model, &run, 60);
  g_assert_true (run.steps_today_fell);
  /* the new day has the steps since midnight only: 59.5 s of them */
  g_assert_cmpfloat (fabs (heart_model_read_channel (model, HEART_CHANNEL_STEPS_TODAY)
                           - heart_model_read_channel (model, HEART_CHANNEL_CADENCE) * 59.5 / 60), <=, 2);
  /* the steps values go on across midnight: two minutes of walking */
  g_assert_cmpfloat (fabs ((double) run.steps - heart_model_read_channel (model, HEART_CHANNEL_CADENCE) * 119.5 / 60),
                     <=, 2);
  run_clear (&run);
}

/* Energy from METs: about 1 kcal a minute at rest, 3–6 walking, 8–14
 * running (70 kg); breathing faster running than at rest */
static void
test_energy_and_breathing (void)
{
  Run run = { 0 };
  g_autoptr(HeartModel) model = quiet_model (11, &run);
  double resting_breaths;

  advance (model, &run, 120);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), >=, 1.0);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), <=, 1.5);
  resting_breaths = heart_model_get_respiratory_rate (model);
  heart_model_set_activity (model, HEART_ACTIVITY_WALKING);
  advance (model, &run, 600);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), >=, 3);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), <=, 6);
  heart_model_set_activity (model, HEART_ACTIVITY_RUNNING);
  advance (model, &run, 600);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), >=, 8);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), <=, 14);
  g_assert_cmpfloat (heart_model_get_respiratory_rate (model), >, resting_breaths + 10);
  run_clear (&run);
}

/* Asleep: a lower heart rate than awake at rest */
static void
test_sleep_lowers_heart_rate (void)
{
  Run run = { 0 };
  g_autoptr(HeartModel) model = quiet_model (5, &run);
  double awake, asleep;

  advance (model, &run, 600);
  awake = mean_bpm (&run, 300, 600);
  heart_model_set_activity (model, HEART_ACTIVITY_SLEEP);
  advance (model, &run, 3600);
  asleep = mean_bpm (&run, 3000, 4200);
  g_assert_cmpfloat (asleep, <, awake - 3);
  g_assert_cmpfloat (heart_model_read_channel (model, HEART_CHANNEL_ENERGY), <, 1.2);
  run_clear (&run);
}

typedef struct
{
  GArray *spo2;
  GArray *skin;
} Vitals;

static void
on_vital (const HeartChannelValue *value,
          gpointer                 user_data)
{
  Vitals *vitals = user_data;

  if (value->channel == HEART_CHANNEL_SPO2)
    g_array_append_val (vitals->spo2, value->value);
  else if (value->channel == HEART_CHANNEL_SKIN_TEMPERATURE)
    g_array_append_val (vitals->skin, value->value);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

static double
mean_of (GArray *values,
         guint   from,
         guint   to)
{
  double sum = 0;

  for (guint i = from; i < to; i++)
    sum += g_array_index (values, double, i);
  return sum / (to - from);
}

/* SpO2 at 1 Hz, whole percent, never outside 90–100, median at least 95,
 * a little lower asleep; skin temperature warmer asleep, cooler running */
static void
test_spo2_and_skin_temperature (void)
{
  Vitals vitals = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)) };
  g_autoptr(HeartModel) model = heart_model_new (21);
  double awake_skin, asleep_skin, running_skin, awake_spo2, asleep_spo2;

  heart_model_set_value_func (model, HEART_CHANNEL_BIT (HEART_CHANNEL_SPO2)
                                     | HEART_CHANNEL_BIT (HEART_CHANNEL_SKIN_TEMPERATURE), on_vital, &vitals);
  heart_model_set_day_offset (model, 22 * 3600);
  heart_model_advance (model, 3600, NULL, NULL);                 /* 22:00–23:00 awake */
  heart_model_set_activity (model, HEART_ACTIVITY_SLEEP);
  heart_model_advance (model, 8 * 3600, NULL, NULL);             /* 23:00–07:00 asleep */
  heart_model_set_activity (model, HEART_ACTIVITY_REST);
  heart_model_advance (model, 3600, NULL, NULL);                 /* 07:00–08:00 awake */
  heart_model_set_activity (model, HEART_ACTIVITY_RUNNING);
  heart_model_advance (model, 1200, NULL, NULL);                 /* a run */

  g_assert_cmpuint (vitals.spo2->len, ==, vitals.skin->len);
  g_assert_cmpuint (vitals.spo2->len, >=, 10 * 3600 + 1200);
  for (guint i = 0; i < vitals.spo2->len; i++)
    {
      double spo2 = g_array_index (vitals.spo2, double, i);

      g_assert_cmpfloat (spo2, >=, 90);
      g_assert_cmpfloat (spo2, <=, 100);
      g_assert_cmpfloat (spo2, ==, round (spo2));
    }
  awake_spo2 = mean_of (vitals.spo2, 0, 3600);
  asleep_spo2 = mean_of (vitals.spo2, 3 * 3600, 8 * 3600);
  g_assert_cmpfloat (asleep_spo2, <, awake_spo2);
  awake_skin = mean_of (vitals.skin, 1800, 3600);
  asleep_skin = mean_of (vitals.skin, 2 * 3600, 8 * 3600);
  running_skin = mean_of (vitals.skin, vitals.skin->len - 300, vitals.skin->len);
  g_test_message ("SpO2 awake %.2f asleep %.2f; skin awake %.2f asleep %.2f running %.2f",
                  awake_spo2, asleep_spo2, awake_skin, asleep_skin, running_skin);
  g_assert_cmpfloat (asleep_skin, >, awake_skin + 0.5);
  g_assert_cmpfloat (running_skin, <, mean_of (vitals.skin, 9 * 3600 + 1800, 10 * 3600) - 0.5);
  g_assert_cmpfloat (median (vitals.spo2), >=, 95);
  g_array_unref (vitals.spo2);
  g_array_unref (vitals.skin);
}

/* The body clock: a day at rest. A cosinor fit of the hourly mean heart
 * rate (M + a cos ωt + b sin ωt, the standard analysis of circadian data)
 * puts the minimum between 03:00 and 07:00, about 4 bpm below the maximum */
static void
test_circadian_heart_rate (void)
{
  for (guint64 seed = 1; seed <= 5; seed++)
    {
      Run run = { 0 };
      g_autoptr(HeartModel) model = quiet_model (seed, &run);
      double a = 0, b = 0, amplitude, trough_h;

      heart_model_advance (model, 24 * 3600, on_beat, &run);
      /* 24 equally spaced points: the least-squares fit is two sums */
      for (guint h = 0; h < 24; h++)
        {
          double hourly = mean_bpm (&run, h * 3600.0, (h + 1) * 3600.0);
          double angle = 2 * G_PI * (h + 0.5) / 24;

          a += hourly * cos (angle) / 12;
          b += hourly * sin (angle) / 12;
        }
      amplitude = hypot (a, b);
      trough_h = fmod (atan2 (-b, -a) / (2 * G_PI) * 24 + 24, 24);
      g_test_message ("seed %" G_GUINT64_FORMAT ": trough at %.1f h, peak to trough %.1f bpm",
                      seed, trough_h, 2 * amplitude);
      g_assert_cmpfloat (trough_h, >=, 3);
      g_assert_cmpfloat (trough_h, <=, 7);
      g_assert_cmpfloat (2 * amplitude, >=, 2.5);
      g_assert_cmpfloat (2 * amplitude, <=, 6);
      run_clear (&run);
    }
}

/* 30 seeded nights, in bed 23:00–07:00, scored in 30 s epochs as a sleep
 * lab does: stage shares of the sleep, deep sleep early and REM late, the
 * heart rate of each stage in the order the literature gives (N3 lowest,
 * REM above N2, waking highest), brief awakenings, and the stages named
 * as HealthKit names them on the sleep_stage channel */
typedef struct
{
  GPtrArray *labels;
} Labels;

static void
on_label (const HeartChannelValue *value,
          gpointer                 user_data)
{
  Labels *labels = user_data;

  if (value->channel == HEART_CHANNEL_SLEEP_STAGE)
    g_ptr_array_add (labels->labels, g_strdup (value->label));
}

#define EPOCH_S 30.0
#define NIGHT_EPOCHS (8 * 3600 / 30)

static void
test_nights (void)
{
  double stage_hr[HEART_N_SLEEP_STAGES] = { 0 };
  guint stage_epochs_all[HEART_N_SLEEP_STAGES] = { 0 };
  guint awakenings = 0;
  /* the shares of a night's sleep in healthy adults (Ohayon et al. 2004):
   * the population's nights vary, so their mean must be inside and at
   * least 80 % of them */
  static const struct { HeartSleepStage stage; double min, max; } norms[] = {
    { HEART_SLEEP_N1, 2, 5 }, { HEART_SLEEP_N2, 45, 55 }, { HEART_SLEEP_N3, 13, 23 }, { HEART_SLEEP_REM, 20, 25 },
  };
  double mean_share[G_N_ELEMENTS (norms)] = { 0 };
  guint nights_inside[G_N_ELEMENTS (norms)] = { 0 };

  for (guint64 seed = 1; seed <= 30; seed++)
    {
      Run run = { 0 };
      Labels labels = { g_ptr_array_new_with_free_func (g_free) };
      g_autoptr(HeartModel) model = heart_model_new (seed);
      HeartSleepStage scored[NIGHT_EPOCHS];
      guint count[HEART_N_SLEEP_STAGES] = { 0 };
      guint onset = 0, asleep = 0, deep_first = 0, deep_all = 0, rem_first = 0, rem_last = 0, rem_all = 0;
      guint rem_late = 0;

      run.t = g_array_new (FALSE, FALSE, sizeof (double));
      run.rr = g_array_new (FALSE, FALSE, sizeof (double));
      heart_model_set_events_per_hour (model, 0);
      heart_model_set_value_func (model, HEART_CHANNEL_BIT (HEART_CHANNEL_SLEEP_STAGE), on_label, &labels);
      heart_model_set_day_offset (model, 23 * 3600);
      heart_model_set_activity (model, HEART_ACTIVITY_SLEEP);
      for (guint e = 0; e < NIGHT_EPOCHS; e++)
        {
          heart_model_advance (model, EPOCH_S, on_beat, &run);
          scored[e] = heart_model_get_sleep_stage (model);
          count[scored[e]]++;
          if (e > 0 && scored[e] == HEART_SLEEP_AWAKE && scored[e - 1] != HEART_SLEEP_AWAKE)
            awakenings++;
          if (scored[e] != HEART_SLEEP_IN_BED && scored[e] != HEART_SLEEP_AWAKE)
            {
              stage_hr[scored[e]] += mean_bpm (&run, (e + 0.5) * EPOCH_S, (e + 1) * EPOCH_S + 0.01);
              stage_epochs_all[scored[e]]++;
            }
          else if (scored[e] == HEART_SLEEP_AWAKE)
            {
              stage_hr[HEART_SLEEP_AWAKE] += mean_bpm (&run, (e + 0.5) * EPOCH_S, (e + 1) * EPOCH_S + 0.01);
              stage_epochs_all[HEART_SLEEP_AWAKE]++;
            }
        }
      heart_model_set_activity (model, HEART_ACTIVITY_REST);

      while (onset < NIGHT_EPOCHS && scored[onset] == HEART_SLEEP_IN_BED)
        onset++;
      g_assert_cmpuint (onset, >=, 5 * 2);
      g_assert_cmpuint (onset, <=, 20 * 2);
      asleep = count[HEART_SLEEP_N1] + count[HEART_SLEEP_N2] + count[HEART_SLEEP_N3] + count[HEART_SLEEP_REM];
      for (guint e = onset; e < NIGHT_EPOCHS; e++)
        {
          guint third = 3 * (e - onset) / (NIGHT_EPOCHS - onset);

          deep_all += scored[e] == HEART_SLEEP_N3;
          deep_first += scored[e] == HEART_SLEEP_N3 && third == 0;
          rem_all += scored[e] == HEART_SLEEP_REM;
          rem_first += scored[e] == HEART_SLEEP_REM && third == 0;
          rem_last += scored[e] == HEART_SLEEP_REM && third == 2;
          rem_late += scored[e] == HEART_SLEEP_REM && 2 * (e - onset) >= NIGHT_EPOCHS - onset;
        }
      g_test_message ("night %2" G_GUINT64_FORMAT ": N1 %4.1f %% N2 %4.1f %% N3 %4.1f %% REM %4.1f %%, "
                      "deep in the first third %3.0f %%, REM in the last %3.0f %%",
                      seed, 100.0 * count[HEART_SLEEP_N1] / asleep, 100.0 * count[HEART_SLEEP_N2] / asleep,
                      100.0 * count[HEART_SLEEP_N3] / asleep, 100.0 * count[HEART_SLEEP_REM] / asleep,
                      100.0 * deep_first / deep_all, 100.0 * rem_last / rem_all);
      for (guint i = 0; i < G_N_ELEMENTS (norms); i++)
        {
          double share = 100.0 * count[norms[i].stage] / asleep;

          nights_inside[i] += share >= norms[i].min && share <= norms[i].max;
          mean_share[i] += share / 30;
        }
      g_assert_cmpuint (2 * deep_first, >, deep_all);
      /* REM late: the last third has twice the first's, the second half most */
      g_assert_cmpuint (rem_last, >, 2 * rem_first);
      g_assert_cmpuint (5 * rem_late, >, 3 * rem_all);

      /* the channel: in bed, then HealthKit's names, empty when up */
      g_assert_cmpstr (g_ptr_array_index (labels.labels, 0), ==, "in_bed");
      g_assert_cmpstr (g_ptr_array_index (labels.labels, labels.labels->len - 1), ==, "");
      for (guint i = 1; i + 1 < labels.labels->len; i++)
        g_assert_true (g_strv_contains ((const char *[]) { "awake", "core", "deep", "rem", NULL },
                                        g_ptr_array_index (labels.labels, i)));
      g_ptr_array_unref (labels.labels);
      run_clear (&run);
    }
  for (guint i = 0; i < G_N_ELEMENTS (norms); i++)
    {
      g_test_message ("%s: mean %.1f %%, %u of 30 nights in %g–%g %%", heart_sleep_stage_name (norms[i].stage),
                      mean_share[i], nights_inside[i], norms[i].min, norms[i].max);
      g_assert_cmpfloat (mean_share[i], >=, norms[i].min);
      g_assert_cmpfloat (mean_share[i], <=, norms[i].max);
      g_assert_cmpuint (nights_inside[i], >=, 24);
    }
  for (HeartSleepStage stage = HEART_SLEEP_AWAKE; stage < HEART_N_SLEEP_STAGES; stage++)
    stage_hr[stage] /= stage_epochs_all[stage];
  g_test_message ("heart rate: wake %.1f, N1 %.1f, N2 %.1f, N3 %.1f, REM %.1f; %u awakenings in 30 nights",
                  stage_hr[HEART_SLEEP_AWAKE], stage_hr[HEART_SLEEP_N1], stage_hr[HEART_SLEEP_N2],
                  stage_hr[HEART_SLEEP_N3], stage_hr[HEART_SLEEP_REM], awakenings);
  g_assert_cmpfloat (stage_hr[HEART_SLEEP_N3], <, stage_hr[HEART_SLEEP_N2]);
  g_assert_cmpfloat (stage_hr[HEART_SLEEP_N2], <, stage_hr[HEART_SLEEP_REM]);
  g_assert_cmpfloat (stage_hr[HEART_SLEEP_REM], <, stage_hr[HEART_SLEEP_AWAKE]);
  g_assert_cmpuint (awakenings, >=, 30);
}

/* The simulator takes the activity by name, says what it is, and refuses
 * anything else without changing */
static void
test_simulator_activity (void)
{
  g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (1, 0);
  g_autoptr(GError) error = NULL;
  guint notified = 0;

  g_signal_connect_swapped (simulator, "notify::activity", G_CALLBACK (g_atomic_int_inc), &notified);
  g_assert_cmpstr (heart_simulator_get_activity (simulator), ==, "rest");
  g_assert_true (heart_simulator_set_activity (simulator, "walking", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (heart_simulator_get_activity (simulator), ==, "walking");
  g_assert_cmpuint (notified, ==, 1);
  g_assert_false (heart_simulator_set_activity (simulator, "flying", &error));
  g_assert_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_UNKNOWN_ACTIVITY);
  g_assert_cmpstr (heart_simulator_get_activity (simulator), ==, "walking");
  g_assert_cmpuint (notified, ==, 1);
  heart_simulator_advance (simulator, 60);
  g_assert_cmpfloat (heart_simulator_get_current_sample (simulator)->channels[HEART_CHANNEL_CADENCE], >=, 100);
  g_assert_cmpfloat (heart_simulator_get_current_sample (simulator)->channels[HEART_CHANNEL_STEPS_TODAY], >=, 90);
}

/* The presets: an athlete's lower resting rate and higher HRmax reserve
 * share, an older adult's lower HRmax (Tanaka), the anxious person's
 * higher rate; the simulator takes them by name and refuses others */
static void
test_profiles (void)
{
  static const struct { const char *name; double rest_min, rest_max; } cases[] = {
    { "average", 68, 78 }, { "athlete", 48, 58 }, { "older-adult", 63, 74 }, { "anxious", 80, 92 },
  };
  double rmssd[G_N_ELEMENTS (cases)];
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (3, 0);
      const HeartProfile *profile = heart_profile_lookup (cases[i].name);
      double sum = 0, hr_max = 208 - 0.7 * profile->age_y;
      guint n = 0;

      g_assert_true (heart_simulator_set_profile (simulator, cases[i].name, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (heart_simulator_get_profile (simulator), ==, cases[i].name);
      g_assert_cmpuint (heart_simulator_get_baseline_bpm (simulator), ==, (guint) profile->rest_bpm);
      rmssd[i] = 0;
      for (guint s = 0; s < 600; s++)
        {
          heart_simulator_advance (simulator, 1);
          if (s >= 300)
            {
              sum += heart_simulator_get_current_sample (simulator)->bpm, n++;
              rmssd[i] += heart_simulator_get_current_sample (simulator)->rmssd_ms;
            }
        }
      rmssd[i] /= n;
      g_test_message ("%s: resting %.1f bpm, RMSSD %.1f ms", cases[i].name, sum / n, rmssd[i]);
      g_assert_cmpfloat (sum / n, >=, cases[i].rest_min);
      g_assert_cmpfloat (sum / n, <=, cases[i].rest_max);
      /* running takes the same share of each one's own reserve */
      g_assert_true (heart_simulator_set_activity (simulator, "running", NULL));
      sum = 0, n = 0;
      for (guint s = 0; s < 900; s++)
        {
          heart_simulator_advance (simulator, 1);
          if (s >= 600)
            sum += heart_simulator_get_current_sample (simulator)->bpm, n++;
        }
      g_test_message ("%s: running %.1f bpm, %.0f %% of HRmax %.1f", cases[i].name, sum / n, 100 * sum / n / hr_max, hr_max);
      g_assert_cmpfloat (sum / n, >=, 0.65 * hr_max);
      g_assert_cmpfloat (sum / n, <=, 0.90 * hr_max);
    }
  /* RMSSD at rest: an athlete's well above the average, a 70-year-old's
   * about half of a 35-year-old's (norms: about 40 ms at 30–40, 20 ms at
   * 70), the anxious person's below */
  g_assert_cmpfloat (rmssd[1], >, 1.5 * rmssd[0]);
  g_assert_cmpfloat (rmssd[2], <, 0.7 * rmssd[0]);
  g_assert_cmpfloat (rmssd[2], >, 12);
  g_assert_cmpfloat (rmssd[3], <, rmssd[0]);
  {
    g_autoptr(HeartSimulator) simulator = heart_simulator_new_manual (3, 0);

    g_assert_false (heart_simulator_set_profile (simulator, "elite", &error));
    g_assert_error (error, HEART_SIMULATOR_ERROR, HEART_SIMULATOR_ERROR_UNKNOWN_PROFILE);
    g_assert_cmpstr (heart_simulator_get_profile (simulator), ==, "average");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/activity/run-heart-rate", test_run_heart_rate);
  g_test_add_func ("/activity/cadence-and-steps", test_cadence_and_steps);
  g_test_add_func ("/activity/steps-today-resets-at-midnight", test_steps_today_resets_at_midnight);
  g_test_add_func ("/activity/energy-and-breathing", test_energy_and_breathing);
  g_test_add_func ("/activity/sleep-lowers-heart-rate", test_sleep_lowers_heart_rate);
  g_test_add_func ("/activity/simulator", test_simulator_activity);
  g_test_add_func ("/vitals/spo2-and-skin-temperature", test_spo2_and_skin_temperature);
  g_test_add_func ("/vitals/circadian-heart-rate", test_circadian_heart_rate);
  g_test_add_func ("/sleep/nights", test_nights);
  g_test_add_func ("/profile/presets", test_profiles);
  return g_test_run ();
}
