import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProfileLoad, parseLoadProfileCsv } from './csv-profile.ts';
import { CurrentLinesLoad } from './current-lines.ts';
import { toneAt } from '../tone-analysis.ts';
import { runCycles, cyclePower, FS } from '../../../test/support/load-cycles.ts';

const run = runCycles;
const power = cyclePower;

test('parses time, watts and an optional pf, with a header, comments and blank lines', () => {
  const rows = parseLoadProfileCsv('time,watts,pf\n# night\n0,100\n\n0.1; 2000; 0.8\n0.2\t500\t-0.9\n');
  assert.equal(rows, [{ timeS: 0, watts: 100, pf: 1 }, { timeS: 0.1, watts: 2000, pf: 0.8 }, { timeS: 0.2, watts: 500, pf: -0.9 }]);
});

test('names the line of a malformed row', () => {
  assert.throws(() => parseLoadProfileCsv('0,100\n1,abc\n', 'day.csv'), /day\.csv line 2: watts must be a number >= 0, got "abc"/);
  assert.throws(() => parseLoadProfileCsv('0,100\n0,200\n', 'day.csv'), /line 2: times must increase/);
  assert.throws(() => parseLoadProfileCsv('0,100,1.5\n', 'day.csv'), /line 1: pf must be a number with 0 < \|pf\| <= 1/);
  assert.throws(() => parseLoadProfileCsv('0,100,1,7\n', 'day.csv'), /line 1: expected 2 or 3 fields/);
  assert.throws(() => parseLoadProfileCsv('# nothing\n', 'day.csv'), /day\.csv: no data rows/);
});

test('follows its rows step by step, each at the phasor level\'s impedance for its watts and pf', () => {
  const rows = parseLoadProfileCsv('0,100\n0.1,2000,0.8\n0.2,500,-0.5');
  const cycles = run(new ProfileLoad('house', rows, { vrms: 240, hz: 50 }, FS), 15);
  assert.ok(Math.abs(power(cycles[2]) - 100) < 1e-6);
  assert.ok(Math.abs(power(cycles[8]) / 2000 - 1) < 1e-4);
  assert.ok(Math.abs(power(cycles[14]) / 500 - 1) < 1e-4);
  const lead = toneAt(cycles[14].i, 50, FS, 14 * 160).phaseRad;
  assert.ok(Math.abs(Math.cos(lead) - 0.5) < 1e-4 && lead > 0);
});

test('repeats from its first row when looping, its last row\'s time being the period', () => {
  const rows = parseLoadProfileCsv('0,1000\n0.04,0\n0.08,0');
  const cycles = run(new ProfileLoad('blink', rows, { vrms: 240, hz: 50 }, FS, { loop: true }), 8);
  const p = cycles.map((c) => Math.round(power(c)));
  assert.equal(p, [1000, 1000, 0, 0, 1000, 1000, 0, 0]);
});

test('draws nothing before its first row', () => {
  const cycles = run(new ProfileLoad('late', parseLoadProfileCsv('0.04,1000'), { vrms: 240, hz: 50 }, FS), 3);
  assert.equal(cycles.map((c) => Math.round(power(c))), [0, 0, 1000]);
});

test('a phase-locked current source draws its lines whatever the voltage', () => {
  const src = new CurrentLinesLoad('phantom', [{ order: 1, rms: 5, phaseRad: -Math.PI / 3 }, { order: 5, rms: 2, phaseRad: 0.3 }, { order: 0, rms: 0.5, phaseRad: 0 }]);
  const c = run(src, 2, 0)[1];
  const h1 = toneAt(c.i, 50, FS, 160);
  const h5 = toneAt(c.i, 250, FS, 160);
  assert.ok(Math.abs(h1.rms - 5) < 1e-9 && Math.abs(h1.phaseRad + Math.PI / 3) < 1e-9);
  assert.ok(Math.abs(h5.rms - 2) < 1e-9 && Math.abs(h5.phaseRad - 0.3) < 1e-9);
  assert.ok(Math.abs(c.i.reduce((s, x) => s + x, 0) / 160 - 0.5) < 1e-9);
});
test.run();
