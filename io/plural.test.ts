import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { plural } from './plural.ts';

test('one of a thing is singular, none and several are plural', () => {
  assert.is(plural(1, 'digit'), '1 digit');
  assert.is(plural(0, 'digit'), '0 digits');
  assert.is(plural(9, 'digit'), '9 digits');
});

test('an irregular plural is given', () => {
  assert.is(plural(1, 'reply', 'replies'), '1 reply');
  assert.is(plural(2, 'reply', 'replies'), '2 replies');
});

test.run();
