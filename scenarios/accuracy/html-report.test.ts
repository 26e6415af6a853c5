// The HTML report's numbers as a person reads them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixed } from './html-report.ts';

test('a value that rounds to zero prints as 0.000, never -0.000', () => {
  assert.is(fixed(-0.0001, 3), '0.000');
  assert.is(fixed(-0, 3), '0.000');
  assert.is(fixed(-0.4, 0), '0');
  assert.is(fixed(-0.0006, 3), '-0.001');
  assert.is(fixed(1.23456, 2), '1.23');
});

test.run();
