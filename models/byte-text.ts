// Text that a UART part builds one received or written byte at a time (a command line, a modem reply, a line of
// debug output). Appending a character to a string per byte costs a new string object per byte, and each
// `endsWith` on such a string copies it whole first; here the bytes are kept in a buffer, compared in place, and
// the string is made once, when someone asks for it. Each byte stands for one character U+0000..U+00FF, as
// `String.fromCharCode(byte)` gives it (Latin-1, not Windows-1252).

import { Buffer } from 'node:buffer';

/** Texts up to this long are remembered: a UART's lines repeat (the same AT commands every loop pass). */
const REMEMBERED_LENGTH = 96;
/** Texts remembered per ByteText before it starts afresh. */
const REMEMBERED_COUNT = 256;

export class ByteText {
  #b: Buffer;
  /** Bytes held. */
  length = 0;
  /** Strings made before, by a hash of their bytes (a hit is checked byte by byte). */
  readonly #made = new Map<number, string>();

  constructor(capacity = 64) { this.#b = Buffer.alloc(Math.max(1, capacity)); }

  push(byte: number): void {
    if (this.length === this.#b.length) {
      const grown = Buffer.alloc(this.#b.length * 2);
      this.#b.copy(grown);
      this.#b = grown;
    }
    this.#b[this.length++] = byte;
  }

  /** Each character of `s` as a byte (its low 8 bits). */
  append(s: string): void {
    for (let i = 0; i < s.length; i++) this.push(s.charCodeAt(i) & 0xff);
  }

  clear(): void { this.length = 0; }

  /** The text ends with `s` (characters above U+00FF never match). */
  endsWith(s: string): boolean {
    const n = s.length;
    if (n > this.length) return false;
    const b = this.#b;
    const off = this.length - n;
    for (let i = n - 1; i >= 0; i--) if (b[off + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Some byte is the ASCII letter `letter` in either case (`letter` a lower-case code). */
  hasLetter(letter: number): boolean {
    const b = this.#b;
    for (let i = 0; i < this.length; i++) if ((b[i] | 0x20) === letter) return true;
    return false;
  }

  toString(): string {
    const n = this.length;
    if (n === 0) return '';
    if (n > REMEMBERED_LENGTH) return this.#make();
    const b = this.#b;
    let h = n;
    for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + b[i]) | 0;
    const made = this.#made.get(h);
    if (made !== undefined && this.endsWith(made) && made.length === n) return made;
    const s = this.#make();
    if (this.#made.size >= REMEMBERED_COUNT) this.#made.clear();
    this.#made.set(h, s);
    return s;
  }

  /** Node's `latin1` maps each byte to the character of that code, as `String.fromCharCode(byte)`. */
  #make(): string { return this.#b.toString('latin1', 0, this.length); }
}
