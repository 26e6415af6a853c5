// The host's side of the AFE responder on a rig for the original firmware: keeps the responder's register mirror
// current from the ATM90E26 model the plant feeds (hil-rig/responder/afe-mirror.ts), applies the meter's writes to the
// model, and watches the link. The bytes go through a `ByteLink`: a serial port (serialport) on a real rig, the
// emulated responder's USB port in CI.
//
// - `meterPowered(chip)`: the meter came up with a fresh chip model (a real chip resets with the meter); the responder
//   is configured again (which registers the meter may write, which clear when read, the reply latency) and loaded with
//   every register, the read-clear ones zeroed.
// - `sync()`: the registers that changed since the last push (called when the plant changes, after every write the
//   meter makes, and every `syncPeriodUs` for the energy registers).
// - The link: a responder that has sent nothing for `silenceUs / 2` is pinged; at `silenceUs` it is a fault.
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { REGISTERS } from '../../models/afe/registers.ts';
import { AfeMirror } from '../responder/afe-mirror.ts';
import { ReportDecoder, encodeCommand, type ResponderReport } from '../responder/protocol.ts';
import { LoopTurns } from '../firmata/link-life.ts';

/** A byte stream to a device: a serial port, or an emulated one. */
export interface ByteLink {
  write(bytes: Uint8Array): void;
  /** Bytes from the device. */
  onData: ((bytes: Uint8Array) => void) | undefined;
  /** The link closed (a cable pulled, the port gone). */
  onClose: ((why: string) => void) | undefined;
  close(): Promise<void>;
}

export interface ResponderDriverConfig {
  /** Push the registers that changed at least this often, microseconds. */
  syncPeriodUs: number;
  /** Silence from the responder that counts as a fault, microseconds. */
  silenceUs: number;
  /**
   * The responder's bytes come through the event loop (a real serial port, time paced to the wall): silence counts
   * only from a look made after the loop turned (see LoopTurns in hil-rig/firmata/link-life.ts). Default false.
   */
  overLoop?: boolean;
}

export const RESPONDER_DRIVER_DEFAULTS: ResponderDriverConfig = { syncPeriodUs: 1_000_000, silenceUs: 1_500_000 };

export class ResponderDriver {
  readonly config: ResponderDriverConfig;
  readonly link: ByteLink;
  /** Every transaction the responder reported, counted by type. */
  readonly counts: Record<ResponderReport['type'], number> = { read: 0, write: 0, readOnlyWrite: 0, badChecksum: 0, timeout: 0, pong: 0, badHostFrame: 0 };
  /** Ping round trips, microseconds. */
  readonly roundTrips: number[] = [];
  /** A transaction worth a trace event (bad checksum, timeout, a write). */
  onReport: ((r: ResponderReport) => void) | undefined = undefined;
  /** The link failed (closed, silent). Called once. */
  onFault: ((message: string) => void) | undefined = undefined;
  readonly #decoder = new ReportDecoder();
  #time: SimTime;
  #mirror: AfeMirror | null = null;
  #lastByteAt: number;
  #watch: EventHandle | null = null;
  #syncEv: EventHandle | null = null;
  #seq = 0;
  #pings = new Map<number, number>();
  #pongWaiters: ((seq: number) => void)[] = [];
  #fault: string | null = null;
  #closed = false;

  constructor(link: ByteLink, time: SimTime, config: Partial<ResponderDriverConfig> = {}) {
    this.config = { ...RESPONDER_DRIVER_DEFAULTS, ...config };
    this.link = link;
    this.#time = time;
    this.#lastByteAt = time.now();
    link.onData = (bytes) => this.#data(bytes);
    link.onClose = (why) => this.#failed(`the AFE responder's port closed (${why})`);
  }

  get faulted(): string | null { return this.#fault; }
  get lastByteAt(): number { return this.#lastByteAt; }

  /** Move onto another clock (the bench's, after the connection was made on a private one). */
  attach(time: SimTime): void {
    this.#watch?.cancel();
    this.#syncEv?.cancel();
    this.#time = time;
    this.#lastByteAt = time.now();
    this.#armWatch();
    this.#armSync();
  }

  /** The meter powered up with this chip model: configure the responder and load every register. */
  meterPowered(chip: ATM90E26): void {
    this.#mirror = new AfeMirror(chip);
    const frames = this.#mirror.configure();
    // the read-clear registers still hold what the last power cycle left: a reset chip starts them at zero
    for (const r of REGISTERS) if (r.access === 'R/C') frames.push(encodeCommand({ type: 'set', addr: r.addr, value: 0 }));
    this.#send(frames);
    // configure() took the chip's pending energy; push it again on top of the zeros
    this.sync();
  }

  /** The meter lost power: its chip model is gone. */
  meterUnpowered(): void { this.#mirror = null; }

  /** Push the registers that changed. */
  sync(): void {
    if (!this.#mirror || this.#fault || this.#closed) return;
    this.#send(this.#mirror.sync());
  }

  /** Ping; resolves with the round trip in microseconds of the link's time (or null after `timeoutUs`). */
  ping(): number {
    const seq = (this.#seq = (this.#seq + 1) & 0xff) || (this.#seq = 1);
    this.#pings.set(seq, this.#time.now());
    this.#send([encodeCommand({ type: 'ping', seq })]);
    return seq;
  }

  /** Called with the sequence number of every pong. */
  onPong(fn: (seq: number) => void): void { this.#pongWaiters.push(fn); }

  #send(frames: Uint8Array[]): void {
    if (!frames.length || this.#closed) return;
    const n = frames.reduce((s, f) => s + f.length, 0);
    const all = new Uint8Array(n);
    let o = 0;
    for (const f of frames) { all.set(f, o); o += f.length; }
    try { this.link.write(all); } catch (e) { this.#failed(`cannot write to the AFE responder: ${(e as Error).message}`); }
  }

  #data(bytes: Uint8Array): void {
    this.#lastByteAt = this.#time.now();
    for (const r of this.#decoder.push(bytes)) {
      this.counts[r.type]++;
      if (r.type === 'pong') {
        const sent = this.#pings.get(r.seq);
        if (sent !== undefined) { this.#pings.delete(r.seq); this.roundTrips.push(this.#time.now() - sent); }
        for (const w of this.#pongWaiters) w(r.seq);
        continue;
      }
      if (r.type === 'write' || r.type === 'readOnlyWrite') {
        this.#mirror?.apply(r);
        this.sync(); // a command word (CalStart, AdjStart) changes what the model measures
      }
      if (r.type !== 'read') this.onReport?.(r);
    }
  }

  #armWatch(): void {
    const period = Math.min(250_000, this.config.silenceUs / 4);
    const loop = new LoopTurns(this.config.overLoop === true);
    const tick = (): void => {
      this.#watch = null;
      if (this.#closed || this.#fault) return;
      const quiet = this.#time.now() - this.#lastByteAt;
      if (quiet >= this.config.silenceUs && loop.turned()) {
        this.#failed(`the AFE responder stopped answering (nothing for ${(quiet / 1e6).toFixed(1)} s; pings unanswered)`);
        return;
      }
      if (quiet >= this.config.silenceUs / 2) this.ping();
      loop.look();
      this.#watch = this.#time.at(this.#time.now() + period, tick);
    };
    loop.look();
    this.#watch = this.#time.at(this.#time.now() + period, tick);
  }

  #armSync(): void {
    const tick = (): void => {
      this.#syncEv = null;
      if (this.#closed || this.#fault) return;
      this.sync();
      this.#syncEv = this.#time.at(this.#time.now() + this.config.syncPeriodUs, tick);
    };
    this.#syncEv = this.#time.at(this.#time.now() + this.config.syncPeriodUs, tick);
  }

  #failed(message: string): void {
    if (this.#fault || this.#closed) return;
    this.#fault = message;
    this.#watch?.cancel();
    this.#syncEv?.cancel();
    this.onFault?.(message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.cancel();
    this.#syncEv?.cancel();
    await this.link.close();
  }
}
