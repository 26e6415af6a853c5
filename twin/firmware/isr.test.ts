import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../board/board.ts';
import { TIM1_PERIOD, TIM1_PRESCALER } from './boot.ts';
import { urgeent } from './isr.ts';
import { createUnit, type Unit } from '../../test/support/firmware-bench.ts';

/** Mains at `V` volts, 50 Hz, `P` watts, cover closed; one direct ISR pass after the PA1 reading is in. */
function withMains(u: Unit, V: number, P = 1000, freq = 50): void {
  u.s.mains_input_value = Math.fround(V);
  u.s.freq = freq;
  u.s.true_power = Math.fround(P);
  u.s.btt = 12.2;
  u.s.sts_mode = 1; // keep the LCD scenes out of these checks
}

for (const [name, V, P, f] of [
  ['an under-voltage of 140 V', 140, 1000, 50],
  ['an over-voltage of 260 V', 260, 1000, 50],
  ['a frequency of 44 Hz', 230, 1000, 44],
  ['an overload of 26 kW', 230, 26000, 50],
] as const) {
  test(`D11: ${name} never leaves fault = 1 (the clear rule is a tautology)`, () => {
    const u = createUnit();
    withMains(u, V, P, f);
    urgeent(u.fw);
    assert.is(u.s.fault, 0);
  });

  test(`D11 fixed: ${name} sets fault = 1`, () => {
    const u = createUnit({ fix: ['D11'] });
    withMains(u, V, P, f);
    urgeent(u.fw);
    assert.is(u.s.fault, 1);
  });
}

test('D11 fixed: the fault clears once the voltage is back in range', () => {
  const u = createUnit({ fix: ['D11'] });
  withMains(u, 140);
  urgeent(u.fw);
  withMains(u, 230);
  urgeent(u.fw);
  assert.is(u.s.fault, 0);
});

test('an open terminal cover (PA1 ≤ 27 counts) sets fault, logs 3 at EEPROM 5 and shows TERMINAL COVER OPEN', () => {
  const u = createUnit();
  u.setPa1(27);
  urgeent(u.fw);
  assert.is(u.s.fault, 1);
  assert.is(u.eepromLong(5), 3);
  assert.is(u.line(0), 'TERMINAL  COVER ');
  assert.is(u.line(1), '      OPEN      ');
});

test('PA1 at 28 counts (btt 2.05) is a closed cover', () => {
  const u = createUnit();
  u.setPa1(28);
  urgeent(u.fw);
  assert.is(u.s.fault, 0);
});

test('D34: each tamper tick beeps the buzzer for 20 ms inside the interrupt', () => {
  const u = createUnit();
  u.setPa1(0);
  urgeent(u.fw);
  const hi = u.pinLog.find((e) => e.pin === PINS.buzzer && e.level === 1)!;
  const lo = u.pinLog.find((e) => e.pin === PINS.buzzer && e.level === 0 && e.tUs > hi.tUs)!;
  assert.ok(Math.abs((lo.tUs - hi.tUs) / 1000 - 20) < 1);
});

test('the tamper event is logged once per opening, not at every tick', () => {
  const u = createUnit();
  u.setPa1(0);
  urgeent(u.fw);
  const writes = u.eepromWrites;
  urgeent(u.fw);
  assert.is(u.eepromWrites, writes);
});

test('D33 fixed: the tamper log is left to the loop (no EEPROM write inside the interrupt)', () => {
  const u = createUnit({ fix: ['D33'] });
  u.setPa1(0);
  urgeent(u.fw);
  assert.is(u.eepromWrites, 0);
  assert.is(u.s.tamperLogPending, true);
});

test('below 15 W the interrupt zeroes true_power (step 1)', () => {
  const u = createUnit();
  withMains(u, 230, 14.9);
  urgeent(u.fw);
  assert.is(u.s.true_power, 0);
});

test('D47: a 10 W load has its power zeroed by the interrupt and is not billed', () => {
  const u = createUnit();
  withMains(u, 230, 10);
  urgeent(u.fw);
  assert.is(u.s.true_power, 0);
});

test('D47 fixed: the 10 W load keeps its power (one 5 W threshold) and is billed', async () => {
  const u = createUnit({ fix: ['D47'] });
  await u.clock.runFor(1_100_000);
  withMains(u, 230, 10);
  urgeent(u.fw);
  assert.is(u.s.true_power, 10);
  assert.ok(u.s.ENERGY > 0);
});

test('the warning timeout clears the entry state and silences the buzzer 1.5 s after the token screen', async () => {
  const u = createUnit();
  u.s.c_chek = 1;
  u.s.warntime = 0;
  u.s.sts_mode = 1;
  u.board.digitalWrite(PINS.buzzer, 1);
  await u.clock.runFor(1_501_000);
  urgeent(u.fw);
  assert.is(u.s.c_chek, 0);
  assert.is(u.s.sts_mode, 0);
  assert.is(u.pinLevel(PINS.buzzer), 0);
});

/** Tick numbers (0-based) at which the ISR ran a billing step, over `seconds` of the real 20 Hz timer. */
async function billingTicks(u: Unit, seconds: number): Promise<number[]> {
  const ticks: number[] = [];
  let n = 0;
  u.s.true_power = 1000;
  u.s.mains_input_value = 230;
  u.s.freq = 50;
  u.s.sts_mode = 1;
  u.cpu.attachTimerInterrupt((TIM1_PRESCALER * TIM1_PERIOD) / 72, () => {
    const before = u.s.ENERGY;
    urgeent(u.fw);
    if (u.s.ENERGY !== before) ticks.push(n);
    n++;
  });
  await u.clock.runFor(seconds * 1e6);
  return ticks;
}

test('D14: billing runs every 21 ticks of the 20 Hz timer (1.05 s) and bills 1 s each time', async () => {
  const u = createUnit();
  const ticks = await billingTicks(u, 11);
  const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
  assert.ok(gaps.length >= 8);
  assert.ok(gaps.every((g) => g === 21), gaps.join(','));
  assert.is(u.s.ENERGY, ticks.reduce((e) => Math.fround(e + Math.fround(1000 / 3600000)), 0));
});

test('D14 fixed: the energy of 10 s at 1 kW is billed in full', async () => {
  const u = createUnit({ fix: ['D14', 'D16'] });
  await billingTicks(u, 10.0001);
  const lastBillMs = u.s.prev_pulsetime;
  assert.ok(Math.abs(u.s.ENERGY - (1000 * lastBillMs) / 3.6e9) < 1e-9, `${u.s.ENERGY} vs ${lastBillMs}`);
});

test('D15: with float millis past 49.7 days the billing stops for good', async () => {
  const u = createUnit();
  u.cpu.millisOffsetUs = (2 ** 32 - 2000) * 1000; // 2 s before the millis wrap
  u.s.prev_pulsetime = Math.fround(2 ** 32 - 2000);
  const ticks = await billingTicks(u, 6);
  assert.ok(ticks.every((t) => t < 40), ticks.join(','));
});

test('D15 fixed: billing carries on across the millis wrap', async () => {
  const u = createUnit({ fix: ['D15'] });
  u.cpu.millisOffsetUs = (2 ** 32 - 2000) * 1000;
  u.s.prevPulseMs = 2 ** 32 - 2000;
  const ticks = await billingTicks(u, 6);
  assert.ok(ticks.some((t) => t > 60), ticks.join(','));
});

test.run();
