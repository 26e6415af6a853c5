// Boot of the firmware twin on a board with the ATM90E26 model wired to the AFE UART (docs/firmware.md §2).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PINS } from '../board/board.ts';
import { resolveFirmware } from '../profiles/profile.ts';
import { OsmFirmware, bootModeSelect } from './firmware.ts';
import { createBench, type Bench, type BenchOptions } from '../../test/support/firmware-bench.ts';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu } from '../board/cpu.ts';
import { createSimulatedBoard } from '../board/simulated-board.ts';

/** Samples both LCD lines every 10 ms up to `untilMs`; returns each distinct screen with the time it appeared. */
async function screens(b: Bench, untilMs: number): Promise<{ tMs: number; r0: string; r1: string }[]> {
  const out: { tMs: number; r0: string; r1: string }[] = [];
  for (let t = 0; t <= untilMs; t += 10) {
    await b.runUntilMs(t);
    const r0 = b.line(0);
    const r1 = b.line(1);
    const last = out[out.length - 1];
    if (!last || last.r0 !== r0 || last.r1 !== r1) out.push({ tMs: t, r0, r1 });
  }
  return out;
}

const HEALTHY: BenchOptions = { credit: 125, loads: [{ id: 'heater', amps: 5, pf: 1 }] };

test('boot shows DEVELOPED BY / FIRST ELECTRIC for 2 s, then SYSTEM BOOTING, modemInfo, the checksums, then scene 2', async () => {
  const b = createBench(HEALTHY);
  const seen = await screens(b, 27000);
  const find = (r0: string): { tMs: number; r0: string; r1: string } | undefined => seen.find((s) => s.r0 === r0);
  const intro = find('  DEVELOPED BY  ')!;
  assert.is(intro.r1, ' FIRST ELECTRIC ');
  const booting = find(' SYSTEM BOOTING ')!;
  assert.is(booting.r1, ' #------------# ');
  assert.ok(booting.tMs - intro.tMs >= 1990 && booting.tMs - intro.tMs <= 2200, `${booting.tMs - intro.tMs}`);
  assert.ok(find(' modemInfo      '));
  const cs = seen.find((x) => x.r0 === 'CSOne : 12924   ' && x.r1 === 'CSTwo : 39227   ')!;
  assert.ok(cs);
  const credit = find(' CREDIT=#125.00 ')!;
  assert.is(credit.r1, 'ENERGY=0.00 KW/H');
  assert.ok(credit.tMs - cs.tMs >= 2990 && credit.tMs - cs.tMs < 3400, `${credit.tMs - cs.tMs}`);
  assert.ok(credit.tMs > 20000 && credit.tMs < 26000, `setup took ${credit.tMs} ms`);
});

test('the debug port carries exactly the boot strings of §9.6 in order', async () => {
  const b = createBench(HEALTHY);
  await b.runUntilMs(26000);
  const expected = 'Device Powered! \nSetting up LCD... \nLCD Setup complete! \nInitializing modem...\r\nModem: \r\n' +
    'Setting up AFE... \nChecksum 1:327C\r\nChecksum 2:993B\r\nAFE Setup Complete! \nSetup Complete! \n\r\n' +
    'Connecting to APN: terminal';
  assert.is(b.uarts.debug.text.slice(0, expected.length), expected);
});

test('the buzzer sounds for the 2 s of the intro screen', async () => {
  const b = createBench(HEALTHY);
  await b.runUntilMs(5000);
  const on = b.pinLog.filter((e) => e.pin === PINS.buzzer && e.level === 1);
  const off = b.pinLog.filter((e) => e.pin === PINS.buzzer && e.level === 0 && e.tUs > on[0].tUs);
  assert.is(on.length, 1);
  assert.ok(Math.abs((off[0].tUs - on[0].tUs) / 1000 - 2000) < 50);
});

test('D48: the relay gets its ON pulse only at the end of setup (about 20 s after power-on)', async () => {
  const b = createBench({ ...HEALTHY, credit: 0 });
  await b.runUntilMs(26000);
  const on = b.risingEdges(PINS.relayA);
  assert.ok(on.length >= 1);
  assert.ok(on[0] > 18000, String(on[0]));
});

test('D48 fixed: with no credit in EEPROM the boot pulse is OFF, not ON', async () => {
  const b = createBench({ ...HEALTHY, credit: 0, fix: ['D48'] });
  await b.runUntilMs(26000);
  assert.is(b.risingEdges(PINS.relayA).length, 0);
  assert.is(b.risingEdges(PINS.relayB).length, 1);
});

test('at 240 V, 5 A, PF 1 the firmware measures V, I, P and PF within 0.5 %', async () => {
  const b = createBench(HEALTHY);
  await b.runUntilMs(30000);
  const s = b.firmware.state;
  assert.ok(Math.abs(s.mains_input_value - 240) / 240 < 0.005, String(s.mains_input_value));
  assert.ok(Math.abs(s.curr - 5) / 5 < 0.005, String(s.curr));
  assert.ok(Math.abs(s.true_power - 1200) / 1200 < 0.005, String(s.true_power));
  assert.ok(Math.abs(s.powerFactor - 1) < 0.005, String(s.powerFactor));
  assert.ok(Math.abs(s.freq - 50) < 0.05, String(s.freq));
});

test('a dead AFE shows CSOne : 65535 / CSTwo : 65535', async () => {
  const b = createBench({ ...HEALTHY, afe: { dead: true } });
  await b.runUntilMs(23500);
  assert.is(b.line(0), 'CSOne : 65535   ');
  assert.is(b.line(1), 'CSTwo : 65535   ');
});

test('D30: a virgin EEPROM reads as credit 4294967296, shown as ovf', async () => {
  const b = createBench({ loads: [] });
  await b.runUntilMs(26000);
  assert.is(b.firmware.state.creditt, 4294967296);
  assert.is(b.line(0), ' CREDIT=#ovf    ');
});

test('D30 fixed: a virgin EEPROM means credit 0', async () => {
  const b = createBench({ loads: [], fix: ['D30'] });
  await b.runUntilMs(26000);
  assert.is(b.firmware.state.creditt, 0);
  assert.is(b.eepromLong(9), 0);
});

test('shipped: the meter boots into No Configuration and never attaches the timer interrupt', async () => {
  const b = createBench({ ...HEALTHY, profile: 'shipped' });
  await b.runUntilMs(40000);
  assert.is(b.line(0), 'No Configuration');
  assert.is(b.cpu.isrCount, 0);
  assert.is(b.firmware.state.mains_input_value, 0);
  assert.not.match(b.uarts.debug.text, /(^|\n)Setup Complete! /);
});

test('D28: without an RTC the boot hangs on Couldn\'t find RTC and the relay is never pulsed', async () => {
  const b = createBench({ ...HEALTHY, rtcPresent: false });
  await b.runUntilMs(21000);
  assert.is(b.line(0), "Couldn't find RT");
  await b.runUntilMs(23000);
  assert.is(b.line(1), "'t find RTC     "); // the text runs on through DDRAM every 2 s
  await b.runUntilMs(120000);
  assert.is(b.risingEdges(PINS.relayA).length, 0);
});

test('D28 fixed: without an RTC the meter boots on after 5 attempts', async () => {
  const b = createBench({ ...HEALTHY, rtcPresent: false, fix: ['D28'] });
  await b.runUntilMs(60000);
  assert.match(b.uarts.debug.text, /\nSetup Complete! \n/);
  assert.is(b.risingEdges(PINS.relayA).length, 1);
});

test('a halted RTC shows RTC is NOT running! for 2 s and tells the modem line', async () => {
  const b = createBench(HEALTHY);
  b.rtc.setHalted(true);
  await b.runUntilMs(20000);
  assert.is(b.line(0), 'RTC is NOT runni');
  await b.runUntilMs(26000);
  assert.ok(b.uarts.modem.text.includes('ATI\r\nRTC is NOT running!\r\n'));
});

test('D44: the modem screen shows the literal label " modemInfo "', async () => {
  const b = createBench({ ...HEALTHY, modem: { info: 'SIM800 R14.18' } });
  const seen = await screens(b, 16000);
  assert.ok(seen.some((x) => x.r0 === ' modemInfo      ' && x.r1 === 'SIM800 R14.18   '));
});

test('D44 fixed: the modem screen is labelled MODEM INFO', async () => {
  const b = createBench({ ...HEALTHY, modem: {}, fix: ['D44'] });
  const seen = await screens(b, 16000);
  assert.ok(seen.some((x) => x.r0 === ' MODEM INFO     ' && x.r1 === 'SIM800 R14.18   '));
});

test('D45: the boot logo is overwritten at once by SYSTEM BOOTING', async () => {
  const b = createBench(HEALTHY);
  await b.runUntilMs(2500);
  assert.is(b.line(0), ' SYSTEM BOOTING ');
});

test('D45 fixed: the boot logo (CGRAM glyphs 0-3 at columns 7-8) stays up for a second', async () => {
  const b = createBench({ ...HEALTHY, fix: ['D45'] });
  await b.runUntilMs(2500);
  const d = b.lcd.ddram;
  assert.equal([d[0x07], d[0x08], d[0x47], d[0x48]], [0, 1, 2, 3]);
  assert.is(b.line(0).slice(0, 7), '       ');
});

test('D32: without an EEPROM the meter boots silently with credit 0', async () => {
  const b = createBench({ ...HEALTHY, eepromPresent: false });
  await b.runUntilMs(26000);
  assert.is(b.firmware.state.creditt, 0);
  assert.not.match(b.uarts.debug.text, /EEPROM/);
});

test('D32 fixed: a missing EEPROM is reported on the debug port', async () => {
  const b = createBench({ ...HEALTHY, eepromPresent: false, fix: ['D32'] });
  await b.runUntilMs(26000);
  assert.match(b.uarts.debug.text, /EEPROM not responding\r\n/);
});

test('D1: a build with D1 present boots in mode 0 whatever boot mode is configured', () => {
  assert.is(bootModeSelect({ profile: 'field', mode: 'sts', defects: new Set(['D1']) }), 0);
  assert.is(bootModeSelect({ profile: 'field', mode: 'sts', defects: new Set() }), 1);
});

test('the OpenPAYGO boot modes are refused without an OpenPAYGO implementation, with a clear message', () => {
  const board = createSimulatedBoard(new Cpu(new VirtualClock()));
  const cfg = resolveFirmware({ profile: 'field', mode: 'opaygo-energy' });
  assert.throws(() => new OsmFirmware(board, cfg), /no OpenPAYGO implementation was supplied: pass options\.opaygo/);
});

test('a malformed compileTime option is refused with a clear message', () => {
  const board = createSimulatedBoard(new Cpu(new VirtualClock()));
  const cfg = resolveFirmware({ profile: 'field' });
  assert.throws(() => new OsmFirmware(board, cfg, { compileTime: 'yesterday' }), /compileTime must look like/);
});

test('mode 2 prints its welcome text on the modem line and loads the activation variables', async () => {
  let loops = 0;
  const b = createBench({
    ...HEALTHY, mode: 'opaygo-energy',
    options: { opaygo: { loop: async (fw) => { loops++; await fw.board.delay(1000); } } },
  });
  await b.runUntilMs(30000);
  assert.ok(b.uarts.modem.text.includes('Welcome to the OpenPaygo Energy-based\nWe\'re waiting for the * character'));
  assert.ok(loops > 0);
  assert.is(b.cpu.isrCount, 0);
});

test.run();
