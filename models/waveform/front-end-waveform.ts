// The board's analog front end at sample level: the pin samples carry the phasor level's transfers (FrontEnd, built
// from one BoardProfile; the circuit solve when the board is a netlist) within 1e-4 and 0.01 deg up to 2.5 kHz,
// `latencySamples` samples late on every channel alike (matched-fir.ts says why; docs/front-end.md):
//   V  (VP-VN)   = a matched FIR on the line voltage, fitted to voltagePin(f);
//   IN (I2P-I2N) = the CT's magnetics with core saturation (ct-waveform.ts: winding, magnetising and loss branches,
//                  burden and C42, loaded by the N filter's resistances), then a matched FIR fitted to
//                  currentPinN(f) / (that network's own discrete response): the filter's capacitors, the exact
//                  frequency response and the latency live in the FIR, the nonlinearity in the CT model;
//   IL (I1P-I1N) = a matched FIR on the line current, fitted to currentPinL(f), when a shunt is fitted; otherwise
//                  nothing is connected.
import type { BoardProfile } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { RcFilter } from '../frontend/rc-filter.ts';
import { CtWaveform, type CtWaveformOptions } from './ct-waveform.ts';
import { ctDiscreteResponse } from './ct-discrete-response.ts';
import { DEFAULT_LATENCY_SAMPLES, FirFilter, designMatchedFir, type MatchedFir } from './matched-fir.ts';

/**
 * The N filter's capacitance in the CT's own network, farads: a femtofarad, so that network carries the filter's
 * resistive load on the CT but none of its frequency response (which the matched FIR gives exactly).
 */
const CT_NETWORK_FILTER_FARADS = 1e-15;

type Designs = FrontEndWaveform['match'];
/**
 * The filters' designs (tens of milliseconds each) of the last boards built, by profile: the accuracy bench builds a
 * front end per test point on one board. Designs are read-only; every front end keeps its own state.
 */
const designs = new Map<string, Designs>();

export class FrontEndWaveform {
  /** The phasor-level front end whose transfers the samples carry. */
  readonly phasor: FrontEnd;
  readonly sampleRateHz: number;
  /** Samples every pin lags the line by (the same on every channel). */
  readonly latencySamples: number;
  /** The CT's magnetics with saturation, ahead of the current channel's FIR. */
  readonly ct: CtWaveform;
  /** The three matched filters' designs (taps, achieved gain and phase error up to 2.5 kHz). */
  readonly match: { readonly voltage: MatchedFir; readonly current: MatchedFir; readonly shunt: MatchedFir | null };
  /** The L-channel shunt's filter, or null when none is fitted (I1P/I1N floating on this board). */
  readonly shunt: FirFilter | null;

  readonly #v: FirFilter;
  readonly #i: FirFilter;

  constructor(profile: BoardProfile, sampleRateHz: number, ctOptions: Partial<CtWaveformOptions> = {}) {
    this.phasor = new FrontEnd(profile);
    this.sampleRateHz = sampleRateHz;
    this.latencySamples = DEFAULT_LATENCY_SAMPLES;
    const fe = this.phasor;
    const f = fe.filterN.config;
    const ctFilter = { rOhms: f.rOhms, cFarads: CT_NETWORK_FILTER_FARADS, loadOhms: f.loadOhms };
    this.ct = new CtWaveform(fe.ct, new RcFilter(ctFilter), sampleRateHz, ctOptions);
    const key = JSON.stringify([profile, sampleRateHz, this.latencySamples]);
    let match = designs.get(key);
    if (match === undefined) {
      const o = { sampleRateHz, latencySamples: this.latencySamples };
      match = {
        voltage: designMatchedFir((hz) => fe.voltagePin(hz), o),
        current: designMatchedFir((hz) => fe.currentPinN(hz).div(ctDiscreteResponse(fe.ct.config, ctFilter, hz, sampleRateHz)), o),
        shunt: fe.shunt ? designMatchedFir((hz) => fe.currentPinL(hz), o) : null,
      };
      designs.set(key, match);
      if (designs.size > 32) designs.delete(designs.keys().next().value!);
    }
    const { voltage, current, shunt } = match;
    this.match = match;
    this.#v = new FirFilter(voltage.taps, voltage.pole);
    this.#i = new FirFilter(current.taps, current.pole);
    this.shunt = shunt ? new FirFilter(shunt.taps, shunt.pole) : null;
  }

  /**
   * Pin samples for `n` line samples: `vPin` from `vLine`, `inPin` and (with a shunt) `ilPin` from `iLine`.
   * Without a shunt `ilPin` is left untouched.
   */
  process(vLine: Float64Array, iLine: Float64Array, vPin: Float64Array, inPin: Float64Array, ilPin: Float64Array, n: number): void {
    this.#v.process(vLine, vPin, n);
    this.ct.process(iLine, inPin, n);
    this.#i.process(inPin, inPin, n);
    this.shunt?.process(iLine, ilPin, n);
  }

  /** De-energised: the CT demagnetised, every filter's history cleared (as a board just connected). */
  reset(): void {
    this.ct.reset();
    this.#v.reset();
    this.#i.reset();
    this.shunt?.reset();
  }
}
