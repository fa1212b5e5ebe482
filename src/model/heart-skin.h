/* heart-skin.h: skin conductance (electrodermal activity), tonic and phasic
 *
 * A plain struct owned by the person's model, advanced in time order with
 * the beats (docs/model.md, "Skin conductance").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "heart-random.h"

G_BEGIN_DECLS

#define HEART_SKIN_LEVEL_DEFAULT  6.0     /* µS, a person's median tonic level */
#define HEART_SKIN_MAX_RESPONSES  32

/* One skin-conductance response */
typedef struct
{
  double onset;         /* s: when the rise begins */
  double amplitude;     /* µS at the peak */
  double tau_rise;
  double tau_recovery;
  double peak_scale;    /* 1 / the unscaled shape's peak */
  gboolean evoked;      /* by an event, not spontaneous */
} HeartSkinResponse;

typedef struct _HeartSkin
{
  HeartRandom       random;
  gboolean          low_responder;
  double            level;             /* µS, the person's median tonic level */
  double            drift_offset;      /* where in its slow drift the person starts, s */
  double            next_spontaneous;  /* onset of the next non-specific response */
  double            pending_onset[HEART_SKIN_MAX_RESPONSES];     /* evoked, not begun */
  double            pending_amplitude[HEART_SKIN_MAX_RESPONSES];
  guint             n_pending;
  HeartSkinResponse responses[HEART_SKIN_MAX_RESPONSES];   /* begun, still recovering */
  guint             n_responses;
} HeartSkin;

void     heart_skin_init             (HeartSkin *self,
                                      guint64 seed,
                                      guint64 stream);
void     heart_skin_prime            (HeartSkin *self,
                                      double t,
                                      double stress);
void     heart_skin_set_low_responder (HeartSkin *self,
                                       gboolean low_responder);
/* The next onset of a response, pending or spontaneous */
double   heart_skin_next_onset       (const HeartSkin *self);
/* At heart_skin_next_onset(): the response that begins, in @response;
 * schedules the next spontaneous one from @stress */
void     heart_skin_take_onset       (HeartSkin *self,
                                      double stress,
                                      HeartSkinResponse *response);
/* An arousing event of @strength 0–1 at @t: a response 1–3 s later */
void     heart_skin_evoke            (HeartSkin *self,
                                      double t,
                                      double strength);
/* Conductance at @t, µS: the tonic level, raised by the sustained @stress,
 * plus every response under way */
double   heart_skin_get_conductance  (HeartSkin *self,
                                      double t,
                                      double stress);

G_END_DECLS
