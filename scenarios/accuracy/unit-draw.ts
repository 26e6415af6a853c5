// Drawing production units from the board's tolerances, reproducibly: unit `index` of seed `seed` is the same board
// whichever process, worker or order draws it (models/board-profile.ts drawUnit with its own forked generator).
import { drawUnit, type BoardProfile } from '../../models/board-profile.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import type { ChipRegisters, MeterUnit } from './meter-unit.ts';

/** The random source of unit `index` of a Monte Carlo run with `seed`. */
export function unitRng(seed: number, index: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number 0..4294967295, got ${String(seed)}`);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`unit index must be a whole number >= 0, got ${String(index)}`);
  return new Rng(seed).fork(`unit ${index}`);
}

/** Unit `index` of seed `seed`: every component of `design` drawn from its tolerance; the registers as given. */
export function drawnUnit(design: BoardProfile, registers: ChipRegisters, seed: number, index: number): MeterUnit {
  const rng = unitRng(seed, index);
  return { profile: drawUnit(design, () => rng.next()), registers: { ...registers } };
}

/** Seed of unit `index`'s ADC noise floor (waveform level), so `--unit K` reproduces unit K of a Monte Carlo run. */
export function unitNoiseSeed(seed: number, index: number): number {
  return unitRng(seed, index).fork('noise').nextUint32();
}
