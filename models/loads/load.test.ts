import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Load } from './load.ts';
import { powerOf, sumLines } from '../grid/phasor-lines.ts';
import { rmsOf, type Harmonic } from '../signals.ts';

const GRID = { vrms: 240, hz: 50 };
const V240: Harmonic[] = [{ order: 1, rms: 240, phaseRad: 0 }];
const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('draws its rated watts at its rated volts', () => {
  const l = new Load({ id: 'heater', watts: 2000 }, GRID);
  near(powerOf(V240, l.currents(V240, 50)).watts, 2000);
});

test('behaves as a constant impedance: a 2000 W heater draws 2000 x (180/240)^2 W at 180 V', () => {
  const l = new Load({ id: 'heater', watts: 2000 }, GRID);
  const v: Harmonic[] = [{ order: 1, rms: 180, phaseRad: 0 }];
  near(powerOf(v, l.currents(v, 50)).watts, 2000 * (180 / 240) ** 2);
});

test('takes amps at the grid voltage of the moment it is set', () => {
  const l = new Load({ id: 'k', amps: 10 }, { vrms: 230, hz: 50 });
  const v: Harmonic[] = [{ order: 1, rms: 230, phaseRad: 0 }];
  near(rmsOf(l.currents(v, 50)), 10);
});

test('lags by acos(pf) when inductive and leads when capacitive', () => {
  const lag = new Load({ id: 'm', kind: 'inductive', amps: 1, pf: 0.8 }, GRID).currents(V240, 50)[0]!;
  const lead = new Load({ id: 'c', kind: 'capacitive', amps: 1, pf: 0.8 }, GRID).currents(V240, 50)[0]!;
  near(lag.phaseRad, -Math.acos(0.8));
  near(lead.phaseRad, Math.acos(0.8));
});

test('defaults a motor to pf 0.7 lagging', () => {
  const l = new Load({ id: 'pump', kind: 'motor', watts: 500 }, GRID);
  assert.is(l.pf, 0.7);
  assert.ok(l.lagging);
});

test('treats a load with pf below 1 and no kind as inductive', () => {
  assert.is(new Load({ id: 'x', watts: 100, pf: 0.9 }, GRID).kind, 'inductive');
});

test('sees an inductive reactance three times larger at the 3rd harmonic', () => {
  const l = new Load({ id: 'm', kind: 'inductive', watts: 1000, pf: 0.8 }, GRID);
  near(l.impedance(3, 50)[1], 3 * l.impedance(1, 50)[1]);
});

test('sees a capacitive reactance three times smaller at the 3rd harmonic, so a 3rd-harmonic voltage drives more current', () => {
  const l = new Load({ id: 'c', kind: 'capacitive', watts: 1000, pf: 0.1 }, GRID);
  near(l.impedance(3, 50)[1], l.impedance(1, 50)[1] / 3);
  const v: Harmonic[] = [{ order: 1, rms: 240, phaseRad: 0 }, { order: 3, rms: 24, phaseRad: 0 }];
  const lines = l.currents(v, 50);
  // |Z3| / |Z1| = sqrt(pf^2 + (1 - pf^2) / 9) = 0.3464 at pf 0.1, so 10 % of the voltage drives 28.9 % of the current.
  const ratio = lines.find((x) => x.order === 3)!.rms / lines.find((x) => x.order === 1)!.rms;
  near(ratio, 0.1 / Math.sqrt(0.01 + 0.99 / 9));
});

test('gives an SMPS 3rd, 5th and 7th harmonic current at 80, 60 and 40 % of its fundamental', () => {
  const lines = new Load({ id: 'tv', kind: 'smps', watts: 100 }, GRID).currents(V240, 50);
  const i1 = lines.find((l) => l.order === 1)!.rms;
  assert.equal(lines.map((l) => l.order), [1, 3, 5, 7]);
  near(lines.find((l) => l.order === 3)!.rms / i1, 0.8);
  near(lines.find((l) => l.order === 7)!.rms / i1, 0.4);
});

test('gives an SMPS a leading 0.95 displacement power factor and its rated real power', () => {
  const l = new Load({ id: 'tv', kind: 'smps', watts: 100 }, GRID);
  const i1 = l.currents(V240, 50)[0]!;
  near(Math.cos(i1.phaseRad), 0.95);
  assert.ok(i1.phaseRad > 0);
  near(powerOf(V240, l.currents(V240, 50)).watts, 100);
});

test('reads amps of an SMPS as its total rms current', () => {
  const l = new Load({ id: 'pc', kind: 'smps', amps: 2 }, GRID);
  near(rmsOf(l.currents(V240, 50)), 2);
});

test('gives a half-wave rectifier a DC of 0.90 x its fundamental, even harmonics, and sqrt 2 x I1 rms', () => {
  const lines = new Load({ id: 'diode', kind: 'rectifier', watts: 1000 }, GRID).currents(V240, 50);
  const i1 = lines.find((l) => l.order === 1)!.rms;
  near(lines.find((l) => l.order === 0)!.rms / i1, (2 * Math.SQRT2) / Math.PI);
  assert.ok(lines.every((l) => l.order <= 1 || l.order % 2 === 0));
  near(lines.find((l) => l.order === 2)!.rms / i1, 4 / (3 * Math.PI));
  assert.ok(Math.abs(rmsOf(lines) / i1 - Math.SQRT2) < 0.002);
});

test('draws nothing at 0 W', () => {
  assert.equal(new Load({ id: 'off', watts: 0 }, GRID).currents(V240, 50), []);
});

test('rejects pf outside (0, 1]', () => {
  assert.throws(() => new Load({ id: 'a', kind: 'motor', watts: 1, pf: 0 }, GRID), /load 'a': pf must be a number with 0 < pf <= 1/);
  assert.throws(() => new Load({ id: 'a', kind: 'motor', watts: 1, pf: 1.2 }, GRID), /0 < pf <= 1/);
});

test('rejects negative watts', () => {
  assert.throws(() => new Load({ id: 'a', watts: -5 }, GRID), /load 'a': watts must be a number >= 0/);
});

test('rejects both watts and amps, and neither', () => {
  assert.throws(() => new Load({ id: 'a', watts: 5, amps: 1 }, GRID), /either watts or amps, not both/);
  assert.throws(() => new Load({ id: 'a' }, GRID), /give watts \(at ratedVolts\) or amps/);
});

test('rejects an unknown kind, listing the known ones', () => {
  assert.throws(() => new Load({ id: 'a', kind: 'fridge' as never, watts: 5 }, GRID), /unknown kind 'fridge' \(expected resistive, inductive/);
});

test('rejects pf below 1 on a resistive kind', () => {
  assert.throws(() => new Load({ id: 'k', kind: 'kettle', watts: 2000, pf: 0.8 }, GRID), /a kettle load has pf 1/);
});

test('rejects amps when the grid is at 0 V', () => {
  assert.throws(() => new Load({ id: 'a', amps: 5 }, { vrms: 0, hz: 50 }), /give watts instead/);
});

test('sums with other loads into one current', () => {
  const a = new Load({ id: 'a', amps: 3 }, GRID).currents(V240, 50);
  const b = new Load({ id: 'b', kind: 'capacitive', amps: 4, pf: 1e-9 }, GRID).currents(V240, 50);
  near(sumLines([a, b])[0]!.rms, 5, 1e-6);
});

test.run();
