// A flow's waits at max speed run in slices with a turn of the event loop between them (yielding-run.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench, type Bench } from '../../twin/kernel/bench.ts';
import { traceLine } from '../../twin/kernel/trace.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { runYielding } from './yielding-run.ts';

const MIN = 60e6;

function bench(): { b: Bench; lines: string[] } {
  const b = createBench({ meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 500 }, plant: { grid: { vrms: 240, hz: 50 } }, seed: 1 });
  const lines: string[] = [];
  b.trace.subscribe((e) => lines.push(traceLine(e)));
  return { b, lines };
}

test('a run cut into a slice after every event gives the trace and the time of one run', async () => {
  const one = bench();
  await one.b.start();
  await one.b.runUntil(() => false, 2 * MIN);
  const cut = bench();
  await cut.b.start();
  let wall = 0;
  // a wall clock that moves 1 ms at each look and slices of 1 ms: every event ends a slice
  await runYielding(cut.b, () => false, 2 * MIN, { sliceMs: 1, wallMs: () => wall++ });
  assert.ok(wall > 1000, `the run was cut into slices (${wall} looks at the wall clock)`);
  assert.equal(cut.b.now(), one.b.now());
  assert.equal(cut.lines, one.lines);
  await one.b.close();
  await cut.b.close();
});

test('a timer set before a long run fires while the run goes on, and the run stops when it is told to', async () => {
  const { b } = bench();
  await b.start();
  let stop = false;
  setTimeout(() => { stop = true; }, 0);
  const stopped = await runYielding(b, () => stop, 2000 * 60 * MIN);
  assert.ok(stopped);
  assert.ok(b.now() < 2000 * 60 * MIN, `stopped at ${b.now()} us, before the end of the 2000 h`);
  await b.close();
});

test('a run that is not stopped ends at its end time and says the stop did not hold', async () => {
  const { b } = bench();
  await b.start();
  const t0 = b.now();
  const stopped = await runYielding(b, () => false, 30e6, { sliceMs: 0 });
  assert.not.ok(stopped);
  assert.equal(b.now(), t0 + 30e6);
  await b.close();
});

test('a bench paced at a multiple of real time runs in one piece: the wall clock is not looked at', async () => {
  const b = createBench({ meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 500 }, plant: { grid: { vrms: 240, hz: 50 } }, seed: 1, speed: 1000 });
  await b.start();
  let looks = 0;
  await runYielding(b, () => false, 2e6, { sliceMs: 0, wallMs: () => looks++ });
  assert.is(looks, 0);
  assert.is(b.now(), 2e6);
  await b.close();
});

test.run();
