// One USART of the blue pill as STM32duino 1.9.0's HardwareSerial drives it (docs/firmware.md §1.7), on the
// sender-does-timing link of models/uart.ts:
// - TX: write() puts bytes in a 64-byte ring buffer; the interrupt sends them back to back, 8N1, at the port's baud,
//   starting at the running code's time (`cpu.nowUs()`). A byte keeps its slot until its stop bit has left (the
//   core's `_tx_complete_irq` advances the tail then), and one slot always stays empty, so 63 bytes fit. When the
//   buffer is full, write() spins until a slot frees ("nop, the interrupt handler will free up space for us"): the
//   writer is charged that time. flush() spins until the buffer has drained.
// - RX: bytes from the peer land in a 64-byte ring buffer (63 usable, as TX); a byte arriving at a full buffer is
//   dropped (`overruns`).
// - A port that is not begun (or was ended) sends nothing (write() returns 0) and receives nothing.
// - A port with no peer still puts its bytes on the wire (onTransmit), they just reach nobody (the mute modem).
// - Lines (onLine) are assembled as the code writes them, at the time it printed them, so a trace line and the
//   screen drawn right after it carry the same time; onTransmit gives the wire timing of each byte.
// Exact shortcut `uart-run` (off with --exact-slow): when the peer declares a byte inert (models/uart.ts) and nobody
// watches the wire per byte (no onTransmit), the byte gets no clock event of its own: it is held back and handed to
// the peer, in order, in the event of the next byte that acts (at that byte's time), or when the peer says its state
// is about to change (`due`: then the bytes whose events would have run by now). The peer is asked about every byte,
// also behind bytes that act and are still on their way (it follows what they will do: a CR ending a line that cannot
// be a command leaves it reading a new line), so bytes are held back between them too. A byte of a port with no
// peer, that nobody watches, gets no event either (it would do nothing). The event order (`reserveSeq`) is kept as if each byte had its own
// event; when a peer or a watcher is attached while such bytes are on the wire, those bytes get their own events
// at their reserved places, so what the new watcher sees is what it would have seen byte by byte.
// A write() of several bytes goes in runs (`#putRun`): the bytes up to an LF (which calls onLine) that fit in the
// TX buffer without a spin get the same slots, times, queue entries and event places with the checks made once.
// Exact shortcut `rx-run` (off with --exact-slow): the RX side is a UART run peer whose every byte is inert (it only
// extends the RX buffer, which nothing reads without asking for the bytes due first), so a sender that holds bytes
// back (the SIM800's replies) gives them no clock events: available(), read(), peek(), begin(), end(), a power cut and
// the error counters first take the held bytes whose events would have run by now (`rxPeer.due`), in order.
// RX visibility: a received byte lands when the clock reaches its stop bit. Code running ahead of the clock (main
// context work not yet paid by a delay, or an interrupt) sees it at its next delay, as the debt model implies.
import type { Cpu } from './cpu.ts';
import { DOUBLE_FIELD, doubleArray } from '../../models/sim-time.ts';
import type { SerialPort } from './board.ts';
import { ByteText } from '../../models/byte-text.ts';
import { assertUartByte, byteTimeUs, isUartRunPeer, UART_BITS_PER_BYTE, type UartBufferPeer, type UartPeer, type UartRunPeer } from '../../models/uart.ts';

/** STM32duino HardwareSerial ring buffers (SERIAL_RX_BUFFER_SIZE, SERIAL_TX_BUFFER_SIZE). */
export const SERIAL_BUFFER = 64;

export type SerialName = 'afe' | 'modem' | 'debug';

/**
 * What a receiver at `rxBaud` makes of one 8N1 character sent at `txBaud`: it syncs on the start bit's falling edge
 * and samples each bit at its middle (the USART's 16x oversampling takes the majority around sample 8), reading the
 * idle HIGH after the sender's stop bit. Within about ±3 % the byte survives; further off, bits are read from the
 * wrong place and the stop bit may read LOW (a framing error). Approximation: each sent character is decoded on its
 * own (a slow sender's character that spans several receiver characters gives one, not several).
 */
export function sampleUartByte(byte: number, txBaud: number, rxBaud: number): { byte: number; framingError: boolean } {
  const level = (tUs: number): number => {
    const bit = Math.floor((tUs * txBaud) / 1e6);
    if (bit <= 0) return 0; // start bit
    if (bit <= 8) return (byte >> (bit - 1)) & 1;
    return 1; // stop bit, then idle
  };
  const rxBit = 1e6 / rxBaud;
  let out = 0;
  for (let i = 0; i < 8; i++) out |= level((i + 1.5) * rxBit) << i;
  return { byte: out, framingError: level((UART_BITS_PER_BYTE - 0.5) * rxBit) === 0 };
}

/** Board-level observers of every port (SimulatedBoard.onTransmit / onLine), told which port spoke. */
export interface SerialObserver {
  transmit(port: SerialName, byte: number, tUs: number): void;
  /** True when someone wants each byte at its time on the wire (`transmit`). */
  wantsBytes(): boolean;
  /** True when someone wants lines (assembling them costs a string per byte). */
  wantsLines(): boolean;
  line(port: SerialName, line: string): void;
}

/**
 * Bytes on the wire not yet handed on (`uart-run`), oldest first, in parallel arrays (no object per byte). A byte is
 * named by its absolute number (`base` + its index), which stays valid as delivered bytes are dropped.
 */
class WireQueue {
  byte: number[] = [];
  baud: number[] = [];
  /** Times (arrays of doubles from the start: models/sim-time.ts DOUBLE_FIELD). */
  end: number[] = doubleArray();
  t: number[] = doubleArray();
  seq: number[] = [];
  /** 1: the byte acts (it has its own clock event). */
  acting: number[] = [];
  gen: number[] = [];
  /** First byte not yet handed on, and one past the last byte queued (the arrays keep their storage). */
  head = 0;
  len = 0;
  base = 0;
  get size(): number { return this.len - this.head; }
  /** The absolute number the next byte delivered has. */
  get next(): number { return this.base + this.head; }
  push(byte: number, baud: number, end: number, t: number, seq: number, acting: number, gen: number): number {
    const i = this.len++;
    this.byte[i] = byte; this.baud[i] = baud; this.end[i] = end; this.t[i] = t; this.seq[i] = seq;
    this.acting[i] = acting; this.gen[i] = gen;
    return this.base + i;
  }
  /** Forget the delivered bytes (all of them once the queue is empty, else now and then). */
  compact(): void {
    const h = this.head;
    if (h === this.len) this.clear();
    else if (h >= 1024) {
      // In place, keeping the storage (a queue that never empties, the OpenPAYGO flood, comes here every 1,024 bytes).
      const n = this.len - h;
      for (let k = 0; k < n; k++) {
        const j = h + k;
        this.byte[k] = this.byte[j]; this.baud[k] = this.baud[j]; this.end[k] = this.end[j]; this.t[k] = this.t[j];
        this.seq[k] = this.seq[j]; this.acting[k] = this.acting[j]; this.gen[k] = this.gen[j];
      }
      this.base += h;
      this.head = 0;
      this.len -= h;
    }
  }
  /** Drop every byte (the numbers given so far are all below `next` from now on). */
  clear(): void {
    this.base += this.len;
    this.head = 0;
    this.len = 0;
  }
}

export class HardwareSerial implements SerialPort {
  readonly name: SerialName;
  #peer: UartPeer | undefined;
  #onTransmit: ((byte: number, tUs: number) => void) | undefined;
  /** Each line of text written to the port (split at LF, CR dropped), when the code writes its LF. */
  onLine?: (line: string) => void;
  /** Each byte as the code queues it (at the time it wrote it, before it is on the wire); not for a closed port. */
  onWrite?: (byte: number) => void;
  #overruns = 0;
  #framingErrors = 0;
  /** The receiving side of this port, for the device wired to its RX pin. */
  readonly rxPeer: UartBufferPeer;
  #cpu: Cpu;
  #baud = 0;
  /** One character's time at `#baud`, us. */
  #byteUs = 0;
  #open = false;
  /** The RX ring buffer: `#rxCount` bytes from `#rxHead`. */
  readonly #rx = new Uint8Array(SERIAL_BUFFER);
  #rxHead = 0;
  #rxCount = 0;
  /** Stop-bit end times of the bytes still holding a TX slot, oldest first. */
  /** Stop-bit end times of the bytes holding a TX slot: a ring of SERIAL_BUFFER from `#txHead`, `#txCount` long. */
  readonly #txEnds = new Float64Array(SERIAL_BUFFER);
  #txHead = 0;
  #txCount = 0;
  #txFreeAt = DOUBLE_FIELD;
  /** Bumped at a power cut: transmissions scheduled before it are void. */
  #generation = 0;
  /** The line being written (no string per byte: it is made at the LF). */
  readonly #line = new ByteText(128);
  #observer: SerialObserver | undefined;
  /** `uart-run`: allowed at all (the shortcut's switch). */
  readonly #runs: boolean;
  /** `uart-run`: bytes on the wire not yet handed to the peer, oldest first. */
  readonly #queue = new WireQueue();
  /** Bytes handed over in another byte's event (the shortcut's counter). */
  bytesHeldBack = 0;
  /** `uart-run`: bytes to nobody, with no event, while they may still be on the wire. */
  readonly #silent = new WireQueue();
  /** Bytes that went to nobody without an event (the shortcut's counter). */
  bytesUnheard = 0;

  constructor(cpu: Cpu, name: SerialName, peer?: UartPeer, observer?: SerialObserver,
    options: { uartRuns?: boolean; rxRuns?: boolean } = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#txFreeAt = 0;
    this.#cpu = cpu;
    this.name = name;
    this.#peer = peer;
    this.#observer = observer;
    this.#runs = options.uartRuns ?? false;
    const rxRuns = options.rxRuns ?? false;
    this.rxPeer = {
      receive: (byte: number, baud: number) => this.#receive(byte, baud),
      inert: () => rxRuns,
      buffered: rxRuns,
      due: null,
    };
  }

  /** Bytes lost because the RX buffer was full. */
  get overruns(): number { this.rxPeer.due?.(); return this.#overruns; }
  /** Bytes received with a framing error (sent at another baud rate); they are still stored, as the core does. */
  get framingErrors(): number { this.rxPeer.due?.(); return this.#framingErrors; }

  /** The device on the other end of TX (undefined: the bytes reach nobody). */
  get peer(): UartPeer | undefined { return this.#peer; }
  set peer(p: UartPeer | undefined) { this.rewire(() => { this.#peer = p; }); }

  /** Each byte when its stop bit has left the pin. */
  get onTransmit(): ((byte: number, tUs: number) => void) | undefined { return this.#onTransmit; }
  set onTransmit(fn: ((byte: number, tUs: number) => void) | undefined) { this.rewire(() => { this.#onTransmit = fn; }); }

  /**
   * `change` alters who hears this port (its peer, a watcher of the wire): bytes held back that have arrived by now
   * go as before it, those still on the wire get their own events at their places, as byte by byte.
   */
  rewire(change: () => void): void {
    this.#deliverDue();
    change();
    const clock = this.#cpu.clock;
    const q = this.#queue;
    for (let i = q.head; i < q.len; i++) {
      if (q.acting[i]) continue;
      q.acting[i] = 1;
      const n = q.base + i;
      clock.atReserved(q.t[i], q.seq[i], () => this.#deliverThrough(n));
    }
    const z = this.#silent;
    for (let i = z.head; i < z.len; i++) {
      if (clock.ranBefore(z.t[i], z.seq[i])) continue;
      const byte = z.byte[i];
      const baud = z.baud[i];
      const end = z.end[i];
      const gen = z.gen[i];
      clock.atReserved(z.t[i], z.seq[i], () => {
        if (gen !== this.#generation || !this.#cpu.powered) return;
        this.#transmitted(byte, baud, end);
      });
    }
    z.clear();
  }

  get baud(): number { return this.#baud; }
  get isOpen(): boolean { return this.#open; }

  begin(baud: number): void {
    if (typeof baud !== 'number' || !Number.isFinite(baud) || baud <= 0) {
      throw new RangeError(`serial ${this.name}: baud must be positive, got ${String(baud)}`);
    }
    this.rxPeer.due?.();
    this.#baud = baud;
    this.#byteUs = byteTimeUs(baud);
    this.#open = true;
  }

  /** `end()`: drains TX first (the core calls flush), then the port stops and RX is emptied. */
  end(): void {
    this.flush();
    this.rxPeer.due?.();
    this.#open = false;
    this.#rxHead = 0;
    this.#rxCount = 0;
  }

  write(data: number | string | Uint8Array): number {
    if (!this.#open) return 0;
    if (typeof data === 'number') {
      if (!Number.isInteger(data)) throw new RangeError(`serial ${this.name}: write() takes a byte, got ${String(data)}`);
      this.#put(data & 0xff);
      return 1;
    }
    if (typeof data === 'string') {
      this.#putAll(data, null, data.length);
      return data.length;
    }
    if (data instanceof Uint8Array) {
      this.#putAll(null, data, data.length);
      return data.length;
    }
    throw new TypeError(`serial ${this.name}: write() takes a byte, a string or a Uint8Array, got ${typeof data}`);
  }

  available(): number {
    this.rxPeer.due?.();
    return this.#rxCount;
  }

  read(): number {
    this.rxPeer.due?.();
    if (this.#rxCount === 0) return -1;
    const b = this.#rx[this.#rxHead];
    this.#rxHead = (this.#rxHead + 1) & (SERIAL_BUFFER - 1);
    this.#rxCount--;
    return b;
  }

  peek(): number {
    this.rxPeer.due?.();
    return this.#rxCount > 0 ? this.#rx[this.#rxHead] : -1;
  }

  flush(): void {
    const now = this.#cpu.nowUs();
    if (this.#txFreeAt > now) this.#cpu.spend(this.#txFreeAt - now);
    this.#txHead = 0;
    this.#txCount = 0;
  }

  /** Power removed: buffers and bytes not yet on the wire are lost, the port is closed. */
  powerOff(): void {
    this.rxPeer.due?.();
    this.#deliverDue();
    this.#queue.clear();
    this.#silent.clear();
    this.#generation++;
    this.#open = false;
    this.#rxHead = 0;
    this.#rxCount = 0;
    this.#txHead = 0;
    this.#txCount = 0;
    this.#txFreeAt = 0;
    this.#line.clear();
  }

  /** The bytes of `s` (its char codes' low bytes) or `a`, as `#put` one by one: with `uart-run`, in runs (`#putRun`). */
  #putAll(s: string | null, a: Uint8Array | null, n: number): void {
    let i = 0;
    while (i < n) {
      if (this.#runs) {
        i = this.#putRun(s, a, i, n);
        if (i >= n) return;
      }
      this.#put(s !== null ? s.charCodeAt(i) & 0xff : a![i]);
      i++;
    }
  }

  /**
   * `uart-run`, several bytes at once: from byte `i`, those `#put` would take without spending time (the TX buffer has
   * room) and without calling anyone (no `onWrite`, no LF ending a line, no watcher of the wire, a peer that holds
   * bytes back or none), so that nothing can change between two of them: the same ring slots, end times, line text,
   * queue entries and reserved event places, with the checks made once. Returns the index of the first byte not
   * taken (`i` itself when the run cannot start there).
   */
  #putRun(s: string | null, a: Uint8Array | null, i: number, n: number): number {
    if (this.onWrite !== undefined || this.#onTransmit !== undefined) return i;
    const observer = this.#observer;
    if (observer !== undefined && observer.wantsBytes()) return i;
    const peer = this.#peer;
    const queued = isUartRunPeer(peer);
    if (!queued && peer !== undefined) return i;
    const cpu = this.#cpu;
    const now = cpu.nowUs();
    const ends = this.#txEnds;
    const mask = SERIAL_BUFFER - 1;
    this.#retireTx(now);
    // The last byte that fits without `#put` spinning for a slot, and the run stops before an LF (it calls onLine).
    let last = Math.min(n, i + (SERIAL_BUFFER - 1 - this.#txCount));
    for (let j = i; j < last; j++) {
      if ((s !== null ? s.charCodeAt(j) & 0xff : a![j]) === 0x0a) { last = j; break; }
    }
    if (last <= i) return i;
    const lines = this.onLine !== undefined || (observer !== undefined && observer.wantsLines());
    const clock = cpu.clock;
    const clockNow = clock.now();
    const baud = this.#baud;
    const byteUs = this.#byteUs;
    const line = this.#line;
    const q = this.#queue;
    if (queued) {
      if (q.head < q.len && q.t[q.head] <= clockNow) this.#deliverDue();
    } else {
      const z = this.#silent;
      while (z.head < z.len && clock.ranBefore(z.t[z.head], z.seq[z.head])) z.head++;
      z.compact();
    }
    let end = this.#txFreeAt;
    for (let j = i; j < last; j++) {
      const byte = s !== null ? s.charCodeAt(j) & 0xff : a![j];
      if (lines && byte !== 0x0d) line.push(byte);
      end = Math.max(now, end) + byteUs;
      ends[(this.#txHead + this.#txCount) & mask] = end;
      this.#txCount++;
      const t = Math.ceil(Math.max(end, clockNow));
      if (!queued) {
        this.#silent.push(byte, baud, end, t, clock.reserveSeq(), 0, this.#generation);
        this.bytesUnheard++;
        continue;
      }
      // As `#queueByte`.
      const pending = q.size;
      if (pending === 0 && peer.due !== this.#due) peer.due = this.#due;
      if (peer.inert(byte, baud, pending)) {
        q.push(byte, baud, end, t, clock.reserveSeq(), 0, 0);
        continue;
      }
      this.#actingEvent(t, q.push(byte, baud, end, t, 0, 1, 0));
    }
    this.#txFreeAt = end;
    return last;
  }

  /** The TX slots of the bytes whose stop bit has left by `now` are free again (the core's `_tx_complete_irq`). */
  #retireTx(now: number): void {
    const ends = this.#txEnds;
    let head = this.#txHead;
    let count = this.#txCount;
    while (count > 0 && ends[head] <= now) { head = (head + 1) & (SERIAL_BUFFER - 1); count--; }
    this.#txHead = head;
    this.#txCount = count;
  }

  #put(byte: number): void {
    this.onWrite?.(byte);
    const cpu = this.#cpu;
    let now = cpu.nowUs();
    const ends = this.#txEnds;
    const mask = SERIAL_BUFFER - 1;
    this.#retireTx(now);
    let head = this.#txHead;
    let count = this.#txCount;
    if (count >= SERIAL_BUFFER - 1) {
      // Full: spin until the oldest byte's stop bit has left.
      cpu.spend(ends[head] - now);
      now = cpu.nowUs();
      head = (head + 1) & mask;
      count--;
    }
    this.#txHead = head;
    this.#txCount = count;
    this.#lineByte(byte);
    const end = Math.max(now, this.#txFreeAt) + this.#byteUs;
    this.#txFreeAt = end;
    ends[(this.#txHead + this.#txCount) & mask] = end;
    this.#txCount++;
    const baud = this.#baud;
    const peer = this.#peer;
    if (this.#runs) {
      if (isUartRunPeer(peer)) { this.#queueByte(peer, byte, baud, end); return; }
      if (peer === undefined && !this.#onTransmit && !this.#observer?.wantsBytes()) { this.#unheard(byte, baud, end); return; }
    }
    this.#byteEvent(byte, baud, end);
  }

  /**
   * The byte's own event, when its stop bit has left. (Apart from `#put`: a closure's captured variables live in a
   * context object that V8 allocates on every call of the function that declares them, taken or not.)
   */
  #byteEvent(byte: number, baud: number, end: number): void {
    const cpu = this.#cpu;
    const gen = this.#generation;
    cpu.clock.at(Math.max(end, cpu.clock.now()), () => {
      if (gen !== this.#generation || !cpu.powered) return;
      this.#transmitted(byte, baud, end);
    });
  }

  /** `uart-run`: the byte joins the queue, held back when inert, else with its own event delivering up to it. */
  #queueByte(peer: UartRunPeer, byte: number, baud: number, end: number): void {
    const clock = this.#cpu.clock;
    const t = Math.ceil(Math.max(end, clock.now()));
    const q = this.#queue;
    // Bytes held back whose events would have run by now go first, so that the peer judges this byte in its state.
    if (q.head < q.len && q.t[q.head] <= clock.now()) this.#deliverDue();
    const pending = q.size;
    if (pending === 0 && peer.due !== this.#due) peer.due = this.#due;
    // The peer is asked about every byte, also behind bytes that act and when the answer cannot be used (someone
    // watches the wire): it follows what the bytes on their way will do (models/uart.ts).
    const inert = peer.inert(byte, baud, pending);
    if (inert && !this.#onTransmit && !this.#observer?.wantsBytes()) {
      q.push(byte, baud, end, t, clock.reserveSeq(), 0, 0);
      return;
    }
    this.#actingEvent(t, q.push(byte, baud, end, t, 0, 1, 0));
  }

  /** The event of the acting byte number `n` (apart from `#queueByte`, which then allocates no closure context). */
  #actingEvent(t: number, n: number): void {
    this.#cpu.clock.at(t, () => this.#deliverThrough(n));
  }

  readonly #due = (): void => this.#deliverDue();

  /** `uart-run`: a byte to nobody: no event; kept while on the wire, in case someone starts listening. */
  #unheard(byte: number, baud: number, end: number): void {
    const clock = this.#cpu.clock;
    const z = this.#silent;
    while (z.head < z.len && clock.ranBefore(z.t[z.head], z.seq[z.head])) z.head++;
    z.compact();
    z.push(byte, baud, end, Math.ceil(Math.max(end, clock.now())), clock.reserveSeq(), 0, this.#generation);
    this.bytesUnheard++;
  }

  /** The event of the acting byte number `n`: every byte queued before it, then it (nothing if gone already). */
  #deliverThrough(n: number): void {
    const q = this.#queue;
    while (q.next <= n) {
      const i = q.head++;
      if (!q.acting[i]) this.bytesHeldBack++;
      if (this.#cpu.powered) this.#transmitted(q.byte[i], q.baud[i], q.end[i]);
    }
    q.compact();
  }

  /** Held-back bytes whose own events would have run by now. */
  #deliverDue(): void {
    const q = this.#queue;
    const clock = this.#cpu.clock;
    while (q.head < q.len) {
      const i = q.head;
      if (q.acting[i] || !clock.ranBefore(q.t[i], q.seq[i])) break;
      q.head++;
      this.bytesHeldBack++;
      if (this.#cpu.powered) this.#transmitted(q.byte[i], q.baud[i], q.end[i]);
    }
    q.compact();
  }

  #transmitted(byte: number, baud: number, tUs: number): void {
    this.#onTransmit?.(byte, tUs);
    this.#observer?.transmit(this.name, byte, tUs);
    this.#peer?.receive(byte, baud);
  }

  #lineByte(byte: number): void {
    if (!this.onLine && !this.#observer?.wantsLines()) return;
    if (byte === 0x0a) {
      const l = this.#line.toString();
      this.#line.clear();
      this.onLine?.(l);
      this.#observer?.line(this.name, l);
    } else if (byte !== 0x0d) {
      this.#line.push(byte);
    }
  }

  #receive(byte: number, baud: number): void {
    assertUartByte(byte);
    if (!this.#open) return;
    let b = byte;
    if (baud !== this.#baud) {
      const s = sampleUartByte(byte, baud, this.#baud);
      b = s.byte;
      if (s.framingError) this.#framingErrors++;
    }
    // Not available(): that would ask the sender for held bytes while it is handing them over.
    if (this.#rxCount >= SERIAL_BUFFER - 1) { this.#overruns++; return; }
    this.#rx[(this.#rxHead + this.#rxCount) & (SERIAL_BUFFER - 1)] = b;
    this.#rxCount++;
  }
}
