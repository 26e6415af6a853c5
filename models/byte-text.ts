// Text that a UART part builds one received or written byte at a time (a command line, a modem reply, a line of
// debug output). Appending a character to a string per byte costs a new string object per byte, and each
// `endsWith` on such a string copies it whole first; here the bytes are kept in a buffer, compared in place, and
// the string is made once, when someone asks for it. Each byte stands for one character U+0000..U+00FF, as
// `String.fromCharCode(byte)` gives it (Latin-1, not Windows-1252).

/** Characters made per `String.fromCharCode.apply` call (its arguments go on the stack). */
const CHARS_PER_CALL = 4096;

export class ByteText {
  #b: Uint8Array;
  /** Bytes held. */
  length = 0;

  constructor(capacity = 64) { this.#b = new Uint8Array(Math.max(1, capacity)); }

  push(byte: number): void {
    if (this.length === this.#b.length) {
      const grown = new Uint8Array(this.#b.length * 2);
      grown.set(this.#b);
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

  toString(): string {
    const b = this.#b;
    const n = this.length;
    if (n <= CHARS_PER_CALL) return String.fromCharCode.apply(null, b.subarray(0, n) as unknown as number[]);
    let out = '';
    for (let i = 0; i < n; i += CHARS_PER_CALL) {
      out += String.fromCharCode.apply(null, b.subarray(i, Math.min(n, i + CHARS_PER_CALL)) as unknown as number[]);
    }
    return out;
  }
}
