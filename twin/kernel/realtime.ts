// Real-time mode: the virtual clock locked to the wall clock. Every event runs when the wall clock reaches its
// virtual time (times `factor`; 1 = real time), so `delay()`, the 20 Hz timer interrupt and every wait of the
// firmware twin follow the wall clock, as they must when the twin drives a real board.
//
// Waiting: a timer to just short of the next event, then a short spin on the event loop (setImmediate) to its exact
// time, since Node's timers fire up to a millisecond or more late. The wait is cut into slices of at most
// `maxSliceMs`, so work that arrives from outside (a board's bytes, a fault) is seen within a slice.
import { performance } from 'node:perf_hooks';
import type { VirtualClock } from './clock.ts';

export interface PacingOptions {
  /** Longest single wait before the clock is looked at again, ms. */
  maxSliceMs?: number;
  /** Spin (instead of sleeping) for the last this-many ms before an event. */
  spinMs?: number;
  /** Wall clock in ms (tests and benchmarks may pass their own). */
  wallMs?: () => number;
}

/** Run `clock` up to `targetUs`, virtual time following wall time × `factor`; stops early when `stop()` holds. */
export async function runPaced(clock: VirtualClock, targetUs: number, factor: number, stop?: () => boolean, opts: PacingOptions = {}): Promise<void> {
  if (!(factor > 0) || !Number.isFinite(factor)) throw new RangeError(`pacing factor must be a positive number, got ${factor}`);
  const wall = opts.wallMs ?? (() => performance.now());
  const maxSlice = opts.maxSliceMs ?? 10;
  const spin = opts.spinMs ?? 1;
  const v0 = clock.now();
  const w0 = wall();
  const wallOf = (v: number): number => w0 + (v - v0) / 1000 / factor;
  for (;;) {
    const nowV = Math.min(targetUs, Math.floor(v0 + (wall() - w0) * 1000 * factor));
    let stopped = false;
    await clock.runUntil(nowV, () => (stopped = !!stop?.()));
    if (stopped || clock.now() >= targetUs) return;
    const next = Math.min(clock.nextEventTime(), targetUs);
    let waitMs = wallOf(next) - wall();
    if (waitMs > maxSlice) waitMs = maxSlice;
    if (waitMs > spin) await new Promise((r) => setTimeout(r, waitMs - spin));
    else if (waitMs > 0) {
      const until = Math.min(wallOf(next), wall() + spin);
      while (wall() < until) await new Promise((r) => setImmediate(r));
    } else {
      await new Promise((r) => setImmediate(r));
    }
  }
}
