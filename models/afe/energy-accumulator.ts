// Energy integration at phasor level: the power is constant between two changes (a "segment"), so every quantity is
// a closed-form function of time within the segment. Reading a value never changes the arithmetic path, which keeps
// runs byte-identical whether or not something (a dashboard, a peek) looks at the chip in between.
// Facts: docs/atm90e26.md §4.3 (CF pulses, 0.1 pulse per energy LSB, registers wrap at FFFFH).
import { DOUBLE_FIELD } from '../sim-time.ts';

/** Tolerance for float noise at an exact whole-pulse crossing (relative, plus a tiny absolute floor). */
function wholePart(x: number): number {
  return Math.floor(x + Math.abs(x) * 1e-14 + 1e-12);
}

/**
 * CF pulse accumulator: a signed fraction of a pulse in (-1, 1) that moves at `rate` pulses per microsecond and emits
 * a pulse (and steps back by one) each time it reaches +1 or -1. Forward and reverse energy cancel while no whole
 * pulse is reached (DS: "within 0.01 pulse forward and reverse cancel"; the model cancels the whole residual).
 */
export class PulseAccumulator {
  #t0 = DOUBLE_FIELD;
  #a0 = DOUBLE_FIELD;
  #rate = DOUBLE_FIELD;
  #emitted = 0;

  constructor() {
    // Times and fractions: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#t0 = 0;
    this.#a0 = 0;
    this.#rate = 0;
  }

  /** Signed pulses per microsecond in the current segment. */
  get rate(): number { return this.#rate; }

  reset(tUs: number): void {
    this.#t0 = tUs;
    this.#a0 = 0;
    this.#rate = 0;
    this.#emitted = 0;
  }

  /** Emit (in time order) every whole pulse of the current segment whose crossing time is <= `tUs`. */
  sync(tUs: number, emit: (direction: 1 | -1, crossingUs: number) => void): void {
    const r = this.#rate;
    if (r === 0) return;
    const s = r > 0 ? 1 : -1;
    const ar = Math.abs(r);
    const n = wholePart(s * this.#a0 + ar * (tUs - this.#t0));
    while (this.#emitted < n) {
      this.#emitted++;
      emit(s, this.#t0 + (this.#emitted - s * this.#a0) / ar);
    }
  }

  /** Close the segment at `tUs` (emitting its pulses) and start a new one at `rate` pulses per microsecond. */
  setRate(tUs: number, rate: number, emit: (direction: 1 | -1, crossingUs: number) => void): void {
    this.sync(tUs, emit);
    const r = this.#rate;
    if (r !== 0) {
      const s = r > 0 ? 1 : -1;
      const u = s * this.#a0 + Math.abs(r) * (tUs - this.#t0) - this.#emitted;
      // u is the progress past the last pulse in the segment's direction: in (-1, 1) (negative while an opposite
      // residual from an earlier segment is still being cancelled).
      this.#a0 = s * Math.max(-1 + 1e-12, Math.min(u, 1 - 1e-12));
    }
    this.#t0 = tUs;
    this.#rate = rate;
    this.#emitted = 0;
  }

  /** Exact time of the next pulse of the current segment, or Infinity. */
  nextPulseUs(): number {
    const r = this.#rate;
    if (r === 0) return Infinity;
    const s = r > 0 ? 1 : -1;
    return this.#t0 + (this.#emitted + 1 - s * this.#a0) / Math.abs(r);
  }
}

/**
 * A read-clear energy register counting tenths of a pulse: its value at `t` is the whole tenths accumulated since the
 * last clear, modulo 65536 (wraps FFFFH -> 0000H).
 */
export class EnergyRegister {
  #t0 = DOUBLE_FIELD;
  #base = DOUBLE_FIELD;
  #rate = DOUBLE_FIELD;
  #cleared = 0;

  constructor() {
    // Times and fractions: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#t0 = 0;
    this.#base = 0;
    this.#rate = 0;
  }

  reset(tUs: number): void {
    this.#t0 = tUs;
    this.#base = 0;
    this.#rate = 0;
    this.#cleared = 0;
  }

  /** Tenths of a pulse accumulated since reset (not cleared by reads). */
  total(tUs: number): number {
    return this.#base + this.#rate * (tUs - this.#t0);
  }

  /** Start a new segment at `tUs` accumulating `rate` tenths per microsecond (>= 0). */
  setRate(tUs: number, rate: number): void {
    this.#base = this.total(tUs);
    this.#t0 = tUs;
    this.#rate = rate;
  }

  value(tUs: number): number {
    const v = (wholePart(this.total(tUs)) - this.#cleared) % 65536;
    return v < 0 ? v + 65536 : v;
  }

  /** Read and clear (the fraction below one LSB stays). */
  readClear(tUs: number): number {
    const v = this.value(tUs);
    this.#cleared = wholePart(this.total(tUs));
    return v;
  }

  /** Overwrite the register value (a what-if poke); accumulation continues from it. */
  set(tUs: number, value: number): void {
    this.#cleared = wholePart(this.total(tUs)) - value;
  }
}
