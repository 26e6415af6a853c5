import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../kernel/rng.ts';
import {
  COUNTER_SYNC_VALUE, DOCS_SECRET_KEY, DOCS_STARTING_CODE, FIRMWARE_INITIAL_STATE, FIRMWARE_SECRET_KEY,
  FIRMWARE_STARTING_CODE, decodeToken, encodeBase, fromRestrictedDigits, generateToken, nextToken, parseKey,
  putBaseInToken, toRestrictedDigits, type DecoderBehaviour, type DecoderState, type DecodeResult,
} from './opaygo.ts';

const FW = { key: FIRMWARE_SECRET_KEY, startingCode: FIRMWARE_STARTING_CODE };
const DOCS = { key: DOCS_SECRET_KEY, startingCode: DOCS_STARTING_CODE };
const BEHAVIOURS: DecoderBehaviour[] = ['spec', 'shipped'];

/** Enters tokens one after the other, carrying the state; returns every result. */
function enter(tokens: string[], start: DecoderState, opts: { key: string; startingCode: number; behaviour: DecoderBehaviour }): DecodeResult[] {
  let s = start;
  return tokens.map((t) => {
    const r = decodeToken(t, s, opts);
    s = { maxCount: r.maxCountAfter, usedCounts: r.usedCountsAfter };
    return r;
  });
}
const row = (r: DecodeResult): [number, number, number, number] => [r.value, r.count, r.maxCountAfter, r.usedCountsAfter];

test('shipped decoder reproduces the §6.3 firmware-key table (ADD 10, SET 5, ADD 20, SET 7, sync, disable, replay)', () => {
  const got = enter(['940641799', '446035794', '857598809', '942433796', '379569788', '650975787', '940641799'],
    FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'shipped' }).map(row);
  assert.equal(got, [
    [10, 2, 2, 0x0001], [5, 3, 3, 0xffff], [20, 4, 4, 0x8001], [7, 5, 5, 0xffff],
    [999, 6, 6, 0xffff], [998, 7, 7, 0xffff], [-2, 7, 7, 0xffff],
  ]);
});

test('refuses the count-1 token 643134790 with -2 on a fresh meter, whose TokenCount is already 1', () => {
  for (const behaviour of BEHAVIOURS) {
    assert.equal(row(decodeToken('643134790', FIRMWARE_INITIAL_STATE, { ...FW, behaviour })), [-2, 1, 1, 0], behaviour);
  }
});

test('gives -1 for the all-zero token the firmware assembles when no key is pressed', () => {
  for (const behaviour of BEHAVIOURS) {
    assert.equal(row(decodeToken('000000000', FIRMWARE_INITIAL_STATE, { ...FW, behaviour })), [-1, 1, 1, 0], behaviour);
  }
});

test('shipped decoder reproduces the §6.3 docs-key table in order (used counts stay 0x0002)', () => {
  const got = enter(['287923874', '743630903', '844231880', '304054873'], FIRMWARE_INITIAL_STATE,
    { ...DOCS, behaviour: 'shipped' }).map(row);
  assert.equal(got, [[1, 2, 2, 0x0001], [30, 4, 4, 0x0002], [7, 6, 6, 0x0002], [0, 8, 8, 0x0002]]);
});

test('accepts the four docs tokens out of order (8, 6, 4, 2) ending at 8 / 0x006A under both behaviours', () => {
  for (const behaviour of BEHAVIOURS) {
    const got = enter(['304054873', '844231880', '743630903', '287923874'], FIRMWARE_INITIAL_STATE, { ...DOCS, behaviour });
    assert.equal(got.map((r) => r.count), [8, 6, 4, 2], behaviour);
    assert.equal(row(got[3]!).slice(2), [8, 0x006a], behaviour);
  }
});

test('gives -1 for every docs token on the shipped firmware key (defect D43)', () => {
  for (const t of ['287923874', '743630903', '844231880', '304054873']) {
    assert.is(decodeToken(t, FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'shipped' }).value, -1, t);
  }
});

test('shipped accepts an ADD older than a SET again once a newer ADD is entered; spec refuses it', () => {
  const seq = ['940641799', '446035794', '857598809', '940641799'];
  const shipped = enter(seq, FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'shipped' });
  const spec = enter(seq, FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'spec' });
  assert.equal([shipped[3]!.value, shipped[3]!.count], [10, 2]);
  assert.equal(row(spec[3]!), [-2, 4, 4, 0xffff]);
});

test('spec keeps the shifted used mask where the shipped MarkCountAsUsed loop loses it (0xFFFF vs 0x8001)', () => {
  const seq = ['940641799', '446035794', '857598809'];
  assert.is(enter(seq, FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'spec' })[2]!.usedCountsAfter, 0xffff);
  assert.is(enter(seq, FIRMWARE_INITIAL_STATE, { ...FW, behaviour: 'shipped' })[2]!.usedCountsAfter, 0x8001);
});

test('does not mutate the state passed in', () => {
  const state = { maxCount: 1, usedCounts: 0 };
  decodeToken('940641799', state, { ...FW, behaviour: 'shipped' });
  decodeToken('940641799', state, { ...FW, behaviour: 'spec' });
  assert.equal(state, { maxCount: 1, usedCounts: 0 });
});

test('generates the §6.3 firmware-key tokens from (value, count)', () => {
  const pairs: Array<[number, number, string]> = [[10, 2, '940641799'], [5, 3, '446035794'], [20, 4, '857598809'],
    [7, 5, '942433796'], [999, 6, '379569788'], [998, 7, '650975787'], [1, 1, '643134790']];
  for (const [value, count, token] of pairs) assert.is(generateToken({ ...FW, value, count }), token, `${value}/${count}`);
});

test('generates the starting code itself (base replaced) as the count-0 token', () => {
  assert.is(generateToken({ ...FW, value: 0, count: 0 }), '123456789');
  assert.is(generateToken({ ...FW, value: 11, count: 0 }), '123456800');
});

test('chains on the unmasked value: token(c+1) base-replaces next(T(c)), not next(token(c))', () => {
  const tb = encodeBase(FIRMWARE_STARTING_CODE, 10);
  const t1 = nextToken(putBaseInToken(FIRMWARE_STARTING_CODE, tb), FIRMWARE_SECRET_KEY);
  const t2 = nextToken(t1, FIRMWARE_SECRET_KEY);
  assert.is(generateToken({ ...FW, value: 10, count: 2 }), String(putBaseInToken(t2, tb)).padStart(9, '0'));
});

test('round-trips 200 seeded (value, count) pairs through generate and decode under both behaviours', () => {
  const rng = new Rng(6);
  for (let i = 0; i < 200; i++) {
    const value = rng.int(0, 999);
    const count = rng.int(1, 64);
    const jump = rng.int(1, Math.min(count, 64));
    const state = { maxCount: count - jump, usedCounts: rng.int(0, 0xffff) };
    const restricted = i % 4 === 0;
    const token = generateToken({ ...FW, value, count, restricted });
    for (const behaviour of BEHAVIOURS) {
      const r = decodeToken(token, state, { ...FW, behaviour, restricted });
      assert.equal([r.value, r.count], [value, count], `${behaviour} value ${value} count ${count} from ${state.maxCount}`);
      assert.is(r.maxCountAfter, count);
    }
  }
});

test('accepts the count-0 sync "reset token" while MaxCount < 64, and gives -2 from 64', () => {
  const reset = generateToken({ ...FW, value: COUNTER_SYNC_VALUE, count: 0 });
  for (const behaviour of BEHAVIOURS) {
    assert.equal(row(decodeToken(reset, { maxCount: 63, usedCounts: 0 }, { ...FW, behaviour })), [999, 0, 63, 0xffff], behaviour);
    assert.equal(row(decodeToken(reset, { maxCount: 64, usedCounts: 0 }, { ...FW, behaviour })), [-2, 64, 64, 0], behaviour);
  }
});

test('accepts a jump of exactly +64 and gives -1 at +65', () => {
  for (const behaviour of BEHAVIOURS) {
    assert.is(decodeToken(generateToken({ ...FW, value: 3, count: 74 }), { maxCount: 10, usedCounts: 0 }, { ...FW, behaviour }).count, 74);
    assert.is(decodeToken(generateToken({ ...FW, value: 3, count: 75 }), { maxCount: 10, usedCounts: 0 }, { ...FW, behaviour }).value, -1);
  }
});

test('shipped truncates MaxCount and Count to 16 bits past 65535; spec never accepts a count above 65535', () => {
  const key = parseKey(FIRMWARE_SECRET_KEY);
  const tb = encodeBase(FIRMWARE_STARTING_CODE, 10);
  let t = putBaseInToken(FIRMWARE_STARTING_CODE, tb);
  for (let c = 0; c < 65538; c++) t = nextToken(t, key);
  const token = String(putBaseInToken(t, tb)).padStart(9, '0');
  const state = { maxCount: 65530, usedCounts: 0 };
  const shipped = decodeToken(token, state, { ...FW, behaviour: 'shipped' });
  assert.equal([shipped.value, shipped.count, shipped.maxCountAfter], [10, 2, 2]);
  // This chain (firmware key, value 10) cycles with period 1976: count 63562 holds the same token. The spec decoder
  // finds that old count (not acceptable, -2) and stops at 65535, leaving the state unchanged.
  assert.equal(row(decodeToken(token, state, { ...FW, behaviour: 'spec' })), [-2, 65530, 65530, 0]);
});

test('shipped without the restricted flag compares a 15-digit input as uint64 and never matches (D42)', () => {
  const r = decodeToken('431134123231121', { maxCount: 0, usedCounts: 0 }, { ...FW, behaviour: 'shipped' });
  assert.equal(row(r), [-1, 0, 0, 0]);
  assert.equal(row(decodeToken('431134123231121', { maxCount: 0, usedCounts: 0 }, { ...FW, behaviour: 'shipped', restricted: true })), [7, 5, 5, 0xffff]);
});

test('converts 942433796 to the restricted digit set 431134123231121 and back', () => {
  assert.is(toRestrictedDigits(942433796), '431134123231121');
  assert.is(fromRestrictedDigits('431134123231121'), 942433796);
});

test('round-trips 500 seeded 30-bit numbers through the restricted digit set using only digits 1-4', () => {
  const rng = new Rng(30);
  for (let i = 0; i < 500; i++) {
    const n = rng.nextUint32() >>> 2;
    const s = toRestrictedDigits(n);
    assert.ok(/^[1-4]{15}$/.test(s), s);
    assert.is(fromRestrictedDigits(s), n);
  }
});

test('gives -1 for a restricted token converting to 10^9 or more (it can never match)', () => {
  const big = toRestrictedDigits(2 ** 30 - 1); // 444444444444444
  for (const behaviour of BEHAVIOURS) {
    assert.is(decodeToken(big, { maxCount: 0, usedCounts: 0 }, { ...FW, behaviour, restricted: true }).value, -1, behaviour);
  }
});

test('refuses malformed tokens, keys, states and behaviours with clear messages', () => {
  const st = FIRMWARE_INITIAL_STATE;
  assert.throws(() => decodeToken('', st, FW), /token is empty/);
  assert.throws(() => decodeToken('94064179x', st, FW), /only the digits 0-9/);
  assert.throws(() => decodeToken('94064179', st, FW), /must have 9 digits, got 8/);
  assert.throws(() => decodeToken('431134123231121', st, FW), /must have 9 digits, got 15/);
  assert.throws(() => decodeToken('940641799', st, { ...FW, restricted: true }), /must have 15 digits, got 9/);
  assert.throws(() => decodeToken('940641799', st, { ...FW, key: 'a29a' }), /32 hex characters/);
  assert.throws(() => decodeToken('940641799', { maxCount: 70000, usedCounts: 0 }, FW), /maxCount must be an integer 0..65535/);
  assert.throws(() => decodeToken('940641799', st, { ...FW, behaviour: 'fixed' as DecoderBehaviour }), /"spec" or "shipped"/);
  assert.throws(() => generateToken({ ...FW, value: 1000, count: 2 }), /value must be an integer 0..999/);
  assert.throws(() => generateToken({ ...FW, value: 1, count: -1 }), /count must be an integer/);
  assert.throws(() => decodeToken(940641799 as unknown as string, st, FW), /token must be a string/);
});

test('accepts a key written as spaced bytes, as in main.cpp', () => {
  assert.equal(parseKey('a2 9a b8 2e dc 5f bb c4 1e c9 53 0f 6d ac 86 b1'), parseKey(FIRMWARE_SECRET_KEY));
});

test.run();
