import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SpiceOutputError, compareChannel, parseSpiceTables } from './spice-compare.ts';
import { cx } from '../impedance.ts';

const header = 'Index   frequency       real(vpin)      imag(vpin)      \n--------------------------------------\n';
const rows = (from: number, hz: number[], f: (hz: number) => [number, number]): string =>
  hz.map((h, k) => `${from + k}\t${h.toExponential(12)}\t${f(h)[0].toExponential(12)}\t${f(h)[1].toExponential(12)}\t`).join('\n');

test('reads the voltage and the current table of an ngspice run, a table split over two pages joined', () => {
  const out = [
    'Circuit: * board', 'voltage channel: VP-VN per line volt', header,
    rows(0, [50, 100], () => [1e-3, -1e-5]), '\f', header, rows(2, [150], () => [1e-3, -2e-5]),
    'current channel: I2P-I2N per line amp', header.replace(/vpin/g, 'ipin'), rows(0, [50, 100, 150], () => [4.8e-3, -4e-5]), '',
  ].join('\n');
  const t = parseSpiceTables(out);
  assert.equal(t.v.map((r) => r.hz), [50, 100, 150]);
  assert.equal(t.i.map((r) => r.hz), [50, 100, 150]);
  assert.equal(t.v[2], { hz: 150, re: 1e-3, im: -2e-5 });
});

test('an output without a table is an error that says so', () => {
  assert.throws(() => parseSpiceTables('Error: no such file\n'), (e: unknown) => e instanceof SpiceOutputError && /printed no table/.test((e as Error).message));
});

test('the comparison gives the largest gain and phase differences and where they are', () => {
  const spice = [{ hz: 50, re: 1, im: 0 }, { hz: 100, re: 1.002, im: 0 }, { hz: 150, re: Math.cos(0.001), im: Math.sin(0.001) }];
  const c = compareChannel(spice, () => cx(1, 0));
  assert.ok(Math.abs(c.gain - 0.002) < 1e-12 && c.gainHz === 100, JSON.stringify(c));
  assert.ok(Math.abs(c.phaseDeg - (0.001 * 180) / Math.PI) < 1e-12 && c.phaseHz === 150, JSON.stringify(c));
  assert.equal(c.first.spice, { abs: 1, deg: 0 });
});

test('phases either side of 180 degrees differ by their small angle, not by 360', () => {
  const a = (179.999 * Math.PI) / 180, b = (-179.999 * Math.PI) / 180;
  const c = compareChannel([{ hz: 50, re: Math.cos(a), im: Math.sin(a) }], () => cx(Math.cos(b), Math.sin(b)));
  assert.ok(Math.abs(c.phaseDeg - 0.002) < 1e-9, `${c.phaseDeg}`);
});

test.run();
