// The OpenSmartMeter's custom 20-character "STS" token (firmware `sts_token.hpp:44-198`, docs/firmware.md §5):
// an encoder producing tokens the meter accepts, and a pure decoder giving what a FRESH default meter does with one.
//
// Layout (0-based indexes):  0-2 K3 | 3 m | 4 meter-number digit count | 5 location | 6-7 day | 8 encoder e |
//                            9-13 amount digits (+ filler) | 14 identifier A/B/C | 15-19 tariff_MT_NO
//
// The firmware's decode is stateful (sticky `sts_accept`, stale `topupnew`, no used-token record: defects D6, D8);
// that belongs to the firmware twin. `decodeSts` answers for `sts_accept == 0` and reports `headerPassed` and
// `amountCheck` so the firmware twin can apply its own state on top.
//
// Numbers follow the firmware: `String.toInt()` is newlib `atol` (stops at the first non-digit, 0 without digits,
// clamps to LONG_MAX 2147483647), `topup` and `dcode` are float32, `topupnew` is a uint32, int division truncates and
// a division by 0 gives 0 (Cortex-M3 SDIV/UDIV with DIV_0_TRP clear).

/** Length of the token as typed (data_count must exceed 19 before `#` submits it, keypad.hpp §4.3). */
export const STS_TOKEN_LENGTH = 20;
/** `private_stskey` (sts_token.hpp:17). The server comment says it "can be a number between 100 and 111". */
export const STS_PRIVATE_KEY = 109;
/** `meter_no` of the default meter "MT100" (sts_token.hpp:33). */
export const STS_METER_NO = 100;
/** `multiplier` that raises the meter number to 5 digits (sts_token.hpp:34). */
export const STS_METER_MULTIPLIER = 100;
/** `meter_no_count` (sts_token.hpp:35). */
export const STS_METER_NO_COUNT = 3;
/** `tariff` at boot; a web poll may change it (sts_token.hpp:23, defect D10). */
export const STS_DEFAULT_TARIFF = 1;
/** `eeprom_sts_data`: never updated, always 0 (defect D6). */
export const STS_EEPROM_STS_DATA = 0;
/** newlib LONG_MAX, where `atol` clamps. */
const LONG_MAX = 2147483647;

export type StsIdentifier = 'A' | 'B' | 'C';
export type StsEncoder = 1 | 2 | 3;
export type StsAmountCheck = 'pass' | 'fail' | 'none';

/** Amount rule per identifier and encoder (§5.3): credit = amount + offset; accepted when offset / divisor == e.
 *  `serverOffset` is what web_software/token_generation.php subtracts; it differs only for A/e=3 (defect D9). */
export interface StsAmountRule { offset: number; divisor: number; serverOffset: number }
export const STS_AMOUNT_RULES: Readonly<Record<StsIdentifier, { digits: number; filler: number; rules: Record<StsEncoder, StsAmountRule> }>> = {
  A: { digits: 3, filler: 2, rules: { 1: { offset: 25, divisor: 25, serverOffset: 25 }, 2: { offset: 50, divisor: 25, serverOffset: 50 }, 3: { offset: 39, divisor: 15, serverOffset: 45 } } },
  C: { digits: 4, filler: 1, rules: { 1: { offset: 15, divisor: 15, serverOffset: 15 }, 2: { offset: 36, divisor: 18, serverOffset: 36 }, 3: { offset: 39, divisor: 13, serverOffset: 39 } } },
  B: { digits: 5, filler: 0, rules: { 1: { offset: 99, divisor: 99, serverOffset: 99 }, 2: { offset: 70, divisor: 35, serverOffset: 70 }, 3: { offset: 60, divisor: 20, serverOffset: 60 } } },
};

// ---------------------------------------------------------------------------------------------------------------
// Decoder

export interface StsMeterConfig {
  /** Runtime `tariff` subtracted in the meter check. Default 1. */
  tariff?: number;
  /** `meter_no`. Default 100 (MT100). */
  meterNo?: number;
  /** `private_stskey`. Default 109. */
  privateKey?: number;
  /** `meter_no_count`. Default 3. */
  meterNoCount?: number;
}

export interface StsFields {
  /** atol of characters 0-2. */
  K3: number;
  /** atol of character 3. */
  m: number;
  /** K3 / m (C int division, 0 when m is 0). */
  confirmKey: number;
  /** atol of character 4. */
  meterNoCount: number;
  /** Character 5 (ignored by the firmware). */
  location: string;
  /** atol of characters 6-7 (`convertedsts_day`, unused). */
  day: number;
  /** Character 8 as typed, and its atol (`encodernew`). */
  encoder: string;
  encoderValue: number;
  /** Character 14. */
  identifier: string;
  /** Amount characters for the identifier (A 9-11, C 9-12, B 9-13); empty for an unknown identifier. */
  amountDigits: string;
  /** Characters after the amount up to index 13 (free filler). */
  filler: string;
  /** atol of the amount characters, as the float32 `topup`; null for an unknown identifier. */
  topup: number | null;
  /** atol of characters 15-19. */
  tariffMeterNo: number;
  /** (uint32)(tariffMeterNo - tariff) / 100. */
  trueMeterNo: number;
  /** (uint32)atol(whole token), compared with eeprom_sts_data. */
  wholeTokenValue: number;
}

export interface StsDecodeResult {
  /** What a fresh meter (sts_accept == 0) does: TOKEN ACCEPTED. */
  accepted: boolean;
  /** Credit added when accepted (`topupnew`), else 0. */
  credit: number;
  /** Human-readable reason for the verdict. */
  reason: string;
  /** All four header checks passed (§5.2). */
  headerPassed: boolean;
  /** The amount branch: pass / fail, or none when no branch runs (identifier or encoder unknown). */
  amountCheck: StsAmountCheck;
  /** `topupnew` computed by the branch that ran, else null (a stateful meter keeps its stale value). */
  topupnew: number | null;
  fields: StsFields;
}

/** C `atol` as newlib implements it on these strings: leading decimal digits, 0 if none, clamped at LONG_MAX. */
export function atol(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
    if (n > LONG_MAX) n = LONG_MAX;
  }
  return n;
}

/** C int division: truncates toward zero; a division by 0 gives 0 on the Cortex-M3 (no trap). */
function cdiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

function checkUint(name: string, v: unknown, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > hi) {
    throw new Error(`${name} must be an integer 0..${hi}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

/** Decodes a 20-character token as a fresh default meter does (`STStoken_decode`, with `sts_accept == 0`). */
export function decodeSts(token: string, meter: StsMeterConfig = {}): StsDecodeResult {
  if (typeof token !== 'string') throw new Error(`STS token must be a string, got ${typeof token}`);
  if (token.length === 0) throw new Error('STS token is empty');
  if (!/^[0-9ABC]*$/.test(token)) {
    throw new Error(`STS token "${token}" may contain only the keypad characters 0-9, A, B and C (upper case)`);
  }
  if (token.length !== STS_TOKEN_LENGTH) {
    throw new Error(`STS token "${token}" must have ${STS_TOKEN_LENGTH} characters, got ${token.length}`);
  }
  const tariff = checkUint('tariff', meter.tariff ?? STS_DEFAULT_TARIFF, 0xffffffff);
  const meterNo = checkUint('meter number', meter.meterNo ?? STS_METER_NO, 0xffffffff);
  const privateKey = checkUint('private key', meter.privateKey ?? STS_PRIVATE_KEY, LONG_MAX);
  const meterNoCountCfg = checkUint('meter-number digit count', meter.meterNoCount ?? STS_METER_NO_COUNT, 0xffffffff);

  const K3 = atol(token.substring(0, 3));
  const m = atol(token.substring(3, 4));
  const confirmKey = cdiv(K3, m);
  const meterNoCount = atol(token.substring(4, 5));
  const wholeTokenValue = atol(token) >>> 0; // (unsigned int) of the long
  const day = atol(token.substring(6, 8));
  const third = token.substring(8, 15);
  const encoder = third.substring(0, 1);
  const encoderValue = atol(encoder);
  const identifier = third.substring(6, 7);
  const tariffMeterNo = atol(token.substring(15, 20));
  // long - unsigned int is computed as unsigned int (32-bit ARM), then unsigned long division.
  const trueMeterNo = Math.floor(((tariffMeterNo - tariff) >>> 0) / STS_METER_MULTIPLIER);

  const spec = identifier === 'A' || identifier === 'B' || identifier === 'C' ? STS_AMOUNT_RULES[identifier] : null;
  const amountDigits = spec ? third.substring(1, 1 + spec.digits) : '';
  const filler = spec ? token.substring(9 + spec.digits, 14) : '';
  const topup = spec ? Math.fround(atol(amountDigits)) : null;
  const fields: StsFields = {
    K3, m, confirmKey, meterNoCount, location: token.substring(5, 6), day, encoder, encoderValue, identifier,
    amountDigits, filler, topup, tariffMeterNo, trueMeterNo, wholeTokenValue,
  };

  const failures: string[] = [];
  if (confirmKey !== privateKey) failures.push(`key check failed: K3 ${K3} / m ${m} = ${confirmKey}, not ${privateKey}${m === 0 ? ' (m = 0 divides to 0)' : ''}`);
  if (wholeTokenValue === STS_EEPROM_STS_DATA) failures.push(`whole token reads as ${wholeTokenValue}, equal to the stored token ${STS_EEPROM_STS_DATA}`);
  if (trueMeterNo !== meterNo) failures.push(`meter check failed: (${tariffMeterNo} - tariff ${tariff}) / ${STS_METER_MULTIPLIER} = ${trueMeterNo}, not meter ${meterNo}`);
  if (meterNoCount !== meterNoCountCfg) failures.push(`meter-number digit count ${meterNoCount} is not ${meterNoCountCfg}`);
  const headerPassed = failures.length === 0;

  // The amount branch runs only when the header passed; it is evaluated here regardless, so that `fields` are complete.
  let amountCheck: StsAmountCheck = 'none';
  let topupnew: number | null = null;
  let amountReason: string;
  if (spec === null) {
    amountReason = `identifier "${identifier}" is not A, B or C: no amount branch runs`;
  } else if (encoder !== '1' && encoder !== '2' && encoder !== '3') {
    amountReason = `encoder digit "${encoder}" is not 1, 2 or 3: no amount branch runs`;
  } else {
    const rule = spec.rules[Number(encoder) as StsEncoder];
    topupnew = Math.trunc(Math.fround(topup! + rule.offset)) >>> 0; // unsigned long topupnew = topup + offset
    const dcode = Math.fround(Math.fround(Math.fround(topupnew) - topup!) / rule.divisor);
    amountCheck = dcode === Math.fround(encoderValue) ? 'pass' : 'fail';
    amountReason = amountCheck === 'pass'
      ? `accepted: amount ${topup} + offset ${rule.offset} = ${topupnew}`
      : `amount check failed: ${identifier}/e=${encoder} gives ${rule.offset}/${rule.divisor} = ${Number(dcode.toPrecision(7))}, not ${encoderValue}` +
        (identifier === 'A' && encoder === '3' ? ' (defect D9: never accepted)' : '');
  }

  const accepted = headerPassed && amountCheck === 'pass';
  let reason: string;
  if (!headerPassed) reason = failures.join('; ');
  else if (amountCheck === 'none') reason = `${amountReason} (a fresh meter shows INVALID TOKEN; sts_accept keeps its previous value)`;
  else reason = amountReason;
  return { accepted, credit: accepted ? topupnew! : 0, reason, headerPassed, amountCheck, topupnew: headerPassed ? topupnew : null, fields };
}

// ---------------------------------------------------------------------------------------------------------------
// Encoder

export interface StsEncodeOptions {
  /** Credit to add (the paid amount); the token carries amount − offset, the meter adds the offset back. */
  amount: number;
  /** Default by amount, as the server: 100..999 A, 1000..9999 C, 10000.. B (below 100: A). */
  identifier?: StsIdentifier;
  /** Encoder digit e. Default 1. A with e = 3 is refused (defect D9). */
  encoder?: StsEncoder;
  /** Key multiplier m, 1..9. Default 1. */
  keyMultiplier?: number;
  /** K3, any of privateKey·m .. privateKey·m + m − 1 (K3 / m truncates). Default privateKey·m, as the server. */
  k3?: number;
  /** Default 109. */
  privateKey?: number;
  /** Digit 4; the meter requires its meter_no_count (3). Default 3. */
  meterDigitCount?: number;
  /** Digit 5, ignored by the meter (random 1-9 on the server). Default 1. */
  location?: number;
  /** Day of month 1..31, digits 6-7, ignored by the meter. Default 1. */
  day?: number;
  /** Tariff added to meterNumber·100 in the last 5 digits. Default 1. A meter with runtime tariff t' accepts the
   *  token when tariff − 99 ≤ t' ≤ tariff (the server always writes 70; the default meter runs with 1). */
  tariff?: number;
  /** Default 100 (MT100). */
  meterNumber?: number;
  /** Free digits after the amount: 2 for A, 1 for C, none for B. Default zeros. */
  filler?: string;
}

/** The identifier the reference server picks for a paid amount (token_generation.php), A below 100. */
export function defaultStsIdentifier(amount: number): StsIdentifier {
  if (amount >= 10000) return 'B';
  if (amount >= 1000) return 'C';
  return 'A';
}

function checkRange(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${name} must be an integer ${lo}..${hi}, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

/** Builds a 20-character token for `amount`; throws a clear Error for a combination the firmware can never accept. */
export function encodeSts(opts: StsEncodeOptions): string {
  if (opts === null || typeof opts !== 'object') throw new Error('encodeSts needs { amount, ... }');
  const amount = checkRange('amount', opts.amount, 0, 99999 + 99);
  const identifier = opts.identifier ?? defaultStsIdentifier(amount);
  if (identifier !== 'A' && identifier !== 'B' && identifier !== 'C') {
    throw new Error(`identifier must be A, B or C, got ${JSON.stringify(identifier)}`);
  }
  const encoder = opts.encoder ?? 1;
  if (encoder !== 1 && encoder !== 2 && encoder !== 3) throw new Error(`encoder must be 1, 2 or 3, got ${JSON.stringify(encoder)}`);
  if (identifier === 'A' && encoder === 3) {
    throw new Error('identifier A with encoder 3 can never be accepted: the firmware computes 39/15 = 2.6, not 3 (defect D9); use encoder 1 or 2');
  }
  const privateKey = checkRange('private key', opts.privateKey ?? STS_PRIVATE_KEY, 100, 999);
  const m = checkRange('key multiplier m', opts.keyMultiplier ?? 1, 1, 9);
  const k3lo = privateKey * m, k3hi = privateKey * m + m - 1;
  const k3 = opts.k3 ?? k3lo;
  if (typeof k3 !== 'number' || !Number.isInteger(k3) || k3 < k3lo || k3 > k3hi) {
    throw new Error(`K3 must be an integer ${k3lo}..${k3hi} for m = ${m} (K3 / m must be ${privateKey}), got ${JSON.stringify(k3)}`);
  }
  if (k3 < 100 || k3 > 999) {
    throw new Error(`K3 = ${k3} does not fit in 3 digits (100..999); choose a smaller key multiplier m for private key ${privateKey}`);
  }
  const meterDigitCount = checkRange('meter-number digit count', opts.meterDigitCount ?? STS_METER_NO_COUNT, 1, 9);
  const location = checkRange('location digit', opts.location ?? 1, 0, 9);
  const day = checkRange('day', opts.day ?? 1, 1, 31);
  const tariff = checkRange('tariff', opts.tariff ?? STS_DEFAULT_TARIFF, 0, 99999);
  const meterNumber = checkRange('meter number', opts.meterNumber ?? STS_METER_NO, 0, 999);
  const tariffMeterNo = meterNumber * STS_METER_MULTIPLIER + tariff;
  if (tariffMeterNo > 99999) {
    throw new Error(`meter number ${meterNumber} × 100 + tariff ${tariff} = ${tariffMeterNo} does not fit in the 5 token digits`);
  }

  const spec = STS_AMOUNT_RULES[identifier];
  const rule = spec.rules[encoder];
  const typed = amount - rule.offset;
  const max = 10 ** spec.digits - 1;
  if (typed < 0 || typed > max) {
    throw new Error(`amount ${amount} cannot be carried by identifier ${identifier} with encoder ${encoder}: ` +
      `the token holds amount − ${rule.offset} in ${spec.digits} digits, so the amount must be ${rule.offset}..${max + rule.offset}`);
  }
  const filler = opts.filler ?? '0'.repeat(spec.filler);
  if (typeof filler !== 'string' || !new RegExp(`^[0-9]{${spec.filler}}$`).test(filler)) {
    throw new Error(`filler for identifier ${identifier} must be ${spec.filler === 0 ? 'empty' : `${spec.filler} digit${spec.filler > 1 ? 's' : ''}`}, got ${JSON.stringify(filler)}`);
  }
  const token = String(k3) + String(m) + String(meterDigitCount) + String(location) + String(day).padStart(2, '0') +
    String(encoder) + String(typed).padStart(spec.digits, '0') + filler + identifier + String(tariffMeterNo).padStart(5, '0');
  if (token.length !== STS_TOKEN_LENGTH) throw new Error(`internal: built a ${token.length}-character STS token "${token}"`);
  return token;
}

/** A source of integers in [lo, hi], e.g. twin/kernel/rng.ts `Rng`. */
export interface IntSource { int(lo: number, hi: number): number }

/** Fills the digits the reference server draws at random (m, location, filler, and e when not given; never A/e=3),
 *  from a seeded source, then encodes. Explicit options win over random ones. */
export function encodeStsRandom(opts: StsEncodeOptions, rng: IntSource): string {
  if (opts === null || typeof opts !== 'object') throw new Error('encodeStsRandom needs { amount, ... }');
  const amount = opts.amount;
  const identifier = opts.identifier ?? (typeof amount === 'number' ? defaultStsIdentifier(amount) : 'A');
  const m = opts.keyMultiplier ?? rng.int(1, 9);
  const spec = STS_AMOUNT_RULES[identifier] as (typeof STS_AMOUNT_RULES)[StsIdentifier] | undefined;
  // Random e among those the firmware accepts (not A/e=3) whose offset leaves a non-negative amount that fits.
  const usable = ([1, 2, 3] as StsEncoder[]).filter((e) => spec !== undefined && !(identifier === 'A' && e === 3) &&
    typeof amount === 'number' && amount - spec.rules[e].offset >= 0 && amount - spec.rules[e].offset < 10 ** spec.digits);
  const encoder = opts.encoder ?? (usable.length > 0 ? usable[rng.int(0, usable.length - 1)]! : 1);
  const fillerDigits = spec?.filler ?? 0;
  const filler = opts.filler ?? (fillerDigits === 2 ? String(rng.int(10, 99)) : fillerDigits === 1 ? String(rng.int(1, 9)) : '');
  const location = opts.location ?? rng.int(1, 9);
  return encodeSts({ ...opts, identifier, keyMultiplier: m, encoder, filler, location });
}
