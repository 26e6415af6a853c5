// The options every queued command shares (`osm run`, `osm accuracy --monte-carlo`, `osm fleet`; help text in
// queue-help.ts), checked, and the chunks of a draw.
import { UsageError } from '../command.ts';
import { RedisUrlError, parseRedisUrl, type RedisTarget } from './redis-url.ts';

export const QUEUE_OPTION_SPECS = {
  queue: { type: 'string' },
  'job-timeout': { type: 'string' },
  'stall-seconds': { type: 'string' },
  chunk: { type: 'string' },
} as const;

export interface QueueArgs {
  target: RedisTarget;
  chunk?: number;
  timeLimitMs?: number;
  lockMs?: number;
}

/** Seconds from `90`, `90s`, `10min`, `2h`. */
export function parseSeconds(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|min|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--${option}: expected a time like 90s, 10min or 2h, got '${text}'`);
  const v = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'min' ? 60 : 1);
  if (!(v > 0)) throw new UsageError(`--${option}: must be more than 0, got '${text}'`);
  return v;
}

/** The queue options given, checked; undefined without --queue (and then the others are refused). */
export function parseQueueArgs(values: Record<string, string | boolean | undefined>): QueueArgs | undefined {
  const url = values.queue as string | undefined;
  if (url === undefined) {
    const stray = ['chunk', 'job-timeout', 'stall-seconds'].filter((k) => values[k] !== undefined);
    if (stray.length) throw new UsageError(`--${stray[0]} applies to queued work: add --queue redis://HOST:PORT`);
    return undefined;
  }
  let target: RedisTarget;
  try { target = parseRedisUrl(url, '--queue'); } catch (err) {
    if (err instanceof RedisUrlError) throw new UsageError(err.message);
    throw err;
  }
  const out: QueueArgs = { target };
  if (values.chunk !== undefined) {
    const t = String(values.chunk);
    if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 1_000_000) throw new UsageError(`--chunk: expected a whole number 1..1000000, got '${t}'`);
    out.chunk = Number(t);
  }
  if (values['job-timeout'] !== undefined) out.timeLimitMs = Math.round(parseSeconds('job-timeout', String(values['job-timeout'])) * 1000);
  if (values['stall-seconds'] !== undefined) {
    const s = parseSeconds('stall-seconds', String(values['stall-seconds']));
    if (s < 1) throw new UsageError(`--stall-seconds: at least 1 s (a worker renews its lock at half of it), got '${values['stall-seconds']}'`);
    out.lockMs = Math.round(s * 1000);
  }
  return out;
}

/** Split `total` items into chunks of `size`: [from, to) ranges in order. */
export function chunkRanges(total: number, size: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let from = 0; from < total; from += size) out.push({ from, to: Math.min(total, from + size) });
  return out;
}
