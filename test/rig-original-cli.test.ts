// `osm rig check`, `osm run --target` and `osm diff --b rig-emulated` from the command line (in-process through
// main()). The rig-emulated runs need the responder image (gcc-avr, avr-libc, arduino-core-avr); without them those
// tests are skipped and the error is checked instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../cli/main.ts';
import type { CliIo } from '../cli/command.ts';
import { toolchainProblem } from '../hil-rig/firmware/build-sketch.ts';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const haveToolchain = toolchainProblem() === null;
const run = haveToolchain ? test : test.skip;

async function osm(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
  const { createRigCommand } = await import('../cli/commands/rig.ts');
  const { createDiffCommand } = await import('../cli/commands/diff.ts');
  const { createRunCommand } = await import('../cli/commands/run.ts');
  const code = await main(args, { io, commands: [createRigCommand(io), createDiffCommand(io), createRunCommand({ io })], env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

test('osm rig check without ports says what it needs, exit 2', async () => {
  const r = await osm('rig', 'check');
  assert.is(r.code, 2);
  assert.match(r.err, /needs --port, --debug-port and --afe-port.*--target rig-emulated/);
});

test('osm run --target rig without its ports is one line naming them, exit 2', async () => {
  const r = await osm('run', 'scenarios/library/tamper-outputs.yaml', '--target', 'rig', '--port', '/dev/null');
  assert.is(r.code, 2);
  assert.match(r.err, /--target rig needs --debug-port PATH, --afe-port PATH/);
});

test('osm run --target with an unknown target or --board beside it is refused, exit 2', async () => {
  assert.match((await osm('run', 'scenarios/library/tamper-outputs.yaml', '--target', 'bench')).err, /--target: expected twin, rig, rig-emulated, got 'bench'/);
  assert.match((await osm('run', 'scenarios/library/tamper-outputs.yaml', '--target', 'rig-emulated', '--board', 'emulated')).err, /not both/);
});

test('osm run --target rig with ports that do not exist fails at the first port, exit 2, nothing hangs', async () => {
  const r = await osm('run', 'scenarios/library/tamper-outputs.yaml', '--target', 'rig', '--port', '/nonexistent/rig', '--debug-port', '/nonexistent/dbg', '--afe-port', '/nonexistent/afe');
  assert.is(r.code, 2);
  assert.match(r.err, /cannot open the rig board's port \/nonexistent\/rig/);
});

run('osm run --target rig-emulated refuses a scenario with twin-only checks before it starts, naming each', async () => {
  const r = await osm('run', 'scenarios/library/tamper.yaml', '--target', 'rig-emulated');
  assert.is(r.code, 2);
  assert.match(r.err, /tamper\.yaml:\d+:\d+: this scenario cannot run on a rig: 3 expectations assert what only the twin can observe: lcd \(line \d+\), lcd\.line0 \(line \d+\), lcd\.line0 \(line \d+\)/);
});

run('osm rig check --target rig-emulated passes every check and measures the responder round trip', async () => {
  const r = await osm('rig', 'check', '--target', 'rig-emulated', '--json', '--pings', '5');
  assert.is(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { ok: boolean; lines: { item: string; ok: boolean }[]; roundTripUs: { median: number; n: number } };
  assert.equal(j.lines.map((l) => l.item), ['wiring', 'outputs', 'inputs', 'meter boot', 'AFE responder']);
  assert.ok(j.lines.every((l) => l.ok));
  assert.is(j.roundTripUs.n, 5);
  assert.ok(j.roundTripUs.median > 0 && j.roundTripUs.median < 10_000, `median ${j.roundTripUs.median} us`);
});

// docs/hil-rig.md shows a whole session's output and says its figures are those of --target rig-emulated: a reader
// compares a real rig's lines with them, so they must be what the command prints.
run('the osm rig check lines docs/hil-rig.md shows are those --target rig-emulated prints', async () => {
  const md = readFileSync(resolve(root, 'docs', 'hil-rig.md'), 'utf8');
  const block = /```\nosm rig check: [^\n]*\n((?:  [^\n]*\n)+)```/.exec(md);
  assert.ok(block, 'docs/hil-rig.md has the osm rig check session');
  const r = await osm('rig', 'check', '--target', 'rig-emulated');
  assert.is(r.code, 0, r.err);
  const printed = r.out.split('\n').slice(1).filter((l) => l !== '').map((l) => l.replace(`${root}/`, ''));
  assert.equal(block[1].trimEnd().split('\n'), printed);
});

run('osm diff --a twin --b rig-emulated on a rig-observable scenario: same verdicts, timing within tolerance', async () => {
  const r = await osm('diff', 'scenarios/library/tamper-outputs.yaml', '--a', 'twin', '--b', 'rig-emulated', '--json');
  assert.is(r.code, 0, r.out);
  const j = JSON.parse(r.out) as { sameVerdicts: boolean; notCompared: string[]; observables: { observable: string; ok: boolean; maxAbsDtUs: number; countA: number; countB: number }[] };
  assert.ok(j.sameVerdicts);
  assert.equal(j.notCompared, ['lcd', 'serial.modem']);
  const relay = j.observables.find((o) => o.observable === 'relay')!;
  assert.is(relay.countA, relay.countB);
  assert.ok(relay.maxAbsDtUs < 10_000, `relay seen ${relay.maxAbsDtUs} us after the twin: the rig link's latency`);
});

test.run();
