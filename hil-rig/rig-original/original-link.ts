// The rig board of the rig for the original firmware: a Firmata board (Mega 2560 with StandardFirmataPlus) driven by
// johnny-five over firmata-io, on a serial port or emulated in-process (hil-rig/emulator) on a private virtual clock
// until the bench's clock takes over. It does the handshake, checks the wiring map against the board's own
// capability report before any pin moves, sets every output LOW (keys released, meter unpowered) and every input to
// report on change, and watches the link: a closed port or a board that stops answering is a fault.
import type { Duplex } from 'node:stream';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { boardSpec, type PinCapability } from '../boards.ts';
import { FirmataBoard, type FirmataBoardConfig } from '../emulator/firmata-board.ts';
import { EmulatedLink } from '../emulator/link.ts';
import { createFirmata, createFiveBoard, type Firmata, type FiveBoard } from '../firmata/io.ts';
import { SysexTap, parseCapabilities } from '../firmata/sysex-tap.ts';
import * as F from '../firmata/protocol.ts';
import { portOpenReason, RigError, readWiringText as readText } from '../rig/connection.ts';
import { closeTransport, handshakeFailure, pumpUntil, watchSilence } from '../firmata/link-life.ts';
import { WallTime } from '../rig/wall-time.ts';
import { WiringError } from '../wiring.ts';
import { INPUT_SIGNALS, parseOriginalWiring, type InputSignal, type OriginalWiringMap } from './original-wiring.ts';

export interface OriginalLinkOptions {
  wiring: string;
  /** Handshake deadline (wall time on a real port, virtual on the emulated one), microseconds. */
  handshakeUs?: number;
  /** The board has sent nothing this long: a fault, microseconds. */
  silenceUs?: number;
}

export class OriginalRigLink {
  readonly io: Firmata;
  readonly five: FiveBoard;
  readonly tap = new SysexTap();
  readonly description: string;
  readonly emulator: FirmataBoard | null;
  readonly link: EmulatedLink | null;
  readonly silenceUs: number;
  wiring!: OriginalWiringMap;
  caps: PinCapability[] = [];
  time: SimTime;
  /** Last reported level of each input (undefined before the first report). */
  readonly inputs = new Map<InputSignal, 0 | 1>();
  /** Level last written to each output. */
  readonly outputs = new Map<string, 0 | 1>();
  /** An input changed level (at the time its report reached the host). */
  onInput: ((signal: InputSignal, level: 0 | 1) => void) | undefined = undefined;
  /** The link failed; called once. */
  onFault: ((message: string) => void) | undefined = undefined;
  #private: VirtualClock | null;
  #watch: { cancel(): void } | null = null;
  #fault: string | null = null;
  #closed = false;

  private constructor(transport: Duplex, time: SimTime, privateClock: VirtualClock | null, description: string, emu: FirmataBoard | null, link: EmulatedLink | null, opts: OriginalLinkOptions) {
    this.time = time;
    this.#private = privateClock;
    this.description = description;
    this.emulator = emu;
    this.link = link;
    this.silenceUs = opts.silenceUs ?? 1_500_000;
    transport.on('data', (d: Buffer) => this.tap.feed(d, this.time.now()));
    this.tap.onSysex = (m) => { if (m[0] === F.CAPABILITY_RESPONSE) this.caps = parseCapabilities(m.slice(1)).map((modes) => ({ modes, analogChannel: 127 })); };
    this.io = createFirmata(transport);
    this.io.on('error', (e: Error) => this.fault(`rig board link error: ${e.message}`));
    this.io.on('close', () => this.fault('the rig board\'s port closed'));
    this.io.on('disconnect', () => this.fault('the rig board was disconnected'));
    this.five = createFiveBoard(this.io);
    this.five.on('error', () => { /* surfaced through io */ });
  }

  /** The in-process emulated rig board (its pins wired to nothing yet: the caller sets `emulator.world`). */
  static async openEmulated(opts: OriginalLinkOptions & { emulator?: Partial<FirmataBoardConfig>; beforeHandshake?: (board: FirmataBoard, clock: VirtualClock) => void }): Promise<OriginalRigLink> {
    const text = readText(opts.wiring);
    const spec = boardSpec(parseOriginalWiring(text, opts.wiring).board);
    const clock = new VirtualClock();
    const emu = new FirmataBoard(spec, clock, opts.emulator);
    opts.beforeHandshake?.(emu, clock);
    const link = new EmulatedLink(emu);
    const c = new OriginalRigLink(link.stream, clock, clock, `emulated ${spec.title}`, emu, link, opts);
    link.connect();
    await c.#handshake(opts, text);
    return c;
  }

  /** A real rig board on a serial port, at the wiring map's host baud rate. */
  static async openSerial(opts: OriginalLinkOptions & { path: string }): Promise<OriginalRigLink> {
    const text = readText(opts.wiring);
    const baud = parseOriginalWiring(text, opts.wiring).hostBaud;
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: opts.path, baudRate: baud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new RigError(`cannot open the rig board's port ${opts.path}: ${portOpenReason(err, opts.path)}`)) : resolve())));
    const c = new OriginalRigLink(port as unknown as Duplex, new WallTime(), null, `${opts.path} at ${baud} baud`, null, null, opts);
    port.emit('open');
    try { await c.#handshake(opts, text); } catch (e) { await c.close(); throw e; }
    return c;
  }

  get faulted(): string | null { return this.#fault; }

  /** Run the link's time until `cond` holds (pumping the private clock, or waiting on the wall). */
  async waitFor(cond: () => boolean, timeoutUs: number): Promise<boolean> {
    return pumpUntil(this.time, this.#private, () => this.#fault, cond, timeoutUs, (f) => new RigError(f));
  }

  async #handshake(opts: OriginalLinkOptions, text: string): Promise<void> {
    const limit = opts.handshakeUs ?? 5_000_000;
    let ready = false;
    this.five.once('ready', () => { ready = true; });
    if (!(await this.waitFor(() => ready && this.caps.length > 0, limit))) {
      throw new RigError(handshakeFailure(this.tap, this.description, limit, 'flash StandardFirmataPlus and check the port'));
    }
    try {
      this.wiring = parseOriginalWiring(text, opts.wiring, this.caps);
    } catch (e) {
      if (e instanceof WiringError) throw new RigError(e.message);
      throw e;
    }
    this.#setup();
  }

  #setup(): void {
    const io = this.io;
    for (let ch = 0; ch < io.analogPins.length; ch++) io.reportAnalogPin(ch, 0); // nothing analog: no link time spent
    for (const p of Object.values(this.wiring.pins)) {
      if (p.mode === 'OUTPUT') {
        io.pinMode(p.pin, F.PIN_MODE.OUTPUT);
        io.digitalWrite(p.pin, 0);
        this.outputs.set(p.signal, 0);
      } else {
        const signal = p.signal as InputSignal;
        io.pinMode(p.pin, F.PIN_MODE.INPUT);
        io.on(`digital-read-${p.pin}`, (v: number) => {
          const level = v ? 1 : 0;
          if (this.inputs.get(signal) === level) return;
          this.inputs.set(signal, level);
          this.onInput?.(signal, level);
        });
        io.reportDigitalPin(p.pin, 1);
      }
    }
    this.#armWatch();
  }

  /** Drive an output. */
  write(signal: string, level: 0 | 1): void {
    const p = this.wiring.pins[signal];
    if (!p || p.mode !== 'OUTPUT') throw new RangeError(`no output '${signal}' in ${this.wiring.file}`);
    if (this.#fault || this.#closed) return;
    this.outputs.set(signal, level);
    this.io.digitalWrite(p.pin, level);
  }

  /** Every input has reported at least once. */
  get inputsKnown(): boolean { return Object.keys(INPUT_SIGNALS).every((s) => this.inputs.has(s as InputSignal)); }

  /** Move the link (and the emulated board) onto the bench's clock. */
  async attach(clock: SimTime): Promise<void> {
    if (this.emulator) {
      const emu = this.emulator;
      if (!(await this.waitFor(() => !emu.busy, 500_000))) throw new RigError('the emulated rig board never went quiet');
    }
    this.#watch?.cancel();
    this.#watch = null;
    if (this.emulator) { this.emulator.attach(clock); this.link!.resetTiming(); }
    this.#private = null;
    this.tap.lastByteAt = clock.now();
    this.time = clock;
    this.#armWatch();
  }

  /** A board that has sent nothing for half the silence limit is asked for its version; at the limit it is a fault. */
  #armWatch(): void {
    this.#watch = watchSilence({
      time: this.time, tap: this.tap, io: this.io, silenceUs: this.silenceUs, stopped: () => this.#closed || this.#fault !== null,
      overLoop: this.emulator === null,
      onSilent: (quiet) => this.fault(`the rig board stopped answering (nothing for ${(quiet / 1e6).toFixed(1)} s)`),
    });
  }

  fault(message: string): void {
    if (this.#fault || this.#closed) return;
    this.#fault = message;
    this.#watch?.cancel();
    this.onFault?.(message);
  }

  /** Release the rig: every output LOW (keys released, the meter unpowered, the cover reads open), the port closed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#watch?.cancel();
    if (!this.#fault && this.wiring) {
      try { for (const p of Object.values(this.wiring.pins)) if (p.mode === 'OUTPUT') this.io.digitalWrite(p.pin, 0); } catch { /* the link is gone */ }
    }
    this.#closed = true;
    await closeTransport(this.io, this.link);
  }
}
