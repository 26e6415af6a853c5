// End to end: every scenario of scenarios/library runs on the real twin bench and holds, and a scenario run twice with
// the same seed gives a byte-identical trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { traceLine } from '../twin/kernel/trace.ts';

const dir = fileURLToPath(new URL('../scenarios/library/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

async function run(file: string, seed: number): Promise<{ exitCode: number; trace: string; failure?: unknown }> {
  const scenario = await loadScenario(join(dir, file));
  const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed, speed: 'max' });
  const lines: string[] = [];
  bench.trace.subscribe((ev) => lines.push(traceLine(ev)));
  try {
    const result = await runScenario(scenario, bench, { seed });
    return { exitCode: result.exitCode, trace: lines.join('\n'), failure: result.failure };
  } finally {
    await bench.close();
  }
}

test('the library holds at least the six scenarios the foundation asks for', () => {
  assert.ok(files.length >= 6, `only ${files.length} scenarios`);
});

for (const file of files) {
  test(`library scenario ${file} holds on the twin`, async () => {
    const r = await run(file, 1);
    assert.is(r.exitCode, 0, `failure: ${JSON.stringify(r.failure)}`);
  });
}

test('the same scenario and seed give a byte-identical trace', async () => {
  const a = await run('sts-tokens.yaml', 7);
  const b = await run('sts-tokens.yaml', 7);
  assert.ok(a.trace.length > 1000);
  assert.ok(a.trace === b.trace, 'traces differ');
});

test.run();
