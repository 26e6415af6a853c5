import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DOCS_SECRET_KEY, DOCS_STARTING_CODE, generateToken, toRestrictedDigits } from '../../tokens/opaygo.ts';
import { resolveOpaygoConfig } from './config.ts';
import { GetDataFromToken } from './decoder.ts';
import { opaygoUnit, tok } from '../../../test/support/opaygo.ts';

const CONFIG = resolveOpaygoConfig();

/** Decode a list of tokens in turn on one unit; the values returned. */
function decodeAll(profile: 'field' | 'fixed', tokens: string[]): number[] {
  const u = opaygoUnit({ profile });
  return tokens.map((t) => GetDataFromToken(u.fw, Number(t), CONFIG).Value);
}

const ADDS_THEN_REPLAY = [tok(10, 2), tok(20, 4), tok(30, 6), tok(10, 2)];

test('field links the C decoder: after three ADD tokens the first one is accepted again', () => {
  assert.equal(decodeAll('field', ADDS_THEN_REPLAY), [10, 20, 30, 10]);
});

test('fixed links the spec decoder: the replay is refused as used (-2)', () => {
  assert.equal(decodeAll('fixed', ADDS_THEN_REPLAY), [10, 20, 30, -2]);
});

test('the decoder updates TokenCount and UsedTokens as the firmware state (docs/firmware.md §6.3 vectors)', () => {
  const u = opaygoUnit({ profile: 'field' });
  const seq: [string, number, number, number, number][] = [
    ['940641799', 10, 2, 2, 0x0001], ['446035794', 5, 3, 3, 0xffff], ['857598809', 20, 4, 4, 0x8001],
    ['942433796', 7, 5, 5, 0xffff], ['379569788', 999, 6, 6, 0xffff], ['650975787', 998, 7, 7, 0xffff],
  ];
  for (const [t, value, count, max, used] of seq) {
    assert.equal(GetDataFromToken(u.fw, Number(t), CONFIG), { Value: value, Count: count });
    assert.is(u.s.TokenCount, max);
    assert.is(u.s.UsedTokens, used);
  }
  assert.equal(GetDataFromToken(u.fw, 940641799, CONFIG), { Value: -2, Count: 7 });
});

test('the token 0 and numbers of ten digits or more are invalid (-1) and leave the state alone', () => {
  const u = opaygoUnit();
  assert.equal(GetDataFromToken(u.fw, 0, CONFIG), { Value: -1, Count: 1 });
  assert.equal(GetDataFromToken(u.fw, 1_234_567_890, CONFIG), { Value: -1, Count: 1 });
  assert.is(u.s.TokenCount, 1);
  assert.is(u.s.UsedTokens, 0);
});

test('the decoder search costs CPU time: one chain step per count tried (a miss tries TokenCount + 65 counts)', () => {
  const u = opaygoUnit();
  const t0 = u.cpu.nowUs();
  GetDataFromToken(u.fw, 111111111, CONFIG);
  assert.is(u.cpu.nowUs() - t0, (1 + 64 + 1) * CONFIG.chainStepUs);
});

const RESTRICTED = resolveOpaygoConfig({ restrictedDigitSet: true });

test('D42: a build with the restricted digit set rejects every 15-digit token (the decoder never sees the define)', () => {
  const u = opaygoUnit({ profile: 'field' });
  const t = toRestrictedDigits(Number(tok(10, 2)));
  assert.is(t.length, 15);
  assert.is(GetDataFromToken(u.fw, Number(t), RESTRICTED).Value, -1);
});

test('D42 fixed: the same 15-digit token is converted and accepted', () => {
  const u = opaygoUnit({ profile: 'field', fix: ['D42'] });
  const t = toRestrictedDigits(Number(tok(10, 2)));
  assert.equal(GetDataFromToken(u.fw, Number(t), RESTRICTED), { Value: 10, Count: 2 });
});

test('D43: the quick-start guide\'s tokens (docs key 47a0…, starting code 407592873) are invalid on the firmware key', () => {
  const guide = ['287923874', '743630903', '844231880', '304054873'];
  assert.equal(decodeAll('field', guide), [-1, -1, -1, -1]);
  // made for the docs' key they are fine tokens: the firmware simply has another key (§6.1)
  assert.is(generateToken({ key: DOCS_SECRET_KEY, startingCode: DOCS_STARTING_CODE, value: 1, count: 2 }), guide[0]);
});

test('D43 (documentation): configured with the docs\' key, the firmware accepts the guide\'s tokens', () => {
  const u = opaygoUnit({ profile: 'field' });
  const docs = resolveOpaygoConfig({ secretKey: DOCS_SECRET_KEY, startingCode: DOCS_STARTING_CODE });
  assert.equal(GetDataFromToken(u.fw, 287923874, docs), { Value: 1, Count: 2 });
});

test('bad OpenPAYGO options are refused with a message naming the option', () => {
  assert.throws(() => resolveOpaygoConfig({ secretKey: 'xyz' }), /secretKey: secret key must be 32 hex characters/);
  assert.throws(() => resolveOpaygoConfig({ startingCode: -1 }), /startingCode must be a whole number 0\.\.999999999/);
  assert.throws(() => resolveOpaygoConfig({ decoder: 'c' as never }), /decoder must be one of profile, spec, shipped/);
  assert.throws(() => resolveOpaygoConfig({ keyPoll: 5 } as never), /unknown OpenPAYGO option 'keyPoll'/);
});

test.run();
