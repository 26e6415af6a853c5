import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toSpice } from './spice.ts';
import { parseSpiceTables, type SpiceRow } from './spice-compare.ts';
import { builtInNetlist, type FrontEndNetlist } from './netlist.ts';
import { CircuitFrontEnd, withValues } from '../circuit-front-end.ts';
import { cabs, cargDeg, type Complex } from '../impedance.ts';
import { profileFromNetlist } from './profile.ts';
import { sampledTransfers } from '../../waveform/sampled-transfer.ts';
import { scratchDir } from '../../../test/support/scratch.ts';

const HAVE_NGSPICE = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0;
/** Needs ngspice on the PATH (.ci/run installs Debian's); counted as skipped without it. */
const withSpice = HAVE_NGSPICE ? test : test.skip;

type Row = SpiceRow;

/** Runs the export through `ngspice -b` and returns its two printed tables (voltage, current channel). */
function runSpice(n: FrontEndNetlist): { v: Row[]; i: Row[] } {
  const file = join(scratchDir('osm-spice-'), 'frontend.cir');
  writeFileSync(file, toSpice(n));
  const r = spawnSync('ngspice', ['-b', file], { encoding: 'utf8', timeout: 60_000 });
  // ngspice -b exits 1 with a note when a netlist has no .print card outside .control; the tables are the check.
  assert.ok(r.status === 0 || r.status === 1, `ngspice exit ${r.status}: ${r.stderr}`);
  assert.not.match(`${r.stdout}\n${r.stderr}`, /error/i);
  return parseSpiceTables(r.stdout);
}

function compare(rows: Row[], mine: (hz: number) => Complex, what: string): { gain: number; phase: number } {
  assert.is(rows.length, 50, `${what}: 50 Hz and every harmonic to 2.5 kHz`);
  let gain = 0, phase = 0;
  for (const r of rows) {
    const m = mine(r.hz);
    gain = Math.max(gain, Math.abs(Math.hypot(r.re, r.im) / cabs(m) - 1));
    phase = Math.max(phase, Math.abs(((Math.atan2(r.im, r.re) * 180) / Math.PI) - cargDeg(m)));
  }
  return { gain, phase };
}

withSpice('ngspice agrees with the circuit solver on the built-in board to 1e-6 in gain and 1e-4 deg, 50 Hz to 2.5 kHz', () => {
  const n = builtInNetlist();
  const fe = new CircuitFrontEnd(n);
  const { v, i } = runSpice(n);
  const ev = compare(v, (hz) => fe.voltagePin(hz), 'voltage'), ei = compare(i, (hz) => fe.currentPinN(hz), 'current');
  assert.ok(ev.gain < 1e-6 && ev.phase < 1e-4, `voltage ${JSON.stringify(ev)}`);
  assert.ok(ei.gain < 1e-6 && ei.phase < 1e-4, `current ${JSON.stringify(ei)}`);
});

withSpice('ngspice agrees with the circuit solver on a changed board (R12 150k, C38 47n, CT reversed, leakage 1 mH)', () => {
  const base = withValues(builtInNetlist(), { R12: '150k', C38: '47n' });
  const n: FrontEndNetlist = { ...base, ct: { ...base.ct!, reversed: true, leakageHenries: 1e-3 } };
  const fe = new CircuitFrontEnd(n);
  const { v, i } = runSpice(n);
  const ev = compare(v, (hz) => fe.voltagePin(hz), 'voltage'), ei = compare(i, (hz) => fe.currentPinN(hz), 'current');
  assert.ok(ev.gain < 1e-6 && ev.phase < 1e-4, `voltage ${JSON.stringify(ev)}`);
  assert.ok(ei.gain < 1e-6 && ei.phase < 1e-4, `current ${JSON.stringify(ei)}`);
});

/** The waveform level's transfers (pin samples at 8 kHz) at ngspice's frequencies, for the board the netlist gives. */
function waveformLevel(n: FrontEndNetlist, hz: readonly number[]): Map<number, { v: Complex; i: Complex }> {
  const p = profileFromNetlist(n);
  if (!p.ok) throw new Error(p.why);
  return new Map(sampledTransfers(p.profile, hz).map((s) => [s.hz, { v: s.v, i: s.iN }]));
}

withSpice('ngspice agrees with the waveform level on the built-in board to 0.1 % and 0.05 deg, 50 Hz to 2.5 kHz', () => {
  const n = builtInNetlist();
  const { v, i } = runSpice(n);
  const w = waveformLevel(n, v.map((r) => r.hz));
  const ev = compare(v, (hz) => w.get(hz)!.v, 'voltage'), ei = compare(i, (hz) => w.get(hz)!.i, 'current');
  assert.ok(ev.gain < 1e-3 && ev.phase < 0.05, `voltage ${JSON.stringify(ev)}`);
  assert.ok(ei.gain < 1e-3 && ei.phase < 0.05, `current ${JSON.stringify(ei)}`);
});

withSpice('ngspice agrees with the waveform level on a changed board (R12 150k, C38 47n, CT reversed, leakage 1 mH)', () => {
  const base = withValues(builtInNetlist(), { R12: '150k', C38: '47n' });
  const n: FrontEndNetlist = { ...base, ct: { ...base.ct!, reversed: true, leakageHenries: 1e-3 } };
  const { v, i } = runSpice(n);
  const w = waveformLevel(n, v.map((r) => r.hz));
  const ev = compare(v, (hz) => w.get(hz)!.v, 'voltage'), ei = compare(i, (hz) => w.get(hz)!.i, 'current');
  assert.ok(ev.gain < 1e-3 && ev.phase < 0.05, `voltage ${JSON.stringify(ev)}`);
  assert.ok(ei.gain < 1e-3 && ei.phase < 0.05, `current ${JSON.stringify(ei)}`);
});

test('the export names every part once and grounds the chip reference', () => {
  const text = toSpice(builtInNetlist());
  for (const ref of ['R12', 'R44', 'C38', 'R7', 'C42', 'C29']) assert.ok(new RegExp(`^[RC]${ref} `, 'm').test(text), ref);
  assert.match(text, /^RR44 VP 0 1e3$/m);
  assert.match(text, /^\.control$/m);
});

test.run();
