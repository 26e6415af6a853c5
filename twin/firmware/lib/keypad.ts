// Keypad 3.1.1 (Mark Stanley, Alexander Brevig): the matrix scanner and its 10-slot key list, on the board's GPIO
// (docs/firmware.md §1.5). What the firmware sees of a key press comes from these rules:
// - `getKey()` scans only when more than `debounceTime` ms have passed since the last scan (default 10 ms);
// - a scan drives one column LOW at a time (rows are INPUT_PULLUP; a closed key pulls its row LOW), then releases
//   the column (HIGH, then INPUT);
// - each key on the list moves at most one step per scan: IDLE → PRESSED → HOLD (once more than `holdTime` ms,
//   default 500, passed since the last press anywhere: the hold timer is shared) → RELEASED → IDLE;
// - `getKey()` returns a character only at the scan where slot 0 goes IDLE → PRESSED, so a key that lands in
//   slot 1..9 (pressed while slot 0 is still busy) is never returned; `getState()` is slot 0's state.
import type { Board, PinName } from '../../board/board.ts';
import { DOUBLE_FIELD } from '../../../models/sim-time.ts';
import { HIGH, LOW } from '../../board/board.ts';
import { NO_KEY } from './arduino.ts';

export type KeyState = 'IDLE' | 'PRESSED' | 'HOLD' | 'RELEASED';

/** Keypad.h: LIST_MAX, the number of keys tracked at once. */
export const LIST_MAX = 10;
/** Keypad.h: MAPSIZE, the number of rows of the bit map (each row a 16-bit column mask). */
export const MAPSIZE = 10;
const MAX_COLUMNS = 16;
/** Keypad constructor defaults: setDebounceTime(10), setHoldTime(500). */
export const DEFAULT_DEBOUNCE_MS = 10;
export const DEFAULT_HOLD_MS = 500;

interface Key {
  kchar: string;
  kcode: number;
  kstate: KeyState;
  stateChanged: boolean;
}

function uintArg(x: number, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
    throw new RangeError(`Keypad.${what} expects a whole number of milliseconds (0..4294967295), got ${String(x)}`);
  }
  return x;
}

export class Keypad {
  readonly #board: Board;
  readonly #keymap: string[];
  readonly #rowPins: readonly PinName[];
  readonly #colPins: readonly PinName[];
  readonly #bitMap: number[];
  readonly #key: Key[] = [];
  #debounceTime = DEFAULT_DEBOUNCE_MS;
  #holdTime = DEFAULT_HOLD_MS;
  #startTime = DOUBLE_FIELD;
  #holdTimer = DOUBLE_FIELD;
  /** Every slot idle and cleared by the last `#updateList`, which changed nothing after (only it writes the slots). */
  #listSettled = false;

  constructor(board: Board, keymap: readonly (readonly string[])[], rowPins: readonly PinName[], colPins: readonly PinName[]) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#startTime = 0;
    this.#holdTimer = 0;
    const rows = rowPins.length;
    const cols = colPins.length;
    if (rows < 1 || rows > MAPSIZE) throw new RangeError(`Keypad: ${rows} row pins given; the library handles 1..${MAPSIZE} rows`);
    if (cols < 1 || cols > MAX_COLUMNS) throw new RangeError(`Keypad: ${cols} column pins given; the library handles 1..${MAX_COLUMNS} columns`);
    if (!Array.isArray(keymap) || keymap.length !== rows) {
      throw new RangeError(`Keypad: the keymap has ${Array.isArray(keymap) ? keymap.length : 0} rows but ${rows} row pins were given`);
    }
    const flat: string[] = [];
    keymap.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols) {
        throw new RangeError(`Keypad: keymap row ${r} has ${Array.isArray(row) ? row.length : 0} keys but ${cols} column pins were given`);
      }
      for (const ch of row) {
        if (typeof ch !== 'string' || ch.length !== 1) {
          throw new RangeError(`Keypad: keymap row ${r} holds ${JSON.stringify(ch)}; every key must be a single character`);
        }
        flat.push(ch);
      }
    });
    this.#board = board;
    this.#keymap = flat;
    this.#rowPins = [...rowPins];
    this.#colPins = [...colPins];
    this.#bitMap = new Array<number>(MAPSIZE).fill(0);
    for (let i = 0; i < LIST_MAX; i++) this.#key.push({ kchar: NO_KEY, kcode: -1, kstate: 'IDLE', stateChanged: false });
  }

  /** The key whose slot-0 entry has just been pressed, or NO_KEY (`''`). Scans at most once per debounce period. */
  getKey(): string {
    if (this.#getKeys() && this.#key[0].stateChanged && this.#key[0].kstate === 'PRESSED') return this.#key[0].kchar;
    return NO_KEY;
  }

  /** State of list slot 0 (the library's `getState()`). */
  getState(): KeyState {
    return this.#key[0].kstate;
  }

  /** Minimum time between scans; values below 1 become 1, as in the library. */
  setDebounceTime(ms: number): void {
    const d = uintArg(ms, 'setDebounceTime');
    this.#debounceTime = d < 1 ? 1 : d;
  }

  /** Time a key must stay down (more than this many ms) before it goes to HOLD. */
  setHoldTime(ms: number): void {
    this.#holdTime = uintArg(ms, 'setHoldTime');
  }

  #getKeys(): boolean {
    let keyActivity = false;
    // millis() arithmetic is unsigned 32-bit, so it survives the 49.7-day wrap.
    if (((this.#board.millis() - this.#startTime) >>> 0) > this.#debounceTime) {
      this.#scanKeys();
      keyActivity = this.#updateList();
      this.#startTime = this.#board.millis();
    }
    return keyActivity;
  }

  #scanKeys(): void {
    const b = this.#board;
    // A simulated board may prove the scan a no-op (no key down, pins where the last scan left them): every row then
    // reads HIGH, so each scanned column's bit is cleared, exactly as the pin-by-pin scan below would do.
    if (b.scanQuiet?.(this.#rowPins, this.#colPins)) {
      const mask = ~((1 << this.#colPins.length) - 1);
      for (let r = 0; r < this.#rowPins.length; r++) this.#bitMap[r] &= mask;
      return;
    }
    // Re-initialise the row pins on every scan ("allows sharing these pins with other hardware").
    for (const row of this.#rowPins) b.pinMode(row, 'INPUT_PULLUP');
    for (let c = 0; c < this.#colPins.length; c++) {
      const col = this.#colPins[c];
      b.pinMode(col, 'OUTPUT');
      b.digitalWrite(col, LOW); // begin the column pulse
      for (let r = 0; r < this.#rowPins.length; r++) {
        const closed = b.digitalRead(this.#rowPins[r]) === LOW; // a key press is active low
        this.#bitMap[r] = closed ? this.#bitMap[r] | (1 << c) : this.#bitMap[r] & ~(1 << c);
      }
      b.digitalWrite(col, HIGH); // end the column pulse, then high impedance
      b.pinMode(col, 'INPUT');
    }
  }

  /** Manage the list without rearranging the keys; true if any key on the list changed state. */
  #updateList(): boolean {
    const key = this.#key;
    if (this.#listSettled) {
      // The last call found every slot idle and cleared them, and nothing has changed a slot since: with no key
      // closed this call would clear them again and return false.
      let closed = 0;
      for (let r = 0; r < this.#rowPins.length; r++) closed |= this.#bitMap[r];
      if (closed === 0) return false;
      this.#listSettled = false;
    }
    let listIdle = true;
    for (const k of key) {
      if (k.kstate === 'IDLE') {
        k.kchar = NO_KEY;
        k.kcode = -1;
        k.stateChanged = false;
      } else {
        listIdle = false;
      }
    }
    if (listIdle) {
      // Every slot idle and empty, no key closed: the scan below finds no slot and adds none (nothing changes).
      let closed = 0;
      for (let r = 0; r < this.#rowPins.length; r++) closed |= this.#bitMap[r];
      if (closed === 0) { this.#listSettled = true; return false; }
    }
    const cols = this.#colPins.length;
    for (let r = 0; r < this.#rowPins.length; r++) {
      for (let c = 0; c < cols; c++) {
        const button = (this.#bitMap[r] >> c) & 1 ? true : false;
        const keyCode = r * cols + c;
        let idx = -1; // the list slot holding this key (a plain loop: this runs 16 times per 50 ms tick)
        for (let i = 0; i < key.length; i++) if (key[i].kcode === keyCode) { idx = i; break; }
        if (idx > -1) this.#nextKeyState(idx, button);
        if (idx === -1 && button) {
          // First empty slot, or the key is not added at all (more than LIST_MAX keys down).
          const free = key.findIndex((k) => k.kchar === NO_KEY);
          if (free > -1) {
            const k = key[free];
            k.kchar = this.#keymap[keyCode];
            k.kcode = keyCode;
            k.kstate = 'IDLE';
            this.#nextKeyState(free, button);
          }
        }
      }
    }
    return key.some((k) => k.stateChanged);
  }

  #nextKeyState(idx: number, closed: boolean): void {
    const k = this.#key[idx];
    k.stateChanged = false;
    switch (k.kstate) {
      case 'IDLE':
        if (closed) {
          this.#transitionTo(k, 'PRESSED');
          this.#holdTimer = this.#board.millis();
        }
        break;
      case 'PRESSED':
        // The hold test comes first: a key released after the hold time still passes through HOLD.
        if (((this.#board.millis() - this.#holdTimer) >>> 0) > this.#holdTime) this.#transitionTo(k, 'HOLD');
        else if (!closed) this.#transitionTo(k, 'RELEASED');
        break;
      case 'HOLD':
        if (!closed) this.#transitionTo(k, 'RELEASED');
        break;
      case 'RELEASED':
        this.#transitionTo(k, 'IDLE');
        break;
    }
  }

  #transitionTo(k: Key, next: KeyState): void {
    k.kstate = next;
    k.stateChanged = true;
  }
}
