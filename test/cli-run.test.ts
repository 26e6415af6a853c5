// End-to-end tests of `osm`: the real entry point as a child process for argument and input errors, and the run
// command in-process on the fake bench (the twin's bench is wired by twin/kernel/bench.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRunCommand } from '../cli/commands/run.ts';
import { main } from '../cli/main.ts';
import type { CliIo } from '../cli/command.ts';
import { FakeBench } from './support/fake-bench.ts';
import type { BenchConfig } from '../scenarios/schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'osm-cli-'));

function osm(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/osm.ts', ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, OSM_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function buffers(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
}

function scenarioFile(name: string, steps: string): string {
  const path = join(dir, name);
  writeFileSync(path, `name: ${name}\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n${steps}`);
  return path;
}

async function runInProcess(args: string[], configs: BenchConfig[] = []): Promise<{ code: number; out: string; err: string }> {
  const io = buffers();
  const cmd = createRunCommand({
    io,
    makeBench: (cfg) => { configs.push(cfg); return new FakeBench({ seed: cfg.seed, credit: cfg.meter.credit }); },
  });
  const code = await main(['run', ...args], { commands: [cmd], io, env: {} });
  return { code, out: io.out.join(''), err: io.err.join('') };
}

test('osm run on a malformed scenario exits 2 with one line file:line:col: message on stderr', () => {
  const r = osm('run', 'scenarios/fixtures/bad/unknown-step.yaml');
  assert.is(r.code, 2);
  assert.is(r.stdout, '');
  assert.is(r.stderr, "scenarios/fixtures/bad/unknown-step.yaml:5:5: unknown step 'wait' (expected one of delay, set-load, grid, press-keys, power, tamper, expect, wait-until, log, network, topup)\n");
});

test('osm run on a YAML syntax error exits 2 with one line and no stack trace', () => {
  const r = osm('run', 'scenarios/fixtures/bad/yaml-syntax.yaml');
  assert.is(r.code, 2);
  assert.is(r.stderr.split('\n').filter(Boolean).length, 1);
  assert.match(r.stderr, /^scenarios\/fixtures\/bad\/yaml-syntax\.yaml:5:3: YAML syntax error: /);
  assert.not.match(r.stderr, /\s+at /);
});

/** A scenario over 1 MB (read in groups, kept packed): `n` log steps of about 110 bytes, then `last`. */
function largeScenario(name: string, n: number, last: string): string {
  const note = 'x'.repeat(96);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(i % 2 ? '  - delay: 1s' : `  - log: "${note}"`);
  lines.push(last);
  return scenarioFile(name, `${lines.join('\n')}\n`);
}

test('osm run on a scenario over 1 MB runs every step and reports counts instead of a line per step', async () => {
  const file = largeScenario('large.yaml', 20_000, '  - expect: { relay: closed }');
  const r = await runInProcess([file]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\n {2}20001 steps: 20001 held \(a scenario this large is reported without a line per step; --trace FILE records every step\)\n/);
  assert.match(r.out, /PASSED at 2h46m40\.000s: 1 of 1 check held/);
  assert.is(r.out.split('\n').length < 10, true);
});

test('osm run --json on a failing scenario over 1 MB gives the failed step, the counts and no outcome per step', async () => {
  const file = largeScenario('large-fail.yaml', 20_000, '  - expect: { credit: 1 }');
  const r = await runInProcess([file, '--json']);
  assert.is(r.code, 1, r.err);
  const j = JSON.parse(r.out) as { steps: Array<{ step: number; status: string }>; condensed: unknown; failure: { step: number; line: number } };
  assert.equal(j.condensed, { total: 20_001, ok: 20_000, notRun: 0 });
  assert.equal(j.steps.map((o) => [o.step, o.status]), [[20_001, 'failed']]);
  assert.is(j.failure.step, 20_001);
  assert.is(j.failure.line, 20_005);
});

test('osm --help lists the commands and exits 0', () => {
  const r = osm('--help');
  assert.is(r.code, 0);
  assert.match(r.stdout, /Usage: osm <command> \[options\]/);
  assert.match(r.stdout, /\n {2}run {2,}run a scenario/);
});

test('osm help run and osm run --help print the run usage', () => {
  const a = osm('help', 'run');
  const b = osm('run', '--help');
  assert.is(a.code, 0);
  assert.is(b.code, 0);
  assert.match(a.stdout, /^Usage: osm run <scenario\.yaml> \[options\]/);
  assert.is(a.stdout, b.stdout);
});

test('osm with an unknown command suggests the closest one and exits 2', () => {
  const r = osm('rnu');
  assert.is(r.code, 2);
  assert.is(r.stderr, "osm: unknown command 'rnu' (did you mean 'run'?); see 'osm --help'\n");
});

test('bad run arguments exit 2 with one clear line', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^osm run: missing the scenario file/],
    [['a.yaml', '--sed', '3'], /unknown option '--sed' \(did you mean '--seed'\?\)/],
    [['a.yaml', '--seed', 'x'], /--seed: expected a whole number 0\.\.4294967295, got 'x'/],
    [['a.yaml', '--speed', 'fast'], /--speed: expected max or a factor > 0/],
    [['a.yaml', '--speed', '0'], /--speed: expected max or a factor > 0/],
    [['a.yaml', '--trace'], /option '--trace' needs a value/],
    [['a.yaml', '--workers', '0'], /--workers: 0 is out of range \(expected 1\.\.1024\)/],
    [['a.yaml', '--json=yes'], /option '--json' takes no value/],
  ];
  for (const [args, re] of cases) {
    const r = await runInProcess(args);
    assert.is(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.is(r.err.split('\n').filter(Boolean).length, 1, r.err);
    assert.match(r.err, /; see 'osm help run'\n$/);
  }
});

test('osm run exits 0 and prints the report when every expectation holds', async () => {
  const file = scenarioFile('pass.yaml', '  - delay: 2s\n  - expect: { relay: closed, credit: 500 }\n');
  const r = await runInProcess([file]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /PASSED at 2\.000s: 2 of 2 checks held/);
});

test('osm run exits 1 when an expectation fails, naming step, expected, observed and time', async () => {
  const file = scenarioFile('fail.yaml', '  - delay: 2s\n  - expect: { relay: open }\n');
  const r = await runInProcess([file]);
  assert.is(r.code, 1);
  assert.match(r.out, /expected relay "open"\n\s+observed relay "closed"\n\s+at 2\.000s, step 2, .*fail\.yaml:6:15/);
});

test('osm run passes the scenario sections, seed and speed to the bench', async () => {
  const file = scenarioFile('cfg.yaml', '  - delay: 1s\n');
  const configs: BenchConfig[] = [];
  await runInProcess([file, '--seed', '42', '--speed', '2.5'], configs);
  assert.is(configs.length, 1);
  assert.is(configs[0].seed, 42);
  assert.is(configs[0].speed, 2.5);
  assert.is(configs[0].meter.credit, 500);
  assert.is(configs[0].meter.build.mode, 'sts');
  assert.is(configs[0].plant.grid.vrms, 230);
});

test('osm run --json prints the result object only', async () => {
  const file = scenarioFile('json.yaml', '  - delay: 1s\n  - expect: { relay: open }\n');
  const r = await runInProcess([file, '--json']);
  assert.is(r.code, 1);
  const obj = JSON.parse(r.out);
  assert.is(obj.status, 'failed');
  assert.is(obj.failure.step, 2);
});

test('osm run --json on an invalid scenario prints an invalid result and exits 2', async () => {
  const r = await runInProcess([join(root, 'scenarios/fixtures/bad/version-2.yaml'), '--json']);
  assert.is(r.code, 2);
  const obj = JSON.parse(r.out);
  assert.equal([obj.status, obj.error.line, obj.error.col], ['invalid', 2, 10]);
});

test('osm run --quiet prints nothing when every expectation holds', async () => {
  const file = scenarioFile('quiet.yaml', '  - delay: 1s\n');
  const r = await runInProcess([file, '-q']);
  assert.is(r.code, 0);
  assert.is(r.out, '');
});

test('osm run --trace writes the JSONL trace, identical for the same seed', async () => {
  const file = scenarioFile('trace.yaml', '  - set-load: { id: h, watts: 1000 }\n  - delay: 30s\n');
  const t1 = join(dir, 't1.jsonl');
  const t2 = join(dir, 't2.jsonl');
  assert.is((await runInProcess([file, '--trace', t1, '--seed', '9'])).code, 0);
  assert.is((await runInProcess([file, '--trace', t2, '--seed', '9'])).code, 0);
  const a = readFileSync(t1, 'utf8');
  assert.ok(a.split('\n').length > 30);
  assert.is(a, readFileSync(t2, 'utf8'));
});

test('osm run --trace into a missing directory exits 2 before building a bench', async () => {
  const file = scenarioFile('notrace.yaml', '  - delay: 1s\n');
  const configs: BenchConfig[] = [];
  const r = await runInProcess([file, '--trace', join(dir, 'missing', 't.jsonl')], configs);
  assert.is(r.code, 2);
  assert.match(r.err, /^osm run: --trace: cannot write '.*t\.jsonl': the folder '.*missing' does not exist; create it first/);
  assert.is(configs.length, 0);
});

test('a simulator error exits 3 with a one-line message and no stack trace', async () => {
  const file = scenarioFile('boom.yaml', '  - delay: 1s\n  - power: cut\n');
  const io = buffers();
  const cmd = createRunCommand({ io, makeBench: () => new FakeBench({ failOn: 'power' }) });
  const trace = join(dir, 'boom.jsonl');
  const code = await main(['run', file, '--trace', trace], { commands: [cmd], io, env: {} });
  assert.is(code, 3);
  assert.is(io.err.join(''), 'osm run: simulation error: step 2 (power cut) at 1.000s: fake bench: power failed on purpose\n(set OSM_DEBUG=1 to see the stack trace)\n');
  assert.ok(existsSync(trace), 'the trace up to the error is kept');
});

test('on a TTY, a progress line goes to stderr at most once per wall second and is erased at the end', async () => {
  const file = scenarioFile('progress.yaml', '  - delay: 1s\n  - delay: 1s\n  - delay: 1s\n  - delay: 1s\n');
  const io = buffers();
  io.stderr.isTTY = true;
  let wall = 0;
  const cmd = createRunCommand({ io, makeBench: () => new FakeBench(), wallMs: () => (wall += 400) });
  const code = await main(['run', file], { commands: [cmd], io, env: {} });
  assert.is(code, 0);
  const lines = io.err.filter((t) => t.includes('step '));
  // The fake wall clock advances 400 ms per look, and a line needs 1000 ms since the previous one: fewer lines
  // than steps.
  assert.ok(lines.length >= 1 && lines.length < 4, JSON.stringify(io.err));
  assert.match(lines[0], /^\r\x1b\[K {2}step \d\/4 {2}t=\d\.000s {2}delay 1s$/);
  assert.is(io.err[io.err.length - 1], '\r\x1b[K');
});

test('without a TTY a slow run prints plain progress lines (no terminal codes); a quick one prints none', async () => {
  const file = scenarioFile('noprogress.yaml', '  - delay: 1s\n  - delay: 1s\n');
  const slow = buffers();
  let wall = 0;
  const cmd = createRunCommand({ io: slow, makeBench: () => new FakeBench(), wallMs: () => (wall += 5000) });
  assert.is(await main(['run', file], { commands: [cmd], io: slow, env: {} }), 0);
  assert.ok(slow.err.length >= 1);
  for (const l of slow.err) assert.match(l, /^osm run: step \d\/2 at t=\S+ \(delay 1s\)\n$/);
  const quick = buffers();
  const cmd2 = createRunCommand({ io: quick, makeBench: () => new FakeBench(), wallMs: () => 0 });
  assert.is(await main(['run', file], { commands: [cmd2], io: quick, env: {} }), 0);
  assert.equal(quick.err, []);
});

/** A bench paced to the wall clock: each run waits `wallMsPerRun` of real time, leaving the event loop idle. */
class PacedBench extends FakeBench {
  constructor(readonly wallMsPerRun: number) { super(); }
  override async runFor(us: number): Promise<void> {
    await new Promise((r) => setTimeout(r, this.wallMsPerRun));
    await super.runFor(us);
  }
}

test('without a TTY a run paced to the wall clock keeps printing progress lines within a long step', async () => {
  const file = scenarioFile('paced.yaml', '  - delay: 30s\n');
  const io = buffers();
  let wall = 0;
  // 2.5 s of real time in the one step, the fake wall clock 11 s further at each look: a line at every look
  const cmd = createRunCommand({ io, makeBench: () => new PacedBench(2500), wallMs: () => (wall += 11_000) });
  assert.is(await main(['run', file], { commands: [cmd], io, env: {} }), 0);
  const lines = io.err.filter((t) => t.startsWith('osm run: step 1/1'));
  assert.ok(lines.length >= 2, `only the step's own line: ${JSON.stringify(io.err)}`);
});

test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
