// SPDX-License-Identifier: GPL-3.0-or-later
//
// The heart-rate chart: the last 60 s on a canvas, heart rate as a line on
// the left axis, stress as a filled band on the right axis (0–100 %).
// It only draws; the data lives in a SampleBuffer. Redraws follow the
// display's frames so the trace scrolls smoothly between samples.

const WINDOW_MS = 60000;
const MIN_SPAN_BPM = 30;
const FONT_PX = 12;

export class HeartChart {
  constructor (canvas, buffer, { onVisibleChange } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.buffer = buffer;
    this.onVisibleChange = onVisibleChange;
    this.width = 0;
    this.height = 0;
    this.ratio = 1;
    this.range = null; // {lo, hi} animated toward the data's range
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
      grid: get('--grid'),
      label: get('--dim'),
      card: get('--card-bg'),
    };
    // An orange band glows on a dark card: fill it more faintly there.
    this.bandAlpha = window.matchMedia('(prefers-color-scheme: dark)').matches ? [0.3, 0.07] : [0.42, 0.12];
    this.font = `${FONT_PX}px ${getComputedStyle(document.body).fontFamily}`;
  }

  resize (entry) {
    const box = entry.contentBoxSize?.[0];
    const width = box ? box.inlineSize : this.canvas.clientWidth;
    const height = box ? box.blockSize : this.canvas.clientHeight;
    const ratio = window.devicePixelRatio || 1;
    // Exact device pixels where the browser tells them, so lines stay crisp.
    const device = entry.devicePixelContentBoxSize?.[0];
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
    const labelWidth = Math.ceil(ctx.measureText('100%').width);
    const plot = {
      left: labelWidth + 10,
      right: width - labelWidth - 10,
      top: 10,
      bottom: height - 24,
    };
    const x = (t) => plot.left + (t - start) / WINDOW_MS * (plot.right - plot.left);
    const yBpm = (bpm) => plot.bottom - (bpm - this.range.lo) / (this.range.hi - this.range.lo) * (plot.bottom - plot.top);
    const yStress = (s) => plot.bottom - s * (plot.bottom - plot.top);

    this.drawGrid(plot, x, yBpm, start);
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

  updateRange (visible, dt) {
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

    if (!this.range) {
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

  drawGrid (plot, x, yBpm, start) {
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

    // Time axis: fixed ticks every 10 s, the trace scrolls beneath them.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = colors.label;
    // Narrow plots (phones) label every other line so labels never collide.
    const labelEvery = plot.right - plot.left < 420 ? 20 : 10;
    ctx.beginPath();
    for (let ago = 60; ago >= 0; ago -= 10) {
      const px = Math.round(x(start + (60 - ago) * 1000)) + 0.5;
      ctx.moveTo(px, plot.top);
      ctx.lineTo(px, plot.bottom);
      if (ago % labelEvery !== 0)
        continue;
      const label = ago === 0 ? 'now' : `−${ago} s`;
      ctx.textAlign = ago === 60 ? 'left' : ago === 0 ? 'right' : 'center';
      ctx.fillText(label, ago === 60 ? plot.left : ago === 0 ? plot.right : px, plot.bottom + 7);
    }
    ctx.stroke();
  }

  // Segments split where samples are missing (the server was away), so a
  // restart shows as a gap rather than a made-up straight line.
  segments (points) {
    const gapMs = Math.max(3000, this.buffer.intervalMs * 4);
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

  drawStress (points, plot, x, yStress) {
    const { ctx, colors } = this;
    const gradient = ctx.createLinearGradient(0, plot.top, 0, plot.bottom);
    gradient.addColorStop(0, withAlpha(colors.stress, this.bandAlpha[0]));
    gradient.addColorStop(1, withAlpha(colors.stress, this.bandAlpha[1]));

    for (const segment of this.segments(points.filter((p) => p.stress !== null))) {
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

  drawHeartRate (points, x, yBpm) {
    const { ctx, colors } = this;
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    for (const segment of this.segments(points)) {
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

// Colours come from CSS as #rrggbb; canvas wants the alpha separately.
function withAlpha (color, alpha) {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (!hex)
    return color;
  const n = parseInt(hex[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
