// docs/scenarios.md is the reference of the scenario language: every top-level key, step command, observable,
// matcher key and load kind the loader accepts is named there, so a user can write a scenario without reading code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOAD_KINDS, OBSERVABLES, STEP_COMMANDS } from '../scenarios/schema.ts';

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

test.run();
