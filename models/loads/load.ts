// A load on the meter's output, at the phasor level, built from a scenario's LoadSpec.
//
// Linear kinds are a constant impedance, a series R + jX fixed when the load is set:
// - `watts` at `ratedVolts` (default 240 V): draws that real power at that voltage, so power goes with V^2;
// - `amps`: draws that current at the grid voltage of the moment it is set (the grid's nominal vrms during an outage).
// X is an inductance (lagging: inductive, motor) or a capacitance (leading: capacitive) at the grid frequency of the
// moment it is set, so a frequency change or a voltage harmonic sees the reactance of that part at its frequency.
// lamp and kettle are resistive at this level (a lamp's cold-filament inrush is a waveform-level transient).
//
// Non-linear kinds respond to the fundamental voltage only: their fundamental current is that of the constant
// impedance above (`pf` is the displacement power factor), and their harmonics are a fixed spectrum of it
// (spectra.ts): smps (leading 0.95, odd harmonics), rectifier (half-wave: DC and even harmonics). For these `amps` is
// the total rms current (what a clamp meter reads), `watts` the real power at ratedVolts.
import type { Harmonic } from '../signals.ts';
import { wrapPhase as wrap } from '../grid/phasor-lines.ts';
import { RECTIFIER_SPECTRUM, SMPS_SPECTRUM, rmsOverFundamental, type SpectrumLine } from './spectra.ts';

export type LoadKind =
  | 'resistive' | 'inductive' | 'capacitive' | 'motor' | 'smps' | 'lamp' | 'kettle' | 'rectifier';

/** Same shape as twin/kernel/stimuli.ts LoadSpec. Give either `watts` (at `ratedVolts`) or `amps` (at the grid's Vrms). */
export interface LoadSpec {
  id: string;
  kind?: LoadKind;
  watts?: number;
  amps?: number;
  /** Displacement power factor, 0 < pf <= 1; the kind says whether it lags or leads. */
  pf?: number;
  ratedVolts?: number;
}

/** The grid at the moment the load is set: `amps` are taken at `vrms`, reactances at `hz`. */
export interface LoadContext {
  vrms: number;
  hz: number;
}

export const LOAD_KINDS: readonly LoadKind[] = Object.freeze(
  ['resistive', 'inductive', 'capacitive', 'motor', 'smps', 'lamp', 'kettle', 'rectifier'] as LoadKind[]);

/** Default displacement power factor per kind (motor 0.7 and smps 0.95 as usual for small single-phase units). */
export const DEFAULT_PF: Readonly<Record<LoadKind, number>> = Object.freeze({
  resistive: 1, lamp: 1, kettle: 1, rectifier: 1, inductive: 0.8, capacitive: 0.8, motor: 0.7, smps: 0.95,
});

/** +1: current lags (inductive); -1: leads (capacitive); 0: resistive only (pf must be 1). */
const SENSE: Readonly<Record<LoadKind, 1 | -1 | 0>> = {
  resistive: 0, lamp: 0, kettle: 0, inductive: 1, motor: 1, rectifier: 1, capacitive: -1, smps: -1,
};

const SPECTRUM: Partial<Record<LoadKind, readonly SpectrumLine[]>> = { smps: SMPS_SPECTRUM, rectifier: RECTIFIER_SPECTRUM };

export const DEFAULT_RATED_VOLTS = 240;

const SPEC_KEYS = ['id', 'kind', 'watts', 'amps', 'pf', 'ratedVolts'];

export class Load {
  readonly id: string;
  readonly kind: LoadKind;
  /** Displacement power factor. */
  readonly pf: number;
  /** True when the current lags the voltage (inductive reactance). */
  readonly lagging: boolean;
  /** The spec as given, with the defaults filled in. */
  readonly spec: Readonly<Required<Omit<LoadSpec, 'watts' | 'amps'>> & Pick<LoadSpec, 'watts' | 'amps'>>;
  /** Series resistance of the fundamental impedance, ohms (Infinity: draws nothing). */
  readonly rOhms: number;
  /** Series reactance at `definedHz`, ohms (positive inductive, negative capacitive). */
  readonly xOhms: number;
  /** Grid frequency at which `xOhms` holds. */
  readonly definedHz: number;
  /** Harmonic spectrum of a non-linear kind, or null for a linear one. */
  readonly spectrum: readonly SpectrumLine[] | null;

  constructor(spec: LoadSpec, grid: LoadContext) {
    const s = checkSpec(spec);
    const id = s.id;
    if (typeof grid !== 'object' || grid === null || !(grid.hz > 0) || !(grid.vrms >= 0)) {
      throw new RangeError(`load '${id}': the grid context needs vrms >= 0 and hz > 0`);
    }
    this.id = id;
    this.kind = s.kind;
    this.pf = s.pf;
    this.lagging = SENSE[s.kind] === 1 && s.pf < 1;
    this.spectrum = SPECTRUM[s.kind] ?? null;
    this.definedHz = grid.hz;
    this.spec = Object.freeze({ ...s });

    // |Z| of the fundamental from the real power at ratedVolts, or from the current at the grid's voltage.
    let zAbs: number;
    if (s.watts !== undefined) {
      zAbs = s.watts === 0 ? Infinity : (s.ratedVolts * s.ratedVolts * s.pf) / s.watts;
    } else {
      const amps = s.amps!;
      if (amps !== 0 && grid.vrms === 0) {
        throw new RangeError(`load '${id}': amps are taken at the grid voltage, which is 0 V now; give watts instead`);
      }
      const i1 = amps / (this.spectrum ? rmsOverFundamental(this.spectrum) : 1);
      zAbs = amps === 0 ? Infinity : grid.vrms / i1;
    }
    const sin = Math.sqrt(Math.max(0, 1 - s.pf * s.pf));
    this.rOhms = zAbs * s.pf;
    this.xOhms = Number.isFinite(zAbs) ? (SENSE[s.kind] >= 0 ? 1 : -1) * zAbs * sin : 0;
  }

  /** The series impedance seen by a voltage line of `order` (0 = DC) at grid frequency `hz`, as [re, im] ohms. */
  impedance(order: number, hz: number): [number, number] {
    const k = (order * hz) / this.definedHz;
    if (this.xOhms > 0) return [this.rOhms, this.xOhms * k];
    if (this.xOhms < 0) return k === 0 ? [Infinity, 0] : [this.rOhms, this.xOhms / k];
    return [this.rOhms, 0];
  }

  /**
   * Current lines (amps rms, phase in radians on the voltage's time origin; order 0 is signed DC) drawn from the
   * voltage lines `voltage` at grid frequency `hz`. Lines of zero current are left out.
   */
  currents(voltage: readonly Harmonic[], hz: number): Harmonic[] {
    if (!Number.isFinite(this.rOhms)) return [];
    const out: Harmonic[] = [];
    if (this.spectrum === null) {
      for (const v of voltage) {
        const line = this.#linear(v, hz);
        if (line) out.push(line);
      }
      return out;
    }
    const v1 = voltage.find((v) => v.order === 1);
    const i1 = v1 ? this.#linear(v1, hz) : null;
    if (!i1) return out;
    out.push(i1);
    for (const l of this.spectrum) {
      if (l.order === 0) { out.push({ order: 0, rms: l.ratio * i1.rms, phaseRad: 0 }); continue; }
      out.push({ order: l.order, rms: Math.abs(l.ratio) * i1.rms, phaseRad: wrap(l.order * i1.phaseRad + (l.ratio < 0 ? Math.PI : 0)) });
    }
    return out.sort((a, b) => a.order - b.order);
  }

  #linear(v: Harmonic, hz: number): Harmonic | null {
    const [r, x] = this.impedance(v.order, hz);
    if (!Number.isFinite(r) || v.rms === 0) return null;
    const zAbs = Math.hypot(r, x);
    if (v.order === 0) return { order: 0, rms: v.rms / r, phaseRad: 0 };
    return { order: v.order, rms: v.rms / zAbs, phaseRad: wrap(v.phaseRad - Math.atan2(x, r)) };
  }
}

type CheckedSpec = { id: string; kind: LoadKind; watts?: number; amps?: number; pf: number; ratedVolts: number };

/** Checks a spec and fills the defaults; throws an Error whose text names the load and the problem. */
export function checkSpec(spec: unknown): CheckedSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new TypeError('a load must be an object like { id: heater, watts: 2000 }');
  }
  const o = spec as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id.trim() === '') throw new TypeError('a load needs an id (a non-empty name)');
  const id = o.id;
  const fail = (msg: string): never => { throw new RangeError(`load '${id}': ${msg}`); };
  for (const k of Object.keys(o)) if (!SPEC_KEYS.includes(k)) fail(`unknown key '${k}' (expected ${SPEC_KEYS.join(', ')})`);

  const watts = o.watts === undefined ? undefined : o.watts;
  const amps = o.amps === undefined ? undefined : o.amps;
  if (watts !== undefined && amps !== undefined) fail('give either watts or amps, not both');
  if (watts === undefined && amps === undefined) fail('give watts (at ratedVolts) or amps (at the grid voltage)');
  if (watts !== undefined && (typeof watts !== 'number' || !Number.isFinite(watts) || watts < 0)) {
    fail(`watts must be a number >= 0, got ${String(watts)}`);
  }
  if (amps !== undefined && (typeof amps !== 'number' || !Number.isFinite(amps) || amps < 0)) {
    fail(`amps must be a number >= 0, got ${String(amps)}`);
  }
  if (o.pf !== undefined && (typeof o.pf !== 'number' || !(o.pf > 0 && o.pf <= 1))) {
    fail(`pf must be a number with 0 < pf <= 1, got ${String(o.pf)}`);
  }
  const ratedVolts = o.ratedVolts ?? DEFAULT_RATED_VOLTS;
  if (typeof ratedVolts !== 'number' || !Number.isFinite(ratedVolts) || ratedVolts <= 0) {
    fail(`ratedVolts must be a number of volts > 0, got ${String(ratedVolts)}`);
  }
  let kind: LoadKind;
  if (o.kind === undefined) {
    // No kind: a pf below 1 means the common lagging case.
    kind = o.pf === undefined || o.pf === 1 ? 'resistive' : 'inductive';
  } else if (typeof o.kind === 'string' && (LOAD_KINDS as readonly string[]).includes(o.kind)) {
    kind = o.kind as LoadKind;
  } else {
    return fail(`unknown kind '${String(o.kind)}' (expected ${LOAD_KINDS.join(', ')})`);
  }
  const pf = (o.pf as number | undefined) ?? DEFAULT_PF[kind];
  if (SENSE[kind] === 0 && pf !== 1) {
    fail(`a ${kind} load has pf 1 at the phasor level; use kind inductive, capacitive or motor for pf ${pf}`);
  }
  return {
    id, kind, pf, ratedVolts: ratedVolts as number,
    ...(watts !== undefined ? { watts: watts as number } : { amps: amps as number }),
  };
}
