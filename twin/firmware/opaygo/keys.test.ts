import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Unit } from '../../../test/support/firmware-bench.ts';
import { opaygoUnit as createUnit } from '../../../test/support/opaygo.ts';
import { GetKeyPressed, HASH_KEY, NO_KEY_DIGIT, STAR_KEY } from './keys.ts';

/** One poll with `key` held (the Keypad library scans only when more than 10 ms have passed since its last scan). */
function pollWith(u: Unit, key: string | null): number {
  if (key) u.keypad.press(key);
  u.cpu.spend(11_000);
  const k = GetKeyPressed(u.fw);
  if (key) u.keypad.release(key);
  u.cpu.spend(11_000);
  GetKeyPressed(u.fw); // RELEASED
  u.cpu.spend(11_000);
  GetKeyPressed(u.fw); // IDLE
  return k;
}

test('GetKeyPressed maps * to -1, # to -2, digits to 0-9, A-D to 17-20 and no key to -48 (§6.2)', () => {
  const u = createUnit({ mode: 'opaygo-time' });
  assert.is(pollWith(u, null), NO_KEY_DIGIT);
  assert.is(pollWith(u, '*'), STAR_KEY);
  assert.is(pollWith(u, '#'), HASH_KEY);
  assert.is(pollWith(u, '0'), 0);
  assert.is(pollWith(u, '7'), 7);
  assert.is(pollWith(u, 'A'), 17);
  assert.is(pollWith(u, 'D'), 20);
});

test('D39: every poll prints "incoming byte = " and the key (a NUL byte when none) on the modem line', () => {
  const u = createUnit({ mode: 'opaygo-time' });
  pollWith(u, '5');
  assert.is(u.uarts.modem.text, 'incoming byte = 5\r\n' + 'incoming byte = \0\r\n'.repeat(2));
  assert.is(u.uarts.debug.text, '');
});

test('D39 fixed: only a real key is logged, on the debug port', () => {
  const u = createUnit({ mode: 'opaygo-time', fix: ['D39'] });
  pollWith(u, '5');
  assert.is(u.uarts.debug.text, 'incoming byte = 5\r\n');
  assert.is(u.uarts.modem.text, '');
});

test.run();
