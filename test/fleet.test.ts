// A fleet of meters, each its own twin, publishing its ThingsBoard telemetry under its own access token; an ordinary
// MQTT client subscribed to the broker counts every meter's messages. Here a whole simulated day (the firmware
// publishes its daily energy and credit at 23:00) with DAY_METERS meters whose modems publish straight into the
// embedded broker they share; the acceptance run of 1,000 meters for a day on worker threads is
// test/fleet-thousand.test.ts (run with OSM_FLEET_1000=1: about 2 CPU-hours). Shorter windows check the relay to a broker given by URL
// and the same report from one process and from chunks on worker threads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedToken, meterPlan, type FleetSpec } from '../scenarios/fleet/fleet.ts';
import { checkCounts, subscriber } from './support/fleet-subscriber.ts';
import { runFleetChunk } from '../scenarios/fleet/fleet-chunk.ts';
import { startFleetBroker } from '../scenarios/fleet/fleet-broker.ts';
import { fleetReport } from '../scenarios/fleet/fleet-report.ts';

const root = new URL('..', import.meta.url).pathname;
const DAY_METERS = 8;
const daySpec: FleetSpec = {
  meters: DAY_METERS, seed: 17, durationUs: 86_400e6, start: '2026-03-02T00:00:00', modes: ['sts'], credit: [200, 600],
  topUp: { everyHours: 12, amount: [100, 300] },
  tokens: Array.from({ length: DAY_METERS }, (_, i) => generatedToken(17, i)),
};
const METERS = 4;
const spec: FleetSpec = {
  meters: METERS, seed: 11, durationUs: 3600e6, start: '2026-03-02T22:40:00', modes: ['sts'], credit: [300, 600],
  topUp: { everyHours: 0.5, amount: [100, 200] },
  tokens: Array.from({ length: METERS }, (_, i) => generatedToken(11, i)),
};

test(`a fleet of ${DAY_METERS} meters for one simulated day publishes to the embedded broker, where a subscribed MQTT client counts every meter's messages`, async () => {
  const broker = await startFleetBroker(daySpec.tokens!);
  const sub = await subscriber(broker);
  try {
    // the meters' modems reach the embedded broker and backend themselves (no relay)
    const outcomes = await runFleetChunk({ spec: daySpec, from: 0, to: DAY_METERS }, () => {}, {}, broker);
    await checkCounts(broker, sub, outcomes);
    const report = fleetReport(daySpec, outcomes);
    assert.is(report.totals.telemetryMessages, broker.received);
    assert.ok(report.totals.topUpsCollected > 0, 'payments were collected through the shared backend');
    assert.ok(report.totals.energyKwh > 0);
  } finally {
    await sub.end();
    await broker.close();
  }
});

test('a fleet relays every meter\'s telemetry to a broker given by URL, under each meter\'s token', async () => {
  const broker = await startFleetBroker(spec.tokens!);
  const sub = await subscriber(broker);
  try {
    // without the broker's servers the chunk has its own, and relays over MQTT (as osm worker does)
    const outcomes = await runFleetChunk({ spec, from: 0, to: METERS, brokerUrl: broker.url }, () => {});
    await checkCounts(broker, sub, outcomes);
    const report = fleetReport(spec, outcomes);
    assert.is(report.totals.telemetryMessages, broker.received);
    assert.ok(report.totals.topUpsCollected > 0, 'payments were collected through the backend');
  } finally {
    await sub.end();
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

test('osm fleet gives the same report in one process and in chunks on two worker threads relaying to its embedded broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-fleet-'));
  try {
    // the 23:00 telemetry inside the window, so the threads' relay to the embedded broker carries it
    const args = ['fleet', '--meters', '3', '--hours', '0.5', '--start', '2026-03-02T22:50:00', '--json'];
    const one = spawnSync(process.execPath, [join(root, 'cli', 'osm.js'), ...args, join(dir, 'one.json'), '--workers', '1'], { encoding: 'utf8' });
    assert.is(one.status, 0, one.stderr);
    const two = spawnSync(process.execPath, [join(root, 'cli', 'osm.js'), ...args, join(dir, 'two.json'), '--workers', '2', '--chunk', '1'], { encoding: 'utf8' });
    assert.is(two.status, 0, two.stderr);
    assert.match(two.stderr, /3 meters in chunks of 1 on 2 worker threads/);
    const a = readFileSync(join(dir, 'one.json'), 'utf8');
    assert.is(readFileSync(join(dir, 'two.json'), 'utf8'), a);
    assert.ok(JSON.parse(a).totals.telemetryMessages >= 6, 'every meter published its 23:00 telemetry');
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
