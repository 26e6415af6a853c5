// The campaign engine in this thread, on the fake bench (test/support/fake-bench.ts): order, invalid inputs,
// exit codes, and the matrix cell reaching the bench.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeBench } from '../../test/support/fake-bench.ts';
import type { BenchConfig } from '../schema.ts';
import { campaignExitCode, runCampaign } from './campaign.ts';
import { matrixCells } from './matrix.ts';
import type { RunRecord } from './run-job.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-campaign-'));
function scenario(name: string, steps: string, meter = '{ firmware: field, credit: 500 }'): string {
  const path = join(dir, name);
  writeFileSync(path, `name: ${name}\nversion: 1\nmeter: ${meter}\nsteps:\n${steps}`);
  return path;
}
const pass = scenario('b-pass.yaml', '  - delay: 2s\n  - expect: { relay: closed }\n');
const fail = scenario('a-fail.yaml', '  - delay: 2s\n  - expect: { relay: open }\n');
const bad = scenario('c-bad.yaml', '  - wait: 2s\n');
// The fake bench's credit tells the builds apart: 500 with D12 corrected, 100 with it present.
const credit = scenario('d-credit.yaml', '  - delay: 1s\n  - expect: { credit: 500 }\n');

function fake(configs: BenchConfig[] = []) {
  return (cfg: BenchConfig) => {
    configs.push(cfg);
    return new FakeBench({ seed: cfg.seed, credit: cfg.meter.build.defects.has('D12') ? 100 : 500 });
  };
}

const statuses = (rs: RunRecord[]) => rs.map((r) => `${r.file.slice(dir.length + 1)} ${r.cell?.label ?? '-'} ${r.status}`);

test('a folder runs in sorted order; an invalid file is reported in its place and the others still run', async () => {
  const r = await runCampaign({ inputs: [dir], seed: 1, speed: 'max' }, { makeBench: fake() });
  assert.equal(statuses(r.records), ['a-fail.yaml - failed', 'b-pass.yaml - passed', 'c-bad.yaml - invalid', 'd-credit.yaml - failed']);
  const invalid = r.records[2];
  assert.is(invalid.status === 'invalid' && invalid.error.message, `${bad}:5:5: unknown step 'wait' (expected one of delay, set-load, grid, press-keys, power, tamper, expect, wait-until, log, network, topup)`);
  assert.is(r.exitCode, 2);
  assert.is(r.runs, 3);
});

test('the exit code is 2 for an invalid input, else 3 for a simulator error, else 1 for a failure, else 0', () => {
  const rec = (status: RunRecord['status']) => ({ status }) as RunRecord;
  assert.is(campaignExitCode([rec('passed'), rec('failed'), rec('error'), rec('invalid')]), 2);
  assert.is(campaignExitCode([rec('passed'), rec('failed'), rec('error')]), 3);
  assert.is(campaignExitCode([rec('passed'), rec('failed')]), 1);
  assert.is(campaignExitCode([rec('passed')]), 0);
});

test('a missing input is an invalid record with its message, and the valid runs still run', async () => {
  const r = await runCampaign({ inputs: [join(dir, 'nope.yaml'), pass], seed: 1, speed: 'max' }, { makeBench: fake() });
  assert.equal(statuses(r.records), ['nope.yaml - invalid', 'b-pass.yaml - passed']);
  const first = r.records[0];
  assert.is(first.status === 'invalid' && first.error.message, `${join(dir, 'nope.yaml')}: cannot read the scenario: no such file or folder`);
});

test('each matrix cell reaches the bench: its profile, its knobs and its seed', async () => {
  const configs: BenchConfig[] = [];
  const cells = matrixCells({ profiles: ['field', 'fixed'], fixes: [['D12']], seeds: [3] });
  const r = await runCampaign({ inputs: [credit], cells, seed: 1, speed: 'max' }, { makeBench: fake(configs) });
  assert.equal(statuses(r.records), [
    'd-credit.yaml field seed 3 failed', 'd-credit.yaml field fix D12 seed 3 passed', 'd-credit.yaml fixed seed 3 passed',
  ]);
  assert.equal(configs.map((c) => [c.meter.firmware.profile, c.meter.build.defects.has('D12'), c.seed]), [
    ['field', true, 3], ['field', false, 3], ['fixed', false, 3],
  ]);
  assert.equal(r.records.map((x) => x.firmwareOverride?.cell), [undefined, 'field+D12', 'fixed']);
});

test('an invalid scenario in a matrix is one record, outside the cells', async () => {
  const r = await runCampaign({ inputs: [bad, pass], cells: matrixCells({ seeds: [1, 2] }), seed: 1, speed: 'max' }, { makeBench: fake() });
  assert.equal(statuses(r.records), ['c-bad.yaml - invalid', 'b-pass.yaml seed 1 passed', 'b-pass.yaml seed 2 passed']);
});

test('a simulator error is a record with status error, and the campaign goes on', async () => {
  const cut = scenario('e-cut.yaml', '  - delay: 1s\n  - power: cut\n');
  const r = await runCampaign({ inputs: [cut, pass], seed: 1, speed: 'max' }, {
    makeBench: (cfg) => new FakeBench({ seed: cfg.seed, ...(cfg.meter.credit === 500 && cfg.plant.loads.length === 0 ? { failOn: 'power' } : {}) }),
  });
  assert.equal(statuses(r.records), ['e-cut.yaml - error', 'b-pass.yaml - passed']);
  const e = r.records[0];
  assert.is(e.status === 'error' && e.error.message, 'simulation error: step 2 (power cut) at 1.000s: fake bench: power failed on purpose');
  assert.is(r.exitCode, 3);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
