// RTClib 1.14.2 (Adafruit, src/RTClib.cpp): `DateTime` and `RTC_DS1307` on the board's Wire, for the meter's DS1307
// at I2C 0x68 (docs/firmware.md §7.4, §8.1). Faithful to the library's C arithmetic:
// - the fields are uint8 (year as an offset from 2000), `unixtime()` is uint32 and wraps;
// - `now()` reads 7 registers in one transfer and never checks the bus: a missing byte reads as 0xFF (Wire.read()
//   returns −1), so a failed read gives seconds bcd2bin(0x7F) = 85, minutes/hours/day/month bcd2bin(0xFF) = 165 and
//   year 2165;
// - `isrunning()` is the inverted CH bit (bit 7 of register 0); `adjust()` writes the seconds without CH, so it also
//   starts a halted clock. Neither checks the bus.
import type { Board } from '../../board/board.ts';

/** DS1307 I2C address and register map (datasheet, "Timekeeper registers"). */
export const DS1307_ADDRESS = 0x68;
export const DS1307_CONTROL = 0x07;
/** Start of the 56 bytes of battery-backed RAM, registers 0x08..0x3F. */
export const DS1307_NVRAM = 0x08;
export const DS1307_NVRAM_SIZE = 56;

/** RTClib: `#define SECONDS_FROM_1970_TO_2000 946684800`. */
export const SECONDS_FROM_1970_TO_2000 = 946684800;

/** Days of January..November ("December is not needed"), the library's `daysInMonth` table. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30] as const;

export function bcd2bin(val: number): number { return (val - 6 * (val >> 4)) & 0xff; }
export function bin2bcd(val: number): number { return (val + 6 * Math.floor(val / 10)) & 0xff; }

function integer(x: number, what: string, lo: number, hi: number): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
    throw new RangeError(`${what} must be an integer in ${lo}..${hi}, got ${String(x)}`);
  }
  return x;
}

export class DateTime {
  /**
   * [UNDET] `date2days` walks the 11-byte month table for months 1..m−1 without a bound, so a month above 12 (the
   * 165 of a failed bus read) reads flash bytes placed after the table by the linker. Their values are unknown; this
   * is the value used for each such byte (0 by default). Only `unixtime()` and `dayOfTheWeek()` of an invalid date
   * depend on it.
   */
  static flashAfterDaysInMonth = 0;

  readonly #yOff: number;
  readonly #m: number;
  readonly #d: number;
  readonly #hh: number;
  readonly #mm: number;
  readonly #ss: number;

  /**
   * `DateTime(year, month, day, hour, min, sec)`: a year ≥ 2000 is stored as its offset from 2000; every field is a
   * uint8 and is not validated (the library builds invalid dates such as 2165-165-165 from a failed read).
   */
  constructor(year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
    let y = integer(year, 'DateTime year', 0, 0xffff);
    if (y >= 2000) y -= 2000;
    this.#yOff = y & 0xff;
    this.#m = integer(month, 'DateTime month', 0, 255);
    this.#d = integer(day, 'DateTime day', 0, 255);
    this.#hh = integer(hour, 'DateTime hour', 0, 255);
    this.#mm = integer(minute, 'DateTime minute', 0, 255);
    this.#ss = integer(second, 'DateTime second', 0, 255);
  }

  /** `DateTime(uint32_t t)`: from seconds since 1970-01-01 00:00:00 (the library's calendar, every 4th year leap). */
  static fromUnix(t: number): DateTime {
    let s = (integer(t, 'DateTime.fromUnix seconds', 0, 0xffffffff) - SECONDS_FROM_1970_TO_2000) >>> 0;
    const ss = s % 60;
    s = Math.floor(s / 60);
    const mm = s % 60;
    s = Math.floor(s / 60);
    const hh = s % 24;
    let days = Math.floor(s / 24) & 0xffff;
    let yOff = 0;
    let leap = 0;
    for (;; yOff++) {
      leap = yOff % 4 === 0 ? 1 : 0;
      if (days < 365 + leap) break;
      days -= 365 + leap;
    }
    let m = 1;
    for (; m < 12; m++) {
      let daysPerMonth = DAYS_IN_MONTH[m - 1];
      if (leap && m === 2) daysPerMonth++;
      if (days < daysPerMonth) break;
      days -= daysPerMonth;
    }
    return new DateTime(yOff, m, days + 1, hh, mm, ss);
  }

  year(): number { return 2000 + this.#yOff; }
  month(): number { return this.#m; }
  day(): number { return this.#d; }
  hour(): number { return this.#hh; }
  minute(): number { return this.#mm; }
  second(): number { return this.#ss; }

  /** 0 = Sunday .. 6 = Saturday ("Jan 1, 2000 is a Saturday"). */
  dayOfTheWeek(): number {
    return (date2days(this.#yOff, this.#m, this.#d) + 6) % 7;
  }

  /** Seconds since 1970-01-01, uint32 arithmetic as in the library (wraps for far or invalid dates). */
  unixtime(): number {
    const days = date2days(this.#yOff, this.#m, this.#d);
    return (time2ulong(days, this.#hh, this.#mm, this.#ss) + SECONDS_FROM_1970_TO_2000) >>> 0;
  }

  /** `YYYY-MM-DDThh:mm:ss` of the stored fields (for logs and traces; fields are not range-checked). */
  toString(): string {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${this.year()}-${p(this.#m)}-${p(this.#d)}T${p(this.#hh)}:${p(this.#mm)}:${p(this.#ss)}`;
  }
}

/** `date2days(uint16_t y, uint8_t m, uint8_t d)`: days since 2000-01-01, returned as uint16. */
function date2days(yIn: number, m: number, d: number): number {
  let y = yIn;
  if (y >= 2000) y -= 2000;
  let days = d;
  for (let i = 1; i < m; i++) {
    days = (days + (i - 1 < DAYS_IN_MONTH.length ? DAYS_IN_MONTH[i - 1] : DateTime.flashAfterDaysInMonth & 0xff)) & 0xffff;
  }
  if (m > 2 && y % 4 === 0) days = (days + 1) & 0xffff;
  return (days + 365 * y + Math.floor((y + 3) / 4) - 1) & 0xffff;
}

/** `time2ulong`: ((days * 24 + h) * 60 + m) * 60 + s in uint32. */
function time2ulong(days: number, h: number, m: number, s: number): number {
  const hours = (days * 24 + h) >>> 0;
  const minutes = (Math.imul(hours, 60) + m) >>> 0;
  return (Math.imul(minutes, 60) + s) >>> 0;
}

export class RTC_DS1307 {
  readonly #board: Board;

  constructor(board: Board) {
    this.#board = board;
  }

  /** Probe 0x68 with an address-only write: true when the DS1307 acknowledges. */
  begin(): boolean {
    const wire = this.#board.wire;
    wire.beginTransmission(DS1307_ADDRESS);
    return wire.endTransmission() === 0;
  }

  /** True when the CH (clock halt) bit of register 0 is clear. A failed read gives 0xFF, i.e. "not running". */
  isrunning(): boolean {
    this.#setPointer(0);
    this.#board.wire.requestFrom(DS1307_ADDRESS, 1);
    const ss = this.#readByte();
    return (ss >> 7) === 0;
  }

  /** Set the clock (BCD, 24-hour, day-of-week register written as 0). Clears CH, so a halted clock starts. */
  adjust(dt: DateTime): void {
    const wire = this.#board.wire;
    wire.beginTransmission(DS1307_ADDRESS);
    wire.write(0);
    wire.write(bin2bcd(dt.second()));
    wire.write(bin2bcd(dt.minute()));
    wire.write(bin2bcd(dt.hour()));
    wire.write(bin2bcd(0));
    wire.write(bin2bcd(dt.day()));
    wire.write(bin2bcd(dt.month()));
    wire.write(bin2bcd((dt.year() - 2000) & 0xff));
    wire.endTransmission();
  }

  /** One 7-byte read of registers 0..6, decoded from BCD; no error check (see the file header). */
  now(): DateTime {
    this.#setPointer(0);
    this.#board.wire.requestFrom(DS1307_ADDRESS, 7);
    const ss = bcd2bin(this.#readByte() & 0x7f);
    const mm = bcd2bin(this.#readByte());
    const hh = bcd2bin(this.#readByte());
    this.#readByte(); // day of week, unused
    const d = bcd2bin(this.#readByte());
    const m = bcd2bin(this.#readByte());
    const y = bcd2bin(this.#readByte()) + 2000;
    return new DateTime(y, m, d, hh, mm, ss);
  }

  /** One NVRAM byte (offset 0..55); 0xFF when the bus read fails. */
  readnvram(address: number): number {
    return this.readnvramBytes(address, 1)[0];
  }

  /** One NVRAM byte write (offset 0..55). */
  writenvram(address: number, data: number): void {
    this.writenvramBytes(address, [data]);
  }

  /** `readnvram(buf, size, address)`: `n` bytes from NVRAM offset `address`, 0xFF for each byte the bus did not deliver. */
  readnvramBytes(address: number, n: number): number[] {
    const a = this.#nvramRange(address, n, 'readnvramBytes');
    this.#setPointer(DS1307_NVRAM + a);
    this.#board.wire.requestFrom(DS1307_ADDRESS, n);
    const out: number[] = [];
    for (let pos = 0; pos < n; pos++) out.push(this.#readByte());
    return out;
  }

  /** `writenvram(address, buf, size)`: bytes (C integers, stored modulo 256) from NVRAM offset `address`. */
  writenvramBytes(address: number, bytes: readonly number[]): void {
    if (!Array.isArray(bytes)) throw new TypeError('RTC_DS1307.writenvramBytes expects an array of bytes');
    const a = this.#nvramRange(address, bytes.length, 'writenvramBytes');
    const wire = this.#board.wire;
    wire.beginTransmission(DS1307_ADDRESS);
    wire.write(DS1307_NVRAM + a);
    for (let i = 0; i < bytes.length; i++) {
      wire.write(integer(bytes[i], `RTC_DS1307.writenvramBytes byte ${i}`, -128, 255) & 0xff);
    }
    wire.endTransmission();
  }

  #nvramRange(address: number, n: number, what: string): number {
    integer(address, `RTC_DS1307.${what} address`, 0, DS1307_NVRAM_SIZE - 1);
    integer(n, `RTC_DS1307.${what} length`, 0, DS1307_NVRAM_SIZE - address);
    return address;
  }

  #setPointer(register: number): void {
    const wire = this.#board.wire;
    wire.beginTransmission(DS1307_ADDRESS);
    wire.write(register);
    wire.endTransmission();
  }

  /** `(uint8_t) Wire.read()`: −1 on an empty buffer becomes 0xFF. */
  #readByte(): number {
    return this.#board.wire.read() & 0xff;
  }
}
