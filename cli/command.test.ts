import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { colorOn, terminalStream } from './command.ts';

const terminal = { write: () => true, isTTY: true };

test('a terminal whose TERM is dumb counts as no terminal: no line rewritten in place, no colour', () => {
  const s = terminalStream(terminal, { TERM: 'dumb' });
  assert.is(s.isTTY, false);
  assert.is(colorOn(s), false);
});

test('NO_COLOR turns colour off and keeps the terminal', () => {
  const s = terminalStream(terminal, { TERM: 'xterm-256color', NO_COLOR: '1' });
  assert.is(s.isTTY, true);
  assert.is(colorOn(s), false);
});

test('an empty NO_COLOR is not set, and a plain terminal is coloured', () => {
  assert.is(colorOn(terminalStream(terminal, { TERM: 'xterm', NO_COLOR: '' })), true);
});

test('a pipe or file is neither a terminal nor coloured', () => {
  const s = terminalStream({ write: () => true }, { TERM: 'xterm' });
  assert.is(s.isTTY, false);
  assert.is(colorOn(s), false);
});

test('a stream that says nothing of colour is coloured when it is a terminal (test doubles)', () => {
  assert.is(colorOn({ write: () => true, isTTY: true }), true);
  assert.is(colorOn({ write: () => true }), false);
});

test.run();
