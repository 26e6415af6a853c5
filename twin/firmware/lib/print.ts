// Arduino `Print` number formatting as the STM32duino core 1.9.0 implements it (cores/arduino/Print.cpp):
// what `lcd.print(x)` and `Serial.print(x)` put on the wire, character for character
// (docs/firmware.md §1.6). The arithmetic is the core's, in double precision: a float argument is promoted to
// double exactly, so pass the float32 value (`f32(x)`) when the C variable is a `float`.

/** `Print::printFloat` refuses magnitudes above this with `ovf` ("constant determined empirically"). */
export const PRINT_FLOAT_LIMIT = 4294967040;

function requireInteger(x: number, what: string, lo: number, hi: number): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
    throw new RangeError(`${what} expects an integer in ${lo}..${hi}, got ${String(x)}`);
  }
  return x;
}

/** `Print::printNumber(unsigned long n, base)`: digits of an unsigned 32-bit value, uppercase letters above 9. */
function printNumber(n: number, base: number): string {
  let s = '';
  do {
    const m = n;
    n = Math.floor(n / base);
    const c = m - base * n;
    s = String.fromCharCode(c < 10 ? 48 + c : 55 + c) + s;
  } while (n);
  return s;
}

/**
 * `print(double number, int digits = 2)`: `nan`, `inf` (either sign), `ovf` when |x| > 4294967040, otherwise an
 * optional `-`, the value rounded by adding 0.5/10^digits, the integer part as an unsigned long, a `.` when digits
 * > 0, then the fraction digit by digit (multiply the remainder by 10, truncate).
 */
export function formatFloat(x: number, digits = 2): string {
  if (typeof x !== 'number') throw new TypeError(`formatFloat expects a number, got ${typeof x}`);
  requireInteger(digits, 'formatFloat digits (uint8_t)', 0, 255);
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return 'inf';
  if (x > PRINT_FLOAT_LIMIT || x < -PRINT_FLOAT_LIMIT) return 'ovf';
  let out = '';
  let number = x;
  if (number < 0) {
    out = '-';
    number = -number;
  }
  let rounding = 0.5;
  for (let i = 0; i < digits; i++) rounding /= 10;
  number += rounding;
  const intPart = Math.trunc(number);
  let remainder = number - intPart;
  out += printNumber(intPart, 10);
  if (digits > 0) out += '.';
  for (let d = digits; d > 0; d--) {
    remainder *= 10;
    const toPrint = Math.trunc(remainder);
    out += printNumber(toPrint, 10);
    remainder -= toPrint;
  }
  return out;
}

/**
 * `print(long n)` / `print(unsigned long n)` in decimal. Negative values (a C `int`/`long`) get a `-`; values from
 * 2^31 to 2^32 − 1 are an `unsigned long`. Anything else is not a C integer and is refused.
 */
export function formatInt(x: number): string {
  requireInteger(x, 'formatInt', -2147483648, 4294967295);
  if (x < 0) return '-' + printNumber(-x, 10);
  return printNumber(x, 10);
}

/**
 * `print(n, HEX)`: the value as an unsigned long in base 16, uppercase, no leading zeros (a negative `long` shows
 * its two's complement, `-1` → `FFFFFFFF`).
 */
export function formatHex(x: number): string {
  requireInteger(x, 'formatHex', -2147483648, 4294967295);
  return printNumber(x >>> 0, 16);
}
