// The application-note calibration (Atmel-46102B, docs/atm90e26.md §6.1) run on the virtual bench, for the N line
// this board meters: PL_Constant from the design, Ngain from the bench error at Ib PF 1, Nphi from the error at Ib
// PF 0.5L, the start-up thresholds, CS1; then Ugain at Un and IgainN at Ib to the firmware's register scale
// (Urms = 100 x V, Irms2 = 50 x I, §8), the offsets at zero current, CS2.
//
// Choices where the AN is silent or does not fit this board (documented, configurable):
// - The AN's step 4 (power offset) writes Poffset before step 9 (AdjStart 5678H), which reloads 31H..3AH and would
//   erase it; here the offsets are measured after the gains, in the measurement block.
// - Ngain and Nphi are rounded to the nearest LSB (the AN truncates: at most one LSB, 0.003 % / 0.009 deg).
// - PL_Constant is rounded down to a multiple of 4 (AN: "should be a multiple of 4"); Ngain takes up the rest.
// - PStartTh = PNolTh at Ks (default 0.3 % of Ib, below the 0.4 % Ib class-1 starting current); QNolTh 0, as the
//   firmware writes them.
import { Command, decodeMMode, encodePhi, fromInt16, hex, toInt16 } from '../../models/afe/registers.ts';
import type { BoardProfile } from '../../models/board-profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import { FIRMWARE_CALIBRATION } from '../../models/afe/factory-calibration.ts';
import { PF_05L, PF_1 } from './limits.ts';
import {
  CS1_REGISTERS, CS2_REGISTERS, designPinMillivolts, newChip, plConstantOf, programChip, resetRegisters, withChecksums,
  withPlConstant, type ChipRegisters, type MeterUnit,
} from './meter-unit.ts';
import { pinsFor, sourceLines } from './phantom-load.ts';
import type { SuiteSpec, TestCondition } from './points.ts';
import { WAVEFORM_WARMUP_US, measureCondition, type BenchOptions } from './runner.ts';
import { WaveformDrive } from './waveform-drive.ts';

/** The unit cannot be calibrated as given (it registers no energy): a problem of the input, not of the procedure. */
export class CalibrationError extends Error {
  override readonly name = 'CalibrationError';
}

export interface CalibrationOptions {
  /** Start-up threshold as a fraction of Ib (AN step 7, Ks). */
  Ks: number;
  /** Register counts per volt the firmware expects in Urms (§8: /100). */
  urmsPerVolt: number;
  /** Register counts per amp the firmware expects in Irms2 (§8: /100 x 2, i.e. 50 counts per amp). */
  irms2PerAmp: number;
}

export const CALIBRATION_DEFAULTS: Readonly<CalibrationOptions> = Object.freeze({
  Ks: 0.003,
  urmsPerVolt: FIRMWARE_CALIBRATION.urmsPerVolt,
  irms2PerAmp: FIRMWARE_CALIBRATION.irms2PerAmp,
});

/** AN step 6 constant: 180 / (pi sqrt 3) / 0.0087890625 (one Nphi LSB at 50 Hz), docs/atm90e26.md §4.4. */
export const PHI_PER_ERROR = 3763.74;
/** AN step 7: 838860800 / 9e6. */
const THRESHOLD_K = 93.2067556;

export interface CalibrationStep {
  step: string;
  text: string;
}

export interface CalibrationResult {
  before: ChipRegisters;
  after: ChipRegisters;
  /** What was measured and written, in the AN's order. */
  steps: CalibrationStep[];
  /** Bench readings the procedure used. */
  measured: {
    errorPf1Percent: number | null;
    errorPf05LPercent: number | null;
    urmsAtUn: number;
    irms2AtIb: number;
    pmeanSmallAtZero: number;
    irms2AtZero: number;
  };
  /** Values outside the AN's usable ranges (applied anyway where the register format allows). */
  warnings: string[];
  plConstant: number;
}

/**
 * Calibrate `unit` on the bench. `design` is the board the PL_Constant is computed for (the nominal board, with any
 * what-if, before tolerances); `unit.profile` is the board actually measured.
 */
export async function calibrate(unit: MeterUnit, design: BoardProfile, spec: SuiteSpec, bench: BenchOptions,
  options: Partial<CalibrationOptions> = {}): Promise<CalibrationResult> {
  const o = { ...CALIBRATION_DEFAULTS, ...options };
  if (!(o.Ks > 0 && o.Ks < 1)) throw new RangeError(`calibration Ks must be a fraction of Ib in (0, 1), got ${String(o.Ks)}`);
  const r = spec.ratings;
  const fe = new FrontEnd(unit.profile);
  const steps: CalibrationStep[] = [];
  const warnings: string[] = [];
  const before = { ...unit.registers };
  const defaults = resetRegisters();
  const say = (step: string, text: string): void => { steps.push({ step, text }); };

  // 1. CalStart = 5678H: 21H..2BH back to their defaults. 3. MMode for the hardware (the unit's).
  let regs: ChipRegisters = { ...before };
  for (const name of CS1_REGISTERS) regs[name] = defaults[name];
  regs.MMode = before.MMode;
  say('1', 'CalStart = 5678H: PLconstH..MMode back to their defaults');
  // 2. PL_Constant = int(838860800 x G x VL x VU / (MC x Un x Ib)), VL/VU of the design at Ib/Un.
  const g = decodeMMode(regs.MMode).nGain;
  const { VL, VU } = designPinMillivolts(design, r);
  const plExact = (838860800 * g * VL * VU) / (bench.meterConstant * r.Un * r.Ib);
  const pl = Math.max(4, Math.floor(plExact / 4) * 4);
  regs = withPlConstant(regs, pl);
  say('2', `PL_Constant = int(838860800 x ${g} x ${VL.toFixed(3)} mV x ${VU.toFixed(2)} mV / (${bench.meterConstant.toFixed(3)} imp/kWh x ${r.Un} V x ${r.Ib} A)) = ${pl} (0x${hex(pl, 8)}, a multiple of 4)`);
  say('3', `MMode = 0x${hex(regs.MMode)} (N gain x${g})`);
  // 7 first (thresholds do not affect the gain/phase measurements above start-up): PStartTh = int(93.2067556 x G x VL x VU x Ks).
  const th = Math.min(0xffff, Math.floor(THRESHOLD_K * g * VL * VU * o.Ks));
  regs.PStartTh = th;
  regs.PNolTh = th;
  regs.QStartTh = th;
  regs.QNolTh = 0;

  const at = (c: TestCondition, rs: ChipRegisters) => measureCondition({ profile: unit.profile, registers: withChecksums(rs) }, fe, c, 'error', spec,
    { ...bench, judge: 'chip' });
  const ib1: TestCondition = { volts: r.Un, hz: r.fn, amps: r.Ib, pf: PF_1, shape: 'sine' };
  const ib05: TestCondition = { ...ib1, pf: PF_05L };

  // 5. Ngain from the error at Ib, PF 1.
  const m1 = await at(ib1, regs);
  const e = (m1.errorPercent ?? NaN) / 100;
  if (!Number.isFinite(e) || e <= -1) throw new CalibrationError('the chip registered no energy at Ib PF 1, so there is nothing to calibrate (check the what-if values and the checksums CS1/CS2)');
  const ratio = -e / (1 + e);
  if (Math.abs(ratio) > 0.5) warnings.push(`Ngain ratio ${(ratio * 100).toFixed(2)} % is outside the AN's usable range of ±50 % (§4.4): the front end does not suit this meter constant`);
  regs.Ngain = fromInt16(Math.max(-32768, Math.min(32767, Math.round(ratio * 32768))));
  say('5', `error at Ib PF 1: ${(e * 100).toFixed(4)} %; NRATIO = -e/(1+e) = ${ratio.toFixed(6)}; Ngain = 0x${hex(regs.Ngain)} (${toInt16(regs.Ngain)})`);

  // 6. Nphi from the error at Ib, PF 0.5L (with the gain corrected).
  const m05 = await at(ib05, regs);
  const eL = (m05.errorPercent ?? NaN) / 100;
  if (!Number.isFinite(eL)) throw new CalibrationError('the chip registered no energy at Ib PF 0.5L, so there is nothing to calibrate (check the what-if values)');
  const phiLsb = Math.round(eL * PHI_PER_ERROR);
  if (Math.abs(phiLsb) > 1023) warnings.push(`Nphi ${phiLsb} LSB exceeds the register's ±1023 (±9 deg): clamped`);
  regs.Nphi = encodePhi(Math.max(-1023, Math.min(1023, phiLsb)));
  say('6', `error at Ib PF 0.5L: ${(eL * 100).toFixed(4)} %; Nphi = eL x 3763.74 = ${phiLsb} LSB (0x${hex(regs.Nphi)}, ${(phiLsb * 0.0087890625).toFixed(4)} deg)`);
  say('7', `PStartTh = PNolTh = QStartTh = int(93.2067556 x ${g} x VL x VU x ${o.Ks}) = 0x${hex(th)}; QNolTh = 0`);
  regs = withChecksums(regs);
  say('8', `CS1 = 0x${hex(regs.CS1)}; CalStart = 8765H`);

  // 9. AdjStart = 5678H: 31H..3AH back to their defaults.
  for (const name of CS2_REGISTERS) regs[name] = defaults[name];
  say('9', 'AdjStart = 5678H: Ugain..QoffsetN back to their defaults');
  // 10, 11. Gains at Un and Ib (any PF), to the firmware's register scale.
  const read1 = await readAt(unit, fe, ib1, regs, bench);
  const ugain = Math.floor((regs.Ugain * o.urmsPerVolt * r.Un) / Math.max(1, read1.Urms));
  if (ugain > 0x7fff) warnings.push(`Ugain ${ugain} needs bit 15, which must be 0: clamped to 0x7FFF (the divider gives too little voltage)`);
  const igain = Math.floor((regs.IgainN * o.irms2PerAmp * r.Ib) / Math.max(1, read1.Irms2));
  if (igain > 0xffff) warnings.push(`IgainN ${igain} exceeds 16 bits: clamped to 0xFFFF (the CT gives too little voltage)`);
  say('10', `Urms at ${r.Un} V reads ${read1.Urms} with Ugain ${regs.Ugain}: Ugain = int(${regs.Ugain} x ${o.urmsPerVolt * r.Un} / ${read1.Urms}) = ${Math.min(ugain, 0x7fff)} (0x${hex(Math.min(ugain, 0x7fff))})`);
  say('11', `Irms2 at ${r.Ib} A reads ${read1.Irms2} with IgainN ${regs.IgainN}: IgainN = int(${regs.IgainN} x ${o.irms2PerAmp * r.Ib} / ${read1.Irms2}) = ${Math.min(igain, 0xffff)} (0x${hex(Math.min(igain, 0xffff))})`);
  regs.Ugain = Math.min(ugain, 0x7fff);
  regs.IgainN = Math.min(igain, 0xffff);
  // 12 and 4. Offsets at Un and zero current: Irms2 residual, and the small-power mean power.
  const zero: TestCondition = { ...ib1, amps: 0 };
  const read0 = await readAt(unit, fe, zero, regs, bench);
  const ioff = Math.round((read0.Irms2 * regs.IgainN) / 65536 * 256);
  regs.IoffsetN = fromInt16(-ioff);
  regs.PoffsetN = fromInt16(-read0.PmeanSmall);
  regs.QoffsetN = fromInt16(-read0.QmeanSmall);
  say('12', `Irms2 at zero current reads ${read0.Irms2}: IoffsetN = 0x${hex(regs.IoffsetN)}`);
  say('4', `small-power Pmean2/Qmean2 at zero current read ${read0.PmeanSmall}/${read0.QmeanSmall}: PoffsetN = 0x${hex(regs.PoffsetN)}, QoffsetN = 0x${hex(regs.QoffsetN)}`);
  regs = withChecksums(regs);
  say('14', `CS2 = 0x${hex(regs.CS2)}; AdjStart = 8765H`);

  return {
    before,
    after: regs,
    steps,
    measured: {
      errorPf1Percent: m1.errorPercent,
      errorPf05LPercent: m05.errorPercent,
      urmsAtUn: read1.Urms,
      irms2AtIb: read1.Irms2,
      pmeanSmallAtZero: read0.PmeanSmall,
      irms2AtZero: read0.Irms2,
    },
    warnings,
    plConstant: plConstantOf(regs),
  };
}

/**
 * Registers read off a chip with `regs` at the steady condition `c` (Urms, Irms2; Pmean2/Qmean2 in small-power mode):
 * at once from the pin phasors, or at waveform level after the warm-up and one more measurement window.
 */
async function readAt(unit: MeterUnit, fe: FrontEnd, c: TestCondition, regs: ChipRegisters, bench: BenchOptions): Promise<{ Urms: number; Irms2: number; PmeanSmall: number; QmeanSmall: number }> {
  const clock = new VirtualClock();
  const chip = newChip(clock);
  const lines = sourceLines(c);
  const pins = pinsFor(fe, lines, c.hz);
  chip.setPins({ freqHz: c.hz, V: pins.V, IL: [], IN: [] });
  programChip(chip, withChecksums(regs));
  if (bench.fidelity === 'waveform') {
    const rng = new Rng(bench.noiseSeed ?? 1).fork(`calibration|${c.volts}|${c.amps}|${c.hz}`);
    const drive = new WaveformDrive(clock, chip, unit.profile, lines, c.hz, () => rng.next());
    drive.start();
    await clock.runUntil(WAVEFORM_WARMUP_US + 500_000);
    drive.stop();
  } else {
    chip.setPins(pins);
  }
  const Urms = chip.peekRegister('Urms');
  const Irms2 = chip.peekRegister('Irms2');
  chip.pokeRegister('SmallPMod', Command.SmallPower);
  const PmeanSmall = toInt16(chip.peekRegister('Pmean2'));
  const QmeanSmall = toInt16(chip.peekRegister('Qmean2'));
  return { Urms, Irms2, PmeanSmall, QmeanSmall };
}
