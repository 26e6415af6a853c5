// The dashboard's fleet view in headless Chromium (osm serve --fleet): the page opens on a grid with a cell per
// meter, coloured by the meter's state; a meter whose state changes (its cover opened) is recoloured; a click on a
// cell opens that meter's live view; the header shows the fleet's time, not the clock of the meter last watched. The meters are advanced by hand on virtual time (no pacing), so what the grid
// must show is known exactly. A screenshot is saved as out/test/dashboard-fleet.png.
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
import { servedFleet } from '../dashboard/served-fleet.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'test');
const run = existsSync(CHROMIUM) ? test : test.skip;
const METERS = 6;

/** The colour of each state, as dashboard/public/style.css paints it. */
const COLOURS: Record<string, string> = {
  on: 'rgb(79, 174, 99)', 'relay-off': 'rgb(125, 141, 153)', exhausted: 'rgb(224, 82, 79)',
  tamper: 'rgb(176, 110, 224)', 'comms-down': 'rgb(230, 179, 58)', unpowered: 'rgb(58, 70, 80)',
};

run('the fleet grid shows every meter coloured by its state, recolours a cell when its state changes, opens a meter on a click, and heads the grid with the fleet\'s time and speed', async () => {
  const fleet = servedFleet({ meters: METERS, seed: 5, clock: { year: 2026, month: 3, day: 2, hour: 18, minute: 0, second: 0 }, credit: [300, 600] });
  fleet.plans[1].credit = 0; // meter-2: no credit from the start
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, {
    library: listScenarios(), autoRun: false, fleetView: true, maxMeters: METERS,
    meter: { fidelity: 'phasor', network: {} }, meterFor: (i) => fleet.meterFor(i),
  });
  await server.hub.addMeters(METERS);
  await server.listen();
  const hub = server.hub;
  const advance = async (us: number): Promise<void> => { for (const m of hub.meters) await m.advance(us); };
  // the meters boot (about 23 s) and close their relays; meter-4 loses its supply
  await advance(90e6);
  hub.meter('meter-4')!.power(false);
  await advance(1e6);
  const expected = hub.fleetGrid().cells.map((c) => c.state);
  assert.is(expected[1], 'exhausted');
  assert.is(expected[3], 'unpowered');
  assert.ok(expected.filter((s) => s === 'on').length >= 3, `states: ${expected.join(', ')}`);

  const profileDir = mkdtempSync(join(tmpdir(), 'osm-fleet-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 720 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // (the browser's own request for /favicon.ico, which the server does not have, is no error of the page)
    page.on('console', (m) => { if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`${m.text()} ${m.location().url}`); });
    await page.goto(server.url());
    const until = async (what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        hub.publish();
        if (await cond()) return;
        if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const cellState = (page: Page, id: string): Promise<string | null> => page.getAttribute(`.fleet-cell[data-meter="${id}"]`, 'data-state');
    const colour = (page: Page, id: string): Promise<string> => page.locator(`.fleet-cell[data-meter="${id}"]`).evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);

    await until('the grid', async () => (await page.getAttribute('#fleet-grid', 'data-cells')) === String(METERS));
    assert.is(await page.getAttribute('body', 'data-view'), 'fleet');
    // every meter has run 91 s from the fleet's start, 2026-03-02 18:00:00
    await until('the fleet\'s time', async () => (await page.textContent('#rtc')) === '2026-03-02 18:01:31');
    assert.is(await page.textContent('#clock-of'), 'Fleet');
    // the fleet's header (its clock, the speeds, the rate, the connection) fits the window at 1280 and at 1024 px
    for (const width of [1024, 1280]) {
      await page.setViewportSize({ width, height: 720 });
      for (const sel of ['#fleet-btn', '.clock', '.speed', '#conn']) {
        const b = await page.locator(sel).boundingBox();
        assert.ok(b && b.x + b.width <= width && b.height <= 34, `${sel} on one line inside the window at ${width} px (${b && b.x + b.width})`);
      }
    }
    assert.is(await page.locator('.fleet-cell').count(), METERS);
    for (let i = 0; i < METERS; i++) {
      const id = `meter-${i + 1}`;
      assert.is(await cellState(page, id), expected[i], `${id}'s cell`);
      assert.is(await colour(page, id), COLOURS[expected[i]], `${id}'s colour (${expected[i]})`);
    }

    // a state change: meter-3's terminal cover is opened
    assert.is.not(expected[2], 'tamper');
    hub.meter('meter-3')!.tamper(true);
    await advance(2e6);
    await until('meter-3 recoloured', async () => (await cellState(page, 'meter-3')) === 'tamper');
    assert.is(await colour(page, 'meter-3'), COLOURS.tamper);
    assert.is(await cellState(page, 'meter-1'), expected[0], 'the other cells keep their state');

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'dashboard-fleet.png') });

    // a click opens meter-5's live view: the single-meter page, on that meter
    await page.click('.fleet-cell[data-meter="meter-5"]');
    await until('meter-5 live view', async () => (await page.getAttribute('body', 'data-view')) === 'meter' && (await page.inputValue('#meter-select')) === 'meter-5');
    const m5 = hub.meter('meter-5')!;
    await until('meter-5 state on the page', async () => (await page.getAttribute('#relay', 'data-state')) === m5.state().relay
      && (await page.getAttribute('body', 'data-credit')) === String(m5.state().readings && (m5.state().readings as { credit: number }).credit));
    assert.ok([...hub.clients].some((c) => c.view === 'meter' && c.meterId === 'meter-5'), 'the server streams meter-5 to the page');
    assert.ok(await page.isVisible('#lcd'));
    assert.not.ok(await page.isVisible('#fleet-grid'));
    // meter-5 alone runs a minute on: its page shows its own clock
    await m5.advance(60e6);
    await until('meter-5\'s clock', async () => (await page.textContent('#rtc')) === (m5.state() as { rtc: string }).rtc);
    assert.is(await page.textContent('#clock-of'), '');

    // and back to the grid
    await page.click('#fleet-btn');
    await until('the grid again', async () => (await page.getAttribute('body', 'data-view')) === 'fleet' && (await page.isVisible('#fleet-grid')));
    // the header is the fleet's again: the time every meter has reached (not meter-5's), meter-5 a minute ahead
    const fleetTime = '2026-03-02 18:01:33';
    assert.is(hub.fleetGrid().clock!.date, fleetTime);
    assert.is.not((m5.state() as { rtc: string }).rtc, fleetTime);
    await until('the fleet\'s time again', async () => (await page.textContent('#rtc')) === fleetTime);
    assert.is(await page.textContent('#clock-of'), 'Fleet');
    assert.match(await page.textContent('#vtime') ?? '', /\(\+01m00s\)$/);
    // the header's speed paces the fleet: every meter
    await page.click('[data-speed="10"]');
    await until('every meter at 10x', async () => hub.meters.every((m) => m.pacer.speed === 10) && (await page.getAttribute('[data-speed="10"]', 'class'))?.includes('active') === true);
    assert.equal(errors, []);
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
    await server.close();
    await fleet.close();
  }
});

test.run();
