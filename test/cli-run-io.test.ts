// osm run's inputs and outputs at the edge: the run advances in slices (for Ctrl-C and progress) without changing a
// byte of the trace; a dump given with --eeprom wins over the scenario's meter.credit and the difference is said;
// a long run shows its simulated time on stderr when stderr is not a terminal; a reader that closes the pipe ends
// every command quietly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../cli/command.ts';
import { createEepromCommand } from '../cli/commands/eeprom.ts';
import { createRunCommand } from '../cli/commands/run.ts';
import { main } from '../cli/main.ts';
import { FakeBench } from './support/fake-bench.ts';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { TraceRecorder } from '../scenarios/trace-recorder.ts';
import { createBench } from '../twin/kernel/bench.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'osm-run-io-'));

function buffers(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

test('osm run in slices writes the same trace, byte for byte, as one unsliced run of the twin', async () => {
  const file = join(dir, 'slices.yaml');
  writeFileSync(file, [
    'name: slices', 'version: 1', 'meter: { credit: 300 }', 'plant:', '  loads: [{ id: kettle, watts: 2000 }]', 'steps:',
    '  - delay: 150s', '  - wait-until: { relay: open, timeout: 90s }',
  ].join('\n'));
  const scenario = await loadScenario(file);
  const plain = join(dir, 'plain.jsonl');
  const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 3, speed: 'max' });
  const rec = TraceRecorder.toFile(bench.trace, plain);
  await runScenario(scenario, bench, { seed: 3 });
  rec.close();
  await bench.close();

  const sliced = join(dir, 'sliced.jsonl');
  const io = buffers();
  const code = await main(['run', file, '--seed', '3', '--trace', sliced, '--quiet'], { commands: [createRunCommand({ io })], io, env: {} });
  assert.ok(code === 0 || code === 1, io.err.join(''));
  const a = readFileSync(plain, 'utf8');
  assert.ok(a.split('\n').length > 100);
  assert.is(readFileSync(sliced, 'utf8'), a);
});

async function creditDump(name: string, credit: number): Promise<string> {
  const dump = join(dir, name);
  const io0 = buffers();
  assert.is(await main(['eeprom', 'make', dump, '--credit', String(credit)], { commands: [createEepromCommand({ io: io0 })], io: io0, env: {} }), 0);
  return dump;
}

test('--eeprom: the dump\'s credit wins over the scenario\'s meter.credit, and the difference is reported', async () => {
  const dump = await creditDump('credit.bin', 1234);
  const file = join(dir, 'credit.yaml');
  writeFileSync(file, 'name: dump wins\nversion: 1\nmeter: { credit: 500 }\nsteps:\n  - delay: 25s\n  - expect: { credit: { approx: 1234, tol: 1 } }\n');
  const io = buffers();
  const code = await main(['run', file, '--eeprom', dump], { commands: [createRunCommand({ io })], io, env: {} });
  assert.is(code, 0, io.out.join(''));
  const err = io.err.join('');
  assert.match(err, /credit\.yaml: the meter starts with the credit 1234 of the --eeprom dump .*credit\.bin; the scenario's meter\.credit 500 is not applied \(meter\.credit-over-eeprom: true in the scenario applies it\)/);
  assert.is(err.trim().split('\n').length, 1, err);
});

test('--eeprom with meter.credit-over-eeprom: true: the scenario\'s credit wins over the dump\'s, and the difference is reported', async () => {
  const dump = await creditDump('credit-own.bin', 1234);
  const file = join(dir, 'credit-own.yaml');
  writeFileSync(file, 'name: scenario wins\nversion: 1\nmeter: { credit: 500, credit-over-eeprom: true }\nsteps:\n  - delay: 25s\n  - expect: { credit: { approx: 500, tol: 1 } }\n');
  const io = buffers();
  const code = await main(['run', file, '--eeprom', dump], { commands: [createRunCommand({ io })], io, env: {} });
  assert.is(code, 0, io.out.join(''));
  assert.match(io.err.join(''), /credit-own\.yaml: the meter starts with the scenario's meter\.credit 500, not the credit 1234 of the --eeprom dump .*credit-own\.bin \(the scenario sets meter\.credit-over-eeprom: true\)/);
});

test('--eeprom with equal credits reports nothing, and --quiet silences a difference', async () => {
  const dump = await creditDump('credit-same.bin', 500);
  const file = join(dir, 'credit-same.yaml');
  writeFileSync(file, 'name: same\nversion: 1\nmeter: { credit: 500 }\nsteps:\n  - delay: 25s\n  - expect: { credit: { approx: 500, tol: 1 } }\n');
  const io = buffers();
  assert.is(await main(['run', file, '--eeprom', dump, '--quiet'], { commands: [createRunCommand({ io })], io, env: {} }), 0);
  assert.not.match(io.err.join(''), /--eeprom/);
  const other = await creditDump('credit-other.bin', 9);
  const quiet = buffers();
  await main(['run', file, '--eeprom', other, '--quiet'], { commands: [createRunCommand({ io: quiet })], io: quiet, env: {} });
  assert.is(quiet.err.join(''), '');
});

test('--eeprom in a campaign: each scenario\'s credit is chosen as in a single run and each difference is reported', async () => {
  const dump = await creditDump('credit-campaign.bin', 1234);
  const folder = join(dir, 'credit-campaign');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'a-dump.yaml'), 'name: dump wins\nversion: 1\nmeter: { credit: 500 }\nsteps:\n  - delay: 25s\n  - expect: { credit: { approx: 1234, tol: 1 } }\n');
  writeFileSync(join(folder, 'b-own.yaml'), 'name: scenario wins\nversion: 1\nmeter: { credit: 500, credit-over-eeprom: true }\nsteps:\n  - delay: 25s\n  - expect: { credit: { approx: 500, tol: 1 } }\n');
  const io = buffers();
  const code = await main(['run', folder, '--eeprom', dump, '--workers', '1'], { commands: [createRunCommand({ io })], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 0, io.out.join('') + err);
  assert.match(err, /a-dump\.yaml: the meter starts with the credit 1234 of the --eeprom dump/);
  assert.match(err, /b-own\.yaml: the meter starts with the scenario's meter\.credit 500, not the credit 1234/);
});

test('a long run prints its simulated time on stderr every few seconds when stderr is not a terminal; --quiet silences it', async () => {
  const file = join(dir, 'long.yaml');
  writeFileSync(file, 'name: long\nversion: 1\nsteps:\n  - delay: 2h\n');
  let wall = 0;
  const run = async (quiet: boolean): Promise<string> => {
    const io = buffers();
    const cmd = createRunCommand({ io, wallMs: () => (wall += 1000), makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
    await main(['run', file, ...(quiet ? ['--quiet'] : [])], { commands: [cmd], io, env: {} });
    return io.err.join('');
  };
  const err = await run(false);
  const lines = err.split('\n').filter(Boolean);
  assert.ok(lines.length >= 2, err);
  for (const l of lines) assert.match(l, /^osm run: step 1\/1 at t=\S+ \(delay 2h\)$/);
  assert.is(await run(true), '');
});

test('--debug-log into a missing folder is refused before the run in one line naming the folder, not a temporary file', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'short.yaml');
  writeFileSync(file, 'name: short\nversion: 1\nsteps:\n  - delay: 1s\n');
  const code = await main(['run', file, '--debug-log', join(dir, 'no-such-folder', 'd.log'), '--quiet'], { commands: [cmd], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 2, err);
  assert.match(err, /--debug-log: cannot write '.*d\.log': the folder '.*no-such-folder' does not exist/);
  assert.not.match(err, /tmp-|ENOENT/);
});

test('--trace on a full disk (/dev/full) mid-run ends the run in one line and exit 2, not an internal error', async () => {
  if (!existsSync('/dev/full')) return;
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'many-steps.yaml');
  // Enough steps that the trace passes its 64 KiB buffer before the end: the write fails during the run.
  writeFileSync(file, ['name: many steps', 'version: 1', 'steps:', ...Array.from({ length: 2000 }, () => '  - delay: 1s')].join('\n'));
  const code = await main(['run', file, '--trace', '/dev/full'], { commands: [cmd], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 2, err);
  assert.is(err, "osm run: --trace: cannot write '/dev/full': no space left on the device\n");
  assert.is(io.out.join(''), '');
});

test('osm run on a terminal with colour off (NO_COLOR) writes its report without escape sequences', async () => {
  const out: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t), isTTY: true, color: false }, stderr: { write: () => true } };
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'short.yaml');
  writeFileSync(file, 'name: short\nversion: 1\nsteps:\n  - delay: 1s\n  - expect: { relay: closed }\n');
  assert.is(await main(['run', file], { commands: [cmd], io, env: {} }), 0);
  assert.match(out.join(''), /PASSED/);
  assert.not.match(out.join(''), /\x1b/);
});

test('--debug-log /dev/null is written as a stream, as --trace and --save-eeprom are', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'short.yaml');
  writeFileSync(file, 'name: short\nversion: 1\nsteps:\n  - delay: 1s\n');
  const code = await main(['run', file, '--debug-log', '/dev/null', '--quiet'], { commands: [cmd], io, env: {} });
  assert.is(code, 0, io.err.join(''));
});

test('--debug-log through a symlink replaces the link\'s target and keeps the link', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'short.yaml');
  writeFileSync(file, 'name: short\nversion: 1\nsteps:\n  - delay: 1s\n');
  const target = join(dir, 'real.log');
  const link = join(dir, 'link.log');
  writeFileSync(target, 'old\n');
  symlinkSync(target, link);
  const code = await main(['run', file, '--debug-log', link, '--quiet'], { commands: [cmd], io, env: {} });
  assert.is(code, 0, io.err.join(''));
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.is.not(readFileSync(target, 'utf8'), 'old\n');
});

/** `osm run` of the boot-screens scenario in a child process with `args`: its exit code, stdout and stderr. */
function osmRun(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/osm.ts', 'run', 'scenarios/library/boot-screens.yaml', ...args], {
      cwd: root, env: { ...process.env, OSM_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('close', (code) => done({ code, out, err }));
  });
}

test('osm run --trace - keeps standard output to the trace alone: every line is JSON, the report goes to stderr', async () => {
  const r = await osmRun('--trace', '-');
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.length > 50);
  for (const l of lines) assert.not.throws(() => JSON.parse(l), `not JSON: ${l}`);
  assert.match(r.err, /PASSED at /);
});

test('osm run --debug-log - puts only the time-stamped log on standard output (for osm replay -), the report on stderr', async () => {
  const r = await osmRun('--debug-log', '-');
  assert.is(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.length > 5);
  for (const l of lines) assert.match(l, /^\[\s*\d+\.\d{6}\]/, `not a time-stamped line: ${l}`);
  assert.match(r.out, /Device Powered!/);
  assert.match(r.err, /PASSED at /);
});

test('--json and --trace - cannot share standard output: one line, exit 2', async () => {
  const io = buffers();
  const code = await main(['run', 'scenarios/library/boot-screens.yaml', '--trace', '-', '--json'], { commands: [createRunCommand({ io })], io, env: {} });
  assert.is(code, 2);
  assert.match(io.err.join(''), /--json and --trace - cannot both write to standard output/);
});

/** Start `osm ...` with its stdout closed by the reader at once: the command must end quietly (exit 141). */
function closedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/osm.ts', ...args], {
      cwd: root, env: { ...process.env, OSM_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (code) => done({ code, stderr }));
  });
}

const dump = join(dir, 'show.bin');
writeFileSync(dump, new Uint8Array(4096).fill(0xff));
// One stdout handler (cli/osm.ts) serves every command; these cover a short answer, the live demo, a trace streamed
// to stdout, and a table. A short answer may be out before the pipe error arrives: then the command's own code.
const PIPED: Array<[string[], number[]]> = [
  [['--help'], [0, 141]],
  [['sts', 'generate', '--amount', '500'], [0, 141]],
  [['eeprom', 'show', dump], [0, 141]],
  [['demo', '--speed', 'max', '--duration', '30'], [0, 141]],
  [['run', 'scenarios/library/boot-screens.yaml', '--trace', '-', '--quiet'], [141]],
];
for (const [args, codes] of PIPED) {
  test(`osm ${args.join(' ')} into a closed pipe ends quietly`, async () => {
    const r = await closedStdout(args);
    assert.is(r.stderr, '', r.stderr);
    assert.ok(codes.includes(r.code ?? -1), `exit ${r.code}`);
  });
}

test('osm run with standard output on a full disk (> /dev/full) ends in one line on stderr and exit 2, no stack trace', async () => {
  if (!existsSync('/dev/full')) return;
  const { openSync, closeSync } = await import('node:fs');
  const full = openSync('/dev/full', 'w');
  const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/osm.ts', 'run', 'scenarios/library/boot-screens.yaml'], {
      cwd: root, env: { ...process.env, OSM_DEBUG: '' }, stdio: ['ignore', full, 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (code) => done({ code, stderr }));
  });
  closeSync(full);
  assert.is(r.stderr, 'osm: cannot write standard output: no space left on the device\n');
  assert.is(r.code, 2);
});

test('--trace naming the scenario being run is refused before the run, and the scenario is left as it was', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'self.yaml');
  const text = 'name: self\nversion: 1\nsteps:\n  - delay: 1s\n';
  writeFileSync(file, text);
  const code = await main(['run', file, '--trace', file, '--quiet'], { commands: [cmd], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 2, err);
  assert.match(err, /--trace: '.*self\.yaml' is the scenario this command reads; give another file name/);
  assert.is(readFileSync(file, 'utf8'), text);
});

test('--trace and --debug-log naming one file are refused before the run (one would be lost)', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const file = join(dir, 'two-outputs.yaml');
  writeFileSync(file, 'name: two\nversion: 1\nsteps:\n  - delay: 1s\n');
  const out = join(dir, 'both.txt');
  const code = await main(['run', file, '--trace', out, '--debug-log', out, '--quiet'], { commands: [cmd], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 2, err);
  assert.match(err, /--debug-log: '.*both\.txt' is also the --trace file; give each output its own file/);
});

test('a campaign\'s --junit naming one of its scenarios is refused before the runs, and the scenario is left as it was', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const a = join(dir, 'camp-a.yaml');
  const b = join(dir, 'camp-b.yaml');
  const text = 'name: a\nversion: 1\nsteps:\n  - delay: 1s\n';
  writeFileSync(a, text);
  writeFileSync(b, text);
  const code = await main(['run', a, b, '--junit', b, '--quiet', '--workers', '1'], { commands: [cmd], io, env: {} });
  const err = io.err.join('');
  assert.is(code, 2, err);
  assert.match(err, /--junit: '.*camp-b\.yaml' is a scenario this command reads; give another file name/);
  assert.is(readFileSync(b, 'utf8'), text);
});

test('--save-eeprom may name the --eeprom dump it starts from (the dump is read whole first)', async () => {
  const io = buffers();
  const cmd = createRunCommand({ io });
  const file = join(dir, 'inplace.yaml');
  writeFileSync(file, 'name: inplace\nversion: 1\nsteps:\n  - delay: 1s\n');
  const dump = join(dir, 'inplace.bin');
  writeFileSync(dump, new Uint8Array(4096).fill(0xff));
  const code = await main(['run', file, '--eeprom', dump, '--save-eeprom', dump, '--quiet'], { commands: [cmd], io, env: {} });
  assert.is(code, 0, io.err.join(''));
});

test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
