// The voltage channel's divider (models/frontend/voltage-divider.ts) at sample level, built from the same component
// values. One series current flows LINE -> Rtop -> VP -> (R44 || C38 || chip input) -> GND -> Rreturn -> NEUTRAL, so
//   H(s) = Zs / (Rt + Zs) = 1 / ((1 + Rt G) + s Rt C),   Rt = Rtop + Rreturn,  G = 1/R44 + 1/Rin,  C = C38,
// a first-order low-pass: 1/823 at DC with its pole at 4.82 kHz (0.594 deg lag at 50 Hz). Discretised by Tustin.
import type { VoltageDivider } from '../frontend/voltage-divider.ts';
import { FirstOrderSection, firstOrderResponse, tustinFirstOrder, type FirstOrderCoefficients } from './discrete.ts';

export class DividerWaveform {
  readonly sampleRateHz: number;
  readonly coefficients: FirstOrderCoefficients;
  readonly #section: FirstOrderSection;

  constructor(divider: VoltageDivider, sampleRateHz: number) {
    const { rTopOhms, rReturnOhms, rSampleOhms, chipInputOhms, cFilterFarads } = divider.config;
    const rt = rTopOhms + rReturnOhms;
    const g = 1 / rSampleOhms + 1 / chipInputOhms;
    this.sampleRateHz = sampleRateHz;
    this.coefficients = tustinFirstOrder(1, 0, 1 + rt * g, rt * cFilterFarads, sampleRateHz);
    this.#section = new FirstOrderSection(this.coefficients);
  }

  /** VP-VN samples (volts) from `n` line-to-neutral voltage samples (volts). */
  process(line: Float64Array, pin: Float64Array, n: number): void {
    this.#section.process(line, pin, n);
  }

  /** The discrete response at `hz` as [re, im] (compare with VoltageDivider.transfer). */
  response(hz: number): [number, number] {
    return firstOrderResponse(this.coefficients, hz, this.sampleRateHz);
  }

  reset(): void { this.#section.reset(); }
}
