import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { STS_keypad } from './keypad-ui.ts';
import { createUnit, type Unit } from '../../test/support/firmware-bench.ts';

/** The mode-0 wait loop: `STS_keypad()` then `delay(20)`, for `ms` of virtual time. */
async function loopFor(u: Unit, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 20) {
    STS_keypad(u.fw);
    await u.clock.runFor(20_000);
  }
}

/** Press and release each key in turn (held `holdMs`, then 100 ms apart), with the loop scanning. */
async function keys(u: Unit, text: string, holdMs = 80): Promise<void> {
  for (const k of text) {
    u.keypad.press(k);
    await loopFor(u, holdMs);
    u.keypad.release(k);
    await loopFor(u, 100);
  }
}

const TOKEN1 = '10913015110000A10001';

test('after * and 20 keys the entry is echoed at row 0 columns 12-15, then row 1 (§4.2)', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*' + TOKEN1);
  assert.is(u.line(0), 'TOKEN:      1091');
  assert.is(u.line(1), '3015110000A10001');
  assert.is(u.s.data_count, 20);
});

test('# submits a 20-character token: TOKEN ACCEPTED and +125 credit', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*' + TOKEN1 + '#');
  assert.is(u.line(0), ' TOKEN ACCEPTED ');
  assert.is(u.s.creditt, 125);
});

test('D7: pressing # again re-submits the same token and adds the credit again', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*' + TOKEN1 + '##');
  assert.is(u.s.creditt, 250);
});

test('D7 fixed: a second # finds nothing to submit', async () => {
  const u = createUnit({ profile: 'shipped', fix: ['D7'] });
  await keys(u, '*' + TOKEN1 + '##');
  assert.is(u.s.creditt, 125);
});

test('# with fewer than 20 characters does nothing', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*1091301511#');
  assert.is(u.s.creditt, 0);
  assert.is(u.line(0), 'TOKEN:      1091');
});

test('# after 19 characters does nothing either: no INVALID TOKEN, the entry stays on the screen', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*' + TOKEN1.slice(0, 19) + '#');
  assert.is(u.s.creditt, 0);
  assert.is(u.line(0), 'TOKEN:      1091');
  assert.is(u.line(1), '3015110000A1000 ');
});

test('D35: a 21st key is accepted, stored past Data[19] and echoed at row 1 column 0', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*' + TOKEN1 + '7');
  assert.is(u.s.data_count, 21);
  assert.is(u.s.overflowByte, '7'.charCodeAt(0));
  assert.is(u.line(1), '7015110000A10001');
});

test('D35 fixed: the 21st key is rejected', async () => {
  const u = createUnit({ profile: 'shipped', fix: ['D35'] });
  await keys(u, '*' + TOKEN1 + '7');
  assert.is(u.s.data_count, 20);
  assert.is(u.line(1), '3015110000A10001');
});

test('D cancels the entry mode without touching the display', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*123D');
  assert.is(u.s.sts_mode, 0);
  assert.is(u.line(0), 'TOKEN:      123 ');
});

test('A outside an entry selects the next parameter page', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, 'AA');
  assert.is(u.s.parameters, 2);
});

test('A inside an entry is typed as a token character', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*A');
  assert.is(u.s.parameters, 0);
  assert.is(u.line(0), 'TOKEN:      A   ');
});

test('D2: holding * for 1 s still starts a token entry, never the factory menu', async () => {
  const u = createUnit({ profile: 'shipped' });
  await keys(u, '*', 1000);
  assert.is(u.s.setting_mode, 0);
  assert.is(u.line(0).slice(0, 7), 'TOKEN: ');
});

test('D2 fixed: holding * for 1 s asks for the factory password', async () => {
  const u = createUnit({ profile: 'shipped', fix: ['D2'] });
  await keys(u, '*', 1000);
  assert.is(u.s.setting_mode, 1);
  assert.is(u.line(0), 'Enter Password t');
});

test('D3: after the password, menu code 001 reads as 0014 (stale tail) and is ignored', async () => {
  const u = createUnit({ profile: 'shipped', fix: ['D2'] });
  await keys(u, '*', 1000);
  await keys(u, '1234#');
  assert.is(u.s.setting_mode, 2);
  assert.is(u.line(0), '001:Reinitialisa');
  await keys(u, '001#');
  assert.is(u.s.sts_data, '0014');
  assert.is(u.s.setting_mode, 2);
});

test('D3 fixed: menu code 011 then 112 configures STS mode', async () => {
  const u = createUnit({ profile: 'shipped', fix: ['D2', 'D3'] });
  await keys(u, '*', 1000);
  await keys(u, '1234#');
  await keys(u, '011#');
  assert.is(u.line(0), '112:STS  122:Ene');
  await keys(u, '112#');
  assert.is(u.s.Mode_select, 1);
  assert.is(u.s.setting_mode, 0);
});

test.run();
