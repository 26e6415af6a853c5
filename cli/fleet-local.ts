// A fleet run on this machine (`osm fleet` without --queue): its meters split into chunks (`chunk` meters each,
// default 50), the chunks run on `workers` worker threads (default: every core, at most one per chunk), each thread one
// chunk at a time, and the outcomes merged by meter index. A thread's chunk shares a top-up backend and a broker of its
// own, in that thread, and relays its meters' telemetry over MQTT to `brokerUrl` under each meter's token (the fleet's
// embedded broker on a loopback port, or a real one): all the fleet's telemetry reaches one broker, whatever the
// threads. With one worker the chunks run in this thread, one after the other, on the given `servers` (the embedded
// broker and backend themselves: the meters' modems publish straight into it) or relayed to `brokerUrl`.
//
// A meter's outcome depends only on the fleet spec and its index (the chunk it runs in, its thread and the other
// meters of its chunk change nothing), so the report is byte for byte the same whatever `workers` and `chunk`. A chunk
// of a few dozen meters also keeps a thread's memory and its share of the processor's caches small: a thousand meters
// in one chunk cost more per meter than the same meters in chunks of fifty.
import { availableParallelism } from 'node:os';
import type { FleetServers, FleetSpec, MeterOutcome } from '../scenarios/fleet/fleet.ts';
import { chunkRanges } from './queue/queue-options.ts';

/** Meters per chunk by default. */
export const FLEET_CHUNK_DEFAULT = 50;

export interface LocalFleetOptions {
  /** Worker threads (default: the cores, at most one per chunk). 1: the chunks run in this thread. */
  workers?: number;
  /** Meters per chunk (default FLEET_CHUNK_DEFAULT). */
  chunk?: number;
  /** Relay every meter's telemetry to this broker (mqtt://host:port); needed with more than one worker. */
  brokerUrl?: string;
  /** One worker: the servers the meters share (the embedded broker and backend); telemetry then is not relayed. */
  servers?: FleetServers;
  /** Progress: meter-µs simulated so far (summed over the meters), meters finished, chunks running. */
  onProgress?: (p: LocalFleetProgress) => void;
  /**
   * Stops the fleet when aborted (Ctrl-C): the worker threads are ended at once, or, in this thread, the chunk at its
   * next block of slices; `runFleetLocal` then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

export interface LocalFleetProgress {
  /** Simulated time summed over the meters, µs. */
  meterUs: number;
  metersDone: number;
  chunksDone: number;
  chunks: number;
  workers: number;
}

/** How many threads a fleet of `meters` in chunks of `chunk` runs on. */
export function fleetWorkers(meters: number, chunk: number, requested?: number): number {
  return Math.max(1, Math.min(requested ?? availableParallelism(), Math.ceil(meters / chunk)));
}

export async function runFleetLocal(spec: FleetSpec, options: LocalFleetOptions = {}): Promise<MeterOutcome[]> {
  const chunk = options.chunk ?? FLEET_CHUNK_DEFAULT;
  const ranges = chunkRanges(spec.meters, chunk);
  const workers = fleetWorkers(spec.meters, chunk, options.workers);
  const results: MeterOutcome[][] = new Array(ranges.length);
  const reached = new Array<number>(ranges.length).fill(0);
  let chunksDone = 0;
  let metersDone = 0;
  const report = (): void => {
    let meterUs = 0;
    ranges.forEach((r, k) => { meterUs += (r.to - r.from) * reached[k]; });
    options.onProgress?.({ meterUs, metersDone, chunksDone, chunks: ranges.length, workers });
  };
  const finished = (k: number, outcomes: MeterOutcome[]): void => {
    results[k] = outcomes;
    reached[k] = spec.durationUs;
    chunksDone++;
    metersDone += ranges[k].to - ranges[k].from;
    report();
  };

  if (workers === 1) {
    if (!options.servers && !options.brokerUrl) throw new RangeError('a local fleet needs the servers its meters share or a broker to relay to');
    const { runFleetChunk } = await import('../scenarios/fleet/fleet-chunk.ts');
    const signal = options.signal;
    for (let k = 0; k < ranges.length; k++) {
      signal?.throwIfAborted();
      const outcomes = await runFleetChunk({ spec, ...ranges[k], ...(options.servers ? {} : { brokerUrl: options.brokerUrl }) }, () => {}, {
        onSlice: signal
          ? async (t) => {
            reached[k] = t;
            report();
            // The simulation holds this thread: a signal is only delivered when the event loop turns.
            await new Promise<void>((r) => setImmediate(r));
            signal.throwIfAborted();
          }
          : (t) => { reached[k] = t; report(); },
      }, options.servers);
      finished(k, outcomes);
    }
    return results.flat();
  }

  if (!options.brokerUrl) throw new RangeError('a fleet on several threads relays its telemetry: give the broker\'s URL');
  const { ChunkRunner } = await import('./queue/chunk-runner.ts');
  const { toWire } = await import('../io/wire.ts');
  const runners = Array.from({ length: workers }, () => new ChunkRunner());
  let next = 0;
  const signal = options.signal;
  signal?.throwIfAborted();
  try {
    const all = Promise.all(runners.map(async (runner) => {
      for (let k = next++; k < ranges.length; k = next++) {
        const r = ranges[k];
        const body = toWire({ spec, from: r.from, to: r.to, brokerUrl: options.brokerUrl });
        const outcomes = await runner.run('fleet', body, r.to - r.from, {
          onProgress: (p) => {
            const t = (p as { t?: number }).t;
            if (t !== undefined) { reached[k] = t; report(); }
          },
        });
        finished(k, outcomes as MeterOutcome[]);
      }
    }));
    if (signal) {
      // A stop closes the runners (below), whose ended threads then reject `all`: that rejection is the stop's.
      all.catch(() => undefined);
      await Promise.race([all, new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      })]);
    } else await all;
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  return results.flat();
}
