import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { urgeent } from './isr.ts';
import { LoadActivationVariables, StoreActivationVariables } from './storage.ts';
import { createUnit } from '../../test/support/firmware-bench.ts';

test('D31: in mode 2 the credit write at 9 overwrites PAYGEnabled at 10, so credit 100 reloads as PAYG off', () => {
  const u = createUnit({ mode: 'opaygo-energy', options: { opaygo: { loop: async () => {} } } });
  u.s.creditt = 100;
  u.s.PAYGEnabled = true;
  StoreActivationVariables(u.fw);
  u.s.PAYGEnabled = true;
  LoadActivationVariables(u.fw);
  assert.is(u.s.PAYGEnabled, false);
  assert.is(u.s.creditt, 100);
});

test('D31 fixed: the same store and load keep PAYG enabled', () => {
  const u = createUnit({ mode: 'opaygo-energy', fix: ['D31'], options: { opaygo: { loop: async () => {} } } });
  u.s.creditt = 100;
  StoreActivationVariables(u.fw);
  LoadActivationVariables(u.fw);
  assert.is(u.s.PAYGEnabled, true);
});

test('D31: in mode 3 an OpenPAYGO store overwrites the credit cell (9-12) with UsedTokens, PAYGEnabled and ActiveUntil', () => {
  const u = createUnit({ mode: 'opaygo-time', options: { opaygo: { loop: async () => {} } } });
  u.setEepromBytes(9, [0xf4, 0x01, 0x00, 0x00]); // credit 500
  Object.assign(u.s, { TokenCount: 2, UsedTokens: 0x0002, PAYGEnabled: true, ActiveUntil: 0x12345678 });
  StoreActivationVariables(u.fw);
  assert.equal(u.eepromBytes(9, 4), [0x00, 0x01, 0x78, 0x56]); // UsedTokens high byte, PAYGEnabled, ActiveUntil low
  assert.is(u.eepromLong(9), 0x56780100);
});

test('D31 fixed: in mode 3 the same store leaves the credit cell alone', () => {
  const u = createUnit({ mode: 'opaygo-time', fix: ['D31'], options: { opaygo: { loop: async () => {} } } });
  u.setEepromBytes(9, [0xf4, 0x01, 0x00, 0x00]);
  Object.assign(u.s, { TokenCount: 2, UsedTokens: 0x0002, PAYGEnabled: true, ActiveUntil: 0x12345678 });
  StoreActivationVariables(u.fw);
  assert.is(u.eepromLong(9), 500);
});

test('D31: a tamper event (writeLong(5, 3)) sets TokenCount at 6-7 to 0', () => {
  const u = createUnit();
  u.setEepromBytes(6, [5, 0]);
  u.setPa1(0);
  urgeent(u.fw);
  assert.equal(u.eepromBytes(6, 2), [0, 0]);
});

test('D31 fixed: the tamper log lives at 0-3 and TokenCount is untouched', () => {
  const u = createUnit({ fix: ['D31'] });
  u.setEepromBytes(19, [5, 0]);
  u.setPa1(0);
  urgeent(u.fw);
  assert.is(u.eepromLong(0), 3);
  assert.is(u.eepromBytes(19, 1)[0], 5);
});

test('StoreActivationVariables writes TokenCount, UsedTokens, PAYGEnabled, TokenEntryLockedUntil, then credit (mode 2)', () => {
  const u = createUnit({ mode: 'opaygo-energy', options: { opaygo: { loop: async () => {} } } });
  Object.assign(u.s, { TokenCount: 0x0203, UsedTokens: 0x8001, PAYGEnabled: true, TokenEntryLockedUntil: 0x11223344, creditt: 0x1234 });
  StoreActivationVariables(u.fw);
  assert.equal(u.eepromBytes(6, 13), [0x03, 0x02, 0x01, 0x34, 0x12, 0x00, 0x00, 0xff, 0xff, 0x44, 0x33, 0x22, 0x11]);
});

test.run();
