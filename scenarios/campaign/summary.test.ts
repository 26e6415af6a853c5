import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeBench } from '../../test/support/fake-bench.ts';
import type { BenchConfig } from '../schema.ts';
import { runCampaign, type CampaignResult } from './campaign.ts';
import { matrixCells } from './matrix.ts';
import { differences, formatCampaign, formatTable, formatWall } from './summary.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-summary-'));
function scenario(name: string, steps: string, meter = '{ firmware: field, credit: 500 }'): string {
  const path = join(dir, name);
  writeFileSync(path, `name: ${name}\nversion: 1\nmeter: ${meter}\nsteps:\n${steps}`);
  return path;
}
const pass = scenario('pass.yaml', '  - delay: 2s\n  - expect: { relay: closed }\n');
const fail = scenario('fail.yaml', '  - delay: 3s\n  - expect: { relay: open }\n');
const bad = scenario('bad.yaml', '  - wait: 2s\n');
const credit = scenario('credit.yaml', '  - delay: 1s\n  - expect: { credit: 500 }\n', '{ firmware: { profile: field, fix: [D12] } }');
const unnamed = scenario('unnamed.yaml', '  - delay: 1s\n  - expect: { relay: closed }\n', '{ credit: 500 }');
const byProfile = (cfg: BenchConfig) => new FakeBench({ seed: cfg.seed, credit: cfg.meter.build.defects.has('D12') ? 100 : 500 });

/** Wall times vary: the report's are replaced by a fixed figure. */
function steady(r: CampaignResult): CampaignResult {
  return { ...r, wallMs: 1500, records: r.records.map((x) => ({ ...x, wallMs: x.status === 'invalid' ? 0 : 250 })) };
}

test('the table has a row per run: scenario, verdict, simulated time, wall time, first failing step', async () => {
  const r = steady(await runCampaign({ inputs: [pass, fail, bad], seed: 1, speed: 'max' }, { makeBench: byProfile }));
  assert.is(formatTable(r.records), [
    'scenario                    verdict  simulated  wall   first failing step',
    `${pass}  passed   2.000s     0.25s`,
    `${fail}  FAILED   3.000s     0.25s  step 2: expected relay "open", observed "closed"`,
    `${bad}   invalid  -          -      ${bad}:5:5: unknown step 'wait' (expected one of delay, set-load, grid, press-keys, power, tamper, expect, wait-until, log, network, topup)`,
    '',
  ].join('\n').replace(/^scenario {20}/, `scenario${' '.repeat(pass.length - 6)}`));
});

test('the report shows a failure in full before the table and closes with the counts', async () => {
  const text = formatCampaign(steady(await runCampaign({ inputs: [pass, fail, bad], seed: 1, speed: 'max' }, { makeBench: byProfile })));
  assert.match(text, /^▶ fail\.yaml {2}\(.*fail\.yaml, seed 1\)\n {2}✘ 2 +3\.000s {2}expect relay "open"\n {7}expected relay "open"\n/);
  assert.match(text, /\n3 scenarios: 1 passed, 1 failed, 1 invalid; 1 worker, wall 1\.50s\n$/);
});

test('--quiet prints nothing when every run passed', async () => {
  const r = await runCampaign({ inputs: [pass], seed: 1, speed: 'max' }, { makeBench: byProfile });
  assert.is(formatCampaign(r, { quiet: true }), '');
});

test('--quiet lists only the runs that did not pass', async () => {
  const r = steady(await runCampaign({ inputs: [pass, fail], seed: 1, speed: 'max' }, { makeBench: byProfile }));
  const table = formatTable(r.records, { quiet: true });
  assert.not.match(table, /pass\.yaml/);
  assert.match(table, /fail\.yaml +FAILED/);
});

test('a matrix adds the verdict grid, the scenarios whose verdict differs, and the overridden firmware', async () => {
  const r = steady(await runCampaign({ inputs: [credit, pass], cells: matrixCells({ profiles: ['field', 'fixed'] }), seed: 1, speed: 'max' }, { makeBench: byProfile }));
  const d = differences(r);
  assert.equal(d.map((x) => x.file), [credit]);
  const text = formatCampaign(r);
  assert.match(text, new RegExp(`scenario +field +fixed\\n${credit} +FAIL +pass\\n${pass} +pass +pass\\n`));
  assert.match(text, /Verdicts differ between the cells for 1 scenario:\n {2}.*credit\.yaml \(credit\.yaml\)\n {4}FAILED on field: step 2: expected credit 500, observed 100\n {4}passed on fixed\n/);
  assert.match(text, /The cells override the firmware these scenarios name:\n {2}.*credit\.yaml: names field\+D12, ran as field, fixed\n {2}.*pass\.yaml: names field, ran as fixed\n/);
  assert.match(text, /4 runs \(2 cells\): 3 passed, 1 failed; 1 worker/);
});

test('a knob that moves a failure to a later step is a difference, each cell listed with its own failing step', async () => {
  const moved = scenario('moved.yaml', '  - delay: 1s\n  - expect: { credit: 100 }\n  - expect: { relay: open }\n');
  const r = steady(await runCampaign({ inputs: [moved], cells: matrixCells({ profiles: ['field'], fixes: [['D12']] }), seed: 1, speed: 'max' }, { makeBench: byProfile }));
  assert.equal(r.records.map((x) => x.status), ['failed', 'failed']);
  assert.equal(differences(r).map((x) => x.file), [moved]);
  assert.match(formatCampaign(r), /\n {4}FAILED on field: step 3: expected relay "open", observed "closed"\n {4}FAILED on field fix D12: step 2: expected credit 100, observed 500\n/);
});

test('a scenario that names no firmware is said to name none, the default standing in', async () => {
  const r = await runCampaign({ inputs: [unnamed], cells: matrixCells({ profiles: ['fixed'] }), seed: 1, speed: 'max' }, { makeBench: byProfile });
  assert.match(formatCampaign(r), /The cells override the firmware these scenarios name:\n {2}.*unnamed\.yaml: names no firmware \(field by default\), ran as fixed\n/);
});

test('a matrix where every cell agrees says so', async () => {
  const r = await runCampaign({ inputs: [pass], cells: matrixCells({ seeds: [1, 2] }), seed: 1, speed: 'max' }, { makeBench: byProfile });
  assert.match(formatCampaign(r), /No scenario's verdict differs between the cells\./);
});

test('wall times read as seconds, then minutes', () => {
  assert.equal([formatWall(420), formatWall(12_345), formatWall(125_000)], ['0.42s', '12.3s', '2m05s']);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the table of a campaign of 150k runs is made without overflowing the stack', () => {
  const records = Array.from({ length: 150_000 }, (_, i) => ({
    file: `s${i}.yaml`, status: 'invalid' as const, exitCode: 2 as const, error: { message: `s${i}.yaml:1:1: bad` }, wallMs: 0,
  }));
  const lines = formatTable(records).trimEnd().split('\n');
  assert.is(lines.length, 150_001);
  assert.is(lines[1].indexOf('invalid'), 's149999.yaml'.length + 2, 'the scenario column is as wide as its widest name');
});

test.run();
