import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccuracyCommand } from './accuracy.ts';
import { builtInNetlist, netlistToYaml, type FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';
import { CircuitFrontEnd } from '../../models/frontend/circuit-front-end.ts';
import { importSchematic } from '../../models/frontend/kicad/extract.ts';
import { toSpice } from '../../models/frontend/circuit/spice.ts';
import { spawnSync } from 'node:child_process';
import { Complex } from 'complex.js';
import { scratchDir } from '../../test/support/scratch.ts';

const HAVE_NGSPICE = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0;
/** Needs ngspice on the PATH (.ci/run installs Debian's); counted as skipped without it. */
const withSpice = HAVE_NGSPICE ? test : test.skip;

/** VP-VN per line volt and I2P-I2N per line amp at 50 Hz, as ngspice solves the exported netlist. */
function spiceAt50(n: FrontEndNetlist): { v: Complex; i: Complex } {
  const file = tmpFile('fe.cir', toSpice(n));
  const out = spawnSync('ngspice', ['-b', file], { encoding: 'utf8', timeout: 60_000 }).stdout;
  const rows: Complex[] = [];
  for (const line of out.split('\n')) {
    const m = /^0\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    if (m && Number(m[1]) === 50) rows.push(new Complex(Number(m[2]), Number(m[3])));
  }
  assert.is(rows.length, 2, out);
  return { v: rows[0], i: rows[1] };
}

/** predicted() with ngspice's transfers in place of the circuit solver's (every seed point is at 50 Hz). */
function spicePredicted(base: Point[], was: FrontEndNetlist, now: FrontEndNetlist): number[] {
  const a = spiceAt50(was), b = spiceAt50(now);
  return base.map((p) => {
    assert.is(p.hz, 50);
    const phi = Math.acos(p.pf) * (p.pfLabel.endsWith('C') ? -1 : 1);
    const s = (x: { v: Complex; i: Complex }): number => x.v.mul(x.i.conjugate()).mul({ abs: 1, arg: phi }).re;
    return ((1 + p.errorPercent / 100) * (s(b) / s(a)) - 1) * 100;
  });
}

/** The built-in board with R98 47k added to the divider chain between R12 and R15. */
function longerChain(): FrontEndNetlist {
  const n = builtInNetlist();
  const parts = n.parts.map((p) => (p.ref === 'R12' ? { ...p, nets: ['LINE', 'DIV0'] as [string, string] } : p));
  return { ...n, parts: [...parts, { ref: 'R98', kind: 'R', value: '47k', tolerance: 0.01, nets: ['DIV0', 'DIV1'] }] };
}

const ORIGINAL = new URL('../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;
const original = existsSync(ORIGINAL) ? test : test.skip;

interface Point { name: string; pf: number; pfLabel: string; hz: number; errorPercent: number }

async function points(...argv: string[]): Promise<{ code: number; points: Point[] | null; stderr: string }> {
  let stdout = '', stderr = '';
  const io = { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } };
  const code = await createAccuracyCommand({ io, wallMs: () => 0 }).run(['--points', 'seed', '--json', '--quiet', ...argv]);
  return { code, points: code === 2 ? null : (JSON.parse(stdout) as { points: Point[] }).points, stderr };
}

/** The built-in board with a 4.7 nF speed-up capacitor across R43 (LINE side of VP): no board profile describes it. */
function speedUpBoard(): FrontEndNetlist {
  const n = builtInNetlist();
  return { ...n, parts: [...n.parts, { ref: 'C99', kind: 'C', value: '4.7n', tolerance: 0.1, nets: ['DIV5', 'VP'] }] };
}

function tmpFile(name: string, text: string): string {
  const f = join(scratchDir('osm-acc-'), name);
  writeFileSync(f, text);
  return f;
}

/**
 * Each point's error on the changed board as the circuit predicts it from the nominal table: the chip's active power
 * is Re(V I*) at its pins, so (1 + e') = (1 + e) Re(Hv' Hi'* e^(j phi)) / Re(Hv Hi* e^(j phi)), phi the load's angle.
 */
function predicted(base: Point[], was: FrontEndNetlist, now: FrontEndNetlist): number[] {
  const a = new CircuitFrontEnd(was), b = new CircuitFrontEnd(now);
  return base.map((p) => {
    const phi = Math.acos(p.pf) * (p.pfLabel.endsWith('C') ? -1 : 1);
    const s = (fe: CircuitFrontEnd): number => fe.voltagePin(p.hz).mul(fe.currentPinN(p.hz).conjugate()).mul({ abs: 1, arg: phi }).re;
    return ((1 + p.errorPercent / 100) * (s(b) / s(a)) - 1) * 100;
  });
}

function assertPredicted(got: Point[], want: number[], tol: number, what: string): void {
  assert.is(got.length, want.length);
  got.forEach((p, k) => assert.ok(Math.abs(p.errorPercent - want[k]) <= tol, `${what}: ${p.name}: ${p.errorPercent} % vs ${want[k]} % predicted`));
}

test('accuracy --set R12=150k gives the table of --set frontend.divider.rTopOhms=650k', async () => {
  const a = await points('--set', 'R12=150k'), b = await points('--set', 'frontend.divider.rTopOhms=650k');
  assert.equal(a.points, b.points);
});

/** The report's what-if lines (`--json`'s whatIf). */
async function whatIf(...argv: string[]): Promise<string[]> {
  let stdout = '';
  const io = { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: () => undefined } };
  await createAccuracyCommand({ io, wallMs: () => 0 }).run(['--points', 'seed', '--json', '--quiet', ...argv]);
  return (JSON.parse(stdout) as { whatIf: string[] }).whatIf;
}

test('the what-if line says how a front end of the built-in topology was given, then the profile values it set', async () => {
  assert.equal(await whatIf('--set', 'R12=150k'), ['front end: built-in board R12=150k (the built-in topology)', 'frontend.divider.rTopOhms=650000']);
  assert.equal(await whatIf('--set', 'frontend.divider.rTopOhms=650k'), ['frontend.divider.rTopOhms=650k'], 'a profile entry as typed');
});

original('accuracy --schematic of the unchanged original board names the schematic: the table is the nominal one', async () => {
  assert.equal(await whatIf('--schematic', ORIGINAL), [`front end: schematic ${ORIGINAL} (the built-in topology and values)`]);
});

test('accuracy --set C42=220n gives the table of --set frontend.ct.parallelCapFarads=220n', async () => {
  const a = await points('--set', 'C42=220n'), b = await points('--set', 'frontend.ct.parallelCapFarads=220n');
  assert.equal(a.points, b.points);
});

test('accuracy --netlist with a capacitor across R43 moves every point by what the circuit predicts (phasor level)', async () => {
  const base = (await points()).points!;
  const got = await points('--netlist', tmpFile('c99.yaml', netlistToYaml(speedUpBoard(), 'test')));
  assert.ok(got.points, got.stderr);
  const want = predicted(base, builtInNetlist(), speedUpBoard());
  assert.ok(Math.abs(want[1] - base[1].errorPercent) > 1, 'the capacitor moves the PF 0.5 points by more than 1 %');
  assertPredicted(got.points!, want, 1e-5, 'phasor');
});

withSpice('the table with a capacitor across R43, and with a resistor added to the chain, is the one ngspice predicts', async () => {
  const base = (await points()).points!;
  for (const [name, board] of [['c99', speedUpBoard()], ['r98', longerChain()]] as const) {
    const got = await points('--netlist', tmpFile(`${name}.yaml`, netlistToYaml(board, 'test')));
    assert.ok(got.points, got.stderr);
    assertPredicted(got.points!, spicePredicted(base, builtInNetlist(), board), 1e-5, name);
  }
});

test('accuracy --netlist and --set by reference combine: C99=10n on the netlist is the 10 nF board', async () => {
  const file = tmpFile('c99.yaml', netlistToYaml(speedUpBoard(), 'test'));
  const ten = speedUpBoard();
  ten.parts = ten.parts.map((p) => (p.ref === 'C99' ? { ...p, value: '10n' } : p));
  const a = await points('--netlist', file, '--set', 'C99=10n'), b = await points('--netlist', tmpFile('c99-10n.yaml', netlistToYaml(ten, 'test')));
  assert.equal(a.points, b.points);
});

test('accuracy --netlist refuses a profile parameter alongside it, saying to set parts by reference', async () => {
  const file = tmpFile('c99.yaml', netlistToYaml(speedUpBoard(), 'test'));
  try {
    await points('--netlist', file, '--set', 'frontend.ct.ratio=2000');
    assert.unreachable('no error');
  } catch (err) {
    assert.is((err as Error).name, 'UsageError');
    assert.match((err as Error).message, /frontend\.ct\.ratio: .*change its parts by reference/);
  }
});

original('accuracy --schematic on the original board gives today\'s table', async () => {
  const a = await points('--schematic', ORIGINAL), b = await points();
  assert.equal(a.points, b.points);
});

/** The original schematic with C99 4.7 nF drawn over R43 (same place, so its pins land on R43's nets). */
function originalWithSpeedUpCap(): string {
  const text = readFileSync(ORIGINAL, 'utf8');
  const start = text.indexOf('(symbol (lib_id "Device:R") (at 384.81 53.34 90)');
  assert.ok(start > 0, 'R43 is where it was');
  let depth = 0, end = start;
  for (; end < text.length; end++) {
    if (text[end] === '(') depth++;
    else if (text[end] === ')' && --depth === 0) break;
  }
  const r43 = text.slice(start, end + 1);
  assert.match(r43, /"R43"/);
  const c99 = r43.replace('Device:R', 'Device:C').replace(/"R43"/g, '"C99"').replace(/\(property "Value" "[^"]*"/, '(property "Value" "4.7n"')
    .replace(/([0-9a-f]{8})-/g, (_m, h: string) => `${h.slice(0, 7)}f-`);
  return tmpFile('variant.kicad_sch', text.slice(0, end + 1) + '\n  ' + c99 + text.slice(end + 1));
}

original('a schematic variant with a capacitor across R43 moves every point by what the circuit predicts', async () => {
  const file = originalWithSpeedUpCap();
  const variant = importSchematic(file);
  assert.ok(variant.parts.some((p) => p.ref === 'C99'), 'the importer sees C99');
  const base = (await points()).points!;
  const got = await points('--schematic', file);
  assert.ok(got.points, got.stderr);
  assertPredicted(got.points!, predicted(base, importSchematic(ORIGINAL), variant), 1e-5, 'phasor');
});

test('accuracy --set with an unknown reference is a usage error naming it (the dispatcher exits 2)', async () => {
  try {
    await points('--set', 'R99=1k');
    assert.unreachable('no error');
  } catch (err) {
    assert.is((err as Error).name, 'UsageError');
    assert.match((err as Error).message, /R99: no such part/);
  }
});

test.run();
