import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CurrentTransformer } from './current-transformer.ts';
import { cabs, carg } from './impedance.ts';

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

test.run();
