// The firmware's AFE serial port (USART3) on a rig: the Board `SerialPort` the firmware twin writes to, carried by
// Firmata SERIAL_WRITE / SERIAL_READ on a hardware serial port of the rig board, to the ATM90E26 wired there.
// - write(): bytes written in one run of the firmware (up to its next delay) go out as one SERIAL_WRITE.
// - RX: SERIAL_REPLY bytes land in a 64-byte buffer, as STM32duino's; overflow drops bytes.
// - It follows the ATM90E26 UART framing (0xFE, address, [data MSB, LSB,] checksum) to know how many reply bytes
//   each frame asks for (3 for a read, 1 for a write), so the board can tell the firmware is waiting for a reply
//   that has not come yet, and it measures each round trip (last frame byte written -> last reply byte received).
import type { SerialPort } from '../../twin/board/board.ts';
import type { SimTime } from '../../models/sim-time.ts';
import type { Firmata } from '../firmata/io.ts';

export const AFE_RX_BUFFER = 64;

export class AfePort implements SerialPort {
  readonly portId: number;
  #io: Firmata;
  #time: () => SimTime;
  #baud = 0;
  #open = false;
  #rx: number[] = [];
  #out: number[] = [];
  #flushQueued = false;
  #frame: number[] = [];
  #expected = 0;
  #received = 0;
  #sentAt = -1;
  #configuredBaud: number;
  /** Round trips measured, microseconds (frame out -> whole reply in). */
  readonly roundTrips: number[] = [];
  overruns = 0;

  constructor(io: Firmata, portId: number, configuredBaud: number, time: () => SimTime) {
    this.#io = io;
    this.portId = portId;
    this.#configuredBaud = configuredBaud;
    this.#time = time;
    io.serialRead(portId, (bytes) => this.#receive(bytes));
  }

  get baud(): number { return this.#baud; }
  /** A frame went out and its reply is not complete yet. */
  get awaitingReply(): boolean { return this.#received < this.#expected; }

  begin(baud: number): void {
    if (!(baud > 0)) throw new RangeError(`serial afe: baud must be positive, got ${String(baud)}`);
    if (baud !== this.#configuredBaud) {
      this.#io.serialConfig({ portId: this.portId, baud });
      this.#configuredBaud = baud;
    }
    this.#baud = baud;
    this.#open = true;
  }

  end(): void { this.#open = false; this.#rx = []; }

  write(data: number | string | Uint8Array): number {
    if (!this.#open) return 0;
    const bytes = typeof data === 'number' ? [data & 0xff] : typeof data === 'string' ? [...data].map((c) => c.charCodeAt(0) & 0xff) : [...data];
    for (const b of bytes) this.#track(b);
    this.#out.push(...bytes);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      const t = this.#time();
      t.at(t.now(), () => this.#flush());
    }
    return bytes.length;
  }

  available(): number { return this.#rx.length; }
  read(): number { return this.#rx.length ? this.#rx.shift()! : -1; }
  peek(): number { return this.#rx.length ? this.#rx[0] : -1; }
  /** The bytes are handed to the link at once; nothing to wait for on this side. */
  flush(): void { if (this.#out.length) this.#flush(); }

  /** Power cut of the meter: buffers lost; the rig board's port stays configured. */
  powerOff(): void { this.#open = false; this.#rx = []; this.#out = []; this.#frame = []; this.#expected = this.#received = 0; }

  #flush(): void {
    this.#flushQueued = false;
    if (!this.#out.length) return;
    const bytes = this.#out;
    this.#out = [];
    this.#io.serialWrite(this.portId, bytes);
    if (this.awaitingReply) this.#sentAt = this.#time().now();
  }

  /** Frame tracking: FE, addr (bit 7 = read), then checksum (read) or MSB, LSB, checksum (write). */
  #track(b: number): void {
    const f = this.#frame;
    if (f.length === 0) { if (b === 0xfe) f.push(b); return; }
    f.push(b);
    const read = (f[1] & 0x80) !== 0;
    if (f.length === (read ? 3 : 5)) {
      if (!this.awaitingReply) { this.#expected = 0; this.#received = 0; }
      this.#expected += read ? 3 : 1;
      this.#frame = [];
    }
  }

  #receive(bytes: number[]): void {
    for (const b of bytes) {
      if (this.#received < this.#expected) this.#received++;
      if (!this.#open) continue;
      if (this.#rx.length >= AFE_RX_BUFFER - 1) { this.overruns++; continue; }
      this.#rx.push(b & 0xff);
    }
    if (this.#sentAt >= 0 && !this.awaitingReply) {
      this.roundTrips.push(this.#time().now() - this.#sentAt);
      this.#sentAt = -1;
    }
  }
}
