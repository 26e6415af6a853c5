// Ctrl-C (SIGINT) and SIGTERM in the long commands (a single `osm run` is covered by io/output-file.test.ts; its
// campaigns are here): each is a real child process, signalled once its first progress line is out, and must exit
// 130 / 143 with one line on stderr saying where it stopped, print no result, and leave no file (the report, a
// temporary) behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Stopped { code: number | null; stdout: string; stderr: string }

/** Run `osm ARGS`, wait for a line matching `ready` (on stderr, or stdout), send `signal`, and collect its output. */
async function stopWhen(args: string[], ready: RegExp, signal: 'SIGINT' | 'SIGTERM', on: 'stderr' | 'stdout' = 'stderr'): Promise<Stopped> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/osm.ts', ...args], {
    cwd: root, env: { ...process.env, OSM_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const maybeStop = (): void => {
    if (!signalled && ready.test(on === 'stderr' ? stderr : stdout)) { signalled = true; child.kill(signal); }
  };
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); maybeStop(); });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); maybeStop(); });
  try {
    const code = await exited;
    assert.ok(signalled, `the command ended before its progress line: ${stderr}`);
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

test('SIGINT during osm accuracy --monte-carlo with --report: exit 130, one line, the workers stopped, no report and no temporary file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-int-'));
  try {
    const report = join(dir, 'yield.html');
    const r = await stopWhen(['accuracy', '--monte-carlo', '200', '--workers', '2', '--report', report], /Monte Carlo: \d+\/200 units/, 'SIGINT');
    assert.is(r.code, 130, r.stderr);
    assert.match(lastLine(r.stderr), new RegExp(`^osm accuracy: stopped by SIGINT: in the Monte Carlo run, .*; ${report.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} not written$`));
    assert.is(r.stderr.match(/stopped by/g)?.length, 1);
    assert.not.match(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    assert.is(r.stdout, '', 'no partial result on stdout');
    assert.equal(readdirSync(dir), [], 'no report, no temporary file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGTERM during osm accuracy --fidelity waveform stops at the next point: exit 143, one line naming the point', async () => {
  const r = await stopWhen(['accuracy', '--fidelity', 'waveform'], /osm accuracy: point \d+\/37/, 'SIGTERM');
  assert.is(r.code, 143, r.stderr);
  assert.match(lastLine(r.stderr), /^osm accuracy: stopped by SIGTERM: at point \d+\/37 \(.+\)$/);
  assert.is(r.stdout, '');
});

test('SIGINT during osm calibrate: exit 130, one line saying where, no registers printed', async () => {
  const r = await stopWhen(['calibrate', '--seed', '7', '--fidelity', 'waveform'], /osm calibrate: /, 'SIGINT');
  assert.is(r.code, 130, r.stderr);
  assert.match(lastLine(r.stderr), /^osm calibrate: stopped by SIGINT: (in the suite (before|after) calibration, at point \d+\/37 \(.+\)|during the calibration procedure; no register was computed)$/);
  assert.is(r.stdout, '');
});

test('SIGTERM during osm demo (not a terminal): exit 143 and one line with the simulated time it stopped at', async () => {
  const r = await stopWhen(['demo', '--speed', '1'], /\n/, 'SIGTERM', 'stdout');
  assert.is(r.code, 143, r.stderr);
  assert.match(lastLine(r.stderr), /^osm demo: stopped by SIGTERM: at t=/);
});

/** A folder of `n` scenarios that each simulate 30 days (far longer than the wait for the first progress line). */
function longCampaign(dir: string, n: number): string {
  const folder = join(dir, 'long');
  mkdirSync(folder);
  for (let i = 1; i <= n; i++) {
    writeFileSync(join(folder, `month-${i}.yaml`), `name: a month ${i}\nversion: 1\nmeter: { firmware: field, mode: sts, credit: 2000 }\n`
      + 'plant: { grid: { vrms: 240, hz: 50 } }\nsteps:\n  - delay: 30d\n');
  }
  return folder;
}

test('SIGINT during a campaign on worker threads: exit 130, one line with the runs done, the workers ended, no report and no JUnit file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-int-'));
  try {
    const folder = longCampaign(dir, 2);
    const junit = join(dir, 'runs.xml');
    const r = await stopWhen(['run', folder, '--workers', '2', '--junit', junit], /osm run: \[0\/2\]/, 'SIGINT');
    assert.is(r.code, 130, r.stderr);
    assert.is(lastLine(r.stderr), `osm run: stopped by SIGINT after 0 of 2 runs; no report written, ${junit} not written`);
    assert.is(r.stdout, '', 'no partial report on stdout');
    assert.equal(readdirSync(dir), ['long'], 'no JUnit file, no temporary file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGINT during one osm run with --junit, --debug-log and --save-eeprom: exit 130, one line naming each file not written, none left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-int-'));
  try {
    const folder = longCampaign(dir, 1);
    const [junit, log, eeprom] = ['run.xml', 'debug.log', 'after.bin'].map((f) => join(dir, f));
    const r = await stopWhen(['run', join(folder, 'month-1.yaml'), '--junit', junit, '--debug-log', log, '--save-eeprom', eeprom], /osm run: step 1\/1 at t=/, 'SIGINT');
    assert.is(r.code, 130, r.stderr);
    assert.match(lastLine(r.stderr), /^osm run: stopped by SIGINT at t=\S+ in step 1; /);
    for (const f of [junit, log, eeprom]) assert.ok(lastLine(r.stderr).includes(`; ${f} was not written`), `${f} is not named: ${lastLine(r.stderr)}`);
    assert.is(r.stdout, '');
    assert.equal(readdirSync(dir), ['long'], 'no output file, no temporary file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGTERM during a campaign run in this thread (one worker): exit 143 within the run, one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-int-'));
  try {
    const folder = longCampaign(dir, 2);
    const r = await stopWhen(['run', folder, '--workers', '1'], /osm run: \[0\/2\]/, 'SIGTERM');
    assert.is(r.code, 143, r.stderr);
    assert.is(lastLine(r.stderr), 'osm run: stopped by SIGTERM after 0 of 2 runs; no report written');
    assert.is(r.stdout, '');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGINT during osm fleet on worker threads: exit 130, one line with the meters done, no report and no JSON file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-int-'));
  try {
    const json = join(dir, 'fleet.json');
    const r = await stopWhen(['fleet', '--meters', '2', '--chunk', '1', '--workers', '2', '--days', '30', '--json', json], /osm fleet: 0\/2 meters done/, 'SIGINT');
    assert.is(r.code, 130, r.stderr);
    assert.is(lastLine(r.stderr), `osm fleet: stopped by SIGINT after 0 of 2 meters; no report written, ${json} not written`);
    assert.is(r.stdout, '', 'no partial report on stdout');
    assert.equal(readdirSync(dir), [], 'no JSON file, no temporary file');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGTERM during osm fleet in this thread (one chunk): exit 143 at the next block of slices, one line', async () => {
  const r = await stopWhen(['fleet', '--meters', '1', '--days', '30'], /osm fleet: 0\/1 meters done/, 'SIGTERM');
  assert.is(r.code, 143, r.stderr);
  assert.is(lastLine(r.stderr), 'osm fleet: stopped by SIGTERM after 0 of 1 meter; no report written');
  assert.is(r.stdout, '');
});

test.run();
