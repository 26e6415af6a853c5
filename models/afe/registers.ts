// ATM90E26 register map, bit fields, command words and checksums, named as in the datasheet (Atmel-46002B, "DS")
// and the application note (Atmel-46102B, "AN"). Facts: docs/atm90e26.md §2, §3.

/** Register addresses (DS register list). */
export const REG = {
  SoftReset: 0x00,
  SysStatus: 0x01,
  FuncEn: 0x02,
  SagTh: 0x03,
  SmallPMod: 0x04,
  LastData: 0x06,
  LSB: 0x08,
  // metering calibration block (CS1 covers 21H..2BH)
  CalStart: 0x20,
  PLconstH: 0x21,
  PLconstL: 0x22,
  Lgain: 0x23,
  Lphi: 0x24,
  Ngain: 0x25,
  Nphi: 0x26,
  PStartTh: 0x27,
  PNolTh: 0x28,
  QStartTh: 0x29,
  QNolTh: 0x2a,
  MMode: 0x2b,
  CS1: 0x2c,
  // measurement calibration block (CS2 covers 31H..3AH)
  AdjStart: 0x30,
  Ugain: 0x31,
  IgainL: 0x32,
  IgainN: 0x33,
  Uoffset: 0x34,
  IoffsetL: 0x35,
  IoffsetN: 0x36,
  PoffsetL: 0x37,
  QoffsetL: 0x38,
  PoffsetN: 0x39,
  QoffsetN: 0x3a,
  CS2: 0x3b,
  // energy (read-clear, 0.1 pulse per LSB)
  APenergy: 0x40,
  ANenergy: 0x41,
  ATenergy: 0x42,
  RPenergy: 0x43,
  RNenergy: 0x44,
  RTenergy: 0x45,
  EnStatus: 0x46,
  // measurement, L line and voltage
  Irms: 0x48,
  Urms: 0x49,
  Pmean: 0x4a,
  Qmean: 0x4b,
  Freq: 0x4c,
  PowerF: 0x4d,
  Pangle: 0x4e,
  Smean: 0x4f,
  // measurement, N line
  Irms2: 0x68,
  Pmean2: 0x6a,
  Qmean2: 0x6b,
  PowerF2: 0x6d,
  Pangle2: 0x6e,
  Smean2: 0x6f,
} as const;

export type RegisterName = keyof typeof REG;

/** W = write only, R = read only, R/W, R/C = read clears. */
export type Access = 'W' | 'R' | 'R/W' | 'R/C';

export interface RegisterInfo {
  readonly name: RegisterName;
  readonly addr: number;
  /** Value after power-on, RESET or SoftReset. */
  readonly reset: number;
  readonly access: Access;
}

// [name, reset value, access] in address order (DS register list, reference §2).
// LSB (08H): the DS register list says R/W, the register description says read only; modelled as R.
// EnStatus (46H): the DS gives C800H after power-on; bits 1..0 (LNMode) copy the MMD1/MMD0 pins, so the chip model
// ORs the pins in (C800H is the value with both pins low).
const TABLE: ReadonlyArray<readonly [RegisterName, number, Access]> = [
  ['SoftReset', 0x0000, 'W'],
  ['SysStatus', 0x0000, 'R/C'],
  ['FuncEn', 0x000c, 'R/W'],
  ['SagTh', 0x1d6a, 'R/W'],
  ['SmallPMod', 0x0000, 'R/W'],
  ['LastData', 0x0000, 'R'],
  ['LSB', 0x0000, 'R'],
  ['CalStart', 0x6886, 'R/W'],
  ['PLconstH', 0x0015, 'R/W'],
  ['PLconstL', 0xd174, 'R/W'],
  ['Lgain', 0x0000, 'R/W'],
  ['Lphi', 0x0000, 'R/W'],
  ['Ngain', 0x0000, 'R/W'],
  ['Nphi', 0x0000, 'R/W'],
  ['PStartTh', 0x08bd, 'R/W'],
  ['PNolTh', 0x0000, 'R/W'],
  ['QStartTh', 0x0aec, 'R/W'],
  ['QNolTh', 0x0000, 'R/W'],
  ['MMode', 0x9422, 'R/W'],
  ['CS1', 0x0000, 'R/W'],
  ['AdjStart', 0x6886, 'R/W'],
  ['Ugain', 0x6720, 'R/W'],
  ['IgainL', 0x7a13, 'R/W'],
  ['IgainN', 0x7530, 'R/W'],
  ['Uoffset', 0x0000, 'R/W'],
  ['IoffsetL', 0x0000, 'R/W'],
  ['IoffsetN', 0x0000, 'R/W'],
  ['PoffsetL', 0x0000, 'R/W'],
  ['QoffsetL', 0x0000, 'R/W'],
  ['PoffsetN', 0x0000, 'R/W'],
  ['QoffsetN', 0x0000, 'R/W'],
  ['CS2', 0x0000, 'R/W'],
  ['APenergy', 0x0000, 'R/C'],
  ['ANenergy', 0x0000, 'R/C'],
  ['ATenergy', 0x0000, 'R/C'],
  ['RPenergy', 0x0000, 'R/C'],
  ['RNenergy', 0x0000, 'R/C'],
  ['RTenergy', 0x0000, 'R/C'],
  ['EnStatus', 0xc800, 'R'],
  ['Irms', 0x0000, 'R'],
  ['Urms', 0x0000, 'R'],
  ['Pmean', 0x0000, 'R'],
  ['Qmean', 0x0000, 'R'],
  ['Freq', 0x0000, 'R'],
  ['PowerF', 0x0000, 'R'],
  ['Pangle', 0x0000, 'R'],
  ['Smean', 0x0000, 'R'],
  ['Irms2', 0x0000, 'R'],
  ['Pmean2', 0x0000, 'R'],
  ['Qmean2', 0x0000, 'R'],
  ['PowerF2', 0x0000, 'R'],
  ['Pangle2', 0x0000, 'R'],
  ['Smean2', 0x0000, 'R'],
];

/** Every valid register, in address order. */
export const REGISTERS: readonly RegisterInfo[] = TABLE.map(([name, reset, access]) =>
  Object.freeze({ name, addr: REG[name], reset, access }));

const BY_ADDR: ReadonlyArray<RegisterInfo | undefined> = (() => {
  const a: Array<RegisterInfo | undefined> = new Array(128).fill(undefined);
  for (const r of REGISTERS) a[r.addr] = r;
  return a;
})();

/** The set of valid register addresses (all others read 0000H and discard writes, DS §4.2 / SPI section). */
export const VALID_ADDRESSES: ReadonlySet<number> = new Set(REGISTERS.map((r) => r.addr));

export function isValidAddress(addr: number): boolean {
  return VALID_ADDRESSES.has(addr);
}

/** Register description for a 7-bit address, or undefined for an invalid address. */
export function registerInfo(addr: number): RegisterInfo | undefined {
  return Number.isInteger(addr) && addr >= 0 && addr < 128 ? BY_ADDR[addr] : undefined;
}

/** Reset value of a register (0 for an invalid address). */
export function resetValue(addr: number): number {
  return registerInfo(addr)?.reset ?? 0;
}

/** Address of a register given by datasheet name (`Urms`) or number (`0x49`, `73`); a clear error otherwise. */
export function addressOf(nameOrAddr: string | number): number {
  if (typeof nameOrAddr === 'number') {
    if (!isValidAddress(nameOrAddr)) {
      throw new RangeError(`0x${hex(nameOrAddr, 2)} is not an ATM90E26 register address; valid: ${validList()}`);
    }
    return nameOrAddr;
  }
  const text = String(nameOrAddr).trim();
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return addressOf(Number(text));
  const hit = REGISTERS.find((r) => r.name.toLowerCase() === text.toLowerCase());
  if (!hit) {
    throw new RangeError(`unknown ATM90E26 register "${text}"; known registers: ${REGISTERS.map((r) => r.name).join(', ')}`);
  }
  return hit.addr;
}

function validList(): string {
  return REGISTERS.map((r) => `${r.name}=0x${hex(r.addr, 2)}`).join(', ');
}

export function hex(v: number, digits = 4): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(digits, '0');
}

// ---------------------------------------------------------------------------------------------------------------
// Bit fields

/** SysStatus (01H), DS table 2.1. Every set bit drives IRQ. */
export const SysStatusBits = {
  /** 11 = CS1 mismatch (metering halted, WarnOut + IRQ). Firmware tests `& 0xC000`. */
  CalErr: 0xc000,
  /** 11 = CS2 mismatch (measurement halted, IRQ). Firmware tests `& 0x3000`. */
  AdjErr: 0x3000,
  /** Metering line switched (anti-tamper mode). */
  LNchange: 0x0080,
  /** Reactive energy direction changed (only with FuncEn.RevQEn). */
  RevQchg: 0x0040,
  /** Active energy direction changed (only with FuncEn.RevPEn). */
  RevPchg: 0x0020,
  /** Voltage sag (only with FuncEn.SagEn). */
  SagWarn: 0x0002,
} as const;

/** FuncEn (02H), DS table 2.2. Default 000CH; the OSM firmware writes 0030H. */
export const FuncEnBits = {
  SagEn: 0x0020,
  SagWo: 0x0010,
  RevQEn: 0x0008,
  RevPEn: 0x0004,
} as const;

/** EnStatus (46H), DS table 2.3. */
export const EnStatusBits = {
  Qnoload: 0x8000,
  Pnoload: 0x4000,
  RevQ: 0x2000,
  RevP: 0x1000,
  Lline: 0x0800,
  /** Copy of the MMD1/MMD0 pins. */
  LNMode: 0x0003,
} as const;

/** Command words (DS table 2.5). */
export const Command = {
  /** SoftReset (00H): full reset to defaults. */
  Reset: 0x789a,
  /** CalStart/AdjStart power-on value: block off, no error flagged. */
  PowerOn: 0x6886,
  /** CalStart/AdjStart: reload the block's defaults and run without checksum checking. */
  Calibrate: 0x5678,
  /** CalStart/AdjStart: check the block against CS1/CS2 and run only if it matches. */
  Check: 0x8765,
  /** SmallPMod (04H): small-power mode. */
  SmallPower: 0xa987,
} as const;

/** MMode (2BH) fields, DS table 2.4. */
export interface MModeFields {
  /** L channel PGA gain (bits 15..13): 1xx = 1, 000 = 4, 001 = 8, 010 = 16, 011 = 24. */
  lPga: 1 | 4 | 8 | 16 | 24;
  /** N channel gain (bits 12..11): 00 = 2, 01 = 4, 10 = 1, 11 = 1. */
  nGain: 1 | 2 | 4;
  /** Line used in flexible mode (MMD = 11), bit 10. */
  lnSel: 'L' | 'N';
  /** DisHPF[1:0], bits 9..8: 0 both HPFs on, 3 both off. */
  disHpf: 0 | 1 | 2 | 3;
  /** Amod, bit 7: CF1 counts absolute energy (otherwise forward/reverse). */
  amodAbsolute: boolean;
  /** Rmod, bit 6: CF2 counts absolute energy. */
  rmodAbsolute: boolean;
  /** Zxcon[1:0], bits 5..4: 0 positive, 1 negative, 2 both edges, 3 off. */
  zxcon: 0 | 1 | 2 | 3;
  /** Pthresh[3:0], bits 3..0, as the fraction it encodes (0.03125 for the default code 2). */
  pthresh: number;
}

const L_PGA: ReadonlyArray<1 | 4 | 8 | 16 | 24> = [4, 8, 16, 24, 1, 1, 1, 1];
const N_GAIN: ReadonlyArray<1 | 2 | 4> = [2, 4, 1, 1];

export function decodeMMode(mmode: number): MModeFields {
  const v = mmode & 0xffff;
  return {
    lPga: L_PGA[(v >> 13) & 7],
    nGain: N_GAIN[(v >> 11) & 3],
    lnSel: v & 0x0400 ? 'L' : 'N',
    disHpf: ((v >> 8) & 3) as 0 | 1 | 2 | 3,
    amodAbsolute: (v & 0x0080) !== 0,
    rmodAbsolute: (v & 0x0040) !== 0,
    zxcon: ((v >> 4) & 3) as 0 | 1 | 2 | 3,
    pthresh: pthreshFraction(v & 0xf),
  };
}

/** Anti-tamper threshold of a Pthresh code: 0 = 12.5 %, 1 = 6.25 %, 2 = 3.125 %, 3 = 1.5625 %, 4..15 = 1 %..12 %. */
export function pthreshFraction(code: number): number {
  const c = code & 0xf;
  if (c < 4) return 0.125 / 2 ** c;
  return (c - 3) / 100;
}

// ---------------------------------------------------------------------------------------------------------------
// Checksums (reference §3)

/** First and last register of the CS1 block (metering calibration) and the CS2 block (measurement calibration). */
export const CS1_BLOCK = { first: 0x21, last: 0x2b } as const;
export const CS2_BLOCK = { first: 0x31, last: 0x3a } as const;

/**
 * The ATM90E26 checksum of a register block: split each word into its two bytes; the low byte of the result is the
 * sum of all bytes mod 256, the high byte is the XOR of all bytes.
 */
export function atmChecksum(words: readonly number[]): number {
  let sum = 0;
  let x = 0;
  for (const w of words) {
    if (!Number.isInteger(w) || w < 0 || w > 0xffff) {
      throw new RangeError(`checksum input must be 16-bit register words (0..0xFFFF), got ${String(w)}`);
    }
    const h = (w >> 8) & 0xff;
    const l = w & 0xff;
    sum = (sum + h + l) & 0xff;
    x ^= h ^ l;
  }
  return (x << 8) | sum;
}

/** Register contents for a checksum: a getter by address, or named values (missing registers take their reset value). */
export type RegisterSource = ((addr: number) => number) | Partial<Record<RegisterName, number>>;

function blockWords(src: RegisterSource, first: number, last: number): number[] {
  const get = typeof src === 'function'
    ? src
    : (addr: number): number => {
        const info = registerInfo(addr)!;
        return src[info.name] ?? info.reset;
      };
  const words: number[] = [];
  for (let a = first; a <= last; a++) words.push(get(a));
  return words;
}

/** CS1 over PLconstH..MMode (21H..2BH). */
export function cs1Of(src: RegisterSource): number {
  return atmChecksum(blockWords(src, CS1_BLOCK.first, CS1_BLOCK.last));
}

/** CS2 over Ugain..QoffsetN (31H..3AH). */
export function cs2Of(src: RegisterSource): number {
  return atmChecksum(blockWords(src, CS2_BLOCK.first, CS2_BLOCK.last));
}

// ---------------------------------------------------------------------------------------------------------------
// Number formats

/**
 * Sign-magnitude word: bit 15 = sign, the low `magnitudeBits` bits = |value| (saturated). A negative zero (-0) keeps
 * its sign bit, as the chip shows a reverse power too small to reach one LSB.
 */
export function encodeSignMagnitude(value: number, magnitudeBits = 15): number {
  if (!Number.isFinite(value)) throw new RangeError(`sign-magnitude value must be finite, got ${value}`);
  const max = 2 ** magnitudeBits - 1;
  const mag = Math.min(max, Math.round(Math.abs(value)));
  const negative = value < 0 || Object.is(value, -0);
  return (negative ? 0x8000 : 0) | mag;
}

/** Decode a sign-magnitude word (bits between the magnitude and bit 15 are ignored, as Lphi's unused bits 14..10). */
export function decodeSignMagnitude(word: number, magnitudeBits = 15): number {
  const mag = word & (2 ** magnitudeBits - 1);
  return word & 0x8000 ? -mag : mag;
}

/** PowerF/PowerF2: power factor -1..+1 in 0.001 steps, sign-magnitude. */
export function encodePowerF(pf: number): number {
  return encodeSignMagnitude(Math.max(-1, Math.min(1, pf)) * 1000);
}
export function decodePowerF(word: number): number {
  return decodeSignMagnitude(word) / 1000;
}

/** Pangle/Pangle2: degrees -180..+180 in 0.1 degree steps, sign-magnitude (reference §2, §9.6). */
export function encodePangle(deg: number): number {
  return encodeSignMagnitude(Math.max(-180, Math.min(180, deg)) * 10);
}
export function decodePangle(word: number): number {
  return decodeSignMagnitude(word) / 10;
}

/** Lphi/Nphi: phase correction in LSB (0.488 us each), sign-magnitude with a 10-bit magnitude. */
export function encodePhi(lsb: number): number {
  return encodeSignMagnitude(lsb, 10);
}
export function decodePhi(word: number): number {
  return decodeSignMagnitude(word, 10);
}

/** A 16-bit register word read as two's complement. */
export function toInt16(word: number): number {
  const w = word & 0xffff;
  return w & 0x8000 ? w - 0x10000 : w;
}

/** A signed value as a two's complement word, saturated to -32768..32767. */
export function fromInt16(value: number): number {
  const v = Math.max(-32768, Math.min(32767, Math.round(value)));
  return v & 0xffff;
}
