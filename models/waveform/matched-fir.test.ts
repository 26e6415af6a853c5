import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Complex } from 'complex.js';
import { FirFilter, designMatchedFir, filterResponse } from './matched-fir.ts';

test('a FIR filter convolves its input with its taps, across blocks and in place', () => {
  const taps = Float64Array.from([0.5, -0.25, 2]);
  const x = Float64Array.from([0, 1, 0, 0, 3, -1, 2]);
  const want = x.map((_, n) => taps.reduce((s, b, k) => s + (n - k >= 0 ? b * x[n - k] : 0), 0));
  const f = new FirFilter(taps);
  const y = Float64Array.from(x);
  f.process(y.subarray(0, 3), y.subarray(0, 3), 3);
  f.process(y.subarray(3), y.subarray(3), 4);
  for (let n = 0; n < x.length; n++) assert.ok(Math.abs(y[n] - want[n]) < 1e-15, `sample ${n}: ${y[n]} vs ${want[n]}`);
});

test('before its first sample a FIR filter takes the input to have held that sample', () => {
  const f = new FirFilter(Float64Array.from([0.25, 0.25, 0.5]));
  const y = new Float64Array(1);
  f.process(Float64Array.from([4]), y, 1);
  assert.is(y[0], 4);
});

test('a flat response is matched by a pure delay of the latency', () => {
  const d = designMatchedFir(() => new Complex(1, 0), { sampleRateHz: 8000, latencySamples: 3 });
  assert.is(d.taps.length, 7);
  d.taps.forEach((b, k) => assert.ok(Math.abs(b - (k === 3 ? 1 : 0)) < 1e-9, `tap ${k} = ${b}`));
  assert.ok(d.gainError < 1e-9 && d.phaseErrorDeg < 1e-7);
});

test('an RC low-pass with its pole at 4.8 kHz is carried within 2e-4 and 0.02 deg to 2.5 kHz at 6 samples latency', () => {
  const fp = 4823;
  const h = (hz: number): Complex => new Complex(1, 0).div(new Complex(1, hz / fp));
  const d = designMatchedFir(h, { sampleRateHz: 8000, latencySamples: 6 });
  assert.ok(d.gainError < 2e-4 && d.phaseErrorDeg < 0.02, JSON.stringify({ g: d.gainError, p: d.phaseErrorDeg }));
  // The figures it reports are the filter's own: check one frequency by hand.
  const [re, im] = filterResponse(d.taps, d.pole, 2500, 8000, 6);
  const got = new Complex(re, im).div(h(2500));
  assert.ok(Math.abs(got.abs() - 1) <= d.gainError + 1e-12);
});

test('a pole low in the band is carried with a pole of the filter\'s own', () => {
  const h = (hz: number): Complex => new Complex(1, 0).div(new Complex(1, hz / 150));
  const d = designMatchedFir(h, { sampleRateHz: 8000 });
  assert.ok(d.pole > 0.8, `pole ${d.pole}`);
  assert.ok(d.gainError < 1e-3 && d.phaseErrorDeg < 0.05, JSON.stringify({ n: d.taps.length, g: d.gainError, p: d.phaseErrorDeg }));
});

test('a filter with a pole runs the recursion y[n] = sum b_k x[n-k] + r y[n-1]', () => {
  const f = new FirFilter(Float64Array.from([1, 0.5]), 0.5);
  const x = Float64Array.from([0, 1, 0, 0]);
  const y = new Float64Array(4);
  f.process(x, y, 4);
  assert.equal(Array.from(y), [0, 1, 1, 0.5]);
});

test('a band at or above half the sample rate is refused', () => {
  assert.throws(() => designMatchedFir(() => new Complex(1, 0), { sampleRateHz: 8000, bandHz: 4000 }), /bandHz must be above 0 and below half the sample rate/);
});

test.run();
