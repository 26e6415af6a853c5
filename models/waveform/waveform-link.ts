// Runs the waveform level on the virtual clock: renders the plant's samples as time passes and feeds them to the
// ATM90E26 (models/afe/waveform-front-end.ts), so a bench at `fidelity: waveform` only starts a link where it would
// push pin phasors at `fidelity: phasor`.
//
// Timing: sample k is taken at t0 + k x 1e6 / fs (t0: `start`). Every `blockSamples` (160: one 50 Hz cycle, 20 ms)
// the link renders the samples taken since the last render and hands them to the chip; results whose time has passed
// apply at once, so the chip's registers lag the signals by at most one block. A stimulus must act at its own time:
// call `sync()` first (it renders up to now), then change the plant; the change then starts at the next sample.
import type { EventHandle, SimTime } from '../sim-time.ts';
import type { WaveformFrontEnd } from '../afe/waveform-front-end.ts';
import type { WaveformBlock, WaveformPlant } from './waveform-plant.ts';

export interface WaveformLinkOptions {
  /** Samples per regular render (default 160: 20 ms at 8 kHz). */
  blockSamples: number;
}

export class WaveformLink {
  readonly plant: WaveformPlant;
  readonly feed: WaveformFrontEnd;
  /** Observer: every rendered block (line and pin samples) with the time of its first sample (dashboard waveforms). */
  onBlock: ((block: WaveformBlock, startUs: number) => void) | undefined = undefined;

  readonly #time: SimTime;
  readonly #blockSamples: number;
  readonly #sampleUs: number;
  #t0 = 0;
  #rendered = 0;
  #tick: EventHandle | null = null;

  constructor(plant: WaveformPlant, feed: WaveformFrontEnd, time: SimTime, options: Partial<WaveformLinkOptions> = {}) {
    if (!time || typeof time.now !== 'function' || typeof time.at !== 'function') {
      throw new TypeError('WaveformLink needs the simulation clock (SimTime)');
    }
    if (plant.sampleRateHz !== feed.dsp.config.sampleRateHz) {
      throw new RangeError(`WaveformLink: the plant samples at ${plant.sampleRateHz} Hz, the chip at ${feed.dsp.config.sampleRateHz} Hz`);
    }
    const blockSamples = options.blockSamples ?? 160;
    if (!Number.isInteger(blockSamples) || blockSamples < 1) {
      throw new RangeError(`WaveformLink: blockSamples must be a positive integer, got ${String(blockSamples)}`);
    }
    this.plant = plant;
    this.feed = feed;
    this.#time = time;
    this.#blockSamples = blockSamples;
    this.#sampleUs = 1e6 / plant.sampleRateHz;
  }

  /** True between `start` and `stop`. */
  get running(): boolean { return this.#tick !== null; }

  /** Samples rendered and fed since `start`. */
  get samples(): number { return this.#rendered; }

  /** Starts sampling now (the first sample is taken at the current time). */
  start(): void {
    if (this.#tick) return;
    this.#t0 = this.#time.now();
    this.#rendered = 0;
    this.#schedule();
  }

  /** Stops sampling (after rendering up to now). */
  stop(): void {
    if (!this.#tick) return;
    this.sync();
    this.#tick.cancel();
    this.#tick = null;
  }

  /** Renders and feeds every sample taken up to now. Call before changing the plant at this instant. */
  sync(): void {
    if (!this.#tick) return;
    const due = Math.floor((this.#time.now() - this.#t0) / this.#sampleUs + 1e-9) + 1;
    while (this.#rendered < due) {
      const n = Math.min(due - this.#rendered, this.plant.maxBlock);
      const startUs = this.#t0 + this.#rendered * this.#sampleUs;
      const block = this.plant.render(n);
      this.feed.setPinSamples(block.pins, startUs);
      this.#rendered += n;
      this.onBlock?.(block, startUs);
    }
  }

  #schedule(): void {
    // The time of the last sample of the next block (samples 0 .. rendered-1 are done).
    const next = this.#t0 + (this.#rendered - 1 + this.#blockSamples) * this.#sampleUs;
    this.#tick = this.#time.at(Math.max(this.#time.now(), Math.ceil(next)), () => {
      this.sync();
      this.#schedule();
    });
  }
}
