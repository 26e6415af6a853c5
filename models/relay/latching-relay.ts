// Dual-coil latching relay on the meter's load line, driven by PB12 (SET, "relay_on") and PB4 (RESET, "relay_off")
// through drivers (docs/firmware.md §1.3). The contact moves when one coil alone has been energised for at least
// the operate time, and keeps its position without power. The firmware pulses a coil for 200 ms.
import { DOUBLE_FIELD, type SimTime } from '../sim-time.ts';

export interface LatchingRelayConfig {
  /**
   * Minimum coil pulse that moves the contact, microseconds. [UNDET] part not named in the BOM: 10 ms, a typical
   * figure for 60-100 A latching meter relays (set/reset pulse widths of 10..50 ms are usual in their datasheets).
   */
  operateUs: number;
  /** Contact position before the first pulse (state left from before the meter was powered). */
  initiallyClosed: boolean;
}

export const LATCHING_RELAY_DEFAULTS: LatchingRelayConfig = { operateUs: 10_000, initiallyClosed: false };

export class LatchingRelay {
  readonly config: LatchingRelayConfig;
  #time: SimTime;
  #closed: boolean;
  #set = false;
  #reset = false;
  #since = DOUBLE_FIELD;
  #pending: { cancel(): void } | null = null;
  /** Contact changes. */
  onChange?: (closed: boolean, tUs: number) => void;
  /** Every coil pulse, for wear and timing checks. */
  pulses = 0;

  constructor(time: SimTime, config: Partial<LatchingRelayConfig> = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#since = 0;
    this.#time = time;
    this.config = { ...LATCHING_RELAY_DEFAULTS, ...config };
    const op = this.config.operateUs;
    if (typeof op !== 'number' || !Number.isFinite(op) || op < 0) {
      throw new RangeError(`latching relay operateUs must be a number of microseconds >= 0, got ${String(op)}`);
    }
    this.#closed = this.config.initiallyClosed;
  }

  get isClosed(): boolean { return this.#closed; }
  /** The SET coil (PB12 side) is energised now. */
  get setCoil(): boolean { return this.#set; }
  /** The RESET coil (PB4 side) is energised now. */
  get resetCoil(): boolean { return this.#reset; }

  /** Drive levels of the two coil inputs (1 = energised). */
  drive(set: boolean, reset: boolean): void {
    if (set === this.#set && reset === this.#reset) return;
    this.#pending?.cancel();
    this.#pending = null;
    this.#set = set;
    this.#reset = reset;
    this.#since = this.#time.now();
    if (set !== reset) {
      this.pulses++;
      const target = set;
      this.#pending = this.#time.at(this.#since + this.config.operateUs, () => {
        this.#pending = null;
        if (this.#closed !== target) { this.#closed = target; this.onChange?.(target, this.#time.now()); }
      });
    }
  }
}
