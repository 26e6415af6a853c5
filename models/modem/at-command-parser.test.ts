import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AtCommandParser } from './at-command-parser.ts';

const push = (p: AtCommandParser, text: string) => [...text].map((c) => p.push(c.charCodeAt(0)));

test('an LF right after a CR still on its way is inert out of data mode: it is dropped whatever the line was', () => {
  const p = new AtCommandParser();
  assert.ok(p.inert(0x0a, 0, 0x0d));
  assert.not.ok(p.inert(0x41, 0, 0x0d), 'only an LF');
  assert.not.ok(p.inert(0x0a, 0, 0x41), 'only after a CR');
  push(p, 'AT+CIPSEND=0,3\r');
  p.expectData(3);
  assert.is(p.push(0x0a), null, 'the LF after the command line is not payload');
  assert.is(p.push(0x61), null);
});

test('in data mode the LF after a CR may end the payload: it is not declared inert', () => {
  const p = new AtCommandParser();
  p.expectData(2);
  assert.not.ok(p.inert(0x0a, 0, 0x0d));
  assert.is(p.push(0x0d), null);
  const r = p.push(0x0a);
  assert.equal(r, { kind: 'data', bytes: Uint8Array.from([0x0d, 0x0a]) });
});

test('command lines are built from the bytes as Latin-1 text, from the AT prefix on', () => {
  const p = new AtCommandParser();
  const out = push(p, 'junk AT+CSQ\r\nat\r\n');
  assert.equal(out.filter((r) => r !== null), [{ kind: 'command', line: 'AT+CSQ' }, { kind: 'command', line: 'at' }]);
});

test.run();
