// Runs chunks of work in a worker thread (chunk-thread.ts), one at a time, with a time limit: past it the thread is
// stopped and the chunk fails with the items it had finished. The thread is kept between chunks (the simulator loads
// once) and started anew after a time limit or a crash.
import { Worker } from 'node:worker_threads';
import type { ChunkKind } from './protocol.ts';
import { fromWire } from '../../io/wire.ts';
import { plural } from '../../io/plural.ts';

/** A chunk stopped at its time limit, with the results of the items it had finished (in item order). */
export class TimeLimitError extends Error {
  override readonly name = 'TimeLimitError';
  constructor(readonly limitMs: number, readonly partial: unknown[], readonly items: number) {
    super(`time limit of ${formatSeconds(limitMs)} exceeded after ${partial.length} of ${plural(items, 'item')}; their results are kept`);
  }
}

/** The chunk's code failed (the thread's error, with its stack). */
export class ChunkError extends Error {
  override readonly name = 'ChunkError';
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * On Node 20 `--import tsx` registers its hooks on the main thread only, so a `.ts` worker module fails to load; a
 * one-line evaluated script loads chunk-thread.ts through tsx's `tsImport` (as scenarios/campaign/pool.ts does).
 */
const THREAD_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})`
  + `.then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./chunk-thread.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  + '.catch((e) => { process.nextTick(() => { throw e; }); });';

export interface RunChunkOptions {
  /** Stop the chunk after this many ms of running (0 or absent: no limit). */
  timeLimitMs?: number;
  /** An item finished: (its index in the chunk, its result). */
  onItem?: (i: number, result: unknown) => void;
  /** The chunk's own progress, as its runner reports it (a fleet chunk: the simulated time its meters reached). */
  onProgress?: (progress: unknown) => void;
}

export class ChunkRunner {
  #thread: Worker | undefined;
  #ready: Promise<Worker> | undefined;

  /** Start the thread (and load the simulator) now rather than with the first chunk. */
  warm(): Promise<void> {
    return this.#get().then(() => undefined);
  }

  #get(): Promise<Worker> {
    if (this.#ready) return this.#ready;
    const w = new Worker(THREAD_BOOT, { eval: true });
    this.#thread = w;
    this.#ready = new Promise<Worker>((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }): void => { if (m.ready) { w.off('message', onMsg); w.off('error', onErr); resolve(w); } };
      const onErr = (e: Error): void => { this.#drop(); reject(new ChunkError(`the worker thread did not start: ${e.message}`)); };
      w.on('message', onMsg);
      w.once('error', onErr);
    });
    return this.#ready;
  }

  #drop(): void {
    const w = this.#thread;
    this.#thread = undefined;
    this.#ready = undefined;
    if (w) void w.terminate();
  }

  /** Run one chunk; resolves to the results in item order. */
  async run(kind: ChunkKind, bodyWire: string, items: number, options: RunChunkOptions = {}): Promise<unknown[]> {
    const w = await this.#get();
    const results: unknown[] = [];
    return new Promise<unknown[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
        w.off('exit', onExit);
      };
      const onMsg = (m: { i?: number; result?: string; done?: boolean; error?: string; progress?: unknown }): void => {
        if (m.progress !== undefined) options.onProgress?.(m.progress);
        else if (m.i !== undefined) {
          const r = fromWire(m.result!);
          results[m.i] = r;
          options.onItem?.(m.i, r);
        } else if (m.done) {
          finish();
          resolve(results);
        } else if (m.error !== undefined) {
          finish();
          reject(new ChunkError(m.error));
        }
      };
      const onErr = (e: Error): void => { finish(); this.#drop(); reject(new ChunkError(`the worker thread failed: ${e.stack ?? e.message}`)); };
      const onExit = (code: number): void => { finish(); this.#drop(); reject(new ChunkError(`the worker thread exited with code ${code}`)); };
      w.on('message', onMsg);
      w.once('error', onErr);
      w.once('exit', onExit);
      if (options.timeLimitMs) {
        timer = setTimeout(() => {
          finish();
          this.#drop();
          const partial: unknown[] = [];
          for (let i = 0; i < items && results[i] !== undefined; i++) partial.push(results[i]);
          reject(new TimeLimitError(options.timeLimitMs!, partial, items));
        }, options.timeLimitMs);
      }
      w.postMessage({ kind, body: bodyWire });
    });
  }

  async close(): Promise<void> {
    const w = this.#thread;
    this.#thread = undefined;
    this.#ready = undefined;
    if (w) await w.terminate();
  }
}
