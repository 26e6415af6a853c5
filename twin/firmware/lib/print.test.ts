import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { f32 } from './arduino.ts';
import { formatFloat, formatHex, formatInt } from './print.ts';

test('formatFloat prints 230.45 with two decimals', () => {
  assert.is(formatFloat(230.45), '230.45');
});

test('formatFloat prints ovf above 4294967040 (and for the virgin-EEPROM credit 4294967296)', () => {
  assert.is(formatFloat(1e10), 'ovf');
  assert.is(formatFloat(f32(4294967295)), 'ovf');
  assert.is(formatFloat(-1e10), 'ovf');
  assert.is(formatFloat(4294967040), '4294967040.00');
});

test('formatFloat prints nan and inf (without a sign)', () => {
  assert.is(formatFloat(Number.NaN), 'nan');
  assert.is(formatFloat(Infinity), 'inf');
  assert.is(formatFloat(-Infinity), 'inf');
});

test('formatFloat puts a leading minus on negatives: -0.98', () => {
  assert.is(formatFloat(-0.98), '-0.98');
  assert.is(formatFloat(f32(-0.98)), '-0.98');
});

test('formatFloat rounds by adding 0.005: double 0.005 gives 0.01 but float32 0.005 (0.00499999...) gives 0.00', () => {
  assert.is(formatFloat(0.005), '0.01');
  assert.is(formatFloat(f32(0.005)), '0.00');
  assert.is(formatFloat(1.999), '2.00');
});

test('formatFloat honours the digits argument, with no point for 0 digits', () => {
  assert.is(formatFloat(2.5, 0), '3');
  assert.is(formatFloat(3.14159, 4), '3.1416');
  assert.is(formatFloat(-0, 2), '0.00');
});

test('formatFloat refuses a digits count that is not a uint8', () => {
  assert.throws(() => formatFloat(1, -1), /digits/);
});

test('formatInt prints signed and unsigned 32-bit values in decimal', () => {
  assert.is(formatInt(0), '0');
  assert.is(formatInt(-125), '-125');
  assert.is(formatInt(4294967295), '4294967295');
  assert.is(formatInt(-2147483648), '-2147483648');
});

test('formatHex prints uppercase without leading zeros, negatives as two\'s complement', () => {
  assert.is(formatHex(0x327c), '327C');
  assert.is(formatHex(0xffff), 'FFFF');
  assert.is(formatHex(0), '0');
  assert.is(formatHex(-1), 'FFFFFFFF');
});

test('formatInt refuses a non-integer with a clear message', () => {
  assert.throws(() => formatInt(1.5), /formatInt expects an integer/);
});

test.run();
