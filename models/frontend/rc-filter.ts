// First-order RC anti-alias filter: series R, then C to the return, loaded by a resistance across C (the chip input).
//
// This board (docs/atm90e26.md section 5) has 1 kohm + 33 nF on every analog input:
// - voltage: R44 1k || C38 33 nF on VP (inside the divider, see voltage-divider.ts) and R45 1k || C39 33 nF on VN;
// - current N: R9 1k from J10.2 to I2P with C29 33 nF from I2P to the burden mid node, and R10 1k / C32 33 nF on the
//   I2N leg. The mid node joins only R7/R8 and C29/C32 (not GND), so differentially the two legs are one section of
//   2 kohm and 16.5 nF (C29 in series with C32), loaded by the chip's two 400 kohm single-ended inputs in series
//   (800 kohm across I2P-I2N through the chip's GND).
// Known answers: 1k/33 nF and 2k/16.5 nF both have their pole at 1/(2 pi R C) = 4.82 kHz and lag 0.594 deg at 50 Hz.
//
// The differential reduction assumes the mid node sits half way between the legs; with 1 % burden and 10 % capacitor
// mismatch the common-mode to differential conversion it ignores is below 1e-5 of the signal at 50 Hz.
import {
  type Complex, cadd, cdiv, checkHz, checkPositive, cx, yCapacitor, yResistor, zFromY, omega,
} from './impedance.ts';

export interface RcFilterConfig {
  /** Series resistance in ohms. */
  rOhms: number;
  /** Shunt capacitance in farads. */
  cFarads: number;
  /** Resistance across the capacitor (the input it drives), ohms; `Infinity` for an unloaded section. */
  loadOhms: number;
}

/** The two legs of a differential input filter into a floating mid node, and the chip input behind it. */
export interface DifferentialFilterConfig {
  /** Series resistor of the P leg, ohms (R9 on the N current channel). */
  rPOhms: number;
  /** Series resistor of the N leg, ohms (R10). */
  rNOhms: number;
  /** Capacitor from the P pin to the mid node, farads (C29). */
  cPFarads: number;
  /** Capacitor from the N pin to the mid node, farads (C32). */
  cNFarads: number;
  /** Chip input impedance of each pin to the chip's GND, ohms (ATM90E26: 400 kohm on I2P/I2N and VP/VN, 1 kohm on I1P/I1N). */
  chipInputOhms: number;
}

export const DEFAULT_RC_FILTER: Readonly<RcFilterConfig> = { rOhms: 1000, cFarads: 33e-9, loadOhms: Infinity };

export class RcFilter {
  readonly config: Readonly<RcFilterConfig>;

  constructor(config: Partial<RcFilterConfig> = {}) {
    const c = { ...DEFAULT_RC_FILTER, ...config };
    checkPositive(c.rOhms, 'rOhms', 'RC filter');
    checkPositive(c.cFarads, 'cFarads', 'RC filter');
    if (typeof c.loadOhms !== 'number' || Number.isNaN(c.loadOhms) || c.loadOhms <= 0) {
      throw new RangeError(`RC filter: loadOhms must be > 0 (Infinity for no load), got ${String(c.loadOhms)}`);
    }
    this.config = Object.freeze(c);
  }

  /** The differential equivalent of two legs into a floating mid node: R = rP + rN, C = cP in series with cN. */
  static differential(legs: DifferentialFilterConfig): RcFilter {
    for (const k of ['rPOhms', 'rNOhms', 'cPFarads', 'cNFarads', 'chipInputOhms'] as const) {
      checkPositive(legs[k], k, 'differential filter');
    }
    return new RcFilter({
      rOhms: legs.rPOhms + legs.rNOhms,
      cFarads: (legs.cPFarads * legs.cNFarads) / (legs.cPFarads + legs.cNFarads),
      loadOhms: 2 * legs.chipInputOhms,
    });
  }

  /** The RC corner 1/(2 pi R C) in hertz (4.82 kHz for 1 kohm / 33 nF). */
  get cornerHz(): number { return 1 / (2 * Math.PI * this.config.rOhms * this.config.cFarads); }

  /** The pole including the load: (1 + R/Rload)/(2 pi R C); the -3 dB point relative to the DC gain. */
  get poleHz(): number { return (1 + this.config.rOhms / this.config.loadOhms) * this.cornerHz; }

  /** DC gain Rload/(R + Rload) (1 when unloaded). */
  get dcGain(): number {
    const { rOhms, loadOhms } = this.config;
    return Number.isFinite(loadOhms) ? loadOhms / (rOhms + loadOhms) : 1;
  }

  /** Impedance of the shunt part (C || Rload) at `hz`. */
  shuntImpedance(hz: number): Complex {
    checkHz(hz, 'RC filter');
    return zFromY(cadd(yCapacitor(this.config.cFarads, hz), yResistor(this.config.loadOhms)));
  }

  /** Output volts per input volt at `hz`: 1/(1 + R/Rload + j w R C). */
  transfer(hz: number): Complex {
    checkHz(hz, 'RC filter');
    const { rOhms, cFarads, loadOhms } = this.config;
    const re = 1 + (Number.isFinite(loadOhms) ? rOhms / loadOhms : 0);
    return cdiv(cx(1), cx(re, omega(hz) * rOhms * cFarads));
  }

  /** Impedance the filter presents to its source at `hz`: R + (C || Rload) (`Infinity` unloaded at DC). */
  inputImpedance(hz: number): Complex {
    return cadd(cx(this.config.rOhms), this.shuntImpedance(hz));
  }

  /** Admittance the filter presents to its source at `hz` (0 when it is open, unloaded at DC). */
  inputAdmittance(hz: number): Complex {
    return cdiv(cx(1), this.inputImpedance(hz));
  }
}
