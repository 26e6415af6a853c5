// Helpers for sets of phasor lines (models/signals.ts Harmonic: order, rms, phaseRad; order 0 is signed DC), shared
// by the grid, the loads and the plant. Plain arithmetic: these run on every plant change.
import type { Harmonic } from '../signals.ts';

/** Wraps an angle to (-pi, pi]. */
export function wrapPhase(rad: number): number {
  let a = rad % (2 * Math.PI);
  if (a <= -Math.PI) a += 2 * Math.PI;
  else if (a > Math.PI) a -= 2 * Math.PI;
  return a;
}

/** Below this fraction of the largest line summed into it, a line is rounding residue of a cancellation. */
const CANCELLED = 1e-12;

/**
 * Sums line sets order by order (as complex phasors); returns lines sorted by order. Lines that cancel (to within
 * rounding of the lines summed) are left out.
 */
export function sumLines(sets: readonly (readonly Harmonic[])[]): Harmonic[] {
  const acc = new Map<number, [re: number, im: number, largest: number]>();
  for (const set of sets) {
    for (const l of set) {
      const a = acc.get(l.order) ?? [0, 0, 0];
      a[0] += l.rms * Math.cos(l.phaseRad);
      a[1] += l.rms * Math.sin(l.phaseRad);
      a[2] = Math.max(a[2], Math.abs(l.rms));
      acc.set(l.order, a);
    }
  }
  const out: Harmonic[] = [];
  for (const [order, [re, im, largest]] of [...acc.entries()].sort((a, b) => a[0] - b[0])) {
    const rms = order === 0 ? re : Math.hypot(re, im);
    if (Math.abs(rms) <= CANCELLED * largest) continue;
    out.push(order === 0 ? { order: 0, rms, phaseRad: 0 } : { order, rms, phaseRad: Math.atan2(im, re) });
  }
  return out;
}

/**
 * Real and reactive power of a voltage and a current line set: P = sum Vh Ih cos(phi_v - phi_i) (DC: Vdc x Idc),
 * Q = sum Vh Ih sin(phi_v - phi_i) (Budeanu; positive when the current lags).
 */
export function powerOf(voltage: readonly Harmonic[], current: readonly Harmonic[]): { watts: number; vars: number } {
  let watts = 0;
  let vars = 0;
  for (const v of voltage) {
    const i = current.find((c) => c.order === v.order);
    if (!i) continue;
    if (v.order === 0) { watts += v.rms * i.rms; continue; }
    const d = v.phaseRad - i.phaseRad;
    watts += v.rms * i.rms * Math.cos(d);
    vars += v.rms * i.rms * Math.sin(d);
  }
  return { watts, vars };
}
