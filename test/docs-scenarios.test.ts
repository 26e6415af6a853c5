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

test.run();
