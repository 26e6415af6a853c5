import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Circuit, CircuitError, type Element } from './circuit.ts';
import { abs, argDeg, sub } from './complex.ts';
import { CurrentTransformer, DEFAULT_CURRENT_TRANSFORMER } from '../current-transformer.ts';

const near = (a: number, b: number, rel: number, what = ''): void => {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what} ${a} vs ${b}`);
};

test('a 3k/1k divider puts a quarter of the source on its tap', () => {
  const ckt = new Circuit([
    { kind: 'V', ref: 'V1', a: 'in', b: '0', drive: 'src' },
    { kind: 'R', ref: 'R1', a: 'in', b: 'tap', ohms: 3000 },
    { kind: 'R', ref: 'R2', a: 'tap', b: '0', ohms: 1000 },
  ]);
  const s = ckt.solve(50, { src: 2 });
  near(s.v('tap').re, 0.5, 1e-15);
  assert.is(s.v('tap').im, 0);
  near(s.i('V1').re, -0.5e-3, 1e-12, 'source current (SPICE sign: into the + terminal)');
});

test('an RC low-pass is 3 dB down and lags 45 degrees at its corner 1/(2 pi R C)', () => {
  const R = 1000, Cf = 33e-9, fc = 1 / (2 * Math.PI * R * Cf);
  const ckt = new Circuit([
    { kind: 'V', ref: 'V1', a: 'in', b: '0', drive: 'src' },
    { kind: 'R', ref: 'R1', a: 'in', b: 'out', ohms: R },
    { kind: 'C', ref: 'C1', a: 'out', b: '0', farads: Cf },
  ]);
  const v = ckt.solve(fc, { src: 1 }).v('out');
  near(abs(v), Math.SQRT1_2, 1e-12);
  near(argDeg(v), -45, 1e-12);
});

test('an LC series circuit at resonance leaves only its resistance', () => {
  const L = 10e-3, Cf = 1e-6, f0 = 1 / (2 * Math.PI * Math.sqrt(L * Cf));
  const ckt = new Circuit([
    { kind: 'I', ref: 'I1', a: '0', b: 'a', drive: 'i' },
    { kind: 'L', ref: 'L1', a: 'a', b: 'b', henries: L },
    { kind: 'C', ref: 'C1', a: 'b', b: 'c', farads: Cf },
    { kind: 'R', ref: 'R1', a: 'c', b: '0', ohms: 5 },
  ]);
  const v = ckt.solve(f0, { i: 1 }).v('a');
  near(v.re, 5, 1e-9);
  assert.ok(Math.abs(v.im) < 1e-8, `${v.im}`);
});

test('the CT into R7+R8 and C42 gives current-transformer.ts burden voltage to 1e-12 at 50 Hz to 2.5 kHz', () => {
  const cfg = DEFAULT_CURRENT_TRANSFORMER;
  const els: Element[] = [
    { kind: 'CT', ref: 'CT1', plus: 'J10_2', minus: 'J10_1', drive: 'iline', ratio: cfg.ratio, windingOhms: cfg.windingOhms,
      leakageHenries: 1e-3, magnetisingHenries: cfg.magnetisingHenries, coreLossOhms: cfg.coreLossOhms },
    { kind: 'R', ref: 'R7', a: 'J10_2', b: 'mid', ohms: 2.4 },
    { kind: 'R', ref: 'R8', a: 'mid', b: 'J10_1', ohms: 2.4 },
    { kind: 'C', ref: 'C42', a: 'J10_2', b: 'J10_1', farads: 100e-9 },
  ];
  const ckt = new Circuit(els, 'J10_1');
  const ct = new CurrentTransformer({ leakageHenries: 1e-3 });
  for (let h = 1; h <= 50; h++) {
    const s = ckt.solve(50 * h, { iline: 1 });
    const want = ct.transfer(50 * h);
    const got = s.v('J10_2');
    assert.ok(abs(sub(got, { re: want.re, im: want.im })) <= 1e-12 * abs(got), `harmonic ${h}`);
  }
});

test('a CT passes no DC: its magnetising branch shorts the source at 0 Hz', () => {
  const ckt = new Circuit([
    { kind: 'CT', ref: 'CT1', plus: 'a', minus: '0', drive: 'i', ratio: 1000, windingOhms: 8, leakageHenries: 0, magnetisingHenries: 30, coreLossOhms: 25e3 },
    { kind: 'R', ref: 'R1', a: 'a', b: '0', ohms: 4.8 },
  ]);
  assert.is(abs(ckt.solve(0, { i: 1 }).v('a')), 0);
});

test('a node with no path to ground is reported by name', () => {
  const ckt = new Circuit([
    { kind: 'V', ref: 'V1', a: 'in', b: '0', drive: 'src' },
    { kind: 'R', ref: 'R1', a: 'in', b: '0', ohms: 1 },
    { kind: 'C', ref: 'C1', a: 'x', b: 'y', farads: 1e-9 },
    { kind: 'R', ref: 'R2', a: 'y', b: 'x', ohms: 1 },
  ]);
  assert.throws(() => ckt.solve(50, { src: 1 }), (e: Error) => e instanceof CircuitError && /net (x|y) is floating/.test(e.message));
});

test('a zero resistance is refused naming the reference', () => {
  assert.throws(() => new Circuit([{ kind: 'R', ref: 'R9', a: 'a', b: '0', ohms: 0 }]), /R9: resistance must be/);
});

test.run();
