// End to end: `osm replay` on debug logs the twin wrote itself (scenarios/field-log.ts, scenarios/replay.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { formatLogLine, parseDebugLog } from '../scenarios/field-log.ts';
import { recordDebugLog } from '../cli/debug-log.ts';
import { formatReplay, replayDebugLog } from '../scenarios/replay.ts';
import { createReplayCommand } from '../cli/commands/replay.ts';
import { UsageError } from '../cli/command.ts';
import { scratchDir } from './support/scratch.ts';

const meter = { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 800, clock: { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 } };

/** A twin run with a load change, a web top-up and a power cut, recorded as a debug log. */
async function twinLog(network: boolean): Promise<string> {
  const bench = createBench({ meter, plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'a', watts: 300, pf: 1 }] }, seed: 1, speed: 'max', ...(network ? { network: {} } : {}) });
  const log = recordDebugLog(bench);
  await bench.start();
  await bench.runFor(60e6);
  bench.setLoad({ id: 'a', kind: 'inductive', watts: 1500, pf: 0.8 });
  bench.comms?.topup(250);
  await bench.runFor(90e6);
  bench.power(false);
  await bench.runFor(20e6);
  bench.power(true);
  await bench.runFor(120e6);
  await bench.close();
  return log();
}

let connected = '';

test('a log the twin wrote (modem connected, a top-up, a load change, a power cut) replays line for line', async () => {
  connected = await twinLog(true);
  const r = await replayDebugLog(connected, { meter });
  assert.is(r.firstDivergence, null, formatReplay(r, 'twin.log'));
  assert.is(r.agreeing, r.compared);
  assert.ok(r.compared > 100);
  assert.is(r.problems.length, 0);
  assert.is(r.blocks.sameCredit, r.blocks.count, 'credit agrees at every block');
  assert.ok(r.mostHeld.log < 100 && r.mostHeld.twin < 100, JSON.stringify(r.mostHeld));
  assert.ok(r.blocks.count > 10);
  assert.ok(connected.includes('250.00'), 'the top-up is in the log');
});

test('a log from a meter with a mute modem replays too', async () => {
  const log = await twinLog(false);
  const r = await replayDebugLog(log, { meter });
  assert.is(r.network, false);
  assert.is(r.firstDivergence, null, formatReplay(r, 'mute.log'));
});

test('a log whose lines a capture trimmed (the boot lines lose their last space) replays line for line, with one note', async () => {
  const trimmed = (await twinLog(false)).replace(/ +$/gm, '');
  assert.not.match(trimmed, /Device Powered! $/m);
  const r = await replayDebugLog(trimmed, { meter });
  assert.is(r.firstDivergence, null, formatReplay(r, 'trimmed.log'));
  assert.is(r.agreeing, r.compared);
  assert.equal(r.problems.map((p) => p.kind), ['trimmed']);
});

test('a capture started before the meter was powered (its first line Device Powered! at 7.25 s) replays line for line', async () => {
  const log = await twinLog(false);
  const shifted = log.trimEnd().split('\n').map((l) => {
    const m = /^\[\s*([\d.]+)\](.*)$/.exec(l)!;
    return formatLogLine(Math.round(Number(m[1]) * 1e6) + 7_250_000, m[2].replace(/^ /, ''));
  }).join('\n') + '\n';
  assert.match(shifted, /^\[\s*7\.250000\] Device Powered!/);
  const r = await replayDebugLog(shifted, { meter });
  assert.is(r.firstDivergence, null, formatReplay(r, 'shifted.log'));
  assert.is(r.agreeing, r.compared);
  assert.ok(r.compared > 10, `${r.compared} lines compared`);
});

test('garbage, untimed lines and a gap are reported and skipped, and the rest still agrees', async () => {
  const lines = connected.trimEnd().split('\n');
  const tOf = (l: string): number => Number(/^\[\s*([\d.]+)\]/.exec(l)![1]);
  // A capture that missed 200..240 s (steady load, no top-up then), with noise and a line without a time stamp.
  const kept = lines.filter((l) => tOf(l) < 200 || tOf(l) > 240);
  const at = kept.findIndex((l) => tOf(l) > 100);
  const cut = [...kept.slice(0, at), kept[at - 1].replace(/\].*$/, '] \u0001\u0002 line noise'), 'no time stamp', ...kept.slice(at)];
  const r = await replayDebugLog(cut.join('\n'), { meter, gapS: 30 });
  const kinds = r.problems.map((p) => p.kind);
  assert.ok(kinds.includes('garbage'), kinds.join());
  assert.ok(kinds.includes('untimed'));
  assert.ok(kinds.includes('gap'));
  assert.is(r.firstDivergence, null, formatReplay(r, 'cut.log'));
  assert.match(formatReplay(r, 'cut.log'), 'gap of');
});

test('a meter that started with other credit diverges at its first CREDIT line, and the report says so', async () => {
  const r = await replayDebugLog(connected, { meter: { ...meter, credit: 900 } });
  assert.ok(r.firstDivergence);
  assert.is(r.firstDivergence!.reason, 'text', JSON.stringify(r.firstDivergence));
  assert.is(r.firstDivergence!.expected, "CREDIT : 800.00");
  assert.is(r.firstDivergence!.observed, "CREDIT : 900.00");
  assert.match(formatReplay(r, 'twin.log'), /first divergence: line \d+ at [\d.]+ s: the log has "CREDIT : /);
});

/** A log line's text, without its time stamp. */
test('a log of a mixed load (a kettle beside a fridge, printed PF 1.00) replays line for line: CURRENT and ACTIVE POWER too', async () => {
  const bench = createBench({ meter, plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'fridge', kind: 'motor', watts: 150, pf: 0.75 }] }, seed: 1, speed: 'max', network: {} });
  const log = recordDebugLog(bench);
  await bench.start();
  await bench.runFor(60e6);
  bench.setLoad({ id: 'kettle', kind: 'kettle', watts: 2000 });
  await bench.runFor(120e6);
  await bench.close();
  const text = log();
  assert.ok(/CURRENT {2}: 8\.\d\d/.test(text) && text.includes('POWER FACTOR : 1.00'), 'the kettle and the fridge together print PF 1.00');
  const r = await replayDebugLog(text, { meter });
  assert.is(r.firstDivergence, null, formatReplay(r, 'mixed.log'));
  assert.is(r.blocks.sameCredit, r.blocks.count, 'credit agrees at every block');
});

test('a fixed build\'s log (it bills a load as it changes) with a kettle switched on and off inside passes replays, its energy kept with the meter\'s', async () => {
  const fixed = { ...meter, build: resolveFirmware({ profile: 'fixed', mode: 'sts' }), credit: 20000 };
  const bench = createBench({ meter: fixed, plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'fridge', kind: 'motor', watts: 150, pf: 0.75 }] }, seed: 1, speed: 'max' });
  const log = recordDebugLog(bench);
  await bench.start();
  await bench.runFor(3600e6);
  bench.setLoad({ id: 'kettle', kind: 'kettle', watts: 2000 });
  await bench.runFor(900e6);
  bench.removeLoad('kettle');
  await bench.runFor(2 * 3600e6);
  await bench.close();
  const r = await replayDebugLog(log(), { meter: fixed });
  // What is left: the twin takes a change in at its next measurement, as the meter did at its own (up to about a
  // second later, which the log cannot show), so an ENERGY line or two later on may print 0.01 apart.
  assert.ok(r.agreeing >= r.compared - 6, formatReplay(r, 'fixed.log'));
  assert.is(r.blocks.last!.twinCredit, r.blocks.last!.credit, 'the same credit at the end');
  assert.ok(r.blocks.count > 20, String(r.blocks.count));
});

test('a damaged FREQUENCY line (0.50, which the chip cannot read) does not stop the replay: the comparison points at it', async () => {
  const lines = connected.split('\n');
  const at = lines.findIndex((l) => l.endsWith('FREQUENCY : 50.00'));
  lines[at] = lines[at].replace('FREQUENCY : 50.00', 'FREQUENCY : 0.50');
  const r = await replayDebugLog(lines.join('\n'), { meter });
  assert.is(r.firstDivergence?.lineNo, at + 1, formatReplay(r, 'damaged.log'));
  assert.is(r.firstDivergence?.expected, 'FREQUENCY : 0.50');
  assert.is(r.agreeing, r.compared - 1);
});

const textOf = (line: string): string => line.replace(/^\[[^\]]*\] ?/, '');

test('lines cut out of a log diverge where they are missing, and the lines after them still agree', async () => {
  const lines = connected.trimEnd().split('\n');
  const i = lines.findIndex((l, k) => k > lines.length / 2 && textOf(l).startsWith('FREQUENCY'));
  const cut = [...lines.slice(0, i), ...lines.slice(i + 3)];
  const r = await replayDebugLog(cut.join('\n') + '\n', { meter });
  assert.ok(r.firstDivergence, formatReplay(r, 'cut.log'));
  assert.is(r.firstDivergence!.lineNo, i + 1);
  assert.is(r.firstDivergence!.observed, textOf(lines[i]));
  assert.is(r.agreeing, r.compared, formatReplay(r, 'cut.log'));
  assert.is(r.twinOnly, 3);
  assert.match(formatReplay(r, 'cut.log'), 'which the log lacks');
});

test('a line added to a log diverges there, and the lines after it still agree', async () => {
  const lines = connected.trimEnd().split('\n');
  const i = lines.findIndex((l, k) => k > lines.length / 2 && textOf(l).startsWith('FREQUENCY'));
  const added = [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)];
  const r = await replayDebugLog(added.join('\n') + '\n', { meter });
  assert.ok(r.firstDivergence, formatReplay(r, 'added.log'));
  assert.is(r.firstDivergence!.lineNo, i + 2);
  assert.is(r.agreeing, r.compared - 1, formatReplay(r, 'added.log'));
  assert.is(r.twinOnly, 0);
});

test('osm replay without --credit: a web top-up credited before the log\'s first CREDIT line is not taken for the start credit', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { createRunCommand } = await import('../cli/commands/run.ts');
  const { main } = await import('../cli/main.ts');
  const d = scratchDir('osm-replay-');
  const scenario = join(d, 'topup.yaml');
  writeFileSync(scenario, [
    'name: web top-up at boot', 'version: 1', 'meter: { credit: 1000, clock: "2026-01-01T00:00:00" }',
    'plant: { grid: { vrms: 230, hz: 50 }, loads: [ { id: lamp, watts: 100, pf: 1 } ] }',
    'network: { backend: { pending: 500 } }', 'steps:', '  - wait-until: { credit: { min: 1490 }, timeout: 2min }', '  - delay: 2min',
  ].join('\n'));
  const log = join(d, 'topup.log');
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true } };
  assert.is(await main(['run', scenario, '--debug-log', log, '--quiet'], { commands: [createRunCommand({ io: quiet })], io: quiet, env: {} }), 0);
  const out: string[] = [];
  const cmd = createReplayCommand({ io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } } });
  assert.is(await cmd.run([log]), 0, out.join(''));
  assert.match(out.join(''), /start credit 1000 /);
});

test('the parser reads the readings blocks and the pending top-ups from the log', () => {
  const p = parseDebugLog(connected);
  assert.ok(p.readings.length > 10);
  assert.is(p.readings[0].vrms, 230);
  assert.is(p.modemInfo, 'SIM800 R14.18');
  assert.is(p.powerOns.length, 2);
});

test('osm replay refuses a missing file and a log without time stamps with a one-line error', async () => {
  const out: string[] = [];
  const cmd = createReplayCommand({ io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } } });
  await cmd.run(['/nonexistent/debug.log']).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, UsageError); assert.match(e.message, 'no such file'); });
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const f = join(scratchDir('osm-replay-'), 'plain.log');
  writeFileSync(f, 'Device Powered! \nSetup Complete! \n');
  await cmd.run([f]).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, UsageError); assert.match(e.message, 'time-stamped'); });
});

test('osm replay on a FIFO says it waits for a writer before the open blocks, then reads what is written', async () => {
  const { spawn, spawnSync } = await import('node:child_process');
  const { join } = await import('node:path');
  const fifo = join(scratchDir('osm-replay-fifo-'), 'log.fifo');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo failed');
  // The writer comes a second later, from another process (this one is blocked in the open until then).
  const writer = spawn('sh', ['-c', `sleep 1; printf 'Device Powered! \\n' > '${fifo}'`]);
  const written = new Promise((r) => writer.once('exit', r));
  const err: string[] = [];
  const cmd = createReplayCommand({ io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } } });
  await cmd.run([fifo]).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, UsageError); assert.match(e.message, 'time-stamped'); });
  await written;
  assert.is(err[0], `osm replay: waiting for a process to write the log into the FIFO ${fifo} (Ctrl-C to stop)\n`);
});

test('osm replay without a log says a file or - (standard input) is wanted', async () => {
  const cmd = createReplayCommand({ io: { stdout: { write: () => true }, stderr: { write: () => true } } });
  await cmd.run([]).then(() => assert.unreachable(), (e: Error) => {
    assert.instance(e, UsageError);
    assert.match(e.message, 'osm replay <debug.log | ->');
    assert.match(e.message, 'standard input');
  });
});

test('osm replay --twin-log writes through the output writer: /dev/null as a stream, a missing folder refused before the replay', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const d = scratchDir('osm-replay-');
  const f = join(d, 'twin.log');
  writeFileSync(f, connected.split('\n').slice(0, 12).join('\n') + '\n');
  const out: string[] = [];
  const cmd = createReplayCommand({ io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } } });
  assert.is(await cmd.run([f, '--twin-log', '/dev/null', '--credit', '800', '--clock', '2026-03-01T08:00:00']), 0, out.join(''));
  await cmd.run([f, '--twin-log', join(d, 'missing', 'out.log')]).then(() => assert.unreachable(), (e: Error) => {
    assert.match(e.message, /--twin-log: cannot write '.*out\.log': the folder '.*missing' does not exist/);
    assert.not.match(e.message, /tmp-|ENOENT/);
  });
});

/** Two hours of a mute meter's debug port (300 W), for the progress tests. */
async function twoHourLog(): Promise<() => string> {
  const bench = createBench({ meter, plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'a', watts: 300, pf: 1 }] }, seed: 1, speed: 'max' });
  const log = recordDebugLog(bench);
  await bench.start();
  await bench.runFor(2 * 3600e6);
  await bench.close();
  return log;
}

test('osm replay of a long log shows its progress on stderr when stderr is not a terminal', async () => {
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const log = await twoHourLog();
  const f = join(scratchDir('osm-replay-'), 'long.log');
  writeFileSync(f, log());
  const err: string[] = [];
  let wall = 0;
  const cmd = createReplayCommand({
    io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } },
    wallMs: () => (wall += 11_000), // every look at the clock finds 11 s gone: a progress line is due each time
  });
  assert.is(await cmd.run([f, '--credit', '800', '--clock', '2026-03-01T08:00:00']), 0);
  const text = err.join('');
  assert.match(text, /^(osm replay: \d+\.\d h of \d+\.\d h of the log replayed\n)+$/, JSON.stringify(text));
  assert.not.match(text, /\r|\x1b/);
});

test('osm replay - reads the log through a pipe: the same report as from the file, the twin\'s log the same', async () => {
  const { spawn } = await import('node:child_process');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join, resolve, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const d = scratchDir('osm-replay-');
  const f = join(d, 'connected.log');
  writeFileSync(f, connected);
  const osm = (args: string[], input: string | null): Promise<{ code: number | null; out: string; err: string }> => new Promise((done) => {
    const p = spawn(process.execPath, [join(root, 'cli', 'osm.js'), ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (x) => { out += x; });
    p.stderr.on('data', (x) => { err += x; });
    p.on('close', (code) => done({ code, out, err }));
    if (input !== null) { p.stdin.write(input); p.stdin.end(); } else p.stdin.end();
  });
  const args = ['--credit', '800', '--clock', '2026-03-01T08:00:00'];
  const [fromFile, fromPipe] = await Promise.all([osm(['replay', f, ...args, '--twin-log', join(d, 'a.log')], null), osm(['replay', '-', ...args, '--twin-log', join(d, 'b.log')], connected)]);
  assert.is(fromPipe.code, 0, fromPipe.err);
  assert.is(fromPipe.out, fromFile.out.replace(f, '-'));
  assert.match(fromPipe.out, /every line agrees/);
  assert.is(readFileSync(join(d, 'b.log'), 'utf8'), readFileSync(join(d, 'a.log'), 'utf8'));
  assert.is(readFileSync(join(d, 'a.log'), 'utf8'), connected);
});

test('osm replay - shows its progress without the log\'s end, which a pipe does not tell', async () => {
  const { Readable } = await import('node:stream');
  const log = await twoHourLog();
  const err: string[] = [];
  let wall = 0;
  const cmd = createReplayCommand({
    io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } },
    wallMs: () => (wall += 11_000),
    stdin: Readable.from([Buffer.from(log(), 'latin1')]),
  });
  assert.is(await cmd.run(['-', '--credit', '800', '--clock', '2026-03-01T08:00:00']), 0);
  assert.match(err.join(''), /^(osm replay: \d+\.\d h of the log replayed\n)+$/, JSON.stringify(err.join('')));
});

test('osm replay - at a terminal says it reads the log from there; from a pipe it says nothing of the kind', async () => {
  const { Readable } = await import('node:stream');
  const lines = connected.split('\n').slice(0, 12).join('\n') + '\n';
  for (const tty of [true, false]) {
    const err: string[] = [];
    const stdin = Readable.from([Buffer.from(lines, 'latin1')]);
    if (tty) Object.assign(stdin, { isTTY: true });
    const cmd = createReplayCommand({ io: { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) } }, stdin });
    assert.is(await cmd.run(['-', '--credit', '800', '--clock', '2026-03-01T08:00:00']), 0);
    assert.is(/reading the log from the terminal \(paste it, then Ctrl-D/.test(err.join('')), tty, JSON.stringify(err.join('')));
  }
});

test('osm replay takes a log of any size but refuses a directory, and a file or device with no line of the firmware, in one line', async () => {
  const { mkdirSync, writeFileSync, truncateSync } = await import('node:fs');
  const { join } = await import('node:path');
  const d = scratchDir('osm-replay-');
  const big = join(d, 'big.log');
  writeFileSync(big, '');
  truncateSync(big, (64 << 20) + 1); // more than the 64 MB read whole before: NUL bytes, no line feed
  mkdirSync(join(d, 'dir'));
  const cmd = createReplayCommand({ io: { stdout: { write: () => true }, stderr: { write: () => true } } });
  for (const [f, msg] of [[join(d, 'dir'), /cannot read '.*dir': it is a directory$/], [big, /big\.log: the log has no time-stamped line/], ['/dev/zero', /^\/dev\/zero: the log has no time-stamped line/]] as const) {
    await cmd.run([f]).then(() => assert.unreachable(), (e: Error) => { assert.instance(e, UsageError); assert.match(e.message, msg); assert.not.match(e.message, /\n/); });
  }
});

test('a long stretch of a log that implies no event (no readings block, no restart) is not held: the twin runs on to meet it', async () => {
  const head = connected.trimEnd().split('\n').filter((l) => Number(/^\[\s*([\d.]+)\]/.exec(l)![1]) < 60);
  const t0 = Number(/^\[\s*([\d.]+)\]/.exec(head.at(-1)!)![1]);
  const faults = Array.from({ length: 50_000 }, (_, i) => formatLogLine(Math.round((t0 + 1 + i * 0.5) * 1e6), 'Read failed'));
  const r = await replayDebugLog([...head, ...faults].join('\n') + '\n', { meter });
  assert.is(r.compared, head.length + 50_000);
  assert.ok(r.mostHeld.log < 21_000, JSON.stringify(r.mostHeld));
  assert.ok(r.firstDivergence);
});

test('a fixed build\'s log (it bills the load as it changes, D21 fixed): a kettle switched inside passes keeps energy and credit with the log', async () => {
  const fixed = { ...meter, build: resolveFirmware({ profile: 'fixed', mode: 'sts' }) };
  const bench = createBench({ meter: fixed, plant: { grid: { vrms: 230, hz: 50 }, loads: [{ id: 'fridge', kind: 'motor', watts: 150, pf: 0.75 }] }, seed: 1, speed: 'max' });
  const log = recordDebugLog(bench);
  await bench.start();
  for (const [at, watts] of [[1000, 2000], [2500, 0], [4100, 1500], [6000, 0]] as const) {
    await bench.runFor(at * 1e6 - bench.now());
    if (watts > 0) bench.setLoad({ id: 'kettle', kind: 'resistive', watts, pf: 1 }); else bench.removeLoad('kettle');
  }
  await bench.runFor(7200e6 - bench.now());
  await bench.close();
  const r = await replayDebugLog(log(), { meter: fixed });
  assert.ok(r.blocks.paired > 15);
  assert.ok(Math.abs(r.blocks.worst!.twinCredit! - r.blocks.worst!.credit) <= 0.011, formatReplay(r, 'fixed.log'));
  assert.ok(Math.abs(r.blocks.last!.twinKwh! - r.blocks.last!.kwh) <= 0.011, formatReplay(r, 'fixed.log'));
});

test('a log full of noise keeps the first problems for the report and counts the rest', async () => {
  const noisy = connected.trimEnd().split('\n').flatMap((l, i) => (i % 2 ? [l, `[${(i * 0.001).toFixed(6)}] \u0007 noise`] : [l])).join('\n');
  const r = await replayDebugLog(noisy, { meter });
  assert.is(r.problems.length, 20);
  assert.ok(r.problemCount > 100, String(r.problemCount));
  assert.match(formatReplay(r, 'noisy.log'), `... ${r.problemCount - 20} more problems`);
});

test.run();
