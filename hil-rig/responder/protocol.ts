// The host link of the AFE responder (hil-rig/firmware/afe-responder): fixed 6-byte frames in both directions,
// SYNC, TYPE, P0, P1, P2, SUM = (TYPE + P0 + P1 + P2) & FF; A5 from the host, 5A from the responder. The sketch's
// header says what each type means; this file encodes and decodes them.

export const HOST_SYNC = 0xa5;
export const RESPONDER_SYNC = 0x5a;
export const FRAME_BYTES = 6;

/** What the host sends. */
export type HostCommand =
  | { type: 'set' | 'add' | 'or'; addr: number; value: number }
  | { type: 'writable' | 'readClear'; block: number; mask: number }
  | { type: 'latency'; us: number }
  | { type: 'ping'; seq: number };

/** What the responder reports. */
export type ResponderReport =
  | { type: 'read' | 'write' | 'readOnlyWrite'; addr: number; value: number }
  | { type: 'badChecksum'; bytes: [number, number, number] }
  | { type: 'timeout'; bytes: number }
  | { type: 'pong'; seq: number; version: number }
  | { type: 'badHostFrame'; hostType: number };

const HOST_CODES: Record<HostCommand['type'], number> = {
  set: 0x53, add: 0x41, or: 0x4f, writable: 0x43, readClear: 0x52, latency: 0x4c, ping: 0x50,
};

function byte(x: number, what: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new RangeError(`${what} must be a byte, got ${String(x)}`);
  return x;
}

function word(x: number, what: string): number {
  if (!Number.isInteger(x) || x < 0 || x > 0xffff) throw new RangeError(`${what} must be 0..0xFFFF, got ${String(x)}`);
  return x;
}

export function encodeCommand(c: HostCommand): Uint8Array {
  let p: [number, number, number];
  switch (c.type) {
    case 'set': case 'add': case 'or': {
      if (!Number.isInteger(c.addr) || c.addr < 0 || c.addr > 0x7f) throw new RangeError(`register address must be 0..0x7F, got ${String(c.addr)}`);
      const v = word(c.value, 'register value');
      p = [c.addr, v >> 8, v & 0xff];
      break;
    }
    case 'writable': case 'readClear':
      if (!Number.isInteger(c.block) || c.block < 0 || c.block > 15) throw new RangeError(`register block must be 0..15, got ${String(c.block)}`);
      p = [c.block, byte(c.mask, 'mask'), 0];
      break;
    case 'latency': { const us = word(c.us, 'reply latency (us)'); p = [us >> 8, us & 0xff, 0]; break; }
    case 'ping': p = [byte(c.seq, 'ping sequence'), 0, 0]; break;
  }
  const t = HOST_CODES[c.type];
  return Uint8Array.of(HOST_SYNC, t, ...p, (t + p[0] + p[1] + p[2]) & 0xff);
}

/** Decodes the responder's byte stream into reports; bytes out of frame or with a bad sum are counted and skipped. */
export class ReportDecoder {
  /** Bytes dropped while looking for a frame, and frames with a bad sum. */
  dropped = 0;
  #buf: number[] = [];

  push(bytes: Iterable<number>): ResponderReport[] {
    const out: ResponderReport[] = [];
    for (const b of bytes) {
      if (this.#buf.length === 0 && b !== RESPONDER_SYNC) { this.dropped++; continue; }
      this.#buf.push(b & 0xff);
      if (this.#buf.length < FRAME_BYTES) continue;
      const [, t, p0, p1, p2, sum] = this.#buf;
      this.#buf = [];
      if (((t + p0 + p1 + p2) & 0xff) !== sum) { this.dropped++; continue; }
      const value = (p1 << 8) | p2;
      switch (t) {
        case 0x72: out.push({ type: 'read', addr: p0, value }); break;
        case 0x77: out.push({ type: 'write', addr: p0, value }); break;
        case 0x78: out.push({ type: 'readOnlyWrite', addr: p0, value }); break;
        case 0x65: out.push({ type: 'badChecksum', bytes: [p0, p1, p2] }); break;
        case 0x74: out.push({ type: 'timeout', bytes: p0 }); break;
        case 0x70: out.push({ type: 'pong', seq: p0, version: p1 }); break;
        case 0x68: out.push({ type: 'badHostFrame', hostType: p0 }); break;
        default: this.dropped++;
      }
    }
    return out;
  }
}
