// The meter's 4x4 membrane keypad (firmware-behaviour.md §1.5): a pressed key joins its row line to its column line.
// Rows PB9 PB8 PB1 PB0 are inputs with pull-ups; columns PA7 PA6 PA5 PC13 are driven LOW one at a time by the scan.

export const KEYPAD_LAYOUT: readonly (readonly string[])[] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

export class KeypadMatrix {
  readonly #pressed = new Set<string>();
  readonly #where = new Map<string, { row: number; col: number }>();
  /** Fired on every press or release (for traces). */
  onChange?: (key: string, down: boolean) => void;

  constructor(layout: readonly (readonly string[])[] = KEYPAD_LAYOUT) {
    layout.forEach((keys, row) => keys.forEach((k, col) => this.#where.set(k, { row, col })));
  }

  #check(key: string): void {
    if (!this.#where.has(key)) throw new Error(`no key '${key}' on the keypad (keys: ${[...this.#where.keys()].join(' ')})`);
  }

  press(key: string): void { this.#check(key); if (!this.#pressed.has(key)) { this.#pressed.add(key); this.onChange?.(key, true); } }
  release(key: string): void { this.#check(key); if (this.#pressed.delete(key)) this.onChange?.(key, false); }
  isPressed(key: string): boolean { return this.#pressed.has(key); }
  get pressedKeys(): string[] { return [...this.#pressed]; }

  /**
   * Level of row line `row` (0..3) given which column lines are driven LOW (`columnLow[c]`): LOW when a pressed key
   * joins it to a LOW column, otherwise the pull-up's HIGH.
   */
  rowLevel(row: number, columnLow: readonly boolean[]): 0 | 1 {
    for (const k of this.#pressed) {
      const w = this.#where.get(k)!;
      if (w.row === row && columnLow[w.col]) return 0;
    }
    return 1;
  }
}
