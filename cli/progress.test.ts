import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliIo } from './command.ts';
import { Progress } from './progress.ts';

function sink(tty: boolean): { io: CliIo; err: () => string } {
  let err = '';
  return { io: { stdout: { write: () => {} }, stderr: { write: (t: string) => { err += t; }, isTTY: tty } }, err: () => err };
}

test('not on a terminal: nothing for a short run, then a line each time the interval has passed, and the last state at the end', () => {
  let now = 0;
  const s = sink(false);
  const p = new Progress(s.io, { wallMs: () => now, intervalMs: 2000 });
  p.update('a');
  now = 1999; p.update('b');
  assert.is(s.err(), '');
  now = 2000; p.update('c');
  now = 3000; p.update('d');
  now = 4100; p.update('e');
  now = 4200; p.update('f');
  p.done();
  assert.is(s.err(), 'c\ne\nf\n');
});

test('a run that ends before the first interval prints nothing at all', () => {
  const s = sink(false);
  const p = new Progress(s.io, { wallMs: () => 10, intervalMs: 2000 });
  p.update('a');
  p.done('finished');
  assert.is(s.err(), '');
});

test('on a terminal one line is rewritten in place, at most four times a second, and cleared at the end', () => {
  let now = 0;
  const s = sink(true);
  const p = new Progress(s.io, { wallMs: () => now });
  p.update('a');
  now = 100; p.update('b');
  now = 300; p.update('c');
  p.done();
  assert.is(s.err(), '\r\x1b[Ka\r\x1b[Kc\r\x1b[K');
});

test('--quiet prints nothing', () => {
  let now = 0;
  const s = sink(false);
  const p = new Progress(s.io, { quiet: true, wallMs: () => (now += 5000) });
  p.update('a'); p.update('b'); p.done('c');
  assert.is(s.err(), '');
});

test.run();
