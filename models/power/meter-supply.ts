// The meter's own power supply: a flyback SMPS on the line side of the relay (the board's HV bus, with the AFE and MCU
// ground isolated by it) that makes the 12 V rail and, from it, the 3.3 V of the MCU and the ATM90E26. It is fed from
// the meter's terminals, so the voltage the plant gives there decides whether the meter runs:
// - the output is up while the input is at or above `minInputVrms`;
// - when the input falls below that (an outage, a deep sag), the bulk capacitor holds the output for `holdUpUs`; an
//   input back within that time is ridden through, otherwise the output collapses at the end of it;
// - `cut()` removes the output at once (the scenario's `power: cut`, the moment the rail is gone);
// - the output comes back as soon as the input is back (start-up delay folded into the firmware's own boot).
// [UNDET] the module is not named in the BOM: the defaults are those of the usual universal-input (85-265 VAC) 12 V
// flyback modules on meters of this class, which hold their output for about one mains cycle at full load.
import type { EventHandle, SimTime } from '../sim-time.ts';

export interface MeterSupplyConfig {
  /** Lowest input that keeps the output in regulation, volts rms (universal input modules: 85 VAC). */
  minInputVrms: number;
  /** How long the output holds after the input falls below `minInputVrms`, microseconds (about one cycle: 20 ms). */
  holdUpUs: number;
}

export const METER_SUPPLY_DEFAULTS: MeterSupplyConfig = { minInputVrms: 85, holdUpUs: 20_000 };

export class MeterSupply {
  readonly config: MeterSupplyConfig;
  /** Output changes (true: the meter's rails are up), at the instant they happen. */
  onChange: ((up: boolean, tUs: number) => void) | undefined = undefined;

  readonly #time: SimTime;
  #inputOk = true;
  #up = false;
  #collapse: EventHandle | null = null;

  constructor(time: SimTime, config: Partial<MeterSupplyConfig> = {}) {
    this.#time = time;
    this.config = { ...METER_SUPPLY_DEFAULTS, ...config };
    const { minInputVrms, holdUpUs } = this.config;
    if (typeof minInputVrms !== 'number' || !(minInputVrms >= 0) || !Number.isFinite(minInputVrms)) {
      throw new RangeError(`meter supply minInputVrms must be a voltage >= 0, got ${String(minInputVrms)}`);
    }
    if (typeof holdUpUs !== 'number' || !(holdUpUs >= 0) || !Number.isFinite(holdUpUs)) {
      throw new RangeError(`meter supply holdUpUs must be a time >= 0 us, got ${String(holdUpUs)}`);
    }
  }

  /** True while the output (the meter's rails) is up. */
  get isUp(): boolean { return this.#up; }

  /** The input voltage at the meter's terminals changed (0 during an outage or a power cut). */
  setInput(vrms: number): void {
    const ok = vrms >= this.config.minInputVrms && vrms > 0;
    this.#inputOk = ok;
    if (ok) {
      this.#collapse?.cancel();
      this.#collapse = null;
      if (!this.#up) this.#set(true);
      return;
    }
    if (!this.#up || this.#collapse) return;
    if (this.config.holdUpUs === 0) { this.#set(false); return; }
    this.#collapse = this.#time.at(this.#time.now() + this.config.holdUpUs, () => {
      this.#collapse = null;
      if (!this.#inputOk) this.#set(false);
    });
  }

  /** The output is gone at this instant, whatever the input (power: cut). */
  cut(): void {
    this.#inputOk = false;
    this.#collapse?.cancel();
    this.#collapse = null;
    if (this.#up) this.#set(false);
  }

  #set(up: boolean): void {
    this.#up = up;
    this.onChange?.(up, this.#time.now());
  }
}
