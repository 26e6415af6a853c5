// The Bench: one virtual clock, one plant and one meter under test. Every stimulus a user applies goes through it,
// every observable change comes out of its trace bus.
import { fastPathOn, type ExactSlow } from '../board/fast-paths.ts';
import { VirtualClock } from './clock.ts';
import { runPaced } from './realtime.ts';
import { TraceBus } from './trace.ts';
import { TimedSettings, type TimedChange } from './timed-settings.ts';
import { Rng } from './rng.ts';
import type { BenchControl, KeyTiming } from './bench-types.ts';
import type { GridChange, LoadSpec } from './stimuli.ts';
import type { GridHarmonic } from '../../models/grid/grid-source.ts';
import type { KeyName, MeterUnderTest } from '../meter.ts';
import type { FirmwareConfig } from '../profiles/profile.ts';
import { Plant } from '../../models/plant.ts';
import { applyOverrides, DEFAULT_BOARD_PROFILE, type BoardProfile } from '../../models/board-profile.ts';
import { TwinMeter, type TwinMeterConfig } from '../twin-meter.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { chipScaleFor } from '../../models/afe/factory-calibration.ts';
import { WaveformPlant, type WaveformBlock } from '../../models/waveform/waveform-plant.ts';
import { WaveformFrontEnd } from '../../models/afe/waveform-front-end.ts';
import { WaveformLink } from '../../models/waveform/waveform-link.ts';
import { MeterSupply, type MeterSupplyConfig } from '../../models/power/meter-supply.ts';
import type { Comms, CommsServerChoice, NetworkSetup } from '../comms/comms.ts';
import { loadedCommsClass } from './loaded-comms.ts';

/** A wall-clock-free description of the meter to build (the scenario loader's `meter:` section fits it). */
export interface BenchMeterConfig {
  build: FirmwareConfig;
  eeprom?: 'virgin' | 'zero';
  /** A 4096-byte EEPROM dump to start from (replaces `eeprom`). */
  eepromImage?: Uint8Array;
  credit?: number;
  clock?: { year: number; month: number; day: number; hour: number; minute: number; second: number };
  rtc?: 'running' | 'halted' | 'missing';
  /** Relay contact position before the first power-up (default `open`, as a meter out of its box). */
  relay?: 'open' | 'closed';
  cover?: 'closed' | 'open';
  /**
   * `mains` (default): the meter runs from the voltage at its terminals through its supply (models/power/meter-supply.ts);
   * `external`: from a bench supply, whatever the grid does.
   */
  supply?: 'mains' | 'external';
  /** Settings of the meter's supply (input range, hold-up) when it runs from the mains. */
  supplyConfig?: Partial<MeterSupplyConfig>;
  ctRatio?: number;
  /** Board profile overrides (`{ 'ct.ratio': 2000 }`), validated by the board profile. */
  overrides?: Record<string, number | boolean>;
  /** The unit's identity compiled into its firmware (default the shipped `MT100` and its token): a fleet's meters. */
  unit?: { meterId: string; accessToken: string };
  /** Characters of the debug log the twin keeps for the `serial` observable (default all; a fleet keeps a little). */
  debugLogKeep?: number;
}

export interface BenchPlantConfig {
  grid: { vrms: number; hz: number; harmonics?: { order: number; percent: number; phaseDeg?: number }[] };
  fidelity?: 'phasor' | 'waveform';
  loads?: LoadSpec[];
}

export interface BenchConfig {
  meter: BenchMeterConfig;
  plant: BenchPlantConfig;
  seed?: number;
  /** 'max' runs as fast as possible; a number paces virtual time at that multiple of wall time. */
  speed?: 'max' | number;
  /** Run without the simulation's exact shortcuts (they change no observable; this proves it); a list: those named. */
  exactSlow?: ExactSlow;
  /** The modem, the cellular network and the servers (twin/comms); without it the twin's modem is mute. */
  network?: NetworkSetup;
  /** With `network`: servers that outlive the bench (a dashboard meter's), instead of new ones. */
  commsServers?: CommsServerChoice;
  /** Use this meter instead of building a twin (the HIL rig passes its RigMeter here). */
  meterUnderTest?: (clock: VirtualClock, trace: TraceBus, rng: Rng, comms: Comms | null) => MeterUnderTest;
}

/** The grid's fields a change sets, in the order a revert event lists them. */
const GRID_FIELDS = ['vrms', 'outage', 'hz', 'phaseDeg', 'harmonics'] as const;
type GridField = typeof GRID_FIELDS[number];
type GridValues = Required<Pick<GridChange, GridField>>;

function gridValues(s: { vrms: number; hz: number; phaseDeg: number; outage?: boolean; harmonics: readonly GridHarmonic[] }): GridValues {
  return { vrms: s.vrms, outage: s.outage ?? false, hz: s.hz, phaseDeg: s.phaseDeg, harmonics: s.harmonics.map((h) => ({ ...h })) };
}

function copyGridValue<T>(v: T): T {
  return (Array.isArray(v) ? v.map((h: object) => ({ ...h })) : v) as T;
}

export class BenchError extends Error {}

/**
 * Load the comms stack (twin/comms/comms.ts: the SIM800, the cellular network, the servers) if it is not loaded yet.
 * A bench with a `network` calls it at start; a driver that reads `bench.comms` before `start()` (or passes a
 * `meterUnderTest`) awaits it before making the bench, which then builds its communications at once.
 */
export async function loadComms(): Promise<typeof Comms> {
  return (await import('../comms/comms.ts')).Comms;
}

const DEFAULT_TIMING: Required<KeyTiming> = { holdMs: 120, gapMs: 180 };

export class Bench implements BenchControl {
  readonly clock = new VirtualClock();
  readonly trace: TraceBus;
  readonly rng: Rng;
  readonly plant: Plant;
  readonly meter: MeterUnderTest;
  readonly profile: BoardProfile;
  speed: 'max' | number;
  /** At `fidelity: waveform`: the sampled plant and its link to the chip (the phasor plant still gives the truth). */
  readonly waveformPlant: WaveformPlant | null = null;
  /** The meter's supply when it runs from the mains at its terminals; null with an external supply. */
  readonly supply: MeterSupply | null;
  #link: WaveformLink | null = null;
  /** At `fidelity: waveform`: every block of samples fed to the chip, with its first sample's time (dashboard). */
  onWaveformBlock: ((block: WaveformBlock, startUs: number) => void) | undefined = undefined;
  #comms: Comms | null = null;
  /**
   * A `network` whose communications are built at start: the comms stack was not loaded when the bench was made, and
   * a run without a network must not pay for loading it (about 14 modules), so the bench loads it only when it starts.
   */
  #networkToBuild: { cfg: BenchConfig; twinConfig: TwinMeterConfig; twin: TwinMeter } | null = null;
  #started = false;
  #pinsVersion = -1;
  #keysFreeAt = 0;
  /** What timed grid changes go back to when they end. */
  readonly #grid = new TimedSettings<GridValues>(() => gridValues(this.plant.grid.state), copyGridValue);

  constructor(cfg: BenchConfig) {
    this.clock.settleBySignal = fastPathOn(cfg.exactSlow, 'settle-signal');
    this.clock.rearmInPlace = fastPathOn(cfg.exactSlow, 'quiet-rearm');
    this.trace = new TraceBus(() => this.clock.now());
    this.rng = new Rng(cfg.seed ?? 1);
    this.speed = cfg.speed ?? 'max';
    if (this.speed !== 'max' && !(typeof this.speed === 'number' && this.speed > 0 && Number.isFinite(this.speed))) {
      throw new BenchError(`speed must be 'max' or a positive number, got ${String(this.speed)}`);
    }
    const overrides: Record<string, number | boolean> = { ...(cfg.meter.overrides ?? {}) };
    if (cfg.meter.ctRatio !== undefined) overrides['ct.ratio'] = cfg.meter.ctRatio;
    this.profile = applyOverrides(DEFAULT_BOARD_PROFILE, overrides);
    this.plant = new Plant({
      grid: { vrms: cfg.plant.grid.vrms, hz: cfg.plant.grid.hz, phaseDeg: 0, harmonics: (cfg.plant.grid.harmonics ?? []).map((h) => ({ order: h.order, percent: h.percent, phaseDeg: h.phaseDeg ?? 0 })) },
      profile: this.profile,
    });
    for (const l of cfg.plant.loads ?? []) this.plant.setLoad(l);
    const CommsClass = cfg.network ? loadedCommsClass() as typeof Comms | undefined : undefined;
    if (CommsClass) this.#comms = this.#newComms(CommsClass, cfg);
    if (cfg.meterUnderTest) {
      if (cfg.network && !this.#comms) throw new BenchError('a meter under test with a network needs the comms loaded before the bench is made: await loadComms() first');
      // a meter on a rig board keeps the simulated modem and network (the modem is not a rig part)
      this.meter = cfg.meterUnderTest(this.clock, this.trace, this.rng.fork('meter'), this.comms);
    } else {
      const m: TwinMeterConfig = {
        firmware: cfg.meter.build,
        eeprom: cfg.meter.eepromImage ?? cfg.meter.eeprom ?? 'virgin',
        credit: cfg.meter.credit,
        clock: cfg.meter.clock,
        rtc: cfg.meter.rtc ?? 'running',
        relayClosed: cfg.meter.relay === 'closed',
        cover: cfg.meter.cover ?? 'closed',
        // the firmware's calibration registers are exact on the nominal board (models/afe/factory-calibration.ts)
        chip: chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)),
        exactSlow: cfg.exactSlow ?? false,
        ...(cfg.meter.debugLogKeep !== undefined ? { debugLogKeep: cfg.meter.debugLogKeep } : {}),
        ...(cfg.meter.unit ? { firmwareOptions: { meterId: cfg.meter.unit.meterId, accessToken: cfg.meter.unit.accessToken } } : {}),
      };
      const twin = new TwinMeter(this.clock, this.trace, this.rng.fork('meter'), m);
      if (this.#comms) this.#connectTwin(this.#comms, m, twin);
      else if (cfg.network) this.#networkToBuild = { cfg, twinConfig: m, twin };
      this.meter = twin;
      if (cfg.plant.fidelity === 'waveform') {
        const wp = new WaveformPlant({
          grid: { vrms: cfg.plant.grid.vrms, hz: cfg.plant.grid.hz, phaseDeg: 0, harmonics: (cfg.plant.grid.harmonics ?? []).map((h) => ({ order: h.order, percent: h.percent, phaseDeg: h.phaseDeg ?? 0 })) },
          profile: this.profile,
          loads: cfg.plant.loads ?? [],
        });
        this.waveformPlant = wp;
        const noise = this.rng.fork('adc-noise');
        twin.onChipPowered = (chip) => {
          const feed = new WaveformFrontEnd(chip, this.clock, {}, () => noise.next());
          this.#link = new WaveformLink(wp, feed, this.clock);
          this.#link.onBlock = (block, startUs) => this.onWaveformBlock?.(block, startUs);
          this.#link.start();
        };
        twin.onChipUnpowered = () => { this.#link?.stop(); this.#link = null; };
      }
    }
    // Physical couplings of the board to the plant: the relay contact is in series with the loads (its position
    // before the first pulse is the one the meter was built with), and the meter's supply hangs on the terminals.
    this.#setContact(this.meter.observe('relay') === 'closed');
    this.meter.onRelayContact = (closed) => this.#setContact(closed);
    this.plant.onChange = () => this.#pushPins();
    if ((cfg.meter.supply ?? 'mains') === 'mains') {
      const supply = new MeterSupply(this.clock, cfg.meter.supplyConfig ?? {});
      supply.onChange = (up) => this.#supplyChanged(up);
      this.supply = supply;
    } else {
      this.supply = null;
    }
  }

  /** The twin's communications, when the config has a `network` section. */
  get comms(): Comms | null {
    if (this.#networkToBuild) throw new BenchError('this bench builds its communications when it starts (the comms stack was not loaded when it was made): read bench.comms after await bench.start(), or await loadComms() before making the bench');
    return this.#comms;
  }

  #newComms(CommsClass: typeof Comms, cfg: BenchConfig): Comms {
    return new CommsClass(this.clock, this.trace, this.rng.fork('comms'), cfg.network!, { realTime: this.speed !== 'max', backendReplay: fastPathOn(cfg.exactSlow, 'backend-replay'), ...cfg.commsServers, ...(cfg.meter.unit ? { unit: cfg.meter.unit } : {}) });
  }

  /**
   * The SIM800 on the twin's modem UART and the broker's telemetry into the twin's observables. The twin reads its
   * config's modem only when it powers up, so this may come after the twin was made, as long as it is before start.
   */
  #connectTwin(comms: Comms, twinConfig: TwinMeterConfig, twin: TwinMeter): void {
    twinConfig.modem = comms.modem;
    comms.onTelemetry = (values) => Object.assign(twin.telemetry, values);
  }

  #setContact(closed: boolean): void {
    this.#link?.sync();
    this.plant.setContact(closed);
    this.waveformPlant?.setContact(closed);
  }

  #supplyChanged(up: boolean): void {
    if (up) {
      this.meter.powerOn();
      this.#pinsVersion = -1;
      this.#pushPins();
    } else {
      this.meter.powerCut();
    }
  }

  /** The supply sees the terminal voltage after every change of the grid or of the mains at the terminals. */
  #feedSupply(): void {
    this.supply?.setInput(this.plant.terminalVrms());
  }

  get meterKind(): 'twin' | 'board' | 'rig' { return this.meter.kind; }

  now(): number { return this.clock.now(); }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const build = this.#networkToBuild;
    if (build) {
      // The same construction as at once, before anything ran: the comms schedule nothing and emit nothing when
      // built, and their random numbers come from a fork named for them, so the trace is the same either way.
      const comms = this.#newComms(await loadComms(), build.cfg);
      this.#connectTwin(comms, build.twinConfig, build.twin);
      this.#comms = comms;
      this.#networkToBuild = null;
    }
    await this.#comms?.start();
    this.#pushPins();
    if (this.supply) this.#feedSupply();
    else this.meter.powerOn();
    this.trace.emit('bench', 'start', { truth: this.plant.truth() });
    await this.clock.runFor(0);
  }

  #pushPins(): void {
    if (this.plant.version === this.#pinsVersion) return;
    this.#pinsVersion = this.plant.version;
    // At waveform fidelity the chip measures the sampled pins through the link instead.
    if (!this.waveformPlant) this.meter.setPins(this.plant.pinPhasors());
    const t = this.plant.truth();
    this.trace.emit('plant', 'truth', {
      vrms: round(t.vrms, 3), irms: round(t.irms, 4), watts: round(t.watts, 2), pf: round(t.pf, 4), hz: round(t.freqHz, 3),
    });
  }

  async runFor(us: number): Promise<void> {
    if (!(us >= 0)) throw new BenchError(`cannot run for a negative time (${us} us)`);
    await this.#run(this.clock.now() + us);
  }

  async runUntil(predicate: () => boolean, timeoutUs: number): Promise<boolean> {
    if (predicate()) return true;
    await this.#run(this.clock.now() + timeoutUs, predicate);
    return predicate();
  }

  async #run(target: number, stop?: () => boolean): Promise<void> {
    if (this.speed === 'max') {
      await this.clock.runUntil(target, stop);
      return;
    }
    // real time (1) or a multiple of it: virtual time locked to the wall clock (twin/kernel/realtime.ts)
    await runPaced(this.clock, target, this.speed, stop);
  }

  setLoad(spec: LoadSpec): void {
    this.plant.setLoad(spec);
    this.#link?.sync();
    this.waveformPlant?.setLoad(spec);
    this.trace.emit('bench', 'load', spec);
  }

  removeLoad(id: string): void {
    this.plant.removeLoad(id);
    this.#link?.sync();
    this.waveformPlant?.removeLoad(id);
    this.trace.emit('bench', 'load-removed', { id });
  }

  setGrid(change: GridChange): void {
    const { forUs, ...rest } = change;
    // checked before anything changes: a refused step leaves the grid as it was
    if (forUs !== undefined && !(forUs > 0)) throw new BenchError(`grid change duration must be positive, got ${forUs} us`);
    const given = GRID_FIELDS.filter((f) => rest[f] !== undefined);
    const values: Partial<GridValues> = {};
    for (const f of given) (values as Record<GridField, unknown>)[f] = rest[f];
    // recorded before it is applied: the first change takes the grid as it was
    let timed: TimedChange<GridValues> | null = null;
    if (forUs === undefined) this.#grid.lasting(values); else timed = this.#grid.timed(values);
    this.#link?.sync();
    this.plant.applyGrid(rest);
    this.waveformPlant?.applyGrid(rest);
    this.trace.emit('bench', 'grid', change);
    if (this.#started) this.#feedSupply();
    if (timed === null) return;
    // what the change touched goes back, the supply's voltage and outage together (a sag, then a swell before it
    // ended, end with the grid as it was before the sag)
    const touched = GRID_FIELDS.filter((f) => given.includes(f) || ((f === 'vrms' || f === 'outage') && (given.includes('vrms') || given.includes('outage'))));
    this.clock.after(forUs!, () => {
      const revert: GridChange = this.#grid.end(timed, touched);
      this.#link?.sync();
      this.plant.applyGrid(revert);
      this.waveformPlant?.applyGrid(revert);
      this.trace.emit('bench', 'grid', { ...revert, revert: true });
      this.#feedSupply();
    });
  }

  /** The grid as the lasting changes left it: what it will be once the timed changes running now have ended. */
  lastingGrid(): GridValues {
    return this.#grid.lastingNow();
  }

  async pressKeys(keys: readonly KeyName[], timing: KeyTiming = {}): Promise<void> {
    await this.#run(this.queueKeys(keys, timing));
  }

  /**
   * Schedule key presses from now on without running the clock (for drivers that run it themselves, such as the
   * live demo). Returns the virtual time at which the last key has been released and the gap has passed.
   */
  queueKeys(keys: readonly KeyName[], timing: KeyTiming = {}): number {
    const holdMs = timing.holdMs ?? DEFAULT_TIMING.holdMs;
    const gapMs = timing.gapMs ?? DEFAULT_TIMING.gapMs;
    if (!(holdMs > 0) || !(gapMs >= 0)) throw new BenchError('key hold must be > 0 ms and the gap >= 0 ms');
    let t = Math.max(this.clock.now(), this.#keysFreeAt);
    for (const k of keys) {
      this.clock.at(t, () => { this.trace.emit('bench', 'key', { key: k }); this.meter.pressKey(k, holdMs); });
      t += (holdMs + gapMs) * 1000;
    }
    this.#keysFreeAt = t;
    return t;
  }

  /**
   * `power: cut | restore`. From the mains (the default), a cut removes the supply at the meter's terminals: the meter
   * stops at this instant and the loads lose their voltage; a restore gives it back and the meter boots if the grid
   * is there. From an external supply, only the meter is switched.
   */
  power(on: boolean): void {
    if (!this.supply) {
      if (on === this.meter.powered) return;
      this.trace.emit('bench', 'power', { on });
      if (on) this.#supplyChanged(true);
      else this.meter.powerCut();
      return;
    }
    if (on === this.plant.supplied) return;
    this.trace.emit('bench', 'power', { on });
    this.#link?.sync();
    if (!on) this.supply.cut();
    this.plant.setSupplied(on);
    this.waveformPlant?.setSupplied(on);
    if (on) this.#feedSupply();
  }

  tamper(open: boolean): void {
    this.trace.emit('bench', 'tamper', { open });
    this.meter.setCoverOpen(open);
  }

  observe(name: string): unknown { return this.meter.observe(name); }

  /** The EEPROM contents now (a 4096-byte dump), or undefined when the meter under test is not the twin. */
  eepromImage(): Uint8Array | undefined {
    return this.meter instanceof TwinMeter ? this.meter.eeprom.dump() : undefined;
  }

  async close(): Promise<void> {
    if (this.meter.powered) this.meter.powerCut();
    await this.#comms?.close();
  }
}

export function createBench(cfg: BenchConfig): Bench { return new Bench(cfg); }

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
