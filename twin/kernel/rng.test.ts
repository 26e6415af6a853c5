import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from './rng.ts';

test('the same seed gives the same sequence', () => {
  const a = new Rng(42), b = new Rng(42);
  for (let i = 0; i < 100; i++) assert.is(a.nextUint32(), b.nextUint32());
});

test('different seeds give different sequences', () => {
  const a = new Rng(1), b = new Rng(2);
  let same = 0;
  for (let i = 0; i < 100; i++) if (a.nextUint32() === b.nextUint32()) same++;
  assert.ok(same < 3);
});

test('uniform numbers stay in [0, 1) and average one half', () => {
  const r = new Rng(7);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) { const x = r.next(); assert.ok(x >= 0 && x < 1); sum += x; }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.005);
});

test('normal deviates have the asked mean and sigma', () => {
  const r = new Rng(9);
  const n = 200_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const x = r.normal(3, 2); s += x; s2 += x * x; }
  const mean = s / n, sd = Math.sqrt(s2 / n - mean * mean);
  assert.ok(Math.abs(mean - 3) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(sd - 2) < 0.02, `sd ${sd}`);
});

test('forks are independent of the parent draw order', () => {
  const a = new Rng(5); a.next(); a.next();
  const b = new Rng(5);
  assert.is(a.fork('plant').nextUint32(), b.fork('plant').nextUint32());
  assert.is.not(a.fork('plant').nextUint32(), a.fork('meter').nextUint32());
});

test.run();
