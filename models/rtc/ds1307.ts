// DS1307 real-time clock on I2C at 0x68 (Maxim DS1307 datasheet): BCD time registers 00h..06h, control 07h,
// 56 bytes of battery-backed NVRAM at 08h..3Fh, register pointer that auto-increments and wraps 3Fh -> 00h.
// Bit 7 of register 00h is CH (clock halt): while set the oscillator is stopped and time does not advance.
// Time is kept as seconds since 2000-01-01 00:00:00 (local time, no time zone), advanced by the virtual clock.
import type { I2cDevice } from '../i2c.ts';
import type { SimTime } from '../sim-time.ts';

export interface Ds1307Config {
  address: number;
  /** Fitted and answering on the bus (a missing RTC NACKs every transfer: firmware defect D28). */
  present: boolean;
}

export const DS1307_DEFAULTS: Ds1307Config = { address: 0x68, present: true };

const SECONDS_2000 = 946_684_800; // 2000-01-01T00:00:00 as Unix seconds

const bcd = (v: number): number => ((Math.floor(v / 10) << 4) | (v % 10)) & 0xff;
const unbcd = (b: number): number => ((b >> 4) & 0x0f) * 10 + (b & 0x0f);

export class DS1307 implements I2cDevice {
  readonly config: Ds1307Config;
  readonly nvram = new Uint8Array(56);
  control = 0x03;
  #time: SimTime;
  /** Seconds since 2000 at the moment `#baseUs`. */
  #baseSeconds = 0;
  #baseUs = 0;
  #halted = false;
  #pointer = 0;
  #phase: 'idle' | 'pointer' | 'data' | 'read' = 'idle';
  #staged: number[] | null = null;
  #snapshot: number[] | null = null;

  constructor(time: SimTime, config: Partial<Ds1307Config> = {}) {
    this.#time = time;
    this.config = { ...DS1307_DEFAULTS, ...config };
    this.#baseUs = time.now();
  }

  get address(): number { return this.config.address; }
  get halted(): boolean { return this.#halted; }

  /** Seconds since 2000-01-01 00:00:00 now. */
  secondsSince2000(): number {
    if (this.#halted) return this.#baseSeconds;
    return this.#baseSeconds + Math.floor((this.#time.now() - this.#baseUs) / 1e6);
  }

  /** The time as Unix seconds (the local wall time read as if it were UTC, as RTClib does). */
  unixtime(): number { return this.secondsSince2000() + SECONDS_2000; }

  /** Set the time (Unix seconds, local wall time). The sub-second phase restarts. */
  setUnixTime(unix: number): void {
    if (!Number.isInteger(unix) || unix < SECONDS_2000 || unix >= SECONDS_2000 + 100 * 365.25 * 86400) {
      throw new RangeError(`DS1307 time must be within 2000..2099, got Unix ${unix}`);
    }
    this.#baseSeconds = unix - SECONDS_2000;
    this.#baseUs = this.#time.now();
  }

  /** Stop or start the oscillator (the CH bit). */
  setHalted(halted: boolean): void {
    if (halted === this.#halted) return;
    this.#baseSeconds = this.secondsSince2000();
    this.#baseUs = this.#time.now();
    this.#halted = halted;
  }

  start(read: boolean): boolean {
    if (!this.config.present) { this.#phase = 'idle'; return false; }
    if (read) {
      this.#phase = 'read';
      this.#snapshot = this.#timeRegisters();
    } else {
      this.#phase = 'pointer';
    }
    return true;
  }

  write(byte: number): boolean {
    if (this.#phase === 'pointer') { this.#pointer = byte & 0x3f; this.#phase = 'data'; return true; }
    if (this.#phase !== 'data') return false;
    const p = this.#pointer;
    if (p <= 6) {
      this.#staged ??= this.#timeRegisters();
      this.#staged[p] = byte & 0xff;
    } else if (p === 7) {
      this.control = byte & 0x93;
    } else {
      this.nvram[p - 8] = byte & 0xff;
    }
    this.#pointer = (p + 1) & 0x3f;
    return true;
  }

  read(): number {
    const p = this.#pointer;
    this.#pointer = (p + 1) & 0x3f;
    if (p <= 6) return (this.#snapshot ?? this.#timeRegisters())[p];
    if (p === 7) return this.control;
    return this.nvram[p - 8];
  }

  stop(): void {
    if (this.#staged) {
      const r = this.#staged;
      this.#staged = null;
      const ch = (r[0] & 0x80) !== 0;
      const sec = unbcd(r[0] & 0x7f), min = unbcd(r[1] & 0x7f);
      const hour = (r[2] & 0x40) ? ((unbcd(r[2] & 0x1f) % 12) + ((r[2] & 0x20) ? 12 : 0)) : unbcd(r[2] & 0x3f);
      const day = unbcd(r[4] & 0x3f), month = unbcd(r[5] & 0x1f), year = 2000 + unbcd(r[6]);
      const unix = Date.UTC(year, month - 1, day, hour, min, sec) / 1000;
      if (Number.isFinite(unix) && unix >= SECONDS_2000) {
        this.#baseSeconds = unix - SECONDS_2000;
        this.#baseUs = this.#time.now();
      }
      this.#halted = ch;
    }
    this.#snapshot = null;
    this.#phase = 'idle';
  }

  /** Registers 00h..06h as the chip would present them now. */
  #timeRegisters(): number[] {
    const d = new Date((this.secondsSince2000() + SECONDS_2000) * 1000);
    return [
      bcd(d.getUTCSeconds()) | (this.#halted ? 0x80 : 0),
      bcd(d.getUTCMinutes()),
      bcd(d.getUTCHours()),
      d.getUTCDay() + 1,
      bcd(d.getUTCDate()),
      bcd(d.getUTCMonth() + 1),
      bcd(d.getUTCFullYear() - 2000),
    ];
  }
}
