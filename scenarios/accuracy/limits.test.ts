// The limits table: lookups against the class-1 rows of docs/accuracy-tests.md.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLASS_1_LIMITS, PF_05L, PF_08C, PF_1, creepMinutes, errorLimit } from './limits.ts';
import { OSM_RATINGS } from './ratings.ts';

const L = CLASS_1_LIMITS;
const R = OSM_RATINGS;

test('allows ±1.5 % at PF 1 from 0.05 Ib up to (not including) 0.1 Ib', () => {
  assert.is(errorLimit(L, R, 0.25, PF_1).percent, 1.5);
  assert.is(errorLimit(L, R, 0.49, PF_1).percent, 1.5);
});

test('allows ±1.0 % at PF 1 from 0.1 Ib up to and including Imax', () => {
  assert.is(errorLimit(L, R, 0.5, PF_1).percent, 1.0);
  assert.is(errorLimit(L, R, 80, PF_1).percent, 1.0);
});

test('allows ±1.5 % at 0.5L and 0.8C from 0.1 Ib up to (not including) 0.2 Ib, ±1.0 % from 0.2 Ib to Imax', () => {
  assert.is(errorLimit(L, R, 0.5, PF_05L).percent, 1.5);
  assert.is(errorLimit(L, R, 0.5, PF_08C).percent, 1.5);
  assert.is(errorLimit(L, R, 1, PF_05L).percent, 1.0);
  assert.is(errorLimit(L, R, 80, PF_08C).percent, 1.0);
});

test('has no limit below 0.05 Ib at PF 1, below 0.1 Ib at 0.5L, or above Imax, and says what the table covers', () => {
  assert.throws(() => errorLimit(L, R, 0.2, PF_1), /no class 1 error limit for 0.2 A at PF 1 .*0.05 Ib/);
  assert.throws(() => errorLimit(L, R, 0.25, PF_05L), /at PF 0.5L/);
  assert.throws(() => errorLimit(L, R, 80.5, PF_1), /80.5 A/);
});

test('has no limit for a power factor the table does not list', () => {
  assert.throws(() => errorLimit(L, R, 5, { value: 0.8, kind: 'inductive' }), /PF 0.8L/);
});

test('rejects a current that is not a positive number with a clear message', () => {
  assert.throws(() => errorLimit(L, R, Number.NaN, PF_1), /current must be a number of amps > 0/);
  assert.throws(() => errorLimit(L, R, -1, PF_1), /current must be a number of amps > 0/);
});

test('gives the creep duration 600e6 / (k m Un Imax) minutes: about 33 min at 1000 imp/kWh and 230 V', () => {
  assert.ok(Math.abs(creepMinutes(L, { ...R, Un: 230 }, 1000) - 600e6 / (1000 * 230 * 80)) < 1e-12);
  assert.ok(Math.abs(creepMinutes(L, { ...R, Un: 230 }, 1000) - 32.6) < 0.1);
  assert.throws(() => creepMinutes(L, R, 0), /meter constant must be > 0/);
});

test.run();
