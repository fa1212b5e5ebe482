/* heart-channel-history.c: the latest values of every periodic channel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-channel-history.h"

typedef struct
{
  HeartChannelEntry *entries;
  guint              start;
  guint              length;
  guint64            last_seq;
} Ring;

struct _HeartChannelHistory
{
  GObject  parent_instance;

  guint    capacity;
  Ring     rings[HEART_N_CHANNELS];
};

G_DEFINE_FINAL_TYPE (HeartChannelHistory, heart_channel_history, G_TYPE_OBJECT)

HeartChannelHistory *
heart_channel_history_new (guint capacity)
{
  HeartChannelHistory *self;

  g_return_val_if_fail (capacity > 0, NULL);

  self = g_object_new (HEART_TYPE_CHANNEL_HISTORY, NULL);
  self->capacity = capacity;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (heart_channel_get (c)->kind == HEART_CHANNEL_KIND_PERIODIC)
      self->rings[c].entries = g_new (HeartChannelEntry, capacity);
  return self;
}

void
heart_channel_history_push (HeartChannelHistory     *self,
                            const HeartChannelValue *values,
                            guint                    n_values)
{
  g_return_if_fail (HEART_IS_CHANNEL_HISTORY (self));

  for (guint i = 0; i < n_values; i++)
    {
      Ring *ring = &self->rings[values[i].channel];
      HeartChannelEntry *slot;

      if (ring->entries == NULL)
        continue;
      if (ring->length == self->capacity)
        {
          ring->start = (ring->start + 1) % self->capacity;
          ring->length--;
        }
      slot = &ring->entries[(ring->start + ring->length++) % self->capacity];
      *slot = (HeartChannelEntry) { ++ring->last_seq, values[i].timestamp_us, values[i].value };
    }
}

guint
heart_channel_history_get_length (HeartChannelHistory *self,
                                  HeartChannelId       channel)
{
  g_return_val_if_fail (HEART_IS_CHANNEL_HISTORY (self), 0);
  g_return_val_if_fail (channel < HEART_N_CHANNELS, 0);
  return self->rings[channel].length;
}

const HeartChannelEntry *
heart_channel_history_peek (HeartChannelHistory *self,
                            HeartChannelId       channel,
                            guint                index)
{
  const Ring *ring;

  g_return_val_if_fail (HEART_IS_CHANNEL_HISTORY (self), NULL);
  g_return_val_if_fail (channel < HEART_N_CHANNELS, NULL);

  ring = &self->rings[channel];
  if (index >= ring->length)
    return NULL;
  return &ring->entries[(ring->start + index) % self->capacity];
}

GArray *
heart_channel_history_query_since (HeartChannelHistory *self,
                                   HeartChannelId       channel,
                                   guint64              since_seq,
                                   guint                limit)
{
  GArray *result = g_array_new (FALSE, FALSE, sizeof (HeartChannelEntry));
  const Ring *ring;
  guint first;

  g_return_val_if_fail (HEART_IS_CHANNEL_HISTORY (self), result);
  g_return_val_if_fail (channel < HEART_N_CHANNELS, result);

  ring = &self->rings[channel];
  if (ring->length == 0 || since_seq >= ring->last_seq)
    return result;
  /* seqs in the ring are consecutive: the first wanted is found by arithmetic */
  first = since_seq + 1 <= ring->last_seq - ring->length + 1 ? 0
        : (guint) (since_seq + 1 - (ring->last_seq - ring->length + 1));
  for (guint i = first; i < ring->length && result->len < limit; i++)
    g_array_append_val (result, ring->entries[(ring->start + i) % self->capacity]);
  return result;
}

static void
on_values (GObject                 *simulator,
           const HeartChannelValue *values,
           guint                    n_values,
           HeartChannelHistory     *self)
{
  heart_channel_history_push (self, values, n_values);
}

void
heart_channel_history_follow (HeartChannelHistory *self,
                              GObject             *simulator)
{
  g_return_if_fail (HEART_IS_CHANNEL_HISTORY (self));
  g_signal_connect_object (simulator, "values", G_CALLBACK (on_values), self, 0);
}

static void
heart_channel_history_finalize (GObject *object)
{
  HeartChannelHistory *self = HEART_CHANNEL_HISTORY (object);

  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    g_free (self->rings[c].entries);
  G_OBJECT_CLASS (heart_channel_history_parent_class)->finalize (object);
}

static void
heart_channel_history_class_init (HeartChannelHistoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = heart_channel_history_finalize;
}

static void
heart_channel_history_init (HeartChannelHistory *self)
{
}
