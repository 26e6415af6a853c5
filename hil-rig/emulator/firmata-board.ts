// An emulated Firmata board: the protocol engine of StandardFirmataPlus 2.5 on a board described by a BoardSpec,
// running on a SimTime (the twin's virtual clock, or wall time when the link is a pseudo-terminal).
//
// What it does, as the firmware does it:
// - at boot it sends REPORT_VERSION and REPORT_FIRMWARE; every pin takes its reset mode (analog-capable pins ANALOG
//   with reporting on, the others OUTPUT LOW);
// - it answers REPORT_VERSION, REPORT_FIRMWARE, CAPABILITY_QUERY, ANALOG_MAPPING_QUERY and PIN_STATE_QUERY;
// - SET_PIN_MODE (INPUT, PULLUP, OUTPUT, ANALOG, PWM, I2C, SERIAL), SET_DIGITAL_PIN_VALUE, DIGITAL_MESSAGE (a whole
//   port; a 1 on an INPUT pin turns its pull-up on, the legacy way), ANALOG_MESSAGE (PWM duty, kept as pin state);
// - REPORT_DIGITAL: reports a port whenever an input pin of it changes, and once at once when enabled;
//   REPORT_ANALOG: reports the channel every sampling interval (default 19 ms), and once at once when enabled;
// - SAMPLING_INTERVAL; SYSTEM_RESET;
// - I2C_CONFIG, I2C_REQUEST write / read once / read continuously / stop, replies with I2C_REPLY; a device that
//   does not answer gives a short reply and the firmware's "I2C: Too few bytes received" string;
// - SERIAL_CONFIG / WRITE / READ (continuous or stop, optional byte limit) / CLOSE / FLUSH on HW_SERIAL1..3: bytes
//   leave the port's TX pin at its baud rate; bytes arriving on RX wait in a 64-byte buffer (the AVR core's) and are
//   sent to the host as SERIAL_REPLY from the next loop pass.
// Timing: bytes from the host are handed in by the link when their last bit has arrived; the board works through
// them at the next pass of its loop (`loopUs`, a pass every 100 us by default); what it sends leaves at the host
// link's baud rate, one byte after another (8N1), and reaches the host `latencyUs` later (the USB bridge).
// The loop only runs when there is work (input bytes, a changed input, a sampling tick, serial bytes), at the loop
// pass it would have run at, which keeps a long virtual run cheap.
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import type { I2cDevice } from '../../models/i2c.ts';
import { byteTimeUs, type UartPeer } from '../../models/uart.ts';
import type { BoardSpec } from '../boards.ts';
import * as F from '../firmata/protocol.ts';

export interface FirmataBoardConfig {
  /** Host link baud rate (Firmata's default 57600). */
  hostBaud: number;
  /** Period of the board's loop pass, microseconds. */
  loopUs: number;
  /** Time a byte takes from the board's TX pin to the host's read (USB bridge and driver), microseconds. */
  latencyUs: number;
  /** Time from power-up (or the host opening the port) to the version report (0: at once). */
  bootUs: number;
  /**
   * Bytes from the host come in chunks that are not paced (a pseudo-terminal): time-stamp each byte as the board's
   * UART would receive it, one every 10 bits at the host baud, and process it at that time (see `now()`).
   */
  paceInput: boolean;
}

export const FIRMATA_BOARD_DEFAULTS: FirmataBoardConfig = { hostBaud: 57600, loopUs: 100, latencyUs: 1000, bootUs: 0, paceInput: false };

/** What the board's pins are connected to. */
export interface PinWorld {
  /** A pin's driven level changed (null: the pin stopped driving). */
  drive?(pin: number, level: 0 | 1 | null): void;
  /** The level an input pin sees from outside; undefined = nothing drives it (pull-up HIGH, else LOW). */
  level?(pin: number): 0 | 1 | undefined;
  /** 10-bit ADC reading of an analog pin. */
  analog?(pin: number): number | undefined;
}

interface PinState { mode: number; value: number }

interface SerialPortState {
  baud: number;
  rx: number[];
  reading: boolean;
  maxBytes: number;
  txFree: number;
  peer: UartPeer | undefined;
  overruns: number;
}

interface I2cQuery { address: number; register: number; bytes: number; stopTx: boolean }

const SERIAL_RX_BUFFER = 64;

export class FirmataBoard {
  readonly spec: BoardSpec;
  readonly config: FirmataBoardConfig;
  world: PinWorld = {};
  /** Bytes for the host, when they reach it. */
  onOutput?: (bytes: Uint8Array) => void;
  /** Every message the board parsed (for tests and the trace). */
  onMessage?: (kind: string, detail: Record<string, unknown>) => void;
  readonly i2cDevices: I2cDevice[] = [];
  /** Bytes received from the host and not parsed yet. */
  readonly #input: number[] = [];
  #inputAt: number[] = [];
  #rxFree = 0;
  #cursor = 0;
  /** True while the loop parses a paced input byte (`now` is then its arrival time). */
  #parsingPaced = false;
  #time: SimTime;
  #pins: PinState[];
  #reportDigital: boolean[] = [];
  #previousPins: number[] = [];
  #reportAnalog = 0;
  #samplingMs = 19;
  #lastSample = 0;
  #sampleEv: EventHandle | null = null;
  #loopEv: EventHandle | null = null;
  #loopAt = -1;
  #txFree = 0;
  #pendingOut = 0;
  #i2cEnabled = false;
  #queries: I2cQuery[] = [];
  #serial = new Map<number, SerialPortState>();
  // parser
  #sysex: number[] | null = null;
  #cmd = 0;
  #need = 0;
  #data: number[] = [];
  #booted = false;
  #frozen = false;
  /** Loop passes run (diagnostics). */
  loops = 0;

  constructor(spec: BoardSpec, time: SimTime, config: Partial<FirmataBoardConfig> = {}) {
    this.spec = spec;
    this.config = { ...FIRMATA_BOARD_DEFAULTS, ...config };
    if (!(this.config.hostBaud > 0) || !(this.config.loopUs > 0) || !(this.config.latencyUs >= 0)) {
      throw new RangeError('Firmata board: hostBaud and loopUs must be > 0, latencyUs >= 0');
    }
    this.#time = time;
    this.#pins = spec.pins.map(() => ({ mode: F.PIN_MODE.IGNORE, value: 0 }));
    for (const [id] of Object.entries(spec.serialPorts)) {
      this.#serial.set(Number(id), { baud: 0, rx: [], reading: false, maxBytes: 0, txFree: 0, peer: undefined, overruns: 0 });
    }
  }

  get time(): SimTime { return this.#time; }
  /**
   * The board's own time: the clock, or ahead of it while the loop works through paced input bytes. While the loop
   * parses a paced byte it is that byte's arrival time on the link, also when the clock has already moved past it (a
   * wall clock whose loop pass ran late, after a later read of the wall): the parts then see the pin changes as far
   * apart as the link delivered them, not all at one instant (an HD44780 would ignore the nibbles that came while it
   * was busy, and lose the text).
   */
  now(): number { return this.#parsingPaced ? this.#cursor : Math.max(this.#time.now(), this.#cursor); }
  get samplingIntervalMs(): number { return this.#samplingMs; }
  /** True while bytes are on their way to the host or a loop pass is scheduled. */
  get busy(): boolean { return this.#pendingOut > 0 || this.#loopEv !== null || this.#input.length > 0; }

  /**
   * Move the board onto another clock (after the handshake on a private clock, onto the bench's). Only when the
   * link is quiet: nothing in flight in either direction.
   */
  attach(time: SimTime): void {
    if (this.busy) throw new Error('Firmata board: cannot change clocks while bytes are in flight');
    this.#sampleEv?.cancel();
    this.#sampleEv = null;
    this.#time = time;
    this.#txFree = 0;
    this.#cursor = 0;
    this.#rxFree = 0;
    for (const s of this.#serial.values()) s.txFree = 0;
    this.#lastSample = time.now();
    this.#armSampling();
  }

  /** Power-up: pins to their reset modes, then the version and firmware reports after `bootUs`. */
  boot(): void {
    this.#reset();
    this.#booted = true;
    this.#time.at(this.#time.now() + this.config.bootUs, () => {
      this.#send([F.REPORT_VERSION, this.spec.firmwareVersion.major, this.spec.firmwareVersion.minor]);
      this.#sendFirmware();
    });
  }

  /** The board hangs (stops answering), as a crashed or unpowered board does; for fault tests. */
  freeze(): void { this.#frozen = true; this.#loopEv?.cancel(); this.#loopEv = null; this.#sampleEv?.cancel(); this.#sampleEv = null; }

  /** The receive side of a hardware serial port (its RX pin), for the part that talks to it. */
  serialRx(port: number): UartPeer {
    const s = this.#port(port);
    return {
      receive: (byte: number, baud: number) => {
        if (s.baud === 0) return;
        if (baud !== s.baud) return; // a receiver at another rate sees framing errors; the byte is lost here
        if (s.rx.length >= SERIAL_RX_BUFFER - 1) { s.overruns++; return; }
        s.rx.push(byte & 0xff);
        if (s.reading) this.wake();
      },
    };
  }

  /** Connect the device on a hardware serial port's TX pin. */
  connectSerial(port: number, peer: UartPeer): void { this.#port(port).peer = peer; }

  /** Bytes from the host (the link calls this when they have arrived). */
  receive(bytes: ArrayLike<number>): void {
    if (this.#frozen) return;
    const now = this.#time.now();
    const byteUs = byteTimeUs(this.config.hostBaud);
    let t = Math.max(now, this.#rxFree);
    for (let i = 0; i < bytes.length; i++) {
      this.#input.push(bytes[i] & 0xff);
      if (this.config.paceInput) { t += byteUs; this.#inputAt.push(t); } else this.#inputAt.push(now);
    }
    if (this.config.paceInput) this.#rxFree = t;
    this.wake();
  }

  /** Something outside changed an input: run a loop pass at the next loop boundary. */
  wake(): void {
    if (this.#frozen || !this.#booted) return;
    const now = this.#time.now();
    const t = Math.ceil(now / this.config.loopUs) * this.config.loopUs;
    if (this.#loopEv && this.#loopAt <= t) return;
    this.#loopEv?.cancel();
    this.#loopAt = t;
    this.#loopEv = this.#time.at(t, () => { this.#loopEv = null; this.#loop(); });
  }

  pinMode(pin: number): number { return this.#pins[pin]?.mode ?? F.PIN_MODE.IGNORE; }
  pinValue(pin: number): number { return this.#pins[pin]?.value ?? 0; }
  /** The level a pin drives, or null when it does not drive (not an output). */
  driven(pin: number): 0 | 1 | null {
    const p = this.#pins[pin];
    return p && p.mode === F.PIN_MODE.OUTPUT ? (p.value ? 1 : 0) : null;
  }

  // ------------------------------------------------------------------------------------------------ loop

  #loop(): void {
    if (this.#frozen) return;
    this.loops++;
    this.#checkDigitalInputs(false);
    this.#parsingPaced = this.config.paceInput;
    try {
      while (this.#input.length) {
        const at = this.#inputAt.shift()!;
        if (at > this.#cursor) this.#cursor = at;
        this.#parse(this.#input.shift()!);
      }
    } finally {
      this.#parsingPaced = false;
    }
    const now = this.#time.now();
    if (now - this.#lastSample >= this.#samplingMs * 1000 - 1e-6) {
      this.#lastSample += Math.floor((now - this.#lastSample) / (this.#samplingMs * 1000)) * this.#samplingMs * 1000;
      this.#sample();
    }
    this.#serialUpdate();
  }

  #armSampling(): void {
    if (this.#sampleEv || this.#frozen) return;
    if (this.#reportAnalog === 0 && !this.#queries.length) return;
    const period = this.#samplingMs * 1000;
    const t = Math.max(this.#time.now(), this.#lastSample + period);
    this.#sampleEv = this.#time.at(t, () => {
      this.#sampleEv = null;
      this.#loop();
      this.#armSampling();
    });
  }

  #sample(): void {
    for (let ch = 0; ch < 16; ch++) {
      if (!(this.#reportAnalog & (1 << ch))) continue;
      const pin = this.spec.pins.findIndex((p) => p.analogChannel === ch);
      if (pin < 0) continue;
      this.#sendAnalog(ch, this.#analogRead(pin));
    }
    for (const q of this.#queries) this.#i2cReadAndReport(q);
  }

  #serialUpdate(): void {
    for (const [id, s] of this.#serial) {
      if (!s.reading || s.rx.length === 0) continue;
      const n = s.maxBytes > 0 ? Math.min(s.maxBytes, s.rx.length) : s.rx.length;
      const data = s.rx.splice(0, n);
      this.#send([F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_REPLY | id, ...F.encode7(data), F.END_SYSEX]);
    }
  }

  // ------------------------------------------------------------------------------------------------ parser

  #parse(b: number): void {
    if (this.#sysex) {
      if (b === F.END_SYSEX) { const s = this.#sysex; this.#sysex = null; this.#onSysex(s); return; }
      if (b & 0x80) { this.#sysex = null; } else { this.#sysex.push(b); return; }
    }
    if (b & 0x80) {
      this.#data = [];
      this.#need = 0;
      if (b === F.START_SYSEX) { this.#sysex = []; return; }
      const hi = b < 0xf0 ? b & 0xf0 : b;
      this.#cmd = b;
      switch (hi) {
        case F.DIGITAL_MESSAGE: case F.ANALOG_MESSAGE: case F.SET_PIN_MODE: case F.SET_DIGITAL_PIN_VALUE: this.#need = 2; break;
        case F.REPORT_ANALOG: case F.REPORT_DIGITAL: this.#need = 1; break;
        case F.REPORT_VERSION: this.#send([F.REPORT_VERSION, this.spec.firmwareVersion.major, this.spec.firmwareVersion.minor]); break;
        case F.SYSTEM_RESET: this.#reset(); break;
        default: break; // unknown command bytes are skipped, as FirmataParser does
      }
      return;
    }
    if (this.#need === 0) return; // stray data byte
    this.#data.push(b);
    if (this.#data.length < this.#need) return;
    const [d0, d1] = this.#data;
    this.#need = 0;
    const cmd = this.#cmd;
    const hi = cmd < 0xf0 ? cmd & 0xf0 : cmd;
    const ch = cmd & 0x0f;
    switch (hi) {
      case F.DIGITAL_MESSAGE: this.#digitalPort(ch, d0 | (d1 << 7)); break;
      case F.ANALOG_MESSAGE: this.#analogWrite(ch, d0 | (d1 << 7)); break;
      case F.SET_PIN_MODE: this.#setPinMode(d0, d1); break;
      case F.SET_DIGITAL_PIN_VALUE: this.#setPinValue(d0, d1); break;
      case F.REPORT_ANALOG: this.#setReportAnalog(ch, d0 !== 0); break;
      case F.REPORT_DIGITAL: this.#setReportDigital(ch, d0 !== 0); break;
    }
  }

  #onSysex(s: number[]): void {
    const cmd = s[0];
    this.onMessage?.('sysex', { cmd });
    switch (cmd) {
      case F.REPORT_FIRMWARE: this.#sendFirmware(); break;
      case F.CAPABILITY_QUERY: {
        const out = [F.START_SYSEX, F.CAPABILITY_RESPONSE];
        for (const p of this.spec.pins) {
          for (const [mode, res] of p.modes) out.push(mode, res);
          out.push(0x7f);
        }
        out.push(F.END_SYSEX);
        this.#send(out);
        break;
      }
      case F.ANALOG_MAPPING_QUERY:
        this.#send([F.START_SYSEX, F.ANALOG_MAPPING_RESPONSE, ...this.spec.pins.map((p) => p.analogChannel), F.END_SYSEX]);
        break;
      case F.PIN_STATE_QUERY: {
        const pin = s[1];
        if (pin === undefined || pin >= this.#pins.length) break;
        const p = this.#pins[pin];
        const out = [F.START_SYSEX, F.PIN_STATE_RESPONSE, pin, p.mode];
        let v = p.value;
        out.push(v & 0x7f);
        v >>= 7;
        while (v > 0) { out.push(v & 0x7f); v >>= 7; }
        out.push(F.END_SYSEX);
        this.#send(out);
        break;
      }
      case F.SAMPLING_INTERVAL: {
        const v = (s[1] ?? 0) | ((s[2] ?? 0) << 7);
        this.#samplingMs = Math.max(1, v);
        this.#sampleEv?.cancel();
        this.#sampleEv = null;
        this.#armSampling();
        break;
      }
      case F.EXTENDED_ANALOG: {
        const pin = s[1];
        let v = 0;
        for (let i = 2; i < s.length; i++) v |= s[i] << (7 * (i - 2));
        if (pin !== undefined) this.#analogWritePin(pin, v);
        break;
      }
      case F.I2C_CONFIG: this.#enableI2c(); break;
      case F.I2C_REQUEST: this.#i2cRequest(s); break;
      case F.SERIAL_MESSAGE: this.#serialMessage(s); break;
      default: break; // unknown sysex: StandardFirmataPlus ignores it
    }
  }

  // ------------------------------------------------------------------------------------------------ pins

  #setPinMode(pin: number, mode: number): void {
    const p = this.#pins[pin];
    const cap = this.spec.pins[pin];
    this.onMessage?.('pinMode', { pin, mode });
    if (!p || !cap || p.mode === F.PIN_MODE.IGNORE && cap.modes.size === 0) return;
    if (cap.analogChannel !== 127) this.#setReportAnalog(cap.analogChannel, mode === F.PIN_MODE.ANALOG, true);
    const port = pin >> 3;
    switch (mode) {
      case F.PIN_MODE.INPUT: case F.PIN_MODE.PULLUP:
        if (!cap.modes.has(mode)) return;
        this.#setMode(pin, mode, mode === F.PIN_MODE.PULLUP ? 1 : 0);
        break;
      case F.PIN_MODE.OUTPUT:
        if (!cap.modes.has(mode)) return;
        this.#setMode(pin, mode, 0);
        break;
      case F.PIN_MODE.ANALOG: case F.PIN_MODE.PWM: case F.PIN_MODE.SERVO:
        if (!cap.modes.has(mode)) return;
        this.#setMode(pin, mode, 0);
        break;
      case F.PIN_MODE.I2C:
        if (cap.modes.has(mode)) this.#setMode(pin, mode, 0);
        break;
      case F.PIN_MODE.SERIAL:
        if (cap.modes.has(mode)) this.#setMode(pin, mode, 0);
        break;
      default:
        // "Unknown pin mode": the firmware answers with a string and leaves the pin as it was
        this.#sendString('Unknown pin mode');
        return;
    }
    void port;
  }

  #setMode(pin: number, mode: number, value: number): void {
    const p = this.#pins[pin];
    const was = this.driven(pin);
    p.mode = mode;
    p.value = value;
    const now = this.driven(pin);
    if (was !== now) this.world.drive?.(pin, now);
    if (mode === F.PIN_MODE.INPUT || mode === F.PIN_MODE.PULLUP) this.wake();
  }

  #setPinValue(pin: number, value: number): void {
    const p = this.#pins[pin];
    if (!p) return;
    if (p.mode === F.PIN_MODE.OUTPUT) this.#writeOutput(pin, value ? 1 : 0);
    else if (p.mode === F.PIN_MODE.INPUT && value) { p.mode = F.PIN_MODE.PULLUP; p.value = 1; this.wake(); }
  }

  #digitalPort(port: number, mask: number): void {
    for (let i = 0; i < 8; i++) {
      const pin = port * 8 + i;
      const p = this.#pins[pin];
      if (!p) break;
      const bit = (mask >> i) & 1;
      if (p.mode === F.PIN_MODE.OUTPUT) this.#writeOutput(pin, bit as 0 | 1);
      else if (p.mode === F.PIN_MODE.INPUT && bit) { p.mode = F.PIN_MODE.PULLUP; p.value = 1; this.wake(); }
    }
  }

  #writeOutput(pin: number, level: 0 | 1): void {
    const p = this.#pins[pin];
    if (p.value === level) return;
    p.value = level;
    this.world.drive?.(pin, level);
  }

  #analogWrite(ch: number, v: number): void {
    // ANALOG_MESSAGE addresses pins 0..15 directly (PWM); pins above use EXTENDED_ANALOG.
    this.#analogWritePin(ch, v);
  }

  #analogWritePin(pin: number, v: number): void {
    const p = this.#pins[pin];
    if (p && (p.mode === F.PIN_MODE.PWM || p.mode === F.PIN_MODE.SERVO)) p.value = v;
  }

  #digitalLevel(pin: number): 0 | 1 {
    const p = this.#pins[pin];
    if (p.mode === F.PIN_MODE.OUTPUT) return p.value ? 1 : 0;
    const ext = this.world.level?.(pin);
    if (ext !== undefined) return ext;
    return p.mode === F.PIN_MODE.PULLUP ? 1 : 0;
  }

  #analogRead(pin: number): number {
    const v = this.world.analog?.(pin);
    if (v !== undefined) return Math.max(0, Math.min(1023, Math.round(v)));
    return 0;
  }

  /** `outputPort`: the input pins of a port, sent when changed (or always when forced). */
  #checkDigitalInputs(force: boolean, only?: number): void {
    const ports = Math.ceil(this.#pins.length / 8);
    for (let port = 0; port < ports; port++) {
      if (only !== undefined && port !== only) continue;
      if (!this.#reportDigital[port]) continue;
      let v = 0;
      for (let i = 0; i < 8; i++) {
        const pin = port * 8 + i;
        const p = this.#pins[pin];
        if (!p || (p.mode !== F.PIN_MODE.INPUT && p.mode !== F.PIN_MODE.PULLUP)) continue;
        if (this.#digitalLevel(pin)) v |= 1 << i;
      }
      if (force || this.#previousPins[port] !== v) {
        this.#previousPins[port] = v;
        this.#send([F.DIGITAL_MESSAGE | port, v & 0x7f, (v >> 7) & 0x7f]);
      }
    }
  }

  #setReportDigital(port: number, on: boolean): void {
    this.#reportDigital[port] = on;
    if (on) this.#checkDigitalInputs(true, port);
  }

  #setReportAnalog(ch: number, on: boolean, quiet = false): void {
    if (on) {
      this.#reportAnalog |= 1 << ch;
      if (!quiet) {
        const pin = this.spec.pins.findIndex((p) => p.analogChannel === ch);
        if (pin >= 0) this.#sendAnalog(ch, this.#analogRead(pin));
      }
      this.#armSampling();
    } else {
      this.#reportAnalog &= ~(1 << ch);
    }
  }

  #sendAnalog(ch: number, v: number): void {
    if (ch < 16) this.#send([F.ANALOG_MESSAGE | ch, v & 0x7f, (v >> 7) & 0x7f]);
  }

  // ------------------------------------------------------------------------------------------------ I2C

  #enableI2c(): void {
    if (!this.spec.i2c) return;
    this.#setPinMode(this.spec.i2c.sda, F.PIN_MODE.I2C);
    this.#setPinMode(this.spec.i2c.scl, F.PIN_MODE.I2C);
    this.#i2cEnabled = true;
  }

  #i2cRequest(s: number[]): void {
    if (!this.#i2cEnabled || s.length < 3) return;
    const mode = (s[2] >> 3) & 0x03;
    if (s[2] & 0x20) { this.#sendString('10-bit addressing not supported'); return; }
    const address = s[1];
    const stopTx = (s[2] & 0x40) === 0;
    const argc = s.length - 3;
    switch (mode) {
      case F.I2C_WRITE: {
        const data = F.decode7(s, 3);
        this.#wireWrite(address, data);
        break;
      }
      case F.I2C_READ: case F.I2C_READ_CONTINUOUSLY: {
        let register = F.I2C_REGISTER_NOT_SPECIFIED;
        let bytes: number;
        if (argc === 4) { register = s[3] | (s[4] << 7); bytes = s[5] | (s[6] << 7); } else { bytes = (s[3] ?? 0) | ((s[4] ?? 0) << 7); }
        const q: I2cQuery = { address, register, bytes, stopTx };
        if (mode === F.I2C_READ) this.#i2cReadAndReport(q);
        else if (this.#queries.length < 8) { this.#queries.push(q); this.#armSampling(); }
        break;
      }
      case F.I2C_STOP_READING:
        this.#queries = this.#queries.filter((q) => q.address !== address);
        break;
    }
  }

  #device(address: number): I2cDevice | undefined { return this.i2cDevices.find((d) => d.address === address); }

  #wireWrite(address: number, data: number[]): boolean {
    const d = this.#device(address);
    if (!d || !d.start(false)) return false;
    for (const b of data) if (!d.write(b & 0xff)) break;
    d.stop();
    return true;
  }

  #i2cReadAndReport(q: I2cQuery): void {
    if (q.register !== F.I2C_REGISTER_NOT_SPECIFIED) this.#wireWrite(q.address, [q.register & 0xff]);
    const d = this.#device(q.address);
    const got: number[] = [];
    if (d && d.start(true)) {
      for (let i = 0; i < q.bytes; i++) got.push(d.read() & 0xff);
      d.stop();
    }
    if (got.length < q.bytes) this.#sendString('I2C: Too few bytes received');
    const reg = q.register === F.I2C_REGISTER_NOT_SPECIFIED ? 0xff : q.register;
    this.#send([F.START_SYSEX, F.I2C_REPLY, ...F.encode7([q.address, reg, ...got]), F.END_SYSEX]);
  }

  // ------------------------------------------------------------------------------------------------ serial

  #port(id: number): SerialPortState {
    const s = this.#serial.get(id);
    if (!s) throw new RangeError(`${this.spec.title} has no hardware serial port ${id} (ports: ${[...this.#serial.keys()].join(', ')})`);
    return s;
  }

  #serialMessage(s: number[]): void {
    const sub = s[1] & 0xf0;
    const id = s[1] & 0x0f;
    const port = this.#serial.get(id);
    if (!port) return; // software serial and unknown ports: not on this board
    switch (sub) {
      case F.SERIAL_CONFIG: {
        port.baud = (s[2] ?? 0) | ((s[3] ?? 0) << 7) | ((s[4] ?? 0) << 14);
        const pins = this.spec.serialPorts[id];
        this.#setPinMode(pins.rx, F.PIN_MODE.SERIAL);
        this.#setPinMode(pins.tx, F.PIN_MODE.SERIAL);
        break;
      }
      case F.SERIAL_WRITE: {
        if (port.baud === 0) break;
        const data = F.decode7(s, 2);
        const byteUs = byteTimeUs(port.baud);
        const now = this.#time.now();
        for (const b of data) {
          port.txFree = Math.max(now, port.txFree) + byteUs;
          const baud = port.baud;
          this.#time.at(port.txFree, () => port.peer?.receive(b, baud));
        }
        break;
      }
      case F.SERIAL_READ:
        if ((s[2] ?? 0) === 0) {
          port.reading = true;
          port.maxBytes = s.length >= 5 ? (s[3] | (s[4] << 7)) : 0;
          if (port.rx.length) this.wake();
        } else {
          port.reading = false;
        }
        break;
      case F.SERIAL_CLOSE:
        port.baud = 0; port.reading = false; port.rx = [];
        break;
      case F.SERIAL_FLUSH:
        port.rx = [];
        break;
      default: break;
    }
  }

  // ------------------------------------------------------------------------------------------------ reset, output

  #reset(): void {
    this.#reportDigital = [];
    this.#previousPins = [];
    this.#reportAnalog = 0;
    this.#queries = [];
    this.#i2cEnabled = false;
    for (const s of this.#serial.values()) { s.baud = 0; s.reading = false; s.rx = []; s.maxBytes = 0; }
    for (let pin = 0; pin < this.#pins.length; pin++) {
      const cap = this.spec.pins[pin];
      if (cap.modes.size === 0) { this.#pins[pin].mode = F.PIN_MODE.IGNORE; continue; }
      if (cap.analogChannel !== 127) {
        this.#setMode(pin, F.PIN_MODE.ANALOG, 0);
        this.#reportAnalog |= 1 << cap.analogChannel;
      } else {
        if (this.#pins[pin].mode !== F.PIN_MODE.OUTPUT) this.#setMode(pin, F.PIN_MODE.OUTPUT, 0);
        else this.#writeOutput(pin, 0);
      }
    }
    this.#armSampling();
  }

  #sendFirmware(): void {
    const name = [...this.spec.firmwareName].map((c) => c.charCodeAt(0));
    this.#send([F.START_SYSEX, F.REPORT_FIRMWARE, this.spec.firmwareVersion.major, this.spec.firmwareVersion.minor, ...F.encode7(name), F.END_SYSEX]);
  }

  #sendString(text: string): void {
    this.#send([F.START_SYSEX, F.STRING_DATA, ...F.encode7([...text].map((c) => c.charCodeAt(0))), F.END_SYSEX]);
  }

  /** One message onto the host link: its bytes leave back to back at the host baud and arrive `latencyUs` later. */
  #send(bytes: number[]): void {
    const now = this.now();
    this.#txFree = Math.max(now, this.#txFree) + bytes.length * byteTimeUs(this.config.hostBaud);
    const arrive = this.#txFree + this.config.latencyUs;
    const data = Uint8Array.from(bytes);
    this.#pendingOut++;
    this.#time.at(arrive, () => {
      this.#pendingOut--;
      if (!this.#frozen) this.onOutput?.(data);
    });
  }
}
