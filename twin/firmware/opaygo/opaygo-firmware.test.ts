// The OpenPAYGO modes on the whole meter (firmware test bench: SimulatedBoard, part models, ATM90E26, phasor plant):
// token entry (D38, D39), the status key, the relay and billing (D40, D41), the LED codes and the lockout.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../../board/board.ts';
import { BOOTED_MS, opaygoBench, tok } from '../../../test/support/opaygo.ts';

const ZERO_FIELD = { profile: 'field' as const, eeprom: 'zero' as const };
/** 2.4 kW at 240 V. */
const LOAD = [{ id: 'heater', amps: 10, pf: 1 }];

function edgesSince(b: ReturnType<typeof opaygoBench>, pin: (typeof PINS)['redLed' | 'greenLed'], tMs: number): number {
  return b.risingEdges(pin).filter((t) => t >= tMs).length;
}

test('D38: a token typed at keypad speed is read as 0 and refused: (Token entered: 0), ten red blinks', async () => {
  const b = opaygoBench(ZERO_FIELD);
  await b.runUntilMs(BOOTED_MS);
  const t0 = b.clock.now() / 1000;
  await b.type('*' + tok(10, 2));
  await b.runForMs(6000);
  assert.ok(b.uarts.modem.text.includes('\n(Token entered: 0)\n(Activation Value from Token: -1)'));
  assert.is(edgesSince(b, PINS.redLed, t0), 10);
  assert.is(b.firmware.state.InvalidTokenCount, 1);
  assert.is(b.firmware.state.creditt, 0);
});

test('D38: the third invalid entry locks token entry for 2 minutes; * then blinks red once and says how long', async () => {
  const b = opaygoBench(ZERO_FIELD);
  await b.runUntilMs(BOOTED_MS);
  for (let i = 0; i < 3; i++) { await b.type('*'); await b.runForMs(6000); }
  assert.is(b.firmware.state.InvalidTokenCount, 3);
  const t0 = b.clock.now() / 1000;
  await b.type('*');
  await b.runForMs(2000);
  assert.is(edgesSince(b, PINS.redLed, t0), 1);
  assert.match(b.uarts.modem.text, /\nToken entry locked for 1[01]\dseconds/);
  assert.is(b.firmware.state.InvalidTokenCount, 3);
});

test('D38: a typist landing keys on the nine polls gets digits in, at most one every third poll', async () => {
  const b = opaygoBench(ZERO_FIELD);
  await b.runUntilMs(BOOTED_MS);
  const kp = b.firmware.context!.customKeypad;
  const getKey = kp.getKey.bind(kp);
  // After the poll that returns *, poll i of the nine reads: release * at once, press 7 / 3 / 1 before reads 2, 5, 8.
  let read = -1;
  const plan: Record<number, string> = { 1: '7', 4: '3', 7: '1' };
  kp.getKey = () => {
    const k = getKey();
    if (k === '*') { b.keypad.release('*'); read = 0; return k; }
    if (read >= 0 && read < 9) {
      for (const key of ['7', '3', '1']) b.keypad.release(key);
      if (plan[read]) b.keypad.press(plan[read]);
      read++;
    }
    return k;
  };
  b.keypad.press('*');
  await b.runForMs(8000);
  // reads: -48, -48, 7, -48, -48, 3, -48, -48, 1 added as key × 10^(8-i) through a double, negatives clamped to 0
  assert.ok(b.uarts.modem.text.includes('\n(Token entered: 1717721)'), b.uarts.modem.text.slice(-300));
});

test('D39: the waiting loop polls once per 19 bytes of "incoming byte = " at 9600 baud (about 50 polls a second)', async () => {
  const b = opaygoBench(ZERO_FIELD);
  await b.runUntilMs(BOOTED_MS);
  const count = (): number => b.uarts.modem.text.split('incoming byte = ').length;
  const n0 = count();
  await b.runForMs(2000);
  const polls = count() - n0;
  assert.ok(polls >= 98 && polls <= 103, `${polls} polls in 2 s`);
});

test('D38 fixed: the entry waits for the nine digits; the ADD token adds 10 credit and blinks green twice', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38'] });
  await b.runUntilMs(BOOTED_MS);
  const t0 = b.clock.now() / 1000;
  await b.type('*' + tok(10, 2));
  await b.runForMs(2000);
  assert.ok(b.uarts.modem.text.includes(`\n(Token entered: ${Number(tok(10, 2))})\n(Activation Value from Token: 10)\n(Count: 2)`));
  assert.is(b.firmware.state.creditt, 10);
  assert.is(edgesSince(b, PINS.greenLed, t0), 2);
});

test('D38 fixed: * starts the entry again, # abandons it, and 30 s without a key abandons it', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*1234#');
  await b.runForMs(1000);
  await b.type('*9876');
  await b.runForMs(31_000);
  await b.type('54321');
  await b.runForMs(1000);
  assert.is(b.firmware.state.opaygoEntries, 0);
  await b.type('*555*' + tok(10, 2));
  await b.runForMs(2000);
  assert.is(b.firmware.state.opaygoEntries, 1);
  assert.is(b.firmware.state.creditt, 10);
});

test('D40: in mode 3 a meter whose time has run out keeps its relay closed', async () => {
  const b = opaygoBench({ profile: 'field', mode: 'opaygo-time', fix: ['D30', 'D31', 'D38'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + tok(0, 3)); // SET 0 days
  await b.runForMs(5000);
  assert.is(b.firmware.state.opaygoLastValue, 0);
  assert.ok(b.relay.isClosed);
});

test('D40 fixed: the relay opens within a second of the time running out', async () => {
  const b = opaygoBench({ profile: 'field', mode: 'opaygo-time', fix: ['D30', 'D31', 'D38', 'D40'] });
  await b.runUntilMs(BOOTED_MS);
  assert.not.ok(b.relay.isClosed, 'a factory-fresh meter is inactive'); // D48 closed it at boot; the service opened it
  await b.type('*' + tok(1, 3)); // SET 1 day
  await b.runForMs(3000);
  assert.ok(b.relay.isClosed, 'SET 1 day closes the relay');
  // A day later (the DS1307 is moved on rather than simulating the whole day): 7 s of the day are left.
  b.rtc.setUnixTime(b.rtc.unixtime() + 86_400 - 10);
  await b.runForMs(4000);
  assert.ok(b.relay.isClosed);
  await b.runForMs(5000);
  assert.not.ok(b.relay.isClosed);
});

test('D40: in mode 2 the credit falls only when # is pressed, by one billing step', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38'], credit: 100, loads: LOAD });
  await b.runUntilMs(BOOTED_MS);
  await b.runForMs(60_000);
  assert.is(b.firmware.state.creditt, 100);
  await b.type('#');
  await b.runForMs(2000);
  const step = 100 - b.firmware.state.creditt;
  assert.ok(Math.abs(step - 2400 / 3.6e6) < 2e-5, `one # billed ${step}`);
});

test('D40 fixed: in mode 2 the timer interrupt bills the measured power every second', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38', 'D40'], credit: 100, loads: LOAD });
  await b.runUntilMs(BOOTED_MS);
  const c0 = b.firmware.state.creditt;
  await b.runForMs(60_000);
  const used = c0 - b.firmware.state.creditt;
  // D14 is still there: every 1.05 s the interrupt bills 1 s, so 20/21 of the energy
  assert.ok(Math.abs(used - (2.4 / 60) * (20 / 21)) < 0.0005, `60 s at 2.4 kW billed ${used}`);
});

test('D41: # in mode 2 prints the energy used as "Energy Left"', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38'], credit: 100, loads: LOAD });
  await b.runUntilMs(BOOTED_MS);
  await b.runForMs(5000);
  await b.type('#');
  await b.runForMs(3000);
  const m = /\nEnergy Left: (\d+\.\d{6}) KWH/.exec(b.uarts.modem.text);
  assert.ok(m, 'no Energy Left line');
  assert.ok(Math.abs(Number(m![1]) - b.firmware.state.ENERGY) < 1e-6);
});

test('D41 fixed: "Energy Left" is the energy the credit still buys (credit / tariff)', async () => {
  const b = opaygoBench({ ...ZERO_FIELD, fix: ['D38', 'D41'], credit: 100, loads: LOAD });
  await b.runUntilMs(BOOTED_MS);
  await b.type('#');
  await b.runForMs(3000);
  const m = /\nEnergy Left: (\d+\.\d{6}) KWH/.exec(b.uarts.modem.text);
  assert.ok(m, 'no Energy Left line');
  assert.ok(Math.abs(Number(m![1]) - b.firmware.state.creditt) < 1e-5);
});

test('mode 3: # on an active meter blinks green once and prints the seconds left; on an inactive one, red once', async () => {
  const b = opaygoBench({ profile: 'field', mode: 'opaygo-time', fix: ['D30', 'D31', 'D38'] });
  await b.runUntilMs(BOOTED_MS);
  let t0 = b.clock.now() / 1000;
  await b.type('#');
  await b.runForMs(1000);
  assert.is(edgesSince(b, PINS.redLed, t0), 1);
  await b.type('*' + tok(1, 3));
  await b.runForMs(2000);
  t0 = b.clock.now() / 1000;
  await b.type('#');
  await b.runForMs(1000);
  assert.is(edgesSince(b, PINS.greenLed, t0), 1);
  const m = /\nTime Left: (\d+)seconds/.exec(b.uarts.modem.text);
  assert.ok(m && Number(m[1]) > 86_390 && Number(m[1]) <= 86_400, m?.[0]);
});

test('LED codes (250 ms toggles): accepted → green ×2, already used → ×1, counter sync → ×3, PAYG disable → ×5', async () => {
  const b = opaygoBench({ profile: 'fixed', mode: 'opaygo-time' });
  await b.runUntilMs(BOOTED_MS);
  const greens = async (token: string): Promise<number> => {
    const t0 = b.clock.now() / 1000;
    await b.type('*' + token);
    await b.runForMs(3500);
    return edgesSince(b, PINS.greenLed, t0);
  };
  assert.is(await greens(tok(1, 3)), 2);
  assert.is(await greens(tok(1, 3)), 1);
  assert.is(await greens(tok(999, 5)), 3);
  const t0 = b.clock.now() / 1000;
  assert.is(await greens(tok(998, 7)), 5);
  assert.is(b.firmware.state.PAYGEnabled, false);
  // each blink is toggle, 250 ms, toggle, 250 ms (BLINK_PERIOD)
  const ups = b.risingEdges(PINS.greenLed).filter((t) => t >= t0);
  for (let i = 1; i < ups.length; i++) assert.ok(Math.abs(ups[i] - ups[i - 1] - 500) < 1, `${ups[i] - ups[i - 1]} ms`);
});

test('D30: a virgin EEPROM loads TokenCount 65535 and a lockout until 2106: every * is refused', async () => {
  const b = opaygoBench({ profile: 'field', fix: ['D38'] });
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.firmware.state.TokenCount, 0xffff);
  assert.is(b.firmware.state.TokenEntryLockedUntil, 0xffffffff);
  await b.type('*' + tok(10, 2));
  await b.runForMs(2000);
  assert.is(b.firmware.state.opaygoEntries, 0);
  assert.match(b.uarts.modem.text, /Token entry locked for \d+seconds/);
});

test('D30 fixed: a virgin EEPROM is the factory state (TokenCount 1, no lockout) and the token is accepted', async () => {
  const b = opaygoBench({ profile: 'field', fix: ['D30', 'D38'] });
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.firmware.state.TokenCount, 1);
  assert.is(b.firmware.state.TokenEntryLockedUntil, 0);
  await b.type('*' + tok(10, 2));
  await b.runForMs(2000);
  assert.is(b.firmware.state.creditt, 10);
});

test('D31 in mode 3: ActiveUntil (11-14) shares bytes with the credit cell, so the boot leaves it at 0xFFFF0000', async () => {
  const b = opaygoBench({ profile: 'field', mode: 'opaygo-time', fix: ['D30'] });
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.firmware.state.ActiveUntil, 0xffff0000);
});

test('D31 fixed in mode 3: ActiveUntil has its own cells and a virgin meter starts inactive', async () => {
  const b = opaygoBench({ profile: 'field', mode: 'opaygo-time', fix: ['D30', 'D31'] });
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.firmware.state.ActiveUntil, 0);
});

test.run();
