// `osm accuracy` and `osm calibrate` as a user runs them: output shapes and exit codes 0 / 1 / 2.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../main.ts';
import type { CliIo } from '../command.ts';
import { ACCURACY_USAGE, createAccuracyCommand } from './accuracy.ts';
import { createCalibrateCommand } from './calibrate.ts';

async function osm(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return osmAt(() => 0, ...argv);
}

/** `osm` with a wall clock for the progress lines. */
async function osmAt(wallMs: () => number, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } } };
  const commands = [createAccuracyCommand({ io, wallMs }), createCalibrateCommand({ io, wallMs })];
  const code = await main(argv, { commands, io, env: {} });
  return { code, out, err };
}

test('--json prints one object { pass, points }; by default the hardware is judged, and the firmware\'s D14 is its own verdict', async () => {
  const r = await osm('accuracy', '--points', 'seed', '--json');
  assert.is(r.code, 0);
  const obj = JSON.parse(r.out) as { pass: boolean; judge: string; firmwarePass: boolean; firmwareDefects: string[]; points: Array<Record<string, unknown>> };
  assert.is(obj.pass, true);
  assert.is(obj.judge, 'chip');
  assert.is(obj.firmwarePass, false);
  assert.equal(obj.firmwareDefects, ['D14']);
  assert.is(obj.points.length, 8);
  assert.equal(Object.keys(obj.points[0]).slice(0, 8), ['name', 'voltage', 'current', 'pf', 'errorPercent', 'firmwareErrorPercent', 'limitPercent', 'pass']);
  for (const p of obj.points) assert.equal(p.firmwareDefects, ['D14'], String(p.name));
  assert.is(r.err, '');
});

test('the text report gives the hardware verdict and, beside it, the firmware\'s billing verdict naming D14', async () => {
  const r = await osm('accuracy', '--points', 'seed');
  assert.is(r.code, 0);
  assert.match(r.out, /Ib \(5 A\) PF 1 .* -4\.761 +±1\.0 +FAIL D14 +PASS\n/);
  assert.match(r.out, /\nHardware \(chip CF pulses\): PASS: all 8 points within the limits\n/);
  assert.match(r.out, /\nFirmware billing \(field[^\n]*\): FAIL, 8 of 8 points outside the limits; 8 of them from D14 \(each billing call bills 1 s/);
});

test('--judge both keeps the single verdict on chip and firmware, which D14 fails', async () => {
  const r = await osm('accuracy', '--points', 'seed', '--judge', 'both');
  assert.is(r.code, 1);
  assert.match(r.out, /Chip and firmware: FAIL: 8 of 8 points outside the limits\n$/);
});

test('exits 0 when every point passes (fixed firmware, seed points)', async () => {
  const r = await osm('accuracy', '--points', 'seed', '--firmware', 'fixed');
  assert.is(r.code, 0);
  assert.match(r.out, /PASS: all 8 points within the limits/);
});

test('--fidelity waveform runs the suite on 8 kHz samples and says so', async () => {
  const r = await osm('accuracy', '--points', 'seed', '--firmware', 'fixed', '--fidelity', 'waveform');
  assert.is(r.code, 0);
  assert.match(r.out, /accuracy test on the virtual bench \(waveform level\)/);
  assert.match(r.out, /waveform level: 8 kHz samples, CT core saturation, ADC clipping/);
});

test('the 2000:1 CT with a 30 ohm burden what-if fails at Imax by clipping', async () => {
  const r = await osm('accuracy', '--points', 'seed', '--judge', 'chip', '--set', 'frontend.ct.ratio=2000', '--set=frontend.ct.burdenOhms=30', '--json');
  assert.is(r.code, 1);
  const obj = JSON.parse(r.out) as { whatIf: string[]; points: Array<{ name: string; pass: boolean; reasons: string[] }> };
  assert.equal(obj.whatIf, ['frontend.ct.ratio=2000', 'frontend.ct.burdenOhms=30']);
  const imax = obj.points.find((p) => p.name === 'Imax (80 A) PF 1')!;
  assert.is(imax.pass, false);
  assert.match(imax.reasons[0], /^clipping: I2P-I2N peak/);
});

test('an unknown --set key or a bad value exits 2 with one clear line on stderr', async () => {
  const a = await osm('accuracy', '--set', 'frontend.ct.ratoi=2000');
  assert.is(a.code, 2);
  assert.match(a.err, /^osm accuracy: --set 'frontend.ct.ratoi=2000': unknown board parameter 'frontend.ct.ratoi' \(did you mean 'frontend.ct.ratio'\?\)/);
  const b = await osm('accuracy', '--set', 'afe.IgainN=0x10000');
  assert.is(b.code, 2);
  assert.match(b.err, /a register value is a 16-bit word/);
  const c = await osm('accuracy', '--set');
  assert.is(c.code, 2);
  assert.match(c.err, /'--set' needs a value KEY=VALUE/);
  assert.is(a.out + b.out + c.out, '');
});

test('contradictory or malformed options exit 2', async () => {
  for (const argv of [['--seed', '3'], ['--points', 'some'], ['--judge', 'meter'], ['--firmware', 'shipped'], ['--fix', 'D99'],
    ['--meter-constant', '-5'], ['--fidelity', 'spice'], ['--monte-carlo', '5', '--unit', '1'], ['--workers', '2'], ['--monte-carlo', 'ten']]) {
    const r = await osm('accuracy', ...argv);
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.err, /^osm accuracy: /, argv.join(' '));
  }
});

test('--report into a missing folder exits 2 before running and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-'));
  try {
    const file = join(dir, 'missing', 'r.html');
    const r = await osm('accuracy', '--points', 'seed', '--report', file);
    assert.is(r.code, 2);
    assert.match(r.err, /--report: cannot write '.*r\.html': the folder '.*missing' does not exist/);
    assert.not.ok(existsSync(file));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('--report writes one self-contained page with the plotly bundle inlined', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-'));
  try {
    const file = join(dir, 'r.html');
    const r = await osm('accuracy', '--points', 'seed', '--report', file);
    assert.is(r.code, 0);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /Firmware billing \(field[^<]*FAIL, 8 of 8 points outside the limits; 8 of them from D14/);
    assert.not.match(html, /<td>-0\.0+<\/td>/);
    assert.match(html, /per the limits configured in the project/);
    assert.ok(html.length > 3_000_000, 'plotly inlined');
    assert.not.match(html, /<script[^>]+src=/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('osm calibrate prints the new registers and CS1/CS2, and exits 0 when the calibrated unit passes', async () => {
  const r = await osm('calibrate', '--seed', '3', '--unit', '16', '--points', 'seed');
  assert.is(r.code, 0);
  for (const reg of ['PLconstH', 'PLconstL', 'Ngain', 'Nphi', 'Ugain', 'IgainN', 'CS1', 'CS2']) assert.match(r.out, new RegExp(`\\n${reg}\\s+0x[0-9A-F]{4}\\s+0x[0-9A-F]{4}`));
  assert.match(r.out, /Uncalibrated: FAIL/);
  assert.match(r.out, /Calibrated:\s+PASS/);
  assert.match(r.out, /To test these registers: osm accuracy --seed 3 --unit 16 --points seed --judge chip --set afe\./);
});

/** Words of a command line as a POSIX shell splits them (bare words and single quotes, which is all it prints). */
test('osm calibrate --help names the top-level keys of the object --json prints', async () => {
  const help = (await osm('calibrate', '--help')).out;
  const flat = help.replace(/\s+/g, ' ');
  const start = flat.indexOf('print one JSON object {');
  assert.ok(start >= 0, help);
  let depth = 0;
  let body = '';
  for (const ch of flat.slice(start + 'print one JSON object '.length)) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (depth === 1) body += ch;
    if (depth === 0) break;
  }
  const named = body.split(',').map((k) => k.trim().replace(/:$/, '')).filter(Boolean).sort();
  const r = await osm('calibrate', '--nominal', '--points', 'seed', '--json', '--quiet');
  assert.equal(named, Object.keys(JSON.parse(r.out) as object).sort());
});

test('-q is accepted by osm accuracy and osm calibrate, as by osm run, flow, fleet and worker', async () => {
  const a = await osm('accuracy', '--points', 'seed', '-q');
  assert.ok(a.code === 0 || a.code === 1, a.err);
  assert.is(a.err, '');
  const c = await osm('calibrate', '--nominal', '--points', 'seed', '-q');
  assert.is(c.code, 0, c.err);
  assert.is(c.err, '');
});

function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]));
}

test('the command osm calibrate --seed 7 prints reproduces its calibrated table and verdict', async () => {
  const cal = await osm('calibrate', '--seed', '7');
  const line = /\nTo test these registers: (osm accuracy [^\n]*)\n/.exec(cal.out)?.[1];
  assert.ok(line, cal.out);
  const [osmWord, ...argv] = shellWords(line);
  assert.is(osmWord, 'osm');
  const acc = await osm(...argv);
  // calibrate exits 0 for a unit that fails only DC immunity (calibrated; the design's limit); accuracy judges it 1.
  assert.is(acc.code, /\nResult: the unit is calibrated: every point passes except DC immunity/.test(cal.out) ? 1 : cal.code);
  // The calibrated suite as calibrate printed it, and as accuracy prints it (the what-if line is accuracy's alone).
  const table = (t: string): string => t.slice(t.indexOf('OpenSmartMeter twin:')).split('\n').filter((l) => !/^(Meter:|What-if:)/.test(l)).join('\n');
  const calTable = table(cal.out.slice(0, cal.out.indexOf('\nUncalibrated:')));
  assert.is(table(acc.out).trimEnd(), calTable.trimEnd());
  assert.match(acc.out, /\nHardware \(chip CF pulses\): (PASS: all|FAIL: \d+ of) 37 points/);
});

test('osm calibrate --seed 7: a unit that fails only DC immunity is calibrated (exit 0), and the last line says the design fails DC immunity', async () => {
  const r = await osm('calibrate', '--seed', '7');
  assert.is(r.code, 0, r.out.slice(-800));
  assert.match(r.out, /\nCalibrated:\s+FAIL: 1 of 37 points fail/);
  assert.match(r.out, /\nResult: the unit is calibrated: every point passes except DC immunity, which no calibration can change: the test's DC saturates the CT[^\n]*\n$/);
  const json = JSON.parse((await osm('calibrate', '--seed', '7', '--json')).out) as { pass: boolean; calibrated: boolean };
  assert.equal([json.pass, json.calibrated], [false, true]);
});

test('osm accuracy: the DC immunity point fails by CT saturation, said with the DC it carries and the standard, and the verdict without it is beside the full one', async () => {
  const r = await osm('accuracy');
  assert.is(r.code, 1, 'the design fails DC immunity: still a FAIL');
  assert.match(r.out, /\n  DC and even harmonics: half-wave rectified, Imax\/√2: chip error shift -3\d\.\d+ % outside ±3 % \(the 36\.0 A of DC in the half-wave current drives the CT's core into saturation/);
  assert.match(r.out, /\nDC immunity: the half-wave test current \(56\.6 A rms\) carries 36\.0 A of DC\. A current transformer passes no DC, so all of it magnetises the CT's core, which saturates \(the core sits on the saturated part of its curve for \d+ % of the samples\): the chip's error shifts by -3\d\.\d % from the full-wave reference\. IEC 62053-21 applies this test to direct-connected meters/);
  assert.match(r.out, /\nHardware \(chip CF pulses\): FAIL: 1 of 37 points outside the limits: only DC immunity\nHardware \(chip CF pulses\) without the DC immunity point: PASS: all 36 other points within the limits\n/);
  const json = JSON.parse((await osm('accuracy', '--json')).out) as { pass: boolean; passWithoutDcImmunity: boolean; dcImmunity: string };
  assert.equal([json.pass, json.passWithoutDcImmunity], [false, true]);
  assert.match(json.dcImmunity, /36\.0 A of DC/);
});

test('--monte-carlo gives the yield without the DC immunity point beside the full yield, and says why units fail it', async () => {
  const r = await osm('accuracy', '--monte-carlo', '2', '--workers', '1', '--quiet');
  assert.match(r.out, /\nHardware \(chip CF pulses\): passed 0 of 2: yield 0\.0 %[^\n]*\n  without the DC immunity point: passed 2 of 2: yield 100\.0 %, 95 % confidence interval [\d.]+ % \.\. 100\.0 %; DC immunity failed on 2 of 2 units, each with the CT's core saturated by the test's DC/);
  assert.match(r.out, /\nNo unit fails a point besides DC immunity\.\n/, 'not "First failing units: 0, 1": every unit fails DC immunity');
  assert.not.match(r.out, /First failing units/);
  const json = JSON.parse((await osm('accuracy', '--monte-carlo', '2', '--workers', '1', '--quiet', '--json')).out) as { monteCarlo: { yield: number; withoutDcImmunity: { yield: number; passed: number; failingUnits: number[] } } };
  assert.equal([json.monteCarlo.yield, json.monteCarlo.withoutDcImmunity.yield], [0, 1]);
  assert.equal(json.monteCarlo.withoutDcImmunity.failingUnits, []);
});

test('osm calibrate --json gives the registers before and after and both suites', async () => {
  const r = await osm('calibrate', '--seed', '3', '--unit', '16', '--points', 'seed', '--json');
  const obj = JSON.parse(r.out) as { pass: boolean; registers: { after: Record<string, string> }; suite: { before: { pass: boolean }; after: { pass: boolean } } };
  assert.is(obj.pass, true);
  assert.is(obj.suite.before.pass, false);
  assert.match(obj.registers.after.CS2, /^0x[0-9A-F]{4}$/);
});

test('osm calibrate on a burden that makes Imax clip says no calibration can fix those points, and why (exit 1)', async () => {
  const r = await osm('calibrate', '--set', 'frontend.ct.burdenOhms=9.6', '--points', 'seed', '--quiet');
  assert.is(r.code, 1);
  assert.match(r.out, /\nResult: the calibrated unit still fails 2 points that no calibration can: Imax \(80 A\) PF 1 \(clipping: I2P-I2N peak 108\d mV exceeds the input range ±849 mV\); .*the front end must be changed/);
  assert.not.match(r.out, /calibration should bring/);
});

test('osm calibrate refuses --nominal with --unit', async () => {
  const r = await osm('calibrate', '--nominal', '--unit', '2');
  assert.is(r.code, 2);
  assert.match(r.err, /--nominal calibrates the nominal board/);
});

test('a long run says on stderr what it is doing, point by point, unless --quiet', async () => {
  let now = 0;
  const slow = (): number => (now += 2500); // every point takes 2.5 s of wall time
  const r = await osmAt(slow, 'accuracy', '--points', 'seed', '--fidelity', 'waveform', '--firmware', 'fixed');
  const lines = r.err.trim().split('\n');
  assert.ok(lines.length >= 8, r.err);
  assert.match(lines[0], /^osm accuracy: (point \d\/8: .*|8 points on the nominal board at waveform level)$/);
  assert.ok(lines.some((l) => /^osm accuracy: point 8\/8: Ib \(5 A\) PF 0\.5L$/.test(l)), r.err);
  const q = await osmAt(slow, 'accuracy', '--points', 'seed', '--quiet');
  assert.is(q.err, '');
  const c = await osmAt(slow, 'calibrate', '--seed', '3', '--unit', '16', '--points', 'seed');
  assert.match(c.err, /osm calibrate: before, point 1\/8: /);
  assert.match(c.err, /osm calibrate: application-note procedure/);
  assert.match(c.err, /osm calibrate: after, point 8\/8: /);
});

test('--monte-carlo reports units done on stderr and, beside the hardware yield, the firmware\'s with D14 named', async () => {
  let now = 0;
  const r = await osmAt(() => (now += 2500), 'accuracy', '--points', 'seed', '--monte-carlo', '2', '--workers', '1');
  assert.match(r.err, /osm accuracy: Monte Carlo: \d\/2 units/);
  assert.match(r.err, /osm accuracy: Monte Carlo: 2\/2 units done\n$/);
  assert.match(r.out, /\nHardware \(chip CF pulses\): passed \d of 2: yield /);
  assert.match(r.out, /\nFirmware billing \(field[^\n]*\), its own verdict: 0 of 2 units within the limits; failures caused by D14 /);
});

test('the help says --monte-carlo names the worst units and the command that reruns one', () => {
  assert.match(ACCURACY_USAGE, /--monte-carlo N[^\n]*\n[^\n]*the worst units and the command that reruns one/);
});

test('--monte-carlo lists the worst units, and the rerun line keeps the draw\'s points and what-ifs, giving that unit\'s numbers', async () => {
  const args = ['--points', 'seed', '--set', 'frontend.ct.burdenOhms=4.85', '--set', 'afe.Nphi=5'];
  const r = await osm('accuracy', ...args, '--monte-carlo', '3', '--seed', '1', '--workers', '1', '--quiet');
  assert.match(r.out, /\nWorst units \(the largest chip error against its limit in the error table\):\nUnit +Test point +error % +limit % +of the limit\n/);
  const line = /\nRerun one unit by itself: (osm accuracy [^\n]+)\n/.exec(r.out);
  assert.ok(line, r.out);
  assert.match(line![1], /^osm accuracy --seed 1 --unit (\d) --points seed --set frontend\.ct\.burdenOhms=4\.85 --set afe\.Nphi=5$/);
  const unit = /--unit (\d)/.exec(line![1])![1];
  const first = /\nWorst units[^\n]*\n[^\n]*\n[^\n]*\n(\d) +(.+?) +([+-]\d+\.\d{3}) +±/.exec(r.out)!;
  assert.is(first[1], unit);
  const alone = await osm('accuracy', '--seed', '1', '--unit', unit, ...args, '--json');
  const p = (JSON.parse(alone.out) as { points: Array<{ name: string; errorPercent: number }> }).points.find((x) => x.name === first[2])!;
  assert.is(p.errorPercent.toFixed(3).replace(/^(?!-)/, '+'), first[3]);
});

const CURVE_NETLIST = new URL('../../models/frontend/netlists/osm-board-ct-curve.yaml', import.meta.url);

test('--netlist with the example CT excitation curve: errors at 0.05 and 0.1 Ib below (PF 1) and above (PF 0.5L) those at Ib', async () => {
  const r = await osm('accuracy', '--netlist', CURVE_NETLIST.pathname, '--json');
  const pts = (JSON.parse(r.out) as { points: Array<{ name: string; errorPercent: number }> }).points;
  const e = (name: string): number => pts.find((p) => p.name === name)!.errorPercent;
  assert.ok(e('0.05 Ib (0.25 A) PF 1') < e('0.1 Ib (0.5 A) PF 1') && e('0.1 Ib (0.5 A) PF 1') < e('Ib (5 A) PF 1'));
  assert.ok(e('0.1 Ib (0.5 A) PF 0.5L') > e('Ib (5 A) PF 0.5L') + 0.1);
  // The same board without the curve: every PF 1 point at the same error.
  const flat = await osm('accuracy', '--netlist', new URL('../../models/frontend/netlists/osm-board.yaml', import.meta.url).pathname, '--json');
  const f = (JSON.parse(flat.out) as { points: Array<{ name: string; errorPercent: number }> }).points;
  const pf1 = f.filter((p) => /^(0\.\d+ Ib|Ib|2 Ib|\d+ A|Imax) \(?.*PF 1$/.test(p.name)).map((p) => p.errorPercent);
  assert.is(pf1.length, 9);
  assert.ok(Math.max(...pf1) - Math.min(...pf1) < 1e-9, pf1.join(', '));
});

/** The example netlist with its ct.excitation points replaced by `points` (YAML text). */
function curveNetlist(dir: string, points: string): string {
  const text = readFileSync(CURVE_NETLIST, 'utf8').replace(/    points:\n(      - .*\n)+/, `    points: ${points}\n`);
  const file = join(dir, 'board.yaml');
  writeFileSync(file, text);
  return file;
}

test('--netlist with a one-point CT excitation curve exits 2 with one line naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-curve-'));
  try {
    const r = await osm('accuracy', '--netlist', curveNetlist(dir, '[ [ 1mV, 0.4uA ] ]'), '--points', 'seed');
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /^osm accuracy: --netlist .*board\.yaml: .*board\.yaml: ct\.excitation\.points needs at least two points/);
    assert.is(r.err.trim().split('\n').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--netlist with a CT excitation curve that does not rise exits 2 naming the point', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-curve-'));
  try {
    const r = await osm('accuracy', '--netlist', curveNetlist(dir, '[ [ 1mV, 0.4uA ], [ 3mV, 0.3uA ] ]'), '--points', 'seed');
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /ct\.excitation\.points\[1\]: the exciting current 3e-7 A is not above the point before it/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--netlist with a CT excitation curve too steep to solve at Imax exits 2 naming the current', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-curve-'));
  try {
    const r = await osm('accuracy', '--netlist', curveNetlist(dir, '[ [ 100mV, 1uA ], [ 1V, 10uA ], [ 1.0001V, 1A ] ]'));
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /^osm accuracy: current transformer: the operating point at 80 A \(50 Hz\) did not settle/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--monte-carlo with a CT curve that only a drawn unit cannot solve exits 2 naming the unit, not as an internal error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-curve-'));
  try {
    // the nominal CT settles at 80 A; with its inductance drawn within the tolerance, a unit's does not
    const r = await osm('accuracy', '--netlist', curveNetlist(dir, '[ [ 100mV, 1uA ], [ 1V, 10uA ], [ 1.0001V, 1mA ] ]'), '--monte-carlo', '8', '--points', 'seed');
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /^osm accuracy: Monte Carlo unit \d+: current transformer: the operating point at \d+(\.\d+)? A \(50 Hz\) did not settle/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--report naming the --netlist it reads exits 2 before running and leaves the netlist as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-same-'));
  try {
    const netlist = join(dir, 'board.yaml');
    writeFileSync(netlist, readFileSync(new URL('../../models/frontend/netlists/osm-board.yaml', import.meta.url), 'utf8'));
    const before = readFileSync(netlist, 'utf8');
    const r = await osm('accuracy', '--points', 'seed', '--netlist', netlist, '--report', netlist);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /--report: '.*board\.yaml' is the --netlist file this command reads; give another file name/);
    assert.is(readFileSync(netlist, 'utf8'), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--board johnny-five: --report naming the --applied file exits 2 before the board is opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-acc-applied-'));
  try {
    const applied = join(dir, 'applied.yaml');
    writeFileSync(applied, 'points: {}\n');
    const r = await osm('accuracy', '--board', 'johnny-five', '--port', '/dev/null', '--applied', applied, '--report', applied);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, /--report: '.*applied\.yaml' is the --applied file this command reads/);
    assert.is(readFileSync(applied, 'utf8'), 'points: {}\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
