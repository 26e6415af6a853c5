// End to end: the communications scenarios of scenarios/library/comms hold on the twin with the SIM800 model and the
// in-process servers; a run is reproducible; the broker's telemetry reaches an ordinary MQTT client on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { startCommsServers } from '../twin/comms/serve.ts';
import { runWithTrace } from './support/run-library.ts';

const dir = fileURLToPath(new URL('../scenarios/library/comms/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

const run = (file: string, seed: number) => runWithTrace(join(dir, file), seed);

test('the comms library holds the six acceptance scenarios', () => {
  for (const f of ['web-topup.yaml', 'lost-success-d19.yaml', 'lost-success-d19-fixed.yaml', 'empty-body-d18.yaml', 'broker-down-d22.yaml', 'telemetry.yaml']) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
});

for (const file of files) {
  test(`comms scenario ${file} holds on the twin`, async () => {
    const r = await run(file, 1);
    assert.is(r.exitCode, 0, `failure: ${JSON.stringify(r.failure)}`);
  });
}

test('a scenario talking to the real in-process servers gives a byte-identical trace run after run', async () => {
  const a = await run('lost-success-d19.yaml', 3);
  const b = await run('lost-success-d19.yaml', 3);
  assert.ok(a.trace.includes('"source":"backend"'), 'the backend answered');
  assert.ok(a.trace === b.trace, 'traces differ');
});

test('the MQTT path (the embedded broker through the held link) is reproducible too', async () => {
  const a = await run('telemetry.yaml', 5);
  const b = await run('telemetry.yaml', 5);
  assert.ok(a.trace.includes('"source":"broker"'), 'the broker received telemetry');
  assert.ok(a.trace === b.trace, 'traces differ');
});

test('an ordinary MQTT client on a loopback port receives the meter\'s energy and credit as the firmware holds them', async () => {
  const scenario = await loadScenario(join(dir, 'telemetry.yaml'));
  const bench = createBench({ meter: scenario.meter, plant: scenario.plant, network: scenario.network, seed: 1, speed: 'max' });
  const servers = await startCommsServers({ mqttPort: 0, backendPort: 0, comms: bench.comms });
  // keepalive 0: the run holds the event loop, so the client cannot ping and the broker would drop it (see fleet-subscriber.ts)
  const sub = await mqtt.connectAsync({ host: '127.0.0.1', port: servers.mqttPort!, protocol: 'mqtt', reconnectPeriod: 0, keepalive: 0 });
  try {
    await sub.subscribeAsync('v1/devices/me/telemetry');
    const received: { topic: string; payload: string }[] = [];
    const both = new Promise<void>((resolve) => sub.on('message', (topic, p) => {
      received.push({ topic, payload: p.toString() });
      if (received.length === 2) resolve();
    }));
    const atPublish: Record<string, unknown> = {};
    bench.trace.subscribe((ev) => {
      if (ev.source === 'broker') { atPublish.energy ??= bench.observe('energy'); atPublish.credit = bench.observe('credit'); }
    });
    const result = await runScenario(scenario, bench, { seed: 1 });
    assert.is(result.exitCode, 0);
    await Promise.race([both, new Promise((_, rej) => setTimeout(() => rej(new Error('no telemetry on the loopback client')), 60_000))]);
    assert.is(received[0].topic, 'v1/devices/me/telemetry');
    assert.match(received[0].payload, /^\{"energy":\d+\.\d+\}$/);
    assert.match(received[1].payload, /^\{"credit":\d+\.\d+\}$/);
    const energy = JSON.parse(received[0].payload).energy as number;
    const credit = JSON.parse(received[1].payload).credit as number;
    assert.ok(Math.abs(energy - (atPublish.energy as number)) < 1e-6, `energy ${energy} vs the firmware's ${String(atPublish.energy)}`);
    assert.ok(Math.abs(credit - (atPublish.credit as number)) < 0.01, `credit ${credit} vs the firmware's ${String(atPublish.credit)}`);
  } finally {
    await sub.endAsync();
    await servers.close();
    await bench.close();
  }
});

test.run();
