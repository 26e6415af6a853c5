import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { f32, toUint32 } from './arduino.ts';
import { AT24CX } from './at24cx.ts';
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { createSimulatedBoard } from '../../board/simulated-board.ts';
import { eepromCells, setEepromCells } from '../../../test/support/i2c-parts.ts';

/** The library on the simulated board with its AT24C32 (unplugged unless `present`). */
function setup(present = true) {
  const cpu = new Cpu(new VirtualClock());
  const board = createSimulatedBoard(cpu, { eeprom: { present } });
  const chip = board.parts.eeprom!;
  /** The transfers the EEPROM acknowledged: writes (address bytes first) and reads. */
  const transfers: { kind: 'w' | 'r'; bytes: number[] }[] = [];
  board.wire.onTransfer = (address, read, bytes, result) => {
    if (address === chip.address && result === 0) transfers.push({ kind: read ? 'r' : 'w', bytes });
  };
  const eeprom = new AT24CX(board);
  return { board, cpu, chip, eeprom, transfers };
}

test('writeLong stores 4 bytes little-endian and readLong reads them back as a uint32', () => {
  const { chip, eeprom } = setup();
  eeprom.writeLong(9, 0xdeadbeef);
  assert.equal(eepromCells(chip, 9, 4), [0xef, 0xbe, 0xad, 0xde]);
  assert.is(eeprom.readLong(9), 0xdeadbeef);
});

test('readLong of a virgin (all 0xFF) EEPROM is 4294967295', () => {
  const { eeprom } = setup();
  assert.is(eeprom.readLong(9), 4294967295);
});

test('a float credit written with writeLong loses its fraction (toUint32 first, as the C conversion does)', () => {
  const { eeprom } = setup();
  eeprom.writeLong(9, toUint32(f32(125.75)));
  assert.is(eeprom.readLong(9), 125);
});

test('writeInt writes only 2 bytes of the unsigned int', () => {
  const { chip, eeprom } = setup();
  eeprom.writeInt(32, 0x12345678);
  assert.equal(eepromCells(chip, 32, 3), [0x78, 0x56, 0xff]);
});

test('readInt returns the 2 bytes read plus the stale upper bytes of the previous read', () => {
  const { eeprom } = setup();
  eeprom.writeLong(0, 0x44332211);
  eeprom.writeInt(100, 0xbbaa);
  assert.is(eeprom.readLong(0), 0x44332211);
  assert.is(eeprom.readInt(100), 0x4433bbaa);
  assert.is(eeprom.readInt(100) & 0xffff, 0xbbaa);
});

test('readInt on a fresh object has zero upper bytes (the buffer _b starts at 0)', () => {
  const { eeprom } = setup();
  eeprom.writeInt(100, 0x0102);
  assert.is(eeprom.readInt(100), 0x0102);
});

test('an absent device: writes are skipped after the NACKed probe and take no delay', () => {
  const { eeprom, transfers, cpu } = setup(false);
  const t0 = cpu.nowUs();
  eeprom.writeLong(9, 1234);
  assert.is(transfers.length, 0);
  assert.ok(cpu.nowUs() - t0 < 1000, 'no delay(20) after a skipped write');
});

test('an absent device: readLong returns the stale buffer (0 at start, then the last value read)', () => {
  const { eeprom, chip } = setup();
  assert.is(eeprom.readLong(50), 0xffffffff);
  setEepromCells(chip, 9, [0x10, 0x27, 0, 0]);
  assert.is(eeprom.readLong(9), 10000);
  chip.present = false;
  assert.is(eeprom.readLong(9), 10000);
  assert.is(eeprom.readLong(200), 10000);
  const fresh = new AT24CX(setup(false).board);
  assert.is(fresh.readLong(9), 0);
});

test('an absent device: the single-byte read returns 0 (a local, not the stale buffer)', () => {
  const { eeprom, chip } = setup();
  assert.is(eeprom.readLong(0), 0xffffffff);
  chip.present = false;
  assert.is(eeprom.read(10), 0);
});

test('write and read of a single byte', () => {
  const { chip, eeprom } = setup();
  eeprom.write(10, 1);
  assert.equal(eepromCells(chip, 10, 1), [1]);
  assert.is(eeprom.read(10), 1);
});

test('a 4-byte write blocks for about 21 ms (the transfer plus delay(20))', () => {
  const { eeprom, cpu } = setup();
  const t0 = cpu.nowUs();
  eeprom.writeLong(9, 5);
  const took = cpu.nowUs() - t0;
  assert.ok(took >= 20_000 && took <= 22_000, `writeLong took ${took} us`);
});

test('writes are split at the 32-byte page boundary, each chunk followed by delay(20)', () => {
  const { chip, eeprom, transfers, cpu } = setup();
  const t0 = cpu.nowUs();
  eeprom.writeChars(30, 'ABCDEFG');
  const took = cpu.nowUs() - t0;
  const writes = transfers.filter((t) => t.kind === 'w' && t.bytes.length > 2);
  assert.equal(writes.map((w) => w.bytes.length - 2), [2, 5]);
  assert.is(String.fromCharCode(...eepromCells(chip, 30, 7)), 'ABCDEFG');
  assert.ok(took >= 40_000 && took < 43_000, `two page writes took ${took} us`);
});

test('writes longer than 30 bytes go in chunks of at most 30', () => {
  const { chip, eeprom, transfers } = setup();
  const data = new Uint8Array(64).map((_, i) => i);
  eeprom.writeChars(64, data);
  const sizes = transfers.filter((t) => t.kind === 'w' && t.bytes.length > 2).map((w) => w.bytes.length - 2);
  assert.equal(sizes, [30, 2, 30, 2]);
  assert.equal(eepromCells(chip, 64, 64), [...data]);
});

test('readChars fills the caller buffer and leaves it as it was when the device is absent', () => {
  const { eeprom, chip } = setup();
  eeprom.writeChars(0, 'HELLO');
  const buf = new Uint8Array(5);
  eeprom.readChars(0, buf);
  assert.is(String.fromCharCode(...buf), 'HELLO');
  chip.present = false;
  const kept = Uint8Array.of(1, 2, 3, 4, 5);
  eeprom.readChars(0, kept);
  assert.equal([...kept], [1, 2, 3, 4, 5]);
});

test('refuses a float or an out-of-range address with a clear message', () => {
  const { eeprom } = setup();
  assert.throws(() => eeprom.writeLong(9, 125.5), /convert a float first/);
  assert.throws(() => eeprom.readLong(70000), /address must be an integer in 0..65535/);
});

test.run();
