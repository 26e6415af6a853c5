// Knobs switched from a scenario, end to end: `defects: [D26]` puts one defect back on the fixed build, and
// `fix: [D11]` corrects one on the field build (scenarios/library/sag-d11-fixed.yaml holds the latter as a library
// scenario; here both are checked against their counterpart).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import type { TwinMeter } from '../twin/twin-meter.ts';

/** Credit-cell writes (address 9) committed during the scenario. */
async function creditWrites(firmware: string): Promise<{ writes: number; exitCode: number }> {
  const s = parseScenario(`name: minute 30
version: 1
# the meter on a bench supply with no mains at its terminals: the loop skips the web poll and runs every ~0.2 s
meter: { firmware: ${firmware}, mode: sts, credit: 500, clock: "2026-03-01T08:29:00", supply: external }
plant: { grid: { vrms: 0, hz: 50 } }
steps:
  - name: boot, then through minute 30
    delay: 3min
  - expect: { credit: 500 }
`, 'minute-30.yaml');
  const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1 });
  let writes = 0;
  (bench.meter as TwinMeter).eeprom.onWrite = (first, n) => { if (first <= 9 && first + n > 9) writes++; };
  const r = await runScenario(s, bench);
  await bench.close();
  return { writes, exitCode: r.exitCode };
}

test('defects: [D26] on fixed, from a scenario: the credit is rewritten on every loop pass during minute 30', async () => {
  const withD26 = await creditWrites('{ profile: fixed, defects: [D26] }');
  const fixed = await creditWrites('fixed');
  assert.is(withD26.exitCode, 0);
  assert.is(fixed.exitCode, 0);
  assert.is(fixed.writes, 1); // the boot's write only: the next save is an hour after it
  assert.ok(withD26.writes > 10, `${withD26.writes} writes in minute 30`);
});

async function sag(firmware: string): Promise<string> {
  const s = parseScenario(`name: sag
version: 1
meter: { firmware: ${firmware}, mode: sts, credit: 500, clock: "2026-03-01T08:00:00" }
plant: { grid: { vrms: 230, hz: 50 } }
steps:
  - wait-until: { relay: closed, timeout: 1min }
  - grid: { vrms: 120, for: 12min }
  - delay: 11min
`, 'sag.yaml');
  const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1 });
  await runScenario(s, bench);
  const relay = bench.observe('relay') as string;
  await bench.close();
  return relay;
}

test('fix: [D11] on field, from a scenario: a sag to 120 V opens the relay; on field as built it stays closed', async () => {
  assert.is(await sag('{ profile: field, fix: [D11] }'), 'open');
  assert.is(await sag('field'), 'closed');
});

test.run();
