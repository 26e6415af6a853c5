// A switch-mode power supply or LED driver without power-factor correction, at sample level: the circuit itself,
// so its peaky current, crest factor (about 3) and odd harmonics (3rd, 5th, 7th...) come out of the simulation.
//
//   line --+-- X capacitor (EMI filter) --+
//          +-- Rs (NTC, wiring, diodes) -- bridge rectifier -- bulk capacitor C -- converter drawing constant power
//
// The bridge conducts while |v| - 2 Vd exceeds the bulk voltage; the capacitor then charges through Rs in a short pulse
// near each voltage peak. The converter draws a constant power (so a sag raises the current) once the bulk voltage is
// above its under-voltage lock-out, and nothing below it (so switch-on charges the empty capacitor in an inrush limited
// by Rs). Sized per watt, as such supplies are: C = bulkFaradsPerWatt x P, Rs = seriesResistanceFraction x
// ratedVolts^2 / P. The converter power is set when the load is built so that the real power drawn at ratedVolts
// (and the grid frequency) is `watts` (losses in Rs included).
//
// Defaults [UNDET, typical of 230 V-only supplies]: 1 uF/W bulk capacitance, Rs = 1 % of ratedVolts^2 / P (6.4 ohm at
// 60 W on 240 V: an NTC when warm plus the wiring), diode drop 0.9 V, X capacitor 100 nF, lock-out at 40 % of the
// rated peak. These give a crest factor of about 3, a current THD near 110 % and a slightly leading displacement
// power factor. The phasor level's `pf` is not used here: the displacement comes out of the circuit.
//
// The bridge and the capacitor are integrated `oversample` times per sample while the bridge can conduct (backward
// Euler, the supply voltage interpolated linearly between samples); while it cannot, the capacitor's discharge at
// constant power is exact over the whole sample. The current reported is the one at the sample instant.
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { checkOption, type SampleContext, type SampleLoad } from './sample-load.ts';

export interface SmpsOptions {
  bulkFaradsPerWatt: number;
  seriesResistanceFraction: number;
  diodeVolts: number;
  xCapFarads: number;
  /** Under-voltage lock-out of the converter, as a fraction of the peak of ratedVolts. */
  lockoutFraction: number;
  /** Integration steps per sample. */
  oversample: number;
}

export const DEFAULT_SMPS_OPTIONS: Readonly<SmpsOptions> = Object.freeze({
  bulkFaradsPerWatt: 1e-6,
  seriesResistanceFraction: 0.01,
  diodeVolts: 0.9,
  xCapFarads: 100e-9,
  lockoutFraction: 0.4,
  oversample: 4,
});

export class SmpsLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'smps';
  readonly options: Readonly<SmpsOptions>;
  /** Power drawn by the converter from the bulk capacitor, watts. */
  readonly converterWatts: number;
  readonly bulkFarads: number;
  readonly seriesOhms: number;
  readonly #lockout: number;
  #vc = 0;
  #vPrev = 0;

  constructor(spec: LoadSpec, grid: LoadContext, sampleRateHz: number, options: Partial<SmpsOptions> = {}) {
    const phasor = new Load({ ...spec, kind: 'smps' }, grid);
    const o = { ...DEFAULT_SMPS_OPTIONS, ...options };
    const owner = `smps '${phasor.id}'`;
    checkOption(owner, 'bulkFaradsPerWatt', o.bulkFaradsPerWatt, 0, 1);
    checkOption(owner, 'seriesResistanceFraction', o.seriesResistanceFraction, 0, 1);
    checkOption(owner, 'diodeVolts', o.diodeVolts, 0, 10, true);
    checkOption(owner, 'xCapFarads', o.xCapFarads, 0, 1e-3, true);
    checkOption(owner, 'lockoutFraction', o.lockoutFraction, 0, 1, true);
    if (!Number.isInteger(o.oversample) || o.oversample < 1 || o.oversample > 64) {
      throw new RangeError(`${owner}: oversample must be an integer from 1 to 64, got ${String(o.oversample)}`);
    }
    this.options = Object.freeze(o);
    this.id = phasor.id;
    const vr = phasor.spec.ratedVolts;
    // Target real power at ratedVolts: the spec's watts, or its amps at the grid voltage turned into the phasor
    // level's real power (fundamental current x voltage at its displacement).
    const target = Number.isFinite(phasor.rOhms) ? (vr * vr * phasor.rOhms) / (phasor.rOhms ** 2 + phasor.xOhms ** 2) : 0;
    this.#lockout = o.lockoutFraction * Math.SQRT2 * vr;
    if (target === 0) {
      this.converterWatts = 0;
      this.bulkFarads = o.bulkFaradsPerWatt;
      this.seriesOhms = Infinity;
      return;
    }
    this.bulkFarads = o.bulkFaradsPerWatt * target;
    this.seriesOhms = (o.seriesResistanceFraction * vr * vr) / target;
    // Converter power such that the input real power at ratedVolts is the target (two secant steps from the target).
    let p = target;
    for (let it = 0; it < 3; it++) p *= target / this.#steadyInputWatts(p, vr, grid.hz, sampleRateHz);
    this.converterWatts = p;
  }

  /** Bulk capacitor voltage now, volts. */
  get bulkVolts(): number { return this.#vc; }

  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    if (this.converterWatts === 0) return;
    const st = { vc: this.#vc, vPrev: this.#vPrev };
    this.#run(v, i, n, ctx.sampleRateHz, this.converterWatts, st);
    this.#vc = st.vc;
    this.#vPrev = st.vPrev;
  }

  #run(v: Float64Array, i: Float64Array, n: number, fs: number, pConv: number, st: { vc: number; vPrev: number }): void {
    const m = this.options.oversample;
    const dt = 1 / (fs * m);
    const c = this.bulkFarads;
    const gs = 1 / this.seriesOhms;
    const vd = 2 * this.options.diodeVolts;
    const gx = this.options.xCapFarads * fs; // backward-Euler X capacitor over one sample
    const lock = this.#lockout;
    const a = dt / c;
    const implicit = 1 / (1 + a * gs);
    // Over a whole sample without conduction the converter drains C at constant power: vc^2 falls by 2 P T / C.
    const drain = (2 * pConv) / (c * fs);
    let vc = st.vc;
    let vp = st.vPrev;
    for (let k = 0; k < n; k++) {
      const x = v[k];
      const ax = x < 0 ? -x : x;
      const ap = vp < 0 ? -vp : vp;
      let idc = 0;
      if ((ax > ap ? ax : ap) - vd <= vc) {
        // |v| is linear between samples, so it peaks at an end: the bridge stays off for the whole sample.
        if (vc > lock) {
          const v2 = vc * vc - drain;
          vc = v2 > lock * lock ? Math.sqrt(v2) : lock;
        }
      } else {
        const dv = (x - vp) / m;
        for (let s = 1; s <= m; s++) {
          const u = vp + dv * s;
          const drive = (u < 0 ? -u : u) - vd;
          const load = vc > lock ? pConv / vc : 0;
          if (drive > vc) {
            vc = (vc + a * (drive * gs - load)) * implicit;
            idc = (drive - vc) * gs;
            if (idc < 0) idc = 0;
          } else {
            vc -= a * load;
            if (vc < 0) vc = 0;
            idc = 0;
          }
        }
      }
      i[k] += (x < 0 ? -idc : idc) + gx * (x - vp);
      vp = x;
    }
    st.vc = vc;
    st.vPrev = vp;
  }

  /** Real power drawn in steady state at `volts` rms, for a converter power `pConv` (setup only). */
  #steadyInputWatts(pConv: number, volts: number, hz: number, fs: number): number {
    const cycles = 40;
    const perCycle = Math.max(8, Math.round(fs / hz));
    const n = perCycle * cycles;
    const v = new Float64Array(n);
    const i = new Float64Array(n);
    const w = (2 * Math.PI) / perCycle; // a whole number of samples per cycle: the mean below is exact
    for (let k = 0; k < n; k++) v[k] = Math.SQRT2 * volts * Math.sin(w * k);
    const st = { vc: Math.SQRT2 * volts * 0.9, vPrev: 0 };
    this.#run(v, i, n, fs, pConv, st);
    let p = 0;
    const from = n - perCycle * 10;
    for (let k = from; k < n; k++) p += v[k] * i[k];
    return p / (n - from);
  }
}
