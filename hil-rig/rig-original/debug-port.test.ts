import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DebugPortReader, type DebugReadings } from './debug-port.ts';

const BLOCK = 'POWER FACTOR : 0.98\r\nFREQUENCY : 50.00\r\nMAINS VOLTAGE : 231.40\r\nCURRENT  : 12.97\r\nACTIVE POWER : 2941.20\r\nENERGY : 1.27\r\nCREDIT : 3.42\r\n';
const bytes = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

test('splits lines at LF whatever the chunks, dropping the CR', () => {
  const r = new DebugPortReader();
  const lines: [string, number][] = [];
  r.onLine = (l, t) => lines.push([l, t]);
  const all = bytes('Device Powered! \r\nSetting up LCD... \r\n');
  r.push(all.slice(0, 5), 100);
  r.push(all.slice(5, 20), 200);
  r.push(all.slice(20), 300);
  assert.equal(lines, [['Device Powered! ', 200], ['Setting up LCD... ', 300]]);
  assert.is(r.text, 'Device Powered! \nSetting up LCD... \n');
});

test('parses the readings block into credit and the six readings', () => {
  const r = new DebugPortReader();
  const got: DebugReadings[] = [];
  r.onReadings = (x) => got.push(x);
  r.push(bytes(' fail\r\n' + BLOCK), 42);
  assert.equal(got, [{ tUs: 42, pf: 0.98, hz: 50, vrms: 231.4, amps: 12.97, watts: 2941.2, kwh: 1.27, credit: 3.42 }]);
  assert.equal(r.readings, got[0]);
});

test('a block cut short by a reset is dropped, the next whole block counts', () => {
  const r = new DebugPortReader();
  r.push(bytes('POWER FACTOR : 1.00\nFREQUENCY : 50.00\nDevice Powered! \n'), 1);
  assert.is(r.readings, null);
  r.push(bytes(BLOCK.replace('3.42', '500.00')), 2);
  assert.is(r.readings?.credit, 500);
});

test('counts bytes that are not text (a wrong baud rate, noise)', () => {
  const r = new DebugPortReader();
  r.push([0xff, 0x80, 0x41, 0x0a], 0);
  assert.is(r.garbageBytes, 2);
});

test.run();
