import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Watchers } from './watchers.ts';

test('an observer of every item sees all of them, one of a key only that key\'s', () => {
  const w = new Watchers<string>();
  const all: string[] = [];
  const mt101: string[] = [];
  w.add((x) => all.push(x));
  w.add((x) => mt101.push(x), 'MT101');
  w.tell('a', 'MT101');
  w.tell('b', 'MT102');
  w.tell('c', null);
  assert.equal(all, ['a', 'b', 'c']);
  assert.equal(mt101, ['a']);
});

test('the function add returns stops that observer only', () => {
  const w = new Watchers<number>();
  const seen: string[] = [];
  const stop1 = w.add((x) => seen.push(`one ${x}`), 'k');
  w.add((x) => seen.push(`two ${x}`), 'k');
  const stopAll = w.add((x) => seen.push(`all ${x}`));
  stop1();
  stopAll();
  w.tell(1, 'k');
  assert.equal(seen, ['two 1']);
});

test.run();
