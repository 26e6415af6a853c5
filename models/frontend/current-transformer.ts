// The current transformer on J10 and its burden (docs/atm90e26.md section 5): CT -> R7 2.4R + R8 2.4R in series
// (4.8 ohm burden), C42 100 nF across the CT, and the N-channel filter (rc-filter.ts) hanging on the same terminals.
//
// Equivalent circuit referred to the secondary:
//
//   Ip/ratio --+-- Rw + jwLleak --+-- terminals (J10.2 - J10.1): burden || C42 || external load (the filter)
//              |                   |
//        Lm || Rc (magnetising     = Vb, the burden voltage
//        and core-loss branch)
//
// The magnetising branch takes a little of the current, so the secondary current is slightly smaller than Ip/ratio
// (ratio error, a fraction of a percent) and leads it (phase error, a fraction of a degree); both grow with the
// total burden (winding + burden + whatever the terminals see). At DC the magnetising branch is a short: a CT passes
// no DC (its DC saturation is a waveform-level effect, see kneeVolts).
//
// The CT ratio is not documented anywhere on the board (BOM: "Current transformer (100amps)"); 1000:1 fits the docs
// best (5 A -> 24 mV, close to the assembly guide's 21.3 mV). The winding, magnetising and core-loss values are
// [UNDET] for this part: the defaults are plausible for a 100 A, 1000:1 metering toroid and documented below.
//
// Without an excitation curve the magnetising inductance and core loss are fixed: the CT is linear below its knee
// and its errors are the same at every current. With one (`excitation`, excitation-curve.ts) they follow the core's
// flux: at each primary current the operating point is solved (operatingPoint), and the CT at that point is a linear
// CT again (atOperatingPoint), whose transfer and errors are those of that current.
import {
  type Complex, cadd, cdiv, checkHz, checkPositive, cmul, cscale, cx, isZero, yCapacitor, yResistor, zInductor, zFromY,
  cabs, carg, ZERO,
} from './impedance.ts';
import { ExcitationCurve, type ExcitationCurveSpec } from './excitation-curve.ts';

/** Relative change of the EMF between two iterations at which the operating point counts as solved. */
export const OPERATING_POINT_TOLERANCE = 1e-12;
/** Iterations of the operating point's solve before it gives up. */
export const OPERATING_POINT_MAX_ITERATIONS = 100;

export class CtOperatingPointError extends Error {
  override readonly name = 'CtOperatingPointError';
}

/** Where a CT with an excitation curve works at one primary current. */
export interface CtOperatingPoint {
  /** Primary rms current at the fundamental, amps, and its frequency, Hz. */
  primaryAmps: number;
  hz: number;
  /** Rms EMF across the magnetising branch, volts. */
  emfVolts: number;
  /** Peak flux linkage of the core, weber-turns (sqrt 2 EMF / (2 pi hz)). */
  flux: number;
  /** The magnetising branch at that flux. */
  magnetisingHenries: number;
  coreLossOhms: number;
  /** Iterations the solve took (0 without a curve: nothing to solve). */
  iterations: number;
}

export interface CurrentTransformerConfig {
  /** Turns ratio N:1 (ctRatio): 1000 for a 5(100) A / 5 mA CT. */
  ratio: number;
  /** Burden resistance across the secondary: R7 + R8 = 2 x 2.4 ohm. */
  burdenOhms: number;
  /** Secondary winding resistance, ohms. [UNDET] 8 ohm: about 1000 turns of 0.2 mm copper on a small toroid. */
  windingOhms: number;
  /** Secondary leakage inductance, henries. [UNDET] 0: negligible on a toroid with the primary through its centre. */
  leakageHenries: number;
  /**
   * Magnetising inductance referred to the secondary, henries. [UNDET] 30 H (AL about 30 uH/turn^2 at 1000 turns,
   * a high-permeability metering core): with 12.8 ohm of winding + burden this gives the CT itself a phase lead of
   * about 0.078 deg at 50 Hz (the whole current path, with C42 and the anti-aliasing filter, leads by about 0.068 deg),
   * so the uncalibrated meter (Nphi = 0 in the firmware) stays within class 1 at PF 0.5.
   */
  magnetisingHenries: number;
  /** Core-loss resistance across the magnetising branch, ohms. [UNDET] 25 kohm: ratio error about -0.05 %. */
  coreLossOhms: number;
  /** Capacitor across the CT terminals (C42 "104"), farads. */
  parallelCapFarads: number;
  /**
   * Knee-point EMF (rms volts across the magnetising branch) above which the core saturates. [UNDET] 5 V: the
   * default CT reaches it near 390 A primary. Used by the waveform level; the phasor level reports the margin only.
   */
  kneeVolts: number;
  /** CT fitted the other way round on J10 (polarity is not marked): the burden voltage changes sign. */
  reversed: boolean;
  /**
   * The core's excitation curve (excitation-curve.ts), or none (absent or null: the linear CT above). With a curve,
   * `magnetisingHenries` and `coreLossOhms` are the branch below the curve's first point (its initial permeability)
   * and scale the whole curve: a unit whose inductance is drawn 10 % high has 10 % more inductance at every flux.
   */
  excitation?: ExcitationCurveSpec | null;
}

export const DEFAULT_CURRENT_TRANSFORMER: Readonly<CurrentTransformerConfig> = {
  ratio: 1000,
  burdenOhms: 4.8,
  windingOhms: 8,
  leakageHenries: 0,
  magnetisingHenries: 30,
  coreLossOhms: 25e3,
  parallelCapFarads: 100e-9,
  kneeVolts: 5,
  reversed: false,
};

export class CurrentTransformer {
  readonly config: Readonly<CurrentTransformerConfig>;
  /** The excitation curve, or null for the linear CT. */
  readonly curve: ExcitationCurve | null;

  readonly #scaleL: number;
  readonly #scaleR: number;

  /**
   * With `excitation` and no `magnetisingHenries`/`coreLossOhms` of its own, the branch below the curve's first
   * point is the curve's (scale 1).
   */
  constructor(config: Partial<CurrentTransformerConfig> = {}) {
    const curve = config.excitation ? new ExcitationCurve(config.excitation) : null;
    const fromCurve = curve ? { magnetisingHenries: curve.initial.henries, coreLossOhms: curve.initial.lossOhms } : {};
    const c = { ...DEFAULT_CURRENT_TRANSFORMER, ...fromCurve, ...config };
    if (!curve) delete c.excitation;
    for (const k of ['ratio', 'burdenOhms', 'windingOhms', 'magnetisingHenries', 'coreLossOhms', 'kneeVolts'] as const) {
      checkPositive(c[k], k, 'current transformer');
    }
    checkPositive(c.leakageHenries, 'leakageHenries', 'current transformer', true);
    checkPositive(c.parallelCapFarads, 'parallelCapFarads', 'current transformer', true);
    if (typeof c.reversed !== 'boolean') {
      throw new TypeError(`current transformer: reversed must be true or false, got ${String(c.reversed)}`);
    }
    this.config = Object.freeze(c);
    this.curve = curve;
    this.#scaleL = curve ? c.magnetisingHenries / curve.initial.henries : 1;
    this.#scaleR = curve ? c.coreLossOhms / curve.initial.lossOhms : 1;
  }

  /**
   * The operating point at `primaryAmps` rms of primary current at `hz`, with the terminals loaded by `loadY`. The
   * EMF E sets the flux, the flux the magnetising branch Zm (the curve), and the branch the EMF:
   * E = |Ip/ratio| |Zm(E) || Zs| with Zs the winding, leakage and terminal impedance. Solved by fixed-point iteration
   * from the initial permeability; each step changes E by about |Zs|/|Zm| (a few thousandths) times the curve's
   * log-log slope, so it converges in a handful of steps, to OPERATING_POINT_TOLERANCE. Without a curve the branch
   * is the fixed one. A curve so steep that the iteration does not settle (a CT driven into a near-vertical part of
   * its curve) is a CtOperatingPointError naming the current.
   */
  operatingPoint(primaryAmps: number, hz: number, loadY: Complex = ZERO): CtOperatingPoint {
    checkHz(hz, 'current transformer');
    if (typeof primaryAmps !== 'number' || !Number.isFinite(primaryAmps) || primaryAmps < 0) {
      throw new RangeError(`current transformer: primary current must be a number of amps >= 0, got ${String(primaryAmps)}`);
    }
    const { magnetisingHenries, coreLossOhms } = this.config;
    const w = 2 * Math.PI * hz;
    const fluxOf = (e: number): number => (hz === 0 ? 0 : (Math.SQRT2 * e) / w);
    if (!this.curve || hz === 0 || primaryAmps === 0) {
      const e = primaryAmps * this.magnetisingVoltsPerAmp(hz, loadY);
      return { primaryAmps, hz, emfVolts: e, flux: fluxOf(e), magnetisingHenries, coreLossOhms, iterations: 0 };
    }
    const zs = this.#seriesImpedance(hz, loadY);
    const j = primaryAmps / this.config.ratio;
    const emf = (b: { henries: number; lossOhms: number }): number => {
      const zm = cdiv(cx(1), cadd(yResistor(b.lossOhms), cdiv(cx(1), zInductor(b.henries, hz))));
      return j * cabs(cdiv(cmul(zm, zs), cadd(zm, zs)));
    };
    let b = { henries: magnetisingHenries, lossOhms: coreLossOhms };
    let e = emf(b);
    for (let k = 1; k <= OPERATING_POINT_MAX_ITERATIONS; k++) {
      b = this.branchAt(fluxOf(e));
      const next = emf(b);
      const settled = Math.abs(next - e) <= OPERATING_POINT_TOLERANCE * next;
      e = next;
      if (settled) {
        b = this.branchAt(fluxOf(e));
        return { primaryAmps, hz, emfVolts: e, flux: fluxOf(e), magnetisingHenries: b.henries, coreLossOhms: b.lossOhms, iterations: k };
      }
    }
    throw new CtOperatingPointError(`current transformer: the operating point at ${primaryAmps} A (${hz} Hz) did not settle within ${OPERATING_POINT_MAX_ITERATIONS} iterations (EMF near ${e.toPrecision(4)} V): the excitation curve is too steep there for its load`);
  }

  /** The magnetising branch at a peak flux linkage of `flux` weber-turns: the curve's, scaled; the fixed one without. */
  branchAt(flux: number): { henries: number; lossOhms: number } {
    if (!this.curve) return { henries: this.config.magnetisingHenries, lossOhms: this.config.coreLossOhms };
    const b = this.curve.branchAt(flux);
    return { henries: b.henries * this.#scaleL, lossOhms: b.lossOhms * this.#scaleR };
  }

  /** The linear CT of an operating point: the same parts with the magnetising branch fixed at that point's. */
  atOperatingPoint(op: CtOperatingPoint): CurrentTransformer {
    if (!this.curve) return this;
    const { excitation: _e, ...rest } = this.config;
    return new CurrentTransformer({ ...rest, magnetisingHenries: op.magnetisingHenries, coreLossOhms: op.coreLossOhms });
  }

  /** Winding, leakage and terminal impedance in series: what the magnetising branch drives. */
  #seriesImpedance(hz: number, loadY: Complex): Complex {
    const { windingOhms, leakageHenries } = this.config;
    return cadd(cadd(cx(windingOhms), zInductor(leakageHenries, hz)), this.terminalImpedance(hz, loadY));
  }

  /** Alias of `config.ratio` in the hardware engineer's name. */
  get ctRatio(): number { return this.config.ratio; }

  /** Impedance across the terminals: burden || C42 || the external load of admittance `loadY` (default: none). */
  terminalImpedance(hz: number, loadY: Complex = ZERO): Complex {
    checkHz(hz, 'current transformer');
    const { burdenOhms, parallelCapFarads } = this.config;
    return zFromY(cadd(cadd(yResistor(burdenOhms), yCapacitor(parallelCapFarads, hz)), loadY));
  }

  /** Impedance of the magnetising branch Lm || Rc (0 at DC). */
  magnetisingImpedance(hz: number): Complex {
    checkHz(hz, 'current transformer');
    if (hz === 0) return ZERO;
    const { magnetisingHenries, coreLossOhms } = this.config;
    return cdiv(cx(1), cadd(yResistor(coreLossOhms), cdiv(cx(1), zInductor(magnetisingHenries, hz))));
  }

  /** Current into the terminals per amp of primary current (A/A, ideally 1/ratio). */
  secondaryCurrent(hz: number, loadY: Complex = ZERO): Complex {
    const zm = this.magnetisingImpedance(hz);
    if (isZero(zm)) return ZERO;
    const { windingOhms, leakageHenries, ratio, reversed } = this.config;
    const zSeries = cadd(cadd(cx(windingOhms), zInductor(leakageHenries, hz)), this.terminalImpedance(hz, loadY));
    const split = cdiv(zm, cadd(zm, zSeries));
    return cscale(split, (reversed ? -1 : 1) / ratio);
  }

  /** Terminal (burden) voltage per amp of primary current at `hz`, with an external load of admittance `loadY`. */
  transfer(hz: number, loadY: Complex = ZERO): Complex {
    return cmul(this.secondaryCurrent(hz, loadY), this.terminalImpedance(hz, loadY));
  }

  /** Rms EMF across the magnetising branch per amp of primary current (compare with kneeVolts). */
  magnetisingVoltsPerAmp(hz: number, loadY: Complex = ZERO): number {
    return cabs(cmul(this.secondaryCurrent(hz, loadY), this.#seriesImpedance(hz, loadY)));
  }

  /** Primary rms current at which the magnetising EMF reaches the knee (Infinity at DC, where there is no EMF). */
  kneePrimaryAmps(hz: number, loadY: Complex = ZERO): number {
    const v = this.magnetisingVoltsPerAmp(hz, loadY);
    return v === 0 ? Infinity : this.config.kneeVolts / v;
  }

  /** Ratio error: |Vb| / (Ip/ratio x burdenOhms) - 1 (negative: the CT reads low). */
  ratioError(hz: number, loadY: Complex = ZERO): number {
    const ideal = this.config.burdenOhms / this.config.ratio;
    return cabs(this.transfer(hz, loadY)) / ideal - 1;
  }

  /** Phase of the burden voltage relative to the primary current, degrees (positive: leads), polarity removed. */
  phaseErrorDeg(hz: number, loadY: Complex = ZERO): number {
    const t = this.transfer(hz, loadY);
    const a = carg(this.config.reversed ? cscale(t, -1) : t);
    return (a * 180) / Math.PI;
  }
}
