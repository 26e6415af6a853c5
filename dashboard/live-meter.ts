// One meter on the dashboard: a Bench (twin meter + plant) run live on the wall clock by a Pacer, the stimuli a page
// can apply to it, and what the page shows of it: its state (indicators, readings, grid, loads), its LCD as display
// memory and CGRAM, trends sampled on virtual time, and waveform windows (the plant's 8 kHz samples at waveform
// fidelity; synthesised from the phasors at phasor fidelity). A live meter can also run a library scenario on a bench
// of its own, paced the same way, reporting its step progress and verdict.
//
// Everything that changes the bench (a new firmware build, a reset, a scenario) is queued and done by the run loop
// between two clock slices, because the clock's run is not re-entrant; stimuli (keys, loads, grid) only schedule or
// change things and apply at once.
import { Bench, createBench, loadComms, type BenchConfig } from '../twin/kernel/bench.ts';
import type { BenchControl } from '../twin/kernel/bench-types.ts';
import { TwinMeter, unixOf, type LocalTime } from '../twin/twin-meter.ts';
import { resolveFirmware, type ProfileName } from '../twin/profiles/profile.ts';
import type { DefectId } from '../twin/profiles/defects.ts';
import type { KeyName } from '../twin/meter.ts';
import type { WaveformBlock } from '../models/waveform/waveform-plant.ts';
import { loadScenario, ScenarioError } from '../scenarios/loader.ts';
import { runScenario, ScenarioRunError } from '../scenarios/runner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { Pacer, type PacerConfig } from './pacer.ts';
import {
  APPLIANCES, HOUSEHOLD_ID, NOMINAL_GRID, gridChangeFor, householdWatts,
} from './catalog.ts';
import type { GridEventName, SpeedValue } from './protocol.ts';
import { WAVE_FLAG_SYNTHESISED, WAVE_FLAG_UNPOWERED, type WaveFrame } from './protocol.ts';
import type { LibraryEntry } from './scenario-library.ts';
import { METER_ID, type NetworkSetup, type NetworkStep, type ServerState } from '../twin/comms/comms.ts';
import { TopupBackend, type BackendFault } from '../twin/comms/topup-backend.ts';
import { TelemetryBroker } from '../twin/comms/telemetry-broker.ts';
import type { CellularNetworkConfig } from '../models/modem/cellular-network.ts';
import { FLEET_DEBUG_LOG_KEEP, PlanDriver, type MeterPlan, type PlanTarget } from '../scenarios/fleet/fleet.ts';

/** A user-level refusal (unknown load, scenario running): answered to the client as an error. */
export class LiveMeterError extends Error {}

export interface FirmwareChoice { profile: ProfileName; fix: DefectId[]; defects: DefectId[] }

export interface LiveMeterConfig {
  id: string;
  /** Position in the server's meter list (the waveform frame carries it). */
  index: number;
  seed: number;
  firmware: FirmwareChoice;
  /** Credit in the EEPROM at first power-up. */
  credit: number;
  /** RTC time at first power-up. */
  clock: LocalTime;
  fidelity: 'phasor' | 'waveform';
  /** Start with the household profile connected. */
  household: boolean;
  speed: SpeedValue;
  /** Samples in one waveform window (default 400: 50 ms, two and a half 50 Hz cycles, at 8 kHz). */
  waveWindowSamples: number;
  /** Trend points kept (default 1200). */
  trendCapacity: number;
  /** Wall clock and slice sizing of the pacer. */
  pacer: Partial<PacerConfig>;
  /** The scenarios this meter may run. */
  library: readonly LibraryEntry[];
  /**
   * The modem on a network (false: mute, a meter whose SIM800 does not answer). Each meter has its own top-up
   * backend and ThingsBoard broker (`servers`), kept across reflashes and resets; `brokerUrl` sends its telemetry to
   * an external broker (`mqtt://host:port`) instead of its own; `backendUrl` makes it poll a top-up backend of the
   * user's own (`http://host:port`) instead of its own.
   */
  network: false | { brokerUrl?: string; backendUrl?: string };
  /**
   * A fleet's meter (osm serve --fleet): its plan gives its firmware's meter id and access token, boot mode, credit,
   * board (drawn from the tolerances), household (the plan's loads stand for the household profile) and payments.
   */
  plan?: MeterPlan;
  /** Servers shared with other meters (a fleet's backend and broker) instead of its own; not closed with the meter. */
  sharedServers?: { backend: TopupBackend; broker: TelemetryBroker };
}

/** A meter's state as a cell of the fleet grid shows it (the first that holds, in this order). */
export const FLEET_STATES = ['unpowered', 'tamper', 'exhausted', 'comms-down', 'relay-off', 'on'] as const;
export type FleetState = typeof FLEET_STATES[number];

/** One cell of the fleet grid. */
export interface FleetCell {
  meter: string;
  state: FleetState;
  /** The firmware's credit (null while it has not measured yet). */
  credit: number | null;
  /** What the meter draws now, W (the plant's truth). */
  watts: number;
  household: string | null;
}

/** What the dashboard shows of a meter's communications (`state.comms`). */
export interface CommsView {
  network: Pick<CellularNetworkConfig, 'coverage' | 'csq' | 'latencyMs' | 'registrationMs' | 'attachFailures' | 'attachFailureRate'>;
  modem: { registered: boolean; attached: boolean };
  /** The firmware's last GPRS attempt, from its debug log: `OK`, `fail`, or null before the first. */
  gsm: { last: 'OK' | 'fail' | null; polls: number; fails: number };
  /** `external`: the user's own backend the meter polls (its payments and faults are that server's), or null. */
  backend: { state: ServerState; fault: BackendFault; pending: number; url: string | null; last: string | null; external: string | null };
  broker: { state: ServerState; external: string | null; url: string | null };
  /** Telemetry the broker received from the meter: how many, how many in the last day of meter time, the newest. */
  telemetry: { count: number; lastDay: number; last: { t: number; rtc: string; payload: string }[] };
}

/** Loopback addresses of a meter's servers, when osm serve listens for them. */
export interface CommsEndpoints { mqtt: string | null; backend: string | null }

/** Largest top-up a page may queue in one payment. */
export const MAX_TOPUP = 100_000;
const TELEMETRY_KEPT = 8;

export const DEFAULT_LIVE_METER: Omit<LiveMeterConfig, 'id' | 'index' | 'library'> = {
  seed: 1,
  firmware: { profile: 'field', fix: [], defects: [] },
  credit: 500,
  clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 },
  fidelity: 'waveform',
  household: true,
  speed: 1,
  waveWindowSamples: 400,
  trendCapacity: 1200,
  pacer: {},
  network: false,
};

const SAMPLE_RATE_HZ = 8000;
const WAVE_RING = 8192;
const LOG_LINES = 8;
/** Longest keypad queue a page may build up, virtual microseconds (200 keys). */
const MAX_KEY_QUEUE_US = 60_000_000;
/** Trend points are at least this far apart in virtual time. */
const TREND_MIN_US = 1_000_000;

export type ScenarioStatus = 'loading' | 'running' | 'passed' | 'failed' | 'aborted' | 'error';

export interface ScenarioProgress {
  name: string;
  status: ScenarioStatus;
  /** 1-based step being run (0 before the first). */
  step: number;
  steps: number;
  stepText: string;
  /** The verdict line: the failure reason, the error, or a summary of the checks. */
  verdict: string;
  /** Every step's text and status ('ok' | 'failed' | 'not-run' | 'running'). */
  list: { text: string; status: string }[];
}

export const TREND_FIELDS = ['vrms', 'irms', 'power', 'credit', 'energy'] as const;

/**
 * What the last Reset did (`state.lastReset`): when, in the meter's virtual time (which goes on across a reset, so
 * that trends, waveform frames and a fleet's clock stay in order), and what the new meter started with. The trends
 * hold only the points taken after it.
 */
export interface ResetNote {
  /** Resets since the server started (a page notices a new one by it). */
  count: number;
  /** Virtual time of the reset, µs (`state.t` at the moment the new meter was built). */
  t: number;
  /** The new meter's RTC at its start, `YYYY-MM-DD HH:MM:SS`. */
  rtc: string;
  /** Its credit at first power-up. */
  credit: number;
  /** Its firmware build, as `state.firmware` names it. */
  firmware: FirmwareChoice;
}

class AbortedRun extends Error {}

export class LiveMeter {
  readonly config: LiveMeterConfig;
  readonly id: string;
  readonly pacer: Pacer;
  /** Changes whenever the bench is rebuilt (firmware, reset, scenario). */
  epoch = 0;
  bench!: Bench;
  firmware: FirmwareChoice;
  /** Called after the bench was rebuilt (the hub sends a fresh snapshot to this meter's clients). */
  onRebuilt: (() => void) | undefined = undefined;
  /** This meter's top-up backend and broker (with `network`); they outlive its benches. */
  readonly servers: { backend: TopupBackend; broker: TelemetryBroker } | null;
  /** Where the servers listen on loopback (set by osm serve), shown on the page. */
  endpoints: CommsEndpoints | null = null;
  #gsm: CommsView['gsm'] = { last: null, polls: 0, fails: 0 };
  #telemetry: { t: number; rtc: string; payload: string }[] = [];
  #telemetryTimes: number[] = [];
  #telemetryCount = 0;
  #lastBackend: string | null = null;

  /** Virtual time of the meter: continues across rebuilds (trends and frames stay ordered). */
  #tOffset = 0;
  #startUnix = 0;
  #closed = false;
  #loopDone: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #pending: (() => Promise<void>)[] = [];
  #scenario: ScenarioProgress | null = null;
  #abort = false;
  #scenarioActive = false;
  #household: boolean;
  #unsubscribe: (() => void) | null = null;
  readonly #log: string[] = [];
  // waveform ring (waveform fidelity)
  readonly #ringV = new Float32Array(WAVE_RING);
  readonly #ringI = new Float32Array(WAVE_RING);
  #ringCount = 0;
  #lastSampleUs = 0;
  #waveSeq = 0;
  // trends
  readonly #trendT: Float64Array;
  readonly #trend: Record<(typeof TREND_FIELDS)[number], Float64Array>;
  #trendCount = 0;
  #lastTrendUs = -Infinity;
  /** Sequence number of the first trend point after the last reset (the points before it are no longer sent). */
  #trendFloor = 0;
  #lastReset: ResetNote | null = null;
  // LCD change detection
  #lcdSig = '';
  lcdVersion = 0;

  constructor(config: Partial<LiveMeterConfig> & Pick<LiveMeterConfig, 'id' | 'index' | 'library'>) {
    this.config = { ...DEFAULT_LIVE_METER, ...config };
    this.id = this.config.id;
    this.firmware = { ...this.config.firmware, fix: [...this.config.firmware.fix], defects: [...this.config.firmware.defects] };
    this.#household = this.config.household;
    this.pacer = new Pacer(this.config.speed, this.config.pacer);
    const cap = this.config.trendCapacity;
    this.#trendT = new Float64Array(cap);
    this.#trend = { vrms: new Float64Array(cap), irms: new Float64Array(cap), power: new Float64Array(cap), credit: new Float64Array(cap), energy: new Float64Array(cap) };
    if (!(this.config.waveWindowSamples >= 16 && this.config.waveWindowSamples <= WAVE_RING / 2)) {
      throw new RangeError(`waveWindowSamples must be 16..${WAVE_RING / 2}`);
    }
    this.#ownServers = !this.config.sharedServers;
    this.servers = this.config.network ? this.config.sharedServers ?? { backend: new TopupBackend(), broker: new TelemetryBroker() } : null;
    this.#driver = this.config.plan ? new PlanDriver(this.config.plan) : null;
  }

  readonly #ownServers: boolean;
  /** The firmware has finished its setup since the last power-on ("Setup Complete!" on its debug port). */
  #booted = false;
  /** The buzzer sounded since the last state(): its beeps (20 ms inside one timer tick) end before any publish sees them. */
  #buzzerSounded = false;
  /** A fleet meter's plan being played, and the meter time its plan started at. */
  #driver: PlanDriver | null;
  #planT0 = 0;

  /** Build the first bench and boot the meter (does not start the run loop). */
  async init(): Promise<void> {
    const bench = this.#makeDefaultBench({ eepromImage: undefined, clock: this.config.clock, loads: [] });
    await this.#install(bench, this.config.clock, true);
    this.pacer.rebase(this.now());
  }

  /** Virtual time of this meter, microseconds (monotonic across rebuilds). */
  now(): number { return this.#tOffset + this.bench.now(); }

  get twin(): TwinMeter | null { return this.bench.meter instanceof TwinMeter ? this.bench.meter : null; }
  get scenario(): ScenarioProgress | null { return this.#scenario; }
  /** Hook: a running scenario started its step `step` (1-based). */
  onScenarioStep: ((step: number) => void) | undefined = undefined;
  get scenarioRunning(): boolean { return this.#scenarioActive; }
  get household(): boolean { return this.#household; }
  get log(): readonly string[] { return this.#log; }

  // ------------------------------------------------------------------------------------------------------------
  // Building benches

  #benchConfig(eepromImage: Uint8Array | undefined, clock: LocalTime, cover: 'open' | 'closed', grid: BenchConfig['plant']['grid'], net?: NetworkSetup): BenchConfig {
    const f = this.firmware;
    const url = this.config.network ? this.config.network.brokerUrl : undefined;
    const backendUrl = this.config.network ? this.config.network.backendUrl : undefined;
    const comms: Partial<BenchConfig> = this.config.network && this.servers ? {
      network: {
        network: { ...net?.network },
        backend: { state: net?.backend?.state ?? 'up', ...(backendUrl ? { url: backendUrl } : {}) },
        broker: { state: net?.broker?.state ?? 'up', ...(url ? { url } : {}) },
      },
      commsServers: { ...this.servers, realTime: url !== undefined },
    } : {};
    const plan = this.config.plan;
    return {
      ...comms,
      meter: {
        build: resolveFirmware({ profile: f.profile, mode: f.profile === 'shipped' ? undefined : plan?.mode ?? 'sts', fix: f.fix, defects: f.defects }),
        eeprom: 'virgin',
        ...(eepromImage ? { eepromImage } : { credit: plan?.credit ?? this.config.credit }),
        clock,
        cover,
        ...(plan ? { overrides: plan.board, unit: { meterId: plan.meterId, accessToken: plan.token }, debugLogKeep: FLEET_DEBUG_LOG_KEEP } : {}),
      },
      plant: { grid, fidelity: this.config.fidelity, loads: [] },
      seed: this.config.seed,
      speed: 'max',
    };
  }

  #makeDefaultBench(keep: { eepromImage: Uint8Array | undefined; clock: LocalTime; loads: BenchConfig['plant']['loads']; cover?: 'open' | 'closed'; grid?: BenchConfig['plant']['grid']; network?: NetworkSetup }): Bench {
    const bench = createBench(this.#benchConfig(keep.eepromImage, keep.clock, keep.cover ?? 'closed', keep.grid ?? { vrms: NOMINAL_GRID.vrms, hz: NOMINAL_GRID.hz }, keep.network));
    for (const l of keep.loads ?? []) bench.setLoad(l);
    return bench;
  }

  /** Make `bench` this meter's bench; `start` boots it (a scenario's bench is started by the runner). */
  async #install(bench: Bench, clock: LocalTime, start: boolean): Promise<void> {
    const old = this.bench as Bench | undefined;
    if (old) {
      this.#tOffset += old.now();
      this.#unsubscribe?.();
      old.onWaveformBlock = undefined;
      await old.close();
    }
    this.bench = bench;
    // the achieved rate and the pacing are measured on the new bench's clock, which starts again from 0
    this.pacer.rebase(bench.now());
    this.#keysFreeAt = 0;
    this.epoch++;
    this.#startUnix = unixOf(clock);
    this.#ringCount = 0;
    this.#log.length = 0;
    this.#lcdSig = '';
    this.#booted = false;
    this.#unsubscribe = bench.trace.subscribe((ev) => {
      if (ev.kind === 'serial' && (ev.data as { port?: string }).port === 'debug') {
        const line = String((ev.data as { line?: unknown }).line ?? '');
        this.#log.push(line.slice(0, 120));
        if (/^Setup Complete!/.test(line)) this.#booted = true;
        if (this.#log.length > LOG_LINES) this.#log.shift();
        const apn = /^Connecting to APN: \S* ?(OK|fail)\s*$/.exec(line);
        if (apn) {
          this.#gsm.polls++;
          this.#gsm.last = apn[1] as 'OK' | 'fail';
          if (apn[1] === 'fail') this.#gsm.fails++;
        }
      } else if (ev.source === 'broker' && ev.kind === 'telemetry') {
        this.#onTelemetry(String((ev.data as { payload?: unknown }).payload ?? ''));
      } else if (ev.source === 'backend' && ev.kind === 'request') {
        const r = ev.data as { answer?: string | null; status?: number };
        this.#lastBackend = r.answer === null ? 'no answer (connection dropped)' : `${r.status} ${JSON.stringify(String(r.answer ?? '').slice(0, 40))}`;
      } else if (ev.source === 'meter' && ev.kind === 'buzzer') {
        if ((ev.data as { on?: unknown }).on === true) this.#buzzerSounded = true;
      } else if (ev.source === 'meter' && ev.kind === 'power') {
        // a new power cycle starts a new sample stream, and a new boot
        this.#ringCount = 0;
        this.#booted = false;
      }
    });
    bench.onWaveformBlock = (block, startUs) => this.#onBlock(block, startUs);
    if (start) {
      await bench.start();
      if (this.#household) this.#startHousehold(bench);
    }
  }

  #householdTimer: { cancel(): void } | null = null;

  #startHousehold(bench: Bench): void {
    this.#householdTimer?.cancel();
    const driver = this.#driver;
    if (driver) {
      // a fleet meter: its plan's loads and payments, due by the meter's time since the plan started
      const target: PlanTarget = {
        setLoad: (l) => bench.setLoad(l as never),
        removeLoad: (id) => { if (bench.plant.loads().some((x) => x.id === id)) bench.removeLoad(id); },
        topup: (amount) => bench.comms?.topup(amount),
      };
      const apply = (): void => {
        if (!this.#household || this.bench !== bench) return;
        driver.applyDue(target, this.now() - this.#planT0);
      };
      for (const l of driver.loadsOn()) target.setLoad(l);
      apply();
      this.#householdTimer = bench.clock.every(60e6, apply);
      return;
    }
    const apply = (): void => {
      if (!this.#household || this.bench !== bench) return;
      const sec = ((this.#startUnix + Math.floor(bench.now() / 1e6)) % 86400 + 86400) % 86400;
      bench.setLoad({ id: HOUSEHOLD_ID, kind: 'resistive', watts: Math.round(householdWatts(sec)) });
    };
    apply();
    this.#householdTimer = bench.clock.every(60e6, apply);
  }

  /** The RTC's local time now (the firmware's clock; the start time plus virtual time when unpowered). */
  localTime(): LocalTime {
    const twin = this.twin;
    const unix = twin ? twin.rtc.unixtime() : this.#startUnix + Math.floor(this.bench.now() / 1e6);
    const d = new Date(unix * 1000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Stimuli

  #refuseDuringScenario(what: string): void {
    if (this.#scenarioActive) throw new LiveMeterError(`${what} is not available while a scenario runs (stop it first)`);
  }

  #keysFreeAt = 0;

  pressKeys(keys: string): void {
    this.#refuseDuringScenario('the keypad');
    // each key takes 300 ms of meter time; more than a minute queued is a stuck client, not a person
    const b = this.bench;
    if (this.#keysFreeAt - b.now() + keys.length * 300_000 > MAX_KEY_QUEUE_US) {
      throw new LiveMeterError(`the keypad is busy: ${Math.ceil((this.#keysFreeAt - b.now()) / 300_000)} keys are still queued`);
    }
    this.#keysFreeAt = b.queueKeys([...keys] as KeyName[]);
  }

  setLoad(id: string, on: boolean): void {
    this.#refuseDuringScenario('switching loads');
    if (id === HOUSEHOLD_ID) {
      this.#household = on;
      if (on) this.#startHousehold(this.bench);
      else {
        this.#householdTimer?.cancel();
        for (const l of this.#householdLoads(this.bench)) this.bench.removeLoad(l);
      }
      return;
    }
    const entry = APPLIANCES.find((a) => a.id === id);
    if (!entry) throw new LiveMeterError(`no load '${id}' (loads: ${[HOUSEHOLD_ID, ...APPLIANCES.map((a) => a.id)].join(', ')})`);
    const present = this.bench.plant.loads().some((l) => l.id === id);
    if (on) this.bench.setLoad(entry.spec);
    else if (present) this.bench.removeLoad(id);
  }

  /** The loads of the household profile on `b` (a fleet meter's: its plan's loads). */
  #householdLoads(b: Bench): string[] {
    const plan = this.#driver ? new Set(this.#driver.plan.loads.map((c) => c.id)) : null;
    return b.plant.loads().map((l) => l.id).filter((id) => id === HOUSEHOLD_ID || plan?.has(id) === true);
  }

  gridEvent(event: GridEventName): void {
    this.#refuseDuringScenario('grid events');
    this.bench.setGrid(gridChangeFor(event));
  }

  tamper(open: boolean): void {
    this.#refuseDuringScenario('the cover switch');
    this.bench.tamper(open);
  }

  power(on: boolean): void {
    this.#refuseDuringScenario('the power switch');
    this.bench.power(on);
  }

  /** The modem's network and servers, as a scenario's `network:` step changes them (coverage, csq, faults...). */
  network(change: NetworkStep): void {
    this.#refuseDuringScenario('the network controls');
    const comms = this.#comms('the network controls');
    const own = comms.servers.externalBackend;
    if (change.fault !== undefined && own) throw new LiveMeterError(`this meter polls your own backend (${own}): its faults are your server's to make; the built-in backend's do not apply`);
    comms.change(change);
  }

  /** A customer pays `amount` for this meter: it is pending on its backend until the firmware's next poll takes it. */
  topup(amount: number): void {
    this.#refuseDuringScenario('a web top-up');
    if (!(Number.isFinite(amount) && amount > 0 && amount <= MAX_TOPUP)) throw new LiveMeterError(`a top-up must be more than 0 and at most ${MAX_TOPUP}, got ${amount}`);
    const comms = this.#comms('a web top-up');
    const own = comms.servers.externalBackend;
    if (own) throw new LiveMeterError(`this meter polls your own backend (${own}): make the payment on that server`);
    comms.topup(Math.round(amount * 100) / 100);
  }

  #comms(what: string): NonNullable<Bench['comms']> {
    const c = this.bench.comms;
    if (!c) throw new LiveMeterError(`${what}: this meter's modem is mute (no network; osm serve runs with --no-network, or the scenario has no network: section)`);
    return c;
  }

  /** The network settings and server states of `b`, to carry over to the next bench. */
  #networkNow(b: Bench): NetworkSetup | undefined {
    const c = b.comms;
    if (!c) return undefined;
    // the settings as lasting changes left them: a timed change running now (coverage off for 20 s) ends with the old bench
    const { backend, broker, ...network } = c.lastingSettings();
    return { network, backend: { state: backend }, broker: { state: broker } };
  }

  #onTelemetry(payload: string): void {
    const t = this.now();
    const lt = this.localTime();
    this.#telemetryCount++;
    this.#telemetry.push({ t, rtc: `${lt.year}-${p2(lt.month)}-${p2(lt.day)} ${p2(lt.hour)}:${p2(lt.minute)}:${p2(lt.second)}`, payload: payload.slice(0, 200) });
    if (this.#telemetry.length > TELEMETRY_KEPT) this.#telemetry.shift();
    this.#telemetryTimes.push(t);
    while (this.#telemetryTimes.length && this.#telemetryTimes[0] < t - 86_400e6) this.#telemetryTimes.shift();
    if (this.#telemetryTimes.length > 10_000) this.#telemetryTimes.shift();
  }

  /** What the page shows of the communications; null when the modem is mute. */
  commsView(): CommsView | null {
    const c = this.bench.comms;
    if (!c) return null;
    const n = c.network.state;
    const sv = c.servers;
    const now = this.now();
    const external = sv.external;
    return {
      network: { coverage: n.coverage, csq: n.csq, latencyMs: n.latencyMs, registrationMs: n.registrationMs, attachFailures: n.attachFailures, attachFailureRate: n.attachFailureRate },
      modem: { registered: c.modem.registered, attached: c.modem.attached },
      gsm: { ...this.#gsm },
      backend: {
        state: sv.backend, fault: sv.externalBackend ? 'none' : c.fault, pending: sv.externalBackend ? 0 : c.backend.pending.get(c.meterId) ?? 0,
        url: c.backend === this.servers?.backend && !sv.externalBackend ? this.endpoints?.backend ?? null : null, last: this.#lastBackend, external: sv.externalBackend,
      },
      broker: { state: sv.broker, external, url: c.broker === this.servers?.broker && !external ? this.endpoints?.mqtt ?? null : null },
      telemetry: { count: this.#telemetryCount, lastDay: this.#telemetryTimes.filter((x) => x >= now - 86_400e6).length, last: [...this.#telemetry] },
    };
  }

  setSpeed(speed: SpeedValue): void { this.pacer.setSpeed(speed, this.bench.now()); this.#wake?.(); }
  setPaused(paused: boolean): void { this.pacer.setPaused(paused, this.bench.now()); this.#wake?.(); }

  /** Reflash: the meter restarts with another firmware build, keeping its EEPROM, RTC time, loads and grid. */
  setFirmware(choice: FirmwareChoice): void {
    this.#refuseDuringScenario('changing the firmware');
    // validated now, so a bad choice is refused before anything changes
    resolveFirmware({ profile: choice.profile, fix: choice.fix, defects: choice.defects });
    this.#queue(async () => {
      const old = this.bench;
      const twin = this.twin;
      this.firmware = { profile: choice.profile, fix: [...choice.fix], defects: [...choice.defects] };
      const clock = this.localTime();
      const g = old.lastingGrid(); // a timed sag running now ends with the old bench
      const bench = this.#makeDefaultBench({
        eepromImage: twin ? twin.eeprom.dump() : undefined,
        clock,
        loads: old.plant.loads().filter((l) => !this.#householdLoads(old).includes(l.id)).map((l) => ({ ...l.spec })),
        cover: twin?.cover.isOpen ? 'open' : 'closed',
        grid: { vrms: g.vrms, hz: g.hz, harmonics: g.harmonics.map((h) => ({ ...h })) },
        network: this.#networkNow(old),
      });
      await this.#install(bench, clock, true);
    });
  }

  /**
   * A fresh meter, as osm serve started it: the served firmware build (not a reflashed or a scenario's one), a
   * virgin EEPROM with the served credit, the RTC at the served start time, the household profile as served, the
   * network at its start settings; it boots at once. The speed and a pause are kept (they are the page's, not the
   * meter's), and the virtual time goes on; the trends start again from the reset (`lastReset`).
   */
  reset(): void {
    if (this.#scenarioActive) this.#abort = true;
    this.#queue(async () => {
      this.#household = this.config.household;
      this.#scenario = null;
      const f = this.config.firmware;
      this.firmware = { profile: f.profile, fix: [...f.fix], defects: [...f.defects] };
      if (this.servers && this.#ownServers) {
        // a new meter: nothing pending for it, no fault, the network as at start
        for (const m of this.servers.backend.pending.keys()) this.servers.backend.pending.set(m, 0);
        this.servers.backend.setFault('none');
      } else if (this.servers && this.config.plan) {
        // a fleet meter: its own payments and fault only (the backend, and a fault set for every meter, are the fleet's)
        this.servers.backend.pending.set(this.config.plan.meterId, 0);
        this.servers.backend.clearFault(this.config.plan.meterId);
      }
      if (this.config.plan) this.#driver = new PlanDriver(this.config.plan);
      this.#gsm = { last: null, polls: 0, fails: 0 };
      this.#telemetry = [];
      this.#telemetryTimes = [];
      this.#telemetryCount = 0;
      this.#lastBackend = null;
      const clock = this.config.clock;
      const bench = this.#makeDefaultBench({ eepromImage: undefined, clock, loads: [] });
      this.#planT0 = this.#tOffset + (this.bench?.now() ?? 0);
      await this.#install(bench, clock, true);
      // the trends start again: the next publish takes a first point of the new meter
      this.#trendFloor = this.#trendCount;
      this.#lastTrendUs = -Infinity;
      this.#lastReset = {
        count: (this.#lastReset?.count ?? 0) + 1,
        t: this.now(),
        rtc: `${clock.year}-${p2(clock.month)}-${p2(clock.day)} ${p2(clock.hour)}:${p2(clock.minute)}:${p2(clock.second)}`,
        credit: this.config.plan?.credit ?? this.config.credit,
        firmware: { ...this.firmware, fix: [...this.firmware.fix], defects: [...this.firmware.defects] },
      };
    });
  }

  /** What the last reset did (null before the first). */
  get lastReset(): ResetNote | null { return this.#lastReset; }

  runScenario(name: string): void {
    if (this.#scenarioActive) throw new LiveMeterError(`a scenario is already running (${this.#scenario?.name}); stop it first`);
    const entry = this.config.library.find((e) => e.name === name);
    if (!entry) throw new LiveMeterError(`no scenario '${name}' in the library`);
    this.#scenarioActive = true;
    this.#abort = false;
    this.#scenario = { name, status: 'loading', step: 0, steps: 0, stepText: '', verdict: '', list: [] };
    this.#queue(() => this.#runScenarioJob(entry));
  }

  stopScenario(): void {
    if (!this.#scenarioActive) throw new LiveMeterError('no scenario is running');
    this.#abort = true;
    this.#wake?.();
  }

  #queue(action: () => Promise<void>): void {
    this.#pending.push(action);
    this.#wake?.();
  }

  async #runScenarioJob(entry: LibraryEntry): Promise<void> {
    const prog = this.#scenario!;
    let scenario: Scenario;
    try {
      scenario = await loadScenario(entry.file);
    } catch (err) {
      prog.status = 'error';
      prog.verdict = err instanceof ScenarioError ? err.message : `could not load: ${(err as Error).message}`;
      this.#scenarioActive = false;
      return;
    }
    if (this.#abort) { prog.status = 'aborted'; prog.verdict = 'stopped before it started'; this.#scenarioActive = false; return; }
    prog.steps = scenario.steps.length;
    prog.list = scenario.steps.map((s) => ({ text: s.name ?? s.command, status: 'not-run' }));
    const clock: LocalTime = { ...scenario.meter.clock };
    // A library scenario with a `network:` section brings its own servers and faults (a run of its own, as with osm run);
    // its comms stack is loaded first (a meter served with --no-network has not loaded it), so the bench has it from the start.
    if (scenario.network) await loadComms();
    const bench = createBench({ meter: scenario.meter, plant: scenario.plant, ...(scenario.network ? { network: scenario.network } : {}), seed: this.config.seed, speed: 'max' });
    this.#household = false;
    this.#householdTimer?.cancel();
    const sel = scenario.meter.firmware;
    this.firmware = { profile: sel.profile, fix: [...(sel.fix ?? [])] as DefectId[], defects: [...(sel.defects ?? [])] as DefectId[] };
    await this.#install(bench, clock, false);
    this.onRebuilt?.();
    prog.status = 'running';
    try {
      const result = await runScenario(scenario, this.#pacedControl(bench), {
        seed: this.config.seed,
        onStep: (step, text) => {
          prog.step = step.index + 1;
          prog.stepText = text;
          prog.list[step.index] = { text, status: 'running' };
          this.onScenarioStep?.(prog.step);
        },
        onStepDone: (o) => { prog.list[o.step - 1] = { text: o.text, status: o.status }; },
      });
      prog.status = result.status;
      prog.verdict = result.failure
        ? `FAILED at step ${result.failure.step} (${result.failure.time}): ${result.failure.reason}`
        : `PASSED: ${result.checks.held}/${result.checks.total} checks held, ${result.steps.length} step${result.steps.length === 1 ? '' : 's'}, ended at ${result.end}`;
    } catch (err) {
      const cause = err instanceof ScenarioRunError ? err.cause : err;
      if (cause instanceof AbortedRun) {
        prog.status = 'aborted';
        prog.verdict = `stopped by the user at step ${prog.step}`;
      } else {
        prog.status = 'error';
        prog.verdict = (err as Error).message.split('\n')[0];
      }
    } finally {
      this.#scenarioActive = false;
      this.#abort = false;
      this.pacer.rebase(bench.now());
    }
  }

  /** The bench as the scenario runner sees it, with time advanced by the pacer (live speed, pause, stop). */
  #pacedControl(b: Bench): BenchControl {
    const runTo = (target: number, stop?: () => boolean): Promise<void> => this.#runTo(b, target, stop);
    return {
      clock: b.clock,
      trace: b.trace,
      meterKind: b.meterKind,
      comms: b.comms,
      now: () => b.now(),
      start: async () => { await b.start(); this.pacer.rebase(b.now()); },
      runFor: (us) => runTo(b.now() + us),
      runUntil: async (pred, timeoutUs) => {
        if (pred()) return true;
        await runTo(b.now() + timeoutUs, pred);
        return pred();
      },
      setLoad: (s) => b.setLoad(s),
      removeLoad: (id) => b.removeLoad(id),
      setGrid: (c) => b.setGrid(c),
      pressKeys: (keys, timing) => runTo(b.queueKeys(keys, timing)),
      power: (on) => b.power(on),
      tamper: (open) => b.tamper(open),
      observe: (name) => b.observe(name),
      close: () => b.close(),
    };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Running

  /** Runs one slice toward `target` as the pacer allows; true when the target is reached or `stop` held. */
  async #slice(b: Bench, target: number, stop?: () => boolean): Promise<boolean> {
    const from = b.now();
    const to = Math.min(target, this.pacer.target(from));
    let stopped = false;
    if (to > from || (to === from && !this.pacer.paused)) {
      const w0 = this.pacer.config.wallNow();
      await b.clock.runUntil(to, stop ? () => (stopped = stop()) : undefined);
      this.pacer.sliceDone(from, b.now(), this.pacer.config.wallNow() - w0);
    }
    return stopped || b.now() >= target;
  }

  async #runTo(b: Bench, target: number, stop?: () => boolean): Promise<void> {
    for (;;) {
      if (this.#abort || this.#closed) throw new AbortedRun('stopped');
      if (await this.#slice(b, target, stop)) return;
      await this.#sleep(this.pacer.waitMs());
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        if (this.#wake === done) this.#wake = null;
        if (timer) clearTimeout(timer); else clearImmediate(immediate!);
        resolve();
      };
      const timer = ms > 0 ? setTimeout(done, ms) : null;
      const immediate = ms > 0 ? null : setImmediate(done);
      this.#wake = done;
    });
  }

  /** Start the live run loop (paced by the wall clock). */
  start(): void {
    if (this.#loopDone) return;
    this.pacer.rebase(this.bench.now());
    this.#loopDone = this.#loop();
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      await this.runPending();
      if (this.#closed) break;
      await this.#slice(this.bench, Infinity);
      await this.#sleep(this.pacer.waitMs());
    }
  }

  /** Do the queued rebuilds and scenario runs (the run loop calls this; tests that step by hand call it too). */
  async runPending(): Promise<void> {
    while (this.#pending.length && !this.#closed) {
      const action = this.#pending.shift()!;
      await action();
      this.onRebuilt?.();
    }
  }

  /** Advance virtual time by `us` at once, without pacing (tests and benchmarks driving the meter by hand). */
  async advance(us: number): Promise<void> {
    await this.runPending();
    await this.bench.runFor(us);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort = true;
    this.#wake?.();
    try { await this.#loopDone; } catch { /* the loop ends with the meter */ }
    this.#unsubscribe?.();
    await this.bench?.close();
    if (this.servers && this.#ownServers) {
      await this.servers.broker.close();
      this.servers.backend.server.close();
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // What the page shows

  #onBlock(block: WaveformBlock, startUs: number): void {
    const n = block.vLine.length;
    const v = block.vLine;
    const i = block.iLine;
    // keep the newest WAVE_RING samples; the ring position of sample k is k % WAVE_RING
    const from = Math.max(0, n - WAVE_RING);
    for (let k = from; k < n; k++) {
      const p = (this.#ringCount + k - from) % WAVE_RING;
      this.#ringV[p] = v[k];
      this.#ringI[p] = i[k];
    }
    this.#ringCount += n - from;
    this.#lastSampleUs = startUs + ((n - 1) * 1e6) / block.pins.sampleRateHz;
    this.#waveSeq++;
  }

  /** Sequence number of the waveform data (changes when there are new samples or the meter moved on). */
  get waveSeq(): number { return this.bench.waveformPlant ? this.#waveSeq : Math.floor(this.now() / 10_000); }

  /** The newest waveform window, triggered on a rising zero crossing of the voltage so that it stands still. */
  waveFrame(): WaveFrame {
    const N = this.config.waveWindowSamples;
    const powered = this.bench.meter.powered;
    const base = { meterIndex: this.config.index, sampleRateHz: SAMPLE_RATE_HZ, epoch: this.epoch };
    if (!powered) return { ...base, flags: WAVE_FLAG_UNPOWERED | (this.bench.waveformPlant ? 0 : WAVE_FLAG_SYNTHESISED), t0Us: this.now(), volts: new Float32Array(0), amps: new Float32Array(0) };
    if (!this.bench.waveformPlant) return this.#synthesise(N, base);
    const count = this.#ringCount;
    const volts = new Float32Array(Math.min(N, count));
    const amps = new Float32Array(volts.length);
    if (count === 0) return { ...base, flags: 0, t0Us: this.now(), volts, amps };
    // search back from the newest full window for a rising zero crossing (at most one 45 Hz cycle back)
    const avail = Math.min(count, WAVE_RING);
    let start = count - volts.length;
    const oldest = count - avail;
    for (let s = start; s > Math.max(oldest, start - 180); s--) {
      const a = this.#ringV[(s - 1) % WAVE_RING];
      const b = this.#ringV[s % WAVE_RING];
      if (a < 0 && b >= 0) { start = s; break; }
    }
    for (let k = 0; k < volts.length; k++) {
      volts[k] = this.#ringV[(start + k) % WAVE_RING];
      amps[k] = this.#ringI[(start + k) % WAVE_RING];
    }
    const t0Us = this.#tOffset + this.#lastSampleUs - ((count - 1 - start) * 1e6) / SAMPLE_RATE_HZ;
    return { ...base, flags: 0, t0Us, volts, amps };
  }

  /** Phasor fidelity: the window computed from the plant's voltage and current lines, starting at a zero crossing. */
  #synthesise(N: number, base: { meterIndex: number; sampleRateHz: number; epoch: number }): WaveFrame {
    const plant = this.bench.plant;
    const hz = plant.grid.hz;
    const vLines = plant.lineVoltage();
    const iLines = plant.lineCurrent();
    const volts = new Float32Array(N);
    const amps = new Float32Array(N);
    const w = 2 * Math.PI * hz;
    // start at the fundamental's rising zero crossing before now (v ~ cos(theta + phi): rising at theta = -pi/2 - phi)
    const nowS = this.bench.now() / 1e6;
    const phi1 = vLines.find((l) => l.order === 1)?.phaseRad ?? 0;
    const period = 1 / hz;
    const cycles = Math.floor((nowS - (-Math.PI / 2 - phi1) / w) / period) - Math.ceil((N / SAMPLE_RATE_HZ) / period);
    const t0 = (-Math.PI / 2 - phi1) / w + cycles * period;
    for (let k = 0; k < N; k++) {
      const t = t0 + k / SAMPLE_RATE_HZ;
      let v = 0;
      for (const l of vLines) v += l.order === 0 ? l.rms : Math.SQRT2 * l.rms * Math.cos(l.order * w * t + l.phaseRad);
      let i = 0;
      for (const l of iLines) i += l.order === 0 ? l.rms : Math.SQRT2 * l.rms * Math.cos(l.order * w * t + l.phaseRad);
      volts[k] = v;
      amps[k] = i;
    }
    return { ...base, flags: WAVE_FLAG_SYNTHESISED, t0Us: this.#tOffset + Math.max(0, t0 * 1e6), volts, amps };
  }

  /** Take a trend point if a virtual second has passed since the last one (called at each publish). */
  sampleTrend(): boolean {
    const t = this.now();
    if (t - this.#lastTrendUs < TREND_MIN_US) return false;
    this.#lastTrendUs = t;
    const cap = this.config.trendCapacity;
    const p = this.#trendCount % cap;
    const num = (name: string): number => { const v = this.bench.observe(name); return typeof v === 'number' && Number.isFinite(v) ? v : NaN; };
    const truth = this.bench.plant.truth();
    const powered = this.bench.meter.powered;
    this.#trendT[p] = t;
    this.#trend.vrms[p] = truth.vrms;
    this.#trend.irms[p] = truth.irms;
    this.#trend.power[p] = powered ? num('power') : NaN;
    this.#trend.credit[p] = num('credit');
    this.#trend.energy[p] = num('energy');
    this.#trendCount++;
    return true;
  }

  get trendCount(): number { return this.#trendCount; }

  /** Trend points with sequence numbers >= `since` (the oldest kept when `since` is older; none from before the last reset), as rows. */
  trendSince(since: number): { from: number; rows: number[][] } {
    const cap = this.config.trendCapacity;
    const from = Math.max(since, this.#trendCount - cap, this.#trendFloor, 0);
    const rows: number[][] = [];
    for (let s = from; s < this.#trendCount; s++) {
      const p = s % cap;
      rows.push([this.#trendT[p], ...TREND_FIELDS.map((f) => round(this.#trend[f][p], 4))]);
    }
    return { from, rows };
  }

  /** The LCD as the page draws it: display memory, CGRAM and the display mode. Bumps lcdVersion on a change. */
  lcdState(): { ddram: string; cgram: string; displayOn: boolean; twoLine: boolean; shift: number; cursorOn: boolean; blinkOn: boolean; ac: number } {
    const twin = this.twin;
    const lcd = twin?.lcd;
    const s = lcd
      ? { ddram: Buffer.from(lcd.ddram).toString('hex'), cgram: Buffer.from(lcd.cgram).toString('hex'), displayOn: lcd.displayOn && this.bench.meter.powered, twoLine: lcd.twoLine, shift: lcd.displayShift, cursorOn: lcd.cursorOn, blinkOn: lcd.blinkOn, ac: lcd.addressCounter }
      : { ddram: '20'.repeat(0x80), cgram: '00'.repeat(64), displayOn: false, twoLine: true, shift: 0, cursorOn: false, blinkOn: false, ac: 0 };
    const sig = `${s.ddram}${s.cgram}${s.displayOn}${s.twoLine}${s.shift}${s.cursorOn}${s.blinkOn}${s.cursorOn || s.blinkOn ? s.ac : 0}`;
    if (sig !== this.#lcdSig) { this.#lcdSig = sig; this.lcdVersion++; }
    return s;
  }

  /** This meter as a cell of the fleet grid. */
  fleetCell(): FleetCell {
    const b = this.bench;
    const credit = b.observe('credit');
    const c = b.comms;
    const sv = c?.servers;
    let state: FleetState = 'on';
    if (!b.meter.powered) state = 'unpowered';
    else if (this.twin?.cover.isOpen) state = 'tamper';
    else if (this.#booted && b.observe('relay') === 'open' && typeof credit === 'number' && credit < 1) state = 'exhausted';
    else if (c && (!c.network.state.coverage || sv!.backend === 'down' || sv!.broker === 'down' || this.#gsm.last === 'fail')) state = 'comms-down';
    else if (b.observe('relay') !== 'closed') state = 'relay-off';
    return {
      meter: this.id, state, credit: typeof credit === 'number' && Number.isFinite(credit) ? round(credit, 2) : null,
      watts: round(b.plant.truth().watts, 1), household: this.config.plan?.household ?? null,
    };
  }

  #buzzerHeard(now: unknown): 'on' | 'off' {
    const heard = now === 'on' || this.#buzzerSounded;
    this.#buzzerSounded = false;
    return heard ? 'on' : 'off';
  }

  /** Everything but the LCD, the trends and the waveform: one JSON-able object. */
  state(): Record<string, unknown> {
    const b = this.bench;
    const obs = (n: string): unknown => b.observe(n);
    const num = (n: string): number | null => { const v = obs(n); return typeof v === 'number' && Number.isFinite(v) ? round(v, 4) : null; };
    const truth = b.plant.truth();
    const g = b.plant.grid.state;
    const lt = this.localTime();
    const twin = this.twin;
    return {
      meter: this.id,
      epoch: this.epoch,
      t: this.now(),
      rtc: `${lt.year}-${p2(lt.month)}-${p2(lt.day)} ${p2(lt.hour)}:${p2(lt.minute)}:${p2(lt.second)}`,
      speed: this.pacer.speed,
      paused: this.pacer.paused,
      rate: round(this.pacer.rate, 2),
      fidelity: b.waveformPlant ? 'waveform' : 'phasor',
      powered: b.meter.powered,
      relay: obs('relay'),
      led: { red: obs('led.red'), green: obs('led.green') },
      // on while it sounds, and at the first state after a beep that began and ended between two states
      buzzer: this.#buzzerHeard(obs('buzzer')),
      booted: this.#booted,
      cover: twin?.cover.isOpen ? 'open' : 'closed',
      grid: { vrms: g.vrms, hz: g.hz, outage: g.outage, harmonics: g.harmonics.map((h) => ({ order: h.order, percent: h.percent })) },
      loads: b.plant.loads().map((l) => l.id),
      household: this.#household,
      readings: { voltage: num('voltage'), current: num('current'), power: num('power'), pf: num('pf'), freq: num('freq'), credit: num('credit'), energy: num('energy') },
      truth: { vrms: round(truth.vrms, 3), irms: round(truth.irms, 4), watts: round(truth.watts, 2), pf: round(truth.pf, 4), hz: round(truth.freqHz, 3) },
      firmware: { profile: this.firmware.profile, fix: this.firmware.fix, defects: this.firmware.defects, mode: twin?.config.firmware.mode ?? null },
      scenario: this.#scenario,
      lastReset: this.#lastReset,
      comms: this.commsView(),
      log: [...this.#log],
    };
  }
}

function p2(n: number): string { return String(n).padStart(2, '0'); }

function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
