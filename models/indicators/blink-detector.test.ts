// The blink detector behind the led.red / led.green observables: on | off | blinking.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { BlinkDetector } from './blink-detector.ts';

test('two transitions within 2 s read blinking; the steady level is reported otherwise', async () => {
  const clock = new VirtualClock();
  const b = new BlinkDetector(clock);
  assert.is(b.state(true), 'on');
  b.transition();
  assert.is(b.state(false), 'off');
  await clock.runFor(300_000);
  b.transition();
  assert.is(b.state(false), 'blinking');
});

test('a transition leaves the window exactly windowUs after it happened', async () => {
  const clock = new VirtualClock();
  const b = new BlinkDetector(clock, { windowUs: 1_000_000 });
  b.transition();
  await clock.runFor(999_999);
  assert.is(b.recentTransitions(), 1);
  await clock.runFor(1);
  assert.is(b.recentTransitions(), 0);
});

test('the OpenPAYGO code of 10 blinks at 2 Hz reads blinking throughout and steady 2 s after the last edge', async () => {
  const clock = new VirtualClock();
  const b = new BlinkDetector(clock);
  let on = false;
  for (let i = 0; i < 20; i++) {
    on = !on;
    b.transition();
    if (i > 0) assert.is(b.state(on), 'blinking', `edge ${i}`);
    await clock.runFor(250_000);
  }
  await clock.runFor(1_750_000);
  assert.is(b.state(on), 'off');
});

test('minToggles sets how many transitions make a blink (3 here)', async () => {
  const clock = new VirtualClock();
  const b = new BlinkDetector(clock, { minToggles: 3 });
  b.transition();
  b.transition();
  assert.is(b.blinking, false);
  b.transition();
  assert.is(b.blinking, true);
});

test('a window or a toggle count that is not positive is refused with a clear message', () => {
  const clock = new VirtualClock();
  assert.throws(() => new BlinkDetector(clock, { windowUs: 0 }), /blink window must be > 0 us, got 0/);
  assert.throws(() => new BlinkDetector(clock, { minToggles: 0.5 }), /minToggles must be a whole number >= 1, got 0.5/);
});

test('after an hour of 20 Hz toggling it counts only the transitions of the last 2 s (39 edges 50 ms apart, 50 ms after the last)', async () => {
  const clock = new VirtualClock();
  const b = new BlinkDetector(clock);
  for (let i = 0; i < 72_000; i++) { b.transition(); await clock.runFor(50_000); }
  assert.is(b.recentTransitions(), 39);
});

test.run();
