import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_LOSS_ANGLE_DEG, ExcitationCurve } from './excitation-curve.ts';

const W = 2 * Math.PI * 50;
const fluxOf = (emf: number): number => (Math.SQRT2 * emf) / W;
const close = (a: number, b: number, rel = 1e-12): void => assert.ok(Math.abs(a / b - 1) <= rel, `${a} is not ${b}`);

// 10 mV at 2 uA and 1 V at 50 uA: a straight line on log-log paper, I = 2 uA x (E / 10 mV)^(log 25 / log 100).
const CURVE = { hz: 50, lossAngleDeg: 30, points: [[0.01, 2e-6], [1, 50e-6]] as Array<[number, number]> };

test('interpolates the exciting current log-log between points (10 uA half-way, at 100 mV)', () => {
  close(new ExcitationCurve(CURVE).currentAt(0.1), Math.sqrt(2e-6 * 50e-6));
});

test('passes through its points', () => {
  const c = new ExcitationCurve(CURVE);
  close(c.currentAt(0.01), 2e-6);
  close(c.currentAt(1), 50e-6);
});

test('keeps the first point\'s permeability below it (the exciting current falls in proportion to the EMF)', () => {
  const c = new ExcitationCurve(CURVE);
  close(c.currentAt(0.001), 2e-7);
  assert.equal(c.branchAt(0), c.branchAt(fluxOf(0.01)));
  assert.equal(c.initial, c.branchAt(fluxOf(0.005)));
});

test('keeps the last point\'s permeability above it, up to the knee', () => {
  const c = new ExcitationCurve(CURVE);
  close(c.currentAt(3), 150e-6);
});

test('splits the exciting current by the loss angle: 1/(w Lm) = |Y| cos a, 1/Rc = |Y| sin a', () => {
  const b = new ExcitationCurve(CURVE).branchAt(fluxOf(1));
  const y = 50e-6 / 1;
  close(b.henries, 1 / (W * y * Math.cos(Math.PI / 6)));
  close(b.lossOhms, 1 / (y * Math.sin(Math.PI / 6)));
});

test('looks its points up by flux: at 25 Hz the same core reaches a 50 Hz point at half the EMF', () => {
  const c = new ExcitationCurve(CURVE);
  const b = c.branchAt((Math.SQRT2 * 0.05) / (2 * Math.PI * 25));
  assert.equal(b, c.branchAt(fluxOf(0.1)));
});

test('takes the default CT\'s loss angle (20.66 deg) and 50 Hz when the curve gives none', () => {
  const c = new ExcitationCurve({ points: CURVE.points });
  assert.is(c.spec.hz, 50);
  close(c.spec.lossAngleDeg, DEFAULT_LOSS_ANGLE_DEG);
  assert.ok(Math.abs(DEFAULT_LOSS_ANGLE_DEG - 20.66) < 0.01);
});

const bad: Array<[string, unknown, RegExp]> = [
  ['one point', { points: [[0.01, 2e-6]] }, /^ct\.excitation\.points needs at least two points/],
  ['a falling EMF', { points: [[0.01, 2e-6], [0.005, 5e-6]] }, /^ct\.excitation\.points\[1\]: the EMF 0\.005 V is not above/],
  ['a falling current', { points: [[0.01, 2e-6], [0.1, 1e-6]] }, /^ct\.excitation\.points\[1\]: the exciting current 0\.000001 A is not above/],
  ['a negative EMF', { points: [[-0.01, 2e-6], [0.1, 5e-6]] }, /^ct\.excitation\.points\[0\]: the EMF must be a positive number of volts, got -0\.01/],
  ['a negative current', { points: [[0.01, -2e-6], [0.1, 5e-6]] }, /^ct\.excitation\.points\[0\]: the exciting current must be a positive number of amps/],
  ['a point that is not a pair', { points: [[0.01], [0.1, 5e-6]] }, /^ct\.excitation\.points\[0\] must be a pair/],
  ['a loss angle of 90 deg', { ...CURVE, lossAngleDeg: 90 }, /^ct\.excitation\.lossAngleDeg must be a number of degrees above 0 and below 90/],
  ['a zero frequency', { ...CURVE, hz: 0 }, /^ct\.excitation\.hz must be a positive number/],
  ['an unknown field', { ...CURVE, knee: 4 }, /^ct\.excitation\.knee: unknown field/],
];
for (const [what, spec, re] of bad) {
  test(`refuses ${what} with one line naming the field`, () => {
    try { new ExcitationCurve(spec); assert.unreachable('accepted'); } catch (err) {
      assert.instance(err, Error);
      assert.match((err as Error).message, re);
      assert.not.match((err as Error).message, /\n/);
    }
  });
}

test.run();
