import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { f32 } from './arduino.ts';
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { createSimulatedBoard } from '../../board/simulated-board.ts';
import { LiquidCrystal } from './liquid-crystal.ts';

// Custom characters the firmware creates at boot (docs/firmware.md §1.6).
const FE1 = [0b00011, 0b00011, 0b00011, 0b00011, 0b00011, 0b11111, 0b11111, 0b11111];
const FE3 = [0b11111, 0b11111, 0b11111, 0b00011, 0b00011, 0b00011, 0b00011, 0b00011];

/** The simulated board with its HD44780; `line(row)` is what the display shows. */
function board() {
  const cpu = new Cpu(new VirtualClock());
  const b = createSimulatedBoard(cpu);
  const lcd = b.parts.lcd;
  return { board: b, cpu, lcd, line: (row: 0 | 1): string => lcd.visibleLines()[row] };
}

function setup() {
  const parts = board();
  const lcd = new LiquidCrystal(parts.board);
  lcd.begin(16, 2);
  return { ...parts, lcdLib: lcd };
}

/** `lcd_update()` scene 1 (lcd_display.hpp), exactly as docs/firmware.md §3.7 lists its writes. */
function scene1(lcd: LiquidCrystal, v: number, i: number, p: number, pf: number): void {
  lcd.setCursor(0, 0); lcd.print('V=     ');
  lcd.setCursor(2, 0); lcd.printFloat(f32(v));
  lcd.setCursor(7, 0); lcd.print(' ');
  lcd.setCursor(8, 0); lcd.print('C=     ');
  lcd.setCursor(10, 0); lcd.printFloat(f32(i));
  lcd.setCursor(15, 0); lcd.print('A');
  lcd.setCursor(0, 1); lcd.print('W=          ');
  lcd.setCursor(2, 1); lcd.printFloat(f32(p));
  lcd.setCursor(8, 1); lcd.print(' ');
  lcd.setCursor(9, 1); lcd.print('PF=        ');
  lcd.setCursor(12, 1); lcd.printFloat(f32(pf));
}

/** Scene 2. */
function scene2(lcd: LiquidCrystal, credit: number, energy: number): void {
  lcd.setCursor(0, 0); lcd.print(' CREDIT=#       ');
  lcd.setCursor(9, 0); lcd.printFloat(f32(credit));
  lcd.setCursor(0, 1); lcd.print('ENERGY=        ');
  lcd.setCursor(7, 1); lcd.printFloat(f32(energy));
  lcd.setCursor(12, 1); lcd.print('KW/H');
}

test('scene 1 shows V=230.4 C=1.23 A / W=271.66 PF=0.96 for 230.45 V, 1.23 A, 271.66 W, PF 0.96', () => {
  const { lcd, line, lcdLib } = setup();
  scene1(lcdLib, 230.45, 1.23, 271.66, 0.96);
  assert.is(line(0), 'V=230.4 C=1.23 A');
  assert.is(line(1), 'W=271.66 PF=0.96');
});

test('scene 1 shows V=0.00  C=0.00 A / W=0.00   PF=0.00 when every value is 0', () => {
  const { lcd, line, lcdLib } = setup();
  scene1(lcdLib, 0, 0, 0, 0);
  assert.is(line(0), 'V=0.00  C=0.00 A');
  assert.is(line(1), 'W=0.00   PF=0.00');
});

test('scene 1 lets long values spill under the next label: C=12.34A and PF=-0.9', () => {
  const { lcd, line, lcdLib } = setup();
  scene1(lcdLib, 231.5, 12.34, 2856.1, -0.98);
  assert.is(line(0), 'V=231.5 C=12.34A');
  assert.is(line(1), 'W=2856.1 PF=-0.9');
});

test('scene 1 with a dead AFE shows V=655.3 and PF=-32.', () => {
  const { lcd, line, lcdLib } = setup();
  scene1(lcdLib, 655.35, 0, 0, -32.767);
  assert.is(line(0), 'V=655.3 C=0.00 A');
  assert.is(line(1), 'W=0.00   PF=-32.');
});

test('scene 2 shows CREDIT=#125.00 and ENERGY=0.00 KW/H', () => {
  const { lcd, line, lcdLib } = setup();
  scene2(lcdLib, 125, 0);
  assert.is(line(0), ' CREDIT=#125.00 ');
  assert.is(line(1), 'ENERGY=0.00 KW/H');
});

test('scene 2 shows CREDIT=#ovf for the virgin-EEPROM credit 4294967296', () => {
  const { lcd, line, lcdLib } = setup();
  scene2(lcdLib, 4294967296, 0);
  assert.is(line(0), ' CREDIT=#ovf    ');
});

test('scene 2 cuts 12415.00 to 12415.0 and 123.46 to 123.4 under KW/H', () => {
  const { lcd, line, lcdLib } = setup();
  scene2(lcdLib, 12415, 123.456);
  assert.is(line(0), ' CREDIT=#12415.0');
  assert.is(line(1), 'ENERGY=123.4KW/H');
});

test('println puts CR LF after the text, which the HD44780 shows as CGRAM glyphs 5 and 2', () => {
  const { lcd, line, lcdLib } = setup();
  lcdLib.setCursor(0, 1);
  const n = lcdLib.println(' ');
  assert.is(n, 3);
  assert.equal([...lcd.ddram.subarray(0x40, 0x43)], [0x20, 0x0d, 0x0a]);
  assert.is(0x0d & 0x07, 5);
  assert.is(0x0a & 0x07, 2);
});

test('println("No Configuration! ") shows No Configuration; "! \\r\\n" lands in invisible columns 16-19', () => {
  const { lcd, line, lcdLib } = setup();
  lcdLib.clear();
  lcdLib.println('No Configuration! ');
  assert.is(line(0), 'No Configuration');
  assert.equal([...lcd.ddram.subarray(0x10, 0x14)], [0x21, 0x20, 0x0d, 0x0a]);
});

test('text longer than 40 columns wraps from DDRAM 0x27 into row 1', () => {
  const { lcd, line, lcdLib } = setup();
  lcdLib.clear();
  lcdLib.print('0123456789012345678901234567890123456789ABCDE');
  assert.is(line(0), '0123456789012345');
  assert.is(line(1), 'ABCDE           ');
});

test('setCursor addresses col + 0x40 on row 1 and clamps a row past the last one to row 1', () => {
  const { lcd, line, lcdLib } = setup();
  lcdLib.setCursor(3, 1);
  assert.is(lcd.addressCounter, 0x43);
  lcdLib.setCursor(5, 7);
  assert.is(lcd.addressCounter, 0x45);
});

test('begin(16, 2) takes about 61 ms, clears DDRAM and keeps CGRAM', () => {
  const { cpu, lcd, line, lcdLib } = setup();
  lcdLib.createChar(0, FE1);
  lcdLib.setCursor(0, 0);
  lcdLib.print('BOOT');
  const t0 = cpu.nowUs();
  lcdLib.begin(16, 2);
  const took = cpu.nowUs() - t0;
  assert.ok(took >= 60_000 && took <= 64_000, `begin took ${took} us`);
  assert.is(line(0), ' '.repeat(16));
  assert.equal([...lcd.cgram.subarray(0, 8)], FE1);
  assert.ok(lcd.twoLine && lcd.displayOn);
});

test('clear() waits 2 ms after the instruction', () => {
  const { cpu, lcdLib } = setup();
  const t0 = cpu.nowUs();
  lcdLib.clear();
  const clearUs = cpu.nowUs() - t0;
  const t1 = cpu.nowUs();
  lcdLib.setCursor(0, 0);
  const commandUs = cpu.nowUs() - t1;
  assert.is(clearUs - commandUs, 2000);
});

test('createChar stores 8 rows at CGRAM location*8 and leaves the address in CGRAM', () => {
  const { lcd, line, lcdLib } = setup();
  lcdLib.createChar(2, FE3);
  assert.equal([...lcd.cgram.subarray(16, 24)], FE3);
  assert.ok(lcd.addressingCgram);
  lcdLib.createChar(10, FE1); // location & 7 = 2, as in the library
  assert.equal([...lcd.cgram.subarray(16, 24)], FE1);
});

test('the constructor initialises the display for one line, as the library does before setup()', () => {
  const { lcd, board: b } = board();
  assert.ok(lcd.eightBitInterface, 'the controller starts in 8-bit mode');
  new LiquidCrystal(b);
  assert.not.ok(lcd.eightBitInterface, 'function set: 4-bit interface');
  assert.ok(lcd.displayOn);
  assert.not.ok(lcd.twoLine);
});

test('print refuses a character that is not a byte, with a clear message', () => {
  const { lcdLib } = setup();
  assert.throws(() => lcdLib.print('5 €'), /not a byte/);
});

test.run();
