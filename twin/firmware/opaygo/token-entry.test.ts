import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addToToken } from './token-entry.ts';
import { NO_KEY_DIGIT } from './keys.ts';

/** The nine additions `TempToken += key * pow(10, 8 - i)` of WaitForTokenEntry (D38). */
function nineReads(keys: number[]): number {
  let t = 0;
  keys.forEach((k, i) => { t = addToToken(t, k, 8 - i); });
  return t;
}

test('D38: nine polls without a key give the token 0 (a negative double converts to 0)', () => {
  assert.is(nineReads(Array(9).fill(NO_KEY_DIGIT)), 0);
});

test('D38: nine keys landing on the nine polls give the typed number', () => {
  assert.is(nineReads([9, 4, 0, 6, 4, 1, 7, 9, 9]), 940641799);
});

test('D38: a key caught on the third poll, then none, leaves 7e6 less the later -48 steps', () => {
  const N = NO_KEY_DIGIT;
  // 0, 0, 7 000 000, then -4 800 000, -480 000, -48 000, -4 800, -480, -48
  assert.is(nineReads([N, N, 7, N, N, N, N, N, N]), 1_666_672);
});

test('addToToken truncates toward zero as the double → uint64 conversion does', () => {
  assert.is(addToToken(10, -0.5, 0), 9);
  assert.is(addToToken(0, -1, 0), 0);
});

test.run();
