// `osm accuracy --monte-carlo N --queue URL`: the draw split into jobs of consecutive unit indices, run by `osm
// worker`s, and aggregated over the units in index order, exactly as the local run aggregates them (unit i is drawn
// from its own generator), so the yield report is byte for byte the local one.
import { aggregate, type MonteCarloJob, type MonteCarloResult, type UnitOutcome } from '../../scenarios/accuracy/monte-carlo.ts';
import { watchInterrupts } from '../../io/interrupt.ts';
import type { CliIo } from '../command.ts';
import { chunkRanges, type QueueArgs } from './queue-options.ts';
import { runOnQueue, type FailedChunk } from './submit.ts';
import { plural } from '../../io/plural.ts';

/** Units per job unless --chunk says: a unit's suite takes about a second, a job's overhead a few ms. */
export const DEFAULT_UNITS_PER_JOB = 8;

export interface MonteCarloQueueResult {
  result: MonteCarloResult;
  /** Jobs that failed, with the units they had finished (those are in the result). */
  failed: FailedChunk[];
  workers: string[];
  /** The worker that finished each job, by job index. */
  chunkWorkers: Array<string | undefined>;
}

export async function runMonteCarloOnQueue(job: MonteCarloJob, q: QueueArgs,
  opts: { io: CliIo; quiet: boolean; onProgress?: (doneUnits: number) => void }): Promise<MonteCarloQueueResult> {
  const ranges = chunkRanges(job.units, q.chunk ?? DEFAULT_UNITS_PER_JOB);
  let completed = 0;
  const interrupts = watchInterrupts();
  try {
    const r = await runOnQueue({
      target: q.target, kind: 'monte-carlo', chunks: ranges.map((range) => ({ job, ...range })),
      ...(q.lockMs !== undefined ? { lockMs: q.lockMs } : {}),
      ...(q.timeLimitMs !== undefined ? { timeLimitMs: q.timeLimitMs } : {}),
      interrupts,
      onChunk: (_c, results) => { completed += results.length; },
      onProgress: (p) => opts.onProgress?.(completed + p.runningItems),
      onNoWorker: (id) => {
        if (!opts.quiet) opts.io.stderr.write(`osm accuracy: queue ${id}: no worker has taken a job yet; start some with: osm worker --redis ${q.target.shown}\n`);
      },
    });
    const outcomes: UnitOutcome[] = [];
    r.results.forEach((chunk, i) => {
      const got = (chunk ?? r.failed.find((f) => f.chunk === i)?.partial ?? []) as UnitOutcome[];
      outcomes.push(...got);
    });
    for (const f of r.failed) {
      const range = ranges[f.chunk];
      opts.io.stderr.write(`osm accuracy: job ${f.chunk} (units ${range.from}..${range.to - 1}) failed: ${f.reason.split('\n')[0]}`
        + ` (${f.partial.length} of its ${plural(range.to - range.from, 'unit')} ${f.partial.length === 1 ? 'is' : 'are'} in the result)\n`);
    }
    if (outcomes.length === 0) throw new Error('every job of the Monte Carlo draw failed; no unit to report');
    return { result: aggregate(job, outcomes), failed: r.failed, workers: r.workers, chunkWorkers: r.chunkWorkers };
  } finally {
    interrupts.dispose();
  }
}
