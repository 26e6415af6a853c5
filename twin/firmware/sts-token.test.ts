import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../board/board.ts';
import { STStoken_decode, check_tokenused } from './sts-token.ts';
import { createUnit, type Unit } from '../../test/support/firmware-bench.ts';

/** Submits `token` as `#` does with 20 characters typed: used-list check, then decode if not used. */
function submit(u: Unit, token: string): void {
  u.s.sts_data = token;
  check_tokenused(u.fw);
  if (u.s.token_used === 0) STStoken_decode(u.fw);
}

const EXAMPLES: [string, number][] = [
  ['10913015110000A10001', 125],
  ['21823704325000C10050', 2539],
  ['43643928212345B10100', 12415],
  ['32733514147542A10070', 500],
];

for (const [token, added] of EXAMPLES) {
  test(`worked example ${token} is accepted and adds ${added} credit (§5.6)`, () => {
    const u = createUnit();
    u.s.sts_data = token;
    STStoken_decode(u.fw);
    assert.is(u.s.sts_accept, 1);
    assert.is(u.s.creditt, added);
    assert.is(u.eepromLong(9), added);
    assert.is(u.line(0), ' TOKEN ACCEPTED ');
    assert.is(u.line(1), '   VIA KEYPAD   ');
  });
}

// The other identifier and encoder pairs (§5.6 rules): amount + the offset of the pair, whose offset / divisor is e.
for (const [token, added, pair] of [
  ['10913015210000A10001', 150, 'A, e = 2: 100 + 50'],
  ['10913015112345B10001', 12444, 'B, e = 1: 12345 + 99'],
  ['10913015312345B10001', 12405, 'B, e = 3: 12345 + 60'],
  ['10913015125000C10001', 2515, 'C, e = 1: 2500 + 15'],
  ['10913015225000C10001', 2536, 'C, e = 2: 2500 + 36'],
] as const) {
  test(`token ${token} (${pair}) is accepted and adds ${added} credit`, () => {
    const u = createUnit();
    u.s.sts_data = token;
    STStoken_decode(u.fw);
    assert.is(u.s.sts_accept, 1);
    assert.is(u.s.creditt, added);
  });
}

test('the key check divides as C ints: key 219 with multiplier 2 is 109 (truncated) and the token is accepted', () => {
  const u = createUnit();
  u.s.sts_data = '21923704325000C10050';
  STStoken_decode(u.fw);
  assert.is(u.s.confirmkey, 109);
  assert.is(u.s.sts_accept, 1);
  assert.is(u.s.creditt, 2539);
});

for (const [token, why] of [
  ['10913015310000A10001', 'A with e = 3 (39/15 = 2.6)'],
  ['10913015110000A10000', 'meter number 99'],
  ['10913015110000A10101', 'meter number 101'],
  ['10903015110000A10001', 'multiplier 0 (key 0)'],
  ['10914015110000A10001', 'meter number count 4 (this meter is at 3)'],
]) {
  test(`a fresh meter shows INVALID TOKEN and sounds the buzzer for ${why}`, () => {
    const u = createUnit();
    u.s.sts_data = token;
    STStoken_decode(u.fw);
    assert.is(u.s.sts_accept, 0);
    assert.is(u.s.creditt, 0);
    assert.is(u.line(0), '  WARNING!!!!!  ');
    assert.is(u.line(1), '  INVALID TOKEN ');
    assert.is(u.pinLevel(PINS.buzzer), 1);
  });
}

test('accepting a token loses the credit fraction (write, read back, add)', () => {
  const u = createUnit();
  u.s.creditt = Math.fround(10.75);
  u.s.sts_data = '10913015110000A10001';
  STStoken_decode(u.fw);
  assert.is(u.s.creditt, 135);
});

test('D30 fixed: accepting a token keeps the credit fraction (the cell still stores whole units)', () => {
  const u = createUnit({ fix: ['D30'] });
  u.s.creditt = Math.fround(10.75);
  u.s.sts_data = '10913015110000A10001';
  STStoken_decode(u.fw);
  assert.is(u.s.creditt, 135.75);
  assert.is(u.eepromLong(9), 135);
});

test('with D9 fixed an A token with e = 3 is accepted and adds the amount plus 45', () => {
  const u = createUnit({ fix: ['D9'] });
  u.s.sts_data = '10913015310000A10001';
  STStoken_decode(u.fw);
  assert.is(u.s.sts_accept, 1);
  assert.is(u.s.creditt, 145);
});

test('D8: after an accepted token, a token with a bad encoder digit is accepted with the stale amount', () => {
  const u = createUnit();
  u.s.sts_data = '10913015110000A10001';
  STStoken_decode(u.fw);
  u.s.sts_data = '10913015010000A10001'; // e = 0: no branch runs
  STStoken_decode(u.fw);
  assert.is(u.s.creditt, 250);
});

test('D8 fixed: the bad-encoder token after an accepted one is INVALID', () => {
  const u = createUnit({ fix: ['D8'] });
  u.s.sts_data = '10913015110000A10001';
  STStoken_decode(u.fw);
  u.s.sts_data = '10913015010000A10001';
  STStoken_decode(u.fw);
  assert.is(u.s.creditt, 125);
  assert.is(u.line(1), '  INVALID TOKEN ');
});

test('D8: after an accepted token, a token failing the header checks shows no message at all', () => {
  const u = createUnit();
  u.s.sts_data = '10913015110000A10001';
  STStoken_decode(u.fw);
  u.fw.lcd.clear();
  u.s.sts_data = '10913015110000A10000';
  STStoken_decode(u.fw);
  assert.is(u.line(0), ' '.repeat(16));
  assert.is(u.s.creditt, 125);
});

test('D10: with a web tariff of 80 a server token ending 10070 is rejected (window 10080..10179)', () => {
  const u = createUnit();
  u.s.tariff = 80;
  u.s.sts_data = '32733514147542A10070';
  STStoken_decode(u.fw);
  assert.is(u.s.sts_accept, 0);
});

test('D10 fixed: the meter window no longer moves with the web tariff', () => {
  const u = createUnit({ fix: ['D10'] });
  u.s.tariff = 80;
  u.s.sts_data = '32733514147542A10070';
  STStoken_decode(u.fw);
  assert.is(u.s.creditt, 500);
});

test('check_tokenused resets a virgin list pointer to 40 and finds nothing', () => {
  const u = createUnit();
  submit(u, '10913015110000A10001');
  assert.is(u.eepromLong(40), 40);
  assert.is(u.s.token_used, 0);
  assert.is(u.s.creditt, 125);
});

test('D6: an accepted token can be replayed without limit', () => {
  const u = createUnit();
  for (let i = 0; i < 3; i++) {
    submit(u, '10913015110000A10001');
    u.s.sts_accept = 0;
  }
  assert.is(u.s.creditt, 375);
});

test('D6 fixed: the replayed token is reported as USED TOKEN and adds nothing', () => {
  const u = createUnit({ fix: ['D6'] });
  submit(u, '10913015110000A10001');
  u.s.sts_accept = 0;
  u.s.c_chek = 0;
  submit(u, '10913015110000A10001');
  assert.is(u.s.token_used, 1);
  assert.is(u.s.creditt, 125);
  assert.is(u.line(1), '   USED TOKEN   ');
});

test('D6 and D37 fixed: another valid token is still accepted after one is recorded', () => {
  const u = createUnit({ fix: ['D6', 'D37'] });
  submit(u, '10913015110000A10001');
  u.s.sts_accept = 0;
  submit(u, '21823704325000C10050');
  assert.is(u.s.creditt, 125 + 2539);
});

test('D6 fixed, D37 present: after one m >= 2 token is recorded every other m >= 2 token is USED (clamped compare)', () => {
  const u = createUnit({ fix: ['D6'] });
  submit(u, '43643501245072A10001'); // osm sts generate --amount 500
  u.s.sts_accept = 0;
  u.s.c_chek = 0;
  submit(u, '87283901205014A10001'); // another token (--amount 100 --seed 2): both clamp to 2147483647
  assert.is(u.s.token_used, 1);
  assert.is(u.line(1), '   USED TOKEN   ');
  assert.is(u.s.creditt, 500);
  u.s.token_used = 0;
  u.s.c_chek = 0;
  submit(u, '10913015110000A10001'); // m = 1: 1091301511 is below the clamp, told apart
  assert.is(u.s.creditt, 625);
});

test('D37: erased cells under a corrupted pointer report every m >= 2 token as USED', () => {
  const u = createUnit();
  u.setEepromLong(40, 60); // garbage pointer in 41..4000; cells 44..63 erased
  submit(u, '21823704325000C10050');
  assert.is(u.s.token_used, 1);
  assert.is(u.s.creditt, 0);
});

test('D37 fixed: the same corrupted pointer does not block a fresh token', () => {
  const u = createUnit({ fix: ['D37'] });
  u.setEepromLong(40, 60);
  submit(u, '21823704325000C10050');
  assert.is(u.s.token_used, 0);
  assert.is(u.s.creditt, 2539);
});

test.run();
