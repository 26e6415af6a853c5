import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertUartByte, byteTimeUs } from './uart.ts';

test('one 8N1 byte takes 10 bit times: 1041.67 us at 9600 baud', () => {
  assert.ok(Math.abs(byteTimeUs(9600) - 1041.6667) < 1e-3);
});

test('one 8N1 byte takes 4166.67 us at 2400 baud', () => {
  assert.ok(Math.abs(byteTimeUs(2400) - 4166.6667) < 1e-3);
});

test('a zero, negative or non-numeric baud rate is refused with a clear message', () => {
  assert.throws(() => byteTimeUs(0), /positive number of bit\/s/);
  assert.throws(() => byteTimeUs(-9600), /positive number of bit\/s/);
  assert.throws(() => byteTimeUs(Number.NaN), /positive number of bit\/s/);
});

test('a UART carries only integers 0..255', () => {
  assertUartByte(0);
  assertUartByte(255);
  assert.throws(() => assertUartByte(256), /integer 0\.\.255/);
  assert.throws(() => assertUartByte(1.5), /integer 0\.\.255/);
});

test.run();
