// A pin-driven LED or buzzer and its observed state: on, off, or blinking (the observables led.red,
// led.green: on|off|blinking).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Indicator } from './indicator.ts';

function led(config: Partial<ConstructorParameters<typeof Indicator>[1]> = {}) {
  const clock = new VirtualClock();
  return { clock, led: new Indicator(clock, { name: 'red', ...config }) };
}

test('is off at power-up and on while its pin is HIGH', async () => {
  const { clock, led: l } = led();
  assert.is(l.state(), 'off');
  await clock.runFor(3_000_000);
  l.set(true);
  await clock.runFor(3_000_000);
  assert.is(l.isOn, true);
  assert.is(l.state(), 'on');
});

test('reads blinking after two transitions within 2 s (one flash)', async () => {
  const { clock, led: l } = led();
  await clock.runFor(5_000_000);
  l.set(true);
  await clock.runFor(200_000);
  l.set(false);
  assert.is(l.state(), 'blinking');
});

test('returns to steady off when the flash\'s first edge is 2 s old (fewer than two transitions in the window)', async () => {
  const { clock, led: l } = led();
  l.set(true);
  await clock.runFor(200_000);
  l.set(false);
  await clock.runFor(1_799_999);
  assert.is(l.state(), 'blinking');
  await clock.runFor(1);
  assert.is(l.state(), 'off');
});

test('two transitions more than 2 s apart are not blinking', async () => {
  const { clock, led: l } = led();
  l.set(true);
  await clock.runFor(2_500_000);
  l.set(false);
  assert.is(l.state(), 'off');
  await clock.runFor(2_500_000);
  l.set(true);
  assert.is(l.state(), 'on');
});

test('a single switch-on is steady on, not blinking', () => {
  const { led: l } = led();
  l.set(true);
  assert.is(l.state(), 'on');
});

test('setting the same level again is not a transition', async () => {
  const { clock, led: l } = led();
  let n = 0;
  l.onChange = () => n++;
  l.set(true);
  l.set(true);
  await clock.runFor(100_000);
  l.set(true);
  assert.is(n, 1);
  assert.is(l.state(), 'on');
});

test('onChange reports each transition with its virtual time', async () => {
  const { clock, led: l } = led();
  const seen: [boolean, number][] = [];
  l.onChange = (on, t) => seen.push([on, t]);
  await clock.runFor(1_000);
  l.set(true);
  await clock.runFor(250_000);
  l.set(false);
  assert.equal(seen, [[true, 1_000], [false, 251_000]]);
});

test('minToggles and windowUs are configurable (a buzzer that never reads blinking)', async () => {
  const { clock, led: l } = led({ name: 'buzzer', minToggles: 1_000_000 });
  for (let i = 0; i < 20; i++) { l.set(i % 2 === 0); await clock.runFor(10_000); }
  assert.is(l.state(), 'off');
  const slow = led({ windowUs: 10_000_000 });
  slow.led.set(true);
  await slow.clock.runFor(5_000_000);
  slow.led.set(false);
  assert.is(slow.led.state(), 'blinking');
});

test('a long flashing history still reads blinking while the flashes go on', async () => {
  const { clock, led: l } = led();
  for (let i = 0; i < 100; i++) { l.set(i % 2 === 0); await clock.runFor(500_000); }
  assert.is(l.state(), 'blinking');
});

test.run();
