// Text and JSON reports of the suite.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from './meter-unit.ts';
import { fullSuite, seedPoints } from './points.ts';
import { OSM_RATINGS } from './ratings.ts';
import { formatSuite, suiteJson } from './report.ts';
import { runSuite, type BenchOptions } from './runner.ts';

const BENCH: BenchOptions = {
  meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS), meterConstantSource: 'implied',
  defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects, firmwareLabel: 'field', judge: 'both', gatePulses: 10, gateCalls: 20, billing: {},
};

test('the console table has the columns of the original report plus firmware error, limit and verdict', async () => {
  const text = formatSuite(await runSuite(nominalUnit(), seedPoints(), BENCH));
  assert.match(text, /Test point\s+V supplied\s+V read\s+I supplied\s+I read\s+P expected W\s+P read W\s+error %\s+fw error %\s+limit %\s+fw verdict\s+verdict/);
  assert.match(text, /Imax \(80 A\) PF 1\s+240\.00\s+240\.00\s+80\.000\s+80\.00\s+19200\.0\s+19200\.0\s+\+0\.000\s+-4\.761\s+±1\.0\s+FAIL/);
});

test('the table\'s title says V, I and P read are the firmware\'s readings, not the chip\'s CF energy (which the error % is)', async () => {
  const text = formatSuite(await runSuite(nominalUnit(), seedPoints(), { ...BENCH, meterConstant: 1000 }));
  assert.match(text, /\nPercentage error \(chip: CF pulses; firmware: its own ENERGY accumulation\); V, I and P read are the firmware's readings \(I x V x PF\), as the meter shows them, not the chip's CF energy\n/);
  // against the declared 1000 imp/kWh the CF pulses read +197 % while the firmware's power reads right
  assert.match(text, /\nIb \(5 A\) PF 1\s+240\.00\s+240\.00\s+5\.000\s+5\.00\s+1200\.0\s+1200\.0\s+\+196\.9\d\d/);
});

test('the report says the limits are the project\'s and shows the meter constant and the creep duration', async () => {
  const text = formatSuite(await runSuite(nominalUnit(), fullSuite(), BENCH));
  assert.match(text, /per the limits configured in the project/);
  assert.match(text, /Meter constant k = 2969\.27 imp\/kWh \(implied/);
  assert.match(text, /Creep test duration dt = 600e6 \/ \(k x m x Un x Imax\) = .* = 10\.52 min/);
  assert.match(text, /Why points failed:\n {2}0\.05 Ib \(0\.25 A\) PF 1: firmware error/);
  assert.match(text, /FAIL: \d+ of 37 points outside the limits\n[^\n]* without the DC immunity point: FAIL: \d+ of 36 other points outside the limits\n$/);
});

test('--json is one object { pass, points } with name, voltage, current, pf, errorPercent, firmwareErrorPercent, limitPercent, pass', async () => {
  const obj = JSON.parse(JSON.stringify(suiteJson(await runSuite(nominalUnit(), fullSuite(), BENCH)))) as { pass: unknown; points: Record<string, unknown>[] };
  assert.is(typeof obj.pass, 'boolean');
  assert.is(obj.points.length, 37);
  for (const p of obj.points) {
    assert.is(typeof p.name, 'string');
    for (const k of ['voltage', 'current', 'pf']) assert.is(typeof p[k], 'number', `${p.name}.${k}`);
    for (const k of ['errorPercent', 'firmwareErrorPercent', 'limitPercent']) assert.ok(p[k] === null || typeof p[k] === 'number', `${p.name}.${k}`);
    assert.is(typeof p.pass, 'boolean');
  }
  const creep = obj.points.find((p) => p.kind === 'creep')!;
  assert.is(creep.errorPercent, null);
  assert.is(creep.limitPercent, null);
});

test.run();
