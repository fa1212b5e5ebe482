/* heart-sweep-data.c: what the monitor sweep shows, kept from the source's
 * waveform blocks
 *
 * Each waveform is a ring of its last HEART_SWEEP_MAX_SECONDS of samples,
 * indexed by the channel's own sample index (sample k at k / fs s), so the
 * memory is bounded whatever runs for how long, and the sweep reads a
 * sample's time from its index. The ECG's beat marks (R peaks) give the
 * heart rate as a monitor counts it, from the trace it shows, and its
 * lead_off and lead_on marks whether the leads are off.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sweep-data.h"

#include <math.h>
#include <string.h>

/* 300 bpm over the longest sweep is 50 beats */
#define MAX_BEATS 64

typedef struct
{
  float   *values;      /* sample k at k % capacity */
  guint    capacity;
  double   fs_hz;
  guint64  end;         /* one past the last sample */
  guint    length;      /* samples kept, at most capacity */
} Ring;

struct _HeartSweepData
{
  Ring           rings[HEART_SWEEP_N_TRACES];
  HeartSweepBeat beats[MAX_BEATS];   /* oldest first */
  guint          n_beats;
  gboolean       leads_off;
};

HeartSweepData *
heart_sweep_data_new (void)
{
  return g_new0 (HeartSweepData, 1);
}

void
heart_sweep_data_free (HeartSweepData *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < HEART_SWEEP_N_TRACES; i++)
    g_free (self->rings[i].values);
  g_free (self);
}

static void
clear_beats (HeartSweepData *self)
{
  self->n_beats = 0;
  self->leads_off = FALSE;
}

void
heart_sweep_data_clear (HeartSweepData *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < HEART_SWEEP_N_TRACES; i++)
    self->rings[i].length = 0;
  clear_beats (self);
}

gboolean
heart_sweep_data_is_empty (HeartSweepData *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->rings[HEART_SWEEP_ECG].length == 0 && self->rings[HEART_SWEEP_PLETH].length == 0;
}

/* Ready for samples at @fs_hz from index @first on */
static void
ring_restart (Ring    *ring,
              double   fs_hz,
              guint64  first)
{
  guint capacity = (guint) ceil (HEART_SWEEP_MAX_SECONDS * fs_hz) + 1;

  if (capacity != ring->capacity)
    {
      g_free (ring->values);
      ring->values = g_new0 (float, capacity);
      ring->capacity = capacity;
    }
  ring->fs_hz = fs_hz;
  ring->end = first;
  ring->length = 0;
}

static void
ring_append (Ring        *ring,
             const float *values,
             guint        n_values)
{
  /* of a block longer than the ring, only its end is kept */
  guint skip = n_values > ring->capacity ? n_values - ring->capacity : 0;

  ring->end += skip;
  for (guint i = skip; i < n_values; i++)
    ring->values[ring->end++ % ring->capacity] = values[i];
  ring->length = (guint) MIN ((guint64) ring->length + (n_values - skip), ring->capacity);
}

static void
add_beat (HeartSweepData *self,
          double          t,
          char            code)
{
  if (self->n_beats == MAX_BEATS)
    {
      memmove (self->beats, self->beats + 1, (MAX_BEATS - 1) * sizeof self->beats[0]);
      self->n_beats--;
    }
  self->beats[self->n_beats++] = (HeartSweepBeat) { t, code };
}

static void
take_ecg_marks (HeartSweepData           *self,
                const HeartWaveformBlock *block)
{
  for (guint i = 0; i < block->n_marks; i++)
    {
      const char *code = block->marks[i].code;

      if (g_str_equal (code, "N") || g_str_equal (code, "V") || g_str_equal (code, "S"))
        add_beat (self, block->marks[i].t_s, code[0]);
      else if (g_str_equal (code, "lead_off"))
        self->leads_off = TRUE;
      else if (g_str_equal (code, "lead_on"))
        self->leads_off = FALSE;
    }
}

gboolean
heart_sweep_data_add_block (HeartSweepData           *self,
                            const HeartWaveformBlock *block)
{
  HeartSweepTrace trace;
  Ring *ring;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (block != NULL, FALSE);

  if (block->channel == HEART_CHANNEL_ECG)
    trace = HEART_SWEEP_ECG;
  else if (block->channel == HEART_CHANNEL_PPG)
    trace = HEART_SWEEP_PLETH;
  else
    return FALSE;
  if (!(block->fs_hz > 0))
    return FALSE;

  ring = &self->rings[trace];
  if (block->n_values > 0
      && (ring->length == 0 || ring->fs_hz != block->fs_hz || block->first_index != ring->end))
    {
      ring_restart (ring, block->fs_hz, block->first_index);
      if (trace == HEART_SWEEP_ECG)
        clear_beats (self);
    }
  ring_append (ring, block->values, block->n_values);
  if (trace == HEART_SWEEP_ECG)
    take_ecg_marks (self, block);
  return TRUE;
}

gboolean
heart_sweep_data_get_range (HeartSweepData  *self,
                            HeartSweepTrace  trace,
                            guint64         *first,
                            guint64         *end,
                            double          *fs_hz)
{
  Ring *ring;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (trace < HEART_SWEEP_N_TRACES, FALSE);

  ring = &self->rings[trace];
  if (ring->length == 0)
    return FALSE;
  *first = ring->end - ring->length;
  *end = ring->end;
  *fs_hz = ring->fs_hz;
  return TRUE;
}

float
heart_sweep_data_get_value (HeartSweepData  *self,
                            HeartSweepTrace  trace,
                            guint64          index)
{
  Ring *ring = &self->rings[trace];

  return ring->values[index % ring->capacity];
}

double
heart_sweep_data_get_end_time (HeartSweepData  *self,
                               HeartSweepTrace  trace)
{
  Ring *ring;

  g_return_val_if_fail (self != NULL, NAN);
  g_return_val_if_fail (trace < HEART_SWEEP_N_TRACES, NAN);

  ring = &self->rings[trace];
  return ring->length > 0 ? ring->end / ring->fs_hz : NAN;
}

const HeartSweepBeat *
heart_sweep_data_get_beats (HeartSweepData *self,
                            guint          *n_beats)
{
  g_return_val_if_fail (self != NULL, NULL);
  *n_beats = self->n_beats;
  return self->beats;
}

double
heart_sweep_data_get_heart_rate (HeartSweepData *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  if (self->n_beats < 2)
    return 0;
  n = MIN (self->n_beats - 1, HEART_SWEEP_HR_BEATS);
  return 60.0 * n / (self->beats[self->n_beats - 1].t - self->beats[self->n_beats - 1 - n].t);
}

char
heart_sweep_data_get_last_beat (HeartSweepData *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_beats > 0 ? self->beats[self->n_beats - 1].code : 0;
}

gboolean
heart_sweep_data_get_leads_off (HeartSweepData *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->leads_off;
}
