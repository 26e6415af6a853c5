// The terminal-cover switch on PA1 (firmware-behaviour.md §1.4, [INFER] from the netlist): J15 is fed from the
// 12 V rail through 10 kΩ, J16 goes to PA1 with a 470 Ω pull-down. The closed cover bridges J15-J16, so PA1 sees
// 12 V × 470 / 10 470 ≈ 0.54 V; the open cover leaves PA1 pulled down to 0 V.

export interface CoverSwitchConfig {
  /** Supply rail feeding J15, volts. */
  railVolts: number;
  seriesOhms: number;
  pullDownOhms: number;
  /** ADC reference, volts (the blue pill's 3.3 V). */
  vrefVolts: number;
  /** Cover open at power-up. */
  open: boolean;
}

export const COVER_SWITCH_DEFAULTS: CoverSwitchConfig = { railVolts: 12, seriesOhms: 10_000, pullDownOhms: 470, vrefVolts: 3.3, open: false };

export class CoverSwitch {
  readonly config: CoverSwitchConfig;
  #open: boolean;
  onChange?: (open: boolean) => void;

  constructor(config: Partial<CoverSwitchConfig> = {}) {
    this.config = { ...COVER_SWITCH_DEFAULTS, ...config };
    this.#open = this.config.open;
  }

  get isOpen(): boolean { return this.#open; }

  setOpen(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    this.onChange?.(open);
  }

  /** Volts at PA1. */
  pinVolts(): number {
    if (this.#open) return 0;
    const { railVolts, seriesOhms, pullDownOhms } = this.config;
    return (railVolts * pullDownOhms) / (seriesOhms + pullDownOhms);
  }

  /** The 10-bit ADC reading of PA1 (0..1023), as analogRead returns it. */
  adcRaw(): number {
    const v = this.pinVolts();
    return Math.max(0, Math.min(1023, Math.round((v / this.config.vrefVolts) * 1023)));
  }
}
