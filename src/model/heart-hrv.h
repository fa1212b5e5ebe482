/* heart-hrv.h: time- and frequency-domain heart-rate-variability measures
 *
 * The measures of the Task Force of the ESC/NASPE (1996) over a window of
 * beats: SDNN, RMSSD, and LF/HF from a Welch spectrum of the RR series
 * resampled at 4 Hz. Used by the realism tests, the benchmarks and anyone who
 * wants to check a dataset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEART_HRV_RESAMPLE_HZ 4.0
#define HEART_HRV_SEGMENT     256   /* 64 s at 4 Hz: 0.0156 Hz resolution */
#define HEART_HRV_LF_LOW_HZ   0.04
#define HEART_HRV_LF_HIGH_HZ  0.15
#define HEART_HRV_HF_HIGH_HZ  0.40

typedef struct _HeartHrvStats
{
  double   mean_rr_ms;
  double   mean_bpm;
  double   sdnn_ms;
  double   rmssd_ms;
  double   lf_power_ms2;
  double   hf_power_ms2;
  double   lf_hf;
  double   lf_peak_hz;     /* 0 when the band has no local maximum */
  double   hf_peak_hz;
  gboolean peaks_distinct; /* both peaks exist and a clear valley parts them */
} HeartHrvStats;

double   heart_hrv_rmssd   (const double *rr_ms,
                            gsize n);
double   heart_hrv_sdnn    (const double *rr_ms,
                            gsize n);
/* @beat_t_s: times of the beats in seconds, increasing; @rr_ms their RR.
 * FALSE when the window is too short for one spectral segment. */
gboolean heart_hrv_analyse (const double *beat_t_s,
                            const double *rr_ms,
                            gsize n,
                            HeartHrvStats *stats);

G_END_DECLS
