// The waveform-level plant: grid, loads and the board's front end at the ATM90E26's 8 kHz, as blocks of samples
// (the phasor-level Plant's counterpart, models/plant.ts, with the same stimuli: setLoad, removeLoad, applyGrid,
// setProfile). Each `render(n)` produces the next n samples of the line voltage and current and of the chip's pins
// (AfePinSamples: V, IN, and IL, which is empty while no shunt is fitted: nothing drives I1P/I1N on this board).
//
// A stimulus acts from the next sample rendered; a caller that needs it at an exact time renders up to that time
// first. The voltage source is stiff (no source impedance): loads do not change the voltage. Loads added with a
// LoadSpec are built by loads/load-factory.ts; any other SampleLoad (a CSV profile, a phantom current source) can be
// connected with `addLoad`. The returned arrays are views of internal buffers, valid until the next render.
//
// As at the phasor level, two switches sit between the grid and the loads: the supply at the meter's terminals
// (`setSupplied(false)`: a power cut, 0 V everywhere) and the relay contact in series with the loads only
// (`setContact(false)`: the loads draw nothing, the voltage pins are unchanged). Either acts from the next sample
// rendered. While the loads are disconnected they are not run; when they are connected again, every load built from a
// LoadSpec starts again from its cold state (a kettle's thermostat closed, a motor at standstill, an SMPS's bulk
// capacitor empty), built with the grid of the moment it was first set. Loads added with `addLoad` (a CSV profile)
// carry on with their own time.
import type { AfePinSamples } from '../signals.ts';
import { DEFAULT_BOARD_PROFILE, cloneProfile, validateProfile, type BoardProfile } from '../board-profile.ts';
import type { GridChange, GridConfig } from '../grid/grid-source.ts';
import type { LoadSpec } from '../loads/load.ts';
import type { CtWaveformOptions } from './ct-waveform.ts';
import { checkRate } from './discrete.ts';
import { FrontEndWaveform } from './front-end-waveform.ts';
import { GridWaveform, type GridWaveformOptions } from './grid-waveform.ts';
import { sampleLoadFrom, type SampleLoadOptions } from './loads/load-factory.ts';
import type { SampleContext, SampleLoad } from './loads/sample-load.ts';

export interface WaveformPlantConfig {
  /** The supply at the start (defaults: 240 V, 50 Hz, no harmonics). */
  grid?: Partial<GridConfig>;
  /** Line voltage noise and its seeded source. */
  gridNoise?: Partial<GridWaveformOptions>;
  /** The board (default: DEFAULT_BOARD_PROFILE). */
  profile?: BoardProfile;
  /** Loads connected from the start. */
  loads?: LoadSpec[];
  /** The ATM90E26's sample rate, 8 kHz (DS channel characteristics). */
  sampleRateHz?: number;
  /** Largest block `render` accepts, samples (default 8192, about 1 s). */
  maxBlock?: number;
  /** Options of the CT's saturation model. */
  ct?: Partial<CtWaveformOptions>;
  /** Options of the sample-level load models. */
  loadOptions?: SampleLoadOptions;
}

/** One rendered block (views of the plant's buffers, valid until the next render). */
export interface WaveformBlock {
  /** Index of the block's first sample since the plant was built. */
  firstSample: number;
  /** Line-to-neutral voltage, volts. */
  vLine: Float64Array;
  /** Line current (sum of the loads), amps. */
  iLine: Float64Array;
  /** The chip's pins. */
  pins: AfePinSamples;
}

const EMPTY = new Float64Array(0);

export class WaveformPlant {
  readonly sampleRateHz: number;
  readonly maxBlock: number;
  readonly grid: GridWaveform;
  /** Called after every change (load, grid, profile). */
  onChange: ((plant: WaveformPlant) => void) | undefined = undefined;

  #profile: BoardProfile;
  #frontEnd: FrontEndWaveform;
  readonly #ctOptions: Partial<CtWaveformOptions>;
  readonly #loadOptions: SampleLoadOptions;
  readonly #loads = new Map<string, SampleLoad>();
  /** How each LoadSpec-built load was made, to build it cold again when the loads are reconnected. */
  readonly #made = new Map<string, { spec: LoadSpec; grid: { vrms: number; hz: number } }>();
  #loadList: SampleLoad[] = [];
  #supplied = true;
  #contactClosed = true;
  #sample = 0;
  readonly #v: Float64Array;
  readonly #i: Float64Array;
  readonly #pv: Float64Array;
  readonly #pin: Float64Array;
  readonly #pil: Float64Array;
  readonly #ctx: SampleContext;

  constructor(config: WaveformPlantConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new TypeError('waveform plant config must be an object');
    const fs = config.sampleRateHz ?? 8000;
    checkRate(fs);
    const maxBlock = config.maxBlock ?? 8192;
    if (!Number.isInteger(maxBlock) || maxBlock < 1) throw new RangeError(`waveform plant: maxBlock must be a positive integer, got ${String(maxBlock)}`);
    this.sampleRateHz = fs;
    this.maxBlock = maxBlock;
    this.grid = new GridWaveform(config.grid ?? {}, fs, config.gridNoise ?? {}, maxBlock);
    this.#profile = cloneProfile(validateProfile(config.profile ?? DEFAULT_BOARD_PROFILE));
    this.#ctOptions = { ...(config.ct ?? {}) };
    this.#loadOptions = { ...(config.loadOptions ?? {}) };
    this.#frontEnd = new FrontEndWaveform(this.#profile, fs, this.#ctOptions);
    this.#v = new Float64Array(maxBlock);
    this.#i = new Float64Array(maxBlock);
    this.#pv = new Float64Array(maxBlock);
    this.#pin = new Float64Array(maxBlock);
    this.#pil = new Float64Array(maxBlock);
    this.#ctx = { sampleRateHz: fs, cos1: this.grid.cos1, sin1: this.grid.sin1 };
    for (const spec of config.loads ?? []) this.setLoad(spec);
  }

  get profile(): BoardProfile { return cloneProfile(this.#profile); }
  get frontEnd(): FrontEndWaveform { return this.#frontEnd; }
  /** Samples rendered so far. */
  get sampleIndex(): number { return this.#sample; }
  /** The loads connected now, in the order they were first connected. */
  loads(): SampleLoad[] { return [...this.#loadList]; }

  /** Connects a load built from a scenario LoadSpec (replacing the load of the same id); returns it. */
  setLoad(spec: LoadSpec): SampleLoad {
    const load = this.#build(spec);
    this.#put(load);
    this.#made.set(load.id, { spec, grid: { vrms: this.grid.state.vrms, hz: this.grid.state.hz } });
    this.onChange?.(this);
    return load;
  }

  /** Connects a ready-made sample load (a CSV profile, a phantom current source...), replacing one of the same id. */
  addLoad(load: SampleLoad): void {
    if (load === null || typeof load !== 'object' || typeof load.addCurrent !== 'function' || typeof load.id !== 'string') {
      throw new TypeError('addLoad needs a SampleLoad: an object with an id and addCurrent(v, i, n, ctx)');
    }
    this.#put(load);
    this.#made.delete(load.id);
    this.onChange?.(this);
  }

  removeLoad(id: string): void {
    if (!this.#loads.has(id)) {
      const ids = [...this.#loads.keys()];
      throw new Error(`no load '${String(id)}' to remove (${ids.length ? `connected: ${ids.join(', ')}` : 'no loads are connected'})`);
    }
    this.#loads.delete(id);
    this.#made.delete(id);
    this.#loadList = [...this.#loads.values()];
    this.onChange?.(this);
  }

  /** True while the supply reaches the meter's terminals. */
  get supplied(): boolean { return this.#supplied; }

  /** Connects or cuts the supply at the meter's terminals from the next sample (a power cut: 0 V everywhere). */
  setSupplied(on: boolean): void {
    if (on === this.#supplied) return;
    const before = this.#energised();
    this.#supplied = on;
    this.#switched(before);
  }

  /** True while the relay contact connects the loads. */
  get contactClosed(): boolean { return this.#contactClosed; }

  /** Opens or closes the relay contact in series with the loads, from the next sample. */
  setContact(closed: boolean): void {
    if (closed === this.#contactClosed) return;
    const before = this.#energised();
    this.#contactClosed = closed;
    this.#switched(before);
  }

  #energised(): boolean { return this.#supplied && this.#contactClosed; }

  #switched(wasEnergised: boolean): void {
    if (!wasEnergised && this.#energised()) {
      // reconnected: each LoadSpec load starts again from its cold state
      for (const [id, m] of this.#made) {
        this.#loads.set(id, sampleLoadFrom(m.spec, m.grid, this.sampleRateHz, this.#loadOptions));
      }
      this.#loadList = [...this.#loads.values()];
    }
    this.onChange?.(this);
  }

  /** Changes the supply from the next sample on. */
  applyGrid(change: GridChange): void {
    this.grid.apply(change);
    this.onChange?.(this);
  }

  /** Swaps the board; the new front end starts de-energised (as a board being connected). */
  setProfile(profile: BoardProfile): void {
    const p = cloneProfile(validateProfile(profile));
    this.#frontEnd = new FrontEndWaveform(p, this.sampleRateHz, this.#ctOptions);
    this.#profile = p;
    this.onChange?.(this);
  }

  /** Renders the next `n` samples (1..maxBlock). */
  render(n: number): WaveformBlock {
    if (!Number.isInteger(n) || n < 1 || n > this.maxBlock) {
      throw new RangeError(`waveform plant: a block must be 1 to ${this.maxBlock} samples, got ${String(n)}`);
    }
    const v = this.#v;
    const i = this.#i;
    this.grid.render(v, n);
    if (!this.#supplied) v.fill(0, 0, n);
    i.fill(0, 0, n);
    if (this.#supplied && this.#contactClosed) {
      const loads = this.#loadList;
      for (let k = 0; k < loads.length; k++) loads[k].addCurrent(v, i, n, this.#ctx);
    }
    const fe = this.#frontEnd;
    fe.process(v, i, this.#pv, this.#pin, this.#pil, n);
    const first = this.#sample;
    this.#sample += n;
    return {
      firstSample: first,
      vLine: v.subarray(0, n),
      iLine: i.subarray(0, n),
      pins: {
        sampleRateHz: this.sampleRateHz,
        V: this.#pv.subarray(0, n),
        IN: this.#pin.subarray(0, n),
        IL: fe.shunt ? this.#pil.subarray(0, n) : EMPTY,
      },
    };
  }

  #build(spec: LoadSpec): SampleLoad {
    const g = this.grid.state;
    return sampleLoadFrom(spec, { vrms: g.vrms, hz: g.hz }, this.sampleRateHz, this.#loadOptions);
  }

  #put(load: SampleLoad): void {
    this.#loads.set(load.id, load);
    this.#loadList = [...this.#loads.values()];
  }
}
