// How a campaign's workers are counted (the "workers connected" of the submitter's progress line), on a real Redis
// (Debian redis-server on a free loopback port, stopped after; skipped where it is absent).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { haveRedisServer, startRedisServer, type RedisServer } from './local-redis.ts';
import { PROTOCOL_VERSION } from './protocol.ts';
import { QueueWorker } from './queue-worker.ts';
import { parseRedisUrl } from './redis-url.ts';
import { PREFIX, connectedWorkers, queueName, registerCampaign, unregisterCampaign } from './registry.ts';

let server: RedisServer | undefined;
let redis: Redis | undefined;

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.unreachable(`${what} did not happen`);
}

async function campaign(id: string): Promise<void> {
  await registerCampaign(redis!, { id, v: PROTOCOL_VERSION, kind: 'monte-carlo', lockMs: 30_000, timeLimitMs: 0, by: 'test' });
}

if (!haveRedisServer()) {
  test.skip('redis-server is not installed (apt-get install redis-server): the worker count tests are skipped', () => {});
} else {
  test.before(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url);
  });
  test.after(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  // BullMQ counts the Redis clients named after the queue; Redis refuses a client name with a space, and ioredis
  // drops that error: the worker takes jobs with a nameless connection.
  test('a worker whose name Redis refuses as a client name is counted among the campaign\'s workers', async () => {
    const target = parseRedisUrl(server!.url);
    const a = new QueueWorker({ target, name: 'lab pc 1', pollMs: 50 });
    const b = new QueueWorker({ target, name: 'w2', pollMs: 50 });
    // BullMQ leaves a connection it is given open: it is closed here
    const connection = redis!.duplicate();
    const queue = new Queue(queueName('count1'), { connection, prefix: PREFIX });
    try {
      await Promise.all([a.start(), b.start()]);
      await campaign('count1');
      await until('two workers counted', async () => (await connectedWorkers(redis!, 'count1')) === 2);
      await until('BullMQ sees the named worker', async () => (await queue.getWorkersCount()) >= 1);
      assert.is(await queue.getWorkersCount(), 1, 'BullMQ\'s own count misses the worker named with spaces');
    } finally {
      await unregisterCampaign(redis!, 'count1');
      await queue.close();
      connection.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a worker that stops is no longer counted', async () => {
    const target = parseRedisUrl(server!.url);
    const a = new QueueWorker({ target, name: 'w1', pollMs: 50 });
    const b = new QueueWorker({ target, name: 'w2', pollMs: 50 });
    try {
      await Promise.all([a.start(), b.start()]);
      await campaign('count2');
      await until('two workers counted', async () => (await connectedWorkers(redis!, 'count2')) === 2);
      await b.close();
      assert.is(await connectedWorkers(redis!, 'count2'), 1);
    } finally {
      await unregisterCampaign(redis!, 'count2');
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('a beat older than the window is not counted (a worker killed with -9)', async () => {
    const [s] = await redis!.time();
    await redis!.zadd(`${PREFIX}:campaign:count3:workers`, Number(s) * 1000 - 60_000, 'gone 1', Number(s) * 1000, 'here 2');
    assert.is(await connectedWorkers(redis!, 'count3'), 1);
    await unregisterCampaign(redis!, 'count3');
    assert.is(await redis!.exists(`${PREFIX}:campaign:count3:workers`), 0, 'the campaign\'s end removes its workers');
  });
}

test.run();
