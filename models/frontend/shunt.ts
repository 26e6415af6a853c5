// A current shunt: the alternative current sensor of the ATM90E26 reference design (Atmel AN 46102: a 200 uohm
// manganin shunt on the L channel with PGA 24 gives 1 mV at 5 A). This board leaves I1P/I1N floating; the shunt is
// here for what-if studies (a shunt on the L channel) and for the waveform level.
//
//   Z(f, T) = R0 x (1 + alpha x (T - T0)) + j w Ls
import { type Complex, checkHz, checkPositive, cx, omega } from './impedance.ts';

export interface ShuntConfig {
  /** Resistance at the reference temperature, ohms (AN example: 200 uohm). */
  ohms: number;
  /** Temperature coefficient, ppm/K. [UNDET] 20 ppm/K: manganin is specified within about +-15..50 ppm/K. */
  tempcoPpmPerK: number;
  /** Temperature at which `ohms` holds, deg C. */
  referenceTempC: number;
  /** Operating temperature of the shunt, deg C. */
  temperatureC: number;
  /** Series (self) inductance, henries. [UNDET] 2 nH: a few nH is usual for a bolted manganin strip (0.18 deg at 50 Hz). */
  seriesHenries: number;
}

export const DEFAULT_SHUNT: Readonly<ShuntConfig> = {
  ohms: 200e-6,
  tempcoPpmPerK: 20,
  referenceTempC: 25,
  temperatureC: 25,
  seriesHenries: 2e-9,
};

export class Shunt {
  readonly config: Readonly<ShuntConfig>;

  constructor(config: Partial<ShuntConfig> = {}) {
    const c = { ...DEFAULT_SHUNT, ...config };
    checkPositive(c.ohms, 'ohms', 'shunt');
    checkPositive(c.seriesHenries, 'seriesHenries', 'shunt', true);
    for (const k of ['tempcoPpmPerK', 'referenceTempC', 'temperatureC'] as const) {
      if (typeof c[k] !== 'number' || !Number.isFinite(c[k])) {
        throw new RangeError(`shunt: ${k} must be a finite number, got ${String(c[k])}`);
      }
    }
    this.config = Object.freeze(c);
    if (this.resistanceOhms <= 0) {
      throw new RangeError(`shunt: tempco ${c.tempcoPpmPerK} ppm/K at ${c.temperatureC} deg C gives a non-positive resistance`);
    }
  }

  /** Resistance at the operating temperature, ohms. */
  get resistanceOhms(): number {
    const { ohms, tempcoPpmPerK, temperatureC, referenceTempC } = this.config;
    return ohms * (1 + tempcoPpmPerK * 1e-6 * (temperatureC - referenceTempC));
  }

  /** Volts across the shunt per amp through it at `hz` (its impedance). */
  transfer(hz: number): Complex {
    checkHz(hz, 'shunt');
    return cx(this.resistanceOhms, omega(hz) * this.config.seriesHenries);
  }
}
