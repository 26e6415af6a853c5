// Letting virtual time pass in a flow without holding up the process the flow shares.
//
// At `max` speed a bench's clock runs event after event on promise callbacks alone, so a long osm-wait or osm-expect
// would keep every other task of the Node.js process waiting until it ends: a deploy or stop from the Node-RED
// editor or its admin API, the dashboard and the loopback servers `osm serve` runs beside Node-RED, the wall-clock
// limit of `osm flow run --timeout`, Ctrl-C. Here such a run is cut into slices of about `SLICE_MS` of wall time,
// with a turn of the event loop between them. A slice ends after an event, as a stop condition ends a run, and the
// next slice goes on from that event: the meter sees the same events at the same virtual times as in one run.
import type { BenchControl } from '../../twin/kernel/bench-types.ts';

/** Wall time a slice of a run may take before the rest of the process gets a turn (ms). */
export const SLICE_MS = 50;

export interface SliceOptions {
  /** Wall time per slice, ms (default SLICE_MS). */
  sliceMs?: number;
  /** The wall clock, ms (default performance.now). */
  wallMs?: () => number;
}

/**
 * Run `bench` until `stop()` holds (looked at after every event, as `bench.runUntil` does) or `durationUs` of virtual
 * time has passed, giving the event loop a turn about every `sliceMs` of wall time. Resolves `stop()` at the end.
 * A bench paced at a multiple of real time (`speed` a number) already waits on timers between its steps and keeps
 * its pace from where its run began: it runs in one piece.
 */
export async function runYielding(
  bench: Pick<BenchControl, 'runUntil' | 'now'> & { readonly speed?: 'max' | number },
  stop: () => boolean, durationUs: number, options: SliceOptions = {},
): Promise<boolean> {
  if (typeof bench.speed === 'number') {
    await bench.runUntil(stop, durationUs);
    return stop();
  }
  const sliceMs = options.sliceMs ?? SLICE_MS;
  const wallMs = options.wallMs ?? (() => performance.now());
  const endUs = bench.now() + durationUs;
  for (;;) {
    const sliceEnd = wallMs() + sliceMs;
    let sliced = false;
    let calls = 0;
    await bench.runUntil(() => {
      if (sliced) return true;
      if (stop()) return true;
      // the first look comes before any event (a bench looks before it runs): every slice runs at least one event
      if (++calls > 1) sliced = wallMs() >= sliceEnd;
      return sliced;
    }, Math.max(0, endUs - bench.now()));
    if (!sliced || stop()) return stop();
    // Cut at the end time (a bench looks once more after its run, event or not): what is left are the events due at
    // that very instant, which one run would have taken too; take them without looking at the wall clock.
    if (bench.now() >= endUs) {
      await bench.runUntil(stop, 0);
      return stop();
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
