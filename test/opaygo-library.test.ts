// The scenarios of scenarios/library/opaygo/: the OpenPAYGO full test procedure (G1-G12, U1-U3), keypad-driven on the
// fixed firmware in time-based mode, the energy mode on fixed, and the replay that the field firmware credits twice.
// Every file holds on the twin, and every token in it is the one twin/tokens/opaygo.ts makes for the firmware key and
// the (value, count) named in its step.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { FIRMWARE_SECRET_KEY, FIRMWARE_STARTING_CODE, generateToken } from '../twin/tokens/opaygo.ts';

const dir = fileURLToPath(new URL('../scenarios/library/opaygo/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('the procedure has a file for each of G1-G12 and U1-U3', () => {
  const ids = files.filter((f) => /^[gu]\d/.test(f)).map((f) => /^([gu]\d+)-/.exec(f)![1].toUpperCase().replace(/^G0/, 'G'));
  const want = [...Array.from({ length: 12 }, (_, i) => `G${i + 1}`), 'U1', 'U2', 'U3'];
  assert.equal([...ids].sort(), [...want].sort());
});

for (const file of files) {
  test(`${file}: every token is the generated one for its (value, count) and the firmware key`, async () => {
    const scenario = await loadScenario(join(dir, file));
    let checked = 0;
    for (const step of scenario.steps) {
      if (step.command !== 'press-keys') continue;
      const m = /\(value (\d+), count (\d+)\)/.exec(step.name ?? '');
      if (!m) continue;
      const token = generateToken({ key: FIRMWARE_SECRET_KEY, startingCode: FIRMWARE_STARTING_CODE, value: Number(m[1]), count: Number(m[2]) });
      assert.is(step.keys.join(''), `*${token}`, `step ${step.index + 1} (${step.name})`);
      checked++;
    }
    const text = readFileSync(join(dir, file), 'utf8');
    assert.ok(checked > 0 || /G1:/.test(text), 'no generated token found');
  });

  test(`${file} holds on the twin`, async () => {
    const scenario = await loadScenario(join(dir, file));
    if (/^[gu]\d/.test(file)) {
      assert.is(scenario.meter.build.profile, 'fixed');
      assert.is(scenario.meter.build.mode, 'opaygo-time');
    }
    const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 1, speed: 'max' });
    try {
      const r = await runScenario(scenario, bench, { seed: 1 });
      assert.is(r.exitCode, 0, r.failure ? `step ${r.failure.step}: ${r.failure.reason}` : '');
    } finally {
      await bench.close();
    }
  });
}

test.run();
