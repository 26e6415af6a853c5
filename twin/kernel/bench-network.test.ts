// A bench with a `network` and the comms stack (twin/comms/comms.ts): a run without a network never loads it, so a
// bench made before anything loaded it builds its communications when it starts. Checked in a fresh process, since
// in this one another test may have loaded the comms already.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Two runs of a connected meter (a web top-up, the 23:00 telemetry) in one new process: the first bench is made before the comms are loaded. */
const CHILD = `
import { createBench } from './twin/kernel/bench.ts';
import { loadedCommsClass } from './twin/kernel/loaded-comms.ts';
import { resolveFirmware } from './twin/profiles/profile.ts';
async function run() {
  const b = createBench({ meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 800, clock: { year: 2026, month: 3, day: 1, hour: 22, minute: 58, second: 0 } },
    plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'a', watts: 300, pf: 1 }] }, seed: 1, speed: 'max', network: {} });
  const lines = [];
  b.trace.subscribe((ev) => lines.push(JSON.stringify(ev)));
  let comms;
  try { comms = b.comms ? 'built with the bench' : 'none'; } catch (err) { comms = err.message; }
  await b.start();
  b.comms.topup(250);
  await b.runFor(600e6);
  const credit = b.observe('credit');
  await b.close();
  return { comms, credit, trace: lines.join('\\n') };
}
const loadedBefore = loadedCommsClass() !== undefined;
const first = await run();
const second = await run();
console.log(JSON.stringify({ loadedBefore, first: first.comms, second: second.comms, credit: first.credit, same: first.trace === second.trace,
  sources: [...new Set(first.trace.split('\\n').map((l) => JSON.parse(l).source))].sort() }));
`;

test('a bench with a network made before the comms are loaded builds them when it starts, with the trace of a bench made after', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { loadedBefore: boolean; first: string; second: string; credit: number; same: boolean; sources: string[] };
  assert.is(out.loadedBefore, false, 'nothing the bench imports loads the comms');
  assert.match(out.first, /^this bench builds its communications when it starts .*await loadComms\(\) before making the bench$/);
  assert.is(out.second, 'built with the bench', 'once loaded, a new bench builds them at once');
  for (const s of ['modem', 'network', 'backend', 'broker']) assert.ok(out.sources.includes(s), `the trace has ${s} events: ${out.sources.join(', ')}`);
  assert.ok(out.credit > 1000, `the web top-up reached the meter: credit ${out.credit}`);
  assert.ok(out.same, 'the two traces differ');
});

test.run();
