// One analog input channel of the ATM90E26 at waveform level: the ADC and the two high-pass filters behind it
// (docs/atm90e26.md §4.1, §4.2, table 2.4). Values stay in pin volts (input-referred), as the phasor level's.
//
//   pin -> + noise -> clip at +-full scale -> quantise -> HPF1 -> HPF0 -> DSP
//
// - Input range: 600 mV rms at gain 1 (DS channel table), i.e. clipping at +-600 x sqrt 2 = +-849 mV peak; with a
//   gain G (L PGA 1/4/8/16/24, N gain 1/2/4) the range at the pins is 600/G mV rms (N gains 2 and 4: assumed, §9.4).
// - Quantisation: [UNDET] the DS does not give the resolution (§9.1). `bits` = 24 over the +-peak range (0.1 uV per
//   step at gain 1), the word length sigma-delta metering front ends of this class deliver; the 120 uV noise floor
//   then sets the resolution, as the DS's 5000:1 range says. A what-if with fewer bits shows real quantisation: at
//   16 bits (26 uV) and 160 samples per cycle the error repeats every cycle and, without noise to dither it, biases a
//   small current's phase (0.002 deg at 24 mV, more below).
// - Noise floor: 120 uV rms at gain 1 (the DS minimum input, 5000:1 below full scale), 120/G uV with gain G, white,
//   from a seeded source (uniform distribution of that rms: only its power matters to the RMS and energy paths; an
//   internal xorshift32 seeded from the source passed in). Without a source the noise floor is off.
// - High-pass filters: two first-order sections in series, switched by MMode.DisHPF (00 both on, 01 HPF1 on/HPF0
//   off, 10 HPF1 off/HPF0 on, 11 both off). [UNDET] corner 0.3 Hz each (DS silent): it takes out DC within about 2 s
//   and costs the 50 Hz path only (0.3/50)^2 = 3.6e-5 in rms (the same in V and I, no phase difference between them).
import { tustinHighPass } from '../waveform/discrete.ts';

const ROUNDER = 6755399441055744;

export interface AdcChannelConfig {
  /** Full-scale input at gain 1, volts rms (DS: 600 mV). */
  fullScaleVrms: number;
  /** Output resolution in bits over +-peak full scale. */
  bits: number;
  /** Input-referred noise at gain 1, volts rms (DS minimum input: 120 uV). */
  noiseVrms: number;
  /** Corner of each high-pass filter, Hz. */
  hpfCornerHz: number;
}

export const DEFAULT_ADC_CHANNEL: Readonly<AdcChannelConfig> = Object.freeze({
  fullScaleVrms: 0.6,
  bits: 24,
  noiseVrms: 120e-6,
  hpfCornerHz: 0.3,
});

export function checkAdcConfig(c: AdcChannelConfig): void {
  const pos = (k: keyof AdcChannelConfig, allowZero = false): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
      throw new RangeError(`ATM90E26 ADC: ${k} must be a number ${allowZero ? '>=' : '>'} 0, got ${String(v)}`);
    }
  };
  pos('fullScaleVrms');
  pos('noiseVrms', true);
  pos('hpfCornerHz', true);
  if (!Number.isInteger(c.bits) || c.bits < 4 || c.bits > 32) throw new RangeError(`ATM90E26 ADC: bits must be an integer from 4 to 32, got ${String(c.bits)}`);
}

export class AdcChannel {
  readonly config: Readonly<AdcChannelConfig>;
  readonly sampleRateHz: number;
  #gain = 1;
  #clip = 0;
  #lsb = 0;
  #invLsb = 0;
  #noise = 0;
  #rng: number;
  readonly #hpf: { b0: number; b1: number; a1: number };
  // Per filter: coefficients in use (a bypassed filter is b0 = 1, b1 = a1 = 0) and its state.
  #h1b0 = 1; #h1b1 = 0; #h1a1 = 0;
  #h0b0 = 1; #h0b1 = 0; #h0a1 = 0;
  #x1 = 0; #y1 = 0; #y0 = 0;
  #clipped = 0;

  /** `rngState`: a non-zero xorshift32 state for the noise, or 0 for no noise. */
  constructor(sampleRateHz: number, config: Readonly<AdcChannelConfig>, rngState: number) {
    checkAdcConfig(config);
    this.config = config;
    this.sampleRateHz = sampleRateHz;
    this.#rng = rngState | 0;
    this.#hpf = tustinHighPass(config.hpfCornerHz, sampleRateHz);
    this.setGain(1);
    this.setDisHpf(0);
  }

  /** Input-referred clipping level, volts peak. */
  get clipVolts(): number { return this.#clip; }
  /** Samples clipped since construction. */
  get clippedSamples(): number { return this.#clipped; }

  /** Analog gain (PGA / N gain): the input range at the pins shrinks by it, and so do the step and the noise. */
  setGain(gain: number): void {
    if (!(gain > 0)) throw new RangeError(`ATM90E26 ADC: gain must be > 0, got ${String(gain)}`);
    this.#gain = gain;
    this.#clip = (this.config.fullScaleVrms * Math.SQRT2) / gain;
    this.#lsb = (2 * this.#clip) / 2 ** this.config.bits;
    this.#invLsb = 1 / this.#lsb;
    this.#noise = this.#rng !== 0 ? this.config.noiseVrms / gain : 0;
  }

  get gain(): number { return this.#gain; }

  /** MMode.DisHPF[1:0]: bit 1 disables HPF1, bit 0 disables HPF0. */
  setDisHpf(bits: number): void {
    const on1 = (bits & 2) === 0;
    const on0 = (bits & 1) === 0;
    const h = this.#hpf;
    [this.#h1b0, this.#h1b1, this.#h1a1] = on1 ? [h.b0, h.b1, h.a1] : [1, 0, 0];
    [this.#h0b0, this.#h0b1, this.#h0a1] = on0 ? [h.b0, h.b1, h.a1] : [1, 0, 0];
  }

  /** Converts `n` pin samples (volts) into `out[offset ..]` (pin volts after the filters). */
  convert(pin: Float64Array, n: number, out: Float64Array, offset: number): void {
    const clip = this.#clip;
    const lsb = this.#lsb;
    const invLsb = this.#invLsb;
    // One uniform int32 per sample: variance 2^64 / 12, scaled to the noise rms.
    const noise = (this.#noise * Math.sqrt(3)) / 2147483648;
    const b10 = this.#h1b0, b11 = this.#h1b1, a11 = this.#h1a1;
    const b00 = this.#h0b0, b01 = this.#h0b1, a01 = this.#h0a1;
    let x1 = this.#x1;
    let y1 = this.#y1;
    let y0 = this.#y0;
    let r = this.#rng;
    let clipped = 0;
    for (let k = 0; k < n; k++) {
      let x = pin[k];
      if (noise !== 0) {
        r ^= r << 13; r ^= r >>> 17; r ^= r << 5;
        x += r * noise;
      }
      if (x > clip) { x = clip; clipped++; } else if (x < -clip) { x = -clip; clipped++; }
      // Round to the nearest step (adding and removing 1.5 x 2^52 rounds a double to an integer: Math.round is far
      // slower on noisy values).
      x = ((x * invLsb + ROUNDER) - ROUNDER) * lsb;
      // HPF1 then HPF0 (first-order sections; the input history of HPF0 is HPF1's output history y1).
      const h1 = b10 * x + b11 * x1 - a11 * y1;
      const h0 = b00 * h1 + b01 * y1 - a01 * y0;
      x1 = x;
      y1 = h1;
      y0 = h0;
      out[offset + k] = h0;
    }
    this.#x1 = x1;
    this.#y1 = y1;
    this.#y0 = y0;
    this.#rng = r;
    this.#clipped += clipped;
  }
}
