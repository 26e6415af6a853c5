import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { SysexTap } from './sysex-tap.ts';
import { watchSilence } from './link-life.ts';
import type { Firmata } from './io.ts';

/** A watchdog on a clock whose board sent its last byte at 0, with the version requests it made counted. */
function watched(overLoop: boolean): { clock: VirtualClock; tap: SysexTap; silent: number[]; pings: () => number } {
  const clock = new VirtualClock();
  const tap = new SysexTap();
  tap.lastByteAt = 0;
  let pings = 0;
  const io = { reportVersion: () => { pings++; } } as unknown as Firmata;
  const silent: number[] = [];
  watchSilence({ time: clock, tap, io, silenceUs: 1_500_000, stopped: () => silent.length > 0, onSilent: (q) => silent.push(q), overLoop });
  return { clock, tap, silent, pings: () => pings };
}

test('on an emulated link a silent board is a fault at the silence limit, on virtual time alone', async () => {
  const w = watched(false);
  await w.clock.runFor(3_000_000);
  assert.equal(w.silent, [1_500_000]);
  assert.ok(w.pings() > 0, 'asked for its version from half the limit on');
});

test('over a real port, a burst of paced events with no turn of the event loop is no silence (the bytes may wait unread)', async () => {
  const w = watched(true);
  await w.clock.runFor(3_000_000);
  assert.equal(w.silent, []);
  // the loop turns: the board's bytes that had arrived are read, and the watch goes on from there
  await new Promise((r) => setImmediate(r));
  w.tap.feed([0xf9, 2, 5], w.clock.now());
  await w.clock.runFor(1_000_000);
  assert.equal(w.silent, []);
});

test('over a real port, a board still silent at a look after the loop turned is a fault', async () => {
  const w = watched(true);
  await w.clock.runFor(3_000_000);
  await new Promise((r) => setImmediate(r));
  await w.clock.runFor(250_000);
  assert.equal(w.silent, [3_250_000]);
});

test.run();
