// A pin-driven indicator: an LED (PA0 red, PA4 green) or the active buzzer (PB5), on while its pin is HIGH
// (docs/firmware.md §1.2). A BlinkDetector on its transitions tells a steady light from a blinking one.
import type { SimTime } from '../sim-time.ts';
import { BlinkDetector, BLINK_DETECTOR_DEFAULTS, type IndicatorState } from './blink-detector.ts';

export type { IndicatorState } from './blink-detector.ts';

export interface IndicatorConfig {
  name: string;
  /** Window over which transitions count as blinking, microseconds (default 2 s). */
  windowUs: number;
  /** Transitions within the window that make it 'blinking' (default 2: one flash). */
  minToggles: number;
}

export class Indicator {
  readonly config: IndicatorConfig;
  #time: SimTime;
  #on = false;
  #blink: BlinkDetector;
  /** Each transition, with its virtual time. */
  onChange?: (on: boolean, tUs: number) => void;

  constructor(time: SimTime, config: Partial<IndicatorConfig> & { name: string }) {
    this.#time = time;
    this.config = { ...BLINK_DETECTOR_DEFAULTS, ...config };
    this.#blink = new BlinkDetector(time, { windowUs: this.config.windowUs, minToggles: this.config.minToggles });
  }

  get isOn(): boolean { return this.#on; }

  /** Drive the indicator (the level of its pin: true = HIGH). */
  set(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    this.#blink.transition();
    this.onChange?.(on, this.#time.now());
  }

  /** 'blinking' when it toggled at least `minToggles` times within the window, else its steady level. */
  state(): IndicatorState { return this.#blink.state(this.#on); }
}
