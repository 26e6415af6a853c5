import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWiring, WiringError, WIRING_DIR, missingSignals, PART_NAMES, wiringJson, shownWiringPath } from './wiring.ts';
import { boardSpec } from './boards.ts';

const mega = readFileSync(join(WIRING_DIR, 'mega2560.yaml'), 'utf8');
const pill = readFileSync(join(WIRING_DIR, 'bluepill.yaml'), 'utf8');

function errorOf(text: string, caps?: Parameters<typeof parseWiring>[2]): WiringError {
  try { parseWiring(text, 'rig.yaml', caps); } catch (e) { if (e instanceof WiringError) return e; throw e; }
  throw new Error('no error');
}

test('the shipped Mega 2560 map resolves every part with the AFE on Serial1 pins 19/18', () => {
  const m = parseWiring(mega, 'mega2560.yaml');
  assert.is(missingSignals(m, PART_NAMES).size, 0);
  assert.equal(m.afe && { port: m.afe.port, rx: m.afe.rx, tx: m.afe.tx, baud: m.afe.baud }, { port: 1, rx: 19, tx: 18, baud: 9600 });
  assert.is(m.pins.battery_input.pin, 55);
});

test('the shipped blue pill map keeps every signal on the firmware pin, the AFE on USART3', () => {
  const m = parseWiring(pill, 'bluepill.yaml');
  assert.is(missingSignals(m, PART_NAMES).size, 0);
  assert.is(m.pins.relaya.pin, 16); // PB12 in the STM32duino numbering
  assert.is(m.afe!.portName, 'HW_SERIAL3');
  assert.is((wiringJson(m).signals as unknown[]).length, 20);
});

test('an unknown signal is an error naming the file and line', () => {
  const e = errorOf(mega.replace('  relayb:', '  relay_c:'));
  assert.is(e.line, 7);
  assert.match(e.message, /^rig\.yaml:7: unknown signal 'relay_c'/);
});

test('a pin wired twice is an error naming the pin and both signals', () => {
  const e = errorOf(mega.replace('relayb:        { pin: 23', 'relayb:        { pin: 22'));
  assert.is(e.line, 7);
  assert.match(e.message, /pin 22 is wired twice: to relaya and to relayb/);
});

test('a pin missing from the capability report is an error naming the pin', () => {
  const caps = boardSpec('mega2560').pins.map((p, i) => (i === 24 ? { modes: new Map(), analogChannel: 127 } : p));
  const e = errorOf(mega, caps);
  assert.is(e.line, 8);
  assert.match(e.message, /buzzer: pin 24 is missing from the board's capability report/);
});

test('a mode the pin does not support is an error naming the pin and its modes', () => {
  const e = errorOf(mega.replace('battery_input: { pin: A1', 'battery_input: { pin: 27'));
  assert.match(e.message, /^rig\.yaml:11: battery_input: pin 27 does not support mode ANALOG \(the board reports INPUT, PULLUP, OUTPUT, SERVO\)/);
});

test('a serial port the board does not have is an error naming the port and pins', () => {
  const e2 = errorOf(mega.replace('serial: HW_SERIAL1, rx: 19, tx: 18', 'serial: HW_SERIAL1, rx: 17, tx: 16'));
  assert.match(e2.message, /^rig\.yaml:26: afe: pins 17\/16 are not RX\/TX of HW_SERIAL1/);
  const caps = boardSpec('mega2560').pins.map((p, i) => (i === 18 || i === 19 ? { modes: new Map([...p.modes].filter(([m]) => m !== 0x0a)), analogChannel: 127 } : p));
  assert.match(errorOf(mega, caps).message, /^rig\.yaml:26: afe: the board has no serial port HW_SERIAL1 \(pin 19 RX, pin 18 TX\)/);
});

test('a part without its signals is listed with what it lacks', () => {
  const m = parseWiring(mega.replace(/ {2}lcd_d7:.*\n/, ''), 'rig.yaml');
  assert.equal([...missingSignals(m, ['lcd', 'relay'])], [['lcd', ['lcd_d7']]]);
});

test('a wiring map is shown relative to the working folder when it lies under it, else as given', () => {
  assert.is(shownWiringPath('/work/p/hil-rig/wiring/mega2560.yaml', '/work/p'), 'hil-rig/wiring/mega2560.yaml');
  assert.is(shownWiringPath('/work/p/hil-rig/wiring/mega2560.yaml', '/tmp'), '/work/p/hil-rig/wiring/mega2560.yaml');
  assert.is(shownWiringPath('/work/p2/w.yaml', '/work/p'), '/work/p2/w.yaml');
});

test.run();
