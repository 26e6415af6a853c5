// The meter's 4x4 membrane keypad (docs/firmware.md §1.5): rows PB9 PB8 PB1 PB0 with pull-ups, columns PA7 PA6
// PA5 PC13 driven LOW one at a time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KEYPAD_LAYOUT, KeypadMatrix, type ColumnDrive } from './keypad-matrix.ts';

/** Column lines as the Keypad library's scan leaves them: column `c` driven LOW, the others released (inputs). */
const only = (c: number): ColumnDrive[] => [0, 1, 2, 3].map((i) => (i === c ? 0 : null));
const none: ColumnDrive[] = [null, null, null, null];

test('the layout is the §1.5 table: 1 2 3 A / 4 5 6 B / 7 8 9 C / * 0 # D', () => {
  assert.equal(KEYPAD_LAYOUT.map((r) => r.join('')), ['123A', '456B', '789C', '*0#D']);
});

test('with no key pressed every row reads HIGH (pull-up) whatever the columns', () => {
  const k = new KeypadMatrix();
  for (let r = 0; r < 4; r++) {
    assert.is(k.rowLevel(r, [0, 0, 0, 0]), 1);
    assert.is(k.rowLevel(r, none), 1);
  }
});

test('a pressed key pulls its row LOW only while its own column is driven LOW', () => {
  const k = new KeypadMatrix();
  k.press('6'); // row PB8 (1), column PA5 (2)
  assert.is(k.rowLevel(1, only(2)), 0);
  for (const c of [0, 1, 3]) assert.is(k.rowLevel(1, only(c)), 1, `column ${c}`);
  assert.is(k.rowLevel(1, none), 1);
});

test('a pressed key leaves the other rows HIGH', () => {
  const k = new KeypadMatrix();
  k.press('#'); // row PB0 (3), column PA5 (2)
  for (const r of [0, 1, 2]) assert.is(k.rowLevel(r, only(2)), 1, `row ${r}`);
  assert.is(k.rowLevel(3, only(2)), 0);
});

test('every key joins exactly its own row and column', () => {
  const k = new KeypadMatrix();
  KEYPAD_LAYOUT.forEach((keys, row) => keys.forEach((key, col) => {
    k.press(key);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) assert.is(k.rowLevel(r, only(c)), r === row && c === col ? 0 : 1, `${key} at row ${r} col ${c}`);
    }
    k.release(key);
  }));
});

test('a released key no longer pulls its row LOW', () => {
  const k = new KeypadMatrix();
  k.press('5');
  k.release('5');
  assert.is(k.rowLevel(1, only(1)), 1);
  assert.is(k.isPressed('5'), false);
});

test('two keys held in the same row pull it LOW in either column', () => {
  const k = new KeypadMatrix();
  k.press('1');
  k.press('A');
  assert.is(k.rowLevel(0, only(0)), 0);
  assert.is(k.rowLevel(0, only(3)), 0);
  assert.is(k.rowLevel(0, only(1)), 1);
  assert.equal(k.pressedKeys.sort(), ['1', 'A']);
});

test('onChange fires once per press and once per release, not for repeats', () => {
  const k = new KeypadMatrix();
  const seen: [string, boolean][] = [];
  k.onChange = (key, down) => seen.push([key, down]);
  k.press('*');
  k.press('*');
  k.release('*');
  k.release('*');
  assert.equal(seen, [['*', true], ['*', false]]);
});

test('a column driven HIGH does not pull a row LOW through a pressed key', () => {
  const k = new KeypadMatrix();
  k.press('5'); // row 1, column 1
  assert.is(k.rowLevel(1, [1, 1, 1, 1]), 1);
  assert.is(k.rowLevel(1, [null, 1, 0, null]), 1);
});

test('three keys held at the corners of a rectangle ghost the fourth: 1, 2 and 5 held read row 1 LOW on column 0', () => {
  const k = new KeypadMatrix();
  // 1 = (row 0, col 0), 2 = (row 0, col 1), 5 = (row 1, col 1): row 1 -> 5 -> col 1 -> 2 -> row 0 -> 1 -> col 0.
  k.press('1');
  k.press('2');
  k.press('5');
  assert.is(k.rowLevel(1, only(0)), 0, 'ghost key 4');
  assert.is(k.rowLevel(2, only(0)), 1, 'row 2 has no held key');
  k.release('2');
  assert.is(k.rowLevel(1, only(0)), 1, 'no path once 2 is released');
});

test('a row outside 0..3 is refused with a RangeError', () => {
  const k = new KeypadMatrix();
  assert.throws(() => k.rowLevel(4, none), /keypad row must be 0\.\.3, got 4/);
});

test('position() gives the row and column of a key as in the §1.5 table', () => {
  const k = new KeypadMatrix();
  assert.equal(k.position('#'), { row: 3, col: 2 });
  assert.equal(k.position('A'), { row: 0, col: 3 });
});

test('a key that is not on the keypad throws an error that lists the keys', () => {
  const k = new KeypadMatrix();
  assert.throws(() => k.press('E'), /no key 'E' on the keypad \(keys: 1 2 3 A 4 5 6 B 7 8 9 C \* 0 # D\)/);
  assert.throws(() => k.release('x'), /no key 'x'/);
});

test.run();
