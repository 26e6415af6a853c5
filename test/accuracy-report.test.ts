// The HTML accuracy report opened in headless Chromium: the plotly charts render, from the inlined bundle alone.
// Skipped (reported as skipped by uvu) when /usr/bin/chromium is not installed; CI installs it.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium } from 'playwright-core';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { htmlReport } from '../scenarios/accuracy/html-report.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from '../scenarios/accuracy/meter-unit.ts';
import { aggregate, runUnit, type MonteCarloJob } from '../scenarios/accuracy/monte-carlo.ts';
import { fullSuite } from '../scenarios/accuracy/points.ts';
import { OSM_RATINGS } from '../scenarios/accuracy/ratings.ts';
import { runSuite } from '../scenarios/accuracy/runner.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const run = existsSync(CHROMIUM) ? test : test.skip;

run('the report page draws the error-versus-current charts per PF, the influence chart and the yield chart, offline', async () => {
  const k = impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS);
  const defects = resolveFirmware({ profile: 'field', mode: 'sts' }).defects;
  const result = await runSuite(nominalUnit(), fullSuite(), {
    meterConstant: k, meterConstantSource: 'implied', defects, firmwareLabel: 'field', judge: 'both', gatePulses: 10, gateCalls: 20, billing: {},
  });
  const job: MonteCarloJob = {
    units: 3, seed: 1, points: 'full', whatIf: [], meterConstant: k, meterConstantSource: 'implied', defects: [...defects],
    firmwareLabel: 'field', judge: 'chip', gatePulses: 10, gateCalls: 20, calibrate: false,
  };
  const mc = aggregate(job, await Promise.all([0, 1, 2].map((i) => runUnit(job, i))));
  const dir = mkdtempSync(join(tmpdir(), 'osm-report-'));
  const file = join(dir, 'accuracy.html');
  writeFileSync(file, htmlReport(result, { monteCarlo: { job, result: mc } }));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const remote: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      remote.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    // Browser-side code as text: this project compiles without the DOM library.
    await page.waitForFunction("document.querySelectorAll('.js-plotly-plot').length >= 5", undefined, { timeout: 30_000 });
    const plots = (await page.evaluate(`[...document.querySelectorAll('.js-plotly-plot')].map((el) => ({
      id: el.id,
      traces: (el.data || []).length,
      names: (el.data || []).map((t) => t.name),
      points: (el.data || []).map((t) => (t.x || []).length),
      svg: el.querySelectorAll('svg .scatterlayer .trace, svg .barlayer .trace').length,
    }))`)) as Array<{ id: string; traces: number; names: string[]; points: number[]; svg: number }>;
    assert.equal(errors, []);
    assert.equal(remote, []);
    assert.equal(plots.map((p) => p.id), ['chart-pf-1', 'chart-pf-0.5L', 'chart-pf-0.8C', 'chart-influence', 'chart-mc']);
    const pf1 = plots[0];
    assert.ok(pf1.names.includes('chip (CF pulses)') && pf1.names.includes('firmware (ENERGY)') && pf1.names.includes('limit'), String(pf1.names));
    assert.is(pf1.points[pf1.names.indexOf('chip (CF pulses)')], 9, 'nine PF 1 currents');
    for (const p of plots) {
      assert.ok(p.traces >= 1, `${p.id} has traces`);
      assert.ok(p.svg >= 1, `${p.id} drew SVG traces`);
    }
    // The category axes (influence tests, failing points) have long labels: none is cut by the chart's edge and no two
    // overlap.
    const labels = (await page.evaluate(`['chart-influence', 'chart-mc'].map((id) => {
      const el = document.getElementById(id);
      const box = el.querySelector('svg.main-svg').getBoundingClientRect();
      const ticks = [...el.querySelectorAll('.yaxislayer-above .ytick text')].map((t) => t.getBoundingClientRect());
      return { id, box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
        ticks: ticks.map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom })) };
    })`)) as Array<{ id: string; box: Rect; ticks: Rect[] }>;
    for (const c of labels) {
      assert.ok(c.ticks.length >= 2, `${c.id} has tick labels`);
      for (const [i, r] of c.ticks.entries()) {
        assert.ok(r.left >= c.box.left - 0.5 && r.right <= c.box.right + 0.5 && r.top >= c.box.top - 0.5 && r.bottom <= c.box.bottom + 0.5, `${c.id}: label ${i} is cut`);
        for (const q of c.ticks.slice(i + 1)) assert.not.ok(overlap(r, q), `${c.id}: labels overlap`);
      }
    }
    const title = await page.textContent('h1');
    assert.match(title ?? '', /IEC 62053-21 class 1/);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

interface Rect { left: number; right: number; top: number; bottom: number }

/** Two rotated labels' boxes may touch at a corner; they overlap when both extents overlap by more than a pixel. */
function overlap(a: Rect, b: Rect): boolean {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
}

test.run();
