// The first connection to a queue's Redis: it answers PING, or fails with one clear line within
// `REDIS_CONNECT_LIMIT_MS`; and the connections BullMQ uses afterwards.
import { Redis, type RedisOptions } from 'ioredis';
import { RedisUrlError, type RedisTarget } from './redis-url.ts';

/** An unreachable Redis is reported within this time. */
export const REDIS_CONNECT_LIMIT_MS = 4500;

/** ioredis options for the target (BullMQ's connections need `maxRetriesPerRequest: null`). */
export function redisOptions(t: RedisTarget, extra: RedisOptions = {}): RedisOptions {
  return {
    host: t.host, port: t.port, db: t.db,
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    ...extra,
  };
}

/** A connection for BullMQ (reconnects on its own once the first PING has answered). */
export function connectRedis(t: RedisTarget): Redis {
  return new Redis(redisOptions(t));
}

/**
 * Connect once and PING: resolves when Redis answers, rejects with a RedisUrlError naming the cause (refused, no
 * answer, wrong password) within REDIS_CONNECT_LIMIT_MS.
 */
export async function checkRedis(t: RedisTarget, option = '--redis'): Promise<void> {
  const client = new Redis(redisOptions(t, {
    lazyConnect: true, connectTimeout: REDIS_CONNECT_LIMIT_MS - 500, maxRetriesPerRequest: 0, enableOfflineQueue: false,
    retryStrategy: () => null, reconnectOnError: () => false,
  }));
  // ioredis rejects with 'Connection is closed'; the cause is in the error event before it.
  let cause: string | undefined;
  client.on('error', (err: Error) => { cause ??= err.message; });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => { await client.connect(); await client.ping(); })(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('ETIMEDOUT')), REDIS_CONNECT_LIMIT_MS); }),
    ]);
  } catch (err) {
    const m = `${cause ?? ''} ${(err as Error)?.message ?? String(err)}`;
    let why = (cause ?? (err as Error)?.message ?? String(err)).trim();
    if (/ECONNREFUSED/.test(m)) why = 'connection refused (is redis-server running there, and listening on that address?)';
    else if (/ETIMEDOUT|timed? ?out/i.test(m)) why = `no answer within ${(REDIS_CONNECT_LIMIT_MS / 1000).toFixed(1)} s (a firewall, or the wrong host)`;
    else if (/ENOTFOUND|EAI_AGAIN/.test(m)) why = 'no such host';
    else if (/ENETUNREACH|EHOSTUNREACH/.test(m)) why = 'no route to that host';
    else if (/WRONGPASS|invalid password|invalid username-password/i.test(m)) why = 'the password (or user name) was refused';
    else if (/Protocol error/.test(m)) why = 'what answered there is not a Redis server';
    else if (/NOAUTH/.test(m)) why = 'this Redis requires a password: give it in the URL, redis://:PASSWORD@host:port';
    else if ((cause === undefined && /Connection is closed/.test(m)) || /EPIPE|ECONNRESET/.test(m)) {
      // The TCP connection was taken, then closed without a word: another service's port (an MQTT broker does that).
      // Whether the PING was still being written when the close came (EPIPE, a reset) or not is a matter of timing.
      why = 'the server on that port closed the connection without answering PING (is it a Redis server? another service may listen there)';
    }
    throw new RedisUrlError(`${option}: cannot use Redis at ${t.shown}: ${why}`);
  } finally {
    if (timer) clearTimeout(timer);
    client.disconnect();
  }
}
