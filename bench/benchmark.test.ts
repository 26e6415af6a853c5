import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hourCurve } from './benchmark.ts';

test('hourCurve: a day shows its first three hours, the range of the middle ones and the last two', () => {
  const day = [0.92, 0.24, 0.23, ...Array.from({ length: 19 }, (_, i) => 0.12 + (i === 7 ? 0.015 : 0)), 0.22, 0.21];
  assert.is(hourCurve(day), 'h1 0.92, h2 0.24, h3 0.23, h4-h22 0.12-0.14, h23 0.22, h24 0.21');
});

test('hourCurve: a few hours are shown each', () => {
  assert.is(hourCurve([0.5, 0.25]), 'h1 0.50, h2 0.25');
});

test.run();
