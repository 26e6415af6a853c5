// A fleet of meters, each its own twin, publishing its ThingsBoard telemetry to the embedded fleet broker under its
// own access token; an ordinary MQTT client subscribed to the broker counts every meter's messages. The window runs
// across 23:00, when the firmware publishes its daily energy and credit. (A whole day per meter costs tens of CPU
// seconds here, so the test runs an hour; docs/scale-out.md has the figures.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { generatedToken, meterPlan, type FleetSpec } from '../scenarios/fleet/fleet.ts';
import { runFleetChunk } from '../scenarios/fleet/fleet-chunk.ts';
import { startFleetBroker } from '../scenarios/fleet/fleet-broker.ts';
import { fleetReport } from '../scenarios/fleet/fleet-report.ts';

const root = new URL('..', import.meta.url).pathname;
const METERS = 4;
const spec: FleetSpec = {
  meters: METERS, seed: 11, durationUs: 3600e6, start: '2026-03-02T22:40:00', modes: ['sts'], credit: [300, 600],
  topUp: { everyHours: 0.5, amount: [100, 200] },
  tokens: Array.from({ length: METERS }, (_, i) => generatedToken(11, i)),
};

test('every meter of a fleet publishes its telemetry to the embedded broker, as counted by a subscribed MQTT client', async () => {
  const broker = await startFleetBroker(spec.tokens!);
  const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
  const counts = new Map<string, number>();
  const payloads: string[] = [];
  sub.on('message', (topic, payload) => {
    const token = topic.split('/')[1];
    counts.set(token, (counts.get(token) ?? 0) + 1);
    payloads.push(payload.toString());
  });
  await sub.subscribeAsync('fleet/+/telemetry', { qos: 1 });
  try {
    const outcomes = await runFleetChunk({ spec, from: 0, to: METERS, brokerUrl: broker.url }, () => {});
    for (let i = 0; i < 50 && [...counts.values()].reduce((a, b) => a + b, 0) < broker.received; i++) await new Promise((r) => setTimeout(r, 100));
    for (const o of outcomes) {
      assert.ok(o.telemetryMessages >= 2, `meter ${o.index} published ${o.telemetryMessages} messages (energy and credit at 23:00)`);
      assert.is(counts.get(o.token), o.telemetryMessages, `meter ${o.index}: the subscriber saw every message`);
    }
    assert.is(broker.received, outcomes.reduce((a, o) => a + o.telemetryMessages, 0));
    assert.ok(payloads.some((p) => /"credit"/.test(p)) && payloads.some((p) => /"energy"/.test(p)));
    const report = fleetReport(spec, outcomes);
    assert.is(report.totals.telemetryMessages, broker.received);
    assert.ok(report.totals.topUpsCollected > 0, 'payments were collected through the backend');
  } finally {
    await sub.endAsync();
    await broker.close();
  }
});

test('each meter is planned from the fleet seed and its index alone', () => {
  assert.equal(meterPlan(spec, 2), meterPlan({ ...spec, meters: 1000 }, 2));
  assert.not.equal(meterPlan(spec, 2).loads, meterPlan(spec, 3).loads);
  const [a, b] = [meterPlan(spec, 2).board, meterPlan(spec, 3).board];
  assert.not.equal(a, b, 'each meter has its own board drawn from the tolerances');
  assert.ok(Math.abs(a['ct.ratio'] / 1000 - 1) < 0.05 && a['ct.ratio'] !== 1000, `ct.ratio ${a['ct.ratio']}`);
});

test('osm fleet writes the report as JSON and as an HTML page with its charts, the same for the same seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-fleet-'));
  try {
    const args = ['fleet', '--meters', '2', '--hours', '0.5', '--start', '2026-03-02T18:00:00', '--modes', 'sts,opaygo-energy', '-q'];
    const a = spawnSync(process.execPath, [join(root, 'cli', 'osm.js'), ...args, '--json', join(dir, 'a.json'), '--report', join(dir, 'a.html')], { encoding: 'utf8' });
    assert.is(a.status, 0, a.stderr);
    assert.match(a.stdout, /Fleet: 2 meters, 0\.5 h from 2026-03-02T18:00:00/);
    const report = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    assert.equal(report.meters.map((m: { mode: string }) => m.mode), ['sts', 'opaygo-energy']);
    const html = readFileSync(join(dir, 'a.html'), 'utf8');
    assert.match(html, /Plotly\.newPlot\('minute'/);
    assert.not.match(html, /<script src=/);
    const b = spawnSync(process.execPath, [join(root, 'cli', 'osm.js'), ...args, '--json', join(dir, 'b.json')], { encoding: 'utf8' });
    assert.is(b.status, 0, b.stderr);
    assert.is(readFileSync(join(dir, 'b.json'), 'utf8'), readFileSync(join(dir, 'a.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('osm fleet refuses bad input with one line and exit 2', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'cli', 'osm.js'), 'fleet', ...args], { encoding: 'utf8' });
  const r1 = run('--meters', '0');
  assert.is(r1.status, 2);
  assert.match(r1.stderr, /--meters: 0 is out of range/);
  const r2 = run('--meters', '2', '--modes', 'sts,prepaid');
  assert.is(r2.status, 2);
  assert.match(r2.stderr, /--modes: 'prepaid' is not one of sts, opaygo-energy, opaygo-time/);
  const r3 = run('--meters', '2', '--queue', 'redis://127.0.0.1:1');
  assert.is(r3.status, 2);
  assert.match(r3.stderr, /give --broker/);
});

test.run();
