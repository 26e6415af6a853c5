// The ThingsBoard-style broker (telemetry-broker.ts) on a loopback port with stock MQTT clients.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect as netConnect } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { startCommsServers, type CommsServers } from './serve.ts';
import { TelemetryBroker } from './telemetry-broker.ts';
import { duplexPair } from './duplex-pair.ts';

const TOKEN = '5GBw6kqNCN93BN3nuuvJ';

async function withServers(fn: (s: CommsServers) => Promise<void>): Promise<void> {
  const s = await startCommsServers({ mqttPort: 0, backendPort: 0 });
  try { await fn(s); } finally { await s.close(); }
}

function client(s: CommsServers, username?: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port: s.mqttPort!, protocol: 'mqtt', ...(username ? { username } : {}), reconnectPeriod: 0, connectTimeout: 5000 });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => { c.end(true); reject(e); });
  });
}

test('a device publishing with its token is received, parsed and seen by an observer', () => withServers(async (s) => {
  const observer = await client(s);
  await observer.subscribeAsync('v1/devices/me/telemetry');
  const got = new Promise<string>((r) => observer.once('message', (_t, p) => r(p.toString())));
  const device = await client(s, TOKEN);
  await device.publishAsync('v1/devices/me/telemetry', '{"energy":1.5}');
  assert.is(await got, '{"energy":1.5}');
  for (let i = 0; i < 100 && !s.broker.messages.length; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(s.broker.latest, { energy: 1.5 });
  await device.endAsync();
  await observer.endAsync();
}));

test('a started broker writes packets without building the number cache of 65,536 buffers', () => withServers(async (s) => {
  const observer = await client(s);
  await observer.subscribeAsync('v1/devices/me/telemetry');
  assert.is(mqttPacket.writeToStream.cacheNumbers, false);
  await observer.endAsync();
}));

test('a wrong token is refused with return code 5', () => withServers(async (s) => {
  const err = await client(s, 'not-a-token').then(() => null, (e: Error & { code?: number }) => e);
  assert.ok(err);
  assert.is(err!.code, 5);
}));

test('a device publishing outside v1/devices/me/ is refused: its connection closes and an observer of # sees nothing', () => withServers(async (s) => {
  const observer = await client(s);
  await observer.subscribeAsync('#');
  const seen: string[] = [];
  let telemetrySeen!: () => void;
  const telemetry = new Promise<void>((r) => { telemetrySeen = r; });
  observer.on('message', (topic) => { seen.push(topic); if (topic === 'v1/devices/me/telemetry') telemetrySeen(); });
  const device = await client(s, TOKEN);
  const closed = new Promise<void>((r) => device.once('close', () => r()));
  device.publish('v1/devices/other/telemetry', '{"energy":9}');
  // Had the first been let through, this one would follow it to the observer.
  device.publish('v1/devices/me/telemetry', '{"energy":1}', () => undefined);
  const first = await Promise.race([closed.then(() => 'closed'), telemetry.then(() => 'delivered')]);
  assert.is(first, 'closed');
  assert.equal(seen, []);
  device.end(true);
  await observer.endAsync();
}));

test('a malformed MQTT packet closes that connection only; the broker keeps serving', () => withServers(async (s) => {
  await new Promise<void>((resolve) => {
    const c = netConnect(s.mqttPort!, '127.0.0.1', () => c.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x04, 0x41])));
    c.on('close', () => resolve());
    c.on('error', () => resolve());
  });
  await new Promise<void>((resolve) => {
    const c = netConnect(s.mqttPort!, '127.0.0.1', () => c.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')));
    c.on('close', () => resolve());
    c.on('error', () => resolve());
  });
  const device = await client(s, TOKEN);
  const seen = new Promise<void>((r) => { const stop = s.broker.watch(() => { stop(); r(); }); });
  await device.publishAsync('v1/devices/me/telemetry', '{"credit":12.5}');
  await seen;
  assert.is(s.broker.latest.credit, 12.5);
  await device.endAsync();
}));

test('the broker keeps only the last keepMessages telemetry messages (2 of 3 here)', () => withServers(async (s) => {
  s.broker.config.keepMessages = 2;
  let n = 0;
  let third!: () => void;
  const done = new Promise<void>((r) => { third = r; });
  const stop = s.broker.watch(() => { if (++n === 3) third(); });
  const device = await client(s, TOKEN);
  for (const k of [1, 2, 3]) await device.publishAsync('v1/devices/me/telemetry', `{"n":${k}}`);
  await done;
  stop();
  assert.equal(s.broker.messages.map((m) => m.values.n), [2, 3]);
  await device.endAsync();
}));

test('a telemetry payload that is not a JSON object is counted and ignored', () => withServers(async (s) => {
  const device = await client(s, TOKEN);
  await device.publishAsync('v1/devices/me/telemetry', 'energy=3');
  // (QoS 0: the publish resolves when sent; the broker counts it when it has read it)
  for (let i = 0; i < 500 && s.broker.malformedPayloads === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.is(s.broker.malformedPayloads, 1);
  assert.equal(s.broker.latest, {});
  await device.endAsync();
}));

test('a connection accepted before the broker started is answered once it is up (aedes is loaded at start)', async () => {
  const broker = new TelemetryBroker();
  assert.throws(() => broker.aedes, /not started/);
  const [device, server] = duplexPair();
  let got = Buffer.alloc(0);
  const connack = new Promise<Buffer>((r) => device.on('data', (d: Buffer) => { got = Buffer.concat([got, d]); if (got.length >= 4) r(got); }));
  broker.accept(server);
  // CONNECT, MQTT 3.1.1, clean session, user name = the device token
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([4, 0x82, 0, 60, 0, 1]), Buffer.from('a'), Buffer.from([0, TOKEN.length]), Buffer.from(TOKEN)]);
  device.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
  assert.equal([...(await connack)], [0x20, 2, 0, 0], 'CONNACK, accepted');
  assert.ok(broker.aedes);
  device.destroy();
  await broker.close();
});

test('a broker that never started closes at once, and stays unstarted', async () => {
  const broker = new TelemetryBroker();
  await broker.close();
  assert.throws(() => broker.aedes, /not started/);
  assert.equal(broker.messages, []);
});

test.run();
