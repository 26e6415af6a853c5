// Tells a steady indicator from a blinking one, from the times of its transitions: 'blinking' = at least `minToggles`
// transitions within the last `windowUs` of virtual time (the observables led.red, led.green:
// on|off|blinking). The firmware's blink codes (OpenPAYGO: 10 red blinks; token feedback) toggle a LED a few times
// a second, well inside the default 2 s window; a LED switched once reads steady.
import type { SimTime } from '../sim-time.ts';

export type IndicatorState = 'on' | 'off' | 'blinking';

export interface BlinkDetectorConfig {
  /** Window over which transitions count, microseconds (default 2 s). */
  windowUs: number;
  /** Transitions within the window that make it 'blinking' (default 2: one flash, on and off). */
  minToggles: number;
}

export const BLINK_DETECTOR_DEFAULTS: BlinkDetectorConfig = { windowUs: 2_000_000, minToggles: 2 };

export class BlinkDetector {
  readonly config: BlinkDetectorConfig;
  #time: SimTime;
  /** Transition times still inside the window, oldest first, from `#head` on. */
  #times: number[] = [];
  #head = 0;

  constructor(time: SimTime, config: Partial<BlinkDetectorConfig> = {}) {
    this.#time = time;
    this.config = { ...BLINK_DETECTOR_DEFAULTS, ...config };
    const { windowUs, minToggles } = this.config;
    if (!(windowUs > 0) || !Number.isFinite(windowUs)) throw new RangeError(`blink window must be > 0 us, got ${String(windowUs)}`);
    if (!Number.isInteger(minToggles) || minToggles < 1) throw new RangeError(`minToggles must be a whole number >= 1, got ${String(minToggles)}`);
  }

  /** Record a transition now. */
  transition(): void {
    this.#prune();
    this.#times.push(this.#time.now());
  }

  /** Transitions within the window ending now. */
  recentTransitions(): number {
    this.#prune();
    return this.#times.length - this.#head;
  }

  get blinking(): boolean { return this.recentTransitions() >= this.config.minToggles; }

  /** 'blinking', or the steady level given by `on`. */
  state(on: boolean): IndicatorState { return this.blinking ? 'blinking' : on ? 'on' : 'off'; }

  /** Forget every transition (a power-up). */
  clear(): void { this.#times = []; this.#head = 0; }

  #prune(): void {
    const since = this.#time.now() - this.config.windowUs;
    const t = this.#times;
    while (this.#head < t.length && t[this.#head] <= since) this.#head++;
    if (this.#head > 64 && this.#head * 2 > t.length) { this.#times = t.slice(this.#head); this.#head = 0; }
  }
}
