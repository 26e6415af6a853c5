// Campaigns on one Redis: each has its own id and its own BullMQ queue (`c-<id>` under the prefix `osm`), so two
// campaigns never share a job, a result or a failed list. The submitting command registers its campaign (its id in
// the set `osm:campaigns`, its settings in the hash `osm:campaign:<id>`) and removes it when done; workers look at the
// set to know which queues to take jobs from, and say in `osm:campaign:<id>:workers` that they serve one.
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { PROTOCOL_VERSION, type ChunkKind } from './protocol.ts';

export const PREFIX = 'osm';
export const CAMPAIGNS_KEY = `${PREFIX}:campaigns`;

/** How long a job's lock lasts unless renewed (a worker renews it at half this); a killed worker's job is taken
 * again after about this long. */
export const DEFAULT_LOCK_MS = 30_000;

export interface CampaignMeta {
  id: string;
  /** Job format version (protocol.ts). */
  v: number;
  kind: ChunkKind;
  /** Lock of a running job, ms. */
  lockMs: number;
  /** A job's time limit, ms (0: none). */
  timeLimitMs: number;
  /** Who submitted it (host:pid), for workers' log lines. */
  by: string;
}

export function newCampaignId(): string {
  return randomBytes(6).toString('hex');
}

export const queueName = (id: string): string => `c-${id}`;
const metaKey = (id: string): string => `${PREFIX}:campaign:${id}`;

/** A campaign's settings expire this long after its submitter last looked (a submitter killed with -9 leaves
 * nothing that workers keep serving). */
export const CAMPAIGN_TTL_MS = 60_000;

export async function registerCampaign(redis: Redis, meta: CampaignMeta): Promise<void> {
  await redis.multi()
    .hset(metaKey(meta.id), { v: String(meta.v), kind: meta.kind, lockMs: String(meta.lockMs), timeLimitMs: String(meta.timeLimitMs), by: meta.by })
    .pexpire(metaKey(meta.id), CAMPAIGN_TTL_MS)
    .sadd(CAMPAIGNS_KEY, meta.id)
    .exec();
}

/** The submitter is still there: keep the campaign's settings alive. */
export async function touchCampaign(redis: Redis, id: string): Promise<void> {
  await redis.pexpire(metaKey(id), CAMPAIGN_TTL_MS);
}

export async function unregisterCampaign(redis: Redis, id: string): Promise<void> {
  await redis.multi().srem(CAMPAIGNS_KEY, id).del(metaKey(id)).del(workersKey(id)).exec();
}

// The workers serving a campaign, counted for the submitter's progress line. BullMQ's own count (Queue.getWorkers)
// lists the Redis clients named after the queue; but a worker's connection keeps no name when Redis refuses it (a
// name with a space or a character outside printable ASCII: ioredis drops the error), and a Redis without the CLIENT
// command makes BullMQ answer one worker whatever the number. So each worker says itself that it serves a campaign:
// a member of the sorted set `osm:campaign:<id>:workers`, scored by the Redis server's clock (the same for every
// machine) at its last beat; it beats at every look at the campaigns (each second), job or no job.
const workersKey = (id: string): string => `${PREFIX}:campaign:${id}:workers`;

/** A worker counts as connected this long after its last beat, ms (a worker beats every second). */
export const WORKER_BEAT_WINDOW_MS = 5_000;

/** The Redis server's clock, ms. */
async function serverMs(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** Worker `member` (unique per worker process) serves campaign `id` now. */
export async function beatWorker(redis: Redis, id: string, member: string): Promise<void> {
  const now = await serverMs(redis);
  // expires with the campaign's settings when nobody beats any more (a beat just after the campaign ended)
  await redis.multi().zadd(workersKey(id), now, member).pexpire(workersKey(id), CAMPAIGN_TTL_MS).exec();
}

/** Worker `member` no longer serves campaign `id` (it closed its queue). */
export async function leaveCampaign(redis: Redis, id: string, member: string): Promise<void> {
  await redis.zrem(workersKey(id), member);
}

/** The workers that beat for campaign `id` within the last WORKER_BEAT_WINDOW_MS. */
export async function connectedWorkers(redis: Redis, id: string): Promise<number> {
  const now = await serverMs(redis);
  return redis.zcount(workersKey(id), now - WORKER_BEAT_WINDOW_MS, '+inf');
}

/** The campaigns now registered (a campaign whose settings are missing or unreadable is left out). */
export async function listCampaigns(redis: Redis): Promise<CampaignMeta[]> {
  const ids = (await redis.smembers(CAMPAIGNS_KEY)).sort();
  const out: CampaignMeta[] = [];
  for (const id of ids) {
    if (!/^[0-9a-z-]{1,64}$/.test(id)) continue;
    const h = await redis.hgetall(metaKey(id));
    if (!h.kind) {
      // Its submitter is gone (the settings expired): forget it.
      await redis.srem(CAMPAIGNS_KEY, id);
      continue;
    }
    out.push({
      id, v: Number(h.v), kind: h.kind as ChunkKind, lockMs: Number(h.lockMs) || DEFAULT_LOCK_MS,
      timeLimitMs: Number(h.timeLimitMs) || 0, by: h.by ?? '?',
    });
  }
  return out;
}

export { PROTOCOL_VERSION };
