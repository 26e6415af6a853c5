// Dual-coil latching relay (docs/firmware.md §1.3): PB12 drives SET ("relay_on"), PB4 drives RESET ("relay_off");
// the contact moves after one coil alone has been energised for the operate time (10 ms [UNDET], configurable) and
// holds its position without power.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { LATCHING_RELAY_DEFAULTS, LatchingRelay } from './latching-relay.ts';

function relay(config: ConstructorParameters<typeof LatchingRelay>[1] = {}) {
  const clock = new VirtualClock();
  return { clock, relay: new LatchingRelay(clock, config) };
}

/** Energise SET (or RESET) for `us` microseconds, then de-energise both coils. */
async function pulse(clock: VirtualClock, r: LatchingRelay, coil: 'set' | 'reset', us: number): Promise<void> {
  r.drive(coil === 'set', coil === 'reset');
  await clock.runFor(us);
  r.drive(false, false);
}

test('the default operate time is 10 ms and the contact starts open', () => {
  assert.is(LATCHING_RELAY_DEFAULTS.operateUs, 10_000);
  assert.is(relay().relay.isClosed, false);
});

test('the contact closes 10 ms after the SET coil is energised, not before', async () => {
  const { clock, relay: r } = relay();
  r.drive(true, false);
  await clock.runFor(9_999);
  assert.is(r.isClosed, false);
  await clock.runFor(1);
  assert.is(r.isClosed, true);
});

test('the firmware\'s 200 ms SET pulse closes the contact and it stays closed with both coils off', async () => {
  const { clock, relay: r } = relay();
  await pulse(clock, r, 'set', 200_000);
  await clock.runFor(3_600_000_000);
  assert.is(r.isClosed, true);
});

test('a SET pulse shorter than the operate time (9 ms) does not move the contact', async () => {
  const { clock, relay: r } = relay();
  await pulse(clock, r, 'set', 9_000);
  await clock.runFor(100_000);
  assert.is(r.isClosed, false);
});

test('a RESET pulse of 200 ms opens a closed contact', async () => {
  const { clock, relay: r } = relay({ initiallyClosed: true });
  assert.is(r.isClosed, true);
  await pulse(clock, r, 'reset', 200_000);
  assert.is(r.isClosed, false);
});

test('both coils energised at once move nothing', async () => {
  const open = relay();
  open.relay.drive(true, true);
  await open.clock.runFor(500_000);
  assert.is(open.relay.isClosed, false);
  const closed = relay({ initiallyClosed: true });
  closed.relay.drive(true, true);
  await closed.clock.runFor(500_000);
  assert.is(closed.relay.isClosed, true);
});

test('a SET coil joined by RESET before the operate time ends does not close the contact', async () => {
  const { clock, relay: r } = relay();
  r.drive(true, false);
  await clock.runFor(5_000);
  r.drive(true, true);
  await clock.runFor(100_000);
  assert.is(r.isClosed, false);
});

test('the operate time is configurable (50 ms)', async () => {
  const { clock, relay: r } = relay({ operateUs: 50_000 });
  r.drive(true, false);
  await clock.runFor(49_000);
  assert.is(r.isClosed, false);
  await clock.runFor(1_000);
  assert.is(r.isClosed, true);
});

test('onChange reports the contact change once, at the end of the operate time', async () => {
  const { clock, relay: r } = relay();
  const seen: [boolean, number][] = [];
  r.onChange = (closed, t) => seen.push([closed, t]);
  await clock.runFor(1_000);
  await pulse(clock, r, 'set', 200_000);
  await pulse(clock, r, 'set', 200_000); // already closed: no change
  await pulse(clock, r, 'reset', 200_000);
  assert.equal(seen, [[true, 11_000], [false, 411_000]]);
});

test('counts every single-coil pulse', async () => {
  const { clock, relay: r } = relay();
  await pulse(clock, r, 'set', 200_000);
  await pulse(clock, r, 'set', 200_000);
  await pulse(clock, r, 'reset', 200_000);
  r.drive(true, true);
  assert.is(r.pulses, 3);
});

test('setCoil and resetCoil report which coil is energised now', () => {
  const r = new LatchingRelay(new VirtualClock());
  r.drive(true, false);
  assert.equal([r.setCoil, r.resetCoil], [true, false]);
  r.drive(false, true);
  assert.equal([r.setCoil, r.resetCoil], [false, true]);
});

test('a negative operate time is refused with a clear message', () => {
  assert.throws(() => new LatchingRelay(new VirtualClock(), { operateUs: -1 }), /operateUs must be a number of microseconds >= 0, got -1/);
});

test.run();
