// One meter of a flow: the Bench an `osm-meter` config node owns, and the rules by which the flow's nodes share it.
//
// Virtual time stands still unless a node asks for it to pass. Stimuli (grid, load, power, cover) act at the
// current virtual instant and take no time; key presses take the time of typing them; `osm-wait` lets a given
// time pass; `osm-expect` with a timeout lets time pass until its checks hold or the timeout is reached. The
// operations of all nodes on one meter run one after the other, in the order their messages reach the meter, so
// a flow gives the same result on every run. Observers (`osm-observe`) see every change while time passes.
//
// On a board target the Bench's meter under test is the hil-rig's RigMeter: the same firmware twin, whose board
// is a johnny-five Board on the emulated Firmata board (in-process, deterministic virtual time) or on a real board
// (serial port, virtual time locked to the wall clock). The rig code is loaded only when a board is used.
import { createBench, loadComms, type Bench, type BenchConfig } from '../../twin/kernel/bench.ts';
import { formatTime } from '../../twin/kernel/clock.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import { readObservable } from '../../scenarios/runner.ts';
import { benchConfigOf, targetText, type BoardTarget, type MeterSetup } from './meter-settings.ts';
import { runYielding } from './yielding-run.ts';

/**
 * A Bench for `cfg`: on the twin (`board` null), or the firmware twin on a rig board (connected and its wiring
 * checked here; it boots at start). Board errors name the target.
 */
export async function openBench(board: BoardTarget | null, cfg: BenchConfig): Promise<Bench> {
  // A flow may send a network message before the meter starts: its comms are built with the bench.
  if (cfg.network) await loadComms();
  if (!board) return createBench(cfg);
  const { createRigBench } = await import('../../hil-rig/rig-bench.ts');
  try {
    return await createRigBench(cfg, { ...board });
  } catch (err) {
    throw new Error(`${targetText({ board })}: ${(err as Error).message}`);
  }
}

export interface Observer {
  /** Observable names in the scenario vocabulary (`relay`, `led.red`, `credit`, `telemetry.<key>`). */
  names: readonly string[];
  /** `change`: every change of a value; `sample`: every value each `periodUs` of virtual time. */
  mode: 'change' | 'sample';
  periodUs?: number;
  onValue(name: string, value: unknown, timeUs: number): void;
}

interface Attached { cancel(): void }

export class MeterSession {
  readonly setup: MeterSetup;
  /** How errors name this meter (the osm-meter node: `osm-meter "bench 1" (id)`). */
  readonly label: string;
  #bench: Bench | null = null;
  #seed: number;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #observers = new Map<Observer, Attached | null>();
  #closed = false;
  /** Called when the meter has been (re)built and booted. */
  onReset: ((seed: number) => void) | null = null;

  constructor(setup: MeterSetup, label = 'osm-meter') {
    this.setup = setup;
    this.label = label;
    this.#seed = setup.seed;
  }

  /** Operations queued or running. */
  get pending(): number { return this.#pending; }
  get seed(): number { return this.#seed; }
  /** What the meter is, for messages (`msg.meter`): flows branch on it, e.g. on a defect being present. */
  info(): { firmware: string; mode: string; defects: string[]; seed: number; target: string } {
    const b = this.setup.meter.build;
    return { firmware: b.profile, mode: b.mode, defects: [...b.defects].sort((a, c) => Number(a.slice(1)) - Number(c.slice(1))), seed: this.#seed, target: targetText(this.setup) };
  }

  /** Virtual time of the meter now (0 before the first operation). */
  now(): number { return this.#bench?.now() ?? 0; }
  nowText(): string { return formatTime(this.now()); }

  /**
   * Run `op` on the bench after every operation queued before it; the meter is built and booted first if needed.
   * An operation that throws rejects its own promise only.
   */
  run<T>(op: (bench: Bench) => Promise<T> | T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the meter has been stopped (the flow was redeployed or stopped)'));
    this.#pending++;
    const p = this.#tail.then(async () => {
      try {
        const bench = await this.#ensure();
        return await op(bench);
      } finally {
        this.#pending--;
      }
    });
    this.#tail = p.catch(() => undefined);
    return p;
  }

  /** Build a fresh meter (new EEPROM, clock at 0) from the settings, with `seed` or the configured one. */
  reset(seed?: number): Promise<number> {
    return this.run(async () => {
      await this.#drop();
      this.#seed = seed ?? this.setup.seed;
      await this.#ensure();
      return this.#seed;
    });
  }

  /**
   * Let `us` of virtual time pass (inside an operation). Stops early when the meter is stopped, so a redeploy does
   * not wait for a long wait to end; at max speed the process gets a turn between slices of the run
   * (yielding-run.ts), so the stop (and everything else the process serves) is not held up until the wait's end.
   */
  async wait(bench: Bench, us: number): Promise<void> {
    await runYielding(bench, () => this.#closed, us);
  }

  /** Run until `predicate` holds or `timeoutUs` passes (inside an operation); stops early when the meter is stopped. */
  async waitUntil(bench: Bench, predicate: () => boolean, timeoutUs: number): Promise<boolean> {
    await runYielding(bench, () => this.#closed || predicate(), timeoutUs);
    return predicate();
  }

  /** True once the flow has stopped the meter. */
  get closed(): boolean { return this.#closed; }

  /** A seeded random source for one node, the same on every run of the flow (forked from the meter's seed). */
  rngFor(label: string): Rng { return new Rng(this.#seed).fork(label); }

  observe(o: Observer): () => void {
    this.#observers.set(o, this.#bench ? this.#attach(o, this.#bench) : null);
    return () => {
      this.#observers.get(o)?.cancel();
      this.#observers.delete(o);
    };
  }

  /** Read observables now (without advancing time). */
  read(names: readonly string[]): Promise<Record<string, unknown>> {
    return this.run((bench) => Object.fromEntries(names.map((n) => [n, readObservable(bench, n)])));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#tail;
    await this.#drop();
    this.#observers.clear();
  }

  /**
   * Run `op` alone on this meter's target, after every queued operation. On a real board the meter's own Bench is
   * closed first, so that the port is free for `op`; the meter is built again (and boots afresh) when a node next
   * uses it. The twin and the emulated board keep their state.
   */
  runAlone<T>(op: () => Promise<T> | T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the meter has been stopped (the flow was redeployed or stopped)'));
    this.#pending++;
    const p = this.#tail.then(async () => {
      try {
        if (this.setup.board?.board === 'johnny-five') await this.#drop();
        return await op();
      } finally {
        this.#pending--;
      }
    });
    this.#tail = p.catch(() => undefined);
    return p;
  }

  async #ensure(): Promise<Bench> {
    if (this.#bench) return this.#bench;
    let bench: Bench;
    try {
      bench = await openBench(this.setup.board, benchConfigOf(this.setup, this.#seed));
    } catch (err) {
      throw new Error(`${this.label}: ${(err as Error).message}`);
    }
    this.#bench = bench;
    for (const o of this.#observers.keys()) this.#observers.set(o, this.#attach(o, bench));
    await bench.start();
    this.onReset?.(this.#seed);
    return bench;
  }

  async #drop(): Promise<void> {
    const bench = this.#bench;
    if (!bench) return;
    for (const [o, a] of this.#observers) { a?.cancel(); this.#observers.set(o, null); }
    this.#bench = null;
    await bench.close();
  }

  #attach(o: Observer, bench: Bench): Attached {
    if (o.mode === 'sample') {
      const period = o.periodUs ?? 1e6;
      const h = bench.clock.every(period, () => {
        for (const n of o.names) o.onValue(n, readObservable(bench, n), bench.now());
      });
      return { cancel: () => h.cancel() };
    }
    const last = new Map<string, unknown>();
    const check = (): void => {
      for (const n of o.names) {
        const v = readObservable(bench, n);
        if (last.has(n) && sameValue(last.get(n), v)) continue;
        last.set(n, v);
        o.onValue(n, v, bench.now());
      }
    };
    const unsubscribe = bench.trace.subscribe(check);
    return { cancel: unsubscribe };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  return false;
}
