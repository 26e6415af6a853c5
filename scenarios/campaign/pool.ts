// Runs the jobs of a campaign on worker threads, one job at a time per worker, and returns the records in job order.
// With one worker (or one job, or a bench factory that cannot cross to a thread) the jobs run in this thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Step } from '../schema.ts';
import { slicedBench } from '../../io/interrupt.ts';
import { defaultMakeBench, preloadTwin, runJob, type CampaignJob, type MakeBench, type RunRecord } from './run-job.ts';

/** In this thread with a stop signal: a run yields to the event loop every simulated minute, where a Ctrl-C is seen. */
const STOP_SLICE_US = 60e6;

export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
  /** A bench factory (tests): the jobs then run in this thread, whatever `workers` says. */
  makeBench?: MakeBench;
  /** A job has started (in a worker, or here). */
  onStart?: (job: CampaignJob) => void;
  /** A job has finished. */
  onDone?: (record: RunRecord, job: CampaignJob) => void;
  /** A step of a job running in this thread has started (a worker's steps are not reported). */
  onStep?: (job: CampaignJob, step: Step, text: string, nowUs: number) => void;
  /**
   * Stops the campaign when aborted (Ctrl-C): the workers are ended at once, or, in this thread, no further job
   * starts; `runJobs` then rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/** How many threads a campaign of `jobs` runs on. */
export function workerCount(jobs: number, requested?: number): number {
  return Math.max(1, Math.min(requested ?? availableParallelism(), jobs));
}

/**
 * The worker's entry. On Node 20 `--import tsx` registers its hooks on the main thread only, so a `.ts` worker module
 * fails to load; a one-line evaluated script loads worker.ts through tsx's `tsImport`, which registers them in the
 * worker (as scenarios/accuracy/monte-carlo.ts does).
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})`
  + `.then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  + '.catch((e) => { process.nextTick(() => { throw e; }); });';

export async function runJobs(jobs: readonly CampaignJob[], options: PoolOptions = {}): Promise<RunRecord[]> {
  const records: RunRecord[] = new Array(jobs.length);
  const workers = workerCount(jobs.length, options.workers);
  if (jobs.length === 0) return records;
  if (workers === 1 || options.makeBench) {
    if (!options.makeBench) await preloadTwin();
    const signal = options.signal;
    const make = options.makeBench ?? defaultMakeBench;
    // A stop is seen between two slices of a run (a simulation holds the thread otherwise) and ends it there.
    const makeBench: MakeBench | undefined = signal
      ? async (cfg) => slicedBench(await make(cfg), STOP_SLICE_US, () => signal.throwIfAborted())
      : options.makeBench;
    for (let i = 0; i < jobs.length; i++) {
      signal?.throwIfAborted();
      const job = jobs[i];
      options.onStart?.(job);
      // A job gets its own copy: nothing one run does to its scenario object can reach the next.
      const own = { ...job, scenario: structuredClone(job.scenario) };
      const record = await runJob(own, makeBench, {
        ...(options.onStep ? { onStep: (step: Step, text: string, nowUs: number) => options.onStep!(job, step, text, nowUs) } : {}),
      });
      // A run a stop ended is not a result (runJob makes any error a record): the stop goes on up.
      signal?.throwIfAborted();
      records[i] = record;
      options.onDone?.(record, job);
    }
    return records;
  }
  let next = 0;
  const pool: Worker[] = [];
  const signal = options.signal;
  signal?.throwIfAborted();
  try {
    const all = Promise.all(Array.from({ length: workers }, () => new Promise<void>((resolve, reject) => {
      const w = new Worker(WORKER_BOOT, { eval: true });
      pool.push(w);
      let current: number | undefined;
      const feed = (): void => {
        if (next >= jobs.length) { current = undefined; w.postMessage({ stop: true }); return; }
        current = next++;
        options.onStart?.(jobs[current]);
        w.postMessage({ at: current, job: jobs[current] });
      };
      w.on('message', (msg: { at: number; record: RunRecord }) => {
        records[msg.at] = msg.record;
        options.onDone?.(msg.record, jobs[msg.at]);
        feed();
      });
      w.on('error', (err) => {
        const what = current !== undefined ? ` while running ${jobs[current].scenario.file}` : '';
        reject(new Error(`campaign worker failed${what}: ${err.message}`, { cause: err }));
      });
      w.on('exit', (code) => {
        if (code === 0 && current === undefined) resolve();
        else reject(new Error(`campaign worker exited with code ${code}${current !== undefined ? ` while running ${jobs[current].scenario.file}` : ''}`));
      });
      feed();
    })));
    if (signal) {
      // A stop ends the workers (below), whose exits then reject `all`: that rejection is the stop's, not news.
      all.catch(() => undefined);
      await Promise.race([all, new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      })]);
    } else await all;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return records;
}
