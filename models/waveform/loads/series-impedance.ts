// A series R-L or R-C branch driven by voltage samples, by the trapezoidal rule prewarped at the frequency where its
// reactance is defined (so the discrete branch has exactly the phasor level's impedance R + jX there). Its parameters
// may change between samples (a motor's start, a load profile's steps); the inductor current or capacitor voltage
// carries over, as in the circuit. A pure resistance is algebraic: i = v / R.
//
//   R-L:  (K L + R) i[n] = v[n] + v[n-1] + (K L - R) i[n-1]
//   R-C:  (R + 1/(K C)) i[n] = v[n] - vc[n-1] - i[n-1]/(K C),   vc[n] = vc[n-1] + (i[n] + i[n-1])/(K C)
// with K = w0 / tan(w0 T / 2), w0 = 2 pi definedHz.
import { tustinK } from '../discrete.ts';

export class SeriesImpedance {
  readonly sampleRateHz: number;
  #kind: 0 | 1 | 2 = 0; // 0: R only (or open), 1: R-L, 2: R-C
  #g = 0; // 1/R for kind 0
  #b0 = 0;
  #b1 = 0; // R-L: i = b0 (v + v1) + b1 i1
  #invKC = 0; // R-C
  #den = 0;
  #v1 = 0;
  #i1 = 0;
  #vc = 0;

  constructor(sampleRateHz: number) {
    this.sampleRateHz = sampleRateHz;
  }

  /**
   * Sets R (ohms, Infinity: open) and the reactance X (ohms at `definedHz`; > 0 an inductance, < 0 a capacitance).
   * A capacitance's series R may be 0; an inductance or a pure resistance needs R > 0 or L > 0.
   */
  set(rOhms: number, xOhms: number, definedHz: number): void {
    if (!Number.isFinite(rOhms) || xOhms === 0) {
      this.#kind = 0;
      this.#g = Number.isFinite(rOhms) && rOhms > 0 ? 1 / rOhms : 0;
      this.#i1 = this.#g * this.#v1;
      this.#vc = 0;
      return;
    }
    const nyquist = this.sampleRateHz / 2;
    const K = tustinK(this.sampleRateHz, definedHz < nyquist ? definedHz : 0);
    const w0 = 2 * Math.PI * definedHz;
    if (xOhms > 0) {
      const kl = (K * xOhms) / w0;
      if (this.#kind !== 1) this.#i1 = 0;
      this.#kind = 1;
      this.#b0 = 1 / (kl + rOhms);
      this.#b1 = (kl - rOhms) / (kl + rOhms);
    } else {
      const c = -1 / (w0 * xOhms);
      if (this.#kind !== 2) { this.#i1 = 0; this.#vc = this.#v1; }
      this.#kind = 2;
      this.#invKC = 1 / (K * c);
      this.#den = 1 / (rOhms + this.#invKC);
    }
  }

  /** Adds the branch current for the voltage samples `start` .. `end` - 1 of `v` to `out`. */
  addCurrent(v: Float64Array, out: Float64Array, end: number, start = 0): void {
    const n = end;
    let v1 = this.#v1;
    let i1 = this.#i1;
    switch (this.#kind) {
      case 0: {
        const g = this.#g;
        if (g !== 0) for (let k = start; k < n; k++) out[k] += g * v[k];
        i1 = n > start ? g * v[n - 1] : i1;
        break;
      }
      case 1: {
        const b0 = this.#b0;
        const b1 = this.#b1;
        for (let k = start; k < n; k++) {
          const x = v[k];
          const i = b0 * (x + v1) + b1 * i1;
          out[k] += i;
          v1 = x;
          i1 = i;
        }
        break;
      }
      default: {
        const ikc = this.#invKC;
        const den = this.#den;
        let vc = this.#vc;
        for (let k = start; k < n; k++) {
          const i = (v[k] - vc - i1 * ikc) * den;
          vc += (i + i1) * ikc;
          out[k] += i;
          i1 = i;
        }
        this.#vc = vc;
        break;
      }
    }
    if (n > start) this.#v1 = v[n - 1];
    this.#i1 = i1;
  }
}
