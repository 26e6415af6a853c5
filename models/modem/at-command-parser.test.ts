import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AtCommandParser } from './at-command-parser.ts';

const push = (p: AtCommandParser, text: string) => [...text].map((c) => p.push(c.charCodeAt(0)));

/** Ask about each byte of `text` in order, as a sender with `pending` bytes already on their way: `.` inert, `!` acts. */
const ask = (p: AtCommandParser, text: string, pending = 0) => [...text].map((c, i) => (p.inert(c.charCodeAt(0), pending + i) ? '.' : '!')).join('');

test('a line without an A or a cannot be a command: its CR acts, the bytes behind it are inert while it is on its way', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'incoming byte = \0\r\nincoming byte = \0\r\nin'), '.................!..................!...');
});

test('behind the CR of a line that may be a command only the LF is inert: it is dropped whatever the command does', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'AT+CSQ\r\nAT\r\n'), '......!.!!!!');
  assert.is(ask(new AtCommandParser(), 'at\r\nx'), '..!.!', 'a line may start with a lower-case at');
});

test('the part of a line that has arrived counts: an A in it makes the CR one that may end a command', () => {
  const p = new AtCommandParser();
  push(p, 'xA');
  assert.is(ask(p, 'y\r\nz'), '.!.!');
  const q = new AtCommandParser();
  push(q, 'junk');
  assert.is(ask(q, 'y\r\nzAz'), '.!....');
});

test('a line that began behind a CR still on its way is judged on its own bytes, not on the line that has arrived', () => {
  const p = new AtCommandParser();
  push(p, 'junk');
  assert.is(ask(p, '\r\nno prefix here\r\nx'), '!...............!..');
});

/** Bytes reaching the modem's UART and taken by the parser. */
const land = (p: AtCommandParser, text: string) => [...text].map((c) => { p.arrive(); return p.push(c.charCodeAt(0)); });

test('once a command\'s CR has arrived, the bytes still on their way are followed again from the state it left', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'AT\r\nmore\r\n'), '..!.!!!!!!');
  land(p, 'AT\r\n');
  assert.is(ask(p, 'x\r\ny', 6), '.!..', 'behind "more" and its CR LF, the line cannot be a command');
});

test('a command\'s CR followed again is still one that may end a command: only the LF right behind it is inert', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'AT\r\nAT\r'), '..!.!!!');
  land(p, 'AT\r\n');
  assert.is(ask(p, '\nx', 3), '.!');
});

test('a byte the sender did not ask about (the counts differ) makes the bytes behind it act until nothing is on its way', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'junk\r'), '....!');
  assert.is(ask(p, '\nmore', 6), '!!!!!', 'one byte on its way was not asked about');
  assert.is(ask(p, 'more'), '....', 'nothing on its way: judged from the state it is in');
});

test('a reset (power cut, baud change) forgets what the bytes on their way would have done', () => {
  const p = new AtCommandParser();
  assert.is(ask(p, 'junk\r'), '....!');
  p.reset();
  assert.is(ask(p, '\nx', 5), '!!');
});

test('in data mode the payload\'s last byte acts, and nothing behind it is known: even an LF after a CR may be payload', () => {
  const p = new AtCommandParser();
  p.expectData(3);
  assert.is(ask(p, 'ab\r\n'), '..!!');
  const q = new AtCommandParser();
  q.expectData(2);
  assert.is(ask(q, '\r\n'), '.!');
  assert.is(q.push(0x0d), null);
  assert.equal(q.push(0x0a), { kind: 'data', bytes: Uint8Array.from([0x0d, 0x0a]) });
});

test('the LF skip set by a CR that has arrived drops the LF: inert, and not counted as payload', () => {
  const p = new AtCommandParser();
  push(p, 'AT+CIPSEND=0,3\r');
  p.expectData(3);
  assert.is(ask(p, '\nabc'), '...!');
  assert.is(p.push(0x0a), null, 'the LF after the command line is not payload');
  assert.is(p.push(0x61), null);
});

test('command lines are built from the bytes as Latin-1 text, from the AT prefix on', () => {
  const p = new AtCommandParser();
  const out = push(p, 'junk AT+CSQ\r\nat\r\n');
  assert.equal(out.filter((r) => r !== null), [{ kind: 'command', line: 'AT+CSQ' }, { kind: 'command', line: 'at' }]);
});

test.run();
