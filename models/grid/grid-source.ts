// The supply at the meter's terminals: a line-to-neutral voltage with a fundamental and optional harmonics, changed
// by the scenario's `grid:` steps (sag, swell, frequency, phase jump, outage, harmonics).
//
// Phasor convention (used by the whole plant): v(t) = sum over orders h of sqrt 2 x Vh x cos(h w t + phi_h). The
// grid's `phaseDeg` shifts the whole waveform in time, so the fundamental has phase phaseDeg and a harmonic of
// order h has h x phaseDeg + its own phaseDeg (a harmonic's phaseDeg is relative to the fundamental, in the
// harmonic's own degrees).
import type { Harmonic } from '../signals.ts';
import { wrapPhase as wrap } from './phasor-lines.ts';

export interface GridHarmonic {
  /** Harmonic order, an integer >= 2. */
  order: number;
  /** Rms amplitude in percent of the fundamental. */
  percent: number;
  /** Phase relative to the fundamental, degrees of the harmonic (default 0). */
  phaseDeg?: number;
}

export interface GridConfig {
  /** Fundamental rms volts, line to neutral (product spec Un: 240 V). */
  vrms: number;
  /** Fundamental frequency, Hz. */
  hz: number;
  /** Phase of the fundamental at the time origin, degrees. */
  phaseDeg: number;
  harmonics: GridHarmonic[];
}

/** A change of the supply (same shape as twin/kernel/stimuli.ts GridChange). Omitted fields keep their value. */
export interface GridChange {
  vrms?: number;
  hz?: number;
  phaseDeg?: number;
  outage?: boolean;
  /** Replaces the whole harmonic set (`[]` clears it). */
  harmonics?: GridHarmonic[];
  /** Revert time: handled by the bench, ignored here. */
  forUs?: number;
}

export interface GridState extends GridConfig {
  /** True while the supply is out: 0 V, the other values kept for the restore. */
  outage: boolean;
}

export const DEFAULT_GRID: Readonly<GridConfig> = Object.freeze({ vrms: 240, hz: 50, phaseDeg: 0, harmonics: [] });

/** Frequency range accepted (Hz): wide enough for what-if studies; the ATM90E26 itself measures 45..65 Hz. */
export const GRID_HZ_RANGE: readonly [number, number] = [1, 1000];
/** Highest harmonic order accepted (the chip's harmonic bandwidth is 1.1 kHz: order 22 at 50 Hz). */
export const MAX_HARMONIC_ORDER = 50;

export class GridSource {
  #s: GridState;

  constructor(config: Partial<GridConfig> = {}) {
    if (typeof config !== 'object' || config === null) throw new TypeError('grid config must be an object');
    const c = { ...DEFAULT_GRID, ...config };
    checkVrms(c.vrms);
    checkHz(c.hz);
    checkPhase(c.phaseDeg, 'grid phaseDeg');
    this.#s = { vrms: c.vrms, hz: c.hz, phaseDeg: c.phaseDeg, harmonics: checkHarmonics(c.harmonics), outage: false };
  }

  /** A copy of the present state. */
  get state(): GridState {
    return { ...this.#s, harmonics: this.#s.harmonics.map((h) => ({ ...h })) };
  }

  get hz(): number { return this.#s.hz; }

  /** Applies a change after checking all of it (an invalid change leaves the state untouched). */
  apply(change: GridChange): void {
    if (typeof change !== 'object' || change === null || Array.isArray(change)) {
      throw new TypeError(`grid change must be an object like { vrms: 180 }, got ${String(change)}`);
    }
    const known = ['vrms', 'hz', 'phaseDeg', 'outage', 'harmonics', 'forUs'];
    for (const k of Object.keys(change)) {
      if (!known.includes(k)) throw new Error(`unknown grid change '${k}' (expected ${known.join(', ')})`);
    }
    const next: GridState = { ...this.#s };
    if (change.vrms !== undefined) { checkVrms(change.vrms); next.vrms = change.vrms; }
    if (change.hz !== undefined) { checkHz(change.hz); next.hz = change.hz; }
    if (change.phaseDeg !== undefined) { checkPhase(change.phaseDeg, 'grid phaseDeg'); next.phaseDeg = change.phaseDeg; }
    if (change.outage !== undefined) {
      if (typeof change.outage !== 'boolean') throw new TypeError(`grid outage must be true or false, got ${String(change.outage)}`);
      next.outage = change.outage;
    }
    if (change.harmonics !== undefined) next.harmonics = checkHarmonics(change.harmonics);
    this.#s = next;
  }

  /**
   * The line-to-neutral voltage as phasor lines (volts rms, phase in radians at the time origin), fundamental first,
   * then harmonics by order; empty during an outage. Zero-amplitude lines are left out.
   */
  lineVoltage(): Harmonic[] {
    const s = this.#s;
    if (s.outage || s.vrms === 0) return [];
    const phi1 = (s.phaseDeg * Math.PI) / 180;
    const out: Harmonic[] = [{ order: 1, rms: s.vrms, phaseRad: wrap(phi1) }];
    for (const h of s.harmonics) {
      if (h.percent === 0) continue;
      out.push({ order: h.order, rms: (s.vrms * h.percent) / 100, phaseRad: wrap(h.order * phi1 + ((h.phaseDeg ?? 0) * Math.PI) / 180) });
    }
    return out;
  }
}

function checkVrms(v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`grid vrms must be a number of volts >= 0, got ${String(v)}`);
  }
}

function checkHz(v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < GRID_HZ_RANGE[0] || v > GRID_HZ_RANGE[1]) {
    throw new RangeError(`grid hz must be a frequency from ${GRID_HZ_RANGE[0]} to ${GRID_HZ_RANGE[1]} Hz, got ${String(v)}`);
  }
}

function checkPhase(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${what} must be a number of degrees, got ${String(v)}`);
}

function checkHarmonics(list: unknown): GridHarmonic[] {
  if (!Array.isArray(list)) throw new TypeError('grid harmonics must be a list of { order, percent, phaseDeg? }');
  const seen = new Set<number>();
  const out: GridHarmonic[] = [];
  for (const [i, h] of list.entries()) {
    if (typeof h !== 'object' || h === null) throw new TypeError(`grid harmonic #${i + 1} must be { order, percent, phaseDeg? }`);
    const { order, percent, phaseDeg, ...rest } = h as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new Error(`grid harmonic #${i + 1}: unknown key '${extra[0]}' (expected order, percent, phaseDeg)`);
    if (typeof order !== 'number' || !Number.isInteger(order) || order < 2 || order > MAX_HARMONIC_ORDER) {
      throw new RangeError(`grid harmonic #${i + 1}: order must be an integer from 2 to ${MAX_HARMONIC_ORDER}, got ${String(order)}`);
    }
    if (seen.has(order)) throw new Error(`grid harmonic order ${order} is given twice`);
    seen.add(order);
    if (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new RangeError(`grid harmonic ${order}: percent must be from 0 to 100, got ${String(percent)}`);
    }
    if (phaseDeg !== undefined) checkPhase(phaseDeg, `grid harmonic ${order} phaseDeg`);
    out.push({ order, percent, phaseDeg: (phaseDeg as number | undefined) ?? 0 });
  }
  return out.sort((a, b) => a.order - b.order);
}
