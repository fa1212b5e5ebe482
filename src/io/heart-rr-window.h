/* heart-rr-window.h: the RR intervals of the last 30 s, and their RMSSD
 *
 * Sources that get beats from outside the model (a replayed CSV, a
 * Bluetooth strap) make their samples' rmssd_ms as the model makes its
 * own: the beats of the last 30 s, each paired with the one before it,
 * through heart_hrv_rmssd() (docs/replay.md, "What a CSV becomes").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEART_RR_WINDOW_S   30.0
/* 30 s of beats at 300 bpm is 150: room to spare */
#define HEART_RR_WINDOW_MAX 256

typedef struct
{
  double t[HEART_RR_WINDOW_MAX];   /* s, of the beat that ended the interval */
  double rr[HEART_RR_WINDOW_MAX];  /* ms */
  guint  head;
  guint  length;
} HeartRrWindow;

void   heart_rr_window_clear (HeartRrWindow *window);
void   heart_rr_window_add   (HeartRrWindow *window,
                              double t,
                              double rr_ms);
/* NAN with fewer than two intervals */
double heart_rr_window_rmssd (const HeartRrWindow *window,
                              double now);

G_END_DECLS
