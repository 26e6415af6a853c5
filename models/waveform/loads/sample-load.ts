// A load at sample level: given the line voltage samples of a block, it adds the current it draws. Loads keep their own
// state (inductor currents, filament temperature, the bulk capacitor of an SMPS...) from block to block, and count
// time from the moment they are connected (their first block).
//
// Sign convention as the phasor level: current positive in the direction of the voltage (a load drawing real power
// has a positive mean of v x i).

/** What a load sees of the grid in each block. */
export interface SampleContext {
  readonly sampleRateHz: number;
  /** cos and sin of the grid fundamental's phase at each sample of the block (for phase-locked current sources). */
  readonly cos1: Float64Array;
  readonly sin1: Float64Array;
}

export interface SampleLoad {
  readonly id: string;
  /** The load kind as the scenario names it (`resistive`, `motor`, `lamp`, `profile`...). */
  readonly kind: string;
  /** Adds the current (amps) drawn at each of the `n` voltage samples `v` (volts) to `i`. */
  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void;
}

/** Checks a numeric option of a load: finite and within (lo, hi] or [lo, hi]. */
export function checkOption(owner: string, name: string, value: unknown, lo: number, hi: number, loInclusive = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (loInclusive ? value >= lo : value > lo) && value <= hi;
  if (!ok) {
    throw new RangeError(`${owner}: ${name} must be a number ${loInclusive ? '>=' : '>'} ${lo}${Number.isFinite(hi) ? ` and <= ${hi}` : ''}, got ${String(value)}`);
  }
  return value as number;
}
