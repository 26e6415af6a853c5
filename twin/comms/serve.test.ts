// startCommsServers (serve.ts): a port held by another program is an error, unless the caller allows a free one
// instead (the defaults of `osm serve`, which must start on a machine that already runs a broker on 1883).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { startCommsServers, CommsServerError } from './serve.ts';

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

test('a taken MQTT port is an error naming the port', async () => {
  const taken = await occupied();
  try {
    const err = await startCommsServers({ mqttPort: taken.port, backendPort: 0 }).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof CommsServerError);
    assert.ok((err as CommsServerError).inUse);
    assert.match((err as Error).message, `port ${taken.port} is in use`);
  } finally {
    taken.server.close();
  }
});

test('with freePortIfTaken a taken port moves to a free one and says which', async () => {
  const taken = await occupied();
  try {
    const s = await startCommsServers({ mqttPort: 0, backendPort: taken.port, freePortIfTaken: { backend: true } });
    try {
      assert.is.not(s.backendPort, taken.port);
      assert.ok(s.backendPort! > 0);
      assert.equal(s.movedFrom, [{ what: 'backend', port: taken.port, now: s.backendPort }]);
    } finally {
      await s.close();
    }
  } finally {
    taken.server.close();
  }
});

test('free ports that are not taken are kept and nothing is reported moved', async () => {
  const s = await startCommsServers({ mqttPort: 0, backendPort: 0, freePortIfTaken: { mqtt: true, backend: true } });
  try {
    assert.equal(s.movedFrom, []);
  } finally {
    await s.close();
  }
});

test.run();
