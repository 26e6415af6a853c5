// The voltage channel's divider (docs/atm90e26.md section 5, netlist of sch.kicad_sch):
//
//   LINE -- R12 120k -- R15, R40, R41, R42, R43 100k each (620 kohm in all) -- VP
//   VP   -- R44 1k || C38 33 nF || chip VP input 400 kohm -- GND
//   GND  -- R54 100k -- R55 100k -- NEUTRAL        (the AFE GND is otherwise isolated by the flyback SMPS)
//   VN   -- R45 1k || C39 33 nF -- GND             (nothing drives VN: it sits at GND, so VP-VN = VP-GND)
//
// One series current flows LINE -> VP -> GND -> NEUTRAL, so VP-GND = Vline * Zs / (Rtop + Zs + Rreturn) with
// Zs = R44 || C38 || Rin. At 50 Hz that is 1/823 (240 V -> 291.6 mVrms) with a 0.59 deg lag: the 1k/33 nF RC
// on VP, matched to the current channel's filter. Were GND tied straight to neutral it would be 1/622.5.
import {
  type Complex, cadd, cdiv, checkHz, checkPositive, cx, yCapacitor, yResistor, zFromY,
} from './impedance.ts';

export interface VoltageDividerConfig {
  /** LINE to VP: R12 120k + R15, R40..R43 100k = 620 kohm. */
  rTopOhms: number;
  /** VP to GND sample resistor R44, 1 kohm. */
  rSampleOhms: number;
  /** GND to NEUTRAL return R54 + R55, 200 kohm. */
  rReturnOhms: number;
  /** VP filter capacitor C38, 33 nF. */
  cFilterFarads: number;
  /** ATM90E26 VP/VN input impedance to GND, 400 kohm (datasheet channel characteristics). */
  chipInputOhms: number;
  /** VN to GND resistor R45, 1 kohm. */
  rVnOhms: number;
  /** VN to GND capacitor C39, 33 nF. */
  cVnFarads: number;
}

export const DEFAULT_VOLTAGE_DIVIDER: Readonly<VoltageDividerConfig> = {
  rTopOhms: 620e3,
  rSampleOhms: 1e3,
  rReturnOhms: 200e3,
  cFilterFarads: 33e-9,
  chipInputOhms: 400e3,
  rVnOhms: 1e3,
  cVnFarads: 33e-9,
};

export class VoltageDivider {
  readonly config: Readonly<VoltageDividerConfig>;

  constructor(config: Partial<VoltageDividerConfig> = {}) {
    const c = { ...DEFAULT_VOLTAGE_DIVIDER, ...config };
    for (const k of Object.keys(DEFAULT_VOLTAGE_DIVIDER) as (keyof VoltageDividerConfig)[]) {
      checkPositive(c[k], k, 'voltage divider');
    }
    this.config = Object.freeze(c);
  }

  /** Impedance from VP to GND: R44 || C38 || chip input. */
  sampleImpedance(hz: number): Complex {
    checkHz(hz, 'voltage divider');
    const { rSampleOhms, cFilterFarads, chipInputOhms } = this.config;
    return zFromY(cadd(cadd(yResistor(rSampleOhms), yResistor(chipInputOhms)), yCapacitor(cFilterFarads, hz)));
  }

  /** Impedance from VN to GND: R45 || C39 || chip input (carries no signal current; for the waveform level). */
  vnImpedance(hz: number): Complex {
    checkHz(hz, 'voltage divider');
    const { rVnOhms, cVnFarads, chipInputOhms } = this.config;
    return zFromY(cadd(cadd(yResistor(rVnOhms), yResistor(chipInputOhms)), yCapacitor(cVnFarads, hz)));
  }

  /** Pin volts (VP-VN) per volt of line-to-neutral voltage at `hz`. */
  transfer(hz: number): Complex {
    const zs = this.sampleImpedance(hz);
    const { rTopOhms, rReturnOhms } = this.config;
    return cdiv(zs, cadd(cx(rTopOhms + rReturnOhms), zs));
  }

  /** DC ratio (pin volts per line volt), 1/823 for the defaults. */
  get ratio(): number {
    const { rTopOhms, rSampleOhms, rReturnOhms, chipInputOhms } = this.config;
    const rs = (rSampleOhms * chipInputOhms) / (rSampleOhms + chipInputOhms);
    return rs / (rTopOhms + rs + rReturnOhms);
  }

  /** Equivalent source resistance seen by the VP filter (Rtop + Rreturn), for building the waveform-level filter. */
  get sourceOhms(): number { return this.config.rTopOhms + this.config.rReturnOhms; }
}
