// What a workshop audience reads off the dashboard in headless Chromium at 1280x720, on a hub that runs nothing by
// itself (the test advances the meter's virtual time and publishes): the line under the LCD during the boot and a
// power cut, a header that stays on one line however long the run, the power trend's axes (a volt axis for the
// plant's Vrms, hours once the run is long), the telemetry line saying when the firmware publishes, and the scenario
// box saying a scenario brings its own firmware.
// Skipped (reported as skipped) when /usr/bin/chromium is not installed; CI installs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { OsmServer } from '../dashboard/server.ts';
import type { LiveMeter } from '../dashboard/live-meter.ts';
import { browserTest, body, CHROMIUM, CHROMIUM_ARGS, until } from './support/browser.ts';

const run = browserTest;


interface Rig { server: OsmServer; meter: LiveMeter; context: BrowserContext; page: Page; errors: string[]; profileDir: string }

/** A server whose meter moves only when the test advances it, and a page on it. */
async function open(meter: ConstructorParameters<typeof OsmServer>[1]['meter']): Promise<Rig> {
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: [], autoRun: false, meter: { fidelity: 'phasor', household: false, ...meter } });
  await server.hub.addMeters(1);
  await server.listen();
  const profileDir = mkdtempSync(join(tmpdir(), 'osm-workshop-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 720 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.url());
  await until('the connection', async () => (await page.getAttribute('#conn', 'data-state')) === 'connected');
  return { server, meter: server.hub.meters[0], context, page, errors, profileDir };
}

async function close(r: Rig): Promise<void> {
  await r.context.close();
  await r.server.close();
  rmSync(r.profileDir, { recursive: true, force: true });
}

/** `check` on a page of a served meter made with `meter`; the page must log no error; everything is closed after. */
async function onPage(meter: Parameters<typeof open>[0], check: (r: Rig) => Promise<void>): Promise<void> {
  const r = await open(meter);
  try {
    await check(r);
    assert.equal(r.errors, []);
  } finally {
    await close(r);
  }
}

/** Advance the meter by `us` of virtual time in steps of `stepUs`, publishing after each (a trend point each). */
async function advance(r: Rig, us: number, stepUs = us): Promise<void> {
  for (let done = 0; done < us; done += stepUs) {
    await r.meter.advance(Math.min(stepUs, us - done));
    r.server.hub.publish();
  }
}

async function note(page: Page): Promise<{ state: string; text: string }> {
  return { state: (await page.getAttribute('#meter-note', 'data-state')) ?? '', text: ((await page.textContent('#meter-note')) ?? '').trim() };
}

run('the line under the LCD says the meter is booting, then nothing once it has booted, and no power during a cut', () => onPage({}, async (r) => {
  await advance(r, 5e6);
  await until('the booting note', async () => (await note(r.page)).state === 'booting');
  assert.match((await note(r.page)).text, /booting .*relay stays open/);
  assert.is(await r.page.getAttribute('#relay', 'data-state'), 'open');
  // the relay closes about 2 s before the setup ends: the line no longer says it is open
  for (let i = 0; i < 40 && r.meter.bench.observe('relay') !== 'closed'; i++) await advance(r, 500e3);
  await until('the relay closed on the page', async () => (await r.page.getAttribute('#relay', 'data-state')) === 'closed');
  assert.equal(await note(r.page), { state: 'booting', text: 'booting: the relay has closed, the readings come in a few seconds' });
  await advance(r, 40e6);
  await until('the note gone after the boot', async () => (await note(r.page)).state === '');
  assert.is((await note(r.page)).text, '');
  r.meter.power(false);
  await advance(r, 1e6);
  await until('the no-power note', async () => (await note(r.page)).state === 'unpowered');
  assert.match((await note(r.page)).text, /no power/);
}));

run('the header stays on one line within 1280 px and 1024 px when the run is many hours long', () => onPage({}, async (r) => {
  await advance(r, 30 * 3600e6, 3600e6);
  await until('thirty hours on the clock', async () => /t = 30h/.test((await r.page.textContent('#vtime')) ?? ''));
  for (const [width, height] of [[1280, 720], [1024, 768]]) {
    await r.page.setViewportSize({ width, height });
    const header = await r.page.locator('header').boundingBox();
    assert.ok(header && header.height <= 46, `header height ${header?.height}`);
    for (const sel of ['header h1', '.meter-pick', '#add-meter', '.clock', '.speed', '#conn']) {
      const b = await r.page.locator(sel).boundingBox();
      assert.ok(b, `${sel} is shown`);
      assert.ok(b.height <= 34, `${sel} is one line high (${b.height} px)`);
      assert.ok(b.y >= 0 && b.y + b.height <= header.height, `${sel} inside the header (${b.y}..${b.y + b.height})`);
      assert.ok(b.x + b.width <= width, `${sel} inside the window at ${width} px (right edge ${b.x + b.width})`);
    }
  }
}));

run('at 1280x720 and 1024x768 the LCD, relay, keypad, both trends, the telemetry list and Reset are in view without scrolling', () => onPage({ network: {} }, async (r) => {
  await advance(r, 40e6, 5e6);
  await until('the telemetry line', async () => /0 messages/.test((await r.page.textContent('#tele-rate')) ?? ''));
  for (const [width, height] of [[1280, 720], [1024, 768]]) {
    await r.page.setViewportSize({ width, height });
    for (const sel of ['#lcd', '#relay', '#keypad', '#trend-power', '#trend-credit', '#r-credit', '#tele-box', '#telemetry', '#topup', '#net-coverage', '#scenario-run', '#reset', '#fw-apply']) {
      const b = await r.page.locator(sel).boundingBox();
      assert.ok(b, `${sel} is shown at ${width}x${height}`);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height, `${sel} in view at ${width}x${height} (${b.x},${b.y} ${b.width}x${b.height})`);
    }
    assert.is(await r.page.getAttribute('#tele-box', 'open'), '', 'the telemetry list is open');
    const overflow = (sel: string): Promise<number> => r.page.locator(sel).evaluate((el) => { const e = el as unknown as { scrollHeight: number; clientHeight: number }; return e.scrollHeight - e.clientHeight; });
    for (const sel of ['html', '.meter-col', '.plots-col', '.controls-col']) assert.is(await overflow(sel), 0, `nothing to scroll in ${sel} at ${width}x${height}`);
  }
}));

run('the power trend names the plant\'s Vrms and Irms, has a volt axis, and its time axis is in hours past 3 hours', () => onPage({}, async (r) => {
  const texts = async (sel: string): Promise<string[]> => r.page.locator(`#trend-power ${sel}`).allTextContents();
  await advance(r, 60e6, 5e6);
  await until('trend points drawn', async () => ((await texts('.legendtext')).length === 3));
  assert.equal(await texts('.legendtext'), ['power, firmware (W)', 'Irms, plant (A)', 'Vrms, plant (V)']);
  assert.equal(await texts('.g-y3title'), ['V'], 'the Vrms trace has an axis of its own, titled V');
  assert.equal(await texts('.g-xtitle'), ['virtual time (min)']);
  await advance(r, 4 * 3600e6, 600e6);
  await until('the time axis in hours', async () => (await r.page.getAttribute('#trend-power', 'data-unit')) === 'h');
  await until('the axis title in hours', async () => (await texts('.g-xtitle'))[0] === 'virtual time (h)');
  assert.equal(await r.page.locator('#trend-credit .g-xtitle').allTextContents(), ['virtual time (h)']);
}));

run('before the first telemetry the page says the firmware publishes once a day at 23:00', () => onPage({ network: {} }, async (r) => {
  await advance(r, 40e6, 5e6);
  await until('the telemetry line', async () => /0 messages/.test((await r.page.textContent('#tele-rate')) ?? ''));
  assert.match((await r.page.textContent('#tele-rate')) ?? '', /once a day, at 23:00 meter time/);
}));

run('the scenario box says a scenario brings its own meter and firmware, not the ticked defects', () => onPage({}, async (r) => {
  await until('the scenario hint', async () => /runs with its own meter and firmware/.test((await r.page.textContent('#scenario-step')) ?? ''));
  assert.match((await r.page.getAttribute('#scenario-run', 'title')) ?? '', /Firmware box's ticks do not apply/);
  // the box keeps its width: a long line of its is cut, it never pushes Run and Stop out of the window
  const col = await r.page.locator('.controls-col').boundingBox();
  assert.ok(col);
  for (const sel of ['fieldset.scenario', '#scenario-run', '#scenario-stop']) {
    const b = await r.page.locator(sel).boundingBox();
    assert.ok(b && b.x + b.width <= col.x + col.width, `${sel} inside its column (right edge ${b && b.x + b.width}, the column's ${col.x + col.width})`);
  }
}));

run('Reset gives a fresh meter as served and the page says so: the trends start again at the reset, the time goes on', () => onPage({ credit: 400 }, async (r) => {
  r.meter.setLoad('heater', true);
  await advance(r, 60e6, 5e6);
  await until('trend points before the reset', async () => Number(await r.page.getAttribute('#trend-power', 'data-points')) >= 10);
  assert.equal(await r.page.locator('.plot-title .trend-since').allTextContents(), ['', ''], 'no reset yet');
  const before = r.meter.now();
  await r.page.click('#reset');
  await until('the reset done', async () => { await r.meter.runPending(); return r.meter.lastReset !== null; });
  const at = r.meter.lastReset!.t;
  assert.ok(at >= before, 'the virtual time went on');
  await advance(r, 10e6, 5e6);
  await until('the page told of the reset', async () => (await body(r.page, 'reset')) === '1');
  const toast = (await r.page.textContent('#toast')) ?? '';
  assert.match(toast, /^Reset: a fresh meter as served \(field firmware, credit 400, clock 2026-03-01 08:00:00\) boots now\. The virtual time goes on \(t = 01m0\ds\); the trends start again from it\.$/);
  assert.is(await r.page.getAttribute('#toast', 'data-kind'), 'info');
  assert.equal(await r.page.locator('.plot-title .trend-since').allTextContents(), [`— since the Reset at t = 01m0${Math.floor(at / 1e6) % 10}s`, `— since the Reset at t = 01m0${Math.floor(at / 1e6) % 10}s`]);
  await until('the trends redrawn from the reset', async () => Number(await r.page.getAttribute('#trend-credit', 'data-points')) === 2);
  assert.ok(Number(await r.page.getAttribute('#trend-credit', 'data-first')) >= at - 1, 'no point from before the reset');
  assert.match((await r.page.textContent('#vtime')) ?? '', /t = 01m1\ds/);
  assert.match((await r.page.textContent('#rtc')) ?? '', /^2026-03-01 08:00:(09|1\d)$/, 'the new meter\'s clock starts at the served time');
  assert.match((await r.page.getAttribute('#reset', 'title')) ?? '', /virtual time t goes on and the trends start again/);
}));

run('the header offers fast speeds, and one the simulation cannot keep up with shows the rate it reaches, not the factor', () => {
  let wall = 0;
  return onPage({ pacer: { wallNow: () => wall } }, async (r) => {
    const speeds = r.page.locator('.speed [data-speed]');
    await until('the speed buttons', async () => (await speeds.count()) === 6);
    assert.equal(await speeds.allTextContents(), ['1x', '10x', '60x', '600x', '3600x', 'max']);
    assert.match((await r.page.getAttribute('[data-speed="600"]', 'title')) ?? '', /a day in 2\.4 minutes/);
    await r.page.click('[data-speed="3600"]');
    await until('speed 3600x', async () => { r.server.hub.publish(); return (await body(r.page, 'speed')) === '3600'; });
    // the simulation runs 600 s of meter time in a wall second: it cannot keep up with 3600x
    const t = r.meter.bench.now();
    wall += 1000;
    r.meter.pacer.sliceDone(t, t + 600e6, 1000);
    await until('the rate reached', async () => { r.server.hub.publish(); return (await body(r.page, 'rate-short')) === 'true'; });
    assert.is(await r.page.textContent('#rate'), 'reaching 600x');
    assert.match((await r.page.getAttribute('#rate', 'title')) ?? '', /cannot keep up with 3600x here: it runs as fast as it can, 600x/);
    assert.is(await r.page.getAttribute('[data-speed="3600"]', 'class'), 'short', 'the factor asked is outlined, not lit');
    await r.page.click('[data-speed="600"]');
    await until('speed 600x', async () => { r.server.hub.publish(); return (await body(r.page, 'speed')) === '600'; });
    const t2 = r.meter.bench.now();
    wall += 1000;
    r.meter.pacer.sliceDone(t2, t2 + 600e6, 1000);
    await until('600x kept up', async () => { r.server.hub.publish(); return (await r.page.textContent('#rate')) === 'running 600x'; });
    assert.is(await body(r.page, 'rate-short'), 'false');
    assert.is(await r.page.getAttribute('[data-speed="600"]', 'class'), 'active');
  });
});

test.run();
