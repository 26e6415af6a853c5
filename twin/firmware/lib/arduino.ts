// C and Arduino-core number helpers for the firmware twin: what a value becomes on the meter's Cortex-M3
// (soft-float, no FPU; `float` is IEEE binary32, `double` binary64, `int`/`long` 32 bits), and the Arduino String
// conversions `toInt()` / `toFloat()` (docs/firmware.md §5.1: toInt is C atol with newlib's strtol clamping).
//
// Convention for the whole of `lib/`: a JS number stands for a C value. Conversions that C does implicitly are
// explicit here, through these helpers, so each one is visible in the firmware twin.

/** Keypad library: `getKey()` returns NO_KEY (`'\0'` in C) when no key event is reported. */
export const NO_KEY = '';

const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;
const TWO_POW_32 = 4294967296;

/** Round to float32 (a C `float` variable or a float expression). */
export const f32: (x: number) => number = Math.fround;

/**
 * float → uint32 as libgcc's soft-float `__aeabi_f2uiz` does: NaN and negatives give 0, values ≥ 2^32 give
 * 0xFFFFFFFF, anything else is truncated toward zero (docs/firmware.md §7.1: `writeLong(addr, creditt)`).
 */
export function toUint32(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= TWO_POW_32) return 0xffffffff;
  return Math.trunc(x);
}

/** float → int32 as `__aeabi_f2iz`: NaN gives 0, out-of-range values saturate, otherwise truncate toward zero. */
export function toInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= 2147483648) return INT32_MAX;
  if (x <= INT32_MIN) return INT32_MIN;
  return Math.trunc(x) | 0;
}

/**
 * float → uint16 as GCC compiles it for ARM: a signed conversion to int (`__aeabi_f2iz`, saturating) and then the
 * low 16 bits. For an integer that is already a C integer (a uint32 narrowed to uint16) write `x & 0xFFFF`.
 */
export function toUint16(x: number): number {
  return toInt32(x) & 0xffff;
}

/** float → uint8, through int as `toUint16` (GCC's path for narrow unsigned targets). */
export function toUint8(x: number): number {
  return toInt32(x) & 0xff;
}

/** C `isspace` in the "C" locale: space, \t, \n, \v, \f, \r. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function requireString(s: unknown, what: string): string {
  if (typeof s !== 'string') throw new TypeError(`${what} expects a string, got ${typeof s}`);
  return s;
}

/**
 * Arduino `String::toInt()` = C `atol` = newlib `strtol(s, NULL, 10)`: skips leading white space, takes an optional
 * sign, reads decimal digits up to the first non-digit, returns 0 when there are none, and clamps an overflow to
 * 2147483647 / −2147483648 (LONG_MAX / LONG_MIN).
 */
export function atol(s: string): number {
  requireString(s, 'atol');
  const n = s.length;
  let i = 0;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) { negative = s[i] === '-'; i++; }
  let acc = 0;
  let digits = 0;
  while (i < n) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    // Beyond 2^31 the result is clamped anyway; stop growing so the value stays exact.
    if (acc <= 2147483648) acc = acc * 10 + d;
    digits++;
    i++;
  }
  if (digits === 0) return 0;
  if (negative) return acc >= 2147483648 ? INT32_MIN : 0 - acc;
  return acc > INT32_MAX ? INT32_MAX : acc;
}

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const INF_NAN = /^([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/i;

/**
 * C `strtod` (newlib) on the longest valid prefix after white space: decimal with optional fraction and exponent,
 * hexadecimal floats (`0x1.8p3`), `inf`/`infinity`/`nan`; 0 when no number starts there. Returns a double.
 */
export function strtod(s: string): number {
  requireString(s, 'strtod');
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const rest = s.slice(i);
  const special = INF_NAN.exec(rest);
  if (special) {
    if (special[3] !== undefined) return Number.NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const hex = HEX_FLOAT.exec(rest);
  if (hex) {
    const [intPart, fracPart = ''] = hex[2].split('.');
    const mantissa = BigInt('0x' + ((intPart + fracPart) || '0'));
    const exp = (hex[3] !== undefined ? Number(hex[3]) : 0) - 4 * fracPart.length;
    const v = Number(mantissa) * 2 ** exp;
    return hex[1] === '-' ? -v : v;
  }
  const dec = DECIMAL_FLOAT.exec(rest);
  if (!dec) return 0;
  return Number(dec[0]);
}

/** Arduino `String::toFloat()`: `float(atof(buffer))`, i.e. `strtod` rounded to float32. */
export function toFloat(s: string): number {
  return Math.fround(strtod(s));
}
