// The suite's test points: the class-1 table, the other type tests and the seed rows of the original report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fullSuite, seedPoints, suiteFor } from './points.ts';

test('the full suite has every current of the class-1 table at PF 1 (0.05 Ib .. Imax) and at 0.5L and 0.8C (0.1 Ib .. Imax)', () => {
  const pts = fullSuite().points.filter((p) => p.kind === 'error');
  const at = (label: string) => pts.filter((p) => p.condition.pf.kind === label).map((p) => p.condition.amps);
  assert.equal(at('unity'), [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 80]);
  assert.equal(at('inductive'), [0.5, 1, 2.5, 5, 10, 30, 60, 80]);
  assert.equal(at('capacitive'), [0.5, 1, 2.5, 5, 10, 30, 60, 80]);
});

test('the full suite has the starting current (20 mA), creep (276 V, no current), voltage ±10 %, frequency ±2 %, harmonics and DC', () => {
  const s = fullSuite().points;
  const start = s.find((p) => p.kind === 'starting')!;
  assert.ok(Math.abs(start.condition.amps - 0.02) < 1e-12);
  const creep = s.find((p) => p.kind === 'creep')!;
  assert.ok(Math.abs(creep.condition.volts - 276) < 1e-9);
  assert.is(creep.condition.amps, 0);
  assert.equal(s.filter((p) => p.kind === 'voltage').map((p) => p.condition.volts), [216, 264, 216, 264]);
  assert.equal(s.filter((p) => p.kind === 'frequency').map((p) => p.condition.hz), [49, 51, 49, 51]);
  const h = s.find((p) => p.kind === 'harmonics')!;
  assert.is(h.condition.fifthVoltagePercent, 10);
  assert.is(h.condition.fifthCurrentPercent, 40);
  assert.is(h.reference!.amps, 40);
  const dc = s.find((p) => p.kind === 'dc')!;
  assert.ok(Math.abs(dc.condition.amps - 80 / Math.SQRT2) < 1e-9);
  assert.is(dc.reference!.amps, 80);
});

test('point names are unique', () => {
  const names = fullSuite().points.map((p) => p.name);
  assert.is(new Set(names).size, names.length);
});

test('--points seed is the original report: Imax, 60 A, 30 A, 5 A at PF 1 and 0.5L, 240 V', () => {
  const s = seedPoints().points;
  assert.equal(s.map((p) => [p.condition.amps, p.condition.pf.kind, p.condition.volts]), [
    [80, 'unity', 240], [80, 'inductive', 240], [60, 'unity', 240], [60, 'inductive', 240],
    [30, 'unity', 240], [30, 'inductive', 240], [5, 'unity', 240], [5, 'inductive', 240],
  ]);
});

test('an unknown point set is refused with the known ones named', () => {
  assert.throws(() => suiteFor('some' as never), /unknown point set 'some' \(expected full or seed\)/);
});

test.run();
