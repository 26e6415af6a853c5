import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteText } from './byte-text.ts';

test('bytes pushed one by one read back as the string String.fromCharCode makes of them, high bytes included', () => {
  const t = new ByteText(2);
  const bytes = [0x41, 0x54, 0x0d, 0x00, 0x80, 0x93, 0xff];
  for (const b of bytes) t.push(b);
  assert.is(t.length, bytes.length);
  assert.is(t.toString(), String.fromCharCode(...bytes));
});

test('a text longer than one conversion call keeps every byte in order', () => {
  const t = new ByteText();
  let expected = '';
  for (let i = 0; i < 10_000; i++) { t.push(i & 0xff); expected += String.fromCharCode(i & 0xff); }
  assert.is(t.toString(), expected);
});

test('endsWith compares the last bytes in place, as String.endsWith does on the same text', () => {
  const t = new ByteText();
  t.append('\r\n+CIPRXGET:');
  assert.ok(t.endsWith('+CIPRXGET:'));
  assert.ok(t.endsWith(''));
  assert.not.ok(t.endsWith('OK\r\n'));
  assert.not.ok(t.endsWith('x\r\n+CIPRXGET:'));
  t.clear();
  assert.is(t.length, 0);
  assert.is(t.toString(), '');
  assert.not.ok(t.endsWith('K'));
});

test('a text made again gives the same string; texts of the same hash but other bytes are told apart', () => {
  const t = new ByteText();
  const make = (s: string): string => { t.clear(); t.append(s); return t.toString(); };
  assert.is(make('AT+CIPSEND=0,12'), 'AT+CIPSEND=0,12');
  assert.is(make('AT+CIPSEND=0,13'), 'AT+CIPSEND=0,13');
  assert.is(make('AT+CIPSEND=0,12'), 'AT+CIPSEND=0,12');
  // 'Aa' and 'BB' have the same 31-based hash.
  assert.is(make('Aa'), 'Aa');
  assert.is(make('BB'), 'BB');
  assert.is(make('Aa'), 'Aa');
  for (let i = 0; i < 600; i++) assert.is(make(`line ${i}`), `line ${i}`);
});

test.run();
