import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sipHash24, sipHash24Halves } from './siphash.ts';

// Key 00..0f; message i = bytes 00..(i-1). Outputs from the SipHash paper's reference test vectors (Appendix A and
// the reference implementation's vectors table), written as 64-bit numbers.
const KEY = Uint8Array.from({ length: 16 }, (_, i) => i);
const message = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i);
const PAPER: Array<[number, bigint]> = [
  [0, 0x726fdb47dd0e0e31n], [1, 0x74f839c593dc67fdn], [2, 0x0d6c8009d9a94f5an], [3, 0x85676696d7fb7e2dn],
  [4, 0xcf2794e0277187b7n], [5, 0x18765564cd99a68dn], [6, 0xcbc9466e58fee3cen], [7, 0xab0200f58b01d137n],
  [8, 0x93f5f5799a932462n], [9, 0x9e0082df0ba9e4b0n], [10, 0x7a5dbbc594ddb9f3n], [11, 0xf4b32f46226bada7n],
  [12, 0x751e8fbc860ee5fbn], [13, 0x14ea5627c0843d90n], [14, 0xf723ca908e7af2een], [16, 0x3f2acc7f57c29bdbn],
  [17, 0x699ae9f52cbe4794n], [31, 0x32d892fad841c342n], [32, 0x7127512f72f27ccen], [63, 0x958a324ceb064572n],
];

test('hashes the paper example (key 00..0f, message 00..0e) to 0xa129ca6149be45e5', () => {
  assert.is(sipHash24(KEY, message(15)), 0xa129ca6149be45e5n);
});

test('matches the reference vectors table for message lengths 0-17, 31, 32 and 63', () => {
  for (const [n, want] of PAPER) assert.is(sipHash24(KEY, message(n)), want, `length ${n}`);
});

test('returns the high and low 32-bit halves of the same 64-bit hash', () => {
  const h = sipHash24Halves(KEY, message(15));
  assert.is(h.hi, 0xa129ca61);
  assert.is(h.lo, 0x49be45e5);
});

test('changes the hash when one key bit changes', () => {
  const k2 = KEY.slice(); k2[15] = k2[15]! ^ 1;
  assert.is.not(sipHash24(k2, message(15)), sipHash24(KEY, message(15)));
});

test('refuses a key that is not 16 bytes with a clear message', () => {
  assert.throws(() => sipHash24(new Uint8Array(15), message(1)), /16 bytes, got 15 bytes/);
});

test.run();
