import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createFrontendCommand } from './frontend.ts';
import { CircuitFrontEnd } from '../../models/frontend/circuit-front-end.ts';
import { builtInNetlist, parseNetlist } from '../../models/frontend/circuit/netlist.ts';
import { boardForNetlist } from '../../models/frontend/circuit/profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { scratchDir } from '../../test/support/scratch.ts';

const ORIGINAL = new URL('../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;
const original = existsSync(ORIGINAL) ? test : test.skip;

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runWith(undefined, ...argv);
}

/** `osm frontend` with `ngspice` as the program `spice --compare` runs. */
async function runWith(ngspice: string | undefined, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const cmd = createFrontendCommand({ io: { stdout: { write: (t: string) => { stdout += t; } }, stderr: { write: (t: string) => { stderr += t; } } }, ...(ngspice ? { ngspice } : {}) });
  const code = await cmd.run(argv);
  return { code, stdout, stderr };
}

test('show prints the built-in board with its 1/823 divider and its board profile', async () => {
  const r = await run('show');
  assert.is(r.code, 0);
  assert.match(r.stdout, /VP-VN = 1\/823\.\d\d/);
  assert.match(r.stdout, /rTopOhms=620000/);
});

test('show --set R12=150k changes the divider', async () => {
  const r = await run('show', '--set', 'R12=150k');
  assert.match(r.stdout, /rTopOhms=650000/);
});

test('an unknown reference in --set is one line on stderr and exit 2', async () => {
  const r = await run('show', '--set', 'R99=1k');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^osm frontend: R99: no such part/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('spice prints a netlist with the control block', async () => {
  const r = await run('spice');
  assert.is(r.code, 0);
  assert.match(r.stdout, /^VLINE LINE NEUT DC 0 AC 1$/m);
  assert.match(r.stdout, /^\.endc$/m);
});

test('import of a missing file is exit 2 naming it', async () => {
  const r = await run('import', '/nonexistent/board.kicad_sch');
  assert.is(r.code, 2);
  assert.match(r.stderr, /cannot read '\/nonexistent\/board\.kicad_sch': no such file/);
});

test('a --save into a missing folder is refused before the import', async () => {
  const r = await run('import', '/nonexistent/board.kicad_sch', '--save', '/nonexistent-dir/x.yaml');
  assert.is(r.code, 2);
  assert.match(r.stderr, /folder .* does not exist/);
});

test('spice --out through a symlink replaces the link\'s target and keeps the link', async () => {
  const dir = scratchDir('osm-fe-');
  const target = join(dir, 'real.cir');
  const link = join(dir, 'link.cir');
  writeFileSync(target, 'old\n');
  symlinkSync(target, link);
  const r = await run('spice', '--out', link);
  assert.is(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.match(readFileSync(target, 'utf8'), /^VLINE LINE NEUT DC 0 AC 1$/m);
});

test('spice --out into a missing folder is one line naming the folder, exit 2', async () => {
  const r = await run('spice', '--out', '/nonexistent-dir/x.cir');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^osm frontend: --out: cannot write '\/nonexistent-dir\/x\.cir': the folder '\/nonexistent-dir' does not exist/);
});

original('import --save of the original schematic writes a netlist that show --netlist reads back', async () => {
  const out = join(scratchDir('osm-fe-'), 'board.yaml');
  const r = await run('import', ORIGINAL, '--save', out);
  assert.is(r.code, 0, r.stderr);
  assert.match(readFileSync(out, 'utf8'), /ref: R12, kind: R, value: 120k/);
  const s = await run('show', '--netlist', out, '--json');
  assert.is(s.code, 0, s.stderr);
  const j = JSON.parse(s.stdout) as { profile: { divider: { rTopOhms: number } } };
  assert.is(j.profile.divider.rTopOhms, 620e3);
});

test('a netlist file with a bad value is exit 2 naming the part', async () => {
  const f = join(scratchDir('osm-fe-'), 'bad.yaml');
  writeFileSync(f, 'board: x\nchip: { ref: U1, value: ATM90E26, ground: G, pins: { VP: A, VN: G } }\nterminals: { line: L, neutral: N }\nparts:\n  - { ref: R1, value: 1q, nets: [ L, A ] }\n');
  const r = await run('show', '--netlist', f);
  assert.is(r.code, 2);
  assert.match(r.stderr, /R1: cannot read the resistance '1q'/);
});

test('spice --out naming the --netlist it reads is refused (exit 2) and the netlist is left as it was', async () => {
  const dir = scratchDir('osm-fe-same-');
  const netlist = join(dir, 'board.yaml');
  writeFileSync(netlist, readFileSync(new URL('../../models/frontend/netlists/osm-board.yaml', import.meta.url), 'utf8'));
  const before = readFileSync(netlist, 'utf8');
  const r = await run('spice', '--netlist', netlist, '--out', netlist);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out: '.*board\.yaml' is the netlist this command reads; give another file name/);
  assert.is(readFileSync(netlist, 'utf8'), before);
});

const withSpice = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0 ? test : test.skip;

withSpice('spice --compare runs ngspice and finds the built-in board within 1e-6 and 1e-4 deg of the solver (exit 0)', async () => {
  const r = await run('spice', '--compare');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n  at 50 Hz: ngspice 1\/823\.094 at -0\.5918 deg, solver 1\/823\.094 at -0\.5918 deg\n/);
  assert.match(r.stdout, /\nPASS: within 1e-6 in gain and 1e-4 deg in phase at every frequency\n$/);
});

/** A stand-in for ngspice that prints the solver's tables with the voltage channel 0.1 % high. */
function fakeNgspice(): string {
  const fe = new CircuitFrontEnd(builtInNetlist());
  const table = (name: string, f: (hz: number) => { re: number; im: number }, k: number): string => {
    const lines = [`Index   frequency       real(${name})      imag(${name})`];
    for (let h = 1; h <= 50; h++) { const t = f(50 * h); lines.push(`${h - 1}\t${50 * h}\t${t.re * k}\t${t.im * k}`); }
    return lines.join('\n');
  };
  const file = join(scratchDir('osm-fake-spice-'), 'ngspice');
  writeFileSync(file, `#!/bin/sh\ncat <<'EOF'\n${table('vpin', (hz) => fe.voltagePin(hz), 1.001)}\n${table('ipin', (hz) => fe.currentPinN(hz), 1)}\nEOF\n`);
  chmodSync(file, 0o755);
  return file;
}

test('spice --compare fails (exit 1) when ngspice disagrees, naming the largest difference', async () => {
  const r = await runWith(fakeNgspice(), 'spice', '--compare');
  assert.is(r.code, 1, r.stderr);
  assert.match(r.stdout, /VP-VN per line volt[^\n]*\n[^\n]*\n  largest difference: gain 1\.00e-3 /);
  assert.match(r.stdout, /\nFAIL: outside 1e-6 in gain or 1e-4 deg in phase/);
  const json = JSON.parse((await runWith(fakeNgspice(), 'spice', '--compare', '--json')).stdout) as { pass: boolean; voltage: { gain: number } };
  assert.is(json.pass, false);
  assert.ok(Math.abs(json.voltage.gain - 1e-3) < 1e-9);
});

test('spice --compare without ngspice says how to get it, in one line, exit 2', async () => {
  const r = await runWith('/nonexistent/ngspice', 'spice', '--compare');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^osm frontend: --compare: \/nonexistent\/ngspice is not on the PATH: install ngspice \(Debian: apt-get install ngspice\)/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

const CURVE = new URL('../../models/frontend/netlists/osm-board-ct-curve.yaml', import.meta.url).pathname;

test('spice --amps exports a CT with an excitation curve at its operating point for that current, and says so', async () => {
  const op = new FrontEnd(boardForNetlist(parseNetlist(readFileSync(CURVE, 'utf8'), 'c.yaml'))).ctOperatingPoint(0.25, 50);
  const henries = (text: string): number => Number(/\nLCT_M \S+ \S+ (\S+)\n/.exec(text)![1]);
  const at = await run('spice', '--netlist', CURVE, '--amps', '0.25');
  assert.is(at.code, 0, at.stderr);
  assert.ok(Math.abs(henries(at.stdout) / op.magnetisingHenries - 1) < 1e-12);
  assert.match(at.stdout, /\n\* CT excitation curve: magnetising branch at 0\.25 A primary \(50 Hz\)/);
  const initial = await run('spice', '--netlist', CURVE);
  assert.match(initial.stdout, /\n\* CT excitation curve: magnetising branch at its initial permeability \(no current\)/);
  assert.ok(henries(initial.stdout) < 0.8 * henries(at.stdout));
});

const ngspice = spawnSync('ngspice', ['-v'], { encoding: 'utf8' }).error ? test.skip : test;
ngspice('spice --compare --amps 5 agrees with ngspice at the CT\'s operating point and names it', async () => {
  const r = await run('spice', '--netlist', CURVE, '--amps', '5', '--compare');
  assert.is(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /\nCT excitation curve: magnetising branch at 5 A primary \(50 Hz\): EMF 0\.0639\d+ V, 26\.7\d* H/);
  assert.match(r.stdout, /\nPASS: within 1e-6/);
});

test('--amps on a linear CT, or not a current, is one line on stderr and exit 2', async () => {
  const linear = await run('spice', '--amps', '5');
  assert.is(linear.code, 2);
  assert.match(linear.stderr, /^osm frontend: --amps sets the operating point of a CT with an excitation curve \(ct\.excitation\); this front end's CT is linear\n$/);
  const bad = await run('show', '--netlist', CURVE, '--amps', '-1');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /^osm frontend: --amps must be a primary current in amps >= 0, got '-1'\n$/);
});

test.run();
