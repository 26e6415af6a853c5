// The work loop of `osm worker`: watches the campaigns registered on a Redis, takes jobs from each campaign's queue
// (BullMQ), runs one chunk at a time in a worker thread (chunk-runner.ts) and stores its result in the job. A job
// that is not well formed fails with the reason, unrun; a job past its campaign's time limit fails with the results
// of the items it finished; a worker killed mid-job holds a lock that expires, and BullMQ's stalled-job check moves
// the job back to the queue for another worker (its result is stored once, by whoever completes it).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ChunkRunner, TimeLimitError, formatSeconds } from './chunk-runner.ts';
import { MalformedJobError, PROTOCOL_VERSION, decodeJob } from './protocol.ts';
import { PREFIX, beatWorker, leaveCampaign, listCampaigns, queueName, type CampaignMeta } from './registry.ts';
import type { RedisTarget } from './redis-url.ts';
import { connectRedis } from './redis-connect.ts';
import { toWire } from '../../io/wire.ts';
import { plural } from '../../io/plural.ts';

export interface QueueWorkerConfig {
  target: RedisTarget;
  /** Shown in the jobs it runs (default host:pid). */
  name?: string;
  /** How often the registered campaigns are looked at, ms (default 1000). */
  pollMs?: number;
  /** One line per event (a campaign seen, a job done or failed). */
  log?: (line: string) => void;
}

/** One job slot per process: the simulator is CPU-bound, a second job at once would only halve both. */
class Slot {
  #busy = false;
  #waiting: Array<() => void> = [];
  async acquire(): Promise<void> {
    if (!this.#busy) { this.#busy = true; return; }
    await new Promise<void>((r) => this.#waiting.push(r));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next(); else this.#busy = false;
  }
}

export class QueueWorker {
  readonly name: string;
  /** How this worker counts itself among a campaign's workers: its name and a random tag (names may repeat). */
  readonly #member: string;
  readonly #cfg: QueueWorkerConfig;
  readonly #redis: Redis;
  readonly #runner = new ChunkRunner();
  readonly #slot = new Slot();
  readonly #workers = new Map<string, { worker: Worker; connection: Redis }>();
  readonly #refused = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  /** The look for campaigns running now (close waits for it). */
  #polling: Promise<void> | null = null;
  /** Check-ins on their way (close waits for them before leaving, so none lands after). */
  readonly #beats = new Set<Promise<void>>();
  /** Jobs this worker completed and failed. */
  completed = 0;
  failed = 0;
  /** The job running now: its campaign, its id, and how long its lock outlives this worker, ms. */
  #inHand: { campaign: string; job: string; lockMs: number } | undefined;

  constructor(cfg: QueueWorkerConfig) {
    this.#cfg = cfg;
    this.name = cfg.name ?? `${hostname()}:${process.pid}`;
    this.#member = `${this.name} ${randomBytes(4).toString('hex')}`;
    this.#redis = connectRedis(cfg.target);
    this.#redis.on('error', () => { /* ioredis reconnects; BullMQ reports lasting trouble on its workers */ });
  }

  /** The job running now, if any (what a worker stopped at once leaves to another worker). */
  get inHand(): { campaign: string; job: string; lockMs: number } | undefined {
    return this.#inHand;
  }

  #log(line: string): void {
    this.#cfg.log?.(line);
  }

  /** Load the simulator and start watching for campaigns. */
  async start(): Promise<void> {
    await this.#runner.warm();
    await this.#poll();
    const loop = (): void => {
      this.#timer = setTimeout(() => {
        this.#polling = this.#poll().finally(() => { this.#polling = null; if (!this.#closing) loop(); });
      }, this.#cfg.pollMs ?? 1000);
    };
    loop();
  }

  async #poll(): Promise<void> {
    if (this.#closing) return;
    let campaigns: CampaignMeta[];
    try { campaigns = await listCampaigns(this.#redis); } catch { return; }
    if (this.#closing) return; // closed meanwhile: no campaign is taken up or checked in to any more
    const live = new Set(campaigns.map((c) => c.id));
    for (const c of campaigns) {
      if (this.#workers.has(c.id) || this.#refused.has(c.id)) continue;
      if (c.v !== PROTOCOL_VERSION) {
        this.#refused.add(c.id);
        this.#log(`campaign ${c.id} from ${c.by} uses job format ${c.v}; this worker reads ${PROTOCOL_VERSION}: not taking its jobs`);
        continue;
      }
      this.#workers.set(c.id, this.#open(c));
      this.#log(`campaign ${c.id} (${c.kind}) from ${c.by}: taking jobs`);
    }
    for (const [id, w] of this.#workers) {
      if (live.has(id)) continue;
      this.#workers.delete(id);
      void w.worker.close().finally(() => w.connection.disconnect());
      void leaveCampaign(this.#redis, id, this.#member).catch(() => { /* the campaign's key expires */ });
      this.#log(`campaign ${id}: finished`);
    }
    // Counted among each campaign's workers (the submitter's progress line), between jobs as during one.
    await Promise.all([...this.#workers.keys()].map((id) => this.#beat(id)));
  }

  /** Check in with campaign `id` (counted among its workers); a failed beat waits for the next. */
  #beat(id: string): Promise<void> {
    const p = beatWorker(this.#redis, id, this.#member).catch(() => { /* next beat */ }).finally(() => { this.#beats.delete(p); });
    this.#beats.add(p);
    return p;
  }

  #open(c: CampaignMeta): { worker: Worker; connection: Redis } {
    // A connection of its own (BullMQ leaves a connection it is given open: it is closed with the campaign).
    const connection = this.#redis.duplicate();
    connection.on('error', () => { /* reconnects */ });
    const w = new Worker(queueName(c.id), (job, token) => this.#process(c, job, token), {
      connection,
      prefix: PREFIX,
      name: this.name,
      concurrency: 1,
      lockDuration: c.lockMs,
      stalledInterval: c.lockMs,
      maxStalledCount: 2,
      removeOnComplete: { count: 1_000_000 },
      removeOnFail: { count: 1_000_000 },
    });
    w.on('error', () => { /* connection trouble: BullMQ retries */ });
    w.on('failed', (job, err) => {
      this.failed++;
      this.#log(`campaign ${c.id}: job ${job?.id ?? '?'} failed: ${err.message.split('\n')[0]}`);
    });
    return { worker: w, connection };
  }

  async #process(c: CampaignMeta, job: Job, _token?: string): Promise<string> {
    let decoded;
    try { decoded = decodeJob(job.data); } catch (err) {
      if (err instanceof MalformedJobError) throw new UnrecoverableError(err.message);
      throw err;
    }
    await this.#slot.acquire();
    const t0 = performance.now();
    this.#inHand = { campaign: c.id, job: String(job.id), lockMs: c.lockMs };
    try {
      let done = 0;
      /** The simulated time the chunk's items reached together (a fleet chunk's meters, each simulated hour), µs. */
      let t: number | undefined;
      let lastProgress = 0;
      // Progress for the submitter's line, at most a few times a second (and always the last item).
      const share = (force: boolean): void => {
        const now = performance.now();
        if (!force && now - lastProgress <= 250) return;
        lastProgress = now;
        void job.updateProgress({ done, of: decoded.items, ...(t !== undefined ? { t } : {}) })
          .catch(() => { /* a lost lock: the job is someone else's now */ });
      };
      const results = await this.#runner.run(decoded.kind, toWire(decoded.body), decoded.items, {
        timeLimitMs: c.timeLimitMs,
        onItem: () => {
          done++;
          share(done === decoded.items);
        },
        onProgress: (p) => {
          const reached = (p as { t?: unknown } | undefined)?.t;
          if (typeof reached !== 'number') return;
          t = reached;
          share(false);
        },
      });
      this.completed++;
      this.#log(`campaign ${c.id}: job ${job.id} (${decoded.kind}, ${plural(decoded.items, 'item')}) done in ${formatSeconds(Math.round(performance.now() - t0))}`);
      return toWire(results);
    } catch (err) {
      if (err instanceof TimeLimitError) {
        // The results so far stay with the failed job, for the submitter's report.
        await job.updateProgress({ done: err.partial.length, of: decoded.items, partial: toWire(err.partial) });
        throw new UnrecoverableError(err.message);
      }
      throw err;
    } finally {
      this.#inHand = undefined;
      this.#slot.release();
    }
  }

  /** Stop taking jobs; a job running now is finished first (its lock kept renewed). */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#timer) clearTimeout(this.#timer);
    // still counted while the job in hand is finished
    const beats = setInterval(() => {
      for (const id of this.#workers.keys()) void this.#beat(id);
    }, this.#cfg.pollMs ?? 1000);
    try {
      await this.#polling;
      await Promise.all([...this.#workers.values()].map((w) => w.worker.close().finally(() => w.connection.disconnect())));
    } finally {
      clearInterval(beats);
    }
    // a beat still on its way would check the worker in again after it left
    await Promise.all([...this.#beats]);
    await Promise.all([...this.#workers.keys()].map((id) => leaveCampaign(this.#redis, id, this.#member).catch(() => { /* expires */ })));
    this.#workers.clear();
    await this.#runner.close();
    this.#redis.disconnect();
  }
}
