// SPDX-License-Identifier: GPL-3.0-or-later
//
// The heart-rate chart: the last 60 s on a canvas, heart rate as a line on
// the left axis, stress as a filled band on the right axis (0–100 %).
// Beneath it, on the same time axis, lanes for breathing and skin
// conductance, each of which can be hidden; scenario phases show as
// boundaries across all of them, with the new phase's name at the top, and
// stress events as a light band of the stress colour behind all of them, as
// the desktop chart shades them.
// It only draws; the data lives in a SampleBuffer (and, for the breathing
// waveform at its own rate, a ChannelBuffer). Redraws follow the display's
// frames so the trace scrolls smoothly between samples.
//
// On the long spans (an hour, a day) it draws the buckets of GET /api/day
// instead: the heart rate's mean with its low–high range, stress, and
// under them, in place of the lanes, the activity and a hypnogram.

const WINDOW_MS = 60000;
export const LIVE_SPAN_S = 60;
const MIN_SPAN_BPM = 30;
const FONT_PX = 12;
const LANE_GAP = 14; // between the plots, part of --lane-height
const PHASE_STRIP = 22; // room above the heart rate for phase names
const AXIS_HEIGHT = 24;

// The lanes under the heart rate, top to bottom.
export const LANES = ['respiration', 'eda'];
// What the long spans draw there instead, top to bottom.
export const BANDS = ['activity', 'sleep'];

export const ACTIVITIES = ['rest', 'sitting', 'walking', 'running', 'cycling', 'sleep'];
// The hypnogram's rows, top to bottom; in bed but not yet asleep shares
// the awake row
export const STAGES = ['in_bed', 'awake', 'rem', 'core', 'deep'];
const STAGE_ROW = { in_bed: 0, awake: 0, rem: 1, core: 2, deep: 3 };
const STAGE_ROW_NAMES = ['Awake', 'REM', 'Core', 'Deep'];
const BAND_TITLE = 18; // the band's name above its blocks
// The bands share the lanes' room: the activity's one row, the
// hypnogram's four.
const BAND_SHARE = { activity: 0.36, sleep: 0.64 };
// Buckets further apart than this are a gap (a seek, a hole in a file),
// as the day log counts a longer step as no time lived; closer ones are
// the source's pace (a replay at speed leaves buckets between its
// samples empty), and a bucket lasts until the next.
const LIVED_GAP_S = 300;

export class HeartChart {
  constructor (canvas, buffer, { onVisibleChange, channels = {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.buffer = buffer;
    this.channels = channels; // name → ChannelBuffer, for waveforms at their own rate
    this.onVisibleChange = onVisibleChange;
    this.width = 0;
    this.height = 0;
    this.ratio = 1;
    this.range = null; // {lo, hi} animated toward the data's range
    this.laneRanges = {}; // the same for each lane
    this.shown = Object.fromEntries(LANES.map((name) => [name, true]));
    this.layout = null; // where everything went, in CSS pixels (for tests)
    this.phaseMarks = []; // the phase boundaries in view: {t, name, x}
    this.eventSpans = []; // the stress events in view: {t0, t1, x0, x1}
    this.spanS = LIVE_SPAN_S;
    this.day = null; // the long span's buckets: {span, resolution, buckets}
    this.dayView = null; // what the long span drew (for tests)
    this.frame = 0;
    this.lastFrameTime = 0;
    this.hadPoints = null;
    this.readColors();

    window.matchMedia('(prefers-color-scheme: dark)')
      .addEventListener('change', () => { this.readColors(); this.redraw(); });
    new ResizeObserver((entries) => this.resize(entries[0])).observe(canvas);
  }

  readColors () {
    const style = getComputedStyle(document.documentElement);
    const get = (name) => style.getPropertyValue(name).trim();
    this.colors = {
      heart: get('--heart'),
      stress: get('--stress'),
      respiration: get('--breath'),
      eda: get('--eda'),
      phase: get('--phase'),
      grid: get('--grid'),
      activity: Object.fromEntries(ACTIVITIES.map((name) => [name, get(`--activity-${name}`)])),
      stage: Object.fromEntries(STAGES.map((name) => [name, get(`--stage-${name.replace('_', '-')}`)])),
      label: get('--dim'),
      card: get('--card-bg'),
      fg: get('--window-fg'),
    };
    // An orange band glows on a dark card: fill it more faintly there.
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    this.bandAlpha = dark ? [0.3, 0.07] : [0.42, 0.12];
    // a stress event's shade: the desktop chart's 10 %, a little more on
    // the lighter card so it reads beside the stress band's own fill
    this.eventAlpha = dark ? 0.1 : 0.12;
    this.font = `${FONT_PX}px ${getComputedStyle(document.body).fontFamily}`;
  }

  // Which lanes to draw; the caller sizes the canvas's box to match
  // (--lanes, style.css) and the observer below hears of the new height.
  setLanes (shown) {
    for (const name of LANES)
      this.shown[name] = Boolean(shown[name]);
    this.redraw();
  }

  // The live minute, or a long span drawn from setDay()'s buckets.
  setSpan (spanS) {
    this.spanS = spanS;
    this.redraw();
  }

  // An answer of GET /api/day for the long span @spanS (docs/api.md).
  setDay (answer, spanS) {
    const resolution = Number(answer?.resolution);
    const buckets = [];
    for (const b of Array.isArray(answer?.buckets) ? answer.buckets : []) {
      const t = Number(b?.t);
      const mean = finite(b?.heart_rate);
      if (!Number.isFinite(t) || mean === null)
        continue;
      buckets.push({
        t,
        bpm: mean,
        low: finite(b.heart_rate_low) ?? mean,
        high: finite(b.heart_rate_high) ?? mean,
        stress: finite(b.stress),
        activity: ACTIVITIES.includes(b.activity) ? b.activity : null,
        stage: STAGES.includes(b.sleep_stage) ? b.sleep_stage : null,
        event: b.event === true,
      });
    }
    this.day = resolution > 0 ? { span: spanS, resolution, buckets } : null;
    this.redraw();
  }

  laneHeight () {
    const box = this.canvas.parentElement;
    const px = box ? parseFloat(getComputedStyle(box).getPropertyValue('--lane-height')) : NaN;
    return Number.isFinite(px) ? px : 72;
  }

  resize (entry) {
    const box = entry.contentBoxSize?.[0];
    const width = box ? box.inlineSize : this.canvas.clientWidth;
    const height = box ? box.blockSize : this.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    // Exact device pixels where the browser tells them, so lines stay crisp;
    // unless they disagree with the pixel ratio (Chromium's device emulation
    // reports unscaled ones), which then wins.
    let device = entry.devicePixelContentBoxSize?.[0];
    if (device && Math.abs(device.inlineSize - width * ratio) > 2)
      device = null;
    this.canvas.width = device ? device.inlineSize : Math.round(width * ratio);
    this.canvas.height = device ? device.blockSize : Math.round(height * ratio);
    this.width = width;
    this.height = height;
    this.ratio = this.canvas.width / Math.max(1, width);
    this.redraw();
  }

  // Call when data arrives; the loop then runs while anything is visible.
  redraw () {
    if (!this.frame)
      this.frame = requestAnimationFrame((time) => this.tick(time));
  }

  tick (time) {
    this.frame = 0;
    const dt = this.lastFrameTime ? Math.min(250, time - this.lastFrameTime) : 1000;
    this.lastFrameTime = time;
    const anyVisible = this.draw(dt);
    if (anyVisible)
      this.redraw();
    else
      this.lastFrameTime = 0;
  }

  // Returns whether any point is in view (so the loop keeps going).
  draw (dt) {
    const { ctx, width, height, buffer } = this;
    if (width <= 0 || height <= 0)
      return false;

    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = this.font;
    if (this.spanS !== LIVE_SPAN_S)
      return this.drawDay(dt);
    this.dayView = null;

    // Show the newest sample as it reaches the right edge, not a gap before it.
    const lag = Math.min(2000, buffer.intervalMs * 1.25);
    const end = buffer.now() - lag;
    const start = end - WINDOW_MS;
    const visible = this.visiblePoints(start, end);

    if (this.hadPoints !== visible.length > 0) {
      this.hadPoints = visible.length > 0;
      this.onVisibleChange?.(this.hadPoints);
    }

    this.updateRange(visible, dt);
    const lanes = LANES.filter((name) => this.shown[name]);
    const phases = this.phaseRuns(visible);
    const labelWidth = Math.ceil(ctx.measureText('100%').width);
    const laneHeight = this.laneHeight();
    const plot = {
      left: labelWidth + 10,
      right: width - labelWidth - 10,
      top: phases.some((run) => run.name || run.changed) ? 10 + PHASE_STRIP : 10,
      bottom: height - AXIS_HEIGHT - lanes.length * laneHeight,
    };
    const lanePlots = lanes.map((name, i) => {
      const top = plot.bottom + LANE_GAP + i * laneHeight;
      return { name, top, bottom: top + laneHeight - LANE_GAP };
    });
    const chartBottom = lanePlots.length > 0 ? lanePlots[lanePlots.length - 1].bottom : plot.bottom;
    const x = (t) => plot.left + (t - start) / WINDOW_MS * (plot.right - plot.left);
    const yBpm = (bpm) => plot.bottom - (bpm - this.range.lo) / (this.range.hi - this.range.lo) * (plot.bottom - plot.top);
    const yStress = (s) => plot.bottom - s * (plot.bottom - plot.top);
    this.layout = {
      left: plot.left,
      right: plot.right,
      heart: { top: plot.top, bottom: plot.bottom },
      lanes: Object.fromEntries(lanePlots.map((lane) => [lane.name, { top: lane.top, bottom: lane.bottom }])),
    };

    this.drawGrid(plot, yBpm, chartBottom, (ago) => x(start + (LIVE_SPAN_S - ago) * 1000));
    this.drawEvents(this.eventRuns(visible), plot, lanePlots, x);
    for (const lane of lanePlots)
      this.drawLane(lane, visible, plot, x, start, end, dt);
    if (visible.length > 0) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(plot.left, plot.top - 6, plot.right - plot.left, plot.bottom - plot.top + 6);
      ctx.clip();
      this.drawStress(visible, plot, x, yStress);
      this.drawHeartRate(visible, x, yBpm);
      ctx.restore();
      this.drawNewest(visible, end, plot, x, yBpm);
    }
    this.drawPhases(phases, plot, x, chartBottom);
    return visible.length > 0;
  }

  visiblePoints (start, end) {
    const points = this.buffer.points;
    let first = points.length;
    while (first > 0 && points[first - 1].t >= start)
      first--;
    // One point beyond each edge so lines run into the border.
    const from = Math.max(0, first - 1);
    let to = points.length;
    while (to > from && points[to - 1].t > end)
      to--;
    return points.slice(from, Math.min(points.length, to + 1));
  }

  // @immediate: no easing (the long spans draw once an answer)
  updateRange (visible, dt, immediate = false) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of visible) {
      lo = Math.min(lo, p.bpm);
      hi = Math.max(hi, p.bpm);
    }
    if (!Number.isFinite(lo)) {
      lo = 60;
      hi = 90;
    }
    let targetLo = Math.floor((lo - 3) / 10) * 10;
    let targetHi = Math.ceil((hi + 3) / 10) * 10;
    if (targetHi - targetLo < MIN_SPAN_BPM) {
      const grow = MIN_SPAN_BPM - (targetHi - targetLo);
      targetLo -= Math.ceil(grow / 20) * 10;
      targetHi = targetLo + Math.max(MIN_SPAN_BPM, targetHi - targetLo + grow);
      targetHi = Math.ceil(targetHi / 10) * 10;
    }
    targetLo = Math.max(0, targetLo);

    if (!this.range || immediate) {
      this.range = { lo: targetLo, hi: targetHi };
      return;
    }
    // Ease the axis toward its new range instead of jumping.
    const k = 1 - Math.exp(-dt / 250);
    this.range.lo += (targetLo - this.range.lo) * k;
    this.range.hi += (targetHi - this.range.hi) * k;
    if (Math.abs(this.range.lo - targetLo) < 0.05)
      this.range.lo = targetLo;
    if (Math.abs(this.range.hi - targetHi) < 0.05)
      this.range.hi = targetHi;
  }

  // @xAgo: where the time @ago seconds before the right edge is
  drawGrid (plot, yBpm, chartBottom, xAgo) {
    const { ctx, colors } = this;
    const span = this.range.hi - this.range.lo;
    const step = [5, 10, 20, 25, 50].find((s) => span / s <= 6) || 100;

    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid;
    ctx.fillStyle = colors.label;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.beginPath();
    for (let bpm = Math.ceil(this.range.lo / step) * step; bpm <= this.range.hi + 0.01; bpm += step) {
      const y = Math.round(yBpm(bpm)) + 0.5;
      if (y < plot.top - 1 || y > plot.bottom + 1)
        continue;
      ctx.moveTo(plot.left, y);
      ctx.lineTo(plot.right, y);
      ctx.fillText(String(bpm), plot.left - 8, y);
    }
    ctx.stroke();

    // Stress axis on the right, in the stress colour.
    ctx.textAlign = 'left';
    ctx.fillStyle = colors.stress;
    for (const s of [0, 0.5, 1]) {
      const y = plot.bottom - s * (plot.bottom - plot.top);
      ctx.fillText(`${Math.round(s * 100)}%`, plot.right + 8, y);
    }

    // Time axis: fixed ticks (every 10 s on the live minute), the trace
    // scrolls beneath them.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = colors.label;
    const spanS = this.spanS;
    const { every, unit, name } = spanS >= 86400 ? { every: 10800, unit: 3600, name: 'h' }
      : spanS >= 3600 ? { every: 600, unit: 60, name: 'min' } : { every: 10, unit: 1, name: 's' };
    // Narrow plots (phones) label every other line so labels never collide.
    const labelEvery = plot.right - plot.left < 420 ? 2 * every : every;
    ctx.beginPath();
    for (let ago = spanS; ago >= 0; ago -= every) {
      const px = Math.round(xAgo(ago)) + 0.5;
      ctx.moveTo(px, plot.top);
      ctx.lineTo(px, chartBottom);
      if (ago % labelEvery !== 0)
        continue;
      const label = ago === 0 ? 'now' : `−${ago / unit} ${name}`;
      ctx.textAlign = ago === spanS ? 'left' : ago === 0 ? 'right' : 'center';
      ctx.fillText(label, ago === spanS ? plot.left : ago === 0 ? plot.right : px, chartBottom + 7);
    }
    ctx.stroke();
  }

  // Segments split where samples are missing (the server was away), so a
  // restart shows as a gap rather than a made-up straight line.
  segments (points, gapMs = Math.max(3000, this.buffer.intervalMs * 4)) {
    const segments = [];
    let current = [];
    for (const p of points) {
      if (current.length > 0 && p.t - current[current.length - 1].t > gapMs) {
        segments.push(current);
        current = [];
      }
      current.push(p);
    }
    if (current.length > 0)
      segments.push(current);
    return segments;
  }

  // Stress events as runs {t0, t1}: from the first point with the event on
  // to the first with it off, as the desktop chart has them, or to the last
  // point before a gap or the newest. Points that do not say (an older
  // server) have none.
  eventRuns (points) {
    const runs = [];
    for (const segment of this.segments(points)) {
      let run = null;
      for (const p of segment) {
        if (p.event === true && !run) {
          run = { t0: p.t, t1: p.t };
          runs.push(run);
        } else if (run) {
          run.t1 = p.t;
          if (p.event !== true)
            run = null;
        }
      }
    }
    return runs;
  }

  // Each run as a light band of the stress colour through the heart rate's
  // plot and the plots beneath, behind what they draw.
  drawEvents (runs, plot, plots, x) {
    const { ctx, colors } = this;
    this.eventSpans = [];
    ctx.fillStyle = withAlpha(colors.stress, this.eventAlpha);
    for (const run of runs) {
      const x0 = Math.max(plot.left, x(run.t0));
      const x1 = Math.min(plot.right, x(run.t1));
      if (x1 <= x0)
        continue;
      ctx.fillRect(x0, plot.top, x1 - x0, plot.bottom - plot.top);
      for (const below of plots)
        ctx.fillRect(x0, below.top, x1 - x0, below.bottom - below.top);
      this.eventSpans.push({ t0: run.t0, t1: run.t1, x0, x1 });
    }
  }

  drawStress (points, plot, x, yStress, gap) {
    const { ctx, colors } = this;
    const gradient = ctx.createLinearGradient(0, plot.top, 0, plot.bottom);
    gradient.addColorStop(0, withAlpha(colors.stress, this.bandAlpha[0]));
    gradient.addColorStop(1, withAlpha(colors.stress, this.bandAlpha[1]));

    for (const segment of this.segments(points.filter((p) => p.stress !== null), gap)) {
      ctx.beginPath();
      ctx.moveTo(x(segment[0].t), plot.bottom);
      for (const p of segment)
        ctx.lineTo(x(p.t), yStress(p.stress));
      ctx.lineTo(x(segment[segment.length - 1].t), plot.bottom);
      ctx.closePath();
      ctx.fillStyle = gradient;
      ctx.fill();

      ctx.beginPath();
      segment.forEach((p, i) => (i ? ctx.lineTo(x(p.t), yStress(p.stress)) : ctx.moveTo(x(p.t), yStress(p.stress))));
      ctx.strokeStyle = withAlpha(colors.stress, 0.9);
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
  }

  drawHeartRate (points, x, yBpm, gap) {
    const { ctx, colors } = this;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    for (const segment of this.segments(points, gap)) {
      ctx.beginPath();
      segment.forEach((p, i) => (i ? ctx.lineTo(x(p.t), yBpm(p.bpm)) : ctx.moveTo(x(p.t), yBpm(p.bpm))));
      // A halo in the card colour keeps the line readable over the band.
      ctx.strokeStyle = withAlpha(colors.card, 0.8);
      ctx.lineWidth = 5;
      ctx.stroke();
      ctx.strokeStyle = colors.heart;
      ctx.lineWidth = 2.25;
      ctx.stroke();
    }
  }

  // ---- the lanes under the heart rate ----

  drawLane (lane, visible, plot, x, start, end, dt) {
    const { ctx, colors } = this;
    const color = colors[lane.name];
    const points = this.lanePoints(lane.name, visible, start, end);
    const range = this.updateLaneRange(lane.name, points, dt);
    const y = (v) => lane.bottom - (v - range.lo) / (range.hi - range.lo) * (lane.bottom - lane.top);

    // A baseline and, for skin conductance, its scale in µS on the left.
    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid;
    ctx.beginPath();
    ctx.moveTo(plot.left, Math.round(lane.bottom) + 0.5);
    ctx.lineTo(plot.right, Math.round(lane.bottom) + 0.5);
    ctx.stroke();
    if (lane.name === 'eda') {
      ctx.fillStyle = color;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      const decimals = range.hi - range.lo < 1 ? 2 : 1;
      ctx.fillText(range.hi.toFixed(decimals), plot.left - 8, lane.top + 1);
      ctx.fillText(range.lo.toFixed(decimals), plot.left - 8, lane.bottom - 1);
    }

    if (points.length > 0) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(plot.left, lane.top - 3, plot.right - plot.left, lane.bottom - lane.top + 6);
      ctx.clip();
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      for (const segment of this.segments(points, Math.max(1500, this.buffer.intervalMs * 4))) {
        if (lane.name === 'respiration') {
          // Breathing as a filled waveform, chest expansion above the baseline.
          tracePath(ctx, segment, x, y, true);
          ctx.lineTo(x(segment[segment.length - 1].t), lane.bottom);
          ctx.lineTo(x(segment[0].t), lane.bottom);
          ctx.closePath();
          ctx.fillStyle = withAlpha(color, this.bandAlpha[1] + 0.04);
          ctx.fill();
        }
        tracePath(ctx, segment, x, y, lane.name === 'respiration');
        ctx.strokeStyle = withAlpha(colors.card, 0.8);
        ctx.lineWidth = 4;
        ctx.stroke();
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      ctx.restore();
    }

    // The lane's name over its top left corner, on the card's colour.
    const title = lane.name === 'respiration' ? 'Breathing' : 'Skin conductance · µS';
    ctx.font = `600 ${FONT_PX - 1}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    const w = ctx.measureText(title).width;
    ctx.fillStyle = withAlpha(colors.card, 0.85);
    ctx.fillRect(plot.left + 1, lane.top + 1, w + 10, FONT_PX + 4);
    ctx.fillStyle = color;
    ctx.fillText(title, plot.left + 6, lane.top + 3);
    ctx.font = this.font;
  }

  // The lane's values in view: from the channel's own stream where it
  // flows (25 Hz breathing), from the 2 Hz samples before that.
  lanePoints (name, visible, start, end) {
    const fine = this.channels[name];
    let since = Infinity;
    const out = [];
    if (fine && fine.freshAt(end + 2000))
      since = Math.max(start - 1000, fine.coveredSince());
    for (const p of visible) {
      if (p.t >= since)
        break;
      if (p[name] !== null)
        out.push({ t: p.t, v: p[name] });
    }
    if (since !== Infinity) {
      const points = fine.points;
      let i = points.length;
      while (i > 0 && points[i - 1].t >= since)
        i--;
      for (; i < points.length && points[i].t <= end + 1000; i++)
        out.push({ t: points[i].t, v: points[i].value });
      if (i < points.length)
        out.push({ t: points[i].t, v: points[i].value });
    }
    return out;
  }

  updateLaneRange (name, points, dt) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of points) {
      lo = Math.min(lo, p.v);
      hi = Math.max(hi, p.v);
    }
    let target;
    if (name === 'respiration') {
      // From rest volume (0) up: a deep breath fills more of the lane.
      target = { lo: Math.min(0, Number.isFinite(lo) ? lo : 0), hi: Math.max(1.2, Number.isFinite(hi) ? hi * 1.08 : 1.2) };
    } else {
      if (!Number.isFinite(lo)) {
        lo = 2;
        hi = 8;
      }
      // At least 0.5 µS from top to bottom, on tenths of a µS.
      const mid = (lo + hi) / 2;
      const half = Math.max(0.25, (hi - lo) / 2 * 1.15);
      target = { lo: Math.max(0, Math.floor((mid - half) * 10) / 10), hi: Math.ceil((mid + half) * 10) / 10 };
    }
    const range = this.laneRanges[name];
    if (!range)
      return (this.laneRanges[name] = target);
    const k = 1 - Math.exp(-dt / 250);
    for (const key of ['lo', 'hi']) {
      range[key] += (target[key] - range[key]) * k;
      if (Math.abs(range[key] - target[key]) < 0.005)
        range[key] = target[key];
    }
    return range;
  }

  // ---- the long spans: buckets of GET /api/day ----

  // Returns false: nothing moves between answers, so the frame loop stops.
  drawDay (dt) {
    const { ctx, width, height, colors } = this;
    const spanS = this.spanS;
    const day = this.day && this.day.span === spanS ? this.day : null;
    const buckets = day ? day.buckets : [];
    const resolution = day ? day.resolution : 60;
    if (this.hadPoints !== buckets.length > 0) {
      this.hadPoints = buckets.length > 0;
      this.onVisibleChange?.(this.hadPoints);
    }
    this.phaseMarks = [];

    // The newest bucket ends at the right edge: "now" in simulation time.
    const last = buckets[buckets.length - 1];
    const end = last ? last.t + resolution : spanS;
    const start = end - spanS;
    const inView = buckets.filter((b) => b.t + resolution > start);
    const range = inView.flatMap((b) => [{ bpm: b.low }, { bpm: b.high }]);
    this.updateRange(range, dt, true);

    const labelWidth = Math.ceil(ctx.measureText('100%').width);
    const laneHeight = this.laneHeight();
    const plot = {
      left: labelWidth + 10,
      right: width - labelWidth - 10,
      top: 10,
      bottom: height - AXIS_HEIGHT - BANDS.length * laneHeight,
    };
    let bandTop = plot.bottom;
    const bands = BANDS.map((name) => {
      const room = Math.round(BAND_SHARE[name] * BANDS.length * laneHeight);
      const band = { name, top: bandTop + LANE_GAP, bottom: bandTop + room };
      bandTop += room;
      return band;
    });
    const chartBottom = bands[bands.length - 1].bottom;
    const x = (t) => plot.left + (t - start) / spanS * (plot.right - plot.left);
    const yBpm = (bpm) => plot.bottom - (bpm - this.range.lo) / (this.range.hi - this.range.lo) * (plot.bottom - plot.top);
    const yStress = (s) => plot.bottom - s * (plot.bottom - plot.top);
    this.layout = {
      left: plot.left,
      right: plot.right,
      heart: { top: plot.top, bottom: plot.bottom },
      lanes: {},
      bands: Object.fromEntries(bands.map((band) => [band.name, { top: band.top, bottom: band.bottom }])),
    };

    this.drawGrid(plot, yBpm, chartBottom, (ago) => x(end - ago));
    // A bucket with an event at any of its samples is shaded whole.
    const events = [];
    for (const b of inView) {
      const run = events[events.length - 1];
      if (!b.event)
        continue;
      if (run && run.t1 === b.t)
        run.t1 = b.t + resolution;
      else
        events.push({ t0: b.t, t1: b.t + resolution });
    }
    this.drawEvents(events, plot, bands, x);
    // A point a bucket, at its middle, in runs of buckets without a gap;
    // a bucket alone is a level across its width, or it would not show.
    const segments = [];
    for (const b of inView) {
      const current = segments[segments.length - 1];
      if (current && b.t - current[current.length - 1].t <= resolution + LIVED_GAP_S)
        current.push(b);
      else
        segments.push([b]);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, plot.top - 6, plot.right - plot.left, plot.bottom - plot.top + 6);
    ctx.clip();
    for (const segment of segments) {
      const points = segment.length > 1 ? segment.map((b) => ({ ...b, t: b.t + resolution / 2 }))
        : [segment[0], { ...segment[0], t: segment[0].t + resolution }];
      this.drawStress(points, plot, x, yStress, Infinity);
      // The range of the heart rate within each bucket, behind its mean.
      ctx.fillStyle = withAlpha(colors.heart, 0.18);
      ctx.beginPath();
      points.forEach((p, i) => (i ? ctx.lineTo(x(p.t), yBpm(p.high)) : ctx.moveTo(x(p.t), yBpm(p.high))));
      for (let i = points.length - 1; i >= 0; i--)
        ctx.lineTo(x(points[i].t), yBpm(points[i].low));
      ctx.closePath();
      ctx.fill();
      this.drawHeartRate(points, x, yBpm, Infinity);
    }
    ctx.restore();

    const runs = {
      activity: this.runsOf(inView, resolution, 'activity'),
      sleep: this.runsOf(inView, resolution, 'stage'),
    };
    for (const band of bands)
      this.drawBand(band, runs[band.name], plot, x, start);
    this.dayView = {
      span: spanS,
      resolution,
      buckets: inView.length,
      events: this.eventSpans.length,
      runs: Object.fromEntries(BANDS.map((name) => [name, runs[name].map((run) => ({
        name: run.name, x0: Math.max(plot.left, x(run.t0)), x1: Math.min(plot.right, x(run.t1)),
      }))])),
    };
    return false;
  }

  // Buckets that follow on with the same activity or stage, as one run
  // {name, t0, t1} that lasts until the next bucket; buckets without one
  // (out of bed) make none.
  runsOf (buckets, resolution, key) {
    const runs = [];
    let run = null;
    let before = null;
    for (const b of buckets) {
      const name = b[key];
      const follows = before !== null && b.t - before.t <= resolution + LIVED_GAP_S;
      if (run && follows)
        run.t1 = b.t;
      if (run && follows && name === run.name) {
        run.t1 = b.t + resolution;
      } else {
        run = name ? { name, t0: b.t, t1: b.t + resolution } : null;
        if (run)
          runs.push(run);
      }
      before = b;
    }
    return runs;
  }

  // The activity as blocks of its colour, the sleep stages as a hypnogram:
  // awake at the top, deep sleep at the bottom, a step line through them.
  drawBand (band, runs, plot, x, start) {
    const { ctx, colors } = this;
    const top = band.top + BAND_TITLE;
    const sleep = band.name === 'sleep';
    const rows = sleep ? STAGE_ROW_NAMES.length : 1;
    const rowHeight = (band.bottom - top) / rows;
    const rowTop = (run) => top + (sleep ? STAGE_ROW[run.name] : 0) * rowHeight;

    ctx.lineWidth = 1;
    ctx.strokeStyle = colors.grid;
    ctx.beginPath();
    ctx.moveTo(plot.left, Math.round(band.bottom) + 0.5);
    ctx.lineTo(plot.right, Math.round(band.bottom) + 0.5);
    ctx.stroke();

    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, band.top, plot.right - plot.left, band.bottom - band.top + 1);
    ctx.clip();
    if (sleep && runs.length > 1) {
      ctx.strokeStyle = colors.label;
      ctx.beginPath();
      runs.forEach((run, i) => {
        const y = rowTop(run) + rowHeight / 2;
        if (i === 0 || runs[i - 1].t1 !== run.t0)
          ctx.moveTo(x(run.t0), y);
        else
          ctx.lineTo(x(run.t0), y);
        ctx.lineTo(x(run.t1), y);
      });
      ctx.stroke();
    }
    for (const run of runs) {
      // on whole pixels, at least one, so that a minute in a day shows in
      // its colour rather than blended into the card
      const x0 = Math.floor(x(Math.max(run.t0, start)));
      const w = Math.max(1, Math.round(x(run.t1)) - x0);
      ctx.fillStyle = (sleep ? colors.stage : colors.activity)[run.name];
      ctx.fillRect(x0, rowTop(run) + (sleep ? 1 : 0), w, rowHeight - (sleep ? 2 : 0));
    }
    ctx.restore();

    // The band's name over its top left corner; the hypnogram's rows named
    // on the right, where the stress axis has its labels.
    ctx.font = `600 ${FONT_PX - 1}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillStyle = colors.label;
    ctx.fillText(sleep ? 'Sleep stage' : 'Activity', plot.left + 6, band.top + 2);
    if (sleep) {
      ctx.font = `${FONT_PX - 2}px ${getComputedStyle(document.body).fontFamily}`;
      ctx.textBaseline = 'middle';
      STAGE_ROW_NAMES.forEach((name, i) => ctx.fillText(name, plot.right + 6, top + (i + 0.5) * rowHeight));
    }
    ctx.font = this.font;
  }

  // ---- scenario phases ----

  // Runs of one condition over the points in view. Points that do not say
  // (Server-Sent Events carry no condition) belong to the run before them.
  phaseRuns (visible) {
    const runs = [];
    let current = null;
    for (const p of visible) {
      if (p.condition === null)
        continue;
      if (!current || p.condition !== current.name) {
        current = { name: p.condition, t: p.t, changed: current !== null };
        runs.push(current);
      }
    }
    return runs;
  }

  // A dashed line where the phase changed, through the heart rate and the
  // lanes, and the new phase's name above it, within the phase's own span
  // (shortened to fit, or left out for a phase too short to name); the name
  // of a phase that began before the window stays at the left edge until
  // the next pushes it out, as a list's sticky headers do.
  drawPhases (runs, plot, x, chartBottom) {
    const { ctx, colors } = this;
    this.phaseMarks = [];
    if (runs.length === 0)
      return;
    const stripTop = plot.top - PHASE_STRIP;
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left, 0, plot.right - plot.left + 1, chartBottom + AXIS_HEIGHT);
    ctx.clip();

    ctx.strokeStyle = withAlpha(colors.phase, 0.75);
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    for (const run of runs) {
      const px = Math.round(x(run.t)) + 0.5;
      if (!run.changed || px < plot.left || px > plot.right)
        continue;
      ctx.beginPath();
      ctx.moveTo(px, stripTop + 2);
      ctx.lineTo(px, chartBottom + 5);
      ctx.stroke();
      this.phaseMarks.push({ t: run.t, name: run.name, x: px });
    }
    ctx.setLineDash([]);

    ctx.font = `700 ${FONT_PX}px ${getComputedStyle(document.body).fontFamily}`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    const height = PHASE_STRIP - 6;
    const labels = runs.map((run, i) => ({
      run,
      text: run.name || (run.changed ? 'end' : ''),
      start: x(run.t),
      limit: Math.min(i + 1 < runs.length ? x(runs[i + 1].t) : Infinity, plot.right + 1) - 3,
    })).filter((label) => label.text);
    const top = stripTop + 3;
    for (const label of labels) {
      let text = label.text;
      let width = ctx.measureText(text).width + 14;
      let lx = Math.max(plot.left, label.start - 0.5);
      if (lx + width > label.limit) {
        if (label.start <= plot.left) {
          lx = label.limit - width; // pushed out to the left by the next phase
        } else {
          text = fitText(ctx, text, label.limit - lx - 14);
          if (!text)
            continue;
          width = ctx.measureText(text).width + 14;
        }
      }
      if (lx + width < plot.left || lx > plot.right)
        continue;
      ctx.fillStyle = label.run.name ? withAlpha(colors.phase, 0.16) : withAlpha(colors.label, 0.1);
      roundRect(ctx, lx, top, width, height, 4);
      ctx.fill();
      ctx.fillStyle = label.run.name ? colors.phase : colors.label;
      ctx.fillText(text, lx + 7, top + height / 2 + 0.5);
    }
    ctx.restore();
    ctx.font = this.font;
  }

  // A dot where the trace meets the present, drawn unclipped so it is
  // whole at the edge. Between samples it slides along the line to the
  // next one, like a monitor's pen, instead of jumping.
  drawNewest (points, end, plot, x, yBpm) {
    const { ctx, colors } = this;
    const last = points[points.length - 1];
    const prev = points[points.length - 2];
    let t = last.t;
    let bpm = last.bpm;
    if (last.t > end) {
      if (!prev || prev.t > end || last.t - prev.t > Math.max(3000, this.buffer.intervalMs * 4))
        return;
      const f = (end - prev.t) / (last.t - prev.t);
      t = end;
      bpm = prev.bpm + f * (last.bpm - prev.bpm);
    }
    const lx = x(t);
    const ly = yBpm(bpm);
    if (lx >= plot.left && lx <= plot.right + 1 && ly >= plot.top && ly <= plot.bottom) {
      ctx.fillStyle = withAlpha(colors.heart, 0.22);
      ctx.beginPath();
      ctx.arc(lx, ly, 8, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = colors.heart;
      ctx.beginPath();
      ctx.arc(lx, ly, 4, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

// A number from a field that may be null or missing: null then, not 0.
function finite (value) {
  if (value === null || value === undefined || value === '')
    return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

// Colours come from CSS as #rrggbb or rgba(); canvas wants the alpha
// separately (an rgba()'s own alpha is multiplied in).
function withAlpha (color, alpha) {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgba = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+))?\s*\)$/.exec(color);
  if (rgba)
    return `rgba(${rgba[1]}, ${rgba[2]}, ${rgba[3]}, ${(rgba[4] === undefined ? 1 : Number(rgba[4])) * alpha})`;
  return color;
}

// The text, or as much of it as fits in the width with an ellipsis; ''
// when not even one letter does.
function fitText (ctx, text, width) {
  if (ctx.measureText(text).width <= width)
    return text;
  for (let n = text.length - 1; n >= 1; n--) {
    const shorter = text.slice(0, n) + '…';
    if (ctx.measureText(shorter).width <= width)
      return shorter;
  }
  return '';
}

// A line through the points; smooth (Catmull-Rom as Bézier curves) for
// waveforms sampled coarsely, such as breathing at 2 Hz.
function tracePath (ctx, points, x, y, smooth) {
  ctx.beginPath();
  ctx.moveTo(x(points[0].t), y(points[0].v));
  if (!smooth || points.length < 3) {
    for (let i = 1; i < points.length; i++)
      ctx.lineTo(x(points[i].t), y(points[i].v));
    return;
  }
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[Math.max(0, i - 1)];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[Math.min(points.length - 1, i + 2)];
    ctx.bezierCurveTo(
      x(p1.t) + (x(p2.t) - x(p0.t)) / 6, y(p1.v) + (y(p2.v) - y(p0.v)) / 6,
      x(p2.t) - (x(p3.t) - x(p1.t)) / 6, y(p2.v) - (y(p3.v) - y(p1.v)) / 6,
      x(p2.t), y(p2.v));
  }
}

function roundRect (ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}
