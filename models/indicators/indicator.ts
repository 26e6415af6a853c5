// A pin-driven indicator (LED or active buzzer): on while its pin is HIGH. It remembers recent transitions so an
// observer can tell a steady light from a blinking one: 'blinking' = at least `minToggles` transitions within the
// last `windowUs` of virtual time.
import type { SimTime } from '../sim-time.ts';

export type IndicatorState = 'on' | 'off' | 'blinking';

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
  #toggles: number[] = [];
  onChange?: (on: boolean, tUs: number) => void;

  constructor(time: SimTime, config: Partial<IndicatorConfig> & { name: string }) {
    this.#time = time;
    this.config = { windowUs: 2_000_000, minToggles: 2, ...config };
  }

  get isOn(): boolean { return this.#on; }

  set(on: boolean): void {
    if (on === this.#on) return;
    this.#on = on;
    const t = this.#time.now();
    this.#toggles.push(t);
    if (this.#toggles.length > 16) this.#toggles.splice(0, this.#toggles.length - 16);
    this.onChange?.(on, t);
  }

  state(): IndicatorState {
    const since = this.#time.now() - this.config.windowUs;
    let n = 0;
    for (let i = this.#toggles.length - 1; i >= 0 && this.#toggles[i] > since; i--) n++;
    if (n >= this.config.minToggles) return 'blinking';
    return this.#on ? 'on' : 'off';
  }
}
