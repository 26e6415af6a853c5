// Campaigns on one Redis: each has its own id and its own BullMQ queue (`c-<id>` under the prefix `osm`), so two
// campaigns never share a job, a result or a failed list. The submitting command registers its campaign (its id in
// the set `osm:campaigns`, its settings in the hash `osm:campaign:<id>`) and removes it when done; workers look at the
// set to know which queues to take jobs from.
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
  await redis.multi().srem(CAMPAIGNS_KEY, id).del(metaKey(id)).exec();
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
