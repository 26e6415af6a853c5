// A current source phase-locked to the grid: draws a current given as spectral lines (amps rms and phase relative to
// the grid's fundamental, order 0 = signed DC), whatever the voltage. This is the test bench's "phantom load" (an
// independent current source locked to the voltage), used by the accuracy suite and to compare the waveform level
// with the phasor level on exactly the same signals:
//   i(t) = I_0 + sum over h of sqrt 2 x I_h x cos(h theta(t) + phi_h),  theta the grid fundamental's phase.
import type { Harmonic } from '../../signals.ts';
import type { SampleContext, SampleLoad } from './sample-load.ts';

export class CurrentLinesLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'current-lines';
  readonly lines: readonly Harmonic[];
  readonly #dc: number;
  readonly #orders: Int32Array;
  readonly #ac: Float64Array;
  readonly #as: Float64Array;
  readonly #maxOrder: number;

  constructor(id: string, lines: readonly Harmonic[]) {
    if (typeof id !== 'string' || id.trim() === '') throw new TypeError('a current-lines load needs an id (a non-empty name)');
    if (!Array.isArray(lines)) throw new TypeError(`current-lines load '${id}': lines must be a list of { order, rms, phaseRad }`);
    const byOrder = new Map<number, [number, number]>();
    let dc = 0;
    lines.forEach((h, k) => {
      if (h === null || typeof h !== 'object' || !Number.isInteger(h.order) || h.order < 0 || h.order > 200) {
        throw new RangeError(`current-lines load '${id}': line #${k + 1} needs an integer order from 0 to 200`);
      }
      if (typeof h.rms !== 'number' || !Number.isFinite(h.rms) || typeof h.phaseRad !== 'number' || !Number.isFinite(h.phaseRad)) {
        throw new RangeError(`current-lines load '${id}': line #${k + 1} needs finite rms (amps) and phaseRad`);
      }
      if (h.order === 0) { dc += h.rms; return; }
      const a = byOrder.get(h.order) ?? [0, 0];
      a[0] += Math.SQRT2 * h.rms * Math.cos(h.phaseRad);
      a[1] += Math.SQRT2 * h.rms * Math.sin(h.phaseRad);
      byOrder.set(h.order, a);
    });
    const orders = [...byOrder.keys()].sort((a, b) => a - b);
    this.id = id;
    this.lines = Object.freeze(lines.map((h) => ({ order: h.order, rms: h.rms, phaseRad: h.phaseRad })));
    this.#dc = dc;
    this.#orders = Int32Array.from(orders);
    this.#ac = Float64Array.from(orders.map((o) => byOrder.get(o)![0]));
    this.#as = Float64Array.from(orders.map((o) => byOrder.get(o)![1]));
    this.#maxOrder = orders.length ? orders[orders.length - 1] : 0;
  }

  addCurrent(_v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    const { cos1, sin1 } = ctx;
    const orders = this.#orders;
    const ac = this.#ac;
    const as = this.#as;
    const maxOrder = this.#maxOrder;
    const dc = this.#dc;
    if (maxOrder === 1) {
      const a = ac[0];
      const b = as[0];
      for (let k = 0; k < n; k++) i[k] += dc + a * cos1[k] - b * sin1[k];
      return;
    }
    for (let k = 0; k < n; k++) {
      const c1 = cos1[k];
      const s1 = sin1[k];
      let pc = 1;
      let ps = 0;
      let j = 0;
      let x = dc;
      for (let h = 1; h <= maxOrder; h++) {
        const t = pc * c1 - ps * s1;
        ps = ps * c1 + pc * s1;
        pc = t;
        if (orders[j] === h) {
          x += ac[j] * pc - as[j] * ps;
          j++;
        }
      }
      i[k] += x;
    }
  }
}
