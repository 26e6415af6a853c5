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
import { browserTest, body, CHROMIUM, CHROMIUM_ARGS, until } from './support/browser.ts';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'test');
const run = browserTest;

// Nothing is evaluated in the page (its Content-Security-Policy forbids eval, and the test keeps it on): the page
// exposes what it shows as attributes (LCD row text, drawn waveform peaks, state), which the test reads and polls.
interface Wave { draws: number; t0: number; n: number; vPeak: number; iPeak: number }

async function wave(page: Page): Promise<Wave> {
  const a = async (name: string): Promise<number> => Number((await page.getAttribute('#wave', `data-${name}`)) ?? NaN);
  return { draws: await a('draws'), t0: await a('t0'), n: await a('n'), vPeak: await a('vpeak'), iPeak: await a('ipeak') };
}

async function lcdRow0(page: Page): Promise<string> {
  return (await page.getAttribute('.lcd-row[data-row="0"]', 'data-text')) ?? '';
}



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
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 720 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    const remote: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const origin = new URL(server.url()).origin;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      remote.push(url);
      return route.abort();
    });
    await page.goto(server.url());
    await until('the connection', async () => (await page.getAttribute('#conn', 'data-state')) === 'connected');

    // the meter boots (about 23 s of meter time, at 20x) into its credit / readings screens
    await until('the boot to end', async () => /CREDIT=|V=/.test(await lcdRow0(page)), 60_000);
    await click(page, '[data-speed="1"]');
    await until('speed 1x', async () => (await body(page, 'speed')) === '1');

    // both waveforms update: new frames with later virtual times, 240 V mains (339 V peak) and the household's current
    await until('a first waveform', async () => (await wave(page)).draws > 0);
    const w1 = await wave(page);
    await until('more waveforms', async () => (await wave(page)).draws > w1.draws + 3);
    const w2 = await wave(page);
    assert.ok(w2.t0 > w1.t0, `frames carry later virtual times (${w1.t0} -> ${w2.t0})`);
    assert.ok(w2.n >= 320, `a window of at least two cycles at 8 kHz (${w2.n} samples)`);
    assert.ok(w2.vPeak > 320 && w2.vPeak < 360, `voltage peak ${w2.vPeak} V`);
    assert.ok(w2.iPeak > 0.3, `current peak ${w2.iPeak} A`);
    // the voltage trace follows a sag
    await click(page, '[data-grid="sag"]');
    await until('the sag on the voltage trace', async () => (await wave(page)).vPeak < 260);

    // an STS token on the on-screen keypad: * 20 digits #, and the LCD replica says it was accepted
    for (const k of `*${token}#`) await click(page, `#keypad button[data-key="${k}"]`);
    await until('TOKEN ACCEPTED on the LCD', async () => /TOKEN ACCEPTED/.test(await lcdRow0(page)), 40_000);
    await until('the credit reading', async () => Number(await body(page, 'credit')) > 990);
    const credit = Number(await body(page, 'credit'));
    assert.ok(credit > 990 && credit <= 1000, `credit after the top-up: ${credit}`);

    // a kettle (2 kW, 8.3 A rms) switched on: the current waveform rises
    await until('the voltage back after the sag', async () => (await wave(page)).vPeak > 320);
    const before = await wave(page);
    await click(page, '[data-load="kettle"]');
    await until('the kettle current', async () => (await wave(page)).iPeak > before.iPeak + 8);
    const after = await wave(page);
    assert.ok(after.iPeak > before.iPeak + 8, `current peak ${before.iPeak} A -> ${after.iPeak} A`);

    // the power is pulled: the LCD goes dark; restored: the meter boots again
    await click(page, '[data-speed="10"]');
    await click(page, '#power');
    await until('the power cut', async () => (await body(page, 'powered')) === 'false' && (await page.getAttribute('#lcd', 'data-on')) === 'false');
    assert.equal(await page.textContent('#power'), 'Power: CUT');
    await click(page, '#power');
    await until('the boot screen', async () => /SYSTEM BOOTING|DEVELOPED BY/.test(await lcdRow0(page)));
    await until('the end of the boot', async () => /CREDIT=|V=/.test(await lcdRow0(page)), 60_000);
    await click(page, '[data-speed="1"]');
    await until('speed 1x', async () => (await body(page, 'speed')) === '1');
    const shown = (await wave(page)).draws;
    await until('two more waveforms', async () => (await wave(page)).draws > shown + 2);
    // the firmware blanks the display for a moment between its screens: take the picture on a screen
    await until('a screen on the LCD', async () => /\S/.test(await lcdRow0(page)));

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard.png') });
    assert.ok(existsSync(join(OUT, 'dashboard.png')));

    // the connection drops (the server cuts every socket): the page says so, reconnects and says it is back
    for (const c of server.hub.clients) c.ws.terminate();
    await until('lost and back', async () => {
      const seen = (await page.getAttribute('#conn', 'data-seen')) ?? '';
      return /lost.*back/.test(seen);
    });
    assert.equal(errors, []);
    assert.equal(remote, []);
  } finally {
    await context.close();
    await server.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
});

test.run();
