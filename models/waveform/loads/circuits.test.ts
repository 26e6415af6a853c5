import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meanOf, rmsOfSamples, toneAt } from '../tone-analysis.ts';
import { SmpsLoad } from './smps.ts';
import { HalfWaveLoad } from './half-wave.ts';
import { LinearLoad } from './linear-load.ts';
import { runCycles, cyclePower, FS } from '../../../test/support/load-cycles.ts';

const run = runCycles;
const power = cyclePower;

function crest(i: Float64Array): number {
  return i.reduce((m, x) => Math.max(m, Math.abs(x)), 0) / rmsOfSamples(i);
}

test('an SMPS draws peaky current: crest factor about 3 (2.7..3.5)', () => {
  const c = run(new SmpsLoad({ id: 'tv', kind: 'smps', watts: 60 }, { vrms: 240, hz: 50 }, FS), 50)[49];
  const cf = crest(c.i);
  assert.ok(cf > 2.7 && cf < 3.5, `crest factor ${cf}`);
});

test('an SMPS draws strong 3rd, 5th and 7th harmonics, falling with the order', () => {
  const c = run(new SmpsLoad({ id: 'tv', kind: 'smps', watts: 60 }, { vrms: 240, hz: 50 }, FS), 50)[49];
  const h = [1, 3, 5, 7].map((o) => toneAt(c.i, 50 * o, FS).rms);
  assert.ok(h[1] / h[0] > 0.5 && h[1] > h[2] && h[2] > h[3] && h[3] / h[0] > 0.2, h.map((x) => x / h[0]).join(', '));
});

test('an SMPS draws the real power asked for at its rated voltage, with a leading displacement', () => {
  const c = run(new SmpsLoad({ id: 'tv', kind: 'smps', watts: 60 }, { vrms: 240, hz: 50 }, FS), 50)[49];
  assert.ok(Math.abs(power(c) / 60 - 1) < 0.005, `${power(c)} W`);
  assert.ok(toneAt(c.i, 50, FS).phaseRad > 0); // current leads the voltage (phase 0)
});

test('an SMPS charges its empty bulk capacitor in an inrush at switch-on', () => {
  const cycles = run(new SmpsLoad({ id: 'tv', kind: 'smps', watts: 60 }, { vrms: 240, hz: 50 }, FS), 50);
  assert.ok(rmsOfSamples(cycles[0].i) > 3 * rmsOfSamples(cycles[49].i));
});

test('a half-wave rectified load has a DC component 0.9 times its fundamental and the asked power', () => {
  const c = run(new HalfWaveLoad({ id: 'hd', kind: 'rectifier', watts: 1000 }, { vrms: 240, hz: 50 }, FS), 3)[2];
  const i1 = toneAt(c.i, 50, FS).rms;
  assert.ok(Math.abs(meanOf(c.i) / i1 - (2 * Math.SQRT2) / Math.PI) < 1e-3);
  assert.ok(Math.abs(power(c) / 1000 - 1) < 1e-3);
  assert.ok(c.i.every((x) => x >= 0));
});

test('a capacitive load leads with PF 0.8 and draws its real power', () => {
  const c = run(new LinearLoad({ id: 'pfc', kind: 'capacitive', watts: 500, pf: 0.8 }, { vrms: 240, hz: 50 }, FS), 7)[6]; // the switch-on transient (RC = 4 ms) has died away
  const lead = toneAt(c.i, 50, FS).phaseRad - toneAt(c.v, 50, FS).phaseRad;
  assert.ok(Math.abs(Math.cos(lead) - 0.8) < 1e-6 && lead > 0);
  assert.ok(Math.abs(power(c) / 500 - 1) < 1e-6);
});

test('an inductive load lags with its PF exactly at the grid frequency (prewarped)', () => {
  const c = run(new LinearLoad({ id: 'l', kind: 'inductive', watts: 500, pf: 0.5 }, { vrms: 240, hz: 50 }, FS), 5)[4];
  const lag = toneAt(c.v, 50, FS).phaseRad - toneAt(c.i, 50, FS).phaseRad;
  assert.ok(Math.abs(Math.cos(lag) - 0.5) < 1e-6 && lag > 0);
});
test.run();
