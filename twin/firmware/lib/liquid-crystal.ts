// LiquidCrystal 1.0.7 (arduino-libraries/LiquidCrystal) driving the meter's 16x2 HD44780 in 4-bit mode, on the
// board's LCD bus (docs/firmware.md §1.6). The bus carries whole bytes with RS and charges each transfer
// (two enable pulses of the library's `pulseEnable`, 1 + 1 + 100 us each, plus the GPIO writes); this class adds the
// library's own waits: 50 ms and 4.5 ms in `begin`, 2 ms after clear and home.
//
// The output side is the Arduino `Print` class (core 1.9.0): `print` of text writes byte by byte, numbers are
// formatted by print.ts, `println` appends CR LF, which the HD44780 shows as CGRAM glyphs 5 and 2.
import type { Board } from '../../board/board.ts';
import { formatFloat, formatHex, formatInt } from './print.ts';

// HD44780 instructions, named as in LiquidCrystal.h / the HD44780U datasheet, table 6.
export const LCD_CLEARDISPLAY = 0x01;
export const LCD_RETURNHOME = 0x02;
export const LCD_ENTRYMODESET = 0x04;
export const LCD_DISPLAYCONTROL = 0x08;
export const LCD_FUNCTIONSET = 0x20;
export const LCD_SETCGRAMADDR = 0x40;
export const LCD_SETDDRAMADDR = 0x80;
// flags
export const LCD_ENTRYLEFT = 0x02;
export const LCD_ENTRYSHIFTDECREMENT = 0x00;
export const LCD_DISPLAYON = 0x04;
export const LCD_CURSOROFF = 0x00;
export const LCD_BLINKOFF = 0x00;
export const LCD_4BITMODE = 0x00;
export const LCD_2LINE = 0x08;
export const LCD_1LINE = 0x00;
export const LCD_5x8DOTS = 0x00;

export interface LiquidCrystalTiming {
  /** Wait before the first instruction: "we need at least 40ms after power rises above 2.7V ... we'll wait 50". */
  powerUpUs: number;
  /** Waits of the 4-bit initialisation (HD44780U figure 24: > 4.1 ms, > 4.1 ms, > 100 us); the library uses these. */
  initWaitsUs: readonly [number, number, number];
  /** `clear()` and `home()`: "this command takes a long time!" */
  clearHomeUs: number;
}

/** LiquidCrystal 1.0.7 constants (src/LiquidCrystal.cpp: begin, clear, home). */
export const LIQUID_CRYSTAL_TIMING: LiquidCrystalTiming = {
  powerUpUs: 50_000,
  initWaitsUs: [4500, 4500, 150],
  clearHomeUs: 2000,
};

function cInt(x: number, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    throw new RangeError(`LiquidCrystal.${what} expects an integer, got ${String(x)}`);
  }
  return x;
}

export class LiquidCrystal {
  readonly #board: Board;
  readonly #timing: LiquidCrystalTiming;
  #displayfunction = LCD_4BITMODE | LCD_1LINE | LCD_5x8DOTS;
  #displaycontrol = 0;
  #displaymode = 0;
  #numlines = 1;
  #rowOffsets = [0, 0, 0, 0];

  /**
   * As the library's constructor (`init`), this runs `begin(16, 1)` at once: a global `LiquidCrystal lcd(...)`
   * initialises the display during static construction, before `setup()`.
   */
  constructor(board: Board, timing: LiquidCrystalTiming = LIQUID_CRYSTAL_TIMING) {
    this.#board = board;
    this.#timing = timing;
    this.begin(16, 1);
  }

  /**
   * Re-initialise the display (≈61 ms): power-up wait, the 4-bit initialisation, function set, display on, clear,
   * entry mode left-to-right. DDRAM is cleared; CGRAM is untouched. The 2-line flag, once set, stays set.
   */
  begin(cols: number, rows: number): void {
    const c = cInt(cols, 'begin cols') & 0xff;
    const lines = cInt(rows, 'begin rows') & 0xff;
    if (lines > 1) this.#displayfunction |= LCD_2LINE;
    this.#numlines = lines;
    this.#rowOffsets = [0x00, 0x40, 0x00 + c, 0x40 + c];

    const b = this.#board;
    const [w1, w2, w3] = this.#timing.initWaitsUs;
    b.delayMicroseconds(this.#timing.powerUpUs);
    // The library sends the nibbles 3, 3, 3, 2 one enable pulse at a time, with the datasheet's waits between them.
    // The bus carries bytes, so the same four nibbles go as the instructions 0x33 and 0x32 (the usual 4-bit reset
    // pair); the waits are kept in full, so the duration matches the library's.
    b.lcd.command(0x33);
    b.delayMicroseconds(w1 + w2);
    b.lcd.command(0x32);
    b.delayMicroseconds(w3);

    this.#command(LCD_FUNCTIONSET | this.#displayfunction);
    this.#displaycontrol = LCD_DISPLAYON | LCD_CURSOROFF | LCD_BLINKOFF;
    this.#command(LCD_DISPLAYCONTROL | this.#displaycontrol);
    this.clear();
    this.#displaymode = LCD_ENTRYLEFT | LCD_ENTRYSHIFTDECREMENT;
    this.#command(LCD_ENTRYMODESET | this.#displaymode);
  }

  /** Clear DDRAM to spaces and put the address at 0 (the instruction plus the library's 2 ms wait). */
  clear(): void {
    this.#command(LCD_CLEARDISPLAY);
    this.#board.delayMicroseconds(this.#timing.clearHomeUs);
  }

  /** Address back to 0 without clearing (plus 2 ms). */
  home(): void {
    this.#command(LCD_RETURNHOME);
    this.#board.delayMicroseconds(this.#timing.clearHomeUs);
  }

  /**
   * DDRAM address = col + row offset (0x00, 0x40). A row past the last line is clamped to the last line; the sum is
   * sent as a uint8 instruction, so a large column wraps as in C.
   */
  setCursor(col: number, row: number): void {
    const c = cInt(col, 'setCursor col') & 0xff;
    let r = cInt(row, 'setCursor row') & 0xff;
    if (r >= this.#rowOffsets.length) r = this.#rowOffsets.length - 1;
    if (r >= this.#numlines) r = this.#numlines - 1;
    this.#command(LCD_SETDDRAMADDR | (c + this.#rowOffsets[r]));
  }

  /** `Print::write(uint8_t)` → `send(value, HIGH)`; returns 1 as the library does ("assume success"). */
  write(byte: number): number {
    this.#board.lcd.write(cInt(byte, 'write') & 0xff);
    return 1;
  }

  /** `print(const char[])`: one data byte per character (codes 0..255; the meter's strings are ASCII). */
  print(text: string): number {
    if (typeof text !== 'string') throw new TypeError(`LiquidCrystal.print expects a string, got ${typeof text}`);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) {
        throw new RangeError(`LiquidCrystal.print: character '${text[i]}' (U+${code.toString(16)}) is not a byte; ` +
          'the HD44780 takes 8-bit character codes');
      }
      n += this.write(code);
    }
    return n;
  }

  /** `print(double, digits)`: see print.ts `formatFloat` (pass `f32(x)` for a C float). */
  printFloat(x: number, digits = 2): number { return this.print(formatFloat(x, digits)); }

  /** `print(long)` / `print(unsigned long)` in decimal. */
  printInt(x: number): number { return this.print(formatInt(x)); }

  /** `print(n, HEX)`. */
  printHex(x: number): number { return this.print(formatHex(x)); }

  /** `println(text)`: the text, then CR LF (0x0D 0x0A), which land in DDRAM as CGRAM glyph codes. */
  println(text = ''): number {
    const n = this.print(text);
    return n + this.write(0x0d) + this.write(0x0a);
  }

  /**
   * Define custom character `location` (0..7, masked as the library does) from 8 rows of 5 pixels, top row first.
   * The address counter is left in CGRAM, as in the library: set the cursor before printing again.
   */
  createChar(location: number, rows: readonly number[]): void {
    if (!Array.isArray(rows) || rows.length < 8) {
      throw new RangeError(`LiquidCrystal.createChar needs 8 pixel rows, got ${Array.isArray(rows) ? rows.length : typeof rows}`);
    }
    const loc = cInt(location, 'createChar location') & 0x7;
    this.#command(LCD_SETCGRAMADDR | (loc << 3));
    for (let i = 0; i < 8; i++) this.write(rows[i]);
  }

  /**
   * Draw a scene: `draw` is a fixed sequence of this object's calls, identified by `key` (what it prints), in
   * display slot `slot`. The bus runs it, or skips it where it proves the redraw changes nothing (twin/board/lcd-port.ts).
   */
  scene(slot: number, key: string, draw: () => void): void {
    const bus = this.#board.lcd;
    if (bus.scene) bus.scene(slot, key, draw);
    else draw();
  }

  #command(value: number): void {
    this.#board.lcd.command(value & 0xff);
  }
}
