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

test('a boot line whose last space a capture trimmed is the firmware\'s line again, said once', () => {
  const log = parseDebugLog('[0.000100] Device Powered!\n[0.000200] Setting up LCD...\n[0.500000] LCD Setup complete! \n[1.000000] Setup Complete!\n');
  assert.equal(log.lines.map((l) => l.text), ['Device Powered! ', 'Setting up LCD... ', 'LCD Setup complete! ', 'Setup Complete! ']);
  assert.equal(log.powerOns, [0.0001]);
  assert.equal(log.problems.map((p) => [p.lineNo, p.kind]), [[1, 'trimmed']]);
  assert.match(log.problems[0].message, /'Device Powered!' has lost the space the firmware prints at its end/);
});

test('a line that is not the firmware\'s with a space added stays garbage', () => {
  const log = parseDebugLog('[0.000100] Device Powered! \n[0.000200] Device Powered\n');
  assert.equal(log.problems.map((p) => p.kind), ['garbage']);
});

test.run();
