// The supply at sample level: the same GridSource state as the phasor level (models/grid/grid-source.ts: Vrms,
// frequency, phase, harmonics, outage), turned into line-to-neutral voltage samples, plus optional seeded noise.
//
//   v(t) = sum over h of sqrt 2 x V_h x cos(h theta(t) + phi_h),   theta(t) = fundamental phase, d theta/dt = 2 pi hz
//
// theta runs as a phase accumulator (a double, wrapped each block); within a block cos/sin of theta advance by a
// rotation recurrence (no Math.sin per sample), and so does each harmonic h (started from h theta, rotating by h x the
// fundamental's step). Each block restarts the recurrences from the accumulator, so nothing drifts however long the
// run.
//
// Changes (`apply`) act at the next sample rendered: a sag/swell changes the amplitude, a frequency step changes the
// rate of theta (phase continuous), a phase jump adds to theta (the grid's `phaseDeg`, as at phasor level: every order
// h moves by h x the jump), an outage gives 0 V. Split a render at the change's time to place it exactly.
import { GridSource, type GridChange, type GridConfig, type GridState } from '../grid/grid-source.ts';
import { checkRate } from './discrete.ts';

export interface GridWaveformOptions {
  /** Rms of white noise added to the line voltage, volts (0: none). Needs `random`. */
  noiseVrms: number;
  /** Seeded uniform source in [0, 1) for the noise (e.g. the bench's Rng); required when noiseVrms > 0. */
  random?: () => number;
}

export class GridWaveform {
  readonly sampleRateHz: number;
  readonly source: GridSource;
  /** cos and sin of the fundamental's phase theta at each sample of the last render (for phase-locked loads). */
  readonly cos1: Float64Array;
  readonly sin1: Float64Array;

  #theta: number;
  #phaseDeg: number;
  #noiseVrms: number;
  #rng = 0;
  // Harmonic orders >= 2 and their rms volts and phase (radians, relative to the fundamental).
  #orders: Int32Array = new Int32Array(0);
  #hc: Float64Array = new Float64Array(0);
  #hs: Float64Array = new Float64Array(0);

  constructor(config: Partial<GridConfig> = {}, sampleRateHz = 8000, options: Partial<GridWaveformOptions> = {}, maxBlock = 8192) {
    checkRate(sampleRateHz);
    if (!Number.isInteger(maxBlock) || maxBlock <= 0) throw new RangeError(`grid waveform: maxBlock must be a positive integer, got ${String(maxBlock)}`);
    this.sampleRateHz = sampleRateHz;
    this.source = new GridSource(config);
    this.cos1 = new Float64Array(maxBlock);
    this.sin1 = new Float64Array(maxBlock);
    const noise = options.noiseVrms ?? 0;
    if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0) {
      throw new RangeError(`grid noiseVrms must be a number of volts >= 0, got ${String(noise)}`);
    }
    if (noise > 0 && typeof options.random !== 'function') {
      throw new TypeError('grid noise needs a seeded random source: pass options.random, a function returning numbers in [0, 1)');
    }
    this.#noiseVrms = noise;
    if (options.random) this.#rng = seedFrom(options.random);
    this.#phaseDeg = this.source.state.phaseDeg;
    this.#theta = (this.#phaseDeg * Math.PI) / 180;
    this.#rebuild();
  }

  get state(): GridState { return this.source.state; }

  /** Phase of the fundamental at the next sample, radians in [0, 2 pi). */
  get theta(): number { return this.#theta; }

  /** Applies a change from the next sample on (same checks and shape as the phasor level's GridSource.apply). */
  apply(change: GridChange): void {
    this.source.apply(change);
    const p = this.source.state.phaseDeg;
    if (p !== this.#phaseDeg) {
      this.#theta = wrap(this.#theta + ((p - this.#phaseDeg) * Math.PI) / 180);
      this.#phaseDeg = p;
    }
    this.#rebuild();
  }

  /** Renders the next `n` samples of line-to-neutral voltage (volts) into `out`. */
  render(out: Float64Array, n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.cos1.length || n > out.length) {
      throw new RangeError(`grid waveform: block of ${String(n)} samples does not fit (at most ${Math.min(this.cos1.length, out.length)})`);
    }
    const s = this.source.state;
    const w = (2 * Math.PI * s.hz) / this.sampleRateHz;
    const cd = Math.cos(w);
    const sd = Math.sin(w);
    const theta0 = this.#theta;
    let c = Math.cos(theta0);
    let si = Math.sin(theta0);
    const cos1 = this.cos1;
    const sin1 = this.sin1;
    for (let k = 0; k < n; k++) {
      cos1[k] = c;
      sin1[k] = si;
      const c2 = c * cd - si * sd;
      si = si * cd + c * sd;
      c = c2;
    }
    this.#theta = wrap(this.#theta + w * n);

    const a1 = s.outage ? 0 : Math.SQRT2 * s.vrms;
    for (let k = 0; k < n; k++) out[k] = a1 * cos1[k];
    // Each harmonic h: sqrt 2 V_h cos(h theta + phi_h), its own rotation recurrence started from h theta0.
    const orders = this.#orders;
    for (let j = 0; j < orders.length; j++) {
      const h = orders[j];
      const a = this.#hc[j];
      const b = this.#hs[j];
      const hcd = Math.cos(h * w);
      const hsd = Math.sin(h * w);
      let hc = Math.cos(h * theta0);
      let hs = Math.sin(h * theta0);
      for (let k = 0; k < n; k++) {
        out[k] += a * hc - b * hs;
        const t = hc * hcd - hs * hsd;
        hs = hs * hcd + hc * hsd;
        hc = t;
      }
    }
    if (this.#noiseVrms > 0) {
      // Uniform noise of the rms asked for (one int32 per sample, variance 2^64 / 12).
      const scale = (this.#noiseVrms * Math.sqrt(3)) / 2147483648;
      let x = this.#rng | 0;
      for (let k = 0; k < n; k++) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        out[k] += x * scale;
      }
      this.#rng = x;
    }
  }

  #rebuild(): void {
    const s = this.source.state;
    const hs = s.outage ? [] : s.harmonics.filter((h) => h.percent > 0);
    this.#orders = Int32Array.from(hs.map((h) => h.order));
    this.#hc = Float64Array.from(hs.map((h) => Math.SQRT2 * (s.vrms * h.percent) / 100 * Math.cos(((h.phaseDeg ?? 0) * Math.PI) / 180)));
    this.#hs = Float64Array.from(hs.map((h) => Math.SQRT2 * (s.vrms * h.percent) / 100 * Math.sin(((h.phaseDeg ?? 0) * Math.PI) / 180)));
  }
}

/** A non-zero xorshift32 state drawn from a seeded uniform source. */
export function seedFrom(random: () => number): number {
  const u = random();
  if (typeof u !== 'number' || !(u >= 0 && u < 1)) throw new RangeError(`random source must return numbers in [0, 1), got ${String(u)}`);
  return (Math.floor(u * 4294967296) | 1) >>> 0 || 1;
}

function wrap(x: number): number {
  const t = 2 * Math.PI;
  const r = x % t;
  return r < 0 ? r + t : r;
}
