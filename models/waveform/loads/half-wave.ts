// A half-wave rectified load at sample level: a diode in series with a resistance (and an inductance when pf < 1), as a
// heater or hair dryer on its half-power setting, or a DC tamper. Current flows only in the positive half cycles, so
// it has a DC component (0.9 x its fundamental for a resistance) and even harmonics: the shape the phasor level's
// `rectifier` spectrum (models/loads/spectra.ts) describes, here produced by the circuit.
//
// The R (and L) are the phasor level's (models/loads/load.ts: `watts` is the real power at ratedVolts, which for a
// half-wave resistance is V^2 / (2 R)). The diode is ideal: it conducts while the current would be positive; with an
// inductance the current runs on past the voltage zero until it reaches 0, as in the circuit.
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { tustinK } from '../discrete.ts';
import type { SampleContext, SampleLoad } from './sample-load.ts';

export class HalfWaveLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'rectifier';
  readonly phasor: Load;
  readonly #g: number;
  readonly #b0: number;
  readonly #b1: number;
  readonly #inductive: boolean;
  #v1 = 0;
  #i1 = 0;

  constructor(spec: LoadSpec, grid: LoadContext, sampleRateHz: number) {
    this.phasor = new Load({ ...spec, kind: 'rectifier' }, grid);
    const { rOhms, xOhms, definedHz } = this.phasor;
    // The phasor rectifier draws a fundamental I1 = V / |Z|; a diode into R draws I1 = V / (2 R): so R = |Z| / 2 (exact
    // for a resistance; with an inductance the branch is scaled alike, which keeps the phasor level's PF approximately).
    const scale = 0.5;
    const r = rOhms * scale;
    const x = xOhms * scale;
    this.id = this.phasor.id;
    this.#g = Number.isFinite(r) && r > 0 ? 1 / r : 0;
    this.#inductive = x > 0 && Number.isFinite(r);
    if (this.#inductive) {
      const nyquist = sampleRateHz / 2;
      const K = tustinK(sampleRateHz, definedHz < nyquist ? definedHz : 0);
      const kl = (K * x) / (2 * Math.PI * definedHz);
      this.#b0 = 1 / (kl + r);
      this.#b1 = (kl - r) / (kl + r);
    } else {
      this.#b0 = 0;
      this.#b1 = 0;
    }
  }

  addCurrent(v: Float64Array, i: Float64Array, n: number, _ctx: SampleContext): void {
    const g = this.#g;
    if (g === 0) return;
    if (!this.#inductive) {
      for (let k = 0; k < n; k++) { const x = v[k]; if (x > 0) i[k] += g * x; }
      return;
    }
    const b0 = this.#b0;
    const b1 = this.#b1;
    let v1 = this.#v1;
    let i1 = this.#i1;
    for (let k = 0; k < n; k++) {
      const x = v[k];
      // While conducting the R-L branch runs; the diode blocks a negative current. Across a blocked diode the branch
      // sees 0 V, so a new conduction starts from v[n-1] = 0.
      let cur = i1 > 0 || x > 0 ? b0 * (x + (i1 > 0 ? v1 : 0)) + b1 * i1 : 0;
      if (cur < 0) cur = 0;
      i[k] += cur;
      v1 = x;
      i1 = cur;
    }
    this.#v1 = v1;
    this.#i1 = i1;
  }
}
