import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HD44780 } from './hd44780.ts';
import { Hd44780Nibbles } from './hd44780-nibbles.ts';

function fourBit(): { bus: Hd44780Nibbles; lcd: HD44780 } {
  const lcd = new HD44780();
  const bus = new Hd44780Nibbles(lcd);
  let t = 0;
  for (const n of [3, 3, 3, 2]) { bus.latch(n, false, t); t += 5000; } // the 4-bit initialisation
  bus.latch(0x2, false, t); bus.latch(0x8, false, t + 100); // function set: 4-bit, 2 lines
  return { bus, lcd };
}

test('after power-on each nibble is a whole instruction (8-bit mode); 3 3 3 2 leaves it in 4-bit mode', () => {
  const { lcd } = fourBit();
  assert.is(lcd.eightBitInterface, false);
  assert.is(lcd.twoLine, true);
});

test('in 4-bit mode nibbles pair up, high nibble first', () => {
  const { bus, lcd } = fourBit();
  bus.latch(0x4, true, 100_000);
  bus.latch(0x1, true, 100_100);
  assert.is(lcd.ddram[0], 0x41);
});

test('a nibble latched while an instruction executes is ignored and shifts the pairing', () => {
  const { bus, lcd } = fourBit();
  bus.latch(0x0, false, 100_000);
  bus.latch(0x1, false, 100_010); // clear display: busy 1.52 ms
  bus.latch(0x4, true, 100_020); // ignored
  assert.is(bus.ignoredNibbles, 1);
  bus.latch(0x1, true, 110_000);
  assert.is(bus.high, 0x1, 'the low nibble became a high one');
  assert.is(lcd.ddram[0], 0x20);
});

test.run();
