import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { isCatalogued, parseDebugLog } from './field-log.ts';
import { recordDebugLog } from '../cli/debug-log.ts';

test('a log of the fixed firmware\'s boot (its printf port is the debug port) has no line taken for garbage', async () => {
  const meter = { build: resolveFirmware({ profile: 'fixed', mode: 'sts' }), credit: 500, clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } };
  const bench = createBench({ meter, plant: { grid: { vrms: 230, hz: 50 }, loads: [] }, seed: 1, speed: 'max' });
  const text = recordDebugLog(bench);
  await bench.start();
  await bench.runFor(60e6);
  await bench.close();
  const log = parseDebugLog(text());
  assert.ok(text().includes('Welcome to the STS Energy-based'), text());
  assert.equal(log.problems, []);
});

test('the fault lines a fixed build prints on its debug port are catalogued', () => {
  for (const line of ['Welcome to the OpenPaygo Energy-based', 'Welcome to the OpenPaygo Time-based', 'RTC is NOT running!',
    'Couldn\'t find RTC', 'Disconnection spotted!!', 'EEPROM not responding']) {
    assert.ok(isCatalogued(line, false), line);
  }
});

test.run();
