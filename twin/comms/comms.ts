// The meter's communications on a bench: the SIM800 on the modem UART, the cellular network, and the two servers
// the firmware talks to (the top-up backend at paygotesting.000webhostapp.com:80 and ThingsBoard at
// demo.thingsboard.io:1883), reached through the virtual internet (virtual-internet.ts explains how runs stay
// reproducible). A bench without a `network` setup has none of this: the modem is mute, as before.
import type { VirtualClock } from '../kernel/clock.ts';
import type { TraceBus } from '../kernel/trace.ts';
import type { Rng } from '../kernel/rng.ts';
import { TimedSettings, type TimedChange } from '../kernel/timed-settings.ts';
import { registerCommsClass } from '../kernel/loaded-comms.ts';
import { CellularNetwork, type CellularNetworkConfig, type NetworkChange } from '../../models/modem/cellular-network.ts';
import { Sim800, type Sim800Config } from '../../models/modem/sim800.ts';
import { PORT as BACKEND_PORT, SERVER as BACKEND_HOST } from '../firmware/remote.ts';
import { THINGSBOARD_SERVER } from '../firmware/thingsboard.ts';
import { TopupBackend, type BackendFault, type TopupBackendConfig } from './topup-backend.ts';
import { TelemetryBroker, type TelemetryBrokerConfig } from './telemetry-broker.ts';
import { VirtualInternet, type Route } from './virtual-internet.ts';
import { ExternalBackend, backendUrlText, parseBackendUrl } from './external-backend.ts';
import { connect as netConnect } from 'node:net';

export { BACKEND_HOST, BACKEND_PORT, THINGSBOARD_SERVER };
export const THINGSBOARD_PORT = 1883;

export type ServerState = 'up' | 'down';

/** What a bench's `network` setting holds (a scenario's `network:` section). */
export interface NetworkSetup {
  network?: Partial<CellularNetworkConfig>;
  modem?: Partial<Sim800Config>;
  backend?: Partial<TopupBackendConfig> & {
    state?: ServerState;
    fault?: BackendFault;
    /** How many requests the fault applies to (default: until changed). */
    faultCount?: number;
    /** Top-up pending for the firmware's meter (MT100) at the start. */
    pending?: number;
    /**
     * A top-up backend of one's own instead of the built-in one, `http://host:port` (external-backend.ts): the
     * meter polls it; payments are made on it, and the built-in backend's faults and pending top-ups do not apply.
     */
    url?: string;
  };
  broker?: Partial<TelemetryBrokerConfig> & {
    state?: ServerState;
    /** An external broker instead of the embedded one, `mqtt://host:port` (real-time runs only). */
    url?: string;
  };
}

/** What a `network:` step sets that a timed step undoes: the network's settings and the servers' states. */
type Settings = NetworkChange & { backend?: ServerState; broker?: ServerState };

/** A `network:` step: any of the network model's settings, plus servers, faults and dropped connections. */
export interface NetworkStep extends NetworkChange {
  /** Drop every open connection now. */
  drop?: boolean;
  backend?: ServerState;
  broker?: ServerState;
  fault?: BackendFault;
  faultCount?: number;
  /** Revert the network settings and server states after this long (µs). */
  forUs?: number;
}

/** What a bench driver (scenario runner, dashboard) may do with communications. */
export interface CommsControl {
  change(step: NetworkStep): void;
  /** A customer pays `amount` for `meter` (default this unit's meter id, MT100 as shipped): it is pending on the backend. */
  topup(amount: number, meter?: string): void;
  readonly telemetry: Readonly<Record<string, unknown>>;
}

/**
 * Servers a bench's communications use instead of building their own: a backend and a broker that outlive the bench
 * (a dashboard meter keeps its servers, pending top-ups and loopback ports across reflashes and resets). They are not
 * closed with the bench. `realTime`: the run is paced at wall time (needed for an external broker).
 */
export interface CommsServerChoice {
  backend?: TopupBackend;
  broker?: TelemetryBroker;
  realTime?: boolean;
  /**
   * The unit's identity (its firmware's meter id and access token) when it is not the shipped MT100: top-ups go to
   * this meter id, and on servers shared by many meters (a fleet's) the bench's trace holds only this unit's requests
   * and telemetry. Servers built here know the unit.
   */
  unit?: { meterId: string; accessToken: string };
  /** The exact shortcut `backend-replay` (twin/comms/virtual-internet.ts); off unless given. */
  backendReplay?: boolean;
}

/** The meter id the firmware sends (state.meter). */
export const METER_ID = 'MT100';

export class Comms implements CommsControl {
  readonly network: CellularNetwork;
  readonly modem: Sim800;
  readonly internet: VirtualInternet;
  readonly backend: TopupBackend;
  readonly broker: TelemetryBroker;
  readonly #clock: VirtualClock;
  readonly #trace: TraceBus;
  #backendState: ServerState;
  #brokerState: ServerState;
  readonly #externalBroker: { host: string; port: number } | null;
  /** The user's own top-up backend (`backend.url`), polled instead of `backend`. */
  readonly externalBackend: ExternalBackend | null;
  readonly #ownServers: boolean;
  /** Telemetry as the broker received it (key: latest value). */
  readonly telemetry: Record<string, unknown> = {};
  /** Where telemetry goes besides `telemetry` (the twin's observable). */
  onTelemetry?: (values: Record<string, unknown>) => void;

  constructor(clock: VirtualClock, trace: TraceBus, rng: Rng, setup: NetworkSetup, servers: CommsServerChoice = {}) {
    if (setup.broker?.url && !servers.realTime) {
      throw new RangeError('an external broker (broker.url) needs a real-time run: its answers come in wall time, which a run at max speed cannot wait for');
    }
    this.#clock = clock;
    this.#trace = trace;
    const netRng = rng.fork('network');
    this.network = new CellularNetwork(setup.network ?? {}, () => netRng.next());
    this.internet = new VirtualInternet(clock, { replay: servers.backendReplay ?? false });
    this.modem = new Sim800(clock, this.network, this.internet, setup.modem ?? {});
    this.#ownServers = !servers.backend && !servers.broker;
    const unit = servers.unit;
    this.meterId = unit?.meterId ?? METER_ID;
    // A unit of a fleet sets faults for its own meter id: the backend is the whole fleet's (a fault set from meter
    // 7's page is meter 7's); a meter alone on its backend sets them for every meter, as a scenario means them.
    this.#faultMeter = unit?.meterId;
    const { state: bState, fault, faultCount, pending, url: backendUrl, ...backendCfg } = setup.backend ?? {};
    this.externalBackend = backendUrl === undefined ? null : new ExternalBackend(clock, parseBackendUrl(backendUrl));
    if (this.externalBackend && ((fault && fault !== 'none') || pending)) {
      throw new RangeError(`backend ${backendUrlText(this.externalBackend.url)} is your own: the built-in backend's ${fault && fault !== 'none' ? 'faults' : 'pending top-ups'} do not apply to it (pay on your server)`);
    }
    this.backend = servers.backend ?? new TopupBackend(unit ? { meters: [unit.meterId], ...backendCfg } : backendCfg);
    if (fault && fault !== 'none') this.backend.setFault(fault, faultCount ?? Infinity, this.#faultMeter);
    if (pending) this.backend.topup(this.meterId, pending);
    const { state: mState, url, ...brokerCfg } = setup.broker ?? {};
    this.broker = servers.broker ?? new TelemetryBroker(unit ? { tokens: [unit.accessToken], ...brokerCfg } : brokerCfg);
    this.#backendState = bState ?? 'up';
    this.#brokerState = mState ?? 'up';
    this.#externalBroker = url ? parseMqttUrl(url) : null;
    this.#routes();

    this.modem.onEvent = (e) => trace.emit('modem', e.kind, { ...e });
    this.internet.onConnect = (host, port, outcome) => trace.emit('network', 'connect', { host, port, outcome });
    // A unit on servers shared by many meters watches only its own requests and telemetry (the servers call it for
    // those alone, so a request does not cost more with more meters on the servers).
    this.#unwatch.push((this.externalBackend ?? this.backend).watch((r) => {
      trace.emit('backend', 'request', { meter: r.meter, success: r.success, status: r.status, answer: r.answer, fault: r.fault });
    }, unit?.meterId));
    this.#unwatch.push(this.broker.watch((m) => {
      Object.assign(this.telemetry, m.values);
      trace.emit('broker', 'telemetry', { payload: m.payload });
      this.onTelemetry?.(m.values);
    }, unit?.accessToken));
  }

  readonly #unwatch: (() => void)[] = [];
  /** The meter id its firmware sends (MT100 unless the unit was built with another). */
  readonly meterId: string;
  /** Whose requests this bench's faults apply to: its unit's meter id, or undefined for every meter. */
  readonly #faultMeter: string | undefined;

  /** The backend fault this meter's requests get now. */
  get fault(): BackendFault { return this.backend.faultFor(this.meterId); }

  /** The network and server settings now (what a dashboard shows). */
  get servers(): { backend: ServerState; broker: ServerState; external: string | null; externalBackend: string | null } {
    const e = this.#externalBroker;
    const b = this.externalBackend;
    return {
      backend: this.#backendState, broker: this.#brokerState, external: e ? `mqtt://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}` : null,
      externalBackend: b ? backendUrlText(b.url) : null,
    };
  }

  #routes(): void {
    const backend: Route = this.#backendState === 'up' ? { kind: 'service', service: this.externalBackend ?? this.backend } : { kind: 'refused' };
    this.internet.route(BACKEND_HOST, BACKEND_PORT, backend);
    let broker: Route;
    if (this.#brokerState === 'down') broker = { kind: 'refused' };
    else if (this.#externalBroker) {
      const { host, port } = this.#externalBroker;
      broker = { kind: 'external', connect: () => netConnect({ host, port }) };
    } else broker = { kind: 'service', service: this.broker };
    this.internet.route(THINGSBOARD_SERVER, THINGSBOARD_PORT, broker);
  }

  /** Ready the broker; call before the run. */
  async start(): Promise<void> { if (!this.#externalBroker) await this.broker.start(); }

  change(step: NetworkStep): void {
    const { drop, backend, broker, fault, faultCount, forUs, ...net } = step;
    if (fault && this.externalBackend) throw new RangeError(this.#ownBackend('faults'));
    if (forUs !== undefined && !(forUs > 0)) throw new RangeError(`network change duration must be positive, got ${forUs} us`);
    const set: Settings = { ...net, ...(backend ? { backend } : {}), ...(broker ? { broker } : {}) };
    // recorded before it is applied: the first change takes the settings as they were
    let timed: TimedChange<Settings> | null = null;
    if (forUs === undefined) this.#settings.lasting(set); else timed = this.#settings.timed(set);
    if (Object.keys(net).length) this.network.set(net);
    if (backend) this.#backendState = backend;
    if (broker) this.#brokerState = broker;
    if (backend || broker) this.#routes();
    if (fault) this.backend.setFault(fault, faultCount ?? Infinity, this.#faultMeter);
    this.#trace.emit('network', 'change', { ...step });
    if (drop) this.network.dropConnections();
    if (timed === null) return;
    const keys = Object.keys(set) as (keyof Settings)[];
    this.#clock.after(forUs!, () => {
      const revert = this.#settings.end(timed, keys);
      const { backend: b, broker: m, ...netRevert } = revert;
      if (Object.keys(netRevert).length) this.network.set(netRevert);
      if (b) this.#backendState = b;
      if (m) this.#brokerState = m;
      if (b || m) this.#routes();
      this.#trace.emit('network', 'change', { ...revert, revert: true });
    });
  }

  /** The network settings and server states as the lasting changes left them (once the timed ones running now end). */
  lastingSettings(): Required<Settings> {
    return this.#settings.lastingNow() as Required<Settings>;
  }

  /** What timed `network:` steps go back to when they end. */
  readonly #settings = new TimedSettings<Settings>(() => {
    const n = this.network.state;
    return {
      coverage: n.coverage, csq: n.csq, latencyMs: n.latencyMs, attachFailures: n.attachFailures, attachFailureRate: n.attachFailureRate,
      registrationMs: n.registrationMs, backend: this.#backendState, broker: this.#brokerState,
    };
  });

  /** Why a built-in backend's feature is refused when the meter polls the user's own. */
  #ownBackend(what: string): string {
    return `this meter polls your own backend (${backendUrlText(this.externalBackend!.url)}): the built-in backend's ${what} do not apply to it; ${what === 'faults' ? 'make your server misbehave instead' : 'pay on your server'}`;
  }

  topup(amount: number, meter = this.meterId): void {
    if (this.externalBackend) throw new RangeError(this.#ownBackend('top-ups'));
    this.backend.topup(meter, amount);
    this.#trace.emit('backend', 'topup', { meter, amount, pending: this.backend.pending.get(meter) });
  }

  async close(): Promise<void> {
    for (const u of this.#unwatch.splice(0)) u();
    this.internet.closeAll();
    this.externalBackend?.close();
    if (this.#ownServers) {
      await this.broker.close();
      this.backend.server.close();
    }
  }
}

// A bench made after this module loaded builds its network at once (twin/kernel/loaded-comms.ts).
registerCommsClass(Comms);

/** `mqtt://host[:port]` (port 1883 by default). */
export function parseMqttUrl(url: string): { host: string; port: number } {
  let u: URL;
  try { u = new URL(url); } catch { throw new RangeError(`broker url '${url}' is not a URL (expected mqtt://host:port)`); }
  if (u.protocol !== 'mqtt:' && u.protocol !== 'tcp:') throw new RangeError(`broker url '${url}': only mqtt:// (plain TCP) is supported`);
  if (u.hostname === '') throw new RangeError(`broker url '${url}' names no host (expected mqtt://host:port)`);
  if (u.username || u.password || (u.pathname !== '' && u.pathname !== '/') || u.search) throw new RangeError(`broker url '${url}': give only mqtt://host:port (the meter's token is its user name)`);
  const port = u.port ? Number(u.port) : 1883;
  const host = u.hostname.startsWith('[') && u.hostname.endsWith(']') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port };
}
