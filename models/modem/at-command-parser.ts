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

  /**
   * `byte`, pushed after `pendingBefore` inert bytes not yet pushed, returns null and only extends the line or the
   * payload (not a CR, not a payload's last byte; nothing right after a CR, whose LF is handled apart).
   */
  inert(byte: number, pendingBefore: number, afterActing = -1): boolean {
    // After a CR still on its way (the only byte that acts), out of data mode: that CR ends a line, which sets the
    // LF skip, so an LF right after it is dropped whatever the line's command does (even one that starts data mode).
    if (afterActing >= 0) return afterActing === 0x0d && byte === 0x0a && this.#dataLeft === 0;
    if (this.#skipLf) return false;
    if (this.#dataLeft > 0) return pendingBefore + 1 < this.#dataLeft;
    return byte !== 0x0d;
  }

  /** Forget a partial line (power cut, baud change). */
  reset(): void {
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
