import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TraceEvent } from '../twin/kernel/trace.ts';
import { FakeBench } from '../test/support/fake-bench.ts';
import { ScenarioError, parseScenario } from './loader.ts';
import { ScenarioRunError, runScenario } from './runner.ts';

const HEAD = 'name: t\nversion: 1\nsteps:\n';
const scenario = (steps: string): ReturnType<typeof parseScenario> => parseScenario(HEAD + steps, 't.yaml');

test('exits 0 when every expectation holds', async () => {
  const s = scenario('  - delay: 2s\n  - expect: { relay: closed, credit: 500, lcd: "CREDIT=#500.00" }\n');
  const r = await runScenario(s, new FakeBench());
  assert.is(r.status, 'passed');
  assert.is(r.exitCode, 0);
  assert.equal(r.checks, { total: 3, held: 3 });
  assert.equal(r.steps.map((o) => o.status), ['ok', 'ok']);
});

test('exits 1 on a failed expect, naming the step, observable, expected, observed and time', async () => {
  const s = scenario('  - delay: 3s\n  - name: relay is open\n    expect: { credit: 500, relay: open }\n  - power: cut\n');
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  assert.is(r.exitCode, 1);
  const f = r.failure!;
  assert.is(f.step, 2);
  assert.is(f.stepName, 'relay is open');
  assert.is(f.observable, 'relay');
  assert.is(f.expected, '"open"');
  assert.is(f.observed, 'closed');
  assert.is(f.timeUs, 3_000_000);
  assert.is(f.time, '3.000s');
  assert.is(`${f.line}:${f.col}`, '6:28');
  assert.equal(f.mismatches.map((m) => m.observable), ['relay']);
});

test('stops at the first failure: later steps do not run', async () => {
  const s = scenario('  - expect: { relay: open }\n  - power: cut\n  - delay: 1s\n');
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  assert.equal(r.steps.map((o) => o.status), ['failed', 'not-run', 'not-run']);
  assert.not.ok(bench.calls.includes('power false'));
  assert.is(bench.now(), 0);
});

test('lists every check of the failing step that did not hold', async () => {
  const s = scenario('  - expect: { relay: open, credit: 1, voltage: { min: 0 } }\n');
  const r = await runScenario(s, new FakeBench());
  assert.equal(r.failure!.mismatches.map((m) => m.observable), ['relay', 'credit']);
  assert.equal(r.checks, { total: 3, held: 1 });
});

test('wait-until returns as soon as the condition holds', async () => {
  // 3.6 kW bills 0.001 credit per 1 s tick: 1.0105 falls below 1 at the 11th tick, and the relay opens.
  const s = scenario('  - wait-until: { relay: open, timeout: 1min }\n  - expect: { relay: open }\n');
  const bench = new FakeBench({ credit: 1.0105, loads: [{ id: 'h', watts: 3600 }] });
  const r = await runScenario(s, bench);
  assert.is(r.exitCode, 0);
  assert.is(r.steps[0].endUs, 11_000_000);
});

test('wait-until fails at its timeout with the last observed values', async () => {
  const s = scenario('  - delay: 1s\n  - wait-until: { relay: open, timeout: 30s }\n');
  const r = await runScenario(s, new FakeBench());
  const f = r.failure!;
  assert.is(f.command, 'wait-until');
  assert.is(f.timeout, '30s');
  assert.is(f.timeUs, 31_000_000);
  assert.is(f.observed, 'closed');
  assert.match(f.reason, /expected relay "open" within 30s, observed "closed"/);
});

test('a wait-until that already holds does not advance time', async () => {
  const s = scenario('  - wait-until: { relay: closed, timeout: 1h }\n');
  const bench = new FakeBench();
  await runScenario(s, bench);
  assert.is(bench.now(), 0);
});

test('an expect with for that holds the whole time passes, and time has advanced by exactly the for', async () => {
  const s = scenario('  - delay: 1500ms\n  - expect: { relay: closed, freq: 50, for: 1min }\n');
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  assert.is(r.exitCode, 0, JSON.stringify(r.failure));
  assert.is(r.steps[1].endUs! - r.steps[1].startUs!, 60_000_000);
  assert.is(bench.now(), 61_500_000);
  assert.equal(r.checks, { total: 2, held: 2 });
});

// The frequency goes back to 50 Hz at 1.5 s + 7.25 s, between two of the fake meter's 1 s ticks: the step fails at
// that event's time, not at a later sample.
test('an expect with for that stops holding fails at the exact virtual time of the change, naming the check', async () => {
  const s = scenario([
    '  - delay: 1500ms', '  - grid: { hz: 51, for: 7250ms }', '  - name: stays at 51 Hz',
    '    expect: { relay: closed, freq: 51, for: 1min }', '  - log: not reached',
  ].join('\n'));
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  const f = r.failure!;
  assert.is(f.step, 3);
  assert.is(f.command, 'expect');
  assert.is(f.for, '1min');
  assert.is(f.observable, 'freq');
  assert.is(f.observed, 50);
  assert.equal(f.mismatches.map((m) => m.observable), ['freq']);
  assert.is(f.timeUs, 8_750_000);
  assert.is(f.heldUs, 7_250_000);
  assert.is(f.reason, 'expected freq 51 for 1min, observed 50 after 7.250s');
  assert.is(bench.now(), 8_750_000);
  assert.equal(r.steps.map((o) => o.status), ['ok', 'ok', 'failed', 'not-run']);
});

test('an expect with for fails on a change at the last instant of its for, as a delay and an expect would see it', async () => {
  const s = scenario('  - grid: { hz: 51, for: 1min }\n  - expect: { freq: 51, for: 1min }\n');
  const r = await runScenario(s, new FakeBench());
  assert.is(r.failure?.timeUs, 60_000_000);
  assert.is(r.failure?.heldUs, 60_000_000);
});

test('an expect with for whose check does not hold at the start fails at once, and no time passes', async () => {
  const s = scenario('  - delay: 2s\n  - expect: { relay: open, for: 1min }\n');
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  const f = r.failure!;
  assert.is(f.timeUs, 2_000_000);
  assert.is(bench.now(), 2_000_000);
  assert.is(f.heldUs, undefined);
  assert.is(f.reason, 'expected relay "open" for 1min, observed "closed" at once');
});

test('a grid change with for reverts after that long', async () => {
  const s = scenario([
    '  - delay: 1500ms', '  - grid: { vrms: 180, for: 3s }', '  - delay: 1s',
    '  - expect: { voltage: { approx: 180, tol: 1 } }', '  - delay: 3s', '  - expect: { voltage: { approx: 230, tol: 1 } }',
  ].join('\n'));
  const r = await runScenario(s, new FakeBench());
  assert.is(r.exitCode, 0, JSON.stringify(r.failure));
});

test('press-keys advances time by the holds and gaps of the keys', async () => {
  const s = scenario('  - press-keys: { keys: "*12#", hold: 100ms, gap: 50ms }\n  - expect: { serial: "key #" }\n');
  const bench = new FakeBench();
  const r = await runScenario(s, bench);
  assert.is(r.exitCode, 0);
  assert.is(r.steps[0].endUs, 4 * 100_000 + 3 * 50_000);
  assert.ok(bench.calls.includes('pressKeys *12#'));
});

test('drives loads, power and tamper on the bench in step order', async () => {
  const s = scenario([
    '  - set-load: { id: kettle, kind: kettle, watts: 2000 }', '  - tamper: open', '  - tamper: close', '  - power: cut',
    '  - power: restore', '  - set-load: { id: kettle, remove: true }',
  ].join('\n'));
  const bench = new FakeBench();
  await runScenario(s, bench);
  assert.equal(bench.calls, ['start', 'setLoad kettle', 'tamper true', 'tamper false', 'power false', 'power true', 'removeLoad kettle']);
});

test('emits one scenario/step event per step, numbered from 1, and a note for log', async () => {
  const s = scenario('  - log: hello\n  - name: wait\n    delay: 2s\n');
  const bench = new FakeBench();
  const events: TraceEvent[] = [];
  bench.trace.subscribe((ev) => { if (ev.source === 'scenario') events.push(ev); });
  await runScenario(s, bench);
  assert.equal(events.map((e) => e.kind), ['start', 'step', 'note', 'step', 'end']);
  assert.equal(events[1].data, { step: 1, command: 'log', text: 'log hello' });
  assert.equal(events[2].data, { step: 1, text: 'hello' });
  assert.equal(events[3].data, { step: 2, command: 'delay', name: 'wait', text: 'delay 2s' });
  assert.is(events[4].t, 2_000_000);
});

test('refuses twin-only observables on a rig before starting, at the check position', async () => {
  const s = scenario('  - delay: 1s\n  - expect: { relay: closed, lcd: "x" }\n');
  const bench = new FakeBench({ meterKind: 'rig' });
  try {
    await runScenario(s, bench);
    assert.unreachable('should refuse');
  } catch (err) {
    assert.instance(err, ScenarioError);
    assert.is((err as ScenarioError).message.split(': ')[0], 't.yaml:5:30');
    assert.match((err as Error).message, /only the twin can observe: lcd \(line 5\)/);
  }
  assert.equal(bench.calls, []);
});

test('names every twin-only expectation of a scenario refused on a rig', async () => {
  const s = scenario('  - expect: { lcd: "x", relay: closed }\n  - wait-until: { credit: { min: 1 }, timeout: 1s }\n  - expect: { voltage: 230 }\n');
  const bench = new FakeBench({ meterKind: 'rig' });
  const err = await runScenario(s, bench).then(() => null, (e: unknown) => e);
  assert.instance(err, ScenarioError);
  assert.match((err as Error).message, /3 expectations assert what only the twin can observe: lcd \(line 4\), credit \(line 5\), voltage \(line 6\)/);
  assert.equal(bench.calls, []);
});

test('a scenario whose targets leave out the rig is refused on a rig and runs on the twin', async () => {
  const s = scenario('  - delay: 1s\n');
  s.targets = ['twin'];
  const err = await runScenario(s, new FakeBench({ meterKind: 'rig' })).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /declares targets: \[twin\]; it does not run on a rig/);
  assert.is((await runScenario(s, new FakeBench())).exitCode, 0);
});

test('runs common observables on a rig', async () => {
  const s = scenario('  - delay: 1s\n  - expect: { relay: closed, serial: "Device Powered!" }\n');
  const r = await runScenario(s, new FakeBench({ meterKind: 'rig' }));
  assert.is(r.exitCode, 0);
});

test('wraps a bench error with the step number, text and time', async () => {
  const s = scenario('  - delay: 2s\n  - power: cut\n');
  try {
    await runScenario(s, new FakeBench({ failOn: 'power' }));
    assert.unreachable('should throw');
  } catch (err) {
    assert.instance(err, ScenarioRunError);
    assert.is((err as ScenarioRunError).step, 2);
    assert.is((err as Error).message, 'step 2 (power cut) at 2.000s: fake bench: power failed on purpose');
  }
});

test('reads lcd rows and telemetry keys when the bench only offers the whole value', async () => {
  const s = scenario('  - delay: 1s\n  - expect: { lcd.line0: "CREDIT=#500.00", lcd.line1: "/^ENERGY=/", telemetry.credit: 500 }\n');
  const r = await runScenario(s, new FakeBench());
  assert.is(r.exitCode, 0, JSON.stringify(r.failure));
});

test.run();
