/* heart-cohort.h: the people one process simulates
 *
 * HeartSubjects in the order they were added; the first is what the single-person paths and the window serve by default
 * (docs/scale.md, "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heart-subject.h"

G_BEGIN_DECLS

#define HEART_TYPE_COHORT (heart_cohort_get_type ())
G_DECLARE_FINAL_TYPE (HeartCohort, heart_cohort, HEART, COHORT, GObject)

HeartCohort  *heart_cohort_new            (void);
/* Appends @subject; its id must be new (FALSE otherwise, nothing added) */
gboolean      heart_cohort_add            (HeartCohort *self,
                                           HeartSubject *subject);
guint         heart_cohort_get_n_subjects (HeartCohort *self);
/* by place, 0 … n − 1; NULL past the end */
HeartSubject *heart_cohort_get_subject    (HeartCohort *self,
                                           guint index);
/* by id, or NULL */
HeartSubject *heart_cohort_lookup         (HeartCohort *self,
                                           guint id);
/* starts or stops every subject's simulator */
void          heart_cohort_set_running    (HeartCohort *self,
                                           gboolean running);

G_END_DECLS
