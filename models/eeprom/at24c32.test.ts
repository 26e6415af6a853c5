// AT24C32 serial EEPROM (Atmel AT24C32 datasheet): byte/page write, 32-byte page roll-over, self-timed write cycle
// tWR 10 ms with NACK polling, sequential read, and the torn page write of a power cut (docs/firmware.md §7.5).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { SimTime } from '../sim-time.ts';
import { AT24C32, AT24C32_PAGE, AT24C32_SIZE, EepromImageError } from './at24c32.ts';

/** A part on a virtual clock; `ahead` lets the part's time run ahead of the clock's events, as the CPU cursor does. */
function part(config: ConstructorParameters<typeof AT24C32>[1] = {}) {
  const clock = new VirtualClock();
  const view = { ahead: 0 };
  const time: SimTime = {
    now: () => clock.now() + view.ahead,
    at: (t, fn) => clock.at(Math.max(t, clock.now()), fn),
  };
  return { clock, view, eeprom: new AT24C32(time, config) };
}

/** START(W), word address high and low, data bytes, STOP. Returns false at the first NACK. */
function writeAt(e: AT24C32, address: number, data: number[]): boolean {
  if (!e.start(false)) return false;
  if (!e.write((address >> 8) & 0xff) || !e.write(address & 0xff)) return false;
  for (const b of data) if (!e.write(b)) return false;
  e.stop();
  return true;
}

/** Random read: dummy write of the word address, then START(R) and `n` sequential reads. Null on NACK. */
function readAt(e: AT24C32, address: number, n: number): number[] | null {
  if (!writeAt(e, address, [])) return null;
  if (!e.start(true)) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(e.read());
  e.stop();
  return out;
}

test('a new part reads 0xFF (erased) in all 4096 bytes', () => {
  const { eeprom } = part();
  const img = eeprom.dump();
  assert.is(img.length, AT24C32_SIZE);
  assert.ok(img.every((b) => b === 0xff));
});

test('answers at address 0x50 with A2..A0 low', () => {
  const { eeprom } = part();
  assert.is(eeprom.address, 0x50);
});

test('a page write is readable after the 10 ms write cycle', async () => {
  const { clock, eeprom } = part();
  assert.ok(writeAt(eeprom, 0x0009, [0xf4, 0x01, 0x00, 0x00]));
  await clock.runFor(10_000);
  assert.equal(readAt(eeprom, 0x0009, 4), [0xf4, 0x01, 0x00, 0x00]);
});

test('a page write rolls over inside its 32-byte page: 4 bytes at 0x1E land at 0x1E, 0x1F, 0x00, 0x01', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x001e, [1, 2, 3, 4]);
  await clock.runFor(10_000);
  const img = eeprom.dump();
  assert.equal([img[0x1e], img[0x1f], img[0x00], img[0x01]], [1, 2, 3, 4]);
  assert.is(img[0x20], 0xff, 'the next page is not touched');
});

test('more than 32 bytes in one page write overwrite the first ones (the page latch holds one byte per cell)', async () => {
  const { clock, eeprom } = part();
  const data = Array.from({ length: AT24C32_PAGE + 2 }, (_, i) => i);
  writeAt(eeprom, 0x0040, data);
  await clock.runFor(10_000);
  const img = eeprom.dump();
  assert.is(img[0x40], 32);
  assert.is(img[0x41], 33);
  assert.is(img[0x42], 2);
  assert.is(img[0x5f], 31);
  assert.is(img[0x60], 0xff);
});

test('NACKs its address during the 10 ms write cycle and ACKs again when it is over', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x0100, [0x55]);
  await clock.runFor(9_999);
  assert.is(eeprom.busy, true);
  assert.is(eeprom.start(false), false);
  assert.is(eeprom.start(true), false);
  await clock.runFor(1);
  assert.is(eeprom.busy, false);
  assert.is(eeprom.start(false), true);
  eeprom.stop();
});

test('the array keeps the old bytes until the write cycle ends', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x0100, [0x55]);
  await clock.runFor(5_000);
  assert.is(eeprom.dump()[0x100], 0xff);
  await clock.runFor(5_000);
  assert.is(eeprom.dump()[0x100], 0x55);
});

test('a read right after tWR returns the new bytes even before the clock event of the cycle end has run', () => {
  const { view, eeprom } = part();
  writeAt(eeprom, 0x0200, [0xaa, 0xbb]);
  // The firmware's time (the CPU cursor) is 10 ms on, the clock has not processed the cycle's end event yet.
  view.ahead = 10_000;
  assert.equal(readAt(eeprom, 0x0200, 2), [0xaa, 0xbb]);
  assert.is(eeprom.writeCycles, 1);
});

test('an address-only write (the dummy write of a random read) starts no write cycle', () => {
  const { eeprom } = part();
  assert.ok(writeAt(eeprom, 0x0300, []));
  assert.is(eeprom.busy, false);
  assert.is(eeprom.start(false), true);
  eeprom.stop();
  assert.is(eeprom.writeCycles, 0);
});

test('uses only the low 12 bits of the word address (0x1234 is cell 0x234)', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x1234, [0x42]);
  await clock.runFor(10_000);
  assert.is(eeprom.dump()[0x234], 0x42);
});

test('a sequential read rolls over from 0xFFF to 0x000', () => {
  const { eeprom } = part();
  const img = new Uint8Array(AT24C32_SIZE).fill(0);
  img[0xfff] = 0x11;
  img[0x000] = 0x22;
  img[0x001] = 0x33;
  eeprom.load(img);
  assert.equal(readAt(eeprom, 0x0fff, 3), [0x11, 0x22, 0x33]);
});

test('onWrite reports each completed write cycle with its first address and byte count', async () => {
  const { clock, eeprom } = part();
  const seen: [number, number, number][] = [];
  eeprom.onWrite = (first, n, t) => seen.push([first, n, t]);
  writeAt(eeprom, 0x0009, [1, 2, 3, 4]);
  await clock.runFor(20_000);
  writeAt(eeprom, 0x0020, [9]);
  await clock.runFor(20_000);
  assert.equal(seen, [[0x0009, 4, 10_000], [0x0020, 1, 30_000]]);
  assert.is(eeprom.writeCycles, 2);
});

test('a part that is not fitted NACKs every address byte', () => {
  const { eeprom } = part({ present: false });
  assert.is(eeprom.start(false), false);
  assert.is(eeprom.start(true), false);
});

test('a data byte after a NACKed start is NACKed too', () => {
  const { eeprom } = part({ present: false });
  eeprom.start(false);
  assert.is(eeprom.write(0x00), false);
});

test('load() takes a 4096-byte dump and dump() returns a copy', () => {
  const { eeprom } = part();
  const img = new Uint8Array(AT24C32_SIZE).map((_, i) => i & 0xff);
  eeprom.load(img);
  const d = eeprom.dump();
  assert.equal(Array.from(d.subarray(0, 4)), [0, 1, 2, 3]);
  d[0] = 0x99;
  assert.is(eeprom.image[0], 0);
});

test('load() of an image of the wrong size throws a clear EepromImageError naming both sizes', () => {
  const { eeprom } = part();
  const err = (() => { try { eeprom.load(new Uint8Array(4095)); } catch (e) { return e; } return null; })();
  assert.instance(err, EepromImageError);
  assert.match((err as Error).message, /exactly 4096 bytes, got 4095/);
});

test('load() of something that is not a byte array throws EepromImageError, not a TypeError', () => {
  const { eeprom } = part();
  assert.throws(() => eeprom.load(undefined as unknown as Uint8Array), (e: unknown) => e instanceof EepromImageError && /got nothing/.test((e as Error).message));
  assert.throws(() => eeprom.load([1, 2, 3] as unknown as Uint8Array), (e: unknown) => e instanceof EepromImageError);
});

test('a power cut during the write cycle leaves each in-flight byte old, new or 0xFF and touches nothing else', () => {
  const { eeprom } = part();
  const img = new Uint8Array(AT24C32_SIZE).fill(0x5a);
  eeprom.load(img);
  writeAt(eeprom, 0x0009, [0x01, 0x02, 0x03]);
  const draws = [0.1, 0.5, 0.9]; // < 1/3 old, < 2/3 new, else erased
  const torn = eeprom.powerCut(() => draws.shift()!);
  assert.is(torn, 3);
  const d = eeprom.dump();
  assert.equal([d[9], d[10], d[11]], [0x5a, 0x02, 0xff]);
  const others = d.filter((_, i) => i < 9 || i > 11);
  assert.ok(others.every((b) => b === 0x5a));
});

test('a torn write is not completed later when the clock reaches the old cycle end', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x0040, [0x01]);
  eeprom.powerCut(() => 0.1); // keeps the old byte
  await clock.runFor(20_000);
  assert.is(eeprom.dump()[0x40], 0xff);
  assert.is(eeprom.writeCycles, 0);
});

test('after a power cut the part ACKs at once (no write cycle left running)', () => {
  const { eeprom } = part();
  writeAt(eeprom, 0x0040, [0x01]);
  eeprom.powerCut(() => 0.5);
  assert.is(eeprom.busy, false);
  assert.is(eeprom.start(true), true);
  eeprom.stop();
});

test('a power cut after the write cycle has ended tears nothing', async () => {
  const { clock, eeprom } = part();
  writeAt(eeprom, 0x0040, [0x01, 0x02]);
  await clock.runFor(10_000);
  let draws = 0;
  assert.is(eeprom.powerCut(() => { draws++; return 0.9; }), 0);
  assert.is(draws, 0);
  assert.equal(Array.from(eeprom.dump().subarray(0x40, 0x42)), [0x01, 0x02]);
});

test('a power cut just after tWR keeps the new bytes even before the clock event of the cycle end has run', () => {
  const { view, eeprom } = part();
  writeAt(eeprom, 0x0040, [0x01, 0x02]);
  view.ahead = 10_000;
  assert.is(eeprom.powerCut(() => 0.1), 0);
  assert.equal(Array.from(eeprom.dump().subarray(0x40, 0x42)), [0x01, 0x02]);
  assert.is(eeprom.writeCycles, 1);
});

test('a power cut in the middle of a transfer (before STOP) writes nothing', async () => {
  const { clock, eeprom } = part();
  eeprom.start(false);
  eeprom.write(0x00);
  eeprom.write(0x40);
  eeprom.write(0x77);
  assert.is(eeprom.powerCut(() => 0.5), 0);
  eeprom.stop();
  await clock.runFor(20_000);
  assert.is(eeprom.dump()[0x40], 0xff);
});

test('a repeated START before STOP abandons the page write (the write cycle starts on STOP)', async () => {
  const { clock, eeprom } = part();
  eeprom.start(false);
  eeprom.write(0x00);
  eeprom.write(0x40);
  eeprom.write(0x77);
  assert.ok(eeprom.start(true), 'repeated START, read');
  eeprom.read();
  eeprom.stop();
  assert.is(eeprom.busy, false);
  await clock.runFor(20_000);
  assert.is(eeprom.dump()[0x40], 0xff);
});

test('a current-address read continues after the last byte read', () => {
  const { eeprom } = part();
  const img = new Uint8Array(AT24C32_SIZE).map((_, i) => i & 0xff);
  eeprom.load(img);
  assert.equal(readAt(eeprom, 0x0010, 2), [0x10, 0x11]);
  assert.ok(eeprom.start(true));
  assert.is(eeprom.read(), 0x12);
  eeprom.stop();
});

test('unplugging the part (present = false) makes it NACK; plugging it back makes it answer', () => {
  const { eeprom } = part();
  eeprom.present = false;
  assert.is(eeprom.start(false), false);
  eeprom.present = true;
  assert.is(eeprom.start(false), true);
  eeprom.stop();
});

test('the write cycle time is configurable (tWRUs 5 ms)', async () => {
  const { clock, eeprom } = part({ tWRUs: 5_000 });
  writeAt(eeprom, 0x0000, [1]);
  await clock.runFor(4_999);
  assert.is(eeprom.busy, true);
  await clock.runFor(1);
  assert.is(eeprom.busy, false);
});

test('counts program cycles per cell and lists cells written past the rated endurance', async () => {
  const { clock, eeprom } = part({ endurance: 2 });
  for (let i = 0; i < 3; i++) {
    writeAt(eeprom, 0x0009, [i, i]);
    await clock.runFor(10_000);
  }
  assert.equal([eeprom.cellWrites[9], eeprom.cellWrites[10], eeprom.cellWrites[11]], [3, 3, 0]);
  assert.equal(eeprom.wornCells(), [9, 10]);
});

test('powerCut without a random source is refused with a clear message', () => {
  const { eeprom } = part();
  assert.throws(() => eeprom.powerCut(undefined as unknown as () => number), /needs a seeded source/);
});

test.run();
