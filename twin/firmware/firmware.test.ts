// The firmware twin in boot mode 1 (field profile) on a board with the ATM90E26 model and the phasor plant:
// keypad tokens, tamper, credit exhaustion, faults, billing period, daily telemetry (docs/firmware.md §3-§5, §9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../board/board.ts';
import { DateTime } from './lib/rtclib.ts';
import { createBench, type BenchOptions } from '../../test/support/firmware-bench.ts';

/** A healthy field meter at 240 V with a quick modem; setup is over by 27 s. */
function meter(o: BenchOptions = {}) {
  return createBench({ credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }], modem: {}, ...o });
}

const BOOTED_MS = 27000;
/** No load: nothing is billed while typing, so credit changes only by tokens. */
const IDLE: BenchOptions = { loads: [] };
/** Worked example 4, the server's style: the last 5 digits are 10000 + the web tariff 70 the server also reports. */
const TOKEN4 = '32733514147542A10070';

test('a server-style token typed on the keypad adds 500 credit and shows TOKEN ACCEPTED / VIA KEYPAD', async () => {
  const b = meter({ ...IDLE });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '#');
  assert.is(b.line(0), ' TOKEN ACCEPTED ');
  assert.is(b.line(1), '   VIA KEYPAD   ');
  assert.is(b.firmware.state.creditt, 1000);
  await b.runForMs(6000);
  assert.match(b.line(0), /^( CREDIT=#|V=)/); // the scenes come back after the 1.5 s timeout
});

test('the TOKEN: prompt and the echo appear while typing (keypad scanned in the interrupt)', async () => {
  const b = meter();
  await b.runUntilMs(BOOTED_MS);
  await b.type('*1091');
  assert.is(b.line(0), 'TOKEN:      1091');
});

test('D6: the same token typed again is accepted again', async () => {
  const b = meter({ ...IDLE });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '#');
  await b.runForMs(3000);
  await b.type('*' + TOKEN4 + '#');
  assert.is(b.firmware.state.creditt, 1500);
});

test('D6 fixed: the replay shows USED TOKEN and adds nothing', async () => {
  const b = meter({ ...IDLE, fix: ['D6'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '#');
  await b.runForMs(3000);
  await b.type('*' + TOKEN4 + '#');
  assert.is(b.line(1), '   USED TOKEN   ');
  assert.is(b.firmware.state.creditt, 1000);
});

test('D7: # pressed again within the 1.5 s screen re-submits and adds the credit again', async () => {
  const b = meter({ ...IDLE });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '##');
  assert.is(b.firmware.state.creditt, 1500);
});

test('D7 in the field build: a # after the 1.5 s timeout submits nothing (the interrupt has cleared the entry)', async () => {
  const b = meter({ ...IDLE });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '#');
  await b.runForMs(2000);
  await b.type('#');
  assert.is(b.firmware.state.creditt, 1000);
});

test('D7 fixed: the second # adds nothing', async () => {
  const b = meter({ ...IDLE, fix: ['D7'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '##');
  assert.is(b.firmware.state.creditt, 1000);
});

test('D5 present (keypad not scanned in mode 1): typed keys do nothing', async () => {
  const b = meter({ ...IDLE, defects: ['D5'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*' + TOKEN4 + '#');
  assert.is(b.firmware.state.creditt, 500);
});

test('opening the terminal cover opens the relay and shows TERMINAL  COVER / OPEN', async () => {
  const b = meter();
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.risingEdges(PINS.relayB).length, 0);
  b.cover.setOpen(true);
  await b.runForMs(20000);
  assert.is(b.line(0), 'TERMINAL  COVER ');
  assert.is(b.line(1), '      OPEN      ');
  assert.is(b.risingEdges(PINS.relayB).length, 1);
  assert.is(b.eepromLong(5), 3);
});

test('credit running out opens the relay and lights the red LED (19 kW at the web tariff 70: 0.37 credit/s)', async () => {
  const b = meter({ credit: 100, loads: [{ id: 'oven', amps: 80, pf: 1 }] });
  await b.runUntilMs(BOOTED_MS);
  assert.is(b.risingEdges(PINS.relayB).length, 0);
  await b.runUntilMs(400000);
  assert.ok(b.firmware.state.creditt < 1, String(b.firmware.state.creditt));
  assert.is(b.risingEdges(PINS.relayB).length, 1);
  assert.is(b.pinLevel(PINS.redLed), 1);
});

test('D11: a sag to 140 V does not trip the relay', async () => {
  const b = meter();
  await b.runUntilMs(BOOTED_MS);
  b.plant.applyGrid({ vrms: 140 });
  await b.runForMs(20000);
  assert.ok(Math.abs(b.firmware.state.mains_input_value - 140) < 1);
  assert.is(b.risingEdges(PINS.relayB).length, 0);
});

test('D11 fixed: a sag to 140 V trips the relay, and it closes again when the voltage returns', async () => {
  const b = meter({ fix: ['D11'] });
  await b.runUntilMs(BOOTED_MS);
  b.plant.applyGrid({ vrms: 140 });
  await b.runForMs(20000);
  assert.is(b.risingEdges(PINS.relayB).length, 1);
  b.plant.applyGrid({ vrms: 240 });
  await b.runForMs(20000);
  assert.is(b.risingEdges(PINS.relayA).length, 2); // the boot pulse, then the reconnection
});

test('D14: over 10 minutes at 1.2 kW the energy is under-counted by 1/21 (a 1.05 s period billed as 1 s)', async () => {
  const b = meter();
  await b.runUntilMs(60000);
  const e0 = b.firmware.state.ENERGY;
  await b.runUntilMs(660000);
  const ratio = (b.firmware.state.ENERGY - e0) / ((1200 * 600) / 3.6e6);
  assert.ok(Math.abs(ratio - 20 / 21) < 0.005, String(ratio));
});

test('D14 fixed: the same 10 minutes are billed in full', async () => {
  const b = meter({ fix: ['D14'] });
  await b.runUntilMs(60000);
  const e0 = b.firmware.state.ENERGY;
  await b.runUntilMs(660000);
  const ratio = (b.firmware.state.ENERGY - e0) / ((1200 * 600) / 3.6e6);
  assert.ok(Math.abs(ratio - 1) < 0.005, String(ratio));
});

test('D22: at 23:00 with no MQTT broker the main loop never returns (measurement stops)', async () => {
  const b = meter({ clock: new DateTime(2026, 3, 1, 22, 59, 30), nvramInit: 1 });
  await b.runUntilMs(120000);
  b.plant.setLoad({ id: 'heater', amps: 2, pf: 1 });
  await b.runUntilMs(900000);
  assert.ok(Math.abs(b.firmware.state.curr - 5) < 0.1, String(b.firmware.state.curr));
  assert.not.match(b.uarts.debug.text, /Sending data/);
});

test('D22 fixed: the daily post gives up after 3 attempts and the loop carries on', async () => {
  const b = meter({ clock: new DateTime(2026, 3, 1, 22, 59, 30), nvramInit: 1, fix: ['D22'] });
  await b.runUntilMs(120000);
  b.plant.setLoad({ id: 'heater', amps: 2, pf: 1 });
  await b.runUntilMs(900000);
  assert.ok(Math.abs(b.firmware.state.curr - 2) < 0.1, String(b.firmware.state.curr));
  assert.match(b.uarts.debug.text, /with token 5GBw6kqNCN93BN3nuuvJ\r\nFailed to connect\r\n/);
});

test('D36: in the shipped mode-0 loop the buzzer stays on after INVALID TOKEN', async () => {
  const b = createBench({ profile: 'shipped', credit: 0 });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*10913015310000A10001#');
  assert.is(b.line(1), '  INVALID TOKEN ');
  await b.runForMs(10000);
  assert.is(b.pinLevel(PINS.buzzer), 1);
});

test('D36 fixed: the buzzer stops 1.5 s after INVALID TOKEN', async () => {
  const b = createBench({ profile: 'shipped', credit: 0, fix: ['D36'] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*10913015310000A10001#');
  await b.runForMs(2000);
  assert.is(b.pinLevel(PINS.buzzer), 0);
});

test('D21: during the 5-minute wait on a mute modem, a load change is not measured', async () => {
  const b = createBench({ credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }] });
  await b.runUntilMs(60000);
  b.plant.setLoad({ id: 'heater', amps: 2, pf: 1 });
  await b.runUntilMs(120000);
  assert.ok(Math.abs(b.firmware.state.curr - 5) < 0.1, String(b.firmware.state.curr));
});

test('D21 fixed: the meter is measured while the modem library waits', async () => {
  const b = createBench({ credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }], fix: ['D21'] });
  await b.runUntilMs(60000);
  b.plant.setLoad({ id: 'heater', amps: 2, pf: 1 });
  await b.runUntilMs(120000);
  assert.ok(Math.abs(b.firmware.state.curr - 2) < 0.1, String(b.firmware.state.curr));
});

/** Shipped meter with the menu reachable (D2, D3 fixed): hold *, password, 011, 112 → "configured to STS Mode". */
async function configureSts(fix: string[]) {
  const b = createBench({ profile: 'shipped', credit: 500, loads: [{ id: 'heater', amps: 5, pf: 1 }], modem: {}, fix });
  await b.runUntilMs(BOOTED_MS);
  b.keypad.press('*');
  await b.runForMs(1000);
  b.keypad.release('*');
  await b.runForMs(200);
  await b.type('1234#011#112#');
  await b.runForMs(30000);
  return b;
}

test('D4: after "configured to STS Mode" the loop measures but the timer interrupt is never attached', async () => {
  const b = await configureSts(['D2', 'D3']);
  assert.is(b.firmware.state.Mode_select, 1);
  assert.is(b.cpu.isrCount, 0);
  assert.is(b.firmware.state.sts_mode, 1); // so no GSM either
  assert.ok(b.firmware.state.mains_input_value > 200);
});

test('D4 fixed: the configured STS mode starts with its interrupt', async () => {
  const b = await configureSts(['D2', 'D3', 'D4']);
  assert.ok(b.cpu.isrCount > 100);
  assert.is(b.firmware.state.sts_mode, 0);
});

test('the firmware run ends with PowerLoss when the power is cut', async () => {
  const b = meter();
  await b.runUntilMs(BOOTED_MS);
  b.cpu.powerOff();
  await b.runForMs(10000);
  assert.is(b.failure, null);
  assert.is(b.cpu.powered, false);
});

test.run();
