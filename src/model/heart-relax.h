/* heart-relax.h: first-order kinetics, exact over any step
 *
 * What the model's slow states share: a value that follows its target
 * with a time constant, updated exactly however time is cut, so that the
 * result does not depend on the ticks (docs/model.md, Structure).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>

/* @value after @dt seconds of following @target with time constant @tau */
static inline double
heart_relax (double value,
             double target,
             double tau,
             double dt)
{
  return target + (value - target) * exp (-dt / tau);
}
