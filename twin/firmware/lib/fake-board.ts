// Test double for the tests beside it: a small Board on a Cpu and a VirtualClock, with a key matrix on GPIO, a
// byte-level HD44780 DDRAM/CGRAM model on the LCD bus and an I2C bus with in-memory AT24C32 and DS1307 devices.
// It is deliberately simple (no busy flags, no bus timing detail beyond a per-byte charge); the simulated board of
// twin/board/ is the faithful one. The firmware never uses this file.
import { VirtualClock } from '../../kernel/clock.ts';
import { Cpu } from '../../board/cpu.ts';
import { HIGH, LOW } from '../../board/board.ts';
import type { Board, I2cBus, LcdBus, Level, PinMode, PinName, SerialPort } from '../../board/board.ts';

/** Cost charged per GPIO call (µs). */
const GPIO_US = 1;
/** One LiquidCrystal byte in 4-bit mode: two nibbles of GPIO writes plus `pulseEnable` (1 + 1 + 100 µs). */
const LCD_BYTE_US = 210;
/** One I2C byte at 100 kHz: 8 data bits + ACK. */
const I2C_BYTE_US = 90;

// ---------------------------------------------------------------------------------------------------------------

/** Keys held on a matrix: a row pin in INPUT_PULLUP reads LOW while a held key joins it to a column driven LOW. */
export class FakeKeyMatrix {
  readonly held = new Set<string>();
  /** Number of digitalRead calls (one per row per column per scan). */
  reads = 0;
  readonly #where = new Map<string, { row: PinName; col: PinName }>();

  constructor(keymap: readonly (readonly string[])[], rowPins: readonly PinName[], colPins: readonly PinName[]) {
    keymap.forEach((keys, r) => keys.forEach((k, c) => this.#where.set(k, { row: rowPins[r], col: colPins[c] })));
  }

  press(key: string): void {
    if (!this.#where.has(key)) throw new Error(`no key '${key}' on this matrix`);
    this.held.add(key);
  }

  release(key: string): void { this.held.delete(key); }

  /** Level of `pin` given every pin's mode and driven level. */
  read(pin: PinName, pins: Map<PinName, { mode: PinMode; level: Level }>): Level {
    this.reads++;
    const state = pins.get(pin);
    if (state?.mode === 'OUTPUT') return state.level;
    for (const key of this.held) {
      const w = this.#where.get(key)!;
      if (w.row !== pin) continue;
      const col = pins.get(w.col);
      if (col?.mode === 'OUTPUT' && col.level === LOW) return LOW;
    }
    return state?.mode === 'INPUT_PULLUP' ? HIGH : LOW;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** HD44780 at the byte level: instruction decode, DDRAM with the 2-line address wrap, CGRAM. */
export class FakeHd44780 implements LcdBus {
  readonly ddram = new Uint8Array(0x80).fill(0x20);
  readonly cgram = new Uint8Array(64);
  readonly log: { rs: 0 | 1; value: number }[] = [];
  ac = 0;
  inCgram = false;
  twoLine = false;
  displayOn = false;
  readonly #cpu: Cpu;

  constructor(cpu: Cpu) { this.#cpu = cpu; }

  command(value: number): void {
    this.#cpu.spend(LCD_BYTE_US);
    this.log.push({ rs: 0, value });
    if (value & 0x80) { this.ac = value & 0x7f; this.inCgram = false; return; }
    if (value & 0x40) { this.ac = value & 0x3f; this.inCgram = true; return; }
    if (value & 0x20) { this.twoLine = (value & 0x08) !== 0; return; }
    if (value & 0x10) throw new Error(`FakeHd44780: cursor/display shift 0x${value.toString(16)} is not modelled`);
    if (value & 0x08) { this.displayOn = (value & 0x04) !== 0; return; }
    if (value & 0x04) {
      if ((value & 0x03) !== 0x02) throw new Error(`FakeHd44780: entry mode 0x${value.toString(16)} is not modelled`);
      return;
    }
    if (value & 0x02) { this.ac = 0; this.inCgram = false; return; }
    if (value & 0x01) { this.ddram.fill(0x20); this.ac = 0; this.inCgram = false; }
  }

  write(value: number): void {
    this.#cpu.spend(LCD_BYTE_US);
    this.log.push({ rs: 1, value });
    if (this.inCgram) {
      this.cgram[this.ac] = value & 0x1f;
      this.ac = (this.ac + 1) & 0x3f;
      return;
    }
    this.ddram[this.ac] = value;
    if (this.twoLine) this.ac = this.ac === 0x27 ? 0x40 : this.ac === 0x67 ? 0x00 : this.ac + 1;
    else this.ac = this.ac === 0x4f ? 0x00 : this.ac + 1;
  }

  /** The 16 visible characters of a row (codes as characters; 0x00..0x0F are the CGRAM glyph codes). */
  line(row: 0 | 1): string {
    const base = row === 0 ? 0x00 : 0x40;
    return String.fromCharCode(...this.ddram.subarray(base, base + 16));
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface FakeI2cDevice {
  /** Bytes of one write transfer (empty for an address-only probe). */
  receive(bytes: readonly number[]): void;
  /** Bytes of one read transfer. */
  transmit(count: number): number[];
}

/** AT24C32: 4 KiB, 32-byte pages; a write rolls over within its page, as the datasheet says. */
export class FakeAt24c32 implements FakeI2cDevice {
  readonly mem = new Uint8Array(4096).fill(0xff);
  pointer = 0;
  writes = 0;

  receive(bytes: readonly number[]): void {
    if (bytes.length < 2) return;
    const address = ((bytes[0] << 8) | bytes[1]) & 0x0fff;
    this.pointer = address;
    if (bytes.length === 2) return;
    this.writes++;
    const page = address & ~0x1f;
    let offset = address & 0x1f;
    for (const b of bytes.slice(2)) {
      this.mem[page + offset] = b;
      offset = (offset + 1) & 0x1f;
    }
    this.pointer = page + offset;
  }

  transmit(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.mem[this.pointer]);
      this.pointer = (this.pointer + 1) & 0x0fff;
    }
    return out;
  }
}

/** DS1307: 64 registers (clock 0x00..0x07, NVRAM 0x08..0x3F) behind a register pointer that wraps at 0x3F. */
export class FakeDs1307 implements FakeI2cDevice {
  readonly regs = new Uint8Array(64);
  pointer = 0;

  receive(bytes: readonly number[]): void {
    if (bytes.length === 0) return;
    this.pointer = bytes[0] & 0x3f;
    for (const b of bytes.slice(1)) {
      this.regs[this.pointer] = b;
      this.pointer = (this.pointer + 1) & 0x3f;
    }
  }

  transmit(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.regs[this.pointer]);
      this.pointer = (this.pointer + 1) & 0x3f;
    }
    return out;
  }
}

/** Arduino Wire over the fake devices; a device that is absent (or removed) NACKs its address. */
export class FakeWire implements I2cBus {
  readonly devices = new Map<number, FakeI2cDevice>();
  /** Completed transfers: `w` writes (with their bytes) and `r` reads, for tests that count bus traffic. */
  readonly transfers: { kind: 'w' | 'r'; address: number; bytes: number[] }[] = [];
  readonly #cpu: Cpu;
  #txAddress = -1;
  #tx: number[] = [];
  #rx: number[] = [];

  constructor(cpu: Cpu) { this.#cpu = cpu; }

  beginTransmission(address: number): void {
    this.#txAddress = address;
    this.#tx = [];
  }

  write(data: number | Uint8Array): number {
    const bytes = typeof data === 'number' ? [data & 0xff] : [...data];
    const room = 32 - this.#tx.length;
    const n = Math.min(room, bytes.length);
    this.#tx.push(...bytes.slice(0, n));
    return n;
  }

  endTransmission(): number {
    const device = this.devices.get(this.#txAddress);
    this.#cpu.spend(I2C_BYTE_US * (1 + (device ? this.#tx.length : 0)));
    if (!device) return 2;
    this.transfers.push({ kind: 'w', address: this.#txAddress, bytes: [...this.#tx] });
    device.receive(this.#tx);
    return 0;
  }

  requestFrom(address: number, count: number): number {
    const device = this.devices.get(address);
    const n = Math.min(count, 32);
    this.#cpu.spend(I2C_BYTE_US * (1 + (device ? n : 0)));
    this.#rx = device ? device.transmit(n) : [];
    if (device) this.transfers.push({ kind: 'r', address, bytes: [...this.#rx] });
    return this.#rx.length;
  }

  available(): number { return this.#rx.length; }

  read(): number { return this.#rx.length ? this.#rx.shift()! : -1; }
}

// ---------------------------------------------------------------------------------------------------------------

/** A UART that records what is written and never receives anything. */
class SilentSerial implements SerialPort {
  baud = 0;
  readonly sent: number[] = [];
  begin(baud: number): void { this.baud = baud; }
  end(): void { this.baud = 0; }
  write(data: number | string | Uint8Array): number {
    const bytes = typeof data === 'number' ? [data & 0xff] : typeof data === 'string' ? [...data].map((c) => c.charCodeAt(0) & 0xff) : [...data];
    this.sent.push(...bytes);
    return bytes.length;
  }
  available(): number { return 0; }
  read(): number { return -1; }
  peek(): number { return -1; }
  flush(): void { /* nothing queued: writes complete at once on this UART */ }
}

export interface FakeBoardParts {
  board: Board;
  clock: VirtualClock;
  cpu: Cpu;
  lcd: FakeHd44780;
  wire: FakeWire;
  pins: Map<PinName, { mode: PinMode; level: Level }>;
  /** Set to route row-pin reads through a key matrix. */
  matrix: { current: FakeKeyMatrix | null };
}

/** A Board whose time is a Cpu on a fresh VirtualClock. */
export function createFakeBoard(): FakeBoardParts {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const lcd = new FakeHd44780(cpu);
  const wire = new FakeWire(cpu);
  const pins = new Map<PinName, { mode: PinMode; level: Level }>();
  const matrix: { current: FakeKeyMatrix | null } = { current: null };
  const pin = (p: PinName): { mode: PinMode; level: Level } => {
    let s = pins.get(p);
    if (!s) { s = { mode: 'INPUT', level: LOW }; pins.set(p, s); }
    return s;
  };
  const board: Board = {
    millis: () => cpu.millis(),
    micros: () => cpu.micros(),
    delay: (ms) => cpu.delay(ms),
    delayBlocking: (ms) => cpu.delayBlocking(ms),
    delayMicroseconds: (us) => cpu.spend(us),
    get inInterrupt() { return cpu.inInterrupt; },
    pinMode: (p, mode) => { cpu.spend(GPIO_US); pin(p).mode = mode; },
    digitalWrite: (p, level) => { cpu.spend(GPIO_US); pin(p).level = level; },
    digitalRead: (p) => {
      cpu.spend(GPIO_US);
      if (matrix.current) return matrix.current.read(p, pins);
      const s = pin(p);
      return s.mode === 'OUTPUT' ? s.level : s.mode === 'INPUT_PULLUP' ? HIGH : LOW;
    },
    analogRead: () => { cpu.spend(GPIO_US); return 0; },
    serial: { afe: new SilentSerial(), modem: new SilentSerial(), debug: new SilentSerial() },
    wire,
    lcd,
    createTimer: (prescaler, overflow, handler) => {
      let t: ReturnType<Cpu['attachTimerInterrupt']> | null = null;
      return {
        resume: () => { if (t) t.resume(); else t = cpu.attachTimerInterrupt((prescaler * overflow) / 72, handler); },
        pause: () => { t?.stop(); },
      };
    },
  };
  return { board, clock, cpu, lcd, wire, pins, matrix };
}
