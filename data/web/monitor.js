// SPDX-License-Identifier: GPL-3.0-or-later
//
// The bedside monitor: the ECG and the pleth (PPG) below it, swept left to
// right and overwritten with a small gap, as a patient monitor draws them,
// fed by the waveform frames of /ws/stream?types=ecg,ppg (docs/api.md,
// "Waveforms"). The heart rate beside the ECG is counted from its beat
// marks, not from the 2 Hz samples.
//
// The canvas is not cleared between frames: each new stretch of samples is
// drawn on what the last sweep left, after erasing a gap just ahead of it.
// Time is the samples' own (index / fs, simulation seconds), so the two
// traces stay lined up whatever their rates.

export const WAVEFORMS = ['ecg', 'ppg'];

const SWEEP_S = 6; // seconds across the trace
const GAP_PX = 12; // erased ahead of the sweep
const LINE_PX = 1.6;
const LABEL_PX = 8; // half a label's width and a little
const HR_BEATS = 8; // the rate is of the last beats' intervals, as a monitor averages
const HR_STALE_S = 4; // no beat for this long: no rate
const FPS_WINDOW_MS = 2000;
// Each trace's vertical range until a sweep has shown what it spans, and
// the least it may shrink to (a flat lead-off trace stays flat)
const RANGES = {
  ecg: { lo: -0.6, hi: 1.4, span: 1.0 },
  ppg: { lo: -0.2, hi: 1.2, span: 0.3 },
};
const BEAT_CODES = new Set(['N', 'V', 'S']);

class Trace {
  constructor (name) {
    this.name = name;
    this.pending = []; // [t, value], not drawn yet
    this.labels = []; // beat marks not drawn yet: {t, code}
    this.last = null; // the point drawn last: {t, x, y}
    this.nextIndex = null; // the index the next frame should start at
    this.lo = RANGES[name].lo;
    this.hi = RANGES[name].hi;
    this.sweepLo = Infinity; // what the sweep under way spans
    this.sweepHi = -Infinity;
    this.frames = 0;
    this.samples = 0;
  }

  // A new sweep: its range from the one before, with a margin
  rescale () {
    if (this.sweepLo <= this.sweepHi) {
      const min = RANGES[this.name].span;
      let lo = this.sweepLo;
      let hi = this.sweepHi;
      if (hi - lo < min) {
        const mid = (hi + lo) / 2;
        lo = mid - min / 2;
        hi = mid + min / 2;
      }
      const margin = (hi - lo) * 0.1;
      this.lo = lo - margin;
      this.hi = hi + margin;
    }
    this.sweepLo = Infinity;
    this.sweepHi = -Infinity;
  }
}

export class WaveformMonitor {
  // @canvas: the trace area; onChange() when the heart rate or an alert
  // changes, for the numbers and words beside it
  constructor (canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.onChange = onChange;
    this.traces = Object.fromEntries(WAVEFORMS.map((name) => [name, new Trace(name)]));
    this.beats = []; // the ECG's beat times (simulation s), newest last
    this.lastT = null; // the newest ECG sample's time
    this.leadOff = false;
    this.gaps = 0; // frames that did not start where the one before ended
    this.frameTimes = []; // performance.now() of the ECG frames of the last FPS_WINDOW_MS
    this.frame = 0;
    this.width = 0;
    this.height = 0;
    this.ratio = 1;
    this.layout = null;
    this.readColors();
    new ResizeObserver((entries) => this.resize(entries[0])).observe(canvas);
  }

  readColors () {
    const style = getComputedStyle(document.documentElement);
    const get = (name) => style.getPropertyValue(name).trim();
    this.colors = {
      bg: get('--monitor-bg'),
      ecg: get('--monitor-ecg'),
      ppg: get('--monitor-pleth'),
      label: get('--monitor-label'),
      ectopic: get('--monitor-ectopic'),
      grid: get('--monitor-grid'),
    };
    this.font = `600 11px ${getComputedStyle(document.body).fontFamily}`;
  }

  // A new connection: what it sends does not follow on from what came before.
  restart () {
    for (const trace of Object.values(this.traces)) {
      trace.nextIndex = null;
      trace.last = null;
      trace.pending = [];
      trace.labels = [];
    }
    this.beats = [];
    this.setLeadOff(false);
  }

  // A waveform frame: {type, t0_s, index, fs, values, annotations}
  addFrame (message) {
    const trace = this.traces[message.type];
    const fs = Number(message.fs);
    const index = Number(message.index);
    const values = Array.isArray(message.values) ? message.values : [];
    if (!trace || !(fs > 0) || !Number.isFinite(index))
      return;
    if (trace.nextIndex !== null && index !== trace.nextIndex) {
      this.gaps++;
      trace.last = null; // no line across what is missing
    }
    trace.nextIndex = index + values.length;
    trace.frames++;
    trace.samples += values.length;
    for (let i = 0; i < values.length; i++)
      trace.pending.push([(index + i) / fs, Number(values[i])]);
    for (const mark of Array.isArray(message.annotations) ? message.annotations : []) {
      const t = Number(mark?.t_s);
      if (!Number.isFinite(t))
        continue;
      if (BEAT_CODES.has(mark.code)) {
        trace.labels.push({ t, code: mark.code });
        if (trace.name === 'ecg')
          this.beats.push(t);
      } else if (trace.name === 'ecg' && (mark.code === 'lead_off' || mark.code === 'lead_on')) {
        this.setLeadOff(mark.code === 'lead_off');
      }
    }
    if (trace.name === 'ecg') {
      const now = performance.now();
      this.frameTimes.push(now);
      while (this.frameTimes.length && now - this.frameTimes[0] > FPS_WINDOW_MS)
        this.frameTimes.shift();
      if (values.length)
        this.lastT = (index + values.length - 1) / fs;
      if (this.beats.length > HR_BEATS + 1)
        this.beats.splice(0, this.beats.length - HR_BEATS - 1);
      this.onChange();
    }
    if (!this.frame)
      this.frame = requestAnimationFrame(() => this.draw());
  }

  setLeadOff (off) {
    if (this.leadOff === off)
      return;
    this.leadOff = off;
    this.onChange();
  }

  // Beats a minute over the last intervals of the ECG's beats; null while
  // the leads are off or no beat came for a while
  get heartRate () {
    const beats = this.beats;
    if (this.leadOff || beats.length < 2 || this.lastT === null || this.lastT - beats[beats.length - 1] > HR_STALE_S)
      return null;
    const n = Math.min(HR_BEATS, beats.length - 1);
    const span = beats[beats.length - 1] - beats[beats.length - 1 - n];
    return span > 0 ? 60 * n / span : null;
  }

  // ECG frames a second, over the last two seconds
  get framesPerSecond () {
    const times = this.frameTimes;
    if (times.length < 2)
      return 0;
    return (times.length - 1) * 1000 / Math.max(1, times[times.length - 1] - times[0]);
  }

  resize (entry) {
    const box = entry.contentBoxSize?.[0];
    const width = box ? box.inlineSize : this.canvas.clientWidth;
    const height = box ? box.blockSize : this.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.max(1, Math.round(height * ratio));
    this.width = width;
    this.height = height;
    this.ratio = this.canvas.width / Math.max(1, width);
    // the ECG gets three fifths, the pleth the rest
    const split = Math.round(height * 0.6);
    this.layout = {
      left: 0,
      right: width,
      ecg: { top: 4, bottom: split - 4 },
      ppg: { top: split + 4, bottom: height - 4 },
    };
    // what was drawn is of the old size: start the sweep on a clean screen
    this.ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    this.ctx.fillStyle = this.colors.bg;
    this.ctx.fillRect(0, 0, width, height);
    this.drawGrid(0, width);
    for (const trace of Object.values(this.traces))
      trace.last = null;
  }

  x (t) {
    const phase = ((t % SWEEP_S) + SWEEP_S) % SWEEP_S;
    return this.layout.left + phase / SWEEP_S * (this.layout.right - this.layout.left);
  }

  y (trace, value) {
    const band = this.layout[trace.name];
    const f = (value - trace.lo) / Math.max(1e-9, trace.hi - trace.lo);
    return band.bottom - Math.min(1.05, Math.max(-0.05, f)) * (band.bottom - band.top);
  }

  // Faint lines a second apart, as a monitor's screen has
  drawGrid (x0, x1) {
    const { ctx } = this;
    ctx.fillStyle = this.colors.grid;
    const step = (this.layout.right - this.layout.left) / SWEEP_S;
    for (let k = Math.ceil((x0 - this.layout.left) / step); this.layout.left + k * step < x1; k++)
      ctx.fillRect(Math.round(this.layout.left + k * step), 0, 1, this.height);
  }

  // Erases [x0, x1) of a trace's band, and redraws the grid there
  erase (band, x0, x1) {
    const { ctx } = this;
    const right = this.layout.right;
    const spans = x1 <= right ? [[x0, x1]] : [[x0, right], [this.layout.left, this.layout.left + x1 - right]];
    for (const [a, b] of spans) {
      if (b <= a)
        continue;
      ctx.fillStyle = this.colors.bg;
      ctx.fillRect(a, band.top - 4, b - a, band.bottom - band.top + 8);
      ctx.save();
      ctx.beginPath();
      ctx.rect(a, band.top - 4, b - a, band.bottom - band.top + 8);
      ctx.clip();
      this.drawGrid(a, b);
      ctx.restore();
    }
  }

  draw () {
    this.frame = 0;
    if (!this.layout || this.width <= 0)
      return;
    const { ctx } = this;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.lineWidth = LINE_PX;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    ctx.font = this.font;
    ctx.textAlign = 'center';
    for (const trace of Object.values(this.traces))
      this.drawTrace(trace);
  }

  // The samples that came since the last frame: each run of them within
  // one sweep erases its stretch and the gap ahead, then is stroked as one
  // line joined to what was drawn before
  drawTrace (trace) {
    const { ctx } = this;
    const band = this.layout[trace.name];
    const points = trace.pending;
    trace.pending = [];
    if (!points.length)
      return;
    let last = trace.last;
    let run = last ? [last] : [];
    // the first run goes on from a point already drawn: its line stays
    let from = last ? last.x + LINE_PX : null;
    const flush = () => {
      if (run.length < (from === null ? 1 : 2))
        return;
      this.erase(band, from ?? run[0].x, run[run.length - 1].x + GAP_PX);
      ctx.beginPath();
      ctx.moveTo(run[0].x, run[0].y);
      for (const p of run)
        ctx.lineTo(p.x, p.y);
      ctx.stroke();
    };
    ctx.strokeStyle = this.colors[trace.name];
    for (const [t, value] of points) {
      const x = this.x(t);
      if (last && (x < last.x - 1 || t - last.t >= SWEEP_S)) {
        // the sweep starts again at the left, from where the line was
        flush();
        trace.rescale();
        last = { t, x: this.layout.left, y: last.y };
        run = [last];
        from = null;
      }
      trace.sweepLo = Math.min(trace.sweepLo, value);
      trace.sweepHi = Math.max(trace.sweepHi, value);
      const point = { t, x, y: this.y(trace, value) };
      run.push(point);
      last = point;
    }
    flush();
    trace.last = last;
    this.drawLabels(trace, last.t);
  }

  // The beat marks the trace has passed: a letter above it, faint for a
  // normal beat and in amber for a premature one; once the sweep is a
  // letter's width beyond, so that its gap does not cut the letter
  drawLabels (trace, upTo) {
    const { ctx } = this;
    const band = this.layout[trace.name];
    const past = LABEL_PX * SWEEP_S / Math.max(1, this.layout.right - this.layout.left);
    while (trace.labels.length && trace.labels[0].t + past <= upTo) {
      const { t, code } = trace.labels.shift();
      if (trace.name !== 'ecg' || upTo - t > SWEEP_S)
        continue;
      ctx.fillStyle = code === 'N' ? this.colors.label : this.colors.ectopic;
      ctx.fillText(code, this.x(t), band.top + 9);
    }
  }
}
