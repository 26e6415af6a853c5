// HD44780 character LCD controller, 16x2 as on the meter (Hitachi HD44780U datasheet, instruction set table 6).
// DDRAM in 2-line mode: row 0 at 0x00..0x27, row 1 at 0x40..0x67; only columns 0..15 are visible. Writes
// auto-increment the address counter, jumping 0x27 -> 0x40 and 0x67 -> 0x00 (firmware-behaviour.md §1.6).
// Character codes 0x00..0x07 show CGRAM 0..7, and 0x08..0x0F mirror them.

export const LCD_COLS = 16;

/** How a CGRAM glyph appears in the visible text (the text is for people; `ddram` has the exact bytes). */
export const GLYPH_CHARS = ['\u2580', '\u2584', '\u258c', '\u2590', '\u2596', '\u2597', '\u2598', '\u259d'];

/** Execution times from the datasheet (fosc 270 kHz): clear/home 1.52 ms, everything else 37 us. */
export const HD44780_TIMING_US = { clearHome: 1520, other: 37 } as const;

export class HD44780 {
  /** 0x80 bytes of DDRAM address space (0x28..0x3F and 0x68..0x7F do not exist and are never addressed). */
  readonly ddram = new Uint8Array(0x80).fill(0x20);
  readonly cgram = new Uint8Array(64);
  #ac = 0;
  #cg = false;
  #increment = true;
  #displayOn = false;
  #lines: [string, string] = ['', ''];
  #dirty = true;
  /** Fired when the visible text may have changed (use `visibleLines()` to read it). */
  onChange?: () => void;

  /** Execute an instruction (RS = 0). Returns its execution time in microseconds. */
  command(v: number): number {
    v &= 0xff;
    if (v & 0x80) { this.#ac = v & 0x7f; this.#cg = false; return HD44780_TIMING_US.other; }
    if (v & 0x40) { this.#ac = v & 0x3f; this.#cg = true; return HD44780_TIMING_US.other; }
    if (v & 0x20) return HD44780_TIMING_US.other; // function set (4-bit, 2 lines, 5x8)
    if (v & 0x10) return HD44780_TIMING_US.other; // cursor / display shift: the firmware never shifts
    if (v & 0x08) {
      const on = (v & 0x04) !== 0;
      if (on !== this.#displayOn) { this.#displayOn = on; this.#changed(); }
      return HD44780_TIMING_US.other;
    }
    if (v & 0x04) { this.#increment = (v & 0x02) !== 0; return HD44780_TIMING_US.other; }
    if (v & 0x02) { this.#ac = 0; this.#cg = false; return HD44780_TIMING_US.clearHome; }
    if (v & 0x01) {
      this.ddram.fill(0x20);
      this.#ac = 0;
      this.#cg = false;
      this.#increment = true;
      this.#changed();
      return HD44780_TIMING_US.clearHome;
    }
    return 0;
  }

  /** Write data (RS = 1) at the address counter. Returns the execution time in microseconds. */
  write(v: number): number {
    v &= 0xff;
    if (this.#cg) {
      this.cgram[this.#ac & 0x3f] = v & 0x1f;
      this.#ac = (this.#ac + (this.#increment ? 1 : -1)) & 0x3f;
      this.#changed();
      return HD44780_TIMING_US.other;
    }
    const a = this.#ac;
    if (this.ddram[a] !== v) { this.ddram[a] = v; if ((a & 0x3f) < LCD_COLS) this.#changed(); }
    this.#ac = this.#increment ? nextAddress(a) : prevAddress(a);
    return HD44780_TIMING_US.other;
  }

  get addressCounter(): number { return this.#ac; }
  get displayOn(): boolean { return this.#displayOn; }

  /** The 16 visible columns of both rows. CGRAM codes show as block glyphs; a display switched off shows blanks. */
  visibleLines(): [string, string] {
    if (this.#dirty) {
      this.#dirty = false;
      this.#lines = this.#displayOn ? [this.#row(0x00), this.#row(0x40)] : [' '.repeat(LCD_COLS), ' '.repeat(LCD_COLS)];
    }
    return this.#lines;
  }

  /** Power-on state: DDRAM undefined on real parts (blank here), display off until initialised. */
  reset(): void {
    this.ddram.fill(0x20);
    this.cgram.fill(0);
    this.#ac = 0;
    this.#cg = false;
    this.#increment = true;
    this.#displayOn = false;
    this.#changed();
  }

  #row(base: number): string {
    let s = '';
    for (let c = 0; c < LCD_COLS; c++) {
      const b = this.ddram[base + c];
      s += b < 0x10 ? GLYPH_CHARS[b & 7] : b >= 0x20 && b < 0x7e ? String.fromCharCode(b) : b === 0x7e ? '\u2192' : b === 0x7f ? '\u2190' : '\u2593';
    }
    return s;
  }

  #changed(): void {
    this.#dirty = true;
    this.onChange?.();
  }
}

function nextAddress(a: number): number {
  if (a === 0x27) return 0x40;
  if (a === 0x67) return 0x00;
  return (a + 1) & 0x7f;
}

function prevAddress(a: number): number {
  if (a === 0x40) return 0x27;
  if (a === 0x00) return 0x67;
  return (a - 1) & 0x7f;
}
