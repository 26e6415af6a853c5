// The ATM90E26's digital signal path at phasor level: what its RMS and mean-power blocks compute from the pin
// spectra of one quasi-steady segment, in pin units (volts, volts squared), before any register scaling.
// Facts: docs/atm90e26.md §4.2 (8 kHz sampling, two HPFs, 1.1 kHz harmonic bandwidth) and §4.4 (phase correction).
import type { AfePinPhasors, Harmonic } from '../signals.ts';

/** A pin signal as one complex amplitude (volts rms, cos/sin parts) per harmonic order; index 0 is DC (im = 0). */
export interface Spectrum {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/** Harmonic orders the chip passes at line frequency `freqHz` within `bandwidthHz` (1.1 kHz, DS). */
export function maxOrderFor(freqHz: number, bandwidthHz: number): number {
  return Math.max(1, Math.floor(bandwidthHz / freqHz + 1e-9));
}

/** Merge lines of the same order as phasors; orders above `maxOrder` are outside the chip's bandwidth and dropped. */
export function spectrumOf(lines: readonly Harmonic[], maxOrder: number): Spectrum {
  const re = new Float64Array(maxOrder + 1);
  const im = new Float64Array(maxOrder + 1);
  for (const h of lines) {
    if (h.order > maxOrder) continue;
    if (h.order === 0) { re[0] += h.rms; continue; }
    re[h.order] += h.rms * Math.cos(h.phaseRad);
    im[h.order] += h.rms * Math.sin(h.phaseRad);
  }
  return { re, im };
}

/** Throw a clear error unless `p` is a usable set of pin phasors. */
export function validatePins(p: AfePinPhasors): void {
  if (p === null || typeof p !== 'object') throw new TypeError('ATM90E26 pins must be an AfePinPhasors object');
  if (typeof p.freqHz !== 'number' || !Number.isFinite(p.freqHz) || p.freqHz <= 0) {
    throw new RangeError(`ATM90E26 pins: freqHz must be a positive number of hertz, got ${String(p.freqHz)}`);
  }
  for (const ch of ['V', 'IL', 'IN'] as const) {
    const lines = p[ch];
    if (!Array.isArray(lines)) throw new TypeError(`ATM90E26 pins: ${ch} must be an array of harmonics`);
    lines.forEach((h: Harmonic, i: number) => {
      if (h === null || typeof h !== 'object') throw new TypeError(`ATM90E26 pins: ${ch}[${i}] must be a harmonic object`);
      if (!Number.isInteger(h.order) || h.order < 0) {
        throw new RangeError(`ATM90E26 pins: ${ch}[${i}].order must be an integer >= 0, got ${String(h.order)}`);
      }
      if (typeof h.rms !== 'number' || !Number.isFinite(h.rms)) {
        throw new RangeError(`ATM90E26 pins: ${ch}[${i}].rms must be a finite number of volts, got ${String(h.rms)}`);
      }
      if (typeof h.phaseRad !== 'number' || !Number.isFinite(h.phaseRad)) {
        throw new RangeError(`ATM90E26 pins: ${ch}[${i}].phaseRad must be a finite number, got ${String(h.phaseRad)}`);
      }
    });
  }
}

/** RMS of a spectrum; DC counts only when both high-pass filters are off (MMode.DisHPF = 11). */
export function spectrumRms(s: Spectrum, includeDc: boolean): number {
  let sum = includeDc ? s.re[0] * s.re[0] : 0;
  for (let h = 1; h < s.re.length; h++) sum += s.re[h] * s.re[h] + s.im[h] * s.im[h];
  return Math.sqrt(sum);
}

/** Mean active and reactive power of one line in pin units (V x V), all orders and the fundamental alone. */
export interface LineProducts {
  /** Sum over orders of Re(V conj(I)) = |V||I| cos(phi). */
  p: number;
  /** Sum over orders of Im(V conj(I)) = |V||I| sin(phi); positive when the current lags (inductive). */
  q: number;
  /** Fundamental only. */
  p1: number;
  q1: number;
}

/**
 * Products of the voltage and a current spectrum, the current delayed by `currentDelayS` seconds first (Lphi/Nphi:
 * a positive delay adds lag at every order, 2 pi f h delay radians at order h).
 */
export function lineProducts(v: Spectrum, i: Spectrum, freqHz: number, currentDelayS: number, includeDc: boolean): LineProducts {
  let p = includeDc ? v.re[0] * i.re[0] : 0;
  let q = 0;
  let p1 = 0;
  let q1 = 0;
  const n = Math.min(v.re.length, i.re.length);
  const w = -2 * Math.PI * freqHz * currentDelayS;
  for (let h = 1; h < n; h++) {
    let ir = i.re[h];
    let ii = i.im[h];
    if (w !== 0) {
      const c = Math.cos(w * h);
      const s = Math.sin(w * h);
      const r2 = ir * c - ii * s;
      ii = ir * s + ii * c;
      ir = r2;
    }
    const ph = v.re[h] * ir + v.im[h] * ii;
    const qh = v.im[h] * ir - v.re[h] * ii;
    p += ph;
    q += qh;
    if (h === 1) { p1 = ph; q1 = qh; }
  }
  return { p, q, p1, q1 };
}
