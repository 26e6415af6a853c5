// A check written before the meter has booted fails with a note that says so (on the firmware twin).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { formatReport } from '../scenarios/report.ts';
import { createBench } from '../twin/kernel/bench.ts';

async function run(steps: string) {
  const s = parseScenario(`name: boot\nversion: 1\nmeter: { credit: 500 }\nsteps:\n${steps}`, 'boot.yaml');
  const bench = createBench({ meter: s.meter, plant: s.plant, seed: 1 });
  try { return await runScenario(s, bench, { seed: 1 }); } finally { await bench.close(); }
}

test('an expect before the boot fails with a note that the meter was still booting', async () => {
  const r = await run('  - expect: { relay: closed }\n');
  assert.is(r.exitCode, 1);
  assert.match(r.failure!.note ?? '', /^the meter was still booting \(powered on at 0\.000s;/);
  assert.match(formatReport(r), /\n {7}note: the meter was still booting/);
});

test('a wait-until whose timeout ends inside the boot fails with the boot note', async () => {
  const r = await run('  - wait-until: { relay: closed, timeout: 10s }\n');
  assert.is(r.failure!.timeUs, 10_000_000);
  assert.match(r.failure!.note ?? '', /still booting/);
});

test('a check failing after the boot has no boot note', async () => {
  const r = await run('  - delay: 1min\n  - expect: { relay: open }\n');
  assert.is(r.exitCode, 1);
  assert.is(r.failure!.note, undefined);
});

test.run();
