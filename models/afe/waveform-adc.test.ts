import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../twin/kernel/rng.ts';
import { AdcChannel, DEFAULT_ADC_CHANNEL } from './waveform-adc.ts';

const FS = 8000;

function sine(vrms: number, n = 8000, dc = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => dc + Math.SQRT2 * vrms * Math.sin((2 * Math.PI * 50 * k) / FS));
}

function convert(adc: AdcChannel, x: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  adc.convert(x, x.length, y, 0);
  return y;
}

const rms = (x: Float64Array, from = 0): number => Math.sqrt(x.subarray(from).reduce((s, v) => s + v * v, 0) / (x.length - from));

test('passes 590 mV rms at gain 1 without clipping and clips 610 mV rms at +-849 mV (600 mV rms range)', () => {
  const a = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, 0);
  a.setDisHpf(3);
  convert(a, sine(0.59));
  assert.is(a.clippedSamples, 0);
  const y = convert(a, sine(0.61));
  assert.ok(a.clippedSamples > 0);
  assert.ok(Math.abs(Math.max(...y) - 0.6 * Math.SQRT2) < 1e-4, `${Math.max(...y)}`);
});

test('shrinks the input range to 150 mV rms at gain 4', () => {
  const a = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, 0);
  a.setGain(4);
  assert.ok(Math.abs(a.clipVolts - 0.15 * Math.SQRT2) < 1e-12);
  convert(a, sine(0.16));
  assert.ok(a.clippedSamples > 0);
});

test('quantises to 24-bit steps over +-849 mV by default (0.1 uV), and to the bits asked for', () => {
  for (const bits of [24, 16]) {
    const a = new AdcChannel(FS, { ...DEFAULT_ADC_CHANNEL, bits }, 0);
    a.setDisHpf(3);
    const lsb = (2 * 0.6 * Math.SQRT2) / 2 ** bits;
    const y = convert(a, sine(0.1, 400));
    for (const v of y) assert.ok(Math.abs(v / lsb - Math.round(v / lsb)) < 1e-6, `${bits} bits: ${v / lsb}`);
  }
  assert.is(DEFAULT_ADC_CHANNEL.bits, 24);
});

test('adds a 120 uV rms noise floor from the seeded source, and none without one', () => {
  const r = new Rng(3);
  const a = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, (Math.floor(r.next() * 2 ** 32) | 1) >>> 0);
  a.setDisHpf(3);
  const noisy = convert(a, new Float64Array(80000));
  assert.ok(Math.abs(rms(noisy) / 120e-6 - 1) < 0.02, `${rms(noisy)}`);
  const quiet = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, 0);
  assert.is(rms(convert(quiet, new Float64Array(8000))), 0);
});

test('takes out a DC offset with both high-pass filters on (DisHPF 00), and passes it with both off (11)', () => {
  const on = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, 0);
  const yOn = convert(on, sine(0.1, 48000, 0.05));
  const meanOn = yOn.subarray(40000).reduce((s, v) => s + v, 0) / 8000;
  assert.ok(Math.abs(meanOn) < 5e-4, `${meanOn}`);
  const off = new AdcChannel(FS, DEFAULT_ADC_CHANNEL, 0);
  off.setDisHpf(3);
  const yOff = convert(off, sine(0.1, 8000, 0.05));
  assert.ok(Math.abs(yOff.reduce((s, v) => s + v, 0) / 8000 - 0.05) < 1e-4);
});

test('costs a 50 Hz tone only (fc/f)^2 = 3.6e-5 of its rms through both high-pass filters', () => {
  const a = new AdcChannel(FS, { ...DEFAULT_ADC_CHANNEL, bits: 32 }, 0);
  const y = convert(a, sine(0.3, 80000));
  assert.ok(Math.abs(rms(y, 72000) / 0.3 - 1 + 3.6e-5) < 1e-5, `${rms(y, 72000) / 0.3 - 1}`);
});

test('rejects 2 bits of resolution with a message naming it', () => {
  assert.throws(() => new AdcChannel(FS, { ...DEFAULT_ADC_CHANNEL, bits: 2 }, 0), /bits must be an integer from 4 to 32/);
});
test.run();
