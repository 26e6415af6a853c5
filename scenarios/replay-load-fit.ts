// The supply and load a readings block of a field log stands for, fitted so that the twin's metering chip gives the
// very registers the meter printed.
//
// The firmware's readings are functions of three ATM90E26 registers only (twin/firmware/measurement.ts,
// afe-driver.ts): MAINS VOLTAGE = Urms / 100, CURRENT = Irms2 / 100 x 2 (steps of 0.02 A), POWER FACTOR =
// PowerF2 / 1000, and ACTIVE POWER = CURRENT x VOLTAGE x PF in float32 (the chip's power register is not used). The
// block prints the power factor with two decimals, but ACTIVE POWER carries its third: of the PowerF2 values the
// printed PF allows, the one whose product prints the logged power is the meter's. A load rebuilt from the printed
// power and the two-decimal PF draws another current on a mixed load (a 2 kW kettle and a 150 W fridge print PF 1.00:
// rebuilt as resistive, it reads 8.58 A where the meter read 8.60 A) and bills another power.
//
// So the three registers are found from the block, and then a grid voltage, a current and a phase angle that give
// them on the twin's own front end and chip: a scratch plant with the bench's board and a scratch chip programmed
// with the firmware's calibration registers (scenarios/accuracy/meter-unit.ts), each quantity placed in the middle of
// the interval of true values its register maps to (found by bisection on the models themselves, so the CT's
// magnetics, the filters and the chip's phase all count). The twin's firmware then reads the same registers and
// computes, prints and bills the same numbers. Blocks that do not fix the registers (no current: the firmware zeroes
// it under 5 W; a PF the power contradicts; reverse power) get no fit, and the replay rebuilds them as before.
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { decodePangle, decodePowerF } from '../models/afe/registers.ts';
import type { BoardProfile } from '../models/board-profile.ts';
import type { LoadKind } from '../models/loads/load.ts';
import { Plant } from '../models/plant.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { formatFloat } from '../twin/firmware/lib/print.ts';
import { FIRMWARE_REGISTERS, chipScale, programChip, withChecksums } from './accuracy/meter-unit.ts';

/** What a readings block printed (the numbers as parsed from its two-decimal text). */
export interface PrintedReadings { vrms: number; hz: number; amps: number; watts: number; pf: number }

/** The registers behind a readings block. */
export interface BlockRegisters { Urms: number; Irms2: number; PowerF2: number }

/** A supply and one load that make the chip give a block's registers. */
export interface FittedSupply {
  vrms: number;
  hz: number;
  load: { kind: LoadKind; amps: number; pf: number };
  registers: BlockRegisters;
}

const f32 = Math.fround;
const two = (x: number): string => formatFloat(f32(x), 2);

/** CURRENT, MAINS VOLTAGE and ACTIVE POWER as the firmware computes them from the registers (measurement.ts). */
function firmwareReadings(r: BlockRegisters): { amps: number; vrms: number; pf: number; watts: number } {
  const vrms = f32(r.Urms / 100);
  const pf = f32(decodePowerF(r.PowerF2));
  const amps = f32(f32(r.Irms2 / 100) * 2);
  return { vrms, pf, amps, watts: f32(f32(amps * vrms) * pf) };
}

/**
 * The registers a block was computed from, or null when its text does not fix them: no current (zeroed under
 * 5 W), a negative or zero power factor, or values no register set prints.
 */
export function blockRegisters(p: PrintedReadings): BlockRegisters | null {
  if (!(p.vrms > 0) || !(p.amps > 0) || !(p.pf > 0) || !(p.watts > 0)) return null;
  const Urms = Math.round(p.vrms * 100);
  const Irms2 = Math.round(p.amps * 50);
  if (Urms > 0xffff || Irms2 > 0xffff) return null;
  let best: BlockRegisters | null = null;
  let bestMiss = Infinity;
  const centre = Math.round(p.pf * 1000);
  for (let k = Math.max(1, centre - 6); k <= Math.min(1000, centre + 6); k++) {
    const r = { Urms, Irms2, PowerF2: k };
    const fw = firmwareReadings(r);
    if (two(fw.vrms) !== two(p.vrms) || two(fw.amps) !== two(p.amps) || two(fw.pf) !== two(p.pf) || two(fw.watts) !== two(p.watts)) continue;
    // Several values of the third decimal print the same power only when the power is small: the nearest.
    const miss = Math.abs(k - (p.watts / (fw.amps * fw.vrms)) * 1000);
    if (miss < bestMiss) { best = r; bestMiss = miss; }
  }
  return best;
}

/** The smallest x in [lo, hi] with `atLeast(x)` (false at lo, true at hi), to 1e-9 of x (a register step is 1e-5 of it or more). */
function edge(atLeast: (x: number) => boolean, lo: number, hi: number): number {
  for (let i = 0; i < 100 && hi - lo > Math.abs(hi) * 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (atLeast(mid)) hi = mid; else lo = mid;
  }
  return hi;
}

/**
 * The middle of the interval of x where the integer `reg(x)` (non-decreasing in x) equals `target`, searched from
 * `guess` (the printed value: within a few register steps of it) outwards.
 */
function middleOf(reg: (x: number) => number, target: number, guess: number): number | null {
  let lo = NaN;
  let hi = NaN;
  for (let w = 0.01; ; w *= 2) {
    if (w > 1) return null;
    lo = guess * (1 - w / (1 + w));
    hi = guess * (1 + w);
    if (reg(lo) < target && reg(hi) > target) break;
  }
  return (edge((x) => reg(x) >= target, lo, hi) + edge((x) => reg(x) >= target + 1, lo, hi)) / 2;
}

/** PowerF2 (sign and magnitude) in thousandths. */
function signedPf(word: number): number { return word & 0x8000 ? -(word & 0x7fff) : word; }

/** Fits blocks on one board; a block seen before is answered from its first fit. */
export class ReplayLoadFit {
  readonly #plant: Plant;
  readonly #chip: ATM90E26;
  readonly #known = new Map<string, FittedSupply | null>();

  constructor(profile: BoardProfile) {
    this.#plant = new Plant({ profile });
    this.#chip = new ATM90E26(new VirtualClock(), chipScale());
    programChip(this.#chip, withChecksums({ ...FIRMWARE_REGISTERS }));
  }

  /** The supply and load for a block, or null when its registers are not fixed by it or cannot be reached. */
  fit(p: PrintedReadings): FittedSupply | null {
    const key = `${p.vrms}|${p.hz}|${p.amps}|${p.watts}|${p.pf}`;
    if (this.#known.has(key)) return this.#known.get(key)!;
    const regs = blockRegisters(p);
    // (The chip's Freq register reads 45 to 65 Hz: a block outside that is garbage the replay reports anyway.)
    const fitted = regs && p.hz >= 45 && p.hz <= 65 ? this.#fit(regs, p) : null;
    if (this.#known.size > 4096) this.#known.clear();
    this.#known.set(key, fitted);
    return fitted;
  }

  #fit(regs: BlockRegisters, p: PrintedReadings): FittedSupply | null {
    const hz = p.hz;
    // Each quantity has its own register, and is fitted once for it: the voltage channel does not see the load, the
    // current's magnitude does not depend on its angle or on the voltage (a load of given amps), the angle is fitted
    // at that current.
    const vrms = this.#once(`U|${regs.Urms}|${hz}`, () => this.#fitVolts(regs.Urms, hz, p.vrms));
    if (vrms === null) return null;
    const amps = this.#once(`I|${regs.Irms2}|${hz}`, () => this.#fitAmps(regs.Irms2, hz, p.amps));
    if (amps === null) return null;
    // Below the CT's knee the chip's phase error does not depend on the current: an angle fitted at another current
    // is tried first, and fitted again at this one if it does not give the register here.
    const anyCurrent = this.#once(`PF|${regs.PowerF2}|${hz}`, () => this.#fitAngle(regs.PowerF2, hz, amps));
    const tried = anyCurrent === null ? null : this.#check(regs, vrms, hz, amps, anyCurrent);
    if (tried) return tried;
    const phi = this.#once(`PF|${regs.Irms2}|${regs.PowerF2}|${hz}`, () => this.#fitAngle(regs.PowerF2, hz, amps));
    return phi === null ? null : this.#check(regs, vrms, hz, amps, phi);
  }

  /** The supply and load, if they give the block's registers. */
  #check(regs: BlockRegisters, vrms: number, hz: number, amps: number, phi: number): FittedSupply | null {
    this.#plant.applyGrid({ vrms, hz });
    const load = this.#setAngle(amps, phi);
    const got: BlockRegisters = { Urms: this.#read('Urms'), Irms2: this.#read('Irms2'), PowerF2: this.#read('PowerF2') };
    if (got.Urms !== regs.Urms || got.Irms2 !== regs.Irms2 || got.PowerF2 !== regs.PowerF2) return null;
    return { vrms, hz, load, registers: regs };
  }

  readonly #parts = new Map<string, number | null>();
  #once(key: string, fit: () => number | null): number | null {
    let v = this.#parts.get(key);
    if (v === undefined) {
      v = fit();
      if (this.#parts.size > 4096) this.#parts.clear();
      this.#parts.set(key, v);
    }
    return v;
  }

  #fitVolts(Urms: number, hz: number, printed: number): number | null {
    const plant = this.#plant;
    if (plant.loads().length > 0) plant.removeLoad('fit');
    return middleOf((v) => { plant.applyGrid({ vrms: v, hz }); return this.#read('Urms'); }, Urms, printed);
  }

  #fitAmps(Irms2: number, hz: number, printed: number): number | null {
    const plant = this.#plant;
    plant.applyGrid({ vrms: 230, hz });
    return middleOf((a) => { plant.setLoad({ id: 'fit', kind: 'resistive', amps: a }); return this.#read('Irms2'); }, Irms2, printed);
  }

  /**
   * The load angle (radians, positive lagging) that makes PowerF2 `k` at `amps`. The angle at which the chip sees
   * none (its own phase error, from Pangle2 on a resistive load) is the top; past it, on the lagging side, PowerF2
   * falls as the angle grows. The chip's PF is P/S with S made of its RMS registers, so its top is not always 1000:
   * the angle is searched on the chip, not computed from a cosine.
   */
  #fitAngle(k: number, hz: number, amps: number): number | null {
    const plant = this.#plant;
    plant.applyGrid({ vrms: 230, hz });
    plant.setLoad({ id: 'fit', kind: 'resistive', amps });
    this.#chip.setPins(plant.pinPhasors());
    const peak = -(decodePangle(this.#chip.peekRegister('Pangle2')) * Math.PI) / 180;
    const pfAt = (phi: number): number => { this.#setAngle(amps, phi); return signedPf(this.#read('PowerF2')); };
    if (pfAt(peak) === k) return peak;
    const lo = peak + 0.0035; // 0.2 degree: past Pangle2's resolution
    const hi = Math.PI / 2 - 1e-9;
    const atLo = pfAt(lo);
    if (atLo < k || pfAt(hi) > k - 1) return null;
    const from = atLo === k ? lo : edge((x) => pfAt(x) <= k, lo, hi);
    const phi = (from + edge((x) => pfAt(x) <= k - 1, lo, hi)) / 2;
    return Math.abs(phi) < Math.PI / 2 ? phi : null;
  }

  /** A load of `amps` at angle `phi` (radians, positive lagging) on the scratch plant; its spec. */
  #setAngle(amps: number, phi: number): { kind: LoadKind; amps: number; pf: number } {
    const spec = { kind: (phi > 0 ? 'inductive' : phi < 0 ? 'capacitive' : 'resistive') as LoadKind, amps, pf: Math.cos(phi) };
    this.#plant.setLoad({ id: 'fit', ...spec });
    return spec;
  }

  #read(reg: 'Urms' | 'Irms2' | 'PowerF2'): number {
    this.#chip.setPins(this.#plant.pinPhasors());
    return this.#chip.peekRegister(reg);
  }
}
