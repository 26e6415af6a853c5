import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeBench } from '../test/support/fake-bench.ts';
import { InterruptedError, slicedBench } from './interrupt.ts';

const SLICE = 60e6;

test('a long run is cut into slices, with onSlice before and after each yield', async () => {
  const b = new FakeBench();
  await b.start();
  const seen: number[] = [];
  await slicedBench(b, SLICE, (t) => seen.push(t)).runFor(5 * SLICE + 1);
  assert.equal(seen, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5].map((k) => k * SLICE));
  assert.is(b.now(), 5 * SLICE + 1);
});

test('many short runs that add up to a slice yield too (a replay\'s lines seconds apart can be stopped)', async () => {
  const b = new FakeBench();
  await b.start();
  const seen: number[] = [];
  const s = slicedBench(b, SLICE, (t) => seen.push(t));
  for (let i = 0; i < 600; i++) await s.runFor(1e6); // 10 minutes, one second at a time
  assert.is(seen.length, 20, `onSlice ran ${seen.length} times`);
  assert.equal(seen.filter((_, i) => i % 2 === 0), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((k) => k * SLICE));
});

test('short runUntil calls add up to a slice as well', async () => {
  const b = new FakeBench();
  await b.start();
  let n = 0;
  const s = slicedBench(b, SLICE, () => { n++; });
  for (let i = 0; i < 120; i++) await s.runUntil(() => false, 1e6);
  assert.is(n, 4);
});

test('a stop asked for while short runs follow each other ends the run at the next slice', async () => {
  const b = new FakeBench();
  await b.start();
  let stop = false;
  const s = slicedBench(b, SLICE, () => { if (stop) throw new InterruptedError('SIGINT'); });
  let runs = 0;
  try {
    for (; runs < 10_000; runs++) {
      if (runs === 30) stop = true;
      await s.runFor(1e6);
    }
    assert.unreachable('the stop was never seen');
  } catch (err) {
    assert.instance(err, InterruptedError);
  }
  assert.is(runs, 59);
});

test.run();
