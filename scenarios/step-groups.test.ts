// A large scenario's steps read in groups (step-groups.ts, loader.ts) give exactly what the whole parse gives: the
// same steps, the same errors at the same file:line:col.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, parseScenario } from './loader.ts';
import { splitSteps } from './step-groups.ts';
import { yamlFiles } from '../test/support/yaml-files.ts';

const here = dirname(fileURLToPath(import.meta.url));


/** The scenario or the error message, parsed whole or in groups of `group` steps. */
function outcome(text: string, file: string, streamed: boolean, group = 2): unknown {
  try {
    const s = parseScenario(text, file, streamed ? { streamAboveChars: 0, groupSteps: group } : { streamAboveChars: Infinity });
    return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)));
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
}

const files = [...yamlFiles(join(here, 'library')), ...yamlFiles(join(here, 'fixtures'))];

test('every library and fixture scenario reads the same whole and in groups of 1, 2 and 7 steps', () => {
  let split = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (splitSteps(text)) split++;
    const whole = outcome(text, f, false);
    for (const g of [1, 2, 7]) assert.equal(outcome(text, f, true, g), whole, `${f} in groups of ${g}`);
  }
  assert.ok(split > 40, `only ${split} of ${files.length} files have a block steps list to split`);
});

/** A scenario of `n` steps (three kinds in turn), with `bad` put in as step `at` if given. */
function big(n: number, bad?: { at: number; line: string }): string {
  const out = ['name: big', 'version: 1', 'meter: { credit: 100000 }', '# the steps', 'steps:'];
  for (let i = 0; i < n; i++) {
    if (bad && i === bad.at) { out.push(bad.line); continue; }
    out.push(i % 3 === 0 ? `  - set-load: { id: heater, watts: ${100 + (i % 2000)}, pf: 1 }` : i % 3 === 1 ? '  - delay: 2s' : '  - expect: { relay: closed }');
  }
  out.push('plant: { grid: { vrms: 240, hz: 50 } }');
  return `${out.join('\n')}\n`;
}

test('a 200 000-step scenario reads in groups as it reads whole, a key after the steps included', () => {
  const text = big(200_000);
  assert.ok(text.length > 5e6);
  const grouped = parseScenario(text, 'big.yaml', { streamAboveChars: 0 });
  assert.is(grouped.steps.length, 200_000);
  assert.equal(grouped.steps[199_998], { index: 199_998, pos: { line: 200_004, col: 5 }, command: 'set-load', load: { id: 'heater', watts: 2098, pf: 1 }, remove: false } as unknown as typeof grouped.steps[0]);
  assert.equal(grouped.steps[199_999], { index: 199_999, pos: { line: 200_005, col: 5 }, command: 'delay', us: 2e6, text: '2s' } as unknown as typeof grouped.steps[0]);
  assert.is(grouped.plant.grid.vrms, 240);
});

test('an error near the end of a large scenario is reported at its file:line:col, as the whole parse does', () => {
  const text = big(60_000, { at: 59_990, line: '  - delay: 5 parsecs' });
  const whole = outcome(text, 'big.yaml', false);
  assert.match(String(whole), /^big\.yaml:59996:12: /);
  assert.is(outcome(text, 'big.yaml', true, 2000), whole);
  const syntax = big(60_000, { at: 45_000, line: '  - delay: [2s' });
  assert.match(String(outcome(syntax, 'big.yaml', false)), /^big\.yaml:45007:3: YAML syntax error: /);
  for (const g of [2000, 5000, 1]) assert.is(outcome(syntax, 'big.yaml', true, g), outcome(syntax, 'big.yaml', false), `groups of ${g}`);
});

test('a load of a large scenario reports its progress group by group', () => {
  const text = big(10_000);
  const seen: [number, number, number][] = [];
  parseScenario(text, 'big.yaml', { streamAboveChars: 0, groupSteps: 1000, onProgress: (read, total, steps) => seen.push([read, total, steps]) });
  assert.is(seen.length, 10);
  assert.equal(seen.map((s) => s[2]), [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
  assert.ok(seen.every((s, i) => s[1] === text.length && (i === 0 || s[0] > seen[i - 1][0])));
});

test('only a plain block list under a top-level steps key is split', () => {
  assert.is(splitSteps('name: x\nsteps: [{ delay: 1s }]\n'), null);
  assert.is(splitSteps('name: x\nsteps:\n  delay: 1s\n'), null);
  assert.ok(splitSteps('name: x\nsteps:\n- delay: 1s\nversion: 1\n'));
  assert.is(splitSteps('name: x\nsteps:\n  - delay: 1s\nsteps:\n  - delay: 2s\n'), null, 'a key twice: the whole parse reports it');
});

test.run();
