// Listens to the raw bytes a Firmata board sends and hands over whole sysex messages and a count of everything seen.
// The rig uses it for what firmata-io parses away: the SERIAL resolution codes of the capability report (which
// hardware serial port a pin belongs to) and the first bytes of a board that does not speak Firmata.
import { END_SYSEX, START_SYSEX } from './protocol.ts';

export class SysexTap {
  bytes = 0;
  /** The first bytes received (up to 32), for an error message about a board that answers garbage. */
  readonly head: number[] = [];
  lastByteAt = -Infinity;
  #cur: number[] | null = null;
  onSysex?: (msg: number[]) => void;

  feed(data: ArrayLike<number>, nowUs: number): void {
    this.lastByteAt = nowUs;
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      this.bytes++;
      if (this.head.length < 32) this.head.push(b);
      if (b === START_SYSEX) { this.#cur = []; continue; }
      if (this.#cur) {
        if (b === END_SYSEX) { const m = this.#cur; this.#cur = null; this.onSysex?.(m); } else if (b & 0x80) this.#cur = null; else this.#cur.push(b);
      }
    }
  }
}

/** Parse a CAPABILITY_RESPONSE body (after the command byte) into per-pin mode -> resolution maps. */
export function parseCapabilities(body: readonly number[]): Map<number, number>[] {
  const pins: Map<number, number>[] = [];
  let cur = new Map<number, number>();
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x7f) { pins.push(cur); cur = new Map(); continue; }
    cur.set(body[i], body[i + 1] ?? 0);
    i++;
  }
  return pins;
}
