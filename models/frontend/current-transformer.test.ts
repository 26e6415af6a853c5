import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CurrentTransformer, CtOperatingPointError, OPERATING_POINT_TOLERANCE } from './current-transformer.ts';
import { cabs, carg } from './impedance.ts';
import type { ExcitationCurveSpec } from './excitation-curve.ts';

const within = (actual: number, expected: number, rel: number) =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${actual} is not within ${rel * 100} % of ${expected}`);

test('turns 5 A into 24.0 mV across 4.8 ohm at 1000:1 (within its 0.2 % error)', () => {
  within(5 * cabs(new CurrentTransformer().transfer(50)), 0.024, 0.002);
});

test('turns 80 A into 384 mV across 4.8 ohm at 1000:1 (within its 0.2 % error)', () => {
  within(80 * cabs(new CurrentTransformer().transfer(50)), 0.384, 0.002);
});

test('has a ratio error of a fraction of a percent, reading low, with the default burden', () => {
  const e = new CurrentTransformer().ratioError(50);
  assert.ok(e < 0 && e > -0.005, `ratio error ${e}`);
});

test('leads the primary current by a fraction of a degree with the default burden', () => {
  const ph = new CurrentTransformer().phaseErrorDeg(50);
  assert.ok(ph > 0 && ph < 1, `phase error ${ph} deg`);
});

test('has a phase error that grows with the burden', () => {
  const ph = [4.8, 10, 30, 100].map((b) => new CurrentTransformer({ burdenOhms: b }).phaseErrorDeg(50));
  for (let i = 1; i < ph.length; i++) assert.ok(ph[i]! > ph[i - 1]!, `phase errors ${ph.join(', ')}`);
});

test('has a ratio error that grows with the burden', () => {
  const e = [4.8, 30, 100].map((b) => -new CurrentTransformer({ burdenOhms: b }).ratioError(50));
  assert.ok(e[0]! < e[1]! && e[1]! < e[2]!, `ratio errors ${e.join(', ')}`);
});

test('puts 80 A at about 1.2 V with 2000:1 into 30 ohm, twice the 600 mV range', () => {
  const v = 80 * cabs(new CurrentTransformer({ ratio: 2000, burdenOhms: 30 }).transfer(50));
  within(v, 1.2, 0.01);
  assert.ok(v > 0.6);
});

test('inverts the burden voltage when reversed on J10', () => {
  const a = new CurrentTransformer().transfer(50);
  const b = new CurrentTransformer({ reversed: true }).transfer(50);
  assert.ok(Math.abs(a.re + b.re) < 1e-15 && Math.abs(a.im + b.im) < 1e-15);
  assert.ok(Math.abs(Math.abs(carg(b) - carg(a)) - Math.PI) < 1e-9);
});

test('passes no DC', () => {
  assert.is(cabs(new CurrentTransformer().transfer(0)), 0);
});

test('reaches its knee at a primary current that falls as the burden grows', () => {
  const a = new CurrentTransformer().kneePrimaryAmps(50);
  const b = new CurrentTransformer({ burdenOhms: 30 }).kneePrimaryAmps(50);
  assert.ok(a > 100, `default CT knee at ${a} A should sit above its 100 A rating`);
  assert.ok(b < a);
});

test('rejects a zero ratio with a message naming it', () => {
  assert.throws(() => new CurrentTransformer({ ratio: 0 }), /ratio must be a finite number > 0/);
});

// The example curve of models/frontend/netlists/osm-board-ct-curve.yaml (a small silicon-steel metering toroid).
const EXAMPLE: ExcitationCurveSpec = {
  hz: 50,
  lossAngleDeg: 20.66,
  points: [[1e-3, 0.4e-6], [3e-3, 0.9e-6], [10e-3, 2.2e-6], [30e-3, 4.9e-6], [0.1, 11e-6], [0.3, 25e-6], [1, 65e-6], [3, 220e-6]],
};

test('solves the operating point of a hand-computed case (power-law curve, resistive secondary)', () => {
  // Ie = 1 uA (E / 10 mV)^n with n = log 400 / log 100 between 10 mV and 1 V; loss angle 30 deg; winding 8 ohm and
  // burden 4.8 ohm, nothing else across the terminals. At E = 50 mV: Ie = 1 uA x 5^n, |Y| = Ie / E, and the
  // magnetising branch's admittance is |Y| (sin 30 - j cos 30), so the secondary sees |Y| sin 30 + 1/12.8 in phase
  // and |Y| cos 30 in quadrature: the EMF of 50 mV needs Ip = 1000 x 50 mV x |that admittance|.
  const n = Math.log(400) / Math.log(100);
  const y = (1e-6 * 5 ** n) / 0.05;
  const g = y * 0.5 + 1 / 12.8, b = y * Math.cos(Math.PI / 6);
  const amps = 1000 * 0.05 * Math.hypot(g, b);
  const ct = new CurrentTransformer({ parallelCapFarads: 0, excitation: { hz: 50, lossAngleDeg: 30, points: [[0.01, 1e-6], [1, 400e-6]] } });
  const op = ct.operatingPoint(amps, 50);
  assert.ok(Math.abs(op.emfVolts / 0.05 - 1) < 1e-10, `EMF ${op.emfVolts} V`);
  assert.ok(Math.abs(op.magnetisingHenries * 2 * Math.PI * 50 * b - 1) < 1e-9);
  assert.ok(Math.abs(op.coreLossOhms * y * 0.5 - 1) < 1e-9);
  assert.ok(op.iterations >= 2 && op.iterations < 20, `${op.iterations} iterations`);
});

test('stops its iteration within OPERATING_POINT_TOLERANCE of the fixed point', () => {
  const ct = new CurrentTransformer({ excitation: EXAMPLE });
  const op = ct.operatingPoint(0.25, 50);
  const again = ct.atOperatingPoint(op).magnetisingVoltsPerAmp(50) * 0.25;
  assert.ok(Math.abs(again / op.emfVolts - 1) <= 10 * OPERATING_POINT_TOLERANCE, `${again} vs ${op.emfVolts}`);
});

test('with an excitation curve, reads lower and leads more at 5 % and 10 % Ib than at Ib', () => {
  const ct = new CurrentTransformer({ excitation: EXAMPLE });
  const at = (amps: number) => ct.atOperatingPoint(ct.operatingPoint(amps, 50));
  const [low, tenth, ib] = [0.25, 0.5, 5].map(at);
  assert.ok(low.ratioError(50) < tenth.ratioError(50) && tenth.ratioError(50) < ib.ratioError(50));
  assert.ok(low.phaseErrorDeg(50) > tenth.phaseErrorDeg(50) && tenth.phaseErrorDeg(50) > ib.phaseErrorDeg(50));
  // A few tenths of a per cent and some minutes of arc at 5 % Ib, at most.
  assert.ok(low.ratioError(50) > -0.005 && low.phaseErrorDeg(50) * 60 < 30, `${low.ratioError(50)}, ${low.phaseErrorDeg(50) * 60}'`);
});

test('without an excitation curve, the operating point is the fixed branch at every current', () => {
  const ct = new CurrentTransformer();
  for (const amps of [0.25, 5, 80]) {
    const op = ct.operatingPoint(amps, 50);
    assert.is(op.magnetisingHenries, 30);
    assert.is(op.coreLossOhms, 25e3);
    assert.is(op.iterations, 0);
    assert.is(ct.atOperatingPoint(op), ct);
  }
});

test('takes the curve\'s first point as its magnetising branch when given no inductance of its own', () => {
  const ct = new CurrentTransformer({ excitation: EXAMPLE });
  assert.is(ct.config.magnetisingHenries, ct.curve!.initial.henries);
  assert.is(ct.config.coreLossOhms, ct.curve!.initial.lossOhms);
});

test('scales the whole curve by magnetisingHenries and coreLossOhms (a unit drawn 20 % high is 20 % high at every flux)', () => {
  const nominal = new CurrentTransformer({ excitation: EXAMPLE });
  const { henries, lossOhms } = nominal.curve!.initial;
  const unit = new CurrentTransformer({ excitation: EXAMPLE, magnetisingHenries: 1.2 * henries, coreLossOhms: 0.9 * lossOhms });
  for (const flux of [0, 1e-5, 1e-4, 1e-3, 1e-2]) {
    assert.ok(Math.abs(unit.branchAt(flux).henries / nominal.branchAt(flux).henries - 1.2) < 1e-12);
    assert.ok(Math.abs(unit.branchAt(flux).lossOhms / nominal.branchAt(flux).lossOhms - 0.9) < 1e-12);
  }
});

test('says which current it could not solve when the curve is too steep for the iteration to settle', () => {
  // The exciting current jumps 100 000-fold within 0.01 % of EMF above 1 V. 78.13 A puts 1.00006 V across 12.8 ohm
  // with the core's 100 kohm branch, inside the jump, where the branch collapses to a few hundred ohms and the EMF
  // falls below 1 V, where the branch is 100 kohm again: each step undoes the last.
  const ct = new CurrentTransformer({ parallelCapFarads: 0, excitation: { hz: 50, lossAngleDeg: 20, points: [[0.1, 1e-6], [1, 1e-5], [1.0001, 1]] } });
  assert.throws(() => ct.operatingPoint(78.13, 50), (err: Error) => err instanceof CtOperatingPointError && /at 78\.13 A \(50 Hz\) did not settle/.test(err.message));
});

test.run();
