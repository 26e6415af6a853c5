// Integration of the libraries with the simulated board (twin/board/simulated-board.ts) and the part models, wired
// as TwinMeter wires them: the parts see the running code's time (the CPU cursor).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { PINS } from '../../board/board.ts';
import { createSimulatedBoard } from '../../board/simulated-board.ts';
import { GLYPH_CHARS } from '../../../models/lcd/hd44780.ts';
import { KEYPAD_LAYOUT } from '../../../models/keypad/keypad-matrix.ts';
import { f32, NO_KEY } from './arduino.ts';
import { AT24CX } from './at24cx.ts';
import { Keypad, type KeyState } from './keypad.ts';
import { LiquidCrystal } from './liquid-crystal.ts';
import { DateTime, RTC_DS1307 } from './rtclib.ts';

function rig(opts: { eepromPresent?: boolean; rtcPresent?: boolean } = {}) {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const board = createSimulatedBoard(cpu, { eeprom: { present: opts.eepromPresent ?? true }, rtc: { present: opts.rtcPresent ?? true } });
  const { lcd, keypad } = board.parts;
  return { clock, cpu, board, lcd, keypad, eeprom: board.parts.eeprom!, rtc: board.parts.rtc! };
}

/** Run `body` as the firmware's main task until it returns. */
async function runTask(clock: VirtualClock, body: () => Promise<void>): Promise<void> {
  let failure: unknown;
  let done = false;
  clock.spawn('main', async () => { try { await body(); } catch (e) { failure = e; } finally { done = true; } });
  while (!done) await clock.runFor(100_000);
  if (failure) throw failure;
}

test('LiquidCrystal draws scene 1 on the HD44780 model as V=230.4 C=1.23 A / W=271.66 PF=0.96', () => {
  const { board, lcd } = rig();
  const l = new LiquidCrystal(board);
  l.begin(16, 2);
  const at = (c: number, r: number, s: string): void => { l.setCursor(c, r); l.print(s); };
  const num = (c: number, r: number, x: number): void => { l.setCursor(c, r); l.printFloat(f32(x)); };
  at(0, 0, 'V=     '); num(2, 0, 230.45); at(7, 0, ' '); at(8, 0, 'C=     '); num(10, 0, 1.23); at(15, 0, 'A');
  at(0, 1, 'W=          '); num(2, 1, 271.66); at(8, 1, ' '); at(9, 1, 'PF=        '); num(12, 1, 0.96);
  assert.equal(lcd.visibleLines(), ['V=230.4 C=1.23 A', 'W=271.66 PF=0.96']);
});

test('LiquidCrystal on the simulated board: begin takes about 61 ms and println shows CGRAM glyphs 5 and 2', () => {
  const { board, cpu, lcd } = rig();
  const l = new LiquidCrystal(board);
  const t0 = cpu.nowUs();
  l.begin(16, 2);
  const took = cpu.nowUs() - t0;
  assert.ok(took >= 60_000 && took <= 64_000, `begin took ${took} us`);
  l.setCursor(0, 1);
  l.println('OK');
  assert.is(lcd.visibleLines()[1], `OK${GLYPH_CHARS[5]}${GLYPH_CHARS[2]}            `);
});

test('Keypad scans the keypad matrix through the board GPIO and reports a press once, PRESSED not HOLD', async () => {
  const { board, clock, keypad } = rig();
  const kp = new Keypad(board, KEYPAD_LAYOUT, PINS.keypadRows, PINS.keypadCols);
  clock.at(200_000, () => keypad.press('#'));
  clock.at(1_200_000, () => keypad.release('#'));
  const got: { key: string; state: KeyState }[] = [];
  const states = new Set<KeyState>();
  await runTask(clock, async () => {
    while (board.millis() < 1500) {
      const key = kp.getKey();
      states.add(kp.getState());
      if (key !== NO_KEY) got.push({ key, state: kp.getState() });
      await board.delay(20);
    }
  });
  assert.equal(got, [{ key: '#', state: 'PRESSED' }]);
  assert.ok(states.has('HOLD'), 'a 1 s press reaches HOLD');
});

test('AT24CX round-trips writeLong/readLong through the AT24C32 model, waiting out its write cycle', async () => {
  const { board, clock, eeprom } = rig();
  const mem = new AT24CX(board);
  let read = -1;
  await runTask(clock, async () => {
    mem.writeLong(9, 4000000123);
    await board.delay(10);
    read = mem.readLong(9);
  });
  assert.is(read, 4000000123);
  assert.equal([...eeprom.image.subarray(9, 13)], [0x7b, 0x28, 0x6b, 0xee]);
});

test('AT24CX with the AT24C32 model absent: the write is skipped and readLong returns the stale buffer', async () => {
  const { board, clock, eeprom } = rig({ eepromPresent: false });
  const mem = new AT24CX(board);
  let read = -1;
  await runTask(clock, async () => {
    mem.writeLong(9, 77);
    await board.delay(10);
    read = mem.readLong(9);
  });
  assert.is(read, 0);
  assert.is(eeprom.writeCycles, 0);
});

test('RTC_DS1307 reads the DS1307 model time and its NVRAM', () => {
  const { board, rtc } = rig();
  rtc.setUnixTime(new DateTime(2026, 3, 1, 8, 0, 0).unixtime());
  const lib = new RTC_DS1307(board);
  assert.is(lib.begin(), true);
  assert.is(lib.isrunning(), true);
  assert.is(lib.now().toString(), '2026-03-01T08:00:00');
  lib.writenvramBytes(4, [1, 2, 3, 4]);
  assert.equal([...rtc.nvram.subarray(4, 8)], [1, 2, 3, 4]);
  assert.equal(lib.readnvramBytes(4, 4), [1, 2, 3, 4]);
});

test('RTC_DS1307 adjust() sets and starts a halted DS1307 model', () => {
  const { board, rtc } = rig();
  rtc.setHalted(true);
  const lib = new RTC_DS1307(board);
  assert.is(lib.isrunning(), false);
  lib.adjust(new DateTime(2027, 12, 31, 23, 59, 50));
  assert.is(lib.isrunning(), true);
  assert.is(rtc.unixtime(), new DateTime(2027, 12, 31, 23, 59, 50).unixtime());
});

test('RTC_DS1307 with the DS1307 model missing: begin() is false and now() is 2165-165-165 165:165:85', () => {
  const { board } = rig({ rtcPresent: false });
  const lib = new RTC_DS1307(board);
  assert.is(lib.begin(), false);
  const t = lib.now();
  assert.equal([t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second()], [2165, 165, 165, 165, 165, 85]);
});

test.run();
