// Every library scenario on the emulated board gives the twin's verdicts, step by step: the firmware twin runs on the
// host and drives an in-process StandardFirmataPlus board through johnny-five and Firmata bytes, wired to the part
// models, so everything a scenario asserts (LCD text, credit, the firmware's variables included) is observable there.
// The board side runs in two worker threads while this thread runs the twin side.
// The LCD observable of a board run is the text the firmware wrote (hil-rig/rig-meter.ts), as on a real board whose
// glass is not read back; the glass of the emulated board's display is checked in test/hil-emulated.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import type { BoardRun } from './support/board-library-worker.ts';

const root = fileURLToPath(new URL('../scenarios/library/', import.meta.url));
/** Library scenarios whose verdicts differ on a board for a physical reason of the link, with the reason (none today). */
export const PHYSICAL_DIFFERENCES: Record<string, string> = {};

function libraryFiles(dir = root): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...libraryFiles(p));
    else if (f.endsWith('.yaml')) out.push(p);
  }
  return out;
}

const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})`
  + `.then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./support/board-library-worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  + '.catch((e) => { process.nextTick(() => { throw e; }); });';

test('every qualifying library scenario gives the same step verdicts on --board emulated as on the twin', async () => {
  const files = libraryFiles().filter((f) => !(f.slice(root.length) in PHYSICAL_DIFFERENCES));
  assert.ok(files.length >= 30, `only ${files.length} scenarios`);
  const board = new Map<string, BoardRun>();
  // two board workers (files dealt alternately): the board runs cost about five times the twin's
  const workers = [0, 1].map((k) => new Worker(WORKER_BOOT, { eval: true, workerData: { files: files.filter((_, i) => i % 2 === k) } }));
  const boardDone = Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
    worker.on('message', (m: BoardRun | { done: true }) => { if ('done' in m) resolve(); else board.set(m.file, m); });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`board worker exited with ${code}`))));
  })));
  const twin = new Map<string, string[]>();
  for (const file of files) {
    const sc = await loadScenario(file);
    const bench = createBench({ meter: sc.meter, plant: sc.plant, ...(sc.network ? { network: sc.network } : {}), seed: 1, speed: 'max' });
    try { twin.set(file, (await runScenario(sc, bench, { seed: 1 })).steps.map((s) => s.status)); } finally { await bench.close(); }
  }
  await boardDone;
  await Promise.all(workers.map((w) => w.terminate()));
  const differ: string[] = [];
  for (const file of files) {
    const b = board.get(file);
    const name = file.slice(root.length);
    if (!b) { differ.push(`${name}: no board run`); continue; }
    if (b.error) { differ.push(`${name}: ${b.error}`); continue; }
    if (JSON.stringify(b.steps) !== JSON.stringify(twin.get(file))) differ.push(`${name}: board ${b.status} (${b.failure ?? ''})`);
  }
  assert.equal(differ, []);
  // the link's waits were recorded as deviations from the original timing
  assert.ok([...board.values()].some((b) => b.deviations > 0));
});

test.run();
