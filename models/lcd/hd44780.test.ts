// HD44780U controller, 16x2 in 2-line mode (Hitachi datasheet, instruction table 6; docs/firmware.md §1.6).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { charOf, GLYPH_CHARS, HD44780, HD44780_TIMING_US, LCD_COLS } from './hd44780.ts';

// Instruction bytes as the datasheet lists them.
const CLEAR = 0x01;
const HOME = 0x02;
const ENTRY_INC = 0x06;
const ENTRY_DEC = 0x04;
const DISPLAY_ON = 0x0c;
const DISPLAY_OFF = 0x08;
const FUNCTION_4BIT_2LINE = 0x28;
const SET_DDRAM = 0x80;
const SET_CGRAM = 0x40;

/** A controller initialised as LiquidCrystal.begin(16, 2) leaves it. */
function lcd(): HD44780 {
  const d = new HD44780();
  d.command(FUNCTION_4BIT_2LINE);
  d.command(DISPLAY_ON);
  d.command(CLEAR);
  d.command(ENTRY_INC);
  return d;
}

function print(d: HD44780, s: string): void { for (const ch of s) d.write(ch.charCodeAt(0)); }

const blank = ' '.repeat(LCD_COLS);

test('shows written text in the 16 visible columns of row 0', () => {
  const d = lcd();
  print(d, 'CREDIT=#500.00');
  assert.equal(d.visibleLines(), ['CREDIT=#500.00  ', blank]);
});

test('set DDRAM address 0x40 (setCursor(0, 1)) writes row 1', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x40);
  print(d, 'ENERGY=0.00 KW/H');
  assert.equal(d.visibleLines(), [blank, 'ENERGY=0.00 KW/H']);
});

test('characters past column 15 go to invisible DDRAM (0x10..0x27) and do not show', () => {
  const d = lcd();
  print(d, 'No Configuration! \r\n');
  assert.is(d.visibleLines()[0], 'No Configuration');
  assert.is(d.ddram[0x10], 0x21);
  assert.is(d.addressCounter, 0x14);
});

test('the address counter jumps from 0x27 to 0x40: the 41st character lands in row 1, column 0', () => {
  const d = lcd();
  print(d, 'x'.repeat(40) + 'Y');
  assert.is(d.visibleLines()[1], 'Y' + ' '.repeat(15));
  assert.is(d.addressCounter, 0x41);
});

test('the address counter jumps from 0x67 back to 0x00', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x67);
  print(d, 'ab');
  assert.is(d.ddram[0x67], 0x61);
  assert.is(d.visibleLines()[0][0], 'b');
  assert.is(d.addressCounter, 0x01);
});

test('in decrement mode the address counter steps down and wraps 0x40 -> 0x27 and 0x00 -> 0x67', () => {
  const d = lcd();
  d.command(ENTRY_DEC);
  d.command(SET_DDRAM | 0x41);
  print(d, 'ab');
  assert.is(d.addressCounter, 0x27);
  assert.equal([d.ddram[0x41], d.ddram[0x40]], [0x61, 0x62]);
  d.command(SET_DDRAM | 0x00);
  d.write(0x63);
  assert.is(d.addressCounter, 0x67);
});

test('clear display fills DDRAM with spaces, sets the address to 0 and takes 1.52 ms', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x45);
  print(d, 'hello');
  assert.is(d.command(CLEAR), 1520);
  assert.equal(d.visibleLines(), [blank, blank]);
  assert.ok(d.ddram.every((b) => b === 0x20));
  assert.is(d.addressCounter, 0);
});

test('clear display restores increment mode (I/D = 1)', () => {
  const d = lcd();
  d.command(ENTRY_DEC);
  d.command(CLEAR);
  print(d, 'ab');
  assert.is(d.visibleLines()[0].slice(0, 2), 'ab');
});

test('return home takes 1.52 ms, sets the address to 0 and keeps DDRAM', () => {
  const d = lcd();
  print(d, 'abc');
  assert.is(d.command(HOME), HD44780_TIMING_US.clearHome);
  assert.is(d.addressCounter, 0);
  d.write(0x5a);
  assert.is(d.visibleLines()[0].slice(0, 3), 'Zbc');
});

test('every other instruction and every data write takes 37 us', () => {
  const d = lcd();
  for (const cmd of [ENTRY_INC, DISPLAY_ON, DISPLAY_OFF, FUNCTION_4BIT_2LINE, SET_DDRAM | 3, SET_CGRAM | 8, 0x10]) {
    assert.is(d.command(cmd), 37, `instruction 0x${cmd.toString(16)}`);
  }
  assert.is(d.write(0x41), 37);
});

test('display off blanks the visible text but keeps DDRAM; display on shows it again', () => {
  const d = lcd();
  print(d, 'V=240.0');
  d.command(DISPLAY_OFF);
  assert.equal(d.visibleLines(), [blank, blank]);
  assert.is(d.displayOn, false);
  d.command(DISPLAY_ON);
  assert.is(d.visibleLines()[0].slice(0, 7), 'V=240.0');
});

test('at power-on the display is off and DDRAM is blank until initialised', () => {
  const d = new HD44780();
  assert.is(d.displayOn, false);
  print(d, 'hidden');
  assert.equal(d.visibleLines(), [blank, blank]);
});

test('character codes 0..7 show CGRAM glyphs 0..7 and codes 8..15 mirror them', () => {
  const d = lcd();
  for (let c = 0; c < 16; c++) d.write(c);
  const row = d.visibleLines()[0];
  for (let c = 0; c < 8; c++) {
    assert.is(row[c], GLYPH_CHARS[c]);
    assert.is(row[c + 8], GLYPH_CHARS[c], `code ${c + 8} mirrors CGRAM ${c}`);
  }
  assert.is(d.ddram[10], 10, 'DDRAM keeps the exact code');
});

test('println on the LCD shows CR (0x0D) as glyph 5 and LF (0x0A) as glyph 2', () => {
  const d = lcd();
  print(d, 'OK\r\n');
  assert.is(d.visibleLines()[0].slice(0, 4), `OK${GLYPH_CHARS[5]}${GLYPH_CHARS[2]}`);
});

test('set CGRAM address then data stores 5-bit glyph rows; set DDRAM address returns writes to DDRAM', () => {
  const d = lcd();
  d.command(SET_CGRAM | (2 << 3));
  const fe3 = [0x1f, 0x1f, 0x1f, 0x03, 0x03, 0x03, 0x03, 0xe3];
  for (const r of fe3) d.write(r);
  assert.equal(Array.from(d.cgram.subarray(16, 24)), [0x1f, 0x1f, 0x1f, 0x03, 0x03, 0x03, 0x03, 0x03]);
  assert.equal(d.visibleLines(), [blank, blank], 'CGRAM writes do not touch DDRAM');
  d.command(SET_DDRAM | 0x00);
  d.write(0x41);
  assert.is(d.visibleLines()[0][0], 'A');
});

test('shows 0x7E as a right arrow and 0x7F as a left arrow (ROM code A00)', () => {
  const d = lcd();
  d.write(0x7e);
  d.write(0x7f);
  assert.is(d.visibleLines()[0].slice(0, 2), '\u2192\u2190');
});

test('onChange fires for a write into the visible columns but not for the invisible ones', () => {
  const d = lcd();
  let n = 0;
  d.onChange = () => n++;
  d.command(SET_DDRAM | 0x05);
  d.write(0x41);
  assert.is(n, 1);
  d.command(SET_DDRAM | 0x20);
  d.write(0x41);
  d.command(SET_DDRAM | 0x60);
  d.write(0x41);
  assert.is(n, 1);
  d.command(SET_DDRAM | 0x4f);
  d.write(0x41);
  assert.is(n, 2);
});

test('onChange does not fire when a byte is rewritten with the same value', () => {
  const d = lcd();
  d.write(0x41);
  let n = 0;
  d.onChange = () => n++;
  d.command(SET_DDRAM | 0x00);
  d.write(0x41);
  assert.is(n, 0);
});

test('reset() returns to the power-on state: DDRAM and CGRAM blank, display off', () => {
  const d = lcd();
  print(d, 'abc');
  d.cgram[0] = 0x1f;
  d.reset();
  assert.is(d.displayOn, false);
  assert.ok(d.ddram.every((b) => b === 0x20));
  assert.ok(d.cgram.every((b) => b === 0));
  assert.is(d.addressCounter, 0);
});

test('a display shift left (0x18) moves the text one column left; return home undoes it', () => {
  const d = lcd();
  print(d, 'ABCDEFGHIJKLMNOPQ');
  d.command(0x18);
  assert.is(d.visibleLines()[0], 'BCDEFGHIJKLMNOPQ');
  assert.is(d.displayShift, 1);
  d.command(HOME);
  assert.is(d.visibleLines()[0], 'ABCDEFGHIJKLMNOP');
});

test('a display shift right (0x1C) brings DDRAM 0x27 into column 0 of row 0 and 0x67 into row 1', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x27);
  d.write(0x5a);
  d.command(SET_DDRAM | 0x67);
  d.write(0x59);
  d.command(0x1c);
  assert.is(d.visibleLines()[0][0], 'Z');
  assert.is(d.visibleLines()[1][0], 'Y');
});

test('a cursor shift (0x14 right, 0x10 left) moves the address counter without touching DDRAM, jumping 0x27 -> 0x40', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x27);
  d.command(0x14);
  assert.is(d.addressCounter, 0x40);
  d.command(0x10);
  assert.is(d.addressCounter, 0x27);
  assert.equal(d.visibleLines(), [blank, blank]);
});

test('entry mode with S = 1 (0x07) shifts the display left on each data write, so the cursor column stays put', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x10);
  d.command(0x07);
  print(d, 'AB');
  assert.is(d.displayShift, 2);
  assert.is(d.visibleLines()[0], ' '.repeat(14) + 'AB');
});

test('clear display undoes a display shift', () => {
  const d = lcd();
  d.command(0x18);
  d.command(CLEAR);
  assert.is(d.displayShift, 0);
});

test('after power-on the controller is in 1-line mode: addresses run 0x00..0x4F and row 1 stays blank', () => {
  const d = new HD44780();
  d.command(DISPLAY_ON);
  assert.is(d.twoLine, false);
  print(d, 'x'.repeat(40) + 'Y');
  assert.is(d.addressCounter, 0x29);
  assert.equal(d.visibleLines(), ['x'.repeat(16), blank]);
  d.command(SET_DDRAM | 0x4f);
  d.write(0x41);
  assert.is(d.addressCounter, 0x00, '0x4F wraps to 0x00 in 1-line mode');
});

test('function set with N = 1 (0x28) selects 2-line mode: 0x40 is row 1, column 0', () => {
  const d = new HD44780();
  d.command(FUNCTION_4BIT_2LINE);
  d.command(DISPLAY_ON);
  assert.is(d.twoLine, true);
  d.command(SET_DDRAM | 0x40);
  d.write(0x41);
  assert.is(d.visibleLines()[1][0], 'A');
});

test('onChange carries the new text and does not fire for CGRAM writes, which leave the text as it is', () => {
  const d = lcd();
  const seen: string[] = [];
  d.onChange = () => seen.push(d.visibleLines()[0]);
  d.write(0x41);
  d.command(SET_CGRAM | 0);
  d.write(0x1f);
  assert.equal(seen, ['A' + ' '.repeat(15)]);
});

test('onChange does not fire when code 0x09 replaces 0x01 (both show CGRAM character 1)', () => {
  const d = lcd();
  d.write(0x01);
  let n = 0;
  d.onChange = () => n++;
  d.command(SET_DDRAM | 0x00);
  d.write(0x09);
  assert.is(n, 0);
  assert.is(d.ddram[0], 0x09);
});

test('the A00 character ROM shows 0x5C as the yen sign, 0xDF as the small circle, 0xF4 as omega, 0xFF as a block', () => {
  assert.is(charOf(0x5c), '\u00a5');
  assert.is(charOf(0xdf), '\uff9f');
  assert.is(charOf(0xf4), '\u03a9');
  assert.is(charOf(0xff), '\u2588');
  for (let c = 0; c < 256; c++) assert.is(charOf(c).length, 1, `code 0x${c.toString(16)} is one character`);
});

test('clear fires onChange only when the visible text changes: blanks of another code (0x10, 0xA0) count as blank', () => {
  const d = lcd();
  d.command(SET_DDRAM | 0x00);
  d.write(0x10);
  d.write(0xa0);
  d.command(SET_DDRAM | 0x20); // invisible DDRAM
  print(d, 'hidden');
  let fired = 0;
  d.onChange = () => { fired++; };
  d.command(CLEAR);
  assert.is(fired, 0, 'the display showed blanks before and after');
  print(d, 'x');
  d.command(CLEAR);
  assert.is(fired, 2, 'the x appeared, then went');
  assert.equal(d.visibleLines(), [blank, blank]);
});

test('whole-text changes (shift, line mode, display on/off, home, clear) fire onChange exactly when the text differs', () => {
  // Against the text itself: a random sequence of instructions and data; after each, onChange must have fired once
  // if and only if visibleLines() differs from before.
  let seed = 12345;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const ops = [CLEAR, HOME, 0x18, 0x1c, 0x28, 0x20, DISPLAY_ON, DISPLAY_OFF, ENTRY_INC, ENTRY_DEC, 0x07, 0x05, 0x14, 0x10];
  const d = lcd();
  let fired = 0;
  d.onChange = () => { fired++; };
  for (let i = 0; i < 4000; i++) {
    const before = d.visibleLines().join('\n');
    fired = 0;
    if (rand(3) === 0) d.command(ops[rand(ops.length)]);
    else if (rand(4) === 0) d.command(SET_DDRAM | rand(0x80));
    else d.write(rand(3) === 0 ? [0x20, 0x10, 0xa0, 0x01, 0x09][rand(5)] : 0x20 + rand(0xe0));
    const after = d.visibleLines().join('\n');
    assert.is(fired > 0, after !== before, `step ${i}: onChange ${fired > 0 ? 'fired' : 'did not fire'}; text ${after === before ? 'same' : 'changed'}`);
  }
});

test.run();
