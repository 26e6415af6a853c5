// Ctrl-C (SIGINT) and SIGTERM during a long command: the first signal asks the work to stop at its next slice (the
// command then finishes what it has written, says so, and exits 130 / 143); a second one ends the process at once
// (open output streams are aborted by their exit hook, so no temporary file stays).
import type { BenchControl } from '../twin/kernel/bench-types.ts';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** The exit code of a command stopped by a signal: 128 + the signal number. */
export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Thrown into the work when a stop was asked for. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}`);
  }
}

export interface InterruptWatch {
  /** The first signal received, if any. */
  readonly signal: StopSignal | undefined;
  /** Throw an InterruptedError if a signal was received. */
  check(): void;
  /** Remove the handlers (default behaviour again). */
  dispose(): void;
}

/** Catch SIGINT and SIGTERM until `dispose()`. `onFirst` runs when the first one arrives (e.g. to say "stopping"). */
export function watchInterrupts(onFirst?: (signal: StopSignal) => void): InterruptWatch {
  let got: StopSignal | undefined;
  const handler = (signal: StopSignal): void => {
    if (got !== undefined) process.exit(SIGNAL_EXIT[signal]);
    got = signal;
    onFirst?.(signal);
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get signal() { return got; },
    check() { if (got !== undefined) throw new InterruptedError(got); },
    dispose() { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); },
  };
}

/**
 * A bench whose runFor and runUntil advance in slices of `sliceUs` simulated time and yield to the event loop between
 * them, so that signals are handled and progress can be shown however long a delay is. The events and their order
 * are those of one long run (a slice ends between events). `onSlice` runs after every slice; it may throw (an
 * InterruptedError) to stop the run.
 */
export function slicedBench<B extends BenchControl>(bench: B, sliceUs: number, onSlice: (nowUs: number) => void): B {
  const yieldLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
  const runFor = async (us: number): Promise<void> => {
    if (!(us >= 0)) return bench.runFor(us);
    const end = bench.now() + us;
    for (;;) {
      const left = end - bench.now();
      if (left <= sliceUs) { await bench.runFor(left); break; }
      await bench.runFor(sliceUs);
      onSlice(bench.now());
      await yieldLoop();
      onSlice(bench.now());
    }
  };
  const runUntil = async (predicate: () => boolean, timeoutUs: number): Promise<boolean> => {
    const end = bench.now() + timeoutUs;
    for (;;) {
      const left = end - bench.now();
      if (left <= sliceUs) return bench.runUntil(predicate, left);
      if (await bench.runUntil(predicate, sliceUs)) return true;
      onSlice(bench.now());
      await yieldLoop();
      onSlice(bench.now());
    }
  };
  return new Proxy(bench, {
    get(target, prop) {
      if (prop === 'runFor') return runFor;
      if (prop === 'runUntil') return runUntil;
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
