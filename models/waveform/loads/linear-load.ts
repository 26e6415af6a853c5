// Resistive, inductive and capacitive loads at sample level: the phasor level's constant impedance (models/loads/load.ts:
// series R + jX fixed when the load is set, `watts` at ratedVolts or `amps` at the grid's Vrms) as a series branch
// discretised exactly at the grid frequency of that moment. Harmonics and frequency changes see L or C, as at phasor
// level.
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import type { SampleContext, SampleLoad } from './sample-load.ts';
import { SeriesImpedance } from './series-impedance.ts';

export class LinearLoad implements SampleLoad {
  readonly id: string;
  readonly kind: string;
  /** The phasor-level load this one discretises (its rOhms, xOhms, definedHz). */
  readonly phasor: Load;
  readonly #branch: SeriesImpedance;

  constructor(spec: LoadSpec, grid: LoadContext, sampleRateHz: number) {
    this.phasor = new Load(spec, grid);
    this.id = this.phasor.id;
    this.kind = this.phasor.kind;
    this.#branch = new SeriesImpedance(sampleRateHz);
    this.#branch.set(this.phasor.rOhms, this.phasor.xOhms, this.phasor.definedHz);
  }

  addCurrent(v: Float64Array, i: Float64Array, n: number, _ctx: SampleContext): void {
    this.#branch.addCurrent(v, i, n);
  }
}
