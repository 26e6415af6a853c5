// The physical ranges of a real installation of the OpenSmartMeter (a single-phase 240 V, 5(80) A prepaid meter),
// used to check every load, grid and meter value a user gives before a simulation starts. Each range says why, in
// the words an installer would use, so a refused value explains itself. Nothing inside a range can stall the twin:
// the work of the simulation grows with the CF pulse rate, that is with the power, and these bounds keep it to a few
// thousand pulses per simulated second (a test runs every extreme under an event budget).

export interface Limit {
  min: number;
  max: number;
  /** Why, as a clause: "a 5(80) A meter: at most 1 kA through the CT". */
  why: string;
}

/** Current through the CT: a short circuit downstream is cut by the supply's fuse or breaker well below 1 kA. */
export const LOAD_AMPS: Readonly<Limit> = Object.freeze({
  min: 0, max: 1000, why: 'a 5(80) A meter: at most 1 kA through the CT (a short circuit before the fuse blows)',
});

/** Line-to-neutral supply voltage: 240 V nominal; a lost neutral on a 415 V network gives about 415 V. */
export const GRID_VRMS: Readonly<Limit> = Object.freeze({
  min: 0, max: 500, why: 'a 240 V single-phase supply: 0 to 500 V (a lost neutral gives about 415 V)',
});

/** Supply frequency: 50 or 60 Hz networks, with island grids and generators drifting a few hertz. */
export const GRID_HZ: Readonly<Limit> = Object.freeze({
  min: 40, max: 70, why: 'a 50 or 60 Hz supply: 40 to 70 Hz',
});

/** Nameplate voltage of an appliance (what its `watts` are rated at). */
export const LOAD_RATED_VOLTS: Readonly<Limit> = Object.freeze({
  min: 100, max: 500, why: 'an appliance for a 240 V supply is rated 100 to 500 V',
});

/** Phase of a grid step or a harmonic, degrees. */
export const PHASE_DEG: Readonly<Limit> = Object.freeze({
  min: -360, max: 360, why: 'a phase angle: -360 to 360 degrees',
});

/** CT turns ratio N:1 of the meter. */
export const CT_RATIO: Readonly<Limit> = Object.freeze({
  min: 100, max: 10000, why: 'a CT for a 5(80) A meter: a turns ratio from 100:1 to 10000:1',
});

/** Longest single wait of a scenario (and the whole of one): the virtual clock counts microseconds in a double. */
export const MAX_DURATION_DAYS = 100_000;
export const MAX_DURATION_US = MAX_DURATION_DAYS * 86_400e6;

/** The most power a load may be given at its rated voltage: the power that draws LOAD_AMPS.max there. */
export function maxWattsAt(ratedVolts: number, pf: number): number {
  return LOAD_AMPS.max * ratedVolts * pf;
}

/** `value` in `limit`, or a message saying what was given and why it cannot be (without the field's name). */
export function outOfRange(value: number, limit: Readonly<Limit>, unit: string): string | undefined {
  if (value >= limit.min && value <= limit.max) return undefined;
  return `${formatValue(value)}${unit ? ` ${unit}` : ''} is out of range: ${limit.why}`;
}

/** A number as a person writes it: 1e+308 as 1e308, large round numbers in full up to 1e9. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e9 || (v !== 0 && Math.abs(v) < 1e-4)) return v.toExponential().replace('e+', 'e').replace(/\.?0+e/, 'e');
  return String(v);
}
