// DS1307 real-time clock (Maxim DS1307 datasheet): BCD timekeeping registers 00h..06h, CH bit, control register 07h,
// 56 bytes of NVRAM at 08h..3Fh, register pointer wrap 3Fh -> 00h, user buffers latched at START.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import { DS1307 } from './ds1307.ts';

const unix = (y: number, mo: number, d: number, h: number, mi: number, s: number): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

function part(config: ConstructorParameters<typeof DS1307>[1] = {}) {
  const clock = new VirtualClock();
  return { clock, rtc: new DS1307(clock, config) };
}

/** START(W), register pointer, data bytes, STOP. */
function writeRegs(rtc: DS1307, pointer: number, data: number[]): void {
  assert.ok(rtc.start(false), 'ACK on the address');
  assert.ok(rtc.write(pointer));
  for (const b of data) assert.ok(rtc.write(b));
  rtc.stop();
}

/** Set the pointer, then START(R) and read `n` bytes. */
function readRegs(rtc: DS1307, pointer: number, n: number): number[] {
  writeRegs(rtc, pointer, []);
  assert.ok(rtc.start(true));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rtc.read());
  rtc.stop();
  return out;
}

test('answers at I2C address 0x68', () => {
  assert.is(part().rtc.address, 0x68);
});

test('counts whole seconds of virtual time while the oscillator runs', async () => {
  const { clock, rtc } = part();
  const t0 = unix(2026, 3, 1, 8, 0, 0);
  rtc.setUnixTime(t0);
  await clock.runFor(5_500_000);
  assert.is(rtc.unixtime(), t0 + 5);
  await clock.runFor(500_000);
  assert.is(rtc.unixtime(), t0 + 6);
});

test('does not count while CH (clock halt) is set, and resumes from the halted time', async () => {
  const { clock, rtc } = part();
  const t0 = unix(2026, 3, 1, 8, 0, 0);
  rtc.setUnixTime(t0);
  await clock.runFor(2_000_000);
  rtc.setHalted(true);
  await clock.runFor(60_000_000);
  assert.is(rtc.unixtime(), t0 + 2);
  assert.is(rtc.halted, true);
  rtc.setHalted(false);
  await clock.runFor(3_000_000);
  assert.is(rtc.unixtime(), t0 + 5);
});

test('presents the time in BCD: 2026-03-01 08:59:47 reads 47 59 08 . 01 03 26', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 59, 47));
  const r = readRegs(rtc, 0x00, 7);
  assert.equal([r[0], r[1], r[2], r[4], r[5], r[6]], [0x47, 0x59, 0x08, 0x01, 0x03, 0x26]);
  assert.ok(r[3] >= 1 && r[3] <= 7, `day register ${r[3]} is 1..7`);
});

test('hours read in 24-hour mode (bit 6 clear): 23 h is 0x23', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2026, 12, 31, 23, 0, 0));
  assert.is(readRegs(rtc, 0x02, 1)[0], 0x23);
});

test('sets bit 7 of the seconds register (CH) while the clock is halted', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 12));
  rtc.setHalted(true);
  assert.is(readRegs(rtc, 0x00, 1)[0], 0x80 | 0x12);
});

test('a write of the seven time registers sets the clock at STOP (as RTClib adjust does)', async () => {
  const { clock, rtc } = part();
  rtc.setUnixTime(unix(2026, 1, 1, 0, 0, 0));
  writeRegs(rtc, 0x00, [0x44, 0x32, 0x12, 0x04, 0x20, 0x12, 0x23]);
  assert.is(rtc.unixtime(), unix(2023, 12, 20, 12, 32, 44));
  await clock.runFor(1_000_000);
  assert.is(rtc.unixtime(), unix(2023, 12, 20, 12, 32, 45));
});

test('writing the seconds register with CH set stops the clock; writing it with CH clear starts it', async () => {
  const { clock, rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 0));
  writeRegs(rtc, 0x00, [0x80 | 0x30]);
  assert.is(rtc.halted, true);
  await clock.runFor(10_000_000);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 0, 30));
  writeRegs(rtc, 0x00, [0x30]);
  assert.is(rtc.halted, false);
  await clock.runFor(10_000_000);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 0, 40));
});

test('a time written in 12-hour mode is read as 12 PM = 12 h and 12 AM = 0 h', () => {
  const { rtc } = part();
  writeRegs(rtc, 0x00, [0x00, 0x15, 0x40 | 0x20 | 0x12, 0x01, 0x01, 0x03, 0x26]);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 12, 15, 0));
  writeRegs(rtc, 0x00, [0x00, 0x15, 0x40 | 0x12, 0x01, 0x01, 0x03, 0x26]);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 0, 15, 0));
  writeRegs(rtc, 0x00, [0x00, 0x15, 0x40 | 0x20 | 0x03, 0x01, 0x01, 0x03, 0x26]);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 15, 15, 0));
});

test('writing the time restarts the sub-second countdown (the next second comes a full second later)', async () => {
  const { clock, rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 0));
  await clock.runFor(900_000);
  writeRegs(rtc, 0x00, [0x10, 0x00, 0x08, 0x01, 0x01, 0x03, 0x26]);
  await clock.runFor(500_000);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 0, 10));
  await clock.runFor(500_000);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 0, 11));
});

test('the time registers of one read transfer are latched at START (no tear when a second rolls over)', async () => {
  const { clock, rtc } = part();
  rtc.setUnixTime(unix(2026, 12, 31, 23, 59, 59));
  writeRegs(rtc, 0x00, []);
  assert.ok(rtc.start(true));
  const sec = rtc.read();
  await clock.runFor(1_000_000);
  const rest = [rtc.read(), rtc.read(), rtc.read(), rtc.read(), rtc.read(), rtc.read()];
  rtc.stop();
  assert.is(sec, 0x59);
  assert.equal([rest[0], rest[1], rest[3], rest[4], rest[5]], [0x59, 0x23, 0x31, 0x12, 0x26]);
  assert.is(readRegs(rtc, 0x06, 1)[0], 0x27, 'a new read sees the new year');
});

test('stores 56 NVRAM bytes at 08h..3Fh (battery-backed RAM)', () => {
  const { rtc } = part();
  writeRegs(rtc, 0x0c, [0x78, 0x56, 0x34, 0x12]);
  assert.equal(readRegs(rtc, 0x0c, 4), [0x78, 0x56, 0x34, 0x12]);
  assert.equal(Array.from(rtc.nvram.subarray(4, 8)), [0x78, 0x56, 0x34, 0x12]);
  assert.is(rtc.nvram.length, 56);
});

test('the register pointer wraps from 3Fh to 00h on read', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 33));
  rtc.nvram[55] = 0xa5;
  assert.equal(readRegs(rtc, 0x3f, 2), [0xa5, 0x33]);
});

test('the register pointer wraps from 3Fh to 00h on write', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 0));
  writeRegs(rtc, 0x3f, [0x11, 0x80 | 0x05]);
  assert.is(rtc.nvram[55], 0x11);
  assert.is(rtc.halted, true, 'the second byte went to the seconds register');
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 0, 5));
});

test('the control register powers up as 03h and keeps only OUT, SQWE, RS1 and RS0 (mask 93h)', () => {
  const { rtc } = part();
  assert.is(readRegs(rtc, 0x07, 1)[0], 0x03);
  writeRegs(rtc, 0x07, [0xff]);
  assert.is(readRegs(rtc, 0x07, 1)[0], 0x93);
});

test('a DS1307 that is not fitted NACKs its address (firmware defect D28 waits forever on it)', () => {
  const { rtc } = part({ present: false });
  assert.is(rtc.start(false), false);
  assert.is(rtc.start(true), false);
  assert.is(rtc.write(0x00), false);
});

test('setUnixTime outside 2000..2099 throws a RangeError that names the range', () => {
  const { rtc } = part();
  assert.throws(() => rtc.setUnixTime(unix(1999, 12, 31, 23, 59, 59)), /2000\.\.2099/);
  assert.throws(() => rtc.setUnixTime(unix(2100, 1, 1, 0, 0, 0)), /2000\.\.2099/);
  assert.throws(() => rtc.setUnixTime(1.5e9 + 0.5), (e: unknown) => e instanceof RangeError);
});

test('secondsSince2000 counts from 2000-01-01 00:00:00', () => {
  const { rtc } = part();
  rtc.setUnixTime(unix(2000, 1, 2, 0, 0, 1));
  assert.is(rtc.secondsSince2000(), 86_401);
});

test('reads the hours back in 12-hour format when they were written so: 15 h reads 0x63 (12 h mode, PM, 03)', () => {
  const { rtc } = part();
  writeRegs(rtc, 0x00, [0x00, 0x15, 0x40 | 0x20 | 0x03, 0x01, 0x01, 0x03, 0x26]);
  assert.is(readRegs(rtc, 0x02, 1)[0], 0x63);
  assert.is(rtc.twelveHourMode, true);
  writeRegs(rtc, 0x02, [0x00]); // midnight in 24-hour mode
  assert.is(readRegs(rtc, 0x02, 1)[0], 0x00);
});

test('12 AM reads 0x52 and noon reads 0x72 in 12-hour mode', () => {
  const { rtc } = part();
  writeRegs(rtc, 0x00, [0x00, 0x00, 0x40 | 0x12, 0x01, 0x01, 0x03, 0x26]);
  assert.is(readRegs(rtc, 0x02, 1)[0], 0x52);
  writeRegs(rtc, 0x00, [0x00, 0x00, 0x40 | 0x20 | 0x12, 0x01, 0x01, 0x03, 0x26]);
  assert.is(readRegs(rtc, 0x02, 1)[0], 0x72);
});

test('the day-of-week register keeps what was written (RTClib writes 0) and steps at midnight, 7 rolling to 1', async () => {
  const { clock, rtc } = part();
  writeRegs(rtc, 0x00, [0x59, 0x59, 0x23, 0x00, 0x01, 0x03, 0x26]); // 23:59:59, day register 0
  assert.is(readRegs(rtc, 0x03, 1)[0], 0x00);
  await clock.runFor(1_000_000);
  assert.is(readRegs(rtc, 0x03, 1)[0], 0x01);
  writeRegs(rtc, 0x03, [0x07]);
  await clock.runFor(86_399_000_000);
  assert.is(readRegs(rtc, 0x03, 1)[0], 0x07);
  await clock.runFor(1_000_000);
  assert.is(readRegs(rtc, 0x03, 1)[0], 0x01);
});

test('writing only the minutes keeps the sub-second phase of the countdown chain', async () => {
  const { clock, rtc } = part();
  rtc.setUnixTime(unix(2026, 3, 1, 8, 0, 0));
  await clock.runFor(900_000);
  writeRegs(rtc, 0x01, [0x30]);
  await clock.runFor(100_000);
  assert.is(rtc.unixtime(), unix(2026, 3, 1, 8, 30, 1));
});

test('halting keeps the sub-second phase: 0.6 s before, 0.4 s after a halt make one second', async () => {
  const { clock, rtc } = part();
  const t0 = unix(2026, 3, 1, 8, 0, 0);
  rtc.setUnixTime(t0);
  await clock.runFor(600_000);
  rtc.setHalted(true);
  await clock.runFor(10_000_000);
  rtc.setHalted(false);
  await clock.runFor(399_999);
  assert.is(rtc.unixtime(), t0);
  await clock.runFor(1);
  assert.is(rtc.unixtime(), t0 + 1);
});

test('keeps counting while nothing reads it (battery-backed across a mains power cut): one day later reads one day on', async () => {
  const { clock, rtc } = part();
  const t0 = unix(2026, 3, 1, 8, 0, 0);
  rtc.setUnixTime(t0);
  await clock.runFor(86_400_000_000);
  assert.is(rtc.unixtime(), t0 + 86_400);
  assert.equal(readRegs(rtc, 0x04, 3), [0x02, 0x03, 0x26]);
});

test('NVRAM starts zeroed by default', () => {
  assert.ok(part().rtc.nvram.every((b) => b === 0));
});

test('NVRAM can start with the given 56 bytes, readable at 08h..3Fh', () => {
  const bytes = Array.from({ length: 56 }, (_, i) => (i * 7) & 0xff);
  const { rtc } = part({ nvram: bytes });
  assert.equal(readRegs(rtc, 0x08, 56), bytes);
});

test('NVRAM can start random from a seeded source, the same for the same seed', () => {
  const r1 = new Rng(7);
  const r2 = new Rng(7);
  const b = part({ nvram: 'random', rand: () => r1.next() }).rtc;
  const c = part({ nvram: 'random', rand: () => r2.next() }).rtc;
  assert.equal(Array.from(b.nvram), Array.from(c.nvram));
  assert.ok(new Set(b.nvram).size > 20, 'the bytes vary');
});

test('NVRAM of the wrong size is refused with a message naming 56 bytes', () => {
  assert.throws(() => part({ nvram: new Uint8Array(55) }), /exactly 56 bytes, got 55 bytes/);
});

test("NVRAM 'random' without a seeded source is refused with a clear message", () => {
  assert.throws(() => part({ nvram: 'random' }), /needs a seeded source/);
});

test('a repeated START after a time write applies it, as a STOP would', () => {
  const { rtc } = part();
  assert.ok(rtc.start(false));
  rtc.write(0x00);
  for (const b of [0x00, 0x00, 0x12, 0x01, 0x15, 0x06, 0x26]) rtc.write(b);
  assert.ok(rtc.start(true));
  rtc.stop();
  assert.is(rtc.unixtime(), unix(2026, 6, 15, 12, 0, 0));
});

test('setTime sets the clock in Unix seconds and rejects a non-integer with a clear message', () => {
  const { rtc } = part();
  rtc.setTime(unix(2030, 1, 2, 3, 4, 5));
  assert.equal(readRegs(rtc, 0x00, 7).filter((_, i) => i !== 3), [0x05, 0x04, 0x03, 0x02, 0x01, 0x30]);
  assert.throws(() => rtc.setTime(1.5e9 + 0.5), /whole number of Unix seconds within 2000\.\.2099, got 1500000000\.5/);
});

test.run();
