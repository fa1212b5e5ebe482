// SPDX-License-Identifier: GPL-3.0-or-later
//
// The samples the chart shows, kept outside the chart (as Sysprof keeps its
// data outside its widgets): ordered by server time, without duplicates,
// trimmed to the visible window plus a margin.
//
// Besides heart rate and stress, a point carries what docs/api.md's sample
// adds: breathing (respiratory_rate, the respiration waveform), skin
// conductance (eda), the scenario phase (condition) and whether a stress
// event is on (event). Fields a transport or an older server does not carry
// (Server-Sent Events carry fewer) are null.

export class SampleBuffer {
  constructor (keepMs = 70000) {
    this.keepMs = keepMs;
    this.points = []; // {t, bpm, stress, seq, …}, t in ms since the epoch (server clock)
    this.offsetMs = null; // server clock minus local clock, smoothed
    this.intervalMs = 500;
  }

  static toPoint (sample) {
    const t = Date.parse(sample.timestamp);
    const bpm = Number(sample.bpm ?? sample.value);
    if (!Number.isFinite(t) || !Number.isFinite(bpm))
      return null;
    // a replayed file may have no stress: null, not Number(null)'s 0
    const stress = finiteOrNull(sample.stress_level);
    return {
      t,
      bpm,
      stress: stress === null ? null : Math.min(1, Math.max(0, stress)),
      seq: Number.isFinite(sample.seq) ? sample.seq : null,
      respiration: finiteOrNull(sample.respiration),
      eda: finiteOrNull(sample.eda),
      // '' is a real value (no scenario); null means the transport did not say.
      condition: typeof sample.condition === 'string' ? sample.condition : null,
      event: typeof sample.event === 'boolean' ? sample.event : null,
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

// Values of one periodic channel at its own rate (respiration at 25 Hz from
// /ws/stream, docs/api.md), when the server offers them: {t, value}.
export class ChannelBuffer {
  constructor (keepMs = 70000) {
    this.keepMs = keepMs;
    this.points = [];
  }

  add (t, value) {
    const points = this.points;
    const last = points[points.length - 1];
    if (last && t <= last.t)
      return false; // replays and duplicates: the stream is in time order
    points.push({ t, value });
    if (points[0].t < t - this.keepMs - 5000) {
      let drop = 0;
      while (drop < points.length && points[drop].t < t - this.keepMs)
        drop++;
      points.splice(0, drop);
    }
    return true;
  }

  // One tick's batch from /ws/stream: {type, t0, fs, values}, t0 the time
  // of the first value and the others 1/fs apart (docs/api.md). Batches
  // that follow on continue one regular grid, so the trace has no seams
  // where the ticks' timer jittered.
  addBatch (t0, stepMs, values) {
    const n = values.length;
    if (n === 0 || !Number.isFinite(t0) || !(stepMs > 0))
      return;
    let first = t0;
    const last = this.points[this.points.length - 1];
    if (last && Math.abs(first - (last.t + stepMs)) < 250)
      first = last.t + stepMs;
    for (let i = 0; i < n; i++) {
      const value = Number(values[i]);
      if (values[i] !== null && Number.isFinite(value))
        this.add(first + i * stepMs, value);
    }
  }

  // Whether it covers the present: otherwise the 2 Hz samples are drawn.
  freshAt (now) {
    const last = this.points[this.points.length - 1];
    return Boolean(last) && now - last.t < 3000;
  }

  // Since when it has been flowing without a break.
  coveredSince (gapMs = 1000) {
    const points = this.points;
    let i = points.length - 1;
    while (i > 0 && points[i].t - points[i - 1].t <= gapMs)
      i--;
    return i >= 0 ? points[i].t : Infinity;
  }
}

function finiteOrNull (value) {
  if (value === null || value === undefined || value === '')
    return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
