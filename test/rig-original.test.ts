// The rig for the original firmware, emulated end to end (--target rig-emulated): the host's johnny-five rig board,
// AFE responder driver and debug-port parser against the emulated StandardFirmataPlus board, the responder's image in
// avr8js and a twin standing in for the real meter at pin level. Skipped (counted as skipped) where gcc-avr, avr-libc
// or arduino-core-avr are missing: the responder image is built from the project's sketch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toolchainProblem } from '../hil-rig/firmware/build-sketch.ts';
import { createOriginalRigBench, parseRigTarget, type OriginalRigBench } from '../hil-rig/rig-original/original-bench.ts';
import { RigError } from '../hil-rig/rig/connection.ts';
import { createBench, type BenchConfig } from '../twin/kernel/bench.ts';
import { loadScenario, parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { twinOnlyChecks, type Scenario } from '../scenarios/schema.ts';
import type { KeyName } from '../twin/meter.ts';
import type { TraceEvent } from '../twin/kernel/trace.ts';

const run = toolchainProblem() === null ? test : test.skip;
const S = 1_000_000;
const PLANT: BenchConfig['plant'] = { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'lamp', kind: 'resistive', watts: 100, pf: 1 }] };

async function meterOf(file: string): Promise<BenchConfig['meter']> { return (await loadScenario(file)).meter; }

/** A rig-emulated bench booted into mode 1 (relay closed by the first credit_reminder), with its trace recorded. */
async function bootedRig(credit = 500): Promise<{ b: OriginalRigBench; events: TraceEvent[] }> {
  const meter = { ...(await meterOf('scenarios/library/sts-tokens.yaml')), credit };
  const b = await createOriginalRigBench({ plant: PLANT, meter }, parseRigTarget({ target: 'rig-emulated' })!);
  const events: TraceEvent[] = [];
  b.trace.subscribe((e) => events.push(e));
  await b.start();
  assert.ok(await b.runUntil(() => b.observe('relay') === 'closed', 60 * S), 'the relay closes after boot');
  return { b, events };
}

run('a token typed through the rig\'s key outputs is accepted by the twin standing in for the meter', async () => {
  const { b } = await bootedRig();
  const w = b.world!;
  let closes = 0;
  for (const sw of w.switches) { const prev = sw.onSwitch; sw.onSwitch = (ch, c) => { prev?.(ch, c); if (c) closes++; }; }
  const token = '*43643501245072A10001#'; // 500 for meter MT100, tariff 1
  await b.runFor(5 * S); // past the boot's relay pulse (typed during it, the twin loses the '*' too)
  await b.pressKeys([...token] as KeyName[]);
  assert.ok(await b.runUntil(() => /TOKEN ACCEPTED/.test(String(w.standIn.observe('lcd'))), 2 * S), `stand-in LCD: ${String(w.standIn.observe('lcd'))}`);
  assert.is(closes, token.length, 'one analog switch closing per key');
  const credit = Number(w.standIn.observe('credit'));
  assert.ok(credit >= 999 && credit <= 1000, `credit ${credit}: 500 added to the 500 less what the lamp used (whole credits, D30)`);
  await b.close();
});

run('the relay coil pulses on the meter\'s pins are observed as relay closed, then open', async () => {
  const { b, events } = await bootedRig();
  const w = b.world!;
  assert.is(w.standIn.relay.isClosed, true);
  const relayEvents = events.filter((e) => e.source === 'meter' && e.kind === 'relay').map((e) => (e.data as { state: string }).state);
  assert.equal(relayEvents, ['closed']);
  // the cover opens: the next credit_reminder pulses the RESET coil
  b.tamper(true);
  assert.ok(await b.runUntil(() => b.observe('relay') === 'open', 8 * 60 * S), 'relay open after the tamper');
  assert.is(w.standIn.relay.isClosed, false, 'the stand-in\'s relay moved with it');
  assert.is(b.observe('led.red'), 'on');
  await b.close();
});

run('the debug log is parsed into lines, credit and readings', async () => {
  const { b } = await bootedRig();
  const w = b.world!;
  assert.match(String(b.observe('serial')), /^Device Powered! \nSetting up LCD\.\.\. \n/);
  assert.ok(await b.runUntil(() => b.rigMeter.readings !== null, 7 * 60 * S), 'a readings block within a loop pass');
  const r = b.rigMeter.readings!;
  assert.is(r.credit, Math.round(Number(w.standIn.observe('credit')) * 100) / 100);
  assert.ok(Math.abs(r.vrms - 230) < 1, `voltage ${r.vrms}`);
  assert.ok(Math.abs(r.watts - 100) < 10, `power ${r.watts}`);
  assert.is(r.hz, 50);
  assert.equal(String(b.observe('serial')), w.standIn.debugLog, 'the host read every line the meter printed');
  await b.close();
});

run('the AFE responder in avr8js answered every read of the meter inside its window, with the model\'s values', async () => {
  const { b } = await bootedRig();
  await b.runFor(6 * 60 * S);
  const afe = b.rigMeter.afe;
  assert.ok(afe.counts.read >= 8, `reads ${afe.counts.read}`);
  assert.ok(afe.counts.write >= 20, `writes ${afe.counts.write}`);
  assert.is(afe.counts.badChecksum + afe.counts.timeout, 0);
  assert.not.match(b.rigMeter.debug.text, /Read failed|Write failed|Checksum . Error/);
  await b.close();
});

run('a rig board port lost mid-run aborts at once with the last relay state, keeps the trace and closes', async () => {
  const { b, events } = await bootedRig();
  const t0 = b.now();
  b.link.link!.unplug();
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.instance(err, RigError);
  assert.match((err as Error).message, /(port closed|disconnected).*last known relay state: closed/);
  assert.ok(b.now() - t0 <= 2 * S);
  assert.ok(events.some((e) => e.source === 'rig' && e.kind === 'fault'));
  assert.ok(events.some((e) => e.source === 'meter' && e.kind === 'relay'), 'the events before the fault are kept');
  await b.close();
});

run('a responder that stops answering is a fault within 2 s', async () => {
  const { b } = await bootedRig();
  const t0 = b.now();
  b.world!.responder.freeze();
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /AFE responder stopped answering.*last known relay state: closed/);
  assert.ok(b.now() - t0 <= 2 * S, `after ${(b.now() - t0) / S} s`);
  await b.close();
});

run('a meter that resets by itself mid-run is a fault within 2 s', async () => {
  const { b, events } = await bootedRig();
  const t0 = b.now();
  b.world!.resetMeter();
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /meter reset by itself.*last known relay state: closed/);
  assert.ok(b.now() - t0 <= 2 * S, `after ${(b.now() - t0) / S} s`);
  assert.ok(events.some((e) => e.source === 'rig' && e.kind === 'fault'));
  await b.close();
});

run('a power cut and restore by the bench is not a fault: the meter boots again', async () => {
  const { b } = await bootedRig();
  b.power(false);
  await b.runFor(5 * S);
  b.power(true);
  await b.runFor(5 * S);
  assert.is(b.rigMeter.fault, null);
  assert.is(b.world!.standIn.powered, true);
  assert.is((b.rigMeter.debug.text.match(/Device Powered!/g) ?? []).length, 2);
  await b.close();
});

run('the meter\'s debug port lost mid-run is a fault naming it', async () => {
  const { b } = await bootedRig();
  b.world!.debugPort.unplug('the adapter was pulled');
  const err = await b.runFor(10 * S).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /debug port closed \(the adapter was pulled\).*last known relay state: closed/);
  await b.close();
});

run('a rig-emulated run is deterministic: same seed, same observed events at the same times', async () => {
  const observed = async (): Promise<string[]> => {
    const { b, events } = await bootedRig();
    b.tamper(true);
    await b.runFor(20 * S);
    await b.close();
    return events.filter((e) => e.source === 'meter' || e.source === 'rig').map((e) => `${e.t} ${e.kind} ${JSON.stringify(e.data)}`);
  };
  const a = await observed();
  assert.ok(a.length > 20);
  assert.equal(await observed(), a);
});

// The rig sees the relay through the coil pulses on the meter's pins: the lasting expect ends at the very event that
// moved the rig's relay model, and the one before it, which held, took exactly its `for`.
run('an expect with for on rig-emulated holds its whole for, and fails at the moment the relay the rig observes opens', async () => {
  const s = parseScenario([
    'name: relay stays closed', 'version: 1', 'targets: [rig]',
    'meter: { firmware: field, mode: sts, credit: 500, clock: "2026-03-01T08:00:00" }',
    'plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: lamp, kind: resistive, watts: 100 }] }',
    'steps:',
    '  - wait-until: { relay: closed, timeout: 1min }',
    '  - expect: { relay: closed, for: 2min }',
    '  - tamper: open',
    '  - name: the next credit_reminder opens it',
    '    expect: { relay: closed, for: 10min }',
  ].join('\n'), 'lasting.yaml');
  const b = await createOriginalRigBench({ meter: s.meter, plant: s.plant, seed: 1 }, parseRigTarget({ target: 'rig-emulated' })!);
  const opened: number[] = [];
  b.trace.subscribe((e) => { if (e.source === 'meter' && e.kind === 'relay' && (e.data as { state: string }).state === 'open') opened.push(e.t); });
  try {
    const r = await runScenario(s, b, { seed: 1 });
    assert.equal(r.steps.map((o) => o.status), ['ok', 'ok', 'ok', 'failed']);
    assert.is(r.steps[1].endUs! - r.steps[1].startUs!, 120 * S);
    const f = r.failure!;
    assert.is(f.observable, 'relay');
    assert.is(f.observed, 'open');
    assert.equal(opened, [f.timeUs]);
    assert.is(f.heldUs, f.timeUs - r.steps[3].startUs!);
    assert.ok(f.heldUs! > 0 && f.heldUs! < 8 * 60 * S, `held ${f.heldUs! / S} s`);
  } finally {
    await b.close();
  }
});

function libraryFiles(dir = 'scenarios/library'): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? libraryFiles(p) : f.endsWith('.yaml') ? [p] : [];
  });
}

/** A library scenario a rig can run: its expectations are all observable from outside, no network, phasor plant. */
function rigRunnable(s: Scenario): boolean {
  return twinOnlyChecks(s.steps).length === 0 && !s.network && s.plant.fidelity !== 'waveform' && (!s.targets || s.targets.includes('rig'));
}

run('every library scenario a rig can observe gives the same verdicts on the twin and on rig-emulated', async () => {
  const scenarios = (await Promise.all(libraryFiles().map((f) => loadScenario(f)))).filter(rigRunnable);
  assert.ok(scenarios.length >= 4, `rig-runnable library scenarios: ${scenarios.map((s) => s.file).join(', ')}`);
  for (const s of scenarios) {
    const cfg: BenchConfig = { meter: s.meter, plant: s.plant, seed: 1 };
    const twin = await runScenario(s, createBench(cfg), { seed: 1 });
    const rb = await createOriginalRigBench(cfg, parseRigTarget({ target: 'rig-emulated' })!);
    try {
      const rig = await runScenario(s, rb, { seed: 1 });
      assert.equal(rig.steps.map((x) => x.status), twin.steps.map((x) => x.status), s.file);
      assert.is(twin.status, 'passed', s.file);
    } finally {
      await rb.close();
    }
  }
});

test.run();
