import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseValue, formatValue } from './values.ts';

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * Math.abs(b);

test('reads resistor values as engineers write them', () => {
  const cases: [string, number][] = [['620k', 620e3], ['4R7', 4.7], ['2.4R', 2.4], [' 2.4R', 2.4], ['1k', 1e3], ['4k7', 4.7e3], ['0R', 0], ['100', 100], ['1M', 1e6], ['10 ohm', 10], ['47Ω', 47]];
  for (const [t, v] of cases) assert.ok(close(parseValue(t, 'R', 'Rx').value, v), `${t}`);
});

test('reads capacitor values including lower-case units and the three-digit code', () => {
  const cases: [string, number][] = [['33n', 33e-9], ['33nf', 33e-9], ['100nF 50V', 100e-9], ['104', 100e-9], ['12pF', 12e-12], ['1u', 1e-6], ['10uF 16V X7R', 10e-6]];
  for (const [t, v] of cases) assert.ok(close(parseValue(t, 'C', 'Cx').value, v), `${t}`);
});

test('takes a tolerance written after the value', () => {
  assert.equal(parseValue('1k 1%', 'R', 'R1'), { value: 1000, tolerance: 0.01 });
});

test('refuses an unreadable value naming the reference', () => {
  assert.throws(() => parseValue('abc', 'R', 'R12 on sheet /'), /^R12 on sheet \/: cannot read the resistance 'abc'/);
  assert.throws(() => parseValue('33', 'C', 'C38'), /C38: cannot read the capacitance '33'/);
  assert.throws(() => parseValue('4k7F', 'R', 'R1'), /R1: cannot read/);
});

test('formats values in engineering notation', () => {
  assert.is(formatValue(620e3), '620k');
  assert.is(formatValue(33e-9), '33n');
  assert.is(formatValue(2.4), '2.4');
  assert.is(formatValue(1e6), '1Meg');
});

test('a value with a prefix is the double nearest the decimal written (47n is 4.7e-8, not 47 x 1e-9)', () => {
  assert.is(String(parseValue('47n', 'C', 'C38').value), '4.7e-8');
  assert.is(String(parseValue('4n7', 'C', 'C38').value), '4.7e-9');
  assert.is(String(parseValue('473', 'C', 'C38').value), '4.7e-8');
  assert.is(String(parseValue('0.33u', 'C', 'C1').value), '3.3e-7');
  assert.is(String(parseValue('1.2k', 'R', 'R1').value), '1200');
});

test.run();
