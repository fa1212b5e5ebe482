// SPDX-License-Identifier: GPL-3.0-or-later
//
// The dashboard screenshots of docs/dashboard.md: docs/dashboard-light.png
// and docs/dashboard-dark.png, and the phone width beside them in the
// artifacts folder.
//
// Runs the built `heartsim --headless` with a fixed seed on a free loopback
// port, runs the bundled demo scenario over REST (POST /simulation/scenario,
// docs/api.md) and waits until the chart shows a whole minute with the
// change from the baseline phase to the stress phase in it, then takes
// full-page screenshots in headless chromium (cdp.mjs), light and dark.
//
//   node tests/browser/screenshots.mjs BUILD-DIR [--wait SECONDS] [--out DIR]
//
// --wait: how far into the scenario to take them (default 85: the stress
// phase began 25 s before); --out: where the desktop pictures go (default
// docs/), the phone ones go to BUILD-DIR/tests/artifacts/.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Browser, delay } from './cdp.mjs';

const srcdir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const waitS = Number(option('--wait', '85'));
const outdir = resolve(option('--out', join(srcdir, 'docs')));
const builddir = resolve(args[0] || join(srcdir, '_build'));
const binary = join(builddir, 'src', 'heartsim');
const artifacts = join(builddir, 'tests', 'artifacts');
const chromiumPath = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);

if (!existsSync(binary)) {
  console.error(`screenshots: no ${binary}; build first (ninja -C ${builddir})`);
  process.exit(1);
}

const child = spawn(binary, ['--headless', '--port', '0', '--seed', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk) => { output += chunk; });
let browser;
try {
  let url;
  for (let i = 0; i < 200 && !url; i++) {
    url = /serving (http:\/\/[^\s/]+\/)/.exec(output)?.[1];
    await delay(25);
  }
  if (!url)
    throw new Error(`heartsim printed no URL: ${output}`);
  const started = await fetch(new URL('simulation/scenario?name=demo', url), { method: 'POST' });
  if (!started.ok)
    throw new Error(`POST /simulation/scenario?name=demo: ${started.status} ${await started.text()}`);

  browser = await Browser.launch(chromiumPath);
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(url);
  for (;;) {
    const report = await (await fetch(new URL('simulation/scenario', url))).json();
    if (!report.active || report.elapsed_s >= waitS)
      break;
    process.stderr.write(`\rscreenshots: ${Math.ceil(waitS - report.elapsed_s)} s to go `);
    await delay(1000);
  }
  process.stderr.write('\n');

  mkdirSync(outdir, { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  for (const [viewport, folder, prefix] of [
    [{ width: 1200, height: 900 }, outdir, 'dashboard'],
    [{ width: 390, height: 844, deviceScaleFactor: 2, mobile: true }, artifacts, 'dashboard-phone'],
  ]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewport(viewport);
      await page.setColorScheme(scheme);
      // A few frames for the chart to settle into the new size and colours.
      await delay(600);
      const file = join(folder, `${prefix}-${scheme}.png`);
      await page.screenshot(file);
      console.log(`screenshots: wrote ${file}`);
    }
  }
  if (page.errors.length > 0)
    throw new Error(`errors in the page: ${page.errors.join(' | ')}`);
} finally {
  await browser?.close();
  child.kill('SIGTERM');
}
