// The terminal-cover switch on PA1 (docs/firmware.md §1.4, [INFER] from the netlist): J15 is fed from the
// 12 V rail through 10 kΩ, J16 goes to PA1 with a 470 Ω pull-down. The closed cover bridges J15-J16, so PA1 sees
// 12 V × 470 / 10 470 ≈ 0.54 V (raw ≈ 167 of 1023 at 3.3 V); the open cover (or an unconnected J16) leaves PA1
// pulled down to 0 V, which the firmware reads as TERMINAL COVER OPEN (raw ≤ 27).
//
// The ADC: the STM32F103's converter is 12-bit (code = ⌊V / Vref × 4096⌋, at most 4095); STM32duino's analogRead
// returns it at the core's default 10-bit resolution by dropping the two low bits (mapResolution 12 -> 10).

export interface CoverSwitchConfig {
  /** Supply rail feeding J15, volts. */
  railVolts: number;
  /** J15 series resistor, ohms. */
  seriesOhms: number;
  /** PA1 pull-down at J16, ohms. */
  pullDownOhms: number;
  /** ADC reference, volts (the blue pill's 3.3 V VDDA). */
  vrefVolts: number;
  /** Cover open at power-up. */
  open: boolean;
}

export const COVER_SWITCH_DEFAULTS: CoverSwitchConfig = { railVolts: 12, seriesOhms: 10_000, pullDownOhms: 470, vrefVolts: 3.3, open: false };

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new RangeError(`cover switch ${name} must be a number > 0, got ${String(v)}`);
  return v;
}

export class CoverSwitch {
  readonly config: CoverSwitchConfig;
  #open: boolean;
  #railVolts: number;
  onChange?: (open: boolean) => void;

  constructor(config: Partial<CoverSwitchConfig> = {}) {
    this.config = { ...COVER_SWITCH_DEFAULTS, ...config };
    positive('seriesOhms', this.config.seriesOhms);
    positive('pullDownOhms', this.config.pullDownOhms);
    positive('vrefVolts', this.config.vrefVolts);
    this.#railVolts = this.#checkRail(this.config.railVolts);
    this.#open = this.config.open;
  }

  get isOpen(): boolean { return this.#open; }

  setOpen(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    this.onChange?.(open);
  }

  /** The rail feeding J15, volts (a sagging supply or a meter running on its battery changes it). */
  get railVolts(): number { return this.#railVolts; }
  set railVolts(v: number) { this.#railVolts = this.#checkRail(v); }

  /** Volts at PA1. */
  pinVolts(): number {
    if (this.#open) return 0;
    const { seriesOhms, pullDownOhms } = this.config;
    return (this.#railVolts * pullDownOhms) / (seriesOhms + pullDownOhms);
  }

  /** The 10-bit ADC reading of PA1 (0..1023), as analogRead returns it. */
  adcRaw(): number {
    const code12 = Math.max(0, Math.min(4095, Math.floor((this.pinVolts() / this.config.vrefVolts) * 4096)));
    return code12 >> 2;
  }

  #checkRail(v: unknown): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`cover switch railVolts must be a number >= 0, got ${String(v)}`);
    return v;
  }
}
