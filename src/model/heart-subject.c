/* heart-subject.c: one simulated person of a cohort
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-subject.h"

#include "heart-profile.h"
#include "heart-random.h"

/* The stream of heart_random_init() that subject seeds are drawn from,
 * apart from the ones the model draws its signals from */
#define SUBJECT_SEED_STREAM G_GUINT64_CONSTANT (0x5B1EC7)

guint64
heart_subject_seed (guint64 run_seed,
                    guint   id)
{
  HeartRandom random;

  if (id == 0)
    return run_seed;
  heart_random_init (&random, run_seed ^ ((guint64) id << 32), SUBJECT_SEED_STREAM + id);
  return heart_random_next (&random);
}

void
heart_subject_spec_init (HeartSubjectSpec *spec,
                         guint             id,
                         guint64           run_seed,
                         const char       *profile)
{
  const char * const *names = heart_profile_names ();

  *spec = (HeartSubjectSpec) { .id = id, .seed = heart_subject_seed (run_seed, id) };
  if (profile == NULL && id > 0)
    profile = names[spec->seed % g_strv_length ((char **) names)];
  spec->profile = g_strdup (profile != NULL ? profile : "average");
}

GPtrArray *
heart_subject_specs_new (guint       n,
                         guint       first_id,
                         guint64     run_seed,
                         const char *profile)
{
  GPtrArray *specs = g_ptr_array_new_full (n, (GDestroyNotify) heart_subject_spec_free);

  for (guint i = 0; i < n; i++)
    {
      HeartSubjectSpec *spec = g_new0 (HeartSubjectSpec, 1);

      heart_subject_spec_init (spec, first_id + i, run_seed, profile);
      g_ptr_array_add (specs, spec);
    }
  return specs;
}

void
heart_subject_spec_free (HeartSubjectSpec *spec)
{
  heart_subject_spec_clear (spec);
  g_free (spec);
}

void
heart_subject_spec_copy (HeartSubjectSpec       *dest,
                         const HeartSubjectSpec *src)
{
  *dest = *src;
  dest->name = g_strdup (src->name);
  dest->profile = g_strdup (src->profile);
  dest->scenario_name = g_strdup (src->scenario_name);
  if (src->scenario != NULL)
    dest->scenario = heart_scenario_ref (src->scenario);
}

void
heart_subject_spec_clear (HeartSubjectSpec *spec)
{
  g_clear_pointer (&spec->name, g_free);
  g_clear_pointer (&spec->profile, g_free);
  g_clear_pointer (&spec->scenario_name, g_free);
  g_clear_pointer (&spec->scenario, heart_scenario_unref);
}

char *
heart_subject_spec_dup_name (const HeartSubjectSpec *spec)
{
  if (spec->name != NULL)
    return g_strdup (spec->name);
  return g_strdup_printf ("subject-%u", spec->id);
}

gboolean
heart_subject_spec_apply (const HeartSubjectSpec *spec,
                          HeartSimulator         *simulator,
                          GError                **error)
{
  const char *profile = spec->profile != NULL ? spec->profile : "average";

  /* setting a profile resets the baseline and stress to its own: a person
   * who is already that one keeps theirs */
  if (g_strcmp0 (heart_simulator_get_profile (simulator), profile) != 0 &&
      !heart_simulator_set_profile (simulator, profile, error))
    return FALSE;
  if (spec->baseline_bpm != 0 && !heart_simulator_set_baseline (simulator, (int) spec->baseline_bpm, error))
    return FALSE;
  return TRUE;
}

gboolean
heart_subject_spec_start_scenario (const HeartSubjectSpec *spec,
                                   HeartSimulator         *simulator)
{
  if (spec->scenario == NULL)
    return TRUE;
  if (heart_simulator_get_time (simulator) < spec->start_offset_s)
    return FALSE;
  heart_simulator_run_scenario (simulator, spec->scenario, spec->repeat);
  return TRUE;
}

/* ---- the live subject --------------------------------------------------- */

struct _HeartSubject
{
  GObject           parent_instance;

  HeartSubjectSpec  spec;
  char             *name;
  HeartSimulator   *simulator;
  HeartSource      *source;
  gulong            scenario_wait;   /* "sample" handler until the scenario starts */
};

G_DEFINE_FINAL_TYPE (HeartSubject, heart_subject, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SIMULATOR,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
on_sample_start_scenario (HeartSimulator    *simulator,
                          const HeartSample *sample,
                          HeartSubject      *self)
{
  if (heart_subject_spec_start_scenario (&self->spec, simulator))
    g_clear_signal_handler (&self->scenario_wait, simulator);
}

HeartSubject *
heart_subject_new (const HeartSubjectSpec *spec,
                   HeartSimulator         *simulator,
                   HeartSource            *source,
                   GError                **error)
{
  g_autoptr(HeartSubject) self = g_object_new (HEART_TYPE_SUBJECT, NULL);

  heart_subject_spec_copy (&self->spec, spec);
  self->name = heart_subject_spec_dup_name (spec);
  if (simulator != NULL)
    self->simulator = g_object_ref (simulator);
  else
    {
      /* one of many: the ECG and PPG would cost a thousand people more
       * than all their other channels (docs/scale.md, "Subjects") */
      self->simulator = heart_simulator_new (spec->seed);
      heart_simulator_set_channels (self->simulator, HEART_CHANNEL_MASK_ALL & ~HEART_CHANNEL_MASK_WAVEFORMS);
    }
  self->source = g_object_ref (source != NULL ? source : HEART_SOURCE (self->simulator));
  if (!heart_subject_spec_apply (spec, self->simulator, error))
    return NULL;
  if (!heart_subject_spec_start_scenario (&self->spec, self->simulator))
    self->scenario_wait = g_signal_connect_object (self->simulator, "sample",
                                                   G_CALLBACK (on_sample_start_scenario), self, 0);
  return g_steal_pointer (&self);
}

guint
heart_subject_get_id (HeartSubject *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT (self), 0);
  return self->spec.id;
}

const char *
heart_subject_get_name (HeartSubject *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT (self), NULL);
  return self->name;
}

const HeartSubjectSpec *
heart_subject_get_spec (HeartSubject *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT (self), NULL);
  return &self->spec;
}

HeartSimulator *
heart_subject_get_simulator (HeartSubject *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT (self), NULL);
  return self->simulator;
}

HeartSource *
heart_subject_get_source (HeartSubject *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT (self), NULL);
  return self->source;
}

static void
heart_subject_dispose (GObject *object)
{
  HeartSubject *self = HEART_SUBJECT (object);

  if (self->simulator != NULL)
    g_clear_signal_handler (&self->scenario_wait, self->simulator);
  g_clear_object (&self->source);
  g_clear_object (&self->simulator);

  G_OBJECT_CLASS (heart_subject_parent_class)->dispose (object);
}

static void
heart_subject_finalize (GObject *object)
{
  HeartSubject *self = HEART_SUBJECT (object);

  heart_subject_spec_clear (&self->spec);
  g_free (self->name);

  G_OBJECT_CLASS (heart_subject_parent_class)->finalize (object);
}

static void
heart_subject_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HeartSubject *self = HEART_SUBJECT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->spec.id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIMULATOR:
      g_value_set_object (value, self->simulator);
      break;
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_subject_class_init (HeartSubjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heart_subject_dispose;
  object_class->finalize = heart_subject_finalize;
  object_class->get_property = heart_subject_get_property;

  /* who the subject is does not change: all read-only */
  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIMULATOR] =
    g_param_spec_object ("simulator", NULL, NULL, HEART_TYPE_SIMULATOR, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, HEART_TYPE_SOURCE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_subject_init (HeartSubject *self)
{
}
