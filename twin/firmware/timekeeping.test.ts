import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DateTime } from './lib/rtclib.ts';
import { createUnit, type Unit, type UnitOptions } from '../../test/support/firmware-bench.ts';
import { get_time, initializeTime } from './timekeeping.ts';

function at(o: UnitOptions, dt: DateTime): Unit {
  const u = createUnit(o);
  u.rtc.setTime(dt.unixtime());
  return u;
}

/** Calls get_time() `n` times, `gapMs` apart, as the loop would. */
async function getTimes(u: Unit, n: number, gapMs = 300): Promise<void> {
  const done = u.clock.spawn('loop', async () => {
    for (let i = 0; i < n; i++) {
      await get_time(u.fw);
      await u.board.delay(gapMs);
    }
  });
  await u.clock.runFor(n * (gapMs + 50) * 1000 + 1e6);
  await done;
}

test('D26: during minute 30 every loop pass rewrites the credit to EEPROM', async () => {
  const u = at({}, new DateTime(2026, 3, 1, 8, 30, 0));
  u.s.creditt = 321.5;
  await getTimes(u, 50);
  assert.is(u.eepromWrites, 50);
  assert.is(u.eepromLong(9), 321);
});

test('D26 fixed: the credit is saved once in that minute', async () => {
  const u = at({ fix: ['D26'] }, new DateTime(2026, 3, 1, 8, 30, 0));
  u.s.lastCreditSaveMs = 0;
  u.cpu.millisOffsetUs = 40 * 60e6; // 40 min of uptime: the boot save is older than 30 min
  await getTimes(u, 50);
  assert.is(u.eepromWrites, 1);
});

test('outside minute 30 nothing is saved', async () => {
  const u = at({}, new DateTime(2026, 3, 1, 8, 31, 0));
  await getTimes(u, 10);
  assert.is(u.eepromWrites, 0);
});

test('D24: rtcmonth is always 10 (the comma operator yields DEC)', async () => {
  const u = at({}, new DateTime(2026, 3, 1, 8, 0, 0));
  await getTimes(u, 1);
  assert.is(u.s.rtcmonth, 10);
});

/** A unit read at `before` with `e1` kWh, then at `after` (a new month) with `e2` kWh: its month-change state. */
async function monthTurn(fix: string[], before: DateTime, e1: number, after: DateTime, e2: number): Promise<{ lastmonth: number; billingDate: number }> {
  const u = at({ fix }, before);
  u.s.ENERGY = Math.fround(e1);
  await getTimes(u, 1);
  u.s.ENERGY = Math.fround(e2);
  u.rtc.setTime(after.unixtime());
  await getTimes(u, 1);
  return { lastmonth: u.s.lastmonth_KWH, billingDate: u.s.billing_date };
}

test('D24: a change of month never records last month\'s energy or billing date', async () => {
  const r = await monthTurn([], new DateTime(2026, 3, 31, 0, 0, 0), 2.5, new DateTime(2026, 4, 1, 0, 0, 5), 12.5);
  assert.equal(r, { lastmonth: 0, billingDate: 0 });
});

test('D24 fixed: the new month records the month\'s energy and the billing date', async () => {
  const r = await monthTurn(['D24'], new DateTime(2026, 3, 31, 0, 0, 0), 2.5, new DateTime(2026, 4, 1, 0, 0, 5), 12.5);
  assert.equal(r, { lastmonth: 10, billingDate: 1 });
});

test('D24 fixed: the turn of the year (December to January) also records the month\'s energy', async () => {
  const r = await monthTurn(['D24'], new DateTime(2026, 12, 31, 12, 0, 0), 2.5, new DateTime(2027, 1, 1, 0, 0, 5), 6.5);
  assert.equal(r, { lastmonth: 4, billingDate: 1 });
});

test('initializeTime on NVRAM 0 sets the RTC to the build time and stores it at NVRAM offset 4', () => {
  const u = createUnit({ options: { compileTime: '2024-01-02T03:04:05' } });
  initializeTime(u.fw);
  const build = new DateTime(2024, 1, 2, 3, 4, 5).unixtime();
  assert.is(u.rtc.unixtime(), build);
  assert.is(u.s.timeInitializationRtc, build);
  const nv = u.rtc.nvram;
  assert.is((nv[4] | (nv[5] << 8) | (nv[6] << 16) | (nv[7] << 24)) >>> 0, build);
});

test('initializeTime on NVRAM ≠ 0 prints Disconnection spotted!! on the modem line and counts it at EEPROM 32', () => {
  const u = createUnit();
  u.rtc.nvram.set([1, 2, 3, 4], 4);
  u.setEepromBytes(32, [6, 0]);
  initializeTime(u.fw);
  assert.is(u.uarts.modem.text, 'Disconnection spotted!!\r\n');
  assert.is(u.eepromBytes(32, 1)[0], 7);
  assert.is(u.uarts.debug.text, '');
});

test('D39 fixed: the same line goes to the debug port', () => {
  const u = createUnit({ fix: ['D39'] });
  u.rtc.nvram.set([1, 2, 3, 4], 4);
  initializeTime(u.fw);
  assert.is(u.uarts.debug.text, 'Disconnection spotted!!\r\n');
});

test('D29: after a lost NVRAM (zero) a running clock is set back to the build date', () => {
  const u = createUnit({ options: { compileTime: '2023-12-20T12:32:44' } });
  initializeTime(u.fw);
  assert.is(DateTime.fromUnix(u.rtc.unixtime()).year(), 2023);
});

test('D29 fixed: a running clock ahead of the build keeps its time', () => {
  const u = createUnit({ fix: ['D29'], options: { compileTime: '2023-12-20T12:32:44' } });
  initializeTime(u.fw);
  assert.is(DateTime.fromUnix(u.rtc.unixtime()).year(), 2026);
});

test('D27: initializeTime reports a halted RTC and leaves it halted', () => {
  const u = createUnit();
  u.rtc.nvram.set([1, 0, 0, 0], 4);
  u.rtc.setHalted(true);
  initializeTime(u.fw);
  assert.is(u.uarts.modem.text.startsWith('RTC is NOT running!\r\n'), true);
  assert.is(u.rtc.halted, true);
});

test('D27 fixed: the halted RTC is started', () => {
  const u = createUnit({ fix: ['D27'] });
  u.rtc.nvram.set([1, 0, 0, 0], 4);
  u.rtc.setHalted(true);
  initializeTime(u.fw);
  assert.is(u.rtc.halted, false);
});

test.run();
