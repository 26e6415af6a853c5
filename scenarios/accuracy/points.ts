// The test points of the virtual IEC 62053-21 bench: the class-1 error table over current x power factor and the other
// type tests (starting current, creep, voltage, frequency, harmonics, DC), built from the ratings and the limits table.
// `--points seed` is the rows of the original OSM accuracy report (docs/accuracy-tests.md "The table of the original accuracy report").
import { CLASS_1_LIMITS, PF_05L, PF_08C, PF_1, errorLimit, pfLabel, type AccuracyLimits, type PowerFactor } from './limits.ts';
import { OSM_RATINGS, type MeterRatings } from './ratings.ts';

/** What the bench's phantom load supplies: a voltage source and an independent current source, phase-locked. */
export interface TestCondition {
  /** Fundamental voltage, volts rms. */
  volts: number;
  hz: number;
  /** Current: rms of the whole supplied waveform, amps (what the bench's ammeter reads). */
  amps: number;
  /** Displacement power factor of the current's fundamental. */
  pf: PowerFactor;
  /**
   * Current waveform: `sine`; `half-wave` = a half-wave rectified sine in phase with the voltage (DC and even
   * harmonics; its fundamental is amps / sqrt 2); `fifth` = the harmonics test: the 5th harmonic added to both the
   * voltage and the current, in phase at the fundamental's peak (harmonic power factor 1).
   */
  shape: 'sine' | 'half-wave' | 'fifth';
  /** For `fifth`: 5th harmonic in the voltage and in the current, percent of the fundamental. */
  fifthVoltagePercent?: number;
  fifthCurrentPercent?: number;
}

export type PointKind = 'error' | 'starting' | 'creep' | 'voltage' | 'frequency' | 'harmonics' | 'dc';

export interface TestPoint {
  /** Unique, readable: `Ib (5 A) PF 0.5L`. */
  name: string;
  kind: PointKind;
  condition: TestCondition;
  /**
   * +- percent: the error limit (kind `error`), the allowed error shift from `reference` (voltage, frequency,
   * harmonics, dc); NaN for `starting` and `creep`, whose pass rules count pulses.
   */
  limitPercent: number;
  /** The reference condition an influence test's error shift is taken from. */
  reference?: TestCondition;
  /** The current row of the table as printed (`Imax (80 A)`). */
  currentLabel: string;
}

export interface SuiteSpec {
  ratings: MeterRatings;
  limits: AccuracyLimits;
  points: TestPoint[];
}

export type PointSet = 'full' | 'seed';
export const POINT_SETS: readonly PointSet[] = ['full', 'seed'];

/** Multiples of Ib of the class-1 table at PF 1 (then 30 A, 60 A and Imax), and the reactive rows from 0.1 Ib. */
const TABLE_IB_MULTIPLES = [0.05, 0.1, 0.2, 0.5, 1, 2];
const TABLE_AMPS = [30, 60];

function currentLabel(amps: number, r: MeterRatings): string {
  if (amps === r.Imax) return `Imax (${fmt(amps)} A)`;
  const m = amps / r.Ib;
  if (Math.abs(m - Math.round(m * 100) / 100) < 1e-12 && TABLE_IB_MULTIPLES.includes(Math.round(m * 100) / 100)) {
    return `${m === 1 ? '' : `${fmt(m)} `}Ib (${fmt(amps)} A)`;
  }
  return `${fmt(amps)} A`;
}

function fmt(x: number): string { return String(Math.round(x * 1e6) / 1e6); }

function sine(r: MeterRatings, amps: number, pf: PowerFactor, volts = r.Un, hz = r.fn): TestCondition {
  return { volts, hz, amps, pf, shape: 'sine' };
}

/** The error-table currents at a power factor: PF 1 from 0.05 Ib, the reactive ones from 0.1 Ib, up to Imax. */
export function tableCurrents(r: MeterRatings, pf: PowerFactor): number[] {
  const from = pf.kind === 'unity' ? 0.05 : 0.1;
  const out = TABLE_IB_MULTIPLES.filter((m) => m >= from).map((m) => m * r.Ib);
  for (const a of TABLE_AMPS) if (a > r.Ib * 2 && a < r.Imax) out.push(a);
  out.push(r.Imax);
  return out;
}

function errorPoint(r: MeterRatings, l: AccuracyLimits, amps: number, pf: PowerFactor): TestPoint {
  const label = currentLabel(amps, r);
  return {
    name: `${label} PF ${pfLabel(pf)}`,
    kind: 'error',
    condition: sine(r, amps, pf),
    limitPercent: errorLimit(l, r, amps, pf).percent,
    currentLabel: label,
  };
}

/** The whole suite: error table, starting current, creep, voltage, frequency, harmonics, DC. */
export function fullSuite(ratings: MeterRatings = OSM_RATINGS, limits: AccuracyLimits = CLASS_1_LIMITS): SuiteSpec {
  const r = ratings;
  const l = limits;
  const points: TestPoint[] = [];
  for (const pf of [PF_1, PF_05L, PF_08C]) for (const a of tableCurrents(r, pf)) points.push(errorPoint(r, l, a, pf));

  const ist = l.starting.fractionOfIb * r.Ib;
  points.push({
    name: `Starting current ${fmt(ist * 1000)} mA PF 1`,
    kind: 'starting',
    condition: sine(r, ist, PF_1),
    limitPercent: NaN,
    currentLabel: `${fmt(ist * 1000)} mA`,
  });
  const vCreep = l.creep.voltageFactor * r.Un;
  points.push({
    name: `Creep ${fmt(l.creep.voltageFactor * 100)} % Un (${fmt(vCreep)} V), no current`,
    kind: 'creep',
    condition: { volts: vCreep, hz: r.fn, amps: 0, pf: PF_1, shape: 'sine' },
    limitPercent: NaN,
    currentLabel: '0 A',
  });

  const ib = currentLabel(r.Ib, r);
  for (const pf of [PF_1, PF_05L]) {
    const ref = sine(r, r.Ib, pf);
    const dv = l.influence.voltage.variation;
    for (const sign of [-1, 1]) {
      const v = r.Un * (1 + sign * dv);
      points.push({
        name: `Un ${sign < 0 ? '-' : '+'}${fmt(dv * 100)} % (${fmt(v)} V), ${ib} PF ${pfLabel(pf)}`,
        kind: 'voltage',
        condition: sine(r, r.Ib, pf, v),
        reference: ref,
        limitPercent: pf.kind === 'unity' ? l.influence.voltage.unity : l.influence.voltage.inductive,
        currentLabel: ib,
      });
    }
    const df = l.influence.frequency.variation;
    for (const sign of [-1, 1]) {
      const hz = r.fn * (1 + sign * df);
      points.push({
        name: `fn ${sign < 0 ? '-' : '+'}${fmt(df * 100)} % (${fmt(hz)} Hz), ${ib} PF ${pfLabel(pf)}`,
        kind: 'frequency',
        condition: sine(r, r.Ib, pf, r.Un, hz),
        reference: ref,
        limitPercent: pf.kind === 'unity' ? l.influence.frequency.unity : l.influence.frequency.inductive,
        currentLabel: ib,
      });
    }
  }

  const h = l.influence.harmonics;
  const i1 = h.atImax * r.Imax;
  const iTotal = i1 * Math.hypot(1, h.currentPercent / 100);
  points.push({
    name: `Harmonics: ${fmt(h.voltagePercent)} % ${ordinal(h.order)} in V, ${fmt(h.currentPercent)} % in I, ${fmt(h.atImax)} Imax PF 1`,
    kind: 'harmonics',
    condition: {
      volts: r.Un, hz: r.fn, amps: iTotal, pf: PF_1, shape: 'fifth',
      fifthVoltagePercent: h.voltagePercent, fifthCurrentPercent: h.currentPercent,
    },
    reference: sine(r, i1, PF_1),
    limitPercent: h.shift,
    currentLabel: `${fmt(h.atImax)} Imax`,
  });
  // IEC 62053-21 annex: the reference is the full-wave (sinusoidal) current Imax; one diode then halves the waveform,
  // whose rms is Imax / sqrt 2 (same peak). The shift is the half-wave error minus the full-wave error.
  points.push({
    name: 'DC and even harmonics: half-wave rectified, Imax/√2',
    kind: 'dc',
    condition: { volts: r.Un, hz: r.fn, amps: r.Imax / Math.SQRT2, pf: PF_1, shape: 'half-wave' },
    reference: sine(r, r.Imax, PF_1),
    limitPercent: l.influence.dc.shift,
    currentLabel: 'Imax/√2',
  });
  return { ratings: r, limits: l, points };
}

/** The rows of the original OSM accuracy report: Imax, 60 A, 30 A and 5 A at PF 1 and 0.5L, at Un (240 V). */
export function seedPoints(ratings: MeterRatings = OSM_RATINGS, limits: AccuracyLimits = CLASS_1_LIMITS): SuiteSpec {
  const points: TestPoint[] = [];
  for (const amps of [ratings.Imax, 60, 30, 5]) {
    for (const pf of [PF_1, PF_05L]) points.push(errorPoint(ratings, limits, amps, pf));
  }
  return { ratings, limits, points };
}

export function suiteFor(set: PointSet, ratings: MeterRatings = OSM_RATINGS, limits: AccuracyLimits = CLASS_1_LIMITS): SuiteSpec {
  if (set === 'full') return fullSuite(ratings, limits);
  if (set === 'seed') return seedPoints(ratings, limits);
  throw new RangeError(`unknown point set '${String(set)}' (expected ${POINT_SETS.join(' or ')})`);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}
