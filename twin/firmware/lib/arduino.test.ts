import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { atol, f32, strtod, toFloat, toInt32, toUint16, toUint32, toUint8 } from './arduino.ts';

test('atol clamps 4294967295 to LONG_MAX 2147483647 as newlib strtol does', () => {
  assert.is(atol('4294967295'), 2147483647);
});

test('atol clamps a negative overflow to LONG_MIN and keeps -2147483648 exact', () => {
  assert.is(atol('-99999999999'), -2147483648);
  assert.is(atol('-2147483648'), -2147483648);
  assert.is(atol('2147483648'), 2147483647);
});

test('atol stops at the first non-digit (a 20-character token with its A/B/C letter)', () => {
  assert.is(atol('10913015110000A10001'), 2147483647);
  assert.is(atol('12a34'), 12);
  assert.is(atol('99 1'), 99);
});

test('atol skips leading white space, takes one sign and gives 0 when no digit follows', () => {
  assert.is(atol(' \t\n-42'), -42);
  assert.is(atol('+7'), 7);
  assert.is(atol('--7'), 0);
  assert.is(atol('A1000'), 0);
  assert.is(atol(''), 0);
  assert.ok(Object.is(atol('-0'), 0));
});

test('toFloat is atof rounded to float32', () => {
  assert.is(toFloat('125.5'), 125.5);
  assert.is(toFloat('0.1'), f32(0.1));
  assert.is.not(toFloat('0.1'), 0.1);
  assert.is(toFloat('  -3.5e2xyz'), -350);
  assert.is(toFloat('abc'), 0);
  assert.is(toFloat('16777217'), 16777216);
});

test('strtod reads the longest valid prefix: a bare exponent letter is not consumed', () => {
  assert.is(strtod('12e'), 12);
  assert.is(strtod('1.5e+3ms'), 1500);
  assert.is(strtod('.5'), 0.5);
  assert.is(strtod('0x1.8p1'), 3);
  assert.is(strtod('-inf'), -Infinity);
  assert.ok(Number.isNaN(strtod('nan')));
});

test('float to uint32 saturates like soft-float __aeabi_f2uiz', () => {
  assert.is(toUint32(Number.NaN), 0);
  assert.is(toUint32(-5.5), 0);
  assert.is(toUint32(f32(4294967296)), 0xffffffff);
  assert.is(toUint32(125.99), 125);
  assert.is(toUint32(f32(16777217)), 16777216);
});

test('float to int32 truncates toward zero and saturates both ways', () => {
  assert.is(toInt32(-1.9), -1);
  assert.is(toInt32(3e9), 2147483647);
  assert.is(toInt32(-3e9), -2147483648);
  assert.is(toInt32(Number.NaN), 0);
});

test('float to uint16 and uint8 go through int and keep the low bits', () => {
  assert.is(toUint16(65537.7), 1);
  assert.is(toUint16(-1), 0xffff);
  assert.is(toUint8(256), 0);
  assert.is(toUint8(255.9), 255);
});

test('atol refuses a non-string with a clear message', () => {
  assert.throws(() => atol(42 as unknown as string), /atol expects a string/);
});

test.run();
