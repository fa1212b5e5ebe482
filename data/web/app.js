// SPDX-License-Identifier: GPL-3.0-or-later
//
// Heartsim dashboard: wires the live stream, the chart, the readouts and the
// controls together. No build step and nothing from the network but the
// Heartsim server that served this page.
//
// The 2 Hz sample (docs/api.md) carries everything shown. Where the server
// has more (GET /api/channels, /ws/stream, /simulation/scenario,
// /simulation/profile, /api/day), the page takes it: breathing at 25 Hz,
// the scenario's name, time and control, the person's stress level and
// random events, the day's totals and the chart's hour and day, and the
// ECG and pleth of the monitor (monitor.js).

import { ApiError, del, getJson, getToken, post, setToken } from './api.js';
import { ACTIVITIES, BANDS, HeartChart, LANES, LIVE_SPAN_S } from './chart.js';
import { DayFeed, LONG_SPANS, hoursMinutes } from './day.js';
import { WAVEFORMS, WaveformMonitor } from './monitor.js';
import { ChannelBuffer, SampleBuffer } from './samples.js';
import { SampleStream } from './stream.js';

const HISTORY_LIMIT = 1000;
const CHART_MS = 65000;
const ANNOUNCE_EVERY_MS = 20000;
const TOAST_MS = 6000;
const LANES_KEY = 'heartsim-lanes'; // localStorage: which lanes the chart shows
const SPAN_KEY = 'heartsim-span'; // localStorage: the chart's span, in seconds
const SPAN_TITLES = { 60: 'Last 60 Seconds', 3600: 'Last Hour', 86400: 'Last 24 Hours' };
const SPAN_WORDS = { 60: 'the last 60 seconds', 3600: 'the last hour', 86400: 'the last 24 hours' };
const SCENARIO_REFRESH_MS = 10000;
// GET /simulation/profile: the tonic stress and the random events, which no
// sample carries, set by the desktop app or another client meanwhile
const PERSON_REFRESH_MS = 5000;
// After the page sends a slider's value, how long the samples may still
// carry the old one before the slider follows them again
const SENT_GRACE_MS = 2000;
// The respiration waveform's usual top (a deep breath); the meter's full width.
const BREATH_FULL = 1.8;
// How often the monitor's canvas says its heart rate to a screen reader
const MONITOR_LABEL_MS = 5000;

const $ = (id) => document.getElementById(id);

const view = {
  connection: $('connection'),
  connectionText: $('connection-text'),
  bpm: $('bpm'),
  rr: $('rr'),
  variability: $('variability'),
  rmssd: $('rmssd'),
  readouts: document.querySelector('.readouts'),
  eventBadge: $('event-badge'),
  stress: $('stress'),
  stressMeter: $('stress-meter'),
  state: $('state'),
  seq: $('seq'),
  respiratoryRate: $('respiratory-rate'),
  breathMeter: $('breath-meter'),
  eda: $('eda'),
  edaRange: $('eda-range'),
  stepsToday: $('steps-today'),
  cadence: $('cadence'),
  energy: $('energy'),
  activityText: $('activity-text'),
  activities: [...document.querySelectorAll('[data-activity]')],
  phase: $('phase'),
  phaseName: $('phase-name'),
  phaseTime: $('phase-time'),
  chartBox: $('chart-box'),
  chartHeading: $('chart-heading'),
  spanButtons: [...document.querySelectorAll('[data-span]')],
  liveOnly: [...document.querySelectorAll('.live-only')],
  bandLegends: $('band-legends'),
  today: $('today'),
  todaySteps: $('today-steps'),
  todayActiveEnergy: $('today-active-energy'),
  todayActiveMinutes: $('today-active-minutes'),
  todaySleep: $('today-sleep'),
  todaySleepStages: $('today-sleep-stages'),
  laneToggles: [...document.querySelectorAll('[data-lane]')],
  scenarioRow: $('scenario-row'),
  scenarioSelect: $('scenario-select'),
  scenarioButton: $('scenario-button'),
  scenarioHint: $('scenario-hint'),
  announcer: $('announcer'),
  canvas: $('chart'),
  chartEmpty: $('chart-empty'),
  runButton: $('run-button'),
  stressLevel: $('stress-level'),
  stressLevelValue: $('stress-level-value'),
  stressButton: $('stress-button'),
  baseline: $('baseline'),
  baselineValue: $('baseline-value'),
  tonicStress: $('tonic-stress'),
  tonicStressValue: $('tonic-stress-value'),
  randomEvents: $('random-events'),
  eventsPerHour: $('events-per-hour'),
  profile: $('profile-select'),
  spo2: $('spo2'),
  skinTemperature: $('skin-temperature'),
  tokenBanner: $('token-banner'),
  tokenForm: $('token-form'),
  tokenInput: $('token-input'),
  toast: $('toast'),
  toastText: $('toast-text'),
  toastClose: $('toast-close'),
  monitor: $('monitor'),
  monitorPanel: $('monitor-panel'),
  monitorCanvas: $('monitor-canvas'),
  monitorAlert: $('monitor-alert'),
  monitorHr: $('monitor-hr'),
  monitorSpo2: $('monitor-spo2'),
};

const buffer = new SampleBuffer();
// Filled only from /ws/stream, where the server has it.
const channels = Object.fromEntries(LANES.map((name) => [name, new ChannelBuffer()]));
const chart = new HeartChart(view.canvas, buffer, {
  onVisibleChange: (visible) => { view.chartEmpty.hidden = visible; },
  channels,
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
  offline: false, // the stream is down: the readouts are of before
  retryAfterToken: null,
  toastTimer: 0,
  statusTimer: 0,
  condition: null, // the scenario phase shown; '' none, null not known yet
  scenario: null, // the last GET /simulation/scenario, if the server has it
  scenarioAt: 0, // performance.now() of that answer
  scenarioRequest: 0, // answers to older requests are dropped
  channelStream: null, // /ws/stream, if the server has it
  activity: null, // what the person does; null until the server or a click says
  span: LIVE_SPAN_S, // the chart's, in seconds
  lanes: null, // the lanes shown on the live minute
  totals: null, // the day's, from the last GET /api/day
  personRequest: 0, // answers about the person older than a change of ours are dropped
  personChanges: 0, // changes of ours under way: no GET meanwhile, it could overtake them
  eventsRate: 144, // the random events' rate to switch back on to
  monitorText: 0, // a pending update of the monitor's numbers and words
  monitorLabelAt: 0, // when the monitor's canvas last told its rate
};

// A slider that shows the server's value whenever the user is not moving
// it: not while the pointer holds it (a press on the thumb that moves
// nothing sends no change), and not between sending a value and the server
// carrying it, so that a sample of before does not pull it back.
class Follower {
  constructor (input) {
    this.held = false;
    this.sent = null; // {value, at}
    input.addEventListener('pointerdown', () => { this.held = true; });
    for (const type of ['pointerup', 'pointercancel'])
      window.addEventListener(type, () => { this.held = false; });
  }

  sending (value) {
    this.sent = { value, at: performance.now() };
  }

  follows (value) {
    if (this.held)
      return false;
    if (this.sent && Math.abs(value - this.sent.value) > 1e-6 && performance.now() - this.sent.at < SENT_GRACE_MS)
      return false;
    this.sent = null;
    return true;
  }
}

const baselineFollower = new Follower(view.baseline);
const tonicFollower = new Follower(view.tonicStress);

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
  refreshScenario();
  refreshPerson();
  if (resumed)
    return;
  dayFeed.refresh();
  startChannelStream();
  try {
    const health = await getJson('health');
    if (health.version)
      setText($('version'), `Heartsim ${health.version}`);
    const newestSeq = Number(health.seq);
    const intervalMs = Math.max(10, Number(health.interval_ms) || 500);
    if (health.simulation_state === 'running' || health.simulation_state === 'stopped')
      setRunning(health.simulation_state === 'running');
    // what the person does now: the stream only says when it changes
    showActivity(health.activity);
    showProfile(health.profile);
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
  // RMSSD in ms is the headline, the API's 0–1 index beneath, as the window has them
  setText(view.rmssd, Number.isFinite(s.rmssd_ms) ? String(Math.round(s.rmssd_ms)) : '–');
  setText(view.variability, Number.isFinite(s.variability) ? s.variability.toFixed(2) : '–');
  view.eventBadge.hidden = s.event !== true;
  const stress = num(s.stress_level);
  setText(view.stress, Number.isFinite(stress) ? String(Math.round(stress * 100)) : '–');
  view.stressMeter.style.width = Number.isFinite(stress) ? `${Math.round(stress * 100)}%` : '0';
  setText(view.seq, Number.isFinite(s.seq) ? s.seq.toLocaleString() : '–');

  const rate = num(s.respiratory_rate);
  setText(view.respiratoryRate, Number.isFinite(rate) ? rate.toFixed(1) : '–');
  const breath = latestBreath(s);
  view.breathMeter.style.width = Number.isFinite(breath)
    ? `${Math.round(Math.min(1, Math.max(0, breath / BREATH_FULL)) * 100)}%` : '0';
  const eda = num(s.eda);
  setText(view.eda, Number.isFinite(eda) ? eda.toFixed(2) : '–');
  setText(view.edaRange, edaRangeText());
  // Whole percent and a tenth of a degree, as the model gives them
  const spo2 = num(s.spo2);
  setText(view.spo2, Number.isFinite(spo2) ? String(Math.round(spo2)) : '–');
  const skinTemperature = num(s.skin_temperature);
  setText(view.skinTemperature, Number.isFinite(skinTemperature) ? skinTemperature.toFixed(1) : '–');
  setText(view.monitorSpo2, Number.isFinite(spo2) ? String(Math.round(spo2)) : '–');
  const steps = num(s.steps_today);
  setText(view.stepsToday, Number.isFinite(steps) ? Math.round(steps).toLocaleString() : '–');
  const cadence = num(s.cadence);
  setText(view.cadence, Number.isFinite(cadence) ? String(Math.round(cadence)) : '–');
  const energy = num(s.energy);
  setText(view.energy, Number.isFinite(energy) ? energy.toFixed(1) : '–');
  showPhase(s.condition);

  if (s.state === 'running' || s.state === 'stopped')
    setRunning(s.state === 'running');
  if (Number.isFinite(s.baseline_bpm) && baselineFollower.follows(s.baseline_bpm))
    showBaseline(s.baseline_bpm);
  announce(s, bpm, stress);
}

// A number from a field that may be missing: NaN then, not Number(null)'s 0.
function num (value) {
  return value === null || value === undefined || value === '' ? NaN : Number(value);
}

// The breathing waveform now: from its own stream where it flows.
function latestBreath (s) {
  const fine = channels.respiration;
  if (fine.freshAt(buffer.now()))
    return fine.points[fine.points.length - 1].value;
  return num(s.respiration);
}

function edaRangeText () {
  const since = buffer.now() - 60000;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of buffer.points) {
    if (p.t >= since && p.eda !== null) {
      lo = Math.min(lo, p.eda);
      hi = Math.max(hi, p.eda);
    }
  }
  return Number.isFinite(lo) ? `Last minute ${lo.toFixed(1)}–${hi.toFixed(1)}` : 'Last minute –';
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
  state.channelStream?.setExpectingSamples(running);
  // A scenario's clock stands while the simulation does.
  if (state.scenario?.active)
    refreshScenario();
  showState();
  view.runButton.disabled = false;
  setText(view.runButton, running ? 'Stop' : 'Start');
  // suggested for Start only, as the window's button; Stop loses nothing
  view.runButton.classList.toggle('suggested', !running);
  view.runButton.setAttribute('aria-label', running ? 'Stop simulation' : 'Start simulation');
  setText(view.chartEmpty, running ? 'Waiting for data…' : 'The simulation is stopped');
  showMonitorText();
  announceNow(running ? 'Simulation running' : 'Simulation stopped');
}

// While the stream is down the readouts are of before: they say so.
function showState () {
  const running = state.running;
  view.state.dataset.state = state.offline ? 'offline' : running ? 'running' : 'stopped';
  setText(view.state, state.offline ? 'Offline' : running === null ? '–' : running ? 'Running' : 'Stopped');
}

// Screen readers hear a summary every 20 s at most, not every sample.
function announce (s, bpm, stress) {
  const now = performance.now();
  if (now - state.lastAnnounce < ANNOUNCE_EVERY_MS || !Number.isFinite(bpm))
    return;
  const rate = num(s.respiratory_rate);
  const eda = num(s.eda);
  const text = `Heart rate ${Math.round(bpm)} bpm` +
    (Number.isFinite(stress) ? `, stress ${Math.round(stress * 100)} percent` : '') +
    (Number.isFinite(rate) ? `, breathing ${Math.round(rate)} a minute` : '');
  state.lastAnnounce = now;
  // the long spans describe their buckets instead (describeDay)
  if (state.span === LIVE_SPAN_S)
    view.canvas.setAttribute('aria-label', `Heart rate chart of the last 60 seconds, now ${Math.round(bpm)} bpm` +
      (Number.isFinite(rate) ? `; breathing ${rate.toFixed(1)} breaths a minute` : '') +
      (Number.isFinite(eda) ? `; skin conductance ${eda.toFixed(2)} microsiemens` : '') +
      (state.condition ? `; scenario phase ${state.condition}` : ''));
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
  const offline = status === 'reconnecting' || status === 'offline';
  if (offline !== state.offline) {
    state.offline = offline;
    view.readouts.classList.toggle('offline', offline);
    view.monitorPanel.classList.toggle('offline', offline);
    showState();
    showMonitorText();
  }
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

// send: post or del; then(body) after success.
async function command (path, params, button, { send = post, then } = {}) {
  if (button)
    button.disabled = true;
  try {
    const body = await send(path, params);
    hideToast();
    if (body && (body.state === 'running' || body.state === 'stopped'))
      setRunning(body.state === 'running');
    refreshCurrent();
    then?.(body);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      state.retryAfterToken = () => command(path, params, button, { send, then });
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
}

function setBaseline (bpm) {
  showBaseline(bpm);
  baselineFollower.sending(bpm);
  command('simulation/set-baseline', { baseline_bpm: bpm });
}

view.baseline.addEventListener('input', () => showBaseline(Number(view.baseline.value)));
// 'change' fires once on release (or per key press), so dragging sends one request.
view.baseline.addEventListener('change', () => setBaseline(Number(view.baseline.value)));

// ---- the person's stress and random events, which the samples do not
// carry: read from GET /simulation/profile, set as the window sets them ----

async function refreshPerson () {
  if (state.personChanges > 0)
    return;
  const request = ++state.personRequest;
  let body;
  try {
    body = await getJson('simulation/profile');
  } catch {
    return; // a replay or a strap is served (409): nothing to show
  }
  if (request === state.personRequest && body && typeof body === 'object')
    showPerson(body);
}

// GET /simulation/profile's answer, or POST's
function showPerson (body) {
  if (!body || typeof body !== 'object')
    return;
  showProfile(body.profile);
  const tonic = num(body.stress_level);
  if (Number.isFinite(tonic) && tonicFollower.follows(tonic))
    showTonicStress(tonic);
  const rate = num(body.random_events_per_hour ?? body.events_per_hour);
  if (Number.isFinite(rate))
    showRandomEvents(rate);
}

// Changes the person with @params at @path; only the answer to the latest
// change is shown, as changes made in quick succession may be answered out
// of order (and a GET asked before them is dropped likewise).
async function changePerson (path, params, button = null) {
  const request = ++state.personRequest;
  state.personChanges++;
  const ok = await command(path, params, button, { then: (body) => request === state.personRequest && showPerson(body) });
  state.personChanges--;
  if (!ok)
    refreshPerson();
}

function showTonicStress (level) {
  view.tonicStress.value = String(level);
  setText(view.tonicStressValue, `${Math.round(level * 100)} %`);
  fillSlider(view.tonicStress);
}

view.tonicStress.addEventListener('input', () => showTonicStress(Number(view.tonicStress.value)));
view.tonicStress.addEventListener('change', () => {
  const level = Number(view.tonicStress.value);
  tonicFollower.sending(level);
  changePerson('simulation/stress-level', { stress_level: level });
});

// On, the rate in the field; off, 0, as the window's switch sets the
// simulator's rate. The field keeps the rate to switch back on to.
function showRandomEvents (rate) {
  view.randomEvents.checked = rate > 0;
  if (rate > 0) {
    state.eventsRate = rate;
    if (document.activeElement !== view.eventsPerHour)
      view.eventsPerHour.value = String(Math.round(rate));
  }
}

view.randomEvents.addEventListener('change', () => {
  const typed = Number(view.eventsPerHour.value);
  const rate = view.eventsPerHour.value !== '' && typed > 0 ? typed : state.eventsRate;
  changePerson('simulation/random-events', { events_per_hour: view.randomEvents.checked ? rate : 0 });
});
view.eventsPerHour.addEventListener('change', () => {
  if (view.randomEvents.checked && view.eventsPerHour.value !== '')
    changePerson('simulation/random-events', { events_per_hour: Number(view.eventsPerHour.value) });
});

// ---- profile: who the person is (docs/model.md, "Profiles") ----
// It replaced the resting-rate presets named after people: a profile sets
// that rate and more (docs/dashboard.md). /health says the one in use.

function showProfile (profile) {
  if (typeof profile !== 'string' || ![...view.profile.options].some((o) => o.value === profile))
    return;
  view.profile.value = profile;
}

view.profile.addEventListener('change', () => {
  changePerson('simulation/profile', { name: view.profile.value }, view.profile);
});

// ---- activity: what the person does (docs/model.md, "Activity") ----

const ACTIVITY_NAMES = {
  rest: 'Rest', sitting: 'Sitting', walking: 'Walking', running: 'Running', cycling: 'Cycling', sleep: 'Sleep',
};

// From a click's answer or the activity label channel of /ws/stream, so a
// change made by another client shows here too. The samples do not carry
// it: until one of those says, no button is pressed.
function showActivity (activity) {
  if (typeof activity !== 'string' || !(activity in ACTIVITY_NAMES) || activity === state.activity)
    return;
  const before = state.activity;
  state.activity = activity;
  for (const button of view.activities)
    button.setAttribute('aria-pressed', String(button.dataset.activity === activity));
  setText(view.activityText, ACTIVITY_NAMES[activity]);
  if (before !== null)
    announceNow(`Activity: ${ACTIVITY_NAMES[activity]}`);
}

for (const button of view.activities) {
  button.addEventListener('click', () => {
    command('simulation/activity', { type: button.dataset.activity }, button,
      { then: (body) => showActivity(body?.activity) });
  });
}

// WebKit and Blink have no ::range-progress: paint the filled part of the trough.
function fillSlider (input) {
  const min = Number(input.min);
  const max = Number(input.max);
  const fraction = (Number(input.value) - min) / (max - min);
  input.style.setProperty('--fill', `${(fraction * 100).toFixed(2)}%`);
}

// ---- lanes: breathing and skin conductance under the heart rate ----

function loadLanes () {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(LANES_KEY) || '{}') || {};
  } catch {
    // Storage disabled or a damaged value: show every lane.
  }
  return Object.fromEntries(LANES.map((name) => [name, saved[name] !== false]));
}

function showLanes (shown) {
  state.lanes = shown;
  for (const input of view.laneToggles)
    input.checked = shown[input.dataset.lane];
  sizeChartBox();
  chart.setLanes(shown);
}

// The chart's box grows by a lane's height per lane (style.css): the lanes
// shown on the live minute, the activity and sleep bands on the long spans.
function sizeChartBox () {
  const lanes = state.span === LIVE_SPAN_S ? LANES.filter((name) => state.lanes?.[name]).length : BANDS.length;
  view.chartBox.style.setProperty('--lanes', String(lanes));
}

for (const input of view.laneToggles) {
  input.addEventListener('change', () => {
    const shown = Object.fromEntries(view.laneToggles.map((toggle) => [toggle.dataset.lane, toggle.checked]));
    showLanes(shown);
    try {
      localStorage.setItem(LANES_KEY, JSON.stringify(shown));
    } catch {
      // Not remembered, then; it still applies to this page.
    }
  });
}

// Breathing at 25 Hz and skin conductance at 4 Hz, one batch a tick, when
// the server has the typed stream; the 2 Hz samples stand in before that.
async function startChannelStream () {
  if (state.channelStream || stream.transport !== 'websocket')
    return;
  let names;
  try {
    const body = await getJson('api/channels');
    names = new Set((Array.isArray(body?.channels) ? body.channels : []).map((channel) => channel?.name));
  } catch {
    return; // a server without channels: the samples carry the lanes
  }
  const types = [...LANES, 'activity', ...WAVEFORMS].filter((name) => names.has(name));
  if (types.length === 0 || state.channelStream)
    return;
  view.monitor.hidden = !WAVEFORMS.some((name) => names.has(name));
  state.channelStream = new SampleStream({
    path: 'ws/stream',
    params: { types: types.join(',') },
    fallback: false,
    onSample: acceptChannelBatch,
    // what a new connection sends does not follow on from before
    onConnected: () => monitor.restart(),
  });
  state.channelStream.setExpectingSamples(state.running === true);
  state.channelStream.start();
}

function acceptChannelBatch (message) {
  if (message.type === 'activity') {
    showActivity(message.value);
    return;
  }
  if (WAVEFORMS.includes(message.type)) {
    monitor.addFrame(message);
    return;
  }
  const target = channels[message.type];
  const fs = Number(message.fs);
  if (!target || !Array.isArray(message.values) || !(fs > 0))
    return;
  target.addBatch(Date.parse(message.t0), 1000 / fs, message.values);
  chart.redraw();
  scheduleRender();
}

// ---- the monitor: ECG and pleth sweeps, the heart rate of the ECG's beats ----

const monitor = new WaveformMonitor(view.monitorCanvas, { onChange: scheduleMonitorText });

function scheduleMonitorText () {
  if (!state.monitorText)
    state.monitorText = requestAnimationFrame(showMonitorText);
}

// The rate beside the ECG, and what the screen says over the traces: the
// stream down first, then the leads off (an alarm), then a stopped
// simulation
function showMonitorText () {
  cancelAnimationFrame(state.monitorText);
  state.monitorText = 0;
  const rate = monitor.heartRate;
  setText(view.monitorHr, rate === null ? '–' : String(Math.round(rate)));
  const [text, kind] = state.offline ? ['Offline', 'state']
    : monitor.leadOff ? ['Leads off', 'alarm']
      : state.running === false ? ['Stopped', 'state'] : ['', ''];
  view.monitorAlert.hidden = !text;
  setText(view.monitorAlert, text);
  view.monitorAlert.dataset.kind = kind;
  const now = performance.now();
  if (now - state.monitorLabelAt >= MONITOR_LABEL_MS || text) {
    state.monitorLabelAt = now;
    view.monitorCanvas.setAttribute('aria-label', 'ECG and pleth sweep' +
      (text ? `: ${text}` : rate === null ? '' : `; heart rate ${Math.round(rate)} from the ECG`));
  }
}

// ---- the chart's span: the live minute, or an hour or a day of /api/day ----

function loadSpan () {
  let span = LIVE_SPAN_S;
  try {
    span = Number(localStorage.getItem(SPAN_KEY)) || LIVE_SPAN_S;
  } catch {
    // Storage disabled: the live minute.
  }
  return span in LONG_SPANS ? span : LIVE_SPAN_S;
}

function showSpan (span) {
  state.span = span;
  const live = span === LIVE_SPAN_S;
  for (const button of view.spanButtons)
    button.setAttribute('aria-pressed', String(Number(button.dataset.span) === span));
  setText(view.chartHeading, SPAN_TITLES[span]);
  for (const item of view.liveOnly)
    item.hidden = !live;
  view.bandLegends.hidden = live;
  sizeChartBox();
  chart.setSpan(span);
  dayFeed.setSpan(span);
  // the live chart's label comes with the next summary
  state.lastAnnounce = 0;
  view.canvas.setAttribute('aria-label', live ? 'Heart rate chart of the last 60 seconds'
    : `Heart rate chart of ${SPAN_WORDS[span]}: waiting for data`);
}

for (const button of view.spanButtons) {
  button.addEventListener('click', () => {
    const span = Number(button.dataset.span);
    showSpan(span);
    try {
      localStorage.setItem(SPAN_KEY, String(span));
    } catch {
      // Not remembered, then.
    }
  });
}

// ---- the day: the Today card, and the long spans' buckets ----

const ACTIVITY_WORDS = {
  rest: 'rest', sitting: 'sitting', walking: 'walking', running: 'running', cycling: 'cycling', sleep: 'sleeping',
};

function acceptDay (day, span) {
  showTotals(day.totals);
  if (span !== null && span === state.span) {
    chart.setDay(day, span);
    describeDay(day, span);
  }
}

function showTotals (totals) {
  if (!totals || typeof totals !== 'object')
    return;
  state.totals = totals;
  view.today.hidden = false;
  const steps = num(totals.steps);
  setText(view.todaySteps, Number.isFinite(steps) ? Math.round(steps).toLocaleString() : '–');
  const energy = num(totals.active_energy_kcal);
  setText(view.todayActiveEnergy, Number.isFinite(energy) ? String(Math.round(energy)) : '–');
  const minutes = num(totals.active_minutes);
  setText(view.todayActiveMinutes, Number.isFinite(minutes) ? String(Math.round(minutes)) : '–');
  const sleep = totals.sleep || {};
  const inBed = num(sleep.in_bed_minutes);
  if (Number.isFinite(inBed) && inBed > 0) {
    setText(view.todaySleep, hoursMinutes(sleep.asleep_minutes));
    setText(view.todaySleepStages, `Deep ${hoursMinutes(sleep.deep_minutes)} · REM ${hoursMinutes(sleep.rem_minutes)}`);
  } else {
    setText(view.todaySleep, '–');
    setText(view.todaySleepStages, 'No night logged');
  }
}

// The long span's chart in words: its heart rate, what the person did most
// and how long they slept.
function describeDay (day, span) {
  const buckets = Array.isArray(day.buckets) ? day.buckets : [];
  const resolution = Number(day.resolution) || 60;
  if (buckets.length === 0) {
    view.canvas.setAttribute('aria-label', `Heart rate chart of ${SPAN_WORDS[span]}: no data yet`);
    return;
  }
  let low = Infinity;
  let high = -Infinity;
  let sum = 0;
  let asleep = 0;
  const minutes = {};
  for (const b of buckets) {
    low = Math.min(low, num(b.heart_rate_low));
    high = Math.max(high, num(b.heart_rate_high));
    sum += num(b.heart_rate);
    if (ACTIVITIES.includes(b.activity))
      minutes[b.activity] = (minutes[b.activity] || 0) + resolution / 60;
    if (['core', 'deep', 'rem'].includes(b.sleep_stage))
      asleep += resolution / 60;
  }
  const doing = Object.entries(minutes).sort((a, b) => b[1] - a[1]).slice(0, 3)
    .map(([name, m]) => `${ACTIVITY_WORDS[name]} ${hoursMinutes(m)}`);
  view.canvas.setAttribute('aria-label', `Heart rate chart of ${SPAN_WORDS[span]}: ` +
    `${Math.round(low)} to ${Math.round(high)} bpm, mean ${Math.round(sum / buckets.length)}` +
    (doing.length ? `; ${doing.join(', ')}` : '') + `; asleep ${hoursMinutes(asleep)}`);
}

// A server without /api/day: no Today card and only the live minute.
function dayUnavailable () {
  view.today.hidden = true;
  for (const button of view.spanButtons)
    button.disabled = Number(button.dataset.span) !== LIVE_SPAN_S;
  if (state.span !== LIVE_SPAN_S)
    showSpan(LIVE_SPAN_S);
}

// ---- scenario: the phase beside the title, the control to run one ----

function showPhase (condition) {
  if (typeof condition !== 'string' || condition === state.condition)
    return;
  const before = state.condition;
  state.condition = condition;
  view.phase.hidden = !condition;
  setText(view.phaseName, condition);
  showScenarioTime();
  if (before !== null)
    announceNow(condition ? `Scenario phase: ${condition}` : 'Scenario ended');
  // The new phase's times, or the end of the scenario.
  if (state.scenario)
    refreshScenario();
}

async function refreshScenario () {
  const request = ++state.scenarioRequest;
  let report;
  try {
    report = await getJson('simulation/scenario');
  } catch (error) {
    // 404: a server without scenarios over REST; hide the control.
    if (request === state.scenarioRequest && error instanceof ApiError && error.status >= 400 && error.status < 500) {
      state.scenario = null;
      view.scenarioRow.hidden = true;
    }
    return;
  }
  if (request === state.scenarioRequest && report && typeof report === 'object')
    showScenario(report);
}

function showScenario (report) {
  state.scenario = report;
  state.scenarioAt = performance.now();
  view.scenarioRow.hidden = false;
  const active = report.active === true;
  const names = Array.isArray(report.bundled) ? report.bundled.filter((name) => typeof name === 'string') : [];
  if (active && report.name && !names.includes(report.name))
    names.push(report.name); // an uploaded one
  const select = view.scenarioSelect;
  const current = [...select.options].map((option) => option.value);
  if (current.join('\n') !== names.join('\n')) {
    const chosen = select.value;
    select.replaceChildren(...names.map((name) => new Option(name, name)));
    if (names.includes(chosen))
      select.value = chosen;
  }
  if (active)
    select.value = report.name;
  select.disabled = active || names.length === 0;
  view.scenarioButton.disabled = !active && names.length === 0;
  setText(view.scenarioButton, active ? 'Stop Scenario' : 'Run Scenario');
  view.scenarioButton.classList.toggle('suggested', !active);
  // The phase itself comes with the samples: they and this answer are of
  // different moments, and the samples are the newer most of the time.
  showScenarioTime();
}

// The countdowns, between answers from the server.
function showScenarioTime () {
  const report = state.scenario;
  if (!report || report.active !== true) {
    setText(view.phaseTime, '');
    setText(view.scenarioHint, 'Phases of rest, stress and recovery, one after another');
    view.phase.removeAttribute('title');
    return;
  }
  const passed = state.running === false ? 0 : (performance.now() - state.scenarioAt) / 1000;
  const elapsed = Number(report.elapsed_s) + passed;
  const phases = Array.isArray(report.phases) ? report.phases : [];
  const phase = phases[report.phase_index];
  const phaseLeft = phase && phase.name === state.condition
    ? Number(phase.start_s) + Number(phase.duration_s) - elapsed : NaN;
  const left = Number(report.remaining_s) - passed;
  setText(view.phaseTime, Number.isFinite(phaseLeft) ? `· ${clock(phaseLeft)} left` : '');
  if (phase)
    view.phase.title = `Scenario ${report.name}, phase ${report.phase_index + 1} of ${phases.length}`;
  setText(view.scenarioHint, `Running ${report.name}` +
    (phases.length ? `, phase ${report.phase_index + 1} of ${phases.length}` : '') +
    (Number.isFinite(left) ? ` · ${clock(left)} left` : ''));
  if (performance.now() - state.scenarioAt > SCENARIO_REFRESH_MS)
    refreshScenario();
}

function clock (seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

view.scenarioButton.addEventListener('click', () => {
  const then = (body) => (body && typeof body.active === 'boolean' ? showScenario(body) : refreshScenario());
  if (state.scenario?.active)
    command('simulation/scenario', {}, view.scenarioButton, { send: del, then });
  else
    command('simulation/scenario', { name: view.scenarioSelect.value }, view.scenarioButton, { then });
});

setInterval(() => {
  if (state.scenario?.active)
    showScenarioTime();
}, 1000);

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

const dayFeed = new DayFeed({ onDay: acceptDay, onUnavailable: dayUnavailable });
const params = new URLSearchParams(location.search);
const stream = new SampleStream({
  transport: params.get('transport') === 'sse' ? 'sse' : 'websocket',
  onSample: (sample) => acceptSample(sample, true),
  onStatus: showStatus,
  onConnected: resync,
});

showStressLevel();
showBaseline(Number(view.baseline.value));
showTonicStress(Number(view.tonicStress.value));
showLanes(loadLanes());
showSpan(loadSpan());
stream.start();

// Server-Sent Events carry fewer fields (no breathing, skin conductance or
// phase, docs/api.md): the rest comes from the current sample meanwhile.
setInterval(() => {
  if (stream.transport === 'sse' && view.connection.dataset.status === 'live' && state.running)
    refreshCurrent();
}, 2000);

setInterval(() => {
  if (view.connection.dataset.status === 'live' && document.visibilityState === 'visible')
    refreshPerson();
}, PERSON_REFRESH_MS);

// For the browser tests and for anyone poking at the page from the console.
window.heartsim = {
  get samplesReceived () { return state.samplesReceived; },
  get chartPoints () { return buffer.length; },
  get latest () { return state.latest; },
  get transport () { return stream.transport; },
  get status () { return view.connection.dataset.status; },
  get lanes () { return { ...chart.shown }; },
  get layout () { return chart.layout; },
  get phaseMarks () { return chart.phaseMarks.map((mark) => ({ ...mark })); },
  get eventSpans () { return chart.eventSpans.map((span) => ({ ...span })); },
  get channelValues () { return Object.fromEntries(LANES.map((name) => [name, channels[name].points.length])); },
  get scenario () { return state.scenario; },
  get activity () { return state.activity; },
  get span () { return state.span; },
  get dayView () { return chart.dayView; },
  get totals () { return state.totals; },
  get monitor () {
    const trace = (name) => ({ frames: monitor.traces[name].frames, samples: monitor.traces[name].samples,
      nextIndex: monitor.traces[name].nextIndex });
    return { ecg: trace('ecg'), ppg: trace('ppg'), gaps: monitor.gaps, fps: monitor.framesPerSecond,
      heartRate: monitor.heartRate, leadOff: monitor.leadOff, alert: view.monitorAlert.hidden ? '' : view.monitorAlert.textContent,
      layout: monitor.layout, shown: !view.monitor.hidden };
  },
};
