import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../kernel/rng.ts';
import {
  STS_AMOUNT_RULES, atol, decodeSts, encodeSts, encodeStsRandom, type StsEncoder, type StsIdentifier,
} from './sts.ts';

// docs/firmware.md §5.6, worked examples for the default meter (MT100, key 109, tariff 1).
test('accepts worked example 1 (10913015110000A10001) with +125', () => {
  const r = decodeSts('10913015110000A10001');
  assert.equal([r.accepted, r.credit], [true, 125]);
  assert.equal([r.fields.K3, r.fields.m, r.fields.meterNoCount, r.fields.day, r.fields.amountDigits, r.fields.filler],
    [109, 1, 3, 15, '100', '00']);
});

test('accepts worked example 2 (21823704325000C10050) with +2539', () => {
  assert.equal([decodeSts('21823704325000C10050').accepted, decodeSts('21823704325000C10050').credit], [true, 2539]);
});

test('accepts worked example 3 (43643928212345B10100) with +12415', () => {
  const r = decodeSts('43643928212345B10100');
  assert.equal([r.accepted, r.credit, r.fields.trueMeterNo], [true, 12415, 100]);
});

test('accepts the server-style example 4 (32733514147542A10070) with +500, the paid amount', () => {
  assert.equal([decodeSts('32733514147542A10070').accepted, decodeSts('32733514147542A10070').credit], [true, 500]);
});

test('rejects A with e = 3 (10913015310000A10001): 39/15 = 2.6, defect D9', () => {
  const r = decodeSts('10913015310000A10001');
  assert.equal([r.accepted, r.credit, r.headerPassed, r.amountCheck], [false, 0, true, 'fail']);
  assert.match(r.reason, /D9/);
});

test('rejects meter 99 (...A10000) and meter 101 (...A10101) at tariff 1', () => {
  for (const [t, mt] of [['10913015110000A10000', 99], ['10913015110000A10101', 101]] as const) {
    const r = decodeSts(t);
    assert.equal([r.accepted, r.headerPassed, r.fields.trueMeterNo], [false, false, mt], t);
    assert.match(r.reason, new RegExp(`= ${mt}, not meter 100`));
  }
});

test('rejects m = 0 (10903015110000A10001): the division by zero gives key 0', () => {
  const r = decodeSts('10903015110000A10001');
  assert.equal([r.accepted, r.fields.confirmKey], [false, 0]);
  assert.match(r.reason, /m = 0/);
});

test('accepts every K3 in [109m, 109m + m - 1] and refuses 109m + m (K3 / m truncates)', () => {
  for (let m = 1; m <= 9; m++) {
    for (let k3 = 109 * m; k3 <= 109 * m + m - 1; k3++) assert.ok(decodeSts(`${k3}${m}3015110000A10001`).accepted, `${k3}/${m}`);
    if (109 * m + m <= 999) assert.not.ok(decodeSts(`${109 * m + m}${m}3015110000A10001`).accepted, `${109 * m + m}/${m}`);
  }
});

test('moves the meter window with the runtime tariff: 10070 accepted up to tariff 70, refused at 71 (D10)', () => {
  assert.ok(decodeSts('32733514147542A10070', { tariff: 70 }).accepted);
  assert.not.ok(decodeSts('32733514147542A10070', { tariff: 71 }).accepted);
  assert.ok(decodeSts('10913015110000A10000', { tariff: 0 }).accepted);
});

test('requires the meter-number digit count 3', () => {
  const r = decodeSts('10914015110000A10001');
  assert.not.ok(r.accepted);
  assert.match(r.reason, /digit count 4 is not 3/);
});

test('reads the amount with atol, stopping at a letter typed inside it (1A0 reads as 1, credit 26)', () => {
  const r = decodeSts('1091301511A000A10001');
  assert.equal([r.accepted, r.fields.topup, r.credit], [true, 1, 26]);
});

test('runs no amount branch for an identifier other than A/B/C or an encoder outside 1-3', () => {
  const id = decodeSts('10913015110000010001');
  assert.equal([id.accepted, id.headerPassed, id.amountCheck, id.topupnew], [false, true, 'none', null]);
  const e0 = decodeSts('10913015010000A10001');
  assert.equal([e0.accepted, e0.amountCheck], [false, 'none']);
});

test('atol clamps at 2147483647 and stops at the first non-digit', () => {
  assert.is(atol('99999999999999999999'), 2147483647);
  assert.is(atol('12A3'), 12);
  assert.is(atol('A12'), 0);
});

test('encodes worked example 1 and 2 from their fields', () => {
  assert.is(encodeSts({ amount: 125, location: 0, day: 15 }), '10913015110000A10001');
  assert.is(encodeSts({ amount: 2539, identifier: 'C', encoder: 3, keyMultiplier: 2, location: 7, day: 4, tariff: 50 }),
    '21823704325000C10050');
});

test('round-trips generate → decode for every identifier/encoder the firmware accepts, crediting the paid amount', () => {
  const rng = new Rng(20);
  const combos: Array<[StsIdentifier, StsEncoder]> = [['A', 1], ['A', 2], ['C', 1], ['C', 2], ['C', 3], ['B', 1], ['B', 2], ['B', 3]];
  for (const [identifier, encoder] of combos) {
    const { digits, rules } = STS_AMOUNT_RULES[identifier];
    const offset = rules[encoder].offset;
    for (let i = 0; i < 25; i++) {
      const amount = offset + rng.int(0, 10 ** digits - 1);
      const m = rng.int(1, 9);
      const token = encodeSts({
        amount, identifier, encoder, keyMultiplier: m, k3: 109 * m + rng.int(0, m - 1), location: rng.int(0, 9),
        day: rng.int(1, 31), tariff: rng.int(1, 99),
      });
      const r = decodeSts(token);
      assert.equal([r.accepted, r.credit, r.fields.identifier], [true, amount, identifier], `${identifier}/e=${encoder} ${token}: ${r.reason}`);
    }
  }
});

test('round-trips seeded random tokens (server-style digits) for amounts 25..100098', () => {
  const rng = new Rng(7);
  for (let i = 0; i < 300; i++) {
    const amount = i % 3 === 0 ? rng.int(25, 999) : i % 3 === 1 ? rng.int(1000, 9999) : rng.int(10000, 100000);
    const token = encodeStsRandom({ amount, tariff: 70 }, rng);
    const r = decodeSts(token);
    assert.equal([r.accepted, r.credit], [true, amount], `${amount} ${token}: ${r.reason}`);
  }
});

test('gives the same token for the same seed', () => {
  assert.is(encodeStsRandom({ amount: 750 }, new Rng(42)), encodeStsRandom({ amount: 750 }, new Rng(42)));
});

test('refuses A with encoder 3, which the firmware can never accept (D9)', () => {
  assert.throws(() => encodeSts({ amount: 500, identifier: 'A', encoder: 3 }), /never be accepted.*D9/);
});

test('refuses amounts the identifier and encoder cannot carry, and bad digits, with clear messages', () => {
  assert.throws(() => encodeSts({ amount: 20, identifier: 'A', encoder: 1 }), /amount must be 25\.\.1024/);
  assert.throws(() => encodeSts({ amount: 99999 + 99 + 1 }), /amount must be an integer/);
  assert.throws(() => encodeSts({ amount: 500, keyMultiplier: 0 }), /key multiplier m must be an integer 1\.\.9/);
  assert.throws(() => encodeSts({ amount: 500, keyMultiplier: 2, k3: 220 }), /K3 must be an integer 218\.\.219/);
  assert.throws(() => encodeSts({ amount: 500, filler: '1' }), /filler for identifier A must be 2 digits/);
  assert.throws(() => encodeSts({ amount: 500, identifier: 'D' as StsIdentifier }), /identifier must be A, B or C/);
});

test('refuses malformed tokens to decode with clear messages', () => {
  assert.throws(() => decodeSts(''), /empty/);
  assert.throws(() => decodeSts('1091301511000A10001'), /20 characters, got 19/);
  assert.throws(() => decodeSts('10913015110000a10001'), /0-9, A, B and C/);
  assert.throws(() => decodeSts('10913015110000A1000#'), /0-9, A, B and C/);
  assert.throws(() => decodeSts('10913015110000A10001', { tariff: -1 }), /tariff must be an integer/);
});

test.run();
