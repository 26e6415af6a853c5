import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VoltageDivider } from '../frontend/voltage-divider.ts';
import { cabs, carg } from '../frontend/impedance.ts';
import { DividerWaveform } from './divider-waveform.ts';
import { toneAt } from './tone-analysis.ts';

const FS = 8000;

/** Drives `filter` with a sine of `volts` rms at `hz` for `cycles` cycles; returns the last second's tone of the output. */
function sampled(d: DividerWaveform, volts: number, hz: number): { ratio: number; lagDeg: number } {
  const n = FS; // 1 s: whole cycles for any integer frequency
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let rep = 0; rep < 2; rep++) {
    for (let k = 0; k < n; k++) x[k] = Math.SQRT2 * volts * Math.cos((2 * Math.PI * hz * (k + rep * n)) / FS);
    d.process(x, y, n);
  }
  const t = toneAt(y, hz, FS, n);
  return { ratio: volts / t.rms, lagDeg: (-t.phaseRad * 180) / Math.PI };
}

test('divides 240 V by 823 (+-0.2 %) on the sampled path, as the schematic gives', () => {
  const { ratio } = sampled(new DividerWaveform(new VoltageDivider(), FS), 240, 50);
  assert.ok(Math.abs(ratio / 823 - 1) < 0.002, `ratio ${ratio}`);
});

test('lags the line voltage by the VP filter, 0.594 deg (+-0.01) at 50 Hz, measured on samples', () => {
  const { lagDeg } = sampled(new DividerWaveform(new VoltageDivider(), FS), 240, 50);
  assert.ok(Math.abs(lagDeg - 0.594) < 0.01, `lag ${lagDeg} deg`);
});

test('matches the phasor transfer of the same parts within 1e-5 in gain and 0.001 deg at 50 Hz', () => {
  const parts = new VoltageDivider({ rTopOhms: 700e3, cFilterFarads: 47e-9 });
  const { ratio, lagDeg } = sampled(new DividerWaveform(parts, FS), 240, 50);
  const t = parts.transfer(50);
  assert.ok(Math.abs(1 / ratio / cabs(t) - 1) < 1e-5, `gain ${1 / ratio} vs ${cabs(t)}`);
  assert.ok(Math.abs(-lagDeg - (carg(t) * 180) / Math.PI) < 1e-3, `phase ${-lagDeg}`);
});

test('keeps its 5th-harmonic response within 1e-4 of the phasor level (Tustin warping at 250 Hz)', () => {
  const parts = new VoltageDivider();
  const r = new DividerWaveform(parts, FS).response(250);
  const t = parts.transfer(250);
  assert.ok(Math.abs(Math.hypot(r[0], r[1]) / cabs(t) - 1) < 1e-4);
});
test.run();
