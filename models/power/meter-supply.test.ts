import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeterSupply, METER_SUPPLY_DEFAULTS } from './meter-supply.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';

function supply(config = {}) {
  const clock = new VirtualClock();
  const s = new MeterSupply(clock, config);
  const changes: [boolean, number][] = [];
  s.onChange = (up, t) => changes.push([up, t]);
  return { clock, s, changes };
}

test('comes up as soon as the input is within its range (85 V and above by default)', () => {
  const { s, changes } = supply();
  s.setInput(84.9);
  assert.is(s.isUp, false);
  s.setInput(METER_SUPPLY_DEFAULTS.minInputVrms);
  assert.equal(changes, [[true, 0]]);
});

test('holds the output for 20 ms after the input fails, then collapses', async () => {
  const { clock, s, changes } = supply();
  s.setInput(240);
  s.setInput(0);
  await clock.runFor(19_999);
  assert.is(s.isUp, true);
  await clock.runFor(1);
  assert.equal(changes, [[true, 0], [false, 20_000]]);
});

test('rides through an input gap shorter than the hold-up', async () => {
  const { clock, s, changes } = supply();
  s.setInput(240);
  s.setInput(0);
  await clock.runFor(15_000);
  s.setInput(230);
  await clock.runFor(100_000);
  assert.equal(changes, [[true, 0]]);
});

test('a deep sag below the input range counts as a failed input', async () => {
  const { clock, s } = supply();
  s.setInput(240);
  s.setInput(60);
  await clock.runFor(20_000);
  assert.is(s.isUp, false);
});

test('cut() removes the output at once, whatever the hold-up', () => {
  const { s, changes } = supply();
  s.setInput(240);
  s.cut();
  assert.equal(changes, [[true, 0], [false, 0]]);
});

test('a hold-up of 0 collapses at the instant the input fails', () => {
  const { s } = supply({ holdUpUs: 0 });
  s.setInput(240);
  s.setInput(10);
  assert.is(s.isUp, false);
});

test('refuses a negative or non-finite setting', () => {
  const clock = new VirtualClock();
  assert.throws(() => new MeterSupply(clock, { minInputVrms: -1 }), /minInputVrms/);
  assert.throws(() => new MeterSupply(clock, { holdUpUs: Infinity }), /holdUpUs/);
});

test.run();
