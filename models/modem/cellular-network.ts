// The GSM/GPRS network as the SIM800 sees it: radio coverage, signal quality, the packet round trip, attach
// failures and connections the network drops. A plain state holder with a seeded random source; the modem
// (sim800.ts) asks it questions, and a scenario or the dashboard changes it at any time (`set`).
//
// What a change does to a modem is the modem's business: losing coverage deregisters it, detaches GPRS and closes
// its sockets (`0, CLOSED`); `dropConnections()` closes the sockets only (the operator's NAT timing out, a cell
// handover gone wrong).

export interface CellularNetworkConfig {
  /** Radio coverage: the modem can register and attach. */
  coverage: boolean;
  /**
   * Signal quality as `AT+CSQ` reports it, 0..31 (rssi = -113 + 2·csq dBm; 99 = unknown). Default 18 (-77 dBm, a
   * typical indoor meter cabinet). At 0..4 registration fails (the network cannot be decoded reliably).
   */
  csq: number;
  /**
   * One-way latency between the modem and a server on the internet, ms (half the round trip). GPRS round trips are
   * typically 300..1000 ms; default 250 ms one way.
   */
  latencyMs: number;
  /** Time from power-on (or coverage returning) to `+CREG: 0,1`, ms. Default 4 s (a SIM800 on a known cell). */
  registrationMs: number;
  /** The next N GPRS attach / bearer / PDP activations fail (answer ERROR after `attachFailMs`). Default 0. */
  attachFailures: number;
  /** Probability 0..1 that any one attach fails (on top of `attachFailures`), drawn from the seeded source. */
  attachFailureRate: number;
  /** Time an attach takes to fail, ms (the network does not answer: the SIM800 gives up). Default 30 s. */
  attachFailMs: number;
}

export const CELLULAR_NETWORK_DEFAULTS: CellularNetworkConfig = {
  coverage: true, csq: 18, latencyMs: 250, registrationMs: 4000, attachFailures: 0, attachFailureRate: 0,
  attachFailMs: 30_000,
};

/** What a scenario's `network:` step may change. */
export type NetworkChange = Partial<Pick<CellularNetworkConfig,
  'coverage' | 'csq' | 'latencyMs' | 'attachFailures' | 'attachFailureRate' | 'registrationMs'>>;

export class CellularNetwork {
  readonly #cfg: CellularNetworkConfig;
  readonly #random: () => number;
  /** Called after every change (the modem re-evaluates registration and its sockets). */
  onChange?: (change: NetworkChange) => void;
  /** Called by `dropConnections()`. */
  onDrop?: () => void;

  /** `random` is a seeded uniform source in [0, 1) (twin/kernel/rng.ts); it decides `attachFailureRate`. */
  constructor(config: Partial<CellularNetworkConfig> = {}, random: () => number = () => 1) {
    this.#cfg = { ...CELLULAR_NETWORK_DEFAULTS };
    this.#random = random;
    checkChange({ ...config });
    Object.assign(this.#cfg, config);
  }

  get coverage(): boolean { return this.#cfg.coverage; }
  get csq(): number { return this.#cfg.coverage ? this.#cfg.csq : 99; }
  get latencyMs(): number { return this.#cfg.latencyMs; }
  get registrationMs(): number { return this.#cfg.registrationMs; }
  get attachFailMs(): number { return this.#cfg.attachFailMs; }
  /** Registration is possible: coverage and a decodable signal. */
  get canRegister(): boolean { return this.#cfg.coverage && this.#cfg.csq >= 5 && this.#cfg.csq <= 31; }
  /** A snapshot of the present settings. */
  get state(): Readonly<CellularNetworkConfig> { return { ...this.#cfg }; }

  set(change: NetworkChange): void {
    checkChange(change);
    Object.assign(this.#cfg, change);
    this.onChange?.(change);
  }

  /** Decide whether this attach succeeds (consumes one of `attachFailures`, then draws against the rate). */
  attachSucceeds(): boolean {
    if (!this.canRegister) return false;
    if (this.#cfg.attachFailures > 0) { this.#cfg.attachFailures--; return false; }
    if (this.#cfg.attachFailureRate > 0 && this.#random() < this.#cfg.attachFailureRate) return false;
    return true;
  }

  /** Every open TCP connection of every modem on this network is dropped now. */
  dropConnections(): void { this.onDrop?.(); }
}

function checkChange(c: Partial<CellularNetworkConfig>): void {
  const num = (k: keyof CellularNetworkConfig, min: number, max: number, integer = false): void => {
    const v = c[k];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      throw new RangeError(`network ${k} must be ${integer ? 'a whole number' : 'a number'} ${min}..${max}, got ${String(v)}`);
    }
  };
  if (c.coverage !== undefined && typeof c.coverage !== 'boolean') throw new RangeError(`network coverage must be true or false, got ${String(c.coverage)}`);
  num('csq', 0, 31, true);
  num('latencyMs', 0, 60_000);
  num('registrationMs', 0, 600_000);
  num('attachFailures', 0, 1_000_000, true);
  num('attachFailureRate', 0, 1);
  num('attachFailMs', 0, 600_000);
}
