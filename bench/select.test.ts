import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBenchmarks } from './select.ts';
import { BENCHMARKS } from './benchmarks.ts';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const names = (filters: string[]): string[] => selectBenchmarks(BENCHMARKS, filters).map((b) => b.name);

test('a benchmark\'s whole name runs that benchmark alone, as the README says of npm run bench -- sts-day', () => {
  assert.equal(names(['sts-day']), ['sts-day']);
  assert.equal(names(['connected-day']), ['connected-day']);
});

test('a part of a name runs every benchmark whose name contains it', () => {
  assert.ok(names(['day']).length > 3);
  assert.ok(names(['day']).every((n) => n.includes('day')));
  assert.equal(names(['waveform']), BENCHMARKS.map((b) => b.name).filter((n) => n.includes('waveform')));
});

test('no name runs every benchmark; a name that matches none selects none', () => {
  assert.is(names([]).length, BENCHMARKS.length);
  assert.equal(names(['no-such-benchmark']), []);
});

test('every "npm run bench -- NAME" in README.md and docs/*.md names at least one benchmark', () => {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  let checked = 0;
  for (const page of pages) {
    for (const m of readFileSync(join(root, page), 'utf8').matchAll(/npm run bench -- ([a-z0-9-]+)/g)) {
      assert.ok(names([m[1]]).length > 0, `${page}: npm run bench -- ${m[1]} matches no benchmark`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `only ${checked} checked`);
});

test.run();
