// Test runner for uvu: type-checks the project, imports every `*.test.ts` beside the code, runs the suites,
// and closes with the line CI reads: `N passed, N failed, N skipped`.
//
//   npm test                      everything (type check included)
//   npm test -- models/afe        only test files whose path contains one of the given fragments
//   npm test -- --no-typecheck    skip `tsc --noEmit` (quicker while iterating)
//
// A test file still running after OSM_TEST_FILE_TIMEOUT_S seconds (default 900; the longest takes a few minutes)
// fails the run, named, with the closing line: a test that waits on a live handle (a server never closed, a
// timer) would otherwise hold CI until its own limit.
//
// The run has its own temporary folder (TMPDIR, which os.tmpdir() and the programs the tests start use), removed when
// it ends: a test that forgets its scratch files leaves nothing in /tmp (test/support/scratch.ts removes a test's own
// at exit, also when a file is run alone). tsx's transform cache stays the shared one (a link to it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEST_ROOTS = ['models', 'twin', 'io', 'hil-rig', 'scenarios', 'flows', 'dashboard', 'cli', 'bench', 'test'];

interface Totals { passed: number; failed: number; skipped: number }

function findTests(dir: string, out: string[]): void {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries.sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
}

function typecheck(t: Totals): void {
  process.stdout.write('typecheck (tsc --noEmit) ');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', root], { encoding: 'utf8' });
  if (r.status === 0) { t.passed++; process.stdout.write('✓\n'); return; }
  t.failed++;
  process.stdout.write('✘\n' + (r.stdout || '') + (r.stderr || '') + '\n');
}

/** Set when the run ends by itself (closing line printed), not by the event loop draining. */
let finished = false;

type Runner = () => Promise<[string | true, number, number, number]>;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const filters = args.filter((a) => !a.startsWith('--'));
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  if (!args.includes('--no-typecheck') && filters.length === 0) typecheck(totals);

  const runTmp = mkdtempSync(join(tmpdir(), 'osm-test-run-'));
  // tsx keeps its transform cache in tmpdir()/tsx-<uid>: the programs the tests start keep using the shared one.
  const tsxCache = `tsx-${process.geteuid ? process.geteuid() : userInfo().username}`;
  try {
    mkdirSync(join(tmpdir(), tsxCache), { recursive: true });
    symlinkSync(join(tmpdir(), tsxCache), join(runTmp, tsxCache));
  } catch { /* without the link, tsx builds a cache of its own in the run's folder */ }
  process.env.TMPDIR = runTmp;
  process.on('exit', () => rmSync(runTmp, { recursive: true, force: true }));

  const files: string[] = [];
  for (const r of TEST_ROOTS) findTests(join(root, r), files);
  const selected = files.filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)));

  const g = globalThis as unknown as { UVU_DEFER: number; UVU_INDEX: number; UVU_QUEUE: unknown[][] };
  g.UVU_DEFER = 1;
  await import('uvu');
  g.UVU_QUEUE = g.UVU_QUEUE || [];
  let idx = 0;
  for (const file of selected) {
    g.UVU_INDEX = idx++;
    g.UVU_QUEUE.push([relative(root, file)]);
    try {
      await import(pathToFileURL(file).href);
    } catch (err) {
      totals.failed++;
      process.stdout.write(`\n✘ could not load ${relative(root, file)}: ${(err as Error).stack ?? err}\n`);
    }
  }

  // A test that awaits something that never happens (a virtual-clock event nobody schedules) lets the event loop
  // drain: Node then exits on its own, with code 0 and without the closing line, and every later file silently never
  // runs. Count that as a failure, name the file, and still print the closing line.
  let current = '(loading)';
  process.on('exit', () => {
    if (finished) return;
    writeSync(1, `\n✘ ${current}: the run ended before its tests finished (a test awaited something that never `
      + 'happens, and nothing was left to run)\n'
      + `\n${totals.passed} passed, ${totals.failed + 1} failed, ${totals.skipped} skipped\n`);
    process.exitCode = 1;
  });

  const limitS = Number(process.env.OSM_TEST_FILE_TIMEOUT_S ?? 900);
  for (const group of g.UVU_QUEUE) {
    const name = group.shift() as string | null;
    if (name != null) { current = name; process.stdout.write(`${name}\n`); }
    // Unref'd: it must not keep a drained event loop alive (that case is the exit handler's above).
    const watchdog = setTimeout(() => {
      finished = true;
      writeSync(1, `\n✘ ${current}: still running after ${limitS} s (a test waits on something that never ends)\n`
        + `\n${totals.passed} passed, ${totals.failed + 1} failed, ${totals.skipped} skipped\n`);
      process.exit(1);
    }, limitS * 1000).unref();
    for (const run of group as Runner[]) {
      const [errs, ran, skip, max] = await run();
      totals.passed += ran;
      totals.failed += max - ran;
      totals.skipped += skip;
      if (errs !== true) process.stdout.write('\n' + errs + '\n');
    }
    clearTimeout(watchdog);
  }
  finished = true;
  process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

main().catch((err) => {
  finished = true;
  process.stdout.write(`test runner crashed: ${(err as Error).stack ?? err}\n0 passed, 1 failed, 0 skipped\n`);
  process.exit(1);
});
