import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../board/board.ts';
import { AddCreditt, credit_formular, credit_reminder } from './credit.ts';
import { createUnit, type Unit } from '../../test/support/firmware-bench.ts';

async function reminder(u: Unit): Promise<void> {
  const done = u.clock.spawn('reminder', () => credit_reminder(u.fw));
  await u.clock.runFor(1_000_000);
  await done;
}

function relayPulses(u: Unit, pin: 'PB12' | 'PB4'): number {
  return u.pinLog.filter((e) => e.pin === pin && e.level === 1).length;
}

test('one billing call at 3600 W and tariff 1 deducts 0.001 credit and adds 0.001 kWh (float32)', () => {
  const u = createUnit();
  u.s.creditt = 100;
  u.s.true_power = 3600;
  credit_formular(u.fw);
  assert.is(u.s.ENERGY, Math.fround(0.001));
  assert.is(u.s.creditt, Math.fround(100 - Math.fround(0.001)));
});

test('D16: billing is rounded to float32 before it is deducted (148 W at tariff 150 from credit 1 leaves 0.99383330)', () => {
  const u = createUnit();
  u.s.creditt = 1;
  u.s.tariff = 150;
  u.s.true_power = 148;
  credit_formular(u.fw);
  // float32 billing = fround(fround(148 x 150) / 3600000); in double the result would be 0.99383336...
  assert.is(u.s.billing, Math.fround(22200 / 3600000));
  assert.is(u.s.creditt, 0.9938333034515381);
});

test('negative power is never billed', () => {
  const u = createUnit();
  u.s.creditt = 100;
  u.s.true_power = -500;
  credit_formular(u.fw);
  assert.is(u.s.creditt, 100);
  assert.is(u.s.ENERGY, 0);
});

test('D16: at 100 W a deduction is lost completely above 512 credit (float32 rounding)', () => {
  const u = createUnit();
  u.s.creditt = 1000;
  u.s.true_power = 100;
  credit_formular(u.fw);
  assert.is(u.s.creditt, 1000);
});

test('D16 fixed: the same 100 W deduction is kept in double precision', () => {
  const u = createUnit({ fix: ['D16'] });
  u.s.creditt = 1000;
  u.s.true_power = 100;
  credit_formular(u.fw);
  assert.ok(Math.abs(u.s.creditt - (1000 - 100 / 3.6e6)) < 1e-9);
});

test('D17: credit stops at the last billing step when billing >= credit', () => {
  const u = createUnit();
  u.s.tariff = 150;
  u.s.true_power = 25000; // billing = 25000 x 150 / 3.6e6 = 1.0417 per call
  u.s.creditt = 1.02;
  credit_formular(u.fw);
  assert.is(u.s.creditt, 1.02);
});

test('D17 fixed: the last fraction is spent and credit reaches 0', () => {
  const u = createUnit({ fix: ['D17'] });
  u.s.tariff = 150;
  u.s.true_power = 25000;
  u.s.creditt = 1.02;
  credit_formular(u.fw);
  assert.is(u.s.creditt, 0);
});

test('D30: an OpenPAYGO ADD (AddCreditt) drops the credit fraction (write, read back, add)', () => {
  const u = createUnit();
  u.s.creditt = 20.25;
  AddCreditt(u.fw, 10);
  assert.is(u.s.creditt, 30);
});

test('D30 fixed: AddCreditt keeps the credit fraction in RAM; the cell stores the whole units', () => {
  const u = createUnit({ fix: ['D30'] });
  u.s.creditt = 20.25;
  AddCreditt(u.fw, 10);
  assert.is(u.s.creditt, 30.25);
  assert.is(u.eepromLong(9), 30);
});

test('D14 fixed: a call with a measured 1050 ms interval bills 1.05 s', () => {
  const u = createUnit({ fix: ['D14', 'D16'] });
  u.s.true_power = 3600;
  credit_formular(u.fw, 1050);
  assert.ok(Math.abs(u.s.ENERGY - 0.00105) < 1e-12);
});

test('credit below 1 lights red and pulses the relay OFF for 200 ms', async () => {
  const u = createUnit();
  u.s.creditt = 0.5;
  await reminder(u);
  assert.is(u.pinLevel(PINS.redLed), 1);
  assert.is(relayPulses(u, 'PB4'), 1);
  const on = u.pinLog.find((e) => e.pin === 'PB4' && e.level === 1)!;
  const off = u.pinLog.find((e) => e.pin === 'PB4' && e.level === 0 && e.tUs > on.tUs)!;
  assert.ok(Math.abs((off.tUs - on.tUs) / 1000 - 200) < 1, `pulse ${(off.tUs - on.tUs) / 1000} ms`);
});

test('credit above 200 without fault turns red off, green on and pulses the relay ON', async () => {
  const u = createUnit();
  u.s.creditt = 250;
  await reminder(u);
  assert.is(u.pinLevel(PINS.redLed), 0);
  assert.is(u.pinLevel(PINS.greenLed), 1);
  assert.is(relayPulses(u, 'PB12'), 1);
});

test('a second call with the relay already ON does not pulse again (on_exec)', async () => {
  const u = createUnit();
  u.s.creditt = 250;
  await reminder(u);
  await reminder(u);
  assert.is(relayPulses(u, 'PB12'), 1);
});

test('D12: after a cut-off, credit 150 blinks red once and leaves the relay OFF', async () => {
  const u = createUnit();
  u.s.creditt = 0.5;
  await reminder(u);
  u.s.creditt = 150;
  await reminder(u);
  assert.is(relayPulses(u, 'PB12'), 0);
  // Lit steadily from the cut-off; the blink's HIGH finds it lit, its LOW 80 ms later puts it out.
  const red = u.pinLog.filter((e) => e.pin === PINS.redLed);
  assert.equal(red.map((e) => e.level), [1, 0]);
  assert.ok(red[1].tUs >= 1_080_000, `the LED went out ${red[1].tUs} us in, not 80 ms into the second reminder`);
});

test('D12 fixed: after a cut-off, credit 150 switches the relay back ON', async () => {
  const u = createUnit({ fix: ['D12'] });
  u.s.creditt = 0.5;
  await reminder(u);
  u.s.creditt = 150;
  await reminder(u);
  assert.is(relayPulses(u, 'PB12'), 1);
});

test('D12 fixed: after a cut-off, credit of exactly 1 switches the relay back ON', async () => {
  const u = createUnit({ fix: ['D12'] });
  u.s.creditt = 0.5;
  await reminder(u);
  u.s.creditt = 1;
  await reminder(u);
  assert.is(relayPulses(u, 'PB12'), 1);
});

test('D13: a fault with credit above 200 leaves green on while red is lit (both LEDs)', async () => {
  const u = createUnit();
  u.s.creditt = 250;
  await reminder(u);
  u.s.fault = 1;
  await reminder(u);
  assert.is(u.pinLevel(PINS.redLed), 1);
  assert.is(u.pinLevel(PINS.greenLed), 1);
  assert.is(relayPulses(u, 'PB4'), 1);
});

test('D13 fixed: the fault turns green off', async () => {
  const u = createUnit({ fix: ['D13'] });
  u.s.creditt = 250;
  await reminder(u);
  u.s.fault = 1;
  await reminder(u);
  assert.is(u.pinLevel(PINS.greenLed), 0);
});

test('credit exactly 200 and no fault changes neither LED nor relay', async () => {
  const u = createUnit();
  u.s.creditt = 200;
  await reminder(u);
  assert.is(u.pinLog.length, 0);
});

test.run();
