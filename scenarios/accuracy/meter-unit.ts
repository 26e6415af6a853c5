// A meter unit on the bench: its board (a BoardProfile, nominal, overridden or drawn from its tolerances) and the
// calibration registers its firmware writes into the ATM90E26, and how a chip is brought up with them.
// Facts: docs/atm90e26.md §3 (checksums, the firmware's SET_register_values), §4.3 (PL_Constant), §8.
import { ATM90E26, type Atm90e26Config } from '../../models/afe/atm90e26.ts';
import { chipScaleFor } from '../../models/afe/factory-calibration.ts';
import { Command, REG, cs1Of, cs2Of, decodeMMode, registerInfo, toInt16, type RegisterName } from '../../models/afe/registers.ts';
import { DEFAULT_BOARD_PROFILE, cloneProfile, type BoardProfile } from '../../models/board-profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { cabs } from '../../models/frontend/impedance.ts';
import type { SimTime } from '../../models/sim-time.ts';
import type { MeterRatings } from './ratings.ts';

/** The metering calibration block (CS1 covers 21H..2BH), as the datasheet names its registers. */
export const CS1_REGISTERS = [
  'PLconstH', 'PLconstL', 'Lgain', 'Lphi', 'Ngain', 'Nphi', 'PStartTh', 'PNolTh', 'QStartTh', 'QNolTh', 'MMode',
] as const satisfies readonly RegisterName[];
/** The measurement calibration block (CS2 covers 31H..3AH). */
export const CS2_REGISTERS = [
  'Ugain', 'IgainL', 'IgainN', 'Uoffset', 'IoffsetL', 'IoffsetN', 'PoffsetL', 'QoffsetL', 'PoffsetN', 'QoffsetN',
] as const satisfies readonly RegisterName[];

/** Every register `--set afe.<Name>` may change: both calibration blocks, their checksums, and FuncEn/SagTh. */
export const CALIBRATION_REGISTERS = ['FuncEn', 'SagTh', ...CS1_REGISTERS, 'CS1', ...CS2_REGISTERS, 'CS2'] as const satisfies readonly RegisterName[];
export type CalibrationRegister = (typeof CALIBRATION_REGISTERS)[number];
export type ChipRegisters = Record<CalibrationRegister, number>;

/**
 * The firmware's `SET_register_values()` (docs/atm90e26.md §3.1): Nphi is never written (stays 0000H after CalStart 5678H),
 * IgainL keeps its default 7A13H, every offset 0. CS1 327CH and CS2 993BH are the checksums of exactly these values.
 */
export const FIRMWARE_REGISTERS: Readonly<ChipRegisters> = Object.freeze({
  FuncEn: 0x0030, SagTh: 0x1f2f,
  PLconstH: 0x001e, PLconstL: 0xc8b4, Lgain: 0x1d39, Lphi: 0x0000, Ngain: 0x1d39, Nphi: 0x0000,
  PStartTh: 0x08bd, PNolTh: 0x08bd, QStartTh: 0x0aec, QNolTh: 0x0000, MMode: 0x9422, CS1: 0x327c,
  Ugain: 0x71d8, IgainL: 0x7a13, IgainN: 0x0f56, Uoffset: 0, IoffsetL: 0, IoffsetN: 0,
  PoffsetL: 0, QoffsetL: 0, PoffsetN: 0, QoffsetN: 0, CS2: 0x993b,
});

export interface MeterUnit {
  profile: BoardProfile;
  registers: ChipRegisters;
}

/** The nominal board (schematic values) with the firmware's registers. */
export function nominalUnit(): MeterUnit {
  return { profile: cloneProfile(DEFAULT_BOARD_PROFILE), registers: { ...FIRMWARE_REGISTERS } };
}

/** CS1 and CS2 recomputed from the blocks (what the OSM workflow does by reading them off the LCD). */
export function withChecksums(regs: ChipRegisters): ChipRegisters {
  const out = { ...regs };
  out.CS1 = cs1Of(out);
  out.CS2 = cs2Of(out);
  return out;
}

/** PL_Constant, 32 bits from PLconstH:PLconstL. */
export function plConstantOf(regs: ChipRegisters): number {
  return ((regs.PLconstH << 16) | regs.PLconstL) >>> 0;
}

/** Registers with PL_Constant split into PLconstH and PLconstL. */
export function withPlConstant(regs: ChipRegisters, pl: number): ChipRegisters {
  if (!Number.isInteger(pl) || pl < 1 || pl > 0xffffffff) throw new RangeError(`PL_Constant must be an integer 1..0xFFFFFFFF, got ${String(pl)}`);
  return { ...regs, PLconstH: (pl >>> 16) & 0xffff, PLconstL: pl & 0xffff };
}

let scale: Pick<Atm90e26Config, 'KU' | 'KI' | 'KIL'> | null = null;

/**
 * The chip's absolute scale constants: those that make the firmware's Ugain/IgainN exact on the nominal board
 * (models/afe/factory-calibration.ts). They belong to the silicon, so every unit and every what-if board uses them.
 */
export function chipScale(): Pick<Atm90e26Config, 'KU' | 'KI' | 'KIL'> {
  scale ??= chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE));
  return scale;
}

/**
 * Bring a chip up as the firmware does: FuncEn, SagTh, CalStart 5678H, the CS1 block (PLconstH before PLconstL),
 * CS1, AdjStart 5678H, the CS2 block, CS2, then CalStart and AdjStart 8765H (checked).
 */
export function programChip(chip: ATM90E26, regs: ChipRegisters): void {
  chip.pokeRegister('FuncEn', regs.FuncEn);
  chip.pokeRegister('SagTh', regs.SagTh);
  chip.pokeRegister('CalStart', Command.Calibrate);
  for (const name of CS1_REGISTERS) chip.pokeRegister(name, regs[name]);
  chip.pokeRegister('CS1', regs.CS1);
  chip.pokeRegister('AdjStart', Command.Calibrate);
  for (const name of CS2_REGISTERS) chip.pokeRegister(name, regs[name]);
  chip.pokeRegister('CS2', regs.CS2);
  chip.pokeRegister('CalStart', Command.Check);
  chip.pokeRegister('AdjStart', Command.Check);
}

/** A fresh ATM90E26 on `time` with the silicon's scale constants. */
export function newChip(time: SimTime): ATM90E26 {
  return new ATM90E26(time, chipScale());
}

/** Pin voltages of a board at Un and Ib, in mV rms: VU (voltage channel) and VL (the CT on the N channel). */
export function designPinMillivolts(profile: BoardProfile, ratings: MeterRatings): { VU: number; VL: number } {
  const fe = new FrontEnd(profile);
  return {
    VU: cabs(fe.voltagePin(ratings.fn)) * ratings.Un * 1000,
    VL: cabs(fe.currentPinN(ratings.fn, { amps: ratings.Ib, hz: ratings.fn })) * ratings.Ib * 1000,
  };
}

/**
 * The meter constant (imp/kWh) a register set gives on a board: from PL_Constant = 838860800 x G x VL x VU /
 * (MC x Un x Ib) (docs/atm90e26.md §4.3) solved for MC, with the N line's energy gain (1 + Ngain/32768) and N gain G,
 * because the CF rate is 233.017 x p / PL_Constant with p = G x VL x VU x (1 + Ngain/32768) at PF 1.
 */
export function impliedMeterConstant(profile: BoardProfile, regs: ChipRegisters, ratings: MeterRatings): number {
  const { VU, VL } = designPinMillivolts(profile, ratings);
  const g = decodeMMode(regs.MMode).nGain;
  const pl = plConstantOf(regs);
  if (pl === 0) throw new RangeError('PL_Constant is 0: the chip would emit no CF pulses, so no meter constant follows');
  return (838860800 * g * VL * VU * (1 + toInt16(regs.Ngain) / 32768)) / (pl * ratings.Un * ratings.Ib);
}

/** Reset values of the calibration registers (what CalStart/AdjStart 5678H reload), CS1/CS2 included as 0. */
export function resetRegisters(): ChipRegisters {
  const out = {} as ChipRegisters;
  for (const name of CALIBRATION_REGISTERS) out[name] = registerInfo(REG[name])!.reset;
  return out;
}
