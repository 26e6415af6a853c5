import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from './meter-unit.ts';
import { OSM_RATINGS } from './ratings.ts';

const PROBE = fileURLToPath(new URL('../../test/support/mathjs-probe.ts', import.meta.url));

/** Runs one unit in a fresh process; how many mathjs modules it loaded (ES modules, CommonJS). */
function mathjsLoadedBy(withCircuit: boolean): { esm: number; cjs: number } {
  const job = {
    units: 1, seed: 1, points: 'seed', whatIf: [], meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS),
    meterConstantSource: 'implied', defects: [...resolveFirmware({ profile: 'field', mode: 'sts' }).defects], firmwareLabel: 'field',
    judge: 'chip', gatePulses: 10, gateCalls: 20, calibrate: false, withCircuit,
  };
  const r = spawnSync(process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(job)], { encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { esm: number; cjs: number };
}

test('a Monte Carlo unit on the fixed-topology board does not load mathjs', () => {
  assert.equal(mathjsLoadedBy(false), { esm: 0, cjs: 0 });
});

test('a Monte Carlo unit on a circuit front end does load mathjs (the probe sees it)', () => {
  const r = mathjsLoadedBy(true);
  assert.ok(r.esm + r.cjs > 0, JSON.stringify(r));
});

test.run();
