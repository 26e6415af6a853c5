// The bad-input corpus (scenarios/fixtures/bad/): every scenario there and every command line of cli-cases.json, run
// through the real dispatcher and commands. Each must exit 2 with exactly one line on stderr (no stack trace, no raw
// control byte), print nothing on stdout, and leave the files around it as they were: nothing created, nothing
// replaced, devices still devices.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo, Command } from '../cli/command.ts';
import { createAccuracyCommand } from '../cli/commands/accuracy.ts';
import { createCalibrateCommand } from '../cli/commands/calibrate.ts';
import { createDemoCommand } from '../cli/commands/demo.ts';
import { createEepromCommand } from '../cli/commands/eeprom.ts';
import { createOpaygoCommand } from '../cli/commands/opaygo.ts';
import { createRunCommand } from '../cli/commands/run.ts';
import { createStsCommand } from '../cli/commands/sts.ts';
import { createFleetCommand } from '../cli/commands/fleet.ts';
import { createFlowCommand } from '../cli/commands/flow.ts';
import { createFrontendCommand } from '../cli/commands/frontend.ts';
import { createReplayCommand } from '../cli/commands/replay.ts';
import { main } from '../cli/main.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const badDir = join(root, 'scenarios', 'fixtures', 'bad');
const good = join(root, 'scenarios', 'library', 'boot-screens.yaml');

/** `stdout`: the command prints its result before the output file fails (a full device cannot be known in advance). */
interface Case { args: string[]; stderr: string; stdout?: boolean }
const cases = JSON.parse(readFileSync(join(badDir, 'cli-cases.json'), 'utf8')) as Case[];

function buffers(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

/** A folder with a file to keep and a file used as a would-be folder. */
function place(): string {
  const d = mkdtempSync(join(tmpdir(), 'osm-bad-'));
  writeFileSync(join(d, 'keep.txt'), 'keep');
  writeFileSync(join(d, 'file'), 'a file, not a folder');
  return d;
}

function snapshot(d: string): string {
  return readdirSync(d).sort().map((f) => `${f}:${readFileSync(join(d, f), 'utf8')}`).join('|');
}

async function osm(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = buffers();
  const commands: Command[] = [
    createRunCommand({ io }), createAccuracyCommand({ io }), createCalibrateCommand({ io }), createEepromCommand({ io }),
    createOpaygoCommand({ io }), createStsCommand({ io }), createDemoCommand(io), createFrontendCommand({ io }),
    createReplayCommand({ io }), createFlowCommand(io), createFleetCommand({ io }),
  ];
  const code = await main(args, { commands, io, env: {} });
  return { code, out: io.out.join(''), err: io.err.join('') };
}

function checkOneLine(what: string, r: { code: number; out: string; err: string }, stdout = false): void {
  assert.is(r.code, 2, `${what}: exit ${r.code}, stderr: ${r.err}`);
  if (!stdout) assert.is(r.out, '', `${what}: stdout: ${r.out}`);
  assert.ok(r.err.endsWith('\n'), `${what}: ${r.err}`);
  assert.is(r.err.split('\n').length, 2, `${what}: more than one line: ${r.err}`);
  assert.not.match(r.err, /\n\s+at |internal error|OSM_DEBUG/, what);
  assert.not.match(r.err, /^osm [a-z]+: osm /, `${what}: the command named twice`);
  // eslint-disable-next-line no-control-regex
  assert.not.match(r.err.slice(0, -1), /[\u0000-\u001f\u007f]/, `${what}: a raw control byte in ${JSON.stringify(r.err)}`);
}

for (const file of readdirSync(badDir).filter((f) => f.endsWith('.yaml')).sort()) {
  test(`osm run ${file} exits 2 with one line and leaves nothing`, async () => {
    const d = place();
    try {
      const before = snapshot(d);
      const r = await osm(['run', join(badDir, file), '--trace', join(d, 't.jsonl'), '--save-eeprom', join(d, 'keep.txt')]);
      checkOneLine(file, r);
      assert.match(r.err, new RegExp(`^${join(badDir, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      assert.is(snapshot(d), before);
    } finally { rmSync(d, { recursive: true, force: true }); }
  });
}

for (const c of cases) {
  const shown = c.args.join(' ').replace(/[\u0000-\u001f]/g, '?');
  test(`osm ${shown} exits 2 with one line and leaves nothing`, async () => {
    const d = place();
    try {
      const before = snapshot(d);
      const args = c.args.map((a) => a.replace('$TMP', d).replace('$BAD', badDir).replace('$GOOD', good));
      const r = await osm(args);
      checkOneLine(shown, r, c.stdout === true);
      assert.match(r.err.trimEnd(), new RegExp(c.stderr), `stderr was: ${r.err}`);
      assert.not.match(r.err, /\.tmp|osm-\d+-\d+/, 'a message names a temporary file');
      assert.not.match(r.err, /osm (\w+): osm \1/, 'a doubled prefix');
      assert.is(snapshot(d), before);
      assert.ok(statSync('/dev/full').isCharacterDevice(), '/dev/full was replaced');
    } finally { rmSync(d, { recursive: true, force: true }); }
  });
}

// Every file a command reads by name goes through io/input-file.ts: a directory is said in words, and a file larger
// than the command's limit (a sparse file here; /dev/zero, which never ends, likewise) is refused with the limit
// instead of filling the memory. (`osm replay` reads its log as a stream, of any length: test/replay.test.ts.)
const INPUTS: Array<[string, (f: string) => string[], number]> = [
  ['osm frontend import', (f) => ['frontend', 'import', f], 64 << 20],
  ['osm accuracy --schematic', (f) => ['accuracy', '--schematic', f], 64 << 20],
  ['osm flow check', (f) => ['flow', 'check', f], 16 << 20],
  ['osm fleet --tokens', (f) => ['fleet', '--meters', '1', '--tokens', f], 64 << 20],
];
for (const [what, args, limit] of INPUTS) {
  test(`${what}: a directory, a file over the limit and /dev/zero are each one line and exit 2`, async () => {
    const d = place();
    try {
      const big = join(d, 'big');
      writeFileSync(big, '');
      truncateSync(big, limit + 1);
      for (const [name, expect] of [[d, /cannot read .*: it is a directory/], [big, /big'?: cannot read .*: it is larger than|cannot read '.*big': it is larger than/], ['/dev/zero', /\/dev\/zero'?: .*it is larger than/]] as const) {
        const r = await osm(args(name));
        checkOneLine(`${what} ${name}`, r);
        assert.match(r.err, expect, r.err);
      }
    } finally { rmSync(d, { recursive: true, force: true }); }
  });
}

test('no command puts its own name before a message: the dispatcher prints "osm <command>: " once', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== 'node_modules' && e.name !== 'dist') walk(p); continue; }
      if (!e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
      readFileSync(p, 'utf8').split('\n').forEach((l, i) => {
        if (/new (UsageError|InputError)\(\s*[`'"]osm /.test(l)) offenders.push(`${p}:${i + 1}`);
      });
    }
  };
  for (const d of ['cli', 'scenarios', 'hil-rig', 'io', 'dashboard', 'flows']) walk(join(root, d));
  assert.equal(offenders, []);
});

test('the corpus holds every case of the issue: at least 25 command lines and 35 scenarios', () => {
  assert.ok(cases.length >= 25, `${cases.length} command lines`);
  assert.ok(readdirSync(badDir).filter((f) => f.endsWith('.yaml')).length >= 35);
});

test('osm fleet --hours, --days and --topup-every take a number of hours or days and quote what was typed', async () => {
  for (const [opt, value, unit] of [['--hours', 'abc', 'hours'], ['--hours', '2h', 'hours'], ['--days', 'abc', 'days'], ['--topup-every', 'weekly', 'hours']]) {
    const r = await osm(['fleet', '--meters', '1', opt, value]);
    checkOneLine(`fleet ${opt} ${value}`, r);
    assert.match(r.err, new RegExp(`${opt}: expected a number of ${unit} above 0, got '${value}'`), r.err);
  }
});

test.run();
