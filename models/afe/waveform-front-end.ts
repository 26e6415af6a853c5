// Feeds an ATM90E26 from pin samples: the chip's waveform-level input stage. It runs the sample-level DSP
// (waveform-dsp.ts) with the settings in the chip's registers (MMode gains and DisHPF, SagTh, Lphi/Nphi) and hands
// each result to the chip (`setWaveformMeasurements`) at the virtual time of the sample that completed it, so the
// UART, the registers and the firmware work the same at either fidelity.
//
// Timing: sample k of a block is taken at startUs + k x 1e6 / fs. A caller that renders a block ahead of time (the
// usual case: the bench renders the next 20 ms at their start) gets every result scheduled on the clock at its exact
// time; results whose time has already passed are applied at once.
import type { SimTime } from '../sim-time.ts';
import type { AfePinSamples } from '../signals.ts';
import type { ATM90E26 } from './atm90e26.ts';
import { REG, decodeMMode, decodePhi } from './registers.ts';
import { WaveformDsp, type WaveformCycle, type WaveformDspConfig, type WaveformWindow } from './waveform-dsp.ts';

export class WaveformFrontEnd {
  readonly chip: ATM90E26;
  readonly dsp: WaveformDsp;
  /** Observer: every measurement window, at its time (after the chip has taken it). */
  onWindow: ((w: WaveformWindow, tUs: number) => void) | undefined = undefined;

  readonly #time: SimTime;
  #blockStartUs = 0;
  #blockFirst = 0;
  #nextStartUs: number | null = null;

  /** `random`: seeded uniform source in [0, 1) for the ADC noise floor (without it the noise floor is off). */
  constructor(chip: ATM90E26, time: SimTime, config: Partial<WaveformDspConfig> = {}, random?: () => number) {
    if (!chip || typeof (chip as { setWaveformMeasurements?: unknown }).setWaveformMeasurements !== 'function') {
      throw new TypeError('WaveformFrontEnd needs the ATM90E26 it feeds');
    }
    if (!time || typeof time.now !== 'function' || typeof time.at !== 'function') {
      throw new TypeError('WaveformFrontEnd needs the simulation clock (SimTime)');
    }
    this.chip = chip;
    this.#time = time;
    this.dsp = new WaveformDsp(config, random);
    const fs = this.dsp.config.sampleRateHz;
    const timeOf = (sample: number): number => this.#blockStartUs + ((sample - this.#blockFirst) * 1e6) / fs;
    this.dsp.onWindow = (w, sample) => this.#deliver(timeOf(sample), () => {
      this.chip.setWaveformMeasurements({ window: w });
      this.onWindow?.(w, this.#time.now());
    });
    this.dsp.onCycle = (c: WaveformCycle, sample) => this.#deliver(timeOf(sample), () => this.chip.setWaveformMeasurements({ cycle: c }));
    this.dsp.onSag = (sag, sample) => this.#deliver(timeOf(sample), () => this.chip.setWaveformMeasurements({ sag }));
  }

  /**
   * Feeds the next block of pin samples. `startUs`: virtual time of its first sample (default: right after the
   * previous block, or now for the first one).
   */
  setPinSamples(block: AfePinSamples, startUs?: number): void {
    if (startUs !== undefined && (typeof startUs !== 'number' || !Number.isFinite(startUs) || startUs < 0)) {
      throw new RangeError(`WaveformFrontEnd: startUs must be a time in microseconds >= 0, got ${String(startUs)}`);
    }
    this.#applySettings();
    const start = startUs ?? this.#nextStartUs ?? this.#time.now();
    this.#blockStartUs = start;
    this.#blockFirst = this.dsp.sampleIndex;
    this.dsp.process(block);
    this.#nextStartUs = start + (block.V.length * 1e6) / this.dsp.config.sampleRateHz;
  }

  /** The DSP settings from the chip's registers now. */
  #applySettings(): void {
    const c = this.chip;
    const mm = decodeMMode(c.peekRegister(REG.MMode));
    const cfg = c.config;
    const fs = this.dsp.config.sampleRateHz;
    const lsbSamples = (cfg.phaseLsbUs * 1e-6) * fs;
    this.dsp.apply({
      lGain: mm.lPga,
      nGain: mm.nGain,
      disHpf: mm.disHpf,
      // The sag comparison at phasor level: sqrt 2 x Vpin x KU x 8192 < SagTh (atm90e26.ts); per sample: |v| x KU x 8192.
      sagThresholdV: c.peekRegister(REG.SagTh) / (cfg.KU * 8192),
      lDelaySamples: decodePhi(c.peekRegister(REG.Lphi)) * lsbSamples,
      nDelaySamples: decodePhi(c.peekRegister(REG.Nphi)) * lsbSamples,
    });
  }

  #deliver(tUs: number, apply: () => void): void {
    const now = this.#time.now();
    const t = Math.ceil(tUs - 1e-6);
    if (t <= now) apply();
    else this.#time.at(t, apply);
  }
}
