/* heart-generate-cohort.h: `heartsim generate` for many subjects
 *
 * With --subjects N (N > 1), --cohort FILE or --subject-offset, -o names a
 * folder that gets one dataset a subject and manifest.json, written by
 * --jobs threads into a temporary folder renamed into place once all of
 * it is written (docs/datasets.md, "Cohorts").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-dataset.h"

G_BEGIN_DECLS

typedef struct
{
  /* the run's options: each subject's, with its seed, profile, baseline
   * and scenario put in */
  const HeartDatasetOptions *options;
  gboolean            stress_given;      /* --stress: for everyone, not the profile's */
  gboolean            events_given;      /* --events-per-hour: idem */
  GPtrArray          *specs;             /* HeartSubjectSpec* */
  const char         *folder;            /* -o */
  guint               jobs;
  gboolean            show_progress;
  const char * const *arguments;         /* the command line, for the manifest */
} HeartGenerateCohort;

/* Checks the folder and the file names, writes, and returns the exit
 * status (docs/datasets.md, "Exit status"); messages go to stderr */
int heart_generate_cohort_run (const HeartGenerateCohort *cohort);

G_END_DECLS
