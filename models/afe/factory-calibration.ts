// The chip's absolute scale constants (KU, KI) are not published (docs/atm90e26.md §9, item 2). The firmware's calibration
// registers (Ugain 0x71D8, IgainN 0x0F56, §8) were read off a real board with a reference meter, so the twin takes
// them to be exact on the board they were made for: the nominal board of the profile. Given that board's front end,
// KU and KI follow: Urms = 100 x Un and Irms2 = 50 x Ib at Un = 240 V, Ib = 5 A. A board drawn from its tolerances,
// or changed by a what-if override, then reads with the errors its components give, as a real unit would.
import type { FrontEnd } from '../frontend/front-end.ts';
import { cabs } from '../frontend/impedance.ts';
import type { Atm90e26Config } from './atm90e26.ts';

export interface FactoryCalibration {
  /** Reference voltage of the calibration, volts rms (product spec Un). */
  un: number;
  /** Basic current of the calibration, amps rms (Ib). */
  ib: number;
  hz: number;
  /** Ugain the firmware writes. */
  ugain: number;
  /** IgainN the firmware writes. */
  igainN: number;
  /** Register counts the firmware expects: Urms = 100 x V, Irms2 = 50 x I (§8). */
  urmsPerVolt: number;
  irms2PerAmp: number;
}

export const FIRMWARE_CALIBRATION: Readonly<FactoryCalibration> = {
  un: 240, ib: 5, hz: 50, ugain: 0x71d8, igainN: 0x0f56, urmsPerVolt: 100, irms2PerAmp: 50,
};

/** KU, KI (and KIL = KI) that make the firmware's registers exact on `nominal`. */
export function chipScaleFor(nominal: FrontEnd, cal: FactoryCalibration = FIRMWARE_CALIBRATION): Pick<Atm90e26Config, 'KU' | 'KI' | 'KIL'> {
  const vPin = cabs(nominal.voltagePin(cal.hz)) * cal.un;
  const iPin = cabs(nominal.currentPinN(cal.hz, { amps: cal.ib, hz: cal.hz })) * cal.ib;
  const KU = (cal.urmsPerVolt * cal.un) / (vPin * cal.ugain);
  const KI = (cal.irms2PerAmp * cal.ib) / (iPin * cal.igainN);
  return { KU, KI, KIL: KI };
}
