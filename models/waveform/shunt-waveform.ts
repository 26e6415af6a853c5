// The L-channel shunt (models/frontend/shunt.ts) and its input filter (rc-filter.ts) at sample level, from the same
// component values:  H(s) = (R(T) + s Ls) / ((1 + Rf/Rload) + s Rf Cf)  volts at I1P-I1N per amp of line current,
// R(T) = R0 (1 + alpha (T - T0)) (its temperature coefficient), Ls its self-inductance. Discretised by Tustin.
import type { Shunt } from '../frontend/shunt.ts';
import type { RcFilter } from '../frontend/rc-filter.ts';
import { FirstOrderSection, firstOrderResponse, tustinFirstOrder, type FirstOrderCoefficients } from './discrete.ts';

export class ShuntWaveform {
  readonly sampleRateHz: number;
  readonly coefficients: FirstOrderCoefficients;
  readonly #section: FirstOrderSection;

  constructor(shunt: Shunt, filter: RcFilter, sampleRateHz: number) {
    const { rOhms, cFarads, loadOhms } = filter.config;
    const d0 = 1 + (Number.isFinite(loadOhms) ? rOhms / loadOhms : 0);
    this.sampleRateHz = sampleRateHz;
    this.coefficients = tustinFirstOrder(shunt.resistanceOhms, shunt.config.seriesHenries, d0, rOhms * cFarads, sampleRateHz);
    this.#section = new FirstOrderSection(this.coefficients);
  }

  /** I1P-I1N samples (volts) from `n` line current samples (amps). */
  process(current: Float64Array, pin: Float64Array, n: number): void {
    this.#section.process(current, pin, n);
  }

  /** The discrete response at `hz` as [re, im] volts per amp (compare with FrontEnd.currentPinL). */
  response(hz: number): [number, number] {
    return firstOrderResponse(this.coefficients, hz, this.sampleRateHz);
  }

  reset(): void { this.#section.reset(); }
}
