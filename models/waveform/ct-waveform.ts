// The current transformer on J10, its burden, C42 and the N-channel input filter (models/frontend/current-transformer.ts
// and rc-filter.ts) at sample level, from the same component values, with the core's saturation.
//
// Circuit referred to the secondary (the phasor level's, node by node):
//
//   J = +-ip/ratio -> node E --+-- magnetising branch: nonlinear Lm (flux linkage lambda) || core loss Rc
//                              +-- Rw + Lleak --> node T --+-- burden Rb || C42
//                                                          +-- Rf --> node P --+-- Cf || Rload     (P = I2P-I2N)
//
// Rf, Cf, Rload are the differential equivalent of the two filter legs (RcFilter.differential: 2 kohm, 16.5 nF,
// 800 kohm). The magnetising branch is a piecewise-linear flux/current curve with a knee: below the knee flux
// i = lambda / Lm (exactly the phasor level's linear inductance, so the two levels agree); above it the incremental
// inductance drops to Lm x saturatedInductanceRatio. The knee flux is the peak flux of a sine EMF of `kneeVolts` rms at
// `kneeHz`: lambda_k = sqrt 2 x kneeVolts / (2 pi kneeHz). Large currents therefore flatten the secondary near its
// peaks, and a DC component of the primary current (which the CT cannot transform: at DC Lm is a short) walks the flux
// into saturation, so DC distorts the secondary of an ordinary CT.
//
// Discretisation: nodal analysis with one companion model per element, solved once per sample (a tridiagonal 3 x 3
// system, factorised in advance for the linear and the saturated slope). Lm and Cf use the trapezoidal rule (second
// order, no damping of the 50 Hz response). C42 and Lleak are parasitics whose time constants with the burden (0.3 us
// for C42 across 4.8 ohm) are far shorter than a sample: the trapezoidal rule would make them ring at 4 kHz after every
// step, so they use backward Euler (L-stable); at 50 Hz that adds a conductance w^2 T C / 2 = 6e-7 S beside 1/Rb = 0.2 S.
// When the flux crosses the knee within a step the step is solved again with the other slope.
//
// A CT with an excitation curve (models/frontend/excitation-curve.ts): its magnetising branch below the knee follows
// the flux amplitude, as the phasor level's operating point does. The branch is held for a cycle and set again at
// the start of the next from the flux amplitude of the cycle just ended, half its peak-to-peak (so a decaying DC
// offset of the flux does not count), with the network refactorised (a few hundred operations, once a cycle). A
// cycle runs from one rising zero crossing of the EMF to the next, at least 1/70 s apart (so a harmonic's extra
// crossings are not taken for cycles); the EMF crosses zero where the flux peaks, so each cycle holds both peaks.
// Starting from the initial permeability, each cycle is one step of the phasor level's fixed-point iteration in
// time, so within a few cycles the fundamental settles where the phasor level's operating point puts it. Not an
// instantaneous B-H curve: that would distort each cycle, which a core below its knee hardly does, and would give a
// different fundamental from the datasheet's rms curve.
import type { CurrentTransformer } from '../frontend/current-transformer.ts';
import type { RcFilter } from '../frontend/rc-filter.ts';
import { checkRate } from './discrete.ts';

export interface CtWaveformOptions {
  /**
   * Saturated incremental inductance over the linear magnetising inductance. [UNDET] 1/500: an air-core-like slope
   * (60 mH for the default 30 H, a few times the burden's reactance at 50 Hz), so deep saturation diverts most of
   * the secondary current, as in a real core.
   */
  saturatedInductanceRatio: number;
  /** Frequency at which `kneeVolts` (rms EMF) is stated, Hz: the CT's rated frequency (50 Hz on this board). */
  kneeHz: number;
}

export const DEFAULT_CT_WAVEFORM_OPTIONS: Readonly<CtWaveformOptions> = Object.freeze({
  saturatedInductanceRatio: 1 / 500,
  kneeHz: 50,
});

/** One slope of the magnetising curve, with the network factorised for it. */
interface Slope {
  /** i_m = a x lambda + b on this slope. */
  a: number;
  b: number;
  /** Companion conductance of the magnetising branch: a T / 2. */
  gm: number;
  // Tridiagonal elimination factors of the nodal matrix.
  invM11: number;
  k1: number;
  invD2: number;
  k2: number;
  invD3: number;
}

/** Shortest cycle counted by a CT with an excitation curve, as a frequency: 70 Hz. */
const MAX_CYCLE_HZ = 70;

export class CtWaveform {
  readonly sampleRateHz: number;
  readonly options: Readonly<CtWaveformOptions>;
  /** Knee flux linkage, weber-turns (peak of the knee EMF's flux). */
  readonly kneeFlux: number;

  readonly #ct: CurrentTransformer;
  readonly #filterConfig: Readonly<{ rOhms: number; cFarads: number; loadOhms: number }>;
  /** Follows an excitation curve (set the branch every cycle). */
  readonly #adaptive: boolean;
  readonly #holdSamples: number;

  readonly #sign: number;
  readonly #invRatio: number;
  readonly #T: number;
  readonly #gs: number;
  readonly #lOverT: number;
  readonly #gc42: number;
  readonly #gf: number;
  readonly #gcf: number;
  #slopes!: [Slope, Slope, Slope];
  /**
   * The linear slope's solve as explicit coefficients: eN, vTN, vPN each = c . (J, lamHist, js, vT, r3), so the three
   * are independent dot products (a short dependency chain per sample) instead of a serial elimination.
   */
  #lin!: Float64Array;
  /** The magnetising branch in use (the fixed one, or the curve's at the last cycle's flux amplitude). */
  #henries = 0;
  #lossOhms = 0;

  // State: flux, EMF, series current, terminal and pin voltages, filter capacitor current (all of the last sample).
  #lambda = 0;
  #e = 0;
  #is = 0;
  #vT = 0;
  #vP = 0;
  #icf = 0;
  #saturatedSamples = 0;
  // Cycle tracking (with a curve): flux extremes and samples since the cycle began.
  #lamHi = 0;
  #lamLo = 0;
  #since = 0;

  constructor(ct: CurrentTransformer, filter: RcFilter, sampleRateHz: number, options: Partial<CtWaveformOptions> = {}) {
    checkRate(sampleRateHz);
    const o = { ...DEFAULT_CT_WAVEFORM_OPTIONS, ...options };
    if (typeof o.saturatedInductanceRatio !== 'number' || !(o.saturatedInductanceRatio > 0 && o.saturatedInductanceRatio <= 1)) {
      throw new RangeError(`CT waveform: saturatedInductanceRatio must be a number > 0 and <= 1, got ${String(o.saturatedInductanceRatio)}`);
    }
    if (typeof o.kneeHz !== 'number' || !Number.isFinite(o.kneeHz) || o.kneeHz <= 0) {
      throw new RangeError(`CT waveform: kneeHz must be a positive number of hertz, got ${String(o.kneeHz)}`);
    }
    this.options = Object.freeze(o);
    this.sampleRateHz = sampleRateHz;
    const c = ct.config;
    const f = filter.config;
    const T = 1 / sampleRateHz;
    this.#T = T;
    this.#sign = c.reversed ? -1 : 1;
    this.#invRatio = 1 / c.ratio;
    this.kneeFlux = (Math.SQRT2 * c.kneeVolts) / (2 * Math.PI * o.kneeHz);

    // Series branch Rw + Lleak (backward Euler): i[n] = gs (v[n] + (L/T) i[n-1]).
    this.#lOverT = c.leakageHenries / T;
    this.#gs = 1 / (c.windingOhms + this.#lOverT);
    // C42 (backward Euler): i = gc42 (v[n] - v[n-1]).
    this.#gc42 = c.parallelCapFarads / T;
    // Filter: Rf between T and P; Cf (trapezoidal) and Rload from P.
    this.#gf = 1 / f.rOhms;
    this.#gcf = (2 * f.cFarads) / T;

    this.#ct = ct;
    this.#filterConfig = { rOhms: f.rOhms, cFarads: f.cFarads, loadOhms: f.loadOhms };
    this.#adaptive = ct.curve !== null;
    this.#holdSamples = Math.ceil(sampleRateHz / MAX_CYCLE_HZ);
    this.#factorise(c.magnetisingHenries, c.coreLossOhms);
  }

  /** The magnetising branch the samples are computed with now: henries and core-loss ohms. */
  get magnetisingBranch(): { henries: number; lossOhms: number } { return { henries: this.#henries, lossOhms: this.#lossOhms }; }

  /** Builds the nodal solve for a magnetising branch of `lm` henries (below the knee) and `rc` ohms of core loss. */
  #factorise(lm: number, rc: number): void {
    this.#henries = lm;
    this.#lossOhms = rc;
    const c = this.#ct.config;
    const f = this.#filterConfig;
    const T = this.#T;
    const gLoad = Number.isFinite(f.loadOhms) ? 1 / f.loadOhms : 0;
    const gs = this.#gs;
    const gf = this.#gf;
    const m22 = gs + this.#gc42 + 1 / c.burdenOhms + gf;
    const m33 = gf + this.#gcf + gLoad;
    const ls = lm * this.options.saturatedInductanceRatio;
    const kneeI = this.kneeFlux / lm;
    const slope = (a: number, b: number): Slope => {
      const gm = (a * T) / 2;
      const m11 = gm + 1 / rc + gs;
      const d2 = m22 - (gs * gs) / m11;
      const d3 = m33 - (gf * gf) / d2;
      return { a, b, gm, invM11: 1 / m11, k1: gs / m11, invD2: 1 / d2, k2: gf / d2, invD3: 1 / d3 };
    };
    // 0: linear; 1: saturated positive; 2: saturated negative. The curve is continuous at +-kneeFlux.
    this.#slopes = [
      slope(1 / lm, 0),
      slope(1 / ls, kneeI - this.kneeFlux / ls),
      slope(1 / ls, -kneeI + this.kneeFlux / ls),
    ];
    // Solve the linear slope for unit inputs to get the coefficients of eN, vTN, vPN on (J, lamHist, js, vT, r3).
    const lin = this.#slopes[0];
    const solve = (J: number, lamHist: number, js: number, vT: number, r3: number): [number, number, number] => {
      const r1 = J - lin.a * lamHist - js;
      const r2p = js + this.#gc42 * vT + lin.k1 * r1;
      const vP = (r3 + lin.k2 * r2p) * lin.invD3;
      const vTn = (r2p + gf * vP) * lin.invD2;
      return [(r1 + gs * vTn) * lin.invM11, vTn, vP];
    };
    const unit = [solve(1, 0, 0, 0, 0), solve(0, 1, 0, 0, 0), solve(0, 0, 1, 0, 0), solve(0, 0, 0, 1, 0), solve(0, 0, 0, 0, 1)];
    this.#lin = Float64Array.from([0, 1, 2].flatMap((out) => unit.map((u) => u[out])));
  }

  /** A cycle ended with a flux amplitude of `amplitude` weber-turns: the branch for the next one. */
  #adapt(amplitude: number): void {
    const b = this.#ct.branchAt(amplitude);
    if (b.henries !== this.#henries || b.lossOhms !== this.#lossOhms) this.#factorise(b.henries, b.lossOhms);
  }

  /** Flux linkage of the core now, weber-turns. */
  get flux(): number { return this.#lambda; }

  /** Samples so far that ended with the core beyond its knee. */
  get saturatedSamples(): number { return this.#saturatedSamples; }

  /** Burden voltage (across J10) of the last sample, volts. */
  get burdenVolts(): number { return this.#vT; }

  /**
   * I2P-I2N samples (volts) from `n` line current samples (amps); `burden`, when given, receives the burden voltage
   * across J10 (before the N filter).
   */
  process(current: Float64Array, pin: Float64Array, n: number, burden?: Float64Array): void {
    const T2 = this.#T / 2;
    const sgn = this.#sign * this.#invRatio;
    const gs = this.#gs;
    const gsl = gs * this.#lOverT;
    const gc42 = this.#gc42;
    const gf = this.#gf;
    const gcf = this.#gcf;
    const kf = this.kneeFlux;
    // The linear slope's coefficients in locals: the fast path while the core stays below its knee.
    let c = this.#lin;
    let e0 = c[0], e1 = c[1], e2 = c[2], e3 = c[3], e4 = c[4];
    let t0 = c[5], t1 = c[6], t2 = c[7], t3 = c[8], t4 = c[9];
    let p0 = c[10], p1 = c[11], p2 = c[12], p3 = c[13], p4 = c[14];
    const adaptive = this.#adaptive;
    const hold = this.#holdSamples;
    let hi = this.#lamHi, lo = this.#lamLo, since = this.#since;
    let lambda = this.#lambda;
    let e = this.#e;
    let is = this.#is;
    let vT = this.#vT;
    let vP = this.#vP;
    let icf = this.#icf;
    let sat = this.#saturatedSamples;
    for (let k = 0; k < n; k++) {
      const J = sgn * current[k];
      // History terms of the companion models (currents leaving the node through the element).
      const js = gsl * is; // series branch, E -> T
      const r2 = js + gc42 * vT; // js - hc, hc = -gc42 vT (C42 at T)
      const r3 = gcf * vP + icf; // -hcf, hcf = -gcf vP - icf (Cf at P)
      const lamHist = lambda + T2 * e;
      let eN: number, vTN: number, vPN: number, lamN: number;
      if (lambda <= kf && lambda >= -kf) {
        eN = e0 * J + e1 * lamHist + e2 * js + e3 * vT + e4 * r3;
        vTN = t0 * J + t1 * lamHist + t2 * js + t3 * vT + t4 * r3;
        vPN = p0 * J + p1 * lamHist + p2 * js + p3 * vT + p4 * r3;
        lamN = lamHist + T2 * eN;
      } else {
        eN = vTN = vPN = lamN = 0;
      }
      if (lamN > kf || lamN < -kf || lambda > kf || lambda < -kf) {
        // Beyond the knee (or crossing it): solve with the slope the flux ends on; again if that moves it back.
        let idx = lambda > kf ? 1 : lambda < -kf ? 2 : 0;
        for (let attempt = 0; attempt < 3; attempt++) {
          const sl = this.#slopes[idx];
          const r1 = J - (sl.a * lamHist + sl.b) - js;
          const r2p = r2 + sl.k1 * r1;
          vPN = (r3 + sl.k2 * r2p) * sl.invD3;
          vTN = (r2p + gf * vPN) * sl.invD2;
          eN = (r1 + gs * vTN) * sl.invM11;
          lamN = lamHist + T2 * eN;
          const idxN = lamN > kf ? 1 : lamN < -kf ? 2 : 0;
          if (idxN === idx) break;
          idx = idxN;
        }
        if (idx !== 0) sat++;
      }
      is = gs * (eN - vTN) + js;
      icf = gcf * (vPN - vP) - icf;
      if (adaptive) {
        if (lamN > hi) hi = lamN;
        if (lamN < lo) lo = lamN;
        since++;
        if (e < 0 && eN >= 0 && since >= hold) {
          // A cycle ended (the EMF rises through zero: the flux is at its trough): the branch for the next one.
          this.#adapt((hi - lo) / 2);
          c = this.#lin;
          e0 = c[0]; e1 = c[1]; e2 = c[2]; e3 = c[3]; e4 = c[4];
          t0 = c[5]; t1 = c[6]; t2 = c[7]; t3 = c[8]; t4 = c[9];
          p0 = c[10]; p1 = c[11]; p2 = c[12]; p3 = c[13]; p4 = c[14];
          hi = lo = lamN;
          since = 0;
        }
      }
      lambda = lamN;
      e = eN;
      vT = vTN;
      vP = vPN;
      pin[k] = vPN;
      if (burden !== undefined) burden[k] = vTN;
    }
    this.#lambda = lambda;
    this.#e = e;
    this.#is = is;
    this.#vT = vT;
    this.#vP = vP;
    this.#icf = icf;
    this.#saturatedSamples = sat;
    this.#lamHi = hi;
    this.#lamLo = lo;
    this.#since = since;
  }

  /** De-energised and demagnetised (as a new part). */
  reset(): void {
    this.#lambda = this.#e = this.#is = this.#vT = this.#vP = this.#icf = 0;
    this.#saturatedSamples = 0;
    this.#lamHi = this.#lamLo = this.#since = 0;
    const c = this.#ct.config;
    if (this.#henries !== c.magnetisingHenries || this.#lossOhms !== c.coreLossOhms) this.#factorise(c.magnetisingHenries, c.coreLossOhms);
  }
}
