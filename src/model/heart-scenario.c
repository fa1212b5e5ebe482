/* heart-scenario.c: a labelled timeline of phases for the person
 *
 * Immutable once built, and shared by reference: the model, the server's
 * report and the window read the same scenario.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-scenario.h"

#include <math.h>
#include <string.h>

struct _HeartScenario
{
  gatomicrefcount  ref_count;
  char            *name;
  char            *description;
  GArray          *phases;        /* HeartScenarioPhase */
  GArray          *starts;        /* double, one per phase, plus the end */
  double           start_clock_s; /* the time of day it is written to start at */
  gboolean         repeat;
  double           vary_s;        /* how far each pass moves the phases' boundaries */
};

G_DEFINE_BOXED_TYPE (HeartScenario, heart_scenario, heart_scenario_ref, heart_scenario_unref)

HeartScenario *
heart_scenario_new (const char *name,
                    const char *description)
{
  HeartScenario *self = g_new0 (HeartScenario, 1);
  double zero = 0;

  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->description = g_strdup (description);
  self->phases = g_array_new (FALSE, FALSE, sizeof (HeartScenarioPhase));
  g_array_set_clear_func (self->phases, (GDestroyNotify) heart_scenario_phase_clear);
  self->starts = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (self->starts, zero);
  return self;
}

HeartScenario *
heart_scenario_ref (HeartScenario *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
heart_scenario_unref (HeartScenario *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_array_unref (self->phases);
  g_array_unref (self->starts);
  g_free (self->name);
  g_free (self->description);
  g_free (self);
}

void
heart_scenario_phase_init (HeartScenarioPhase *phase,
                           const char         *name,
                           double              duration_s)
{
  phase->name = g_strdup (name);
  phase->duration_s = duration_s;
  phase->stress = NAN;
  phase->breathing_rate = NAN;
  phase->baseline_bpm = NAN;
  phase->events_per_hour = NAN;
  phase->pvc_per_hour = NAN;
  phase->pac_per_hour = NAN;
  phase->activity = -1;
  phase->events = g_array_new (FALSE, FALSE, sizeof (HeartScenarioEvent));
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const HeartScenarioEvent *x = a, *y = b;

  return (x->offset_s > y->offset_s) - (x->offset_s < y->offset_s);
}

void
heart_scenario_phase_add_event (HeartScenarioPhase *phase,
                                double              offset_s,
                                double              level)
{
  HeartScenarioEvent event = { offset_s, level };

  g_array_append_val (phase->events, event);
  g_array_sort (phase->events, compare_events);
}

void
heart_scenario_phase_clear (HeartScenarioPhase *phase)
{
  g_clear_pointer (&phase->name, g_free);
  g_clear_pointer (&phase->events, g_array_unref);
}

void
heart_scenario_add_phase (HeartScenario      *self,
                          HeartScenarioPhase *phase)
{
  double end = heart_scenario_get_duration (self) + phase->duration_s;

  g_array_append_val (self->phases, *phase);
  g_array_append_val (self->starts, end);
  memset (phase, 0, sizeof *phase);
}

const char *
heart_scenario_get_name (const HeartScenario *self)
{
  return self->name;
}

const char *
heart_scenario_get_description (const HeartScenario *self)
{
  return self->description;
}

guint
heart_scenario_get_n_phases (const HeartScenario *self)
{
  return self->phases->len;
}

const HeartScenarioPhase *
heart_scenario_get_phase (const HeartScenario *self,
                          guint                index)
{
  g_return_val_if_fail (index < self->phases->len, NULL);
  return &g_array_index (self->phases, HeartScenarioPhase, index);
}

double
heart_scenario_get_duration (const HeartScenario *self)
{
  return g_array_index (self->starts, double, self->starts->len - 1);
}

double
heart_scenario_get_phase_start (const HeartScenario *self,
                                guint                index)
{
  g_return_val_if_fail (index < self->starts->len, 0);
  return g_array_index (self->starts, double, index);
}

int
heart_scenario_phase_at (const HeartScenario *self,
                         double               elapsed_s)
{
  if (elapsed_s < 0)
    return -1;
  for (guint i = 0; i < self->phases->len; i++)
    if (elapsed_s < g_array_index (self->starts, double, i + 1))
      return (int) i;
  return -1;
}

void
heart_scenario_set_start (HeartScenario *self,
                          double         seconds_since_midnight)
{
  g_return_if_fail (self != NULL);
  self->start_clock_s = seconds_since_midnight;
}

double
heart_scenario_get_start (const HeartScenario *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->start_clock_s;
}

void
heart_scenario_set_repeat (HeartScenario *self,
                           gboolean       repeat)
{
  g_return_if_fail (self != NULL);
  self->repeat = !!repeat;
}

gboolean
heart_scenario_get_repeat (const HeartScenario *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->repeat;
}

void
heart_scenario_set_vary (HeartScenario *self,
                         double         seconds)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (seconds >= 0);
  self->vary_s = seconds;
}

double
heart_scenario_get_vary (const HeartScenario *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->vary_s;
}
