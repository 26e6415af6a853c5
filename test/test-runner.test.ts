// The test runner itself (scripts/test.ts), run on a tree of its own in a temporary folder: a copy of the runner, the
// project's node_modules, and test files made for the case. A run that cannot finish must fail, name the file and
// still print the closing line CI reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchDir } from './support/scratch.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const made: string[] = [];

/** Runs the runner on a tree holding `files` (name under test/ -> source); returns its exit code and output. */
function runOn(files: Record<string, string>, env: Record<string, string> = {}): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'osm-runner-'));
  made.push(dir);
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'test'));
  copyFileSync(join(root, 'scripts', 'test.ts'), join(dir, 'scripts', 'test.ts'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'test', name), text);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'scripts', 'test.ts'), '--no-typecheck'], {
    cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

const PASSES = "import { test } from 'uvu';\nimport * as assert from 'uvu/assert';\ntest('holds', () => { assert.ok(true); });\ntest.run();\n";

test.after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

test('a test that awaits something that never happens fails the run, named, with the closing line', () => {
  const r = runOn({
    'a-hangs.test.ts': "import { test } from 'uvu';\ntest('waits for nothing', async () => { await new Promise(() => undefined); });\ntest.run();\n",
    'b-passes.test.ts': PASSES,
  });
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /✘ test\/a-hangs\.test\.ts: the run ended before its tests finished/);
  assert.match(r.out, /\n0 passed, 1 failed, 0 skipped\n/);
});

test('a test held by a live timer fails once the file has run longer than OSM_TEST_FILE_TIMEOUT_S', () => {
  const r = runOn({
    'a-live.test.ts': "import { test } from 'uvu';\ntest('never ends', async () => { await new Promise(() => { setInterval(() => undefined, 100); }); });\ntest.run();\n",
  }, { OSM_TEST_FILE_TIMEOUT_S: '1' });
  assert.is(r.code, 1, r.out);
  assert.match(r.out, /✘ test\/a-live\.test\.ts: still running after 1 s/);
  assert.match(r.out, /\n0 passed, 1 failed, 0 skipped\n/);
});

test('a run whose tests all finish ends with their count and exit 0', () => {
  const r = runOn({ 'a-passes.test.ts': PASSES, 'b-passes.test.ts': PASSES });
  assert.is(r.code, 0, r.out);
  assert.match(r.out, /\n2 passed, 0 failed, 0 skipped\n/);
});

test('a test\'s scratch files go to the run\'s own temporary folder, removed when the run ends', () => {
  const record = join(scratchDir('osm-runner-record-'), 'tmpdir.txt');
  const r = runOn({
    'a-leaves.test.ts': "import { test } from 'uvu';\nimport { mkdtempSync, writeFileSync } from 'node:fs';\n"
      + "import { tmpdir } from 'node:os';\nimport { join } from 'node:path';\n"
      + `test('forgets its folder', () => { writeFileSync(${JSON.stringify(record)}, tmpdir()); mkdtempSync(join(tmpdir(), 'scratch-')); });\ntest.run();\n`,
    'b-passes.test.ts': PASSES,
  });
  assert.is(r.code, 0, r.out);
  const runTmp = readFileSync(record, 'utf8');
  assert.match(runTmp, /osm-test-run-/);
  assert.not.ok(existsSync(runTmp), `${runTmp} is still there`);
});

test.run();
