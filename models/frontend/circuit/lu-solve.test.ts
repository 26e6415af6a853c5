import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { SingularError, luSolve } from './lu-solve.ts';
import { type C, abs, mul, add, sub } from './complex.ts';

/** mulberry32: a seeded generator, so every run draws the same systems. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vector = (r: () => number, n: number): C[] => Array.from({ length: n }, () => ({ re: r() * 2 - 1, im: r() * 2 - 1 }));
const draw = (r: () => number, rows: number, n = rows): C[][] => Array.from({ length: rows }, () => vector(r, n));

test('agrees with mathjs lup + lusolve (the solve it replaced) to 1e-12 on random complex systems of 2 to 26 unknowns', () => {
  const m = createRequire(import.meta.url)('mathjs') as typeof import('mathjs');
  const r = rng(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = 2 + (trial % 25);
    const A = draw(r, n), b = vector(r, n);
    const lu = m.lup(A.map((row) => row.map((v) => m.complex(v.re, v.im))));
    const want = (m.lusolve(lu, b.map((v) => m.complex(v.re, v.im))).valueOf() as unknown as { re: number; im: number }[][])
      .map(([v]) => ({ re: v.re, im: v.im }));
    const [got] = luSolve(A, [b]);
    for (let i = 0; i < n; i++) {
      assert.ok(abs(sub(got[i], want[i])) <= 1e-12 * abs(want[i]), `n ${n}, x[${i}]: ${JSON.stringify(got[i])} vs ${JSON.stringify(want[i])}`);
    }
  }
});

test('the solution satisfies A x = b to 1e-12 for every right-hand side of one factorisation', () => {
  const r = rng(11);
  const n = 25;
  const A = draw(r, n), Bs = draw(r, 3, n);
  const Xs = luSolve(A, Bs);
  Xs.forEach((x, k) => {
    for (let i = 0; i < n; i++) {
      let s: C = { re: 0, im: 0 };
      for (let j = 0; j < n; j++) s = add(s, mul(A[i][j], x[j]));
      assert.ok(abs(sub(s, Bs[k][i])) <= 1e-12, `rhs ${k}, row ${i}`);
    }
  });
});

test('a zero on the diagonal is pivoted round: [[0, 1], [1, 0]] x = [2, 3] gives x = [3, 2]', () => {
  const z = { re: 0, im: 0 }, one = { re: 1, im: 0 };
  const [x] = luSolve([[z, one], [one, z]], [[{ re: 2, im: 0 }, { re: 3, im: 0 }]]);
  assert.equal(x, [{ re: 3, im: 0 }, { re: 2, im: 0 }]);
});

test('a singular system is a SingularError naming the column whose pivot vanished', () => {
  const one = { re: 1, im: 0 }, two = { re: 2, im: 0 }, z = { re: 0, im: 0 };
  // Unknowns 1 and 2 appear only as their sum (columns 1 and 2 equal): column 2's pivot vanishes.
  const A = [[one, z, z], [z, one, one], [z, two, two]];
  assert.throws(() => luSolve(A, [[one, one, two]]), (e: unknown) => e instanceof SingularError && e.row === 2);
});

test.run();
