// An incandescent lamp at sample level: a tungsten filament whose resistance rises with its temperature, so a cold lamp
// draws an inrush of about 14 times its rated current that dies away as the filament heats, within about 100 ms.
//
//   R(T) = R_hot (T / T_hot)^1.2                           tungsten resistivity goes roughly as T^1.2 (300..3000 K)
//   C_th dT/dt = v^2 / R(T) - P_rad(T),  P_rad(T) = P_rated (T^4 - T_amb^4) / (T_hot^4 - T_amb^4)   (radiation)
//
// R_hot is the phasor level's resistance (models/loads/load.ts: rated watts at ratedVolts), so the lamp settles at the
// phasor level's current. Cold resistance: R_hot x (300/2700)^1.2 = R_hot / 14 (GLS lamps: 1/12..1/15). C_th follows
// from the thermal time constant at the operating point, tau = C_th / (dP_rad/dT) = C_th T_hot / (4 P_rated): [UNDET]
// 45 ms, which brings the current within 10 % of its final value about 100 ms after switch-on at 240 V for any rating
// (small filaments are thinner but also weaker radiators; the time scales alike). Explicit Euler per sample: stable,
// since T / tau is 3e-3.
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { checkOption, type SampleContext, type SampleLoad } from './sample-load.ts';

export interface LampOptions {
  /** Filament temperature at rated voltage, K (GLS lamps about 2700 K). */
  hotKelvin: number;
  /** Ambient (and cold filament) temperature, K. */
  ambientKelvin: number;
  /** Exponent of tungsten resistivity versus absolute temperature (about 1.2). */
  resistivityExponent: number;
  /** Thermal time constant at the operating point, ms. [UNDET] 45 ms. */
  thermalTimeConstantMs: number;
}

export const DEFAULT_LAMP_OPTIONS: Readonly<LampOptions> = Object.freeze({
  hotKelvin: 2700,
  ambientKelvin: 300,
  resistivityExponent: 1.2,
  thermalTimeConstantMs: 45,
});

export class LampLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'lamp';
  readonly options: Readonly<LampOptions>;
  /** Resistance when hot (the phasor level's), ohms. */
  readonly hotOhms: number;
  readonly #pRated: number;
  readonly #heatCap: number;
  #kelvin: number;

  constructor(spec: LoadSpec, grid: LoadContext, options: Partial<LampOptions> = {}) {
    const phasor = new Load({ ...spec, kind: 'lamp' }, grid);
    const o = { ...DEFAULT_LAMP_OPTIONS, ...options };
    const owner = `lamp '${phasor.id}'`;
    checkOption(owner, 'ambientKelvin', o.ambientKelvin, 0, 5000);
    checkOption(owner, 'hotKelvin', o.hotKelvin, o.ambientKelvin, 5000);
    checkOption(owner, 'resistivityExponent', o.resistivityExponent, 0, 5);
    checkOption(owner, 'thermalTimeConstantMs', o.thermalTimeConstantMs, 0, 1e6);
    this.options = Object.freeze(o);
    this.id = phasor.id;
    this.hotOhms = phasor.rOhms;
    const v = phasor.spec.ratedVolts;
    this.#pRated = Number.isFinite(this.hotOhms) ? (v * v) / this.hotOhms : 0;
    this.#heatCap = (this.#pRated * (o.thermalTimeConstantMs / 1000) * 4) / o.hotKelvin;
    this.#kelvin = o.ambientKelvin;
  }

  /** Filament temperature now, K. */
  get kelvin(): number { return this.#kelvin; }

  /** Filament resistance now, ohms. */
  get ohms(): number {
    return this.hotOhms * Math.pow(this.#kelvin / this.options.hotKelvin, this.options.resistivityExponent);
  }

  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    if (this.#pRated === 0) return;
    const { hotKelvin, ambientKelvin, resistivityExponent } = this.options;
    const dtOverC = 1 / (ctx.sampleRateHz * this.#heatCap);
    const ta4 = ambientKelvin ** 4;
    const radK = this.#pRated / (hotKelvin ** 4 - ta4);
    const invHot = 1 / hotKelvin;
    const gHot = 1 / this.hotOhms;
    let t = this.#kelvin;
    for (let k = 0; k < n; k++) {
      const g = gHot / Math.pow(t * invHot, resistivityExponent);
      const x = v[k];
      const cur = g * x;
      i[k] += cur;
      const t2 = t * t;
      t += dtOverC * (cur * x - radK * (t2 * t2 - ta4));
      if (t < ambientKelvin) t = ambientKelvin;
    }
    this.#kelvin = t;
  }
}
