/* heart-server-waveform-history.c: the last minute of each waveform channel
 *
 * A ring of samples a channel, sized for HEART_WAVEFORM_HISTORY_SECONDS at
 * the channel's rate (a minute of the ECG at 1,000 Hz is 240 KB), with the
 * marks that fall among them and where each block began in wall-clock
 * time: a live simulation at speed puts a second of simulation time in
 * less than a second of wall clock, so a sample's timestamp is found from
 * its block's, not from the rate alone. Memory is bounded by the ring:
 * every block has a sample, so there are never more anchors than samples,
 * and marks older than the oldest sample go.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "heart-server-waveform-history.h"

/* Marks a channel keeps at most, whatever the artefact rates: a minute at
 * 220 bpm is 220 beats, and each artefact a mark or two */
#define MAX_MARKS 4096

/* Where a block began: sample @first_index at @t0_us */
typedef struct
{
  guint64 first_index;
  gint64  t0_us;
} Anchor;

/* An array whose oldest items are dropped by moving its start, and
 * compacted once most of it is dropped */
typedef struct
{
  GArray *items;
  guint   start;
} Queue;

typedef struct
{
  double   fs_hz;         /* 0 until the first block */
  float   *values;        /* a ring of @capacity */
  guint    capacity;
  guint    head;          /* where the oldest value is */
  guint    length;
  guint64  first_index;   /* the oldest value's index */
  Queue    anchors;       /* Anchor, oldest first */
  Queue    marks;         /* HeartWaveformMark, oldest first */
} Ring;

struct _HeartWaveformHistory
{
  guint seconds;
  Ring  rings[HEART_N_CHANNELS];   /* waveform channels' only */
};

static void
queue_init (Queue *queue,
            gsize  item_size)
{
  queue->items = g_array_new (FALSE, FALSE, item_size);
  queue->start = 0;
}

static guint
queue_length (const Queue *queue)
{
  return queue->items->len - queue->start;
}

static gpointer
queue_peek (const Queue *queue,
            guint        index)
{
  return queue->items->data + (gsize) (queue->start + index) * g_array_get_element_size (queue->items);
}

static void
queue_drop (Queue *queue,
            guint  n)
{
  queue->start += MIN (n, queue_length (queue));
  if (queue->start > 64 && queue->start * 2 > queue->items->len)
    {
      g_array_remove_range (queue->items, 0, queue->start);
      queue->start = 0;
    }
}

static void
queue_clear (Queue *queue)
{
  g_array_set_size (queue->items, 0);
  queue->start = 0;
}

static void
ring_reset (Ring   *ring,
            double  fs_hz,
            guint   seconds)
{
  guint capacity = (guint) ceil (fs_hz * seconds) + 1;

  if (capacity != ring->capacity)
    {
      g_free (ring->values);
      ring->values = g_new (float, capacity);
      ring->capacity = capacity;
    }
  ring->fs_hz = fs_hz;
  ring->head = ring->length = 0;
  ring->first_index = 0;
  queue_clear (&ring->anchors);
  queue_clear (&ring->marks);
}

static const Anchor *
anchor_at (const Ring *ring,
           guint       index)
{
  return queue_peek (&ring->anchors, index);
}

/* Drops what came before the oldest sample kept: the anchors of blocks
 * wholly gone, and the marks before it */
static void
ring_trim (Ring *ring)
{
  double oldest_s = ring->first_index / ring->fs_hz;
  guint anchors = 0, marks = 0;

  while (anchors + 1 < queue_length (&ring->anchors) && anchor_at (ring, anchors + 1)->first_index <= ring->first_index)
    anchors++;
  queue_drop (&ring->anchors, anchors);
  while (marks < queue_length (&ring->marks) &&
         (((const HeartWaveformMark *) queue_peek (&ring->marks, marks))->t_s < oldest_s ||
          queue_length (&ring->marks) - marks > MAX_MARKS))
    marks++;
  queue_drop (&ring->marks, marks);
}

void
heart_waveform_history_push (HeartWaveformHistory     *self,
                             const HeartWaveformBlock *block)
{
  Ring *ring;
  Anchor anchor = { block->first_index, block->t0_us };
  guint skip;

  g_return_if_fail (block->channel < HEART_N_CHANNELS);

  if (heart_channel_get (block->channel)->kind != HEART_CHANNEL_KIND_WAVEFORM ||
      (block->n_values == 0 && block->n_marks == 0) || !(block->fs_hz > 0))
    return;
  ring = &self->rings[block->channel];
  if (ring->fs_hz != block->fs_hz ||
      (ring->length > 0 && block->first_index != ring->first_index + ring->length))
    ring_reset (ring, block->fs_hz, self->seconds);
  if (ring->length == 0)
    ring->first_index = block->first_index;

  /* of a block longer than the ring, only its end */
  skip = block->n_values > ring->capacity ? block->n_values - ring->capacity : 0;
  for (guint i = skip; i < block->n_values; i++)
    {
      if (ring->length == ring->capacity)
        {
          ring->head = (ring->head + 1) % ring->capacity;
          ring->length--;
          ring->first_index++;
        }
      ring->values[(ring->head + ring->length) % ring->capacity] = block->values[i];
      ring->length++;
    }
  if (skip > 0)
    ring->first_index = block->first_index + skip;

  g_array_append_val (ring->anchors.items, anchor);
  g_array_append_vals (ring->marks.items, block->marks, block->n_marks);
  ring_trim (ring);
}

/* The wall-clock time of sample @index, from the block it is in: between
 * two blocks' starts time runs evenly, so the next block's start gives
 * the pace; the newest block goes at its predecessor's, or at the rate */
static gint64
timestamp_of (const Ring *ring,
              guint64     index)
{
  guint n = queue_length (&ring->anchors);
  guint a = n - 1, from, to;
  const Anchor *here;
  double us_per_sample = G_USEC_PER_SEC / ring->fs_hz;

  /* a ring with samples has the anchor of their block */
  g_return_val_if_fail (n > 0, 0);
  while (a > 0 && anchor_at (ring, a)->first_index > index)
    a--;
  here = anchor_at (ring, a);
  from = a + 1 < n ? a : a > 0 ? a - 1 : a;
  to = a + 1 < n ? a + 1 : a;
  if (to > from && anchor_at (ring, to)->first_index > anchor_at (ring, from)->first_index)
    us_per_sample = (double) (anchor_at (ring, to)->t0_us - anchor_at (ring, from)->t0_us) /
                    (double) (anchor_at (ring, to)->first_index - anchor_at (ring, from)->first_index);
  return here->t0_us + (gint64) llround ((double) (index - here->first_index) * us_per_sample);
}

void
heart_waveform_history_clear (HeartWaveformHistory *self)
{
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    if (self->rings[c].fs_hz > 0)
      ring_reset (&self->rings[c], self->rings[c].fs_hz, self->seconds);
}

gboolean
heart_waveform_history_query (HeartWaveformHistory *self,
                              HeartChannelId        channel,
                              double                seconds,
                              GArray               *values,
                              GArray               *marks,
                              HeartWaveformBlock   *block)
{
  Ring *ring;
  guint n, skip;

  g_return_val_if_fail (channel < HEART_N_CHANNELS, FALSE);

  ring = &self->rings[channel];
  g_array_set_size (values, 0);
  g_array_set_size (marks, 0);
  if (ring->length == 0)
    return FALSE;

  n = (guint) MIN ((double) ring->length, MAX (1.0, round (seconds * ring->fs_hz)));
  skip = ring->length - n;
  for (guint i = skip; i < ring->length; i++)
    g_array_append_val (values, ring->values[(ring->head + i) % ring->capacity]);

  *block = (HeartWaveformBlock) {
    .channel = channel,
    .fs_hz = ring->fs_hz,
    .first_index = ring->first_index + skip,
    .values = (const float *) values->data,
    .n_values = n,
  };
  block->t0_s = block->first_index / ring->fs_hz;
  block->t0_us = timestamp_of (ring, block->first_index);
  /* a mark just before the first sample belongs with the samples before */
  for (guint i = 0; i < queue_length (&ring->marks); i++)
    {
      const HeartWaveformMark *mark = queue_peek (&ring->marks, i);

      if (mark->t_s >= block->t0_s)
        g_array_append_vals (marks, mark, 1);
    }
  block->marks = (const HeartWaveformMark *) marks->data;
  block->n_marks = marks->len;
  return TRUE;
}

HeartWaveformHistory *
heart_waveform_history_new (guint seconds)
{
  HeartWaveformHistory *self = g_new0 (HeartWaveformHistory, 1);

  g_return_val_if_fail (seconds > 0, NULL);

  self->seconds = seconds;
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      queue_init (&self->rings[c].anchors, sizeof (Anchor));
      queue_init (&self->rings[c].marks, sizeof (HeartWaveformMark));
    }
  return self;
}

void
heart_waveform_history_free (HeartWaveformHistory *self)
{
  for (HeartChannelId c = 0; c < HEART_N_CHANNELS; c++)
    {
      g_free (self->rings[c].values);
      g_array_unref (self->rings[c].anchors.items);
      g_array_unref (self->rings[c].marks.items);
    }
  g_free (self);
}
