// The SIM800's command-line reader (SIM800 Series AT Command Manual V1.09 §1.4, V.25ter): characters accumulate
// until the command line termination character S3 (CR); the LF the host sends after it is not part of the next
// line. A command starts at the `AT` prefix (or `at` at the start of the line): characters before it are ignored
// (V.25ter: the modem hunts for the prefix), so the firmware's `printf` text that shares this UART without a CR
// does not spoil the command after it. A line with no prefix at all (the RTC warnings the firmware prints with CR
// LF, firmware §9.1 step 4) is answered with `ERROR`.
// In data mode (after `AT+CIPSEND=<mux>,<len>` and its `>` prompt) exactly `len` bytes are taken as payload.

import { ByteText } from '../byte-text.ts';

export type ParsedInput =
  | { kind: 'command'; line: string }
  | { kind: 'garbage'; line: string }
  | { kind: 'data'; bytes: Uint8Array };

/** Longest command line the SIM800 accepts (its input buffer); longer lines are answered ERROR. */
export const AT_MAX_LINE = 556;

const NO_DATA = new Uint8Array(0);
/** Bytes asked about and on their way that the parser keeps to follow them again (a power of two). */
const ASKED_KEPT = 256;

export class AtCommandParser {
  /** The command line so far (no string per byte: it is made at the CR). */
  readonly #line = new ByteText(64);
  #skipLf = false;
  #dataLeft = 0;
  /** The payload being received, sized by `expectData`, and how much of it has come. */
  #data = NO_DATA;
  #dataAt = 0;

  /** Data mode: the next `length` bytes are payload, whatever they are. */
  expectData(length: number): void {
    this.#dataLeft = length;
    this.#data = new Uint8Array(length);
    this.#dataAt = 0;
  }

  get inDataMode(): boolean { return this.#dataLeft > 0; }

  // What the parser will be when the bytes it was asked about (`inert`) have arrived, followed from those bytes. The
  // sender asks about every byte it sends, in order; the modem tells the parser of every byte that reaches its UART
  // (`arrive`, taken or not). The parser keeps the bytes asked about that have not arrived, and follows from them as
  // long as none can do more than extend the line: a CR ending a line with no `A` or `a` in it cannot be a command
  // (`at` starts one, `AT` anywhere in a line does), so it leaves a fresh line and the LF skip; a CR that may end a
  // command, a payload's last byte, a byte the modem will not take (`lost`) or a reset leave it unknown until that
  // byte has arrived; then it is followed again from the state the parser is in, over the bytes still on their way.
  readonly #asked = new Uint8Array(ASKED_KEPT);
  #askedTotal = 0;
  #arrivedTotal = 0;
  /** Unknown until this many bytes have arrived. */
  #unknownUntil = 0;
  #known = false;
  #aheadSkipLf = false;
  #aheadData = 0;
  /** The bytes asked about since the line began (or since it was followed afresh) hold an `A` or `a`. */
  #aheadHasA = false;
  /** The line began with a byte asked about (a CR on its way ended the one before): the line held now is not its start. */
  #aheadFresh = false;
  /** The byte asked about last is a CR that may end a command: an LF right after it is dropped whatever it does. */
  #aheadCrLf = false;

  /**
   * `byte`, arriving after the `pendingBefore` bytes still on their way from the same sender, only extends the line
   * or the payload: not a CR, not a payload's last byte, nothing whose effect depends on what a command before it did
   * (but the LF right after a command's CR, which the LF skip drops).
   */
  inert(byte: number, pendingBefore: number): boolean {
    const n = this.#askedTotal;
    if (n - this.#arrivedTotal !== pendingBefore) {
      // Bytes on their way that the parser was not asked about, or bytes asked about that will not come (the sender
      // lost them): the count is the sender's, and what is on its way is unknown until it has arrived.
      this.#arrivedTotal = n - pendingBefore;
      this.#forget(n);
    }
    this.#asked[n & (ASKED_KEPT - 1)] = byte;
    this.#askedTotal = n + 1;
    if (!this.#known && this.#arrivedTotal >= this.#unknownUntil && pendingBefore < ASKED_KEPT) this.#follow(n);
    if (!this.#known) {
      const dropped = this.#aheadCrLf && byte === 0x0a;
      this.#aheadCrLf = false;
      return dropped;
    }
    return this.#step(byte, n);
  }

  /** A byte reached the modem's UART (whether the modem takes it or not). */
  arrive(): void { this.#arrivedTotal++; }

  /** The byte asked about last will not be pushed (the modem drops it, or reads a framing error). */
  lost(): void { this.#forget(this.#askedTotal); }

  /** Unknown until `until` bytes have arrived. */
  #forget(until: number): void {
    this.#known = false;
    this.#aheadCrLf = false;
    if (until > this.#unknownUntil) this.#unknownUntil = until;
  }

  /** Follow afresh from the state the parser is in, over the bytes on their way before byte number `n`. */
  #follow(n: number): void {
    this.#known = true;
    this.#aheadSkipLf = this.#skipLf;
    this.#aheadData = this.#dataLeft;
    this.#aheadHasA = false;
    this.#aheadFresh = false;
    this.#aheadCrLf = false;
    for (let i = this.#arrivedTotal; i < n && this.#known; i++) this.#step(this.#asked[i & (ASKED_KEPT - 1)], i);
    if (!this.#known && this.#unknownUntil < n) this.#aheadCrLf = false;
  }

  /** Byte number `i`, asked about while the state ahead is known: inert or not, and the state after it. */
  #step(byte: number, i: number): boolean {
    if (this.#aheadSkipLf) {
      this.#aheadSkipLf = false;
      if (byte === 0x0a) return true;
    }
    if (this.#aheadData > 0) {
      if (--this.#aheadData > 0) return true;
      this.#forget(i + 1);
      return false;
    }
    if (byte === 0x0d) {
      if (this.#aheadHasA || (!this.#aheadFresh && this.#line.hasLetter(0x61))) {
        this.#forget(i + 1);
        this.#aheadCrLf = true;
      } else {
        this.#aheadSkipLf = true;
        this.#aheadHasA = false;
        this.#aheadFresh = true;
      }
      return false;
    }
    if ((byte | 0x20) === 0x61) this.#aheadHasA = true;
    return true;
  }

  /** Forget a partial line (power cut, baud change). */
  reset(): void {
    this.#forget(this.#askedTotal);
    this.#line.clear();
    this.#skipLf = false;
    this.#dataLeft = 0;
    this.#data = NO_DATA;
  }

  /** One received byte; returns a completed command, garbage line or payload, or null. */
  push(byte: number): ParsedInput | null {
    if (this.#skipLf) {
      // The LF after the command's CR arrives before the `>` prompt: it is not payload.
      this.#skipLf = false;
      if (byte === 0x0a) return null;
    }
    if (this.#dataLeft > 0) {
      this.#data[this.#dataAt++] = byte;
      if (--this.#dataLeft === 0) {
        const bytes = this.#data;
        this.#data = NO_DATA;
        return { kind: 'data', bytes };
      }
      return null;
    }
    if (byte === 0x0d) {
      const l = this.#line.toString();
      this.#line.clear();
      this.#skipLf = true;
      const trimmed = l.replace(/^[\s\0]+/, '');
      if (trimmed === '') return null; // an empty line is ignored
      const at = /^at/.test(trimmed) ? 0 : trimmed.indexOf('AT');
      const cmd = at >= 0 ? trimmed.slice(at) : '';
      if (cmd && cmd.length <= AT_MAX_LINE) return { kind: 'command', line: cmd };
      return { kind: 'garbage', line: trimmed };
    }
    if (byte === 0x0a && this.#line.length === 0) return null;
    if (this.#line.length < AT_MAX_LINE + 1) this.#line.push(byte);
    return null;
  }
}
