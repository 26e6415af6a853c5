import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WaveformDsp, type DspSettings, type WaveformCycle, type WaveformWindow } from './waveform-dsp.ts';

const FS = 8000;
const SETTINGS: DspSettings = { lGain: 1, nGain: 1, disHpf: 0, sagThresholdV: 0, lDelaySamples: 0, nDelaySamples: 0 };

interface Signal { vrms: number; irms: number; lagDeg: number; hz: number; v5?: number; i5?: number }

/** Feeds `seconds` of V and IN sines (no IL) into `dsp`; returns every window and cycle it reported. */
function feed(dsp: WaveformDsp, s: Signal, seconds: number, from = 0): { windows: WaveformWindow[]; cycles: WaveformCycle[]; sag: Array<[boolean, number]> } {
  const windows: WaveformWindow[] = [];
  const cycles: WaveformCycle[] = [];
  const sag: Array<[boolean, number]> = [];
  dsp.onWindow = (w) => windows.push(w);
  dsp.onCycle = (c) => cycles.push(c);
  dsp.onSag = (x, sample) => sag.push([x, sample]);
  const n = 800;
  const V = new Float64Array(n);
  const IN = new Float64Array(n);
  const phi = (s.lagDeg * Math.PI) / 180;
  for (let b = 0; b < (seconds * FS) / n; b++) {
    for (let k = 0; k < n; k++) {
      const th = (2 * Math.PI * s.hz * (from + b * n + k)) / FS;
      V[k] = Math.SQRT2 * s.vrms * (Math.cos(th) + (s.v5 ?? 0) * Math.cos(5 * th));
      IN[k] = Math.SQRT2 * s.irms * (Math.cos(th - phi) + (s.i5 ?? 0) * Math.cos(5 * (th - phi)));
    }
    dsp.process({ sampleRateHz: FS, V, IN, IL: new Float64Array(0) });
  }
  return { windows, cycles, sag };
}

const near = (a: number, b: number, rel: number, what: string): void => assert.ok(Math.abs(a / b - 1) <= rel, `${what}: ${a} vs ${b}`);

test('measures RMS and mean powers within 1e-4 over whole cycles, the current lagging 60 deg', () => {
  const { windows } = feed(new WaveformDsp(), { vrms: 0.29, irms: 0.024, lagDeg: 60, hz: 50 }, 3);
  const w = windows[windows.length - 1];
  near(w.vRms, 0.29, 1e-4, 'V');
  near(w.inRms, 0.024, 1e-4, 'I');
  near(w.N.p, 0.29 * 0.024 * 0.5, 1e-4, 'P');
  near(w.N.q, 0.29 * 0.024 * Math.sin(Math.PI / 3), 1e-4, 'Q (positive: lagging)');
  assert.is(w.ilRms, 0);
});

test('reports a window every 16 line cycles and each cycle\'s mean power for the energy path', () => {
  const { windows, cycles } = feed(new WaveformDsp(), { vrms: 0.29, irms: 0.024, lagDeg: 0, hz: 50 }, 2);
  assert.is(windows.length, Math.floor(cycles.length / 16));
  assert.ok(cycles.length >= 99 && cycles.length <= 100);
  near(cycles[cycles.length - 1].N.p, 0.29 * 0.024, 1e-4, 'cycle P');
  near(windows[windows.length - 1].seconds, 0.32, 1e-6, 'window length');
});

test('measures the line frequency from the voltage zero crossings (49.5 Hz within 0.001 Hz)', () => {
  const { windows } = feed(new WaveformDsp(), { vrms: 0.29, irms: 0, lagDeg: 0, hz: 49.5 }, 2);
  assert.ok(Math.abs(windows[windows.length - 1].freqHz! - 49.5) < 1e-3);
});

test('reports the fundamental angle with harmonics present (5th in V and I)', () => {
  const { windows } = feed(new WaveformDsp(), { vrms: 0.29, irms: 0.1, lagDeg: 30, hz: 50, v5: 0.1, i5: 0.4 }, 3);
  const w = windows[windows.length - 1];
  const deg = (Math.atan2(w.N.q1, w.N.p1) * 180) / Math.PI;
  assert.ok(Math.abs(deg - 30) < 0.01, `${deg}`);
  near(Math.hypot(w.N.p1, w.N.q1), 0.29 * 0.1, 1e-4, 'fundamental S');
  near(w.N.p, 0.29 * 0.1 * (Math.cos(Math.PI / 6) + 0.1 * 0.4 * Math.cos((5 * Math.PI) / 6)), 1e-4, 'P with the 5th');
});

test('delays the current by Nphi: one sample (0.125 ms) adds 2.25 deg of lag at 50 Hz', () => {
  const dsp = new WaveformDsp();
  dsp.apply({ ...SETTINGS, nDelaySamples: 1 });
  const w = feed(dsp, { vrms: 0.29, irms: 0.024, lagDeg: 10, hz: 50 }, 3).windows.pop()!;
  assert.ok(Math.abs((Math.atan2(w.N.q1, w.N.p1) * 180) / Math.PI - 12.25) < 0.01);
});

test('flags a sag when no 3 samples of a cycle are above the threshold, and not when 3 or more are', () => {
  // HPFs off so the samples are exactly the sine; its peaks fall on samples 0 and 80 of each 160-sample cycle.
  const peak = Math.SQRT2 * 0.29;
  const twoAbove = new WaveformDsp();
  twoAbove.apply({ ...SETTINGS, disHpf: 3, sagThresholdV: peak * 0.9999 }); // only the two peak samples are above
  assert.ok(feed(twoAbove, { vrms: 0.29, irms: 0, lagDeg: 0, hz: 50 }, 1).sag.some(([s]) => s));
  const sixAbove = new WaveformDsp();
  sixAbove.apply({ ...SETTINGS, disHpf: 3, sagThresholdV: peak * 0.999 }); // the peaks and their neighbours
  assert.equal(feed(sixAbove, { vrms: 0.29, irms: 0, lagDeg: 0, hz: 50 }, 1).sag, []);
});

test('detects a sag to 70 % within about a cycle and clears it when the voltage comes back', () => {
  const dsp = new WaveformDsp();
  dsp.apply({ ...SETTINGS, sagThresholdV: 0.8 * Math.SQRT2 * 0.29 });
  feed(dsp, { vrms: 0.29, irms: 0, lagDeg: 0, hz: 50 }, 1);
  const down = feed(dsp, { vrms: 0.7 * 0.29, irms: 0, lagDeg: 0, hz: 50 }, 1, FS);
  assert.is(down.sag.length, 1);
  assert.ok(down.sag[0][0] && down.sag[0][1] - FS < 2 * 160, `sag at sample ${down.sag[0][1]}`);
  const up = feed(dsp, { vrms: 0.29, irms: 0, lagDeg: 0, hz: 50 }, 1, 2 * FS);
  assert.equal(up.sag.map(([s]) => s), [false]);
});

test('keeps measuring the current through an outage (cycles close without voltage crossings)', () => {
  const dsp = new WaveformDsp();
  const out = feed(dsp, { vrms: 0, irms: 0.024, lagDeg: 0, hz: 50 }, 2);
  const w = out.windows[out.windows.length - 1];
  assert.is(w.freqHz, null);
  near(w.inRms, 0.024, 2e-3, 'I without voltage');
});

test('rejects a block whose channels differ in length', () => {
  assert.throws(() => new WaveformDsp().process({ sampleRateHz: FS, V: new Float64Array(10), IN: new Float64Array(9), IL: new Float64Array(0) }), /same length/);
});

test('rejects samples taken at another rate than the chip\'s 8 kHz', () => {
  assert.throws(() => new WaveformDsp().process({ sampleRateHz: 4000, V: new Float64Array(1), IN: new Float64Array(1), IL: new Float64Array(0) }), /samples at 4000 Hz/);
});
test.run();
