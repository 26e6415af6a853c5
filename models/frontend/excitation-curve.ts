// A current transformer's excitation curve, as CT makers publish it and as anyone can measure it (IEC 61869-2's
// excitation test): the rms EMF across the secondary against the rms exciting current the core draws, at the rated
// frequency, primary open. Plotted log-log it shows what the twin's fixed magnetising inductance cannot: at low flux
// the core's permeability is lower, so a CT draws relatively more exciting current and its ratio and phase errors
// grow towards small currents.
//
// The curve gives the magnitude of the exciting admittance |Ye| = Ie / E at each EMF. The exciting current has two
// parts, the magnetising current (in quadrature with the EMF: the inductance Lm) and the core-loss current (in phase:
// the resistance Rc); their split is the loss angle alpha, tan alpha = (E/Rc) / (E/(w Lm)) = w Lm / Rc, which a
// datasheet's curve does not give. It is held the same at every flux (a constant loss angle), so
//   1/(w Lm) = |Ye| cos alpha,    1/Rc = |Ye| sin alpha.
// Between points the current is interpolated log-log (a straight line on the datasheet's plot). Below the first
// point the core keeps the first point's branch (constant initial permeability); above the last it keeps the last
// point's, up to the knee (kneeVolts), where the waveform level's saturation takes over.
//
// Points are looked up by the peak flux linkage of the core, lambda = sqrt 2 E / (2 pi f): the permeability follows
// the flux, so the same core at 45 Hz reaches a point of the 50 Hz curve at 10 % less EMF.

/** The curve as written in a netlist's `ct.excitation` or a board profile's `ct.excitation`. */
export interface ExcitationCurveSpec {
  /** Frequency the curve was measured at, Hz (the CT's rated frequency: 50 Hz on this meter). */
  hz: number;
  /**
   * Loss angle of the exciting current, degrees: tan = w Lm / Rc. Datasheets rarely give it; the default CT's values
   * (30 H, 25 kohm at 50 Hz) make it 20.66 deg, which is what a curve without one takes.
   */
  lossAngleDeg: number;
  /** [EMF volts rms, exciting current amps rms] pairs, both rising, at least two. */
  points: ReadonlyArray<readonly [number, number]>;
}

/** Loss angle of the default CT, atan(2 pi 50 x 30 H / 25 kohm), degrees: what a curve without its own takes. */
export const DEFAULT_LOSS_ANGLE_DEG = (Math.atan((2 * Math.PI * 50 * 30) / 25e3) * 180) / Math.PI;

export class ExcitationCurveError extends Error {
  override readonly name = 'ExcitationCurveError';
}

/** The magnetising branch at one flux: inductance and core-loss resistance, referred to the secondary. */
export interface MagnetisingBranch {
  henries: number;
  lossOhms: number;
}

export class ExcitationCurve {
  readonly spec: Readonly<ExcitationCurveSpec>;
  /** The branch below the first point (the initial permeability). */
  readonly initial: Readonly<MagnetisingBranch>;
  /** Peak flux linkage of each point, weber-turns. */
  readonly pointFlux: readonly number[];

  readonly #lnFlux: Float64Array;
  readonly #lnAmps: Float64Array;
  readonly #cos: number;
  readonly #sin: number;
  readonly #w: number;

  /** Checks `spec`; `field` names it in errors (`ct.excitation`). */
  constructor(spec: unknown, field = 'ct.excitation') {
    this.spec = checkSpec(spec, field);
    const { hz, lossAngleDeg, points } = this.spec;
    this.#w = 2 * Math.PI * hz;
    const a = (lossAngleDeg * Math.PI) / 180;
    this.#cos = Math.cos(a);
    this.#sin = Math.sin(a);
    this.pointFlux = Object.freeze(points.map(([e]) => (Math.SQRT2 * e) / this.#w));
    this.#lnFlux = Float64Array.from(this.pointFlux, Math.log);
    this.#lnAmps = Float64Array.from(points, ([, i]) => Math.log(i));
    this.initial = Object.freeze(this.branchAt(0));
  }

  /** The exciting current (amps rms) the curve gives at an EMF of `emfVolts` rms at its own frequency. */
  currentAt(emfVolts: number): number {
    const flux = (Math.SQRT2 * emfVolts) / this.#w;
    return emfVolts * this.#admittanceAt(flux);
  }

  /** The magnetising branch at a peak flux linkage of `flux` weber-turns (>= 0). */
  branchAt(flux: number): MagnetisingBranch {
    const y = this.#admittanceAt(flux);
    return { henries: 1 / (this.#w * y * this.#cos), lossOhms: 1 / (y * this.#sin) };
  }

  /** |Ye| = Ie / E at `flux`: log-log between points, the end points' value outside them. */
  #admittanceAt(flux: number): number {
    const lf = this.#lnFlux, la = this.#lnAmps, n = lf.length;
    const pts = this.spec.points;
    // E / Ie at a point: the flux scales the EMF, so ln(Ie/E) is ln Ie - ln E at the point.
    const yAt = (k: number): number => pts[k][1] / pts[k][0];
    if (!(flux > this.pointFlux[0])) return yAt(0);
    if (flux >= this.pointFlux[n - 1]) return yAt(n - 1);
    const x = Math.log(flux);
    let k = 0;
    while (lf[k + 1] < x) k++;
    const t = (x - lf[k]) / (lf[k + 1] - lf[k]);
    const lnI = la[k] + t * (la[k + 1] - la[k]);
    const emf = (flux * this.#w) / Math.SQRT2;
    return Math.exp(lnI) / emf;
  }
}

function checkSpec(spec: unknown, field: string): ExcitationCurveSpec {
  const fail = (why: string): never => { throw new ExcitationCurveError(`${field}${why}`); };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) fail(' must be a mapping with points (and optionally hz, lossAngleDeg)');
  const s = spec as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!['hz', 'lossAngleDeg', 'points'].includes(k)) fail(`.${k}: unknown field (the curve has hz, lossAngleDeg and points)`);
  const hz = s.hz === undefined ? 50 : s.hz;
  if (typeof hz !== 'number' || !Number.isFinite(hz) || hz <= 0) fail(`.hz must be a positive number of hertz, got ${show(hz)}`);
  const lossAngleDeg = s.lossAngleDeg === undefined ? DEFAULT_LOSS_ANGLE_DEG : s.lossAngleDeg;
  if (typeof lossAngleDeg !== 'number' || !(lossAngleDeg > 0 && lossAngleDeg < 90)) fail(`.lossAngleDeg must be a number of degrees above 0 and below 90, got ${show(lossAngleDeg)}`);
  if (!Array.isArray(s.points)) fail('.points must be a list of [EMF volts rms, exciting current amps rms] pairs');
  const raw = s.points as unknown[];
  if (raw.length < 2) fail(`.points needs at least two points to give a slope, got ${raw.length}`);
  const points = raw.map((p, k): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2) return fail(`.points[${k}] must be a pair [EMF volts rms, exciting current amps rms], got ${show(p)}`);
    const [e, i] = p as unknown[];
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0) fail(`.points[${k}]: the EMF must be a positive number of volts, got ${show(e)}`);
    if (typeof i !== 'number' || !Number.isFinite(i) || i <= 0) fail(`.points[${k}]: the exciting current must be a positive number of amps, got ${show(i)}`);
    return [e as number, i as number];
  });
  for (let k = 1; k < points.length; k++) {
    if (!(points[k][0] > points[k - 1][0])) fail(`.points[${k}]: the EMF ${points[k][0]} V is not above the point before it (${points[k - 1][0]} V): the curve must rise`);
    if (!(points[k][1] > points[k - 1][1])) fail(`.points[${k}]: the exciting current ${points[k][1]} A is not above the point before it (${points[k - 1][1]} A): the curve must rise`);
  }
  return Object.freeze({ hz: hz as number, lossAngleDeg: lossAngleDeg as number, points: Object.freeze(points.map((p) => Object.freeze(p))) });
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'object' && v !== null) return 'a mapping';
  return String(v);
}
