// A connection to a rig board that speaks Firmata: the real one on a serial port (serialport + firmata-io +
// johnny-five), or the emulated one in-process (hil-rig/emulator) on a private virtual clock until the bench's clock
// takes over. It does the handshake, checks the wiring map against the board's own capability report before any pin
// moves, sets up the chosen parts, keeps the services the firmware's board needs (AFE port, keypad scanner, LCD
// sync, I2C copies, cover reading) and watches the link: a closed port or a board that stops answering is a fault.
import type { Duplex } from 'node:stream';
import { InputFileError, readInputFile } from '../../io/input-file.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { byteTimeUs } from '../../models/uart.ts';
import { AT24C32 } from '../../models/eeprom/at24c32.ts';
import { DS1307 } from '../../models/rtc/ds1307.ts';
import { boardSpec, type PinCapability } from '../boards.ts';
import { parseWiring, missingSignals, type PartName, type WiringMap } from '../wiring.ts';
import { FirmataBoard, type FirmataBoardConfig } from '../emulator/firmata-board.ts';
import { EmulatedLink } from '../emulator/link.ts';
import { createFirmata, createFiveBoard, type Firmata, type FiveBoard } from '../firmata/io.ts';
import { SysexTap, parseCapabilities } from '../firmata/sysex-tap.ts';
import * as F from '../firmata/protocol.ts';
import { closeTransport, handshakeFailure, pumpUntil, watchSilence } from '../firmata/link-life.ts';
import { AfePort } from './afe-port.ts';
import { KeypadScanner } from './keypad-scanner.ts';
import { LcdSync } from './lcd-sync.ts';
import { WriteThroughDevice } from './i2c-shadow.ts';
import { WallTime } from './wall-time.ts';

export class RigError extends Error { constructor(message: string) { super(message); this.name = 'RigError'; } }

/**
 * Why a serial port did not open, once: serialport's message repeats the path and starts with "Error: " (`Error: No
 * such file or directory, cannot open /dev/ttyACM0`), which after our own "cannot open PATH:" said it twice.
 */
export function portOpenReason(err: Error, path: string): string {
  let m = err.message.replace(/^Error:\s*/, '');
  const tail = `, cannot open ${path}`;
  if (m.endsWith(tail)) m = m.slice(0, -tail.length);
  return m ? m[0].toLowerCase() + m.slice(1) : 'unknown error';
}

export interface RigOptions {
  /** Wiring map file. */
  wiring: string;
  /** Parts on the rig; the others stay simulated. */
  parts: readonly PartName[];
  /** Handshake deadline (wall time on a real port, virtual on the emulated one), microseconds. */
  handshakeUs?: number;
  /** The board stops answering: fault after this long without a byte, microseconds. */
  silenceUs?: number;
}

export interface EmulatedRigOptions extends RigOptions { emulator?: Partial<FirmataBoardConfig> }
export interface SerialRigOptions extends RigOptions { path: string; baud?: number }

export const DEFAULT_HANDSHAKE_US = 5_000_000;
export const DEFAULT_SILENCE_US = 1_500_000;

export class RigConnection {
  readonly io: Firmata;
  readonly five: FiveBoard;
  readonly tap = new SysexTap();
  readonly emulator: FirmataBoard | null;
  readonly link: EmulatedLink | null;
  readonly description: string;
  readonly parts: ReadonlySet<PartName>;
  readonly silenceUs: number;
  wiring!: WiringMap;
  caps: PinCapability[] = [];
  time: SimTime;
  #private: VirtualClock | null;
  #hostTxFree = 0;
  #hostBaud: number;
  #watch: { cancel(): void } | null = null;
  #fault: string | null = null;
  #closed = false;
  #offSigint: (() => void) | null = null;
  /** Called once when the link fails (port closed, board silent, error). */
  onFault?: (message: string) => void;
  // services
  afe: AfePort | null = null;
  keypad: KeypadScanner | null = null;
  lcd: LcdSync | null = null;
  eeprom: WriteThroughDevice | null = null;
  rtc: WriteThroughDevice | null = null;
  /**
   * The time the local EEPROM and RTC copies see: the running firmware code's (the CPU cursor, which runs ahead of
   * the clock inside the interrupt), set by the board of each power cycle; the rig's time otherwise.
   */
  partsTime: SimTime | null = null;
  /** The relay position the firmware last commanded on the rig (a coil pulsed alone), for fault reports. */
  commandedRelay: 'open' | 'closed' | 'unknown' = 'unknown';
  /** Last reported raw ADC value of the cover pin (board's own reference), or -1 before the first report. */
  coverRaw = -1;

  private constructor(transport: Duplex, time: SimTime, privateClock: VirtualClock | null, description: string, emu: FirmataBoard | null, link: EmulatedLink | null, opts: RigOptions, hostBaud: number) {
    this.time = time;
    this.#private = privateClock;
    this.description = description;
    this.emulator = emu;
    this.link = link;
    this.parts = new Set(opts.parts);
    this.silenceUs = opts.silenceUs ?? DEFAULT_SILENCE_US;
    this.#hostBaud = hostBaud;
    transport.on('data', (d: Buffer) => this.tap.feed(d, this.time.now()));
    const write = transport.write.bind(transport) as (chunk: unknown, ...rest: unknown[]) => boolean;
    (transport as { write: unknown }).write = (chunk: Buffer, ...rest: unknown[]): boolean => {
      const now = this.time.now();
      this.#hostTxFree = Math.max(now, this.#hostTxFree) + chunk.length * byteTimeUs(this.#hostBaud);
      return write(chunk, ...rest);
    };
    this.tap.onSysex = (m) => { if (m[0] === F.CAPABILITY_RESPONSE) this.caps = capsFrom(parseCapabilities(m.slice(1))); };
    this.io = createFirmata(transport);
    this.io.on('error', (e: Error) => this.fault(`link error: ${e.message}`));
    this.io.on('close', () => this.fault('the board\'s port closed'));
    this.io.on('disconnect', () => this.fault('the board was disconnected'));
    this.five = createFiveBoard(this.io);
    this.five.on('error', () => { /* surfaced through io */ });
  }

  /** The in-process emulated board (wired to nothing yet: `emulator.world` and devices are set by the caller). */
  static async openEmulated(opts: EmulatedRigOptions): Promise<RigConnection> {
    const text = readWiringText(opts.wiring);
    const spec = boardSpec(peekBoard(text, opts.wiring));
    const clock = new VirtualClock();
    const emu = new FirmataBoard(spec, clock, opts.emulator);
    const link = new EmulatedLink(emu);
    const c = new RigConnection(link.stream, clock, clock, `emulated ${spec.title}`, emu, link, opts, emu.config.hostBaud);
    link.connect();
    await c.#handshake(opts, text);
    return c;
  }

  /** A real board on a serial port (or a pseudo-terminal), at the wiring map's host baud rate. */
  static async openSerial(opts: SerialRigOptions): Promise<RigConnection> {
    const text = readWiringText(opts.wiring);
    const baud = opts.baud ?? 57600;
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: opts.path, baudRate: baud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new RigError(`cannot open ${opts.path}: ${portOpenReason(err, opts.path)}`)) : resolve())));
    const c = new RigConnection(port as unknown as Duplex, new WallTime(), null, `${opts.path} at ${baud} baud`, null, null, opts, baud);
    // Ctrl-C on a real rig: drive the outputs LOW first (a relay coil left energised overheats), then stop
    const onSigint = (): void => { void c.close().finally(() => process.exit(130)); };
    process.once('SIGINT', onSigint);
    c.#offSigint = () => process.off('SIGINT', onSigint);
    // firmata-io listened for 'open' before the port was opened by us: tell it
    port.emit('open');
    try {
      await c.#handshake(opts, text);
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** A board behind any byte stream (a socket, a test's fake board), on wall time. */
  static async openStream(transport: Duplex, description: string, opts: RigOptions & { baud?: number }): Promise<RigConnection> {
    const text = readWiringText(opts.wiring);
    const c = new RigConnection(transport, new WallTime(), null, description, null, null, opts, opts.baud ?? 57600);
    transport.emit('open');
    try {
      await c.#handshake(opts, text);
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  get faulted(): string | null { return this.#fault; }
  /** Virtual or wall time at which the host's UART will have sent everything written so far. */
  linkBusyUntil(): number { return this.#hostTxFree; }

  /** Run the rig's time forward until `cond` holds (pumping the private clock, or waiting on the wall). */
  async waitFor(cond: () => boolean, timeoutUs: number): Promise<boolean> {
    return pumpUntil(this.time, this.#private, () => this.#fault, cond, timeoutUs, (f) => new RigError(f));
  }

  async #handshake(opts: RigOptions, wiringText: string): Promise<void> {
    const limit = opts.handshakeUs ?? DEFAULT_HANDSHAKE_US;
    let ready = false;
    this.five.once('ready', () => { ready = true; });
    const ok = await this.waitFor(() => ready && this.caps.length > 0, limit);
    if (!ok) throw new RigError(handshakeFailure(this.tap, this.description, limit, 'flash StandardFirmataPlus and check the port and baud rate'));
    // the analog mapping firmata-io parsed completes the capability report
    this.caps = this.caps.map((c, i) => ({ modes: c.modes, analogChannel: this.io.pins[i]?.analogChannel ?? 127 }));
    // validation before any pin moves
    this.wiring = parseWiring(wiringText, opts.wiring, this.caps);
    const missing = missingSignals(this.wiring, [...this.parts]);
    if (missing.size) {
      const list = [...missing].map(([p, s]) => `${p} (${s.join(', ')})`).join('; ');
      throw new RigError(`${opts.wiring}: the wiring map lacks signals for the chosen parts: ${list}`);
    }
    this.#setup();
  }

  #setup(): void {
    const io = this.io;
    const w = this.wiring;
    const pin = (sig: string): number => w.pins[sig].pin;
    const has = (p: PartName): boolean => this.parts.has(p);
    // analog reporting costs link time: only the cover's channel reports
    const coverCh = has('cover') ? this.caps[pin('battery_input')].analogChannel : -1;
    for (let ch = 0; ch < io.analogPins.length; ch++) if (ch !== coverCh) io.reportAnalogPin(ch, 0);
    const outputs: string[] = [];
    if (has('relay')) outputs.push('relaya', 'relayb');
    if (has('leds')) outputs.push('red_led', 'green_led');
    if (has('buzzer')) outputs.push('buzzer');
    if (has('lcd')) outputs.push('lcd_rs', 'lcd_en', 'lcd_d4', 'lcd_d5', 'lcd_d6', 'lcd_d7');
    for (const s of outputs) { io.pinMode(pin(s), F.PIN_MODE.OUTPUT); io.digitalWrite(pin(s), 0); }
    if (has('cover')) {
      io.pinMode(coverCh, F.PIN_MODE.ANALOG); // firmata-io takes the analog channel for ANALOG mode
      io.on(`analog-read-${coverCh}`, (v: number) => { this.coverRaw = v; });
      io.reportAnalogPin(coverCh, 1);
    }
    const time = (): SimTime => this.time;
    if (has('keypad')) {
      const rows = ['keypad_row1', 'keypad_row2', 'keypad_row3', 'keypad_row4'].map(pin);
      const cols = ['keypad_col1', 'keypad_col2', 'keypad_col3', 'keypad_col4'].map(pin);
      this.keypad = new KeypadScanner(io, rows, cols, time);
    }
    if (has('lcd')) {
      this.lcd = new LcdSync(io, { rs: pin('lcd_rs'), en: pin('lcd_en'), d: [pin('lcd_d4'), pin('lcd_d5'), pin('lcd_d6'), pin('lcd_d7')] }, time, () => this.linkBusyUntil());
    }
    if (has('afe') && w.afe) {
      io.serialConfig({ portId: w.afe.port, baud: w.afe.baud });
      this.afe = new AfePort(io, w.afe.port, w.afe.baud, time);
    }
    if (has('rtc') || has('eeprom')) io.i2cConfig({ delay: 0 });
    this.#armWatch();
  }

  /** Read the real EEPROM and RTC into their local copies (before the firmware runs). */
  async loadI2cCopies(): Promise<void> {
    const timeFn: SimTime = {
      now: () => (this.partsTime ?? this.time).now(),
      at: (t, fn) => this.time.at(Math.max(t, this.time.now()), fn),
    };
    if (this.parts.has('eeprom')) {
      const local = new AT24C32(timeFn);
      for (let a = 0; a < 4096; a += 32) {
        this.io.i2cWrite(0x50, [a >> 8, a & 0xff]);
        const got = await this.#i2cRead(0x50, 32);
        if (got.length < 32) throw new RigError(`eeprom: no AT24C32 answers at I2C address 0x50 on the rig (read ${got.length} of 32 bytes at 0x${a.toString(16)})`);
        local.image.set(got, a);
      }
      this.eeprom = new WriteThroughDevice(local, this.io);
    }
    if (this.parts.has('rtc')) {
      this.io.i2cWrite(0x68, [0]);
      const a = await this.#i2cRead(0x68, 32);
      this.io.i2cWrite(0x68, [32]);
      const b = await this.#i2cRead(0x68, 32);
      if (a.length < 32 || b.length < 32) throw new RigError('rtc: no DS1307 answers at I2C address 0x68 on the rig');
      const local = new DS1307(timeFn);
      local.start(false);
      local.write(0);
      for (const x of [...a, ...b]) local.write(x);
      local.stop();
      this.rtc = new WriteThroughDevice(local, this.io);
    }
  }

  #i2cRead(address: number, n: number): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      let done = false;
      const finish = (bytes: number[]): void => {
        if (done) return;
        done = true;
        this.io.removeListener(`I2C-reply-${address}-255`, finish);
        this.io.removeListener(`I2C-reply-${address}-0`, finish);
        resolve(bytes);
      };
      // a read without a register: StandardFirmata answers with register 0xFF (firmata-io listens for 0)
      this.io.on(`I2C-reply-${address}-255`, finish);
      this.io.on(`I2C-reply-${address}-0`, finish);
      this.io.sysexCommand([F.I2C_REQUEST, address, F.I2C_READ << 3, n & 0x7f, n >> 7]);
      void this.waitFor(() => done, 1_000_000).then((ok) => {
        if (!ok) { finish([]); }
      }, reject);
    });
  }

  /** Move the rig (and the emulated board) onto the bench's clock. */
  async attach(clock: SimTime): Promise<void> {
    if (this.emulator) {
      const emu = this.emulator;
      // the link must be quiet at the switch: run the private clock to a gap between the board's reports
      if (!(await this.waitFor(() => !emu.busy, 500_000))) throw new RigError('the emulated board never went quiet');
    }
    this.#watch?.cancel();
    this.#watch = null;
    if (this.emulator) {
      this.emulator.attach(clock);
      this.link!.resetTiming();
    }
    this.#private = null;
    this.#hostTxFree = 0;
    this.tap.lastByteAt = clock.now();
    this.time = clock;
    this.#armWatch();
  }

  /** The watchdog: a board that has sent nothing for half the silence limit is pinged; at the limit it is a fault. */
  #armWatch(): void {
    this.#watch = watchSilence({
      time: this.time, tap: this.tap, io: this.io, silenceUs: this.silenceUs, stopped: () => this.#closed || this.#fault !== null,
      overLoop: this.emulator === null,
      onSilent: (quiet) => this.fault(`the board stopped answering (nothing for ${(quiet / 1e6).toFixed(1)} s)`),
    });
  }

  fault(message: string): void {
    if (this.#fault || this.#closed) return;
    this.#fault = message;
    this.#watch?.cancel();
    this.onFault?.(message);
  }

  /** Release the rig: outputs LOW, reporting off, the port closed. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#offSigint?.();
    this.#watch?.cancel();
    this.keypad?.stop();
    this.lcd?.stop();
    if (!this.#fault && this.wiring) {
      try {
        for (const p of Object.values(this.wiring.pins)) if (this.parts.has(p.part) && p.mode === 'OUTPUT') this.io.digitalWrite(p.pin, 0);
      } catch { /* the link is gone */ }
    }
    this.#closed = true;
    await closeTransport(this.io, this.link);
  }
}

/** A wiring map's text; a file that cannot be read is a RigError naming it. */
export function readWiringText(file: string): string {
  try { return readInputFile(file, 1 << 20).toString('utf8'); } catch (e) {
    throw new RigError(`${file}: cannot read the wiring map (${e instanceof InputFileError ? e.reason : (e as Error).message})`);
  }
}

function peekBoard(text: string, file: string): string {
  return parseWiring(text, file).board;
}

function capsFrom(pins: Map<number, number>[]): PinCapability[] {
  return pins.map((modes) => ({ modes, analogChannel: 127 }));
}
