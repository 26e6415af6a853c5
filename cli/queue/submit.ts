// The submitting side of a queued campaign (`osm run|accuracy|fleet ... --queue URL`): registers the campaign, puts
// one BullMQ job per chunk on its own queue, follows the jobs until each has completed or finally failed, and returns
// the chunks' results by chunk number, whatever worker ran them and in whatever order they finished. A chunk's
// result is taken once, from the job that completed (a job retried after a killed worker completes once). At the end,
// or on Ctrl-C, the campaign's queue and registration are removed from Redis.
import { hostname } from 'node:os';
import { Queue, type Job } from 'bullmq';
import type { InterruptWatch } from '../../io/interrupt.ts';
import { PROTOCOL_VERSION, type ChunkKind, type JobData } from './protocol.ts';
import { DEFAULT_LOCK_MS, PREFIX, connectedWorkers, newCampaignId, queueName, registerCampaign, touchCampaign, unregisterCampaign } from './registry.ts';
import type { RedisTarget } from './redis-url.ts';
import { checkRedis, connectRedis } from './redis-connect.ts';
import { fromWire, toWire } from '../../io/wire.ts';

export interface QueueRunConfig {
  target: RedisTarget;
  kind: ChunkKind;
  /** The chunks' bodies, in merge order. */
  chunks: readonly unknown[];
  /** A job's lock, ms (default 30 s): a killed worker's job is taken again after about this long. */
  lockMs?: number;
  /** A job's time limit, ms (0 or absent: none). */
  timeLimitMs?: number;
  /** Tries per job when its code fails (a time limit or a malformed job is not retried). Default 2. */
  attempts?: number;
  /** How often Redis is asked how the jobs stand, ms (default 250). */
  pollMs?: number;
  /** Ctrl-C: checked at every look; the campaign is removed from Redis before the InterruptedError is thrown. */
  interrupts?: InterruptWatch;
  /** A chunk's results arrived (once per chunk). */
  onChunk?: (chunk: number, results: unknown[]) => void;
  /** How the work stands: items finished (completed chunks plus the running ones' progress), workers seen. */
  onProgress?: (state: QueueProgress) => void;
  /** Said once when no worker has taken a job after `idleWarnMs` (default 5 s). */
  onNoWorker?: (campaign: string) => void;
  idleWarnMs?: number;
}

export interface QueueProgress {
  campaign: string;
  chunksDone: number;
  chunks: number;
  /** Workers connected to the campaign's queue now. */
  workers: number;
  /** Items finished so far in the running chunks (from their progress). */
  runningItems: number;
  /** The running chunks as their workers last said: items finished, and the simulated time reached (a fleet chunk). */
  running: RunningChunk[];
}

export interface RunningChunk {
  chunk: number;
  /** Items finished. */
  done: number;
  /** Simulated time its items have all reached, µs (a fleet chunk's meters advance together); absent before any. */
  t?: number;
}

export interface FailedChunk {
  chunk: number;
  reason: string;
  /** The items the chunk finished before it failed (a time limit), in item order. */
  partial: unknown[];
}

export interface QueueRunResult {
  campaign: string;
  /** Results per chunk (undefined for a failed chunk). */
  results: Array<unknown[] | undefined>;
  failed: FailedChunk[];
  /** Names of the workers that completed chunks, sorted. */
  workers: string[];
  /** The worker that finished each chunk (its last attempt's), by chunk index. */
  chunkWorkers: Array<string | undefined>;
}

export async function runOnQueue(cfg: QueueRunConfig): Promise<QueueRunResult> {
  await checkRedis(cfg.target, '--queue');
  const redis = connectRedis(cfg.target);
  redis.on('error', () => { /* reconnects */ });
  const id = newCampaignId();
  const queue = new Queue(queueName(id), { connection: redis, prefix: PREFIX });
  queue.on('error', () => { /* reconnects */ });
  const n = cfg.chunks.length;
  const results: Array<unknown[] | undefined> = new Array(n);
  const failed: FailedChunk[] = [];
  const seen = new Set<number>();
  const workers = new Set<string>();
  const chunkWorkers: Array<string | undefined> = new Array(n).fill(undefined);
  try {
    await registerCampaign(redis, {
      id, v: PROTOCOL_VERSION, kind: cfg.kind, lockMs: cfg.lockMs ?? DEFAULT_LOCK_MS, timeLimitMs: cfg.timeLimitMs ?? 0,
      by: `${hostname()}:${process.pid}`,
    });
    await queue.addBulk(cfg.chunks.map((body, chunk) => ({
      name: cfg.kind,
      data: { v: PROTOCOL_VERSION, kind: cfg.kind, chunk, body: toWire(body) } satisfies JobData,
      opts: { jobId: `chunk-${chunk}`, attempts: cfg.attempts ?? 2, removeOnComplete: false, removeOnFail: false },
    })));
    const t0 = performance.now();
    let warned = false;
    while (seen.size < n) {
      await touchCampaign(redis, id);
      cfg.interrupts?.check();
      await new Promise((r) => setTimeout(r, cfg.pollMs ?? 250));
      cfg.interrupts?.check();
      const counts = await queue.getJobCounts('completed', 'failed', 'active');
      if ((counts.completed ?? 0) + (counts.failed ?? 0) > seen.size) {
        for (const state of ['completed', 'failed'] as const) {
          for (const job of await queue.getJobs([state])) {
            if (!job) continue;
            const chunk = Number(String(job.id).replace(/^chunk-/, ''));
            if (!Number.isInteger(chunk) || chunk < 0 || chunk >= n || seen.has(chunk)) continue;
            seen.add(chunk);
            if (job.processedBy) workers.add(job.processedBy);
            chunkWorkers[chunk] = job.processedBy;
            if (state === 'failed') {
              failed.push({ chunk, reason: job.failedReason ?? 'failed', partial: partialOf(job) });
              continue;
            }
            let r: unknown[];
            try { r = fromWire<unknown[]>(String(job.returnvalue)); } catch (err) {
              failed.push({ chunk, reason: `its result is unreadable: ${(err as Error).message}`, partial: [] });
              continue;
            }
            results[chunk] = r;
            cfg.onChunk?.(chunk, r);
          }
        }
      }
      let runningItems = 0;
      const running: RunningChunk[] = [];
      if ((counts.active ?? 0) > 0) {
        for (const job of await queue.getJobs(['active'])) {
          if (!job) continue;
          const chunk = Number(String(job.id).replace(/^chunk-/, ''));
          if (!Number.isInteger(chunk) || chunk < 0 || chunk >= n || seen.has(chunk)) continue;
          const p = job.progress as { done?: unknown; t?: unknown } | undefined;
          const done = p && typeof p.done === 'number' ? p.done : 0;
          runningItems += done;
          running.push({ chunk, done, ...(p && typeof p.t === 'number' ? { t: p.t } : {}) });
        }
      }
      // the workers' own beats, not BullMQ's count of named clients (registry.ts says why)
      const connected = await connectedWorkers(redis, id).catch(() => 0);
      if (!warned && connected === 0 && seen.size === 0 && (counts.active ?? 0) === 0 && performance.now() - t0 > (cfg.idleWarnMs ?? 5000)) {
        warned = true;
        cfg.onNoWorker?.(id);
      }
      cfg.onProgress?.({ campaign: id, chunksDone: seen.size, chunks: n, workers: connected, runningItems, running });
    }
  } finally {
    await cleanUp(queue, redis, id);
  }
  failed.sort((a, b) => a.chunk - b.chunk);
  return { campaign: id, results, failed, workers: [...workers].sort(), chunkWorkers };
}

function partialOf(job: Job): unknown[] {
  const p = job.progress as { partial?: string } | undefined;
  if (!p || typeof p.partial !== 'string') return [];
  try { return fromWire<unknown[]>(p.partial); } catch { return []; }
}

async function cleanUp(queue: Queue, redis: ReturnType<typeof connectRedis>, id: string): Promise<void> {
  try {
    await unregisterCampaign(redis, id);
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
