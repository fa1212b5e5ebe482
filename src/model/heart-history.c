/* heart-history.c: the last N samples, for /api/history, SSE resume and charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-history.h"

struct _HeartHistory
{
  GObject      parent_instance;

  HeartSample *samples;   /* ring of capacity entries */
  guint        capacity;
  guint        head;      /* where the next sample goes */
  guint        length;
};

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartHistory, heart_history, G_TYPE_OBJECT)

static void
heart_history_constructed (GObject *object)
{
  HeartHistory *self = HEART_HISTORY (object);

  G_OBJECT_CLASS (heart_history_parent_class)->constructed (object);
  self->samples = g_new0 (HeartSample, self->capacity);
}

static void
heart_history_finalize (GObject *object)
{
  HeartHistory *self = HEART_HISTORY (object);

  g_clear_pointer (&self->samples, g_free);
  G_OBJECT_CLASS (heart_history_parent_class)->finalize (object);
}

static void
heart_history_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  HeartHistory *self = HEART_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_LENGTH:
      g_value_set_uint (value, self->length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_history_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  HeartHistory *self = HEART_HISTORY (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      self->capacity = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_history_class_init (HeartHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heart_history_constructed;
  object_class->finalize = heart_history_finalize;
  object_class->get_property = heart_history_get_property;
  object_class->set_property = heart_history_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL,
                       1, G_MAXUINT / sizeof (HeartSample), HEART_HISTORY_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* not notified on each push: that would be one notify per tick for nobody */
  properties[PROP_LENGTH] =
    g_param_spec_uint ("length", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_history_init (HeartHistory *self)
{
}

HeartHistory *
heart_history_new (guint capacity)
{
  return g_object_new (HEART_TYPE_HISTORY, "capacity", capacity, NULL);
}

guint
heart_history_get_capacity (HeartHistory *self)
{
  g_return_val_if_fail (HEART_IS_HISTORY (self), 0);
  return self->capacity;
}

guint
heart_history_get_length (HeartHistory *self)
{
  g_return_val_if_fail (HEART_IS_HISTORY (self), 0);
  return self->length;
}

void
heart_history_push (HeartHistory      *self,
                    const HeartSample *sample)
{
  g_return_if_fail (HEART_IS_HISTORY (self));
  g_return_if_fail (sample != NULL);

  self->samples[self->head] = *sample;
  self->head = (self->head + 1) % self->capacity;
  if (self->length < self->capacity)
    self->length++;
}

void
heart_history_clear (HeartHistory *self)
{
  g_return_if_fail (HEART_IS_HISTORY (self));
  self->head = 0;
  self->length = 0;
}

const HeartSample *
heart_history_peek (HeartHistory *self,
                    guint         index)
{
  g_return_val_if_fail (HEART_IS_HISTORY (self), NULL);

  if (index >= self->length)
    return NULL;
  return &self->samples[(self->head + self->capacity - self->length + index) % self->capacity];
}

const HeartSample *
heart_history_get_latest (HeartHistory *self)
{
  g_return_val_if_fail (HEART_IS_HISTORY (self), NULL);
  return self->length > 0 ? heart_history_peek (self, self->length - 1) : NULL;
}

/* Index of the first sample with seq > @since_seq: seqs increase along the
 * ring, so a binary search finds it whatever gaps there are. */
static guint
first_after (HeartHistory *self,
             guint64       since_seq)
{
  guint low = 0, high = self->length;

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (heart_history_peek (self, mid)->seq <= since_seq)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

GArray *
heart_history_query_since (HeartHistory *self,
                           guint64       since_seq,
                           guint         limit)
{
  GArray *result;
  guint first, count;

  g_return_val_if_fail (HEART_IS_HISTORY (self), NULL);

  first = first_after (self, since_seq);
  count = MIN (self->length - first, limit);
  result = g_array_sized_new (FALSE, FALSE, sizeof (HeartSample), count);
  for (guint i = 0; i < count; i++)
    g_array_append_vals (result, heart_history_peek (self, first + i), 1);
  return result;
}

static void
on_sample (GObject           *simulator,
           const HeartSample *sample,
           HeartHistory      *self)
{
  heart_history_push (self, sample);
}

void
heart_history_follow (HeartHistory *self,
                      GObject      *simulator)
{
  g_return_if_fail (HEART_IS_HISTORY (self));
  g_return_if_fail (G_IS_OBJECT (simulator));

  g_signal_connect_object (simulator, "sample", G_CALLBACK (on_sample), self, G_CONNECT_DEFAULT);
}
