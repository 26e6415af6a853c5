// A kettle at sample level: a sheathed heating element, resistive, whose resistance rises a little as it heats.
// R(t) = R_hot (1 - (1 - coldRatio) e^(-t / warmUpS)), R_hot the phasor level's resistance (models/loads/load.ts), so
// the kettle settles at the phasor level's current and draws a few percent more for its first seconds.
// [UNDET] coldRatio 0.95 (a nichrome-type element rising about 5 % from room to working temperature) and warmUpS
// 20 s (the element and its sheath heating the water film). Resistance is updated once per block (a block is at
// most about a second; the time constant is tens of seconds).
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { checkOption, type SampleContext, type SampleLoad } from './sample-load.ts';

export interface KettleOptions {
  /** Cold resistance over hot resistance. */
  coldRatio: number;
  /** Time constant of the element's warm-up, seconds. */
  warmUpS: number;
}

export const DEFAULT_KETTLE_OPTIONS: Readonly<KettleOptions> = Object.freeze({ coldRatio: 0.95, warmUpS: 20 });

export class KettleLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'kettle';
  readonly options: Readonly<KettleOptions>;
  readonly hotOhms: number;
  #seconds = 0;

  constructor(spec: LoadSpec, grid: LoadContext, options: Partial<KettleOptions> = {}) {
    const phasor = new Load({ ...spec, kind: 'kettle' }, grid);
    const o = { ...DEFAULT_KETTLE_OPTIONS, ...options };
    checkOption(`kettle '${phasor.id}'`, 'coldRatio', o.coldRatio, 0, 1);
    checkOption(`kettle '${phasor.id}'`, 'warmUpS', o.warmUpS, 0, 1e6);
    this.options = Object.freeze(o);
    this.id = phasor.id;
    this.hotOhms = phasor.rOhms;
  }

  /** Element resistance now, ohms. */
  get ohms(): number {
    const { coldRatio, warmUpS } = this.options;
    return this.hotOhms * (1 - (1 - coldRatio) * Math.exp(-this.#seconds / warmUpS));
  }

  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    const r = this.ohms;
    this.#seconds += n / ctx.sampleRateHz;
    if (!Number.isFinite(r)) return;
    const g = 1 / r;
    for (let k = 0; k < n; k++) i[k] += g * v[k];
  }
}
