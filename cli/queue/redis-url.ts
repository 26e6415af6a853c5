// The Redis a queue command talks to, from its URL, checked: a Redis off this machine must have a password.
// (Connecting is in redis-connect.ts, so that parsing the options loads no Redis client.)
import { InputError } from '../command.ts';

/** A bad or unusable Redis URL: one line, exit 2. */
export class RedisUrlError extends InputError {}

export interface RedisTarget {
  /** The URL as typed, with any password hidden (for messages). */
  shown: string;
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
  loopback: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parse `redis://[user][:password@]host[:port][/db]` (or `rediss://` for TLS). A Redis that is not on this machine
 * without a password is refused: anyone who can reach it could feed the workers jobs.
 */
export function parseRedisUrl(text: string, option = '--redis'): RedisTarget {
  let u: URL;
  try { u = new URL(text); } catch {
    throw new RedisUrlError(`${option}: expected a URL like redis://127.0.0.1:6379 or redis://:PASSWORD@host:6379, got '${text}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RedisUrlError(`${option}: expected a redis:// or rediss:// URL, got '${u.protocol}' in '${text}'`);
  }
  if (!u.hostname) throw new RedisUrlError(`${option}: no host in '${text}'`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new RedisUrlError(`${option}: the database number after the host must be 0..15, got '/${dbText}'`);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  const loopback = isLoopbackHost(u.hostname);
  const shown = `${u.protocol}//${username ?? ''}${password !== undefined ? ':***' : ''}${username !== undefined || password !== undefined ? '@' : ''}${u.host}${dbText ? `/${dbText}` : ''}`;
  if (!loopback && password === undefined) {
    throw new RedisUrlError(`${option}: refusing ${shown} without a password: a Redis that other machines can reach must require one `
      + `(requirepass in redis.conf); give it in the URL: ${u.protocol}//:PASSWORD@${u.host}`);
  }
  return { shown, host: u.hostname.replace(/^\[|\]$/g, ''), port, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}), db: dbText ? Number(dbText) : 0, tls: u.protocol === 'rediss:', loopback };
}

