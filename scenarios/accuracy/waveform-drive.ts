// The bench at waveform level: the phantom load's line voltage and current synthesised as samples, through the
// board's front end at sample level (models/waveform/front-end-waveform.ts: divider, CT with core saturation, filters)
// and the chip's sample-level input stage (models/afe/waveform-front-end.ts: ADC with range, clipping, quantisation,
// noise floor, HPFs, then the DSP that hands its results to the ATM90E26). Blocks of `blockUs` are rendered at the
// start of their interval on the virtual clock, so every DSP result lands on the chip at the time of its sample.
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { WaveformFrontEnd } from '../../models/afe/waveform-front-end.ts';
import type { BoardProfile } from '../../models/board-profile.ts';
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import type { Harmonic } from '../../models/signals.ts';
import { FrontEndWaveform } from '../../models/waveform/front-end-waveform.ts';
import type { SourceLines } from './phantom-load.ts';

export interface WaveformDriveConfig {
  /** The chip's sample rate (DS: 8 kHz). */
  sampleRateHz: number;
  /** Samples rendered per block: 160 = 20 ms at 8 kHz, one 50 Hz cycle. */
  blockSamples: number;
}

export const WAVEFORM_DRIVE_DEFAULTS: Readonly<WaveformDriveConfig> = Object.freeze({ sampleRateHz: 8000, blockSamples: 160 });

const EMPTY = new Float64Array(0);

export class WaveformDrive {
  readonly frontEnd: FrontEndWaveform;
  readonly input: WaveformFrontEnd;
  readonly #time: SimTime;
  readonly #cfg: WaveformDriveConfig;
  readonly #v: readonly Harmonic[];
  readonly #i: readonly Harmonic[];
  readonly #hz: number;
  readonly #vLine: Float64Array;
  readonly #iLine: Float64Array;
  readonly #vPin: Float64Array;
  readonly #inPin: Float64Array;
  readonly #ilPin: Float64Array;
  #sample = 0;
  #t0 = 0;
  #event: EventHandle | null = null;

  /** `random`: seeded uniforms for the ADC noise floor (without it the noise floor is off). */
  constructor(time: SimTime, chip: ATM90E26, profile: BoardProfile, lines: SourceLines, hz: number,
    random?: () => number, config: Partial<WaveformDriveConfig> = {}) {
    const c = { ...WAVEFORM_DRIVE_DEFAULTS, ...config };
    if (!Number.isInteger(c.blockSamples) || c.blockSamples < 1) throw new RangeError(`waveform drive: blockSamples must be a whole number >= 1, got ${String(c.blockSamples)}`);
    this.#time = time;
    this.#cfg = c;
    this.#v = lines.v;
    this.#i = lines.i;
    this.#hz = hz;
    this.frontEnd = new FrontEndWaveform(profile, c.sampleRateHz);
    this.input = new WaveformFrontEnd(chip, time, { sampleRateHz: c.sampleRateHz }, random);
    const n = c.blockSamples;
    this.#vLine = new Float64Array(n);
    this.#iLine = new Float64Array(n);
    this.#vPin = new Float64Array(n);
    this.#inPin = new Float64Array(n);
    this.#ilPin = this.frontEnd.shunt ? new Float64Array(n) : EMPTY;
  }

  /** ADC samples clipped on each input since the start. */
  get clipped(): { V: number; IL: number; IN: number } { return this.input.dsp.clipped; }

  /** Samples rendered so far. */
  get samples(): number { return this.#sample; }

  start(): void {
    this.stop();
    this.#t0 = this.#time.now();
    this.#sample = 0;
    this.#render();
  }

  stop(): void {
    this.#event?.cancel();
    this.#event = null;
  }

  readonly #render = (): void => {
    const { sampleRateHz: fs, blockSamples: n } = this.#cfg;
    const k0 = this.#sample;
    synth(this.#v, this.#hz, fs, k0, n, this.#vLine);
    synth(this.#i, this.#hz, fs, k0, n, this.#iLine);
    this.frontEnd.process(this.#vLine, this.#iLine, this.#vPin, this.#inPin, this.#ilPin, n);
    this.input.setPinSamples({ sampleRateHz: fs, V: this.#vPin, IL: this.#ilPin, IN: this.#inPin }, this.#t0 + (k0 * 1e6) / fs);
    this.#sample = k0 + n;
    this.#event = this.#time.at(Math.ceil(this.#t0 + (this.#sample * 1e6) / fs), this.#render);
  };
}

/** out[j] = sum of sqrt 2 X_h cos(2 pi h f t + phi_h) (+ DC) at t = (k0 + j) / fs; phases kept exact over long runs. */
function synth(lines: readonly Harmonic[], hz: number, fs: number, k0: number, n: number, out: Float64Array): void {
  out.fill(0, 0, n);
  for (const l of lines) {
    if (l.order === 0) { for (let j = 0; j < n; j++) out[j] += l.rms; continue; }
    const a = Math.SQRT2 * l.rms;
    const cyclesPerSample = (l.order * hz) / fs;
    // The phase at the block start, reduced to one cycle before it grows large (exact for whole-number ratios).
    const start = (k0 * cyclesPerSample) % 1;
    const w = 2 * Math.PI * cyclesPerSample;
    const p0 = 2 * Math.PI * start + l.phaseRad;
    for (let j = 0; j < n; j++) out[j] += a * Math.cos(p0 + w * j);
  }
}
