// DS1307 real-time clock on I2C at 0x68 (Maxim DS1307 datasheet): BCD timekeeping registers 00h..06h, control 07h,
// 56 bytes of battery-backed NVRAM at 08h..3Fh, and a register pointer that auto-increments and wraps 3Fh -> 00h.
// - Bit 7 of register 00h is CH (clock halt): while set the oscillator is stopped and time does not advance; the
//   countdown chain keeps its sub-second phase and goes on from it when CH is cleared.
// - "The countdown chain is reset whenever the seconds register is written": the next second comes a full second
//   after such a write.
// - "The time and date are transferred to the secondary (user) buffers on every I2C START": one read transfer sees
//   one consistent time even when a second rolls over during it.
// - Bit 6 of the hours register selects 12-hour mode (bit 5 = PM); the chip then keeps counting in that format.
// - The day-of-week register (1..7) is user-defined: it is whatever was written, and it increments at midnight.
// Time is kept as seconds since 2000-01-01 00:00:00 of the local wall time (no time zone), advanced by the virtual
// clock. The part is battery-backed: it keeps time and NVRAM through a mains power cut.
import type { I2cDevice } from '../i2c.ts';
import { DOUBLE_FIELD, type SimTime } from '../sim-time.ts';

export const DS1307_NVRAM_SIZE = 56;
/** First NVRAM register. */
export const DS1307_NVRAM_START = 0x08;
/** Register 00h bit 7: clock halt. */
export const CH = 0x80;
/** Register 02h bit 6: 12-hour mode; bit 5 is then PM. */
export const HOUR_12 = 0x40;
export const HOUR_PM = 0x20;

/**
 * NVRAM contents when the part is built: `zero`, `random` (drawn from `rand`: a battery swapped or lost leaves
 * undefined contents, docs/firmware.md §7.4), or the 56 given bytes.
 */
export type Ds1307Nvram = 'zero' | 'random' | Uint8Array | readonly number[];

export interface Ds1307Config {
  address: number;
  /** Fitted and answering on the bus (a missing RTC NACKs every transfer: firmware defect D28). */
  present: boolean;
  /** NVRAM at construction (default `zero`). */
  nvram: Ds1307Nvram;
  /** Seeded uniform source in [0, 1) for `nvram: 'random'`. */
  rand?: () => number;
  /** Control register 07h at construction: the datasheet's power-up state is OUT = 0, SQWE = 0, RS1 = RS0 = 1. */
  control: number;
}

export const DS1307_DEFAULTS: Ds1307Config = { address: 0x68, present: true, nvram: 'zero', control: 0x03 };

const SECONDS_2000 = 946_684_800; // 2000-01-01T00:00:00 as Unix seconds
const SECONDS_2100 = 4_102_444_800; // 2100-01-01T00:00:00
const US = 1_000_000;

const bcd = (v: number): number => ((Math.floor(v / 10) << 4) | (v % 10)) & 0xff;
const unbcd = (b: number): number => ((b >> 4) & 0x0f) * 10 + (b & 0x0f);

/** Day-of-week register after `days` midnights: 7 rolls over to 1; a written 0 becomes 1 at the first midnight. */
function advanceDow(dow: number, days: number): number {
  if (days <= 0) return dow;
  if (dow === 0) return ((days - 1) % 7) + 1;
  return ((dow - 1 + days) % 7) + 1;
}

export class DS1307 implements I2cDevice {
  readonly config: Ds1307Config;
  readonly nvram = new Uint8Array(DS1307_NVRAM_SIZE);
  /** Register 07h (only OUT, SQWE, RS1, RS0 are stored: mask 93h). */
  control: number;
  /** Fitted and answering on the bus; a test can unplug it at any time. */
  present: boolean;
  #time: SimTime;
  /** Seconds since 2000 at the moment `#baseUs` (the start of that second when running). */
  #baseSeconds = 0;
  #baseUs = DOUBLE_FIELD;
  #halted = false;
  /** Sub-second phase of the countdown chain held while halted, microseconds. */
  #heldPhaseUs = DOUBLE_FIELD;
  #hour12 = false;
  /** Day register as last written, and the day number (seconds since 2000 / 86400) it was written on. */
  #dow = 1;
  #dowDay = 0;
  #pointer = 0;
  #phase: 'idle' | 'pointer' | 'data' | 'read' = 'idle';
  #staged: number[] | null = null;
  #secondsWritten = false;
  #snapshot: number[] | null = null;

  constructor(time: SimTime, config: Partial<Ds1307Config> = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#baseUs = 0;
    this.#heldPhaseUs = 0;
    this.#time = time;
    this.config = { ...DS1307_DEFAULTS, ...config };
    this.present = this.config.present;
    this.control = this.config.control & 0x93;
    this.#baseUs = time.now();
    this.#fillNvram(this.config.nvram);
    this.#setDowFromDate();
  }

  get address(): number { return this.config.address; }
  get halted(): boolean { return this.#halted; }
  /** True when the hours register is in 12-hour mode. */
  get twelveHourMode(): boolean { return this.#hour12; }

  /** Seconds since 2000-01-01 00:00:00 now. */
  secondsSince2000(): number {
    if (this.#halted) return this.#baseSeconds;
    return this.#baseSeconds + Math.floor((this.#time.now() - this.#baseUs) / US);
  }

  /** The time as Unix seconds (the local wall time read as if it were UTC, as RTClib does). */
  unixtime(): number { return this.secondsSince2000() + SECONDS_2000; }

  /**
   * Set the time (Unix seconds of the local wall time, 2000..2099), as writing all seven time registers does: the
   * countdown chain restarts, the day of week is set from the date (1 = Sunday), CH is left as it is.
   */
  setTime(unixSeconds: number): void {
    if (typeof unixSeconds !== 'number' || !Number.isInteger(unixSeconds) || unixSeconds < SECONDS_2000 || unixSeconds >= SECONDS_2100) {
      throw new RangeError(`DS1307 time must be a whole number of Unix seconds within 2000..2099, got ${String(unixSeconds)}`);
    }
    this.#baseSeconds = unixSeconds - SECONDS_2000;
    this.#baseUs = this.#time.now();
    this.#heldPhaseUs = 0;
    this.#setDowFromDate();
  }

  /** Same as `setTime` (the name TwinMeter and older tests use). */
  setUnixTime(unixSeconds: number): void { this.setTime(unixSeconds); }

  /** Stop or start the oscillator (the CH bit), keeping the sub-second phase of the countdown chain. */
  setHalted(halted: boolean): void {
    if (halted === this.#halted) return;
    const now = this.#time.now();
    if (halted) {
      const elapsed = now - this.#baseUs;
      this.#baseSeconds += Math.floor(elapsed / US);
      this.#heldPhaseUs = elapsed % US;
    } else {
      this.#baseUs = now - this.#heldPhaseUs;
    }
    this.#halted = halted;
  }

  /** Replace the NVRAM contents (`zero`, `random` with the configured `rand`, or 56 bytes). */
  setNvram(contents: Ds1307Nvram): void { this.#fillNvram(contents); }

  /** The eight timekeeping and control registers 00h..07h as the chip would present them now. */
  registers(): number[] { return [...this.#timeRegisters(), this.control]; }

  start(read: boolean): boolean {
    if (!this.present) { this.#phase = 'idle'; return false; }
    // A repeated START ends a write transfer as a STOP would.
    if (this.#staged) this.#applyStaged();
    this.#snapshot = this.#timeRegisters();
    this.#phase = read ? 'read' : 'pointer';
    return true;
  }

  write(byte: number): boolean {
    if (this.#phase === 'pointer') { this.#pointer = byte & 0x3f; this.#phase = 'data'; return true; }
    if (this.#phase !== 'data') return false;
    const p = this.#pointer;
    if (p <= 6) {
      this.#staged ??= this.#timeRegisters();
      this.#staged[p] = byte & 0xff;
      if (p === 0) this.#secondsWritten = true;
    } else if (p === 7) {
      this.control = byte & 0x93;
    } else {
      this.nvram[p - DS1307_NVRAM_START] = byte & 0xff;
    }
    this.#pointer = (p + 1) & 0x3f;
    return true;
  }

  read(): number {
    if (this.#phase !== 'read') return 0xff; // nothing drives SDA: the bus reads high
    const p = this.#pointer;
    this.#pointer = (p + 1) & 0x3f;
    if (p <= 6) return (this.#snapshot ?? this.#timeRegisters())[p];
    if (p === 7) return this.control;
    return this.nvram[p - DS1307_NVRAM_START];
  }

  stop(): void {
    if (this.#staged) this.#applyStaged();
    this.#snapshot = null;
    this.#phase = 'idle';
  }

  /**
   * Apply written time registers. [UNDET] The datasheet does not say how the chip counts from values that are not
   * valid BCD or not a real date (minutes 0x7F, 31 February); the twin normalises them as a calendar does (31 Feb is
   * 3 March) so that the time stays well defined.
   */
  #applyStaged(): void {
    const r = this.#staged!;
    this.#staged = null;
    const secondsWritten = this.#secondsWritten;
    this.#secondsWritten = false;
    const now = this.#time.now();
    const phase = this.#halted ? this.#heldPhaseUs : (now - this.#baseUs) % US;
    this.#hour12 = (r[2] & HOUR_12) !== 0;
    const sec = unbcd(r[0] & 0x7f), min = unbcd(r[1] & 0x7f);
    const hour = this.#hour12 ? (unbcd(r[2] & 0x1f) % 12) + ((r[2] & HOUR_PM) ? 12 : 0) : unbcd(r[2] & 0x3f);
    const day = unbcd(r[4] & 0x3f), month = unbcd(r[5] & 0x1f), year = 2000 + unbcd(r[6]);
    const unix = Date.UTC(year, month - 1, day, hour, min, sec) / 1000;
    const seconds = Number.isFinite(unix) ? Math.max(0, unix - SECONDS_2000) : this.secondsSince2000();
    this.#baseSeconds = seconds;
    this.#heldPhaseUs = secondsWritten ? 0 : phase;
    this.#baseUs = now - this.#heldPhaseUs;
    this.#dow = r[3] & 0x07;
    this.#dowDay = Math.floor(seconds / 86400);
    this.#halted = (r[0] & CH) !== 0;
  }

  /** Registers 00h..06h as the chip would present them now. */
  #timeRegisters(): number[] {
    const s = this.secondsSince2000();
    const d = new Date((s + SECONDS_2000) * 1000);
    const h = d.getUTCHours();
    const hours = this.#hour12
      ? HOUR_12 | (h >= 12 ? HOUR_PM : 0) | bcd(h % 12 === 0 ? 12 : h % 12)
      : bcd(h);
    return [
      bcd(d.getUTCSeconds()) | (this.#halted ? CH : 0),
      bcd(d.getUTCMinutes()),
      hours,
      advanceDow(this.#dow, Math.floor(s / 86400) - this.#dowDay),
      bcd(d.getUTCDate()),
      bcd(d.getUTCMonth() + 1),
      bcd(d.getUTCFullYear() - 2000),
    ];
  }

  #setDowFromDate(): void {
    const s = this.#baseSeconds;
    this.#dow = new Date((s + SECONDS_2000) * 1000).getUTCDay() + 1;
    this.#dowDay = Math.floor(s / 86400);
  }

  #fillNvram(contents: Ds1307Nvram): void {
    if (contents === 'zero') { this.nvram.fill(0); return; }
    if (contents === 'random') {
      const rand = this.config.rand;
      if (typeof rand !== 'function') {
        throw new Error("DS1307 NVRAM 'random' needs a seeded source: pass config.rand, a function returning [0, 1)");
      }
      for (let i = 0; i < DS1307_NVRAM_SIZE; i++) this.nvram[i] = Math.floor(rand() * 256) & 0xff;
      return;
    }
    if ((contents instanceof Uint8Array || Array.isArray(contents)) && contents.length === DS1307_NVRAM_SIZE) {
      for (let i = 0; i < DS1307_NVRAM_SIZE; i++) {
        const b = contents[i];
        if (!Number.isInteger(b) || b < 0 || b > 255) throw new RangeError(`DS1307 NVRAM byte ${i} must be 0..255, got ${String(b)}`);
        this.nvram[i] = b;
      }
      return;
    }
    const got = contents instanceof Uint8Array || Array.isArray(contents) ? `${contents.length} bytes` : JSON.stringify(contents);
    throw new RangeError(`DS1307 NVRAM must be 'zero', 'random' or exactly ${DS1307_NVRAM_SIZE} bytes, got ${got}`);
  }
}
