// SPDX-License-Identifier: GPL-3.0-or-later
//
// Browser tests of the web dashboard, TAP on stdout (meson protocol 'tap').
// Runs the built `heartsim --headless` (HEARTSIM_BINARY) on a free port and
// drives Debian's chromium headless over the DevTools protocol (cdp.mjs).
// Screenshots go to HEARTSIM_ARTIFACTS_DIR.
//
//   node tests/browser/run-tests.mjs [--skip REASON]
//
// Works with node 18 (Debian 12) and later; needs no npm package.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';

import { Browser, delay } from './cdp.mjs';

const skipIndex = process.argv.indexOf('--skip');
if (skipIndex >= 0) {
  console.log(`1..0 # SKIP ${process.argv[skipIndex + 1] || 'browser tests disabled'}`);
  process.exit(0);
}

const binary = process.env.HEARTSIM_BINARY;
const chromiumPath = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const artifacts = resolve(process.env.HEARTSIM_ARTIFACTS_DIR || join('tests', 'artifacts'));

// ---- TAP ----

const tests = [];
let failures = 0;
function test (name, fn) {
  tests.push({ name, fn });
}

function diag (text) {
  for (const line of String(text).split('\n'))
    console.log(`# ${line}`);
}

function assert (condition, message) {
  if (!condition)
    throw new Error(message);
}

// ---- the server under test ----

const servers = new Set();

class HeartsimProcess {
  // Starts `heartsim --headless` and resolves once it prints its URL.
  static async start (args) {
    const child = spawn(binary, ['--headless', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new HeartsimProcess(child);
    servers.add(server);
    const url = await server.waitForUrl(10000);
    return Object.assign(server, { url, port: Number(new URL(url).port) });
  }

  constructor (child) {
    this.child = child;
    this.output = '';
    this.exitCode = undefined;
    child.stdout.on('data', (chunk) => { this.output += chunk; });
    child.stderr.on('data', (chunk) => { this.output += chunk; });
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
      this.exitCode = code ?? signal;
      servers.delete(this);
      resolve(this.exitCode);
    }));
  }

  async waitForUrl (timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = /serving (http:\/\/[^\s/]+\/)/.exec(this.output);
      if (match)
        return match[1];
      if (this.exitCode !== undefined)
        throw new Error(`heartsim exited (${this.exitCode}): ${this.output.trim()}`);
      await delay(20);
    }
    throw new Error(`heartsim printed no URL in ${timeoutMs} ms: ${this.output.trim()}`);
  }

  // SIGTERM by the PID we started, then wait for the exit; SIGKILL if it hangs.
  async stop () {
    if (this.exitCode !== undefined)
      return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

async function getJson (base, path, init = {}) {
  const response = await fetch(new URL(path, base), { ...init, signal: AbortSignal.timeout(5000) });
  return { status: response.status, headers: response.headers, body: await response.json().catch(() => null) };
}

// A raw GET, so paths like /web/../x reach the server as written (fetch
// and URL normalise dot segments away).
function rawGet (port, path) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function waitForServer (check, { timeoutMs = 20000, what }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last.ok)
      return last.value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last.value)})`);
    await delay(200);
  }
}

async function currentSample (base) {
  return (await getJson(base, 'heartbeat/current')).body;
}

// ---- shared state of the run ----

let server; // the heartsim under test
let browser;
let page; // the dashboard over WebSocket
let ssePage; // the dashboard over EventSource
const requestedUrls = [];

const pageState = () => page.evaluate(`({
  samples: heartsim.samplesReceived,
  points: heartsim.chartPoints,
  status: heartsim.status,
  transport: heartsim.transport,
  seq: heartsim.latest && heartsim.latest.seq,
  bpmText: document.getElementById('bpm').textContent,
  stateText: document.getElementById('state').textContent,
})`);

// Pixels of the heart-rate colour on the canvas: the chart really drew a line.
const HEART_PIXELS = `(() => {
  const canvas = document.getElementById('chart');
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4)
    if (data[i + 3] > 200 && data[i] > 180 && data[i + 1] < 90 && data[i + 2] < 100)
      count++;
  return count;
})()`;

// Pixels of one trace's colour (the light style's) on the canvas, all of
// it or in a band of rows given as an expression over heartsim.layout (CSS
// pixels, as the chart lays out its plots).
const TRACE_COLOURS = {
  heart: 'r > 180 && g < 90 && b < 100', // --heart #e01b24
  breath: 'r < 90 && g > 80 && g < 150 && b > 170', // --breath #1c71d8
  eda: 'r > 100 && r < 160 && g < 90 && b > 130', // --eda #813d9c
};
const tracePixels = (colour, band = 'null') => `(() => {
  const canvas = document.getElementById('chart');
  const k = canvas.width / canvas.clientWidth;
  const band = ${band};
  const y0 = band ? Math.max(0, Math.floor(band.top * k)) : 0;
  const y1 = band ? Math.min(canvas.height, Math.ceil(band.bottom * k)) : canvas.height;
  if (!(y1 > y0))
    return 0;
  const data = canvas.getContext('2d').getImageData(0, y0, canvas.width, y1 - y0).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4) {
    const r = data[i], g = data[i + 1], b = data[i + 2];
    if (data[i + 3] > 200 && ${TRACE_COLOURS[colour]})
      count++;
  }
  return count;
})()`;

// A checksum of a band of the canvas, to see that what is drawn there moves.
const bandChecksum = (band) => `(() => {
  const canvas = document.getElementById('chart');
  const k = canvas.width / canvas.clientWidth;
  const band = ${band};
  const data = canvas.getContext('2d').getImageData(0, Math.floor(band.top * k), canvas.width,
    Math.ceil((band.bottom - band.top) * k)).data;
  let sum = 0;
  for (let i = 0; i < data.length; i++)
    sum = (sum * 31 + data[i]) % 1000000007;
  return sum;
})()`;

// Pixels of a colour of the page's style (a CSS variable, #rrggbb) on the
// canvas, in a band of rows given as an expression over heartsim.layout.
const colourPixels = (variable, band) => `(() => {
  const hex = getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(variable)}).trim();
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const canvas = document.getElementById('chart');
  const k = canvas.width / canvas.clientWidth;
  const band = ${band};
  const y0 = Math.max(0, Math.floor(band.top * k));
  const y1 = Math.min(canvas.height, Math.ceil(band.bottom * k));
  const data = canvas.getContext('2d').getImageData(0, y0, canvas.width, y1 - y0).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4)
    if (data[i + 3] > 200 && Math.abs(data[i] - want[0]) < 12 && Math.abs(data[i + 1] - want[1]) < 12 &&
        Math.abs(data[i + 2] - want[2]) < 12)
      count++;
  return count;
})()`;

// Pixels of a colour of the page's style (a CSS variable) on the monitor's
// canvas, in a band of rows given as an expression over its layout
const monitorPixels = (variable, band) => `(() => {
  const hex = getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(variable)}).trim();
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const canvas = document.getElementById('monitor-canvas');
  const k = canvas.width / canvas.clientWidth;
  const band = ${band};
  const y0 = Math.max(0, Math.floor(band.top * k));
  const y1 = Math.min(canvas.height, Math.ceil(band.bottom * k));
  const data = canvas.getContext('2d').getImageData(0, y0, canvas.width, y1 - y0).data;
  let count = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - want[0]) < 30 && Math.abs(data[i + 1] - want[1]) < 30 && Math.abs(data[i + 2] - want[2]) < 30)
      count++;
  return count;
})()`;

// What the monitor has had, and when (performance.now() of the page)
const monitorState = (p) => p.evaluate(`({ ...heartsim.monitor, at: performance.now(),
  hr: document.getElementById('monitor-hr').textContent })`);

// GET /api/day's buckets of the last @seconds
async function dayBuckets (base, seconds = 60) {
  return (await getJson(base, `api/day?seconds=${seconds}&resolution=10`)).body.buckets;
}

const dayRequests = (span) => requestedUrls.filter((url) => url.includes(`api/day?seconds=${span}&`)).length;

async function post (base, path, init = {}) {
  return getJson(base, path, { method: 'POST', ...init });
}

async function scenarioReport (base) {
  return (await getJson(base, 'simulation/scenario')).body;
}

async function profileReport (base) {
  return (await getJson(base, 'simulation/profile')).body;
}

// Sets a control's value as the keyboard or a drag would, and says so
const setControl = (id, value, events = ['input', 'change']) => page.evaluate(`(() => {
  const input = document.getElementById(${JSON.stringify(id)});
  input.value = ${JSON.stringify(String(value))};
  for (const type of ${JSON.stringify(events)})
    input.dispatchEvent(new Event(type, { bubbles: true }));
})()`);

// The share of pixels in the light style's stress-event shade in the top
// rows of the heart-rate plot and of the breathing lane (above their traces,
// right of the lane's title), between x0 and x1 (CSS pixels). The canvas is
// transparent over the card: the shade's pixels are --stress (#ff7800) at
// 12 % alpha, where the stress band's top is at 42 % and grid lines black.
const eventShade = (x0, x1) => `(() => {
  const canvas = document.getElementById('chart');
  const k = canvas.width / canvas.clientWidth;
  const layout = heartsim.layout;
  let shaded = 0;
  let all = 0;
  for (const plot of [layout.heart, layout.lanes.respiration]) {
    const x = Math.round(Math.max(${x0}, layout.left + 90) * k);
    const w = Math.round(${x1} * k) - x;
    if (w <= 0)
      continue;
    const data = canvas.getContext('2d').getImageData(x, Math.ceil((plot.top + 1) * k), w, Math.round(3 * k)).data;
    for (let i = 0; i < data.length; i += 4) {
      all++;
      if (data[i + 3] >= 20 && data[i + 3] <= 45 && data[i] >= 240 && data[i + 1] >= 100 && data[i + 1] <= 145 &&
          data[i + 2] <= 30)
        shaded++;
    }
  }
  return all ? shaded / all : 0;
})()`;

// ---- tests ----

test('heartsim --headless --port 0 starts and reports its URL', async () => {
  server = await HeartsimProcess.start(['--port', '0']);
  assert(server.port > 0, `no port in ${server.url}`);
  const health = await getJson(server.url, 'health');
  assert(health.status === 200 && health.body.status === 'healthy', `GET /health: ${JSON.stringify(health)}`);
  diag(`heartsim at ${server.url}`);
});

test('static files come from the resource with their content types and caching', async () => {
  const expected = {
    '': 'text/html',
    'web/index.html': 'text/html',
    'web/app.js': 'text/javascript',
    'web/api.js': 'text/javascript',
    'web/chart.js': 'text/javascript',
    'web/day.js': 'text/javascript',
    'web/samples.js': 'text/javascript',
    'web/stream.js': 'text/javascript',
    'web/monitor.js': 'text/javascript',
    'web/style.css': 'text/css',
    'web/favicon.svg': 'image/svg+xml',
  };
  for (const [path, type] of Object.entries(expected)) {
    const response = await fetch(new URL(path, server.url));
    const body = await response.text();
    assert(response.status === 200, `GET /${path}: ${response.status}`);
    assert((response.headers.get('content-type') || '').startsWith(type),
      `GET /${path}: Content-Type ${response.headers.get('content-type')}, want ${type}`);
    const cache = response.headers.get('cache-control') || '';
    assert(/no-cache|max-age=\d+|no-store/.test(cache), `GET /${path}: Cache-Control "${cache}"`);
    assert(body.length > 0, `GET /${path}: empty body`);
    assert(!/https?:\/\/(?!127\.0\.0\.1|localhost)/.test(body.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')),
      `/${path} refers to another host`);
  }
  const index = await (await fetch(server.url)).text();
  for (const [, ref] of index.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const status = (await fetch(new URL(ref, server.url))).status;
    assert(status === 200, `index.html refers to ${ref}, which answers ${status}`);
  }
  // Requests never reach the filesystem: names outside the resource, dot
  // segments and encoded ones all miss.
  for (const path of ['/web/', '/web/../meson.build', '/web/..%2fmeson.build', '/web/%2e%2e/%2e%2e/meson.build',
    '/web//etc/passwd', '/web/../../../../etc/passwd', '/web/meson.build', '/web/web/index.html', '/index.html/']) {
    const status = await rawGet(server.port, path);
    assert(status === 404 || status === 400, `GET ${path} answered ${status}, want 404`);
  }
});

test('chromium starts headless', async () => {
  assert(chromiumPath, 'chromium not found: install it (build-aux/install-deps.sh test) or set CHROMIUM');
  browser = await Browser.launch(chromiumPath);
  page = await browser.newPage();
  await page.send('Network.enable');
  browser.listeners.add((message) => {
    if (message.method === 'Network.requestWillBeSent' && message.sessionId === page.sessionId)
      requestedUrls.push(message.params.request.url);
  });
  await page.setViewport({ width: 1280, height: 860 });
  await page.setColorScheme('light');
});

test('the dashboard loads, the chart gets points and the bpm readout changes', async () => {
  await page.goto(server.url);
  await page.waitFor('window.heartsim && heartsim.chartPoints >= 3 && heartsim.samplesReceived >= 2',
    { timeoutMs: 15000, what: 'chart points and live samples' });
  const first = await pageState();
  assert(/^\d+$/.test(first.bpmText), `bpm readout shows "${first.bpmText}"`);
  assert(first.status === 'live' && first.transport === 'websocket', `status ${first.status} over ${first.transport}`);
  // The readout follows the stream: bpm varies beat to beat, so it changes soon.
  await page.waitFor(`document.getElementById('bpm').textContent !== ${JSON.stringify(first.bpmText)}`,
    { timeoutMs: 30000, what: 'the bpm readout to change' });
  const pixels = await page.waitFor(`${HEART_PIXELS} > 40 && ${HEART_PIXELS}`,
    { timeoutMs: 5000, what: 'the heart-rate line on the canvas' });
  diag(`bpm ${first.bpmText} → ${(await pageState()).bpmText}; ${pixels} heart-coloured pixels on the canvas`);
  const outside = requestedUrls.filter((url) => !url.startsWith(server.url.replace(/\/$/, '')) && !url.startsWith('data:'));
  assert(outside.length === 0, `the page fetched from elsewhere: ${outside.join(', ')}`);
});

test('the monitor sweeps the ECG and the pleth from /ws/stream: about 25 frames a second, no sample missed', async () => {
  await page.waitFor('heartsim.monitor.shown && heartsim.monitor.ecg.frames >= 25 && heartsim.monitor.ppg.frames >= 25',
    { timeoutMs: 15000, what: 'ECG and pleth frames' });
  const before = await monitorState(page);
  await page.waitFor(`heartsim.monitor.ecg.frames >= ${before.ecg.frames + 75}`, { timeoutMs: 15000, what: '75 more ECG frames' });
  const after = await monitorState(page);
  const seconds = (after.at - before.at) / 1000;
  const rate = (after.ecg.frames - before.ecg.frames) / seconds;
  assert(rate > 18 && rate < 35, `${rate.toFixed(1)} ECG frames a second`);
  // each frame started where the one before ended: every sample came
  assert(after.gaps === 0, `${after.gaps} frames did not follow on`);
  for (const name of ['ecg', 'ppg']) {
    const samples = after[name].samples - before[name].samples;
    assert(after[name].nextIndex - before[name].nextIndex === samples,
      `${name}: indices moved ${after[name].nextIndex - before[name].nextIndex}, ${samples} samples came`);
  }
  const perSecond = (after.ecg.samples - before.ecg.samples) / seconds;
  assert(perSecond > 200 && perSecond < 300, `${perSecond.toFixed(0)} ECG samples a second, not 250`);
  // the sweep drew: the traces' colours in their bands of the dark screen
  const ecgPixels = await page.waitFor(`(() => { const n = ${monitorPixels('--monitor-ecg', 'heartsim.monitor.layout.ecg')};
    return n > 300 && n; })()`, { what: 'the ECG trace on the monitor' });
  const plethPixels = await page.waitFor(`(() => { const n = ${monitorPixels('--monitor-pleth', 'heartsim.monitor.layout.ppg')};
    return n > 200 && n; })()`, { what: 'the pleth trace on the monitor' });
  const background = await page.evaluate(`(() => {
    const canvas = document.getElementById('monitor-canvas');
    const [r, g, b] = canvas.getContext('2d').getImageData(2, canvas.height - 3, 1, 1).data;
    return { r, g, b };
  })()`);
  assert(background.r < 40 && background.g < 40 && background.b < 40, `the monitor's screen is ${JSON.stringify(background)}`);
  // the heart rate beside it, of the ECG's beats
  const hr = await page.waitFor(`(() => { const text = document.getElementById('monitor-hr').textContent;
    return /^\\d+$/.test(text) && Number(text); })()`, { what: 'a heart rate beside the ECG' });
  assert(hr >= 35 && hr <= 200, `monitor heart rate ${hr}`);
  diag(`${rate.toFixed(1)} ECG frames a second, ${perSecond.toFixed(0)} samples a second, 0 gaps; ` +
    `${ecgPixels} ECG and ${plethPixels} pleth pixels; HR ${hr}`);
});

test('the monitor marks premature beats, and says Leads off while the electrodes are off', async () => {
  const set = await post(server.url, 'simulation/waveform?pvc_per_hour=1200');
  assert(set.status === 200, `POST /simulation/waveform: ${JSON.stringify(set)}`);
  try {
    const ectopic = await page.waitFor(`(() => { const n = ${monitorPixels('--monitor-ectopic', 'heartsim.monitor.layout.ecg')};
      return n > 5 && n; })()`, { timeoutMs: 30000, what: 'a V beat marked on the ECG' });
    const leads = await post(server.url, 'simulation/waveform?lead_off_per_hour=1200');
    assert(leads.status === 200, `POST /simulation/waveform: ${JSON.stringify(leads)}`);
    const off = await page.waitFor(`(() => { const m = heartsim.monitor;
      return m.leadOff && m.alert === 'Leads off' && document.getElementById('monitor-hr').textContent === '–' &&
        document.getElementById('monitor-alert').dataset.kind === 'alarm' && m; })()`,
    { timeoutMs: 30000, what: 'Leads off on the monitor' });
    const flat = await post(server.url, 'simulation/waveform?lead_off_per_hour=0&pvc_per_hour=0');
    assert(flat.status === 200, `POST /simulation/waveform: ${JSON.stringify(flat)}`);
    await page.waitFor(`!heartsim.monitor.leadOff && heartsim.monitor.alert === ''`,
      { timeoutMs: 15000, what: 'the leads back on' });
    await page.waitFor(`/^\\d+$/.test(document.getElementById('monitor-hr').textContent)`,
      { timeoutMs: 15000, what: 'a heart rate again' });
    diag(`${ectopic} pixels of V labels; leads off with ${off.gaps} gaps`);
  } finally {
    await post(server.url, 'simulation/waveform?lead_off_per_hour=0&pvc_per_hour=0');
  }
});

test('the stress level and random events controls set the simulator, and follow another client', async () => {
  // the tonic stress: on release of the slider
  await page.waitFor(`document.getElementById('random-events').checked &&
    document.getElementById('events-per-hour').value === '144'`, { what: 'random events on at 144 an hour, from the server' });
  await setControl('tonic-stress', '0.3');
  await waitForServer(async () => {
    const level = (await profileReport(server.url)).stress_level;
    return { ok: Math.abs(level - 0.3) < 1e-6, value: level };
  }, { what: 'GET /simulation/profile to say stress_level 0.3' });
  assert(await page.evaluate(`document.getElementById('tonic-stress-value').textContent`) === '30 %', 'the slider says 30 %');

  // the random events' rate, then off
  await setControl('events-per-hour', '30', ['change']);
  await waitForServer(async () => {
    const rate = (await profileReport(server.url)).random_events_per_hour;
    return { ok: rate === 30, value: rate };
  }, { what: 'random_events_per_hour 30' });
  await page.click('#random-events');
  await waitForServer(async () => {
    const rate = (await profileReport(server.url)).random_events_per_hour;
    return { ok: rate === 0, value: rate };
  }, { what: 'random events off (random_events_per_hour 0)' });
  // on again: the rate it had
  await page.click('#random-events');
  await waitForServer(async () => {
    const rate = (await profileReport(server.url)).random_events_per_hour;
    return { ok: rate === 30, value: rate };
  }, { what: 'random events on again at 30 an hour' });

  // another client changes both: the page follows without a reload
  assert((await post(server.url, 'simulation/stress-level?stress_level=0.1')).status === 200, 'POST stress-level');
  assert((await post(server.url, 'simulation/random-events?events_per_hour=0')).status === 200, 'POST random-events');
  const shown = await page.waitFor(`(() => {
    const level = document.getElementById('tonic-stress');
    return Number(level.value) === 0.1 && document.getElementById('tonic-stress-value').textContent === '10 %' &&
      !document.getElementById('random-events').checked && { rate: document.getElementById('events-per-hour').value };
  })()`, { timeoutMs: 12000, what: 'the page to show stress 10 % and random events off' });
  assert(shown.rate === '30', `the rate to switch back on to: ${shown.rate}`);

  // no tonic stress for the tests after this one, and no random events:
  // only the events they trigger
  await setControl('tonic-stress', '0');
  await waitForServer(async () => {
    const level = (await profileReport(server.url)).stress_level;
    return { ok: level === 0, value: level };
  }, { what: 'stress_level 0 again' });
});

test('a triggered stress event shades the chart from where it began, and shows beside the stress', async () => {
  await page.waitFor(`heartsim.latest && heartsim.latest.event === false`, { timeoutMs: 15000, what: 'no event on' });
  // from elsewhere, at a level that leaves the top of the plot to the shade
  const answer = await post(server.url, 'simulation/trigger-stress?stress_level=0.4');
  assert(answer.status === 200, `POST trigger-stress: ${answer.status}`);
  await page.waitFor(`heartsim.latest.event === true && !document.getElementById('event-badge').hidden`,
    { what: 'the event in the samples and its badge beside the stress' });
  // its start scrolled in at the right edge, and a few seconds of it drawn
  const measured = await page.waitFor(`(() => {
    const layout = heartsim.layout;
    const spans = heartsim.eventSpans.sort((a, b) => a.x0 - b.x0);
    const span = spans.find((s) => s.x0 > layout.left + 100 && s.x1 - s.x0 > 80);
    if (!span)
      return false;
    // the widest stretch left of it without an event (random ones came before)
    let from = layout.left;
    let gap = null;
    for (const s of spans) {
      if (s.x0 >= span.x0)
        break;
      if (!gap || s.x0 - from > gap[1] - gap[0])
        gap = [from, s.x0];
      from = Math.max(from, s.x1);
    }
    if (!gap || span.x0 - from > gap[1] - gap[0])
      gap = [from, span.x0];
    return { span, gap, inside: ${eventShade('span.x0 + 4', 'span.x1 - 4')}, outside: ${eventShade('gap[0] + 4', 'gap[1] - 4')} };
  })()`, { timeoutMs: 20000, what: 'a shaded span beginning in view' });
  assert(measured.inside > 0.6, `only ${(measured.inside * 100).toFixed(0)} % of the event's span shaded: ${JSON.stringify(measured)}`);
  assert(measured.gap[1] - measured.gap[0] < 120 || measured.outside < 0.05,
    `${(measured.outside * 100).toFixed(0)} % shaded outside any event: ${JSON.stringify(measured)}`);
  diag(`event span ${Math.round(measured.span.x0)}–${Math.round(measured.span.x1)} px: ` +
    `${(measured.inside * 100).toFixed(0)} % shaded; before it ${(measured.outside * 100).toFixed(0)} %`);
});

test('the stress button raises stress_level (GET /heartbeat/current)', async () => {
  const before = (await currentSample(server.url)).stress_level;
  // Full level, so it rises even over a random stress event already going on.
  const wanted = Math.min(before + 0.05, 0.98);
  await page.evaluate(`(() => {
    const slider = document.getElementById('stress-level');
    slider.value = '1';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  })()`);
  await page.click('#stress-button');
  const after = await waitForServer(async () => {
    const level = (await currentSample(server.url)).stress_level;
    return { ok: level >= wanted, value: level };
  }, { timeoutMs: 20000, what: 'stress_level to rise' });
  await page.waitFor(`Number(document.getElementById('stress').textContent) >= ${Math.round(after * 100)}`,
    { what: 'the stress readout to follow' });
  diag(`stress_level ${before} → ${after}`);
});

test('an API error is shown (FastAPI 422 detail)', async () => {
  // The slider cannot go out of range; stretch it as a bad client would.
  await page.evaluate(`(() => {
    const slider = document.getElementById('stress-level');
    slider.max = '2';
    slider.value = '1.5';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  })()`);
  await page.click('#stress-button');
  const text = await page.waitFor(`!document.getElementById('toast').hidden && document.getElementById('toast-text').textContent`,
    { what: 'an error toast' });
  assert(/stress level/i.test(text), `toast says "${text}"`);
  diag(`toast: ${text}`);
  await page.evaluate(`(() => {
    const slider = document.getElementById('stress-level');
    slider.max = '1';
    slider.value = '0.8';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
  })()`);
  await page.click('#toast-close');
  await page.waitFor(`document.getElementById('toast').hidden`, { what: 'the toast to close' });
});

// The run button's look: Start the suggested action, Stop a plain button as
// the window's (no red: stopping loses nothing)
const runButtonLook = `(() => {
  const button = document.getElementById('run-button');
  return { text: button.textContent, classes: [...button.classList], background: getComputedStyle(button).backgroundColor,
    color: getComputedStyle(button).color };
})()`;

test('start/stop button stops and restarts the simulation; Stop is a plain button, Start the suggested one', async () => {
  await page.waitFor(`document.getElementById('run-button').textContent === 'Stop'`, { what: 'a Stop button' });
  const stop = await page.evaluate(runButtonLook);
  assert(!stop.classes.includes('suggested') && !stop.classes.includes('destructive'), `Stop: ${JSON.stringify(stop)}`);
  const [r, g, b] = stop.background.match(/[\d.]+/g).map(Number);
  assert(!(r > 150 && g < 100 && b < 100), `Stop is red: ${stop.background}`);
  await page.click('#run-button');
  await waitForServer(async () => {
    const state = (await currentSample(server.url)).state;
    return { ok: state === 'stopped', value: state };
  }, { what: 'state stopped' });
  await page.waitFor(`document.getElementById('state').textContent === 'Stopped' &&
    document.getElementById('run-button').textContent === 'Start'`, { what: 'the page to show Stopped' });
  await page.waitFor(`heartsim.monitor.alert === 'Stopped'`, { what: 'the monitor to say Stopped' });
  const start = await page.evaluate(runButtonLook);
  assert(start.classes.includes('suggested'), `Start: ${JSON.stringify(start)}`);
  await page.click('#run-button');
  await waitForServer(async () => {
    const state = (await currentSample(server.url)).state;
    return { ok: state === 'running', value: state };
  }, { what: 'state running' });
  await page.waitFor(`document.getElementById('state').textContent === 'Running'`, { what: 'the page to show Running' });
  await page.waitFor(`heartsim.monitor.alert === ''`, { what: 'the monitor to sweep again' });
  diag(`Stop: ${stop.background}; Start: ${start.background}`);
});

test('the keyboard sets the resting heart rate', async () => {
  await page.evaluate(`(() => {
    const slider = document.getElementById('baseline');
    slider.value = '55';
    slider.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);
  await waitForServer(async () => {
    const baseline = (await currentSample(server.url)).baseline_bpm;
    return { ok: baseline === 55, value: baseline };
  }, { what: 'baseline_bpm 55' });
  await page.evaluate(`document.getElementById('baseline').focus()`);
  await page.pressKey('ArrowRight', 'ArrowRight', 39);
  await waitForServer(async () => {
    const baseline = (await currentSample(server.url)).baseline_bpm;
    return { ok: baseline === 56, value: baseline };
  }, { what: 'baseline_bpm 56 after ArrowRight' });
});

test('the resting-rate slider follows a change made elsewhere after a click on it', async () => {
  // a real click on the slider's track: it moves there, keeps the focus and
  // sends its value
  await page.click('#baseline');
  const clicked = Number(await page.waitFor(`document.activeElement === document.getElementById('baseline') &&
    document.getElementById('baseline').value`, { what: 'the slider focused after the click' }));
  await waitForServer(async () => {
    const baseline = (await currentSample(server.url)).baseline_bpm;
    return { ok: baseline === clicked, value: baseline };
  }, { what: `baseline_bpm ${clicked} from the click` });
  // another client sets it: the slider shows it, focused or not
  assert((await post(server.url, 'simulation/set-baseline?baseline_bpm=85')).status === 200, 'POST set-baseline 85');
  await page.waitFor(`document.getElementById('baseline').value === '85' &&
    document.getElementById('baseline-value').textContent === '85 bpm'`, { what: 'the slider to show 85' });
  // a press on the thumb and a release that moves nothing leaves no hold behind
  const thumb = await page.evaluate(`(() => {
    const r = document.getElementById('baseline').getBoundingClientRect();
    return { x: r.left + 10 + (85 - 40) / 80 * (r.width - 20), y: r.top + r.height / 2 };
  })()`);
  for (const type of ['mousePressed', 'mouseReleased'])
    await page.send('Input.dispatchMouseEvent', { type, x: thumb.x, y: thumb.y, button: 'left', clickCount: 1 });
  // a press a pixel off the thumb's centre moves it a step: let that land first
  const pressed = Number(await page.evaluate(`document.getElementById('baseline').value`));
  await waitForServer(async () => {
    const baseline = (await currentSample(server.url)).baseline_bpm;
    return { ok: baseline === pressed, value: baseline };
  }, { what: `baseline_bpm ${pressed} after the press` });
  assert((await post(server.url, 'simulation/set-baseline?baseline_bpm=64')).status === 200, 'POST set-baseline 64');
  await page.waitFor(`document.getElementById('baseline').value === '64'`, { what: 'the slider to show 64 after a press' });
  diag(`clicked to ${clicked}, then 85 and 64 from elsewhere`);
});

test('the person profile: chosen on the page, read back from /health', async () => {
  await page.waitFor(`document.getElementById('profile-select').value === 'average'`,
    { what: 'the Average profile, from /health' });
  await page.evaluate(`(() => {
    const select = document.getElementById('profile-select');
    select.value = 'athlete';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);
  await waitForServer(async () => {
    const profile = (await getJson(server.url, 'simulation/profile')).body?.profile;
    return { ok: profile === 'athlete', value: profile };
  }, { what: 'GET /simulation/profile to say athlete' });
  // the athlete's resting rate shows on the slider
  await page.waitFor(`document.getElementById('baseline').value === '52'`,
    { what: "the athlete's resting rate of 52 on the slider" });
  // a reload reads the profile from /health, not from the page's own choice
  await page.goto(server.url);
  await page.waitFor(`document.getElementById('profile-select').value === 'athlete'`,
    { what: 'the page to show athlete after a reload' });
  const back = await post(server.url, 'simulation/profile?name=average');
  assert(back.status === 200, `POST /simulation/profile?name=average: ${back.status}`);
});

test('SpO2 and skin temperature show the sample\'s values', async () => {
  await page.waitFor(`/^\\d+$/.test(document.getElementById('spo2').textContent) &&
    /^\\d+\\.\\d$/.test(document.getElementById('skin-temperature').textContent)`,
    { what: 'SpO2 in whole percent and the skin temperature to a tenth' });
  const spo2 = Number(await page.evaluate(`document.getElementById('spo2').textContent`));
  assert(spo2 >= 90 && spo2 <= 100, `SpO2 ${spo2} %`);
  const skin = Number(await page.evaluate(`document.getElementById('skin-temperature').textContent`));
  assert(skin > 25 && skin < 40, `skin temperature ${skin} °C`);
});

test('breathing and skin conductance draw in their lanes under the heart rate', async () => {
  const lanes = await page.waitFor(`heartsim.layout && heartsim.layout.lanes.respiration &&
    heartsim.layout.lanes.eda && heartsim.layout`, { what: 'the two lanes in the layout' });
  assert(lanes.lanes.respiration.top >= lanes.heart.bottom && lanes.lanes.eda.top >= lanes.lanes.respiration.bottom,
    `lanes not under the heart rate: ${JSON.stringify(lanes)}`);
  const breath = await page.waitFor(`${tracePixels('breath', 'heartsim.layout.lanes.respiration')} > 40 &&
    ${tracePixels('breath', 'heartsim.layout.lanes.respiration')}`, { what: 'the breathing trace in its lane' });
  const eda = await page.waitFor(`${tracePixels('eda', 'heartsim.layout.lanes.eda')} > 40 &&
    ${tracePixels('eda', 'heartsim.layout.lanes.eda')}`, { what: 'the skin-conductance trace in its lane' });
  const astray = await page.evaluate(`${tracePixels('breath', 'heartsim.layout.heart')} + ${tracePixels('eda', 'heartsim.layout.heart')}`);
  assert(astray < 5, `${astray} breathing or skin-conductance pixels in the heart-rate plot`);
  // The server has the typed stream: breathing comes at 25 Hz, not 2.
  const values = await page.waitFor(`heartsim.channelValues.respiration > 50 && heartsim.channelValues`,
    { timeoutMs: 10000, what: 'breathing values from /ws/stream' });
  // The traces scroll: what the lane shows changes from one moment to the next.
  const before = await page.evaluate(bandChecksum('heartsim.layout.lanes.respiration'));
  await page.waitFor(`${bandChecksum('heartsim.layout.lanes.respiration')} !== ${before}`,
    { timeoutMs: 3000, what: 'the breathing lane to change' });
  diag(`${breath} breathing and ${eda} skin-conductance pixels; ${values.respiration} breathing values from /ws/stream`);
});

test('the readouts show the sample\'s RMSSD (the headline, in ms), breathing and skin conductance', async () => {
  // Stopped, the newest sample stays the newest: the page must show it.
  await page.click('#run-button');
  await page.waitFor(`document.getElementById('state').textContent === 'Stopped'`, { what: 'the page to show Stopped' });
  await waitForServer(async () => {
    const state = (await currentSample(server.url)).state;
    return { ok: state === 'stopped', value: state };
  }, { what: 'state stopped' });
  const current = await currentSample(server.url);
  assert(Number.isFinite(current.respiratory_rate) && Number.isFinite(current.eda), `sample: ${JSON.stringify(current)}`);
  const want = { rate: current.respiratory_rate.toFixed(1), eda: current.eda.toFixed(2), bpm: String(current.bpm),
    rmssd: String(Math.round(current.rmssd_ms)), index: current.variability.toFixed(2) };
  const shown = await page.waitFor(`(() => {
    const text = (id) => document.getElementById(id).textContent;
    const got = { rate: text('respiratory-rate'), eda: text('eda'), bpm: text('bpm'), range: text('eda-range'),
      rmssd: text('rmssd'), index: text('variability') };
    return got.rate === ${JSON.stringify(want.rate)} && got.eda === ${JSON.stringify(want.eda)} &&
      got.bpm === ${JSON.stringify(want.bpm)} && got.rmssd === ${JSON.stringify(want.rmssd)} &&
      got.index === ${JSON.stringify(want.index)} && got;
  })()`, { what: `readouts ${JSON.stringify(want)}` });
  // RMSSD is the card's big number, with its unit; the index is its caption
  const card = await page.evaluate(`(() => {
    const card = document.getElementById('hrv-label').closest('.readout');
    return { big: card.querySelector('.big').id, unit: card.querySelector('.unit').textContent,
      caption: card.querySelector('.readout-sub').textContent };
  })()`);
  assert(card.big === 'rmssd' && card.unit === 'ms' && card.caption === `RMSSD · index ${want.index}`,
    `the variability card: ${JSON.stringify(card)}`);
  assert(/^Last minute \d+\.\d–\d+\.\d$/.test(shown.range), `skin-conductance range: "${shown.range}"`);
  const [lo, hi] = shown.range.replace('Last minute ', '').split('–').map(Number);
  // within half the range's last digit, and a little more: 7.1 + 0.05 is 7.1499… in floating point
  assert(lo <= Number(want.eda) + 0.051 && Number(want.eda) <= hi + 0.051, `${want.eda} µS outside "${shown.range}"`);
  await page.click('#run-button');
  await page.waitFor(`document.getElementById('state').textContent === 'Running'`, { what: 'the page to show Running' });
  diag(`${shown.rate} breaths/min, ${shown.eda} µS (${shown.range}), ${shown.bpm} bpm, RMSSD ${shown.rmssd} ms (${card.caption})`);
});

test('hiding a lane hides its trace, and it stays hidden after a reload', async () => {
  const heightBefore = await page.evaluate(`document.getElementById('chart').clientHeight`);
  await page.click('#show-eda');
  await page.waitFor(`!heartsim.lanes.eda && heartsim.layout && !heartsim.layout.lanes.eda &&
    ${tracePixels('eda')} === 0`, { what: 'the skin-conductance lane to go' });
  const heightAfter = await page.evaluate(`document.getElementById('chart').clientHeight`);
  assert(heightAfter < heightBefore - 30, `the chart stayed ${heightAfter} px high (was ${heightBefore})`);
  const saved = JSON.parse(await page.evaluate(`localStorage.getItem('heartsim-lanes')`));
  assert(saved.eda === false && saved.respiration === true, `localStorage: ${JSON.stringify(saved)}`);

  await page.goto(server.url);
  await page.waitFor(`window.heartsim && heartsim.chartPoints >= 3 && heartsim.layout &&
    ${tracePixels('breath', 'heartsim.layout.lanes.respiration')} > 40`, { timeoutMs: 15000, what: 'the reloaded chart' });
  const reloaded = await page.evaluate(`({ lanes: heartsim.lanes, layout: heartsim.layout,
    checked: document.getElementById('show-eda').checked, eda: ${tracePixels('eda')} })`);
  assert(!reloaded.lanes.eda && !reloaded.checked && !reloaded.layout.lanes.eda && reloaded.eda === 0,
    `after the reload: ${JSON.stringify(reloaded)}`);

  // The keyboard: Space on the focused check box brings it back.
  await page.evaluate(`document.getElementById('show-eda').focus()`);
  await page.pressKey(' ', 'Space', 32, ' ');
  await page.waitFor(`heartsim.lanes.eda && heartsim.layout.lanes.eda &&
    ${tracePixels('eda', 'heartsim.layout.lanes.eda')} > 40`, { what: 'the skin-conductance lane to come back' });
  const resaved = JSON.parse(await page.evaluate(`localStorage.getItem('heartsim-lanes')`));
  assert(resaved.eda === true, `localStorage after Space: ${JSON.stringify(resaved)}`);
});

test('the scenario control runs a bundled scenario; its phase shows beside the title and on the chart', async () => {
  const names = await page.waitFor(`!document.getElementById('scenario-row').hidden &&
    [...document.getElementById('scenario-select').options].map((o) => o.value)`, { what: 'the scenario control' });
  const bundled = (await scenarioReport(server.url)).bundled;
  assert(JSON.stringify(names) === JSON.stringify(bundled), `choices ${names}, server has ${bundled}`);
  await page.evaluate(`(() => {
    const select = document.getElementById('scenario-select');
    select.value = 'demo';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);
  await page.click('#scenario-button');
  await waitForServer(async () => {
    const report = await scenarioReport(server.url);
    return { ok: report.active && report.name === 'demo', value: report };
  }, { what: 'the demo scenario to run' });
  const shown = await page.waitFor(`(() => {
    const text = (id) => document.getElementById(id).textContent;
    return !document.getElementById('phase').hidden && text('phase-name') === 'baseline' &&
      /^· \\d+:\\d\\d left$/.test(text('phase-time')) && text('scenario-button') === 'Stop Scenario' &&
      { time: text('phase-time'), hint: text('scenario-hint') };
  })()`, { what: 'the phase beside the title' });
  assert(/Running demo, phase 1 of 4 · \d:\d\d left/.test(shown.hint), `hint: "${shown.hint}"`);
  await page.waitFor(`document.getElementById('announcer').textContent === 'Scenario phase: baseline'`,
    { what: 'the phase to be announced' });

  // The change from no phase to the first is marked on the chart, with the
  // phase's name above the line (dark text in the strip right of it).
  const mark = await page.waitFor(`heartsim.phaseMarks.find((m) => m.name === 'baseline' &&
    m.x < heartsim.layout.right - 90)`, { timeoutMs: 15000, what: 'the boundary to scroll into view' });
  const label = await page.evaluate(`(() => {
    const canvas = document.getElementById('chart');
    const k = canvas.width / canvas.clientWidth;
    const top = heartsim.layout.heart.top;
    const x = heartsim.phaseMarks.find((m) => m.name === 'baseline').x;
    const data = canvas.getContext('2d').getImageData(Math.round(x * k), Math.round((top - 22) * k),
      Math.round(70 * k), Math.round(20 * k)).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i + 3] > 200 && data[i] < 140 && data[i + 1] < 140 && data[i + 2] < 140)
        dark++;
    return dark;
  })()`);
  assert(label > 20, `${label} dark pixels where the phase's name should be`);

  await page.click('#scenario-button');
  await waitForServer(async () => {
    const report = await scenarioReport(server.url);
    return { ok: report.active === false, value: report };
  }, { what: 'the scenario to stop' });
  await page.waitFor(`document.getElementById('phase').hidden &&
    document.getElementById('scenario-button').textContent === 'Run Scenario' &&
    heartsim.phaseMarks.some((m) => m.name === '')`, { what: 'the phase to go and its end to be marked' });
  diag(`boundary at x ${mark.x}; ${label} label pixels; ${shown.hint}`);
});

test('phase changes of a running scenario show as they happen', async () => {
  // A short scenario of its own, uploaded (POST /simulation/scenario with
  // the file as the body), so that the phases change within seconds.
  const file = {
    name: 'browser-test',
    phases: [{ name: 'warm-up', duration: '3s' }, { name: 'task', duration: '4s', stress: 0.6 }],
  };
  const started = await post(server.url, 'simulation/scenario', {
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(file),
  });
  assert(started.status === 200 && started.body.name === 'browser-test', `upload: ${JSON.stringify(started)}`);
  await page.waitFor(`document.getElementById('phase-name').textContent === 'warm-up'`, { what: 'warm-up beside the title' });
  await page.waitFor(`document.getElementById('phase-name').textContent === 'task' &&
    document.getElementById('scenario-select').value === 'browser-test'`, { what: 'task beside the title' });
  const marks = await page.waitFor(`(() => {
    const marks = heartsim.phaseMarks;
    const warm = marks.find((m) => m.name === 'warm-up');
    const task = marks.find((m) => m.name === 'task');
    return warm && task && task.t - warm.t > 2000 && task.t - warm.t < 4500 && marks;
  })()`, { what: 'boundaries for warm-up and task about 3 s apart' });
  await page.waitFor(`document.getElementById('phase').hidden`, { timeoutMs: 15000, what: 'the scenario to end by itself' });
  diag(`marks: ${marks.map((m) => m.name || '(end)').join(', ')}`);
});

// The activity is a label channel: the page learns another client's change
// from /ws/stream, not from the samples (docs/dashboard.md)
const pressedActivity = `[...document.querySelectorAll('[data-activity]')]
  .filter((button) => button.getAttribute('aria-pressed') === 'true').map((button) => button.dataset.activity).join()`;

test('the activity buttons set the activity, and a change over the API shows on the page', async () => {
  await page.click('[data-activity="running"]');
  // a run's cadence is 150–180 steps a minute (docs/model.md)
  const cadence = await waitForServer(async () => {
    const value = (await currentSample(server.url)).cadence;
    return { ok: value >= 150 && value <= 180, value };
  }, { what: 'a running cadence in GET /heartbeat/current' });
  await page.waitFor(`${pressedActivity} === 'running' && document.getElementById('activity-text').textContent === 'Running'`,
    { what: 'Running to show as pressed' });
  const steps = await page.waitFor(`(() => {
    const steps = Number(document.getElementById('steps-today').textContent.replace(/[^0-9]/g, ''));
    const cadence = Number(document.getElementById('cadence').textContent);
    return steps > 0 && cadence >= 150 && Number(document.getElementById('energy').textContent) > 1.5 && { steps, cadence };
  })()`, { what: 'steps today, cadence and energy of a run in the readouts' });

  // another client: the page follows without a reload
  const answer = await post(server.url, 'simulation/activity?type=walking');
  assert(answer.status === 200 && answer.body.activity === 'walking', `POST answered ${JSON.stringify(answer)}`);
  await page.waitFor(`${pressedActivity} === 'walking' && document.getElementById('activity-text').textContent === 'Walking'`,
    { what: 'the page to show the walk another client set' });
  await page.waitFor(`document.getElementById('announcer').textContent === 'Activity: Walking'`,
    { what: 'the change to be announced' });
  diag(`running at ${cadence} steps/min (page: ${JSON.stringify(steps)}), then walking set over the API`);

  // a page opened after the change knows it at once, from /health
  const late = await browser.newPage();
  try {
    await late.goto(server.url);
    await late.waitFor(`${pressedActivity} === 'walking'`, { what: 'a page opened later to show the walk' });
  } finally {
    await late.close();
  }

  // at rest again, for the tests after this one
  await page.click('[data-activity="rest"]');
  await page.waitFor(`${pressedActivity} === 'rest'`, { what: 'Rest to show as pressed' });
});

test('the 1 h and 24 h spans draw the heart rate, an activity band and a hypnogram from /api/day', async () => {
  // a walk, so that the activity band has one
  assert((await post(server.url, 'simulation/activity?type=walking')).status === 200, 'POST walking');
  await waitForServer(async () => {
    const buckets = await dayBuckets(server.url);
    return { ok: buckets.some((b) => b.activity === 'walking'), value: buckets.map((b) => b.activity) };
  }, { what: 'a walking bucket in /api/day' });

  try {
    await drawLongSpans();
  } finally {
    // the live minute, at rest, for the tests after this one
    await page.click('[data-span="60"]');
    await post(server.url, 'simulation/activity?type=rest');
  }
});

async function drawLongSpans () {
  await page.click('[data-span="3600"]');
  const hour = await page.waitFor(`heartsim.span === 3600 && heartsim.dayView && heartsim.dayView.span === 3600 &&
    heartsim.dayView.runs.activity.some((run) => run.name === 'walking') && heartsim.dayView`,
  { timeoutMs: 15000, what: 'the hour drawn with a walk in it' });
  assert(hour.resolution === 10 && hour.buckets > 0, `the hour: ${JSON.stringify(hour)}`);
  // the events triggered before, shaded as on the live minute
  assert(hour.events > 0, `no stress event shaded in the hour: ${JSON.stringify(hour)}`);
  assert(requestedUrls.some((url) => url.includes('api/day?seconds=3600&resolution=10')),
    'the hour was not asked of /api/day at 10 s');
  const walking = await page.waitFor(`${colourPixels('--activity-walking', 'heartsim.layout.bands.activity')} > 20 &&
    ${colourPixels('--activity-walking', 'heartsim.layout.bands.activity')}`, { what: "the walk's colour in the activity band" });
  const heart = await page.evaluate(`${tracePixels('heart', 'heartsim.layout.heart')}`);
  assert(heart > 20, `${heart} heart-rate pixels in the hour's plot`);
  const astray = await page.evaluate(`${colourPixels('--activity-walking', 'heartsim.layout.heart')}`);
  assert(astray < 5, `${astray} walking pixels in the heart-rate plot`);
  const shown = await page.evaluate(`({
    heading: document.getElementById('chart-heading').textContent,
    legends: !document.getElementById('band-legends').hidden,
    lanes: [...document.querySelectorAll('.live-only')].every((item) => item.hidden),
    label: document.getElementById('chart').getAttribute('aria-label'),
  })`);
  assert(shown.heading === 'Last Hour' && shown.legends && shown.lanes, `the hour's header: ${JSON.stringify(shown)}`);
  assert(/^Heart rate chart of the last hour: \d+ to \d+ bpm, mean \d+; .*walking/.test(shown.label),
    `the chart's accessible name: "${shown.label}"`);

  // to bed: the hypnogram's first stage
  assert((await post(server.url, 'simulation/activity?type=sleep')).status === 200, 'POST sleep');
  await waitForServer(async () => {
    const buckets = await dayBuckets(server.url);
    return { ok: buckets.some((b) => b.sleep_stage !== ''), value: buckets.map((b) => b.sleep_stage) };
  }, { what: 'a sleep stage in /api/day' });
  // the next answer, within the 10 s refresh
  const stage = await page.waitFor(`heartsim.dayView.runs.sleep.length > 0 && heartsim.dayView.runs.sleep[0].name`,
    { timeoutMs: 15000, what: 'a sleep stage in the hypnogram' });
  const stagePixels = await page.waitFor(`${colourPixels(`--stage-${stage.replace('_', '-')}`, 'heartsim.layout.bands.sleep')}`,
    { what: `the colour of ${stage} in the hypnogram` });
  assert(stagePixels > 0, `no ${stage} pixels in the hypnogram`);

  await page.click('[data-span="86400"]');
  const day = await page.waitFor(`heartsim.span === 86400 && heartsim.dayView && heartsim.dayView.span === 86400 &&
    heartsim.dayView.runs.activity.length > 0 && heartsim.dayView`, { timeoutMs: 15000, what: 'the day drawn' });
  assert(day.resolution === 60, `the day's buckets: ${JSON.stringify(day)}`);
  assert(requestedUrls.some((url) => url.includes('api/day?seconds=86400&resolution=60')),
    'the day was not asked of /api/day at 60 s');
  // a minute's block at least a pixel wide, in its own colour
  let dayPixels = 0;
  for (const name of new Set(day.runs.activity.map((run) => run.name)))
    dayPixels += await page.evaluate(colourPixels(`--activity-${name}`, 'heartsim.layout.bands.activity'));
  assert(dayPixels > 0, `the day's activity band has none of its colours: ${JSON.stringify(day.runs.activity)}`);
  // while the day is shown, it is asked for again every 10 s
  const asked = dayRequests(86400);
  await waitForServer(async () => ({ ok: dayRequests(86400) > asked, value: dayRequests(86400) }),
    { timeoutMs: 15000, what: 'the day to be asked for again' });
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot(join(artifacts, 'dashboard-day-light.png'));

  // back to the live minute, with its lanes
  await page.click('[data-span="60"]');
  await page.waitFor(`heartsim.span === 60 && heartsim.layout && heartsim.layout.lanes.respiration &&
    !heartsim.layout.bands && document.getElementById('band-legends').hidden`, { what: 'the live minute again' });
  const saved = await page.evaluate(`localStorage.getItem('heartsim-span')`);
  assert(saved === '60', `localStorage heartsim-span: ${saved}`);
  diag(`hour: ${hour.buckets} buckets, ${walking} walking pixels, ${stage} in the hypnogram (${stagePixels} pixels); ` +
    `day: ${day.buckets} buckets of 60 s, ${dayPixels} pixels of its activities`);
}

test('the Today card shows the day\'s totals from /api/day', async () => {
  // the server's steps and the page's agree once the page has asked again
  const agreed = await waitForServer(async () => {
    const totals = (await getJson(server.url, 'api/day?seconds=10&resolution=10')).body.totals;
    const shown = Number((await page.evaluate(`document.getElementById('today-steps').textContent`)).replace(/[^0-9]/g, ''));
    return { ok: totals.steps > 0 && shown === totals.steps, value: { server: totals.steps, page: shown } };
  }, { timeoutMs: 30000, what: "the page's steps to be the server's" });
  const shown = await page.evaluate(`({
    hidden: document.getElementById('today').hidden,
    energy: document.getElementById('today-active-energy').textContent,
    minutes: document.getElementById('today-active-minutes').textContent,
    sleep: document.getElementById('today-sleep').textContent,
    stages: document.getElementById('today-sleep-stages').textContent,
  })`);
  assert(!shown.hidden, 'the Today card is hidden');
  assert(/^\d+$/.test(shown.energy) && /^\d+$/.test(shown.minutes), `active energy and minutes: ${JSON.stringify(shown)}`);
  // in bed a while in the test before: the night is logged
  assert(/^(\d+ h )?\d+ min$/.test(shown.sleep) && /^Deep (\d+ h )?\d+ min · REM (\d+ h )?\d+ min$/.test(shown.stages),
    `sleep: ${JSON.stringify(shown)}`);
  diag(`steps ${agreed.server}; ${shown.energy} kcal active, ${shown.minutes} active min; sleep ${shown.sleep} (${shown.stages})`);
});

test('every control has an accessible name', async () => {
  const { nodes } = await page.send('Accessibility.getFullAXTree');
  const controls = nodes.filter((node) => !node.ignored &&
    ['button', 'slider', 'textbox', 'link', 'checkbox', 'combobox', 'spinbutton'].includes(node.role?.value));
  const unnamed = controls.filter((node) => !(node.name?.value || '').trim());
  assert(controls.length >= 8, `only ${controls.length} controls in the accessibility tree`);
  assert(unnamed.length === 0, `controls without a name: ${unnamed.map((n) => n.role.value).join(', ')}`);
  const names = controls.map((node) => `${node.role.value} "${node.name.value}"`);
  for (const wanted of ['slider "Stress Event"', 'slider "Resting Heart Rate"', 'button "Trigger Stress"',
    'checkbox "Breathing"', 'checkbox "Skin conductance (µS)"', 'combobox "Scenario"', 'button "Run Scenario"',
    'button "Running"', 'button "Sleep"', 'button "1 hour"', 'button "24 hours"', 'slider "Stress Level"',
    'checkbox "Random Stress Events"', 'spinbutton "Random stress events an hour"'])
    assert(names.includes(wanted), `no ${wanted} in ${names.join(', ')}`);
});

test('screenshots: light and dark, desktop and phone', async () => {
  mkdirSync(artifacts, { recursive: true });
  const shots = [];
  for (const [device, viewport] of [
    ['desktop', { width: 1280, height: 860 }],
    ['phone', { width: 390, height: 844, deviceScaleFactor: 2, mobile: true }],
  ]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewport(viewport);
      await page.setColorScheme(scheme);
      await page.waitFor(`heartsim.samplesReceived > ${(await pageState()).samples + 1}`, { what: 'fresh samples' });
      const overflow = await page.evaluate('document.documentElement.scrollWidth - innerWidth');
      assert(overflow <= 0, `${device} ${scheme}: the page is ${overflow} px wider than the screen`);
      const file = join(artifacts, `dashboard-${device}-${scheme}.png`);
      await page.screenshot(file);
      assert(statSync(file).size > 10000, `${file} is suspiciously small`);
      shots.push(file);
    }
  }
  await page.setViewport({ width: 1280, height: 860 });
  await page.setColorScheme('light');
  diag(`saved ${shots.join(', ')}`);
});

test('a page opened later fills the last minute from /api/history', async () => {
  const health = (await getJson(server.url, 'health')).body;
  const history = (await getJson(server.url, `api/history?since=${Math.max(0, health.seq - 130)}&limit=1000`)).body;
  const newest = Date.parse(history.samples[history.samples.length - 1].timestamp);
  const lastMinute = history.samples.filter((s) => Date.parse(s.timestamp) >= newest - 59000).length;
  assert(lastMinute >= 10, `only ${lastMinute} samples on the server so far`);
  const late = await browser.newPage();
  try {
    await late.goto(server.url);
    const got = await late.waitFor(`window.heartsim && heartsim.chartPoints >= ${lastMinute - 2} &&
      ({ points: heartsim.chartPoints, live: heartsim.samplesReceived })`,
    { timeoutMs: 5000, what: `about ${lastMinute} points from the history` });
    assert(got.points > got.live + 5, `${got.points} points, ${got.live} of them live: no history`);
    diag(`${got.points} chart points, ${got.live} live, ${lastMinute} in the server's last minute`);
  } finally {
    await late.close();
  }
});

test('the dashboard over EventSource (?transport=sse) gets data', async () => {
  ssePage = await browser.newPage();
  await ssePage.goto(new URL('?transport=sse', server.url).href);
  await ssePage.waitFor(`window.heartsim && heartsim.transport === 'sse' && heartsim.status === 'live' &&
    heartsim.samplesReceived >= 2`, { timeoutMs: 15000, what: 'samples over SSE' });
});

test('a page whose WebSocket is refused falls back to EventSource', async () => {
  const blocked = await browser.newPage();
  try {
    // As a proxy that refuses the upgrade would: every WebSocket fails.
    await blocked.addInitScript(`window.WebSocket = class extends WebSocket {
      constructor (url, protocols) { super(String(url).replace('/ws/heartbeat', '/ws/refused'), protocols); }
    };`);
    await blocked.goto(server.url);
    await blocked.waitFor(`window.heartsim && heartsim.transport === 'sse' && heartsim.status === 'live' &&
      heartsim.samplesReceived >= 2`, { timeoutMs: 30000, what: 'the fallback to SSE and samples over it' });
  } finally {
    await blocked.close();
  }
});

test('after a server restart on the same port the pages reconnect and get data again', async () => {
  const port = server.port;
  const before = await pageState();
  const sseBefore = await ssePage.evaluate('heartsim.samplesReceived');
  const monitorBefore = await monitorState(page);
  const code = await server.stop();
  diag(`heartsim exited with ${code} after SIGTERM`);
  await page.waitFor(`heartsim.status !== 'live'`, { what: 'the page to notice the server is gone' });
  const shown = await page.evaluate(`document.getElementById('connection-text').textContent`);
  assert(/reconnect|offline|connecting/i.test(shown), `connection status says "${shown}"`);
  // the readouts are of before: faint and grey, and the state says Offline
  const readoutLook = `(() => {
    const value = document.getElementById('bpm').closest('.readout-value');
    return { state: document.getElementById('state').textContent, opacity: Number(getComputedStyle(value).opacity),
      filter: getComputedStyle(value).filter };
  })()`;
  await page.waitFor(`document.getElementById('state').textContent === 'Offline'`, { what: 'the State readout to say Offline' });
  const offline = await page.waitFor(`(() => { const look = ${readoutLook}; return look.opacity < 0.6 && look; })()`,
    { what: 'the readouts to dim' });
  assert(/grayscale\(1\)/.test(offline.filter), `offline readouts: ${JSON.stringify(offline)}`);
  // the monitor's trace is of before too: it says so, faint
  const monitorOffline = await page.waitFor(`(() => {
    const canvas = document.getElementById('monitor-canvas');
    return heartsim.monitor.alert === 'Offline' && Number(getComputedStyle(canvas).opacity) < 0.6 &&
      { alert: heartsim.monitor.alert, opacity: getComputedStyle(canvas).opacity };
  })()`, { what: 'the monitor to say Offline' });
  diag(`monitor while the server is gone: ${JSON.stringify(monitorOffline)}`);

  // The port is ours again at once (SO_REUSEADDR); retry briefly if not.
  for (let attempt = 0; ; attempt++) {
    try {
      server = await HeartsimProcess.start(['--port', String(port)]);
      break;
    } catch (error) {
      if (attempt >= 10)
        throw error;
      await delay(300);
    }
  }
  await page.waitFor(`heartsim.status === 'live' && heartsim.samplesReceived >= ${before.samples + 3}`,
    { timeoutMs: 30000, what: 'the WebSocket page to reconnect and receive samples' });
  await page.waitFor(`document.getElementById('state').textContent === 'Running'`,
    { what: 'the State readout to say Running again' });
  const back = await page.waitFor(`(() => { const look = ${readoutLook}; return look.opacity === 1 && look; })()`,
    { what: 'the readouts at full strength again' });
  assert(!/grayscale\(1\)/.test(back.filter), `readouts after the reconnection: ${JSON.stringify(back)}`);
  // the monitor sweeps the new server's frames, which do not follow on from
  // the old one's: that is no gap
  await page.waitFor(`heartsim.monitor.alert === '' && heartsim.monitor.ecg.frames >= ${monitorBefore.ecg.frames + 25}`,
    { timeoutMs: 30000, what: 'the monitor to sweep again' });
  assert((await monitorState(page)).gaps === monitorBefore.gaps, 'the monitor counted the reconnection as lost samples');
  await ssePage.waitFor(`heartsim.status === 'live' && heartsim.samplesReceived >= ${sseBefore + 2}`,
    { timeoutMs: 30000, what: 'the EventSource page to reconnect and receive samples' });
  const after = await pageState();
  assert(after.seq < before.seq + 40, `seq ${after.seq}: the readouts do not show the new server`);
  diag(`seq ${before.seq} before the restart, ${after.seq} after; ${after.samples - before.samples} samples since`);
});

test('another origin: the seed\'s WebSocket snippet and an EventSource receive data', async () => {
  const port = server.port;
  const html = `<!DOCTYPE html><meta charset="utf-8"><title>client</title><script>
window.wsMessages = [];
window.sseMessages = [];
const ws = new WebSocket('ws://localhost:${port}/ws/heartbeat');
ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    console.log(\`BPM: \${data.bpm}\`);
    window.wsMessages.push(data);
};
const source = new EventSource('http://127.0.0.1:${port}/api/stream');
source.onmessage = (event) => window.sseMessages.push(JSON.parse(event.data));
fetch('http://127.0.0.1:${port}/heartbeat/current').then((r) => r.json())
  .then((d) => { window.current = d; }, (e) => { window.fetchError = String(e); });
// A request with Authorization needs a CORS preflight; the POST itself is
// refused, as it is cross-site without the token (docs/api.md).
fetch('http://127.0.0.1:${port}/simulation/stop', { method: 'POST', headers: { Authorization: 'Bearer unused' } })
  .then((r) => { window.postStatus = r.status; }, (e) => { window.postError = String(e); });
</script>`;
  const origin = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const client = await browser.newPage();
  try {
    await client.goto(`http://127.0.0.1:${origin.address().port}/`);
    await client.waitFor(`wsMessages.length >= 3 && sseMessages.length >= 2 && window.current && window.postStatus`,
      { timeoutMs: 20000, what: 'WebSocket and SSE messages in the other origin' });
    const got = await client.evaluate(`({ ws: wsMessages.slice(0, 2), sse: sseMessages[0], current: window.current,
      post: window.postStatus, errors: [window.fetchError, window.postError] })`);
    assert(got.ws[0].type === 'connected', `first WebSocket frame: ${JSON.stringify(got.ws[0])}`);
    assert(Number.isInteger(got.ws[1].bpm), `second WebSocket frame: ${JSON.stringify(got.ws[1])}`);
    assert(Number.isInteger(got.sse.value) && got.sse.type === 'heart_rate', `SSE event: ${JSON.stringify(got.sse)}`);
    assert(Number.isInteger(got.current.bpm), `cross-origin GET: ${JSON.stringify(got.current)}`);
    assert(got.post === 403, `cross-origin POST with preflight: ${got.post}, want 403 (readable, so the preflight passed)`);
    assert((await currentSample(server.url)).state === 'running', 'a cross-origin POST stopped the simulation');
    assert(client.console.some((line) => /BPM: \d+/.test(line)), 'the snippet logged no BPM');
  } finally {
    await client.close();
    origin.close();
  }
});

test('beyond loopback a 401 asks for a token, which is kept for the tab and sent as Bearer', async () => {
  const token = `t${Math.random().toString(36).slice(2)}`;
  // Listening on every interface is what makes the server require the token;
  // the test still only talks to 127.0.0.1.
  const guarded = await HeartsimProcess.start(['--port', '0', '--bind', '0.0.0.0', '--token', token]);
  const base = `http://127.0.0.1:${guarded.port}/`;
  const tokenPage = await browser.newPage();
  try {
    await tokenPage.goto(base);
    await tokenPage.waitFor(`window.heartsim && heartsim.status === 'live' &&
      document.getElementById('run-button').textContent === 'Stop'`, { what: 'the page to connect' });
    await tokenPage.click('#run-button');
    await tokenPage.waitFor(`!document.getElementById('token-banner').hidden &&
      document.activeElement === document.getElementById('token-input')`, { what: 'the token field' });
    assert((await currentSample(base)).state === 'running', 'a POST without the token changed the state');
    await tokenPage.send('Input.insertText', { text: token });
    await tokenPage.pressKey('Enter', 'Enter', 13, '\r');
    await waitForServer(async () => {
      const state = (await currentSample(base)).state;
      return { ok: state === 'stopped', value: state };
    }, { what: 'the retried stop to succeed with the token' });
    const stored = await tokenPage.evaluate(`sessionStorage.getItem('heartsim-token')`);
    assert(stored === token, 'the token is not in sessionStorage');
    await tokenPage.waitFor(`document.getElementById('token-banner').hidden`, { what: 'the banner to go' });
    // The scenario control sends the kept token too, with POST and DELETE.
    await tokenPage.waitFor(`!document.getElementById('scenario-row').hidden`, { what: 'the scenario control' });
    await tokenPage.click('#scenario-button');
    await waitForServer(async () => {
      const report = await scenarioReport(base);
      return { ok: report.active === true, value: report };
    }, { what: 'a scenario started with the token' });
    await tokenPage.waitFor(`document.getElementById('scenario-button').textContent === 'Stop Scenario'`,
      { what: 'the Stop Scenario button' });
    await tokenPage.click('#scenario-button');
    await waitForServer(async () => {
      const report = await scenarioReport(base);
      return { ok: report.active === false, value: report };
    }, { what: 'the scenario stopped with the token' });
    assert(!(await tokenPage.evaluate(`document.getElementById('token-banner').hidden === false`)),
      'the token was asked for again');
  } finally {
    await tokenPage.close();
    await guarded.stop();
  }
});

test('a replayed heart-rate CSV, with no stress or breathing, shows its bpm and dashes, never 0', async () => {
  // time in seconds and bpm, as exported by many tools (docs/replay.md)
  const folder = mkdtempSync(join(tmpdir(), 'heartsim-browser-'));
  const csv = join(folder, 'hr.csv');
  const rows = ['time,bpm'];
  for (let i = 0; i < 120; i++)
    rows.push(`${i},${60 + (i % 7)}`);
  writeFileSync(csv, rows.join('\n') + '\n');
  const replay = await HeartsimProcess.start(['--port', '0', '--replay', csv, '--speed', '4', '--loop']);
  const replayPage = await browser.newPage();
  try {
    await replayPage.goto(replay.url);
    const shown = await replayPage.waitFor(`window.heartsim && heartsim.samplesReceived >= 3 && (() => {
      const text = (id) => document.getElementById(id).textContent;
      return { bpm: text('bpm'), stress: text('stress'), rate: text('respiratory-rate'), eda: text('eda') };
    })()`, { timeoutMs: 15000, what: 'replayed samples on the page' });
    assert(/^(6[0-6])$/.test(shown.bpm), `bpm readout "${shown.bpm}" is not one of the file's`);
    assert(shown.stress === '–' && shown.rate === '–' && shown.eda === '–',
      `readouts without data: ${JSON.stringify(shown)}`);
    const latest = await replayPage.evaluate('heartsim.latest');
    assert(latest.stress_level === null, `stress_level ${latest.stress_level}`);
    assert(replayPage.errors.length === 0, `errors: ${replayPage.errors.join(' | ')}`);
    diag(`replayed ${shown.bpm} bpm; stress "${shown.stress}", breathing "${shown.rate}", skin "${shown.eda}"`);
  } finally {
    await replayPage.close();
    await replay.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('no script errors in the dashboard pages', async () => {
  const errors = [...page.errors, ...(ssePage ? ssePage.errors : [])];
  assert(errors.length === 0, `errors: ${errors.join(' | ')}`);
});

// ---- run ----

async function cleanup () {
  for (const s of [...servers])
    await s.stop().catch(() => {});
  if (browser)
    await browser.close().catch(() => {});
}

console.log('TAP version 13');
if (!binary || !existsSync(binary)) {
  console.log(`Bail out! HEARTSIM_BINARY is not set to the built heartsim (${binary})`);
  process.exit(1);
}
process.on('SIGTERM', async () => {
  await cleanup();
  process.exit(1);
});

let number = 0;
for (const { name, fn } of tests) {
  number++;
  const started = Date.now();
  try {
    await fn();
    console.log(`ok ${number} - ${name} # ${Date.now() - started} ms`);
  } catch (error) {
    failures++;
    console.log(`not ok ${number} - ${name}`);
    diag(error.stack || error.message);
    if (server && server.output)
      diag(`heartsim output:\n${server.output.trim().split('\n').slice(-10).join('\n')}`);
    if (page && page.console.length)
      diag(`page console (last lines):\n${page.console.slice(-10).join('\n')}`);
    if (!server || (number === 1)) {
      console.log('Bail out! the server did not start');
      break;
    }
    if (browser && browser.exited)
      diag(`chromium exited; its last words:\n${browser.stderr.slice(-2000)}`);
  }
}
console.log(`1..${number}`);
await cleanup();
process.exit(failures > 0 ? 1 : 0);
