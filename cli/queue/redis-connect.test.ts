// The first look at a queue's Redis: what a user reads when the URL names something else.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { checkRedis } from './redis-connect.ts';
import { parseRedisUrl } from './redis-url.ts';

async function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function whyRefused(port: number): Promise<string> {
  try {
    await checkRedis(parseRedisUrl(`redis://127.0.0.1:${port}`), '--queue');
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

test('a port whose server closes the connection without answering (an MQTT broker) is said to be perhaps not a Redis', async () => {
  const { server, port } = await listen((socket) => socket.destroy());
  try {
    assert.is(await whyRefused(port), `--queue: cannot use Redis at redis://127.0.0.1:${port}: the server on that port closed the connection`
      + ' without answering PING (is it a Redis server? another service may listen there)');
  } finally {
    server.close();
  }
});

test('a port whose server answers PING with something else is said not to be a Redis', async () => {
  const { server, port } = await listen((socket) => socket.on('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  try {
    assert.is(await whyRefused(port), `--queue: cannot use Redis at redis://127.0.0.1:${port}: what answered there is not a Redis server`);
  } finally {
    server.close();
  }
});

test.run();
