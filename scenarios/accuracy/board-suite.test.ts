import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAccuracy } from '../../cli/commands/accuracy-run.ts';
import { nominalUnit } from './meter-unit.ts';
import { suiteFor, type SuiteSpec } from './points.ts';
import { runSuite } from './runner.ts';
import { benchOptionsFor, parseBenchArgs } from '../../cli/commands/accuracy-run.ts';
import { OperatorSource, SourceStopped, loadAppliedFile, AppliedFileError } from './reference-source.ts';
import { slopeOf } from './board-suite.ts';
import { DC_IMMUNITY_KIND, dcImmunityExplanation } from './dc-immunity.ts';
import { scratchDir } from '../../test/support/scratch.ts';

function capture(): { io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean } }; out: () => string; err: () => string } {
  let o = '';
  let e = '';
  return { io: { stdout: { write: (t) => { o += t; return true; } }, stderr: { write: (t) => { e += t; return true; } } }, out: () => o, err: () => e };
}

/** Points of every kind the bench has, but the DC test (waveform level, slow): error, influence, starting, creep. */
function sampleSpec(): SuiteSpec {
  const full = suiteFor('full');
  const want = [/^0\.05 Ib .*PF 1$/, /^Ib \(5 A\) PF 0\.5L$/, /^Imax .*PF 0\.8C$/, /^fn \+2 %.*PF 0\.5L$/, /^Un -10 %.*PF 1$/, /^Harmonics/, /^Starting/, /^Creep/];
  return { ...full, points: full.points.filter((p) => want.some((w) => w.test(p.name))) };
}

test('the chip behind the emulated board gives the table of osm accuracy: same verdicts, errors within 0.05 percentage points', async () => {
  const spec = sampleSpec();
  assert.is(spec.points.length, 8);
  const a = parseBenchArgs({}, [], { judge: 'chip' });
  const bench = benchOptionsFor(a);
  const twin = await runSuite(nominalUnit(), spec, bench);
  const { runBoardSuiteOnEmulated } = await import('./board-suite-emulated.ts');
  const board = await runBoardSuiteOnEmulated(spec, bench, nominalUnit());
  for (const [i, p] of twin.points.entries()) {
    const q = board.points[i];
    assert.is(q.name, p.name);
    assert.is(q.pass, p.pass, `${p.name}: verdict`);
    assert.is(q.chipPass, p.chipPass, `${p.name}: chip verdict`);
    assert.is(q.firmwarePass, p.firmwarePass, `${p.name}: firmware verdict`);
    const d = (x: number | null, y: number | null): number => (x === null || y === null ? (x === y ? 0 : Infinity) : Math.abs(x - y));
    assert.ok(d(q.errorPercent, p.errorPercent) <= 0.05, `${p.name}: chip error ${q.errorPercent} vs ${p.errorPercent}`);
    assert.ok(d(q.shiftPercent, p.shiftPercent) <= 0.05, `${p.name}: shift ${q.shiftPercent} vs ${p.shiftPercent}`);
    assert.ok(d(q.firmwareErrorPercent, p.firmwareErrorPercent) <= 0.05, `${p.name}: firmware error ${q.firmwareErrorPercent} vs ${p.firmwareErrorPercent}`);
    assert.ok(Math.abs(q.measurement.cfPulses - p.measurement.cfPulses) <= 1 || p.kind === 'error' || p.kind === 'harmonics' || p.kind === 'voltage' || p.kind === 'frequency', `${p.name}: pulses ${q.measurement.cfPulses} vs ${p.measurement.cfPulses}`);
    assert.ok(Math.abs(q.voltage - p.voltage) < 1e-9, `${p.name}: supplied volts ${q.voltage} vs ${p.voltage}`);
  }
});

test('on the emulated board the DC immunity point names the CT core\'s saturation as osm accuracy does', async () => {
  const full = suiteFor('full');
  const spec: SuiteSpec = { ...full, points: full.points.filter((p) => p.kind === DC_IMMUNITY_KIND) };
  assert.is(spec.points.length, 1);
  const bench = benchOptionsFor(parseBenchArgs({}, [], { judge: 'chip' }));
  const { runBoardSuiteOnEmulated } = await import('./board-suite-emulated.ts');
  const board = await runBoardSuiteOnEmulated(spec, bench, nominalUnit());
  const dc = board.points[0];
  assert.not.ok(dc.pass);
  assert.ok((dc.measurement.ctSaturatedShare ?? 0) > 0.5, `saturated share ${dc.measurement.ctSaturatedShare}`);
  assert.match(dc.reasons.join('; '), /drives the CT's core into saturation/);
  assert.match(dcImmunityExplanation(dc) ?? '', /^DC immunity: the half-wave test current \(56\.6 A rms\) carries 36\.0 A of DC/);
});

test('osm accuracy --board emulated --points seed prints the accuracy table with the link figures and exits 0', async () => {
  const c = capture();
  const code = await runAccuracy(['--board', 'emulated', '--points', 'seed', '--quiet', '--window', '5'], { io: c.io });
  assert.is(code, 0, c.err());
  assert.match(c.out(), /Board: the chip's own registers read over the link \(.*mega2560\.yaml, HW_SERIAL1 at 9600 baud\): \d+ frames, median round trip \d+\.\d+ ms, 0 bad replies/);
  assert.match(c.out(), /Test point\s+V supplied\s+V read/);
  assert.match(c.out(), /Ib \(5 A\) PF 1 .* PASS\n/);
  assert.match(c.out(), /Hardware \(chip CF pulses\): PASS: all 8 points within the limits/);
});

test('osm accuracy --board refuses what a board cannot do, one line each (exit 2)', async () => {
  const bad: [string[], RegExp][] = [
    [['--board', 'johnny-five'], /needs --port PATH/],
    [['--board', 'emulated', '--monte-carlo', '5'], /--monte-carlo is for the twin's bench/],
    [['--board', 'johnny-five', '--port', '/dev/null', '--set', 'frontend.ct.ratio=2000'], /on a real board the front end is the board itself/],
    [['--board', 'emulated', '--applied', 'x.yaml'], /--applied is for --board johnny-five/],
    [['--board', 'emulated', '--window', '0'], /--window: expected a number 0\.5\.\.3600/],
    [['--window', '5'], /--window needs --board emulated or johnny-five/],
    [['--board', 'emulated', '--fidelity', 'waveform'], /--fidelity waveform: on a board/],
  ];
  for (const [argv, re] of bad) {
    try {
      await runAccuracy([...argv, '--quiet'], { io: capture().io });
      assert.unreachable(argv.join(' '));
    } catch (e) {
      assert.is((e as Error).name, 'UsageError', `${argv.join(' ')}: ${(e as Error).message}`);
      assert.match((e as Error).message, re);
    }
  }
});

test('the operator source prints each point, waits for Enter, and takes the applied values from the file', async () => {
  const dir = scratchDir('osm-applied-');
  const file = join(dir, 'applied.yaml');
  writeFileSync(file, 'points:\n  "Ib (5 A) PF 1": { volts: 239.5, amps: 5.01, watts: 1199.9 }\n');
  const input = new PassThrough();
  let said = '';
  const src = new OperatorSource(input, (t) => { said += t; }, { table: loadAppliedFile(file), file });
  const spec = suiteFor('seed');
  const ib = spec.points.find((p) => p.name === 'Ib (5 A) PF 1')!;
  const imax = spec.points[0];
  const got = src.apply(ib.condition, ib.name, 6, 8);
  await new Promise((r) => setImmediate(r));
  assert.match(said, /point 7\/8: Ib \(5 A\) PF 1: set the reference source to 240\.00 V, 5\.000 A, PF 1, 50 Hz, sine; press Enter/);
  input.write('\n');
  const a = await got;
  assert.equal([a.volts, a.amps, a.pf, a.hz, a.watts], [239.5, 5.01, 1, 50, 1199.9]);
  assert.match(a.source, /applied values from .*applied\.yaml/);
  const b = src.apply(imax.condition, imax.name, 0, 8);
  input.write('\n');
  const nominal = await b;
  assert.is(nominal.watts, 19200);
  assert.match(said, /has no entry for 'Imax \(80 A\) PF 1': the nominal values are taken as applied/);
  const c = src.apply(imax.condition, imax.name, 1, 8);
  input.write('q\n');
  try { await c; assert.unreachable('q stops'); } catch (e) { assert.instance(e, SourceStopped); }
  src.close();
});

test('an applied-values file with a bad value names the point and the key', () => {
  const dir = scratchDir('osm-applied-');
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'points:\n  "Ib (5 A) PF 1": { volts: -3 }\n');
  assert.throws(() => loadAppliedFile(file), (e: Error) => e instanceof AppliedFileError && /point 'Ib \(5 A\) PF 1': volts must be a number 0\.\.1000, got -3/.test(e.message));
  writeFileSync(file, 'points:\n  "Ib (5 A) PF 1": { volt: 230 }\n');
  assert.throws(() => loadAppliedFile(file), /unknown key 'volt'/);
});

/** The seed suite's first error point, the chip-judged bench, and what runs it on the emulated rig. */
async function onePointOnTheEmulatedRig() {
  const full = suiteFor('seed');
  const spec: SuiteSpec = { ...full, points: full.points.filter((p) => p.kind === 'error').slice(0, 1) };
  const bench = benchOptionsFor(parseBenchArgs({}, [], { judge: 'chip' }));
  const { openEmulatedAccuracyRig } = await import('./board-suite-emulated.ts');
  const { runBoardSuite } = await import('./board-suite.ts');
  return { spec, bench, openEmulatedAccuracyRig, runBoardSuite };
}

// A rig runs on wall time: a process starved of CPU runs the firmware's 20 Hz ticks late, the first of them after the
// time of the first mesure() but before it (events run in the order they were due), with the readings still zero.
test('a process whose events run late averages only readings the firmware has measured (V read is the chip\'s, not half of it)', async () => {
  const { spec, bench, openEmulatedAccuracyRig, runBoardSuite } = await onePointOnTheEmulatedRig();
  const r = await openEmulatedAccuracyRig(nominalUnit(), bench);
  try {
    // every event 300 ms after it was due
    const late = { now: () => r.time.now(), waitFor: r.time.waitFor, at: (t: number, fn: () => void) => r.time.at(t + 300_000, fn) };
    const res = await runBoardSuite({ link: r.link, time: late, source: r.source, unit: nominalUnit(), spec, bench, emulatedChip: r.chip, config: { windowS: 2, minPulses: 0 } });
    const p = res.points[0];
    assert.ok(Math.abs(p.measurement.readings.V - p.voltage) < 1, `V read ${p.measurement.readings.V} at ${p.voltage} V`);
  } finally {
    await r.rig.close();
  }
});

// The host stamps a read with the time it saw the reply; a starved host sees some replies late, and a stamp late by
// 150 ms in a 2 s window is an error of several percent in the registered rate, though the chip counted exactly.
test('replies the host sees late do not skew the registered rate: the slope is fitted on the reads with a short round trip', async () => {
  const { spec, bench, openEmulatedAccuracyRig, runBoardSuite } = await onePointOnTheEmulatedRig();
  const { AfeRegisterLink } = await import('../../hil-rig/afe-registers.ts');
  const run = async (starved: boolean): Promise<number | null> => {
    const r = await openEmulatedAccuracyRig(nominalUnit(), bench);
    try {
      // every 7th reply is seen 150 ms after it arrived (virtual time goes on meanwhile, the chip keeps counting)
      let n = 0;
      const waitFor = async (cond: () => boolean, us: number): Promise<boolean> => {
        const ok = await r.time.waitFor(cond, us);
        if (starved && ok && ++n % 7 === 0) await r.time.waitFor(() => false, 150_000);
        return ok;
      };
      const link = new AfeRegisterLink(r.rig, { now: r.time.now, waitFor });
      const res = await runBoardSuite({ link, time: r.time, source: r.source, unit: nominalUnit(), spec, bench, emulatedChip: r.chip, config: { windowS: 2, minPulses: 0 } });
      return res.points[0].measurement.errorPercent;
    } finally {
      await r.rig.close();
    }
  };
  const prompt = await run(false);
  const late = await run(true);
  assert.ok(prompt !== null && late !== null);
  assert.ok(Math.abs(late! - prompt!) < 0.05, `error ${late!.toFixed(3)} % with late replies, ${prompt!.toFixed(3)} % without`);
});

test('the registered rate is the least-squares slope of the count, with its standard error', () => {
  const xs = [0, 1, 2, 3, 4, 5];
  const ys = xs.map((x) => Math.floor(2.5 * x));
  const { slope, se } = slopeOf(xs, ys);
  assert.ok(Math.abs(slope - 2.5) < 0.15, String(slope));
  assert.ok(se > 0 && se < 0.2, String(se));
});

test.run();
