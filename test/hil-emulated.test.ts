// The full emulated HIL path: firmware twin -> JohnnyFiveBoard -> johnny-five / firmata-io -> Firmata bytes on the
// in-process link -> emulated StandardFirmataPlus board -> part models (HD44780, latching relay, LEDs, keypad matrix,
// ATM90E26 fed by the plant, cover switch, DS1307, AT24C32).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Duplex } from 'node:stream';
import { createRigBench, parseBoardChoice, type RigBench } from '../hil-rig/rig-bench.ts';
import { RigConnection, RigError } from '../hil-rig/rig/connection.ts';
import { DEFAULT_WIRING, PART_NAMES } from '../hil-rig/wiring.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import type { BenchConfig } from '../twin/kernel/bench.ts';

const meter = async (): Promise<BenchConfig['meter']> => (await loadScenario('scenarios/library/sts-tokens.yaml')).meter;
const emulated = () => parseBoardChoice({ board: 'emulated' })!;
const S = 1_000_000;

let bench: RigBench;
const lcdLines: string[] = [];

test('the twin boots on the emulated board and the LCD model shows the boot screens, then the credit scene', async () => {
  bench = await createRigBench({
    meter: await meter(),
    plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'heater', kind: 'resistive', watts: 1000, pf: 1 }] },
    seed: 1,
  }, emulated());
  bench.trace.subscribe((ev) => { if (ev.kind === 'lcd') { const d = ev.data as { line0: string; line1: string }; lcdLines.push(`${d.line0}|${d.line1}`); } });
  await bench.start();
  await bench.runFor(30 * S);
  const seen = (re: RegExp) => lcdLines.some((l) => re.test(l));
  assert.ok(seen(/DEVELOPED BY.*\|.*FIRST ELECTRIC/), 'intro');
  assert.ok(seen(/SYSTEM BOOTING.*\|.*#------------#/), 'booting');
  assert.ok(seen(/CSOne : 12924.*\|CSTwo : 39227/), 'AFE checksums');
  assert.ok(seen(/^ CREDIT=#500\.\d\d /), `credit scene, last lines: ${lcdLines.slice(-3).join(' / ')}`);
});

test('the relay coil pulses through the emulated board switch the relay model', () => {
  assert.is(bench.rigMeter.twin.relay.isClosed, true);
  assert.ok(bench.rigMeter.twin.relay.pulses >= 1);
  assert.is(bench.observe('relay'), 'closed');
});

test('the AFE reads through the emulated board return the plant\'s values', () => {
  const truth = bench.plant.truth();
  const v = bench.rigMeter.twin.observe('voltage') as number;
  const p = bench.rigMeter.twin.observe('power') as number;
  assert.ok(Math.abs(v - truth.vrms) / truth.vrms < 0.01, `voltage ${v} vs ${truth.vrms}`);
  assert.ok(Math.abs(p - truth.watts) / truth.watts < 0.02, `power ${p} vs ${truth.watts}`);
  assert.not.match(bench.rigMeter.twin.debugLog, /Read failed/, 'no 0xFFFF reads');
  assert.ok(bench.rigMeter.afeWaits > 0, 'the waits the link needed are counted as deviations');
});

test('a token typed on the keypad matrix wired to the emulated board is accepted', async () => {
  const before = bench.rigMeter.twin.observe('credit') as number;
  await bench.pressKeys([...'*10913015110000A10001#'] as never);
  await bench.runFor(1 * S);
  assert.ok(lcdLines.some((l) => /TOKEN ACCEPTED/.test(l)), `accept screen: ${lcdLines.slice(-8).join(' / ')}`);
  const after = bench.rigMeter.twin.observe('credit') as number;
  assert.ok(after - before > 124 && after - before <= 125, `credit ${before} -> ${after}`);
  await bench.close();
});

test('a board-observable scenario gives the same verdicts on the twin and on the emulated board', async () => {
  const sc = await loadScenario('scenarios/library/tamper-outputs.yaml');
  const twin = await runScenario(sc, createBench({ meter: sc.meter, plant: sc.plant, seed: 1 }), { seed: 1 });
  const rb = await createRigBench({ meter: sc.meter, plant: sc.plant, seed: 1 }, emulated());
  const rig = await runScenario(sc, rb, { seed: 1 });
  await rb.close();
  assert.is(twin.status, 'passed');
  assert.equal(rig.steps.map((s) => s.status), twin.steps.map((s) => s.status));
});

async function bootedRig(): Promise<RigBench> {
  const b = await createRigBench({ meter: await meter(), plant: { grid: { vrms: 230, hz: 50 } }, seed: 1 }, emulated());
  await b.start();
  await b.runFor(25 * S);
  return b;
}

test('a port lost mid-run aborts the run with the last relay state, keeps the trace, and a second run works', async () => {
  const b = await bootedRig();
  const events: string[] = [];
  b.trace.subscribe((ev) => events.push(`${ev.source}:${ev.kind}`));
  b.rig.link!.unplug();
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.instance(err, RigError);
  assert.match((err as Error).message, /(port closed|disconnected).*last known relay state: closed/, (err as Error).message);
  assert.ok(events.includes('rig:fault'));
  await b.close();
  const again = await bootedRig();
  assert.is(again.observe('relay'), 'closed');
  await again.close();
});

test('a board that stops answering aborts the run within 2 s', async () => {
  const b = await bootedRig();
  const t0 = b.now();
  b.rig.emulator!.freeze();
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /stopped answering/);
  assert.ok(b.now() - t0 <= 2 * S, `aborted after ${(b.now() - t0) / 1e6} s`);
  await b.close();
});

test('a board that answers garbage gets a clear error', async () => {
  let timer: NodeJS.Timeout | undefined;
  const garbage = new Duplex({
    read() {},
    write(_c, _e, cb) { cb(); },
    destroy(_e, cb) { clearInterval(timer); cb(null); },
  });
  timer = setInterval(() => garbage.push(Buffer.from('Hello from a GPS\r\n')), 20);
  const err = await RigConnection.openStream(garbage, 'a test stream', { wiring: DEFAULT_WIRING, parts: [...PART_NAMES], handshakeUs: 300_000 })
    .then(() => null, (e: unknown) => e);
  clearInterval(timer);
  assert.instance(err, RigError);
  assert.match((err as Error).message, /no Firmata board on a test stream within 0 s: received \d+ bytes that are not a Firmata handshake \(48 65 6c 6c 6f/);
});

test('parts left off the rig stay simulated: only the relay on the emulated board', async () => {
  const b = await createRigBench({ meter: await meter(), plant: { grid: { vrms: 230, hz: 50 } }, seed: 1 }, parseBoardChoice({ board: 'emulated', parts: 'relay' })!);
  await b.start();
  await b.runFor(25 * S);
  assert.is(b.observe('relay'), 'closed');
  assert.is(b.rig.afe, null);
  assert.match(String(b.rigMeter.twin.observe('lcd')), /CREDIT|CSOne/);
  await b.close();
});

test('a run on the emulated board is deterministic: same seed, same trace', async () => {
  const traceOf = async (): Promise<string> => {
    const b = await createRigBench({ meter: await meter(), plant: { grid: { vrms: 230, hz: 50 } }, seed: 7 }, emulated());
    const lines: string[] = [];
    b.trace.subscribe((ev) => lines.push(JSON.stringify(ev)));
    await b.start();
    await b.runFor(24 * S);
    await b.close();
    return lines.join('\n');
  };
  const a = await traceOf();
  const b = await traceOf();
  assert.ok(a.length > 1000);
  assert.ok(a === b, 'two runs gave different traces');
});

test('closing the emulated link after a run leaves no writes queued and raises no error', async () => {
  const b = await createRigBench({ meter: await meter(), plant: { grid: { vrms: 230, hz: 50 } }, seed: 1 }, emulated());
  const errors: string[] = [];
  b.rig.link!.stream.on('error', (e: Error) => errors.push(`stream: ${e.message}`));
  b.rig.io.on('error', (e: Error) => errors.push(`firmata: ${e.message}`));
  await b.start();
  await b.runFor(5 * S);
  const io = b.rig.io as unknown as { pending: number };
  assert.ok(b.rig.link!.bytesToBoard > 1_000, `the run wrote ${b.rig.link!.bytesToBoard} bytes`);
  // firmata-io counts each write until its completion callback runs: all have completed
  assert.is(io.pending, 0);
  await b.close();
  // a write after the cable is pulled is dropped, not an error
  b.rig.io.digitalWrite(b.rig.wiring.pins.relaya.pin, 0);
  await new Promise((r) => setImmediate(r));
  assert.equal(errors, []);
});

test('when the firmware clears the LCD for a new screen, the display on the emulated board shows none of the old one', async () => {
  const sc = await loadScenario('scenarios/library/boot-screens.yaml');
  const b = await createRigBench({ meter: sc.meter, plant: sc.plant, seed: 1 }, emulated());
  const glass: string[] = [];
  b.trace.subscribe((ev) => { if (ev.kind === 'lcd') { const d = ev.data as { line0: string; line1: string }; glass.push(`${d.line0}|${d.line1}`); } });
  await b.start();
  await b.runFor(30 * S);
  await b.close();
  // about 5 s after the credit scene the firmware re-initialises the display (lcd.begin clears it) and draws the
  // measurements: line 1 must never still show the credit scene's energy beside the new line 0
  const measurements = glass.filter((l) => /^V=/.test(l));
  assert.ok(measurements.length > 0, `the measurements scene never shown: ${glass.slice(-5).join(' / ')}`);
  for (const l of measurements) assert.not.match(l, /KW\/H/, l);
});

test.run();
