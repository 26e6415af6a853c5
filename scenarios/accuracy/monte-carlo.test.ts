// Yield over drawn units: Wilson interval, determinism across worker counts, aggregation.
import { suiteFor } from './points.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from './meter-unit.ts';
import { aggregate, runMonteCarlo, runUnit, wilson, type MonteCarloJob } from './monte-carlo.ts';
import { OSM_RATINGS } from './ratings.ts';

const JOB: MonteCarloJob = {
  units: 12, seed: 3, points: 'seed', whatIf: [], meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS),
  meterConstantSource: 'implied', defects: [...resolveFirmware({ profile: 'field', mode: 'sts' }).defects], firmwareLabel: 'field',
  judge: 'chip', gatePulses: 10, gateCalls: 20, calibrate: false,
};

test('the Wilson 95 % interval of 8 out of 10 is 49.0 % .. 94.3 %', () => {
  const { low, high } = wilson(8, 10);
  assert.ok(Math.abs(low - 0.4902) < 1e-4 && Math.abs(high - 0.9433) < 1e-4, `${low} ${high}`);
});

test('the Wilson interval stays inside [0, 1] at 0 and n successes and refuses k > n', () => {
  assert.is(wilson(0, 20).low, 0);
  assert.is(wilson(20, 20).high, 1);
  assert.ok(wilson(20, 20).low < 1);
  assert.throws(() => wilson(3, 2), /0 <= k <= n/);
});

test('the same seed gives the same yield and the same per-unit outcomes with 1 and with 2 workers', async () => {
  const one = await runMonteCarlo(JOB, { workers: 1 });
  const two = await runMonteCarlo(JOB, { workers: 2, chunk: 1 });
  assert.equal(one, two);
  assert.is(one.units, 12);
  assert.ok(one.points.some((p) => p.sd > 0), 'the units differ');
});

test('a different seed draws different units', async () => {
  const a = await runUnit(JOB, 0);
  const b = await runUnit({ ...JOB, seed: 4 }, 0);
  assert.is.not(a.errors[0], b.errors[0]);
});

test('the worker result of a unit equals the unit run in this thread', async () => {
  const r = await runMonteCarlo({ ...JOB, units: 3 }, { workers: 1 });
  const local = await Promise.all([0, 1, 2].map((i) => runUnit(JOB, i)));
  assert.equal(r, aggregate({ ...JOB, units: 3 }, local));
});

test('aggregation counts failures per point and lists the points that fail most first', () => {
  const names = ['Imax (80 A) PF 1', 'Imax (80 A) PF 0.5L'];
  const outcomes = [
    { index: 0, pass: false, firmwarePass: false, firmwareDefects: ["D14"], failed: [names[1]], dcSaturated: false, errors: [0.1, 1.2, 0, 0, 0, 0, 0, 0], firmwareErrors: [0, 0, 0, 0, 0, 0, 0, 0] },
    { index: 1, pass: true, firmwarePass: true, firmwareDefects: [], failed: [], dcSaturated: false, errors: [0.3, 0.2, 0, 0, 0, 0, 0, 0], firmwareErrors: [0, 0, 0, 0, 0, 0, 0, 0] },
  ];
  const r = aggregate({ ...JOB, units: 2 }, outcomes);
  assert.is(r.passed, 1);
  assert.is(r.points[0].name, names[1]);
  assert.is(r.points[0].failures, 1);
  assert.ok(Math.abs(r.points.find((p) => p.name === names[0])!.mean - 0.2) < 1e-12);
  assert.equal(r.failingUnits, [0]);
  assert.is(r.firmwarePassed, 1);
  assert.equal(r.firmwareDefects, ['D14']);
});

test('aggregation of 200,000 units (--monte-carlo allows 1e6) gives each point\'s min and max', () => {
  const n = 200_000;
  const points = suiteFor('seed').points.length;
  const outcomes = Array.from({ length: n }, (_, index) => {
    const e = (index % 1000) / 1000 - 0.5; // -0.5 .. 0.499
    return { index, pass: true, firmwarePass: true, firmwareDefects: [], failed: [], dcSaturated: false, errors: Array<number>(points).fill(e), firmwareErrors: Array<number>(points).fill(0) };
  });
  const r = aggregate({ ...JOB, units: n }, outcomes);
  assert.is(r.units, n);
  assert.is(r.points[0].min, -0.5);
  assert.is(r.points[0].max, 0.499);
});

test('the yield without the DC immunity point counts the units that failed only that point, beside the full yield', () => {
  const full = { ...JOB, units: 3, points: 'full' as const };
  const names = suiteFor('full').points;
  const dc = names.find((p) => p.kind === 'dc')!.name;
  const other = names.find((p) => p.kind === 'error')!.name;
  const zeros = names.map(() => 0);
  const unit = (index: number, failed: string[], dcSaturated: boolean) => ({ index, pass: failed.length === 0, firmwarePass: true, firmwareDefects: [], failed, dcSaturated, errors: zeros, firmwareErrors: zeros });
  const r = aggregate(full, [unit(0, [dc], true), unit(1, [dc, other], true), unit(2, [], false)]);
  assert.is(r.passed, 1);
  assert.equal({ ...r.withoutDcImmunity!, low: 0, high: 0 }, { point: dc, passed: 2, yield: 2 / 3, low: 0, high: 0, failedSaturated: 2, failingUnits: [1] });
  assert.ok(r.withoutDcImmunity!.low > 0 && r.withoutDcImmunity!.high <= 1);
  assert.is(aggregate({ ...JOB, units: 1 }, [unit(0, [], false)]).withoutDcImmunity, undefined, 'the seed points have no DC test');
});

test('the worst units are those with the largest error against its limit, worst first, at most five, DC immunity aside', () => {
  const full = { ...JOB, units: 7, points: 'full' as const };
  const suite = suiteFor('full').points;
  const at = (name: string) => suite.findIndex((p) => p.name === name);
  const dc = suite.find((p) => p.kind === 'dc')!.name;
  const unit = (index: number, errs: Record<string, number>) => {
    const errors = suite.map((p) => errs[p.name] ?? 0);
    errors[at(dc)] = -31; // every unit fails DC immunity
    return { index, pass: false, firmwarePass: true, firmwareDefects: [], failed: [dc], dcSaturated: true, errors, firmwareErrors: suite.map(() => 0) };
  };
  const r = aggregate(full, [
    unit(0, { 'Ib (5 A) PF 1': 0.2 }),
    unit(1, { '0.05 Ib (0.25 A) PF 1': -1.2 }), // 80 % of its 1.5 % limit
    unit(2, { 'Ib (5 A) PF 0.5L': 1.1 }), // 110 %
    unit(3, { '2 Ib (10 A) PF 1': 0.9 }), // 90 %
    unit(4, { '0.1 Ib (0.5 A) PF 0.8C': -0.6 }), // 40 % of 1.5
    unit(5, { 'Imax (80 A) PF 1': 0.3 }),
    unit(6, { '30 A PF 1': -0.5 }),
  ]);
  assert.equal(r.worstUnits.map((w) => [w.index, w.point, w.errorPercent, w.limitPercent]), [
    [2, 'Ib (5 A) PF 0.5L', 1.1, 1], [3, '2 Ib (10 A) PF 1', 0.9, 1], [1, '0.05 Ib (0.25 A) PF 1', -1.2, 1.5], [6, '30 A PF 1', -0.5, 1], [4, '0.1 Ib (0.5 A) PF 0.8C', -0.6, 1.5],
  ]);
  assert.ok(r.worstUnits.every((w) => w.side === 'chip'));
});

test('bad input is refused before any worker starts', async () => {
  await runMonteCarlo({ ...JOB, units: 0 }).then(() => assert.unreachable('should throw'), (err: Error) => assert.match(err.message, /whole number of units >= 1/));
  await runMonteCarlo({ ...JOB, whatIf: ['afe.Nope=1'] }).then(() => assert.unreachable('should throw'), (err: Error) => assert.match(err.message, /not a calibration register/));
});

test.run();
