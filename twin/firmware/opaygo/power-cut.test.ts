// A power cut while a token's LED code blinks (the whole meter, TwinMeter on a Bench, with power cycles).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench } from '../../kernel/bench.ts';
import type { KeyName } from '../../meter.ts';
import { resolveFirmware, type FirmwareSelection } from '../../profiles/profile.ts';
import { tok } from '../../../test/support/opaygo.ts';

async function enterThenCut(sel: FirmwareSelection) {
  const bench = createBench({
    meter: { build: resolveFirmware(sel), eeprom: 'zero', clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 } }, seed: 1,
  });
  await bench.start();
  await bench.runFor(30e6);
  const keys = ('*' + tok(10, 2)).split('') as KeyName[];
  await bench.pressKeys(keys); // returns 180 ms after the last key: the green blinks (1 s) are running
  const first = { result: bench.observe('opaygo.result'), credit: bench.observe('credit') };
  bench.power(false);
  await bench.runFor(5e6);
  bench.power(true);
  await bench.runFor(30e6);
  const rebooted = { credit: bench.observe('credit'), count: bench.observe('opaygo.count') };
  await bench.pressKeys(keys);
  await bench.runFor(3e6);
  const again = { result: bench.observe('opaygo.result'), credit: bench.observe('credit') };
  await bench.close();
  return { first, rebooted, again };
}

test('field (D38 fixed): a cut during the green blinks keeps the credit but not the count: the token is credited twice', async () => {
  const r = await enterThenCut({ profile: 'field', mode: 'opaygo-energy', fix: ['D38'] });
  assert.equal(r.first, { result: 10, credit: 10 });
  assert.equal(r.rebooted, { credit: 10, count: 0 });
  assert.equal(r.again, { result: 10, credit: 20 });
});

test('fixed: the count is stored before the credit, so after the same cut the token is refused', async () => {
  const r = await enterThenCut({ profile: 'fixed', mode: 'opaygo-energy' });
  assert.equal(r.first, { result: 10, credit: 10 });
  assert.is(r.rebooted.count, 2);
  assert.ok((r.rebooted.credit as number) <= 10);
  assert.is(r.again.result, -2);
  assert.is(r.again.credit, r.rebooted.credit);
});

test.run();
