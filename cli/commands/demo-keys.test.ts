// Keys of `osm demo` from a pipe: held until the firmware has booted, then acted on in the order they came.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PipedKeys, demoKey, nextSpeed, type DemoKey } from './demo-keys.ts';
import type { KeyName } from '../../twin/meter.ts';

/** A meter that types each key in 300 ms (120 ms held, 180 ms gap), and a record of what happened when. */
function meter(): { now: number; pressed: string[]; press: (k: KeyName) => number; act: (k: DemoKey) => void } {
  let free = 0;
  const m = {
    now: 0,
    pressed: [] as string[],
    press: (k: KeyName): number => { m.pressed.push(k); free = Math.max(m.now, free) + 300_000; return free; },
    act: (k: DemoKey): void => { m.pressed.push(k.kind); },
  };
  return m;
}

test('a character is a keypad key, one of the demo\'s own keys, or nothing: lower-case c is the cover, C the keypad\'s C', () => {
  assert.equal(demoKey('c'), { kind: 'cover' });
  assert.equal(demoKey('C'), { kind: 'keypad', key: 'C' });
  assert.equal(demoKey('a'), { kind: 'keypad', key: 'A' });
  assert.equal(demoKey('#'), { kind: 'keypad', key: '#' });
  assert.equal(demoKey('q'), { kind: 'quit' });
  assert.equal(demoKey('\u0003'), { kind: 'quit' });
  assert.equal(demoKey('l'), { kind: 'load' });
  assert.equal(demoKey('s'), { kind: 'sag' });
  assert.is(demoKey('\n'), null);
  assert.is(demoKey('x'), null);
});

test('keypad keys from a pipe wait for the end of the boot, then all go to the meter in order', () => {
  const m = meter();
  const keys = new PipedKeys();
  keys.push('*12#');
  keys.drain(0, false, m.press, m.act);
  assert.equal(m.pressed, []);
  assert.is(keys.pending, 4);
  m.now = 23_000_000;
  keys.drain(m.now, true, m.press, m.act);
  assert.equal(m.pressed, ['*', '1', '2', '#']);
  assert.is(keys.pending, 0);
});

test('q from a pipe quits only once the keypad keys before it have been typed, and nothing after it is acted on', () => {
  const m = meter();
  const keys = new PipedKeys();
  keys.push('12q3');
  keys.drain(0, true, m.press, m.act);
  assert.equal(m.pressed, ['1', '2'], 'q waits for the two keys (600 ms)');
  keys.drain(599_999, true, m.press, m.act);
  assert.equal(m.pressed, ['1', '2']);
  keys.drain(600_000, true, m.press, m.act);
  assert.equal(m.pressed, ['1', '2', 'quit']);
});

test('q alone in a pipe quits at once, even before the boot', () => {
  const m = meter();
  const keys = new PipedKeys();
  keys.push('q');
  keys.drain(0, false, m.press, m.act);
  assert.equal(m.pressed, ['quit']);
});

test('cover, load and sag keys act in their place between keypad keys: no key overtakes another', () => {
  const m = meter();
  const keys = new PipedKeys();
  keys.push('1c2ls');
  keys.drain(0, true, m.press, m.act);
  assert.equal(m.pressed, ['1']);
  m.now = 300_000;
  keys.drain(m.now, true, m.press, m.act);
  assert.equal(m.pressed, ['1', 'cover', '2']);
  m.now = 600_000;
  keys.drain(m.now, true, m.press, m.act);
  assert.equal(m.pressed, ['1', 'cover', '2', 'load', 'sag']);
});

test('newlines and spaces from a script (echo, a here-document) are not keys and are dropped', () => {
  const m = meter();
  const keys = new PipedKeys();
  keys.push('1 2\n');
  assert.is(keys.pending, 2);
  keys.drain(0, true, m.press, m.act);
  assert.equal(m.pressed, ['1', '2']);
});

test('+ and - step the speed through 1x, 10x, 60x, 600x and max; a speed off the ladder steps to its neighbours', () => {
  assert.equal(demoKey('+'), { kind: 'faster' });
  assert.equal(demoKey('='), { kind: 'faster' });
  assert.equal(demoKey('-'), { kind: 'slower' });
  assert.is(nextSpeed(1, true), 10);
  assert.is(nextSpeed(600, true), 'max');
  assert.is(nextSpeed('max', true), 'max');
  assert.is(nextSpeed('max', false), 600);
  assert.is(nextSpeed(10, false), 1);
  assert.is(nextSpeed(1, false), 1);
  assert.is(nextSpeed(400, true), 600);
  assert.is(nextSpeed(400, false), 60);
  assert.is(nextSpeed(0.5, false), 0.5);
  assert.is(nextSpeed(0.5, true), 1);
});

test.run();
