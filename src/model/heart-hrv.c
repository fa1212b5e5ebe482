/* heart-hrv.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-hrv.h"

#include <math.h>

double
heart_hrv_rmssd (const double *rr_ms,
                 gsize         n)
{
  double sum = 0;

  if (n < 2)
    return 0;
  for (gsize i = 1; i < n; i++)
    {
      double diff = rr_ms[i] - rr_ms[i - 1];
      sum += diff * diff;
    }
  return sqrt (sum / (n - 1));
}

static double
mean (const double *values,
      gsize         n)
{
  double sum = 0;

  for (gsize i = 0; i < n; i++)
    sum += values[i];
  return n > 0 ? sum / n : 0;
}

double
heart_hrv_sdnn (const double *rr_ms,
                gsize         n)
{
  double m = mean (rr_ms, n), sum = 0;

  if (n < 2)
    return 0;
  for (gsize i = 0; i < n; i++)
    sum += (rr_ms[i] - m) * (rr_ms[i] - m);
  return sqrt (sum / (n - 1));
}

/* In-place iterative radix-2 FFT; @n is a power of two */
static void
fft (double *re,
     double *im,
     gsize   n)
{
  for (gsize i = 1, j = 0; i < n; i++)
    {
      gsize bit = n >> 1;

      for (; j & bit; bit >>= 1)
        j ^= bit;
      j ^= bit;
      if (i < j)
        {
          double tr = re[i], ti = im[i];
          re[i] = re[j], im[i] = im[j];
          re[j] = tr, im[j] = ti;
        }
    }

  for (gsize len = 2; len <= n; len <<= 1)
    {
      double angle = -2 * G_PI / len;

      for (gsize i = 0; i < n; i += len)
        for (gsize k = 0; k < len / 2; k++)
          {
            double wr = cos (angle * k), wi = sin (angle * k);
            gsize a = i + k, b = i + k + len / 2;
            double xr = re[b] * wr - im[b] * wi;
            double xi = re[b] * wi + im[b] * wr;

            re[b] = re[a] - xr, im[b] = im[a] - xi;
            re[a] += xr, im[a] += xi;
          }
    }
}

/* RR as a function of time, linearly interpolated at @fs from the first beat */
static double *
resample (const double *beat_t_s,
          const double *rr_ms,
          gsize         n,
          double        fs,
          gsize        *n_out)
{
  gsize count = (gsize) floor ((beat_t_s[n - 1] - beat_t_s[0]) * fs) + 1;
  double *out = g_new (double, count);
  gsize j = 0;

  for (gsize i = 0; i < count; i++)
    {
      double t = beat_t_s[0] + i / fs;

      while (j + 2 < n && beat_t_s[j + 1] < t)
        j++;
      if (j + 1 < n && beat_t_s[j + 1] > beat_t_s[j])
        {
          double f = (t - beat_t_s[j]) / (beat_t_s[j + 1] - beat_t_s[j]);
          out[i] = rr_ms[j] + CLAMP (f, 0.0, 1.0) * (rr_ms[j + 1] - rr_ms[j]);
        }
      else
        out[i] = rr_ms[j];
    }
  *n_out = count;
  return out;
}

static void
detrend_linear (double *x,
                gsize   n)
{
  double mt = (n - 1) / 2.0, mx = mean (x, n), num = 0, den = 0, slope;

  for (gsize i = 0; i < n; i++)
    {
      num += (i - mt) * (x[i] - mx);
      den += (i - mt) * (i - mt);
    }
  slope = den > 0 ? num / den : 0;
  for (gsize i = 0; i < n; i++)
    x[i] -= mx + slope * (i - mt);
}

/* One-sided power spectral density in ms²/Hz, Hann window, 50 % overlap */
static void
welch (const double *x,
       gsize         n,
       double        fs,
       double       *psd)
{
  double re[HEART_HRV_SEGMENT], im[HEART_HRV_SEGMENT], window[HEART_HRV_SEGMENT];
  double window_power = 0;
  gsize segments = 0;

  for (gsize i = 0; i < HEART_HRV_SEGMENT; i++)
    {
      window[i] = 0.5 - 0.5 * cos (2 * G_PI * i / HEART_HRV_SEGMENT);
      window_power += window[i] * window[i];
    }
  for (gsize i = 0; i <= HEART_HRV_SEGMENT / 2; i++)
    psd[i] = 0;

  for (gsize start = 0; start + HEART_HRV_SEGMENT <= n; start += HEART_HRV_SEGMENT / 2)
    {
      double seg_mean = mean (x + start, HEART_HRV_SEGMENT);

      for (gsize i = 0; i < HEART_HRV_SEGMENT; i++)
        {
          re[i] = (x[start + i] - seg_mean) * window[i];
          im[i] = 0;
        }
      fft (re, im, HEART_HRV_SEGMENT);
      for (gsize k = 0; k <= HEART_HRV_SEGMENT / 2; k++)
        {
          double p = (re[k] * re[k] + im[k] * im[k]) / (fs * window_power);
          psd[k] += (k == 0 || k == HEART_HRV_SEGMENT / 2) ? p : 2 * p;
        }
      segments++;
    }
  for (gsize k = 0; k <= HEART_HRV_SEGMENT / 2; k++)
    psd[k] /= segments;
}

/* The highest local maximum strictly inside [low, high], or -1 */
static int
band_peak (const double *psd,
           double        df,
           double        low,
           double        high)
{
  int best = -1;

  for (int k = 1; k < HEART_HRV_SEGMENT / 2; k++)
    {
      double f = k * df;

      if (f < low || f > high)
        continue;
      if (psd[k] > psd[k - 1] && psd[k] > psd[k + 1] && (best < 0 || psd[k] > psd[best]))
        best = k;
    }
  return best;
}

static double
band_power (const double *psd,
            double        df,
            double        low,
            double        high)
{
  double sum = 0;

  for (int k = 0; k <= HEART_HRV_SEGMENT / 2; k++)
    if (k * df >= low && k * df < high)
      sum += psd[k] * df;
  return sum;
}

gboolean
heart_hrv_analyse (const double  *beat_t_s,
                   const double  *rr_ms,
                   gsize          n,
                   HeartHrvStats *stats)
{
  const double fs = HEART_HRV_RESAMPLE_HZ;
  const double df = fs / HEART_HRV_SEGMENT;
  double psd[HEART_HRV_SEGMENT / 2 + 1];
  g_autofree double *series = NULL;
  gsize n_series;
  int lf_peak, hf_peak;

  g_return_val_if_fail (stats != NULL, FALSE);

  *stats = (HeartHrvStats) { 0 };
  if (n < 2 || (beat_t_s[n - 1] - beat_t_s[0]) * fs < HEART_HRV_SEGMENT)
    return FALSE;

  stats->mean_rr_ms = mean (rr_ms, n);
  stats->mean_bpm = 60000.0 / stats->mean_rr_ms;
  stats->sdnn_ms = heart_hrv_sdnn (rr_ms, n);
  stats->rmssd_ms = heart_hrv_rmssd (rr_ms, n);

  series = resample (beat_t_s, rr_ms, n, fs, &n_series);
  detrend_linear (series, n_series);
  welch (series, n_series, fs, psd);

  stats->lf_power_ms2 = band_power (psd, df, HEART_HRV_LF_LOW_HZ, HEART_HRV_LF_HIGH_HZ);
  stats->hf_power_ms2 = band_power (psd, df, HEART_HRV_LF_HIGH_HZ, HEART_HRV_HF_HIGH_HZ);
  stats->lf_hf = stats->hf_power_ms2 > 0 ? stats->lf_power_ms2 / stats->hf_power_ms2 : 0;

  lf_peak = band_peak (psd, df, HEART_HRV_LF_LOW_HZ, HEART_HRV_LF_HIGH_HZ);
  hf_peak = band_peak (psd, df, HEART_HRV_LF_HIGH_HZ, HEART_HRV_HF_HIGH_HZ);
  stats->lf_peak_hz = lf_peak >= 0 ? lf_peak * df : 0;
  stats->hf_peak_hz = hf_peak >= 0 ? hf_peak * df : 0;
  if (lf_peak >= 0 && hf_peak > lf_peak)
    {
      double valley = psd[lf_peak];

      for (int k = lf_peak; k <= hf_peak; k++)
        valley = MIN (valley, psd[k]);
      stats->peaks_distinct = valley < 0.5 * MIN (psd[lf_peak], psd[hf_peak]);
    }
  return TRUE;
}
