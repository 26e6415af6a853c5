// The simulated blue pill: the Board HAL wired to the part models on the virtual clock (docs/firmware.md §1).
// - Time: delegated to the Cpu (delay, delayBlocking; delayMicroseconds charges CPU time).
// - GPIO: each pin has a mode and an output latch. A pin drives its part only in OUTPUT mode: PB12/PB4 the relay's
//   SET/RESET coils (through their drivers), PA0 the red LED, PA4 the green LED, PB5 the buzzer, PA7 PA6 PA5 PC13
//   the keypad columns. Rows PB9 PB8 PB1 PB0 read the keypad matrix; PA1 reads the cover divider.
// - Serial ports afe (USART3), modem (USART1), debug (USART2): hardware-serial.ts. I2C1: two-wire.ts. LCD: lcd-port.ts.
// - TIM1: createTimer, period prescaler × overflow / 72 MHz.
// Every call is synchronous and charges its CPU time (cpu.ts), with these figures:
import type { Board, Level, PinMode, PinName } from './board.ts';
import { HIGH, LOW, PINS } from './board.ts';
import type { Cpu } from './cpu.ts';
import type { SimTime } from '../../models/sim-time.ts';
import type { I2cDevice } from '../../models/i2c.ts';
import type { UartPeer } from '../../models/uart.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import { KeypadMatrix, type ColumnDrive } from '../../models/keypad/keypad-matrix.ts';
import { LatchingRelay, type LatchingRelayConfig } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { CoverSwitch, type CoverSwitchConfig } from '../../models/indicators/cover-switch.ts';
import { AT24C32, type At24c32Config } from '../../models/eeprom/at24c32.ts';
import { DS1307, type Ds1307Config } from '../../models/rtc/ds1307.ts';
import { HardwareSerial, type SerialName, type SerialObserver } from './hardware-serial.ts';
import { TwoWire } from './two-wire.ts';
import { LcdPort } from './lcd-port.ts';

export { SERIAL_BUFFER, HardwareSerial, type SerialName } from './hardware-serial.ts';
export { I2C_BYTE_US, TwoWire } from './two-wire.ts';
export { LCD_BYTE_US, LcdPort } from './lcd-port.ts';

/**
 * CPU time of one pinMode/digitalWrite/digitalRead on the 72 MHz core: about 1 us (the STM32duino core looks the pin
 * up in its PinMap tables and goes through the LL/HAL GPIO calls on every call; a bare register write would be
 * ~30 ns). This figure also makes LiquidCrystal's 15 GPIO writes per byte come out at §3.3's ≈ 0.22 ms.
 */
export const GPIO_US = 1;
/** analogRead on the STM32F103 core: the core re-initialises and calibrates the ADC and converts once, about 10 us. */
export const ADC_US = 10;
/** TIM1 counts the 72 MHz APB2 timer clock. */
export const TIMER_CLOCK_HZ = 72_000_000;

/** The parts on the board. */
export interface BoardParts {
  lcd: HD44780;
  keypad: KeypadMatrix;
  relay: LatchingRelay;
  redLed: Indicator;
  greenLed: Indicator;
  buzzer: Indicator;
  cover: CoverSwitch;
  /** The AT24C32 at 0x50 (also torn by powerOff when a random source is given). */
  eeprom?: AT24C32;
  /** The DS1307 at 0x68. */
  rtc?: DS1307;
  /** Devices on I2C1 besides `eeprom` and `rtc` (or all of them: the same part listed twice is attached once). */
  i2c?: I2cDevice[];
  /** What each serial port's TX line is wired to (nothing = the bytes go nowhere, as with a mute modem). */
  peers?: Partial<Record<SerialName, UartPeer>>;
  /** Seeded uniform source in [0, 1) for what a power cut leaves undetermined (the torn EEPROM page). */
  rand?: () => number;
}

/**
 * The time the parts see: the running code's time (the CPU cursor runs ahead of the clock inside the interrupt and
 * during main-context work), so a part written inside the interrupt times its own work from the interrupt's time.
 */
export function cpuTime(cpu: Cpu): SimTime {
  return { now: () => cpu.nowUs(), at: (t, fn) => cpu.clock.at(Math.max(t, cpu.clock.now()), fn) };
}

export interface SimulatedBoardOptions {
  eeprom?: Partial<At24c32Config> & { image?: Uint8Array };
  rtc?: Partial<Ds1307Config> & { unixTime?: number; halted?: boolean };
  relay?: Partial<LatchingRelayConfig>;
  cover?: Partial<CoverSwitchConfig>;
  /**
   * The device on each serial port's TX line (its RX side): `afe` the ATM90E26's `uart`, `modem` a SIM800's. The
   * device sends its replies to `board.serialPeer(name)`, e.g. `chip.attachHost(board.serialPeer('afe'))`. A port
   * with no peer still sends, to nobody (a missing or mute modem).
   */
  peers?: Partial<Record<SerialName, UartPeer>>;
  rand?: () => number;
}

/** A board with a fresh set of parts (datasheet defaults unless overridden), all on the CPU's time. */
export function createSimulatedBoard(cpu: Cpu, options: SimulatedBoardOptions = {}): SimulatedBoard {
  const time = cpuTime(cpu);
  const { image, ...eepromConfig } = options.eeprom ?? {};
  const { unixTime, halted, ...rtcConfig } = options.rtc ?? {};
  const eeprom = new AT24C32(time, eepromConfig);
  if (image !== undefined) eeprom.load(image);
  const rtc = new DS1307(time, { rand: options.rand, ...rtcConfig });
  if (unixTime !== undefined) rtc.setTime(unixTime);
  if (halted) rtc.setHalted(true);
  return new SimulatedBoard(cpu, {
    lcd: new HD44780(),
    keypad: new KeypadMatrix(),
    relay: new LatchingRelay(time, options.relay),
    redLed: new Indicator(time, { name: 'red' }),
    greenLed: new Indicator(time, { name: 'green' }),
    buzzer: new Indicator(time, { name: 'buzzer' }),
    cover: new CoverSwitch(options.cover),
    eeprom,
    rtc,
    peers: options.peers,
    rand: options.rand,
  });
}

interface PinState { mode: PinMode; latch: Level }

const ROWS: readonly PinName[] = PINS.keypadRows;
const COLS: readonly PinName[] = PINS.keypadCols;
/** The GPIO input thresholds of the STM32F103 at 3.3 V (VIL max 0.35 VDD ≈ 1.16 V, VIH min 0.65 VDD ≈ 2.15 V); the
 * midpoint decides an analog level read as digital. */
const DIGITAL_THRESHOLD_VOLTS = 1.65;

export class SimulatedBoard implements Board {
  readonly cpu: Cpu;
  readonly parts: BoardParts;
  readonly serial: { readonly afe: HardwareSerial; readonly modem: HardwareSerial; readonly debug: HardwareSerial };
  readonly wire: TwoWire;
  readonly lcd: LcdPort;
  /** A pin's driven level changed (a pin starting or stopping to drive counts; an undriven pin is reported LOW). */
  onPinChange?: (pin: PinName, level: Level, tUs: number) => void;
  #onTransmit: ((port: SerialName, byte: number, tUs: number) => void) | undefined;
  /** Any serial port put a byte on its TX pin (when its stop bit ended). */
  get onTransmit(): ((port: SerialName, byte: number, tUs: number) => void) | undefined { return this.#onTransmit; }
  set onTransmit(fn: ((port: SerialName, byte: number, tUs: number) => void) | undefined) {
    // The ports' `uart-run` shortcut skips bytes nobody hears: tell them someone may listen now.
    const ports = [this.serial.afe, this.serial.modem, this.serial.debug];
    const set = (): void => { this.#onTransmit = fn; };
    const rewire = (i: number): void => { if (i === ports.length) set(); else ports[i].rewire(() => rewire(i + 1)); };
    rewire(0);
  }
  /** Any serial port finished a line of text (split at LF, CR dropped), for the trace. */
  onLine?: (port: SerialName, line: string) => void;
  #pins = new Map<PinName, PinState>();
  /** The pin `#pin` found last and its state (forgotten with the map at a power cut). */
  #lastPin: PinName | null = null;
  #lastPinState: PinState | null = null;
  /** Counts every change of a pin's mode or latch (and power cuts): what `scanQuiet` last verified is still so. */
  #pinEpoch = 0;
  #quietPinsAt = -1;
  #quietRows: readonly PinName[] | null = null;
  #quietCols: readonly PinName[] | null = null;
  #cols: ColumnDrive[] = [null, null, null, null];
  #eeproms: AT24C32[] = [];
  readonly #quietKeypad: boolean;
  /** The exact shortcut `sync-reads` (Board.syncReads), and the bytes read that way. */
  readonly syncReads: boolean;
  syncReadsTaken = 0;
  noteSyncRead(): void { this.syncReadsTaken++; }

  /** `fastPaths`: the exact shortcuts of the board's ports (on by default; off for `--exact-slow`); `lcdScenes`,
   *  `quietKeypad`, `uartRuns`, `rxRuns` and `syncReads` (default: as `fastPaths`) turn one of them on or off. */
  constructor(cpu: Cpu, parts: BoardParts, options: { fastPaths?: boolean; lcdScenes?: boolean; quietKeypad?: boolean; uartRuns?: boolean; rxRuns?: boolean; syncReads?: boolean } = {}) {
    this.cpu = cpu;
    this.syncReads = options.syncReads ?? options.fastPaths ?? true;
    this.parts = parts;
    const observer: SerialObserver = {
      transmit: (port, byte, t) => this.#onTransmit?.(port, byte, t),
      wantsLines: () => this.onLine !== undefined,
      wantsBytes: () => this.#onTransmit !== undefined,
      line: (port, line) => this.onLine?.(port, line),
    };
    const peers = parts.peers ?? {};
    const runs = { uartRuns: options.uartRuns ?? options.fastPaths ?? true, rxRuns: options.rxRuns ?? options.fastPaths ?? true };
    this.serial = {
      afe: new HardwareSerial(cpu, 'afe', peers.afe, observer, runs),
      modem: new HardwareSerial(cpu, 'modem', peers.modem, observer, runs),
      debug: new HardwareSerial(cpu, 'debug', peers.debug, observer, runs),
    };
    const devices: I2cDevice[] = [];
    for (const d of [parts.eeprom, parts.rtc, ...(parts.i2c ?? [])]) if (d && !devices.includes(d)) devices.push(d);
    this.wire = new TwoWire(cpu, devices);
    this.#eeproms = devices.filter((d): d is AT24C32 => d instanceof AT24C32);
    this.#quietKeypad = options.quietKeypad ?? options.fastPaths ?? true;
    this.lcd = new LcdPort(cpu, parts.lcd, { fastPaths: options.lcdScenes ?? options.fastPaths ?? true });
  }

  /** The receiving end of a serial port, for the device wired to its RX pin (the ATM90E26 sends its replies here). */
  serialPeer(name: SerialName): UartPeer {
    const port = this.serial[name];
    if (!port) throw new Error(`no serial port '${String(name)}' (ports: afe, modem, debug)`);
    return port.rxPeer;
  }

  // ------------------------------------------------------------------------------------------------------ time

  millis(): number { return this.cpu.millis(); }
  micros(): number { return this.cpu.micros(); }
  delay(ms: number): Promise<void> { return this.cpu.delay(ms); }
  delayRepeat(ms: number, again: () => number): Promise<void> {
    // A board that adds to delay() (the rig's stretched AFE waits) gets its own delay() for each one.
    if (this.delay !== SimulatedBoard.prototype.delay) return delayLoop(this, ms, again);
    return this.cpu.delayRepeat(ms, again);
  }
  delayBlocking(ms: number): void { this.cpu.delayBlocking(ms); }
  delayMicroseconds(us: number): void { this.cpu.spend(us); }
  get inInterrupt(): boolean { return this.cpu.inInterrupt; }

  // ------------------------------------------------------------------------------------------------------ GPIO

  pinMode(pin: PinName, mode: PinMode): void {
    this.cpu.spend(GPIO_US);
    const s = this.#pin(pin);
    if (mode !== 'INPUT' && mode !== 'INPUT_PULLUP' && mode !== 'OUTPUT' && mode !== 'ANALOG') {
      throw new RangeError(`pinMode(${pin}): mode must be INPUT, INPUT_PULLUP, OUTPUT or ANALOG, got ${String(mode)}`);
    }
    if (s.mode === mode) return;
    this.#pinEpoch++;
    const was = this.#drive(s);
    s.mode = mode;
    this.#driveChanged(pin, was, this.#drive(s));
  }

  digitalWrite(pin: PinName, level: Level): void {
    this.cpu.spend(GPIO_US);
    const s = this.#pin(pin);
    if (level !== LOW && level !== HIGH) throw new RangeError(`digitalWrite(${pin}): level must be LOW (0) or HIGH (1), got ${String(level)}`);
    if (s.latch === level) return;
    this.#pinEpoch++;
    const was = this.#drive(s);
    s.latch = level;
    this.#driveChanged(pin, was, this.#drive(s));
  }

  /**
   * The input level: an output reads its own latch; a keypad row reads the matrix (LOW when a held key joins it to a
   * column driven LOW) or its pull-up; PA1 reads the divider voltage against the mid-supply threshold. An input
   * with no pull-up and nothing driving it floats: [UNDET] on hardware, LOW here.
   */
  digitalRead(pin: PinName): Level {
    this.cpu.spend(GPIO_US);
    const s = this.#pin(pin);
    if (s.mode === 'OUTPUT') return s.latch;
    const row = ROWS.indexOf(pin);
    if (row >= 0 && this.parts.keypad.rowLevel(row, this.#cols) === 0) return LOW;
    if (pin === PINS.batteryInput) return this.parts.cover.pinVolts() > DIGITAL_THRESHOLD_VOLTS ? HIGH : LOW;
    return s.mode === 'INPUT_PULLUP' ? HIGH : LOW;
  }

  /**
   * Exact shortcut for a keypad matrix scan (the Keypad library's scanKeys, twin/firmware/lib/keypad.ts): when no key
   * is down, nobody watches the pins (`onPinChange`), every row is already an input with pull-up and every column an
   * input with its latch HIGH (where the last scan left them), a scan would read every row HIGH and leave every pin
   * as it found it. Then this charges the scan's GPIO time (one pinMode per row; per column pinMode, two
   * digitalWrites, one digitalRead per row and pinMode again) and returns true; otherwise it returns false and the
   * caller scans pin by pin. Off with the board's fast paths (`--exact-slow`).
   */
  /** Matrix scans answered by `scanQuiet` (for benchmarks and tests: how often the shortcut fired). */
  quietScans = 0;

  scanQuiet(rowPins: readonly PinName[], colPins: readonly PinName[]): boolean {
    if (!this.#quietKeypad || this.onPinChange || this.parts.keypad.pressedCount > 0) return false;
    // The pins were found so for these rows and columns and no pin's mode or latch has changed since: skip the look.
    if (this.#quietPinsAt !== this.#pinEpoch || this.#quietRows !== rowPins || this.#quietCols !== colPins) {
      for (const r of rowPins) if (this.#pins.get(r)?.mode !== 'INPUT_PULLUP') return false;
      for (const c of colPins) {
        const s = this.#pins.get(c);
        if (!s || s.mode !== 'INPUT' || s.latch !== HIGH) return false;
      }
      this.#quietPinsAt = this.#pinEpoch;
      this.#quietRows = rowPins;
      this.#quietCols = colPins;
    }
    this.cpu.spend(GPIO_US * (rowPins.length + colPins.length * (4 + rowPins.length)));
    this.quietScans++;
    return true;
  }

  /** 10-bit reading: PA1 from the cover divider; another pin reads its own level (an output or pull-up as full scale). */
  analogRead(pin: PinName): number {
    this.cpu.spend(ADC_US);
    const s = this.#pin(pin);
    if (pin === PINS.batteryInput) return this.parts.cover.adcRaw();
    if (s.mode === 'OUTPUT') return s.latch === HIGH ? 1023 : 0;
    return s.mode === 'INPUT_PULLUP' ? 1023 : 0;
  }

  // ------------------------------------------------------------------------------------------------------ TIM1

  /**
   * TIM1 with `prescaler` (the divide factor, 1..65536) and `overflow` (ticks per period, 1..65536): the handler runs
   * in interrupt context every prescaler × overflow / 72 MHz (55 × 65454 → 49 999.58 us, 20.0002 Hz). Not running
   * until resume().
   */
  createTimer(prescaler: number, overflow: number, handler: () => void): { resume(): void; pause(): void } {
    const ok = (v: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65536;
    if (!ok(prescaler) || !ok(overflow)) {
      throw new RangeError(`timer prescaler and overflow must be >= 1 and <= 65536 (16-bit registers), got ${String(prescaler)}, ${String(overflow)}`);
    }
    if (typeof handler !== 'function') throw new TypeError('createTimer needs a handler function');
    const periodUs = (prescaler * overflow * 1e6) / TIMER_CLOCK_HZ;
    let h: ReturnType<Cpu['attachTimerInterrupt']> | null = null;
    return {
      resume: () => { if (h) h.resume(); else h = this.cpu.attachTimerInterrupt(periodUs, handler); },
      pause: () => { h?.stop(); },
    };
  }

  // ------------------------------------------------------------------------------------------------------ power

  /**
   * Power removed: the CPU stops, every output falls LOW (the relay coils, LEDs and buzzer de-energise), serial
   * buffers and bytes not yet sent are lost, the LCD controller resets. An EEPROM write cycle in flight tears, drawn
   * from `rand` (or the parts' `rand`); without either, the tear is left to the caller (AT24C32.powerCut). Returns
   * the number of torn EEPROM bytes.
   */
  powerOff(rand?: () => number): number {
    this.cpu.powerOff();
    for (const p of [this.serial.afe, this.serial.modem, this.serial.debug]) p.powerOff();
    this.wire.powerOff();
    const before = [...this.#pins];
    this.#pins.clear();
    this.#lastPin = null;
    this.#lastPinState = null;
    this.#pinEpoch++;
    this.#cols = [null, null, null, null];
    for (const [pin, s] of before) if (this.#drive(s) === HIGH) this.#driveChanged(pin, HIGH, null);
    this.parts.relay.drive(false, false);
    this.parts.redLed.set(false);
    this.parts.greenLed.set(false);
    this.parts.buzzer.set(false);
    this.lcd.powerOff();
    this.parts.lcd.reset();
    const r = rand ?? this.parts.rand;
    let torn = 0;
    if (r) for (const e of this.#eeproms) torn += e.powerCut(r);
    return torn;
  }

  // ------------------------------------------------------------------------------------------------------ internals

  #pin(pin: PinName): PinState {
    // The pin asked for last (the interrupt reads PA1 at every tick): no map lookup.
    if (pin === this.#lastPin) return this.#lastPinState!;
    let s = this.#pins.get(pin);
    if (!s) {
      if (typeof pin !== 'string' || !/^P[ABC]\d{1,2}$/.test(pin)) throw new RangeError(`no pin '${String(pin)}' on the blue pill`);
      s = { mode: 'INPUT', latch: LOW }; // reset state: floating input, output latch 0
      this.#pins.set(pin, s);
    }
    this.#lastPin = pin;
    this.#lastPinState = s;
    return s;
  }

  /** What the pin drives: its latch in OUTPUT mode, nothing (null) otherwise. */
  #drive(s: PinState): Level | null { return s.mode === 'OUTPUT' ? s.latch : null; }

  #driveChanged(pin: PinName, was: Level | null, now: Level | null): void {
    if (was === now) return;
    const p = this.parts;
    const on = now === HIGH;
    switch (pin) {
      case PINS.relayA: case PINS.relayB:
        p.relay.drive(this.#driven(PINS.relayA) === HIGH, this.#driven(PINS.relayB) === HIGH);
        break;
      case PINS.redLed: p.redLed.set(on); break;
      case PINS.greenLed: p.greenLed.set(on); break;
      case PINS.buzzer: p.buzzer.set(on); break;
      default: {
        const c = COLS.indexOf(pin);
        if (c >= 0) this.#cols[c] = now;
      }
    }
    this.onPinChange?.(pin, now ?? LOW, this.cpu.nowUs());
  }

  #driven(pin: PinName): Level | null {
    const s = this.#pins.get(pin);
    return s ? this.#drive(s) : null;
  }
}

async function delayLoop(board: Board, ms: number, again: () => number): Promise<void> {
  for (let n = ms; n >= 0; n = again()) await board.delay(n);
}
