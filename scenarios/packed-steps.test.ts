// A large scenario loaded for a run keeps its steps packed (packed-steps.ts): they come back exactly as the loader
// made them, the same errors are raised at the same file:line:col, and the runner gives the same trace from them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError, parseScenario } from './loader.ts';
import { PackedSteps } from './packed-steps.ts';
import { failedOutcome, runScenario } from './runner.ts';
import { formatQuiet, formatReport } from './report.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { traceLine } from '../twin/kernel/trace.ts';
import type { Scenario } from './schema.ts';
import { yamlFiles } from '../test/support/yaml-files.ts';

const here = dirname(fileURLToPath(import.meta.url));


/** The scenario with its steps unpacked, or the error message. */
function read(text: string, file: string, pack: boolean): unknown {
  try {
    const s = parseScenario(text, file, { streamAboveChars: 0, groupSteps: 3, packSteps: pack });
    if (!pack) return s;
    assert.ok(s.packed instanceof PackedSteps || s.steps.length > 0, `${file}: streamed but not packed`);
    const { packed, ...rest } = s;
    return packed ? { ...rest, steps: [...packed] } : rest;
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
}

test('every library and fixture scenario reads the same packed as unpacked: steps, values and errors', () => {
  let packed = 0;
  for (const f of [...yamlFiles(join(here, 'library')), ...yamlFiles(join(here, 'fixtures'))]) {
    const text = readFileSync(f, 'utf8');
    const p = read(text, f, true);
    if (typeof p === 'object') packed++;
    assert.equal(p, read(text, f, false), f);
  }
  assert.ok(packed > 30, `only ${packed} scenarios were read packed`);
});

test('packed steps keep only text: the step objects of a group are not held after it is read', () => {
  const steps = new PackedSteps();
  const group = [{ index: 0, pos: { line: 3, col: 5 }, command: 'delay' as const, us: 2e6, text: '2s' }];
  steps.add(group);
  group[0].us = 1;
  assert.is(steps.length, 1);
  assert.is([...steps][0].command === 'delay' && ([...steps][0] as { us: number }).us, 2e6);
});

function library(name: string, pack: boolean): Scenario {
  const file = join(here, 'library', name);
  return parseScenario(readFileSync(file, 'utf8'), file, { streamAboveChars: 0, packSteps: pack });
}

async function run(s: Scenario): Promise<{ trace: string; result: Awaited<ReturnType<typeof runScenario>> }> {
  const bench = createBench({ meter: s.meter, plant: s.plant, ...(s.network ? { network: s.network } : {}), seed: 3, speed: 'max' });
  const lines: string[] = [];
  bench.trace.subscribe((ev) => lines.push(traceLine(ev)));
  try {
    const result = await runScenario(s, bench, { seed: 3 });
    return { trace: lines.join('\n'), result };
  } finally {
    await bench.close();
  }
}

test('a library scenario run from packed steps gives the byte-identical trace and a condensed result', async () => {
  const s = library('tamper.yaml', true);
  assert.ok(s.packed && s.steps.length === 0);
  const a = await run(s);
  const b = await run(library('tamper.yaml', false));
  assert.ok(a.trace.length > 1000);
  assert.ok(a.trace === b.trace, 'traces differ');
  assert.is(a.result.status, 'passed');
  assert.equal(a.result.steps, []);
  assert.equal(a.result.condensed, { total: b.result.steps.length, ok: b.result.steps.length, notRun: 0 });
  assert.equal(a.result.checks, b.result.checks);
  assert.match(formatReport(a.result), new RegExp(`${b.result.steps.length} steps: ${b.result.steps.length} held \\(a scenario this large`));
});

test('a packed scenario that fails keeps the failed step\'s outcome, counts the rest and reports it as the plain run does', async () => {
  const text = readFileSync(join(here, 'library', 'tamper.yaml'), 'utf8').replace(/steps:\n/, 'steps:\n  - expect: { relay: closed }\n');
  const packed = parseScenario(text, 'bad.yaml', { streamAboveChars: 0, packSteps: true });
  const plain = parseScenario(text, 'bad.yaml', { streamAboveChars: 0 });
  const a = (await run(packed)).result;
  const b = (await run(plain)).result;
  assert.is(a.status, 'failed');
  assert.equal(a.failure, b.failure);
  assert.equal(a.steps, [failedOutcome(b)]);
  assert.equal(a.condensed, { total: b.steps.length, ok: 0, notRun: b.steps.length - 1 });
  assert.is(formatQuiet(a), formatQuiet(b));
});

test.run();
