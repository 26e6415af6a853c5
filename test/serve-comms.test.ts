// `osm serve` with the meters' servers on loopback ports, used by stock clients: an ordinary MQTT client (the `mqtt`
// package) subscribed on the MQTT port receives the meter's 23:00 telemetry; an ordinary HTTP request to the backend
// port gets the `subscribe.php` answer, with a payment queued from the dashboard in it. A taken port is a usage error
// (exit 2) before anything runs; with a token, stock clients need it; --broker sends the telemetry to another broker,
// --backend makes the meter poll a top-up backend of the user's own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { createServeCommand } from '../cli/commands/serve.ts';
import { UsageError } from '../cli/command.ts';
import type { OsmServer } from '../dashboard/server.ts';
import { startCommsServers } from '../twin/comms/serve.ts';
import { ownBackend } from './support/own-backend.ts';

const KEY = 'tPmAT5Ab3j7F9';
const quiet = { write: () => true };
const FREE = ['--port', '0', '--mqtt-port', '0', '--backend-port', '0', '--no-node-red', '--no-household', '--fidelity', 'phasor'];

/** Run `osm serve argv`, call `fn` while it serves; rethrow what `fn` threw. */
async function serve(argv: string[], fn: (server: OsmServer) => Promise<void>, out: string[] = []): Promise<number> {
  let failure: unknown = null;
  const cmd = createServeCommand({
    io: { stdout: { write: (t: string) => out.push(t) > 0 }, stderr: quiet }, env: {}, embedFile: '/nonexistent/embed.ts',
    until: async (server) => { try { await fn(server); } catch (err) { failure = err; } },
  });
  const code = await cmd.run(argv);
  if (failure) throw failure;
  return code;
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body })
    .then(async (r) => ({ status: r.status, text: await r.text() }));
}

async function waitFor(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a stock MQTT client on the serve\'s loopback port receives the meter\'s telemetry; a stock HTTP POST gets the backend\'s answer', async () => {
  const out: string[] = [];
  const code = await serve([...FREE, '--speed', 'max', '--clock', '2026-03-01T22:59:00'], async (server) => {
    const meter = server.hub.meters[0];
    const ep = meter.endpoints!;
    assert.match(ep.mqtt!, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const sub = await mqtt.connectAsync(ep.mqtt!, { reconnectPeriod: 0 });
    try {
      await sub.subscribeAsync('v1/devices/me/telemetry');
      const received: { topic: string; values: Record<string, number> }[] = [];
      sub.on('message', (topic, p) => received.push({ topic, values: JSON.parse(p.toString()) as Record<string, number> }));
      // a stock HTTP client asks the backend as the meter does: nothing pending yet
      const first = await post(ep.backend!, `api_key=${KEY}&meter=MT100`);
      assert.equal(first, { status: 200, text: '0/70/' });
      // the meter boots, polls, and at its first loop pass in hour 23 publishes energy and credit
      await waitFor('the two telemetry messages', () => received.length >= 2, 120_000);
      assert.equal(received.map((r) => r.topic), ['v1/devices/me/telemetry', 'v1/devices/me/telemetry']);
      assert.equal(received.map((r) => Object.keys(r.values)), [['energy'], ['credit']]);
      const credit = received[1].values.credit;
      assert.ok(credit > 499 && credit <= 500, `credit published: ${credit}`);
      // a payment queued from the dashboard is what the backend answers a stock client (no stat: nothing zeroed)
      meter.topup(300);
      assert.equal(await post(ep.backend!, `api_key=${KEY}&meter=MT100`), { status: 200, text: '300/70/' });
      assert.equal(await post(ep.backend!, `api_key=wrong&meter=MT100`), { status: 200, text: '' });
    } finally {
      await sub.endAsync();
    }
  }, out);
  assert.is(code, 0);
  assert.match(out.join(''), /meter-1: ThingsBoard broker mqtt:\/\/127\.0\.0\.1:\d+ .*top-up backend http:\/\/127\.0\.0\.1:\d+\/subscribe\.php/);
});

async function occupied(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

test('a taken MQTT or backend port is a usage error naming it, before the dashboard listens', async () => {
  const taken = await occupied();
  try {
    for (const opt of ['--mqtt-port', '--backend-port']) {
      const argv = [...FREE];
      argv[argv.indexOf(opt) + 1] = String(taken.port);
      let served = false;
      const err = await serve(argv, async () => { served = true; }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof UsageError, `${opt}: ${String(err)}`);
      assert.match((err as Error).message, new RegExp(`port ${taken.port} is in use`));
      assert.is(served, false);
    }
  } finally {
    taken.server.close();
  }
});

test('overlapping port ranges and a bad broker URL are refused before anything starts', async () => {
  const run = (argv: string[]): Promise<unknown> => serve(argv, async () => {}).then(() => null, (e: unknown) => e);
  const e1 = await run(['--port', '9000', '--mqtt-port', '8999', '--meters', '3', '--no-node-red']);
  assert.ok(e1 instanceof UsageError && /--port and --mqtt-port overlap/.test(e1.message), String(e1));
  const e2 = await run([...FREE, '--broker', 'http://example']);
  assert.ok(e2 instanceof UsageError && /--broker: .*only mqtt/.test(e2.message), String(e2));
  const e3 = await run(['--no-network', '--mqtt-port', '0']);
  assert.ok(e3 instanceof UsageError, String(e3));
});

test('with a token, a stock MQTT watcher and a stock HTTP client need it; the meter\'s device token still connects', async () => {
  const code = await serve([...FREE, '--token', 'classroom-42'], async (server) => {
    const ep = server.hub.meters[0].endpoints!;
    const refused = await mqtt.connectAsync(ep.mqtt!, { reconnectPeriod: 0 }).then((c) => { c.end(true); return null; }, (e: Error & { code?: number }) => e);
    assert.is(refused?.code, 5);
    const watcher = await mqtt.connectAsync(ep.mqtt!, { reconnectPeriod: 0, username: 'trainer', password: 'classroom-42' });
    await watcher.endAsync();
    const device = await mqtt.connectAsync(ep.mqtt!, { reconnectPeriod: 0, username: '5GBw6kqNCN93BN3nuuvJ' });
    await device.endAsync();
    assert.is((await post(ep.backend!, `api_key=${KEY}&meter=MT100`)).status, 401);
    assert.equal(await post(ep.backend!, `api_key=${KEY}&meter=MT100`, { authorization: 'Bearer classroom-42' }), { status: 200, text: '0/70/' });
  });
  assert.is(code, 0);
});

test('--broker sends the meter\'s telemetry to another broker (a second one standing in for mosquitto)', async () => {
  const external = await startCommsServers({ mqttPort: 0, backendPort: 0 });
  try {
    const out: string[] = [];
    const code = await serve([...FREE, '--broker', `mqtt://127.0.0.1:${external.mqttPort}`, '--speed', '10', '--clock', '2026-03-01T22:59:40'], async (server) => {
      const meter = server.hub.meters[0];
      assert.is(meter.endpoints!.mqtt, null);
      await waitFor('telemetry at the external broker', () => external.broker.messages.length >= 2, 120_000);
      assert.equal(external.broker.messages.map((m) => Object.keys(m.values)), [['energy'], ['credit']]);
      assert.is(meter.servers!.broker.messages.length, 0);
    }, out);
    assert.is(code, 0);
    assert.match(out.join(''), /telemetry to mqtt:\/\/127\.0\.0\.1:\d+ \(external broker\)/);
  } finally {
    await external.close();
  }
});

test('--backend makes the meter poll your own backend: its payment is credited, the page\'s Pay is refused', async () => {
  const own = await ownBackend({ pending: 150 });
  const { url, bodies } = own;
  try {
    const out: string[] = [];
    const argv = ['--port', '0', '--mqtt-port', '0', '--no-node-red', '--no-household', '--fidelity', 'phasor', '--speed', 'max', '--backend', url];
    const code = await serve(argv, async (server) => {
      const meter = server.hub.meters[0];
      assert.is(meter.endpoints!.backend, null, 'no backend port of its own');
      await waitFor('the confirmation at your backend', () => bodies.some((b) => b.includes('stat=sucess')), 120_000);
      await waitFor('the credit', () => (meter.bench.observe('credit') as number) > 600, 60_000);
      assert.throws(() => meter.topup(10), /polls your own backend \(http:\/\/127\.0\.0\.1:\d+\/subscribe\.php\): make the payment on that server/);
      assert.is(meter.commsView()!.backend.external, `${url}/subscribe.php`);
    }, out);
    assert.is(code, 0);
    assert.match(out.join(''), /meter-1: ThingsBoard broker mqtt:\/\/127\.0\.0\.1:\d+ .*; polls your top-up backend http:\/\/127\.0\.0\.1:\d+\/subscribe\.php/);
  } finally {
    await own.close();
  }
});

test('--backend with nothing listening there is a usage error before anything starts', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const err = await serve(['--port', '0', '--mqtt-port', '0', '--no-node-red', '--backend', `http://127.0.0.1:${port}`], async () => {
    assert.unreachable('the dashboard started');
  }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof UsageError && /^--backend: nothing answers at http:\/\/127\.0\.0\.1:\d+\/subscribe\.php \(connection refused\): start your backend first$/.test(err.message), String(err));
});

test.run();
