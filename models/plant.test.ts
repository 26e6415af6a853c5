import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Plant } from './plant.ts';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from './board-profile.ts';
import { rmsOf } from './signals.ts';
import { CurrentTransformer } from './frontend/current-transformer.ts';

const near = (a: number, b: number, rel: number) => assert.ok(Math.abs(a / b - 1) <= rel, `${a} is not within ${rel * 100} % of ${b}`);

test('reports 1200 W at PF 1 for a 5 A resistive load at 240 V', () => {
  const p = new Plant({ grid: { vrms: 240 } });
  p.setLoad({ id: 'heater', kind: 'resistive', amps: 5 });
  const t = p.truth();
  near(t.watts, 1200, 1e-12);
  near(t.pf, 1, 1e-12);
  near(t.irms, 5, 1e-12);
  assert.is(t.freqHz, 50);
});

test('reports PF 0.5 and 7200 W for 60 A at PF 0.5 inductive', () => {
  const p = new Plant({ grid: { vrms: 240 } });
  p.setLoad({ id: 'motor', kind: 'inductive', amps: 60, pf: 0.5 });
  const t = p.truth();
  near(t.pf, 0.5, 1e-9);
  near(t.watts, 7200, 1e-9);
  near(t.vars, 7200 * Math.sqrt(3), 1e-9);
  near(t.va, 14400, 1e-12);
});

test('puts 240 V at 291.6 mV and 5 A at about 24 mV on the chip pins, IL empty', () => {
  const p = new Plant();
  p.setLoad({ id: 'heater', amps: 5 });
  const pins = p.pinPhasors();
  near(rmsOf(pins.V), 0.2916, 0.001);
  near(rmsOf(pins.IN), 0.024, 0.005);
  assert.equal(pins.IL, []);
  assert.is(pins.freqHz, 50);
});

test('gives the IN pins harmonic lines for an SMPS load', () => {
  const p = new Plant();
  p.setLoad({ id: 'tv', kind: 'smps', watts: 150 });
  assert.equal(p.pinPhasors().IN.map((l) => l.order), [1, 3, 5, 7]);
});

test('keeps the rectifier DC out of the CT but in the true line current', () => {
  const p = new Plant();
  p.setLoad({ id: 'diode', kind: 'rectifier', watts: 500 });
  assert.ok(p.lineCurrent().some((l) => l.order === 0));
  assert.ok(!p.pinPhasors().IN.some((l) => l.order === 0));
});

test('refers pin phases to the grid fundamental: a phase jump leaves the pin phases unchanged', () => {
  const p = new Plant({ grid: { harmonics: [{ order: 3, percent: 4 }] } });
  p.setLoad({ id: 'm', kind: 'motor', amps: 5 });
  const before = p.pinPhasors();
  p.applyGrid({ phaseDeg: 40 });
  const after = p.pinPhasors();
  for (const ch of ['V', 'IN'] as const) {
    before[ch].forEach((l, k) => assert.ok(Math.abs(l.phaseRad - after[ch][k]!.phaseRad) < 1e-9, `${ch} order ${l.order}`));
  }
});

test('flips the IN pins by 180 deg with a reversed CT', () => {
  const normal = new Plant();
  const reversed = new Plant({ profile: applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.reversed': true }) });
  for (const p of [normal, reversed]) p.setLoad({ id: 'h', amps: 5 });
  const d = Math.abs(normal.pinPhasors().IN[0]!.phaseRad - reversed.pinPhasors().IN[0]!.phaseRad);
  assert.ok(Math.abs(d - Math.PI) < 1e-9, `${d}`);
});

test('gives no pin signals and no power during an outage', () => {
  const p = new Plant();
  p.setLoad({ id: 'h', watts: 1000 });
  p.applyGrid({ outage: true });
  const pins = p.pinPhasors();
  assert.equal([pins.V, pins.IN], [[], []]);
  assert.equal([p.truth().watts, p.truth().irms, p.truth().pf], [0, 0, 0]);
});

test('lowers the power of a watts load with the square of a sag', () => {
  const p = new Plant();
  p.setLoad({ id: 'h', watts: 2000 });
  p.applyGrid({ vrms: 120 });
  near(p.truth().watts, 500, 1e-12);
});

test('counts a version per change and calls onChange after each', () => {
  const p = new Plant();
  const seen: number[] = [];
  p.onChange = (pl) => seen.push(pl.version);
  p.setLoad({ id: 'a', watts: 100 });
  p.applyGrid({ vrms: 230 });
  p.removeLoad('a');
  p.setProfile(applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 2000 }));
  assert.equal(seen, [1, 2, 3, 4]);
  assert.is(p.version, 4);
});

test('does not count a rejected change', () => {
  const p = new Plant();
  assert.throws(() => p.setLoad({ id: 'a', watts: -1 }), /watts must be/);
  assert.throws(() => p.applyGrid({ hz: 0 }), /grid hz/);
  assert.is(p.version, 0);
});

test('replaces a load of the same id', () => {
  const p = new Plant();
  p.setLoad({ id: 'a', amps: 5 });
  p.setLoad({ id: 'a', amps: 2 });
  assert.is(p.loads().length, 1);
  near(p.truth().irms, 2, 1e-12);
});

test('refuses to remove a load that is not connected, naming the connected ones', () => {
  const p = new Plant({ loads: [{ id: 'fan', kind: 'motor', watts: 60 }] });
  assert.throws(() => p.removeLoad('heater'), /no load 'heater' to remove \(connected: fan\)/);
});

test('halves the IN pin voltage with a 2000:1 CT', () => {
  const a = new Plant();
  const b = new Plant({ profile: applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 2000 }) });
  for (const p of [a, b]) p.setLoad({ id: 'h', amps: 10 });
  near(rmsOf(b.pinPhasors().IN) / rmsOf(a.pinPhasors().IN), 0.5, 1e-4);
});

test('fills the IL pins when a shunt is fitted on the L channel', () => {
  const p = new Plant({ profile: applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': true }) });
  p.setLoad({ id: 'h', amps: 5 });
  near(rmsOf(p.pinPhasors().IL), 5 * 200e-6 * 0.5, 0.001);
});

test('with the relay contact open the loads draw nothing and the voltage pins stay (line side)', () => {
  const p = new Plant({ loads: [{ id: 'h', amps: 10 }] });
  const v = rmsOf(p.pinPhasors().V);
  const before = p.version;
  p.setContact(false);
  assert.ok(p.version > before, 'a contact change is a plant change');
  assert.equal([p.truth().irms, p.truth().watts, rmsOf(p.pinPhasors().IN)], [0, 0, 0]);
  near(rmsOf(p.pinPhasors().V), v, 1e-12);
  p.setContact(true);
  near(p.truth().irms, 10, 1e-9);
});

test('without supply at the terminals (a power cut) there is neither voltage nor current', () => {
  const p = new Plant({ loads: [{ id: 'h', amps: 10 }] });
  p.setSupplied(false);
  assert.equal([p.truth().vrms, p.truth().irms, p.terminalVrms()], [0, 0, 0]);
  p.setSupplied(true);
  assert.is(p.terminalVrms(), 240);
});

test('a load set while the contact is open draws once it closes', () => {
  const p = new Plant();
  p.setContact(false);
  p.setLoad({ id: 'k', kind: 'kettle', watts: 2000 });
  assert.is(p.truth().irms, 0);
  p.setContact(true);
  near(p.truth().watts, 2000, 1e-9);
});

test('with a CT excitation curve, puts a smaller share of a small current on the IN pins than of a large one', () => {
  const excitation = { hz: 50, lossAngleDeg: 20.66, points: [[1e-3, 0.4e-6], [0.1, 11e-6], [3, 220e-6]] as Array<[number, number]> };
  const { magnetisingHenries, coreLossOhms } = new CurrentTransformer({ excitation }).config;
  const profile = { ...DEFAULT_BOARD_PROFILE, ct: { ...DEFAULT_BOARD_PROFILE.ct, magnetisingHenries, coreLossOhms, excitation } };
  const perAmp = (amps: number): number => {
    const p = new Plant({ grid: { vrms: 240 }, profile });
    p.setLoad({ id: 'heater', kind: 'resistive', amps });
    return rmsOf(p.pinPhasors().IN) / amps;
  };
  const low = perAmp(0.25), high = perAmp(5);
  assert.ok(low < high && high / low - 1 > 1e-4 && high / low - 1 < 0.01, `${low} vs ${high} V/A`);
});

test.run();
