// Impedance algebra on complex numbers, for building the front end's transfer functions at setup time.
// Everything here runs when a component is built or an input changes (results are cached per frequency by
// FrontEnd); never per sample. Admittances are used where a part can be an open circuit (a capacitor at 0 Hz).
//
// The numbers are complex.js values: the very type (and arithmetic) mathjs uses for its complex numbers, without
// loading mathjs, whose entry point alone costs about 83 MiB per process or worker thread (it builds every one of
// its functions on import, so even a minimal `create` instance pays it).
import { Complex } from 'complex.js';

export type { Complex };

function complex(re: number, im: number): Complex { return new Complex(re, im); }

export const ZERO: Complex = complex(0, 0);
export const ONE: Complex = complex(1, 0);

export function cx(re: number, im = 0): Complex { return complex(re, im); }
export function cadd(a: Complex, b: Complex): Complex { return a.add(b); }
export function csub(a: Complex, b: Complex): Complex { return a.sub(b); }
export function cmul(a: Complex, b: Complex): Complex { return a.mul(b); }
export function cdiv(a: Complex, b: Complex): Complex { return a.div(b); }
export function cscale(a: Complex, k: number): Complex { return complex(a.re * k, a.im * k); }
export function cabs(a: Complex): number { return a.abs(); }
/** Phase in radians, in (-pi, pi]. */
export function carg(a: Complex): number { return a.arg(); }
export function cargDeg(a: Complex): number { return (a.arg() * 180) / Math.PI; }
export function isZero(a: Complex): boolean { return a.re === 0 && a.im === 0; }

/** Angular frequency of `hz`. */
export function omega(hz: number): number { return 2 * Math.PI * hz; }

/** Admittance of a resistor (0 for an open circuit, `Infinity` ohms). */
export function yResistor(ohms: number): Complex { return complex(Number.isFinite(ohms) ? 1 / ohms : 0, 0); }
/** Admittance j*w*C of a capacitor (0 at DC). */
export function yCapacitor(farads: number, hz: number): Complex { return complex(0, omega(hz) * farads); }
/** Impedance j*w*L of an inductor (0 at DC). */
export function zInductor(henries: number, hz: number): Complex { return complex(0, omega(hz) * henries); }

/** Impedance of parallel admittances (their sum, inverted); `Infinity` for an all-open set. */
export function zFromY(y: Complex): Complex {
  if (isZero(y)) return complex(Infinity, 0);
  return cdiv(ONE, y);
}

/** Checks a frequency argument: a finite, non-negative number of hertz. */
export function checkHz(hz: number, what: string): void {
  if (typeof hz !== 'number' || !Number.isFinite(hz) || hz < 0) {
    throw new RangeError(`${what}: frequency must be a finite number of hertz >= 0, got ${String(hz)}`);
  }
}

/** Checks a component value: finite and > 0 (or >= 0 when `allowZero`). */
export function checkPositive(value: number, name: string, owner: string, allowZero = false): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new RangeError(`${owner}: ${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(value)}`);
  }
}
