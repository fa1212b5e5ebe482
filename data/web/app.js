// SPDX-License-Identifier: GPL-3.0-or-later
//
// Heartsim dashboard: wires the live stream, the chart, the readouts and the
// controls together. No build step and nothing from the network but the
// Heartsim server that served this page.

import { ApiError, getJson, getToken, post, setToken } from './api.js';
import { HeartChart } from './chart.js';
import { SampleBuffer } from './samples.js';
import { SampleStream } from './stream.js';

const HISTORY_LIMIT = 1000;
const CHART_MS = 65000;
const ANNOUNCE_EVERY_MS = 20000;
const TOAST_MS = 6000;

const $ = (id) => document.getElementById(id);

const view = {
  connection: $('connection'),
  connectionText: $('connection-text'),
  bpm: $('bpm'),
  rr: $('rr'),
  variability: $('variability'),
  rmssd: $('rmssd'),
  stress: $('stress'),
  stressMeter: $('stress-meter'),
  state: $('state'),
  seq: $('seq'),
  announcer: $('announcer'),
  canvas: $('chart'),
  chartEmpty: $('chart-empty'),
  runButton: $('run-button'),
  stressLevel: $('stress-level'),
  stressLevelValue: $('stress-level-value'),
  stressButton: $('stress-button'),
  baseline: $('baseline'),
  baselineValue: $('baseline-value'),
  profiles: [...document.querySelectorAll('[data-baseline]')],
  tokenBanner: $('token-banner'),
  tokenForm: $('token-form'),
  tokenInput: $('token-input'),
  toast: $('toast'),
  toastText: $('toast-text'),
  toastClose: $('toast-close'),
};

const buffer = new SampleBuffer();
const chart = new HeartChart(view.canvas, buffer, {
  onVisibleChange: (visible) => { view.chartEmpty.hidden = visible; },
});

const state = {
  latest: null, // newest sample seen, for the readouts
  lastSeq: null, // seq of the newest sample, for gap filling
  serverStartedAt: null, // tells a restarted server from the same one
  samplesReceived: 0, // live samples, for tests and the curious
  pendingRender: false,
  lastAnnounce: 0,
  lastAnnounced: '',
  running: null,
  baselineBusy: false, // the user is dragging: do not move the slider under them
  retryAfterToken: null,
  toastTimer: 0,
  statusTimer: 0,
};

// ---- samples ----

function acceptSample (sample, live) {
  if (live) {
    buffer.addLive(sample);
    state.samplesReceived++;
  } else {
    buffer.addHistory([sample]);
  }
  if (Number.isFinite(sample.seq) && (live || state.lastSeq === null || sample.seq > state.lastSeq))
    state.lastSeq = sample.seq;
  // SSE events carry fewer fields: keep the others from before.
  if (!state.latest || !isOlder(sample, state.latest))
    state.latest = { ...state.latest, ...sample };
  chart.redraw();
  scheduleRender();
}

function isOlder (a, b) {
  return Date.parse(a.timestamp) < Date.parse(b.timestamp);
}

// After a (re)connection: fill the chart from the server's buffer, from
// where we left off or, the first time or after a restart, the last minute.
async function resync ({ resumed }) {
  // Taken before any await: live samples of this connection move lastSeq on.
  const seqBefore = state.lastSeq;
  refreshCurrent();
  if (resumed)
    return;
  try {
    const health = await getJson('health');
    if (health.version)
      setText($('version'), `Heartsim ${health.version}`);
    const newestSeq = Number(health.seq);
    const intervalMs = Math.max(10, Number(health.interval_ms) || 500);
    if (health.simulation_state === 'running' || health.simulation_state === 'stopped')
      setRunning(health.simulation_state === 'running');
    if (!Number.isFinite(newestSeq) || newestSeq === 0)
      return;
    // A new server process numbers from 1 again: what we saw before says
    // nothing about what it holds.
    const startedAt = Date.now() - Number(health.uptime_s) * 1000;
    const restarted = state.serverStartedAt !== null && Math.abs(startedAt - state.serverStartedAt) > 3000;
    state.serverStartedAt = startedAt;
    const resumeFrom = restarted || seqBefore === null || seqBefore > newestSeq ? 0 : seqBefore;
    const minuteOfSamples = Math.min(HISTORY_LIMIT, Math.ceil(CHART_MS / intervalMs) + 5);
    const since = Math.max(resumeFrom, newestSeq - minuteOfSamples);
    const body = await getJson('api/history', { since, limit: HISTORY_LIMIT });
    const samples = Array.isArray(body?.samples) ? body.samples : [];
    for (const sample of samples)
      acceptSample(sample, false);
  } catch (error) {
    console.warn('Heartsim: could not load history:', error.message);
  }
}

async function refreshCurrent () {
  try {
    const current = await getJson('heartbeat/current');
    if (current && typeof current === 'object' && current.timestamp) {
      if (!state.latest || !isOlder(current, state.latest))
        state.latest = { ...state.latest, ...current };
      scheduleRender();
    }
  } catch {
    // The stream will tell us soon enough.
  }
}

// ---- readouts, rendered at most once a frame however fast samples come ----

function scheduleRender () {
  if (state.pendingRender)
    return;
  state.pendingRender = true;
  requestAnimationFrame(render);
}

function render () {
  state.pendingRender = false;
  const s = state.latest;
  if (!s)
    return;
  const bpm = Number(s.bpm ?? s.value);
  setText(view.bpm, Number.isFinite(bpm) ? String(Math.round(bpm)) : '–');
  setText(view.rr, Number.isFinite(s.rr_ms) ? `RR ${Math.round(s.rr_ms)} ms` : 'RR – ms');
  setText(view.variability, Number.isFinite(s.variability) ? s.variability.toFixed(3) : '–');
  setText(view.rmssd, Number.isFinite(s.rmssd_ms) ? s.rmssd_ms.toFixed(1) : '–');
  const stress = Number(s.stress_level);
  setText(view.stress, Number.isFinite(stress) ? String(Math.round(stress * 100)) : '–');
  view.stressMeter.style.width = Number.isFinite(stress) ? `${Math.round(stress * 100)}%` : '0';
  setText(view.seq, Number.isFinite(s.seq) ? s.seq.toLocaleString() : '–');

  if (s.state === 'running' || s.state === 'stopped')
    setRunning(s.state === 'running');
  if (Number.isFinite(s.baseline_bpm) && !state.baselineBusy && document.activeElement !== view.baseline)
    showBaseline(s.baseline_bpm);
  announce(s, bpm, stress);
}

function setText (element, text) {
  if (element.textContent !== text)
    element.textContent = text;
}

function setRunning (running) {
  if (state.running === running)
    return;
  state.running = running;
  stream.setExpectingSamples(running);
  view.state.dataset.state = running ? 'running' : 'stopped';
  setText(view.state, running ? 'Running' : 'Stopped');
  view.runButton.disabled = false;
  setText(view.runButton, running ? 'Stop' : 'Start');
  view.runButton.classList.toggle('suggested', !running);
  view.runButton.classList.toggle('destructive', running);
  view.runButton.setAttribute('aria-label', running ? 'Stop simulation' : 'Start simulation');
  setText(view.chartEmpty, running ? 'Waiting for data…' : 'The simulation is stopped');
  announceNow(running ? 'Simulation running' : 'Simulation stopped');
}

// Screen readers hear a summary every 20 s at most, not every sample.
function announce (s, bpm, stress) {
  const now = performance.now();
  if (now - state.lastAnnounce < ANNOUNCE_EVERY_MS || !Number.isFinite(bpm))
    return;
  const text = `Heart rate ${Math.round(bpm)} bpm, stress ${Math.round(stress * 100)} percent`;
  state.lastAnnounce = now;
  view.canvas.setAttribute('aria-label', `Heart rate chart of the last 60 seconds, now ${Math.round(bpm)} bpm`);
  if (text !== state.lastAnnounced) {
    state.lastAnnounced = text;
    view.announcer.textContent = text;
  }
}

function announceNow (text) {
  view.announcer.textContent = text;
}

// ---- connection status ----

const TRANSPORT_NAMES = { websocket: 'WebSocket', sse: 'Server-Sent Events' };

const STATUS_ANNOUNCEMENTS = {
  live: 'Connected to Heartsim',
  reconnecting: 'Connection lost, reconnecting',
  offline: 'Heartsim server unreachable',
};

function showStatus ({ status, transport, retryAt }) {
  clearInterval(state.statusTimer);
  // The countdown below is not live: announce changes of status only.
  if (status !== view.connection.dataset.status && STATUS_ANNOUNCEMENTS[status])
    announceNow(STATUS_ANNOUNCEMENTS[status]);
  view.connection.dataset.status = status;
  view.connection.dataset.transport = transport;
  view.connection.title = `Transport: ${TRANSPORT_NAMES[transport]}`;
  const update = () => {
    let text;
    if (status === 'live')
      text = 'Live';
    else if (status === 'connecting')
      text = 'Connecting…';
    else {
      const seconds = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      const prefix = status === 'offline' ? 'Offline' : 'Reconnecting';
      text = retryAt && seconds > 0 ? `${prefix} · retry in ${seconds} s` : `${prefix}…`;
    }
    setText(view.connectionText, text);
  };
  update();
  if (retryAt)
    state.statusTimer = setInterval(update, 1000);
}

// ---- controls ----

async function command (path, params, button) {
  if (button)
    button.disabled = true;
  try {
    const body = await post(path, params);
    hideToast();
    if (body && (body.state === 'running' || body.state === 'stopped'))
      setRunning(body.state === 'running');
    refreshCurrent();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      state.retryAfterToken = () => command(path, params, button);
      askForToken(Boolean(getToken()));
    }
    showToast(error.message);
    return false;
  } finally {
    if (button)
      button.disabled = false;
  }
}

function askForToken (rejected) {
  view.tokenBanner.hidden = false;
  view.tokenInput.setCustomValidity('');
  if (rejected)
    view.tokenInput.value = '';
  view.tokenInput.focus();
}

view.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = view.tokenInput.value.trim();
  if (!token)
    return;
  setToken(token);
  view.tokenBanner.hidden = true;
  const retry = state.retryAfterToken;
  state.retryAfterToken = null;
  retry?.();
});

view.runButton.addEventListener('click', () => {
  command(state.running ? 'simulation/stop' : 'simulation/start', {}, view.runButton);
});

function showStressLevel () {
  const level = Number(view.stressLevel.value);
  setText(view.stressLevelValue, `${Math.round(level * 100)} %`);
  fillSlider(view.stressLevel);
}

view.stressLevel.addEventListener('input', showStressLevel);
view.stressButton.addEventListener('click', () => {
  command('simulation/trigger-stress', { stress_level: view.stressLevel.value }, view.stressButton);
});

function showBaseline (bpm) {
  view.baseline.value = String(bpm);
  setText(view.baselineValue, `${bpm} bpm`);
  fillSlider(view.baseline);
  for (const button of view.profiles)
    button.setAttribute('aria-pressed', String(Number(button.dataset.baseline) === Number(bpm)));
}

function setBaseline (bpm) {
  showBaseline(bpm);
  command('simulation/set-baseline', { baseline_bpm: bpm });
}

view.baseline.addEventListener('pointerdown', () => { state.baselineBusy = true; });
view.baseline.addEventListener('input', () => showBaseline(Number(view.baseline.value)));
// 'change' fires once on release (or per key press), so dragging sends one request.
view.baseline.addEventListener('change', () => {
  state.baselineBusy = false;
  setBaseline(Number(view.baseline.value));
});
for (const button of view.profiles)
  button.addEventListener('click', () => setBaseline(Number(button.dataset.baseline)));

// WebKit and Blink have no ::range-progress: paint the filled part of the trough.
function fillSlider (input) {
  const min = Number(input.min);
  const max = Number(input.max);
  const fraction = (Number(input.value) - min) / (max - min);
  input.style.setProperty('--fill', `${(fraction * 100).toFixed(2)}%`);
}

// ---- toast ----

function showToast (message) {
  clearTimeout(state.toastTimer);
  view.toastText.textContent = message;
  view.toast.hidden = false;
  state.toastTimer = setTimeout(hideToast, TOAST_MS);
}

function hideToast () {
  clearTimeout(state.toastTimer);
  view.toast.hidden = true;
}

view.toastClose.addEventListener('click', hideToast);
view.toast.addEventListener('focusin', () => clearTimeout(state.toastTimer));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !view.toast.hidden)
    hideToast();
});

// ---- start ----

const params = new URLSearchParams(location.search);
const stream = new SampleStream({
  transport: params.get('transport') === 'sse' ? 'sse' : 'websocket',
  onSample: (sample) => acceptSample(sample, true),
  onStatus: showStatus,
  onConnected: resync,
});

showStressLevel();
showBaseline(Number(view.baseline.value));
stream.start();

// For the browser tests and for anyone poking at the page from the console.
window.heartsim = {
  get samplesReceived () { return state.samplesReceived; },
  get chartPoints () { return buffer.length; },
  get latest () { return state.latest; },
  get transport () { return stream.transport; },
  get status () { return view.connection.dataset.status; },
};
