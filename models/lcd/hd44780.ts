// HD44780 character LCD controller, 16x2 as on the meter (Hitachi HD44780U datasheet, instruction set table 6, DDRAM
// addressing figures 4-6, character ROM A00 table 4). The model works at the instruction level: one call per
// instruction (RS = 0) or data byte (RS = 1); the 4-bit nibble transfer is the board's business.
//
// DDRAM in 2-line mode (N = 1): row 0 at 0x00..0x27, row 1 at 0x40..0x67; columns 0..15 are visible (plus the display
// shift). Writes move the address counter by one, jumping 0x27 -> 0x40 and 0x67 -> 0x00 (docs/firmware.md §1.6).
// In 1-line mode (N = 0, the power-on state) the addresses run 0x00..0x4F continuously and only row 0 is driven.
// Character codes 0x00..0x07 show CGRAM characters 0..7; codes 0x08..0x0F mirror them (the datasheet's CGRAM table:
// character code bit 3 is "no effect").

export const LCD_COLS = 16;

/** Instruction bits, as the datasheet names them (table 6). */
export const HD44780_INSTR = {
  CLEAR: 0x01,
  HOME: 0x02,
  ENTRY_MODE: 0x04, ID: 0x02, S: 0x01,
  DISPLAY_CONTROL: 0x08, D: 0x04, C: 0x02, B: 0x01,
  SHIFT: 0x10, SC: 0x08, RL: 0x04,
  FUNCTION_SET: 0x20, DL: 0x10, N: 0x08, F: 0x04,
  SET_CGRAM: 0x40,
  SET_DDRAM: 0x80,
} as const;

/**
 * How CGRAM characters 0..7 appear in the visible text. The text is for people and expectations; the pixel rows are
 * in `cgram` and the exact codes in `ddram`. These are private stand-ins (Unicode block elements), one per character
 * slot, so that two different custom characters never look alike in a trace.
 */
export const GLYPH_CHARS = ['\u2580', '\u2584', '\u258c', '\u2590', '\u2596', '\u2597', '\u2598', '\u259d'];

/** Shown for a character code the A00 ROM has no single-character Unicode match for. */
export const UNKNOWN_CHAR = '\u2593';

/**
 * Execution times at fosc = 270 kHz (datasheet table 6): clear display and return home 1.52 ms, every other
 * instruction and each data write 37 us (plus tADD 4 us after a data write, included in the 37 us here).
 */
export const HD44780_TIMING_US = { clearHome: 1520, other: 37 } as const;

/** The character generator ROM, code A00 (Japanese standard font), as Unicode: one character per code. */
const ROM_A00: readonly string[] = (() => {
  const t: string[] = new Array(256).fill(UNKNOWN_CHAR);
  for (let c = 0; c < 16; c++) t[c] = GLYPH_CHARS[c & 7];
  for (let c = 0x10; c < 0x20; c++) t[c] = ' '; // no font in A00: blank
  for (let c = 0x20; c < 0x7e; c++) t[c] = String.fromCharCode(c);
  t[0x5c] = '\u00a5'; // A00 has the yen sign where ASCII has the backslash
  t[0x7e] = '\u2192';
  t[0x7f] = '\u2190';
  for (let c = 0x80; c < 0xa0; c++) t[c] = ' '; // no font in A00: blank
  t[0xa0] = ' ';
  // 0xA1..0xDF: the JIS X 0201 katakana block, which Unicode has as half-width forms U+FF61..U+FF9F.
  for (let c = 0xa1; c < 0xe0; c++) t[c] = String.fromCharCode(0xff61 + (c - 0xa1));
  const hi = 'αäβεμσρg√¹jˣ¢£ñöpqθ∞ΩüΣπxy千万円÷ █';
  for (let i = 0; i < 32; i++) t[0xe0 + i] = hi[i];
  return t;
})();

/**
 * Per character code, the lowest code the ROM shows as the same character: two visible windows show the same text
 * exactly when their cells' entries here are equal (compared without building the text).
 */
const SAME_GLYPH: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = ROM_A00.indexOf(ROM_A00[c]);
  return t;
})();
/** `SAME_GLYPH` of a blank cell (what a switched-off display and row 1 in 1-line mode show). */
const BLANK_GLYPH = SAME_GLYPH[0x20];

/** The visible text of one character code (exported for renderers that draw DDRAM themselves). */
export function charOf(code: number): string { return ROM_A00[code & 0xff]; }

/** Length of `HD44780.stateBytes()`. */
export const HD44780_STATE_BYTES = 0x80 + 64 + 4;

export class HD44780 {
  /**
   * DDRAM by 2-line address (0x00..0x27 row 0, 0x40..0x67 row 1; the other addresses do not exist and are only ever
   * touched by a set-address instruction that names them). In 1-line mode address 0x28..0x4F is the cell the 2-line
   * address 0x40..0x67 names ([UNDET] the datasheet does not say how the two modes share the 80 cells; this keeps the
   * 80 bytes the same RAM in both).
   */
  readonly ddram = new Uint8Array(0x80).fill(0x20);
  /** CGRAM: 8 characters × 8 pixel rows of 5 bits, character n at 8n. */
  readonly cgram = new Uint8Array(64);
  #ac = 0;
  #cg = false;
  #increment = true;
  #shiftOnWrite = false;
  #displayOn = false;
  #cursorOn = false;
  #blinkOn = false;
  #twoLine = false;
  #font5x10 = false;
  #eightBit = true;
  /** Display shift in characters (positive = content moved left). */
  #shift = 0;
  #lines: [string, string] = [' '.repeat(LCD_COLS), ' '.repeat(LCD_COLS)];
  #dirty = false;
  /** What the visible cells showed before and after a change that may move the whole text (see `#refresh`). */
  readonly #shownBefore = new Uint8Array(2 * LCD_COLS);
  readonly #shownAfter = new Uint8Array(2 * LCD_COLS);
  #generation = 0;
  /**
   * Fired when the visible text has changed (not for writes that leave it as it was); `visibleLines()` gives the new
   * text. The text itself is built only when asked for: the firmware redraws its scene 20 times a second.
   */
  onChange?: () => void;

  /**
   * Counts every instruction, data write and reset: while it has not moved, the controller is in exactly the state it
   * was (used by the board's exact shortcut for redraws that change nothing, twin/board/lcd-port.ts).
   */
  get generation(): number { return this.#generation; }

  /**
   * The controller's whole state as bytes (DDRAM, CGRAM, address counter and mode flags), to compare two states;
   * written into `out` (`HD44780_STATE_BYTES` long) when given.
   */
  stateBytes(out: Uint8Array = new Uint8Array(HD44780_STATE_BYTES)): Uint8Array {
    out.set(this.ddram, 0);
    out.set(this.cgram, 0x80);
    out[0xc0] = this.#ac;
    out[0xc1] = (this.#cg ? 1 : 0) | (this.#increment ? 2 : 0) | (this.#shiftOnWrite ? 4 : 0) | (this.#displayOn ? 8 : 0) |
      (this.#cursorOn ? 16 : 0) | (this.#blinkOn ? 32 : 0) | (this.#twoLine ? 64 : 0) | (this.#font5x10 ? 128 : 0);
    out[0xc2] = this.#eightBit ? 1 : 0;
    out[0xc3] = this.#shift & 0xff;
    return out;
  }

  /** Execute an instruction (RS = 0). Returns its execution time in microseconds. */
  command(value: number): number {
    this.#generation++;
    const v = value & 0xff;
    const I = HD44780_INSTR;
    if (v & I.SET_DDRAM) { this.#ac = v & 0x7f; this.#cg = false; return HD44780_TIMING_US.other; }
    if (v & I.SET_CGRAM) { this.#ac = v & 0x3f; this.#cg = true; return HD44780_TIMING_US.other; }
    if (v & I.FUNCTION_SET) {
      // DL is recorded but the bus is byte-level here, so it does not change how bytes arrive.
      this.#eightBit = (v & I.DL) !== 0;
      this.#font5x10 = (v & I.F) !== 0;
      const two = (v & I.N) !== 0;
      if (two !== this.#twoLine) { this.#snapVisible(this.#shownBefore); this.#twoLine = two; this.#shift = 0; this.#refresh(); }
      return HD44780_TIMING_US.other;
    }
    if (v & I.SHIFT) {
      const right = (v & I.RL) !== 0;
      if (v & I.SC) { this.#snapVisible(this.#shownBefore); this.#shift += right ? -1 : 1; this.#refresh(); } else this.#moveAc(right);
      return HD44780_TIMING_US.other;
    }
    if (v & I.DISPLAY_CONTROL) {
      this.#cursorOn = (v & I.C) !== 0;
      this.#blinkOn = (v & I.B) !== 0;
      const on = (v & I.D) !== 0;
      if (on !== this.#displayOn) { this.#snapVisible(this.#shownBefore); this.#displayOn = on; this.#refresh(); }
      return HD44780_TIMING_US.other;
    }
    if (v & I.ENTRY_MODE) {
      this.#increment = (v & I.ID) !== 0;
      this.#shiftOnWrite = (v & I.S) !== 0;
      return HD44780_TIMING_US.other;
    }
    if (v & I.HOME) {
      this.#ac = 0;
      this.#cg = false;
      if (this.#shift !== 0) { this.#snapVisible(this.#shownBefore); this.#shift = 0; this.#refresh(); }
      return HD44780_TIMING_US.clearHome;
    }
    if (v & I.CLEAR) {
      // "Clears entire display and sets DDRAM address 0 in address counter", returns a shifted display to its
      // original position and sets I/D = 1; S is unchanged.
      this.#snapVisible(this.#shownBefore);
      this.ddram.fill(0x20);
      this.#ac = 0;
      this.#cg = false;
      this.#increment = true;
      this.#shift = 0;
      this.#refresh();
      return HD44780_TIMING_US.clearHome;
    }
    return 0; // 0x00 is not an instruction
  }

  /** Write data (RS = 1) at the address counter. Returns the execution time in microseconds. */
  write(value: number): number {
    this.#generation++;
    const v = value & 0xff;
    const a = this.#ac;
    if (this.#cg) {
      // Only the low 5 bits are pixels. The visible text names CGRAM characters by slot, so it does not change.
      this.cgram[a & 0x3f] = v & 0x1f;
      this.#ac = (a + (this.#increment ? 1 : -1)) & 0x3f;
      return HD44780_TIMING_US.other;
    }
    const cell = this.#twoLine || a < 0x28 || a > 0x4f ? a : a - 0x28 + 0x40;
    const old = this.ddram[cell];
    if (this.#shiftOnWrite) {
      // "Shifts the entire display either to the right (I/D = 0) or to the left (I/D = 1) when S is 1." The text
      // before is what showed before the character landed.
      this.#snapVisible(this.#shownBefore);
      this.ddram[cell] = v;
      this.#ac = this.#increment ? this.#next(a) : this.#prev(a);
      this.#shift += this.#increment ? 1 : -1;
      this.#refresh();
      return HD44780_TIMING_US.other;
    }
    this.ddram[cell] = v;
    this.#ac = this.#increment ? this.#next(a) : this.#prev(a);
    if (old !== v && SAME_GLYPH[old] !== SAME_GLYPH[v] && this.#isVisible(a)) {
      // Hot path (the firmware redraws its scene 20 times a second): one cell changed, the text is rebuilt lazily.
      this.#dirty = true;
      this.onChange?.();
    }
    return HD44780_TIMING_US.other;
  }

  get addressCounter(): number { return this.#ac; }
  /** S of entry mode set: the display shifts at every data write. */
  get shiftOnWrite(): boolean { return this.#shiftOnWrite; }
  /** True while the address counter points into CGRAM (after a set-CGRAM-address instruction). */
  get addressingCgram(): boolean { return this.#cg; }
  get displayOn(): boolean { return this.#displayOn; }
  get cursorOn(): boolean { return this.#cursorOn; }
  get blinkOn(): boolean { return this.#blinkOn; }
  /** N of function set: 2-line (true) or 1-line (false) display. */
  get twoLine(): boolean { return this.#twoLine; }
  /** F of function set: 5x10 dots font. */
  get font5x10(): boolean { return this.#font5x10; }
  /** DL of function set, as last instructed. */
  get eightBitInterface(): boolean { return this.#eightBit; }
  /** Display shift in characters, positive when the content has moved left (0 after clear or home). */
  get displayShift(): number { return this.#shift; }

  /** The 16 visible columns of both rows. A display switched off (or row 1 in 1-line mode) shows blanks. */
  visibleLines(): [string, string] {
    if (this.#dirty) { this.#lines = this.#build(); this.#dirty = false; }
    return this.#lines;
  }

  /**
   * Power-on state ("initializing by internal reset circuit"): display clear, 8-bit interface, 1 line, 5x8 font,
   * display/cursor/blink off, increment without shift. DDRAM and CGRAM contents are undefined on a real part: blank
   * and zero here.
   */
  reset(): void {
    this.#generation++;
    this.#snapVisible(this.#shownBefore);
    this.ddram.fill(0x20);
    this.cgram.fill(0);
    this.#ac = 0;
    this.#cg = false;
    this.#increment = true;
    this.#shiftOnWrite = false;
    this.#displayOn = false;
    this.#cursorOn = false;
    this.#blinkOn = false;
    this.#twoLine = false;
    this.#font5x10 = false;
    this.#eightBit = true;
    this.#shift = 0;
    this.#refresh();
  }

  /** The DDRAM cell (index into `ddram`) an address names in the present line mode. */
  #cell(a: number): number {
    if (this.#twoLine || a < 0x28 || a > 0x4f) return a;
    return a - 0x28 + 0x40;
  }

  #next(a: number): number {
    if (this.#twoLine) {
      if (a === 0x27) return 0x40;
      if (a === 0x67) return 0x00;
    } else if (a === 0x4f) return 0x00;
    return (a + 1) & 0x7f;
  }

  #prev(a: number): number {
    if (this.#twoLine) {
      if (a === 0x40) return 0x27;
      if (a === 0x00) return 0x67;
    } else if (a === 0x00) return 0x4f;
    return (a - 1) & 0x7f;
  }

  /** Cursor shift: the address counter moves by one, with the same line jumps as a data write. */
  #moveAc(right: boolean): void {
    if (this.#cg) { this.#ac = (this.#ac + (right ? 1 : -1)) & 0x3f; return; }
    this.#ac = right ? this.#next(this.#ac) : this.#prev(this.#ac);
  }

  #row(base: number, length: number): string {
    let s = '';
    const shift = ((this.#shift % length) + length) % length;
    for (let c = 0; c < LCD_COLS; c++) s += ROM_A00[this.ddram[this.#cell(base + ((c + shift) % length))]];
    return s;
  }

  /** Whether DDRAM address `a` shows now (display on, inside the 16 columns of the shifted window). */
  #isVisible(a: number): boolean {
    if (!this.#displayOn) return false;
    let pos: number;
    let len: number;
    if (this.#twoLine) {
      pos = a >= 0x40 ? a - 0x40 : a;
      len = 40;
    } else {
      pos = a;
      len = 80;
    }
    if (pos >= len) return false;
    const col = (((pos - this.#shift) % len) + len) % len;
    return col < LCD_COLS;
  }

  #build(): [string, string] {
    const blank = ' '.repeat(LCD_COLS);
    if (!this.#displayOn) return [blank, blank];
    if (this.#twoLine) return [this.#row(0x00, 40), this.#row(0x40, 40)];
    return [this.#row(0x00, 80), blank];
  }

  /**
   * After a change that may move the whole text (`#shownBefore` holds what showed before it): fire onChange when the
   * text differs. The text itself is built when asked for; what shows is compared cell by cell as `SAME_GLYPH`.
   */
  #refresh(): void {
    const before = this.#shownBefore;
    const after = this.#shownAfter;
    this.#snapVisible(after);
    for (let i = 0; i < 2 * LCD_COLS; i++) {
      if (before[i] !== after[i]) {
        this.#dirty = true;
        this.onChange?.();
        return;
      }
    }
  }

  /** What the 32 visible cells show, as `SAME_GLYPH` entries (row 0 then row 1), in the way `#build` reads them. */
  #snapVisible(out: Uint8Array): void {
    if (!this.#displayOn) { out.fill(BLANK_GLYPH); return; }
    if (this.#twoLine) {
      this.#snapRow(out, 0, 0x00, 40);
      this.#snapRow(out, LCD_COLS, 0x40, 40);
    } else {
      this.#snapRow(out, 0, 0x00, 80);
      out.fill(BLANK_GLYPH, LCD_COLS);
    }
  }

  #snapRow(out: Uint8Array, at: number, base: number, length: number): void {
    const shift = ((this.#shift % length) + length) % length;
    const ddram = this.ddram;
    if (shift === 0 && (this.#twoLine || base + LCD_COLS <= 0x28)) {
      // Unshifted (as the firmware keeps it): the row's first 16 addresses are its cells.
      for (let c = 0; c < LCD_COLS; c++) out[at + c] = SAME_GLYPH[ddram[base + c]];
      return;
    }
    for (let c = 0; c < LCD_COLS; c++) out[at + c] = SAME_GLYPH[this.ddram[this.#cell(base + ((c + shift) % length))]];
  }
}
