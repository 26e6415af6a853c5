// The DC immunity test (IEC 62053-21, DC and even harmonics in the current circuit: a half-wave rectified current of
// Imax/sqrt 2 rms against the full-wave Imax) and what its result means for this meter. The standard applies it to
// direct-connected meters, not to transformer-operated ones; the OpenSmartMeter is direct-connected, 5(80) A, with a
// current transformer as its sensor. A CT passes no DC, so the test's DC all magnetises its core: an ordinary
// high-permeability metering CT saturates and reads low, which no calibration can change. Meters that pass use a
// DC-tolerant CT or a shunt. The verdict stays in the suite (it is the truth about the design); the reports say which
// point fails and why, and give the verdict and the yield without it beside the full ones.

/** What this module reads of a point result (runner.ts PointResult; runner.ts imports this module). */
export interface JudgedPoint {
  kind: string;
  pass: boolean;
  /** Supplied current, amps rms. */
  current: number;
  shiftPercent: number | null;
  measurement: { ctSaturatedShare: number | null };
}
interface Judged { pass: boolean; points: readonly JudgedPoint[] }

export const DC_IMMUNITY_KIND = 'dc';

/** The DC (mean) of a half-wave rectified sine of `rmsAmps` rms: its peak is 2 x rms, its mean peak / pi. */
export function halfWaveDcAmps(rmsAmps: number): number {
  return (2 * rmsAmps) / Math.PI;
}

/** The suite's DC immunity point, if it has one. */
export function dcImmunityPoint<P extends JudgedPoint>(r: { points: readonly P[] }): P | undefined {
  return r.points.find((p) => p.kind === DC_IMMUNITY_KIND);
}

/** The judged verdict over every point but DC immunity (the same as `pass` when the suite has no DC point). */
export function passWithoutDcImmunity(r: Judged): boolean {
  return r.points.every((p) => p.pass || p.kind === DC_IMMUNITY_KIND);
}

/** True when the DC immunity point failed and every other point passed. */
export function failsOnlyDcImmunity(r: Judged): boolean {
  return !r.pass && passWithoutDcImmunity(r);
}

/**
 * Why the DC immunity point failed, for a hardware engineer, when the CT saturated on it (null otherwise): the DC in
 * the test current, the CT's error, and what the standard and other meters do about it.
 */
export function dcImmunityExplanation(p: JudgedPoint): string | null {
  const share = p.measurement.ctSaturatedShare;
  if (p.pass || p.kind !== DC_IMMUNITY_KIND || share === null || !(share > 0)) return null;
  const shift = p.shiftPercent === null ? '' : `: the chip's error shifts by ${p.shiftPercent.toFixed(1)} % from the full-wave reference`;
  return `DC immunity: the half-wave test current (${p.current.toFixed(1)} A rms) carries ${halfWaveDcAmps(p.current).toFixed(1)} A of DC. `
    + `A current transformer passes no DC, so all of it magnetises the CT's core, which saturates (the core sits on the saturated `
    + `part of its curve for ${(share * 100).toFixed(0)} % of the samples)${shift}. IEC 62053-21 applies this test to direct-connected meters like this `
    + 'one (not to transformer-operated meters); meters that pass it use a DC-tolerant CT or a shunt. This is a limit of the '
    + 'current sensor\'s design, not of the unit\'s tolerances or calibration.';
}
