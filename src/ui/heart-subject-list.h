/* heart-subject-list.h: the window's subject switcher
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "heart-cohort.h"

G_BEGIN_DECLS

#define HEART_TYPE_SUBJECT_LIST (heart_subject_list_get_type ())
G_DECLARE_FINAL_TYPE (HeartSubjectList, heart_subject_list, HEART, SUBJECT_LIST, GtkWidget)

/* A row for each subject of @cohort: its name, heart rate and a sparkline
 * of its last two minutes from @histories (HeartHistory, one a subject, in
 * the cohort's order). Set once. */
void      heart_subject_list_set_cohort   (HeartSubjectList *self,
                                           HeartCohort *cohort,
                                           GListModel *histories);
/* Property "selected": the place of the row chosen, 0 … n − 1 */
guint     heart_subject_list_get_selected (HeartSubjectList *self);
void      heart_subject_list_set_selected (HeartSubjectList *self,
                                           guint index);
/* For tests: the row at @index (NULL past the end), its heart rate's text
 * and its sparkline */
GtkWidget  *heart_subject_list_get_row       (HeartSubjectList *self,
                                              guint index);
const char *heart_subject_list_get_bpm_text  (HeartSubjectList *self,
                                              guint index);
GtkWidget  *heart_subject_list_get_sparkline (HeartSubjectList *self,
                                              guint index);
/* A subject's name for people: its own, or "Subject 3" */
char       *heart_subject_dup_display_name   (HeartSubject *subject) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
