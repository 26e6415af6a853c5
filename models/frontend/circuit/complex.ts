// Plain complex arithmetic for stamping the circuit's matrix and reading its solution (the solve itself is mathjs' LU).

export interface C { readonly re: number; readonly im: number }

export const C0: C = { re: 0, im: 0 };
export const C1: C = { re: 1, im: 0 };
export const c = (re: number, im = 0): C => ({ re, im });
export const add = (a: C, b: C): C => ({ re: a.re + b.re, im: a.im + b.im });
export const sub = (a: C, b: C): C => ({ re: a.re - b.re, im: a.im - b.im });
export const mul = (a: C, b: C): C => ({ re: a.re * b.re - a.im * b.im, im: a.re * b.im + a.im * b.re });
export const scale = (a: C, k: number): C => ({ re: a.re * k, im: a.im * k });
export const neg = (a: C): C => ({ re: -a.re, im: -a.im });
export function div(a: C, b: C): C {
  // Smith's algorithm: no overflow for large or small b.
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re, d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im, d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
}
export const abs = (a: C): number => Math.hypot(a.re, a.im);
/** Phase in degrees, in (-180, 180]. */
export const argDeg = (a: C): number => (Math.atan2(a.im, a.re) * 180) / Math.PI;
