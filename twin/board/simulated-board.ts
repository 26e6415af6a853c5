// The simulated blue pill: the Board HAL wired to the part models on the virtual clock.
// Pins and peripherals follow firmware-behaviour.md §1.2; CPU costs follow §3.3 (about 0.22 ms per LCD byte in
// 4-bit mode) and the bus speeds (I2C at 100 kHz: 9 bit times, 90 us per byte including ACK).
import type { Board, I2cBus, LcdBus, Level, PinMode, PinName, SerialPort } from './board.ts';
import { HIGH, LOW, PINS } from './board.ts';
import type { Cpu } from './cpu.ts';
import type { I2cDevice } from '../../models/i2c.ts';
import type { UartPeer } from '../../models/uart.ts';
import { byteTimeUs } from '../../models/uart.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import { KeypadMatrix } from '../../models/keypad/keypad-matrix.ts';
import { LatchingRelay } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { CoverSwitch } from '../../models/indicators/cover-switch.ts';

/** CPU time of one digitalWrite/digitalRead/pinMode call on the 72 MHz core (about 1 us with the core's lookups). */
export const GPIO_US = 1;
/** CPU time of one LiquidCrystal byte in 4-bit mode: 2 nibbles × (4 data writes + pulseEnable 1 + 1 + 100 us). */
export const LCD_BYTE_US = 220;
/** One I2C byte at 100 kHz: 8 data bits + ACK. */
export const I2C_BYTE_US = 90;
/** analogRead on the STM32F103 core: conversion and setup, about 10 us. */
export const ADC_US = 10;
/** STM32duino HardwareSerial buffer sizes. */
export const SERIAL_BUFFER = 64;

export type SerialName = 'afe' | 'modem' | 'debug';

export interface BoardParts {
  lcd: HD44780;
  keypad: KeypadMatrix;
  relay: LatchingRelay;
  redLed: Indicator;
  greenLed: Indicator;
  buzzer: Indicator;
  cover: CoverSwitch;
  /** Devices on I2C1 (EEPROM 0x50, RTC 0x68). */
  i2c: I2cDevice[];
  /** What each serial port's TX line is wired to (nothing = the bytes go nowhere, as with a mute modem). */
  peers: Partial<Record<SerialName, UartPeer>>;
}

class SimSerial implements SerialPort {
  baud = 0;
  #open = false;
  #rx: number[] = [];
  #txEnds: number[] = [];
  #txFreeAt = 0;
  #cpu: Cpu;
  readonly name: SerialName;
  peer: UartPeer | undefined;
  #line = '';
  onTransmit?: (byte: number, tUs: number) => void;
  onLine?: (line: string) => void;
  /** The receiving side of this port, for the device at the other end of the wire. */
  readonly rxPeer: UartPeer;

  constructor(cpu: Cpu, name: SerialName, peer: UartPeer | undefined) {
    this.#cpu = cpu;
    this.name = name;
    this.peer = peer;
    this.rxPeer = {
      receive: (byte: number, baud: number) => {
        if (!this.#open) return;
        // A sender at the wrong baud (beyond about ±3 %) produces framing errors: the byte arrives garbled.
        const b = Math.abs(baud - this.baud) / this.baud > 0.03 ? (byte ^ 0xa5) & 0xff : byte & 0xff;
        if (this.#rx.length < SERIAL_BUFFER - 1) this.#rx.push(b);
      },
    };
  }

  begin(baud: number): void {
    if (!(baud > 0)) throw new RangeError(`serial ${this.name}: baud must be positive, got ${baud}`);
    this.baud = baud;
    this.#open = true;
  }

  end(): void {
    this.flush();
    this.#open = false;
    this.#rx = [];
  }

  write(data: number | string | Uint8Array): number {
    if (!this.#open) return 0;
    let n = 0;
    if (typeof data === 'number') { this.#put(data & 0xff); return 1; }
    if (typeof data === 'string') {
      for (let i = 0; i < data.length; i++) { this.#put(data.charCodeAt(i) & 0xff); n++; }
      return n;
    }
    for (const b of data) { this.#put(b); n++; }
    return n;
  }

  #put(byte: number): void {
    const cpu = this.#cpu;
    let now = cpu.nowUs();
    // drop bytes already on the wire
    let i = 0;
    while (i < this.#txEnds.length && this.#txEnds[i] <= now) i++;
    if (i) this.#txEnds.splice(0, i);
    if (this.#txEnds.length >= SERIAL_BUFFER - 1) {
      // TX buffer full: the core spins until the interrupt has moved one byte out
      cpu.spend(this.#txEnds[0] - now);
      now = cpu.nowUs();
      this.#txEnds.shift();
    }
    const start = Math.max(now, this.#txFreeAt);
    const end = start + byteTimeUs(this.baud);
    this.#txFreeAt = end;
    this.#txEnds.push(end);
    const baud = this.baud;
    const peer = this.peer;
    cpu.clock.at(end, () => {
      if (!cpu.powered) return;
      this.onTransmit?.(byte, end);
      peer?.receive(byte, baud);
    });
    if (this.onLine) {
      if (byte === 0x0a) { const l = this.#line; this.#line = ''; this.onLine(l); }
      else if (byte !== 0x0d) this.#line += String.fromCharCode(byte);
    }
  }

  available(): number { return this.#rx.length; }
  read(): number { return this.#rx.length ? this.#rx.shift()! : -1; }
  peek(): number { return this.#rx.length ? this.#rx[0] : -1; }

  flush(): void {
    const now = this.#cpu.nowUs();
    if (this.#txFreeAt > now) this.#cpu.spend(this.#txFreeAt - now);
    this.#txEnds = [];
  }

  powerOff(): void {
    this.#open = false;
    this.#rx = [];
    this.#txEnds = [];
    this.#line = '';
  }
}

class SimWire implements I2cBus {
  #cpu: Cpu;
  #devices = new Map<number, I2cDevice>();
  #txAddr = -1;
  #tx: number[] = [];
  #rx: number[] = [];

  constructor(cpu: Cpu, devices: I2cDevice[]) {
    this.#cpu = cpu;
    for (const d of devices) this.#devices.set(d.address, d);
  }

  beginTransmission(address: number): void { this.#txAddr = address & 0x7f; this.#tx = []; }

  write(data: number | Uint8Array): number {
    if (typeof data === 'number') { this.#tx.push(data & 0xff); return 1; }
    for (const b of data) this.#tx.push(b);
    return data.length;
  }

  endTransmission(): number {
    const dev = this.#devices.get(this.#txAddr);
    const bytes = this.#tx;
    this.#tx = [];
    this.#cpu.spend(I2C_BYTE_US);
    if (!dev || !dev.start(false)) return 2;
    let result = 0;
    for (const b of bytes) {
      this.#cpu.spend(I2C_BYTE_US);
      if (!dev.write(b)) { result = 3; break; }
    }
    dev.stop();
    return result;
  }

  requestFrom(address: number, count: number): number {
    this.#rx = [];
    const dev = this.#devices.get(address & 0x7f);
    this.#cpu.spend(I2C_BYTE_US);
    if (!dev || !dev.start(true)) return 0;
    for (let i = 0; i < count; i++) { this.#cpu.spend(I2C_BYTE_US); this.#rx.push(dev.read() & 0xff); }
    dev.stop();
    return count;
  }

  available(): number { return this.#rx.length; }
  read(): number { return this.#rx.length ? this.#rx.shift()! : -1; }
}

interface PinState { mode: PinMode; level: Level }

export class SimulatedBoard implements Board {
  readonly cpu: Cpu;
  readonly parts: BoardParts;
  readonly serial: { readonly afe: SimSerial; readonly modem: SimSerial; readonly debug: SimSerial };
  readonly wire: SimWire;
  readonly lcd: LcdBus;
  #pins = new Map<PinName, PinState>();
  #colLow = [false, false, false, false];
  /** Pin changes of outputs, for traces and the rig. */
  onPinChange?: (pin: PinName, level: Level, tUs: number) => void;

  constructor(cpu: Cpu, parts: BoardParts) {
    this.cpu = cpu;
    this.parts = parts;
    this.serial = {
      afe: new SimSerial(cpu, 'afe', parts.peers.afe),
      modem: new SimSerial(cpu, 'modem', parts.peers.modem),
      debug: new SimSerial(cpu, 'debug', parts.peers.debug),
    };
    this.wire = new SimWire(cpu, parts.i2c);
    const lcd = parts.lcd;
    this.lcd = {
      command: (v: number) => { cpu.spend(LCD_BYTE_US); lcd.command(v); },
      write: (v: number) => { cpu.spend(LCD_BYTE_US); lcd.write(v); },
    };
  }

  /** The receiving end of a serial port, for the device wired to it (the ATM90E26 sends its replies here). */
  serialPeer(name: SerialName): UartPeer { return this.serial[name].rxPeer; }

  millis(): number { return this.cpu.millis(); }
  micros(): number { return this.cpu.micros(); }
  delay(ms: number): Promise<void> { return this.cpu.delay(ms); }
  delayBlocking(ms: number): void { this.cpu.delayBlocking(ms); }
  delayMicroseconds(us: number): void { this.cpu.spend(us); }
  get inInterrupt(): boolean { return this.cpu.inInterrupt; }

  pinMode(pin: PinName, mode: PinMode): void {
    this.cpu.spend(GPIO_US);
    const s = this.#pins.get(pin);
    if (s) s.mode = mode; else this.#pins.set(pin, { mode, level: LOW });
    if (mode === 'OUTPUT') this.#output(pin, this.#pins.get(pin)!.level);
    else this.#colChanged(pin);
  }

  digitalWrite(pin: PinName, level: Level): void {
    this.cpu.spend(GPIO_US);
    let s = this.#pins.get(pin);
    if (!s) { s = { mode: 'INPUT', level: LOW }; this.#pins.set(pin, s); }
    const changed = s.level !== level;
    s.level = level;
    if (s.mode === 'OUTPUT' && changed) this.#output(pin, level);
  }

  digitalRead(pin: PinName): Level {
    this.cpu.spend(GPIO_US);
    const s = this.#pins.get(pin);
    if (s?.mode === 'OUTPUT') return s.level;
    const row = (PINS.keypadRows as readonly PinName[]).indexOf(pin);
    if (row >= 0) {
      const lvl = this.parts.keypad.rowLevel(row, this.#colLow);
      return lvl === 0 ? LOW : s?.mode === 'INPUT_PULLUP' ? HIGH : LOW;
    }
    return LOW;
  }

  analogRead(pin: PinName): number {
    this.cpu.spend(ADC_US);
    if (pin === PINS.batteryInput) return this.parts.cover.adcRaw();
    return 0;
  }

  createTimer(prescaler: number, overflow: number, handler: () => void): { resume(): void; pause(): void } {
    if (!(prescaler >= 1 && overflow >= 1)) throw new RangeError(`timer prescaler and overflow must be >= 1, got ${prescaler}, ${overflow}`);
    const periodUs = (prescaler * overflow) / 72;
    let h: ReturnType<Cpu['attachTimerInterrupt']> | null = null;
    return {
      resume: () => { if (h) h.resume(); else h = this.cpu.attachTimerInterrupt(periodUs, handler); },
      pause: () => { h?.stop(); },
    };
  }

  #output(pin: PinName, level: Level): void {
    const p = this.parts;
    const on = level === HIGH;
    switch (pin) {
      case PINS.relayA: case PINS.relayB:
        p.relay.drive(this.#level(PINS.relayA) === HIGH, this.#level(PINS.relayB) === HIGH);
        break;
      case PINS.redLed: p.redLed.set(on); break;
      case PINS.greenLed: p.greenLed.set(on); break;
      case PINS.buzzer: p.buzzer.set(on); break;
      default: this.#colChanged(pin);
    }
    this.onPinChange?.(pin, level, this.cpu.nowUs());
  }

  #level(pin: PinName): Level {
    const s = this.#pins.get(pin);
    return s && s.mode === 'OUTPUT' ? s.level : LOW;
  }

  #colChanged(pin: PinName): void {
    const c = (PINS.keypadCols as readonly PinName[]).indexOf(pin);
    if (c < 0) return;
    const s = this.#pins.get(pin);
    this.#colLow[c] = s?.mode === 'OUTPUT' && s.level === LOW;
  }

  /** Power removed: outputs fall LOW (coils, LEDs, buzzer de-energise), serial buffers are lost. */
  powerOff(): void {
    this.cpu.powerOff();
    for (const s of Object.values(this.serial)) s.powerOff();
    this.parts.relay.drive(false, false);
    this.parts.redLed.set(false);
    this.parts.greenLed.set(false);
    this.parts.buzzer.set(false);
    this.#pins.clear();
    this.#colLow = [false, false, false, false];
  }
}
