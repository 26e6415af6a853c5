import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { DEFAULT_ORIGINAL_WIRING, KEY_SIGNALS, loadOriginalWiring, parseOriginalWiring } from './original-wiring.ts';
import { WiringError } from '../wiring.ts';

const text = readFileSync(DEFAULT_ORIGINAL_WIRING, 'utf8');
const errorOf = (t: string): string => {
  try { parseOriginalWiring(t, 'w.yaml'); } catch (e) { assert.instance(e, WiringError); return (e as Error).message; }
  throw new Error('parsed without an error');
};

test('the default map wires every key, input and output of the rig to the Mega', () => {
  const m = loadOriginalWiring(DEFAULT_ORIGINAL_WIRING);
  assert.is(m.board, 'mega2560');
  for (const sig of Object.values(KEY_SIGNALS)) assert.is(m.pins[sig].mode, 'OUTPUT', sig);
  for (const sig of ['relay_coil_a', 'relay_coil_b', 'red_led', 'green_led', 'buzzer']) assert.is(m.pins[sig].mode, 'INPUT', sig);
  assert.is(m.pins.cover.mode, 'OUTPUT');
  assert.is(m.pins.meter_power.pin, 46);
});

test('an unknown signal is named with its line', () => {
  assert.match(errorOf(text.replace('key_hash:', 'key_pound:')), /^w\.yaml:\d+: unknown signal 'key_pound'/);
});

test('a pin wired twice is refused', () => {
  assert.match(errorOf(text.replace('key_2:        { pin: 23', 'key_2:        { pin: 22')), /pin 22 is wired twice: to key_1 and to key_2/);
});

test('an input given an output mode is refused', () => {
  assert.match(errorOf(text.replace('red_led:      { pin: 42, mode: INPUT }', 'red_led:      { pin: 42, mode: OUTPUT }')), /red_led on pin 42: mode OUTPUT does not fit the signal \(needs INPUT\)/);
});

test('a missing signal is refused with the list of what is missing', () => {
  assert.match(errorOf(text.split('\n').filter((l) => !l.startsWith('  buzzer:')).join('\n')), /missing: buzzer/);
});

test('a pin the board does not have is refused', () => {
  assert.match(errorOf(text.replace('{ pin: 46,', '{ pin: 99,')), /meter_power: pin 99 does not exist/);
});

test.run();
