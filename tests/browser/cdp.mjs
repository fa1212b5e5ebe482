// SPDX-License-Identifier: GPL-3.0-or-later
//
// A small Chrome DevTools Protocol client over --remote-debugging-pipe, so
// the browser tests need nothing but node (Debian 12's v18 is enough) and
// Debian's chromium: no npm packages, no WebSocket client, no download.
// Chromium reads commands on fd 3 and writes replies and events on fd 4,
// each message JSON terminated by a NUL byte.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMMAND_TIMEOUT_MS = 30000;

export class Browser {
  static async launch (executable = '/usr/bin/chromium') {
    const userDataDir = mkdtempSync(join(tmpdir(), 'heartsim-chromium-'));
    const args = [
      '--headless',
      '--no-sandbox', // tests often run as root, where the sandbox refuses to start
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-default-apps',
      '--disable-dev-shm-usage',
      '--mute-audio',
      '--hide-scrollbars',
      '--password-store=basic',
      '--use-mock-keychain',
      `--user-data-dir=${userDataDir}`,
      '--remote-debugging-pipe',
      'about:blank',
    ];
    // The test environment makes GLib warnings fatal for heartsim; chromium
    // links GLib too and must not abort on its own harmless warnings.
    const env = { ...process.env };
    for (const name of ['G_DEBUG', 'G_ENABLE_DIAGNOSTIC', 'MALLOC_CHECK_'])
      delete env[name];
    const child = spawn(executable, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const browser = new Browser(child, userDataDir);
    await browser.send('Browser.getVersion');
    return browser;
  }

  constructor (child, userDataDir) {
    this.child = child;
    this.userDataDir = userDataDir;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.stderr = '';
    this.exited = false;
    this.incoming = Buffer.alloc(0);

    child.stderr.on('data', (chunk) => {
      // Keep the tail only: chromium is chatty, and it is for diagnostics.
      this.stderr = (this.stderr + chunk.toString()).slice(-8000);
    });
    child.stdio[4].on('data', (chunk) => this.receive(chunk));
    child.on('exit', () => {
      this.exited = true;
      for (const { reject, method } of this.pending.values())
        reject(new Error(`chromium exited while waiting for ${method}`));
      this.pending.clear();
    });
    child.stdio[3].on('error', () => {});
  }

  receive (chunk) {
    this.incoming = Buffer.concat([this.incoming, chunk]);
    let end;
    while ((end = this.incoming.indexOf(0)) >= 0) {
      const text = this.incoming.subarray(0, end).toString('utf8');
      this.incoming = this.incoming.subarray(end + 1);
      const message = JSON.parse(text);
      if (message.id !== undefined) {
        const entry = this.pending.get(message.id);
        if (!entry)
          continue;
        this.pending.delete(message.id);
        clearTimeout(entry.timer);
        if (message.error)
          entry.reject(new Error(`${entry.method}: ${message.error.message}`));
        else
          entry.resolve(message.result);
      } else {
        for (const listener of this.listeners)
          listener(message);
      }
    }
  }

  send (method, params = {}, sessionId = undefined) {
    if (this.exited)
      return Promise.reject(new Error(`chromium has exited (${method})`));
    const id = this.nextId++;
    const message = { id, method, params };
    if (sessionId)
      message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, method, timer });
      this.child.stdio[3].write(JSON.stringify(message) + '\0');
    });
  }

  async newPage () {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, targetId, sessionId);
    await page.init();
    return page;
  }

  async close () {
    if (!this.exited) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.send('Browser.close').catch(() => {});
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

export class Page {
  constructor (browser, targetId, sessionId) {
    this.browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.errors = []; // uncaught exceptions and console.error, for assertions
    this.console = [];
    this.loadWaiters = [];

    browser.listeners.add((message) => {
      if (message.sessionId !== sessionId)
        return;
      if (message.method === 'Runtime.exceptionThrown') {
        const details = message.params.exceptionDetails;
        this.errors.push(details.exception?.description || details.text);
      } else if (message.method === 'Runtime.consoleAPICalled') {
        const text = message.params.args.map((a) => a.value ?? a.description ?? '').join(' ');
        this.console.push(`${message.params.type}: ${text}`);
        if (message.params.type === 'error')
          this.errors.push(text);
      } else if (message.method === 'Page.loadEventFired') {
        for (const resolve of this.loadWaiters.splice(0))
          resolve();
      }
    });
  }

  send (method, params) {
    return this.browser.send(method, params, this.sessionId);
  }

  async init () {
    await this.send('Page.enable');
    await this.send('Runtime.enable');
  }

  async goto (url, timeoutMs = 15000) {
    const loaded = new Promise((resolve, reject) => {
      this.loadWaiters.push(resolve);
      setTimeout(() => reject(new Error(`${url} did not load in ${timeoutMs} ms`)), timeoutMs).unref();
    });
    const result = await this.send('Page.navigate', { url });
    if (result.errorText)
      throw new Error(`navigating to ${url}: ${result.errorText}`);
    await loaded;
  }

  // Runs in every document this page loads, before the page's own scripts.
  async addInitScript (source) {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source });
  }

  async evaluate (expression) {
    const result = await this.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (result.exceptionDetails) {
      const details = result.exceptionDetails;
      throw new Error(`evaluate: ${details.exception?.description || details.text}`);
    }
    return result.result.value;
  }

  // Polls a condition in the page until it is truthy or the deadline passes.
  async waitFor (expression, { timeoutMs = 10000, what = expression } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await this.evaluate(expression);
      } catch (error) {
        last = error.message;
      }
      if (last)
        return last;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
      await delay(100);
    }
  }

  // A real mouse click at the element's centre, as a user would make it.
  async click (selector) {
    const point = await this.evaluate(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) return null;
      element.scrollIntoView({ block: 'center' });
      const r = element.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!point)
      throw new Error(`no element matches ${selector}`);
    const base = { x: point.x, y: point.y, button: 'left', clickCount: 1 };
    await this.send('Input.dispatchMouseEvent', { ...base, type: 'mouseMoved' });
    await this.send('Input.dispatchMouseEvent', { ...base, type: 'mousePressed' });
    await this.send('Input.dispatchMouseEvent', { ...base, type: 'mouseReleased' });
  }

  // text: what the key types ('\r' for Enter, so it submits a form)
  async pressKey (key, code = key, keyCode = 0, text = undefined) {
    const base = { key, code, windowsVirtualKeyCode: keyCode };
    await this.send('Input.dispatchKeyEvent', { ...base, type: 'keyDown', text });
    await this.send('Input.dispatchKeyEvent', { ...base, type: 'keyUp' });
  }

  async setViewport ({ width, height, deviceScaleFactor = 1, mobile = false }) {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor, mobile });
    await this.send('Emulation.setTouchEmulationEnabled', { enabled: mobile });
  }

  async setColorScheme (scheme) {
    await this.send('Emulation.setEmulatedMedia', {
      features: [{ name: 'prefers-color-scheme', value: scheme }],
    });
  }

  async screenshot (path, { fullPage = true } = {}) {
    const params = { format: 'png' };
    if (fullPage) {
      // From the top, so sticky headers sit where a visitor first sees them.
      await this.evaluate('window.scrollTo(0, 0)');
      const metrics = await this.send('Page.getLayoutMetrics');
      const size = metrics.cssContentSize || metrics.contentSize;
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: size.width, height: size.height, scale: 1 };
    }
    const { data } = await this.send('Page.captureScreenshot', params);
    writeFileSync(path, Buffer.from(data, 'base64'));
  }

  async close () {
    await this.browser.send('Target.closeTarget', { targetId: this.targetId });
  }
}

export function delay (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
