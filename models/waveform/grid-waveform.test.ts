import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../twin/kernel/rng.ts';
import { GridWaveform } from './grid-waveform.ts';
import { meanOf, rmsOfSamples, toneAt } from './tone-analysis.ts';

const FS = 8000;

function render(g: GridWaveform, n: number): Float64Array {
  const out = new Float64Array(n);
  g.render(out, n);
  return out;
}

test('renders 240 V rms at 50 Hz with the phasor convention v = sqrt 2 V cos(w t + phase)', () => {
  const v = render(new GridWaveform({ vrms: 240, hz: 50, phaseDeg: 30 }, FS), 1600);
  const t = toneAt(v, 50, FS);
  assert.ok(Math.abs(t.rms - 240) < 1e-9 && Math.abs((t.phaseRad * 180) / Math.PI - 30) < 1e-9);
  assert.ok(Math.abs(v[0] - Math.SQRT2 * 240 * Math.cos(Math.PI / 6)) < 1e-9);
});

test('puts each harmonic at its percent and phase (relative to the fundamental, in its own degrees)', () => {
  const g = new GridWaveform({ vrms: 230, hz: 50, phaseDeg: 10, harmonics: [{ order: 3, percent: 5, phaseDeg: 20 }, { order: 5, percent: 2 }] }, FS);
  const v = render(g, 8000);
  const h3 = toneAt(v, 150, FS);
  const h5 = toneAt(v, 250, FS);
  assert.ok(Math.abs(h3.rms - 11.5) < 1e-9 && Math.abs(h5.rms - 4.6) < 1e-9);
  assert.ok(Math.abs((h3.phaseRad * 180) / Math.PI - (3 * 10 + 20)) < 1e-7);
  assert.ok(Math.abs((h5.phaseRad * 180) / Math.PI - 50) < 1e-7);
});

test('keeps its phase exact over a long run (the recurrence restarts from the accumulator each block)', () => {
  const g = new GridWaveform({ vrms: 240, hz: 50 }, FS);
  const out = new Float64Array(8000);
  for (let s = 0; s < 600; s++) g.render(out, 8000); // ten minutes
  assert.ok(Math.abs(out[0] - Math.SQRT2 * 240) < 1e-6, `${out[0]}`);
});

test('steps the frequency with a continuous phase', () => {
  const g = new GridWaveform({ vrms: 240, hz: 50 }, FS);
  const a = render(g, 100);
  g.apply({ hz: 51 });
  const b = render(g, 100);
  const expected = Math.SQRT2 * 240 * Math.cos(2 * Math.PI * 50 * (100 / FS));
  assert.ok(Math.abs(b[0] - expected) < 1e-9, `${b[0]} vs ${expected}`);
  assert.ok(Math.abs(b[1] - Math.SQRT2 * 240 * Math.cos(2 * Math.PI * (50 * 100 + 51) / FS)) < 1e-9);
  assert.ok(a.length === 100);
});

test('jumps the phase by the change of phaseDeg, and moves a harmonic by its order times it', () => {
  const g = new GridWaveform({ vrms: 240, hz: 50, harmonics: [{ order: 3, percent: 10 }] }, FS);
  render(g, 160);
  g.apply({ phaseDeg: 90 });
  const v = render(g, 160);
  assert.ok(Math.abs((toneAt(v, 50, FS, 160).phaseRad * 180) / Math.PI - 90) < 1e-7);
  assert.ok(Math.abs(Math.abs((toneAt(v, 150, FS, 160).phaseRad * 180) / Math.PI) - 90) < 1e-7); // 270 = -90
});

test('sags to the new Vrms from the next sample and gives 0 V during an outage', () => {
  const g = new GridWaveform({ vrms: 240, hz: 50 }, FS);
  render(g, 80);
  g.apply({ vrms: 120 });
  assert.ok(Math.abs(rmsOfSamples(render(g, 160)) - 120) < 1e-9);
  g.apply({ outage: true });
  assert.is(rmsOfSamples(render(g, 160)), 0);
  g.apply({ outage: false });
  assert.ok(Math.abs(rmsOfSamples(render(g, 160)) - 120) < 1e-9);
});

test('adds seeded noise of the rms asked for, the same for the same seed', () => {
  const mk = () => { const r = new Rng(7); return new GridWaveform({ vrms: 0, hz: 50 }, FS, { noiseVrms: 2, random: () => r.next() }); };
  const a = render(mk(), 8000);
  const b = render(mk(), 8000);
  assert.ok(Math.abs(rmsOfSamples(a) - 2) < 0.05, `${rmsOfSamples(a)}`);
  assert.ok(Math.abs(meanOf(a)) < 0.05);
  assert.equal(Array.from(a.subarray(0, 10)), Array.from(b.subarray(0, 10)));
});

test('asks for a random source when noise is requested without one', () => {
  assert.throws(() => new GridWaveform({}, FS, { noiseVrms: 1 }), /seeded random source/);
});

test('refuses a block longer than its buffers with a clear message', () => {
  assert.throws(() => new GridWaveform({}, FS, {}, 100).render(new Float64Array(200), 200), /does not fit/);
});
test.run();
