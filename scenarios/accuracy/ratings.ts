// The ratings of the meter under test, the numbers every test point and limit of the suite is built from.
// Facts: docs/accuracy-tests.md "Meter under test" (product spec and accuracy report of the OSM).

export interface MeterRatings {
  /** Reference voltage Un, volts rms: 240 V in the product spec and the accuracy report (230 V nominal elsewhere). */
  Un: number;
  /** Basic current Ib (2020 notation: Iref), amps rms: 5 A (product spec "5(80) A"). */
  Ib: number;
  /** Maximum current Imax, amps rms: 80 A. */
  Imax: number;
  /** Reference frequency fn, Hz. */
  fn: number;
  /** Measuring elements m (single phase: 1); used by the creep test duration. */
  elements: number;
  /** Meter constant the product declares, imp/kWh (1000; the firmware's PL_Constant was computed for 2000). */
  declaredConstant: number;
}

export const OSM_RATINGS: Readonly<MeterRatings> = Object.freeze({
  Un: 240,
  Ib: 5,
  Imax: 80,
  fn: 50,
  elements: 1,
  declaredConstant: 1000,
});

/** Checks ratings handed in by a caller; throws an Error naming the bad field. */
export function validateRatings(r: MeterRatings): MeterRatings {
  if (typeof r !== 'object' || r === null) throw new TypeError('meter ratings must be an object { Un, Ib, Imax, fn, elements, declaredConstant }');
  for (const k of ['Un', 'Ib', 'Imax', 'fn', 'elements', 'declaredConstant'] as const) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`meter rating ${k} must be a number > 0, got ${String(v)}`);
  }
  if (r.Imax <= r.Ib) throw new RangeError(`meter rating Imax (${r.Imax} A) must be above Ib (${r.Ib} A)`);
  if (!Number.isInteger(r.elements)) throw new RangeError(`meter rating elements must be a whole number, got ${r.elements}`);
  return r;
}
