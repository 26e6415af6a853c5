// The meter's 4x4 membrane keypad (docs/firmware.md §1.5): a pressed key joins its row line to its column line.
// Rows PB9 PB8 PB1 PB0 are inputs with pull-ups; columns PA7 PA6 PA5 PC13 are driven LOW one at a time by the scan
// (the Keypad library drives the column LOW, reads the rows, then drives it HIGH and releases it to an input).
//
// A matrix without diodes ghosts: with three keys held at the corners of a rectangle, the fourth corner's row reads
// LOW too, because the current path runs row -> column -> row -> column through the held keys. The model follows every
// path of held keys, so ghost keys appear exactly as on the real membrane.

export const KEYPAD_LAYOUT: readonly (readonly string[])[] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

/** What a column line does: driven LOW (0), driven HIGH (1), or not driven (null: an input, high impedance). */
export type ColumnDrive = 0 | 1 | null;

export class KeypadMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly #pressed = new Set<string>();
  readonly #where = new Map<string, { row: number; col: number }>();
  /** Fired on every press or release (for traces). */
  onChange?: (key: string, down: boolean) => void;

  constructor(layout: readonly (readonly string[])[] = KEYPAD_LAYOUT) {
    if (!Array.isArray(layout) || layout.length === 0 || !layout.every((r) => Array.isArray(r) && r.length === layout[0].length)) {
      throw new Error('a keypad layout is a non-empty list of rows of equal length');
    }
    this.rows = layout.length;
    this.cols = layout[0].length;
    for (let row = 0; row < layout.length; row++) {
      for (let col = 0; col < layout[row].length; col++) {
        const k: string = layout[row][col];
        if (this.#where.has(k)) throw new Error(`key '${k}' appears twice in the keypad layout`);
        this.#where.set(k, { row, col });
      }
    }
  }

  #check(key: string): void {
    if (!this.#where.has(key)) throw new Error(`no key '${String(key)}' on the keypad (keys: ${[...this.#where.keys()].join(' ')})`);
  }

  press(key: string): void { this.#check(key); if (!this.#pressed.has(key)) { this.#pressed.add(key); this.onChange?.(key, true); } }
  release(key: string): void { this.#check(key); if (this.#pressed.delete(key)) this.onChange?.(key, false); }
  isPressed(key: string): boolean { return this.#pressed.has(key); }
  get pressedKeys(): string[] { return [...this.#pressed]; }
  /** How many keys are down now. */
  get pressedCount(): number { return this.#pressed.size; }
  /** Row and column (0-based) of a key. */
  position(key: string): { row: number; col: number } { this.#check(key); return { ...this.#where.get(key)! }; }

  /**
   * Level of row line `row` (0..3) given what each column line does: LOW when held keys connect it (directly or
   * through other held keys) to a column driven LOW, otherwise its pull-up's HIGH.
   */
  rowLevel(row: number, columnLevels: readonly ColumnDrive[]): 0 | 1 {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows) {
      throw new RangeError(`keypad row must be 0..${this.rows - 1}, got ${String(row)}`);
    }
    if (this.#pressed.size === 0) return 1;
    // Walk the net of row and column lines joined by held keys, starting at this row.
    const rowSeen = new Array<boolean>(this.rows).fill(false);
    const colSeen = new Array<boolean>(this.cols).fill(false);
    const frontier = [row];
    rowSeen[row] = true;
    while (frontier.length) {
      const r = frontier.pop()!;
      for (const k of this.#pressed) {
        const w = this.#where.get(k)!;
        if (w.row !== r || colSeen[w.col]) continue;
        colSeen[w.col] = true;
        if (columnLevels[w.col] === 0) return 0;
        for (const k2 of this.#pressed) {
          const w2 = this.#where.get(k2)!;
          if (w2.col === w.col && !rowSeen[w2.row]) { rowSeen[w2.row] = true; frontier.push(w2.row); }
        }
      }
    }
    return 1;
  }
}
