// docs/scenarios.md is the reference of the scenario language: every top-level key, step command, observable,
// matcher key and load kind the loader accepts is named there, so a user can write a scenario without reading code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOAD_KINDS, OBSERVABLES, STEP_COMMANDS } from '../scenarios/schema.ts';
import { parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { Load } from '../models/loads/load.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(root, 'docs', 'scenarios.md'), 'utf8');
const named = (word: string): boolean => doc.includes(`\`${word}\``);

test('docs/scenarios.md names every top-level key of a scenario', () => {
  for (const k of ['name', 'version', 'description', 'meter', 'plant', 'network', 'targets', 'steps']) assert.ok(named(k), k);
});

test('docs/scenarios.md names every step command', () => {
  for (const c of STEP_COMMANDS) assert.ok(named(c), c);
});

test('docs/scenarios.md names every observable a check can look at', () => {
  for (const o of [...Object.keys(OBSERVABLES), 'telemetry.<key>']) assert.ok(named(o), o);
});

test('docs/scenarios.md names every matcher form and every load kind', () => {
  for (const m of ['approx', 'tol', 'tolPercent', 'min', 'max', 'not']) assert.ok(doc.includes(m), m);
  for (const k of LOAD_KINDS) assert.ok(named(k), k);
});

/** The rows of the table "What a check can look at": the observables a row names (in backquotes) and its rig column. */
function observableRows(): Array<{ names: string[]; rig: string }> {
  const section = doc.slice(doc.indexOf('## What a check can look at'), doc.indexOf('## How a value is matched'));
  return section.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
    const cells = l.split('|').map((c) => c.trim());
    const names = [...cells[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]).filter((n) => n in OBSERVABLES || n === 'telemetry.<key>');
    return { names, rig: cells[3] };
  });
}

// What a rig observes decides which scenarios can run there: a row saying "yes" for an observable the rig cannot see
// sends a user to write a rig scenario the loader refuses or that can never hold.
test('docs/scenarios.md says "seen on a rig" yes exactly for what a rig observes (telemetry needs a network: section, which a rig refuses)', () => {
  const rows = observableRows();
  const said = new Map(rows.flatMap((r) => r.names.map((n) => [n, r.rig.startsWith('yes')] as const)));
  for (const [name, info] of Object.entries(OBSERVABLES)) assert.is(said.get(name), !info.twinOnly, name);
  assert.is(said.get('telemetry.<key>'), false, 'telemetry.<key>');
  const s = parseScenario('name: t\nversion: 1\ntargets: [rig]\nsteps:\n  - expect: { relay: open }\n', 'rig.yaml');
  assert.ok(s);
  assert.throws(() => parseScenario('name: t\nversion: 1\ntargets: [rig]\nnetwork: { coverage: true }\nsteps:\n  - expect: { telemetry.credit: 1 }\n', 'rig.yaml'), /network/);
});

// "each key is held 120 ms with 180 ms between keys unless hold/gap say otherwise; time passes until ..." as the doc
// says it: four keys take 4 x (120 + 180) ms, the gap after the last key included.
test('press-keys lets as much time pass as docs/scenarios.md says: every key its hold and its gap, the last one too', async () => {
  assert.match(doc, /time passes until the last key is released and its gap has passed/);
  const s = parseScenario('name: keys\nversion: 1\nsteps:\n  - press-keys: "1234"\n  - press-keys: { keys: "12 3", hold: 50ms, gap: 10ms }\n', 'keys.yaml');
  const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1, speed: 'max' });
  try {
    const r = await runScenario(s, bench, { seed: 1 });
    assert.equal(r.steps.map((o) => (o.endUs ?? 0) - (o.startUs ?? 0)), [4 * 300_000, 3 * 60_000]);
  } finally {
    await bench.close();
  }
});

// "Give watts (the power at ratedVolts, default 240 V ...)": on a 230 V supply a watts: 100 load draws 91.8 W.
test('a load\'s watts are at the ratedVolts docs/scenarios.md gives as the default (240 V), not at the supply\'s voltage', () => {
  const m = /Give `watts` \(the real power at `ratedVolts`, default (\d+) V: on a 230 V supply `watts: 100` draws (\d+\.\d) W/.exec(doc);
  assert.ok(m, 'docs/scenarios.md states the default ratedVolts and its effect on a 230 V supply');
  const s = parseScenario('name: l\nversion: 1\nplant: { grid: { vrms: 230, hz: 50 } }\nsteps:\n  - set-load: { id: f, watts: 100 }\n', 'l.yaml');
  const step = s.steps[0] as { load: ConstructorParameters<typeof Load>[0] };
  const load = new Load(step.load, { vrms: 230, hz: 50 });
  assert.is(load.spec.ratedVolts, Number(m![1]));
  const [r, x] = load.impedance(1, 50);
  assert.is(((230 * 230 * r) / (r * r + x * x)).toFixed(1), m![2]);
});

test.run();
