// Property (fast-check, fixed seed): on the fixed firmware, random key sequences typed with random timing never
// create credit without a valid token — in the STS mode (20-character tokens) and the OpenPAYGO energy mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createBench } from '../twin/kernel/bench.ts';
import { KEY_NAMES, type KeyName } from '../twin/meter.ts';
import { resolveFirmware, type BootMode } from '../twin/profiles/profile.ts';

const CREDIT = 300;

const keyPress = fc.record({
  key: fc.constantFrom(...KEY_NAMES),
  holdMs: fc.integer({ min: 30, max: 400 }),
  gapMs: fc.integer({ min: 0, max: 300 }),
});

async function typeRandom(mode: BootMode, presses: { key: KeyName; holdMs: number; gapMs: number }[]) {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: 'fixed', mode }), credit: CREDIT, clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 } },
    seed: 1,
  });
  try {
    await bench.start();
    await bench.runFor(30e6);
    const before = bench.observe('credit') as number;
    for (const p of presses) await bench.pressKeys([p.key], { holdMs: p.holdMs, gapMs: p.gapMs });
    await bench.runFor(8e6); // LED codes and screens finish
    return { before, after: bench.observe('credit') as number, count: bench.observe('opaygo.count') };
  } finally {
    await bench.close();
  }
}

for (const mode of ['sts', 'opaygo-energy'] as const) {
  test(`fixed, ${mode}: random key sequences never add credit (fast-check, 30 runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(keyPress, { minLength: 1, maxLength: 30 }), async (presses) => {
        const r = await typeRandom(mode, presses);
        // no load is connected, so nothing is billed either: the credit is exactly what it was
        return r.before === CREDIT && r.after === CREDIT;
      }),
      { numRuns: 30, seed: 20260301, endOnFailure: true },
    );
  });
}

test('the property can fail: a sequence holding a valid token does add credit', async () => {
  const presses = [...'*10913015110000A10001#'].map((key) => ({ key: key as KeyName, holdMs: 100, gapMs: 150 }));
  const r = await typeRandom('sts', presses);
  assert.is(r.after, CREDIT + 125);
});

test.run();
