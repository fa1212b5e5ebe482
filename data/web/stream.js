// SPDX-License-Identifier: GPL-3.0-or-later
//
// Live samples from the server, reconnecting by itself.
//
// The WebSocket /ws/heartbeat is the primary transport: it carries every
// sample at full rate. EventSource on /api/stream is the fallback for
// networks that refuse the WebSocket upgrade (some proxies do); the browser
// reconnects it by itself and sends Last-Event-ID so the server replays what
// was missed. After any reconnect the caller is told to resync, and fills
// the gap from /api/history.
//
// The same class carries a typed stream (/ws/stream?types=…, docs/api.md)
// with `path` and `fallback: false`: it then reconnects the same way but
// never turns to EventSource.

import { endpoint } from './api.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;
// A WebSocket that never opens this many times in a row while HTTP works
// means something between us and the server blocks it.
const WEBSOCKET_FAILURES_BEFORE_SSE = 3;
// No frame at all for this long while samples are expected: the connection
// is half-open (a laptop that slept, a NAT that forgot us).
const SILENCE_LIMIT_MS = 15000;

export function backoffDelay (attempt) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  // Jitter so many dashboards do not hammer a restarting server in step.
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export class SampleStream {
  // onSample(sample), onStatus({status, transport, retryAt}),
  // onConnected({transport, resumed}) after each (re)connection.
  constructor ({ onSample, onStatus = () => {}, onConnected = () => {}, transport = 'websocket',
    path = 'ws/heartbeat', params = {}, fallback = true }) {
    this.onSample = onSample;
    this.onStatus = onStatus;
    this.onConnected = onConnected;
    this.transport = transport;
    this.path = path;
    this.params = params;
    this.fallback = fallback;
    this.socket = null;
    this.source = null;
    this.attempt = 0;
    this.websocketFailures = 0;
    this.retryTimer = 0;
    this.watchdogTimer = 0;
    this.lastFrameAt = 0;
    this.expectingSamples = false;
    this.stopped = true;

    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible')
        this.retryNow();
    });
  }

  start () {
    this.stopped = false;
    this.connect();
  }

  stop () {
    this.stopped = true;
    this.teardown();
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
  }

  // The server says whether it generates samples; the watchdog only runs
  // then, as a stopped simulator is silent on purpose.
  setExpectingSamples (expecting) {
    this.expectingSamples = expecting;
    this.lastFrameAt = performance.now();
  }

  retryNow () {
    if (this.stopped || !this.retryTimer)
      return;
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    this.connect();
  }

  connect () {
    this.teardown();
    this.status(this.attempt === 0 ? 'connecting' : 'reconnecting');
    if (this.transport === 'websocket')
      this.connectWebSocket();
    else
      this.connectEventSource();
  }

  status (status, retryAt = 0) {
    this.onStatus({ status, transport: this.transport, retryAt });
  }

  teardown () {
    clearInterval(this.watchdogTimer);
    this.watchdogTimer = 0;
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState <= WebSocket.OPEN)
        socket.close(1000);
    }
    if (this.source) {
      this.source.onopen = this.source.onmessage = this.source.onerror = null;
      this.source.close();
      this.source = null;
    }
  }

  connectWebSocket () {
    const url = endpoint(this.path, this.params);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let opened = false;
    const socket = new WebSocket(url);
    this.socket = socket;

    socket.onopen = () => {
      opened = true;
      this.websocketFailures = 0;
      this.opened(false);
    };
    socket.onmessage = (event) => {
      this.lastFrameAt = performance.now();
      const message = parse(event.data);
      if (message && message.type !== 'connected')
        this.onSample(message);
    };
    socket.onclose = () => {
      if (this.socket !== socket)
        return;
      this.socket = null;
      this.closed(opened, !opened);
    };
  }

  connectEventSource () {
    const source = new EventSource(endpoint('api/stream'));
    this.source = source;
    let resumed = false;

    source.onopen = () => {
      // Only the first open of this object needs a resync from history:
      // the browser's own reconnects carry Last-Event-ID.
      this.opened(resumed);
      resumed = true;
    };
    source.onmessage = (event) => {
      this.lastFrameAt = performance.now();
      const message = parse(event.data);
      if (!message)
        return;
      if (message.seq === undefined && event.lastEventId)
        message.seq = Number(event.lastEventId);
      this.onSample(message);
    };
    source.onerror = () => {
      if (this.source !== source)
        return;
      if (source.readyState === EventSource.CONNECTING) {
        // The browser retries by itself (honouring the server's retry:).
        this.status('reconnecting');
        return;
      }
      // CLOSED: the browser gave up (an HTTP error, a wrong content type).
      this.source = null;
      source.close();
      this.closed(resumed);
    };
  }

  opened (resumed) {
    this.attempt = 0;
    this.lastFrameAt = performance.now();
    this.status('live');
    this.onConnected({ transport: this.transport, resumed });
    this.watchdogTimer = setInterval(() => this.checkSilence(), 2000);
  }

  checkSilence () {
    if (this.expectingSamples && performance.now() - this.lastFrameAt > SILENCE_LIMIT_MS)
      this.closed(true);
  }

  async closed (wasOpen, websocketRefused = false) {
    this.teardown();
    if (this.stopped)
      return;
    // Only a WebSocket refused by a server that answers HTTP counts against
    // it; a server that is simply down (restarting) does not.
    if (websocketRefused) {
      this.websocketFailures = await httpReachable() ? this.websocketFailures + 1 : 0;
      if (this.stopped || this.socket || this.source)
        return;
      if (this.websocketFailures >= WEBSOCKET_FAILURES_BEFORE_SSE) {
        if (!this.fallback) {
          // A typed stream has no fallback: the samples stand in for it.
          this.stop();
          this.status('refused');
          return;
        }
        this.transport = 'sse';
        this.attempt = 0;
        this.connect();
        return;
      }
    }
    const delay = wasOpen ? backoffDelay(0) : backoffDelay(this.attempt);
    this.attempt = wasOpen ? 1 : this.attempt + 1;
    this.status(this.attempt > 4 ? 'offline' : 'reconnecting', Date.now() + delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = 0;
      this.connect();
    }, delay);
  }
}

function parse (data) {
  try {
    const message = JSON.parse(data);
    return message && typeof message === 'object' ? message : null;
  } catch {
    return null;
  }
}

async function httpReachable () {
  try {
    const response = await fetch(endpoint('health'), { cache: 'no-store' });
    return response.ok;
  } catch {
    return false;
  }
}
