// The phasor-level plant: the grid, the loads on the meter's output and the board's analog front end, turned into
// the phasor lines at the ATM90E26's pins (AfePinPhasors) and the true line quantities (the reference for accuracy).
//
// The bench applies stimuli (setLoad, removeLoad, applyGrid; it also owns the `forUs` revert), watches `version`
// (or the `onChange` hook) and pushes `pinPhasors()` to the chip when it changes. Phases at the pins are referred to
// the grid fundamental at the source (for order h: minus h x the grid's phase), as models/signals.ts requires.
// The waveform level (models/waveform/waveform-plant.ts) builds on the same parts: `frontEnd` exposes its components,
// `lineVoltage()` and `lineCurrent()` give the line quantities to synthesise.
//
// Two switches sit between the grid and the loads, as on the board: the supply at the meter's terminals (open during
// a power cut: meter and loads see no voltage) and the latching relay's contact, in series with the load side only.
// The meter's own supply and its voltage channel are on the line side of the relay, so an open contact leaves the
// voltage pins as they are and takes every load's current away; loads keep no state at this level, so each draws as
// set again when the contact closes.
import type { AfePinPhasors, Harmonic } from './signals.ts';
import { rmsOf } from './signals.ts';
import { DEFAULT_BOARD_PROFILE, cloneProfile, validateProfile, type BoardProfile } from './board-profile.ts';
import { FrontEnd, type CtDrive } from './frontend/front-end.ts';
import type { Complex } from './frontend/impedance.ts';
import { GridSource, type GridChange, type GridConfig } from './grid/grid-source.ts';
import { powerOf, sumLines, wrapPhase } from './grid/phasor-lines.ts';
import { Load, type LoadSpec } from './loads/load.ts';

export interface PlantConfig {
  /** The supply at the start (defaults: 240 V, 50 Hz, no harmonics). */
  grid?: Partial<GridConfig>;
  /** The board (default: DEFAULT_BOARD_PROFILE, the schematic's values). */
  profile?: BoardProfile;
  /** Loads connected from the start. */
  loads?: LoadSpec[];
}

/** True line quantities at the meter's terminals. */
export interface PlantTruth {
  /** Rms line-to-neutral voltage (all lines), V. */
  vrms: number;
  /** Rms line current (all lines, DC included), A. */
  irms: number;
  /** Real power, W. */
  watts: number;
  /** Reactive power (Budeanu, sum over harmonics; positive lagging), var. */
  vars: number;
  /** Apparent power vrms x irms, VA. */
  va: number;
  /** True power factor watts/va; 0 when there is no apparent power. */
  pf: number;
  /** Fundamental frequency, Hz. */
  freqHz: number;
}

export class Plant {
  readonly grid: GridSource;
  /** Called after every change (load, grid, profile), with the new version already set. */
  onChange: ((plant: Plant) => void) | undefined = undefined;

  #profile: BoardProfile;
  #frontEnd: FrontEnd;
  #loads = new Map<string, Load>();
  #supplied = true;
  #contactClosed = true;
  #version = 0;
  #cache: { version: number; v: Harmonic[]; i: Harmonic[] } | null = null;

  constructor(config: PlantConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new TypeError('plant config must be an object');
    this.grid = new GridSource(config.grid ?? {});
    this.#profile = cloneProfile(validateProfile(config.profile ?? DEFAULT_BOARD_PROFILE));
    this.#frontEnd = new FrontEnd(this.#profile);
    for (const spec of config.loads ?? []) this.#addLoad(spec);
  }

  /** Increments on every change; the bench pushes new pins to the chip when it moves. */
  get version(): number { return this.#version; }

  /** A copy of the board profile in use. */
  get profile(): BoardProfile { return cloneProfile(this.#profile); }

  get frontEnd(): FrontEnd { return this.#frontEnd; }

  /** The loads connected now, in the order they were first connected. */
  loads(): Load[] { return [...this.#loads.values()]; }

  /** Connects a load, or replaces the load of the same id. Returns the load as built. */
  setLoad(spec: LoadSpec): Load {
    const load = this.#addLoad(spec);
    this.#changed();
    return load;
  }

  /** Disconnects the load `id`. */
  removeLoad(id: string): void {
    if (!this.#loads.has(id)) {
      const ids = [...this.#loads.keys()];
      throw new Error(`no load '${String(id)}' to remove (${ids.length ? `connected: ${ids.join(', ')}` : 'no loads are connected'})`);
    }
    this.#loads.delete(id);
    this.#changed();
  }

  /** Changes the supply (the `forUs` revert is the bench's job). */
  applyGrid(change: GridChange): void {
    this.grid.apply(change);
    this.#changed();
  }

  /** True while the supply reaches the meter's terminals (false during a power cut). */
  get supplied(): boolean { return this.#supplied; }

  /** Connects or cuts the supply at the meter's terminals (a power cut: meter and loads lose the voltage). */
  setSupplied(on: boolean): void {
    if (on === this.#supplied) return;
    this.#supplied = on;
    this.#changed();
  }

  /** True while the relay contact connects the loads to the line. */
  get contactClosed(): boolean { return this.#contactClosed; }

  /** The relay contact in series with the loads: open, every load sees no voltage and draws nothing. */
  setContact(closed: boolean): void {
    if (closed === this.#contactClosed) return;
    this.#contactClosed = closed;
    this.#changed();
  }

  /** Rms voltage at the meter's terminals now (0 during an outage or a power cut): what the meter's supply sees. */
  terminalVrms(): number { return rmsOf(this.#lines().v); }

  /** Swaps the board (a what-if from the dashboard or a Monte Carlo unit). */
  setProfile(profile: BoardProfile): void {
    const p = cloneProfile(validateProfile(profile));
    const fe = new FrontEnd(p);
    this.#profile = p;
    this.#frontEnd = fe;
    this.#changed();
  }

  /** Line-to-neutral voltage lines at the meter's terminals (volts rms, phases on the grid's time origin; none while unsupplied). */
  lineVoltage(): Harmonic[] { return this.#lines().v.map((l) => ({ ...l })); }

  /** Line current lines: the sum of all loads' currents (amps rms; order 0 is signed DC; none with the contact open). */
  lineCurrent(): Harmonic[] { return this.#lines().i.map((l) => ({ ...l })); }

  /** The chip's pin signals: V (VP-VN), IN (I2P-I2N, the CT), IL (I1P-I1N: empty unless a shunt is fitted). */
  pinPhasors(): AfePinPhasors {
    const { v, i } = this.#lines();
    const hz = this.grid.hz;
    const phi1 = (this.grid.state.phaseDeg * Math.PI) / 180;
    const fe = this.#frontEnd;
    return {
      freqHz: hz,
      V: toPins(v, hz, phi1, (f) => fe.voltagePin(f)),
      IL: toPins(i, hz, phi1, (f) => fe.currentPinL(f)),
      IN: toPins(i, hz, phi1, (f) => fe.currentPinN(f, ctDriveOf(i, hz))),
    };
  }

  /** The true line quantities: the reference the meter's readings are judged against. */
  truth(): PlantTruth {
    const { v, i } = this.#lines();
    const vrms = rmsOf(v);
    const irms = rmsOf(i);
    const { watts, vars } = powerOf(v, i);
    const va = vrms * irms;
    return { vrms, irms, watts, vars, va, pf: va > 0 ? watts / va : 0, freqHz: this.grid.hz };
  }

  #addLoad(spec: LoadSpec): Load {
    const g = this.grid.state;
    const load = new Load(spec, { vrms: g.vrms, hz: g.hz });
    this.#loads.set(load.id, load);
    return load;
  }

  #changed(): void {
    this.#version++;
    this.#cache = null;
    this.onChange?.(this);
  }

  #lines(): { v: Harmonic[]; i: Harmonic[] } {
    if (this.#cache && this.#cache.version === this.#version) return this.#cache;
    const v = this.#supplied ? this.grid.lineVoltage() : [];
    const hz = this.grid.hz;
    const i = this.#contactClosed && v.length > 0 ? sumLines([...this.#loads.values()].map((l) => l.currents(v, hz))) : [];
    this.#cache = { version: this.#version, v, i };
    return this.#cache;
  }
}

/** What sets a CT's flux in line current `lines` at fundamental `hz`: the fundamental's rms (0 when it has none). */
export function ctDriveOf(lines: readonly Harmonic[], hz: number): CtDrive {
  return { amps: lines.find((l) => l.order === 1)?.rms ?? 0, hz };
}

/**
 * Line quantities through a transfer function, re-referred to the grid fundamental's phase `phi1` (0: as given);
 * zero lines left out.
 */
export function toPins(lines: readonly Harmonic[], hz: number, phi1: number, transfer: (f: number) => Complex): Harmonic[] {
  const out: Harmonic[] = [];
  for (const l of lines) {
    const t = transfer(l.order * hz);
    if (l.order === 0) {
      const dc = l.rms * t.re;
      if (dc !== 0) out.push({ order: 0, rms: dc, phaseRad: 0 });
      continue;
    }
    const mag = Math.hypot(t.re, t.im);
    if (mag === 0) continue;
    out.push({ order: l.order, rms: l.rms * mag, phaseRad: wrapPhase(l.phaseRad + Math.atan2(t.im, t.re) - l.order * phi1) });
  }
  return out;
}
