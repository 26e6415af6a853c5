import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { createSimulatedBoard } from '../../board/simulated-board.ts';
import { writeRegisters } from '../../../test/support/i2c-parts.ts';
import { DateTime, RTC_DS1307 } from './rtclib.ts';

/** The library on the simulated board with its DS1307 (missing unless `present`); `reads` counts its read transfers. */
function setup(present = true) {
  const board = createSimulatedBoard(new Cpu(new VirtualClock()), { rtc: { present } });
  const chip = board.parts.rtc!;
  const reads = { n: 0 };
  board.wire.onTransfer = (address, read, _bytes, result) => { if (address === chip.address && read && result === 0) reads.n++; };
  const rtc = new RTC_DS1307(board);
  return { board, chip, rtc, reads };
}

const unixOf = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

test('now() decodes the BCD registers 0..6 in one read', () => {
  const { chip, rtc, reads } = setup();
  writeRegisters(chip, 0, [0x45, 0x30, 0x14, 0x07, 0x28, 0x02, 0x26]);
  const t = rtc.now();
  assert.equal([t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()], [2026, 2, 28, 14, 30, 45]);
  assert.is(reads.n, 1);
});

test('now() masks the CH bit out of the seconds', () => {
  const { chip, rtc } = setup();
  writeRegisters(chip, 0, [0x80 | 0x12, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]);
  assert.is(rtc.now().second(), 12);
});

test('now() on a bus failure reads every byte as 0xFF: 85 s, 165 min/h/day/month, year 2165', () => {
  const { rtc } = setup(false);
  const t = rtc.now();
  assert.equal([t.second(), t.minute(), t.hour(), t.day(), t.month(), t.year()], [85, 165, 165, 165, 165, 2165]);
});

test('begin() probes 0x68: true when the DS1307 answers, false when it is missing', () => {
  assert.is(setup(true).rtc.begin(), true);
  assert.is(setup(false).rtc.begin(), false);
});

test('isrunning() is true only when the CH bit of register 0 is clear; a missing chip reads as halted', () => {
  const { chip, rtc } = setup();
  writeRegisters(chip, 0, [0x80]);
  assert.is(rtc.isrunning(), false);
  writeRegisters(chip, 0, [0x59]);
  assert.is(rtc.isrunning(), true);
  assert.is(setup(false).rtc.isrunning(), false);
});

test('adjust() writes BCD with day-of-week 0 and clears CH, which starts a halted clock', () => {
  const { chip, rtc } = setup();
  writeRegisters(chip, 0, [0x80]);
  rtc.adjust(new DateTime(2026, 3, 1, 8, 5, 9));
  assert.equal(chip.registers().slice(0, 7), [0x09, 0x05, 0x08, 0x00, 0x01, 0x03, 0x26]);
  assert.is(rtc.isrunning(), true);
});

test('NVRAM offset n is DS1307 register 0x08 + n; bytes round-trip', () => {
  const { chip, rtc } = setup();
  rtc.writenvramBytes(4, [0x78, 0x56, 0x34, 0x12]);
  assert.equal([...chip.nvram.subarray(4, 8)], [0x78, 0x56, 0x34, 0x12]);
  assert.equal(rtc.readnvramBytes(4, 4), [0x78, 0x56, 0x34, 0x12]);
  rtc.writenvram(55, 0xa5);
  assert.is(chip.nvram[55], 0xa5);
  assert.is(rtc.readnvram(55), 0xa5);
});

test('NVRAM reads give 0xFF when the chip does not answer', () => {
  const { rtc } = setup(false);
  assert.equal(rtc.readnvramBytes(4, 4), [0xff, 0xff, 0xff, 0xff]);
});

test('NVRAM addresses outside 0..55 are refused with a clear message', () => {
  const { rtc } = setup();
  assert.throws(() => rtc.readnvram(56), /address must be an integer in 0..55/);
  assert.throws(() => rtc.writenvramBytes(54, [1, 2, 3]), /length must be an integer in 0..2/);
});

test('unixtime() counts seconds since 1970 for dates of 2000..2099', () => {
  assert.is(new DateTime(2026, 3, 1, 8, 0, 0).unixtime(), unixOf(2026, 3, 1, 8));
  assert.is(new DateTime(2000, 1, 1).unixtime(), 946684800);
  assert.is(new DateTime(2099, 12, 31, 23, 59, 59).unixtime(), unixOf(2099, 12, 31, 23, 59, 59));
});

test('fromUnix() inverts unixtime()', () => {
  for (const t of [946684800, unixOf(2024, 2, 29, 12, 34, 56), unixOf(2026, 12, 31, 23, 59, 59), unixOf(2038, 1, 19, 3, 14, 8)]) {
    const dt = DateTime.fromUnix(t);
    const d = new Date(t * 1000);
    assert.equal([dt.year(), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second()],
      [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]);
    assert.is(dt.unixtime(), t);
  }
});

test('dayOfTheWeek() is 0 for Sunday: 2000-01-01 was a Saturday (6)', () => {
  assert.is(new DateTime(2000, 1, 1).dayOfTheWeek(), 6);
  for (const [y, m, d] of [[2026, 3, 1], [2024, 2, 29], [2031, 7, 15]]) {
    assert.is(new DateTime(y, m, d).dayOfTheWeek(), new Date(Date.UTC(y, m - 1, d)).getUTCDay());
  }
});

test('the library calendar takes 2100 as a leap year (every 4th year)', () => {
  const gap = new DateTime(2100, 3, 1).unixtime() - new DateTime(2100, 2, 28).unixtime();
  assert.is(gap, 2 * 86400);
});

test('unixtime() of the bus-failure date is a wrapped uint32 that depends on the [UNDET] flash bytes knob', () => {
  const bad = new DateTime(2165, 165, 165, 165, 165, 85);
  const saved = DateTime.flashAfterDaysInMonth;
  try {
    DateTime.flashAfterDaysInMonth = 0;
    const a = bad.unixtime();
    DateTime.flashAfterDaysInMonth = 0xff;
    const b = bad.unixtime();
    assert.ok(Number.isInteger(a) && a >= 0 && a < 2 ** 32);
    assert.ok(Number.isInteger(b) && b >= 0 && b < 2 ** 32);
    assert.is.not(a, b);
  } finally {
    DateTime.flashAfterDaysInMonth = saved;
  }
});

test('DateTime refuses non-integer fields with a clear message', () => {
  assert.throws(() => new DateTime(2026, 1.5, 1), /DateTime month must be an integer/);
  assert.throws(() => DateTime.fromUnix(-1), /fromUnix seconds/);
});

test.run();
