// The ATM90E26 UART frame protocol (DS §4.2; docs/atm90e26.md §1): frame encoders for a host, and the chip's
// byte-by-byte frame receiver with auto-baud, checksum and inter-byte timeout.
//
//   write: host FE, A (addr & 7F), DH, DL, CK = (A + DH + DL) & FF   -> chip replies CK
//   read:  host FE, A (addr | 80), CK = A                             -> chip replies DH, DL, (DH + DL) & FF
import { DOUBLE_FIELD } from '../sim-time.ts';
import { assertUartByte, byteTimeUs } from '../uart.ts';

export const FRAME_START = 0xfe;

function checkAddr(addr: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr > 0x7f) {
    throw new RangeError(`ATM90E26 register address must be 0..0x7F, got ${String(addr)}`);
  }
}
function checkWord(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`ATM90E26 register value must be 0..0xFFFF, got ${String(value)}`);
  }
}

/** Host bytes of a register write. */
export function writeFrame(addr: number, value: number): number[] {
  checkAddr(addr);
  checkWord(value);
  const dh = value >> 8;
  const dl = value & 0xff;
  return [FRAME_START, addr, dh, dl, (addr + dh + dl) & 0xff];
}

/** Host bytes of a register read. */
export function readFrame(addr: number): number[] {
  checkAddr(addr);
  const a = addr | 0x80;
  return [FRAME_START, a, a];
}

/** Chip bytes answering a read of `value`. */
export function readReply(value: number): number[] {
  checkWord(value);
  const dh = value >> 8;
  const dl = value & 0xff;
  return [dh, dl, (dh + dl) & 0xff];
}

/** The baud rates the chip detects from the 0xFE start byte (DS §4.2). */
export const SUPPORTED_BAUDS = [2400, 9600] as const;

/** The supported rate `baud` is within `tolerance` (fraction) of, or null (the chip sees garbage). */
export function detectBaud(baud: number, tolerance: number): 2400 | 9600 | null {
  for (const b of SUPPORTED_BAUDS) if (Math.abs(baud - b) <= b * tolerance) return b;
  return null;
}

export type Frame =
  | { kind: 'read'; addr: number }
  | { kind: 'write'; addr: number; value: number; checksum: number };

export interface FrameReceiverOptions {
  /** Accepted baud deviation as a fraction (0.02 = +-2 %, reference §1). */
  baudTolerance: number;
  /** A gap longer than this between two host bytes aborts the transaction (20 ms, DS §4.2). */
  interByteTimeoutUs: number;
}

type State = 'idle' | 'addr' | 'dh' | 'dl' | 'ck';

/** Why a byte did not complete a frame (for diagnostics and traces). */
export type RxEvent = 'garbage' | 'discarded' | 'timeout' | 'badChecksum';

/**
 * Assembles host bytes into frames. Bytes before a 0xFE are discarded; a byte at a rate the chip cannot decode is
 * ignored; a gap above the timeout aborts the frame (the late byte is then treated as the first byte of a new one);
 * a bad checksum drops the frame silently.
 */
export class FrameReceiver {
  #state: State = 'idle';
  #addr = 0;
  #dh = 0;
  #dl = 0;
  #baud = 0;
  /** Receive time (stop bit end) of the previous byte of the frame being assembled. */
  #lastUs = DOUBLE_FIELD;
  /** Called for bytes that end a frame attempt without a frame. */
  onReject?: (why: RxEvent, byte: number, tUs: number) => void;

  readonly #options: () => FrameReceiverOptions;

  constructor(options: () => FrameReceiverOptions) {
    this.#options = options;
    this.#lastUs = 0; // a double field (DOUBLE_FIELD)
  }

  /** The rate detected from the current frame's 0xFE (0 while idle). */
  get baud(): number { return this.#baud; }
  get idle(): boolean { return this.#state === 'idle'; }

  reset(): void {
    this.#state = 'idle';
    this.#baud = 0;
  }

  /** Feed one byte received at `tUs` (end of its stop bit); returns a complete frame with a valid checksum, or null. */
  push(byte: number, baud: number, tUs: number): { frame: Frame; baud: number } | null {
    assertUartByte(byte);
    const opt = this.#options();
    const rate = detectBaud(baud, opt.baudTolerance);
    if (rate === null) { this.onReject?.('garbage', byte, tUs); return null; }

    if (this.#state !== 'idle') {
      // Gap between the previous stop bit and this byte's start bit.
      const gap = tUs - this.#lastUs - byteTimeUs(baud);
      if (gap > opt.interByteTimeoutUs) {
        this.onReject?.('timeout', byte, tUs);
        this.reset();
      } else if (rate !== detectBaud(this.#baud, opt.baudTolerance)) {
        // Another rate than the one detected from this frame's 0xFE: the chip samples garbage.
        this.onReject?.('garbage', byte, tUs);
        return null;
      }
    }

    switch (this.#state) {
      case 'idle':
        if (byte !== FRAME_START) { this.onReject?.('discarded', byte, tUs); return null; }
        this.#state = 'addr';
        this.#baud = baud;
        break;
      case 'addr':
        this.#addr = byte;
        this.#state = byte & 0x80 ? 'ck' : 'dh';
        break;
      case 'dh':
        this.#dh = byte;
        this.#state = 'dl';
        break;
      case 'dl':
        this.#dl = byte;
        this.#state = 'ck';
        break;
      case 'ck': {
        const frameBaud = this.#baud;
        this.reset();
        if (this.#addr & 0x80) {
          if (byte !== this.#addr) { this.onReject?.('badChecksum', byte, tUs); return null; }
          return { frame: { kind: 'read', addr: this.#addr & 0x7f }, baud: frameBaud };
        }
        const ck = (this.#addr + this.#dh + this.#dl) & 0xff;
        if (byte !== ck) { this.onReject?.('badChecksum', byte, tUs); return null; }
        return {
          frame: { kind: 'write', addr: this.#addr, value: (this.#dh << 8) | this.#dl, checksum: ck },
          baud: frameBaud,
        };
      }
    }
    this.#lastUs = tUs;
    return null;
  }
}
