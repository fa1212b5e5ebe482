/* heart-cohort.c: the people one process simulates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-cohort.h"

struct _HeartCohort
{
  GObject     parent_instance;

  GPtrArray  *subjects;   /* HeartSubject, in the order added */
  GHashTable *by_id;      /* id → HeartSubject (borrowed) */
};

G_DEFINE_FINAL_TYPE (HeartCohort, heart_cohort, G_TYPE_OBJECT)

HeartCohort *
heart_cohort_new (void)
{
  return g_object_new (HEART_TYPE_COHORT, NULL);
}

gboolean
heart_cohort_add (HeartCohort  *self,
                  HeartSubject *subject)
{
  guint id;

  g_return_val_if_fail (HEART_IS_COHORT (self), FALSE);
  g_return_val_if_fail (HEART_IS_SUBJECT (subject), FALSE);

  id = heart_subject_get_id (subject);
  if (g_hash_table_contains (self->by_id, GUINT_TO_POINTER (id)))
    return FALSE;
  g_ptr_array_add (self->subjects, g_object_ref (subject));
  g_hash_table_insert (self->by_id, GUINT_TO_POINTER (id), subject);
  return TRUE;
}

guint
heart_cohort_get_n_subjects (HeartCohort *self)
{
  g_return_val_if_fail (HEART_IS_COHORT (self), 0);
  return self->subjects->len;
}

HeartSubject *
heart_cohort_get_subject (HeartCohort *self,
                          guint        index)
{
  g_return_val_if_fail (HEART_IS_COHORT (self), NULL);
  return index < self->subjects->len ? g_ptr_array_index (self->subjects, index) : NULL;
}

HeartSubject *
heart_cohort_lookup (HeartCohort *self,
                     guint        id)
{
  g_return_val_if_fail (HEART_IS_COHORT (self), NULL);
  return g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
}

void
heart_cohort_set_running (HeartCohort *self,
                          gboolean     running)
{
  g_return_if_fail (HEART_IS_COHORT (self));
  for (guint i = 0; i < self->subjects->len; i++)
    heart_source_set_running (heart_subject_get_source (g_ptr_array_index (self->subjects, i)), running);
}

static void
heart_cohort_dispose (GObject *object)
{
  HeartCohort *self = HEART_COHORT (object);

  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->subjects, 0);

  G_OBJECT_CLASS (heart_cohort_parent_class)->dispose (object);
}

static void
heart_cohort_finalize (GObject *object)
{
  HeartCohort *self = HEART_COHORT (object);

  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->subjects);

  G_OBJECT_CLASS (heart_cohort_parent_class)->finalize (object);
}

static void
heart_cohort_class_init (HeartCohortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_cohort_dispose;
  object_class->finalize = heart_cohort_finalize;
}

static void
heart_cohort_init (HeartCohort *self)
{
  self->subjects = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (NULL, NULL);
}
