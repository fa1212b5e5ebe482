// SPDX-License-Identifier: GPL-3.0-or-later
//
// The samples the chart shows, kept outside the chart (as Sysprof keeps its
// data outside its widgets): ordered by server time, without duplicates,
// trimmed to the visible window plus a margin.

export class SampleBuffer {
  constructor (keepMs = 70000) {
    this.keepMs = keepMs;
    this.points = []; // {t, bpm, stress, seq}, t in ms since the epoch (server clock)
    this.offsetMs = null; // server clock minus local clock, smoothed
    this.intervalMs = 500;
  }

  static toPoint (sample) {
    const t = Date.parse(sample.timestamp);
    const bpm = Number(sample.bpm ?? sample.value);
    if (!Number.isFinite(t) || !Number.isFinite(bpm))
      return null;
    const stress = Number(sample.stress_level);
    return {
      t,
      bpm,
      stress: Number.isFinite(stress) ? Math.min(1, Math.max(0, stress)) : null,
      seq: Number.isFinite(sample.seq) ? sample.seq : null,
    };
  }

  // A sample that arrived just now: also teaches us the clock offset, so a
  // dashboard on another machine with a skewed clock still scrolls right.
  addLive (sample) {
    const point = SampleBuffer.toPoint(sample);
    if (!point)
      return false;
    const offset = point.t - Date.now();
    if (this.offsetMs === null || Math.abs(offset - this.offsetMs) > 5000)
      this.offsetMs = offset;
    else
      this.offsetMs += (offset - this.offsetMs) * 0.1;
    return this.insert(point);
  }

  addHistory (samples) {
    let added = 0;
    for (const sample of samples) {
      const point = SampleBuffer.toPoint(sample);
      if (point && this.insert(point))
        added++;
    }
    return added;
  }

  insert (point) {
    const points = this.points;
    const last = points[points.length - 1];
    if (!last || point.t > last.t) {
      if (last)
        this.learnInterval(point.t - last.t);
      points.push(point);
    } else {
      // Rare: history arriving after live samples. Binary search keeps it cheap.
      let lo = 0;
      let hi = points.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (points[mid].t < point.t)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo < points.length && points[lo].t === point.t)
        return false;
      points.splice(lo, 0, point);
    }
    this.trim();
    return true;
  }

  learnInterval (deltaMs) {
    if (deltaMs > 0 && deltaMs < 10000)
      this.intervalMs += (deltaMs - this.intervalMs) * 0.2;
  }

  trim () {
    const cutoff = this.points[this.points.length - 1].t - this.keepMs;
    let drop = 0;
    while (drop < this.points.length && this.points[drop].t < cutoff)
      drop++;
    if (drop > 0)
      this.points.splice(0, drop);
  }

  // Server time now, as well as we can tell.
  now () {
    return Date.now() + (this.offsetMs ?? 0);
  }

  get length () {
    return this.points.length;
  }
}
