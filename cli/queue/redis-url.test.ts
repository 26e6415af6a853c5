import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RedisUrlError, isLoopbackHost, parseRedisUrl } from './redis-url.ts';

test('a Redis on another machine without a password is refused, naming requirepass', () => {
  assert.throws(() => parseRedisUrl('redis://10.1.2.3:6379'), (e: Error) => e instanceof RedisUrlError && /without a password/.test(e.message) && /requirepass/.test(e.message));
});

test('a Redis on another machine with a password is accepted, and the password is hidden in messages', () => {
  const t = parseRedisUrl('redis://:s3cret@10.1.2.3:6380/2');
  assert.is(t.password, 's3cret');
  assert.is(t.port, 6380);
  assert.is(t.db, 2);
  assert.not.ok(t.shown.includes('s3cret'));
});

test('a loopback Redis needs no password (127.0.0.0/8, ::1, localhost)', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) assert.ok(parseRedisUrl(`redis://${h}:6379`).loopback, h);
  assert.not.ok(isLoopbackHost('128.0.0.1'));
});

test('a URL that is not redis:// is refused with what was expected', () => {
  assert.throws(() => parseRedisUrl('http://127.0.0.1:6379'), /redis:\/\//);
  assert.throws(() => parseRedisUrl('127.0.0.1:6379'), /redis:\/\//);
});

test.run();
