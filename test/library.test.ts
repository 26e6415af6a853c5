// End to end: every scenario of scenarios/library runs on the real twin bench and holds, and a scenario run twice with
// the same seed gives a byte-identical trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runWithTrace } from './support/run-library.ts';

const dir = fileURLToPath(new URL('../scenarios/library/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

const run = (file: string, seed: number) => runWithTrace(join(dir, file), seed);

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
