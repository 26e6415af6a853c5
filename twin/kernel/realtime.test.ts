import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from './clock.ts';
import { runPaced } from './realtime.ts';

/** A wall clock that moves 0.5 ms each time it is read: the pacing logic runs without real waiting. */
function fakeWall() { let t = 1000; return () => (t += 0.5); }

test('no event runs before the wall clock reaches its virtual time', async () => {
  const clock = new VirtualClock();
  const wall = fakeWall();
  const late: number[] = [];
  const w0 = wall();
  clock.every(50_000, () => late.push(wall() - (w0 + clock.now() / 1000)));
  await runPaced(clock, 1_000_000, 1, undefined, { wallMs: wall, spinMs: 0, maxSliceMs: 0 });
  assert.is(late.length, 20);
  assert.ok(late.every((d) => d >= 0), `an event ran early: ${late.find((d) => d < 0)}`);
  assert.is(clock.now(), 1_000_000);
});

test('a factor of 10 runs virtual time ten times faster than the wall clock', async () => {
  const clock = new VirtualClock();
  const wall = fakeWall();
  const w0 = wall();
  let wallAtEnd = 0;
  clock.at(2_000_000, () => { wallAtEnd = wall(); });
  await runPaced(clock, 2_000_000, 10, undefined, { wallMs: wall, spinMs: 0, maxSliceMs: 0 });
  assert.ok(wallAtEnd - w0 >= 200, `event at 2 s virtual ran ${wallAtEnd - w0} ms of wall after the start`);
});

test('pacing stops when the stop condition holds', async () => {
  const clock = new VirtualClock();
  let n = 0;
  clock.every(10_000, () => { n++; });
  await runPaced(clock, 10_000_000, 1, () => n >= 3, { wallMs: fakeWall(), spinMs: 0, maxSliceMs: 0 });
  assert.is(n, 3);
});

test('a pacing factor must be positive', async () => {
  const err = await runPaced(new VirtualClock(), 1000, 0).then(() => null, (e: Error) => e);
  assert.match(String(err), /positive/);
});

test.run();
