// The live dashboard in headless Chromium, driven as a trainer would: the page connects, both waveforms update, an STS
// token typed on the on-screen keypad is accepted on the LCD replica, a kettle switched on raises the current, a power
// cut reboots the meter; a screenshot at 1280x720 is saved as out/test/dashboard.png.
// Skipped (reported as skipped) when /usr/bin/chromium is not installed; CI installs it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type Page } from 'playwright-core';
import { OsmServer } from '../dashboard/server.ts';
import { listScenarios } from '../dashboard/scenario-library.ts';
import { decodeSts, encodeSts } from '../twin/tokens/sts.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'test');
const run = existsSync(CHROMIUM) ? test : test.skip;

// Browser-side code is passed as text: the project compiles without the DOM library.
const LCD_ROW0 = `document.querySelector('.lcd-row[data-row="0"]').dataset.text`;
const WAVE = `(() => {
  const d = document.getElementById('wave').data;
  const peak = (a) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return { frames: window.osmDashboard.waveFrames, t0: window.osmDashboard.lastWaveT0, n: d[0].y.length,
           vPeak: peak(d[0].y), iPeak: peak(d[1].y) };
})()`;
interface Wave { frames: number; t0: number; n: number; vPeak: number; iPeak: number }

async function wave(page: Page): Promise<Wave> { return (await page.evaluate(WAVE)) as Wave; }

async function click(page: Page, selector: string): Promise<void> {
  await page.click(selector, { timeout: 60_000 });
}

run('a trainer sees the waveforms, tops up with a token on the keypad, switches a kettle and reboots the meter', async () => {
  const token = encodeSts({ amount: 500 });
  assert.ok(decodeSts(token).accepted, 'the test token is one the default meter accepts');
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: listScenarios(), meter: { speed: 20, fidelity: 'waveform' } });
  await server.hub.addMeters(1);
  await server.listen();
  const profileDir = mkdtempSync(join(tmpdir(), 'osm-dash-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 720 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    const remote: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const origin = new URL(server.url()).origin;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      remote.push(url);
      return route.abort();
    });
    await page.goto(server.url());
    await page.waitForFunction(`document.getElementById('conn').dataset.state === 'connected'`, undefined, { timeout: 30_000 });

    // the meter boots (about 23 s of meter time, at 20x) into its credit / readings screens
    await page.waitForFunction(`/CREDIT=|V=/.test(${LCD_ROW0})`, undefined, { timeout: 60_000 });
    await click(page, '[data-speed="1"]');
    await page.waitForFunction(`window.osmDashboard.state && window.osmDashboard.state.speed === 1`, undefined, { timeout: 10_000 });

    // both waveforms update: new frames with later virtual times, 240 V mains (339 V peak) and the household's current
    const w1 = await wave(page);
    await page.waitForFunction(`window.osmDashboard.waveFrames > ${w1.frames + 5}`, undefined, { timeout: 20_000 });
    const w2 = await wave(page);
    assert.ok(w2.t0 > w1.t0, `frames carry later virtual times (${w1.t0} -> ${w2.t0})`);
    assert.ok(w2.n >= 320, `a window of at least two cycles at 8 kHz (${w2.n} samples)`);
    assert.ok(w2.vPeak > 320 && w2.vPeak < 360, `voltage peak ${w2.vPeak} V`);
    assert.ok(w2.iPeak > 0.3, `current peak ${w2.iPeak} A`);
    // the voltage trace follows a sag
    await click(page, '[data-grid="sag"]');
    await page.waitForFunction(`${WAVE}.vPeak < 260`, undefined, { timeout: 20_000 });

    // an STS token on the on-screen keypad: * 20 digits #, and the LCD replica says it was accepted
    for (const k of `*${token}#`) await click(page, `#keypad button[data-key="${k}"]`);
    await page.waitForFunction(`/TOKEN ACCEPTED/.test(${LCD_ROW0})`, undefined, { timeout: 40_000 });
    const credit = (await page.evaluate(`window.osmDashboard.state.readings.credit`)) as number;
    assert.ok(credit > 990 && credit <= 1000, `credit after the top-up: ${credit}`);

    // a kettle (2 kW, 8.3 A rms) switched on: the current waveform rises
    await page.waitForFunction(`${WAVE}.vPeak > 320`, undefined, { timeout: 20_000 });
    const before = await wave(page);
    await click(page, '[data-load="kettle"]');
    await page.waitForFunction(`${WAVE}.iPeak > ${before.iPeak + 8}`, undefined, { timeout: 20_000 });
    const after = await wave(page);
    assert.ok(after.iPeak > before.iPeak + 8, `current peak ${before.iPeak} A -> ${after.iPeak} A`);

    // the power is pulled: the LCD goes dark; restored: the meter boots again
    await click(page, '[data-speed="10"]');
    await click(page, '#power');
    await page.waitForFunction(`window.osmDashboard.state.powered === false && document.getElementById('lcd').dataset.on === 'false'`, undefined, { timeout: 20_000 });
    assert.equal(await page.textContent('#power'), 'Power: CUT');
    await click(page, '#power');
    await page.waitForFunction(`/SYSTEM BOOTING|DEVELOPED BY/.test(${LCD_ROW0})`, undefined, { timeout: 30_000 });
    await page.waitForFunction(`/CREDIT=|V=/.test(${LCD_ROW0})`, undefined, { timeout: 60_000 });
    await click(page, '[data-speed="1"]');
    await page.waitForFunction(`window.osmDashboard.state.speed === 1 && window.osmDashboard.waveFrames > 0`, undefined, { timeout: 10_000 });
    await page.waitForTimeout(1500);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard.png') });
    assert.ok(existsSync(join(OUT, 'dashboard.png')));
    assert.equal(errors, []);
    assert.equal(remote, []);
  } finally {
    await context.close();
    await server.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
});

test.run();
