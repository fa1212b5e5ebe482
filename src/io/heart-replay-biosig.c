/* heart-replay-biosig.c: EDF, BDF, GDF and WFDB recordings, read through
 * libbiosig
 *
 * Beats come from the file's beat annotations when it has any; otherwise
 * from R peaks found in one ECG channel, read ten seconds at a time. The
 * player makes samples of the beats on its grid, as for a CSV of RR
 * intervals. docs/replay.md, "EDF, BDF, GDF and WFDB".
 *
 * libbiosig, and what it brings (DCMTK, ICU, the C++ runtime: about 5 MB
 * resident in every process that links it), is loaded with the first
 * recording to read, not at start-up; most runs never read one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-replay-private.h"

#include <biosig.h>
#include <errno.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* signal read at a time: bounded memory whatever the file's length */
#define READ_S              10.0
/* the detector (docs/replay.md, "R peaks"): a difference over 20 ms is a
 * band-pass peaking at 25 Hz, with zeros at 0 and 50 Hz; QRS energy is
 * integrated over 150 ms, about a QRS complex's width */
#define DIFF_S              0.020
#define INTEGRATE_S         0.150
#define LEARN_S             2.0
#define REFRACTORY_S        0.200
#define THRESHOLD_FRACTION  0.25
#define LEVEL_WEIGHT        0.125
/* as for CSVs (docs/replay.md) */
#define RR_MIN_MS           200.0
#define RR_MAX_MS           3000.0
/* an EDF/BDF header's limits, checked before libbiosig sees it */
#define EDF_SIGNALS_MAX     4096
#define EDF_SPR_MAX         10000000
/* libbiosig's opening takes time in the records the header declares:
 * a cut file plays up to its cut, a header that lies by more is refused */
#define EDF_RECORDS_SLACK   100000
/* days from 0000-01-01, biosig's epoch, to 1970-01-01 */
#define GDF_UNIX_EPOCH_DAYS 719529.0

/* The functions of libbiosig this file calls */
typedef struct
{
  __typeof__ (&sopen)             sopen;
  __typeof__ (&sread)             sread;
  __typeof__ (&sclose)            sclose;
  __typeof__ (&destructHDR)       destructHDR;
  __typeof__ (&sort_eventtable)   sort_eventtable;
  __typeof__ (&GetFileTypeString) GetFileTypeString;
} BiosigApi;

typedef struct
{
  BiosigApi api;
  char     *error;      /* why it could not be loaded, or NULL */
} BiosigLibrary;

/* A Pan–Tompkins-style QRS detector, one sample at a time */
typedef struct
{
  double   fs;
  guint    lag;             /* of the difference, samples */
  guint    width;           /* of the integration, samples */
  guint    refractory;
  double  *raw;             /* the last lag + 1 samples */
  double  *energy;          /* the last width squared differences */
  double   energy_sum;
  guint64  n;
  /* learning */
  double   learn_max;
  double   learn_sum;
  guint64  learn_n;
  /* adaptive levels: of QRS peaks and of noise peaks */
  double   signal_level;
  double   noise_level;
  gboolean in_peak;
  double   peak_max;
  guint64  peak_at;
  /* the energy's centre in a peak: Σ e·n and Σ e */
  double   moment;
  double   mass;
  double   last_energy;
  double   noise_max;
  guint64  peak_end;        /* where the last peak fell below the threshold */
  double   previous_m;
  gboolean rising;
  gboolean have_beat;
  guint64  last_beat;
} Detector;

struct _HeartReplayBiosig
{
  const BiosigApi *api;
  HDRTYPE  *hdr;
  gboolean  from_events;
  guint32   event;          /* the next event to look at */
  double    event_rate;
  int       ecg;            /* channel, from 0 */
  double    fs;             /* of the data sread returns */
  gsize     blocks_per_read;
  gsize     next_block;
  gboolean  ended;
  Detector  detector;
  GArray   *beats;          /* found in the last read, s from the start */
  guint     next_beat;
  gboolean  have_previous;
  double    previous_s;     /* the beat before */
  gint64    t0_us;          /* the file's start, or 0 */
};

/* ---------------------------------------------------------------- the detector */

static void
detector_restart_filters (Detector *d)
{
  memset (d->raw, 0, (d->lag + 1) * sizeof (double));
  memset (d->energy, 0, d->width * sizeof (double));
  d->energy_sum = 0;
  d->n = 0;
}

static void
detector_init (Detector *d,
               double    fs)
{
  d->fs = fs;
  d->lag = MAX (1, (guint) lround (DIFF_S * fs));
  d->width = MAX (1, (guint) lround (INTEGRATE_S * fs));
  d->refractory = (guint) lround (REFRACTORY_S * fs);
  d->raw = g_new0 (double, d->lag + 1);
  d->energy = g_new0 (double, d->width);
}

static void
detector_reset (Detector *d)
{
  detector_restart_filters (d);
  d->learn_max = d->learn_sum = 0;
  d->learn_n = 0;
  d->signal_level = d->noise_level = 0;
  d->in_peak = FALSE;
  d->peak_max = d->noise_max = 0;
  d->peak_end = 0;
  d->previous_m = 0;
  d->rising = FALSE;
  d->have_beat = FALSE;
}

static void
detector_clear (Detector *d)
{
  g_clear_pointer (&d->raw, g_free);
  g_clear_pointer (&d->energy, g_free);
}

/* The integrated energy of the QRS band at sample d->n */
static double
detector_filter (Detector *d,
                 double    x)
{
  double diff, e;

  if (!isfinite (x))
    x = 0;
  d->raw[d->n % (d->lag + 1)] = x;
  /* until there are lag samples, no difference: the start is not a step */
  diff = d->n >= d->lag ? x - d->raw[(d->n - d->lag) % (d->lag + 1)] : 0;
  e = diff * diff;
  d->energy_sum += e - d->energy[d->n % d->width];
  d->energy[d->n % d->width] = e;
  d->last_energy = e;
  d->n++;
  return MAX (d->energy_sum, 0) / d->width;
}

static double
detector_threshold (Detector *d)
{
  return d->noise_level + THRESHOLD_FRACTION * (d->signal_level - d->noise_level);
}

/* Feeds one sample; TRUE with *beat (its sample) when a QRS complex ends */
static gboolean
detector_feed (Detector *d,
               double    x,
               guint64  *beat)
{
  double m = detector_filter (d, x);
  double threshold = detector_threshold (d);
  /* a noise peak is a local maximum: not the rise to a QRS complex */
  gboolean local_max = d->rising && m < d->previous_m;

  d->rising = m > d->previous_m || (d->rising && m == d->previous_m);
  d->previous_m = m;

  if (!d->in_peak)
    {
      if (m > threshold && d->signal_level > 0)
        {
          d->in_peak = TRUE;
          d->peak_max = m;
          d->peak_at = d->n - 1;
          /* the window's energy is the start of the complex's */
          d->moment = d->mass = 0;
          for (guint k = 0; k < d->width && k < d->n; k++)
            {
              guint64 at = d->n - 1 - k;
              double e = d->energy[at % d->width];

              d->moment += e * (double) at;
              d->mass += e;
            }
          d->noise_level = LEVEL_WEIGHT * d->noise_max + (1 - LEVEL_WEIGHT) * d->noise_level;
          d->noise_max = 0;
        }
      else if (local_max && d->n - 1 >= d->peak_end + d->width)
        /* noise, not the tail of the last peak, which lasts a window */
        d->noise_max = MAX (d->noise_max, m);
      return FALSE;
    }
  if (m > d->peak_max)
    {
      d->peak_max = m;
      d->peak_at = d->n - 1;
    }
  d->moment += d->last_energy * (double) (d->n - 1);
  d->mass += d->last_energy;
  if (m > threshold)
    return FALSE;

  d->in_peak = FALSE;
  d->peak_end = d->n - 1;
  if (d->have_beat && d->peak_at - d->last_beat < d->refractory)
    {
      /* too soon after a beat for another: a T wave or noise */
      d->noise_level = LEVEL_WEIGHT * d->peak_max + (1 - LEVEL_WEIGHT) * d->noise_level;
      return FALSE;
    }
  d->signal_level = LEVEL_WEIGHT * d->peak_max + (1 - LEVEL_WEIGHT) * d->signal_level;
  d->have_beat = TRUE;
  d->last_beat = d->peak_at;
  /* the integrated energy is flat over most of the window: the R wave is
   * the centre of the complex's energy, less half the difference's lag
   * (the slopes either side of R weigh alike) */
  {
    double centre = d->mass > 0 ? d->moment / d->mass : (double) d->peak_at;

    *beat = (guint64) MAX (0, llround (centre - d->lag / 2.0));
  }
  return TRUE;
}

/* The first seconds set the levels: the largest energy is a QRS complex's,
 * the mean is the noise's */
static void
detector_learn (Detector     *d,
                const double *x,
                gsize         n)
{
  gsize learn = MIN (n, (gsize) (LEARN_S * d->fs));

  for (gsize i = 0; i < learn; i++)
    {
      double m = detector_filter (d, x[i]);

      d->learn_max = MAX (d->learn_max, m);
      d->learn_sum += m;
      d->learn_n++;
    }
  d->signal_level = d->learn_max;
  d->noise_level = d->learn_n > 0 ? d->learn_sum / d->learn_n : 0;
  detector_restart_filters (d);
}

/* ---------------------------------------------------------------- reading */

/* A WFDB beat code's type: premature ventricular (5), premature atrial,
 * aberrated atrial, nodal and supraventricular (8, 4, 7, 9), or sinus */
static HeartBeatType
mit_beat_type (guint16 code)
{
  switch (code)
    {
    case 5: return HEART_BEAT_VENTRICULAR;
    case 4: case 7: case 8: case 9: return HEART_BEAT_SUPRAVENTRICULAR;
    default: return HEART_BEAT_NORMAL;
    }
}

/* The type of the beat event @i is, or 0 when it is no beat */
static HeartBeatType
beat_event_type (HDRTYPE *hdr,
                 guint32  i)
{
  static const struct { const char *name; HeartBeatType type; } names[] = {
    { "n", HEART_BEAT_NORMAL }, { "qrs", HEART_BEAT_NORMAL }, { "r", HEART_BEAT_NORMAL },
    { "beat", HEART_BEAT_NORMAL }, { "normal", HEART_BEAT_NORMAL }, { "normal beat", HEART_BEAT_NORMAL },
    { "r peak", HEART_BEAT_NORMAL }, { "r-peak", HEART_BEAT_NORMAL }, { "r wave", HEART_BEAT_NORMAL },
    { "r-wave", HEART_BEAT_NORMAL }, { "heartbeat", HEART_BEAT_NORMAL },
    /* our own EDF+ beat labels (docs/datasets.md) and their common names */
    { "v", HEART_BEAT_VENTRICULAR }, { "pvc", HEART_BEAT_VENTRICULAR },
    { "s", HEART_BEAT_SUPRAVENTRICULAR }, { "a", HEART_BEAT_SUPRAVENTRICULAR },
    { "pac", HEART_BEAT_SUPRAVENTRICULAR }, { "svpb", HEART_BEAT_SUPRAVENTRICULAR },
  };
  guint16 typ = hdr->EVENT.TYP[i];
  const char *desc;
  g_autofree char *lower = NULL;

  /* biosig's event table: QRS fiducial point and R point */
  if (typ == 0x0501 || typ == 0x0504)
    return HEART_BEAT_NORMAL;
  /* a WFDB annotation file's codes, as libbiosig keeps them: the beat
   * codes of WFDB's ecgcodes.h (normal, bundle branch block, aberrated,
   * ventricular, fusion, nodal, atrial, supraventricular, escape, paced,
   * unclassified beats) */
  if (hdr->TYPE == MIT)
    return (typ >= 1 && typ <= 13) || typ == 25 || typ == 34 || typ == 35 || typ == 38 || typ == 41
           ? mit_beat_type (typ) : 0;
  /* free text: an EDF+ annotation's */
  if (typ >= 256 || hdr->EVENT.CodeDesc == NULL || typ >= hdr->EVENT.LenCodeDesc)
    return 0;
  desc = hdr->EVENT.CodeDesc[typ];
  if (desc == NULL)
    return 0;
  lower = g_strstrip (g_ascii_strdown (desc, -1));
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    if (strcmp (lower, names[k].name) == 0)
      return names[k].type;
  return 0;
}

static gboolean
is_ecg_label (const char *label)
{
  g_autofree char *lower = g_strstrip (g_ascii_strdown (label, -1));

  return strstr (lower, "ecg") != NULL || strstr (lower, "ekg") != NULL
         || strcmp (lower, "ii") == 0 || strcmp (lower, "mlii") == 0;
}

/* Reads the next READ_S of the ECG channel into the detector */
static HeartReplayRead
read_signal (HeartReplay  *self,
             GError      **error)
{
  HeartReplayBiosig *b = self->biosig;
  HDRTYPE *hdr = b->hdr;
  gsize want = b->blocks_per_read, got, n;
  const double *x;

  if (hdr->NRec >= 0)
    {
      if (b->next_block >= (gsize) hdr->NRec)
        return HEART_REPLAY_READ_END;
      want = MIN (want, (gsize) hdr->NRec - b->next_block);
    }
  got = b->api->sread (NULL, b->next_block, want, hdr);
  if (got == 0 || hdr->data.block == NULL)
    {
      if (hdr->NRec < 0)
        return HEART_REPLAY_READ_END;
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE,
                   "%s: cut short: record %" G_GSIZE_FORMAT " of %ld cannot be read",
                   self->name, b->next_block + 1, (long) hdr->NRec);
      return HEART_REPLAY_READ_FAILED;
    }
  /* one channel on: column-based or not, its samples follow each other */
  x = hdr->data.block;
  n = hdr->FLAG.ROW_BASED_CHANNELS ? hdr->data.size[1] : hdr->data.size[0];
  n = MIN (n, got * hdr->SPR);
  if (b->next_block == 0)
    detector_learn (&b->detector, x, n);
  b->next_block += got;

  g_array_set_size (b->beats, 0);
  b->next_beat = 0;
  for (gsize i = 0; i < n; i++)
    {
      guint64 at;

      if (detector_feed (&b->detector, x[i], &at))
        {
          double s = at / b->fs;

          g_array_append_val (b->beats, s);
        }
    }
  return HEART_REPLAY_READ_ITEM;
}

/* The time of the next beat in the file, s from its start, and its type */
static HeartReplayRead
next_beat (HeartReplay    *self,
           double         *s,
           HeartBeatType  *type,
           GError        **error)
{
  HeartReplayBiosig *b = self->biosig;
  HDRTYPE *hdr = b->hdr;

  if (b->from_events)
    {
      for (; b->event < hdr->EVENT.N; b->event++)
        if ((*type = beat_event_type (hdr, b->event)) != 0)
          {
            *s = hdr->EVENT.POS[b->event++] / b->event_rate;
            return HEART_REPLAY_READ_ITEM;
          }
      return HEART_REPLAY_READ_END;
    }
  while (b->next_beat >= b->beats->len)
    {
      HeartReplayRead status;

      if (b->ended)
        return HEART_REPLAY_READ_END;
      status = read_signal (self, error);
      if (status != HEART_REPLAY_READ_ITEM)
        {
          b->ended = TRUE;
          return status;
        }
    }
  *s = g_array_index (b->beats, double, b->next_beat++);
  *type = HEART_BEAT_NORMAL;
  return HEART_REPLAY_READ_ITEM;
}

static HeartReplayRead
biosig_read (HeartReplay      *self,
             HeartReplayItem  *item,
             GError          **error)
{
  HeartReplayBiosig *b = self->biosig;

  for (;;)
    {
      double s = 0, rr_ms;
      HeartBeatType type = HEART_BEAT_NORMAL;
      HeartReplayRead status = next_beat (self, &s, &type, error);

      if (status != HEART_REPLAY_READ_ITEM)
        return status;
      if (!b->have_previous)
        {
          b->have_previous = TRUE;
          b->previous_s = s;
          continue;
        }
      rr_ms = (s - b->previous_s) * 1000.0;
      if (rr_ms <= 0)
        continue;   /* two annotations of one beat */
      b->previous_s = s;
      if (rr_ms < RR_MIN_MS || rr_ms > RR_MAX_MS)
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_LINE,
                       "%s: beat at %.3f s: an RR interval of %.0f ms is not from %.0f to %.0f ms",
                       self->name, s, rr_ms, RR_MIN_MS, RR_MAX_MS);
          return HEART_REPLAY_READ_MALFORMED;
        }
      if (!self->have_first)
        {
          self->have_first = TRUE;
          self->first_raw = s;
          self->first_wall_us = b->t0_us != 0 ? b->t0_us + (gint64) llround (s * G_USEC_PER_SEC) : 0;
        }
      _heart_replay_item_clear (item);
      item->kind = HEART_REPLAY_ITEM_BEAT;
      item->t = s - self->first_raw;
      item->wall_us = b->t0_us != 0 ? b->t0_us + (gint64) llround (s * G_USEC_PER_SEC) : 0;
      item->beat.rr_ms = rr_ms;
      item->beat.stress_level = NAN;
      item->beat.type = type;
      return HEART_REPLAY_READ_ITEM;
    }
}

static void
biosig_rewind (HeartReplay *self)
{
  HeartReplayBiosig *b = self->biosig;

  b->event = 0;
  b->next_block = 0;
  b->ended = FALSE;
  g_array_set_size (b->beats, 0);
  b->next_beat = 0;
  b->have_previous = FALSE;
  if (!b->from_events)
    detector_reset (&b->detector);
}

static const HeartReplayReader biosig_reader = {
  .read = biosig_read,
  .rewind = biosig_rewind,
  .grid = TRUE,
};

void
_heart_replay_biosig_free (HeartReplayBiosig *b)
{
  if (b->hdr != NULL)
    {
      b->api->sclose (b->hdr);
      b->api->destructHDR (b->hdr);
    }
  detector_clear (&b->detector);
  g_clear_pointer (&b->beats, g_array_unref);
  g_free (b);
}

/* The ECG channel: --columns ecg=N, or the first whose label says ECG */
static gboolean
choose_channel (HeartReplay  *self,
                int          *ecg,
                GError      **error)
{
  HDRTYPE *hdr = self->biosig->hdr;

  *ecg = -1;
  if (self->columns_override != NULL)
    {
      const char *spec = self->columns_override;
      guint64 n = 0;

      if (!g_str_has_prefix (spec, "ecg=")
          || !g_ascii_string_to_unsigned (spec + 4, 10, 1, hdr->NS, &n, NULL))
        {
          g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                       "cannot replay %s: --columns for this file is ecg=N, N a channel from 1 to %u",
                       self->name, (guint) hdr->NS);
          return FALSE;
        }
      *ecg = (int) n - 1;
      return TRUE;
    }
  for (int k = 0; k < hdr->NS; k++)
    if (is_ecg_label (hdr->CHANNEL[k].Label))
      {
        *ecg = k;
        break;
      }
  return TRUE;
}

/* The text of an EDF header field, spaces taken off */
static char *
edf_field (const guint8 *header,
           gsize         offset,
           gsize         length)
{
  return g_strstrip (g_strndup ((const char *) header + offset, length));
}

static gboolean
edf_integer (const guint8 *header,
             gsize         offset,
             gsize         length,
             gint64        min,
             gint64        max,
             gint64       *value)
{
  g_autofree char *text = edf_field (header, offset, length);

  return g_ascii_string_to_signed (text, 10, min, max, value, NULL);
}

static gboolean
edf_number (const guint8 *header,
            gsize         offset,
            gsize         length,
            double       *value)
{
  g_autofree char *text = edf_field (header, offset, length);
  char *end = NULL;

  *value = g_ascii_strtod (text, &end);
  return text[0] != '\0' && end != NULL && *end == '\0' && isfinite (*value);
}

/* libbiosig trusts an EDF or BDF header: a bad number of signals or
 * samples crashes it, a huge number of records holds it up. So the fixed
 * header and the signals' are checked here first (docs/replay.md, "EDF,
 * BDF, GDF and WFDB"); NULL when the file is not EDF or BDF, or is fine */
static char *
edf_header_problem (int fd)
{
  guint8 fixed[256];
  g_autofree guint8 *signals = NULL;
  struct stat st;
  gint64 header_bytes, records, ns;
  double duration;
  gsize record_bytes = 0, width;
  gssize got = pread (fd, fixed, sizeof fixed, 0);

  if (got < 8)
    return NULL;
  if (memcmp (fixed, "0       ", 8) == 0)
    width = 2;
  else if (memcmp (fixed, "\xff" "BIOSEMI", 8) == 0)
    width = 3;
  else
    return NULL;
  /* libbiosig reads past the end of a cut fixed header */
  if (got != (gssize) sizeof fixed)
    return g_strdup ("it is shorter than its header");
  if (fstat (fd, &st) != 0)
    return g_strdup (g_strerror (errno));
  if (!edf_integer (fixed, 252, 4, 1, EDF_SIGNALS_MAX, &ns))
    return g_strdup ("its number of signals is not a number from 1 to 4096");
  if (!edf_integer (fixed, 184, 8, 0, G_MAXINT32, &header_bytes) || header_bytes != 256 * (ns + 1))
    return g_strdup ("its header length is not 256 bytes for each signal and one more");
  if (st.st_size < header_bytes)
    return g_strdup ("it is shorter than its header");
  if (!edf_integer (fixed, 236, 8, -1, G_MAXINT32, &records))
    return g_strdup ("its number of records is not a number");
  if (!edf_number (fixed, 244, 8, &duration) || duration < 0)
    return g_strdup ("its record duration is not a number");

  signals = g_malloc (256 * ns);
  if (pread (fd, signals, 256 * ns, 256) != (gssize) (256 * ns))
    return g_strdup ("it is shorter than its header");
  for (gint64 k = 0; k < ns; k++)
    {
      gint64 spr, digital_min, digital_max;
      double physical_min, physical_max;

      /* the fields of each kind follow each other, one per signal */
      if (!edf_number (signals, 104 * ns + 8 * k, 8, &physical_min)
          || !edf_number (signals, 112 * ns + 8 * k, 8, &physical_max)
          || !edf_integer (signals, 120 * ns + 8 * k, 8, G_MININT32, G_MAXINT32, &digital_min)
          || !edf_integer (signals, 128 * ns + 8 * k, 8, G_MININT32, G_MAXINT32, &digital_max)
          || digital_min >= digital_max)
        return g_strdup_printf ("signal %" G_GINT64_FORMAT " has no usable range", k + 1);
      if (!edf_integer (signals, 216 * ns + 8 * k, 8, 1, EDF_SPR_MAX, &spr))
        return g_strdup_printf ("signal %" G_GINT64_FORMAT " has no number of samples per record", k + 1);
      record_bytes += (gsize) spr * width;
    }
  if (records > 0 && record_bytes > 0
      && (guint64) records > (guint64) (st.st_size - header_bytes) / record_bytes + EDF_RECORDS_SLACK)
    return g_strdup_printf ("its header says %" G_GINT64_FORMAT " records, the file holds %" G_GUINT64_FORMAT,
                            records, (guint64) (st.st_size - header_bytes) / record_bytes);
  return NULL;
}

/* Loaded once for the process, and kept: a library's code must outlive
 * every header it made (BIOSIG_LIBRARY is its soname, from meson.build) */
static gpointer
load_library (gpointer data)
{
  BiosigLibrary *library = data;
  GModule *module = g_module_open (BIOSIG_LIBRARY, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  const struct { const char *name; gpointer *slot; } symbols[] = {
    { "sopen", (gpointer *) &library->api.sopen },
    { "sread", (gpointer *) &library->api.sread },
    { "sclose", (gpointer *) &library->api.sclose },
    { "destructHDR", (gpointer *) &library->api.destructHDR },
    { "sort_eventtable", (gpointer *) &library->api.sort_eventtable },
    { "GetFileTypeString", (gpointer *) &library->api.GetFileTypeString },
  };

  if (module == NULL)
    {
      library->error = g_strdup (g_module_error ());
      return library;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
    if (!g_module_symbol (module, symbols[i].name, symbols[i].slot) || *symbols[i].slot == NULL)
      {
        library->error = g_strdup_printf ("%s has no %s", BIOSIG_LIBRARY, symbols[i].name);
        g_module_close (module);
        return library;
      }
  g_module_make_resident (module);
  return library;
}

static const BiosigApi *
biosig_api (const char  *name,
            GError     **error)
{
  static GOnce once = G_ONCE_INIT;
  static BiosigLibrary library;
  const BiosigLibrary *loaded = g_once (&once, load_library, &library);

  if (loaded->error != NULL)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: EDF/BDF/GDF/WFDB are read through libbiosig, which cannot be loaded: %s",
                   name, loaded->error);
      return NULL;
    }
  return &loaded->api;
}

gboolean
_heart_replay_biosig_open (HeartReplay  *self,
                           GError      **error)
{
  const BiosigApi *api;
  HeartReplayBiosig *b;
  HDRTYPE *hdr;
  const char *type;
  guint32 n_beats = 0;
  int ecg = -1;
  double channel_fs;
  g_autofree char *problem = edf_header_problem (self->lines.fd);

  if (problem != NULL)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: not a usable EDF or BDF file: %s", self->name, problem);
      return FALSE;
    }
  api = biosig_api (self->name, error);
  if (api == NULL)
    return FALSE;
  hdr = api->sopen (self->path, "r", NULL);
  if (hdr == NULL || hdr->AS.B4C_ERRNUM != 0 || hdr->NS == 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: libbiosig cannot read it%s%s", self->name,
                   hdr != NULL && hdr->AS.B4C_ERRMSG != NULL ? ": " : "",
                   hdr != NULL && hdr->AS.B4C_ERRMSG != NULL ? hdr->AS.B4C_ERRMSG : "");
      if (hdr != NULL)
        {
          api->sclose (hdr);
          api->destructHDR (hdr);
        }
      return FALSE;
    }
  b = g_new0 (HeartReplayBiosig, 1);
  b->api = api;
  b->hdr = hdr;
  b->beats = g_array_new (FALSE, FALSE, sizeof (double));
  self->biosig = b;
  self->format = HEART_REPLAY_FORMAT_BIOSIG;
  self->reader = &biosig_reader;
  self->has_rr = TRUE;
  type = api->GetFileTypeString (hdr->TYPE);
  if (hdr->T0 != 0)
    b->t0_us = (gint64) llround ((ldexp ((double) hdr->T0, -32) - GDF_UNIX_EPOCH_DAYS) * 86400.0 * G_USEC_PER_SEC);

  if (!choose_channel (self, &ecg, error))
    return FALSE;

  api->sort_eventtable (hdr);
  b->event_rate = hdr->EVENT.SampleRate > 0 ? hdr->EVENT.SampleRate : hdr->SampleRate;
  if (self->columns_override == NULL && b->event_rate > 0 && isfinite (b->event_rate))
    for (guint32 i = 0; i < hdr->EVENT.N; i++)
      n_beats += beat_event_type (hdr, i) != 0;

  if (n_beats >= 2)
    {
      b->from_events = TRUE;
      self->detected = g_strdup_printf ("%s: beats from %u annotations", type, n_beats);
      return TRUE;
    }
  if (ecg < 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: %s with no beat annotations and no ECG channel: name one with --columns ecg=N",
                   self->name, type);
      return FALSE;
    }
  if (!(hdr->SampleRate > 0) || !isfinite (hdr->SampleRate) || hdr->SPR == 0)
    {
      g_set_error (error, HEART_REPLAY_ERROR, HEART_REPLAY_ERROR_FORMAT,
                   "cannot replay %s: %s with no sampling rate", self->name, type);
      return FALSE;
    }

  /* only the ECG channel is read; sread gives it at the file's rate */
  for (int k = 0; k < hdr->NS; k++)
    hdr->CHANNEL[k].OnOff = k == ecg;
  hdr->FLAG.ROW_BASED_CHANNELS = 0;
  hdr->FLAG.UCAL = 0;
  b->ecg = ecg;
  b->fs = hdr->SampleRate;
  b->blocks_per_read = MAX (1, (gsize) ceil (READ_S * hdr->SampleRate / hdr->SPR));
  detector_init (&b->detector, b->fs);
  detector_reset (&b->detector);
  channel_fs = hdr->SampleRate * hdr->CHANNEL[ecg].SPR / hdr->SPR;
  self->detected = g_strdup_printf ("%s: R peaks detected in channel %d “%s” at %g Hz",
                                    type, ecg + 1, g_strstrip (hdr->CHANNEL[ecg].Label), channel_fs);
  return TRUE;
}
