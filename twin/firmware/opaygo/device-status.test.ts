import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GetTimeInSeconds } from '../timekeeping.ts';
import { IsActive, TokenEntryAllowed, UpdateDeviceStatusFromTokenValue, UpdateInvalidTokenWaitingPeriod } from './device-status.ts';
import { opaygoUnit } from '../../../test/support/opaygo.ts';
import type { Unit } from '../../../test/support/firmware-bench.ts';

/** Run the unit's clock until `p` (firmware code waiting on that clock) has finished. */
async function finish(u: Unit, p: Promise<void>): Promise<void> {
  let done = false;
  void p.then(() => { done = true; });
  for (let i = 0; i < 1000 && !done; i++) await u.clock.runFor(50_000);
  await p;
}

/** Let `ms` of virtual time pass in small slices, so firmware code outside a clock task keeps up. */
async function advance(u: Unit, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) await u.clock.runFor(10_000);
}

test('the lockout lasts 2^(n-2) minutes from the third invalid token: 2, 4, 8 ... 512 min, capped at n = 11', () => {
  const u = opaygoUnit();
  const minutes: number[] = [];
  for (let n = 1; n <= 13; n++) {
    u.s.InvalidTokenCount = n;
    u.s.TokenEntryLockedUntil = 0;
    UpdateInvalidTokenWaitingPeriod(u.fw);
    const now = GetTimeInSeconds(u.fw);
    minutes.push(u.s.TokenEntryLockedUntil === 0 ? 0 : (u.s.TokenEntryLockedUntil - now) / 60);
  }
  assert.equal(minutes, [0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 512, 512]);
  assert.is(u.s.InvalidTokenCount, 11);
});

test('token entry is refused while the lockout lies ahead of the OpenPAYGO time, allowed from its last second', () => {
  const u = opaygoUnit();
  const now = GetTimeInSeconds(u.fw);
  u.s.TokenEntryLockedUntil = now + 1;
  assert.not.ok(TokenEntryAllowed(u.fw));
  u.s.TokenEntryLockedUntil = now;
  assert.ok(TokenEntryAllowed(u.fw));
});

test('IsActive: PAYG disabled is always active; mode 2 needs credit >= 1 and no fault; mode 3 needs ActiveUntil ahead', () => {
  const u = opaygoUnit();
  const s = u.s;
  const now = GetTimeInSeconds(u.fw);
  s.Mode_select = 2;
  s.creditt = 0.99; assert.not.ok(IsActive(u.fw));
  s.creditt = 1; assert.ok(IsActive(u.fw));
  s.fault = 1; assert.not.ok(IsActive(u.fw));
  s.PAYGEnabled = false; assert.ok(IsActive(u.fw));
  s.PAYGEnabled = true; s.fault = 0;
  s.Mode_select = 3;
  s.ActiveUntil = now; assert.not.ok(IsActive(u.fw));
  s.ActiveUntil = now + 1; assert.ok(IsActive(u.fw));
});

test('an ADD on an expired meter counts from now, not from the old ActiveUntil (late days are not charged)', async () => {
  const u = opaygoUnit({ profile: 'fixed' });
  u.s.Mode_select = 3;
  const now = GetTimeInSeconds(u.fw);
  u.s.ActiveUntil = now - 2 * 86400;
  const done = UpdateDeviceStatusFromTokenValue(u.fw, 1, 4);
  assert.is(u.s.ActiveUntil, now + 86400);
  await finish(u, done);
});

test('an ADD on an active meter extends ActiveUntil; a SET replaces it and enables PAYG', async () => {
  const u = opaygoUnit({ profile: 'fixed' });
  u.s.Mode_select = 3;
  const now = GetTimeInSeconds(u.fw);
  u.s.ActiveUntil = now + 3 * 86400;
  const a = UpdateDeviceStatusFromTokenValue(u.fw, 2, 4);
  assert.is(u.s.ActiveUntil, now + 5 * 86400);
  await finish(u, a);
  u.s.PAYGEnabled = false;
  const b = UpdateDeviceStatusFromTokenValue(u.fw, 1, 5);
  assert.is(u.s.ActiveUntil, GetTimeInSeconds(u.fw) + 86400);
  assert.ok(u.s.PAYGEnabled);
  await finish(u, b);
});

test('mode 2: an ADD adds credit (the fraction is lost), a SET replaces it', async () => {
  const u = opaygoUnit({ profile: 'field', mode: 'opaygo-energy' });
  u.s.Mode_select = 2;
  u.s.creditt = 12.75;
  const a = UpdateDeviceStatusFromTokenValue(u.fw, 10, 2);
  assert.is(u.s.creditt, 22);
  await finish(u, a);
  const b = UpdateDeviceStatusFromTokenValue(u.fw, 5, 3);
  assert.is(u.s.creditt, 5);
  await finish(u, b);
  assert.is(u.eepromLong(9), 5);
});

test('a valid token clears the invalid count; a used one (-2) leaves it', async () => {
  const u = opaygoUnit({ profile: 'fixed' });
  u.s.Mode_select = 3;
  u.s.InvalidTokenCount = 2;
  const a = UpdateDeviceStatusFromTokenValue(u.fw, -2, 1);
  await finish(u, a);
  assert.is(u.s.InvalidTokenCount, 2);
  const b = UpdateDeviceStatusFromTokenValue(u.fw, 999, 5);
  await finish(u, b);
  assert.is(u.s.InvalidTokenCount, 0);
});

test('shipped order: the activation variables are stored only after the green blinks', async () => {
  const u = opaygoUnit({ profile: 'field', mode: 'opaygo-energy' });
  u.s.Mode_select = 2;
  u.s.TokenCount = 2;
  const writes0 = u.eepromWrites;
  const p = UpdateDeviceStatusFromTokenValue(u.fw, 10, 2);
  await advance(u, 500); // inside the two blinks (1 s)
  const during = u.eepromWrites - writes0;
  await finish(u, p);
  assert.is(during, 2); // AddCreditt's two credit writes, nothing else yet
  assert.ok(u.eepromWrites - writes0 > during);
});

test('fixed order: the decoder state is stored before the credit, and everything before the blinks', async () => {
  const u = opaygoUnit({ profile: 'fixed', mode: 'opaygo-energy' });
  u.s.Mode_select = 2;
  u.s.TokenCount = 2;
  const p = UpdateDeviceStatusFromTokenValue(u.fw, 10, 2);
  await advance(u, 1000);
  const mid = u.eepromWrites;
  await finish(u, p);
  assert.is(u.eepromWrites, mid);
});

test.run();
