// SPDX-License-Identifier: GPL-3.0-or-later
//
// The person's day from GET /api/day (docs/api.md): the totals of the
// Today card and the buckets of the chart's long spans. One request every
// 10 s serves both: on a long span it asks for the span's buckets, on the
// live minute for the newest bucket only, as the totals come with either.

import { ApiError, getJson } from './api.js';

export const DAY_REFRESH_MS = 10000;
// The chart's spans beyond the live minute, in seconds, and the width of
// their buckets: 360 of 10 s for the hour, 1,440 of a minute for the day.
export const LONG_SPANS = { 3600: 10, 86400: 60 };

export class DayFeed {
  // onDay(answer, span): span is the long span the buckets are for, or null.
  // onUnavailable(): a server without /api/day (404); it is not asked again.
  constructor ({ onDay, onUnavailable }) {
    this.onDay = onDay;
    this.onUnavailable = onUnavailable;
    this.span = 60;
    this.timer = 0;
    this.request = 0;
    this.available = null;
  }

  setSpan (span) {
    if (span === this.span)
      return;
    this.span = span;
    this.refresh();
  }

  // Now, and every DAY_REFRESH_MS after the answer; an answer to an older
  // request (of the span before) is dropped.
  async refresh () {
    if (this.available === false)
      return;
    clearTimeout(this.timer);
    const request = ++this.request;
    const span = this.span;
    const resolution = LONG_SPANS[span];
    const params = resolution ? { seconds: span, resolution } : { seconds: 10, resolution: 10 };
    try {
      const day = await getJson('api/day', params);
      if (request === this.request && day && typeof day === 'object') {
        this.available = true;
        this.onDay(day, resolution ? span : null);
      }
    } catch (error) {
      if (request === this.request && error instanceof ApiError && error.status === 404) {
        this.available = false;
        this.onUnavailable?.();
        return;
      }
      // Unreachable for now: the next turn asks again.
    }
    if (request === this.request)
      this.timer = setTimeout(() => this.refresh(), DAY_REFRESH_MS);
  }
}

// 452 → "7 h 32 min", 45 → "45 min"
export function hoursMinutes (minutes) {
  const total = Math.max(0, Math.round(Number(minutes) || 0));
  const h = Math.floor(total / 60);
  const m = total % 60;
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
