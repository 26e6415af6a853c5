// A report written to standard output (`--report -`) is alone there, so `> page.html` or `| gzip` gives the page and
// nothing else: the command's own text goes to standard error, and two outputs on standard output are refused.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPLAY_USAGE } from '../cli/commands/replay.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OSM = join(ROOT, 'cli', 'osm.js');

function osm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [OSM, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const isPage = (s: string): boolean => /^<!doctype html>/i.test(s) && s.trimEnd().endsWith('</html>');

test('osm accuracy --report - puts only the HTML page on standard output, the table on standard error', async () => {
  const r = await osm(['accuracy', '--points', 'seed', '--report', '-', '--quiet']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(isPage(r.stdout), r.stdout.slice(0, 200));
  assert.match(r.stderr, /IEC 62053-21 class 1 accuracy test/);
});

test('osm accuracy --json --report - is refused: both would write to standard output', async () => {
  const r = await osm(['accuracy', '--points', 'seed', '--json', '--report', '-']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--json and --report - cannot both write to standard output/);
  assert.is(r.stdout, '');
});

test('osm fleet --report - puts only the HTML page on standard output, the fleet text on standard error', async () => {
  const r = await osm(['fleet', '--meters', '1', '--hours', '1', '--report', '-', '--quiet']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(isPage(r.stdout), r.stdout.slice(-300));
  assert.match(r.stderr, /relay open/);
});

test('osm fleet --json - --report - is refused before the fleet runs', async () => {
  const r = await osm(['fleet', '--meters', '1', '--hours', '1', '--json', '-', '--report', '-']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--json and --report cannot both write to standard output/);
  assert.is(r.stdout, '');
});

test('osm replay --twin-log - puts only the twin\'s log on standard output, the replay report on standard error', async () => {
  assert.match(REPLAY_USAGE, /--twin-log FILE[^\n]*\n?[^\n]*-: on stdout/, 'the help says so');
  const dir = mkdtempSync(join(tmpdir(), 'osm-stdout-'));
  try {
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'name: s\nversion: 1\nsteps:\n  - delay: 2min\n');
    const log = join(dir, 'debug.log');
    const made = await osm(['run', scenario, '--debug-log', log, '--quiet']);
    assert.is(made.code, 0, made.stderr);
    const r = await osm(['replay', log, '--twin-log', '-']);
    assert.is(r.code, 0, r.stderr);
    for (const line of r.stdout.replace(/\n$/, '').split('\n')) assert.ok(/^\[ *\d+\.\d{6}\] /.test(line), JSON.stringify(line));
    assert.match(r.stderr, /lines agree/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
