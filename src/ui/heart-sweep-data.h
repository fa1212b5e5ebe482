/* heart-sweep-data.h: what the monitor sweep shows, kept from the source's
 * waveform blocks (GLib only, no GTK)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-waveform.h"

G_BEGIN_DECLS

/* The longest sweep kept: the rings hold this much of each waveform */
#define HEART_SWEEP_MAX_SECONDS 10.0
/* The heart rate is the mean of up to this many RR intervals, as a
 * monitor's (docs/desktop.md, "The monitor trace") */
#define HEART_SWEEP_HR_BEATS 4

typedef enum {
  HEART_SWEEP_ECG,
  HEART_SWEEP_PLETH,
  HEART_SWEEP_N_TRACES
} HeartSweepTrace;

/* A beat at the ECG's R peak: its time and code ('N', 'V' or 'S') */
typedef struct
{
  double t;
  char   code;
} HeartSweepBeat;

typedef struct _HeartSweepData HeartSweepData;

HeartSweepData *heart_sweep_data_new            (void);
void            heart_sweep_data_free           (HeartSweepData *self);
/* Forget everything (another source, a jump in time) */
void            heart_sweep_data_clear          (HeartSweepData *self);
/* Takes a block of the ECG or the PPG (FALSE for other channels); a block
 * that does not follow on from the last one of its channel (another
 * source, a seek, another rate) starts that channel afresh */
gboolean        heart_sweep_data_add_block      (HeartSweepData *self,
                                                 const HeartWaveformBlock *block);
gboolean        heart_sweep_data_is_empty       (HeartSweepData *self);

/* A trace's samples: indices [*first, *end) of the channel at *fs_hz;
 * FALSE when it has none */
gboolean        heart_sweep_data_get_range      (HeartSweepData *self,
                                                 HeartSweepTrace trace,
                                                 guint64 *first,
                                                 guint64 *end,
                                                 double *fs_hz);
/* Sample @index, which must be in the range above */
float           heart_sweep_data_get_value      (HeartSweepData *self,
                                                 HeartSweepTrace trace,
                                                 guint64 index);
/* The time just after a trace's last sample (where the sweep writes),
 * NAN with none */
double          heart_sweep_data_get_end_time   (HeartSweepData *self,
                                                 HeartSweepTrace trace);

/* The ECG's beats kept, oldest first */
const HeartSweepBeat *heart_sweep_data_get_beats (HeartSweepData *self,
                                                  guint *n_beats);
/* 60 × n / the time the last n RR intervals took, n up to
 * HEART_SWEEP_HR_BEATS; 0 before two beats */
double          heart_sweep_data_get_heart_rate (HeartSweepData *self);
/* 'N', 'V', 'S', or 0 before any beat */
char            heart_sweep_data_get_last_beat  (HeartSweepData *self);
/* Between a "lead_off" mark and its "lead_on" */
gboolean        heart_sweep_data_get_leads_off  (HeartSweepData *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeartSweepData, heart_sweep_data_free)

G_END_DECLS
