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
  /**
   * `detail`: where the work stopped and what was (not) written, for the one line the dispatcher prints
   * (`osm <command>: stopped by SIGINT: <detail>`, exit 130 / 143).
   */
  constructor(readonly signal: StopSignal, readonly detail?: string) {
    super(`interrupted by ${signal}${detail ? `: ${detail}` : ''}`);
  }
}

export interface InterruptWatch {
  /** The first signal received, if any. */
  readonly signal: StopSignal | undefined;
  /** Throw an InterruptedError if a signal was received. */
  check(): void;
  /** Remove the handlers (default behaviour again). */
  dispose(): void;
  /** Aborted at the first signal, with an InterruptedError as its reason (for worker pools and waits). */
  readonly abortSignal: AbortSignal;
}

/** Catch SIGINT and SIGTERM until `dispose()`. `onFirst` runs when the first one arrives (e.g. to say "stopping"). */
export function watchInterrupts(onFirst?: (signal: StopSignal) => void): InterruptWatch {
  let got: StopSignal | undefined;
  const abort = new AbortController();
  const handler = (signal: StopSignal): void => {
    if (got !== undefined) process.exit(SIGNAL_EXIT[signal]);
    got = signal;
    onFirst?.(signal);
    abort.abort(new InterruptedError(signal));
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get signal() { return got; },
    check() { if (got !== undefined) throw new InterruptedError(got); },
    dispose() { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); },
    abortSignal: abort.signal,
  };
}

/**
 * Let the event loop run once (a signal is delivered there, never while work only chains promises), then throw an
 * InterruptedError if a stop was asked for. Long commands call it between their units of work (points, phases).
 */
export async function checkpoint(watch: InterruptWatch): Promise<void> {
  await new Promise<void>((r) => setImmediate(r));
  watch.check();
}

/** `work` with SIGINT and SIGTERM caught until it settles (see watchInterrupts). */
export async function withInterrupts<T>(work: (watch: InterruptWatch) => Promise<T>): Promise<T> {
  const watch = watchInterrupts();
  try {
    return await work(watch);
  } finally {
    watch.dispose();
  }
}

/**
 * A bench whose runFor and runUntil advance in slices of `sliceUs` simulated time and yield to the event loop between
 * them, so that signals are handled and progress can be shown however long a delay is. The events and their order
 * are those of one long run (a slice ends between events). `onSlice` runs after every slice; it may throw (an
 * InterruptedError) to stop the run.
 */
export function slicedBench<B extends BenchControl>(bench: B, sliceUs: number, onSlice: (nowUs: number) => void): B {
  // The clock's time at the last yield: many short runs (a replay's lines seconds apart, short steps) add up to a
  // slice too, so a Ctrl-C is seen however the time is cut into calls.
  let yieldedAt = bench.now();
  const yieldLoop = async (): Promise<void> => {
    onSlice(bench.now());
    await new Promise((r) => setImmediate(r));
    onSlice(bench.now());
    yieldedAt = bench.now();
  };
  const runFor = async (us: number): Promise<void> => {
    if (!(us >= 0)) return bench.runFor(us);
    const end = bench.now() + us;
    for (;;) {
      const left = end - bench.now();
      if (left <= sliceUs) { await bench.runFor(left); break; }
      await bench.runFor(sliceUs);
      await yieldLoop();
    }
    if (bench.now() - yieldedAt >= sliceUs) await yieldLoop();
  };
  const runUntil = async (predicate: () => boolean, timeoutUs: number): Promise<boolean> => {
    const end = bench.now() + timeoutUs;
    for (;;) {
      const left = end - bench.now();
      if (left <= sliceUs) {
        const held = await bench.runUntil(predicate, left);
        if (bench.now() - yieldedAt >= sliceUs) await yieldLoop();
        return held;
      }
      if (await bench.runUntil(predicate, sliceUs)) return true;
      await yieldLoop();
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
