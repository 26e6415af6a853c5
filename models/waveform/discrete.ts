// Discretisation of the front end's first-order transfer functions for the waveform level: the bilinear (Tustin)
// transform s = K (1 - z^-1) / (1 + z^-1), K = 2/T, or K = w0 / tan(w0 T / 2) when prewarped so the discrete response
// equals the analog one exactly at w0. A first-order section then runs as
//   y[n] = b0 x[n] + b1 x[n-1] - a1 y[n-1]
// Tustin maps the analog frequency axis onto the discrete one as w_a = K tan(w_d T / 2): without prewarping, 50 Hz at
// 8 kHz is seen as 50 x (1 + 1.3e-4) Hz, which moves the 0.594 deg filter lag by 1e-4 deg. Hot loops are plain JS.

/** Coefficients of y[n] = b0 x[n] + b1 x[n-1] - a1 y[n-1]. */
export interface FirstOrderCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly a1: number;
}

/** The Tustin constant K for a sample rate, prewarped at `prewarpHz` (0: no prewarping, K = 2 fs). */
export function tustinK(sampleRateHz: number, prewarpHz = 0): number {
  checkRate(sampleRateHz);
  if (typeof prewarpHz !== 'number' || !Number.isFinite(prewarpHz) || prewarpHz < 0 || prewarpHz >= sampleRateHz / 2) {
    throw new RangeError(`prewarp frequency must be from 0 to below half the sample rate (${sampleRateHz / 2} Hz), got ${String(prewarpHz)}`);
  }
  if (prewarpHz === 0) return 2 * sampleRateHz;
  const w0 = 2 * Math.PI * prewarpHz;
  return w0 / Math.tan(w0 / (2 * sampleRateHz));
}

/**
 * Tustin transform of H(s) = (n0 + n1 s) / (d0 + d1 s):
 *   H(z) = (n0 (1 + z^-1) + n1 K (1 - z^-1)) / (d0 (1 + z^-1) + d1 K (1 - z^-1)).
 */
export function tustinFirstOrder(n0: number, n1: number, d0: number, d1: number, sampleRateHz: number, prewarpHz = 0): FirstOrderCoefficients {
  for (const [name, v] of [['n0', n0], ['n1', n1], ['d0', d0], ['d1', d1]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`first-order section: ${name} must be a finite number, got ${String(v)}`);
  }
  const K = tustinK(sampleRateHz, prewarpHz);
  const a0 = d0 + d1 * K;
  if (a0 === 0) throw new RangeError('first-order section: the denominator vanishes after the transform (d0 + d1 K = 0)');
  return { b0: (n0 + n1 * K) / a0, b1: (n0 - n1 * K) / a0, a1: (d0 - d1 * K) / a0 };
}

/** First-order high-pass s / (s + wc) by Tustin, the corner prewarped (0 Hz corner: a pass-through). */
export function tustinHighPass(cornerHz: number, sampleRateHz: number): FirstOrderCoefficients {
  if (typeof cornerHz !== 'number' || !Number.isFinite(cornerHz) || cornerHz < 0) {
    throw new RangeError(`high-pass corner must be a number of hertz >= 0, got ${String(cornerHz)}`);
  }
  if (cornerHz === 0) return { b0: 1, b1: 0, a1: 0 };
  const K = tustinK(sampleRateHz, cornerHz);
  const wc = 2 * Math.PI * cornerHz;
  return { b0: K / (K + wc), b1: -K / (K + wc), a1: (wc - K) / (K + wc) };
}

/** Complex response [re, im] of a first-order section at `hz`: (b0 + b1 z^-1) / (1 + a1 z^-1), z = exp(j w T). */
export function firstOrderResponse(c: FirstOrderCoefficients, hz: number, sampleRateHz: number): [number, number] {
  const w = (2 * Math.PI * hz) / sampleRateHz;
  const cr = Math.cos(w);
  const ci = -Math.sin(w);
  const nr = c.b0 + c.b1 * cr;
  const ni = c.b1 * ci;
  const dr = 1 + c.a1 * cr;
  const di = c.a1 * ci;
  const d = dr * dr + di * di;
  return [(nr * dr + ni * di) / d, (ni * dr - nr * di) / d];
}

/** A running first-order section with its one sample of history. */
export class FirstOrderSection {
  readonly coefficients: FirstOrderCoefficients;
  #x1 = 0;
  #y1 = 0;

  constructor(c: FirstOrderCoefficients) {
    this.coefficients = Object.freeze({ b0: c.b0, b1: c.b1, a1: c.a1 });
  }

  /** Filters `n` samples of `input` into `output` (the two may be the same array). */
  process(input: Float64Array, output: Float64Array, n: number): void {
    const { b0, b1, a1 } = this.coefficients;
    let x1 = this.#x1;
    let y1 = this.#y1;
    for (let k = 0; k < n; k++) {
      const x = input[k];
      const y = b0 * x + b1 * x1 - a1 * y1;
      output[k] = y;
      x1 = x;
      y1 = y;
    }
    this.#x1 = x1;
    this.#y1 = y1;
  }

  /** Clears the history (as after power-up). */
  reset(): void {
    this.#x1 = 0;
    this.#y1 = 0;
  }
}

export function checkRate(sampleRateHz: number): void {
  if (typeof sampleRateHz !== 'number' || !Number.isFinite(sampleRateHz) || sampleRateHz <= 0) {
    throw new RangeError(`sample rate must be a positive number of hertz, got ${String(sampleRateHz)}`);
  }
}
