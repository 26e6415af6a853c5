// A discrete filter that carries an analog response into 8 kHz samples exactly over the band the chip measures, at a
// fixed latency: the causal FIR b_0..b_{M-1} (with, where it helps, one real pole) that minimises, over a dense grid of frequencies f,
//
//   sum over f of  w(f) x | sum_k b_k e^(-j 2 pi f k T)  -  H(f) e^(-j 2 pi f d T) |^2        (T = 1/fs, d = latency)
//
// (weight 1 up to a little beyond `bandHz`, 1e4 around the fundamental, 1e-5 above the band, which keeps the response
// bounded up to Nyquist). Why a latency:
// the line arrives as samples, and a causal zero-latency filter can only extrapolate between them: Tustin without
// prewarping reads -11.6 % / -10.9 deg at 2.5 kHz on this board's 4.8 kHz RC, and no stable low-order IIR fitted to the
// response does better than about 0.3 % there. With d samples of look-back the fit is a fractional-delay design around
// the response and converges fast: 13 taps at d = 6 carry the board's responses within about 1e-4 and 0.01 deg up to
// 2.5 kHz. Every channel of the front end gets the same d, so the chip sees its pins d samples (0.75 ms) late, all
// together, as it sees them behind its own sigma-delta decimation filters: rms, power, power factor and the V-I angle do
// not change; only the pins' absolute timing against the line does, by d/fs.
//
// A response with a pole low in the band (a large added capacitor) has a long tail: the design then tries more taps
// and one real pole r (y[n] = sum b_k x[n-k] + r y[n-1]) ahead of the taps. The fit is a small real least-squares
// problem (M unknowns), solved once per board by Cholesky on its normal equations (by hand: 20 lines, where mathjs
// would add about 90 MB to every process that builds a waveform plant).
import type { Complex } from '../frontend/impedance.ts';
import { checkRate } from './discrete.ts';

export interface MatchedFirOptions {
  sampleRateHz: number;
  /** Samples the filter's output lags the analog response by (the same on every channel), default 6. */
  latencySamples?: number;
  /** Highest frequency the response must be carried to, hertz (default 2500: the 50th harmonic of 50 Hz). */
  bandHz?: number;
  /**
   * Number of taps. Default: 2 x latency + 1, grown by 4 at a time (up to 64) while the fit misses `tolerance`; a
   * response with a pole low in the band (a large added capacitor) has a long tail and takes more.
   */
  taps?: number;
  /** What the default design aims for: gain ratio within 1 +- gain, phase within +-phaseDeg (2e-4, 0.02 deg). */
  tolerance?: { gain: number; phaseDeg: number };
}

export interface MatchedFir {
  readonly taps: Float64Array;
  /** The one real pole r of the recursion y[n] = sum b_k x[n-k] + r y[n-1] (0: a plain FIR). */
  readonly pole: number;
  readonly latencySamples: number;
  readonly bandHz: number;
  /** Largest |gain ratio - 1| of the filter (latency removed) against the response, up to bandHz. */
  readonly gainError: number;
  /** Largest phase difference, degrees, over the same band. */
  readonly phaseErrorDeg: number;
}

export const DEFAULT_LATENCY_SAMPLES = 6;

/**
 * Designs the filter for `response(hz)` (a complex ratio); a response that is 0 everywhere gives an all-zero filter.
 * Each tap count is tried without a pole and with one real pole r = exp(-2 pi fp / fs) for corners fp from 1 Hz to
 * 4 kHz (the numerator then fits response x (1 - r z^-1), which a pole low in the band makes short); the first count
 * that meets the tolerance wins, with its best pole.
 */
export function designMatchedFir(response: (hz: number) => Complex, options: MatchedFirOptions): MatchedFir {
  const fs = options.sampleRateHz;
  checkRate(fs);
  const d = options.latencySamples ?? DEFAULT_LATENCY_SAMPLES;
  const band = options.bandHz ?? 2500;
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`matched FIR: latencySamples must be a whole number >= 0, got ${String(d)}`);
  if (options.taps !== undefined && (!Number.isInteger(options.taps) || options.taps < 1 || options.taps > 256)) {
    throw new RangeError(`matched FIR: taps must be a whole number from 1 to 256, got ${String(options.taps)}`);
  }
  if (typeof band !== 'number' || !(band > 0 && band < fs / 2)) {
    throw new RangeError(`matched FIR: bandHz must be above 0 and below half the sample rate (${fs / 2} Hz), got ${String(band)}`);
  }
  const grid = sampleResponse(response, fs, band);
  const tol = options.tolerance ?? { gain: 2e-4, phaseDeg: 0.02 };
  const score = (f: MatchedFir): number => Math.max(f.gainError / tol.gain, f.phaseErrorDeg / tol.phaseDeg);
  // Pole corners on a log scale from 1 Hz to 4 kHz (24 steps); the best one is then refined by golden section.
  const poleAt = (x: number): number => Math.exp((-2 * Math.PI * 4000 ** x) / fs);
  let best: MatchedFir | null = null;
  const counts = options.taps !== undefined ? [options.taps] : Array.from({ length: 13 }, (_, k) => 2 * d + 1 + 4 * k);
  for (const m of counts) {
    const plain = fit(grid, fs, d, band, m, 0);
    if (best === null || score(plain) < score(best)) best = plain;
    if (score(plain) <= 1) return plain;
    let bx = 0, bs = Infinity;
    for (let k = 0; k <= 24; k++) {
      const f = fit(grid, fs, d, band, m, poleAt(k / 24));
      if (score(f) < bs) { bs = score(f); bx = k / 24; }
      if (score(f) < score(best)) best = f;
    }
    let lo = Math.max(0, bx - 1 / 24), hi = Math.min(1, bx + 1 / 24);
    const g = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 16; it++) {
      const x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
      const f1 = fit(grid, fs, d, band, m, poleAt(x1)), f2 = fit(grid, fs, d, band, m, poleAt(x2));
      for (const f of [f1, f2]) if (score(f) < score(best)) best = f;
      if (score(f1) < score(f2)) hi = x2; else lo = x1;
    }
    if (score(best) <= 1) break;
  }
  return best!;
}

/**
 * Weight of 40..70 Hz (the fundamental of a 50 or 60 Hz grid and the +-2 % frequency tests) against 1 elsewhere in the
 * band: the meter's energy is almost all there, so the fit carries it within about 1e-6 and 0.0001 deg while the
 * harmonics stay within 2e-4 and 0.02 deg.
 */
const FUNDAMENTAL_WEIGHT = 1e4;

interface Grid { f: Float64Array; re: Float64Array; im: Float64Array; weight: Float64Array; inBand: number; scale: number }

/** The response every band/250 Hz up to 0.97 x Nyquist; weight 1 to a little beyond the band, 1e-5 above. */
function sampleResponse(response: (hz: number) => Complex, fs: number, band: number): Grid {
  const nyq = fs / 2;
  const fitTop = band + 0.1 * (nyq - band);
  const step = band / 250;
  const count = Math.ceil((0.97 * nyq) / step) - 1;
  const g: Grid = { f: new Float64Array(count), re: new Float64Array(count), im: new Float64Array(count), weight: new Float64Array(count), inBand: 250, scale: 0 };
  for (let k = 0; k < count; k++) {
    const f = (k + 1) * step;
    const h = response(f);
    if (!Number.isFinite(h.re) || !Number.isFinite(h.im)) throw new RangeError(`matched FIR: the response at ${f} Hz is not finite`);
    g.f[k] = f; g.re[k] = h.re; g.im[k] = h.im;
    g.weight[k] = f >= 40 && f <= 70 ? FUNDAMENTAL_WEIGHT : f <= fitTop ? 1 : 1e-5;
    g.scale = Math.max(g.scale, Math.hypot(h.re, h.im));
  }
  return g;
}

/** Least-squares numerator of M taps for the pole r, and its error over the band. */
function fit(g: Grid, fs: number, d: number, band: number, M: number, pole: number): MatchedFir {
  if (g.scale === 0) return { taps: new Float64Array(M), pole: 0, latencySamples: d, bandHz: band, gainError: 0, phaseErrorDeg: 0 };
  const N = new Float64Array(M * M);
  const rhs = new Float64Array(M);
  for (let k = 0; k < g.f.length; k++) {
    const wd = (2 * Math.PI * g.f[k]) / fs;
    const w = g.weight[k];
    // Target H e^(-j wd d) (1 - r e^(-j wd)).
    const cd = Math.cos(wd * d), sd = Math.sin(wd * d);
    let tr = g.re[k] * cd + g.im[k] * sd, ti = g.im[k] * cd - g.re[k] * sd;
    if (pole !== 0) {
      const ar = 1 - pole * Math.cos(wd), ai = pole * Math.sin(wd);
      [tr, ti] = [tr * ar - ti * ai, tr * ai + ti * ar];
    }
    for (let i = 0; i < M; i++) {
      // Re(conj(e^(-j wd i)) x target) = cos(wd i) tr - sin(wd i) ti
      rhs[i] += w * (Math.cos(wd * i) * tr - Math.sin(wd * i) * ti);
      for (let j = i; j < M; j++) N[i * M + j] += w * Math.cos(wd * (i - j));
    }
  }
  for (let i = 0; i < M; i++) for (let j = 0; j < i; j++) N[i * M + j] = N[j * M + i];
  const taps = choleskySolve(N, rhs, M);
  let gain = 0, phase = 0;
  for (let k = 0; k < g.inBand; k++) {
    const [yr, yi] = filterResponse(taps, pole, g.f[k], fs, d);
    const hr = g.re[k], hi = g.im[k];
    const hh = hr * hr + hi * hi;
    if (hh === 0) continue;
    const qr = (yr * hr + yi * hi) / hh, qi = (yi * hr - yr * hi) / hh;
    gain = Math.max(gain, Math.abs(Math.hypot(qr, qi) - 1));
    phase = Math.max(phase, Math.abs((Math.atan2(qi, qr) * 180) / Math.PI));
  }
  return { taps, pole, latencySamples: d, bandHz: band, gainError: gain, phaseErrorDeg: phase };
}

/**
 * The filter's response at `hz` as [re, im]: sum of b_k e^(-j w k) / (1 - r e^(-j w)), w = 2 pi hz / fs, multiplied
 * by e^(+j w d) to take the latency `d` out (0: as it runs).
 */
export function filterResponse(taps: Float64Array, pole: number, hz: number, fs: number, d = 0): [number, number] {
  const w = (2 * Math.PI * hz) / fs;
  let re = 0, im = 0;
  for (let k = 0; k < taps.length; k++) { re += taps[k] * Math.cos(w * (k - d)); im -= taps[k] * Math.sin(w * (k - d)); }
  if (pole === 0) return [re, im];
  const ar = 1 - pole * Math.cos(w), ai = pole * Math.sin(w);
  const aa = ar * ar + ai * ai;
  return [(re * ar + im * ai) / aa, (im * ar - re * ai) / aa];
}

/** Solves the symmetric positive definite system N x = r (N row-major, n x n). */
function choleskySolve(N: Float64Array, r: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = N[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matched FIR: the fit is singular (too many taps for the band)');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = r[i]; for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k]; y[i] = s / L[i * n + i]; }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) { let s = y[i]; for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k]; x[i] = s / L[i * n + i]; }
  return x;
}

/**
 * A running filter y[n] = sum b_k x[n-k] + r y[n-1] with its history (input and output may be the same array). Before
 * its first sample (and after a reset) it takes its input to have held that first sample's value, its output settled:
 * a band-limited filter fed a step out of silence rings ahead of the step, and the 8 kHz line starts at its crest, so
 * a cold start would put spurious zero crossings on the voltage pin; a held start joins the line smoothly.
 */
export class FirFilter {
  readonly taps: Float64Array;
  /** The real pole r (0: a plain FIR). */
  readonly pole: number;
  /** History: the last M - 1 inputs (newest first), then the last output. */
  readonly #state: Float64Array;
  readonly #run: (input: Float64Array, output: Float64Array, n: number, state: Float64Array) => void;
  #primed = false;

  constructor(taps: Float64Array, pole = 0) {
    if (!(taps instanceof Float64Array) || taps.length === 0) throw new TypeError('FIR filter needs a non-empty Float64Array of taps');
    if (typeof pole !== 'number' || !(pole > -1 && pole < 1)) throw new RangeError(`FIR filter: the pole must be inside the unit circle (-1 < r < 1), got ${String(pole)}`);
    this.taps = Float64Array.from(taps);
    this.pole = pole;
    this.#state = new Float64Array(taps.length);
    this.#run = compile(this.taps, pole);
  }

  process(input: Float64Array, output: Float64Array, n: number): void {
    const st = this.#state;
    if (!this.#primed && n > 0) {
      const M = this.taps.length;
      st.fill(input[0], 0, M - 1);
      let sum = 0;
      for (let i = 0; i < M; i++) sum += this.taps[i];
      st[M - 1] = (sum * input[0]) / (1 - this.pole);
      this.#primed = true;
    }
    this.#run(input, output, n, st);
  }

  reset(): void {
    this.#state.fill(0);
    this.#primed = false;
  }
}

/**
 * The filter's sample loop with its taps as constants and its history in locals (x1 .. x(M-1), y1), generated once per
 * filter: the runtime then keeps the whole history in registers, several times faster than a loop over a taps array
 * (the waveform plant runs two of these per sample). Only numbers the design computed go into the generated text.
 */
function compile(taps: Float64Array, pole: number): (input: Float64Array, output: Float64Array, n: number, state: Float64Array) => void {
  const M = taps.length;
  const lit = (v: number): string => {
    if (!Number.isFinite(v)) throw new RangeError(`FIR filter: tap ${String(v)} is not a finite number`);
    return `(${v.toPrecision(17)})`;
  };
  const xs = Array.from({ length: M - 1 }, (_, i) => `x${i + 1}`);
  // The products summed as a balanced tree: a left-to-right chain of M additions waits on each one in turn.
  const tree = (terms: string[]): string => (terms.length === 1 ? terms[0]
    : `(${tree(terms.slice(0, terms.length >> 1))} + ${tree(terms.slice(terms.length >> 1))})`);
  const products = [`${lit(taps[0])} * x0`, ...xs.map((x, i) => `${lit(taps[i + 1])} * ${x}`)];
  const sum = pole === 0 ? tree(products) : `${tree(products)} + ${lit(pole)} * y1`;
  const shift = xs.slice().reverse().map((x, i, all) => `${x} = ${i === all.length - 1 ? 'x0' : all[i + 1]};`).join(' ');
  const body = `
    ${xs.map((x, i) => `let ${x} = state[${i}];`).join(' ')}
    let y1 = state[${M - 1}];
    for (let k = 0; k < n; k++) {
      const x0 = input[k];
      const y = ${sum};
      output[k] = y;
      ${shift}
      y1 = y;
    }
    ${xs.map((x, i) => `state[${i}] = ${x};`).join(' ')}
    state[${M - 1}] = y1;`;
  return new Function('input', 'output', 'n', 'state', body) as (input: Float64Array, output: Float64Array, n: number, state: Float64Array) => void;
}
