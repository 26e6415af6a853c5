// Spectral lines of a sampled signal: one DFT bin at a given frequency, over samples that span whole periods of it.
// For analysis (tests, reports, the dashboard), not for the hot path: it calls Math.cos / Math.sin per sample.
// The phase follows the plant's convention: x(t) = sqrt 2 X cos(w t + phi) with t = (k + firstSample) / fs.

export interface Tone {
  /** Rms amplitude of the line. */
  rms: number;
  /** Phase in radians at t = 0 (sample index 0 of the whole record, see `firstSample`). */
  phaseRad: number;
}

/** The line at `hz` in `x[0 .. n)`; `firstSample` is the global index of x[0] (for the phase reference). */
export function toneAt(x: Float64Array, hz: number, sampleRateHz: number, firstSample = 0, n = x.length): Tone {
  if (!(hz > 0) || !(sampleRateHz > 0)) throw new RangeError('toneAt: hz and sampleRateHz must be positive');
  if (!Number.isInteger(n) || n < 1 || n > x.length) throw new RangeError(`toneAt: n must be 1..${x.length}, got ${String(n)}`);
  const w = (2 * Math.PI * hz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let k = 0; k < n; k++) {
    const th = w * (k + firstSample);
    re += x[k] * Math.cos(th);
    im -= x[k] * Math.sin(th);
  }
  re *= Math.SQRT2 / n;
  im *= Math.SQRT2 / n;
  return { rms: Math.hypot(re, im), phaseRad: Math.atan2(im, re) };
}

/** Mean of x[0 .. n). */
export function meanOf(x: Float64Array, n = x.length): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[k];
  return s / n;
}

/** Rms of x[0 .. n) (DC included). */
export function rmsOfSamples(x: Float64Array, n = x.length): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += x[k] * x[k];
  return Math.sqrt(s / n);
}

/** Total harmonic distortion: rms of orders 2..maxOrder over the fundamental's rms. */
export function thdOf(x: Float64Array, hz: number, sampleRateHz: number, maxOrder = 21, firstSample = 0, n = x.length): number {
  const f1 = toneAt(x, hz, sampleRateHz, firstSample, n).rms;
  let s = 0;
  for (let h = 2; h <= maxOrder && h * hz < sampleRateHz / 2; h++) s += toneAt(x, h * hz, sampleRateHz, firstSample, n).rms ** 2;
  return f1 > 0 ? Math.sqrt(s) / f1 : 0;
}
