import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BOARD_PARAMS, DEFAULT_BOARD_PROFILE, applyOverrides, drawUnit, flattenProfile, paramKeys, validateProfile,
} from './board-profile.ts';
import { CurrentTransformer } from './frontend/current-transformer.ts';
import type { ExcitationCurveSpec } from './frontend/excitation-curve.ts';

/** mulberry32: a small seeded uniform source for the tests. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('holds the schematic values: 620k / 1k / 200k divider, 1000:1 CT into 2 x 2.4 ohm, 1k / 33 nF filters', () => {
  const p = DEFAULT_BOARD_PROFILE;
  assert.is(p.divider.rTopOhms, 620e3);
  assert.is(p.divider.rSampleOhms, 1e3);
  assert.is(p.divider.rReturnOhms, 200e3);
  assert.is(p.ct.ratio, 1000);
  assert.is(p.ct.burdenOhms, 4.8);
  assert.is(p.ct.parallelCapFarads, 100e-9);
  assert.is(p.filter.rPOhms, 1e3);
  assert.is(p.filter.cNFarads, 33e-9);
  assert.is(p.shunt.fitted, false);
});

test('gives every numeric parameter a tolerance entry and every resistor of the BOM 1 % or its series RSS', () => {
  for (const key of paramKeys()) {
    const [s, k] = key.split('.') as [keyof typeof BOARD_PARAMS, string];
    const spec = (BOARD_PARAMS[s] as Record<string, { tol: number }>)[k]!;
    assert.ok(spec.tol >= 0 && spec.tol < 1, key);
  }
  assert.is(BOARD_PARAMS.divider.rSampleOhms.tol, 0.01);
  assert.is(BOARD_PARAMS.divider.cFilterFarads.tol, 0.1);
  assert.is(BOARD_PARAMS.ct.ratio.tol, 0.005);
});

test('applies overrides by section.name without touching the original', () => {
  const p = applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 2000, 'ct.burdenOhms': 10 });
  assert.is(p.ct.ratio, 2000);
  assert.is(p.ct.burdenOhms, 10);
  assert.is(DEFAULT_BOARD_PROFILE.ct.ratio, 1000);
});

test('accepts command-line strings with SI prefixes and the frontend. prefix', () => {
  const p = applyOverrides(DEFAULT_BOARD_PROFILE, {
    'frontend.divider.rTopOhms': '680k', 'filter.cPFarads': '47n', 'ct.reversed': 'true',
  });
  assert.is(p.divider.rTopOhms, 680e3);
  assert.ok(Math.abs(p.filter.cPFarads - 47e-9) < 1e-20);
  assert.is(p.ct.reversed, true);
});

test('rejects an unknown key, suggesting the nearest one', () => {
  assert.throws(() => applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ration': 2000 }),
    /unknown board parameter 'ct.ration' \(did you mean 'ct.ratio'\?\)/);
});

test('rejects a negative resistance, naming the key', () => {
  assert.throws(() => applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.burdenOhms': -4.8 }),
    /board parameter 'ct.burdenOhms' must be > 0/);
});

test('rejects a value that is not a number', () => {
  assert.throws(() => applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 'lots' }),
    /board parameter 'ct.ratio' must be a number/);
});

test('rejects a non-boolean for a switch', () => {
  assert.throws(() => applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': 'maybe' }),
    /'shunt.fitted' must be true or false/);
});

test('rejects a profile with a missing value', () => {
  const p = JSON.parse(JSON.stringify(DEFAULT_BOARD_PROFILE)) as Record<string, Record<string, unknown>>;
  delete p.ct!.ratio;
  assert.throws(() => validateProfile(p), /missing 'ct.ratio'/);
});

test('draws the same unit from the same seed', () => {
  assert.equal(drawUnit(DEFAULT_BOARD_PROFILE, seeded(42)), drawUnit(DEFAULT_BOARD_PROFILE, seeded(42)));
});

test('draws different units from different seeds', () => {
  assert.not.equal(drawUnit(DEFAULT_BOARD_PROFILE, seeded(1)), drawUnit(DEFAULT_BOARD_PROFILE, seeded(2)));
});

test('keeps every drawn value within its tolerance of the nominal', () => {
  const rand = seeded(7);
  const nominal = flattenProfile(DEFAULT_BOARD_PROFILE);
  for (let n = 0; n < 200; n++) {
    const unit = flattenProfile(drawUnit(DEFAULT_BOARD_PROFILE, rand));
    for (const key of paramKeys()) {
      const [s, k] = key.split('.') as [keyof typeof BOARD_PARAMS, string];
      const tol = (BOARD_PARAMS[s] as Record<string, { tol: number }>)[k]!.tol;
      const v = unit[key]!;
      const v0 = nominal[key]!;
      if (typeof v === 'boolean') { assert.is(v, v0); continue; }
      assert.ok(Math.abs(v - (v0 as number)) <= tol * Math.abs(v0 as number) * (1 + 1e-12), `${key}: ${v} vs ${v0}`);
    }
  }
});

test('spreads the CT ratio with sigma = tolerance / 3 (0.5 % -> 0.167 %, +-15 % over 2000 units)', () => {
  const rand = seeded(11);
  const xs: number[] = [];
  for (let n = 0; n < 2000; n++) xs.push(drawUnit(DEFAULT_BOARD_PROFILE, rand).ct.ratio / 1000 - 1);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  assert.ok(Math.abs(sd / (0.005 / 3) - 1) < 0.15, `sigma ${sd}`);
  assert.ok(Math.abs(mean) < 0.0002, `mean ${mean}`);
});

test('refuses a random source that leaves [0, 1)', () => {
  assert.throws(() => drawUnit(DEFAULT_BOARD_PROFILE, () => 1.5), /numbers in \[0, 1\)/);
});

const CURVE: ExcitationCurveSpec = { hz: 50, lossAngleDeg: 20.66, points: [[1e-3, 0.4e-6], [0.1, 11e-6], [3, 220e-6]] };

/** The default board with a CT that follows CURVE (its branch below the first point from the curve). */
function withCurve() {
  const ct = new CurrentTransformer({ excitation: CURVE }).config;
  return { ...DEFAULT_BOARD_PROFILE, ct: { ...DEFAULT_BOARD_PROFILE.ct, magnetisingHenries: ct.magnetisingHenries, coreLossOhms: ct.coreLossOhms, excitation: CURVE } };
}

test('a drawn unit keeps the CT\'s excitation curve and scales it by its drawn inductance and core loss, at every flux', () => {
  const nominal = withCurve();
  const rand = seeded(5);
  const ct0 = new CurrentTransformer(nominal.ct);
  for (let n = 0; n < 20; n++) {
    const unit = drawUnit(nominal, rand);
    assert.is(unit.ct.excitation, CURVE);
    const kL = unit.ct.magnetisingHenries / nominal.ct.magnetisingHenries;
    const kR = unit.ct.coreLossOhms / nominal.ct.coreLossOhms;
    assert.ok(Math.abs(kL - 1) > 1e-6 && Math.abs(kL - 1) <= 0.3);
    const ct = new CurrentTransformer(unit.ct);
    for (const flux of [0, 1e-4, 1e-3, 1e-2]) {
      assert.ok(Math.abs(ct.branchAt(flux).henries / ct0.branchAt(flux).henries / kL - 1) < 1e-12);
      assert.ok(Math.abs(ct.branchAt(flux).lossOhms / ct0.branchAt(flux).lossOhms / kR - 1) < 1e-12);
    }
  }
});

test('a CT excitation curve leaves the parameters (and so the draws) as they were: the same units from the same seed', () => {
  const a = flattenProfile(drawUnit(withCurve(), seeded(9)));
  const b = flattenProfile(drawUnit({ ...withCurve(), ct: { ...withCurve().ct, excitation: null } }, seeded(9)));
  assert.equal(a, b);
});

test('refuses a profile whose CT excitation curve does not rise, naming the field', () => {
  const bad = { ...withCurve(), ct: { ...withCurve().ct, excitation: { ...CURVE, points: [[1e-3, 0.4e-6], [1e-3, 11e-6]] } } };
  assert.throws(() => validateProfile(bad), /board profile ct\.excitation\.points\[1\]: the EMF 0\.001 V is not above/);
});

test.run();
