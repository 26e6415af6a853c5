// Test support for the firmware twin's tests (not used by the firmware):
// - `createBench`: the whole meter — the firmware on the SimulatedBoard with the part models, the ATM90E26 on the AFE
//   UART fed by the phasor plant, optionally a scripted SIM800 on the modem UART;
// - `createUnit`: one firmware context on the libraries' light fake board (lib/fake-board.ts) with 8N1 test UARTs,
//   a ticking DS1307 and an AT24C32, for tests of single functions;
// - `ScriptedSim800`: a modem at the AT level.
import { ATM90E26, type Atm90e26Config } from '../../models/afe/atm90e26.ts';
import { Plant } from '../../models/plant.ts';
import type { LoadSpec } from '../kernel/stimuli.ts';
import { byteTimeUs, type UartPeer } from '../../models/uart.ts';
import type { Board, Level, PinName, SerialPort } from '../board/board.ts';
import { PINS } from '../board/board.ts';
import { Cpu, PowerLoss } from '../board/cpu.ts';
import { SimulatedBoard } from '../board/simulated-board.ts';
import { VirtualClock } from '../kernel/clock.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { AT24C32 } from '../../models/eeprom/at24c32.ts';
import { DS1307 } from '../../models/rtc/ds1307.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import { KeypadMatrix } from '../../models/keypad/keypad-matrix.ts';
import { LatchingRelay } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { CoverSwitch } from '../../models/indicators/cover-switch.ts';
import type { BootMode, FirmwareSelection } from '../profiles/profile.ts';
import { resolveFirmware } from '../profiles/profile.ts';
import { OsmFirmware, createFirmwareContext, type FirmwareOptions } from './firmware.ts';
import { HEXA_KEYS } from './keypad-ui.ts';
import { createFakeBoard, FakeAt24c32, FakeKeyMatrix, type FakeI2cDevice } from './lib/fake-board.ts';
import { bcd2bin, bin2bcd, DateTime } from './lib/rtclib.ts';

/** A HardwareSerial: TX bytes leave back to back at the baud rate (64-byte buffer), RX keeps 64 bytes. */
export class TestUart implements SerialPort {
  baud = 0;
  readonly #cpu: Cpu;
  readonly #clock: VirtualClock;
  readonly #rx: number[] = [];
  #txFreeAt = 0;
  #pending = 0;
  /** Where transmitted bytes go (the chip, a scripted modem), or null. */
  peer: UartPeer | null = null;
  /** Everything written, as text (bytes as char codes). */
  text = '';
  /** Bytes received but dropped because the RX buffer was full. */
  overruns = 0;
  /** The receiving side for the peer: bytes land in the RX buffer. */
  readonly rxPeer: UartPeer = { receive: (byte: number) => this.inject(byte) };

  constructor(cpu: Cpu, clock: VirtualClock) {
    this.#cpu = cpu;
    this.#clock = clock;
  }

  begin(baud: number): void { this.baud = baud; }
  end(): void { this.baud = 0; }

  write(data: number | string | Uint8Array): number {
    const bytes = typeof data === 'number' ? [data & 0xff]
      : typeof data === 'string' ? Array.from(data, (c) => c.charCodeAt(0) & 0xff) : Array.from(data);
    for (const b of bytes) this.#send(b);
    return bytes.length;
  }

  #send(byte: number): void {
    this.text += String.fromCharCode(byte);
    if (this.baud === 0) return; // a UART that is not begun sends nothing
    const bt = byteTimeUs(this.baud);
    let now = this.#cpu.nowUs();
    if (this.#pending >= 64) {
      // Buffer full: the writer waits until one byte has left.
      const waitUntil = this.#txFreeAt - (this.#pending - 63) * bt;
      if (waitUntil > now) { this.#cpu.spend(waitUntil - now); now = waitUntil; }
    }
    const end = Math.max(now, this.#txFreeAt) + bt;
    this.#txFreeAt = end;
    this.#pending++;
    const baud = this.baud;
    this.#clock.at(Math.max(this.#clock.now(), Math.ceil(end)), () => {
      this.#pending--;
      this.peer?.receive(byte, baud);
    });
  }

  inject(byte: number): void {
    if (this.#rx.length >= 64) { this.overruns++; return; }
    this.#rx.push(byte);
  }

  available(): number { return this.#rx.length; }
  read(): number { return this.#rx.length ? this.#rx.shift()! : -1; }
  peek(): number { return this.#rx.length ? this.#rx[0] : -1; }
  flush(): void {
    const now = this.#cpu.nowUs();
    if (this.#txFreeAt > now) this.#cpu.spend(this.#txFreeAt - now);
  }
}

/** A DS1307 whose clock runs on the virtual clock (stopped while CH is set); NVRAM is 56 plain bytes. */
export class TickingDs1307 implements FakeI2cDevice {
  readonly nvram = new Uint8Array(56);
  halted = false;
  #pointer = 0;
  #baseUnix: number;
  #baseUs: number;
  readonly #clock: VirtualClock;

  constructor(clock: VirtualClock, start: DateTime) {
    this.#clock = clock;
    this.#baseUnix = start.unixtime();
    this.#baseUs = clock.now();
  }

  /** Current time as the chip counts it. */
  now(): DateTime {
    const t = this.halted ? this.#baseUnix : this.#baseUnix + Math.floor((this.#clock.now() - this.#baseUs) / 1e6);
    return DateTime.fromUnix(t);
  }

  set(dt: DateTime): void {
    this.#baseUnix = dt.unixtime();
    this.#baseUs = this.#clock.now();
  }

  receive(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.#pointer = bytes[0] & 0x3f;
    if (bytes.length >= 8 && this.#pointer === 0) {
      const r = bytes.slice(1);
      this.halted = (r[0] & 0x80) !== 0;
      this.set(new DateTime(2000 + bcd2bin(r[6]), bcd2bin(r[5]), bcd2bin(r[4]), bcd2bin(r[2]), bcd2bin(r[1]), bcd2bin(r[0] & 0x7f)));
      return;
    }
    for (const b of bytes.slice(1)) {
      if (this.#pointer >= 8) this.nvram[this.#pointer - 8] = b;
      this.#pointer = (this.#pointer + 1) & 0x3f;
    }
  }

  transmit(count: number): number[] {
    const d = this.now();
    const regs = [bin2bcd(d.second()) | (this.halted ? 0x80 : 0), bin2bcd(d.minute()), bin2bcd(d.hour()), 1,
      bin2bcd(d.day()), bin2bcd(d.month()), bin2bcd(d.year() - 2000), 0];
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.#pointer < 8 ? regs[this.#pointer] : this.nvram[this.#pointer - 8]);
      this.#pointer = (this.#pointer + 1) & 0x3f;
    }
    return out;
  }
}

const KEYPAD_PINS: ReadonlySet<PinName> = new Set<PinName>([...PINS.keypadRows, ...PINS.keypadCols]);

export interface PinEvent { tUs: number; pin: PinName; level: Level }

export interface BenchOptions {
  profile?: FirmwareSelection['profile'];
  mode?: BootMode;
  fix?: string[];
  defects?: string[];
  /** EEPROM credit at address 9 (uint32); default: virgin EEPROM (all 0xFF). */
  credit?: number;
  /** RTC time at start, default 2026-03-01T08:00:00. */
  clock?: DateTime;
  /** NVRAM offset 4 preset (non-zero = not the first setup). */
  nvramInit?: number;
  /** Terminal cover open at power-on (PA1 then reads about 0). */
  coverOpen?: boolean;
  rtcPresent?: boolean;
  eepromPresent?: boolean;
  afe?: Partial<Atm90e26Config>;
  grid?: { vrms?: number; hz?: number };
  loads?: LoadSpec[];
  options?: FirmwareOptions;
  /** A SIM800 that answers (default: no modem at all, every AT command times out). */
  modem?: ScriptedSim800Options;
}

/**
 * The firmware on the SimulatedBoard (twin/board/simulated-board.ts) with the part models wired as on the meter:
 * HD44780, keypad matrix, latching relay, LEDs, buzzer, cover switch, AT24C32 and DS1307 on I2C, the ATM90E26 on the
 * AFE UART fed by the phasor plant, and optionally a scripted SIM800 on the modem UART.
 */
export function createBench(o: BenchOptions = {}) {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  // The parts see the running code's time (ahead of the clock inside the interrupt and during main-context work).
  const partsTime: SimTime = { now: () => cpu.nowUs(), at: (t, fn) => clock.at(Math.max(t, clock.now()), fn) };
  const eeprom = new AT24C32(partsTime);
  if (o.credit !== undefined) new DataView(eeprom.image.buffer).setUint32(9, o.credit >>> 0, true);
  let eepromWrites = 0;
  eeprom.onWrite = () => { eepromWrites++; };
  const rtc = new DS1307(partsTime, { present: o.rtcPresent ?? true });
  rtc.setUnixTime((o.clock ?? new DateTime(2026, 3, 1, 8, 0, 0)).unixtime());
  if (o.nvramInit !== undefined) new DataView(rtc.nvram.buffer).setUint32(4, o.nvramInit >>> 0, true);
  const relay = new LatchingRelay(partsTime, { initiallyClosed: false });
  const cover = new CoverSwitch({ open: o.coverOpen ?? false });
  const lcd = new HD44780();
  const keypad = new KeypadMatrix();
  const redLed = new Indicator(partsTime, { name: 'red' });
  const greenLed = new Indicator(partsTime, { name: 'green' });
  const buzzer = new Indicator(partsTime, { name: 'buzzer', minToggles: 1_000_000 });
  const chip = new ATM90E26(clock, o.afe ?? {});
  const board = new SimulatedBoard(cpu, {
    lcd, keypad, relay, redLed, greenLed, buzzer, cover,
    i2c: (o.eepromPresent ?? true) ? [eeprom, rtc] : [rtc], peers: { afe: chip.uart },
  });
  chip.attachHost(board.serialPeer('afe'));
  const plant = new Plant({ grid: { vrms: o.grid?.vrms ?? 240, hz: o.grid?.hz ?? 50 }, loads: o.loads ?? [] });
  chip.setPins(plant.pinPhasors());
  plant.onChange = (p) => chip.setPins(p.pinPhasors());

  const text = { debug: '', modem: '' };
  board.serial.debug.onTransmit = (b) => { text.debug += String.fromCharCode(b); };
  board.serial.modem.onTransmit = (b) => { text.modem += String.fromCharCode(b); };
  const pinLog: PinEvent[] = [];
  board.onPinChange = (pin, level, tUs) => { if (!KEYPAD_PINS.has(pin)) pinLog.push({ tUs, pin, level }); };
  const sim = o.modem ? new ScriptedSim800(clock, {
    setPeer: (peer) => { board.serial.modem.peer = peer; },
    inject: (byte) => board.serialPeer('modem').receive(byte, board.serial.modem.baud || 9600),
  }, o.modem) : null;

  const config = resolveFirmware({ profile: o.profile ?? 'field', mode: o.mode, fix: o.fix, defects: o.defects });
  const firmware = new OsmFirmware(board, config, o.options ?? {});
  let failure: unknown = null;
  const started = clock.spawn('firmware', () => firmware.run(), (e) => e instanceof PowerLoss);
  started.catch((e: unknown) => { failure = e; });

  return {
    clock, cpu, board, eeprom, rtc, relay, cover, lcd, keypad, redLed, greenLed, buzzer, chip, plant, firmware, config,
    sim, pinLog,
    /** What the firmware sent on the debug port (Serial2) and the modem line (Serial1 / printf). */
    uarts: { debug: { get text() { return text.debug; } }, modem: { get text() { return text.modem; } } },
    get failure() { return failure; },
    get eepromWrites() { return eepromWrites; },
    /** Run the simulation until `tMs` (absolute, ms of virtual time). */
    async runUntilMs(tMs: number): Promise<void> { await clock.runUntil(Math.round(tMs * 1000)); },
    async runForMs(ms: number): Promise<void> { await clock.runFor(Math.round(ms * 1000)); },
    /** Type keys one after another (each held `holdMs`, then `gapMs` of rest), running the clock. */
    async type(keys: string, holdMs = 100, gapMs = 150): Promise<void> {
      for (const k of keys) {
        keypad.press(k);
        await clock.runFor(holdMs * 1000);
        keypad.release(k);
        await clock.runFor(gapMs * 1000);
      }
    },
    line(row: 0 | 1): string { return lcd.visibleLines()[row]; },
    eepromLong(addr: number): number { return new DataView(eeprom.image.buffer).getUint32(addr, true); },
    /** Times (ms) at which an output pin went HIGH. */
    risingEdges(pin: PinName): number[] {
      return pinLog.filter((e) => e.pin === pin && e.level === 1).map((e) => e.tUs / 1000);
    },
    pinLevel(pin: PinName): Level {
      for (let i = pinLog.length - 1; i >= 0; i--) if (pinLog[i].pin === pin) return pinLog[i].level;
      return 0;
    },
  };
}

export type Bench = ReturnType<typeof createBench>;

export interface UnitOptions {
  profile?: FirmwareSelection['profile'];
  mode?: BootMode;
  fix?: string[];
  defects?: string[];
  options?: FirmwareOptions;
  eepromPresent?: boolean;
}

/**
 * A firmware context on the fake board without running `setup()`: for tests of one function. The LCD is
 * initialised to 2 lines as `setup()` leaves it; the EEPROM is virgin and a DS1307 runs from 2026-03-01 08:00.
 */
export function createUnit(o: UnitOptions = {}) {
  const parts = createFakeBoard();
  const { clock, cpu } = parts;
  const uarts = { afe: new TestUart(cpu, clock), modem: new TestUart(cpu, clock), debug: new TestUart(cpu, clock) };
  const pinLog: PinEvent[] = [];
  let pa1 = 167;
  const board: Board = Object.create(parts.board, {
    serial: { value: uarts },
    analogRead: { value: (pin: PinName) => { cpu.spend(1); return pin === PINS.batteryInput ? pa1 : 0; } },
    digitalWrite: {
      value: (pin: PinName, level: Level) => {
        if (!KEYPAD_PINS.has(pin)) pinLog.push({ tUs: cpu.nowUs(), pin, level });
        parts.board.digitalWrite(pin, level);
      },
    },
  });
  const eeprom = new FakeAt24c32();
  if (o.eepromPresent ?? true) parts.wire.devices.set(0x50, eeprom);
  const rtc = new TickingDs1307(clock, new DateTime(2026, 3, 1, 8, 0, 0));
  parts.wire.devices.set(0x68, rtc);
  const matrix = new FakeKeyMatrix(HEXA_KEYS, PINS.keypadRows, PINS.keypadCols);
  parts.matrix.current = matrix;
  const config = resolveFirmware({ profile: o.profile ?? 'field', mode: o.mode, fix: o.fix, defects: o.defects });
  const fw = createFirmwareContext(board, config, o.options ?? {});
  fw.lcd.begin(16, 2);
  return {
    fw, s: fw.state, clock, cpu, board, parts, uarts, pinLog, eeprom, rtc, matrix, lcd: parts.lcd,
    line(row: 0 | 1): string { return parts.lcd.line(row); },
    eepromLong(addr: number): number {
      const m = eeprom.mem;
      return (m[addr] | (m[addr + 1] << 8) | (m[addr + 2] << 16) | (m[addr + 3] << 24)) >>> 0;
    },
    setEepromLong(addr: number, v: number): void {
      const u = v >>> 0;
      eeprom.mem.set([u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24], addr);
    },
    pinLevel(pin: PinName): Level { return parts.pins.get(pin)?.level ?? 0; },
    /** PA1 ADC counts (167 = cover closed, btt ≈ 12.2; ≤ 27 = cover open). */
    setPa1(v: number): void { pa1 = v; },
  };
}

export type Unit = ReturnType<typeof createUnit>;

export interface ScriptedSim800Options {
  /** `ATI` text; the modem answers nothing at all when `mute`. */
  info?: string;
  mute?: boolean;
  /** `AT+CREG?` reports registered. */
  network?: boolean;
  /** The GPRS commands answer OK (else ERROR). */
  gprs?: boolean;
  /** `AT+CIPSTART` answers CONNECT OK (else CONNECT FAIL). */
  tcp?: boolean;
  /** The HTTP server: request body in, response body out. */
  server?: (requestBody: string) => string;
  /** Delay before a reply starts, ms. */
  latencyMs?: number;
}

/**
 * A SIM800 at the AT level for the tests: enough of the command set TinyGSM 0.11.5 uses for restart, GPRS, one TCP
 * socket with manual receive (`AT+CIPRXGET`), and an HTTP server behind it.
 */
/** The modem's side of a UART: where its replies go, and how it is told about the host's bytes. */
export interface UartLink {
  setPeer(peer: UartPeer): void;
  inject(byte: number): void;
}

export class ScriptedSim800 {
  readonly commands: string[] = [];
  readonly requests: string[] = [];
  readonly #clock: VirtualClock;
  readonly #uart: UartLink;
  readonly #o: Required<ScriptedSim800Options>;
  #line = '';
  #sendLeft = 0;
  #sendData = '';
  #request = '';
  #rxData = '';
  #connected = false;
  #txFreeAt = 0;
  #skipLf = false;

  constructor(clock: VirtualClock, uart: TestUart | UartLink, o: ScriptedSim800Options = {}) {
    this.#clock = clock;
    this.#uart = uart instanceof TestUart
      ? { setPeer: (p) => { uart.peer = p; }, inject: (b) => uart.inject(b) }
      : uart;
    this.#o = {
      info: o.info ?? 'SIM800 R14.18', mute: o.mute ?? false, network: o.network ?? true, gprs: o.gprs ?? true,
      tcp: o.tcp ?? true, server: o.server ?? (() => '0/70/'), latencyMs: o.latencyMs ?? 5,
    };
    this.#uart.setPeer({ receive: (byte: number) => this.#receive(byte) });
  }

  #reply(text: string): void {
    if (this.#o.mute) return;
    const bt = byteTimeUs(9600);
    let t = Math.max(this.#clock.now() + this.#o.latencyMs * 1000, this.#txFreeAt);
    for (const ch of text) {
      t += bt;
      const byte = ch.charCodeAt(0);
      this.#clock.at(Math.ceil(t), () => this.#uart.inject(byte));
    }
    this.#txFreeAt = t;
  }

  #receive(byte: number): void {
    const ch = String.fromCharCode(byte);
    if (this.#skipLf) {
      this.#skipLf = false;
      if (ch === '\n') return; // the LF after a command's CR is not data
    }
    if (this.#sendLeft > 0) {
      this.#sendData += ch;
      if (--this.#sendLeft === 0) this.#dataSent();
      return;
    }
    if (ch === '\r') {
      const l = this.#line;
      this.#line = '';
      this.#skipLf = true;
      // V.250: characters before the "AT" prefix are ignored (the firmware's printf text shares this line).
      const at = l.indexOf('AT');
      if (at >= 0) this.#command(l.slice(at));
      return;
    }
    if (ch !== '\n') this.#line += ch;
  }

  #dataSent(): void {
    const n = this.#sendData.length;
    this.#request += this.#sendData;
    this.#sendData = '';
    this.#reply(`\r\nDATA ACCEPT:0,${n}\r\n`);
    const m = /\r\n\r\n([^\r\n]*)\r\n$/.exec(this.#request);
    if (m && m[1].startsWith('api_key=')) {
      this.requests.push(this.#request);
      const body = this.#o.server(m[1]);
      this.#request = '';
      this.#rxData = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ' + body.length +
        '\r\nConnection: close\r\n\r\n' + body;
      this.#reply('\r\n+CIPRXGET: 1,0\r\n');
    }
  }

  #command(l: string): void {
    this.commands.push(l);
    const ok = '\r\nOK\r\n';
    const gprsOk = this.#o.gprs ? ok : '\r\nERROR\r\n';
    let m: RegExpExecArray | null;
    if (l === 'ATI') this.#reply(`\r\n${this.#o.info}\r\n${ok}`);
    else if (l === 'AT+CPIN?') this.#reply(`\r\n+CPIN: READY\r\n${ok}`);
    else if (l === 'AT+CREG?') this.#reply(`\r\n+CREG: 0,${this.#o.network ? 1 : 2}\r\n${ok}`);
    else if (l === 'AT+CIPSHUT') this.#reply('\r\nSHUT OK\r\n');
    else if (l === 'AT+CGATT?') this.#reply(`\r\n+CGATT: ${this.#o.gprs ? 1 : 0}\r\n${ok}`);
    else if (l === 'AT+CIFSR;E0') this.#reply(this.#o.gprs ? `\r\n10.1.2.3\r\n${ok}` : '\r\nERROR\r\n');
    else if (/^AT\+(CGATT|SAPBR|CGDCONT|CGACT|CIPMUX|CIPQSEND|CIPRXGET=1|CSTT|CIICR|CDNSCFG)/.test(l)) this.#reply(gprsOk);
    else if (l.startsWith('AT+CIPSTART=')) {
      this.#connected = this.#o.tcp;
      this.#reply(ok + (this.#o.tcp ? '\r\n0, CONNECT OK\r\n' : '\r\n0, CONNECT FAIL\r\n'));
    } else if ((m = /^AT\+CIPSEND=0,(\d+)$/.exec(l))) {
      this.#sendLeft = Number(m[1]);
      this.#reply('\r\n> ');
    } else if (l === 'AT+CIPRXGET=4,0') this.#reply(`\r\n+CIPRXGET: 4,0,${this.#rxData.length}\r\n${ok}`);
    else if ((m = /^AT\+CIPRXGET=2,0,(\d+)$/.exec(l))) {
      const k = Math.min(Number(m[1]), this.#rxData.length);
      const chunk = this.#rxData.slice(0, k);
      this.#rxData = this.#rxData.slice(k);
      this.#reply(`\r\n+CIPRXGET: 2,0,${k},${this.#rxData.length}\r\n${chunk}\r\n${ok}`);
    } else if (l === 'AT+CIPSTATUS=0') {
      this.#reply(`\r\n+CIPSTATUS: 0,0,"TCP","1.2.3.4","80","${this.#connected ? 'CONNECTED' : 'CLOSED'}"\r\n${ok}`);
    } else if (l.startsWith('AT+CIPCLOSE=')) {
      this.#connected = false;
      this.#reply('\r\n0, CLOSE OK\r\n');
    } else this.#reply(ok);
  }
}
