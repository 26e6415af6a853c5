// The files the README's and the example flows' own commands write into the repository root (JUnit XML, reports,
// EEPROM dumps, traces, JSON redirected there) are ignored by git, so running the documented commands in a clone
// leaves nothing to commit by mistake. Skipped outside a git checkout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const isRepo = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, encoding: 'utf8' }).stdout?.trim() === 'true';
const outputs = [
  'out.xml', 'regression-junit.xml', 'fault-injection-junit.xml', 'regression-report.html', 'workshop-report.html',
  'out.jsonl', 'dump.bin', 'after.bin', 'debug.log', 'runs.json', 'yield.json', 'matrix.json', 'fleet.json',
];

/** Files the commands of README.md and docs/*.md write into the folder they run in (`--save board.yaml`, `> runs.json`). */
function documentedOutputs(): string[] {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  const found = new Set<string>();
  for (const page of pages) {
    const md = readFileSync(join(root, page), 'utf8');
    for (const m of md.matchAll(/(?:--(?:save|out|junit|trace|report|json|save-eeprom|debug-log|twin-log)|eeprom make|>) ([A-Za-z0-9_.-]+\.[a-z]+)(?![\w/])/g)) found.add(m[1]);
  }
  return [...found].sort();
}

test('the documented commands\' output files are found in the docs (out.xml, runs.json, board.yaml ...)', () => {
  const found = documentedOutputs();
  for (const f of ['out.xml', 'runs.json', 'board.yaml', 'board.cir', 'debug.log']) assert.ok(found.includes(f), f);
});

(isRepo ? test : test.skip)('every file a documented command of README.md or docs/*.md writes into the folder it runs in is ignored by git', () => {
  const files = documentedOutputs();
  const r = spawnSync('git', ['check-ignore', '--no-index', '--verbose', '--non-matching', ...files], { cwd: root, encoding: 'utf8' });
  const notIgnored = r.stdout.split('\n').filter((l) => l.startsWith('::')).map((l) => l.split('\t')[1]);
  assert.equal(notIgnored, []);
});

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
