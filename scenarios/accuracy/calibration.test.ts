// The application-note calibration on the virtual bench.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import { cs1Of, cs2Of, decodePhi, toInt16 } from '../../models/afe/registers.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { calibrate } from './calibration.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit, plConstantOf } from './meter-unit.ts';
import { fullSuite } from './points.ts';
import { OSM_RATINGS } from './ratings.ts';
import { runSuite, type BenchOptions, type SuiteResult } from './runner.ts';
import { drawnUnit } from './unit-draw.ts';
import { parseWhatIf, whatIfProfile, whatIfRegisters } from './what-if.ts';

const K = impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS);
const BENCH: BenchOptions = {
  meterConstant: K, meterConstantSource: 'implied', defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects,
  firmwareLabel: 'field', judge: 'chip', gatePulses: 10, gateCalls: 20, billing: {},
};
const SPEC = fullSuite();

function worst(r: SuiteResult): number {
  return Math.max(...r.points.filter((p) => p.kind === 'error').map((p) => Math.abs(p.errorPercent!)));
}

test('a drawn unit that fails uncalibrated passes every point but DC immunity after calibration, its worst error 20 times smaller', async () => {
  // Unit 16 of seed 3: a unit whose tolerances push it over the limit at PF 1 and 0.5L.
  const unit = drawnUnit(DEFAULT_BOARD_PROFILE, FIRMWARE_REGISTERS, 3, 16);
  const before = await runSuite(unit, SPEC, BENCH);
  assert.not.ok(before.pass);
  const cal = await calibrate(unit, DEFAULT_BOARD_PROFILE, SPEC, BENCH);
  const after = await runSuite({ profile: unit.profile, registers: cal.after }, SPEC, BENCH);
  // The DC test saturates the CT (waveform level): no register undoes that.
  const failed = after.points.filter((p) => !p.pass);
  assert.equal(failed.map((p) => p.kind), ['dc'], failed.map((p) => `${p.name}: ${p.reasons}`).join('\n'));
  assert.ok(worst(after) * 20 < worst(before), `before ${worst(before)} %, after ${worst(after)} %`);
});

test('writes Ngain = -e/(1+e) x 2^15 for the error e at Ib PF 1 and Nphi = eL x 3763.74 for the error at Ib PF 0.5L', async () => {
  const unit = drawnUnit(DEFAULT_BOARD_PROFILE, FIRMWARE_REGISTERS, 3, 16);
  const cal = await calibrate(unit, DEFAULT_BOARD_PROFILE, SPEC, BENCH);
  const e = cal.measured.errorPf1Percent! / 100;
  assert.is(toInt16(cal.after.Ngain), Math.round((-e / (1 + e)) * 32768));
  assert.is(decodePhi(cal.after.Nphi), Math.round((cal.measured.errorPf05LPercent! / 100) * 3763.74));
});

test('computes PL_Constant for the meter constant from the design pins, a multiple of 4', async () => {
  const unit = drawnUnit(DEFAULT_BOARD_PROFILE, FIRMWARE_REGISTERS, 1, 0);
  const cal = await calibrate(unit, DEFAULT_BOARD_PROFILE, SPEC, BENCH);
  assert.is(cal.plConstant % 4, 0);
  assert.is(cal.plConstant, plConstantOf(cal.after));
  // With Ngain 0 the nominal board would give k exactly: the PL_Constant is k's.
  assert.ok(Math.abs(impliedMeterConstant(DEFAULT_BOARD_PROFILE, { ...cal.after, Ngain: 0 }, OSM_RATINGS) / K - 1) < 1e-5);
});

test('brings Urms to 100 counts per volt at Un and Irms2 to 50 counts per amp at Ib, the firmware\'s scale', async () => {
  const unit = drawnUnit(DEFAULT_BOARD_PROFILE, FIRMWARE_REGISTERS, 3, 16);
  const cal = await calibrate(unit, DEFAULT_BOARD_PROFILE, SPEC, BENCH);
  const after = await runSuite({ profile: unit.profile, registers: cal.after }, SPEC, BENCH);
  const ib = after.points.find((p) => p.name === 'Ib (5 A) PF 1')!;
  assert.ok(Math.abs(ib.measurement.readings.V - 240) <= 0.02, `${ib.measurement.readings.V}`);
  assert.ok(Math.abs(ib.measurement.readings.curr - 5) <= 0.02, `${ib.measurement.readings.curr}`);
});

test('leaves CS1 and CS2 matching the registers it wrote', async () => {
  const cal = await calibrate(drawnUnit(DEFAULT_BOARD_PROFILE, FIRMWARE_REGISTERS, 1, 2), DEFAULT_BOARD_PROFILE, SPEC, BENCH);
  assert.is(cal.after.CS1, cs1Of(cal.after));
  assert.is(cal.after.CS2, cs2Of(cal.after));
});

test('calibrating a 2000:1 / 30 ohm design removes the gain error but not the clipping at 60 A and Imax', async () => {
  const w = parseWhatIf(['frontend.ct.ratio=2000', 'frontend.ct.burdenOhms=30']);
  const design = whatIfProfile(w);
  const unit = { profile: design, registers: whatIfRegisters(w) };
  const cal = await calibrate(unit, design, SPEC, BENCH);
  const after = await runSuite({ profile: design, registers: cal.after }, SPEC, BENCH);
  const failed = after.points.filter((p) => !p.pass);
  assert.ok(failed.length > 0);
  for (const p of failed) assert.match(p.reasons.join(' '), p.kind === 'dc' ? /chip error shift/ : /clipping: I2P-I2N/, p.name);
  assert.ok(after.points.find((p) => p.name === '30 A PF 1')!.pass);
  assert.not.ok(after.points.find((p) => p.name === '60 A PF 1')!.pass);
});

test.run();
