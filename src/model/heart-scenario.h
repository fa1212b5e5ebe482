/* heart-scenario.h: a labelled timeline of phases for the person
 *
 * A scenario is a list of phases (baseline, stress, recovery, …), each with
 * a duration and what it sets: tonic stress, paced breathing, resting heart
 * rate, random arousals, acute events at offsets. The model runs it in time
 * order with everything else and labels every value with the phase name
 * (docs/scenarios.md). Files are read by heart-scenario-file.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define HEART_SCENARIO_MAX_DURATION_S (7 * 86400.0)
#define HEART_SCENARIO_MAX_PHASES     1000
#define HEART_SCENARIO_MAX_EVENTS     10000

typedef struct
{
  double offset_s;          /* from the start of its phase */
  double level;             /* 0–1 */
} HeartScenarioEvent;

typedef struct
{
  char   *name;             /* the label: [a-z0-9_-]+ */
  double  duration_s;
  /* NAN where the phase leaves a setting as it was */
  double  stress;           /* tonic stress 0–1 */
  double  breathing_rate;   /* paced, breaths a minute; 0 = spontaneous */
  double  baseline_bpm;
  double  events_per_hour;  /* random arousals */
  double  pvc_per_hour;     /* premature ventricular beats */
  double  pac_per_hour;     /* premature atrial beats */
  int     activity;         /* a HeartActivityType; -1 leaves it as it was */
  GArray *events;           /* HeartScenarioEvent, by offset */
} HeartScenarioPhase;

typedef struct _HeartScenario HeartScenario;

#define HEART_TYPE_SCENARIO (heart_scenario_get_type ())

GType                     heart_scenario_get_type     (void) G_GNUC_CONST;
HeartScenario            *heart_scenario_new          (const char *name,
                                                       const char *description);
HeartScenario            *heart_scenario_ref          (HeartScenario *self);
void                      heart_scenario_unref        (HeartScenario *self);
/* Takes @phase's contents (name and events); @phase itself is copied */
void                      heart_scenario_add_phase    (HeartScenario *self,
                                                       HeartScenarioPhase *phase);
void                      heart_scenario_phase_init   (HeartScenarioPhase *phase,
                                                       const char *name,
                                                       double duration_s);
void                      heart_scenario_phase_add_event (HeartScenarioPhase *phase,
                                                          double offset_s,
                                                          double level);
void                      heart_scenario_phase_clear  (HeartScenarioPhase *phase);
/* The time of day the scenario is written to start at, seconds since
 * midnight (a file's "start"; 0 unless set) */
void                      heart_scenario_set_start    (HeartScenario *self,
                                                       double seconds_since_midnight);
double                    heart_scenario_get_start    (const HeartScenario *self);
/* Written to run again each time it ends (a file's "repeat": a daily
 * routine); FALSE unless set */
void                      heart_scenario_set_repeat   (HeartScenario *self,
                                                       gboolean repeat);
gboolean                  heart_scenario_get_repeat   (const HeartScenario *self);
/* Each pass moves every boundary between two phases by up to this many
 * seconds, drawn from the seed, so that a daily routine is not the same
 * every day (a file's "vary"; docs/scenarios.md). A boundary moves by at
 * most 40 % of either phase beside it; the scenario's start and end stay.
 * 0 unless set. */
void                      heart_scenario_set_vary     (HeartScenario *self,
                                                       double seconds);
double                    heart_scenario_get_vary     (const HeartScenario *self);
const char               *heart_scenario_get_name     (const HeartScenario *self);
const char               *heart_scenario_get_description (const HeartScenario *self);
guint                     heart_scenario_get_n_phases (const HeartScenario *self);
const HeartScenarioPhase *heart_scenario_get_phase    (const HeartScenario *self,
                                                       guint index);
double                    heart_scenario_get_duration (const HeartScenario *self);
/* Start of phase @index from the scenario's start, seconds */
double                    heart_scenario_get_phase_start (const HeartScenario *self,
                                                          guint index);
/* The phase under way @elapsed_s into the scenario, or -1 past its end */
int                       heart_scenario_phase_at     (const HeartScenario *self,
                                                       double elapsed_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartScenario, heart_scenario_unref)

G_END_DECLS
