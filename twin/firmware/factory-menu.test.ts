// The factory-settings menu (keypad.hpp:34-173; docs/firmware.md §4.6) on the whole meter, the mode-0 wait loop
// of the shipped build, and the mode persistence of D1 fixed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench as createMeterBench } from '../kernel/bench.ts';
import type { KeyName } from '../meter.ts';
import { resolveFirmware } from '../profiles/profile.ts';
import { MODE_SELECT_ADDRESS } from './eeprom.ts';
import { OpaygoFirmware } from './opaygo/opaygo-firmware.ts';
import { tok } from '../../test/support/opaygo.ts';
import { createBench, type BenchOptions } from '../../test/support/firmware-bench.ts';

const BOOTED_MS = 27_000;

function shipped(fix: string[], o: BenchOptions = {}) {
  return createBench({ profile: 'shipped', credit: 500, loads: [], fix, options: { opaygo: new OpaygoFirmware() }, ...o });
}

/** Hold `*` for a second (the factory-menu request), then type the rest. */
async function menu(b: ReturnType<typeof shipped>, keys: string): Promise<void> {
  b.keypad.press('*');
  await b.runForMs(1000);
  b.keypad.release('*');
  await b.runForMs(200);
  await b.type(keys);
}

test('as shipped the menu is out of reach: hold *, 1234#, 011#, 132# leaves the meter unconfigured (D2, D3)', async () => {
  const b = shipped([]);
  await b.runUntilMs(BOOTED_MS);
  await menu(b, '1234#011#132#');
  await b.runForMs(3000);
  assert.is(b.firmware.state.Mode_select, 0);
  assert.is(b.firmware.state.setting_mode, 0);
});

test('D2, D3 fixed: 001 reinitialises the OpenPAYGO state and stores it, keeping the credit', async () => {
  const b = shipped(['D2', 'D3']);
  await b.runUntilMs(BOOTED_MS);
  const s = b.firmware.context!.state;
  s.TokenCount = 9; s.UsedTokens = 0x1234; s.PAYGEnabled = false; s.InvalidTokenCount = 4;
  await menu(b, '1234#');
  assert.is(b.line(0), '001:Reinitialisa');
  await b.type('001#'); // "Values reinitialize" is up for the 2 s busy-wait of the key handler
  await b.runForMs(3000);
  assert.equal([s.TokenCount, s.UsedTokens, s.PAYGEnabled, s.InvalidTokenCount], [1, 0, true, 0]);
  assert.is(s.creditt, 500);
  assert.is(s.setting_mode, 0);
  // StoreActivationVariables as shipped (D31): TokenCount at 6-7
  assert.is(b.eeprom.image[6] | (b.eeprom.image[7] << 8), 1);
});

test('D2, D3 fixed: 021 changes the password; the menu then opens with the new one only', async () => {
  const b = shipped(['D2', 'D3']);
  await b.runUntilMs(BOOTED_MS);
  await menu(b, '1234#021#');
  // println leaves CR LF as two CGRAM glyphs after the text
  assert.match(b.line(0), /^Old password: /);
  await b.type('1234#');
  assert.match(b.line(0), /^New password: /);
  await b.type('4321#');
  assert.is(b.line(0), 'confirm new pass');
  await b.type('4321#'); // "password changed" during the 2 s busy-wait
  await b.runForMs(3000);
  assert.is(b.firmware.state.password, '4321');
  await menu(b, '1234#');
  assert.is(b.firmware.state.setting_mode, 1); // still asking for the password
  await b.type('D');
  await menu(b, '4321#');
  assert.is(b.firmware.state.setting_mode, 2);
});

test('D2, D3, D4 fixed: 122 starts the energy-based OpenPAYGO mode, which takes a token (D38 fixed)', async () => {
  const b = shipped(['D2', 'D3', 'D4', 'D30', 'D38']);
  await b.runUntilMs(BOOTED_MS);
  await menu(b, '1234#011#122#');
  await b.runForMs(3000);
  assert.is(b.firmware.state.Mode_select, 2);
  assert.ok(b.uarts.modem.text.includes('Welcome to the OpenPaygo Energy-based\n'));
  await b.type('*' + tok(10, 2));
  await b.runForMs(2000);
  assert.is(b.firmware.state.creditt, 510);
});

test('D2, D3, D4 fixed: 132 starts the time-based OpenPAYGO mode, which takes a SET token (D38 fixed)', async () => {
  const b = shipped(['D2', 'D3', 'D4', 'D30', 'D31', 'D38']);
  await b.runUntilMs(BOOTED_MS);
  await menu(b, '1234#011#132#');
  await b.runForMs(3000);
  assert.is(b.firmware.state.Mode_select, 3);
  assert.ok(b.uarts.modem.text.includes('Welcome to the OpenPaygo Time-based\n'));
  await b.type('*' + tok(3, 3));
  await b.runForMs(2000);
  assert.is(b.firmware.state.opaygoLastValue, 3);
  assert.ok(b.firmware.state.ActiveUntil > 2 * 86400);
});

/** Shipped meter on a Bench (power cycles): configure STS in the menu, then power-cycle. */
async function configureThenReboot(fix: string[]) {
  const bench = createMeterBench({
    meter: { build: resolveFirmware({ profile: 'shipped', fix }), credit: 500 },
    plant: { grid: { vrms: 240, hz: 50 } }, seed: 1,
  });
  await bench.start();
  await bench.runFor(BOOTED_MS * 1000);
  await bench.pressKeys(['*'], { holdMs: 1000 });
  await bench.pressKeys('1234#011#112#'.split('') as KeyName[]);
  await bench.runFor(5e6);
  bench.power(false);
  await bench.runFor(1e6);
  bench.power(true);
  await bench.runFor(40e6);
  const lcd = String(bench.observe('lcd'));
  const stored = (bench.meter as unknown as { eeprom: { image: Uint8Array } }).eeprom.image[MODE_SELECT_ADDRESS];
  await bench.close();
  return { lcd, stored };
}

test('D1: the mode chosen in the menu is lost at the next boot (No Configuration again)', async () => {
  const r = await configureThenReboot(['D2', 'D3', 'D4']);
  assert.match(r.lcd, /^No Configuration/);
  assert.is(r.stored, 0xff);
});

test('D1 fixed: the mode chosen in the menu is stored at EEPROM 24 and the meter boots into it', async () => {
  const r = await configureThenReboot(['D1', 'D2', 'D3', 'D4']);
  assert.is(r.stored, 1);
  assert.match(r.lcd, /CREDIT=#500\.00|V=/);
});

test('shipped: in the mode-0 loop a keypad STS token adds credit that nothing ever spends', async () => {
  const b = createBench({ profile: 'shipped', credit: 500, loads: [{ id: 'heater', amps: 10, pf: 1 }] });
  await b.runUntilMs(BOOTED_MS);
  await b.type('*10913015110000A10001#');
  assert.is(b.firmware.state.creditt, 625);
  await b.runForMs(600_000);
  assert.is(b.firmware.state.creditt, 625);
  assert.is(b.firmware.state.ENERGY, 0);
  assert.ok(b.relay.isClosed);
  assert.is(b.line(0), ' TOKEN ACCEPTED ');
});

test.run();
