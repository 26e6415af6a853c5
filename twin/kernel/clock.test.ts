import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock, parseDuration, formatTime } from './clock.ts';

test('runs events in time order, same-time events in scheduling order', async () => {
  const c = new VirtualClock();
  const seen: string[] = [];
  c.at(300, () => seen.push('c'));
  c.at(100, () => seen.push('a1'));
  c.at(100, () => seen.push('a2'));
  c.at(200, () => seen.push('b'));
  await c.runUntil(1000);
  assert.equal(seen, ['a1', 'a2', 'b', 'c']);
  assert.is(c.now(), 1000);
});

test('leaves events after the horizon pending', async () => {
  const c = new VirtualClock();
  let fired = false;
  c.at(5000, () => { fired = true; });
  await c.runUntil(4999);
  assert.is(fired, false);
  assert.is(c.nextEventTime(), 5000);
});

test('a cancelled event never runs', async () => {
  const c = new VirtualClock();
  let fired = false;
  c.at(10, () => { fired = true; }).cancel();
  await c.runFor(100);
  assert.is(fired, false);
});

test('refuses to schedule in the past', () => {
  const c = new VirtualClock();
  c.at(0, () => {});
  assert.throws(() => c.at(-1, () => {}), /cannot schedule/);
});

test('a periodic timer with a fractional period keeps its long-run rate', async () => {
  const c = new VirtualClock();
  const times: number[] = [];
  c.every(49_999.583, () => times.push(c.now()), 0);
  await c.runUntil(3_600_000_000);
  // 20.0002 Hz for one hour: 72 001 ticks (k = 0 .. 72 000)
  assert.is(times.length, 72_001);
  assert.is(times[1], 49_999);
  assert.is(times[72_000], Math.floor(72_000 * 49_999.583));
});

test('a periodic timer takes its place among same-time events when its previous tick ran', async () => {
  const c = new VirtualClock();
  const seen: string[] = [];
  c.at(50, () => c.at(200, () => seen.push('before')));
  c.every(100, (k) => {
    seen.push(`tick${k}`);
    if (k === 0) c.at(200, () => seen.push('after'));
  }, 100);
  await c.runUntil(250);
  // 'before' was scheduled before tick 0 re-armed the timer for 200, 'after' by tick 0 once it had
  assert.equal(seen, ['tick0', 'before', 'tick1', 'after']);
});

test('a periodic timer cancelled from its own callback runs no more', async () => {
  const c = new VirtualClock();
  let n = 0;
  const h = c.every(10, () => { if (++n === 3) h.cancel(); });
  await c.runUntil(1000);
  assert.is(n, 3);
  assert.is(c.nextEventTime(), Infinity);
});

test('a task observes the time it woke at, before later events run', async () => {
  const c = new VirtualClock();
  const log: string[] = [];
  c.spawn('t', async () => {
    await c.sleep(10);
    log.push(`task@${c.now()}`);
    await c.sleep(10);
    log.push(`task@${c.now()}`);
  });
  c.at(10_001, () => log.push(`event@${c.now()}`));
  await c.runUntil(50_000);
  assert.equal(log, ['task@10000', 'event@10001', 'task@20000']);
});

test('a failing task stops the run with its error', async () => {
  const c = new VirtualClock();
  c.spawn('boom', async () => { await c.sleep(1); throw new Error('kaput'); });
  try {
    await c.runFor(10_000);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match(String(err), /task boom failed: Error: kaput/);
  }
});

test('parses durations with units and rejects bare numbers', () => {
  assert.is(parseDuration('500ms'), 500_000);
  assert.is(parseDuration('2s'), 2_000_000);
  assert.is(parseDuration('10min'), 600_000_000);
  assert.is(parseDuration('1.5h'), 5_400_000_000);
  assert.is(parseDuration('5'), null);
  assert.is(parseDuration('-2s'), null);
});

test('formats times for people', () => {
  assert.is(formatTime(1_500_000), '1.500s');
  assert.is(formatTime(3_723_250_000), '1h02m03.250s');
});


/** A task polling every `stepUs` until `until()` holds, parked (the event decides); returns what it saw and when. */
async function pollRun(rearmInPlace: boolean, stopAt?: number): Promise<{ log: string[]; inPlace: number; now: number }> {
  const clock = new VirtualClock();
  clock.rearmInPlace = rearmInPlace;
  const log: string[] = [];
  let flag = false;
  clock.at(7_500, () => { flag = true; log.push(`flag set at ${clock.now()}`); });
  clock.at(3_000, () => log.push(`other event at ${clock.now()}`));
  clock.spawn('poller', async () => {
    let step = 1_000;
    await clock.sleepUntilSettled(clock.now() + step, () => {
      log.push(`poll at ${clock.now()}`);
      if (flag) return undefined;
      step = Math.min(4_000, step * 2);
      return clock.now() + step;
    });
    log.push(`woke at ${clock.now()}`);
    // an event scheduled by the woken task at the same time as a re-armed poll would have been
    clock.at(clock.now(), () => log.push(`task's event at ${clock.now()}`));
  });
  if (stopAt === undefined) await clock.runUntil(20_000);
  else { await clock.runUntil(stopAt); log.push(`paused at ${clock.now()}`); await clock.runUntil(20_000); }
  return { log, inPlace: clock.rearmsInPlace, now: clock.now() };
}

test('quiet-rearm: a parked wait re-armed in place polls at the same times, in the same order, as one event per poll', async () => {
  const slow = await pollRun(false);
  const fast = await pollRun(true);
  assert.equal(fast.log, slow.log);
  assert.ok(fast.inPlace > 0, 'no re-arm ran in place');
  assert.is(slow.inPlace, 0);
});

test('quiet-rearm: a re-arm never runs past the time the run was asked to reach', async () => {
  const slow = await pollRun(false, 4_500);
  const fast = await pollRun(true, 4_500);
  assert.equal(fast.log, slow.log);
  assert.ok(fast.log.includes('paused at 4500'));
});

test('quiet-rearm: with a stop condition every re-arm goes through the run loop', async () => {
  const clock = new VirtualClock();
  clock.rearmInPlace = true;
  let polls = 0;
  clock.spawn('poller', async () => {
    await clock.sleepUntilSettled(1_000, () => (++polls < 10 ? clock.now() + 1_000 : undefined));
  });
  await clock.runUntil(100_000, () => clock.now() >= 4_000);
  assert.is(clock.now(), 4_000, 'the condition was looked at after the poll at 4 ms');
  assert.is(clock.rearmsInPlace, 0);
});

test.run();
