// The files the README's and the example flows' own commands write into the repository root (JUnit XML, reports,
// EEPROM dumps, traces, JSON redirected there) are ignored by git, so running the documented commands in a clone
// leaves nothing to commit by mistake. Skipped outside a git checkout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isRepo = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8' }).stdout?.trim() === 'true';
const outputs = [
  'out.xml', 'regression-junit.xml', 'fault-injection-junit.xml', 'regression-report.html', 'workshop-report.html',
  'out.jsonl', 'dump.bin', 'after.bin', 'debug.log', 'runs.json', 'yield.json', 'matrix.json', 'fleet.json',
];

(isRepo ? test : test.skip)('every file a documented command writes into the repository root is ignored by git', () => {
  const r = spawnSync('git', ['check-ignore', '--no-index', '--verbose', '--non-matching', ...outputs], { cwd: root, encoding: 'utf8' });
  const notIgnored = r.stdout.split('\n').filter((l) => l.startsWith('::')).map((l) => l.split('\t')[1]);
  assert.equal(notIgnored, []);
});

(isRepo ? test : test.skip)('the project\'s own files at the root stay tracked', () => {
  const r = spawnSync('git', ['check-ignore', '--no-index', 'package.json', 'package-lock.json', 'tsconfig.json', 'README.md'], { cwd: root, encoding: 'utf8' });
  assert.is(r.stdout.trim(), '');
});

test.run();
