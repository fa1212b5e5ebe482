/* heart-subject.h: one simulated person of a cohort
 *
 * A subject is who a person is (profile, seed, baseline), what they do (a
 * scenario, started a while after the run does) and the simulator that
 * makes their data. Its seed comes from the run's seed and its id alone,
 * so the same subject gives the same data whatever the number of subjects
 * (docs/scale.md, "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-scenario.h"
#include "heart-simulator.h"
#include "heart-source.h"

G_BEGIN_DECLS

/* Who a subject is and what they do: from --subjects N, or one entry of a
 * --cohort file (data/cohort.schema.json) */
typedef struct
{
  guint          id;               /* the subject's number: the run's offset + its place */
  char          *name;             /* a label, e.g. "P07"; NULL: "subject-ID" */
  char          *profile;          /* a preset of heart-profile.h; NULL: "average" */
  guint64        seed;
  guint          baseline_bpm;     /* 0: the profile's */
  HeartScenario *scenario;         /* or NULL */
  char          *scenario_name;    /* as the file named it: a bundled name or a path */
  gboolean       repeat;           /* run the scenario again each time it ends */
  double         start_offset_s;   /* the scenario starts this long after the run */
} HeartSubjectSpec;

/* The most subjects one process or one dataset takes */
#define HEART_SUBJECTS_MAX 100000

/* The seed of subject @id of a run seeded with @run_seed: @run_seed itself
 * for subject 0 (a single person is as before), a splitmix64 mix otherwise */
guint64  heart_subject_seed            (guint64 run_seed,
                                        guint id);
/* Subject @id of --subjects N: its seed from @run_seed, its profile
 * @profile, or with NULL one of the presets drawn from its seed (subject 0:
 * "average") */
void     heart_subject_spec_init       (HeartSubjectSpec *spec,
                                        guint id,
                                        guint64 run_seed,
                                        const char *profile);
/* The specs of --subjects @n: ids @first_id … @first_id + @n − 1, each
 * from heart_subject_spec_init(); free with g_ptr_array_unref() */
GPtrArray *heart_subject_specs_new     (guint n,
                                        guint first_id,
                                        guint64 run_seed,
                                        const char *profile);
void     heart_subject_spec_free       (HeartSubjectSpec *spec);
void     heart_subject_spec_copy       (HeartSubjectSpec *dest,
                                        const HeartSubjectSpec *src);
void     heart_subject_spec_clear      (HeartSubjectSpec *spec);
/* "subject-ID" or the spec's name, newly allocated */
char    *heart_subject_spec_dup_name   (const HeartSubjectSpec *spec);
/* The spec made into @simulator: profile, baseline; the scenario is run by
 * heart_subject_spec_start_scenario() once the simulator's time reaches
 * the offset. FALSE with @error when the profile or baseline is wrong. */
gboolean heart_subject_spec_apply      (const HeartSubjectSpec *spec,
                                        HeartSimulator *simulator,
                                        GError **error);
/* Runs the spec's scenario on @simulator if it has one and its time has
 * come (simulator time ≥ the offset) and it has not been started yet;
 * TRUE once started or when there is none */
gboolean heart_subject_spec_start_scenario (const HeartSubjectSpec *spec,
                                            HeartSimulator *simulator);

#define HEART_TYPE_SUBJECT (heart_subject_get_type ())
G_DECLARE_FINAL_TYPE (HeartSubject, heart_subject, HEART, SUBJECT, GObject)

/* Properties (read-only): "id", "name", "simulator", "source".
 *
 * A live subject of @spec. With @simulator NULL it makes a live one of its
 * own (a timer advances it once started) that makes every channel but the
 * waveforms; otherwise @simulator, which the spec is applied to. @source,
 * when given, is what is served for the subject while @simulator obeys its
 * commands (subject 0 of the app: a source switch). NULL with @error when
 * the spec's profile or baseline is wrong. */
HeartSubject     *heart_subject_new           (const HeartSubjectSpec *spec,
                                               HeartSimulator *simulator,
                                               HeartSource *source,
                                               GError **error);
guint             heart_subject_get_id        (HeartSubject *self);
const char       *heart_subject_get_name      (HeartSubject *self);
const HeartSubjectSpec *heart_subject_get_spec (HeartSubject *self);
HeartSimulator   *heart_subject_get_simulator (HeartSubject *self);
/* what is served for the subject: the simulator, or the given source */
HeartSource      *heart_subject_get_source    (HeartSubject *self);

G_END_DECLS
