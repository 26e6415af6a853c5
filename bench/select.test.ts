import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectBenchmarks } from './select.ts';
import { BENCHMARKS } from './benchmarks.ts';

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

test.run();
