// What every driver of a bench (scenario runner, Node-RED nodes, dashboard) may do with it.
import type { VirtualClock } from './clock.ts';
import type { TraceBus } from './trace.ts';
import type { GridChange, LoadSpec } from './stimuli.ts';
import type { KeyName } from '../meter.ts';
import type { CommsControl } from '../comms/comms.ts';

export interface KeyTiming {
  /** How long each key is held (default 120 ms). */
  holdMs?: number;
  /** Gap between the release of one key and the press of the next (default 180 ms). */
  gapMs?: number;
}

export interface BenchControl {
  readonly clock: VirtualClock;
  readonly trace: TraceBus;
  /** 'twin', 'board' (the firmware twin on a rig board) or 'rig' (the original firmware): twin-only observables are refused on a rig. */
  readonly meterKind: 'twin' | 'board' | 'rig';
  /** Virtual time in microseconds. */
  now(): number;
  /** Boot the meter (power on) and start the plant; call once before the first step. */
  start(): Promise<void>;
  /** Advance virtual time (paced by the bench's speed setting). */
  runFor(us: number): Promise<void>;
  /**
   * Advance until `predicate()` holds (checked after every event and whenever an observable changes) or `timeoutUs`
   * passes. Resolves true if the predicate held.
   */
  runUntil(predicate: () => boolean, timeoutUs: number): Promise<boolean>;
  setLoad(spec: LoadSpec): void;
  removeLoad(id: string): void;
  /** Change the grid now; with `forUs` the change reverts after that long. */
  setGrid(change: GridChange): void;
  /** Type keys with realistic timing; resolves when the last key has been released. */
  pressKeys(keys: readonly KeyName[], timing?: KeyTiming): Promise<void>;
  power(on: boolean): void;
  tamper(open: boolean): void;
  /** Current value of an observable (the names in scenarios/schema.ts), or undefined if this meter cannot observe it. */
  observe(name: string): unknown;
  /** The modem's network and servers (`network:` steps, `topup:` steps); null or absent when the modem is mute. */
  readonly comms?: CommsControl | null;
  /** Stop timers and release resources. */
  close(): Promise<void>;
}
