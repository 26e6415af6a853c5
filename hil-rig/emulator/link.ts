// The in-process link between the host (firmata-io / johnny-five) and an emulated Firmata board: a Duplex stream
// whose bytes travel on the board's clock. What the host writes reaches the board when its last bit would have left
// the host's UART at the link baud rate plus the USB bridge latency; what the board sends is pushed to the host
// when the board's own timing says it arrives (firmata-board.ts).
//
// Delivery is synchronous inside the clock event that carries it: `push` on a flowing stream emits 'data' at once,
// and `_write` takes each chunk as it is written. So nothing of the run depends on Node's event-loop turns and a run
// on the virtual clock stays deterministic.
import { Duplex } from 'node:stream';
import { byteTimeUs } from '../../models/uart.ts';
import type { FirmataBoard } from './firmata-board.ts';

export class EmulatedLink {
  readonly board: FirmataBoard;
  readonly stream: Duplex;
  #hostTxFree = 0;
  #open = true;
  /** Bytes the host wrote (diagnostics). */
  bytesToBoard = 0;
  bytesToHost = 0;

  constructor(board: FirmataBoard) {
    this.board = board;
    const link = this;
    this.stream = new Duplex({
      read() { /* data is pushed by the board */ },
      write(chunk: Buffer, _enc, cb) {
        if (link.#open) link.#toBoard(chunk);
        cb();
      },
    });
    // Writes bypass the Writable machinery: it defers each write's completion callback to its own process.nextTick,
    // and a run on the virtual clock is one long chain of promise continuations in which those ticks never get a
    // turn, so a run left tens of thousands of them queued (one per Firmata message) to run after the run, blocking
    // the event loop for 0.3-1 s at each close. Here a write hands its bytes to the board's timeline and completes at
    // once; after the cable is pulled, writes are dropped (the host already saw 'close'), with no error per write.
    (this.stream as { write: unknown }).write = (chunk: Uint8Array | string, encOrCb?: unknown, cb?: unknown): boolean => {
      const done = typeof encOrCb === 'function' ? encOrCb : typeof cb === 'function' ? cb : null;
      if (!this.#open) return false;
      this.#toBoard(typeof chunk === 'string' ? Buffer.from(chunk, typeof encOrCb === 'string' ? encOrCb as BufferEncoding : 'utf8') : Buffer.from(chunk));
      (done as ((e?: Error | null) => void) | null)?.(null);
      return true;
    };
    board.onOutput = (bytes) => {
      if (!this.#open) return;
      this.bytesToHost += bytes.length;
      this.stream.push(Buffer.from(bytes));
    };
  }

  /** The host opened the port: the stream says 'open' (as serialport does) and the board powers up. */
  connect(): void {
    this.stream.emit('open');
    this.board.boot();
  }

  /** The clock changed (the board was attached to another one): the host side's TX timeline restarts. */
  resetTiming(): void { this.#hostTxFree = 0; }

  /** The cable is pulled: the host sees the stream close; nothing more crosses. */
  unplug(): void {
    if (!this.#open) return;
    this.#open = false;
    this.stream.emit('close', { disconnect: true, disconnected: true });
    this.stream.destroy();
  }

  get open(): boolean { return this.#open; }

  #toBoard(chunk: Uint8Array): void {
    const time = this.board.time;
    const now = time.now();
    const bytes = Uint8Array.from(chunk);
    this.bytesToBoard += bytes.length;
    this.#hostTxFree = Math.max(now, this.#hostTxFree) + bytes.length * byteTimeUs(this.board.config.hostBaud);
    const arrive = this.#hostTxFree + this.board.config.latencyUs;
    time.at(arrive, () => { if (this.#open) this.board.receive(bytes); });
  }
}
