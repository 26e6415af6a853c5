// The ATM90E26's measurement and metering DSP at waveform level: from the 8 kHz samples of its three inputs to the
// quantities the phasor level computes from spectra (phasor-dsp.ts), in the same pin units, so the register scaling,
// the energy accumulator and the CF pulses of atm90e26.ts serve both levels unchanged.
// Facts: docs/atm90e26.md §4.1-§4.4, §4.8; choices where the DS is silent are marked [UNDET].
//
// Per sample: each channel through its ADC (waveform-adc.ts: noise, clipping, quantisation, two HPFs); then
//   - the current delayed by Lphi/Nphi (n x 0.488 us, §4.4; 4-point Lagrange fractional delay), as at phasor level;
//   - mean squares and mean products v.i (active power) and v90.i (reactive power), where v90 is the voltage delayed
//     by a quarter of the measured line period. [UNDET] A fundamental-tuned 90 deg shift, suggested by the DS's
//     reactive accuracy band of 47.5..52.5 Hz (§4.2). It shifts order h by h x 90 deg, so it equals the phasor
//     level's Budeanu sum for the fundamental and for orders 5, 9, 13..., gives the opposite sign for orders 3, 7,
//     11..., and turns an even order's active power into reactive (+-P_h): the levels differ only where the voltage
//     and the current share a harmonic other than 5, 9, 13... (the accuracy suite's harmonic test uses the 5th).
//   - zero crossings of the voltage (positive-going, with hysteresis, time interpolated between samples): the line
//     frequency, and a reference phase locked to them (a rotation recurrence at the measured period);
//   - the fundamental of each input, correlated with that reference over each cycle (one DFT bin): the phase angle
//     between voltage and current fundamentals and the fundamental powers. [UNDET] The DS times voltage and current
//     zero crossings with a 256 kHz counter (§4.2); crossing times move with harmonics and, at small currents, with
//     the ADC's steps and noise, while the fundamental angle is what the phasor level reports (Pangle = angle of the
//     fundamental products), so the twin measures that.
//
// Windows. [UNDET] (§9.3: the DS gives no averaging window.) Integration runs from one positive voltage zero crossing
// to the next (one line cycle, the edges interpolated within the sample: trapezoidal rule with fractional end
// segments), so a steady state is averaged over whole periods whatever the frequency and the harmonics.
//   - each cycle's mean active/reactive power drives the energy accumulator and CF (one cycle of latency);
//   - every `windowCycles` cycles (16: 320 ms at 50 Hz) the RMS values, mean powers, phase angles and frequency
//     (cycles / their total duration) update the measurement registers.
//   - without voltage crossings a cycle closes after 1/minLineHz s (no frequency is then measured).
//
// Voltage sag (§4.8): a sag is "no 3 samples above the threshold during one cycle starting from any zero crossing".
// The cycle starting at a crossing ends at the next crossing of the same edge, so at every crossing (both edges) the
// samples above the threshold since the previous crossing of that edge decide the sag state. Without crossings (an
// outage, a deep sag) the cycle timeout (1/minLineHz) decides it from the samples since the last crossing.
//
// An input with no samples (AfePinSamples.IL of length 0: nothing connected to I1P/I1N) is skipped and reads 0, as at
// phasor level.
import type { AfePinSamples } from '../signals.ts';
import { AdcChannel, DEFAULT_ADC_CHANNEL, checkAdcConfig, type AdcChannelConfig } from './waveform-adc.ts';

export interface WaveformDspConfig {
  /** Sample rate of the inputs (DS: 8 kHz). */
  sampleRateHz: number;
  /** ADC channel settings (range, resolution, noise floor, HPF corner), the same for V, L and N. */
  adc: AdcChannelConfig;
  /** Line cycles per measurement window. */
  windowCycles: number;
  /** Hysteresis of the zero-crossing detectors, volts at the pins (about 4 x the noise floor). */
  zeroCrossingHysteresisV: number;
  /** Lowest line frequency the cycle logic follows, Hz: a cycle closes after 1/minLineHz s without a crossing. */
  minLineHz: number;
  /** Largest block `process` handles in one pass, samples (longer blocks are split). */
  maxBlock: number;
}

export const DEFAULT_WAVEFORM_DSP: Readonly<WaveformDspConfig> = Object.freeze({
  sampleRateHz: 8000,
  adc: DEFAULT_ADC_CHANNEL,
  windowCycles: 16,
  zeroCrossingHysteresisV: 0.5e-3,
  minLineHz: 40,
  maxBlock: 8192,
});

/** What the DSP takes from the chip's registers (set per block by the caller). */
export interface DspSettings {
  /** L PGA gain (MMode). */
  lGain: number;
  /** N gain (MMode). */
  nGain: number;
  /** MMode.DisHPF[1:0]. */
  disHpf: number;
  /** Sag threshold as a pin voltage (peak), volts. */
  sagThresholdV: number;
  /** Lphi and Nphi as a delay of the current, in samples (signed; positive adds lag). */
  lDelaySamples: number;
  nDelaySamples: number;
}

/** Mean active and reactive power of one line in pin units (V x V); q positive when the current lags. */
export interface LinePowers {
  p: number;
  q: number;
}

/** Powers of one line: all frequencies (p, q) and the fundamental alone (p1, q1; their angle is Pangle). */
export interface LineMeasurements extends LinePowers {
  p1: number;
  q1: number;
}

/** One measurement window. */
export interface WaveformWindow {
  /** Line frequency from the voltage zero crossings, or null when there were none. */
  freqHz: number | null;
  /** RMS of each input over the window, pin volts. */
  vRms: number;
  ilRms: number;
  inRms: number;
  L: LineMeasurements;
  N: LineMeasurements;
  /** Line cycles and seconds in the window. */
  cycles: number;
  seconds: number;
  /** Samples clipped by each ADC during the window. */
  clippedV: number;
  clippedIL: number;
  clippedIN: number;
}

/** One line cycle's mean powers (drive the energy path). */
export interface WaveformCycle {
  L: LinePowers;
  N: LinePowers;
  seconds: number;
}

/** Waveform-level measurements handed to the chip; omitted parts keep their last value. */
export interface WaveformMeasurements {
  window?: WaveformWindow;
  cycle?: WaveformCycle;
  sag?: boolean;
}

/** Samples kept before each block: fractional delays and the quarter-period voltage reach back this far. */
const HISTORY = 512;
/** Fixed delay of the product path, samples: room for current advances (negative Lphi/Nphi) up to 4 samples. */
const BASE = 6;
/**
 * Accumulated quantities (see WaveformDsp.#productsAt): duration, the squares, the active and reactive products, and
 * the correlations of V, IN, IL with the cycle's reference cos and sin.
 */
const NQ = 14;

export function checkDspConfig(c: WaveformDspConfig): void {
  if (c === null || typeof c !== 'object') throw new TypeError('waveform DSP config must be an object');
  if (typeof c.sampleRateHz !== 'number' || !(c.sampleRateHz > 0) || !Number.isFinite(c.sampleRateHz)) {
    throw new RangeError(`waveform DSP: sampleRateHz must be a positive number, got ${String(c.sampleRateHz)}`);
  }
  checkAdcConfig(c.adc);
  if (!Number.isInteger(c.windowCycles) || c.windowCycles < 1 || c.windowCycles > 1000) {
    throw new RangeError(`waveform DSP: windowCycles must be an integer from 1 to 1000, got ${String(c.windowCycles)}`);
  }
  if (typeof c.zeroCrossingHysteresisV !== 'number' || !(c.zeroCrossingHysteresisV >= 0) || !Number.isFinite(c.zeroCrossingHysteresisV)) {
    throw new RangeError(`waveform DSP: zeroCrossingHysteresisV must be a number of volts >= 0, got ${String(c.zeroCrossingHysteresisV)}`);
  }
  if (typeof c.minLineHz !== 'number' || !(c.minLineHz > 0) || c.minLineHz >= c.sampleRateHz / 4) {
    throw new RangeError(`waveform DSP: minLineHz must be > 0 and below a quarter of the sample rate, got ${String(c.minLineHz)}`);
  }
  if (c.sampleRateHz / c.minLineHz / 4 > HISTORY - BASE - 4) {
    throw new RangeError(`waveform DSP: minLineHz ${c.minLineHz} Hz needs a quarter period longer than the ${HISTORY}-sample history`);
  }
  if (!Number.isInteger(c.maxBlock) || c.maxBlock < 1) throw new RangeError(`waveform DSP: maxBlock must be a positive integer, got ${String(c.maxBlock)}`);
}

/** 4-point Lagrange coefficients for a delay of `delay` samples (>= 1) behind the newest sample. */
function lagrange(delay: number, out: Float64Array): number {
  const m = Math.floor(delay);
  const mu = delay - m;
  // Interpolate at position t in [0, 1) between samples b = newest - m - 1 and b + 1; taps b-1 .. b+2.
  // (mu = 0 gives t = 1: the coefficients are exactly 0, 0, 1, 0.)
  const t = 1 - mu;
  out[0] = (-t * (t - 1) * (t - 2)) / 6;
  out[1] = ((t + 1) * (t - 1) * (t - 2)) / 2;
  out[2] = (-(t + 1) * t * (t - 2)) / 2;
  out[3] = ((t + 1) * t * (t - 1)) / 6;
  return m + 2; // offset of tap b-1 behind the newest sample
}

export class WaveformDsp {
  readonly config: Readonly<WaveformDspConfig>;
  /** A window is complete: measurement registers. `sample`: index of the input sample that completed it. */
  onWindow: ((w: WaveformWindow, sample: number) => void) | undefined = undefined;
  /** A line cycle is complete: energy path. */
  onCycle: ((c: WaveformCycle, sample: number) => void) | undefined = undefined;
  /** The sag state changed. */
  onSag: ((sag: boolean, sample: number) => void) | undefined = undefined;

  readonly #adcV: AdcChannel;
  readonly #adcL: AdcChannel;
  readonly #adcN: AdcChannel;
  readonly #bufV: Float64Array;
  readonly #bufL: Float64Array;
  readonly #bufN: Float64Array;
  #hasL = false;
  #sample = 0; // input samples processed

  // Settings.
  #sagTh = 0;
  readonly #cL = new Float64Array(4);
  readonly #cN = new Float64Array(4);
  readonly #cQ = new Float64Array(4);
  #offL = BASE + 2;
  #offN = BASE + 2;
  #offQ = BASE + 2;

  // Cycle state.
  readonly #S = new Float64Array(NQ); // plain sums since the cycle's first sample
  readonly #start = new Float64Array(NQ); // start-edge corrections of the open cycle
  readonly #prev = new Float64Array(NQ);
  readonly #cur = new Float64Array(NQ);
  #cycleSync = false; // the open cycle began at a voltage crossing
  #cycleSamples = 0;
  #lastCross = -1; // time of the last positive voltage crossing (product-stream samples, fractional), -1: none
  #period: number; // line period, samples
  #armedPos = false;
  #armedNeg = false;
  #vPrev = 0;
  // Reference phase of the fundamental at the next sample: cos, sin, and its step per sample.
  #rc = 1;
  #rs = 0;
  #wc = 1;
  #ws = 0;

  // Window accumulation.
  readonly #W = new Float64Array(NQ);
  #wCycles = 0;
  #wSyncCycles = 0;
  #wSyncLen = 0;
  /** Fundamental products summed over the window's cycles: N p1, N q1, L p1, L q1 (pin V x V, times seconds). */
  readonly #F = new Float64Array(4);
  #clip0 = [0, 0, 0];

  // Sag detector: samples above the threshold so far, and that count at the last positive and negative crossings and
  // at the last crossing or cycle timeout of either kind.
  #above = 0;
  #aboveAtPos = -1e9;
  #aboveAtNeg = -1e9;
  #aboveAtMark = 0;
  #sag = false;

  constructor(config: Partial<WaveformDspConfig> = {}, random?: () => number) {
    const c: WaveformDspConfig = { ...DEFAULT_WAVEFORM_DSP, ...config, adc: { ...DEFAULT_WAVEFORM_DSP.adc, ...(config.adc ?? {}) } };
    checkDspConfig(c);
    this.config = Object.freeze({ ...c, adc: Object.freeze(c.adc) });
    let seeds = [0, 0, 0];
    if (random !== undefined) {
      if (typeof random !== 'function') throw new TypeError('waveform DSP: random must be a function returning numbers in [0, 1)');
      seeds = [0, 1, 2].map(() => {
        const u = random();
        if (typeof u !== 'number' || !(u >= 0 && u < 1)) throw new RangeError(`waveform DSP: random source must return numbers in [0, 1), got ${String(u)}`);
        return (Math.floor(u * 4294967296) | 1) >>> 0 || 1;
      });
    }
    const fs = c.sampleRateHz;
    this.#adcV = new AdcChannel(fs, this.config.adc, seeds[0]);
    this.#adcL = new AdcChannel(fs, this.config.adc, seeds[1]);
    this.#adcN = new AdcChannel(fs, this.config.adc, seeds[2]);
    this.#bufV = new Float64Array(HISTORY + c.maxBlock);
    this.#bufL = new Float64Array(HISTORY + c.maxBlock);
    this.#bufN = new Float64Array(HISTORY + c.maxBlock);
    this.#period = fs / 50;
    this.#setStep();
    this.apply({ lGain: 1, nGain: 1, disHpf: 0, sagThresholdV: 0, lDelaySamples: 0, nDelaySamples: 0 });
  }

  /** Input samples processed so far. */
  get sampleIndex(): number { return this.#sample; }
  /** The sag state now. */
  get sag(): boolean { return this.#sag; }
  /** The last measured line period, seconds. */
  get periodS(): number { return this.#period / this.config.sampleRateHz; }
  /** Clipped samples per ADC since construction. */
  get clipped(): { V: number; IL: number; IN: number } {
    return { V: this.#adcV.clippedSamples, IL: this.#adcL.clippedSamples, IN: this.#adcN.clippedSamples };
  }

  /** Register-derived settings (MMode gains and DisHPF, SagTh, Lphi/Nphi), in force from the next sample. */
  apply(s: DspSettings): void {
    if (s === null || typeof s !== 'object') throw new TypeError('waveform DSP settings must be an object');
    for (const k of ['lGain', 'nGain', 'sagThresholdV', 'disHpf', 'lDelaySamples', 'nDelaySamples'] as const) {
      if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new RangeError(`waveform DSP settings: ${k} must be a finite number, got ${String(s[k])}`);
    }
    if (Math.abs(s.lDelaySamples) > BASE - 1 || Math.abs(s.nDelaySamples) > BASE - 1) {
      throw new RangeError(`waveform DSP settings: phase-correction delays must be within +-${BASE - 1} samples`);
    }
    if (this.#adcL.gain !== s.lGain) this.#adcL.setGain(s.lGain);
    if (this.#adcN.gain !== s.nGain) this.#adcN.setGain(s.nGain);
    for (const a of [this.#adcV, this.#adcL, this.#adcN]) a.setDisHpf(s.disHpf);
    this.#sagTh = s.sagThresholdV;
    this.#offL = lagrange(BASE + s.lDelaySamples, this.#cL);
    this.#offN = lagrange(BASE + s.nDelaySamples, this.#cN);
    this.#setQuarter();
  }

  /** Processes a block of pin samples (any length; V and IN must have it, IL the same or 0 for "not connected"). */
  process(block: AfePinSamples): void {
    if (block === null || typeof block !== 'object') throw new TypeError('waveform DSP: a block must be an AfePinSamples object');
    const { V, IL, IN } = block;
    if (!(V instanceof Float64Array) || !(IN instanceof Float64Array) || !(IL instanceof Float64Array)) {
      throw new TypeError('waveform DSP: V, IL and IN must be Float64Arrays');
    }
    if (block.sampleRateHz !== this.config.sampleRateHz) {
      throw new RangeError(`waveform DSP: samples at ${String(block.sampleRateHz)} Hz, the chip samples at ${this.config.sampleRateHz} Hz`);
    }
    const n = V.length;
    if (IN.length !== n || (IL.length !== 0 && IL.length !== n)) {
      throw new RangeError(`waveform DSP: V, IN (and IL unless empty) must have the same length (${n}, ${IN.length}, ${IL.length})`);
    }
    const max = this.config.maxBlock;
    for (let k = 0; k < n; k += max) {
      const m = Math.min(max, n - k);
      this.#chunk(V.subarray(k, k + m), IL.length ? IL.subarray(k, k + m) : IL, IN.subarray(k, k + m), m);
    }
  }

  #chunk(V: Float64Array, IL: Float64Array, IN: Float64Array, n: number): void {
    const H = HISTORY;
    const bv = this.#bufV;
    const bl = this.#bufL;
    const bn = this.#bufN;
    const hasL = IL.length > 0;
    if (hasL !== this.#hasL) {
      bl.fill(0);
      this.#hasL = hasL;
    }
    this.#adcV.convert(V, n, bv, H);
    this.#adcN.convert(IN, n, bn, H);
    if (hasL) this.#adcL.convert(IL, n, bl, H);

    const S = this.#S;
    let s0 = S[0], s1 = S[1], s2 = S[2], s3 = S[3], s4 = S[4], s5 = S[5], s6 = S[6];
    let s7 = S[7], s8 = S[8], s9 = S[9], s10 = S[10], s11 = S[11], s12 = S[12], s13 = S[13];
    const cN = this.#cN;
    const cL = this.#cL;
    const cQ = this.#cQ;
    const n0 = cN[0], n1 = cN[1], n2 = cN[2], n3 = cN[3];
    const l0 = cL[0], l1 = cL[1], l2 = cL[2], l3 = cL[3];
    let q0 = cQ[0], q1 = cQ[1], q2 = cQ[2], q3 = cQ[3];
    let offQ = this.#offQ;
    const offN = this.#offN;
    const offL = this.#offL;
    const hyst = this.config.zeroCrossingHysteresisV;
    const maxCycle = this.config.sampleRateHz / this.config.minLineHz;
    const sagTh = this.#sagTh;
    let above = this.#above;
    let vPrev = this.#vPrev;
    let armedPos = this.#armedPos;
    let armedNeg = this.#armedNeg;
    let cycleSamples = this.#cycleSamples;
    let rc = this.#rc, rs = this.#rs, wc = this.#wc, ws = this.#ws;
    let aboveAtNeg = this.#aboveAtNeg;
    let aboveAtMark = this.#aboveAtMark;
    let sag = this.#sag;
    const directN = cN[0] === 0 && cN[1] === 0 && cN[2] === 1 && cN[3] === 0; // a whole-sample delay: no interpolation
    const base = this.#sample - BASE; // product-stream index of input sample k is base + k

    for (let k = 0; k < n; k++) {
      const j = H + k;
      const vd = bv[j - BASE];
      let a = j - offN;
      const iN = directN ? bn[a + 2] : n0 * bn[a] + n1 * bn[a + 1] + n2 * bn[a + 2] + n3 * bn[a + 3];
      a = j - offQ;
      const vq = q0 * bv[a] + q1 * bv[a + 1] + q2 * bv[a + 2] + q3 * bv[a + 3];
      let iL = 0;
      if (hasL) {
        a = j - offL;
        iL = l0 * bl[a] + l1 * bl[a + 1] + l2 * bl[a + 2] + l3 * bl[a + 3];
      }

      // A negative-going crossing: the sag window of the cycle since the previous one (counted inline).
      let sagFlip = false;
      if (armedNeg && vd < 0) {
        armedNeg = false;
        sagFlip = above - aboveAtNeg < 3 !== sag;
        aboveAtNeg = above;
        aboveAtMark = above;
      }
      // Rare events: positive voltage crossings (cycle ends), a change of the sag state, a cycle without crossings.
      const posCross = armedPos && vd >= 0;
      const g = base + k;
      if (posCross || sagFlip || cycleSamples >= maxCycle) {
        if (sagFlip) this.#setSag(!sag, k);
        S[0] = s0; S[1] = s1; S[2] = s2; S[3] = s3; S[4] = s4; S[5] = s5; S[6] = s6;
        S[7] = s7; S[8] = s8; S[9] = s9; S[10] = s10; S[11] = s11; S[12] = s12; S[13] = s13;
        this.#above = above;
        this.#aboveAtMark = aboveAtMark;
        this.#cycleSamples = cycleSamples;
        this.#rc = rc; this.#rs = rs;
        if (posCross) {
          this.#voltageCrossing(j, g, vPrev, vd, k);
          armedPos = false;
          // The period (and with it the quarter-period delay and the reference) may have changed.
          q0 = cQ[0]; q1 = cQ[1]; q2 = cQ[2]; q3 = cQ[3]; offQ = this.#offQ;
        } else if (cycleSamples >= maxCycle) {
          this.#closeCycle(null, k);
          // No crossing for a whole (longest) cycle: a sag unless 3 samples since the last crossing were above.
          this.#setSag(above - this.#aboveAtMark < 3, k);
          this.#aboveAtMark = above;
        }
        s0 = S[0]; s1 = S[1]; s2 = S[2]; s3 = S[3]; s4 = S[4]; s5 = S[5]; s6 = S[6];
        s7 = S[7]; s8 = S[8]; s9 = S[9]; s10 = S[10]; s11 = S[11]; s12 = S[12]; s13 = S[13];
        cycleSamples = this.#cycleSamples;
        rc = this.#rc; rs = this.#rs; wc = this.#wc; ws = this.#ws;
        aboveAtMark = this.#aboveAtMark;
        sag = this.#sag;
      }
      if (vd < -hyst) armedPos = true;
      else if (vd > hyst) armedNeg = true;
      if (vd > sagTh || vd < -sagTh) above++;

      s0 += 1;
      s1 += vd * vd;
      s2 += iN * iN;
      s4 += vd * iN;
      s5 += vq * iN;
      s7 += vd * rc;
      s8 += vd * rs;
      s9 += iN * rc;
      s10 += iN * rs;
      if (hasL) {
        s3 += iL * iL;
        s6 += vd * iL;
        s12 += vq * iL;
        s11 += iL * rc;
        s13 += iL * rs;
      }
      const t = rc * wc - rs * ws;
      rs = rs * wc + rc * ws;
      rc = t;
      cycleSamples++;
      vPrev = vd;
    }
    S[0] = s0; S[1] = s1; S[2] = s2; S[3] = s3; S[4] = s4; S[5] = s5; S[6] = s6;
    S[7] = s7; S[8] = s8; S[9] = s9; S[10] = s10; S[11] = s11; S[12] = s12; S[13] = s13;
    this.#above = above;
    this.#aboveAtNeg = aboveAtNeg;
    this.#aboveAtMark = aboveAtMark;
    this.#vPrev = vPrev;
    this.#armedPos = armedPos;
    this.#armedNeg = armedNeg;
    this.#cycleSamples = cycleSamples;
    this.#rc = rc; this.#rs = rs;
    this.#sample += n;
    // Keep the newest HISTORY samples in front of the next block.
    bv.copyWithin(0, n, n + H);
    bn.copyWithin(0, n, n + H);
    if (hasL) bl.copyWithin(0, n, n + H);
  }

  /**
   * The accumulated quantities at buffer index j (the product stream's sample for input j), with the reference phase
   * (cos, sin) given for that sample. Quantity order as in #chunk: 0 1, 1 V^2, 2 IN^2, 3 IL^2, 4 V.IN, 5 V90.IN,
   * 6 V.IL, 7 V.cos, 8 V.sin, 9 IN.cos, 10 IN.sin, 11 IL.cos, 12 V90.IL, 13 IL.sin.
   */
  #productsAt(j: number, rc: number, rs: number, out: Float64Array): void {
    const bv = this.#bufV;
    const bn = this.#bufN;
    const bl = this.#bufL;
    const cN = this.#cN;
    const cQ = this.#cQ;
    const cL = this.#cL;
    const vd = bv[j - BASE];
    let a = j - this.#offN;
    const iN = cN[0] * bn[a] + cN[1] * bn[a + 1] + cN[2] * bn[a + 2] + cN[3] * bn[a + 3];
    a = j - this.#offQ;
    const vq = cQ[0] * bv[a] + cQ[1] * bv[a + 1] + cQ[2] * bv[a + 2] + cQ[3] * bv[a + 3];
    a = j - this.#offL;
    const iL = this.#hasL ? cL[0] * bl[a] + cL[1] * bl[a + 1] + cL[2] * bl[a + 2] + cL[3] * bl[a + 3] : 0;
    out[0] = 1; out[1] = vd * vd; out[2] = iN * iN; out[3] = iL * iL;
    out[4] = vd * iN; out[5] = vq * iN; out[6] = vd * iL;
    out[7] = vd * rc; out[8] = vd * rs; out[9] = iN * rc; out[10] = iN * rs;
    out[11] = iL * rc; out[12] = vq * iL; out[13] = iL * rs;
  }

  /** A positive-going voltage zero crossing between product samples g-1 and g (buffer j-1, j). */
  #voltageCrossing(j: number, g: number, vPrev: number, v: number, k: number): void {
    const alpha = v === vPrev ? 1 : -vPrev / (v - vPrev);
    const t = g - 1 + alpha;
    const prev = this.#prev;
    const cur = this.#cur;
    // The old reference at sample g (#rc, #rs) and one step back at g-1.
    const rc = this.#rc;
    const rs = this.#rs;
    this.#productsAt(j - 1, rc * this.#wc + rs * this.#ws, rs * this.#wc - rc * this.#ws, prev);
    this.#productsAt(j, rc, rs, cur);
    // End edge of the closing cycle: [g-1, t].
    const S = this.#S;
    for (let q = 0; q < NQ; q++) {
      const pc = prev[q] + alpha * (cur[q] - prev[q]);
      S[q] += -prev[q] / 2 + (alpha * (prev[q] + pc)) / 2;
    }
    const sync = this.#cycleSync && this.#lastCross >= 0;
    const len = t - this.#lastCross;
    if (sync) this.#period = len;
    this.#closeCycle(sync ? len : null, k);
    // The new cycle's reference: phase 0 at the crossing, stepping 2 pi / period per sample.
    this.#setStep();
    const th0 = (2 * Math.PI * (g - t)) / this.#period;
    this.#rc = Math.cos(th0);
    this.#rs = Math.sin(th0);
    this.#setQuarter();
    // Start edge of the new cycle: [t, g], its values at g under the new reference.
    this.#productsAt(j, this.#rc, this.#rs, cur);
    const thPrev = th0 - (2 * Math.PI) / this.#period;
    this.#productsAt(j - 1, Math.cos(thPrev), Math.sin(thPrev), prev);
    const st = this.#start;
    for (let q = 0; q < NQ; q++) {
      const pc = prev[q] + alpha * (cur[q] - prev[q]);
      st[q] = -cur[q] / 2 + ((1 - alpha) * (pc + cur[q])) / 2;
    }
    this.#cycleSync = true;
    this.#lastCross = t;
    // The sag window of the cycle since the previous positive crossing (the current sample is counted after this).
    this.#setSag(this.#above - this.#aboveAtPos < 3, k);
    this.#aboveAtPos = this.#above;
    this.#aboveAtMark = this.#above;
  }

  /** Closes the open cycle (its sums in #S plus its start correction); `syncLen`: its period when crossing-bounded. */
  #closeCycle(syncLen: number | null, k: number): void {
    const S = this.#S;
    const st = this.#start;
    const W = this.#W;
    for (let q = 0; q < NQ; q++) S[q] += st[q];
    const len = S[0];
    if (len > 0) {
      for (let q = 0; q < NQ; q++) W[q] += S[q];
      // Fundamental phasors (x 2/len: sqrt 2 x rms) of V, IN, IL against the reference: X = a - j b.
      const F = this.#F;
      const kk = 2 / len;
      const vr = S[7] * kk, vi = -S[8] * kk;
      const nr = S[9] * kk, ni = -S[10] * kk;
      const lr = S[11] * kk, li = -S[13] * kk;
      // Powers of the fundamentals: (1/2) V conj(I) in rms terms; q positive when the current lags.
      F[0] += ((vr * nr + vi * ni) / 2) * len;
      F[1] += ((vi * nr - vr * ni) / 2) * len;
      F[2] += ((vr * lr + vi * li) / 2) * len;
      F[3] += ((vi * lr - vr * li) / 2) * len;
      const fs = this.config.sampleRateHz;
      this.onCycle?.({ L: { p: S[6] / len, q: S[12] / len }, N: { p: S[4] / len, q: S[5] / len }, seconds: len / fs }, this.#sample + k);
      this.#wCycles++;
      if (syncLen !== null) { this.#wSyncCycles++; this.#wSyncLen += syncLen; }
    }
    S.fill(0);
    st.fill(0);
    this.#cycleSamples = 0;
    this.#cycleSync = false;
    if (this.#wCycles >= this.config.windowCycles) this.#closeWindow(k);
  }

  #closeWindow(k: number): void {
    const W = this.#W;
    const F = this.#F;
    const len = W[0];
    const fs = this.config.sampleRateHz;
    const clipped = this.clipped;
    const w: WaveformWindow = {
      freqHz: this.#wSyncCycles > 0 ? (fs * this.#wSyncCycles) / this.#wSyncLen : null,
      vRms: Math.sqrt(Math.max(0, W[1] / len)),
      inRms: Math.sqrt(Math.max(0, W[2] / len)),
      ilRms: Math.sqrt(Math.max(0, W[3] / len)),
      N: { p: W[4] / len, q: W[5] / len, p1: F[0] / len, q1: F[1] / len },
      L: { p: W[6] / len, q: W[12] / len, p1: F[2] / len, q1: F[3] / len },
      cycles: this.#wCycles,
      seconds: len / fs,
      clippedV: clipped.V - this.#clip0[0],
      clippedIL: clipped.IL - this.#clip0[1],
      clippedIN: clipped.IN - this.#clip0[2],
    };
    W.fill(0);
    F.fill(0);
    this.#wCycles = this.#wSyncCycles = this.#wSyncLen = 0;
    this.#clip0 = [clipped.V, clipped.IL, clipped.IN];
    this.onWindow?.(w, this.#sample + k);
  }

  /** Reference step for the current period estimate. */
  #setStep(): void {
    const w = (2 * Math.PI) / this.#period;
    this.#wc = Math.cos(w);
    this.#ws = Math.sin(w);
  }

  #setQuarter(): void {
    const limit = HISTORY - BASE - 4;
    const q = Math.min(limit, Math.max(1, this.#period / 4));
    this.#offQ = lagrange(BASE + q, this.#cQ);
  }

  #setSag(sag: boolean, k: number): void {
    if (sag === this.#sag) return;
    this.#sag = sag;
    this.onSag?.(sag, this.#sample + k);
  }
}
