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
    const title = await page.textContent('h1');
    assert.match(title ?? '', /IEC 62053-21 class 1/);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
